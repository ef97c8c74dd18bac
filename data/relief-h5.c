/* relief-h5.c: HDF5 attribute, dataset and temp-file helpers. */
#include "relief-h5.h"
#include <glib/gi18n-lib.h>
#include "relief-file.h"
#include "relief-enums.h"
#include "relief-output.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

void
relief_h5_quiet_begin (ReliefH5Quiet *quiet)
{
  static gsize once;

  /* libhdf5's own shutdown at exit walks what a damaged file that failed to open left
   * behind: it prints "infinite loop closing library" or crashes.  (Files are written
   * from memory, so no close fails on a full disk: relief_h5_create_memory.)  Every file
   * Relief opens it closes itself, so that shutdown is skipped; it must be asked for
   * before the library starts, which any HDF5 call here does. */
  if (g_once_init_enter (&once))
    {
      H5dont_atexit ();
      g_once_init_leave (&once, 1);
    }
  H5Eget_auto2 (H5E_DEFAULT, &quiet->func, &quiet->data);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
}

void
relief_h5_quiet_end (const ReliefH5Quiet *quiet)
{
  H5Eclear2 (H5E_DEFAULT);
  H5Eset_auto2 (H5E_DEFAULT, quiet->func, quiet->data);
}

static herr_t
first_error_desc (unsigned n, const H5E_error2_t *err, void *user_data)
{
  char **desc = user_data;

  if (*desc == NULL && err->desc != NULL && err->desc[0] != '\0')
    *desc = g_strdup (err->desc);
  return 0;
}

void
relief_h5_set_error (GError **error, int code, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *desc = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Walking upward starts at the function that detected the error: the most specific. */
  H5Ewalk2 (H5E_DEFAULT, H5E_WALK_UPWARD, first_error_desc, &desc);
  H5Eclear2 (H5E_DEFAULT);

  if (desc != NULL)
    {
      /* Some of HDF5's messages hold a newline: a message is one line. */
      g_strdelimit (desc, "\n\r", ' ');
      g_set_error (error, RELIEF_FILE_ERROR, code, _("%s (%s)"), message, g_strstrip (desc));
    }
  else
    g_set_error_literal (error, RELIEF_FILE_ERROR, code, message);
}

gboolean
relief_h5_has_attr (hid_t loc, const char *name)
{
  return H5Aexists (loc, name) > 0;
}

gboolean
relief_h5_has_link (hid_t loc, const char *name)
{
  return H5Lexists (loc, name, H5P_DEFAULT) > 0;
}

static hid_t
utf8_string_type (void)
{
  hid_t type = H5Tcopy (H5T_C_S1);

  H5Tset_size (type, H5T_VARIABLE);
  H5Tset_cset (type, H5T_CSET_UTF8);
  return type;
}

static gboolean
write_attr (hid_t loc, const char *name, hid_t file_type, hid_t mem_type, hid_t space, const void *value,
            GError **error)
{
  hid_t attr;
  herr_t status;

  if (H5Aexists (loc, name) > 0)
    H5Adelete (loc, name);
  attr = H5Acreate2 (loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create attribute “%s”"), name);
      return FALSE;
    }
  status = H5Awrite (attr, mem_type, value);
  H5Aclose (attr);
  if (status < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot write attribute “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_scalar_attr (hid_t loc, const char *name, hid_t file_type, hid_t mem_type, const void *value, GError **error)
{
  hid_t space = H5Screate (H5S_SCALAR);
  gboolean ok = write_attr (loc, name, file_type, mem_type, space, value, error);

  H5Sclose (space);
  return ok;
}

gboolean
relief_h5_write_string_attr (hid_t loc, const char *name, const char *value, GError **error)
{
  hid_t type = utf8_string_type ();
  const char *v = value != NULL ? value : "";
  gboolean ok = write_scalar_attr (loc, name, type, type, &v, error);

  H5Tclose (type);
  return ok;
}

gboolean
relief_h5_write_int_attr (hid_t loc, const char *name, gint64 value, GError **error)
{
  return write_scalar_attr (loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, error);
}

gboolean
relief_h5_write_uint_attr (hid_t loc, const char *name, guint64 value, GError **error)
{
  return write_scalar_attr (loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value, error);
}

gboolean
relief_h5_write_double_attr (hid_t loc, const char *name, double value, GError **error)
{
  return write_scalar_attr (loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, error);
}

gboolean
relief_h5_write_int_array_attr (hid_t loc, const char *name, const gint64 *values, gsize n, GError **error)
{
  hsize_t dims[1] = { n };
  hid_t space = H5Screate_simple (1, dims, NULL);
  gboolean ok = write_attr (loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, space, values, error);

  H5Sclose (space);
  return ok;
}

static hid_t
open_attr (hid_t loc, const char *name, GError **error)
{
  hid_t attr;

  if (H5Aexists (loc, name) <= 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Missing attribute “%s”"), name);
      return H5I_INVALID_HID;
    }
  attr = H5Aopen (loc, name, H5P_DEFAULT);
  if (attr < 0)
    relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot open attribute “%s”"), name);
  return attr;
}

/* The file holding loc: its size in bytes bounds what its datasets can declare. */
static guint64
file_size_of (hid_t loc)
{
  hid_t file = H5Iget_file_id (loc);
  hsize_t size = 0;

  if (file >= 0)
    {
      if (H5Fget_filesize (file, &size) < 0)
        size = 0;
      H5Fclose (file);
    }
  return size;
}

static guint64 read_le (const guint8 *p, int n);

/* The offset of the data of attribute name's message at q (where its name starts) of the
 * window w, when the bytes there are one (versions 1 to 3, a variable-length datatype);
 * 0 when they are not. */
static gsize
vlen_attr_data_at (const guint8 *w, gsize n, gsize q, gsize name_size)
{
  gsize dt_at, dt, ds, data;

  if (q >= 8 && w[q - 8] == 1 && w[q - 7] == 0 && read_le (w + q - 6, 2) == name_size)
    {
      dt = read_le (w + q - 4, 2);
      ds = read_le (w + q - 2, 2);
      dt_at = q + ((name_size + 7) & ~(gsize) 7);
      data = dt_at + ((dt + 7) & ~(gsize) 7) + ((ds + 7) & ~(gsize) 7);
    }
  else if (q >= 8 && w[q - 8] == 2 && read_le (w + q - 6, 2) == name_size)
    {
      dt = read_le (w + q - 4, 2);
      ds = read_le (w + q - 2, 2);
      dt_at = q + name_size;
      data = dt_at + dt + ds;
    }
  else if (q >= 9 && w[q - 9] == 3 && read_le (w + q - 7, 2) == name_size)
    {
      dt = read_le (w + q - 5, 2);
      ds = read_le (w + q - 3, 2);
      dt_at = q + name_size;
      data = dt_at + dt + ds;
    }
  else
    return 0;
  /* The datatype message's first byte holds its class in the low nibble: 9, variable-length. */
  return dt_at < n && (w[dt_at] & 0x0f) == 9 ? data : 0;
}

/* Whether the reference a variable-length string attribute holds (its length, the global
 * heap collection's address, the object's index) can be sound: libhdf5 1.10 allocates and
 * clears the declared length before it looks at the address, so a damaged one costs up
 * to 4 GiB and seconds before the read fails.  The attribute's message is looked for by
 * its name in the first 64 KiB of its object's header in a file read from the disk; one
 * not found there (in a continuation or dense storage) is left to libhdf5. */
static gboolean
vlen_attr_sound (hid_t loc, const char *name)
{
  const gsize window = 65536;
  gsize name_size = strlen (name) + 1;
  H5O_info_t info;
  hid_t file, fcpl, fapl;
  gboolean on_disk = FALSE;
  size_t sizeof_addr = 8, sizeof_size = 8;
  hsize_t userblock = 0;
  g_autofree char *path = NULL;
  g_autofree guint8 *w = NULL;
  gboolean sound = TRUE;
  guint64 file_size;
  gssize n, len;
  int fd;

  if (H5Oget_info2 (loc, &info, H5O_INFO_BASIC) < 0 || (file = H5Iget_file_id (loc)) < 0)
    return TRUE;
  len = H5Fget_name (file, NULL, 0);
  if (len > 0)
    {
      path = g_malloc (len + 1);
      H5Fget_name (file, path, len + 1);
    }
  fcpl = H5Fget_create_plist (file);
  if (fcpl >= 0)
    {
      H5Pget_sizes (fcpl, &sizeof_addr, &sizeof_size);
      H5Pget_userblock (fcpl, &userblock);
      H5Pclose (fcpl);
    }
  /* Only a file read from the disk is what its name holds (one in memory may be saved
   * over an older file of that name). */
  fapl = H5Fget_access_plist (file);
  if (fapl >= 0)
    {
      on_disk = H5Pget_driver (fapl) == H5FD_SEC2;
      H5Pclose (fapl);
    }
  H5Fclose (file);
  if (!on_disk || path == NULL || (sizeof_addr != 4 && sizeof_addr != 8) || (fd = g_open (path, O_RDONLY, 0)) < 0)
    return TRUE;
  file_size = (guint64) lseek (fd, 0, SEEK_END);
  w = g_malloc (window);
  n = pread (fd, w, window, (off_t) (userblock + info.addr));
  g_close (fd, NULL);
  for (gssize q = 0; n > 0 && q + (gssize) name_size <= n; q++)
    {
      gsize data;

      if (w[q] != (guint8) name[0] || memcmp (w + q, name, name_size) != 0)
        continue;
      data = vlen_attr_data_at (w, (gsize) n, (gsize) q, name_size);
      if (data == 0 || data + 8 + sizeof_addr > (gsize) n)
        continue;
      len = (gssize) read_le (w + data, 4);
      sound = len == 0 || ((guint64) len <= file_size && read_le (w + data + 4, (int) sizeof_addr) < file_size);
      break;
    }
  return sound;
}

/* A string attribute is one value, scalar or of one element, of fixed or variable length;
 * arrays are refused before anything is read into a single string. */
char *
relief_h5_read_string_attr (hid_t loc, const char *name, GError **error)
{
  hid_t attr, file_type, mem_type, space;
  hssize_t count;
  char *result = NULL;

  attr = open_attr (loc, name, error);
  if (attr < 0)
    return NULL;
  file_type = H5Aget_type (attr);
  space = H5Aget_space (attr);
  count = H5Sget_simple_extent_npoints (space);
  if (H5Tget_class (file_type) != H5T_STRING)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Attribute “%s” is not a string"), name);
    }
  else if (count != 1)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("Attribute “%s” holds %lld strings, not one"), name, (long long) count);
    }
  else if (H5Tis_variable_str (file_type) > 0 && !vlen_attr_sound (loc, name))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("Attribute “%s” is damaged: its string's length or place lies beyond the file"), name);
    }
  else if (H5Tis_variable_str (file_type) > 0)
    {
      char *value = NULL;

      mem_type = utf8_string_type ();
      H5Tset_cset (mem_type, H5Tget_cset (file_type));
      if (H5Aread (attr, mem_type, &value) < 0)
        relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot read attribute “%s”"), name);
      else
        result = g_strdup (value != NULL ? value : "");
      if (value != NULL)
        H5free_memory (value);
      H5Tclose (mem_type);
    }
  else
    {
      gsize size = H5Tget_size (file_type);

      /* The declared length must be stored in the attribute itself. */
      if (size == 0 || size > H5Aget_storage_size (attr))
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("Attribute “%s” declares a string longer than it stores"), name);
      else
        {
          char *buf = g_malloc0 (size + 1);

          mem_type = H5Tcopy (file_type);
          if (H5Aread (attr, mem_type, buf) < 0)
            {
              relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot read attribute “%s”"), name);
              g_free (buf);
            }
          else
            result = buf;
          H5Tclose (mem_type);
        }
    }
  H5Sclose (space);
  H5Tclose (file_type);
  H5Aclose (attr);
  /* Strings end up in messages and on screen: they must be text. */
  if (result != NULL && !g_utf8_validate (result, -1, NULL))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Attribute “%s” is not UTF-8 text"), name);
      g_clear_pointer (&result, g_free);
    }
  return result;
}

/* Integers and floats convert to any native number; takes type. */
static gboolean
is_numeric_type (hid_t type)
{
  H5T_class_t klass = H5Tget_class (type);

  H5Tclose (type);
  return klass == H5T_INTEGER || klass == H5T_FLOAT;
}

static gboolean
read_scalar_attr (hid_t loc, const char *name, hid_t mem_type, void *out, GError **error)
{
  hid_t attr, space;
  gboolean ok = FALSE;

  attr = open_attr (loc, name, error);
  if (attr < 0)
    return FALSE;
  space = H5Aget_space (attr);
  if (H5Sget_simple_extent_npoints (space) != 1)
    g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Attribute “%s” is not a single value"), name);
  else if (!is_numeric_type (H5Aget_type (attr)))
    g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Attribute “%s” is not a number"), name);
  else if (H5Aread (attr, mem_type, out) < 0)
    relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot read attribute “%s” as a number"), name);
  else
    ok = TRUE;
  H5Sclose (space);
  H5Aclose (attr);
  return ok;
}

gboolean
relief_h5_read_int_attr (hid_t loc, const char *name, gint64 *out, GError **error)
{
  return read_scalar_attr (loc, name, H5T_NATIVE_INT64, out, error);
}

gboolean
relief_h5_read_uint_attr (hid_t loc, const char *name, guint64 *out, GError **error)
{
  return read_scalar_attr (loc, name, H5T_NATIVE_UINT64, out, error);
}

gboolean
relief_h5_read_double_attr (hid_t loc, const char *name, double *out, GError **error)
{
  return read_scalar_attr (loc, name, H5T_NATIVE_DOUBLE, out, error);
}

gint64 *
relief_h5_read_int_array_attr (hid_t loc, const char *name, gsize *n, GError **error)
{
  hid_t attr, space;
  hssize_t count;
  gint64 *values = NULL;

  attr = open_attr (loc, name, error);
  if (attr < 0)
    return NULL;
  space = H5Aget_space (attr);
  count = H5Sget_simple_extent_npoints (space);
  if (count < 0)
    relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot read attribute “%s”"), name);
  else if (!is_numeric_type (H5Aget_type (attr)))
    g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Attribute “%s” does not hold integers"), name);
  else if ((guint64) count > H5Aget_storage_size (attr))
    g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                 _("Attribute “%s” declares more values than it stores"), name);
  else
    {
      values = g_new0 (gint64, MAX (count, 1));
      if (H5Aread (attr, H5T_NATIVE_INT64, values) < 0)
        {
          relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot read attribute “%s” as integers"), name);
          g_clear_pointer (&values, g_free);
        }
      else
        *n = (gsize) count;
    }
  H5Sclose (space);
  H5Aclose (attr);
  return values;
}

gboolean
relief_h5_write_dataset (hid_t loc, const char *name, hid_t mem_type, hid_t file_type, int rank,
                         const hsize_t *dims, const void *data, GError **error)
{
  hid_t space, dset;
  herr_t status;

  space = H5Screate_simple (rank, dims, NULL);
  dset = H5Dcreate2 (loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Sclose (space);
  if (dset < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create dataset “%s”"), name);
      return FALSE;
    }
  status = H5Dwrite (dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose (dset);
  if (status < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot write dataset “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static hid_t
open_dataset (hid_t loc, const char *name, GError **error)
{
  hid_t dset;

  if (H5Lexists (loc, name, H5P_DEFAULT) <= 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Missing dataset “%s”"), name);
      return H5I_INVALID_HID;
    }
  dset = H5Dopen2 (loc, name, H5P_DEFAULT);
  if (dset < 0)
    relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot open dataset “%s”"), name);
  return dset;
}

/* The most a filter (deflate, the usual one) expands what is stored: zlib's limit is
 * about 1032:1. */
#define MAX_FILTER_RATIO 1032

/* Whether a dataset of count elements, each file_elem bytes in the file and mem_elem in
 * memory, is plausible: what it declares must fit the file (times the filters' expansion
 * when it is compressed) and the memory available, before anything is allocated. */
static gboolean
check_dataset_size (hid_t dset, const char *name, guint64 count, gsize file_elem, gsize mem_elem, GError **error)
{
  hid_t dcpl = H5Dget_create_plist (dset);
  int n_filters = dcpl >= 0 ? H5Pget_nfilters (dcpl) : 0;
  guint64 file_size = file_size_of (dset), file_bytes, mem_bytes, limit;

  if (dcpl >= 0)
    H5Pclose (dcpl);
  limit = n_filters > 0 ? file_size * MAX_FILTER_RATIO : file_size;
  if (!g_uint64_checked_mul (&file_bytes, count, MAX (file_elem, 1)) || file_bytes > limit)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("Dataset “%s” declares %llu values, more than the file of %llu bytes holds"), name,
                   (unsigned long long) count, (unsigned long long) file_size);
      return FALSE;
    }
  if (!g_uint64_checked_mul (&mem_bytes, count, mem_elem) || mem_bytes > G_MAXSIZE ||
      mem_bytes > relief_file_memory_budget ())
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("Dataset “%s” needs %llu bytes, more than the memory available"), name,
                   (unsigned long long) mem_bytes);
      return FALSE;
    }
  return TRUE;
}

gboolean
relief_h5_corrupt (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, message);
  return FALSE;
}

gpointer
relief_h5_read_shaped (hid_t loc, const char *name, hid_t mem_type, gsize elem_size, int want_rank, const hsize_t *want,
                       GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  gpointer data = relief_h5_read_dataset (loc, name, mem_type, elem_size, &rank, dims, error);
  gboolean same = data != NULL && rank == want_rank;

  for (int i = 0; same && i < rank; i++)
    same = dims[i] == want[i];
  if (data != NULL && !same)
    {
      g_autoptr(GString) shape = g_string_new (NULL);

      for (int i = 0; i < want_rank; i++)
        g_string_append_printf (shape, i == 0 ? "%llu" : ", %llu", (unsigned long long) want[i]);
      relief_h5_corrupt (error, _("“%s” is not of shape [%s]"), name, shape->str);
      g_clear_pointer (&data, g_free);
    }
  return data;
}

gpointer
relief_h5_read_dataset (hid_t loc, const char *name, hid_t mem_type, gsize elem_size, int *rank,
                        hsize_t dims[RELIEF_H5_MAX_RANK], GError **error)
{
  hid_t dset, space, file_type;
  int r;
  guint64 count = 1;
  gpointer data = NULL;

  dset = open_dataset (loc, name, error);
  if (dset < 0)
    return NULL;
  space = H5Dget_space (dset);
  file_type = H5Dget_type (dset);
  r = H5Sget_simple_extent_ndims (space);
  if (r < 0 || r > RELIEF_H5_MAX_RANK)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Dataset “%s” has an unsupported rank"), name);
      goto out;
    }
  if (H5Tget_class (file_type) != H5T_INTEGER && H5Tget_class (file_type) != H5T_FLOAT)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Dataset “%s” does not hold numbers"), name);
      goto out;
    }
  H5Sget_simple_extent_dims (space, dims, NULL);
  for (int i = 0; i < r; i++)
    if (!g_uint64_checked_mul (&count, count, dims[i]))
      count = G_MAXUINT64;
  if (!check_dataset_size (dset, name, count, H5Tget_size (file_type), elem_size, error))
    goto out;
  data = g_malloc0 (MAX (count, 1) * elem_size);
  if (count > 0 && H5Dread (dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot read dataset “%s”"), name);
      g_clear_pointer (&data, g_free);
      goto out;
    }
  *rank = r;

out:
  H5Tclose (file_type);
  H5Sclose (space);
  H5Dclose (dset);
  return data;
}

gboolean
relief_h5_write_strings (hid_t loc, const char *name, const char * const *strv, GError **error)
{
  hsize_t dims[1] = { strv != NULL ? g_strv_length ((char **) strv) : 0 };
  g_autofree const char **values = g_new0 (const char *, dims[0] + 1);
  hid_t type = utf8_string_type ();
  gboolean ok;

  for (hsize_t i = 0; i < dims[0]; i++)
    values[i] = strv[i];
  ok = relief_h5_write_dataset (loc, name, type, type, 1, dims, values, error);
  H5Tclose (type);
  return ok;
}

char **
relief_h5_read_strings (hid_t loc, const char *name, GError **error)
{
  hid_t dset, space, file_type, mem_type;
  hssize_t count;
  char **result = NULL;

  dset = open_dataset (loc, name, error);
  if (dset < 0)
    return NULL;
  space = H5Dget_space (dset);
  file_type = H5Dget_type (dset);
  count = H5Sget_simple_extent_npoints (space);
  if (H5Tget_class (file_type) != H5T_STRING || H5Tis_variable_str (file_type) <= 0 || count < 0)
    g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                 _("Dataset “%s” does not hold variable-length strings"), name);
  else if (check_dataset_size (dset, name, count, H5Tget_size (file_type), sizeof (char *), error))
    {
      g_autofree char **values = g_new0 (char *, count + 1);

      mem_type = utf8_string_type ();
      if (count > 0 && H5Dread (dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)
        relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot read dataset “%s”"), name);
      else
        {
          result = g_new0 (char *, count + 1);
          for (hssize_t i = 0; i < count; i++)
            result[i] = g_strdup (values[i] != NULL ? values[i] : "");
          for (hssize_t i = 0; i < count && result != NULL; i++)
            if (!g_utf8_validate (result[i], -1, NULL))
              {
                g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                             _("Dataset “%s” holds a string that is not UTF-8 text"), name);
                g_clear_pointer (&result, g_strfreev);
              }
          if (count > 0)
            H5Dvlen_reclaim (mem_type, space, H5P_DEFAULT, values);
        }
      H5Tclose (mem_type);
    }
  H5Tclose (file_type);
  H5Sclose (space);
  H5Dclose (dset);
  return result;
}

hid_t
relief_h5_create_memory (const char *path, GError **error)
{
  hid_t fapl = H5Pcreate (H5P_FILE_ACCESS);
  hid_t file = H5I_INVALID_HID;

  /* libhdf5 1.10 cannot fail a close safely: when H5Fclose's flush fails (a full disk) it
   * frees the file but keeps its identifier, and its shutdown then crashes on it.  A file
   * in memory cannot fail to flush; its bytes reach the disk through relief-output, whose
   * every write is checked. */
  if (fapl >= 0 && H5Pset_fapl_core (fapl, 1 << 20, FALSE) >= 0)
    file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (fapl >= 0)
    H5Pclose (fapl);
  if (file < 0)
    relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot write “%s”: cannot create an HDF5 file"), path);
  return file;
}

hid_t
relief_h5_open_memory (const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *contents = NULL, *memory_name = NULL, *base = g_path_get_basename (path);
  gsize length = 0;
  hid_t fapl, file = H5I_INVALID_HID;

  if (!g_file_get_contents (path, &contents, &length, &local))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_IO, _("Cannot read “%s”: %s"), path, local->message);
      return H5I_INVALID_HID;
    }
  /* The core driver opens the image it is given (copied) and never the file on disk
   * (no backing store): the output is written again only through relief_h5_write_image.
   * It refuses a name that exists on disk, so the file in memory is named after a folder
   * that is not there. */
  memory_name = g_strdup_printf ("%s.in-memory/%s", path, base);
  fapl = H5Pcreate (H5P_FILE_ACCESS);
  if (fapl >= 0 && H5Pset_fapl_core (fapl, 1 << 20, FALSE) >= 0 && H5Pset_file_image (fapl, contents, length) >= 0)
    file = H5Fopen (memory_name, H5F_ACC_RDWR, fapl);
  if (fapl >= 0)
    H5Pclose (fapl);
  if (file < 0)
    relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot open “%s”"), path);
  return file;
}

gboolean
relief_h5_write_image (hid_t file, const char *path, GError **error)
{
  g_autofree char *image = NULL, *size_text = NULL;
  ssize_t size;

  if (H5Fflush (file, H5F_SCOPE_LOCAL) < 0 || (size = H5Fget_file_image (file, NULL, 0)) < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot write “%s”"), path);
      return FALSE;
    }
  image = g_try_malloc (MAX (size, 1));
  if (image == NULL)
    {
      size_text = g_format_size ((guint64) size);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Cannot write “%s”: not enough memory for its %s"),
                   path, size_text);
      return FALSE;
    }
  if (H5Fget_file_image (file, image, (size_t) size) != size)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot write “%s”"), path);
      return FALSE;
    }
  return relief_output_save (path, image, (gsize) size, error);
}

static gboolean
save_atomic (const char *path, ReliefH5WriteFunc write, gconstpointer data, GError **error)
{
  hid_t file;
  gboolean ok;

  if (!relief_check_destination (path, error))
    return FALSE;
  file = relief_h5_create_memory (path, error);
  if (file < 0)
    return FALSE;
  ok = write (file, data, error) && relief_h5_write_image (file, path, error);
  H5Fclose (file);
  return ok;
}

gboolean
relief_h5_save_atomic (const char *path, ReliefH5WriteFunc write, gconstpointer data, GError **error)
{
  ReliefH5Quiet quiet;
  gboolean ok;

  relief_h5_quiet_begin (&quiet);
  ok = save_atomic (path, write, data, error);
  relief_h5_quiet_end (&quiet);
  return ok;
}

/* "a run, a surface or a sweep": every kind of the registry, for the message about a kind
 * this Relief does not know. */
static char *
describe_kinds (void)
{
  GString *text = g_string_new (NULL);

  for (int k = RELIEF_FILE_KIND_NONE + 1; k < RELIEF_FILE_N_KINDS; k++)
    {
      if (k > RELIEF_FILE_KIND_NONE + 1)
        g_string_append (text, k == RELIEF_FILE_N_KINDS - 1 ? _(" or ") : ", ");
      g_string_append (text, _(relief_file_kind_info (k)->description));
    }
  return g_string_free (text, FALSE);
}

/* A file without Relief attributes is of the first kind whose foreign links it all holds. */
static const ReliefFileKindInfo *
detect_foreign (hid_t file)
{
  for (int k = RELIEF_FILE_KIND_NONE + 1; k < RELIEF_FILE_N_KINDS; k++)
    {
      const ReliefFileKindInfo *info = relief_file_kind_info (k);
      gboolean all = info->foreign_links != NULL;

      for (int i = 0; all && info->foreign_links[i] != NULL; i++)
        all = relief_h5_has_link (file, info->foreign_links[i]);
      if (all)
        return info;
    }
  return NULL;
}

static guint64
read_le (const guint8 *p, int n)
{
  guint64 v = 0;

  for (int i = n - 1; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

/* A global heap collection of the file: where, how large, and which objects it holds. */
typedef struct {
  guint64  offset, size;
  guint8  *live;    /* [65536]: 1 for each object index present */
} GlobalHeap;

static void
global_heap_clear (gpointer data)
{
  g_free (((GlobalHeap *) data)->live);
}

/* Reads the collection at offset of the file (fd) into heaps when it is sound; FALSE when
 * libhdf5 1.10 would choke on it: it walks a collection's objects without end on a
 * free-space object of size 0, and reads past the collection for an object larger than
 * what is left of it. */
static gboolean
global_heap_read (int fd, guint64 offset, guint64 file_size, int sizeof_size, GArray *heaps)
{
  int header = 8 + sizeof_size, obj_header = 8 + sizeof_size;
  g_autofree guint8 *heap = NULL;
  guint8 head[16];
  GlobalHeap found;
  guint64 size, p;

  if (pread (fd, head, header, offset) != header || head[4] != 1)
    return TRUE;   /* not a collection HDF5 would read: the signature was a coincidence */
  size = read_le (head + 8, sizeof_size);
  if (size < (guint64) header || size > file_size - offset)
    return TRUE;   /* libhdf5 refuses it itself */
  heap = g_malloc (size);
  if (pread (fd, heap, size, offset) != (gssize) size)
    return TRUE;
  found.offset = offset;
  found.size = size;
  found.live = g_malloc0 (65536);
  for (p = header; p + obj_header <= size;)
    {
      guint idx = (guint) read_le (heap + p, 2);
      guint64 obj_size = read_le (heap + p + 8, sizeof_size), need;

      if (idx > 0)
        need = obj_header + ((obj_size + 7) & ~(guint64) 7);
      else
        need = obj_size;
      if (need == 0 || need < obj_size || need > size - p)
        {
          g_free (found.live);
          return FALSE;
        }
      found.live[idx] = idx > 0;
      p += need;
    }
  g_array_append_val (heaps, found);
  return TRUE;
}

/* Whether the 16 bytes at rec (a variable-length reference: length, collection address,
 * object index) point at an object the collection lacks, or declare more elements than
 * the collection holds bytes: libhdf5 1.10 indexes its object table with the index
 * unchecked and crashes, and allocates and clears the declared length first (minutes for
 * 2^31).  Bytes are taken for a reference when they hold a collection's address with a
 * nonzero length before it, outside the collections: what the file's other bytes
 * (metadata, its small integers and floats) practically never hold. */
static gboolean
dangling_reference (const guint8 *rec, guint64 rec_offset, GArray *heaps, int sizeof_addr)
{
  guint64 addr = read_le (rec + 4, sizeof_addr);

  for (guint h = 0; h < heaps->len; h++)
    {
      const GlobalHeap *heap = &g_array_index (heaps, GlobalHeap, h);
      guint32 len = (guint32) read_le (rec, 4), idx = (guint32) read_le (rec + 4 + sizeof_addr, 4);

      if (addr != heap->offset)
        continue;
      if (len == 0 || (len > heap->size && (idx > 65535 || !heap->live[idx])))
        return FALSE;
      for (guint other = 0; other < heaps->len; other++)
        {
          const GlobalHeap *inside = &g_array_index (heaps, GlobalHeap, other);

          if (rec_offset >= inside->offset && rec_offset < inside->offset + inside->size)
            return FALSE;
        }
      return len > heap->size || idx > 65535 || !heap->live[idx];
    }
  return FALSE;
}

/* Where the references into the global heaps lie: the file (fd, its size, its addresses')
 * width), the collections found, and whether one read so far is dangling. */
typedef struct {
  int      fd;
  guint64  file_size, base;
  int      sizeof_addr, sizeof_size;
  GArray  *heaps;
  gboolean ok, walked;
} HeapRefs;

/* Checks every 16-byte (or 12-byte) window of the file's bytes [start, start + length)
 * as a reference. */
static void
scan_references (HeapRefs *r, guint64 start, guint64 length)
{
  const gsize block = 1 << 20, overlap = 16;
  gsize rec = 8 + r->sizeof_addr;
  g_autofree guint8 *buf = NULL;
  guint64 end;

  if (start >= r->file_size || length < rec)
    return;
  end = MIN (r->file_size, start + length);
  buf = g_malloc (block + overlap);
  for (guint64 offset = start; r->ok && offset + rec <= end; offset += block)
    {
      gssize n = pread (r->fd, buf, MIN (block + overlap, end - offset), offset);

      for (gsize i = 0; r->ok && n >= (gssize) rec && i <= MIN ((gsize) n - rec, block - 1); i++)
        /* Cheap first: the address must lie within the file. */
        if (buf[i + 4 + r->sizeof_addr - 1] == 0 && read_le (buf + i + 4, r->sizeof_addr) < r->file_size)
          r->ok = !dangling_reference (buf + i, offset + i, r->heaps, r->sizeof_addr);
    }
}

/* Whether a datatype holds variable-length data: a string or sequence of variable length,
 * alone or inside a compound or array. */
static gboolean
type_is_variable (hid_t type)
{
  return type >= 0 && (H5Tis_variable_str (type) > 0 || H5Tdetect_class (type, H5T_VLEN) > 0);
}

/* Checks the references held in the object header at addr (relative to the file's base):
 * the data of its attributes, of a compact dataset and of fill values lie there.  The
 * header's first chunk is checked, and the chunks its continuation messages name (header
 * version 1; a version 2 header's first chunk only). */
static void
scan_object_header (HeapRefs *r, haddr_t addr, hsize_t total, guint nchunks)
{
  guint8 prefix[16];
  guint64 at = r->base + addr;

  if (pread (r->fd, prefix, sizeof prefix, at) != sizeof prefix)
    return;
  if (prefix[0] != 1)
    {
      scan_references (r, at, 16 + total);
      return;
    }
  /* Version 1: a 16-byte prefix, then messages of 8-byte headers (type, size, flags). */
  {
    g_autoptr (GArray) chunks = g_array_new (FALSE, FALSE, sizeof (guint64) * 2);
    guint64 first[2] = { at + 16, read_le (prefix + 8, 4) };

    g_array_append_val (chunks, first);
    for (guint c = 0; r->ok && c < chunks->len && c < MAX (nchunks, 1) + 16; c++)
      {
        guint64 chunk_at = ((guint64 *) chunks->data)[2 * c], chunk_size = ((guint64 *) chunks->data)[2 * c + 1];
        g_autofree guint8 *bytes = NULL;

        if (chunk_at >= r->file_size || chunk_size > r->file_size - chunk_at)
          continue;
        scan_references (r, chunk_at, chunk_size);
        bytes = g_malloc (chunk_size + 1);
        if (pread (r->fd, bytes, chunk_size, chunk_at) != (gssize) chunk_size)
          continue;
        for (guint64 m = 0; m + 8 <= chunk_size;)
          {
            guint type = (guint) read_le (bytes + m, 2);
            guint64 size = read_le (bytes + m + 2, 2);

            if (type == 0x10 && size >= (guint64) (r->sizeof_addr + r->sizeof_size) && m + 8 + size <= chunk_size)
              {
                guint64 next[2] = { r->base + read_le (bytes + m + 8, r->sizeof_addr),
                                    read_le (bytes + m + 8 + r->sizeof_addr, r->sizeof_size) };

                g_array_append_val (chunks, next);
              }
            m += 8 + size;
          }
      }
  }
}

/* Checks the stored elements of a dataset of variable-length data: its contiguous data,
 * or each of its chunks (as stored: a filtered chunk's bytes are checked as they are). */
static void
scan_dataset_data (HeapRefs *r, hid_t dset)
{
  hid_t dcpl = H5Dget_create_plist (dset);
  H5D_layout_t layout = dcpl >= 0 ? H5Pget_layout (dcpl) : H5D_LAYOUT_ERROR;

  if (dcpl >= 0)
    H5Pclose (dcpl);
  if (layout == H5D_CONTIGUOUS)
    {
      haddr_t offset = H5Dget_offset (dset);

      if (offset != HADDR_UNDEF)
        scan_references (r, offset, H5Dget_storage_size (dset));
    }
  else if (layout == H5D_CHUNKED)
    {
      hid_t space = H5Dget_space (dset);
      hsize_t n_chunks = 0;

      if (space >= 0 && H5Dget_num_chunks (dset, space, &n_chunks) >= 0)
        for (hsize_t c = 0; r->ok && c < n_chunks; c++)
          {
            hsize_t coords[H5S_MAX_RANK];
            unsigned filters;
            haddr_t addr;
            hsize_t size;

            if (H5Dget_chunk_info (dset, space, c, coords, &filters, &addr, &size) >= 0 && addr != HADDR_UNDEF)
              scan_references (r, r->base + addr, size);
          }
      if (space >= 0)
        H5Sclose (space);
    }
  H5Eclear2 (H5E_DEFAULT);
}

static herr_t
note_variable_attr (hid_t loc, const char *name, const H5A_info_t *ainfo, void *data)
{
  gboolean *variable = data;
  hid_t attr = H5Aopen (loc, name, H5P_DEFAULT);
  hid_t type = attr >= 0 ? H5Aget_type (attr) : H5I_INVALID_HID;

  (void) ainfo;
  /* One whose type cannot be read is checked as well. */
  *variable = type < 0 || type_is_variable (type);
  if (type >= 0)
    H5Tclose (type);
  if (attr >= 0)
    H5Aclose (attr);
  return *variable ? 1 : 0;
}

static herr_t
check_object (hid_t file, const char *name, const H5O_info_t *info, void *data)
{
  HeapRefs *r = data;
  hid_t obj = H5Oopen (file, name, H5P_DEFAULT);
  gboolean variable = FALSE;
  H5O_info_t hdr;

  if (obj < 0)
    {
      r->walked = FALSE;   /* an object libhdf5 cannot open: every byte is checked instead */
      return 1;
    }
  if (info->num_attrs > 0 && H5Aiterate2 (obj, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, note_variable_attr, &variable) < 0)
    variable = TRUE;
  if (info->type == H5O_TYPE_DATASET)
    {
      hid_t type = H5Dget_type (obj);

      if (type < 0)
        variable = TRUE;
      else if (type_is_variable (type))
        {
          variable = TRUE;
          scan_dataset_data (r, obj);
        }
      if (type >= 0)
        H5Tclose (type);
    }
  if (variable && H5Oget_info2 (obj, &hdr, H5O_INFO_HDR) >= 0)
    scan_object_header (r, info->addr, hdr.hdr.space.total, hdr.hdr.nchunks);
  H5Oclose (obj);
  H5Eclear2 (H5E_DEFAULT);
  return r->ok ? 0 : 1;
}

/* Checks every global heap collection ("GCOL") of the file, and every reference into them,
 * before libhdf5 reads a variable-length string.  A collection is found by its signature
 * anywhere in the file; references only where libhdf5 reads them as such: the stored data
 * of each attribute and dataset of a variable-length type (the other bytes of a large file,
 * a B-tree's addresses and keys, can look like one).  When the objects cannot all be
 * walked, every byte of the file is taken for one. */
static gboolean
check_global_heaps (hid_t file, const char *path, GError **error)
{
  hid_t fcpl = H5Fget_create_plist (file);
  size_t sizeof_addr = 8, sizeof_size = 8;
  hsize_t userblock = 0;
  g_autoptr (GArray) heaps = g_array_new (FALSE, FALSE, sizeof (GlobalHeap));
  g_autofree guint8 *buf = NULL;
  const gsize block = 1 << 20, overlap = 16;
  guint64 file_size, offset;
  HeapRefs r;
  int fd;

  g_array_set_clear_func (heaps, global_heap_clear);
  if (fcpl >= 0)
    {
      H5Pget_sizes (fcpl, &sizeof_addr, &sizeof_size);
      H5Pget_userblock (fcpl, &userblock);
      H5Pclose (fcpl);
    }
  if ((sizeof_size != 2 && sizeof_size != 4 && sizeof_size != 8) || (sizeof_addr != 4 && sizeof_addr != 8))
    return TRUE;
  fd = g_open (path, O_RDONLY, 0);
  if (fd < 0)
    return TRUE;   /* HDF5 has it open: whatever failed here fails it too */
  file_size = (guint64) lseek (fd, 0, SEEK_END);
  r = (HeapRefs) { fd, file_size, userblock, (int) sizeof_addr, (int) sizeof_size, heaps, TRUE, TRUE };
  buf = g_malloc (block + overlap);
  /* Blocks overlap so that no signature or reference falls between two. */
  for (offset = 0; r.ok && offset < file_size; offset += block)
    {
      gssize n = pread (fd, buf, block + overlap, offset);

      if (n < 4)
        break;
      for (const guint8 *hit = memchr (buf, 'G', MIN ((gsize) n, block + 3) - 3); r.ok && hit != NULL;
           hit = memchr (hit + 1, 'G', MIN ((gsize) n, block + 3) - 3 - (hit + 1 - buf)))
        if (memcmp (hit, "GCOL", 4) == 0)
          r.ok = global_heap_read (fd, offset + (hit - buf), file_size, (int) sizeof_size, heaps);
    }
  if (r.ok && heaps->len > 0)
    {
      if (H5Ovisit2 (file, H5_INDEX_NAME, H5_ITER_NATIVE, check_object, &r, H5O_INFO_BASIC | H5O_INFO_NUM_ATTRS) < 0)
        r.walked = FALSE;
      H5Eclear2 (H5E_DEFAULT);
      if (r.ok && !r.walked)
        scan_references (&r, 0, file_size);
    }
  g_close (fd, NULL);
  if (!r.ok)
    g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                 _("“%s” is damaged: a heap of its strings, or a reference into one, is corrupt"), path);
  return r.ok;
}

hid_t
relief_h5_open_kind (const char *path, ReliefFileKind *kind, GError **error)
{
  const ReliefFileKindInfo *info;
  hid_t file;
  gint64 version = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_IO, _("No file “%s”"), path);
      return H5I_INVALID_HID;
    }
  if (H5Fis_hdf5 (path) <= 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_NOT_HDF5, _("“%s” is not an HDF5 file"), path);
      return H5I_INVALID_HID;
    }
  file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0)
    {
      /* It exists and has an HDF5 signature: what fails now is its content. */
      relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot open “%s”"), path);
      return H5I_INVALID_HID;
    }
  if (!check_global_heaps (file, path, error))
    goto fail;

  if (relief_h5_has_attr (file, "relief_format"))
    {
      g_autofree char *format = relief_h5_read_string_attr (file, "relief_format", error);

      if (format == NULL)
        {
          g_prefix_error (error, _("%s: "), path);
          goto fail;
        }
      info = relief_file_kind_lookup (format);
      if (info == NULL)
        {
          g_autofree char *known = describe_kinds ();

          g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND,
                       _("“%s” is a Relief file of an unknown kind “%s”, not %s"), path, format, known);
          goto fail;
        }
      if (!relief_h5_read_int_attr (file, "relief_format_version", &version, error))
        {
          g_prefix_error (error, _("%s: "), path);
          goto fail;
        }
      if (version > info->max_version)
        {
          g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_VERSION,
                       _("“%s” uses %s format version %lld; this Relief reads up to %d"), path, info->name,
                       (long long) version, info->max_version);
          goto fail;
        }
    }
  else if ((info = detect_foreign (file)) == NULL)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND,
                   _("“%s” is an HDF5 file but neither a Relief file nor a loss-landscape surface"), path);
      goto fail;
    }
  *kind = info->kind;
  return file;

fail:
  H5Fclose (file);
  return H5I_INVALID_HID;
}

/* "[0, 1]", "(0, inf)": how messages write a range. */
static char *
range_text (double min, gboolean min_open, double max, gboolean max_open)
{
  return g_strdup_printf ("%s%g, %g%s", min_open ? "(" : "[", min, max, max_open ? ")" : "]");
}

gboolean
relief_h5_check_setting (const char *name, double value, double min, gboolean min_open, double max,
                         gboolean max_open, GError **error)
{
  g_autofree char *range = NULL;

  if ((min_open ? value > min : value >= min) && (max_open ? value < max : value <= max))
    return TRUE;
  range = range_text (min, min_open, max, max_open);
  g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("“%s” is %g, outside %s"), name, value,
               range);
  return FALSE;
}

gboolean
relief_h5_check_values (const char *name, const double *values, gsize n, double min, double max, gboolean nan_ok,
                        GError **error)
{
  for (gsize i = 0; i < n; i++)
    if (!(values[i] >= min && values[i] <= max) && !(nan_ok && isnan (values[i])))
      {
        g_autofree char *range = range_text (min, FALSE, max, FALSE);

        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("“%s” holds %g (value %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT "), outside %s"), name,
                     values[i], i + 1, n, range);
        return FALSE;
      }
  return TRUE;
}

gboolean
relief_h5_check_finite (const char *name, const float *values, gsize n, GError **error)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (values[i]))
      {
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("“%s” holds %g (value %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT "), not a finite number"),
                     name, values[i], i + 1, n);
        return FALSE;
      }
  return TRUE;
}

gboolean
relief_h5_check_ascending (const char *name, const double *values, gsize n, GError **error)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (values[i]) || (i > 0 && !(values[i] > values[i - 1])))
      {
        if (isfinite (values[i]))
          g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                       _("“%s” is not ascending: %g follows %g (value %" G_GSIZE_FORMAT ")"), name, values[i],
                       values[i - 1], i + 1);
        else
          g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                       _("“%s” holds %g (value %" G_GSIZE_FORMAT "), not a finite coordinate"), name, values[i],
                       i + 1);
        return FALSE;
      }
  return TRUE;
}

hid_t
relief_h5_open_group (hid_t file, const char *name, GError **error)
{
  hid_t group;

  if (!relief_h5_has_link (file, name))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Missing group “%s”"), name);
      return H5I_INVALID_HID;
    }
  group = H5Gopen2 (file, name, H5P_DEFAULT);
  if (group < 0)
    relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot open group “%s”"), name);
  return group;
}

gboolean
relief_h5_write_model (hid_t file, const ReliefMlpSpec *spec, GError **error)
{
  g_autofree gint64 *sizes = g_new (gint64, spec->n_layers + 1);
  hid_t group = H5Gcreate2 (file, "model", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  gboolean ok;

  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create group “model”"));
      return FALSE;
    }
  for (int i = 0; i <= spec->n_layers; i++)
    sizes[i] = spec->sizes[i];
  ok = relief_h5_write_string_attr (group, "kind", "mlp", error) &&
       relief_h5_write_int_array_attr (group, "layer_sizes", sizes, spec->n_layers + 1, error) &&
       relief_h5_write_string_attr (group, "activation",
                                    relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, spec->activation), error) &&
       relief_h5_write_string_attr (group, "loss", relief_enum_to_nick (RELIEF_TYPE_LOSS, spec->loss), error) &&
       relief_h5_write_int_attr (group, "n_params", (gint64) relief_mlp_spec_n_params (spec), error);
  H5Gclose (group);
  return ok;
}

ReliefMlpSpec *
relief_h5_read_model (hid_t file, GError **error)
{
  g_autofree gint64 *sizes64 = NULL;
  g_autofree int *sizes = NULL;
  g_autofree char *kind = NULL, *activation = NULL, *loss = NULL;
  ReliefActivation act;
  ReliefLoss loss_kind;
  gsize n = 0, n_params;
  hid_t group;

  group = relief_h5_open_group (file, "model", error);
  if (group < 0)
    return NULL;
  kind = relief_h5_read_string_attr (group, "kind", error);
  if (kind != NULL)
    sizes64 = relief_h5_read_int_array_attr (group, "layer_sizes", &n, error);
  if (sizes64 != NULL)
    activation = relief_h5_read_string_attr (group, "activation", error);
  if (activation != NULL)
    loss = relief_h5_read_string_attr (group, "loss", error);
  H5Gclose (group);
  if (loss == NULL)
    return NULL;

  if (strcmp (kind, "mlp") != 0 || n < 2)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Unsupported model “%s” with %llu layer sizes"),
                   kind, (unsigned long long) n);
      return NULL;
    }
  sizes = g_new (int, n);
  for (gsize i = 0; i < n; i++)
    {
      if (sizes64[i] < 1 || sizes64[i] > G_MAXINT)
        {
          g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Bad layer size %lld"),
                       (long long) sizes64[i]);
          return NULL;
        }
      sizes[i] = (int) sizes64[i];
    }
  if (n > G_MAXINT || !relief_mlp_count_params (sizes, (int) n, &n_params))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("The model's layer sizes make more parameters than this machine can address"));
      return NULL;
    }
  if (!relief_enum_from_nick (RELIEF_TYPE_ACTIVATION, activation, (int *) &act, error) ||
      !relief_enum_from_nick (RELIEF_TYPE_LOSS, loss, (int *) &loss_kind, error))
    return NULL;
  return relief_mlp_spec_new (sizes, (int) n, act, loss_kind);
}

/* relief-loaders.c: IDX (MNIST layout) and CSV data sets, and the dispatch between them
 * and the generators. */
#include "relief-loaders.h"
#include <glib/gi18n-lib.h>
#include "relief-rng.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <zlib.h>

#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_MAX_CLASSES 10
#define CSV_MAX_CLASSES 1000

char *
relief_file_sha256 (const char *path, GError **error)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buf = g_malloc (1 << 16);
  FILE *f = g_fopen (path, "rb");
  size_t n;
  gboolean failed;

  if (f == NULL)
    {
      int saved = errno;
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND, _("Cannot open “%s”: %s"), path,
                   g_strerror (saved));
      return NULL;
    }
  while ((n = fread (buf, 1, 1 << 16, f)) > 0)
    g_checksum_update (checksum, buf, n);
  failed = ferror (f) != 0;
  fclose (f);
  if (failed)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_TRUNCATED, _("Cannot read “%s”"), path);
      return NULL;
    }
  return g_strdup (g_checksum_get_string (checksum));
}

/* Fills the dataset's source lists with the files read and their checksums. */
static gboolean
record_sources (ReliefDataset *ds, GPtrArray *paths, GError **error)
{
  guint n = paths->len;

  ds->source_paths = g_new0 (char *, n + 1);
  ds->source_sha256 = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      ds->source_paths[i] = g_strdup (g_ptr_array_index (paths, i));
      ds->source_sha256[i] = relief_file_sha256 (ds->source_paths[i], error);
      if (ds->source_sha256[i] == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Scalar mean and std over the training features, applied to both splits; a constant
 * input keeps std 1 rather than dividing by zero. */
static void
standardize (ReliefDataset *ds)
{
  gsize n_train = (gsize) ds->n_train * ds->n_features;
  gsize n_test = (gsize) ds->n_test * ds->n_features;
  double sum = 0.0, sum_sq = 0.0, mean, var, std;

  for (gsize i = 0; i < n_train; i++)
    sum += ds->x_train[i];
  mean = n_train > 0 ? sum / n_train : 0.0;
  for (gsize i = 0; i < n_train; i++)
    sum_sq += (ds->x_train[i] - mean) * (ds->x_train[i] - mean);
  var = n_train > 0 ? sum_sq / n_train : 0.0;
  std = var > 1e-24 ? sqrt (var) : 1.0;

  for (gsize i = 0; i < n_train; i++)
    ds->x_train[i] = (float) ((ds->x_train[i] - mean) / std);
  for (gsize i = 0; i < n_test; i++)
    ds->x_test[i] = (float) ((ds->x_test[i] - mean) / std);
  ds->mean = mean;
  ds->std = std;
}

/* ---- IDX ---- */

/* The whole file, decompressed when it is gzip: zlib reads plain files unchanged, so the
 * gzip magic decides, whatever the name says. */
static GBytes *
read_maybe_gzip (const char *path, GError **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  guint8 buf[1 << 16];
  gzFile gz = gzopen (path, "rb");
  int n, errnum = Z_OK;
  const char *message = NULL;

  if (gz == NULL)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND, _("Cannot open “%s”"), path);
      return NULL;
    }
  while ((n = gzread (gz, buf, sizeof buf)) > 0)
    g_byte_array_append (bytes, buf, n);
  if (n < 0)
    {
      message = gzerror (gz, &errnum);
      /* Z_BUF_ERROR is zlib's "unexpected end of file": a cut-off download. */
      g_set_error (error, RELIEF_DATA_ERROR,
                   errnum == Z_BUF_ERROR ? RELIEF_DATA_ERROR_TRUNCATED : RELIEF_DATA_ERROR_BAD_FORMAT,
                   _("Cannot read “%s”: %s"), path, message);
      gzclose (gz);
      return NULL;
    }
  gzclose (gz);
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

typedef struct {
  GBytes       *bytes;
  const guint8 *items;
  guint32       count;
  gsize         item_size;  /* rows * cols for images, 1 for labels */
} IdxFile;

static void
idx_file_clear (IdxFile *idx)
{
  g_clear_pointer (&idx->bytes, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (IdxFile, idx_file_clear)

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gboolean
idx_parse (const char *path, guint32 magic, IdxFile *idx, GError **error)
{
  gsize len;
  const guint8 *data;
  guint32 found, n_dims;
  gsize header;
  guint64 item_size = 1;

  idx->bytes = read_maybe_gzip (path, error);
  if (idx->bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (idx->bytes, &len);
  if (len < 4)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_TRUNCATED, _("“%s” ends before its IDX header"), path);
      return FALSE;
    }
  found = read_be32 (data);
  if (found != magic)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                   _("“%s” is not an IDX %s file (magic 0x%08x, expected 0x%08x)"), path,
                   magic == IDX_IMAGES_MAGIC ? "image" : "label", found, magic);
      return FALSE;
    }
  n_dims = magic & 0xff;
  header = 4 + 4 * (gsize) n_dims;
  if (len < header)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_TRUNCATED, _("“%s” ends inside its IDX header"), path);
      return FALSE;
    }
  idx->count = read_be32 (data + 4);
  for (guint32 d = 1; d < n_dims; d++)
    item_size *= read_be32 (data + 4 + 4 * d);
  if (idx->count > G_MAXINT || item_size == 0 || item_size > G_MAXINT)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT, _("“%s” has implausible dimensions"), path);
      return FALSE;
    }
  if ((guint64) idx->count * item_size > len - header)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_TRUNCATED,
                   _("“%s” is truncated: %u items of %llu bytes need %llu bytes, found %llu"),
                   path, idx->count, (unsigned long long) item_size,
                   (unsigned long long) idx->count * item_size, (unsigned long long) (len - header));
      return FALSE;
    }
  idx->items = data + header;
  idx->item_size = item_size;
  return TRUE;
}

/* dir/base, else dir/base.gz, else NULL. */
static char *
find_idx_file (const char *dir, const char *base)
{
  g_autofree char *plain = g_build_filename (dir, base, NULL);
  g_autofree char *gz = g_strconcat (plain, ".gz", NULL);

  if (g_file_test (plain, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&plain);
  if (g_file_test (gz, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&gz);
  return NULL;
}

/* Loads one images/labels pair; count <= 0 keeps all. */
static gboolean
idx_load_pair (const char *images_path, const char *labels_path, IdxFile *images, IdxFile *labels, GError **error)
{
  if (!idx_parse (images_path, IDX_IMAGES_MAGIC, images, error) ||
      !idx_parse (labels_path, IDX_LABELS_MAGIC, labels, error))
    return FALSE;
  if (images->count != labels->count)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_MISMATCH, _("“%s” holds %u images but “%s” %u labels"),
                   images_path, images->count, labels_path, labels->count);
      return FALSE;
    }
  return TRUE;
}

static gboolean
idx_copy (const IdxFile *images, const IdxFile *labels, const char *labels_path, int n, float *x, int32_t *y,
          int *max_label, GError **error)
{
  for (gsize i = 0; i < (gsize) n * images->item_size; i++)
    x[i] = images->items[i] / 255.0f;
  for (int i = 0; i < n; i++)
    {
      if (labels->items[i] >= IDX_MAX_CLASSES)
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                       _("“%s”: label %u of item %d is not a digit 0-9"), labels_path, labels->items[i], i);
          return FALSE;
        }
      y[i] = labels->items[i];
      *max_label = MAX (*max_label, y[i]);
    }
  return TRUE;
}

ReliefDataset *
relief_dataset_load_idx_dir (const char *dir, int max_train, int max_test, GError **error)
{
  g_autofree char *train_images_path = NULL, *train_labels_path = NULL;
  g_autofree char *test_images_path = NULL, *test_labels_path = NULL;
  g_auto (IdxFile) train_images = { 0 }, train_labels = { 0 }, test_images = { 0 }, test_labels = { 0 };
  g_autoptr (GPtrArray) paths = g_ptr_array_new ();
  g_autoptr (ReliefDataset) ds = NULL;
  g_autofree char *name = NULL;
  gboolean has_test;
  int n_train, n_test = 0, max_label = 0;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND, _("No directory “%s”"), dir);
      return NULL;
    }
  train_images_path = find_idx_file (dir, "train-images-idx3-ubyte");
  train_labels_path = find_idx_file (dir, "train-labels-idx1-ubyte");
  if (train_images_path == NULL || train_labels_path == NULL)
    {
      g_autofree char *missing = g_build_filename (dir, train_images_path == NULL ? "train-images-idx3-ubyte"
                                                                                  : "train-labels-idx1-ubyte", NULL);
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND, _("Missing “%s” (or “%s.gz”)"), missing,
                   missing);
      return NULL;
    }
  if (!idx_load_pair (train_images_path, train_labels_path, &train_images, &train_labels, error))
    return NULL;
  g_ptr_array_add (paths, train_images_path);
  g_ptr_array_add (paths, train_labels_path);

  test_images_path = find_idx_file (dir, "t10k-images-idx3-ubyte");
  test_labels_path = find_idx_file (dir, "t10k-labels-idx1-ubyte");
  has_test = test_images_path != NULL || test_labels_path != NULL;
  if (has_test)
    {
      if (test_images_path == NULL || test_labels_path == NULL)
        {
          g_autofree char *missing = g_build_filename (dir, test_images_path == NULL ? "t10k-images-idx3-ubyte"
                                                                                     : "t10k-labels-idx1-ubyte", NULL);
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND,
                       _("Missing “%s” (or “%s.gz”) beside the other test file"), missing, missing);
          return NULL;
        }
      if (!idx_load_pair (test_images_path, test_labels_path, &test_images, &test_labels, error))
        return NULL;
      if (test_images.item_size != train_images.item_size)
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_MISMATCH,
                       _("Test images have %llu pixels, training images %llu"),
                       (unsigned long long) test_images.item_size, (unsigned long long) train_images.item_size);
          return NULL;
        }
      g_ptr_array_add (paths, test_images_path);
      g_ptr_array_add (paths, test_labels_path);
      n_test = max_test > 0 ? MIN ((int) test_images.count, max_test) : (int) test_images.count;
    }
  n_train = max_train > 0 ? MIN ((int) train_images.count, max_train) : (int) train_images.count;
  if (n_train < 1)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID, _("“%s” holds no images"), train_images_path);
      return NULL;
    }

  name = g_path_get_basename (dir);
  ds = relief_dataset_new (name, (int) train_images.item_size, 1, n_train, n_test);
  if (!idx_copy (&train_images, &train_labels, train_labels_path, n_train, ds->x_train, ds->y_train, &max_label,
                 error))
    return NULL;
  if (n_test > 0 &&
      !idx_copy (&test_images, &test_labels, test_labels_path, n_test, ds->x_test, ds->y_test, &max_label, error))
    return NULL;
  ds->n_classes = max_label + 1;
  ds->generated = FALSE;
  standardize (ds);
  if (!record_sources (ds, paths, error))
    return NULL;
  return g_steal_pointer (&ds);
}

/* ---- CSV ---- */

static char *
unquote (char *cell)
{
  gsize len;

  g_strstrip (cell);
  len = strlen (cell);
  if (len >= 2 && cell[0] == '"' && cell[len - 1] == '"')
    {
      cell[len - 1] = '\0';
      return cell + 1;
    }
  return cell;
}

static gboolean
parse_number (const char *cell, double *out)
{
  char *end = NULL;

  if (*cell == '\0')
    return FALSE;
  *out = g_ascii_strtod (cell, &end);
  return end != cell && *end == '\0' && isfinite (*out);
}

ReliefDataset *
relief_dataset_load_csv (const char *path, const char *label_column, double test_fraction, guint64 seed,
                         GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) header = NULL;
  g_autoptr (GArray) x = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) y = g_array_new (FALSE, FALSE, sizeof (int32_t));
  g_autoptr (GPtrArray) paths = g_ptr_array_new ();
  g_autofree int *perm = NULL;
  g_autoptr (ReliefDataset) ds = NULL;
  g_autofree char *name = NULL;
  int n_columns, label_index = -1, n_features, n_rows, n_test, max_label = 0, header_line = 0;

  if (!(test_fraction >= 0.0 && test_fraction <= 0.9))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("The test fraction must be between 0 and 0.9, not %g"), test_fraction);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, RELIEF_DATA_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? RELIEF_DATA_ERROR_NOT_FOUND
                                                                                   : RELIEF_DATA_ERROR_BAD_FORMAT,
                   _("%s"), local_error->message);
      return NULL;
    }
  lines = g_strsplit (contents, "\n", -1);

  /* The header is the first non-blank line. */
  while (lines[header_line] != NULL && g_strstrip (lines[header_line])[0] == '\0')
    header_line++;
  if (lines[header_line] == NULL)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT, _("%s: empty file, expected a header row"),
                   path);
      return NULL;
    }
  header = g_strsplit (lines[header_line], ",", -1);
  n_columns = g_strv_length (header);
  for (int c = 0; c < n_columns; c++)
    {
      const char *column = unquote (header[c]);

      if ((label_column != NULL && strcmp (column, label_column) == 0) ||
          (label_column == NULL && strcmp (column, "label") == 0))
        label_index = c;
    }
  if (label_column != NULL && label_index < 0)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND, _("%s: no column named “%s” in the header"),
                   path, label_column);
      return NULL;
    }
  if (label_index < 0)
    label_index = n_columns - 1;
  n_features = n_columns - 1;
  if (n_features < 1)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                   _("%s:%d: the header needs a label column and at least one feature column"), path, header_line + 1);
      return NULL;
    }

  for (int l = header_line + 1; lines[l] != NULL; l++)
    {
      g_auto (GStrv) cells = NULL;
      int n_cells;

      if (g_strstrip (lines[l])[0] == '\0')
        continue;
      cells = g_strsplit (lines[l], ",", -1);
      n_cells = g_strv_length (cells);
      if (n_cells != n_columns)
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                       _("%s:%d: expected %d columns as in the header, found %d"), path, l + 1, n_columns, n_cells);
          return NULL;
        }
      for (int c = 0; c < n_cells; c++)
        {
          const char *cell = unquote (cells[c]);
          double value;

          if (!parse_number (cell, &value))
            {
              g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                           _("%s:%d:%d: “%s” is not a number"), path, l + 1, c + 1, cell);
              return NULL;
            }
          if (c == label_index)
            {
              int32_t label = (int32_t) value;

              if (value != floor (value) || value < 0 || value >= CSV_MAX_CLASSES)
                {
                  g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                               _("%s:%d:%d: label “%s” is not a class index 0..%d"), path, l + 1, c + 1, cell,
                               CSV_MAX_CLASSES - 1);
                  return NULL;
                }
              g_array_append_val (y, label);
              max_label = MAX (max_label, label);
            }
          else
            {
              float f = (float) value;
              g_array_append_val (x, f);
            }
        }
    }
  n_rows = y->len;
  if (n_rows < 1)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT, _("%s: no data rows after the header"), path);
      return NULL;
    }

  n_test = MIN ((int) floor (n_rows * test_fraction + 0.5), n_rows - 1);
  perm = g_new (int, n_rows);
  relief_rng_permutation (relief_rng_derive (seed, "split"), 0, perm, n_rows);
  name = g_path_get_basename (path);
  ds = relief_dataset_new (name, n_features, max_label + 1, n_rows - n_test, n_test);
  for (int i = 0; i < n_rows; i++)
    {
      int src = perm[i];
      float *dst_x = i < n_test ? ds->x_test + (gsize) i * n_features : ds->x_train + (gsize) (i - n_test) * n_features;

      memcpy (dst_x, &g_array_index (x, float, (gsize) src * n_features), n_features * sizeof (float));
      if (i < n_test)
        ds->y_test[i] = g_array_index (y, int32_t, src);
      else
        ds->y_train[i - n_test] = g_array_index (y, int32_t, src);
    }
  ds->generated = FALSE;
  standardize (ds);
  g_ptr_array_add (paths, (gpointer) path);
  if (!record_sources (ds, paths, error))
    return NULL;
  return g_steal_pointer (&ds);
}

/* ---- dispatch ---- */

static const char * const installed_names[] = { "mnist", "fashion-mnist", NULL };

const char * const *
relief_dataset_installed_names (void)
{
  return installed_names;
}

char *
relief_dataset_find_installed (const char *name)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  const char * const *system_dirs = g_get_system_data_dirs ();

  if (g_getenv ("RELIEF_DATA_DIR"))
    g_ptr_array_add (dirs, g_build_filename (g_getenv ("RELIEF_DATA_DIR"), name, NULL));
  g_ptr_array_add (dirs, g_build_filename (g_get_user_data_dir (), "relief", "datasets", name, NULL));
  for (int i = 0; system_dirs[i] != NULL; i++)
    g_ptr_array_add (dirs, g_build_filename (system_dirs[i], "datasets", name, NULL));

  for (guint i = 0; i < dirs->len; i++)
    if (g_file_test (dirs->pdata[i], G_FILE_TEST_IS_DIR))
      return g_strdup (dirs->pdata[i]);
  return NULL;
}

ReliefDataset *
relief_dataset_open (const char *spec, const ReliefGeneratorParams *params, GError **error)
{
  return relief_dataset_open_first (spec, params, 0, error);
}

ReliefDataset *
relief_dataset_open_first (const char *spec, const ReliefGeneratorParams *params, int max_samples, GError **error)
{
  g_autofree char *valid = NULL;

  if (relief_generator_exists (spec))
    {
      ReliefGeneratorParams defaults;
      ReliefDataset *ds;

      if (params == NULL)
        {
          relief_generator_defaults (spec, &defaults);
          params = &defaults;
        }
      ds = relief_dataset_generate (spec, params, error);
      /* Generated samples are stored with the run: cutting them here is what reloads. */
      if (ds && max_samples > 0)
        {
          ds->n_train = MIN (ds->n_train, max_samples);
          ds->n_test = MIN (ds->n_test, max_samples);
        }
      return ds;
    }
  if (g_file_test (spec, G_FILE_TEST_IS_DIR))
    return relief_dataset_load_idx_dir (spec, max_samples, max_samples, error);
  if (g_strv_contains (installed_names, spec))
    {
      g_autofree char *dir = relief_dataset_find_installed (spec);
      ReliefDataset *ds;

      if (dir == NULL)
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND,
                       _("The data set “%s” is not installed; install it with "
                         "RELIEF_DATASETS=%s build-aux/relief-setup.sh deps"), spec, spec);
          return NULL;
        }
      ds = relief_dataset_load_idx_dir (dir, max_samples, max_samples, error);
      if (ds)
        {
          g_free (ds->name);
          ds->name = g_strdup (spec);
        }
      return ds;
    }
  if ((g_str_has_suffix (spec, ".csv") || g_str_has_suffix (spec, ".CSV")) && max_samples > 0)
    {
      /* A run reloads a CSV file whole and splits it again: a cut split would not reload. */
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("Only the first samples of a generated or IDX data set can be kept, not of “%s”: "
                     "keep the first rows of the file instead"), spec);
      return NULL;
    }
  if (g_str_has_suffix (spec, ".csv") || g_str_has_suffix (spec, ".CSV"))
    return relief_dataset_load_csv (spec, NULL, params != NULL ? params->test_fraction : 0.2,
                                    params != NULL ? params->seed : 0, error);

  valid = g_strjoinv (", ", (char **) relief_generator_names ());
  g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND,
               _("No generator, directory or CSV file named “%s” (generators: %s)"), spec, valid);
  return NULL;
}

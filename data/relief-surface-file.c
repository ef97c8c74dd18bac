/* relief-surface-file.c: loss surfaces in the loss-landscape layout (docs/file-formats.md). */
#include "relief-surface-file.h"
#include "relief-h5.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

ReliefSurface *
relief_surface_new (int nx, int ny)
{
  ReliefSurface *s;
  gsize cells;

  g_return_val_if_fail (nx >= 1 && ny >= 1, NULL);

  s = g_new0 (ReliefSurface, 1);
  cells = (gsize) nx * ny;
  s->nx = nx;
  s->ny = ny;
  s->xcoords = g_new0 (double, nx);
  s->ycoords = ny > 1 ? g_new0 (double, ny) : NULL;
  s->train_loss = g_new (double, cells);
  s->train_acc = g_new (double, cells);
  for (gsize i = 0; i < cells; i++)
    s->train_loss[i] = s->train_acc[i] = NAN;
  s->checkpoint = -1;
  s->to_checkpoint = -1;
  s->max_samples = -1;
  s->x_eigenvalue = s->y_eigenvalue = NAN;
  s->explained_variance_ratio[0] = s->explained_variance_ratio[1] = NAN;
  return s;
}

void
relief_surface_free (ReliefSurface *s)
{
  if (s == NULL)
    return;
  g_free (s->xcoords);
  g_free (s->ycoords);
  g_free (s->train_loss);
  g_free (s->train_acc);
  g_free (s->test_loss);
  g_free (s->test_acc);
  g_free (s->run_file);
  g_free (s->normalization);
  g_free (s->direction_kind);
  g_free (s->bias_mode);
  g_free (s->proj_xcoord);
  g_free (s->proj_ycoord);
  g_clear_pointer (&s->spec, relief_mlp_spec_free);
  g_free (s->xdir);
  g_free (s->ydir);
  g_free (s);
}

/* ---- saving ---- */

/* One float32 dataset per parameter tensor, in its own shape; without a spec the whole
 * direction as a single flat dataset "0". */
static gboolean
write_direction (hid_t file, const char *group_name, const ReliefMlpSpec *spec, const float *dir, gsize n_params,
                 GError **error)
{
  hid_t group = H5Gcreate2 (file, group_name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int n_tensors = spec != NULL ? relief_mlp_spec_n_tensors (spec) : 1;
  gboolean ok = TRUE;

  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create group “%s”"), group_name);
      return FALSE;
    }
  for (int t = 0; ok && t < n_tensors; t++)
    {
      char name[16];
      hsize_t dims[2] = { n_params, 0 };
      gsize shape[2], offset = 0;
      int rank = 1;

      if (spec != NULL)
        {
          relief_mlp_spec_tensor_shape (spec, t, &rank, shape, &offset);
          dims[0] = shape[0];
          dims[1] = shape[1];
        }
      g_snprintf (name, sizeof name, "%d", t);
      ok = relief_h5_write_dataset (group, name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, rank, dims, dir + offset, error);
    }
  H5Gclose (group);
  return ok;
}

static gboolean
write_surface (hid_t file, gconstpointer data, GError **error)
{
  const ReliefSurface *s = data;
  gboolean two_d = s->ycoords != NULL;
  hsize_t grid[2] = { two_d ? s->ny : s->nx, s->nx };
  int rank = two_d ? 2 : 1;
  hsize_t nx[1] = { s->nx }, ny[1] = { s->ny };
  gboolean ok;

  ok = relief_h5_write_string_attr (file, "relief_format", relief_file_kind_name (RELIEF_FILE_KIND_SURFACE), error) &&
       relief_h5_write_int_attr (file, "relief_format_version", RELIEF_SURFACE_FORMAT_VERSION, error) &&
       relief_h5_write_string_attr (file, "run_file", s->run_file, error) &&
       relief_h5_write_int_attr (file, "checkpoint", s->checkpoint, error) &&
       relief_h5_write_string_attr (file, "normalization", s->normalization, error) &&
       relief_h5_write_string_attr (file, "direction_kind", s->direction_kind, error) &&
       relief_h5_write_uint_attr (file, "seed", s->seed, error) &&
       relief_h5_write_dataset (file, "xcoordinates", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, nx, s->xcoords, error) &&
       (!two_d ||
        relief_h5_write_dataset (file, "ycoordinates", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, ny, s->ycoords, error)) &&
       relief_h5_write_dataset (file, "train_loss", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, rank, grid, s->train_loss,
                                error) &&
       relief_h5_write_dataset (file, "train_acc", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, rank, grid, s->train_acc, error);
  if (ok && s->test_loss != NULL)
    ok = relief_h5_write_dataset (file, "test_loss", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, rank, grid, s->test_loss,
                                  error);
  if (ok && s->test_acc != NULL)
    ok = relief_h5_write_dataset (file, "test_acc", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, rank, grid, s->test_acc,
                                  error);
  if (ok && s->bias_mode != NULL)
    ok = relief_h5_write_string_attr (file, "bias", s->bias_mode, error);
  if (ok && s->to_checkpoint >= 0)
    ok = relief_h5_write_int_attr (file, "to_checkpoint", s->to_checkpoint, error);
  if (ok && s->max_samples >= 0)
    ok = relief_h5_write_int_attr (file, "max_samples", s->max_samples, error);
  if (ok && isfinite (s->x_eigenvalue))
    ok = relief_h5_write_double_attr (file, "x_eigenvalue", s->x_eigenvalue, error);
  if (ok && isfinite (s->y_eigenvalue))
    ok = relief_h5_write_double_attr (file, "y_eigenvalue", s->y_eigenvalue, error);
  if (ok && !isnan (s->explained_variance_ratio[0]))
    {
      hsize_t two[1] = { 2 };

      ok = relief_h5_write_dataset (file, "explained_variance_ratio", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, two,
                                    s->explained_variance_ratio, error);
    }
  if (ok && s->n_proj > 0)
    {
      hsize_t t[1] = { s->n_proj };

      ok = relief_h5_write_dataset (file, "proj_xcoord", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, t, s->proj_xcoord,
                                    error) &&
           relief_h5_write_dataset (file, "proj_ycoord", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, t, s->proj_ycoord,
                                    error);
    }
  if (ok && s->spec != NULL)
    ok = relief_h5_write_model (file, s->spec, error);
  if (ok && s->xdir != NULL)
    ok = write_direction (file, "xdirection", s->spec, s->xdir, s->n_params, error);
  if (ok && s->ydir != NULL)
    ok = write_direction (file, "ydirection", s->spec, s->ydir, s->n_params, error);
  return ok;
}

gboolean
relief_surface_save (const ReliefSurface *s, const char *path, GError **error)
{
  if (s->nx < 1 || s->ny < 1 || (s->ycoords == NULL && s->ny != 1))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("A %d × %d surface needs y coordinates (only a single row may go without)"), s->ny, s->nx);
      return FALSE;
    }
  if (s->spec != NULL && (s->xdir != NULL || s->ydir != NULL) && relief_mlp_spec_n_params (s->spec) != s->n_params)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("The directions hold %llu values but the model has %llu parameters"),
                   (unsigned long long) s->n_params, (unsigned long long) relief_mlp_spec_n_params (s->spec));
      return FALSE;
    }
  return relief_h5_save_atomic (path, write_surface, s, error);
}

/* ---- loading ---- */

/* nx * ny NaNs: "not computed", once a grid of that size has been read from the file. */
static double *
nan_grid (int nx, int ny)
{
  gsize cells = (gsize) nx * ny;
  double *grid = g_new (double, cells);

  for (gsize i = 0; i < cells; i++)
    grid[i] = NAN;
  return grid;
}

/* A grid of nx * ny values: [ny, nx], or [nx] for 1D.  loss-landscape sometimes declares
 * its 2D arrays [nx, ny] but fills them y-major, so any shape of the right size is read
 * as y-major. */
static double *
read_grid (hid_t file, const char *name, int nx, int ny, GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  gsize count = 1;
  double *data = relief_h5_read_dataset (file, name, H5T_NATIVE_DOUBLE, sizeof (double), &rank, dims, error);

  if (data == NULL)
    return NULL;
  for (int i = 0; i < rank; i++)
    count *= dims[i];
  if (rank < 1 || rank > 2 || count != (gsize) nx * ny)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("“%s” does not hold %d × %d values"), name, ny, nx);
      g_free (data);
      return NULL;
    }
  return data;
}

static double *
read_coords (hid_t file, const char *name, int *n, GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  double *data = relief_h5_read_dataset (file, name, H5T_NATIVE_DOUBLE, sizeof (double), &rank, dims, error);

  if (data == NULL)
    return NULL;
  if (rank != 1 || dims[0] < 1 || dims[0] > G_MAXINT)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("“%s” is not a list of coordinates"), name);
      g_free (data);
      return NULL;
    }
  *n = (int) dims[0];
  return data;
}

/* Concatenates the datasets "0", "1", ... of a direction group in order. */
static float *
read_direction (hid_t file, const char *group_name, gsize expected, gsize *n_params, GError **error)
{
  g_autoptr (GArray) flat = g_array_new (FALSE, FALSE, sizeof (float));
  hid_t group = H5Gopen2 (file, group_name, H5P_DEFAULT);
  gboolean ok = TRUE;

  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot open group “%s”"), group_name);
      return NULL;
    }
  for (int t = 0; ok; t++)
    {
      char name[16];
      hsize_t dims[RELIEF_H5_MAX_RANK];
      int rank = 0;
      gsize count = 1;
      g_autofree float *data = NULL;

      g_snprintf (name, sizeof name, "%d", t);
      if (!relief_h5_has_link (group, name))
        break;
      data = relief_h5_read_dataset (group, name, H5T_NATIVE_FLOAT, sizeof (float), &rank, dims, error);
      if (data == NULL)
        ok = FALSE;
      else
        {
          for (int i = 0; i < rank; i++)
            count *= dims[i];
          /* Each tensor was bounded by the file; their sum must also fit a GArray. */
          if (count > G_MAXUINT - flat->len)
            {
              g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("“%s” holds too many values"),
                           group_name);
              ok = FALSE;
            }
          else
            g_array_append_vals (flat, data, count);
        }
    }
  H5Gclose (group);
  if (!ok)
    return NULL;
  if (flat->len == 0)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("“%s” holds no direction"), group_name);
      return NULL;
    }
  if (expected > 0 && flat->len != expected)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("“%s” holds %u values but the model has %llu parameters"), group_name, flat->len,
                   (unsigned long long) expected);
      return NULL;
    }
  *n_params = flat->len;
  return (float *) g_array_free (g_steal_pointer (&flat), FALSE);
}

/* The projected trajectory: two float64 [T] datasets of the same length. */
static gboolean
read_projection (hid_t file, ReliefSurface *s, GError **error)
{
  int nx = 0, ny = 0;

  if ((s->proj_xcoord = read_coords (file, "proj_xcoord", &nx, error)) == NULL ||
      (s->proj_ycoord = read_coords (file, "proj_ycoord", &ny, error)) == NULL)
    return FALSE;
  if (nx != ny)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("“proj_xcoord” and “proj_ycoord” differ in length (%d and %d)"), nx, ny);
      return FALSE;
    }
  s->n_proj = nx;
  return TRUE;
}

static gboolean
read_explained_variance (hid_t file, ReliefSurface *s, GError **error)
{
  int n = 0;
  g_autofree double *ratio = read_coords (file, "explained_variance_ratio", &n, error);

  if (ratio == NULL)
    return FALSE;
  if (n != 2)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("“explained_variance_ratio” holds %d values, not 2"), n);
      return FALSE;
    }
  memcpy (s->explained_variance_ratio, ratio, sizeof s->explained_variance_ratio);
  return TRUE;
}

static gboolean
read_relief_attrs (hid_t file, ReliefSurface *s, GError **error)
{
  if ((s->run_file = relief_h5_read_string_attr (file, "run_file", error)) == NULL ||
      !relief_h5_read_int_attr (file, "checkpoint", &s->checkpoint, error) ||
      (s->normalization = relief_h5_read_string_attr (file, "normalization", error)) == NULL ||
      (s->direction_kind = relief_h5_read_string_attr (file, "direction_kind", error)) == NULL ||
      !relief_h5_read_uint_attr (file, "seed", &s->seed, error))
    return FALSE;
  /* Attributes added with the landscape engine: absent from earlier files. */
  if (relief_h5_has_attr (file, "bias") && (s->bias_mode = relief_h5_read_string_attr (file, "bias", error)) == NULL)
    return FALSE;
  if (relief_h5_has_attr (file, "to_checkpoint") && !relief_h5_read_int_attr (file, "to_checkpoint",
                                                                               &s->to_checkpoint, error))
    return FALSE;
  if (relief_h5_has_attr (file, "max_samples") && !relief_h5_read_int_attr (file, "max_samples", &s->max_samples,
                                                                             error))
    return FALSE;
  /* Added with the Hessian's directions. */
  if (relief_h5_has_attr (file, "x_eigenvalue") &&
      !relief_h5_read_double_attr (file, "x_eigenvalue", &s->x_eigenvalue, error))
    return FALSE;
  return !relief_h5_has_attr (file, "y_eigenvalue") ||
         relief_h5_read_double_attr (file, "y_eigenvalue", &s->y_eigenvalue, error);
}

/* A grid's values in [0, max], NaN where not computed, or -1 there in a loss-landscape
 * file (its plot_surface.py marks cells so). */
static gboolean
check_grid (const ReliefSurface *s, const char *name, const double *values, double max, GError **error)
{
  gsize cells = (gsize) s->nx * s->ny;

  if (values == NULL)
    return TRUE;
  for (gsize c = 0; c < cells; c++)
    if (!(values[c] >= 0 && values[c] <= max) && !isnan (values[c]) && !(s->foreign && values[c] == -1))
      {
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("“%s” holds %g (value %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT "), outside [0, %g]"), name,
                     values[c], c + 1, cells, max);
        return FALSE;
      }
  return TRUE;
}

/* What the figures, the readout and --resume rely on, past the shapes: coordinates
 * ascending, accuracies in percent, losses not negative (infinite where the model
 * overflowed), finite directions and trajectory. */
static gboolean
check_values (const ReliefSurface *s, GError **error)
{
  return relief_h5_check_ascending ("xcoordinates", s->xcoords, s->nx, error) &&
         (s->ycoords == NULL || relief_h5_check_ascending ("ycoordinates", s->ycoords, s->ny, error)) &&
         check_grid (s, "train_loss", s->train_loss, INFINITY, error) &&
         check_grid (s, "train_acc", s->train_acc, 100, error) &&
         check_grid (s, "test_loss", s->test_loss, INFINITY, error) &&
         check_grid (s, "test_acc", s->test_acc, 100, error) &&
         (s->xdir == NULL || relief_h5_check_finite ("xdirection", s->xdir, s->n_params, error)) &&
         (s->ydir == NULL || relief_h5_check_finite ("ydirection", s->ydir, s->n_params, error)) &&
         relief_h5_check_values ("explained_variance_ratio", s->explained_variance_ratio, 2, 0, 1, TRUE, error) &&
         relief_h5_check_values ("x_eigenvalue", &s->x_eigenvalue, 1, -G_MAXDOUBLE, G_MAXDOUBLE, TRUE, error) &&
         relief_h5_check_values ("y_eigenvalue", &s->y_eigenvalue, 1, -G_MAXDOUBLE, G_MAXDOUBLE, TRUE, error) &&
         (s->proj_xcoord == NULL ||
          relief_h5_check_values ("proj_xcoord", s->proj_xcoord, s->n_proj, -G_MAXDOUBLE, G_MAXDOUBLE, FALSE, error)) &&
         (s->proj_ycoord == NULL ||
          relief_h5_check_values ("proj_ycoord", s->proj_ycoord, s->n_proj, -G_MAXDOUBLE, G_MAXDOUBLE, FALSE, error));
}

static ReliefSurface *
surface_load (const char *path, GError **error)
{
  g_autoptr (ReliefSurface) s = g_new0 (ReliefSurface, 1);
  ReliefFileKind kind;
  hid_t file;
  gboolean ok;

  file = relief_h5_open_kind (path, &kind, error);
  if (file < 0)
    return NULL;
  if (kind != RELIEF_FILE_KIND_SURFACE)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND, _("“%s” is a %s file, not a surface"), path,
                   relief_file_kind_name (kind));
      H5Fclose (file);
      return NULL;
    }

  s->foreign = !relief_h5_has_attr (file, "relief_format");
  s->checkpoint = -1;
  s->to_checkpoint = -1;
  s->max_samples = -1;
  s->x_eigenvalue = s->y_eigenvalue = NAN;
  s->explained_variance_ratio[0] = s->explained_variance_ratio[1] = NAN;
  s->ny = 1;
  ok = (s->xcoords = read_coords (file, "xcoordinates", &s->nx, error)) != NULL;
  if (ok && relief_h5_has_link (file, "ycoordinates"))
    ok = (s->ycoords = read_coords (file, "ycoordinates", &s->ny, error)) != NULL;
  ok = ok && (s->train_loss = read_grid (file, "train_loss", s->nx, s->ny, error)) != NULL;
  if (ok && relief_h5_has_link (file, "train_acc"))
    ok = (s->train_acc = read_grid (file, "train_acc", s->nx, s->ny, error)) != NULL;
  else if (ok)
    /* Some loss-landscape runs skip accuracy: keep the "not computed" convention. */
    s->train_acc = nan_grid (s->nx, s->ny);
  if (ok && relief_h5_has_link (file, "test_loss"))
    ok = (s->test_loss = read_grid (file, "test_loss", s->nx, s->ny, error)) != NULL;
  if (ok && relief_h5_has_link (file, "test_acc"))
    ok = (s->test_acc = read_grid (file, "test_acc", s->nx, s->ny, error)) != NULL;
  if (ok && !s->foreign)
    ok = read_relief_attrs (file, s, error);
  if (ok && relief_h5_has_link (file, "explained_variance_ratio"))
    ok = read_explained_variance (file, s, error);
  if (ok && relief_h5_has_link (file, "proj_xcoord"))
    ok = read_projection (file, s, error);
  if (ok && relief_h5_has_link (file, "model"))
    ok = (s->spec = relief_h5_read_model (file, error)) != NULL;
  if (ok && relief_h5_has_link (file, "xdirection"))
    ok = (s->xdir = read_direction (file, "xdirection", s->spec != NULL ? relief_mlp_spec_n_params (s->spec) : 0,
                                    &s->n_params, error)) != NULL;
  if (ok && relief_h5_has_link (file, "ydirection"))
    ok = (s->ydir = read_direction (file, "ydirection", s->n_params, &s->n_params, error)) != NULL;
  H5Fclose (file);
  ok = ok && check_values (s, error);
  if (!ok)
    g_prefix_error (error, _("%s: "), path);
  return ok ? g_steal_pointer (&s) : NULL;
}

ReliefSurface *
relief_surface_load (const char *path, GError **error)
{
  ReliefH5Quiet quiet;
  ReliefSurface *s;

  relief_h5_quiet_begin (&quiet);
  s = surface_load (path, error);
  relief_h5_quiet_end (&quiet);
  return s;
}

/* relief-landscape.c: random filter-normalized directions, grids and point-by-point
 * surfaces (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"). */
#include "relief-landscape.h"
#include "relief-directions.h"

#include <glib/gi18n-lib.h>
#include <math.h>

/* Rows per evaluation chunk: large enough for BLAS to run at speed, small enough that
 * the workspace stays a few megabytes for wide models. */
#define SURFACE_CHUNK_ROWS 1024

void
relief_direction_random_filter (const ReliefMlpSpec *spec, const float *weights, guint64 seed, float *dir_out)
{
  relief_direction_random (spec, weights, seed, RELIEF_NORM_FILTER, RELIEF_BIAS_ZERO, dir_out);
}

static gboolean
parse_double (const char *text, double *out)
{
  char *end = NULL;

  if (*text == '\0')
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  return *end == '\0' && isfinite (*out);
}

gboolean
relief_grid_axis_parse (const char *text, ReliefGridAxis *out, GError **error)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *stripped = NULL;
  char *end = NULL;
  gint64 count;
  double min, max;

  stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  parts = g_strsplit (stripped, ":", -1);
  if (g_strv_length (parts) != 3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Grid \"%s\" is not of the form min:max:count (e.g. -1:1:51)"), stripped);
      return FALSE;
    }
  if (!parse_double (parts[0], &min) || !parse_double (parts[1], &max))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Grid \"%s\": min and max must be finite numbers"), stripped);
      return FALSE;
    }
  count = g_ascii_strtoll (parts[2], &end, 10);
  if (parts[2][0] == '\0' || *end != '\0' || count < 1 || count > G_MAXINT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Grid \"%s\": count must be a whole number of at least 1"), stripped);
      return FALSE;
    }
  if (count > 1 && !(min < max))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Grid \"%s\": min must be less than max for more than one point"), stripped);
      return FALSE;
    }
  out->min = min;
  out->max = max;
  out->count = (int) count;
  return TRUE;
}

void
relief_grid_axis_values (const ReliefGridAxis *axis, double *values)
{
  if (axis->count == 1)
    {
      values[0] = axis->min;
      return;
    }
  for (int i = 0; i < axis->count; i++)
    values[i] = axis->min + (axis->max - axis->min) * i / (axis->count - 1);
  /* Exact end point, whatever the rounding of the step. */
  values[axis->count - 1] = axis->max;
}

gboolean
relief_surface_compute (ReliefBackend *backend, const ReliefMlpSpec *spec,
                        const float *center, const float *xdir, const float *ydir,
                        const double *xs, int nx, const double *ys, int ny,
                        const float *x_host, const int32_t *y_host, int n,
                        double *loss, double *acc_percent,
                        ReliefSurfaceCellFunc cell_func, gpointer user_data,
                        GCancellable *cancellable, GError **error)
{
  ReliefBackend *be = backend;
  g_autoptr(ReliefMlp) mlp = NULL;
  gsize n_params = relief_mlp_spec_n_params (spec);
  gsize bytes = sizeof (float) * n_params;
  float *d_center = NULL, *d_xdir = NULL, *d_ydir = NULL, *d_params = NULL;
  gboolean ok = FALSE;

  if (nx < 1 || ny < 1 || n < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A surface needs at least one cell and one sample (got %d x %d, %d samples)"), nx, ny, n);
      return FALSE;
    }
  mlp = relief_mlp_new (be, spec, MIN (n, SURFACE_CHUNK_ROWS), error);
  if (mlp == NULL ||
      (d_center = be->alloc (be, bytes, error)) == NULL ||
      (d_xdir = be->alloc (be, bytes, error)) == NULL ||
      (d_ydir = be->alloc (be, bytes, error)) == NULL ||
      (d_params = be->alloc (be, bytes, error)) == NULL ||
      !be->upload (be, d_center, center, bytes, error) ||
      !be->upload (be, d_xdir, xdir, bytes, error) ||
      !be->upload (be, d_ydir, ydir, bytes, error))
    goto out;

  for (int iy = 0; iy < ny; iy++)
    for (int ix = 0; ix < nx; ix++)
      {
        gsize cell = (gsize) iy * nx + ix;
        double mean_loss, accuracy;

        if (!isnan (loss[cell]))
          continue;
        if (g_cancellable_set_error_if_cancelled (cancellable, error))
          goto out;
        if (!be->axpby_add (be, n_params, d_center, (float) xs[ix], d_xdir, (float) ys[iy], d_ydir, d_params,
                            error) ||
            !relief_mlp_evaluate (mlp, d_params, x_host, y_host, n, &mean_loss, &accuracy, error))
          goto out;
        loss[cell] = mean_loss;
        acc_percent[cell] = 100.0 * accuracy;
        if (cell_func != NULL)
          cell_func (ix, iy, mean_loss, acc_percent[cell], user_data);
      }
  ok = TRUE;

out:
  if (d_center != NULL)
    be->free (be, d_center);
  if (d_xdir != NULL)
    be->free (be, d_xdir);
  if (d_ydir != NULL)
    be->free (be, d_ydir);
  if (d_params != NULL)
    be->free (be, d_params);
  return ok;
}

/* relief-surface-reference.c: the point-by-point loss surface (Li et al. 2018, "Visualizing
 * the Loss Landscape of Neural Nets"), one full evaluation per grid point. */
#include "relief-surface-reference.h"

#include <glib/gi18n-lib.h>
#include <math.h>

/* Rows per evaluation chunk: large enough for BLAS to run at speed, small enough that
 * the workspace stays a few megabytes for wide models. */
#define SURFACE_CHUNK_ROWS 1024

gboolean
relief_surface_compute_reference (ReliefBackend *backend, const ReliefMlpSpec *spec,
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

/* relief-landscape.h: loss-landscape slices (Li et al. 2018). */
#pragma once

#include <gio/gio.h>
#include "relief-mlp.h"

G_BEGIN_DECLS

/* A random Gaussian direction, filter-normalized: each row of each weight matrix is
 * rescaled to the norm of the same row of weights; bias entries are zero.
 * Drawn from relief_rng_normal_fill (seed, 0, ...), so every backend agrees. */
void relief_direction_random_filter (const ReliefMlpSpec *spec, const float *weights, guint64 seed, float *dir_out);

/* Grid given as loss-landscape's "min:max:count". */
typedef struct {
  double min, max;
  int    count;
} ReliefGridAxis;

gboolean relief_grid_axis_parse  (const char *text, ReliefGridAxis *out, GError **error);
void     relief_grid_axis_values (const ReliefGridAxis *axis, double *values);  /* count values, linspace */

/* Called from the computing thread after each cell. */
typedef void (*ReliefSurfaceCellFunc) (int ix, int iy, double loss, double acc_percent, gpointer user_data);

/* Point-by-point surface: for each (x, y), params = center + x * xdir + y * ydir, and the
 * mean loss and accuracy (percent) over the first n samples of x_host/y_host.
 * loss and acc are [ny, nx] (row = y).  Cells that are not NaN on entry are kept as they
 * are (resume); cells not reached after a cancel stay NaN.  Returns FALSE with
 * G_IO_ERROR_CANCELLED on cancel. */
gboolean relief_surface_compute (ReliefBackend *backend, const ReliefMlpSpec *spec,
                                 const float *center, const float *xdir, const float *ydir,
                                 const double *xs, int nx, const double *ys, int ny,
                                 const float *x_host, const int32_t *y_host, int n,
                                 double *loss, double *acc_percent,
                                 ReliefSurfaceCellFunc cell_func, gpointer user_data,
                                 GCancellable *cancellable, GError **error);

G_END_DECLS

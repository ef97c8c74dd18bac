/* relief-surface-reference.h: the point-by-point loss surface, the reference the batched
 * relief-surface-eval is checked against. */
#pragma once

#include <gio/gio.h>
#include "relief-surface-eval.h"

G_BEGIN_DECLS

/* Point-by-point surface: for each (x, y), params = center + x * xdir + y * ydir, and the
 * mean loss and accuracy (percent) over the first n samples of x_host/y_host.
 * loss and acc are [ny, nx] (row = y).  Cells that are not NaN on entry are kept as they
 * are (resume); cells not reached after a cancel stay NaN.  Returns FALSE with
 * G_IO_ERROR_CANCELLED on cancel. */
gboolean relief_surface_compute_reference (ReliefBackend *backend, const ReliefMlpSpec *spec,
                                           const float *center, const float *xdir, const float *ydir,
                                           const double *xs, int nx, const double *ys, int ny,
                                           const float *x_host, const int32_t *y_host, int n,
                                           double *loss, double *acc_percent,
                                           ReliefSurfaceCellFunc cell_func, gpointer user_data,
                                           GCancellable *cancellable, GError **error);

G_END_DECLS

/* relief-surface-eval.h: batched, factorized evaluation of loss-surface grids.
 *
 * Every grid point is params = center + a * xdir + b * ydir.  The first layer is linear
 * in (a, b): X (W + aU + bV)^T = XW^T + a XU^T + b XV^T, so it costs three products per
 * chunk of samples for all points together; on a device the deeper layers run for many
 * points at once with strided-batched GEMM, on the CPU one point per thread of our own
 * (as many as OpenBLAS has, each running it on itself alone).  Results equal the point-by-point
 * relief_surface_compute_reference() up to float rounding.
 */
#pragma once

#include <gio/gio.h>
#include "relief-mlp.h"

G_BEGIN_DECLS

/* Called from the computing thread after each cell. */
typedef void (*ReliefSurfaceCellFunc) (int ix, int iy, double loss, double acc_percent, gpointer user_data);

typedef struct _ReliefSurfaceEval ReliefSurfaceEval;

/* center, xdir and ydir are host vectors of the spec's n_params; ydir NULL for a 1D slice
 * (b is then ignored).  max_points is the most points one call will pass; memory_budget
 * caps the device workspace in bytes (0: 256 MiB) and sets how many points and samples go
 * through together. */
ReliefSurfaceEval *relief_surface_eval_new  (ReliefBackend *backend, const ReliefMlpSpec *spec,
                                             const float *center, const float *xdir, const float *ydir,
                                             int max_points, gsize memory_budget, GError **error);
void               relief_surface_eval_free (ReliefSurfaceEval *ev);

/* On the CPU, the threads the points go to and the rows each point's products take at a
 * time (the shape of its deeper layers' products: rows x out x (in + 1)); 0 on a device. */
int                relief_surface_eval_cpu_threads (const ReliefSurfaceEval *ev);
int                relief_surface_eval_cpu_block   (const ReliefSurfaceEval *ev);

/* Mean loss and accuracy (fraction) of n_points points (a[i], b[i]) over the n host
 * samples; b may be NULL for a 1D slice. */
gboolean relief_surface_eval_points (ReliefSurfaceEval *ev, const double *a, const double *b, int n_points,
                                     const float *x_host, const int32_t *y_host, int n,
                                     double *mean_loss, double *accuracy,
                                     GCancellable *cancellable, GError **error);

/* The order in which a progressive surface fills in, coarse to fine: level l takes every
 * (step >> l)-th point of both axes not taken before, the first step the largest power of
 * two that leaves at least four points along the longer axis, so the first level is 16 to
 * 49 cells whatever the resolution and a picture comes at once.  order receives the nx * ny
 * cell indices (iy * nx + ix), level_end where each level ends in it; returns the number
 * of levels (at most RELIEF_SURFACE_MAX_LEVELS) and, in *step, the first level's step. */
#define RELIEF_SURFACE_MAX_LEVELS 24
int  relief_surface_progressive_order (int nx, int ny, int *order, int level_end[RELIEF_SURFACE_MAX_LEVELS],
                                       int *step);

typedef struct {
  const float   *x;
  const int32_t *y;
  int            n;   /* 0: no such split */
} ReliefSamples;

/* The whole surface, progressively: cells in relief_surface_progressive_order(), a batch
 * of them at a time, each reported to cell_func (train loss and accuracy) as soon as its
 * batch is done.  loss/acc arrays are [ny, nx] (ys NULL and ny 1 for a 1D slice); test_*
 * may be NULL when test has no samples.  A cell whose train loss (and test loss, when
 * asked) is not NaN on entry is kept: an interrupted job resumes.  On cancel the cells
 * done so far are filled, the rest stay NaN, and G_IO_ERROR_CANCELLED is returned. */
gboolean relief_surface_compute_progressive (ReliefBackend *backend, const ReliefMlpSpec *spec,
                                             const float *center, const float *xdir, const float *ydir,
                                             const double *xs, int nx, const double *ys, int ny,
                                             const ReliefSamples *train, const ReliefSamples *test,
                                             double *train_loss, double *train_acc,
                                             double *test_loss, double *test_acc,
                                             ReliefSurfaceCellFunc cell_func, gpointer user_data,
                                             GCancellable *cancellable, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefSurfaceEval, relief_surface_eval_free)

G_END_DECLS

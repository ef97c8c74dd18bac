#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-hessian.h"
#include "relief-rng.h"
#include "relief-surface-eval.h"
#include "relief-surface-job.h"
#include "relief-enums.h"
#include "relief-output.h"

void
relief_surface_job_init_defaults (ReliefSurfaceJob *job)
{
  memset (job, 0, sizeof *job);
  job->checkpoint = g_strdup ("last");
  job->x = (ReliefGridAxis) { -1, 1, 51 };
  job->y = (ReliefGridAxis) { -1, 1, 51 };
  job->backend = RELIEF_BACKEND_AUTO;
  job->directions = RELIEF_DIRECTIONS_RANDOM;
  job->normalization = RELIEF_NORM_FILTER;
  job->bias = RELIEF_BIAS_ZERO;
}

void
relief_surface_job_clear (ReliefSurfaceJob *job)
{
  g_clear_pointer (&job->to_checkpoint, g_free);
  g_clear_pointer (&job->run, relief_loaded_run_unref);
  g_clear_pointer (&job->checkpoint, g_free);
  g_clear_pointer (&job->output, g_free);
}

typedef struct {
  const ReliefSurfaceJobCallbacks *cb;
  int                              total;
  int                              done;
  /* The periodic saves: the cells done so far go to the output every few seconds, so that
   * a kill loses little; a save that fails stops the work through `stop`. */
  const ReliefSurface             *surface;
  const char                      *output;
  ReliefSaveClock                  clock;
  GError                          *save_error;
  GCancellable                    *stop;
} SurfaceContext;

/* Called after each cell, whose values are all in the surface by then: the cells after
 * it in the same batch are still NaN, so the file holds exactly the cells done. */
static void
surface_save_if_due (SurfaceContext *ctx)
{
  gint64 began = g_get_monotonic_time ();

  if (ctx->output == NULL || ctx->save_error != NULL || !relief_save_clock_due (&ctx->clock))
    return;
  if (!relief_surface_save (ctx->surface, ctx->output, &ctx->save_error))
    g_cancellable_cancel (ctx->stop);
  relief_save_clock_saved (&ctx->clock, began);
}

static void
on_surface_cell (int ix, int iy, double loss, double acc, gpointer user_data)
{
  SurfaceContext *ctx = user_data;

  ctx->done++;
  surface_save_if_due (ctx);
  if (ctx->cb == NULL)
    return;
  if (ctx->cb->cell)
    ctx->cb->cell (ix, iy, loss, acc, ctx->cb->user_data);
  if (ctx->cb->progress)
    ctx->cb->progress ((double) ctx->done / ctx->total, ctx->cb->user_data);
}

static double *
nan_grid (gsize cells)
{
  double *grid = g_new (double, cells);

  for (gsize i = 0; i < cells; i++)
    grid[i] = NAN;
  return grid;
}

/* Lanczos settings for the Hessian's directions: tighter than training's tracking, since
 * the slice shows them (residuals ||H v - lambda v|| about 1e-6 of lambda_max). */
#define HESSIAN_DIRECTIONS_TOL 1e-6
#define HESSIAN_DIRECTIONS_STEPS 300

static gboolean
is_hessian (ReliefDirectionKind kind)
{
  return kind == RELIEF_DIRECTIONS_HESSIAN || kind == RELIEF_DIRECTIONS_HESSIAN_MIN;
}

/* The pairs Lanczos computes for the Hessian's directions: the top two (hessian), or the
 * top and the bottom one (hessian-min); the top one only for a 1D slice. */
static int
hessian_top_k (const ReliefSurfaceJob *job, gboolean one_d)
{
  return job->directions == RELIEF_DIRECTIONS_HESSIAN && !one_d ? 2 : 1;
}

static gboolean
hessian_bottom (const ReliefSurfaceJob *job, gboolean one_d)
{
  return job->directions == RELIEF_DIRECTIONS_HESSIAN_MIN && !one_d;
}

/* The Hessian of the loss at the centre over the first curvature_samples training
 * samples, and what its directions take (added to estimate): the operator's memory with
 * Lanczos's basis, at most HESSIAN_DIRECTIONS_STEPS products and one per pair for its
 * residual, timed when large.  A basis too large for the backend is refused first. */
static ReliefHessian *
hessian_operator (const ReliefSurfaceJob *job, ReliefBackend *backend, const ReliefRun *run, const float *center,
                  gboolean one_d, ReliefJobEstimate *estimate, GError **error)
{
  const ReliefDataset *ds = run->dataset;
  int n = job->curvature_samples > 0 ? job->curvature_samples : RELIEF_CURVATURE_DEFAULT_SAMPLES;
  int k = hessian_top_k (job, one_d), pairs = k + hessian_bottom (job, one_d);
  int krylov = (int) MIN ((gsize) HESSIAN_DIRECTIONS_STEPS, run->n_params);
  double hvps = krylov + pairs, seconds;
  ReliefJobEstimate lanczos = { 0 };
  g_autoptr(ReliefHessian) h = NULL;

  n = MIN (n, ds->n_train);
  /* the products' vectors, the Ritz vectors and the host's copy of them */
  relief_job_estimate_hessian (run->spec, n, krylov + 1, 6 + 2 * pairs, hvps, &lanczos);
  if (!relief_job_check_estimate (backend, _("The Hessian’s directions"), &lanczos, error))
    return NULL;
  h = relief_hessian_new (backend, run->spec, center, ds->x_train, ds->y_train, n, 0, error);
  if (h == NULL)
    return NULL;
  estimate->bytes += lanczos.bytes;
  estimate->flops += lanczos.flops;
  if (lanczos.flops >= RELIEF_JOB_TIMED_FLOPS)
    {
      if ((seconds = relief_job_time_hvps (h, hvps, error)) < 0)
        return NULL;
      estimate->seconds += seconds;
    }
  return g_steal_pointer (&h);
}

/* The eigenvectors of h, the Hessian at the centre: the top two (hessian), or the top and
 * the bottom one (hessian-min); x only for a 1D slice.  Unit vectors in parameter units,
 * their eigenvalues beside them. */
static gboolean
hessian_directions (const ReliefSurfaceJob *job, ReliefHessian *h, const ReliefRun *run, ReliefSurface *surface,
                    GError **error)
{
  gboolean one_d = surface->ycoords == NULL, bottom = hessian_bottom (job, one_d);
  g_autoptr(ReliefEigenpairs) top = NULL;
  g_autoptr(ReliefEigenpairs) low = NULL;
  ReliefLanczosSettings settings;
  ReliefLanczosInfo info;

  relief_lanczos_settings_init_defaults (&settings);
  settings.k = hessian_top_k (job, one_d);
  settings.smallest = bottom;
  settings.tol = HESSIAN_DIRECTIONS_TOL;
  settings.max_iter = HESSIAN_DIRECTIONS_STEPS;
  settings.seed = relief_rng_derive (job->seed, "hessian");
  if (!relief_hessian_lanczos (h, &settings, &top, bottom ? &low : NULL, &info, NULL, error))
    return FALSE;
  if (top->n < settings.k || (bottom && low->n < 1))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The Hessian at this checkpoint has fewer than two directions of curvature to slice along"));
      return FALSE;
    }
  memcpy (surface->xdir, top->vectors, sizeof (float) * run->n_params);
  surface->x_eigenvalue = top->values[0];
  if (!one_d)
    {
      surface->ydir = g_new (float, run->n_params);
      memcpy (surface->ydir, bottom ? low->vectors : top->vectors + run->n_params, sizeof (float) * run->n_params);
      surface->y_eigenvalue = bottom ? low->values[0] : top->values[1];
    }
  return TRUE;
}

/* Fills the surface's directions (and their parameters) for the job's kind. */
static gboolean
make_directions (const ReliefSurfaceJob *job, ReliefHessian *h, const ReliefRun *run, int index,
                 ReliefSurface *surface, GError **error)
{
  const float *center = run->params + (gsize) index * run->n_params;

  surface->xdir = g_new (float, run->n_params);
  if (job->directions == RELIEF_DIRECTIONS_RANDOM)
    {
      surface->normalization = g_strdup (relief_enum_to_nick (RELIEF_TYPE_NORMALIZATION, job->normalization));
      surface->bias_mode = g_strdup (relief_enum_to_nick (RELIEF_TYPE_BIAS_MODE, job->bias));
      relief_direction_random (run->spec, center, relief_rng_derive (job->seed, "xdir"), job->normalization,
                               job->bias, surface->xdir);
      if (surface->ycoords != NULL)
        {
          surface->ydir = g_new (float, run->n_params);
          relief_direction_random (run->spec, center, relief_rng_derive (job->seed, "ydir"), job->normalization,
                                   job->bias, surface->ydir);
        }
      return TRUE;
    }
  /* PCA, line and Hessian directions live in parameter units: no normalization applies. */
  surface->normalization = g_strdup ("none");
  if (is_hessian (job->directions))
    return hessian_directions (job, h, run, surface, error);
  if (job->directions == RELIEF_DIRECTIONS_LINE)
    {
      int to;

      if (job->to_checkpoint == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("A line needs its far end: the checkpoint to interpolate to (--to)"));
          return FALSE;
        }
      if (!relief_run_resolve_checkpoint (run, job->to_checkpoint, &to, error))
        return FALSE;
      if (to == index)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The line's two checkpoints are the same snapshot (%d)"), to);
          return FALSE;
        }
      surface->to_checkpoint = to;
      relief_direction_line (run->n_params, center, run->params + (gsize) to * run->n_params, surface->xdir);
      return TRUE;
    }
  /* PCA: the trajectory up to the centre, as loss-landscape takes it up to the final model. */
  surface->ydir = g_new (float, run->n_params);
  surface->n_proj = index + 1;
  surface->proj_xcoord = g_new (double, surface->n_proj);
  surface->proj_ycoord = g_new (double, surface->n_proj);
  return relief_direction_pca (run->n_params, run->params, index + 1, center, surface->xdir, surface->ydir,
                               surface->explained_variance_ratio, surface->proj_xcoord, surface->proj_ycoord,
                               error);
}

/* The margin around a fitted trajectory, a share of its extent on each side. */
#define FIT_MARGIN 0.15

/* One axis of the grid over the values v[n] (the trajectory's coordinates and the
 * centre, 0) with a margin; its count kept.  An extent of nothing keeps the axis asked for. */
static void
fit_axis (const double *v, int n, ReliefGridAxis *axis)
{
  double lo = 0, hi = 0, margin;

  for (int i = 0; i < n; i++)
    if (isfinite (v[i]))
      {
        lo = MIN (lo, v[i]);
        hi = MAX (hi, v[i]);
      }
  if (!(hi > lo))
    return;
  margin = FIT_MARGIN * (hi - lo);
  axis->min = lo - margin;
  axis->max = hi + margin;
}

static gboolean
same_values (const double *a, const double *b, int n)
{
  return (a == NULL) == (b == NULL) && (a == NULL || memcmp (a, b, sizeof (double) * n) == 0);
}

/* Takes the computed cells of the surface file already at the output, when it is the
 * same surface: same grid, same directions. */
static gboolean
resume_cells (const char *path, ReliefSurface *surface, GError **error)
{
  g_autoptr(ReliefSurface) old = NULL;
  gsize cells = (gsize) surface->nx * surface->ny;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  old = relief_surface_load (path, error);
  if (old == NULL)
    return FALSE;
  if (old->nx != surface->nx || old->ny != surface->ny ||
      !same_values (old->xcoords, surface->xcoords, surface->nx) ||
      !same_values (old->ycoords, surface->ycoords, surface->ny) ||
      old->n_params != surface->n_params || old->xdir == NULL ||
      memcmp (old->xdir, surface->xdir, sizeof (float) * surface->n_params) != 0 ||
      (old->ydir == NULL) != (surface->ydir == NULL) ||
      (old->ydir != NULL && memcmp (old->ydir, surface->ydir, sizeof (float) * surface->n_params) != 0) ||
      (old->test_loss == NULL) != (surface->test_loss == NULL) ||
      old->max_samples != surface->max_samples)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s holds a different surface (grid, directions or samples); remove it or leave out --resume"),
                   path);
      return FALSE;
    }
  memcpy (surface->train_loss, old->train_loss, sizeof (double) * cells);
  memcpy (surface->train_acc, old->train_acc, sizeof (double) * cells);
  if (surface->test_loss != NULL)
    memcpy (surface->test_loss, old->test_loss, sizeof (double) * cells);
  if (surface->test_acc != NULL && old->test_acc != NULL)
    memcpy (surface->test_acc, old->test_acc, sizeof (double) * cells);
  /* A cell is computed when its loss and its accuracy both are (a file may lack the
   * accuracies, NaN here): the others are computed again. */
  for (gsize c = 0; c < cells; c++)
    {
      if (isnan (surface->train_acc[c]))
        surface->train_loss[c] = NAN;
      if (surface->test_loss != NULL && isnan (surface->test_acc[c]))
        surface->test_loss[c] = NAN;
    }
  return TRUE;
}

/* Bytes of host memory per grid point: four grids of doubles, the order of the cells (an
 * int) and a grid's worth of slack for saving. */
#define SURFACE_BYTES_PER_CELL (5 * sizeof (double) + sizeof (int))

/* Adds the time of cells points: the surface's own evaluator timed on a few points of the
 * same samples (more until they take 50 ms), scaled to the cells; what the directions are
 * does not change it.  No time for a small job, where timing would cost more than it
 * tells. */
static void
estimate_time (ReliefBackend *backend, const ReliefMlpSpec *spec, const float *center, const float *xdir,
               const float *ydir, gsize cells, const ReliefSamples *train, const ReliefSamples *test,
               ReliefJobEstimate *estimate)
{
  enum { MAX_TRIAL = 512 };
  g_autoptr(ReliefSurfaceEval) ev = NULL;
  double a[MAX_TRIAL] = { 0 }, b[MAX_TRIAL] = { 0 }, loss[MAX_TRIAL], acc[MAX_TRIAL], per_sample = 0;
  double samples = (double) train->n + test->n, flops, seconds = 0;

  /* Multiply-adds through the layers past the first, which is factorized, and the work on
   * every width's values (activations, combining the first layer). */
  for (int l = 0; l <= spec->n_layers; l++)
    per_sample += (l >= 1 && l < spec->n_layers ? 2.0 * spec->sizes[l] * spec->sizes[l + 1] : 0) +
                  10.0 * spec->sizes[l];
  flops = (double) cells * samples * per_sample;
  estimate->flops += flops;
  if (flops < RELIEF_JOB_TIMED_FLOPS ||
      (ev = relief_surface_eval_new (backend, spec, center, xdir, ydir, MAX_TRIAL, 0, NULL)) == NULL)
    return;
  for (int k = 8; k <= MAX_TRIAL && (gsize) k <= MAX (cells, 8); k *= 4)
    {
      gint64 start = g_get_monotonic_time ();
      double took;

      if (!relief_surface_eval_points (ev, a, ydir ? b : NULL, k, train->x, train->y, train->n, loss, acc, NULL,
                                       NULL) ||
          (test->n > 0 && !relief_surface_eval_points (ev, a, ydir ? b : NULL, k, test->x, test->y, test->n, loss,
                                                        acc, NULL, NULL)))
        return;
      took = (g_get_monotonic_time () - start) * 1e-6;
      seconds = took / k * cells;
      if (took >= 0.05)
        break;
    }
  estimate->seconds += seconds;
}

static void
cancel_stop (GCancellable *cancellable, gpointer stop)
{
  g_cancellable_cancel (stop);
}

gboolean
relief_surface_job_run (const ReliefSurfaceJob          *job,
                        const ReliefSurfaceJobCallbacks *cb,
                        GCancellable                    *cancellable,
                        ReliefSurface                  **result,
                        GError                         **error)
{
  const ReliefRun *run = relief_loaded_run_get_run (job->run);
  g_autoptr(ReliefOutputLock) lock = NULL;
  g_autoptr(ReliefSurface) surface = NULL;
  g_autoptr(ReliefBackend) backend = NULL;
  g_autoptr(ReliefHessian) h = NULL;
  g_autoptr(GError) compute_error = NULL;
  g_autoptr(GCancellable) stop = g_cancellable_new ();
  SurfaceContext ctx = { cb, 0, 0, NULL, job->output, { 0 }, NULL, stop };
  gulong forward = 0;
  ReliefJobEstimate estimate = { 0 };
  ReliefSamples train, test = { NULL, NULL, 0 };
  const ReliefDataset *ds;
  const float *center;
  gboolean one_d = job->one_d || job->directions == RELIEF_DIRECTIONS_LINE;
  int index;
  gsize cells;
  gboolean ok;

  /* A plane needs two points along y, or it is the 1D slice along x. */
  if (!one_d && job->y.count < 2)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A 2D surface needs at least 2 points along y; leave out --y for a 1D slice"));
      return FALSE;
    }
  if (!relief_run_resolve_checkpoint (run, job->checkpoint, &index, error))
    return FALSE;
  /* Held from the resume's read to the last save: one writer per surface file. */
  if (job->output != NULL && (lock = relief_output_lock (job->output, error)) == NULL)
    return FALSE;
  backend = relief_job_open_backend (job->backend, cb ? cb->backend_chosen : NULL, cb ? cb->user_data : NULL,
                                     error);
  if (backend == NULL)
    return FALSE;

  ds = run->dataset;
  center = run->params + (gsize) index * run->n_params;
  /* The grids (losses and accuracies, train and test, doubles, the order the cells are
   * computed in and the copy HDF5 may make when saving) and the directions live in the
   * host's memory, whatever the backend: a grid too large is refused, not an abort. */
  estimate.bytes = (double) job->x.count * (one_d ? 1 : job->y.count) * SURFACE_BYTES_PER_CELL +
                   8.0 * run->n_params;
  estimate.backend = backend->name;
  if (estimate.bytes > (double) relief_file_memory_budget ())
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A grid of %d × %d points needs about %.1f GB of memory; %.1f GB are available"),
                   one_d ? 1 : job->y.count, job->x.count, estimate.bytes / 1e9, relief_file_memory_budget () / 1e9);
      return FALSE;
    }
  surface = relief_surface_new (job->x.count, one_d ? 1 : job->y.count);
  cells = (gsize) surface->nx * surface->ny;
  relief_grid_axis_values (&job->x, surface->xcoords);
  if (!one_d)
    relief_grid_axis_values (&job->y, surface->ycoords);
  surface->run_file = g_strdup (relief_loaded_run_get_path (job->run));
  surface->checkpoint = index;
  surface->direction_kind = g_strdup (relief_enum_to_nick (RELIEF_TYPE_DIRECTION_KIND, job->directions));
  surface->seed = job->seed;
  surface->spec = relief_mlp_spec_copy (run->spec);
  surface->n_params = run->n_params;
  surface->max_samples = job->max_samples > 0 ? job->max_samples : -1;
  if (ds->n_test > 0)
    {
      surface->test_loss = nan_grid (cells);
      surface->test_acc = nan_grid (cells);
    }
  train = (ReliefSamples) { ds->x_train, ds->y_train, ds->n_train };
  if (job->max_samples > 0 && job->max_samples < train.n)
    train.n = job->max_samples;
  if (ds->n_test > 0)
    test = (ReliefSamples) { ds->x_test, ds->y_test, ds->n_test };
  if (job->max_samples > 0 && job->max_samples < test.n)
    test.n = job->max_samples;
  /* The Hessian's directions are work of their own (Lanczos over the curvature samples):
   * the estimate comes before it, and counts it and every cell (a resumed surface's cells
   * are known only once its directions are). */
  if (is_hessian (job->directions))
    {
      g_autofree float *zero_x = g_new0 (float, run->n_params);
      g_autofree float *zero_y = one_d ? NULL : g_new0 (float, run->n_params);

      if ((h = hessian_operator (job, backend, run, center, one_d, &estimate, error)) == NULL)
        return FALSE;
      estimate_time (backend, run->spec, center, zero_x, zero_y, cells, &train, &test, &estimate);
      if (cb && cb->estimate)
        cb->estimate (&estimate, cb->user_data);
    }
  if (!make_directions (job, h, run, index, surface, error))
    return FALSE;
  g_clear_pointer (&h, relief_hessian_free);
  if (job->fit_path && surface->n_proj > 0 && surface->ycoords != NULL)
    {
      ReliefGridAxis x = job->x, y = job->y;

      fit_axis (surface->proj_xcoord, surface->n_proj, &x);
      fit_axis (surface->proj_ycoord, surface->n_proj, &y);
      relief_grid_axis_values (&x, surface->xcoords);
      relief_grid_axis_values (&y, surface->ycoords);
    }
  if (job->resume && job->output && !resume_cells (job->output, surface, error))
    return FALSE;
  for (gsize c = 0; c < cells; c++)
    ctx.total += isnan (surface->train_loss[c]) || (surface->test_loss != NULL && isnan (surface->test_loss[c]));
  if (cb && cb->surface_ready)
    cb->surface_ready (surface, cb->user_data);

  if (!is_hessian (job->directions))
    {
      estimate_time (backend, run->spec, center, surface->xdir, surface->ydir, ctx.total, &train, &test, &estimate);
      if (cb && cb->estimate)
        cb->estimate (&estimate, cb->user_data);
    }

  ctx.surface = surface;
  relief_save_clock_init (&ctx.clock);
  if (cancellable != NULL)
    forward = g_cancellable_connect (cancellable, G_CALLBACK (cancel_stop), stop, NULL);
  ok = relief_surface_compute_progressive (backend, run->spec, center, surface->xdir, surface->ydir,
                                           surface->xcoords, surface->nx, surface->ycoords, surface->ny,
                                           &train, &test, surface->train_loss, surface->train_acc,
                                           surface->test_loss, surface->test_acc,
                                           on_surface_cell, &ctx, stop, &compute_error);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, forward);
  if (ctx.save_error != NULL)
    {
      g_propagate_error (error, ctx.save_error);
      return FALSE;
    }
  if (!ok)
    {
      /* A cancelled surface is still worth keeping: the cells done so far are real, and
       * --resume continues from them. */
      if (g_error_matches (compute_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && ctx.done > 0 &&
          job->output && !relief_surface_save (surface, job->output, error))
        return FALSE;
      g_propagate_error (error, g_steal_pointer (&compute_error));
      return FALSE;
    }
  if (job->output && !relief_surface_save (surface, job->output, error))
    return FALSE;
  if (result)
    *result = g_steal_pointer (&surface);
  return TRUE;
}

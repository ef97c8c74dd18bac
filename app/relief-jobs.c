#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-jobs.h"
#include "relief-rng.h"
#include "relief-surface-eval.h"

void
relief_train_job_init_defaults (ReliefTrainJob *job)
{
  static const int default_hidden[] = { 16, 16 };

  memset (job, 0, sizeof *job);
  job->dataset = g_strdup ("spiral");
  relief_generator_defaults ("spiral", &job->gen);
  job->n_hidden = G_N_ELEMENTS (default_hidden);
  job->hidden = g_memdup2 (default_hidden, sizeof default_hidden);
  job->activation = RELIEF_ACT_RELU;
  job->loss = RELIEF_LOSS_CROSS_ENTROPY;
  relief_train_config_init_defaults (&job->train);
  job->backend = g_strdup ("auto");
}

void
relief_train_job_clear (ReliefTrainJob *job)
{
  g_clear_pointer (&job->dataset, g_free);
  g_clear_pointer (&job->hidden, g_free);
  g_clear_pointer (&job->backend, g_free);
  g_clear_pointer (&job->output, g_free);
}

gboolean
relief_parse_int_list (const char   *text,
                       int         **values,
                       int          *n,
                       GError      **error)
{
  g_auto(GStrv) parts = NULL;
  g_autofree int *out = NULL;
  int count = 0;

  if (text == NULL || *text == '\0')
    {
      *values = NULL;
      *n = 0;
      return TRUE;
    }
  parts = g_strsplit (text, ",", -1);
  out = g_new0 (int, g_strv_length (parts));
  for (int i = 0; parts[i] != NULL; i++)
    {
      gint64 v;
      g_autofree char *item = g_strstrip (g_strdup (parts[i]));

      if (!g_ascii_string_to_signed (item, 10, 1, 100000, &v, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a list of layer widths like 32,32 (each 1 to 100000)"), text);
          return FALSE;
        }
      out[count++] = (int) v;
    }
  *values = g_steal_pointer (&out);
  *n = count;
  return TRUE;
}

typedef struct {
  const ReliefJobCallbacks *cb;
  ReliefRunWriter          *writer;
} TrainContext;

static gboolean
on_train_metrics (const ReliefTrainMetrics *m, gpointer user_data, GError **error)
{
  TrainContext *ctx = user_data;

  if (!relief_run_writer_add_metrics (ctx->writer, m, error))
    return FALSE;
  if (ctx->cb && ctx->cb->metrics)
    ctx->cb->metrics (m, ctx->cb->user_data);
  return TRUE;
}

static gboolean
on_train_snapshot (gint64 step, double epoch, const float *params, gsize n_params,
                   gpointer user_data, GError **error)
{
  TrainContext *ctx = user_data;

  return relief_run_writer_add_snapshot (ctx->writer, step, epoch, params, error);
}

/* A backend named outright needs no report; "auto" says what it found. */
static ReliefBackend *
open_backend (const char *name, const ReliefJobCallbacks *cb, GError **error)
{
  ReliefBackend *backend = relief_backend_new (name, error);

  if (backend && cb && cb->backend_chosen && g_str_equal (name, "auto"))
    cb->backend_chosen (backend->name, cb->user_data);
  return backend;
}

static void
on_train_progress (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data)
{
  TrainContext *ctx = user_data;

  if (ctx->cb && ctx->cb->progress && total_steps > 0)
    ctx->cb->progress ((double) step / (double) total_steps, ctx->cb->user_data);
}

gboolean
relief_train_job_run (const ReliefTrainJob     *job,
                      const ReliefJobCallbacks *cb,
                      GCancellable             *cancellable,
                      ReliefTrainStatus        *status,
                      GError                  **error)
{
  g_autoptr(ReliefDataset) ds = NULL;
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autoptr(ReliefBackend) backend = NULL;
  g_autofree int *sizes = NULL;
  g_autofree float *params = NULL;
  TrainContext ctx = { cb, NULL };
  ReliefTrainCallbacks tcb = { on_train_metrics, on_train_snapshot, on_train_progress, &ctx };
  ReliefTrainStatus st;

  g_return_val_if_fail (job->output != NULL, FALSE);

  ds = relief_dataset_open (job->dataset, &job->gen, error);
  if (ds == NULL || !relief_dataset_validate (ds, error))
    return FALSE;
  if (job->train.batch_size < 1 || job->train.epochs < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The batch size and the number of epochs must be at least 1"));
      return FALSE;
    }
  if (!(job->train.optimizer.lr > 0) || !isfinite (job->train.optimizer.lr))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The learning rate must be a positive number"));
      return FALSE;
    }

  sizes = g_new (int, job->n_hidden + 2);
  sizes[0] = ds->n_features;
  for (int i = 0; i < job->n_hidden; i++)
    sizes[i + 1] = job->hidden[i];
  sizes[job->n_hidden + 1] = ds->n_classes;
  spec = relief_mlp_spec_new (sizes, job->n_hidden + 2, job->activation, job->loss);

  backend = open_backend (job->backend, cb, error);
  if (backend == NULL)
    return FALSE;

  params = g_try_new (float, relief_mlp_spec_n_params (spec));
  if (params == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory for a model with %llu parameters"),
                   (unsigned long long) relief_mlp_spec_n_params (spec));
      return FALSE;
    }
  relief_mlp_init_params (spec, job->train.seed, params);

  ctx.writer = relief_run_writer_new (job->output, spec, &job->train, backend->name, ds, error);
  if (ctx.writer == NULL)
    return FALSE;

  st = relief_train (backend, spec, ds, &job->train, params, &tcb, cancellable, error);
  if (status)
    *status = st;
  if (st == RELIEF_TRAIN_FAILED)
    {
      relief_run_writer_abort (ctx.writer);
      return FALSE;
    }
  return relief_run_writer_finish (ctx.writer, relief_train_status_to_string (st), error);
}

void
relief_surface_job_init_defaults (ReliefSurfaceJob *job)
{
  memset (job, 0, sizeof *job);
  job->checkpoint = g_strdup ("last");
  job->x = (ReliefGridAxis) { -1, 1, 51 };
  job->y = (ReliefGridAxis) { -1, 1, 51 };
  job->backend = g_strdup ("auto");
  job->directions = g_strdup ("random");
  job->normalization = RELIEF_NORM_FILTER;
  job->bias = RELIEF_BIAS_ZERO;
}

void
relief_surface_job_clear (ReliefSurfaceJob *job)
{
  g_clear_pointer (&job->directions, g_free);
  g_clear_pointer (&job->to_checkpoint, g_free);
  g_clear_pointer (&job->run_file, g_free);
  g_clear_pointer (&job->checkpoint, g_free);
  g_clear_pointer (&job->backend, g_free);
  g_clear_pointer (&job->output, g_free);
}

typedef struct {
  const ReliefJobCallbacks *cb;
  int                       total;
  int                       done;
} SurfaceContext;

static void
on_surface_cell (int ix, int iy, double loss, double acc, gpointer user_data)
{
  SurfaceContext *ctx = user_data;

  ctx->done++;
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

/* Fills the surface's directions (and their parameters) for the job's kind. */
static gboolean
make_directions (const ReliefSurfaceJob *job, const ReliefRun *run, int index, ReliefSurface *surface,
                 GError **error)
{
  const float *center = run->params + (gsize) index * run->n_params;
  const char *kind = job->directions != NULL ? job->directions : "random";

  surface->xdir = g_new (float, run->n_params);
  if (g_str_equal (kind, "random"))
    {
      surface->normalization = g_strdup (relief_normalization_to_string (job->normalization));
      surface->bias_mode = g_strdup (relief_bias_mode_to_string (job->bias));
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
  /* PCA and line directions live in parameter units: no normalization applies. */
  surface->normalization = g_strdup ("none");
  if (g_str_equal (kind, "line"))
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
  if (g_str_equal (kind, "pca"))
    {
      /* The trajectory up to the centre, as loss-landscape takes it up to the final model. */
      surface->ydir = g_new (float, run->n_params);
      surface->n_proj = index + 1;
      surface->proj_xcoord = g_new (double, surface->n_proj);
      surface->proj_ycoord = g_new (double, surface->n_proj);
      return relief_direction_pca (run->n_params, run->params, index + 1, center, surface->xdir, surface->ydir,
                                   surface->explained_variance_ratio, surface->proj_xcoord, surface->proj_ycoord,
                                   error);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("Unknown direction kind \"%s\" (valid: random, pca, line)"), kind);
  return FALSE;
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
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s holds a different surface (grid, directions or samples); remove it or leave out --resume"),
                   path);
      return FALSE;
    }
  memcpy (surface->train_loss, old->train_loss, sizeof (double) * cells);
  memcpy (surface->train_acc, old->train_acc, sizeof (double) * cells);
  if (surface->test_loss != NULL)
    {
      memcpy (surface->test_loss, old->test_loss, sizeof (double) * cells);
      memcpy (surface->test_acc, old->test_acc, sizeof (double) * cells);
    }
  return TRUE;
}

gboolean
relief_surface_job_run (const ReliefSurfaceJob   *job,
                        const ReliefJobCallbacks *cb,
                        GCancellable             *cancellable,
                        GError                  **error)
{
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(ReliefSurface) surface = NULL;
  g_autoptr(ReliefBackend) backend = NULL;
  g_autoptr(GError) compute_error = NULL;
  SurfaceContext ctx = { cb, 0, 0 };
  ReliefSamples train, test = { NULL, NULL, 0 };
  const ReliefDataset *ds;
  const float *center;
  gboolean one_d = job->one_d || g_strcmp0 (job->directions, "line") == 0;
  int index;
  gsize cells;

  run = relief_run_load (job->run_file, TRUE, error);
  if (run == NULL)
    return FALSE;
  if (!relief_run_resolve_checkpoint (run, job->checkpoint, &index, error))
    return FALSE;
  backend = open_backend (job->backend, cb, error);
  if (backend == NULL)
    return FALSE;

  ds = run->dataset;
  center = run->params + (gsize) index * run->n_params;
  surface = relief_surface_new (job->x.count, one_d ? 1 : job->y.count);
  cells = (gsize) surface->nx * surface->ny;
  relief_grid_axis_values (&job->x, surface->xcoords);
  if (!one_d)
    relief_grid_axis_values (&job->y, surface->ycoords);
  surface->run_file = g_strdup (job->run_file);
  surface->checkpoint = index;
  surface->direction_kind = g_strdup (job->directions != NULL ? job->directions : "random");
  surface->seed = job->seed;
  surface->spec = relief_mlp_spec_copy (run->spec);
  surface->n_params = run->n_params;
  surface->max_samples = job->max_samples > 0 ? job->max_samples : -1;
  if (ds->n_test > 0)
    {
      surface->test_loss = nan_grid (cells);
      surface->test_acc = nan_grid (cells);
    }
  if (!make_directions (job, run, index, surface, error) ||
      (job->resume && !resume_cells (job->output, surface, error)))
    return FALSE;
  for (gsize c = 0; c < cells; c++)
    ctx.total += isnan (surface->train_loss[c]) || (surface->test_loss != NULL && isnan (surface->test_loss[c]));
  if (cb && cb->surface_ready)
    cb->surface_ready (surface, cb->user_data);

  train = (ReliefSamples) { ds->x_train, ds->y_train, ds->n_train };
  if (job->max_samples > 0 && job->max_samples < train.n)
    train.n = job->max_samples;
  if (ds->n_test > 0)
    test = (ReliefSamples) { ds->x_test, ds->y_test, ds->n_test };
  if (job->max_samples > 0 && job->max_samples < test.n)
    test.n = job->max_samples;

  if (!relief_surface_compute_progressive (backend, run->spec, center, surface->xdir, surface->ydir,
                                           surface->xcoords, surface->nx, surface->ycoords, surface->ny,
                                           &train, &test, surface->train_loss, surface->train_acc,
                                           surface->test_loss, surface->test_acc,
                                           on_surface_cell, &ctx, cancellable, &compute_error))
    {
      /* A cancelled surface is still worth keeping: the cells done so far are real, and
       * --resume continues from them. */
      if (g_error_matches (compute_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && ctx.done > 0 &&
          !relief_surface_save (surface, job->output, error))
        return FALSE;
      g_propagate_error (error, g_steal_pointer (&compute_error));
      return FALSE;
    }
  return relief_surface_save (surface, job->output, error);
}

gboolean
relief_parse_dims (const char *text, gint64 **dims, int *K, GError **error)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto(GStrv) range = g_strsplit (text, ":", -1);
  gboolean ok = TRUE;

  if (g_strv_length (range) == 3)
    {
      gint64 a, b, step;

      ok = g_ascii_string_to_signed (range[0], 10, 1, G_MAXINT32, &a, NULL) &&
           g_ascii_string_to_signed (range[1], 10, a, G_MAXINT32, &b, NULL) &&
           g_ascii_string_to_signed (range[2], 10, 1, G_MAXINT32, &step, NULL) &&
           (b - a) / step < 10000;
      for (gint64 d = a; ok && d <= b; d += step)
        g_array_append_val (out, d);
    }
  else
    {
      g_auto(GStrv) parts = g_strsplit (text, ",", -1);

      for (int i = 0; ok && parts[i] != NULL; i++)
        {
          gint64 d;

          ok = g_ascii_string_to_signed (parts[i], 10, 1, G_MAXINT32, &d, NULL) &&
               (out->len == 0 || d > g_array_index (out, gint64, out->len - 1));
          g_array_append_val (out, d);
        }
    }
  if (!ok || out->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an ascending list of dimensions like 100,200 or a range like 100:1000:100"), text);
      return FALSE;
    }
  *K = (int) out->len;
  *dims = (gint64 *) g_array_free (g_steal_pointer (&out), FALSE);
  return TRUE;
}

/* The settings a resumed sweep must share with the file it continues. */
static gboolean
intdim_matches (const ReliefIntdim *a, const ReliefIntdim *b)
{
  if (a->K != b->K || a->n_seeds != b->n_seeds || a->spec->n_layers != b->spec->n_layers ||
      a->spec->activation != b->spec->activation || a->spec->loss != b->spec->loss ||
      g_strcmp0 (a->projection, b->projection) != 0 || g_strcmp0 (a->dataset, b->dataset) != 0 ||
      a->config.optimizer.kind != b->config.optimizer.kind || a->config.optimizer.lr != b->config.optimizer.lr ||
      a->config.batch_size != b->config.batch_size || a->config.epochs != b->config.epochs ||
      a->config.seed != b->config.seed)
    return FALSE;
  for (int i = 0; i <= a->spec->n_layers; i++)
    if (a->spec->sizes[i] != b->spec->sizes[i])
      return FALSE;
  return memcmp (a->dims, b->dims, sizeof (gint64) * a->K) == 0;
}

/* The generator settings that shape the data: all of them for a generator, the split for
 * a CSV file, none for IDX data.  A file that predates them cannot be checked. */
static gboolean
intdim_same_data (const ReliefIntdim *old, const ReliefIntdim *id)
{
  const ReliefGeneratorParams *a = &old->gen, *b = &id->gen;
  gboolean same_split = a->seed == b->seed && a->test_fraction == b->test_fraction;

  if (!old->has_gen)
    return TRUE;
  if (relief_generator_exists (id->dataset))
    return same_split && a->n_samples == b->n_samples && a->noise == b->noise && a->n_classes == b->n_classes;
  return same_split || !(g_str_has_suffix (id->dataset, ".csv") || g_str_has_suffix (id->dataset, ".CSV"));
}

/* Takes the cells of the sweep already at the output, when it is the same sweep. */
static gboolean
intdim_resume (const char *path, double global_baseline, ReliefIntdim **id, GError **error)
{
  g_autoptr(ReliefIntdim) old = relief_intdim_load (path, error);

  if (old == NULL)
    return FALSE;
  if (!intdim_matches (old, *id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s holds a sweep with other settings; choose another output"), path);
      return FALSE;
    }
  if (!intdim_same_data (old, *id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s holds a sweep on other data (samples, noise, classes, data seed or test fraction); "
                     "choose another output"), path);
      return FALSE;
    }
  old->gen = (*id)->gen;
  old->has_gen = TRUE;
  old->global_baseline = global_baseline;
  relief_intdim_free (*id);
  *id = g_steal_pointer (&old);
  return TRUE;
}

/* d_int90 both ways, over test accuracy when the dataset has a test split. */
static void
intdim_update_dint90 (ReliefIntdim *id)
{
  gboolean test = !isnan (id->baseline_test_acc);
  const double *acc = test ? id->test_acc : id->train_acc;
  double baseline = test ? id->baseline_test_acc : id->baseline_train_acc;

  relief_dint90 (id->dims, acc, id->K, id->n_seeds, baseline, &id->dint90_individual_mean,
                 &id->dint90_individual_std);
  relief_dint90 (id->dims, acc, id->K, id->n_seeds, id->global_baseline, &id->dint90_global_mean,
                 &id->dint90_global_std);
}

typedef struct {
  const ReliefJobCallbacks *cb;
  ReliefTrainMetrics        last;
} IntdimContext;

static gboolean
on_intdim_metrics (const ReliefTrainMetrics *m, gpointer user_data, GError **error)
{
  IntdimContext *ctx = user_data;

  ctx->last = *m;
  return TRUE;
}

static void
on_intdim_progress (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data)
{
  IntdimContext *ctx = user_data;

  if (ctx->cb && ctx->cb->progress && total_steps > 0)
    ctx->cb->progress ((double) step / total_steps, ctx->cb->user_data);
}

static void
intdim_announce (const ReliefJobCallbacks *cb, int k, int seed)
{
  if (cb && cb->intdim_cell)
    cb->intdim_cell (k, seed, cb->user_data);
  if (cb && cb->progress)
    cb->progress (0, cb->user_data);
}

/* Saves the sweep and shows it. */
static gboolean
intdim_commit (const ReliefIntdim *id, const char *path, const ReliefJobCallbacks *cb, ReliefTrainStatus status,
               GError **error)
{
  if (!relief_intdim_save (id, path, error))
    return FALSE;
  if (cb && cb->intdim_sweep)
    cb->intdim_sweep (id, status, cb->user_data);
  return TRUE;
}

gboolean
relief_intdim_job_run (const ReliefIntdimJob *job, const ReliefJobCallbacks *cb, GCancellable *cancellable,
                       int *cells_run, ReliefIntdim **result, GError **error)
{
  const ReliefTrainJob *base = &job->base;
  g_autoptr(ReliefDataset) ds = NULL;
  g_autoptr(ReliefBackend) backend = NULL;
  g_autoptr(ReliefIntdim) id = NULL;
  g_autofree int *sizes = NULL;
  g_autofree float *params = NULL;
  IntdimContext ctx = { cb, { 0 } };
  ReliefTrainCallbacks tcb = { on_intdim_metrics, NULL, on_intdim_progress, &ctx };
  gsize D;

  *cells_run = 0;
  ds = relief_dataset_open (base->dataset, &base->gen, error);
  if (ds == NULL || !relief_dataset_validate (ds, error))
    return FALSE;
  if (base->train.batch_size < 1 || base->train.epochs < 1 || job->n_seeds < 1 ||
      !(base->train.optimizer.lr > 0) || !isfinite (base->train.optimizer.lr))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The batch size, epochs and seeds must be at least 1 and the learning rate positive"));
      return FALSE;
    }

  id = relief_intdim_new (job->K, job->n_seeds);
  memcpy (id->dims, job->dims, sizeof (gint64) * job->K);
  sizes = g_new (int, base->n_hidden + 2);
  sizes[0] = ds->n_features;
  for (int i = 0; i < base->n_hidden; i++)
    sizes[i + 1] = base->hidden[i];
  sizes[base->n_hidden + 1] = ds->n_classes;
  id->spec = relief_mlp_spec_new (sizes, base->n_hidden + 2, base->activation, base->loss);
  id->projection = g_strdup (relief_projection_kind_to_string (job->projection));
  id->dataset = g_strdup (base->dataset);
  id->config = base->train;
  id->gen = base->gen;
  id->has_gen = TRUE;
  id->global_baseline = job->global_baseline;
  D = relief_mlp_spec_n_params (id->spec);
  if (job->dims[job->K - 1] > (gint64) D)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The largest dimension %lld exceeds the model’s %llu parameters"),
                   (long long) job->dims[job->K - 1], (unsigned long long) D);
      return FALSE;
    }

  if (g_file_test (base->output, G_FILE_TEST_EXISTS) &&
      !intdim_resume (base->output, job->global_baseline, &id, error))
    return FALSE;

  backend = open_backend (base->backend, cb, error);
  if (backend == NULL)
    return FALSE;
  g_free (id->backend);
  id->backend = g_strdup (backend->name);
  params = g_new (float, D);
  if (cb && cb->intdim_sweep)
    cb->intdim_sweep (id, RELIEF_TRAIN_COMPLETED, cb->user_data);

  if (isnan (id->baseline_train_acc))
    {
      ReliefTrainStatus st;

      intdim_announce (cb, -1, 0);
      relief_mlp_init_params (id->spec, id->config.seed, params);
      st = relief_train (backend, id->spec, ds, &id->config, params, &tcb, cancellable, error);
      if (st == RELIEF_TRAIN_FAILED)
        return FALSE;
      if (st == RELIEF_TRAIN_CANCELLED)
        return !g_cancellable_set_error_if_cancelled (cancellable, error);
      id->baseline_train_acc = ctx.last.train_acc;
      id->baseline_test_acc = ctx.last.test_acc;
      (*cells_run)++;
      if (!intdim_commit (id, base->output, cb, st, error))
        return FALSE;
    }

  for (int k = 0; k < id->K; k++)
    for (int s = 0; s < id->n_seeds; s++)
      {
        gsize cell = (gsize) k * id->n_seeds + s;
        ReliefTrainConfig config = id->config;
        g_autoptr(ReliefProjection) proj = NULL;
        ReliefSubspaceResult res;
        ReliefTrainStatus st;

        if (!isnan (id->train_acc[cell]))
          continue;
        config.seed = id->config.seed + (guint64) s;
        intdim_announce (cb, k, s);
        proj = relief_projection_new (backend, job->projection, D, (gsize) id->dims[k], config.seed, error);
        if (proj == NULL)
          return FALSE;
        relief_mlp_init_params (id->spec, config.seed, params);
        st = relief_subspace_train (backend, id->spec, ds, &config, proj, params, NULL, &tcb, &res, cancellable,
                                    error);
        if (st == RELIEF_TRAIN_FAILED)
          return FALSE;
        if (st == RELIEF_TRAIN_CANCELLED)
          return !g_cancellable_set_error_if_cancelled (cancellable, error);
        id->train_acc[cell] = res.train_acc;
        id->test_acc[cell] = res.test_acc;
        id->final_loss[cell] = res.train_loss;
        (*cells_run)++;
        intdim_update_dint90 (id);
        if (!intdim_commit (id, base->output, cb, st, error))
          return FALSE;
      }
  intdim_update_dint90 (id);
  if (!relief_intdim_save (id, base->output, error))
    return FALSE;
  if (result)
    *result = g_steal_pointer (&id);
  return TRUE;
}

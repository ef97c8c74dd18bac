#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-run-file.h"
#include "relief-train-job.h"
#include "relief-enums.h"
#include "relief-work-dir.h"
#include "relief-output.h"

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
  job->backend = RELIEF_BACKEND_AUTO;
}

void
relief_train_job_clear (ReliefTrainJob *job)
{
  g_clear_pointer (&job->dataset, g_free);
  g_clear_pointer (&job->hidden, g_free);
  g_clear_pointer (&job->output, g_free);
}

typedef struct {
  const ReliefTrainJobCallbacks *cb;
  ReliefRunWriter               *writer;
  const ReliefMlpSpec           *spec;
  const ReliefDataset           *ds;
  ReliefSaveClock                clock;
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

  if (!relief_run_writer_add_snapshot (ctx->writer, step, epoch, params, error))
    return FALSE;
  if (ctx->cb && ctx->cb->snapshot)
    ctx->cb->snapshot (ctx->spec, ctx->ds, step, params, ctx->cb->user_data);
  return TRUE;
}

static gboolean
on_train_complexity (const ReliefComplexityRow *row, gpointer user_data, GError **error)
{
  TrainContext *ctx = user_data;

  if (!relief_run_writer_add_complexity (ctx->writer, row, error))
    return FALSE;
  if (ctx->cb && ctx->cb->complexity)
    ctx->cb->complexity (row, ctx->cb->user_data);
  return TRUE;
}

static gboolean
on_train_curvature (const ReliefCurvatureRow *row, gpointer user_data, GError **error)
{
  TrainContext *ctx = user_data;

  if (!relief_run_writer_add_curvature (ctx->writer, row, error))
    return FALSE;
  if (ctx->cb && ctx->cb->curvature)
    ctx->cb->curvature (row, ctx->cb->user_data);
  return TRUE;
}

static void
on_train_progress (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data)
{
  TrainContext *ctx = user_data;

  if (ctx->cb && ctx->cb->progress && total_steps > 0)
    ctx->cb->progress ((double) step / (double) total_steps, ctx->cb->user_data);
}

static gboolean
on_train_checkpoint_due (gpointer user_data)
{
  TrainContext *ctx = user_data;

  return relief_save_clock_due (&ctx->clock);
}

/* Every few seconds the run so far goes to the output; a cancelled run keeps its state in
 * the file it ends with. */
static gboolean
on_train_checkpoint (const ReliefTrainState *state, gpointer user_data, GError **error)
{
  TrainContext *ctx = user_data;
  gint64 began = g_get_monotonic_time ();
  gboolean ok;

  if (state->cancelled)
    return relief_run_writer_set_resume (ctx->writer, state, error);
  ok = relief_run_writer_checkpoint (ctx->writer, state, error);
  relief_save_clock_saved (&ctx->clock, began);
  return ok;
}

static gboolean
on_train_diverged (gint64 last_step, gint64 diverged_step, gpointer user_data, GError **error)
{
  TrainContext *ctx = user_data;

  if (!relief_run_writer_set_diverged (ctx->writer, last_step, diverged_step, error))
    return FALSE;
  if (ctx->cb && ctx->cb->diverged)
    ctx->cb->diverged (last_step, diverged_step, ctx->cb->user_data);
  return TRUE;
}

static gboolean
same_config (const ReliefTrainConfig *a, const ReliefTrainConfig *b)
{
  const ReliefOptimizerConfig *oa = &a->optimizer, *ob = &b->optimizer;

  return oa->kind == ob->kind && oa->lr == ob->lr && oa->momentum == ob->momentum &&
         oa->weight_decay == ob->weight_decay && oa->beta1 == ob->beta1 && oa->beta2 == ob->beta2 &&
         oa->eps == ob->eps && a->batch_size == b->batch_size && a->epochs == b->epochs &&
         a->snapshot_every == b->snapshot_every && a->eval_every == b->eval_every &&
         a->eval_samples == b->eval_samples && a->seed == b->seed && a->curvature_every == b->curvature_every &&
         a->curvature_samples == b->curvature_samples && a->curvature_trace == b->curvature_trace &&
         a->curvature_min == b->curvature_min && a->complexity_every == b->complexity_every &&
         a->complexity_radius == b->complexity_radius && a->complexity_points == b->complexity_points &&
         a->complexity_samples == b->complexity_samples && a->init_scale == b->init_scale &&
         a->eval_per_decade == b->eval_per_decade && a->complexity_per_decade == b->complexity_per_decade;
}

static gboolean
same_spec (const ReliefMlpSpec *a, const ReliefMlpSpec *b)
{
  return a->n_layers == b->n_layers && a->activation == b->activation && a->loss == b->loss &&
         memcmp (a->sizes, b->sizes, (a->n_layers + 1) * sizeof (int)) == 0;
}

static gboolean
same_split (const float *xa, const int32_t *ya, const float *xb, const int32_t *yb, gsize n, int n_features)
{
  if (n == 0)
    return TRUE;
  return xa != NULL && xb != NULL && ya != NULL && yb != NULL &&
         memcmp (xa, xb, n * n_features * sizeof (float)) == 0 && memcmp (ya, yb, n * sizeof (int32_t)) == 0;
}

/* The same samples in the same order, bit for bit. */
static gboolean
same_data (const ReliefDataset *a, const ReliefDataset *b)
{
  return a->n_features == b->n_features && a->n_classes == b->n_classes && a->n_train == b->n_train &&
         a->n_test == b->n_test &&
         same_split (a->x_train, a->y_train, b->x_train, b->y_train, a->n_train, a->n_features) &&
         same_split (a->x_test, a->y_test, b->x_test, b->y_test, a->n_test, a->n_features);
}

/* The same generated samples, made with the same standardization. */
static gboolean
same_samples (const ReliefDataset *a, const ReliefDataset *b)
{
  return b != NULL && b->generated && g_strcmp0 (a->name, b->name) == 0 && a->mean == b->mean && a->std == b->std &&
         same_data (a, b);
}

/* Whether the run file at the output is this job's run: the same model, training settings,
 * backend and samples, so that going on from its state gives the whole run. */
static gboolean
same_run (const ReliefRun *old, const ReliefMlpSpec *spec, const ReliefTrainConfig *c, const char *backend_name,
          const ReliefDataset *ds)
{
  return same_spec (old->spec, spec) && same_config (&old->config, c) && g_strcmp0 (old->backend, backend_name) == 0 &&
         same_data (old->dataset, ds);
}

/* The writer that continues the run at the output, or NULL with *finished set when that
 * run has ended already, or NULL with an error.  *state is where to go on from. */
static ReliefRunWriter *
continue_run (const ReliefTrainJob *job, const ReliefMlpSpec *spec, const ReliefDataset *ds,
              const char *backend_name, const ReliefTrainState **state, ReliefTrainStatus *finished, GError **error)
{
  g_autoptr(ReliefRun) old = relief_run_load (job->output, TRUE, error);

  if (old == NULL)
    return NULL;
  if (!same_run (old, spec, &job->train, backend_name, ds))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s holds a different run (model, training settings, data or backend); "
                     "remove it or leave out --resume"),
                   job->output);
      return NULL;
    }
  if (g_strcmp0 (old->status, "completed") == 0 || g_strcmp0 (old->status, "diverged") == 0)
    {
      relief_enum_from_nick (RELIEF_TYPE_TRAIN_STATUS, old->status, (int *) finished, NULL);
      return NULL;
    }
  if (!old->resumable)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s holds a run that stopped without a saved state to continue from; "
                     "remove it or leave out --resume"),
                   job->output);
      return NULL;
    }
  return relief_run_writer_continue (job->output, spec, job->train.optimizer.kind, state, error);
}

gboolean
relief_train_job_run (const ReliefTrainJob          *job,
                      const ReliefTrainJobCallbacks *cb,
                      GCancellable                  *cancellable,
                      ReliefTrainStatus             *status,
                      GError                       **error)
{
  g_autoptr(ReliefOutputLock) lock = NULL;
  g_autoptr(ReliefDataset) ds = NULL;
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autoptr(ReliefBackend) backend = NULL;
  g_autofree float *params = NULL;
  g_autofree char *what = NULL;
  ReliefJobEstimate estimate = { 0 };
  TrainContext ctx = { cb, NULL, NULL, NULL, { 0 } };
  ReliefTrainCallbacks tcb = {
    .metrics = on_train_metrics,
    .snapshot = on_train_snapshot,
    .progress = on_train_progress,
    .user_data = &ctx,
    .checkpoint_due = on_train_checkpoint_due,
    .checkpoint = on_train_checkpoint,
    .diverged = on_train_diverged,
    .curvature = on_train_curvature,
    .complexity = on_train_complexity,
  };
  const ReliefTrainState *from = NULL;
  ReliefTrainStatus st, finished = RELIEF_TRAIN_FAILED;

  g_return_val_if_fail (job->output != NULL, FALSE);

  /* One writer per run file, from before the data is read to the rename. */
  lock = relief_output_lock (job->output, error);
  if (lock == NULL)
    return FALSE;

  /* Not relief_job_open_dataset: relief_train validates the samples before it reads
   * them (and the writer, aborted then, reads none by label), and once is enough. */
  ds = relief_dataset_open_first (job->dataset, &job->gen, job->max_samples, error);
  if (ds == NULL)
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

  spec = relief_job_model_spec (ds, job->hidden, job->n_hidden, job->activation, job->loss);
  backend = relief_job_open_backend (job->backend, cb ? cb->backend_chosen : NULL, cb ? cb->user_data : NULL,
                                     error);
  if (backend == NULL)
    return FALSE;

  /* A model too large for the memory is refused before anything of its size is
   * allocated; a large one says what it will take. */
  relief_job_estimate_training (spec, ds, &job->train, g_strcmp0 (backend->name, "cpu") == 0, &estimate);
  what = g_strdup_printf (_("Training a model of %llu parameters"),
                          (unsigned long long) relief_mlp_spec_n_params (spec));
  if (!relief_job_check_estimate (backend, what, &estimate, error))
    return FALSE;
  if (estimate.flops >= RELIEF_JOB_TIMED_FLOPS &&
      !relief_job_time_training (backend, spec, ds, &job->train, 0, &estimate.seconds))
    estimate.seconds = 0;
  if (cb && cb->estimate)
    cb->estimate (&estimate, cb->user_data);
  params = g_try_new (float, relief_mlp_spec_n_params (spec));
  if (params == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory for a model with %llu parameters"),
                   (unsigned long long) relief_mlp_spec_n_params (spec));
      return FALSE;
    }
  relief_mlp_init_params (spec, job->train.seed, params);
  if (job->train.init_scale != 1)
    for (gsize i = 0; i < relief_mlp_spec_n_params (spec); i++)
      params[i] = (float) (params[i] * job->train.init_scale);

  ctx.spec = spec;
  ctx.ds = ds;
  if (job->resume && g_file_test (job->output, G_FILE_TEST_EXISTS))
    {
      int batch = MIN (job->train.batch_size, ds->n_train);
      gint64 total = (gint64) ((ds->n_train + batch - 1) / batch) * job->train.epochs;

      ctx.writer = continue_run (job, spec, ds, backend->name, &from, &finished, error);
      if (ctx.writer == NULL && finished == RELIEF_TRAIN_FAILED)
        return FALSE;
      if (cb && cb->resumed)
        cb->resumed (ctx.writer != NULL ? from->step : total, total, cb->user_data);
      if (ctx.writer == NULL)
        {
          if (status)
            *status = finished;
          return TRUE;
        }
    }
  else
    ctx.writer = relief_run_writer_new (job->output, spec, &job->train, backend->name, ds, error);
  if (ctx.writer == NULL)
    return FALSE;

  relief_save_clock_init (&ctx.clock);
  st = relief_train_from (backend, spec, ds, &job->train, from, params, &tcb, cancellable, error);
  if (status)
    *status = st;
  if (st == RELIEF_TRAIN_FAILED)
    {
      relief_run_writer_abort (ctx.writer);
      return FALSE;
    }
  return relief_run_writer_finish (ctx.writer, relief_enum_to_nick (RELIEF_TYPE_TRAIN_STATUS, st), error);
}

char *
relief_train_job_stem (const ReliefTrainJob *job)
{
  return relief_work_dir_stem (job->dataset, job->hidden, job->n_hidden,
                               relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, job->activation));
}

ReliefRun *
relief_train_job_find_run (const ReliefTrainJob *job, char **path, GError **error)
{
  g_autoptr(ReliefDataset) ds = NULL;
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *stem = relief_train_job_stem (job);
  g_autofree char *prefix = g_strdup_printf ("%s-", stem);

  *path = NULL;
  ds = relief_job_open_dataset (job->dataset, &job->gen, job->max_samples, error);
  if (ds == NULL)
    return NULL;
  if (!ds->generated)
    return NULL;
  spec = relief_job_model_spec (ds, job->hidden, job->n_hidden, job->activation, job->loss);
  files = relief_work_dir_list (RELIEF_FILE_KIND_RUN, NULL, error);
  if (files == NULL)
    return NULL;
  /* Newest first; only files named for this data set and model are opened. */
  for (guint i = files->len; i-- > 0;)
    {
      const ReliefWorkFile *file = files->pdata[i];
      g_autofree char *name = g_path_get_basename (file->path);
      g_autoptr(ReliefRun) run = NULL;

      if (!g_str_has_prefix (name, prefix))
        continue;
      /* A run that does not load is not this one; the listing already checked its kind. */
      run = relief_run_load (file->path, TRUE, NULL);
      if (run == NULL || g_strcmp0 (run->status, "completed") != 0 || !same_spec (run->spec, spec) ||
          !same_config (&run->config, &job->train) || !same_samples (ds, run->dataset))
        continue;
      if (job->backend != RELIEF_BACKEND_AUTO &&
          g_strcmp0 (run->backend, relief_enum_to_nick (RELIEF_TYPE_BACKEND_KIND, job->backend)) != 0)
        continue;
      *path = g_strdup (file->path);
      return g_steal_pointer (&run);
    }
  return NULL;
}

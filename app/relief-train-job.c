#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-run-file.h"
#include "relief-train-job.h"
#include "relief-enums.h"
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

  return relief_run_writer_add_snapshot (ctx->writer, step, epoch, params, error);
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
same_split (const float *xa, const int32_t *ya, const float *xb, const int32_t *yb, int n, int n_features)
{
  return n == 0 ||
         (memcmp (xa, xb, sizeof (float) * n * n_features) == 0 && memcmp (ya, yb, sizeof (int32_t) * n) == 0);
}

/* Whether the run file at the output is this job's run: the same model, training settings,
 * backend and samples, so that going on from its state gives the whole run. */
static gboolean
same_run (const ReliefRun *old, const ReliefMlpSpec *spec, const ReliefTrainConfig *c, const char *backend_name,
          const ReliefDataset *ds)
{
  const ReliefTrainConfig *o = &old->config;
  const ReliefDataset *ods = old->dataset;

  if (old->spec->n_layers != spec->n_layers || old->spec->activation != spec->activation ||
      old->spec->loss != spec->loss)
    return FALSE;
  for (int i = 0; i <= spec->n_layers; i++)
    if (old->spec->sizes[i] != spec->sizes[i])
      return FALSE;
  return o->optimizer.kind == c->optimizer.kind && o->optimizer.lr == c->optimizer.lr &&
         o->optimizer.momentum == c->optimizer.momentum && o->optimizer.weight_decay == c->optimizer.weight_decay &&
         o->optimizer.beta1 == c->optimizer.beta1 && o->optimizer.beta2 == c->optimizer.beta2 &&
         o->optimizer.eps == c->optimizer.eps && o->batch_size == c->batch_size && o->epochs == c->epochs &&
         o->snapshot_every == c->snapshot_every && o->eval_every == c->eval_every &&
         o->eval_samples == c->eval_samples && o->seed == c->seed && g_strcmp0 (old->backend, backend_name) == 0 &&
         ods->n_features == ds->n_features && ods->n_classes == ds->n_classes && ods->n_train == ds->n_train &&
         ods->n_test == ds->n_test &&
         same_split (ods->x_train, ods->y_train, ds->x_train, ds->y_train, ds->n_train, ds->n_features) &&
         same_split (ods->x_test, ods->y_test, ds->x_test, ds->y_test, ds->n_test, ds->n_features);
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
  TrainContext ctx = { cb, NULL, { 0 } };
  ReliefTrainCallbacks tcb = {
    .metrics = on_train_metrics,
    .snapshot = on_train_snapshot,
    .progress = on_train_progress,
    .user_data = &ctx,
    .checkpoint_due = on_train_checkpoint_due,
    .checkpoint = on_train_checkpoint,
    .diverged = on_train_diverged,
  };
  const ReliefTrainState *from = NULL;
  ReliefTrainStatus st, finished = RELIEF_TRAIN_FAILED;

  g_return_val_if_fail (job->output != NULL, FALSE);

  /* One writer per run file, from before the data is read to the rename. */
  lock = relief_output_lock (job->output, error);
  if (lock == NULL)
    return FALSE;

  ds = relief_job_open_dataset (job->dataset, &job->gen, job->max_samples, error);
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

  params = g_try_new (float, relief_mlp_spec_n_params (spec));
  if (params == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory for a model with %llu parameters"),
                   (unsigned long long) relief_mlp_spec_n_params (spec));
      return FALSE;
    }
  relief_mlp_init_params (spec, job->train.seed, params);

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

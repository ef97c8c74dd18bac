#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-run-file.h"
#include "relief-train-job.h"
#include "relief-enums.h"

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

gboolean
relief_train_job_run (const ReliefTrainJob          *job,
                      const ReliefTrainJobCallbacks *cb,
                      GCancellable                  *cancellable,
                      ReliefTrainStatus             *status,
                      GError                       **error)
{
  g_autoptr(ReliefDataset) ds = NULL;
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autoptr(ReliefBackend) backend = NULL;
  g_autofree float *params = NULL;
  g_autofree char *what = NULL;
  ReliefJobEstimate estimate = { 0 };
  TrainContext ctx = { cb, NULL };
  ReliefTrainCallbacks tcb = { on_train_metrics, on_train_snapshot, on_train_progress, &ctx };
  ReliefTrainStatus st;

  g_return_val_if_fail (job->output != NULL, FALSE);

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
  return relief_run_writer_finish (ctx.writer, relief_enum_to_nick (RELIEF_TYPE_TRAIN_STATUS, st), error);
}

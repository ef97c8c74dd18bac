#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-run-file.h"
#include "relief-train-job.h"
#include "relief-enums.h"
#include "relief-work-dir.h"

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
  TrainContext ctx = { cb, NULL, NULL, NULL };
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

  params = g_try_new (float, relief_mlp_spec_n_params (spec));
  if (params == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory for a model with %llu parameters"),
                   (unsigned long long) relief_mlp_spec_n_params (spec));
      return FALSE;
    }
  relief_mlp_init_params (spec, job->train.seed, params);

  ctx.spec = spec;
  ctx.ds = ds;
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

char *
relief_train_job_stem (const ReliefTrainJob *job)
{
  return relief_work_dir_stem (job->dataset, job->hidden, job->n_hidden,
                               relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, job->activation));
}

static gboolean
same_config (const ReliefTrainConfig *a, const ReliefTrainConfig *b)
{
  const ReliefOptimizerConfig *oa = &a->optimizer, *ob = &b->optimizer;

  return oa->kind == ob->kind && oa->lr == ob->lr && oa->momentum == ob->momentum &&
         oa->weight_decay == ob->weight_decay && oa->beta1 == ob->beta1 && oa->beta2 == ob->beta2 &&
         oa->eps == ob->eps && a->batch_size == b->batch_size && a->epochs == b->epochs &&
         a->snapshot_every == b->snapshot_every && a->eval_every == b->eval_every &&
         a->eval_samples == b->eval_samples && a->seed == b->seed;
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

static gboolean
same_samples (const ReliefDataset *a, const ReliefDataset *b)
{
  return b != NULL && b->generated && g_strcmp0 (a->name, b->name) == 0 && a->n_features == b->n_features &&
         a->n_classes == b->n_classes && a->n_train == b->n_train && a->n_test == b->n_test &&
         a->mean == b->mean && a->std == b->std &&
         same_split (a->x_train, a->y_train, b->x_train, b->y_train, a->n_train, a->n_features) &&
         same_split (a->x_test, a->y_test, b->x_test, b->y_test, a->n_test, a->n_features);
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

/* relief-train.c: mini-batch training on a backend.
 *
 * The data set is uploaded once; each step gathers its rows on the device.  Every random
 * choice comes from relief-rng and every reduction runs in a fixed order, so a seed
 * reproduces a run bit for bit. */
#include "relief-train.h"
#include "relief-batcher.h"
#include "relief-stepper.h"

#include <glib/gi18n-lib.h>
#include <math.h>

void
relief_train_config_init_defaults (ReliefTrainConfig *config)
{
  *config = (ReliefTrainConfig) {
    .optimizer = {
      .kind = RELIEF_OPT_ADAM,
      .lr = 0.01f,
      .momentum = 0.9f,
      .weight_decay = 0.0f,
      .beta1 = 0.9f,
      .beta2 = 0.999f,
      .eps = 1e-8f,
    },
    .batch_size = 32,
    .epochs = 20,
    .snapshot_every = 0,
    .eval_every = 0,
    .seed = 0,
  };
}

/* Everything one run holds on the device, freed in one place. */
typedef struct {
  ReliefBackend *backend;
  ReliefMlp     *mlp;
  ReliefBatcher *batcher;
  float         *params;
  float         *params_before;   /* the parameters before the last update, for divergence */
  float         *grad;
  float         *state;
  float         *params_host;     /* host copy handed to snapshot callbacks */
  const ReliefOptimizerConfig *optimizer;
  gsize          n_params;
  ReliefStepper *stepper;
} TrainRun;

/* One step on the device: the prepared batch's gradient and the guarded update.  The
 * loss and the new parameters' sum of squares stay on the device for the fetch. */
static gboolean
train_step_body (gpointer data, const gint64 *step_dev, GError **error)
{
  TrainRun *run = data;
  const float *x_batch;
  const int32_t *y_batch;
  int rows;

  return relief_batcher_gather_prepared (run->batcher, &x_batch, &y_batch, &rows, error) &&
         relief_mlp_forward_backward (run->mlp, run->params, x_batch, y_batch, rows, run->grad, NULL, NULL, error) &&
         relief_stepper_update (run->backend, run->optimizer, step_dev, run->params, run->params_before, run->grad,
                                run->state, run->n_params, error);
}

static void
train_run_clear (TrainRun *run)
{
  ReliefBackend *be = run->backend;
  float **device_floats[] = { &run->params, &run->params_before, &run->grad, &run->state };

  g_clear_pointer (&run->stepper, relief_stepper_free);
  for (guint i = 0; i < G_N_ELEMENTS (device_floats); i++)
    if (*device_floats[i] != NULL)
      be->free (be, *device_floats[i]);
  g_clear_pointer (&run->batcher, relief_batcher_free);
  g_clear_pointer (&run->mlp, relief_mlp_free);
  g_free (run->params_host);
}

gboolean
relief_train_check_inputs (const ReliefMlpSpec *spec, const ReliefDataset *ds, const ReliefTrainConfig *config,
                           GError **error)
{
  if (!relief_dataset_validate (ds, error))
    return FALSE;
  if (spec->sizes[0] != ds->n_features || spec->sizes[spec->n_layers] != ds->n_classes)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The model maps %d inputs to %d outputs but the data set has %d features and %d classes"),
                   spec->sizes[0], spec->sizes[spec->n_layers], ds->n_features, ds->n_classes);
      return FALSE;
    }
  if (config->batch_size < 1 || config->epochs < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Batch size and epochs must be at least 1 (got %d, %d)"), config->batch_size, config->epochs);
      return FALSE;
    }
  return TRUE;
}

int
relief_train_workspace_rows (const ReliefDataset *ds, int batch_size)
{
  return MAX (MIN (batch_size, ds->n_train), MIN (1024, MAX (ds->n_train, ds->n_test)));
}

static gboolean
check_inputs (const ReliefMlpSpec *spec, const ReliefDataset *ds, const ReliefTrainConfig *config,
              GError **error)
{
  if (!relief_train_check_inputs (spec, ds, config, error))
    return FALSE;
  if (config->snapshot_every < 0 || config->eval_every < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Snapshot and evaluation intervals must be at least 0 (got %d, %d)"),
                   config->snapshot_every, config->eval_every);
      return FALSE;
    }
  return TRUE;
}

static gboolean
alloc_floats (ReliefBackend *be, float **out, gsize n, GError **error)
{
  *out = be->alloc (be, sizeof (float) * n, error);
  return *out != NULL;
}

static gboolean
emit_metrics (TrainRun *run, const ReliefDataset *ds, const ReliefTrainCallbacks *cb, gint64 step,
              gint64 total_steps, int steps_per_epoch, double batch_loss, GError **error)
{
  ReliefTrainMetrics m = {
    .step = step,
    .total_steps = total_steps,
    .epoch = (double) step / steps_per_epoch,
    .test_loss = NAN,
    .test_acc = NAN,
    .batch_loss = batch_loss,
  };

  if (cb == NULL || cb->metrics == NULL)
    return TRUE;
  if (!relief_mlp_evaluate (run->mlp, run->params, ds->x_train, ds->y_train, ds->n_train,
                            &m.train_loss, &m.train_acc, error))
    return FALSE;
  if (ds->n_test > 0 &&
      !relief_mlp_evaluate (run->mlp, run->params, ds->x_test, ds->y_test, ds->n_test,
                            &m.test_loss, &m.test_acc, error))
    return FALSE;
  return cb->metrics (&m, cb->user_data, error);
}

static gboolean
emit_snapshot (TrainRun *run, const ReliefTrainCallbacks *cb, gint64 step, int steps_per_epoch, gsize n_params,
               GError **error)
{
  ReliefBackend *be = run->backend;

  if (cb == NULL || cb->snapshot == NULL)
    return TRUE;
  return be->download (be, run->params_host, run->params, sizeof (float) * n_params, error) &&
         cb->snapshot (step, (double) step / steps_per_epoch, run->params_host, n_params, cb->user_data, error);
}

ReliefTrainStatus
relief_train (ReliefBackend *backend, const ReliefMlpSpec *spec, const ReliefDataset *ds,
              const ReliefTrainConfig *config, float *params_host,
              const ReliefTrainCallbacks *callbacks, GCancellable *cancellable,
              GError **error)
{
  ReliefBackend *be = backend;
  TrainRun run = { .backend = backend, .optimizer = &config->optimizer };
  ReliefTrainStatus status = RELIEF_TRAIN_COMPLETED;
  gsize n_params = relief_mlp_spec_n_params (spec);
  int steps_per_epoch, eval_every, state_size;
  gint64 total_steps, step = 0, last_metrics = -1, last_snapshot = -1;
  double batch_loss = NAN;
  gboolean ok = FALSE;

  if (!check_inputs (spec, ds, config, error))
    return RELIEF_TRAIN_FAILED;

  run.batcher = relief_batcher_new (be, ds, config->batch_size, config->seed, error);
  if (run.batcher == NULL)
    goto out;
  steps_per_epoch = relief_batcher_steps_per_epoch (run.batcher);
  total_steps = (gint64) steps_per_epoch * config->epochs;
  eval_every = config->eval_every > 0 ? config->eval_every : (int) MAX (1, total_steps / 100);
  state_size = relief_optimizer_state_size (config->optimizer.kind);

  /* One workspace serves both the steps and the full-set evaluations, which run in
   * chunks of up to 1024 rows. */
  run.mlp = relief_mlp_new (be, spec, relief_train_workspace_rows (ds, config->batch_size), error);
  if (run.mlp == NULL ||
      !alloc_floats (be, &run.params, n_params, error) ||
      !alloc_floats (be, &run.params_before, n_params, error) ||
      !alloc_floats (be, &run.grad, n_params, error) ||
      !alloc_floats (be, &run.state, MAX (1, (gsize) state_size * n_params), error) ||
      !be->upload (be, run.params, params_host, sizeof (float) * n_params, error) ||
      (run.stepper = relief_stepper_new (be, train_step_body, &run, error)) == NULL)
    goto out;
  run.params_host = g_new (float, n_params);
  run.n_params = n_params;

  if (!emit_metrics (&run, ds, callbacks, 0, total_steps, steps_per_epoch, batch_loss, error) ||
      !emit_snapshot (&run, callbacks, 0, steps_per_epoch, n_params, error))
    goto out;
  last_metrics = last_snapshot = 0;

  for (int epoch = 0; epoch < config->epochs && status == RELIEF_TRAIN_COMPLETED; epoch++)
    {
      for (int index = 0; index < steps_per_epoch; index++)
        {
          gboolean epoch_end = index == steps_per_epoch - 1;
          gboolean diverged;
          int rows;

          if (g_cancellable_is_cancelled (cancellable))
            {
              status = RELIEF_TRAIN_CANCELLED;
              break;
            }
          /* The step goes to the device whole and comes back in one fetch; a divergence
           * keeps the last finite parameters, as the snapshot callback promises. */
          if (!relief_batcher_prepare (run.batcher, epoch, index, &rows, error) ||
              !relief_stepper_run (run.stepper, step + 1, rows, error) ||
              !relief_stepper_check_update (be, run.params, run.params_before, n_params, rows, &batch_loss,
                                            &diverged, error))
            goto out;
          if (diverged)
            {
              status = RELIEF_TRAIN_DIVERGED;
              break;
            }
          step++;

          if (callbacks != NULL && callbacks->progress != NULL)
            callbacks->progress (step, total_steps, batch_loss, callbacks->user_data);
          if (step % eval_every == 0 || epoch_end)
            {
              if (!emit_metrics (&run, ds, callbacks, step, total_steps, steps_per_epoch, batch_loss, error))
                goto out;
              last_metrics = step;
            }
          if (config->snapshot_every > 0 ? step % config->snapshot_every == 0 : epoch_end)
            {
              if (!emit_snapshot (&run, callbacks, step, steps_per_epoch, n_params, error))
                goto out;
              last_snapshot = step;
            }
        }
    }

  /* The end of the run, whatever ended it: final metrics and parameters, once. */
  if (last_metrics != step &&
      !emit_metrics (&run, ds, callbacks, step, total_steps, steps_per_epoch, batch_loss, error))
    goto out;
  if (last_snapshot != step &&
      !emit_snapshot (&run, callbacks, step, steps_per_epoch, n_params, error))
    goto out;
  if (!be->download (be, params_host, run.params, sizeof (float) * n_params, error))
    goto out;
  ok = TRUE;

out:
  train_run_clear (&run);
  return ok ? status : RELIEF_TRAIN_FAILED;
}

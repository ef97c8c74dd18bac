/* relief-subspace.c: training z in theta = theta0 + P z, batched and guarded as relief_train. */
#include "relief-subspace.h"
#include "relief-batcher.h"
#include "relief-stepper.h"

#include <glib/gi18n-lib.h>
#include <math.h>

/* Everything one subspace run holds on the device, freed in one place. */
typedef struct {
  ReliefBackend *backend;
  ReliefMlp     *mlp;
  ReliefBatcher *batcher;
  float         *theta0;
  float         *theta;
  float         *grad;
  float         *z;
  float         *z_before;   /* z before the last update, kept on divergence */
  float         *z_before2;  /* and before the one before it: kept when the loss at z_before is not finite */
  float         *g_z;
  float         *state;
  ReliefProjection *proj;
  const ReliefOptimizerConfig *optimizer;
  ReliefStepper *stepper;
} SubspaceRun;

/* One subspace step on the device: theta = theta0 + P z, the gradient in theta on the
 * prepared batch, P^T of it, and the guarded update of z. */
static gboolean
subspace_step_body (gpointer data, const gint64 *step_dev, GError **error)
{
  SubspaceRun *run = data;
  const float *x_batch;
  const int32_t *y_batch;
  int rows;

  return relief_batcher_gather_prepared (run->batcher, &x_batch, &y_batch, &rows, error) &&
         relief_projection_forward (run->proj, run->theta0, run->z, run->theta, error) &&
         relief_mlp_forward_backward (run->mlp, run->theta, x_batch, y_batch, rows, run->grad, NULL, NULL, error) &&
         relief_projection_transpose (run->proj, run->grad, run->g_z, error) &&
         relief_stepper_update (run->backend, run->optimizer, step_dev, run->z, run->z_before, run->z_before2,
                                run->g_z, run->state, relief_projection_get_d (run->proj), error);
}

static void
subspace_run_clear (SubspaceRun *run)
{
  ReliefBackend *be = run->backend;
  gpointer buffers[] = { run->theta0, run->theta, run->grad, run->z, run->z_before, run->z_before2, run->g_z,
                         run->state };

  g_clear_pointer (&run->stepper, relief_stepper_free);
  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    if (buffers[i] != NULL)
      be->free (be, buffers[i]);
  g_clear_pointer (&run->batcher, relief_batcher_free);
  g_clear_pointer (&run->mlp, relief_mlp_free);
}

static gboolean
alloc_floats (ReliefBackend *be, float **out, gsize n, GError **error)
{
  *out = be->alloc (be, sizeof (float) * n, error);
  return *out != NULL;
}

static gboolean
check_inputs (const ReliefMlpSpec *spec, const ReliefDataset *ds, const ReliefTrainConfig *config,
              const ReliefProjection *proj, GError **error)
{
  if (!relief_train_check_inputs (spec, ds, config, error))
    return FALSE;
  if (relief_projection_get_D (proj) != relief_mlp_spec_n_params (spec))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The projection maps into %llu parameters but the model has %llu"),
                   (unsigned long long) relief_projection_get_D (proj),
                   (unsigned long long) relief_mlp_spec_n_params (spec));
      return FALSE;
    }
  return TRUE;
}

static gboolean
evaluate (SubspaceRun *run, ReliefProjection *proj, const ReliefDataset *ds, ReliefSubspaceResult *result,
          GError **error)
{
  result->test_loss = result->test_acc = NAN;
  if (!relief_projection_forward (proj, run->theta0, run->z, run->theta, error) ||
      !relief_mlp_evaluate (run->mlp, run->theta, ds->x_train, ds->y_train, ds->n_train,
                            &result->train_loss, &result->train_acc, error))
    return FALSE;
  return ds->n_test == 0 ||
         relief_mlp_evaluate (run->mlp, run->theta, ds->x_test, ds->y_test, ds->n_test,
                              &result->test_loss, &result->test_acc, error);
}

ReliefTrainStatus
relief_subspace_train (ReliefBackend *backend, const ReliefMlpSpec *spec, const ReliefDataset *ds,
                       const ReliefTrainConfig *config, ReliefProjection *proj, const float *theta0_host,
                       float *z_out_host, const ReliefTrainCallbacks *callbacks,
                       ReliefSubspaceResult *result, GCancellable *cancellable, GError **error)
{
  ReliefBackend *be = backend;
  SubspaceRun run = { .backend = backend, .proj = proj, .optimizer = &config->optimizer };
  ReliefTrainStatus status = RELIEF_TRAIN_COMPLETED;
  ReliefSubspaceResult res = { 0 };
  gsize D = relief_projection_get_D (proj), d = relief_projection_get_d (proj);
  int steps_per_epoch, state_size;
  gint64 total_steps, step = 0;
  gboolean ok = FALSE;

  if (!check_inputs (spec, ds, config, proj, error))
    return RELIEF_TRAIN_FAILED;
  if (relief_projection_get_backend (proj) != backend)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The projection lives on the %s backend, not on %s"), relief_projection_get_backend (proj)->name,
                   backend->name);
      return RELIEF_TRAIN_FAILED;
    }

  state_size = relief_optimizer_state_size (config->optimizer.kind);
  run.batcher = relief_batcher_new (be, ds, config->batch_size, config->seed, error);
  if (run.batcher == NULL)
    goto out;
  steps_per_epoch = relief_batcher_steps_per_epoch (run.batcher);
  total_steps = (gint64) steps_per_epoch * config->epochs;

  run.mlp = relief_mlp_new (be, spec, relief_train_workspace_rows (ds, config->batch_size), error);
  if (run.mlp == NULL ||
      !alloc_floats (be, &run.theta0, D, error) ||
      !alloc_floats (be, &run.theta, D, error) ||
      !alloc_floats (be, &run.grad, D, error) ||
      !alloc_floats (be, &run.z, d, error) ||
      /* Zero-filled, as z starts: a first step whose loss is not finite keeps z = 0. */
      !alloc_floats (be, &run.z_before, d, error) ||
      !alloc_floats (be, &run.z_before2, d, error) ||
      !alloc_floats (be, &run.g_z, d, error) ||
      !alloc_floats (be, &run.state, MAX (1, (gsize) state_size * d), error) ||
      !be->upload (be, run.theta0, theta0_host, sizeof (float) * D, error) ||
      (run.stepper = relief_stepper_new (be, subspace_step_body, &run, error)) == NULL)
    goto out;

  for (int epoch = 0; epoch < config->epochs && status == RELIEF_TRAIN_COMPLETED; epoch++)
    {
      for (int index = 0; index < steps_per_epoch; index++)
        {
          double batch_loss;
          int rows, undone;

          if (g_cancellable_is_cancelled (cancellable))
            {
              status = RELIEF_TRAIN_CANCELLED;
              break;
            }
          if (!relief_batcher_prepare (run.batcher, epoch, index, &rows, error) ||
              !relief_stepper_run (run.stepper, step + 1, rows, error) ||
              !relief_stepper_check_update (be, run.z, run.z_before, run.z_before2, d, rows, &batch_loss, NULL,
                                            &undone, error))
            goto out;
          /* As in relief_train: a divergence keeps the last z whose loss was finite (the
           * one before the step's start when the loss there was not), and the cell counts
           * with the accuracy there. */
          if (undone > 0)
            {
              if (undone == 2 && step > 0)
                step--;
              status = RELIEF_TRAIN_DIVERGED;
              break;
            }
          step++;
          if (callbacks != NULL && callbacks->progress != NULL)
            callbacks->progress (step, total_steps, batch_loss, callbacks->user_data);
        }
    }

  if (!evaluate (&run, proj, ds, &res, error) ||
      (z_out_host != NULL && !be->download (be, z_out_host, run.z, sizeof (float) * d, error)))
    goto out;
  res.steps = step;
  if (result != NULL)
    *result = res;
  ok = TRUE;

out:
  subspace_run_clear (&run);
  return ok ? status : RELIEF_TRAIN_FAILED;
}

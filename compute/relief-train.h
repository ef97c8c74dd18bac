/* relief-train.h: mini-batch training with progress, snapshots, cancel and divergence. */
#pragma once

#include <gio/gio.h>
#include "relief-mlp.h"

G_BEGIN_DECLS

typedef struct {
  ReliefOptimizerConfig optimizer;
  int      batch_size;
  int      epochs;
  int      snapshot_every;   /* steps between trajectory snapshots; 0: once per epoch */
  int      eval_every;       /* steps between full metrics; 0: about 100 points over the run, at least once per epoch */
  guint64  seed;             /* initialization and mini-batch order */
} ReliefTrainConfig;

void        relief_train_config_init_defaults (ReliefTrainConfig *config);
const char *relief_optimizer_to_string   (ReliefOptimizerKind kind);
gboolean    relief_optimizer_from_string (const char *s, ReliefOptimizerKind *out, GError **error);

typedef struct {
  gint64  step;          /* optimizer steps taken */
  gint64  total_steps;
  double  epoch;         /* step / steps_per_epoch */
  double  train_loss;    /* over the whole training set */
  double  train_acc;     /* fraction */
  double  test_loss;     /* NaN without a test split */
  double  test_acc;
  double  batch_loss;    /* the last mini-batch's loss */
} ReliefTrainMetrics;

typedef enum {
  RELIEF_TRAIN_COMPLETED,
  RELIEF_TRAIN_CANCELLED,
  RELIEF_TRAIN_DIVERGED,   /* the loss became NaN or infinite; the run is kept up to there */
  RELIEF_TRAIN_FAILED,     /* error is set */
} ReliefTrainStatus;

const char *relief_train_status_to_string (ReliefTrainStatus status);

typedef struct {
  /* Called at step 0 (before training) and every eval_every steps, and at the end. */
  gboolean (*metrics)  (const ReliefTrainMetrics *m, gpointer user_data, GError **error);
  /* Called with host parameters at step 0, every snapshot_every steps and at the end
   * (the final parameters; also after cancel or divergence, with the last finite ones). */
  gboolean (*snapshot) (gint64 step, double epoch, const float *params, gsize n_params,
                        gpointer user_data, GError **error);
  /* Called after every step with the fraction done, cheap; may be NULL. */
  void     (*progress) (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data);
  gpointer user_data;
} ReliefTrainCallbacks;

/* The training set on the device and its shuffled mini-batches: epoch e visits the rows
 * in the order relief_rng_permutation (relief_rng_derive (seed, "shuffle"), e), batch_size
 * (capped at the set's size) at a time, the last batch of an epoch possibly shorter.
 * relief_train and relief_subspace_train draw their batches from it. */
typedef struct _ReliefBatcher ReliefBatcher;

ReliefBatcher *relief_batcher_new  (ReliefBackend *backend, const ReliefDataset *ds, int batch_size, guint64 seed,
                                    GError **error);
void           relief_batcher_free (ReliefBatcher *batcher);
int            relief_batcher_steps_per_epoch (const ReliefBatcher *batcher);
int            relief_batcher_batch_size      (const ReliefBatcher *batcher);
/* Batch `index` (0 .. steps_per_epoch - 1) of `epoch`, in two halves so that a step can be
 * recorded as a graph: prepare puts the batch's row indices into a device buffer of the
 * batcher (and returns its rows); gather_prepared then queues only the device gathers
 * from that buffer into the batcher's x and y buffers, the same calls for every batch. */
gboolean       relief_batcher_prepare (ReliefBatcher *batcher, int epoch, int index, int *rows, GError **error);
gboolean       relief_batcher_gather_prepared (ReliefBatcher *batcher, const float **x, const int32_t **y,
                                               int *rows, GError **error);

/* The checks every trainer makes: a valid data set whose features and classes match the
 * model, and a batch size and epoch count of at least 1. */
gboolean relief_train_check_inputs (const ReliefMlpSpec *spec, const ReliefDataset *ds,
                                    const ReliefTrainConfig *config, GError **error);
/* Rows for a trainer's workspace: the batch, or up to 1024 for full-set evaluations. */
int      relief_train_workspace_rows (const ReliefDataset *ds, int batch_size);

/* The guarded update both trainers make after a forward/backward whose loss was left on
 * the device (relief_mlp_forward_backward with NULL mean_loss and correct), in two halves.
 * relief_train_update queues the device work: a copy of x in x_before, the optimizer step
 * of x with grad (of n values) at the step count in step_dev, and x's sum of squares,
 * deferred.  relief_train_check_update reads the batch's loss and that sum back in one
 * fetch and undoes the step when either is not finite (the loss: x already overflowed the
 * model; the squares: the step did); *batch_loss gets the batch's mean loss and *diverged
 * whether the step was undone. */
gboolean relief_train_update       (ReliefBackend *backend, const ReliefOptimizerConfig *optimizer,
                                    const gint64 *step_dev, float *x, float *x_before, const float *grad,
                                    float *state, gsize n, GError **error);
gboolean relief_train_check_update (ReliefBackend *backend, float *x, const float *x_before, gsize n, int rows,
                                    double *batch_loss, gboolean *diverged, GError **error);

/* Runs a trainer's step body, recorded once as a graph and replayed where the backend
 * records graphs (CUDA), launch by launch elsewhere.  The body only queues device work and
 * reads what changes between steps from device memory: the batch from
 * relief_batcher_prepare's buffer, the step count from step_dev, which
 * relief_stepper_run writes before each step.  A batch of another size (an epoch's short
 * last batch) runs launch by launch; a recording that fails falls back to that for good.
 * The environment variable RELIEF_GRAPHS=0 turns recording off (to compare timings). */
typedef gboolean (*ReliefStepBody) (gpointer data, const gint64 *step_dev, GError **error);
typedef struct _ReliefStepper ReliefStepper;

ReliefStepper *relief_stepper_new  (ReliefBackend *backend, ReliefStepBody body, gpointer data, GError **error);
void           relief_stepper_free (ReliefStepper *stepper);
/* Runs the body for optimizer step `step` (from 1) over a batch of `rows` rows. */
gboolean       relief_stepper_run  (ReliefStepper *stepper, gint64 step, int rows, GError **error);
/* Whether steps are being replayed from a recorded graph. */
gboolean       relief_stepper_is_replaying (const ReliefStepper *stepper);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefStepper, relief_stepper_free)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefBatcher, relief_batcher_free)

/* Train spec on ds.  params_host holds the initialization on entry (see
 * relief_mlp_init_params) and the final parameters on return.  A callback returning FALSE
 * stops training with RELIEF_TRAIN_FAILED and its error. */
ReliefTrainStatus relief_train (ReliefBackend *backend, const ReliefMlpSpec *spec, const ReliefDataset *ds,
                                const ReliefTrainConfig *config, float *params_host,
                                const ReliefTrainCallbacks *callbacks, GCancellable *cancellable,
                                GError **error);

G_END_DECLS

/* relief-stepper.h: a trainer's step, replayed as a recorded graph where the backend
 * records graphs, and the guarded update that ends it. */
#pragma once

#include <gio/gio.h>
#include "relief-backend.h"

G_BEGIN_DECLS

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

/* The guarded update both trainers make after a forward/backward whose loss was left on
 * the device (relief_mlp_forward_backward with NULL mean_loss and correct), in two halves.
 * relief_stepper_update queues the device work: a copy of x_before in x_before2 (when not
 * NULL), a copy of x in x_before, the optimizer step of x with grad (of n values) at the
 * step count in step_dev, and x's sum of squares, deferred.  relief_stepper_check_update
 * reads the batch's loss and that sum back in one fetch and undoes what is not finite:
 * when the loss is not (x_before, the point the step started from, already overflowed the
 * model) x goes back to x_before2, the point before that, and *undone is 2 (x_before
 * without an x_before2, and *undone 1); when only the squares are (the step overflowed)
 * x goes back to x_before and *undone is 1; otherwise *undone is 0.  *batch_loss gets the
 * batch's mean loss and *correct (may be NULL) its rows whose argmax is their label. */
gboolean relief_stepper_update       (ReliefBackend *backend, const ReliefOptimizerConfig *optimizer,
                                      const gint64 *step_dev, float *x, float *x_before, float *x_before2,
                                      const float *grad, float *state, gsize n, GError **error);
gboolean relief_stepper_check_update (ReliefBackend *backend, float *x, const float *x_before,
                                      const float *x_before2, gsize n, int rows, double *batch_loss, int *correct,
                                      int *undone, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefStepper, relief_stepper_free)

G_END_DECLS

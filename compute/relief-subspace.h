/* relief-subspace.h: training in a random subspace, theta = theta0 + P z (Li, Farkhoor,
 * Liu, Yosinski 2018, "Measuring the Intrinsic Dimension of Objective Landscapes").
 *
 * Only z (d values, starting at 0) is trained; P is a relief-projection. */
#pragma once

#include <gio/gio.h>
#include "relief-backend.h"
#include "relief-projection.h"
#include "relief-train.h"

G_BEGIN_DECLS

typedef struct {
  gint64 steps;
  double train_loss, train_acc;  /* over the whole training set, at the final z */
  double test_loss, test_acc;    /* NaN without a test split */
} ReliefSubspaceResult;

/* Train z from 0 with theta0_host frozen, batching and shuffling exactly as relief_train.
 * z_out_host (d floats, may be NULL) receives the final z.  Of callbacks only progress is
 * called (after every step); callbacks may be NULL.  On divergence the last finite z is
 * kept and evaluated. */
ReliefTrainStatus relief_subspace_train (ReliefBackend *backend, const ReliefMlpSpec *spec,
                                         const ReliefDataset *ds, const ReliefTrainConfig *config,
                                         ReliefProjection *proj, const float *theta0_host,
                                         float *z_out_host, const ReliefTrainCallbacks *callbacks,
                                         ReliefSubspaceResult *result, GCancellable *cancellable,
                                         GError **error);

G_END_DECLS

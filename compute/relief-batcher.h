/* relief-batcher.h: shuffled mini-batches gathered on the device. */
#pragma once

#include <gio/gio.h>
#include "relief-backend.h"
#include "relief-dataset.h"

G_BEGIN_DECLS

/* The training set on the device and its shuffled mini-batches: epoch e visits the rows
 * in the order relief_rng_permutation (relief_rng_derive (seed, "shuffle"), e), batch_size
 * (capped at the set's size) at a time, the last batch of an epoch possibly shorter.
 * relief_train and relief_subspace_train draw their batches from it. */
typedef struct _ReliefBatcher ReliefBatcher;

ReliefBatcher *relief_batcher_new  (ReliefBackend *backend, const ReliefDataset *ds, int batch_size, guint64 seed,
                                    GError **error);
void           relief_batcher_free (ReliefBatcher *batcher);
int            relief_batcher_steps_per_epoch (const ReliefBatcher *batcher);
/* Batch `index` (0 .. steps_per_epoch - 1) of `epoch`, in two halves so that a step can be
 * recorded as a graph: prepare puts the batch's row indices into a device buffer of the
 * batcher (and returns its rows); gather_prepared then queues only the device gathers
 * from that buffer into the batcher's x and y buffers, the same calls for every batch. */
gboolean       relief_batcher_prepare (ReliefBatcher *batcher, int epoch, int index, int *rows, GError **error);
gboolean       relief_batcher_gather_prepared (ReliefBatcher *batcher, const float **x, const int32_t **y,
                                               int *rows, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefBatcher, relief_batcher_free)

G_END_DECLS

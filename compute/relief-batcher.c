/* relief-batcher.c: the training set on the device and its shuffled mini-batches.  The
 * set is uploaded once (on a host-memory backend it is read in place); each batch is
 * gathered on the device from the epoch's order. */
#include "relief-batcher.h"
#include "relief-rng.h"

struct _ReliefBatcher {
  ReliefBackend *backend;
  const ReliefDataset *ds;
  int            batch_size;
  int            steps_per_epoch;
  guint64        shuffle_seed;
  int            epoch;         /* the epoch perm holds, -1 before the first */
  int           *perm;          /* the epoch's order on the host */
  int           *perm_dev;      /* and on the device, uploaded once per epoch */
  int           *idx_batch;     /* the prepared batch's rows, on the device */
  int            prepared_rows;
  const float   *x_train;       /* the data set's own arrays on a host-memory backend */
  const int32_t *y_train;
  gboolean       owns_train;    /* else device copies, freed with the batcher */
  float         *x_batch;
  int32_t       *y_batch;
};

ReliefBatcher *
relief_batcher_new (ReliefBackend *backend, const ReliefDataset *ds, int batch_size, guint64 seed, GError **error)
{
  g_autoptr(ReliefBatcher) b = g_new0 (ReliefBatcher, 1);
  gsize n = (gsize) ds->n_train, f = (gsize) ds->n_features;

  b->backend = backend;
  b->ds = ds;
  b->batch_size = MAX (1, MIN (batch_size, ds->n_train));
  b->steps_per_epoch = (ds->n_train + b->batch_size - 1) / b->batch_size;
  b->shuffle_seed = relief_rng_derive (seed, "shuffle");
  b->epoch = -1;
  b->perm = g_new (int, MAX (n, 1));
  if ((b->perm_dev = backend->alloc (backend, sizeof (int) * MAX (n, 1), error)) == NULL ||
      (b->idx_batch = backend->alloc (backend, sizeof (int) * b->batch_size, error)) == NULL ||
      (b->x_batch = backend->alloc (backend, sizeof (float) * b->batch_size * f, error)) == NULL ||
      (b->y_batch = backend->alloc (backend, sizeof (int32_t) * b->batch_size, error)) == NULL)
    return NULL;
  if (backend->host_memory)
    {
      /* In place: a copy of MNIST would be 188 MB written (and faulted in) for nothing. */
      b->x_train = ds->x_train;
      b->y_train = ds->y_train;
    }
  else
    {
      float *x_dev = backend->alloc (backend, sizeof (float) * n * f, error);
      int32_t *y_dev = x_dev != NULL ? backend->alloc (backend, sizeof (int32_t) * n, error) : NULL;

      b->owns_train = TRUE;
      b->x_train = x_dev;
      b->y_train = y_dev;
      if (y_dev == NULL ||
          !backend->upload (backend, x_dev, ds->x_train, sizeof (float) * n * f, error) ||
          !backend->upload (backend, y_dev, ds->y_train, sizeof (int32_t) * n, error))
        return NULL;
    }
  return g_steal_pointer (&b);
}

void
relief_batcher_free (ReliefBatcher *b)
{
  gpointer device[6];

  if (b == NULL)
    return;
  device[0] = b->owns_train ? (gpointer) b->x_train : NULL;
  device[1] = b->owns_train ? (gpointer) b->y_train : NULL;
  device[2] = b->x_batch;
  device[3] = b->y_batch;
  device[4] = b->perm_dev;
  device[5] = b->idx_batch;
  for (guint i = 0; i < G_N_ELEMENTS (device); i++)
    if (device[i] != NULL)
      b->backend->free (b->backend, device[i]);
  g_free (b->perm);
  g_free (b);
}

int
relief_batcher_steps_per_epoch (const ReliefBatcher *b)
{
  return b->steps_per_epoch;
}

gboolean
relief_batcher_prepare (ReliefBatcher *b, int epoch, int index, int *rows, GError **error)
{
  ReliefBackend *be = b->backend;
  int start = index * b->batch_size;

  g_return_val_if_fail (index >= 0 && index < b->steps_per_epoch, FALSE);
  if (epoch != b->epoch)
    {
      relief_rng_permutation (b->shuffle_seed, (guint64) epoch, b->perm, b->ds->n_train);
      if (!be->upload (be, b->perm_dev, b->perm, sizeof (int) * b->ds->n_train, error))
        return FALSE;
      b->epoch = epoch;
    }
  *rows = b->prepared_rows = MIN (b->batch_size, b->ds->n_train - start);
  return be->copy (be, b->idx_batch, b->perm_dev + start, sizeof (int) * *rows, error);
}

gboolean
relief_batcher_gather_prepared (ReliefBatcher *b, const float **x, const int32_t **y, int *rows, GError **error)
{
  ReliefBackend *be = b->backend;

  g_return_val_if_fail (b->prepared_rows > 0, FALSE);
  *rows = b->prepared_rows;
  *x = b->x_batch;
  *y = b->y_batch;
  return be->gather_rows (be, b->x_train, b->ds->n_features, b->idx_batch, *rows, b->x_batch, error) &&
         be->gather_labels (be, b->y_train, b->idx_batch, *rows, b->y_batch, error);
}

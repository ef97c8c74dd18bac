/* relief-subspace.h: training in a random subspace, theta = theta0 + P z, and d_int90
 * (Li, Farkhoor, Liu, Yosinski 2018, "Measuring the Intrinsic Dimension of Objective
 * Landscapes").
 *
 * P is D x d with unit-norm columns; only z (d values, starting at 0) is trained.  Every
 * random draw comes from relief-rng, so a (kind, D, d, seed) gives the same P on every
 * backend. */
#pragma once

#include <gio/gio.h>
#include "relief-backend.h"
#include "relief-train.h"

G_BEGIN_DECLS

typedef enum {
  RELIEF_PROJECTION_DENSE,     /* Gaussian entries, columns scaled to unit norm */
  RELIEF_PROJECTION_SPARSE,    /* +-1 with probability 1/sqrt(D) each, columns scaled to unit norm */
  RELIEF_PROJECTION_FASTFOOD,  /* H G Pi H B blocks, unit column norm in expectation */
  RELIEF_PROJECTION_IMPLICIT,  /* dense's P regenerated block by block on each product, never stored */
  RELIEF_PROJECTION_IDENTITY,  /* P = I, needs d == D: subspace training is direct training */
} ReliefProjectionKind;

const char *relief_projection_kind_to_string   (ReliefProjectionKind kind);
gboolean    relief_projection_kind_from_string (const char *s, ReliefProjectionKind *out, GError **error);

typedef struct _ReliefProjection ReliefProjection;

/* dense and identity keep P [D, d] on the device; sparse keeps its nonzeros (about
 * d sqrt(D)) twice, as P and P^T in CSR form; fastfood keeps its O(D) diagonals and
 * permutations and runs as Walsh-Hadamard transforms; implicit keeps the d column scales
 * and one block of rows, and equals dense with the same seed.  All on the backend. */
ReliefProjection *relief_projection_new  (ReliefBackend *backend, ReliefProjectionKind kind,
                                          gsize D, gsize d, guint64 seed, GError **error);
void              relief_projection_free (ReliefProjection *proj);
ReliefProjectionKind relief_projection_get_kind (const ReliefProjection *proj);
gsize             relief_projection_get_D    (const ReliefProjection *proj);
gsize             relief_projection_get_d    (const ReliefProjection *proj);

/* theta = theta0 + P z; all three on the device; theta may not alias z. */
gboolean relief_projection_forward   (ReliefProjection *proj, const float *theta0, const float *z,
                                      float *theta, GError **error);
/* g_z = P^T g_theta, both on the device. */
gboolean relief_projection_transpose (ReliefProjection *proj, const float *g_theta, float *g_z,
                                      GError **error);
/* P itself, [D, d] row-major on the host, built independently of the products (for tests). */
gboolean relief_projection_explicit  (ReliefProjection *proj, float *p_host, GError **error);

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

/* d_int90 from a sweep: dims [K] ascending, acc [K, seeds] row-major (NaN: not run, skipped).
 * Per seed, the first d whose accuracy reaches 0.9 * baseline, linearly interpolated between
 * it and the previous run point; seeds that never reach it are left out of the mean and the
 * sample standard deviation (0 for one seed); both are NaN when no seed reaches it.
 * Returns the number of seeds that reached it. */
int relief_dint90 (const gint64 *dims, const double *acc, int K, int seeds, double baseline,
                   double *dint_mean, double *dint_std);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefProjection, relief_projection_free)

G_END_DECLS

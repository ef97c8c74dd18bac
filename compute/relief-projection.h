/* relief-projection.h: random projections P, D x d with unit-norm columns, for training in
 * a random subspace (theta = theta0 + P z).  Every random draw comes from relief-rng, so a
 * (kind, D, d, seed) gives the same P on every backend. */
#pragma once

#include <gio/gio.h>
#include "relief-backend.h"

G_BEGIN_DECLS

typedef enum {
  RELIEF_PROJECTION_DENSE,    /*< nick=dense >*/    /* Gaussian entries, columns scaled to unit norm */
  RELIEF_PROJECTION_SPARSE,   /*< nick=sparse >*/   /* +-1 with probability 1/sqrt(D) each, columns scaled to unit norm */
  RELIEF_PROJECTION_FASTFOOD, /*< nick=fastfood >*/ /* H G Pi H B blocks, unit column norm in expectation */
  RELIEF_PROJECTION_IMPLICIT, /*< nick=implicit >*/ /* dense's P regenerated block by block on each product, never stored */
  RELIEF_PROJECTION_IDENTITY, /*< nick=identity >*/ /* P = I, needs d == D: subspace training is direct training */
} ReliefProjectionKind;

typedef struct _ReliefProjection ReliefProjection;

/* dense and identity keep P [D, d] on the device; sparse keeps its nonzeros (about
 * d sqrt(D)) twice, as P and P^T in CSR form; fastfood keeps its O(D) diagonals and
 * permutations and runs as Walsh-Hadamard transforms; implicit keeps the d column scales
 * and one block of rows, and equals dense with the same seed.  All on the backend. */
ReliefProjection *relief_projection_new  (ReliefBackend *backend, ReliefProjectionKind kind,
                                          gsize D, gsize d, guint64 seed, GError **error);
void              relief_projection_free (ReliefProjection *proj);
ReliefBackend    *relief_projection_get_backend (const ReliefProjection *proj);
gsize             relief_projection_get_D       (const ReliefProjection *proj);
gsize             relief_projection_get_d       (const ReliefProjection *proj);

/* theta = theta0 + P z; all three on the device; theta may not alias z. */
gboolean relief_projection_forward   (ReliefProjection *proj, const float *theta0, const float *z,
                                      float *theta, GError **error);
/* g_z = P^T g_theta, both on the device. */
gboolean relief_projection_transpose (ReliefProjection *proj, const float *g_theta, float *g_z,
                                      GError **error);
/* P itself, [D, d] row-major on the host, built from its definition independently of the
 * products: the reference the products are checked against. */
void     relief_projection_explicit_reference (const ReliefProjection *proj, float *p_host);

/* About what a D x d projection of kind holds (bytes, while building and after) and what
 * one product with it costs (floating-point operations), before any is made. */
void     relief_projection_estimate (ReliefProjectionKind kind, gsize D, gsize d, double *bytes, double *flops);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefProjection, relief_projection_free)

G_END_DECLS

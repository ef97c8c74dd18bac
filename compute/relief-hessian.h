/* relief-hessian.h: the curvature of an MLP's loss: exact Hessian-vector products over a
 * set of samples, and what is built on them (Lanczos, power iteration, Hutchinson's trace,
 * stochastic Lanczos quadrature).
 *
 * The loss is the mean over the samples of the spec's loss, the loss a run file records
 * (weight decay is the optimizer's, not part of it: relief-train.c); an l2 term adds
 * l2 * v to every product, the Hessian of (l2 / 2) ||params||^2, for whoever wants the
 * regularized objective.  Products run in chunks of samples, so the memory is the
 * chunk's activations whatever the number of samples; vectors of the parameters' length
 * live on the backend, so CPU and CUDA share all of this.  Small dense problems (the
 * tridiagonal matrices, tests' references) are solved in double by LAPACK.
 */
#pragma once

#include <gio/gio.h>
#include "relief-backend.h"
#include "relief-mlp.h"

G_BEGIN_DECLS

typedef struct _ReliefHessian ReliefHessian;

/* After every Hessian-vector product: the count so far. */
typedef void (*ReliefHessianProgress) (gint64 hvps, gpointer user_data);

/* The operator at params (host, n_params floats) over n_samples rows of x_host / y_host,
 * uploaded to the backend once, chunk_rows at a time through the network (0: 1024). */
ReliefHessian *relief_hessian_new (ReliefBackend *backend, const ReliefMlpSpec *spec, const float *params_host,
                                   const float *x_host, const int32_t *y_host, int n_samples, int chunk_rows,
                                   GError **error);
void           relief_hessian_free (ReliefHessian *h);
gsize          relief_hessian_n_params (ReliefHessian *h);
int            relief_hessian_n_samples (ReliefHessian *h);
ReliefBackend *relief_hessian_get_backend (ReliefHessian *h);
/* Move the operator to other parameters (training's curvature tracking): from the host,
 * or from a buffer on the same backend (n_params floats). */
gboolean       relief_hessian_set_params_host (ReliefHessian *h, const float *params_host, GError **error);
gboolean       relief_hessian_set_params (ReliefHessian *h, const float *params, GError **error);
void           relief_hessian_set_l2 (ReliefHessian *h, double l2);
/* Products at the same parameters share their forward and backward passes: the first
 * after a move keeps them per chunk (relief_mlp_hvp_prepare), the next apply only what
 * depends on v, to the same bits.  On by default when the state (about 1,600 floats per
 * sample for MNIST's 784-200-200-10) takes at most 512 MiB and a quarter of the backend's
 * free memory; FALSE when it is asked for and does not fit (products then make all of it
 * each time). */
gboolean       relief_hessian_set_caching (ReliefHessian *h, gboolean enabled);
/* The bytes that state takes for an operator of these sizes (relief_hessian_new's
 * chunk_rows), 0 past the 512 MiB. */
gsize          relief_hessian_cache_bytes (const ReliefMlpSpec *spec, int n_samples, int chunk_rows);
void           relief_hessian_set_progress (ReliefHessian *h, ReliefHessianProgress progress, gpointer user_data);
/* Hessian-vector products computed so far. */
gint64         relief_hessian_hvp_count (ReliefHessian *h);

/* hv = H v, both on the backend (n_params floats; they may not alias). */
gboolean       relief_hessian_hvp (ReliefHessian *h, const float *v, float *hv, GError **error);
gboolean       relief_hessian_hvp_host (ReliefHessian *h, const float *v_host, float *hv_host, GError **error);
/* The gradient of the mean loss (device) and the mean loss, over the same chunks. */
gboolean       relief_hessian_gradient (ReliefHessian *h, float *grad, double *mean_loss, GError **error);

/* Eigenpairs: values[i] with the unit vector vectors[i * n_params ...] (host) and its
 * residual ||H v - lambda v||, measured with one more product each. */
typedef struct {
  int     n;
  gsize   n_params;
  double *values;
  float  *vectors;
  double *residuals;
} ReliefEigenpairs;

void           relief_eigenpairs_free (ReliefEigenpairs *pairs);

typedef struct {
  int          k;          /* pairs wanted at each end asked for (5) */
  gboolean     largest;    /* the k largest, descending (TRUE) */
  gboolean     smallest;   /* the k smallest, ascending (FALSE) */
  double       tol;        /* a Ritz pair has converged when its residual estimate
                            * beta_j |s_j| <= tol * the largest |Ritz value| (1e-4) */
  int          max_iter;   /* Lanczos steps, at most n_params (200) */
  guint64      seed;       /* the start vector's normal draw (0) */
  const float *start;      /* host, n_params floats, or NULL for the draw: a warm start */
} ReliefLanczosSettings;

typedef struct {
  int      iterations;     /* Lanczos steps taken */
  gint64   hvps;           /* products, the residuals' included */
  gboolean converged;      /* every wanted pair met tol (or the Krylov space was whole) */
  int      restarts;       /* breakdowns gone on from (see relief_hessian_lanczos) */
} ReliefLanczosInfo;

void           relief_lanczos_settings_init_defaults (ReliefLanczosSettings *settings);
/* Lanczos with full reorthogonalization (classical Gram-Schmidt, twice, against every
 * Lanczos vector), its tridiagonal matrix in double.  When the Krylov space becomes
 * invariant (beta below 1e-6 of the matrix's scale: a start in an eigenspace, a Hessian
 * of low rank, a repeated eigenvalue), Lanczos restarts from a normal draw of seed
 * orthogonalized against the basis, and then converges only once the new Krylov block's
 * own extremes have too, so an eigenvalue outside the first invariant space is not
 * missed.  largest / smallest may be NULL when not asked for; they hold fewer than k
 * pairs only when the parameters are fewer than k. */
gboolean       relief_hessian_lanczos (ReliefHessian *h, const ReliefLanczosSettings *settings,
                                       ReliefEigenpairs **largest, ReliefEigenpairs **smallest,
                                       ReliefLanczosInfo *info, GCancellable *cancellable, GError **error);

/* Power iteration with deflation, the simple reference: the k eigenvalues of largest
 * magnitude in turn (as hessian-eigenthings and PyHessian compute them), each from a
 * normal draw of seed, stopping when ||H' v - lambda v|| <= tol |lambda| for H' the
 * operator deflated by the pairs found before (that is the residual reported), or after
 * max_iter products.  *hvps (may be NULL) the products taken. */
gboolean       relief_hessian_power (ReliefHessian *h, int k, double tol, int max_iter, guint64 seed,
                                     ReliefEigenpairs **pairs, gint64 *hvps, GCancellable *cancellable,
                                     GError **error);

/* Hutchinson's estimator with Rademacher probes: the mean of z^T H z, its standard error
 * (the probes' standard deviation / sqrt(probes)); stops once at least min_probes (at
 * least 2) are in and stderr <= rel_tol |trace|, or at max_probes. */
typedef struct {
  double   trace;
  double   stderr_;
  int      probes;
  gboolean converged;
} ReliefTraceResult;

gboolean       relief_hessian_trace (ReliefHessian *h, double rel_tol, int min_probes, int max_probes, guint64 seed,
                                     ReliefTraceResult *result, GCancellable *cancellable, GError **error);

/* Stochastic Lanczos quadrature: n_starts Lanczos runs of n_steps (full
 * reorthogonalization) from normal starts, start s element i being
 * relief_rng_normal (relief_rng_derive (seed, "slq"), s * n_params + i) before
 * normalization; each gives nodes theta (its Ritz values) and weights tau (the squared
 * first components of T's eigenvectors, summing to 1).  The density on the grid is
 * (1 / n_starts) sum tau N(t; theta, sigma^2) with sigma^2 = sigma2_scale *
 * max(1, theta_max - theta_min) (PyHessian's broadening), the grid n_grid points from
 * theta_min - pad to theta_max + pad, pad = max(0.01, 6 sigma), so it integrates to 1. */
typedef struct {
  int     n_starts;        /* 10 */
  int     n_steps;         /* 80, at most n_params */
  int     n_grid;          /* 10000 */
  double  sigma2_scale;    /* 1e-5 */
  guint64 seed;
} ReliefSlqSettings;

typedef struct {
  ReliefSlqSettings settings;   /* as asked */
  int     n_steps;         /* steps actually taken by each start (fewer when the space closes) */
  int     n_nodes;         /* n_starts * n_steps */
  double *nodes;           /* [n_starts, n_steps]: theta; a start that closed early pads with weight 0 */
  double *weights;         /* tau */
  double  sigma2;          /* the broadening's variance */
  int     n_grid;
  double *grid;
  double *density;
  gint64  hvps;
} ReliefSlqResult;

void           relief_slq_settings_init_defaults (ReliefSlqSettings *settings);
void           relief_slq_result_free (ReliefSlqResult *result);
gboolean       relief_hessian_slq (ReliefHessian *h, const ReliefSlqSettings *settings, ReliefSlqResult **result,
                                   GCancellable *cancellable, GError **error);

/* LAPACK in double.  Symmetric tridiagonal (dstev): diag [n], off [n - 1] (both
 * overwritten), values ascending, vectors (may be NULL) [n, n] with vector j at
 * vectors[j * n ...].  Dense symmetric (dsyev): a [n, n] is overwritten by the vectors,
 * vector j at a[j * n ...]; values ascending. */
gboolean       relief_tridiagonal_eigen (int n, double *diag, double *off, double *values, double *vectors,
                                         GError **error);
gboolean       relief_symmetric_eigen (int n, double *a, double *values, gboolean want_vectors, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefHessian, relief_hessian_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefEigenpairs, relief_eigenpairs_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefSlqResult, relief_slq_result_free)

G_END_DECLS

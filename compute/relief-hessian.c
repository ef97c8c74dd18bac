/* relief-hessian.c: Hessian-vector products over a sample set, and the spectral methods
 * built on them (Lanczos, power iteration, Hutchinson, stochastic Lanczos quadrature).
 *
 * Vectors of the parameters' length live on the backend and are only handed to its
 * functions; the small dense problems (Lanczos's tridiagonal matrices) are solved on the
 * host in double by LAPACK (OpenBLAS ships it). */
#include "relief-hessian.h"
#include "relief-rng.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

/* LAPACK's Fortran entry points, with the hidden lengths of their character arguments
 * that gfortran passes last. */
extern void dstev_ (const char *jobz, const int *n, double *d, double *e, double *z, const int *ldz,
                    double *work, int *info, size_t jobz_len);
extern void dsyev_ (const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                    double *work, const int *lwork, int *info, size_t jobz_len, size_t uplo_len);

#define DEFAULT_CHUNK_ROWS 1024
/* The products' state at the parameters is kept for all the chunks when it takes at most
 * this much, and a quarter of the backend's free memory where it says. */
#define CACHE_MAX_BYTES ((gsize) 512 << 20)

struct _ReliefHessian {
  ReliefBackend *backend;          /* borrowed */
  ReliefMlpSpec *spec;
  ReliefMlp     *mlp;
  gsize          n_params;
  int            n_samples, chunk_rows;
  float         *params;           /* device */
  float         *x;                /* device [n_samples, in] */
  int32_t       *y;
  float         *chunk_out;        /* device, n_params: one chunk's product or gradient */
  double         l2;
  gint64         hvps;
  /* What the products at params share, per chunk (relief_mlp_hvp_prepare): */
  float         *cache;            /* device, n_chunks * chunk_state floats */
  gsize          chunk_state;
  gboolean       caching, cache_ready;
  ReliefHessianProgress progress;
  gpointer       progress_data;
};

void
relief_hessian_free (ReliefHessian *h)
{
  ReliefBackend *be;

  if (h == NULL)
    return;
  be = h->backend;
  relief_mlp_free (h->mlp);
  relief_mlp_spec_free (h->spec);
  be->free (be, h->params);
  be->free (be, h->x);
  be->free (be, h->y);
  be->free (be, h->chunk_out);
  be->free (be, h->cache);
  g_free (h);
}

ReliefHessian *
relief_hessian_new (ReliefBackend *backend, const ReliefMlpSpec *spec, const float *params_host,
                    const float *x_host, const int32_t *y_host, int n_samples, int chunk_rows, GError **error)
{
  g_autoptr(ReliefHessian) h = NULL;
  ReliefBackend *be = backend;
  gsize in;

  if (n_samples < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The Hessian needs at least one sample (got %d)"), n_samples);
      return NULL;
    }
  if (chunk_rows < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Chunks of %d samples; give 1 or more (0 for the default)"), chunk_rows);
      return NULL;
    }
  h = g_new0 (ReliefHessian, 1);
  h->backend = backend;
  h->spec = relief_mlp_spec_copy (spec);
  h->n_params = relief_mlp_spec_n_params (spec);
  h->n_samples = n_samples;
  h->chunk_rows = MIN (chunk_rows > 0 ? chunk_rows : DEFAULT_CHUNK_ROWS, n_samples);
  in = (gsize) spec->sizes[0];
  if ((h->mlp = relief_mlp_new (backend, spec, h->chunk_rows, error)) == NULL ||
      (h->params = be->alloc (be, sizeof (float) * h->n_params, error)) == NULL ||
      (h->chunk_out = be->alloc (be, sizeof (float) * h->n_params, error)) == NULL ||
      (h->x = be->alloc (be, sizeof (float) * in * n_samples, error)) == NULL ||
      (h->y = be->alloc (be, sizeof (int32_t) * n_samples, error)) == NULL ||
      !be->upload (be, h->params, params_host, sizeof (float) * h->n_params, error) ||
      !be->upload (be, h->x, x_host, sizeof (float) * in * n_samples, error) ||
      !be->upload (be, h->y, y_host, sizeof (int32_t) * n_samples, error))
    return NULL;
  h->chunk_state = relief_mlp_hvp_state_floats (spec, h->chunk_rows);
  relief_hessian_set_caching (h, TRUE);
  return g_steal_pointer (&h);
}

gsize
relief_hessian_n_params (ReliefHessian *h)
{
  return h->n_params;
}

int
relief_hessian_n_samples (ReliefHessian *h)
{
  return h->n_samples;
}

ReliefBackend *
relief_hessian_get_backend (ReliefHessian *h)
{
  return h->backend;
}

gboolean
relief_hessian_set_params_host (ReliefHessian *h, const float *params_host, GError **error)
{
  h->cache_ready = FALSE;
  return h->backend->upload (h->backend, h->params, params_host, sizeof (float) * h->n_params, error);
}

gboolean
relief_hessian_set_params (ReliefHessian *h, const float *params, GError **error)
{
  h->cache_ready = FALSE;
  return h->backend->copy (h->backend, h->params, params, sizeof (float) * h->n_params, error);
}

static int
n_chunks (ReliefHessian *h)
{
  return (h->n_samples + h->chunk_rows - 1) / h->chunk_rows;
}

gsize
relief_hessian_cache_bytes (const ReliefMlpSpec *spec, int n_samples, int chunk_rows)
{
  int rows = MIN (chunk_rows > 0 ? chunk_rows : DEFAULT_CHUNK_ROWS, n_samples);
  int chunks = (n_samples + rows - 1) / rows;
  double bytes = (double) sizeof (float) * relief_mlp_hvp_state_floats (spec, rows) * chunks;

  return bytes <= (double) CACHE_MAX_BYTES ? (gsize) bytes : 0;
}

gboolean
relief_hessian_set_caching (ReliefHessian *h, gboolean enabled)
{
  ReliefBackend *be = h->backend;
  gsize free_bytes = 0, total_bytes = 0, bytes = relief_hessian_cache_bytes (h->spec, h->n_samples, h->chunk_rows);

  h->caching = enabled && bytes > 0 &&
               (be->memory_info == NULL || !be->memory_info (be, &free_bytes, &total_bytes, NULL) ||
                bytes <= free_bytes / 4);
  h->cache_ready = FALSE;
  if (!h->caching)
    {
      be->free (be, h->cache);
      h->cache = NULL;
    }
  return h->caching;
}

/* The chunks' state at params, when products keep it: allocated at the first product
 * (a backend short of memory then goes without). */
static void
ensure_cache (ReliefHessian *h)
{
  ReliefBackend *be = h->backend;

  if (h->caching && h->cache == NULL &&
      (h->cache = be->alloc (be, sizeof (float) * h->chunk_state * n_chunks (h), NULL)) == NULL)
    h->caching = FALSE;
}

/* One chunk's share of H v into out: from its kept state, made first at the first product
 * after a move (chunk by chunk, while its rows are in the caches), or made whole each
 * time without the cache. */
static gboolean
chunk_hvp (ReliefHessian *h, int c, const float *v, float *out, GError **error)
{
  gsize in = (gsize) h->spec->sizes[0];
  int start = c * h->chunk_rows, rows = MIN (h->chunk_rows, h->n_samples - start);
  const float *x = h->x + (gsize) start * in;
  float *state;

  if (!h->caching)
    return relief_mlp_hvp (h->mlp, h->params, v, x, h->y + start, rows, h->n_samples, out, NULL, error);
  state = h->cache + h->chunk_state * c;
  return (h->cache_ready ||
          relief_mlp_hvp_prepare (h->mlp, h->params, x, h->y + start, rows, h->n_samples, state, NULL, error)) &&
         relief_mlp_hvp_apply (h->mlp, h->params, v, x, state, rows, h->n_samples, out, error);
}

void
relief_hessian_set_l2 (ReliefHessian *h, double l2)
{
  h->l2 = l2;
}

void
relief_hessian_set_progress (ReliefHessian *h, ReliefHessianProgress progress, gpointer user_data)
{
  h->progress = progress;
  h->progress_data = user_data;
}

gint64
relief_hessian_hvp_count (ReliefHessian *h)
{
  return h->hvps;
}

gboolean
relief_hessian_hvp (ReliefHessian *h, const float *v, float *hv, GError **error)
{
  ReliefBackend *be = h->backend;

  ensure_cache (h);
  if (n_chunks (h) == 1)
    {
      if (!chunk_hvp (h, 0, v, hv, error))
        return FALSE;
    }
  else
    {
      if (!be->fill (be, hv, h->n_params, 0.0f, error))
        return FALSE;
      for (int c = 0; c < n_chunks (h); c++)
        if (!chunk_hvp (h, c, v, h->chunk_out, error) || !be->axpy (be, h->n_params, 1.0f, h->chunk_out, hv, error))
          return FALSE;
    }
  h->cache_ready = h->caching;
  if (h->l2 != 0.0 && !be->axpy (be, h->n_params, (float) h->l2, v, hv, error))
    return FALSE;
  h->hvps++;
  if (h->progress != NULL)
    h->progress (h->hvps, h->progress_data);
  return TRUE;
}

gboolean
relief_hessian_hvp_host (ReliefHessian *h, const float *v_host, float *hv_host, GError **error)
{
  ReliefBackend *be = h->backend;
  gsize bytes = sizeof (float) * h->n_params;
  float *v, *hv;
  gboolean ok;

  if ((v = be->alloc (be, bytes, error)) == NULL)
    return FALSE;
  if ((hv = be->alloc (be, bytes, error)) == NULL)
    {
      be->free (be, v);
      return FALSE;
    }
  ok = be->upload (be, v, v_host, bytes, error) &&
       relief_hessian_hvp (h, v, hv, error) &&
       be->download (be, hv_host, hv, bytes, error);
  be->free (be, v);
  be->free (be, hv);
  return ok;
}

gboolean
relief_hessian_gradient (ReliefHessian *h, float *grad, double *mean_loss, GError **error)
{
  ReliefBackend *be = h->backend;
  gsize in = (gsize) h->spec->sizes[0];
  double total = 0.0;

  if (!be->fill (be, grad, h->n_params, 0.0f, error))
    return FALSE;
  for (int start = 0; start < h->n_samples; start += h->chunk_rows)
    {
      int rows = MIN (h->chunk_rows, h->n_samples - start);
      double chunk_loss;
      int correct;

      if (!relief_mlp_forward_backward (h->mlp, h->params, h->x + (gsize) start * in, h->y + start, rows,
                                        h->chunk_out, &chunk_loss, &correct, error) ||
          !be->axpy (be, h->n_params, (float) ((double) rows / h->n_samples), h->chunk_out, grad, error))
        return FALSE;
      total += chunk_loss * rows;
    }
  if (h->l2 != 0.0 && !be->axpy (be, h->n_params, (float) h->l2, h->params, grad, error))
    return FALSE;
  if (mean_loss != NULL)
    *mean_loss = total / h->n_samples;
  return TRUE;
}

/* LAPACK */

gboolean
relief_tridiagonal_eigen (int n, double *diag, double *off, double *values, double *vectors, GError **error)
{
  g_autofree double *work = g_new (double, MAX (1, 2 * n - 2));
  int info = 0, ldz = MAX (1, n);
  double dummy;

  dstev_ (vectors != NULL ? "V" : "N", &n, diag, off, vectors != NULL ? vectors : &dummy, &ldz, work, &info, 1);
  if (info != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The tridiagonal eigensolver (LAPACK dstev) failed (info %d)"), info);
      return FALSE;
    }
  memcpy (values, diag, sizeof (double) * n);
  return TRUE;
}

gboolean
relief_symmetric_eigen (int n, double *a, double *values, gboolean want_vectors, GError **error)
{
  int lwork = MAX (1, 3 * n), info = 0, lda = MAX (1, n);
  g_autofree double *work = g_new (double, lwork);

  dsyev_ (want_vectors ? "V" : "N", "U", &n, a, &lda, values, work, &lwork, &info, 1, 1);
  if (info != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The symmetric eigensolver (LAPACK dsyev) failed (info %d)"), info);
      return FALSE;
    }
  return TRUE;
}

void
relief_eigenpairs_free (ReliefEigenpairs *pairs)
{
  if (pairs == NULL)
    return;
  g_free (pairs->values);
  g_free (pairs->vectors);
  g_free (pairs->residuals);
  g_free (pairs);
}

static ReliefEigenpairs *
eigenpairs_new (int n, gsize n_params)
{
  ReliefEigenpairs *pairs = g_new0 (ReliefEigenpairs, 1);

  pairs->n = n;
  pairs->n_params = n_params;
  pairs->values = g_new0 (double, MAX (n, 1));
  pairs->vectors = g_new0 (float, MAX ((gsize) n * n_params, 1));
  pairs->residuals = g_new0 (double, MAX (n, 1));
  return pairs;
}

/* Device scratch of Lanczos: the basis, one product and the projections. */
typedef struct {
  ReliefBackend *backend;
  float *q;      /* [(m + 1), n_params] */
  float *w;
  float *coef;   /* m + 1 */
} LanczosWork;

static void
lanczos_work_clear (LanczosWork *work)
{
  ReliefBackend *be = work->backend;

  if (be == NULL)
    return;
  be->free (be, work->q);
  be->free (be, work->w);
  be->free (be, work->coef);
  memset (work, 0, sizeof *work);
}

static gboolean
lanczos_work_init (LanczosWork *work, ReliefBackend *be, gsize n_params, int m, GError **error)
{
  gsize q_floats;

  memset (work, 0, sizeof *work);
  work->backend = be;
  if (!g_size_checked_mul (&q_floats, (gsize) m + 1, n_params) || q_floats > G_MAXSIZE / sizeof (float))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("%d Lanczos vectors of %llu parameters do not fit"),
                   m + 1, (unsigned long long) n_params);
      return FALSE;
    }
  if ((work->q = be->alloc (be, sizeof (float) * q_floats, error)) == NULL ||
      (work->w = be->alloc (be, sizeof (float) * n_params, error)) == NULL ||
      (work->coef = be->alloc (be, sizeof (float) * (m + 1), error)) == NULL)
    {
      lanczos_work_clear (work);
      return FALSE;
    }
  return TRUE;
}

/* Asked after every step j (steps = j + 1 done, beta[j] the next off-diagonal, the
 * current Krylov block from step block_start on; block_start == steps right after a
 * restart): TRUE stops. */
typedef gboolean (*LanczosStop) (int steps, int block_start, const double *alpha, const double *beta,
                                 gpointer data);

/* w -= Q^T (Q w) over the first count basis vectors, twice (classical Gram-Schmidt is then
 * as good as modified in floats). */
static gboolean
orthogonalize (ReliefBackend *be, LanczosWork *work, gsize n, int count, float *w, GError **error)
{
  for (int pass = 0; pass < 2; pass++)
    if (!be->gemm (be, FALSE, FALSE, count, 1, (int) n, 1.0f, work->q, (int) n, w, 1, 0.0f, work->coef, 1, error) ||
        !be->gemm (be, TRUE, FALSE, (int) n, 1, count, -1.0f, work->q, (int) n, work->coef, 1, 1.0f, w, 1, error))
      return FALSE;
  return TRUE;
}

/* A restart after a breakdown: q[count] becomes a normal draw (draw number `draw` of
 * seed) orthogonalized against the count basis vectors and normalized.  *fresh is FALSE
 * when nothing is left of it (the basis spans the space, to rounding). */
static gboolean
lanczos_restart (ReliefBackend *be, LanczosWork *work, gsize n, int count, guint64 seed, int draw,
                 gboolean *fresh, GError **error)
{
  float *q = work->q + (gsize) count * n;
  double before, after;

  *fresh = FALSE;
  if (!be->random_normal (be, q, n, seed, (guint64) draw * n, error) ||
      !be->dot (be, n, q, q, &before, error) ||
      !orthogonalize (be, work, n, count, q, error) ||
      !be->dot (be, n, q, q, &after, error))
    return FALSE;
  /* what is left of a draw in the basis's span is rounding, ~1e-7 of it */
  if (!(after > 1e-8 * before))
    return TRUE;
  *fresh = TRUE;
  return be->scale (be, q, n, (float) (1.0 / sqrt (after)), error);
}

/* How a Lanczos run goes on when the Krylov space closes (beta tiny against the
 * matrix's scale) before the space is whole: restart (the eigensolver) or stop (SLQ,
 * whose quadrature belongs to its start). */
typedef struct {
  gboolean restart;
  guint64  seed;           /* the restarts' draws */
  int      restarts;       /* out: restarts made */
  int      block_start;    /* out: the step the last Krylov block began at */
  gboolean closed;         /* out: the basis spans the whole space (to rounding) */
} LanczosRestart;

/* A breakdown seen only later: from a start in the null space (or of tiny curvature) the
 * first products are rounding, beta with them, and the matrix's scale is not known yet;
 * its next vector was rounding normalized, a random start as good as a restart's.  Once
 * the scale is known, such a beta is set to 0 and counted as a restart, so that T is
 * block diagonal as after one.  The current block's start is returned. */
static int
mark_late_breakdowns (double *beta, int block_start, int j, double scale, LanczosRestart *restart)
{
  for (int i = block_start; i < j; i++)
    if (beta[i] != 0.0 && beta[i] <= 1e-6 * scale)
      {
        beta[i] = 0.0;
        restart->restarts++;
        block_start = restart->block_start = i + 1;
      }
  return block_start;
}

/* Up to m Lanczos steps from work->q[0] (already on the device, any nonzero norm):
 * alpha [m], beta [m] on the host, *steps the steps taken; the basis stays in work->q.
 * When the Krylov space closes, beta[j] is 0 and the run stops, or (restart->restart)
 * goes on from a random vector orthogonal to the basis: T is then block diagonal, each
 * block the tridiagonal matrix of one invariant Krylov space; it stops when no such
 * vector is left. */
static gboolean
lanczos_run (ReliefHessian *h, LanczosWork *work, int m, double *alpha, double *beta, int *steps,
             LanczosRestart *restart, LanczosStop stop, gpointer stop_data, GCancellable *cancellable,
             GError **error)
{
  ReliefBackend *be = h->backend;
  gsize n = h->n_params;
  double norm2, scale = 0.0;
  int block_start = 0;

  *steps = 0;
  if (restart != NULL)
    {
      restart->restarts = restart->block_start = 0;
      restart->closed = FALSE;
    }
  if (!be->dot (be, n, work->q, work->q, &norm2, error))
    return FALSE;
  if (!(norm2 > 0.0) || !isfinite (norm2))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("The Lanczos start vector is zero or not finite"));
      return FALSE;
    }
  if (!be->scale (be, work->q, n, (float) (1.0 / sqrt (norm2)), error))
    return FALSE;

  for (int j = 0; j < m; j++)
    {
      float *qj = work->q + (gsize) j * n;
      double b2;

      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !relief_hessian_hvp (h, qj, work->w, error) ||
          !be->dot (be, n, qj, work->w, &alpha[j], error))
        return FALSE;
      /* Full reorthogonalization against the whole basis, which also takes alpha_j q_j
       * and beta_{j-1} q_{j-1} off. */
      if (!orthogonalize (be, work, n, j + 1, work->w, error) ||
          !be->dot (be, n, work->w, work->w, &b2, error))
        return FALSE;
      if (!isfinite (alpha[j]) || !isfinite (b2))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("The Hessian-vector product is not finite (the loss overflows at these parameters)"));
          return FALSE;
        }
      beta[j] = sqrt (b2);
      scale = MAX (scale, fabs (alpha[j]) + beta[j] + (j > 0 ? beta[j - 1] : 0.0));
      *steps = j + 1;
      if (restart != NULL && restart->restart)
        block_start = mark_late_breakdowns (beta, block_start, j, scale, restart);
      if ((gsize) (j + 1) >= n)
        {
          beta[j] = 0.0;
          if (restart != NULL)
            restart->closed = TRUE;
          break;
        }
      if (beta[j] <= 1e-6 * scale)
        {
          gboolean fresh;

          /* Breakdown: the basis spans an invariant space.  A restart even after the last
           * step allowed tells whether the space was whole (then every pair is exact). */
          beta[j] = 0.0;
          if (restart == NULL || !restart->restart)
            break;
          if (!lanczos_restart (be, work, n, j + 1, restart->seed, restart->restarts, &fresh, error))
            return FALSE;
          if (!fresh)
            {
              restart->closed = TRUE;
              break;
            }
          restart->restarts++;
          block_start = restart->block_start = j + 1;
        }
      else if (!be->copy (be, qj + n, work->w, sizeof (float) * n, error) ||
               !be->scale (be, qj + n, n, (float) (1.0 / beta[j]), error))
        return FALSE;
      if (stop != NULL && stop (j + 1, block_start, alpha, beta, stop_data))
        break;
    }
  return TRUE;
}

/* The eigenpairs of the leading steps x steps block of T: values ascending, vectors
 * [steps, steps] with vector i at vectors[i * steps ...]. */
static gboolean
tridiagonal_of (int steps, const double *alpha, const double *beta, double *values, double *vectors, GError **error)
{
  g_autofree double *d = g_memdup2 (alpha, sizeof (double) * steps);
  g_autofree double *e = g_new0 (double, MAX (steps, 1));

  memcpy (e, beta, sizeof (double) * (steps - 1));
  return relief_tridiagonal_eigen (steps, d, e, values, vectors, error);
}

void
relief_lanczos_settings_init_defaults (ReliefLanczosSettings *settings)
{
  *settings = (ReliefLanczosSettings) {
    .k = 5,
    .largest = TRUE,
    .smallest = FALSE,
    .tol = 1e-4,
    .max_iter = 200,
    .seed = 0,
    .start = NULL,
  };
}

typedef struct {
  const ReliefLanczosSettings *settings;
  GError *error;
} LanczosCheck;

/* Whether the extreme Ritz pairs of an nb x nb tridiagonal block, its eigenvectors
 * vectors (tridiagonal_of's order), meet limit with the residual estimate last_beta |the
 * last component of the vector|: the `count` largest (largest), the `count` smallest
 * (smallest). */
static gboolean
ends_converged (int nb, const double *vectors, double last_beta, int count, gboolean largest, gboolean smallest,
                double limit)
{
  count = MIN (count, nb);
  for (int i = 0; i < count; i++)
    {
      if (largest && last_beta * fabs (vectors[(gsize) (nb - 1 - i) * nb + nb - 1]) > limit)
        return FALSE;
      if (smallest && last_beta * fabs (vectors[(gsize) i * nb + nb - 1]) > limit)
        return FALSE;
    }
  return TRUE;
}

/* The residual of a Ritz pair is beta_j |the last component of its vector|: the k
 * wanted at each end asked for must meet tol against the largest |Ritz value|.  After a
 * restart the earlier blocks' pairs are exact (their last components 0), and the current
 * block's own extremes must have converged too: until they have, the space it explores
 * may hold an eigenvalue beyond the wanted ones (a start in an eigenspace, a repeated
 * eigenvalue). */
static gboolean
lanczos_converged (int steps, int block_start, const double *alpha, const double *beta, gpointer data)
{
  LanczosCheck *check = data;
  const ReliefLanczosSettings *s = check->settings;
  int nb = steps - block_start;
  g_autofree double *values = NULL, *vectors = NULL;
  double limit;

  if (steps < s->k || nb == 0 || check->error != NULL)
    return check->error != NULL;
  values = g_new (double, steps);
  vectors = g_new (double, (gsize) steps * steps);
  if (!tridiagonal_of (steps, alpha, beta, values, vectors, &check->error))
    return TRUE;
  limit = s->tol * MAX (fabs (values[0]), fabs (values[steps - 1]));
  if (!ends_converged (steps, vectors, beta[steps - 1], s->k, s->largest, s->smallest, limit))
    return FALSE;
  if (block_start == 0)
    return TRUE;
  if (!tridiagonal_of (nb, alpha + block_start, beta + block_start, values, vectors, &check->error))
    return TRUE;
  return ends_converged (nb, vectors, beta[steps - 1], 1, s->largest, s->smallest, limit);
}

/* Ritz vectors of the count pairs at indices idx of T's eigenvectors: Y = S Q, normalized,
 * with their residuals. */
static gboolean
ritz_pairs (ReliefHessian *h, LanczosWork *work, int steps, const double *values, const double *vectors,
            const int *idx, int count, ReliefEigenpairs **out, GError **error)
{
  ReliefBackend *be = h->backend;
  gsize n = h->n_params;
  g_autoptr(ReliefEigenpairs) pairs = eigenpairs_new (count, n);
  g_autofree float *s = g_new (float, (gsize) MAX (count, 1) * steps);
  float *y = NULL, *hy = NULL, *d_s = NULL;
  gboolean ok = FALSE;

  for (int c = 0; c < count; c++)
    for (int j = 0; j < steps; j++)
      s[(gsize) c * steps + j] = (float) vectors[(gsize) idx[c] * steps + j];
  if (count == 0)
    {
      *out = g_steal_pointer (&pairs);
      return TRUE;
    }
  if ((y = be->alloc (be, sizeof (float) * n * count, error)) == NULL ||
      (hy = be->alloc (be, sizeof (float) * n, error)) == NULL ||
      (d_s = be->alloc (be, sizeof (float) * count * steps, error)) == NULL ||
      !be->upload (be, d_s, s, sizeof (float) * count * steps, error) ||
      !be->gemm (be, FALSE, FALSE, count, (int) n, steps, 1.0f, d_s, steps, work->q, (int) n, 0.0f, y, (int) n, error))
    goto out;
  for (int c = 0; c < count; c++)
    {
      float *yc = y + (gsize) c * n;
      double norm2, r2;

      pairs->values[c] = values[idx[c]];
      if (!be->dot (be, n, yc, yc, &norm2, error) ||
          !be->scale (be, yc, n, (float) (1.0 / sqrt (norm2)), error) ||
          !relief_hessian_hvp (h, yc, hy, error) ||
          !be->axpy (be, n, (float) -values[idx[c]], yc, hy, error) ||
          !be->dot (be, n, hy, hy, &r2, error))
        goto out;
      pairs->residuals[c] = sqrt (r2);
    }
  if (!be->download (be, pairs->vectors, y, sizeof (float) * n * count, error))
    goto out;
  *out = g_steal_pointer (&pairs);
  ok = TRUE;
out:
  be->free (be, y);
  be->free (be, hy);
  be->free (be, d_s);
  return ok;
}

gboolean
relief_hessian_lanczos (ReliefHessian *h, const ReliefLanczosSettings *settings,
                        ReliefEigenpairs **largest, ReliefEigenpairs **smallest,
                        ReliefLanczosInfo *info, GCancellable *cancellable, GError **error)
{
  ReliefBackend *be = h->backend;
  gsize n = h->n_params;
  LanczosWork work;
  LanczosCheck check = { settings, NULL };
  LanczosRestart restart = { .restart = TRUE, .seed = relief_rng_derive (settings->seed, "lanczos-restart") };
  g_autofree double *alpha = NULL, *beta = NULL, *values = NULL, *vectors = NULL;
  g_autofree int *idx = NULL;
  gint64 hvps_before = h->hvps;
  int m, steps = 0, want;
  gboolean ok = FALSE, converged;

  if (settings->k < 1 || settings->max_iter < 1 || !(settings->tol > 0.0) ||
      (!settings->largest && !settings->smallest))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Lanczos needs k >= 1, a positive tolerance, at least one step and an end "
                     "(largest or smallest); got k %d, tolerance %g, %d steps"),
                   settings->k, settings->tol, settings->max_iter);
      return FALSE;
    }
  m = (int) MIN ((gsize) settings->max_iter, n);
  if (!lanczos_work_init (&work, be, n, m, error))
    return FALSE;
  alpha = g_new0 (double, m);
  beta = g_new0 (double, m);
  if (settings->start != NULL)
    {
      if (!be->upload (be, work.q, settings->start, sizeof (float) * n, error))
        goto out;
    }
  else if (!be->random_normal (be, work.q, n, relief_rng_derive (settings->seed, "lanczos"), 0, error))
    goto out;
  if (!lanczos_run (h, &work, m, alpha, beta, &steps, &restart, lanczos_converged, &check, cancellable, error))
    goto out;
  if (check.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&check.error));
      goto out;
    }
  /* Converged: every wanted pair met tol, or the basis spans the whole space. */
  converged = restart.closed || lanczos_converged (steps, restart.block_start, alpha, beta, &check);
  g_clear_error (&check.error);
  values = g_new (double, steps);
  vectors = g_new (double, (gsize) steps * steps);
  idx = g_new (int, steps);
  if (!tridiagonal_of (steps, alpha, beta, values, vectors, error))
    goto out;
  want = MIN (settings->k, steps);
  if (largest != NULL)
    *largest = NULL;
  if (smallest != NULL)
    *smallest = NULL;
  if (settings->largest && largest != NULL)
    {
      for (int i = 0; i < want; i++)
        idx[i] = steps - 1 - i;
      if (!ritz_pairs (h, &work, steps, values, vectors, idx, want, largest, error))
        goto out;
    }
  if (settings->smallest && smallest != NULL)
    {
      for (int i = 0; i < want; i++)
        idx[i] = i;
      if (!ritz_pairs (h, &work, steps, values, vectors, idx, want, smallest, error))
        {
          if (largest != NULL)
            g_clear_pointer (largest, relief_eigenpairs_free);
          goto out;
        }
    }
  if (info != NULL)
    *info = (ReliefLanczosInfo) { steps, h->hvps - hvps_before, converged, restart.restarts };
  ok = TRUE;
out:
  lanczos_work_clear (&work);
  return ok;
}

gboolean
relief_hessian_power (ReliefHessian *h, int k, double tol, int max_iter, guint64 seed,
                      ReliefEigenpairs **pairs_out, gint64 *hvps, GCancellable *cancellable, GError **error)
{
  ReliefBackend *be = h->backend;
  gsize n = h->n_params;
  g_autoptr(ReliefEigenpairs) pairs = NULL;
  float *u = NULL, *v = NULL, *w = NULL, *r = NULL;
  gint64 hvps_before = h->hvps;
  gboolean ok = FALSE;

  if (k < 1 || (gsize) k > n || max_iter < 1 || !(tol > 0.0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Power iteration needs 1 <= k <= %llu, a positive tolerance and at least one step; "
                     "got k %d, tolerance %g, %d steps"), (unsigned long long) n, k, tol, max_iter);
      return FALSE;
    }
  pairs = eigenpairs_new (k, n);
  if ((u = be->alloc (be, sizeof (float) * n * k, error)) == NULL ||
      (v = be->alloc (be, sizeof (float) * n, error)) == NULL ||
      (w = be->alloc (be, sizeof (float) * n, error)) == NULL ||
      (r = be->alloc (be, sizeof (float) * n, error)) == NULL)
    goto out;

  for (int i = 0; i < k; i++)
    {
      double norm2, lambda = 0.0, r2 = 0.0;

      if (!be->random_normal (be, v, n, relief_rng_derive (seed, "power"), (guint64) i * n, error) ||
          !be->dot (be, n, v, v, &norm2, error) ||
          !be->scale (be, v, n, (float) (1.0 / sqrt (norm2)), error))
        goto out;
      for (int it = 0; it < max_iter; it++)
        {
          double wn2;

          if (g_cancellable_set_error_if_cancelled (cancellable, error) || !relief_hessian_hvp (h, v, w, error))
            goto out;
          /* deflate: w -= sum_j lambda_j (u_j . v) u_j */
          for (int j = 0; j < i; j++)
            {
              double c;

              if (!be->dot (be, n, u + (gsize) j * n, v, &c, error) ||
                  !be->axpy (be, n, (float) (-pairs->values[j] * c), u + (gsize) j * n, w, error))
                goto out;
            }
          if (!be->dot (be, n, v, w, &lambda, error) || !be->dot (be, n, w, w, &wn2, error) ||
              !be->axpby_add (be, n, w, (float) -lambda, v, 0.0f, v, r, error) ||
              !be->dot (be, n, r, r, &r2, error))
            goto out;
          if (!isfinite (wn2))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The Hessian-vector product is not finite"));
              goto out;
            }
          if (sqrt (r2) <= tol * fabs (lambda) || wn2 == 0.0)
            break;
          if (!be->copy (be, v, w, sizeof (float) * n, error) ||
              !be->scale (be, v, n, (float) (1.0 / sqrt (wn2)), error))
            goto out;
        }
      pairs->values[i] = lambda;
      pairs->residuals[i] = sqrt (r2);
      if (!be->copy (be, u + (gsize) i * n, v, sizeof (float) * n, error))
        goto out;
    }
  if (!be->download (be, pairs->vectors, u, sizeof (float) * n * k, error))
    goto out;
  *pairs_out = g_steal_pointer (&pairs);
  if (hvps != NULL)
    *hvps = h->hvps - hvps_before;
  ok = TRUE;
out:
  be->free (be, u);
  be->free (be, v);
  be->free (be, w);
  be->free (be, r);
  return ok;
}

gboolean
relief_hessian_trace (ReliefHessian *h, double rel_tol, int min_probes, int max_probes, guint64 seed,
                      ReliefTraceResult *result, GCancellable *cancellable, GError **error)
{
  ReliefBackend *be = h->backend;
  gsize n = h->n_params;
  guint64 probe_seed = relief_rng_derive (seed, "hutchinson");
  g_autofree float *z_host = g_new (float, n);
  float *z = NULL, *hz = NULL;
  double mean = 0.0, m2 = 0.0;
  int probes = 0;
  gboolean ok = FALSE;

  min_probes = MAX (min_probes, 2);
  if (max_probes < min_probes || !(rel_tol >= 0.0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Hutchinson's estimator needs at most as many probes as at least (%d, %d) and a tolerance of 0 or more"),
                   max_probes, min_probes);
      return FALSE;
    }
  *result = (ReliefTraceResult) { 0 };
  if ((z = be->alloc (be, sizeof (float) * n, error)) == NULL ||
      (hz = be->alloc (be, sizeof (float) * n, error)) == NULL)
    goto out;
  while (probes < max_probes)
    {
      double q, delta;

      for (gsize i = 0; i < n; i++)
        z_host[i] = relief_rng_uniform (probe_seed, (guint64) probes * n + i) < 0.5 ? -1.0f : 1.0f;
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !be->upload (be, z, z_host, sizeof (float) * n, error) ||
          !relief_hessian_hvp (h, z, hz, error) ||
          !be->dot (be, n, z, hz, &q, error))
        goto out;
      /* Welford's running mean and sum of squared deviations */
      probes++;
      delta = q - mean;
      mean += delta / probes;
      m2 += delta * (q - mean);
      result->trace = mean;
      result->probes = probes;
      result->stderr_ = probes > 1 ? sqrt (m2 / (probes - 1) / probes) : INFINITY;
      if (probes >= min_probes && result->stderr_ <= rel_tol * fabs (mean))
        {
          result->converged = TRUE;
          break;
        }
    }
  ok = TRUE;
out:
  be->free (be, z);
  be->free (be, hz);
  return ok;
}

void
relief_slq_settings_init_defaults (ReliefSlqSettings *settings)
{
  *settings = (ReliefSlqSettings) {
    .n_starts = 10,
    .n_steps = 80,
    .n_grid = 10000,
    .sigma2_scale = 1e-5,
    .seed = 0,
  };
}

void
relief_slq_result_free (ReliefSlqResult *result)
{
  if (result == NULL)
    return;
  g_free (result->nodes);
  g_free (result->weights);
  g_free (result->grid);
  g_free (result->density);
  g_free (result);
}

gboolean
relief_hessian_slq (ReliefHessian *h, const ReliefSlqSettings *settings, ReliefSlqResult **result_out,
                    GCancellable *cancellable, GError **error)
{
  ReliefBackend *be = h->backend;
  gsize n = h->n_params;
  g_autoptr(ReliefSlqResult) result = NULL;
  g_autofree double *alpha = NULL, *beta = NULL, *values = NULL, *vectors = NULL;
  guint64 start_seed = relief_rng_derive (settings->seed, "slq");
  gint64 hvps_before = h->hvps;
  LanczosWork work;
  double lo = INFINITY, hi = -INFINITY, sigma, pad, norm;
  int m;
  gboolean ok = FALSE;

  if (settings->n_starts < 1 || settings->n_steps < 1 || settings->n_grid < 2 || !(settings->sigma2_scale > 0.0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Stochastic Lanczos quadrature needs at least one start and one step, two grid points and a "
                     "positive broadening; got %d starts, %d steps, %d points, broadening %g"),
                   settings->n_starts, settings->n_steps, settings->n_grid, settings->sigma2_scale);
      return FALSE;
    }
  m = (int) MIN ((gsize) settings->n_steps, n);
  if (!lanczos_work_init (&work, be, n, m, error))
    return FALSE;
  result = g_new0 (ReliefSlqResult, 1);
  result->settings = *settings;
  result->n_steps = m;
  result->n_nodes = settings->n_starts * m;
  result->nodes = g_new0 (double, result->n_nodes);
  result->weights = g_new0 (double, result->n_nodes);
  alpha = g_new0 (double, m);
  beta = g_new0 (double, m);
  values = g_new0 (double, m);
  vectors = g_new0 (double, (gsize) m * m);

  for (int s = 0; s < settings->n_starts; s++)
    {
      int steps;

      if (!be->random_normal (be, work.q, n, start_seed, (guint64) s * n, error) ||
          !lanczos_run (h, &work, m, alpha, beta, &steps, NULL, NULL, NULL, cancellable, error) ||
          !tridiagonal_of (steps, alpha, beta, values, vectors, error))
        goto out;
      for (int i = 0; i < steps; i++)
        {
          double first = vectors[(gsize) i * steps];

          result->nodes[s * m + i] = values[i];
          result->weights[s * m + i] = first * first;
          lo = MIN (lo, values[i]);
          hi = MAX (hi, values[i]);
        }
      for (int i = steps; i < m; i++)
        result->nodes[s * m + i] = values[steps - 1];
    }

  result->sigma2 = settings->sigma2_scale * MAX (1.0, hi - lo);
  sigma = sqrt (result->sigma2);
  pad = MAX (0.01, 6.0 * sigma);
  result->n_grid = settings->n_grid;
  result->grid = g_new (double, settings->n_grid);
  result->density = g_new0 (double, settings->n_grid);
  norm = 1.0 / (settings->n_starts * sqrt (2.0 * G_PI * result->sigma2));
  for (int g = 0; g < settings->n_grid; g++)
    {
      double t = (lo - pad) + (hi - lo + 2.0 * pad) * g / (settings->n_grid - 1);
      double sum = 0.0;

      result->grid[g] = t;
      for (int i = 0; i < result->n_nodes; i++)
        {
          double d = t - result->nodes[i];

          if (result->weights[i] > 0.0 && d * d < 80.0 * result->sigma2)
            sum += result->weights[i] * exp (-0.5 * d * d / result->sigma2);
        }
      result->density[g] = sum * norm;
    }
  result->hvps = h->hvps - hvps_before;
  *result_out = g_steal_pointer (&result);
  ok = TRUE;
out:
  lanczos_work_clear (&work);
  return ok;
}

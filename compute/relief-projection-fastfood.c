/* relief-projection-fastfood.c: fastfood P, blocks of n = 2^k columns s H G Pi H B (Le,
 * Sarlos, Smola 2013), kept as its O(D) diagonals and permutations on the device and run
 * as Walsh-Hadamard transforms and gathers of the backend. */
#include "relief-projection-fastfood.h"
#include "relief-rng.h"

#include <glib/gi18n-lib.h>
#include <math.h>

/* Five floats per padded column and three work vectors. */
static double
fastfood_bytes (gsize D, gsize d)
{
  double n = 1;

  while (n < D)
    n *= 2;
  return 20.0 * n * ceil ((double) d / n) + 12.0 * n;
}

/* The diagonals and permutations on the device, with the inverse permutation and the
 * diagonal it reorders for the transpose, and three work vectors. */
static gboolean
upload_fastfood (ReliefProjection *proj, GError **error)
{
  ReliefBackend *be = proj->backend;
  gsize n = proj->n, total = proj->n_blocks * n;
  g_autofree int32_t *pi_inv = g_new (int32_t, total);
  g_autofree float *g_inv = g_new (float, total);

  for (gsize blk = 0; blk < proj->n_blocks; blk++)
    for (gsize i = 0; i < n; i++)
      {
        gsize j = (gsize) proj->ff_pi[blk * n + i];

        pi_inv[blk * n + j] = (int32_t) i;
        g_inv[blk * n + j] = proj->ff_g[blk * n + i];
      }
  return relief_projection_upload_new (be, (gpointer *) &proj->dev_b, proj->ff_b, sizeof (float) * total, error) &&
         relief_projection_upload_new (be, (gpointer *) &proj->dev_g, proj->ff_g, sizeof (float) * total, error) &&
         relief_projection_upload_new (be, (gpointer *) &proj->dev_pi, proj->ff_pi, sizeof (int32_t) * total, error) &&
         relief_projection_upload_new (be, (gpointer *) &proj->dev_pi_inv, pi_inv, sizeof (int32_t) * total, error) &&
         relief_projection_upload_new (be, (gpointer *) &proj->dev_g_inv, g_inv, sizeof (float) * total, error) &&
         (proj->dev_w = be->alloc (be, sizeof (float) * n, error)) != NULL &&
         (proj->dev_tmp = be->alloc (be, sizeof (float) * n, error)) != NULL &&
         (proj->dev_hg = be->alloc (be, sizeof (float) * n, error)) != NULL;
}

static gboolean
build_fastfood (ReliefProjection *proj, GError **error)
{
  guint64 b_seed = relief_rng_derive (proj->seed, "fastfood-b");
  guint64 g_seed = relief_rng_derive (proj->seed, "fastfood-g");
  guint64 pi_seed = relief_rng_derive (proj->seed, "fastfood-pi");
  gsize n = 1;

  while (n < proj->D)
    n *= 2;
  if (n > G_MAXINT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A fastfood projection of %llu parameters is too large"),
                   (unsigned long long) proj->D);
      return FALSE;
    }
  proj->n = n;
  proj->n_blocks = (proj->d + n - 1) / n;
  proj->ff_b = g_new (float, proj->n_blocks * n);
  proj->ff_g = g_new (float, proj->n_blocks * n);
  proj->ff_pi = g_new (int32_t, proj->n_blocks * n);
  proj->ff_scale = g_new (double, proj->n_blocks);

  for (gsize blk = 0; blk < proj->n_blocks; blk++)
    {
      float *g = proj->ff_g + blk * n;
      double g_sq = 0.0;

      for (gsize i = 0; i < n; i++)
        proj->ff_b[blk * n + i] = relief_rng_uniform (b_seed, blk * n + i) < 0.5 ? -1.0f : 1.0f;
      relief_rng_normal_fill (g_seed, blk * n, g, n);
      relief_rng_permutation (pi_seed, blk, (int *) proj->ff_pi + blk * n, (int) n);
      for (gsize i = 0; i < n; i++)
        g_sq += (double) g[i] * g[i];
      /* Row k of H G Pi H B e_j is sum_i H_ki g_i (+-1), whose square has expectation
       * sum_i g_i^2 over B and Pi: D kept rows make E|column|^2 = D |g|^2. */
      proj->ff_scale[blk] = 1.0 / sqrt ((double) proj->D * g_sq);
    }
  return upload_fastfood (proj, error);
}

/* theta += P z, block by block: theta[0:D] += s (H G Pi H B z_blk)[0:D]. */
static gboolean
fastfood_forward (ReliefProjection *proj, const float *z, float *theta, GError **error)
{
  ReliefBackend *be = proj->backend;
  gsize n = proj->n;

  for (gsize blk = 0; blk < proj->n_blocks; blk++)
    {
      gsize c0 = blk * n, cols = MIN (n, proj->d - c0);

      if (!be->fill (be, proj->dev_tmp, n, 0.0f, error) ||
          !be->gather_scale (be, cols, z + c0, NULL, proj->dev_b + c0, 1.0f, proj->dev_tmp, error) ||
          !be->fwht (be, proj->dev_tmp, n, 1, error) ||
          !be->gather_scale (be, n, proj->dev_tmp, proj->dev_pi + c0, proj->dev_g + c0, 1.0f, proj->dev_w, error) ||
          !be->fwht (be, proj->dev_w, n, 1, error) ||
          !be->axpy (be, proj->D, (float) proj->ff_scale[blk], proj->dev_w, theta, error))
        return FALSE;
    }
  return TRUE;
}

/* g_z = P^T g: H g_padded once, then per block s B H Pi^T G (H g). */
static gboolean
fastfood_transpose (ReliefProjection *proj, const float *g_theta, float *g_z, GError **error)
{
  ReliefBackend *be = proj->backend;
  gsize n = proj->n;

  if (!be->copy (be, proj->dev_hg, g_theta, sizeof (float) * proj->D, error) ||
      (n > proj->D && !be->fill (be, proj->dev_hg + proj->D, n - proj->D, 0.0f, error)) ||
      !be->fwht (be, proj->dev_hg, n, 1, error))
    return FALSE;
  for (gsize blk = 0; blk < proj->n_blocks; blk++)
    {
      gsize c0 = blk * n, cols = MIN (n, proj->d - c0);

      if (!be->gather_scale (be, n, proj->dev_hg, proj->dev_pi_inv + c0, proj->dev_g_inv + c0, 1.0f,
                             proj->dev_tmp, error) ||
          !be->fwht (be, proj->dev_tmp, n, 1, error) ||
          !be->gather_scale (be, cols, proj->dev_tmp, NULL, proj->dev_b + c0, (float) proj->ff_scale[blk],
                             g_z + c0, error))
        return FALSE;
    }
  return TRUE;
}

/* Hadamard entry H_ab = (-1)^popcount(a & b). */
static double
hadamard (gsize a, gsize b)
{
  return (__builtin_popcountll ((unsigned long long) (a & b)) & 1) ? -1.0 : 1.0;
}

static void
fastfood_explicit_reference (const ReliefProjection *proj, float *p_host)
{
  gsize n = proj->n, D = proj->D, d = proj->d;

  /* The matrix formula entry by entry, O(D d n): independent of the fast transforms. */
  for (gsize j = 0; j < d; j++)
    {
      gsize blk = j / n, c = j % n;
      const float *b = proj->ff_b + blk * n, *g = proj->ff_g + blk * n;
      const int32_t *pi = proj->ff_pi + blk * n;

      for (gsize k = 0; k < D; k++)
        {
          double sum = 0.0;

          for (gsize i = 0; i < n; i++)
            sum += hadamard (k, i) * g[i] * hadamard ((gsize) pi[i], c);
          p_host[k * d + j] = (float) (proj->ff_scale[blk] * b[c] * sum);
        }
    }
}

const ReliefProjectionFamily relief_projection_fastfood_family = {
  .bytes = fastfood_bytes,
  .build = build_fastfood,
  .forward = fastfood_forward,
  .transpose = fastfood_transpose,
  .explicit_reference = fastfood_explicit_reference,
};

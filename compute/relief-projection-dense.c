/* relief-projection-dense.c: dense P = R S, generated on the host in row blocks from the
 * counter-based generator, so host memory stays O(block * d) however large D x d is; the
 * raw Gaussian rows R are stored and the column scales S applied to the d-vectors, so one
 * pass draws them all.  The identity stores I the same way. */
#include "relief-projection-dense.h"
#include "relief-rng.h"

#include <math.h>
#include <string.h>

/* Unscaled entries of rows [row0, row0 + rows) of a dense or implicit P. */
static void
raw_rows (const ReliefProjection *proj, gsize row0, gsize rows, float *out)
{
  relief_rng_normal_fill (relief_rng_derive (proj->seed, "proj-dense"), row0 * proj->d, out, rows * proj->d);
}

/* A zero column, which float Gaussians never give, would become e_(j % D) in the explicit
 * matrix; build_matrix sums the same norms. */
double *
relief_projection_dense_column_scales (const ReliefProjection *proj, float *block)
{
  double *sum_sq = g_new0 (double, proj->d);

  for (gsize r0 = 0; r0 < proj->D; r0 += RELIEF_PROJECTION_ROW_BLOCK)
    {
      gsize rows = MIN (RELIEF_PROJECTION_ROW_BLOCK, proj->D - r0);

      raw_rows (proj, r0, rows, block);
      for (gsize r = 0; r < rows; r++)
        for (gsize j = 0; j < proj->d; j++)
          sum_sq[j] += (double) block[r * proj->d + j] * block[r * proj->d + j];
    }
  for (gsize j = 0; j < proj->d; j++)
    sum_sq[j] = sum_sq[j] > 0.0 ? 1.0 / sqrt (sum_sq[j]) : 0.0;
  return sum_sq;
}

static void
scaled_rows (const ReliefProjection *proj, const double *scales, gsize row0, gsize rows, float *out)
{
  raw_rows (proj, row0, rows, out);
  for (gsize r = 0; r < rows; r++)
    for (gsize j = 0; j < proj->d; j++)
      {
        float *p = &out[r * proj->d + j];

        if (scales[j] == 0.0)
          *p = (row0 + r) == j % proj->D ? 1.0f : 0.0f;
        else
          *p = (float) (*p * scales[j]);
      }
}

static double
matrix_bytes (gsize D, gsize d)
{
  return 4.0 * D * d;
}

static gboolean
build_matrix (ReliefProjection *proj, GError **error)
{
  ReliefBackend *be = proj->backend;
  g_autofree float *block = g_new (float, MIN (RELIEF_PROJECTION_ROW_BLOCK, proj->D) * proj->d);
  g_autofree double *scales = NULL;

  proj->matrix = be->alloc (be, sizeof (float) * proj->D * proj->d, error);
  if (proj->matrix == NULL)
    return FALSE;
  if (proj->kind == RELIEF_PROJECTION_IDENTITY)
    {
      /* The buffer is zero-filled: write the diagonal one row block at a time. */
      for (gsize r0 = 0; r0 < proj->D; r0 += RELIEF_PROJECTION_ROW_BLOCK)
        {
          gsize rows = MIN (RELIEF_PROJECTION_ROW_BLOCK, proj->D - r0);

          memset (block, 0, sizeof (float) * rows * proj->d);
          for (gsize r = 0; r < rows; r++)
            block[r * proj->d + r0 + r] = 1.0f;
          if (!be->upload (be, proj->matrix + r0 * proj->d, block, sizeof (float) * rows * proj->d, error))
            return FALSE;
        }
      return TRUE;
    }
  /* Dense: the raw Gaussian rows R, generated once, with the column norms summed on the
   * way; the scales S are applied to the d-vectors (P z = R (S z), P^T g = S (R^T g)). */
  scales = g_new0 (double, proj->d);
  for (gsize r0 = 0; r0 < proj->D; r0 += RELIEF_PROJECTION_ROW_BLOCK)
    {
      gsize rows = MIN (RELIEF_PROJECTION_ROW_BLOCK, proj->D - r0);

      raw_rows (proj, r0, rows, block);
      for (gsize r = 0; r < rows; r++)
        for (gsize j = 0; j < proj->d; j++)
          scales[j] += (double) block[r * proj->d + j] * block[r * proj->d + j];
      if (!be->upload (be, proj->matrix + r0 * proj->d, block, sizeof (float) * rows * proj->d, error))
        return FALSE;
    }
  for (gsize j = 0; j < proj->d; j++)
    scales[j] = scales[j] > 0.0 ? 1.0 / sqrt (scales[j]) : 0.0;
  proj->col_scale = g_steal_pointer (&scales);
  return relief_projection_upload_scales (proj, block, error);
}

static gboolean
dense_forward (ReliefProjection *proj, const float *z, float *theta, GError **error)
{
  ReliefBackend *be = proj->backend;

  return be->gather_scale (be, proj->d, z, NULL, proj->dev_scale, 1.0f, proj->dev_vec, error) &&
         be->gemm (be, FALSE, FALSE, (int) proj->D, 1, (int) proj->d, 1.0f, proj->matrix, (int) proj->d,
                   proj->dev_vec, 1, 1.0f, theta, 1, error);
}

static gboolean
dense_transpose (ReliefProjection *proj, const float *g_theta, float *g_z, GError **error)
{
  ReliefBackend *be = proj->backend;

  return be->gemm (be, TRUE, FALSE, (int) proj->d, 1, (int) proj->D, 1.0f, proj->matrix, (int) proj->d,
                   g_theta, 1, 0.0f, proj->dev_vec, 1, error) &&
         be->gather_scale (be, proj->d, proj->dev_vec, NULL, proj->dev_scale, 1.0f, g_z, error);
}

void
relief_projection_dense_explicit_reference (const ReliefProjection *proj, float *p_host)
{
  g_autofree double *scales = relief_projection_dense_column_scales (proj, p_host);

  scaled_rows (proj, scales, 0, proj->D, p_host);
}

const ReliefProjectionFamily relief_projection_dense_family = {
  .bytes = matrix_bytes,
  .build = build_matrix,
  .forward = dense_forward,
  .transpose = dense_transpose,
  .explicit_reference = relief_projection_dense_explicit_reference,
};

static gboolean
identity_forward (ReliefProjection *proj, const float *z, float *theta, GError **error)
{
  ReliefBackend *be = proj->backend;

  return be->gemm (be, FALSE, FALSE, (int) proj->D, 1, (int) proj->d, 1.0f, proj->matrix, (int) proj->d,
                   z, 1, 1.0f, theta, 1, error);
}

static gboolean
identity_transpose (ReliefProjection *proj, const float *g_theta, float *g_z, GError **error)
{
  ReliefBackend *be = proj->backend;

  return be->gemm (be, TRUE, FALSE, (int) proj->d, 1, (int) proj->D, 1.0f, proj->matrix, (int) proj->d,
                   g_theta, 1, 0.0f, g_z, 1, error);
}

static void
identity_explicit_reference (const ReliefProjection *proj, float *p_host)
{
  memset (p_host, 0, sizeof (float) * proj->D * proj->d);
  for (gsize i = 0; i < proj->D; i++)
    p_host[i * proj->d + i] = 1.0f;
}

const ReliefProjectionFamily relief_projection_identity_family = {
  .bytes = matrix_bytes,
  .build = build_matrix,
  .forward = identity_forward,
  .transpose = identity_transpose,
  .explicit_reference = identity_explicit_reference,
};

/* relief-projection-sparse.c: sparse P drawn column by column by geometric skips,
 * O(nonzeros), and kept on the device twice in CSR form (P for P z, P^T for P^T g). */
#include "relief-projection-sparse.h"
#include "relief-rng.h"

#include <math.h>
#include <string.h>

/* The nonzeros twice on the device and once more while building (value and index each). */
static double
sparse_bytes (gsize D, gsize d)
{
  return 3.0 * 8.0 * d * sqrt ((double) D) + 8.0 * (D + d);
}

/* Column j of a sparse P: each row is nonzero with probability p = 1/sqrt(D), drawn as
 * geometric gaps between nonzero rows (O(nonzeros), not O(D)), with random signs; the
 * column is scaled to unit norm.  An empty column (likely only for tiny D) becomes
 * e_(j % D).  Rows ascend.  Returns the count written to rows and values (capacity D). */
static gsize
sparse_column (const ReliefProjection *proj, gsize j, int32_t *rows, float *values)
{
  guint64 gap_seed = relief_rng_derive (proj->seed, "proj-sparse-gap");
  guint64 sign_seed = relief_rng_derive (proj->seed, "proj-sparse-sign");
  guint64 counter = (guint64) j << 32;
  double log_q = log1p (-1.0 / sqrt ((double) proj->D));
  gsize count = 0;
  gint64 row = -1;

  for (;;)
    {
      double u = relief_rng_uniform (gap_seed, counter + count);
      double skip = log_q < 0.0 && isfinite (log_q) ? floor (log (u) / log_q) : 0.0;

      if (skip >= (double) proj->D || (row += 1 + (gint64) skip) >= (gint64) proj->D)
        break;
      rows[count] = (int32_t) row;
      values[count] = relief_rng_uniform (sign_seed, counter + count) < 0.5 ? -1.0f : 1.0f;
      count++;
    }
  if (count == 0)
    {
      rows[0] = (int32_t) (j % proj->D);
      values[0] = 1.0f;
      return 1;
    }
  for (gsize k = 0; k < count; k++)
    values[k] = (float) (values[k] / sqrt ((double) count));
  return count;
}

static gboolean
build_sparse (ReliefProjection *proj, GError **error)
{
  ReliefBackend *be = proj->backend;
  gsize D = proj->D, d = proj->d, nnz;
  g_autofree int32_t *col_rows = g_new (int32_t, D);
  g_autofree float *col_vals = g_new (float, D);
  g_autoptr(GArray) t_idx = g_array_new (FALSE, FALSE, sizeof (int32_t));
  g_autoptr(GArray) t_val = g_array_new (FALSE, FALSE, sizeof (float));
  g_autofree gint64 *t_ptr = g_new (gint64, d + 1);
  g_autofree gint64 *ptr = g_new0 (gint64, D + 1);
  g_autofree gint64 *fill = NULL;
  g_autofree int32_t *idx = NULL;
  g_autofree float *val = NULL;

  /* P^T in CSR form is P column by column. */
  t_ptr[0] = 0;
  for (gsize j = 0; j < d; j++)
    {
      gsize count = sparse_column (proj, j, col_rows, col_vals);

      g_array_append_vals (t_idx, col_rows, (guint) count);
      g_array_append_vals (t_val, col_vals, (guint) count);
      t_ptr[j + 1] = t_ptr[j] + (gint64) count;
    }
  nnz = t_idx->len;
  proj->nnz = (gint64) nnz;
  /* P in CSR form: a counting sort of the entries by row; columns ascend within a row. */
  for (gsize k = 0; k < nnz; k++)
    ptr[g_array_index (t_idx, int32_t, k) + 1]++;
  for (gsize r = 0; r < D; r++)
    ptr[r + 1] += ptr[r];
  fill = g_memdup2 (ptr, sizeof (gint64) * D);
  idx = g_new (int32_t, MAX (nnz, 1));
  val = g_new (float, MAX (nnz, 1));
  for (gsize j = 0; j < d; j++)
    for (gint64 k = t_ptr[j]; k < t_ptr[j + 1]; k++)
      {
        gint64 at = fill[g_array_index (t_idx, int32_t, k)]++;

        idx[at] = (int32_t) j;
        val[at] = g_array_index (t_val, float, k);
      }
  return relief_projection_upload_new (be, (gpointer *) &proj->csrt_ptr, t_ptr, sizeof (gint64) * (d + 1), error) &&
         relief_projection_upload_new (be, (gpointer *) &proj->csrt_idx, t_idx->data, sizeof (int32_t) * nnz, error) &&
         relief_projection_upload_new (be, (gpointer *) &proj->csrt_val, t_val->data, sizeof (float) * nnz, error) &&
         relief_projection_upload_new (be, (gpointer *) &proj->csr_ptr, ptr, sizeof (gint64) * (D + 1), error) &&
         relief_projection_upload_new (be, (gpointer *) &proj->csr_idx, idx, sizeof (int32_t) * nnz, error) &&
         relief_projection_upload_new (be, (gpointer *) &proj->csr_val, val, sizeof (float) * nnz, error);
}

static gboolean
sparse_forward (ReliefProjection *proj, const float *z, float *theta, GError **error)
{
  ReliefBackend *be = proj->backend;

  return be->csr_matvec (be, (int) proj->D, proj->nnz, proj->csr_ptr, proj->csr_idx, proj->csr_val, z, 1.0f,
                         theta, error);
}

static gboolean
sparse_transpose (ReliefProjection *proj, const float *g_theta, float *g_z, GError **error)
{
  ReliefBackend *be = proj->backend;

  return be->csr_matvec (be, (int) proj->d, proj->nnz, proj->csrt_ptr, proj->csrt_idx, proj->csrt_val, g_theta,
                         0.0f, g_z, error);
}

static void
sparse_explicit_reference (const ReliefProjection *proj, float *p_host)
{
  gsize D = proj->D, d = proj->d;
  g_autofree int32_t *rows = g_new (int32_t, D);
  g_autofree float *values = g_new (float, D);

  memset (p_host, 0, sizeof (float) * D * d);
  for (gsize j = 0; j < d; j++)
    {
      gsize count = sparse_column (proj, j, rows, values);

      for (gsize k = 0; k < count; k++)
        p_host[(gsize) rows[k] * d + j] = values[k];
    }
}

const ReliefProjectionFamily relief_projection_sparse_family = {
  .bytes = sparse_bytes,
  .build = build_sparse,
  .forward = sparse_forward,
  .transpose = sparse_transpose,
  .explicit_reference = sparse_explicit_reference,
};

/* relief-subspace.c: random projections, subspace training and d_int90.
 *
 * Dense P = R S is generated on the host in row blocks from the counter-based generator,
 * so host memory stays O(block * d) however large D x d is; the raw Gaussian rows R are
 * stored and the column scales S applied to the d-vectors, so one pass draws them all.  Sparse P is drawn column by column by geometric
 * skips, O(nonzeros), and kept on the device twice in CSR form (P for P z, P^T for P^T g).
 * Fastfood keeps its diagonals and permutations on the device and runs as Walsh-Hadamard
 * transforms and gathers of the backend.  Every product stays on the device. */
#include "relief-subspace.h"
#include <glib/gi18n-lib.h>
#include "relief-rng.h"

#include <math.h>
#include <string.h>

#define ROW_BLOCK 4096
/* Floats in one regenerated block of an implicit P on the device (16 MiB). */
#define IMPLICIT_BLOCK_FLOATS ((gsize) 1 << 22)

struct _ReliefProjection {
  ReliefBackend        *backend;
  ReliefProjectionKind  kind;
  gsize                 D, d;
  guint64               seed;
  /* dense, identity: [D, d] on the device */
  float                *matrix;
  /* sparse: P in CSR form (D rows) and P^T in CSR form (d rows), on the device */
  gint64               *csr_ptr, *csrt_ptr;
  int32_t              *csr_idx, *csrt_idx;
  float                *csr_val, *csrt_val;
  gint64                nnz;
  /* fastfood: n = 2^k >= D, one block of n columns per n values of z; the host copies
   * (for relief_projection_explicit) and the same on the device */
  gsize                 n;
  gsize                 n_blocks;
  float                *ff_b;       /* [n_blocks, n] random signs */
  float                *ff_g;       /* [n_blocks, n] Gaussian diagonal */
  int32_t              *ff_pi;      /* [n_blocks, n] permutation */
  double               *ff_scale;   /* [n_blocks] */
  float                *dev_b, *dev_g, *dev_g_inv;   /* g_inv[j] = g[pi_inv[j]] */
  int32_t              *dev_pi, *dev_pi_inv;
  float                *dev_w, *dev_tmp, *dev_hg;     /* [n] work vectors */
  /* implicit: column scales of the dense P, a block of its rows and a scaled z */
  double               *col_scale;  /* [d] */
  gsize                 block_rows;
  float                *dev_block;  /* [block_rows, d] on the device */
  float                *dev_vec;    /* [d] on the device */
  float                *dev_scale;  /* [d] the column scales, on the device */
};

static const char *const kind_names[] = {
  [RELIEF_PROJECTION_DENSE] = "dense",
  [RELIEF_PROJECTION_SPARSE] = "sparse",
  [RELIEF_PROJECTION_FASTFOOD] = "fastfood",
  [RELIEF_PROJECTION_IMPLICIT] = "implicit",
  [RELIEF_PROJECTION_IDENTITY] = "identity",
};

const char *
relief_projection_kind_to_string (ReliefProjectionKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

gboolean
relief_projection_kind_from_string (const char *s, ReliefProjectionKind *out, GError **error)
{
  int value;

  if (!relief_name_lookup (_("projection"), kind_names, G_N_ELEMENTS (kind_names), s, &value, error))
    return FALSE;
  *out = (ReliefProjectionKind) value;
  return TRUE;
}

/* Unscaled entries of rows [row0, row0 + rows) of a dense or implicit P. */
static void
raw_rows (const ReliefProjection *proj, gsize row0, gsize rows, float *out)
{
  relief_rng_normal_fill (relief_rng_derive (proj->seed, "proj-dense"), row0 * proj->d, out, rows * proj->d);
}

/* Column scales of a dense P: 1/norm (a zero column, which float Gaussians never give,
 * would become e_(j % D) in the explicit matrix; build_matrix sums the same norms). */
static double *
column_scales (const ReliefProjection *proj, float *block)
{
  double *sum_sq = g_new0 (double, proj->d);

  for (gsize r0 = 0; r0 < proj->D; r0 += ROW_BLOCK)
    {
      gsize rows = MIN (ROW_BLOCK, proj->D - r0);

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

/* Uploads n_bytes from host to a new device buffer *dst. */
static gboolean
upload_new (ReliefBackend *be, gpointer *dst, gconstpointer src, gsize n_bytes, GError **error)
{
  *dst = be->alloc (be, MAX (n_bytes, 1), error);
  return *dst != NULL && be->upload (be, *dst, src, n_bytes, error);
}

/* The column scales as floats on the device, and a d-vector to apply them in; work holds
 * at least d floats. */
static gboolean
upload_scales (ReliefProjection *proj, float *work, GError **error)
{
  ReliefBackend *be = proj->backend;

  for (gsize j = 0; j < proj->d; j++)
    work[j] = (float) proj->col_scale[j];
  return upload_new (be, (gpointer *) &proj->dev_scale, work, sizeof (float) * proj->d, error) &&
         (proj->dev_vec = be->alloc (be, sizeof (float) * proj->d, error)) != NULL;
}

/* A stored P that cannot fit is refused before anything is allocated: on Linux a host
 * allocation that large may succeed and fail only when touched, and then the process is
 * killed instead of told. */
static gboolean
check_fits (ReliefProjection *proj, double bytes, GError **error)
{
  ReliefBackend *be = proj->backend;
  gsize free_bytes = 0, total_bytes = 0;

  if (be->memory_info == NULL || !be->memory_info (be, &free_bytes, &total_bytes, NULL) || bytes <= free_bytes)
    return TRUE;
  if (proj->kind == RELIEF_PROJECTION_DENSE || proj->kind == RELIEF_PROJECTION_IDENTITY)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 _("A %s projection of %llu x %llu needs %.1f GB but the %s backend has %.1f GB free; "
                   "choose sparse, fastfood or implicit, or a smaller d"),
                 kind_names[proj->kind], (unsigned long long) proj->D, (unsigned long long) proj->d, bytes / 1e9,
                 be->name, free_bytes / 1e9);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 _("A %s projection of %llu x %llu needs %.1f GB but the %s backend has %.1f GB free; "
                   "choose a smaller d"),
                 kind_names[proj->kind], (unsigned long long) proj->D, (unsigned long long) proj->d, bytes / 1e9,
                 be->name, free_bytes / 1e9);
  return FALSE;
}

/* About what a projection holds: the stored P, or for sparse its nonzeros twice on the
 * device and once more while building (value and index each), for fastfood five floats
 * per padded column, for implicit a block of rows and the d-vectors. */
static double
projection_bytes (ReliefProjectionKind kind, gsize D, gsize d)
{
  double n = 1;

  switch (kind)
    {
    case RELIEF_PROJECTION_SPARSE:
      return 3.0 * 8.0 * d * sqrt ((double) D) + 8.0 * (D + d);
    case RELIEF_PROJECTION_FASTFOOD:
      while (n < D)
        n *= 2;
      return 20.0 * n * ceil ((double) d / n) + 12.0 * n;
    case RELIEF_PROJECTION_IMPLICIT:
      return 4.0 * (IMPLICIT_BLOCK_FLOATS + 3.0 * d);
    default:
      return 4.0 * D * d;
    }
}

static gboolean
build_matrix (ReliefProjection *proj, GError **error)
{
  ReliefBackend *be = proj->backend;
  g_autofree float *block = g_new (float, MIN (ROW_BLOCK, proj->D) * proj->d);
  g_autofree double *scales = NULL;

  proj->matrix = be->alloc (be, sizeof (float) * proj->D * proj->d, error);
  if (proj->matrix == NULL)
    return FALSE;
  if (proj->kind == RELIEF_PROJECTION_IDENTITY)
    {
      /* The buffer is zero-filled: write the diagonal one row block at a time. */
      for (gsize r0 = 0; r0 < proj->D; r0 += ROW_BLOCK)
        {
          gsize rows = MIN (ROW_BLOCK, proj->D - r0);

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
  for (gsize r0 = 0; r0 < proj->D; r0 += ROW_BLOCK)
    {
      gsize rows = MIN (ROW_BLOCK, proj->D - r0);

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
  return upload_scales (proj, block, error);
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
  return upload_new (be, (gpointer *) &proj->csrt_ptr, t_ptr, sizeof (gint64) * (d + 1), error) &&
         upload_new (be, (gpointer *) &proj->csrt_idx, t_idx->data, sizeof (int32_t) * nnz, error) &&
         upload_new (be, (gpointer *) &proj->csrt_val, t_val->data, sizeof (float) * nnz, error) &&
         upload_new (be, (gpointer *) &proj->csr_ptr, ptr, sizeof (gint64) * (D + 1), error) &&
         upload_new (be, (gpointer *) &proj->csr_idx, idx, sizeof (int32_t) * nnz, error) &&
         upload_new (be, (gpointer *) &proj->csr_val, val, sizeof (float) * nnz, error);
}

static gboolean
build_implicit (ReliefProjection *proj, GError **error)
{
  ReliefBackend *be = proj->backend;
  g_autofree float *block = g_new (float, MIN (ROW_BLOCK, proj->D) * proj->d);

  proj->col_scale = column_scales (proj, block);
  proj->block_rows = MAX (1, MIN (proj->D, IMPLICIT_BLOCK_FLOATS / proj->d));
  return upload_scales (proj, block, error) &&
         (proj->dev_block = be->alloc (be, sizeof (float) * proj->block_rows * proj->d, error)) != NULL;
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
  return upload_new (be, (gpointer *) &proj->dev_b, proj->ff_b, sizeof (float) * total, error) &&
         upload_new (be, (gpointer *) &proj->dev_g, proj->ff_g, sizeof (float) * total, error) &&
         upload_new (be, (gpointer *) &proj->dev_pi, proj->ff_pi, sizeof (int32_t) * total, error) &&
         upload_new (be, (gpointer *) &proj->dev_pi_inv, pi_inv, sizeof (int32_t) * total, error) &&
         upload_new (be, (gpointer *) &proj->dev_g_inv, g_inv, sizeof (float) * total, error) &&
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

ReliefProjection *
relief_projection_new (ReliefBackend *backend, ReliefProjectionKind kind, gsize D, gsize d, guint64 seed,
                       GError **error)
{
  g_autoptr(ReliefProjection) proj = NULL;

  if ((guint) kind >= G_N_ELEMENTS (kind_names))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown projection kind %d"), (int) kind);
      return NULL;
    }
  if (D < 1 || d < 1 || D > G_MAXINT || d > G_MAXINT || (kind == RELIEF_PROJECTION_IDENTITY && d != D))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A %s projection cannot map %llu to %llu dimensions"),
                   kind_names[kind], (unsigned long long) d, (unsigned long long) D);
      return NULL;
    }
  proj = g_new0 (ReliefProjection, 1);
  proj->backend = backend;
  proj->kind = kind;
  proj->D = D;
  proj->d = d;
  proj->seed = seed;
  /* The sparse build counts its nonzeros in 32 bits: about d sqrt(D) of them. */
  if ((kind == RELIEF_PROJECTION_SPARSE && (double) d * sqrt ((double) D) > G_MAXUINT32 / 2) ||
      !check_fits (proj, projection_bytes (kind, D, d), error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                     _("A sparse projection of %llu x %llu has too many nonzeros; choose fastfood or a smaller d"),
                     (unsigned long long) D, (unsigned long long) d);
      return NULL;
    }
  if (!(kind == RELIEF_PROJECTION_FASTFOOD ? build_fastfood (proj, error)
         : kind == RELIEF_PROJECTION_IMPLICIT ? build_implicit (proj, error)
         : kind == RELIEF_PROJECTION_SPARSE ? build_sparse (proj, error)
         : build_matrix (proj, error)))
    return NULL;
  return g_steal_pointer (&proj);
}

void
relief_projection_free (ReliefProjection *proj)
{
  ReliefBackend *be;

  if (proj == NULL)
    return;
  be = proj->backend;
  {
    gpointer device[] = { proj->matrix, proj->csr_ptr, proj->csr_idx, proj->csr_val, proj->csrt_ptr,
                          proj->csrt_idx, proj->csrt_val, proj->dev_b, proj->dev_g, proj->dev_g_inv,
                          proj->dev_pi, proj->dev_pi_inv, proj->dev_w, proj->dev_tmp, proj->dev_hg,
                          proj->dev_block, proj->dev_vec, proj->dev_scale };

    for (guint i = 0; i < G_N_ELEMENTS (device); i++)
      if (device[i] != NULL)
        be->free (be, device[i]);
  }
  g_free (proj->col_scale);
  g_free (proj->ff_b);
  g_free (proj->ff_g);
  g_free (proj->ff_pi);
  g_free (proj->ff_scale);
  g_free (proj);
}

ReliefProjectionKind
relief_projection_get_kind (const ReliefProjection *proj)
{
  return proj->kind;
}

gsize
relief_projection_get_D (const ReliefProjection *proj)
{
  return proj->D;
}

gsize
relief_projection_get_d (const ReliefProjection *proj)
{
  return proj->d;
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

/* The unscaled rows [row0, row0 + rows) of an implicit P, regenerated on the device: the same
 * numbers raw_rows draws on the host. */
static gboolean
implicit_block (ReliefProjection *proj, gsize row0, gsize rows, GError **error)
{
  ReliefBackend *be = proj->backend;

  return be->random_normal (be, proj->dev_block, rows * proj->d, relief_rng_derive (proj->seed, "proj-dense"),
                            row0 * proj->d, error);
}

/* Implicit P z = R (S z), S the column scales, R the raw Gaussian rows. */
static gboolean
implicit_forward (ReliefProjection *proj, const float *z, float *theta, GError **error)
{
  ReliefBackend *be = proj->backend;

  if (!be->gather_scale (be, proj->d, z, NULL, proj->dev_scale, 1.0f, proj->dev_vec, error))
    return FALSE;
  for (gsize r0 = 0; r0 < proj->D; r0 += proj->block_rows)
    {
      gsize rows = MIN (proj->block_rows, proj->D - r0);

      if (!implicit_block (proj, r0, rows, error) ||
          !be->gemm (be, FALSE, FALSE, (int) rows, 1, (int) proj->d, 1.0f, proj->dev_block, (int) proj->d,
                     proj->dev_vec, 1, 1.0f, theta + r0, 1, error))
        return FALSE;
    }
  return TRUE;
}

/* Implicit P^T g = S (R^T g), R^T g accumulated over the row blocks. */
static gboolean
implicit_transpose (ReliefProjection *proj, const float *g_theta, float *g_z, GError **error)
{
  ReliefBackend *be = proj->backend;

  for (gsize r0 = 0; r0 < proj->D; r0 += proj->block_rows)
    {
      gsize rows = MIN (proj->block_rows, proj->D - r0);

      if (!implicit_block (proj, r0, rows, error) ||
          !be->gemm (be, TRUE, FALSE, (int) proj->d, 1, (int) rows, 1.0f, proj->dev_block, (int) proj->d,
                     g_theta + r0, 1, r0 == 0 ? 0.0f : 1.0f, proj->dev_vec, 1, error))
        return FALSE;
    }
  return be->gather_scale (be, proj->d, proj->dev_vec, NULL, proj->dev_scale, 1.0f, g_z, error);
}

gboolean
relief_projection_forward (ReliefProjection *proj, const float *theta0, const float *z, float *theta,
                           GError **error)
{
  ReliefBackend *be = proj->backend;

  if (!be->copy (be, theta, theta0, sizeof (float) * proj->D, error))
    return FALSE;
  switch (proj->kind)
    {
    case RELIEF_PROJECTION_IMPLICIT:
      return implicit_forward (proj, z, theta, error);
    case RELIEF_PROJECTION_FASTFOOD:
      return fastfood_forward (proj, z, theta, error);
    case RELIEF_PROJECTION_SPARSE:
      return be->csr_matvec (be, (int) proj->D, proj->nnz, proj->csr_ptr, proj->csr_idx, proj->csr_val, z, 1.0f,
                             theta, error);
    case RELIEF_PROJECTION_DENSE:
      return be->gather_scale (be, proj->d, z, NULL, proj->dev_scale, 1.0f, proj->dev_vec, error) &&
             be->gemm (be, FALSE, FALSE, (int) proj->D, 1, (int) proj->d, 1.0f, proj->matrix, (int) proj->d,
                       proj->dev_vec, 1, 1.0f, theta, 1, error);
    default:
      return be->gemm (be, FALSE, FALSE, (int) proj->D, 1, (int) proj->d, 1.0f, proj->matrix, (int) proj->d,
                       z, 1, 1.0f, theta, 1, error);
    }
}

gboolean
relief_projection_transpose (ReliefProjection *proj, const float *g_theta, float *g_z, GError **error)
{
  ReliefBackend *be = proj->backend;

  switch (proj->kind)
    {
    case RELIEF_PROJECTION_IMPLICIT:
      return implicit_transpose (proj, g_theta, g_z, error);
    case RELIEF_PROJECTION_FASTFOOD:
      return fastfood_transpose (proj, g_theta, g_z, error);
    case RELIEF_PROJECTION_SPARSE:
      return be->csr_matvec (be, (int) proj->d, proj->nnz, proj->csrt_ptr, proj->csrt_idx, proj->csrt_val, g_theta,
                             0.0f, g_z,
                             error);
    case RELIEF_PROJECTION_DENSE:
      return be->gemm (be, TRUE, FALSE, (int) proj->d, 1, (int) proj->D, 1.0f, proj->matrix, (int) proj->d,
                       g_theta, 1, 0.0f, proj->dev_vec, 1, error) &&
             be->gather_scale (be, proj->d, proj->dev_vec, NULL, proj->dev_scale, 1.0f, g_z, error);
    default:
      return be->gemm (be, TRUE, FALSE, (int) proj->d, 1, (int) proj->D, 1.0f, proj->matrix, (int) proj->d,
                       g_theta, 1, 0.0f, g_z, 1, error);
    }
}

/* Hadamard entry H_ab = (-1)^popcount(a & b). */
static double
hadamard (gsize a, gsize b)
{
  return (__builtin_popcountll ((unsigned long long) (a & b)) & 1) ? -1.0 : 1.0;
}

gboolean
relief_projection_explicit (ReliefProjection *proj, float *p_host, GError **error)
{
  gsize n = proj->n, D = proj->D, d = proj->d;

  switch (proj->kind)
    {
    case RELIEF_PROJECTION_IDENTITY:
      memset (p_host, 0, sizeof (float) * D * d);
      for (gsize i = 0; i < D; i++)
        p_host[i * d + i] = 1.0f;
      return TRUE;
    case RELIEF_PROJECTION_SPARSE:
      {
        g_autofree int32_t *rows = g_new (int32_t, D);
        g_autofree float *values = g_new (float, D);

        memset (p_host, 0, sizeof (float) * D * d);
        for (gsize j = 0; j < d; j++)
          {
            gsize count = sparse_column (proj, j, rows, values);

            for (gsize k = 0; k < count; k++)
              p_host[(gsize) rows[k] * d + j] = values[k];
          }
        return TRUE;
      }
    case RELIEF_PROJECTION_DENSE:
    case RELIEF_PROJECTION_IMPLICIT:
      {
        g_autofree double *scales = column_scales (proj, p_host);

        scaled_rows (proj, scales, 0, D, p_host);
        return TRUE;
      }
    case RELIEF_PROJECTION_FASTFOOD:
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
      return TRUE;
    default:
      break;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown projection kind %d"), (int) proj->kind);
  return FALSE;
}

/* Everything one subspace run holds on the device, freed in one place. */
typedef struct {
  ReliefBackend *backend;
  ReliefMlp     *mlp;
  ReliefBatcher *batcher;
  float         *theta0;
  float         *theta;
  float         *grad;
  float         *z;
  float         *z_before;   /* z before the last update, kept on divergence */
  float         *g_z;
  float         *state;
  ReliefProjection *proj;
  const ReliefOptimizerConfig *optimizer;
  ReliefStepper *stepper;
} SubspaceRun;

/* One subspace step on the device: theta = theta0 + P z, the gradient in theta on the
 * prepared batch, P^T of it, and the guarded update of z. */
static gboolean
subspace_step_body (gpointer data, const gint64 *step_dev, GError **error)
{
  SubspaceRun *run = data;
  const float *x_batch;
  const int32_t *y_batch;
  int rows;

  return relief_batcher_gather_prepared (run->batcher, &x_batch, &y_batch, &rows, error) &&
         relief_projection_forward (run->proj, run->theta0, run->z, run->theta, error) &&
         relief_mlp_forward_backward (run->mlp, run->theta, x_batch, y_batch, rows, run->grad, NULL, NULL, error) &&
         relief_projection_transpose (run->proj, run->grad, run->g_z, error) &&
         relief_train_update (run->backend, run->optimizer, step_dev, run->z, run->z_before, run->g_z, run->state,
                              run->proj->d, error);
}

static void
subspace_run_clear (SubspaceRun *run)
{
  ReliefBackend *be = run->backend;
  gpointer buffers[] = { run->theta0, run->theta, run->grad, run->z, run->z_before, run->g_z, run->state };

  g_clear_pointer (&run->stepper, relief_stepper_free);
  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    if (buffers[i] != NULL)
      be->free (be, buffers[i]);
  g_clear_pointer (&run->batcher, relief_batcher_free);
  g_clear_pointer (&run->mlp, relief_mlp_free);
}

static gboolean
alloc_floats (ReliefBackend *be, float **out, gsize n, GError **error)
{
  *out = be->alloc (be, sizeof (float) * n, error);
  return *out != NULL;
}

static gboolean
check_inputs (const ReliefMlpSpec *spec, const ReliefDataset *ds, const ReliefTrainConfig *config,
              const ReliefProjection *proj, GError **error)
{
  if (!relief_train_check_inputs (spec, ds, config, error))
    return FALSE;
  if (proj->D != relief_mlp_spec_n_params (spec))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The projection maps into %llu parameters but the model has %llu"),
                   (unsigned long long) proj->D, (unsigned long long) relief_mlp_spec_n_params (spec));
      return FALSE;
    }
  return TRUE;
}

static gboolean
evaluate (SubspaceRun *run, ReliefProjection *proj, const ReliefDataset *ds, ReliefSubspaceResult *result,
          GError **error)
{
  result->test_loss = result->test_acc = NAN;
  if (!relief_projection_forward (proj, run->theta0, run->z, run->theta, error) ||
      !relief_mlp_evaluate (run->mlp, run->theta, ds->x_train, ds->y_train, ds->n_train,
                            &result->train_loss, &result->train_acc, error))
    return FALSE;
  return ds->n_test == 0 ||
         relief_mlp_evaluate (run->mlp, run->theta, ds->x_test, ds->y_test, ds->n_test,
                              &result->test_loss, &result->test_acc, error);
}

ReliefTrainStatus
relief_subspace_train (ReliefBackend *backend, const ReliefMlpSpec *spec, const ReliefDataset *ds,
                       const ReliefTrainConfig *config, ReliefProjection *proj, const float *theta0_host,
                       float *z_out_host, const ReliefTrainCallbacks *callbacks,
                       ReliefSubspaceResult *result, GCancellable *cancellable, GError **error)
{
  ReliefBackend *be = backend;
  SubspaceRun run = { .backend = backend, .proj = proj, .optimizer = &config->optimizer };
  ReliefTrainStatus status = RELIEF_TRAIN_COMPLETED;
  ReliefSubspaceResult res = { 0 };
  gsize D = proj->D, d = proj->d;
  int steps_per_epoch, state_size;
  gint64 total_steps, step = 0;
  gboolean ok = FALSE;

  if (!check_inputs (spec, ds, config, proj, error))
    return RELIEF_TRAIN_FAILED;
  if (proj->backend != backend)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The projection lives on the %s backend, not on %s"), proj->backend->name, backend->name);
      return RELIEF_TRAIN_FAILED;
    }

  state_size = relief_optimizer_state_size (config->optimizer.kind);
  run.batcher = relief_batcher_new (be, ds, config->batch_size, config->seed, error);
  if (run.batcher == NULL)
    goto out;
  steps_per_epoch = relief_batcher_steps_per_epoch (run.batcher);
  total_steps = (gint64) steps_per_epoch * config->epochs;

  run.mlp = relief_mlp_new (be, spec, relief_train_workspace_rows (ds, config->batch_size), error);
  if (run.mlp == NULL ||
      !alloc_floats (be, &run.theta0, D, error) ||
      !alloc_floats (be, &run.theta, D, error) ||
      !alloc_floats (be, &run.grad, D, error) ||
      !alloc_floats (be, &run.z, d, error) ||
      !alloc_floats (be, &run.z_before, d, error) ||
      !alloc_floats (be, &run.g_z, d, error) ||
      !alloc_floats (be, &run.state, MAX (1, (gsize) state_size * d), error) ||
      !be->upload (be, run.theta0, theta0_host, sizeof (float) * D, error) ||
      (run.stepper = relief_stepper_new (be, subspace_step_body, &run, error)) == NULL)
    goto out;

  for (int epoch = 0; epoch < config->epochs && status == RELIEF_TRAIN_COMPLETED; epoch++)
    {
      for (int index = 0; index < steps_per_epoch; index++)
        {
          double batch_loss;
          gboolean diverged;
          int rows;

          if (g_cancellable_is_cancelled (cancellable))
            {
              status = RELIEF_TRAIN_CANCELLED;
              break;
            }
          if (!relief_batcher_prepare (run.batcher, epoch, index, &rows, error) ||
              !relief_stepper_run (run.stepper, step + 1, rows, error) ||
              !relief_train_check_update (be, run.z, run.z_before, d, rows, &batch_loss, &diverged, error))
            goto out;
          /* As in relief_train: a divergence keeps the last finite z. */
          if (diverged)
            {
              status = RELIEF_TRAIN_DIVERGED;
              break;
            }
          step++;
          if (callbacks != NULL && callbacks->progress != NULL)
            callbacks->progress (step, total_steps, batch_loss, callbacks->user_data);
        }
    }

  if (!evaluate (&run, proj, ds, &res, error) ||
      (z_out_host != NULL && !be->download (be, z_out_host, run.z, sizeof (float) * d, error)))
    goto out;
  res.steps = step;
  if (result != NULL)
    *result = res;
  ok = TRUE;

out:
  subspace_run_clear (&run);
  return ok ? status : RELIEF_TRAIN_FAILED;
}

int
relief_dint90 (const gint64 *dims, const double *acc, int K, int seeds, double baseline,
               double *dint_mean, double *dint_std)
{
  double target = 0.9 * baseline, sum = 0.0, sum_sq = 0.0;
  int reached = 0;

  for (int s = 0; s < seeds; s++)
    {
      double prev_d = NAN, prev_a = NAN, found = NAN;

      for (int k = 0; k < K && isnan (found); k++)
        {
          double a = acc[(gsize) k * seeds + s];

          if (isnan (a))
            continue;
          if (a >= target)
            found = isnan (prev_d) ? (double) dims[k]
                    : prev_d + (target - prev_a) / (a - prev_a) * ((double) dims[k] - prev_d);
          prev_d = (double) dims[k];
          prev_a = a;
        }
      if (isnan (found))
        continue;
      reached++;
      sum += found;
      sum_sq += found * found;
    }
  *dint_mean = reached > 0 ? sum / reached : NAN;
  *dint_std = reached > 1 ? sqrt (MAX (0.0, (sum_sq - sum * sum / reached) / (reached - 1)))
              : reached == 1 ? 0.0 : NAN;
  return reached;
}

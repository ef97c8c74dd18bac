/* relief-projection-implicit.c: implicit P, dense's P with the same seed regenerated on
 * the device a block of rows at a time on each product: only the d column scales and one
 * block are held, whatever D x d is. */
#include "relief-projection-implicit.h"
#include "relief-projection-dense.h"
#include "relief-rng.h"

/* Floats in one regenerated block of an implicit P on the device (16 MiB). */
#define IMPLICIT_BLOCK_FLOATS ((gsize) 1 << 22)

/* A block of rows and the d-vectors. */
static double
implicit_bytes (gsize D, gsize d)
{
  return 4.0 * (IMPLICIT_BLOCK_FLOATS + 3.0 * d);
}

static gboolean
build_implicit (ReliefProjection *proj, GError **error)
{
  ReliefBackend *be = proj->backend;
  g_autofree float *block = g_new (float, MIN (RELIEF_PROJECTION_ROW_BLOCK, proj->D) * proj->d);

  proj->col_scale = relief_projection_dense_column_scales (proj, block);
  proj->block_rows = MAX (1, MIN (proj->D, IMPLICIT_BLOCK_FLOATS / proj->d));
  return relief_projection_upload_scales (proj, block, error) &&
         (proj->dev_block = be->alloc (be, sizeof (float) * proj->block_rows * proj->d, error)) != NULL;
}

/* The unscaled rows [row0, row0 + rows) of an implicit P, regenerated on the device: the same
 * numbers the dense build draws on the host. */
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

const ReliefProjectionFamily relief_projection_implicit_family = {
  .bytes = implicit_bytes,
  .build = build_implicit,
  .forward = implicit_forward,
  .transpose = implicit_transpose,
  .explicit_reference = relief_projection_dense_explicit_reference,
};

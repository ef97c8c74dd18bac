/* relief-projection.c: the projection interface: the families' table, construction with
 * its size checks, and the products dispatched to the family.
 *
 * The families keep everything on the device: dense and identity store P
 * (relief-projection-dense.c), sparse its nonzeros in CSR form
 * (relief-projection-sparse.c), fastfood its diagonals and permutations
 * (relief-projection-fastfood.c), implicit regenerates dense's P block by block
 * (relief-projection-implicit.c). */
#include "relief-projection-private.h"
#include "relief-projection-dense.h"
#include "relief-projection-fastfood.h"
#include "relief-projection-implicit.h"
#include "relief-projection-sparse.h"
#include "relief-enums.h"

#include <glib/gi18n-lib.h>
#include <math.h>

static const ReliefProjectionFamily *const families[] = {
  [RELIEF_PROJECTION_DENSE] = &relief_projection_dense_family,
  [RELIEF_PROJECTION_SPARSE] = &relief_projection_sparse_family,
  [RELIEF_PROJECTION_FASTFOOD] = &relief_projection_fastfood_family,
  [RELIEF_PROJECTION_IMPLICIT] = &relief_projection_implicit_family,
  [RELIEF_PROJECTION_IDENTITY] = &relief_projection_identity_family,
};

gboolean
relief_projection_upload_new (ReliefBackend *be, gpointer *dst, gconstpointer src, gsize n_bytes, GError **error)
{
  *dst = be->alloc (be, MAX (n_bytes, 1), error);
  return *dst != NULL && be->upload (be, *dst, src, n_bytes, error);
}

gboolean
relief_projection_upload_scales (ReliefProjection *proj, float *work, GError **error)
{
  ReliefBackend *be = proj->backend;

  for (gsize j = 0; j < proj->d; j++)
    work[j] = (float) proj->col_scale[j];
  return relief_projection_upload_new (be, (gpointer *) &proj->dev_scale, work, sizeof (float) * proj->d, error) &&
         (proj->dev_vec = be->alloc (be, sizeof (float) * proj->d, error)) != NULL;
}

/* A stored P that cannot fit is refused before anything is allocated: on Linux a host
 * allocation that large may succeed and fail only when touched, and then the process is
 * killed instead of told. */
static gboolean
check_fits (ReliefProjection *proj, double bytes, GError **error)
{
  ReliefBackend *be = proj->backend;
  const char *name = relief_enum_to_nick (RELIEF_TYPE_PROJECTION_KIND, proj->kind);
  gsize free_bytes = 0, total_bytes = 0;

  if (be->memory_info == NULL || !be->memory_info (be, &free_bytes, &total_bytes, NULL) || bytes <= free_bytes)
    return TRUE;
  if (proj->kind == RELIEF_PROJECTION_DENSE || proj->kind == RELIEF_PROJECTION_IDENTITY)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 _("A %s projection of %llu x %llu needs %.1f GB but the %s backend has %.1f GB free; "
                   "choose sparse, fastfood or implicit, or a smaller d"),
                 name, (unsigned long long) proj->D, (unsigned long long) proj->d, bytes / 1e9, be->name,
                 free_bytes / 1e9);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 _("A %s projection of %llu x %llu needs %.1f GB but the %s backend has %.1f GB free; "
                   "choose a smaller d"),
                 name, (unsigned long long) proj->D, (unsigned long long) proj->d, bytes / 1e9, be->name,
                 free_bytes / 1e9);
  return FALSE;
}

void
relief_projection_estimate (ReliefProjectionKind kind, gsize D, gsize d, double *bytes, double *flops)
{
  double n = 1;

  g_return_if_fail ((guint) kind < G_N_ELEMENTS (families));
  *bytes = families[kind]->bytes (D, d);
  switch (kind)
    {
    case RELIEF_PROJECTION_SPARSE:
      *flops = 2.0 * d * sqrt ((double) D);
      break;
    case RELIEF_PROJECTION_FASTFOOD:
      /* Two Walsh-Hadamard transforms of n = 2^k >= D per block of n columns. */
      while (n < D)
        n *= 2;
      *flops = 2.0 * n * log2 (n) * ceil ((double) d / n) + 4.0 * D;
      break;
    case RELIEF_PROJECTION_IMPLICIT:
      /* dense's product, and its P drawn again: a few operations per entry. */
      *flops = 6.0 * D * d;
      break;
    default:
      *flops = 2.0 * D * d;
      break;
    }
}

ReliefProjection *
relief_projection_new (ReliefBackend *backend, ReliefProjectionKind kind, gsize D, gsize d, guint64 seed,
                       GError **error)
{
  g_autoptr(ReliefProjection) proj = NULL;

  if ((guint) kind >= G_N_ELEMENTS (families))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown projection kind %d"), (int) kind);
      return NULL;
    }
  if (D < 1 || d < 1 || D > G_MAXINT || d > G_MAXINT || (kind == RELIEF_PROJECTION_IDENTITY && d != D))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A %s projection cannot map %llu to %llu dimensions"),
                   relief_enum_to_nick (RELIEF_TYPE_PROJECTION_KIND, kind), (unsigned long long) d,
                   (unsigned long long) D);
      return NULL;
    }
  proj = g_new0 (ReliefProjection, 1);
  proj->backend = backend;
  proj->kind = kind;
  proj->D = D;
  proj->d = d;
  proj->seed = seed;
  proj->family = families[kind];
  /* The sparse build counts its nonzeros in 32 bits: about d sqrt(D) of them. */
  if ((kind == RELIEF_PROJECTION_SPARSE && (double) d * sqrt ((double) D) > G_MAXUINT32 / 2) ||
      !check_fits (proj, families[kind]->bytes (D, d), error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                     _("A sparse projection of %llu x %llu has too many nonzeros; choose fastfood or a smaller d"),
                     (unsigned long long) D, (unsigned long long) d);
      return NULL;
    }
  if (!proj->family->build (proj, error))
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

ReliefBackend *
relief_projection_get_backend (const ReliefProjection *proj)
{
  return proj->backend;
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

gboolean
relief_projection_forward (ReliefProjection *proj, const float *theta0, const float *z, float *theta,
                           GError **error)
{
  ReliefBackend *be = proj->backend;

  return be->copy (be, theta, theta0, sizeof (float) * proj->D, error) &&
         proj->family->forward (proj, z, theta, error);
}

gboolean
relief_projection_transpose (ReliefProjection *proj, const float *g_theta, float *g_z, GError **error)
{
  return proj->family->transpose (proj, g_theta, g_z, error);
}

void
relief_projection_explicit_reference (const ReliefProjection *proj, float *p_host)
{
  proj->family->explicit_reference (proj, p_host);
}

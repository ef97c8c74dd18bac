/* relief-projection-private.h: what the projection families share: the projection's
 * fields, the table each family fills, and the interface's helpers. */
#pragma once

#include "relief-projection.h"

G_BEGIN_DECLS

/* Rows of P generated on the host at a time. */
#define RELIEF_PROJECTION_ROW_BLOCK 4096

/* One family of projections: what it holds, how it builds, its two products and P itself. */
typedef struct {
  /* About the bytes a D x d projection holds while building and after. */
  double   (*bytes)              (gsize D, gsize d);
  gboolean (*build)              (ReliefProjection *proj, GError **error);
  /* theta += P z, both on the device. */
  gboolean (*forward)            (ReliefProjection *proj, const float *z, float *theta, GError **error);
  /* g_z = P^T g_theta, both on the device. */
  gboolean (*transpose)          (ReliefProjection *proj, const float *g_theta, float *g_z, GError **error);
  /* P, [D, d] row-major on the host, from its definition rather than the products. */
  void     (*explicit_reference) (const ReliefProjection *proj, float *p_host);
} ReliefProjectionFamily;

struct _ReliefProjection {
  ReliefBackend        *backend;
  ReliefProjectionKind  kind;
  gsize                 D, d;
  guint64               seed;
  const ReliefProjectionFamily *family;
  /* dense, identity: [D, d] on the device */
  float                *matrix;
  /* sparse: P in CSR form (D rows) and P^T in CSR form (d rows), on the device */
  gint64               *csr_ptr, *csrt_ptr;
  int32_t              *csr_idx, *csrt_idx;
  float                *csr_val, *csrt_val;
  gint64                nnz;
  /* fastfood: n = 2^k >= D, one block of n columns per n values of z; the host copies
   * (for relief_projection_explicit_reference) and the same on the device */
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

/* Uploads n_bytes from host to a new device buffer *dst. */
gboolean relief_projection_upload_new    (ReliefBackend *be, gpointer *dst, gconstpointer src, gsize n_bytes,
                                          GError **error);
/* The column scales as floats on the device, and a d-vector to apply them in; work holds
 * at least d floats. */
gboolean relief_projection_upload_scales (ReliefProjection *proj, float *work, GError **error);

G_END_DECLS

/* relief-projection-dense.h: the projections that store P on the device: dense Gaussian
 * with unit-norm columns, and the identity. */
#pragma once

#include "relief-projection-private.h"

G_BEGIN_DECLS

extern const ReliefProjectionFamily relief_projection_dense_family;
extern const ReliefProjectionFamily relief_projection_identity_family;

/* Column scales of a dense P (1/norm), summed over its rows regenerated a row block at a
 * time in block (RELIEF_PROJECTION_ROW_BLOCK x d floats); implicit shares them. */
double *relief_projection_dense_column_scales        (const ReliefProjection *proj, float *block);
/* Dense's P on the host, which implicit's equals. */
void    relief_projection_dense_explicit_reference (const ReliefProjection *proj, float *p_host);

G_END_DECLS

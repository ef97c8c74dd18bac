/* relief-projection-sparse.h: the sparse projection: +-1 entries with probability 1/sqrt(D),
 * kept on the device in CSR form. */
#pragma once

#include "relief-projection-private.h"

G_BEGIN_DECLS

extern const ReliefProjectionFamily relief_projection_sparse_family;

G_END_DECLS

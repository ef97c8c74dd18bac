/* relief-projection-implicit.h: the implicit projection: dense's P regenerated on the
 * device block by block on each product, never stored. */
#pragma once

#include "relief-projection-private.h"

G_BEGIN_DECLS

extern const ReliefProjectionFamily relief_projection_implicit_family;

G_END_DECLS

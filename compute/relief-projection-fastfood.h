/* relief-projection-fastfood.h: the fastfood projection, H G Pi H B blocks run as
 * Walsh-Hadamard transforms. */
#pragma once

#include "relief-projection-private.h"

G_BEGIN_DECLS

extern const ReliefProjectionFamily relief_projection_fastfood_family;

G_END_DECLS

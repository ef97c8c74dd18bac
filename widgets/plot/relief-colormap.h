/* relief-colormap.h: viridis and magma. */
#pragma once

#include <glib.h>
#include "relief-plot-enum-types.h"

G_BEGIN_DECLS

/* A GEnum (RELIEF_TYPE_COLORMAP, relief-plot-enum-types.h) named by its nicks. */
typedef enum {
  RELIEF_COLORMAP_VIRIDIS, /*< nick=viridis >*/
  RELIEF_COLORMAP_MAGMA,   /*< nick=magma >*/
} ReliefColormap;

/* t in [0,1] (clamped) to sRGB components in [0,1]. */
void     relief_colormap_eval (ReliefColormap cmap, double t, double rgb[3]);

G_END_DECLS

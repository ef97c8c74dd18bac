/* relief-colormap.h: viridis and magma. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RELIEF_COLORMAP_VIRIDIS,
  RELIEF_COLORMAP_MAGMA,
} ReliefColormap;

/* t in [0,1] (clamped) to sRGB components in [0,1]. */
void     relief_colormap_eval (ReliefColormap cmap, double t, double rgb[3]);
const char *relief_colormap_to_string (ReliefColormap cmap);

G_END_DECLS

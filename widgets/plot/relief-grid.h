/* relief-grid.h: lookups on a surface's grid (increasing coordinates per axis), shared by
 * the renderers and the widgets that report what lies under the pointer. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The cell [c[i], c[i + 1]] that holds v, for n >= 2 and c[0] <= v <= c[n - 1]. */
int      relief_grid_cell (const double *c, int n, double v);
/* The extent the plot core draws a grid axis over: its first to last coordinate, or half a
 * unit around a single one (around 0 when there is none). */
void     relief_grid_extent (const double *c, int n, double *lo, double *hi);
/* z at (x, y) interpolated bilinearly on the grid; NaN outside it or next to NaN. */
double   relief_grid_interpolate (const double *z, int nx, int ny, const double *xs, const double *ys,
                                  double x, double y);

G_END_DECLS

/* relief-contour.h: marching squares and contour levels. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Marching squares over z [ny, nx] on the grid xs x ys at one level: calls segment() for
 * each line segment in data coordinates; cells touching NaN are skipped. */
typedef void (*ReliefSegmentFunc) (double x0, double y0, double x1, double y1, gpointer user_data);
void     relief_contour_segments (const double *z, int nx, int ny, const double *xs, const double *ys,
                                  double level, ReliefSegmentFunc segment, gpointer user_data);
/* n levels evenly spaced strictly inside [zmin, zmax] (linear) or in log space when log is
 * TRUE and zmin > 0. */
void     relief_contour_levels (double zmin, double zmax, int n, gboolean log, double *levels);

G_END_DECLS

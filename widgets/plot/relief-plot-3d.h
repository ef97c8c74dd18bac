/* relief-plot-3d.h: a surface in 3D. */
#pragma once

#include <cairo.h>

#include "relief-colormap.h"

G_BEGIN_DECLS

/* A surface in 3D, as matplotlib's plot_surface draws it: quads filled by the colormap
 * and sorted back to front, a thin mesh, the axes box with ticks on x, y and z. */
#define RELIEF_SURFACE3D_AZIMUTH   (-60.0)   /* matplotlib's default view, in degrees */
#define RELIEF_SURFACE3D_ELEVATION  30.0

typedef struct {
  const char   *title;         /* may be NULL */
  const char   *xlabel, *ylabel, *zlabel;
  int           nx, ny;
  const double *xs, *ys;       /* grid coordinates, increasing */
  const double *z;             /* [ny, nx] row = y; quads touching NaN are left out */
  ReliefColormap colormap;
  gboolean      log_scale;     /* z axis and color in log10 (values <= 0 clamped) */
  gboolean      show_colorbar;
  double        azimuth, elevation;   /* degrees: the view from (cos az, sin az) in the x-y
                                         plane, raised by elevation */
  double        zoom;          /* 1: the box fills the figure; <= 0 taken as 1 */
  /* optional polyline on the surface (the trajectory); z looked up bilinearly in the grid
   * when path_z is NULL.  n_path == 0: none. */
  int           n_path;
  const double *path_x, *path_y, *path_z;
  int           path_marker;   /* the highlighted point, -1 none */
} ReliefSurface3DSpec;

void     relief_plot_surface3d (cairo_t *cr, double width, double height, const ReliefSurface3DSpec *spec);

G_END_DECLS

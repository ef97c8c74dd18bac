/* relief-plot-heatmap.h: a surface as a map: filled contours or a smooth image, with contour
 * lines, a colorbar, a marker and paths. */
#pragma once

#include "relief-colormap.h"
#include "relief-plot-axes.h"
#include "relief-plot-lines.h"

G_BEGIN_DECLS

typedef struct {
  const char   *title;         /* may be NULL */
  const char   *xlabel, *ylabel, *zlabel;  /* zlabel labels the colorbar */
  int           nx, ny;
  const double *xs, *ys;       /* grid coordinates, increasing */
  const double *z;             /* [ny, nx] row = y, NaN = not computed (drawn as background) */
  ReliefColormap colormap;
  gboolean      filled;        /* filled contour bands (TRUE) or a smooth heatmap (FALSE) */
  int           n_levels;      /* contour lines; 0: none */
  gboolean      log_scale;     /* color and levels in log10 (values <= 0 clamped) */
  gboolean      show_colorbar;
  /* optional marker at (marker_x, marker_y) when has_marker */
  gboolean      has_marker;
  double        marker_x, marker_y;
  /* optional polyline with a dot at each point (e.g. the training trajectory projected on
   * a PCA plane); n_path == 0: none.  NaN points break the line. */
  int           n_path;
  const double *path_x, *path_y;
  int           path_marker;   /* the highlighted point (the scrubber's), -1 none */
  /* further paths, each in its own color (dashed or not) with a dot where it ends and a
   * legend entry when labelled (an optimizer race: one path per optimizer); n_paths == 0:
   * none. */
  int           n_paths;
  const ReliefLineSeries *paths;
} ReliefHeatmapSpec;

void     relief_plot_heatmap (cairo_t *cr, double width, double height, const ReliefHeatmapSpec *spec,
                              ReliefPlotFrame *frame_out);

G_END_DECLS

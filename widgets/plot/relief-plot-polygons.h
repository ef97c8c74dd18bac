/* relief-plot-polygons.h: filled polygons (the linear regions of a ReLU network), with
 * segments (the decision boundary) and samples over them and a colorbar beside them. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "relief-colormap.h"
#include "relief-plot-axes.h"

G_BEGIN_DECLS

typedef struct {
  int           n;             /* vertices, at least 3 to draw */
  const double *x, *y;         /* in order around the polygon, convex or not; not closed */
  double        fill[3];
  double        outline[3];
} ReliefPolygon;

typedef struct {
  const char   *title;         /* may be NULL */
  const char   *xlabel, *ylabel;
  int           n_polygons;
  const ReliefPolygon *polygons;   /* drawn in order, later ones on top */
  double        outline_width; /* in device units; <= 0: no outlines */
  /* fixed limits when xmin < xmax (resp. ymin < ymax), else the vertices' extent */
  double        xmin, xmax, ymin, ymax;
  /* Segments over the polygons, [n_segments, 4]: x0 y0 x1 y1 each, segment_width device
   * units wide in segment_rgb over a white halo; n_segments 0: none. */
  gsize         n_segments;
  const double *segments;
  double        segment_width;
  double        segment_rgb[3];
  /* Samples over everything as dots of their class's color (relief_plot_palette) with dark
   * edges, [n_samples, 2]; n_samples 0: none. */
  int           n_samples;
  const float  *samples;
  const gint32 *labels;
  /* A colorbar of colormap from zmin to zmax right of the data area (the fills' scale,
   * which the caller chose from the same colormap), labelled zlabel (may be NULL). */
  gboolean      show_colorbar;
  ReliefColormap colormap;
  double        zmin, zmax;
  const char   *zlabel;
} ReliefPolygonPlotSpec;

void relief_plot_polygons (cairo_t *cr, double width, double height, const ReliefPolygonPlotSpec *spec,
                           ReliefPlotFrame *frame_out);

/* Polygons over a figure drawn before (frame: where its data area is, in cr's units),
 * clipped to it: each filled with its fill at fill_alpha and outlined outline_width wide
 * (<= 0: none); then n_segments segments [n_segments, 4] (x0 y0 x1 y1, data units) on top
 * in segment_rgb, segment_width wide: linear regions over a decision map, the decision
 * boundary over them. */
void relief_plot_polygons_over (cairo_t *cr, const ReliefPlotFrame *frame, const ReliefPolygon *polygons,
                                int n_polygons, double fill_alpha, double outline_width, const double *segments,
                                gsize n_segments, const double segment_rgb[3], double segment_width);

G_END_DECLS

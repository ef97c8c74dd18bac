/* relief-plot-polygons.h: filled polygons (the linear regions of a ReLU network). */
#pragma once

#include <cairo.h>
#include <glib.h>

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
} ReliefPolygonPlotSpec;

void relief_plot_polygons (cairo_t *cr, double width, double height, const ReliefPolygonPlotSpec *spec,
                           ReliefPlotFrame *frame_out);

G_END_DECLS

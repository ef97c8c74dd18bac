/* relief-plot-lines.h: line plots and the default palette. */
#pragma once

#include "relief-plot-axes.h"

G_BEGIN_DECLS

typedef struct {
  const char   *label;
  int           n;
  const double *x, *y;         /* NaN y values break the line */
  double        rgb[3];
  gboolean      dashed;
} ReliefLineSeries;

typedef struct {
  const char   *title;
  const char   *xlabel, *ylabel;
  int           n_series;
  const ReliefLineSeries *series;
  gboolean      log_x;         /* x on a log10 axis (values <= 0 left out) */
  gboolean      log_y;
  gboolean      legend;
  /* fixed limits when xmin < xmax (resp. ymin < ymax), else fitted to the data */
  double        xmin, xmax, ymin, ymax;
} ReliefLinePlotSpec;

void     relief_plot_lines (cairo_t *cr, double width, double height, const ReliefLinePlotSpec *spec,
                            ReliefPlotFrame *frame_out);

/* A default palette color for series i. */
void     relief_plot_palette (int i, double rgb[3]);

G_END_DECLS

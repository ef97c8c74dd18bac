/* relief-plot-histogram.h: histograms (spectra: counts or densities of eigenvalues). */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "relief-plot-axes.h"
#include "relief-plot-lines.h"

G_BEGIN_DECLS

/* A vertical line across the data area at x (a threshold, an edge). */
typedef struct {
  double        x;
  double        rgb[3];
  gboolean      dashed;
  const char   *label;         /* in the legend; may be NULL */
} ReliefHistogramMarker;

typedef struct {
  const char   *title;         /* may be NULL */
  const char   *xlabel, *ylabel;
  int           n_bins;
  const double *edges;         /* [n_bins + 1], increasing */
  const double *counts;        /* [n_bins], >= 0 */
  gboolean      density;       /* bars of count / (total * bin width): their area is 1 */
  gboolean      log_y;         /* y on a log10 axis; empty bins show no bar */
  gboolean      log_x;         /* x on a log10 axis: the edges must be positive (log bins) */
  double        rgb[3];        /* the bars' fill */
  /* Drawn over the bars in the same data units: lines (a fitted density), clipped to the
   * limits the bars set, and markers, which the x limits include. */
  int                          n_lines;
  const ReliefLineSeries      *lines;
  int                          n_markers;
  const ReliefHistogramMarker *markers;
  gboolean                     legend;      /* of the labelled lines and markers */
} ReliefHistogramSpec;

/* Bars from the x axis (the bottom of the data area on a log axis) up to each bin's
 * height, side by side over their bins; x spans the edges (and markers) with 5% margins,
 * in decades on a log axis. */
void relief_plot_histogram (cairo_t *cr, double width, double height, const ReliefHistogramSpec *spec,
                            ReliefPlotFrame *frame_out);

G_END_DECLS

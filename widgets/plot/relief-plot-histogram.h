/* relief-plot-histogram.h: histograms (spectra: counts or densities of eigenvalues). */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "relief-plot-axes.h"

G_BEGIN_DECLS

typedef struct {
  const char   *title;         /* may be NULL */
  const char   *xlabel, *ylabel;
  int           n_bins;
  const double *edges;         /* [n_bins + 1], increasing */
  const double *counts;        /* [n_bins], >= 0 */
  gboolean      density;       /* bars of count / (total * bin width): their area is 1 */
  gboolean      log_y;         /* y on a log10 axis; empty bins show no bar */
  double        rgb[3];        /* the bars' fill */
} ReliefHistogramSpec;

/* Bars from the x axis (the bottom of the data area on a log axis) up to each bin's
 * height, side by side over their bins; x spans the edges with 5% margins. */
void relief_plot_histogram (cairo_t *cr, double width, double height, const ReliefHistogramSpec *spec,
                            ReliefPlotFrame *frame_out);

G_END_DECLS

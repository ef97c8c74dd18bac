/* relief-plot-decision.h: a classifier's decision regions. */
#pragma once

#include "relief-plot-axes.h"

G_BEGIN_DECLS

/* A classifier's decisions over its 2D input plane, with the samples on top. */
typedef struct {
  const char   *title;
  const char   *xlabel, *ylabel;
  int           nx, ny;                    /* the grid spans the limits, points on the edges */
  double        xmin, xmax, ymin, ymax;
  const int    *classes;                   /* [ny, nx] row = y: the predicted class */
  const float  *confidence;                /* [ny, nx]: its probability, or NULL */
  int           n_classes;
  int           n_samples;
  const float  *samples;                   /* [n_samples, 2] */
  const gint32 *labels;                    /* [n_samples] */
} ReliefDecisionSpec;

/* Regions in the light tints of relief_plot_palette (paler where the model is less sure);
 * samples as dots of their class's full color with dark edges. */
void     relief_plot_decision (cairo_t *cr, double width, double height, const ReliefDecisionSpec *spec,
                               ReliefPlotFrame *frame_out);

G_END_DECLS

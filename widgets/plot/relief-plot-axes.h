/* relief-plot-axes.h: the frame a renderer reports: where its data area ended up, for hit-testing
 * and overlays, and the tick labels redrawn for other limits. */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

/* Where the data area ended up, for hit-testing and overlays. */
typedef struct {
  double px, py, pw, ph;          /* the data area in device units */
  double xmin, xmax, ymin, ymax;  /* its data limits */
  gboolean log_x, log_y;
  double cbx, cby, cbw, cbh;      /* the colorbar in device units; cbw == 0 when none */
} ReliefPlotFrame;

/* Redraws the tick marks and labels of a drawn frame's axes for other data limits (a
 * window zoomed or panned ahead of new data), over the old ones; the axis titles, the box
 * and a colorbar stay.  Nothing happens for empty or (on log axes) non-positive limits. */
void     relief_plot_redraw_ticks (cairo_t *cr, const ReliefPlotFrame *frame, double xmin, double xmax,
                                   double ymin, double ymax);

/* Device to data and back; FALSE when outside the data area. */
gboolean relief_plot_frame_to_data   (const ReliefPlotFrame *f, double px, double py, double *x, double *y);
void     relief_plot_frame_from_data (const ReliefPlotFrame *f, double x, double y, double *px, double *py);

G_END_DECLS

/* relief-plot-axes.h: the frame a renderer reports: where its data area ended up, for hit-testing
 * and overlays, and the tick labels redrawn for other limits. */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

/* The one text scale of every figure, in points: tick labels, axis and legend labels,
 * titles.  On screen a point is RELIEF_PLOT_SCREEN_SCALE pixels (as matplotlib shows
 * figures at 100 dpi or so), so that a tick label is about 11 pixels in every view. */
#define RELIEF_PLOT_FONT_TICK     9.0
#define RELIEF_PLOT_FONT_LABEL   10.0
#define RELIEF_PLOT_FONT_TITLE   11.0
#define RELIEF_PLOT_SCREEN_SCALE  1.25

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

/* For a figure drawn on screen into width x height pixels: cr scaled to points, and the
 * size in points to draw at. */
void     relief_plot_screen_begin (cairo_t *cr, double width, double height, double *width_pt, double *height_pt);
/* A frame's device units multiplied by scale: a frame drawn in points, in screen pixels
 * (RELIEF_PLOT_SCREEN_SCALE) or back (its inverse). */
void     relief_plot_frame_scale  (ReliefPlotFrame *frame, double scale);

G_END_DECLS

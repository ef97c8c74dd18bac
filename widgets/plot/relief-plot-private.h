/* relief-plot-private.h: what the plot core's renderers (relief-plot-*.c) share: text,
 * axes and markers (relief-plot-axes.c), legends (relief-plot-lines.c), color values,
 * images and colorbars (relief-plot-heatmap.c).  Not installed, not for the widgets. */
#pragma once

#include "relief-plot.h"

G_BEGIN_DECLS

/* The text scale is relief-plot-axes.h's. */
#define FONT_TICK   RELIEF_PLOT_FONT_TICK
#define FONT_LABEL  RELIEF_PLOT_FONT_LABEL
#define FONT_TITLE  RELIEF_PLOT_FONT_TITLE
#define TICK_LEN    3.5
#define PAD         4.0
/* Axes, ticks and frames: over a pixel on screen, as thin lines vanish on a projector. */
#define LINE_WIDTH  1.0
#define MINOR_TICK_LEN 2.0
#define MAX_TICKS  10
/* Points of axis per x tick to start from; fewer follow while neighbouring labels crowd
 * (a 1024x768 window's curves, some 230 pt wide, keep 4 or 5 ticks of short labels). */
#define X_TICK_SPACING 45

extern const double relief_plot_ink[3];

void   relief_plot_set_font   (cairo_t *cr, double size);
double relief_plot_text_width (cairo_t *cr, const char *text);
/* Height of digits and capitals: what labels are aligned on. */
double relief_plot_cap_height (cairo_t *cr);
double relief_plot_descent    (cairo_t *cr);
/* halign: 0 left, 0.5 centre, 1 right of x; valign: 0 caps hang from y, 0.5 centred on y,
 * 1 baseline on y. */
void   relief_plot_show_text  (cairo_t *cr, double x, double y, const char *text, double halign, double valign);
void   relief_plot_show_text_vertical (cairo_t *cr, double x, double y, const char *text);

/* An axis's limits and ticks (relief-ticks.h). */
typedef ReliefTicks ReliefPlotAxis;

double relief_plot_axis_max_label_width (cairo_t *cr, const ReliefPlotAxis *a);
/* Fraction along the axis, 0 at lo. */
double relief_plot_axis_frac  (const ReliefPlotAxis *a, double v);
/* Limits that are never empty. */
void   relief_plot_widen_if_empty (double *lo, double *hi);

typedef struct {
  double px, py, pw, ph;
  ReliefPlotAxis x, y;
} ReliefPlotAxes;

/* How a renderer on axes begins: the w x h box painted white and the data area laid out
 * in it with tick labels, axis labels and the title around it; right_for (may be NULL)
 * returns the width to keep free at the right. */
void   relief_plot_axes_begin (cairo_t *cr, ReliefPlotAxes *ax, double w, double h, const char *title,
                               const char *xlabel, const char *ylabel, double xlo, double xhi, double ylo,
                               double yhi, gboolean log_x, gboolean log_y,
                               double (*right_for) (cairo_t *, const ReliefPlotAxes *, gpointer),
                               gpointer right_data);
double relief_plot_axes_x_dev (const ReliefPlotAxes *ax, double v);
double relief_plot_axes_y_dev (const ReliefPlotAxes *ax, double v);
void   relief_plot_axes_draw  (cairo_t *cr, const ReliefPlotAxes *ax, const char *title, const char *xlabel,
                               const char *ylabel);
void   relief_plot_paint_background (cairo_t *cr, double w, double h);
void   relief_plot_fill_frame (const ReliefPlotAxes *ax, ReliefPlotFrame *f);
/* How a renderer ends: the axes drawn over its data, its frame reported (frame_out may be
 * NULL), the axes freed. */
void   relief_plot_axes_finish (cairo_t *cr, ReliefPlotAxes *ax, const char *title, const char *xlabel,
                                const char *ylabel, ReliefPlotFrame *frame_out);
/* The data area as the clip (inside a cairo_save). */
void   relief_plot_clip_to_data (cairo_t *cr, const ReliefPlotAxes *ax);
/* A disc of radius r at (x, y) in fill, edged in edge edge_width wide. */
void   relief_plot_dot (cairo_t *cr, double x, double y, double r, const double fill[3], const double edge[3],
                        double edge_width);
/* Strokes the current path as the trajectory, on the map and in 3D alike: dark red over a
 * white halo of halo_alpha, so that it reads on every colormap. */
void   relief_plot_stroke_trajectory (cairo_t *cr, double halo_alpha);
/* The ring on the trajectory's highlighted point (the scrubber's) at (x, y). */
void   relief_plot_trajectory_marker (cairo_t *cr, double x, double y);

/* z in color units into tz: itself, or log10 with values <= 0 clamped to the smallest
 * positive one (NaN when there is none); *zmin > *zmax when no value is finite. */
void   relief_plot_color_values (const double *z, gsize n, gboolean log, double *tz, double *zmin, double *zmax);
/* Paints img (taken) into the data area of ax through the pattern matrix m, bilinear,
 * padded at the edges. */
void   relief_plot_paint_image (cairo_t *cr, const ReliefPlotAxes *ax, cairo_surface_t *img,
                                const cairo_matrix_t *m);
/* The colormap as a smooth ramp over the box (x, y, w, h), its low end at the bottom. */
void   relief_plot_colorbar_ramp (cairo_t *cr, ReliefColormap cmap, double x, double y, double w, double h);
/* The colorbar's outline and, on its right, the ticks and labels of axis. */
void   relief_plot_colorbar_ticks (cairo_t *cr, const ReliefPlotAxis *axis, double x, double y, double w, double h);

/* A series in ax's data units (log10 on its log axes), the pen lifted over NaN or, on a
 * log axis, values <= 0; the caller clips. */
void   relief_plot_draw_series (cairo_t *cr, const ReliefPlotAxes *ax, const ReliefLineSeries *s);
/* A legend of the labelled series, in the corner of the data area that hides the fewest
 * of their points; none when it does not fit. */
void   relief_plot_series_legend (cairo_t *cr, const ReliefPlotAxes *ax, const ReliefLineSeries *series, int n);

G_END_DECLS

/* relief-plot-view.h: a plot of the plot core on screen, with hover and click. */
#pragma once

#include <gtk/gtk.h>

#include "relief-plot.h"

G_BEGIN_DECLS

#define RELIEF_TYPE_PLOT_VIEW (relief_plot_view_get_type ())
G_DECLARE_FINAL_TYPE (ReliefPlotView, relief_plot_view, RELIEF, PLOT_VIEW, GtkWidget)

GtkWidget  *relief_plot_view_new (void);
/* Both deep-copy the arrays and strings of spec (the heatmap's path too).
 *
 * A heatmap zooms on scroll and pans on drag: the view shows its image moved into the new
 * data window at once and emits "view-changed" (xmin, xmax, ymin, ymax) when the gesture
 * ends; a heatmap set afterwards whose grid spans that window ends the zoom or pan.  A
 * double click emits "view-reset". */
void        relief_plot_view_set_heatmap (ReliefPlotView *self, const ReliefHeatmapSpec *spec);
void        relief_plot_view_set_lines   (ReliefPlotView *self, const ReliefLinePlotSpec *spec);
/* Forgets a zoom or pan in progress: the data set last are shown over their own extent. */
void        relief_plot_view_reset_view (ReliefPlotView *self);
/* Drops the data; shows placeholder_text (may be NULL) instead. */
void        relief_plot_view_clear (ReliefPlotView *self, const char *placeholder_text);
/* Where the data area is now; FALSE when nothing is drawn (no data, or not yet sized). */
gboolean    relief_plot_view_get_frame (ReliefPlotView *self, ReliefPlotFrame *frame);
/* The heatmap value at data coords (nearest cell), FALSE outside or NaN. */
gboolean    relief_plot_view_heatmap_value_at (ReliefPlotView *self, double x, double y, double *z);
/* Series s of a line plot at x, linear between its points (x increasing): FALSE outside
 * its points or beside a gap (NaN). */
gboolean    relief_plot_view_line_value_at (ReliefPlotView *self, int s, double x, double *y);
/* What the label box beside the pointer says (over a line plot: x and each series' value
 * there, not the pointer's height), NULL when the pointer is not over the data. */
char       *relief_plot_view_get_hover_text (ReliefPlotView *self);

const char *relief_plot_view_get_placeholder_text (ReliefPlotView *self);
void        relief_plot_view_set_placeholder_text (ReliefPlotView *self, const char *text);

G_END_DECLS

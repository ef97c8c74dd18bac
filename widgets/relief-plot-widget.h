/* relief-plot-widget.h: what the GTK widgets around the plot core (relief-plot-view.c,
 * relief-surface-view.c) share: the scale of the core's points on screen, owned copies of
 * the arrays and labels of its specs, the pointer controllers they both add. */
#pragma once

#include <gtk/gtk.h>

#include "relief-plot-axes.h"

G_BEGIN_DECLS

/* The plot core sizes text and lines in points; on screen a point is the core's
 * RELIEF_PLOT_SCREEN_SCALE pixels, for every figure alike. */
#define RELIEF_SCREEN_ZOOM RELIEF_PLOT_SCREEN_SCALE

/* An owned copy of n doubles; NULL when v is NULL or n is 0. */
double *relief_plot_widget_copy_doubles (const double *v, gsize n);
/* A spec's title and axis labels, borrowed from the caller, replaced by owned copies;
 * and those copies freed. */
void    relief_plot_widget_own_labels  (const char **title, const char **xlabel, const char **ylabel,
                                        const char **zlabel);
void    relief_plot_widget_free_labels (const char *title, const char *xlabel, const char *ylabel,
                                        const char *zlabel);
/* A primary-button drag on widget; end (may be NULL) as well as begin and update get
 * user_data last, as GtkGestureDrag's signals give it. */
void    relief_plot_widget_add_drag   (GtkWidget *widget, GCallback begin, GCallback update, GCallback end,
                                       gpointer user_data);
/* Vertical scrolling on widget. */
void    relief_plot_widget_add_scroll (GtkWidget *widget, GCallback scroll, gpointer user_data);

G_END_DECLS

/* relief-plot-widget.c: what the plot core's GTK widgets share. */
#include "relief-plot-widget.h"

double *
relief_plot_widget_copy_doubles (const double *v, gsize n)
{
  return v && n ? g_memdup2 (v, n * sizeof (double)) : NULL;
}

void
relief_plot_widget_own_labels (const char **title, const char **xlabel, const char **ylabel, const char **zlabel)
{
  *title = g_strdup (*title);
  *xlabel = g_strdup (*xlabel);
  *ylabel = g_strdup (*ylabel);
  if (zlabel)
    *zlabel = g_strdup (*zlabel);
}

void
relief_plot_widget_free_labels (const char *title, const char *xlabel, const char *ylabel, const char *zlabel)
{
  g_free ((char *) title);
  g_free ((char *) xlabel);
  g_free ((char *) ylabel);
  g_free ((char *) zlabel);
}

void
relief_plot_widget_add_drag (GtkWidget *widget, GCallback begin, GCallback update, GCallback end, gpointer user_data)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", begin, user_data);
  g_signal_connect (drag, "drag-update", update, user_data);
  if (end)
    g_signal_connect (drag, "drag-end", end, user_data);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));
}

void
relief_plot_widget_add_scroll (GtkWidget *widget, GCallback scroll, gpointer user_data)
{
  GtkEventController *controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  g_signal_connect (controller, "scroll", scroll, user_data);
  gtk_widget_add_controller (widget, controller);
}

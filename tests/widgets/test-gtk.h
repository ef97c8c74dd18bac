/* test-gtk.h: helpers of the widget tests that drive GTK. */
#pragma once

#include <gtk/gtk.h>

/* GTK with a display, or FALSE (having said so) for the test to exit 77: skipped, not
 * passed, where there is none. */
static inline gboolean
test_gtk_display (void)
{
  if (gtk_init_check ())
    return TRUE;
  g_printerr ("no display: skipped\n");
  return FALSE;
}

/* The widget's first event controller of type, borrowed (the widget keeps it alive). */
static inline gpointer
find_controller (GtkWidget *widget, GType type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;
    }
  return NULL;
}

/* The longest a GUI test waits for one thing to happen: a bound against hangs, not a
 * measure of speed. */
#define TEST_GTK_TIMEOUT_US (240 * G_USEC_PER_SEC)

/* Runs the main loop until done (data) holds; FALSE if it still does not after
 * TEST_GTK_TIMEOUT_US. */
static inline gboolean
iterate_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 start = g_get_monotonic_time ();

  while (!done (data))
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      if (g_get_monotonic_time () - start > TEST_GTK_TIMEOUT_US)
        return FALSE;
    }
  return TRUE;
}

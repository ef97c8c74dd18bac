/* Tests of ReliefSurfaceView in a real window; skipped (77) without a display. */
#include "relief-surface-view.h"

#include <math.h>

#include "test-gtk.h"

static void
count_notify (GObject *object, GParamSpec *pspec, int *count)
{
  (*count)++;
}

static void
spin (int iterations)
{
  for (int i = 0; i < iterations; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Properties: matplotlib's default view, wrapping, clamping, one notify per change. */
static void
test_properties (void)
{
  ReliefSurfaceView *view = g_object_ref_sink (RELIEF_SURFACE_VIEW (relief_surface_view_new ()));
  int az_notifies = 0, el_notifies = 0, zoom_notifies = 0;
  double value;

  g_assert_cmpfloat (relief_surface_view_get_azimuth (view), ==, -60);
  g_assert_cmpfloat (relief_surface_view_get_elevation (view), ==, 30);
  g_assert_cmpfloat (relief_surface_view_get_zoom (view), ==, 1);
  g_signal_connect (view, "notify::azimuth", G_CALLBACK (count_notify), &az_notifies);
  g_signal_connect (view, "notify::elevation", G_CALLBACK (count_notify), &el_notifies);
  g_signal_connect (view, "notify::zoom", G_CALLBACK (count_notify), &zoom_notifies);

  g_object_set (view, "azimuth", 200.0, NULL);
  g_object_get (view, "azimuth", &value, NULL);
  g_assert_cmpfloat_with_epsilon (value, -160, 1e-12);
  relief_surface_view_set_azimuth (view, -160 - 720);
  g_assert_cmpint (az_notifies, ==, 1);
  relief_surface_view_set_azimuth (view, 180);
  g_assert_cmpfloat (relief_surface_view_get_azimuth (view), ==, 180);
  relief_surface_view_set_azimuth (view, -180);
  g_assert_cmpfloat (relief_surface_view_get_azimuth (view), ==, 180);
  g_assert_cmpint (az_notifies, ==, 2);

  relief_surface_view_set_elevation (view, 120);
  g_assert_cmpfloat (relief_surface_view_get_elevation (view), ==, 90);
  relief_surface_view_set_elevation (view, 90);
  g_object_set (view, "elevation", -15.0, NULL);
  g_assert_cmpint (el_notifies, ==, 2);

  relief_surface_view_set_zoom (view, 100);
  g_assert_cmpfloat (relief_surface_view_get_zoom (view), ==, 4);
  relief_surface_view_set_zoom (view, NAN);
  g_object_get (view, "zoom", &value, NULL);
  g_assert_cmpfloat (value, ==, 4);
  g_assert_cmpint (zoom_notifies, ==, 1);

  g_assert_finalize_object (view);
}

enum { N = 15 };

/* In a window: drawing the copied data, dragging turns, scrolling zooms. */
static void
test_interaction (void)
{
  double xs[N], ys[N], *z = g_new (double, N * N);
  double *px = g_new (double, 3), *py = g_new (double, 3);
  char *title = g_strdup ("Loss");
  ReliefSurface3DSpec spec = {
    .title = title, .xlabel = "x", .ylabel = "y", .zlabel = "loss",
    .nx = N, .ny = N, .xs = xs, .ys = ys, .z = z, .show_colorbar = TRUE,
    .n_path = 3, .path_x = px, .path_y = py, .path_marker = 0,
  };
  GtkWidget *window = gtk_window_new ();
  ReliefSurfaceView *view = RELIEF_SURFACE_VIEW (relief_surface_view_new ());
  GtkGesture *drag;
  GtkEventController *scroll;
  gboolean handled = FALSE;
  gint64 end;

  for (int i = 0; i < N; i++)
    xs[i] = ys[i] = -1 + 2.0 * i / (N - 1);
  for (int k = 0; k < N * N; k++)
    z[k] = xs[k % N] * xs[k % N] + ys[k / N] * ys[k / N];
  for (int k = 0; k < 3; k++)
    px[k] = py[k] = 0.3 * k;

  g_object_ref (view);
  relief_surface_view_set_data (view, &spec);
  /* The view keeps its own copies: it still draws after ours are gone. */
  g_free (z);
  g_free (px);
  g_free (py);
  g_free (title);

  gtk_window_set_default_size (GTK_WINDOW (window), 480, 360);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!gtk_widget_get_mapped (GTK_WIDGET (view)) && g_get_monotonic_time () < end)
    spin (1);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  spin (30);

  /* Dragging 100 px right and 50 px down turns the azimuth by -40 and raises the eye by 20
   * degrees, from where the drag began. */
  drag = find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_DRAG);
  g_assert_nonnull (drag);
  g_signal_emit_by_name (drag, "drag-begin", 200.0, 150.0);
  g_signal_emit_by_name (drag, "drag-update", 50.0, 0.0);
  g_signal_emit_by_name (drag, "drag-update", 100.0, 50.0);
  g_assert_cmpfloat_with_epsilon (relief_surface_view_get_azimuth (view), -100, 1e-9);
  g_assert_cmpfloat_with_epsilon (relief_surface_view_get_elevation (view), 50, 1e-9);
  g_signal_emit_by_name (drag, "drag-update", 0.0, 500.0);
  g_assert_cmpfloat (relief_surface_view_get_elevation (view), ==, 90);
  spin (20);

  /* A scroll step up zooms in by 1.1, down out again. */
  scroll = find_controller (GTK_WIDGET (view), GTK_TYPE_EVENT_CONTROLLER_SCROLL);
  g_assert_nonnull (scroll);
  g_signal_emit_by_name (scroll, "scroll", 0.0, -1.0, &handled);
  g_assert_true (handled);
  g_assert_cmpfloat_with_epsilon (relief_surface_view_get_zoom (view), 1.1, 1e-12);
  g_signal_emit_by_name (scroll, "scroll", 0.0, 1.0, &handled);
  g_assert_cmpfloat_with_epsilon (relief_surface_view_get_zoom (view), 1, 1e-12);

  relief_surface_view_set_path_marker (view, 2);
  spin (20);
  relief_surface_view_clear (view);
  spin (20);

  gtk_window_destroy (GTK_WINDOW (window));
  spin (20);
  g_assert_finalize_object (view);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (!test_gtk_display ())
    return 77;
  g_test_add_func ("/surface-view/properties", test_properties);
  g_test_add_func ("/surface-view/interaction", test_interaction);
  return g_test_run ();
}

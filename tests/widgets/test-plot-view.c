/* Tests of ReliefPlotView in a real window; skipped (77) without a display. */
#include "relief-plot-view.h"

#include <math.h>

enum { NX = 11, NY = 9 };

typedef struct {
  int    hovers, hover_ends, clicks;
  double x, y;
} Events;

static void
on_hover (ReliefPlotView *view, double x, double y, Events *e)
{
  e->hovers++;
  e->x = x;
  e->y = y;
}

static void
on_hover_end (ReliefPlotView *view, Events *e)
{
  e->hover_ends++;
}

static void
on_clicked (ReliefPlotView *view, double x, double y, Events *e)
{
  e->clicks++;
  e->x = x;
  e->y = y;
}

static void
count_notify (GObject *object, GParamSpec *pspec, int *count)
{
  (*count)++;
}

/* Runs the main context until the view has been laid out and drawn, or 5 s passed. */
static gboolean
wait_for_frame (ReliefPlotView *view, ReliefPlotFrame *frame)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      if (gtk_widget_get_mapped (GTK_WIDGET (view)) && relief_plot_view_get_frame (view, frame))
        return TRUE;
      g_usleep (1000);
    }
  return FALSE;
}

static void
spin (int iterations)
{
  for (int i = 0; i < iterations; i++)
    g_main_context_iteration (NULL, FALSE);
}

static gpointer
find_controller (GtkWidget *widget, GType type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;   /* the widget keeps it alive */
    }
  return NULL;
}

static void
test_plot_view (void)
{
  double xs[NX], ys[NY], z[NX * NY], value, px, py;
  ReliefHeatmapSpec spec = {
    .title = "Loss", .xlabel = "x", .ylabel = "y", .zlabel = "loss",
    .nx = NX, .ny = NY, .xs = xs, .ys = ys, .z = z,
    .colormap = RELIEF_COLORMAP_VIRIDIS, .filled = TRUE, .n_levels = 6, .show_colorbar = TRUE,
  };
  GtkWidget *window = gtk_window_new ();
  ReliefPlotView *view = RELIEF_PLOT_VIEW (relief_plot_view_new ());
  ReliefPlotFrame frame;
  Events events = { 0 };
  int notifies = 0;
  g_autofree char *text = NULL;
  GtkEventController *motion;
  GtkGesture *click;

  for (int i = 0; i < NX; i++)
    xs[i] = -1 + 0.2 * i;
  for (int j = 0; j < NY; j++)
    ys[j] = -2 + 0.5 * j;
  for (int j = 0; j < NY; j++)
    for (int i = 0; i < NX; i++)
      z[j * NX + i] = i + 100 * j;
  z[4 * NX + 7] = NAN;

  g_object_ref (view);
  g_signal_connect (view, "notify::placeholder-text", G_CALLBACK (count_notify), &notifies);
  g_signal_connect (view, "hover", G_CALLBACK (on_hover), &events);
  g_signal_connect (view, "hover-end", G_CALLBACK (on_hover_end), &events);
  g_signal_connect (view, "clicked", G_CALLBACK (on_clicked), &events);

  /* The placeholder property notifies once per change. */
  relief_plot_view_set_placeholder_text (view, "No surface yet");
  relief_plot_view_set_placeholder_text (view, "No surface yet");
  g_assert_cmpint (notifies, ==, 1);
  g_object_get (view, "placeholder-text", &text, NULL);
  g_assert_cmpstr (text, ==, "No surface yet");
  g_assert_false (relief_plot_view_get_frame (view, &frame));

  /* The view copies the data: scribbling over ours afterwards changes nothing. */
  relief_plot_view_set_heatmap (view, &spec);
  z[2 * NX + 3] = -1;
  xs[0] = 1000;
  xs[0] = -1;

  gtk_window_set_default_size (GTK_WINDOW (window), 480, 360);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for_frame (view, &frame));
  g_assert_cmpfloat (frame.pw, >, 50);
  g_assert_cmpfloat (frame.ph, >, 50);
  g_assert_cmpfloat (frame.px + frame.pw, <=, gtk_widget_get_width (GTK_WIDGET (view)));
  g_assert_cmpfloat (frame.py + frame.ph, <=, gtk_widget_get_height (GTK_WIDGET (view)));
  g_assert_cmpfloat (frame.xmin, ==, -1);
  g_assert_cmpfloat (frame.xmax, ==, 1);
  g_assert_cmpfloat (frame.ymin, ==, -2);
  g_assert_cmpfloat (frame.ymax, ==, 2);

  /* Nearest cells, the copy made before our change, NaN and outside. */
  g_assert_true (relief_plot_view_heatmap_value_at (view, -0.39, -0.9, &value));
  g_assert_cmpfloat (value, ==, 3 + 100 * 2);
  g_assert_true (relief_plot_view_heatmap_value_at (view, 1, 2, &value));
  g_assert_cmpfloat (value, ==, 10 + 100 * 8);
  g_assert_false (relief_plot_view_heatmap_value_at (view, 0.42, 0.05, &value));   /* NaN cell */
  g_assert_false (relief_plot_view_heatmap_value_at (view, 1.1, 0, &value));
  g_assert_false (relief_plot_view_heatmap_value_at (view, 0, -2.01, &value));

  /* Pointer over the data area: hover in data coordinates, then leave. */
  motion = find_controller (GTK_WIDGET (view), GTK_TYPE_EVENT_CONTROLLER_MOTION);
  g_assert_nonnull (motion);
  relief_plot_frame_from_data (&frame, 0.5, 1, &px, &py);
  g_signal_emit_by_name (motion, "motion", px, py);
  g_assert_cmpint (events.hovers, ==, 1);
  g_assert_cmpfloat_with_epsilon (events.x, 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (events.y, 1, 1e-9);
  spin (20);   /* draws the crosshair */
  g_signal_emit_by_name (motion, "motion", frame.px - 5, py);   /* over the tick labels */
  g_assert_cmpint (events.hovers, ==, 1);
  g_assert_cmpint (events.hover_ends, ==, 1);
  g_signal_emit_by_name (motion, "motion", px, py);
  g_signal_emit_by_name (motion, "leave");
  g_assert_cmpint (events.hovers, ==, 2);
  g_assert_cmpint (events.hover_ends, ==, 2);

  /* A click inside reports data coordinates; outside, nothing. */
  click = find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_CLICK);
  g_assert_nonnull (click);
  relief_plot_frame_from_data (&frame, -0.25, -1.5, &px, &py);
  g_signal_emit_by_name (click, "pressed", 1, px, py);
  g_assert_cmpint (events.clicks, ==, 1);
  g_assert_cmpfloat_with_epsilon (events.x, -0.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (events.y, -1.5, 1e-9);
  g_signal_emit_by_name (click, "pressed", 1, 1.0, 1.0);
  g_assert_cmpint (events.clicks, ==, 1);

  /* Lines: a frame, no heatmap values. */
  {
    double lx[3] = { 0, 1, 2 }, ly[3] = { 1, NAN, 3 };
    ReliefLineSeries series = { "train", 3, lx, ly, { 0.1, 0.4, 0.7 }, FALSE };
    ReliefLinePlotSpec lines = { .xlabel = "step", .ylabel = "loss", .n_series = 1, .series = &series,
                                 .legend = TRUE };

    relief_plot_view_set_lines (view, &lines);
  }
  g_assert_true (wait_for_frame (view, &frame));
  g_assert_cmpfloat (frame.xmin, <, 0);
  g_assert_cmpfloat (frame.xmax, >, 2);
  g_assert_false (relief_plot_view_heatmap_value_at (view, 1, 2, &value));

  /* Clearing drops the data and shows the new placeholder. */
  relief_plot_view_clear (view, "Training…");
  g_assert_cmpint (notifies, ==, 2);
  g_assert_cmpstr (relief_plot_view_get_placeholder_text (view), ==, "Training…");
  g_assert_false (relief_plot_view_get_frame (view, &frame));
  spin (20);

  gtk_window_destroy (GTK_WINDOW (window));
  spin (20);
  g_assert_finalize_object (view);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_printerr ("no display: skipped\n");
      return 77;
    }
  g_test_add_func ("/plot-view/heatmap-lines-clear", test_plot_view);
  return g_test_run ();
}

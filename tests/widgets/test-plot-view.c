/* Tests of ReliefPlotView in a real window; skipped (77) without a display. */
#include "relief-plot-view.h"

#include <math.h>
#include <string.h>

#include "test-gtk.h"

/* Past GTK's double-click time (400 ms unless the settings say otherwise). */
#define DOUBLE_CLICK_WAIT_MS 600

/* Runs the main context for ms milliseconds. */
static void
spin_for (int ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

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

  /* The view copies the data: scribbling over ours afterwards changes nothing (the frame
   * below still starts at the first x, the value read is the one set). */
  relief_plot_view_set_heatmap (view, &spec);
  z[2 * NX + 3] = -1;
  xs[0] = 1000;
  ys[NY - 1] = -1000;

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

  /* A click inside reports data coordinates, once the double-click time is over;
   * outside, nothing. */
  click = find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_CLICK);
  g_assert_nonnull (click);
  relief_plot_frame_from_data (&frame, -0.25, -1.5, &px, &py);
  g_signal_emit_by_name (click, "pressed", 1, px, py);
  g_assert_cmpint (events.clicks, ==, 0);   /* it may still become a drag */
  g_signal_emit_by_name (click, "released", 1, px, py);
  g_assert_cmpint (events.clicks, ==, 0);   /* or a double click */
  spin_for (DOUBLE_CLICK_WAIT_MS);
  g_assert_cmpint (events.clicks, ==, 1);
  g_assert_cmpfloat_with_epsilon (events.x, -0.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (events.y, -1.5, 1e-9);
  g_signal_emit_by_name (click, "pressed", 1, 1.0, 1.0);
  g_signal_emit_by_name (click, "released", 1, 1.0, 1.0);
  spin_for (DOUBLE_CLICK_WAIT_MS);
  g_assert_cmpint (events.clicks, ==, 1);

  /* A press that moves before its release, and a double click, are no clicks. */
  g_signal_emit_by_name (click, "pressed", 1, px, py);
  g_signal_emit_by_name (click, "released", 1, px + 20, py + 10);
  g_signal_emit_by_name (click, "pressed", 1, px, py);
  g_signal_emit_by_name (click, "released", 1, px, py);
  g_signal_emit_by_name (click, "pressed", 2, px, py);
  g_signal_emit_by_name (click, "released", 2, px, py);
  spin_for (DOUBLE_CLICK_WAIT_MS);
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

  /* Over lines the readout is each line's value at the pointer's x, whatever its height;
   * none beside a gap. */
  g_assert_true (relief_plot_view_line_value_at (view, 0, 0, &value));
  g_assert_cmpfloat (value, ==, 1);
  g_assert_false (relief_plot_view_line_value_at (view, 0, 0.5, &value));   /* beside the NaN */
  g_assert_false (relief_plot_view_line_value_at (view, 0, 2.5, &value));
  g_assert_false (relief_plot_view_line_value_at (view, 1, 0, &value));
  {
    double lx[3] = { 0, 1, 2 }, ly[3] = { 1, 2, 4 };
    ReliefLineSeries series = { "train", 3, lx, ly, { 0.1, 0.4, 0.7 }, FALSE };
    ReliefLinePlotSpec lines = { .xlabel = "step", .ylabel = "loss", .n_series = 1, .series = &series };
    g_autofree char *low = NULL, *high = NULL;

    relief_plot_view_set_lines (view, &lines);
    g_assert_true (wait_for_frame (view, &frame));
    g_assert_true (relief_plot_view_line_value_at (view, 0, 1.25, &value));
    g_assert_cmpfloat_with_epsilon (value, 2.5, 1e-12);
    relief_plot_frame_from_data (&frame, 1.25, 1.2, &px, &py);
    g_signal_emit_by_name (motion, "motion", px, py);
    low = relief_plot_view_get_hover_text (view);
    relief_plot_frame_from_data (&frame, 1.25, 3.8, &px, &py);
    g_signal_emit_by_name (motion, "motion", px, py);
    high = relief_plot_view_get_hover_text (view);
    g_assert_cmpstr (low, ==, "step 1.25: train 2.5");
    g_assert_cmpstr (high, ==, low);
    spin (20);   /* draws the dot on the line */
    g_signal_emit_by_name (motion, "leave");
    g_assert_null (relief_plot_view_get_hover_text (view));
  }

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

typedef struct {
  int    changes, resets;
  double w[4];
} Windows;

static void
on_view_changed (ReliefPlotView *view, double xmin, double xmax, double ymin, double ymax, Windows *w)
{
  w->changes++;
  w->w[0] = xmin;
  w->w[1] = xmax;
  w->w[2] = ymin;
  w->w[3] = ymax;
}

static void
on_view_reset (ReliefPlotView *view, Windows *w)
{
  w->resets++;
}

static void
grid (double *c, int n, double lo, double hi)
{
  for (int i = 0; i < n; i++)
    c[i] = lo + (hi - lo) * i / (n - 1);
}

static void
test_zoom_pan (void)
{
  double xs[NX], ys[NY], z[NX * NY], px, py, value;
  double *path_x = g_new (double, 3), *path_y = g_new (double, 3);
  ReliefLineSeries *race = g_new0 (ReliefLineSeries, 1);
  ReliefHeatmapSpec spec = {
    .nx = NX, .ny = NY, .xs = xs, .ys = ys, .z = z, .n_levels = 5, .show_colorbar = TRUE,
    .n_path = 3, .path_x = path_x, .path_y = path_y, .path_marker = 1,
    .n_paths = 1, .paths = race,
  };
  GtkWidget *window = gtk_window_new ();
  ReliefPlotView *view = RELIEF_PLOT_VIEW (relief_plot_view_new ());
  ReliefPlotFrame frame, f;
  Windows w = { 0 };
  Events events = { 0 };
  GtkEventController *motion, *scroll;
  GtkGesture *drag, *click;
  double zoomed[4];

  grid (xs, NX, -1, 1);
  grid (ys, NY, -2, 2);
  for (int k = 0; k < NX * NY; k++)
    z[k] = k;
  for (int k = 0; k < 3; k++)
    {
      path_x[k] = -0.5 + 0.4 * k;
      path_y[k] = 1 - k;
    }

  g_object_ref (view);
  g_signal_connect (view, "view-changed", G_CALLBACK (on_view_changed), &w);
  g_signal_connect (view, "view-reset", G_CALLBACK (on_view_reset), &w);
  g_signal_connect (view, "clicked", G_CALLBACK (on_clicked), &events);
  *race = (ReliefLineSeries) { g_strdup ("SGD"), 3, path_y, path_x, { 1, 0, 0 }, FALSE };
  relief_plot_view_set_heatmap (view, &spec);
  /* The view keeps its own copies of the paths: it still draws after ours are gone. */
  g_free ((char *) race->label);
  g_free (race);
  g_free (path_x);
  g_free (path_y);

  gtk_window_set_default_size (GTK_WINDOW (window), 480, 360);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for_frame (view, &frame));
  motion = find_controller (GTK_WIDGET (view), GTK_TYPE_EVENT_CONTROLLER_MOTION);
  scroll = find_controller (GTK_WIDGET (view), GTK_TYPE_EVENT_CONTROLLER_SCROLL);
  drag = find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_DRAG);
  click = find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_CLICK);
  g_assert_nonnull (scroll);
  g_assert_nonnull (drag);

  /* Two scroll steps in about the point under the pointer: it stays under the pointer,
   * the window shrinks by 1.2 twice at once, and the owner hears once, after the burst. */
  relief_plot_frame_from_data (&frame, 0.5, 1, &px, &py);
  g_signal_emit_by_name (motion, "motion", px, py);
  {
    gboolean handled = FALSE;

    g_signal_emit_by_name (scroll, "scroll", 0.0, -1.0, &handled);
    g_assert_true (handled);
    g_signal_emit_by_name (scroll, "scroll", 0.0, -1.0, &handled);
  }
  g_assert_true (relief_plot_view_get_frame (view, &f));
  g_assert_cmpfloat_with_epsilon (f.xmax - f.xmin, 2 / 1.44, 1e-9);
  g_assert_cmpfloat_with_epsilon (f.ymax - f.ymin, 4 / 1.44, 1e-9);
  g_assert_cmpfloat_with_epsilon (f.xmin, 0.5 - 1.5 / 1.44, 1e-9);
  g_assert_cmpfloat_with_epsilon (f.ymax, 1 + 1 / 1.44, 1e-9);
  g_assert_cmpint (w.changes, ==, 0);
  spin (20);   /* draws the scaled image */
  spin_for (400);
  g_assert_cmpint (w.changes, ==, 1);
  g_assert_cmpfloat_with_epsilon (w.w[0], f.xmin, 1e-12);
  g_assert_cmpfloat_with_epsilon (w.w[1], f.xmax, 1e-12);
  g_assert_cmpfloat_with_epsilon (w.w[2], f.ymin, 1e-12);
  g_assert_cmpfloat_with_epsilon (w.w[3], f.ymax, 1e-12);
  memcpy (zoomed, w.w, sizeof zoomed);

  /* The owner answers with the grid of that window: the frame now is the data's. */
  grid (xs, NX, zoomed[0], zoomed[1]);
  grid (ys, NY, zoomed[2], zoomed[3]);
  spec.n_path = 0;
  spec.n_paths = 0;
  relief_plot_view_set_heatmap (view, &spec);
  g_assert_true (wait_for_frame (view, &frame));
  g_assert_cmpfloat_with_epsilon (frame.xmin, zoomed[0], 1e-12);
  g_assert_cmpfloat_with_epsilon (frame.ymax, zoomed[3], 1e-12);

  /* Dragging right and down by a quarter of the data area moves the window left and up
   * by a quarter of its size; one report, at the end, and no click. */
  g_signal_emit_by_name (drag, "drag-begin", frame.px + 10, frame.py + 10);
  g_signal_emit_by_name (drag, "drag-end", 2.0, 1.0);   /* a shaky click, no pan */
  g_assert_cmpint (w.changes, ==, 1);
  g_assert_true (relief_plot_view_get_frame (view, &f));
  g_assert_cmpfloat (f.xmin, ==, frame.xmin);
  g_signal_emit_by_name (click, "pressed", 1, frame.px + 10, frame.py + 10);
  g_signal_emit_by_name (drag, "drag-begin", frame.px + 10, frame.py + 10);
  g_signal_emit_by_name (drag, "drag-update", frame.pw / 8, frame.ph / 8);
  g_signal_emit_by_name (drag, "drag-update", frame.pw / 4, frame.ph / 4);
  g_assert_cmpint (w.changes, ==, 1);
  g_signal_emit_by_name (drag, "drag-end", frame.pw / 4, frame.ph / 4);
  g_signal_emit_by_name (click, "released", 1, frame.px + 10 + frame.pw / 4, frame.py + 10 + frame.ph / 4);
  g_assert_cmpint (w.changes, ==, 2);
  spin_for (DOUBLE_CLICK_WAIT_MS);
  g_assert_cmpint (events.clicks, ==, 0);
  g_assert_cmpfloat_with_epsilon (w.w[0], zoomed[0] - (zoomed[1] - zoomed[0]) / 4, 1e-9);
  g_assert_cmpfloat_with_epsilon (w.w[1], zoomed[1] - (zoomed[1] - zoomed[0]) / 4, 1e-9);
  g_assert_cmpfloat_with_epsilon (w.w[2], zoomed[2] + (zoomed[3] - zoomed[2]) / 4, 1e-9);
  g_assert_cmpfloat_with_epsilon (w.w[3], zoomed[3] + (zoomed[3] - zoomed[2]) / 4, 1e-9);
  spin (20);

  /* Hover reads the window shown: the point at the pointer moved with the data. */
  g_assert_true (relief_plot_view_get_frame (view, &f));
  g_assert_cmpfloat_with_epsilon (f.xmin, w.w[0], 1e-12);
  relief_plot_frame_from_data (&f, zoomed[0], zoomed[3], &px, &py);
  g_assert_cmpfloat_with_epsilon (px, frame.px + frame.pw / 4, 1e-6);
  g_assert_cmpfloat_with_epsilon (py, frame.py + frame.ph / 4, 1e-6);

  /* A double click asks for home; reset_view forgets the pan, showing the data as set. */
  g_signal_emit_by_name (click, "pressed", 2, px, py);
  g_assert_cmpint (w.resets, ==, 1);
  relief_plot_view_reset_view (view);
  g_assert_true (relief_plot_view_get_frame (view, &f));
  g_assert_cmpfloat_with_epsilon (f.xmin, zoomed[0], 1e-12);
  g_assert_true (relief_plot_view_heatmap_value_at (view, zoomed[0], zoomed[2], &value));
  g_assert_cmpfloat (value, ==, 0);

  /* With the keyboard focus: Right pans a tenth of the window, + zooms about its centre,
   * each reported once the keys settle, and Enter picks the centre. */
  {
    GtkEventController *keys = find_controller (GTK_WIDGET (view), GTK_TYPE_EVENT_CONTROLLER_KEY);
    double width = zoomed[1] - zoomed[0], cx = (zoomed[0] + zoomed[1]) / 2, cy = (zoomed[2] + zoomed[3]) / 2;
    gboolean handled = FALSE;
    int changes = w.changes, clicks = events.clicks;

    g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (view)));
    g_assert_nonnull (keys);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
    g_assert_true (handled);
    g_assert_true (relief_plot_view_get_frame (view, &f));
    g_assert_cmpfloat_with_epsilon (f.xmin, zoomed[0] + width / 10, 1e-9);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_plus, 0, 0, &handled);
    g_assert_true (relief_plot_view_get_frame (view, &f));
    g_assert_cmpfloat_with_epsilon (f.xmax - f.xmin, width / 1.2, 1e-9);
    g_assert_cmpfloat_with_epsilon ((f.xmin + f.xmax) / 2, cx + width / 10, 1e-9);
    g_assert_cmpint (w.changes, ==, changes);
    spin_for (400);
    g_assert_cmpint (w.changes, ==, changes + 1);
    g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Return, 0, 0, &handled);
    g_assert_cmpint (events.clicks, ==, clicks + 1);
    g_assert_cmpfloat_with_epsilon (events.x, cx + width / 10, 1e-9);
    g_assert_cmpfloat_with_epsilon (events.y, cy, 1e-9);
    relief_plot_view_reset_view (view);
  }

  /* Line plots neither zoom nor pan. */
  {
    double lx[2] = { 0, 1 }, ly[2] = { 1, 2 };
    ReliefLineSeries series = { "a", 2, lx, ly, { 0, 0, 0 }, FALSE };
    ReliefLinePlotSpec lines = { .n_series = 1, .series = &series };
    gboolean handled = TRUE;
    int changes = w.changes;

    relief_plot_view_set_lines (view, &lines);
    g_assert_true (wait_for_frame (view, &frame));
    g_signal_emit_by_name (scroll, "scroll", 0.0, -1.0, &handled);
    g_assert_false (handled);
    g_signal_emit_by_name (drag, "drag-begin", frame.px + 10, frame.py + 10);
    g_signal_emit_by_name (drag, "drag-end", 30.0, 30.0);
    spin_for (300);
    g_assert_cmpint (w.changes, ==, changes);
    g_assert_true (relief_plot_view_get_frame (view, &f));
    g_assert_cmpfloat (f.xmin, ==, frame.xmin);
  }

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
  g_test_add_func ("/plot-view/heatmap-lines-clear", test_plot_view);
  g_test_add_func ("/plot-view/zoom-pan", test_zoom_pan);
  return g_test_run ();
}

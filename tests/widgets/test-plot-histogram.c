/* Tests of histograms: bars where the bins' counts (or densities) reach, nothing above
 * them or over empty bins, on linear and log axes; lines and markers over them. */
#include "relief-plot.h"

#include "test-pixels.h"

#define W 480
#define H 360

static const double edges[6] = { 0, 1, 2, 3, 4, 5 }, counts[5] = { 1, 4, 0, 9, 2 };
static const double blue[3] = { 0.2, 0.4, 0.8 };

static ReliefPlotFrame frame;

static void
draw (cairo_t *cr, double w, double h, gconstpointer data)
{
  relief_plot_histogram (cr, w, h, data, &frame);
}

/* Each bin: its bar's color just below its top and inside its edges, white just above it
 * (the whole column for an empty bin). */
static void
assert_bars (cairo_surface_t *img, const double *heights)
{
  double bottom = frame.py + frame.ph;

  for (int b = 0; b < 5; b++)
    {
      double x0, x1, top, unused;

      relief_plot_frame_from_data (&frame, edges[b], frame.ymin, &x0, &unused);
      relief_plot_frame_from_data (&frame, edges[b + 1], frame.ymin, &x1, &unused);
      if (heights[b] <= 0)
        {
          for (double y = frame.py + 3; y < bottom - 3; y += 5)
            g_assert_true (test_pixel_is (img, (x0 + x1) / 2, y, test_white, 0));
          continue;
        }
      relief_plot_frame_from_data (&frame, (edges[b] + edges[b + 1]) / 2, heights[b], &unused, &top);
      g_assert_cmpfloat (top, >, frame.py);
      g_assert_cmpfloat (top, <, bottom - 3);
      g_assert_true (test_pixel_is (img, (x0 + x1) / 2, top + 3, blue, 2));
      g_assert_true (test_pixel_is (img, (x0 + x1) / 2, bottom - 3, blue, 2));
      g_assert_true (test_pixel_is (img, x0 + 2, (top + bottom) / 2, blue, 2));
      g_assert_true (test_pixel_is (img, x1 - 2, (top + bottom) / 2, blue, 2));
      if (top - 3 > frame.py + 1)
        g_assert_true (test_pixel_is (img, (x0 + x1) / 2, top - 3, test_white, 0));
    }
  /* The margins left and right of the bins stay empty. */
  {
    double x, y;

    relief_plot_frame_from_data (&frame, -0.12, 0, &x, &y);
    g_assert_true (test_pixel_is (img, x, bottom - 3, test_white, 0));
    relief_plot_frame_from_data (&frame, 5.12, 0, &x, &y);
    g_assert_true (test_pixel_is (img, x, bottom - 3, test_white, 0));
  }
}

static void
test_counts (void)
{
  ReliefHistogramSpec spec = { .xlabel = "eigenvalue", .ylabel = "count", .n_bins = 5, .edges = edges,
                               .counts = counts, .rgb = { 0.2, 0.4, 0.8 } };
  cairo_surface_t *img = test_render (W, H, draw, &spec);

  g_assert_false (frame.log_y);
  g_assert_cmpfloat (frame.ymin, ==, 0);
  g_assert_cmpfloat_with_epsilon (frame.ymax, 9 * 1.05, 1e-12);
  g_assert_cmpfloat_with_epsilon (frame.xmin, -0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (frame.xmax, 5.25, 1e-12);
  assert_bars (img, counts);
  cairo_surface_destroy (img);
}

static void
test_density (void)
{
  static const double wide_edges[6] = { 0, 1, 2, 3, 4, 10 };
  ReliefHistogramSpec spec = { .n_bins = 5, .edges = wide_edges, .counts = counts, .density = TRUE,
                               .rgb = { 0.2, 0.4, 0.8 } };
  cairo_surface_t *img = test_render (W, H, draw, &spec);
  double area = 0, x, top, x1, unused;

  /* Densities: the bins' areas sum to 1, so the last, wide bin's bar is low. */
  g_assert_cmpfloat_with_epsilon (frame.ymax, 1.05 * 9 / 16, 1e-12);
  for (int b = 0; b < 5; b++)
    area += counts[b] / 16.0;
  g_assert_cmpfloat_with_epsilon (area, 1, 1e-12);
  relief_plot_frame_from_data (&frame, 7, 2 / (16.0 * 6), &x, &top);
  relief_plot_frame_from_data (&frame, 10, 0, &x1, &unused);
  g_assert_true (test_pixel_is (img, x, top + 1.5, blue, 2));
  g_assert_true (test_pixel_is (img, x, top - 3, test_white, 0));
  g_assert_true (test_pixel_is (img, x1 - 2, top + 1.5, blue, 2));
  g_assert_true (test_pixel_is (img, x1 + 3, top + 1.5, test_white, 0));
  cairo_surface_destroy (img);
}

static void
test_log (void)
{
  ReliefHistogramSpec spec = { .ylabel = "count", .n_bins = 5, .edges = edges, .counts = counts, .log_y = TRUE,
                               .rgb = { 0.2, 0.4, 0.8 } };
  cairo_surface_t *img = test_render (W, H, draw, &spec);
  double x, log_top, linear_top, unused;

  g_assert_true (frame.log_y);
  /* From below the lowest positive count to above the highest, in decades. */
  g_assert_cmpfloat_with_epsilon (log10 (frame.ymin), -0.05 * log10 (9), 1e-12);
  g_assert_cmpfloat_with_epsilon (log10 (frame.ymax), 1.05 * log10 (9), 1e-12);
  assert_bars (img, counts);
  /* The bar of 2 reaches log10 2 / log10 9 of the way up, far above 2/9. */
  relief_plot_frame_from_data (&frame, 4.5, 2, &x, &log_top);
  linear_top = frame.py + frame.ph * (1 - 2.0 / 9);
  g_assert_cmpfloat (linear_top - log_top, >, 30);
  g_assert_true (test_pixel_is (img, x, (log_top + linear_top) / 2, blue, 2));
  relief_plot_frame_from_data (&frame, 0.5, 1, &unused, &log_top);
  g_assert_cmpfloat (frame.py + frame.ph - log_top, >, 5);
  cairo_surface_destroy (img);
}

/* Log bins on log-log axes, as an ESD is drawn: each bar over its decade, a line across
 * them, markers as vertical lines (one beyond the bins, which the x axis then reaches). */
static void
test_log_log_overlays (void)
{
  static const double decades[4] = { 1, 10, 100, 1000 }, decade_counts[3] = { 60, 30, 10 };
  static const double line_x[2] = { 1, 1000 }, line_y[2] = { 0.05, 5e-5 };
  static const double red[3] = { 0.85, 0.1, 0.1 }, green[3] = { 0.1, 0.6, 0.2 };
  ReliefLineSeries line = { .label = "fit", .n = 2, .x = line_x, .y = line_y, .rgb = { 0.85, 0.1, 0.1 } };
  ReliefHistogramMarker markers[2] = { { .x = 300, .rgb = { 0.1, 0.6, 0.2 }, .label = "edge" },
                                       { .x = 5000, .rgb = { 0.1, 0.6, 0.2 }, .dashed = TRUE } };
  ReliefHistogramSpec spec = { .n_bins = 3, .edges = decades, .counts = decade_counts, .density = TRUE,
                               .log_x = TRUE, .log_y = TRUE, .rgb = { 0.2, 0.4, 0.8 }, .n_lines = 1,
                               .lines = &line, .n_markers = 2, .markers = markers, .legend = TRUE };
  cairo_surface_t *img = test_render (W, H, draw, &spec);
  double span = log10 (5000.0), x, y, x_edge, unused, x_far;

  g_assert_true (frame.log_x && frame.log_y);
  g_assert_cmpfloat_with_epsilon (log10 (frame.xmin), -0.05 * span, 1e-12);
  g_assert_cmpfloat_with_epsilon (log10 (frame.xmax), 1.05 * span, 1e-12);
  /* Densities: 0.6 / 9, 0.3 / 90, 0.1 / 900; each bar's top in its decade. */
  for (int b = 0; b < 3; b++)
    {
      double density = decade_counts[b] / 100.0 / (decades[b + 1] - decades[b]), top;

      relief_plot_frame_from_data (&frame, sqrt (decades[b] * decades[b + 1]) * (b == 2 ? 0.5 : 1), density, &x,
                                   &top);
      g_assert_true (test_pixel_is (img, x, top + 3, blue, 2));
      g_assert_true (test_pixel_is (img, x, top - 4, test_white, 0) || test_pixel_tints (img, x, top - 4, red, 0.3));
    }
  /* The line at its middle in log units, straight there on log-log axes, over the bar. */
  relief_plot_frame_from_data (&frame, pow (10, 1.5), 0.05 * pow (10, -1.5), &x, &y);
  g_assert_true (test_pixel_is (img, x, y, red, 40) || test_pixel_is (img, x, y - 1, red, 40) ||
                 test_pixel_is (img, x, y + 1, red, 40));
  relief_plot_frame_from_data (&frame, 300, frame.ymin, &x_edge, &unused);
  relief_plot_frame_from_data (&frame, 5000, frame.ymin, &x_far, &unused);
  g_assert_cmpfloat (x_far, <, frame.px + frame.pw);
  for (double fy = 0.3; fy < 0.95; fy += 0.2)
    {
      g_assert_true (test_pixel_tints (img, x_edge, frame.py + fy * frame.ph, green, 0.5));
      g_assert_true (test_pixel_tints (img, x_far, frame.py + fy * frame.ph, green, 0.3) ||
                     test_pixel_is (img, x_far, frame.py + fy * frame.ph, test_white, 0));
    }
  /* Right of the far marker, inside the margin: nothing. */
  g_assert_true (test_pixel_is (img, x_far + 6, frame.py + frame.ph - 3, test_white, 0));
  cairo_surface_destroy (img);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/plot-histogram/counts", test_counts);
  g_test_add_func ("/plot-histogram/density", test_density);
  g_test_add_func ("/plot-histogram/log", test_log);
  g_test_add_func ("/plot-histogram/log-log-overlays", test_log_log_overlays);
  return g_test_run ();
}

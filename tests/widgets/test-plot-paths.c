/* Tests of several paths on one plot, each in its color with its legend entry: an
 * optimizer race over a landscape, and the series of a line plot. */
#include "relief-plot.h"

#include <string.h>

#include "test-pixels.h"

#define W 480
#define H 360

static const double red[3] = { 1, 0, 0 }, magenta[3] = { 1, 0, 1 };

enum { NX = 11, NY = 11 };

typedef struct {
  double xs[NX], ys[NY], z[NX * NY];
  double ax[3], ay[3], bx[3], by[3];
  ReliefLineSeries paths[2];
  ReliefHeatmapSpec spec;
} Race;

static void
race_init (Race *r, gboolean labelled)
{
  static const double ax[3] = { -0.8, -0.8, 0.0 }, ay[3] = { -0.8, 0.6, 0.6 };
  static const double bx[3] = { 0.8, 0.2, 0.2 }, by[3] = { -0.8, -0.8, 0.0 };

  for (int i = 0; i < NX; i++)
    r->xs[i] = r->ys[i] = -1 + 0.2 * i;
  for (int k = 0; k < NX * NY; k++)
    r->z[k] = r->xs[k % NX] * r->xs[k % NX] + r->ys[k / NX] * r->ys[k / NX];
  memcpy (r->ax, ax, sizeof ax);
  memcpy (r->ay, ay, sizeof ay);
  memcpy (r->bx, bx, sizeof bx);
  memcpy (r->by, by, sizeof by);
  r->paths[0] = (ReliefLineSeries) { labelled ? "SGD" : NULL, 3, r->ax, r->ay, { 1, 0, 0 }, FALSE };
  r->paths[1] = (ReliefLineSeries) { labelled ? "Adam" : NULL, 3, r->bx, r->by, { 1, 0, 1 }, FALSE };
  r->spec = (ReliefHeatmapSpec) {
    .nx = NX, .ny = NY, .xs = r->xs, .ys = r->ys, .z = r->z, .filled = TRUE, .n_levels = 5,
    .path_marker = -1, .n_paths = 2, .paths = r->paths,
  };
}

static ReliefPlotFrame frame;

static void
draw_heatmap (cairo_t *cr, double w, double h, gconstpointer data)
{
  relief_plot_heatmap (cr, w, h, data, &frame);
}

static void
draw_lines (cairo_t *cr, double w, double h, gconstpointer data)
{
  relief_plot_lines (cr, w, h, data, &frame);
}

/* Device distance from (px, py) to the polyline of series s. */
static double
distance_to (const ReliefLineSeries *s, double px, double py)
{
  double best = INFINITY;

  for (int i = 0; i + 1 < s->n; i++)
    {
      double x0, y0, x1, y1, dx, dy, t;

      relief_plot_frame_from_data (&frame, s->x[i], s->y[i], &x0, &y0);
      relief_plot_frame_from_data (&frame, s->x[i + 1], s->y[i + 1], &x1, &y1);
      dx = x1 - x0, dy = y1 - y0;
      t = CLAMP (((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy), 0, 1);
      best = MIN (best, hypot (px - x0 - t * dx, py - y0 - t * dy));
    }
  return best;
}

/* The color within a pixel of (x, y), or mostly it on white: thin lines cover no pixel
 * wholly everywhere. */
static gboolean
color_near (cairo_surface_t *img, double x, double y, const double rgb[3], int tol)
{
  for (int dy = -1; dy <= 1; dy++)
    for (int dx = -1; dx <= 1; dx++)
      if (test_pixel_is (img, x + dx, y + dy, rgb, tol) || test_pixel_tints (img, x + dx, y + dy, rgb, 0.6))
        return TRUE;
  return FALSE;
}

typedef struct {
  int n;
  int x0, x1, y0, y1;
} Box;

/* Pixels of the series' color away from its line (and its end dot): where the legend
 * draws its sample. */
static Box
color_away_from (cairo_surface_t *img, const ReliefLineSeries *s)
{
  Box b = { 0, G_MAXINT, G_MININT, G_MAXINT, G_MININT };

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      if (test_pixel_is (img, x, y, s->rgb, 40) && distance_to (s, x + 0.5, y + 0.5) > 6)
        {
          b.n++;
          b.x0 = MIN (b.x0, x), b.x1 = MAX (b.x1, x);
          b.y0 = MIN (b.y0, y), b.y1 = MAX (b.y1, y);
        }
  return b;
}

/* Along each series' segments, its own color; n series whose legend samples are short
 * horizontal strokes inside the data area, stacked in their order. */
static void
assert_paths_and_legend (cairo_surface_t *img, const ReliefLineSeries *series, int n, gboolean legend)
{
  Box prev = { 0 };

  for (int s = 0; s < n; s++)
    {
      const ReliefLineSeries *ser = &series[s];
      Box b;

      for (int i = 0; i + 1 < ser->n; i++)
        {
          double x0, y0, x1, y1;

          relief_plot_frame_from_data (&frame, ser->x[i], ser->y[i], &x0, &y0);
          relief_plot_frame_from_data (&frame, ser->x[i + 1], ser->y[i + 1], &x1, &y1);
          g_assert_true (color_near (img, (x0 + x1) / 2, (y0 + y1) / 2, ser->rgb, 40));
          for (int o = 0; o < s; o++)
            g_assert_false (color_near (img, (x0 + x1) / 2, (y0 + y1) / 2, series[o].rgb, 60));
        }
      b = color_away_from (img, ser);
      if (!legend)
        {
          g_assert_cmpint (b.n, ==, 0);
          continue;
        }
      g_test_message ("legend sample %d: %d px in x %d..%d, y %d..%d", s, b.n, b.x0, b.x1, b.y0, b.y1);
      g_assert_cmpint (b.n, >=, 12);
      g_assert_cmpint (b.x1 - b.x0, >=, 12);
      g_assert_cmpint (b.x1 - b.x0, <=, 20);
      g_assert_cmpint (b.y1 - b.y0, <=, 2);
      g_assert_cmpfloat (b.x0, >, frame.px);
      g_assert_cmpfloat (b.x1, <, frame.px + frame.pw);
      g_assert_cmpfloat (b.y0, >, frame.py);
      g_assert_cmpfloat (b.y1, <, frame.py + frame.ph);
      if (s > 0)
        {
          g_assert_cmpint (b.x0, ==, prev.x0);
          g_assert_cmpint (b.y0, >, prev.y1 + 4);
        }
      prev = b;
    }
}

static void
test_race (void)
{
  Race r;
  cairo_surface_t *img;
  double px, py;

  race_init (&r, TRUE);
  img = test_render (W, H, draw_heatmap, &r.spec);
  assert_paths_and_legend (img, r.paths, 2, TRUE);
  /* Each ends in a dot of its color, which the line alone would not fill. */
  relief_plot_frame_from_data (&frame, 0.0, 0.6, &px, &py);
  g_assert_true (test_pixel_is (img, px, py + 2, red, 40));
  relief_plot_frame_from_data (&frame, 0.2, 0.0, &px, &py);
  g_assert_true (test_pixel_is (img, px + 2, py, magenta, 40));
  /* Away from both the map shows through. */
  relief_plot_frame_from_data (&frame, 0.5, 0.5, &px, &py);
  g_assert_false (test_pixel_is (img, px, py, red, 80));
  g_assert_false (test_pixel_is (img, px, py, magenta, 80));
  g_assert_false (test_pixel_is (img, px, py, test_white, 10));
  cairo_surface_destroy (img);

  /* Unlabelled paths: no legend. */
  race_init (&r, FALSE);
  img = test_render (W, H, draw_heatmap, &r.spec);
  assert_paths_and_legend (img, r.paths, 2, FALSE);
  cairo_surface_destroy (img);

  /* No paths: none of their colors anywhere. */
  race_init (&r, TRUE);
  r.spec.n_paths = 0;
  img = test_render (W, H, draw_heatmap, &r.spec);
  g_assert_cmpint (color_away_from (img, &r.paths[0]).n, ==, 0);
  relief_plot_frame_from_data (&frame, -0.8, 0.0, &px, &py);
  g_assert_false (test_pixel_is (img, px, py, red, 80));
  cairo_surface_destroy (img);
}

static void
test_line_series (void)
{
  static const double x[4] = { 0, 1, 2, 3 };
  static const double y0[4] = { 1, 2, 3, 4 }, y1[4] = { 4, 3, 3, 2 }, y2[4] = { 2, 2.5, 1, 1.5 };
  ReliefLineSeries series[3] = {
    { "one", 4, x, y0, { 1, 0, 0 }, FALSE },
    { "two", 4, x, y1, { 1, 0, 1 }, FALSE },
    { "three", 4, x, y2, { 0, 0.6, 0 }, FALSE },
  };
  ReliefLinePlotSpec spec = { .xlabel = "step", .ylabel = "loss", .n_series = 3, .series = series, .legend = TRUE };
  cairo_surface_t *img = test_render (W, H, draw_lines, &spec);

  g_assert_true (test_pixel_is (img, 0, 0, test_white, 0));
  assert_paths_and_legend (img, series, 3, TRUE);
  cairo_surface_destroy (img);

  spec.legend = FALSE;
  img = test_render (W, H, draw_lines, &spec);
  assert_paths_and_legend (img, series, 3, FALSE);
  cairo_surface_destroy (img);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/plot-paths/race", test_race);
  g_test_add_func ("/plot-paths/line-series", test_line_series);
  return g_test_run ();
}

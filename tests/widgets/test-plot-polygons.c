/* Tests of filled polygons: each fills exactly its inside, convex or not, in its color,
 * with its outline on its edges; segments and samples over them, a colorbar beside. */
#include "relief-plot.h"

#include "test-pixels.h"

#define W 400
#define H 400

/* An L (not convex) and a triangle over it, in the square [0, 4]^2. */
static const double lx[6] = { 0, 4, 4, 1, 1, 0 }, ly[6] = { 0, 0, 1, 1, 3, 3 };
static const double tx[3] = { 2, 4, 3 }, ty[3] = { 2, 2, 3.5 };
static const double coral[3] = { 0.9, 0.3, 0.2 }, sky[3] = { 0.2, 0.5, 0.9 };
static const double dark[3] = { 0.1, 0.1, 0.1 }, navy[3] = { 0, 0, 0.4 };

static ReliefPlotFrame frame;

static void
draw (cairo_t *cr, double w, double h, gconstpointer data)
{
  relief_plot_polygons (cr, w, h, data, &frame);
}

static gboolean
pixel_at (cairo_surface_t *img, double x, double y, const double rgb[3], int tol)
{
  double px, py;

  relief_plot_frame_from_data (&frame, x, y, &px, &py);
  return test_pixel_is (img, px, py, rgb, tol);
}

static void
test_polygons (void)
{
  ReliefPolygon polygons[2] = {
    { 6, lx, ly, { 0.9, 0.3, 0.2 }, { 0.1, 0.1, 0.1 } },
    { 3, tx, ty, { 0.2, 0.5, 0.9 }, { 0, 0, 0.4 } },
  };
  ReliefPolygonPlotSpec spec = { .xlabel = "x₁", .ylabel = "x₂", .n_polygons = 2, .polygons = polygons,
                                 .outline_width = 2, .xmin = 0, .xmax = 4, .ymin = 0, .ymax = 4 };
  cairo_surface_t *img = test_render (W, H, draw, &spec);

  g_assert_cmpfloat (frame.xmin, ==, 0);
  g_assert_cmpfloat (frame.ymax, ==, 4);
  /* Both arms of the L, and not its notch (inside its convex hull). */
  g_assert_true (pixel_at (img, 0.5, 2, coral, 1));
  g_assert_true (pixel_at (img, 3, 0.5, coral, 1));
  g_assert_true (pixel_at (img, 2, 1.5, test_white, 0));
  g_assert_true (pixel_at (img, 3.5, 1.5, test_white, 0));
  g_assert_true (pixel_at (img, 0.5, 3.5, test_white, 0));
  /* The triangle in its own color, its outline on its edges, white beside its apex. */
  g_assert_true (pixel_at (img, 3, 2.5, sky, 1));
  g_assert_true (pixel_at (img, 3, 2, navy, 1));
  g_assert_true (pixel_at (img, 2.5, 3.2, test_white, 0));
  /* The L's outline along its inner edges. */
  g_assert_true (pixel_at (img, 2.5, 1, dark, 1));
  g_assert_true (pixel_at (img, 1, 2, dark, 1));
  cairo_surface_destroy (img);

  /* Without outlines the edges are fill or background, never dark; limits fitted to the
   * vertices. */
  spec.outline_width = 0;
  spec.xmin = spec.xmax = spec.ymin = spec.ymax = 0;
  img = test_render (W, H, draw, &spec);
  g_assert_cmpfloat (frame.ymax, ==, 3.5);
  g_assert_false (pixel_at (img, 2.5, 1, dark, 60));
  g_assert_false (pixel_at (img, 3, 2, navy, 60));
  g_assert_true (pixel_at (img, 0.5, 2, coral, 1));
  cairo_surface_destroy (img);
}

/* Over a figure drawn before: two squares tiling the left half of the frame, filled half
 * transparent over its white and outlined, the right half untouched; a segment on top. */
static const double sq1x[4] = { 0, 2, 2, 0 }, sq1y[4] = { 0, 0, 2, 2 };
static const double sq2x[4] = { 0, 2, 2, 0 }, sq2y[4] = { 2, 2, 4, 4 };
static const double segment[4] = { 3, 0, 3, 4 };

static void
draw_over (cairo_t *cr, double w, double h, gconstpointer data)
{
  ReliefPolygonPlotSpec base = { .xlabel = "x₁", .ylabel = "x₂", .xmin = 0, .xmax = 4, .ymin = 0, .ymax = 4 };
  const double black[3] = { 0, 0, 0 };

  relief_plot_polygons (cr, w, h, &base, &frame);
  relief_plot_polygons_over (cr, &frame, data, 2, 0.5, 2, segment, 1, black, 3);
}

static void
test_polygons_over (void)
{
  ReliefPolygon polygons[2] = {
    { 4, sq1x, sq1y, { 0, 0, 1 }, { 0.1, 0.1, 0.1 } },
    { 4, sq2x, sq2y, { 1, 0, 0 }, { 0.1, 0.1, 0.1 } },
  };
  const double half_blue[3] = { 0.5, 0.5, 1 }, half_red[3] = { 1, 0.5, 0.5 }, black[3] = { 0, 0, 0 };
  cairo_surface_t *img = test_render (W, H, draw_over, polygons);

  g_assert_true (pixel_at (img, 1, 1, half_blue, 3));
  g_assert_true (pixel_at (img, 1, 3, half_red, 3));
  g_assert_true (pixel_at (img, 1, 2, dark, 3));     /* the edge they share */
  g_assert_true (pixel_at (img, 2.5, 1, test_white, 0));
  g_assert_true (pixel_at (img, 3, 1, black, 1));
  g_assert_true (pixel_at (img, 3.5, 3, test_white, 0));
  cairo_surface_destroy (img);
}

/* A segment across the L in its color, a sample dot in its class's, a colorbar right of the
 * data area that the frame reports; none of them where they were not asked for. */
static void
test_overlays (void)
{
  ReliefPolygon polygons[1] = { { 6, lx, ly, { 0.9, 0.3, 0.2 }, { 0.1, 0.1, 0.1 } } };
  const double segments[4] = { 0, 0.5, 4, 0.5 };
  const float samples[2] = { 0.5f, 2.5f };
  const gint32 labels[1] = { 2 };
  ReliefPolygonPlotSpec spec = { .n_polygons = 1, .polygons = polygons, .xmin = 0, .xmax = 4, .ymin = 0, .ymax = 4,
                                 .n_segments = 1, .segments = segments, .segment_width = 3,
                                 .segment_rgb = { 0, 0.6, 0 }, .n_samples = 1, .samples = samples, .labels = labels,
                                 .show_colorbar = TRUE, .colormap = RELIEF_COLORMAP_VIRIDIS, .zmin = 0, .zmax = 10 };
  static const double green[3] = { 0, 0.6, 0 };
  double tab_green[3], bottom[3];
  cairo_surface_t *img = test_render (W, H, draw, &spec);

  relief_plot_palette (2, tab_green);
  g_assert_true (pixel_at (img, 2, 0.5, green, 1));
  g_assert_true (pixel_at (img, 3.5, 0.5, green, 1));
  g_assert_true (pixel_at (img, 2, 0.8, coral, 1));
  g_assert_true (pixel_at (img, 0.5, 2.5, tab_green, 2));
  g_assert_cmpfloat (frame.cbw, >, 0);
  g_assert_cmpfloat (frame.cbx, >, frame.px + frame.pw);
  relief_colormap_eval (RELIEF_COLORMAP_VIRIDIS, 0, bottom);
  g_assert_true (test_pixel_is (img, frame.cbx + frame.cbw / 2, frame.cby + frame.cbh - 1, bottom, 12));
  cairo_surface_destroy (img);

  spec.n_segments = 0;
  spec.n_samples = 0;
  spec.show_colorbar = FALSE;
  img = test_render (W, H, draw, &spec);
  g_assert_true (pixel_at (img, 2, 0.5, coral, 1));
  g_assert_true (pixel_at (img, 0.5, 2.5, coral, 1));
  g_assert_cmpfloat (frame.cbw, ==, 0);
  cairo_surface_destroy (img);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/plot-polygons/fill-outline", test_polygons);
  g_test_add_func ("/plot-polygons/over-a-figure", test_polygons_over);
  g_test_add_func ("/plot-polygons/overlays", test_overlays);
  return g_test_run ();
}

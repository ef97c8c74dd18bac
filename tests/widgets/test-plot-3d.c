/* Tests of the 3D surface renderer: bilinear lookup, occlusion, NaN holes and the path. */
#include "relief-plot.h"

#include <math.h>
#include <string.h>

#define W 480
#define H 360

typedef struct {
  int colored;    /* saturated pixels: the surface (the box and labels are grey) */
  int purple;     /* viridis' low end, shaded or not */
  int teal;       /* viridis' middle */
  int path;       /* the path's dark red */
  int marker;     /* the marker's orange */
} Census;

static Census
render (const ReliefSurface3DSpec *spec)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  cairo_t *cr = cairo_create (s);
  Census c = { 0 };

  relief_plot_surface3d (cr, W, H, spec);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W - 60; x++)   /* left of the colorbar */
      {
        const guchar *row = cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s);
        guint32 p = ((const guint32 *) row)[x];
        double r = ((p >> 16) & 0xff) / 255.0, g = ((p >> 8) & 0xff) / 255.0, b = (p & 0xff) / 255.0;

        c.colored += MAX (MAX (r, g), b) - MIN (MIN (r, g), b) > 0.15;
        c.purple += g < 0.06 && b > 0.15 && r < 0.3;
        c.teal += r < 0.2 && g > 0.3 && b > 0.3 && fabs (g - b) < 0.08;
        c.path += fabs (r - 0.70) < 0.08 && g < 0.15 && b < 0.15;
        c.marker += r > 0.95 && fabs (g - 0.6) < 0.05 && b < 0.15;
      }
  cairo_surface_destroy (s);
  return c;
}

static void
grid (double *c, int n, double lo, double hi)
{
  for (int i = 0; i < n; i++)
    c[i] = lo + (hi - lo) * i / (n - 1);
}

/* A plane is reproduced exactly on an uneven grid; outside and next to NaN give NaN. */
static void
test_interpolate (void)
{
  double xs[4] = { -1, -0.2, 0.5, 2 }, ys[3] = { 0, 0.1, 1 }, z[12];

  for (int j = 0; j < 3; j++)
    for (int i = 0; i < 4; i++)
      z[j * 4 + i] = 1 + 2 * xs[i] - 3 * ys[j];
  for (double x = -1; x <= 2; x += 0.37)
    for (double y = 0; y <= 1; y += 0.23)
      g_assert_cmpfloat_with_epsilon (relief_grid_interpolate (z, 4, 3, xs, ys, x, y), 1 + 2 * x - 3 * y, 1e-12);
  g_assert_cmpfloat_with_epsilon (relief_grid_interpolate (z, 4, 3, xs, ys, 2, 1), 1 + 4 - 3, 1e-12);
  g_assert_true (isnan (relief_grid_interpolate (z, 4, 3, xs, ys, 2.01, 0.5)));
  g_assert_true (isnan (relief_grid_interpolate (z, 4, 3, xs, ys, 0, -0.01)));
  z[1 * 4 + 1] = NAN;
  g_assert_true (isnan (relief_grid_interpolate (z, 4, 3, xs, ys, -0.5, 0.5)));
  g_assert_false (isnan (relief_grid_interpolate (z, 4, 3, xs, ys, 1, 0.5)));
}

enum { N = 21 };

/* A ridge along the near edge (y = -1, seen from az = -90) falls steeply to a flat floor:
 * from a low elevation the ridge's slope (teal, the colormap's middle) hides the floor
 * (purple) behind it, which only painting back to front gets right; from above the floor
 * shows. */
static void
test_occlusion (void)
{
  double xs[N], ys[N], z[N * N];
  ReliefSurface3DSpec spec = {
    .nx = N, .ny = N, .xs = xs, .ys = ys, .z = z, .colormap = RELIEF_COLORMAP_VIRIDIS,
    .azimuth = -90, .elevation = 10, .zoom = 1, .path_marker = -1,
  };
  Census low, high;

  grid (xs, N, -1, 1);
  grid (ys, N, -1, 1);
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++)
      z[j * N + i] = j == 0 ? 1 : 0;
  low = render (&spec);
  g_assert_cmpint (low.teal, >, 2000);
  g_assert_cmpint (low.purple, <, 50);

  spec.elevation = 60;
  high = render (&spec);
  g_assert_cmpint (high.purple, >, 5000);
}

/* Quads touching a NaN are left out: four of the hundred around a NaN point. */
static void
test_nan_hole (void)
{
  double xs[11], ys[11], z[121];
  ReliefSurface3DSpec spec = {
    .nx = 11, .ny = 11, .xs = xs, .ys = ys, .z = z, .azimuth = -60, .elevation = 90, .zoom = 1,
    .path_marker = -1,
  };
  Census full, holed, empty;

  grid (xs, 11, 0, 1);
  grid (ys, 11, 0, 1);
  for (int k = 0; k < 121; k++)
    z[k] = (k % 11) * 0.1;
  full = render (&spec);
  z[5 * 11 + 5] = NAN;
  holed = render (&spec);
  g_assert_cmpfloat ((double) holed.colored / full.colored, >, 0.93);
  g_assert_cmpfloat ((double) holed.colored / full.colored, <, 0.98);

  for (int k = 0; k < 121; k++)
    z[k] = NAN;
  empty = render (&spec);
  g_assert_cmpint (empty.colored, ==, 0);
}

/* The path is drawn on the surface, z looked up or given, with its marker. */
static void
test_path (void)
{
  double xs[N], ys[N], z[N * N], px[5] = { -0.8, -0.4, 0, 0.4, 0.8 }, py[5] = { 0.5, 0.2, 0, -0.2, -0.5 };
  double pz[5] = { 1, 1, 1, 1, 1 };
  ReliefSurface3DSpec spec = {
    .nx = N, .ny = N, .xs = xs, .ys = ys, .z = z, .azimuth = -60, .elevation = 30, .zoom = 1,
    .path_marker = -1,
  };
  Census plain, with_path;

  grid (xs, N, -1, 1);
  grid (ys, N, -1, 1);
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++)
      z[j * N + i] = xs[i] * xs[i] + ys[j] * ys[j];
  plain = render (&spec);
  g_assert_cmpint (plain.path, <, 5);
  g_assert_cmpint (plain.marker, ==, 0);

  spec.n_path = 5;
  spec.path_x = px;
  spec.path_y = py;
  spec.path_marker = 2;
  with_path = render (&spec);
  g_assert_cmpint (with_path.path, >, 100);
  g_assert_cmpint (with_path.marker, >, 20);

  spec.path_z = pz;
  spec.path_marker = 7;   /* out of range: no marker */
  with_path = render (&spec);
  g_assert_cmpint (with_path.path, >, 100);
  g_assert_cmpint (with_path.marker, ==, 0);
}

/* Any angle, a log scale, a single row and no data draw without error. */
static void
test_angles_and_degenerate (void)
{
  double xs[N], ys[N], z[N * N];
  ReliefSurface3DSpec spec = {
    .title = "Loss", .xlabel = "x", .ylabel = "y", .zlabel = "loss",
    .nx = N, .ny = N, .xs = xs, .ys = ys, .z = z, .show_colorbar = TRUE, .log_scale = TRUE, .path_marker = -1,
  };

  grid (xs, N, -1, 1);
  grid (ys, N, -1, 1);
  for (int k = 0; k < N * N; k++)
    z[k] = k % 7 == 0 ? 0 : exp (k / 50.0);
  for (double az = -180; az <= 180; az += 45)
    for (double el = -90; el <= 90; el += 30)
      {
        spec.azimuth = az;
        spec.elevation = el;
        g_assert_cmpint (render (&spec).colored, >, 1000);
      }
  spec.ny = 1;
  g_assert_cmpint (render (&spec).colored, ==, 0);
  spec.ny = N;
  spec.z = NULL;
  g_assert_cmpint (render (&spec).colored, ==, 0);
}

static cairo_surface_t *
render_image (const ReliefSurface3DSpec *spec)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  cairo_t *cr = cairo_create (s);

  relief_plot_surface3d (cr, W, H, spec);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

/* The axis titles stay whole inside the figure, left of the colorbar, at every zoom: the
 * pixels where they differ from a figure without them keep clear of the edges, where a
 * label cut by the clip would touch them. */
static void
test_zoom_keeps_labels (void)
{
  double xs[N], ys[N], z[N * N];
  ReliefSurface3DSpec spec = {
    .xlabel = "x direction", .ylabel = "y direction", .zlabel = "train loss",
    .nx = N, .ny = N, .xs = xs, .ys = ys, .z = z, .show_colorbar = TRUE,
    .azimuth = RELIEF_SURFACE3D_AZIMUTH, .elevation = RELIEF_SURFACE3D_ELEVATION, .path_marker = -1,
  };
  /* The colorbar takes the right 56 units and a gap before it. */
  int right = W - 56 - 4;

  grid (xs, N, -1, 1);
  grid (ys, N, -1, 1);
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++)
      z[j * N + i] = xs[i] * xs[i] + 2 * ys[j] * ys[j];
  for (double zoom = 1; zoom <= 4; zoom *= 1.25)
    {
      ReliefSurface3DSpec bare = spec;
      cairo_surface_t *with, *without;
      int stride, x0 = W, x1 = -1, y0 = H, y1 = -1;

      spec.zoom = bare.zoom = zoom;
      bare.xlabel = bare.ylabel = bare.zlabel = "";
      with = render_image (&spec);
      without = render_image (&bare);
      stride = cairo_image_surface_get_stride (with);
      for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
          if (memcmp (cairo_image_surface_get_data (with) + y * stride + 4 * x,
                      cairo_image_surface_get_data (without) + y * stride + 4 * x, 4) != 0)
            {
              x0 = MIN (x0, x);
              x1 = MAX (x1, x);
              y0 = MIN (y0, y);
              y1 = MAX (y1, y);
            }
      if (zoom < 1.5)
        g_assert_cmpint (x1, >=, 0);   /* the titles are there */
      if (x1 >= 0)
        {
          g_assert_cmpint (x0, >=, 1);
          g_assert_cmpint (x1, <=, right - 2);
          g_assert_cmpint (y0, >=, 1);
          g_assert_cmpint (y1, <=, H - 2);
        }
      cairo_surface_destroy (with);
      cairo_surface_destroy (without);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/plot-3d/interpolate", test_interpolate);
  g_test_add_func ("/plot-3d/occlusion", test_occlusion);
  g_test_add_func ("/plot-3d/nan-hole", test_nan_hole);
  g_test_add_func ("/plot-3d/path", test_path);
  g_test_add_func ("/plot-3d/angles-degenerate", test_angles_and_degenerate);
  g_test_add_func ("/plot-3d/zoom-keeps-labels", test_zoom_keeps_labels);
  return g_test_run ();
}

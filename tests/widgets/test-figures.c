/* Tests of the surface, run and sweep figures on hand-built surfaces, runs and sweeps. */
#include "relief-figures.h"

#include <math.h>
#include <stdlib.h>

#define W 480
#define H 360

typedef struct {
  int non_white;
  int top_half, bottom_half, left_half, right_half;   /* non-white pixels in each half */
} Ink;

static Ink
render (void (*draw) (cairo_t *, double, double, gconstpointer, const ReliefFigureOptions *), gconstpointer data,
        const ReliefFigureOptions *opt)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  cairo_t *cr = cairo_create (s);
  Ink ink = { 0 };
  const guchar *pixels;
  int stride;

  draw (cr, W, H, data, opt);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  pixels = cairo_image_surface_get_data (s);
  stride = cairo_image_surface_get_stride (s);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        guint32 p = ((const guint32 *) (pixels + (gsize) y * stride))[x];
        gboolean white = (p & 0xffffff) == 0xffffff;

        /* Everything is painted: the background is opaque white, not transparent. */
        g_assert_cmpuint (p >> 24, ==, 0xff);
        if (white)
          continue;
        ink.non_white++;
        if (y < H / 2)
          ink.top_half++;
        else
          ink.bottom_half++;
        if (x < W / 2)
          ink.left_half++;
        else
          ink.right_half++;
      }
  cairo_surface_destroy (s);
  return ink;
}

static void
draw_surface (cairo_t *cr, double w, double h, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_figure_surface (cr, w, h, data, opt);
}

static void
draw_run (cairo_t *cr, double w, double h, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_figure_run (cr, w, h, data, opt);
}

enum { NX = 21, NY = 17 };

typedef struct {
  double xs[NX], ys[NY];
  double loss[NX * NY], acc[NX * NY], test_loss[NX * NY], test_acc[NX * NY];
  ReliefSurface surface;
} SurfaceFixture;

static void
surface_fixture_init (SurfaceFixture *f, int ny)
{
  for (int i = 0; i < NX; i++)
    f->xs[i] = -1 + 2.0 * i / (NX - 1);
  for (int j = 0; j < NY; j++)
    f->ys[j] = -1 + 2.0 * j / (NY - 1);
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < NX; i++)
      {
        double y = ny > 1 ? f->ys[j] : 0, r2 = f->xs[i] * f->xs[i] + 2 * y * y;

        f->loss[j * NX + i] = 0.05 + r2;
        f->test_loss[j * NX + i] = 0.2 + r2;
        f->acc[j * NX + i] = 100 * exp (-r2);
        f->test_acc[j * NX + i] = 90 * exp (-r2);
      }
  f->surface = (ReliefSurface) {
    .nx = NX, .ny = ny, .xcoords = f->xs, .ycoords = ny > 1 ? f->ys : NULL,
    .train_loss = f->loss, .train_acc = f->acc, .checkpoint = -1,
  };
}

static void
test_surface_2d (void)
{
  SurfaceFixture f;
  ReliefFigureOptions opt;
  Ink plain, marked;

  surface_fixture_init (&f, NY);
  relief_figure_options_init (&opt);
  g_assert_cmpint (opt.n_levels, ==, 12);
  g_assert_cmpint (opt.colormap, ==, RELIEF_COLORMAP_VIRIDIS);
  g_assert_false (opt.log_scale);
  g_assert_null (opt.title);

  opt.title = "Landscape";
  plain = render (draw_surface, &f.surface, &opt);
  /* Most of the figure is the filled landscape. */
  g_assert_cmpint (plain.non_white, >, W * H / 2);

  opt.has_marker = TRUE;
  opt.log_scale = TRUE;
  opt.colormap = RELIEF_COLORMAP_MAGMA;
  marked = render (draw_surface, &f.surface, &opt);
  g_assert_cmpint (marked.non_white, >, W * H / 2);
}

static void
test_surface_2d_nan (void)
{
  SurfaceFixture f;
  ReliefFigureOptions opt;
  Ink full, partial;

  surface_fixture_init (&f, NY);
  relief_figure_options_init (&opt);
  full = render (draw_surface, &f.surface, &opt);
  /* A surface still being computed: the top half of the rows is missing. */
  for (int k = NX * (NY / 2 + 1); k < NX * NY; k++)
    f.loss[k] = NAN;
  partial = render (draw_surface, &f.surface, &opt);
  g_assert_cmpint (partial.non_white, >, W * H / 5);
  g_assert_cmpint (partial.top_half, <, full.top_half / 2);

  /* Nothing computed yet: just the axes. */
  for (int k = 0; k < NX * NY; k++)
    f.loss[k] = NAN;
  partial = render (draw_surface, &f.surface, &opt);
  g_assert_cmpint (partial.non_white, >, 0);
  g_assert_cmpint (partial.non_white, <, W * H / 10);
}

static void
test_surface_1d (void)
{
  SurfaceFixture f;
  ReliefFigureOptions opt;
  Ink ink;

  surface_fixture_init (&f, 1);
  relief_figure_options_init (&opt);
  /* Loss above, accuracy below: both panels have curves. */
  ink = render (draw_surface, &f.surface, &opt);
  g_assert_cmpint (ink.top_half, >, 1000);
  g_assert_cmpint (ink.bottom_half, >, 1000);

  f.surface.test_loss = f.test_loss;
  f.surface.test_acc = f.test_acc;
  f.loss[3] = NAN;
  opt.log_scale = TRUE;
  opt.title = "1D slice";
  ink = render (draw_surface, &f.surface, &opt);
  g_assert_cmpint (ink.top_half, >, 1000);
  g_assert_cmpint (ink.bottom_half, >, 1000);
}

static cairo_surface_t *
render_pixels (const ReliefSurface *surface, const ReliefFigureOptions *opt)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (s);

  relief_figure_surface (cr, W, H, surface, opt);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

/* The fraction of pixels in the middle of the figure equal to their right neighbour: high
 * in flat bands, low in a smooth shading. */
static double
flatness (cairo_surface_t *s)
{
  int same = 0, total = 0;

  for (int y = H / 4; y < 3 * H / 4; y++)
    {
      const guint32 *row = (const guint32 *) (cairo_image_surface_get_data (s)
                                              + (gsize) y * cairo_image_surface_get_stride (s));

      for (int x = W / 4; x < W / 2; x++, total++)
        same += (row[x] & 0xffffff) == (row[x + 1] & 0xffffff);
    }
  return (double) same / total;
}

/* Distinct colors, and pixels of the path's dark red. */
static void
census (cairo_surface_t *s, guint *n_colors, int *n_path)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  *n_path = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        const guchar *row = cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s);
        guint32 p = ((const guint32 *) row)[x] & 0xffffff;
        int r = p >> 16, g = (p >> 8) & 0xff, b = p & 0xff;

        g_hash_table_add (seen, GUINT_TO_POINTER (p));
        *n_path += abs (r - 0xb3) < 20 && g < 40 && b < 40;
      }
  *n_colors = g_hash_table_size (seen);
}

static void
test_surface_kinds (void)
{
  SurfaceFixture f, line;
  ReliefFigureOptions opt;
  ReliefFigureKind kind;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *contour, *heatmap, *three_d, *row, *slice;
  guint colors;
  int path_pixels;
  double px[4] = { -0.8, -0.3, 0.1, 0.2 }, py[4] = { 0.7, 0.4, 0.1, 0.0 };

  for (int k = 0; k <= RELIEF_FIGURE_1D; k++)
    {
      g_assert_true (relief_figure_kind_from_string (relief_figure_kind_to_string (k), &kind, NULL));
      g_assert_cmpint (kind, ==, k);
    }
  g_assert_false (relief_figure_kind_from_string ("surface", &kind, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);

  surface_fixture_init (&f, NY);
  relief_figure_options_init (&opt);
  g_assert_cmpint (opt.kind, ==, RELIEF_FIGURE_CONTOUR);
  g_assert_cmpint (opt.path_marker, ==, -1);

  /* Contours fill bands of a few colors; the heatmap shades smoothly. */
  contour = render_pixels (&f.surface, &opt);
  census (contour, &colors, &path_pixels);
  g_assert_cmpint (path_pixels, <, 5);
  opt.kind = RELIEF_FIGURE_HEATMAP;
  heatmap = render_pixels (&f.surface, &opt);
  g_test_message ("flatness: contour %.3f, heatmap %.3f", flatness (contour), flatness (heatmap));
  g_assert_cmpfloat (flatness (contour), >, 0.8);
  g_assert_cmpfloat (flatness (heatmap), <, 0.7);

  /* 3D: shaded quads, many colors, and the white around the box. */
  opt.kind = RELIEF_FIGURE_3D;
  three_d = render_pixels (&f.surface, &opt);
  census (three_d, &colors, &path_pixels);
  g_assert_cmpuint (colors, >, 500);
  g_assert_cmpint (render (draw_surface, &f.surface, &opt).non_white, >, W * H / 4);

  /* The path shows on every 2D kind. */
  opt.n_path = 4;
  opt.path_x = px;
  opt.path_y = py;
  opt.path_marker = 3;
  for (int k = RELIEF_FIGURE_CONTOUR; k <= RELIEF_FIGURE_3D; k++)
    {
      cairo_surface_t *s;

      opt.kind = k;
      s = render_pixels (&f.surface, &opt);
      census (s, &colors, &path_pixels);
      g_assert_cmpint (path_pixels, >, 60);
      cairo_surface_destroy (s);
    }

  /* 1D of a 2D surface: the row at y = 0 is drawn exactly as the 1D slice through it. */
  opt.kind = RELIEF_FIGURE_1D;
  opt.slice_y = 0.01;
  row = render_pixels (&f.surface, &opt);
  surface_fixture_init (&line, 1);
  slice = render_pixels (&line.surface, &opt);
  g_assert_cmpmem (cairo_image_surface_get_data (row), cairo_image_surface_get_stride (row) * H,
                   cairo_image_surface_get_data (slice), cairo_image_surface_get_stride (slice) * H);

  cairo_surface_destroy (contour);
  cairo_surface_destroy (heatmap);
  cairo_surface_destroy (three_d);
  cairo_surface_destroy (row);
  cairo_surface_destroy (slice);
}

enum { S = 50 };

typedef struct {
  gint64 steps[S];
  double train_loss[S], train_acc[S], test_loss[S], test_acc[S];
  ReliefRun run;
} RunFixture;

static void
run_fixture_init (RunFixture *f, gboolean with_test)
{
  for (int i = 0; i < S; i++)
    {
      f->steps[i] = 20 * i;
      f->train_loss[i] = 2.3 * exp (-i / 10.0) + 0.02;
      f->test_loss[i] = 2.3 * exp (-i / 12.0) + 0.1;
      f->train_acc[i] = 1 - 0.9 * exp (-i / 8.0);
      f->test_acc[i] = 0.95 - 0.85 * exp (-i / 9.0);
    }
  f->run = (ReliefRun) {
    .n_metrics = S, .metric_step = f->steps, .train_loss = f->train_loss, .train_acc = f->train_acc,
    .test_loss = with_test ? f->test_loss : NULL, .test_acc = with_test ? f->test_acc : NULL,
  };
}

static void
test_run (void)
{
  RunFixture f;
  ReliefFigureOptions opt;
  Ink with_test, without_test, titled;

  relief_figure_options_init (&opt);
  run_fixture_init (&f, TRUE);
  with_test = render (draw_run, &f.run, &opt);
  /* Two panels side by side, each with curves. */
  g_assert_cmpint (with_test.left_half, >, 2000);
  g_assert_cmpint (with_test.right_half, >, 2000);

  run_fixture_init (&f, FALSE);
  without_test = render (draw_run, &f.run, &opt);
  g_assert_cmpint (without_test.left_half, >, 1500);
  g_assert_cmpint (without_test.right_half, >, 1500);
  g_assert_cmpint (without_test.non_white, <, with_test.non_white);

  opt.title = "Run";
  opt.log_scale = TRUE;
  titled = render (draw_run, &f.run, &opt);
  g_assert_cmpint (titled.left_half, >, 1500);

  /* A run with no metrics yet draws empty axes. */
  f.run.n_metrics = 0;
  titled = render (draw_run, &f.run, &opt);
  g_assert_cmpint (titled.non_white, >, 0);
}

/* The figure of a half-run sweep reports its frame, holds every dot, and a dot there is found
 * under the pointer. */
static void
test_intdim_hit (void)
{
  g_autoptr(ReliefIntdim) id = relief_intdim_new (4, 2);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  cairo_t *cr = cairo_create (s);
  ReliefFigureOptions opt;
  ReliefPlotFrame frame;
  double px, py;
  int k = -1, seed = -1;

  for (int i = 0; i < 4; i++)
    id->dims[i] = 4 << (2 * i);     /* 4 .. 256: a log axis */
  id->test_acc[0] = 0.4, id->test_acc[1] = 0.1;
  id->test_acc[2] = 0.8, id->test_acc[3] = 0.9;
  id->test_acc[4] = 0.95;
  id->baseline_test_acc = 0.97;
  relief_figure_options_init (&opt);
  opt.title = "Sweep";
  relief_figure_intdim (cr, W, H, id, &opt, &frame);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpfloat (frame.py, >, 20);
  g_assert_cmpfloat (frame.xmin, <, 4);
  g_assert_cmpfloat (frame.xmax, >, 64);
  g_assert_true (frame.log_x);
  /* Every seed's dot is inside, not only the mean's line. */
  g_assert_cmpfloat (frame.ymin, <, 10);

  relief_plot_frame_from_data (&frame, 16, 90, &px, &py);
  g_assert_true (relief_figure_intdim_hit (id, &frame, px + 2, py - 2, 8, &k, &seed));
  g_assert_cmpint (k, ==, 1);
  g_assert_cmpint (seed, ==, 1);
  /* Cells not run have no dot. */
  relief_plot_frame_from_data (&frame, 256, 90, &px, &py);
  g_assert_false (relief_figure_intdim_hit (id, &frame, px, py, 8, &k, &seed));

  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/figures/surface-2d", test_surface_2d);
  g_test_add_func ("/figures/surface-2d-nan", test_surface_2d_nan);
  g_test_add_func ("/figures/surface-1d", test_surface_1d);
  g_test_add_func ("/figures/surface-kinds", test_surface_kinds);
  g_test_add_func ("/figures/run", test_run);
  g_test_add_func ("/figures/intdim-hit", test_intdim_hit);
  return g_test_run ();
}

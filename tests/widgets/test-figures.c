/* Tests of the surface, run, sweep, weight-spectra and regions figures on hand-built
 * surfaces, runs, sweeps and spectra, and a partition computed from a small net. */
#include "relief-enums.h"
#include "relief-figures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* The figure draw() makes of data, as an opaque image to read pixels from. */
static cairo_surface_t *
render_pixels (void (*draw) (cairo_t *, double, double, gconstpointer, const ReliefFigureOptions *),
               gconstpointer data, const ReliefFigureOptions *opt)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (s);

  draw (cr, W, H, data, opt);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
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

/* The 2D surface figure drawn through its spec, which reports the frame: pixel for pixel
 * the figure itself. */
static cairo_surface_t *
render_map (const ReliefSurface *surface, const ReliefFigureOptions *opt, ReliefPlotFrame *frame)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_surface_t *figure = render_pixels (draw_surface, surface, opt);
  cairo_t *cr = cairo_create (s);
  ReliefHeatmapSpec spec;

  relief_figure_surface_map_spec (surface, opt, &spec);
  relief_plot_heatmap (cr, W, H, &spec, frame);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  g_assert_cmpmem (cairo_image_surface_get_data (s), cairo_image_surface_get_stride (s) * H,
                   cairo_image_surface_get_data (figure), cairo_image_surface_get_stride (figure) * H);
  cairo_surface_destroy (figure);
  return s;
}

static guint32
pixel (cairo_surface_t *s, double x, double y)
{
  return ((const guint32 *) (cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s)))[(int) x]
         & 0xffffff;
}

static gboolean
pixel_near (cairo_surface_t *s, double x, double y, guint32 rgb, int tol)
{
  guint32 p = pixel (s, x, y);

  for (int shift = 0; shift <= 16; shift += 8)
    if (abs ((int) ((p >> shift) & 0xff) - (int) ((rgb >> shift) & 0xff)) > tol)
      return FALSE;
  return TRUE;
}

/* The darkest pixel in the column x within a pixel of y, 0..255 (a tick mark is dark). */
static int
darkest_near (cairo_surface_t *s, double x, double y)
{
  int darkest = 255;

  for (int dy = -1; dy <= 1; dy++)
    darkest = MIN (darkest, (int) ((pixel (s, x, y + dy) >> 8) & 0xff));
  return darkest;
}

/* Non-white pixels in the box [x0, x1) x [y0, y1), and their mean x. */
static int
ink_in (cairo_surface_t *s, int x0, int x1, int y0, int y1, double *mean_x)
{
  int n = 0;
  double sum = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, H); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, W); x++)
      if (pixel (s, x, y) != 0xffffff)
        n++, sum += x;
  if (mean_x)
    *mean_x = n > 0 ? sum / n : NAN;
  return n;
}

/* The colorbar's y for a loss v, on a log or linear bar over the fixture's 0.05 .. 3.05. */
static double
colorbar_y (const ReliefPlotFrame *f, double v, gboolean log)
{
  double frac = log ? (log10 (v) - log10 (0.05)) / (log10 (3.05) - log10 (0.05)) : (v - 0.05) / 3.0;

  return f->cby + f->cbh - frac * f->cbh;
}

static void
test_surface_2d (void)
{
  SurfaceFixture f;
  ReliefFigureOptions opt;
  ReliefPlotFrame frame;
  cairo_surface_t *plain, *s;
  double mx, my, cx, mean_x;
  static const double log_ticks[] = { 0.1, 0.2, 0.5, 1, 2 };

  surface_fixture_init (&f, NY);
  relief_figure_options_init (&opt);
  g_assert_cmpint (opt.n_levels, ==, 12);
  g_assert_cmpint (opt.colormap, ==, RELIEF_COLORMAP_VIRIDIS);
  g_assert_false (opt.log_scale);
  g_assert_null (opt.title);

  plain = render_map (&f.surface, &opt, &frame);
  g_assert_cmpfloat (frame.cbw, >, 0);
  /* viridis from its dark end at the minimum, the origin, to its yellow at the top of the
   * colorbar (matplotlib's #440154 and #fde725). */
  relief_plot_frame_from_data (&frame, 0, 0, &cx, &my);
  g_assert_true (pixel_near (plain, cx, my, 0x440154, 3));
  g_assert_true (pixel_near (plain, frame.cbx + frame.cbw / 2, frame.cby + frame.cbh - 3, 0x440154, 3));
  g_assert_true (pixel_near (plain, frame.cbx + frame.cbw / 2, frame.cby + 3, 0xfde725, 3));
  /* Linear colorbar ticks every 0.5: at 1.5 and 2.5. */
  g_assert_cmpint (darkest_near (plain, frame.cbx + frame.cbw + 2, colorbar_y (&frame, 1.5, FALSE)), <, 180);
  g_assert_cmpint (darkest_near (plain, frame.cbx + frame.cbw + 2, colorbar_y (&frame, 2.5, FALSE)), <, 180);

  /* The marker: its red at its place, which shows the map without it. */
  relief_plot_frame_from_data (&frame, 0.5, -0.5, &mx, &my);
  g_assert_false (pixel_near (plain, mx, my, 0xd62629, 30));
  opt.has_marker = TRUE;
  opt.marker_x = 0.5;
  opt.marker_y = -0.5;
  s = render_map (&f.surface, &opt, &frame);
  g_assert_true (pixel_near (s, mx, my, 0xd62629, 3));
  g_assert_true (pixel_near (s, mx + 1.5, my - 1.5, 0xd62629, 3));
  g_assert_false (pixel_near (s, mx + 8, my, 0xd62629, 30));
  cairo_surface_destroy (s);

  /* The title: above the map, centred on it, where nothing is without it. */
  g_assert_cmpfloat (frame.py, <, 16);
  opt.title = "Landscape";
  s = render_map (&f.surface, &opt, &frame);
  g_assert_cmpfloat (frame.py, >, 20);
  cx = frame.px + frame.pw / 2;
  g_assert_cmpint (ink_in (s, frame.px + 10, frame.px + frame.pw - 10, 0, frame.py - 3, &mean_x), >, 20);
  g_assert_cmpfloat (fabs (mean_x - cx), <, 6);
  g_assert_cmpint (ink_in (plain, frame.px + 10, frame.px + frame.pw - 10, 0, 6, NULL), ==, 0);
  cairo_surface_destroy (s);

  /* magma on a log scale: its ends (#000004, #fcfdbf) at the colorbar's, the minimum in
   * the darkest; ticks at 0.1, 0.2, 0.5, 1 and 2 up a log bar, none where a linear bar
   * has its 1.5 and 2.5. */
  opt.log_scale = TRUE;
  opt.colormap = RELIEF_COLORMAP_MAGMA;
  s = render_map (&f.surface, &opt, &frame);
  g_assert_true (pixel_near (s, frame.cbx + frame.cbw / 2, frame.cby + frame.cbh - 3, 0x000004, 3));
  g_assert_true (pixel_near (s, frame.cbx + frame.cbw / 2, frame.cby + 3, 0xfcfdbf, 3));
  relief_plot_frame_from_data (&frame, 0, 0, &cx, &my);
  g_assert_true (pixel_near (s, cx, my, 0x000004, 3));
  for (guint k = 0; k < G_N_ELEMENTS (log_ticks); k++)
    g_assert_cmpint (darkest_near (s, frame.cbx + frame.cbw + 2, colorbar_y (&frame, log_ticks[k], TRUE)), <, 180);
  g_assert_cmpint (darkest_near (s, frame.cbx + frame.cbw + 2, colorbar_y (&frame, 1.5, FALSE)), ==, 255);
  g_assert_cmpint (darkest_near (s, frame.cbx + frame.cbw + 2, colorbar_y (&frame, 2.5, FALSE)), ==, 255);
  cairo_surface_destroy (s);
  cairo_surface_destroy (plain);
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
      g_assert_true (relief_enum_from_nick (RELIEF_TYPE_FIGURE_KIND, relief_enum_to_nick (RELIEF_TYPE_FIGURE_KIND, k),
                                            (int *) &kind, NULL));
      g_assert_cmpint (kind, ==, k);
    }
  g_assert_cmpstr (relief_enum_to_nick (RELIEF_TYPE_FIGURE_KIND, RELIEF_FIGURE_3D), ==, "3d");
  g_assert_false (relief_enum_from_nick (RELIEF_TYPE_FIGURE_KIND, "surface", (int *) &kind, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  surface_fixture_init (&f, NY);
  relief_figure_options_init (&opt);
  g_assert_cmpint (opt.kind, ==, RELIEF_FIGURE_CONTOUR);
  g_assert_cmpint (opt.path_marker, ==, -1);

  /* Contours fill bands of a few colors; the heatmap shades smoothly. */
  contour = render_pixels (draw_surface, &f.surface, &opt);
  census (contour, &colors, &path_pixels);
  g_assert_cmpint (path_pixels, <, 5);
  opt.kind = RELIEF_FIGURE_HEATMAP;
  heatmap = render_pixels (draw_surface, &f.surface, &opt);
  g_test_message ("flatness: contour %.3f, heatmap %.3f", flatness (contour), flatness (heatmap));
  g_assert_cmpfloat (flatness (contour), >, 0.8);
  g_assert_cmpfloat (flatness (heatmap), <, 0.7);

  /* 3D: shaded quads, many colors, and the white around the box. */
  opt.kind = RELIEF_FIGURE_3D;
  three_d = render_pixels (draw_surface, &f.surface, &opt);
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
      s = render_pixels (draw_surface, &f.surface, &opt);
      census (s, &colors, &path_pixels);
      g_assert_cmpint (path_pixels, >, 60);
      cairo_surface_destroy (s);
    }

  /* 1D of a 2D surface: the row at y = 0 is drawn exactly as the 1D slice through it. */
  opt.kind = RELIEF_FIGURE_1D;
  opt.slice_y = 0.01;
  row = render_pixels (draw_surface, &f.surface, &opt);
  surface_fixture_init (&line, 1);
  slice = render_pixels (draw_surface, &line.surface, &opt);
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

  /* A log scale changes the loss panel (left) and leaves accuracy (right) as it was. */
  {
    cairo_surface_t *linear = render_pixels (draw_run, &f.run, &opt), *log;
    int changed_left = 0;

    opt.log_scale = TRUE;
    log = render_pixels (draw_run, &f.run, &opt);
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++)
        if (x < W / 2)
          changed_left += pixel (linear, x, y) != pixel (log, x, y);
        else
          g_assert_cmphex (pixel (linear, x, y), ==, pixel (log, x, y));
    g_assert_cmpint (changed_left, >, 500);

    /* A title: centred above both panels, where there is nothing without it. */
    g_assert_cmpint (ink_in (log, W / 2 - 20, W / 2 + 20, 0, 20, NULL), ==, 0);
    opt.title = "Run";
    cairo_surface_destroy (linear);
    linear = render_pixels (draw_run, &f.run, &opt);
    {
      double mean_x;

      g_assert_cmpint (ink_in (linear, W / 2 - 20, W / 2 + 20, 0, 20, &mean_x), >, 20);
      g_assert_cmpfloat (fabs (mean_x - W / 2), <, 6);
    }
    cairo_surface_destroy (linear);
    cairo_surface_destroy (log);
  }

  /* A run with no metrics yet draws empty axes. */
  f.run.n_metrics = 0;
  titled = render (draw_run, &f.run, &opt);
  g_assert_cmpint (titled.non_white, >, 0);
}

static void
draw_run_curves (cairo_t *cr, double w, double h, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_figure_run_curves (cr, w, h, data, opt);
}

/* A run that tracked curvature: the run figure gains a third panel, the sharpness, with the
 * curves in the first two as before (relief_figure_run_curves: those alone, as for a run
 * without curvature); the sharpness spec draws the run's stability limit (2/lr for SGD),
 * lambda_min when tracked, on a log axis unless a value is not positive. */
static void
test_run_curvature (void)
{
  RunFixture f;
  ReliefFigureOptions opt;
  gint64 steps[5] = { 0, 10, 20, 30, 40 };
  double lambda_max[5] = { 1, 2, 3.5, 3.9, 3.95 }, trace[5] = { 3, 6, 9, 10, 10 };
  double lambda_min[5] = { -0.5, -0.2, -0.1, -0.05, 0.01 }, plot_steps[5];
  ReliefRunCurvature curvature = { .n = 5, .step = steps, .lambda_max = lambda_max, .trace = trace, .samples = 100 };
  cairo_surface_t *plain, *curves, *with;
  ReliefSharpness c;
  ReliefSharpnessSpec spec;
  int right_plain = 0, right_with = 0;

  relief_figure_options_init (&opt);
  run_fixture_init (&f, TRUE);
  f.run.config.optimizer.lr = 0.5f;
  plain = render_pixels (draw_run, &f.run, &opt);
  f.run.curvature = &curvature;
  curves = render_pixels (draw_run_curves, &f.run, &opt);
  with = render_pixels (draw_run, &f.run, &opt);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        g_assert_cmphex (pixel (plain, x, y), ==, pixel (curves, x, y));
        if (x > 2 * W / 3 + 40)
          {
            right_plain += (pixel (plain, x, y) & 0xffffff) != 0xffffff;
            right_with += (pixel (with, x, y) & 0xffffff) != 0xffffff;
          }
      }
  g_assert_cmpint (right_with, >, right_plain + 1000);
  cairo_surface_destroy (plain);
  cairo_surface_destroy (curves);
  cairo_surface_destroy (with);

  g_assert_true (relief_figure_run_sharpness (&f.run, plot_steps, &c));
  g_assert_cmpint (c.n, ==, 5);
  g_assert_cmpfloat (plot_steps[4], ==, 40);
  relief_figure_sharpness_spec (&c, &opt, &spec);
  /* lambda_max, the trace and the limit */
  g_assert_cmpint (spec.spec.n_series, ==, 3);
  g_assert_true (spec.spec.log_y);
  g_assert_cmpfloat (spec.series[2].y[0], ==, 4.0);
  g_assert_cmpfloat (spec.series[2].y[1], ==, 4.0);
  g_assert_cmpfloat (spec.series[2].x[0], ==, 0);
  g_assert_cmpfloat (spec.series[2].x[1], ==, 40);
  g_assert_cmpstr (spec.series[2].label, ==, "2/η = 4");
  g_assert_true (spec.series[2].dashed);

  curvature.lambda_min = lambda_min;
  g_assert_true (relief_figure_run_sharpness (&f.run, plot_steps, &c));
  relief_figure_sharpness_spec (&c, &opt, &spec);
  g_assert_cmpint (spec.spec.n_series, ==, 4);
  g_assert_false (spec.spec.log_y);
  g_assert_cmpstr (spec.series[2].label, ==, "λmin");
  g_assert_true (spec.series[2].y == lambda_min);
  g_assert_true (spec.series[2].dashed);
  g_assert_cmpstr (spec.series[3].label, ==, "2/η = 4");

  /* The limit follows the run's optimizer: momentum's heavy ball 2(1 + β)/η, Nesterov's
   * 2(1 + β)/((1 + 2β)η), Adam's labelled gradient descent's 2/η. */
  {
    const struct {
      ReliefOptimizerKind kind;
      double              limit;
      const char         *label;
    } limits[] = {
      { RELIEF_OPT_SGD, 4.0, "2/η = 4" },
      { RELIEF_OPT_MOMENTUM, 2 * 1.9 / 0.5, "2(1+β)/η = 7.6 (heavy ball)" },
      { RELIEF_OPT_NESTEROV, 2 * 1.9 / (2.8 * 0.5), "2(1+β)/((1+2β)η) = 2.714 (Nesterov)" },
      { RELIEF_OPT_ADAM, 4.0, "2/η = 4: GD’s limit, not Adam’s" },
      { RELIEF_OPT_ADAMW, 4.0, "2/η = 4: GD’s limit, not AdamW’s" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (limits); i++)
      {
        char label[96];

        f.run.config.optimizer.kind = limits[i].kind;
        f.run.config.optimizer.momentum = 0.9f;
        g_assert_true (relief_figure_run_sharpness (&f.run, plot_steps, &c));
        g_assert_cmpint (c.optimizer, ==, limits[i].kind);
        relief_figure_sharpness_spec (&c, &opt, &spec);
        g_assert_cmpfloat_with_epsilon (spec.series[3].y[0], limits[i].limit, 1e-6 * limits[i].limit);
        g_assert_cmpfloat (spec.series[3].y[1], ==, spec.series[3].y[0]);
        g_assert_cmpstr (spec.series[3].label, ==, limits[i].label);
        g_assert_cmpfloat (relief_figure_stability_limit (&c, label, sizeof label), ==, spec.series[3].y[0]);
        g_assert_cmpstr (label, ==, limits[i].label);
      }
  }

  /* Weight decay adds wd to every eigenvalue the step sees: the loss's limit is wd lower. */
  {
    char label[96];

    f.run.config.optimizer.kind = RELIEF_OPT_SGD;
    f.run.config.optimizer.weight_decay = 0.25f;
    g_assert_true (relief_figure_run_sharpness (&f.run, plot_steps, &c));
    g_assert_cmpfloat_with_epsilon (relief_figure_stability_limit (&c, label, sizeof label), 3.75, 1e-9);
    g_assert_cmpstr (label, ==, "2/η − wd = 3.75");
    f.run.config.optimizer.kind = RELIEF_OPT_MOMENTUM;
    g_assert_true (relief_figure_run_sharpness (&f.run, plot_steps, &c));
    g_assert_cmpfloat_with_epsilon (relief_figure_stability_limit (&c, label, sizeof label), 7.35, 1e-6);
    g_assert_cmpstr (label, ==, "2(1+β)/η − wd = 7.35 (heavy ball)");
    f.run.config.optimizer.kind = RELIEF_OPT_ADAMW;
    g_assert_true (relief_figure_run_sharpness (&f.run, plot_steps, &c));
    g_assert_cmpfloat (relief_figure_stability_limit (&c, label, sizeof label), ==, 4.0);
    g_assert_cmpstr (label, ==, "2/η = 4: GD’s limit, not AdamW’s");
    f.run.config.optimizer.weight_decay = 0;
  }

  f.run.curvature = NULL;
  g_assert_false (relief_figure_run_sharpness (&f.run, plot_steps, &c));
}

static void
draw_complexity (cairo_t *cr, double w, double h, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_figure_run_complexity (cr, w, h, data, opt);
}

/* A run that tracked local complexity: its spec puts the sets tracked (test dashed) against
 * step + 1 on a log axis; the figure draws accuracy on the left and complexity on the
 * right, and accuracy alone across the width for a run without it. */
static void
test_run_complexity (void)
{
  RunFixture f;
  ReliefFigureOptions opt;
  gint64 steps[5] = { 0, 1, 10, 100, 1000 };
  double train[5] = { 50, 40, 60, 55, 30 }, random[5] = { 38, 38, 37, 37, 36 };
  ReliefRunComplexity complexity = { .n = 5, .step = steps, .train = train, .random = random, .radius = 0.5 };
  ReliefRunComplexitySpec spec;
  cairo_surface_t *without, *with;
  int right_without = 0, right_with = 0;

  relief_figure_options_init (&opt);
  run_fixture_init (&f, TRUE);
  g_assert_false (relief_figure_run_complexity_spec (&f.run, &opt, &spec));
  without = render_pixels (draw_complexity, &f.run, &opt);
  f.run.complexity = &complexity;
  g_assert_true (relief_figure_run_complexity_spec (&f.run, &opt, &spec));
  g_assert_cmpint (spec.spec.n_series, ==, 2);
  g_assert_true (spec.spec.log_x);
  g_assert_false (spec.spec.log_y);
  g_assert_true (spec.series[0].y == train);
  g_assert_true (spec.series[1].y == random);
  g_assert_false (spec.series[0].dashed);
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat (spec.series[0].x[i], ==, steps[i] + 1);
  g_assert_cmpstr (spec.spec.ylabel, ==, "local complexity (r = 0.5)");
  relief_figure_run_complexity_spec_clear (&spec);
  g_assert_null (spec.steps);
  with = render_pixels (draw_complexity, &f.run, &opt);
  for (int y = 0; y < H; y++)
    for (int x = W / 2 + 40; x < W; x++)
      {
        right_without += (pixel (without, x, y) & 0xffffff) != 0xffffff;
        right_with += (pixel (with, x, y) & 0xffffff) != 0xffffff;
      }
  /* Both draw ink on the right (accuracy's own curves, or the complexity panel); they differ there. */
  g_assert_cmpint (right_with, >, 1000);
  g_assert_cmpint (right_without, >, 1000);
  {
    int differ = 0;

    for (int y = 0; y < H; y++)
      for (int x = W / 2 + 40; x < W; x++)
        differ += pixel (without, x, y) != pixel (with, x, y);
    g_assert_cmpint (differ, >, 1000);
  }
  cairo_surface_destroy (without);
  cairo_surface_destroy (with);
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

/* The specs the window's views draw point into the data and follow the options. */
static void
test_specs (void)
{
  SurfaceFixture f;
  RunFixture r;
  ReliefFigureOptions opt;
  ReliefHeatmapSpec map;
  ReliefSurface3DSpec three_d;
  ReliefLineSeries line[1], loss_series[2], acc_series[2];
  ReliefLinePlotSpec spec, loss, acc;
  double px[3] = { 0.1, 0.2, 0.3 }, py[3] = { -0.1, 0, 0.1 }, steps[S], acc_train[S], acc_test[S];

  surface_fixture_init (&f, NY);
  relief_figure_options_init (&opt);
  /* No trajectory on this plane: the options stay as they were. */
  relief_figure_options_set_trajectory (&opt, &f.surface, 2);
  g_assert_cmpint (opt.n_path, ==, 0);
  g_assert_cmpint (opt.path_marker, ==, -1);
  f.surface.n_proj = 3;
  f.surface.proj_xcoord = px;
  f.surface.proj_ycoord = py;
  relief_figure_options_set_trajectory (&opt, &f.surface, 2);
  g_assert_cmpint (opt.n_path, ==, 3);
  g_assert_true (opt.path_x == px && opt.path_y == py);
  g_assert_cmpint (opt.path_marker, ==, 2);

  opt.kind = RELIEF_FIGURE_HEATMAP;
  opt.n_levels = 7;
  relief_figure_surface_map_spec (&f.surface, &opt, &map);
  g_assert_true (map.z == f.surface.train_loss && map.xs == f.xs && map.ys == f.ys);
  g_assert_cmpint (map.nx, ==, NX);
  g_assert_cmpint (map.ny, ==, NY);
  g_assert_false (map.filled);
  g_assert_cmpint (map.n_levels, ==, 7);
  g_assert_true (map.show_colorbar);
  g_assert_true (map.path_x == px);
  g_assert_cmpint (map.path_marker, ==, 2);

  g_assert_cmpstr (map.xlabel, ==, "x direction");
  g_assert_cmpstr (map.ylabel, ==, "y direction");

  /* A PCA plane names its axes by the components and the variance each explains. */
  f.surface.direction_kind = (char *) "pca";
  f.surface.explained_variance_ratio[0] = 0.7243;
  f.surface.explained_variance_ratio[1] = 0.1208;
  relief_figure_options_set_plane (&opt, &f.surface);
  relief_figure_surface_map_spec (&f.surface, &opt, &map);
  g_assert_cmpstr (map.xlabel, ==, "PC1 (72.4%)");
  g_assert_cmpstr (map.ylabel, ==, "PC2 (12.1%)");
  relief_figure_surface_3d_spec (&f.surface, &opt, &three_d);
  g_assert_cmpstr (three_d.xlabel, ==, "PC1 (72.4%)");
  f.surface.direction_kind = (char *) "random";
  relief_figure_options_set_plane (&opt, &f.surface);
  relief_figure_surface_map_spec (&f.surface, &opt, &map);
  g_assert_cmpstr (map.xlabel, ==, "x direction");
  f.surface.direction_kind = NULL;

  opt.azimuth = 10;
  relief_figure_surface_3d_spec (&f.surface, &opt, &three_d);
  g_assert_true (three_d.z == f.surface.train_loss);
  g_assert_cmpfloat (three_d.azimuth, ==, 10);
  g_assert_cmpint (three_d.n_path, ==, 3);

  surface_fixture_init (&f, 1);
  opt.log_scale = TRUE;
  relief_figure_interpolation_spec (&f.surface, &opt, line, &spec);
  g_assert_cmpint (spec.n_series, ==, 1);
  g_assert_true (spec.series == line && line[0].y == f.surface.train_loss && line[0].x == f.xs);
  g_assert_cmpint (line[0].n, ==, NX);
  g_assert_true (spec.log_y);
  g_assert_nonnull (spec.title);
  opt.title = "Interpolation";
  relief_figure_interpolation_spec (&f.surface, &opt, line, &spec);
  g_assert_cmpstr (spec.title, ==, "Interpolation");

  /* Training curves: test curves dashed when there are some; the accuracy axis fixed at
   * 0 to 100% only when asked. */
  run_fixture_init (&r, TRUE);
  for (int i = 0; i < S; i++)
    steps[i] = r.steps[i], acc_train[i] = 100 * r.train_acc[i], acc_test[i] = 100 * r.test_acc[i];
  relief_figure_options_init (&opt);
  relief_figure_curves_specs (&(ReliefCurves) { S, steps, r.train_loss, r.test_loss, acc_train, acc_test }, &opt,
                              loss_series, &loss, acc_series, &acc);
  g_assert_cmpint (loss.n_series, ==, 2);
  g_assert_cmpint (acc.n_series, ==, 2);
  g_assert_true (loss.series == loss_series && loss_series[1].y == r.test_loss && loss_series[1].dashed);
  g_assert_true (acc_series[0].y == acc_train && !acc_series[0].dashed);
  g_assert_true (loss.legend && acc.legend);
  g_assert_false (acc.ymin < acc.ymax);
  opt.full_accuracy_axis = TRUE;
  relief_figure_curves_specs (&(ReliefCurves) { S, steps, r.train_loss, NULL, acc_train, NULL }, &opt,
                              loss_series, &loss, acc_series, &acc);
  g_assert_cmpint (loss.n_series, ==, 1);
  g_assert_cmpint (acc.n_series, ==, 1);
  g_assert_cmpfloat (acc.ymin, ==, 0);
  g_assert_cmpfloat (acc.ymax, ==, 100);
}

static void
draw_decision (cairo_t *cr, double w, double h, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_figure_decision (cr, w, h, data, opt);
}

static void
draw_decision_spec (cairo_t *cr, double w, double h, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_plot_decision (cr, w, h, data, NULL);
}

/* The decision figure is the decision plot of the map, with the options' title. */
static void
test_decision (void)
{
  int classes[4 * 3] = { 0, 0, 1, 1, 0, 1, 1, 2, 1, 2, 2, 2 };
  float samples[6] = { -0.5, -0.5, 0.5, 0.1, 0.8, 0.9 };
  gint32 labels[3] = { 0, 1, 2 };
  ReliefDecisionMap map = {
    .nx = 4, .ny = 3, .xmin = -1, .xmax = 1, .ymin = -1, .ymax = 1,
    .classes = classes, .n_classes = 3, .n_samples = 3, .samples = samples, .labels = labels,
  };
  ReliefDecisionSpec spec = {
    .title = "Decisions at (0.50, -0.25)", .xlabel = "x₁", .ylabel = "x₂",
    .nx = 4, .ny = 3, .xmin = -1, .xmax = 1, .ymin = -1, .ymax = 1,
    .classes = classes, .n_classes = 3, .n_samples = 3, .samples = samples, .labels = labels,
  };
  ReliefFigureOptions opt;
  cairo_surface_t *figure, *plot;

  relief_figure_options_init (&opt);
  opt.title = "Decisions at (0.50, -0.25)";
  figure = render_pixels (draw_decision, &map, &opt);
  plot = render_pixels (draw_decision_spec, &spec, &opt);
  g_assert_cmpmem (cairo_image_surface_get_data (figure), cairo_image_surface_get_stride (figure) * H,
                   cairo_image_surface_get_data (plot), cairo_image_surface_get_stride (plot) * H);
  cairo_surface_destroy (plot);
  spec.title = "Decisions at (0.50, 0.25)";
  plot = render_pixels (draw_decision_spec, &spec, &opt);
  g_assert_true (memcmp (cairo_image_surface_get_data (figure), cairo_image_surface_get_data (plot),
                         cairo_image_surface_get_stride (plot) * H) != 0);
  cairo_surface_destroy (plot);
  cairo_surface_destroy (figure);
}

typedef struct {
  ReliefRegionsFigure fig;
  ReliefPlotFrame     frame;
} RegionsDraw;

static void
draw_regions (cairo_t *cr, double w, double h, gconstpointer data, const ReliefFigureOptions *opt)
{
  RegionsDraw *d = (RegionsDraw *) data;

  relief_figure_regions (cr, w, h, &d->fig, opt, &d->frame);
}

static gboolean
pixel_rgb (cairo_surface_t *s, double px, double py, const double rgb[3], int tol)
{
  guint32 p = ((const guint32 *) (cairo_image_surface_get_data (s) +
                                  (gsize) floor (py) * cairo_image_surface_get_stride (s)))[(int) floor (px)];

  for (int c = 0; c < 3; c++)
    if (abs ((int) ((p >> (16 - 8 * c)) & 0xff) - (int) lround (255 * rgb[c])) > tol)
      return FALSE;
  return TRUE;
}

/* Whether polygons a and b share an edge: two vertices. */
static gboolean
share_edge (const ReliefRegions *rg, int a, int b)
{
  int shared = 0;

  for (gint64 i = rg->polygon_offsets[a]; i < rg->polygon_offsets[a + 1]; i++)
    for (gint64 j = rg->polygon_offsets[b]; j < rg->polygon_offsets[b + 1]; j++)
      shared += rg->polygon_vertices[i] == rg->polygon_vertices[j];
  return shared >= 2;
}

/* The darkest pixels in the box [x0, x1] x [y0, y1] of s: how many are near black. */
static int
dark_pixels (cairo_surface_t *s, double x0, double y0, double x1, double y1)
{
  const double black[3] = { 0.05, 0.05, 0.05 };
  int n = 0;

  for (int y = (int) MAX (y0, 0); y <= (int) MIN (y1, H - 1); y++)
    for (int x = (int) MAX (x0, 0); x <= (int) MIN (x1, W - 1); x++)
      n += pixel_rgb (s, x, y, black, 40);
  return n;
}

/* A plane through three samples: each named by its class beside its point (dark glyphs
 * above right of it, none without labels); the input plane's samples have no names. */
static void
test_regions_sample_labels (void)
{
  static const int sizes[3] = { 2, 4, 3 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  g_autofree float *params = g_new (float, relief_mlp_spec_n_params (spec));
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (-0.25, 1.25, -0.25, 1.25);
  g_autoptr(ReliefRegions) rg = NULL;
  g_autoptr(GError) error = NULL;
  float samples[6] = { 0, 0, 1, 0, 0, 1 };
  gint32 labels[3] = { 7, 8, 9 };
  RegionsDraw d = { { .umin = -0.25, .umax = 1.25, .vmin = -0.25, .vmax = 1.25, .input_plane = FALSE,
                      .n_samples = 3, .samples = samples, .labels = labels } };
  ReliefFigureOptions opt;
  cairo_surface_t *named, *input;

  relief_mlp_init_params (spec, 3, params);
  rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);
  g_assert_no_error (error);
  d.fig.regions = rg;
  relief_figure_options_init (&opt);
  named = render_pixels (draw_regions, &d, &opt);
  d.fig.input_plane = TRUE;
  input = render_pixels (draw_regions, &d, &opt);
  for (int i = 0; i < 3; i++)
    {
      double px, py;

      relief_plot_frame_from_data (&d.frame, samples[2 * i], samples[2 * i + 1], &px, &py);
      /* The glyph's box: from 5 right of the point, its baseline 5 above it. */
      g_assert_cmpint (dark_pixels (named, px + 6, py - 5 - RELIEF_PLOT_FONT_LABEL * 0.7, px + 5 + RELIEF_PLOT_FONT_LABEL,
                                    py - 6),
                       >=, 3);
      g_assert_cmpint (dark_pixels (input, px + 6, py - 5 - RELIEF_PLOT_FONT_LABEL * 0.7, px + 5 + RELIEF_PLOT_FONT_LABEL,
                                    py - 6),
                       <, dark_pixels (named, px + 6, py - 5 - RELIEF_PLOT_FONT_LABEL * 0.7,
                                       px + 5 + RELIEF_PLOT_FONT_LABEL, py - 6));
    }
  cairo_surface_destroy (named);
  cairo_surface_destroy (input);
}

/* Each large region is painted in its own fill at its centroid, in every coloring; regions
 * sharing an edge differ by region; class fills are tints of the class's color; the
 * active-neuron fills come with a colorbar and the most active region is viridis' top; the
 * decision boundary is dark at its segments' midpoints; the samples are dots of their
 * class's color. */
static void
test_regions (void)
{
  static const int sizes[4] = { 2, 8, 6, 3 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 4, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  g_autofree float *params = g_new (float, relief_mlp_spec_n_params (spec));
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (-2, 2, -2, 2);
  g_autoptr(ReliefRegions) rg = NULL;
  g_autoptr(GError) error = NULL;
  float samples[2] = { 1.9f, -1.9f };
  gint32 labels[1] = { 2 };
  RegionsDraw d = { { .umin = -2, .umax = 2, .vmin = -2, .vmax = 2, .input_plane = TRUE,
                      .n_samples = 1, .samples = samples, .labels = labels } };
  ReliefFigureOptions opt;
  int checked = 0, edges = 0, most = 0;

  relief_mlp_init_params (spec, 5, params);
  rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rg->n_regions, >, 10);
  g_assert_cmpuint (rg->n_boundary, >, 0);
  d.fig.regions = rg;
  relief_figure_options_init (&opt);
  for (int r = 0; r < rg->n_regions; r++)
    if (rg->n_active[r] > rg->n_active[most])
      most = r;

  for (int color_by = RELIEF_REGIONS_COLOR_REGION; color_by <= RELIEF_REGIONS_COLOR_ACTIVE; color_by++)
    {
      cairo_surface_t *img;
      double rgb[3], px, py;

      d.fig.color_by = color_by;
      img = render_pixels (draw_regions, &d, &opt);
      g_assert_cmpfloat (d.frame.xmin, ==, -2);
      g_assert_cmpfloat (d.frame.ymax, ==, 2);
      g_assert_true (color_by == RELIEF_REGIONS_COLOR_ACTIVE ? d.frame.cbw > 0 : d.frame.cbw == 0);
      for (int r = 0; r < rg->n_regions; r++)
        {
          double cu = 0, cv = 0;
          gint64 n = rg->polygon_offsets[r + 1] - rg->polygon_offsets[r];
          gboolean near_boundary = FALSE;

          /* Only regions of a good size, whose centroid lies well inside, away from the
           * boundary and the sample. */
          if (relief_regions_polygon_area (rg, r) < 0.25)
            continue;
          for (gint64 i = rg->polygon_offsets[r]; i < rg->polygon_offsets[r + 1]; i++)
            {
              cu += rg->vertices[2 * rg->polygon_vertices[i]] / n;
              cv += rg->vertices[2 * rg->polygon_vertices[i] + 1] / n;
            }
          for (gsize b = 0; b < rg->n_boundary; b++)
            {
              const double *g = rg->boundary + 4 * b;
              double dx = g[2] - g[0], dy = g[3] - g[1], len2 = dx * dx + dy * dy;
              double t = len2 > 0 ? CLAMP (((cu - g[0]) * dx + (cv - g[1]) * dy) / len2, 0, 1) : 0;

              near_boundary |= hypot (g[0] + t * dx - cu, g[1] + t * dy - cv) < 0.1;
            }
          if (near_boundary || hypot (cu - 1.9, cv + 1.9) < 0.2)
            continue;
          relief_figure_regions_color (&d.fig, r, rgb);
          relief_plot_frame_from_data (&d.frame, cu, cv, &px, &py);
          if (!pixel_rgb (img, px, py, rgb, 2))
            g_error ("region %d (by %d) is not painted in its fill at (%g, %g)", r, color_by, cu, cv);
          checked++;
        }
      /* The boundary: dark at the middle of its longest segment. */
      {
        static const double dark[3] = { 0.05, 0.05, 0.05 };
        gsize longest = 0;

        for (gsize b = 1; b < rg->n_boundary; b++)
          if (hypot (rg->boundary[4 * b + 2] - rg->boundary[4 * b], rg->boundary[4 * b + 3] - rg->boundary[4 * b + 1]) >
              hypot (rg->boundary[4 * longest + 2] - rg->boundary[4 * longest],
                     rg->boundary[4 * longest + 3] - rg->boundary[4 * longest + 1]))
            longest = b;
        relief_plot_frame_from_data (&d.frame, (rg->boundary[4 * longest] + rg->boundary[4 * longest + 2]) / 2,
                                     (rg->boundary[4 * longest + 1] + rg->boundary[4 * longest + 3]) / 2, &px, &py);
        g_assert_true (pixel_rgb (img, px, py, dark, 40));
      }
      /* The sample: its class's color at its centre. */
      relief_plot_palette (2, rgb);
      relief_plot_frame_from_data (&d.frame, 1.9, -1.9, &px, &py);
      g_assert_true (pixel_rgb (img, px, py, rgb, 2));
      cairo_surface_destroy (img);
    }
  g_assert_cmpint (checked, >=, 6);

  d.fig.color_by = RELIEF_REGIONS_COLOR_REGION;
  for (int a = 0; a < rg->n_regions; a++)
    for (int b = a + 1; b < rg->n_regions; b++)
      if (share_edge (rg, a, b))
        {
          double ca[3], cb[3];

          relief_figure_regions_color (&d.fig, a, ca);
          relief_figure_regions_color (&d.fig, b, cb);
          g_assert_false (ca[0] == cb[0] && ca[1] == cb[1] && ca[2] == cb[2]);
          edges++;
        }
  g_assert_cmpint (edges, >=, rg->n_regions - 1);

  d.fig.color_by = RELIEF_REGIONS_COLOR_CLASS;
  for (int r = 0; r < rg->n_regions; r++)
    {
      double rgb[3], cls[3], mix[3];

      relief_figure_regions_color (&d.fig, r, rgb);
      relief_plot_palette (rg->predicted[r], cls);
      for (int c = 0; c < 3; c++)
        mix[c] = (1 - rgb[c]) / (1 - cls[c]);
      g_assert_cmpfloat_with_epsilon (mix[0], mix[1], 1e-9);
      g_assert_cmpfloat_with_epsilon (mix[1], mix[2], 1e-9);
      g_assert_cmpfloat (mix[0], >=, 0.3 - 1e-9);
      g_assert_cmpfloat (mix[0], <=, 0.65 + 1e-9);
    }

  d.fig.color_by = RELIEF_REGIONS_COLOR_ACTIVE;
  {
    double rgb[3], top[3];

    relief_figure_regions_color (&d.fig, most, rgb);
    relief_colormap_eval (RELIEF_COLORMAP_VIRIDIS, 1, top);
    g_assert_cmpmem (rgb, sizeof rgb, top, sizeof top);
  }
}

typedef struct {
  ReliefHessianSpectrum hs;
  double lr;
  double grid[201], density[201];
  double top[2], top_residuals[2];
} HessianFixture;

static void
draw_hessian (cairo_t *cr, double w, double h, gconstpointer data, const ReliefFigureOptions *opt)
{
  const HessianFixture *f = data;

  relief_figure_hessian (cr, w, h, &f->hs, f->lr, NULL, opt, NULL);
}

/* A density of two bumps (at 0 and 3) with the top eigenvalues 3 and 1 marked: the x axis
 * spans the spectrum, the y axis is logarithmic from the floor under the peak; the marks
 * are red in the lowest decade at their eigenvalues; 2/lr is drawn, dashed and dark, when
 * it lies near the spectrum and left off the axis when far; without lr the figure differs
 * only by what its text says. */
static void
test_hessian (void)
{
  HessianFixture f = { 0 };
  ReliefFigureOptions opt;
  ReliefPlotFrame frame;
  cairo_surface_t *s, *s_far, *s_none;
  cairo_t *cr;
  double px, py, peak = 0;
  int dark = 0;

  for (int i = 0; i < 201; i++)
    {
      double x = -1 + 5.0 * i / 200;

      f.grid[i] = x;
      f.density[i] = 0.8 * exp (-x * x / 0.02) + 0.2 * exp (-(x - 3) * (x - 3) / 0.02);
      peak = MAX (peak, f.density[i]);
    }
  f.top[0] = 3;
  f.top[1] = 1;
  f.hs = (ReliefHessianSpectrum) {
    .n_params = 10, .checkpoint = 2, .n_samples = 100, .n_grid = 201, .density_grid = f.grid,
    .density = f.density, .largest = { 2, f.top, NULL, f.top_residuals }, .has_trace = TRUE, .trace = 4,
    .trace_stderr = 0.5,
  };
  relief_figure_options_init (&opt);

  f.lr = 0.4;   /* 2/lr = 5, beside the spectrum, which the grid ends at 4 */
  s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cr = cairo_create (s);
  relief_figure_hessian (cr, W, H, &f.hs, f.lr, NULL, &opt, &frame);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  g_assert_true (frame.log_y);
  g_assert_cmpfloat (frame.xmin, <, -1);
  g_assert_cmpfloat (frame.xmax, >, 5);
  g_assert_cmpfloat (frame.xmax, <, 5.5);
  g_assert_cmpfloat_with_epsilon (frame.ymin, peak * 1e-8, 1e-15);
  for (int i = 0; i < 2; i++)
    {
      relief_plot_frame_from_data (&frame, f.top[i], peak * 3e-8, &px, &py);
      g_assert_true (pixel_near (s, px, py, 0xcc3333, 60));
    }
  /* The 2/lr line: dark pixels down its column, with gaps (dashed). */
  relief_plot_frame_from_data (&frame, 5, peak, &px, &py);
  for (int y = (int) frame.py + 2; y < (int) (frame.py + frame.ph) - 2; y++)
    dark += pixel_near (s, px, y, 0x333333, 50);
  g_assert_cmpint (dark, >, frame.ph / 4);
  g_assert_cmpint (dark, <, frame.ph - 4);

  f.lr = 0.01;   /* 2/lr = 200: named, not drawn, and the axis stays on the spectrum */
  s_far = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cr = cairo_create (s_far);
  relief_figure_hessian (cr, W, H, &f.hs, f.lr, NULL, &opt, &frame);
  cairo_destroy (cr);
  g_assert_cmpfloat (frame.xmax, <, 4.5);

  f.lr = NAN;
  s_none = render_pixels (draw_hessian, &f, &opt);
  g_assert_true (memcmp (cairo_image_surface_get_data (s_far), cairo_image_surface_get_data (s_none),
                         cairo_image_surface_get_stride (s_none) * H) != 0);
  /* Below the text band the two are the same picture. */
  g_assert_cmpmem (cairo_image_surface_get_data (s_far) + cairo_image_surface_get_stride (s_far) * 48,
                   cairo_image_surface_get_stride (s_far) * (H - 48),
                   cairo_image_surface_get_data (s_none) + cairo_image_surface_get_stride (s_none) * 48,
                   cairo_image_surface_get_stride (s_none) * (H - 48));
  cairo_surface_destroy (s);
  cairo_surface_destroy (s_far);
  cairo_surface_destroy (s_none);

  /* Without the density: the eigenvalues by rank, a red dot at (1, 3), 2/lr = 4 a level. */
  f.hs.n_grid = 0;
  f.lr = 0.5;
  s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cr = cairo_create (s);
  relief_figure_hessian (cr, W, H, &f.hs, f.lr, NULL, &opt, &frame);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  g_assert_false (frame.log_y);
  g_assert_cmpfloat (frame.xmin, ==, 0.5);
  g_assert_cmpfloat (frame.xmax, ==, 2.5);
  g_assert_cmpfloat (frame.ymin, <, 1);
  g_assert_cmpfloat (frame.ymax, >, 4);
  relief_plot_frame_from_data (&frame, 1, 3, &px, &py);
  g_assert_true (pixel_near (s, px, py, 0xcc3333, 60));
  cairo_surface_destroy (s);

  /* Only a trace: no plot, and no failure. */
  f.hs.largest.n = 0;
  s = render_pixels (draw_hessian, &f, &opt);
  g_assert_cmpint (ink_in (s, 0, W, 48, H, NULL), >, 0);
  cairo_surface_destroy (s);
}

static void
draw_weights (cairo_t *cr, double w, double h, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_figure_weights (cr, w, h, data, opt);
}

/* Spectra of a 20-50-30-4 net's initial weights, the last layer all zeros (nothing to fit),
 * with a trajectory of 5 snapshots. */
static ReliefWeights *
weights_fixture (void)
{
  const int sizes[] = { 20, 50, 30, 4 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 4, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  g_autofree float *params = g_new (float, relief_mlp_spec_n_params (spec));
  ReliefWeights *w = relief_weights_new (spec);
  g_autoptr(GError) error = NULL;

  relief_mlp_init_params (spec, 5, params);
  memset (params + relief_mlp_spec_weight_offset (spec, 2), 0, 4 * 30 * sizeof (float));
  g_assert_true (relief_weight_spectra (spec, params, w->layers, &error));
  w->run_file = g_strdup ("run.h5");
  relief_weights_set_trajectory (w, 5);
  for (int t = 0; t < 5; t++)
    {
      w->snapshot_step[t] = 100 * t;
      for (int l = 0; l < 3; l++)
        w->top_singular_values[t * 3 + l] = 1 + l + 0.2 * t;
    }
  return w;
}

/* An ESD panel: log bins holding every fitted eigenvalue, the power law a straight line of
 * slope -alpha on log-log axes from xmin, at the tail's share of the density, the MP edge
 * marked; a layer without a fit has no line. */
static void
test_weights_esd (void)
{
  g_autoptr(ReliefWeights) w = weights_fixture ();
  const ReliefLayerSpectrum *s = &w->layers[1];
  ReliefEsdFigure esd;
  ReliefHistogramSpec spec;
  double total = 0;

  relief_figure_weights_esd_spec (w, 1, &esd, &spec);
  g_assert_true (spec.log_x && spec.log_y && spec.density && spec.legend);
  g_assert_cmpint (spec.n_bins, >=, 4);
  for (int b = 0; b < spec.n_bins; b++)
    {
      total += spec.counts[b];
      g_assert_cmpfloat (spec.edges[b + 1], >, spec.edges[b]);
    }
  g_assert_cmpfloat (total, ==, s->n_fitted);
  g_assert_cmpfloat_with_epsilon (spec.edges[0], s->esd[s->n_fitted - 1], 1e-9 * s->esd[0]);
  g_assert_cmpfloat_with_epsilon (spec.edges[spec.n_bins], s->lambda_max, 1e-9 * s->lambda_max);
  g_assert_cmpint (spec.n_lines, ==, 1);
  g_assert_cmpfloat (spec.lines[0].x[0], ==, s->fit.xmin);
  g_assert_cmpfloat (spec.lines[0].x[1], ==, s->lambda_max);
  g_assert_cmpfloat_with_epsilon (spec.lines[0].y[0],
                                  (double) s->fit.n_tail / s->n_fitted * (s->fit.alpha - 1) / s->fit.xmin, 1e-12);
  g_assert_cmpfloat_with_epsilon (log (spec.lines[0].y[1] / spec.lines[0].y[0]) /
                                  log (spec.lines[0].x[1] / spec.lines[0].x[0]), -s->fit.alpha, 1e-9);
  g_assert_nonnull (strstr (spec.lines[0].label, "α ="));
  g_assert_cmpint (spec.n_markers, ==, 1);
  g_assert_cmpfloat (spec.markers[0].x, ==, s->mp_edge);
  g_assert_cmpstr (spec.title, ==, "Layer 1 (30 × 50)");
  relief_figure_weights_esd_clear (&esd);
  g_assert_null (esd.edges);

  /* The zero layer: no eigenvalue to bin, no fit, no edge (its entries have no variance). */
  relief_figure_weights_esd_spec (w, 2, &esd, &spec);
  g_assert_cmpint (spec.n_bins, ==, 0);
  g_assert_cmpint (spec.n_lines, ==, 0);
  g_assert_cmpint (spec.n_markers, ==, 0);
  relief_figure_weights_esd_clear (&esd);
}

/* The whole figure: a panel per layer in a row above the trajectory, every panel inked;
 * the trajectory's marked snapshot changes only the trajectory panel. */
static void
test_weights_figure (void)
{
  g_autoptr(ReliefWeights) w = weights_fixture ();
  ReliefFigureOptions opt;
  double width, height;
  Ink ink;

  relief_figure_weights_size (w, &width, &height);
  g_assert_cmpfloat (width, ==, 3 * 288);
  g_assert_cmpfloat (height, ==, 2 * 216);
  relief_figure_options_init (&opt);
  ink = render (draw_weights, w, &opt);
  g_assert_cmpint (ink.top_half, >, 3000);
  g_assert_cmpint (ink.bottom_half, >, 3000);
  {
    cairo_surface_t *img = render_pixels (draw_weights, w, &opt);

    /* Each ESD panel (a third of the top half) holds its bars and axes. */
    for (int c = 0; c < 3; c++)
      g_assert_cmpint (ink_in (img, c * W / 3 + 10, (c + 1) * W / 3 - 10, 20, H / 2 - 10, NULL), >, 500);
    cairo_surface_destroy (img);
  }

  {
    cairo_surface_t *plain = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H / 2);
    cairo_surface_t *marked = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H / 2);
    cairo_t *cr = cairo_create (plain);
    int changed = 0;
    ReliefPlotFrame frame = { 0 };

    relief_figure_weights_top (cr, W, H / 2, w, &opt, -1, NULL);
    cairo_destroy (cr);
    cr = cairo_create (marked);
    relief_figure_weights_top (cr, W, H / 2, w, &opt, 2, &frame);
    /* The frame the page hovers over: inside the figure, spanning every step. */
    g_assert_cmpfloat (frame.pw, >, 0);
    g_assert_cmpfloat (frame.px + frame.pw, <=, W);
    g_assert_cmpfloat (frame.py + frame.ph, <=, H / 2);
    g_assert_cmpfloat (frame.xmin, <=, (double) w->snapshot_step[0]);
    g_assert_cmpfloat (frame.xmax, >=, (double) w->snapshot_step[w->n_snapshots - 1]);
    cairo_destroy (cr);
    cairo_surface_flush (plain);
    cairo_surface_flush (marked);
    for (int y = 0; y < H / 2; y++)
      for (int x = 0; x < W; x++)
        changed += pixel (plain, x, y) != pixel (marked, x, y);
    g_assert_cmpint (changed, >, 50);
    cairo_surface_destroy (plain);
    cairo_surface_destroy (marked);
  }

  /* Without a trajectory: the ESDs alone, a shorter figure. */
  relief_weights_set_trajectory (w, 0);
  relief_figure_weights_size (w, &width, &height);
  g_assert_cmpfloat (height, ==, 216);
  ink = render (draw_weights, w, &opt);
  g_assert_cmpint (ink.non_white, >, 3000);
}

/* The height in pixels of the first band of dark rows below the frame's bottom edge (past
 * its tick marks): the x tick labels' digits. */
static int
tick_label_height (cairo_surface_t *s, const ReliefPlotFrame *f)
{
  int first = -1, last = -1;

  for (int y = (int) (f->py + f->ph) + 6; y < cairo_image_surface_get_height (s); y++)
    {
      gboolean ink = FALSE;

      for (int x = (int) f->px; x < (int) (f->px + f->pw) && !ink; x++)
        ink = ((pixel (s, x, y) >> 8) & 0xff) < 128;
      if (ink && first < 0)
        first = y;
      if (ink)
        last = y;
      else if (first >= 0)
        break;
    }
  return first < 0 ? 0 : last - first + 1;
}

/* One text scale on screen: a figure drawn through relief_plot_screen_begin has the tick
 * labels of the plot views (a 9-point label is over 7 pixels tall, not 6), and its frame,
 * scaled back to pixels, finds its points. */
static void
test_screen_text_scale (void)
{
  g_autoptr(ReliefIntdim) id = relief_intdim_new (4, 1);
  int width = 600, height = 450;
  cairo_surface_t *screen = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_surface_t *plain = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr;
  ReliefFigureOptions opt;
  ReliefPlotFrame frame, plain_frame;
  double w, h, px, py;
  int k = -1, seed = -1, tall, short_;

  for (int i = 0; i < 4; i++)
    {
      id->dims[i] = 4 << (2 * i);
      id->test_acc[i] = 0.2 + 0.2 * i;
    }
  id->baseline_test_acc = 0.97;
  relief_figure_options_init (&opt);

  cr = cairo_create (screen);
  relief_plot_screen_begin (cr, width, height, &w, &h);
  g_assert_cmpfloat (w, ==, width / RELIEF_PLOT_SCREEN_SCALE);
  relief_figure_intdim (cr, w, h, id, &opt, &frame);
  cairo_destroy (cr);
  relief_plot_frame_scale (&frame, RELIEF_PLOT_SCREEN_SCALE);
  cr = cairo_create (plain);
  relief_figure_intdim (cr, width, height, id, &opt, &plain_frame);
  cairo_destroy (cr);

  tall = tick_label_height (screen, &frame);
  short_ = tick_label_height (plain, &plain_frame);
  g_test_message ("tick label digits: %d px on screen, %d px unscaled", tall, short_);
  g_assert_cmpint (tall, >=, 8);
  g_assert_cmpint (short_, <, tall);
  /* The frame in pixels: the points are where it says. */
  g_assert_cmpfloat (frame.px + frame.pw, <=, width);
  relief_plot_frame_from_data (&frame, 64, 60, &px, &py);
  g_assert_true (relief_figure_intdim_hit (id, &frame, px, py, 8, &k, &seed));
  g_assert_cmpint (k, ==, 2);
  cairo_surface_destroy (screen);
  cairo_surface_destroy (plain);
}


/* ---- the race figure ---- */

#define RACE_W 720
#define RACE_H 360

/* Two racers on the quadratic 0.5 (x^2 + 4 y^2) over [-2, 2]^2: the first walks along
 * y = 1 from x = -1.5 to -0.5 in 10 steps, the second goes up from (-1.5, 1) and diverges
 * at step 3. */
static ReliefRaceFile *
race_sample (ReliefRaceGrid **grid)
{
  ReliefRaceFile *race = relief_race_file_new (2, 10);

  race->function = g_strdup ("quadratic");
  race->kappa = 4;
  race->theta = 0;
  race->xmin = race->ymin = -2;
  race->xmax = race->ymax = 2;
  race->x0 = -1.5;
  race->y0 = 1;
  for (int i = 0; i < 2; i++)
    {
      ReliefRaceRacer *r = &race->racers[i];

      r->optimizer = g_strdup (i == 0 ? "gd" : "momentum");
      r->lr = 0.1;
      r->colour = i;
      for (int t = 0; t <= 10; t++)
        {
          double x = i == 0 ? -1.5 + 0.1 * t : -1.5, y = i == 0 ? 1 : 1 + 0.3 * t;

          r->path[2 * t] = t < 3 || i == 0 ? x : NAN;
          r->path[2 * t + 1] = t < 3 || i == 0 ? y : NAN;
          r->loss[t] = t < 3 || i == 0 ? 0.5 * (x * x + 4 * y * y) : NAN;
        }
    }
  race->racers[1].diverged_at = 3;
  *grid = relief_race_grid_new (60, 60, -2, 2, -2, 2);
  for (int j = 0; j < 60; j++)
    for (int i = 0; i < 60; i++)
      (*grid)->z[j * 60 + i] = 0.5 * (pow ((*grid)->xs[i], 2) + 4 * pow ((*grid)->ys[j], 2));
  return race;
}

static cairo_surface_t *
render_race (const ReliefRaceFile *race, const ReliefRaceGrid *grid, gint64 step, ReliefPlotFrame *frame)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, RACE_W, RACE_H);
  cairo_t *cr = cairo_create (s);
  ReliefFigureOptions opt;

  relief_figure_options_init (&opt);
  relief_figure_race_frame (cr, RACE_W, RACE_H, race, grid, step, &opt, frame);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

static guint32
rgb_at (cairo_surface_t *s, double x, double y)
{
  const guchar *row = cairo_image_surface_get_data (s) + (gsize) lround (y) * cairo_image_surface_get_stride (s);

  return ((const guint32 *) row)[lround (x)] & 0xffffff;
}

/* Pixels of colour (within tol per channel) in the columns [x0, x1). */
static int
count_colour (cairo_surface_t *s, guint32 colour, int tol, int x0, int x1)
{
  int n = 0;

  for (int y = 0; y < RACE_H; y++)
    for (int x = x0; x < x1; x++)
      {
        guint32 p = rgb_at (s, x, y);
        gboolean near = TRUE;

        for (int c = 0; c < 3; c++)
          near = near && ABS ((int) ((p >> (8 * c)) & 0xff) - (int) ((colour >> (8 * c)) & 0xff)) <= tol;
        n += near;
      }
  return n;
}

/* Whether colour is within 2 pixels of (px, py). */
static gboolean
colour_near (cairo_surface_t *s, guint32 colour, double px, double py)
{
  for (int dy = -2; dy <= 2; dy++)
    for (int dx = -2; dx <= 2; dx++)
      if (rgb_at (s, px + dx, py + dy) == colour)
        return TRUE;
  return FALSE;
}

/* The map's frame is the race's view, left of the loss panel; a trail is drawn up to the
 * frame's step and not beyond; the known minimum is a white star; the loss panel carries
 * each racer's colour; a racer that diverged says so (its label in its darkened colour)
 * from the step it diverged at, not before. */
static void
test_race (void)
{
  g_autoptr(ReliefRaceGrid) grid = NULL;
  g_autoptr(ReliefRaceFile) race = race_sample (&grid);
  const guint32 blue = 0x1f77b4, label = 0xcc650b;   /* tab10's first; its second x 0.8 */
  ReliefPlotFrame frame, frame2;
  cairo_surface_t *whole = render_race (race, grid, 10, &frame);
  cairo_surface_t *early = render_race (race, grid, 2, &frame2);
  double px, py;
  int split;

  g_assert_cmpfloat (frame.xmin, ==, -2);
  g_assert_cmpfloat (frame.xmax, ==, 2);
  g_assert_cmpfloat (frame.ymin, ==, -2);
  g_assert_cmpfloat (frame.ymax, ==, 2);
  g_assert_cmpfloat (frame.px + frame.pw, <, RACE_W * 0.58);
  g_assert_cmpfloat (frame.py, >, 20);   /* under the title */
  g_assert_cmpfloat (frame2.px, ==, frame.px);
  split = (int) (RACE_W * 0.58) + 16;

  /* Step 8 of the first racer: on its trail in the whole race, not yet at step 2. */
  relief_plot_frame_from_data (&frame, -1.5 + 0.1 * 7.5, 1, &px, &py);
  g_assert_true (colour_near (whole, blue, px, py));
  g_assert_false (colour_near (early, blue, px, py));
  /* The minimum at the origin: the star's white middle. */
  relief_plot_frame_from_data (&frame, 0, 0, &px, &py);
  g_assert_cmphex (rgb_at (whole, px, py), ==, 0xffffff);
  /* The loss curves. */
  g_assert_cmpint (count_colour (whole, blue, 0, split, RACE_W), >, 50);
  g_assert_cmpint (count_colour (whole, 0xff7f0e, 0, split, RACE_W), >, 10);
  g_assert_cmpint (count_colour (early, blue, 0, split, RACE_W), <, count_colour (whole, blue, 0, split, RACE_W));
  /* "momentum diverged at step 3" */
  g_assert_cmpint (count_colour (whole, label, 24, 0, split), >, 30);
  g_assert_cmpint (count_colour (early, label, 24, 0, split), ==, 0);
  g_assert_cmpint (relief_figure_race_marker_every (10), ==, 1);
  g_assert_cmpint (relief_figure_race_marker_every (300), ==, 20);
  g_assert_cmpint (relief_figure_race_gif_n_frames (race, 4), ==, 4);   /* 0, 4, 8, 10 */
  g_assert_cmpint (relief_figure_race_gif_n_frames (race, 5), ==, 3);   /* 0, 5, 10 */
  cairo_surface_destroy (whole);
  cairo_surface_destroy (early);
}

/* A narrow frame (an 800x600 window's, a portrait GIF's) stacks the panels: the map the
 * whole width less its axes and colorbar, the loss curves under it. */
static void
test_race_narrow (void)
{
  g_autoptr(ReliefRaceGrid) grid = NULL;
  g_autoptr(ReliefRaceFile) race = race_sample (&grid);
  const int w = 300, h = RACE_H;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create (s);
  ReliefFigureOptions opt;
  ReliefPlotFrame frame;
  int below = 0;

  relief_figure_options_init (&opt);
  relief_figure_race_frame (cr, w, h, race, grid, race->n_steps, &opt, &frame);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  g_assert_cmpfloat (frame.pw, >, 0.5 * w);
  g_assert_cmpfloat (frame.py + frame.ph, <, 0.7 * h);
  /* The first racer's loss curve, under the map. */
  for (int y = (int) (frame.py + frame.ph) + 30; y < h; y++)
    for (int x = 0; x < w; x++)
      below += rgb_at (s, x, y) == 0x1f77b4;
  g_assert_cmpint (below, >, 20);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/figures/race-narrow", test_race_narrow);
  g_test_add_func ("/figures/surface-2d", test_surface_2d);
  g_test_add_func ("/figures/run-complexity", test_run_complexity);
  g_test_add_func ("/figures/surface-2d-nan", test_surface_2d_nan);
  g_test_add_func ("/figures/surface-1d", test_surface_1d);
  g_test_add_func ("/figures/surface-kinds", test_surface_kinds);
  g_test_add_func ("/figures/run", test_run);
  g_test_add_func ("/figures/run-curvature", test_run_curvature);
  g_test_add_func ("/figures/intdim-hit", test_intdim_hit);
  g_test_add_func ("/figures/hessian", test_hessian);
  g_test_add_func ("/figures/screen-text-scale", test_screen_text_scale);
  g_test_add_func ("/figures/specs", test_specs);
  g_test_add_func ("/figures/decision", test_decision);
  g_test_add_func ("/figures/regions", test_regions);
  g_test_add_func ("/figures/regions-sample-labels", test_regions_sample_labels);
  g_test_add_func ("/figures/weights-esd", test_weights_esd);
  g_test_add_func ("/figures/weights", test_weights_figure);
  g_test_add_func ("/figures/race", test_race);
  return g_test_run ();
}

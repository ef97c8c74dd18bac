/* Tests of the cairo-only plot core: colormaps, ticks, contours and rendering. */
#include "relief-enums.h"
#include "relief-plot.h"

#include <math.h>
#include <string.h>

/* ---- helpers ---- */

static void
pixel_rgb (cairo_surface_t *s, int x, int y, double rgb[3])
{
  const guint32 *row = (const guint32 *) (cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s));
  guint32 p = row[x];

  rgb[0] = ((p >> 16) & 0xff) / 255.0;
  rgb[1] = ((p >> 8) & 0xff) / 255.0;
  rgb[2] = (p & 0xff) / 255.0;
}

static gboolean
is_white (cairo_surface_t *s, int x, int y)
{
  double rgb[3];

  pixel_rgb (s, x, y, rgb);
  return rgb[0] > 0.98 && rgb[1] > 0.98 && rgb[2] > 0.98;
}

static double
non_white_fraction (cairo_surface_t *s, const ReliefPlotFrame *f)
{
  int count = 0, total = 0;

  cairo_surface_flush (s);
  for (int y = (int) ceil (f->py) + 1; y < (int) (f->py + f->ph) - 1; y++)
    for (int x = (int) ceil (f->px) + 1; x < (int) (f->px + f->pw) - 1; x++)
      {
        count += !is_white (s, x, y);
        total++;
      }
  return total ? (double) count / total : 0;
}

static void
assert_color_near (const double rgb[3], guint32 hex, double tol)
{
  g_assert_cmpfloat_with_epsilon (rgb[0], ((hex >> 16) & 0xff) / 255.0, tol);
  g_assert_cmpfloat_with_epsilon (rgb[1], ((hex >> 8) & 0xff) / 255.0, tol);
  g_assert_cmpfloat_with_epsilon (rgb[2], (hex & 0xff) / 255.0, tol);
}

/* ---- colormaps ---- */

static double
srgb_to_linear (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

/* CIE L* of an sRGB color. */
static double
lightness (const double rgb[3])
{
  double Y = 0.2126 * srgb_to_linear (rgb[0]) + 0.7152 * srgb_to_linear (rgb[1]) + 0.0722 * srgb_to_linear (rgb[2]);

  return Y > 0.008856 ? 116 * cbrt (Y) - 16 : 903.3 * Y;
}

static void
test_colormap_endpoints (void)
{
  double rgb[3];

  relief_colormap_eval (RELIEF_COLORMAP_VIRIDIS, 0, rgb);
  assert_color_near (rgb, 0x440154, 2 / 255.0);
  relief_colormap_eval (RELIEF_COLORMAP_VIRIDIS, 1, rgb);
  assert_color_near (rgb, 0xfde725, 2 / 255.0);
  relief_colormap_eval (RELIEF_COLORMAP_MAGMA, 0, rgb);
  assert_color_near (rgb, 0x000004, 2 / 255.0);
  relief_colormap_eval (RELIEF_COLORMAP_MAGMA, 1, rgb);
  assert_color_near (rgb, 0xfcfdbf, 2 / 255.0);

  /* Out of range and NaN clamp to the ends. */
  relief_colormap_eval (RELIEF_COLORMAP_VIRIDIS, -3, rgb);
  assert_color_near (rgb, 0x440154, 2 / 255.0);
  relief_colormap_eval (RELIEF_COLORMAP_VIRIDIS, 7, rgb);
  assert_color_near (rgb, 0xfde725, 2 / 255.0);
  relief_colormap_eval (RELIEF_COLORMAP_MAGMA, NAN, rgb);
  assert_color_near (rgb, 0x000004, 2 / 255.0);

  /* viridis at its middle is matplotlib's #21918c. */
  relief_colormap_eval (RELIEF_COLORMAP_VIRIDIS, 0.5, rgb);
  assert_color_near (rgb, 0x21918c, 3 / 255.0);

  g_assert_cmpstr (relief_enum_to_nick (RELIEF_TYPE_COLORMAP, RELIEF_COLORMAP_VIRIDIS), ==, "viridis");
  g_assert_cmpstr (relief_enum_to_nick (RELIEF_TYPE_COLORMAP, RELIEF_COLORMAP_MAGMA), ==, "magma");
}

static void
test_colormap_lightness (void)
{
  for (int m = 0; m < 2; m++)
    {
      ReliefColormap cmap = m == 0 ? RELIEF_COLORMAP_VIRIDIS : RELIEF_COLORMAP_MAGMA;
      double rgb[3], previous = -1;

      for (int k = 0; k <= 128; k++)
        {
          double l;

          relief_colormap_eval (cmap, k / 128.0, rgb);
          l = lightness (rgb);
          g_assert_cmpfloat (l, >, previous);
          previous = l;
        }
    }
}

/* ---- ticks ---- */

static void
check_nice_ticks (double lo, double hi, int max_ticks)
{
  double ticks[32], step, mantissa;
  int n = relief_ticks_nice (lo, hi, max_ticks, ticks);

  g_test_message ("ticks for [%g, %g]: %d from %g to %g", lo, hi, n, ticks[0], ticks[n - 1]);
  g_assert_cmpint (n, >=, 2);
  g_assert_cmpint (n, <=, max_ticks);
  g_assert_cmpfloat (ticks[0], <=, lo);
  g_assert_cmpfloat (ticks[n - 1], >=, hi);

  step = ticks[1] - ticks[0];
  mantissa = step / pow (10, floor (log10 (step) + 1e-9));
  g_assert_true (fabs (mantissa - 1) < 1e-9 || fabs (mantissa - 2) < 1e-9 || fabs (mantissa - 5) < 1e-9);
  for (int i = 0; i < n; i++)
    {
      /* Equally spaced multiples of the step. */
      g_assert_cmpfloat_with_epsilon (ticks[i], ticks[0] + i * step, 1e-9 * step);
      g_assert_cmpfloat_with_epsilon (ticks[i] / step, round (ticks[i] / step), 1e-6);
    }
  /* Covering, not wasteful: the outer ticks are within one step of the range. */
  g_assert_cmpfloat (lo - ticks[0], <, step);
  g_assert_cmpfloat (ticks[n - 1] - hi, <, step);
}

static void
test_ticks_nice (void)
{
  double ticks[32];

  check_nice_ticks (0, 1, 6);
  check_nice_ticks (-1, 1, 6);
  check_nice_ticks (0.0013, 0.0171, 6);
  check_nice_ticks (1, 1000, 6);
  check_nice_ticks (0.0013, 0.0171, 12);
  check_nice_ticks (-3.7e5, 12.5, 8);

  /* Hand-checked cases. */
  g_assert_cmpint (relief_ticks_nice (0, 1, 6, ticks), ==, 6);
  g_assert_cmpfloat_with_epsilon (ticks[1], 0.2, 1e-12);
  g_assert_cmpint (relief_ticks_nice (0.0013, 0.0171, 6, ticks), ==, 5);
  g_assert_cmpfloat_with_epsilon (ticks[0], 0, 1e-15);
  g_assert_cmpfloat_with_epsilon (ticks[4], 0.02, 1e-12);
  g_assert_cmpint (relief_ticks_nice (1, 1000, 6, ticks), ==, 6);
  g_assert_cmpfloat_with_epsilon (ticks[1], 200, 1e-9);
  g_assert_cmpfloat_with_epsilon (ticks[5], 1000, 1e-9);

  /* Degenerate input. */
  g_assert_cmpint (relief_ticks_nice (2, 2, 6, ticks), ==, 1);
  g_assert_cmpfloat (ticks[0], ==, 2);
  g_assert_cmpint (relief_ticks_nice (NAN, 1, 6, ticks), ==, 0);
  g_assert_cmpint (relief_ticks_nice (1, 0, 6, ticks), ==, 0);
}

static void
check_format (double value, double step, const char *expected)
{
  g_autofree char *text = NULL;

  relief_tick_labels (&value, 1, step, &text);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_tick_format (void)
{
  check_format (0.5, 0.1, "0.5");
  check_format (0.4, 0.2, "0.4");
  check_format (1, 0.5, "1.0");
  check_format (2, 1, "2");
  check_format (1000, 200, "1000");
  check_format (0.0025, 0.0005, "0.0025");
  check_format (0.015, 0.005, "0.015");
  check_format (-1, 0.5, "\342\210\222" "1.0");
  check_format (1e-17, 0.2, "0");     /* rounding noise near zero */
  check_format (-0.0, 1, "0");
  check_format (2e6, 1e6, "2e+06");
  check_format (3e-5, 1e-5, "3e-05");
  check_format (0.1, 0.1, "0.1");     /* as log ticks are labelled: 10^-1 */
}

/* Every label of an axis in one format: 5e+06 is never beside 1.0e+07. */
static void
test_tick_labels_one_format (void)
{
  static const double big[] = { 0, 5e6, 1e7, 1.5e7 }, mixed[] = { 5e5, 1e6, 1.5e6, 2e6 }, small[] = { 0.5, 1, 1.5 };
  char *labels[4];

  relief_tick_labels (big, 4, 5e6, labels);
  g_assert_cmpstr (labels[0], ==, "0");
  g_assert_cmpstr (labels[1], ==, "5.0e+06");
  g_assert_cmpstr (labels[2], ==, "1.0e+07");
  g_assert_cmpstr (labels[3], ==, "1.5e+07");
  for (int i = 0; i < 4; i++)
    g_free (labels[i]);
  relief_tick_labels (mixed, 4, 5e5, labels);
  g_assert_cmpstr (labels[0], ==, "5.0e+05");
  g_assert_cmpstr (labels[3], ==, "2.0e+06");
  for (int i = 0; i < 4; i++)
    g_free (labels[i]);
  relief_tick_labels (small, 3, 0.5, labels);
  g_assert_cmpstr (labels[1], ==, "1.0");
  for (int i = 0; i < 3; i++)
    g_free (labels[i]);
}

/* What every axis holds: its ticks inside its range, increasing, at most the labels asked
 * for, each label the value at its tick, in one format. */
static void
check_axis (const ReliefTicks *t, int target)
{
  double eps = 1e-9 * (t->hi - t->lo);
  int other = t->n > 0 && strcmp (t->label[0], "0") == 0 ? t->n - 1 : 0;   /* a label that is not "0" */
  gboolean sci = t->n > 0 && strchr (t->label[other], 'e') != NULL;

  g_assert_cmpint (t->n, >=, 1);
  g_assert_cmpint (t->n, <=, MAX (target, 2));
  for (int i = 0; i < t->n; i++)
    {
      const char *text = t->label[i];
      gboolean negative = g_str_has_prefix (text, "\342\210\222");   /* the typographic minus */
      double value = (negative ? -1 : 1) * g_ascii_strtod (negative ? text + 3 : text, NULL);
      double at = t->log ? pow (10, t->pos[i]) : t->pos[i];

      g_assert_cmpfloat (t->pos[i], >=, t->lo - eps);
      g_assert_cmpfloat (t->pos[i], <=, t->hi + eps);
      if (i > 0)
        g_assert_cmpfloat (t->pos[i], >, t->pos[i - 1]);
      if (strcmp (t->label[i], "0") != 0)
        g_assert_true ((strchr (t->label[i], 'e') != NULL) == sci);
      g_assert_cmpfloat (fabs (value - at), <=, 1e-6 * MAX (fabs (at), t->log ? 0 : t->hi - t->lo));
    }
  for (int i = 0; i < t->n_minor; i++)
    {
      g_assert_cmpfloat (t->minor[i], >=, t->lo - eps);
      g_assert_cmpfloat (t->minor[i], <=, t->hi + eps);
    }
}

/* Log axes: labels spread over the whole range (decades from the bottom to the top, never
 * linear steps that crowd the top decade), minor ticks when the labels are few. */
static void
test_ticks_log_spread (void)
{
  static const double ranges[][2] = {
    { 0.03, 5 }, { 0.005, 1.6 }, { 1e-4, 2.3 }, { 0.01, 10 }, { 0.02, 3 }, { 1e-7, 30 }, { 2e-3, 25 }, { 0.3, 2.5 },
  };
  ReliefTicks t = { 0 };

  for (guint r = 0; r < G_N_ELEMENTS (ranges); r++)
    for (int target = 2; target <= 12; target++)
      {
        double lo = log10 (ranges[r][0]), hi = log10 (ranges[r][1]), span = hi - lo, gap = 0;

        relief_ticks_build (&t, lo, hi, TRUE, target);
        check_axis (&t, target);
        /* No stretch of the axis without a label longer than half of it and half a
         * decade; the first label in the lower 40%, the last in the upper 40%. */
        for (int i = 0; i <= t.n; i++)
          gap = MAX (gap, (i < t.n ? t.pos[i] : hi) - (i > 0 ? t.pos[i - 1] : lo));
        if (target >= 3 && t.n >= 2)
          {
            g_assert_cmpfloat (gap, <=, span / 2 + 0.5);
            g_assert_cmpfloat ((t.pos[0] - lo) / span, <, 0.4);
            g_assert_cmpfloat ((t.pos[t.n - 1] - lo) / span, >, 0.6);
          }
        /* Every decade labelled: the integer multiples between them are minor ticks. */
        if (span > 1.5 && span <= 7 && t.n >= 2 && fabs (t.pos[1] - t.pos[0] - 1) < 1e-9)
          g_assert_cmpint (t.n_minor, >=, 8);
      }
  /* Hand-checked: 0.03 to 5 in at most 4 labels is 0.1 and 1 with 2 to 9 times each
   * between; in 5, 1 and 3 times the decades. */
  relief_ticks_build (&t, log10 (0.03), log10 (5), TRUE, 4);
  g_assert_cmpint (t.n, ==, 2);
  g_assert_cmpstr (t.label[0], ==, "0.1");
  g_assert_cmpstr (t.label[1], ==, "1");
  relief_ticks_build (&t, log10 (0.03), log10 (5), TRUE, 5);
  g_assert_cmpint (t.n, ==, 5);
  g_assert_cmpstr (t.label[0], ==, "0.03");
  g_assert_cmpstr (t.label[4], ==, "3");
  /* Seven decades in three labels: every third, the others minor ticks. */
  relief_ticks_build (&t, -7, 0, TRUE, 3);
  g_assert_cmpint (t.n, ==, 3);
  g_assert_cmpstr (t.label[0], ==, "1e-06");
  g_assert_cmpstr (t.label[2], ==, "1e+00");
  relief_ticks_clear (&t);
}

/* Linear axes: ticks never outside the range, whatever it is. */
static void
test_ticks_inside (void)
{
  ReliefTicks t = { 0 };
  GRand *rand = g_rand_new_with_seed (7);

  for (int k = 0; k < 2000; k++)
    {
      double scale = pow (10, g_rand_double_range (rand, -6, 8));
      double lo = g_rand_double_range (rand, -1, 1) * scale, hi = lo + g_rand_double_range (rand, 0.01, 3) * scale;
      int target = g_rand_int_range (rand, 2, 11);

      relief_ticks_build (&t, lo, hi, FALSE, target);
      check_axis (&t, target);
      if (lo > 0)
        {
          relief_ticks_build (&t, log10 (lo), log10 (hi), TRUE, target);
          check_axis (&t, target);
        }
    }
  /* 0 to 1.6e7 in steps of 5e6: one format, the last tick 1.5e7 inside. */
  relief_ticks_build (&t, 0, 1.6e7, FALSE, 4);
  g_assert_cmpint (t.n, ==, 4);
  g_assert_cmpstr (t.label[1], ==, "5.0e+06");
  g_assert_cmpstr (t.label[3], ==, "1.5e+07");
  relief_ticks_clear (&t);
  g_rand_free (rand);
}

/* ---- contours ---- */

typedef struct {
  GArray *segments;   /* of double[4] */
} Segments;

static void
collect (double x0, double y0, double x1, double y1, gpointer user_data)
{
  Segments *s = user_data;
  double seg[4] = { x0, y0, x1, y1 };

  g_array_append_vals (s->segments, seg, 1);
}

static void
grid (int n, double *c)
{
  for (int i = 0; i < n; i++)
    c[i] = -1 + 2.0 * i / (n - 1);
}

static double
total_length (GArray *segments)
{
  double length = 0;

  for (guint k = 0; k < segments->len; k++)
    {
      const double *s = &g_array_index (segments, double, 4 * k);

      length += hypot (s[2] - s[0], s[3] - s[1]);
    }
  return length;
}

static void
test_contour_circle (void)
{
  enum { N = 41 };
  double xs[N], ys[N], z[N * N], h = 2.0 / (N - 1);
  Segments s = { g_array_new (FALSE, FALSE, 4 * sizeof (double)) };

  grid (N, xs);
  grid (N, ys);
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++)
      z[j * N + i] = xs[i] * xs[i] + ys[j] * ys[j];

  relief_contour_segments (z, N, N, xs, ys, 0.25, collect, &s);
  g_assert_cmpuint (s.segments->len, >, 40);
  for (guint k = 0; k < s.segments->len; k++)
    {
      const double *seg = &g_array_index (s.segments, double, 4 * k);

      /* Linear interpolation of x^2 along an edge is off by at most h^2/4 in z. */
      g_assert_cmpfloat_with_epsilon (hypot (seg[0], seg[1]), 0.5, 0.1 * h);
      g_assert_cmpfloat_with_epsilon (hypot (seg[2], seg[3]), 0.5, 0.1 * h);
    }
  g_assert_cmpfloat_with_epsilon (total_length (s.segments), G_PI, 0.02 * G_PI);
  g_array_unref (s.segments);
}

static void
test_contour_nan (void)
{
  enum { N = 41 };
  double xs[N], ys[N], z[N * N];
  Segments s = { g_array_new (FALSE, FALSE, 4 * sizeof (double)) };

  grid (N, xs);
  grid (N, ys);
  /* The right half is not computed: only the left half circle remains. */
  for (int j = 0; j < N; j++)
    for (int i = 0; i < N; i++)
      z[j * N + i] = xs[i] > 1e-9 ? NAN : xs[i] * xs[i] + ys[j] * ys[j];

  relief_contour_segments (z, N, N, xs, ys, 0.25, collect, &s);
  g_assert_cmpuint (s.segments->len, >, 20);
  for (guint k = 0; k < s.segments->len; k++)
    {
      const double *seg = &g_array_index (s.segments, double, 4 * k);

      g_assert_cmpfloat (seg[0], <=, 1e-9);
      g_assert_cmpfloat (seg[2], <=, 1e-9);
    }
  g_assert_cmpfloat_with_epsilon (total_length (s.segments), G_PI / 2, 0.03 * G_PI / 2);

  /* All NaN: nothing at all. */
  g_array_set_size (s.segments, 0);
  for (int k = 0; k < N * N; k++)
    z[k] = NAN;
  relief_contour_segments (z, N, N, xs, ys, 0.25, collect, &s);
  g_assert_cmpuint (s.segments->len, ==, 0);
  g_array_unref (s.segments);
}

static gboolean
has_segment (GArray *segments, double ax, double ay, double bx, double by)
{
  for (guint k = 0; k < segments->len; k++)
    {
      const double *s = &g_array_index (segments, double, 4 * k);

      if ((hypot (s[0] - ax, s[1] - ay) < 1e-12 && hypot (s[2] - bx, s[3] - by) < 1e-12)
          || (hypot (s[0] - bx, s[1] - by) < 1e-12 && hypot (s[2] - ax, s[3] - ay) < 1e-12))
        return TRUE;
    }
  return FALSE;
}

static void
test_contour_saddle (void)
{
  /* z = x y on one cell: high at (-1,-1) and (1,1), low at the other corners, 0 at the
   * centre. */
  double xs[2] = { -1, 1 }, ys[2] = { -1, 1 }, z[4] = { 1, -1, -1, 1 };
  Segments s = { g_array_new (FALSE, FALSE, 4 * sizeof (double)) };

  /* Level 0.5: the centre is below, so the high corners are cut off on their own. */
  relief_contour_segments (z, 2, 2, xs, ys, 0.5, collect, &s);
  g_assert_cmpuint (s.segments->len, ==, 2);
  g_assert_true (has_segment (s.segments, -0.5, -1, -1, -0.5));
  g_assert_true (has_segment (s.segments, 1, 0.5, 0.5, 1));

  /* Level -0.5: the centre is above, so the low corners are cut off instead. */
  g_array_set_size (s.segments, 0);
  relief_contour_segments (z, 2, 2, xs, ys, -0.5, collect, &s);
  g_assert_cmpuint (s.segments->len, ==, 2);
  g_assert_true (has_segment (s.segments, 0.5, -1, 1, -0.5));
  g_assert_true (has_segment (s.segments, -1, 0.5, -0.5, 1));
  g_array_unref (s.segments);
}

static void
test_contour_levels (void)
{
  double levels[4];

  relief_contour_levels (0, 1, 4, FALSE, levels);
  for (int k = 0; k < 4; k++)
    g_assert_cmpfloat_with_epsilon (levels[k], 0.2 * (k + 1), 1e-12);
  relief_contour_levels (1, 1000, 2, TRUE, levels);
  g_assert_cmpfloat_with_epsilon (levels[0], 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (levels[1], 100, 1e-9);
  /* Log asked for a range reaching zero: linear. */
  relief_contour_levels (0, 3, 2, TRUE, levels);
  g_assert_cmpfloat_with_epsilon (levels[0], 1, 1e-12);
  g_assert_cmpfloat_with_epsilon (levels[1], 2, 1e-12);
}

/* ---- rendering ---- */

typedef struct {
  double xs[31], ys[25], z[31 * 25];
  ReliefHeatmapSpec spec;
} HeatmapFixture;

static void
heatmap_fixture_init (HeatmapFixture *f)
{
  for (int i = 0; i < 31; i++)
    f->xs[i] = -1 + 2.0 * i / 30;
  for (int j = 0; j < 25; j++)
    f->ys[j] = -0.5 + 1.0 * j / 24;
  for (int j = 0; j < 25; j++)
    for (int i = 0; i < 31; i++)
      f->z[j * 31 + i] = 0.1 + f->xs[i] * f->xs[i] + 3 * f->ys[j] * f->ys[j];
  f->spec = (ReliefHeatmapSpec) {
    .title = "Loss", .xlabel = "x direction", .ylabel = "y direction", .zlabel = "train loss",
    .nx = 31, .ny = 25, .xs = f->xs, .ys = f->ys, .z = f->z,
    .colormap = RELIEF_COLORMAP_VIRIDIS, .filled = TRUE, .n_levels = 8, .show_colorbar = TRUE,
  };
}

static cairo_surface_t *
render_heatmap (const ReliefHeatmapSpec *spec, ReliefPlotFrame *frame)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 480, 360);
  cairo_t *cr = cairo_create (s);

  relief_plot_heatmap (cr, 480, 360, spec, frame);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

static void
test_render_heatmap (void)
{
  HeatmapFixture fx;
  ReliefPlotFrame frame;
  cairo_surface_t *s;
  double rgb[3], top[3], bottom[3], x, y, px, py;
  int cx;

  heatmap_fixture_init (&fx);
  for (int smooth = 0; smooth < 2; smooth++)
    {
      fx.spec.filled = !smooth;
      fx.spec.colormap = smooth ? RELIEF_COLORMAP_MAGMA : RELIEF_COLORMAP_VIRIDIS;
      s = render_heatmap (&fx.spec, &frame);

      /* The data area is inside the image, and the data limits are the grid's. */
      g_assert_cmpfloat (frame.px, >, 0);
      g_assert_cmpfloat (frame.py, >, 0);
      g_assert_cmpfloat (frame.px + frame.pw, <, 480);
      g_assert_cmpfloat (frame.py + frame.ph, <, 360);
      g_assert_cmpfloat (frame.xmin, ==, -1);
      g_assert_cmpfloat (frame.xmax, ==, 1);
      g_assert_cmpfloat (frame.ymin, ==, -0.5);
      g_assert_cmpfloat (frame.ymax, ==, 0.5);
      g_assert_cmpfloat (non_white_fraction (s, &frame), >, 0.95);

      /* The colorbar sits right of the data area, as tall as it, with the colormap's
       * top at the top and its bottom at the bottom. */
      g_assert_cmpfloat (frame.cbw, >, 0);
      g_assert_cmpfloat (frame.cbx, >, frame.px + frame.pw);
      g_assert_cmpfloat (frame.cby, ==, frame.py);
      g_assert_cmpfloat (frame.cbh, ==, frame.ph);
      cx = (int) (frame.cbx + frame.cbw / 2);
      pixel_rgb (s, cx, (int) (frame.cby + 2), top);
      pixel_rgb (s, cx, (int) (frame.cby + frame.cbh - 3), bottom);
      relief_colormap_eval (fx.spec.colormap, 1, rgb);
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat_with_epsilon (top[c], rgb[c], smooth ? 8 / 255.0 : 3 / 255.0);
      relief_colormap_eval (fx.spec.colormap, 0, rgb);
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat_with_epsilon (bottom[c], rgb[c], smooth ? 8 / 255.0 : 3 / 255.0);

      /* The minimum (0, 0) is drawn in the colormap's low end, the corner in its high. */
      relief_plot_frame_from_data (&frame, 0, 0, &px, &py);
      pixel_rgb (s, (int) px, (int) py, top);
      relief_colormap_eval (fx.spec.colormap, 0, rgb);
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat_with_epsilon (top[c], rgb[c], 0.1);
      cairo_surface_destroy (s);
    }

  /* Device and data coordinates round-trip; outside is reported. */
  relief_plot_frame_from_data (&frame, 0.25, -0.125, &px, &py);
  g_assert_true (relief_plot_frame_to_data (&frame, px, py, &x, &y));
  g_assert_cmpfloat_with_epsilon (x, 0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (y, -0.125, 1e-12);
  g_assert_false (relief_plot_frame_to_data (&frame, frame.px - 1, py, &x, &y));
  g_assert_false (relief_plot_frame_to_data (&frame, px, frame.py + frame.ph + 1, &x, &y));
}

/* The path: dark red on the segments, its dots at the points, the marked point orange,
 * and the map untouched away from it; zero-initialized fields draw no path. */
static void
test_render_heatmap_path (void)
{
  HeatmapFixture fx;
  ReliefPlotFrame frame;
  cairo_surface_t *plain, *s;
  double path_x[3] = { -0.8, 0.0, 0.6 }, path_y[3] = { -0.3, 0.2, 0.2 };
  double rgb[3], plain_rgb[3], px, py;

  heatmap_fixture_init (&fx);
  plain = render_heatmap (&fx.spec, &frame);
  fx.spec.n_path = 3;
  fx.spec.path_x = path_x;
  fx.spec.path_y = path_y;
  fx.spec.path_marker = -1;
  s = render_heatmap (&fx.spec, &frame);

  /* Halfway along the second segment. */
  relief_plot_frame_from_data (&frame, 0.3, 0.2, &px, &py);
  pixel_rgb (s, (int) px, (int) floor (py), rgb);
  assert_color_near (rgb, 0xb3171a, 0.12);
  /* A point's dot. */
  relief_plot_frame_from_data (&frame, -0.8, -0.3, &px, &py);
  pixel_rgb (s, (int) px, (int) py, rgb);
  assert_color_near (rgb, 0xb3171a, 0.12);
  /* Away from the path nothing changed. */
  relief_plot_frame_from_data (&frame, 0.5, -0.4, &px, &py);
  pixel_rgb (s, (int) px, (int) py, rgb);
  pixel_rgb (plain, (int) px, (int) py, plain_rgb);
  assert_color_near (rgb, (guint32) lround (plain_rgb[0] * 255) << 16 | (guint32) lround (plain_rgb[1] * 255) << 8
                     | (guint32) lround (plain_rgb[2] * 255), 1e-9);
  cairo_surface_destroy (s);

  fx.spec.path_marker = 2;
  s = render_heatmap (&fx.spec, &frame);
  relief_plot_frame_from_data (&frame, 0.6, 0.2, &px, &py);
  pixel_rgb (s, (int) px, (int) py, rgb);
  assert_color_near (rgb, 0xff991a, 0.05);
  cairo_surface_destroy (s);
  cairo_surface_destroy (plain);
}

static void
test_render_heatmap_nan_log (void)
{
  HeatmapFixture fx;
  ReliefPlotFrame frame;
  cairo_surface_t *s;
  double px, py, px2, py2;

  heatmap_fixture_init (&fx);
  /* The left half not computed, a zero cell in log scale: NaN cells stay background. */
  for (int j = 0; j < 25; j++)
    for (int i = 0; i < 12; i++)
      fx.z[j * 31 + i] = NAN;
  fx.z[12 * 31 + 20] = 0;
  fx.spec.log_scale = TRUE;
  for (int filled = 0; filled < 2; filled++)
    {
      fx.spec.filled = filled;
      s = render_heatmap (&fx.spec, &frame);
      relief_plot_frame_from_data (&frame, -0.8, 0.1, &px, &py);
      relief_plot_frame_from_data (&frame, 0.6, 0.1, &px2, &py2);
      g_assert_true (is_white (s, (int) px, (int) py));
      g_assert_false (is_white (s, (int) px2, (int) py2));
      g_assert_cmpfloat (non_white_fraction (s, &frame), >, 0.4);
      cairo_surface_destroy (s);
    }

  /* Nothing computed yet: axes without a colorbar, no crash. */
  for (int k = 0; k < 31 * 25; k++)
    fx.z[k] = NAN;
  s = render_heatmap (&fx.spec, &frame);
  g_assert_cmpfloat (frame.cbw, ==, 0);
  g_assert_cmpfloat (non_white_fraction (s, &frame), <, 0.01);
  cairo_surface_destroy (s);
}

static void
test_render_lines (void)
{
  enum { N = 101 };
  double x[N], y1[N], y2[N];
  ReliefLineSeries series[2] = {
    { "train", N, x, y1, { 0 }, FALSE },
    { "test", N, x, y2, { 0 }, TRUE },
  };
  ReliefLinePlotSpec spec = { .title = "Loss", .xlabel = "step", .ylabel = "loss",
                              .n_series = 2, .series = series, .legend = TRUE };
  ReliefPlotFrame frame;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
  cairo_t *cr = cairo_create (s);
  double px, py, rgb[3];
  int colored = 0;

  for (int i = 0; i < N; i++)
    {
      x[i] = i * 10;
      y1[i] = 0.5;
      y2[i] = 2 * exp (-i / 20.0) + 0.1;
    }
  /* A gap in train between steps 400 and 600. */
  for (int i = 41; i < 60; i++)
    y1[i] = NAN;
  relief_plot_palette (0, series[0].rgb);
  relief_plot_palette (1, series[1].rgb);

  relief_plot_lines (cr, 400, 300, &spec, &frame);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);

  /* Fitted limits hold the data with a margin. */
  g_assert_cmpfloat (frame.xmin, <, 0);
  g_assert_cmpfloat (frame.xmax, >, 1000);
  g_assert_cmpfloat (frame.ymin, <, 0.1);
  g_assert_cmpfloat (frame.ymax, >, 2.1);
  g_assert_false (frame.log_y);

  for (int py_i = (int) frame.py + 2; py_i < (int) (frame.py + frame.ph) - 2; py_i++)
    for (int px_i = (int) frame.px + 2; px_i < (int) (frame.px + frame.pw) - 2; px_i++)
      colored += !is_white (s, px_i, py_i);
  g_assert_cmpint (colored, >, 2 * (int) frame.pw);

  /* The train line is drawn in its palette color, except in the gap. */
  relief_plot_frame_from_data (&frame, 200, 0.5, &px, &py);
  {
    double best = G_MAXDOUBLE;

    /* The line is 1.5 wide, so antialiased over two rows: at least half covered. */
    for (int dy = -1; dy <= 1; dy++)
      {
        pixel_rgb (s, (int) px, (int) py + dy, rgb);
        best = MIN (best, fabs (rgb[0] - series[0].rgb[0]) + fabs (rgb[1] - series[0].rgb[1])
                            + fabs (rgb[2] - series[0].rgb[2]));
      }
    g_assert_cmpfloat (best, <, 0.5 * (3 - series[0].rgb[0] - series[0].rgb[1] - series[0].rgb[2]));
  }
  relief_plot_frame_from_data (&frame, 500, 0.5, &px, &py);
  g_assert_true (is_white (s, (int) px, (int) py));
  cairo_surface_destroy (s);

  /* Log scale keeps the data units in the frame and round-trips. */
  spec.log_y = TRUE;
  s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
  cr = cairo_create (s);
  relief_plot_lines (cr, 400, 300, &spec, &frame);
  cairo_destroy (cr);
  g_assert_true (frame.log_y);
  g_assert_cmpfloat (frame.ymin, >, 0);
  relief_plot_frame_from_data (&frame, 300, 0.3, &px, &py);
  {
    double dx, dy;

    g_assert_true (relief_plot_frame_to_data (&frame, px, py, &dx, &dy));
    g_assert_cmpfloat_with_epsilon (dx, 300, 1e-9);
    g_assert_cmpfloat_with_epsilon (dy, 0.3, 1e-9);
  }
  cairo_surface_destroy (s);
}

static void
test_palette (void)
{
  double a[3], b[3];

  relief_plot_palette (0, a);
  assert_color_near (a, 0x1f77b4, 1e-9);
  relief_plot_palette (1, b);
  assert_color_near (b, 0xff7f0e, 1e-9);
  relief_plot_palette (10, b);
  assert_color_near (b, 0x1f77b4, 1e-9);
}

/* Pixels of a rectangle that differ between two images of the same size. */
static int
changed_pixels (cairo_surface_t *a, cairo_surface_t *b, int x0, int y0, int x1, int y1)
{
  int stride = cairo_image_surface_get_stride (a), n = 0;
  const guint8 *da = cairo_image_surface_get_data (a), *db = cairo_image_surface_get_data (b);

  for (int y = MAX (y0, 0); y < MIN (y1, cairo_image_surface_get_height (a)); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, cairo_image_surface_get_width (a)); x++)
      n += memcmp (da + y * stride + 4 * x, db + y * stride + 4 * x, 4) != 0;
  return n;
}

/* Ticks redrawn for a zoomed window change the tick strips only: not the data area, not
 * the colorbar, not the axis titles; empty limits change nothing. */
static void
test_redraw_ticks (void)
{
  HeatmapFixture fx;
  ReliefPlotFrame f;
  cairo_surface_t *before, *after;
  cairo_t *cr;
  int px, py, pw, ph;

  heatmap_fixture_init (&fx);
  before = render_heatmap (&fx.spec, &f);
  after = render_heatmap (&fx.spec, &f);
  px = (int) ceil (f.px + 1);
  py = (int) ceil (f.py + 1);
  pw = (int) floor (f.pw - 2);
  ph = (int) floor (f.ph - 2);

  cr = cairo_create (after);
  relief_plot_redraw_ticks (cr, &f, 0.3, 0.2, -1, 1);   /* empty: nothing */
  cairo_surface_flush (after);
  g_assert_cmpint (changed_pixels (before, after, 0, 0, 480, 360), ==, 0);
  relief_plot_redraw_ticks (cr, &f, -0.37, 0.11, 0.05, 0.3);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (after);

  g_assert_cmpint (changed_pixels (before, after, px, py, px + pw, py + ph), ==, 0);
  g_assert_cmpint (changed_pixels (before, after, (int) f.cbx - 1, 0, 480, 360), ==, 0);
  g_assert_cmpint (changed_pixels (before, after, 0, 0, 480, (int) f.py - 12), ==, 0);   /* the title */
  g_assert_cmpint (changed_pixels (before, after, 0, py + ph + 22, 480, 360), ==, 0);     /* the x title */
  g_assert_cmpint (changed_pixels (before, after, px, py + ph + 2, px + pw, py + ph + 20), >, 20);   /* x ticks */
  g_assert_cmpint (changed_pixels (before, after, px - 30, py, px - 2, py + ph), >, 20);            /* y ticks */
  cairo_surface_destroy (before);
  cairo_surface_destroy (after);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/plot/colormap/endpoints", test_colormap_endpoints);
  g_test_add_func ("/plot/colormap/lightness", test_colormap_lightness);
  g_test_add_func ("/plot/ticks/nice", test_ticks_nice);
  g_test_add_func ("/plot/ticks/format", test_tick_format);
  g_test_add_func ("/plot/ticks/one-format", test_tick_labels_one_format);
  g_test_add_func ("/plot/ticks/log-spread", test_ticks_log_spread);
  g_test_add_func ("/plot/ticks/inside", test_ticks_inside);
  g_test_add_func ("/plot/contour/circle", test_contour_circle);
  g_test_add_func ("/plot/contour/nan", test_contour_nan);
  g_test_add_func ("/plot/contour/saddle", test_contour_saddle);
  g_test_add_func ("/plot/contour/levels", test_contour_levels);
  g_test_add_func ("/plot/render/heatmap", test_render_heatmap);
  g_test_add_func ("/plot/render/heatmap-nan-log", test_render_heatmap_nan_log);
  g_test_add_func ("/plot/render/heatmap-path", test_render_heatmap_path);
  g_test_add_func ("/plot/render/lines", test_render_lines);
  g_test_add_func ("/plot/palette", test_palette);
  g_test_add_func ("/plot/render/redraw-ticks", test_redraw_ticks);
  return g_test_run ();
}

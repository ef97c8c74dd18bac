/* test-regions.c: the exact partition against the network evaluated directly in float64
 * (patterns at centroids, logits at vertices, areas, no overlaps, neighbours one neuron
 * apart, region counts against brute-force grid sampling), the degenerate cases each on
 * its own, planes through three points of wider inputs, and local complexity against a
 * naive count written here. */
#include "relief-regions.h"
#include "relief-rng.h"

#include <math.h>
#include <string.h>

/* The network at x in float64, as a reference independent of relief-regions.c: the
 * pattern bits (numpy.packbits order) into pat (may be NULL), the logits into logits, the
 * hidden neurons' pre-activations in layer order into hidden_pre (may be NULL). */
static void
net_eval_pre (const ReliefMlpSpec *spec, const float *params, const double *x, guint8 *pat, double *logits,
              double *hidden_pre)
{
  int widest = 0, bit = 0, L = spec->n_layers;
  double slope = spec->activation == RELIEF_ACT_LEAKY_RELU ? (double) RELIEF_LEAKY_RELU_SLOPE : 0.0;
  g_autofree double *a = NULL, *z = NULL;

  for (int l = 0; l <= L; l++)
    widest = MAX (widest, spec->sizes[l]);
  a = g_new (double, widest);
  z = g_new (double, widest);
  memcpy (a, x, sizeof (double) * spec->sizes[0]);
  for (int l = 0; l < L; l++)
    {
      int in = spec->sizes[l], out = spec->sizes[l + 1];
      const float *w = params + relief_mlp_spec_weight_offset (spec, l);
      const float *b = params + relief_mlp_spec_bias_offset (spec, l);

      for (int j = 0; j < out; j++)
        {
          z[j] = b[j];
          for (int i = 0; i < in; i++)
            z[j] += (double) w[j * in + i] * a[i];
        }
      if (l == L - 1)
        break;
      for (int j = 0; j < out; j++, bit++)
        {
          if (hidden_pre != NULL)
            hidden_pre[bit] = z[j];
          if (pat != NULL)
            {
              if (z[j] > 0)
                pat[bit / 8] |= (guint8) (0x80u >> (bit % 8));
              else
                pat[bit / 8] &= (guint8) ~(0x80u >> (bit % 8));
            }
          a[j] = z[j] > 0 ? z[j] : slope * z[j];
        }
    }
  memcpy (logits, z, sizeof (double) * spec->sizes[L]);
}

static void
net_eval (const ReliefMlpSpec *spec, const float *params, const double *x, guint8 *pat, double *logits)
{
  net_eval_pre (spec, params, x, pat, logits, NULL);
}

static void
plane_point (const ReliefPlane *plane, double u, double v, double *x)
{
  for (int i = 0; i < plane->n_inputs; i++)
    x[i] = plane->origin[i] + u * plane->du[i] + v * plane->dv[i];
}

static void
centroid (const ReliefRegions *rg, int r, double *u, double *v)
{
  gint64 s = rg->polygon_offsets[r], e = rg->polygon_offsets[r + 1];
  double a = 0, cu = 0, cv = 0;

  /* The area centroid (docs/file-formats.md: predicted is the class there), of the
   * polygon shifted to its first vertex against cancellation. */
  for (gint64 k = s; k < e; k++)
    {
      const double *o = rg->vertices + 2 * rg->polygon_vertices[s];
      const double *p = rg->vertices + 2 * rg->polygon_vertices[k];
      const double *q = rg->vertices + 2 * rg->polygon_vertices[k + 1 < e ? k + 1 : s];
      double px = p[0] - o[0], py = p[1] - o[1], qx = q[0] - o[0], qy = q[1] - o[1], c = px * qy - qx * py;

      a += c;
      cu += (px + qx) * c;
      cv += (py + qy) * c;
    }
  *u = rg->vertices[2 * rg->polygon_vertices[s]] + cu / (3 * a);
  *v = rg->vertices[2 * rg->polygon_vertices[s] + 1] + cv / (3 * a);
}

/* The smallest signed distance of (u, v) from polygon r's edges: positive inside. */
static double
inside_margin (const ReliefRegions *rg, int r, double u, double v)
{
  gint64 s = rg->polygon_offsets[r], e = rg->polygon_offsets[r + 1];
  double margin = G_MAXDOUBLE;

  for (gint64 k = s; k < e; k++)
    {
      const double *p = rg->vertices + 2 * rg->polygon_vertices[k];
      const double *q = rg->vertices + 2 * rg->polygon_vertices[k + 1 < e ? k + 1 : s];
      double ex = q[0] - p[0], ey = q[1] - p[1];

      margin = MIN (margin, (ex * (v - p[1]) - ey * (u - p[0])) / hypot (ex, ey));
    }
  return margin;
}

static int
pattern_distance (const guint8 *a, const guint8 *b, int bytes)
{
  int d = 0;

  for (int i = 0; i < bytes; i++)
    d += __builtin_popcount (a[i] ^ b[i]);
  return d;
}

static ReliefMlpSpec *
make_net (const int *sizes, int n_sizes, ReliefActivation act, guint64 seed, float **params)
{
  ReliefMlpSpec *spec = relief_mlp_spec_new (sizes, n_sizes, act, RELIEF_LOSS_CROSS_ENTROPY);

  *params = g_new (float, relief_mlp_spec_n_params (spec));
  relief_mlp_init_params (spec, seed, *params);
  return spec;
}

/* Everything a partition promises, checked against net_eval; generic: the net has no
 * coincidences, so neighbours differ in exactly one neuron. */
static void
check_partition (const ReliefMlpSpec *spec, const float *params, const ReliefPlane *plane, const ReliefRegions *rg,
                 gboolean generic)
{
  int K = spec->sizes[spec->n_layers], D = spec->sizes[0];
  double scale = MAX (MAX (fabs (plane->umin), fabs (plane->umax)), MAX (fabs (plane->vmin), fabs (plane->vmax)));
  double rect_area = (plane->umax - plane->umin) * (plane->vmax - plane->vmin), area_sum = 0;
  g_autofree guint8 *pat = g_new0 (guint8, MAX (rg->pattern_bytes, 1));
  g_autofree double *x = g_new (double, D), *logits = g_new (double, K);
  g_autofree double *pre_out = g_new (double, MAX (8 * rg->pattern_bytes, 1));
  g_autofree double *pre_mid = g_new (double, MAX (8 * rg->pattern_bytes, 1));

  g_assert_cmpint (rg->n_regions, >=, 1);
  g_assert_cmpint (rg->n_outputs, ==, K);
  for (int r = 0; r < rg->n_regions; r++)
    {
      gint64 s = rg->polygon_offsets[r], e = rg->polygon_offsets[r + 1];
      const double *aff = rg->affine + (gsize) r * K * 3;
      double u, v, area = relief_regions_polygon_area (rg, r);
      int best = 0, active = 0;

      g_assert_cmpint (e - s, >=, 3);
      g_assert_cmpfloat (area, >, 0);
      area_sum += area;
      /* Convex and counter-clockwise: every turn is to the left. */
      for (gint64 k = s; k < e; k++)
        {
          const double *p = rg->vertices + 2 * rg->polygon_vertices[k];
          const double *q = rg->vertices + 2 * rg->polygon_vertices[k + 1 < e ? k + 1 : s];
          const double *t = rg->vertices + 2 * rg->polygon_vertices[k + 2 < e ? k + 2 : s + (k + 2 - e)];
          double cross = (q[0] - p[0]) * (t[1] - q[1]) - (q[1] - p[1]) * (t[0] - q[0]);

          g_assert_cmpfloat (cross, >=, -1e-12 * scale * scale);
        }
      /* The pattern at the centroid. */
      centroid (rg, r, &u, &v);
      plane_point (plane, u, v, x);
      net_eval (spec, params, x, pat, logits);
      g_assert_cmpmem (pat, rg->pattern_bytes, rg->patterns + (gsize) r * rg->pattern_bytes, rg->pattern_bytes);
      for (int k = 1; k < K; k++)
        if (logits[k] > logits[best])
          best = k;
      /* The argmax, or a class tied with it to rounding (integer weights make exact ties). */
      g_assert_cmpint (rg->predicted[r], >=, 0);
      g_assert_cmpint (rg->predicted[r], <, K);
      if (rg->predicted[r] != best)
        g_assert_cmpfloat (logits[best] - logits[rg->predicted[r]], <=, 1e-12 * MAX (fabs (logits[best]), 1));
      for (int i = 0; i < rg->pattern_bytes; i++)
        active += __builtin_popcount (rg->patterns[(gsize) r * rg->pattern_bytes + i]);
      g_assert_cmpint (rg->n_active[r], ==, active);
      /* The affine map at every vertex (the network is continuous, so either side's). */
      for (gint64 k = s; k < e; k++)
        {
          const double *p = rg->vertices + 2 * rg->polygon_vertices[k];
          double mag = 0;

          plane_point (plane, p[0], p[1], x);
          net_eval (spec, params, x, NULL, logits);
          for (int c = 0; c < K; c++)
            mag = MAX (mag, fabs (logits[c]));
          for (int c = 0; c < K; c++)
            g_assert_cmpfloat (fabs (aff[3 * c] * p[0] + aff[3 * c + 1] * p[1] + aff[3 * c + 2] - logits[c]), <=,
                               1e-9 * MAX (mag, 1e-3));
        }
      /* Across each edge (its midpoint, a step outside): one neuron apart, and the edge on
       * that neuron's zero line (its pre-activation at the midpoint is rounding beside
       * its value a step away). */
      if (generic)
        for (gint64 k = s; k < e; k++)
          {
            const double *p = rg->vertices + 2 * rg->polygon_vertices[k];
            const double *q = rg->vertices + 2 * rg->polygon_vertices[k + 1 < e ? k + 1 : s];
            double len = hypot (q[0] - p[0], q[1] - p[1]), step = 1e-7 * scale;
            double mu = 0.5 * (p[0] + q[0]) + step * (q[1] - p[1]) / len;
            double mv = 0.5 * (p[1] + q[1]) - step * (q[0] - p[0]) / len;
            const guint8 *own = rg->patterns + (gsize) r * rg->pattern_bytes;
            int j = 0;

            if (len < 1e-4 * scale || mu < plane->umin || mu > plane->umax || mv < plane->vmin || mv > plane->vmax)
              continue;
            plane_point (plane, mu, mv, x);
            net_eval_pre (spec, params, x, pat, logits, pre_out);
            g_assert_cmpint (pattern_distance (pat, own, rg->pattern_bytes), ==, 1);
            while (((pat[j / 8] ^ own[j / 8]) & (0x80u >> (j % 8))) == 0)
              j++;
            plane_point (plane, 0.5 * (p[0] + q[0]), 0.5 * (p[1] + q[1]), x);
            net_eval_pre (spec, params, x, NULL, logits, pre_mid);
            g_assert_cmpfloat (fabs (pre_mid[j]), <=, 1e-3 * fabs (pre_out[j]));
          }
    }
  g_assert_cmpfloat (fabs (area_sum - rect_area), <=, 1e-9 * rect_area);

  /* No overlaps: random points lie strictly inside at most one polygon, in or on at
   * least one, and relief_regions_find names one of those. */
  for (int t = 0; t < 2000; t++)
    {
      double u = plane->umin + relief_rng_uniform (7, 2 * t) * (plane->umax - plane->umin);
      double v = plane->vmin + relief_rng_uniform (7, 2 * t + 1) * (plane->vmax - plane->vmin);
      double eps = 1e-9 * scale;
      int strictly = 0, loosely = 0, found = relief_regions_find (rg, u, v);

      for (int r = 0; r < rg->n_regions; r++)
        {
          double m = inside_margin (rg, r, u, v);

          strictly += m > eps;
          loosely += m > -eps;
        }
      g_assert_cmpint (strictly, <=, 1);
      g_assert_cmpint (loosely, >=, 1);
      g_assert_cmpint (found, >=, 0);
      g_assert_cmpfloat (inside_margin (rg, found, u, v), >, -eps);
    }
  g_assert_cmpint (relief_regions_find (rg, plane->umax + 1, plane->vmin), ==, -1);
}

/* Distinct activation patterns on an n x n grid of the rectangle (cell centres). */
static int
grid_pattern_count (const ReliefMlpSpec *spec, const float *params, const ReliefPlane *plane, int n, int bytes)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
  g_autofree guint8 *pat = g_new0 (guint8, MAX (bytes, 1));
  g_autofree double *x = g_new (double, spec->sizes[0]), *logits = g_new (double, spec->sizes[spec->n_layers]);

  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      {
        double u = plane->umin + (i + 0.5) * (plane->umax - plane->umin) / n;
        double v = plane->vmin + (j + 0.5) * (plane->vmax - plane->vmin) / n;

        plane_point (plane, u, v, x);
        net_eval (spec, params, x, pat, logits);
        g_hash_table_add (seen, g_bytes_new (pat, bytes));
      }
  return (int) g_hash_table_size (seen);
}

static double
perimeter (const ReliefRegions *rg, int r)
{
  gint64 s = rg->polygon_offsets[r], e = rg->polygon_offsets[r + 1];
  double len = 0;

  for (gint64 k = s; k < e; k++)
    {
      const double *p = rg->vertices + 2 * rg->polygon_vertices[k];
      const double *q = rg->vertices + 2 * rg->polygon_vertices[k + 1 < e ? k + 1 : s];

      len += hypot (q[0] - p[0], q[1] - p[1]);
    }
  return len;
}

static void
test_brute_force_count (void)
{
  static const int shapes[][4] = { { 2, 6, 2, 0 }, { 2, 5, 4, 2 }, { 2, 4, 4, 3 } };
  const int grid = 600;
  int checked = 0;

  for (int s = 0; s < (int) G_N_ELEMENTS (shapes); s++)
    for (guint64 seed = 1; seed <= 40 && checked < 3 * (s + 1); seed++)
      {
        int n_sizes = shapes[s][3] == 0 ? 3 : 4;
        g_autofree float *params = NULL;
        g_autoptr(ReliefMlpSpec) spec = make_net (shapes[s], n_sizes, RELIEF_ACT_RELU, seed, &params);
        g_autoptr(ReliefPlane) plane = relief_plane_new_input (-2, 2, -2, 2);
        g_autoptr(GError) error = NULL;
        g_autoptr(ReliefRegions) rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);
        double h = 4.0 / grid, smallest = G_MAXDOUBLE;

        g_assert_no_error (error);
        /* A convex region's inradius is at least area / perimeter (Bonnesen), and a disc of
         * radius h / sqrt 2 holds a cell centre of the grid: then sampling finds every region. */
        for (int r = 0; r < rg->n_regions; r++)
          smallest = MIN (smallest, relief_regions_polygon_area (rg, r) / perimeter (rg, r));
        if (smallest < 1.01 * h / sqrt (2))
          continue;
        g_assert_cmpint (grid_pattern_count (spec, params, plane, grid, rg->pattern_bytes), ==, rg->n_regions);
        g_test_message ("net %d seed %" G_GUINT64_FORMAT ": %d regions, all found by the grid", s, seed, rg->n_regions);
        check_partition (spec, params, plane, rg, TRUE);
        checked++;
      }
  g_assert_cmpint (checked, ==, 9);
}

static void
test_generic_deep (void)
{
  static const int sizes[] = { 2, 16, 16, 16, 2 };
  g_autofree float *params = NULL;
  g_autoptr(ReliefMlpSpec) spec = make_net (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU, 3, &params);
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (-3, 3, -2, 2.5);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRegions) rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (rg->n_hidden, ==, 48);
  g_assert_cmpint (rg->pattern_bytes, ==, 6);
  /* Sampling finds no region that the partition lacks. */
  g_assert_cmpint (grid_pattern_count (spec, params, plane, 300, rg->pattern_bytes), <=, rg->n_regions);
  g_assert_cmpint (rg->n_regions, >, 50);
  g_test_message ("2-16-16-16-2: %d regions, %" G_GSIZE_FORMAT " vertices, %" G_GSIZE_FORMAT " boundary segments",
                  rg->n_regions, rg->n_vertices, rg->n_boundary);
  check_partition (spec, params, plane, rg, TRUE);
}

static void
test_leaky_relu (void)
{
  static const int sizes[] = { 2, 8, 8, 3 };
  g_autofree float *params = NULL;
  g_autoptr(ReliefMlpSpec) spec = make_net (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_LEAKY_RELU, 5, &params);
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (-2, 2, -2, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRegions) rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);

  g_assert_no_error (error);
  check_partition (spec, params, plane, rg, TRUE);
}

/* The decision boundary: every segment's points tie the top two logits. */
static void
test_decision_boundary (void)
{
  static const int sizes[] = { 2, 8, 8, 3 };
  g_autofree float *params = NULL;
  g_autoptr(ReliefMlpSpec) spec = make_net (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU, 11, &params);
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (-3, 3, -3, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRegions) rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);
  double x[2], logits[3];
  gboolean classes_differ = FALSE;

  g_assert_no_error (error);
  for (int r = 1; r < rg->n_regions; r++)
    classes_differ |= rg->predicted[r] != rg->predicted[0];
  g_assert_true (classes_differ);
  g_assert_cmpuint (rg->n_boundary, >, 0);
  for (gsize s = 0; s < rg->n_boundary; s++)
    for (int t = 0; t <= 4; t++)
      {
        const double *seg = rg->boundary + 4 * s;
        double top = -G_MAXDOUBLE, second = -G_MAXDOUBLE;

        x[0] = seg[0] + t / 4.0 * (seg[2] - seg[0]);
        x[1] = seg[1] + t / 4.0 * (seg[3] - seg[1]);
        net_eval (spec, params, x, NULL, logits);
        for (int k = 0; k < 3; k++)
          {
            if (logits[k] > top)
              second = top, top = logits[k];
            else if (logits[k] > second)
              second = logits[k];
          }
        g_assert_cmpfloat (top - second, <=, 1e-9 * MAX (fabs (top), 1));
      }
  /* And the boundary is where it should be: where the class on a fine line changes, a
   * segment passes close by. */
  for (int i = 0; i < 400; i++)
    {
      double u0 = -3 + 6.0 * i / 400, u1 = -3 + 6.0 * (i + 1) / 400, v = 0.37;
      double l0[3], l1[3], p0[2] = { u0, v }, p1[2] = { u1, v };
      int c0 = 0, c1 = 0;
      gboolean near = FALSE;

      net_eval (spec, params, p0, NULL, l0);
      net_eval (spec, params, p1, NULL, l1);
      for (int k = 1; k < 3; k++)
        {
          c0 = l0[k] > l0[c0] ? k : c0;
          c1 = l1[k] > l1[c1] ? k : c1;
        }
      if (c0 == c1)
        continue;
      for (gsize s = 0; s < rg->n_boundary && !near; s++)
        {
          const double *seg = rg->boundary + 4 * s;
          double dv0 = seg[1] - v, dv1 = seg[3] - v;

          /* The segment crosses the line v = 0.37 between u0 and u1 (or touches it). */
          if (dv0 * dv1 <= 0 && dv0 != dv1)
            {
              double uc = seg[0] + (seg[2] - seg[0]) * dv0 / (dv0 - dv1);

              near = uc >= u0 - 1e-9 && uc <= u1 + 1e-9;
            }
        }
      g_assert_true (near);
    }
}

/* A 2-n-2 net whose hidden neuron j is z_j = w[j][0] u + w[j][1] v + bias[j]. */
static ReliefRegions *
one_layer (int n, const double (*wb)[3], double umin, double umax, double vmin, double vmax, ReliefMlpSpec **spec_out,
           float **params_out)
{
  int sizes[] = { 2, n, 2 };
  ReliefMlpSpec *spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  float *params = g_new0 (float, relief_mlp_spec_n_params (spec));
  float *w0 = params + relief_mlp_spec_weight_offset (spec, 0), *b0 = params + relief_mlp_spec_bias_offset (spec, 0);
  float *w1 = params + relief_mlp_spec_weight_offset (spec, 1);
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (umin, umax, vmin, vmax);
  g_autoptr(GError) error = NULL;
  ReliefRegions *rg;

  for (int j = 0; j < n; j++)
    {
      w0[2 * j] = (float) wb[j][0];
      w0[2 * j + 1] = (float) wb[j][1];
      b0[j] = (float) wb[j][2];
      w1[j] = (float) (j + 1);
      w1[n + j] = (float) -(j % 2);
    }
  rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);
  g_assert_no_error (error);
  check_partition (spec, params, plane, rg, FALSE);
  *spec_out = spec;
  *params_out = params;
  return rg;
}

static void
expect_areas (const ReliefRegions *rg, int n, double area)
{
  g_assert_cmpint (rg->n_regions, ==, n);
  for (int r = 0; r < n; r++)
    g_assert_cmpfloat (fabs (relief_regions_polygon_area (rg, r) - area), <=, 1e-12);
}

static void
test_degenerate_vertex (void)
{
  /* Both diagonals of the unit square: lines through its corners, and through each other. */
  static const double wb[][3] = { { 1, -1, 0 }, { 1, 1, -1 } };
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autofree float *params = NULL;
  g_autoptr(ReliefRegions) rg = one_layer (2, wb, 0, 1, 0, 1, &spec, &params);

  expect_areas (rg, 4, 0.25);
  g_assert_cmpuint (rg->n_vertices, ==, 5);
}

static void
test_degenerate_edge (void)
{
  /* u = 0 lies along the left edge; 2u - 1 = 0 twice the same line as u - 0.5 = 0. */
  static const double wb[][3] = { { 1, 0, 0 }, { 1, 0, -0.5 }, { 2, 0, -1 }, { 0, 1, -1 } };
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autofree float *params = NULL;
  g_autoptr(ReliefRegions) rg = one_layer (4, wb, 0, 1, 0, 1, &spec, &params);

  expect_areas (rg, 2, 0.5);
  g_assert_cmpuint (rg->n_vertices, ==, 6);
}

static void
test_degenerate_constant (void)
{
  /* No weights: constant over the plane, positive, zero and negative. */
  static const double wb[][3] = { { 0, 0, 0.3 }, { 0, 0, 0 }, { 0, 0, -0.2 } };
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autofree float *params = NULL;
  g_autoptr(ReliefRegions) rg = one_layer (3, wb, -1, 1, -1, 1, &spec, &params);

  expect_areas (rg, 1, 4);
  g_assert_cmpuint (rg->patterns[0], ==, 0x80);
  g_assert_cmpuint (rg->n_boundary, ==, 0);
}

static void
test_degenerate_parallel (void)
{
  static const double wb[][3] = { { 1, 0, -0.25 }, { -1, 0, 0.5 }, { 3, 0, -2.25 } };
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autofree float *params = NULL;
  g_autoptr(ReliefRegions) rg = one_layer (3, wb, 0, 1, 0, 1, &spec, &params);

  expect_areas (rg, 4, 0.25);
  g_assert_cmpuint (rg->n_vertices, ==, 10);
}

static void
test_degenerate_corner (void)
{
  /* u + v = 2 touches the corner (1, 1) only, within float rounding of it: no sliver.
   * u + v = 1.99 cuts a genuine small triangle off the corner. */
  static const double touch[][3] = { { 1, 1, -2 }, { 1, 1, -2.0000001 } };
  static const double cut[][3] = { { 1, 1, -1.99 } };
  g_autoptr(ReliefMlpSpec) spec = NULL, spec2 = NULL;
  g_autofree float *params = NULL, *params2 = NULL;
  g_autoptr(ReliefRegions) rg = one_layer (2, touch, 0, 1, 0, 1, &spec, &params);
  g_autoptr(ReliefRegions) rg2 = one_layer (1, cut, 0, 1, 0, 1, &spec2, &params2);

  expect_areas (rg, 1, 1);
  g_assert_cmpint (rg2->n_regions, ==, 2);
  g_assert_cmpfloat (fabs (MIN (relief_regions_polygon_area (rg2, 0), relief_regions_polygon_area (rg2, 1)) -
                           0.5 * 0.01 * 0.01), <=, 1e-8);
}

/* A rectangle too thin for the tolerances (a side below 1e-9 of its largest coordinate:
 * every polygon would merge into nothing) is refused with the reason, not partitioned
 * into no regions; one just above the limit is partitioned whole. */
static void
test_degenerate_thin (void)
{
  static const double wb[][3] = { { 1, 0, -0.5 }, { 0, 1, -0.5 } };
  static const double sides[][4] = { { 0, 1e-12, 0, 1 }, { -1e50, 1e50, -1, 1 }, { 1e5, 1e5 + 1e-6, 0, 1 } };
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autofree float *params = NULL;
  g_autoptr(ReliefRegions) rg = one_layer (2, wb, 0, 1, 0, 1, &spec, &params);
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (0, 1, 0, 1);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (sides); i++)
    {
      g_autoptr(ReliefRegions) none = NULL;

      plane->umin = sides[i][0], plane->umax = sides[i][1], plane->vmin = sides[i][2], plane->vmax = sides[i][3];
      none = relief_regions_compute (spec, params, plane, 0, NULL, &error);
      g_assert_null (none);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "too thin"));
      g_clear_error (&error);
    }
  /* 1e-8 of the largest coordinate: both lines miss it, one region of its area. */
  plane->umin = 0.2, plane->umax = 0.2 + 1e-8, plane->vmin = 0, plane->vmax = 0.4;
  g_clear_pointer (&rg, relief_regions_free);
  rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);
  g_assert_no_error (error);
  check_partition (spec, params, plane, rg, FALSE);
  g_assert_cmpint (rg->n_regions, ==, 1);
}

/* In the second layer: a neuron that is zero on a whole region (its map vanishes there)
 * and whose line elsewhere lies along an edge the first layer made, and one whose line
 * continues none of the first layer's. */
static void
test_degenerate_deep (void)
{
  static const int sizes[] = { 2, 2, 2, 2 };
  /* W0, b0: u - 0.5 and 0.5 - u (one line twice); W1, b1: h0 and h0 - 0.25; W2, b2. */
  static const float w[] = { 1, 0, -1, 0, -0.5f, 0.5f, 1, 0, 1, 0, 0, -0.25f, 1, -1, 2, 1, 0, 0 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 4, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (0, 1, 0, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRegions) rg = NULL;
  const guint8 expected[] = { 0x40, 0xA0, 0xB0 };

  g_assert_cmpuint (relief_mlp_spec_n_params (spec), ==, G_N_ELEMENTS (w));
  rg = relief_regions_compute (spec, w, plane, 0, NULL, &error);
  g_assert_no_error (error);
  check_partition (spec, w, plane, rg, FALSE);
  g_assert_cmpint (rg->n_regions, ==, 3);
  g_assert_cmpuint (rg->n_vertices, ==, 8);
  for (int e = 0; e < 3; e++)
    {
      double u = e == 0 ? 0.25 : e == 1 ? 0.6 : 0.9, area = e == 0 ? 0.5 : 0.25;
      int r = relief_regions_find (rg, u, 0.5);

      g_assert_cmpint (r, >=, 0);
      g_assert_cmpuint (rg->patterns[r], ==, expected[e]);
      g_assert_cmpfloat (fabs (relief_regions_polygon_area (rg, r) - area), <=, 1e-12);
    }
}

/* A second-layer neuron whose coefficients cancel in exact arithmetic but not in float64
 * (p - q - r for p = c1 h0 + c2 h1, q = c1 h0, r = c2 h1: the sum in p rounded) cuts
 * nothing and is never positive: the partition is the one of the same network with that
 * neuron's weights zero. */
static void
test_degenerate_rounding (void)
{
  static const int sizes[] = { 2, 2, 3, 2, 2 };
  const float c1 = 1.0f / 37, c2 = 39.0f / 41;
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 5, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  /* W0, b0 | W1, b1 | W2 (p - q - r, p + q + r - 0.01), b2 | W3, b3 */
  float w[] = { 0.1f, 0.3f, 0.13f, -1, -0.05f, 0.2f,
                c1, c2, c1, 0, 0, c2, 0, 0, 0,
                1, -1, -1, 1, 1, 1, 0, -0.01f,
                1, -1, 2, 1, 0, 0 };
  float clean[G_N_ELEMENTS (w)];
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (-3, 3, -3, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRegions) rg = NULL, ref = NULL;

  g_assert_cmpuint (relief_mlp_spec_n_params (spec), ==, G_N_ELEMENTS (w));
  memcpy (clean, w, sizeof w);
  clean[15] = clean[16] = clean[17] = 0;
  rg = relief_regions_compute (spec, w, plane, 0, NULL, &error);
  g_assert_no_error (error);
  ref = relief_regions_compute (spec, clean, plane, 0, NULL, &error);
  g_assert_no_error (error);
  check_partition (spec, clean, plane, ref, FALSE);
  g_assert_cmpint (rg->n_regions, ==, ref->n_regions);
  g_assert_cmpuint (rg->n_vertices, ==, ref->n_vertices);
  g_assert_cmpmem (rg->patterns, rg->n_regions * rg->pattern_bytes, ref->patterns, ref->n_regions * ref->pattern_bytes);
  g_assert_cmpmem (rg->polygon_vertices, rg->polygon_offsets[rg->n_regions] * sizeof (gint64), ref->polygon_vertices,
                   ref->polygon_offsets[ref->n_regions] * sizeof (gint64));
  for (gsize k = 0; k < 2 * rg->n_vertices; k++)
    g_assert_cmpfloat (fabs (rg->vertices[k] - ref->vertices[k]), <=, 1e-12);
}

/* Small-integer weights and half-integer biases on [-1, 1]^2 and deeper: lines through
 * each other's crossings and the corners, repeated and parallel lines, neurons zero on
 * whole regions, all at once; every promise of the partition still holds. */
static void
test_degenerate_integer (void)
{
  static const int shapes[][5] = { { 2, 6, 2, 0, 0 }, { 2, 4, 4, 3, 0 }, { 2, 3, 3, 3, 2 } };

  for (guint64 seed = 0; seed < 600; seed++)
    {
      const int *shape = shapes[seed % G_N_ELEMENTS (shapes)];
      int n_sizes = shape[3] == 0 ? 3 : shape[4] == 0 ? 4 : 5;
      ReliefActivation act = seed % 2 ? RELIEF_ACT_LEAKY_RELU : RELIEF_ACT_RELU;
      g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (shape, n_sizes, act, RELIEF_LOSS_CROSS_ENTROPY);
      gsize n_params = relief_mlp_spec_n_params (spec);
      g_autofree float *params = g_new (float, n_params);
      g_autoptr(ReliefPlane) plane = relief_plane_new_input (-1, 1, -1, 1);
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefRegions) rg = NULL;

      for (gsize i = 0; i < n_params; i++)
        params[i] = (float) ((int) (relief_rng_uniform (seed + 100, i) * 5) - 2) * (i % 3 == 2 ? 0.5f : 1.0f);
      rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);
      g_assert_no_error (error);
      check_partition (spec, params, plane, rg, FALSE);
    }
}

/* A region the decision boundary crosses takes the class at its area centroid: a pentagon
 * (the unit square less the corner u + v > 1.9) whose vertex average (0.58, 0.58) lies on
 * the other side of the boundary u = 0.54 than its centroid (0.4977, 0.4977). */
static void
test_predicted_at_centroid (void)
{
  static const int sizes[] = { 2, 2, 2 };
  /* W0, b0: u + v - 1.9 and u + 10; W1, b1: logit 0 = 0, logit 1 = h1 - 10.54 = u - 0.54. */
  static const float w[] = { 1, 1, 1, 0, -1.9f, 10, 0, 0, 0, 1, 0, -10.54f };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (0, 1, 0, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRegions) rg = NULL;
  double u, v;
  int r;

  g_assert_cmpuint (relief_mlp_spec_n_params (spec), ==, G_N_ELEMENTS (w));
  rg = relief_regions_compute (spec, w, plane, 0, NULL, &error);
  g_assert_no_error (error);
  check_partition (spec, w, plane, rg, FALSE);
  g_assert_cmpint (rg->n_regions, ==, 2);
  r = relief_regions_find (rg, 0.2, 0.2);
  g_assert_cmpint (r, >=, 0);
  g_assert_cmpint (rg->polygon_offsets[r + 1] - rg->polygon_offsets[r], ==, 5);
  centroid (rg, r, &u, &v);
  g_assert_cmpfloat (fabs (u - 0.497655), <, 1e-5);
  g_assert_cmpint (rg->predicted[r], ==, 0);
  g_assert_cmpuint (rg->n_boundary, ==, 1);
}

static void
test_not_piecewise_linear (void)
{
  static const int sizes[] = { 2, 4, 2 };
  const ReliefActivation acts[] = { RELIEF_ACT_TANH, RELIEF_ACT_GELU };

  for (int a = 0; a < 2; a++)
    {
      g_autofree float *params = NULL;
      g_autoptr(ReliefMlpSpec) spec = make_net (sizes, 3, acts[a], 1, &params);
      g_autoptr(ReliefPlane) plane = relief_plane_new_input (-1, 1, -1, 1);
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefRegions) rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);

      g_assert_null (rg);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_assert_nonnull (strstr (error->message, "not piecewise linear"));
    }
}

static void
test_errors (void)
{
  static const int sizes[] = { 2, 16, 16, 2 };
  g_autofree float *params = NULL;
  g_autoptr(ReliefMlpSpec) spec = make_net (sizes, 4, RELIEF_ACT_RELU, 2, &params);
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (-2, 2, -2, 2);
  g_autoptr(ReliefPlane) empty = relief_plane_new_input (1, 1, -2, 2);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  float x0[3] = { 0, 0, 0 }, x1[3] = { 1, 1, 1 }, x2[3] = { 2, 2, 2 };
  g_autoptr(ReliefPlane) wide = NULL;
  GError *error = NULL;

  g_assert_null (relief_regions_compute (spec, params, plane, 10, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "limit"));
  g_clear_error (&error);

  g_assert_null (relief_regions_compute (spec, params, empty, 0, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  g_assert_null (relief_regions_compute (spec, params, plane, 0, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_assert_null (relief_plane_new_through (3, x0, x1, x2, 0, 1, 0, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  x2[0] = 5;
  wide = relief_plane_new_through (3, x0, x1, x2, 0, 1, 0, 1, &error);
  g_assert_no_error (error);
  g_assert_null (relief_regions_compute (spec, params, wide, 0, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A diverged checkpoint: a weight or a bias NaN or infinite has no partition (it would
   * be one region with NaN maps, which no regions file accepts). */
  for (int k = 0; k < 3; k++)
    {
      gsize at = k == 0 ? relief_mlp_spec_weight_offset (spec, 1) + 5 : relief_mlp_spec_bias_offset (spec, 2);
      float keep = params[at];

      params[at] = k == 1 ? INFINITY : k == 2 ? -INFINITY : NAN;
      g_assert_null (relief_regions_compute (spec, params, plane, 0, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "not finite"));
      g_clear_error (&error);
      params[at] = keep;
    }
  /* Finite weights whose products overflow double: 10 layers of 1e38. */
  {
    static const int deep_sizes[] = { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 };
    g_autoptr(ReliefMlpSpec) deep = relief_mlp_spec_new (deep_sizes, 11, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
    gsize n = relief_mlp_spec_n_params (deep);
    g_autofree float *big = g_new (float, n);

    for (gsize i = 0; i < n; i++)
      big[i] = 1e38f;
    g_assert_null (relief_regions_compute (deep, big, plane, 0, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "not finite"));
    g_clear_error (&error);
  }
}

static gpointer
cancel_thread (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return NULL;
}

/* Cancelled from another thread while it runs (a 2-256-256-2 net takes a while). */
static void
test_cancel_from_thread (void)
{
  static const int sizes[] = { 2, 256, 256, 2 };
  g_autofree float *params = NULL;
  g_autoptr(ReliefMlpSpec) spec = make_net (sizes, 4, RELIEF_ACT_RELU, 1, &params);
  g_autoptr(ReliefPlane) plane = relief_plane_new_input (-3, 3, -3, 3);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread = g_thread_new ("cancel", cancel_thread, cancellable);
  g_autoptr(ReliefRegions) rg = relief_regions_compute (spec, params, plane, 0, cancellable, &error);

  g_thread_join (thread);
  g_assert_null (rg);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The plane through three points of a D-input net: vertices mapped to x(u, v) and
 * evaluated there directly agree with the regions' maps, with the pattern at centroids. */
static void
plane_through (int D, int hidden, double lo, double hi)
{
  int sizes[] = { D, hidden, hidden, 10 };
  g_autofree float *params = NULL;
  g_autoptr(ReliefMlpSpec) spec = make_net (sizes, 4, RELIEF_ACT_RELU, 9, &params);
  g_autofree float *pts = g_new (float, 3 * D);
  g_autoptr(ReliefPlane) plane = NULL;
  g_autoptr(ReliefRegions) rg = NULL;
  g_autoptr(GError) error = NULL;

  relief_rng_uniform_fill (21, 0, 0, 1, pts, 3 * (gsize) D);
  plane = relief_plane_new_through (D, pts, pts + D, pts + 2 * D, lo, hi, lo, hi, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (plane->du[0] - ((double) pts[D] - pts[0])), <, 1e-12);
  rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rg->n_regions, >, 10);
  check_partition (spec, params, plane, rg, TRUE);
}

static void
test_plane_10 (void)
{
  plane_through (10, 12, -1, 2);
}

static void
test_plane_784 (void)
{
  plane_through (784, 40, -0.5, 1.5);
}

/* Local complexity written out: the vertices in float as relief_local_complexity makes
 * them, the network in float64; a neuron whose sign flips on some vertex counts.  A
 * neuron within 1e-4 of zero at a vertex may count differently in float: those are
 * returned in *ambiguous. */
static void
naive_complexity (const ReliefMlpSpec *spec, const float *params, const float *x, double radius, const double *dirs,
                  int P, int *per_layer, int *ambiguous)
{
  int L = spec->n_layers, D = spec->sizes[0], widest = 0;
  g_autofree double *v = g_new (double, D);

  for (int l = 0; l <= L; l++)
    widest = MAX (widest, spec->sizes[l]);
  {
    g_autofree double *z_all = g_new (double, (gsize) 2 * P * L * widest);
    g_autofree double *a = g_new (double, widest), *z = g_new (double, widest);

    for (int k = 0; k < 2 * P; k++)
      {
        for (int c = 0; c < D; c++)
          a[c] = (float) (x[c] + (k % 2 ? -radius : radius) * dirs[(k / 2) * D + c]);
        for (int l = 0; l < L; l++)
          {
            int in = spec->sizes[l], out = spec->sizes[l + 1];
            const float *w = params + relief_mlp_spec_weight_offset (spec, l);
            const float *b = params + relief_mlp_spec_bias_offset (spec, l);

            for (int j = 0; j < out; j++)
              {
                z[j] = b[j];
                for (int i = 0; i < in; i++)
                  z[j] += (double) w[j * in + i] * a[i];
                z_all[((gsize) k * L + l) * widest + j] = z[j];
              }
            for (int j = 0; j < out; j++)
              a[j] = spec->activation == RELIEF_ACT_TANH ? tanh (z[j]) : z[j] > 0 ? z[j] : 0;
          }
      }
    *ambiguous = 0;
    for (int l = 0; l < L; l++)
      {
        per_layer[l] = 0;
        for (int j = 0; j < spec->sizes[l + 1]; j++)
          {
            int pos = 0, near = 0;

            for (int k = 0; k < 2 * P; k++)
              {
                double zz = z_all[((gsize) k * L + l) * widest + j];

                pos += zz > 0;
                near |= fabs (zz) < 1e-4;
              }
            per_layer[l] += pos > 0 && pos < 2 * P;
            *ambiguous += near;
          }
      }
  }
}

static void
test_local_complexity (void)
{
  static const int sizes[] = { 6, 20, 20, 4 };
  const ReliefActivation acts[] = { RELIEF_ACT_RELU, RELIEF_ACT_TANH };
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();

  for (int a = 0; a < 2; a++)
    for (int pd = 0; pd < 2; pd++)
      {
        int P = pd == 0 ? 6 : 3, n = 37, L = 3;
        g_autofree float *params = NULL;
        g_autoptr(ReliefMlpSpec) spec = make_net (sizes, 4, acts[a], 4, &params);
        g_autofree float *pts = g_new (float, n * 6);
        g_autofree int *per_layer = g_new (int, n * L), *total = g_new (int, n);
        g_autofree double *dirs = g_new (double, P * 6);
        g_autoptr(GError) error = NULL;
        int nonzero = 0;

        relief_rng_normal_fill (5, 0, pts, n * 6);
        g_assert_true (relief_local_complexity (be, spec, params, pts, n, 0.4, pd == 0 ? 0 : P, 77, per_layer, total,
                                                &error));
        g_assert_no_error (error);
        relief_local_complexity_directions (6, P, 77, dirs);
        for (int i = 0; i < n; i++)
          {
            int ref[3], ambiguous, sum = 0;

            naive_complexity (spec, params, pts + i * 6, 0.4, dirs, P, ref, &ambiguous);
            for (int l = 0; l < L; l++)
              {
                g_assert_cmpint (abs (per_layer[i * L + l] - ref[l]), <=, ambiguous);
                sum += per_layer[i * L + l];
              }
            g_assert_cmpint (total[i], ==, sum);
            nonzero += total[i] > 0;
          }
        g_assert_cmpint (nonzero, >, n / 2);
      }
}

static void
test_local_complexity_constant (void)
{
  static const int sizes[] = { 3, 10, 10, 2 };
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autofree float *params = NULL;
  g_autoptr(ReliefMlpSpec) spec = make_net (sizes, 4, RELIEF_ACT_RELU, 6, &params);
  float pts[6] = { 0.1f, -0.2f, 0.3f, 0.5f, 0.5f, -0.5f };
  int per_layer[6], total[2];
  g_autoptr(GError) error = NULL;

  /* Biases of +-5 against weights below 1: no sign changes within radius 0.1. */
  for (int l = 0; l < 3; l++)
    for (int j = 0; j < sizes[l + 1]; j++)
      params[relief_mlp_spec_bias_offset (spec, l) + j] = j % 2 ? 5.0f : -5.0f;
  g_assert_true (relief_local_complexity (be, spec, params, pts, 2, 0.1, 0, 1, per_layer, total, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    g_assert_cmpint (total[i], ==, 0);
  for (int i = 0; i < 6; i++)
    g_assert_cmpint (per_layer[i], ==, 0);

  g_assert_false (relief_local_complexity (be, spec, params, pts, 2, 0.1, 4, 1, NULL, total, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (relief_local_complexity (be, spec, params, pts, 2, -1, 0, 1, NULL, total, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A diverged network is refused, not counted as constant (NaN signs never differ). */
  params[relief_mlp_spec_n_params (spec) - 1] = NAN;
  g_assert_false (relief_local_complexity (be, spec, params, pts, 2, 0.1, 0, 1, NULL, total, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "not finite"));
}

/* On CUDA (when there is one) the counts are the CPU's, but for neurons near zero. */
static void
test_local_complexity_cuda (void)
{
  static const int sizes[] = { 20, 32, 32, 5 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefBackend) cuda = relief_backend_new ("cuda", &error);
  g_autoptr(ReliefBackend) cpu = relief_backend_cpu_new ();
  g_autofree float *params = NULL;
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autofree float *pts = g_new (float, 500 * 20);
  g_autofree int *a = g_new (int, 500 * 3), *b = g_new (int, 500 * 3);
  int differ = 0;

  if (cuda == NULL)
    {
      g_test_skip (error->message);
      return;
    }
  spec = make_net (sizes, 4, RELIEF_ACT_GELU, 8, &params);
  relief_rng_normal_fill (9, 0, pts, 500 * 20);
  g_assert_true (relief_local_complexity (cpu, spec, params, pts, 500, 0.3, 7, 2, a, NULL, &error));
  g_assert_true (relief_local_complexity (cuda, spec, params, pts, 500, 0.3, 7, 2, b, NULL, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 500 * 3; i++)
    differ += abs (a[i] - b[i]);
  g_assert_cmpint (differ, <=, 5);
}

static void
test_directions (void)
{
  double a[5 * 12], b[5 * 12], c[5 * 12];

  relief_local_complexity_directions (12, 5, 3, a);
  relief_local_complexity_directions (12, 5, 3, b);
  relief_local_complexity_directions (12, 5, 4, c);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  g_assert_true (memcmp (a, c, sizeof a) != 0);
  for (int p = 0; p < 5; p++)
    for (int q = 0; q < 5; q++)
      {
        double dot = 0;

        for (int i = 0; i < 12; i++)
          dot += a[p * 12 + i] * a[q * 12 + i];
        g_assert_cmpfloat (fabs (dot - (p == q)), <, 1e-12);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/regions/brute-force-count", test_brute_force_count);
  g_test_add_func ("/regions/generic-deep", test_generic_deep);
  g_test_add_func ("/regions/leaky-relu", test_leaky_relu);
  g_test_add_func ("/regions/decision-boundary", test_decision_boundary);
  g_test_add_func ("/regions/degenerate/through-vertex", test_degenerate_vertex);
  g_test_add_func ("/regions/degenerate/along-edge", test_degenerate_edge);
  g_test_add_func ("/regions/degenerate/constant-neuron", test_degenerate_constant);
  g_test_add_func ("/regions/degenerate/parallel", test_degenerate_parallel);
  g_test_add_func ("/regions/degenerate/touching-corner", test_degenerate_corner);
  g_test_add_func ("/regions/degenerate/deep", test_degenerate_deep);
  g_test_add_func ("/regions/degenerate/rounding", test_degenerate_rounding);
  g_test_add_func ("/regions/degenerate/integer-weights", test_degenerate_integer);
  g_test_add_func ("/regions/degenerate/thin-rectangle", test_degenerate_thin);
  g_test_add_func ("/regions/predicted-at-centroid", test_predicted_at_centroid);
  g_test_add_func ("/regions/not-piecewise-linear", test_not_piecewise_linear);
  g_test_add_func ("/regions/errors", test_errors);
  g_test_add_func ("/regions/cancel-from-thread", test_cancel_from_thread);
  g_test_add_func ("/regions/plane/10-inputs", test_plane_10);
  g_test_add_func ("/regions/plane/784-inputs", test_plane_784);
  g_test_add_func ("/regions/local-complexity/naive", test_local_complexity);
  g_test_add_func ("/regions/local-complexity/constant", test_local_complexity_constant);
  g_test_add_func ("/regions/local-complexity/cuda", test_local_complexity_cuda);
  g_test_add_func ("/regions/local-complexity/directions", test_directions);
  return g_test_run ();
}

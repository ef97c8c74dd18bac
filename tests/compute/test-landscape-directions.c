/* test-landscape-directions.c: random (every normalization and bias mode), line and PCA
 * directions against direct computations. */
#include "relief-directions.h"
#include "relief-rng.h"
#include "relief-enums.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

static const int sizes[] = { 4, 6, 5, 3 };

static double
norm_of (const float *v, gsize n)
{
  double sum = 0.0;

  for (gsize i = 0; i < n; i++)
    sum += (double) v[i] * v[i];
  return sqrt (sum);
}

/* d must be a positive multiple of raw over [0, n) and have the norm of w there. */
static void
assert_rescaled (const float *d, const float *raw, const float *w, gsize n)
{
  double factor = norm_of (w, n) / norm_of (raw, n);

  g_assert_cmpfloat_with_epsilon (norm_of (d, n), norm_of (w, n), 1e-5 * norm_of (w, n));
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (d[i], raw[i] * factor, 1e-5 * (fabs (raw[i] * factor) + 1e-6));
}

static void
check_random (ReliefNormalization norm, ReliefBiasMode bias)
{
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU,
                                                       RELIEF_LOSS_CROSS_ENTROPY);
  gsize n = relief_mlp_spec_n_params (spec);
  g_autofree float *w = g_new (float, n), *d = g_new (float, n), *again = g_new (float, n), *raw = g_new (float, n);

  relief_mlp_init_params (spec, 3, w);
  relief_direction_random (spec, w, 77, norm, bias, d);
  relief_direction_random (spec, w, 77, norm, bias, again);
  g_assert_cmpmem (d, n * sizeof (float), again, n * sizeof (float));
  relief_rng_normal_fill (77, 0, raw, n);

  for (int l = 0; l < spec->n_layers; l++)
    {
      int in = sizes[l], out = sizes[l + 1];
      gsize wo = relief_mlp_spec_weight_offset (spec, l), bo = relief_mlp_spec_bias_offset (spec, l);

      switch (norm)
        {
        case RELIEF_NORM_FILTER:
          for (int r = 0; r < out; r++)
            assert_rescaled (d + wo + r * in, raw + wo + r * in, w + wo + r * in, in);
          break;
        case RELIEF_NORM_LAYER:
          assert_rescaled (d + wo, raw + wo, w + wo, (gsize) in * out);
          break;
        case RELIEF_NORM_NONE:
          g_assert_cmpmem (d + wo, sizeof (float) * in * out, raw + wo, sizeof (float) * in * out);
          break;
        }
      for (int r = 0; r < out; r++)
        g_assert_cmpfloat (d[bo + r], ==, bias == RELIEF_BIAS_COPY ? w[bo + r] : 0.0f);
    }
}

static void
test_random_filter (void)
{
  check_random (RELIEF_NORM_FILTER, RELIEF_BIAS_ZERO);
  check_random (RELIEF_NORM_FILTER, RELIEF_BIAS_COPY);
}

static void
test_random_layer (void)
{
  check_random (RELIEF_NORM_LAYER, RELIEF_BIAS_ZERO);
  check_random (RELIEF_NORM_LAYER, RELIEF_BIAS_COPY);
}

static void
test_random_none (void)
{
  check_random (RELIEF_NORM_NONE, RELIEF_BIAS_ZERO);
  check_random (RELIEF_NORM_NONE, RELIEF_BIAS_COPY);
}

static void
test_names (void)
{
  ReliefNormalization norm;
  ReliefBiasMode bias;
  g_autoptr(GError) error = NULL;

  for (int i = RELIEF_NORM_FILTER; i <= RELIEF_NORM_NONE; i++)
    {
      g_assert_true (relief_enum_from_nick (RELIEF_TYPE_NORMALIZATION, relief_enum_to_nick (RELIEF_TYPE_NORMALIZATION, i),
                                            (int *) &norm, NULL));
      g_assert_cmpint (norm, ==, i);
    }
  g_assert_true (relief_enum_from_nick (RELIEF_TYPE_BIAS_MODE, "copy", (int *) &bias, NULL));
  g_assert_cmpint (bias, ==, RELIEF_BIAS_COPY);
  g_assert_false (relief_enum_from_nick (RELIEF_TYPE_NORMALIZATION, "filtr", (int *) &norm, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "layer"));
}

static void
test_line (void)
{
  const float from[] = { 1, 2, -3 }, to[] = { 0.5f, 2, 4 };
  float dir[3];

  relief_direction_line (3, from, to, dir);
  g_assert_cmpfloat (dir[0], ==, -0.5f);
  g_assert_cmpfloat (dir[1], ==, 0.0f);
  g_assert_cmpfloat (dir[2], ==, 7.0f);
}

#define D 24
#define T 9

/* The reference: power iteration on the D x D covariance of the centered offsets, with
 * deflation for the second component. */
static void
reference_pcs (const double *rows, double pcs[2][D], double eig[2], double *trace)
{
  static double cov[D][D];

  memset (cov, 0, sizeof cov);
  for (int t = 0; t < T; t++)
    for (int i = 0; i < D; i++)
      for (int j = 0; j < D; j++)
        cov[i][j] += rows[t * D + i] * rows[t * D + j];
  *trace = 0.0;
  for (int i = 0; i < D; i++)
    *trace += cov[i][i];
  for (int c = 0; c < 2; c++)
    {
      double v[D], lambda = 0.0;

      for (int i = 0; i < D; i++)
        v[i] = 1.0 + 0.1 * i;
      for (int it = 0; it < 5000; it++)
        {
          double next[D], norm = 0.0;

          for (int i = 0; i < D; i++)
            {
              next[i] = 0.0;
              for (int j = 0; j < D; j++)
                next[i] += cov[i][j] * v[j];
            }
          for (int i = 0; i < D; i++)
            norm += next[i] * next[i];
          norm = sqrt (norm);
          for (int i = 0; i < D; i++)
            v[i] = next[i] / norm;
          lambda = norm;
        }
      memcpy (pcs[c], v, sizeof v);
      eig[c] = lambda;
      for (int i = 0; i < D; i++)
        for (int j = 0; j < D; j++)
          cov[i][j] -= lambda * v[i] * v[j];
    }
}

static void
test_pca (void)
{
  g_autofree float *snaps = g_new (float, T * D);
  float center[D], xdir[D], ydir[D];
  double rows[T * D], mean[D] = { 0 }, pcs[2][D], eig[2], trace, ratio[2], px[T], py[T];
  float *dirs[2] = { xdir, ydir };
  g_autoptr(GError) error = NULL;

  /* A trajectory with a dominant drift, a weaker curve and noise, ending at center. */
  for (int i = 0; i < D; i++)
    center[i] = (float) relief_rng_normal (5, i);
  for (int t = 0; t < T; t++)
    for (int i = 0; i < D; i++)
      snaps[t * D + i] = center[i] + (float) ((T - 1 - t) * 0.5 * sin (i + 1.0) + 0.3 * (t - 4) * (t - 4) * cos (2.0 * i)
                                              + 0.05 * relief_rng_normal (6, t * D + i));

  g_assert_true (relief_direction_pca (D, snaps, T, center, xdir, ydir, ratio, px, py, &error));
  g_assert_no_error (error);

  for (int t = 0; t < T; t++)
    for (int i = 0; i < D; i++)
      mean[i] += ((double) snaps[t * D + i] - center[i]) / T;
  for (int t = 0; t < T; t++)
    for (int i = 0; i < D; i++)
      rows[t * D + i] = (double) snaps[t * D + i] - center[i] - mean[i];
  reference_pcs (rows, pcs, eig, &trace);

  for (int c = 0; c < 2; c++)
    {
      double dot = 0.0;

      for (int i = 0; i < D; i++)
        dot += pcs[c][i] * dirs[c][i];
      g_assert_cmpfloat_with_epsilon (fabs (dot), 1.0, 1e-5);
      g_assert_cmpfloat_with_epsilon (norm_of (dirs[c], D), 1.0, 1e-6);
      g_assert_cmpfloat_with_epsilon (ratio[c], eig[c] / trace, 1e-6);
    }
  g_assert_cmpfloat (ratio[0], >=, ratio[1]);
  for (int t = 0; t < T; t++)
    {
      double ex = 0.0, ey = 0.0;

      for (int i = 0; i < D; i++)
        {
          ex += ((double) snaps[t * D + i] - center[i]) * xdir[i];
          ey += ((double) snaps[t * D + i] - center[i]) * ydir[i];
        }
      g_assert_cmpfloat_with_epsilon (px[t], ex, 1e-9);
      g_assert_cmpfloat_with_epsilon (py[t], ey, 1e-9);
    }
}

static void
test_pca_degenerate (void)
{
  float snaps[3 * 4] = { 0 }, center[4] = { 0 }, x[4], y[4];
  double ratio[2], px[3], py[3];
  g_autoptr(GError) error = NULL;

  /* Every snapshot on one line through the center: no second component. */
  for (int t = 0; t < 3; t++)
    for (int i = 0; i < 4; i++)
      snaps[t * 4 + i] = (float) (t * (i + 1));
  g_assert_false (relief_direction_pca (4, snaps, 3, center, x, y, ratio, px, py, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (relief_direction_pca (4, snaps, 2, center, x, y, ratio, px, py, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/directions/random-filter", test_random_filter);
  g_test_add_func ("/directions/random-layer", test_random_layer);
  g_test_add_func ("/directions/random-none", test_random_none);
  g_test_add_func ("/directions/names", test_names);
  g_test_add_func ("/directions/line", test_line);
  g_test_add_func ("/directions/pca", test_pca);
  g_test_add_func ("/directions/pca-degenerate", test_pca_degenerate);
  return g_test_run ();
}

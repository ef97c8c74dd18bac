/* test-weight-spectra.c: singular values against a Jacobi eigensolver written here, the
 * power-law fit on Pareto samples, the derived metrics and the Marchenko-Pastur edge
 * against their formulas, the top singular values of snapshots. */
#include "relief-weight-spectra.h"
#include "relief-rng.h"

#include <math.h>
#include <string.h>

/* The eigenvalues of the symmetric n x n matrix a (destroyed), by cyclic Jacobi rotations
 * until the off-diagonal part vanishes, descending into eig. */
static void
jacobi_eigenvalues (double *a, int n, double *eig)
{
  for (int sweep = 0; sweep < 100; sweep++)
    {
      double off = 0, diag = 0;

      for (int p = 0; p < n; p++)
        for (int q = 0; q < n; q++)
          {
            if (p != q)
              off += a[p * n + q] * a[p * n + q];
            else
              diag += a[p * n + p] * a[p * n + p];
          }
      if (off <= 1e-30 * diag || off == 0)
        break;
      for (int p = 0; p < n; p++)
        for (int q = p + 1; q < n; q++)
          {
            double apq = a[p * n + q], theta, t, c, s;

            if (apq == 0)
              continue;
            theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
            t = (theta >= 0 ? 1.0 : -1.0) / (fabs (theta) + sqrt (theta * theta + 1));
            c = 1 / sqrt (t * t + 1);
            s = t * c;
            /* A <- J^T A J with J the rotation in the (p, q) plane. */
            for (int k = 0; k < n; k++)
              {
                double akp = a[k * n + p], akq = a[k * n + q];

                a[k * n + p] = c * akp - s * akq;
                a[k * n + q] = s * akp + c * akq;
              }
            for (int k = 0; k < n; k++)
              {
                double apk = a[p * n + k], aqk = a[q * n + k];

                a[p * n + k] = c * apk - s * aqk;
                a[q * n + k] = s * apk + c * aqk;
              }
          }
    }
  for (int i = 0; i < n; i++)
    eig[i] = a[i * n + i];
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (eig[j] > eig[i])
        {
          double t = eig[i];

          eig[i] = eig[j];
          eig[j] = t;
        }
}

/* The singular values of row-major rows x cols w: square roots of the eigenvalues of the
 * smaller Gram matrix (W W^T or W^T W), formed in double. */
static void
reference_singular_values (const float *w, int rows, int cols, double *sv)
{
  int n = MIN (rows, cols);
  g_autofree double *gram = g_new0 (double, (gsize) n * n);

  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      {
        double sum = 0;

        if (rows <= cols)
          for (int k = 0; k < cols; k++)
            sum += (double) w[i * cols + k] * w[j * cols + k];
        else
          for (int k = 0; k < rows; k++)
            sum += (double) w[k * cols + i] * w[k * cols + j];
        gram[i * n + j] = sum;
      }
  jacobi_eigenvalues (gram, n, sv);
  for (int i = 0; i < n; i++)
    sv[i] = sqrt (MAX (sv[i], 0));
}

static float *
random_matrix (guint64 seed, int rows, int cols, float scale)
{
  float *w = g_new (float, (gsize) rows * cols);

  relief_rng_normal_fill (seed, 0, w, (gsize) rows * cols);
  for (gsize i = 0; i < (gsize) rows * cols; i++)
    w[i] *= scale;
  return w;
}

static void
test_singular_values_random (void)
{
  const int shapes[][2] = { { 7, 5 }, { 5, 7 }, { 40, 30 }, { 30, 40 }, { 1, 6 }, { 6, 1 }, { 64, 64 }, { 3, 100 } };

  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int rows = shapes[s][0], cols = shapes[s][1], n = MIN (rows, cols);
      g_autofree float *w = random_matrix (100 + s, rows, cols, 0.3f);
      g_autofree double *sv = g_new (double, n), *ref = g_new (double, n);
      g_autoptr(GError) error = NULL;

      g_assert_true (relief_singular_values (w, rows, cols, sv, &error));
      g_assert_no_error (error);
      reference_singular_values (w, rows, cols, ref);
      for (int i = 0; i < n; i++)
        {
          g_assert_cmpfloat_with_epsilon (sv[i], ref[i], 1e-10 * ref[0]);
          if (i > 0)
            g_assert_cmpfloat (sv[i], <=, sv[i - 1]);
        }
    }
}

static void
test_singular_values_rank_one (void)
{
  /* W = u v^T: one singular value |u| |v|, the others zero. */
  float u[6] = { 1, -2, 0.5f, 3, 0, 1 }, v[4] = { 0.25f, 1, -1, 2 }, w[24];
  double sv[4], nu = 0, nv = 0;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 4; j++)
      w[i * 4 + j] = u[i] * v[j];
  for (int i = 0; i < 6; i++)
    nu += u[i] * u[i];
  for (int j = 0; j < 4; j++)
    nv += v[j] * v[j];
  g_assert_true (relief_singular_values (w, 6, 4, sv, &error));
  g_assert_cmpfloat_with_epsilon (sv[0], sqrt (nu * nv), 1e-12 * sqrt (nu * nv));
  for (int i = 1; i < 4; i++)
    g_assert_cmpfloat (sv[i], <, 1e-12 * sv[0]);
}

/* n Pareto samples of exponent alpha above xmin: xmin u^(-1/(alpha - 1)). */
static double *
pareto_samples (guint64 seed, int n, double alpha, double xmin)
{
  double *x = g_new (double, n);

  for (int i = 0; i < n; i++)
    x[i] = xmin * pow (relief_rng_uniform (seed, i), -1.0 / (alpha - 1.0));
  return x;
}

/* sup_t |S(t) - P(t)| over the tail >= xmin, from the counts on either side of each value. */
static double
reference_ks (const double *x, int n, double xmin, double alpha)
{
  int m = 0;
  double d = 0;

  for (int i = 0; i < n; i++)
    m += x[i] >= xmin;
  for (int i = 0; i < n; i++)
    {
      int below = 0, at_or_below = 0;
      double model;

      if (x[i] < xmin)
        continue;
      for (int j = 0; j < n; j++)
        if (x[j] >= xmin)
          {
            below += x[j] < x[i];
            at_or_below += x[j] <= x[i];
          }
      model = 1 - pow (x[i] / xmin, 1 - alpha);
      d = MAX (d, fabs ((double) at_or_below / m - model));
      d = MAX (d, fabs ((double) below / m - model));
    }
  return d;
}

static void
test_power_law_known_xmin (void)
{
  const double alphas[] = { 2.5, 4.0 };

  for (guint a = 0; a < G_N_ELEMENTS (alphas); a++)
    {
      const int n = 5000;
      g_autofree double *x = pareto_samples (7 + a, n, alphas[a], 2.0);
      ReliefPowerLawFit fit;
      double sum_log = 0;

      relief_power_law_fit_at (x, n, 2.0, &fit);
      g_test_message ("alpha %.2f, xmin 2: fitted %.4f +- %.4f, KS %.4f", alphas[a], fit.alpha, fit.alpha_stderr,
                      fit.ks_distance);
      g_assert_cmpint (fit.n_tail, ==, n);
      g_assert_cmpfloat (fabs (fit.alpha - alphas[a]), <, 0.05 * alphas[a]);
      for (int i = 0; i < n; i++)
        sum_log += log (x[i] / 2.0);
      g_assert_cmpfloat_with_epsilon (fit.alpha, 1 + n / sum_log, 1e-9);
      g_assert_cmpfloat_with_epsilon (fit.alpha_stderr, (fit.alpha - 1) / sqrt (n), 1e-12);
      /* Within 3 standard errors too: the estimator is that good. */
      g_assert_cmpfloat (fabs (fit.alpha - alphas[a]), <, 3 * fit.alpha_stderr);
      g_assert_cmpfloat (fit.ks_distance, <, 0.03);
    }
}

static void
test_power_law_chooses_xmin (void)
{
  const double alphas[] = { 2.5, 4.0 };

  for (guint a = 0; a < G_N_ELEMENTS (alphas); a++)
    {
      /* 5000 Pareto samples above xmin = 1 and a body of 3000 spread below it. */
      const int n_tail = 5000, n_body = 3000, n = n_tail + n_body;
      g_autofree double *tail = pareto_samples (21 + a, n_tail, alphas[a], 1.0);
      g_autofree double *x = g_new (double, n);
      ReliefPowerLawFit fit, at;

      memcpy (x, tail, n_tail * sizeof (double));
      for (int i = 0; i < n_body; i++)
        x[n_tail + i] = 0.05 + 0.95 * relief_rng_uniform (99 + a, i);
      relief_power_law_fit (x, n, &fit);
      g_test_message ("alpha %.2f, xmin 1: fitted %.4f +- %.4f at xmin %.4f (%d in the tail), KS %.4f", alphas[a],
                      fit.alpha, fit.alpha_stderr, fit.xmin, fit.n_tail, fit.ks_distance);
      g_assert_cmpfloat (fabs (fit.alpha - alphas[a]), <, 0.05 * alphas[a]);
      g_assert_cmpfloat (fit.xmin, >=, 0.95);
      g_assert_cmpfloat (fit.xmin, <, 1.5);
      g_assert_cmpint (fit.n_tail, >, n_tail / 2);
      /* The chosen fit is the fit at its xmin, with the distance computed another way. */
      relief_power_law_fit_at (x, n, fit.xmin, &at);
      g_assert_cmpfloat_with_epsilon (at.alpha, fit.alpha, 1e-9);
      g_assert_cmpint (at.n_tail, ==, fit.n_tail);
      g_assert_cmpfloat_with_epsilon (fit.ks_distance, at.ks_distance, 1e-12);
      if (a == 0)
        {
          /* The quadratic reference on a subsample: every candidate xmin tried, the
           * chosen one has the smallest distance. */
          const int m = 400;
          ReliefPowerLawFit small, other;

          relief_power_law_fit (x + n_tail - m / 2, m, &small);
          g_assert_cmpfloat_with_epsilon (small.ks_distance,
                                          reference_ks (x + n_tail - m / 2, m, small.xmin, small.alpha), 1e-12);
          for (int i = 0; i < m; i++)
            {
              relief_power_law_fit_at (x + n_tail - m / 2, m, x[n_tail - m / 2 + i], &other);
              if (other.n_tail >= 2)
                g_assert_cmpfloat (small.ks_distance, <=, other.ks_distance + 1e-15);
            }
        }
    }
}

static void
test_power_law_degenerate (void)
{
  double same[5] = { 3, 3, 3, 3, 3 }, two[2] = { 1, 4 };
  ReliefPowerLawFit fit;

  relief_power_law_fit (same, 5, &fit);
  g_assert_true (isnan (fit.alpha));
  relief_power_law_fit (same, 0, &fit);
  g_assert_true (isnan (fit.alpha));
  relief_power_law_fit (two, 2, &fit);
  g_assert_cmpfloat (fit.xmin, ==, 1);
  g_assert_cmpint (fit.n_tail, ==, 2);
  g_assert_cmpfloat_with_epsilon (fit.alpha, 1 + 2 / log (4.0), 1e-12);
}

static void
test_layer_metrics (void)
{
  const int rows = 30, cols = 50;
  g_autofree float *w = random_matrix (5, rows, cols, 0.2f);
  double ref[30], fro = 0, mean = 0, var = 0;
  ReliefLayerSpectrum s;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < rows * cols; i++)
    w[i] += 0.05f;   /* a nonzero mean, which the variance leaves out */
  g_assert_true (relief_layer_spectrum_compute (w, rows, cols, &s, &error));
  g_assert_cmpint (s.n, ==, rows);
  reference_singular_values (w, rows, cols, ref);
  for (int i = 0; i < rows * cols; i++)
    {
      fro += (double) w[i] * w[i];
      mean += w[i];
    }
  mean /= rows * cols;
  for (int i = 0; i < rows * cols; i++)
    var += (w[i] - mean) * (w[i] - mean);
  var /= rows * cols;

  for (int i = 0; i < s.n; i++)
    g_assert_cmpfloat_with_epsilon (s.esd[i], ref[i] * ref[i], 1e-10 * ref[0] * ref[0]);
  g_assert_cmpint (s.n_fitted, ==, rows);
  g_assert_cmpfloat_with_epsilon (s.lambda_max, ref[0] * ref[0], 1e-10 * s.lambda_max);
  g_assert_cmpfloat_with_epsilon (s.stable_rank, fro / (ref[0] * ref[0]), 1e-9);
  g_assert_cmpfloat_with_epsilon (s.log_spectral_norm, log10 (ref[0] * ref[0]), 1e-12);
  g_assert_cmpfloat_with_epsilon (s.weighted_alpha, s.fit.alpha * log10 (ref[0] * ref[0]), 1e-12);
  g_assert_false (isnan (s.fit.alpha));
  g_assert_cmpfloat_with_epsilon (s.entry_variance, var, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.mp_edge, var * pow (sqrt (50.0) + sqrt (30.0), 2), 1e-12 * s.mp_edge);
  relief_layer_spectrum_clear (&s);
  g_assert_null (s.esd);
}

static void
test_marchenko_pastur (void)
{
  /* The formula both ways round, and a Gaussian matrix's top eigenvalue at the edge
   * (its fluctuations are of order N^(-2/3) of it). */
  const int rows = 400, cols = 100;
  g_autofree float *w = random_matrix (11, rows, cols, 0.1f);
  ReliefLayerSpectrum s;
  g_autoptr(GError) error = NULL;

  g_assert_cmpfloat_with_epsilon (relief_marchenko_pastur_edge (400, 100, 2.0), 400 * 2.0 * 1.5 * 1.5, 1e-9);
  g_assert_cmpfloat (relief_marchenko_pastur_edge (100, 400, 2.0), ==, relief_marchenko_pastur_edge (400, 100, 2.0));
  g_assert_cmpfloat_with_epsilon (relief_marchenko_pastur_edge (64, 64, 1.0), 4 * 64, 1e-9);
  g_assert_true (relief_layer_spectrum_compute (w, rows, cols, &s, &error));
  g_test_message ("400 x 100 Gaussian: lambda_max / MP edge %.4f", s.lambda_max / s.mp_edge);
  g_assert_cmpfloat (fabs (s.lambda_max / s.mp_edge - 1), <, 0.05);
  /* The smallest eigenvalue sits near the lower edge, sigma^2 (sqrt N - sqrt M)^2. */
  g_assert_cmpfloat (fabs (s.esd[s.n - 1] / (s.entry_variance * (20.0 - 10.0) * (20.0 - 10.0)) - 1), <, 0.1);
  relief_layer_spectrum_clear (&s);
}

static void
test_network_layers (void)
{
  const int sizes[] = { 9, 13, 6, 3 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 4, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  gsize n_params = relief_mlp_spec_n_params (spec);
  const int T = 4;
  g_autofree float *params = g_new (float, T * n_params);
  ReliefLayerSpectrum spectra[3];
  g_autoptr(GError) error = NULL;

  for (int t = 0; t < T; t++)
    relief_mlp_init_params (spec, 40 + t, params + t * n_params);
  for (int t = 0; t < T; t++)
    {
      const float *p = params + t * n_params;
      double top[3];

      g_assert_true (relief_weight_spectra (spec, p, spectra, &error));
      g_assert_true (relief_weight_top_singular_values (spec, p, top, &error));
      g_assert_no_error (error);
      for (int l = 0; l < 3; l++)
        {
          int rank;
          gsize dims[2], offset;
          double ref[13];

          /* The matrix of tensor 2 l, as the file order has it. */
          relief_mlp_spec_tensor_shape (spec, 2 * l, &rank, dims, &offset);
          g_assert_cmpint (spectra[l].rows, ==, dims[0]);
          g_assert_cmpint (spectra[l].cols, ==, dims[1]);
          reference_singular_values (p + offset, (int) dims[0], (int) dims[1], ref);
          for (int i = 0; i < spectra[l].n; i++)
            g_assert_cmpfloat_with_epsilon (spectra[l].singular_values[i], ref[i], 1e-10 * ref[0]);
          g_assert_cmpfloat (top[l], ==, spectra[l].singular_values[0]);
          relief_layer_spectrum_clear (&spectra[l]);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/weight-spectra/singular-values/random", test_singular_values_random);
  g_test_add_func ("/weight-spectra/singular-values/rank-one", test_singular_values_rank_one);
  g_test_add_func ("/weight-spectra/power-law/known-xmin", test_power_law_known_xmin);
  g_test_add_func ("/weight-spectra/power-law/chooses-xmin", test_power_law_chooses_xmin);
  g_test_add_func ("/weight-spectra/power-law/degenerate", test_power_law_degenerate);
  g_test_add_func ("/weight-spectra/layer-metrics", test_layer_metrics);
  g_test_add_func ("/weight-spectra/marchenko-pastur", test_marchenko_pastur);
  g_test_add_func ("/weight-spectra/network-layers", test_network_layers);
  return g_test_run ();
}

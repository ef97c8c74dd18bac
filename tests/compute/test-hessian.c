/* test-hessian.c: Hessian-vector products by the R-operator and the spectral methods on
 * them, against references built here.
 *
 * The reference Hessian is central differences (h = 1e-5) of a naive double-precision
 * gradient written here, column by column, so it is accurate to about 1e-9 and
 * independent of relief-mlp.c; the backend's float products are compared with it for
 * every activation and loss on several small nets, in chunks smaller than the sample set.
 * Lanczos, power iteration, Hutchinson and SLQ are then checked against LAPACK's dense
 * eigendecomposition of that Hessian.  Kinks of relu and leaky relu: a column whose
 * differences flip the sign of a hidden pre-activation is skipped (asserted rare). */
#include "relief-hessian.h"
#include "relief-rng.h"

#include <math.h>
#include <string.h>

#define N_SAMPLES 7
#define CHUNK 3

typedef struct {
  const int *sizes;
  int n_sizes;
} Net;

static const int net_a[] = { 3, 4, 3 };
static const int net_b[] = { 2, 3, 3, 2 };
static const int net_c[] = { 4, 3 };
static const Net nets[] = { { net_a, 3 }, { net_b, 4 }, { net_c, 2 } };
/* a linear model wider than the samples are many: with the squared error its Hessian,
 * (2 / (C n)) X~^T X~ for each of the C outputs (X~ the samples with a column of ones),
 * has rank C n = 14 of its 18 parameters, every eigenvalue twice */
static const int net_wide[] = { 8, 2 };
static const Net wide = { net_wide, 2 };
#define MAX_INPUTS 8

static double
act_d (ReliefActivation act, double z, double *d1)
{
  switch (act)
    {
    case RELIEF_ACT_RELU:
      *d1 = z > 0 ? 1 : 0;
      return z > 0 ? z : 0;
    case RELIEF_ACT_LEAKY_RELU:
      *d1 = z > 0 ? 1 : 0.01;
      return z > 0 ? z : 0.01 * z;
    case RELIEF_ACT_TANH:
      *d1 = 1 - tanh (z) * tanh (z);
      return tanh (z);
    case RELIEF_ACT_GELU:
      *d1 = 0.5 * (1 + erf (z / sqrt (2.0))) + z * exp (-0.5 * z * z) / sqrt (2 * G_PI);
      return 0.5 * z * (1 + erf (z / sqrt (2.0)));
    default:
      g_assert_not_reached ();
    }
}

/* The gradient of the mean loss in double by plain backpropagation; pattern receives the
 * signs of the hidden pre-activations. */
static void
grad_reference (const ReliefMlpSpec *spec, const double *params, const float *x, const int32_t *y, double *grad,
                GByteArray *pattern)
{
  int L = spec->n_layers, widest = 0;
  gsize n = relief_mlp_spec_n_params (spec);

  for (int l = 0; l <= L; l++)
    widest = MAX (widest, spec->sizes[l]);
  memset (grad, 0, sizeof (double) * n);
  g_byte_array_set_size (pattern, 0);
  for (int r = 0; r < N_SAMPLES; r++)
    {
      g_autofree double *a = g_new0 (double, (gsize) (L + 1) * widest);   /* a[l]: input of layer l */
      g_autofree double *d1 = g_new0 (double, (gsize) (L + 1) * widest);  /* act' of layer l's output */
      g_autofree double *delta = g_new0 (double, widest);
      g_autofree double *prev = g_new0 (double, widest);
      int n_out = spec->sizes[L];
      double *z;

      for (int c = 0; c < spec->sizes[0]; c++)
        a[c] = x[r * spec->sizes[0] + c];
      for (int l = 0; l < L; l++)
        {
          const double *w = params + relief_mlp_spec_weight_offset (spec, l);
          const double *b = params + relief_mlp_spec_bias_offset (spec, l);
          int in = spec->sizes[l], out = spec->sizes[l + 1];

          for (int o = 0; o < out; o++)
            {
              double s = b[o];

              for (int i = 0; i < in; i++)
                s += w[o * in + i] * a[l * widest + i];
              if (l < L - 1)
                {
                  guint8 positive = s > 0;

                  g_byte_array_append (pattern, &positive, 1);
                  a[(l + 1) * widest + o] = act_d (spec->activation, s, &d1[(l + 1) * widest + o]);
                }
              else
                a[(l + 1) * widest + o] = s;
            }
        }
      z = a + L * widest;
      if (spec->loss == RELIEF_LOSS_CROSS_ENTROPY)
        {
          double max = z[0], sum = 0;

          for (int c = 1; c < n_out; c++)
            max = MAX (max, z[c]);
          for (int c = 0; c < n_out; c++)
            sum += exp (z[c] - max);
          for (int c = 0; c < n_out; c++)
            delta[c] = (exp (z[c] - max) / sum - (c == y[r])) / N_SAMPLES;
        }
      else
        for (int c = 0; c < n_out; c++)
          delta[c] = 2 * (z[c] - (c == y[r])) / ((double) n_out * N_SAMPLES);
      for (int l = L - 1; l >= 0; l--)
        {
          const double *w = params + relief_mlp_spec_weight_offset (spec, l);
          double *gw = grad + relief_mlp_spec_weight_offset (spec, l);
          double *gb = grad + relief_mlp_spec_bias_offset (spec, l);
          int in = spec->sizes[l], out = spec->sizes[l + 1];

          for (int o = 0; o < out; o++)
            {
              gb[o] += delta[o];
              for (int i = 0; i < in; i++)
                gw[o * in + i] += delta[o] * a[l * widest + i];
            }
          for (int i = 0; i < in; i++)
            {
              prev[i] = 0;
              for (int o = 0; o < out; o++)
                prev[i] += delta[o] * w[o * in + i];
              prev[i] *= d1[l * widest + i];
            }
          memcpy (delta, prev, sizeof (double) * widest);
        }
    }
}

typedef struct {
  ReliefMlpSpec *spec;
  gsize n;
  float *params;
  float x[N_SAMPLES * MAX_INPUTS];
  int32_t y[N_SAMPLES];
  double *h_ref;    /* [n, n] central differences of the double gradient */
  int skipped;
} Problem;

static void
problem_clear (Problem *p)
{
  relief_mlp_spec_free (p->spec);
  g_free (p->params);
  g_free (p->h_ref);
}

static void
problem_init (Problem *p, const Net *net, ReliefActivation act, ReliefLoss loss, guint64 seed)
{
  g_autoptr(GByteArray) base = g_byte_array_new ();
  g_autoptr(GByteArray) plus = g_byte_array_new ();
  g_autoptr(GByteArray) minus = g_byte_array_new ();
  g_autofree double *pd = NULL, *gp = NULL, *gm = NULL;
  const double h = 1e-5;

  g_assert_cmpint (net->sizes[0], <=, MAX_INPUTS);
  memset (p, 0, sizeof *p);
  p->spec = relief_mlp_spec_new (net->sizes, net->n_sizes, act, loss);
  p->n = relief_mlp_spec_n_params (p->spec);
  p->params = g_new (float, p->n);
  relief_mlp_init_params (p->spec, seed, p->params);
  /* larger weights than the default init, so the curvature is not all in the last layer */
  for (gsize i = 0; i < p->n; i++)
    p->params[i] *= 2.0f;
  relief_rng_normal_fill (seed + 1, 0, p->x, (gsize) N_SAMPLES * net->sizes[0]);
  for (int r = 0; r < N_SAMPLES; r++)
    p->y[r] = (int32_t) (relief_rng_uniform (seed + 2, r) * net->sizes[net->n_sizes - 1]);

  pd = g_new (double, p->n);
  gp = g_new (double, p->n);
  gm = g_new (double, p->n);
  p->h_ref = g_new0 (double, p->n * p->n);
  for (gsize i = 0; i < p->n; i++)
    pd[i] = p->params[i];
  grad_reference (p->spec, pd, p->x, p->y, gp, base);
  for (gsize j = 0; j < p->n; j++)
    {
      double keep = pd[j];

      pd[j] = keep + h;
      grad_reference (p->spec, pd, p->x, p->y, gp, plus);
      pd[j] = keep - h;
      grad_reference (p->spec, pd, p->x, p->y, gm, minus);
      pd[j] = keep;
      if (plus->len != base->len || memcmp (plus->data, base->data, base->len) != 0 ||
          memcmp (minus->data, base->data, base->len) != 0)
        {
          /* a kink between the two points: the column is left NAN */
          for (gsize i = 0; i < p->n; i++)
            p->h_ref[i * p->n + j] = NAN;
          p->skipped++;
          continue;
        }
      for (gsize i = 0; i < p->n; i++)
        p->h_ref[i * p->n + j] = (gp[i] - gm[i]) / (2 * h);
    }
}

static ReliefHessian *
problem_hessian (Problem *p, ReliefBackend *be, int chunk)
{
  g_autoptr(GError) error = NULL;
  ReliefHessian *h = relief_hessian_new (be, p->spec, p->params, p->x, p->y, N_SAMPLES, chunk, &error);

  g_assert_no_error (error);
  g_assert_nonnull (h);
  return h;
}

/* The dense Hessian from the product, column by column: H e_j. */
static double *
dense_from_hvp (ReliefHessian *h, gsize n)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *e = g_new0 (float, n);
  g_autofree float *col = g_new (float, n);
  double *dense = g_new (double, n * n);

  for (gsize j = 0; j < n; j++)
    {
      e[j] = 1.0f;
      g_assert_true (relief_hessian_hvp_host (h, e, col, &error));
      g_assert_no_error (error);
      e[j] = 0.0f;
      for (gsize i = 0; i < n; i++)
        dense[i * n + j] = col[i];
    }
  return dense;
}

static double
max_abs (const double *a, gsize n)
{
  double m = 0;

  for (gsize i = 0; i < n; i++)
    if (isfinite (a[i]))
      m = MAX (m, fabs (a[i]));
  return m;
}

static void
test_hvp_reference (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  int checked = 0;

  for (gsize t = 0; t < G_N_ELEMENTS (nets); t++)
    for (int act = RELIEF_ACT_RELU; act <= RELIEF_ACT_GELU; act++)
      for (int loss = RELIEF_LOSS_CROSS_ENTROPY; loss <= RELIEF_LOSS_MSE; loss++)
        {
          Problem p;
          g_autoptr(ReliefHessian) h = NULL;
          g_autofree double *dense = NULL;
          g_autofree double *dense_whole = NULL;
          double scale, worst = 0, asym = 0;

          problem_init (&p, &nets[t], act, loss, 40 + t);
          h = problem_hessian (&p, be, CHUNK);
          dense = dense_from_hvp (h, p.n);
          scale = MAX (max_abs (p.h_ref, p.n * p.n), 1e-3);
          for (gsize i = 0; i < p.n * p.n; i++)
            if (isfinite (p.h_ref[i]))
              worst = MAX (worst, fabs (dense[i] - p.h_ref[i]));
          for (gsize i = 0; i < p.n; i++)
            for (gsize j = 0; j < i; j++)
              asym = MAX (asym, fabs (dense[i * p.n + j] - dense[j * p.n + i]));
          g_test_message ("net %d %s %s: %llu params, |H| %.3g, max error %.3g, asymmetry %.3g, %d skipped",
                          (int) t, act == RELIEF_ACT_RELU ? "relu" : act == RELIEF_ACT_LEAKY_RELU ? "leaky" :
                          act == RELIEF_ACT_TANH ? "tanh" : "gelu", loss == RELIEF_LOSS_MSE ? "mse" : "ce",
                          (unsigned long long) p.n, scale, worst, asym, p.skipped);
          g_assert_cmpfloat (worst, <=, 1e-6 * scale);
          g_assert_cmpfloat (asym, <=, 1e-6 * scale);
          g_assert_cmpint (p.skipped, <=, (int) p.n / 4);

          /* in one chunk the same products, to rounding */
          {
            g_autoptr(ReliefHessian) whole = problem_hessian (&p, be, 0);

            dense_whole = dense_from_hvp (whole, p.n);
            for (gsize i = 0; i < p.n * p.n; i++)
              g_assert_cmpfloat (fabs (dense_whole[i] - dense[i]), <=, 1e-6 * scale);
          }
          /* the chunked gradient against the double one */
          {
            g_autoptr(GError) error = NULL;
            g_autoptr(GByteArray) pattern = g_byte_array_new ();
            g_autofree double *pd = g_new (double, p.n);
            g_autofree double *g_ref = g_new (double, p.n);
            g_autofree float *g = g_new (float, p.n);
            double loss;

            for (gsize i = 0; i < p.n; i++)
              pd[i] = p.params[i];
            grad_reference (p.spec, pd, p.x, p.y, g_ref, pattern);
            /* on the CPU backend, device buffers are host memory */
            g_assert_true (relief_hessian_get_backend (h) == be);
            g_assert_true (relief_hessian_gradient (h, g, &loss, &error));
            g_assert_no_error (error);
            g_assert_cmpfloat (loss, >, 0);
            for (gsize i = 0; i < p.n; i++)
              g_assert_cmpfloat (fabs (g[i] - g_ref[i]), <=, 1e-6 * (1 + fabs (g_ref[i])));
          }
          /* l2 adds l2 v */
          {
            g_autoptr(GError) error = NULL;
            g_autofree float *v = g_new (float, p.n);
            g_autofree float *hv = g_new (float, p.n);

            relief_rng_normal_fill (5, 0, v, p.n);
            relief_hessian_set_l2 (h, 0.25);
            g_assert_true (relief_hessian_hvp_host (h, v, hv, &error));
            g_assert_no_error (error);
            for (gsize i = 0; i < p.n; i++)
              {
                double want = 0.25 * v[i];

                for (gsize j = 0; j < p.n; j++)
                  want += dense[i * p.n + j] * v[j];
                g_assert_cmpfloat (fabs (hv[i] - want), <=, 1e-5 * (scale + 1));
              }
          }
          checked++;
          problem_clear (&p);
        }
  g_assert_cmpint (checked, ==, 3 * 4 * 2);
}

/* The reference Hessian symmetrized, its eigenvalues ascending and vectors. */
static void
reference_eigen (Problem *p, double *values, double *vectors)
{
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < p->n; i++)
    for (gsize j = 0; j < p->n; j++)
      {
        g_assert_true (isfinite (p->h_ref[i * p->n + j]));
        vectors[i * p->n + j] = 0.5 * (p->h_ref[i * p->n + j] + p->h_ref[j * p->n + i]);
      }
  g_assert_true (relief_symmetric_eigen ((int) p->n, vectors, values, TRUE, &error));
  g_assert_no_error (error);
}

static void
test_lapack (void)
{
  g_autoptr(GError) error = NULL;
  /* T = tridiag(-1, 2, -1) of order 6: eigenvalues 2 - 2 cos(k pi / 7) */
  double d[6], e[5], values[6], vectors[36], dense[36] = { 0 }, dense_values[6];

  for (int i = 0; i < 6; i++)
    {
      d[i] = 2;
      dense[i * 6 + i] = 2;
      if (i < 5)
        {
          e[i] = -1;
          dense[i * 6 + i + 1] = dense[(i + 1) * 6 + i] = -1;
        }
    }
  g_assert_true (relief_tridiagonal_eigen (6, d, e, values, vectors, &error));
  g_assert_true (relief_symmetric_eigen (6, dense, dense_values, TRUE, &error));
  g_assert_no_error (error);
  for (int k = 0; k < 6; k++)
    {
      g_assert_cmpfloat (fabs (values[k] - (2 - 2 * cos ((k + 1) * G_PI / 7))), <=, 1e-12);
      g_assert_cmpfloat (fabs (dense_values[k] - values[k]), <=, 1e-12);
      /* the vector: sin(i (k + 1) pi / 7) up to sign and norm */
      for (int i = 0; i < 6; i++)
        g_assert_cmpfloat (fabs (fabs (vectors[k * 6 + i]) - fabs (dense[k * 6 + i])), <=, 1e-10);
    }
}

static void
test_lanczos (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  const ReliefActivation acts[] = { RELIEF_ACT_TANH, RELIEF_ACT_GELU, RELIEF_ACT_RELU };

  for (gsize a = 0; a < G_N_ELEMENTS (acts); a++)
    for (int loss = RELIEF_LOSS_CROSS_ENTROPY; loss <= RELIEF_LOSS_MSE; loss++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(ReliefHessian) h = NULL;
        g_autoptr(ReliefEigenpairs) top = NULL;
        g_autoptr(ReliefEigenpairs) bottom = NULL;
        g_autoptr(ReliefEigenpairs) power = NULL;
        g_autofree double *values = NULL, *vectors = NULL;
        ReliefLanczosSettings settings;
        ReliefLanczosInfo info;
        Problem p;
        double scale;
        gint64 power_hvps;

        problem_init (&p, &nets[0], acts[a], loss, 60 + a);
        if (p.skipped > 0)
          {
            problem_clear (&p);
            problem_init (&p, &nets[0], acts[a], loss, 70 + a);
          }
        g_assert_cmpint (p.skipped, ==, 0);
        h = problem_hessian (&p, be, CHUNK);
        values = g_new (double, p.n);
        vectors = g_new (double, p.n * p.n);
        reference_eigen (&p, values, vectors);
        scale = MAX (fabs (values[0]), fabs (values[p.n - 1]));

        relief_lanczos_settings_init_defaults (&settings);
        settings.k = 3;
        settings.smallest = TRUE;
        settings.tol = 1e-6;
        g_assert_true (relief_hessian_lanczos (h, &settings, &top, &bottom, &info, NULL, &error));
        g_assert_no_error (error);
        g_test_message ("act %d loss %d: %llu params, lambda %.6g .. %.6g, %d steps, converged %d",
                        acts[a], loss, (unsigned long long) p.n, values[0], values[p.n - 1], info.iterations,
                        info.converged);
        g_assert_true (info.converged);
        g_assert_cmpint (top->n, ==, 3);
        g_assert_cmpint (bottom->n, ==, 3);
        g_assert_cmpint (info.hvps, ==, info.iterations + 6);
        for (int i = 0; i < 3; i++)
          {
            double dot = 0;

            g_assert_cmpfloat (fabs (top->values[i] - values[p.n - 1 - i]), <=, 1e-4 * scale);
            g_assert_cmpfloat (fabs (bottom->values[i] - values[i]), <=, 1e-4 * scale);
            g_assert_cmpfloat (top->residuals[i], <=, 1e-3 * scale);
            g_assert_cmpfloat (bottom->residuals[i], <=, 1e-3 * scale);
            /* the top vector against the reference's, up to sign, when well separated */
            for (gsize j = 0; j < p.n; j++)
              dot += top->vectors[i * p.n + j] * vectors[(p.n - 1 - i) * p.n + j];
            if (values[p.n - 1 - i] - values[p.n - 2 - i] > 1e-2 * scale &&
                (i == 0 || values[p.n - i] - values[p.n - 1 - i] > 1e-2 * scale))
              g_assert_cmpfloat (fabs (dot), >=, 0.999);
          }
        g_assert_cmpfloat (top->values[0], >=, top->values[1]);
        g_assert_cmpfloat (bottom->values[0], <=, bottom->values[1]);

        /* a warm start from the top vector converges at once to the same value */
        {
          g_autoptr(ReliefEigenpairs) again = NULL;
          ReliefLanczosSettings warm = settings;
          ReliefLanczosInfo warm_info;

          warm.k = 1;
          warm.smallest = FALSE;
          warm.tol = 1e-3;
          warm.start = top->vectors;
          g_assert_true (relief_hessian_lanczos (h, &warm, &again, NULL, &warm_info, NULL, &error));
          g_assert_no_error (error);
          g_assert_cmpfloat (fabs (again->values[0] - top->values[0]), <=, 1e-4 * scale);
          g_assert_cmpint (warm_info.iterations, <, info.iterations);
        }

        /* power iteration with deflation: the two of largest magnitude */
        g_assert_true (relief_hessian_power (h, 2, 1e-5, 20000, 3, &power, &power_hvps, NULL, &error));
        g_assert_no_error (error);
        {
          g_autofree double *by_mag = g_memdup2 (values, sizeof (double) * p.n);
          int lo = 0, hi = (int) p.n - 1;

          /* the reference's values in order of magnitude, from the two ends */
          for (int i = 0; i < 2; i++)
            by_mag[i] = fabs (values[lo]) > fabs (values[hi]) ? values[lo++] : values[hi--];
          g_test_message ("power: %.6g %.6g (reference %.6g %.6g), %lld products", power->values[0],
                          power->values[1], by_mag[0], by_mag[1], (long long) power_hvps);
          for (int i = 0; i < 2; i++)
            {
              g_assert_cmpfloat (fabs (power->values[i] - by_mag[i]), <=, 1e-3 * scale);
              g_assert_cmpfloat (power->residuals[i], <=, 1e-5 * fabs (power->values[i]) + 1e-6 * scale);
            }
          /* and with Lanczos, where the largest is also the largest in magnitude */
          if (by_mag[0] > 0)
            g_assert_cmpfloat (fabs (power->values[0] - top->values[0]), <=, 1e-3 * scale);
        }
        problem_clear (&p);
      }
}

/* The reference's values (ascending) against Lanczos's top and bottom k. */
static void
assert_ends (const double *values, gsize n, const ReliefEigenpairs *top, const ReliefEigenpairs *bottom, int k)
{
  double scale = MAX (fabs (values[0]), fabs (values[n - 1]));

  g_assert_cmpint (top->n, ==, k);
  g_assert_cmpint (bottom->n, ==, k);
  for (int i = 0; i < k; i++)
    {
      g_assert_cmpfloat (fabs (top->values[i] - values[n - 1 - i]), <=, 1e-4 * scale);
      g_assert_cmpfloat (fabs (bottom->values[i] - values[i]), <=, 1e-4 * scale);
      g_assert_cmpfloat (top->residuals[i], <=, 1e-3 * scale);
      g_assert_cmpfloat (bottom->residuals[i], <=, 1e-3 * scale);
    }
}

/* Started exactly at an eigenvector (of the operator's own dense matrix, so the first
 * step closes the Krylov space to rounding), at the top, the bottom and in the middle of
 * the spectrum: Lanczos restarts and still finds the three at each end. */
static void
test_lanczos_eigenvector_start (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(ReliefHessian) h = NULL;
  g_autofree double *values = NULL, *vectors = NULL, *own = NULL, *own_values = NULL;
  g_autofree float *start = NULL;
  Problem p;

  problem_init (&p, &nets[0], RELIEF_ACT_TANH, RELIEF_LOSS_CROSS_ENTROPY, 60);
  g_assert_cmpint (p.skipped, ==, 0);
  h = problem_hessian (&p, be, CHUNK);
  values = g_new (double, p.n);
  vectors = g_new (double, p.n * p.n);
  reference_eigen (&p, values, vectors);
  own = dense_from_hvp (h, p.n);
  for (gsize i = 0; i < p.n; i++)
    for (gsize j = 0; j < i; j++)
      own[i * p.n + j] = own[j * p.n + i] = 0.5 * (own[i * p.n + j] + own[j * p.n + i]);
  own_values = g_new (double, p.n);
  g_assert_true (relief_symmetric_eigen ((int) p.n, own, own_values, TRUE, NULL));
  start = g_new (float, p.n);

  for (int which = 0; which < 3; which++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefEigenpairs) top = NULL;
      g_autoptr(ReliefEigenpairs) bottom = NULL;
      ReliefLanczosSettings settings;
      ReliefLanczosInfo info;
      gsize at = which == 0 ? p.n - 1 : which == 1 ? 0 : p.n / 2;

      for (gsize j = 0; j < p.n; j++)
        start[j] = (float) own[at * p.n + j];
      relief_lanczos_settings_init_defaults (&settings);
      settings.k = 3;
      settings.smallest = TRUE;
      settings.tol = 1e-6;
      settings.start = start;
      g_assert_true (relief_hessian_lanczos (h, &settings, &top, &bottom, &info, NULL, &error));
      g_assert_no_error (error);
      g_test_message ("start at eigenvector %zu (lambda %.6g): %d steps, %d restarts, top %.6g %.6g %.6g, "
                      "bottom %.6g %.6g %.6g", at, own_values[at], info.iterations, info.restarts, top->values[0],
                      top->values[1], top->values[2], bottom->values[0], bottom->values[1], bottom->values[2]);
      g_assert_true (info.converged);
      g_assert_cmpint (info.restarts, >=, 1);
      assert_ends (values, p.n, top, bottom, 3);
    }
  problem_clear (&p);
}

/* A Hessian of low rank with repeated eigenvalues (the wide linear model): one Krylov
 * space holds each distinct eigenvalue once, so the top five (three values, two of them
 * twice) and the smallest five (four zeros) need restarts. */
static void
test_lanczos_low_rank (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefHessian) h = NULL;
  g_autoptr(ReliefEigenpairs) top = NULL;
  g_autoptr(ReliefEigenpairs) bottom = NULL;
  g_autofree double *values = NULL, *vectors = NULL;
  ReliefLanczosSettings settings;
  ReliefLanczosInfo info;
  Problem p;
  double scale;

  problem_init (&p, &wide, RELIEF_ACT_TANH, RELIEF_LOSS_MSE, 17);
  g_assert_cmpint (p.n, ==, 18);
  h = problem_hessian (&p, be, CHUNK);
  values = g_new (double, p.n);
  vectors = g_new (double, p.n * p.n);
  reference_eigen (&p, values, vectors);
  scale = values[p.n - 1];
  /* the reference: four zeros, then seven distinct values, each twice */
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (fabs (values[i]), <=, 1e-8 * scale);
  g_assert_cmpfloat (values[4], >=, 1e-3 * scale);
  for (gsize i = 4; i < p.n; i += 2)
    g_assert_cmpfloat (values[i + 1] - values[i], <=, 1e-8 * scale);

  relief_lanczos_settings_init_defaults (&settings);
  settings.k = 5;
  settings.smallest = TRUE;
  settings.tol = 1e-6;
  settings.seed = 3;
  g_assert_true (relief_hessian_lanczos (h, &settings, &top, &bottom, &info, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("low rank: %d steps, %d restarts; top %.6g %.6g %.6g %.6g %.6g (reference %.6g %.6g %.6g %.6g "
                  "%.6g); bottom %.3g %.3g %.3g %.3g %.6g", info.iterations, info.restarts, top->values[0],
                  top->values[1], top->values[2], top->values[3], top->values[4], values[17], values[16], values[15],
                  values[14], values[13], bottom->values[0], bottom->values[1], bottom->values[2], bottom->values[3],
                  bottom->values[4]);
  g_assert_true (info.converged);
  g_assert_cmpint (info.restarts, >=, 1);
  assert_ends (values, p.n, top, bottom, 5);
  /* the repeated values' vectors are orthogonal: two directions, not one found twice */
  for (int i = 0; i < 4; i += 2)
    {
      double dot = 0;

      for (gsize j = 0; j < p.n; j++)
        dot += (double) top->vectors[i * p.n + j] * top->vectors[(i + 1) * p.n + j];
      g_assert_cmpfloat (fabs (dot), <=, 1e-3);
    }
  problem_clear (&p);
}

static void
test_trace (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();

  for (gsize t = 0; t < 2; t++)
    for (int loss = RELIEF_LOSS_CROSS_ENTROPY; loss <= RELIEF_LOSS_MSE; loss++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(ReliefHessian) h = NULL;
        ReliefTraceResult est, quick;
        Problem p;
        double exact = 0;

        problem_init (&p, &nets[t], RELIEF_ACT_TANH, loss, 80 + t);
        h = problem_hessian (&p, be, CHUNK);
        for (gsize i = 0; i < p.n; i++)
          exact += p.h_ref[i * p.n + i];
        g_assert_true (relief_hessian_trace (h, 0.0, 10, 300, 9, &est, NULL, &error));
        g_assert_no_error (error);
        g_test_message ("trace %.6g, Hutchinson %.6g +- %.3g over %d probes", exact, est.trace, est.stderr_,
                        est.probes);
        g_assert_cmpint (est.probes, ==, 300);
        g_assert_false (est.converged);
        g_assert_cmpfloat (est.stderr_, >, 0);
        g_assert_cmpfloat (fabs (est.trace - exact), <=, 3 * est.stderr_);
        /* a loose tolerance stops early, at least at the minimum */
        g_assert_true (relief_hessian_trace (h, 0.5, 5, 300, 9, &quick, NULL, &error));
        g_assert_true (quick.converged);
        g_assert_cmpint (quick.probes, >=, 5);
        g_assert_cmpint (quick.probes, <, 300);
        g_assert_cmpfloat (quick.stderr_, <=, 0.5 * fabs (quick.trace));
        problem_clear (&p);
      }
}

static void
test_slq (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();

  for (gsize t = 0; t < 2; t++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefHessian) h = NULL;
      g_autoptr(ReliefSlqResult) slq = NULL;
      g_autofree double *hs = NULL, *h2 = NULL, *values = NULL, *vectors = NULL;
      g_autofree float *q = NULL;
      ReliefSlqSettings settings;
      Problem p;
      double integral = 0, m1 = 0, m2 = 0, tr = 0, tr2 = 0, q1 = 0, q2 = 0, node1 = 0, node2 = 0;
      double var1, var2, dx;

      problem_init (&p, &nets[t], RELIEF_ACT_GELU, RELIEF_LOSS_CROSS_ENTROPY, 90 + t);
      h = problem_hessian (&p, be, CHUNK);
      values = g_new (double, p.n);
      vectors = g_new (double, p.n * p.n);
      reference_eigen (&p, values, vectors);
      hs = g_new0 (double, p.n * p.n);
      h2 = g_new0 (double, p.n * p.n);
      for (gsize i = 0; i < p.n; i++)
        for (gsize j = 0; j < p.n; j++)
          hs[i * p.n + j] = 0.5 * (p.h_ref[i * p.n + j] + p.h_ref[j * p.n + i]);
      for (gsize i = 0; i < p.n; i++)
        for (gsize j = 0; j < p.n; j++)
          for (gsize k = 0; k < p.n; k++)
            h2[i * p.n + j] += hs[i * p.n + k] * hs[k * p.n + j];
      for (gsize i = 0; i < p.n; i++)
        {
          tr += hs[i * p.n + i];
          tr2 += h2[i * p.n + i];
        }

      relief_slq_settings_init_defaults (&settings);
      settings.n_steps = 12;
      settings.n_grid = 4000;
      settings.seed = 4;
      g_assert_true (relief_hessian_slq (h, &settings, &slq, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (slq->n_steps, ==, MIN (12, (int) p.n));
      g_assert_cmpint (slq->hvps, ==, 10 * slq->n_steps);

      /* the density integrates to 1 (trapezoid) */
      dx = slq->grid[1] - slq->grid[0];
      for (int g = 0; g < slq->n_grid; g++)
        {
          double w = (g == 0 || g == slq->n_grid - 1) ? 0.5 * dx : dx;

          integral += w * slq->density[g];
          m1 += w * slq->density[g] * slq->grid[g];
          m2 += w * slq->density[g] * slq->grid[g] * slq->grid[g];
        }
      g_assert_cmpfloat (fabs (integral - 1), <=, 1e-6);
      g_assert_cmpfloat (slq->grid[0], <, values[0]);
      g_assert_cmpfloat (slq->grid[slq->n_grid - 1], >, values[p.n - 1]);
      /* the nodes' quadrature: weights sum to 1 per start, nodes inside the spectrum */
      for (int s = 0; s < 10; s++)
        {
          double wsum = 0;

          for (int i = 0; i < slq->n_steps; i++)
            {
              double theta = slq->nodes[s * slq->n_steps + i], tau = slq->weights[s * slq->n_steps + i];

              wsum += tau;
              node1 += tau * theta / 10;
              node2 += tau * theta * theta / 10;
              g_assert_cmpfloat (theta, >=, values[0] - 1e-4 * fabs (values[0]) - 1e-6);
              g_assert_cmpfloat (theta, <=, values[p.n - 1] + 1e-4 * fabs (values[p.n - 1]) + 1e-6);
            }
          g_assert_cmpfloat (fabs (wsum - 1), <=, 1e-9);
        }
      /* Gauss quadrature with 2 or more nodes is exact for the first two moments:
       * per start q^T H q and q^T H^2 q of the unit start q, which the test redraws */
      q = g_new (float, p.n);
      for (int s = 0; s < 10; s++)
        {
          double norm2 = 0, a1 = 0, a2 = 0;

          relief_rng_normal_fill (relief_rng_derive (4, "slq"), (guint64) s * p.n, q, p.n);
          for (gsize i = 0; i < p.n; i++)
            norm2 += (double) q[i] * q[i];
          for (gsize i = 0; i < p.n; i++)
            for (gsize j = 0; j < p.n; j++)
              {
                a1 += q[i] * hs[i * p.n + j] * q[j];
                a2 += q[i] * h2[i * p.n + j] * q[j];
              }
          q1 += a1 / norm2 / 10;
          q2 += a2 / norm2 / 10;
        }
      g_test_message ("SLQ: m1 %.6g (quadrature %.6g, starts %.6g, tr H / D %.6g), m2 %.6g (%.6g + s2 %.3g, "
                      "starts %.6g, tr H^2 / D %.6g)", m1, node1, q1, tr / p.n, m2, node2, slq->sigma2, q2,
                      tr2 / p.n);
      g_assert_cmpfloat (fabs (node1 - q1), <=, 1e-4 * sqrt (tr2 / p.n));
      g_assert_cmpfloat (fabs (node2 - q2), <=, 1e-4 * tr2 / p.n);
      g_assert_cmpfloat (fabs (m1 - node1), <=, 1e-6 * (1 + fabs (node1)));
      g_assert_cmpfloat (fabs (m2 - (node2 + slq->sigma2)), <=, 1e-6 * (1 + node2));
      /* and they estimate tr H / D and tr H^2 / D: for q uniform on the sphere
       * Var(q^T A q) = 2 (tr A^2 / D - (tr A / D)^2) / (D + 2); within 4 standard errors */
      {
        double tr4 = 0;

        for (gsize i = 0; i < p.n * p.n; i++)
          tr4 += h2[i] * h2[i];
        var1 = 2 * (tr2 / p.n - (tr / p.n) * (tr / p.n)) / (p.n + 2) / 10;
        var2 = 2 * (tr4 / p.n - (tr2 / p.n) * (tr2 / p.n)) / (p.n + 2) / 10;
        g_assert_cmpfloat (fabs (m1 - tr / p.n), <=, 4 * sqrt (var1));
        g_assert_cmpfloat (fabs (m2 - slq->sigma2 - tr2 / p.n), <=, 4 * sqrt (var2));
      }
      problem_clear (&p);
    }
}

static void
test_errors (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefHessian) h = NULL;
  g_autoptr(ReliefEigenpairs) pairs = NULL;
  ReliefLanczosSettings settings;
  ReliefTraceResult trace;
  Problem p;

  problem_init (&p, &nets[2], RELIEF_ACT_TANH, RELIEF_LOSS_MSE, 3);
  g_assert_null (relief_hessian_new (be, p.spec, p.params, p.x, p.y, 0, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  h = problem_hessian (&p, be, 0);
  relief_lanczos_settings_init_defaults (&settings);
  settings.k = 0;
  g_assert_false (relief_hessian_lanczos (h, &settings, &pairs, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (relief_hessian_power (h, 0, 1e-3, 10, 0, &pairs, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (relief_hessian_trace (h, 0.1, 10, 5, 0, &trace, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* cancelled before the first product */
  {
    g_autoptr(GCancellable) cancel = g_cancellable_new ();

    g_cancellable_cancel (cancel);
    settings.k = 2;
    g_assert_false (relief_hessian_lanczos (h, &settings, &pairs, NULL, NULL, cancel, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (pairs);
  }
  problem_clear (&p);
}

static void
cancel_at_twelve (gint64 hvps, gpointer user_data)
{
  /* the products count on from the Lanczos run before: 7 of them */
  if (hvps == 12)
    g_cancellable_cancel (user_data);
}

/* Too few steps: the pairs come back, flagged unconverged; a cancel from the progress
 * callback stops the next product. */
static void
test_limits (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefHessian) h = NULL;
  g_autoptr(ReliefEigenpairs) top = NULL;
  g_autoptr(ReliefSlqResult) slq = NULL;
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  ReliefLanczosSettings settings;
  ReliefLanczosInfo info;
  ReliefSlqSettings slq_settings;
  Problem p;

  problem_init (&p, &nets[0], RELIEF_ACT_TANH, RELIEF_LOSS_CROSS_ENTROPY, 60);
  h = problem_hessian (&p, be, CHUNK);
  relief_lanczos_settings_init_defaults (&settings);
  settings.k = 3;
  settings.max_iter = 4;
  settings.tol = 1e-8;
  g_assert_true (relief_hessian_lanczos (h, &settings, &top, NULL, &info, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (info.converged);
  g_assert_cmpint (info.iterations, ==, 4);
  g_assert_cmpint (top->n, ==, 3);
  g_assert_cmpfloat (top->residuals[0], >, 0);
  g_clear_pointer (&top, relief_eigenpairs_free);

  relief_hessian_set_progress (h, cancel_at_twelve, cancel);
  relief_slq_settings_init_defaults (&slq_settings);
  g_assert_false (relief_hessian_slq (h, &slq_settings, &slq, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (slq);
  g_assert_cmpint (relief_hessian_hvp_count (h), ==, 4 + 3 + 5);

  /* other parameters: the same products as an operator made at them */
  {
    g_autofree float *other = g_new (float, p.n);
    g_autofree float *v = g_new (float, p.n);
    g_autofree float *a = g_new (float, p.n);
    g_autofree float *b = g_new (float, p.n);
    g_autoptr(ReliefHessian) fresh = NULL;

    g_clear_error (&error);
    relief_hessian_set_progress (h, NULL, NULL);
    relief_rng_normal_fill (12, 0, other, p.n);
    relief_rng_normal_fill (13, 0, v, p.n);
    g_assert_true (relief_hessian_set_params_host (h, other, &error));
    g_assert_true (relief_hessian_hvp_host (h, v, a, &error));
    g_assert_no_error (error);
    fresh = relief_hessian_new (be, p.spec, other, p.x, p.y, N_SAMPLES, CHUNK, &error);
    g_assert_no_error (error);
    g_assert_true (relief_hessian_hvp_host (fresh, v, b, &error));
    g_assert_cmpmem (a, sizeof (float) * p.n, b, sizeof (float) * p.n);
    /* and back, from a buffer on the backend (host memory on the CPU) */
    g_assert_true (relief_hessian_set_params (fresh, p.params, &error));
    g_assert_true (relief_hessian_set_params_host (h, p.params, &error));
    g_assert_true (relief_hessian_hvp_host (fresh, v, a, &error));
    g_assert_true (relief_hessian_hvp_host (h, v, b, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (a, sizeof (float) * p.n, b, sizeof (float) * p.n);
  }
  problem_clear (&p);
}

/* Products at the same parameters reuse their forward and backward passes (the default):
 * bit for bit the products made whole, in chunks, for every activation's act'' path; and
 * after a move of the parameters, the new ones'. */
static void
test_caching (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();

  for (int act = RELIEF_ACT_RELU; act <= RELIEF_ACT_GELU; act++)
    {
      g_autoptr(ReliefHessian) cached = NULL;
      g_autoptr(ReliefHessian) whole = NULL;
      g_autoptr(GError) error = NULL;
      Problem p;

      problem_init (&p, &nets[1], act, RELIEF_LOSS_CROSS_ENTROPY, 20 + act);
      cached = problem_hessian (&p, be, CHUNK);
      whole = problem_hessian (&p, be, CHUNK);
      g_assert_true (relief_hessian_set_caching (cached, TRUE));
      g_assert_false (relief_hessian_set_caching (whole, FALSE));
      for (int round = 0; round < 2; round++)
        {
          for (int k = 0; k < 3; k++)
            {
              g_autofree float *v = g_new (float, p.n);
              g_autofree float *a = g_new (float, p.n);
              g_autofree float *b = g_new (float, p.n);

              relief_rng_normal_fill (100 + k, 0, v, p.n);
              g_assert_true (relief_hessian_hvp_host (cached, v, a, &error));
              g_assert_true (relief_hessian_hvp_host (whole, v, b, &error));
              g_assert_no_error (error);
              g_assert_cmpmem (a, sizeof (float) * p.n, b, sizeof (float) * p.n);
            }
          /* elsewhere: both move */
          for (gsize i = 0; i < p.n; i++)
            p.params[i] *= 0.5f;
          g_assert_true (relief_hessian_set_params_host (cached, p.params, &error));
          g_assert_true (relief_hessian_set_params_host (whole, p.params, &error));
          g_assert_no_error (error);
        }
      problem_clear (&p);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hessian/hvp-reference", test_hvp_reference);
  g_test_add_func ("/hessian/lapack", test_lapack);
  g_test_add_func ("/hessian/lanczos", test_lanczos);
  g_test_add_func ("/hessian/lanczos-eigenvector-start", test_lanczos_eigenvector_start);
  g_test_add_func ("/hessian/lanczos-low-rank", test_lanczos_low_rank);
  g_test_add_func ("/hessian/trace", test_trace);
  g_test_add_func ("/hessian/slq", test_slq);
  g_test_add_func ("/hessian/errors", test_errors);
  g_test_add_func ("/hessian/limits", test_limits);
  g_test_add_func ("/hessian/caching", test_caching);
  return g_test_run ();
}

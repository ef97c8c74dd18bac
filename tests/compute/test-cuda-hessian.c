/* test-cuda-hessian.c: the CUDA backend's Hessian-vector products, Lanczos and
 * Hutchinson trace against the CPU backend's on the same nets and samples.
 *
 * cuBLAS sums its products in another order than OpenBLAS, so the two agree to float
 * rounding, not bit for bit.  Exits 77 (skipped) when no CUDA device is usable. */
#include "relief-hessian.h"
#include "relief-rng.h"
#include "test-cuda-backends.h"

#include <math.h>

static ReliefBackend *cpu, *gpu;

#define N_SAMPLES 300

typedef struct {
  ReliefMlpSpec *spec;
  gsize n;
  float *params;
  float *x;
  int32_t *y;
} Problem;

static void
problem_init (Problem *p, ReliefActivation act, ReliefLoss loss, guint64 seed)
{
  static const int sizes[] = { 12, 16, 16, 5 };

  p->spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), act, loss);
  p->n = relief_mlp_spec_n_params (p->spec);
  p->params = g_new (float, p->n);
  relief_mlp_init_params (p->spec, seed, p->params);
  p->x = g_new (float, (gsize) N_SAMPLES * sizes[0]);
  p->y = g_new (int32_t, N_SAMPLES);
  relief_rng_normal_fill (seed + 1, 0, p->x, (gsize) N_SAMPLES * sizes[0]);
  for (int r = 0; r < N_SAMPLES; r++)
    p->y[r] = (int32_t) (relief_rng_uniform (seed + 2, r) * sizes[3]);
}

static void
problem_clear (Problem *p)
{
  relief_mlp_spec_free (p->spec);
  g_free (p->params);
  g_free (p->x);
  g_free (p->y);
}

static ReliefHessian *
hessian_on (ReliefBackend *be, Problem *p)
{
  g_autoptr(GError) error = NULL;
  /* chunks of 128: three of them, the last short */
  ReliefHessian *h = relief_hessian_new (be, p->spec, p->params, p->x, p->y, N_SAMPLES, 128, &error);

  g_assert_no_error (error);
  return h;
}

static void
test_hvp (void)
{
  for (int act = RELIEF_ACT_RELU; act <= RELIEF_ACT_GELU; act++)
    for (int loss = RELIEF_LOSS_CROSS_ENTROPY; loss <= RELIEF_LOSS_MSE; loss++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(ReliefHessian) hc = NULL;
        g_autoptr(ReliefHessian) hg = NULL;
        g_autofree float *v = NULL, *ref = NULL, *got = NULL;
        double scale = 0, worst = 0;
        Problem p;

        problem_init (&p, act, loss, 11 + act);
        hc = hessian_on (cpu, &p);
        hg = hessian_on (gpu, &p);
        v = g_new (float, p.n);
        ref = g_new (float, p.n);
        got = g_new (float, p.n);
        relief_rng_normal_fill (7, 0, v, p.n);
        g_assert_true (relief_hessian_hvp_host (hc, v, ref, &error));
        g_assert_true (relief_hessian_hvp_host (hg, v, got, &error));
        g_assert_no_error (error);
        for (gsize i = 0; i < p.n; i++)
          {
            scale = MAX (scale, fabs (ref[i]));
            worst = MAX (worst, fabs (ref[i] - got[i]));
          }
        g_test_message ("act %d loss %d: |Hv| %.3g, max diff %.3g", act, loss, scale, worst);
        g_assert_cmpfloat (scale, >, 0);
        g_assert_cmpfloat (worst, <=, 1e-4 * scale);
        problem_clear (&p);
      }
}

static void
test_spectra (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefHessian) hc = NULL;
  g_autoptr(ReliefHessian) hg = NULL;
  g_autoptr(ReliefEigenpairs) top_c = NULL, top_g = NULL, bottom_c = NULL, bottom_g = NULL;
  ReliefLanczosSettings settings;
  ReliefTraceResult trace_c, trace_g;
  Problem p;

  problem_init (&p, RELIEF_ACT_TANH, RELIEF_LOSS_CROSS_ENTROPY, 5);
  hc = hessian_on (cpu, &p);
  hg = hessian_on (gpu, &p);
  relief_lanczos_settings_init_defaults (&settings);
  settings.k = 3;
  settings.smallest = TRUE;
  settings.tol = 1e-5;
  g_assert_true (relief_hessian_lanczos (hc, &settings, &top_c, &bottom_c, NULL, NULL, &error));
  g_assert_true (relief_hessian_lanczos (hg, &settings, &top_g, &bottom_g, NULL, NULL, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    {
      double scale = fabs (top_c->values[0]);

      g_test_message ("lambda %d: cpu %.7g gpu %.7g; smallest cpu %.7g gpu %.7g", i, top_c->values[i],
                      top_g->values[i], bottom_c->values[i], bottom_g->values[i]);
      g_assert_cmpfloat (fabs (top_c->values[i] - top_g->values[i]), <=, 1e-4 * scale);
      g_assert_cmpfloat (fabs (bottom_c->values[i] - bottom_g->values[i]), <=, 1e-4 * scale);
      g_assert_cmpfloat (top_g->residuals[i], <=, 1e-3 * scale);
    }
  /* the same Rademacher probes on both: the same estimate to rounding */
  g_assert_true (relief_hessian_trace (hc, 0.0, 20, 20, 3, &trace_c, NULL, &error));
  g_assert_true (relief_hessian_trace (hg, 0.0, 20, 20, 3, &trace_g, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("trace: cpu %.7g +- %.3g, gpu %.7g +- %.3g", trace_c.trace, trace_c.stderr_, trace_g.trace,
                  trace_g.stderr_);
  g_assert_cmpfloat (fabs (trace_c.trace - trace_g.trace), <=, 1e-4 * (fabs (trace_c.trace) + trace_c.stderr_));
  problem_clear (&p);
}

int
main (int argc, char **argv)
{
  int status;

  if (!cuda_test_backends (&cpu, &gpu))
    return 77;
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/cuda/hessian/hvp", test_hvp);
  g_test_add_func ("/cuda/hessian/spectra", test_spectra);
  status = g_test_run ();
  relief_backend_free (gpu);
  relief_backend_free (cpu);
  return status;
}

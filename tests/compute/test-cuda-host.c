/* test-cuda-host.c: the CUDA kernels' element functions, run on the host, against the CPU
 * backend.  These are the very functions the kernels call, so this checks the arithmetic
 * of the CUDA backend (Philox, Box-Muller, activations, optimizers, loss rows) on machines
 * without a GPU; test-cuda.c checks the kernels themselves where a device exists. */
#include "relief-backend.h"
#include "relief-mlp.h"
#include "relief-rng.h"
#include "relief-train.h"
#include "cuda/relief-cuda-activations.h"
#include "cuda/relief-cuda-fwht.h"
#include "cuda/relief-cuda-gather.h"
#include "cuda/relief-cuda-losses.h"
#include "cuda/relief-cuda-optimizers.h"
#include "cuda/relief-cuda-random.h"
#include "cuda/relief-cuda-sparse.h"
#include "relief-enums.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

static const gsize sizes[] = { 1, 37, 1000, 4099 };

static ReliefBackend *
cpu_backend (void)
{
  g_autoptr(GError) error = NULL;
  ReliefBackend *be = relief_backend_new ("cpu", &error);

  g_assert_no_error (error);
  return be;
}

static double
max_abs_diff (const float *a, const float *b, gsize n)
{
  double worst = 0.0;

  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs ((double) a[i] - b[i]));
  return worst;
}

/* The same (seed, offset + i) gives the same float on both sides, bit for bit. */
static void
test_random_normal (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gsize n = sizes[s];
      guint64 seed = G_GUINT64_CONSTANT (0x123456789ABCDEF) + s, offset = G_GUINT64_CONSTANT (1) << 33;
      g_autofree float *cpu = g_new (float, n);
      g_autofree float *cuda = g_new (float, n);

      relief_rng_normal_fill (seed, offset, cpu, n);
      relief_cuda_host_random_normal (cuda, n, seed, offset);
      g_test_message ("random_normal n=%" G_GSIZE_FORMAT ": max diff %g", n, max_abs_diff (cpu, cuda, n));
      g_assert_cmpmem (cpu, sizeof (float) * n, cuda, sizeof (float) * n);
    }
}

static void
test_activations (void)
{
  static const ReliefActivation acts[] = { RELIEF_ACT_RELU, RELIEF_ACT_LEAKY_RELU, RELIEF_ACT_TANH, RELIEF_ACT_GELU };
  static const ReliefCudaActivation cuda_acts[] = { RELIEF_CUDA_ACT_RELU, RELIEF_CUDA_ACT_LEAKY_RELU,
                                                    RELIEF_CUDA_ACT_TANH, RELIEF_CUDA_ACT_GELU };
  g_autoptr(ReliefBackend) cpu = cpu_backend ();
  gsize n = 4099;
  g_autofree float *x = g_new (float, n);
  g_autofree float *dy = g_new (float, n);
  g_autofree float *ref = g_new (float, n);
  g_autofree float *got = g_new (float, n);

  relief_rng_uniform_fill (1, 0, -6.0f, 6.0f, x, n);
  relief_rng_uniform_fill (2, 0, -1.0f, 1.0f, dy, n);
  x[0] = 0.0f;
  for (guint a = 0; a < G_N_ELEMENTS (acts); a++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (cpu->act_forward (cpu, acts[a], x, ref, n, &error));
      g_assert_no_error (error);
      relief_cuda_host_act_forward (cuda_acts[a], x, got, n);
      g_test_message ("%s forward: max diff %g", relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, acts[a]),
                      max_abs_diff (ref, got, n));
      g_assert_cmpmem (ref, sizeof (float) * n, got, sizeof (float) * n);

      g_assert_true (cpu->act_backward (cpu, acts[a], x, dy, ref, n, &error));
      g_assert_no_error (error);
      relief_cuda_host_act_backward (cuda_acts[a], x, dy, got, n);
      g_test_message ("%s backward: max diff %g", relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, acts[a]),
                      max_abs_diff (ref, got, n));
      g_assert_cmpmem (ref, sizeof (float) * n, got, sizeof (float) * n);

      /* the R-operator of the derivative, with dy and x standing in for rdy and rx */
      g_assert_true (cpu->act_r_backward (cpu, acts[a], x, dy, got, x, ref, n, &error));
      g_assert_no_error (error);
      {
        g_autofree float *rdy = g_memdup2 (got, sizeof (float) * n);

        relief_cuda_host_act_r_backward (cuda_acts[a], x, dy, rdy, x, got, n);
      }
      g_test_message ("%s R-backward: max diff %g", relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, acts[a]),
                      max_abs_diff (ref, got, n));
      g_assert_cmpmem (ref, sizeof (float) * n, got, sizeof (float) * n);
    }
}

/* Five steps of each optimizer with weight decay; the CUDA side gets the bias
 * corrections the way cuda/relief-backend-cuda.c computes them. */
static void
test_optimizers (void)
{
  static const ReliefOptimizerKind kinds[] = { RELIEF_OPT_SGD, RELIEF_OPT_MOMENTUM, RELIEF_OPT_NESTEROV,
                                               RELIEF_OPT_ADAM, RELIEF_OPT_ADAMW, RELIEF_OPT_ADAGRAD,
                                               RELIEF_OPT_RMSPROP, RELIEF_OPT_SIGN };
  static const ReliefCudaOptimizer cuda_kinds[] = { RELIEF_CUDA_OPT_SGD, RELIEF_CUDA_OPT_MOMENTUM,
                                                    RELIEF_CUDA_OPT_NESTEROV, RELIEF_CUDA_OPT_ADAM,
                                                    RELIEF_CUDA_OPT_ADAMW, RELIEF_CUDA_OPT_ADAGRAD,
                                                    RELIEF_CUDA_OPT_RMSPROP, RELIEF_CUDA_OPT_SIGN };
  g_autoptr(ReliefBackend) cpu = cpu_backend ();
  gsize n = 1000;

  G_STATIC_ASSERT (G_N_ELEMENTS (kinds) == G_N_ELEMENTS (cuda_kinds));
  /* momentum 0 too: rmsprop and sign descent then take their plain form */
  for (guint k = 0; k < 2 * G_N_ELEMENTS (kinds); k++)
    {
      ReliefOptimizerConfig cfg = { kinds[k / 2], 0.01f, k % 2 ? 0.0f : 0.9f, 0.05f, 0.9f, 0.999f, 1e-8f };
      g_autofree float *params_cpu = g_new (float, n);
      g_autofree float *params_cuda = g_new (float, n);
      g_autofree float *grad = g_new (float, n);
      g_autofree float *state_cpu = g_new0 (float, 2 * n);
      g_autofree float *state_cuda = g_new0 (float, 2 * n);
      g_autofree float *params_counted = g_new (float, n);
      g_autofree float *state_counted = g_new0 (float, 2 * n);

      relief_rng_normal_fill (3, 0, params_cpu, n);
      memcpy (params_cuda, params_cpu, sizeof (float) * n);
      memcpy (params_counted, params_cpu, sizeof (float) * n);
      for (gint64 step = 1; step <= 5; step++)
        {
          g_autoptr(GError) error = NULL;
          ReliefCudaOptimizerArgs args = {
            .kind = cuda_kinds[k / 2], .lr = cfg.lr, .weight_decay = cfg.weight_decay, .momentum = cfg.momentum,
            .beta1 = cfg.beta1, .beta2 = cfg.beta2, .eps = cfg.eps,
            .step_size = (float) (cfg.lr / (1.0 - pow (cfg.beta1, (double) step))),
            .bc2_sqrt = (float) sqrt (1.0 - pow (cfg.beta2, (double) step)),
          };
          /* A replayed graph's update: the corrections derived from a counted step. */
          ReliefCudaOptimizerArgs counted = args;
          long long count = step;

          counted.step_size = counted.bc2_sqrt = NAN;
          relief_rng_normal_fill (4, (guint64) step * n, grad, n);
          /* The CPU reads its step from "device" memory too, on odd steps. */
          g_assert_true (cpu->optimizer_step (cpu, &cfg, step % 2 ? 0 : step, step % 2 ? &step : NULL,
                                              params_cpu, grad, state_cpu, n, &error));
          g_assert_no_error (error);
          relief_cuda_host_optimizer_step (&args, NULL, params_cuda, grad, state_cuda, n);
          relief_cuda_host_optimizer_step (&counted, &count, params_counted, grad, state_counted, n);
        }
      g_assert_cmpmem (params_cpu, sizeof (float) * n, params_counted, sizeof (float) * n);
      g_assert_cmpmem (state_cpu, sizeof (float) * 2 * n, state_counted, sizeof (float) * 2 * n);
      g_test_message ("%s (momentum %g): max diff %g", relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, kinds[k / 2]),
                      cfg.momentum, max_abs_diff (params_cpu, params_cuda, n));
      g_assert_cmpmem (params_cpu, sizeof (float) * n, params_cuda, sizeof (float) * n);
      g_assert_cmpmem (state_cpu, sizeof (float) * 2 * n, state_cuda, sizeof (float) * 2 * n);
    }
}

/* Row by row, the loss, correctness and gradient of both losses equal the CPU's. */
static void
test_loss_rows (void)
{
  static const int widths[] = { 1, 3, 10, 37 };
  g_autoptr(ReliefBackend) cpu = cpu_backend ();
  int rows = 41;

  for (int kind = RELIEF_LOSS_CROSS_ENTROPY; kind <= RELIEF_LOSS_MSE; kind++)
    for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
      {
        int cols = widths[w], cpu_correct, cuda_correct = 0;
        g_autoptr(GError) error = NULL;
        g_autofree float *logits = g_new (float, rows * cols);
        g_autofree float *dcpu = g_new (float, rows * cols);
        g_autofree float *dcuda = g_new (float, rows * cols);
        g_autofree int32_t *labels = g_new (int32_t, rows);
        double cpu_sum, cuda_sum = 0.0;

        relief_rng_normal_fill (5 + w, 0, logits, (gsize) rows * cols);
        for (int r = 0; r < rows; r++)
          labels[r] = (r * 7) % cols;
        /* A tie: the lowest index wins on both sides. */
        logits[0] = logits[cols - 1];
        g_assert_true (cpu->loss (cpu, kind, logits, labels, rows, cols, 64, dcpu, &cpu_sum, &cpu_correct, &error));
        g_assert_no_error (error);
        for (int r = 0; r < rows; r++)
          {
            int correct, label_ok;

            cuda_sum += relief_cuda_host_loss_row (kind == RELIEF_LOSS_MSE ? RELIEF_CUDA_LOSS_MSE
                                                                             : RELIEF_CUDA_LOSS_CROSS_ENTROPY,
                                                   logits + r * cols, labels[r], cols, 64, dcuda + r * cols,
                                                   &correct, &label_ok);
            g_assert_true (label_ok);
            cuda_correct += correct;
          }
        g_test_message ("%s, %d columns: loss %g vs %g, gradient max diff %g",
                        relief_enum_to_nick (RELIEF_TYPE_LOSS, kind), cols,
                        cpu_sum, cuda_sum, max_abs_diff (dcpu, dcuda, (gsize) rows * cols));
        g_assert_cmpfloat (cpu_sum, ==, cuda_sum);
        g_assert_cmpint (cpu_correct, ==, cuda_correct);
        g_assert_cmpmem (dcpu, sizeof (float) * rows * cols, dcuda, sizeof (float) * rows * cols);
      }
}

/* The loss's R-backward (its Hessian in the logits times a vector), row by row. */
static void
test_loss_r_rows (void)
{
  g_autoptr(ReliefBackend) cpu = cpu_backend ();
  int rows = 23, cols = 11;

  for (int kind = RELIEF_LOSS_CROSS_ENTROPY; kind <= RELIEF_LOSS_MSE; kind++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree float *logits = g_new (float, rows * cols);
      g_autofree float *r = g_new (float, rows * cols);
      g_autofree float *ref = g_new (float, rows * cols);
      g_autofree float *got = g_new (float, rows * cols);

      relief_rng_normal_fill (31, 0, logits, (gsize) rows * cols);
      relief_rng_normal_fill (32, 0, r, (gsize) rows * cols);
      g_assert_true (cpu->loss_r_backward (cpu, kind, logits, r, rows, cols, 40, ref, &error));
      g_assert_no_error (error);
      for (int row = 0; row < rows; row++)
        relief_cuda_host_loss_r_row (kind == RELIEF_LOSS_MSE ? RELIEF_CUDA_LOSS_MSE : RELIEF_CUDA_LOSS_CROSS_ENTROPY,
                                     logits + row * cols, r + row * cols, cols, 40, got + row * cols);
      g_assert_cmpmem (ref, sizeof (float) * rows * cols, got, sizeof (float) * rows * cols);
    }
}

static void
test_bad_label (void)
{
  float logits[3] = { 0.0f, 1.0f, 2.0f };
  int correct = 1, label_ok = 1;

  g_assert_cmpfloat (relief_cuda_host_loss_row (RELIEF_CUDA_LOSS_CROSS_ENTROPY, logits, 3, 3, 1, NULL,
                                                &correct, &label_ok), ==, 0.0);
  g_assert_false (label_ok);
  g_assert_false (correct);
  relief_cuda_host_loss_row (RELIEF_CUDA_LOSS_MSE, logits, -1, 3, 1, NULL, &correct, &label_ok);
  g_assert_false (label_ok);
}

/* Without a device, asking for CUDA is an error that says why, and auto falls back. */
/* The device transform's two phases (shared-memory chunks, then whole-array levels) in
 * the launcher's order, against the CPU backend's blocked transform: the same sums in the
 * same order, so the same bits; n = 16384 needs both phases. */
static void
test_fwht (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  const gsize ns[] = { 1, 2, 64, 4096, 16384 };

  for (guint t = 0; t < G_N_ELEMENTS (ns); t++)
    {
      gsize n = ns[t], count = 2;
      g_autofree float *cpu = g_new (float, n * count), *cuda = g_new (float, n * count);

      relief_rng_uniform_fill (40 + t, 0, -1.0f, 1.0f, cpu, n * count);
      memcpy (cuda, cpu, sizeof (float) * n * count);
      g_assert_true (be->fwht (be, cpu, n, count, NULL));
      relief_cuda_host_fwht (cuda, n, count);
      g_test_message ("fwht n=%" G_GSIZE_FORMAT ": max diff %g", n, max_abs_diff (cpu, cuda, n * count));
      g_assert_cmpfloat (max_abs_diff (cpu, cuda, n * count), <=, 1e-5 * sqrt ((double) n));
    }
}

static void
test_csr_and_gather (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  const int rows = 37, cols = 1000;
  g_autofree gint64 *ptr = g_new (gint64, rows + 1);
  g_autofree int32_t *idx = g_new (int32_t, rows * 8);
  g_autofree float *val = g_new (float, rows * 8), *x = g_new (float, cols);
  g_autofree float *y_cpu = g_new (float, rows), *y_cuda = g_new (float, rows);
  g_autofree float *scale = g_new (float, cols), *g_cpu = g_new (float, cols), *g_cuda = g_new (float, cols);
  g_autofree int32_t *perm = g_new (int32_t, cols);

  for (int r = 0; r <= rows; r++)
    ptr[r] = (gint64) r * 8;
  for (int k = 0; k < rows * 8; k++)
    {
      idx[k] = (int32_t) (relief_rng_uniform (50, k) * cols);
      val[k] = relief_rng_normal (51, k);
    }
  relief_rng_uniform_fill (52, 0, -1.0f, 1.0f, x, cols);
  relief_rng_uniform_fill (53, 0, -1.0f, 1.0f, y_cpu, rows);
  memcpy (y_cuda, y_cpu, sizeof (float) * rows);
  g_assert_true (be->csr_matvec (be, rows, ptr[rows], ptr, idx, val, x, 1.0f, y_cpu, NULL));
  relief_cuda_host_csr_matvec (rows, ptr[rows], (const long long *) ptr, idx, val, x, 1.0f, y_cuda);
  g_assert_cmpmem (y_cpu, sizeof (float) * rows, y_cuda, sizeof (float) * rows);

  /* Rows of 40 entries go a warp per row: the same sums in another order. */
  {
    const int long_rows = 9, per_row = 40;
    g_autofree gint64 *lptr = g_new (gint64, long_rows + 1);
    g_autofree int32_t *lidx = g_new (int32_t, long_rows * per_row);
    g_autofree float *lval = g_new (float, long_rows * per_row);
    float a[9], b[9];

    for (int r = 0; r <= long_rows; r++)
      lptr[r] = (gint64) r * per_row;
    for (int k = 0; k < long_rows * per_row; k++)
      {
        lidx[k] = (int32_t) (relief_rng_uniform (56, k) * cols);
        lval[k] = relief_rng_normal (57, k);
      }
    g_assert_true (be->csr_matvec (be, long_rows, lptr[long_rows], lptr, lidx, lval, x, 0.0f, a, NULL));
    relief_cuda_host_csr_matvec (long_rows, lptr[long_rows], (const long long *) lptr, lidx, lval, x, 0.0f, b);
    g_test_message ("csr, a warp per row: max diff %g", max_abs_diff (a, b, long_rows));
    g_assert_cmpfloat (max_abs_diff (a, b, long_rows), <, 1e-5);
  }

  relief_rng_permutation (54, 0, (int *) perm, cols);
  relief_rng_uniform_fill (55, 0, -2.0f, 2.0f, scale, cols);
  g_assert_true (be->gather_scale (be, cols, x, perm, scale, 0.5f, g_cpu, NULL));
  relief_cuda_host_gather_scale (cols, x, perm, scale, 0.5f, g_cuda);
  g_assert_cmpmem (g_cpu, sizeof (float) * cols, g_cuda, sizeof (float) * cols);
}

static void
test_lookup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefBackend) cuda = relief_backend_new ("cuda", &error);
  g_autoptr(ReliefBackend) autopicked = relief_backend_new ("auto", NULL);

  g_assert_nonnull (autopicked);
  if (cuda != NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (cuda->name, ==, "cuda");
      g_assert_cmpstr (autopicked->name, ==, "cuda");
    }
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_assert_true (g_str_has_prefix (error->message, "No usable CUDA device: "));
      g_test_message ("%s", error->message);
      g_assert_cmpstr (autopicked->name, ==, "cpu");
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/cuda/host/random-normal", test_random_normal);
  g_test_add_func ("/cuda/host/activations", test_activations);
  g_test_add_func ("/cuda/host/optimizers", test_optimizers);
  g_test_add_func ("/cuda/host/loss-rows", test_loss_rows);
  g_test_add_func ("/cuda/host/loss-r-rows", test_loss_r_rows);
  g_test_add_func ("/cuda/host/bad-label", test_bad_label);
  g_test_add_func ("/cuda/host/fwht", test_fwht);
  g_test_add_func ("/cuda/host/csr-and-gather", test_csr_and_gather);
  g_test_add_func ("/cuda/host/lookup", test_lookup);
  return g_test_run ();
}

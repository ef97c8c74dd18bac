/* test-cuda.c: every operation of the CUDA backend against the CPU backend, on random
 * inputs of sizes 1, odd, and larger than a block, printing the largest difference.
 * Exits 77 (skipped) when no CUDA device is usable. */
#include "test-cuda-backends.h"
#include "relief-backend.h"
#include "relief-mlp.h"
#include "relief-race.h"
#include "relief-rng.h"
#include "relief-train.h"
#include "relief-enums.h"

#include <gio/gio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const int sizes[] = { 1, 37, 1000, 4099 };

static ReliefBackend *cpu, *gpu;

/* ---- helpers: device buffers filled from host data, read back, compared ---- */

static gpointer
gpu_from (gconstpointer host, gsize bytes)
{
  g_autoptr(GError) error = NULL;
  gpointer buf = gpu->alloc (gpu, bytes, &error);

  g_assert_no_error (error);
  g_assert_true (gpu->upload (gpu, buf, host, bytes, &error));
  g_assert_no_error (error);
  return buf;
}

static void
gpu_read (gpointer host, gconstpointer dev, gsize bytes)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gpu->download (gpu, host, dev, bytes, &error));
  g_assert_no_error (error);
}

static float *
random_floats (guint64 seed, gsize n)
{
  float *x = g_new (float, MAX (n, 1));

  relief_rng_uniform_fill (seed, 0, -2.0f, 2.0f, x, n);
  return x;
}

/* max |cpu - gpu| / (1 + max |cpu|): relative to the data's scale, absolute near zero. */
static double
compare (const char *what, const float *cpu_out, const float *gpu_dev, gsize n)
{
  g_autofree float *got = g_new (float, MAX (n, 1));
  double worst = 0.0, scale = 0.0;

  gpu_read (got, gpu_dev, sizeof (float) * n);
  for (gsize i = 0; i < n; i++)
    {
      if (isnan (cpu_out[i]) != isnan (got[i]))
        g_error ("%s: element %" G_GSIZE_FORMAT " is %g on the CPU and %g on the GPU", what, i, cpu_out[i], got[i]);
      worst = MAX (worst, fabs ((double) cpu_out[i] - got[i]));
      scale = MAX (scale, fabs (cpu_out[i]));
    }
  worst /= 1.0 + scale;
  g_test_message ("%s: largest difference %.3g", what, worst);
  return worst;
}

#define OK(call) G_STMT_START { g_autoptr(GError) ok_error = NULL; \
  g_assert_true (call); g_assert_no_error (ok_error); } G_STMT_END
#define E (&ok_error)

/* ---- memory ---- */

static void
test_memory (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gsize n = sizes[s];
      g_autofree float *host = random_floats (s, n);
      g_autofree float *zeros = g_new0 (float, n);
      g_autofree float *back = g_new (float, n);
      float *fresh, *a, *b;

      {
        g_autoptr(GError) error = NULL;

        fresh = gpu->alloc (gpu, sizeof (float) * n, &error);
        g_assert_no_error (error);
      }
      gpu_read (back, fresh, sizeof (float) * n);
      g_assert_cmpmem (back, sizeof (float) * n, zeros, sizeof (float) * n);

      a = gpu_from (host, sizeof (float) * n);
      b = gpu_from (zeros, sizeof (float) * n);
      OK (gpu->copy (gpu, b, a, sizeof (float) * n, E));
      OK (gpu->sync (gpu, E));
      gpu_read (back, b, sizeof (float) * n);
      g_assert_cmpmem (back, sizeof (float) * n, host, sizeof (float) * n);
      gpu->free (gpu, fresh);
      gpu->free (gpu, a);
      gpu->free (gpu, b);
    }
}

/* An allocation that cannot fit is G_IO_ERROR_NO_SPACE, and the backend stays usable;
 * bad arguments are INVALID_ARGUMENT as on the CPU. */
static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  float one = 1.0f, back = 0.0f;
  float *buf;

  g_assert_null (gpu->alloc (gpu, (gsize) 1 << 52, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  buf = gpu_from (&one, sizeof one);
  gpu_read (&back, buf, sizeof back);
  g_assert_cmpfloat (back, ==, 1.0f);

  g_assert_false (gpu->gemm (gpu, FALSE, FALSE, -1, 1, 1, 1.0f, buf, 1, buf, 1, 0.0f, buf, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (gpu->act_forward (gpu, (ReliefActivation) 99, buf, buf, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  {
    ReliefOptimizerConfig cfg = { RELIEF_OPT_SGD, 0.1f };

    g_assert_false (gpu->optimizer_step (gpu, &cfg, 0, NULL, buf, buf, buf, 1, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
  gpu->free (gpu, buf);
}

/* ---- gemm ---- */

/* One product of shape (m, n, k) with padded leading dimensions, both sides. */
static void
check_gemm (gboolean ta, gboolean tb, int m, int n, int k, int batch)
{
  /* Stored shapes: A is [m,k] or [k,m] row-major, B is [k,n] or [n,k]; 3 columns of
   * padding on every leading dimension catch a swapped ld. */
  int a_rows = ta ? k : m, a_cols = ta ? m : k, b_rows = tb ? n : k, b_cols = tb ? k : n;
  int lda = a_cols + 3, ldb = b_cols + 3, ldc = n + 3;
  gint64 sa = (gint64) a_rows * lda + 5, sb = (gint64) b_rows * ldb + 7, sc = (gint64) m * ldc + 2;
  gsize na = (gsize) sa * batch, nb = (gsize) sb * batch, nc = (gsize) sc * batch;
  g_autofree float *a = random_floats (11, na);
  g_autofree float *b = random_floats (12, nb);
  g_autofree float *c = random_floats (13, nc);
  g_autofree char *what = g_strdup_printf ("gemm%s %c%c m=%d n=%d k=%d", batch > 1 ? " batched" : "",
                                           ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k);
  float *da = gpu_from (a, sizeof (float) * na);
  float *db = gpu_from (b, sizeof (float) * nb);
  float *dc = gpu_from (c, sizeof (float) * nc);

  if (batch > 1)
    {
      OK (cpu->gemm_strided_batched (cpu, ta, tb, m, n, k, 0.75f, a, lda, sa, b, ldb, sb, 0.5f, c, ldc, sc,
                                     batch, E));
      OK (gpu->gemm_strided_batched (gpu, ta, tb, m, n, k, 0.75f, da, lda, sa, db, ldb, sb, 0.5f, dc, ldc, sc,
                                     batch, E));
    }
  else
    {
      OK (cpu->gemm (cpu, ta, tb, m, n, k, 0.75f, a, lda, b, ldb, 0.5f, c, ldc, E));
      OK (gpu->gemm (gpu, ta, tb, m, n, k, 0.75f, da, lda, db, ldb, 0.5f, dc, ldc, E));
    }
  /* Padding included: the GPU must not have written outside the matrices either. */
  g_assert_cmpfloat (compare (what, c, dc, nc), <, 1e-5 * sqrt (k));
  gpu->free (gpu, da);
  gpu->free (gpu, db);
  gpu->free (gpu, dc);
}

static void
test_gemm (void)
{
  static const int shapes[][3] = { { 1, 1, 1 }, { 37, 1, 5 }, { 1, 37, 1000 }, { 37, 41, 129 },
                                   { 128, 200, 784 }, { 5, 7, 4099 } };

  for (int t = 0; t < 4; t++)
    for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
      {
        check_gemm (t & 1, t & 2, shapes[s][0], shapes[s][1], shapes[s][2], 1);
        check_gemm (t & 1, t & 2, shapes[s][0], shapes[s][1], shapes[s][2], 3);
      }
}

/* ---- elementwise ---- */

static void
test_elementwise (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gsize n = sizes[s];
      g_autofree float *x = random_floats (20 + s, n);
      g_autofree float *y = random_floats (30 + s, n);
      g_autofree float *a = random_floats (40 + s, n);
      g_autofree float *out = g_new (float, n);
      float *dx = gpu_from (x, sizeof (float) * n);
      float *dy = gpu_from (y, sizeof (float) * n);
      float *da = gpu_from (a, sizeof (float) * n);
      float *dout = gpu_from (out, sizeof (float) * n);
      g_autofree char *label = NULL;

      OK (cpu->axpby_add (cpu, n, a, 0.3f, x, -1.7f, y, out, E));
      OK (gpu->axpby_add (gpu, n, da, 0.3f, dx, -1.7f, dy, dout, E));
      label = g_strdup_printf ("axpby_add n=%" G_GSIZE_FORMAT, n);
      g_assert_cmpfloat (compare (label, out, dout, n), <, 1e-6);

      OK (cpu->axpy (cpu, n, -0.6f, x, y, E));
      OK (gpu->axpy (gpu, n, -0.6f, dx, dy, E));
      g_free (label);
      label = g_strdup_printf ("axpy n=%" G_GSIZE_FORMAT, n);
      g_assert_cmpfloat (compare (label, y, dy, n), <, 1e-6);

      OK (cpu->scale (cpu, x, n, 1.5f, E));
      OK (gpu->scale (gpu, dx, n, 1.5f, E));
      g_free (label);
      label = g_strdup_printf ("scale n=%" G_GSIZE_FORMAT, n);
      g_assert_cmpfloat (compare (label, x, dx, n), <, 1e-6);

      OK (cpu->fill (cpu, a, n, -3.25f, E));
      OK (gpu->fill (gpu, da, n, -3.25f, E));
      g_free (label);
      label = g_strdup_printf ("fill n=%" G_GSIZE_FORMAT, n);
      g_assert_cmpfloat (compare (label, a, da, n), ==, 0.0);

      gpu->free (gpu, dx);
      gpu->free (gpu, dy);
      gpu->free (gpu, da);
      gpu->free (gpu, dout);
    }
}

static void
test_add_bias_and_col_sum (void)
{
  static const int cols_list[] = { 1, 37, 200 };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint c = 0; c < G_N_ELEMENTS (cols_list); c++)
      {
        int rows = sizes[s], cols = cols_list[c];
        gsize n = (gsize) rows * cols;
        g_autofree float *x = random_floats (50 + s, n);
        g_autofree float *bias = random_floats (60 + c, cols);
        g_autofree float *sums = g_new (float, cols);
        g_autofree char *label = g_strdup_printf ("add_bias %dx%d", rows, cols);
        g_autofree char *label2 = g_strdup_printf ("col_sum %dx%d", rows, cols);
        float *dx = gpu_from (x, sizeof (float) * n);
        float *dbias = gpu_from (bias, sizeof (float) * cols);
        float *dsums = gpu_from (sums, sizeof (float) * cols);

        OK (cpu->add_bias (cpu, x, bias, rows, cols, E));
        OK (gpu->add_bias (gpu, dx, dbias, rows, cols, E));
        g_assert_cmpfloat (compare (label, x, dx, n), ==, 0.0);
        /* Same summation order on both sides: equal, not just close. */
        OK (cpu->col_sum (cpu, x, rows, cols, sums, E));
        OK (gpu->col_sum (gpu, dx, rows, cols, dsums, E));
        g_assert_cmpfloat (compare (label2, sums, dsums, cols), <, 1e-6);
        gpu->free (gpu, dx);
        gpu->free (gpu, dbias);
        gpu->free (gpu, dsums);
      }
}

static void
test_activations (void)
{
  for (ReliefActivation act = RELIEF_ACT_RELU; act <= RELIEF_ACT_GELU; act++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        gsize n = sizes[s];
        g_autofree float *x = random_floats (70 + s, n);
        g_autofree float *dy = random_floats (80 + s, n);
        g_autofree float *y = g_new (float, n);
        g_autofree float *dx = g_new (float, n);
        g_autofree char *fwd = g_strdup_printf ("%s forward n=%" G_GSIZE_FORMAT,
                                                relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, act), n);
        g_autofree char *bwd = g_strdup_printf ("%s backward n=%" G_GSIZE_FORMAT,
                                                relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, act), n);
        float *d_x, *d_dy, *d_y, *d_dx;

        x[0] = 0.0f;
        d_x = gpu_from (x, sizeof (float) * n);
        d_dy = gpu_from (dy, sizeof (float) * n);
        d_y = gpu_from (y, sizeof (float) * n);
        d_dx = gpu_from (dx, sizeof (float) * n);
        OK (cpu->act_forward (cpu, act, x, y, n, E));
        OK (gpu->act_forward (gpu, act, d_x, d_y, n, E));
        /* tanhf and erff may differ by an ulp or two between libm and CUDA. */
        g_assert_cmpfloat (compare (fwd, y, d_y, n), <, 1e-6);
        OK (cpu->act_backward (cpu, act, x, dy, dx, n, E));
        OK (gpu->act_backward (gpu, act, d_x, d_dy, d_dx, n, E));
        g_assert_cmpfloat (compare (bwd, dx, d_dx, n), <, 1e-6);
        gpu->free (gpu, d_x);
        gpu->free (gpu, d_dy);
        gpu->free (gpu, d_y);
        gpu->free (gpu, d_dx);
      }
}

/* ---- reductions and losses ---- */

static void
test_dot (void)
{
  static const gsize big[] = { 1, 37, 1000, 4099, 1000003 };

  for (guint s = 0; s < G_N_ELEMENTS (big); s++)
    {
      gsize n = big[s];
      g_autofree float *x = random_floats (90 + s, n);
      g_autofree float *y = random_floats (91 + s, n);
      float *dx = gpu_from (x, sizeof (float) * n);
      float *dy = gpu_from (y, sizeof (float) * n);
      double ref, got, bound = 0.0;

      for (gsize i = 0; i < n; i++)
        bound += fabs ((double) x[i] * y[i]);
      OK (cpu->dot (cpu, n, x, y, &ref, E));
      OK (gpu->dot (gpu, n, dx, dy, &got, E));
      g_test_message ("dot n=%" G_GSIZE_FORMAT ": %.17g vs %.17g, difference %.3g", n, ref, got, fabs (ref - got));
      g_assert_cmpfloat (fabs (ref - got), <=, 1e-12 * bound);
      gpu->free (gpu, dx);
      gpu->free (gpu, dy);
    }
}

static void
test_loss (void)
{
  static const int widths[] = { 1, 10, 37 };

  for (int kind = RELIEF_LOSS_CROSS_ENTROPY; kind <= RELIEF_LOSS_MSE; kind++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
        {
          int rows = sizes[s], cols = widths[w], correct_cpu, correct_gpu;
          gsize n = (gsize) rows * cols;
          g_autofree float *logits = random_floats (100 + s * 3 + w, n);
          g_autofree float *dlogits = g_new (float, n);
          g_autofree int32_t *labels = g_new (int32_t, rows);
          g_autofree char *label = g_strdup_printf ("%s gradient %dx%d", relief_enum_to_nick (RELIEF_TYPE_LOSS, kind),
                                                    rows, cols);
          float *d_logits, *d_dlogits;
          int32_t *d_labels;
          double sum_cpu, sum_gpu;

          for (int r = 0; r < rows; r++)
            labels[r] = (int32_t) ((r * 7 + 3) % cols);
          d_logits = gpu_from (logits, sizeof (float) * n);
          d_dlogits = gpu_from (dlogits, sizeof (float) * n);
          d_labels = gpu_from (labels, sizeof (int32_t) * rows);
          OK (cpu->loss (cpu, kind, logits, labels, rows, cols, rows, dlogits, &sum_cpu, &correct_cpu, E));
          OK (gpu->loss (gpu, kind, d_logits, d_labels, rows, cols, rows, d_dlogits, &sum_gpu, &correct_gpu, E));
          g_test_message ("%s loss %dx%d: %.17g vs %.17g", relief_enum_to_nick (RELIEF_TYPE_LOSS, kind), rows, cols,
                          sum_cpu, sum_gpu);
          g_assert_cmpfloat (fabs (sum_cpu - sum_gpu), <=, 1e-12 * (1.0 + fabs (sum_cpu)));
          g_assert_cmpint (correct_cpu, ==, correct_gpu);
          g_assert_cmpfloat (compare (label, dlogits, d_dlogits, n), <, 1e-6);

          /* Without a gradient, and with a label out of range: the same error as the CPU's. */
          OK (gpu->loss (gpu, kind, d_logits, d_labels, rows, cols, 0, NULL, &sum_gpu, &correct_gpu, E));
          g_assert_cmpfloat (fabs (sum_cpu - sum_gpu), <=, 1e-12 * (1.0 + fabs (sum_cpu)));
          labels[rows - 1] = cols;
          OK (gpu->upload (gpu, d_labels, labels, sizeof (int32_t) * rows, E));
          {
            g_autoptr(GError) cpu_error = NULL, gpu_error = NULL;

            g_assert_false (cpu->loss (cpu, kind, logits, labels, rows, cols, rows, dlogits, &sum_cpu,
                                       &correct_cpu, &cpu_error));
            g_assert_false (gpu->loss (gpu, kind, d_logits, d_labels, rows, cols, rows, d_dlogits, &sum_gpu,
                                       &correct_gpu, &gpu_error));
            g_assert_error (gpu_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
            g_assert_cmpstr (gpu_error->message, ==, cpu_error->message);
          }
          gpu->free (gpu, d_logits);
          gpu->free (gpu, d_dlogits);
          gpu->free (gpu, d_labels);
        }
}

/* ---- gathers, optimizers, random numbers ---- */

static void
test_gather (void)
{
  int src_rows = 4099, cols = 37;
  g_autofree float *src = random_floats (110, (gsize) src_rows * cols);
  g_autofree int32_t *labels = g_new (int32_t, src_rows);
  float *d_src;
  int32_t *d_labels;

  for (int r = 0; r < src_rows; r++)
    labels[r] = r * 3 + 1;
  d_src = gpu_from (src, sizeof (float) * src_rows * cols);
  d_labels = gpu_from (labels, sizeof (int32_t) * src_rows);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int n = sizes[s];
      g_autofree int *idx = g_new (int, n);
      g_autofree float *rows = g_new (float, (gsize) n * cols);
      g_autofree int32_t *picked = g_new (int32_t, n);
      g_autofree int32_t *got = g_new (int32_t, n);
      g_autofree char *label = g_strdup_printf ("gather_rows n=%d", n);
      float *d_rows = gpu_from (rows, sizeof (float) * n * cols);
      int32_t *d_picked = gpu_from (picked, sizeof (int32_t) * n);
      int *d_idx;

      for (int i = 0; i < n; i++)
        idx[i] = (int) (relief_rng_uniform (120 + s, i) * src_rows);
      idx[0] = src_rows - 1;
      d_idx = gpu_from (idx, sizeof (int) * n);
      OK (cpu->gather_rows (cpu, src, cols, idx, n, rows, E));
      OK (gpu->gather_rows (gpu, d_src, cols, d_idx, n, d_rows, E));
      g_assert_cmpfloat (compare (label, rows, d_rows, (gsize) n * cols), ==, 0.0);
      OK (cpu->gather_labels (cpu, labels, idx, n, picked, E));
      OK (gpu->gather_labels (gpu, d_labels, d_idx, n, d_picked, E));
      gpu_read (got, d_picked, sizeof (int32_t) * n);
      g_assert_cmpmem (got, sizeof (int32_t) * n, picked, sizeof (int32_t) * n);
      gpu->free (gpu, d_rows);
      gpu->free (gpu, d_picked);
      gpu->free (gpu, d_idx);
    }
  gpu->free (gpu, d_src);
  gpu->free (gpu, d_labels);
}

static void
test_optimizers (void)
{
  /* momentum 0 too: rmsprop and sign descent then take their plain form */
  for (ReliefOptimizerKind kind = RELIEF_OPT_SGD; kind <= RELIEF_OPT_SIGN; kind++)
    for (guint s = 0; s < 2 * G_N_ELEMENTS (sizes); s++)
      {
        ReliefOptimizerConfig cfg = { kind, 0.01f, s % 2 ? 0.0f : 0.9f, 0.05f, 0.9f, 0.999f, 1e-8f };
        gsize n = sizes[s / 2];
        g_autofree float *params = random_floats (130 + s, n);
        g_autofree float *state = g_new0 (float, 2 * n);
        g_autofree float *grad = g_new (float, n);
        g_autofree char *label = g_strdup_printf ("%s n=%" G_GSIZE_FORMAT,
                                                  relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, kind), n);
        g_autofree char *label2 = g_strdup_printf ("%s state n=%" G_GSIZE_FORMAT,
                                                   relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, kind), n);
        float *d_params = gpu_from (params, sizeof (float) * n);
        float *d_state = gpu_from (state, sizeof (float) * 2 * n);
        float *d_grad = gpu_from (params, sizeof (float) * n);

        for (gint64 step = 1; step <= 4; step++)
          {
            relief_rng_uniform_fill (140 + step, 0, -1.0f, 1.0f, grad, n);
            OK (gpu->upload (gpu, d_grad, grad, sizeof (float) * n, E));
            OK (cpu->optimizer_step (cpu, &cfg, step, NULL, params, grad, state, n, E));
            OK (gpu->optimizer_step (gpu, &cfg, step, NULL, d_params, d_grad, d_state, n, E));
          }
        g_assert_cmpfloat (compare (label, params, d_params, n), <, 1e-6);
        g_assert_cmpfloat (compare (label2, state, d_state, 2 * n), <, 1e-6);
        gpu->free (gpu, d_params);
        gpu->free (gpu, d_state);
        gpu->free (gpu, d_grad);
      }
}

/* A race of every optimizer on Rosenbrock on the device follows the CPU's path: the
 * same kernels' arithmetic on two parameters, the gradients computed on the host. */
static void
test_race (void)
{
  static const char *const names[] = { "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "sign" };
  static const double lrs[] = { 1e-3, 1e-3, 1e-3, 0.1, 1e-2, 1e-2, 1e-2, 1e-2 };
  const int n = (int) G_N_ELEMENTS (names), steps = 200;
  g_autoptr(ReliefFunction) f = relief_function_new_builtin ("rosenbrock", 1, 0, NULL);
  ReliefRacer racers[G_N_ELEMENTS (names)];
  g_autoptr(ReliefRace) on_cpu = NULL, on_gpu = NULL;

  for (int i = 0; i < n; i++)
    OK (relief_racer_init (&racers[i], names[i], lrs[i], E));
  OK ((on_cpu = relief_race_new (cpu, f, racers, n, -1.5, 2, E)) != NULL);
  OK ((on_gpu = relief_race_new (gpu, f, racers, n, -1.5, 2, E)) != NULL);
  OK (relief_race_step (on_cpu, steps, E));
  OK (relief_race_step (on_gpu, steps, E));
  for (int i = 0; i < n; i++)
    {
      gint64 n_cpu, n_gpu;
      const double *a = relief_race_path (on_cpu, i, &n_cpu), *b = relief_race_path (on_gpu, i, &n_gpu);
      double worst = 0;

      g_assert_cmpint (n_cpu, ==, n_gpu);
      for (gint64 k = 0; k < 2 * n_cpu; k++)
        worst = MAX (worst, fabs (a[k] - b[k]));
      g_test_message ("race %s: %d steps, the device's path within %g of the CPU's", names[i], steps, worst);
      g_assert_cmpfloat (worst, <=, 1e-6);
      relief_racer_clear (&racers[i]);
    }
}

static void
test_random_normal (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gsize n = sizes[s];
      guint64 seed = relief_rng_derive (s, "xdir"), offset = G_GUINT64_CONSTANT (5) << 32;
      g_autofree float *ref = g_new (float, n);
      g_autofree char *label = g_strdup_printf ("random_normal n=%" G_GSIZE_FORMAT, n);
      float *dev = gpu_from (ref, sizeof (float) * n);

      relief_rng_normal_fill (seed, offset, ref, n);
      OK (gpu->random_normal (gpu, dev, n, seed, offset, E));
      /* log and cos in double may differ by an ulp; after rounding to float, rarely. */
      g_assert_cmpfloat (compare (label, ref, dev, n), <, 1e-6);
      gpu->free (gpu, dev);
    }
}

/* ---- the projection operations: transforms, sparse products, scaled gathers ---- */

static void
test_fwht (void)
{
  const gsize ns[] = { 1, 2, 64, 4096, 8192, 262144 };

  for (guint t = 0; t < G_N_ELEMENTS (ns); t++)
    {
      gsize n = ns[t], count = n > 8192 ? 1 : 3;
      g_autofree float *x = random_floats (150 + t, n * count);
      g_autofree char *label = g_strdup_printf ("fwht n=%" G_GSIZE_FORMAT " x%" G_GSIZE_FORMAT, n, count);
      float *dev = gpu_from (x, sizeof (float) * n * count);

      OK (cpu->fwht (cpu, x, n, count, E));
      OK (gpu->fwht (gpu, dev, n, count, E));
      g_assert_cmpfloat (compare (label, x, dev, n * count), <, 1e-6);
      gpu->free (gpu, dev);
    }
}

static void
test_csr_matvec (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int rows = sizes[s], cols = 1000, per_row = 1 + s * 15;   /* 1 .. 46: both kernels */
      g_autofree gint64 *ptr = g_new (gint64, rows + 1);
      g_autofree int32_t *idx = g_new (int32_t, (gsize) rows * per_row);
      g_autofree float *val = random_floats (160 + s, (gsize) rows * per_row);
      g_autofree float *x = random_floats (170 + s, cols), *y = random_floats (180 + s, rows);
      g_autofree char *label = g_strdup_printf ("csr_matvec rows=%d", rows);
      gint64 *d_ptr;
      int32_t *d_idx;
      float *d_val, *d_x, *d_y;

      for (int r = 0; r <= rows; r++)   /* every third row empty */
        ptr[r] = r == 0 ? 0 : ptr[r - 1] + ((r - 1) % 3 == 2 ? 0 : per_row);
      for (gint64 k = 0; k < ptr[rows]; k++)
        idx[k] = (int32_t) (relief_rng_uniform (190 + s, k) * cols);
      d_ptr = gpu_from (ptr, sizeof (gint64) * (rows + 1));
      d_idx = gpu_from (idx, sizeof (int32_t) * MAX (ptr[rows], 1));
      d_val = gpu_from (val, sizeof (float) * rows * per_row);
      d_x = gpu_from (x, sizeof (float) * cols);
      d_y = gpu_from (y, sizeof (float) * rows);
      OK (cpu->csr_matvec (cpu, rows, ptr[rows], ptr, idx, val, x, 1.0f, y, E));
      OK (gpu->csr_matvec (gpu, rows, ptr[rows], d_ptr, d_idx, d_val, d_x, 1.0f, d_y, E));
      /* Long rows are summed a warp per row on the device, in another order. */
      g_assert_cmpfloat (compare (label, y, d_y, rows), <, 1e-5);
      gpu->free (gpu, d_ptr);
      gpu->free (gpu, d_idx);
      gpu->free (gpu, d_val);
      gpu->free (gpu, d_x);
      gpu->free (gpu, d_y);
    }
}

static void
test_gather_scale (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gsize n = sizes[s];
      g_autofree float *in = random_floats (200 + s, n), *scale = random_floats (210 + s, n);
      g_autofree float *out = g_new (float, n);
      g_autofree int32_t *perm = g_new (int32_t, n);
      g_autofree char *label = g_strdup_printf ("gather_scale n=%" G_GSIZE_FORMAT, n);
      float *d_in = gpu_from (in, sizeof (float) * n), *d_scale = gpu_from (scale, sizeof (float) * n);
      float *d_out = gpu_from (out, sizeof (float) * n);
      int32_t *d_perm;

      relief_rng_permutation (220 + s, 0, (int *) perm, (int) n);
      d_perm = gpu_from (perm, sizeof (int32_t) * n);
      OK (cpu->gather_scale (cpu, n, in, perm, scale, 0.75f, out, E));
      OK (gpu->gather_scale (gpu, n, d_in, d_perm, d_scale, 0.75f, d_out, E));
      g_assert_cmpfloat (compare (label, out, d_out, n), ==, 0.0);
      OK (cpu->gather_scale (cpu, n, in, NULL, NULL, -2.0f, out, E));
      OK (gpu->gather_scale (gpu, n, d_in, NULL, NULL, -2.0f, d_out, E));
      g_assert_cmpfloat (compare (label, out, d_out, n), ==, 0.0);
      gpu->free (gpu, d_in);
      gpu->free (gpu, d_scale);
      gpu->free (gpu, d_out);
      gpu->free (gpu, d_perm);
    }
}

/* A deferred loss and dot, fetched in one read, equal the CPU's immediate results. */
static void
test_deferred_fetch (void)
{
  int rows = 1000, cols = 10;
  g_autofree float *logits = random_floats (230, (gsize) rows * cols), *x = random_floats (231, 4099);
  g_autofree int32_t *labels = g_new (int32_t, rows);
  float *d_logits, *d_x;
  int32_t *d_labels;
  double cpu_loss, gpu_loss, cpu_dot, gpu_dot;
  int cpu_correct, gpu_correct;

  for (int r = 0; r < rows; r++)
    labels[r] = r % cols;
  d_logits = gpu_from (logits, sizeof (float) * rows * cols);
  d_labels = gpu_from (labels, sizeof (int32_t) * rows);
  d_x = gpu_from (x, sizeof (float) * 4099);
  OK (cpu->loss (cpu, RELIEF_LOSS_CROSS_ENTROPY, logits, labels, rows, cols, rows, NULL, &cpu_loss, &cpu_correct, E));
  OK (cpu->dot (cpu, 4099, x, x, &cpu_dot, E));
  OK (gpu->loss (gpu, RELIEF_LOSS_CROSS_ENTROPY, d_logits, d_labels, rows, cols, rows, NULL, NULL, NULL, E));
  OK (gpu->dot (gpu, 4099, d_x, d_x, NULL, E));
  OK (gpu->fetch (gpu, &gpu_loss, &gpu_correct, &gpu_dot, E));
  g_test_message ("deferred: loss %.10g / %.10g, dot %.10g / %.10g", cpu_loss, gpu_loss, cpu_dot, gpu_dot);
  g_assert_cmpfloat (fabs (cpu_loss - gpu_loss), <=, 1e-9 * fabs (cpu_loss));
  g_assert_cmpint (cpu_correct, ==, gpu_correct);
  g_assert_cmpfloat (fabs (cpu_dot - gpu_dot), <=, 1e-9 * fabs (cpu_dot));

  /* Reductions read at once between the deferred ones and their fetch (an evaluation
   * between steps) leave the deferred results alone. */
  {
    double now_loss, now_dot;
    int now_correct;

    OK (gpu->loss (gpu, RELIEF_LOSS_CROSS_ENTROPY, d_logits, d_labels, rows, cols, rows, NULL, NULL, NULL, E));
    OK (gpu->dot (gpu, 4099, d_x, d_x, NULL, E));
    OK (gpu->loss (gpu, RELIEF_LOSS_CROSS_ENTROPY, d_logits, d_labels, rows / 2, cols, rows, NULL, &now_loss,
                   &now_correct, E));
    OK (gpu->dot (gpu, 100, d_x, d_x, &now_dot, E));
    OK (gpu->fetch (gpu, &gpu_loss, &gpu_correct, &gpu_dot, E));
    g_assert_cmpfloat (fabs (cpu_loss - gpu_loss), <=, 1e-9 * fabs (cpu_loss));
    g_assert_cmpint (cpu_correct, ==, gpu_correct);
    g_assert_cmpfloat (fabs (cpu_dot - gpu_dot), <=, 1e-9 * fabs (cpu_dot));
    g_assert_cmpfloat (now_loss, <, gpu_loss);
  }

  /* A bad label's error at the fetch names the label the loss saw, even when its buffer
   * has been refilled since (a trainer's next batch). */
  {
    g_autoptr(GError) cpu_error = NULL, gpu_error = NULL;

    labels[17] = -5;
    OK (gpu->upload (gpu, d_labels, labels, sizeof (int32_t) * rows, E));
    OK (gpu->loss (gpu, RELIEF_LOSS_CROSS_ENTROPY, d_logits, d_labels, rows, cols, rows, NULL, NULL, NULL, E));
    labels[17] = 2;
    OK (gpu->upload (gpu, d_labels, labels, sizeof (int32_t) * rows, E));
    g_assert_false (gpu->fetch (gpu, &gpu_loss, &gpu_correct, NULL, &gpu_error));
    labels[17] = -5;
    g_assert_false (cpu->loss (cpu, RELIEF_LOSS_CROSS_ENTROPY, logits, labels, rows, cols, rows, NULL, &cpu_loss,
                               &cpu_correct, &cpu_error));
    g_assert_error (gpu_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_cmpstr (gpu_error->message, ==, cpu_error->message);
  }
  gpu->free (gpu, d_logits);
  gpu->free (gpu, d_labels);
  gpu->free (gpu, d_x);
}

/* Accumulated losses of many matrices on the GPU against the CPU's. */
static void
test_loss_accumulate (void)
{
  int rows = 1000, cols = 10, count = 37;
  gsize stride = (gsize) rows * cols + 3;
  g_autofree float *logits = random_floats (240, stride * count);
  g_autofree int32_t *labels = g_new (int32_t, rows);
  g_autofree double *acc = g_new0 (double, 2 * count), *got = g_new (double, 2 * count);
  float *d_logits = gpu_from (logits, sizeof (float) * stride * count);
  int32_t *d_labels;
  double *d_acc;

  for (int r = 0; r < rows; r++)
    labels[r] = (r * 7) % cols;
  d_labels = gpu_from (labels, sizeof (int32_t) * rows);
  d_acc = gpu_from (acc, sizeof (double) * 2 * count);
  for (int pass = 0; pass < 2; pass++)
    {
      OK (cpu->loss_accumulate (cpu, RELIEF_LOSS_CROSS_ENTROPY, logits, stride, count, labels, rows, cols, acc,
                                acc + count, E));
      OK (gpu->loss_accumulate (gpu, RELIEF_LOSS_CROSS_ENTROPY, d_logits, stride, count, d_labels, rows, cols, d_acc,
                                d_acc + count, E));
    }
  gpu_read (got, d_acc, sizeof (double) * 2 * count);
  for (int i = 0; i < count; i++)
    {
      g_assert_cmpfloat (fabs (got[i] - acc[i]), <=, 1e-9 * fabs (acc[i]));
      g_assert_cmpfloat (got[count + i], ==, acc[count + i]);
    }
  gpu->free (gpu, d_logits);
  gpu->free (gpu, d_labels);
  gpu->free (gpu, d_acc);
}

static void
test_memory_info (void)
{
  gsize free_bytes = 0, total_bytes = 0;

  OK (gpu->memory_info (gpu, &free_bytes, &total_bytes, E));
  g_test_message ("device memory: %.2f GB free of %.2f GB", free_bytes / 1e9, total_bytes / 1e9);
  g_assert_cmpuint (free_bytes, >, 0);
  g_assert_cmpuint (free_bytes, <=, total_bytes);
}

int
main (int argc, char **argv)
{
  int status;

  if (!cuda_test_backends (&cpu, &gpu))
    return 77;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/cuda/ops/memory", test_memory);
  g_test_add_func ("/cuda/ops/errors", test_errors);
  g_test_add_func ("/cuda/ops/gemm", test_gemm);
  g_test_add_func ("/cuda/ops/elementwise", test_elementwise);
  g_test_add_func ("/cuda/ops/add-bias-col-sum", test_add_bias_and_col_sum);
  g_test_add_func ("/cuda/ops/activations", test_activations);
  g_test_add_func ("/cuda/ops/dot", test_dot);
  g_test_add_func ("/cuda/ops/loss", test_loss);
  g_test_add_func ("/cuda/ops/gather", test_gather);
  g_test_add_func ("/cuda/ops/optimizers", test_optimizers);
  g_test_add_func ("/cuda/ops/race", test_race);
  g_test_add_func ("/cuda/ops/random-normal", test_random_normal);
  g_test_add_func ("/cuda/ops/fwht", test_fwht);
  g_test_add_func ("/cuda/ops/csr-matvec", test_csr_matvec);
  g_test_add_func ("/cuda/ops/gather-scale", test_gather_scale);
  g_test_add_func ("/cuda/ops/memory-info", test_memory_info);
  g_test_add_func ("/cuda/ops/deferred-fetch", test_deferred_fetch);
  g_test_add_func ("/cuda/ops/loss-accumulate", test_loss_accumulate);
  status = g_test_run ();
  relief_backend_free (gpu);
  relief_backend_free (cpu);
  return status;
}

/* test-kernels.c: every CPU backend operation against a naive reference written here. */
#include "relief-backend.h"
#include "relief-mlp.h"
#include "relief-rng.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

static ReliefBackend *
cpu_backend (void)
{
  g_autoptr(GError) error = NULL;
  ReliefBackend *be = relief_backend_new ("cpu", &error);

  g_assert_no_error (error);
  g_assert_nonnull (be);
  return be;
}

static void
test_backend_lookup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefBackend) autopicked = relief_backend_new ("auto", &error);
  g_autoptr(ReliefBackend) cuda = NULL;
  ReliefBackend *missing;

  g_assert_no_error (error);
  cuda = relief_backend_new ("cuda", &error);
  /* auto takes the GPU exactly when one is usable, and says why not otherwise. */
  if (cuda == NULL)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_assert_cmpstr (autopicked->name, ==, "cpu");
      g_clear_error (&error);
    }
  else
    g_assert_cmpstr (autopicked->name, ==, "cuda");

  missing = relief_backend_new ("tpu", &error);
  g_assert_null (missing);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "cpu"));

  g_assert_cmpint (relief_optimizer_state_size (RELIEF_OPT_SGD), ==, 0);
  g_assert_cmpint (relief_optimizer_state_size (RELIEF_OPT_NESTEROV), ==, 1);
  g_assert_cmpint (relief_optimizer_state_size (RELIEF_OPT_ADAMW), ==, 2);
}

static void
test_memory (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  g_autoptr(GError) error = NULL;
  const float host[5] = { 1, -2, 3.5f, 0, 7 };
  float back[5];
  float *a = be->alloc (be, sizeof host, &error);
  float *b = be->alloc (be, sizeof host, &error);
  float zeros[5] = { 0 };

  g_assert_no_error (error);
  be->download (be, back, a, sizeof back, &error);
  g_assert_cmpmem (back, sizeof back, zeros, sizeof zeros);
  g_assert_true (be->upload (be, a, host, sizeof host, &error));
  g_assert_true (be->copy (be, b, a, sizeof host, &error));
  g_assert_true (be->sync (be, &error));
  g_assert_true (be->download (be, back, b, sizeof back, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (back, sizeof back, host, sizeof host);
  be->free (be, a);
  be->free (be, b);
}

/* Element (i, j) of op(M) for a row-major M with leading dimension ld. */
static float
op_at (const float *m, int ld, gboolean trans, int i, int j)
{
  return trans ? m[(gsize) j * ld + i] : m[(gsize) i * ld + j];
}

static void
check_gemm (ReliefBackend *be, gboolean ta, gboolean tb, int m, int n, int k)
{
  g_autoptr(GError) error = NULL;
  /* Leading dimensions one wider than needed, so a stride mix-up shows. */
  int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 1, ldc = n + 1;
  int a_rows = ta ? k : m, b_rows = tb ? n : k;
  g_autofree float *a = g_new (float, (gsize) a_rows * lda);
  g_autofree float *b = g_new (float, (gsize) b_rows * ldb);
  g_autofree float *c = g_new (float, (gsize) m * ldc);
  g_autofree float *c0 = g_new (float, (gsize) m * ldc);
  const float alpha = 0.75f, beta = -0.5f;

  relief_rng_normal_fill (1, 0, a, (gsize) a_rows * lda);
  relief_rng_normal_fill (2, 0, b, (gsize) b_rows * ldb);
  relief_rng_normal_fill (3, 0, c, (gsize) m * ldc);
  memcpy (c0, c, sizeof (float) * m * ldc);

  g_assert_true (be->gemm (be, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, &error));
  g_assert_no_error (error);
  for (int i = 0; i < m; i++)
    {
      for (int j = 0; j < n; j++)
        {
          double ref = 0.0;

          for (int p = 0; p < k; p++)
            ref += (double) op_at (a, lda, ta, i, p) * op_at (b, ldb, tb, p, j);
          ref = alpha * ref + beta * c0[(gsize) i * ldc + j];
          g_assert_cmpfloat_with_epsilon (c[(gsize) i * ldc + j], ref, 1e-4 * (1.0 + sqrt (k)));
        }
      /* The padding column is not part of C and stays untouched. */
      g_assert_cmpfloat (c[(gsize) i * ldc + n], ==, c0[(gsize) i * ldc + n]);
    }
}

static void
test_gemm (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  const int dims[] = { 1, 7, 33 };

  for (int t = 0; t < 4; t++)
    for (guint mi = 0; mi < G_N_ELEMENTS (dims); mi++)
      for (guint ni = 0; ni < G_N_ELEMENTS (dims); ni++)
        for (guint ki = 0; ki < G_N_ELEMENTS (dims); ki++)
          check_gemm (be, t & 1, t >> 1, dims[mi], dims[ni], dims[ki]);
}

static void
test_elementwise (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  g_autoptr(GError) error = NULL;
  const gsize n = 37;
  float x[37], y[37], a[37], out[37], ref[37];
  float m[3 * 4], bias[4] = { 1, -2, 0.5f, 4 };

  relief_rng_normal_fill (10, 0, x, n);
  relief_rng_normal_fill (11, 0, y, n);
  relief_rng_normal_fill (12, 0, a, n);

  g_assert_true (be->fill (be, out, n, 2.5f, &error));
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (out[i], ==, 2.5f);

  memcpy (out, x, sizeof x);
  g_assert_true (be->scale (be, out, n, -3.0f, &error));
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (out[i], ==, -3.0f * x[i]);

  memcpy (out, y, sizeof y);
  g_assert_true (be->axpy (be, n, 0.25f, x, out, &error));
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (out[i], y[i] + 0.25 * x[i], 1e-6);

  g_assert_true (be->axpby_add (be, n, a, 0.5f, x, -2.0f, y, out, &error));
  for (gsize i = 0; i < n; i++)
    ref[i] = a[i] + 0.5f * x[i] - 2.0f * y[i];
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (out[i], ref[i], 1e-5);
  /* out may alias a */
  memcpy (out, a, sizeof a);
  g_assert_true (be->axpby_add (be, n, out, 0.5f, x, -2.0f, y, out, &error));
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (out[i], ref[i], 1e-5);

  memcpy (m, x, sizeof m);
  g_assert_true (be->add_bias (be, m, bias, 3, 4, &error));
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 4; c++)
      g_assert_cmpfloat (m[r * 4 + c], ==, x[r * 4 + c] + bias[c]);
  g_assert_no_error (error);
}

static double
activation_reference (ReliefActivation act, double x)
{
  switch (act)
    {
    case RELIEF_ACT_RELU:
      return x > 0 ? x : 0;
    case RELIEF_ACT_LEAKY_RELU:
      return x > 0 ? x : 0.01 * x;
    case RELIEF_ACT_TANH:
      return tanh (x);
    case RELIEF_ACT_GELU:
      return 0.5 * x * (1.0 + erf (x / sqrt (2.0)));
    default:
      g_assert_not_reached ();
    }
}

static void
test_activations (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  g_autoptr(GError) error = NULL;
  const gsize n = 200;
  float x[200], dy[200], y[200], dx[200];

  /* Points spread over [-4, 4], kept away from the relu kink at 0 for the difference quotient. */
  for (gsize i = 0; i < n; i++)
    {
      x[i] = -4.0f + 8.0f * (i + 0.5f) / n;
      dy[i] = 1.0f + 0.01f * i;
    }
  for (ReliefActivation act = RELIEF_ACT_RELU; act <= RELIEF_ACT_GELU; act++)
    {
      g_assert_true (be->act_forward (be, act, x, y, n, &error));
      g_assert_true (be->act_backward (be, act, x, dy, dx, n, &error));
      g_assert_no_error (error);
      for (gsize i = 0; i < n; i++)
        {
          const double h = 1e-4;
          double slope = (activation_reference (act, x[i] + h) - activation_reference (act, x[i] - h)) / (2 * h);

          g_assert_cmpfloat_with_epsilon (y[i], activation_reference (act, x[i]), 1e-6);
          g_assert_cmpfloat_with_epsilon (dx[i], dy[i] * slope, 1e-5);
        }
    }
  /* Hand values: GELU(1) = Phi(1) = 0.841344746..., GELU'(0) = 1/2. */
  x[0] = 1.0f;
  x[1] = 0.0f;
  dy[0] = dy[1] = 1.0f;
  g_assert_true (be->act_forward (be, RELIEF_ACT_GELU, x, y, 2, &error));
  g_assert_true (be->act_backward (be, RELIEF_ACT_GELU, x, dy, dx, 2, &error));
  g_assert_cmpfloat_with_epsilon (y[0], 0.8413447460685429, 1e-6);
  g_assert_cmpfloat_with_epsilon (dx[1], 0.5, 1e-7);
}

static void
test_reductions (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  g_autoptr(GError) error = NULL;
  const int rows = 33, cols = 7;
  float x[33 * 7], y[33 * 7], sums[7];
  double dot, ref = 0.0;

  relief_rng_normal_fill (20, 0, x, rows * cols);
  relief_rng_normal_fill (21, 0, y, rows * cols);
  g_assert_true (be->col_sum (be, x, rows, cols, sums, &error));
  for (int c = 0; c < cols; c++)
    {
      double s = 0.0;

      for (int r = 0; r < rows; r++)
        s += x[r * cols + c];
      g_assert_cmpfloat_with_epsilon (sums[c], s, 1e-5);
    }
  g_assert_true (be->dot (be, rows * cols, x, y, &dot, &error));
  for (int i = 0; i < rows * cols; i++)
    ref += (double) x[i] * y[i];
  g_assert_cmpfloat_with_epsilon (dot, ref, 1e-12);
  g_assert_no_error (error);
}

static void
test_loss (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  g_autoptr(GError) error = NULL;
  const float logits[6] = { 1, 2, 3, 0, 0, 0 };
  const int32_t labels[2] = { 2, 0 };
  const int32_t bad_labels[2] = { 2, 3 };
  float dlogits[6];
  double sum;
  int correct;

  /* Row 0: log(e + e^2 + e^3) - 3 = log(1 + e^-1 + e^-2); row 1: log 3.  The tie in row 1
   * goes to index 0, which is its label: both rows are correct. */
  g_assert_true (be->loss (be, RELIEF_LOSS_CROSS_ENTROPY, logits, labels, 2, 3, 2, dlogits,
                           &sum, &correct, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (sum, log (1 + exp (-1) + exp (-2)) + log (3), 1e-12);
  g_assert_cmpint (correct, ==, 2);
  {
    double z = exp (1) + exp (2) + exp (3);
    double ref[6] = { exp (1) / z / 2, exp (2) / z / 2, (exp (3) / z - 1) / 2,
                      (1.0 / 3 - 1) / 2, 1.0 / 3 / 2, 1.0 / 3 / 2 };

    for (int i = 0; i < 6; i++)
      g_assert_cmpfloat_with_epsilon (dlogits[i], ref[i], 1e-7);
  }

  /* Large logits stay finite thanks to the max shift. */
  {
    const float big[3] = { 1000, 1001, 1002 };

    g_assert_true (be->loss (be, RELIEF_LOSS_CROSS_ENTROPY, big, labels, 1, 3, 1, NULL, &sum, &correct, &error));
    g_assert_cmpfloat_with_epsilon (sum, log (1 + exp (-1) + exp (-2)), 1e-12);
  }

  /* mse: row 0 (1^2 + 2^2 + 2^2) / 3 = 3, row 1 1/3; gradient 2 (z - t) / (3 * 2). */
  g_assert_true (be->loss (be, RELIEF_LOSS_MSE, logits, labels, 2, 3, 2, dlogits, &sum, &correct, &error));
  g_assert_cmpfloat_with_epsilon (sum, 10.0 / 3, 1e-12);
  g_assert_cmpint (correct, ==, 2);
  {
    const double ref[6] = { 1.0 / 3, 2.0 / 3, 2.0 / 3, -1.0 / 3, 0, 0 };

    for (int i = 0; i < 6; i++)
      g_assert_cmpfloat_with_epsilon (dlogits[i], ref[i], 1e-7);
  }

  g_assert_false (be->loss (be, RELIEF_LOSS_CROSS_ENTROPY, logits, bad_labels, 2, 3, 2, NULL,
                            &sum, &correct, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_gather_and_random (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  g_autoptr(GError) error = NULL;
  const float src[4 * 2] = { 0, 1, 10, 11, 20, 21, 30, 31 };
  const int32_t labels[4] = { 5, 6, 7, 8 };
  const int idx[3] = { 3, 0, 3 };
  float dst[3 * 2];
  int32_t dst_labels[3];
  float normals[16];

  g_assert_true (be->gather_rows (be, src, 2, idx, 3, dst, &error));
  g_assert_true (be->gather_labels (be, labels, idx, 3, dst_labels, &error));
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpfloat (dst[i * 2], ==, src[idx[i] * 2]);
      g_assert_cmpfloat (dst[i * 2 + 1], ==, src[idx[i] * 2 + 1]);
      g_assert_cmpint (dst_labels[i], ==, labels[idx[i]]);
    }

  g_assert_true (be->random_normal (be, normals, 16, 77, 100, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 16; i++)
    g_assert_cmpfloat (normals[i], ==, relief_rng_normal (77, 100 + i));
}

/* Entry a of the transform of x [n] straight from H_ab = (-1)^popcount(a & b). */
static double
fwht_reference (const float *x, gsize n, gsize a)
{
  double sum = 0.0;

  for (gsize b = 0; b < n; b++)
    sum += ((__builtin_popcountll (a & b) & 1) ? -1.0 : 1.0) * x[b];
  return sum;
}

/* The transform against the Hadamard matrix itself, H_ab = (-1)^popcount(a & b), for
 * sizes below, at and above the blocked code's chunk, several vectors at once. */
static void
test_fwht (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  const gsize ns[] = { 1, 2, 4, 8, 64, 4096, 16384 };

  for (guint t = 0; t < G_N_ELEMENTS (ns); t++)
    {
      g_autoptr(GError) error = NULL;
      gsize n = ns[t], count = 3;
      g_autofree float *x = g_new (float, n * count), *orig = g_new (float, n * count);
      double worst = 0.0;

      relief_rng_uniform_fill (t + 1, 0, -1.0f, 1.0f, x, n * count);
      memcpy (orig, x, sizeof (float) * n * count);
      g_assert_true (be->fwht (be, x, n, count, &error));
      g_assert_no_error (error);
      for (gsize c = 0; c < count; c++)
        for (gsize a = 0; a < n; a += MAX (1, n / 97))   /* a sample of rows for the large sizes */
          {
            double ref = fwht_reference (orig + c * n, n, a);

            worst = MAX (worst, fabs (x[c * n + a] - ref) / sqrt ((double) n));
          }
      g_test_message ("fwht n=%zu: largest difference %.3g (relative to sqrt(n))", n, worst);
      g_assert_cmpfloat (worst, <, 1e-5);
    }
  {
    g_autoptr(GError) error = NULL;
    float x[6] = { 0 };

    g_assert_false (be->fwht (be, x, 6, 1, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

/* A CSR product against the same matrix stored dense, with beta 0 and 1 and empty rows. */
static void
test_csr_matvec (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  g_autoptr(GError) error = NULL;
  const int rows = 57, cols = 31;
  g_autofree float *dense = g_new0 (float, rows * cols), *x = g_new (float, cols);
  g_autofree float *y = g_new (float, rows), *y0 = g_new (float, rows);
  g_autofree gint64 *ptr = g_new (gint64, rows + 1);
  g_autofree int32_t *idx = g_new (int32_t, rows * cols);
  g_autofree float *val = g_new (float, rows * cols);
  gint64 nnz = 0;

  for (int r = 0; r < rows; r++)
    {
      ptr[r] = nnz;
      for (int c = 0; c < cols; c++)
        if (r % 7 != 3 && relief_rng_uniform (5, r * cols + c) < 0.2)
          {
            dense[r * cols + c] = (float) relief_rng_normal (6, r * cols + c);
            idx[nnz] = c;
            val[nnz++] = dense[r * cols + c];
          }
    }
  ptr[rows] = nnz;
  relief_rng_uniform_fill (7, 0, -1.0f, 1.0f, x, cols);
  relief_rng_uniform_fill (8, 0, -1.0f, 1.0f, y0, rows);
  for (int beta = 0; beta <= 1; beta++)
    {
      memcpy (y, y0, sizeof (float) * rows);
      g_assert_true (be->csr_matvec (be, rows, nnz, ptr, idx, val, x, (float) beta, y, &error));
      g_assert_no_error (error);
      for (int r = 0; r < rows; r++)
        {
          double ref = beta * (double) y0[r];

          for (int c = 0; c < cols; c++)
            ref += (double) dense[r * cols + c] * x[c];
          g_assert_cmpfloat (fabs (y[r] - ref), <, 1e-5);
        }
    }
}

static void
test_gather_scale (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  g_autoptr(GError) error = NULL;
  const float in[5] = { 1, 2, 3, 4, 5 }, scale[4] = { 1, -1, 0.5f, 2 };
  const int32_t idx[4] = { 4, 0, 2, 2 };
  float out[4];

  g_assert_true (be->gather_scale (be, 4, in, idx, scale, 2.0f, out, &error));
  g_assert_cmpfloat (out[0], ==, 10.0f);
  g_assert_cmpfloat (out[1], ==, -2.0f);
  g_assert_cmpfloat (out[2], ==, 3.0f);
  g_assert_cmpfloat (out[3], ==, 12.0f);
  g_assert_true (be->gather_scale (be, 4, in, NULL, NULL, -1.0f, out, &error));
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (out[i], ==, -in[i]);
  g_assert_no_error (error);
}

/* Deferred loss and dot come back through one fetch with the values the immediate calls
 * give; a bad label surfaces at the fetch; fetching what was not deferred is an error. */
static void
test_deferred_fetch (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  g_autoptr(GError) error = NULL;
  const float logits[6] = { 0.5f, -1, 2, 0, 0.25f, -0.5f }, x[4] = { 1, 2, 3, -4 };
  const int32_t labels[2] = { 2, 1 }, bad[2] = { 2, 7 };
  double loss_now, loss_later, dot_now, dot_later;
  int correct_now, correct_later;

  g_assert_true (be->loss (be, RELIEF_LOSS_CROSS_ENTROPY, logits, labels, 2, 3, 2, NULL, &loss_now, &correct_now,
                           &error));
  g_assert_true (be->dot (be, 4, x, x, &dot_now, &error));
  g_assert_true (be->loss (be, RELIEF_LOSS_CROSS_ENTROPY, logits, labels, 2, 3, 2, NULL, NULL, NULL, &error));
  g_assert_true (be->dot (be, 4, x, x, NULL, &error));
  g_assert_true (be->fetch (be, &loss_later, &correct_later, &dot_later, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (loss_later, ==, loss_now);
  g_assert_cmpint (correct_later, ==, correct_now);
  g_assert_cmpfloat (dot_later, ==, dot_now);
  g_assert_cmpfloat (dot_later, ==, 30.0);

  g_assert_false (be->fetch (be, &loss_later, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_true (be->loss (be, RELIEF_LOSS_CROSS_ENTROPY, logits, bad, 2, 3, 2, NULL, NULL, NULL, &error));
  g_assert_false (be->fetch (be, &loss_later, &correct_later, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* Accumulated losses of several matrices equal their loss() sums added to what was there;
 * a row with a bad label adds nothing. */
static void
test_loss_accumulate (void)
{
  g_autoptr(ReliefBackend) be = cpu_backend ();
  g_autoptr(GError) error = NULL;
  const int rows = 5, cols = 3, count = 4, stride = 17;
  float logits[4 * 17];
  const int32_t labels[5] = { 0, 2, 1, 1, 0 }, bad[5] = { 0, 9, 1, 1, -1 };
  double acc_loss[4] = { 1, 2, 3, 4 }, acc_correct[4] = { 0, 1, 0, 1 };

  relief_rng_uniform_fill (60, 0, -2.0f, 2.0f, logits, G_N_ELEMENTS (logits));
  for (int kind = RELIEF_LOSS_CROSS_ENTROPY; kind <= RELIEF_LOSS_MSE; kind++)
    {
      double before_loss[4], before_correct[4];

      memcpy (before_loss, acc_loss, sizeof acc_loss);
      memcpy (before_correct, acc_correct, sizeof acc_correct);
      g_assert_true (be->loss_accumulate (be, kind, logits, stride, count, labels, rows, cols, acc_loss, acc_correct,
                                          &error));
      g_assert_no_error (error);
      for (int i = 0; i < count; i++)
        {
          double sum;
          int right;

          g_assert_true (be->loss (be, kind, logits + i * stride, labels, rows, cols, rows, NULL, &sum, &right,
                                   &error));
          g_assert_cmpfloat (acc_loss[i], ==, before_loss[i] + sum);
          g_assert_cmpfloat (acc_correct[i], ==, before_correct[i] + right);
        }
    }
  /* Rows 1 and 4 have labels out of range: the sums are those of rows 0, 2 and 3. */
  {
    double with_bad[1] = { 0 }, right_bad[1] = { 0 }, sum3 = 0, sum_rows[3];
    const int keep[3] = { 0, 2, 3 };
    int right;

    g_assert_true (be->loss_accumulate (be, RELIEF_LOSS_CROSS_ENTROPY, logits, stride, 1, bad, rows, cols, with_bad,
                                        right_bad, &error));
    for (int k = 0; k < 3; k++)
      {
        g_assert_true (be->loss (be, RELIEF_LOSS_CROSS_ENTROPY, logits + keep[k] * cols, labels + keep[k], 1, cols, 1,
                                 NULL, &sum_rows[k], &right, &error));
        sum3 += sum_rows[k];
      }
    g_assert_cmpfloat (fabs (with_bad[0] - sum3), <, 1e-12);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/compute/kernels/loss-accumulate", test_loss_accumulate);
  g_test_add_func ("/compute/kernels/deferred-fetch", test_deferred_fetch);
  g_test_add_func ("/compute/kernels/fwht", test_fwht);
  g_test_add_func ("/compute/kernels/csr-matvec", test_csr_matvec);
  g_test_add_func ("/compute/kernels/gather-scale", test_gather_scale);
  g_test_add_func ("/compute/kernels/backend-lookup", test_backend_lookup);
  g_test_add_func ("/compute/kernels/memory", test_memory);
  g_test_add_func ("/compute/kernels/gemm", test_gemm);
  g_test_add_func ("/compute/kernels/elementwise", test_elementwise);
  g_test_add_func ("/compute/kernels/activations", test_activations);
  g_test_add_func ("/compute/kernels/reductions", test_reductions);
  g_test_add_func ("/compute/kernels/loss", test_loss);
  g_test_add_func ("/compute/kernels/gather-and-random", test_gather_and_random);
  return g_test_run ();
}

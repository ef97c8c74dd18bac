/* test-gradients.c: relief_mlp_forward_backward against central finite differences.
 *
 * Every coordinate is checked against differences of a naive double-precision forward
 * pass written here (h = 1e-6, so the reference itself is accurate to ~1e-9), and a few
 * random directions against differences of the backend's own float forward (h = 1e-3).
 * Kinks of relu/leaky relu: a difference is skipped when the perturbation flips the sign
 * of any hidden pre-activation (detected by the reference pass), and the test asserts
 * that only a few are skipped. */
#include "relief-mlp.h"
#include "relief-rng.h"
#include "relief-enums.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#define BATCH 5

/* The naive reference: mean loss in double, and the sign pattern of hidden pre-activations. */
static double
loss_reference (const ReliefMlpSpec *spec, const double *params, const float *x, const int32_t *y,
                GByteArray *pattern)
{
  int widest = 0;
  double total = 0.0;

  for (int l = 0; l <= spec->n_layers; l++)
    widest = MAX (widest, spec->sizes[l]);
  g_byte_array_set_size (pattern, 0);

  for (int r = 0; r < BATCH; r++)
    {
      g_autofree double *in = g_new0 (double, widest);
      g_autofree double *out = g_new0 (double, widest);
      int n_out = spec->sizes[spec->n_layers];

      for (int c = 0; c < spec->sizes[0]; c++)
        in[c] = x[r * spec->sizes[0] + c];
      for (int l = 0; l < spec->n_layers; l++)
        {
          const double *w = params + relief_mlp_spec_weight_offset (spec, l);
          const double *b = params + relief_mlp_spec_bias_offset (spec, l);
          int n_in = spec->sizes[l], n_o = spec->sizes[l + 1];

          for (int o = 0; o < n_o; o++)
            {
              double z = b[o];

              for (int i = 0; i < n_in; i++)
                z += w[o * n_in + i] * in[i];
              if (l < spec->n_layers - 1)
                {
                  guint8 positive = z > 0;

                  g_byte_array_append (pattern, &positive, 1);
                  switch (spec->activation)
                    {
                    case RELIEF_ACT_RELU: z = z > 0 ? z : 0; break;
                    case RELIEF_ACT_LEAKY_RELU: z = z > 0 ? z : 0.01 * z; break;
                    case RELIEF_ACT_TANH: z = tanh (z); break;
                    case RELIEF_ACT_GELU: z = 0.5 * z * (1 + erf (z / sqrt (2.0))); break;
                    default: g_assert_not_reached ();
                    }
                }
              out[o] = z;
            }
          memcpy (in, out, sizeof (double) * widest);
        }

      if (spec->loss == RELIEF_LOSS_CROSS_ENTROPY)
        {
          double sum = 0.0;

          for (int c = 0; c < n_out; c++)
            sum += exp (in[c]);
          total += log (sum) - in[y[r]];
        }
      else
        {
          for (int c = 0; c < n_out; c++)
            total += (in[c] - (c == y[r])) * (in[c] - (c == y[r])) / n_out;
        }
    }
  return total / BATCH;
}

static gboolean
same_pattern (GByteArray *a, GByteArray *b)
{
  return a->len == b->len && memcmp (a->data, b->data, a->len) == 0;
}

static void
check_net (const int *sizes, int n_sizes, ReliefActivation act, ReliefLoss loss)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, n_sizes, act, loss);
  g_autoptr(ReliefMlp) mlp = relief_mlp_new (be, spec, BATCH, &error);
  gsize n = relief_mlp_spec_n_params (spec);
  g_autofree float *params = g_new (float, n);
  g_autofree float *grad = g_new (float, n);
  g_autofree double *pd = g_new (double, n);
  g_autofree float *dir = g_new (float, n);
  g_autofree float *shifted = g_new (float, n);
  g_autoptr(GByteArray) base = g_byte_array_new ();
  g_autoptr(GByteArray) plus = g_byte_array_new ();
  g_autoptr(GByteArray) minus = g_byte_array_new ();
  float x[BATCH * 4];
  int32_t y[BATCH];
  float *d_params, *d_grad, *d_x;
  int32_t *d_y;
  double mean_loss, ref_loss, loss_again;
  int correct, skipped = 0;

  g_assert_no_error (error);
  relief_mlp_init_params (spec, 17, params);
  relief_rng_normal_fill (18, 0, x, (gsize) BATCH * sizes[0]);
  for (int r = 0; r < BATCH; r++)
    y[r] = (int32_t) (relief_rng_uniform (19, r) * sizes[n_sizes - 1]);

  d_params = be->alloc (be, sizeof (float) * n, &error);
  d_grad = be->alloc (be, sizeof (float) * n, &error);
  d_x = be->alloc (be, sizeof x, &error);
  d_y = be->alloc (be, sizeof y, &error);
  g_assert_true (be->upload (be, d_params, params, sizeof (float) * n, &error));
  g_assert_true (be->upload (be, d_x, x, sizeof x, &error));
  g_assert_true (be->upload (be, d_y, y, sizeof y, &error));
  g_assert_true (relief_mlp_forward_backward (mlp, d_params, d_x, d_y, BATCH, d_grad, &mean_loss, &correct, &error));
  g_assert_true (be->download (be, grad, d_grad, sizeof (float) * n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (correct, >=, 0);
  g_assert_cmpint (correct, <=, BATCH);

  for (gsize i = 0; i < n; i++)
    pd[i] = params[i];
  ref_loss = loss_reference (spec, pd, x, y, base);
  g_assert_cmpfloat_with_epsilon (mean_loss, ref_loss, 1e-5 * (1 + fabs (ref_loss)));
  g_assert_true (relief_mlp_forward (mlp, d_params, d_x, d_y, BATCH, &loss_again, &correct, &error));
  g_assert_cmpfloat (loss_again, ==, mean_loss);

  /* Every coordinate against the double reference. */
  for (gsize i = 0; i < n; i++)
    {
      const double h = 1e-6;
      double lp, lm, fd;

      pd[i] = params[i] + h;
      lp = loss_reference (spec, pd, x, y, plus);
      pd[i] = params[i] - h;
      lm = loss_reference (spec, pd, x, y, minus);
      pd[i] = params[i];
      if (!same_pattern (base, plus) || !same_pattern (base, minus))
        {
          skipped++;
          continue;
        }
      fd = (lp - lm) / (2 * h);
      g_assert_cmpfloat_with_epsilon (grad[i], fd, 1e-5 + 1e-3 * fabs (fd));
    }
  g_assert_cmpint (skipped, <=, (int) n / 10);

  /* Random directions against the backend's own float forward. */
  for (int d = 0; d < 4; d++)
    {
      const float h = 1e-3f;
      double along = 0.0, lp, lm, fd, norm = 0.0;

      relief_rng_normal_fill (100 + d, 0, dir, n);
      for (gsize i = 0; i < n; i++)
        norm += (double) dir[i] * dir[i];
      for (gsize i = 0; i < n; i++)
        {
          dir[i] = (float) (dir[i] / sqrt (norm));
          along += (double) grad[i] * dir[i];
        }
      for (gsize i = 0; i < n; i++)
        {
          shifted[i] = params[i] + h * dir[i];
          pd[i] = shifted[i];
        }
      loss_reference (spec, pd, x, y, plus);
      g_assert_true (be->upload (be, d_params, shifted, sizeof (float) * n, &error));
      g_assert_true (relief_mlp_forward (mlp, d_params, d_x, d_y, BATCH, &lp, &correct, &error));
      for (gsize i = 0; i < n; i++)
        {
          shifted[i] = params[i] - h * dir[i];
          pd[i] = shifted[i];
        }
      loss_reference (spec, pd, x, y, minus);
      g_assert_true (be->upload (be, d_params, shifted, sizeof (float) * n, &error));
      g_assert_true (relief_mlp_forward (mlp, d_params, d_x, d_y, BATCH, &lm, &correct, &error));
      g_assert_no_error (error);
      if (!same_pattern (base, plus) || !same_pattern (base, minus))
        continue;
      fd = (lp - lm) / (2.0 * h);
      g_assert_cmpfloat_with_epsilon (along, fd, 5e-4 + 1e-2 * fabs (fd));
    }

  be->free (be, d_params);
  be->free (be, d_grad);
  be->free (be, d_x);
  be->free (be, d_y);
}

static void
check_all (const int *sizes, int n_sizes)
{
  for (ReliefActivation act = RELIEF_ACT_RELU; act <= RELIEF_ACT_GELU; act++)
    for (ReliefLoss loss = RELIEF_LOSS_CROSS_ENTROPY; loss <= RELIEF_LOSS_MSE; loss++)
      check_net (sizes, n_sizes, act, loss);
}

static void
test_net_2_3_2 (void)
{
  const int sizes[] = { 2, 3, 2 };

  check_all (sizes, G_N_ELEMENTS (sizes));
}

static void
test_net_3_5_4_3 (void)
{
  const int sizes[] = { 3, 5, 4, 3 };

  check_all (sizes, G_N_ELEMENTS (sizes));
}

static void
test_net_4_6_6_6_2 (void)
{
  const int sizes[] = { 4, 6, 6, 6, 2 };

  check_all (sizes, G_N_ELEMENTS (sizes));
}

/* evaluate() in chunks gives the loss and accuracy of one pass over all rows. */
static void
test_evaluate_matches_forward (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  const int sizes[] = { 3, 8, 4 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_TANH, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefMlp) small = relief_mlp_new (be, spec, 7, &error);
  g_autoptr(ReliefMlp) whole = relief_mlp_new (be, spec, 50, &error);
  gsize n = relief_mlp_spec_n_params (spec);
  g_autofree float *params = g_new (float, n);
  float x[50 * 3];
  int32_t y[50];
  double loss_small, acc_small, loss_whole, acc_whole;
  int correct;
  float *d_params = be->alloc (be, sizeof (float) * n, &error);

  relief_mlp_init_params (spec, 3, params);
  relief_rng_normal_fill (4, 0, x, G_N_ELEMENTS (x));
  for (int i = 0; i < 50; i++)
    y[i] = i % 4;
  g_assert_true (be->upload (be, d_params, params, sizeof (float) * n, &error));
  /* 50 rows in chunks of 7 (the last one partial) against one chunk of 50 */
  g_assert_true (relief_mlp_evaluate (small, d_params, x, y, 50, &loss_small, &acc_small, &error));
  g_assert_true (relief_mlp_evaluate (whole, d_params, x, y, 50, &loss_whole, &acc_whole, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (loss_small, loss_whole, 1e-6);
  g_assert_cmpfloat (acc_small, ==, acc_whole);
  g_assert_cmpfloat (acc_whole, >=, 0.0);
  g_assert_cmpfloat (acc_whole, <=, 1.0);

  g_assert_false (relief_mlp_forward (small, d_params, x, y, 8, &loss_small, &correct, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  be->free (be, d_params);
}

static void
test_spec (void)
{
  g_autoptr(GError) error = NULL;
  const int sizes[] = { 4, 6, 2 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_GELU, RELIEF_LOSS_MSE);
  g_autoptr(ReliefMlpSpec) copy = relief_mlp_spec_copy (spec);
  g_autofree float *params = g_new (float, 44);
  ReliefActivation act;
  ReliefLoss loss;
  gsize dims[2], offset;
  int rank;

  /* W0 6x4, b0 6, W1 2x6, b1 2 */
  g_assert_cmpuint (relief_mlp_spec_n_params (spec), ==, 24 + 6 + 12 + 2);
  g_assert_cmpuint (relief_mlp_spec_weight_offset (spec, 1), ==, 30);
  g_assert_cmpuint (relief_mlp_spec_bias_offset (spec, 1), ==, 42);
  g_assert_cmpint (relief_mlp_spec_n_tensors (copy), ==, 4);
  relief_mlp_spec_tensor_shape (copy, 2, &rank, dims, &offset);
  g_assert_cmpint (rank, ==, 2);
  g_assert_cmpuint (dims[0], ==, 2);
  g_assert_cmpuint (dims[1], ==, 6);
  g_assert_cmpuint (offset, ==, 30);
  relief_mlp_spec_tensor_shape (copy, 1, &rank, dims, &offset);
  g_assert_cmpint (rank, ==, 1);
  g_assert_cmpuint (dims[0], ==, 6);
  g_assert_cmpuint (offset, ==, 24);

  /* init: within +-1/sqrt(fan_in), reproducible, seed-dependent */
  relief_mlp_init_params (spec, 1, params);
  for (int i = 0; i < 30; i++)
    g_assert_cmpfloat (fabsf (params[i]), <=, 0.5f);
  for (int i = 30; i < 44; i++)
    g_assert_cmpfloat (fabsf (params[i]), <=, 1.0f / sqrtf (6.0f));
  {
    g_autofree float *again = g_new (float, 44);

    relief_mlp_init_params (spec, 1, again);
    g_assert_cmpmem (params, 44 * sizeof (float), again, 44 * sizeof (float));
    relief_mlp_init_params (spec, 2, again);
    g_assert_cmpfloat (params[0], !=, again[0]);
  }

  for (ReliefActivation a = RELIEF_ACT_RELU; a <= RELIEF_ACT_GELU; a++)
    {
      g_assert_true (relief_enum_from_nick (RELIEF_TYPE_ACTIVATION, relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, a),
                                            (int *) &act, &error));
      g_assert_cmpint (act, ==, a);
    }
  g_assert_true (relief_enum_from_nick (RELIEF_TYPE_LOSS, "mse", (int *) &loss, &error));
  g_assert_cmpint (loss, ==, RELIEF_LOSS_MSE);
  g_assert_cmpstr (relief_enum_to_nick (RELIEF_TYPE_LOSS, RELIEF_LOSS_CROSS_ENTROPY), ==, "cross_entropy");
  g_assert_no_error (error);
  g_assert_false (relief_enum_from_nick (RELIEF_TYPE_ACTIVATION, "sigmoid", (int *) &act, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "leaky_relu"));
  g_clear_error (&error);
  g_assert_false (relief_enum_from_nick (RELIEF_TYPE_LOSS, "hinge", (int *) &loss, &error));
  g_assert_nonnull (strstr (error->message, "cross_entropy, mse"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/compute/gradients/spec", test_spec);
  g_test_add_func ("/compute/gradients/net-2-3-2", test_net_2_3_2);
  g_test_add_func ("/compute/gradients/net-3-5-4-3", test_net_3_5_4_3);
  g_test_add_func ("/compute/gradients/net-4-6-6-6-2", test_net_4_6_6_6_2);
  g_test_add_func ("/compute/gradients/evaluate-matches-forward", test_evaluate_matches_forward);
  return g_test_run ();
}

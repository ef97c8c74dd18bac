/* test-surface-threads.c: the CPU surface on threads of our own (as many as OpenBLAS has)
 * and on one, against the point-by-point reference; OpenBLAS's thread count through the
 * single-thread sections. */
#include "relief-blas-tune.h"
#include "relief-directions.h"
#include "relief-surface-reference.h"
#include "relief-rng.h"

#include <math.h>

/* Not a multiple of any block or chunk: the last ones are short. */
#define N_SAMPLES 333
#define NX 7
#define NY 5
#define CELLS (NX * NY)

static void
test_single_thread_sections (void)
{
  int threads = relief_blas_threads ();

  if (threads == 0)
    {
      g_test_skip ("the BLAS is not OpenBLAS with its own threads");
      return;
    }
  relief_blas_single_thread_begin ();
  g_assert_cmpint (relief_blas_threads (), ==, 1);
  relief_blas_single_thread_begin ();
  relief_blas_single_thread_end ();
  g_assert_cmpint (relief_blas_threads (), ==, 1);
  relief_blas_single_thread_end ();
  g_assert_cmpint (relief_blas_threads (), ==, threads);
}

/* Every cell over the grid with the workspace budget given, on the threads the CPU gets
 * (single: one), against the reference. */
static void
check (ReliefActivation act, ReliefLoss loss_kind, gboolean single)
{
  const int sizes[] = { 6, 9, 7, 4 };
  /* 0: chunks of all the samples; 6 KiB: chunks and blocks of 32 rows. */
  const gsize budgets[] = { 0, 6 << 10 };
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), act, loss_kind);
  gsize n_params = relief_mlp_spec_n_params (spec);
  g_autofree float *center = g_new (float, n_params), *xdir = g_new (float, n_params);
  g_autofree float *ydir = g_new (float, n_params), *x = g_new (float, N_SAMPLES * sizes[0]);
  g_autofree int32_t *y = g_new (int32_t, N_SAMPLES);
  double xs[NX], ys[NY], a[CELLS], b[CELLS], want_loss[CELLS], want_acc[CELLS];
  g_autoptr(GError) error = NULL;
  int blas = relief_blas_threads ();

  relief_mlp_init_params (spec, 21, center);
  relief_direction_random (spec, center, 22, RELIEF_NORM_FILTER, RELIEF_BIAS_COPY, xdir);
  relief_direction_random (spec, center, 23, RELIEF_NORM_LAYER, RELIEF_BIAS_ZERO, ydir);
  relief_rng_normal_fill (24, 0, x, (gsize) N_SAMPLES * sizes[0]);
  for (int i = 0; i < N_SAMPLES; i++)
    y[i] = (int32_t) (relief_rng_uniform (25, i) * sizes[G_N_ELEMENTS (sizes) - 1]);
  for (int i = 0; i < NX; i++)
    xs[i] = -1.0 + 2.0 * i / (NX - 1);
  for (int i = 0; i < NY; i++)
    ys[i] = -0.6 + 1.4 * i / (NY - 1);
  for (int c = 0; c < CELLS; c++)
    {
      a[c] = xs[c % NX];
      b[c] = ys[c / NX];
      want_loss[c] = want_acc[c] = NAN;
    }
  g_assert_true (relief_surface_compute_reference (be, spec, center, xdir, ydir, xs, NX, ys, NY, x, y, N_SAMPLES,
                                                   want_loss, want_acc, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  if (single)
    relief_blas_single_thread_begin ();
  for (gsize k = 0; k < G_N_ELEMENTS (budgets); k++)
    {
      g_autoptr(ReliefSurfaceEval) ev = relief_surface_eval_new (be, spec, center, xdir, ydir, CELLS, budgets[k],
                                                                 &error);
      double loss[CELLS], acc[CELLS];

      g_assert_no_error (error);
      g_assert_cmpint (relief_surface_eval_cpu_threads (ev), ==, single || blas < 1 ? 1 : MIN (blas, CELLS));
      g_assert_cmpint (relief_surface_eval_cpu_block (ev), >=, 32);
      g_assert_true (relief_surface_eval_points (ev, a, b, CELLS, x, y, N_SAMPLES, loss, acc, NULL, &error));
      g_assert_no_error (error);
      for (int c = 0; c < CELLS; c++)
        {
          g_assert_cmpfloat (fabs (loss[c] - want_loss[c]), <=, 1e-5 * MAX (fabs (want_loss[c]), 1e-3));
          g_assert_cmpfloat (100.0 * acc[c], ==, want_acc[c]);
        }
    }
  if (single)
    relief_blas_single_thread_end ();
}

static void
test_threads_relu_ce (void)
{
  check (RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY, FALSE);
}

static void
test_threads_tanh_mse (void)
{
  check (RELIEF_ACT_TANH, RELIEF_LOSS_MSE, FALSE);
}

static void
test_one_thread (void)
{
  check (RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/surface-threads/single-thread-sections", test_single_thread_sections);
  g_test_add_func ("/surface-threads/relu-cross-entropy", test_threads_relu_ce);
  g_test_add_func ("/surface-threads/tanh-mse", test_threads_tanh_mse);
  g_test_add_func ("/surface-threads/one-thread", test_one_thread);
  return g_test_run ();
}

/* test-landscape-batched.c: the batched, factorized surface evaluation against the
 * point-by-point reference; progressive order, streaming and resume. */
#include "relief-directions.h"
#include "relief-surface-reference.h"
#include "relief-rng.h"

#include <math.h>
#include <string.h>

#define N_SAMPLES 300
#define NX 7
#define NY 6

typedef struct {
  ReliefMlpSpec *spec;
  gsize          n_params;
  float         *center, *xdir, *ydir, *zero;
  float         *x;
  int32_t       *y;
  double         xs[NX], ys[NY];
} Fixture;

static void
fixture_init (Fixture *f, const int *sizes, int n_sizes, ReliefActivation act, ReliefLoss loss)
{
  int in = sizes[0], classes = sizes[n_sizes - 1];

  f->spec = relief_mlp_spec_new (sizes, n_sizes, act, loss);
  f->n_params = relief_mlp_spec_n_params (f->spec);
  f->center = g_new (float, f->n_params);
  f->xdir = g_new (float, f->n_params);
  f->ydir = g_new (float, f->n_params);
  f->zero = g_new0 (float, f->n_params);
  relief_mlp_init_params (f->spec, 11, f->center);
  relief_direction_random (f->spec, f->center, 12, RELIEF_NORM_FILTER, RELIEF_BIAS_COPY, f->xdir);
  relief_direction_random (f->spec, f->center, 13, RELIEF_NORM_LAYER, RELIEF_BIAS_ZERO, f->ydir);
  f->x = g_new (float, N_SAMPLES * in);
  f->y = g_new (int32_t, N_SAMPLES);
  relief_rng_normal_fill (14, 0, f->x, (gsize) N_SAMPLES * in);
  for (int i = 0; i < N_SAMPLES; i++)
    f->y[i] = (int32_t) (relief_rng_uniform (15, i) * classes);
  for (int i = 0; i < NX; i++)
    f->xs[i] = -1.0 + 2.0 * i / (NX - 1);
  for (int i = 0; i < NY; i++)
    f->ys[i] = -0.7 + 1.5 * i / (NY - 1);
}

static void
fixture_clear (Fixture *f)
{
  relief_mlp_spec_free (f->spec);
  g_free (f->center);
  g_free (f->xdir);
  g_free (f->ydir);
  g_free (f->zero);
  g_free (f->x);
  g_free (f->y);
}

static void
nan_fill (double *v, gsize n)
{
  for (gsize i = 0; i < n; i++)
    v[i] = NAN;
}

/* The point-by-point surface of the vertical slice: the reference. */
static void
surface_reference (ReliefBackend *be, Fixture *f, const float *ydir, const double *ys, int ny, double *loss,
                   double *acc)
{
  g_autoptr(GError) error = NULL;

  nan_fill (loss, (gsize) NX * ny);
  nan_fill (acc, (gsize) NX * ny);
  g_assert_true (relief_surface_compute_reference (be, f->spec, f->center, f->xdir, ydir, f->xs, NX, ys, ny, f->x, f->y,
                                                   N_SAMPLES, loss, acc, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
assert_close (const double *got, const double *want, gsize n, double rel)
{
  for (gsize i = 0; i < n; i++)
    {
      g_assert_false (isnan (got[i]));
      g_assert_cmpfloat (fabs (got[i] - want[i]), <=, rel * MAX (fabs (want[i]), 1e-3));
    }
}

/* eval_points over the whole grid with a given workspace budget, against the reference. */
static void
check_model (const int *sizes, int n_sizes, ReliefActivation act, ReliefLoss loss_kind)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  /* 0: one sub-batch and chunk for everything; 4 KiB: chunks of 32 rows, one point at a time. */
  const gsize budgets[] = { 0, 4096, 64 << 10 };
  double want_loss[NX * NY], want_acc[NX * NY], a[NX * NY], b[NX * NY];
  Fixture f;

  fixture_init (&f, sizes, n_sizes, act, loss_kind);
  surface_reference (be, &f, f.ydir, f.ys, NY, want_loss, want_acc);
  for (int c = 0; c < NX * NY; c++)
    {
      a[c] = f.xs[c % NX];
      b[c] = f.ys[c / NX];
    }

  for (gsize k = 0; k < G_N_ELEMENTS (budgets); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefSurfaceEval) ev = relief_surface_eval_new (be, f.spec, f.center, f.xdir, f.ydir, NX * NY,
                                                                 budgets[k], &error);
      double loss[NX * NY], acc[NX * NY];

      g_assert_no_error (error);
      g_assert_true (relief_surface_eval_points (ev, a, b, NX * NY, f.x, f.y, N_SAMPLES, loss, acc, NULL, &error));
      g_assert_no_error (error);
      assert_close (loss, want_loss, NX * NY, 1e-5);
      for (int c = 0; c < NX * NY; c++)
        g_assert_cmpfloat (100.0 * acc[c], ==, want_acc[c]);
    }
  fixture_clear (&f);
}

static void
test_batched_relu_ce (void)
{
  const int sizes[] = { 5, 7, 6, 3 };

  check_model (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
}

static void
test_batched_gelu_mse (void)
{
  const int sizes[] = { 5, 9, 4, 8, 4 };

  check_model (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_GELU, RELIEF_LOSS_MSE);
}

static void
test_batched_single_layer (void)
{
  const int sizes[] = { 5, 3 };

  check_model (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_TANH, RELIEF_LOSS_CROSS_ENTROPY);
}

/* A 1D slice (no y direction) equals the point-by-point slice with a zero y direction. */
static void
test_batched_1d (void)
{
  const int sizes[] = { 5, 7, 6, 3 };
  const double y0 = 0.0;
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  double want_loss[NX], want_acc[NX], loss[NX], acc[NX];
  ReliefSamples train;
  Fixture f;

  fixture_init (&f, sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  surface_reference (be, &f, f.zero, &y0, 1, want_loss, want_acc);
  train = (ReliefSamples) { f.x, f.y, N_SAMPLES };
  nan_fill (loss, NX);
  nan_fill (acc, NX);
  g_assert_true (relief_surface_compute_progressive (be, f.spec, f.center, f.xdir, NULL, f.xs, NX, NULL, 1,
                                                     &train, NULL, loss, acc, NULL, NULL, NULL, NULL, NULL,
                                                     &error));
  g_assert_no_error (error);
  assert_close (loss, want_loss, NX, 1e-5);
  for (int c = 0; c < NX; c++)
    g_assert_cmpfloat (acc[c], ==, want_acc[c]);
  fixture_clear (&f);
}

static void
test_progressive_order (void)
{
  const int shapes[][3] = { /* nx, ny, first step */
    { 9, 9, 2 }, { 7, 6, 2 }, { 1, 1, 1 }, { 5, 1, 1 }, { 21, 21, 4 }, { 31, 31, 8 }, { 201, 201, 64 },
  };

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int nx = shapes[s][0], ny = shapes[s][1], level_end[RELIEF_SURFACE_MAX_LEVELS], first = 0, n_levels, level = 0;
      g_autofree int *order = g_new (int, nx * ny);
      g_autofree gboolean *seen = g_new0 (gboolean, nx * ny);

      n_levels = relief_surface_progressive_order (nx, ny, order, level_end, &first);
      g_assert_cmpint (first, ==, shapes[s][2]);
      g_assert_cmpint (1 << (n_levels - 1), ==, first);
      g_assert_cmpint (level_end[0], ==, ((nx + first - 1) / first) * ((ny + first - 1) / first));
      g_assert_cmpint (level_end[0], <=, 49);
      g_assert_cmpint (level_end[n_levels - 1], ==, nx * ny);
      for (int i = 0; i < nx * ny; i++)
        {
          int ix = order[i] % nx, iy = order[i] / nx, step;

          while (i >= level_end[level])
            level++;
          step = first >> level;
          g_assert_false (seen[order[i]]);
          seen[order[i]] = TRUE;
          g_assert_true (ix % step == 0 && iy % step == 0);
          g_assert_true (level == 0 || ix % (2 * step) != 0 || iy % (2 * step) != 0);
        }
    }
}

typedef struct {
  int           calls;
  int           cancel_after;
  GCancellable *cancellable;
  int           first_cells[16];
} Stream;

static void
on_cell (int ix, int iy, double loss, double acc, gpointer user_data)
{
  Stream *s = user_data;

  g_assert_false (isnan (loss));
  if (s->calls < (int) G_N_ELEMENTS (s->first_cells))
    s->first_cells[s->calls] = iy * NX + ix;
  if (++s->calls == s->cancel_after)
    g_cancellable_cancel (s->cancellable);
}

/* Streams coarse cells first; a cancelled surface resumed from its cells equals an
 * uninterrupted one exactly, train and test. */
static void
test_progressive_resume (void)
{
  const int sizes[] = { 5, 7, 6, 3 };
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  double full[4][NX * NY], part[4][NX * NY], want_loss[NX * NY], want_acc[NX * NY];
  ReliefSamples train, test;
  Stream stream = { 0, 0, NULL, { 0 } };
  int order[NX * NY], level_end[RELIEF_SURFACE_MAX_LEVELS], remaining = 0;
  Fixture f;

  fixture_init (&f, sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  train = (ReliefSamples) { f.x, f.y, 200 };
  test = (ReliefSamples) { f.x + 200 * sizes[0], f.y + 200, N_SAMPLES - 200 };

  for (int k = 0; k < 4; k++)
    {
      nan_fill (full[k], NX * NY);
      nan_fill (part[k], NX * NY);
    }
  g_assert_true (relief_surface_compute_progressive (be, f.spec, f.center, f.xdir, f.ydir, f.xs, NX, f.ys, NY,
                                                     &train, &test, full[0], full[1], full[2], full[3],
                                                     on_cell, &stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stream.calls, ==, NX * NY);
  relief_surface_progressive_order (NX, NY, order, level_end, NULL);
  for (int i = 0; i < level_end[0]; i++)
    g_assert_cmpint (stream.first_cells[i], ==, order[i]);

  /* Test losses equal a point-by-point evaluation over the test split. */
  nan_fill (want_loss, NX * NY);
  nan_fill (want_acc, NX * NY);
  g_assert_true (relief_surface_compute_reference (be, f.spec, f.center, f.xdir, f.ydir, f.xs, NX, f.ys, NY, test.x,
                                                   test.y, test.n, want_loss, want_acc, NULL, NULL, NULL, &error));
  assert_close (full[2], want_loss, NX * NY, 1e-5);

  /* Cancelled within the first wave (the coarse grid): that wave completes, then stop. */
  stream = (Stream) { 0, 2, cancellable, { 0 } };
  g_assert_false (relief_surface_compute_progressive (be, f.spec, f.center, f.xdir, f.ydir, f.xs, NX, f.ys, NY,
                                                      &train, &test, part[0], part[1], part[2], part[3],
                                                      on_cell, &stream, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (stream.calls, ==, level_end[0]);
  for (int c = 0; c < NX * NY; c++)
    remaining += isnan (part[0][c]);
  g_assert_cmpint (remaining, ==, NX * NY - level_end[0]);

  stream = (Stream) { 0, 0, NULL, { 0 } };
  g_assert_true (relief_surface_compute_progressive (be, f.spec, f.center, f.xdir, f.ydir, f.xs, NX, f.ys, NY,
                                                     &train, &test, part[0], part[1], part[2], part[3],
                                                     on_cell, &stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stream.calls, ==, remaining);
  for (int k = 0; k < 4; k++)
    g_assert_cmpmem (part[k], sizeof part[k], full[k], sizeof full[k]);
  fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/surface-eval/relu-cross-entropy", test_batched_relu_ce);
  g_test_add_func ("/surface-eval/gelu-mse", test_batched_gelu_mse);
  g_test_add_func ("/surface-eval/single-layer", test_batched_single_layer);
  g_test_add_func ("/surface-eval/1d", test_batched_1d);
  g_test_add_func ("/surface-eval/progressive-order", test_progressive_order);
  g_test_add_func ("/surface-eval/progressive-resume", test_progressive_resume);
  return g_test_run ();
}

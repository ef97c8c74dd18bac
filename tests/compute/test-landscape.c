/* test-landscape.c: filter-normalized directions, grid parsing and point-by-point surfaces. */
#include "relief-grid.h"
#include "relief-directions.h"
#include "relief-surface-reference.h"
#include "relief-rng.h"

#include <math.h>
#include <string.h>

static const int sizes[] = { 2, 8, 3 };
#define N_SAMPLES 200

static double
row_norm (const float *v, int n)
{
  double sum = 0.0;

  for (int i = 0; i < n; i++)
    sum += (double) v[i] * v[i];
  return sqrt (sum);
}

static void
test_direction_filter (void)
{
  const int big[] = { 3, 5, 4 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (big, 3, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  gsize n = relief_mlp_spec_n_params (spec);
  g_autofree float *weights = g_new (float, n);
  g_autofree float *dir = g_new (float, n);
  g_autofree float *again = g_new (float, n);
  g_autofree float *raw = g_new (float, n);

  relief_mlp_init_params (spec, 1, weights);
  relief_direction_random_filter (spec, weights, 21, dir);
  relief_direction_random_filter (spec, weights, 21, again);
  g_assert_cmpmem (dir, n * sizeof (float), again, n * sizeof (float));
  relief_rng_normal_fill (21, 0, raw, n);

  for (int l = 0; l < spec->n_layers; l++)
    {
      int in = big[l], out = big[l + 1];
      gsize w_off = relief_mlp_spec_weight_offset (spec, l);
      gsize b_off = relief_mlp_spec_bias_offset (spec, l);

      for (int r = 0; r < out; r++)
        {
          const float *w = weights + w_off + (gsize) r * in;
          const float *d = dir + w_off + (gsize) r * in;
          const float *g = raw + w_off + (gsize) r * in;
          double scale = row_norm (w, in) / row_norm (g, in);

          g_assert_cmpfloat_with_epsilon (row_norm (d, in), row_norm (w, in), 1e-6 * row_norm (w, in));
          /* Only rescaled: the same Gaussian draw, row by row. */
          for (int c = 0; c < in; c++)
            g_assert_cmpfloat_with_epsilon (d[c], g[c] * scale, 1e-6);
        }
      for (int r = 0; r < out; r++)
        g_assert_cmpfloat (dir[b_off + r], ==, 0.0f);
    }
}

static void
test_grid_parse (void)
{
  const char *bad[] = { "abc", "1:2", "1:0:5", "1:2:0", "1:2:x", "1:2:3:4", "-1:1:2.5", "", ":1:5", "nan:1:3" };
  ReliefGridAxis axis;
  double values[5];

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (relief_grid_axis_parse (bad[i], &axis, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }

  {
    g_autoptr(GError) error = NULL;

    g_assert_true (relief_grid_axis_parse ("-1:1:51", &axis, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (axis.min, ==, -1.0);
    g_assert_cmpfloat (axis.max, ==, 1.0);
    g_assert_cmpint (axis.count, ==, 51);

    g_assert_true (relief_grid_axis_parse ("-1:1:5", &axis, &error));
    relief_grid_axis_values (&axis, values);
    g_assert_cmpfloat (values[0], ==, -1.0);
    g_assert_cmpfloat (values[1], ==, -0.5);
    g_assert_cmpfloat (values[2], ==, 0.0);
    g_assert_cmpfloat (values[3], ==, 0.5);
    g_assert_cmpfloat (values[4], ==, 1.0);

    /* A single point needs no range; min may even equal max. */
    g_assert_true (relief_grid_axis_parse ("0.25:0.25:1", &axis, &error));
    relief_grid_axis_values (&axis, values);
    g_assert_cmpint (axis.count, ==, 1);
    g_assert_cmpfloat (values[0], ==, 0.25);
    g_assert_no_error (error);
  }
}

/* A small classification problem and a model around which to slice. */
typedef struct {
  ReliefMlpSpec *spec;
  float         *center, *xdir, *ydir;
  float          x[N_SAMPLES * 2];
  int32_t        y[N_SAMPLES];
  double         grid[5];
  double         loss[25], acc[25];
  int            cells_done;
  GCancellable  *cancel_after;
  int            cancel_after_cells;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  gsize n;
  ReliefGridAxis axis = { -1.0, 1.0, 5 };

  f->spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_TANH, RELIEF_LOSS_CROSS_ENTROPY);
  n = relief_mlp_spec_n_params (f->spec);
  f->center = g_new (float, n);
  f->xdir = g_new (float, n);
  f->ydir = g_new (float, n);
  relief_mlp_init_params (f->spec, 8, f->center);
  relief_direction_random_filter (f->spec, f->center, 1, f->xdir);
  relief_direction_random_filter (f->spec, f->center, 2, f->ydir);
  relief_rng_normal_fill (3, 0, f->x, G_N_ELEMENTS (f->x));
  for (int i = 0; i < N_SAMPLES; i++)
    f->y[i] = f->x[2 * i] > 0 ? (f->x[2 * i + 1] > 0 ? 2 : 1) : 0;
  relief_grid_axis_values (&axis, f->grid);
  for (int i = 0; i < 25; i++)
    f->loss[i] = f->acc[i] = NAN;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  relief_mlp_spec_free (f->spec);
  g_free (f->center);
  g_free (f->xdir);
  g_free (f->ydir);
  g_clear_object (&f->cancel_after);
}

static void
on_cell (int ix, int iy, double loss, double acc_percent, gpointer user_data)
{
  Fixture *f = user_data;

  g_assert_cmpfloat (f->loss[iy * 5 + ix], ==, loss);
  f->cells_done++;
  if (f->cancel_after != NULL && f->cells_done == f->cancel_after_cells)
    g_cancellable_cancel (f->cancel_after);
}

static gboolean
compute (Fixture *f, ReliefBackend *be, GError **error)
{
  return relief_surface_compute_reference (be, f->spec, f->center, f->xdir, f->ydir, f->grid, 5, f->grid, 5, f->x, f->y,
                                           N_SAMPLES, f->loss, f->acc, on_cell, f, f->cancel_after, error);
}

static void
test_surface_center (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(ReliefMlp) mlp = relief_mlp_new (be, f->spec, N_SAMPLES, &error);
  gsize bytes = sizeof (float) * relief_mlp_spec_n_params (f->spec);
  float *d_center = be->alloc (be, bytes, &error);
  double loss, acc;

  g_assert_true (compute (f, be, &error));
  g_assert_no_error (error);
  g_assert_cmpint (f->cells_done, ==, 25);

  g_assert_true (be->upload (be, d_center, f->center, bytes, &error));
  g_assert_true (relief_mlp_evaluate (mlp, d_center, f->x, f->y, N_SAMPLES, &loss, &acc, &error));
  g_assert_no_error (error);
  /* Row 2, column 2 is (0, 0): the center itself, bit for bit. */
  g_assert_cmpfloat (f->loss[2 * 5 + 2], ==, loss);
  g_assert_cmpfloat (f->acc[2 * 5 + 2], ==, 100.0 * acc);
  for (int i = 0; i < 25; i++)
    {
      g_assert_true (isfinite (f->loss[i]));
      g_assert_cmpfloat (f->acc[i], >=, 0.0);
      g_assert_cmpfloat (f->acc[i], <=, 100.0);
    }
  /* The grid is not flat: a step of a whole weight norm changes the loss. */
  g_assert_cmpfloat (fabs (f->loss[0] - loss), >, 1e-3);
  be->free (be, d_center);
}

static void
test_surface_resume (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();

  f->loss[0] = 123.0;
  f->acc[0] = 45.0;
  f->loss[13] = 7.0;
  f->acc[13] = 8.0;
  g_assert_true (compute (f, be, &error));
  g_assert_no_error (error);
  g_assert_cmpint (f->cells_done, ==, 23);
  g_assert_cmpfloat (f->loss[0], ==, 123.0);
  g_assert_cmpfloat (f->acc[0], ==, 45.0);
  g_assert_cmpfloat (f->loss[13], ==, 7.0);
  g_assert_cmpfloat (f->acc[13], ==, 8.0);
  g_assert_true (isfinite (f->loss[1]));
}

static void
test_surface_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  int computed = 0;

  f->cancel_after = g_cancellable_new ();
  f->cancel_after_cells = 3;
  g_assert_false (compute (f, be, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (int i = 0; i < 25; i++)
    {
      computed += !isnan (f->loss[i]);
      g_assert_cmpint (isnan (f->loss[i]), ==, isnan (f->acc[i]));
    }
  g_assert_cmpint (computed, ==, 3);
  g_assert_true (isnan (f->loss[24]));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/compute/landscape/direction-filter", test_direction_filter);
  g_test_add_func ("/compute/landscape/grid-parse", test_grid_parse);
  g_test_add ("/compute/landscape/surface-center", Fixture, NULL, fixture_set_up, test_surface_center, fixture_tear_down);
  g_test_add ("/compute/landscape/surface-resume", Fixture, NULL, fixture_set_up, test_surface_resume, fixture_tear_down);
  g_test_add ("/compute/landscape/surface-cancel", Fixture, NULL, fixture_set_up, test_surface_cancel, fixture_tear_down);
  return g_test_run ();
}

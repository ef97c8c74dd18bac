/* test-subspace.c: random projections, subspace training and d_int90 on the CPU backend. */
#include "relief-dint90.h"
#include "relief-subspace.h"
#include "relief-rng.h"
#include "relief-enums.h"

#include <math.h>
#include <string.h>

/* Three blobs in the plane, labels interleaved so every batch sees every class. */
static ReliefDataset *
make_blobs (int n_train, int n_test, double spread)
{
  ReliefDataset *ds = relief_dataset_new ("blobs", 2, 3, n_train, n_test);

  for (int i = 0; i < n_train + n_test; i++)
    {
      int label = i % 3;
      double angle = 2.0 * G_PI * label / 3.0;
      float *x = i < n_train ? ds->x_train + 2 * i : ds->x_test + 2 * (i - n_train);
      int32_t *y = i < n_train ? ds->y_train + i : ds->y_test + (i - n_train);

      x[0] = (float) (2.0 * cos (angle) + spread * relief_rng_normal (7, 2 * i));
      x[1] = (float) (2.0 * sin (angle) + spread * relief_rng_normal (7, 2 * i + 1));
      *y = label;
    }
  ds->generated = TRUE;
  return ds;
}

static float *
explicit_matrix (ReliefProjection *proj)
{
  gsize D = relief_projection_get_D (proj), d = relief_projection_get_d (proj);
  float *p = g_new (float, D * d);

  relief_projection_explicit_reference (proj, p);
  return p;
}

static double
column_norm_sq (const float *p, gsize D, gsize d, gsize j)
{
  double s = 0.0;

  for (gsize i = 0; i < D; i++)
    s += (double) p[i * d + j] * p[i * d + j];
  return s;
}

static void
test_unit_columns (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  ReliefProjectionKind kinds[] = { RELIEF_PROJECTION_DENSE, RELIEF_PROJECTION_SPARSE };
  const gsize D = 400, d = 50;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefProjection) proj = relief_projection_new (be, kinds[k], D, d, 11, &error);
      g_autofree float *p = NULL;
      gsize nonzero = 0;

      g_assert_no_error (error);
      p = explicit_matrix (proj);
      for (gsize j = 0; j < d; j++)
        g_assert_cmpfloat_with_epsilon (column_norm_sq (p, D, d, j), 1.0, 1e-5);
      for (gsize i = 0; i < D * d; i++)
        nonzero += p[i] != 0.0f;
      if (kinds[k] == RELIEF_PROJECTION_SPARSE)
        {
          /* Expected density 1/sqrt(400) = 5%, so about 1000 of 20000 entries. */
          g_assert_cmpuint (nonzero, >, 800);
          g_assert_cmpuint (nonzero, <, 1200);
        }
      else
        g_assert_cmpuint (nonzero, ==, D * d);
    }
}

static void
test_fastfood_norm_in_expectation (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  const gsize D = 100, d = 300;   /* n = 128: three blocks, the last one partial */
  g_autoptr(ReliefProjection) proj = relief_projection_new (be, RELIEF_PROJECTION_FASTFOOD, D, d, 5, &error);
  g_autofree float *p = NULL;
  double mean = 0.0;

  g_assert_no_error (error);
  p = explicit_matrix (proj);
  for (gsize j = 0; j < d; j++)
    mean += column_norm_sq (p, D, d, j) / d;
  g_test_message ("mean squared column norm %.4f", mean);
  g_assert_cmpfloat (fabs (mean - 1.0), <, 0.05);
}

static void
test_near_orthonormal (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  ReliefProjectionKind kinds[] = { RELIEF_PROJECTION_DENSE, RELIEF_PROJECTION_SPARSE };
  const gsize D = 4000, d = 8;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefProjection) proj = relief_projection_new (be, kinds[k], D, d, 3, &error);
      g_autofree float *p = NULL;

      g_assert_no_error (error);
      p = explicit_matrix (proj);
      for (gsize a = 0; a < d; a++)
        for (gsize b = 0; b < d; b++)
          {
            double dot = 0.0;

            for (gsize i = 0; i < D; i++)
              dot += (double) p[i * d + a] * p[i * d + b];
            /* Off the diagonal a sum of D products of size 1/D: about 1/sqrt(D) = 0.016. */
            g_assert_cmpfloat (fabs (dot - (a == b ? 1.0 : 0.0)), <, 0.08);
          }
    }
}

/* forward and transpose against the explicit matrix, in double on the host. */
static void
check_products (ReliefBackend *be, ReliefProjectionKind kind, gsize D, gsize d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefProjection) proj = relief_projection_new (be, kind, D, d, 21, &error);
  g_autofree float *p = NULL;
  g_autofree float *theta0 = g_new (float, D), *z = g_new (float, d), *theta = g_new (float, D);
  g_autofree float *g = g_new (float, D), *g_z = g_new (float, d);

  g_assert_no_error (error);
  p = explicit_matrix (proj);
  relief_rng_normal_fill (1, 0, theta0, D);
  relief_rng_normal_fill (2, 0, z, d);
  relief_rng_normal_fill (3, 0, g, D);
  g_assert_true (relief_projection_forward (proj, theta0, z, theta, &error));
  g_assert_true (relief_projection_transpose (proj, g, g_z, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < D; i++)
    {
      double ref = theta0[i];

      for (gsize j = 0; j < d; j++)
        ref += (double) p[i * d + j] * z[j];
      g_assert_cmpfloat (fabs (theta[i] - ref), <, 1e-4 * (1.0 + fabs (ref)));
    }
  for (gsize j = 0; j < d; j++)
    {
      double ref = 0.0;

      for (gsize i = 0; i < D; i++)
        ref += (double) p[i * d + j] * g[i];
      g_assert_cmpfloat (fabs (g_z[j] - ref), <, 1e-4 * (1.0 + fabs (ref)));
    }
}

static void
test_products_match_explicit (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();

  check_products (be, RELIEF_PROJECTION_DENSE, 300, 17);
  check_products (be, RELIEF_PROJECTION_SPARSE, 300, 17);
  check_products (be, RELIEF_PROJECTION_IDENTITY, 37, 37);
  check_products (be, RELIEF_PROJECTION_IMPLICIT, 300, 17);
  check_products (be, RELIEF_PROJECTION_FASTFOOD, 50, 20);
  check_products (be, RELIEF_PROJECTION_FASTFOOD, 50, 150);   /* n = 64: three blocks */
  check_products (be, RELIEF_PROJECTION_FASTFOOD, 64, 64);
}

/* implicit is dense regenerated on each product: the same matrix, and the same products
 * across several regenerated row blocks (70000 x 64 floats exceed one block of 2^22). */
static void
test_implicit_equals_dense (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  const gsize D = 70000, d = 64;
  g_autoptr(ReliefProjection) dense = relief_projection_new (be, RELIEF_PROJECTION_DENSE, D, d, 33, &error);
  g_autoptr(ReliefProjection) implicit = relief_projection_new (be, RELIEF_PROJECTION_IMPLICIT, D, d, 33, &error);
  g_autofree float *p_dense = NULL, *p_implicit = NULL;
  g_autofree float *theta0 = g_new (float, D), *z = g_new (float, d), *g = g_new (float, D);
  g_autofree float *theta_a = g_new (float, D), *theta_b = g_new (float, D);
  g_autofree float *gz_a = g_new (float, d), *gz_b = g_new (float, d);

  g_autoptr(ReliefProjection) small_dense = relief_projection_new (be, RELIEF_PROJECTION_DENSE, 300, 17, 33, &error);
  g_autoptr(ReliefProjection) small_implicit = relief_projection_new (be, RELIEF_PROJECTION_IMPLICIT, 300, 17, 33,
                                                                      &error);

  g_assert_no_error (error);
  p_dense = explicit_matrix (small_dense);
  p_implicit = explicit_matrix (small_implicit);
  g_assert_cmpmem (p_dense, sizeof (float) * 300 * 17, p_implicit, sizeof (float) * 300 * 17);

  relief_rng_normal_fill (1, 0, theta0, D);
  relief_rng_normal_fill (2, 0, z, d);
  relief_rng_normal_fill (3, 0, g, D);
  g_assert_true (relief_projection_forward (dense, theta0, z, theta_a, &error));
  g_assert_true (relief_projection_forward (implicit, theta0, z, theta_b, &error));
  g_assert_true (relief_projection_transpose (dense, g, gz_a, &error));
  g_assert_true (relief_projection_transpose (implicit, g, gz_b, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < D; i++)
    g_assert_cmpfloat (fabs (theta_a[i] - theta_b[i]), <, 1e-5 * (1.0 + fabs (theta_a[i])));
  for (gsize j = 0; j < d; j++)
    g_assert_cmpfloat (fabs (gz_a[j] - gz_b[j]), <, 1e-4 * (1.0 + fabs (gz_a[j])));
}

static void
test_bad_arguments (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;

  g_assert_null (relief_projection_new (be, RELIEF_PROJECTION_IDENTITY, 10, 9, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (relief_projection_new (be, RELIEF_PROJECTION_DENSE, 0, 3, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* Mean loss over the whole set at theta0 + P z. */
static double
loss_at (ReliefMlp *mlp, ReliefProjection *proj, const float *theta0, const float *z, const ReliefDataset *ds)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *theta = g_new (float, relief_projection_get_D (proj));
  double loss, acc;

  g_assert_true (relief_projection_forward (proj, theta0, z, theta, &error));
  g_assert_true (relief_mlp_evaluate (mlp, theta, ds->x_train, ds->y_train, ds->n_train, &loss, &acc, &error));
  g_assert_no_error (error);
  return loss;
}

static void
test_gradient_in_z (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  static const int sizes[] = { 2, 6, 3 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_TANH, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefDataset) ds = make_blobs (30, 0, 0.8);
  gsize D = relief_mlp_spec_n_params (spec), d = 5;
  g_autoptr(ReliefProjection) proj = relief_projection_new (be, RELIEF_PROJECTION_DENSE, D, d, 9, &error);
  g_autoptr(ReliefMlp) mlp = relief_mlp_new (be, spec, ds->n_train, &error);
  g_autofree float *theta0 = g_new (float, D), *theta = g_new (float, D), *g = g_new (float, D);
  g_autofree float *z = g_new (float, d), *g_z = g_new (float, d), *p = NULL;
  double loss;
  int correct;

  g_assert_no_error (error);
  relief_mlp_init_params (spec, 4, theta0);
  relief_rng_normal_fill (8, 0, z, d);
  p = explicit_matrix (proj);
  g_assert_true (relief_projection_forward (proj, theta0, z, theta, &error));
  g_assert_true (relief_mlp_forward_backward (mlp, theta, ds->x_train, ds->y_train, ds->n_train, g,
                                              &loss, &correct, &error));
  g_assert_true (relief_projection_transpose (proj, g, g_z, &error));
  g_assert_no_error (error);

  for (gsize j = 0; j < d; j++)
    {
      const float h = 1e-2f;
      double ref = 0.0, plus, minus, fd;
      float saved = z[j];

      for (gsize i = 0; i < D; i++)
        ref += (double) p[i * d + j] * g[i];
      g_assert_cmpfloat (fabs (g_z[j] - ref), <, 1e-5 * (1.0 + fabs (ref)));

      z[j] = saved + h;
      plus = loss_at (mlp, proj, theta0, z, ds);
      z[j] = saved - h;
      minus = loss_at (mlp, proj, theta0, z, ds);
      z[j] = saved;
      fd = (plus - minus) / (2.0 * h);
      g_assert_cmpfloat (fabs (g_z[j] - fd), <, 2e-3 * (1.0 + fabs (fd)));
    }
}

/* With P = I, training z from 0 is training theta from theta0, step for step. */
static void
test_identity_is_direct_training (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  static const int sizes[] = { 2, 8, 3 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefDataset) ds = make_blobs (60, 30, 0.8);
  gsize D = relief_mlp_spec_n_params (spec);
  g_autoptr(ReliefProjection) proj = relief_projection_new (be, RELIEF_PROJECTION_IDENTITY, D, D, 0, &error);
  g_autofree float *theta0 = g_new (float, D), *params = g_new (float, D), *z = g_new (float, D);
  ReliefTrainConfig config;
  ReliefSubspaceResult result;
  double max_diff = 0.0;

  g_assert_no_error (error);
  relief_train_config_init_defaults (&config);
  config.batch_size = 16;
  config.epochs = 3;
  config.seed = 12;
  relief_mlp_init_params (spec, relief_rng_derive (config.seed, "init"), theta0);
  memcpy (params, theta0, sizeof (float) * D);

  g_assert_cmpint (relief_train (be, spec, ds, &config, params, NULL, NULL, &error), ==, RELIEF_TRAIN_COMPLETED);
  g_assert_no_error (error);
  g_assert_cmpint (relief_subspace_train (be, spec, ds, &config, proj, theta0, z, NULL, &result, NULL, &error),
                   ==, RELIEF_TRAIN_COMPLETED);
  g_assert_no_error (error);
  g_assert_cmpint (result.steps, ==, 3 * 4);
  for (gsize i = 0; i < D; i++)
    max_diff = MAX (max_diff, fabs ((double) (theta0[i] + z[i]) - params[i]));
  g_test_message ("largest difference from direct training %.3g", max_diff);
  g_assert_cmpfloat (max_diff, <, 1e-6);
  g_assert_true (isfinite (result.test_acc));
}

/* Cancelled before the first step: z is reset to 0 and the result is theta0's. */
static void
test_cancel_before_first_step (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  static const int sizes[] = { 2, 4, 3 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefDataset) ds = make_blobs (30, 0, 0.8);
  gsize D = relief_mlp_spec_n_params (spec);
  g_autoptr(ReliefProjection) proj = relief_projection_new (be, RELIEF_PROJECTION_DENSE, D, 3, 1, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree float *theta0 = g_new (float, D);
  float z[3] = { 1.0f, 1.0f, 1.0f };
  ReliefTrainConfig config;
  ReliefSubspaceResult result;

  g_assert_no_error (error);
  relief_train_config_init_defaults (&config);
  relief_mlp_init_params (spec, 2, theta0);
  g_cancellable_cancel (cancellable);
  g_assert_cmpint (relief_subspace_train (be, spec, ds, &config, proj, theta0, z, NULL, &result, cancellable,
                                          &error), ==, RELIEF_TRAIN_CANCELLED);
  g_assert_no_error (error);
  g_assert_cmpint (result.steps, ==, 0);
  g_assert_cmpfloat (z[0], ==, 0.0f);
  g_assert_true (isnan (result.test_acc));
}

/* A subspace training that diverges keeps the last z whose loss was finite: the cell's
 * result is that z's, finite (SGD at learning rates whose updates or losses overflow;
 * keeping the z a step started from, whose loss had overflowed, gave a NaN loss). */
static void
test_divergence_keeps_finite (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  static const int sizes[] = { 2, 8, 3 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_RELU, RELIEF_LOSS_MSE);
  g_autoptr(ReliefDataset) ds = make_blobs (60, 30, 0.8);
  gsize D = relief_mlp_spec_n_params (spec);
  g_autofree float *theta0 = g_new (float, D);
  float z[6];
  int diverged = 0;

  relief_mlp_init_params (spec, 4, theta0);
  for (double lr = 10; lr < 1e12; lr *= 10)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefProjection) proj = relief_projection_new (be, RELIEF_PROJECTION_DENSE, D, 6, 1, &error);
      ReliefTrainConfig config;
      ReliefSubspaceResult result;
      ReliefTrainStatus st;

      relief_train_config_init_defaults (&config);
      config.optimizer.kind = RELIEF_OPT_SGD;
      config.optimizer.lr = (float) lr;
      config.batch_size = 8;
      config.epochs = 3;
      st = relief_subspace_train (be, spec, ds, &config, proj, theta0, z, NULL, &result, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("lr %g: %s after %" G_GINT64_FORMAT " steps, loss %g", lr,
                      relief_enum_to_nick (RELIEF_TYPE_TRAIN_STATUS, st), result.steps, result.train_loss);
      if (st != RELIEF_TRAIN_DIVERGED)
        continue;
      diverged++;
      for (int i = 0; i < 6; i++)
        g_assert_true (isfinite (z[i]));
      g_assert_true (isfinite (result.train_loss) && isfinite (result.test_loss));
      g_assert_true (isfinite (result.train_acc) && isfinite (result.test_acc));
    }
  g_assert_cmpint (diverged, >=, 3);
}

/* A projection for another number of parameters is refused. */
static void
test_mismatched_projection (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  static const int sizes[] = { 2, 4, 3 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefDataset) ds = make_blobs (30, 0, 0.8);
  gsize D = relief_mlp_spec_n_params (spec);
  g_autoptr(ReliefProjection) wrong = relief_projection_new (be, RELIEF_PROJECTION_DENSE, D + 1, 3, 1, &error);
  g_autofree float *theta0 = g_new (float, D + 1);
  ReliefTrainConfig config;

  g_assert_no_error (error);
  relief_train_config_init_defaults (&config);
  relief_mlp_init_params (spec, 2, theta0);
  g_assert_cmpint (relief_subspace_train (be, spec, ds, &config, wrong, theta0, NULL, NULL, NULL, NULL, &error),
                   ==, RELIEF_TRAIN_FAILED);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_dint90_tables (void)
{
  static const gint64 dims[] = { 10, 20, 40, 80 };
  double mean, std;

  /* Exact crossing at 20 for one seed (0.9 * 1.0 reached exactly). */
  {
    static const double acc[] = { 0.5, 0.9, 0.95, 0.97 };

    g_assert_cmpint (relief_dint90 (dims, acc, 4, 1, 1.0, &mean, &std), ==, 1);
    g_assert_cmpfloat_with_epsilon (mean, 20.0, 1e-12);
    g_assert_cmpfloat (std, ==, 0.0);
  }
  /* Interpolated: target 0.72 for baseline 0.8. Seed 0 crosses between 20 (0.62) and
   * 40 (0.82): 20 + 0.5 * 20 = 30; seed 1 between 40 (0.7) and 80 (0.74): 40 + 0.5 * 40 = 60. */
  {
    static const double acc[] = { 0.3, 0.3,
                                  0.62, 0.5,
                                  0.82, 0.7,
                                  0.9, 0.74 };

    g_assert_cmpint (relief_dint90 (dims, acc, 4, 2, 0.8, &mean, &std), ==, 2);
    g_assert_cmpfloat_with_epsilon (mean, 45.0, 1e-9);
    g_assert_cmpfloat_with_epsilon (std, sqrt (2.0 * 15.0 * 15.0), 1e-9);
  }
  /* Never reached: NaN. */
  {
    static const double acc[] = { 0.1, 0.2, 0.3, 0.4 };

    g_assert_cmpint (relief_dint90 (dims, acc, 4, 1, 1.0, &mean, &std), ==, 0);
    g_assert_true (isnan (mean) && isnan (std));
  }
  /* NaN cells are skipped: interpolation runs between 10 (0.5) and 80 (1.0), target 0.9. */
  {
    static const double acc[] = { 0.5, NAN, NAN, 1.0 };

    g_assert_cmpint (relief_dint90 (dims, acc, 4, 1, 1.0, &mean, &std), ==, 1);
    g_assert_cmpfloat_with_epsilon (mean, 10.0 + 0.8 * 70.0, 1e-9);
  }
  /* Reached at the first point: no interpolation below the sweep. */
  {
    static const double acc[] = { 0.95, 0.96, 0.97, 0.98 };

    relief_dint90 (dims, acc, 4, 1, 1.0, &mean, &std);
    g_assert_cmpfloat (mean, ==, 10.0);
  }
}

/* A tiny sweep end to end: the subspace network gets better as d grows. */
static void
test_sweep_on_blobs (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  static const int sizes[] = { 2, 16, 16, 3 };
  static const gint64 dims[] = { 1, 4, 64 };
  const ReliefProjectionKind kinds[] = { RELIEF_PROJECTION_DENSE, RELIEF_PROJECTION_SPARSE,
                                         RELIEF_PROJECTION_FASTFOOD };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 4, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefDataset) ds = make_blobs (300, 150, 1.0);
  gsize D = relief_mlp_spec_n_params (spec);
  g_autofree float *theta0 = g_new (float, D);
  ReliefTrainConfig config;

  relief_train_config_init_defaults (&config);
  config.batch_size = 32;
  config.epochs = 10;
  config.optimizer.lr = 0.05f;
  relief_mlp_init_params (spec, 1, theta0);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      double acc[G_N_ELEMENTS (dims)], mean, std;

      for (guint i = 0; i < G_N_ELEMENTS (dims); i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(ReliefProjection) proj = relief_projection_new (be, kinds[k], D, (gsize) dims[i], 2, &error);
          ReliefSubspaceResult result;

          g_assert_no_error (error);
          g_assert_cmpint (relief_subspace_train (be, spec, ds, &config, proj, theta0, NULL, NULL, &result,
                                                  NULL, &error), ==, RELIEF_TRAIN_COMPLETED);
          g_assert_no_error (error);
          acc[i] = result.test_acc;
          g_test_message ("%s d=%" G_GINT64_FORMAT ": test accuracy %.3f",
                          relief_enum_to_nick (RELIEF_TYPE_PROJECTION_KIND, kinds[k]), dims[i], acc[i]);
        }
      g_assert_cmpfloat (acc[0], <, acc[1]);
      g_assert_cmpfloat (acc[1], <, acc[2]);
      g_assert_cmpfloat (acc[2], >, 0.85);
      g_assert_cmpint (relief_dint90 (dims, acc, G_N_ELEMENTS (dims), 1, acc[2], &mean, &std), ==, 1);
      g_assert_cmpfloat (mean, >=, 1.0);
      g_assert_cmpfloat (mean, <=, 64.0);
    }
}

/* A dense P larger than the memory is refused up front with a message naming the other
 * projections, not allocated and then killed for. */
static void
test_too_large_refused (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefProjection) proj = relief_projection_new (be, RELIEF_PROJECTION_DENSE, (gsize) 1 << 30,
                                                            (gsize) 1 << 20, 1, &error);

  g_assert_null (proj);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "sparse, fastfood or implicit"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* About 3.5e10 nonzeros. */
  g_assert_null (relief_projection_new (be, RELIEF_PROJECTION_SPARSE, (gsize) 1 << 30, (gsize) 1 << 20, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_test_message ("%s", error->message);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/subspace/unit-columns", test_unit_columns);
  g_test_add_func ("/subspace/fastfood-norm", test_fastfood_norm_in_expectation);
  g_test_add_func ("/subspace/near-orthonormal", test_near_orthonormal);
  g_test_add_func ("/subspace/products", test_products_match_explicit);
  g_test_add_func ("/subspace/implicit-equals-dense", test_implicit_equals_dense);
  g_test_add_func ("/subspace/bad-arguments", test_bad_arguments);
  g_test_add_func ("/subspace/gradient", test_gradient_in_z);
  g_test_add_func ("/subspace/identity-is-direct", test_identity_is_direct_training);
  g_test_add_func ("/subspace/cancel-before-first-step", test_cancel_before_first_step);
  g_test_add_func ("/subspace/divergence-keeps-finite", test_divergence_keeps_finite);
  g_test_add_func ("/subspace/mismatched-projection", test_mismatched_projection);
  g_test_add_func ("/subspace/dint90", test_dint90_tables);
  g_test_add_func ("/subspace/sweep", test_sweep_on_blobs);
  g_test_add_func ("/subspace/too-large-refused", test_too_large_refused);
  return g_test_run ();
}

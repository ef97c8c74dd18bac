/* test-cuda-train.c: whole computations on the CUDA and CPU backends side by side: 200
 * training steps of a [2,32,32,3] MLP with each optimizer, and a point-by-point landscape.
 * Exits 77 (skipped) when no CUDA device is usable. */
#include "test-cuda-backends.h"
#include "relief-grid.h"
#include "relief-directions.h"
#include "relief-surface-reference.h"
#include "relief-subspace.h"
#include "relief-surface-eval.h"
#include "relief-rng.h"
#include "relief-stepper.h"
#include "relief-train.h"
#include "test-messages.h"
#include "relief-enums.h"

#include <gio/gio.h>
#include <math.h>

static const int sizes[] = { 2, 32, 32, 3 };

/* 20 steps per epoch at batch 32, 10 epochs: 200 steps. */
#define N_TRAIN 640
#define BATCH 32
#define EPOCHS 10
#define N_STEPS (N_TRAIN / BATCH * EPOCHS)

/* Final parameters may drift apart by float rounding amplified over 200 steps: allowed
 * up to this fraction of the largest parameter magnitude. */
#define PARAM_TOLERANCE 1e-4

static ReliefBackend *cpu, *gpu;

/* Three overlapping Gaussian blobs, so the loss stays well above zero and relative
 * differences of the curves stay meaningful. */
static ReliefDataset *
make_blobs (void)
{
  ReliefDataset *ds = relief_dataset_new ("blobs", 2, 3, N_TRAIN, 0);

  for (int i = 0; i < N_TRAIN; i++)
    {
      int label = i % 3;
      double angle = 2.0 * G_PI * label / 3.0;

      ds->x_train[2 * i] = (float) (1.2 * cos (angle) + 0.8 * relief_rng_normal (7, 2 * i));
      ds->x_train[2 * i + 1] = (float) (1.2 * sin (angle) + 0.8 * relief_rng_normal (7, 2 * i + 1));
      ds->y_train[i] = label;
    }
  ds->generated = TRUE;
  return ds;
}

static void
record_loss (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data)
{
  double *curve = user_data;

  g_assert_cmpint (step, >=, 1);
  g_assert_cmpint (step, <=, N_STEPS);
  curve[step - 1] = batch_loss;
}

static void
train_on (ReliefBackend *be, const ReliefMlpSpec *spec, const ReliefDataset *ds, const ReliefTrainConfig *config,
          float *params, double *curve)
{
  g_autoptr(GError) error = NULL;
  ReliefTrainCallbacks callbacks = { .progress = record_loss, .user_data = curve };

  relief_mlp_init_params (spec, config->seed, params);
  g_assert_cmpint (relief_train (be, spec, ds, config, params, &callbacks, NULL, &error), ==,
                   RELIEF_TRAIN_COMPLETED);
  g_assert_no_error (error);
}

static void
assert_no_graph_failure (void)
{
  g_assert_cmpuint (test_messages_count ("*graph failed*"), ==, 0);
}

/* The same run launch by launch (RELIEF_GRAPHS=0): the replayed graph ran the same
 * kernels on the same data, so only cuBLAS's choice of algorithm could differ. */
static void
compare_with_launches (const ReliefMlpSpec *spec, const ReliefDataset *ds, const ReliefTrainConfig *config,
                       const float *params_graph, const double *curve_graph)
{
  gsize n_params = relief_mlp_spec_n_params (spec);
  g_autofree float *params = g_new (float, n_params);
  double curve[N_STEPS], worst = 0.0, worst_param = 0.0;

  g_setenv ("RELIEF_GRAPHS", "0", TRUE);
  train_on (gpu, spec, ds, config, params, curve);
  g_unsetenv ("RELIEF_GRAPHS");
  for (int s = 0; s < N_STEPS; s++)
    worst = MAX (worst, fabs (curve[s] - curve_graph[s]) / fabs (curve[s]));
  for (gsize i = 0; i < n_params; i++)
    worst_param = MAX (worst_param, fabs ((double) params[i] - params_graph[i]));
  g_test_message ("graph against launch by launch: curves differ by %.3g (relative), parameters by %.3g%s", worst,
                  worst_param, worst == 0.0 && worst_param == 0.0 ? " (bit for bit)" : "");
  g_assert_cmpfloat (worst, <=, 1e-5);
  g_assert_cmpfloat (worst_param, <=, 1e-5);
}

/* The stepper on CUDA records a real graph and replays it: an Adam or AdamW update whose
 * step count comes from the device, and a deferred dot, against the CPU step by step. */
typedef struct {
  ReliefBackend *be;
  ReliefOptimizerConfig cfg;
  float *params, *grad, *state;
  gsize n;
} AdamBody;

static gboolean
adam_body (gpointer data, const gint64 *step_dev, GError **error)
{
  AdamBody *b = data;

  return b->be->optimizer_step (b->be, &b->cfg, 0, step_dev, b->params, b->grad, b->state, b->n, error) &&
         b->be->dot (b->be, b->n, b->params, b->params, NULL, error);
}

static void
test_graph_stepper (gconstpointer data)
{
  gsize n = 70001;   /* odd, and many blocks, each deriving the corrections itself */
  ReliefOptimizerKind kind = GPOINTER_TO_INT (data);
  ReliefOptimizerConfig cfg = { kind, 0.01f, 0.9f, kind == RELIEF_OPT_ADAMW ? 0.05f : 0.0f, 0.9f, 0.999f, 1e-8f };
  g_autofree float *params = g_new (float, n), *grad = g_new (float, n), *state = g_new0 (float, 2 * n);
  g_autofree float *params_back = g_new (float, n);
  g_autoptr(GError) error = NULL;
  AdamBody b = { gpu, cfg, NULL, NULL, NULL, n };
  g_autoptr(ReliefStepper) st = NULL;
  double worst = 0.0;

  relief_rng_normal_fill (1, 0, params, n);
  relief_rng_normal_fill (2, 0, grad, n);
  g_assert_nonnull (b.params = gpu->alloc (gpu, sizeof (float) * n, &error));
  g_assert_nonnull (b.grad = gpu->alloc (gpu, sizeof (float) * n, &error));
  g_assert_nonnull (b.state = gpu->alloc (gpu, sizeof (float) * 2 * n, &error));
  g_assert_true (gpu->upload (gpu, b.params, params, sizeof (float) * n, &error));
  g_assert_true (gpu->upload (gpu, b.grad, grad, sizeof (float) * n, &error));
  st = relief_stepper_new (gpu, adam_body, &b, &error);
  g_assert_no_error (error);

  for (gint64 step = 1; step <= 6; step++)
    {
      double dot_gpu, dot_cpu;

      g_assert_true (relief_stepper_run (st, step, 128, &error));
      g_assert_no_error (error);
      g_assert_true (gpu->fetch (gpu, NULL, NULL, &dot_gpu, &error));
      g_assert_no_error (error);
      g_assert_true (cpu->optimizer_step (cpu, &cfg, step, NULL, params, grad, state, n, &error));
      g_assert_true (cpu->dot (cpu, n, params, params, &dot_cpu, &error));
      g_assert_cmpfloat (fabs (dot_gpu - dot_cpu), <=, 1e-6 * dot_cpu);
      /* Recorded after the first step, replayed from the second on. */
      g_assert_cmpint (relief_stepper_is_replaying (st), ==, step >= 2);
    }
  g_assert_true (gpu->download (gpu, params_back, b.params, sizeof (float) * n, &error));
  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs ((double) params_back[i] - params[i]));
  g_test_message ("6 %s steps, 5 of them replayed: parameters differ from the CPU's by %.3g",
                  relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, kind), worst);
  g_assert_cmpfloat (worst, <=, 1e-6);
  assert_no_graph_failure ();
  g_clear_pointer (&st, relief_stepper_free);
  gpu->free (gpu, b.params);
  gpu->free (gpu, b.grad);
  gpu->free (gpu, b.state);
}

static void
test_training (gconstpointer data)
{
  ReliefOptimizerKind kind = GPOINTER_TO_INT (data);
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_TANH,
                                                       RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefDataset) ds = make_blobs ();
  gsize n_params = relief_mlp_spec_n_params (spec);
  g_autofree float *params_cpu = g_new (float, n_params);
  g_autofree float *params_gpu = g_new (float, n_params);
  double curve_cpu[N_STEPS], curve_gpu[N_STEPS];
  double worst_curve = 0.0, worst_param = 0.0, largest = 0.0;
  ReliefTrainConfig config;

  relief_train_config_init_defaults (&config);
  config.optimizer.kind = kind;
  config.optimizer.lr = kind >= RELIEF_OPT_ADAM ? 0.003f : 0.05f;
  config.optimizer.weight_decay = kind == RELIEF_OPT_ADAMW ? 0.01f : 0.0f;
  config.batch_size = BATCH;
  config.epochs = EPOCHS;
  config.eval_every = N_STEPS;
  config.seed = 42;

  train_on (cpu, spec, ds, &config, params_cpu, curve_cpu);
  train_on (gpu, spec, ds, &config, params_gpu, curve_gpu);
  assert_no_graph_failure ();
  compare_with_launches (spec, ds, &config, params_gpu, curve_gpu);

  for (int s = 0; s < N_STEPS; s++)
    worst_curve = MAX (worst_curve, fabs (curve_cpu[s] - curve_gpu[s]) / fabs (curve_cpu[s]));
  for (gsize i = 0; i < n_params; i++)
    {
      worst_param = MAX (worst_param, fabs ((double) params_cpu[i] - params_gpu[i]));
      largest = MAX (largest, fabs (params_cpu[i]));
    }
  g_test_message ("%s: loss %.4f -> %.4f; curves differ by at most %.3g (relative), parameters by %.3g "
                  "(largest parameter %.3g)", relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, kind), curve_cpu[0],
                  curve_cpu[N_STEPS - 1], worst_curve, worst_param, largest);
  /* It learned something, so the comparison is not between two flat lines. */
  g_assert_cmpfloat (curve_cpu[N_STEPS - 1], <, curve_cpu[0]);
  g_assert_cmpfloat (worst_curve, <=, 1e-3);
  g_assert_cmpfloat (worst_param, <=, PARAM_TOLERANCE * largest);
}

/* A model, its data and a center with two filter-normalized directions around it. */
typedef struct {
  ReliefMlpSpec *spec;
  ReliefDataset *ds;
  float         *center, *xdir, *ydir;
} SurfaceFixture;

static void
surface_fixture_init (SurfaceFixture *f, guint64 seed)
{
  gsize n_params;

  f->spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  f->ds = make_blobs ();
  n_params = relief_mlp_spec_n_params (f->spec);
  f->center = g_new (float, n_params);
  f->xdir = g_new (float, n_params);
  f->ydir = g_new (float, n_params);
  relief_mlp_init_params (f->spec, seed, f->center);
  relief_direction_random_filter (f->spec, f->center, seed + 1, f->xdir);
  relief_direction_random_filter (f->spec, f->center, seed + 2, f->ydir);
}

static void
surface_fixture_clear (SurfaceFixture *f)
{
  relief_mlp_spec_free (f->spec);
  relief_dataset_free (f->ds);
  g_free (f->center);
  g_free (f->xdir);
  g_free (f->ydir);
}

/* Every cell finite on both backends; the loss within 1e-5 relative, and the accuracy
 * (in units of one sample, acc_per_sample) off by at most one sample whose two top
 * logits are within rounding. */
static void
compare_cells (const char *what, const double *loss_cpu, const double *loss_gpu, const double *acc_cpu,
               const double *acc_gpu, int n, double acc_per_sample)
{
  double worst_loss = 0.0, worst_acc = 0.0;

  for (int i = 0; i < n; i++)
    {
      g_assert_true (isfinite (loss_cpu[i]) && isfinite (loss_gpu[i]));
      worst_loss = MAX (worst_loss, fabs (loss_cpu[i] - loss_gpu[i]) / loss_cpu[i]);
      worst_acc = MAX (worst_acc, fabs (acc_cpu[i] - acc_gpu[i]));
    }
  g_test_message ("%s: loss differs by at most %.3g (relative), accuracy by %.3g", what, worst_loss, worst_acc);
  g_assert_cmpfloat (worst_loss, <=, 1e-5);
  g_assert_cmpfloat (worst_acc, <=, acc_per_sample + 1e-9 * acc_per_sample);
}

/* A 7x7 surface, point by point, every cell on both backends. */
static void
test_landscape (void)
{
  SurfaceFixture f;
  g_autoptr(GError) error = NULL;
  ReliefGridAxis axis = { -1.0, 1.0, 7 };
  double grid[7], loss_cpu[49], loss_gpu[49], acc_cpu[49], acc_gpu[49];

  surface_fixture_init (&f, 3);
  relief_grid_axis_values (&axis, grid);
  for (int i = 0; i < 49; i++)
    loss_cpu[i] = loss_gpu[i] = acc_cpu[i] = acc_gpu[i] = NAN;
  g_assert_true (relief_surface_compute_reference (cpu, f.spec, f.center, f.xdir, f.ydir, grid, 7, grid, 7,
                                                   f.ds->x_train, f.ds->y_train, N_TRAIN, loss_cpu, acc_cpu, NULL, NULL,
                                                   NULL, &error));
  g_assert_true (relief_surface_compute_reference (gpu, f.spec, f.center, f.xdir, f.ydir, grid, 7, grid, 7,
                                                   f.ds->x_train, f.ds->y_train, N_TRAIN, loss_gpu, acc_gpu, NULL, NULL,
                                                   NULL, &error));
  g_assert_no_error (error);
  compare_cells ("landscape", loss_cpu, loss_gpu, acc_cpu, acc_gpu, 49, 100.0 / N_TRAIN);   /* percent */
  surface_fixture_clear (&f);
}

/* The batched, factorized evaluator of surfaces (the path the CLI and the window use) on
 * both backends: a 9x9 grid in one call, every point compared. */
static void
test_batched_landscape (void)
{
  SurfaceFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefSurfaceEval) ev_cpu = NULL;
  g_autoptr(ReliefSurfaceEval) ev_gpu = NULL;
  double a[81], b[81], loss_cpu[81], loss_gpu[81], acc_cpu[81], acc_gpu[81];

  surface_fixture_init (&f, 4);
  for (int i = 0; i < 81; i++)
    {
      a[i] = -1.0 + 0.25 * (i % 9);
      b[i] = -1.0 + 0.25 * (i / 9);
    }
  ev_cpu = relief_surface_eval_new (cpu, f.spec, f.center, f.xdir, f.ydir, 81, 0, &error);
  g_assert_no_error (error);
  ev_gpu = relief_surface_eval_new (gpu, f.spec, f.center, f.xdir, f.ydir, 81, 0, &error);
  g_assert_no_error (error);
  g_assert_true (relief_surface_eval_points (ev_cpu, a, b, 81, f.ds->x_train, f.ds->y_train, N_TRAIN, loss_cpu,
                                             acc_cpu, NULL, &error));
  g_assert_true (relief_surface_eval_points (ev_gpu, a, b, 81, f.ds->x_train, f.ds->y_train, N_TRAIN, loss_gpu,
                                             acc_gpu, NULL, &error));
  g_assert_no_error (error);
  compare_cells ("batched landscape", loss_cpu, loss_gpu, acc_cpu, acc_gpu, 81, 1.0 / N_TRAIN);   /* fraction */
  surface_fixture_clear (&f);
}

/* Every projection: its products on both backends, then 50 subspace steps on both. */
static void
test_subspace (gconstpointer data)
{
  ReliefProjectionKind kind = GPOINTER_TO_INT (data);
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU,
                                                       RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefDataset) ds = make_blobs ();
  g_autoptr(GError) error = NULL;
  gsize D = relief_mlp_spec_n_params (spec), d = 37;
  g_autoptr(ReliefProjection) p_cpu = relief_projection_new (cpu, kind, D, d, 9, &error);
  g_autoptr(ReliefProjection) p_gpu = relief_projection_new (gpu, kind, D, d, 9, &error);
  g_autofree float *theta0 = g_new (float, D), *z = g_new (float, d), *g = g_new (float, D);
  g_autofree float *theta_cpu = g_new (float, D), *theta_gpu = g_new (float, D);
  g_autofree float *gz_cpu = g_new (float, d), *gz_gpu = g_new (float, d);
  float *d_theta0, *d_z, *d_g, *d_theta, *d_gz;
  ReliefSubspaceResult r_cpu, r_gpu;
  ReliefTrainConfig config;
  double worst = 0.0;

  g_assert_no_error (error);
  relief_mlp_init_params (spec, 8, theta0);
  relief_rng_normal_fill (10, 0, z, d);
  relief_rng_normal_fill (11, 0, g, D);
  d_theta0 = gpu->alloc (gpu, sizeof (float) * D, &error);
  d_g = gpu->alloc (gpu, sizeof (float) * D, &error);
  d_theta = gpu->alloc (gpu, sizeof (float) * D, &error);
  d_z = gpu->alloc (gpu, sizeof (float) * d, &error);
  d_gz = gpu->alloc (gpu, sizeof (float) * d, &error);
  g_assert_no_error (error);
  g_assert_true (gpu->upload (gpu, d_theta0, theta0, sizeof (float) * D, &error) &&
                 gpu->upload (gpu, d_g, g, sizeof (float) * D, &error) &&
                 gpu->upload (gpu, d_z, z, sizeof (float) * d, &error));
  g_assert_true (relief_projection_forward (p_cpu, theta0, z, theta_cpu, &error) &&
                 relief_projection_transpose (p_cpu, g, gz_cpu, &error) &&
                 relief_projection_forward (p_gpu, d_theta0, d_z, d_theta, &error) &&
                 relief_projection_transpose (p_gpu, d_g, d_gz, &error) &&
                 gpu->download (gpu, theta_gpu, d_theta, sizeof (float) * D, &error) &&
                 gpu->download (gpu, gz_gpu, d_gz, sizeof (float) * d, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < D; i++)
    worst = MAX (worst, fabs ((double) theta_cpu[i] - theta_gpu[i]));
  for (gsize j = 0; j < d; j++)
    worst = MAX (worst, fabs ((double) gz_cpu[j] - gz_gpu[j]) / (1.0 + fabs (gz_cpu[j])));
  g_test_message ("%s products: largest difference %.3g", relief_enum_to_nick (RELIEF_TYPE_PROJECTION_KIND, kind),
                  worst);
  g_assert_cmpfloat (worst, <, 1e-4);
  gpu->free (gpu, d_theta0);
  gpu->free (gpu, d_g);
  gpu->free (gpu, d_theta);
  gpu->free (gpu, d_z);
  gpu->free (gpu, d_gz);

  relief_train_config_init_defaults (&config);
  config.optimizer.kind = RELIEF_OPT_ADAM;
  config.optimizer.lr = 0.01f;
  config.batch_size = BATCH;
  config.epochs = 5;
  g_assert_cmpint (relief_subspace_train (cpu, spec, ds, &config, p_cpu, theta0, NULL, NULL, &r_cpu, NULL, &error),
                   ==, RELIEF_TRAIN_COMPLETED);
  g_assert_cmpint (relief_subspace_train (gpu, spec, ds, &config, p_gpu, theta0, NULL, NULL, &r_gpu, NULL, &error),
                   ==, RELIEF_TRAIN_COMPLETED);
  g_assert_no_error (error);
  g_test_message ("%s training: loss %.6f (cpu) %.6f (cuda), accuracy %.4f %.4f",
                  relief_enum_to_nick (RELIEF_TYPE_PROJECTION_KIND, kind), r_cpu.train_loss, r_gpu.train_loss,
                  r_cpu.train_acc, r_gpu.train_acc);
  g_assert_cmpfloat (fabs (r_cpu.train_loss - r_gpu.train_loss), <=, 1e-3 * r_cpu.train_loss);
  assert_no_graph_failure ();
}

int
main (int argc, char **argv)
{
  int status;

  if (!cuda_test_backends (&cpu, &gpu))
    return 77;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  test_messages_keep ();
  /* These tests record graphs: a RELIEF_GRAPHS=0 left from timing runs would stop them. */
  g_unsetenv ("RELIEF_GRAPHS");
  g_test_add_data_func ("/cuda/graph/stepper/adam", GINT_TO_POINTER (RELIEF_OPT_ADAM), test_graph_stepper);
  g_test_add_data_func ("/cuda/graph/stepper/adamw", GINT_TO_POINTER (RELIEF_OPT_ADAMW), test_graph_stepper);
  /* Sign descent is left out: its step jumps where a gradient changes sign, so the last
   * bits in which the two backends' products differ could move a parameter by 2 lr. */
  for (ReliefOptimizerKind kind = RELIEF_OPT_SGD; kind <= RELIEF_OPT_RMSPROP; kind++)
    {
      g_autofree char *path = g_strdup_printf ("/cuda/train/%s",
                                               relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, kind));

      g_test_add_data_func (path, GINT_TO_POINTER (kind), test_training);
    }
  g_test_add_func ("/cuda/landscape", test_landscape);
  g_test_add_func ("/cuda/landscape-batched", test_batched_landscape);
  for (ReliefProjectionKind kind = RELIEF_PROJECTION_DENSE; kind <= RELIEF_PROJECTION_IMPLICIT; kind++)
    {
      g_autofree char *path = g_strdup_printf ("/cuda/subspace/%s",
                                               relief_enum_to_nick (RELIEF_TYPE_PROJECTION_KIND, kind));

      g_test_add_data_func (path, GINT_TO_POINTER (kind), test_subspace);
    }
  status = g_test_run ();
  relief_backend_free (gpu);
  relief_backend_free (cpu);
  return status;
}

/* Curvature tracked during training (relief train --track-curvature): the exact lambda_max
 * of a linear model with the squared error, whose Hessian does not depend on the
 * parameters; the steps measured; a cancelled and resumed run against a whole one; the
 * surface job's Hessian directions against the dense Hessian's eigenvectors. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "relief-h5.h"
#include "relief-hessian.h"
#include "relief-loaded-run.h"
#include "relief-run-file.h"
#include "relief-surface-job.h"
#include "relief-train-job.h"

static char *dir;

static void
job_init (ReliefTrainJob *job, const char *name)
{
  relief_train_job_init_defaults (job);
  job->backend = RELIEF_BACKEND_CPU;
  job->gen.n_samples = 300;
  job->train.epochs = 3;
  job->output = g_build_filename (dir, name, NULL);
}

/* For relief-mlp's squared error, the mean over n samples and C outputs of (z - y)^2 with
 * z = W x + b, the Hessian is block diagonal: one block (2 / (n C)) X~^T X~ per output,
 * X~ = [X, 1] the samples with a column of ones, in the order W row c, then b (the flat
 * layout puts W before b, which the eigenvalues do not see).  Its eigenvalues are those of
 * one block, each C times; the trace is C times the block's. */
static void
linear_mse_hessian (const ReliefDataset *ds, int n, double *lambda_max, double *lambda_min, double *trace)
{
  int d = ds->n_features + 1, C = ds->n_classes;
  g_autofree double *a = g_new0 (double, d * d);
  g_autofree double *values = g_new (double, d);
  g_autoptr(GError) error = NULL;

  for (int r = 0; r < n; r++)
    for (int i = 0; i < d; i++)
      for (int j = 0; j < d; j++)
        {
          double xi = i < d - 1 ? ds->x_train[(gsize) r * ds->n_features + i] : 1.0;
          double xj = j < d - 1 ? ds->x_train[(gsize) r * ds->n_features + j] : 1.0;

          a[i * d + j] += 2.0 * xi * xj / ((double) n * C);
        }
  *trace = 0;
  for (int i = 0; i < d; i++)
    *trace += C * a[i * d + i];
  g_assert_true (relief_symmetric_eigen (d, a, values, FALSE, &error));
  g_assert_no_error (error);
  *lambda_min = values[0];
  *lambda_max = values[d - 1];
}

/* A linear model with MSE, its curvature tracked (both ends and the trace) every 6 steps
 * on the first 100 samples. */
static void
linear_job_init (ReliefTrainJob *job, const char *name)
{
  job_init (job, name);
  g_free (job->dataset);
  job->dataset = g_strdup ("gaussians");
  relief_generator_defaults ("gaussians", &job->gen);
  job->gen.n_samples = 300;
  job->n_hidden = 0;
  job->loss = RELIEF_LOSS_MSE;
  job->train.optimizer.kind = RELIEF_OPT_SGD;
  job->train.optimizer.lr = 0.05f;
  job->train.batch_size = 16;
  job->train.curvature_every = 6;
  job->train.curvature_samples = 100;
  job->train.curvature_min = TRUE;
  job->train.curvature_trace = TRUE;
}

/* A linear model with MSE: every measurement is the closed form's, on the first
 * curvature_samples training samples, at step 0 and every curvature_every steps. */
static void
test_linear_mse_exact (void)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;
  ReliefTrainStatus status;
  double lambda_max, lambda_min, trace;
  gint64 total;

  linear_job_init (&job, "linear.h5");
  g_assert_true (relief_train_job_run (&job, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, RELIEF_TRAIN_COMPLETED);

  run = relief_run_load (job.output, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run->curvature);
  g_assert_cmpint (run->config.curvature_every, ==, 6);
  g_assert_cmpint (run->curvature->samples, ==, 100);
  g_assert_nonnull (run->curvature->lambda_min);
  g_assert_nonnull (run->curvature->trace);
  linear_mse_hessian (run->dataset, 100, &lambda_max, &lambda_min, &trace);
  g_test_message ("closed form: lambda_max %.9g lambda_min %.9g trace %.9g", lambda_max, lambda_min, trace);

  total = (gint64) ((run->dataset->n_train + 15) / 16) * 3;
  g_assert_cmpint (run->curvature->n, ==, total / 6 + 1);
  for (int i = 0; i < run->curvature->n; i++)
    {
      const ReliefRunCurvature *c = run->curvature;

      g_assert_cmpint (c->step[i], ==, 6 * i);
      g_assert_cmpfloat_with_epsilon (c->lambda_max[i], lambda_max, 1e-5 * lambda_max);
      g_assert_cmpfloat_with_epsilon (c->lambda_min[i], lambda_min, 1e-5 * lambda_max);
      g_assert_cmpfloat (c->lambda_max_residual[i], <=, 1e-4 * lambda_max);
      /* Hutchinson's estimate: within 4 of its standard errors (and the error small). */
      g_assert_cmpfloat (fabs (c->trace[i] - trace), <=, 4 * c->trace_stderr[i] + 1e-6 * trace);
      g_assert_cmpfloat (c->trace_stderr[i], <=, 0.05 * trace);
      g_assert_cmpint (c->hvps[i], >, 0);
    }
  g_assert_cmpfloat (run->curvature->seconds, >=, 0);
}

/* Without the flag a run has no /curvature; with it, all samples when there are fewer
 * than the default's 5000. */
static void
test_default_subset (void)
{
  g_auto(ReliefTrainJob) job = { 0 }, plain = { 0 };
  g_autoptr(ReliefRun) run = NULL, plain_run = NULL;
  g_autoptr(GError) error = NULL;
  ReliefTrainStatus status;

  job_init (&job, "default.h5");
  job.train.epochs = 1;
  job.train.curvature_every = 100;
  g_assert_true (relief_train_job_run (&job, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  run = relief_run_load (job.output, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run->curvature);
  g_assert_cmpint (run->curvature->samples, ==, run->dataset->n_train);
  g_assert_cmpint (run->curvature->n, ==, 1);
  g_assert_null (run->curvature->lambda_min);
  g_assert_null (run->curvature->trace);

  job_init (&plain, "plain.h5");
  plain.train.epochs = 1;
  g_assert_true (relief_train_job_run (&plain, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  plain_run = relief_run_load (plain.output, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (plain_run->curvature);
}

typedef struct {
  GCancellable *cancellable;
  double        at;
} CancelAt;

static void
cancel_at (double fraction, gpointer user_data)
{
  CancelAt *c = user_data;

  if (fraction >= c->at)
    g_cancellable_cancel (c->cancellable);
}

static void
assert_same_doubles (const double *a, const double *b, int n)
{
  g_assert_true ((a == NULL) == (b == NULL));
  if (a != NULL)
    g_assert_cmpmem (a, sizeof (double) * n, b, sizeof (double) * n);
}

/* The cut run's /resume/curvature_start (NULL when absent), n floats. */
static float *
read_curvature_start (const char *path, gsize n)
{
  g_autoptr(GError) error = NULL;
  hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t group;
  float *start = NULL;
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank;

  g_assert_cmpint (file, >=, 0);
  group = H5Gopen2 (file, "resume", H5P_DEFAULT);
  g_assert_cmpint (group, >=, 0);
  if (relief_h5_has_link (group, "curvature_start"))
    {
      start = relief_h5_read_dataset (group, "curvature_start", H5T_NATIVE_FLOAT, sizeof (float), &rank, dims, &error);
      g_assert_no_error (error);
      g_assert_cmpint (rank, ==, 1);
      g_assert_cmpuint (dims[0], ==, n);
    }
  H5Gclose (group);
  H5Fclose (file);
  return start;
}

static void
delete_curvature_start (const char *path)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);

  g_assert_cmpint (file, >=, 0);
  g_assert_cmpint (H5Ldelete (file, "resume/curvature_start", H5P_DEFAULT), >=, 0);
  H5Fclose (file);
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (from, &contents, &length, &error));
  g_assert_true (g_file_set_contents (to, contents, (gssize) length, &error));
  g_assert_no_error (error);
}

/* Cancelled at several moments (between measurements, and with saves every step) and
 * resumed, a run with curvature ends as the whole run: the same measurements, bit for bit,
 * the warm starts included, and the same parameters. */
static void
test_resume_equal (void)
{
  g_auto(ReliefTrainJob) whole = { 0 };
  g_autoptr(ReliefRun) ref = NULL;
  g_autoptr(GError) error = NULL;
  ReliefTrainStatus status;
  const double moments[] = { 0.1, 0.37, 0.8 };

  job_init (&whole, "whole.h5");
  whole.train.curvature_every = 7;
  whole.train.curvature_trace = TRUE;
  whole.train.curvature_min = TRUE;
  whole.train.curvature_samples = 150;
  g_assert_true (relief_train_job_run (&whole, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  ref = relief_run_load (whole.output, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ref->curvature->n, >, 3);

  for (guint m = 0; m < G_N_ELEMENTS (moments); m++)
    {
      g_auto(ReliefTrainJob) job = { 0 };
      g_autoptr(ReliefRun) cut = NULL, run = NULL;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autofree char *name = g_strdup_printf ("resumed-%u.h5", m);
      CancelAt at = { cancellable, moments[m] };
      ReliefTrainJobCallbacks cb = { .progress = cancel_at, .user_data = &at };

      job_init (&job, name);
      job.train = whole.train;
      if (m == 2)
        g_setenv ("RELIEF_SAVE_SECONDS", "1e-9", TRUE);
      g_assert_true (relief_train_job_run (&job, &cb, cancellable, &status, &error));
      g_unsetenv ("RELIEF_SAVE_SECONDS");
      g_assert_no_error (error);
      g_assert_cmpint (status, ==, RELIEF_TRAIN_CANCELLED);
      cut = relief_run_load (job.output, FALSE, &error);
      g_assert_no_error (error);
      g_assert_true (cut->resumable);
      g_assert_cmpint (cut->curvature->n, <, ref->curvature->n);
      if (m == 0)
        {
          /* Resumed without the saved warm start, the later measurements start cold and
           * differ from the whole run's: the saved one is what the resume uses. */
          g_auto(ReliefTrainJob) cold = { 0 };
          g_autoptr(ReliefRun) cold_run = NULL;
          g_autofree float *start = read_curvature_start (job.output, cut->n_params);
          int n = ref->curvature->n;

          g_assert_nonnull (start);
          job_init (&cold, "resumed-cold.h5");
          cold.train = whole.train;
          cold.resume = TRUE;
          copy_file (job.output, cold.output);
          delete_curvature_start (cold.output);
          g_assert_true (relief_train_job_run (&cold, NULL, NULL, &status, &error));
          g_assert_no_error (error);
          cold_run = relief_run_load (cold.output, FALSE, &error);
          g_assert_no_error (error);
          g_assert_cmpint (cold_run->curvature->n, ==, n);
          g_assert_false (memcmp (cold_run->curvature->hvps, ref->curvature->hvps, sizeof (gint64) * n) == 0 &&
                          memcmp (cold_run->curvature->lambda_max, ref->curvature->lambda_max,
                                  sizeof (double) * n) == 0);
        }

      job.resume = TRUE;
      g_assert_true (relief_train_job_run (&job, NULL, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_cmpint (status, ==, RELIEF_TRAIN_COMPLETED);
      run = relief_run_load (job.output, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (run->curvature->n, ==, ref->curvature->n);
      g_assert_cmpmem (run->curvature->step, sizeof (gint64) * ref->curvature->n, ref->curvature->step,
                       sizeof (gint64) * ref->curvature->n);
      assert_same_doubles (run->curvature->lambda_max, ref->curvature->lambda_max, ref->curvature->n);
      assert_same_doubles (run->curvature->lambda_min, ref->curvature->lambda_min, ref->curvature->n);
      assert_same_doubles (run->curvature->trace, ref->curvature->trace, ref->curvature->n);
      assert_same_doubles (run->curvature->trace_stderr, ref->curvature->trace_stderr, ref->curvature->n);
      g_assert_cmpmem (run->curvature->hvps, sizeof (gint64) * ref->curvature->n, ref->curvature->hvps,
                       sizeof (gint64) * ref->curvature->n);
      g_assert_cmpint (run->n_snapshots, ==, ref->n_snapshots);
      g_assert_cmpmem (run->params, sizeof (float) * run->n_params * run->n_snapshots, ref->params,
                       sizeof (float) * ref->n_params * ref->n_snapshots);
      g_assert_cmpfloat (run->curvature->seconds, >, 0);
    }
}

static double
dot (const float *a, const float *b, gsize n)
{
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    sum += (double) a[i] * b[i];
  return sum;
}

/* v's Rayleigh quotient under H and its residual ||H v - lambda v||. */
static double
rayleigh (ReliefHessian *h, const float *v, gsize n, double *residual)
{
  g_autofree float *hv = g_new (float, n);
  g_autoptr(GError) error = NULL;
  double lambda, r2 = 0;

  g_assert_true (relief_hessian_hvp_host (h, v, hv, &error));
  g_assert_no_error (error);
  lambda = dot (v, hv, n);
  for (gsize i = 0; i < n; i++)
    r2 += (hv[i] - lambda * v[i]) * (hv[i] - lambda * v[i]);
  *residual = sqrt (r2);
  return lambda;
}

/* The warm start is the last top eigenvector alone (lambda_min tracked too): on the
 * linear model, whose Hessian does not move, the saved start of a cut run is a unit
 * eigenvector of lambda_max; the run resumed from it measures the closed form's values,
 * the warm starts there exact eigenvectors, from which Lanczos restarts. */
static void
test_warm_start (void)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_autoptr(ReliefRun) cut = NULL, run = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ReliefBackend) backend = relief_backend_new ("cpu", NULL);
  g_autoptr(ReliefHessian) h = NULL;
  g_autofree float *start = NULL;
  CancelAt at = { cancellable, 0.5 };
  ReliefTrainJobCallbacks cb = { .progress = cancel_at, .user_data = &at };
  ReliefTrainStatus status;
  double lambda_max, lambda_min, trace, lambda, residual;

  linear_job_init (&job, "warm.h5");
  g_assert_true (relief_train_job_run (&job, &cb, cancellable, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, RELIEF_TRAIN_CANCELLED);
  cut = relief_run_load (job.output, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cut->curvature->n, >=, 2);
  linear_mse_hessian (cut->dataset, 100, &lambda_max, &lambda_min, &trace);
  start = read_curvature_start (job.output, cut->n_params);
  g_assert_nonnull (start);
  h = relief_hessian_new (backend, cut->spec, cut->params, cut->dataset->x_train, cut->dataset->y_train, 100, 0,
                          &error);
  g_assert_no_error (error);
  lambda = rayleigh (h, start, cut->n_params, &residual);
  g_test_message ("saved start: |v|^2 %.9g, v^T H v %.9g (lambda_max %.9g, lambda_min %.9g), residual %.3g",
                  dot (start, start, cut->n_params), lambda, lambda_max, lambda_min, residual);
  g_assert_cmpfloat_with_epsilon (dot (start, start, cut->n_params), 1.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (lambda, lambda_max, 1e-5 * lambda_max);
  g_assert_cmpfloat (residual, <=, 1e-3 * lambda_max);

  job.resume = TRUE;
  g_assert_true (relief_train_job_run (&job, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, RELIEF_TRAIN_COMPLETED);
  run = relief_run_load (job.output, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->curvature->n, >, cut->curvature->n);
  for (int i = cut->curvature->n; i < run->curvature->n; i++)
    {
      g_assert_cmpfloat_with_epsilon (run->curvature->lambda_max[i], lambda_max, 1e-5 * lambda_max);
      g_assert_cmpfloat_with_epsilon (run->curvature->lambda_min[i], lambda_min, 1e-5 * lambda_max);
    }
}

/* relief surface --directions hessian slices along unit eigenvectors of the Hessian at
 * the checkpoint (over the first curvature_samples training samples): the top two, or
 * (hessian-min) the top and the bottom one, the eigenvalues of the dense Hessian. */
static void
test_surface_hessian_directions (void)
{
  g_auto(ReliefTrainJob) train = { 0 };
  g_autoptr(ReliefLoadedRun) loaded = NULL;
  g_autoptr(GError) error = NULL;
  /* Before the operator, so that it is freed after it. */
  g_autoptr(ReliefBackend) backend = relief_backend_new ("cpu", NULL);
  g_autoptr(ReliefHessian) h = NULL;
  g_autofree double *dense = NULL, *values = NULL;
  g_autofree float *e = NULL;
  const ReliefRun *run;
  ReliefTrainStatus status;
  const float *center;
  gsize n;
  const ReliefDirectionKind kinds[] = { RELIEF_DIRECTIONS_HESSIAN, RELIEF_DIRECTIONS_HESSIAN_MIN };

  job_init (&train, "hessian-run.h5");
  train.hidden[0] = train.hidden[1] = 5;
  train.activation = RELIEF_ACT_TANH;
  train.train.epochs = 2;
  g_assert_true (relief_train_job_run (&train, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  loaded = relief_loaded_run_load (train.output, &error);
  g_assert_no_error (error);
  run = relief_loaded_run_get_run (loaded);
  n = run->n_params;
  center = run->params + (gsize) (run->n_snapshots - 1) * n;
  h = relief_hessian_new (backend, run->spec, center, run->dataset->x_train, run->dataset->y_train, 120, 0, &error);
  g_assert_no_error (error);

  /* The dense Hessian, column by column, and its eigenvalues (ascending). */
  dense = g_new (double, n * n);
  values = g_new (double, n);
  e = g_new0 (float, n);
  for (gsize j = 0; j < n; j++)
    {
      g_autofree float *column = g_new (float, n);

      e[j] = 1;
      g_assert_true (relief_hessian_hvp_host (h, e, column, &error));
      g_assert_no_error (error);
      e[j] = 0;
      for (gsize i = 0; i < n; i++)
        dense[j * n + i] = column[i];
    }
  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < i; j++)
      dense[i * n + j] = dense[j * n + i] = 0.5 * (dense[i * n + j] + dense[j * n + i]);
  g_assert_true (relief_symmetric_eigen ((int) n, dense, values, FALSE, &error));
  g_assert_no_error (error);
  g_test_message ("%zu parameters: lambda %.6g, %.6g ... %.6g", n, values[n - 1], values[n - 2], values[0]);
  g_assert_cmpfloat (values[0], <, 0);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_auto(ReliefSurfaceJob) job = { 0 };
      g_autoptr(ReliefSurface) surface = NULL;
      double top = fabs (values[n - 1]), rx, ry, lx, ly;

      relief_surface_job_init_defaults (&job);
      job.run = relief_loaded_run_ref (loaded);
      job.directions = kinds[k];
      job.backend = RELIEF_BACKEND_CPU;
      job.curvature_samples = 120;
      job.x = (ReliefGridAxis) { -0.5, 0.5, 3 };
      job.y = (ReliefGridAxis) { -0.5, 0.5, 3 };
      g_assert_true (relief_surface_job_run (&job, NULL, NULL, &surface, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (surface->direction_kind, ==, kinds[k] == RELIEF_DIRECTIONS_HESSIAN ? "hessian" : "hessian-min");
      g_assert_cmpfloat_with_epsilon (dot (surface->xdir, surface->xdir, n), 1.0, 1e-5);
      g_assert_cmpfloat_with_epsilon (dot (surface->ydir, surface->ydir, n), 1.0, 1e-5);
      g_assert_cmpfloat (fabs (dot (surface->xdir, surface->ydir, n)), <, 1e-4);
      lx = rayleigh (h, surface->xdir, n, &rx);
      ly = rayleigh (h, surface->ydir, n, &ry);
      g_test_message ("%s: x lambda %.6g (residual %.3g), y lambda %.6g (residual %.3g)", surface->direction_kind, lx,
                      rx, ly, ry);
      g_assert_cmpfloat (rx, <=, 1e-3 * top);
      g_assert_cmpfloat (ry, <=, 1e-3 * top);
      g_assert_cmpfloat_with_epsilon (lx, values[n - 1], 1e-4 * top);
      g_assert_cmpfloat_with_epsilon (ly, kinds[k] == RELIEF_DIRECTIONS_HESSIAN ? values[n - 2] : values[0],
                                      1e-4 * top);
      /* The centre of the slice is the checkpoint. */
      g_assert_true (isfinite (surface->train_loss[4]));
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dir = g_dir_make_tmp ("relief-curvature-XXXXXX", NULL);
  g_test_add_func ("/curvature-tracking/linear-mse-exact", test_linear_mse_exact);
  g_test_add_func ("/curvature-tracking/default-subset", test_default_subset);
  g_test_add_func ("/curvature-tracking/resume-equal", test_resume_equal);
  g_test_add_func ("/curvature-tracking/warm-start", test_warm_start);
  g_test_add_func ("/curvature-tracking/surface-hessian-directions", test_surface_hessian_directions);
  status = g_test_run ();
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (dir);
  g_free (dir);
  return status;
}

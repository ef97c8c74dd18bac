/* Local complexity tracked during training (relief train --track-complexity): the run file
 * holds a row at step 0 and every N steps, each set's column, and for a 2-input relu model
 * the region count; the last row equals relief_local_complexity and relief_regions_compute
 * called directly on the final parameters; a cancelled and resumed run ends with the whole
 * run's rows; the scaled initialization is the default one times the scale. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "relief-regions.h"
#include "relief-rng.h"
#include "relief-run-file.h"
#include "relief-train-job.h"

static char *dir;

/* moons, 16,16 relu, 4 epochs of 25 steps, complexity every 20 steps on 150 points of each set. */
static void
job_init (ReliefTrainJob *job, const char *name)
{
  relief_train_job_init_defaults (job);
  g_free (job->dataset);
  job->dataset = g_strdup ("moons");
  relief_generator_defaults ("moons", &job->gen);
  job->gen.n_samples = 1000;
  job->backend = RELIEF_BACKEND_CPU;
  job->train.epochs = 4;
  job->train.complexity_every = 20;
  job->train.complexity_samples = 150;
  job->output = g_build_filename (dir, name, NULL);
}

static ReliefRun *
train (ReliefTrainJob *job, const ReliefTrainJobCallbacks *cb, GCancellable *cancellable,
       ReliefTrainStatus want)
{
  g_autoptr(GError) error = NULL;
  ReliefTrainStatus status;
  ReliefRun *run;

  g_assert_true (relief_train_job_run (job, cb, cancellable, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, want);
  run = relief_run_load (job->output, TRUE, &error);
  g_assert_no_error (error);
  return run;
}

static double
direct_mean (const ReliefRun *run, const float *params, ReliefComplexityPoints set)
{
  g_autoptr(ReliefBackend) cpu = relief_backend_new ("cpu", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree float *points = NULL;
  g_autofree int *total = NULL;
  double sum = 0;
  int n = 0;

  points = relief_train_complexity_points (&run->config, run->dataset, set, &n);
  g_assert_cmpint (n, >, 0);
  total = g_new (int, n);
  g_assert_true (relief_local_complexity (cpu, run->spec, params, points, n,
                                          relief_train_complexity_radius (&run->config, run->dataset),
                                          relief_train_complexity_dirs (run->dataset),
                                          relief_rng_derive (run->config.seed, "complexity"), NULL, total, &error));
  g_assert_no_error (error);
  for (int i = 0; i < n; i++)
    sum += total[i];
  return sum / n;
}

typedef struct {
  int n;
  gint64 last_step;
} Rows;

static void
on_complexity (const ReliefComplexityRow *row, gpointer user_data)
{
  Rows *rows = user_data;

  rows->n++;
  rows->last_step = row->step;
}

static void
test_tracking (void)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;
  Rows rows = { 0 };
  ReliefTrainJobCallbacks cb = { .complexity = on_complexity, .user_data = &rows };
  const ReliefRunComplexity *c;
  const float *final;
  gint64 total_steps;

  job_init (&job, "tracked.h5");
  run = train (&job, &cb, NULL, RELIEF_TRAIN_COMPLETED);
  c = run->complexity;
  g_assert_nonnull (c);
  total_steps = run->snapshot_step[run->n_snapshots - 1];
  g_assert_cmpint (total_steps, ==, 100);
  /* Step 0 and every 20 steps. */
  g_assert_cmpint (c->n, ==, 6);
  g_assert_cmpint (rows.n, ==, 6);
  for (int i = 0; i < c->n; i++)
    g_assert_cmpint (c->step[i], ==, 20 * i);
  g_assert_cmpint (rows.last_step, ==, 100);
  g_assert_nonnull (c->train);
  g_assert_nonnull (c->test);
  g_assert_nonnull (c->random);
  g_assert_nonnull (c->regions);
  g_assert_cmpint (c->n_train, ==, 150);
  g_assert_cmpint (c->n_test, ==, 150);
  g_assert_cmpint (c->n_random, ==, 150);
  g_assert_cmpfloat (c->radius, ==, relief_train_complexity_radius (&run->config, run->dataset));
  g_assert_cmpint (run->config.complexity_every, ==, 20);
  g_assert_cmpint (run->config.complexity_samples, ==, 150);

  /* The last row, at the final parameters, against the direct calls. */
  final = run->params + (gsize) (run->n_snapshots - 1) * run->n_params;
  g_assert_cmpfloat (c->train[c->n - 1], ==, direct_mean (run, final, RELIEF_COMPLEXITY_TRAIN));
  g_assert_cmpfloat (c->test[c->n - 1], ==, direct_mean (run, final, RELIEF_COMPLEXITY_TEST));
  g_assert_cmpfloat (c->random[c->n - 1], ==, direct_mean (run, final, RELIEF_COMPLEXITY_RANDOM));
  g_assert_cmpfloat (c->train[c->n - 1], >, 0);
  {
    double box[4];
    g_autoptr(ReliefPlane) plane = NULL;
    g_autoptr(ReliefRegions) regions = NULL;

    relief_train_complexity_box (run->dataset, box);
    plane = relief_plane_new_input (box[0], box[1], box[2], box[3]);
    regions = relief_regions_compute (run->spec, final, plane, 0, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (c->regions[c->n - 1], ==, regions->n_regions);
    /* And at the initialization (snapshot 0, step 0). */
    g_clear_pointer (&regions, relief_regions_free);
    regions = relief_regions_compute (run->spec, run->params, plane, 0, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (c->regions[0], ==, regions->n_regions);
    g_assert_cmpfloat (c->train[0], ==, direct_mean (run, run->params, RELIEF_COMPLEXITY_TRAIN));
  }
}

/* Only the test set: the other columns are absent; tanh: no regions column. */
/* --track-complexity log:10 on 75 steps: step 0, the log-spaced steps and the last one,
 * the schedule kept in the run file; the last row at the final parameters. */
static void
test_log_schedule (void)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_autoptr(ReliefRun) run = NULL;
  const gint64 steps[] = { 0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32, 40, 50, 63, 75 };
  const ReliefRunComplexity *c;
  const float *final;

  job_init (&job, "log.h5");
  job.train.epochs = 3;
  job.train.complexity_every = 0;
  job.train.complexity_per_decade = 10;
  job.train.eval_per_decade = 10;
  run = train (&job, NULL, NULL, RELIEF_TRAIN_COMPLETED);
  c = run->complexity;
  g_assert_nonnull (c);
  g_assert_cmpint (c->n, ==, G_N_ELEMENTS (steps));
  for (int i = 0; i < c->n; i++)
    g_assert_cmpint (c->step[i], ==, steps[i]);
  g_assert_cmpint (run->n_metrics, ==, G_N_ELEMENTS (steps));
  for (int i = 0; i < run->n_metrics; i++)
    g_assert_cmpint (run->metric_step[i], ==, steps[i]);
  g_assert_cmpint (run->config.complexity_every, ==, 0);
  g_assert_cmpint (run->config.complexity_per_decade, ==, 10);
  g_assert_cmpint (run->config.eval_per_decade, ==, 10);
  final = run->params + (gsize) (run->n_snapshots - 1) * run->n_params;
  g_assert_cmpfloat (c->random[c->n - 1], ==, direct_mean (run, final, RELIEF_COMPLEXITY_RANDOM));
}

static void
test_points_and_activation (void)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_autoptr(ReliefRun) run = NULL;

  job_init (&job, "test-only.h5");
  job.train.complexity_points = RELIEF_COMPLEXITY_TEST;
  job.activation = RELIEF_ACT_TANH;
  job.train.complexity_radius = 0.3;
  run = train (&job, NULL, NULL, RELIEF_TRAIN_COMPLETED);
  g_assert_nonnull (run->complexity);
  g_assert_null (run->complexity->train);
  g_assert_null (run->complexity->random);
  g_assert_null (run->complexity->regions);
  g_assert_nonnull (run->complexity->test);
  g_assert_cmpint (run->complexity->n_train, ==, 0);
  g_assert_cmpfloat (run->complexity->radius, ==, 0.3);
  g_assert_cmpfloat (run->complexity->test[run->complexity->n - 1], ==,
                     direct_mean (run, run->params + (gsize) (run->n_snapshots - 1) * run->n_params,
                                  RELIEF_COMPLEXITY_TEST));
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

/* Cancelled midway and resumed, the run ends with the whole run's rows, bit for bit. */
static void
test_resume_equal (void)
{
  g_auto(ReliefTrainJob) whole_job = { 0 }, job = { 0 };
  g_autoptr(ReliefRun) whole = NULL, resumed = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelAt at = { cancellable, 0.5 };
  ReliefTrainJobCallbacks cb = { .progress = cancel_at, .user_data = &at };

  job_init (&whole_job, "whole.h5");
  whole = train (&whole_job, NULL, NULL, RELIEF_TRAIN_COMPLETED);
  job_init (&job, "resumed.h5");
  g_clear_pointer (&resumed, relief_run_free);
  resumed = train (&job, &cb, cancellable, RELIEF_TRAIN_CANCELLED);
  g_assert_cmpint (resumed->complexity->n, <, whole->complexity->n);
  g_clear_pointer (&resumed, relief_run_free);
  job.resume = TRUE;
  resumed = train (&job, NULL, NULL, RELIEF_TRAIN_COMPLETED);
  g_assert_cmpint (resumed->complexity->n, ==, whole->complexity->n);
  g_assert_cmpmem (resumed->complexity->step, sizeof (gint64) * whole->complexity->n, whole->complexity->step,
                   sizeof (gint64) * whole->complexity->n);
  g_assert_cmpmem (resumed->complexity->train, sizeof (double) * whole->complexity->n, whole->complexity->train,
                   sizeof (double) * whole->complexity->n);
  g_assert_cmpmem (resumed->complexity->regions, sizeof (double) * whole->complexity->n, whole->complexity->regions,
                   sizeof (double) * whole->complexity->n);
}

/* --init-scale: the run's first snapshot is the default initialization times the scale. */
static void
test_init_scale (void)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_autoptr(ReliefRun) run = NULL;
  g_autofree float *init = NULL;

  job_init (&job, "scaled.h5");
  job.train.complexity_every = 0;
  job.train.epochs = 1;
  job.train.init_scale = 8;
  run = train (&job, NULL, NULL, RELIEF_TRAIN_COMPLETED);
  g_assert_cmpfloat (run->config.init_scale, ==, 8);
  init = g_new (float, run->n_params);
  relief_mlp_init_params (run->spec, run->config.seed, init);
  for (gsize i = 0; i < run->n_params; i++)
    g_assert_cmpfloat (run->params[i], ==, (float) (init[i] * 8.0));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dir = g_dir_make_tmp ("relief-complexity-XXXXXX", NULL);
  g_test_add_func ("/complexity-tracking/tracking", test_tracking);
  g_test_add_func ("/complexity-tracking/log-schedule", test_log_schedule);
  g_test_add_func ("/complexity-tracking/points-and-activation", test_points_and_activation);
  g_test_add_func ("/complexity-tracking/resume-equal", test_resume_equal);
  g_test_add_func ("/complexity-tracking/init-scale", test_init_scale);
  status = g_test_run ();
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (dir);
  }
  return status;
}

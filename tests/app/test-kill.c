/* kill -9 at random moments, then resume: `relief surface`, `relief train` and `relief
 * intdim` killed with SIGKILL while they compute (and train interrupted with SIGINT, as
 * Ctrl-C does), continued (surface and train with --resume, intdim by running it again),
 * end with the same result as an uninterrupted run, bit for bit.  The children save every
 * 50 ms (RELIEF_SAVE_SECONDS), so most kills land after a save; one that lands before any
 * leaves nothing to resume, and the rerun starts over and must still give the same
 * result.  Nothing here depends on how long anything takes: the moments are fractions of
 * the uninterrupted run's own time, from a fixed seed. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relief-intdim-file.h"
#include "relief-run-file.h"
#include "relief-surface-file.h"
#include "test-relief-bin.h"

#define KILLS 3

static char *workdir;

static char **
child_env (void)
{
  return g_environ_setenv (g_get_environ (), "RELIEF_SAVE_SECONDS", "0.05", TRUE);
}

/* Runs relief to its end; returns its exit status. */
static int
run_relief (const char *args)
{
  g_auto(GStrv) argv = relief_argv (args);
  g_auto(GStrv) env = child_env ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int wait_status = 0;

  g_assert_true (g_spawn_sync (workdir, argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &wait_status, &error));
  g_test_message ("relief %s -> %d: %s%s", args, WEXITSTATUS (wait_status), out, err);
  g_assert_true (WIFEXITED (wait_status));
  return WEXITSTATUS (wait_status);
}

/* Starts relief and sends it the signal after delay_us, unless it ended before. */
static void
run_relief_killed (const char *args, int signal, gint64 delay_us)
{
  g_auto(GStrv) argv = relief_argv (args);
  g_auto(GStrv) env = child_env ();
  g_autoptr(GError) error = NULL;
  GPid pid;
  int wait_status = 0;

  g_assert_true (g_spawn_async (workdir, argv, env,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_usleep (delay_us);
  kill (pid, signal);
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_test_message ("relief %s: signal %d after %.2f s: %s %d", args, signal, delay_us / 1e6,
                  WIFSIGNALED (wait_status) ? "killed by" : "exited with",
                  WIFSIGNALED (wait_status) ? WTERMSIG (wait_status) : WEXITSTATUS (wait_status));
  g_spawn_close_pid (pid);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (workdir, name, NULL);
}

static void
assert_same_doubles (const double *a, const double *b, gsize n)
{
  g_assert_true ((a == NULL) == (b == NULL));
  if (a != NULL)
    g_assert_cmpmem (a, sizeof (double) * n, b, sizeof (double) * n);
}

typedef void (*CompareFunc) (const char *reference, const char *resumed);

/* The command (a format with one %s, the output) run whole once, then KILLS times sent
 * the signal at a moment within that run's time and continued with `again` (the same
 * format); the last time, the continued run is sent it too, then continued again. */
static void
kill_and_resume (const char *command, const char *again, int signal, CompareFunc compare)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  g_autofree char *reference = tmp_path ("reference.h5"), *resumed = tmp_path ("resumed.h5");
  g_autofree char *whole = g_strdup_printf (command, "reference.h5");
  g_autofree char *first = g_strdup_printf (command, "resumed.h5");
  g_autofree char *then = g_strdup_printf (again, "resumed.h5");
  gint64 start, duration;

  g_remove (reference);
  start = g_get_monotonic_time ();
  g_assert_cmpint (run_relief (whole), ==, 0);
  duration = g_get_monotonic_time () - start;
  for (int i = 0; i < KILLS; i++)
    {
      g_remove (resumed);
      run_relief_killed (first, signal, (gint64) (g_rand_double_range (rand, 0.1, 0.9) * duration));
      /* Once, the continued run is killed too before it may end. */
      if (i == KILLS - 1)
        run_relief_killed (then, signal, (gint64) (g_rand_double_range (rand, 0.1, 0.5) * duration));
      g_assert_cmpint (run_relief (then), ==, 0);
      compare (reference, resumed);
    }
}

static void
compare_surfaces (const char *reference, const char *resumed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefSurface) a = relief_surface_load (reference, &error);
  g_autoptr(ReliefSurface) b = NULL;
  gsize cells;

  g_assert_no_error (error);
  b = relief_surface_load (resumed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->nx, ==, b->nx);
  g_assert_cmpint (a->ny, ==, b->ny);
  cells = (gsize) a->nx * a->ny;
  for (gsize c = 0; c < cells; c++)
    g_assert_false (isnan (a->train_loss[c]));
  assert_same_doubles (a->train_loss, b->train_loss, cells);
  assert_same_doubles (a->train_acc, b->train_acc, cells);
  assert_same_doubles (a->test_loss, b->test_loss, cells);
  assert_same_doubles (a->test_acc, b->test_acc, cells);
}

static void
test_surface (void)
{
  g_assert_cmpint (run_relief ("train --dataset moons --samples 2000 --hidden 32,32 --epochs 2 -o run.h5"), ==, 0);
  kill_and_resume ("surface run.h5 --x=-1:1:61 --y=-1:1:61 --seed 4 -o %s",
                   "surface run.h5 --x=-1:1:61 --y=-1:1:61 --seed 4 --resume -o %s", SIGKILL, compare_surfaces);
}

static void
compare_runs (const char *reference, const char *resumed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRun) a = relief_run_load (reference, FALSE, &error);
  g_autoptr(ReliefRun) b = NULL;

  g_assert_no_error (error);
  b = relief_run_load (resumed, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a->status, ==, "completed");
  g_assert_cmpstr (b->status, ==, "completed");
  g_assert_cmpint (a->n_snapshots, ==, b->n_snapshots);
  g_assert_cmpmem (a->snapshot_step, sizeof (gint64) * a->n_snapshots, b->snapshot_step,
                   sizeof (gint64) * b->n_snapshots);
  g_assert_cmpmem (a->params, sizeof (float) * a->n_params * a->n_snapshots, b->params,
                   sizeof (float) * b->n_params * b->n_snapshots);
  g_assert_cmpint (a->n_metrics, ==, b->n_metrics);
  g_assert_cmpmem (a->metric_step, sizeof (gint64) * a->n_metrics, b->metric_step, sizeof (gint64) * b->n_metrics);
  assert_same_doubles (a->train_loss, b->train_loss, a->n_metrics);
  assert_same_doubles (a->train_acc, b->train_acc, a->n_metrics);
  assert_same_doubles (a->test_loss, b->test_loss, a->n_metrics);
  assert_same_doubles (a->test_acc, b->test_acc, a->n_metrics);
  g_assert_cmpmem (a->train_kind, sizeof (ReliefMetricKind) * a->n_metrics, b->train_kind,
                   sizeof (ReliefMetricKind) * b->n_metrics);
  g_assert_true ((a->curvature == NULL) == (b->curvature == NULL));
  if (a->curvature != NULL)
    {
      int n = a->curvature->n;

      g_assert_cmpint (n, ==, b->curvature->n);
      g_assert_cmpmem (a->curvature->step, sizeof (gint64) * n, b->curvature->step, sizeof (gint64) * n);
      assert_same_doubles (a->curvature->lambda_max, b->curvature->lambda_max, n);
      assert_same_doubles (a->curvature->lambda_min, b->curvature->lambda_min, n);
      assert_same_doubles (a->curvature->trace, b->curvature->trace, n);
      assert_same_doubles (a->curvature->trace_stderr, b->curvature->trace_stderr, n);
    }
}

#define TRAIN_ARGS "train --dataset spiral --samples 3000 --hidden 64,64 --optimizer adam --batch-size 16 " \
                   "--epochs 15 --snapshot-every 500 --eval-every 200"

static void
test_train (void)
{
  kill_and_resume (TRAIN_ARGS " -o %s", TRAIN_ARGS " --resume -o %s", SIGKILL, compare_runs);
}

/* With the sharpness tracked: its rows and warm starts go on as in the whole run. */
#define CURVATURE_ARGS TRAIN_ARGS " --track-curvature 150 --curvature-samples 500 --curvature-trace --curvature-min"

static void
test_train_curvature (void)
{
  kill_and_resume (CURVATURE_ARGS " -o %s", CURVATURE_ARGS " --resume -o %s", SIGKILL, compare_runs);
}

/* Ctrl-C: the run ends with a final row and snapshot of its own, which --resume drops. */
static void
test_train_interrupted (void)
{
  kill_and_resume (TRAIN_ARGS " -o %s", TRAIN_ARGS " --resume -o %s", SIGINT, compare_runs);
}

static void
compare_sweeps (const char *reference, const char *resumed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefIntdim) a = relief_intdim_load (reference, &error);
  g_autoptr(ReliefIntdim) b = NULL;
  gsize cells;

  g_assert_no_error (error);
  b = relief_intdim_load (resumed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->K, ==, b->K);
  g_assert_cmpint (a->n_seeds, ==, b->n_seeds);
  cells = (gsize) a->K * a->n_seeds;
  for (gsize c = 0; c < cells; c++)
    g_assert_false (isnan (a->train_acc[c]));
  assert_same_doubles (a->train_acc, b->train_acc, cells);
  assert_same_doubles (a->test_acc, b->test_acc, cells);
  assert_same_doubles (a->final_loss, b->final_loss, cells);
  assert_same_doubles (&a->baseline_train_acc, &b->baseline_train_acc, 1);
  assert_same_doubles (&a->baseline_test_acc, &b->baseline_test_acc, 1);
  assert_same_doubles (&a->dint90_individual_mean, &b->dint90_individual_mean, 1);
  assert_same_doubles (&a->dint90_global_mean, &b->dint90_global_mean, 1);
}

#define INTDIM_ARGS "intdim --dataset spiral --samples 3000 --hidden 32,32 --projection dense " \
                    "--dims 4,16,64 --seeds 2 --epochs 20 -o %s"

static void
test_intdim (void)
{
  kill_and_resume (INTDIM_ARGS, INTDIM_ARGS, SIGKILL, compare_sweeps);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (g_getenv ("RELIEF_BIN") == NULL)
    {
      g_printerr ("RELIEF_BIN is not set\n");
      return 77;
    }
  workdir = g_build_filename (g_getenv ("G_TEST_TMPDIR"), "files", NULL);
  g_assert_cmpint (g_mkdir_with_parents (workdir, 0700), ==, 0);
  g_test_add_func ("/kill/surface", test_surface);
  g_test_add_func ("/kill/train", test_train);
  g_test_add_func ("/kill/train-interrupted", test_train_interrupted);
  g_test_add_func ("/kill/train-curvature", test_train_curvature);
  g_test_add_func ("/kill/intdim", test_intdim);
  return g_test_run ();
}

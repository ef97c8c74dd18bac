/* The CLI end to end: train, surface, plot, and the errors users will meet. */
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "relief-hessian.h"
#include "relief-hessian-file.h"
#include "relief-intdim-file.h"
#include "relief-regions-file.h"
#include "relief-race-file.h"
#include "relief-run-file.h"
#include "relief-surface-file.h"
#include "relief-weights-file.h"
#include "relief-mlp.h"

#include <gif_lib.h>

/* The folder the commands run in, shared by the cases: the run, surface and sweep that
 * several cases read are made once, by the first case that needs them. */
static char *workdir;

static int
run_relief_full (const char *args, char **out_stdout, char **out_stderr)
{
  g_autofree char *command = g_strdup_printf ("%s %s", g_getenv ("RELIEF_BIN"), args);
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int wait_status = 0;

  g_assert_true (g_shell_parse_argv (command, NULL, &argv, &error));
  /* The child inherits the case's isolated HOME and XDG folders (G_TEST_OPTION_ISOLATE_DIRS
   * sets them in the environment), so it cannot write into the user's. */
  g_assert_true (g_spawn_sync (workdir, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &wait_status, &error));
  if (out_stdout)
    *out_stdout = g_steal_pointer (&out);
  g_test_message ("relief %s -> %d: %s", args, WEXITSTATUS (wait_status), err);
  if (out_stderr)
    *out_stderr = g_steal_pointer (&err);
  g_assert_true (WIFEXITED (wait_status));
  return WEXITSTATUS (wait_status);
}

static int
run_relief (const char *args, char **out_stderr)
{
  return run_relief_full (args, NULL, out_stderr);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (workdir, name, NULL);
}

static gboolean
file_starts_with (const char *path, const char *magic, gsize len)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  return length >= len && memcmp (contents, magic, len) == 0;
}

/* run.h5: 5 epochs of a small MLP on moons. */
static ReliefRun *
shared_run (void)
{
  static gboolean made;
  g_autofree char *path = tmp_path ("run.h5");
  g_autoptr(GError) error = NULL;
  ReliefRun *run;

  if (!made)
    g_assert_cmpint (run_relief ("train --dataset moons --samples 300 --hidden 8,8 --activation tanh "
                                 "--optimizer momentum --lr 0.1 --epochs 5 --batch-size 16 --seed 3 -o run.h5", NULL), ==, 0);
  made = TRUE;
  run = relief_run_load (path, TRUE, &error);
  g_assert_no_error (error);
  return run;
}

#define SURFACE_ARGS "--x=-0.5:0.5:5 --y=-0.5:0.5:3 --seed 2"

/* surface.h5: a 5 x 3 random-direction surface around run.h5's last snapshot. */
static ReliefSurface *
shared_surface (void)
{
  static gboolean made;
  g_autofree char *path = tmp_path ("surface.h5");
  g_autoptr(GError) error = NULL;
  ReliefSurface *surface;

  if (!made)
    {
      g_autoptr(ReliefRun) run = shared_run ();

      g_assert_cmpint (run_relief ("surface run.h5 " SURFACE_ARGS " -o surface.h5", NULL), ==, 0);
    }
  made = TRUE;
  surface = relief_surface_load (path, &error);
  g_assert_no_error (error);
  return surface;
}

static ReliefSurface *
load_surface (const char *name)
{
  g_autofree char *path = tmp_path (name);
  g_autoptr(GError) error = NULL;
  ReliefSurface *surface = relief_surface_load (path, &error);

  g_assert_no_error (error);
  return surface;
}

static void
test_train_writes_run (void)
{
  g_autoptr(ReliefRun) run = shared_run ();

  g_assert_cmpstr (run->status, ==, "completed");
  g_assert_cmpint (run->spec->n_layers, ==, 3);
  g_assert_cmpint (run->spec->sizes[1], ==, 8);
  g_assert_cmpint (run->n_snapshots, ==, 6);    /* the initialization and each of 5 epochs */
  g_assert_cmpint (run->dataset->n_train + run->dataset->n_test, ==, 300);
  g_assert_nonnull (run->test_loss);
  g_assert_cmpfloat (run->train_loss[run->n_metrics - 1], <, run->train_loss[0]);
}

static void
test_surface_grid (void)
{
  g_autoptr(ReliefRun) run = shared_run ();
  g_autoptr(ReliefSurface) surface = shared_surface ();

  g_assert_cmpint (surface->nx, ==, 5);
  g_assert_cmpint (surface->ny, ==, 3);
  g_assert_cmpint (surface->checkpoint, ==, run->n_snapshots - 1);
  for (int i = 0; i < surface->nx * surface->ny; i++)
    g_assert_true (isfinite (surface->train_loss[i]));
}

/* The centre of the surface is the checkpoint itself. */
static void
test_surface_centre (void)
{
  g_autoptr(ReliefRun) run = shared_run ();
  g_autoptr(ReliefSurface) surface = shared_surface ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefBackend) backend = NULL;
  g_autoptr(ReliefMlp) mlp = NULL;
  double loss, acc;
  float *params;

  backend = relief_backend_new ("cpu", &error);
  g_assert_no_error (error);
  mlp = relief_mlp_new (backend, run->spec, 256, &error);
  g_assert_no_error (error);
  params = backend->alloc (backend, run->n_params * sizeof (float), &error);
  g_assert_no_error (error);
  g_assert_true (backend->upload (backend, params, run->params + (gsize) (run->n_snapshots - 1) * run->n_params,
                                  run->n_params * sizeof (float), &error));
  g_assert_true (relief_mlp_evaluate (mlp, params, run->dataset->x_train, run->dataset->y_train,
                                      run->dataset->n_train, &loss, &acc, &error));
  g_assert_cmpfloat_with_epsilon (surface->train_loss[1 * 5 + 2], loss, 1e-6 * fmax (1, loss));
  g_assert_cmpfloat_with_epsilon (surface->train_acc[1 * 5 + 2], 100 * acc, 1e-9);
  backend->free (backend, params);
}

static void
test_plot_surface (void)
{
  g_autoptr(ReliefSurface) surface = shared_surface ();
  const char *figures[][2] = { { "surface.pdf", "%PDF" }, { "surface.png", "\x89PNG" }, { "surface.svg", "<?xml" } };

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      g_autofree char *args = g_strdup_printf ("plot surface.h5 --dpi 72 -o %s", figures[i][0]);
      g_autofree char *path = tmp_path (figures[i][0]);

      g_assert_cmpint (run_relief (args, NULL), ==, 0);
      g_assert_true (file_starts_with (path, figures[i][1], strlen (figures[i][1])));
    }
}

static void
test_plot_run (void)
{
  g_autoptr(ReliefRun) run = shared_run ();
  g_autofree char *path = tmp_path ("curves.pdf");

  g_assert_cmpint (run_relief ("plot run.h5 -o curves.pdf", NULL), ==, 0);
  g_assert_true (file_starts_with (path, "%PDF", 4));
}

/* --track-curvature records the sharpness every N steps, reports its time apart, and
 * relief plot draws it; the curvature flags need it, and a run without it has no
 * curvature figure. */
static void
test_train_curvature (void)
{
  g_autoptr(ReliefRun) plain = shared_run ();
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("curvature.h5"), *figure = tmp_path ("sharpness.png");
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_relief_full ("train --dataset moons --samples 300 --hidden 8,8 --epochs 2 --batch-size 16 "
                                    "--track-curvature 10 --curvature-samples 120 --curvature-trace -o curvature.h5",
                                    &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Curvature: 4 measurements on 120 samples"));
  run = relief_run_load (path, FALSE, &error);
  g_assert_no_error (error);
  /* 240 training samples in batches of 16: 30 steps, measured at 0, 10, 20, 30 */
  g_assert_cmpint (run->curvature->n, ==, 4);
  g_assert_cmpint (run->curvature->step[3], ==, 30);
  g_assert_nonnull (run->curvature->trace);
  g_assert_null (run->curvature->lambda_min);
  g_assert_cmpint (run_relief ("plot curvature.h5 --kind curvature -o sharpness.png", NULL), ==, 0);
  g_assert_true (file_starts_with (figure, "\x89PNG", 4));
  g_assert_cmpint (run_relief ("plot curvature.h5 --kind curves -o curves-only.pdf", NULL), ==, 0);

  g_assert_cmpint (run_relief ("plot run.h5 --kind curvature -o none.png", &err), ==, 2);
  g_assert_nonnull (strstr (err, "holds no curvature"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_relief ("plot run.h5 --kind contour -o none.png", &err), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_relief ("train --dataset moons --curvature-trace -o x.h5", &err), ==, 2);
  g_assert_nonnull (strstr (err, "--track-curvature"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_relief ("train --dataset moons --track-curvature -1 -o x.h5", &err), ==, 2);
  g_assert_false (g_file_test ("x.h5", G_FILE_TEST_EXISTS));
}

static void
test_surface_pca (void)
{
  g_autoptr(ReliefRun) run = shared_run ();
  g_autoptr(ReliefSurface) pca = NULL;

  g_assert_cmpint (run_relief ("surface run.h5 --directions pca --x=-1:1:3 --y=-1:1:3 -o pca.h5", NULL), ==, 0);
  pca = load_surface ("pca.h5");
  g_assert_cmpstr (pca->direction_kind, ==, "pca");
  g_assert_cmpint (pca->n_proj, ==, run->n_snapshots);
  /* The centre is the last snapshot: the trajectory ends at the origin. */
  g_assert_cmpfloat (fabs (pca->proj_xcoord[5]) + fabs (pca->proj_ycoord[5]), <, 1e-6);
  g_assert_cmpfloat (pca->explained_variance_ratio[0], >=, pca->explained_variance_ratio[1]);
  g_assert_cmpfloat (pca->explained_variance_ratio[0] + pca->explained_variance_ratio[1], <=, 1.0 + 1e-9);
  g_assert_nonnull (pca->test_loss);
  for (int i = 0; i < 9; i++)
    g_assert_true (isfinite (pca->train_loss[i]) && isfinite (pca->test_acc[i]));
}

/* The line from the first snapshot reaches the last at alpha 1: the centre of the random
 * surface. */
static void
test_surface_line (void)
{
  g_autoptr(ReliefSurface) full = shared_surface ();
  g_autoptr(ReliefSurface) line = NULL;

  g_assert_cmpint (run_relief ("surface run.h5 --directions line --checkpoint 0 --to last --x=0:1:3 -o line.h5", NULL),
                   ==, 0);
  line = load_surface ("line.h5");
  g_assert_cmpint (line->ny, ==, 1);
  g_assert_null (line->ycoords);
  g_assert_cmpint (line->to_checkpoint, ==, 5);
  g_assert_cmpfloat_with_epsilon (line->train_loss[2], full->train_loss[1 * 5 + 2], 1e-5 * full->train_loss[7]);
}

static void
test_surface_slice (void)
{
  g_autoptr(ReliefRun) run = shared_run ();
  g_autoptr(ReliefSurface) slice = NULL;

  g_assert_cmpint (run_relief ("surface run.h5 --x=-1:1:4 --normalization layer --bias copy -o slice.h5", NULL), ==, 0);
  slice = load_surface ("slice.h5");
  g_assert_cmpint (slice->nx, ==, 4);
  g_assert_cmpint (slice->ny, ==, 1);
  g_assert_null (slice->ydir);
  g_assert_cmpstr (slice->normalization, ==, "layer");
  g_assert_cmpstr (slice->bias_mode, ==, "copy");
}

/* surface.h5 with every other cell missing (NaN), as an interrupted run leaves it. */
static void
write_partial (const char *name)
{
  g_autoptr(ReliefSurface) full = shared_surface ();
  g_autofree char *path = tmp_path (name);
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 15; i += 2)
    full->train_loss[i] = NAN;
  g_assert_true (relief_surface_save (full, path, &error));
  g_assert_no_error (error);
}

/* An interrupted file resumed: the same cells as the uninterrupted run. */
static void
test_surface_resume (void)
{
  g_autoptr(ReliefSurface) full = shared_surface ();
  g_autoptr(ReliefSurface) partial = NULL;

  write_partial ("partial.h5");
  g_assert_cmpint (run_relief ("surface run.h5 " SURFACE_ARGS " --resume -o partial.h5", NULL), ==, 0);
  partial = load_surface ("partial.h5");
  g_assert_cmpmem (partial->train_loss, 15 * sizeof (double), full->train_loss, 15 * sizeof (double));
  g_assert_cmpmem (partial->test_acc, 15 * sizeof (double), full->test_acc, 15 * sizeof (double));
}

/* Resuming onto a different surface is refused, and the file is left alone. */
static void
test_surface_resume_refuses_other (void)
{
  g_autoptr(ReliefSurface) partial = NULL;
  g_autofree char *err = NULL;

  write_partial ("other.h5");
  g_assert_cmpint (run_relief ("surface run.h5 --x=-0.5:0.5:5 --y=-0.5:0.5:3 --seed 3 --resume -o other.h5", &err),
                   ==, 2);
  g_assert_nonnull (strstr (err, "different surface"));
  partial = load_surface ("other.h5");
  for (int i = 0; i < 15; i += 2)
    g_assert_true (isnan (partial->train_loss[i]));
}

#define RESUME_ARGS "train --dataset xor --samples 200 --hidden 8 --epochs 2 --seed 4"

/* --resume: with no file the run starts over; a finished run is left as it is; a run
 * with other settings or data is refused before any work (exit 2), the file unchanged. */
static void
test_train_resume_checks (void)
{
  g_autofree char *path = tmp_path ("resumable.h5"), *fresh_path = tmp_path ("resumed-fresh.h5");
  g_autofree char *before = NULL, *after = NULL;
  gsize before_len = 0, after_len = 0;
  struct { const char *args; const char *message; } others[] = {
    { RESUME_ARGS " --lr 0.02 --resume -o resumable.h5", "different run" },
    { RESUME_ARGS " --hidden 9 --resume -o resumable.h5", "different run" },
    { RESUME_ARGS " --samples 300 --resume -o resumable.h5", "different run" },
    { RESUME_ARGS " --epochs 3 --resume -o resumable.h5", "different run" },
  };
  g_autoptr(ReliefRun) a = NULL, b = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run_relief (RESUME_ARGS " --resume -o resumed-fresh.h5", NULL), ==, 0);
  g_assert_cmpint (run_relief (RESUME_ARGS " -o resumable.h5", NULL), ==, 0);
  a = relief_run_load (fresh_path, FALSE, &error);
  g_assert_no_error (error);
  b = relief_run_load (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (a->params, sizeof (float) * a->n_params * a->n_snapshots, b->params,
                   sizeof (float) * b->n_params * b->n_snapshots);
  g_assert_true (g_file_get_contents (path, &before, &before_len, NULL));
  {
    g_autofree char *err = NULL;

    g_assert_cmpint (run_relief (RESUME_ARGS " --resume -o resumable.h5", &err), ==, 0);
    g_assert_nonnull (strstr (err, "nothing to do"));
  }
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autofree char *err = NULL;
      g_auto(GStrv) lines = NULL;

      g_assert_cmpint (run_relief (others[i].args, &err), ==, 2);
      g_assert_nonnull (strstr (err, others[i].message));
      lines = g_strsplit (g_strstrip (err), "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, 1);
    }
  g_assert_true (g_file_get_contents (path, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
}

static void
test_errors (void)
{
  g_autofree char *text_path = tmp_path ("notes.txt");
  struct { const char *args; const char *message; int status; } cases[] = {
    { "train --no-such-flag -o x.h5", "no-such-flag", 2 },
    { "train --dataset spiral", "-o", 2 },
    { "train --dataset no-such-data -o x.h5", "no-such-data", 2 },
    { "train --activation sigmoid -o x.h5", "sigmoid", 2 },
    { "train --hidden 8,zero -o x.h5", "8,zero", 2 },
    { "train --optimizer lbfgs -o x.h5", "lbfgs", 2 },
    { "surface missing.h5 -o s.h5", "missing.h5", 2 },
    { "surface notes.txt -o s.h5", "notes.txt", 2 },
    { "surface run.h5 --x=1:0:5 -o s.h5", "1:0:5", 2 },
    { "surface run.h5 --checkpoint 99 -o s.h5", "99", 2 },
    { "surface run.h5 --directions line -o s.h5", "--to", 2 },
    { "surface run.h5 --directions spiral -o s.h5", "random, pca, line, hessian or hessian-min", 2 },
    { "surface run.h5 --normalization filtr -o s.h5", "filtr", 2 },
    { "surface run.h5 --bias keep -o s.h5", "keep", 2 },
    { "surface run.h5 --directions pca --normalization layer -o s.h5", "--normalization", 2 },
    { "surface run.h5 --directions line --to 0 --checkpoint 0 -o s.h5", "same snapshot", 2 },
    { "surface run.h5 --x=0:0:1 --y=0:0:1 -o s.h5", "2 points along y", 2 },
    { "plot missing.h5 -o f.pdf", "missing.h5", 2 },
    { "plot run.h5 -o figure.bmp", ".png", 2 },
    { "intdim --dims 3,2 -o x.h5", "3,2", 2 },
    { "intdim --dims 2:8 -o x.h5", "2:8", 2 },
    { "intdim --dims 2 --projection foo -o x.h5", "foo", 2 },
    { "intdim --dims 2 --seeds 0 -o x.h5", "--seeds", 2 },
    { "intdim --dims 2", "-o", 2 },
    { "frobnicate", "frobnicate", 2 },
  };

  g_autoptr(ReliefRun) run = shared_run ();

  g_assert_true (g_file_set_contents (text_path, "not hdf5\n", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;
      g_auto(GStrv) lines = NULL;

      g_assert_cmpint (run_relief (cases[i].args, &err), ==, cases[i].status);
      g_assert_nonnull (strstr (err, cases[i].message));
      /* One line, no crash report or HDF5 diagnostic dump. */
      lines = g_strsplit (g_strstrip (err), "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, 1);
    }
  {
    g_autofree char *x = tmp_path ("x.h5");
    g_assert_false (g_file_test (x, G_FILE_TEST_EXISTS));
  }
}

/* A diverging run keeps its last finite step: every snapshot and every metrics row is
 * finite, the run ends at the last snapshot, and the step that was not finite is recorded
 * after it.  Parameters too large for the model's loss from the first step on (SGD at
 * 1e30) and after a few (momentum at 10), and an update that overflows (SGD at 3, tanh). */
static void
test_divergence_keeps_run (void)
{
  static const char *settings[] = {
    "--optimizer sgd --lr 1e30",
    "--optimizer momentum --lr 10 --loss mse",
    "--optimizer sgd --lr 3 --loss mse --activation tanh",
  };

  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    {
      g_autofree char *run_path = tmp_path ("diverged.h5");
      g_autofree char *args = g_strdup_printf ("train --dataset xor --samples 200 %s --epochs 3 --snapshot-every 1 "
                                               "--eval-every 1 -o diverged.h5", settings[i]);
      g_autofree char *err = NULL;
      g_autoptr(ReliefRun) run = NULL;
      g_autoptr(GError) error = NULL;
      gint64 last;

      g_assert_cmpint (run_relief (args, &err), ==, 1);
      g_assert_nonnull (strstr (err, "diverged"));
      run = relief_run_load (run_path, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (run->status, ==, "diverged");
      g_assert_cmpint (run->n_snapshots, >=, 1);
      for (gsize k = 0; k < run->n_params * run->n_snapshots; k++)
        g_assert_true (isfinite (run->params[k]));
      for (int k = 0; k < run->n_metrics; k++)
        {
          g_assert_true (isfinite (run->train_loss[k]) && isfinite (run->train_acc[k]));
          g_assert_true (isfinite (run->test_loss[k]) && isfinite (run->test_acc[k]));
        }
      last = run->snapshot_step[run->n_snapshots - 1];
      g_assert_cmpint (run->metric_step[run->n_metrics - 1], ==, last);
      g_assert_cmpint (run->diverged_at_step, >, last);
      g_assert_cmpint (run->diverged_at_step, <=, last + 2);
      g_test_message ("%s: diverged at step %" G_GINT64_FORMAT ", kept step %" G_GINT64_FORMAT, settings[i],
                      run->diverged_at_step, last);
    }
}

#define SWEEP_ARGS "--dataset gaussians --samples 300 --hidden 8 --projection dense --dims 2,8,32 --seeds 2 --epochs 3"

static ReliefIntdim *
load_sweep (const char *name)
{
  g_autofree char *path = tmp_path (name);
  g_autoptr(GError) error = NULL;
  ReliefIntdim *id = relief_intdim_load (path, &error);

  g_assert_no_error (error);
  return id;
}

/* id.h5: the sweep above, complete. */
static ReliefIntdim *
shared_sweep (void)
{
  static gboolean made;

  if (!made)
    g_assert_cmpint (run_relief ("intdim " SWEEP_ARGS " -o id.h5", NULL), ==, 0);
  made = TRUE;
  return load_sweep ("id.h5");
}

static void
test_intdim_sweep (void)
{
  g_autoptr(ReliefIntdim) id = NULL;
  g_autofree char *out = NULL;
  double low = 0, high = 0;

  g_assert_cmpint (run_relief_full ("intdim " SWEEP_ARGS " -o fresh.h5", &out, NULL), ==, 0);
  /* The baseline and all 3 x 2 cells. */
  g_assert_nonnull (strstr (out, "trainings run: 7"));
  g_assert_nonnull (strstr (out, "d_int90 individual"));
  id = load_sweep ("fresh.h5");
  g_assert_cmpint (id->K, ==, 3);
  g_assert_cmpint (id->n_seeds, ==, 2);
  for (int i = 0; i < 6; i++)
    g_assert_true (isfinite (id->test_acc[i]) && isfinite (id->final_loss[i]));
  for (int s = 0; s < 2; s++)
    {
      low += id->test_acc[s];
      high += id->test_acc[2 * 2 + s];
    }
  g_assert_cmpfloat (high, >, low);
  g_assert_true (isfinite (id->baseline_test_acc));
}

static void
test_intdim_plot (void)
{
  g_autoptr(ReliefIntdim) id = shared_sweep ();
  g_autofree char *pdf_path = tmp_path ("id.pdf");

  g_assert_cmpint (run_relief ("plot id.h5 -o id.pdf", NULL), ==, 0);
  g_assert_true (file_starts_with (pdf_path, "%PDF", 4));
}

/* Every cell is already in the file, so nothing trains again. */
static void
test_intdim_resume (void)
{
  g_autoptr(ReliefIntdim) id = shared_sweep ();
  g_autofree char *out = NULL;

  g_assert_cmpint (run_relief_full ("intdim " SWEEP_ARGS " -o id.h5", &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "trainings run: 0"));
}

/* Other settings on the same output are refused rather than mixed in. */
static void
test_intdim_refuses_other_settings (void)
{
  g_autoptr(ReliefIntdim) id = shared_sweep ();
  g_autoptr(ReliefIntdim) after = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_relief ("intdim --dataset gaussians --samples 300 --hidden 8 --dims 2,8 --seeds 2 "
                               "--epochs 3 -o id.h5", &err), ==, 2);
  g_assert_nonnull (strstr (err, "other settings"));
  after = load_sweep ("id.h5");
  g_assert_cmpint (after->K, ==, 3);
}

/* So is the same sweep on other generated data, which would mix two data sets. */
static void
test_intdim_refuses_other_data (void)
{
  g_autoptr(ReliefIntdim) id = shared_sweep ();
  g_autoptr(ReliefIntdim) after = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_relief ("intdim --dataset gaussians --samples 400 --hidden 8 --projection dense "
                               "--dims 2,8,32 --seeds 2 --epochs 3 -o id.h5", &err), ==, 2);
  g_assert_nonnull (strstr (err, "other data"));
  after = load_sweep ("id.h5");
  g_assert_true (after->has_gen);
  g_assert_cmpint (after->gen.n_samples, ==, 300);
}

static void
test_help (void)
{
  const char *commands[] = { "--help", "train --help", "surface --help", "intdim --help", "hessian --help",
                             "decision --help", "weights --help", "regions --help", "lesson --help", "plot --help" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *out = NULL;

      g_assert_cmpint (run_relief_full (commands[i], &out, NULL), ==, 0);
      g_assert_nonnull (strstr (out, "Usage"));
    }
}

static const char *command_names[] = { "train", "surface", "intdim", "hessian", "decision", "weights", "regions", "lesson",
                                       "plot" };

/* relief --help and an unknown command both name every command. */
static void
test_command_table (void)
{
  g_autofree char *help = NULL, *err = NULL;

  g_assert_cmpint (run_relief_full ("--help", &help, NULL), ==, 0);
  g_assert_cmpint (run_relief ("lecture", &err), ==, 2);
  g_assert_nonnull (strstr (err, "lecture"));
  for (guint i = 0; i < G_N_ELEMENTS (command_names); i++)
    {
      g_autofree char *listed = g_strdup_printf ("\n  %s ", command_names[i]);

      g_assert_nonnull (strstr (help, listed));
      g_assert_nonnull (strstr (err, command_names[i]));
    }
}

/* The lines of a --help that name a flag of the data, model and training groups. */
static char *
shared_flags (const char *help)
{
  g_auto(GStrv) lines = g_strsplit (help, "\n", -1);
  GString *flags = g_string_new (NULL);
  gboolean in_group = FALSE;

  for (int i = 0; lines[i] != NULL; i++)
    {
      /* A heading: "Data options:", "Application Options:" ... */
      if (lines[i][0] != ' ' && g_str_has_suffix (lines[i], ":"))
        in_group = g_str_equal (lines[i], "Data options:") || g_str_equal (lines[i], "Model options:") ||
                   g_str_equal (lines[i], "Training options:");
      if (in_group)
        g_string_append_printf (flags, "%s\n", lines[i]);
    }
  return g_string_free (flags, FALSE);
}

/* train and intdim take the same data, model and training flags, help text and all. */
static void
test_shared_flags (void)
{
  const char *flags[] = { "--dataset", "--samples", "--noise", "--classes", "--test-fraction", "--data-seed",
                          "--max-samples", "--hidden", "--activation", "--loss", "--optimizer", "--lr", "--momentum",
                          "--weight-decay", "--batch-size", "--epochs", "--seed", "--backend" };
  g_autofree char *train = NULL, *intdim = NULL, *train_flags = NULL, *intdim_flags = NULL;

  g_assert_cmpint (run_relief_full ("train --help", &train, NULL), ==, 0);
  g_assert_cmpint (run_relief_full ("intdim --help", &intdim, NULL), ==, 0);
  train_flags = shared_flags (train);
  intdim_flags = shared_flags (intdim);
  g_assert_cmpstr (train_flags, ==, intdim_flags);
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    g_assert_nonnull (strstr (train_flags, flags[i]));
}

/* Every value a flag is given is checked for what it is: no value stands for the
 * default (only leaving the flag out does), no hex, NaN or infinity passes for a number,
 * and a flag a figure has no use for is refused rather than ignored. */
static void
test_flag_values (void)
{
  const char *cases[][2] = {
    { "train --lr -1 -o x.h5", "--lr" },
    { "train --lr -0.5 -o x.h5", "--lr" },
    { "train --lr nan -o x.h5", "--lr" },
    { "train --lr 0x1p-3 -o x.h5", "0x1p-3" },
    { "train --lr 1e39 -o x.h5", "32-bit float" },
    { "train --batch-size -1 -o x.h5", "--batch-size" },
    { "train --batch-size 0x10 -o x.h5", "0x10" },
    { "train --epochs 0 -o x.h5", "--epochs" },
    { "train --epochs -1 -o x.h5", "--epochs" },
    { "train --momentum -1 -o x.h5", "--momentum" },
    { "train --weight-decay -1 -o x.h5", "--weight-decay" },
    { "train --samples -1 -o x.h5", "--samples" },
    { "train --noise -1 -o x.h5", "--noise" },
    { "train --noise 1e300 -o x.h5", "--noise" },          /* infinite features: the flag, not the data */
    { "train --classes -1 -o x.h5", "--classes" },
    { "train --test-fraction -1 -o x.h5", "--test-fraction" },
    { "train --seed -1 -o x.h5", "--seed" },
    { "train --data-seed -1 -o x.h5", "--data-seed" },
    { "train --max-samples -1 -o x.h5", "--max-samples" },
    { "train --eval-every -1 -o x.h5", "--eval-every" },
    { "train --snapshot-every -1 -o x.h5", "--snapshot-every" },
    { "train --track-complexity -1 -o x.h5", "--track-complexity" },
    { "train --track-complexity 5 --complexity-radius 0 -o x.h5", "--complexity-radius" },
    { "train --track-complexity 5 --complexity-radius nan -o x.h5", "--complexity-radius" },
    { "train --track-complexity 5 --complexity-samples 0 -o x.h5", "--complexity-samples" },
    { "train --track-complexity 5 --complexity-points near -o x.h5", "training, test, random or all" },
    { "train --complexity-radius 0.1 -o x.h5", "need --track-complexity N" },
    { "train --init-scale 0 -o x.h5", "--init-scale" },
    { "train --init-scale -2 -o x.h5", "--init-scale" },
    { "train --hidden= -o x.h5", "--hidden" },
    { "train --output= --epochs 1", "-o takes a file name" },
    { "surface run.h5 -o ''", "-o takes a file name" },
    { "intdim --dims 2 --output=", "-o takes a file name" },
    { "plot run.h5 --output=", "-o takes a file name" },
    { "decision run.h5 --output=", "-o takes a file name" },
    /* A switch given a value: GLib would take --log=0 as --log, and --resume=no as --resume. */
    { "plot surface.h5 --log=0 -o x.png", "--log takes no value" },
    { "train --resume=no -o x.h5", "--resume takes no value" },
    { "surface run.h5 --resume= -o x.h5", "--resume takes no value" },
    { "intdim --dims 2 --lr -1 -o x.h5", "--lr" },
    { "intdim --dims 2 --seeds 0x2 -o x.h5", "--seeds" },
    { "intdim --dims 2 --global-baseline nan -o x.h5", "--global-baseline" },
    { "surface run.h5 --seed -1 -o x.h5", "--seed" },
    { "surface run.h5 --max-samples 0 -o x.h5", "--max-samples" },
    { "surface run.h5 --max-samples -1 -o x.h5", "--max-samples" },
    { "plot run.h5 --kind 3d -o x.png", "unknown figure kind “3d” for a run (curves, curvature, complexity)" },
    { "plot surface.h5 --kind curvature -o x.png", "unknown figure kind “curvature”" },
    { "train --track-curvature 0x5 -o x.h5", "--track-curvature" },
    { "train --track-curvature 5 --curvature-samples 0 -o x.h5", "--curvature-samples" },
    { "plot run.h5 --levels 5 -o x.png", "--levels" },
    { "plot run.h5 --colormap magma -o x.png", "--colormap" },
    { "plot surface.h5 --levels -1 -o x.png", "--levels" },
    { "plot surface.h5 --dpi 0x96 -o x.png", "--dpi" },
    { "plot slice.h5 --kind 3d -o x.png", "1D slice" },
    { "decision run.h5 --dpi nan -o x.png", "--dpi" },
  };
  g_autoptr(ReliefRun) run = shared_run ();
  g_autoptr(ReliefSurface) surface = shared_surface ();
  g_autoptr(ReliefRun) given = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *given_path = tmp_path ("given.h5"), *x_png = tmp_path ("x.png");

  g_assert_cmpint (run_relief ("surface run.h5 --x=-0.5:0.5:5 -o slice.h5", NULL), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *x = tmp_path ("x.h5");

      g_assert_cmpint (run_relief (cases[i][0], &err), ==, 2);
      g_assert_nonnull (strstr (err, cases[i][1]));
      g_assert_cmpuint (strlen (err), ==, strcspn (err, "\n") + 1);
      g_assert_false (g_file_test (x, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (x_png, G_FILE_TEST_EXISTS));
    }

  /* A value given, even the default's, is the value used. */
  g_assert_cmpint (run_relief ("train --dataset moons --samples 200 --hidden 4 --lr 0.05 --batch-size 16 --epochs 2 "
                               "--seed 0 --snapshot-every 0 -o given.h5", NULL), ==, 0);
  given = relief_run_load (given_path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (given->config.optimizer.lr, 0.05, 1e-7);
  g_assert_cmpint (given->config.batch_size, ==, 16);
  g_assert_cmpint (given->config.epochs, ==, 2);
  g_assert_cmpint (given->n_snapshots, ==, 3);

  /* Another optimizer brings its own defaults, and a flag given still wins. */
  g_clear_pointer (&given, relief_run_free);
  g_assert_cmpint (run_relief ("train --dataset moons --samples 200 --hidden 4 --optimizer rmsprop --epochs 1 "
                               "-o given.h5", NULL), ==, 0);
  given = relief_run_load (given_path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (given->config.optimizer.kind, ==, RELIEF_OPT_RMSPROP);
  g_assert_cmpfloat (given->config.optimizer.beta2, ==, 0.99f);
  g_assert_cmpfloat (given->config.optimizer.momentum, ==, 0.0f);
  g_clear_pointer (&given, relief_run_free);
  g_assert_cmpint (run_relief ("train --dataset moons --samples 200 --hidden 4 --optimizer adagrad --momentum 0.5 "
                               "--epochs 1 -o given.h5", NULL), ==, 0);
  given = relief_run_load (given_path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (given->config.optimizer.kind, ==, RELIEF_OPT_ADAGRAD);
  g_assert_cmpfloat (given->config.optimizer.eps, ==, 1e-10f);
  g_assert_cmpfloat (given->config.optimizer.momentum, ==, 0.5f);
}

/* --eval-every and --eval-samples all bring back full evaluation at the given cadence;
 * the default run prints its time and the share of it its metrics took. */
static void
test_eval_flags (void)
{
  g_autofree char *path = tmp_path ("eval.h5");
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 steps[] = { 0, 3, 6, 8, 9, 12, 15, 16 };

  /* 240 training samples in batches of 30: 8 steps per epoch */
  g_assert_cmpint (run_relief ("train --dataset moons --samples 300 --hidden 4 --epochs 2 --batch-size 30 "
                               "--eval-every 3 --eval-samples all -o eval.h5", NULL), ==, 0);
  run = relief_run_load (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->n_metrics, ==, G_N_ELEMENTS (steps));
  for (int i = 0; i < run->n_metrics; i++)
    {
      g_assert_cmpint (run->metric_step[i], ==, steps[i]);
      g_assert_cmpint (run->train_kind[i], ==, RELIEF_METRIC_FULL);
      g_assert_cmpint (run->test_kind[i], ==, RELIEF_METRIC_FULL);
    }
  g_assert_cmpint (run->config.eval_every, ==, 3);
  g_assert_cmpint (run->config.eval_samples, ==, RELIEF_EVAL_ALL);
  g_clear_pointer (&run, relief_run_free);

  g_assert_cmpint (run_relief_full ("train --dataset moons --samples 300 --hidden 4 --epochs 2 --batch-size 30 "
                                    "--eval-samples 20 -o eval.h5", &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Trained 16 steps in "));
  g_assert_nonnull (strstr (out, "% of the time"));
  g_assert_nonnull (strstr (out, "(subset, 20 samples)"));
  run = relief_run_load (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->train_kind[run->n_metrics - 1], ==, RELIEF_METRIC_SUBSET);
  g_assert_cmpint (run->config.eval_samples, ==, 20);

  g_assert_cmpint (run_relief ("train --eval-samples 0 -o eval.h5", &err), ==, 2);
  g_assert_nonnull (strstr (err, "--eval-samples"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_relief ("train --eval-every -2 -o eval.h5", &err), ==, 2);
  g_assert_nonnull (strstr (err, "--eval-every"));
}

/* An IDX folder as MNIST's, of n_train and n_test 6x6 images of labels i % 10. */
static void
write_idx_file (const char *dir, const char *name, guint32 magic, int n, gboolean images)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GByteArray *bytes = g_byte_array_new ();
  guint32 header[4] = { GUINT32_TO_BE (magic), GUINT32_TO_BE ((guint32) n), GUINT32_TO_BE (6), GUINT32_TO_BE (6) };

  g_byte_array_append (bytes, (const guint8 *) header, images ? 16 : 8);
  for (int i = 0; i < n; i++)
    if (images)
      for (int p = 0; p < 36; p++)
        {
          guint8 v = (guint8) ((p * 7 + i * 13 + (p == i % 10) * 200) % 256);

          g_byte_array_append (bytes, &v, 1);
        }
    else
      {
        guint8 label = (guint8) (i % 10);

        g_byte_array_append (bytes, &label, 1);
      }
  g_assert_true (g_file_set_contents (path, (const char *) bytes->data, bytes->len, NULL));
  g_byte_array_unref (bytes);
}

/* --preset grokking-mnist on a small IDX folder, its steps cut to 3: the settings the
 * README lists in the run file, the flags given over them, log-spaced rows; an unknown
 * preset is refused with the names, and --track-complexity 0 turns its tracking off. */
static void
test_train_preset (void)
{
  g_autofree char *idx = tmp_path ("idx-preset"), *path = tmp_path ("preset.h5"), *err = NULL, *args = NULL;
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;
  const int sizes[] = { 36, 200, 200, 200, 10 };

  g_assert_cmpint (g_mkdir_with_parents (idx, 0755), ==, 0);
  write_idx_file (idx, "train-images-idx3-ubyte", 0x803, 60, TRUE);
  write_idx_file (idx, "train-labels-idx1-ubyte", 0x801, 60, FALSE);
  write_idx_file (idx, "t10k-images-idx3-ubyte", 0x803, 20, TRUE);
  write_idx_file (idx, "t10k-labels-idx1-ubyte", 0x801, 20, FALSE);
  /* 60 training images in one batch: 3 epochs are 3 steps. */
  args = g_strdup_printf ("train --preset grokking-mnist --dataset %s --epochs 3 -o preset.h5", idx);
  g_assert_cmpint (run_relief (args, NULL), ==, 0);
  g_clear_pointer (&args, g_free);
  run = relief_run_load (path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->spec->n_layers, ==, 4);
  for (int l = 0; l <= 4; l++)
    g_assert_cmpint (run->spec->sizes[l], ==, sizes[l]);
  g_assert_cmpint (run->spec->activation, ==, RELIEF_ACT_RELU);
  g_assert_cmpint (run->spec->loss, ==, RELIEF_LOSS_MSE);
  g_assert_cmpint (run->config.optimizer.kind, ==, RELIEF_OPT_ADAMW);
  g_assert_cmpfloat (run->config.optimizer.lr, ==, 0.001f);
  g_assert_cmpfloat (run->config.optimizer.weight_decay, ==, 0.01f);
  g_assert_cmpint (run->config.batch_size, ==, 200);
  g_assert_cmpint (run->config.epochs, ==, 3);
  g_assert_cmpfloat (run->config.init_scale, ==, 3);
  g_assert_cmpint (run->config.eval_per_decade, ==, 10);
  g_assert_cmpint (run->config.eval_samples, ==, RELIEF_EVAL_ALL);
  g_assert_cmpint (run->config.complexity_every, ==, 0);
  g_assert_cmpint (run->config.complexity_per_decade, ==, 10);
  g_assert_cmpint (run->config.complexity_points, ==, RELIEF_COMPLEXITY_ALL);
  g_assert_cmpint (run->config.complexity_samples, ==, 1000);
  g_assert_cmpfloat (run->config.complexity_radius, ==, 0);
  g_assert_cmpint (run->config.snapshot_every, ==, 10000);
  g_assert_cmpint (run->dataset->n_train, ==, 60);
  g_assert_cmpint (run->dataset->n_test, ==, 20);
  g_assert_nonnull (run->complexity);
  g_assert_cmpint (run->complexity->n, ==, 4);
  g_assert_cmpint (run->n_metrics, ==, 4);
  for (int i = 0; i < 4; i++)
    {
      g_assert_cmpint (run->complexity->step[i], ==, i);
      g_assert_cmpint (run->metric_step[i], ==, i);
    }
  g_assert_cmpint (run->complexity->n_train, ==, 60);
  g_assert_cmpint (run->complexity->n_test, ==, 20);
  g_assert_cmpint (run->complexity->n_random, ==, 1000);
  g_clear_pointer (&run, relief_run_free);
  /* Its figure: accuracy and local complexity on a log step axis. */
  g_assert_cmpint (run_relief ("plot preset.h5 --kind complexity -o preset.png", NULL), ==, 0);
  {
    g_autofree char *png = tmp_path ("preset.png");

    g_assert_true (file_starts_with (png, "\x89PNG", 4));
  }

  args = g_strdup_printf ("train --preset grokking-mnist --dataset %s --epochs 1 --track-complexity 0 --lr 0.01 "
                          "-o preset.h5", idx);
  g_assert_cmpint (run_relief (args, NULL), ==, 0);
  run = relief_run_load (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (run->complexity);
  g_assert_cmpfloat (run->config.optimizer.lr, ==, 0.01f);
  g_assert_cmpint (run->config.complexity_per_decade, ==, 0);
  /* A run without complexity has no complexity figure. */
  g_assert_cmpint (run_relief ("plot preset.h5 --kind complexity -o none.png", &err), ==, 2);
  g_assert_nonnull (strstr (err, "--track-complexity"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_relief ("train --preset grokking -o x.h5", &err), ==, 2);
  g_assert_nonnull (strstr (err, "grokking-mnist"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_relief ("train --track-complexity log:0 -o x.h5", &err), ==, 2);
  g_assert_nonnull (strstr (err, "--track-complexity log:K"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_relief ("train --eval-every log:x -o x.h5", &err), ==, 2);
  g_assert_nonnull (strstr (err, "--eval-every log:K"));
}

/* A sweep on noisy four-class data with tanh runs and records what it ran with. */
static void
test_intdim_flags (void)
{
  g_autofree char *id_path = tmp_path ("id-flags.h5");
  g_autoptr(ReliefIntdim) id = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run_relief ("intdim --dataset gaussians --samples 200 --noise 0.3 --classes 4 --activation tanh "
                               "--test-fraction 0.25 --momentum 0.7 --weight-decay 0.001 --optimizer momentum "
                               "--max-samples 60 --hidden 6 --dims 2,4 --epochs 2 -o id-flags.h5", NULL), ==, 0);
  id = relief_intdim_load (id_path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (id->gen.noise, ==, 0.3);
  g_assert_cmpint (id->gen.n_classes, ==, 4);
  g_assert_cmpfloat (id->gen.test_fraction, ==, 0.25);
  g_assert_cmpint (id->spec->activation, ==, RELIEF_ACT_TANH);
  g_assert_cmpint (id->spec->sizes[id->spec->n_layers], ==, 4);
  g_assert_cmpfloat_with_epsilon (id->config.optimizer.momentum, 0.7, 1e-6);
  g_assert_cmpfloat_with_epsilon (id->config.optimizer.weight_decay, 0.001, 1e-9);
  g_assert_cmpint (id->max_samples, ==, 60);
}

/* --max-samples keeps the first N samples of each split, and the run reloads them. */
static void
test_max_samples (void)
{
  g_autofree char *run_path = tmp_path ("cut.h5"), *csv_path = tmp_path ("data.csv");
  g_autofree char *err = NULL;
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run_relief ("train --dataset moons --samples 300 --max-samples 50 --hidden 4 --epochs 1 -o cut.h5",
                               NULL), ==, 0);
  run = relief_run_load (run_path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->dataset->n_train, ==, 50);
  g_assert_cmpint (run->dataset->n_test, ==, 50);
  g_assert_cmpint (run_relief ("surface cut.h5 --x=-1:1:3 --y=-1:1:3 -o cut-surface.h5", NULL), ==, 0);

  /* A CSV file reloads whole and splits again: a cut one could not reload, so it is refused. */
  g_assert_true (g_file_set_contents (csv_path, "a,b,label\n0,1,0\n1,0,1\n1,1,0\n0,0,1\n2,1,0\n", -1, NULL));
  g_assert_cmpint (run_relief ("train --dataset data.csv --max-samples 2 -o csv.h5", &err), ==, 2);
  g_assert_nonnull (strstr (err, "data.csv"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_relief ("train --max-samples 0 -o zero.h5", &err), ==, 2);
  g_assert_nonnull (strstr (err, "--max-samples"));
}

/* An output that is one of the command's inputs, through a link too, or that cannot be
 * written, is refused before any work, and the input is left as it was. */
static void
test_output_checked_first (void)
{
  g_autofree char *csv_path = tmp_path ("inputs.csv"), *run_path = tmp_path ("run.h5");
  g_autofree char *link_path = tmp_path ("link.h5"), *missing = tmp_path ("no-such-folder");
  g_autofree char *csv = NULL, *before = NULL, *after = NULL;
  g_autoptr(ReliefRun) run = shared_run ();
  const char *cases[][2] = {
    { "surface run.h5 -o run.h5", "also an input" },
    { "surface run.h5 -o link.h5", "also an input" },
    { "decision run.h5 -o link.h5", "also an input" },
    { "train --dataset inputs.csv -o inputs.csv", "also an input" },
    { "surface run.h5 -o no-such-folder/s.h5", "no-such-folder" },
    { "intdim --dims 2 -o no-such-folder/id.h5", "no-such-folder" },
    { "surface run.h5 -o .", "folder" },
  };
  gsize before_len, after_len;

  csv = g_strdup ("a,b,label\n0,1,0\n1,0,1\n1,1,0\n0,0,1\n2,1,0\n");
  g_assert_true (g_file_set_contents (csv_path, csv, -1, NULL));
  g_assert_cmpint (symlink ("run.h5", link_path), ==, 0);
  g_assert_true (g_file_get_contents (run_path, &before, &before_len, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (run_relief (cases[i][0], &err), ==, 2);
      g_assert_nonnull (strstr (err, cases[i][1]));
    }
  g_assert_true (g_file_get_contents (run_path, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
  g_clear_pointer (&after, g_free);
  g_assert_true (g_file_get_contents (csv_path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, csv);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_unlink (link_path);
}

/* Bad input is exit 2 wherever it is found: an output that is a device or cannot be
 * written, and a backend the machine lacks (exit 0 where it has one, never 1). */
static void
test_exit_status (void)
{
  g_autofree char *locked = tmp_path ("locked");
  g_autoptr(ReliefRun) run = shared_run ();
  const char *outputs[] = { "/dev/null", ".", "no-such-folder/x.h5" };
  const char *backend[] = {
    "train --dataset moons --samples 100 --hidden 2 --epochs 1 --backend cuda -o cuda-run.h5",
    "surface run.h5 --x=-1:1:3 --backend cuda -o cuda-surface.h5",
    "intdim --dataset moons --samples 100 --hidden 2 --epochs 1 --dims 2 --backend cuda -o cuda-sweep.h5",
  };

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      const char *commands[] = { "train --epochs 1 -o %s", "surface run.h5 -o %s", "intdim --dims 2 -o %s" };

      for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
        {
          g_autofree char *args = g_strdup_printf (commands[c], outputs[i]);
          g_autofree char *err = NULL;

          g_assert_cmpint (run_relief (args, &err), ==, 2);
          g_assert_nonnull (strstr (err, outputs[i]));
        }
    }
  /* A folder without write permission: root writes anyway, so only for other users. */
  if (getuid () != 0)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (g_mkdir (locked, 0500), ==, 0);
      g_assert_cmpint (run_relief ("train --epochs 1 -o locked/x.h5", &err), ==, 2);
      g_assert_nonnull (strstr (err, "not writable"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (backend); i++)
    {
      g_autofree char *err = NULL;
      int status = run_relief (backend[i], &err);

      if (status == 0)
        continue;
      g_assert_cmpint (status, ==, 2);
      g_assert_nonnull (strstr (err, "CUDA"));
      g_assert_cmpuint (strlen (err), ==, strcspn (err, "\n") + 1);
    }
}

/* What cannot fit the memory is refused before any work, saying how much it needs and
 * how much there is: a model, a sweep, a grid (exit 2, one line, nothing written). */
static void
test_sizes_refused (void)
{
  const char *cases[] = {
    "train --hidden 100000,100000 -o big.h5",
    "intdim --hidden 100000,100000 --dims 2 --epochs 1 -o big.h5",
    "intdim --dataset moons --hidden 300,300 --dims 90000 --projection dense --epochs 1 -o big.h5",
    "surface run.h5 --x=0:1:100000 --y=0:1:100000 -o big.h5",
  };
  g_autoptr(ReliefRun) run = shared_run ();
  g_autofree char *big = tmp_path ("big.h5");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (run_relief (cases[i], &err), ==, 2);
      g_assert_nonnull (strstr (err, "needs about"));
      g_assert_nonnull (strstr (err, "GB"));
      g_assert_cmpuint (strlen (err), ==, strcspn (err, "\n") + 1);
      g_assert_false (g_file_test (big, G_FILE_TEST_EXISTS));
    }
}

/* A large job says what it will take, in one line before it starts: a 4-million-point
 * surface, interrupted once it has said so (Ctrl-C keeps its cells, exit 130). */
static void
test_estimate_before_large_job (void)
{
  g_autoptr(ReliefRun) run = shared_run ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_subprocess_launcher_set_cwd (launcher, workdir);
  child = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("RELIEF_BIN"), "surface", "run.h5",
                                       "--x=-1:1:2000", "--y=-1:1:2000", "-o", "large.h5", NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (child));
  line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_test_message ("%s", line);
  /* The grids' memory, and a time from a sample of the points timed. */
  g_assert_true (g_str_has_prefix (line, "relief surface: this takes about 0."));
  g_assert_nonnull (strstr (line, "GB of memory and "));
  g_assert_nonnull (strstr (line, "timed on the"));
  g_subprocess_send_signal (child, SIGINT);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 130);
}

/* relief decision draws the map of a checkpoint, or of a point of a surface, and refuses
 * what it cannot draw. */
static void
test_decision (void)
{
  g_autoptr(ReliefSurface) surface = shared_surface ();
  const char *figures[][2] = { { "decision run.h5 --checkpoint 0 -o decision.png", "decision.png" },
                               { "decision run.h5 --surface surface.h5 --at=0.2,-0.1 --x=-2:3:40 -o decision.pdf",
                                 "decision.pdf" } };
  struct { const char *args; const char *message; } errors[] = {
    { "decision run.h5 --at 1,1 -o d.png", "--surface" },
    { "decision surface.h5 -o d.png", "not a run file" },
    { "decision run.h5 --surface surface.h5 --checkpoint 0 -o d.png", "--checkpoint" },
    { "decision run.h5 --x=1:0:5 -o d.png", "1:0:5" },
    { "decision run.h5 -o d.bmp", ".png" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      g_autofree char *path = tmp_path (figures[i][1]);

      g_assert_cmpint (run_relief (figures[i][0], NULL), ==, 0);
      g_assert_true (file_starts_with (path, g_str_has_suffix (path, ".png") ? "\x89PNG" : "%PDF", 4));
    }
  for (guint i = 0; i < G_N_ELEMENTS (errors); i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *d = tmp_path ("d.png");

      g_assert_cmpint (run_relief (errors[i].args, &err), ==, 2);
      g_assert_nonnull (strstr (err, errors[i].message));
      g_assert_false (g_file_test (d, G_FILE_TEST_EXISTS));
    }
}

static ReliefWeights *
load_weights (const char *name)
{
  g_autofree char *path = tmp_path (name);
  g_autoptr(GError) error = NULL;
  ReliefWeights *w = relief_weights_load (path, &error);

  g_assert_no_error (error);
  return w;
}

/* relief weights: the spectra of the checkpoint asked for are compute's of its weights,
 * `all` adds every snapshot's top singular values, and bad input is refused with nothing
 * written. */
static void
test_weights (void)
{
  g_autoptr(ReliefRun) run = shared_run ();
  g_autoptr(ReliefSurface) surface = shared_surface ();
  g_autoptr(ReliefWeights) last = NULL, first = NULL, all = NULL;
  g_autofree char *out = NULL;
  struct { const char *args; const char *message; } errors[] = {
    { "weights run.h5", "-o" },
    { "weights surface.h5 -o w.h5", "not a run file" },
    { "weights run.h5 --checkpoint 6 -o w.h5", "from -6 to 5" },
    { "weights run.h5 --checkpoint first -o w.h5", "“first”" },
    { "weights run.h5 -o run.h5", "also an input" },
    { "weights run.h5 surface.h5 -o w.h5", "one run file" },
    { "weights missing.h5 -o w.h5", "missing.h5" },
  };
  ReliefLayerSpectrum spectra[3];
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run_relief_full ("weights run.h5 -o last.h5", &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "layer 0  8×2"));
  g_assert_nonnull (strstr (out, "layer 2  2×8"));
  g_assert_cmpint (run_relief ("weights run.h5 --checkpoint 0 -o first.h5", NULL), ==, 0);
  g_assert_cmpint (run_relief ("weights run.h5 --checkpoint all -o all.h5", NULL), ==, 0);
  last = load_weights ("last.h5");
  first = load_weights ("first.h5");
  all = load_weights ("all.h5");
  g_assert_cmpint (last->checkpoint, ==, 5);
  g_assert_cmpint (last->checkpoint_step, ==, run->snapshot_step[5]);
  g_assert_cmpstr (last->run_file, ==, "run.h5");
  g_assert_cmpint (last->n_snapshots, ==, 0);
  g_assert_cmpint (first->checkpoint, ==, 0);
  g_assert_true (relief_weight_spectra (run->spec, run->params, spectra, &error));
  for (int l = 0; l < 3; l++)
    {
      g_assert_cmpint (first->layers[l].rows, ==, run->spec->sizes[l + 1]);
      /* To rounding: the command may run OpenBLAS with other kernels (relief's CPU check). */
      for (int i = 0; i < spectra[l].n; i++)
        g_assert_cmpfloat_with_epsilon (first->layers[l].esd[i], spectra[l].esd[i], 1e-12 * spectra[l].esd[0]);
      g_assert_cmpfloat_with_epsilon (first->layers[l].fit.xmin, spectra[l].fit.xmin, 1e-12 * spectra[l].esd[0]);
      g_assert_cmpfloat_with_epsilon (first->layers[l].fit.alpha, spectra[l].fit.alpha, 1e-9);
      g_assert_cmpfloat_with_epsilon (first->layers[l].mp_edge, spectra[l].mp_edge, 1e-12 * spectra[l].mp_edge);
      relief_layer_spectrum_clear (&spectra[l]);
    }
  g_assert_cmpint (all->checkpoint, ==, 5);
  g_assert_cmpint (all->n_snapshots, ==, 6);
  for (int t = 0; t < 6; t++)
    {
      double top[3];

      g_assert_cmpint (all->snapshot_step[t], ==, run->snapshot_step[t]);
      g_assert_true (relief_weight_top_singular_values (run->spec, run->params + (gsize) t * run->n_params, top,
                                                        &error));
      for (int l = 0; l < 3; l++)
        g_assert_cmpfloat_with_epsilon (all->top_singular_values[3 * t + l], top[l], 1e-12 * top[l]);
    }
  for (int l = 0; l < 3; l++)
    g_assert_cmpfloat (all->top_singular_values[3 * 5 + l], ==, last->layers[l].singular_values[0]);

  /* relief plot draws them: the ESDs, and the trajectory when there is one. */
  {
    g_autofree char *pdf = tmp_path ("weights.pdf"), *png = tmp_path ("weights.png");

    g_assert_cmpint (run_relief ("plot all.h5 -o weights.pdf", NULL), ==, 0);
    g_assert_cmpint (run_relief ("plot last.h5 -o weights.png", NULL), ==, 0);
    g_assert_true (file_starts_with (pdf, "%PDF", 4));
    g_assert_true (file_starts_with (png, "\x89PNG", 4));
  }

  for (guint i = 0; i < G_N_ELEMENTS (errors); i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *w = tmp_path ("w.h5");

      g_assert_cmpint (run_relief (errors[i].args, &err), ==, 2);
      g_assert_nonnull (strstr (err, errors[i].message));
      g_assert_true (strchr (err, '\n') == strrchr (err, '\n'));
      g_assert_false (g_file_test (w, G_FILE_TEST_EXISTS));
    }
}

/* What the commands above wrote went where -o said: the case's home and XDG folders stay
 * empty. */
static gboolean
folder_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  return dir == NULL || g_dir_read_name (dir) == NULL;
}

static void
test_writes_nothing_at_home (void)
{
  const char *folders[] = { g_get_home_dir (), g_get_user_data_dir (), g_get_user_cache_dir (),
                            g_get_user_config_dir (), g_get_user_state_dir () };

  g_assert_cmpint (run_relief ("train --dataset xor --samples 100 --epochs 1 -o home.h5", NULL), ==, 0);
  g_assert_cmpint (run_relief ("surface home.h5 --x=-1:1:3 -o home-surface.h5", NULL), ==, 0);
  g_assert_cmpint (run_relief ("plot home-surface.h5 -o home.png", NULL), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_test_message ("%s", folders[i]);
      g_assert_true (g_str_has_prefix (folders[i], g_getenv ("G_TEST_TMPDIR")));
      g_assert_true (folder_is_empty (folders[i]));
    }
}


/* The dense Hessian of run.h5's training loss at its last snapshot over all its training
 * samples, built column by column from products in this process: its eigenvalues
 * (ascending) and trace. */
static double *
dense_spectrum (const ReliefRun *run, double *trace)
{
  g_autoptr(ReliefBackend) cpu = relief_backend_cpu_new ();
  g_autoptr(ReliefHessian) h = NULL;
  g_autoptr(GError) error = NULL;
  int D = (int) run->n_params;
  g_autofree double *dense = g_new (double, (gsize) D * D);
  g_autofree float *e = g_new0 (float, D), *column = g_new (float, D);
  double *values = g_new (double, D);

  h = relief_hessian_new (cpu, run->spec, run->params + (gsize) (run->n_snapshots - 1) * D, run->dataset->x_train,
                          run->dataset->y_train, run->dataset->n_train, 0, &error);
  g_assert_no_error (error);
  for (int j = 0; j < D; j++)
    {
      e[j] = 1;
      g_assert_true (relief_hessian_hvp_host (h, e, column, &error));
      e[j] = 0;
      for (int i = 0; i < D; i++)
        dense[(gsize) j * D + i] = column[i];
    }
  /* Symmetric to rounding: the average of the two triangles is the reference. */
  for (int i = 0; i < D; i++)
    for (int j = 0; j < i; j++)
      dense[(gsize) i * D + j] = dense[(gsize) j * D + i] = 0.5 * (dense[(gsize) i * D + j] + dense[(gsize) j * D + i]);
  *trace = 0;
  for (int i = 0; i < D; i++)
    *trace += dense[(gsize) i * D + i];
  g_assert_true (relief_symmetric_eigen (D, dense, values, FALSE, &error));
  g_assert_no_error (error);
  return values;
}

/* relief surface along the Hessian's directions records their eigenvalues, those of the
 * dense Hessian (the run's 240 training samples, fewer than the default 5000), and
 * relief plot draws the surface; a 1D slice has the x one only. */
static void
test_surface_hessian (void)
{
  g_autoptr(ReliefRun) run = shared_run ();
  double trace;
  g_autofree double *values = dense_spectrum (run, &trace);
  gsize D = run->n_params;
  double top = fabs (values[D - 1]);
  const char *kinds[] = { "hessian", "hessian-min" };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *args = g_strdup_printf ("surface run.h5 --directions %s --x=-0.5:0.5:9 --y=-0.5:0.5:7 "
                                               "-o %s.h5", kinds[k], kinds[k]);
      g_autofree char *name = g_strdup_printf ("%s.h5", kinds[k]);
      g_autofree char *plot = g_strdup_printf ("plot %s.h5 -o %s.png", kinds[k], kinds[k]);
      g_autofree char *png = g_strdup_printf ("%s.png", kinds[k]);
      g_autofree char *png_path = tmp_path (png);
      g_autoptr(ReliefSurface) s = NULL;

      g_assert_cmpint (run_relief (args, NULL), ==, 0);
      s = load_surface (name);
      g_test_message ("%s: x_eigenvalue %.6g, y_eigenvalue %.6g (dense: %.6g, %.6g, ..., %.6g)", kinds[k],
                      s->x_eigenvalue, s->y_eigenvalue, values[D - 1], values[D - 2], values[0]);
      g_assert_cmpfloat_with_epsilon (s->x_eigenvalue, values[D - 1], 1e-4 * top);
      g_assert_cmpfloat_with_epsilon (s->y_eigenvalue, k == 0 ? values[D - 2] : values[0], 1e-4 * top);
      g_assert_cmpint (run_relief (plot, NULL), ==, 0);
      g_assert_true (file_starts_with (png_path, "\x89PNG", 4));
    }
  {
    g_autoptr(ReliefSurface) slice = NULL;

    g_assert_cmpint (run_relief ("surface run.h5 --directions hessian-min --x=-0.5:0.5:9 -o hessian-1d.h5", NULL),
                     ==, 0);
    slice = load_surface ("hessian-1d.h5");
    g_assert_null (slice->ydir);
    g_assert_cmpfloat_with_epsilon (slice->x_eigenvalue, values[D - 1], 1e-4 * top);
    g_assert_true (isnan (slice->y_eigenvalue));
  }
}

/* relief hessian over the whole training set: the top and smallest eigenvalues are those
 * of the dense Hessian computed here, each pair's residual small, the trace within three
 * of its standard errors, the density a probability density; the defaults take every
 * training sample at the last snapshot. */
static void
test_hessian (void)
{
  g_autoptr(ReliefRun) run = shared_run ();
  g_autoptr(ReliefHessianSpectrum) hs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("hessian.h5"), *power = tmp_path ("power.h5");
  g_autofree double *dense = NULL;
  double trace, mass = 0, scale;
  int D = (int) run->n_params;

  g_assert_cmpint (run_relief ("hessian run.h5 --top 3 --smallest --trace --density --slq-steps 40 -o hessian.h5",
                               NULL), ==, 0);
  hs = relief_hessian_spectrum_load (path, &error);
  g_assert_no_error (error);
  dense = dense_spectrum (run, &trace);
  scale = MAX (fabs (dense[0]), fabs (dense[D - 1]));
  g_assert_cmpint (hs->checkpoint, ==, run->n_snapshots - 1);
  g_assert_cmpint (hs->n_samples, ==, run->dataset->n_train);
  g_assert_cmpuint (hs->n_params, ==, run->n_params);
  g_assert_cmpstr (hs->method, ==, "lanczos");
  g_assert_cmpint (hs->largest.n, ==, 3);
  g_assert_cmpint (hs->smallest.n, ==, 3);
  for (int i = 0; i < 3; i++)
    {
      g_test_message ("lambda %d: %.9g (dense %.9g), smallest %.9g (dense %.9g)", i, hs->largest.values[i],
                      dense[D - 1 - i], hs->smallest.values[i], dense[i]);
      g_assert_cmpfloat_with_epsilon (hs->largest.values[i], dense[D - 1 - i], 1e-4 * scale);
      g_assert_cmpfloat_with_epsilon (hs->smallest.values[i], dense[i], 1e-4 * scale);
      g_assert_cmpfloat (hs->largest.residuals[i], <=, 1e-3 * scale);
    }
  g_assert_true (hs->has_trace);
  g_test_message ("trace %.6g +- %.3g (dense %.6g)", hs->trace, hs->trace_stderr, trace);
  g_assert_cmpfloat (fabs (hs->trace - trace), <=, 3 * hs->trace_stderr);
  g_assert_cmpint (hs->slq_starts, ==, 10);
  g_assert_cmpint (hs->slq_steps, ==, 40);
  for (int i = 1; i < hs->n_grid; i++)
    mass += 0.5 * (hs->density[i] + hs->density[i - 1]) * (hs->density_grid[i] - hs->density_grid[i - 1]);
  g_assert_cmpfloat_with_epsilon (mass, 1.0, 1e-3);
  /* The density spans the spectrum, from below the smallest to above the largest. */
  g_assert_cmpfloat (hs->density_grid[0], <, dense[0]);
  g_assert_cmpfloat (hs->density_grid[hs->n_grid - 1], >, dense[D - 1]);

  /* Its figure, with the run's 2/lr found; --log is the runs' and surfaces' flag. */
  {
    g_autofree char *png = tmp_path ("hessian.png"), *pdf = tmp_path ("hessian.pdf"), *err = NULL;

    g_assert_cmpint (run_relief ("plot hessian.h5 -o hessian.png", &err), ==, 0);
    g_assert_true (file_starts_with (png, "\x89PNG", 4));
    g_assert_null (strstr (err, "2/η"));
    g_assert_cmpint (run_relief ("plot hessian.h5 -o hessian.pdf", NULL), ==, 0);
    g_assert_true (file_starts_with (pdf, "%PDF", 4));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_relief ("plot hessian.h5 --log -o hessian-log.png", &err), ==, 2);
    g_assert_nonnull (strstr (err, "--log"));
  }

  /* Power iteration agrees with Lanczos on the top eigenvalue, at another checkpoint
   * over a subset of the samples. */
  g_clear_pointer (&hs, relief_hessian_spectrum_free);
  g_assert_cmpint (run_relief ("hessian run.h5 --method power --top 1 --tolerance 1e-6 --max-iter 2000 "
                               "--checkpoint 0 --samples 50 -o power.h5", NULL), ==, 0);
  g_assert_cmpint (run_relief ("hessian run.h5 --top 1 --checkpoint 0 --samples 50 -o lanczos.h5", NULL), ==, 0);
  hs = relief_hessian_spectrum_load (power, &error);
  g_assert_no_error (error);
  {
    g_autofree char *lanczos_path = tmp_path ("lanczos.h5");
    g_autoptr(ReliefHessianSpectrum) lanczos = relief_hessian_spectrum_load (lanczos_path, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (hs->method, ==, "power");
    g_assert_cmpint (hs->checkpoint, ==, 0);
    g_assert_cmpint (hs->n_samples, ==, 50);
    g_assert_cmpint (hs->largest.n, ==, 1);
    g_assert_false (hs->has_trace);
    g_assert_cmpint (hs->n_grid, ==, 0);
    g_test_message ("power %.9g, lanczos %.9g", hs->largest.values[0], lanczos->largest.values[0]);
    g_assert_cmpfloat_with_epsilon (hs->largest.values[0], lanczos->largest.values[0],
                                    1e-4 * fabs (lanczos->largest.values[0]));
  }
}

/* Bad flags and inputs are usage errors (exit 2, one line) and write nothing. */
static void
test_hessian_errors (void)
{
  g_autoptr(ReliefRun) run = shared_run ();
  g_autoptr(ReliefSurface) surface = shared_surface ();
  g_autofree char *out = tmp_path ("h-bad.h5");
  struct { const char *args; const char *message; } cases[] = {
    { "hessian run.h5 --top -1 -o h-bad.h5", "--top" },
    { "hessian run.h5 --top many -o h-bad.h5", "--top" },
    { "hessian run.h5 --top 0 -o h-bad.h5", "nothing to compute" },
    { "hessian run.h5 --smallest --method power -o h-bad.h5", "--method lanczos" },
    { "hessian run.h5 --method newton -o h-bad.h5", "lanczos or power" },
    { "hessian run.h5 --slq-steps 5 -o h-bad.h5", "--density" },
    { "hessian run.h5 --samples 0 -o h-bad.h5", "--samples" },
    { "hessian run.h5 --tolerance nan -o h-bad.h5", "--tolerance" },
    { "hessian run.h5 --seed -4 -o h-bad.h5", "--seed" },
    { "hessian run.h5 --backend tpu -o h-bad.h5", "tpu" },
    { "hessian run.h5 --checkpoint 99 -o h-bad.h5", "99" },
    { "hessian surface.h5 -o h-bad.h5", "not a run file" },
    { "hessian missing.h5 -o h-bad.h5", "missing.h5" },
    { "hessian run.h5", "-o" },
    { "hessian run.h5 -o run.h5", "run.h5" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (run_relief (cases[i].args, &err), ==, 2);
      if (strstr (err, cases[i].message) == NULL || strchr (err, '\n') != strrchr (err, '\n'))
        g_error ("relief %s: %s", cases[i].args, err);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
}

/* Ctrl-C during a long density, once it has said what it will take, leaves no file,
 * complete or not, and exits 130. */
static void
test_hessian_interrupted (void)
{
  g_autoptr(ReliefRun) run = shared_run ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *line = NULL;
  const char *name;

  g_subprocess_launcher_set_cwd (launcher, workdir);
  child = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("RELIEF_BIN"), "hessian", "run.h5", "--top", "0",
                                       "--density", "--slq-starts", "10000", "-o", "interrupted.h5", NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (child));
  line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_test_message ("%s", line);
  /* 800,000 products: timed on one, and said before the work. */
  g_assert_true (g_str_has_prefix (line, "relief hessian: this takes about "));
  g_assert_nonnull (strstr (line, "timed on the cpu backend"));
  g_subprocess_send_signal (child, SIGINT);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 130);
  dir = g_dir_open (workdir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_null (strstr (name, "interrupted"));
}

/* relief regions on a relu run's input plane at every checkpoint: the file holds what
 * compute finds on the same plane, its figures are PNG, SVG (vector paths) and PDF; a plane
 * through three samples; and the errors, each one line, exit 2, nothing written. */
/* A regions file of over 16 MiB (every checkpoint of a run of three hidden layers of 48)
 * is read: the bytes of its many groups' B-tree nodes, which look like a reference into
 * its heap of strings that the heap lacks, are not taken for one (it was refused as
 * damaged). */
static void
test_regions_large (void)
{
  g_autofree char *path = tmp_path ("regions-large.h5"), *png = tmp_path ("regions-large.png");
  g_autoptr(ReliefRegionsFile) rf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  GStatBuf st;

  g_assert_cmpint (run_relief ("train --dataset moons --samples 500 --hidden 48,48,48 --epochs 20 --snapshot-every 5 "
                               "--seed 2 -o run-large.h5", NULL), ==, 0);
  g_assert_cmpint (run_relief ("regions run-large.h5 --checkpoint all -o regions-large.h5", NULL), ==, 0);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 16 << 20);
  rf = relief_regions_file_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rf->n_checkpoints, >, 1);
  g_assert_cmpint (run_relief ("plot regions-large.h5 -o regions-large.png", &err), ==, 0);
  g_assert_true (file_starts_with (png, "\x89PNG", 4));
}

static void
test_regions (void)
{
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(ReliefRegionsFile) rf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("regions.h5"), *relu = tmp_path ("relu.h5"), *out = NULL, *svg = NULL;
  g_autofree char *csv = tmp_path ("line.csv"), *bad = tmp_path ("r-bad.h5");
  struct { const char *args; const char *message; } cases[] = {
    { "regions run.h5 -o r-bad.h5", "not piecewise linear" },
    { "regions relu.h5 --plane 0,0,1 -o r-bad.h5", "three different samples" },
    { "regions relu.h5 --plane 0,1 -o r-bad.h5", "--plane" },
    { "regions relu.h5 --plane 0,1,x -o r-bad.h5", "--plane" },
    { "regions relu.h5 --plane 0,1,100000 -o r-bad.h5", "not a training sample" },
    { "regions relu.h5 --x=1:0 -o r-bad.h5", "--x" },
    { "regions relu.h5 --y=0:nan -o r-bad.h5", "--y" },
    { "regions relu.h5 --x=0 -o r-bad.h5", "MIN:MAX" },
    { "regions relu.h5 --max-regions 0 -o r-bad.h5", "--max-regions" },
    { "regions relu.h5 --checkpoint 99 -o r-bad.h5", "99" },
    { "regions line.h5 --plane 0,1,2 -o r-bad.h5", "collinear" },
    { "regions regions.h5 -o r-bad.h5", "not a run file" },
    { "regions relu.h5", "-o" },
    { "plot regions.h5 --checkpoint 77 -o r-bad.png", "holds 0" },
    { "plot regions.h5 --color-by size -o r-bad.png", "region, class, active" },
    { "plot relu.h5 --color-by class -o r-bad.png", "only applies to regions files" },
  };

  {
    g_autoptr(ReliefRun) tanh_run = shared_run ();
  }
  g_assert_cmpint (run_relief ("train --dataset moons --samples 200 --hidden 6,6 --epochs 3 --seed 1 -o relu.h5", NULL),
                   ==, 0);
  g_assert_true (g_file_set_contents (csv, "a,b,label\n0,0,0\n1,1,1\n2,2,0\n3,3,1\n4,4,0\n5,5,1\n", -1, NULL));
  g_assert_cmpint (run_relief ("train --dataset line.csv --test-fraction 0 --hidden 3 --epochs 1 -o line.h5", NULL),
                   ==, 0);
  g_assert_cmpint (run_relief_full ("regions relu.h5 --checkpoint all -o regions.h5", &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "regions"));
  run = relief_run_load (relu, TRUE, &error);
  g_assert_no_error (error);
  rf = relief_regions_file_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rf->n_checkpoints, ==, run->n_snapshots);
  g_assert_cmpstr (rf->plane_kind, ==, "input");
  for (int c = 0; c < rf->n_checkpoints; c++)
    {
      g_autoptr(ReliefRegions) direct = relief_regions_compute (run->spec, run->params + (gsize) c * run->n_params,
                                                                 rf->plane, 0, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (rf->checkpoints[c].regions->n_regions, ==, direct->n_regions);
      g_assert_cmpuint (rf->checkpoints[c].regions->n_boundary, ==, direct->n_boundary);
    }
  {
    const char *colors[] = { "region", "class", "active" };

    for (guint i = 0; i < G_N_ELEMENTS (colors); i++)
      {
        g_autofree char *args = g_strdup_printf ("plot regions.h5 --checkpoint 1 --color-by %s -o r-%s.png", colors[i],
                                                 colors[i]);
        g_autofree char *png = g_strdup_printf ("%s/r-%s.png", workdir, colors[i]);

        g_assert_cmpint (run_relief (args, NULL), ==, 0);
        g_assert_true (file_starts_with (png, "\x89PNG", 4));
      }
  }
  g_assert_cmpint (run_relief ("plot regions.h5 -o regions.svg", NULL), ==, 0);
  g_assert_cmpint (run_relief ("plot regions.h5 -o regions.pdf", NULL), ==, 0);
  {
    g_autofree char *pdf = tmp_path ("regions.pdf"), *svg_path = tmp_path ("regions.svg");
    gsize paths = 0;
    const char *p;

    g_assert_true (file_starts_with (pdf, "%PDF", 4));
    g_assert_true (g_file_get_contents (svg_path, &svg, NULL, NULL));
    g_assert_null (strstr (svg, "<image"));
    for (p = svg; (p = strstr (p, "<path")) != NULL; p++)
      paths++;
    g_assert_cmpuint (paths, >=, (gsize) rf->checkpoints[rf->n_checkpoints - 1].regions->n_regions);
  }

  /* Through training samples 3, 5, 8: origin x3, spanning x5 - x3 and x8 - x3. */
  g_assert_cmpint (run_relief ("regions relu.h5 --plane 3,5,8 --x=-1:2 --y=-0.5:1.5 -o regions-s.h5", NULL), ==, 0);
  {
    g_autofree char *s_path = tmp_path ("regions-s.h5");
    g_autoptr(ReliefRegionsFile) s = relief_regions_file_load (s_path, &error);
    const float *x = run->dataset->x_train;

    g_assert_no_error (error);
    g_assert_cmpstr (s->plane_kind, ==, "samples");
    g_assert_cmpint (s->plane_samples[2], ==, 8);
    g_assert_cmpfloat (s->plane->umin, ==, -1);
    g_assert_cmpfloat (s->plane->vmax, ==, 1.5);
    for (int k = 0; k < 2; k++)
      {
        g_assert_cmpfloat (s->plane->origin[k], ==, x[2 * 3 + k]);
        g_assert_cmpfloat_with_epsilon (s->plane->du[k], (double) x[2 * 5 + k] - x[2 * 3 + k], 1e-12);
        g_assert_cmpfloat_with_epsilon (s->plane->dv[k], (double) x[2 * 8 + k] - x[2 * 3 + k], 1e-12);
      }
  }
  /* relief train --track-complexity: the rows in the run file, the summary line. */
  {
    g_autofree char *summary = NULL, *lc = tmp_path ("lc.h5");
    g_autoptr(ReliefRun) tracked = NULL;

    g_assert_cmpint (run_relief_full ("train --dataset moons --samples 200 --hidden 6,6 --epochs 2 "
                                      "--track-complexity 5 --complexity-points random --complexity-samples 50 "
                                      "--init-scale 2 -o lc.h5", &summary, NULL), ==, 0);
    g_assert_nonnull (strstr (summary, "Complexity: "));
    /* The summary names the set measured, not the others (no NaN means). */
    g_assert_nonnull (strstr (summary, ": random "));
    g_assert_null (strstr (summary, "nan"));
    g_assert_null (strstr (summary, "train "));
    tracked = relief_run_load (lc, FALSE, &error);
    g_assert_no_error (error);
    g_assert_nonnull (tracked->complexity);
    g_assert_cmpint (tracked->complexity->n, ==, 1 + tracked->snapshot_step[tracked->n_snapshots - 1] / 5);
    g_assert_null (tracked->complexity->train);
    g_assert_nonnull (tracked->complexity->random);
    g_assert_nonnull (tracked->complexity->regions);
    g_assert_cmpint (tracked->complexity->n_random, ==, 50);
    g_assert_cmpfloat (tracked->config.init_scale, ==, 2);
  }
  /* A cap below the count fails the work (exit 1) and writes nothing. */
  {
    g_autofree char *err = NULL;

    g_assert_cmpint (run_relief ("regions relu.h5 --max-regions 2 -o r-bad.h5", &err), ==, 1);
    g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
  }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *png = tmp_path ("r-bad.png");

      g_assert_cmpint (run_relief (cases[i].args, &err), ==, 2);
      if (strstr (err, cases[i].message) == NULL || strchr (err, '\n') != strrchr (err, '\n'))
        g_error ("relief %s: %s", cases[i].args, err);
      g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
    }
}

static ReliefRaceFile *
load_race (const char *name)
{
  g_autofree char *path = tmp_path (name);
  g_autoptr(GError) error = NULL;
  ReliefRaceFile *race = relief_race_file_load (path, &error);

  g_assert_no_error (error);
  return race;
}

/* relief lesson on the quadratic 0.5 (x^2 + kappa y^2) (theta 0): each racer's path
 * against the update rules computed here in double from the learning rates the file
 * records (the racers step in float32), its loss the function at its points; the settings
 * are the file's, the optimizers named as given. */
static void
test_lesson_quadratic (void)
{
  const double kappa = 10;
  g_autoptr(ReliefRaceFile) race = NULL;

  g_assert_cmpint (run_relief ("lesson --function quadratic --kappa 10 --theta 0 --optimizers gd,momentum,adam "
                               "--lr 0.05,0.02,0.1 --momentum 0.9 --start=-1.5,1 --steps 50 --x=-2:2 --y=-1.5:1.5 "
                               "-o race.h5", NULL), ==, 0);
  race = load_race ("race.h5");
  g_assert_cmpstr (race->function, ==, "quadratic");
  g_assert_cmpfloat (race->kappa, ==, 10);
  g_assert_cmpfloat (race->theta, ==, 0);
  g_assert_cmpint (race->n_steps, ==, 50);
  g_assert_cmpint (race->n_racers, ==, 3);
  g_assert_cmpfloat (race->xmin, ==, -2);
  g_assert_cmpfloat (race->ymax, ==, 1.5);
  g_assert_cmpstr (race->racers[0].optimizer, ==, "gd");
  g_assert_cmpstr (race->racers[1].optimizer, ==, "momentum");
  g_assert_cmpstr (race->racers[2].optimizer, ==, "adam");
  g_assert_cmpfloat (fabs (race->racers[1].momentum - 0.9), <, 1e-6);
  for (int i = 0; i < 3; i++)
    {
      const ReliefRaceRacer *r = &race->racers[i];
      double p[2] = { -1.5, 1 }, v[2] = { 0, 0 }, m[2] = { 0, 0 }, s2[2] = { 0, 0 };

      g_assert_cmpint (r->diverged_at, ==, -1);
      for (int t = 0; t <= 50; t++)
        {
          double g[2] = { p[0], kappa * p[1] };

          if (fabs (r->path[2 * t] - p[0]) > 1e-4 || fabs (r->path[2 * t + 1] - p[1]) > 1e-4 ||
              fabs (r->loss[t] - 0.5 * (p[0] * p[0] + kappa * p[1] * p[1])) > 1e-4)
            g_error ("%s at step %d: (%g, %g) loss %g, expected (%g, %g)", r->optimizer, t, r->path[2 * t],
                     r->path[2 * t + 1], r->loss[t], p[0], p[1]);
          for (int k = 0; k < 2; k++)
            if (i == 0)
              p[k] -= r->lr * g[k];
            else if (i == 1)
              {
                /* heavy ball as torch.optim.SGD: v = beta v + g, p -= lr v */
                v[k] = r->momentum * v[k] + g[k];
                p[k] -= r->lr * v[k];
              }
            else
              {
                m[k] = r->beta1 * m[k] + (1 - r->beta1) * g[k];
                s2[k] = r->beta2 * s2[k] + (1 - r->beta2) * g[k] * g[k];
                p[k] -= r->lr * (m[k] / (1 - pow (r->beta1, t + 1))) /
                        (sqrt (s2[k] / (1 - pow (r->beta2, t + 1))) + r->eps);
              }
        }
    }
}

/* Gradient descent on the quadratic is stable up to lr = 2 / lambda_max (kappa): at 1.99 /
 * kappa it converges, at 2.01 / kappa y grows as 1.01^t and the racer is marked diverged
 * where |y| first passes 1e6, with NaN from there on. */
static void
test_lesson_stability_limit (void)
{
  g_autoptr(ReliefRaceFile) race = NULL;
  const ReliefRaceRacer *stable, *unstable;
  gint64 expected = (gint64) ceil (log (1e6) / log (1.01));

  g_assert_cmpint (run_relief ("lesson --function quadratic --kappa 4 --optimizers gd,gd --lr 0.4975,0.5025 "
                               "--start 1,1 --steps 1500 -o limit.h5", NULL), ==, 0);
  race = load_race ("limit.h5");
  stable = &race->racers[0];
  unstable = &race->racers[1];
  g_assert_cmpint (stable->diverged_at, ==, -1);
  g_assert_cmpfloat (stable->loss[1500], <, 1e-3 * stable->loss[0]);
  g_assert_cmpint (unstable->diverged_at, >=, expected - 2);
  g_assert_cmpint (unstable->diverged_at, <=, expected + 2);
  g_assert_cmpfloat (fabs (unstable->path[2 * (unstable->diverged_at - 1) + 1]), <=, 1e6);
  g_assert_true (isnan (unstable->path[2 * 1500]) && isnan (unstable->loss[1500]));
}

/* An expression with its exact gradient: GD on (x - 1)^2 + 2 (y + 0.5)^2 against the
 * update computed here; the race figure from relief plot as PNG and PDF; the animation a
 * GIF read back by giflib: its frames (one every --every steps and the last), size, delay
 * from --fps and the loop forever. */
static void
test_lesson_expression_plot_animation (void)
{
  g_autoptr(ReliefRaceFile) race = NULL;
  g_autofree char *gif_path = tmp_path ("expr.gif"), *png = tmp_path ("race.png"), *pdf = tmp_path ("race.pdf");
  GifFileType *gif;
  GraphicsControlBlock gcb;
  gboolean loops = FALSE;
  int gif_error = 0;
  double p[2] = { -1, 1 };

  g_assert_cmpint (run_relief ("lesson --function '(x - 1)^2 + 2*(y + 0.5)^2' --optimizers gd --lr 0.1 "
                               "--start=-1,1 --steps 25 --x=-2:2 --y=-2:2 -o expr.h5 --animation expr.gif "
                               "--fps 20 --size 320x160 --every 4", NULL), ==, 0);
  race = load_race ("expr.h5");
  g_assert_cmpstr (race->function, ==, "(x - 1)^2 + 2*(y + 0.5)^2");
  g_assert_true (isnan (race->kappa));
  for (int t = 0; t <= 25; t++)
    {
      g_assert_cmpfloat (fabs (race->racers[0].path[2 * t] - p[0]), <, 1e-5);
      g_assert_cmpfloat (fabs (race->racers[0].path[2 * t + 1] - p[1]), <, 1e-5);
      p[0] -= race->racers[0].lr * 2 * (p[0] - 1);
      p[1] -= race->racers[0].lr * 4 * (p[1] + 0.5);
    }

  gif = DGifOpenFileName (gif_path, &gif_error);
  g_assert_nonnull (gif);
  g_assert_cmpint (DGifSlurp (gif), ==, GIF_OK);
  g_assert_cmpint (gif->SWidth, ==, 320);
  g_assert_cmpint (gif->SHeight, ==, 160);
  /* steps 0, 4, ..., 24 and 25 */
  g_assert_cmpint (gif->ImageCount, ==, 8);
  for (int i = 0; i < gif->ImageCount; i++)
    {
      g_assert_cmpint (DGifSavedExtensionToGCB (gif, i, &gcb), ==, GIF_OK);
      g_assert_cmpint (gcb.DelayTime, ==, 5);
    }
  /* giflib keeps the extensions before an image with it: the loop's is the first image's. */
  {
    const ExtensionBlock *blocks = gif->SavedImages[0].ExtensionBlocks;
    int n_blocks = gif->SavedImages[0].ExtensionBlockCount;

    for (int e = 0; e + 1 < n_blocks; e++)
      if (blocks[e].Function == APPLICATION_EXT_FUNC_CODE && blocks[e].ByteCount == 11 &&
          memcmp (blocks[e].Bytes, "NETSCAPE2.0", 11) == 0)
        loops = blocks[e + 1].ByteCount == 3 && blocks[e + 1].Bytes[0] == 1 && blocks[e + 1].Bytes[1] == 0 &&
                blocks[e + 1].Bytes[2] == 0;
  }
  g_assert_true (loops);
  DGifCloseFile (gif, &gif_error);

  g_assert_cmpint (run_relief ("plot expr.h5 -o race.png", NULL), ==, 0);
  g_assert_true (file_starts_with (png, "\x89PNG", 4));
  g_assert_cmpint (run_relief ("plot expr.h5 -o race.pdf --colormap magma", NULL), ==, 0);
  g_assert_true (file_starts_with (pdf, "%PDF", 4));
  /* A start that is no float: the racers begin at it rounded, and the file reads. */
  g_assert_cmpint (run_relief ("lesson --function saddle --optimizers gd,adam --start=-1.5,0.001 --steps 20 "
                               "-o saddle.h5", NULL), ==, 0);
  g_assert_cmpint (run_relief ("plot saddle.h5 -o race.png", NULL), ==, 0);
}

/* Ctrl-C while the animation is written: exit 130, the race file kept, no GIF and no
 * temporary file of it. */
static void
test_lesson_interrupted (void)
{
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(ReliefRaceFile) race = NULL;
  g_autofree char *line = NULL;
  const char *name;

  g_subprocess_launcher_set_cwd (launcher, workdir);
  child = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("RELIEF_BIN"), "lesson", "--function", "beale",
                                       "--optimizers", "adam", "--steps", "4000", "-o", "long-race.h5",
                                       "--animation", "long-race.gif", "--every", "1", NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (child));
  line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_cmpstr (line, ==, "relief lesson: 4001 frames of 800x400 pixels to long-race.gif");
  g_subprocess_send_signal (child, SIGINT);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 130);
  race = load_race ("long-race.h5");
  g_assert_cmpint (race->n_steps, ==, 4000);
  dir = g_dir_open (workdir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_null (strstr (name, "long-race.gif"));
}

/* relief lesson's usage errors: one line, exit 2, nothing written. */
static void
test_lesson_errors (void)
{
  g_autofree char *out = tmp_path ("lesson-out.h5"), *gif = tmp_path ("lesson-out.gif");
  struct { const char *args; const char *message; } cases[] = {
    { "--function rosenbrok --optimizers gd", "unknown function “rosenbrok”: give one of quadratic, rosenbrock" },
    { "--function 'x^2 + (y' --optimizers gd", "column" },
    { "--function 'x^2 +* y' --optimizers gd", "column 6: unexpected '*'" },
    { "--function rosenbrock --optimizers gd,adamm", "adamm" },
    { "--function rosenbrock --optimizers gd,adam --lr 0.1,0.2,0.3", "--lr gives 3 values for 2 optimizers" },
    { "--function rosenbrock --optimizers gd,adam --momentum 0.1,0.2,0.3", "--momentum gives 3 values" },
    { "--function rosenbrock --optimizers gd --lr 0", "--lr takes a number > 0" },
    { "--function rosenbrock --optimizers gd --lr fast", "“fast”" },
    { "--function booth --kappa 3 --optimizers gd", "--kappa and --theta only apply to --function quadratic" },
    { "--function quadratic --kappa 0.5 --optimizers gd", "--kappa" },
    { "--function booth --optimizers gd --start 1", "--start takes X,Y" },
    { "--function booth --optimizers gd --x=3:1", "A < B" },
    { "--function booth --optimizers gd --start=100,100", "outside the view" },
    { "--function booth --optimizers gd --steps 0", "--steps" },
    { "--function booth --optimizers gd --fps 10", "only apply to --animation" },
    { "--function booth --optimizers gd --animation lesson-out.png", ".gif" },
    { "--function booth --optimizers gd --animation lesson-out.gif --size 10x10", "--size" },
    { "--function booth --optimizers gd --animation lesson-out.gif --fps 1000", "--fps" },
    { "--function 'log(x)' --optimizers gd --start=-1,0", "not finite at the start" },
    { "--function booth --optimizers gd --steps 20000 --animation lesson-out.gif --every 2", "at most 5000" },
    { "--function rosenbrok --optimizers gd --x=-1:1", "unknown function" },
    { "--optimizers gd", "--function is missing" },
    { "--function booth", "--optimizers is missing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *args = g_strdup_printf ("lesson %s -o lesson-out.h5", cases[i].args);
      g_autofree char *err = NULL;

      g_assert_cmpint (run_relief (args, &err), ==, 2);
      if (strstr (err, cases[i].message) == NULL || strchr (err, '\n') != err + strlen (err) - 1)
        g_error ("relief %s: “%s” lacks “%s” or is not one line", args, err, cases[i].message);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (gif, G_FILE_TEST_EXISTS));
    }
}

/* Every regression input of the fuzz targets through the command that reads its kind:
 * a refusal is exit 2 with one line that names the file, and nothing written. */
static void
test_bad_inputs (void)
{
  static const struct {
    const char *kind;
    const char *command;   /* %s: the input; writes out.* */
    const char *output;
  } readers[] = {
    { "run", "surface %s --x=-1:1:2 --y=-1:1:2 -o out.h5", "out.h5" },
    { "surface", "plot %s -o out.png", "out.png" },
    { "intdim", "plot %s -o out.png", "out.png" },
    { "hessian", "plot %s -o out.png", "out.png" },
    { "weights", "plot %s -o out.png", "out.png" },
    { "regions", "plot %s -o out.png", "out.png" },
    { "race", "plot %s -o out.png", "out.png" },
    { "csv", "train --dataset %s --hidden 2 --epochs 1 -o out.h5", "out.h5" },
  };

  for (guint r = 0; r < G_N_ELEMENTS (readers); r++)
    {
      g_autofree char *folder = g_test_build_filename (G_TEST_DIST, "fuzz", "regressions", readers[r].kind, NULL);
      g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
      g_autofree char *output = tmp_path (readers[r].output);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (folder, name, NULL);
          g_autofree char *quoted = g_shell_quote (path);
          g_autofree char *args = g_strdup_printf (readers[r].command, quoted);
          g_autofree char *err = NULL;
          int status = run_relief (args, &err);

          if (g_str_has_prefix (name, "accept-"))
            {
              g_assert_cmpint (status, ==, 0);
              g_assert_cmpint (g_remove (output), ==, 0);
              continue;
            }
          if (status != 2 || strchr (err, '\n') != strrchr (err, '\n') || !g_str_has_prefix (err, "relief ") ||
              strstr (err, name) == NULL)
            g_error ("relief %s: exit %d, %s", args, status, err);
          g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
        }
    }
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
  /* Under the test's own temporary folder, which g_test_run removes when all passed. */
  workdir = g_build_filename (g_getenv ("G_TEST_TMPDIR"), "files", NULL);
  g_assert_cmpint (g_mkdir_with_parents (workdir, 0700), ==, 0);
  g_test_add_func ("/cli/train/writes-run", test_train_writes_run);
  g_test_add_func ("/cli/train/divergence-keeps-run", test_divergence_keeps_run);
  g_test_add_func ("/cli/train/resume-checks", test_train_resume_checks);
  g_test_add_func ("/cli/surface/grid", test_surface_grid);
  g_test_add_func ("/cli/surface/centre-is-checkpoint", test_surface_centre);
  g_test_add_func ("/cli/surface/pca", test_surface_pca);
  g_test_add_func ("/cli/surface/line", test_surface_line);
  g_test_add_func ("/cli/surface/slice", test_surface_slice);
  g_test_add_func ("/cli/surface/resume", test_surface_resume);
  g_test_add_func ("/cli/surface/resume-refuses-other", test_surface_resume_refuses_other);
  g_test_add_func ("/cli/plot/surface-formats", test_plot_surface);
  g_test_add_func ("/cli/plot/run-curves", test_plot_run);
  g_test_add_func ("/cli/train/curvature", test_train_curvature);
  g_test_add_func ("/cli/surface/hessian", test_surface_hessian);
  g_test_add_func ("/cli/intdim/sweep", test_intdim_sweep);
  g_test_add_func ("/cli/intdim/plot", test_intdim_plot);
  g_test_add_func ("/cli/intdim/resume", test_intdim_resume);
  g_test_add_func ("/cli/intdim/refuses-other-settings", test_intdim_refuses_other_settings);
  g_test_add_func ("/cli/intdim/refuses-other-data", test_intdim_refuses_other_data);
  g_test_add_func ("/cli/errors", test_errors);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/command-table", test_command_table);
  g_test_add_func ("/cli/shared-flags", test_shared_flags);
  g_test_add_func ("/cli/flag-values", test_flag_values);
  g_test_add_func ("/cli/intdim/flags", test_intdim_flags);
  g_test_add_func ("/cli/train/eval-flags", test_eval_flags);
  g_test_add_func ("/cli/train/preset", test_train_preset);
  g_test_add_func ("/cli/decision", test_decision);
  g_test_add_func ("/cli/weights", test_weights);
  g_test_add_func ("/cli/train/max-samples", test_max_samples);
  g_test_add_func ("/cli/output-checked-first", test_output_checked_first);
  g_test_add_func ("/cli/exit-status", test_exit_status);
  g_test_add_func ("/cli/sizes-refused", test_sizes_refused);
  g_test_add_func ("/cli/estimate-before-large-job", test_estimate_before_large_job);
  g_test_add_func ("/cli/writes-nothing-at-home", test_writes_nothing_at_home);
  g_test_add_func ("/cli/bad-inputs", test_bad_inputs);
  g_test_add_func ("/cli/lesson/quadratic", test_lesson_quadratic);
  g_test_add_func ("/cli/lesson/stability-limit", test_lesson_stability_limit);
  g_test_add_func ("/cli/lesson/expression-plot-animation", test_lesson_expression_plot_animation);
  g_test_add_func ("/cli/lesson/errors", test_lesson_errors);
  g_test_add_func ("/cli/lesson/interrupted", test_lesson_interrupted);
  g_test_add_func ("/cli/hessian", test_hessian);
  g_test_add_func ("/cli/hessian-errors", test_hessian_errors);
  g_test_add_func ("/cli/hessian-interrupted", test_hessian_interrupted);
  g_test_add_func ("/cli/regions", test_regions);
  g_test_add_func ("/cli/regions-large", test_regions_large);
  return g_test_run ();
}

/* The jobs in-process, without GTK: surface resume and every direction kind, surfaces kept
 * in memory, what surface and train jobs save while they work, intdim resume, the decision
 * map against compute's grid prediction, the hessian job's output, cancel and lock, the
 * weight spectra against compute's, the linear regions against compute's and what a cancel
 * keeps of them. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "relief-decision-job.h"
#include "relief-hessian-job.h"
#include "relief-intdim-job.h"
#include "relief-live-curves.h"
#include "relief-regions-live.h"
#include "relief-output.h"
#include "relief-regions-job.h"
#include "relief-race-job.h"
#include "relief-enums.h"
#include "relief-run-file.h"
#include "relief-surface-job.h"
#include "relief-train-job.h"
#include "relief-weights-job.h"
#include "relief-work-dir.h"
#include "test-tmpdir.h"

/* One small run shared by the tests, trained once. */
static char *run_dir, *run_path;

static void
train_shared_run (void)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_autoptr(GError) error = NULL;
  ReliefTrainStatus status;

  relief_train_job_init_defaults (&job);
  g_free (job.dataset);
  job.dataset = g_strdup ("moons");
  relief_generator_defaults ("moons", &job.gen);
  job.gen.n_samples = 200;
  job.hidden[0] = job.hidden[1] = 6;
  job.train.epochs = 4;
  job.backend = RELIEF_BACKEND_CPU;
  job.output = g_strdup (run_path);
  g_assert_true (relief_train_job_run (&job, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, RELIEF_TRAIN_COMPLETED);
}

static void
count_metrics (const ReliefTrainMetrics *m, gpointer user_data)
{
  int *count = user_data;

  (*count)++;
}

/* The Train page's default run (the job's defaults, which its controls start from) keeps
 * its live curve of about 100 points under the default metrics rule, and the run file
 * says what each row is. */
static void
test_train_default_rows (Fixture *f, gconstpointer data)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;
  int callbacks = 0, full = 0;
  ReliefTrainJobCallbacks cb = { .metrics = count_metrics, .user_data = &callbacks };
  ReliefTrainStatus status;

  relief_train_job_init_defaults (&job);
  job.backend = RELIEF_BACKEND_CPU;
  job.output = g_build_filename (f->dir, "default.h5", NULL);
  g_assert_true (relief_train_job_run (&job, &cb, NULL, &status, &error));
  g_assert_no_error (error);
  /* 800 training samples in batches of 32 for 20 epochs: 500 steps, a row every 5 */
  g_assert_cmpint (callbacks, ==, 101);
  run = relief_run_load (job.output, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->n_metrics, ==, 101);
  g_assert_cmpint (run->train_kind[0], ==, RELIEF_METRIC_SUBSET);
  for (int i = 1; i < run->n_metrics; i++)
    {
      g_assert_cmpint (run->train_kind[i], ==, RELIEF_METRIC_RUNNING);
      full += run->test_kind[i] == RELIEF_METRIC_FULL;
      g_assert_cmpint (run->test_kind[i] == RELIEF_METRIC_FULL, ==, run->metric_step[i] % 25 == 0);
    }
  g_assert_cmpint (full, ==, 20);
  g_assert_cmpint (run->config.eval_samples, ==, 0);
}

static void
surface_job_init (ReliefSurfaceJob *job, ReliefLoadedRun *run, ReliefDirectionKind directions)
{
  relief_surface_job_init_defaults (job);
  job->run = relief_loaded_run_ref (run);
  job->directions = directions;
  job->backend = RELIEF_BACKEND_CPU;
  job->x = (ReliefGridAxis) { -0.5, 0.5, 4 };
  job->y = (ReliefGridAxis) { -0.5, 0.5, 3 };
}

static void
count_cell (int ix, int iy, double loss, double acc, gpointer user_data)
{
  (*(int *) user_data)++;
}

static gsize
files_in (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  gsize n = 0;

  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
assert_all_finite (const ReliefSurface *s)
{
  for (int i = 0; i < s->nx * s->ny; i++)
    g_assert_true (isfinite (s->train_loss[i]) && isfinite (s->train_acc[i]) &&
                   isfinite (s->test_loss[i]) && isfinite (s->test_acc[i]));
}

/* A surface job's cells and its estimate: one, before the first cell. */
typedef struct {
  int               cells;
  int               estimates;
  gboolean          cell_before_estimate;
  ReliefJobEstimate estimate;
} SurfaceCounts;

static void
counts_cell (int ix, int iy, double loss, double acc, gpointer user_data)
{
  SurfaceCounts *c = user_data;

  c->cells++;
  c->cell_before_estimate |= c->estimates == 0;
}

static void
counts_estimate (const ReliefJobEstimate *estimate, gpointer user_data)
{
  SurfaceCounts *c = user_data;

  c->estimates++;
  c->estimate = *estimate;
}

/* v's Rayleigh quotient v^T H v / v^T v under the Hessian of the run's training loss at
 * center over all its training samples (fewer than the surface job's 5000). */
static double
rayleigh_quotient (const ReliefRun *run, const float *center, const float *v)
{
  g_autoptr(ReliefBackend) cpu = relief_backend_cpu_new ();
  g_autoptr(ReliefHessian) h = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *hv = g_new (float, run->n_params);
  double vhv = 0, vv = 0;

  h = relief_hessian_new (cpu, run->spec, center, run->dataset->x_train, run->dataset->y_train,
                          run->dataset->n_train, 0, &error);
  g_assert_no_error (error);
  g_assert_true (relief_hessian_hvp_host (h, v, hv, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < run->n_params; i++)
    {
      vhv += (double) v[i] * hv[i];
      vv += (double) v[i] * v[i];
    }
  return vhv / vv;
}

/* Each direction kind, computed in memory: the surface comes back, no file is written.
 * The estimate comes once, before the cells; for the Hessian's directions it counts
 * Lanczos's products past the cells' work (the same grid's as the random directions'),
 * and the surface records the eigenvalues of its directions. */
static void
test_surface_directions (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLoadedRun) run = relief_loaded_run_load (run_path, &error);
  const ReliefDirectionKind kinds[] = { RELIEF_DIRECTIONS_RANDOM, RELIEF_DIRECTIONS_PCA, RELIEF_DIRECTIONS_LINE,
                                        RELIEF_DIRECTIONS_HESSIAN, RELIEF_DIRECTIONS_HESSIAN_MIN };
  g_autofree char *cwd = g_get_current_dir ();
  ReliefJobEstimate random_estimate = { 0 };

  /* Anything written without a path would land beside the run or here. */
  g_assert_cmpint (g_chdir (f->dir), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpstr (relief_loaded_run_get_path (run), ==, run_path);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_auto(ReliefSurfaceJob) job = { 0 };
      g_autoptr(ReliefSurface) s = NULL;
      SurfaceCounts counts = { 0 };
      ReliefSurfaceJobCallbacks cb = { .cell = counts_cell, .estimate = counts_estimate, .user_data = &counts };

      surface_job_init (&job, run, kinds[k]);
      if (kinds[k] == RELIEF_DIRECTIONS_LINE)
        {
          g_free (job.checkpoint);
          job.checkpoint = g_strdup ("0");
          job.to_checkpoint = g_strdup ("last");
          job.one_d = TRUE;
        }
      g_assert_true (relief_surface_job_run (&job, &cb, NULL, &s, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (s->direction_kind, ==, relief_enum_to_nick (RELIEF_TYPE_DIRECTION_KIND, kinds[k]));
      g_assert_cmpstr (s->run_file, ==, run_path);
      g_assert_cmpint (s->nx, ==, 4);
      g_assert_cmpint (s->ny, ==, kinds[k] == RELIEF_DIRECTIONS_LINE ? 1 : 3);
      g_assert_cmpint (counts.cells, ==, s->nx * s->ny);
      g_assert_cmpint (counts.estimates, ==, 1);
      g_assert_false (counts.cell_before_estimate);
      g_assert_cmpfloat (counts.estimate.flops, >, 0);
      if (kinds[k] == RELIEF_DIRECTIONS_RANDOM)
        random_estimate = counts.estimate;
      assert_all_finite (s);
      if (kinds[k] != RELIEF_DIRECTIONS_HESSIAN && kinds[k] != RELIEF_DIRECTIONS_HESSIAN_MIN)
        {
          g_assert_true (isnan (s->x_eigenvalue));
          g_assert_true (isnan (s->y_eigenvalue));
        }
      g_assert_nonnull (s->xdir);
      if (kinds[k] == RELIEF_DIRECTIONS_RANDOM)
        g_assert_cmpstr (s->normalization, ==, "filter");
      else if (kinds[k] == RELIEF_DIRECTIONS_PCA)
        {
          g_assert_cmpint (s->n_proj, ==, relief_loaded_run_get_run (run)->n_snapshots);
          g_assert_nonnull (s->ydir);
        }
      else if (kinds[k] == RELIEF_DIRECTIONS_LINE)
        {
          g_assert_null (s->ydir);
          g_assert_cmpint (s->to_checkpoint, ==, relief_loaded_run_get_run (run)->n_snapshots - 1);
        }
      else
        {
          /* Eigenvectors of the Hessian, in parameter units (test-curvature-tracking
           * checks them against the dense Hessian). */
          const ReliefRun *r = relief_loaded_run_get_run (run);
          const float *center = r->params + (gsize) (r->n_snapshots - 1) * r->n_params;
          double D = (double) r->n_params, lx = rayleigh_quotient (r, center, s->xdir),
                 ly = rayleigh_quotient (r, center, s->ydir);

          g_assert_nonnull (s->ydir);
          g_assert_cmpstr (s->normalization, ==, "none");
          g_test_message ("%s: x_eigenvalue %.6g (v^T H v %.6g), y_eigenvalue %.6g (%.6g); estimate %.4g flops, "
                          "%.4g bytes (random: %.4g, %.4g)", s->direction_kind, s->x_eigenvalue, lx, s->y_eigenvalue,
                          ly, counts.estimate.flops, counts.estimate.bytes, random_estimate.flops,
                          random_estimate.bytes);
          g_assert_cmpfloat_with_epsilon (s->x_eigenvalue, lx, 1e-4 * fabs (lx));
          g_assert_cmpfloat_with_epsilon (s->y_eigenvalue, ly, 1e-4 * fabs (lx));
          g_assert_cmpfloat (s->x_eigenvalue, >, s->y_eigenvalue);
          /* Lanczos's products at most (one per step, one per pair's residual: two pairs
           * for either kind), and its basis of one vector per step */
          g_assert_cmpfloat_with_epsilon (counts.estimate.flops - random_estimate.flops,
                                          (MIN (300, D) + 2) * relief_job_hvp_flops (r->spec, r->dataset->n_train),
                                          1e-9 * counts.estimate.flops);
          g_assert_cmpfloat (counts.estimate.bytes - random_estimate.bytes, >=, 4.0 * D * MIN (300, D));
        }
    }
  g_assert_cmpuint (files_in (f->dir), ==, 0);
  g_assert_cmpuint (files_in (run_dir), ==, 1);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
}

/* A PCA plane fitted to its trajectory: the whole path and the centre inside the grid,
 * with a margin of 10 to 20% of the path's extent on each side; the counts kept. */
static void
test_surface_pca_fit (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLoadedRun) run = relief_loaded_run_load (run_path, &error);
  g_auto(ReliefSurfaceJob) job = { 0 };
  g_autoptr(ReliefSurface) s = NULL;
  double lo[2] = { 0, 0 }, hi[2] = { 0, 0 };

  g_assert_no_error (error);
  surface_job_init (&job, run, RELIEF_DIRECTIONS_PCA);
  job.x = (ReliefGridAxis) { -1e-6, 1e-6, 5 };   /* far too small for the path */
  job.fit_path = TRUE;
  g_assert_true (relief_surface_job_run (&job, NULL, NULL, &s, &error));
  g_assert_no_error (error);
  g_assert_cmpint (s->nx, ==, 5);
  g_assert_cmpint (s->ny, ==, job.y.count);
  for (int i = 0; i < s->n_proj; i++)
    {
      lo[0] = MIN (lo[0], s->proj_xcoord[i]);
      hi[0] = MAX (hi[0], s->proj_xcoord[i]);
      lo[1] = MIN (lo[1], s->proj_ycoord[i]);
      hi[1] = MAX (hi[1], s->proj_ycoord[i]);
    }
  for (int a = 0; a < 2; a++)
    {
      const double *c = a == 0 ? s->xcoords : s->ycoords;
      int n = a == 0 ? s->nx : s->ny;
      double extent = hi[a] - lo[a];

      g_assert_cmpfloat (extent, >, 0);
      g_assert_cmpfloat (c[0], <=, lo[a] - 0.1 * extent);
      g_assert_cmpfloat (c[0], >=, lo[a] - 0.2 * extent);
      g_assert_cmpfloat (c[n - 1], >=, hi[a] + 0.1 * extent);
      g_assert_cmpfloat (c[n - 1], <=, hi[a] + 0.2 * extent);
    }
  /* Without fit_path the ranges asked for stand. */
  job.fit_path = FALSE;
  g_clear_pointer (&s, relief_surface_free);
  g_assert_true (relief_surface_job_run (&job, NULL, NULL, &s, &error));
  g_assert_cmpfloat (s->xcoords[0], ==, -1e-6);
  g_assert_cmpfloat (s->xcoords[4], ==, 1e-6);
}

/* A file of the same surface with cells missing continues: only those are computed, and
 * they equal an uninterrupted run's.  Another surface in the file is refused untouched. */
static void
test_surface_resume (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLoadedRun) run = relief_loaded_run_load (run_path, &error);
  g_autofree char *path = g_build_filename (f->dir, "surface.h5", NULL);
  g_autofree char *before = NULL, *after = NULL;
  g_auto(ReliefSurfaceJob) job = { 0 };
  g_autoptr(ReliefSurface) full = NULL, partial = NULL, resumed = NULL;
  int cells = 0;
  ReliefSurfaceJobCallbacks cb = { .cell = count_cell, .user_data = &cells };

  g_assert_no_error (error);
  surface_job_init (&job, run, RELIEF_DIRECTIONS_RANDOM);
  job.seed = 5;
  g_assert_true (relief_surface_job_run (&job, NULL, NULL, &full, &error));
  g_assert_no_error (error);

  /* The same surface, interrupted: every other cell missing. */
  for (int i = 0; i < full->nx * full->ny; i += 2)
    full->train_loss[i] = full->train_acc[i] = full->test_loss[i] = full->test_acc[i] = NAN;
  g_assert_true (relief_surface_save (full, path, &error));
  g_clear_pointer (&full, relief_surface_free);
  g_assert_true (relief_surface_job_run (&job, NULL, NULL, &full, &error));

  job.output = g_strdup (path);
  job.resume = TRUE;
  g_assert_true (relief_surface_job_run (&job, &cb, NULL, &resumed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cells, ==, (full->nx * full->ny + 1) / 2);
  g_assert_cmpmem (resumed->train_loss, 12 * sizeof (double), full->train_loss, 12 * sizeof (double));
  g_assert_cmpmem (resumed->test_acc, 12 * sizeof (double), full->test_acc, 12 * sizeof (double));
  partial = relief_surface_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (partial->train_loss, 12 * sizeof (double), full->train_loss, 12 * sizeof (double));

  /* Other directions (another seed): refused, the file left as it was. */
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  job.seed = 6;
  g_clear_pointer (&resumed, relief_surface_free);
  g_assert_false (relief_surface_job_run (&job, NULL, NULL, &resumed, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (resumed);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (files_in (f->dir), ==, 1);
}

typedef struct {
  const char *path;
  int         cells;
  int         saved_cells;   /* computed cells in the output when the first cell came */
} SaveWatch;

static void
watch_cell (int ix, int iy, double loss, double acc, gpointer user_data)
{
  SaveWatch *w = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefSurface) saved = NULL;

  if (w->cells++ > 0)
    return;
  saved = relief_surface_load (w->path, &error);
  g_assert_no_error (error);
  for (int c = 0; c < saved->nx * saved->ny; c++)
    w->saved_cells += !isnan (saved->train_loss[c]);
}

/* While it computes, a surface job writes the cells done so far to its output when its
 * save clock is due: at once here (RELIEF_SAVE_SECONDS tiny), so the file holds the first
 * cell when that cell is reported, and only it. */
static void
test_surface_saves_while_computing (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLoadedRun) run = relief_loaded_run_load (run_path, &error);
  g_autofree char *path = g_build_filename (f->dir, "saving.h5", NULL);
  g_auto(ReliefSurfaceJob) job = { 0 };
  g_autoptr(ReliefSurface) s = NULL;
  SaveWatch watch = { path, 0, 0 };
  ReliefSurfaceJobCallbacks cb = { .cell = watch_cell, .user_data = &watch };

  g_assert_no_error (error);
  surface_job_init (&job, run, RELIEF_DIRECTIONS_RANDOM);
  job.output = g_strdup (path);
  g_setenv ("RELIEF_SAVE_SECONDS", "1e-9", TRUE);
  g_assert_true (relief_surface_job_run (&job, &cb, NULL, &s, &error));
  g_unsetenv ("RELIEF_SAVE_SECONDS");
  g_assert_no_error (error);
  g_assert_cmpint (watch.cells, ==, 12);
  g_assert_cmpint (watch.saved_cells, ==, 1);
  g_assert_cmpuint (files_in (f->dir), ==, 1);
}

typedef struct {
  const char *path;
  int         rows;
  gboolean    checked;
} TrainWatch;

static void
watch_row (const ReliefTrainMetrics *m, gpointer user_data)
{
  TrainWatch *w = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRun) saved = NULL;

  w->rows++;
  if (m->step < 10 || w->checked)
    return;
  saved = relief_run_load (w->path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (saved->status, ==, "running");
  g_assert_true (saved->resumable);
  g_assert_cmpint (saved->n_metrics, >=, 1);
  g_assert_cmpint (saved->n_metrics, <, w->rows);
  w->checked = TRUE;
}

/* A training job writes the run so far and its state to the output while it trains; the
 * file it ends with is the whole run, without the state. */
static void
test_train_saves_while_training (Fixture *f, gconstpointer data)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRun) run = NULL;
  g_autofree char *path = g_build_filename (f->dir, "saving-run.h5", NULL);
  TrainWatch watch = { path, 0, FALSE };
  ReliefTrainJobCallbacks cb = { .metrics = watch_row, .user_data = &watch };
  ReliefTrainStatus status;

  relief_train_job_init_defaults (&job);
  job.train.epochs = 2;
  job.backend = RELIEF_BACKEND_CPU;
  job.output = g_strdup (path);
  g_setenv ("RELIEF_SAVE_SECONDS", "1e-9", TRUE);
  g_assert_true (relief_train_job_run (&job, &cb, NULL, &status, &error));
  g_unsetenv ("RELIEF_SAVE_SECONDS");
  g_assert_no_error (error);
  g_assert_true (watch.checked);
  run = relief_run_load (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (run->status, ==, "completed");
  g_assert_false (run->resumable);
  g_assert_cmpint (run->n_metrics, ==, watch.rows);
  g_assert_cmpuint (files_in (f->dir), ==, 1);
}

static void
intdim_job_init (ReliefIntdimJob *job, const char *output)
{
  static const gint64 dims[] = { 2, 8 };

  memset (job, 0, sizeof *job);
  relief_train_job_init_defaults (&job->base);
  g_free (job->base.dataset);
  job->base.dataset = g_strdup ("gaussians");
  relief_generator_defaults ("gaussians", &job->base.gen);
  job->base.gen.n_samples = 200;
  job->base.gen.noise = 0.3;
  job->base.gen.n_classes = 4;
  job->base.activation = RELIEF_ACT_TANH;
  job->base.train.optimizer.momentum = 0.8f;
  job->base.train.epochs = 2;
  job->base.hidden[0] = job->base.hidden[1] = 6;
  job->base.backend = RELIEF_BACKEND_CPU;
  job->base.output = g_strdup (output);
  job->projection = RELIEF_PROJECTION_DENSE;
  job->dims = g_memdup2 (dims, sizeof dims);
  job->K = G_N_ELEMENTS (dims);
  job->n_seeds = 1;
  job->global_baseline = 1.0;
}

/* A sweep records its settings; run again it trains nothing, a missing cell is trained
 * alone, and other settings on the same file are refused. */
static void
test_intdim_resume (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "intdim.h5", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefIntdim) result = NULL, stored = NULL;
  ReliefIntdimJob job;
  int cells_run = -1;

  intdim_job_init (&job, path);
  g_assert_true (relief_intdim_job_run (&job, NULL, NULL, &cells_run, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cells_run, ==, 3);
  stored = relief_intdim_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (stored->has_gen);
  g_assert_cmpfloat (stored->gen.noise, ==, 0.3);
  g_assert_cmpint (stored->gen.n_classes, ==, 4);
  g_assert_cmpint (stored->spec->activation, ==, RELIEF_ACT_TANH);
  g_assert_cmpfloat (stored->config.optimizer.momentum, ==, 0.8f);

  g_clear_pointer (&result, relief_intdim_free);
  g_assert_true (relief_intdim_job_run (&job, NULL, NULL, &cells_run, &result, &error));
  g_assert_cmpint (cells_run, ==, 0);

  stored->train_acc[1] = stored->test_acc[1] = stored->final_loss[1] = NAN;
  g_assert_true (relief_intdim_save (stored, path, &error));
  g_clear_pointer (&result, relief_intdim_free);
  g_assert_true (relief_intdim_job_run (&job, NULL, NULL, &cells_run, &result, &error));
  g_assert_cmpint (cells_run, ==, 1);
  g_assert_true (isfinite (result->test_acc[1]));

  /* Fewer samples of the same data are other data. */
  job.base.max_samples = 50;
  g_clear_pointer (&result, relief_intdim_free);
  g_assert_false (relief_intdim_job_run (&job, NULL, NULL, &cells_run, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "other data"));
  g_clear_error (&error);
  job.base.max_samples = 0;

  job.base.train.optimizer.momentum = 0.5f;
  g_assert_false (relief_intdim_job_run (&job, NULL, NULL, &cells_run, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "other settings"));
  relief_intdim_job_clear (&job);
}

/* The map at a point of a surface is compute's grid prediction at center + x xdir + y ydir. */
static void
test_decision (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLoadedRun) run = relief_loaded_run_load (run_path, &error);
  const ReliefRun *r = relief_loaded_run_get_run (run);
  g_auto(ReliefSurfaceJob) surface_job = { 0 };
  g_autoptr(ReliefSurface) surface = NULL;
  g_autoptr(ReliefDecisionMap) map = NULL, whole = NULL;
  g_autoptr(ReliefBackend) backend = relief_backend_new ("cpu", NULL);
  g_autofree float *params = g_new (float, r->n_params);
  g_autofree int *classes = g_new (int, 30 * 20);
  g_autofree float *confidence = g_new (float, 30 * 20);
  const float *center;
  ReliefDecisionJob job;

  g_assert_no_error (error);
  surface_job_init (&surface_job, run, RELIEF_DIRECTIONS_RANDOM);
  g_assert_true (relief_surface_job_run (&surface_job, NULL, NULL, &surface, &error));

  relief_decision_job_init_defaults (&job);
  job.run = relief_loaded_run_ref (run);
  job.backend = RELIEF_BACKEND_CPU;
  job.plane_x = (ReliefGridAxis) { -2, 3, 30 };
  job.plane_y = (ReliefGridAxis) { -1, 1.5, 20 };
  g_assert_true (relief_decision_job_set_surface (&job, surface, 0.4, -0.3, &error));
  g_assert_true (relief_decision_job_run (&job, NULL, NULL, &map, &error));
  g_assert_no_error (error);

  center = r->params + (gsize) surface->checkpoint * r->n_params;
  for (gsize i = 0; i < r->n_params; i++)
    params[i] = center[i] + 0.4f * surface->xdir[i] + -0.3f * surface->ydir[i];
  g_assert_true (relief_mlp_predict_grid (backend, r->spec, params, -2, 3, -1, 1.5, 30, 20, classes, confidence,
                                          &error));
  g_assert_cmpint (map->nx, ==, 30);
  g_assert_cmpint (map->ny, ==, 20);
  g_assert_cmpfloat (map->xmin, ==, -2);
  g_assert_cmpfloat (map->ymax, ==, 1.5);
  g_assert_cmpmem (map->classes, 600 * sizeof (int), classes, 600 * sizeof (int));
  g_assert_cmpmem (map->confidence, 600 * sizeof (float), confidence, 600 * sizeof (float));
  g_assert_cmpint (map->n_samples, ==, r->dataset->n_train);
  g_assert_cmpmem (map->labels, map->n_samples * sizeof (gint32), r->dataset->y_train,
                   r->dataset->n_train * sizeof (gint32));

  /* By default the plane holds every training sample. */
  job.plane_x.count = job.plane_y.count = 0;
  g_assert_true (relief_decision_job_run (&job, NULL, NULL, &whole, &error));
  g_assert_cmpint (whole->nx, ==, RELIEF_DECISION_RESOLUTION);
  for (int i = 0; i < whole->n_samples; i++)
    {
      g_assert_cmpfloat (whole->samples[2 * i], >, whole->xmin);
      g_assert_cmpfloat (whole->samples[2 * i], <, whole->xmax);
      g_assert_cmpfloat (whole->samples[2 * i + 1], >, whole->ymin);
      g_assert_cmpfloat (whole->samples[2 * i + 1], <, whole->ymax);
    }
  relief_decision_job_clear (&job);
  g_assert_cmpuint (files_in (f->dir), ==, 0);
}

/* A model of three inputs has no input plane to draw. */
static void
test_decision_needs_two_inputs (Fixture *f, gconstpointer data)
{
  g_autofree char *csv = g_build_filename (f->dir, "three.csv", NULL);
  g_autofree char *path = g_build_filename (f->dir, "three.h5", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLoadedRun) run = NULL;
  g_autoptr(ReliefDecisionMap) map = NULL;
  g_auto(ReliefTrainJob) train = { 0 };
  ReliefDecisionJob job;

  g_assert_true (g_file_set_contents (csv, "a,b,c,label\n0,1,2,0\n1,0,2,1\n1,1,0,0\n0,0,1,1\n2,1,1,0\n", -1, NULL));
  relief_train_job_init_defaults (&train);
  g_free (train.dataset);
  train.dataset = g_strdup (csv);
  train.train.epochs = 1;
  train.backend = RELIEF_BACKEND_CPU;
  train.output = g_strdup (path);
  g_assert_true (relief_train_job_run (&train, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  run = relief_loaded_run_load (path, &error);
  g_assert_no_error (error);
  relief_decision_job_init_defaults (&job);
  job.run = relief_loaded_run_ref (run);
  g_assert_false (relief_decision_job_run (&job, NULL, NULL, &map, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_null (map);
  relief_decision_job_clear (&job);
}

static void
record_fraction (double fraction, gpointer user_data)
{
  GArray *fractions = user_data;

  g_array_append_val (fractions, fraction);
}

static void
cancel_on_progress (double fraction, gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

/* The spectra of a checkpoint are compute's of its parameters, the trajectory holds every
 * snapshot's top singular values, progress rises to 1, and a cancel stops it. */
static void
test_weights (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLoadedRun) run = relief_loaded_run_load_parameters (run_path, &error);
  const ReliefRun *r = relief_loaded_run_get_run (run);
  g_autoptr(ReliefWeights) first = NULL, all = NULL, none = NULL;
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ReliefWeightsJobCallbacks cb = { record_fraction, fractions };
  ReliefLayerSpectrum spectra[3];
  ReliefWeightsJob job;

  g_assert_no_error (error);
  g_assert_null (r->dataset);
  relief_weights_job_init_defaults (&job);
  job.run = relief_loaded_run_ref (run);
  job.checkpoint = 1;
  g_assert_true (relief_weights_job_run (&job, NULL, NULL, &first, &error));
  g_assert_no_error (error);
  g_assert_cmpint (first->checkpoint, ==, 1);
  g_assert_cmpint (first->checkpoint_step, ==, r->snapshot_step[1]);
  g_assert_cmpstr (first->run_file, ==, run_path);
  g_assert_cmpint (first->n_snapshots, ==, 0);
  g_assert_true (relief_weight_spectra (r->spec, r->params + r->n_params, spectra, &error));
  for (int l = 0; l < 3; l++)
    {
      g_assert_cmpmem (first->layers[l].singular_values, spectra[l].n * sizeof (double), spectra[l].singular_values,
                       spectra[l].n * sizeof (double));
      g_assert_cmpfloat (first->layers[l].fit.alpha, ==, spectra[l].fit.alpha);
      relief_layer_spectrum_clear (&spectra[l]);
    }

  job.checkpoint = -1;
  job.trajectory = TRUE;
  g_assert_true (relief_weights_job_run (&job, &cb, NULL, &all, &error));
  g_assert_cmpint (all->checkpoint, ==, r->n_snapshots - 1);
  g_assert_cmpint (all->n_snapshots, ==, r->n_snapshots);
  for (int t = 0; t < r->n_snapshots; t++)
    {
      double top[3];

      g_assert_true (relief_weight_top_singular_values (r->spec, r->params + (gsize) t * r->n_params, top, &error));
      g_assert_cmpint (all->snapshot_step[t], ==, r->snapshot_step[t]);
      g_assert_cmpmem (all->top_singular_values + 3 * t, sizeof top, top, sizeof top);
    }
  for (int l = 0; l < 3; l++)
    g_assert_cmpfloat (all->top_singular_values[3 * (r->n_snapshots - 1) + l], ==,
                       all->layers[l].singular_values[0]);
  g_assert_cmpuint (fractions->len, ==, 3 + r->n_snapshots);
  for (guint i = 1; i < fractions->len; i++)
    g_assert_cmpfloat (g_array_index (fractions, double, i), >, g_array_index (fractions, double, i - 1));
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);

  /* A cancel while it works (after the first matrix) stops it at the next. */
  cb = (ReliefWeightsJobCallbacks) { cancel_on_progress, cancellable };
  g_assert_false (relief_weights_job_run (&job, &cb, cancellable, &none, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (none);
  g_clear_error (&error);
  job.checkpoint = r->n_snapshots;
  g_assert_false (relief_weights_job_run (&job, NULL, NULL, &none, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  relief_weights_job_clear (&job);
  g_assert_cmpuint (files_in (f->dir), ==, 0);
}

/* Live curves stay bounded however many points arrive, keep the first and last x, and
 * keep each curve's extremes (a spike among a million points is still drawn); a curve of
 * NaN does not hide the other. */
static void
test_live_curves_bounded (void)
{
  g_autoptr(ReliefLiveCurves) curves = relief_live_curves_new (2, 64);
  double lo = INFINITY, hi = -INFINITY;
  const double *x, *v, *missing;
  guint n = 0;

  for (int i = 0; i < 1000000; i++)
    {
      double values[2] = { i == 777777 ? 50.0 : i == 123456 ? -50.0 : sin (i * 0.001), NAN };

      relief_live_curves_add (curves, i, values);
      if (i % 99991 == 0)
        {
          relief_live_curves_get_x (curves, &n);
          g_assert_cmpuint (n, <=, 128);
        }
    }
  g_assert_cmpuint (relief_live_curves_get_n_added (curves), ==, 1000000);
  x = relief_live_curves_get_x (curves, &n);
  v = relief_live_curves_get_values (curves, 0);
  missing = relief_live_curves_get_values (curves, 1);
  g_assert_cmpuint (n, >, 64);
  g_assert_cmpuint (n, <=, 128);
  g_assert_cmpfloat (x[0], ==, 0);
  g_assert_cmpfloat (x[n - 1], ==, 999999);
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (i == 0 || x[i] >= x[i - 1]);
      lo = MIN (lo, v[i]);
      hi = MAX (hi, v[i]);
      g_assert_true (isnan (missing[i]));
    }
  g_assert_cmpfloat (lo, ==, -50.0);
  g_assert_cmpfloat (hi, ==, 50.0);

  relief_live_curves_clear (curves);
  relief_live_curves_get_x (curves, &n);
  g_assert_cmpuint (n, ==, 0);
}

static void
small_job (ReliefTrainJob *job)
{
  relief_train_job_init_defaults (job);
  job->gen.n_samples = 100;
  job->hidden[0] = job->hidden[1] = 4;
  job->train.epochs = 2;
  job->backend = RELIEF_BACKEND_CPU;
}

/* A run in the runs folder is found again by a job of the same settings, and by no job
 * that differs in its samples, model, training or backend; nor when it did not complete. */
static void
test_train_find_run (void)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *stem = NULL, *found_path = NULL;
  g_autoptr(ReliefRun) found = NULL;
  ReliefTrainStatus status;

  small_job (&job);
  stem = relief_train_job_stem (&job);
  g_assert_cmpstr (stem, ==, "spiral-4-4-relu");
  /* Nothing trained yet. */
  g_assert_null (relief_train_job_find_run (&job, &found_path, &error));
  g_assert_no_error (error);
  g_assert_null (found_path);

  job.output = relief_work_dir_new_path (RELIEF_FILE_KIND_RUN, stem, &error);
  g_assert_no_error (error);
  g_assert_true (relief_train_job_run (&job, NULL, NULL, &status, &error));
  g_assert_cmpint (status, ==, RELIEF_TRAIN_COMPLETED);

  found = relief_train_job_find_run (&job, &found_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (found_path, ==, job.output);
  g_assert_cmpint (found->n_metrics, >, 0);
  g_clear_pointer (&found, relief_run_free);
  g_clear_pointer (&found_path, g_free);
  /* auto takes a run of any backend. */
  job.backend = RELIEF_BACKEND_AUTO;
  found = relief_train_job_find_run (&job, &found_path, &error);
  g_assert_nonnull (found);
  g_clear_pointer (&found, relief_run_free);
  g_clear_pointer (&found_path, g_free);

  for (int change = 0; change < 7; change++)
    {
      g_auto(ReliefTrainJob) other = { 0 };
      g_autofree char *path = NULL;
      g_autoptr(ReliefRun) run = NULL;

      small_job (&other);
      switch (change)
        {
        case 0: other.gen.noise += 0.01; break;       /* other samples, same counts */
        case 1: other.gen.n_samples = 120; break;
        case 2: other.train.optimizer.lr *= 2; break;
        case 3: other.train.seed = 1; break;
        case 4: other.train.epochs = 3; break;
        case 5: other.activation = RELIEF_ACT_TANH; break;
        case 6: other.backend = RELIEF_BACKEND_CUDA; break;
        }
      run = relief_train_job_find_run (&other, &path, &error);
      g_assert_no_error (error);
      g_assert_null (run);
      g_assert_null (path);
    }

  /* A cancelled run is not the training asked for. */
  {
    g_autoptr(GCancellable) cancelled = g_cancellable_new ();
    g_autofree char *old = g_strdup (job.output);

    g_assert_cmpint (g_unlink (old), ==, 0);
    g_free (job.output);
    job.output = relief_work_dir_new_path (RELIEF_FILE_KIND_RUN, stem, &error);
    g_cancellable_cancel (cancelled);
    g_assert_true (relief_train_job_run (&job, NULL, cancelled, &status, &error));
    g_assert_cmpint (status, ==, RELIEF_TRAIN_CANCELLED);
    g_assert_true (g_file_test (job.output, G_FILE_TEST_IS_REGULAR));
    found = relief_train_job_find_run (&job, &found_path, &error);
    g_assert_no_error (error);
    g_assert_null (found);
  }
}

typedef struct {
  ReliefTrainJob   *train;
  ReliefSurfaceJob *surface;
  ReliefIntdimJob  *intdim;
  gboolean          ok[3];
  GError           *error[3];
} OtherJobs;

/* The three jobs in turn on a thread of their own, as the window's worker runs them. */
static gpointer
run_other_jobs (gpointer data)
{
  OtherJobs *o = data;
  ReliefTrainStatus status;
  g_autoptr(ReliefSurface) surface = NULL;
  g_autoptr(ReliefIntdim) sweep = NULL;
  int cells = 0;

  o->ok[0] = relief_train_job_run (o->train, NULL, NULL, &status, &o->error[0]);
  o->ok[1] = relief_surface_job_run (o->surface, NULL, NULL, &surface, &o->error[1]);
  o->ok[2] = relief_intdim_job_run (o->intdim, NULL, NULL, &cells, &sweep, &o->error[2]);
  return NULL;
}

/* A file one job writes (here this thread holds the locks) another job refuses before any
 * work, whatever the kind; once free, they write it. */
static void
test_one_writer (Fixture *f, gconstpointer data)
{
  const char *names[3] = { "run.h5", "surface.h5", "sweep.h5" };
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLoadedRun) run = relief_loaded_run_load (run_path, &error);
  g_auto(ReliefTrainJob) train = { 0 };
  g_auto(ReliefSurfaceJob) surface = { 0 };
  g_auto(ReliefIntdimJob) intdim = { 0 };
  OtherJobs o = { &train, &surface, &intdim };
  ReliefOutputLock *locks[3];
  char *paths[3];

  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    paths[i] = g_build_filename (f->dir, names[i], NULL);
  relief_train_job_init_defaults (&train);
  train.train.epochs = 1;
  train.backend = RELIEF_BACKEND_CPU;
  train.output = g_strdup (paths[0]);
  surface_job_init (&surface, run, RELIEF_DIRECTIONS_RANDOM);
  surface.output = g_strdup (paths[1]);
  intdim_job_init (&intdim, paths[2]);

  for (int i = 0; i < 3; i++)
    {
      locks[i] = relief_output_lock (paths[i], &error);
      g_assert_no_error (error);
    }
  g_thread_join (g_thread_new ("other-jobs", run_other_jobs, &o));
  for (int i = 0; i < 3; i++)
    {
      g_assert_false (o.ok[i]);
      g_assert_error (o.error[i], RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_BUSY);
      g_assert_nonnull (strstr (o.error[i]->message, "another job of this process"));
      g_clear_error (&o.error[i]);
      g_assert_false (g_file_test (paths[i], G_FILE_TEST_EXISTS));
      relief_output_unlock (locks[i]);
    }

  g_thread_join (g_thread_new ("other-jobs", run_other_jobs, &o));
  for (int i = 0; i < 3; i++)
    {
      g_assert_no_error (o.error[i]);
      g_assert_true (o.ok[i]);
      g_assert_true (g_file_test (paths[i], G_FILE_TEST_IS_REGULAR));
      g_free (paths[i]);
    }
}

typedef struct {
  int           calls;
  double        last;
  gboolean      monotone;
  int           estimates;
  int           cancel_after;    /* cancel at this call; 0: never */
  GCancellable *cancellable;
} HessianProgress;

static void
on_hessian_progress (double fraction, gpointer user_data)
{
  HessianProgress *p = user_data;

  p->monotone = p->monotone && fraction >= p->last && fraction <= 1;
  p->last = fraction;
  if (++p->calls == p->cancel_after)
    g_cancellable_cancel (p->cancellable);
}

static void
on_hessian_estimate (const ReliefJobEstimate *estimate, gpointer user_data)
{
  HessianProgress *p = user_data;

  g_assert_cmpfloat (estimate->bytes, >, 0);
  g_assert_cmpfloat (estimate->flops, >, 0);
  g_assert_cmpstr (estimate->backend, ==, "cpu");
  p->estimates++;
}

typedef struct {
  const ReliefHessianJob          *job;
  const ReliefHessianJobCallbacks *cb;
  gboolean                         ok;
  GError                          *error;
} HessianThread;

static gpointer
run_hessian_job (gpointer data)
{
  HessianThread *t = data;

  t->ok = relief_hessian_job_run (t->job, t->cb, NULL, NULL, &t->error);
  return NULL;
}

/* The hessian job writes what it hands over, bit for bit, with progress up to 1 and one
 * estimate before the work; a cancel midway leaves an existing output as it was; a locked
 * output is refused before any product; power iteration cannot give the smallest. */
static void
test_hessian_job (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLoadedRun) run = relief_loaded_run_load (run_path, &error);
  g_autofree char *path = g_build_filename (f->dir, "hessian.h5", NULL);
  g_autoptr(ReliefHessianSpectrum) result = NULL, back = NULL;
  g_auto(ReliefHessianJob) job = { 0 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  HessianProgress progress = { 0, 0, TRUE, 0, 0, cancellable };
  ReliefHessianJobCallbacks cb = { on_hessian_progress, on_hessian_estimate, NULL, &progress };
  g_autofree char *contents = NULL;
  gsize length;
  ReliefOutputLock *lock;

  g_assert_no_error (error);
  relief_hessian_job_init_defaults (&job);
  job.run = relief_loaded_run_ref (run);
  job.top_k = 2;
  job.smallest = TRUE;
  job.trace = TRUE;
  job.density = TRUE;
  job.slq.n_starts = 3;
  job.slq.n_steps = 20;
  job.seed = 5;
  job.backend = RELIEF_BACKEND_CPU;
  job.output = g_strdup (path);
  g_assert_true (relief_hessian_job_run (&job, &cb, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_true (progress.monotone);
  g_assert_cmpfloat (progress.last, ==, 1.0);
  g_assert_cmpint (progress.estimates, ==, 1);
  back = relief_hessian_spectrum_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->n_samples, ==, relief_loaded_run_get_run (run)->dataset->n_train);
  g_assert_cmpint (back->largest.n, ==, 2);
  g_assert_cmpint (back->smallest.n, ==, 2);
  g_assert_cmpmem (back->largest.values, 2 * sizeof (double), result->largest.values, 2 * sizeof (double));
  g_assert_cmpmem (back->largest.vectors, 2 * back->n_params * sizeof (float), result->largest.vectors,
                   2 * result->n_params * sizeof (float));
  g_assert_cmpmem (back->smallest.values, 2 * sizeof (double), result->smallest.values, 2 * sizeof (double));
  g_assert_cmpfloat (back->trace, ==, result->trace);
  g_assert_cmpint (back->n_grid, ==, result->n_grid);
  g_assert_cmpmem (back->density, back->n_grid * sizeof (double), result->density, result->n_grid * sizeof (double));
  g_assert_cmpuint (back->seed, ==, 5);

  /* Cancelled at the tenth product: the file from before stays, bit for bit. */
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  progress = (HessianProgress) { 0, 0, TRUE, 0, 10, cancellable };
  g_assert_false (relief_hessian_job_run (&job, &cb, cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  {
    g_autofree char *after = NULL;
    gsize after_length;

    g_assert_true (g_file_get_contents (path, &after, &after_length, NULL));
    g_assert_cmpmem (after, after_length, contents, length);
    g_assert_cmpint (progress.calls, >=, 10);
  }

  /* Locked by this thread, the output is refused to the job on another, before any work. */
  lock = relief_output_lock (path, &error);
  g_assert_no_error (error);
  {
    HessianThread t = { &job, &cb, FALSE, NULL };

    progress = (HessianProgress) { 0, 0, TRUE, 0, 0, NULL };
    g_thread_join (g_thread_new ("hessian", run_hessian_job, &t));
    g_assert_false (t.ok);
    g_assert_error (t.error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_BUSY);
    g_clear_error (&t.error);
    g_assert_cmpint (progress.calls, ==, 0);
    g_assert_cmpint (progress.estimates, ==, 0);
  }
  relief_output_unlock (lock);

  job.power = TRUE;
  progress = (HessianProgress) { 0, 0, TRUE, 0, 0, NULL };
  g_assert_false (relief_hessian_job_run (&job, &cb, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (progress.calls, ==, 0);
}

typedef struct {
  GCancellable *cancellable;
  int           checkpoints;
  int           cancel_after;
} RegionsProgress;

static void
on_regions_checkpoint (int checkpoint, const ReliefRegions *regions, gpointer user_data)
{
  RegionsProgress *p = user_data;

  if (++p->checkpoints == p->cancel_after)
    g_cancellable_cancel (p->cancellable);
}

/* Every checkpoint's partition of the input plane is compute's on the rectangle the data
 * spans with a 10% margin; the plane through samples defaults to the first of each class
 * (a second of class 0 for two classes); a cancel keeps the checkpoints done in a complete
 * file, and a cancel before the first writes none. */
static void
test_regions (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLoadedRun) loaded = relief_loaded_run_load (run_path, &error);
  const ReliefRun *run = relief_loaded_run_get_run (loaded);
  const ReliefDataset *ds = run->dataset;
  g_autofree char *path = g_build_filename (f->dir, "regions.h5", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(ReliefRegionsJob) job = { 0 };
  g_autoptr(ReliefRegionsFile) rf = NULL, back = NULL;
  RegionsProgress progress = { cancellable, 0, 0 };
  ReliefRegionsJobCallbacks cb = { .checkpoint = on_regions_checkpoint, .user_data = &progress };
  double lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
  int samples[3];

  g_assert_no_error (error);
  g_assert_cmpint (run->n_snapshots, >=, 3);
  relief_regions_job_init_defaults (&job);
  job.run = relief_loaded_run_ref (loaded);
  g_free (job.checkpoint);
  job.checkpoint = g_strdup ("all");
  job.output = g_strdup (path);
  g_assert_true (relief_regions_job_run (&job, &cb, NULL, &rf, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rf->n_checkpoints, ==, run->n_snapshots);
  g_assert_cmpint (progress.checkpoints, ==, run->n_snapshots);
  for (int i = 0; i < ds->n_train + ds->n_test; i++)
    {
      const float *x = i < ds->n_train ? ds->x_train + 2 * i : ds->x_test + 2 * (i - ds->n_train);

      for (int k = 0; k < 2; k++)
        lo[k] = MIN (lo[k], x[k]), hi[k] = MAX (hi[k], x[k]);
    }
  g_assert_cmpfloat_with_epsilon (rf->plane->umin, lo[0] - 0.1 * (hi[0] - lo[0]), 1e-12);
  g_assert_cmpfloat_with_epsilon (rf->plane->umax, hi[0] + 0.1 * (hi[0] - lo[0]), 1e-12);
  g_assert_cmpfloat_with_epsilon (rf->plane->vmin, lo[1] - 0.1 * (hi[1] - lo[1]), 1e-12);
  g_assert_cmpfloat_with_epsilon (rf->plane->vmax, hi[1] + 0.1 * (hi[1] - lo[1]), 1e-12);
  back = relief_regions_file_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->n_checkpoints, ==, run->n_snapshots);
  for (int c = 0; c < run->n_snapshots; c++)
    {
      g_autoptr(ReliefRegions) direct = relief_regions_compute (run->spec, run->params + (gsize) c * run->n_params,
                                                                 rf->plane, 0, NULL, &error);
      const ReliefRegions *saved = back->checkpoints[c].regions;

      g_assert_no_error (error);
      g_assert_cmpint (back->checkpoints[c].checkpoint, ==, c);
      g_assert_cmpint (back->checkpoints[c].step, ==, run->snapshot_step[c]);
      g_assert_cmpint (saved->n_regions, ==, direct->n_regions);
      g_assert_cmpmem (saved->patterns, (gsize) saved->n_regions * saved->pattern_bytes, direct->patterns,
                       (gsize) direct->n_regions * direct->pattern_bytes);
      g_assert_cmpmem (saved->predicted, sizeof (gint32) * saved->n_regions, direct->predicted,
                       sizeof (gint32) * direct->n_regions);
    }
  g_clear_pointer (&back, relief_regions_file_free);

  /* Cancelled after the second checkpoint: the file holds the two, complete. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  progress = (RegionsProgress) { cancellable, 0, 2 };
  g_assert_false (relief_regions_job_run (&job, &cb, cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  back = relief_regions_file_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->n_checkpoints, ==, 2);
  g_assert_cmpint (back->checkpoints[1].checkpoint, ==, 1);
  g_clear_pointer (&back, relief_regions_file_free);
  /* Cancelled before any: nothing written. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_false (relief_regions_job_run (&job, &cb, cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* The default plane through samples: the first of class 0, of class 1, the second of 0. */
  job.plane = RELIEF_REGIONS_PLANE_SAMPLES;
  {
    g_autoptr(ReliefPlane) plane = relief_regions_job_plane (&job, NULL, samples, &error);
    int first0 = -1, second0 = -1, first1 = -1;

    g_assert_no_error (error);
    for (int i = 0; i < ds->n_train; i++)
      {
        if (ds->y_train[i] == 0 && first0 >= 0 && second0 < 0)
          second0 = i;
        if (ds->y_train[i] == 0 && first0 < 0)
          first0 = i;
        if (ds->y_train[i] == 1 && first1 < 0)
          first1 = i;
      }
    g_assert_cmpint (samples[0], ==, first0);
    g_assert_cmpint (samples[1], ==, first1);
    g_assert_cmpint (samples[2], ==, second0);
    g_assert_cmpfloat (plane->origin[0], ==, ds->x_train[2 * first0]);
    g_assert_cmpfloat_with_epsilon (plane->du[1], (double) ds->x_train[2 * first1 + 1] - ds->x_train[2 * first0 + 1],
                                    1e-12);
    g_assert_cmpfloat (plane->umin, ==, -RELIEF_REGIONS_SAMPLES_MARGIN);
  }
  /* Samples out of range or repeated are refused. */
  job.samples[0] = 0;
  job.samples[1] = 1;
  job.samples[2] = ds->n_train;
  g_assert_null (relief_regions_job_plane (&job, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  job.samples[2] = 1;
  g_assert_null (relief_regions_job_plane (&job, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* The race job on a rotated quadratic 0.5 p^T A p, A = R diag (1, kappa) R^T: gradient
 * descent's path is (I - lr A)^t p0, computed here; the file it writes holds the race it
 * hands over; a cancelled race writes nothing; the map's samples are the function's
 * values (Rosenbrock's, written out here). */
static void
test_race_job (Fixture *f, gconstpointer data)
{
  g_auto(ReliefRaceJob) job = { 0 };
  g_autoptr(ReliefRaceFile) race = NULL, back = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  double c = cos (0.7), s = sin (0.7), kappa = 6, lr;
  double a[4] = { c * c + kappa * s * s, c * s * (1 - kappa), c * s * (1 - kappa), s * s + kappa * c * c };
  double p[2] = { 1.5, -1 }, xs[3] = { -1, 0.5, 2 }, ys[2] = { -0.5, 1.5 }, z[6];

  relief_race_job_init_defaults (&job);
  job.function = g_strdup ("quadratic");
  job.kappa = kappa;
  job.theta = 0.7;
  job.n_racers = 1;
  job.racers = g_new0 (ReliefRacer, 1);
  g_assert_true (relief_racer_init (&job.racers[0], "gd", 0.3, &error));
  job.has_start = TRUE;
  job.x0 = 1.5;
  job.y0 = -1;
  job.n_steps = 30;
  job.output = g_build_filename (f->dir, "race.h5", NULL);
  g_assert_true (relief_race_job_run (&job, NULL, NULL, &race, &error));
  g_assert_no_error (error);
  lr = race->racers[0].lr;
  for (int t = 0; t <= 30; t++)
    {
      double q[2] = { p[0] - lr * (a[0] * p[0] + a[1] * p[1]), p[1] - lr * (a[2] * p[0] + a[3] * p[1]) };

      g_assert_cmpfloat (fabs (race->racers[0].path[2 * t] - p[0]), <, 1e-5);
      g_assert_cmpfloat (fabs (race->racers[0].path[2 * t + 1] - p[1]), <, 1e-5);
      p[0] = q[0];
      p[1] = q[1];
    }
  back = relief_race_file_load (job.output, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (back->racers[0].path, 62 * sizeof (double), race->racers[0].path, 62 * sizeof (double));
  g_assert_cmpfloat (back->theta, ==, 0.7);

  g_assert_cmpint (g_unlink (job.output), ==, 0);
  g_cancellable_cancel (cancellable);
  g_assert_false (relief_race_job_run (&job, NULL, cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (job.output, G_FILE_TEST_EXISTS));

  g_free (back->function);
  back->function = g_strdup ("rosenbrock");
  g_assert_true (relief_race_job_sample (back, 3, xs, 2, ys, z, NULL));
  for (int j = 0; j < 2; j++)
    for (int i = 0; i < 3; i++)
      g_assert_cmpfloat (fabs (z[j * 3 + i] - (pow (1 - xs[i], 2) + 100 * pow (ys[j] - xs[i] * xs[i], 2))), <,
                         1e-9);
}

/* ---- The live regions ---- */

typedef struct {
  ReliefRegionsLive *live;
  ReliefMlpSpec     *spec;
  ReliefPlane       *plane;
  float             *params;    /* [n_offers, n_params] */
  int                n_offers;
  GThread           *main_thread;
  int                ready_calls;
  gboolean           ready_elsewhere;
} LiveCase;

static void
live_ready (gpointer data)
{
  LiveCase *c = data;

  c->ready_calls++;
  c->ready_elsewhere |= g_thread_self () != c->main_thread;
}

/* A training's thread: every parameter set offered in a burst, as snapshots come. */
static gpointer
offer_all (gpointer data)
{
  LiveCase *c = data;
  gsize n = relief_mlp_spec_n_params (c->spec);

  for (int i = 0; i < c->n_offers; i++)
    relief_regions_live_offer (c->live, c->spec, c->params + (gsize) i * n, c->plane, i);
  return NULL;
}

static gboolean
live_idle (gpointer data)
{
  LiveCase *c = data;

  return relief_regions_live_is_idle (c->live) && c->ready_calls > 0;
}

/* Offers from another thread: one partition at a time, each offer computed or dropped for
 * a newer one, never both; the partition taken is the newest offer's, equal to
 * relief_regions_compute's; the owner hears on its own thread.  Off, offers are ignored. */
static void
test_regions_live (void)
{
  const int sizes[] = { 2, 16, 16, 2 };
  LiveCase c = { .n_offers = 40, .main_thread = g_thread_self () };
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(ReliefRegions) direct = NULL;
  g_autoptr(ReliefRegions) taken = NULL;
  g_autoptr(GError) error = NULL;
  guint offered = 0, dropped = 0, computed = 0, max_in_flight = 0;
  gint64 step = -1;
  gsize n;

  c.spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  c.plane = relief_plane_new_input (-2, 2, -2, 2);
  n = relief_mlp_spec_n_params (c.spec);
  c.params = g_new (float, n * c.n_offers);
  for (gsize i = 0; i < n * c.n_offers; i++)
    c.params[i] = (float) g_rand_double_range (rand, -1, 1);
  c.live = relief_regions_live_new (0, live_ready, &c);

  /* Off: nothing taken. */
  relief_regions_live_offer (c.live, c.spec, c.params, c.plane, 0);
  relief_regions_live_get_counts (c.live, &offered, NULL, NULL, NULL);
  g_assert_cmpuint (offered, ==, 0);

  relief_regions_live_set_enabled (c.live, TRUE);
  g_thread_join (g_thread_new ("offers", offer_all, &c));
  while (!live_idle (&c))
    g_main_context_iteration (NULL, TRUE);
  taken = relief_regions_live_take (c.live, &step, NULL, NULL);
  g_assert_nonnull (taken);
  g_assert_cmpint (step, ==, c.n_offers - 1);
  direct = relief_regions_compute (c.spec, c.params + (gsize) (c.n_offers - 1) * n, c.plane, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (taken->n_regions, ==, direct->n_regions);
  for (int r = 0; r < direct->n_regions; r++)
    g_assert_cmpint (taken->predicted[r], ==, direct->predicted[r]);
  relief_regions_live_get_counts (c.live, &offered, &dropped, &computed, &max_in_flight);
  g_assert_cmpuint (offered, ==, c.n_offers);
  g_assert_cmpuint (computed + dropped, ==, offered);
  g_assert_cmpuint (max_in_flight, ==, 1);
  g_assert_false (c.ready_elsewhere);
  g_assert_null (relief_regions_live_take (c.live, NULL, NULL, NULL));

  /* A tanh net: the message, no partition. */
  {
    g_autoptr(ReliefMlpSpec) tanh_spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_TANH,
                                                              RELIEF_LOSS_CROSS_ENTROPY);
    g_autofree char *message = NULL;

    c.ready_calls = 0;
    relief_regions_live_offer (c.live, tanh_spec, c.params, c.plane, 99);
    while (!live_idle (&c))
      g_main_context_iteration (NULL, TRUE);
    g_assert_null (relief_regions_live_take (c.live, &step, NULL, &message));
    g_assert_nonnull (message);
    g_assert_nonnull (strstr (message, "tanh"));
  }

  relief_regions_live_detach (c.live);
  relief_regions_live_unref (c.live);
  relief_mlp_spec_free (c.spec);
  relief_plane_free (c.plane);
  g_free (c.params);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  run_dir = g_dir_make_tmp ("relief-jobs-XXXXXX", NULL);
  run_path = g_build_filename (run_dir, "run.h5", NULL);
  train_shared_run ();
  g_test_add_func ("/jobs/live-curves/bounded", test_live_curves_bounded);
  g_test_add_func ("/jobs/regions-live/newest-wins", test_regions_live);
  g_test_add ("/jobs/surface/directions", Fixture, NULL, fixture_setup, test_surface_directions, fixture_teardown);
  g_test_add ("/jobs/surface/pca-fit", Fixture, NULL, fixture_setup, test_surface_pca_fit, fixture_teardown);
  g_test_add ("/jobs/surface/resume", Fixture, NULL, fixture_setup, test_surface_resume, fixture_teardown);
  g_test_add ("/jobs/surface/saves-while-computing", Fixture, NULL, fixture_setup, test_surface_saves_while_computing,
              fixture_teardown);
  g_test_add ("/jobs/train/saves-while-training", Fixture, NULL, fixture_setup, test_train_saves_while_training,
              fixture_teardown);
  g_test_add ("/jobs/intdim/resume", Fixture, NULL, fixture_setup, test_intdim_resume, fixture_teardown);
  g_test_add ("/jobs/train/default-rows", Fixture, NULL, fixture_setup, test_train_default_rows, fixture_teardown);
  g_test_add_func ("/jobs/train/find-run", test_train_find_run);
  g_test_add ("/jobs/one-writer", Fixture, NULL, fixture_setup, test_one_writer, fixture_teardown);
  g_test_add ("/jobs/hessian", Fixture, NULL, fixture_setup, test_hessian_job, fixture_teardown);
  g_test_add ("/jobs/decision", Fixture, NULL, fixture_setup, test_decision, fixture_teardown);
  g_test_add ("/jobs/weights", Fixture, NULL, fixture_setup, test_weights, fixture_teardown);
  g_test_add ("/jobs/regions", Fixture, NULL, fixture_setup, test_regions, fixture_teardown);
  g_test_add ("/jobs/race", Fixture, NULL, fixture_setup, test_race_job, fixture_teardown);
  g_test_add ("/jobs/decision/needs-two-inputs", Fixture, NULL, fixture_setup, test_decision_needs_two_inputs,
              fixture_teardown);
  status = g_test_run ();
  g_unlink (run_path);
  g_rmdir (run_dir);
  g_free (run_path);
  g_free (run_dir);
  return status;
}

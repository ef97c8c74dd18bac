/* test-files.c: run and surface files round-trip, are written atomically, and foreign or
 * wrong files are recognised. */
#include "relief-run-file.h"
#include "relief-surface-file.h"
#include "relief-loaders.h"

#include <hdf5.h>
#include <math.h>
#include <string.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-h5.h"
#include "test-tmpdir.h"

static int
count_files (const char *dir_path)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  int n = 0;

  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static ReliefMlpSpec *
small_spec (void)
{
  const int sizes[] = { 2, 3, 2 };
  return relief_mlp_spec_new (sizes, 3, RELIEF_ACT_TANH, RELIEF_LOSS_CROSS_ENTROPY);
}

static ReliefDataset *
small_moons (double test_fraction)
{
  ReliefGeneratorParams params;
  g_autoptr (GError) error = NULL;
  ReliefDataset *ds;

  relief_generator_defaults ("moons", &params);
  params.n_samples = 40;
  params.test_fraction = test_fraction;
  ds = relief_dataset_generate ("moons", &params, &error);
  g_assert_no_error (error);
  return ds;
}

static void
fill_params (float *params, gsize n, int snapshot)
{
  for (gsize i = 0; i < n; i++)
    params[i] = (float) (snapshot * 100 + i) * 0.25f;
}

static void
write_run (const char *path, const ReliefMlpSpec *spec, const ReliefTrainConfig *config, const ReliefDataset *ds)
{
  gsize n = relief_mlp_spec_n_params (spec);
  g_autofree float *params = g_new (float, n);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *lock_name = g_strconcat (".", base, ".lock", NULL);
  g_autofree char *lock = g_build_filename (dir, lock_name, NULL);
  int files_before = count_files (dir);
  ReliefRunWriter *w = relief_run_writer_new (path, spec, config, "cpu", ds, &error);

  g_assert_no_error (error);
  for (int t = 0; t < 3; t++)
    {
      fill_params (params, n, t);
      g_assert_true (relief_run_writer_add_snapshot (w, t * 10, t * 0.5, params, &error));
      g_assert_no_error (error);
    }
  for (int s = 0; s < 4; s++)
    {
      ReliefTrainMetrics m = { .step = s * 5, .train_loss = 1.0 / (s + 1), .train_acc = 0.2 * s,
                               .test_loss = 2.0 / (s + 1), .test_acc = 0.1 * s,
                               .train_kind = s == 0 ? RELIEF_METRIC_SUBSET : RELIEF_METRIC_RUNNING,
                               .test_kind = s == 3 ? RELIEF_METRIC_FULL : RELIEF_METRIC_SUBSET };
      g_assert_true (relief_run_writer_add_metrics (w, &m, &error));
      g_assert_no_error (error);
    }
  for (int c = 0; config->curvature_every > 0 && c < 3; c++)
    {
      ReliefCurvatureRow row = { .step = c * 5, .lambda_max = 2.0 + c, .lambda_max_residual = 1e-6,
                                 .lambda_min = -0.5 + 0.25 * c, .trace = 10.0 + c, .trace_stderr = 0.1,
                                 .hvps = 20 - c, .samples = 30, .seconds = 0.5 * (c + 1) };

      g_assert_true (relief_run_writer_add_curvature (w, &row, &error));
      g_assert_no_error (error);
    }
  /* Until finish the run is in memory: beside the destination only its lock. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (lock, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (count_files (dir), ==, files_before + 1);
  g_assert_true (relief_run_writer_finish (w, "completed", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count_files (dir), ==, files_before + 1);
}

static void
assert_dims (const char *path, const char *name, int rank, hsize_t d0, hsize_t d1)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t dset = H5Dopen2 (file, name, H5P_DEFAULT);
  hid_t space = H5Dget_space (dset);
  hsize_t dims[2] = { 0, 0 };

  g_assert_cmpint (H5Sget_simple_extent_ndims (space), ==, rank);
  H5Sget_simple_extent_dims (space, dims, NULL);
  g_assert_cmpuint (dims[0], ==, d0);
  if (rank == 2)
    g_assert_cmpuint (dims[1], ==, d1);
  H5Sclose (space);
  H5Dclose (dset);
  H5Fclose (file);
}

/* What h5py users rely on: strings as variable-length UTF-8, growing trajectory datasets. */
static void
assert_run_schema (const char *path, gsize n_params, int n_train)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t attr = H5Aopen (file, "relief_format", H5P_DEFAULT);
  hid_t type = H5Aget_type (attr);
  hid_t dset = H5Dopen2 (file, "trajectory/params", H5P_DEFAULT);
  hid_t space = H5Dget_space (dset);
  hsize_t dims[2], max_dims[2];

  g_assert_cmpint (H5Tget_class (type), ==, H5T_STRING);
  g_assert_cmpint (H5Tis_variable_str (type), >, 0);
  g_assert_cmpint (H5Tget_cset (type), ==, H5T_CSET_UTF8);
  H5Sget_simple_extent_dims (space, dims, max_dims);
  g_assert_cmpuint (dims[0], ==, 3);
  g_assert_cmpuint (dims[1], ==, n_params);
  g_assert_true (max_dims[0] == H5S_UNLIMITED);
  g_assert_cmpint (H5Lexists (file, "metrics/test_acc", H5P_DEFAULT), >, 0);
  g_assert_cmpint (H5Lexists (file, "metrics/train_kind", H5P_DEFAULT), >, 0);
  g_assert_cmpint (H5Lexists (file, "metrics/test_kind", H5P_DEFAULT), >, 0);
  H5Sclose (space);
  H5Dclose (dset);
  H5Tclose (type);
  H5Aclose (attr);
  H5Fclose (file);
  assert_dims (path, "dataset/x_train", 2, n_train, 2);
  assert_dims (path, "dataset/y_train", 1, n_train, 0);
}

static void
test_run_round_trip (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "run.h5", NULL);
  g_autoptr (ReliefMlpSpec) spec = small_spec ();
  g_autoptr (ReliefDataset) ds = small_moons (0.2);
  g_autoptr (ReliefRun) run = NULL;
  g_autoptr (ReliefRun) light = NULL;
  g_autoptr (GError) error = NULL;
  ReliefFileKind kind;
  ReliefTrainConfig config;
  gsize n = relief_mlp_spec_n_params (spec);
  g_autofree float *expected = g_new (float, n);

  relief_train_config_init_defaults (&config);
  config.optimizer.kind = RELIEF_OPT_ADAM;
  config.optimizer.lr = 0.125f;
  config.optimizer.beta2 = 0.875f;   /* not the default, which a loader could fill in */
  config.batch_size = 17;
  config.epochs = 3;
  config.seed = G_GUINT64_CONSTANT (0xfedcba9876543210);
  write_run (path, spec, &config, ds);

  kind = relief_file_detect_kind (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, RELIEF_FILE_KIND_RUN);
  assert_run_schema (path, n, ds->n_train);

  run = relief_run_load (path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (run->status, ==, "completed");
  g_assert_cmpstr (run->backend, ==, "cpu");
  g_assert_cmpint (run->spec->n_layers, ==, 2);
  g_assert_cmpmem (run->spec->sizes, 3 * sizeof (int), spec->sizes, 3 * sizeof (int));
  g_assert_cmpint (run->spec->activation, ==, RELIEF_ACT_TANH);
  g_assert_cmpint (run->spec->loss, ==, RELIEF_LOSS_CROSS_ENTROPY);
  g_assert_cmpuint (run->n_params, ==, n);
  g_assert_cmpint (run->config.optimizer.kind, ==, RELIEF_OPT_ADAM);
  g_assert_cmpfloat (run->config.optimizer.lr, ==, 0.125f);
  g_assert_cmpfloat (run->config.optimizer.beta2, ==, 0.875f);
  g_assert_cmpint (run->config.batch_size, ==, 17);
  g_assert_cmpint (run->config.epochs, ==, 3);
  g_assert_cmpuint (run->config.seed, ==, config.seed);

  g_assert_cmpint (run->n_snapshots, ==, 3);
  for (int t = 0; t < 3; t++)
    {
      fill_params (expected, n, t);
      g_assert_cmpmem (run->params + t * n, n * sizeof (float), expected, n * sizeof (float));
      g_assert_cmpint (run->snapshot_step[t], ==, t * 10);
      g_assert_cmpfloat (run->snapshot_epoch[t], ==, t * 0.5);
    }
  g_assert_cmpint (run->n_metrics, ==, 4);
  for (int s = 0; s < 4; s++)
    {
      g_assert_cmpint (run->metric_step[s], ==, s * 5);
      g_assert_cmpfloat (run->train_loss[s], ==, 1.0 / (s + 1));
      g_assert_cmpfloat (run->train_acc[s], ==, 0.2 * s);
      g_assert_cmpfloat (run->test_loss[s], ==, 2.0 / (s + 1));
      g_assert_cmpfloat (run->test_acc[s], ==, 0.1 * s);
      g_assert_cmpint (run->train_kind[s], ==, s == 0 ? RELIEF_METRIC_SUBSET : RELIEF_METRIC_RUNNING);
      g_assert_cmpint (run->test_kind[s], ==, s == 3 ? RELIEF_METRIC_FULL : RELIEF_METRIC_SUBSET);
    }
  g_assert_cmpint (run->config.eval_samples, ==, 0);

  g_assert_true (run->dataset->generated);
  g_assert_cmpstr (run->dataset->name, ==, "moons");
  g_assert_cmpint (run->dataset->n_train, ==, ds->n_train);
  g_assert_cmpint (run->dataset->n_test, ==, ds->n_test);
  g_assert_cmpmem (run->dataset->x_train, ds->n_train * 2 * sizeof (float), ds->x_train,
                   ds->n_train * 2 * sizeof (float));
  g_assert_cmpmem (run->dataset->y_test, ds->n_test * sizeof (int32_t), ds->y_test, ds->n_test * sizeof (int32_t));

  light = relief_run_load (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (light->dataset);
  /* Named as a job would open it again, even without the samples. */
  g_assert_cmpstr (light->dataset_name, ==, "moons");
}

/* Files written before the metrics kinds evaluated every row in full, and read so; a kind
 * Relief does not know is a corrupt file. */
static void
test_run_old_metrics (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "run.h5", NULL);
  g_autoptr (ReliefMlpSpec) spec = small_spec ();
  g_autoptr (ReliefDataset) ds = small_moons (0.25);
  g_autoptr (ReliefRun) run = NULL;
  g_autoptr (GError) error = NULL;
  ReliefTrainConfig config;
  hid_t file, config_group, type, space, dset;
  const char *bogus[4] = { "full", "full", "sampled", "full" };

  relief_train_config_init_defaults (&config);
  write_run (path, spec, &config, ds);
  file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  config_group = H5Gopen2 (file, "config", H5P_DEFAULT);
  g_assert_cmpint (H5Adelete (config_group, "eval_samples"), >=, 0);
  g_assert_cmpint (H5Ldelete (file, "metrics/train_kind", H5P_DEFAULT), >=, 0);
  g_assert_cmpint (H5Ldelete (file, "metrics/test_kind", H5P_DEFAULT), >=, 0);
  H5Gclose (config_group);
  H5Fclose (file);

  run = relief_run_load (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->n_metrics, ==, 4);
  for (int s = 0; s < 4; s++)
    {
      g_assert_cmpint (run->train_kind[s], ==, RELIEF_METRIC_FULL);
      g_assert_cmpint (run->test_kind[s], ==, RELIEF_METRIC_FULL);
    }
  g_assert_cmpint (run->config.eval_samples, ==, RELIEF_EVAL_ALL);
  g_clear_pointer (&run, relief_run_free);

  file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  type = H5Tcopy (H5T_C_S1);
  H5Tset_size (type, H5T_VARIABLE);
  H5Tset_cset (type, H5T_CSET_UTF8);
  space = H5Screate_simple (1, (hsize_t[]) { 4 }, NULL);
  dset = H5Dcreate2 (file, "metrics/train_kind", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Dwrite (dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bogus), >=, 0);
  H5Dclose (dset);
  H5Sclose (space);
  H5Tclose (type);
  H5Fclose (file);
  g_assert_null (relief_run_load (path, FALSE, &error));
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "sampled"));
}

static void
test_run_checkpoints (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "run.h5", NULL);
  g_autoptr (ReliefMlpSpec) spec = small_spec ();
  g_autoptr (ReliefDataset) ds = small_moons (0.0);
  g_autoptr (ReliefRun) run = NULL;
  g_autoptr (GError) error = NULL;
  ReliefTrainConfig config;
  const char *good[] = { "last", "0", "1", "2", "-1", "-3" };
  const int want[] = { 2, 0, 1, 2, 2, 0 };
  const char *bad[] = { "3", "-4", "first", "", "1.5" };

  relief_train_config_init_defaults (&config);
  write_run (path, spec, &config, ds);
  run = relief_run_load (path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_null (run->test_loss);
  g_assert_null (run->test_acc);
  g_assert_cmpint (run->dataset->n_test, ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      int index = -1;
      g_assert_true (relief_run_resolve_checkpoint (run, good[i], &index, &error));
      g_assert_no_error (error);
      g_assert_cmpint (index, ==, want[i]);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      int index = -1;
      g_assert_false (relief_run_resolve_checkpoint (run, bad[i], &index, &error));
      g_assert_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID);
      g_clear_error (&error);
    }
}

static void
add_row (ReliefRunWriter *w, gint64 step, gboolean snapshot, const float *params)
{
  ReliefTrainMetrics m = { .step = step, .train_loss = 1.0 / (step + 1), .train_acc = 0.5, .test_loss = 0.25,
                           .test_acc = 0.75, .train_kind = RELIEF_METRIC_RUNNING, .test_kind = RELIEF_METRIC_FULL };
  g_autoptr (GError) error = NULL;

  g_assert_true (relief_run_writer_add_metrics (w, &m, &error));
  g_assert_no_error (error);
  if (snapshot)
    g_assert_true (relief_run_writer_add_snapshot (w, step, step / 10.0, params, &error));
  g_assert_no_error (error);
}

static ReliefRun *
load_run (const char *path)
{
  g_autoptr (GError) error = NULL;
  ReliefRun *run = relief_run_load (path, FALSE, &error);

  g_assert_no_error (error);
  return run;
}

/* The saved state: a checkpoint writes the run so far with it to the output while the
 * writer goes on; a writer continued from that file gets the state back bit for bit
 * (denormal moments too) and the rows after it are gone; a divergence drops the rows
 * after the last finite step and records the step; a cancelled run keeps its state in the
 * file it ends with, and its final row goes when it is continued. */
static void
test_run_saved_state (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "state.h5", NULL);
  g_autoptr (ReliefMlpSpec) spec = small_spec ();
  g_autoptr (ReliefDataset) ds = small_moons (0.2);
  g_autoptr (GError) error = NULL;
  gsize n = relief_mlp_spec_n_params (spec);
  g_autofree float *params = g_new (float, n), *previous = g_new (float, n), *moments = g_new (float, 2 * n);
  ReliefTrainConfig config;
  ReliefTrainState state = { .step = 7, .n_params = n, .params = params, .previous_params = previous,
                             .n_state = 2 * n, .optimizer_state = moments, .run_loss_sum = 1.0 / 3,
                             .run_correct = 5, .run_rows = 8, .last_metrics = 5, .last_snapshot = 5,
                             .elapsed_seconds = 2.5, .metrics_seconds = 0.125 };
  const ReliefTrainState *back = NULL;
  ReliefRunWriter *w;

  relief_train_config_init_defaults (&config);
  fill_params (params, n, 7);
  fill_params (previous, n, 6);
  /* Moments decayed into denormals: 8 and 0x800 times the smallest float. */
  for (gsize i = 0; i < 2 * n; i++)
    {
      guint32 bits = i % 3 == 0 ? 8 : i % 3 == 1 ? 0x800 : 0;

      memcpy (&moments[i], &bits, sizeof bits);
    }

  w = relief_run_writer_new (path, spec, &config, "cpu", ds, &error);
  g_assert_no_error (error);
  add_row (w, 0, TRUE, previous);
  add_row (w, 5, TRUE, previous);
  g_assert_true (relief_run_writer_checkpoint (w, &state, &error));
  g_assert_no_error (error);
  add_row (w, 10, TRUE, params);
  {
    g_autoptr (ReliefRun) run = load_run (path);

    g_assert_cmpstr (run->status, ==, "running");
    g_assert_true (run->resumable);
    g_assert_cmpint (run->n_snapshots, ==, 2);
    g_assert_cmpint (run->n_metrics, ==, 2);
  }
  relief_run_writer_abort (w);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  w = relief_run_writer_continue (path, spec, RELIEF_OPT_ADAM, &back, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->step, ==, 7);
  g_assert_cmpint (back->last_metrics, ==, 5);
  g_assert_cmpint (back->run_correct, ==, 5);
  g_assert_cmpint (back->run_rows, ==, 8);
  g_assert_cmpfloat (back->run_loss_sum, ==, 1.0 / 3);
  g_assert_cmpfloat (back->elapsed_seconds, ==, 2.5);
  g_assert_cmpmem (back->params, sizeof (float) * n, params, sizeof (float) * n);
  g_assert_cmpmem (back->previous_params, sizeof (float) * n, previous, sizeof (float) * n);
  g_assert_cmpuint (back->n_state, ==, 2 * n);
  g_assert_cmpmem (back->optimizer_state, sizeof (float) * 2 * n, moments, sizeof (float) * 2 * n);
  add_row (w, 10, TRUE, params);
  add_row (w, 11, FALSE, params);
  g_assert_true (relief_run_writer_set_diverged (w, 10, 12, &error) && relief_run_writer_set_diverged (w, 9, 10, &error));
  g_assert_no_error (error);
  g_assert_true (relief_run_writer_finish (w, "diverged", &error));
  g_assert_no_error (error);
  {
    g_autoptr (ReliefRun) run = load_run (path);

    g_assert_cmpstr (run->status, ==, "diverged");
    g_assert_false (run->resumable);
    g_assert_cmpint (run->diverged_at_step, ==, 10);
    g_assert_cmpint (run->n_snapshots, ==, 2);
    g_assert_cmpint (run->snapshot_step[1], ==, 5);
    g_assert_cmpint (run->n_metrics, ==, 2);
    g_assert_cmpint (run->metric_step[1], ==, 5);
  }

  /* Cancelled: the state in the file, then the final row and snapshot. */
  w = relief_run_writer_new (path, spec, &config, "cpu", ds, &error);
  g_assert_no_error (error);
  add_row (w, 0, TRUE, previous);
  state.step = 3;
  g_assert_true (relief_run_writer_set_resume (w, &state, &error));
  g_assert_no_error (error);
  add_row (w, 3, TRUE, params);
  g_assert_true (relief_run_writer_finish (w, "cancelled", &error));
  g_assert_no_error (error);
  {
    g_autoptr (ReliefRun) run = load_run (path);

    g_assert_true (run->resumable);
    g_assert_cmpint (run->n_snapshots, ==, 2);
    g_assert_cmpint (run->diverged_at_step, ==, -1);
  }
  w = relief_run_writer_continue (path, spec, RELIEF_OPT_ADAM, &back, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->step, ==, 3);
  g_assert_true (relief_run_writer_finish (w, "completed", &error));
  g_assert_no_error (error);
  {
    g_autoptr (ReliefRun) run = load_run (path);

    g_assert_cmpstr (run->status, ==, "completed");
    g_assert_false (run->resumable);
    g_assert_cmpint (run->n_snapshots, ==, 1);
    g_assert_cmpint (run->n_metrics, ==, 1);
  }

  /* A finished run holds no state to continue from. */
  w = relief_run_writer_continue (path, spec, RELIEF_OPT_ADAM, &back, &error);
  g_assert_null (w);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
}

static void
test_run_abort (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "aborted.h5", NULL);
  g_autoptr (ReliefMlpSpec) spec = small_spec ();
  g_autoptr (ReliefDataset) ds = small_moons (0.2);
  g_autoptr (GError) error = NULL;
  g_autofree float *params = g_new0 (float, relief_mlp_spec_n_params (spec));
  ReliefTrainConfig config;
  ReliefRunWriter *w;

  relief_train_config_init_defaults (&config);
  w = relief_run_writer_new (path, spec, &config, "cpu", ds, &error);
  g_assert_no_error (error);
  g_assert_true (relief_run_writer_add_snapshot (w, 0, 0.0, params, &error));
  /* The lock (".aborted.h5.lock"), no temporary file: the run is in memory. */
  g_assert_cmpint (count_files (f->dir), ==, 1);
  relief_run_writer_abort (w);
  g_assert_cmpint (count_files (f->dir), ==, 0);

  /* A destination in a missing directory fails cleanly. */
  {
    g_autofree char *nowhere = g_build_filename (f->dir, "missing", "run.h5", NULL);
    w = relief_run_writer_new (nowhere, spec, &config, "cpu", ds, &error);
    g_assert_null (w);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }
}

/* File data is not copied into the run: it is reloaded and must be byte-identical. */
static void
test_run_file_data (Fixture *f, gconstpointer data)
{
  g_autofree char *csv = g_build_filename (f->dir, "data.csv", NULL);
  g_autofree char *path = g_build_filename (f->dir, "run.h5", NULL);
  g_autofree char *other_path = g_build_filename (f->dir, "other.h5", NULL);
  g_autoptr (ReliefMlpSpec) spec = small_spec ();
  g_autoptr (ReliefDataset) ds = NULL;
  g_autoptr (ReliefDataset) other_split = NULL;
  g_autoptr (ReliefRun) run = NULL;
  g_autoptr (ReliefRun) resplit = NULL;
  g_autoptr (ReliefRun) changed = NULL;
  g_autoptr (GError) error = NULL;
  ReliefTrainConfig config;

  g_assert_true (g_file_set_contents (csv, "u,v,label\n" "0,1,0\n1,0,1\n2,2,0\n3,1,1\n4,4,0\n"
                                           "5,0,1\n6,1,0\n7,3,1\n8,2,0\n9,9,1\n", -1, NULL));
  relief_train_config_init_defaults (&config);
  config.seed = 5;
  ds = relief_dataset_load_csv (csv, NULL, 0.4, config.seed, &error);
  g_assert_no_error (error);
  write_run (path, spec, &config, ds);

  run = relief_run_load (path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_false (run->dataset->generated);
  g_assert_cmpint (run->dataset->n_train, ==, ds->n_train);
  g_assert_cmpint (run->dataset->n_test, ==, ds->n_test);
  g_assert_cmpmem (run->dataset->x_train, ds->n_train * 2 * sizeof (float), ds->x_train,
                   ds->n_train * 2 * sizeof (float));
  g_assert_cmpstr (run->dataset->source_sha256[0], ==, ds->source_sha256[0]);
  g_assert_cmpstr (run->dataset_name, ==, csv);

  /* Opened with another split seed than the run records: caught, not silently re-split. */
  other_split = relief_dataset_load_csv (csv, NULL, 0.4, 6, &error);
  g_assert_no_error (error);
  g_assert_cmpint (memcmp (other_split->y_train, ds->y_train, ds->n_train * sizeof (int32_t)), !=, 0);
  write_run (other_path, spec, &config, other_split);
  resplit = relief_run_load (other_path, TRUE, &error);
  g_assert_null (resplit);
  g_assert_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_CHANGED);
  g_assert_nonnull (strstr (error->message, "split"));
  g_clear_error (&error);

  /* A run written before the fast fingerprint carries the samples' SHA-256, still checked. */
  {
    g_autoptr(ReliefRun) old_run = NULL;
    hid_t file = H5Fopen (other_path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t group = H5Gopen2 (file, "dataset", H5P_DEFAULT);

    g_assert_cmpint (H5Adelete (group, "samples_fingerprint"), >=, 0);
    test_h5_write_string_attr (group, "samples_sha256", "0123");
    H5Gclose (group);
    H5Fclose (file);
    old_run = relief_run_load (other_path, TRUE, &error);
    g_assert_null (old_run);
    g_assert_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_CHANGED);
    g_clear_error (&error);
  }

  /* One cell edited: 4,4 becomes 4,5. */
  g_assert_true (g_file_set_contents (csv, "u,v,label\n" "0,1,0\n1,0,1\n2,2,0\n3,1,1\n4,5,0\n"
                                           "5,0,1\n6,1,0\n7,3,1\n8,2,0\n9,9,1\n", -1, NULL));
  changed = relief_run_load (path, TRUE, &error);
  g_assert_null (changed);
  g_assert_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_CHANGED);
  g_assert_nonnull (strstr (error->message, "data.csv"));
}

static void
assert_same_grid (const double *a, const double *b, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (isnan (b[i]))
      g_assert_true (isnan (a[i]));
    else
      g_assert_cmpfloat (a[i], ==, b[i]);
}


static void
test_surface_round_trip (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "surface.h5", NULL);
  g_autoptr (ReliefSurface) s = relief_surface_new (3, 2);
  g_autoptr (ReliefSurface) back = NULL;
  g_autoptr (GError) error = NULL;
  ReliefFileKind kind;

  s->spec = small_spec ();
  s->n_params = relief_mlp_spec_n_params (s->spec);  /* 3*2 + 3 + 2*3 + 2 = 17 */
  s->xdir = g_new (float, s->n_params);
  s->ydir = g_new (float, s->n_params);
  for (gsize i = 0; i < s->n_params; i++)
    {
      s->xdir[i] = i + 0.5f;
      s->ydir[i] = -(float) i;
    }
  for (int i = 0; i < 3; i++)
    s->xcoords[i] = -1.0 + i;
  s->ycoords[0] = -0.5;
  s->ycoords[1] = 0.5;
  /* Row 0 computed, row 1 only its first cell: the rest stays NaN. */
  for (int i = 0; i < 4; i++)
    {
      s->train_loss[i] = 1.0 + i;
      s->train_acc[i] = 50.0 + i;
    }
  s->run_file = g_strdup ("run.h5");
  s->checkpoint = 2;
  s->normalization = g_strdup ("filter");
  s->direction_kind = g_strdup ("random");
  s->seed = 99;

  g_assert_true (relief_surface_save (s, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_files (f->dir), ==, 1);
  kind = relief_file_detect_kind (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, RELIEF_FILE_KIND_SURFACE);

  assert_dims (path, "train_loss", 2, 2, 3);
  assert_dims (path, "xdirection/0", 2, 3, 2);
  assert_dims (path, "xdirection/1", 1, 3, 0);
  assert_dims (path, "ydirection/2", 2, 2, 3);
  assert_dims (path, "ydirection/3", 1, 2, 0);

  back = relief_surface_load (path, &error);
  g_assert_no_error (error);
  g_assert_false (back->foreign);
  g_assert_cmpint (back->nx, ==, 3);
  g_assert_cmpint (back->ny, ==, 2);
  assert_same_grid (back->xcoords, s->xcoords, 3);
  assert_same_grid (back->ycoords, s->ycoords, 2);
  assert_same_grid (back->train_loss, s->train_loss, 6);
  assert_same_grid (back->train_acc, s->train_acc, 6);
  g_assert_true (isnan (back->train_loss[5]));
  g_assert_null (back->test_loss);
  g_assert_cmpstr (back->run_file, ==, "run.h5");
  g_assert_cmpint (back->checkpoint, ==, 2);
  g_assert_cmpstr (back->normalization, ==, "filter");
  g_assert_cmpstr (back->direction_kind, ==, "random");
  g_assert_cmpuint (back->seed, ==, 99);
  g_assert_cmpmem (back->spec->sizes, 3 * sizeof (int), s->spec->sizes, 3 * sizeof (int));
  g_assert_cmpuint (back->n_params, ==, s->n_params);
  g_assert_cmpmem (back->xdir, s->n_params * sizeof (float), s->xdir, s->n_params * sizeof (float));
  g_assert_cmpmem (back->ydir, s->n_params * sizeof (float), s->ydir, s->n_params * sizeof (float));
}

/* Loads path (expected to be refused as corrupt) and checks the message names the file
 * and what is wrong. */
static void
expect_corrupt (gpointer (*load) (const char *path, GError **error), const char *path, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  gpointer loaded = load (path, &error);

  g_assert_null (loaded);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
  if (strstr (error->message, path) == NULL || strstr (error->message, fragment) == NULL)
    g_error ("“%s” lacks “%s” or the path", error->message, fragment);
}

static gpointer
load_run_with_data (const char *path, GError **error)
{
  return relief_run_load (path, TRUE, error);
}

static gpointer
load_surface (const char *path, GError **error)
{
  return relief_surface_load (path, error);
}

/* A run file whose shapes are right but whose values make no sense is refused, naming
 * what is wrong: accuracies outside [0, 1], a negative loss, a NaN parameter, steps going
 * back, settings no flag would accept, labels outside the classes, a data set whose
 * classes are not the model's outputs. */
static void
test_run_bad_values (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "run.h5", NULL);
  g_autoptr (ReliefMlpSpec) spec = small_spec ();
  g_autoptr (ReliefDataset) ds = small_moons (0.2);
  ReliefTrainConfig config;
  const double big_acc = 1.5, low_acc = -0.25, negative_loss = -1, nan_value = NAN;
  const float nan_param = NAN;
  const gint64 negative = -3, zero = 0, three = 3;
  const int32_t label = 2;
  struct {
    const char *dataset, *object, *attr;   /* a dataset element or an attribute to spoil */
    hsize_t     index;
    hid_t       type;
    const void *value;
    const char *fragment;
  } cases[] = {
    { "metrics/train_acc", NULL, NULL, 1, H5T_NATIVE_DOUBLE, &big_acc, "“metrics/train_acc” holds 1.5 (value 2 of 4)" },
    { "metrics/test_acc", NULL, NULL, 0, H5T_NATIVE_DOUBLE, &low_acc, "“metrics/test_acc” holds -0.25" },
    { "metrics/train_loss", NULL, NULL, 2, H5T_NATIVE_DOUBLE, &negative_loss, "“metrics/train_loss” holds -1" },
    { "metrics/step", NULL, NULL, 3, H5T_NATIVE_INT64, &zero, "“metrics/step” holds step 0 (value 4)" },
    { "trajectory/params", NULL, NULL, 5, H5T_NATIVE_FLOAT, &nan_param, "“trajectory/params” holds nan" },
    { "trajectory/epoch", NULL, NULL, 1, H5T_NATIVE_DOUBLE, &nan_value, "“trajectory/epoch”" },
    { "dataset/y_train", NULL, NULL, 0, H5T_NATIVE_INT32, &label, "label 2, outside 0..1" },
    { NULL, "config", "batch_size", 0, H5T_NATIVE_INT64, &negative, "“config/batch_size” is -3" },
    { NULL, "config", "epochs", 0, H5T_NATIVE_INT64, &zero, "“config/epochs” is 0" },
    { NULL, "config", "lr", 0, H5T_NATIVE_DOUBLE, &nan_value, "“config/lr” is nan" },
    { NULL, "config", "momentum", 0, H5T_NATIVE_DOUBLE, &big_acc, "“config/momentum” is 1.5" },
    { NULL, "dataset", "n_classes", 0, H5T_NATIVE_INT64, &three, "gives 2 outputs, but its data set has 2 features and 3 classes" },
  };

  relief_train_config_init_defaults (&config);
  write_run (path, spec, &config, ds);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("bad-%u.h5", i);
      g_autofree char *copy = test_h5_copy (path, name);

      if (cases[i].dataset)
        test_h5_poke (copy, cases[i].dataset, cases[i].index, cases[i].type, cases[i].value);
      else
        test_h5_set_attr (copy, cases[i].object, cases[i].attr, cases[i].type, cases[i].value);
      expect_corrupt (load_run_with_data, copy, cases[i].fragment);
      g_assert_cmpint (g_unlink (copy), ==, 0);
    }
}

/* A run's /curvature comes back as written (columns not tracked absent), and is validated:
 * steps going back, a negative error or count, settings out of range are refused. */
static void
test_run_curvature (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "curvature.h5", NULL);
  g_autofree char *plain_path = g_build_filename (f->dir, "min-only.h5", NULL);
  g_autoptr (ReliefMlpSpec) spec = small_spec ();
  g_autoptr (ReliefDataset) ds = small_moons (0.2);
  g_autoptr (ReliefRun) run = NULL, min_only = NULL;
  g_autoptr (GError) error = NULL;
  ReliefTrainConfig config;
  const double negative = -1;
  const gint64 back = 1, negative_count = -4, two = 2;
  struct {
    const char *dataset, *object, *attr;
    hsize_t     index;
    hid_t       type;
    const void *value;
    const char *fragment;
  } cases[] = {
    { "curvature/step", NULL, NULL, 2, H5T_NATIVE_INT64, &back, "“curvature/step” holds step 1 (value 3)" },
    { "curvature/trace_stderr", NULL, NULL, 0, H5T_NATIVE_DOUBLE, &negative, "“curvature/trace_stderr” holds -1" },
    { "curvature/hvps", NULL, NULL, 1, H5T_NATIVE_INT64, &negative_count, "“curvature/hvps” holds a negative count" },
    { NULL, "config", "curvature_trace", 0, H5T_NATIVE_INT64, &two, "“config/curvature_trace” is 2" },
    { NULL, "curvature", "samples", 0, H5T_NATIVE_INT64, &negative_count, "“curvature/samples” is -4" },
  };

  relief_train_config_init_defaults (&config);
  config.curvature_every = 5;
  config.curvature_samples = 30;
  config.curvature_trace = TRUE;
  config.curvature_min = TRUE;
  write_run (path, spec, &config, ds);
  run = relief_run_load (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->config.curvature_every, ==, 5);
  g_assert_cmpint (run->config.curvature_samples, ==, 30);
  g_assert_true (run->config.curvature_trace && run->config.curvature_min);
  g_assert_nonnull (run->curvature);
  g_assert_cmpint (run->curvature->n, ==, 3);
  g_assert_cmpint (run->curvature->step[2], ==, 10);
  g_assert_cmpfloat (run->curvature->lambda_max[1], ==, 3.0);
  g_assert_cmpfloat (run->curvature->lambda_min[0], ==, -0.5);
  g_assert_cmpfloat (run->curvature->trace[2], ==, 12.0);
  g_assert_cmpfloat (run->curvature->trace_stderr[2], ==, 0.1);
  g_assert_cmpint (run->curvature->hvps[2], ==, 18);
  g_assert_cmpint (run->curvature->samples, ==, 30);
  g_assert_cmpfloat (run->curvature->seconds, ==, 1.5);

  config.curvature_trace = FALSE;
  write_run (plain_path, spec, &config, ds);
  min_only = relief_run_load (plain_path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (min_only->curvature->trace);
  g_assert_null (min_only->curvature->trace_stderr);
  g_assert_nonnull (min_only->curvature->lambda_min);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("bad-curvature-%u.h5", i);
      g_autofree char *copy = test_h5_copy (path, name);

      if (cases[i].dataset)
        test_h5_poke (copy, cases[i].dataset, cases[i].index, cases[i].type, cases[i].value);
      else
        test_h5_set_attr (copy, cases[i].object, cases[i].attr, cases[i].type, cases[i].value);
      expect_corrupt (load_run_with_data, copy, cases[i].fragment);
      g_assert_cmpint (g_unlink (copy), ==, 0);
    }
}

/* A surface with coordinates not ascending, an accuracy beyond 100%, a negative loss or
 * a direction that is not finite is refused, naming what is wrong. */
static void
test_surface_bad_values (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "surface.h5", NULL);
  g_autoptr (ReliefSurface) s = relief_surface_new (3, 2);
  g_autoptr (GError) error = NULL;
  const double back = -1, nan_value = NAN, big_acc = 150, negative = -3;
  const float inf = INFINITY;
  struct {
    const char *dataset;
    hsize_t     index;
    hid_t       type;
    const void *value;
    const char *fragment;
  } cases[] = {
    { "xcoordinates", 2, H5T_NATIVE_DOUBLE, &back, "“xcoordinates” is not ascending: -1 follows 0 (value 3)" },
    { "ycoordinates", 0, H5T_NATIVE_DOUBLE, &nan_value, "“ycoordinates” holds nan (value 1), not a finite coordinate" },
    { "train_acc", 4, H5T_NATIVE_DOUBLE, &big_acc, "“train_acc” holds 150 (value 5 of 6), outside [0, 100]" },
    { "test_loss", 1, H5T_NATIVE_DOUBLE, &negative, "“test_loss” holds -3 (value 2 of 6)" },
    { "xdirection/0", 3, H5T_NATIVE_FLOAT, &inf, "“xdirection” holds inf (value 4" },
  };

  for (int i = 0; i < 3; i++)
    s->xcoords[i] = -0.5 + 0.5 * i;
  s->ycoords[0] = -1;
  s->ycoords[1] = 1;
  s->test_loss = g_new0 (double, 6);
  s->test_acc = g_new0 (double, 6);
  for (int c = 0; c < 6; c++)
    s->train_loss[c] = s->train_acc[c] = c;
  s->n_params = 8;
  s->xdir = g_new0 (float, 8);
  s->ydir = g_new0 (float, 8);
  s->run_file = g_strdup ("run.h5");
  s->normalization = g_strdup ("filter");
  s->direction_kind = g_strdup ("random");
  g_assert_true (relief_surface_save (s, path, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("bad-%u.h5", i);
      g_autofree char *copy = test_h5_copy (path, name);

      test_h5_poke (copy, cases[i].dataset, cases[i].index, cases[i].type, cases[i].value);
      expect_corrupt (load_surface, copy, cases[i].fragment);
      g_assert_cmpint (g_unlink (copy), ==, 0);
    }
}

static void
test_surface_1d (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "line.h5", NULL);
  g_autoptr (ReliefSurface) s = relief_surface_new (5, 1);
  g_autoptr (ReliefSurface) back = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_null (s->ycoords);
  for (int i = 0; i < 5; i++)
    {
      s->xcoords[i] = i * 0.25;
      s->train_loss[i] = i * i;
    }
  s->test_loss = g_new (double, 5);
  for (int i = 0; i < 5; i++)
    s->test_loss[i] = 2 * i;
  g_assert_true (relief_surface_save (s, path, &error));
  g_assert_no_error (error);
  assert_dims (path, "train_loss", 1, 5, 0);

  back = relief_surface_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->nx, ==, 5);
  g_assert_cmpint (back->ny, ==, 1);
  g_assert_null (back->ycoords);
  g_assert_null (back->xdir);
  assert_same_grid (back->train_loss, s->train_loss, 5);
  assert_same_grid (back->train_acc, s->train_acc, 5);
  assert_same_grid (back->test_loss, s->test_loss, 5);
  g_assert_null (back->test_acc);
}

static void
write_doubles (hid_t file, const char *name, int rank, const hsize_t *dims, const double *values)
{
  hid_t space = H5Screate_simple (rank, dims, NULL);
  hid_t dset = H5Dcreate2 (file, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);

  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), >=, 0);
  H5Dclose (dset);
  H5Sclose (space);
}

/* As loss-landscape's plot_surface.py writes them: coordinates and -1 for cells not computed. */
static void
test_surface_foreign (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "landscape.h5", NULL);
  g_autofree char *line = g_build_filename (f->dir, "landscape-1d.h5", NULL);
  const double x[3] = { -1, 0, 1 }, y[2] = { -1, 1 };
  const double loss[6] = { 1, 2, 3, 4, 5, -1 }, acc[6] = { 10, 20, 30, 40, 50, -1 };
  hsize_t nx[1] = { 3 }, ny[1] = { 2 }, grid[2] = { 2, 3 };
  g_autoptr (ReliefSurface) s = NULL;
  g_autoptr (ReliefSurface) s1 = NULL;
  g_autoptr (GError) error = NULL;
  ReliefFileKind kind;
  hid_t file;

  file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_doubles (file, "xcoordinates", 1, nx, x);
  write_doubles (file, "ycoordinates", 1, ny, y);
  write_doubles (file, "train_loss", 2, grid, loss);
  write_doubles (file, "train_acc", 2, grid, acc);
  H5Fclose (file);

  kind = relief_file_detect_kind (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, RELIEF_FILE_KIND_SURFACE);
  s = relief_surface_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (s->foreign);
  g_assert_cmpint (s->nx, ==, 3);
  g_assert_cmpint (s->ny, ==, 2);
  assert_same_grid (s->train_loss, loss, 6);
  assert_same_grid (s->train_acc, acc, 6);
  g_assert_null (s->run_file);
  g_assert_cmpint (s->checkpoint, ==, -1);
  g_assert_null (s->spec);
  g_assert_null (s->xdir);

  file = H5Fcreate (line, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_doubles (file, "xcoordinates", 1, nx, x);
  write_doubles (file, "train_loss", 1, nx, loss);
  write_doubles (file, "train_acc", 1, nx, acc);
  H5Fclose (file);
  s1 = relief_surface_load (line, &error);
  g_assert_no_error (error);
  g_assert_true (s1->foreign);
  g_assert_cmpint (s1->ny, ==, 1);
  g_assert_null (s1->ycoords);
  assert_same_grid (s1->train_loss, loss, 3);
}

static void
expect_kind_error (const char *path, int code)
{
  g_autoptr (GError) error = NULL;
  ReliefFileKind kind = relief_file_detect_kind (path, &error);
  g_autoptr (ReliefSurface) s = NULL;
  g_autoptr (ReliefRun) run = NULL;

  g_assert_cmpint (kind, ==, RELIEF_FILE_KIND_NONE);
  g_assert_error (error, RELIEF_FILE_ERROR, code);
  g_clear_error (&error);
  s = relief_surface_load (path, &error);
  g_assert_null (s);
  g_assert_error (error, RELIEF_FILE_ERROR, code);
  g_clear_error (&error);
  run = relief_run_load (path, TRUE, &error);
  g_assert_null (run);
  g_assert_error (error, RELIEF_FILE_ERROR, code);
}

static void
test_detect_kind (Fixture *f, gconstpointer data)
{
  g_autofree char *text = g_build_filename (f->dir, "notes.txt", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.h5", NULL);
  g_autofree char *other = g_build_filename (f->dir, "spectrum.h5", NULL);
  g_autofree char *plain = g_build_filename (f->dir, "plain.h5", NULL);
  g_autofree char *future = g_build_filename (f->dir, "future.h5", NULL);
  g_autofree char *surface = g_build_filename (f->dir, "surface.h5", NULL);
  g_autoptr (ReliefSurface) s = relief_surface_new (2, 2);
  g_autoptr (ReliefRun) run = NULL;
  g_autoptr (GError) error = NULL;
  gint64 version = 2;
  hid_t file, space, attr;

  g_assert_true (g_file_set_contents (text, "not hdf5 at all\n", -1, NULL));
  expect_kind_error (text, RELIEF_FILE_ERROR_NOT_HDF5);
  expect_kind_error (missing, RELIEF_FILE_ERROR_IO);
  expect_kind_error (f->dir, RELIEF_FILE_ERROR_IO);

  file = H5Fcreate (other, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  test_h5_write_string_attr (file, "relief_format", "spectrum");
  H5Fclose (file);
  expect_kind_error (other, RELIEF_FILE_ERROR_WRONG_KIND);

  file = H5Fcreate (plain, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose (file);
  expect_kind_error (plain, RELIEF_FILE_ERROR_WRONG_KIND);

  file = H5Fcreate (future, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  test_h5_write_string_attr (file, "relief_format", "run");
  space = H5Screate (H5S_SCALAR);
  attr = H5Acreate2 (file, "relief_format_version", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite (attr, H5T_NATIVE_INT64, &version);
  H5Aclose (attr);
  H5Sclose (space);
  H5Fclose (file);
  expect_kind_error (future, RELIEF_FILE_ERROR_VERSION);

  /* A surface is not a run. */
  g_assert_true (relief_surface_save (s, surface, &error));
  run = relief_run_load (surface, FALSE, &error);
  g_assert_null (run);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND);
}

/* A file of the run kind with a scalar string attribute (so a global heap) beside what
 * the caller adds. */
static hid_t
create_run_kind (const char *path)
{
  hid_t file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t space = H5Screate (H5S_SCALAR);
  hid_t attr = H5Acreate2 (file, "relief_format_version", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  gint64 version = 1;

  g_assert_cmpint (file, >=, 0);
  test_h5_write_string_attr (file, "relief_format", "run");
  H5Awrite (attr, H5T_NATIVE_INT64, &version);
  H5Aclose (attr);
  H5Sclose (space);
  return file;
}

/* The offset of the file's first global heap collection. */
static guint64
first_global_heap (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  for (gsize at = 0; at + 4 <= len; at++)
    if (memcmp (contents + at, "GCOL", 4) == 0)
      return at;
  g_assert_not_reached ();
}

static void
expect_run_kind (const char *path)
{
  g_autoptr (GError) error = NULL;

  ReliefFileKind kind = relief_file_detect_kind (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, RELIEF_FILE_KIND_RUN);
}

/* Only the data of variable-length attributes and datasets is taken for references into
 * the heaps of strings.  A file over 16 MiB of 4096 groups (whose B-tree nodes' addresses
 * and keys, read a byte off, looked like a reference to the heap with an index it lacks)
 * opens, and so does one whose plain numbers hold exactly such records: a nonzero length,
 * the heap's address and an object index it lacks.  A string dataset whose stored
 * reference names such an index is still refused. */
static void
test_heap_references (Fixture *f, gconstpointer data)
{
  g_autofree char *big = g_build_filename (f->dir, "groups.h5", NULL);
  g_autofree char *numbers = g_build_filename (f->dir, "numbers.h5", NULL);
  g_autofree char *strings = g_build_filename (f->dir, "strings.h5", NULL);
  g_autofree double *values = g_new0 (double, 512);
  g_autoptr (GError) error = NULL;
  const char *names[2] = { "first", "second" };
  hsize_t dims[1] = { 512 }, n2[1] = { 2 };
  guint8 records[64 * 16];
  guint64 heap, offset;
  GStatBuf st;
  hid_t file, space, dset, type;
  int fd;

  file = create_run_kind (big);
  space = H5Screate_simple (1, dims, NULL);
  for (int g = 0; g < 4096; g++)
    {
      char name[32];
      hid_t group;

      g_snprintf (name, sizeof name, "checkpoint-%05d", g);
      group = H5Gcreate2 (file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      for (int i = 0; i < 512; i++)
        values[i] = g + i * 1e-3;
      dset = H5Dcreate2 (group, "values", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), >=, 0);
      test_h5_write_string_attr (group, "label", name);
      H5Dclose (dset);
      H5Gclose (group);
    }
  H5Sclose (space);
  H5Fclose (file);
  g_assert_true (g_stat (big, &st) == 0);
  g_assert_cmpint (st.st_size, >, 16 << 20);
  expect_run_kind (big);

  file = create_run_kind (numbers);
  H5Fclose (file);
  heap = first_global_heap (numbers);
  memset (records, 0, sizeof records);
  for (int k = 0; k < 64; k++)
    {
      records[16 * k] = 1 + k;
      for (int b = 0; b < 8; b++)
        records[16 * k + 4 + b] = (guint8) (heap >> (8 * b));
      records[16 * k + 12] = 200 + k;
    }
  file = H5Fopen (numbers, H5F_ACC_RDWR, H5P_DEFAULT);
  dims[0] = sizeof records;
  space = H5Screate_simple (1, dims, NULL);
  dset = H5Dcreate2 (file, "bytes", H5T_STD_U8LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, records), >=, 0);
  H5Dclose (dset);
  H5Sclose (space);
  H5Fclose (file);
  g_assert_cmpint (first_global_heap (numbers), ==, heap);
  expect_run_kind (numbers);

  file = create_run_kind (strings);
  type = H5Tcopy (H5T_C_S1);
  H5Tset_size (type, H5T_VARIABLE);
  space = H5Screate_simple (1, n2, NULL);
  dset = H5Dcreate2 (file, "names", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Dwrite (dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, names), >=, 0);
  offset = H5Dget_offset (dset);
  H5Dclose (dset);
  H5Sclose (space);
  H5Tclose (type);
  H5Fclose (file);
  expect_run_kind (strings);
  /* The second string's object index (after its length and the heap's address) becomes
   * one the heap lacks. */
  fd = g_open (strings, O_RDWR, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, (guint8[]) { 0xc8, 0, 0, 0 }, 4, (off_t) (offset + 16 + 12)), ==, 4);
  g_close (fd, NULL);
  g_assert_cmpint (relief_file_detect_kind (strings, &error), ==, RELIEF_FILE_KIND_NONE);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
}

static gboolean
is_fifo (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISFIFO (st.st_mode);
}

/* Saving never replaces what is not a regular file (here a pipe and a folder, as it
 * would have replaced /dev/null), and leaves no temporary file behind; a regular file or
 * a link to one is a fine destination. */
static void
test_destination (Fixture *f, gconstpointer data)
{
  g_autofree char *fifo = g_build_filename (f->dir, "pipe.h5", NULL);
  g_autofree char *folder = g_build_filename (f->dir, "folder.h5", NULL);
  g_autofree char *regular = g_build_filename (f->dir, "regular.h5", NULL);
  g_autofree char *link = g_build_filename (f->dir, "link.h5", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.h5", NULL);
  g_autoptr (ReliefSurface) s = relief_surface_new (2, 2);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;
  int entries = 0;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (regular, "x", 1, NULL));
  g_assert_cmpint (symlink (regular, link), ==, 0);

  g_assert_true (relief_check_destination (missing, &error));
  g_assert_true (relief_check_destination (regular, &error));
  g_assert_true (relief_check_destination (link, &error));
  g_assert_no_error (error);
  g_assert_false (relief_check_destination (folder, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_clear_error (&error);

  g_assert_false (relief_surface_save (s, fifo, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);
  g_assert_true (is_fifo (fifo));
  g_assert_false (relief_surface_save (s, folder, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));

  dir = g_dir_open (f->dir, 0, NULL);
  while (g_dir_read_name (dir) != NULL)
    entries++;
  g_assert_cmpint (entries, ==, 4);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/files/run/round-trip", Fixture, NULL, fixture_setup, test_run_round_trip, fixture_teardown);
  g_test_add ("/files/run/checkpoints", Fixture, NULL, fixture_setup, test_run_checkpoints, fixture_teardown);
  g_test_add ("/files/run/old-metrics", Fixture, NULL, fixture_setup, test_run_old_metrics, fixture_teardown);
  g_test_add ("/files/run/abort", Fixture, NULL, fixture_setup, test_run_abort, fixture_teardown);
  g_test_add ("/files/run/saved-state", Fixture, NULL, fixture_setup, test_run_saved_state, fixture_teardown);
  g_test_add ("/files/run/file-data", Fixture, NULL, fixture_setup, test_run_file_data, fixture_teardown);
  g_test_add ("/files/run/bad-values", Fixture, NULL, fixture_setup, test_run_bad_values, fixture_teardown);
  g_test_add ("/files/run/curvature", Fixture, NULL, fixture_setup, test_run_curvature, fixture_teardown);
  g_test_add ("/files/surface/round-trip", Fixture, NULL, fixture_setup, test_surface_round_trip, fixture_teardown);
  g_test_add ("/files/surface/bad-values", Fixture, NULL, fixture_setup, test_surface_bad_values, fixture_teardown);
  g_test_add ("/files/surface/1d", Fixture, NULL, fixture_setup, test_surface_1d, fixture_teardown);
  g_test_add ("/files/surface/foreign", Fixture, NULL, fixture_setup, test_surface_foreign, fixture_teardown);
  g_test_add ("/files/detect-kind", Fixture, NULL, fixture_setup, test_detect_kind, fixture_teardown);
  g_test_add ("/files/heap-references", Fixture, NULL, fixture_setup, test_heap_references, fixture_teardown);
  g_test_add ("/files/destination", Fixture, NULL, fixture_setup, test_destination, fixture_teardown);
  return g_test_run ();
}

/* test-train.c: training a small MLP on three Gaussian blobs in the plane. */
#include "relief-train.h"
#include "relief-rng.h"
#include "relief-enums.h"

#include <math.h>
#include <string.h>

static const int sizes[] = { 2, 16, 16, 3 };

/* Three well-separated blobs, labels interleaved so every batch sees every class. */
static ReliefDataset *
make_blobs (int n_train, int n_test)
{
  ReliefDataset *ds = relief_dataset_new ("blobs", 2, 3, n_train, n_test);

  for (int i = 0; i < n_train + n_test; i++)
    {
      int label = i % 3;
      double angle = 2.0 * G_PI * label / 3.0;
      float *x = i < n_train ? ds->x_train + 2 * i : ds->x_test + 2 * (i - n_train);
      int32_t *y = i < n_train ? ds->y_train + i : ds->y_test + (i - n_train);

      x[0] = (float) (2.0 * cos (angle) + 0.5 * relief_rng_normal (99, 2 * i));
      x[1] = (float) (2.0 * sin (angle) + 0.5 * relief_rng_normal (99, 2 * i + 1));
      *y = label;
    }
  ds->generated = TRUE;
  return ds;
}

typedef struct {
  GArray       *metrics;      /* ReliefTrainMetrics */
  GArray       *snap_steps;   /* gint64 */
  float        *last_snapshot;
  gsize         n_params;
  GCancellable *cancel_at_step_owner;
  gint64        cancel_at_step;
  gint64        progress_calls;
} Recorder;

static gboolean
on_metrics (const ReliefTrainMetrics *m, gpointer user_data, GError **error)
{
  Recorder *rec = user_data;

  g_array_append_vals (rec->metrics, m, 1);
  if (rec->cancel_at_step_owner != NULL && m->step >= rec->cancel_at_step)
    g_cancellable_cancel (rec->cancel_at_step_owner);
  return TRUE;
}

static gboolean
on_snapshot (gint64 step, double epoch, const float *params, gsize n_params, gpointer user_data, GError **error)
{
  Recorder *rec = user_data;

  g_array_append_val (rec->snap_steps, step);
  g_free (rec->last_snapshot);
  rec->last_snapshot = g_memdup2 (params, sizeof (float) * n_params);
  rec->n_params = n_params;
  return TRUE;
}

static void
on_progress (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data)
{
  Recorder *rec = user_data;

  rec->progress_calls++;
}

static void
recorder_init (Recorder *rec)
{
  memset (rec, 0, sizeof *rec);
  rec->metrics = g_array_new (FALSE, FALSE, sizeof (ReliefTrainMetrics));
  rec->snap_steps = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
recorder_clear (Recorder *rec)
{
  g_array_unref (rec->metrics);
  g_array_unref (rec->snap_steps);
  g_free (rec->last_snapshot);
}

static ReliefTrainStatus
run_training (const ReliefDataset *ds, const ReliefTrainConfig *config, float *params, Recorder *rec,
              GCancellable *cancellable, GError **error)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU,
                                                       RELIEF_LOSS_CROSS_ENTROPY);
  ReliefTrainCallbacks callbacks = { on_metrics, on_snapshot, on_progress, rec };

  relief_mlp_init_params (spec, config->seed, params);
  return relief_train (be, spec, ds, config, params, &callbacks, cancellable, error);
}

static gsize
n_params (void)
{
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU,
                                                       RELIEF_LOSS_CROSS_ENTROPY);

  return relief_mlp_spec_n_params (spec);
}

static void
test_loss_decreases (void)
{
  g_autoptr(ReliefDataset) ds = make_blobs (150, 30);
  g_autoptr(GError) error = NULL;
  g_autofree float *params = g_new (float, n_params ());
  ReliefTrainConfig config;
  ReliefTrainMetrics *first, *last;
  Recorder rec;

  relief_train_config_init_defaults (&config);
  config.epochs = 10;
  config.batch_size = 16;   /* 150 = 9 full batches and one of 6: 10 steps per epoch */
  config.seed = 5;
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_COMPLETED);
  g_assert_no_error (error);

  first = &g_array_index (rec.metrics, ReliefTrainMetrics, 0);
  last = &g_array_index (rec.metrics, ReliefTrainMetrics, rec.metrics->len - 1);
  g_assert_cmpint (first->step, ==, 0);
  g_assert_true (isnan (first->batch_loss));
  g_assert_cmpint (last->step, ==, 100);
  g_assert_cmpint (last->total_steps, ==, 100);
  g_assert_cmpfloat (last->epoch, ==, 10.0);
  /* eval_every 0 with 100 steps: every step, and no step twice */
  g_assert_cmpuint (rec.metrics->len, ==, 101);
  g_assert_cmpfloat (last->train_loss, <, 0.3 * first->train_loss);
  g_assert_cmpfloat (last->train_acc, >, 0.9);
  g_assert_false (isnan (last->test_loss));
  g_assert_cmpfloat (last->test_acc, >, 0.9);
  g_assert_cmpint (rec.progress_calls, ==, 100);

  /* snapshot_every 0: step 0 and every epoch end, the final one not repeated */
  g_assert_cmpuint (rec.snap_steps->len, ==, 11);
  for (guint i = 0; i < rec.snap_steps->len; i++)
    g_assert_cmpint (g_array_index (rec.snap_steps, gint64, i), ==, 10 * i);
  g_assert_cmpmem (rec.last_snapshot, rec.n_params * sizeof (float), params, n_params () * sizeof (float));
  recorder_clear (&rec);
}

static void
test_intervals (void)
{
  g_autoptr(ReliefDataset) ds = make_blobs (60, 0);
  g_autoptr(GError) error = NULL;
  g_autofree float *params = g_new (float, n_params ());
  ReliefTrainConfig config;
  Recorder rec;
  const gint64 snaps[] = { 0, 7, 14, 20 };

  relief_train_config_init_defaults (&config);
  config.epochs = 2;
  config.batch_size = 6;      /* 10 steps per epoch, 20 in all */
  config.snapshot_every = 7;
  config.eval_every = 4;      /* 0, 4, 8, 10 (epoch end), 12, 16, 20 */
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_COMPLETED);
  g_assert_no_error (error);
  g_assert_cmpuint (rec.snap_steps->len, ==, G_N_ELEMENTS (snaps));
  for (guint i = 0; i < G_N_ELEMENTS (snaps); i++)
    g_assert_cmpint (g_array_index (rec.snap_steps, gint64, i), ==, snaps[i]);
  g_assert_cmpuint (rec.metrics->len, ==, 7);
  g_assert_cmpint (g_array_index (rec.metrics, ReliefTrainMetrics, 3).step, ==, 10);
  g_assert_true (isnan (g_array_index (rec.metrics, ReliefTrainMetrics, 6).test_loss));
  recorder_clear (&rec);
}

static void
test_reproducible (void)
{
  g_autoptr(ReliefDataset) ds = make_blobs (90, 0);
  g_autoptr(GError) error = NULL;
  gsize n = n_params ();
  g_autofree float *a = g_new (float, n);
  g_autofree float *b = g_new (float, n);
  g_autofree float *c = g_new (float, n);
  ReliefTrainConfig config;
  Recorder rec;

  relief_train_config_init_defaults (&config);
  config.epochs = 3;
  config.batch_size = 8;
  config.seed = 11;
  for (int run = 0; run < 3; run++)
    {
      recorder_init (&rec);
      if (run == 2)
        config.seed = 12;
      g_assert_cmpint (run_training (ds, &config, run == 0 ? a : run == 1 ? b : c, &rec, NULL, &error),
                       ==, RELIEF_TRAIN_COMPLETED);
      g_assert_no_error (error);
      recorder_clear (&rec);
    }
  g_assert_cmpmem (a, n * sizeof (float), b, n * sizeof (float));
  g_assert_true (memcmp (a, c, n * sizeof (float)) != 0);
}

static void
test_cancel (void)
{
  g_autoptr(ReliefDataset) ds = make_blobs (90, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree float *params = g_new (float, n_params ());
  ReliefTrainConfig config;
  Recorder rec;
  ReliefTrainMetrics *last;

  relief_train_config_init_defaults (&config);
  config.epochs = 5;
  config.batch_size = 9;      /* 10 steps per epoch */
  config.eval_every = 3;
  recorder_init (&rec);
  rec.cancel_at_step_owner = cancellable;
  rec.cancel_at_step = 6;
  g_assert_cmpint (run_training (ds, &config, params, &rec, cancellable, &error), ==, RELIEF_TRAIN_CANCELLED);
  g_assert_no_error (error);

  /* Cancelled from the metrics at step 6: no step after it, the final snapshot at 6. */
  last = &g_array_index (rec.metrics, ReliefTrainMetrics, rec.metrics->len - 1);
  g_assert_cmpint (last->step, ==, 6);
  g_assert_cmpint (g_array_index (rec.snap_steps, gint64, rec.snap_steps->len - 1), ==, 6);
  g_assert_cmpint (rec.progress_calls, ==, 6);
  g_assert_cmpmem (rec.last_snapshot, rec.n_params * sizeof (float), params, n_params () * sizeof (float));
  recorder_clear (&rec);
}

static void
test_diverges (void)
{
  g_autoptr(ReliefDataset) ds = make_blobs (60, 0);
  g_autoptr(GError) error = NULL;
  gsize n = n_params ();
  g_autofree float *params = g_new (float, n);
  ReliefTrainConfig config;
  Recorder rec;

  relief_train_config_init_defaults (&config);
  config.optimizer.kind = RELIEF_OPT_SGD;
  config.optimizer.lr = 1e6f;
  config.epochs = 50;
  config.batch_size = 4;
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_DIVERGED);
  g_assert_no_error (error);
  g_assert_nonnull (rec.last_snapshot);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (isfinite (rec.last_snapshot[i]));
      g_assert_true (isfinite (params[i]));
    }
  g_assert_cmpint (g_array_index (rec.metrics, ReliefTrainMetrics, rec.metrics->len - 1).step, <,
                   g_array_index (rec.metrics, ReliefTrainMetrics, 0).total_steps);
  recorder_clear (&rec);
}

/* A weight decay of 1e30 overflows the very first update to inf: that update is undone,
 * and the initialization comes back as the final parameters. */
static void
test_diverges_first_step (void)
{
  g_autoptr(ReliefDataset) ds = make_blobs (60, 0);
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU,
                                                       RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(GError) error = NULL;
  gsize n = n_params ();
  g_autofree float *params = g_new (float, n);
  g_autofree float *init = g_new (float, n);
  ReliefTrainConfig config;
  Recorder rec;

  relief_train_config_init_defaults (&config);
  config.optimizer.kind = RELIEF_OPT_SGD;
  config.optimizer.lr = 1e10f;
  config.optimizer.weight_decay = 1e30f;
  config.epochs = 50;
  config.batch_size = 4;
  relief_mlp_init_params (spec, config.seed, init);
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_DIVERGED);
  g_assert_no_error (error);
  g_assert_cmpmem (params, n * sizeof (float), init, n * sizeof (float));
  g_assert_cmpint (g_array_index (rec.snap_steps, gint64, rec.snap_steps->len - 1), ==, 0);
  g_assert_cmpint (rec.progress_calls, ==, 0);
  recorder_clear (&rec);
}

static void
test_bad_input (void)
{
  g_autoptr(ReliefDataset) ds = make_blobs (30, 0);
  g_autoptr(GError) error = NULL;
  g_autofree float *params = g_new (float, n_params ());
  ReliefTrainConfig config;
  Recorder rec;

  relief_train_config_init_defaults (&config);
  config.batch_size = 0;
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_FAILED);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  config.batch_size = 8;
  ds->y_train[3] = 7;
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_FAILED);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_cmpuint (rec.metrics->len, ==, 0);
  recorder_clear (&rec);
}

static void
test_defaults (void)
{
  ReliefTrainConfig config;

  relief_train_config_init_defaults (&config);
  g_assert_cmpint (config.optimizer.kind, ==, RELIEF_OPT_ADAM);
  g_assert_cmpfloat (config.optimizer.lr, ==, 0.01f);
  g_assert_cmpint (config.epochs, ==, 20);
}

static void
test_names (void)
{
  g_autoptr(GError) error = NULL;
  ReliefOptimizerKind kind;

  for (ReliefOptimizerKind k = RELIEF_OPT_SGD; k <= RELIEF_OPT_ADAMW; k++)
    {
      g_assert_true (relief_enum_from_nick (RELIEF_TYPE_OPTIMIZER_KIND, relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, k),
                                            (int *) &kind, &error));
      g_assert_cmpint (kind, ==, k);
    }
  g_assert_false (relief_enum_from_nick (RELIEF_TYPE_OPTIMIZER_KIND, "rmsprop", (int *) &kind, &error));
  g_assert_nonnull (strstr (error->message, "sgd, momentum, nesterov, adam, adamw"));
  g_assert_cmpstr (relief_enum_to_nick (RELIEF_TYPE_TRAIN_STATUS, RELIEF_TRAIN_DIVERGED), ==, "diverged");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/compute/train/loss-decreases", test_loss_decreases);
  g_test_add_func ("/compute/train/intervals", test_intervals);
  g_test_add_func ("/compute/train/reproducible", test_reproducible);
  g_test_add_func ("/compute/train/cancel", test_cancel);
  g_test_add_func ("/compute/train/diverges", test_diverges);
  g_test_add_func ("/compute/train/diverges-first-step", test_diverges_first_step);
  g_test_add_func ("/compute/train/bad-input", test_bad_input);
  g_test_add_func ("/compute/train/defaults", test_defaults);
  g_test_add_func ("/compute/train/names", test_names);
  return g_test_run ();
}

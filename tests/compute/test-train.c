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
  GPtrArray    *snapshots;    /* every snapshot's parameters */
  GArray       *batch_losses; /* double, from the progress callback */
  GCancellable *cancel_at_step_owner;
  gint64        cancel_at_step;
  gint64        progress_calls;
  gint64        last_step, diverged_step;   /* from the divergence callback */
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
  g_ptr_array_add (rec->snapshots, g_memdup2 (params, sizeof (float) * n_params));
  return TRUE;
}

static void
on_progress (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data)
{
  Recorder *rec = user_data;

  rec->progress_calls++;
  g_array_append_val (rec->batch_losses, batch_loss);
}

static void
recorder_init (Recorder *rec)
{
  memset (rec, 0, sizeof *rec);
  rec->metrics = g_array_new (FALSE, FALSE, sizeof (ReliefTrainMetrics));
  rec->snap_steps = g_array_new (FALSE, FALSE, sizeof (gint64));
  rec->snapshots = g_ptr_array_new_with_free_func (g_free);
  rec->batch_losses = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
recorder_clear (Recorder *rec)
{
  g_array_unref (rec->metrics);
  g_array_unref (rec->snap_steps);
  g_ptr_array_unref (rec->snapshots);
  g_array_unref (rec->batch_losses);
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

/* The log-spaced schedule: the steps listed in its documentation for 10 a decade, the
 * decades alone for 1, and for 1,000 a decade (where many i round to the same step) the
 * set the formula floor(10^(i / K) + 1/2) enumerates, up to 100,000. */
static void
test_log_schedule (void)
{
  const gint64 ten[] = { 0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32, 40, 50, 63, 79, 100, 126, 158, 200, 251,
                         316, 398, 501, 631, 794, 1000 };
  const int per_decade[] = { 3, 7, 1000 };
  guint k = 0;

  for (gint64 step = 0; step <= 1000; step++)
    {
      gboolean listed = k < G_N_ELEMENTS (ten) && ten[k] == step;

      if (relief_log_schedule_due (10, step) != listed)
        g_error ("step %" G_GINT64_FORMAT ": due %d, listed %d", step, relief_log_schedule_due (10, step), listed);
      k += listed;
    }
  g_assert_cmpuint (k, ==, G_N_ELEMENTS (ten));
  for (gint64 step = 0; step <= 100000; step++)
    g_assert_cmpint (relief_log_schedule_due (1, step), ==,
                     step == 0 || step == 1 || step == 10 || step == 100 || step == 1000 || step == 10000 ||
                     step == 100000);
  g_assert_false (relief_log_schedule_due (10, -1));
  for (guint j = 0; j < G_N_ELEMENTS (per_decade); j++)
    {
      int K = per_decade[j];
      g_autofree gboolean *expected = g_new0 (gboolean, 100001);

      expected[0] = TRUE;
      for (int i = 0;; i++)
        {
          double v = floor (pow (10.0, (double) i / K) + 0.5);

          if (v > 100000)
            break;
          expected[(gint64) v] = TRUE;
        }
      for (gint64 step = 0; step <= 100000; step++)
        if (relief_log_schedule_due (K, step) != expected[step])
          g_error ("%d a decade, step %" G_GINT64_FORMAT ": due %d, expected %d", K, step,
                   relief_log_schedule_due (K, step), expected[step]);
    }
}

/* eval_per_decade: metrics rows at step 0, the log-spaced steps and the end, not at the
 * epoch ends; the default rule still evaluates the test set in full at an epoch end. */
static void
test_log_metrics (void)
{
  g_autoptr(ReliefDataset) ds = make_blobs (60, 30);
  g_autoptr(GError) error = NULL;
  g_autofree float *params = g_new (float, n_params ());
  ReliefTrainConfig config;
  Recorder rec;
  const gint64 steps[] = { 0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 30 };

  relief_train_config_init_defaults (&config);
  config.epochs = 3;
  config.batch_size = 6;      /* 10 steps per epoch, 30 in all */
  config.eval_every = 4;      /* ignored */
  config.eval_per_decade = 10;
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_COMPLETED);
  g_assert_no_error (error);
  g_assert_cmpuint (rec.metrics->len, ==, G_N_ELEMENTS (steps));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      const ReliefTrainMetrics *m = &g_array_index (rec.metrics, ReliefTrainMetrics, i);

      g_assert_cmpint (m->step, ==, steps[i]);
      if (m->step > 0 && m->step % 10 == 0)
        g_assert_cmpint (m->test_kind, ==, RELIEF_METRIC_FULL);
    }
  recorder_clear (&rec);

  config.eval_per_decade = RELIEF_LOG_SCHEDULE_MAX + 1;
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_FAILED);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
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

/* A recorder that also copies the state a checkpoint hands over after one step. */
typedef struct {
  Recorder         rec;          /* first: the recorder's callbacks take this struct for it */
  gint64           at_step;
  guint            rows_before, snapshots_before;   /* handed over when the state was */
  ReliefTrainState state;
  float           *params, *previous, *optimizer;
} Capture;

static gboolean
capture_due (gpointer user_data)
{
  Capture *cap = user_data;

  /* Progress has been called once for every step so far. */
  return cap->rec.progress_calls == cap->at_step && cap->params == NULL;
}

static gboolean
capture_state (const ReliefTrainState *state, gpointer user_data, GError **error)
{
  Capture *cap = user_data;

  cap->state = *state;
  cap->rows_before = cap->rec.metrics->len;
  cap->snapshots_before = cap->rec.snapshots->len;
  cap->params = g_memdup2 (state->params, sizeof (float) * state->n_params);
  cap->previous = g_memdup2 (state->previous_params, sizeof (float) * state->n_params);
  cap->optimizer = g_memdup2 (state->optimizer_state, sizeof (float) * MAX (state->n_state, 1));
  cap->state.params = cap->params;
  cap->state.previous_params = cap->previous;
  cap->state.optimizer_state = cap->optimizer;
  return TRUE;
}

static void
assert_same_rows (const ReliefTrainMetrics *a, const ReliefTrainMetrics *b)
{
  g_assert_cmpint (a->step, ==, b->step);
  g_assert_cmpmem (&a->train_loss, sizeof (double), &b->train_loss, sizeof (double));
  g_assert_cmpmem (&a->train_acc, sizeof (double), &b->train_acc, sizeof (double));
  g_assert_cmpmem (&a->test_loss, sizeof (double), &b->test_loss, sizeof (double));
  g_assert_cmpmem (&a->test_acc, sizeof (double), &b->test_acc, sizeof (double));
  g_assert_cmpint (a->train_kind, ==, b->train_kind);
  g_assert_cmpint (a->test_kind, ==, b->test_kind);
  g_assert_cmpint (a->train_samples, ==, b->train_samples);
  g_assert_cmpint (a->test_samples, ==, b->test_samples);
}

static gboolean
record_diverged (gint64 last_step, gint64 diverged_step, gpointer user_data, GError **error)
{
  Recorder *rec = user_data;

  rec->last_step = last_step;
  rec->diverged_step = diverged_step;
  return TRUE;
}

/* The run of config whole; the same run handing over its state after step at_step; and a
 * run continued from that state: the last gives the rest of the whole run bit for bit, the
 * same rows, snapshots, final parameters and end. */
static void
check_continue (const ReliefTrainConfig *config, gint64 at_step, ReliefTrainStatus expected)
{
  g_autoptr(ReliefDataset) ds = make_blobs (150, 30);
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU,
                                                       RELIEF_LOSS_CROSS_ENTROPY);
  gsize n = n_params ();
  g_autoptr(GError) error = NULL;
  g_autofree float *whole = g_new (float, n), *first = g_new (float, n), *rest = g_new (float, n);
  Capture cap = { .at_step = at_step };
  Recorder a, c;
  ReliefTrainCallbacks cb_a = { on_metrics, on_snapshot, on_progress, &a, NULL, NULL, record_diverged };
  ReliefTrainCallbacks cb_b = { on_metrics, on_snapshot, on_progress, &cap, capture_due, capture_state, NULL };
  ReliefTrainCallbacks cb_c = { on_metrics, on_snapshot, on_progress, &c, NULL, NULL, record_diverged };

  recorder_init (&a);
  recorder_init (&cap.rec);
  recorder_init (&c);
  a.last_step = a.diverged_step = c.last_step = c.diverged_step = -1;
  relief_mlp_init_params (spec, config->seed, whole);
  g_assert_cmpint (relief_train (be, spec, ds, config, whole, &cb_a, NULL, &error), ==, expected);
  g_assert_no_error (error);

  relief_mlp_init_params (spec, config->seed, first);
  g_assert_cmpint (relief_train (be, spec, ds, config, first, &cb_b, NULL, &error), ==, expected);
  g_assert_no_error (error);
  g_assert_cmpmem (first, sizeof (float) * n, whole, sizeof (float) * n);
  g_assert_nonnull (cap.params);
  g_assert_cmpint (cap.state.step, ==, at_step);
  g_assert_false (cap.state.cancelled);

  g_assert_cmpint (relief_train_from (be, spec, ds, config, &cap.state, rest, &cb_c, NULL, &error), ==, expected);
  g_assert_no_error (error);
  g_assert_cmpmem (rest, sizeof (float) * n, whole, sizeof (float) * n);
  g_assert_cmpint (c.last_step, ==, a.last_step);
  g_assert_cmpint (c.diverged_step, ==, a.diverged_step);
  if (expected == RELIEF_TRAIN_DIVERGED)
    g_test_message ("diverged at step %" G_GINT64_FORMAT ", kept %" G_GINT64_FORMAT ", continued after %"
                    G_GINT64_FORMAT, a.diverged_step, a.last_step, at_step);
  /* What the whole run handed over after the state, the continued run hands over. */
  g_assert_cmpuint (c.metrics->len, ==, a.metrics->len - cap.rows_before);
  for (guint i = 0; i < c.metrics->len; i++)
    assert_same_rows (&g_array_index (c.metrics, ReliefTrainMetrics, i),
                      &g_array_index (a.metrics, ReliefTrainMetrics, cap.rows_before + i));
  g_assert_cmpuint (c.snapshots->len, ==, a.snapshots->len - cap.snapshots_before);
  for (guint i = 0; i < c.snapshots->len; i++)
    g_assert_cmpmem (c.snapshots->pdata[i], sizeof (float) * n, a.snapshots->pdata[cap.snapshots_before + i],
                     sizeof (float) * n);
  recorder_clear (&a);
  recorder_clear (&cap.rec);
  recorder_clear (&c);
  g_free (cap.params);
  g_free (cap.previous);
  g_free (cap.optimizer);
}

static void
continue_config (ReliefTrainConfig *config, ReliefOptimizerKind kind, guint64 seed)
{
  relief_train_config_init_defaults (config);
  config->optimizer.kind = kind;
  config->optimizer.lr = kind >= RELIEF_OPT_ADAM ? 0.01f : 0.1f;
  config->optimizer.weight_decay = 0.01f;
  config->epochs = 5;
  config->batch_size = 16;   /* 150 rows: 10 steps an epoch, the last of 6 */
  config->eval_every = 7;
  config->snapshot_every = 5;
  config->seed = seed;
}

/* Continued after step 23 (in the third epoch, two steps after a row), every optimizer
 * gives the rest of the whole run bit for bit: their moments and Adam's step count go on. */
static void
test_continue (void)
{
  static const ReliefOptimizerKind kinds[] = { RELIEF_OPT_SGD, RELIEF_OPT_MOMENTUM, RELIEF_OPT_NESTEROV,
                                               RELIEF_OPT_ADAM, RELIEF_OPT_ADAMW };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      ReliefTrainConfig config;

      continue_config (&config, kinds[k], 11 + k);
      check_continue (&config, 23, RELIEF_TRAIN_COMPLETED);
    }
}

/* A run that diverges right after where it was continued ends where the whole run ends:
 * the step before the state's comes back from the state itself, and the last step's share
 * of the running columns is taken back. */
/* A run that diverges right after where it was continued ends where the whole run ends.
 * At SGD's lr 256 the update of step 4 is finite but the loss at its parameters is not:
 * continued after step 4, the parameters of step 3 come back from the state itself (a
 * step before its own), and step 4's share of the running columns is taken back. */
static void
test_continue_diverging (void)
{
  ReliefTrainConfig config;

  continue_config (&config, RELIEF_OPT_SGD, 3);
  config.optimizer.lr = 256;
  check_continue (&config, 4, RELIEF_TRAIN_DIVERGED);
  check_continue (&config, 2, RELIEF_TRAIN_DIVERGED);
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

  for (ReliefOptimizerKind k = RELIEF_OPT_SGD; k <= RELIEF_OPT_SIGN; k++)
    {
      g_assert_true (relief_enum_from_nick (RELIEF_TYPE_OPTIMIZER_KIND, relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, k),
                                            (int *) &kind, &error));
      g_assert_cmpint (kind, ==, k);
    }
  g_assert_false (relief_enum_from_nick (RELIEF_TYPE_OPTIMIZER_KIND, "lbfgs", (int *) &kind, &error));
  g_assert_nonnull (strstr (error->message, "sgd, momentum, nesterov, adam, adamw, adagrad, rmsprop, sign"));
  g_assert_cmpstr (relief_enum_to_nick (RELIEF_TYPE_TRAIN_STATUS, RELIEF_TRAIN_DIVERGED), ==, "diverged");
}

static const ReliefTrainMetrics *
row (const Recorder *rec, guint i)
{
  return &g_array_index (rec->metrics, ReliefTrainMetrics, i);
}

/* The rows of batch `index` of an epoch, as the batcher cuts them. */
static int
batch_rows (int n_train, int batch_size, int index)
{
  return MIN (batch_size, n_train - index * batch_size);
}

/* The default rule: each row's train columns are the mean over the samples of the batches
 * since the previous row (the batch losses the steps reported, weighted by their rows);
 * the test set is evaluated whole at epoch ends and on a subset elsewhere. */
static void
test_running_mean (void)
{
  const int n_train = 60, batch = 8, spe = 8;   /* 7 batches of 8 and one of 4 */
  g_autoptr(ReliefDataset) ds = make_blobs (n_train, 30);
  g_autoptr(GError) error = NULL;
  g_autofree float *params = g_new (float, n_params ());
  ReliefTrainConfig config;
  gint64 previous = 0;
  Recorder rec;

  relief_train_config_init_defaults (&config);
  config.epochs = 2;
  config.batch_size = batch;
  config.eval_every = 3;      /* 0, 3, 6, 8 (epoch end), 9, 12, 15, 16 */
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_COMPLETED);
  g_assert_no_error (error);
  g_assert_cmpuint (rec.metrics->len, ==, 8);
  g_assert_cmpint (row (&rec, 0)->train_kind, ==, RELIEF_METRIC_SUBSET);
  g_assert_cmpint (row (&rec, 0)->test_kind, ==, RELIEF_METRIC_SUBSET);
  for (guint i = 1; i < rec.metrics->len; i++)
    {
      const ReliefTrainMetrics *m = row (&rec, i);
      double loss_sum = 0.0;
      int rows = 0;

      for (gint64 s = previous + 1; s <= m->step; s++)
        {
          int r = batch_rows (n_train, batch, (int) ((s - 1) % spe));

          loss_sum += g_array_index (rec.batch_losses, double, s - 1) * r;
          rows += r;
        }
      g_assert_cmpint (m->train_kind, ==, RELIEF_METRIC_RUNNING);
      g_assert_cmpint (m->train_samples, ==, rows);
      g_assert_cmpfloat_with_epsilon (m->train_loss, loss_sum / rows, 1e-12 * fabs (loss_sum / rows));
      g_assert_cmpint (m->test_kind, ==, m->step % spe == 0 ? RELIEF_METRIC_FULL : RELIEF_METRIC_SUBSET);
      g_assert_cmpint (m->test_samples, ==, m->step % spe == 0 ? 30 : 16);
      g_assert_cmpfloat (m->metrics_seconds, <=, m->elapsed_seconds);
      previous = m->step;
    }
  recorder_clear (&rec);
}

/* Naive forward of the test model (2-16-16-3 relu) in double: cross-entropy and whether the
 * argmax is the label. */
static double
naive_loss (const float *params, const float *x, int label, gboolean *correct)
{
  double in[16] = { x[0], x[1] }, out[16];
  int n_in = 2, best = 0;
  double max, sum = 0.0;
  gsize offset = 0;

  for (int l = 0; l < 3; l++)
    {
      int n_out = sizes[l + 1];

      for (int o = 0; o < n_out; o++)
        {
          double z = params[offset + (gsize) n_out * n_in + o];

          for (int i = 0; i < n_in; i++)
            z += (double) params[offset + (gsize) o * n_in + i] * in[i];
          out[o] = l < 2 ? MAX (z, 0.0) : z;
        }
      offset += (gsize) n_out * (n_in + 1);
      memcpy (in, out, sizeof (double) * n_out);
      n_in = n_out;
    }
  for (int o = 1; o < 3; o++)
    if (in[o] > in[best])
      best = o;
  max = in[best];
  for (int o = 0; o < 3; o++)
    sum += exp (in[o] - max);
  *correct = best == label;
  return log (sum) + max - in[label];
}

/* With a row every step, each row's running accuracy is its batch's correct count at the
 * parameters the step started from, counted naively here (the backend counts it in the
 * step's loss, on the device). */
static void
test_running_accuracy (void)
{
  const int n_train = 45, batch = 10, spe = 5;
  g_autoptr(ReliefDataset) ds = make_blobs (n_train, 0);
  g_autoptr(GError) error = NULL;
  g_autofree float *params = g_new (float, n_params ());
  g_autofree int *perm = g_new (int, n_train);
  ReliefTrainConfig config;
  Recorder rec;

  relief_train_config_init_defaults (&config);
  config.optimizer.lr = 0.05f;     /* large steps: accuracies that change from batch to batch */
  config.epochs = 3;
  config.batch_size = batch;
  config.eval_every = 1;
  config.snapshot_every = 1;
  config.seed = 4;
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_COMPLETED);
  g_assert_no_error (error);
  g_assert_cmpuint (rec.metrics->len, ==, 16);
  g_assert_cmpuint (rec.snapshots->len, ==, 16);
  for (guint s = 1; s < rec.metrics->len; s++)
    {
      const float *before = g_ptr_array_index (rec.snapshots, s - 1);
      int epoch = (int) ((s - 1) / spe), index = (int) ((s - 1) % spe), rows = batch_rows (n_train, batch, index);
      double loss = 0.0;
      int correct = 0;

      relief_rng_permutation (relief_rng_derive (config.seed, "shuffle"), (guint64) epoch, perm, n_train);
      for (int r = 0; r < rows; r++)
        {
          int i = perm[index * batch + r];
          gboolean right;

          loss += naive_loss (before, ds->x_train + 2 * i, ds->y_train[i], &right);
          correct += right;
        }
      g_assert_cmpint (row (&rec, s)->train_kind, ==, RELIEF_METRIC_RUNNING);
      g_assert_cmpfloat (row (&rec, s)->train_acc, ==, (double) correct / rows);
      g_assert_cmpfloat_with_epsilon (row (&rec, s)->train_loss, loss / rows, 1e-5);
    }
  recorder_clear (&rec);
}

/* The default cadence: about 100 rows over the run (never more), and every epoch end. */
static void
test_default_cadence (void)
{
  g_autoptr(ReliefDataset) ds = make_blobs (90, 20);
  g_autoptr(GError) error = NULL;
  g_autofree float *params = g_new (float, n_params ());
  ReliefTrainConfig config;
  int full = 0;
  Recorder rec;

  relief_train_config_init_defaults (&config);
  config.epochs = 40;
  config.batch_size = 8;      /* 12 steps per epoch, 480 in all: a row every 5 steps */
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_COMPLETED);
  g_assert_no_error (error);
  /* step 0, the 96 multiples of 5, and the 40 epoch ends less the 8 at multiples of 60 */
  g_assert_cmpuint (rec.metrics->len, ==, 1 + 96 + 32);
  for (guint i = 0; i < rec.metrics->len; i++)
    {
      const ReliefTrainMetrics *m = row (&rec, i);

      g_assert_true (m->step % 5 == 0 || m->step % 12 == 0);
      full += m->test_kind == RELIEF_METRIC_FULL;
      g_assert_cmpint (m->test_kind == RELIEF_METRIC_FULL, ==, m->step > 0 && m->step % 12 == 0);
    }
  g_assert_cmpint (full, ==, 40);
  recorder_clear (&rec);
}

/* Full evaluation on request: every row of both splits in full, at the row's parameters;
 * or a fixed subset of N samples of each. */
static void
test_eval_samples (void)
{
  g_autoptr(ReliefDataset) ds = make_blobs (60, 30);
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU,
                                                       RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefMlp) mlp = relief_mlp_new (be, spec, 64, NULL);
  g_autoptr(GError) error = NULL;
  gsize n = n_params ();
  g_autofree float *params = g_new (float, n);
  float *device = be->alloc (be, sizeof (float) * n, NULL);
  ReliefTrainConfig config;
  Recorder rec;

  relief_train_config_init_defaults (&config);
  config.epochs = 2;
  config.batch_size = 6;      /* 10 steps per epoch */
  config.eval_every = 4;
  config.snapshot_every = 4;  /* 0, 4, 8, 12, 16, 20: the rows but 10 */
  config.eval_samples = RELIEF_EVAL_ALL;
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_COMPLETED);
  g_assert_no_error (error);
  g_assert_cmpuint (rec.metrics->len, ==, 7);
  for (guint i = 0, snap = 0; i < rec.metrics->len; i++)
    {
      const ReliefTrainMetrics *m = row (&rec, i);
      double loss, acc;

      g_assert_cmpint (m->train_kind, ==, RELIEF_METRIC_FULL);
      g_assert_cmpint (m->test_kind, ==, RELIEF_METRIC_FULL);
      g_assert_cmpint (m->train_samples, ==, 60);
      g_assert_cmpint (m->test_samples, ==, 30);
      if (m->step % 4 != 0)
        continue;
      g_assert_true (be->upload (be, device, g_ptr_array_index (rec.snapshots, snap++), sizeof (float) * n, NULL));
      g_assert_true (relief_mlp_evaluate (mlp, device, ds->x_train, ds->y_train, 60, &loss, &acc, &error));
      g_assert_cmpfloat (m->train_loss, ==, loss);
      g_assert_cmpfloat (m->train_acc, ==, acc);
    }
  recorder_clear (&rec);

  config.eval_samples = 25;
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_COMPLETED);
  for (guint i = 0; i < rec.metrics->len; i++)
    {
      g_assert_cmpint (row (&rec, i)->train_kind, ==, RELIEF_METRIC_SUBSET);
      g_assert_cmpint (row (&rec, i)->train_samples, ==, 25);
      g_assert_cmpint (row (&rec, i)->test_kind, ==, RELIEF_METRIC_SUBSET);
      g_assert_cmpint (row (&rec, i)->test_samples, ==, 25);
    }
  recorder_clear (&rec);

  config.eval_samples = -2;
  recorder_init (&rec);
  g_assert_cmpint (run_training (ds, &config, params, &rec, NULL, &error), ==, RELIEF_TRAIN_FAILED);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  recorder_clear (&rec);
  be->free (be, device);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/compute/train/loss-decreases", test_loss_decreases);
  g_test_add_func ("/compute/train/intervals", test_intervals);
  g_test_add_func ("/compute/train/log-schedule", test_log_schedule);
  g_test_add_func ("/compute/train/log-metrics", test_log_metrics);
  g_test_add_func ("/compute/train/reproducible", test_reproducible);
  g_test_add_func ("/compute/train/cancel", test_cancel);
  g_test_add_func ("/compute/train/diverges", test_diverges);
  g_test_add_func ("/compute/train/diverges-first-step", test_diverges_first_step);
  g_test_add_func ("/compute/train/continue", test_continue);
  g_test_add_func ("/compute/train/continue-diverging", test_continue_diverging);
  g_test_add_func ("/compute/train/bad-input", test_bad_input);
  g_test_add_func ("/compute/train/defaults", test_defaults);
  g_test_add_func ("/compute/train/names", test_names);
  g_test_add_func ("/compute/train/running-mean", test_running_mean);
  g_test_add_func ("/compute/train/running-accuracy", test_running_accuracy);
  g_test_add_func ("/compute/train/default-cadence", test_default_cadence);
  g_test_add_func ("/compute/train/eval-samples", test_eval_samples);
  return g_test_run ();
}

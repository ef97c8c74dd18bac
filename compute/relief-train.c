/* relief-train.c: mini-batch training on a backend.
 *
 * The data set is uploaded once; each step gathers its rows on the device.  Every random
 * choice comes from relief-rng and every reduction runs in a fixed order, so a seed
 * reproduces a run bit for bit.
 *
 * Metrics follow the budget the tools people know keep (Keras, Lightning): the train
 * columns come free from the steps' own losses, the test set is evaluated whole once per
 * epoch, and the rows between epoch ends evaluate a fixed test subset sized to the budget. */
#include "relief-train.h"
#include "relief-batcher.h"
#include "relief-hessian.h"
#include "relief-regions.h"
#include "relief-rng.h"
#include "relief-stepper.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

void
relief_train_config_init_defaults (ReliefTrainConfig *config)
{
  *config = (ReliefTrainConfig) {
    .optimizer = {
      .kind = RELIEF_OPT_ADAM,
      .lr = 0.01f,
      .momentum = 0.9f,
      .weight_decay = 0.0f,
      .beta1 = 0.9f,
      .beta2 = 0.999f,
      .eps = 1e-8f,
    },
    .batch_size = 32,
    .epochs = 20,
    .snapshot_every = 0,
    .eval_every = 0,
    .eval_per_decade = 0,
    .eval_samples = 0,
    .seed = 0,
    .curvature_every = 0,
    .curvature_samples = 0,
    .curvature_trace = FALSE,
    .curvature_min = FALSE,
    .complexity_every = 0,
    .complexity_per_decade = 0,
    .complexity_radius = 0,
    .complexity_points = 0,
    .complexity_samples = 0,
    .init_scale = 1,
  };
}

static gint64
log_schedule_step (int per_decade, gint64 i)
{
  return (gint64) floor (pow (10.0, (double) i / per_decade) + 0.5);
}

gboolean
relief_log_schedule_due (int per_decade, gint64 step)
{
  gint64 lo, hi;

  g_return_val_if_fail (per_decade >= 1, FALSE);
  if (step <= 0)
    return step == 0;
  /* The i whose 10^(i / per_decade) rounds to step lie in [K log10(step - 1/2),
   * K log10(step + 1/2)); a margin of one either side absorbs the logarithms' rounding. */
  lo = MAX (0, (gint64) ceil (per_decade * log10 (step - 0.5)) - 1);
  hi = (gint64) floor (per_decade * log10 (step + 0.5)) + 1;
  for (gint64 i = lo; i <= hi; i++)
    if (log_schedule_step (per_decade, i) == step)
      return TRUE;
  return FALSE;
}

gboolean
relief_train_complexity_tracked (const ReliefTrainConfig *config)
{
  return config->complexity_every > 0 || config->complexity_per_decade > 0;
}

gboolean
relief_train_complexity_due (const ReliefTrainConfig *config, gint64 step, gint64 total_steps)
{
  if (config->complexity_per_decade > 0)
    return relief_log_schedule_due (config->complexity_per_decade, step) || step == total_steps;
  return config->complexity_every > 0 && step % config->complexity_every == 0;
}

/* The metrics rows of a log-spaced schedule after step 0, up to the last step (which
 * always has one), and how many of them fall at an epoch's end. */
static gint64
log_schedule_rows (int per_decade, gint64 total_steps, int steps_per_epoch, gint64 *at_epoch_end)
{
  gint64 rows = 0, last = 0;

  *at_epoch_end = 0;
  for (gint64 i = 0;; i++)
    {
      gint64 s = MIN (log_schedule_step (per_decade, i), total_steps);

      if (s != last)
        {
          rows++;
          *at_epoch_end += s % steps_per_epoch == 0;
          last = s;
        }
      if (s >= total_steps)
        return rows;
    }
}

/* Everything one run holds on the device, freed in one place. */
typedef struct {
  ReliefBackend *backend;
  ReliefMlp     *mlp;
  ReliefBatcher *batcher;
  float         *params;
  float         *params_before;   /* the parameters before the last update, for divergence */
  float         *params_before2;  /* and before the one before it (the last whose loss was finite when
                                   * the loss at params_before is not) */
  float         *grad;
  float         *state;
  float         *params_host;     /* host copy handed to snapshot callbacks */
  float         *state_host;      /* host copies of the optimizer state and of params_before, for checkpoints */
  float         *before_host;
  gsize          n_state;
  const ReliefOptimizerConfig *optimizer;
  gsize          n_params;
  ReliefStepper *stepper;

  /* metrics */
  int            eval_samples;    /* the config's */
  int            n_sub_train, n_sub_test;   /* subset sizes; equal to the split's: the split itself */
  float         *x_sub_train, *x_sub_test;  /* the subsets' rows on the host, NULL for a whole split */
  int32_t       *y_sub_train, *y_sub_test;
  double         run_loss_sum;    /* the batches since the last row: loss summed over rows */
  gint64         run_correct, run_rows;
  double         step_loss_sum;   /* the last step's share of them, taken back when it diverged */
  gint64         step_correct, step_rows;
  gint64         start_us, metrics_us;

  /* curvature tracking */
  ReliefHessian *hessian;         /* over the fixed subset; NULL when not tracked */
  float         *curvature_start; /* host: the last top eigenvector, the next Lanczos start */
  gboolean       has_curvature_start;
  gint64         curvature_us;

  /* complexity tracking: the fixed points of each set (train, test, random), host */
  float         *complexity_points[3];
  int            complexity_n[3];
  double         complexity_radius;
  int            complexity_dirs;
  ReliefPlane   *complexity_plane;  /* the input plane of a 2-input piecewise-linear model, or NULL */
  gint64         complexity_us;
} TrainRun;

/* One step on the device: the prepared batch's gradient and the guarded update.  The
 * loss and the new parameters' sum of squares stay on the device for the fetch. */
static gboolean
train_step_body (gpointer data, const gint64 *step_dev, GError **error)
{
  TrainRun *run = data;
  const float *x_batch;
  const int32_t *y_batch;
  int rows;

  return relief_batcher_gather_prepared (run->batcher, &x_batch, &y_batch, &rows, error) &&
         relief_mlp_forward_backward (run->mlp, run->params, x_batch, y_batch, rows, run->grad, NULL, NULL, error) &&
         relief_stepper_update (run->backend, run->optimizer, step_dev, run->params, run->params_before,
                                run->params_before2, run->grad, run->state, run->n_params, error);
}

static void
train_run_clear (TrainRun *run)
{
  ReliefBackend *be = run->backend;
  float **device_floats[] = { &run->params, &run->params_before, &run->params_before2, &run->grad, &run->state };

  g_clear_pointer (&run->stepper, relief_stepper_free);
  g_clear_pointer (&run->hessian, relief_hessian_free);
  g_free (run->curvature_start);
  for (int k = 0; k < 3; k++)
    g_free (run->complexity_points[k]);
  g_clear_pointer (&run->complexity_plane, relief_plane_free);
  for (guint i = 0; i < G_N_ELEMENTS (device_floats); i++)
    if (*device_floats[i] != NULL)
      be->free (be, *device_floats[i]);
  g_clear_pointer (&run->batcher, relief_batcher_free);
  g_clear_pointer (&run->mlp, relief_mlp_free);
  g_free (run->params_host);
  g_free (run->state_host);
  g_free (run->before_host);
  g_free (run->x_sub_train);
  g_free (run->y_sub_train);
  g_free (run->x_sub_test);
  g_free (run->y_sub_test);
}

gboolean
relief_train_check_inputs (const ReliefMlpSpec *spec, const ReliefDataset *ds, const ReliefTrainConfig *config,
                           GError **error)
{
  if (!relief_dataset_validate (ds, error))
    return FALSE;
  if (spec->sizes[0] != ds->n_features || spec->sizes[spec->n_layers] != ds->n_classes)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The model maps %d inputs to %d outputs but the data set has %d features and %d classes"),
                   spec->sizes[0], spec->sizes[spec->n_layers], ds->n_features, ds->n_classes);
      return FALSE;
    }
  if (config->batch_size < 1 || config->epochs < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Batch size and epochs must be at least 1 (got %d, %d)"), config->batch_size, config->epochs);
      return FALSE;
    }
  return TRUE;
}

int
relief_train_workspace_rows (const ReliefDataset *ds, int batch_size)
{
  return MAX (MIN (batch_size, ds->n_train), MIN (1024, MAX (ds->n_train, ds->n_test)));
}

static gboolean
check_inputs (const ReliefMlpSpec *spec, const ReliefDataset *ds, const ReliefTrainConfig *config,
              GError **error)
{
  if (!relief_train_check_inputs (spec, ds, config, error))
    return FALSE;
  if (config->snapshot_every < 0 || config->eval_every < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Snapshot and evaluation intervals must be at least 0 (got %d, %d)"),
                   config->snapshot_every, config->eval_every);
      return FALSE;
    }
  if (config->curvature_every < 0 || config->curvature_samples < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Curvature interval and samples must be at least 0 (got %d, %d)"),
                   config->curvature_every, config->curvature_samples);
      return FALSE;
    }
  if (config->eval_per_decade < 0 || config->eval_per_decade > RELIEF_LOG_SCHEDULE_MAX ||
      config->complexity_per_decade < 0 || config->complexity_per_decade > RELIEF_LOG_SCHEDULE_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Log-spaced schedules take 1 to %d steps a decade (got %d, %d)"), RELIEF_LOG_SCHEDULE_MAX,
                   config->eval_per_decade, config->complexity_per_decade);
      return FALSE;
    }
  if (config->complexity_every < 0 || config->complexity_samples < 0 || !(config->complexity_radius >= 0) ||
      !isfinite (config->complexity_radius) || config->complexity_points > RELIEF_COMPLEXITY_ALL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Complexity interval, samples and radius must be at least 0 (got %d, %d, %g)"),
                   config->complexity_every, config->complexity_samples, config->complexity_radius);
      return FALSE;
    }
  if (config->eval_samples < RELIEF_EVAL_ALL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Evaluation samples must be at least 1, or all (got %d)"), config->eval_samples);
      return FALSE;
    }
  return TRUE;
}

/* The default rule's budget: rows evaluated per row trained over the run.  A forward pass
 * costs about a third of a training step per row (forward, backward, update; measured on
 * MNIST 784-200-200-10), so this keeps metrics, their writing included, within 10% of the
 * training time (6 to 9% measured on one MNIST epoch). */
#define EVAL_ROWS_PER_TRAIN_ROW 0.2
/* An evaluation's fixed cost, in rows: the products of a small subset run well below the
 * BLAS's pace. */
#define EVAL_CALL_ROWS 32
/* The smallest subset the default rule evaluates.  One-epoch runs, whose full test set at
 * the end takes most of the budget, and runs whose test split is a fifth of the training
 * set or more come down to it. */
#define MIN_EVAL_SUBSET 16

static gint64
gcd64 (gint64 a, gint64 b)
{
  while (b != 0)
    {
      gint64 t = a % b;

      a = b;
      b = t;
    }
  return a;
}

/* The default rule's subset size: whatever the budget leaves after the full test sets of
 * the epoch ends, shared by the subset evaluations (both splits at step 0, the test split
 * at every row between epoch ends).  Without a test split only step 0 evaluates. */
static int
default_subset (const ReliefDataset *ds, int epochs, int steps_per_epoch, gint64 total_steps, int eval_every,
                int eval_per_decade)
{
  int n = ds->n_test > 0 ? ds->n_test : ds->n_train;
  gint64 full = epochs, between;
  double budget, evaluations, size;

  if (eval_per_decade > 0)
    {
      /* The rows at epoch ends evaluate the test set in full, the others its subset. */
      between = log_schedule_rows (eval_per_decade, total_steps, steps_per_epoch, &full);
      between -= full;
    }
  else
    {
      gint64 lcm = eval_every / gcd64 (eval_every, steps_per_epoch) * (gint64) steps_per_epoch;

      between = total_steps / eval_every - total_steps / lcm;
    }
  budget = EVAL_ROWS_PER_TRAIN_ROW * epochs * (double) ds->n_train - (double) full * ds->n_test;
  evaluations = ds->n_test > 0 ? between + 2 : 1;
  size = budget / evaluations - EVAL_CALL_ROWS;

  return (int) CLAMP (size, MIN (n, MIN_EVAL_SUBSET), n);
}

/* A fixed random subset of m of the n rows of (x, y), or NULL copies when m is all. */
static void
draw_subset (const float *x, const int32_t *y, int n, int n_features, int m, guint64 seed, guint64 stream,
             float **x_sub, int32_t **y_sub)
{
  g_autofree int *perm = NULL;

  if (m >= n)
    return;
  perm = g_new (int, n);
  relief_rng_permutation (relief_rng_derive (seed, "eval"), stream, perm, n);
  *x_sub = g_new (float, (gsize) m * n_features);
  *y_sub = g_new (int32_t, m);
  for (int i = 0; i < m; i++)
    {
      memcpy (*x_sub + (gsize) i * n_features, x + (gsize) perm[i] * n_features, sizeof (float) * n_features);
      (*y_sub)[i] = y[perm[i]];
    }
}

static void
prepare_subsets (TrainRun *run, const ReliefDataset *ds, const ReliefTrainConfig *config, int steps_per_epoch,
                 gint64 total_steps, int eval_every)
{
  int m = config->eval_samples;

  if (m == RELIEF_EVAL_ALL)
    m = MAX (ds->n_train, ds->n_test);
  else if (m == 0)
    m = default_subset (ds, config->epochs, steps_per_epoch, total_steps, eval_every, config->eval_per_decade);
  run->eval_samples = config->eval_samples;
  run->n_sub_train = MIN (m, ds->n_train);
  run->n_sub_test = MIN (m, ds->n_test);
  draw_subset (ds->x_train, ds->y_train, ds->n_train, ds->n_features, run->n_sub_train, config->seed, 0,
               &run->x_sub_train, &run->y_sub_train);
  if (ds->n_test > 0)
    draw_subset (ds->x_test, ds->y_test, ds->n_test, ds->n_features, run->n_sub_test, config->seed, 1,
                 &run->x_sub_test, &run->y_sub_test);
}

static gboolean
alloc_floats (ReliefBackend *be, float **out, gsize n, GError **error)
{
  *out = be->alloc (be, sizeof (float) * n, error);
  return *out != NULL;
}

/* Evaluates one split, whole or its subset. */
static gboolean
evaluate_split (TrainRun *run, const float *x, const int32_t *y, int n, const float *x_sub, const int32_t *y_sub,
                int n_sub, gboolean whole, double *loss, double *acc, ReliefMetricKind *kind, int *samples,
                GError **error)
{
  whole = whole || x_sub == NULL;
  *kind = whole ? RELIEF_METRIC_FULL : RELIEF_METRIC_SUBSET;
  *samples = whole ? n : n_sub;
  return relief_mlp_evaluate (run->mlp, run->params, whole ? x : x_sub, whole ? y : y_sub, *samples, loss, acc,
                              error);
}

static gboolean
emit_metrics (TrainRun *run, const ReliefDataset *ds, const ReliefTrainCallbacks *cb, gint64 step,
              gint64 total_steps, int steps_per_epoch, double batch_loss, GError **error)
{
  ReliefTrainMetrics m = {
    .step = step,
    .total_steps = total_steps,
    .epoch = (double) step / steps_per_epoch,
    .test_loss = NAN,
    .test_acc = NAN,
    .batch_loss = batch_loss,
  };
  gboolean by_default = run->eval_samples == 0;
  gboolean epoch_end = step > 0 && step % steps_per_epoch == 0;
  gint64 begin = g_get_monotonic_time (), end;
  gboolean ok;

  if (cb == NULL || cb->metrics == NULL)
    return TRUE;
  if (by_default && run->run_rows > 0)
    {
      m.train_loss = run->run_loss_sum / run->run_rows;
      m.train_acc = (double) run->run_correct / run->run_rows;
      m.train_kind = RELIEF_METRIC_RUNNING;
      m.train_samples = (int) run->run_rows;
    }
  else if (!evaluate_split (run, ds->x_train, ds->y_train, ds->n_train, run->x_sub_train, run->y_sub_train,
                            run->n_sub_train, run->eval_samples == RELIEF_EVAL_ALL, &m.train_loss, &m.train_acc,
                            &m.train_kind, &m.train_samples, error))
    return FALSE;
  if (ds->n_test > 0 &&
      !evaluate_split (run, ds->x_test, ds->y_test, ds->n_test, run->x_sub_test, run->y_sub_test, run->n_sub_test,
                       run->eval_samples == RELIEF_EVAL_ALL || (by_default && epoch_end), &m.test_loss,
                       &m.test_acc, &m.test_kind, &m.test_samples, error))
    return FALSE;
  run->run_loss_sum = 0.0;
  run->run_correct = run->run_rows = 0;

  end = g_get_monotonic_time ();
  m.metrics_seconds = (run->metrics_us + end - begin) / 1e6;
  m.curvature_seconds = run->curvature_us / 1e6;
  m.complexity_seconds = run->complexity_us / 1e6;
  m.elapsed_seconds = (end - run->start_us) / 1e6;
  ok = cb->metrics (&m, cb->user_data, error);
  /* The callback's own work (writing the row) is the metrics' cost too. */
  run->metrics_us += g_get_monotonic_time () - begin;
  return ok;
}

static gboolean
emit_snapshot (TrainRun *run, const ReliefTrainCallbacks *cb, gint64 step, int steps_per_epoch, gsize n_params,
               GError **error)
{
  ReliefBackend *be = run->backend;

  if (cb == NULL || cb->snapshot == NULL)
    return TRUE;
  return be->download (be, run->params_host, run->params, sizeof (float) * n_params, error) &&
         cb->snapshot (step, (double) step / steps_per_epoch, run->params_host, n_params, cb->user_data, error);
}

/* A trace within 2% (one standard error), from 10 probes on. */
#define CURVATURE_TRACE_REL_TOL 0.02
#define CURVATURE_TRACE_MIN_PROBES 10

/* The subset tracked: the first curvature_samples training samples. */
static int
curvature_subset (const ReliefTrainConfig *config, const ReliefDataset *ds)
{
  int n = config->curvature_samples > 0 ? config->curvature_samples : RELIEF_CURVATURE_DEFAULT_SAMPLES;

  return MIN (n, ds->n_train);
}

/* Measures the curvature at the current parameters and hands the row over.  The
 * measurement is not cancelled midway (it is bounded); the step loop sees a cancel next. */
static gboolean
emit_curvature (TrainRun *run, const ReliefTrainConfig *config, const ReliefTrainCallbacks *cb, gint64 step,
                GError **error)
{
  g_autoptr(ReliefEigenpairs) top = NULL;
  g_autoptr(ReliefEigenpairs) bottom = NULL;
  ReliefLanczosSettings settings;
  ReliefLanczosInfo info;
  ReliefTraceResult trace = { 0 };
  ReliefCurvatureRow row = {
    .step = step,
    .lambda_max = NAN,
    .lambda_max_residual = NAN,
    .lambda_min = NAN,
    .trace = NAN,
    .trace_stderr = NAN,
    .samples = relief_hessian_n_samples (run->hessian),
  };
  gint64 begin = g_get_monotonic_time (), hvps = relief_hessian_hvp_count (run->hessian);
  gboolean ok;

  relief_lanczos_settings_init_defaults (&settings);
  settings.k = 1;
  settings.smallest = config->curvature_min;
  settings.max_iter = RELIEF_CURVATURE_LANCZOS_STEPS;
  settings.seed = relief_rng_derive (config->seed, "curvature");
  settings.start = run->has_curvature_start ? run->curvature_start : NULL;
  if (!relief_hessian_set_params (run->hessian, run->params, error) ||
      !relief_hessian_lanczos (run->hessian, &settings, &top, config->curvature_min ? &bottom : NULL, &info, NULL,
                               error))
    return FALSE;
  /* Parameters about to diverge can give no finite curvature: recorded as NaN (not
   * measured), and the next measurement starts afresh. */
  run->has_curvature_start = FALSE;
  if (top->n > 0 && isfinite (top->values[0]))
    {
      row.lambda_max = top->values[0];
      row.lambda_max_residual = isfinite (top->residuals[0]) ? top->residuals[0] : NAN;
      memcpy (run->curvature_start, top->vectors, sizeof (float) * run->n_params);
      run->has_curvature_start = TRUE;
    }
  /* The next start is the top eigenvector alone, whether or not lambda_min is tracked:
   * where it is exact (a quadratic loss), Lanczos restarts from its breakdown. */
  if (bottom != NULL && bottom->n > 0 && isfinite (bottom->values[0]))
    row.lambda_min = bottom->values[0];
  if (config->curvature_trace)
    {
      /* Other probes at every measurement, the same ones in a resumed run. */
      if (!relief_hessian_trace (run->hessian, CURVATURE_TRACE_REL_TOL, CURVATURE_TRACE_MIN_PROBES,
                                 RELIEF_CURVATURE_TRACE_MAX_PROBES,
                                 relief_rng_derive (config->seed ^ (guint64) step, "curvature-trace"), &trace, NULL,
                                 error))
        return FALSE;
      row.trace = isfinite (trace.trace) ? trace.trace : NAN;
      row.trace_stderr = isfinite (trace.stderr_) ? trace.stderr_ : NAN;
    }
  row.hvps = relief_hessian_hvp_count (run->hessian) - hvps;
  row.seconds = (run->curvature_us + g_get_monotonic_time () - begin) / 1e6;
  ok = cb == NULL || cb->curvature == NULL || cb->curvature (&row, cb->user_data, error);
  run->curvature_us += g_get_monotonic_time () - begin;
  return ok;
}

double
relief_train_complexity_radius (const ReliefTrainConfig *config, const ReliefDataset *ds)
{
  int D = ds->n_features;
  g_autofree double *mean = g_new0 (double, D);
  double sq = 0;

  if (config->complexity_radius > 0)
    return config->complexity_radius;
  for (int i = 0; i < ds->n_train; i++)
    for (int k = 0; k < D; k++)
      mean[k] += ds->x_train[(gsize) i * D + k] / ds->n_train;
  for (int i = 0; i < ds->n_train; i++)
    for (int k = 0; k < D; k++)
      {
        double d = ds->x_train[(gsize) i * D + k] - mean[k];

        sq += d * d / ds->n_train;
      }
  return sq > 0 ? RELIEF_COMPLEXITY_RADIUS_SHARE * sqrt (sq) : RELIEF_COMPLEXITY_RADIUS_SHARE;
}

int
relief_train_complexity_dirs (const ReliefDataset *ds)
{
  return ds->n_features <= RELIEF_COMPLEXITY_ALL_DIRECTIONS_UP_TO ? 0
                                                                  : MIN (RELIEF_COMPLEXITY_DIRECTIONS, ds->n_features);
}

void
relief_train_complexity_box (const ReliefDataset *ds, double box[4])
{
  double lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };

  for (int split = 0; split < 2; split++)
    {
      const float *x = split == 0 ? ds->x_train : ds->x_test;
      int n = split == 0 ? ds->n_train : ds->n_test;

      for (int i = 0; x != NULL && i < n; i++)
        for (int k = 0; k < 2; k++)
          {
            lo[k] = MIN (lo[k], x[(gsize) i * ds->n_features + k]);
            hi[k] = MAX (hi[k], x[(gsize) i * ds->n_features + k]);
          }
    }
  for (int k = 0; k < 2; k++)
    {
      double size;

      if (!isfinite (lo[k]))
        lo[k] = hi[k] = 0;
      size = hi[k] > lo[k] ? hi[k] - lo[k] : 1;
      box[2 * k] = lo[k] - 0.1 * size;
      box[2 * k + 1] = hi[k] + 0.1 * size;
    }
}

float *
relief_train_complexity_points (const ReliefTrainConfig *config, const ReliefDataset *ds, ReliefComplexityPoints set,
                                int *n_out)
{
  int want = config->complexity_samples > 0 ? config->complexity_samples : RELIEF_COMPLEXITY_DEFAULT_SAMPLES;
  int D = ds->n_features, n;
  float *points;

  switch (set)
    {
    case RELIEF_COMPLEXITY_TRAIN:
      n = MIN (want, ds->n_train);
      *n_out = n;
      return n > 0 ? g_memdup2 (ds->x_train, sizeof (float) * n * D) : NULL;
    case RELIEF_COMPLEXITY_TEST:
      n = ds->x_test != NULL ? MIN (want, ds->n_test) : 0;
      *n_out = n;
      return n > 0 ? g_memdup2 (ds->x_test, sizeof (float) * n * D) : NULL;
    case RELIEF_COMPLEXITY_RANDOM:
    default:
      {
        guint64 seed = relief_rng_derive (config->seed, "complexity-random");
        g_autofree float *lo = g_new (float, D), *hi = g_new (float, D);

        for (int k = 0; k < D; k++)
          lo[k] = G_MAXFLOAT, hi[k] = -G_MAXFLOAT;
        for (int i = 0; i < ds->n_train; i++)
          for (int k = 0; k < D; k++)
            {
              lo[k] = MIN (lo[k], ds->x_train[(gsize) i * D + k]);
              hi[k] = MAX (hi[k], ds->x_train[(gsize) i * D + k]);
            }
        n = ds->n_train > 0 ? want : 0;
        *n_out = n;
        if (n == 0)
          return NULL;
        points = g_new (float, (gsize) n * D);
        for (gsize i = 0; i < (gsize) n * D; i++)
          {
            int k = (int) (i % D);

            points[i] = (float) (lo[k] + (hi[k] - lo[k]) * relief_rng_uniform (seed, i));
          }
        return points;
      }
    }
}

/* The points, radius, directions and plane of complexity tracking, fixed for the run. */
static void
prepare_complexity (TrainRun *run, const ReliefMlpSpec *spec, const ReliefDataset *ds, const ReliefTrainConfig *config)
{
  static const ReliefComplexityPoints sets[3] = { RELIEF_COMPLEXITY_TRAIN, RELIEF_COMPLEXITY_TEST,
                                                  RELIEF_COMPLEXITY_RANDOM };
  guint wanted = config->complexity_points != 0 ? config->complexity_points : RELIEF_COMPLEXITY_ALL;

  for (int k = 0; k < 3; k++)
    if (wanted & sets[k])
      run->complexity_points[k] = relief_train_complexity_points (config, ds, sets[k], &run->complexity_n[k]);
  run->complexity_radius = relief_train_complexity_radius (config, ds);
  run->complexity_dirs = relief_train_complexity_dirs (ds);
  if (spec->sizes[0] == 2 && (spec->activation == RELIEF_ACT_RELU || spec->activation == RELIEF_ACT_LEAKY_RELU))
    {
      double box[4];

      relief_train_complexity_box (ds, box);
      run->complexity_plane = relief_plane_new_input (box[0], box[1], box[2], box[3]);
    }
}

/* Measures the local complexity (and the regions of the input plane) at the current
 * parameters and hands the row over; not cancelled midway (bounded). */
static gboolean
emit_complexity (TrainRun *run, const ReliefMlpSpec *spec, const ReliefTrainConfig *config,
                 const ReliefTrainCallbacks *cb, gint64 step, GError **error)
{
  ReliefBackend *be = run->backend;
  ReliefComplexityRow row = { .step = step, .train = NAN, .test = NAN, .random = NAN, .regions = NAN,
                              .radius = run->complexity_radius };
  double *means[3] = { &row.train, &row.test, &row.random };
  guint64 seed = relief_rng_derive (config->seed, "complexity");
  gint64 begin = g_get_monotonic_time ();
  gboolean ok;

  if (!be->download (be, run->params_host, run->params, sizeof (float) * run->n_params, error))
    return FALSE;
  for (int k = 0; k < 3; k++)
    {
      g_autofree int *total = NULL;
      double sum = 0;
      int n = run->complexity_n[k];

      if (run->complexity_points[k] == NULL || n == 0)
        continue;
      total = g_new (int, n);
      if (!relief_local_complexity (be, spec, run->params_host, run->complexity_points[k], n, run->complexity_radius,
                                    run->complexity_dirs, seed, NULL, total, error))
        return FALSE;
      for (int i = 0; i < n; i++)
        sum += total[i];
      *means[k] = sum / n;
    }
  row.n_train = run->complexity_points[0] ? run->complexity_n[0] : 0;
  row.n_test = run->complexity_points[1] ? run->complexity_n[1] : 0;
  row.n_random = run->complexity_points[2] ? run->complexity_n[2] : 0;
  if (run->complexity_plane != NULL)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(ReliefRegions) regions = relief_regions_compute (spec, run->params_host, run->complexity_plane,
                                                                 RELIEF_COMPLEXITY_MAX_REGIONS, NULL, &local);

      /* Too many to count (or parameters about to diverge) is no count: NaN. */
      if (regions != NULL)
        row.regions = regions->n_regions;
    }
  row.seconds = (run->complexity_us + g_get_monotonic_time () - begin) / 1e6;
  ok = cb == NULL || cb->complexity == NULL || cb->complexity (&row, cb->user_data, error);
  run->complexity_us += g_get_monotonic_time () - begin;
  return ok;
}

/* Hands the run's state to the checkpoint callback: after step `step`, its rows and
 * snapshot handed over. */
static gboolean
emit_checkpoint (TrainRun *run, const ReliefTrainCallbacks *cb, gint64 step, gint64 last_metrics,
                 gint64 last_snapshot, gboolean cancelled, GError **error)
{
  ReliefBackend *be = run->backend;
  gint64 now = g_get_monotonic_time ();
  ReliefTrainState state = {
    .step = step,
    .n_params = run->n_params,
    .params = run->params_host,
    .n_state = run->n_state,
    .run_loss_sum = run->run_loss_sum,
    .run_correct = run->run_correct,
    .run_rows = run->run_rows,
    .step_loss_sum = run->step_loss_sum,
    .step_correct = run->step_correct,
    .step_rows = run->step_rows,
    .last_metrics = last_metrics,
    .last_snapshot = last_snapshot,
    .elapsed_seconds = (now - run->start_us) / 1e6,
    .metrics_seconds = run->metrics_us / 1e6,
    .curvature_seconds = run->curvature_us / 1e6,
    .complexity_seconds = run->complexity_us / 1e6,
    .curvature_start = run->has_curvature_start ? run->curvature_start : NULL,
    .cancelled = cancelled,
  };

  if (cb == NULL || cb->checkpoint == NULL)
    return TRUE;
  if (run->state_host == NULL)
    {
      run->state_host = g_new (float, MAX (run->n_state, 1));
      run->before_host = g_new (float, run->n_params);
    }
  state.optimizer_state = run->state_host;
  state.previous_params = run->before_host;
  return be->download (be, run->params_host, run->params, sizeof (float) * run->n_params, error) &&
         be->download (be, run->before_host, run->params_before, sizeof (float) * run->n_params, error) &&
         (run->n_state == 0 ||
          be->download (be, run->state_host, run->state, sizeof (float) * run->n_state, error)) &&
         cb->checkpoint (&state, cb->user_data, error);
}

ReliefTrainStatus
relief_train (ReliefBackend *backend, const ReliefMlpSpec *spec, const ReliefDataset *ds,
              const ReliefTrainConfig *config, float *params_host,
              const ReliefTrainCallbacks *callbacks, GCancellable *cancellable,
              GError **error)
{
  return relief_train_from (backend, spec, ds, config, NULL, params_host, callbacks, cancellable, error);
}

ReliefTrainStatus
relief_train_from (ReliefBackend *backend, const ReliefMlpSpec *spec, const ReliefDataset *ds,
                   const ReliefTrainConfig *config, const ReliefTrainState *from, float *params_host,
                   const ReliefTrainCallbacks *callbacks, GCancellable *cancellable, GError **error)
{
  ReliefBackend *be = backend;
  TrainRun run = { .backend = backend, .optimizer = &config->optimizer };
  ReliefTrainStatus status = RELIEF_TRAIN_COMPLETED;
  gsize n_params = relief_mlp_spec_n_params (spec);
  int steps_per_epoch, eval_every, state_size;
  gint64 total_steps, step = 0, last_metrics = -1, last_snapshot = -1;
  double batch_loss = NAN;
  int batch_correct = 0;
  gboolean ok = FALSE;

  if (!check_inputs (spec, ds, config, error))
    return RELIEF_TRAIN_FAILED;
  run.start_us = g_get_monotonic_time ();

  run.batcher = relief_batcher_new (be, ds, config->batch_size, config->seed, error);
  if (run.batcher == NULL)
    goto out;
  steps_per_epoch = relief_batcher_steps_per_epoch (run.batcher);
  total_steps = (gint64) steps_per_epoch * config->epochs;
  /* About 100 rows, never more (the epoch ends aside). */
  eval_every = config->eval_every > 0 ? config->eval_every : (int) MAX (1, (total_steps + 99) / 100);
  state_size = relief_optimizer_state_size (config->optimizer.kind);
  run.n_state = (gsize) state_size * n_params;
  if (from != NULL &&
      (from->n_params != n_params || from->n_state != run.n_state || from->step < 0 || from->step > total_steps))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The saved state (step %lld, %llu parameters) does not belong to this run"),
                   (long long) from->step, (unsigned long long) from->n_params);
      goto out;
    }
  prepare_subsets (&run, ds, config, steps_per_epoch, total_steps, eval_every);

  /* One workspace serves both the steps and the full-set evaluations, which run in
   * chunks of up to 1024 rows. */
  run.mlp = relief_mlp_new (be, spec, relief_train_workspace_rows (ds, config->batch_size), error);
  if (run.mlp == NULL ||
      !alloc_floats (be, &run.params, n_params, error) ||
      !alloc_floats (be, &run.params_before, n_params, error) ||
      !alloc_floats (be, &run.params_before2, n_params, error) ||
      !alloc_floats (be, &run.grad, n_params, error) ||
      !alloc_floats (be, &run.state, MAX (1, run.n_state), error) ||
      !be->upload (be, run.params, from != NULL ? from->params : params_host, sizeof (float) * n_params, error) ||
      (from != NULL && run.n_state > 0 &&
       !be->upload (be, run.state, from->optimizer_state, sizeof (float) * run.n_state, error)) ||
      /* A first step whose loss is not finite keeps the start (or where a continued run
       * was a step before). */
      (from != NULL ? !be->upload (be, run.params_before, from->previous_params, sizeof (float) * n_params, error)
                    : !be->copy (be, run.params_before, run.params, sizeof (float) * n_params, error)) ||
      (run.stepper = relief_stepper_new (be, train_step_body, &run, error)) == NULL)
    goto out;
  run.params_host = g_new (float, n_params);
  run.n_params = n_params;
  if (config->curvature_every > 0)
    {
      run.hessian = relief_hessian_new (be, spec, from != NULL ? from->params : params_host, ds->x_train,
                                        ds->y_train, curvature_subset (config, ds), 0, error);
      if (run.hessian == NULL)
        goto out;
      run.curvature_start = g_new (float, n_params);
    }
  if (relief_train_complexity_tracked (config))
    prepare_complexity (&run, spec, ds, config);

  if (from != NULL)
    {
      step = from->step;
      last_metrics = from->last_metrics;
      last_snapshot = from->last_snapshot;
      run.run_loss_sum = from->run_loss_sum;
      run.run_correct = from->run_correct;
      run.run_rows = from->run_rows;
      run.step_loss_sum = from->step_loss_sum;
      run.step_correct = from->step_correct;
      run.step_rows = from->step_rows;
      run.start_us -= (gint64) (from->elapsed_seconds * G_USEC_PER_SEC);
      run.metrics_us = (gint64) (from->metrics_seconds * G_USEC_PER_SEC);
      run.curvature_us = (gint64) (from->curvature_seconds * G_USEC_PER_SEC);
      run.complexity_us = (gint64) (from->complexity_seconds * G_USEC_PER_SEC);
      if (run.hessian != NULL && from->curvature_start != NULL)
        {
          memcpy (run.curvature_start, from->curvature_start, sizeof (float) * n_params);
          run.has_curvature_start = TRUE;
        }
    }
  else
    {
      if (!emit_metrics (&run, ds, callbacks, 0, total_steps, steps_per_epoch, batch_loss, error) ||
          !emit_snapshot (&run, callbacks, 0, steps_per_epoch, n_params, error) ||
          (run.hessian != NULL && !emit_curvature (&run, config, callbacks, 0, error)) ||
          (relief_train_complexity_tracked (config) && !emit_complexity (&run, spec, config, callbacks, 0, error)))
        goto out;
      last_metrics = last_snapshot = 0;
    }

  /* A continued run starts within the epoch it stopped in. */
  for (int epoch = (int) (step / steps_per_epoch), first = (int) (step % steps_per_epoch);
       epoch < config->epochs && status == RELIEF_TRAIN_COMPLETED; epoch++, first = 0)
    {
      for (int index = first; index < steps_per_epoch; index++)
        {
          gboolean epoch_end = index == steps_per_epoch - 1;
          int rows, undone;

          if (g_cancellable_is_cancelled (cancellable))
            {
              status = RELIEF_TRAIN_CANCELLED;
              break;
            }
          /* The step goes to the device whole and comes back in one fetch; a divergence
           * keeps the last finite parameters, as the snapshot callback promises. */
          if (!relief_batcher_prepare (run.batcher, epoch, index, &rows, error) ||
              !relief_stepper_run (run.stepper, step + 1, rows, error) ||
              !relief_stepper_check_update (be, run.params, run.params_before, run.params_before2, n_params, rows,
                                            &batch_loss, &batch_correct, &undone, error))
            goto out;
          if (undone > 0)
            {
              /* The step's update overflowed: the parameters it started from are the last
               * finite ones.  Or the loss at those was not finite: the ones before them
               * are (the start, when that is the first step), and what came of the
               * step that made them goes. */
              gint64 diverged_step = undone == 1 ? step + 1 : step;

              if (undone == 2 && step > 0)
                {
                  step--;
                  if (last_metrics > step)
                    last_metrics = -1;
                  else
                    {
                      run.run_loss_sum -= run.step_loss_sum;
                      run.run_correct -= run.step_correct;
                      run.run_rows -= run.step_rows;
                    }
                  if (last_snapshot > step)
                    last_snapshot = -1;
                }
              status = RELIEF_TRAIN_DIVERGED;
              batch_loss = NAN;
              if (callbacks != NULL && callbacks->diverged != NULL &&
                  !callbacks->diverged (step, diverged_step, callbacks->user_data, error))
                goto out;
              break;
            }
          step++;
          run.step_loss_sum = batch_loss * rows;
          run.step_correct = batch_correct;
          run.step_rows = rows;
          run.run_loss_sum += run.step_loss_sum;
          run.run_correct += run.step_correct;
          run.run_rows += run.step_rows;

          if (callbacks != NULL && callbacks->progress != NULL)
            callbacks->progress (step, total_steps, batch_loss, callbacks->user_data);
          if (config->eval_per_decade > 0 ? relief_log_schedule_due (config->eval_per_decade, step)
                                          : step % eval_every == 0 || epoch_end)
            {
              if (!emit_metrics (&run, ds, callbacks, step, total_steps, steps_per_epoch, batch_loss, error))
                goto out;
              last_metrics = step;
            }
          if (config->snapshot_every > 0 ? step % config->snapshot_every == 0 : epoch_end)
            {
              if (!emit_snapshot (&run, callbacks, step, steps_per_epoch, n_params, error))
                goto out;
              last_snapshot = step;
            }
          if (run.hessian != NULL && step % config->curvature_every == 0 &&
              !emit_curvature (&run, config, callbacks, step, error))
            goto out;
          if (relief_train_complexity_due (config, step, total_steps) &&
              !emit_complexity (&run, spec, config, callbacks, step, error))
            goto out;
          if (step < total_steps && callbacks != NULL && callbacks->checkpoint_due != NULL &&
              callbacks->checkpoint_due (callbacks->user_data) &&
              !emit_checkpoint (&run, callbacks, step, last_metrics, last_snapshot, FALSE, error))
            goto out;
        }
    }

  /* A cancelled run can be continued from here, before the final row and snapshot that
   * the whole run does not have. */
  if (status == RELIEF_TRAIN_CANCELLED &&
      !emit_checkpoint (&run, callbacks, step, last_metrics, last_snapshot, TRUE, error))
    goto out;
  /* The end of the run, whatever ended it: final metrics and parameters, once. */
  if (last_metrics != step &&
      !emit_metrics (&run, ds, callbacks, step, total_steps, steps_per_epoch, batch_loss, error))
    goto out;
  if (last_snapshot != step &&
      !emit_snapshot (&run, callbacks, step, steps_per_epoch, n_params, error))
    goto out;
  if (!be->download (be, params_host, run.params, sizeof (float) * n_params, error))
    goto out;
  ok = TRUE;

out:
  train_run_clear (&run);
  return ok ? status : RELIEF_TRAIN_FAILED;
}

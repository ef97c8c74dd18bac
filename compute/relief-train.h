/* relief-train.h: mini-batch training with progress, snapshots, cancel and divergence. */
#pragma once

#include <gio/gio.h>
#include "relief-mlp.h"

G_BEGIN_DECLS

typedef struct {
  ReliefOptimizerConfig optimizer;
  int      batch_size;
  int      epochs;
  int      snapshot_every;   /* steps between trajectory snapshots; 0: once per epoch */
  int      eval_every;       /* steps between metrics rows; 0: about 100 rows over the run; and every epoch end */
  int      eval_per_decade;  /* > 0: metrics rows at the log-spaced steps instead (relief_log_schedule_due), this
                              * many per decade, and at the end; eval_every and the epoch ends then play no part */
  int      eval_samples;     /* what a row evaluates: 0 the default rule (see ReliefTrainMetrics),
                              * RELIEF_EVAL_ALL both splits in full, N > 0 a fixed subset of N samples of each */
  guint64  seed;             /* initialization, mini-batch order and evaluation subsets */
  /* Sharpness over training: lambda_max of the loss's Hessian (and its trace, lambda_min
   * when asked) at step 0 and every curvature_every steps, on the first curvature_samples
   * training samples (0: RELIEF_CURVATURE_DEFAULT_SAMPLES; all when there are fewer). */
  int      curvature_every;  /* 0: not tracked */
  int      curvature_samples;
  gboolean curvature_trace;
  gboolean curvature_min;
  /* Local complexity over training (relief_local_complexity, relief-regions.h) at step 0 and
   * every complexity_every steps: its mean around complexity_samples points of each set
   * of complexity_points (the first training samples, the first test samples, points
   * drawn uniformly in the training samples' bounding box), over the cross-polytope of
   * radius complexity_radius; and for a piecewise-linear model of 2 inputs the number of
   * linear regions over the input plane (relief_regions_compute). */
  int      complexity_every;   /* 0: not tracked (unless complexity_per_decade) */
  int      complexity_per_decade; /* > 0: at step 0, the log-spaced steps (relief_log_schedule_due) and the
                                   * last step instead of every complexity_every steps */
  double   complexity_radius;  /* 0: RELIEF_COMPLEXITY_RADIUS_SHARE of the data's RMS radius */
  guint    complexity_points;  /* ReliefComplexityPoints; 0: all three */
  int      complexity_samples; /* 0: RELIEF_COMPLEXITY_DEFAULT_SAMPLES; a set's size when it has fewer */
  /* The initialization multiplied by this (the grokking paper's scaled-up initialization;
   * 1: PyTorch's): applied by whoever initializes the parameters (relief_train_job_run)
   * and recorded with the run. */
  double   init_scale;
} ReliefTrainConfig;

typedef enum {
  RELIEF_COMPLEXITY_TRAIN  = 1 << 0,
  RELIEF_COMPLEXITY_TEST   = 1 << 1,
  RELIEF_COMPLEXITY_RANDOM = 1 << 2,
  RELIEF_COMPLEXITY_ALL    = 7,
} ReliefComplexityPoints;

/* The default radius: this share of the root-mean-square distance of the training samples
 * from their mean (a choice of ours, so that a 2D model's neighbourhoods meet some of its
 * lines: 0.03 to 0.11 on the built-in 2D generators, 1.18 on standardized MNIST). */
#define RELIEF_COMPLEXITY_RADIUS_SHARE 0.05
#define RELIEF_COMPLEXITY_DEFAULT_SAMPLES 1000
/* Directions of the cross-polytope: all 2D vertices up to this many inputs, beyond it
 * RELIEF_COMPLEXITY_DIRECTIONS random orthonormal ones (the paper's 25 for MNIST). */
#define RELIEF_COMPLEXITY_ALL_DIRECTIONS_UP_TO 12
#define RELIEF_COMPLEXITY_DIRECTIONS 25
/* The input plane's regions counted up to this many; more are recorded as NaN. */
#define RELIEF_COMPLEXITY_MAX_REGIONS 20000

#define RELIEF_EVAL_ALL (-1)
/* As the edge-of-stability code (Cohen et al. 2021) measures it. */
#define RELIEF_CURVATURE_DEFAULT_SAMPLES 5000
/* At most per measurement: Lanczos steps (enough for the extreme eigenvalues of the
 * networks trained here; warm starts converge in a few) and Hutchinson probes. */
#define RELIEF_CURVATURE_LANCZOS_STEPS 100
#define RELIEF_CURVATURE_TRACE_MAX_PROBES 100

void        relief_train_config_init_defaults (ReliefTrainConfig *config);

/* A log-spaced schedule of per_decade (>= 1) steps a decade, for curves drawn on a log step
 * axis: step 0 and the steps floor(10^(i / per_decade) + 0.5) for i = 0, 1, 2, ... (those
 * that coincide counted once): with 10 a decade 0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25,
 * 32, 40, 50, 63, 79, 100, 126, ...  Whether step is one of them. */
gboolean    relief_log_schedule_due (int per_decade, gint64 step);
/* The largest per_decade accepted (flags and run files). */
#define RELIEF_LOG_SCHEDULE_MAX 1000
/* Whether config tracks local complexity, and whether it measures at step (of total_steps). */
gboolean    relief_train_complexity_tracked (const ReliefTrainConfig *config);
gboolean    relief_train_complexity_due     (const ReliefTrainConfig *config, gint64 step, gint64 total_steps);

/* What a metrics row's train or test columns are computed over. */
typedef enum {
  RELIEF_METRIC_FULL,    /*< nick=full >*/    /* the whole split, at the row's parameters */
  RELIEF_METRIC_SUBSET,  /*< nick=subset >*/  /* a fixed random subset of the split, the same every row */
  RELIEF_METRIC_RUNNING, /*< nick=running >*/ /* the mini-batches since the previous row, each at the
                                               * parameters it was trained from (the step's own loss) */
} ReliefMetricKind;

/* A metrics row.  The default rule (eval_samples 0) keeps its cost under 10% of the training
 * time: train columns are the running mean of the batches since the previous row (at step 0,
 * before any batch, a subset); test columns the whole test set at each epoch end and a subset
 * between them, sized so that all evaluations together stay within the budget. */
typedef struct {
  gint64  step;          /* optimizer steps taken */
  gint64  total_steps;
  double  epoch;         /* step / steps_per_epoch */
  double  train_loss;    /* mean per sample */
  double  train_acc;     /* fraction */
  double  test_loss;     /* NaN without a test split */
  double  test_acc;
  double  batch_loss;    /* the last mini-batch's loss */
  ReliefMetricKind train_kind, test_kind;
  int     train_samples, test_samples;   /* how many samples the columns cover */
  double  metrics_seconds;   /* spent on metrics so far, this row's evaluation included */
  double  curvature_seconds; /* spent on curvature tracking so far (not training either) */
  double  complexity_seconds; /* spent on complexity tracking so far (not training either) */
  double  elapsed_seconds;   /* since training started */
} ReliefTrainMetrics;

/* One measurement of the curvature during training (ReliefTrainConfig.curvature_*):
 * Lanczos on the Hessian of the mean loss over the fixed subset (weight decay not in it),
 * warm-started from the previous measurement's top eigenvector (plus its bottom one when
 * lambda_min is asked for); Hutchinson's estimator for the trace. */
typedef struct {
  gint64  step;
  double  lambda_max;
  double  lambda_max_residual;   /* ||H v - lambda v|| */
  double  lambda_min;            /* NaN unless asked for */
  double  trace;                 /* NaN unless asked for */
  double  trace_stderr;
  gint64  hvps;                  /* Hessian-vector products this measurement took */
  int     samples;               /* the subset's size */
  double  seconds;               /* all measurements so far, this one included */
} ReliefCurvatureRow;

/* One measurement of the local complexity during training (ReliefTrainConfig.complexity_*):
 * the mean number of neurons (the logits included) whose sign changes around the points
 * of each set, NaN for a set not tracked (or empty: no test split). */
typedef struct {
  gint64  step;
  double  train, test, random;
  double  regions;     /* linear regions of the input plane; NaN: not a 2-input piecewise-linear
                        * model, or more than RELIEF_COMPLEXITY_MAX_REGIONS */
  int     n_train, n_test, n_random;   /* the points of each set */
  double  radius;
  double  seconds;     /* all measurements so far, this one included */
} ReliefComplexityRow;

typedef enum {
  RELIEF_TRAIN_COMPLETED, /*< nick=completed >*/
  RELIEF_TRAIN_CANCELLED, /*< nick=cancelled >*/
  RELIEF_TRAIN_DIVERGED,  /*< nick=diverged >*/  /* the loss became NaN or infinite; the run is kept up to there */
  RELIEF_TRAIN_FAILED,    /*< nick=failed >*/    /* error is set */
} ReliefTrainStatus;

/* Where a run stands between two steps: what continues it as if it had never stopped.
 * The batch order and the evaluation subsets are functions of the seed and the epoch, so
 * the step count is the random generators' position too. */
typedef struct {
  gint64       step;              /* optimizer steps taken */
  gsize        n_params;
  const float *params;            /* [n_params] */
  const float *previous_params;   /* [n_params]: a step before (the start at step 0), kept if the
                                   * loss at params turns out not to be finite */
  gsize        n_state;
  const float *optimizer_state;   /* [n_state]: momentum, or Adam's two moments; 0 for SGD */
  double       run_loss_sum;      /* the running train columns since the last metrics row */
  gint64       run_correct, run_rows;
  double       step_loss_sum;     /* the last step's share of them (taken back if the loss at params */
  gint64       step_correct, step_rows;   /* turns out not to be finite) */
  gint64       last_metrics, last_snapshot;   /* the steps of the last row and snapshot */
  double       elapsed_seconds, metrics_seconds;
  double       curvature_seconds;
  double       complexity_seconds;
  const float *curvature_start;   /* [n_params]: the next Lanczos start (the last top eigenvector);
                                   * NULL when curvature is not tracked or not yet measured */
  gboolean     cancelled;         /* saved because the run was cancelled, before its final row */
} ReliefTrainState;

typedef struct {
  /* Called at step 0 (before training), every eval_every steps, at every epoch end and at
   * the end (with eval_per_decade: at step 0, the log-spaced steps and the end). */
  gboolean (*metrics)  (const ReliefTrainMetrics *m, gpointer user_data, GError **error);
  /* Called with host parameters at step 0, every snapshot_every steps and at the end
   * (the final parameters; also after cancel or divergence, with the last finite ones). */
  gboolean (*snapshot) (gint64 step, double epoch, const float *params, gsize n_params,
                        gpointer user_data, GError **error);
  /* Called after every step with the fraction done, cheap; may be NULL. */
  void     (*progress) (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data);
  gpointer user_data;
  /* Asked after every step (after its metrics row and snapshot, if any), cheap: whether to
   * save the run's state now; may be NULL (never). */
  gboolean (*checkpoint_due) (gpointer user_data);
  /* The state to save: after a step checkpoint_due asked for, and when the run is
   * cancelled (before its final row and snapshot, which a continued run does not have);
   * may be NULL. */
  gboolean (*checkpoint)     (const ReliefTrainState *state, gpointer user_data, GError **error);
  /* When the loss diverged: the run ends at last_step, the last step whose parameters and
   * loss were finite; the metrics rows and snapshots after it, already handed over, are to
   * be dropped.  diverged_step is the first step whose parameters or loss were not finite.
   * Called before the final row and snapshot (at last_step); may be NULL. */
  gboolean (*diverged)       (gint64 last_step, gint64 diverged_step, gpointer user_data, GError **error);
  /* With curvature_every: each measurement, after the step's metrics row and snapshot;
   * may be NULL. */
  gboolean (*curvature)      (const ReliefCurvatureRow *row, gpointer user_data, GError **error);
  /* With complexity_every: each measurement, after the step's curvature; may be NULL. */
  gboolean (*complexity)     (const ReliefComplexityRow *row, gpointer user_data, GError **error);
} ReliefTrainCallbacks;

/* What complexity tracking measures for config on ds: the radius (the config's, or the
 * default), the directions (0: all) and the input plane's rectangle (the bounding box of
 * every sample with a 10% margin, as relief regions' default). */
double   relief_train_complexity_radius (const ReliefTrainConfig *config, const ReliefDataset *ds);
int      relief_train_complexity_dirs   (const ReliefDataset *ds);
void     relief_train_complexity_box    (const ReliefDataset *ds, double box[4]);
/* The fixed points of each set: the first n training samples, the first n test samples,
 * n points uniform in the training samples' bounding box from the seed; [n, D] each
 * (g_free), *n_out their count (0: none). */
float   *relief_train_complexity_points (const ReliefTrainConfig *config, const ReliefDataset *ds,
                                         ReliefComplexityPoints set, int *n_out);

/* The checks every trainer makes: a valid data set whose features and classes match the
 * model, and a batch size and epoch count of at least 1. */
gboolean relief_train_check_inputs (const ReliefMlpSpec *spec, const ReliefDataset *ds,
                                    const ReliefTrainConfig *config, GError **error);
/* Rows for a trainer's workspace: the batch, or up to 1024 for full-set evaluations. */
int      relief_train_workspace_rows (const ReliefDataset *ds, int batch_size);

/* Train spec on ds.  params_host holds the initialization on entry (see
 * relief_mlp_init_params) and the final parameters on return.  A callback returning FALSE
 * stops training with RELIEF_TRAIN_FAILED and its error. */
ReliefTrainStatus relief_train (ReliefBackend *backend, const ReliefMlpSpec *spec, const ReliefDataset *ds,
                                const ReliefTrainConfig *config, float *params_host,
                                const ReliefTrainCallbacks *callbacks, GCancellable *cancellable,
                                GError **error);
/* Continues a run from a state its checkpoint callback was given (by a run of the same
 * spec, data set and config), as if it had not stopped: on the same backend the rest of
 * the run, its metrics rows and snapshots, are those the whole run has, bit for bit (the
 * rows' timings aside).  params_host receives the final parameters. */
ReliefTrainStatus relief_train_from (ReliefBackend *backend, const ReliefMlpSpec *spec, const ReliefDataset *ds,
                                     const ReliefTrainConfig *config, const ReliefTrainState *from,
                                     float *params_host, const ReliefTrainCallbacks *callbacks,
                                     GCancellable *cancellable, GError **error);

G_END_DECLS

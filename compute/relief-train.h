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
  int      eval_samples;     /* what a row evaluates: 0 the default rule (see ReliefTrainMetrics),
                              * RELIEF_EVAL_ALL both splits in full, N > 0 a fixed subset of N samples of each */
  guint64  seed;             /* initialization, mini-batch order and evaluation subsets */
} ReliefTrainConfig;

#define RELIEF_EVAL_ALL (-1)

void        relief_train_config_init_defaults (ReliefTrainConfig *config);

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
  double  elapsed_seconds;   /* since training started */
} ReliefTrainMetrics;

typedef enum {
  RELIEF_TRAIN_COMPLETED, /*< nick=completed >*/
  RELIEF_TRAIN_CANCELLED, /*< nick=cancelled >*/
  RELIEF_TRAIN_DIVERGED,  /*< nick=diverged >*/  /* the loss became NaN or infinite; the run is kept up to there */
  RELIEF_TRAIN_FAILED,    /*< nick=failed >*/    /* error is set */
} ReliefTrainStatus;

typedef struct {
  /* Called at step 0 (before training), every eval_every steps, at every epoch end and at
   * the end. */
  gboolean (*metrics)  (const ReliefTrainMetrics *m, gpointer user_data, GError **error);
  /* Called with host parameters at step 0, every snapshot_every steps and at the end
   * (the final parameters; also after cancel or divergence, with the last finite ones). */
  gboolean (*snapshot) (gint64 step, double epoch, const float *params, gsize n_params,
                        gpointer user_data, GError **error);
  /* Called after every step with the fraction done, cheap; may be NULL. */
  void     (*progress) (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data);
  gpointer user_data;
} ReliefTrainCallbacks;

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

G_END_DECLS

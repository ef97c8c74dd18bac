/* relief-train-job.h: the work behind `relief train` and the Train page: train a model and
 * write its run file.  Runs on the calling thread; the window runs it on a ReliefWorker. */
#pragma once

#include <gio/gio.h>
#include "relief-generators.h"
#include "relief-job-common.h"
#include "relief-run-file.h"
#include "relief-train.h"

G_BEGIN_DECLS

typedef struct {
  char                 *dataset;      /* generator name, installed data set, IDX directory or CSV file */
  ReliefGeneratorParams gen;
  int                   max_samples;  /* the first N samples of each split; 0: all */
  int                  *hidden;       /* hidden layer widths */
  int                   n_hidden;
  ReliefActivation      activation;
  ReliefLoss            loss;
  ReliefTrainConfig     train;
  ReliefBackendKind     backend;      /* default auto */
  char                 *output;       /* the run file */
  gboolean              resume;       /* continue the run already in output (if any), when it matches */
} ReliefTrainJob;

/* Called from the computing thread; any may be NULL. */
typedef struct {
  void (*progress)       (double fraction, gpointer user_data);
  void (*metrics)        (const ReliefTrainMetrics *m, gpointer user_data);
  ReliefJobEstimateFunc  estimate;
  /* At each snapshot (step 0, every snapshot_every steps, the end): the model, its data
   * set and the parameters on the host, borrowed for the call. */
  void (*snapshot)       (const ReliefMlpSpec *spec, const ReliefDataset *ds, gint64 step, const float *params,
                          gpointer user_data);
  ReliefBackendChosenFunc backend_chosen;
  /* A resumed run goes on from step (of total_steps; equal for a finished run, which is
   * left as it is). */
  void (*resumed)        (gint64 step, gint64 total_steps, gpointer user_data);
  /* A divergence: the run ends at last_step; diverged_step was not finite. */
  void (*diverged)       (gint64 last_step, gint64 diverged_step, gpointer user_data);
  /* Each curvature measurement (train.curvature_every), as the run file records it. */
  void (*curvature)      (const ReliefCurvatureRow *row, gpointer user_data);
  /* Each local-complexity measurement (train.complexity_every), as the run file records it. */
  void (*complexity)     (const ReliefComplexityRow *row, gpointer user_data);
  gpointer user_data;
} ReliefTrainJobCallbacks;

/* spiral, 16,16 relu cross-entropy, relief_train_config_init_defaults, auto; no output. */
void     relief_train_job_init_defaults (ReliefTrainJob *job);
void     relief_train_job_clear         (ReliefTrainJob *job);

/* Trains and writes the run file.  While it trains, the run so far and the state to go on
 * from are written to the output every few seconds (ReliefSaveClock), so that a killed run
 * can be continued.  A cancelled run is still written, up to where it stopped, with that
 * state; a diverged one up to its last finite step, with the root attribute
 * diverged_at_step; *status tells which.  With resume, a run file already at the output
 * with a saved state (killed or cancelled) is continued, when it is this job's run (the
 * same model, training settings, samples and backend; anything else is an error), and
 * ends as the whole run would have; a finished one is left as it is; without a file the
 * run starts over.  FALSE only on a real failure (no file left but what was saved). */
gboolean relief_train_job_run (const ReliefTrainJob *job, const ReliefTrainJobCallbacks *cb,
                               GCancellable *cancellable, ReliefTrainStatus *status, GError **error);

/* The stem that names the job's files in the work folder: "spiral-16-16-relu". */
char    *relief_train_job_stem (const ReliefTrainJob *job);

/* The newest completed run in the runs folder (relief-work-dir.h) that the job would train
 * again: the same samples, model and training settings, and the same backend unless the
 * job's is auto.  Only for generated data, whose samples a run stores.  The run loaded
 * (with its data set) and *path, or NULL (no error) when there is none. */
ReliefRun *relief_train_job_find_run (const ReliefTrainJob *job, char **path, GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefTrainJob, relief_train_job_clear)

G_END_DECLS

/* relief-intdim-job.h: the work behind `relief intdim` and the Dimension page: train in
 * random subspaces of growing dimension and measure d_int90.  Runs on the calling thread. */
#pragma once

#include <gio/gio.h>
#include "relief-intdim-file.h"
#include "relief-subspace.h"
#include "relief-train-job.h"

G_BEGIN_DECLS

typedef struct {
  ReliefTrainJob       base;          /* dataset, model, training settings, backend, output */
  ReliefProjectionKind projection;
  gint64              *dims;          /* ascending */
  int                  K;
  int                  n_seeds;
  double               global_baseline;
} ReliefIntdimJob;

/* Called from the computing thread; any may be NULL. */
typedef struct {
  /* The fraction of the training running now (announced by cell). */
  void (*progress) (double fraction, gpointer user_data);
  /* Each training before it starts: k indexes the dims and seed counts from 0; k == -1 is
   * the baseline. */
  void (*cell)     (int k, int seed, gpointer user_data);
  /* The sweep so far: once set up (with the cells of a resumed file), then after the
   * baseline and after each cell, with the status of the training that just ended
   * (RELIEF_TRAIN_COMPLETED for the first call). */
  void (*sweep)    (const ReliefIntdim *sweep, ReliefTrainStatus status, gpointer user_data);
  ReliefJobEstimateFunc  estimate;
  ReliefBackendChosenFunc backend_chosen;
  gpointer user_data;
} ReliefIntdimJobCallbacks;

/* Frees what the job holds (its base and dims); the struct itself is the caller's. */
void     relief_intdim_job_clear (ReliefIntdimJob *job);

/* "100,200,400" or "A:B:STEP" (A, A+STEP, ... up to B), each >= 1, strictly ascending. */
gboolean relief_parse_dims (const char *text, gint64 **dims, int *K, GError **error);

/* Trains the baseline, then every (d, seed) cell not already in the output, saving the
 * sweep after each; an output with other settings (model, training, projection, dims or
 * the data set's generator settings) is an error.  *cells_run counts the
 * trainings done by this call (baseline included).  On success *result holds the sweep. */
gboolean relief_intdim_job_run (const ReliefIntdimJob *job, const ReliefIntdimJobCallbacks *cb,
                                GCancellable *cancellable, int *cells_run, ReliefIntdim **result,
                                GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefIntdimJob, relief_intdim_job_clear)

G_END_DECLS

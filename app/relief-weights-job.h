/* relief-weights-job.h: the work behind `relief weights` and the window's weight spectra:
 * the spectra of every weight matrix of a loaded run at a checkpoint (singular values,
 * ESD, power-law fit and metrics: relief-weight-spectra.h) and, when asked, the top
 * singular value of each layer at every snapshot.  On the CPU (LAPACK through OpenBLAS)
 * whatever backend the run trained on; runs on the calling thread. */
#pragma once

#include <gio/gio.h>
#include "relief-loaded-run.h"
#include "relief-weights-file.h"

G_BEGIN_DECLS

typedef struct {
  ReliefLoadedRun *run;          /* owned reference; its data set is not needed */
  int              checkpoint;   /* snapshot index; negative counts from the end (-1: last) */
  gboolean         trajectory;   /* also the top singular values at every snapshot */
} ReliefWeightsJob;

/* Called from the computing thread; any may be NULL. */
typedef struct {
  void   (*progress) (double fraction, gpointer user_data);   /* after each matrix */
  gpointer user_data;
} ReliefWeightsJobCallbacks;

/* No run; the last checkpoint, no trajectory. */
void     relief_weights_job_init_defaults (ReliefWeightsJob *job);
void     relief_weights_job_clear         (ReliefWeightsJob *job);
/* The spectra, with run_file the run's path; G_IO_ERROR_CANCELLED between matrices. */
gboolean relief_weights_job_run (const ReliefWeightsJob *job, const ReliefWeightsJobCallbacks *cb,
                                 GCancellable *cancellable, ReliefWeights **result, GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefWeightsJob, relief_weights_job_clear)

G_END_DECLS

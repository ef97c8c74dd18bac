/* relief-hessian-job.h: the work behind `relief hessian`: the curvature of a run's loss at
 * one of its checkpoints, over its training samples (all by default, so that the loss is
 * the one the run file records): the top eigenpairs (Lanczos, or power iteration with
 * deflation), the smallest, Hutchinson's trace and the SLQ eigenvalue density
 * (compute/relief-hessian.h).  Runs on the calling thread. */
#pragma once

#include <gio/gio.h>
#include "relief-hessian.h"
#include "relief-hessian-file.h"
#include "relief-job-common.h"
#include "relief-loaded-run.h"

G_BEGIN_DECLS

typedef struct {
  ReliefLoadedRun  *run;              /* owned reference */
  char             *checkpoint;       /* "last" or an index */
  int               top_k;            /* eigenpairs at each end asked for; 0: none (5) */
  gboolean          power;            /* power iteration with deflation instead of Lanczos */
  gboolean          smallest;         /* also the top_k smallest (Lanczos only) */
  gboolean          trace;            /* Hutchinson's trace */
  gboolean          density;          /* the SLQ density */
  double            tolerance;        /* of the eigenpairs (1e-4) */
  int               max_iter;         /* Lanczos steps, or products per power eigenpair (200) */
  double            trace_tolerance;  /* relative standard error the trace stops at (0.01) */
  int               trace_max_probes; /* (200) */
  ReliefSlqSettings slq;              /* its seed is the job's */
  int               n_samples;        /* the first N training samples; 0: all */
  guint64           seed;
  ReliefBackendKind backend;          /* default auto */
  char             *output;           /* the hessian file; NULL: computed in memory only */
} ReliefHessianJob;

/* Called from the computing thread; any may be NULL. */
typedef struct {
  void (*progress) (double fraction, gpointer user_data);
  ReliefJobEstimateFunc   estimate;
  ReliefBackendChosenFunc backend_chosen;
  gpointer user_data;
} ReliefHessianJobCallbacks;

/* No run; last, the top 5 by Lanczos, no smallest, trace or density; all samples, seed 0,
 * auto; no output. */
void     relief_hessian_job_init_defaults (ReliefHessianJob *job);
void     relief_hessian_job_clear         (ReliefHessianJob *job);
/* Computes what the job asks for, writes it to the output (when it has one) and hands it
 * over in *result (may be NULL).  A cancel (G_IO_ERROR_CANCELLED) writes nothing: the
 * output is left as it was. */
gboolean relief_hessian_job_run (const ReliefHessianJob *job, const ReliefHessianJobCallbacks *cb,
                                 GCancellable *cancellable, ReliefHessianSpectrum **result, GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefHessianJob, relief_hessian_job_clear)

G_END_DECLS

/* relief-job-common.h: what the jobs share: the backend they run on, the data set and the
 * model they build from their settings. */
#pragma once

#include <gio/gio.h>
#include "relief-backend.h"
#include "relief-dataset.h"
#include "relief-hessian.h"
#include "relief-loaders.h"
#include "relief-mlp.h"
#include "relief-train.h"

G_BEGIN_DECLS

/* Which backend "auto" picked; called from the computing thread. */
typedef void (*ReliefBackendChosenFunc) (const char *name, gpointer user_data);

/* The backend of that kind; chosen (may be NULL) hears what auto found: a backend named
 * outright needs no report.  One this build or machine lacks (CUDA without a device) is
 * G_IO_ERROR_INVALID_ARGUMENT, as any setting that cannot be met. */
ReliefBackend *relief_job_open_backend (ReliefBackendKind kind, ReliefBackendChosenFunc chosen, gpointer user_data,
                                        GError **error);
/* The data set as relief_dataset_open_first makes it, validated. */
ReliefDataset *relief_job_open_dataset (const char *dataset, const ReliefGeneratorParams *gen, int max_samples,
                                        GError **error);
/* The model from the data set's features through the hidden widths to its classes. */
ReliefMlpSpec *relief_job_model_spec   (const ReliefDataset *ds, const int *hidden, int n_hidden,
                                        ReliefActivation activation, ReliefLoss loss);

/* What a job will take, estimated from its sizes before it starts. */
typedef struct {
  double      bytes;     /* the most memory it allocates, on its backend (the host's for the CPU) */
  double      flops;     /* floating-point operations of the whole job */
  double      seconds;   /* its time, from a sample of its work timed on the backend; 0: not timed */
  const char *backend;   /* the backend's name */
} ReliefJobEstimate;

/* Called once, before the work starts, with the job's estimate. */
typedef void (*ReliefJobEstimateFunc) (const ReliefJobEstimate *estimate, gpointer user_data);

/* Jobs of more operations than this are timed: a sample of their work runs on the backend
 * first (a few steps or points, up to some tenths of a second). */
#define RELIEF_JOB_TIMED_FLOPS 1e11

/* Adds to estimate what training spec on ds with config takes: its parameters, their
 * gradients and optimizer state, the workspace of a batch, the data set when the backend
 * is not the host's (on_host FALSE); the steps' forward and backward passes and the
 * evaluations. */
void     relief_job_estimate_training (const ReliefMlpSpec *spec, const ReliefDataset *ds,
                                       const ReliefTrainConfig *config, gboolean on_host,
                                       ReliefJobEstimate *estimate);
/* The seconds of that training on backend: a few of its steps timed (a training of their
 * own on its first samples), each step extra_step_seconds more, and its evaluations'
 * products.  FALSE when the backend could not run them. */
gboolean relief_job_time_training     (ReliefBackend *backend, const ReliefMlpSpec *spec, const ReliefDataset *ds,
                                       const ReliefTrainConfig *config, double extra_step_seconds,
                                       double *seconds);
/* Seconds of a matrix-vector product of that many flops on backend; -1 when untimed. */
double   relief_job_time_product      (ReliefBackend *backend, double flops);
/* Multiply-adds of one Hessian-vector product of spec over n samples: a forward, a
 * backward and their R-passes (about two gradients, each three forward passes' worth). */
double   relief_job_hvp_flops         (const ReliefMlpSpec *spec, int n_samples);
/* Adds to estimate what Hessian-vector products of spec over n samples take on the
 * backend: the samples, a chunk's activations and their R-values, the passes the products
 * keep (relief_hessian_cache_bytes), a Krylov basis of krylov vectors and `vectors` more
 * of the parameters' length (bytes), and hvps products (flops). */
void     relief_job_estimate_hessian  (const ReliefMlpSpec *spec, int n_samples, int krylov, int vectors, double hvps,
                                       ReliefJobEstimate *estimate);
/* The seconds of hvps products of h: a few timed (the first warms the caches and is not
 * counted, then more until they take 50 ms), scaled; -1 with error set when one fails. */
double   relief_job_time_hvps         (ReliefHessian *h, double hvps, GError **error);
/* Refuses a job that needs more memory than backend has free (G_IO_ERROR_INVALID_ARGUMENT:
 * "<what> needs about X GB of memory; the B backend has Y GB free"), before anything of
 * that size is allocated; sets estimate->backend. */
gboolean relief_job_check_estimate    (ReliefBackend *backend, const char *what, ReliefJobEstimate *estimate,
                                       GError **error);

/* When a long job saves what it has done so far, so that a kill loses little: every
 * RELIEF_SAVE_SECONDS seconds of work (default 5; a positive number), and never sooner
 * than twenty times the last save took after it, so saving stays within 5% of the time. */
#define RELIEF_SAVE_SECONDS_DEFAULT 5.0
typedef struct {
  double seconds;
  gint64 next_us;      /* monotonic time the next save is due */
} ReliefSaveClock;

void           relief_save_clock_init  (ReliefSaveClock *clock);
gboolean       relief_save_clock_due   (const ReliefSaveClock *clock);
/* A save that began at began_us (g_get_monotonic_time) has just ended. */
void           relief_save_clock_saved (ReliefSaveClock *clock, gint64 began_us);

/* "32,32": layer widths, each 1 to 100000; "" or NULL is no layer. */
gboolean       relief_parse_int_list   (const char *text, int **values, int *n, GError **error);

G_END_DECLS

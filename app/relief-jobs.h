/* relief-jobs.h: the work behind `relief train` and `relief surface`, shared by the CLI
 * and the window so both produce the same files. Runs on the calling thread; the window
 * calls it from a worker thread and marshals the callbacks back to the main loop. */
#pragma once

#include <gio/gio.h>
#include "relief-datasets.h"
#include "relief-files.h"
#include "relief-landscape.h"
#include "relief-directions.h"
#include "relief-train.h"
#include "relief-subspace.h"

G_BEGIN_DECLS

typedef struct {
  char                 *dataset;      /* generator name, IDX directory or CSV file */
  ReliefGeneratorParams gen;
  int                  *hidden;       /* hidden layer widths */
  int                   n_hidden;
  ReliefActivation      activation;
  ReliefLoss            loss;
  ReliefTrainConfig     train;
  char                 *backend;      /* "cpu", "cuda", "auto" */
  char                 *output;       /* the run file */
} ReliefTrainJob;

typedef struct {
  char          *run_file;
  char          *checkpoint;          /* "last" or an index */
  ReliefGridAxis x, y;
  guint64        seed;
  int            max_samples;         /* 0: the whole training set */
  char          *backend;
  char          *output;              /* the surface file */
  char          *directions;          /* "random" (default), "pca" or "line" */
  ReliefNormalization normalization;  /* random directions (default filter) */
  ReliefBiasMode bias;                /* random directions (default zero) */
  char          *to_checkpoint;       /* line: the snapshot at alpha 1 (the centre is alpha 0) */
  gboolean       one_d;               /* x only: a 1D slice (always so for "line") */
  gboolean       resume;              /* continue the surface already in output, when it matches */
} ReliefSurfaceJob;

typedef struct {
  /* Called from the computing thread. */
  void (*progress) (double fraction, gpointer user_data);
  void (*metrics)  (const ReliefTrainMetrics *m, gpointer user_data);
  void (*cell)     (int ix, int iy, double loss, double acc_percent, gpointer user_data);
  /* Called once the surface's grid and directions are known, before any cell. */
  void (*surface_ready) (const ReliefSurface *s, gpointer user_data);
  gpointer user_data;
  /* Which backend "auto" picked; may be NULL. */
  void (*backend_chosen) (const char *name, gpointer user_data);
  /* An intdim sweep announces each training before it starts: k indexes the dims and seed
   * counts from 0; k == -1 is the baseline.  progress then reports that training's fraction. */
  void (*intdim_cell)  (int k, int seed, gpointer user_data);
  /* The sweep so far: once set up (with the cells of a resumed file), then after the
   * baseline and after each cell, with the status of the training that just ended
   * (RELIEF_TRAIN_COMPLETED for the first call). */
  void (*intdim_sweep) (const ReliefIntdim *sweep, ReliefTrainStatus status, gpointer user_data);
} ReliefJobCallbacks;

void     relief_train_job_init_defaults (ReliefTrainJob *job);
void     relief_train_job_clear         (ReliefTrainJob *job);
gboolean relief_parse_int_list          (const char *text, int **values, int *n, GError **error);

/* Trains and writes the run file.  A cancelled or diverged run is still written, up to
 * where it stopped; *status tells which.  FALSE only on a real failure (no file left). */
gboolean relief_train_job_run (const ReliefTrainJob *job, const ReliefJobCallbacks *cb,
                               GCancellable *cancellable, ReliefTrainStatus *status, GError **error);

void     relief_surface_job_init_defaults (ReliefSurfaceJob *job);
void     relief_surface_job_clear         (ReliefSurfaceJob *job);
/* Computes the surface and writes it.  On cancel the cells computed so far are written
 * (the rest NaN) and the function returns FALSE with G_IO_ERROR_CANCELLED. */
gboolean relief_surface_job_run (const ReliefSurfaceJob *job, const ReliefJobCallbacks *cb,
                                 GCancellable *cancellable, GError **error);

typedef struct {
  ReliefTrainJob       base;          /* dataset, model, training settings, backend, output */
  ReliefProjectionKind projection;
  gint64              *dims;          /* ascending */
  int                  K;
  int                  n_seeds;
  double               global_baseline;
} ReliefIntdimJob;

/* "100,200,400" or "A:B:STEP" (A, A+STEP, ... up to B), each >= 1, strictly ascending. */
gboolean relief_parse_dims (const char *text, gint64 **dims, int *K, GError **error);

/* Trains the baseline, then every (d, seed) cell not already in the output, saving the
 * sweep after each; an output with other settings (model, training, projection, dims or
 * the data set's generator settings) is an error.  *cells_run counts the
 * trainings done by this call (baseline included).  On success *result holds the sweep. */
gboolean relief_intdim_job_run (const ReliefIntdimJob *job, const ReliefJobCallbacks *cb,
                                GCancellable *cancellable, int *cells_run, ReliefIntdim **result,
                                GError **error);

G_END_DECLS

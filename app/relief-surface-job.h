/* relief-surface-job.h: the work behind `relief surface` and the Landscape page: the loss
 * surface around a checkpoint of a loaded run.  Runs on the calling thread. */
#pragma once

#include <gio/gio.h>
#include "relief-directions.h"
#include "relief-surface-file.h"
#include "relief-job-common.h"
#include "relief-grid.h"
#include "relief-loaded-run.h"

G_BEGIN_DECLS

typedef struct {
  ReliefLoadedRun *run;               /* owned reference */
  char          *checkpoint;          /* "last" or an index */
  ReliefGridAxis x, y;
  guint64        seed;
  int            max_samples;         /* the first N samples of each split; 0: all */
  ReliefBackendKind backend;          /* default auto */
  char          *output;              /* the surface file; NULL: computed in memory only */
  ReliefDirectionKind directions;     /* default random */
  ReliefNormalization normalization;  /* random directions (default filter) */
  ReliefBiasMode bias;                /* random directions (default zero) */
  char          *to_checkpoint;       /* line: the snapshot at alpha 1 (the centre is alpha 0) */
  gboolean       one_d;               /* x only: a 1D slice (always so for "line") */
  gboolean       resume;              /* continue the surface already in output (if any), when it matches */
  gboolean       fit_path;            /* pca: x and y span the projected trajectory with a margin
                                         (their counts kept), not the ranges asked for */
  int            curvature_samples;   /* hessian, hessian-min: the Hessian of the loss over the first N
                                         training samples (0: RELIEF_CURVATURE_DEFAULT_SAMPLES; all
                                         when there are fewer) */
} ReliefSurfaceJob;

/* Called from the computing thread; any may be NULL. */
typedef struct {
  void (*progress)      (double fraction, gpointer user_data);
  /* Once the surface's grid and directions are known, before any cell. */
  void (*surface_ready) (const ReliefSurface *s, gpointer user_data);
  void (*cell)          (int ix, int iy, double loss, double acc_percent, gpointer user_data);
  ReliefJobEstimateFunc  estimate;
  ReliefBackendChosenFunc backend_chosen;
  gpointer user_data;
} ReliefSurfaceJobCallbacks;

/* No run; last, -1:1:51 both ways, random filter-normalized directions with zero biases,
 * auto; no output. */
void     relief_surface_job_init_defaults (ReliefSurfaceJob *job);
void     relief_surface_job_clear         (ReliefSurfaceJob *job);
/* Computes the surface, writes it when the job has an output, and hands it over in *result
 * (may be NULL).  While it computes, the cells done so far are written to the output every
 * few seconds (ReliefSaveClock), so that after a kill a resume loses at most that much.
 * On cancel the cells computed so far are written (the rest NaN) and the function returns
 * FALSE with G_IO_ERROR_CANCELLED. */
gboolean relief_surface_job_run (const ReliefSurfaceJob *job, const ReliefSurfaceJobCallbacks *cb,
                                 GCancellable *cancellable, ReliefSurface **result, GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefSurfaceJob, relief_surface_job_clear)

G_END_DECLS

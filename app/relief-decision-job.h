/* relief-decision-job.h: the work behind `relief decision` and the Landscape page's
 * decision map: a model of a loaded run (a checkpoint, or a point of a landscape around
 * it) evaluated over its 2D input plane.  Runs on the calling thread. */
#pragma once

#include <gio/gio.h>
#include "relief-decision.h"
#include "relief-surface-file.h"
#include "relief-job-common.h"
#include "relief-grid.h"
#include "relief-loaded-run.h"

G_BEGIN_DECLS

#define RELIEF_DECISION_RESOLUTION 120

typedef struct {
  ReliefLoadedRun *run;              /* owned reference */
  int              checkpoint;       /* snapshot index; negative counts from the end (-1: last) */
  float           *xdir, *ydir;      /* owned, the run's n_params each; NULL: the checkpoint itself */
  double           x, y;             /* the point along xdir and ydir */
  ReliefGridAxis   plane_x, plane_y; /* the input plane; count 0: the training samples' extent
                                        and 5% more, RELIEF_DECISION_RESOLUTION points */
  ReliefBackendKind backend;         /* default auto */
} ReliefDecisionJob;

/* Called from the computing thread; any may be NULL. */
typedef struct {
  ReliefBackendChosenFunc backend_chosen;
  gpointer user_data;
} ReliefDecisionJobCallbacks;

/* No run; the last checkpoint itself over the data's extent; auto. */
void     relief_decision_job_init_defaults (ReliefDecisionJob *job);
void     relief_decision_job_clear         (ReliefDecisionJob *job);
/* Takes the surface's checkpoint and directions (copied), for the point (x, y) of it;
 * FALSE when the surface has none that fit the job's run. */
gboolean relief_decision_job_set_surface   (ReliefDecisionJob *job, const ReliefSurface *surface,
                                            double x, double y, GError **error);
/* The model's decisions; G_IO_ERROR_NOT_SUPPORTED for a data set without two inputs. */
gboolean relief_decision_job_run (const ReliefDecisionJob *job, const ReliefDecisionJobCallbacks *cb,
                                  GCancellable *cancellable, ReliefDecisionMap **result, GError **error);

/* The decisions of the model (spec, params on the host) over the input plane of a data set
 * with two inputs, with its training samples; a plane axis of count 0 is the samples'
 * extent and 5% more, at RELIEF_DECISION_RESOLUTION points.  NULL with
 * G_IO_ERROR_NOT_SUPPORTED for other data sets.  The Train page's live map. */
ReliefDecisionMap *relief_decision_map_compute (ReliefBackend *backend, const ReliefMlpSpec *spec,
                                                const ReliefDataset *ds, const float *params,
                                                const ReliefGridAxis *plane_x, const ReliefGridAxis *plane_y,
                                                GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefDecisionJob, relief_decision_job_clear)

G_END_DECLS

/* relief-regions-job.h: the work behind `relief regions` and the window's linear regions:
 * the exact partition of a loaded run's input plane (compute/relief-regions.h) at one or
 * every checkpoint, written as a regions file (data/relief-regions-file.h).  The plane:
 * the input plane of a 2-input model, or the plane through three training samples.  On
 * the CPU in float64, whatever backend the run trained on; runs on the calling thread. */
#pragma once

#include <gio/gio.h>
#include "relief-loaded-run.h"
#include "relief-regions-file.h"

G_BEGIN_DECLS

typedef enum {
  RELIEF_REGIONS_PLANE_AUTO,      /* input for 2-input models, else samples */
  RELIEF_REGIONS_PLANE_INPUT,
  RELIEF_REGIONS_PLANE_SAMPLES,
} ReliefRegionsPlaneKind;

/* The rectangle of an input plane with no --x/--y: the data's bounding box (training and
 * test samples), widened by this share of its size on each side; of a plane through three
 * samples (at (0,0), (1,0), (0,1)): [-m, 1 + m] on both axes. */
#define RELIEF_REGIONS_INPUT_MARGIN 0.1
#define RELIEF_REGIONS_SAMPLES_MARGIN 0.25

typedef struct {
  ReliefLoadedRun       *run;            /* owned reference, with its data set */
  char                  *checkpoint;     /* an index, "last" (default) or "all" */
  ReliefRegionsPlaneKind plane;
  int                    samples[3];     /* training sample indices of a samples plane; -1: the
                                          * first of classes 0, 1, 2 (two classes: 0, 1, and
                                          * class 0's second) */
  gboolean               has_x, has_y;   /* the rectangle's u and v ranges given */
  double                 x[2], y[2];
  gsize                  max_regions;    /* per checkpoint; 0: no limit */
  char                  *output;         /* the regions file; NULL: in memory only */
} ReliefRegionsJob;

/* Called from the computing thread; any may be NULL. */
typedef struct {
  void   (*progress)   (double fraction, gpointer user_data);
  /* Each checkpoint's partition as it is done (borrowed). */
  void   (*checkpoint) (int checkpoint, const ReliefRegions *regions, gpointer user_data);
  gpointer user_data;
} ReliefRegionsJobCallbacks;

/* No run; last; the automatic plane and rectangle; no limit; no output. */
void     relief_regions_job_init_defaults (ReliefRegionsJob *job);
void     relief_regions_job_clear         (ReliefRegionsJob *job);
/* The plane the job asks for on its run's model and data set: the rectangle, the
 * samples; a clear G_IO_ERROR_INVALID_ARGUMENT for a plane that cannot be (an input
 * plane of a model of more than 2 inputs, a sample index out of range, collinear
 * samples, an empty range).  kind and samples (may be NULL) receive what was chosen. */
ReliefPlane *relief_regions_job_plane (const ReliefRegionsJob *job, ReliefRegionsPlaneKind *kind, int samples[3],
                                       GError **error);
/* Computes the partitions and writes the file (when the job has an output) after each
 * checkpoint that makes a save due (relief-job-common.h's save clock) and at the end.  A
 * cancel (G_IO_ERROR_CANCELLED) between checkpoints keeps those done: the output holds
 * them, complete; a cancel before the first leaves the output as it was. */
gboolean relief_regions_job_run (const ReliefRegionsJob *job, const ReliefRegionsJobCallbacks *cb,
                                 GCancellable *cancellable, ReliefRegionsFile **result, GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefRegionsJob, relief_regions_job_clear)

G_END_DECLS

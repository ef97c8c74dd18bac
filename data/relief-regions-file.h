/* relief-regions-file.h: the exact linear regions of a run's network over a plane of its
 * input space, at one or more checkpoints (schema: docs/file-formats.md; the partition:
 * relief-regions.h).  Errors are RELIEF_FILE_ERROR (relief-file.h). */
#pragma once

#include <glib.h>
#include "relief-file.h"
#include "relief-mlp.h"
#include "relief-regions.h"

G_BEGIN_DECLS

#define RELIEF_REGIONS_FORMAT_VERSION 1

/* The partition at one snapshot of the run. */
typedef struct {
  int            checkpoint;   /* the snapshot's index in the run */
  gint64         step;         /* its training step */
  ReliefRegions *regions;      /* owned */
} ReliefRegionsCheckpoint;

typedef struct {
  ReliefMlpSpec           *spec;            /* the model: activation, layer sizes (H, K) */
  char                    *run_file;        /* as given to the job */
  ReliefPlane             *plane;           /* in input space, with the rectangle */
  /* "input" (the input plane of a 2-input model) or "samples" (through three training
   * samples, whose indices are plane_samples; -1 each for "input"). */
  char                    *plane_kind;
  int                      plane_samples[3];
  int                      n_checkpoints;   /* C, ascending checkpoints */
  ReliefRegionsCheckpoint *checkpoints;     /* [C] */
} ReliefRegionsFile;

/* No checkpoint yet; spec and plane copied. */
ReliefRegionsFile *relief_regions_file_new  (const ReliefMlpSpec *spec, const ReliefPlane *plane,
                                             const char *run_file);
void               relief_regions_file_free (ReliefRegionsFile *rf);
/* Appends the partition at a checkpoint after the last one (takes regions). */
void               relief_regions_file_add  (ReliefRegionsFile *rf, int checkpoint, gint64 step,
                                             ReliefRegions *regions);
/* The position of checkpoint in rf->checkpoints; "last" (NULL too) is the last one; -1 with
 * an error naming the checkpoints it holds when it holds none of that index. */
int                relief_regions_file_find (const ReliefRegionsFile *rf, const char *checkpoint, GError **error);
/* Written through relief_h5_save_atomic; at least one checkpoint. */
gboolean           relief_regions_file_save (const ReliefRegionsFile *rf, const char *path, GError **error);
/* Validated before anything of a declared size is allocated: shapes, offsets ascending
 * from 0 to V with at least 3 vertices a polygon, finite coordinates inside the plane's
 * rectangle, classes within the model's. */
ReliefRegionsFile *relief_regions_file_load (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefRegionsFile, relief_regions_file_free)

G_END_DECLS

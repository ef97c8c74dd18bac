/* relief-weights-file.h: the spectra of a run's weight matrices at a checkpoint, and their
 * top singular values over its trajectory (schema: docs/file-formats.md; the quantities:
 * relief-weight-spectra.h).  Errors are RELIEF_FILE_ERROR (relief-file.h). */
#pragma once

#include <glib.h>
#include "relief-file.h"
#include "relief-mlp.h"
#include "relief-weight-spectra.h"

G_BEGIN_DECLS

#define RELIEF_WEIGHTS_FORMAT_VERSION 1

typedef struct {
  ReliefMlpSpec       *spec;
  int                  n_layers;            /* L = spec->n_layers */
  ReliefLayerSpectrum *layers;              /* [L], at the checkpoint */
  char                *run_file;            /* the run they were computed from, as given */
  gint64               checkpoint;          /* its snapshot index */
  gint64               checkpoint_step;     /* the training step of that snapshot */
  int                  n_snapshots;         /* T: snapshots of the trajectory; 0 when not asked */
  gint64              *snapshot_step;       /* [T] */
  double              *top_singular_values; /* [T, L] */
} ReliefWeights;

/* Spectra zeroed (their arrays NULL) for spec's layers (copied), no trajectory. */
ReliefWeights *relief_weights_new  (const ReliefMlpSpec *spec);
void           relief_weights_free (ReliefWeights *w);
/* Makes room for a trajectory of T snapshots (steps 0, values NaN). */
void           relief_weights_set_trajectory (ReliefWeights *w, int n_snapshots);
gboolean       relief_weights_save (const ReliefWeights *w, const char *path, GError **error);
ReliefWeights *relief_weights_load (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefWeights, relief_weights_free)

G_END_DECLS

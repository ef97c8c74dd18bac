/* relief-surface-file.h: loss surfaces in the loss-landscape layout (schema:
 * docs/file-formats.md).  Errors are RELIEF_FILE_ERROR (relief-file.h). */
#pragma once

#include <glib.h>
#include "relief-file.h"
#include "relief-mlp.h"

G_BEGIN_DECLS

#define RELIEF_SURFACE_FORMAT_VERSION 1

typedef struct {
  int      nx, ny;             /* ny == 1 with no ycoordinates for a 1D slice */
  double  *xcoords;            /* [nx] */
  double  *ycoords;            /* [ny] or NULL for 1D */
  double  *train_loss;         /* [ny, nx], NaN where not computed */
  double  *train_acc;          /* [ny, nx], percent */
  double  *test_loss, *test_acc;  /* optional */
  /* Relief attributes (NULL / -1 for foreign files) */
  char    *run_file;
  gint64   checkpoint;         /* snapshot index */
  char    *normalization;      /* "filter" */
  char    *direction_kind;     /* "random" */
  guint64  seed;
  /* Directions, flat in parameter order; stored per tensor in the groups xdirection and
   * ydirection when spec is known. NULL when absent. */
  ReliefMlpSpec *spec;
  gsize    n_params;
  float   *xdir, *ydir;
  gboolean foreign;            /* read from a file without Relief attributes */
  /* Direction parameters (optional root attributes: NULL / -1 when not recorded) */
  char    *bias_mode;          /* "zero", "copy" (random directions) */
  gint64   to_checkpoint;      /* "line": the snapshot at alpha 1 (the center is alpha 0) */
  gint64   max_samples;        /* samples per cell: the first N of each split; -1 all */
  /* Hessian directions (root attributes): the eigenvalues of xdir and ydir; NaN otherwise */
  double   x_eigenvalue, y_eigenvalue;
  /* PCA directions (root datasets): NaN and 0 / NULL otherwise */
  double   explained_variance_ratio[2];
  int      n_proj;             /* T: snapshots of the trajectory */
  double  *proj_xcoord, *proj_ycoord;   /* [T], float64, offsets from the center projected */
} ReliefSurface;

ReliefSurface *relief_surface_new  (int nx, int ny);   /* losses and accuracies NaN-filled */
void           relief_surface_free (ReliefSurface *s);
gboolean       relief_surface_save (const ReliefSurface *s, const char *path, GError **error);
ReliefSurface *relief_surface_load (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefSurface, relief_surface_free)

G_END_DECLS

/* relief-files.h: the HDF5 files (schema: docs/file-formats.md).
 *
 * Every file is written under a temporary name beside its destination and renamed when
 * complete, so a crash or a cancel never leaves a half-written file at the final path.
 */
#pragma once

#include <glib.h>
#include "relief-dataset.h"
#include "relief-datasets.h"
#include "relief-mlp.h"
#include "relief-train.h"

G_BEGIN_DECLS

#define RELIEF_FILE_ERROR (relief_file_error_quark ())
GQuark relief_file_error_quark (void);

typedef enum {
  RELIEF_FILE_ERROR_IO,           /* cannot open, read or write */
  RELIEF_FILE_ERROR_NOT_HDF5,
  RELIEF_FILE_ERROR_WRONG_KIND,   /* an HDF5 file of another kind */
  RELIEF_FILE_ERROR_VERSION,      /* a newer schema version than we know */
  RELIEF_FILE_ERROR_CORRUPT,      /* missing or malformed datasets */
} ReliefFileError;

#define RELIEF_RUN_FORMAT_VERSION 1
#define RELIEF_SURFACE_FORMAT_VERSION 1

/* Every writer's first check: a rename replaces whatever the name points at, so the
 * destination must be a regular file (or a link to one) or not exist yet.  Otherwise FALSE
 * with G_IO_ERROR_IS_DIRECTORY or G_IO_ERROR_NOT_REGULAR_FILE: saving to /dev/null would
 * replace the device. */
gboolean relief_check_destination (const char *path, GError **error);

/* "run", "surface", "intdim" (surface also a loss-landscape surface file without Relief attributes),
 * or NULL with an error. */
char *relief_file_detect_kind (const char *path, GError **error);

/* ---- Run files ---- */

/* Streams a run while it trains: snapshots and metrics are appended as they come. */
typedef struct _ReliefRunWriter ReliefRunWriter;

ReliefRunWriter *relief_run_writer_new (const char *path, const ReliefMlpSpec *spec, const ReliefTrainConfig *config,
                                        const char *backend_name, const ReliefDataset *ds, GError **error);
gboolean relief_run_writer_add_snapshot (ReliefRunWriter *w, gint64 step, double epoch, const float *params,
                                         GError **error);
gboolean relief_run_writer_add_metrics  (ReliefRunWriter *w, const ReliefTrainMetrics *m, GError **error);
/* Records the status ("completed", "cancelled", "diverged") as the root attribute
 * `status`, closes the file and renames it into place; frees w. */
gboolean relief_run_writer_finish (ReliefRunWriter *w, const char *status, GError **error);
/* Closes and deletes the temporary file; frees w. */
void     relief_run_writer_abort  (ReliefRunWriter *w);

typedef struct {
  ReliefMlpSpec     *spec;
  ReliefTrainConfig  config;
  char              *backend;
  char              *status;
  gsize              n_params;
  int                n_snapshots;     /* T */
  float             *params;          /* [T, n_params] */
  gint64            *snapshot_step;   /* [T] */
  double            *snapshot_epoch;  /* [T] */
  int                n_metrics;       /* S */
  gint64            *metric_step;     /* [S] */
  double            *train_loss, *train_acc;   /* [S] */
  double            *test_loss, *test_acc;     /* [S] or NULL */
  ReliefDataset     *dataset;         /* generated: the stored samples; file data: reloaded
                                         from the recorded paths, checksums verified */
} ReliefRun;

/* load_dataset FALSE skips the dataset (ReliefRun.dataset NULL), e.g. for plotting. */
ReliefRun *relief_run_load (const char *path, gboolean load_dataset, GError **error);
void       relief_run_free (ReliefRun *run);
/* "last", or a snapshot index (0 .. T-1), or a negative index from the end. */
gboolean   relief_run_resolve_checkpoint (const ReliefRun *run, const char *text, int *index, GError **error);

/* ---- Surface files (loss-landscape layout) ---- */

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
  /* PCA directions (root datasets): NaN and 0 / NULL otherwise */
  double   explained_variance_ratio[2];
  int      n_proj;             /* T: snapshots of the trajectory */
  double  *proj_xcoord, *proj_ycoord;   /* [T], float64, offsets from the center projected */
} ReliefSurface;

ReliefSurface *relief_surface_new  (int nx, int ny);   /* losses and accuracies NaN-filled */
void           relief_surface_free (ReliefSurface *s);
gboolean       relief_surface_save (const ReliefSurface *s, const char *path, GError **error);
ReliefSurface *relief_surface_load (const char *path, GError **error);

/* ---- Intrinsic-dimension sweeps ---- */

#define RELIEF_INTDIM_FORMAT_VERSION 1

/* A sweep of subspace trainings: every (d, seed) cell, the baseline and d_int90. */
typedef struct {
  int            K;                 /* dimensions swept */
  int            n_seeds;
  gint64        *dims;              /* [K], ascending */
  double        *train_acc, *test_acc;   /* [K, n_seeds], fractions, NaN where not run */
  double        *final_loss;        /* [K, n_seeds], training loss at the end, NaN where not run */
  double         baseline_train_acc, baseline_test_acc;   /* NaN until the baseline ran */
  double         dint90_individual_mean, dint90_individual_std;  /* against 0.9 * baseline test acc */
  double         dint90_global_mean, dint90_global_std;          /* against 0.9 * global_baseline */
  double         global_baseline;
  char          *projection;        /* "dense", "sparse", "fastfood", "implicit" */
  char          *dataset;           /* as given to --dataset */
  char          *backend;
  ReliefMlpSpec *spec;
  ReliefTrainConfig config;         /* seed: the baseline's; cell s uses seed + s */
  ReliefGeneratorParams gen;        /* the data set's generator settings, when has_gen */
  gboolean       has_gen;           /* FALSE for files written before they were recorded */
  int            max_samples;       /* the first N samples of each split were used; 0: all */
} ReliefIntdim;

/* Accuracies, losses and d_int90 NaN-filled; strings and spec NULL. */
ReliefIntdim *relief_intdim_new  (int K, int n_seeds);
void          relief_intdim_free (ReliefIntdim *id);
ReliefIntdim *relief_intdim_copy (const ReliefIntdim *id);
gboolean      relief_intdim_save (const ReliefIntdim *id, const char *path, GError **error);
ReliefIntdim *relief_intdim_load (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefRun, relief_run_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefSurface, relief_surface_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefIntdim, relief_intdim_free)

G_END_DECLS

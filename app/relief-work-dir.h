/* relief-work-dir.h: the folder of automatic files, the runs, surfaces and sweeps Relief
 * writes without asking where: g_get_user_data_dir ()/relief/runs, surfaces and sweeps.
 * GTK-free, for the window and the CLI alike. */
#pragma once

#include <glib.h>
#include "relief-file.h"

G_BEGIN_DECLS

/* The folder of a kind (RUN: runs, SURFACE: surfaces, INTDIM: sweeps), made if missing;
 * NULL with a G_FILE_ERROR saying which folder could not be made. */
char      *relief_work_dir_get      (ReliefFileKind kind, GError **error);

/* The stem that names a training's files: "<data set>-<hidden widths>-<activation>", e.g.
 * "spiral-16-16-relu".  A data set given as a file or folder is named by its last
 * component without the extension; in it anything but ASCII letters, digits and "_"
 * becomes "_", so that the stem splits back at its "-". */
char      *relief_work_dir_stem     (const char *dataset, const int *hidden, int n_hidden, const char *activation);

/* A path not taken yet in the folder of a kind, named for the stem (NULL: none) and the
 * local time: "spiral-16-16-relu-20261202-003000.h5", then "...-003000-1.h5", ... within
 * the same second. */
char      *relief_work_dir_new_path (ReliefFileKind kind, const char *stem, GError **error);

/* How the window names a file: for a file named as relief_work_dir_new_path or
 * relief_work_dir_slice_path name them, its data set, model and time, e.g.
 * "spiral · 16-16 relu · 06:31" (with the day when it is not today's), a slice followed
 * by " · landscape"; any other file by its name. */
char      *relief_work_dir_title    (const char *path);

/* The files the window opened or wrote, newest first, kept in
 * g_get_user_data_dir ()/relief/recent (one absolute path a line, at most
 * RELIEF_RECENT_MAX).  add_recent puts path first (once); list_recent leaves out files
 * gone since.  The list is written whole to a temporary name and renamed. */
#define RELIEF_RECENT_MAX 10
gboolean   relief_work_dir_add_recent  (const char *path, GError **error);
char     **relief_work_dir_list_recent (void);

/* What makes one slice of a run: two slices with equal settings are the same surface. */
typedef struct {
  const char *directions;      /* "random", "pca", "line" */
  guint64     seed;
  const char *normalization;   /* random directions: "filter", ...; else NULL */
  const char *bias;            /* random directions: "zero", "copy"; else NULL */
  gint64      to_checkpoint;   /* line: the snapshot at alpha 1; else -1 */
  double      x_min, x_max;
  int         nx;
  double      y_min, y_max;    /* not part of a 1D slice */
  int         ny;              /* 1: a 1D slice */
  gint64      max_samples;     /* samples per cell; <= 0: all */
} ReliefSliceSettings;

/* The surface file of one slice of a run, in the surfaces folder (made if missing):
 * "<the run's name>-<12 hex digits>.h5", the digits a hash of the run's absolute path, the
 * checkpoint (a snapshot index) and the settings, so that computing the same slice again
 * replaces its file instead of adding one. */
char      *relief_work_dir_slice_path (const char *run_path, gint64 checkpoint, const ReliefSliceSettings *settings,
                                       GError **error);

typedef struct {
  char   *path;
  guint64 size;                /* bytes */
  gint64  mtime;               /* seconds since the epoch */
} ReliefWorkFile;

void       relief_work_file_free (ReliefWorkFile *file);

/* The automatic files of a kind, oldest first (ReliefWorkFile, freed with the array):
 * regular files of its folder named as relief_work_dir_new_path or
 * relief_work_dir_slice_path name them and holding a Relief file of that kind.  Saves in
 * progress ("*.tmp-*"), links, folders and anything else are left out.  A folder not made
 * yet lists empty.  total_size, when not NULL, is the sum of the sizes. */
GPtrArray *relief_work_dir_list  (ReliefFileKind kind, guint64 *total_size, GError **error);

/* Deletes the oldest listed files of a kind until at most max_files remain and they take
 * at most max_bytes (-1: no bound on that; 0 and 0 clear the folder).  Only listed files
 * are deleted, so never a save in progress nor anything Relief did not make; and the
 * temporary files of saves whose writer is gone (relief_output_remove_stale), not counted
 * in n_removed.  n_removed, when not NULL, counts the files deleted; FALSE at the first
 * one that cannot be. */
gboolean   relief_work_dir_prune (ReliefFileKind kind, gint64 max_files, gint64 max_bytes, guint *n_removed,
                                  GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefWorkFile, relief_work_file_free)

G_END_DECLS

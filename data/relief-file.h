/* relief-file.h: what every HDF5 file of Relief shares: the error domain, the check of a
 * destination before saving and the registry of file kinds.  The files themselves:
 * relief-run-file.h, relief-surface-file.h, relief-intdim-file.h,
 * relief-hessian-file.h, relief-weights-file.h, relief-regions-file.h (docs/file-formats.md).
 *
 * Every file is written under a temporary name beside its destination and renamed when
 * complete, by one writer at a time (relief-output.h), so a crash, a cancel or a full disk
 * never leaves a half-written file at the final path.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELIEF_FILE_ERROR (relief_file_error_quark ())
GQuark relief_file_error_quark (void);

typedef enum {
  RELIEF_FILE_ERROR_IO,           /* cannot open, read or write */
  RELIEF_FILE_ERROR_NOT_HDF5,
  RELIEF_FILE_ERROR_WRONG_KIND,   /* an HDF5 file of another kind */
  RELIEF_FILE_ERROR_VERSION,      /* a newer schema version than we know */
  RELIEF_FILE_ERROR_CORRUPT,      /* missing or malformed datasets */
  RELIEF_FILE_ERROR_BUSY,         /* another writer holds the output's lock (relief-output.h) */
} ReliefFileError;

/* Every writer's first check: a rename replaces whatever the name points at, so the
 * destination must be a regular file (or a link to one) or not exist yet.  Otherwise FALSE
 * with G_IO_ERROR_IS_DIRECTORY or G_IO_ERROR_NOT_REGULAR_FILE: saving to /dev/null would
 * replace the device. */
gboolean relief_check_destination (const char *path, GError **error);

/* The most bytes a reader may allocate for what one file declares: the memory available
 * now (MemAvailable), so that a file declaring a huge size is refused with a message
 * instead of aborting the process in an allocation. */
guint64 relief_file_memory_budget (void);

/* The kinds of file Relief reads and writes.  Each has one entry in the registry of
 * relief-file.c: adding a kind is a value here and an entry there. */
typedef enum {
  RELIEF_FILE_KIND_NONE,          /* not a file Relief reads */
  RELIEF_FILE_KIND_RUN,
  RELIEF_FILE_KIND_SURFACE,
  RELIEF_FILE_KIND_INTDIM,
  RELIEF_FILE_KIND_HESSIAN,
  RELIEF_FILE_KIND_WEIGHTS,
  RELIEF_FILE_KIND_REGIONS,
  RELIEF_FILE_N_KINDS
} ReliefFileKind;

typedef struct {
  ReliefFileKind      kind;
  const char         *name;          /* the root attribute relief_format; how users are told the kind */
  const char         *description;   /* how messages name it, article included: "a run" */
  int                 max_version;   /* the newest relief_format_version this Relief reads */
  /* Root datasets that make an HDF5 file without Relief attributes one of this kind (a
   * loss-landscape surface), NULL-terminated; NULL when only relief_format tells. */
  const char * const *foreign_links;
} ReliefFileKindInfo;

/* The registry's entry of a kind; NULL for RELIEF_FILE_KIND_NONE. */
const ReliefFileKindInfo *relief_file_kind_info   (ReliefFileKind kind);
/* The entry named name ("run"), or NULL. */
const ReliefFileKindInfo *relief_file_kind_lookup (const char *name);
/* The name of a kind ("run"); "none" for RELIEF_FILE_KIND_NONE. */
const char               *relief_file_kind_name   (ReliefFileKind kind);

/* Opens path and tells its kind by the registry (a surface also for a loss-landscape
 * surface file without Relief attributes); RELIEF_FILE_KIND_NONE with an error for a
 * missing file, one that is not HDF5, of an unknown kind or of a newer version. */
ReliefFileKind relief_file_detect_kind (const char *path, GError **error);

G_END_DECLS

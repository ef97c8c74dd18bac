/* relief-file.h: what every HDF5 file of Relief shares: the error domain and the check of
 * a destination before saving.  The files themselves: relief-run-file.h,
 * relief-surface-file.h, relief-intdim-file.h (schema: docs/file-formats.md).
 *
 * Every file is written under a temporary name beside its destination and renamed when
 * complete, so a crash or a cancel never leaves a half-written file at the final path.
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
} ReliefFileError;

/* Every writer's first check: a rename replaces whatever the name points at, so the
 * destination must be a regular file (or a link to one) or not exist yet.  Otherwise FALSE
 * with G_IO_ERROR_IS_DIRECTORY or G_IO_ERROR_NOT_REGULAR_FILE: saving to /dev/null would
 * replace the device. */
gboolean relief_check_destination (const char *path, GError **error);

/* "run", "surface", "intdim" (surface also a loss-landscape surface file without Relief attributes),
 * or NULL with an error. */
char *relief_file_detect_kind (const char *path, GError **error);

G_END_DECLS

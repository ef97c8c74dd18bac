/* relief-file.c: what the HDF5 files share: their error domain, the destination check
 * and the detection of a file's kind. */
#include "relief-file.h"
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include "relief-h5.h"

G_DEFINE_QUARK (relief-file-error-quark, relief_file_error)

gboolean
relief_check_destination (const char *path, GError **error)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS) || g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                 _("Cannot write “%s”: it is a folder; give a file name"), path);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                 _("Cannot write “%s”: it exists and is not a regular file (a device or a pipe), which saving "
                   "would replace; give a file name"), path);
  return FALSE;
}

char *
relief_file_detect_kind (const char *path, GError **error)
{
  ReliefH5Quiet quiet;
  char *kind = NULL;
  hid_t file;

  relief_h5_quiet_begin (&quiet);
  file = relief_h5_open_kind (path, &kind, error);
  if (file >= 0)
    H5Fclose (file);
  relief_h5_quiet_end (&quiet);
  return kind;
}

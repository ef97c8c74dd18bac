/* relief-file.c: what the HDF5 files share: their error domain, the destination check
 * and the registry of file kinds. */
#include "relief-file.h"
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include "relief-h5.h"
#include "relief-hessian-file.h"
#include "relief-intdim-file.h"
#include "relief-regions-file.h"
#include "relief-run-file.h"
#include "relief-surface-file.h"
#include "relief-weights-file.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

guint64
relief_file_memory_budget (void)
{
  long pages = sysconf (_SC_PHYS_PAGES), page = sysconf (_SC_PAGESIZE);
  guint64 total = pages > 0 && page > 0 ? (guint64) pages * (guint64) page : G_MAXUINT64;
  g_autofree char *meminfo = NULL;
  const char *line;
  unsigned long long kib;

  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL) &&
      (line = strstr (meminfo, "MemAvailable:")) != NULL && sscanf (line, "MemAvailable: %llu kB", &kib) == 1 &&
      kib < G_MAXUINT64 / 1024)
    return MIN ((guint64) kib * 1024, total);
  return total;
}

static const char * const loss_landscape_links[] = { "xcoordinates", "train_loss", NULL };

/* Indexed by ReliefFileKind; its order is the order messages list the kinds in. */
static const ReliefFileKindInfo registry[RELIEF_FILE_N_KINDS] = {
  [RELIEF_FILE_KIND_RUN] = {
    .kind = RELIEF_FILE_KIND_RUN,
    .name = "run",
    .description = N_("a run"),
    .max_version = RELIEF_RUN_FORMAT_VERSION,
  },
  [RELIEF_FILE_KIND_SURFACE] = {
    .kind = RELIEF_FILE_KIND_SURFACE,
    .name = "surface",
    .description = N_("a surface"),
    .max_version = RELIEF_SURFACE_FORMAT_VERSION,
    .foreign_links = loss_landscape_links,
  },
  [RELIEF_FILE_KIND_INTDIM] = {
    .kind = RELIEF_FILE_KIND_INTDIM,
    .name = "intdim",
    .description = N_("a sweep"),
    .max_version = RELIEF_INTDIM_FORMAT_VERSION,
  },
  [RELIEF_FILE_KIND_HESSIAN] = {
    .kind = RELIEF_FILE_KIND_HESSIAN,
    .name = "hessian",
    .description = N_("a Hessian spectrum"),
    .max_version = RELIEF_HESSIAN_FORMAT_VERSION,
  },
  [RELIEF_FILE_KIND_WEIGHTS] = {
    .kind = RELIEF_FILE_KIND_WEIGHTS,
    .name = "weights",
    .description = N_("weight spectra"),
    .max_version = RELIEF_WEIGHTS_FORMAT_VERSION,
  },
  [RELIEF_FILE_KIND_REGIONS] = {
    .kind = RELIEF_FILE_KIND_REGIONS,
    .name = "regions",
    .description = N_("linear regions"),
    .max_version = RELIEF_REGIONS_FORMAT_VERSION,
  },
};

const ReliefFileKindInfo *
relief_file_kind_info (ReliefFileKind kind)
{
  g_return_val_if_fail (kind >= RELIEF_FILE_KIND_NONE && kind < RELIEF_FILE_N_KINDS, NULL);

  return kind == RELIEF_FILE_KIND_NONE ? NULL : &registry[kind];
}

const ReliefFileKindInfo *
relief_file_kind_lookup (const char *name)
{
  for (int k = RELIEF_FILE_KIND_NONE + 1; k < RELIEF_FILE_N_KINDS; k++)
    if (strcmp (registry[k].name, name) == 0)
      return &registry[k];
  return NULL;
}

const char *
relief_file_kind_name (ReliefFileKind kind)
{
  const ReliefFileKindInfo *info = relief_file_kind_info (kind);

  return info != NULL ? info->name : "none";
}

ReliefFileKind
relief_file_detect_kind (const char *path, GError **error)
{
  ReliefH5Quiet quiet;
  ReliefFileKind kind = RELIEF_FILE_KIND_NONE;
  hid_t file;

  relief_h5_quiet_begin (&quiet);
  file = relief_h5_open_kind (path, &kind, error);
  if (file >= 0)
    H5Fclose (file);
  relief_h5_quiet_end (&quiet);
  return kind;
}

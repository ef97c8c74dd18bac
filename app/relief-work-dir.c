/* relief-work-dir.c: the folder of automatic files: where they go, their names, and the
 * bound on how many are kept. */
#include "relief-config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "relief-work-dir.h"
#include "relief-output.h"

/* Indexed by ReliefFileKind: the kinds Relief writes on its own. */
static const char * const folders[RELIEF_FILE_N_KINDS] = {
  [RELIEF_FILE_KIND_RUN] = "runs",
  [RELIEF_FILE_KIND_SURFACE] = "surfaces",
  [RELIEF_FILE_KIND_INTDIM] = "sweeps",
};

static gboolean
has_folder (ReliefFileKind kind)
{
  return kind > RELIEF_FILE_KIND_NONE && kind < RELIEF_FILE_N_KINDS && folders[kind] != NULL;
}

static char *
folder_path (ReliefFileKind kind)
{
  return g_build_filename (g_get_user_data_dir (), "relief", folders[kind], NULL);
}

char *
relief_work_dir_get (ReliefFileKind kind, GError **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (has_folder (kind), NULL);

  dir = folder_path (kind);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the folder %s: %s"), dir, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&dir);
}

char *
relief_work_dir_new_path (ReliefFileKind kind, GError **error)
{
  g_autofree char *dir = relief_work_dir_get (kind, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  if (dir == NULL)
    return NULL;
  for (int i = 0; ; i++)
    {
      g_autofree char *name = i == 0 ? g_strdup_printf ("%s.h5", stamp)
                                     : g_strdup_printf ("%s-%d.h5", stamp, i);
      char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
}

static void
append_double (GString *key, const char *label, double value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  /* Shortest round-trip text, the same in every locale. */
  g_string_append_printf (key, "%s=%s\n", label, g_ascii_dtostr (text, sizeof text, value));
}

char *
relief_work_dir_slice_path (const char *run_path, gint64 checkpoint, const ReliefSliceSettings *settings,
                            GError **error)
{
  g_autofree char *dir = relief_work_dir_get (RELIEF_FILE_KIND_SURFACE, error);
  g_autofree char *run = g_canonicalize_filename (run_path, NULL);
  g_autofree char *base = g_path_get_basename (run);
  g_autofree char *hash = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GString) key = g_string_new (NULL);
  const ReliefSliceSettings *s = settings;

  if (dir == NULL)
    return NULL;
  g_string_append_printf (key, "run=%s\ncheckpoint=%" G_GINT64_FORMAT "\n", run, checkpoint);
  g_string_append_printf (key, "directions=%s\nseed=%" G_GUINT64_FORMAT "\n", s->directions ? s->directions : "",
                          s->seed);
  g_string_append_printf (key, "normalization=%s\nbias=%s\n", s->normalization ? s->normalization : "",
                          s->bias ? s->bias : "");
  g_string_append_printf (key, "to_checkpoint=%" G_GINT64_FORMAT "\n", MAX (s->to_checkpoint, -1));
  append_double (key, "x_min", s->x_min);
  append_double (key, "x_max", s->x_max);
  g_string_append_printf (key, "nx=%d\nny=%d\n", s->nx, s->ny);
  if (s->ny > 1)
    {
      append_double (key, "y_min", s->y_min);
      append_double (key, "y_max", s->y_max);
    }
  g_string_append_printf (key, "max_samples=%" G_GINT64_FORMAT "\n", s->max_samples > 0 ? s->max_samples : -1);

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key->str, key->len);
  if (g_str_has_suffix (base, ".h5"))
    base[strlen (base) - strlen (".h5")] = '\0';
  name = g_strdup_printf ("%s-%.12s.h5", base, hash);
  return g_build_filename (dir, name, NULL);
}

void
relief_work_file_free (ReliefWorkFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_free (file);
}

/* The names relief_work_dir_new_path and relief_work_dir_slice_path give; a save in
 * progress ("NAME.h5.tmp-XXXXXX") has none of them. */
static gboolean
is_work_name (const char *name)
{
  return g_regex_match_simple ("^([0-9]{8}-[0-9]{6}(-[0-9]+)?|.+-[0-9a-f]{12})\\.h5$", name, 0, 0);
}

static int
compare_age (gconstpointer a, gconstpointer b)
{
  const ReliefWorkFile *fa = *(ReliefWorkFile * const *) a;
  const ReliefWorkFile *fb = *(ReliefWorkFile * const *) b;

  if (fa->mtime != fb->mtime)
    return fa->mtime < fb->mtime ? -1 : 1;
  return g_strcmp0 (fa->path, fb->path);
}

GPtrArray *
relief_work_dir_list (ReliefFileKind kind, guint64 *total_size, GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) relief_work_file_free);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir_path = NULL;
  g_autoptr(GDir) dir = NULL;
  guint64 total = 0;
  const char *name;

  g_return_val_if_fail (has_folder (kind), NULL);

  if (total_size != NULL)
    *total_size = 0;
  dir_path = folder_path (kind);
  dir = g_dir_open (dir_path, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&files);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      ReliefWorkFile *file;
      GStatBuf st;

      if (!is_work_name (name))
        continue;
      path = g_build_filename (dir_path, name, NULL);
      /* lstat: a link may point outside the folder. */
      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode) || relief_file_detect_kind (path, NULL) != kind)
        continue;
      file = g_new0 (ReliefWorkFile, 1);
      file->path = g_steal_pointer (&path);
      file->size = st.st_size;
      file->mtime = st.st_mtime;
      total += file->size;
      g_ptr_array_add (files, file);
    }
  g_ptr_array_sort (files, compare_age);
  if (total_size != NULL)
    *total_size = total;
  return g_steal_pointer (&files);
}

gboolean
relief_work_dir_prune (ReliefFileKind kind, gint64 max_files, gint64 max_bytes, guint *n_removed, GError **error)
{
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *dir_path = NULL;
  guint64 total = 0;
  guint removed = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (has_folder (kind), FALSE);

  if (n_removed != NULL)
    *n_removed = 0;
  files = relief_work_dir_list (kind, &total, error);
  if (files == NULL)
    return FALSE;
  /* Unique names are never written again, so nothing else removes what a save killed
   * midway left here. */
  dir_path = folder_path (kind);
  relief_output_remove_stale (dir_path);
  /* Oldest first, until what is left fits both bounds. */
  for (guint i = 0; ok && i < files->len; i++)
    {
      const ReliefWorkFile *file = files->pdata[i];
      gint64 left = files->len - i;

      if ((max_files < 0 || left <= max_files) && (max_bytes < 0 || total <= (guint64) max_bytes))
        break;
      if (g_unlink (file->path) != 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot delete %s: %s"), file->path,
                       g_strerror (saved));
          ok = FALSE;
        }
      else
        {
          total -= file->size;
          removed++;
        }
    }
  if (n_removed != NULL)
    *n_removed = removed;
  return ok;
}

/* relief-work-dir.c: the folder of automatic files: where they go, their names, and the
 * bound on how many are kept. */
#include "relief-config.h"

#include <errno.h>
#include <stdlib.h>
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

static void
append_name_part (GString *stem, const char *text)
{
  for (const char *c = text; *c; c++)
    g_string_append_c (stem, g_ascii_isalnum (*c) || *c == '_' ? *c : '_');
}

char *
relief_work_dir_stem (const char *dataset, const int *hidden, int n_hidden, const char *activation)
{
  g_autofree char *base = g_path_get_basename (dataset != NULL && *dataset ? dataset : "data");
  char *dot = strrchr (base, '.');
  GString *stem = g_string_new (NULL);

  if (dot != NULL && dot != base)
    *dot = '\0';
  append_name_part (stem, base);
  for (int i = 0; i < n_hidden; i++)
    g_string_append_printf (stem, "-%d", hidden[i]);
  if (activation != NULL && *activation)
    {
      g_string_append_c (stem, '-');
      append_name_part (stem, activation);
    }
  return g_string_free (stem, FALSE);
}

char *
relief_work_dir_new_path (ReliefFileKind kind, const char *stem, GError **error)
{
  g_autofree char *dir = relief_work_dir_get (kind, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *stamp = stem != NULL && *stem ? g_strdup_printf ("%s-%s", stem, time) : g_strdup (time);

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
  return g_regex_match_simple ("^(([A-Za-z0-9_]+-)*[0-9]{8}-[0-9]{6}(-[0-9]+)?|.+-[0-9a-f]{12})\\.h5$", name, 0, 0);
}

/* "16-16 relu" from "16-16-relu": the widths, then the activation. */
static char *
model_words (char **parts, int n)
{
  GString *text = g_string_new (NULL);

  for (int i = 0; i < n - 1; i++)
    g_string_append_printf (text, i == 0 ? "%s" : "-%s", parts[i]);
  if (n > 0)
    g_string_append_printf (text, text->len > 0 ? " %s" : "%s", parts[n - 1]);
  return g_string_free (text, FALSE);
}

char *
relief_work_dir_title (const char *path)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(GRegex) regex = g_regex_new ("^(?:([A-Za-z0-9_-]+)-)?([0-9]{4})([0-9]{2})([0-9]{2})-([0-9]{2})([0-9]{2})"
                                         "[0-9]{2}(?:-[0-9]{1,11})?(-[0-9a-f]{12})?\\.h5$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GDateTime) when = NULL, now = g_date_time_new_now_local ();
  g_autoptr(GString) title = g_string_new (NULL);
  g_autofree char *stem = NULL, *slice = NULL, *time = NULL;
  int field[5];

  if (!g_regex_match (regex, name, 0, &match))
    {
      if (g_str_has_suffix (name, ".h5"))
        name[strlen (name) - strlen (".h5")] = '\0';
      return g_steal_pointer (&name);
    }
  stem = g_match_info_fetch (match, 1);
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *digits = g_match_info_fetch (match, i + 2);
      field[i] = atoi (digits);
    }
  slice = g_match_info_fetch (match, 7);
  when = g_date_time_new_local (field[0], field[1], field[2], field[3], field[4], 0);
  if (stem != NULL && *stem)
    {
      g_auto(GStrv) parts = g_strsplit (stem, "-", -1);
      int n = g_strv_length (parts);
      g_autofree char *model = model_words (parts + 1, n - 1);

      g_string_append (title, parts[0]);
      if (*model)
        g_string_append_printf (title, " · %s", model);
      g_string_append (title, " · ");
    }
  if (when == NULL)
    time = g_strdup ("?");
  else if (g_date_time_get_year (when) == g_date_time_get_year (now) &&
           g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    time = g_date_time_format (when, "%H:%M");
  else
    time = g_date_time_format (when, "%b %-d %H:%M");
  g_string_append (title, time);
  if (slice != NULL && *slice)
    g_string_append (title, _(" · landscape"));
  return g_string_free (g_steal_pointer (&title), FALSE);
}

static char *
recent_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "relief", "recent", NULL);
}

static char **
read_recent (void)
{
  g_autofree char *file = recent_path ();
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (file, &contents, NULL, NULL))
    return g_new0 (char *, 1);
  return g_strsplit (contents, "\n", -1);
}

gboolean
relief_work_dir_add_recent (const char *path, GError **error)
{
  g_autofree char *file = recent_path ();
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_auto(GStrv) old = read_recent ();
  g_autoptr(GString) text = g_string_new (absolute);
  int kept = 1;

  g_string_append_c (text, '\n');
  for (int i = 0; old[i] != NULL && kept < RELIEF_RECENT_MAX; i++)
    if (*old[i] && !g_str_equal (old[i], absolute))
      {
        g_string_append_printf (text, "%s\n", old[i]);
        kept++;
      }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  /* g_file_set_contents writes a temporary file and renames it. */
  return g_file_set_contents (file, text->str, text->len, error);
}

char **
relief_work_dir_list_recent (void)
{
  g_auto(GStrv) lines = read_recent ();
  GPtrArray *kept = g_ptr_array_new ();

  for (int i = 0; lines[i] != NULL && kept->len < RELIEF_RECENT_MAX; i++)
    if (g_path_is_absolute (lines[i]) && g_file_test (lines[i], G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add (kept, g_strdup (lines[i]));
  g_ptr_array_add (kept, NULL);
  return (char **) g_ptr_array_free (kept, FALSE);
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

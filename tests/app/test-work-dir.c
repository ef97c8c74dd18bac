/* test-work-dir.c: the folder of automatic files, in a temporary data folder (never the
 * user's): where it is, new and per-slice names, listing, and pruning that never touches
 * a save in progress or what Relief did not make. */
#include "relief-surface-file.h"
#include "relief-work-dir.h"
#include "relief-output.h"

#include <string.h>
#include <unistd.h>
#include <utime.h>
#include <glib/gstdio.h>

static const ReliefSliceSettings slice = {
  .directions = "random",
  .seed = 7,
  .normalization = "filter",
  .bias = "zero",
  .to_checkpoint = -1,
  .x_min = -1.0, .x_max = 1.0, .nx = 21,
  .y_min = -0.5, .y_max = 0.5, .ny = 11,
  .max_samples = 0,
};

static void
save_surface (const char *path, int nx)
{
  g_autoptr (ReliefSurface) s = relief_surface_new (nx, 1);
  g_autoptr (GError) error = NULL;

  g_assert_true (relief_surface_save (s, path, &error));
  g_assert_no_error (error);
}

static void
set_age (const char *path, time_t mtime)
{
  struct utimbuf times = { mtime, mtime };

  g_assert_cmpint (g_utime (path, &times), ==, 0);
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

static void
assert_isolated (void)
{
  g_assert_true (g_str_has_prefix (g_get_user_data_dir (), g_get_tmp_dir ()));
  g_assert_false (g_str_has_prefix (g_get_user_data_dir (), g_get_home_dir ()));
}

static void
test_folder (void)
{
  g_autoptr (GError) error = NULL;
  struct { ReliefFileKind kind; const char *folder; } kinds[] = {
    { RELIEF_FILE_KIND_RUN, "runs" }, { RELIEF_FILE_KIND_SURFACE, "surfaces" }, { RELIEF_FILE_KIND_INTDIM, "sweeps" },
  };

  assert_isolated ();
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "relief", kinds[i].folder, NULL);
      g_autofree char *dir = relief_work_dir_get (kinds[i].kind, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (dir, ==, expected);
      g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
    }
}

/* A file where the folder should be: the error names the folder. */
static void
test_folder_error (void)
{
  g_autofree char *relief = g_build_filename (g_get_user_data_dir (), "relief", NULL);
  g_autofree char *expected = g_build_filename (relief, "runs", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  assert_isolated ();
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (relief, "", 0, NULL));
  dir = relief_work_dir_get (RELIEF_FILE_KIND_RUN, &error);
  g_assert_null (dir);
  g_assert_true (error != NULL && error->domain == G_FILE_ERROR);
  g_assert_true (g_str_has_prefix (error->message, "Cannot create the folder "));
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_error (&error);
  path = relief_work_dir_new_path (RELIEF_FILE_KIND_RUN, NULL, &error);
  g_assert_null (path);
  g_assert_true (error != NULL && error->domain == G_FILE_ERROR);
}

static void
test_new_path (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *first = relief_work_dir_new_path (RELIEF_FILE_KIND_RUN, NULL, &error);
  g_autofree char *again = NULL, *second = NULL, *name = NULL, *dir = NULL;

  assert_isolated ();
  g_assert_no_error (error);
  dir = g_path_get_dirname (first);
  g_assert_true (g_str_has_suffix (dir, "/relief/runs"));
  name = g_path_get_basename (first);
  g_assert_true (g_regex_match_simple ("^[0-9]{8}-[0-9]{6}(-[0-9]+)?\\.h5$", name, 0, 0));
  /* Nothing is made at the path: until something is, it is the one to take. */
  g_assert_false (g_file_test (first, G_FILE_TEST_EXISTS));
  again = relief_work_dir_new_path (RELIEF_FILE_KIND_RUN, NULL, &error);
  if (g_str_equal (again, first))
    {
      g_assert_true (g_file_set_contents (first, "", 0, NULL));
      second = relief_work_dir_new_path (RELIEF_FILE_KIND_RUN, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (second, !=, first);
      g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));
    }
  else
    g_test_message ("the clock moved to the next second between the two calls");
}

static char *
slice_path (const char *run, gint64 checkpoint, const ReliefSliceSettings *s)
{
  g_autoptr (GError) error = NULL;
  char *path = relief_work_dir_slice_path (run, checkpoint, s, &error);

  g_assert_no_error (error);
  return path;
}

static void
test_slice_path (void)
{
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *run = g_build_filename (cwd, "runs", "20261202-003000.h5", NULL);
  g_autofree char *path = slice_path (run, 4, &slice);
  g_autofree char *relative = slice_path ("runs/./20261202-003000.h5", 4, &slice);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *other_run = g_build_filename (cwd, "elsewhere", "20261202-003000.h5", NULL);
  g_autofree char *all_samples = NULL, *line = NULL, *line_other_y = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ReliefSliceSettings s;
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GError) error = NULL;

  assert_isolated ();
  g_assert_true (g_str_has_suffix (dir, "/relief/surfaces"));
  g_assert_true (g_regex_match_simple ("^20261202-003000-[0-9a-f]{12}\\.h5$", name, 0, 0));
  g_assert_cmpstr (relative, ==, path);

  /* Each setting makes another slice, hence another file. */
  g_hash_table_add (seen, g_strdup (path));
  g_hash_table_add (seen, slice_path (run, 3, &slice));
  g_hash_table_add (seen, slice_path (other_run, 4, &slice));
  for (int change = 0; change < 12; change++)
    {
      s = slice;
      switch (change)
        {
        case 0: s.directions = "pca"; break;
        case 1: s.seed = 8; break;
        case 2: s.normalization = "layer"; break;
        case 3: s.bias = "copy"; break;
        case 4: s.to_checkpoint = 2; break;
        case 5: s.x_min = -2.0; break;
        case 6: s.x_max = 1.5; break;
        case 7: s.nx = 22; break;
        case 8: s.y_min = -1.0; break;
        case 9: s.y_max = 1.0; break;
        case 10: s.ny = 12; break;
        default: s.max_samples = 100; break;
        }
      g_hash_table_add (seen, slice_path (run, 4, &s));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 15);

  /* What does not change the slice does not change the file: all samples either way, and
   * no y range along a 1D slice. */
  s = slice;
  s.max_samples = -1;
  all_samples = slice_path (run, 4, &s);
  g_assert_cmpstr (all_samples, ==, path);
  s = slice;
  s.ny = 1;
  line = slice_path (run, 4, &s);
  g_assert_cmpstr (line, !=, path);
  s.y_min = -9.0;
  s.y_max = 9.0;
  line_other_y = slice_path (run, 4, &s);
  g_assert_cmpstr (line_other_y, ==, line);

  /* Computing the same slice again replaces its file. */
  save_surface (path, 3);
  save_surface (relative, 4);
  files = relief_work_dir_list (RELIEF_FILE_KIND_SURFACE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 1);
}

typedef struct {
  char *dir;
  char *oldest, *middle, *newest;  /* automatic surfaces */
  char *saving, *notes, *foreign_name, *link, *outside, *folder;
  char *dead_save;                 /* a save whose writer was killed */
  ReliefOutputLock *writer;        /* the lock of saving's output, as its writer holds it */
} Folder;

/* Three automatic surfaces among what must never be listed or deleted: a save in
 * progress, a file of the user's, a non-HDF5 file named like ours, a link to a surface
 * outside the folder, a folder named like ours. */
static void
folder_setup (Folder *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *run = g_build_filename (g_get_user_data_dir (), "run.h5", NULL);

  assert_isolated ();
  f->dir = relief_work_dir_get (RELIEF_FILE_KIND_SURFACE, &error);
  g_assert_no_error (error);
  f->oldest = g_build_filename (f->dir, "20260101-000000.h5", NULL);
  f->middle = relief_work_dir_slice_path (run, 0, &slice, &error);
  f->newest = g_build_filename (f->dir, "20260101-000000-1.h5", NULL);
  f->saving = g_build_filename (f->dir, "20260301-000000.h5.tmp-a1B2c3", NULL);
  f->dead_save = g_build_filename (f->dir, "20260302-000000.h5.tmp-Zz0000", NULL);
  f->notes = g_build_filename (f->dir, "notes-0123456789ab.txt", NULL);
  f->foreign_name = g_build_filename (f->dir, "20260102-000000.h5", NULL);
  f->link = g_build_filename (f->dir, "20260103-000000.h5", NULL);
  f->outside = g_build_filename (g_get_user_data_dir (), "mine-0123456789ab.h5", NULL);
  f->folder = g_build_filename (f->dir, "20260104-000000.h5", NULL);

  save_surface (f->oldest, 2);
  save_surface (f->middle, 40);
  save_surface (f->newest, 400);
  /* A save in progress: its writer holds its output's lock. */
  {
    g_autofree char *output = g_build_filename (f->dir, "20260301-000000.h5", NULL);

    f->writer = relief_output_lock (output, &error);
    g_assert_no_error (error);
  }
  save_surface (f->saving, 2);
  save_surface (f->dead_save, 2);
  save_surface (f->outside, 2);
  set_age (f->oldest, 1000);
  set_age (f->middle, 2000);
  set_age (f->newest, 3000);
  set_age (f->saving, 10);
  g_assert_true (g_file_set_contents (f->notes, "mine", -1, NULL));
  g_assert_true (g_file_set_contents (f->foreign_name, "not HDF5", -1, NULL));
  set_age (f->foreign_name, 10);
  g_assert_cmpint (symlink (f->outside, f->link), ==, 0);
  g_assert_cmpint (g_mkdir (f->folder, 0700), ==, 0);
}

static void
folder_teardown (Folder *f, gconstpointer data)
{
  relief_output_unlock (f->writer);
  g_free (f->dead_save);
  g_free (f->dir);
  g_free (f->oldest);
  g_free (f->middle);
  g_free (f->newest);
  g_free (f->saving);
  g_free (f->notes);
  g_free (f->foreign_name);
  g_free (f->link);
  g_free (f->outside);
  g_free (f->folder);
}

/* After a prune: a save in progress and what Relief did not make are there, a dead save's
 * temporary file is not. */
static void
assert_untouched (Folder *f)
{
  g_assert_false (g_file_test (f->dead_save, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->saving, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (f->notes, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (f->foreign_name, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (f->link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (f->outside, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (f->folder, G_FILE_TEST_IS_DIR));
}

/* Runs and sweeps are named for their data set and model, then the time; the window
 * shows that name in words, and lists the files so named. */
static void
test_named_path (void)
{
  static const int hidden[] = { 16, 16 };
  g_autoptr (GError) error = NULL;
  g_autofree char *stem = relief_work_dir_stem ("spiral", hidden, 2, "relu");
  g_autofree char *csv = relief_work_dir_stem ("/data/my-set v2.csv", hidden, 1, "leaky_relu");
  g_autofree char *none = relief_work_dir_stem ("moons", NULL, 0, "tanh");
  g_autofree char *path = NULL, *name = NULL, *title = NULL, *slice_title = NULL, *slice_file = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *hhmm = NULL, *expected = NULL;
  g_autoptr (ReliefSurface) s = relief_surface_new (3, 1);
  g_autoptr (GPtrArray) files = NULL;

  assert_isolated ();
  g_assert_cmpstr (stem, ==, "spiral-16-16-relu");
  g_assert_cmpstr (csv, ==, "my_set_v2-16-leaky_relu");
  g_assert_cmpstr (none, ==, "moons-tanh");

  path = relief_work_dir_new_path (RELIEF_FILE_KIND_INTDIM, stem, &error);
  g_assert_no_error (error);
  name = g_path_get_basename (path);
  g_assert_true (g_regex_match_simple ("^spiral-16-16-relu-[0-9]{8}-[0-9]{6}(-[0-9]+)?\\.h5$", name, 0, 0));

  /* Today's files by the time alone; others with their day. */
  now = g_date_time_new_now_local ();
  title = relief_work_dir_title (path);
  hhmm = g_strdup_printf ("%.2s:%.2s", name + strlen ("spiral-16-16-relu-20261202-"),
                          name + strlen ("spiral-16-16-relu-20261202-00"));
  expected = g_strdup_printf ("spiral · 16-16 relu · %s", hhmm);
  if (g_date_time_get_hour (now) == 0 && g_date_time_get_minute (now) == 0)
    g_test_message ("midnight: the file may be yesterday's");
  else
    g_assert_cmpstr (title, ==, expected);
  g_free (title);
  title = relief_work_dir_title ("/x/moons-tanh-20201231-235900-2.h5");
  g_assert_cmpstr (title, ==, "moons · tanh · Dec 31 23:59");
  slice_file = slice_path ("/x/spiral-16-16-relu-20201231-235900.h5", 0, &slice);
  slice_title = relief_work_dir_title (slice_file);
  g_assert_cmpstr (slice_title, ==, "spiral · 16-16 relu · Dec 31 23:59 · landscape");
  /* A hash of decimal digits only is still a slice's, not a counter. */
  g_free (title);
  title = relief_work_dir_title ("/x/spiral-16-16-relu-20201231-235900-123456789012.h5");
  g_assert_cmpstr (title, ==, "spiral · 16-16 relu · Dec 31 23:59 · landscape");
  g_free (title);
  title = relief_work_dir_title ("/x/20201231-235900.h5");
  g_assert_cmpstr (title, ==, "Dec 31 23:59");
  g_free (title);
  title = relief_work_dir_title ("/x/my run.h5");
  g_assert_cmpstr (title, ==, "my run");

  /* A file so named is listed as the kind it holds. */
  g_free (path);
  path = relief_work_dir_new_path (RELIEF_FILE_KIND_SURFACE, stem, &error);
  g_assert_no_error (error);
  g_assert_true (relief_surface_save (s, path, &error));
  files = relief_work_dir_list (RELIEF_FILE_KIND_SURFACE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 1);
  g_assert_cmpstr (((ReliefWorkFile *) files->pdata[0])->path, ==, path);
}

/* The recent files: newest first, each once, at most RELIEF_RECENT_MAX, files gone since
 * left out, in the data folder (never the user's). */
static void
test_recent (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "files", NULL);
  g_auto (GStrv) empty = NULL, listed = NULL;
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  assert_isolated ();
  empty = relief_work_dir_list_recent ();
  g_assert_cmpuint (g_strv_length (empty), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (int i = 0; i < RELIEF_RECENT_MAX + 2; i++)
    {
      char *path = g_strdup_printf ("%s/file-%d.h5", dir, i);

      g_assert_true (g_file_set_contents (path, "", 0, NULL));
      g_assert_true (relief_work_dir_add_recent (path, &error));
      g_assert_no_error (error);
      g_ptr_array_add (paths, path);
    }
  /* The first again: first in the list, not twice. */
  g_assert_true (relief_work_dir_add_recent (paths->pdata[3], &error));
  g_assert_cmpint (g_unlink (paths->pdata[RELIEF_RECENT_MAX + 1]), ==, 0);
  listed = relief_work_dir_list_recent ();
  g_assert_cmpuint (g_strv_length (listed), ==, RELIEF_RECENT_MAX - 1);
  g_assert_cmpstr (listed[0], ==, paths->pdata[3]);
  g_assert_cmpstr (listed[1], ==, paths->pdata[RELIEF_RECENT_MAX]);
  for (guint i = 1; listed[i] != NULL; i++)
    g_assert_cmpstr (listed[i], !=, paths->pdata[3]);
  {
    g_autofree char *file = g_build_filename (g_get_user_data_dir (), "relief", "recent", NULL);
    g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
  }
}

static void
test_list_empty (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "relief", "sweeps", NULL);
  guint64 total = 1;
  g_autoptr (GPtrArray) files = relief_work_dir_list (RELIEF_FILE_KIND_INTDIM, &total, &error);

  assert_isolated ();
  g_assert_no_error (error);
  g_assert_nonnull (files);
  g_assert_cmpuint (files->len, ==, 0);
  g_assert_cmpuint (total, ==, 0);
  /* Listing makes no folder. */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

static void
test_list (Folder *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 total = 0;
  g_autoptr (GPtrArray) files = relief_work_dir_list (RELIEF_FILE_KIND_SURFACE, &total, &error);
  g_autoptr (GPtrArray) runs = NULL;
  const ReliefWorkFile *file;

  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 3);
  file = files->pdata[0];
  g_assert_cmpstr (file->path, ==, f->oldest);
  g_assert_cmpuint (file->size, ==, file_size (f->oldest));
  g_assert_cmpint (file->mtime, ==, 1000);
  file = files->pdata[1];
  g_assert_cmpstr (file->path, ==, f->middle);
  g_assert_cmpuint (file->size, ==, file_size (f->middle));
  file = files->pdata[2];
  g_assert_cmpstr (file->path, ==, f->newest);
  g_assert_cmpuint (file->size, ==, file_size (f->newest));
  g_assert_cmpuint (total, ==, file_size (f->oldest) + file_size (f->middle) + file_size (f->newest));

  /* A surface is not a run, even in the runs folder under a run's name. */
  {
    g_autofree char *runs_dir = relief_work_dir_get (RELIEF_FILE_KIND_RUN, &error);
    g_autofree char *misplaced = g_build_filename (runs_dir, "20260101-000000.h5", NULL);

    g_assert_no_error (error);
    save_surface (misplaced, 2);
    runs = relief_work_dir_list (RELIEF_FILE_KIND_RUN, &total, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (runs->len, ==, 0);
    g_assert_cmpuint (total, ==, 0);
  }
}

static guint
prune (gint64 max_files, gint64 max_bytes)
{
  g_autoptr (GError) error = NULL;
  guint removed = G_MAXUINT;

  g_assert_true (relief_work_dir_prune (RELIEF_FILE_KIND_SURFACE, max_files, max_bytes, &removed, &error));
  g_assert_no_error (error);
  return removed;
}

static void
test_prune_files (Folder *f, gconstpointer data)
{
  g_assert_cmpuint (prune (-1, -1), ==, 0);
  g_assert_cmpuint (prune (3, -1), ==, 0);
  g_assert_cmpuint (prune (2, -1), ==, 1);
  g_assert_false (g_file_test (f->oldest, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->middle, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->newest, G_FILE_TEST_EXISTS));
  assert_untouched (f);
}

static void
test_prune_bytes (Folder *f, gconstpointer data)
{
  guint64 newest = file_size (f->newest);
  guint64 two = file_size (f->middle) + newest;

  g_assert_cmpuint (prune (-1, two), ==, 1);
  g_assert_false (g_file_test (f->oldest, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->middle, G_FILE_TEST_EXISTS));
  /* One byte short of the newest alone: the newest goes too. */
  g_assert_cmpuint (prune (-1, two - 1), ==, 1);
  g_assert_true (g_file_test (f->newest, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (prune (10, newest - 1), ==, 1);
  g_assert_false (g_file_test (f->newest, G_FILE_TEST_EXISTS));
  assert_untouched (f);
}

static void
test_clear (Folder *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 total = 1;
  g_autoptr (GPtrArray) files = NULL;

  g_assert_cmpuint (prune (0, 0), ==, 3);
  files = relief_work_dir_list (RELIEF_FILE_KIND_SURFACE, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 0);
  g_assert_cmpuint (total, ==, 0);
  assert_untouched (f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/work-dir/folder", test_folder);
  g_test_add_func ("/work-dir/folder-error", test_folder_error);
  g_test_add_func ("/work-dir/new-path", test_new_path);
  g_test_add_func ("/work-dir/slice-path", test_slice_path);
  g_test_add_func ("/work-dir/named-path", test_named_path);
  g_test_add_func ("/work-dir/recent", test_recent);
  g_test_add_func ("/work-dir/list-empty", test_list_empty);
  g_test_add ("/work-dir/list", Folder, NULL, folder_setup, test_list, folder_teardown);
  g_test_add ("/work-dir/prune-files", Folder, NULL, folder_setup, test_prune_files, folder_teardown);
  g_test_add ("/work-dir/prune-bytes", Folder, NULL, folder_setup, test_prune_bytes, folder_teardown);
  g_test_add ("/work-dir/clear", Folder, NULL, folder_setup, test_clear, folder_teardown);
  return g_test_run ();
}

/* test-output.c: how outputs are written (relief-output.h): checked writes and the rename,
 * a full disk (RLIMIT_FSIZE, test-fsize.h) that keeps the previous file, the lock that
 * admits one writer per output, and the temporary files of dead writers. */
#include "relief-output.h"
#include "relief-file.h"
#include "relief-generators.h"
#include "relief-run-file.h"
#include "relief-surface-file.h"

#include <errno.h>
#include <hdf5.h>
#include <string.h>
#include <sys/file.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-tmpdir.h"
#include "../test-fsize.h"

/* Limits below every file written here, above a lock file's pid and command. */
#define SMALL_LIMIT 1024

static char *
read_file (const char *path, gsize *len)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, len, NULL));
  return contents;
}

/* The names in dir, sorted, joined by spaces: what a failed write left. */
static char *
list_dir (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static char *
lock_path_of (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strconcat (".", base, ".lock", NULL);

  return g_build_filename (dir, name, NULL);
}

static void
test_write_commit (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "out.bin", NULL);
  g_autofree char *lock = lock_path_of (path);
  g_autoptr (GError) error = NULL;
  g_autofree char *listing = NULL, *back = NULL;
  char block[5000];
  ReliefOutput *out;
  gsize len;

  for (gsize i = 0; i < sizeof block; i++)
    block[i] = (char) (i * 7);
  out = relief_output_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (relief_output_write (out, block, sizeof block, &error));
  g_assert_true (relief_output_write (out, block, 10, &error));
  /* While writing: the temporary file and the lock, nothing at the destination. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (lock, G_FILE_TEST_IS_REGULAR));
  g_assert_true (relief_output_commit (out, &error));
  g_assert_no_error (error);

  back = read_file (path, &len);
  g_assert_cmpmem (back, len - 10, block, sizeof block);
  g_assert_cmpmem (back + sizeof block, 10, block, 10);
  listing = list_dir (f->dir);
  g_assert_cmpstr (listing, ==, "out.bin");

  /* An abort leaves the destination as it was, and nothing else. */
  out = relief_output_new (path, &error);
  g_assert_true (relief_output_write (out, "x", 1, &error));
  relief_output_abort (out);
  g_clear_pointer (&back, g_free);
  back = read_file (path, &len);
  g_assert_cmpuint (len, ==, sizeof block + 10);
  g_clear_pointer (&listing, g_free);
  listing = list_dir (f->dir);
  g_assert_cmpstr (listing, ==, "out.bin");
}

/* The previous file, byte for byte, and nothing else in the folder. */
static void
assert_kept (const char *dir, const char *path, const char *before, gsize before_len)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *listing = list_dir (dir);
  g_autofree char *now = NULL;
  gsize len;

  now = read_file (path, &len);
  g_assert_cmpmem (now, len, before, before_len);
  g_assert_cmpstr (listing, ==, base);
}

/* One line naming the file and the system's reason. */
static void
assert_disk_full_message (const GError *error, const char *path)
{
  g_autofree char *expected = g_strdup_printf ("Cannot write “%s”: %s", path, g_strerror (EFBIG));

  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_disk_full (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "out.bin", NULL);
  g_autofree char *big = g_malloc0 (4 * SMALL_LIMIT);
  g_autoptr (GError) error = NULL;
  FsizeLimit limit;
  ReliefOutput *out;

  g_assert_true (g_file_set_contents (path, "previous", -1, NULL));
  fsize_limit_begin (&limit, SMALL_LIMIT);
  out = relief_output_new (path, &error);
  g_assert_no_error (error);
  g_assert_false (relief_output_write (out, big, 4 * SMALL_LIMIT, &error));
  assert_disk_full_message (error, path);
  g_clear_error (&error);
  /* The first error sticks: later writes and the commit report it. */
  g_assert_false (relief_output_write (out, "x", 1, &error));
  g_clear_error (&error);
  g_assert_false (relief_output_commit (out, &error));
  fsize_limit_end (&limit);
  assert_disk_full_message (error, path);
  assert_kept (f->dir, path, "previous", strlen ("previous"));
}

static ReliefSurface *
small_surface (void)
{
  const int sizes[] = { 2, 3, 2 };
  ReliefSurface *s = relief_surface_new (3, 2);

  s->spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_TANH, RELIEF_LOSS_CROSS_ENTROPY);
  s->n_params = relief_mlp_spec_n_params (s->spec);
  s->xdir = g_new0 (float, s->n_params);
  s->ydir = g_new0 (float, s->n_params);
  for (int i = 0; i < 3; i++)
    s->xcoords[i] = -1.0 + i;
  s->ycoords[0] = -0.5;
  s->ycoords[1] = 0.5;
  for (int i = 0; i < 6; i++)
    {
      s->train_loss[i] = 1.0 + i;
      s->train_acc[i] = 50.0 + i;
    }
  s->run_file = g_strdup ("run.h5");
  s->normalization = g_strdup ("filter");
  s->direction_kind = g_strdup ("random");
  return s;
}

/* HDF5 files on a full disk: one line, the old file kept, and no HDF5 object left open (a
 * failed H5Fclose left its file's identifier behind, on which libhdf5's shutdown crashed). */
static void
test_hdf5_disk_full (Fixture *f, gconstpointer data)
{
  g_autofree char *surface_path = g_build_filename (f->dir, "s.h5", NULL);
  g_autofree char *run_path = g_build_filename (f->dir, "r.h5", NULL);
  g_autoptr (ReliefSurface) s = small_surface ();
  g_autoptr (ReliefDataset) ds = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree float *params = g_new0 (float, s->n_params);
  ReliefGeneratorParams gen;
  ReliefTrainConfig config;
  ReliefRunWriter *w;
  FsizeLimit limit;
  gsize before_len;

  g_assert_true (relief_surface_save (s, surface_path, &error));
  g_assert_no_error (error);
  before = read_file (surface_path, &before_len);
  g_assert_cmpuint (before_len, >, SMALL_LIMIT);
  s->train_loss[0] = 42;
  fsize_limit_begin (&limit, SMALL_LIMIT);
  g_assert_false (relief_surface_save (s, surface_path, &error));
  fsize_limit_end (&limit);
  assert_disk_full_message (error, surface_path);
  g_clear_error (&error);
  g_assert_cmpint (H5Fget_obj_count (H5F_OBJ_ALL, H5F_OBJ_ALL), ==, 0);
  assert_kept (f->dir, surface_path, before, before_len);
  g_assert_cmpint (g_unlink (surface_path), ==, 0);

  /* A run: built in memory while it trains, so only the end meets the full disk. */
  relief_generator_defaults ("moons", &gen);
  gen.n_samples = 40;
  ds = relief_dataset_generate ("moons", &gen, &error);
  g_assert_no_error (error);
  relief_train_config_init_defaults (&config);
  g_assert_true (g_file_set_contents (run_path, "an older run", -1, NULL));
  fsize_limit_begin (&limit, SMALL_LIMIT);
  w = relief_run_writer_new (run_path, s->spec, &config, "cpu", ds, &error);
  g_assert_no_error (error);
  for (int t = 0; t < 3; t++)
    g_assert_true (relief_run_writer_add_snapshot (w, t, t, params, &error));
  g_assert_false (relief_run_writer_finish (w, "completed", &error));
  fsize_limit_end (&limit);
  assert_disk_full_message (error, run_path);
  g_assert_cmpint (H5Fget_obj_count (H5F_OBJ_ALL, H5F_OBJ_ALL), ==, 0);
  assert_kept (f->dir, run_path, "an older run", strlen ("an older run"));
}

typedef struct {
  const char *path;
  GError     *error;
  gboolean    locked;
} ThreadTry;

static gpointer
try_lock (gpointer data)
{
  ThreadTry *t = data;
  ReliefOutputLock *lock = relief_output_lock (t->path, &t->error);

  t->locked = lock != NULL;
  relief_output_unlock (lock);
  return NULL;
}

static void
try_from_thread (ThreadTry *t, const char *path)
{
  *t = (ThreadTry) { path, NULL, FALSE };
  g_thread_join (g_thread_new ("try-lock", try_lock, t));
}

/* Reentrant on its thread (a command, then its job, then each save), refused to any other
 * thread with a message naming this process; gone once released. */
static void
test_lock (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "out.h5", NULL);
  g_autofree char *lock_file = lock_path_of (path);
  g_autofree char *pid = g_strdup_printf ("pid %d: ", (int) getpid ());
  g_autofree char *contents = NULL, *expected = NULL, *listing = NULL;
  g_autoptr (GError) error = NULL;
  ReliefOutputLock *lock, *again;
  ReliefOutput *out;
  ThreadTry t;
  gsize len;

  lock = relief_output_lock (path, &error);
  g_assert_no_error (error);
  contents = read_file (lock_file, &len);
  expected = g_strdup_printf ("%d\n", (int) getpid ());
  g_assert_true (g_str_has_prefix (contents, expected));
  g_assert_nonnull (strstr (contents, "test-output"));

  again = relief_output_lock (path, &error);
  g_assert_true (again == lock);
  out = relief_output_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (relief_output_write (out, "ok", 2, &error));

  try_from_thread (&t, path);
  g_assert_false (t.locked);
  g_assert_error (t.error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_BUSY);
  g_assert_nonnull (strstr (t.error->message, path));
  g_assert_nonnull (strstr (t.error->message, pid));
  g_clear_error (&t.error);

  g_assert_true (relief_output_commit (out, &error));
  relief_output_unlock (again);
  g_assert_true (g_file_test (lock_file, G_FILE_TEST_EXISTS));
  relief_output_unlock (lock);
  g_assert_false (g_file_test (lock_file, G_FILE_TEST_EXISTS));
  listing = list_dir (f->dir);
  g_assert_cmpstr (listing, ==, "out.h5");

  try_from_thread (&t, path);
  g_assert_no_error (t.error);
  g_assert_true (t.locked);
}

/* Another process holds the lock file (flock, as a writer does): refused, naming the pid
 * and command written in it.  A lock file left by a killed writer is not locked: it blocks
 * nothing, and the temporary files beside it (its writer's) are removed. */
static void
test_lock_other_process (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "sweep.h5", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other.h5", NULL);
  g_autofree char *lock_file = lock_path_of (path);
  g_autofree char *stale = g_strconcat (path, ".tmp-AbC123", NULL);
  g_autofree char *not_ours = g_strconcat (other, ".tmp-AbC123", NULL);
  g_autofree char *listing = NULL;
  g_autoptr (GError) error = NULL;
  ReliefOutputLock *lock;
  const char *holder = "4242\nrelief intdim --dims 2,4 -o sweep.h5\n";
  int status = 0;
  pid_t child;
  int fd;

  g_assert_true (g_file_set_contents (lock_file, holder, -1, NULL));
  g_assert_true (g_file_set_contents (stale, "half a file", -1, NULL));
  g_assert_true (g_file_set_contents (not_ours, "another output's", -1, NULL));

  /* A child locks the file and waits until it is killed: flock is per open file, so a
   * lock of this process would not show what a second process meets. */
  fd = open (lock_file, O_RDWR);
  g_assert_cmpint (fd, >=, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      flock (fd, LOCK_EX);
      for (;;)
        pause ();
    }
  close (fd);
  for (int i = 0; i < 1000; i++)
    {
      int probe = open (lock_file, O_RDWR);
      gboolean held = flock (probe, LOCK_EX | LOCK_NB) != 0;

      close (probe);
      if (held)
        break;
      g_usleep (10000);
    }

  lock = relief_output_lock (path, &error);
  g_assert_null (lock);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "pid 4242: relief intdim --dims 2,4 -o sweep.h5"));
  g_clear_error (&error);
  g_assert_true (g_file_test (stale, G_FILE_TEST_EXISTS));

  kill (child, SIGKILL);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  lock = relief_output_lock (path, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (not_ours, G_FILE_TEST_EXISTS));
  relief_output_unlock (lock);
  listing = list_dir (f->dir);
  g_assert_cmpstr (listing, ==, "other.h5.tmp-AbC123");
  g_assert_cmpint (g_unlink (not_ours), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/output/write-commit", Fixture, NULL, fixture_setup, test_write_commit, fixture_teardown);
  g_test_add ("/output/disk-full", Fixture, NULL, fixture_setup, test_disk_full, fixture_teardown);
  g_test_add ("/output/hdf5-disk-full", Fixture, NULL, fixture_setup, test_hdf5_disk_full, fixture_teardown);
  g_test_add ("/output/lock", Fixture, NULL, fixture_setup, test_lock, fixture_teardown);
  g_test_add ("/output/lock-other-process", Fixture, NULL, fixture_setup, test_lock_other_process,
              fixture_teardown);
  return g_test_run ();
}

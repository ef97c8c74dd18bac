/* The commands' outputs on a full disk and with two writers, end to end: each command runs
 * as a child process, on a "full disk" made with RLIMIT_FSIZE (test-fsize.h) or beside a
 * writer that holds its output's lock. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relief-output.h"
#include "../test-fsize.h"
#include "test-relief-bin.h"

/* The folder the commands run in; the inputs the cases share are made once. */
static char *workdir;

typedef struct {
  int   exit_status;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Runs relief args; limit > 0: no file may grow past limit bytes.  A crash fails the case. */
static void
run_relief (const char *args, rlim_t limit, Result *r)
{
  g_auto(GStrv) argv = relief_argv (args);
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_assert_true (g_spawn_sync (workdir, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, limit > 0 ? fsize_limit_child_setup : NULL,
                               &limit, NULL, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_test_message ("relief %s -> %d: %s", args, WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1, r->err);
  g_assert_false (WIFSIGNALED (wait_status));
  g_assert_true (WIFEXITED (wait_status));
  r->exit_status = WEXITSTATUS (wait_status);
}

static char *
work_path (const char *name)
{
  return g_build_filename (workdir, name, NULL);
}

/* The lines of stderr other than the backend report of a finished computation. */
static char *
message_lines (const char *err)
{
  g_auto(GStrv) lines = g_strsplit (err, "\n", -1);
  GString *kept = g_string_new (NULL);

  for (int i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && strstr (lines[i], "computed on the") == NULL)
      g_string_append_printf (kept, "%s\n", lines[i]);
  return g_string_free (kept, FALSE);
}

/* The names in the working folder that are not name itself but belong to it: its
 * temporary files and its lock. */
static char *
leftovers_of (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open (workdir, 0, NULL);
  g_autofree char *lock = g_strconcat (".", name, ".lock", NULL);
  g_autofree char *temp = g_strconcat (name, ".tmp-", NULL);
  GString *found = g_string_new (NULL);
  const char *entry;

  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_equal (entry, lock) || g_str_has_prefix (entry, temp))
      g_string_append_printf (found, "%s ", entry);
  return g_string_free (found, FALSE);
}

static void
make_inputs (void)
{
  static gboolean made;
  g_auto(Result) r = { 0 };

  if (made)
    return;
  run_relief ("train --dataset moons --samples 200 --hidden 8 --epochs 3 --seed 1 -o run.h5", 0, &r);
  g_assert_cmpint (r.exit_status, ==, 0);
  result_clear (&r);
  run_relief ("surface run.h5 --x=-0.5:0.5:5 --y=-0.5:0.5:5 -o surface.h5", 0, &r);
  g_assert_cmpint (r.exit_status, ==, 0);
  made = TRUE;
}

typedef struct {
  const char *output;
  const char *args;        /* "-o OUTPUT" follows */
} DiskFullCase;

#define FULL_AT 2048

/* On a full disk: exit 1 with one line naming the output and why, the previous output
 * byte for byte as it was, no temporary file and no lock left; and no crash at exit (a
 * failed H5Fclose used to crash libhdf5's shutdown). */
static void
test_disk_full (gconstpointer data)
{
  const DiskFullCase *c = data;
  g_autofree char *args = g_strdup_printf ("%s -o %s", c->args, c->output);
  g_autofree char *path = work_path (c->output);
  g_autofree char *expected = g_strdup_printf ("Cannot write “%s”: %s\n", c->output, g_strerror (EFBIG));
  g_autofree char *before = NULL, *after = NULL, *lines = NULL, *left = NULL;
  g_auto(Result) r = { 0 };
  gsize before_len, after_len;

  make_inputs ();
  /* The previous output, made the same way with room enough. */
  run_relief (args, 0, &r);
  g_assert_cmpint (r.exit_status, ==, 0);
  result_clear (&r);
  g_assert_true (g_file_get_contents (path, &before, &before_len, NULL));
  g_assert_cmpuint (before_len, >, FULL_AT);

  run_relief (args, FULL_AT, &r);
  g_assert_cmpint (r.exit_status, ==, 1);
  lines = message_lines (r.err);
  g_assert_true (g_str_has_prefix (lines, "relief "));
  g_assert_true (g_str_has_suffix (lines, expected));
  g_assert_true (strchr (lines, '\n') == lines + strlen (lines) - 1);   /* one line */
  g_assert_true (g_file_get_contents (path, &after, &after_len, NULL));
  g_assert_cmpmem (after, after_len, before, before_len);
  left = leftovers_of (c->output);
  g_assert_cmpstr (left, ==, "");
}

/* A writer that holds the lock: every command on that output is refused before any work
 * with exit 2 and a message naming the holder; once it lets go, the lock file is gone. */
static void
test_lock_held (void)
{
  const char *commands[] = {
    "train --dataset moons --epochs 1 -o held.h5",
    "surface run.h5 --x=-0.5:0.5:3 --y=-0.5:0.5:3 -o held.h5",
    "intdim --dataset moons --hidden 8 --dims 2 --epochs 1 -o held.h5",
    "plot run.h5 -o held.pdf",
    "regions run.h5 -o held.h5",
  };
  g_autofree char *h5 = work_path ("held.h5");
  g_autofree char *pdf = work_path ("held.pdf");
  g_autofree char *holder = g_strdup_printf ("(pid %d: test-cli-writes", (int) getpid ());
  g_autoptr(GError) error = NULL;
  g_autofree char *left = NULL;
  ReliefOutputLock *lock_h5, *lock_pdf;

  make_inputs ();
  lock_h5 = relief_output_lock (h5, &error);
  g_assert_no_error (error);
  lock_pdf = relief_output_lock (pdf, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Result) r = { 0 };

      run_relief (commands[i], 0, &r);
      g_assert_cmpint (r.exit_status, ==, 2);
      g_assert_nonnull (strstr (r.err, "another writer is writing it"));
      g_assert_nonnull (strstr (r.err, holder));
      g_assert_null (strstr (r.err, "computed on the"));
    }
  g_assert_false (g_file_test (h5, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  relief_output_unlock (lock_h5);
  relief_output_unlock (lock_pdf);
  left = leftovers_of ("held.h5");
  g_assert_cmpstr (left, ==, "");
  g_clear_pointer (&left, g_free);
  left = leftovers_of ("held.pdf");
  g_assert_cmpstr (left, ==, "");
}

/* The first of two commands on one output holds it to its end: the second is refused,
 * named the first by pid and command; after a kill -9 of the first, its lock blocks
 * nothing, the temporary file it left is removed, and a normal exit leaves no lock. */
static void
test_lock_between_commands (void)
{
  g_auto(GStrv) argv = relief_argv ("train --dataset moons --hidden 8 --epochs 1000000 -o busy.h5");
  g_autofree char *lock = work_path (".busy.h5.lock");
  g_autofree char *stale = work_path ("busy.h5.tmp-Zz9876");
  g_autofree char *contents = NULL, *holder = NULL, *left = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Result) r = { 0 };
  GPid pid;
  int wait_status = 0;

  g_assert_true (g_spawn_async (workdir, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  holder = g_strdup_printf ("%d\n", (int) pid);
  /* The first command locks its output before its work: wait until it has. */
  for (int i = 0; i < 3000 && !(g_file_get_contents (lock, &contents, NULL, NULL) &&
                                 g_str_has_prefix (contents, holder)); i++)
    {
      g_clear_pointer (&contents, g_free);
      g_usleep (10000);
    }
  g_assert_nonnull (contents);

  run_relief ("intdim --dataset moons --hidden 8 --dims 2 --epochs 1 -o busy.h5", 0, &r);
  g_clear_pointer (&holder, g_free);
  holder = g_strdup_printf ("(pid %d: relief train --dataset moons --hidden 8 --epochs 1000000 -o busy.h5)",
                            (int) pid);
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_cmpint (r.exit_status, ==, 2);
  g_assert_nonnull (strstr (r.err, holder));
  result_clear (&r);

  /* Killed: its lock file stays, unlocked, beside a temporary file as a killed save leaves. */
  g_assert_true (g_file_test (lock, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_set_contents (stale, "half a run", -1, NULL));
  run_relief ("train --dataset moons --hidden 8 --epochs 1 -o busy.h5", 0, &r);
  g_assert_cmpint (r.exit_status, ==, 0);
  left = leftovers_of ("busy.h5");
  g_assert_cmpstr (left, ==, "");
}

int
main (int argc, char **argv)
{
  static const DiskFullCase cases[] = {
    { "full-run.h5", "train --dataset moons --samples 200 --hidden 8 --epochs 2" },
    { "full-surface.h5", "surface run.h5 --x=-0.5:0.5:5 --y=-0.5:0.5:5" },
    { "full-sweep.h5", "intdim --dataset moons --samples 200 --hidden 8 --dims 2,4 --epochs 1" },
    { "full.pdf", "plot surface.h5" },
    { "full.png", "plot surface.h5" },
    { "full.svg", "plot surface.h5" },
    { "full-decision.png", "decision run.h5" },
    { "full-regions.h5", "regions run.h5 --checkpoint all" },
  };
  static const char *names[] = { "train", "surface", "intdim", "plot-pdf", "plot-png", "plot-svg", "decision",
                                 "regions" };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (g_getenv ("RELIEF_BIN") == NULL)
    {
      g_printerr ("RELIEF_BIN is not set\n");
      return 77;
    }
  workdir = g_build_filename (g_getenv ("G_TEST_TMPDIR"), "files", NULL);
  g_assert_cmpint (g_mkdir_with_parents (workdir, 0700), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/cli-writes/disk-full/%s", names[i]);

      g_test_add_data_func (name, &cases[i], test_disk_full);
    }
  g_test_add_func ("/cli-writes/lock/held", test_lock_held);
  g_test_add_func ("/cli-writes/lock/between-commands", test_lock_between_commands);
  return g_test_run ();
}

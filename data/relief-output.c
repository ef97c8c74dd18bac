/* relief-output.c: outputs written under a temporary name, checked, locked, renamed. */
#include "relief-output.h"
#include "relief-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEMP_INFIX ".tmp-"

struct _ReliefOutputLock {
  char    *key;          /* the output, its folder resolved: one entry per file */
  char    *lock_path;
  int      fd;
  GThread *owner;
  int      holds;
};

struct _ReliefOutput {
  char             *path;
  char             *tmp_path;
  int               fd;
  ReliefOutputLock *lock;
  GError           *error;  /* the first failed write's */
};

/* The locks this process holds, by key. */
static GMutex      locks_mutex;
static GHashTable *locks;

static void
set_errno_error (GError **error, int saved, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot write “%s”: %s"), path,
               g_strerror (saved));
}

/* "relief train --dataset spiral -o run.h5": how a lock names its holder. */
static const char *
own_command (void)
{
  static char *command;

  if (g_once_init_enter (&command))
    {
      g_autofree char *cmdline = NULL;
      gsize len = 0;
      GString *text = g_string_new (NULL);

      if (g_file_get_contents ("/proc/self/cmdline", &cmdline, &len, NULL) && len > 0)
        for (gsize i = 0; i < len; i += strlen (cmdline + i) + 1)
          {
            g_autofree char *arg = i == 0 ? g_path_get_basename (cmdline) : g_strdup (cmdline + i);

            if (i > 0)
              g_string_append_c (text, ' ');
            g_string_append (text, arg);
          }
      else
        g_string_append (text, g_get_prgname () != NULL ? g_get_prgname () : "relief");
      /* One line however odd the arguments. */
      g_strdelimit (text->str, "\n\r", ' ');
      if (text->len > 240)
        {
          g_string_truncate (text, 240);
          g_string_append (text, "…");
        }
      g_once_init_leave (&command, g_string_free (text, FALSE));
    }
  return command;
}

/* "pid 1234: relief train ... -o run.h5", from the holder's lock file. */
static char *
describe_holder (int fd)
{
  char buf[512];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
  char *newline;

  if (n <= 0)
    return g_strdup (_("a process that has not said which"));
  buf[n] = '\0';
  newline = strchr (buf, '\n');
  if (newline == NULL)
    return g_strdup (_("a process that has not said which"));
  *newline = '\0';
  g_strchomp (newline + 1);
  return g_strdup_printf (_("pid %s: %s"), buf, newline + 1);
}

/* Removes the temporary files of base in dir: called with the lock just taken from no one,
 * so every writer that made them is gone. */
static void
remove_stale_temps (const char *dir, const char *base)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *prefix = g_strconcat (base, TEMP_INFIX, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix) && strlen (name) == strlen (prefix) + 6)
      {
        g_autofree char *stale = g_build_filename (dir, name, NULL);

        if (g_file_test (stale, G_FILE_TEST_IS_REGULAR) && !g_file_test (stale, G_FILE_TEST_IS_SYMLINK))
          g_unlink (stale);
      }
}

/* Opens and flocks lock_path: the fd, or -1 with error (busy or not creatable); *locked
 * FALSE where the file system has no locks. */
static int
take_lock_file (const char *path, const char *lock_path, gboolean *locked, GError **error)
{
  /* A holder removes the file as it lets go: a lock taken on the file it removed locks
   * nothing, so the file must still be the one at lock_path once locked. */
  for (int attempt = 0; attempt < 16; attempt++)
    {
      GStatBuf at, held;
      int fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

      /* Another user's lock file in a shared folder: flock needs no write access. */
      if (fd < 0 && errno == EACCES)
        fd = g_open (lock_path, O_RDONLY | O_CLOEXEC, 0);
      if (fd < 0)
        {
          set_errno_error (error, errno, path);
          return -1;
        }
      if (flock (fd, LOCK_EX | LOCK_NB) != 0)
        {
          int saved = errno;

          /* A file system without locks (some network ones) still takes the file: one
           * writer per output then holds within this process only. */
          *locked = FALSE;
          if (saved == ENOLCK || saved == EOPNOTSUPP || saved == ENOSYS)
            return fd;
          if (saved == EWOULDBLOCK)
            {
              g_autofree char *holder = describe_holder (fd);

              g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_BUSY,
                           _("Cannot write “%s”: another writer is writing it (%s); wait until it ends or give "
                             "another output"), path, holder);
            }
          else
            set_errno_error (error, saved, path);
          close (fd);
          return -1;
        }
      *locked = TRUE;
      if (fstat (fd, &held) == 0 && g_stat (lock_path, &at) == 0 && at.st_dev == held.st_dev &&
          at.st_ino == held.st_ino)
        return fd;
      close (fd);
    }
  g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_BUSY,
               _("Cannot write “%s”: other writers keep taking its lock"), path);
  return -1;
}

ReliefOutputLock *
relief_output_lock (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *real_dir = realpath (dir, NULL);
  g_autofree char *key = NULL, *lock_name = NULL, *lock_path = NULL;
  g_autofree char *info = NULL;
  ReliefOutputLock *lock;
  gboolean locked = FALSE;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if (real_dir == NULL)
    {
      set_errno_error (error, errno, path);
      return NULL;
    }
  key = g_build_filename (real_dir, base, NULL);
  lock_name = g_strconcat (".", base, ".lock", NULL);
  lock_path = g_build_filename (real_dir, lock_name, NULL);

  g_mutex_lock (&locks_mutex);
  if (locks == NULL)
    locks = g_hash_table_new (g_str_hash, g_str_equal);
  lock = g_hash_table_lookup (locks, key);
  if (lock != NULL)
    {
      if (lock->owner == g_thread_self ())
        lock->holds++;
      else
        {
          g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_BUSY,
                       _("Cannot write “%s”: another job of this process is writing it (pid %d: %s); wait until "
                         "it ends or give another output"), path, (int) getpid (), own_command ());
          lock = NULL;
        }
      g_mutex_unlock (&locks_mutex);
      return lock;
    }

  fd = take_lock_file (path, lock_path, &locked, error);
  if (fd < 0)
    {
      g_mutex_unlock (&locks_mutex);
      return NULL;
    }
  /* The holder's name is only for messages: a full disk that refuses it still locks. */
  info = g_strdup_printf ("%d\n%s\n", (int) getpid (), own_command ());
  if (ftruncate (fd, 0) == 0 && pwrite (fd, info, strlen (info), 0) < 0)
    g_debug ("cannot name the holder in %s: %s", lock_path, g_strerror (errno));
  /* Without a real lock a temporary file may be another process's save in progress. */
  if (locked)
    remove_stale_temps (real_dir, base);

  lock = g_new0 (ReliefOutputLock, 1);
  lock->key = g_steal_pointer (&key);
  lock->lock_path = g_steal_pointer (&lock_path);
  lock->fd = fd;
  lock->owner = g_thread_self ();
  lock->holds = 1;
  g_hash_table_insert (locks, lock->key, lock);
  g_mutex_unlock (&locks_mutex);
  return lock;
}

void
relief_output_unlock (ReliefOutputLock *lock)
{
  if (lock == NULL)
    return;
  g_mutex_lock (&locks_mutex);
  if (--lock->holds == 0)
    {
      g_hash_table_remove (locks, lock->key);
      /* Removed while still locked: whoever opened it meanwhile sees it gone and retries. */
      g_unlink (lock->lock_path);
      close (lock->fd);
      g_free (lock->key);
      g_free (lock->lock_path);
      g_free (lock);
    }
  g_mutex_unlock (&locks_mutex);
}

void
relief_output_remove_stale (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GHashTable) outputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer output;
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      const char *infix = g_strrstr (name, TEMP_INFIX);

      if (infix != NULL && infix > name && strlen (infix) == strlen (TEMP_INFIX) + 6)
        g_hash_table_add (outputs, g_strndup (name, infix - name));
    }
  /* A lock taken from no one removes its output's dead writers' files; a held one fails. */
  g_hash_table_iter_init (&iter, outputs);
  while (g_hash_table_iter_next (&iter, &output, NULL))
    {
      g_autofree char *path = g_build_filename (dir, output, NULL);

      relief_output_unlock (relief_output_lock (path, NULL));
    }
}

ReliefOutput *
relief_output_new (const char *path, GError **error)
{
  g_autoptr(ReliefOutputLock) lock = NULL;
  g_autofree char *tmp_path = NULL;
  ReliefOutput *out;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if (!relief_check_destination (path, error))
    return NULL;
  lock = relief_output_lock (path, error);
  if (lock == NULL)
    return NULL;
  tmp_path = g_strconcat (path, TEMP_INFIX "XXXXXX", NULL);
  /* 0666 less the umask, like any file the user creates (g_mkstemp alone gives 0600). */
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      set_errno_error (error, errno, path);
      return NULL;
    }
  out = g_new0 (ReliefOutput, 1);
  out->path = g_strdup (path);
  out->tmp_path = g_steal_pointer (&tmp_path);
  out->fd = fd;
  out->lock = g_steal_pointer (&lock);
  return out;
}

gboolean
relief_output_write (ReliefOutput *out, const void *data, gsize len, GError **error)
{
  const char *p = data;

  if (out->error == NULL)
    while (len > 0)
      {
        ssize_t n = write (out->fd, p, MIN (len, (gsize) G_MAXSSIZE));

        if (n < 0 && errno == EINTR)
          continue;
        if (n <= 0)
          {
            /* write() returns 0 only when nothing more fits. */
            set_errno_error (&out->error, n < 0 ? errno : ENOSPC, out->path);
            break;
          }
        p += n;
        len -= (gsize) n;
      }
  if (out->error != NULL)
    {
      if (error != NULL)
        *error = g_error_copy (out->error);
      return FALSE;
    }
  return TRUE;
}

static void
output_free (ReliefOutput *out)
{
  relief_output_unlock (out->lock);
  g_clear_error (&out->error);
  g_free (out->path);
  g_free (out->tmp_path);
  g_free (out);
}

gboolean
relief_output_commit (ReliefOutput *out, GError **error)
{
  int fd = out->fd;

  out->fd = -1;
  if (out->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&out->error));
      close (fd);
    }
  /* A disk that only now finds no room for what the cache holds says so here (a file
   * system that cannot sync at all, EINVAL, has nothing to report). */
  else if (fsync (fd) != 0 && errno != EINVAL && errno != ENOTSUP)
    {
      set_errno_error (error, errno, out->path);
      close (fd);
    }
  else if (close (fd) != 0)
    set_errno_error (error, errno, out->path);
  else if (g_rename (out->tmp_path, out->path) != 0)
    set_errno_error (error, errno, out->path);
  else
    {
      output_free (out);
      return TRUE;
    }
  g_unlink (out->tmp_path);
  output_free (out);
  return FALSE;
}

void
relief_output_abort (ReliefOutput *out)
{
  if (out == NULL)
    return;
  if (out->fd >= 0)
    close (out->fd);
  g_unlink (out->tmp_path);
  output_free (out);
}

gboolean
relief_output_save (const char *path, const void *data, gsize len, GError **error)
{
  ReliefOutput *out = relief_output_new (path, error);

  if (out == NULL)
    return FALSE;
  /* A failed write is the commit's error. */
  relief_output_write (out, data, len, NULL);
  return relief_output_commit (out, error);
}

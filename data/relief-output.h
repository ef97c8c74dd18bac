/* relief-output.h: how every file Relief writes reaches its name (HDF5 files, figures).
 *
 * An output is written under a temporary name beside its destination ("NAME.tmp-XXXXXX",
 * the one place that name is made), every write checked, flushed to the disk and closed,
 * and only then renamed over the destination: a full disk, a kill or a cancel leaves the
 * previous file as it was.
 *
 * One writer per output: a writer holds an advisory lock, the file ".NAME.lock" beside the
 * output, locked with flock() and holding the writer's pid and command line, so that a
 * second writer is refused with a message naming the first, and a writer killed with -9
 * leaves nothing that blocks the next one (the kernel drops its lock).  The lock is
 * reentrant on one thread (a command locks its output before any work, its job again, its
 * saves again) and exclusive across threads and processes (two jobs of the window, two
 * commands).  Whoever takes a free lock removes the temporary files its output's dead
 * writers left behind.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _ReliefOutputLock ReliefOutputLock;

/* Locks path for writing.  NULL with RELIEF_FILE_ERROR_BUSY (naming the holder) when
 * another thread or process holds it, or a G_IO_ERROR when the lock file cannot be made
 * (a missing or unwritable folder). */
ReliefOutputLock *relief_output_lock   (const char *path, GError **error);
/* Releases one hold; the last one removes the lock file. */
void              relief_output_unlock (ReliefOutputLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefOutputLock, relief_output_unlock)

/* Removes the temporary files in dir whose writer is gone (killed mid-save): those of
 * every output no thread or process holds the lock of. */
void              relief_output_remove_stale (const char *dir);

typedef struct _ReliefOutput ReliefOutput;

/* Starts writing path: checks the destination (relief_check_destination), locks it and
 * creates the temporary file.  Errors say "Cannot write “path”: why". */
ReliefOutput *relief_output_new    (const char *path, GError **error);
/* Appends data, all of it or FALSE (a short write, ENOSPC, EFBIG are errors).  After a
 * failure every later write fails at once with the first error, which _commit reports
 * too; a write of 0 bytes only tells whether an earlier one failed. */
gboolean      relief_output_write  (ReliefOutput *out, const void *data, gsize len, GError **error);
/* fsync, close and rename into place, each checked; on any failure (including an earlier
 * write's) the temporary file is removed and the destination left as it was.  Frees out. */
gboolean      relief_output_commit (ReliefOutput *out, GError **error);
/* Closes and removes the temporary file, the destination untouched.  Frees out. */
void          relief_output_abort  (ReliefOutput *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefOutput, relief_output_abort)

/* The whole of data written to path this way. */
gboolean      relief_output_save   (const char *path, const void *data, gsize len, GError **error);

G_END_DECLS

/* test-fsize.h: a full disk without a mount.  Under RLIMIT_FSIZE a write past the limit
 * fails with EFBIG (SIGXFSZ ignored, it would kill the process), as a write to a full
 * disk fails with ENOSPC: in this process for a while (fsize_limit_begin/_end) or in a
 * child from its start (fsize_limit_child_setup, a GSpawnChildSetupFunc). */
#pragma once

#include <glib.h>
#include <signal.h>
#include <sys/resource.h>

typedef struct {
  struct rlimit old;
  void (*old_handler) (int);
} FsizeLimit;

static inline void
fsize_limit_begin (FsizeLimit *limit, rlim_t bytes)
{
  struct rlimit small;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &limit->old), ==, 0);
  limit->old_handler = signal (SIGXFSZ, SIG_IGN);
  small = (struct rlimit) { MIN (bytes, limit->old.rlim_max), limit->old.rlim_max };
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
}

static inline void
fsize_limit_end (FsizeLimit *limit)
{
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit->old), ==, 0);
  signal (SIGXFSZ, limit->old_handler);
}

/* user_data: a pointer to the limit in bytes (rlim_t).  Runs in the child, between fork
 * and exec: only async-signal-safe calls. */
static inline void
fsize_limit_child_setup (gpointer user_data)
{
  struct rlimit small = { *(const rlim_t *) user_data, *(const rlim_t *) user_data };

  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &small);
}

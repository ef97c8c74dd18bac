/* fuzz-common.h: what every fuzz target shares.  A target is LLVMFuzzerTestOneInput over
 * one reader: the input is written where the reader looks for it, the reader runs, and
 * its outcome is checked; a refusal must be a message that names the file, on one line,
 * of a kind the command line exits 2 for.  Anything else aborts, which libFuzzer (or
 * fuzz-replay.c, in the normal build) reports. */
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relief-file.h"
#include "relief-generators.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* What the last input came to, for fuzz-replay.c: NULL when accepted.  Defined here: a
 * target includes this header from its one source file. */
extern char *fuzz_last_refusal;
char *fuzz_last_refusal;

static char *fuzz_dir_path;

static void
fuzz_remove_dir (void)
{
  g_autoptr (GDir) dir = g_dir_open (fuzz_dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fuzz_dir_path, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fuzz_dir_path);
}

/* A folder of this process's own for the input files (in memory where /dev/shm is),
 * removed at exit. */
static inline const char *
fuzz_dir (void)
{
  if (fuzz_dir_path == NULL)
    {
      const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();

      fuzz_dir_path = g_build_filename (base, "relief-fuzz-XXXXXX", NULL);
      if (g_mkdtemp (fuzz_dir_path) == NULL)
        g_error ("cannot make a folder in %s", base);
      atexit (fuzz_remove_dir);
    }
  return fuzz_dir_path;
}

/* Writes len bytes to name in the folder; returns the path. */
static inline char *
fuzz_write (const char *name, const guint8 *data, gsize len)
{
  char *path = g_build_filename (fuzz_dir (), name, NULL);
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, (const char *) data, len, &error))
    g_error ("%s", error->message);
  return path;
}

/* The error of a refused input, checked: what relief_cli_error_status turns into exit 2,
 * one line of UTF-8 that mentions the file (or its folder). */
static inline void
fuzz_refused (const GError *error, const char *mention)
{
  gboolean usage;

  if (error == NULL)
    {
      fprintf (stderr, "refused without an error\n");
      abort ();
    }
  usage = (error->domain == RELIEF_FILE_ERROR && error->code != RELIEF_FILE_ERROR_IO) ||
          error->domain == RELIEF_DATA_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  if (!usage || error->message[0] == '\0' || !g_utf8_validate (error->message, -1, NULL) ||
      strchr (error->message, '\n') != NULL || strstr (error->message, mention) == NULL)
    {
      fprintf (stderr, "unclear refusal (%s %d): %s\n", g_quark_to_string (error->domain), error->code, error->message);
      abort ();
    }
  g_free (fuzz_last_refusal);
  fuzz_last_refusal = g_strdup (error->message);
}

static inline void
fuzz_accepted (void)
{
  g_clear_pointer (&fuzz_last_refusal, g_free);
}

/* fuzz-replay.c: the main of a fuzz target in the normal build, where the suite replays
 * inputs through it:
 *
 *   fuzz-run CORPUS REGRESSIONS
 *
 * Every file of CORPUS (the seeds: valid files) must be accepted; every file of
 * REGRESSIONS (inputs that once crashed or fooled a reader) must be refused with a clear
 * message, except those named accept-*, whose acceptance the folder's README states.
 * A crash aborts the whole replay, naming the input. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
extern char *fuzz_last_refusal;

static int
replay_folder (const char *folder, gboolean corpus)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  int failed = 0;

  if (dir == NULL)
    {
      printf ("not ok - no folder %s\n", folder);
      return 1;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!g_str_has_prefix (name, "README"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_ascii_strcasecmp);
  if (names->len == 0)
    {
      printf ("not ok - %s is empty\n", folder);
      return 1;
    }
  for (guint i = 0; i < names->len; i++)
    {
      const char *input = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (folder, input, NULL);
      g_autofree char *contents = NULL;
      gsize len;
      gboolean want_accept = corpus || g_str_has_prefix (input, "accept-"), ok;

      if (!g_file_get_contents (path, &contents, &len, NULL))
        {
          printf ("not ok - cannot read %s\n", path);
          failed++;
          continue;
        }
      fprintf (stderr, "%s\n", path);
      LLVMFuzzerTestOneInput ((const guint8 *) contents, len);
      ok = want_accept == (fuzz_last_refusal == NULL);
      printf ("%s - %s: %s%s\n", ok ? "ok" : "not ok", path, fuzz_last_refusal == NULL ? "accepted" : "refused: ",
              fuzz_last_refusal == NULL ? "" : fuzz_last_refusal);
      failed += !ok;
    }
  return failed;
}

int
main (int argc, char **argv)
{
  int failed;

  /* Line by line, so that what came before a crash is in the log. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  if (argc != 3)
    {
      fprintf (stderr, "usage: %s CORPUS REGRESSIONS\n", argv[0]);
      return 2;
    }
  failed = replay_folder (argv[1], TRUE) + replay_folder (argv[2], FALSE);
  printf ("# %d failed\n", failed);
  return failed > 0 ? 1 : 0;
}

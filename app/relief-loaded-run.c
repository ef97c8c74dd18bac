#include "relief-config.h"

#include "relief-loaded-run.h"

struct _ReliefLoadedRun {
  char      *path;
  ReliefRun *run;
};

static ReliefLoadedRun *
loaded_run_load (const char *path, gboolean with_dataset, GError **error)
{
  ReliefRun *contents = relief_run_load (path, with_dataset, error);
  ReliefLoadedRun *run;

  if (contents == NULL)
    return NULL;
  run = g_atomic_rc_box_new0 (ReliefLoadedRun);
  run->path = g_strdup (path);
  run->run = contents;
  return run;
}

ReliefLoadedRun *
relief_loaded_run_load (const char *path, GError **error)
{
  return loaded_run_load (path, TRUE, error);
}

ReliefLoadedRun *
relief_loaded_run_load_parameters (const char *path, GError **error)
{
  return loaded_run_load (path, FALSE, error);
}

ReliefLoadedRun *
relief_loaded_run_ref (ReliefLoadedRun *run)
{
  return g_atomic_rc_box_acquire (run);
}

static void
loaded_run_clear (gpointer data)
{
  ReliefLoadedRun *run = data;

  g_free (run->path);
  relief_run_free (run->run);
}

void
relief_loaded_run_unref (ReliefLoadedRun *run)
{
  g_atomic_rc_box_release_full (run, loaded_run_clear);
}

const char *
relief_loaded_run_get_path (const ReliefLoadedRun *run)
{
  return run->path;
}

const ReliefRun *
relief_loaded_run_get_run (const ReliefLoadedRun *run)
{
  return run->run;
}

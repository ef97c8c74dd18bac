/* fuzz-run.c: run files, with their data set (as the surface and decision jobs load them). */
#include "fuzz-hdf5.h"
#include "relief-run-file.h"

static gpointer
load_run (const char *path, GError **error)
{
  return relief_run_load (path, TRUE, error);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  fuzz_hdf5 (data, size, load_run, (GDestroyNotify) relief_run_free);
  return 0;
}

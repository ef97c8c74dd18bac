/* fuzz-surface.c: surface files, Relief's and foreign loss-landscape ones. */
#include "fuzz-hdf5.h"
#include "relief-surface-file.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  fuzz_hdf5 (data, size, (FuzzLoad) relief_surface_load, (GDestroyNotify) relief_surface_free);
  return 0;
}

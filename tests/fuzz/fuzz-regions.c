/* fuzz-regions.c: linear-region files. */
#include "fuzz-hdf5.h"
#include "relief-regions-file.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  fuzz_hdf5 (data, size, (FuzzLoad) relief_regions_file_load, (GDestroyNotify) relief_regions_file_free);
  return 0;
}

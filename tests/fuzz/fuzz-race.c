/* fuzz-race.c: optimizer race files. */
#include "fuzz-hdf5.h"
#include "relief-race-file.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  fuzz_hdf5 (data, size, (FuzzLoad) relief_race_file_load, (GDestroyNotify) relief_race_file_free);
  return 0;
}

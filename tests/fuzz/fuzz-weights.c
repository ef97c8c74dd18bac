/* fuzz-weights.c: weight spectra files. */
#include "fuzz-hdf5.h"
#include "relief-weights-file.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  fuzz_hdf5 (data, size, (FuzzLoad) relief_weights_load, (GDestroyNotify) relief_weights_free);
  return 0;
}

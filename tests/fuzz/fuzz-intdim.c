/* fuzz-intdim.c: intrinsic-dimension sweep files. */
#include "fuzz-hdf5.h"
#include "relief-intdim-file.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  fuzz_hdf5 (data, size, (FuzzLoad) relief_intdim_load, (GDestroyNotify) relief_intdim_free);
  return 0;
}

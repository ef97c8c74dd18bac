/* fuzz-hessian.c: Hessian spectrum files. */
#include "fuzz-hdf5.h"
#include "relief-hessian-file.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  fuzz_hdf5 (data, size, (FuzzLoad) relief_hessian_spectrum_load, (GDestroyNotify) relief_hessian_spectrum_free);
  return 0;
}

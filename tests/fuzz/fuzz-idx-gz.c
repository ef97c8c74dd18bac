/* fuzz-idx-gz.c: IDX folders of .gz files (the input's parts are the compressed bytes). */
#include "fuzz-idx.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  fuzz_idx (data, size, ".gz");
  return 0;
}

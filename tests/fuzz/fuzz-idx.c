/* fuzz-idx.c: IDX folders of plain files. */
#include "fuzz-idx.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  fuzz_idx (data, size, "");
  return 0;
}

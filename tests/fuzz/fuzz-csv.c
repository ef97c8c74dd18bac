/* fuzz-csv.c: CSV data sets. */
#include "fuzz-common.h"
#include "relief-loaders.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *path = fuzz_write ("input.csv", data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) ds = relief_dataset_load_csv (path, NULL, 0.2, 0, &error);

  if (ds == NULL)
    fuzz_refused (error, path);
  else
    fuzz_accepted ();
  return 0;
}

/* fuzz-idx.h: IDX folders.  An input packs the folder's files: up to four parts, each a
 * 32-bit little-endian length and that many bytes, for train-images, train-labels,
 * t10k-images and t10k-labels in that order (a part cut short by the end of the input
 * keeps what there is; missing parts are missing files).  build-aux/relief-fuzz.sh packs
 * folders so. */
#pragma once

#include "fuzz-common.h"
#include "relief-loaders.h"

static const char * const fuzz_idx_names[] = {
  "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
};

static inline void
fuzz_idx (const guint8 *data, size_t size, const char *suffix)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) ds = NULL;
  gsize pos = 0;

  for (guint i = 0; i < G_N_ELEMENTS (fuzz_idx_names); i++)
    {
      g_autofree char *name = g_strconcat (fuzz_idx_names[i], suffix, NULL);
      g_autofree char *path = g_build_filename (fuzz_dir (), name, NULL);

      g_unlink (path);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fuzz_idx_names) && pos + 4 <= size; i++)
    {
      g_autofree char *name = g_strconcat (fuzz_idx_names[i], suffix, NULL);
      g_autofree char *path = NULL;
      guint32 len = (guint32) data[pos] | (guint32) data[pos + 1] << 8 | (guint32) data[pos + 2] << 16 |
                    (guint32) data[pos + 3] << 24;

      pos += 4;
      len = MIN (len, size - pos);
      path = fuzz_write (name, data + pos, len);
      pos += len;
    }
  ds = relief_dataset_load_idx_dir (fuzz_dir (), 0, 0, &error);
  if (ds == NULL)
    fuzz_refused (error, fuzz_dir ());
  else
    fuzz_accepted ();
}

/* fuzz-hdf5.h: the HDF5 readers' targets: the input is a file of one kind, read by its
 * kind's reader after the kind detection every command runs first. */
#pragma once

#include "fuzz-common.h"

typedef gpointer (*FuzzLoad) (const char *path, GError **error);

static inline void
fuzz_hdf5 (const guint8 *data, size_t size, FuzzLoad load, GDestroyNotify free_func)
{
  g_autofree char *path = fuzz_write ("input.h5", data, size);
  g_autoptr (GError) error = NULL;
  gpointer loaded;

  if (relief_file_detect_kind (path, &error) == RELIEF_FILE_KIND_NONE)
    {
      fuzz_refused (error, path);
      return;
    }
  loaded = load (path, &error);
  if (loaded == NULL)
    {
      fuzz_refused (error, path);
      return;
    }
  free_func (loaded);
  fuzz_accepted ();
}

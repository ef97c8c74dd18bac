/* test-h5.h: hand-made HDF5 attributes for the data tests' own files. */
#pragma once

#include <glib.h>
#include <hdf5.h>

/* A scalar variable-length string attribute, as Relief writes them. */
static inline void
test_h5_write_string_attr (hid_t loc, const char *name, const char *value)
{
  hid_t type = H5Tcopy (H5T_C_S1);
  hid_t space = H5Screate (H5S_SCALAR);
  hid_t attr;

  H5Tset_size (type, H5T_VARIABLE);
  attr = H5Acreate2 (loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Awrite (attr, type, &value), >=, 0);
  H5Aclose (attr);
  H5Sclose (space);
  H5Tclose (type);
}

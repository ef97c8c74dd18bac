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

/* A copy of a valid file to spoil: path's bytes under name in the same folder. */
static inline char *
test_h5_copy (const char *path, const char *name)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = NULL;
  char *copy = g_build_filename (dir, name, NULL);
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, NULL));
  return copy;
}

/* Overwrites element index (counted through all its dimensions) of an existing dataset
 * with *value of mem_type, converted to the dataset's own type. */
static inline void
test_h5_poke (const char *path, const char *dataset, hsize_t index, hid_t mem_type, const void *value)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t dset = H5Dopen2 (file, dataset, H5P_DEFAULT);
  hid_t space = H5Dget_space (dset);
  hid_t one = H5Screate_simple (1, (hsize_t[]) { 1 }, NULL);
  hsize_t dims[8], coords[8];
  int rank = H5Sget_simple_extent_dims (space, dims, NULL);

  g_assert_cmpint (rank, >=, 1);
  for (int i = rank - 1; i >= 0; i--)
    {
      coords[i] = index % dims[i];
      index /= dims[i];
    }
  g_assert_cmpint (H5Sselect_elements (space, H5S_SELECT_SET, 1, coords), >=, 0);
  g_assert_cmpint (H5Dwrite (dset, mem_type, one, space, H5P_DEFAULT, value), >=, 0);
  H5Sclose (one);
  H5Sclose (space);
  H5Dclose (dset);
  H5Fclose (file);
}

/* Replaces the numeric attribute name of object (a group or dataset path, "/" for the
 * root) by a scalar of *value: a float64 for H5T_NATIVE_DOUBLE, an int64 otherwise, as
 * Relief writes them. */
static inline void
test_h5_set_attr (const char *path, const char *object, const char *name, hid_t mem_type, const void *value)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t space = H5Screate (H5S_SCALAR);
  hid_t file_type = H5Tequal (mem_type, H5T_NATIVE_DOUBLE) > 0 ? H5T_IEEE_F64LE : H5T_STD_I64LE;
  hid_t attr;

  g_assert_cmpint (H5Adelete_by_name (file, object, name, H5P_DEFAULT), >=, 0);
  attr = H5Acreate_by_name (file, object, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (attr, >=, 0);
  g_assert_cmpint (H5Awrite (attr, mem_type, value), >=, 0);
  H5Aclose (attr);
  H5Sclose (space);
  H5Fclose (file);
}

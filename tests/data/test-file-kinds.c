/* test-file-kinds.c: the registry of file kinds: its entries agree with each other, every
 * kind is detected by its name and refused past its version, a loss-landscape surface
 * without Relief attributes is a surface, and unknown kinds and other files are refused
 * with the messages users have always seen. */
#include "relief-file.h"

#include <hdf5.h>
#include <string.h>

#include "test-h5.h"
#include "test-tmpdir.h"

static void
write_int_attr (hid_t loc, const char *name, gint64 value)
{
  hid_t space = H5Screate (H5S_SCALAR);
  hid_t attr = H5Acreate2 (loc, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);

  g_assert_cmpint (H5Awrite (attr, H5T_NATIVE_INT64, &value), >=, 0);
  H5Aclose (attr);
  H5Sclose (space);
}

static void
write_vector (hid_t loc, const char *name)
{
  double values[2] = { 0.0, 1.0 };
  hsize_t dims[1] = { 2 };
  hid_t space = H5Screate_simple (1, dims, NULL);
  hid_t dset = H5Dcreate2 (loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);

  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), >=, 0);
  H5Dclose (dset);
  H5Sclose (space);
}

/* An HDF5 file with only the two root attributes that tell a Relief file's kind. */
static char *
write_tagged (const char *dir, const char *format, gint64 version)
{
  g_autofree char *name = g_strdup_printf ("%s-%lld.h5", format, (long long) version);
  char *path = g_build_filename (dir, name, NULL);
  hid_t file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);

  g_assert_cmpint (file, >=, 0);
  test_h5_write_string_attr (file, "relief_format", format);
  write_int_attr (file, "relief_format_version", version);
  H5Fclose (file);
  return path;
}

static void
test_registry (void)
{
  g_assert_null (relief_file_kind_info (RELIEF_FILE_KIND_NONE));
  g_assert_cmpstr (relief_file_kind_name (RELIEF_FILE_KIND_NONE), ==, "none");
  g_assert_null (relief_file_kind_lookup ("spectrum"));
  g_assert_null (relief_file_kind_lookup ("none"));
  g_assert_cmpstr (relief_file_kind_name (RELIEF_FILE_KIND_RUN), ==, "run");
  g_assert_cmpstr (relief_file_kind_name (RELIEF_FILE_KIND_SURFACE), ==, "surface");
  g_assert_cmpstr (relief_file_kind_name (RELIEF_FILE_KIND_INTDIM), ==, "intdim");
  g_assert_cmpstr (relief_file_kind_name (RELIEF_FILE_KIND_WEIGHTS), ==, "weights");
  g_assert_cmpstr (relief_file_kind_name (RELIEF_FILE_KIND_REGIONS), ==, "regions");

  for (ReliefFileKind k = RELIEF_FILE_KIND_NONE + 1; k < RELIEF_FILE_N_KINDS; k++)
    {
      const ReliefFileKindInfo *info = relief_file_kind_info (k);

      g_assert_nonnull (info);
      g_assert_cmpint (info->kind, ==, k);
      g_assert_true (relief_file_kind_lookup (info->name) == info);
      g_assert_cmpstr (relief_file_kind_name (k), ==, info->name);
      g_assert_nonnull (info->description);
      g_assert_cmpint (info->max_version, >=, 1);
    }
}

static void
test_each_kind (Fixture *f, gconstpointer data)
{
  for (ReliefFileKind k = RELIEF_FILE_KIND_NONE + 1; k < RELIEF_FILE_N_KINDS; k++)
    {
      const ReliefFileKindInfo *info = relief_file_kind_info (k);
      g_autofree char *current = write_tagged (f->dir, info->name, info->max_version);
      g_autofree char *newer = write_tagged (f->dir, info->name, info->max_version + 1);
      g_autofree char *expected = g_strdup_printf ("“%s” uses %s format version %d; this Relief reads up to %d",
                                                   newer, info->name, info->max_version + 1, info->max_version);
      g_autoptr (GError) error = NULL;

      g_assert_cmpint (relief_file_detect_kind (current, &error), ==, k);
      g_assert_no_error (error);
      g_assert_cmpint (relief_file_detect_kind (newer, &error), ==, RELIEF_FILE_KIND_NONE);
      g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_VERSION);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

static void
test_foreign_surface (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "loss-landscape.h5", NULL);
  g_autofree char *half = g_build_filename (f->dir, "coordinates-only.h5", NULL);
  g_autofree char *expected = g_strdup_printf ("“%s” is an HDF5 file but neither a Relief file nor a loss-landscape "
                                               "surface", half);
  g_autoptr (GError) error = NULL;
  hid_t file;

  file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_vector (file, "xcoordinates");
  write_vector (file, "train_loss");
  H5Fclose (file);
  g_assert_cmpint (relief_file_detect_kind (path, &error), ==, RELIEF_FILE_KIND_SURFACE);
  g_assert_no_error (error);

  /* Every one of the kind's foreign datasets is needed. */
  file = H5Fcreate (half, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_vector (file, "xcoordinates");
  H5Fclose (file);
  g_assert_cmpint (relief_file_detect_kind (half, &error), ==, RELIEF_FILE_KIND_NONE);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_unknown_kind (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_tagged (f->dir, "spectrum", 1);
  g_autofree char *expected = g_strdup_printf ("“%s” is a Relief file of an unknown kind “spectrum”, not a run, "
                                               "a surface, a sweep, a Hessian spectrum, weight spectra or linear regions", path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (relief_file_detect_kind (path, &error), ==, RELIEF_FILE_KIND_NONE);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_not_hdf5 (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "notes.h5", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.h5", NULL);
  g_autofree char *expected = g_strdup_printf ("“%s” is not an HDF5 file", path);
  g_autofree char *expected_missing = g_strdup_printf ("No file “%s”", missing);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "relief_format = run\n", -1, NULL));
  g_assert_cmpint (relief_file_detect_kind (path, &error), ==, RELIEF_FILE_KIND_NONE);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_NOT_HDF5);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  g_assert_cmpint (relief_file_detect_kind (missing, &error), ==, RELIEF_FILE_KIND_NONE);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_IO);
  g_assert_cmpstr (error->message, ==, expected_missing);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/file-kinds/registry", test_registry);
  g_test_add ("/file-kinds/each-kind", Fixture, NULL, fixture_setup, test_each_kind, fixture_teardown);
  g_test_add ("/file-kinds/foreign-surface", Fixture, NULL, fixture_setup, test_foreign_surface, fixture_teardown);
  g_test_add ("/file-kinds/unknown-kind", Fixture, NULL, fixture_setup, test_unknown_kind, fixture_teardown);
  g_test_add ("/file-kinds/not-hdf5", Fixture, NULL, fixture_setup, test_not_hdf5, fixture_teardown);
  return g_test_run ();
}

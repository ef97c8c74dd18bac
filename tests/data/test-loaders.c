/* test-loaders.c: IDX directories (plain and gzip), CSV files, dispatch and checksums. */
#include "relief-loaders.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <zlib.h>

#include "test-tmpdir.h"

#define ROWS 2
#define COLS 3
#define PIXELS (ROWS * COLS)

static void
put_be32 (GByteArray *bytes, guint32 v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (bytes, b, 4);
}

static void
write_file (const char *dir, const char *name, const guint8 *data, gsize len, gboolean gzip)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  if (gzip)
    {
      gzFile gz = gzopen (path, "wb");
      g_assert_nonnull (gz);
      g_assert_cmpint (gzwrite (gz, data, len), ==, (int) len);
      g_assert_cmpint (gzclose (gz), ==, Z_OK);
    }
  else
    {
      g_file_set_contents (path, (const char *) data, len, &error);
      g_assert_no_error (error);
    }
}

/* Pixel i of image k is (17 k + 5 i) mod 256: distinct, and easy to recompute. */
static guint8
pixel (int k, int i)
{
  return (guint8) ((17 * k + 5 * i) % 256);
}

static void
write_images (const char *dir, const char *name, int n, int first, gboolean gzip, guint32 magic, gsize cut)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();

  put_be32 (bytes, magic);
  put_be32 (bytes, n);
  put_be32 (bytes, ROWS);
  put_be32 (bytes, COLS);
  for (int k = 0; k < n; k++)
    for (int i = 0; i < PIXELS; i++)
      {
        guint8 p = pixel (first + k, i);
        g_byte_array_append (bytes, &p, 1);
      }
  write_file (dir, name, bytes->data, bytes->len - cut, gzip);
}

static void
write_labels (const char *dir, const char *name, int n, int first, gboolean gzip, int bad_label)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();

  put_be32 (bytes, 0x00000801);
  put_be32 (bytes, n);
  for (int k = 0; k < n; k++)
    {
      guint8 label = k == 0 && bad_label >= 0 ? bad_label : (first + k) % 7;
      g_byte_array_append (bytes, &label, 1);
    }
  write_file (dir, name, bytes->data, bytes->len, gzip);
}

static void
write_mnist (const char *dir, gboolean gzip, gboolean with_test)
{
  const char *suffix = gzip ? ".gz" : "";
  g_autofree char *ti = g_strconcat ("train-images-idx3-ubyte", suffix, NULL);
  g_autofree char *tl = g_strconcat ("train-labels-idx1-ubyte", suffix, NULL);
  g_autofree char *si = g_strconcat ("t10k-images-idx3-ubyte", suffix, NULL);
  g_autofree char *sl = g_strconcat ("t10k-labels-idx1-ubyte", suffix, NULL);

  write_images (dir, ti, 12, 0, gzip, 0x00000803, 0);
  write_labels (dir, tl, 12, 0, gzip, -1);
  if (with_test)
    {
      write_images (dir, si, 4, 100, gzip, 0x00000803, 0);
      write_labels (dir, sl, 4, 100, gzip, -1);
    }
}

static void
check_mnist (const ReliefDataset *ds, int n_train, int n_test)
{
  double sum = 0, sum_sq = 0, mean, std;
  int max_label = 0;

  /* Reference: the mean and population std of the 12 training images' pixels / 255. */
  for (int k = 0; k < 12; k++)
    for (int i = 0; i < PIXELS; i++)
      sum += pixel (k, i) / 255.0;
  mean = sum / (12 * PIXELS);
  for (int k = 0; k < 12; k++)
    for (int i = 0; i < PIXELS; i++)
      sum_sq += (pixel (k, i) / 255.0 - mean) * (pixel (k, i) / 255.0 - mean);
  std = sqrt (sum_sq / (12 * PIXELS));

  if (n_train == 12)
    {
      g_assert_cmpfloat_with_epsilon (ds->mean, mean, 1e-6);
      g_assert_cmpfloat_with_epsilon (ds->std, std, 1e-6);
    }
  g_assert_cmpint (ds->n_features, ==, PIXELS);
  g_assert_cmpint (ds->n_train, ==, n_train);
  g_assert_cmpint (ds->n_test, ==, n_test);
  g_assert_false (ds->generated);
  for (int k = 0; k < n_train; k++)
    {
      g_assert_cmpint (ds->y_train[k], ==, k % 7);
      max_label = MAX (max_label, k % 7);
      for (int i = 0; i < PIXELS; i++)
        g_assert_cmpfloat_with_epsilon (ds->x_train[k * PIXELS + i], (pixel (k, i) / 255.0 - ds->mean) / ds->std,
                                        1e-5);
    }
  for (int k = 0; k < n_test; k++)
    {
      g_assert_cmpint (ds->y_test[k], ==, (100 + k) % 7);
      max_label = MAX (max_label, (100 + k) % 7);
      for (int i = 0; i < PIXELS; i++)
        g_assert_cmpfloat_with_epsilon (ds->x_test[k * PIXELS + i], (pixel (100 + k, i) / 255.0 - ds->mean) / ds->std,
                                        1e-5);
    }
  g_assert_cmpint (ds->n_classes, ==, max_label + 1);
}

static void
test_idx_plain_and_gzip (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) gz = NULL;
  g_autoptr (ReliefDataset) part = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *base = g_path_get_basename (f->dir);

  write_mnist (f->dir, TRUE, TRUE);
  gz = relief_dataset_load_idx_dir (f->dir, 0, 0, &error);
  g_assert_no_error (error);
  check_mnist (gz, 12, 4);
  g_assert_cmpstr (gz->name, ==, base);
  g_assert_cmpuint (g_strv_length (gz->source_paths), ==, 4);
  g_assert_true (g_str_has_suffix (gz->source_paths[0], "train-images-idx3-ubyte.gz"));
  sha = relief_file_sha256 (gz->source_paths[3], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gz->source_sha256[3], ==, sha);

  part = relief_dataset_load_idx_dir (f->dir, 5, 2, &error);
  g_assert_no_error (error);
  check_mnist (part, 5, 2);
  /* The standardization comes from the training images kept. */
  g_assert_cmpfloat (fabs (part->mean - gz->mean), >, 1e-6);
}

static void
test_idx_plain_no_test (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) ds = NULL;

  write_mnist (f->dir, FALSE, FALSE);
  ds = relief_dataset_load_idx_dir (f->dir, 0, 0, &error);
  g_assert_no_error (error);
  check_mnist (ds, 12, 0);
  g_assert_null (ds->x_test);
  g_assert_cmpuint (g_strv_length (ds->source_paths), ==, 2);

  /* relief_dataset_open takes a directory as IDX. */
  g_clear_pointer (&ds, relief_dataset_free);
  ds = relief_dataset_open (f->dir, NULL, &error);
  g_assert_no_error (error);
  check_mnist (ds, 12, 0);
}

/* A pixel of the large set: every byte value occurs, in no simple order, between runs of
 * zeros as an MNIST digit's border (which the loader's sum skips). */
static guint8
large_pixel (gsize i)
{
  gsize in_image = i % 784;

  if (in_image < 117 || in_image > 690 || in_image % 28 < 5)
    return 0;
  return (guint8) ((i * 2654435761u) >> 13);
}

static void
write_large (const char *dir, const char *name, guint32 magic, int n, int side, gboolean gzip)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  gsize n_bytes = (gsize) n * (magic == 0x00000803 ? side * side : 1);

  put_be32 (bytes, magic);
  put_be32 (bytes, n);
  if (magic == 0x00000803)
    {
      put_be32 (bytes, side);
      put_be32 (bytes, side);
    }
  g_byte_array_set_size (bytes, bytes->len + n_bytes);
  for (gsize i = 0; i < n_bytes; i++)
    bytes->data[bytes->len - n_bytes + i] = magic == 0x00000803 ? large_pixel (i) : i % 10;
  write_file (dir, name, bytes->data, bytes->len, gzip);
}

/* Files of a megabyte and more (whose items are hashed on a thread while they convert,
 * plain or gzip): each recorded SHA-256 is GLib's of the file, and the values are the bits
 * of the plain computation: pixels / 255 as floats, their mean and population std summed
 * in order in double, each value standardized in double and rounded to float. */
static void
test_idx_large (Fixture *f, gconstpointer data)
{
  const int n_train = 2000, n_test = 500, side = 28, n_features = side * side;
  g_autoptr (ReliefDataset) ds = NULL;
  g_autoptr (GError) error = NULL;
  gboolean gzip = GPOINTER_TO_INT (data);
  const char *suffix = gzip ? ".gz" : "";
  const char *names[] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                          "t10k-labels-idx1-ubyte" };
  g_autofree float *x = g_new (float, (gsize) (n_train + n_test) * n_features);
  double sum = 0.0, sum_sq = 0.0, mean, std;

  for (int i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strconcat (names[i], suffix, NULL);

      write_large (f->dir, name, i % 2 == 0 ? 0x00000803 : 0x00000801, i < 2 ? n_train : n_test, side, gzip);
    }
  ds = relief_dataset_load_idx_dir (f->dir, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ds->n_train, ==, n_train);
  g_assert_cmpint (ds->n_test, ==, n_test);
  g_assert_cmpint (ds->n_classes, ==, 10);
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *contents = NULL;
      g_autofree char *sha = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (ds->source_paths[i], &contents, &len, NULL));
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
      g_assert_cmpstr (ds->source_sha256[i], ==, sha);
    }

  for (gsize i = 0; i < (gsize) (n_train + n_test) * n_features; i++)
    x[i] = large_pixel (i < (gsize) n_train * n_features ? i : i - (gsize) n_train * n_features) / 255.0f;
  for (gsize i = 0; i < (gsize) n_train * n_features; i++)
    sum += x[i];
  mean = sum / ((gsize) n_train * n_features);
  for (gsize i = 0; i < (gsize) n_train * n_features; i++)
    sum_sq += (x[i] - mean) * (x[i] - mean);
  std = sqrt (sum_sq / ((gsize) n_train * n_features));
  for (gsize i = 0; i < (gsize) (n_train + n_test) * n_features; i++)
    x[i] = (float) ((x[i] - mean) / std);
  g_assert_true (ds->mean == mean && ds->std == std);
  g_assert_true (memcmp (ds->x_train, x, sizeof (float) * n_train * n_features) == 0);
  g_assert_true (memcmp (ds->x_test, x + (gsize) n_train * n_features, sizeof (float) * n_test * n_features) == 0);
  for (int k = 0; k < n_train; k++)
    g_assert_cmpint (ds->y_train[k], ==, k % 10);

  /* A failure after the images were read (and their hashing started) is the same one. */
  g_clear_pointer (&ds, relief_dataset_free);
  {
    g_autofree char *name = g_strconcat (names[3], suffix, NULL);

    write_large (f->dir, name, 0x00000801, n_test - 1, side, gzip);
  }
  ds = relief_dataset_load_idx_dir (f->dir, 0, 0, &error);
  g_assert_null (ds);
  g_assert_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_MISMATCH);
}

static void
expect_idx_error (const char *dir, int code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) ds = relief_dataset_load_idx_dir (dir, 0, 0, &error);

  g_assert_null (ds);
  g_assert_error (error, RELIEF_DATA_ERROR, code);
  if (fragment != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
}

/* `--dataset mnist` finds an installed copy through RELIEF_DATA_DIR (where the set-up
 * script puts it), and says how to install it when there is none. */
static void
test_installed_by_name (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) ds = NULL;
  g_autofree char *mnist = g_build_filename (f->dir, "mnist", NULL);
  g_autofree char *found = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *name;

  /* The XDG data folders searched too are the case's own (G_TEST_OPTION_ISOLATE_DIRS),
   * so a copy installed for the user is not found. */
  g_setenv ("RELIEF_DATA_DIR", f->dir, TRUE);
  ds = relief_dataset_open ("fashion-mnist", NULL, &error);
  g_assert_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "RELIEF_DATASETS=fashion-mnist"));
  g_clear_error (&error);

  g_assert_cmpint (g_mkdir (mnist, 0755), ==, 0);
  write_mnist (mnist, FALSE, TRUE);
  found = relief_dataset_find_installed ("mnist");
  g_assert_cmpstr (found, ==, mnist);
  ds = relief_dataset_open ("mnist", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ds->name, ==, "mnist");
  check_mnist (ds, 12, 4);

  dir = g_dir_open (mnist, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (mnist, name, NULL);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (mnist), ==, 0);
  g_unsetenv ("RELIEF_DATA_DIR");
}

static void
test_idx_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dir, "nothing-here", NULL);
  g_autofree char *images = g_build_filename (f->dir, "train-images-idx3-ubyte", NULL);
  g_autofree char *labels = g_build_filename (f->dir, "train-labels-idx1-ubyte", NULL);

  expect_idx_error (missing, RELIEF_DATA_ERROR_NOT_FOUND, "nothing-here");
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_NOT_FOUND, "train-images-idx3-ubyte");

  write_images (f->dir, "train-images-idx3-ubyte", 12, 0, FALSE, 0x00000803, 0);
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_NOT_FOUND, "train-labels-idx1-ubyte");

  write_labels (f->dir, "train-labels-idx1-ubyte", 11, 0, FALSE, -1);
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_MISMATCH, NULL);

  write_labels (f->dir, "train-labels-idx1-ubyte", 12, 0, FALSE, 10);
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_BAD_FORMAT, "label 10");

  write_labels (f->dir, "train-labels-idx1-ubyte", 12, 0, FALSE, -1);
  write_images (f->dir, "train-images-idx3-ubyte", 12, 0, FALSE, 0x00000801, 0);
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_BAD_FORMAT, "magic");

  write_images (f->dir, "train-images-idx3-ubyte", 12, 0, FALSE, 0x00000803, 5);
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_TRUNCATED, NULL);

  /* A header cut short is truncated too, not a bad magic. */
  write_file (f->dir, "train-images-idx3-ubyte", (const guint8 *) "\0\0\x08\x03\0\0", 6, FALSE);
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_TRUNCATED, NULL);

  /* A gzip stream cut in the middle. */
  g_unlink (images);
  g_unlink (labels);
  write_mnist (f->dir, TRUE, FALSE);
  {
    g_autofree char *gz_path = g_build_filename (f->dir, "train-images-idx3-ubyte.gz", NULL);
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (gz_path, &contents, &len, NULL));
    g_assert_true (g_file_set_contents (gz_path, contents, len - 12, NULL));
  }
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_TRUNCATED, NULL);

  /* Cut after its last deflate block, before the CRC and size trailer: zlib's gzread
   * alone would take it for whole. */
  write_mnist (f->dir, TRUE, FALSE);
  {
    g_autofree char *gz_path = g_build_filename (f->dir, "train-labels-idx1-ubyte.gz", NULL);
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (gz_path, &contents, &len, NULL));
    g_assert_true (g_file_set_contents (gz_path, contents, len - 8, NULL));
  }
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_TRUNCATED, "cut-off");

  /* Two gzip members, or bytes appended after the items: refused, not ignored. */
  write_mnist (f->dir, TRUE, FALSE);
  {
    g_autofree char *gz_path = g_build_filename (f->dir, "train-labels-idx1-ubyte.gz", NULL);
    g_autofree char *contents = NULL;
    g_autofree char *twice = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (gz_path, &contents, &len, NULL));
    twice = g_malloc (2 * len);
    memcpy (twice, contents, len);
    memcpy (twice + len, contents, len);
    g_assert_true (g_file_set_contents (gz_path, twice, 2 * len, NULL));
  }
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_BAD_FORMAT, "goes on after its 12 items");

  /* A plain file beside a .gz of other contents: which one is meant cannot be told; the
   * same contents are fine. */
  write_mnist (f->dir, TRUE, FALSE);
  write_labels (f->dir, "train-labels-idx1-ubyte", 12, 1, FALSE, -1);
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_MISMATCH, "differ");
  write_labels (f->dir, "train-labels-idx1-ubyte", 12, 0, FALSE, -1);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (ReliefDataset) ds = relief_dataset_load_idx_dir (f->dir, 0, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpint (ds->n_train, ==, 12);
  }
  g_unlink (labels);

  /* A test pair with one file missing is reported, not silently dropped. */
  write_mnist (f->dir, TRUE, FALSE);
  write_labels (f->dir, "t10k-labels-idx1-ubyte", 4, 0, FALSE, -1);
  expect_idx_error (f->dir, RELIEF_DATA_ERROR_NOT_FOUND, "t10k-images-idx3-ubyte");
}

static char *
write_csv (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_csv (Fixture *f, gconstpointer data)
{
  /* 8 rows, label in the middle; feature values a = row, b = 10 * row. */
  g_autofree char *path = write_csv (f->dir, "good.csv",
                                     "a,label,b\n"
                                     "0,0,0\n1,1,10\n2,2,20\n3,0,30\r\n4,1,40\n5,2,50\n6,0,60\n7,1,70\n\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) ds = relief_dataset_load_csv (path, NULL, 0.25, 3, &error);
  g_autoptr (ReliefDataset) same = NULL;
  g_autoptr (ReliefDataset) other_column = NULL;
  gboolean seen[8] = { FALSE };
  double sum = 0, sum_sq = 0, mean, std;

  g_assert_no_error (error);
  g_assert_cmpstr (ds->name, ==, "good.csv");
  g_assert_cmpint (ds->n_features, ==, 2);
  g_assert_cmpint (ds->n_classes, ==, 3);
  g_assert_cmpint (ds->n_train, ==, 6);
  g_assert_cmpint (ds->n_test, ==, 2);
  g_assert_cmpstr (ds->source_paths[0], ==, path);
  g_assert_cmpuint (strlen (ds->source_sha256[0]), ==, 64);

  /* Undo the standardization and find each row exactly once, with its label. */
  for (int i = 0; i < 8; i++)
    {
      gboolean test = i >= 6;
      const float *x = test ? ds->x_test + 2 * (i - 6) : ds->x_train + 2 * i;
      int label = test ? ds->y_test[i - 6] : ds->y_train[i];
      double a = x[0] * ds->std + ds->mean, b = x[1] * ds->std + ds->mean;
      int row = (int) lround (a);

      g_assert_cmpfloat_with_epsilon (a, row, 1e-4);
      g_assert_cmpfloat_with_epsilon (b, 10 * row, 1e-4);
      g_assert_cmpint (label, ==, row % 3);
      g_assert_false (seen[row]);
      seen[row] = TRUE;
      if (!test)
        {
          sum += a + b;
          sum_sq += a * a + b * b;
        }
    }
  mean = sum / 12;
  std = sqrt (sum_sq / 12 - mean * mean);
  g_assert_cmpfloat_with_epsilon (ds->mean, mean, 1e-4);
  g_assert_cmpfloat_with_epsilon (ds->std, std, 1e-4);

  /* The same seed gives the same split; relief_dataset_open dispatches on .csv. */
  {
    ReliefGeneratorParams params = { .seed = 3, .test_fraction = 0.25 };
    same = relief_dataset_open (path, &params, &error);
  }
  g_assert_no_error (error);
  g_assert_cmpmem (same->x_train, 12 * sizeof (float), ds->x_train, 12 * sizeof (float));
  g_assert_cmpmem (same->y_test, 2 * sizeof (int32_t), ds->y_test, 2 * sizeof (int32_t));

  other_column = relief_dataset_load_csv (path, "a", 0.0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (other_column->n_classes, ==, 8);
  g_assert_cmpint (other_column->n_test, ==, 0);
}

static void
expect_csv_error (const char *path, const char *label_column, int code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) ds = relief_dataset_load_csv (path, label_column, 0.2, 0, &error);

  g_assert_null (ds);
  g_assert_error (error, RELIEF_DATA_ERROR, code);
  if (fragment != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
}

static void
test_csv_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *bad_cell = write_csv (f->dir, "bad.csv", "x,y,label\n1,2,0\n3,oops,1\n");
  g_autofree char *ragged = write_csv (f->dir, "ragged.csv", "x,y,label\n1,2,0\n3,4,1\n5,6\n");
  g_autofree char *bad_label = write_csv (f->dir, "label.csv", "x,label\n1,0.5\n");
  g_autofree char *empty = write_csv (f->dir, "empty.csv", "");
  g_autofree char *missing = g_build_filename (f->dir, "missing.csv", NULL);
  g_autofree char *expected = g_strconcat (bad_cell, ":3:2", NULL);
  g_autofree char *expected_ragged = g_strconcat (ragged, ":4", NULL);
  g_autofree char *expected_label = g_strconcat (bad_label, ":2:2", NULL);

  expect_csv_error (bad_cell, NULL, RELIEF_DATA_ERROR_BAD_FORMAT, expected);
  expect_csv_error (ragged, NULL, RELIEF_DATA_ERROR_BAD_FORMAT, expected_ragged);
  expect_csv_error (bad_label, NULL, RELIEF_DATA_ERROR_BAD_FORMAT, expected_label);
  expect_csv_error (empty, NULL, RELIEF_DATA_ERROR_BAD_FORMAT, NULL);
  expect_csv_error (missing, NULL, RELIEF_DATA_ERROR_NOT_FOUND, NULL);
  expect_csv_error (bad_cell, "class", RELIEF_DATA_ERROR_NOT_FOUND, "class");
}

/* What CSV files from elsewhere get wrong is refused with the line and what to change. */
static void
test_csv_judgements (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *text;
    gsize       len;    /* 0: strlen */
    const char *fragment;
  } cases[] = {
    { "x,label\n1,0x2\n", 0, ":2:2: “0x2” is not a number" },
    { "x,label\n0x1p3,1\n", 0, ":2:1: “0x1p3” is not a number" },
    { "x,label\ninf,1\n", 0, "is not a number" },
    { "x,label\n1e39,1\n", 0, ":2:1: “1e39” is beyond the range of a 32-bit float" },
    { "x,label\n1,1e20\n", 0, "is not a class index" },
    { "x,label,label\n1,0,0\n", 0, ":1: columns 2 and 3 are both named “label”" },
    { "1,2,0\n3,4,1\n", 0, ":1: the first row holds numbers" },
    { "x,y\n1,0\n", 0, ":1: no column named “label”" },
    { "x,label\n1,0\n2,1\0\n3,0\n", 21, "a NUL byte at offset 15" },
    { "\xff\xfex,label\n1,0\n", 0, ":1: not UTF-8 text" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("case-%u.csv", i);
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (ReliefDataset) ds = NULL;

      g_assert_true (g_file_set_contents (path, cases[i].text, cases[i].len ? (gssize) cases[i].len : -1, NULL));
      ds = relief_dataset_load_csv (path, NULL, 0.0, 0, &error);
      g_assert_null (ds);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i].fragment) == NULL || strstr (error->message, name) == NULL)
        g_error ("case %u: “%s” lacks “%s”", i, error->message, cases[i].fragment);
      g_unlink (path);
    }

  /* Accepted: a UTF-8 byte order mark (skipped), CRLF line ends, spaces around cells, and
   * a feature as large as a float holds. */
  {
    g_autofree char *path = write_csv (f->dir, "bom.csv", "\xef\xbb\xbf x , label \r\n 3.4e38 , 1 \r\n-1,0\r\n");
    g_autoptr (GError) error = NULL;
    g_autoptr (ReliefDataset) ds = relief_dataset_load_csv (path, NULL, 0.0, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpint (ds->n_train, ==, 2);
    g_assert_cmpint (ds->n_features, ==, 1);
    g_assert_cmpint (ds->n_classes, ==, 2);
    g_unlink (path);
  }
}

static void
test_open_dispatch (void)
{
  ReliefGeneratorParams params;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) defaults = relief_dataset_open ("moons", NULL, &error);
  g_autoptr (ReliefDataset) custom = NULL;
  g_autoptr (ReliefDataset) none = NULL;

  g_assert_no_error (error);
  g_assert_true (defaults->generated);
  g_assert_cmpint (defaults->n_train + defaults->n_test, ==, 1000);

  relief_generator_defaults ("spiral", &params);
  params.n_samples = 50;
  custom = relief_dataset_open ("spiral", &params, &error);
  g_assert_no_error (error);
  g_assert_cmpint (custom->n_train + custom->n_test, ==, 50);

  none = relief_dataset_open ("no-such-thing", NULL, &error);
  g_assert_null (none);
  g_assert_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such-thing"));
  g_assert_nonnull (strstr (error->message, "directory or CSV"));
}

static void
test_sha256 (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_csv (f->dir, "abc.txt", "abc");
  g_autofree char *missing = g_build_filename (f->dir, "none", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *sha = relief_file_sha256 (path, &error);
  g_autofree char *none = NULL;

  g_assert_no_error (error);
  /* FIPS 180-2's example digest of "abc". */
  g_assert_cmpstr (sha, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  none = relief_file_sha256 (missing, &error);
  g_assert_null (none);
  g_assert_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/loaders/idx/gzip", Fixture, NULL, fixture_setup, test_idx_plain_and_gzip, fixture_teardown);
  g_test_add ("/loaders/idx/plain-no-test", Fixture, NULL, fixture_setup, test_idx_plain_no_test, fixture_teardown);
  g_test_add ("/loaders/idx/large-plain", Fixture, GINT_TO_POINTER (FALSE), fixture_setup, test_idx_large,
              fixture_teardown);
  g_test_add ("/loaders/idx/large-gzip", Fixture, GINT_TO_POINTER (TRUE), fixture_setup, test_idx_large,
              fixture_teardown);
  g_test_add ("/loaders/idx/installed", Fixture, NULL, fixture_setup, test_installed_by_name, fixture_teardown);
  g_test_add ("/loaders/idx/errors", Fixture, NULL, fixture_setup, test_idx_errors, fixture_teardown);
  g_test_add ("/loaders/csv/good", Fixture, NULL, fixture_setup, test_csv, fixture_teardown);
  g_test_add ("/loaders/csv/errors", Fixture, NULL, fixture_setup, test_csv_errors, fixture_teardown);
  g_test_add ("/loaders/csv/judgements", Fixture, NULL, fixture_setup, test_csv_judgements, fixture_teardown);
  g_test_add_func ("/loaders/open", test_open_dispatch);
  g_test_add ("/loaders/sha256", Fixture, NULL, fixture_setup, test_sha256, fixture_teardown);
  return g_test_run ();
}

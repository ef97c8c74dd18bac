/* test-regions-file.c: regions files round-trip (every polygon's vertices in order, the
 * patterns, classes, maps and boundary bit for bit, shared vertices merged again), several
 * checkpoints are found by index, and spoiled files are refused with a message naming the
 * file and what is wrong. */
#include "relief-regions-file.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-h5.h"
#include "test-tmpdir.h"

/* A 2-6-5-3 relu net of fixed parameters, computed on its input plane. */
static ReliefMlpSpec *
small_spec (void)
{
  static const int sizes[4] = { 2, 6, 5, 3 };

  return relief_mlp_spec_new (sizes, 4, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
}

static ReliefRegions *
compute (const ReliefMlpSpec *spec, const ReliefPlane *plane, guint64 seed)
{
  gsize D = relief_mlp_spec_n_params (spec);
  g_autofree float *params = g_new (float, D);
  g_autoptr (GError) error = NULL;
  ReliefRegions *r;

  relief_mlp_init_params (spec, seed, params);
  r = relief_regions_compute (spec, params, plane, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpint (r->n_regions, >, 4);
  return r;
}

static ReliefRegionsFile *
sample_file (void)
{
  g_autoptr (ReliefMlpSpec) spec = small_spec ();
  g_autoptr (ReliefPlane) plane = relief_plane_new_input (-2, 2, -1.5, 1.5);
  ReliefRegionsFile *rf = relief_regions_file_new (spec, plane, "runs/a run.h5");

  relief_regions_file_add (rf, 0, 0, compute (spec, plane, 1));
  relief_regions_file_add (rf, 3, 120, compute (spec, plane, 2));
  return rf;
}

/* The same polygons in the same order with the same coordinates, vertex for vertex. */
static void
assert_regions_equal (const ReliefRegions *a, const ReliefRegions *b)
{
  g_assert_cmpint (a->n_regions, ==, b->n_regions);
  g_assert_cmpint (a->n_hidden, ==, b->n_hidden);
  g_assert_cmpint (a->pattern_bytes, ==, b->pattern_bytes);
  g_assert_cmpint (a->n_outputs, ==, b->n_outputs);
  g_assert_cmpuint (a->n_vertices, ==, b->n_vertices);
  g_assert_cmpmem (a->polygon_offsets, sizeof (gint64) * (a->n_regions + 1), b->polygon_offsets,
                   sizeof (gint64) * (b->n_regions + 1));
  for (gint64 i = 0; i < a->polygon_offsets[a->n_regions]; i++)
    {
      g_assert_cmpfloat (a->vertices[2 * a->polygon_vertices[i]], ==, b->vertices[2 * b->polygon_vertices[i]]);
      g_assert_cmpfloat (a->vertices[2 * a->polygon_vertices[i] + 1], ==,
                         b->vertices[2 * b->polygon_vertices[i] + 1]);
    }
  g_assert_cmpmem (a->patterns, (gsize) a->n_regions * a->pattern_bytes, b->patterns,
                   (gsize) b->n_regions * b->pattern_bytes);
  g_assert_cmpmem (a->predicted, sizeof (gint32) * a->n_regions, b->predicted, sizeof (gint32) * b->n_regions);
  g_assert_cmpmem (a->n_active, sizeof (int) * a->n_regions, b->n_active, sizeof (int) * b->n_regions);
  g_assert_cmpmem (a->affine, sizeof (double) * a->n_regions * a->n_outputs * 3, b->affine,
                   sizeof (double) * b->n_regions * b->n_outputs * 3);
  g_assert_cmpuint (a->n_boundary, ==, b->n_boundary);
  g_assert_cmpmem (a->boundary, sizeof (double) * 4 * a->n_boundary, b->boundary, sizeof (double) * 4 * b->n_boundary);
}

static ReliefRegionsFile *
save_and_load (const ReliefRegionsFile *rf, const char *path)
{
  g_autoptr (GError) error = NULL;
  ReliefRegionsFile *back;

  g_assert_true (relief_regions_file_save (rf, path, &error));
  g_assert_no_error (error);
  back = relief_regions_file_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  return back;
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "r.h5", NULL);
  g_autoptr (ReliefRegionsFile) rf = sample_file ();
  g_autoptr (ReliefRegionsFile) back = save_and_load (rf, path);
  g_autoptr (GError) error = NULL;
  hid_t file;
  hsize_t dims[2];

  g_assert_cmpint (relief_file_detect_kind (path, &error), ==, RELIEF_FILE_KIND_REGIONS);
  g_assert_no_error (error);
  g_assert_cmpstr (back->run_file, ==, "runs/a run.h5");
  g_assert_cmpstr (back->plane_kind, ==, "input");
  g_assert_cmpint (back->plane_samples[0], ==, -1);
  g_assert_cmpint (back->spec->n_layers, ==, 3);
  g_assert_cmpint (back->plane->n_inputs, ==, 2);
  g_assert_cmpfloat (back->plane->umin, ==, -2);
  g_assert_cmpfloat (back->plane->vmax, ==, 1.5);
  g_assert_cmpfloat (back->plane->du[0], ==, 1);
  g_assert_cmpfloat (back->plane->dv[1], ==, 1);
  g_assert_cmpint (back->n_checkpoints, ==, 2);
  g_assert_cmpint (back->checkpoints[1].checkpoint, ==, 3);
  g_assert_cmpint (back->checkpoints[1].step, ==, 120);
  for (int c = 0; c < 2; c++)
    assert_regions_equal (rf->checkpoints[c].regions, back->checkpoints[c].regions);

  /* The file holds every polygon's vertices in order, shared ones repeated: V rows. */
  file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  {
    hid_t dset = H5Dopen2 (file, "checkpoints/3/vertices", H5P_DEFAULT);
    hid_t space = H5Dget_space (dset);

    g_assert_cmpint (H5Sget_simple_extent_dims (space, dims, NULL), ==, 2);
    g_assert_cmpuint (dims[0], ==, (hsize_t) rf->checkpoints[1].regions->polygon_offsets[rf->checkpoints[1].regions->n_regions]);
    g_assert_cmpuint (dims[1], ==, 2);
    g_assert_cmpuint (dims[0], >, rf->checkpoints[1].regions->n_vertices);
    H5Sclose (space);
    H5Dclose (dset);
  }
  H5Fclose (file);

  g_assert_cmpint (relief_regions_file_find (back, "last", NULL), ==, 1);
  g_assert_cmpint (relief_regions_file_find (back, "0", NULL), ==, 0);
  g_assert_cmpint (relief_regions_file_find (back, "3", NULL), ==, 1);
  g_assert_cmpint (relief_regions_file_find (back, "2", &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "holds 0, 3"));
}

/* A plane through three samples keeps them and its vectors. */
static void
test_samples_plane (Fixture *f, gconstpointer data)
{
  static const int sizes[3] = { 4, 7, 2 };
  static const float x0[4] = { 0, 0, 0, 0 }, x1[4] = { 1, 0, 2, 0 }, x2[4] = { 0, 1, 0, -1 };
  g_autofree char *path = g_build_filename (f->dir, "s.h5", NULL);
  g_autoptr (ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_LEAKY_RELU, RELIEF_LOSS_MSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefPlane) plane = relief_plane_new_through (4, x0, x1, x2, -0.25, 1.25, -0.25, 1.25, &error);
  g_autoptr (ReliefRegionsFile) rf = NULL, back = NULL;

  g_assert_no_error (error);
  rf = relief_regions_file_new (spec, plane, "r.h5");
  g_free (rf->plane_kind);
  rf->plane_kind = g_strdup ("samples");
  rf->plane_samples[0] = 5;
  rf->plane_samples[1] = 9;
  rf->plane_samples[2] = 2;
  relief_regions_file_add (rf, 7, 70, compute (spec, plane, 3));
  back = save_and_load (rf, path);
  g_assert_cmpstr (back->plane_kind, ==, "samples");
  g_assert_cmpint (back->plane_samples[1], ==, 9);
  g_assert_cmpmem (back->plane->du, 4 * sizeof (double), plane->du, 4 * sizeof (double));
  g_assert_cmpmem (back->plane->dv, 4 * sizeof (double), plane->dv, 4 * sizeof (double));
  assert_regions_equal (rf->checkpoints[0].regions, back->checkpoints[0].regions);
}

/* Patterns are arbitrary bytes, and those of a real network (mostly zero: neurons
 * inactive on most regions) hold what looks like a reference into the file's heap of
 * strings: a nonzero length, then the heap's address, then an object index it lacks.  A
 * file whose pattern bytes hold every such record for every address below 64 KiB (the
 * heap's is one of them) still loads, with its patterns bit for bit. */
static void
test_pattern_bytes (Fixture *f, gconstpointer data)
{
  static const int sizes[3] = { 2, 2048, 2 };
  const int side = 64, R = side * side, bytes = 2048 / 8;
  g_autofree char *path = g_build_filename (f->dir, "patterns.h5", NULL);
  g_autoptr (ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr (ReliefPlane) plane = relief_plane_new_input (0, 1, 0, 1);
  g_autoptr (ReliefRegionsFile) rf = relief_regions_file_new (spec, plane, "run.h5");
  g_autoptr (ReliefRegionsFile) back = NULL;
  ReliefRegions *r = g_new0 (ReliefRegions, 1);

  r->n_regions = R;
  r->n_hidden = 2048;
  r->pattern_bytes = bytes;
  r->n_outputs = 2;
  r->n_vertices = (side + 1) * (side + 1);
  r->vertices = g_new (double, 2 * r->n_vertices);
  for (int i = 0; i <= side; i++)
    for (int j = 0; j <= side; j++)
      {
        r->vertices[2 * (i * (side + 1) + j)] = (double) j / side;
        r->vertices[2 * (i * (side + 1) + j) + 1] = (double) i / side;
      }
  r->polygon_offsets = g_new (gint64, R + 1);
  r->polygon_vertices = g_new (gint64, 4 * R);
  for (int q = 0; q < R; q++)
    {
      int i = q / side, j = q % side;
      gint64 *v = r->polygon_vertices + 4 * q;

      r->polygon_offsets[q] = 4 * q;
      v[0] = i * (side + 1) + j;
      v[1] = v[0] + 1;
      v[2] = v[1] + side + 1;
      v[3] = v[0] + side + 1;
    }
  r->polygon_offsets[R] = 4 * R;
  /* 65536 records of 16 bytes: length 1, address k, index 0 (never an object's). */
  r->patterns = g_new (guint8, (gsize) R * bytes);
  for (gsize k = 0; k < (gsize) R * bytes / 16; k++)
    {
      guint8 *rec = r->patterns + 16 * k;

      memset (rec, 0, 16);
      rec[0] = 1;
      rec[4] = (guint8) (k & 0xff);
      rec[5] = (guint8) (k >> 8);
    }
  r->affine = g_new0 (double, (gsize) R * 2 * 3);
  r->predicted = g_new0 (gint32, R);
  r->n_active = g_new0 (int, R);
  relief_regions_file_add (rf, 0, 0, r);
  back = save_and_load (rf, path);
  g_assert_cmpint (back->checkpoints[0].regions->n_regions, ==, R);
  g_assert_cmpmem (back->checkpoints[0].regions->patterns, (gsize) R * bytes, r->patterns, (gsize) R * bytes);
}

static void
test_bad_values (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "good.h5", NULL);
  g_autoptr (ReliefRegionsFile) rf = sample_file ();
  g_autoptr (GError) error = NULL;
  const gint64 zero = 0, big = 1 << 20, back_step = 7, most_negative = G_MININT64;
  const gint32 class9 = 9;
  const double far = 40, nan = NAN, wrong_step = 5;
  const struct {
    const char *dataset, *object, *attr;
    hsize_t     index;
    hid_t       type;
    const void *value;
    const char *fragment;
  } cases[] = {
    { "checkpoints/3/polygon_offsets", NULL, NULL, 0, H5T_NATIVE_INT64, &back_step, "must start at 0" },
    { "checkpoints/3/polygon_offsets", NULL, NULL, 2, H5T_NATIVE_INT64, &zero, "polygon 1" },
    { "checkpoints/3/polygon_offsets", NULL, NULL, 1, H5T_NATIVE_INT64, &big, "polygon 0" },
    /* A fall by more than 2^63 is refused where it is, not wrapped around to a rise. */
    { "checkpoints/3/polygon_offsets", NULL, NULL, 2, H5T_NATIVE_INT64, &most_negative, "(polygon 1)" },
    { "checkpoints/0/vertices", NULL, NULL, 3, H5T_NATIVE_DOUBLE, &far, "not inside the plane’s rectangle" },
    { "checkpoints/0/vertices", NULL, NULL, 0, H5T_NATIVE_DOUBLE, &nan, "not inside the plane’s rectangle" },
    { "checkpoints/3/predicted", NULL, NULL, 1, H5T_NATIVE_INT32, &class9, "the model has 3 classes" },
    { "checkpoints/3/affine", NULL, NULL, 4, H5T_NATIVE_DOUBLE, &nan, "affine" },
    { "checkpoints/0/boundary", NULL, NULL, 0, H5T_NATIVE_DOUBLE, &nan, "boundary" },
    { "checkpoint_index", NULL, NULL, 1, H5T_NATIVE_INT64, &zero, "must ascend" },
    { "checkpoint_index", NULL, NULL, 1, H5T_NATIVE_INT64, &back_step, "checkpoints/7" },
    { "checkpoint_step", NULL, NULL, 1, H5T_NATIVE_DOUBLE, &wrong_step, "“checkpoint_step” says 5" },
    { "plane_du", NULL, NULL, 0, H5T_NATIVE_DOUBLE, &nan, "plane_du" },
    { NULL, "checkpoints/3", "n_regions", 0, H5T_NATIVE_INT64, &big, "“polygon_offsets” is not of shape" },
    { NULL, "checkpoints/3", "n_regions", 0, H5T_NATIVE_INT64, &zero, "n_regions" },
    { NULL, "/", "umax", 0, H5T_NATIVE_DOUBLE, &nan, "not a finite rectangle" },
  };

  g_assert_true (relief_regions_file_save (rf, path, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases) + 1; i++)
    {
      g_autofree char *name = g_strdup_printf ("bad-%u.h5", i);
      g_autofree char *copy = test_h5_copy (path, name);
      g_autoptr (ReliefRegionsFile) back = NULL;
      const char *fragment;

      if (i == G_N_ELEMENTS (cases))
        {
          hid_t file = H5Fopen (copy, H5F_ACC_RDWR, H5P_DEFAULT);

          g_assert_cmpint (H5Ldelete (file, "checkpoints/0/patterns", H5P_DEFAULT), >=, 0);
          H5Fclose (file);
          fragment = "patterns";
        }
      else if (cases[i].dataset)
        {
          test_h5_poke (copy, cases[i].dataset, cases[i].index, cases[i].type, cases[i].value);
          fragment = cases[i].fragment;
        }
      else
        {
          test_h5_set_attr (copy, cases[i].object, cases[i].attr, cases[i].type, cases[i].value);
          fragment = cases[i].fragment;
        }
      back = relief_regions_file_load (copy, &error);
      g_assert_null (back);
      g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
      if (strstr (error->message, copy) == NULL || strstr (error->message, fragment) == NULL)
        g_error ("case %u: “%s” lacks “%s” or the path", i, error->message, fragment);
      g_clear_error (&error);
      g_assert_cmpint (g_unlink (copy), ==, 0);
    }
}

/* Nothing is saved without a checkpoint; another kind is refused as such. */
static void
test_wrong_kind (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "empty.h5", NULL);
  g_autoptr (ReliefMlpSpec) spec = small_spec ();
  g_autoptr (ReliefPlane) plane = relief_plane_new_input (0, 1, 0, 1);
  g_autoptr (ReliefRegionsFile) rf = relief_regions_file_new (spec, plane, "r.h5");
  g_autoptr (ReliefRegionsFile) back = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (relief_regions_file_save (rf, path, &error));
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  {
    hid_t file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const gint64 one = 1;
    hid_t space = H5Screate (H5S_SCALAR);
    hid_t attr = H5Acreate2 (file, "relief_format_version", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);

    g_assert_cmpint (H5Awrite (attr, H5T_NATIVE_INT64, &one), >=, 0);
    H5Aclose (attr);
    H5Sclose (space);
    test_h5_write_string_attr (file, "relief_format", "hessian");
    H5Fclose (file);
  }
  back = relief_regions_file_load (path, &error);
  g_assert_null (back);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND);
  g_assert_nonnull (strstr (error->message, "not linear regions"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/regions-file/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/regions-file/samples-plane", Fixture, NULL, fixture_setup, test_samples_plane, fixture_teardown);
  g_test_add ("/regions-file/pattern-bytes", Fixture, NULL, fixture_setup, test_pattern_bytes, fixture_teardown);
  g_test_add ("/regions-file/bad-values", Fixture, NULL, fixture_setup, test_bad_values, fixture_teardown);
  g_test_add ("/regions-file/wrong-kind", Fixture, NULL, fixture_setup, test_wrong_kind, fixture_teardown);
  return g_test_run ();
}

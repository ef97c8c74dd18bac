/* test-hessian-file.c: Hessian spectrum files round-trip bit for bit (largest and
 * smallest pairs, trace, density), files holding only some parts load, and spoiled
 * files are refused with a message naming the file and what is wrong. */
#include "relief-hessian-file.h"

#include <math.h>
#include <string.h>

#include "test-h5.h"
#include "test-tmpdir.h"

#define D 7

static void
fill_pairs (ReliefHessianPairs *pairs, int n, double first, double step)
{
  pairs->n = n;
  pairs->values = g_new (double, n);
  pairs->vectors = g_new (float, (gsize) n * D);
  pairs->residuals = g_new (double, n);
  for (int i = 0; i < n; i++)
    {
      pairs->values[i] = first + step * i;
      pairs->residuals[i] = 1e-6 * (i + 1);
      for (int j = 0; j < D; j++)
        pairs->vectors[i * D + j] = (float) ((i + 1) * 0.125 - j * 0.0625);
    }
}

/* Every part: 3 largest, 2 smallest, a trace, a density of 2 starts of 3 steps. */
static ReliefHessianSpectrum *
sample_spectrum (void)
{
  ReliefHessianSpectrum *hs = relief_hessian_spectrum_new (D);

  hs->run_file = g_strdup ("runs/a run.h5");
  hs->checkpoint = 4;
  hs->n_samples = 300;
  hs->backend = g_strdup ("cpu");
  hs->method = g_strdup ("lanczos");
  hs->k = 3;
  hs->tolerance = 1e-4;
  hs->max_iter = 200;
  hs->seed = G_GUINT64_CONSTANT (0xfedcba9876543210);
  fill_pairs (&hs->largest, 3, 12.5, -4.25);
  fill_pairs (&hs->smallest, 2, -0.75, 0.5);
  hs->has_trace = TRUE;
  hs->trace = 17.25;
  hs->trace_stderr = 0.375;
  hs->trace_probes = 40;
  hs->trace_tolerance = 0.01;
  hs->trace_max_probes = 200;
  hs->n_grid = 5;
  hs->density_grid = g_new (double, 5);
  hs->density = g_new (double, 5);
  for (int i = 0; i < 5; i++)
    {
      hs->density_grid[i] = -1 + 0.5 * i;
      hs->density[i] = 0.125 * (i % 3);
    }
  hs->slq_starts = 2;
  hs->slq_steps = 4;
  hs->slq_steps_taken = 3;
  hs->slq_sigma2_scale = 1e-5;
  hs->slq_sigma2 = 2e-5;
  hs->slq_nodes = g_new (double, 6);
  hs->slq_weights = g_new (double, 6);
  for (int i = 0; i < 6; i++)
    {
      hs->slq_nodes[i] = -1 + 0.25 * i;
      hs->slq_weights[i] = 1.0 / 3;
    }
  return hs;
}

static void
assert_pairs_equal (const ReliefHessianPairs *a, const ReliefHessianPairs *b)
{
  g_assert_cmpint (a->n, ==, b->n);
  if (a->n == 0)
    return;
  g_assert_cmpmem (a->values, sizeof (double) * a->n, b->values, sizeof (double) * b->n);
  g_assert_cmpmem (a->residuals, sizeof (double) * a->n, b->residuals, sizeof (double) * b->n);
  g_assert_cmpmem (a->vectors, sizeof (float) * a->n * D, b->vectors, sizeof (float) * b->n * D);
}

static ReliefHessianSpectrum *
save_and_load (const ReliefHessianSpectrum *hs, const char *path)
{
  g_autoptr (GError) error = NULL;
  ReliefHessianSpectrum *back;

  g_assert_true (relief_hessian_spectrum_save (hs, path, &error));
  g_assert_no_error (error);
  back = relief_hessian_spectrum_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  return back;
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "h.h5", NULL);
  g_autoptr (ReliefHessianSpectrum) hs = sample_spectrum ();
  g_autoptr (ReliefHessianSpectrum) back = save_and_load (hs, path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (relief_file_detect_kind (path, &error), ==, RELIEF_FILE_KIND_HESSIAN);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_params, ==, D);
  g_assert_cmpstr (back->run_file, ==, hs->run_file);
  g_assert_cmpstr (back->backend, ==, "cpu");
  g_assert_cmpstr (back->method, ==, "lanczos");
  g_assert_cmpint (back->checkpoint, ==, 4);
  g_assert_cmpint (back->n_samples, ==, 300);
  g_assert_cmpint (back->k, ==, 3);
  g_assert_cmpfloat (back->tolerance, ==, 1e-4);
  g_assert_cmpint (back->max_iter, ==, 200);
  g_assert_cmpuint (back->seed, ==, hs->seed);
  assert_pairs_equal (&back->largest, &hs->largest);
  assert_pairs_equal (&back->smallest, &hs->smallest);
  g_assert_true (back->has_trace);
  g_assert_cmpfloat (back->trace, ==, 17.25);
  g_assert_cmpfloat (back->trace_stderr, ==, 0.375);
  g_assert_cmpint (back->trace_probes, ==, 40);
  g_assert_cmpfloat (back->trace_tolerance, ==, 0.01);
  g_assert_cmpint (back->trace_max_probes, ==, 200);
  g_assert_cmpint (back->n_grid, ==, 5);
  g_assert_cmpmem (back->density_grid, 5 * sizeof (double), hs->density_grid, 5 * sizeof (double));
  g_assert_cmpmem (back->density, 5 * sizeof (double), hs->density, 5 * sizeof (double));
  g_assert_cmpint (back->slq_starts, ==, 2);
  g_assert_cmpint (back->slq_steps, ==, 4);
  g_assert_cmpint (back->slq_steps_taken, ==, 3);
  g_assert_cmpfloat (back->slq_sigma2_scale, ==, 1e-5);
  g_assert_cmpfloat (back->slq_sigma2, ==, 2e-5);
  g_assert_cmpmem (back->slq_nodes, 6 * sizeof (double), hs->slq_nodes, 6 * sizeof (double));
  g_assert_cmpmem (back->slq_weights, 6 * sizeof (double), hs->slq_weights, 6 * sizeof (double));
}

/* Only the top eigenvalues: no smallest, no trace, no density datasets written or read. */
static void
test_top_only (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "top.h5", NULL);
  g_autoptr (ReliefHessianSpectrum) hs = relief_hessian_spectrum_new (D);
  g_autoptr (ReliefHessianSpectrum) back = NULL;
  hid_t file;

  hs->run_file = g_strdup ("r.h5");
  hs->checkpoint = 0;
  hs->n_samples = 10;
  hs->backend = g_strdup ("cpu");
  hs->method = g_strdup ("power");
  hs->k = 1;
  hs->tolerance = 1e-3;
  hs->max_iter = 50;
  fill_pairs (&hs->largest, 1, 3, 0);
  back = save_and_load (hs, path);
  assert_pairs_equal (&back->largest, &hs->largest);
  g_assert_cmpint (back->smallest.n, ==, 0);
  g_assert_false (back->has_trace);
  g_assert_cmpint (back->n_grid, ==, 0);
  file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  g_assert_cmpint (H5Lexists (file, "smallest_eigenvalues", H5P_DEFAULT), ==, 0);
  g_assert_cmpint (H5Lexists (file, "trace", H5P_DEFAULT), ==, 0);
  g_assert_cmpint (H5Lexists (file, "density", H5P_DEFAULT), ==, 0);
  H5Fclose (file);
}

/* Refusals, each naming the file and what is wrong. */
static void
test_bad_values (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "h.h5", NULL);
  g_autoptr (ReliefHessianSpectrum) hs = sample_spectrum ();
  g_autoptr (GError) error = NULL;
  const double up = 100, nan_value = NAN, negative = -1, down = -5;
  const float inf = INFINITY;
  const gint64 zero = 0, minus = -2, more_steps = 9;
  struct {
    const char *dataset, *attr;
    hsize_t     index;
    hid_t       type;
    const void *value;
    const char *fragment;
  } cases[] = {
    { "eigenvalues", NULL, 2, H5T_NATIVE_DOUBLE, &up, "“eigenvalues” is not descending (value 3)" },
    { "eigenvalues", NULL, 0, H5T_NATIVE_DOUBLE, &nan_value, "“eigenvalues” holds nan" },
    { "smallest_eigenvalues", NULL, 1, H5T_NATIVE_DOUBLE, &down, "“smallest_eigenvalues” is not ascending" },
    { "residuals", NULL, 1, H5T_NATIVE_DOUBLE, &negative, "“residuals” holds -1" },
    { "eigenvectors", NULL, 9, H5T_NATIVE_FLOAT, &inf, "eigenvectors" },
    { "trace_stderr", NULL, 0, H5T_NATIVE_DOUBLE, &negative, "“trace_stderr” holds -1" },
    { "density", NULL, 3, H5T_NATIVE_DOUBLE, &negative, "“density” holds -1" },
    { "density_grid", NULL, 3, H5T_NATIVE_DOUBLE, &negative, "density_grid" },
    { "slq_weights", NULL, 0, H5T_NATIVE_DOUBLE, &up, "“slq_weights” holds 100" },
    { NULL, "n_samples", 0, H5T_NATIVE_INT64, &zero, "“n_samples” is 0" },
    { NULL, "checkpoint", 0, H5T_NATIVE_INT64, &minus, "“checkpoint” is -2" },
    { NULL, "tolerance", 0, H5T_NATIVE_DOUBLE, &nan_value, "“tolerance” is nan" },
    { NULL, "slq_steps_taken", 0, H5T_NATIVE_INT64, &more_steps, "“slq_steps_taken” is 9" },
    /* The file declares more parameters than its vectors hold. */
    { NULL, "n_params", 0, H5T_NATIVE_INT64, &more_steps, "“eigenvectors” is not of shape [3, 9]" },
  };

  g_assert_true (relief_hessian_spectrum_save (hs, path, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases) + 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("bad-%u.h5", i);
      g_autofree char *copy = test_h5_copy (path, name);
      g_autoptr (ReliefHessianSpectrum) back = NULL;
      const char *fragment;

      if (i == G_N_ELEMENTS (cases))
        {
          hid_t file = H5Fopen (copy, H5F_ACC_RDWR, H5P_DEFAULT);

          g_assert_cmpint (H5Adelete (file, "method"), >=, 0);
          test_h5_write_string_attr (file, "method", "guess");
          H5Fclose (file);
          fragment = "“method” is “guess”";
        }
      else if (i == G_N_ELEMENTS (cases) + 1)
        {
          hid_t file = H5Fopen (copy, H5F_ACC_RDWR, H5P_DEFAULT);

          g_assert_cmpint (H5Ldelete (file, "residuals", H5P_DEFAULT), >=, 0);
          H5Fclose (file);
          fragment = "residuals";
        }
      else if (cases[i].dataset)
        {
          test_h5_poke (copy, cases[i].dataset, cases[i].index, cases[i].type, cases[i].value);
          fragment = cases[i].fragment;
        }
      else
        {
          test_h5_set_attr (copy, "/", cases[i].attr, cases[i].type, cases[i].value);
          fragment = cases[i].fragment;
        }
      back = relief_hessian_spectrum_load (copy, &error);
      g_assert_null (back);
      g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
      if (strstr (error->message, copy) == NULL || strstr (error->message, fragment) == NULL)
        g_error ("“%s” lacks “%s” or the path", error->message, fragment);
      g_clear_error (&error);
      g_assert_cmpint (g_unlink (copy), ==, 0);
    }
}

/* Another kind of file is refused as such; a spectrum with nothing in it is not saved
 * without its identity and is refused when it holds no result. */
static void
test_wrong_kind (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "empty.h5", NULL);
  g_autoptr (ReliefHessianSpectrum) hs = relief_hessian_spectrum_new (D);
  g_autoptr (ReliefHessianSpectrum) back = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (relief_hessian_spectrum_save (hs, path, &error));
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  hs->run_file = g_strdup ("r.h5");
  hs->n_samples = 1;
  hs->checkpoint = 0;
  hs->backend = g_strdup ("cpu");
  hs->method = g_strdup ("lanczos");
  hs->k = 1;
  hs->max_iter = 1;
  g_assert_true (relief_hessian_spectrum_save (hs, path, &error));
  g_assert_no_error (error);
  back = relief_hessian_spectrum_load (path, &error);
  g_assert_null (back);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "holds no eigenvalues, trace or density"));
  g_clear_error (&error);
  {
    hid_t file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const gint64 one = 1;
    hid_t space = H5Screate (H5S_SCALAR);
    hid_t attr = H5Acreate2 (file, "relief_format_version", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);

    g_assert_cmpint (H5Awrite (attr, H5T_NATIVE_INT64, &one), >=, 0);
    H5Aclose (attr);
    H5Sclose (space);
    test_h5_write_string_attr (file, "relief_format", "intdim");
    H5Fclose (file);
  }
  back = relief_hessian_spectrum_load (path, &error);
  g_assert_null (back);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND);
  g_assert_nonnull (strstr (error->message, "not a Hessian spectrum"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/hessian-file/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/hessian-file/top-only", Fixture, NULL, fixture_setup, test_top_only, fixture_teardown);
  g_test_add ("/hessian-file/bad-values", Fixture, NULL, fixture_setup, test_bad_values, fixture_teardown);
  g_test_add ("/hessian-file/wrong-kind", Fixture, NULL, fixture_setup, test_wrong_kind, fixture_teardown);
  return g_test_run ();
}

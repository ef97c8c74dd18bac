/* test-weights-file.c: weight spectra files round-trip (NaN fits and the trajectory
 * included), are told by their kind, and damaged ones are refused with what is wrong. */
#include "relief-weights-file.h"
#include "relief-rng.h"

#include <hdf5.h>
#include <math.h>
#include <string.h>

#include "test-h5.h"
#include "test-tmpdir.h"

/* The spectra of a 5-4-3 net's initial weights with a trajectory of 3 snapshots; the last
 * layer's fit cleared, as for a layer with nothing to fit. */
static ReliefWeights *
sample_weights (void)
{
  const int sizes[] = { 5, 4, 3 };
  g_autoptr (ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_TANH, RELIEF_LOSS_MSE);
  g_autofree float *params = g_new (float, relief_mlp_spec_n_params (spec));
  ReliefWeights *w = relief_weights_new (spec);
  g_autoptr (GError) error = NULL;

  relief_mlp_init_params (spec, 3, params);
  g_assert_true (relief_weight_spectra (spec, params, w->layers, &error));
  g_assert_no_error (error);
  w->layers[1].fit.alpha = w->layers[1].fit.alpha_stderr = w->layers[1].weighted_alpha = NAN;
  w->run_file = g_strdup ("runs/run.h5");
  w->checkpoint = 2;
  w->checkpoint_step = 40;
  relief_weights_set_trajectory (w, 3);
  for (int t = 0; t < 3; t++)
    {
      w->snapshot_step[t] = 20 * t;
      for (int l = 0; l < 2; l++)
        w->top_singular_values[t * 2 + l] = 1.0 + t + 0.5 * l;
    }
  return w;
}

static char *
save_sample (Fixture *f, const char *name)
{
  g_autoptr (ReliefWeights) w = sample_weights ();
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (relief_weights_save (w, path, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "w.h5", NULL);
  g_autoptr (ReliefWeights) w = sample_weights ();
  g_autoptr (ReliefWeights) back = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (relief_weights_save (w, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (relief_file_detect_kind (path, &error), ==, RELIEF_FILE_KIND_WEIGHTS);
  back = relief_weights_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);

  g_assert_cmpstr (back->run_file, ==, "runs/run.h5");
  g_assert_cmpint (back->checkpoint, ==, 2);
  g_assert_cmpint (back->checkpoint_step, ==, 40);
  g_assert_cmpint (back->n_layers, ==, 2);
  g_assert_cmpint (back->spec->sizes[1], ==, 4);
  g_assert_cmpint (back->spec->activation, ==, RELIEF_ACT_TANH);
  for (int l = 0; l < 2; l++)
    {
      const ReliefLayerSpectrum *a = &w->layers[l], *b = &back->layers[l];

      g_assert_cmpint (b->rows, ==, a->rows);
      g_assert_cmpint (b->cols, ==, a->cols);
      g_assert_cmpint (b->n, ==, a->n);
      g_assert_cmpmem (b->singular_values, b->n * sizeof (double), a->singular_values, a->n * sizeof (double));
      g_assert_cmpmem (b->esd, b->n * sizeof (double), a->esd, a->n * sizeof (double));
      g_assert_cmpint (b->n_fitted, ==, a->n_fitted);
      g_assert_cmpint (b->fit.n_tail, ==, a->fit.n_tail);
      g_assert_cmpint (isnan (b->fit.alpha), ==, isnan (a->fit.alpha));
      if (!isnan (a->fit.alpha))
        {
          g_assert_cmpfloat (b->fit.alpha, ==, a->fit.alpha);
          g_assert_cmpfloat (b->fit.alpha_stderr, ==, a->fit.alpha_stderr);
          g_assert_cmpfloat (b->weighted_alpha, ==, a->weighted_alpha);
        }
      g_assert_cmpfloat (b->fit.xmin, ==, a->fit.xmin);
      g_assert_cmpfloat (b->fit.ks_distance, ==, a->fit.ks_distance);
      g_assert_cmpfloat (b->lambda_max, ==, a->lambda_max);
      g_assert_cmpfloat (b->log_spectral_norm, ==, a->log_spectral_norm);
      g_assert_cmpfloat (b->stable_rank, ==, a->stable_rank);
      g_assert_cmpfloat (b->entry_variance, ==, a->entry_variance);
      g_assert_cmpfloat (b->mp_edge, ==, a->mp_edge);
    }
  g_assert_false (isnan (back->layers[0].fit.alpha));
  g_assert_cmpint (back->n_snapshots, ==, 3);
  for (int t = 0; t < 3; t++)
    {
      g_assert_cmpint (back->snapshot_step[t], ==, 20 * t);
      g_assert_cmpfloat (back->top_singular_values[t * 2 + 1], ==, 1.5 + t);
    }
}

static void
test_without_trajectory (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "w.h5", NULL);
  g_autoptr (ReliefWeights) w = sample_weights ();
  g_autoptr (ReliefWeights) back = NULL;
  g_autoptr (GError) error = NULL;
  hid_t file;

  relief_weights_set_trajectory (w, 0);
  g_assert_true (relief_weights_save (w, path, &error));
  file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  g_assert_cmpint (H5Lexists (file, "top_singular_values", H5P_DEFAULT), ==, 0);
  H5Fclose (file);
  back = relief_weights_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->n_snapshots, ==, 0);
  g_assert_null (back->top_singular_values);
}

static void
test_incomplete_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "w.h5", NULL);
  const int sizes[] = { 3, 2 };
  g_autoptr (ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 2, RELIEF_ACT_RELU, RELIEF_LOSS_MSE);
  g_autoptr (ReliefWeights) w = relief_weights_new (spec);
  g_autoptr (GError) error = NULL;

  w->run_file = g_strdup ("run.h5");
  g_assert_false (relief_weights_save (w, path, &error));
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
replace_doubles (hid_t loc, const char *name, int rank, const hsize_t *dims, const double *values)
{
  hid_t space, dset;

  if (H5Lexists (loc, name, H5P_DEFAULT) > 0)
    g_assert_cmpint (H5Ldelete (loc, name, H5P_DEFAULT), >=, 0);
  space = H5Screate_simple (rank, dims, NULL);
  dset = H5Dcreate2 (loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), >=, 0);
  H5Dclose (dset);
  H5Sclose (space);
}

static void
set_int_attr (hid_t loc, const char *name, gint64 value)
{
  hid_t attr = H5Aopen (loc, name, H5P_DEFAULT);

  g_assert_cmpint (H5Awrite (attr, H5T_NATIVE_INT64, &value), >=, 0);
  H5Aclose (attr);
}

typedef enum {
  DAMAGE_MISSING_LAYER,
  DAMAGE_MISSING_ALPHA,
  DAMAGE_SHAPE,
  DAMAGE_SHORT_SPECTRUM,
  DAMAGE_ASCENDING,
  DAMAGE_NEGATIVE,
  DAMAGE_N_LAYERS,
  DAMAGE_N_TAIL,
  DAMAGE_TRAJECTORY_SHAPE,
  DAMAGE_TRAJECTORY_STEPS,
  DAMAGE_MANY_LAYERS,
  N_DAMAGES
} Damage;

static const char * const damage_messages[N_DAMAGES] = {
  [DAMAGE_MISSING_LAYER] = "Missing group “layer_1”",
  [DAMAGE_MISSING_ALPHA] = "layer_0: Missing dataset “alpha”",
  [DAMAGE_SHAPE] = "layer_0: its shape is 5 × 4, but the model's layer is 4 × 5",
  [DAMAGE_SHORT_SPECTRUM] = "layer_0: “esd” must hold 4 values in one dimension",
  [DAMAGE_ASCENDING] = "layer_1: its singular values are not finite, non-negative and descending",
  [DAMAGE_NEGATIVE] = "layer_0: its singular values are not finite, non-negative and descending",
  [DAMAGE_N_LAYERS] = "“n_layers” is 7, but the model has 2",
  [DAMAGE_N_TAIL] = "layer_0: “n_tail” is 99, not a count from 0 to 4",
  [DAMAGE_TRAJECTORY_SHAPE] = "“top_singular_values” must be [snapshots, 2 layers]",
  [DAMAGE_TRAJECTORY_STEPS] = "Missing dataset “snapshot_step”",
  [DAMAGE_MANY_LAYERS] = "The file has fewer groups than the model's 5000 layers",
};

static void
damage (hid_t file, Damage d)
{
  hid_t layer0 = H5Gopen2 (file, "layer_0", H5P_DEFAULT), layer1 = H5Gopen2 (file, "layer_1", H5P_DEFAULT);
  hsize_t two[1] = { 2 }, three[1] = { 3 }, one[1] = { 1 }, wrong[2] = { 3, 3 };
  double shape[2] = { 5, 4 }, values[3] = { 1, 2, 3 }, negative[1] = { -1 }, tail[1] = { 99 };

  switch (d)
    {
    case DAMAGE_MISSING_LAYER:
      g_assert_cmpint (H5Ldelete (file, "layer_1", H5P_DEFAULT), >=, 0);
      break;
    case DAMAGE_MISSING_ALPHA:
      g_assert_cmpint (H5Ldelete (layer0, "alpha", H5P_DEFAULT), >=, 0);
      break;
    case DAMAGE_SHAPE:
      replace_doubles (layer0, "shape", 1, two, shape);
      break;
    case DAMAGE_SHORT_SPECTRUM:
      replace_doubles (layer0, "esd", 1, three, values);
      break;
    case DAMAGE_ASCENDING:
      replace_doubles (layer1, "singular_values", 1, three, values);
      break;
    case DAMAGE_NEGATIVE:
      {
        hid_t dset = H5Dopen2 (layer0, "singular_values", H5P_DEFAULT);
        hid_t space = H5Dget_space (dset);
        hsize_t start[1] = { 3 };
        hid_t mem = H5Screate_simple (1, one, NULL);

        H5Sselect_hyperslab (space, H5S_SELECT_SET, start, NULL, one, NULL);
        g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, negative), >=, 0);
        H5Sclose (mem);
        H5Sclose (space);
        H5Dclose (dset);
      }
      break;
    case DAMAGE_N_LAYERS:
      set_int_attr (file, "n_layers", 7);
      break;
    case DAMAGE_N_TAIL:
      replace_doubles (layer0, "n_tail", 1, one, tail);
      break;
    case DAMAGE_TRAJECTORY_SHAPE:
      {
        double grid[9] = { 0 };

        replace_doubles (file, "top_singular_values", 2, wrong, grid);
      }
      break;
    case DAMAGE_TRAJECTORY_STEPS:
      g_assert_cmpint (H5Ldelete (file, "snapshot_step", H5P_DEFAULT), >=, 0);
      break;
    case DAMAGE_MANY_LAYERS:
      {
        /* A model of 5,000 layers of width 1 declared in a small file. */
        hid_t model = H5Gopen2 (file, "model", H5P_DEFAULT);
        g_autofree gint64 *sizes = g_new (gint64, 5001);
        hsize_t n[1] = { 5001 };
        hid_t space = H5Screate_simple (1, n, NULL), attr;

        for (int i = 0; i < 5001; i++)
          sizes[i] = 1;
        H5Adelete (model, "layer_sizes");
        attr = H5Acreate2 (model, "layer_sizes", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
        g_assert_cmpint (H5Awrite (attr, H5T_NATIVE_INT64, sizes), >=, 0);
        H5Aclose (attr);
        H5Sclose (space);
        H5Gclose (model);
        set_int_attr (file, "n_layers", 5000);
      }
      break;
    case N_DAMAGES:
      g_assert_not_reached ();
    }
  H5Gclose (layer0);
  H5Gclose (layer1);
}

static void
test_damaged_refused (Fixture *f, gconstpointer data)
{
  for (Damage d = 0; d < N_DAMAGES; d++)
    {
      g_autofree char *name = g_strdup_printf ("damaged-%d.h5", d);
      g_autofree char *path = save_sample (f, name);
      g_autofree char *expected = g_strdup_printf ("%s: %s", path, damage_messages[d]);
      g_autoptr (GError) error = NULL;
      g_autoptr (ReliefWeights) back = NULL;
      hid_t file = H5Fopen (path, H5F_ACC_RDWR, H5P_DEFAULT);

      g_assert_cmpint (file, >=, 0);
      damage (file, d);
      H5Fclose (file);
      back = relief_weights_load (path, &error);
      g_assert_null (back);
      g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

static void
test_other_kind_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "run-like.h5", NULL);
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;
  hid_t file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t space = H5Screate (H5S_SCALAR), attr;
  gint64 one = 1;

  test_h5_write_string_attr (file, "relief_format", "intdim");
  attr = H5Acreate2 (file, "relief_format_version", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite (attr, H5T_NATIVE_INT64, &one);
  H5Aclose (attr);
  H5Sclose (space);
  H5Fclose (file);
  g_assert_null (relief_weights_load (path, &error));
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND);
  expected = g_strdup_printf ("“%s” is a sweep, not weight spectra", path);
  g_assert_cmpstr (error->message, ==, expected);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/weights-file/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/weights-file/without-trajectory", Fixture, NULL, fixture_setup, test_without_trajectory,
              fixture_teardown);
  g_test_add ("/weights-file/incomplete-refused", Fixture, NULL, fixture_setup, test_incomplete_refused,
              fixture_teardown);
  g_test_add ("/weights-file/damaged-refused", Fixture, NULL, fixture_setup, test_damaged_refused, fixture_teardown);
  g_test_add ("/weights-file/other-kind-refused", Fixture, NULL, fixture_setup, test_other_kind_refused,
              fixture_teardown);
  return g_test_run ();
}

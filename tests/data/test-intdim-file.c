/* test-intdim-file.c: intrinsic-dimension sweep files round-trip, NaN cells included, and
 * are recognised by relief_file_detect_kind. */
#include "relief-intdim-file.h"

#include <math.h>
#include <string.h>

#include "test-h5.h"
#include "test-tmpdir.h"

/* A sweep of 3 dims and 2 seeds with cells (0,0), (1,1) and (2,0) run, the others NaN.
 * Its generator settings differ from the gaussians' defaults, so a loader that filled
 * them in by default would not pass for one that reads them back. */
static ReliefIntdim *
sample_sweep (void)
{
  ReliefIntdim *id = relief_intdim_new (3, 2);
  const int sizes[3] = { 2, 8, 3 };

  id->dims[0] = 2, id->dims[1] = 8, id->dims[2] = 32;
  id->train_acc[0] = 0.5, id->test_acc[0] = 0.45, id->final_loss[0] = 1.25;
  id->train_acc[3] = 0.75, id->test_acc[3] = 0.7, id->final_loss[3] = 0.5;
  id->train_acc[4] = 0.875, id->test_acc[4] = 0.8, id->final_loss[4] = 0.25;
  id->baseline_train_acc = 0.95;
  id->baseline_test_acc = 0.9;
  id->dint90_individual_mean = 7.5;
  id->dint90_individual_std = 0;
  id->global_baseline = 0.98;
  id->projection = g_strdup ("dense");
  id->dataset = g_strdup ("gaussians");
  id->backend = g_strdup ("cpu");
  id->spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  id->config.epochs = 3;
  id->config.batch_size = 16;
  id->config.optimizer.lr = 0.25f;
  id->config.seed = 42;
  relief_generator_defaults ("gaussians", &id->gen);
  id->gen.n_samples = 300;
  id->gen.noise = 0.375;
  id->gen.n_classes = 5;
  id->gen.seed = 7;
  id->gen.test_fraction = 0.3125;
  id->has_gen = TRUE;
  return id;
}

static ReliefIntdim *
save_and_load (const ReliefIntdim *id, const char *path)
{
  g_autoptr (GError) error = NULL;
  ReliefIntdim *back;

  g_assert_true (relief_intdim_save (id, path, &error));
  g_assert_no_error (error);
  back = relief_intdim_load (path, &error);
  g_assert_no_error (error);
  return back;
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "id.h5", NULL);
  g_autoptr (ReliefIntdim) id = sample_sweep ();
  g_autoptr (ReliefIntdim) back = save_and_load (id, path);

  g_assert_cmpint (back->K, ==, 3);
  g_assert_cmpint (back->n_seeds, ==, 2);
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (back->dims[i], ==, id->dims[i]);
  for (int i = 0; i < 6; i++)
    {
      g_assert_cmpint (isnan (back->train_acc[i]), ==, isnan (id->train_acc[i]));
      g_assert_cmpint (isnan (back->test_acc[i]), ==, isnan (id->test_acc[i]));
      g_assert_cmpint (isnan (back->final_loss[i]), ==, isnan (id->final_loss[i]));
      if (!isnan (id->train_acc[i]))
        {
          g_assert_cmpfloat (back->train_acc[i], ==, id->train_acc[i]);
          g_assert_cmpfloat (back->test_acc[i], ==, id->test_acc[i]);
          g_assert_cmpfloat (back->final_loss[i], ==, id->final_loss[i]);
        }
    }
  g_assert_cmpfloat (back->baseline_train_acc, ==, 0.95);
  g_assert_cmpfloat (back->baseline_test_acc, ==, 0.9);
  g_assert_cmpfloat (back->dint90_individual_mean, ==, 7.5);
  g_assert_cmpfloat (back->dint90_individual_std, ==, 0);
  g_assert_true (isnan (back->dint90_global_mean) && isnan (back->dint90_global_std));
  g_assert_cmpfloat (back->global_baseline, ==, 0.98);
  g_assert_cmpstr (back->projection, ==, "dense");
  g_assert_cmpstr (back->dataset, ==, "gaussians");
  g_assert_cmpstr (back->backend, ==, "cpu");
  g_assert_cmpint (back->spec->n_layers, ==, 2);
  g_assert_cmpint (back->spec->sizes[1], ==, 8);
  g_assert_cmpint (back->config.epochs, ==, 3);
  g_assert_cmpint (back->config.batch_size, ==, 16);
  g_assert_cmpfloat (back->config.optimizer.lr, ==, 0.25f);
  g_assert_cmpuint (back->config.seed, ==, 42);
  g_assert_true (back->has_gen);
  g_assert_cmpint (back->gen.n_samples, ==, 300);
  g_assert_cmpfloat (back->gen.noise, ==, 0.375);
  g_assert_cmpint (back->gen.n_classes, ==, 5);
  g_assert_cmpuint (back->gen.seed, ==, 7);
  g_assert_cmpfloat (back->gen.test_fraction, ==, 0.3125);
}

static void
test_detect_kind (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "id.h5", NULL);
  g_autoptr (ReliefIntdim) id = sample_sweep ();
  g_autoptr (GError) error = NULL;
  ReliefFileKind kind;

  g_assert_true (relief_intdim_save (id, path, &error));
  kind = relief_file_detect_kind (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, RELIEF_FILE_KIND_INTDIM);
}

/* A copy is deep: it outlives its original. */
static void
test_copy_is_deep (void)
{
  g_autoptr (ReliefIntdim) id = sample_sweep ();
  g_autoptr (ReliefIntdim) copy = relief_intdim_copy (id);

  g_clear_pointer (&id, relief_intdim_free);
  g_assert_cmpint (copy->dims[2], ==, 32);
  g_assert_cmpfloat (copy->test_acc[4], ==, 0.8);
  g_assert_cmpstr (copy->dataset, ==, "gaussians");
  g_assert_cmpint (copy->spec->sizes[1], ==, 8);
  g_assert_cmpfloat (copy->gen.noise, ==, 0.375);
}

/* Files written before the generator settings were recorded still load, without them. */
static void
test_without_generator (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "id.h5", NULL);
  g_autoptr (ReliefIntdim) id = sample_sweep ();
  g_autoptr (ReliefIntdim) back = NULL;

  id->has_gen = FALSE;
  back = save_and_load (id, path);
  g_assert_false (back->has_gen);
  g_assert_cmpint (back->K, ==, 3);
}

/* A sweep whose shapes are right but whose values make no sense is refused, naming the
 * file and what is wrong: dimensions not ascending, not positive or beyond the model,
 * accuracies outside [0, 1], a negative loss, a d_int90 outside the sweep, settings no
 * flag would accept, an unknown projection. */
static void
test_bad_values (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "id.h5", NULL);
  g_autoptr (ReliefIntdim) id = sample_sweep ();
  g_autoptr (GError) error = NULL;
  const gint64 two = 2, zero = 0, huge = 1000, negative = -3;
  const double big = 1.5, low = -0.5, nan_value = NAN, far = 100, none = 0;
  struct {
    const char *dataset, *attr;   /* a dataset element or a root attribute to spoil */
    hsize_t     index;
    hid_t       type;
    const void *value;
    const char *fragment;
  } cases[] = {
    { "dims", NULL, 1, H5T_NATIVE_INT64, &two, "“dims” holds 2 (value 2): dimensions must be ascending" },
    { "dims", NULL, 0, H5T_NATIVE_INT64, &zero, "“dims” holds 0 (value 1)" },
    { "dims", NULL, 2, H5T_NATIVE_INT64, &huge, "model’s 51 parameters" },
    { "train_acc", NULL, 0, H5T_NATIVE_DOUBLE, &big, "“train_acc” holds 1.5 (value 1 of 6), outside [0, 1]" },
    { "test_acc", NULL, 3, H5T_NATIVE_DOUBLE, &low, "“test_acc” holds -0.5 (value 4 of 6)" },
    { "final_loss", NULL, 4, H5T_NATIVE_DOUBLE, &low, "“final_loss” holds -0.5" },
    { "baseline_test_acc", NULL, 0, H5T_NATIVE_DOUBLE, &big, "“baseline_test_acc” holds 1.5" },
    { "dint90_individual", NULL, 0, H5T_NATIVE_DOUBLE, &far, "“dint90_individual” holds 100 (value 1 of 1), outside [2, 32]" },
    { NULL, "batch_size", 0, H5T_NATIVE_INT64, &negative, "“batch_size” is -3" },
    { NULL, "lr", 0, H5T_NATIVE_DOUBLE, &nan_value, "“lr” is nan" },
    { NULL, "global_baseline", 0, H5T_NATIVE_DOUBLE, &none, "“global_baseline” is 0, outside (0, 1]" },
  };

  g_assert_true (relief_intdim_save (id, path, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases) + 1; i++)
    {
      g_autofree char *name = g_strdup_printf ("bad-%u.h5", i);
      g_autofree char *copy = test_h5_copy (path, name);
      g_autoptr (ReliefIntdim) back = NULL;
      const char *fragment;

      if (i == G_N_ELEMENTS (cases))
        {
          hid_t file = H5Fopen (copy, H5F_ACC_RDWR, H5P_DEFAULT);

          g_assert_cmpint (H5Adelete (file, "projection"), >=, 0);
          test_h5_write_string_attr (file, "projection", "identity");
          H5Fclose (file);
          fragment = "“projection” is “identity”";
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
      back = relief_intdim_load (copy, &error);
      g_assert_null (back);
      g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
      if (strstr (error->message, copy) == NULL || strstr (error->message, fragment) == NULL)
        g_error ("“%s” lacks “%s” or the path", error->message, fragment);
      g_clear_error (&error);
      g_assert_cmpint (g_unlink (copy), ==, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/intdim-file/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/intdim-file/detect-kind", Fixture, NULL, fixture_setup, test_detect_kind, fixture_teardown);
  g_test_add_func ("/intdim-file/copy-is-deep", test_copy_is_deep);
  g_test_add ("/intdim-file/without-generator", Fixture, NULL, fixture_setup, test_without_generator,
              fixture_teardown);
  g_test_add ("/intdim-file/bad-values", Fixture, NULL, fixture_setup, test_bad_values, fixture_teardown);
  return g_test_run ();
}

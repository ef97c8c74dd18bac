/* test-intdim-file.c: intrinsic-dimension sweep files round-trip, NaN cells included, and
 * are recognised by relief_file_detect_kind. */
#include "relief-intdim-file.h"

#include <math.h>
#include <string.h>

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/intdim-file/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/intdim-file/detect-kind", Fixture, NULL, fixture_setup, test_detect_kind, fixture_teardown);
  g_test_add_func ("/intdim-file/copy-is-deep", test_copy_is_deep);
  g_test_add ("/intdim-file/without-generator", Fixture, NULL, fixture_setup, test_without_generator,
              fixture_teardown);
  return g_test_run ();
}

/* test-intdim-file.c: intrinsic-dimension sweep files round-trip, NaN cells included, and
 * are recognised by relief_file_detect_kind. */
#include "relief-intdim-file.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

static void
test_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("relief-intdim-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "id.h5", NULL);
  g_autoptr (ReliefIntdim) id = relief_intdim_new (3, 2);
  g_autoptr (ReliefIntdim) back = NULL;
  ReliefFileKind kind;
  const int sizes[3] = { 2, 8, 3 };

  g_assert_no_error (error);
  id->dims[0] = 2, id->dims[1] = 8, id->dims[2] = 32;
  /* Cells (0,0), (1,1) and (2,0) run; the others stay NaN. */
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
  id->gen.seed = 7;
  id->has_gen = TRUE;

  g_assert_true (relief_intdim_save (id, path, &error));
  g_assert_no_error (error);
  kind = relief_file_detect_kind (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, RELIEF_FILE_KIND_INTDIM);

  back = relief_intdim_load (path, &error);
  g_assert_no_error (error);
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
  g_assert_cmpfloat (back->gen.noise, ==, id->gen.noise);
  g_assert_cmpint (back->gen.n_classes, ==, id->gen.n_classes);
  g_assert_cmpuint (back->gen.seed, ==, 7);
  g_assert_cmpfloat (back->gen.test_fraction, ==, id->gen.test_fraction);

  /* A copy is deep: it outlives its original. */
  {
    g_autoptr (ReliefIntdim) copy = relief_intdim_copy (back);

    g_clear_pointer (&back, relief_intdim_free);
    g_assert_cmpint (copy->dims[2], ==, 32);
    g_assert_cmpfloat (copy->test_acc[4], ==, 0.8);
    g_assert_cmpstr (copy->dataset, ==, "gaussians");
    g_assert_cmpint (copy->spec->sizes[1], ==, 8);
  }

  /* Files written before the generator settings were recorded still load, without them. */
  id->has_gen = FALSE;
  g_clear_pointer (&back, relief_intdim_free);
  g_assert_true (relief_intdim_save (id, path, &error));
  back = relief_intdim_load (path, &error);
  g_assert_no_error (error);
  g_assert_false (back->has_gen);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/intdim-file/round-trip", test_round_trip);
  return g_test_run ();
}

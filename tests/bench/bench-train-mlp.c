/* bench-train-mlp.c: one epoch of MNIST 784-200-200-10 ReLU, batch 128, SGD with momentum
 * 0.9 and lr 0.01, on every available backend, against PyTorch when it is importable.
 *
 *   bench-train-mlp [MNIST-DIR]
 *
 * MNIST-DIR holds the four IDX files (default: $RELIEF_DATA_DIR/mnist, else
 * ~/.local/share/relief/datasets/mnist).  The epoch time is measured from the end of the
 * first step to the end of the last and scaled to the whole epoch, so it leaves out the
 * one-time upload of the data set and the first step's warm-up, as the PyTorch baseline
 * (data already on the device, warmed up) does.  Exit status 2: no MNIST. */
#include "relief-blas-tune.h"
#include "relief-loaders.h"
#include "relief-train.h"
#include "relief-enums.h"

#include <gio/gio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const int sizes[] = { 784, 200, 200, 10 };

typedef struct {
  gint64 first_step_us;   /* monotonic time at the end of step 1 */
  gint64 last_step_us;
  gint64 steps;
  double last_loss;
} StepClock;

static void
on_progress (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data)
{
  StepClock *clock = user_data;
  gint64 now = g_get_monotonic_time ();

  if (step == 1)
    clock->first_step_us = now;
  clock->last_step_us = now;
  clock->steps = step;
  clock->last_loss = batch_loss;
}

/* Seconds for one epoch on be, or a negative number after printing why it failed. */
static double
time_epoch (ReliefBackend *be, const char *label, const ReliefDataset *ds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU,
                                                       RELIEF_LOSS_CROSS_ENTROPY);
  g_autofree float *params = g_new (float, relief_mlp_spec_n_params (spec));
  StepClock clock = { 0 };
  ReliefTrainCallbacks callbacks = { .progress = on_progress, .user_data = &clock };
  ReliefTrainConfig config;
  ReliefTrainStatus status;
  gint64 start = g_get_monotonic_time ();
  double wall, epoch;

  relief_train_config_init_defaults (&config);
  config.optimizer.kind = RELIEF_OPT_MOMENTUM;
  config.optimizer.lr = 0.01f;
  config.optimizer.momentum = 0.9f;
  config.batch_size = 128;
  config.epochs = 1;
  relief_mlp_init_params (spec, config.seed, params);

  status = relief_train (be, spec, ds, &config, params, &callbacks, NULL, &error);
  wall = (g_get_monotonic_time () - start) / 1e6;
  if (status != RELIEF_TRAIN_COMPLETED || clock.steps < 2)
    {
      g_printerr ("%s: training %s%s%s\n", label, relief_enum_to_nick (RELIEF_TYPE_TRAIN_STATUS, status),
                  error != NULL ? ": " : "", error != NULL ? error->message : "");
      return -1.0;
    }
  epoch = (clock.last_step_us - clock.first_step_us) / 1e6 * clock.steps / (clock.steps - 1);
  printf ("%-24s epoch %.4f s (%" G_GINT64_FORMAT " steps, last batch loss %.4f; whole call with upload %.4f s)\n",
          label, epoch, clock.steps, clock.last_loss, wall);
  return epoch;
}

/* The PyTorch baseline's epoch time and device, or FALSE when PyTorch is not there. */
static gboolean
run_torch (const char *mnist_dir, double *seconds, char **device)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (RELIEF_BENCH_SRCDIR, "torch_mlp_baseline.py", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  /* $RELIEF_PYTHON picks the interpreter that has PyTorch, python3 on the PATH otherwise. */
  const char *python = g_getenv ("RELIEF_PYTHON") != NULL ? g_getenv ("RELIEF_PYTHON") : "python3";
  const char *probe[] = { python, "-c", "import torch", NULL };
  const char *argv[] = { python, script, mnist_dir, NULL };
  g_auto(GStrv) lines = NULL;
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) probe, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &wait_status, NULL) ||
      !g_spawn_check_wait_status (wait_status, NULL))
    return FALSE;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &wait_status, &error) ||
      !g_spawn_check_wait_status (wait_status, &error))
    {
      g_printerr ("PyTorch baseline failed: %s\n%s", error->message, err != NULL ? err : "");
      return FALSE;
    }
  fputs (out, stdout);
  lines = g_strsplit (out, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      char dev[64];

      if (sscanf (*line, "torch epoch %lf s on %63s", seconds, dev) == 2)
        {
          *device = g_strdup (dev);
          return TRUE;
        }
    }
  g_printerr ("PyTorch baseline printed no epoch time\n");
  return FALSE;
}

static char *
default_mnist_dir (void)
{
  const char *data_dir = g_getenv ("RELIEF_DATA_DIR");

  if (data_dir != NULL && *data_dir != '\0')
    return g_build_filename (data_dir, "mnist", NULL);
  return g_build_filename (g_get_user_data_dir (), "relief", "datasets", "mnist", NULL);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = argc > 1 ? g_strdup (argv[1]) : default_mnist_dir ();
  g_autofree char *train_images = g_build_filename (dir, "train-images-idx3-ubyte", NULL);
  g_autofree char *train_images_gz = g_strconcat (train_images, ".gz", NULL);
  g_autofree char *torch_device = NULL;
  g_autoptr(ReliefDataset) ds = NULL;
  g_autoptr(ReliefBackend) cpu = NULL;
  g_autoptr(ReliefBackend) cuda = NULL;
  double cpu_epoch, cuda_epoch = -1.0, torch_epoch;
  int status = 0;

  /* The kernels the relief binary runs on (it re-executes itself where OpenBLAS takes an
   * AVX-512 or AVX2 CPU for an older one), not the ones detected. */
  relief_blas_reexec (argv);
  if (!g_file_test (train_images, G_FILE_TEST_EXISTS) && !g_file_test (train_images_gz, G_FILE_TEST_EXISTS))
    {
      g_printerr ("No MNIST in %s.\nInstall it with:  RELIEF_DATASETS=mnist build-aux/relief-setup.sh deps\n"
                  "then run:  %s [MNIST-DIR]\n", dir, argv[0]);
      return 2;
    }
  ds = relief_dataset_load_idx_dir (dir, 0, 0, &error);
  if (ds == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  printf ("MNIST %d training images; 784-200-200-10 ReLU, batch 128, SGD momentum 0.9, lr 0.01, one epoch\n",
          ds->n_train);

  cpu = relief_backend_new ("cpu", &error);
  cpu_epoch = time_epoch (cpu, "cpu", ds);
  if (cpu_epoch < 0)
    status = 1;

  cuda = relief_backend_new ("cuda", &error);
  if (cuda == NULL)
    printf ("cuda  not measured: %s\n", error->message);
  else
    {
      double launches;

      /* The same epoch with every kernel launched by the host, then with each step
       * replayed as one recorded graph (the default). */
      g_setenv ("RELIEF_GRAPHS", "0", TRUE);
      launches = time_epoch (cuda, "cuda, launch by launch", ds);
      g_unsetenv ("RELIEF_GRAPHS");
      cuda_epoch = time_epoch (cuda, "cuda, graph replay", ds);
      if (launches < 0 || cuda_epoch < 0)
        status = 1;
      else
        printf ("graph replay / launch by launch: %.2fx faster; target epoch under 0.15 s on an H100: %s\n",
                launches / cuda_epoch, cuda_epoch < 0.15 ? "met" : "not met");
    }

  if (!run_torch (dir, &torch_epoch, &torch_device))
    printf ("PyTorch baseline not run (python3 cannot import torch, or it failed)\n");
  else
    {
      double ours = g_str_has_prefix (torch_device, "cuda") ? cuda_epoch : cpu_epoch;

      if (ours > 0)
        printf ("PyTorch / Relief on %s: %.2fx (above 1: Relief is faster)\n", torch_device, torch_epoch / ours);
    }
  return status;
}

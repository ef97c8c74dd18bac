/* bench-surface.c: the landscape engine's speed on MNIST against a baseline evaluating
 * the same grid with the same inputs.
 *
 *   bench-surface --baseline tests/bench/numpy_surface_baseline.py [--grid 21] [--samples 10000]
 *   bench-surface --backend cuda --baseline tests/bench/torch_surface_baseline.py [--grid 51] [--samples 60000]
 *
 * On the CPU the baseline is NumPy point by point on the same BLAS with the same
 * OPENBLAS_CORETYPE; on CUDA it is a batched PyTorch evaluation on the same card (fp32,
 * TF32 off), and the flop rate is also given against the card's fp32 peak (SMs x fp32
 * lanes x 2 x boost clock).  The model is a random-initialized 784-200-200-10 ReLU MLP
 * (seeded); the directions are filter-normalized.  Prints both times, their ratio, the
 * achieved flop rate and the largest difference between the two surfaces.  Not a test. */
#include "relief-blas-tune.h"
#include "relief-loaders.h"
#include "relief-directions.h"
#include "relief-rng.h"
#include "relief-surface-eval.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relief-config.h"
#if RELIEF_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

static const int sizes[] = { 784, 200, 200, 10 };

static gboolean
write_raw (const char *dir, const char *name, gconstpointer data, gsize bytes, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_set_contents (path, data, bytes, error);
}

static void
append_values (GString *s, const char *key, const double *v, int n)
{
  g_string_append_printf (s, "\"%s\": [", key);
  for (int i = 0; i < n; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", g_ascii_dtostr (buf, sizeof buf, v[i]));
    }
  g_string_append (s, "]");
}

/* The numbers after "key": in the baseline's one JSON line: a list or a single value. */
static gboolean
parse_numbers (const char *json, const char *key, double *out, int n)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", key);
  const char *p = strstr (json, needle);

  if (p == NULL)
    return FALSE;
  p += strlen (needle);
  for (int i = 0; i < n; i++)
    {
      char *end;

      while (*p == ' ' || *p == '[' || *p == ',')
        p++;
      out[i] = g_ascii_strtod (p, &end);
      if (end == p)
        return FALSE;
      p = end;
    }
  return TRUE;
}

/* The fp32 peak of CUDA device 0 in GFLOP/s and its name, or 0 without one.  FP32 lanes
 * per SM: 64 on compute capability 7.x and 8.0, 128 on 8.6 and later. */
static double
cuda_peak_gflops (char *name, gsize name_size)
{
#if RELIEF_HAVE_CUDA
  struct cudaDeviceProp prop;
  int clock_khz = 0, sms = 0, lanes;

  if (cudaGetDeviceProperties (&prop, 0) != cudaSuccess ||
      cudaDeviceGetAttribute (&clock_khz, cudaDevAttrClockRate, 0) != cudaSuccess ||
      cudaDeviceGetAttribute (&sms, cudaDevAttrMultiProcessorCount, 0) != cudaSuccess)
    return 0.0;
  g_strlcpy (name, prop.name, name_size);
  lanes = prop.major < 8 || (prop.major == 8 && prop.minor == 0) ? 64 : 128;
  return (double) sms * lanes * 2.0 * clock_khz / 1e6;
#else
  return 0.0;
#endif
}

int
main (int argc, char **argv)
{
  g_autofree char *baseline = NULL, *python = NULL, *backend_name = NULL;
  int grid = 0, samples = 0, repeat = 3;
  GOptionEntry entries[] = {
    { "baseline", 0, 0, G_OPTION_ARG_FILENAME, &baseline,
      "numpy_surface_baseline.py or torch_surface_baseline.py (none: Relief alone)", "SCRIPT" },
    { "python", 0, 0, G_OPTION_ARG_FILENAME, &python, "Python interpreter (default $RELIEF_PYTHON, else python3)", "PATH" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend_name, "cpu (default) or cuda", "NAME" },
    { "grid", 0, 0, G_OPTION_ARG_INT, &grid, "Points per axis (default 21 on the CPU, 51 on CUDA)", "N" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples, "Training images (default 10000 on the CPU, all on CUDA)", "N" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat,
      "Runs of each side; the fastest counts (default 3: a shared machine's load varies)", "N" },
    { NULL }
  };
  char device_name[256] = "";
  double peak = 0.0;
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- loss-surface benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefDataset) ds = NULL;
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autoptr(ReliefBackend) be = NULL;
  g_autofree float *center = NULL, *xdir = NULL, *ydir = NULL;
  g_autofree double *coords = NULL, *loss = NULL, *acc = NULL, *np_loss = NULL, *np_acc = NULL;
  g_autofree char *dir = NULL, *out = NULL, *err = NULL;
  ReliefGeneratorParams gen;
  ReliefSamples train;
  gsize n_params, cells;
  gint64 t0;
  double seconds, np_seconds = 0, flops_naive, max_rel = 0.0;
  int acc_mismatch = 0, wait_status = 0;

  /* The same kernel choice as the relief binary makes, so both sides run on the BLAS
   * users get. */
  relief_blas_reexec (argv);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || grid < 0 || samples < 0 || repeat < 1)
    {
      g_printerr ("bench-surface: %s\n",
                  error != NULL ? error->message : "--grid, --samples and --repeat must be positive");
      return 2;
    }
  be = relief_backend_new (backend_name != NULL ? backend_name : "cpu", &error);
  if (be == NULL)
    {
      g_printerr ("bench-surface: %s\n", error->message);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED) ? 77 : 2;
    }
  if (g_str_equal (be->name, "cuda"))
    {
      grid = grid > 0 ? grid : 51;
      samples = samples > 0 ? samples : G_MAXINT;
      peak = cuda_peak_gflops (device_name, sizeof device_name);
    }
  grid = grid > 0 ? grid : 21;
  samples = samples > 0 ? samples : 10000;

  relief_generator_defaults ("mnist", &gen);
  ds = relief_dataset_open ("mnist", &gen, &error);
  if (ds == NULL)
    {
      g_printerr ("bench-surface: %s (install it with RELIEF_DATASETS=mnist build-aux/relief-setup.sh deps)\n",
                  error->message);
      return 77;
    }
  samples = MIN (samples, ds->n_train);
  spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  n_params = relief_mlp_spec_n_params (spec);
  center = g_new (float, n_params);
  xdir = g_new (float, n_params);
  ydir = g_new (float, n_params);
  relief_mlp_init_params (spec, 1, center);
  relief_direction_random (spec, center, relief_rng_derive (7, "xdir"), RELIEF_NORM_FILTER, RELIEF_BIAS_ZERO, xdir);
  relief_direction_random (spec, center, relief_rng_derive (7, "ydir"), RELIEF_NORM_FILTER, RELIEF_BIAS_ZERO, ydir);
  coords = g_new (double, grid);
  for (int i = 0; i < grid; i++)
    coords[i] = grid > 1 ? -1.0 + 2.0 * i / (grid - 1) : 0.0;
  cells = (gsize) grid * grid;
  loss = g_new (double, cells);
  acc = g_new (double, cells);

  train = (ReliefSamples) { ds->x_train, ds->y_train, samples };
  /* The fastest of `repeat` whole surfaces (the first also pays for kernel loading and
   * workspace allocation, as the baselines' first runs do). */
  seconds = G_MAXDOUBLE;
  for (int r = 0; r < repeat; r++)
    {
      /* Cells already computed would be kept (that is how a job resumes): start empty. */
      for (gsize i = 0; i < cells; i++)
        loss[i] = acc[i] = NAN;
      t0 = g_get_monotonic_time ();
      if (!relief_surface_compute_progressive (be, spec, center, xdir, ydir, coords, grid, coords, grid, &train,
                                               NULL, loss, acc, NULL, NULL, NULL, NULL, NULL, &error))
        {
          g_printerr ("bench-surface: %s\n", error->message);
          return 1;
        }
      seconds = MIN (seconds, (g_get_monotonic_time () - t0) / 1e6);
    }
  flops_naive = 2.0 * samples * (784.0 * 200 + 200.0 * 200 + 200.0 * 10) * cells;

  if (peak > 0.0)
    g_print ("MNIST 784-200-200-10 ReLU, %dx%d grid, %d training images, CUDA on %s (fp32 peak %.1f TFLOP/s)\n",
             grid, grid, samples, device_name, peak / 1e3);
  else
    g_print ("MNIST 784-200-200-10 ReLU, %dx%d grid, %d training images, %s, OPENBLAS_CORETYPE=%s\n",
             grid, grid, samples, be->name,
             g_getenv ("OPENBLAS_CORETYPE") != NULL ? g_getenv ("OPENBLAS_CORETYPE") : "(detected)");
  g_print ("relief: %.3f s, fastest of %d (%.1f naive-equivalent GFLOP/s", seconds, repeat,
           flops_naive / seconds / 1e9);
  if (peak > 0.0)
    {
      /* What the factorized evaluation multiplies: three first-layer products for the whole
       * grid, the deeper layers per point. */
      double flops_done = 2.0 * samples * (3.0 * 784 * 200 + (double) cells * (200.0 * 200 + 200.0 * 10));

      g_print ("; %.1f TFLOP/s done = %.1f%% of the fp32 peak", flops_done / seconds / 1e12,
               100.0 * flops_done / seconds / 1e9 / peak);
    }
  g_print (")\n");
  if (baseline == NULL)
    return 0;

  /* The same center, directions and (standardized) images for the baseline. */
  dir = g_dir_make_tmp ("relief-bench-XXXXXX", &error);
  {
    g_autoptr(GString) meta = g_string_new ("{\"sizes\": [784, 200, 200, 10], ");

    g_string_append_printf (meta, "\"samples\": %d, \"repeat\": %d, ", samples, repeat);
    append_values (meta, "xs", coords, grid);
    g_string_append (meta, ", ");
    append_values (meta, "ys", coords, grid);
    g_string_append (meta, "}");
    if (dir == NULL ||
        !write_raw (dir, "meta.json", meta->str, meta->len, &error) ||
        !write_raw (dir, "center.f32", center, n_params * sizeof (float), &error) ||
        !write_raw (dir, "xdir.f32", xdir, n_params * sizeof (float), &error) ||
        !write_raw (dir, "ydir.f32", ydir, n_params * sizeof (float), &error) ||
        !write_raw (dir, "x.f32", ds->x_train, (gsize) samples * 784 * sizeof (float), &error) ||
        !write_raw (dir, "y.i32", ds->y_train, (gsize) samples * sizeof (int32_t), &error))
      {
        g_printerr ("bench-surface: %s\n", error->message);
        return 1;
      }
  }
  {
    const char *interpreter = python != NULL ? python
                              : g_getenv ("RELIEF_PYTHON") != NULL ? g_getenv ("RELIEF_PYTHON") : "python3";
    const char *child[] = { interpreter, baseline, dir, NULL };

    if (!g_spawn_sync (NULL, (char **) child, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &wait_status,
                       &error) ||
        !g_spawn_check_wait_status (wait_status, &error))
      {
        g_printerr ("bench-surface: the NumPy baseline failed: %s\n%s", error->message, err != NULL ? err : "");
        return 1;
      }
  }
  {
    const char *names[] = { "meta.json", "center.f32", "xdir.f32", "ydir.f32", "x.f32", "y.i32" };

    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *path = g_build_filename (dir, names[i], NULL);

        g_unlink (path);
      }
    g_rmdir (dir);
  }
  np_loss = g_new (double, cells);
  np_acc = g_new (double, cells);
  if (!parse_numbers (out, "seconds", &np_seconds, 1) || !parse_numbers (out, "loss", np_loss, (int) cells) ||
      !parse_numbers (out, "acc", np_acc, (int) cells))
    {
      g_printerr ("bench-surface: cannot read the baseline's output: %.200s\n", out);
      return 1;
    }
  for (gsize i = 0; i < cells; i++)
    {
      max_rel = MAX (max_rel, fabs (loss[i] - np_loss[i]) / fabs (np_loss[i]));
      acc_mismatch += fabs (acc[i] - np_acc[i]) > 1e-9;
    }
  g_print ("%s: %.3f s (%.1f GFLOP/s)\n", peak > 0.0 ? "torch" : "numpy", np_seconds, flops_naive / np_seconds / 1e9);
  if (peak > 0.0)
    g_print ("ratio:  %.2fx (target: Relief under 0.5 s for 51x51 over 60,000 images)\n", np_seconds / seconds);
  else
    g_print ("ratio:  %.2fx (target at least 4x)\n", np_seconds / seconds);
  g_print ("agreement: max relative loss difference %.2e, %d of %" G_GSIZE_FORMAT " cells differ in accuracy\n",
           max_rel, acc_mismatch, cells);
  return 0;
}

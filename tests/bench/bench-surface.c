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
 * achieved flop rate and the largest difference between the two surfaces.  On the CPU it
 * also prints the flop limit (the factorized flop count over the sgemm rate this machine
 * reaches at the evaluator's own shapes and threads) and compares whole processes, what a
 * user waits for: `relief surface` on a run file of the same model and images (start-up
 * and data loading included) against the NumPy script as a process, alternated, the
 * fastest of --repeat each.  The CPU images are the first --samples training images of
 * MNIST alone (no test split), standardized over themselves, as a run reloads them.
 * Not a test. */
#include "relief-blas-tune.h"
#include "relief-loaders.h"
#include "relief-directions.h"
#include "relief-rng.h"
#include "relief-run-file.h"
#include "relief-surface-eval.h"
#include "relief-surface-file.h"

#include <cblas.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

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

/* The string after "key": in the baseline's JSON line, or "unknown". */
static char *
parse_string (const char *json, const char *key)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\": \"", key);
  const char *p = strstr (json, needle), *end;

  if (p == NULL || (end = strchr (p + strlen (needle), '"')) == NULL)
    return g_strdup ("unknown");
  p += strlen (needle);
  return g_strndup (p, end - p);
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

/* sgemm's rate in GFLOP/s at rows x out x in (C = A B^T, as the evaluator's deeper layers
 * multiply) on `threads` threads at once, each for about a second, OpenBLAS on one
 * thread each as the evaluator runs it: per second of wall time, and per second of CPU
 * time of one thread (what a core gives while other programs share the machine). */
typedef struct {
  int    m, n, k;
  double seconds, cpu_seconds;
  gint64 products;
} RateTask;

static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* User and system time of this process, all its threads. */
static double
process_cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static gpointer
sgemm_loop (gpointer data)
{
  RateTask *task = data;
  g_autofree float *a = g_new (float, (gsize) task->m * task->k);
  g_autofree float *b = g_new (float, (gsize) task->n * task->k);
  g_autofree float *c = g_new (float, (gsize) task->m * task->n);
  gint64 t0;
  double cpu0;

  for (gsize i = 0; i < (gsize) task->m * task->k; i++)
    a[i] = (float) (i % 7) * 0.25f;
  for (gsize i = 0; i < (gsize) task->n * task->k; i++)
    b[i] = (float) (i % 5) * 0.5f;
  t0 = g_get_monotonic_time ();
  cpu0 = thread_cpu_seconds ();
  do
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, task->m, task->n, task->k, 1.0f, a, task->k, b, task->k,
                   0.0f, c, task->n);
      task->products++;
    }
  while (g_get_monotonic_time () - t0 < G_USEC_PER_SEC);
  task->seconds = (g_get_monotonic_time () - t0) / 1e6;
  task->cpu_seconds = thread_cpu_seconds () - cpu0;
  return NULL;
}

static double
sgemm_gflops (int threads, int m, int n, int k, double *per_cpu_second)
{
  g_autofree RateTask *tasks = g_new0 (RateTask, threads);
  g_autofree GThread **workers = g_new0 (GThread *, threads);
  double flops = 0.0, seconds = 0.0, cpu_seconds = 0.0;

  if (threads > 1)
    relief_blas_single_thread_begin ();
  for (int t = 0; t < threads; t++)
    {
      tasks[t] = (RateTask) { m, n, k, 0.0, 0 };
      workers[t] = g_thread_new ("sgemm-rate", sgemm_loop, &tasks[t]);
    }
  for (int t = 0; t < threads; t++)
    {
      g_thread_join (workers[t]);
      flops += 2.0 * m * n * k * tasks[t].products;
      seconds = MAX (seconds, tasks[t].seconds);
      cpu_seconds += tasks[t].cpu_seconds;
    }
  if (threads > 1)
    relief_blas_single_thread_end ();
  *per_cpu_second = flops / cpu_seconds / 1e9;
  return flops / seconds / 1e9;
}

/* A directory holding MNIST's training files alone (symbolic links), so that the data set
 * opened from it has no test split. */
static gboolean
train_only_dir (const ReliefDataset *all, const char *dir, GError **error)
{
  for (int i = 0; all->source_paths[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (all->source_paths[i]);
      g_autofree char *link = g_build_filename (dir, base, NULL);

      if (!g_str_has_prefix (base, "train-"))
        continue;
      if (symlink (all->source_paths[i], link) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "Cannot link %s: %s", link, g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

static double
children_cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_CHILDREN, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The seconds a child process takes, start-up included, and its CPU time in *cpu; its
 * output in *out. */
static double
time_process (const char *const *argv, char **out, double *cpu, GError **error)
{
  gint64 t0 = g_get_monotonic_time ();
  double cpu0 = children_cpu_seconds ();
  g_autofree char *err = NULL;
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err, &wait_status, error))
    return -1.0;
  if (!g_spawn_check_wait_status (wait_status, error))
    {
      g_prefix_error (error, "%s: %s", argv[0], err != NULL ? err : "");
      return -1.0;
    }
  *cpu = children_cpu_seconds () - cpu0;
  return (g_get_monotonic_time () - t0) / 1e6;
}

/* Removes dir and what lies in it, one level of folders deep. */
static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

/* The whole-process comparison on the CPU: a run file of the model at the centre and of
 * the images in dir, then `relief surface` on it (the same directions: seed 7) and the
 * baseline script as processes, alternated. */
static gboolean
compare_processes (const char *relief, const char *interpreter, const char *baseline, const char *dir,
                   const ReliefMlpSpec *spec, const ReliefDataset *ds, const float *center, int grid, int repeat,
                   GError **error)
{
  g_autofree char *run_path = g_build_filename (dir, "run.h5", NULL);
  g_autofree char *surface_path = g_build_filename (dir, "surface.h5", NULL);
  g_autofree char *axis = g_strdup_printf ("-1:1:%d", grid);
  g_autofree char *x_arg = g_strdup_printf ("--x=%s", axis), *y_arg = g_strdup_printf ("--y=%s", axis);
  const char *relief_argv[] = { relief, "surface", run_path, x_arg, y_arg, "--seed=7", "--backend=cpu",
                                "-o", surface_path, NULL };
  const char *numpy_argv[] = { interpreter, baseline, dir, "once", NULL };
  double relief_s = G_MAXDOUBLE, numpy_s = G_MAXDOUBLE, relief_cpu = 0.0, numpy_cpu = 0.0;
  ReliefTrainConfig config;
  ReliefRunWriter *w;

  relief_train_config_init_defaults (&config);
  w = relief_run_writer_new (run_path, spec, &config, "cpu", ds, error);
  if (w == NULL || !relief_run_writer_add_snapshot (w, 0, 0.0, center, error) ||
      !relief_run_writer_finish (w, "completed", error))
    return FALSE;
  for (int r = 0; r < repeat; r++)
    {
      g_autofree char *out = NULL, *np_out = NULL;
      double t, cpu;

      g_unlink (surface_path);
      if ((t = time_process (relief_argv, &out, &cpu, error)) < 0)
        return FALSE;
      if (t < relief_s)
        {
          relief_s = t;
          relief_cpu = cpu;
        }
      if ((t = time_process (numpy_argv, &np_out, &cpu, error)) < 0)
        return FALSE;
      if (t < numpy_s)
        {
          numpy_s = t;
          numpy_cpu = cpu;
        }
    }
  g_print ("whole processes (alternated, fastest of %d each): relief surface %.2f s, numpy %.2f s: %.2fx "
           "(target at least 6x)\n", repeat, relief_s, numpy_s, numpy_s / relief_s);
  g_print ("  their CPU time (user + system): relief %.2f s, numpy %.2f s: %.2fx\n", relief_cpu, numpy_cpu,
           numpy_cpu / relief_cpu);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *baseline = NULL, *python = NULL, *backend_name = NULL, *relief = NULL;
  int grid = 0, samples = 0, repeat = 3;
  GOptionEntry entries[] = {
    { "baseline", 0, 0, G_OPTION_ARG_FILENAME, &baseline,
      "numpy_surface_baseline.py or torch_surface_baseline.py (none: Relief alone)", "SCRIPT" },
    { "python", 0, 0, G_OPTION_ARG_FILENAME, &python, "Python interpreter (default $RELIEF_PYTHON, else python3)", "PATH" },
    { "relief", 0, 0, G_OPTION_ARG_FILENAME, &relief,
      "The relief program for the whole-process comparison (default: this build's)", "PATH" },
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
  const char *interpreter;
  ReliefGeneratorParams gen;
  ReliefSamples train;
  gsize n_params, cells;
  gint64 t0;
  double seconds, cpu_seconds = 0.0, np_seconds = 0, flops_naive, flops_factorized, max_rel = 0.0;
  int acc_mismatch = 0, wait_status = 0, cpu_threads = 0, cpu_block = 0;

  /* The same kernel choice as the relief binary makes, so both sides run on the BLAS
   * users get (the children inherit OPENBLAS_CORETYPE). */
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
  interpreter = python != NULL ? python : g_getenv ("RELIEF_PYTHON") != NULL ? g_getenv ("RELIEF_PYTHON") : "python3";

  relief_generator_defaults ("mnist", &gen);
  ds = relief_dataset_open ("mnist", &gen, &error);
  if (ds == NULL)
    {
      g_printerr ("bench-surface: %s (install it with RELIEF_DATASETS=mnist build-aux/relief-setup.sh deps)\n",
                  error->message);
      return 77;
    }
  dir = g_dir_make_tmp ("relief-bench-XXXXXX", &error);
  if (dir == NULL)
    {
      g_printerr ("bench-surface: %s\n", error->message);
      return 1;
    }
  if (peak == 0.0)
    {
      g_autofree char *images = g_build_filename (dir, "mnist-train", NULL);
      ReliefDataset *first;

      if (g_mkdir (images, 0700) != 0 || !train_only_dir (ds, images, &error) ||
          (first = relief_dataset_open_first (images, NULL, samples, &error)) == NULL)
        {
          g_printerr ("bench-surface: %s\n", error != NULL ? error->message : g_strerror (errno));
          remove_tree (dir);
          return 1;
        }
      relief_dataset_free (ds);
      ds = first;
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
  {
    g_autoptr(ReliefSurfaceEval) ev = relief_surface_eval_new (be, spec, center, xdir, ydir, (int) cells, 0, &error);

    if (ev == NULL)
      {
        g_printerr ("bench-surface: %s\n", error->message);
        remove_tree (dir);
        return 1;
      }
    cpu_threads = relief_surface_eval_cpu_threads (ev);
    cpu_block = relief_surface_eval_cpu_block (ev);
  }

  train = (ReliefSamples) { ds->x_train, ds->y_train, samples };
  /* The fastest of `repeat` whole surfaces (the first also pays for kernel loading and
   * workspace allocation, as the baselines' first runs do). */
  seconds = G_MAXDOUBLE;
  for (int r = 0; r < repeat; r++)
    {
      /* Cells already computed would be kept (that is how a job resumes): start empty. */
      for (gsize i = 0; i < cells; i++)
        loss[i] = acc[i] = NAN;
      double cpu0 = process_cpu_seconds ();

      t0 = g_get_monotonic_time ();
      if (!relief_surface_compute_progressive (be, spec, center, xdir, ydir, coords, grid, coords, grid, &train,
                                               NULL, loss, acc, NULL, NULL, NULL, NULL, NULL, &error))
        {
          g_printerr ("bench-surface: %s\n", error->message);
          remove_tree (dir);
          return 1;
        }
      if ((g_get_monotonic_time () - t0) / 1e6 < seconds)
        {
          seconds = (g_get_monotonic_time () - t0) / 1e6;
          cpu_seconds = process_cpu_seconds () - cpu0;
        }
    }
  flops_naive = 2.0 * samples * (784.0 * 200 + 200.0 * 200 + 200.0 * 10) * cells;
  /* What the factorized evaluation multiplies: three first-layer products for the whole
   * grid, the deeper layers (with their bias columns) per point. */
  flops_factorized = 2.0 * samples * (3.0 * 785 * 200 + (double) cells * (201.0 * 200 + 201.0 * 10));

  if (peak > 0.0)
    g_print ("MNIST 784-200-200-10 ReLU, %dx%d grid, %d training images, CUDA on %s (fp32 peak %.1f TFLOP/s)\n",
             grid, grid, samples, device_name, peak / 1e3);
  else
    g_print ("MNIST 784-200-200-10 ReLU, %dx%d grid, %d training images, %s, OpenBLAS core %s%s\n",
             grid, grid, samples, be->name, relief_blas_corename () != NULL ? relief_blas_corename () : "(unknown)",
             g_getenv ("OPENBLAS_CORETYPE") != NULL ? " (OPENBLAS_CORETYPE)" : " (detected)");
  g_print ("relief: %.3f s, fastest of %d (%.1f naive-equivalent GFLOP/s", seconds, repeat,
           flops_naive / seconds / 1e9);
  if (peak > 0.0)
    g_print ("; %.1f TFLOP/s done = %.1f%% of the fp32 peak", flops_factorized / seconds / 1e12,
             100.0 * flops_factorized / seconds / 1e9 / peak);
  g_print (")\n");
  if (cpu_threads > 0)
    {
      double per_cpu_second, rate = sgemm_gflops (cpu_threads, cpu_block, 200, 201, &per_cpu_second);
      double limit = flops_factorized / (rate * 1e9), cpu_limit = flops_factorized / (per_cpu_second * 1e9);

      /* Under load the wall-time figures move with the neighbours; CPU time much less. */
      g_print ("flop limit: %.2f s (%.3g factorized flop at %.1f GFLOP/s, sgemm %dx200x201 on %d thread%s); "
               "relief at %.0f%% of it\n", limit, flops_factorized, rate, cpu_block, cpu_threads,
               cpu_threads > 1 ? "s" : "", 100.0 * limit / seconds);
      g_print ("in CPU time: limit %.2f s (%.1f GFLOP/s per thread), relief %.2f s: at %.0f%% of it\n", cpu_limit,
               per_cpu_second, cpu_seconds, 100.0 * cpu_limit / cpu_seconds);
    }
  if (baseline == NULL)
    {
      remove_tree (dir);
      return 0;
    }

  /* The same center, directions and (standardized) images for the baseline. */
  {
    g_autoptr(GString) meta = g_string_new ("{\"sizes\": [784, 200, 200, 10], ");

    g_string_append_printf (meta, "\"samples\": %d, \"repeat\": %d, ", samples, repeat);
    append_values (meta, "xs", coords, grid);
    g_string_append (meta, ", ");
    append_values (meta, "ys", coords, grid);
    g_string_append (meta, "}");
    if (!write_raw (dir, "meta.json", meta->str, meta->len, &error) ||
        !write_raw (dir, "center.f32", center, n_params * sizeof (float), &error) ||
        !write_raw (dir, "xdir.f32", xdir, n_params * sizeof (float), &error) ||
        !write_raw (dir, "ydir.f32", ydir, n_params * sizeof (float), &error) ||
        !write_raw (dir, "x.f32", ds->x_train, (gsize) samples * 784 * sizeof (float), &error) ||
        !write_raw (dir, "y.i32", ds->y_train, (gsize) samples * sizeof (int32_t), &error))
      {
        g_printerr ("bench-surface: %s\n", error->message);
        remove_tree (dir);
        return 1;
      }
  }
  {
    const char *child[] = { interpreter, baseline, dir, NULL };

    if (!g_spawn_sync (NULL, (char **) child, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &wait_status,
                       &error) ||
        !g_spawn_check_wait_status (wait_status, &error))
      {
        g_printerr ("bench-surface: the NumPy baseline failed: %s\n%s", error->message, err != NULL ? err : "");
        remove_tree (dir);
        return 1;
      }
  }
  np_loss = g_new (double, cells);
  np_acc = g_new (double, cells);
  if (!parse_numbers (out, "seconds", &np_seconds, 1) || !parse_numbers (out, "loss", np_loss, (int) cells) ||
      !parse_numbers (out, "acc", np_acc, (int) cells))
    {
      g_printerr ("bench-surface: cannot read the baseline's output: %.200s\n", out);
      remove_tree (dir);
      return 1;
    }
  for (gsize i = 0; i < cells; i++)
    {
      max_rel = MAX (max_rel, fabs (loss[i] - np_loss[i]) / fabs (np_loss[i]));
      acc_mismatch += fabs (acc[i] - np_acc[i]) > 1e-9;
    }
  if (peak > 0.0)
    g_print ("torch: %.3f s (%.1f GFLOP/s)\n", np_seconds, flops_naive / np_seconds / 1e9);
  else
    {
      g_autofree char *core = parse_string (out, "blas_core");

      g_print ("numpy: %.3f s (%.1f GFLOP/s), OpenBLAS core %s\n", np_seconds, flops_naive / np_seconds / 1e9, core);
    }
  if (peak > 0.0)
    g_print ("ratio:  %.2fx (target: Relief under 0.5 s for 51x51 over 60,000 images)\n", np_seconds / seconds);
  else
    g_print ("ratio:  %.2fx in the process\n", np_seconds / seconds);
  g_print ("agreement: max relative loss difference %.2e, %d of %" G_GSIZE_FORMAT " cells differ in accuracy\n",
           max_rel, acc_mismatch, cells);
  if (peak == 0.0 &&
      !compare_processes (relief != NULL ? relief : RELIEF_BENCH_RELIEF, interpreter, baseline, dir, spec, ds, center,
                          grid, repeat, &error))
    {
      g_printerr ("bench-surface: %s\n", error->message);
      remove_tree (dir);
      return 1;
    }
  remove_tree (dir);
  return 0;
}

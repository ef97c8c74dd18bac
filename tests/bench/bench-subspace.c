/* bench-subspace.c: the cost of a subspace training step (theta = theta0 + P z) against a
 * direct step, for MNIST 784-200-200-10 ReLU at batch size 128, on every available backend.
 *
 *   bench-subspace [--mnist DIR] [--projections dense,sparse,fastfood,implicit]
 *                  [--dims 100,750,3000,20000] [--seconds S] [--backend cpu|cuda|all]
 *
 * Each configuration trains with Adam (lr 1e-3) on the first 4096 training images until
 * about S seconds (default 2) or 400 steps have passed, and reports the time per step
 * after the first (the first carries the data upload and warm-up; with fewer than three
 * steps, from the call on) and its ratio to the direct step measured the same way in the
 * same process, again before each projection.
 * Building P is timed separately.  A stored P larger than half the memory of the machine
 * (host RAM for the CPU, free device memory for CUDA) is skipped with its size printed.
 * Exit status 2: no MNIST. */
#include "relief-blas-tune.h"
#include "relief-loaders.h"
#include "relief-subspace.h"
#include "relief-train.h"
#include "relief-enums.h"

#include <gio/gio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const int sizes[] = { 784, 200, 200, 10 };

typedef struct {
  gint64        start_us;
  gint64        first_step_us;
  gint64        last_step_us;
  gint64        steps;
  gint64        budget_us;
  gint64        max_steps;
  GCancellable *cancel;
} StepClock;

static void
on_progress (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data)
{
  StepClock *clock = user_data;

  clock->last_step_us = g_get_monotonic_time ();
  if (step == 1)
    clock->first_step_us = clock->last_step_us;
  clock->steps = step;
  if (step >= clock->max_steps || clock->last_step_us - clock->start_us >= clock->budget_us)
    g_cancellable_cancel (clock->cancel);
}

static void
clock_start (StepClock *clock, double seconds)
{
  g_clear_object (&clock->cancel);
  clock->cancel = g_cancellable_new ();
  clock->budget_us = (gint64) (seconds * 1e6);
  clock->max_steps = 400;
  clock->steps = 0;
  clock->start_us = g_get_monotonic_time ();
}

static double
clock_step_seconds (const StepClock *clock)
{
  if (clock->steps >= 3)
    return (clock->last_step_us - clock->first_step_us) / 1e6 / (clock->steps - 1);
  return clock->steps > 0 ? (clock->last_step_us - clock->start_us) / 1e6 / clock->steps : NAN;
}

static void
bench_config (ReliefTrainConfig *config)
{
  relief_train_config_init_defaults (config);
  config->optimizer.kind = RELIEF_OPT_ADAM;
  config->optimizer.lr = 1e-3f;
  config->batch_size = 128;
  config->epochs = 1000;
  config->eval_every = G_MAXINT;
  config->snapshot_every = G_MAXINT;
}

/* Seconds per direct step, or NAN after printing why it failed. */
static double
direct_step (ReliefBackend *be, const ReliefMlpSpec *spec, const ReliefDataset *ds, double seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *params = g_new (float, relief_mlp_spec_n_params (spec));
  StepClock clock = { 0 };
  ReliefTrainCallbacks callbacks = { .progress = on_progress, .user_data = &clock };
  ReliefTrainConfig config;
  ReliefTrainStatus status;

  bench_config (&config);
  relief_mlp_init_params (spec, config.seed, params);
  clock_start (&clock, seconds);
  status = relief_train (be, spec, ds, &config, params, &callbacks, clock.cancel, &error);
  g_clear_object (&clock.cancel);
  if (status == RELIEF_TRAIN_FAILED || clock.steps < 1)
    {
      printf ("%-5s direct: failed: %s\n", be->name, error != NULL ? error->message : "no step taken");
      return NAN;
    }
  printf ("%-5s direct step %9.3f ms  (%lld steps)\n", be->name, clock_step_seconds (&clock) * 1e3,
          (long long) clock.steps);
  return clock_step_seconds (&clock);
}

/* Bytes a stored P takes, 0 for the kinds that store none of size D x d. */
static double
stored_bytes (ReliefProjectionKind kind, gsize D, gsize d)
{
  if (kind == RELIEF_PROJECTION_DENSE)
    return 4.0 * D * d;
  if (kind == RELIEF_PROJECTION_SPARSE)   /* a value and two indices per nonzero */
    return 2.0 * 8.0 * D * d / sqrt ((double) D) + 8.0 * (D + d);
  return 0.0;
}

static void
subspace_step (ReliefBackend *be, const ReliefMlpSpec *spec, const ReliefDataset *ds, const float *theta0,
               ReliefProjectionKind kind, gsize d, double direct, double seconds, double memory_limit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefProjection) proj = NULL;
  gsize D = relief_mlp_spec_n_params (spec);
  const char *name = relief_enum_to_nick (RELIEF_TYPE_PROJECTION_KIND, kind);
  StepClock clock = { 0 };
  ReliefTrainCallbacks callbacks = { .progress = on_progress, .user_data = &clock };
  ReliefTrainConfig config;
  ReliefSubspaceResult result;
  ReliefTrainStatus status;
  gint64 t0;
  double build, step;

  if (stored_bytes (kind, D, d) > memory_limit)
    {
      printf ("%-5s %-8s d=%-6zu skipped: P would take %.1f GB, over the %.1f GB allowed\n", be->name, name, d,
              stored_bytes (kind, D, d) / 1e9, memory_limit / 1e9);
      return;
    }
  bench_config (&config);
  t0 = g_get_monotonic_time ();
  proj = relief_projection_new (be, kind, D, d, 1234, &error);
  build = (g_get_monotonic_time () - t0) / 1e6;
  if (proj == NULL)
    {
      printf ("%-5s %-8s d=%-6zu failed to build P: %s\n", be->name, name, d, error->message);
      return;
    }
  clock_start (&clock, seconds);
  status = relief_subspace_train (be, spec, ds, &config, proj, theta0, NULL, &callbacks, &result, clock.cancel,
                                  &error);
  g_clear_object (&clock.cancel);
  if (status == RELIEF_TRAIN_FAILED || clock.steps < 1)
    {
      printf ("%-5s %-8s d=%-6zu failed: %s\n", be->name, name, d, error != NULL ? error->message : "no step taken");
      return;
    }
  step = clock_step_seconds (&clock);
  printf ("%-5s %-8s d=%-6zu step %9.3f ms  %7.2fx direct  (%lld steps; building P %.3f s", be->name, name, d,
          step * 1e3, step / direct, (long long) clock.steps, build);
  /* A stored dense P is read twice per step (P z, then P^T g): the bandwidth that takes. */
  if (kind == RELIEF_PROJECTION_DENSE)
    printf ("; reading P twice per step is %.1f GB/s", 2.0 * stored_bytes (kind, D, d) / step / 1e9);
  printf (")\n");
}

/* The textbook transform, a level at a time: the baseline of the backend's. */
static void
naive_fwht (float *x, gsize n)
{
  for (gsize h = 1; h < n; h *= 2)
    for (gsize i = 0; i < n; i += 2 * h)
      for (gsize j = i; j < i + h; j++)
        {
          float a = x[j], b = x[j + h];

          x[j] = a + b;
          x[j + h] = a - b;
        }
}

/* The Walsh-Hadamard transform fastfood runs four times a step, at the size MNIST's D pads
 * to, against the naive one on the host. */
static void
bench_fwht (ReliefBackend *be, gsize n)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *host = g_new (float, n);
  float *dev = be->alloc (be, sizeof (float) * n, &error);
  const int reps = 50;
  gint64 t0;
  double ours, naive;

  for (gsize i = 0; i < n; i++)
    host[i] = (float) (i % 13) * 0.01f;
  if (dev == NULL || !be->upload (be, dev, host, sizeof (float) * n, &error) ||
      !be->fwht (be, dev, n, 1, &error) || !be->sync (be, &error))
    {
      printf ("%-5s fwht: %s\n", be->name, error->message);
      if (dev != NULL)
        be->free (be, dev);
      return;
    }
  t0 = g_get_monotonic_time ();
  for (int r = 0; r < reps; r++)
    be->fwht (be, dev, n, 1, NULL);
  be->sync (be, NULL);
  ours = (g_get_monotonic_time () - t0) / 1e6 / reps;
  t0 = g_get_monotonic_time ();
  for (int r = 0; r < reps; r++)
    naive_fwht (host, n);
  naive = (g_get_monotonic_time () - t0) / 1e6 / reps;
  printf ("%-5s fwht n=%zu: %.1f us (naive level-by-level on the host: %.1f us, %.2fx)\n", be->name, n, ours * 1e6,
          naive * 1e6, naive / ours);
  be->free (be, dev);
}

static double
host_memory_limit (void)
{
  return 0.5 * (double) sysconf (_SC_PHYS_PAGES) * (double) sysconf (_SC_PAGESIZE);
}

static void
bench_backend (ReliefBackend *be, const ReliefMlpSpec *spec, const ReliefDataset *ds, char **projections,
               const gint64 *dims, int K, double seconds)
{
  g_autoptr(GError) error = NULL;
  gsize D = relief_mlp_spec_n_params (spec);
  g_autofree float *theta0 = g_new (float, D);
  double direct, limit = host_memory_limit ();
  gsize free_bytes = 0, total_bytes = 0;

  if (be->memory_info != NULL && be->memory_info (be, &free_bytes, &total_bytes, NULL) && free_bytes > 0)
    limit = 0.5 * (double) free_bytes;
  relief_mlp_init_params (spec, 42, theta0);
  bench_fwht (be, (gsize) 1 << 18);
  for (char **p = projections; *p != NULL; p++)
    {
      ReliefProjectionKind kind;

      if (!relief_enum_from_nick (RELIEF_TYPE_PROJECTION_KIND, *p, (int *) &kind, &error))
        {
          printf ("%s\n", error->message);
          g_clear_error (&error);
          continue;
        }
      /* The baseline again before each projection, so a change in the machine's load
       * during a long run moves both sides of the ratios. */
      direct = direct_step (be, spec, ds, seconds);
      if (isnan (direct))
        return;
      for (int k = 0; k < K; k++)
        subspace_step (be, spec, ds, theta0, kind, (gsize) dims[k], direct, seconds, limit);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mnist = NULL;
  g_autofree char *projections_text = g_strdup ("dense,sparse,fastfood,implicit");
  g_autofree char *dims_text = g_strdup ("100,750,3000,20000");
  g_autofree char *backend_text = g_strdup ("all");
  g_auto(GStrv) projections = NULL;
  g_autoptr(ReliefDataset) ds = NULL;
  g_autoptr(ReliefMlpSpec) spec = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("- subspace step against direct step");
  double seconds = 2.0;
  GOptionEntry entries[] = {
    { "mnist", 0, 0, G_OPTION_ARG_FILENAME, &mnist, "MNIST directory (default: the installed one)", "DIR" },
    { "projections", 0, 0, G_OPTION_ARG_STRING, &projections_text, "Projections to time", "LIST" },
    { "dims", 0, 0, G_OPTION_ARG_STRING, &dims_text, "Subspace dimensions", "LIST" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Time budget per configuration", "S" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend_text, "cpu, cuda or all", "NAME" },
    { NULL },
  };
  const char *backends[] = { "cpu", "cuda" };
  gint64 dims[64];
  g_auto(GStrv) dim_items = NULL;
  int K = 0;

  /* The kernels the relief binary runs on (it re-executes itself where OpenBLAS takes an
   * AVX-512 or AVX2 CPU for an older one), not the ones detected. */
  relief_blas_reexec (argv);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  dim_items = g_strsplit (dims_text, ",", -1);
  for (char **it = dim_items; *it != NULL && K < (int) G_N_ELEMENTS (dims); it++)
    if ((dims[K] = g_ascii_strtoll (*it, NULL, 10)) > 0)
      K++;
  projections = g_strsplit (projections_text, ",", -1);
  if (mnist == NULL)
    mnist = relief_dataset_find_installed ("mnist");
  if (mnist == NULL)
    {
      g_printerr ("No MNIST installed.\nInstall it with:  RELIEF_DATASETS=mnist build-aux/relief-setup.sh deps\n"
                  "or run:  %s --mnist DIR\n", argv[0]);
      return 2;
    }
  ds = relief_dataset_load_idx_dir (mnist, 4096, 1, &error);
  if (ds == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  ds->n_test = 0;   /* the final evaluation after cancel covers the training slice only */
  spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  printf ("MNIST, first %d training images; 784-200-200-10 ReLU (D = %zu), batch 128, Adam lr 1e-3; "
          "about %.1f s per configuration\n", ds->n_train, relief_mlp_spec_n_params (spec), seconds);

  for (guint b = 0; b < G_N_ELEMENTS (backends); b++)
    {
      g_autoptr(ReliefBackend) be = NULL;

      if (!g_str_equal (backend_text, "all") && !g_str_equal (backend_text, backends[b]))
        continue;
      be = relief_backend_new (backends[b], &error);
      if (be == NULL)
        {
          printf ("%-5s not measured: %s\n", backends[b], error->message);
          g_clear_error (&error);
          continue;
        }
      bench_backend (be, spec, ds, projections, dims, K, seconds);
    }
  return 0;
}

#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "relief-enums.h"
#include "relief-job-common.h"

ReliefBackend *
relief_job_open_backend (ReliefBackendKind        kind,
                         ReliefBackendChosenFunc  chosen,
                         gpointer                 user_data,
                         GError                 **error)
{
  g_autoptr(GError) local_error = NULL;
  ReliefBackend *backend = relief_backend_new (relief_enum_to_nick (RELIEF_TYPE_BACKEND_KIND, kind), &local_error);

  if (backend == NULL)
    {
      /* NOT_SUPPORTED: this build or machine has no such backend, which is the request's
       * fault (a bad flag or setting), not a failure of the work. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        local_error->code = G_IO_ERROR_INVALID_ARGUMENT;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (chosen && kind == RELIEF_BACKEND_AUTO)
    chosen (backend->name, user_data);
  return backend;
}

ReliefDataset *
relief_job_open_dataset (const char                  *dataset,
                         const ReliefGeneratorParams *gen,
                         int                          max_samples,
                         GError                     **error)
{
  g_autoptr(ReliefDataset) ds = relief_dataset_open_first (dataset, gen, max_samples, error);

  if (ds == NULL || !relief_dataset_validate (ds, error))
    return NULL;
  return g_steal_pointer (&ds);
}

ReliefMlpSpec *
relief_job_model_spec (const ReliefDataset *ds,
                       const int           *hidden,
                       int                  n_hidden,
                       ReliefActivation     activation,
                       ReliefLoss           loss)
{
  g_autofree int *sizes = g_new (int, n_hidden + 2);

  sizes[0] = ds->n_features;
  for (int i = 0; i < n_hidden; i++)
    sizes[i + 1] = hidden[i];
  sizes[n_hidden + 1] = ds->n_classes;
  return relief_mlp_spec_new (sizes, n_hidden + 2, activation, loss);
}

/* Multiply-adds of one sample through every layer from first on, as flops (2 each). */
static double
forward_flops (const ReliefMlpSpec *spec, int first)
{
  double flops = 0;

  for (int l = first; l < spec->n_layers; l++)
    flops += 2.0 * spec->sizes[l] * spec->sizes[l + 1];
  return flops;
}

/* Seconds of one product of op(A) [m, k] by op(B) [k, n] on be: the fastest of repeats
 * for about 10 ms after one to warm up; a product larger than cap on a side is timed at
 * cap and scaled by its flops.  -1 when a buffer cannot be had. */
static double
time_gemm (ReliefBackend *be, gboolean trans_a, gboolean trans_b, int m, int n, int k, int cap)
{
  g_autoptr(GError) error = NULL;
  int tm = CLAMP (m, 1, cap), tn = CLAMP (n, 1, cap), tk = CLAMP (k, 1, cap);
  float *a = be->alloc (be, sizeof (float) * tm * tk, &error);
  float *b = a ? be->alloc (be, sizeof (float) * tk * tn, &error) : NULL;
  float *c = b ? be->alloc (be, sizeof (float) * tm * tn, &error) : NULL;
  double best = -1;
  gint64 spent = 0;

#define GEMM_TIMED() be->gemm (be, trans_a, trans_b, tm, tn, tk, 1.0f, a, trans_a ? tm : tk, b, trans_b ? tk : tn, \
                               0.0f, c, tn, &error)
  if (c != NULL && GEMM_TIMED () && be->sync (be, &error))
    for (int rep = 0; rep < 1000 && spent < 10000; rep++)
      {
        gint64 start = g_get_monotonic_time (), took;

        if (!GEMM_TIMED () || !be->sync (be, &error))
          break;
        took = MAX (g_get_monotonic_time () - start, 1);
        spent += took;
        best = best < 0 ? took : MIN (best, (double) took);
      }
#undef GEMM_TIMED
  if (a)
    be->free (be, a);
  if (b)
    be->free (be, b);
  if (c)
    be->free (be, c);
  return best < 0 || error != NULL ? -1 : best * 1e-6 * ((double) m * n * k) / ((double) tm * tn * tk);
}

/* Seconds of the forward products of rows samples through the layers from first on. */
static double
time_layers (ReliefBackend *be, const ReliefMlpSpec *spec, int first, int rows)
{
  double seconds = 0;

  for (int l = first; l < spec->n_layers; l++)
    {
      double t = time_gemm (be, FALSE, TRUE, rows, spec->sizes[l + 1], spec->sizes[l], 4096);

      if (t < 0)
        return -1;
      seconds += t;
    }
  return seconds;
}

/* Seconds of steps training steps of spec on the first samples of ds: a training of its
 * own, without metrics, snapshots, curvature or complexity, from a fresh initialization.
 * A training set of fewer than steps batches is gone through again, as many epochs as it
 * takes; the time is then scaled to steps steps. */
static double
time_steps (ReliefBackend *be, const ReliefMlpSpec *spec, const ReliefDataset *ds, const ReliefTrainConfig *config,
            int steps)
{
  ReliefDataset view = *ds;
  ReliefTrainConfig trial = *config;
  g_autofree float *params = g_try_new (float, relief_mlp_spec_n_params (spec));
  int batch = MAX (config->batch_size, 1), per_epoch;
  gint64 start;

  if (params == NULL)
    return -1;
  /* The same arrays, fewer of their rows: nothing is copied. */
  view.n_train = (int) MIN ((gint64) ds->n_train, (gint64) batch * steps);
  view.n_test = 0;
  view.x_test = NULL;
  view.y_test = NULL;
  per_epoch = MAX ((view.n_train + batch - 1) / batch, 1);
  trial.epochs = (steps + per_epoch - 1) / per_epoch;
  /* Steps alone: a curvature or complexity measurement at step 0 (and at step 1 and the
   * last of a log-spaced schedule) would pass for the steps' own time, and a run of
   * 100,000 short steps would look like days. */
  trial.curvature_every = 0;
  trial.complexity_every = trial.complexity_per_decade = 0;
  trial.eval_per_decade = 0;
  relief_mlp_init_params (spec, config->seed, params);
  start = g_get_monotonic_time ();
  if (relief_train (be, spec, &view, &trial, params, NULL, NULL, NULL) != RELIEF_TRAIN_COMPLETED)
    return -1;
  return (g_get_monotonic_time () - start) * 1e-6 * steps / ((double) per_epoch * trial.epochs);
}

void
relief_job_estimate_training (const ReliefMlpSpec *spec, const ReliefDataset *ds, const ReliefTrainConfig *config,
                              gboolean on_host, ReliefJobEstimate *estimate)
{
  double P = (double) relief_mlp_spec_n_params (spec);
  double rows = relief_train_workspace_rows (ds, config->batch_size);
  double widths = 0, widest = 0;
  double steps = ceil ((double) ds->n_train / MAX (config->batch_size, 1)) * config->epochs;

  for (int l = 0; l <= spec->n_layers; l++)
    {
      widths += spec->sizes[l];
      widest = MAX (widest, spec->sizes[l]);
    }
  /* Parameters, the copy before each step, gradients, optimizer state and the host's
   * copy; each layer's pre- and post-activations and two gradient buffers per row. */
  estimate->bytes += 4.0 * P * (4 + relief_optimizer_state_size (config->optimizer.kind)) +
                     4.0 * rows * (2 * widths + 2 * widest);
  if (!on_host)
    estimate->bytes += 4.0 * ((double) ds->n_train + ds->n_test) * (ds->n_features + 1);
  /* Forward and backward, three times the forward pass; the test set at every epoch end
   * and the metrics between, about a tenth of the training by design. */
  estimate->flops += forward_flops (spec, 0) * (3.0 * steps * MIN (config->batch_size, ds->n_train) * 1.1 +
                                               (double) config->epochs * ds->n_test);
  if (config->curvature_every > 0)
    {
      /* At most: each measurement's Lanczos vectors and the subset on the backend; its
       * products (each about two gradients, six forward passes) over the subset. */
      double samples = MIN (config->curvature_samples > 0 ? config->curvature_samples
                                                           : RELIEF_CURVATURE_DEFAULT_SAMPLES, ds->n_train);
      double measurements = floor (steps / config->curvature_every) + 1;
      double hvps = RELIEF_CURVATURE_LANCZOS_STEPS + 2 +
                    (config->curvature_trace ? RELIEF_CURVATURE_TRACE_MAX_PROBES : 0);

      estimate->bytes += 4.0 * P * (RELIEF_CURVATURE_LANCZOS_STEPS + 4) + 4.0 * MIN (samples, 1024) * 4 * widths;
      if (!on_host)
        estimate->bytes += 4.0 * samples * (ds->n_features + 1);
      estimate->flops += forward_flops (spec, 0) * 6.0 * samples * hvps * measurements;
    }
}

gboolean
relief_job_time_training (ReliefBackend *backend, const ReliefMlpSpec *spec, const ReliefDataset *ds,
                          const ReliefTrainConfig *config, double extra_step_seconds, double *seconds)
{
  int eval_rows = MIN (1024, MAX (ds->n_test, 1));
  double steps = ceil ((double) ds->n_train / MAX (config->batch_size, 1)) * config->epochs;
  double one = time_steps (backend, spec, ds, config, 1), step = one, eval, full_evals;

  if (one < 0)
    return FALSE;
  /* A short step is timed over more, less its set-up: the difference of 2 and 10 (of 1,000
   * MNIST images in batches of 200, one step timed alone took four times a step of the
   * run, its set-up with it: 36 min said for 8). */
  if (one < 0.1)
    {
      double two = time_steps (backend, spec, ds, config, 2), ten = time_steps (backend, spec, ds, config, 10);

      if (two < 0 || ten < 0)
        return FALSE;
      step = MAX (ten - two, 0) / 8;
    }
  eval = ds->n_test > 0 ? time_layers (backend, spec, 0, eval_rows) : 0;
  if (eval < 0)
    return FALSE;
  /* Metrics between the epoch ends cost about a tenth more, by design; the test set is
   * evaluated at every epoch end, or at the rows of a log-spaced schedule. */
  full_evals = config->eval_per_decade > 0 ? config->eval_per_decade * log10 (MAX (steps, 1)) + 2 : config->epochs;
  *seconds = 1.1 * steps * (step + extra_step_seconds) + full_evals * ceil ((double) ds->n_test / eval_rows) * eval;
  return TRUE;
}

double
relief_job_time_product (ReliefBackend *backend, double flops)
{
  /* A matrix-vector product's rate, the kind of product a projection is, over a matrix
   * (64 MB) larger than the caches, as a projection's is. */
  double t = time_gemm (backend, FALSE, FALSE, 16384, 1, 1024, 16384);

  return t < 0 ? -1 : t * flops / (2.0 * 16384 * 1024);
}

double
relief_job_hvp_flops (const ReliefMlpSpec *spec, int n_samples)
{
  double per_sample = 0;

  for (int l = 0; l < spec->n_layers; l++)
    per_sample += 2.0 * spec->sizes[l] * spec->sizes[l + 1];
  return 6.0 * per_sample * n_samples;
}

/* relief-hessian.c's chunks of samples through the network */
#define HESSIAN_CHUNK_ROWS 1024

void
relief_job_estimate_hessian (const ReliefMlpSpec *spec, int n_samples, int krylov, int vectors, double hvps,
                             ReliefJobEstimate *estimate)
{
  double D = (double) relief_mlp_spec_n_params (spec), widest = 0;

  for (int l = 0; l <= spec->n_layers; l++)
    widest += spec->sizes[l];
  estimate->bytes += 4.0 * n_samples * (spec->sizes[0] + 1) + 4.0 * 8 * MIN (n_samples, HESSIAN_CHUNK_ROWS) * widest +
                     4.0 * D * (krylov + vectors) + (double) relief_hessian_cache_bytes (spec, n_samples, 0);
  estimate->flops += hvps * relief_job_hvp_flops (spec, n_samples);
}

double
relief_job_time_hvps (ReliefHessian *h, double hvps, GError **error)
{
  gsize D = relief_hessian_n_params (h);
  g_autofree float *v = g_new (float, D), *hv = g_new (float, D);
  gint64 start = 0;
  int timed = 0;

  for (gsize i = 0; i < D; i++)
    v[i] = (float) ((i % 7) - 3) / 3.0f;
  for (int trial = 0; trial < 9; trial++)
    {
      if (!relief_hessian_hvp_host (h, v, hv, error))
        return -1;
      if (trial == 0)
        start = g_get_monotonic_time ();
      else if (++timed >= 1 && g_get_monotonic_time () - start >= G_USEC_PER_SEC / 20)
        break;
    }
  return (g_get_monotonic_time () - start) * 1e-6 / timed * hvps;
}

gboolean
relief_job_check_estimate (ReliefBackend *backend, const char *what, ReliefJobEstimate *estimate,
                           GError **error)
{
  gsize free_bytes = 0, total_bytes = 0;

  estimate->backend = backend->name;
  if (backend->memory_info != NULL && backend->memory_info (backend, &free_bytes, &total_bytes, NULL) &&
      estimate->bytes > (double) free_bytes)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s needs about %.1f GB of memory; the %s backend has %.1f GB free"), what,
                   estimate->bytes / 1e9, backend->name, free_bytes / 1e9);
      return FALSE;
    }
  return TRUE;
}

gboolean
relief_parse_int_list (const char   *text,
                       int         **values,
                       int          *n,
                       GError      **error)
{
  g_auto(GStrv) parts = NULL;
  g_autofree int *out = NULL;
  int count = 0;

  if (text == NULL || *text == '\0')
    {
      *values = NULL;
      *n = 0;
      return TRUE;
    }
  parts = g_strsplit (text, ",", -1);
  out = g_new0 (int, g_strv_length (parts));
  for (int i = 0; parts[i] != NULL; i++)
    {
      gint64 v;
      g_autofree char *item = g_strstrip (g_strdup (parts[i]));

      if (!g_ascii_string_to_signed (item, 10, 1, 100000, &v, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a list of layer widths like 32,32 (each 1 to 100000)"), text);
          return FALSE;
        }
      out[count++] = (int) v;
    }
  *values = g_steal_pointer (&out);
  *n = count;
  return TRUE;
}

void
relief_save_clock_init (ReliefSaveClock *clock)
{
  const char *env = g_getenv ("RELIEF_SAVE_SECONDS");
  char *end = NULL;
  double seconds = env != NULL ? g_ascii_strtod (env, &end) : NAN;

  clock->seconds = end != NULL && end != env && *end == '\0' && seconds > 0 && isfinite (seconds)
                     ? seconds : RELIEF_SAVE_SECONDS_DEFAULT;
  clock->next_us = g_get_monotonic_time () + (gint64) (clock->seconds * G_USEC_PER_SEC);
}

gboolean
relief_save_clock_due (const ReliefSaveClock *clock)
{
  return g_get_monotonic_time () >= clock->next_us;
}

void
relief_save_clock_saved (ReliefSaveClock *clock, gint64 began_us)
{
  gint64 now = g_get_monotonic_time ();

  clock->next_us = now + MAX ((gint64) (clock->seconds * G_USEC_PER_SEC), 20 * (now - began_us));
}

#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-hessian-job.h"
#include "relief-output.h"

/* Hutchinson's estimate is not trusted to its own standard error before this many probes. */
#define TRACE_MIN_PROBES 10

void
relief_hessian_job_init_defaults (ReliefHessianJob *job)
{
  ReliefLanczosSettings lanczos;

  memset (job, 0, sizeof *job);
  relief_lanczos_settings_init_defaults (&lanczos);
  relief_slq_settings_init_defaults (&job->slq);
  job->checkpoint = g_strdup ("last");
  job->top_k = lanczos.k;
  job->tolerance = lanczos.tol;
  job->max_iter = lanczos.max_iter;
  job->trace_tolerance = 0.01;
  job->trace_max_probes = 200;
  job->backend = RELIEF_BACKEND_AUTO;
}

void
relief_hessian_job_clear (ReliefHessianJob *job)
{
  g_clear_pointer (&job->run, relief_loaded_run_unref);
  g_clear_pointer (&job->checkpoint, g_free);
  g_clear_pointer (&job->output, g_free);
}

typedef struct {
  const ReliefHessianJobCallbacks *cb;
  double                           budget;   /* products the whole job takes at most */
} HessianContext;

static void
on_hvp (gint64 hvps, gpointer user_data)
{
  HessianContext *ctx = user_data;

  if (ctx->cb != NULL && ctx->cb->progress != NULL)
    ctx->cb->progress (MIN (0.99, hvps / ctx->budget), ctx->cb->user_data);
}

/* The products the job takes at most: each part's iteration cap, the residuals' products. */
static double
hvp_budget (const ReliefHessianJob *job, gsize n_params)
{
  double budget = 0;
  int k = job->top_k;

  if (k > 0 && job->power)
    budget += (double) k * (job->max_iter + 1);
  else if (k > 0)
    budget += MIN ((gsize) job->max_iter, n_params) + k * (job->smallest ? 2 : 1);
  if (job->trace)
    budget += job->trace_max_probes;
  if (job->density)
    budget += (double) job->slq.n_starts * MIN ((gsize) job->slq.n_steps, n_params);
  return MAX (budget, 1);
}

static ReliefHessianPairs
take_pairs (ReliefEigenpairs *pairs)
{
  ReliefHessianPairs out = { pairs->n, g_steal_pointer (&pairs->values), g_steal_pointer (&pairs->vectors),
                             g_steal_pointer (&pairs->residuals) };

  return out;
}

/* Power iteration finds the pairs by magnitude; the file holds them descending. */
static void
sort_descending (ReliefHessianPairs *pairs, gsize n_params)
{
  for (int i = 1; i < pairs->n; i++)
    for (int j = i; j > 0 && pairs->values[j] > pairs->values[j - 1]; j--)
      {
        double v = pairs->values[j], r = pairs->residuals[j];
        g_autofree float *tmp = g_memdup2 (pairs->vectors + j * n_params, sizeof (float) * n_params);

        pairs->values[j] = pairs->values[j - 1];
        pairs->values[j - 1] = v;
        pairs->residuals[j] = pairs->residuals[j - 1];
        pairs->residuals[j - 1] = r;
        memcpy (pairs->vectors + j * n_params, pairs->vectors + (j - 1) * n_params, sizeof (float) * n_params);
        memcpy (pairs->vectors + (j - 1) * n_params, tmp, sizeof (float) * n_params);
      }
}

static gboolean
check_settings (const ReliefHessianJob *job, GError **error)
{
  const char *message = NULL;

  if (job->top_k < 0)
    message = _("The number of eigenvalues must not be negative");
  else if (job->top_k == 0 && !job->trace && !job->density)
    message = _("Nothing to compute: ask for eigenvalues, the trace or the density");
  else if (job->smallest && job->top_k == 0)
    message = _("The smallest eigenvalues need a count (--top K)");
  else if (job->smallest && job->power)
    message = _("Power iteration finds the eigenvalues of largest magnitude; the smallest need Lanczos");
  else if (!(job->tolerance > 0) || job->max_iter < 1)
    message = _("The eigenvalues need a positive tolerance and at least one iteration");
  else if (job->trace && (!(job->trace_tolerance >= 0) || job->trace_max_probes < 2))
    message = _("The trace needs a tolerance of 0 or more and at least 2 probes");
  else if (job->density && (job->slq.n_starts < 1 || job->slq.n_steps < 1 || job->slq.n_grid < 2 ||
                            !(job->slq.sigma2_scale > 0)))
    message = _("The density needs at least one start of one step, a grid of 2 points and a positive broadening");
  else if (job->n_samples < 0)
    message = _("The number of samples must not be negative");
  if (message != NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
  return message == NULL;
}

static gboolean
compute (const ReliefHessianJob *job, ReliefHessian *h, ReliefHessianSpectrum *hs, GCancellable *cancellable,
         GError **error)
{
  gsize n_params = hs->n_params;

  if (job->top_k > 0 && job->power)
    {
      g_autoptr(ReliefEigenpairs) pairs = NULL;

      if (!relief_hessian_power (h, job->top_k, job->tolerance, job->max_iter, job->seed, &pairs, NULL, cancellable,
                                 error))
        return FALSE;
      hs->largest = take_pairs (pairs);
      sort_descending (&hs->largest, n_params);
    }
  else if (job->top_k > 0)
    {
      g_autoptr(ReliefEigenpairs) largest = NULL, smallest = NULL;
      ReliefLanczosSettings settings;
      ReliefLanczosInfo info;

      relief_lanczos_settings_init_defaults (&settings);
      settings.k = job->top_k;
      settings.smallest = job->smallest;
      settings.tol = job->tolerance;
      settings.max_iter = job->max_iter;
      settings.seed = job->seed;
      if (!relief_hessian_lanczos (h, &settings, &largest, job->smallest ? &smallest : NULL, &info, cancellable,
                                   error))
        return FALSE;
      hs->largest = take_pairs (largest);
      if (smallest != NULL)
        hs->smallest = take_pairs (smallest);
    }
  if (job->trace)
    {
      ReliefTraceResult trace;

      if (!relief_hessian_trace (h, job->trace_tolerance, MIN (TRACE_MIN_PROBES, job->trace_max_probes),
                                 job->trace_max_probes, job->seed, &trace, cancellable, error))
        return FALSE;
      hs->has_trace = TRUE;
      hs->trace = trace.trace;
      hs->trace_stderr = trace.stderr_;
      hs->trace_probes = trace.probes;
      hs->trace_tolerance = job->trace_tolerance;
      hs->trace_max_probes = job->trace_max_probes;
    }
  if (job->density)
    {
      g_autoptr(ReliefSlqResult) slq = NULL;
      ReliefSlqSettings settings = job->slq;

      settings.seed = job->seed;
      if (!relief_hessian_slq (h, &settings, &slq, cancellable, error))
        return FALSE;
      hs->n_grid = slq->n_grid;
      hs->density_grid = g_steal_pointer (&slq->grid);
      hs->density = g_steal_pointer (&slq->density);
      hs->slq_starts = settings.n_starts;
      hs->slq_steps = settings.n_steps;
      hs->slq_steps_taken = slq->n_steps;
      hs->slq_sigma2_scale = settings.sigma2_scale;
      hs->slq_sigma2 = slq->sigma2;
      hs->slq_nodes = g_steal_pointer (&slq->nodes);
      hs->slq_weights = g_steal_pointer (&slq->weights);
    }
  return TRUE;
}

gboolean
relief_hessian_job_run (const ReliefHessianJob          *job,
                        const ReliefHessianJobCallbacks *cb,
                        GCancellable                    *cancellable,
                        ReliefHessianSpectrum          **result,
                        GError                         **error)
{
  const ReliefRun *run = relief_loaded_run_get_run (job->run);
  const ReliefDataset *ds = run->dataset;
  g_autoptr(ReliefOutputLock) lock = NULL;
  g_autoptr(ReliefBackend) backend = NULL;
  g_autoptr(ReliefHessian) h = NULL;
  g_autoptr(ReliefHessianSpectrum) hs = NULL;
  HessianContext ctx = { cb, 1 };
  ReliefJobEstimate estimate = { 0 };
  const float *params;
  int index, n, krylov;
  gsize D = run->n_params;

  if (!check_settings (job, error) || !relief_run_resolve_checkpoint (run, job->checkpoint, &index, error))
    return FALSE;
  n = job->n_samples > 0 ? MIN (job->n_samples, ds->n_train) : ds->n_train;
  if (n < 1)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The run’s data set has no training samples"));
      return FALSE;
    }
  if (job->output != NULL && (lock = relief_output_lock (job->output, error)) == NULL)
    return FALSE;
  backend = relief_job_open_backend (job->backend, cb ? cb->backend_chosen : NULL, cb ? cb->user_data : NULL,
                                     error);
  if (backend == NULL)
    return FALSE;

  /* On the backend: the samples, a chunk's activations and their R-values, the
   * parameters and a few vectors of their length, and the Krylov basis (every Lanczos
   * vector is kept for the reorthogonalization); on the host the eigenvectors. */
  krylov = (int) MIN ((gsize) MAX (job->top_k > 0 && !job->power ? job->max_iter : 0,
                                   job->density ? job->slq.n_steps : 0), D);
  ctx.budget = hvp_budget (job, D);
  relief_job_estimate_hessian (run->spec, n, krylov, 8 + 2 * job->top_k, ctx.budget, &estimate);
  if (!relief_job_check_estimate (backend, _("The Hessian"), &estimate, error))
    return FALSE;

  params = run->params + (gsize) index * D;
  h = relief_hessian_new (backend, run->spec, params, ds->x_train, ds->y_train, n, 0, error);
  if (h == NULL)
    return FALSE;
  /* A large job times products of its own and scales them to the products it takes at
   * most: an upper bound, since every part may converge before its cap. */
  if (estimate.flops >= RELIEF_JOB_TIMED_FLOPS && (estimate.seconds = relief_job_time_hvps (h, ctx.budget, error)) < 0)
    return FALSE;
  if (cb && cb->estimate)
    cb->estimate (&estimate, cb->user_data);

  hs = relief_hessian_spectrum_new (D);
  hs->run_file = g_strdup (relief_loaded_run_get_path (job->run));
  hs->checkpoint = index;
  hs->n_samples = n;
  hs->backend = g_strdup (backend->name);
  hs->method = g_strdup (job->power ? "power" : "lanczos");
  hs->k = job->top_k;
  hs->tolerance = job->tolerance;
  hs->max_iter = job->max_iter;
  hs->seed = job->seed;
  relief_hessian_set_progress (h, on_hvp, &ctx);
  if (!compute (job, h, hs, cancellable, error))
    return FALSE;
  if (job->output && !relief_hessian_spectrum_save (hs, job->output, error))
    return FALSE;
  if (cb && cb->progress)
    cb->progress (1.0, cb->user_data);
  if (result)
    *result = g_steal_pointer (&hs);
  return TRUE;
}

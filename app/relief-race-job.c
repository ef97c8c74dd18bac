/* relief-race-job.c: optimizers racing on a function of (x, y), written as a race file. */
#include "relief-config.h"
#include "relief-race-job.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-output.h"

/* Steps between progress reports and cancel checks. */
#define STEPS_PER_REPORT 256

void
relief_race_job_init_defaults (ReliefRaceJob *job)
{
  *job = (ReliefRaceJob) { .kappa = 10, .theta = 0, .n_steps = 200 };
}

void
relief_race_job_clear (ReliefRaceJob *job)
{
  for (int i = 0; i < job->n_racers; i++)
    relief_racer_clear (&job->racers[i]);
  g_clear_pointer (&job->racers, g_free);
  job->n_racers = 0;
  g_clear_pointer (&job->function, g_free);
  g_clear_pointer (&job->output, g_free);
}

ReliefRaceFile *
relief_race_job_snapshot (const ReliefRace *race, const double view[4], double x0, double y0)
{
  const ReliefFunction *f = relief_race_function (race);
  gint64 n_steps = relief_race_n_steps (race);
  ReliefRaceFile *file = relief_race_file_new (relief_race_n_racers (race), n_steps);
  double kappa = relief_function_lambda_max (f);

  file->function = g_strdup (relief_function_name (f));
  if (strcmp (file->function, "quadratic") == 0 && relief_function_is_builtin (f))
    {
      /* lambda_max is kappa; theta is not kept by the function, so the snapshot's
       * caller's race file keeps it (relief_race_job_run sets it from the job). */
      file->kappa = kappa;
      file->theta = 0;
    }
  file->xmin = view[0];
  file->xmax = view[1];
  file->ymin = view[2];
  file->ymax = view[3];
  file->x0 = x0;
  file->y0 = y0;
  for (int i = 0; i < file->n_racers; i++)
    {
      ReliefRaceRacer *r = &file->racers[i];
      const ReliefRacer *racer = relief_race_racer (race, i);
      const ReliefOptimizerConfig *c = &racer->config;
      gint64 n_points = 0;
      const double *path = relief_race_path (race, i, &n_points);
      const double *loss = relief_race_loss (race, i);

      r->optimizer = g_strdup (racer->name);
      r->lr = c->lr;
      r->momentum = c->momentum;
      r->beta1 = c->beta1;
      r->beta2 = c->beta2;
      r->eps = c->eps;
      r->weight_decay = c->weight_decay;
      r->diverged_at = relief_race_diverged_at (race, i);
      r->colour = i;
      n_points = MIN (n_points, n_steps + 1);
      memcpy (r->path, path, sizeof (double) * 2 * n_points);
      memcpy (r->loss, loss, sizeof (double) * n_points);
      for (gint64 t = n_points; t <= n_steps; t++)
        r->path[2 * t] = r->path[2 * t + 1] = r->loss[t] = NAN;
    }
  return file;
}

gboolean
relief_race_job_run (const ReliefRaceJob         *job,
                     const ReliefRaceJobCallbacks *cb,
                     GCancellable                 *cancellable,
                     ReliefRaceFile              **result,
                     GError                      **error)
{
  g_autoptr(ReliefOutputLock) lock = NULL;
  g_autoptr(ReliefBackend) backend = NULL;
  g_autoptr(ReliefFunction) f = NULL;
  g_autoptr(ReliefRace) race = NULL;
  g_autoptr(ReliefRaceFile) file = NULL;
  ReliefJobEstimate estimate = { 0 };
  double view[4], x0, y0, grad[2];

  g_return_val_if_fail (job->function != NULL && job->n_racers > 0, FALSE);

  if (job->n_racers > RELIEF_RACE_MAX_RACERS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("A race takes at most %d racers, not %d"),
                   RELIEF_RACE_MAX_RACERS, job->n_racers);
      return FALSE;
    }
  if ((f = relief_function_new (job->function, job->kappa, job->theta, error)) == NULL)
    return FALSE;
  if (job->has_view)
    {
      view[0] = job->xmin;
      view[1] = job->xmax;
      view[2] = job->ymin;
      view[3] = job->ymax;
    }
  else
    relief_function_default_view (f, &view[0], &view[1], &view[2], &view[3]);
  if (!(view[0] < view[1]) || !(view[2] < view[3]))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The view must run from a smaller to a larger value (x %g:%g, y %g:%g)"), view[0], view[1],
                   view[2], view[3]);
      return FALSE;
    }
  if (job->has_start)
    {
      x0 = job->x0;
      y0 = job->y0;
    }
  else
    relief_function_default_start (f, &x0, &y0);
  if (x0 < view[0] || x0 > view[1] || y0 < view[2] || y0 > view[3])
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The start (%g, %g) is outside the view (x %g:%g, y %g:%g)"), x0, y0, view[0], view[1],
                   view[2], view[3]);
      return FALSE;
    }
  if (!isfinite (relief_function_eval (f, x0, y0, grad, NULL)) || !isfinite (grad[0]) || !isfinite (grad[1]))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s is not finite at the start (%g, %g), or its gradient is not"), job->function, x0, y0);
      return FALSE;
    }

  if (job->output != NULL && (lock = relief_output_lock (job->output, error)) == NULL)
    return FALSE;
  backend = relief_job_open_backend (RELIEF_BACKEND_CPU, cb ? cb->backend_chosen : NULL, cb ? cb->user_data : NULL,
                                     error);
  if (backend == NULL)
    return FALSE;
  /* The race's paths and losses (GArrays that may double as they grow) and the file's. */
  estimate.bytes = (double) job->n_racers * (job->n_steps + 1) * 3 * sizeof (double) * 3;
  estimate.flops = (double) job->n_racers * job->n_steps * 100;
  if (!relief_job_check_estimate (backend, _("The race"), &estimate, error))
    return FALSE;
  if (cb && cb->estimate)
    cb->estimate (&estimate, cb->user_data);
  race = relief_race_new (backend, f, job->racers, job->n_racers, x0, y0, error);
  if (race == NULL)
    return FALSE;
  for (gint64 done = 0; done < job->n_steps;)
    {
      int n = (int) MIN (STEPS_PER_REPORT, job->n_steps - done);

      if (g_cancellable_set_error_if_cancelled (cancellable, error) || !relief_race_step (race, n, error))
        return FALSE;
      done += n;
      if (cb && cb->progress)
        cb->progress (MIN (0.99, (double) done / job->n_steps), cb->user_data);
    }
  file = relief_race_job_snapshot (race, view, x0, y0);
  if (strcmp (file->function, "quadratic") == 0)
    {
      file->kappa = job->kappa;
      file->theta = job->theta;
    }
  if (job->output != NULL && !relief_race_file_save (file, job->output, error))
    return FALSE;
  if (cb && cb->progress)
    cb->progress (1.0, cb->user_data);
  if (result)
    *result = g_steal_pointer (&file);
  return TRUE;
}

gboolean
relief_race_job_sample (const ReliefRaceFile *race, int nx, const double *xs, int ny, const double *ys, double *z,
                        GError **error)
{
  g_autoptr(ReliefFunction) f = relief_function_new (race->function, isnan (race->kappa) ? 1 : race->kappa,
                                                     isnan (race->theta) ? 0 : race->theta, error);

  if (f == NULL)
    return FALSE;
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++)
      {
        double v = relief_function_eval (f, xs[i], ys[j], NULL, NULL);

        z[(gsize) j * nx + i] = isfinite (v) ? v : NAN;
      }
  return TRUE;
}

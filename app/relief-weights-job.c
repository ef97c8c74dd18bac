#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "relief-weights-job.h"

void
relief_weights_job_init_defaults (ReliefWeightsJob *job)
{
  memset (job, 0, sizeof *job);
  job->checkpoint = -1;
}

void
relief_weights_job_clear (ReliefWeightsJob *job)
{
  g_clear_pointer (&job->run, relief_loaded_run_unref);
}

static void
report (const ReliefWeightsJobCallbacks *cb, int done, int total)
{
  if (cb != NULL && cb->progress != NULL)
    cb->progress ((double) done / total, cb->user_data);
}

gboolean
relief_weights_job_run (const ReliefWeightsJob          *job,
                        const ReliefWeightsJobCallbacks *cb,
                        GCancellable                    *cancellable,
                        ReliefWeights                  **result,
                        GError                         **error)
{
  const ReliefRun *run = relief_loaded_run_get_run (job->run);
  int index = job->checkpoint < 0 ? run->n_snapshots + job->checkpoint : job->checkpoint;
  int L = run->spec->n_layers, T = job->trajectory ? run->n_snapshots : 0, total = L * (1 + T), done = 0;
  g_autoptr(ReliefWeights) w = NULL;
  const float *params;

  if (index < 0 || index >= run->n_snapshots)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The run has no checkpoint %d (it has %d)"), job->checkpoint, run->n_snapshots);
      return FALSE;
    }
  w = relief_weights_new (run->spec);
  w->run_file = g_strdup (relief_loaded_run_get_path (job->run));
  w->checkpoint = index;
  w->checkpoint_step = run->snapshot_step[index];
  params = run->params + (gsize) index * run->n_params;
  for (int l = 0; l < L; l++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !relief_layer_spectrum_compute (params + relief_mlp_spec_weight_offset (run->spec, l), run->spec->sizes[l + 1],
                                          run->spec->sizes[l], &w->layers[l], error))
        return FALSE;
      report (cb, ++done, total);
    }
  if (T > 0)
    {
      relief_weights_set_trajectory (w, T);
      for (int t = 0; t < T; t++)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
              !relief_weight_top_singular_values (run->spec, run->params + (gsize) t * run->n_params,
                                                  w->top_singular_values + (gsize) t * L, error))
            return FALSE;
          w->snapshot_step[t] = run->snapshot_step[t];
          done += L;
          report (cb, done, total);
        }
    }
  *result = g_steal_pointer (&w);
  return TRUE;
}

#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "relief-decision-job.h"

void
relief_decision_job_init_defaults (ReliefDecisionJob *job)
{
  memset (job, 0, sizeof *job);
  job->checkpoint = -1;
  job->backend = RELIEF_BACKEND_AUTO;
}

void
relief_decision_job_clear (ReliefDecisionJob *job)
{
  g_clear_pointer (&job->run, relief_loaded_run_unref);
  g_clear_pointer (&job->xdir, g_free);
  g_clear_pointer (&job->ydir, g_free);
}

gboolean
relief_decision_job_set_surface (ReliefDecisionJob   *job,
                                 const ReliefSurface *surface,
                                 double               x,
                                 double               y,
                                 GError             **error)
{
  const ReliefRun *run = relief_loaded_run_get_run (job->run);

  if (surface->xdir == NULL || surface->n_params != run->n_params || surface->checkpoint < 0 ||
      surface->checkpoint >= run->n_snapshots)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The surface file has no directions to follow"));
      return FALSE;
    }
  job->checkpoint = (int) surface->checkpoint;
  g_free (job->xdir);
  job->xdir = g_memdup2 (surface->xdir, run->n_params * sizeof (float));
  g_free (job->ydir);
  job->ydir = surface->ydir ? g_memdup2 (surface->ydir, run->n_params * sizeof (float)) : NULL;
  job->x = x;
  job->y = y;
  return TRUE;
}

/* One axis of the input plane: as asked, or [lo, hi] at the default resolution. */
static ReliefGridAxis
plane_axis (const ReliefGridAxis *asked, double lo, double hi)
{
  if (asked->count > 0)
    return *asked;
  return (ReliefGridAxis) { lo, hi, RELIEF_DECISION_RESOLUTION };
}

ReliefDecisionMap *
relief_decision_map_compute (ReliefBackend *backend, const ReliefMlpSpec *spec, const ReliefDataset *ds,
                             const float *params, const ReliefGridAxis *plane_x, const ReliefGridAxis *plane_y,
                             GError **error)
{
  g_autoptr(ReliefDecisionMap) map = NULL;
  ReliefGridAxis ax, ay;
  double extent[4] = { G_MAXDOUBLE, -G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE };
  double margin;

  if (ds->n_features != 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Decision regions need a data set with two inputs; this one has %d"), ds->n_features);
      return NULL;
    }
  for (int i = 0; i < ds->n_train; i++)
    {
      extent[0] = MIN (extent[0], ds->x_train[2 * i]);
      extent[1] = MAX (extent[1], ds->x_train[2 * i]);
      extent[2] = MIN (extent[2], ds->x_train[2 * i + 1]);
      extent[3] = MAX (extent[3], ds->x_train[2 * i + 1]);
    }
  /* 5% of the larger extent more on all sides, so every sample lies inside. */
  margin = 0.05 * MAX (extent[1] - extent[0], extent[3] - extent[2]);
  extent[0] -= margin, extent[1] += margin, extent[2] -= margin, extent[3] += margin;
  ax = plane_axis (plane_x, extent[0], extent[1]);
  ay = plane_axis (plane_y, extent[2], extent[3]);

  map = g_new0 (ReliefDecisionMap, 1);
  map->nx = ax.count;
  map->ny = ay.count;
  map->xmin = ax.min, map->xmax = ax.max, map->ymin = ay.min, map->ymax = ay.max;
  map->classes = g_new (int, (gsize) map->nx * map->ny);
  map->confidence = g_new (float, (gsize) map->nx * map->ny);
  if (!relief_mlp_predict_grid (backend, spec, params, map->xmin, map->xmax, map->ymin, map->ymax,
                                map->nx, map->ny, map->classes, map->confidence, error))
    return NULL;
  map->n_classes = ds->n_classes;
  map->n_samples = ds->n_train;
  map->samples = g_memdup2 (ds->x_train, (gsize) ds->n_train * 2 * sizeof (float));
  map->labels = g_memdup2 (ds->y_train, (gsize) ds->n_train * sizeof (gint32));
  return g_steal_pointer (&map);
}

gboolean
relief_decision_job_run (const ReliefDecisionJob          *job,
                         const ReliefDecisionJobCallbacks *cb,
                         GCancellable                     *cancellable,
                         ReliefDecisionMap               **result,
                         GError                          **error)
{
  const ReliefRun *run = relief_loaded_run_get_run (job->run);
  const ReliefDataset *ds = run->dataset;
  g_autoptr(ReliefBackend) backend = NULL;
  g_autofree float *params = NULL;
  const float *center;
  int index = job->checkpoint < 0 ? run->n_snapshots + job->checkpoint : job->checkpoint;

  if (ds->n_features != 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Decision regions need a data set with two inputs; this one has %d"), ds->n_features);
      return FALSE;
    }
  if (index < 0 || index >= run->n_snapshots)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The run has no checkpoint %d (it has %d)"), job->checkpoint, run->n_snapshots);
      return FALSE;
    }

  /* params = center + x xdir + y ydir, the point of the landscape */
  center = run->params + (gsize) index * run->n_params;
  params = g_new (float, run->n_params);
  for (gsize i = 0; i < run->n_params; i++)
    params[i] = center[i] + (job->xdir ? (float) job->x * job->xdir[i] : 0.0f) +
                (job->ydir ? (float) job->y * job->ydir[i] : 0.0f);

  backend = relief_job_open_backend (job->backend, cb ? cb->backend_chosen : NULL, cb ? cb->user_data : NULL,
                                     error);
  if (backend == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  *result = relief_decision_map_compute (backend, run->spec, ds, params, &job->plane_x, &job->plane_y, error);
  return *result != NULL;
}

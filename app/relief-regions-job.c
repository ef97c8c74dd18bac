#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-enums.h"
#include "relief-job-common.h"
#include "relief-output.h"
#include "relief-regions-job.h"

void
relief_regions_job_init_defaults (ReliefRegionsJob *job)
{
  memset (job, 0, sizeof *job);
  job->checkpoint = g_strdup ("last");
  job->plane = RELIEF_REGIONS_PLANE_AUTO;
  job->samples[0] = job->samples[1] = job->samples[2] = -1;
}

void
relief_regions_job_clear (ReliefRegionsJob *job)
{
  g_clear_pointer (&job->run, relief_loaded_run_unref);
  g_clear_pointer (&job->checkpoint, g_free);
  g_clear_pointer (&job->output, g_free);
}

static gboolean
invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

/* The bounding box of every sample, training and test, widened by the margin. */
static void
data_box (const ReliefDataset *ds, double box[4])
{
  double lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };

  for (int split = 0; split < 2; split++)
    {
      const float *x = split == 0 ? ds->x_train : ds->x_test;
      int n = split == 0 ? ds->n_train : ds->n_test;

      for (int i = 0; x != NULL && i < n; i++)
        for (int k = 0; k < 2; k++)
          {
            lo[k] = MIN (lo[k], x[2 * i + k]);
            hi[k] = MAX (hi[k], x[2 * i + k]);
          }
    }
  for (int k = 0; k < 2; k++)
    {
      double size = hi[k] > lo[k] ? hi[k] - lo[k] : 1;

      if (!isfinite (lo[k]))
        lo[k] = hi[k] = 0;
      box[2 * k] = lo[k] - RELIEF_REGIONS_INPUT_MARGIN * size;
      box[2 * k + 1] = hi[k] + RELIEF_REGIONS_INPUT_MARGIN * size;
    }
}

/* The first training sample of class c after skip others of it; -1 when none. */
static int
nth_of_class (const ReliefDataset *ds, int c, int skip)
{
  for (int i = 0; i < ds->n_train; i++)
    if (ds->y_train[i] == c && skip-- == 0)
      return i;
  return -1;
}

static gboolean
default_samples (const ReliefDataset *ds, int samples[3], GError **error)
{
  samples[0] = nth_of_class (ds, 0, 0);
  samples[1] = nth_of_class (ds, 1, 0);
  samples[2] = ds->n_classes > 2 ? nth_of_class (ds, 2, 0) : nth_of_class (ds, 0, 1);
  if (samples[0] < 0 || samples[1] < 0 || samples[2] < 0)
    return invalid (error, _("The training samples lack the three of different classes a plane is put through by "
                             "default; choose three samples (--plane I,J,K)"));
  return TRUE;
}

ReliefPlane *
relief_regions_job_plane (const ReliefRegionsJob *job, ReliefRegionsPlaneKind *kind_out, int samples_out[3],
                          GError **error)
{
  const ReliefRun *run = relief_loaded_run_get_run (job->run);
  const ReliefDataset *ds = run->dataset;
  int D = run->spec->sizes[0];
  ReliefRegionsPlaneKind kind = job->plane;
  int samples[3] = { -1, -1, -1 };
  double box[4];

  if (kind == RELIEF_REGIONS_PLANE_AUTO)
    kind = D == 2 && job->samples[0] < 0 ? RELIEF_REGIONS_PLANE_INPUT : RELIEF_REGIONS_PLANE_SAMPLES;
  if (kind == RELIEF_REGIONS_PLANE_INPUT && D != 2)
    {
      invalid (error, _("The input plane needs a model of 2 inputs; this one has %d: put the plane through three "
                        "samples (--plane I,J,K)"), D);
      return NULL;
    }
  if ((job->has_x && !(job->x[0] < job->x[1] && isfinite (job->x[0]) && isfinite (job->x[1]))) ||
      (job->has_y && !(job->y[0] < job->y[1] && isfinite (job->y[0]) && isfinite (job->y[1]))))
    {
      invalid (error, _("A range of the plane must be finite and go from a smaller to a larger value"));
      return NULL;
    }
  if (kind == RELIEF_REGIONS_PLANE_INPUT)
    {
      if (ds != NULL)
        data_box (ds, box);
      else
        box[0] = box[2] = -1, box[1] = box[3] = 1;
    }
  else
    {
      box[0] = box[2] = -RELIEF_REGIONS_SAMPLES_MARGIN;
      box[1] = box[3] = 1 + RELIEF_REGIONS_SAMPLES_MARGIN;
    }
  if (job->has_x)
    box[0] = job->x[0], box[1] = job->x[1];
  if (job->has_y)
    box[2] = job->y[0], box[3] = job->y[1];
  if (kind_out)
    *kind_out = kind;
  if (kind == RELIEF_REGIONS_PLANE_INPUT)
    {
      if (samples_out)
        memcpy (samples_out, samples, sizeof samples);
      return relief_plane_new_input (box[0], box[1], box[2], box[3]);
    }
  if (ds == NULL)
    {
      invalid (error, _("A plane through samples needs the run’s data set"));
      return NULL;
    }
  if (job->samples[0] >= 0)
    memcpy (samples, job->samples, sizeof samples);
  else if (!default_samples (ds, samples, error))
    return NULL;
  for (int i = 0; i < 3; i++)
    if (samples[i] < 0 || samples[i] >= ds->n_train)
      {
        invalid (error, _("Sample %d is not a training sample: the run has %d (0 to %d)"), samples[i], ds->n_train,
                 ds->n_train - 1);
        return NULL;
      }
  if (samples[0] == samples[1] || samples[1] == samples[2] || samples[0] == samples[2])
    {
      invalid (error, _("The plane needs three different samples, not %d, %d, %d"), samples[0], samples[1],
               samples[2]);
      return NULL;
    }
  if (samples_out)
    memcpy (samples_out, samples, sizeof samples);
  return relief_plane_new_through (D, ds->x_train + (gsize) samples[0] * D, ds->x_train + (gsize) samples[1] * D,
                                   ds->x_train + (gsize) samples[2] * D, box[0], box[1], box[2], box[3], error);
}

/* The checkpoints asked for: every snapshot, or one. */
static gboolean
checkpoints (const ReliefRegionsJob *job, const ReliefRun *run, int *first, int *last, GError **error)
{
  if (g_strcmp0 (job->checkpoint, "all") == 0)
    {
      *first = 0;
      *last = run->n_snapshots - 1;
      return TRUE;
    }
  if (!relief_run_resolve_checkpoint (run, job->checkpoint ? job->checkpoint : "last", first, error))
    return FALSE;
  *last = *first;
  return TRUE;
}

gboolean
relief_regions_job_run (const ReliefRegionsJob          *job,
                        const ReliefRegionsJobCallbacks *cb,
                        GCancellable                    *cancellable,
                        ReliefRegionsFile              **result,
                        GError                         **error)
{
  const ReliefRun *run = relief_loaded_run_get_run (job->run);
  g_autoptr(ReliefOutputLock) lock = NULL;
  g_autoptr(ReliefPlane) plane = NULL;
  g_autoptr(ReliefRegionsFile) rf = NULL;
  ReliefRegionsPlaneKind kind;
  ReliefSaveClock clock;
  int samples[3], first, last;
  gboolean saved = TRUE;

  if (run->spec->activation != RELIEF_ACT_RELU && run->spec->activation != RELIEF_ACT_LEAKY_RELU)
    return invalid (error, _("The network’s activation is %s, which is not piecewise linear: it has no linear regions "
                             "(they need relu or leaky_relu)"),
                    relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, run->spec->activation));
  if (!checkpoints (job, run, &first, &last, error) || (plane = relief_regions_job_plane (job, &kind, samples, error)) == NULL)
    return FALSE;
  if (job->output != NULL && (lock = relief_output_lock (job->output, error)) == NULL)
    return FALSE;

  rf = relief_regions_file_new (run->spec, plane, relief_loaded_run_get_path (job->run));
  g_free (rf->plane_kind);
  rf->plane_kind = g_strdup (kind == RELIEF_REGIONS_PLANE_INPUT ? "input" : "samples");
  memcpy (rf->plane_samples, samples, sizeof samples);
  relief_save_clock_init (&clock);
  for (int c = first; c <= last; c++)
    {
      g_autoptr(GError) local = NULL;
      ReliefRegions *regions;

      if (cb && cb->progress)
        cb->progress ((double) (c - first) / (last - first + 1), cb->user_data);
      regions = relief_regions_compute (run->spec, run->params + (gsize) c * run->n_params, plane, job->max_regions,
                                        cancellable, &local);
      if (regions == NULL)
        {
          /* What is done stays: the output holds the checkpoints finished, complete. */
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED) && rf->n_checkpoints > 0 && job->output &&
              !saved && !relief_regions_file_save (rf, job->output, error))
            return FALSE;
          if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_prefix_error (&local, _("Checkpoint %d: "), c);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      relief_regions_file_add (rf, c, run->snapshot_step[c], regions);
      saved = FALSE;
      if (cb && cb->checkpoint)
        cb->checkpoint (c, regions, cb->user_data);
      if (job->output && c < last && relief_save_clock_due (&clock))
        {
          gint64 began = g_get_monotonic_time ();

          if (!relief_regions_file_save (rf, job->output, error))
            return FALSE;
          relief_save_clock_saved (&clock, began);
          saved = TRUE;
        }
      if (c < last && g_cancellable_is_cancelled (cancellable))
        {
          if (job->output && !saved && !relief_regions_file_save (rf, job->output, error))
            return FALSE;
          return !g_cancellable_set_error_if_cancelled (cancellable, error);
        }
    }
  if (job->output && !relief_regions_file_save (rf, job->output, error))
    return FALSE;
  if (cb && cb->progress)
    cb->progress (1.0, cb->user_data);
  if (result)
    *result = g_steal_pointer (&rf);
  return TRUE;
}

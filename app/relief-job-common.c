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
  ReliefBackend *backend = relief_backend_new (relief_enum_to_nick (RELIEF_TYPE_BACKEND_KIND, kind), error);

  if (backend && chosen && kind == RELIEF_BACKEND_AUTO)
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

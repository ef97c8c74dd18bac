/* relief-dataset.c: the host-side data set container. */
#include "relief-dataset.h"
#include <glib/gi18n-lib.h>

#include <gio/gio.h>
#include <math.h>
#include <string.h>

ReliefDataset *
relief_dataset_new (const char *name, int n_features, int n_classes, int n_train, int n_test)
{
  ReliefDataset *ds;

  g_return_val_if_fail (n_features > 0 && n_classes > 0 && n_train >= 0 && n_test >= 0, NULL);

  ds = g_new0 (ReliefDataset, 1);
  ds->name = g_strdup (name != NULL ? name : "");
  ds->n_features = n_features;
  ds->n_classes = n_classes;
  ds->n_train = n_train;
  ds->n_test = n_test;
  ds->x_train = g_new0 (float, (gsize) n_train * n_features);
  ds->y_train = g_new0 (int32_t, n_train);
  if (n_test > 0)
    {
      ds->x_test = g_new0 (float, (gsize) n_test * n_features);
      ds->y_test = g_new0 (int32_t, n_test);
    }
  ds->mean = 0.0;
  ds->std = 1.0;
  return ds;
}

void
relief_dataset_free (ReliefDataset *ds)
{
  if (ds == NULL)
    return;
  g_free (ds->name);
  g_free (ds->x_train);
  g_free (ds->y_train);
  g_free (ds->x_test);
  g_free (ds->y_test);
  g_strfreev (ds->source_paths);
  g_strfreev (ds->source_sha256);
  g_free (ds);
}

/* Whether all n labels are in 0..n_classes-1 and all values finite, in one pass the
 * compiler vectorizes (no early exit; a float is finite unless its exponent bits are all
 * ones), so that checking MNIST costs a read of it. */
static gboolean
split_is_valid (const float *x, const int32_t *y, gsize n, gsize n_values, int n_classes)
{
  guint32 bad = 0;

  for (gsize j = 0; j < n; j++)
    bad |= (guint32) y[j] >= (guint32) n_classes;
  for (gsize i = 0; i < n_values; i++)
    {
      guint32 bits;

      memcpy (&bits, x + i, sizeof bits);
      bad |= (bits & 0x7f800000u) == 0x7f800000u;
    }
  return bad == 0;
}

static gboolean
validate_split (const char *split, const float *x, const int32_t *y, int n, int n_features, int n_classes,
                GError **error)
{
  if (n > 0 && (x == NULL || y == NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The %s split has no samples allocated"), split);
      return FALSE;
    }
  if (n <= 0 || split_is_valid (x, y, (gsize) n, (gsize) n * n_features, n_classes))
    return TRUE;
  /* The first bad sample, for the message. */
  for (int i = 0; i < n; i++)
    {
      if (y[i] < 0 || y[i] >= n_classes)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s sample %d has label %d, outside 0..%d"), split, i, (int) y[i], n_classes - 1);
          return FALSE;
        }
      for (int f = 0; f < n_features; f++)
        if (!isfinite (x[(gsize) i * n_features + f]))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         _("%s sample %d has a non-finite feature %d"), split, i, f);
            return FALSE;
          }
    }
  return TRUE;
}

gboolean
relief_dataset_validate (const ReliefDataset *ds, GError **error)
{
  if (ds->n_features < 1 || ds->n_classes < 1 || ds->n_train < 1 || ds->n_test < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Data set \"%s\" needs at least one feature, one class and one training sample "
                   "(has %d, %d, %d)"), ds->name, ds->n_features, ds->n_classes, ds->n_train);
      return FALSE;
    }
  return validate_split ("Training", ds->x_train, ds->y_train, ds->n_train, ds->n_features, ds->n_classes, error) &&
         validate_split ("Test", ds->x_test, ds->y_test, ds->n_test, ds->n_features, ds->n_classes, error);
}

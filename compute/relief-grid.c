/* relief-grid.c: the grid axes of loss-landscape slices, as loss-landscape writes them. */
#include "relief-grid.h"

#include <glib/gi18n-lib.h>
#include <math.h>

static gboolean
parse_double (const char *text, double *out)
{
  char *end = NULL;

  if (*text == '\0')
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  return *end == '\0' && isfinite (*out);
}

gboolean
relief_grid_axis_parse (const char *text, ReliefGridAxis *out, GError **error)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *stripped = NULL;
  char *end = NULL;
  gint64 count;
  double min, max;

  stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  parts = g_strsplit (stripped, ":", -1);
  if (g_strv_length (parts) != 3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Grid \"%s\" is not of the form min:max:count (e.g. -1:1:51)"), stripped);
      return FALSE;
    }
  if (!parse_double (parts[0], &min) || !parse_double (parts[1], &max))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Grid \"%s\": min and max must be finite numbers"), stripped);
      return FALSE;
    }
  count = g_ascii_strtoll (parts[2], &end, 10);
  if (parts[2][0] == '\0' || *end != '\0' || count < 1 || count > G_MAXINT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Grid \"%s\": count must be a whole number of at least 1"), stripped);
      return FALSE;
    }
  if (count > 1 && !(min < max))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Grid \"%s\": min must be less than max for more than one point"), stripped);
      return FALSE;
    }
  out->min = min;
  out->max = max;
  out->count = (int) count;
  return TRUE;
}

void
relief_grid_axis_values (const ReliefGridAxis *axis, double *values)
{
  if (axis->count == 1)
    {
      values[0] = axis->min;
      return;
    }
  for (int i = 0; i < axis->count; i++)
    values[i] = axis->min + (axis->max - axis->min) * i / (axis->count - 1);
  /* Exact end point, whatever the rounding of the step. */
  values[axis->count - 1] = axis->max;
}

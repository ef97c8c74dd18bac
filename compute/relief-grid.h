/* relief-grid.h: the grid axes of loss-landscape slices. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Grid given as loss-landscape's "min:max:count". */
typedef struct {
  double min, max;
  int    count;
} ReliefGridAxis;

gboolean relief_grid_axis_parse  (const char *text, ReliefGridAxis *out, GError **error);
void     relief_grid_axis_values (const ReliefGridAxis *axis, double *values);  /* count values, linspace */

G_END_DECLS

/* relief-live-curves.h: the curves of a job that is still running (a training's loss and
 * accuracy), kept to a fixed number of points however long the job runs.  Points fall into
 * buckets of consecutive points; when the buckets are full, neighbours merge, so each
 * bucket keeps the first and last x and each curve's lowest and highest value in it, as
 * plotting tools decimate (min and max per pixel column).  Adding a point costs O(1)
 * amortized and the points to draw stay under 2 * max_buckets: the main loop's work per
 * update does not grow with the run.  The whole series is in the run file. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ReliefLiveCurves ReliefLiveCurves;

ReliefLiveCurves *relief_live_curves_new   (guint n_curves, guint max_buckets);
void              relief_live_curves_free  (ReliefLiveCurves *self);
void              relief_live_curves_clear (ReliefLiveCurves *self);
/* One point: x and a value for each curve (NaN where a curve has none). */
void              relief_live_curves_add   (ReliefLiveCurves *self, double x, const double *values);
/* The points added since the last clear. */
guint64           relief_live_curves_get_n_added (const ReliefLiveCurves *self);
/* The points to draw, in x order: *n_points of x, and of each curve's values.  Valid until
 * the next add or clear. */
const double     *relief_live_curves_get_x      (ReliefLiveCurves *self, guint *n_points);
const double     *relief_live_curves_get_values (ReliefLiveCurves *self, guint curve);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefLiveCurves, relief_live_curves_free)

G_END_DECLS

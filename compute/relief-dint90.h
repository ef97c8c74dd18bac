/* relief-dint90.h: the intrinsic dimension d_int90 of a subspace sweep (Li, Farkhoor, Liu,
 * Yosinski 2018). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* d_int90 from a sweep: dims [K] ascending, acc [K, seeds] row-major (NaN: not run, skipped).
 * Per seed, the first d whose accuracy reaches 0.9 * baseline, linearly interpolated between
 * it and the previous run point; seeds that never reach it are left out of the mean and the
 * sample standard deviation (0 for one seed); both are NaN when no seed reaches it.
 * Returns the number of seeds that reached it. */
int relief_dint90 (const gint64 *dims, const double *acc, int K, int seeds, double baseline,
                   double *dint_mean, double *dint_std);

G_END_DECLS

/* relief-dint90.c: d_int90, the smallest subspace dimension reaching 90% of the baseline. */
#include "relief-dint90.h"

#include <math.h>

int
relief_dint90 (const gint64 *dims, const double *acc, int K, int seeds, double baseline,
               double *dint_mean, double *dint_std)
{
  double target = 0.9 * baseline, sum = 0.0, sum_sq = 0.0;
  int reached = 0;

  for (int s = 0; s < seeds; s++)
    {
      double prev_d = NAN, prev_a = NAN, found = NAN;

      for (int k = 0; k < K && isnan (found); k++)
        {
          double a = acc[(gsize) k * seeds + s];

          if (isnan (a))
            continue;
          if (a >= target)
            found = isnan (prev_d) ? (double) dims[k]
                    : prev_d + (target - prev_a) / (a - prev_a) * ((double) dims[k] - prev_d);
          prev_d = (double) dims[k];
          prev_a = a;
        }
      if (isnan (found))
        continue;
      reached++;
      sum += found;
      sum_sq += found * found;
    }
  *dint_mean = reached > 0 ? sum / reached : NAN;
  *dint_std = reached > 1 ? sqrt (MAX (0.0, (sum_sq - sum * sum / reached) / (reached - 1)))
              : reached == 1 ? 0.0 : NAN;
  return reached;
}

/* relief-contour.c: marching squares and contour levels. */
#include "relief-contour.h"

#include <math.h>

/* Cell edges in order around the cell: bottom (c0-c1), right (c1-c2), top (c3-c2) and
 * left (c0-c3), with corners c0 = (i, j), c1 = (i+1, j), c2 = (i+1, j+1), c3 = (i, j+1). */
static const int edge_corners[4][2] = { { 0, 1 }, { 1, 2 }, { 3, 2 }, { 0, 3 } };

void
relief_contour_segments (const double *z, int nx, int ny, const double *xs, const double *ys,
                         double level, ReliefSegmentFunc segment, gpointer user_data)
{
  for (int j = 0; j + 1 < ny; j++)
    for (int i = 0; i + 1 < nx; i++)
      {
        double cz[4] = { z[(gsize) j * nx + i], z[(gsize) j * nx + i + 1],
                         z[(gsize) (j + 1) * nx + i + 1], z[(gsize) (j + 1) * nx + i] };
        double cx[4] = { xs[i], xs[i + 1], xs[i + 1], xs[i] };
        double cy[4] = { ys[j], ys[j], ys[j + 1], ys[j + 1] };
        gboolean above[4];
        double ex[4], ey[4];
        gboolean crossed[4];
        int n_crossed = 0;

        if (isnan (cz[0]) || isnan (cz[1]) || isnan (cz[2]) || isnan (cz[3]))
          continue;
        for (int k = 0; k < 4; k++)
          above[k] = cz[k] > level;

        for (int e = 0; e < 4; e++)
          {
            int a = edge_corners[e][0], b = edge_corners[e][1];
            double t;

            crossed[e] = above[a] != above[b];
            if (!crossed[e])
              continue;
            t = (level - cz[a]) / (cz[b] - cz[a]);
            ex[e] = cx[a] + t * (cx[b] - cx[a]);
            ey[e] = cy[a] + t * (cy[b] - cy[a]);
            n_crossed++;
          }

        if (n_crossed == 2)
          {
            int e0 = -1, e1 = -1;

            for (int e = 0; e < 4; e++)
              if (crossed[e])
                {
                  if (e0 < 0)
                    e0 = e;
                  else
                    e1 = e;
                }
            segment (ex[e0], ey[e0], ex[e1], ey[e1], user_data);
          }
        else if (n_crossed == 4)
          {
            /* A saddle: c0 and c2 are on one side, c1 and c3 on the other.  The cell
             * centre decides which pair is joined through the middle; the lines then
             * cut off the two corners of the other pair. */
            double centre = (cz[0] + cz[1] + cz[2] + cz[3]) / 4;

            if ((centre > level) == above[0])
              {
                segment (ex[0], ey[0], ex[1], ey[1], user_data);   /* around c1 */
                segment (ex[2], ey[2], ex[3], ey[3], user_data);   /* around c3 */
              }
            else
              {
                segment (ex[3], ey[3], ex[0], ey[0], user_data);   /* around c0 */
                segment (ex[1], ey[1], ex[2], ey[2], user_data);   /* around c2 */
              }
          }
      }
}

void
relief_contour_levels (double zmin, double zmax, int n, gboolean log, double *levels)
{
  gboolean use_log = log && zmin > 0 && zmax > 0;
  double lo = use_log ? log10 (zmin) : zmin;
  double hi = use_log ? log10 (zmax) : zmax;

  for (int k = 0; k < n; k++)
    {
      double v = lo + (k + 1) * (hi - lo) / (n + 1);

      levels[k] = use_log ? pow (10, v) : v;
    }
}

/* relief-grid.c: lookups on a surface's grid. */
#include "relief-grid.h"

#include <math.h>

int
relief_grid_cell (const double *c, int n, double v)
{
  int lo = 0, hi = n - 1;

  while (hi - lo > 1)
    {
      int mid = (lo + hi) / 2;

      if (c[mid] <= v)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

void
relief_grid_extent (const double *c, int n, double *lo, double *hi)
{
  double centre = c && n == 1 ? c[0] : 0;

  *lo = c && n >= 2 ? c[0] : centre - 0.5;
  *hi = c && n >= 2 ? c[n - 1] : centre + 0.5;
}

double
relief_grid_interpolate (const double *z, int nx, int ny, const double *xs, const double *ys, double x, double y)
{
  int i, j;
  double tx, ty;

  if (nx < 2 || ny < 2 || !(x >= xs[0] && x <= xs[nx - 1] && y >= ys[0] && y <= ys[ny - 1]))
    return NAN;
  i = relief_grid_cell (xs, nx, x);
  j = relief_grid_cell (ys, ny, y);
  tx = (x - xs[i]) / (xs[i + 1] - xs[i]);
  ty = (y - ys[j]) / (ys[j + 1] - ys[j]);
  return (1 - ty) * ((1 - tx) * z[(gsize) j * nx + i] + tx * z[(gsize) j * nx + i + 1])
         + ty * ((1 - tx) * z[(gsize) (j + 1) * nx + i] + tx * z[(gsize) (j + 1) * nx + i + 1]);
}

/* relief-plot-histogram.c: bars over bins, on a linear or a log y axis. */
#include "relief-plot-histogram.h"
#include "relief-plot-private.h"

#include <math.h>

/* Bin heights in data units: counts, or densities. */
static double *
bin_heights (const ReliefHistogramSpec *s)
{
  double *h = g_new (double, MAX (s->n_bins, 1)), total = 0;

  for (int b = 0; b < s->n_bins; b++)
    total += s->counts[b];
  for (int b = 0; b < s->n_bins; b++)
    {
      double width = s->edges[b + 1] - s->edges[b];

      h[b] = s->density ? (total > 0 && width > 0 ? s->counts[b] / (total * width) : 0) : s->counts[b];
    }
  return h;
}

/* y limits in axis units with matplotlib's 5% margins: from 0 on a linear axis (a margin
 * at the top only), around the positive bars on a log one (so the lowest still shows). */
static void
y_limits (const ReliefHistogramSpec *s, const double *h, double *lo, double *hi)
{
  double min_positive = INFINITY, max = -INFINITY;

  for (int b = 0; b < s->n_bins; b++)
    if (isfinite (h[b]))
      {
        max = MAX (max, h[b]);
        if (h[b] > 0)
          min_positive = MIN (min_positive, h[b]);
      }
  if (s->log_y)
    {
      if (!isfinite (min_positive))
        {
          *lo = 0;
          *hi = 1;
          return;
        }
      double span;

      *lo = log10 (min_positive);
      *hi = log10 (max);
      relief_plot_widen_if_empty (lo, hi);
      span = *hi - *lo;
      *lo -= 0.05 * span;
      *hi += 0.05 * span;
      return;
    }
  *lo = 0;
  *hi = max > 0 ? 1.05 * max : 1;
}

void
relief_plot_histogram (cairo_t *cr, double width, double height, const ReliefHistogramSpec *spec,
                       ReliefPlotFrame *frame_out)
{
  g_autofree double *h = bin_heights (spec);
  ReliefPlotAxes ax = { 0 };
  double xlo = 0, xhi = 1, ylo, yhi;

  if (spec->n_bins > 0 && spec->edges)
    {
      double span;

      xlo = spec->edges[0];
      xhi = spec->edges[spec->n_bins];
      relief_plot_widen_if_empty (&xlo, &xhi);
      span = xhi - xlo;
      xlo -= 0.05 * span;
      xhi += 0.05 * span;
    }
  y_limits (spec, h, &ylo, &yhi);

  cairo_save (cr);
  relief_plot_axes_begin (cr, &ax, width, height, spec->title, spec->xlabel, spec->ylabel, xlo, xhi, ylo, yhi, FALSE,
                          spec->log_y, NULL, NULL);

  cairo_save (cr);
  relief_plot_clip_to_data (cr, &ax);
  for (int b = 0; b < spec->n_bins; b++)
    {
      double x0, x1, top;

      if (!isfinite (h[b]) || h[b] <= 0)
        continue;
      x0 = relief_plot_axes_x_dev (&ax, spec->edges[b]);
      x1 = relief_plot_axes_x_dev (&ax, spec->edges[b + 1]);
      top = relief_plot_axes_y_dev (&ax, spec->log_y ? log10 (h[b]) : h[b]);
      cairo_rectangle (cr, x0, top, x1 - x0, ax.py + ax.ph - top);
    }
  cairo_set_source_rgb (cr, spec->rgb[0], spec->rgb[1], spec->rgb[2]);
  cairo_fill (cr);
  cairo_restore (cr);

  relief_plot_axes_finish (cr, &ax, spec->title, spec->xlabel, spec->ylabel, frame_out);
  cairo_restore (cr);
}

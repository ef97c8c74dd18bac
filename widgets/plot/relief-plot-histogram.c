/* relief-plot-histogram.c: bars over bins, on linear or log axes, with lines and markers
 * over them. */
#include "relief-plot-histogram.h"
#include "relief-plot-private.h"

#include <math.h>
#include <string.h>

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

static double
x_axis_unit (const ReliefHistogramSpec *s, double x)
{
  return s->log_x ? log10 (x) : x;
}

/* x limits in axis units: the edges and the markers (those a log axis can show), with 5%
 * margins. */
static void
x_limits (const ReliefHistogramSpec *s, double *lo, double *hi)
{
  double span;

  *lo = 0;
  *hi = 1;
  if (s->n_bins > 0 && s->edges)
    {
      *lo = x_axis_unit (s, s->edges[0]);
      *hi = x_axis_unit (s, s->edges[s->n_bins]);
    }
  for (int m = 0; m < s->n_markers; m++)
    if (isfinite (s->markers[m].x) && (!s->log_x || s->markers[m].x > 0))
      {
        *lo = MIN (*lo, x_axis_unit (s, s->markers[m].x));
        *hi = MAX (*hi, x_axis_unit (s, s->markers[m].x));
      }
  relief_plot_widen_if_empty (lo, hi);
  span = *hi - *lo;
  *lo -= 0.05 * span;
  *hi += 0.05 * span;
}

static void
draw_markers (cairo_t *cr, const ReliefPlotAxes *ax, const ReliefHistogramSpec *s)
{
  for (int m = 0; m < s->n_markers; m++)
    {
      const ReliefHistogramMarker *marker = &s->markers[m];
      double x;

      if (!isfinite (marker->x) || (s->log_x && marker->x <= 0))
        continue;
      x = relief_plot_axes_x_dev (ax, x_axis_unit (s, marker->x));
      cairo_save (cr);
      cairo_set_source_rgb (cr, marker->rgb[0], marker->rgb[1], marker->rgb[2]);
      cairo_set_line_width (cr, 1.5);
      if (marker->dashed)
        cairo_set_dash (cr, (const double[]) { 5, 3 }, 2, 0);
      cairo_move_to (cr, x, ax->py);
      cairo_line_to (cr, x, ax->py + ax->ph);
      cairo_stroke (cr);
      cairo_restore (cr);
    }
}

/* The legend of the lines and markers: the markers as series without points, so they
 * take their place in it without weighing on where it goes. */
static void
draw_legend (cairo_t *cr, const ReliefPlotAxes *ax, const ReliefHistogramSpec *s)
{
  g_autofree ReliefLineSeries *entries = g_new0 (ReliefLineSeries, MAX (s->n_lines + s->n_markers, 1));

  for (int l = 0; l < s->n_lines; l++)
    entries[l] = s->lines[l];
  for (int m = 0; m < s->n_markers; m++)
    {
      ReliefLineSeries *e = &entries[s->n_lines + m];

      e->label = s->markers[m].label;
      e->dashed = s->markers[m].dashed;
      memcpy (e->rgb, s->markers[m].rgb, sizeof e->rgb);
    }
  relief_plot_series_legend (cr, ax, entries, s->n_lines + s->n_markers);
}

void
relief_plot_histogram (cairo_t *cr, double width, double height, const ReliefHistogramSpec *spec,
                       ReliefPlotFrame *frame_out)
{
  g_autofree double *h = bin_heights (spec);
  ReliefPlotAxes ax = { 0 };
  double xlo, xhi, ylo, yhi;

  x_limits (spec, &xlo, &xhi);
  y_limits (spec, h, &ylo, &yhi);

  cairo_save (cr);
  relief_plot_axes_begin (cr, &ax, width, height, spec->title, spec->xlabel, spec->ylabel, xlo, xhi, ylo, yhi,
                          spec->log_x, spec->log_y, NULL, NULL);

  cairo_save (cr);
  relief_plot_clip_to_data (cr, &ax);
  for (int b = 0; b < spec->n_bins; b++)
    {
      double x0, x1, top;

      if (!isfinite (h[b]) || h[b] <= 0)
        continue;
      x0 = relief_plot_axes_x_dev (&ax, x_axis_unit (spec, spec->edges[b]));
      x1 = relief_plot_axes_x_dev (&ax, x_axis_unit (spec, spec->edges[b + 1]));
      top = relief_plot_axes_y_dev (&ax, spec->log_y ? log10 (h[b]) : h[b]);
      cairo_rectangle (cr, x0, top, x1 - x0, ax.py + ax.ph - top);
    }
  cairo_set_source_rgb (cr, spec->rgb[0], spec->rgb[1], spec->rgb[2]);
  cairo_fill (cr);
  for (int l = 0; l < spec->n_lines; l++)
    relief_plot_draw_series (cr, &ax, &spec->lines[l]);
  draw_markers (cr, &ax, spec);
  cairo_restore (cr);

  if (spec->legend)
    draw_legend (cr, &ax, spec);

  relief_plot_axes_finish (cr, &ax, spec->title, spec->xlabel, spec->ylabel, frame_out);
  cairo_restore (cr);
}

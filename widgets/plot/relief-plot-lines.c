/* relief-plot-lines.c: line plots, the default palette and legends. */
#include "relief-plot-lines.h"
#include "relief-plot-private.h"

#include <math.h>

void
relief_plot_palette (int i, double rgb[3])
{
  /* matplotlib's tab10 */
  static const guint32 tab10[10] = { 0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                     0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf };
  guint32 c = tab10[((i % 10) + 10) % 10];

  rgb[0] = ((c >> 16) & 0xff) / 255.0;
  rgb[1] = ((c >> 8) & 0xff) / 255.0;
  rgb[2] = (c & 0xff) / 255.0;
}

static gboolean
usable_y (double y, gboolean log_y)
{
  return isfinite (y) && (!log_y || y > 0);
}

/* A line plot's point in axis units (log10 on log axes); FALSE when it cannot be drawn. */
static gboolean
line_point (gboolean log_x, gboolean log_y, double x, double y, double *ax_x, double *ax_y)
{
  if (!usable_y (x, log_x) || !usable_y (y, log_y))
    return FALSE;
  *ax_x = log_x ? log10 (x) : x;
  *ax_y = log_y ? log10 (y) : y;
  return TRUE;
}

static void
data_limits (const ReliefLinePlotSpec *spec, double *xlo, double *xhi, double *ylo, double *yhi)
{
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;

  for (int s = 0; s < spec->n_series; s++)
    for (int i = 0; i < spec->series[s].n; i++)
      {
        double x, y;

        if (!line_point (spec->log_x, spec->log_y, spec->series[s].x[i], spec->series[s].y[i], &x, &y))
          continue;
        x0 = MIN (x0, x);
        x1 = MAX (x1, x);
        y0 = MIN (y0, y);
        y1 = MAX (y1, y);
      }

  /* matplotlib's default 5% margins around fitted limits. */
  if (spec->xmin < spec->xmax && (!spec->log_x || spec->xmin > 0))
    {
      *xlo = spec->log_x ? log10 (spec->xmin) : spec->xmin;
      *xhi = spec->log_x ? log10 (spec->xmax) : spec->xmax;
    }
  else if (x0 <= x1)
    {
      relief_plot_widen_if_empty (&x0, &x1);
      *xlo = x0 - 0.05 * (x1 - x0);
      *xhi = x1 + 0.05 * (x1 - x0);
    }
  else
    {
      *xlo = 0;
      *xhi = 1;
    }

  if (spec->ymin < spec->ymax && (!spec->log_y || spec->ymin > 0))
    {
      *ylo = spec->log_y ? log10 (spec->ymin) : spec->ymin;
      *yhi = spec->log_y ? log10 (spec->ymax) : spec->ymax;
    }
  else if (y0 <= y1)
    {
      relief_plot_widen_if_empty (&y0, &y1);
      *ylo = y0 - 0.05 * (y1 - y0);
      *yhi = y1 + 0.05 * (y1 - y0);
    }
  else
    {
      *ylo = 0;
      *yhi = 1;
    }
}

void
relief_plot_draw_series (cairo_t *cr, const ReliefPlotAxes *ax, const ReliefLineSeries *s)
{
  gboolean pen_down = FALSE;

  cairo_save (cr);
  cairo_set_source_rgb (cr, s->rgb[0], s->rgb[1], s->rgb[2]);
  /* Two points: 2.5 pixels on screen, readable from the back of a room. */
  cairo_set_line_width (cr, 2.0);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  if (s->dashed)
    cairo_set_dash (cr, (const double[]) { 5, 3 }, 2, 0);
  for (int i = 0; i < s->n; i++)
    {
      double x, y, nx, ny;

      if (!line_point (ax->x.log, ax->y.log, s->x[i], s->y[i], &x, &y))
        {
          pen_down = FALSE;
          continue;
        }
      x = relief_plot_axes_x_dev (ax, x);
      y = relief_plot_axes_y_dev (ax, y);
      if (pen_down)
        cairo_line_to (cr, x, y);
      else
        {
          gboolean alone = i + 1 >= s->n || !line_point (ax->x.log, ax->y.log, s->x[i + 1], s->y[i + 1], &nx, &ny);

          cairo_move_to (cr, x, y);
          /* A point between two gaps would draw nothing: make it a dot. */
          if (alone)
            cairo_line_to (cr, x, y);
        }
      pen_down = TRUE;
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* The series' points inside the box (x, y, w, h); on log axes only those drawn. */
static int
series_points_in (const ReliefPlotAxes *ax, const ReliefLineSeries *series, int n, double x, double y, double w,
                  double h)
{
  int count = 0;

  for (int s = 0; s < n; s++)
    for (int i = 0; i < series[s].n; i++)
      {
        double dx = series[s].x[i], dy = series[s].y[i];

        if (!usable_y (dx, ax->x.log) || !usable_y (dy, ax->y.log))
          continue;
        dx = relief_plot_axes_x_dev (ax, ax->x.log ? log10 (dx) : dx);
        dy = relief_plot_axes_y_dev (ax, ax->y.log ? log10 (dy) : dy);
        if (dx >= x && dx <= x + w && dy >= y && dy <= y + h)
          count++;
      }
  return count;
}

void
relief_plot_series_legend (cairo_t *cr, const ReliefPlotAxes *ax, const ReliefLineSeries *series, int n)
{
  double row, sample = 18, label_w = 0, bw, bh, best_x = 0, best_y = 0;
  int best_count = G_MAXINT, n_labels = 0;

  relief_plot_set_font (cr, FONT_TICK);
  row = relief_plot_cap_height (cr) * 2;
  for (int e = 0; e < n; e++)
    if (series[e].label && *series[e].label)
      {
        label_w = MAX (label_w, relief_plot_text_width (cr, series[e].label));
        n_labels++;
      }
  if (n_labels == 0)
    return;
  bw = PAD + sample + PAD + label_w + PAD * 1.5;
  bh = n_labels * row + PAD;
  if (bw > ax->pw - 4 * PAD || bh > ax->ph - 4 * PAD)
    return;

  for (int corner = 0; corner < 4; corner++)
    {
      double x = corner % 2 == 0 ? ax->px + ax->pw - 2 * PAD - bw : ax->px + 2 * PAD;
      double y = corner < 2 ? ax->py + 2 * PAD : ax->py + ax->ph - 2 * PAD - bh;
      int count = series_points_in (ax, series, n, x, y, bw, bh);

      if (count < best_count)
        {
          best_count = count;
          best_x = x;
          best_y = y;
        }
    }

  cairo_save (cr);
  cairo_rectangle (cr, best_x, best_y, bw, bh);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.85);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.8, 0.8, 0.8);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_stroke (cr);
  for (int e = 0, k = 0; e < n; e++)
    {
      const ReliefLineSeries *entry = &series[e];
      double cy = best_y + PAD / 2 + (k + 0.5) * row;

      if (!entry->label || !*entry->label)
        continue;
      cairo_save (cr);
      cairo_set_source_rgb (cr, entry->rgb[0], entry->rgb[1], entry->rgb[2]);
      /* A little bolder than the lines: a sample this short needs it to show its color. */
      cairo_set_line_width (cr, 2.5);
      if (entry->dashed)
        cairo_set_dash (cr, (const double[]) { 5, 3 }, 2, 0);
      cairo_move_to (cr, best_x + PAD, cy);
      cairo_line_to (cr, best_x + PAD + sample, cy);
      cairo_stroke (cr);
      cairo_restore (cr);
      cairo_set_source_rgb (cr, relief_plot_ink[0], relief_plot_ink[1], relief_plot_ink[2]);
      relief_plot_show_text (cr, best_x + 2 * PAD + sample, cy, entry->label, 0, 0.5);
      k++;
    }
  cairo_restore (cr);
}

void
relief_plot_lines (cairo_t *cr, double width, double height, const ReliefLinePlotSpec *spec,
                   ReliefPlotFrame *frame_out)
{
  ReliefPlotAxes ax = { 0 };
  double xlo, xhi, ylo, yhi;

  data_limits (spec, &xlo, &xhi, &ylo, &yhi);
  cairo_save (cr);
  relief_plot_axes_begin (cr, &ax, width, height, spec->title, spec->xlabel, spec->ylabel, xlo, xhi, ylo, yhi,
                          spec->log_x, spec->log_y, NULL, NULL);

  cairo_save (cr);
  relief_plot_clip_to_data (cr, &ax);
  for (int s = 0; s < spec->n_series; s++)
    relief_plot_draw_series (cr, &ax, &spec->series[s]);
  cairo_restore (cr);

  /* The legend lies inside the data area, clear of the box and the ticks drawn after it. */
  if (spec->legend)
    relief_plot_series_legend (cr, &ax, spec->series, spec->n_series);
  relief_plot_axes_finish (cr, &ax, spec->title, spec->xlabel, spec->ylabel, frame_out);
  cairo_restore (cr);
}

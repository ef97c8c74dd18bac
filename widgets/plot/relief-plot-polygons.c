/* relief-plot-polygons.c: filled, outlined polygons in data coordinates. */
#include "relief-plot-polygons.h"
#include "relief-plot-private.h"

#include <math.h>

/* The vertices' extent when the spec fixes no limits: regions that tile a square fill it. */
static void
limits (const ReliefPolygonPlotSpec *s, double *xlo, double *xhi, double *ylo, double *yhi)
{
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;

  for (int p = 0; p < s->n_polygons; p++)
    for (int i = 0; i < s->polygons[p].n; i++)
      if (isfinite (s->polygons[p].x[i]) && isfinite (s->polygons[p].y[i]))
        {
          x0 = MIN (x0, s->polygons[p].x[i]);
          x1 = MAX (x1, s->polygons[p].x[i]);
          y0 = MIN (y0, s->polygons[p].y[i]);
          y1 = MAX (y1, s->polygons[p].y[i]);
        }
  if (!(x0 <= x1))
    x0 = 0, x1 = 1;
  if (!(y0 <= y1))
    y0 = 0, y1 = 1;
  *xlo = s->xmin < s->xmax ? s->xmin : x0;
  *xhi = s->xmin < s->xmax ? s->xmax : x1;
  *ylo = s->ymin < s->ymax ? s->ymin : y0;
  *yhi = s->ymin < s->ymax ? s->ymax : y1;
  relief_plot_widen_if_empty (xlo, xhi);
  relief_plot_widen_if_empty (ylo, yhi);
}

static gboolean
trace (cairo_t *cr, const ReliefPlotAxes *ax, const ReliefPolygon *p)
{
  if (p->n < 3)
    return FALSE;
  cairo_new_path (cr);
  for (int i = 0; i < p->n; i++)
    {
      if (!isfinite (p->x[i]) || !isfinite (p->y[i]))
        return FALSE;
      cairo_line_to (cr, relief_plot_axes_x_dev (ax, p->x[i]), relief_plot_axes_y_dev (ax, p->y[i]));
    }
  cairo_close_path (cr);
  return TRUE;
}

void
relief_plot_polygons (cairo_t *cr, double width, double height, const ReliefPolygonPlotSpec *spec,
                      ReliefPlotFrame *frame_out)
{
  ReliefPlotAxes ax = { 0 };
  double xlo, xhi, ylo, yhi;

  limits (spec, &xlo, &xhi, &ylo, &yhi);
  cairo_save (cr);
  relief_plot_axes_begin (cr, &ax, width, height, spec->title, spec->xlabel, spec->ylabel, xlo, xhi, ylo, yhi, FALSE,
                          FALSE, NULL, NULL);

  cairo_save (cr);
  relief_plot_clip_to_data (cr, &ax);
  /* Non-zero winding fills a simple polygon, convex or not, exactly once. */
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_WINDING);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
  for (int k = 0; k < spec->n_polygons; k++)
    {
      const ReliefPolygon *p = &spec->polygons[k];

      if (!trace (cr, &ax, p))
        {
          cairo_new_path (cr);
          continue;
        }
      cairo_set_source_rgb (cr, p->fill[0], p->fill[1], p->fill[2]);
      if (spec->outline_width <= 0)
        {
          cairo_fill (cr);
          continue;
        }
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, p->outline[0], p->outline[1], p->outline[2]);
      cairo_set_line_width (cr, spec->outline_width);
      cairo_stroke (cr);
    }
  cairo_restore (cr);

  relief_plot_axes_finish (cr, &ax, spec->title, spec->xlabel, spec->ylabel, frame_out);
  cairo_restore (cr);
}

void
relief_plot_polygons_over (cairo_t *cr, const ReliefPlotFrame *frame, const ReliefPolygon *polygons,
                           int n_polygons, double fill_alpha, double outline_width, const double *segments,
                           gsize n_segments, const double segment_rgb[3], double segment_width)
{
  double px, py;

  if (frame->pw <= 0 || frame->ph <= 0 || !(frame->xmin < frame->xmax) || !(frame->ymin < frame->ymax))
    return;
  cairo_save (cr);
  cairo_rectangle (cr, frame->px, frame->py, frame->pw, frame->ph);
  cairo_clip (cr);
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_WINDING);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
  for (int k = 0; k < n_polygons; k++)
    {
      const ReliefPolygon *p = &polygons[k];
      gboolean finite = p->n >= 3;

      cairo_new_path (cr);
      for (int i = 0; finite && i < p->n; i++)
        {
          finite = isfinite (p->x[i]) && isfinite (p->y[i]);
          relief_plot_frame_from_data (frame, p->x[i], p->y[i], &px, &py);
          cairo_line_to (cr, px, py);
        }
      if (!finite)
        continue;
      cairo_close_path (cr);
      cairo_set_source_rgba (cr, p->fill[0], p->fill[1], p->fill[2], fill_alpha);
      if (outline_width <= 0)
        {
          cairo_fill (cr);
          continue;
        }
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, p->outline[0], p->outline[1], p->outline[2]);
      cairo_set_line_width (cr, outline_width);
      cairo_stroke (cr);
    }
  /* The boundary as one path: its pieces join where they meet. */
  cairo_new_path (cr);
  for (gsize s = 0; s < n_segments; s++)
    {
      const double *seg = segments + 4 * s;

      if (!isfinite (seg[0]) || !isfinite (seg[1]) || !isfinite (seg[2]) || !isfinite (seg[3]))
        continue;
      relief_plot_frame_from_data (frame, seg[0], seg[1], &px, &py);
      cairo_move_to (cr, px, py);
      relief_plot_frame_from_data (frame, seg[2], seg[3], &px, &py);
      cairo_line_to (cr, px, py);
    }
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_source_rgb (cr, segment_rgb[0], segment_rgb[1], segment_rgb[2]);
  cairo_set_line_width (cr, segment_width);
  cairo_stroke (cr);
  cairo_restore (cr);
}

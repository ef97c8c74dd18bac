/* relief-plot-polygons.c: filled, outlined polygons in data coordinates. */
#include "relief-plot-polygons.h"
#include "relief-plot-private.h"

#include <math.h>

#define SAMPLE_RADIUS 2.4
#define CB_GAP 12.0
#define CB_WIDTH 12.0

typedef struct {
  const ReliefPolygonPlotSpec *spec;
  ReliefPlotAxis               cbar;
} Polygons;

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

static void
draw_segments (cairo_t *cr, const ReliefPlotAxes *ax, const ReliefPolygonPlotSpec *s)
{
  cairo_new_path (cr);
  for (gsize k = 0; k < s->n_segments; k++)
    {
      const double *g = s->segments + 4 * k;

      if (!isfinite (g[0]) || !isfinite (g[1]) || !isfinite (g[2]) || !isfinite (g[3]))
        continue;
      cairo_move_to (cr, relief_plot_axes_x_dev (ax, g[0]), relief_plot_axes_y_dev (ax, g[1]));
      cairo_line_to (cr, relief_plot_axes_x_dev (ax, g[2]), relief_plot_axes_y_dev (ax, g[3]));
    }
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  /* A white halo under the line, so that it reads over every fill. */
  cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
  cairo_set_line_width (cr, s->segment_width + 2);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, s->segment_rgb[0], s->segment_rgb[1], s->segment_rgb[2]);
  cairo_set_line_width (cr, s->segment_width);
  cairo_stroke (cr);
}

static void
draw_samples (cairo_t *cr, const ReliefPlotAxes *ax, const ReliefPolygonPlotSpec *s)
{
  static const double edge[3] = { 0.1, 0.1, 0.1 };

  for (int k = 0; k < s->n_samples; k++)
    {
      double rgb[3], x = s->samples[2 * k], y = s->samples[2 * k + 1];

      if (!isfinite (x) || !isfinite (y))
        continue;
      relief_plot_palette (s->labels[k], rgb);
      cairo_new_path (cr);
      relief_plot_dot (cr, relief_plot_axes_x_dev (ax, x), relief_plot_axes_y_dev (ax, y), SAMPLE_RADIUS, rgb, edge,
                       0.9);
    }
}

/* Width the colorbar takes right of the data area; builds its axis for the data area's
 * height. */
static double
colorbar_width (cairo_t *cr, const ReliefPlotAxes *ax, gpointer user_data)
{
  Polygons *pg = user_data;
  double width;

  relief_ticks_build (&pg->cbar, pg->spec->zmin, pg->spec->zmax, FALSE, (int) (ax->ph / 28) + 1);
  relief_plot_set_font (cr, FONT_TICK);
  width = CB_GAP + CB_WIDTH + TICK_LEN + PAD + relief_plot_axis_max_label_width (cr, &pg->cbar) + PAD;
  if (pg->spec->zlabel && *pg->spec->zlabel)
    {
      relief_plot_set_font (cr, FONT_LABEL);
      width += PAD + relief_plot_cap_height (cr) + relief_plot_descent (cr);
    }
  return width;
}

static void
draw_colorbar (cairo_t *cr, Polygons *pg, const ReliefPlotAxes *ax, ReliefPlotFrame *frame)
{
  double x = ax->px + ax->pw + CB_GAP, y = ax->py, w = CB_WIDTH, h = ax->ph;
  const char *zlabel = pg->spec->zlabel;

  cairo_save (cr);
  relief_plot_colorbar_ramp (cr, pg->spec->colormap, x, y, w, h);
  relief_plot_colorbar_ticks (cr, &pg->cbar, x, y, w, h);
  if (zlabel && *zlabel)
    {
      double lx = x + w + TICK_LEN + PAD + relief_plot_axis_max_label_width (cr, &pg->cbar) + PAD;

      relief_plot_set_font (cr, FONT_LABEL);
      cairo_translate (cr, lx + relief_plot_cap_height (cr), y + h / 2);
      cairo_rotate (cr, G_PI / 2);
      relief_plot_show_text (cr, 0, 0, zlabel, 0.5, 1);
    }
  cairo_restore (cr);
  frame->cbx = x;
  frame->cby = y;
  frame->cbw = w;
  frame->cbh = h;
}

void
relief_plot_polygons (cairo_t *cr, double width, double height, const ReliefPolygonPlotSpec *spec,
                      ReliefPlotFrame *frame_out)
{
  Polygons pg = { spec };
  ReliefPlotAxes ax = { 0 };
  ReliefPlotFrame frame = { 0 };
  gboolean colorbar = spec->show_colorbar && spec->zmin < spec->zmax;
  double xlo, xhi, ylo, yhi;

  limits (spec, &xlo, &xhi, &ylo, &yhi);
  cairo_save (cr);
  relief_plot_axes_begin (cr, &ax, width, height, spec->title, spec->xlabel, spec->ylabel, xlo, xhi, ylo, yhi, FALSE,
                          FALSE, colorbar ? colorbar_width : NULL, &pg);

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
  if (spec->n_segments > 0 && spec->segments != NULL)
    draw_segments (cr, &ax, spec);
  if (spec->n_samples > 0 && spec->samples != NULL && spec->labels != NULL)
    draw_samples (cr, &ax, spec);
  cairo_restore (cr);

  if (colorbar)
    draw_colorbar (cr, &pg, &ax, &frame);
  relief_plot_axes_finish (cr, &ax, spec->title, spec->xlabel, spec->ylabel, frame_out);
  if (colorbar)
    {
      relief_ticks_clear (&pg.cbar);
      if (frame_out)
        {
          frame_out->cbx = frame.cbx;
          frame_out->cby = frame.cby;
          frame_out->cbw = frame.cbw;
          frame_out->cbh = frame.cbh;
        }
    }
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

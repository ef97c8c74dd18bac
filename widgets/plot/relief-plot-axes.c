/* relief-plot-axes.c: text, axes with nice ticks, labels and titles, and the frame that
 * maps data to device units: what every renderer of the plot core draws around its data. */
#include "relief-plot-axes.h"
#include "relief-plot-private.h"

#include <math.h>
#include <string.h>

const double relief_plot_ink[3] = { 0.15, 0.15, 0.15 };

/* ---- text ---- */

void
relief_plot_set_font (cairo_t *cr, double size)
{
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

double
relief_plot_text_width (cairo_t *cr, const char *text)
{
  cairo_text_extents_t e;

  cairo_text_extents (cr, text, &e);
  return e.x_advance;
}

/* Height of digits and capitals: what labels are aligned on. */
double
relief_plot_cap_height (cairo_t *cr)
{
  cairo_text_extents_t e;

  cairo_text_extents (cr, "0", &e);
  return -e.y_bearing;
}

double
relief_plot_descent (cairo_t *cr)
{
  cairo_font_extents_t e;

  cairo_font_extents (cr, &e);
  return e.descent;
}

/* halign: 0 left, 0.5 centre, 1 right of x; valign: 0 caps hang from y, 0.5 centred on y,
 * 1 baseline on y. */
void
relief_plot_show_text (cairo_t *cr, double x, double y, const char *text, double halign, double valign)
{
  cairo_move_to (cr, x - halign * relief_plot_text_width (cr, text), y + (1 - valign) * relief_plot_cap_height (cr));
  cairo_show_text (cr, text);
}

void
relief_plot_show_text_vertical (cairo_t *cr, double x, double y, const char *text)
{
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rotate (cr, -G_PI / 2);
  relief_plot_show_text (cr, 0, 0, text, 0.5, 0);
  cairo_restore (cr);
}

/* ---- axes ---- */

double
relief_plot_axis_max_label_width (cairo_t *cr, const ReliefPlotAxis *a)
{
  double w = 0;

  for (int i = 0; i < a->n; i++)
    w = MAX (w, relief_plot_text_width (cr, a->label[i]));
  return w;
}

/* Fraction along the axis, 0 at lo. */
double
relief_plot_axis_frac (const ReliefPlotAxis *a, double v)
{
  return (v - a->lo) / (a->hi - a->lo);
}

/* Limits that are never empty. */
void
relief_plot_widen_if_empty (double *lo, double *hi)
{
  if (!(*lo < *hi))
    {
      double d = *lo != 0 ? fabs (*lo) * 0.1 : 0.5;

      *lo -= d;
      *hi += d;
    }
}

/* The margins around the data area are chosen so that no labels overlap. */
void
relief_plot_axes_begin (cairo_t *cr, ReliefPlotAxes *ax, double w, double h, const char *title,
                        const char *xlabel, const char *ylabel, double xlo, double xhi, double ylo, double yhi,
                        gboolean log_x, gboolean log_y, double (*right_for) (cairo_t *, const ReliefPlotAxes *, gpointer),
                        gpointer right_data)
{
  double ch_tick, desc_tick, ch_label, desc_label, ch_title;
  double top, bottom, left, right;

  relief_plot_paint_background (cr, w, h);
  relief_plot_set_font (cr, FONT_TITLE);
  ch_title = relief_plot_cap_height (cr);
  relief_plot_set_font (cr, FONT_LABEL);
  ch_label = relief_plot_cap_height (cr);
  desc_label = relief_plot_descent (cr);
  relief_plot_set_font (cr, FONT_TICK);
  ch_tick = relief_plot_cap_height (cr);
  desc_tick = relief_plot_descent (cr);

  top = title && *title ? 2 * PAD + ch_title + 2.5 * PAD : PAD + ch_tick;
  bottom = TICK_LEN + PAD + ch_tick + PAD
           + (xlabel && *xlabel ? PAD + ch_label + desc_label : desc_tick);
  ax->py = top;
  ax->ph = MAX (h - top - bottom, 1);
  relief_ticks_build (&ax->y, ylo, yhi, log_y, (int) (ax->ph / 28) + 1);

  left = PAD + (ylabel && *ylabel ? ch_label + desc_label + 1.5 * PAD : 0)
         + relief_plot_axis_max_label_width (cr, &ax->y) + PAD + TICK_LEN;
  right = right_for ? right_for (cr, ax, right_data) : 3 * PAD;
  ax->px = left;

  /* Fewer x ticks until neighbouring labels keep a gap between them. */
  for (int target = CLAMP ((int) ((w - left - right) / 60), 2, MAX_TICKS); target >= 2; target--)
    {
      gboolean fits = TRUE;

      ax->pw = MAX (w - left - right, 1);
      relief_ticks_build (&ax->x, xlo, xhi, log_x, target);
      for (int i = 0; i + 1 < ax->x.n; i++)
        {
          double gap = (relief_plot_axis_frac (&ax->x, ax->x.pos[i + 1])
                        - relief_plot_axis_frac (&ax->x, ax->x.pos[i])) * ax->pw;

          if (gap < (relief_plot_text_width (cr, ax->x.label[i]) + relief_plot_text_width (cr, ax->x.label[i + 1])) / 2
                    + 2 * PAD)
            fits = FALSE;
        }
      /* The last label may stick out past the data area: keep it inside the box. */
      if (ax->x.n > 0 && right_for == NULL)
        {
          double end = left + relief_plot_axis_frac (&ax->x, ax->x.pos[ax->x.n - 1]) * ax->pw
                       + relief_plot_text_width (cr, ax->x.label[ax->x.n - 1]) / 2 + PAD;
          double overhang = end - w;

          if (overhang > 0)
            {
              right += overhang;
              ax->pw = MAX (w - left - right, 1);
            }
        }
      if (fits)
        break;
    }
}

double
relief_plot_axes_x_dev (const ReliefPlotAxes *ax, double v)
{
  return ax->px + relief_plot_axis_frac (&ax->x, v) * ax->pw;
}

double
relief_plot_axes_y_dev (const ReliefPlotAxes *ax, double v)
{
  return ax->py + ax->ph - relief_plot_axis_frac (&ax->y, v) * ax->ph;
}

/* Tick marks and their labels below and left of the data area. */
static void
draw_ticks (cairo_t *cr, const ReliefPlotAxes *ax)
{
  cairo_save (cr);
  cairo_set_source_rgb (cr, relief_plot_ink[0], relief_plot_ink[1], relief_plot_ink[2]);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  for (int i = 0; i < ax->x.n; i++)
    {
      double x = relief_plot_axes_x_dev (ax, ax->x.pos[i]);

      cairo_move_to (cr, x, ax->py + ax->ph);
      cairo_line_to (cr, x, ax->py + ax->ph + TICK_LEN);
    }
  for (int i = 0; i < ax->y.n; i++)
    {
      double y = relief_plot_axes_y_dev (ax, ax->y.pos[i]);

      cairo_move_to (cr, ax->px, y);
      cairo_line_to (cr, ax->px - TICK_LEN, y);
    }
  for (int i = 0; i < ax->x.n_minor; i++)
    {
      double x = relief_plot_axes_x_dev (ax, ax->x.minor[i]);

      cairo_move_to (cr, x, ax->py + ax->ph);
      cairo_line_to (cr, x, ax->py + ax->ph + MINOR_TICK_LEN);
    }
  for (int i = 0; i < ax->y.n_minor; i++)
    {
      double y = relief_plot_axes_y_dev (ax, ax->y.minor[i]);

      cairo_move_to (cr, ax->px, y);
      cairo_line_to (cr, ax->px - MINOR_TICK_LEN, y);
    }
  cairo_stroke (cr);

  relief_plot_set_font (cr, FONT_TICK);
  for (int i = 0; i < ax->x.n; i++)
    relief_plot_show_text (cr, relief_plot_axes_x_dev (ax, ax->x.pos[i]), ax->py + ax->ph + TICK_LEN + PAD,
                           ax->x.label[i], 0.5, 0);
  for (int i = 0; i < ax->y.n; i++)
    relief_plot_show_text (cr, ax->px - TICK_LEN - PAD, relief_plot_axes_y_dev (ax, ax->y.pos[i]), ax->y.label[i],
                           1, 0.5);
  cairo_restore (cr);
}

/* The x axis for a data width of pw: fewer ticks until neighbouring labels keep a gap. */
static void
build_x_axis (cairo_t *cr, ReliefPlotAxis *a, double lo, double hi, gboolean log, double pw)
{
  relief_plot_set_font (cr, FONT_TICK);
  for (int target = CLAMP ((int) (pw / 60), 2, MAX_TICKS); target >= 2; target--)
    {
      gboolean fits = TRUE;

      relief_ticks_build (a, lo, hi, log, target);
      for (int i = 0; i + 1 < a->n; i++)
        if ((relief_plot_axis_frac (a, a->pos[i + 1]) - relief_plot_axis_frac (a, a->pos[i])) * pw
            < (relief_plot_text_width (cr, a->label[i]) + relief_plot_text_width (cr, a->label[i + 1])) / 2 + 2 * PAD)
          fits = FALSE;
      if (fits || target == 2)
        return;
      relief_ticks_clear (a);
    }
}

static void
frame_axes (cairo_t *cr, const ReliefPlotFrame *f, double xmin, double xmax, double ymin, double ymax,
            ReliefPlotAxes *ax)
{
  *ax = (ReliefPlotAxes) { .px = f->px, .py = f->py, .pw = f->pw, .ph = f->ph };
  build_x_axis (cr, &ax->x, f->log_x ? log10 (xmin) : xmin, f->log_x ? log10 (xmax) : xmax, f->log_x, f->pw);
  relief_ticks_build (&ax->y, f->log_y ? log10 (ymin) : ymin, f->log_y ? log10 (ymax) : ymax, f->log_y,
                          (int) (f->ph / 28) + 1);
}

void
relief_plot_redraw_ticks (cairo_t *cr, const ReliefPlotFrame *f, double xmin, double xmax, double ymin, double ymax)
{
  ReliefPlotAxes old, now;
  double ch_tick, desc_tick, old_w;

  if (!(xmin < xmax && ymin < ymax) || (f->log_x && xmin <= 0) || (f->log_y && ymin <= 0))
    return;
  cairo_save (cr);
  /* Where the old labels were: the same axes built for the limits the frame was drawn with. */
  frame_axes (cr, f, f->xmin, f->xmax, f->ymin, f->ymax, &old);
  frame_axes (cr, f, xmin, xmax, ymin, ymax, &now);
  relief_plot_set_font (cr, FONT_TICK);
  ch_tick = relief_plot_cap_height (cr);
  desc_tick = relief_plot_descent (cr);
  old_w = relief_plot_axis_max_label_width (cr, &old.y);

  cairo_set_source_rgb (cr, 1, 1, 1);
  /* Below the data area down to just above the x axis title, as wide as the outermost
   * labels reach but short of a colorbar; left of it from just right of the y axis title. */
  {
    double half = 0, right;

    for (int i = 0; i < old.x.n; i++)
      half = MAX (half, relief_plot_text_width (cr, old.x.label[i]) / 2);
    for (int i = 0; i < now.x.n; i++)
      half = MAX (half, relief_plot_text_width (cr, now.x.label[i]) / 2);
    right = f->px + f->pw + half + PAD;
    if (f->cbw > 0)
      right = MIN (right, f->cbx - PAD / 2);
    cairo_rectangle (cr, f->px - half - PAD, f->py + f->ph + LINE_WIDTH, right - (f->px - half - PAD),
                     TICK_LEN + PAD + ch_tick + desc_tick);
  }
  cairo_rectangle (cr, f->px - TICK_LEN - PAD - old_w - 0.5 * PAD, f->py - ch_tick,
                   TICK_LEN + PAD + old_w + 0.5 * PAD - LINE_WIDTH, f->ph + 2 * ch_tick);
  cairo_fill (cr);
  draw_ticks (cr, &now);
  cairo_restore (cr);
  relief_ticks_clear (&old.x);
  relief_ticks_clear (&old.y);
  relief_ticks_clear (&now.x);
  relief_ticks_clear (&now.y);
}

void
relief_plot_axes_draw (cairo_t *cr, const ReliefPlotAxes *ax, const char *title, const char *xlabel,
                       const char *ylabel)
{
  double ch_tick;

  cairo_save (cr);
  cairo_set_source_rgb (cr, relief_plot_ink[0], relief_plot_ink[1], relief_plot_ink[2]);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_SQUARE);
  cairo_rectangle (cr, ax->px, ax->py, ax->pw, ax->ph);
  cairo_stroke (cr);
  draw_ticks (cr, ax);

  relief_plot_set_font (cr, FONT_TICK);
  ch_tick = relief_plot_cap_height (cr);

  if (ylabel && *ylabel)
    {
      double left_of_labels = ax->px - TICK_LEN - PAD - relief_plot_axis_max_label_width (cr, &ax->y);

      relief_plot_set_font (cr, FONT_LABEL);
      relief_plot_show_text_vertical (cr,
                                      left_of_labels - 1.5 * PAD - relief_plot_cap_height (cr)
                                      - relief_plot_descent (cr),
                          ax->py + ax->ph / 2, ylabel);
    }
  if (xlabel && *xlabel)
    {
      relief_plot_set_font (cr, FONT_LABEL);
      relief_plot_show_text (cr, ax->px + ax->pw / 2, ax->py + ax->ph + TICK_LEN + PAD + ch_tick + 2 * PAD, xlabel,
                             0.5, 0);
    }
  if (title && *title)
    {
      relief_plot_set_font (cr, FONT_TITLE);
      relief_plot_show_text (cr, ax->px + ax->pw / 2, 2 * PAD, title, 0.5, 0);
    }
  cairo_restore (cr);
}

void
relief_plot_paint_background (cairo_t *cr, double w, double h)
{
  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, w, h);
  cairo_fill (cr);
  cairo_restore (cr);
}

void
relief_plot_fill_frame (const ReliefPlotAxes *ax, ReliefPlotFrame *f)
{
  memset (f, 0, sizeof *f);
  f->px = ax->px;
  f->py = ax->py;
  f->pw = ax->pw;
  f->ph = ax->ph;
  f->log_x = ax->x.log;
  f->xmin = ax->x.log ? pow (10, ax->x.lo) : ax->x.lo;
  f->xmax = ax->x.log ? pow (10, ax->x.hi) : ax->x.hi;
  f->log_y = ax->y.log;
  f->ymin = ax->y.log ? pow (10, ax->y.lo) : ax->y.lo;
  f->ymax = ax->y.log ? pow (10, ax->y.hi) : ax->y.hi;
}

void
relief_plot_axes_finish (cairo_t *cr, ReliefPlotAxes *ax, const char *title, const char *xlabel, const char *ylabel,
                         ReliefPlotFrame *frame_out)
{
  relief_plot_axes_draw (cr, ax, title, xlabel, ylabel);
  if (frame_out)
    relief_plot_fill_frame (ax, frame_out);
  relief_ticks_clear (&ax->x);
  relief_ticks_clear (&ax->y);
}

void
relief_plot_clip_to_data (cairo_t *cr, const ReliefPlotAxes *ax)
{
  cairo_rectangle (cr, ax->px, ax->py, ax->pw, ax->ph);
  cairo_clip (cr);
}

void
relief_plot_dot (cairo_t *cr, double x, double y, double r, const double fill[3], const double edge[3],
                 double edge_width)
{
  cairo_arc (cr, x, y, r, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, fill[0], fill[1], fill[2]);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, edge[0], edge[1], edge[2]);
  cairo_set_line_width (cr, edge_width);
  cairo_stroke (cr);
}

void
relief_plot_stroke_trajectory (cairo_t *cr, double halo_alpha)
{
  cairo_set_source_rgba (cr, 1, 1, 1, halo_alpha);
  cairo_set_line_width (cr, 3.2);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 0.70, 0.09, 0.10);
  cairo_set_line_width (cr, 1.4);
  cairo_stroke (cr);
}

void
relief_plot_trajectory_marker (cairo_t *cr, double x, double y)
{
  relief_plot_dot (cr, x, y, 4.5, (const double[3]) { 1, 0.6, 0.1 }, (const double[3]) { 0.1, 0.1, 0.1 }, 1.2);
}

gboolean
relief_plot_frame_to_data (const ReliefPlotFrame *f, double px, double py, double *x, double *y)
{
  double fx = (px - f->px) / f->pw, fy = (f->py + f->ph - py) / f->ph;

  if (f->log_x)
    *x = pow (10, log10 (f->xmin) + fx * (log10 (f->xmax) - log10 (f->xmin)));
  else
    *x = f->xmin + fx * (f->xmax - f->xmin);
  if (f->log_y)
    *y = pow (10, log10 (f->ymin) + fy * (log10 (f->ymax) - log10 (f->ymin)));
  else
    *y = f->ymin + fy * (f->ymax - f->ymin);
  return fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1;
}

void
relief_plot_frame_from_data (const ReliefPlotFrame *f, double x, double y, double *px, double *py)
{
  double fy = f->log_y ? (log10 (y) - log10 (f->ymin)) / (log10 (f->ymax) - log10 (f->ymin))
                       : (y - f->ymin) / (f->ymax - f->ymin);

  double fx = f->log_x ? (log10 (x) - log10 (f->xmin)) / (log10 (f->xmax) - log10 (f->xmin))
                       : (x - f->xmin) / (f->xmax - f->xmin);

  *px = f->px + fx * f->pw;
  *py = f->py + f->ph - fy * f->ph;
}

void
relief_plot_screen_begin (cairo_t *cr, double width, double height, double *width_pt, double *height_pt)
{
  cairo_scale (cr, RELIEF_PLOT_SCREEN_SCALE, RELIEF_PLOT_SCREEN_SCALE);
  *width_pt = width / RELIEF_PLOT_SCREEN_SCALE;
  *height_pt = height / RELIEF_PLOT_SCREEN_SCALE;
}

void
relief_plot_frame_scale (ReliefPlotFrame *frame, double scale)
{
  frame->px *= scale;
  frame->py *= scale;
  frame->pw *= scale;
  frame->ph *= scale;
  frame->cbx *= scale;
  frame->cby *= scale;
  frame->cbw *= scale;
  frame->cbh *= scale;
}

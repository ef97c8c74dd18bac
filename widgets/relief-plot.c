/* relief-plot.c: axes, heatmaps with contours and a colorbar, line plots, in a light
 * "paper" style close to matplotlib's defaults. */
#include "relief-plot.h"
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

void
relief_plot_axis_clear (ReliefPlotAxis *a)
{
  for (int i = 0; i < a->n; i++)
    g_clear_pointer (&a->label[i], g_free);
  a->n = 0;
}

static void
axis_add (ReliefPlotAxis *a, double pos, char *label)
{
  double eps = 1e-9 * (a->hi - a->lo);

  if (pos < a->lo - eps || pos > a->hi + eps || a->n == MAX_TICKS + 2)
    {
      g_free (label);
      return;
    }
  a->pos[a->n] = pos;
  a->label[a->n] = label;
  a->n++;
}

/* The finest nice ticks of which at most `target` fall inside [lo, hi] (the ticks
 * themselves cover the range, so the outer ones usually fall outside). */
static int
nice_inside (double lo, double hi, int target, double *t)
{
  double eps = 1e-9 * (hi - lo);
  int n = 0;

  for (int max = MAX_TICKS + 2; max >= 2; max--)
    {
      int inside = 0;

      n = relief_ticks_nice (lo, hi, max, t);
      for (int i = 0; i < n; i++)
        inside += t[i] >= lo - eps && t[i] <= hi + eps;
      if (inside <= target)
        break;
    }
  return n;
}

/* `target` is about how many ticks fit along the axis. */
void
relief_plot_axis_build (ReliefPlotAxis *a, double lo, double hi, gboolean log, int target)
{
  double t[MAX_TICKS + 4];
  int n;

  relief_plot_axis_clear (a);
  a->lo = lo;
  a->hi = hi;
  a->log = log;
  target = CLAMP (target, 2, MAX_TICKS);

  if (log)
    {
      static const double mantissas[3] = { 1, 2, 5 };
      int n_decades = (int) (floor (hi) - ceil (lo)) + 1;
      int n_fine = 0;

      /* Three or more decades: label them (thinned when crowded); fewer: 1, 2 and 5
       * times powers of ten; inside a factor of a few: plain ticks in data units. */
      if (n_decades >= 3)
        {
          n = nice_inside (lo, hi, target, t);
          if (n >= 2 && t[1] - t[0] >= 1)
            {
              for (int i = 0; i < n; i++)
                axis_add (a, t[i], relief_tick_format (pow (10, t[i]), pow (10, t[i])));
              return;
            }
        }
      for (int k = (int) floor (lo); k <= (int) ceil (hi); k++)
        for (int m = 0; m < 3; m++)
          if (log10 (mantissas[m]) + k >= lo - 1e-9 && log10 (mantissas[m]) + k <= hi + 1e-9)
            n_fine++;
      if (n_fine >= 2 && n_fine <= target + 2)
        {
          for (int k = (int) floor (lo); k <= (int) ceil (hi); k++)
            for (int m = 0; m < 3; m++)
              {
                double v = mantissas[m] * pow (10, k);

                axis_add (a, log10 (v), relief_tick_format (v, pow (10, k)));
              }
          return;
        }
      n = nice_inside (pow (10, lo), pow (10, hi), target, t);
      for (int i = 0; i < n; i++)
        if (t[i] > 0)
          axis_add (a, log10 (t[i]), relief_tick_format (t[i], n > 1 ? t[1] - t[0] : t[i]));
      return;
    }
  n = nice_inside (lo, hi, target, t);
  for (int i = 0; i < n; i++)
    axis_add (a, t[i], relief_tick_format (t[i], n > 1 ? t[1] - t[0] : 1));
}

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

/* Lays out the data area in a w x h box: tick labels, axis labels and the title around
 * it, `right` reserved at the right (the colorbar), chosen so that no labels overlap. */
void
relief_plot_axes_layout (cairo_t *cr, ReliefPlotAxes *ax, double w, double h, const char *title,
                         const char *xlabel, const char *ylabel, double xlo, double xhi, double ylo, double yhi,
                         gboolean log_x, gboolean log_y, double (*right_for) (cairo_t *, const ReliefPlotAxes *, gpointer),
                         gpointer right_data)
{
  double ch_tick, desc_tick, ch_label, desc_label, ch_title;
  double top, bottom, left, right;

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
  relief_plot_axis_build (&ax->y, ylo, yhi, log_y, (int) (ax->ph / 28) + 1);

  left = PAD + (ylabel && *ylabel ? ch_label + desc_label + 1.5 * PAD : 0)
         + relief_plot_axis_max_label_width (cr, &ax->y) + PAD + TICK_LEN;
  right = right_for ? right_for (cr, ax, right_data) : 3 * PAD;
  ax->px = left;

  /* Fewer x ticks until neighbouring labels keep a gap between them. */
  for (int target = CLAMP ((int) ((w - left - right) / 60), 2, MAX_TICKS); target >= 2; target--)
    {
      gboolean fits = TRUE;

      ax->pw = MAX (w - left - right, 1);
      relief_plot_axis_build (&ax->x, xlo, xhi, log_x, target);
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

      relief_plot_axis_build (a, lo, hi, log, target);
      for (int i = 0; i + 1 < a->n; i++)
        if ((relief_plot_axis_frac (a, a->pos[i + 1]) - relief_plot_axis_frac (a, a->pos[i])) * pw
            < (relief_plot_text_width (cr, a->label[i]) + relief_plot_text_width (cr, a->label[i + 1])) / 2 + 2 * PAD)
          fits = FALSE;
      if (fits || target == 2)
        return;
      relief_plot_axis_clear (a);
    }
}

static void
frame_axes (cairo_t *cr, const ReliefPlotFrame *f, double xmin, double xmax, double ymin, double ymax,
            ReliefPlotAxes *ax)
{
  *ax = (ReliefPlotAxes) { .px = f->px, .py = f->py, .pw = f->pw, .ph = f->ph };
  build_x_axis (cr, &ax->x, f->log_x ? log10 (xmin) : xmin, f->log_x ? log10 (xmax) : xmax, f->log_x, f->pw);
  relief_plot_axis_build (&ax->y, f->log_y ? log10 (ymin) : ymin, f->log_y ? log10 (ymax) : ymax, f->log_y,
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
  relief_plot_axis_clear (&old.x);
  relief_plot_axis_clear (&old.y);
  relief_plot_axis_clear (&now.x);
  relief_plot_axis_clear (&now.y);
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

/* ---- heatmap ---- */

#define COLORBAR_LEVEL_LIMIT 64

typedef struct {
  const ReliefHeatmapSpec *spec;
  double *tz;                     /* z in color units (log10 when log_scale) */
  double zmin, zmax;              /* finite range of tz; zmin > zmax when no data */
  int n_levels;
  double *levels;                 /* in color units */
  ReliefPlotAxis cbar;
  double cb_gap, cb_width;
} Heatmap;

static guint32
pack_rgb (const double rgb[3])
{
  return 0xff000000u | (guint32) lround (rgb[0] * 255) << 16 | (guint32) lround (rgb[1] * 255) << 8
         | (guint32) lround (rgb[2] * 255);
}

static void
band_color (const Heatmap *hm, int band, double rgb[3])
{
  relief_colormap_eval (hm->spec->colormap, hm->n_levels > 0 ? (double) band / hm->n_levels : 0.5, rgb);
}

static int
band_of (const Heatmap *hm, double v)
{
  int lo = 0, hi = hm->n_levels;

  /* The number of levels at or below v. */
  while (lo < hi)
    {
      int mid = (lo + hi) / 2;

      if (hm->levels[mid] <= v)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
grid_limits (const double *c, int n, double *lo, double *hi)
{
  if (c && n >= 2)
    {
      *lo = c[0];
      *hi = c[n - 1];
    }
  else
    {
      double centre = c && n == 1 ? c[0] : 0;

      *lo = centre - 0.5;
      *hi = centre + 0.5;
    }
  relief_plot_widen_if_empty (lo, hi);
}

/* Image pixel coordinate (0 at the image's first edge) of grid coordinate v, with pixel
 * centres on the grid points when there are at least two. */
static double
grid_pixel (const double *c, int n, int npix, double lo, double hi, double v)
{
  if (c && n >= 2)
    return 0.5 + (v - c[0]) * (npix - 1) / (c[n - 1] - c[0]);
  return (v - lo) / (hi - lo) * npix;
}

/* Colors per grid cell (smooth), or bands on a grid refined by bilinear interpolation so
 * that band edges follow the contour lines (filled).  NaN cells stay transparent. */
static cairo_surface_t *
heatmap_image (const Heatmap *hm)
{
  const ReliefHeatmapSpec *s = hm->spec;
  gboolean bands = s->filled && hm->n_levels > 0;
  int f = bands ? CLAMP ((int) ceil (480.0 / MAX (s->nx, s->ny)), 1, 16) : 1;
  int fx = s->nx > 1 ? f : 1, fy = s->ny > 1 ? f : 1;
  int W = (s->nx - 1) * fx + 1, H = (s->ny - 1) * fy + 1;
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  int stride = cairo_image_surface_get_stride (img);
  guchar *data;
  g_autofree guint32 *band_rgb = NULL;

  if (cairo_surface_status (img) != CAIRO_STATUS_SUCCESS)
    return img;
  cairo_surface_flush (img);
  data = cairo_image_surface_get_data (img);
  if (bands)
    {
      band_rgb = g_new (guint32, hm->n_levels + 1);
      for (int b = 0; b <= hm->n_levels; b++)
        {
          double rgb[3];

          band_color (hm, b, rgb);
          band_rgb[b] = pack_rgb (rgb);
        }
    }

  for (int v = 0; v < H; v++)
    {
      guint32 *row = (guint32 *) (data + (gsize) v * stride);
      int gv = H - 1 - v;           /* image rows run from the top, y grows upwards */
      int j = gv / fy;
      double ty = (double) (gv - j * fy) / fy;

      for (int u = 0; u < W; u++)
        {
          int i = u / fx;
          double tx = (double) (u - i * fx) / fx;
          double z;

          if (!bands)
            z = hm->tz[(gsize) j * s->nx + i];
          else
            {
              /* All four corners count, also on grid lines, so that cells touching
               * NaN are left out as a whole, as they are by the contour lines. */
              int i1 = MIN (i + 1, s->nx - 1), j1 = MIN (j + 1, s->ny - 1);
              double z00 = hm->tz[(gsize) j * s->nx + i], z10 = hm->tz[(gsize) j * s->nx + i1];
              double z01 = hm->tz[(gsize) j1 * s->nx + i], z11 = hm->tz[(gsize) j1 * s->nx + i1];

              z = (1 - ty) * ((1 - tx) * z00 + tx * z10) + ty * ((1 - tx) * z01 + tx * z11);
            }

          if (isnan (z))
            row[u] = 0;
          else if (bands)
            row[u] = band_rgb[band_of (hm, z)];
          else
            {
              double rgb[3];

              relief_colormap_eval (s->colormap, (z - hm->zmin) / (hm->zmax - hm->zmin), rgb);
              row[u] = pack_rgb (rgb);
            }
        }
    }
  cairo_surface_mark_dirty (img);
  return img;
}

static void
draw_heatmap_image (cairo_t *cr, const Heatmap *hm, const ReliefPlotAxes *ax)
{
  const ReliefHeatmapSpec *s = hm->spec;
  cairo_surface_t *img = heatmap_image (hm);
  int W = cairo_image_surface_get_width (img), H = cairo_image_surface_get_height (img);
  cairo_matrix_t m;
  double u0, u1, v0, v1;

  if (cairo_surface_status (img) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (img);
      return;
    }
  /* Pattern space from device space: evaluate the map at the data area's edges. */
  u0 = grid_pixel (s->xs, s->nx, W, ax->x.lo, ax->x.hi, ax->x.lo);
  u1 = grid_pixel (s->xs, s->nx, W, ax->x.lo, ax->x.hi, ax->x.hi);
  v0 = H - grid_pixel (s->ys, s->ny, H, ax->y.lo, ax->y.hi, ax->y.hi);
  v1 = H - grid_pixel (s->ys, s->ny, H, ax->y.lo, ax->y.hi, ax->y.lo);
  cairo_matrix_init (&m, (u1 - u0) / ax->pw, 0, 0, (v1 - v0) / ax->ph,
                     u0 - (u1 - u0) / ax->pw * ax->px, v0 - (v1 - v0) / ax->ph * ax->py);
  relief_plot_paint_image (cr, ax, img, &m);
}

void
relief_plot_paint_image (cairo_t *cr, const ReliefPlotAxes *ax, cairo_surface_t *img, const cairo_matrix_t *m)
{
  cairo_pattern_t *pattern = cairo_pattern_create_for_surface (img);

  cairo_save (cr);
  cairo_rectangle (cr, ax->px, ax->py, ax->pw, ax->ph);
  cairo_clip (cr);
  cairo_pattern_set_matrix (pattern, m);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_BILINEAR);
  cairo_set_source (cr, pattern);
  cairo_paint (cr);
  cairo_pattern_destroy (pattern);
  cairo_surface_destroy (img);
  cairo_restore (cr);
}

void
relief_plot_color_values (const double *z, gsize n, gboolean log, double *tz, double *zmin, double *zmax)
{
  double min_positive = INFINITY;

  if (log)
    for (gsize k = 0; k < n; k++)
      if (z[k] > 0 && z[k] < min_positive)
        min_positive = z[k];
  *zmin = INFINITY;
  *zmax = -INFINITY;
  for (gsize k = 0; k < n; k++)
    {
      double v = z[k];

      if (log && !isnan (v))
        v = isfinite (min_positive) ? log10 (MAX (v, min_positive)) : NAN;
      tz[k] = v;
      if (isfinite (v))
        {
          *zmin = MIN (*zmin, v);
          *zmax = MAX (*zmax, v);
        }
    }
}

typedef struct {
  cairo_t *cr;
  const ReliefPlotAxes *ax;
} SegmentTarget;

static void
add_segment (double x0, double y0, double x1, double y1, gpointer user_data)
{
  SegmentTarget *t = user_data;

  cairo_move_to (t->cr, relief_plot_axes_x_dev (t->ax, x0), relief_plot_axes_y_dev (t->ax, y0));
  cairo_line_to (t->cr, relief_plot_axes_x_dev (t->ax, x1), relief_plot_axes_y_dev (t->ax, y1));
}

static void
draw_contours (cairo_t *cr, const Heatmap *hm, const ReliefPlotAxes *ax)
{
  const ReliefHeatmapSpec *s = hm->spec;
  SegmentTarget target = { cr, ax };

  if (s->nx < 2 || s->ny < 2 || s->xs == NULL || s->ys == NULL)
    return;
  cairo_save (cr);
  cairo_rectangle (cr, ax->px, ax->py, ax->pw, ax->ph);
  cairo_clip (cr);
  for (int k = 0; k < hm->n_levels; k++)
    relief_contour_segments (hm->tz, s->nx, s->ny, s->xs, s->ys, hm->levels[k], add_segment, &target);
  cairo_set_source_rgba (cr, 0.1, 0.1, 0.1, 0.55);
  cairo_set_line_width (cr, 0.6);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_marker (cairo_t *cr, const ReliefPlotAxes *ax, double x, double y)
{
  double cx = relief_plot_axes_x_dev (ax, x), cy = relief_plot_axes_y_dev (ax, y);

  if (cx < ax->px || cx > ax->px + ax->pw || cy < ax->py || cy > ax->py + ax->ph)
    return;
  cairo_save (cr);
  cairo_new_path (cr);
  cairo_arc (cr, cx, cy, 3.5, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 0.84, 0.15, 0.16);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 1.2);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* The path as a white-haloed dark red line so that it reads on every colormap, with a dot
 * at each point (where the snapshots were taken) and a larger ring on the marked one. */
static void
draw_path (cairo_t *cr, const ReliefHeatmapSpec *s, const ReliefPlotAxes *ax)
{
  double dot = s->n_path > 200 ? 0 : 1.8;

  cairo_save (cr);
  cairo_rectangle (cr, ax->px, ax->py, ax->pw, ax->ph);
  cairo_clip (cr);
  cairo_new_path (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (int i = 0; i < s->n_path; i++)
    {
      double x = s->path_x[i], y = s->path_y[i];

      if (!isfinite (x) || !isfinite (y))
        {
          cairo_new_sub_path (cr);
          continue;
        }
      cairo_line_to (cr, relief_plot_axes_x_dev (ax, x), relief_plot_axes_y_dev (ax, y));
    }
  cairo_set_source_rgba (cr, 1, 1, 1, 0.75);
  cairo_set_line_width (cr, 3.2);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 0.70, 0.09, 0.10);
  cairo_set_line_width (cr, 1.4);
  cairo_stroke (cr);
  for (int i = 0; dot > 0 && i < s->n_path; i++)
    if (isfinite (s->path_x[i]) && isfinite (s->path_y[i]))
      {
        cairo_new_sub_path (cr);
        cairo_arc (cr, relief_plot_axes_x_dev (ax, s->path_x[i]), relief_plot_axes_y_dev (ax, s->path_y[i]), dot,
                   0, 2 * G_PI);
      }
  cairo_fill (cr);
  if (s->path_marker >= 0 && s->path_marker < s->n_path && isfinite (s->path_x[s->path_marker])
      && isfinite (s->path_y[s->path_marker]))
    {
      cairo_arc (cr, relief_plot_axes_x_dev (ax, s->path_x[s->path_marker]),
                 relief_plot_axes_y_dev (ax, s->path_y[s->path_marker]), 4.5, 0, 2 * G_PI);
      cairo_set_source_rgb (cr, 1, 0.6, 0.1);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      cairo_set_line_width (cr, 1.2);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

/* Width the colorbar takes right of the data area; builds its axis for the data area's
 * height. */
static double
colorbar_width (cairo_t *cr, const ReliefPlotAxes *ax, gpointer user_data)
{
  Heatmap *hm = user_data;
  const char *zlabel = hm->spec->zlabel;
  double width;

  relief_plot_axis_build (&hm->cbar, hm->zmin, hm->zmax, hm->spec->log_scale, (int) (ax->ph / 28) + 1);
  hm->cb_gap = 12;
  hm->cb_width = 12;
  relief_plot_set_font (cr, FONT_TICK);
  width = hm->cb_gap + hm->cb_width + TICK_LEN + PAD + relief_plot_axis_max_label_width (cr, &hm->cbar) + PAD;
  if (zlabel && *zlabel)
    {
      relief_plot_set_font (cr, FONT_LABEL);
      width += PAD + relief_plot_cap_height (cr) + relief_plot_descent (cr);
    }
  return width;
}

static void
draw_colorbar (cairo_t *cr, const Heatmap *hm, const ReliefPlotAxes *ax, ReliefPlotFrame *frame)
{
  double x = ax->px + ax->pw + hm->cb_gap, y = ax->py, w = hm->cb_width, h = ax->ph;
  double span = hm->zmax - hm->zmin;
  const char *zlabel = hm->spec->zlabel;

  cairo_save (cr);
  if (hm->spec->filled && hm->n_levels > 0)
    for (int b = 0; b <= hm->n_levels; b++)
      {
        double lo = b == 0 ? hm->zmin : hm->levels[b - 1];
        double hi = b == hm->n_levels ? hm->zmax : hm->levels[b];
        double rgb[3];

        band_color (hm, b, rgb);
        cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
        /* Overlap by a hair so that antialiasing leaves no seams. */
        cairo_rectangle (cr, x, y + h - (hi - hm->zmin) / span * h - 0.25, w, (hi - lo) / span * h + 0.5);
        cairo_fill (cr);
      }
  else
    {
      cairo_pattern_t *gradient = cairo_pattern_create_linear (0, y + h, 0, y);

      for (int k = 0; k <= 64; k++)
        {
          double rgb[3];

          relief_colormap_eval (hm->spec->colormap, k / 64.0, rgb);
          cairo_pattern_add_color_stop_rgb (gradient, k / 64.0, rgb[0], rgb[1], rgb[2]);
        }
      cairo_set_source (cr, gradient);
      cairo_rectangle (cr, x, y, w, h);
      cairo_fill (cr);
      cairo_pattern_destroy (gradient);
    }

  /* The contour levels, as matplotlib marks them on a colorbar. */
  if (hm->n_levels <= COLORBAR_LEVEL_LIMIT)
    {
      for (int k = 0; k < hm->n_levels; k++)
        {
          double ly = y + h - (hm->levels[k] - hm->zmin) / span * h;

          cairo_move_to (cr, x, ly);
          cairo_line_to (cr, x + w, ly);
        }
      cairo_set_source_rgba (cr, 0.1, 0.1, 0.1, 0.55);
      cairo_set_line_width (cr, 0.6);
      cairo_stroke (cr);
    }

  cairo_set_source_rgb (cr, relief_plot_ink[0], relief_plot_ink[1], relief_plot_ink[2]);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_rectangle (cr, x, y, w, h);
  for (int i = 0; i < hm->cbar.n; i++)
    {
      double ty = y + h - relief_plot_axis_frac (&hm->cbar, hm->cbar.pos[i]) * h;

      cairo_move_to (cr, x + w, ty);
      cairo_line_to (cr, x + w + TICK_LEN, ty);
    }
  cairo_stroke (cr);
  relief_plot_set_font (cr, FONT_TICK);
  for (int i = 0; i < hm->cbar.n; i++)
    relief_plot_show_text (cr, x + w + TICK_LEN + PAD, y + h - relief_plot_axis_frac (&hm->cbar, hm->cbar.pos[i]) * h,
               hm->cbar.label[i], 0, 0.5);
  if (zlabel && *zlabel)
    {
      double lx = x + w + TICK_LEN + PAD + relief_plot_axis_max_label_width (cr, &hm->cbar) + PAD;

      relief_plot_set_font (cr, FONT_LABEL);
      cairo_save (cr);
      cairo_translate (cr, lx + relief_plot_cap_height (cr), y + h / 2);
      cairo_rotate (cr, G_PI / 2);
      relief_plot_show_text (cr, 0, 0, zlabel, 0.5, 1);
      cairo_restore (cr);
    }
  cairo_restore (cr);

  frame->cbx = x;
  frame->cby = y;
  frame->cbw = w;
  frame->cbh = h;
}

void
relief_plot_heatmap (cairo_t *cr, double width, double height, const ReliefHeatmapSpec *spec,
                     ReliefPlotFrame *frame_out)
{
  Heatmap hm = { spec };
  ReliefPlotAxes ax = { 0 };
  ReliefPlotFrame frame;
  gsize n = spec->z ? (gsize) MAX (spec->nx, 0) * MAX (spec->ny, 0) : 0;
  double xlo, xhi, ylo, yhi;
  gboolean has_data;

  hm.tz = g_new (double, MAX (n, 1));
  relief_plot_color_values (spec->z, n, spec->log_scale, hm.tz, &hm.zmin, &hm.zmax);
  has_data = hm.zmin <= hm.zmax;
  if (has_data)
    {
      relief_plot_widen_if_empty (&hm.zmin, &hm.zmax);
      hm.n_levels = MAX (spec->n_levels, 0);
      hm.levels = g_new (double, MAX (hm.n_levels, 1));
      relief_contour_levels (hm.zmin, hm.zmax, hm.n_levels, FALSE, hm.levels);
    }

  grid_limits (spec->xs, spec->nx, &xlo, &xhi);
  grid_limits (spec->ys, spec->ny, &ylo, &yhi);

  cairo_save (cr);
  relief_plot_paint_background (cr, width, height);
  relief_plot_axes_layout (cr, &ax, width, height, spec->title, spec->xlabel, spec->ylabel, xlo, xhi, ylo, yhi, FALSE, FALSE,
               has_data && spec->show_colorbar ? colorbar_width : NULL, &hm);
  relief_plot_fill_frame (&ax, &frame);
  if (has_data)
    {
      draw_heatmap_image (cr, &hm, &ax);
      draw_contours (cr, &hm, &ax);
      if (spec->show_colorbar)
        draw_colorbar (cr, &hm, &ax, &frame);
    }
  if (spec->n_path > 0 && spec->path_x && spec->path_y)
    draw_path (cr, spec, &ax);
  if (spec->has_marker)
    draw_marker (cr, &ax, spec->marker_x, spec->marker_y);
  relief_plot_axes_draw (cr, &ax, spec->title, spec->xlabel, spec->ylabel);
  cairo_restore (cr);

  relief_plot_axis_clear (&ax.x);
  relief_plot_axis_clear (&ax.y);
  relief_plot_axis_clear (&hm.cbar);
  g_free (hm.levels);
  g_free (hm.tz);
  if (frame_out)
    *frame_out = frame;
}

/* ---- line plots ---- */

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
line_point (const ReliefLinePlotSpec *spec, double x, double y, double *ax_x, double *ax_y)
{
  if (!usable_y (x, spec->log_x) || !usable_y (y, spec->log_y))
    return FALSE;
  *ax_x = spec->log_x ? log10 (x) : x;
  *ax_y = spec->log_y ? log10 (y) : y;
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

        if (!line_point (spec, spec->series[s].x[i], spec->series[s].y[i], &x, &y))
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

static void
draw_series (cairo_t *cr, const ReliefPlotAxes *ax, const ReliefLinePlotSpec *spec, const ReliefLineSeries *s)
{
  gboolean pen_down = FALSE;

  cairo_save (cr);
  cairo_set_source_rgb (cr, s->rgb[0], s->rgb[1], s->rgb[2]);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  if (s->dashed)
    cairo_set_dash (cr, (const double[]) { 5, 3 }, 2, 0);
  for (int i = 0; i < s->n; i++)
    {
      double x, y, nx, ny;

      if (!line_point (spec, s->x[i], s->y[i], &x, &y))
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
          gboolean alone = i + 1 >= s->n || !line_point (spec, s->x[i + 1], s->y[i + 1], &nx, &ny);

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

/* Legend in the corner of the data area that covers the fewest data points. */
static void
draw_legend (cairo_t *cr, const ReliefPlotAxes *ax, const ReliefLinePlotSpec *spec)
{
  double row, sample = 18, label_w = 0, bw, bh, best_x = 0, best_y = 0;
  int best_count = G_MAXINT, n_labels = 0;

  relief_plot_set_font (cr, FONT_TICK);
  row = relief_plot_cap_height (cr) * 2;
  for (int s = 0; s < spec->n_series; s++)
    if (spec->series[s].label && *spec->series[s].label)
      {
        label_w = MAX (label_w, relief_plot_text_width (cr, spec->series[s].label));
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
      int count = 0;

      for (int s = 0; s < spec->n_series; s++)
        for (int i = 0; i < spec->series[s].n; i++)
          {
            double dx, dy;

            if (!line_point (spec, spec->series[s].x[i], spec->series[s].y[i], &dx, &dy))
              continue;
            dx = relief_plot_axes_x_dev (ax, dx);
            dy = relief_plot_axes_y_dev (ax, dy);
            if (dx >= x && dx <= x + bw && dy >= y && dy <= y + bh)
              count++;
          }
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
  for (int s = 0, k = 0; s < spec->n_series; s++)
    {
      const ReliefLineSeries *ser = &spec->series[s];
      double cy = best_y + PAD / 2 + (k + 0.5) * row;

      if (!ser->label || !*ser->label)
        continue;
      cairo_save (cr);
      cairo_set_source_rgb (cr, ser->rgb[0], ser->rgb[1], ser->rgb[2]);
      cairo_set_line_width (cr, 1.5);
      if (ser->dashed)
        cairo_set_dash (cr, (const double[]) { 5, 3 }, 2, 0);
      cairo_move_to (cr, best_x + PAD, cy);
      cairo_line_to (cr, best_x + PAD + sample, cy);
      cairo_stroke (cr);
      cairo_restore (cr);
      cairo_set_source_rgb (cr, relief_plot_ink[0], relief_plot_ink[1], relief_plot_ink[2]);
      relief_plot_show_text (cr, best_x + 2 * PAD + sample, cy, ser->label, 0, 0.5);
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
  relief_plot_paint_background (cr, width, height);
  relief_plot_axes_layout (cr, &ax, width, height, spec->title, spec->xlabel, spec->ylabel, xlo, xhi, ylo, yhi,
               spec->log_x, spec->log_y, NULL, NULL);

  cairo_save (cr);
  cairo_rectangle (cr, ax.px, ax.py, ax.pw, ax.ph);
  cairo_clip (cr);
  for (int s = 0; s < spec->n_series; s++)
    draw_series (cr, &ax, spec, &spec->series[s]);
  cairo_restore (cr);

  relief_plot_axes_draw (cr, &ax, spec->title, spec->xlabel, spec->ylabel);
  if (spec->legend)
    draw_legend (cr, &ax, spec);
  cairo_restore (cr);

  if (frame_out)
    relief_plot_fill_frame (&ax, frame_out);
  relief_plot_axis_clear (&ax.x);
  relief_plot_axis_clear (&ax.y);
}

/* relief-plot-heatmap.c: a surface as filled contour bands or a smooth image, contour
 * lines, a colorbar, a marker and paths on top. */
#include "relief-plot-heatmap.h"
#include "relief-plot-private.h"

#include <math.h>
#include <string.h>

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
  relief_plot_clip_to_data (cr, ax);
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
  relief_plot_clip_to_data (cr, ax);
  for (int k = 0; k < hm->n_levels; k++)
    relief_contour_segments (hm->tz, s->nx, s->ny, s->xs, s->ys, hm->levels[k], add_segment, &target);
  cairo_set_source_rgba (cr, 0.1, 0.1, 0.1, 0.55);
  cairo_set_line_width (cr, 0.9);
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
  relief_plot_dot (cr, cx, cy, 3.5, (const double[3]) { 0.84, 0.15, 0.16 }, (const double[3]) { 1, 1, 1 }, 1.2);
  cairo_restore (cr);
}

/* The path as a white-haloed dark red line so that it reads on every colormap, with a dot
 * at each point (where the snapshots were taken) and a larger ring on the marked one. */
static void
draw_path (cairo_t *cr, const ReliefHeatmapSpec *s, const ReliefPlotAxes *ax)
{
  double dot = s->n_path > 200 ? 0 : 1.8;

  cairo_save (cr);
  relief_plot_clip_to_data (cr, ax);
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
  relief_plot_stroke_trajectory (cr, 0.75);
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
    relief_plot_trajectory_marker (cr, relief_plot_axes_x_dev (ax, s->path_x[s->path_marker]),
                                   relief_plot_axes_y_dev (ax, s->path_y[s->path_marker]));
  cairo_restore (cr);
}

/* Each path as a white-haloed line in its color, so that it reads on every colormap, and
 * a dot where it ends (where that optimizer got to). */
static void
draw_paths (cairo_t *cr, const ReliefHeatmapSpec *s, const ReliefPlotAxes *ax)
{
  cairo_save (cr);
  relief_plot_clip_to_data (cr, ax);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (int p = 0; p < s->n_paths; p++)
    {
      const ReliefLineSeries *path = &s->paths[p];
      int last = -1;

      cairo_new_path (cr);
      for (int i = 0; i < path->n; i++)
        {
          if (!isfinite (path->x[i]) || !isfinite (path->y[i]))
            {
              cairo_new_sub_path (cr);
              continue;
            }
          cairo_line_to (cr, relief_plot_axes_x_dev (ax, path->x[i]), relief_plot_axes_y_dev (ax, path->y[i]));
          last = i;
        }
      cairo_set_source_rgba (cr, 1, 1, 1, 0.75);
      cairo_set_line_width (cr, 4);
      cairo_stroke_preserve (cr);
      cairo_set_source_rgb (cr, path->rgb[0], path->rgb[1], path->rgb[2]);
      cairo_set_line_width (cr, 2);
      if (path->dashed)
        cairo_set_dash (cr, (const double[]) { 5, 3 }, 2, 0);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (last >= 0)
        relief_plot_dot (cr, relief_plot_axes_x_dev (ax, path->x[last]), relief_plot_axes_y_dev (ax, path->y[last]), 3.5,
                         path->rgb, (const double[3]) { 1, 1, 1 }, 1);
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

  relief_ticks_build (&hm->cbar, hm->zmin, hm->zmax, hm->spec->log_scale, (int) (ax->ph / 28) + 1);
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

void
relief_plot_colorbar_ramp (cairo_t *cr, ReliefColormap cmap, double x, double y, double w, double h)
{
  cairo_pattern_t *gradient = cairo_pattern_create_linear (0, y + h, 0, y);

  for (int k = 0; k <= 64; k++)
    {
      double rgb[3];

      relief_colormap_eval (cmap, k / 64.0, rgb);
      cairo_pattern_add_color_stop_rgb (gradient, k / 64.0, rgb[0], rgb[1], rgb[2]);
    }
  cairo_set_source (cr, gradient);
  cairo_rectangle (cr, x, y, w, h);
  cairo_fill (cr);
  cairo_pattern_destroy (gradient);
}

void
relief_plot_colorbar_ticks (cairo_t *cr, const ReliefPlotAxis *axis, double x, double y, double w, double h)
{
  cairo_set_source_rgb (cr, relief_plot_ink[0], relief_plot_ink[1], relief_plot_ink[2]);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_rectangle (cr, x, y, w, h);
  for (int i = 0; i < axis->n; i++)
    {
      double ty = y + h - relief_plot_axis_frac (axis, axis->pos[i]) * h;

      cairo_move_to (cr, x + w, ty);
      cairo_line_to (cr, x + w + TICK_LEN, ty);
    }
  for (int i = 0; i < axis->n_minor; i++)
    {
      double ty = y + h - relief_plot_axis_frac (axis, axis->minor[i]) * h;

      cairo_move_to (cr, x + w, ty);
      cairo_line_to (cr, x + w + MINOR_TICK_LEN, ty);
    }
  cairo_stroke (cr);
  relief_plot_set_font (cr, FONT_TICK);
  for (int i = 0; i < axis->n; i++)
    relief_plot_show_text (cr, x + w + TICK_LEN + PAD, y + h - relief_plot_axis_frac (axis, axis->pos[i]) * h,
                           axis->label[i], 0, 0.5);
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
    relief_plot_colorbar_ramp (cr, hm->spec->colormap, x, y, w, h);

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
      cairo_set_line_width (cr, 0.9);
      cairo_stroke (cr);
    }

  relief_plot_colorbar_ticks (cr, &hm->cbar, x, y, w, h);
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

  relief_grid_extent (spec->xs, spec->nx, &xlo, &xhi);
  relief_grid_extent (spec->ys, spec->ny, &ylo, &yhi);
  relief_plot_widen_if_empty (&xlo, &xhi);
  relief_plot_widen_if_empty (&ylo, &yhi);

  cairo_save (cr);
  relief_plot_axes_begin (cr, &ax, width, height, spec->title, spec->xlabel, spec->ylabel, xlo, xhi, ylo, yhi, FALSE, FALSE,
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
  if (spec->n_paths > 0 && spec->paths)
    draw_paths (cr, spec, &ax);
  if (spec->has_marker)
    draw_marker (cr, &ax, spec->marker_x, spec->marker_y);
  relief_plot_axes_draw (cr, &ax, spec->title, spec->xlabel, spec->ylabel);
  if (spec->n_paths > 0 && spec->paths)
    relief_plot_series_legend (cr, &ax, spec->paths, spec->n_paths);
  cairo_restore (cr);

  relief_ticks_clear (&ax.x);
  relief_ticks_clear (&ax.y);
  relief_ticks_clear (&hm.cbar);
  g_free (hm.levels);
  g_free (hm.tz);
  if (frame_out)
    *frame_out = frame;
}

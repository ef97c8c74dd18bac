/* relief-plot-3d.c: a surface in 3D with cairo alone, in the manner of matplotlib's
 * plot_surface: an orthographic view of the box [-1, 1] x [-1, 1] x [-H, H] (matplotlib's
 * 4:4:3 aspect), quads painted back to front, the three back panes with grid lines and the
 * tick labels on the outer edges. */
#include "relief-plot-3d.h"
#include "relief-plot-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BOX_H      0.75     /* half-height of the box against half-width 1 */
#define MAX_QUADS  60       /* per direction: finer grids are sampled, as matplotlib does */
#define MESH_LINES 16       /* mesh lines per direction, at most */
#define LABEL_SIDE 40.0     /* room beside and below the box for tick and axis labels */
#define LABEL_TOP  12.0

typedef struct {
  double sx[3], up[3], eye[3];  /* screen right, screen up, towards the viewer */
  double cx, cy, scale;         /* device centre and units per box unit */
} View;

typedef struct {
  const ReliefSurface3DSpec *spec;
  double *tz;                   /* z in axis units (log10 when log_scale) */
  double zmin, zmax;
  double xlo, xhi, ylo, yhi;
  View v;
} Scene;

typedef struct {
  double depth;
  int a, b;                     /* row and column of the quad in the sampled grid */
} Quad;

static void
project (const View *v, const double p[3], double *x, double *y)
{
  *x = v->cx + v->scale * (v->sx[0] * p[0] + v->sx[1] * p[1] + v->sx[2] * p[2]);
  *y = v->cy - v->scale * (v->up[0] * p[0] + v->up[1] * p[1] + v->up[2] * p[2]);
}

static double
depth (const View *v, const double p[3])
{
  return v->eye[0] * p[0] + v->eye[1] * p[1] + v->eye[2] * p[2];
}

/* Box coordinates of data (x, y) and axis-unit z. */
static void
to_box (const Scene *sc, double x, double y, double tz, double p[3])
{
  p[0] = 2 * (x - sc->xlo) / (sc->xhi - sc->xlo) - 1;
  p[1] = 2 * (y - sc->ylo) / (sc->yhi - sc->ylo) - 1;
  p[2] = BOX_H * (2 * (tz - sc->zmin) / (sc->zmax - sc->zmin) - 1);
}

static void
line3 (cairo_t *cr, const View *v, const double a[3], const double b[3])
{
  double x, y;

  project (v, a, &x, &y);
  cairo_move_to (cr, x, y);
  project (v, b, &x, &y);
  cairo_line_to (cr, x, y);
}

/* Indices 0, step, 2 step, ..., n - 1 of a grid axis sampled to at most MAX_QUADS cells. */
static int
sample_axis (int n, int *idx)
{
  int step = (n - 2) / MAX_QUADS + 1, k = 0;

  for (int i = 0; i < n - 1; i += step)
    idx[k++] = i;
  idx[k++] = n - 1;
  return k;
}

static int
compare_quads (const void *a, const void *b)
{
  double da = ((const Quad *) a)->depth, db = ((const Quad *) b)->depth;

  return (da > db) - (da < db);
}

/* ---- the box ---- */

/* The three panes behind the surface with grid lines at the ticks. */
static void
draw_panes (cairo_t *cr, const View *v, const double back[3], const ReliefPlotAxis *ax[3],
            const double lo[3], const double hi[3])
{
  cairo_save (cr);
  cairo_set_line_width (cr, 0.5);
  for (int k = 0; k < 3; k++)
    {
      int a = (k + 1) % 3, b = (k + 2) % 3;     /* the pane's two in-plane axes */
      double corner[4][3];

      for (int c = 0; c < 4; c++)
        {
          corner[c][k] = back[k];
          corner[c][a] = (c == 1 || c == 2) ? hi[a] : lo[a];
          corner[c][b] = c >= 2 ? hi[b] : lo[b];
        }
      cairo_new_path (cr);
      for (int c = 0; c < 4; c++)
        {
          double x, y;

          project (v, corner[c], &x, &y);
          cairo_line_to (cr, x, y);
        }
      cairo_close_path (cr);
      cairo_set_source_rgb (cr, 0.95, 0.95, 0.95);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 0.72, 0.72, 0.72);
      cairo_stroke (cr);

      /* Grid lines across the pane at the ticks of both in-plane axes. */
      for (int m = 0; m < 2; m++)
        {
          int along = m == 0 ? a : b, across = m == 0 ? b : a;

          for (int t = 0; t < ax[along]->n; t++)
            {
              double p0[3], p1[3], f = relief_plot_axis_frac (ax[along], ax[along]->pos[t]);

              p0[k] = p1[k] = back[k];
              p0[along] = p1[along] = lo[along] + f * (hi[along] - lo[along]);
              p0[across] = lo[across];
              p1[across] = hi[across];
              line3 (cr, v, p0, p1);
            }
        }
      cairo_set_source_rgb (cr, 0.82, 0.82, 0.82);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

/* The part of the figure the box is drawn in: a zoomed box is cut at its edges, and its
 * labels are kept whole inside it. */
typedef struct {
  double x0, y0, x1, y1;
} Rect;

/* Whether text shown at (x, y) with halign and valign (relief_plot_show_text) lies whole
 * inside r. */
static gboolean
text_fits (cairo_t *cr, const Rect *r, double x, double y, const char *text, double halign, double valign)
{
  double w = relief_plot_text_width (cr, text), ch = relief_plot_cap_height (cr);
  double left = x - halign * w, baseline = y + (1 - valign) * ch;

  return left >= r->x0 && left + w <= r->x1 && baseline - ch >= r->y0 && baseline + relief_plot_descent (cr) <= r->y1;
}

/* An axis along box axis k on the edge through `at`, with ticks and labels pointing away
 * from the box along `out` (a 3D direction).  Only ticks whose labels fit in r are drawn,
 * and the axis title sits by the middle of the edge's part in view, moved inside r; a
 * zoomed box whose edge shows no tick has no title there. */
static void
draw_axis (cairo_t *cr, const View *v, int k, const double at[3], const double out[3], const ReliefPlotAxis *ax,
           const double lo[3], const double hi[3], const char *label, const Rect *r)
{
  double ox, oy, x0, y0, len, dx, dy, p0[3], p1[3], far = 0, shown_lo = INFINITY, shown_hi = -INFINITY;
  double origin[3] = { 0, 0, 0 };

  project (v, out, &ox, &oy);
  project (v, origin, &x0, &y0);
  dx = ox - x0;
  dy = oy - y0;
  len = hypot (dx, dy);
  if (len < 1e-9)
    return;
  dx /= len;
  dy /= len;

  cairo_save (cr);
  cairo_set_source_rgb (cr, relief_plot_ink[0], relief_plot_ink[1], relief_plot_ink[2]);
  cairo_set_line_width (cr, LINE_WIDTH);
  memcpy (p0, at, sizeof p0);
  memcpy (p1, at, sizeof p1);
  p0[k] = lo[k];
  p1[k] = hi[k];
  line3 (cr, v, p0, p1);
  cairo_stroke (cr);

  relief_plot_set_font (cr, FONT_TICK);
  for (int t = 0; t < ax->n; t++)
    {
      double p[3], x, y, w = relief_plot_text_width (cr, ax->label[t]);

      memcpy (p, at, sizeof p);
      p[k] = lo[k] + relief_plot_axis_frac (ax, ax->pos[t]) * (hi[k] - lo[k]);
      project (v, p, &x, &y);
      if (!text_fits (cr, r, x + (TICK_LEN + PAD) * dx, y + (TICK_LEN + PAD) * dy, ax->label[t], 0.5 - 0.5 * dx,
                      0.5 - 0.5 * dy))
        continue;
      cairo_move_to (cr, x, y);
      cairo_line_to (cr, x + TICK_LEN * dx, y + TICK_LEN * dy);
      cairo_stroke (cr);
      relief_plot_show_text (cr, x + (TICK_LEN + PAD) * dx, y + (TICK_LEN + PAD) * dy, ax->label[t],
                             0.5 - 0.5 * dx, 0.5 - 0.5 * dy);
      far = MAX (far, fabs (dx) * w + fabs (dy) * relief_plot_cap_height (cr));
      shown_lo = MIN (shown_lo, p[k]);
      shown_hi = MAX (shown_hi, p[k]);
    }

  if (label && *label && shown_lo <= shown_hi)
    {
      double p[3], x, y, off = TICK_LEN + 2.5 * PAD + far, lw, ch;

      memcpy (p, at, sizeof p);
      p[k] = (lo[k] + hi[k]) / 2;
      project (v, p, &x, &y);
      relief_plot_set_font (cr, FONT_LABEL);
      lw = relief_plot_text_width (cr, label);
      ch = relief_plot_cap_height (cr);
      /* Beside a vertical axis the label reads upwards, as matplotlib sets it, so that it
       * takes a line's height of the width and not its length. */
      if (k == 2 && fabs (dx) > fabs (dy))
        {
          double lx = x + off * dx - (dx < 0 ? ch : 0);

          if (x < r->x0 || x > r->x1 || y < r->y0 || y > r->y1)
            {
              p[k] = (shown_lo + shown_hi) / 2;
              project (v, p, &x, &y);
              lx = x + off * dx - (dx < 0 ? ch : 0);
            }
          relief_plot_show_text_vertical (cr, CLAMP (lx, r->x0 + ch, r->x1), CLAMP (y, r->y0 + lw / 2, r->y1 - lw / 2),
                                          label);
        }
      else
        {
          double ha = 0.5 - 0.5 * dx, va = 0.5 - 0.5 * dy, tx, ty;

          if (x < r->x0 || x > r->x1 || y < r->y0 || y > r->y1)
            {
              p[k] = (shown_lo + shown_hi) / 2;
              project (v, p, &x, &y);
            }
          /* The anchor moved so that the text's box lies inside r. */
          tx = CLAMP (x + off * dx, r->x0 + ha * lw, r->x1 - (1 - ha) * lw);
          ty = CLAMP (y + off * dy, r->y0 + va * ch, r->y1 - relief_plot_descent (cr) - (1 - va) * ch);
          relief_plot_show_text (cr, tx, ty, label, ha, va);
        }
    }
  cairo_restore (cr);
}

static double
sign (double v)
{
  return v >= 0 ? 1 : -1;
}

static const double box_lo[3] = { -1, -1, -BOX_H }, box_hi[3] = { 1, 1, BOX_H };

/* The panes on the far side of each axis; the floor below unless seen from beneath. */
static void
box_back (const View *v, double back[3])
{
  back[0] = -sign (v->eye[0]);
  back[1] = -sign (v->eye[1]);
  back[2] = -sign (v->eye[2]) * BOX_H;
}

static void
draw_box_panes (cairo_t *cr, const Scene *sc, const ReliefPlotAxis ax[3])
{
  const ReliefPlotAxis *axes[3] = { &ax[0], &ax[1], &ax[2] };
  double back[3];

  box_back (&sc->v, back);
  draw_panes (cr, &sc->v, back, axes, box_lo, box_hi);
}

/* Drawn after the surface: a zoomed surface reaches out over the labels' places, and the
 * labels stay readable over it. */
static void
draw_box_axes (cairo_t *cr, const Scene *sc, ReliefPlotAxis ax[3], const Rect *r)
{
  const View *v = &sc->v;
  const double *lo = box_lo, *hi = box_hi;
  double back[3];
  double best = INFINITY, zc[3] = { 0, 0, 0 };

  box_back (v, back);

  /* x and y on the floor's edges nearer the viewer; z on the vertical edge furthest left. */
  draw_axis (cr, v, 0, (const double[3]) { 0, -back[1], back[2] }, (const double[3]) { 0, -back[1], 0 },
             &ax[0], lo, hi, sc->spec->xlabel, r);
  draw_axis (cr, v, 1, (const double[3]) { -back[0], 0, back[2] }, (const double[3]) { -back[0], 0, 0 },
             &ax[1], lo, hi, sc->spec->ylabel, r);
  for (int c = 0; c < 4; c++)
    {
      double p[3] = { c & 1 ? 1 : -1, c & 2 ? 1 : -1, 0 }, x, y;

      project (v, p, &x, &y);
      if (x < best)
        {
          best = x;
          zc[0] = p[0];
          zc[1] = p[1];
        }
    }
  draw_axis (cr, v, 2, zc, (const double[3]) { zc[0], zc[1], 0 }, &ax[2], lo, hi, sc->spec->zlabel, r);
}

/* ---- the surface ---- */

static void
segment (cairo_t *cr, const double *px, const double *py, int from, int to)
{
  cairo_move_to (cr, px[from], py[from]);
  cairo_line_to (cr, px[to], py[to]);
}

static void
draw_quads (cairo_t *cr, const Scene *sc)
{
  const ReliefSurface3DSpec *s = sc->spec;
  const View *v = &sc->v;
  g_autofree int *ci = g_new (int, s->nx + 1);
  g_autofree int *ri = g_new (int, s->ny + 1);
  int nc = sample_axis (s->nx, ci), nr = sample_axis (s->ny, ri);
  g_autofree Quad *quads = g_new (Quad, (gsize) (nc - 1) * (nr - 1));
  int n = 0, mesh_c = (nc - 2) / MESH_LINES + 1, mesh_r = (nr - 2) / MESH_LINES + 1;
  /* Light from the upper left behind the viewer's shoulder, fixed to the data like
   * matplotlib's LightSource, so that rotating shows the relief. */
  double light[3] = { -0.5, 0.3, 0.81 };

  for (int a = 0; a + 1 < nr; a++)
    for (int b = 0; b + 1 < nc; b++)
      {
        double p[3], sum = 0;
        gboolean ok = TRUE;

        for (int c = 0; c < 4 && ok; c++)
          {
            double z = sc->tz[(gsize) ri[a + (c >> 1)] * s->nx + ci[b + (c & 1)]];

            ok = isfinite (z);
            sum += z;
          }
        if (!ok)
          continue;
        to_box (sc, (s->xs[ci[b]] + s->xs[ci[b + 1]]) / 2, (s->ys[ri[a]] + s->ys[ri[a + 1]]) / 2, sum / 4, p);
        quads[n++] = (Quad) { depth (v, p), a, b };
      }
  qsort (quads, n, sizeof (Quad), compare_quads);

  cairo_save (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (int q = 0; q < n; q++)
    {
      int a = quads[q].a, b = quads[q].b;
      /* corners counter-clockwise: (b, a), (b+1, a), (b+1, a+1), (b, a+1) */
      static const int du[4] = { 0, 1, 1, 0 }, dv[4] = { 0, 0, 1, 1 };
      double p[4][3], px[4], py[4], sum = 0, rgb[3], e1[3], e2[3], nrm[3], len, shade;

      for (int c = 0; c < 4; c++)
        {
          int i = ci[b + du[c]], j = ri[a + dv[c]];
          double z = sc->tz[(gsize) j * s->nx + i];

          to_box (sc, s->xs[i], s->ys[j], z, p[c]);
          project (v, p[c], &px[c], &py[c]);
          sum += z;
        }
      for (int d = 0; d < 3; d++)
        {
          e1[d] = p[2][d] - p[0][d];
          e2[d] = p[3][d] - p[1][d];
        }
      nrm[0] = e1[1] * e2[2] - e1[2] * e2[1];
      nrm[1] = e1[2] * e2[0] - e1[0] * e2[2];
      nrm[2] = e1[0] * e2[1] - e1[1] * e2[0];
      len = sqrt (nrm[0] * nrm[0] + nrm[1] * nrm[1] + nrm[2] * nrm[2]);
      shade = len > 0 ? fabs (nrm[0] * light[0] + nrm[1] * light[1] + nrm[2] * light[2]) / len : 1;
      shade = 0.6 + 0.4 * shade;
      relief_colormap_eval (s->colormap, (sum / 4 - sc->zmin) / (sc->zmax - sc->zmin), rgb);

      cairo_move_to (cr, px[0], py[0]);
      for (int c = 1; c < 4; c++)
        cairo_line_to (cr, px[c], py[c]);
      cairo_close_path (cr);
      cairo_set_source_rgb (cr, rgb[0] * shade, rgb[1] * shade, rgb[2] * shade);
      /* Stroked in its own color too, so that antialiasing leaves no seams between quads. */
      cairo_set_line_width (cr, 0.6);
      cairo_fill_preserve (cr);
      cairo_stroke (cr);

      /* The mesh: the quad's edges that lie on every mesh_c-th column or mesh_r-th row. */
      if (b % mesh_c == 0)
        segment (cr, px, py, 0, 3);
      if ((b + 1) % mesh_c == 0 || b + 2 == nc)
        segment (cr, px, py, 1, 2);
      if (a % mesh_r == 0)
        segment (cr, px, py, 0, 1);
      if ((a + 1) % mesh_r == 0 || a + 2 == nr)
        segment (cr, px, py, 3, 2);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
      cairo_set_line_width (cr, 0.35);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

/* The path lifted a hair above the surface, drawn over it. */
static void
draw_path (cairo_t *cr, const Scene *sc)
{
  const ReliefSurface3DSpec *s = sc->spec;
  double lift = 0.01 * (sc->zmax - sc->zmin);
  int n = 0;
  g_autofree double *px = g_new (double, s->n_path);
  g_autofree double *py = g_new (double, s->n_path);

  cairo_save (cr);
  cairo_new_path (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (int i = 0; i < s->n_path; i++)
    {
      double z = s->path_z ? s->path_z[i]
                           : relief_grid_interpolate (s->z, s->nx, s->ny, s->xs, s->ys, s->path_x[i], s->path_y[i]);
      double p[3];

      if (s->log_scale && isfinite (z))
        z = log10 (MAX (z, pow (10, sc->zmin)));
      if (!isfinite (z) || !isfinite (s->path_x[i]) || !isfinite (s->path_y[i]))
        {
          px[i] = py[i] = NAN;
          cairo_new_sub_path (cr);
          continue;
        }
      to_box (sc, s->path_x[i], s->path_y[i], z + lift, p);
      project (&sc->v, p, &px[i], &py[i]);
      cairo_line_to (cr, px[i], py[i]);
      n++;
    }
  relief_plot_stroke_trajectory (cr, 0.8);
  for (int i = 0; n <= 200 && i < s->n_path; i++)
    if (isfinite (px[i]))
      {
        cairo_new_sub_path (cr);
        cairo_arc (cr, px[i], py[i], 1.8, 0, 2 * G_PI);
      }
  cairo_fill (cr);
  if (s->path_marker >= 0 && s->path_marker < s->n_path && isfinite (px[s->path_marker]))
    relief_plot_trajectory_marker (cr, px[s->path_marker], py[s->path_marker]);
  cairo_restore (cr);
}

/* A smooth colorbar of h device units at (x, y), ticks on its right. */
static void
draw_colorbar (cairo_t *cr, const Scene *sc, double x, double y, double w, double h)
{
  ReliefPlotAxis cb = { 0 };

  cairo_save (cr);
  relief_plot_colorbar_ramp (cr, sc->spec->colormap, x, y, w, h);
  relief_ticks_build (&cb, sc->zmin, sc->zmax, sc->spec->log_scale, (int) (h / 28) + 1);
  relief_plot_colorbar_ticks (cr, &cb, x, y, w, h);
  cairo_restore (cr);
  relief_ticks_clear (&cb);
}

void
relief_plot_surface3d (cairo_t *cr, double width, double height, const ReliefSurface3DSpec *spec)
{
  Scene sc = { spec };
  ReliefPlotAxis ax[3] = { 0 };
  gsize n = spec->z && spec->nx > 0 && spec->ny > 0 ? (gsize) spec->nx * spec->ny : 0;
  double az = spec->azimuth * G_PI / 180, el = spec->elevation * G_PI / 180;
  double top = PAD, right = 0, aw, ah, zoom = spec->zoom > 0 ? spec->zoom : 1;
  Rect view;
  gboolean has_data;

  sc.tz = g_new (double, MAX (n, 1));
  relief_plot_color_values (spec->z, n, spec->log_scale, sc.tz, &sc.zmin, &sc.zmax);
  has_data = sc.zmin <= sc.zmax && spec->nx >= 2 && spec->ny >= 2 && spec->xs && spec->ys;
  if (!has_data)
    sc.zmin = sc.zmax = 0;
  relief_plot_widen_if_empty (&sc.zmin, &sc.zmax);
  sc.xlo = spec->xs && spec->nx >= 1 ? spec->xs[0] : 0;
  sc.xhi = spec->xs && spec->nx >= 1 ? spec->xs[spec->nx - 1] : 1;
  sc.ylo = spec->ys && spec->ny >= 1 ? spec->ys[0] : 0;
  sc.yhi = spec->ys && spec->ny >= 1 ? spec->ys[spec->ny - 1] : 1;
  relief_plot_widen_if_empty (&sc.xlo, &sc.xhi);
  relief_plot_widen_if_empty (&sc.ylo, &sc.yhi);

  cairo_save (cr);
  relief_plot_paint_background (cr, width, height);
  if (spec->title && *spec->title)
    {
      relief_plot_set_font (cr, FONT_TITLE);
      cairo_set_source_rgb (cr, relief_plot_ink[0], relief_plot_ink[1], relief_plot_ink[2]);
      relief_plot_show_text (cr, width / 2, 2 * PAD, spec->title, 0.5, 0);
      top = 2 * PAD + relief_plot_cap_height (cr) + 2 * PAD;
    }
  if (has_data && spec->show_colorbar)
    right = 56;

  /* The view: a scale that does not change with the azimuth, so that turning the box does
   * not make it breathe: its widest (diagonal) and tallest extents at this elevation fit. */
  sc.v.sx[0] = -sin (az);
  sc.v.sx[1] = cos (az);
  sc.v.sx[2] = 0;
  sc.v.up[0] = -sin (el) * cos (az);
  sc.v.up[1] = -sin (el) * sin (az);
  sc.v.up[2] = cos (el);
  sc.v.eye[0] = cos (el) * cos (az);
  sc.v.eye[1] = cos (el) * sin (az);
  sc.v.eye[2] = sin (el);
  aw = MAX (width - right - 2 * LABEL_SIDE, 10);
  ah = MAX (height - top - LABEL_TOP - LABEL_SIDE, 10);
  sc.v.scale = zoom * MIN (aw / (2 * G_SQRT2), ah / (2 * (fabs (sin (el)) * G_SQRT2 + fabs (cos (el)) * BOX_H)));
  sc.v.cx = LABEL_SIDE + aw / 2;
  sc.v.cy = top + LABEL_TOP + ah / 2;

  relief_ticks_build (&ax[0], sc.xlo, sc.xhi, FALSE, (int) (sc.v.scale * 2 / 55) + 1);
  relief_ticks_build (&ax[1], sc.ylo, sc.yhi, FALSE, (int) (sc.v.scale * 2 / 55) + 1);
  relief_ticks_build (&ax[2], sc.zmin, sc.zmax, spec->log_scale, (int) (sc.v.scale * 2 * BOX_H / 30) + 1);

  /* Left of the colorbar with a gap, below the title. */
  view = (Rect) { 0, top, MAX (width - right - (right > 0 ? PAD : 0), 1), height };
  cairo_save (cr);
  cairo_rectangle (cr, view.x0, view.y0, view.x1 - view.x0, view.y1 - view.y0);
  cairo_clip (cr);
  draw_box_panes (cr, &sc, ax);
  if (has_data)
    {
      draw_quads (cr, &sc);
      if (spec->n_path > 0 && spec->path_x && spec->path_y)
        draw_path (cr, &sc);
    }
  {
    /* Labels keep a hair from the edges, where antialiasing would cut them. */
    Rect inner = { view.x0 + 2, view.y0 + 2, view.x1 - 2, view.y1 - 2 };

    draw_box_axes (cr, &sc, ax, &inner);
  }
  cairo_restore (cr);
  /* Shorter than the figure, as matplotlib shrinks it beside a 3D box. */
  if (has_data && spec->show_colorbar)
    draw_colorbar (cr, &sc, width - right, top + LABEL_TOP + 0.15 * ah, 12, 0.7 * ah);
  cairo_restore (cr);

  for (int k = 0; k < 3; k++)
    relief_ticks_clear (&ax[k]);
  g_free (sc.tz);
}

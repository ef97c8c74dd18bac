/* relief-plot-decision.c: decision regions of a 2D classifier and its samples. */
#include "relief-plot-decision.h"
#include "relief-plot-private.h"

#include <math.h>

#define SAMPLE_RADIUS 3.0

/* How much of the class color a region takes over white: from the least sure (uniform
 * over the classes) to the surest, so that boundaries read as pale seams. */
#define TINT_MIN 0.15
#define TINT_MAX 0.6

static guint32
tint (const ReliefDecisionSpec *s, gsize k)
{
  double rgb[3], sure = 1, chance = 1.0 / MAX (s->n_classes, 2), mix;
  guint32 p = 0xff000000u;

  relief_plot_palette (s->classes[k], rgb);
  if (s->confidence)
    sure = CLAMP ((s->confidence[k] - chance) / (1 - chance), 0, 1);
  mix = TINT_MIN + (TINT_MAX - TINT_MIN) * sure;
  for (int c = 0; c < 3; c++)
    p |= (guint32) lround (255 * (1 - mix + mix * rgb[c])) << (16 - 8 * c);
  return p;
}

static void
draw_regions (cairo_t *cr, const ReliefDecisionSpec *s, const ReliefPlotAxes *ax)
{
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, s->nx, s->ny);
  int stride = cairo_image_surface_get_stride (img);
  cairo_matrix_t m;
  guchar *data;

  if (cairo_surface_status (img) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (img);
      return;
    }
  cairo_surface_flush (img);
  data = cairo_image_surface_get_data (img);
  for (int j = 0; j < s->ny; j++)
    {
      guint32 *row = (guint32 *) (data + (gsize) (s->ny - 1 - j) * stride);   /* y grows upwards */

      for (int i = 0; i < s->nx; i++)
        row[i] = tint (s, (gsize) j * s->nx + i);
    }
  cairo_surface_mark_dirty (img);

  /* Pixel centres on the grid points: pattern u = 0.5 + (x - xmin) (nx - 1) / (xmax - xmin). */
  cairo_matrix_init_translate (&m, 0.5, 0.5);
  cairo_matrix_scale (&m, s->nx > 1 ? (s->nx - 1) / ax->pw : s->nx / ax->pw,
                      s->ny > 1 ? (s->ny - 1) / ax->ph : s->ny / ax->ph);
  cairo_matrix_translate (&m, -ax->px, -ax->py);
  relief_plot_paint_image (cr, ax, img, &m);
}

static void
draw_samples (cairo_t *cr, const ReliefDecisionSpec *s, const ReliefPlotAxes *ax)
{
  cairo_save (cr);
  relief_plot_clip_to_data (cr, ax);
  cairo_set_line_width (cr, 0.9);
  for (int k = 0; k < s->n_samples; k++)
    {
      double rgb[3], x = s->samples[2 * k], y = s->samples[2 * k + 1];

      if (!isfinite (x) || !isfinite (y))
        continue;
      relief_plot_palette (s->labels[k], rgb);
      cairo_new_path (cr);
      cairo_arc (cr, relief_plot_axes_x_dev (ax, x), relief_plot_axes_y_dev (ax, y), SAMPLE_RADIUS, 0, 2 * G_PI);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, 0.1, 0.1, 0.1, 0.85);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

void
relief_plot_decision (cairo_t *cr, double width, double height, const ReliefDecisionSpec *spec,
                      ReliefPlotFrame *frame_out)
{
  ReliefPlotAxes ax = { 0 };
  double xlo = spec->xmin, xhi = spec->xmax, ylo = spec->ymin, yhi = spec->ymax;

  relief_plot_widen_if_empty (&xlo, &xhi);
  relief_plot_widen_if_empty (&ylo, &yhi);
  cairo_save (cr);
  relief_plot_axes_begin (cr, &ax, width, height, spec->title, spec->xlabel, spec->ylabel, xlo, xhi, ylo, yhi,
                          FALSE, FALSE, NULL, NULL);
  if (spec->classes && spec->nx > 0 && spec->ny > 0)
    draw_regions (cr, spec, &ax);
  if (spec->samples && spec->labels)
    draw_samples (cr, spec, &ax);
  relief_plot_axes_finish (cr, &ax, spec->title, spec->xlabel, spec->ylabel, frame_out);
  cairo_restore (cr);
}

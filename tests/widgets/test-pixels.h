/* test-pixels.h: rendering the plot core into an image and reading its pixels back. */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>

/* An opaque RGB image of w x h pixels that draw() painted. */
static inline cairo_surface_t *
test_render (int w, int h, void (*draw) (cairo_t *, double, double, gconstpointer), gconstpointer data)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create (s);

  draw (cr, w, h, data);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

/* The pixel at (x, y), rounded to the nearest pixel, as 0xRRGGBB. */
static inline guint32
test_pixel (cairo_surface_t *s, double x, double y)
{
  int ix = (int) floor (x), iy = (int) floor (y);

  g_assert_cmpint (ix, >=, 0);
  g_assert_cmpint (iy, >=, 0);
  g_assert_cmpint (ix, <, cairo_image_surface_get_width (s));
  g_assert_cmpint (iy, <, cairo_image_surface_get_height (s));
  return ((const guint32 *) (cairo_image_surface_get_data (s) + (gsize) iy * cairo_image_surface_get_stride (s)))[ix]
         & 0xffffff;
}

/* TRUE when the pixel is within tol (per 8-bit channel) of the color rgb in [0, 1]. */
static inline gboolean
test_pixel_is (cairo_surface_t *s, double x, double y, const double rgb[3], int tol)
{
  guint32 p = test_pixel (s, x, y);

  for (int c = 0; c < 3; c++)
    if (abs ((int) ((p >> (16 - 8 * c)) & 0xff) - (int) lround (255 * rgb[c])) > tol)
      return FALSE;
  return TRUE;
}

/* TRUE when the pixel is white blended with at least min_alpha of rgb, the same amount in
 * every channel: an antialiased edge of something of that color on white. */
static inline gboolean
test_pixel_tints (cairo_surface_t *s, double x, double y, const double rgb[3], double min_alpha)
{
  guint32 p = test_pixel (s, x, y);
  double lo = 1, hi = 0;

  for (int c = 0; c < 3; c++)
    {
      double ink = 255 * (1 - rgb[c]), got = 255 - (double) ((p >> (16 - 8 * c)) & 0xff);

      if (ink < 50)
        {
          if (got > 50)
            return FALSE;
          continue;
        }
      lo = MIN (lo, got / ink);
      hi = MAX (hi, got / ink);
    }
  return lo >= min_alpha && hi - lo <= 0.1;
}

static const double test_white[3] = { 1, 1, 1 };

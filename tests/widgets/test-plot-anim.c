/* test-plot-anim.c: GIFs read back with giflib: the frames, their size and delay, the
 * loop, the pictures themselves once composed (a changed rectangle over what was there),
 * and what a cancel or a bad setting leaves. */
#include "relief-plot.h"

#include <gif_lib.h>
#include <glib/gstdio.h>
#include <string.h>

#define W 64
#define H 40
#define FRAMES 6

/* A red 8x8 square moving right 6 pixels a frame over a fixed blue bar. */
static void
draw_square (cairo_t *cr, int width, int height, int frame, gpointer data)
{
  int *calls = data;

  (*calls)++;
  g_assert_cmpint (width, ==, W);
  g_assert_cmpint (height, ==, H);
  cairo_set_source_rgb (cr, 0, 0, 1);
  cairo_rectangle (cr, 0, 30, W, 6);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_rectangle (cr, 4 + 6 * frame, 10, 8, 8);
  cairo_fill (cr);
}

static guint32
expected_at (int frame, int x, int y)
{
  if (x >= 4 + 6 * frame && x < 12 + 6 * frame && y >= 10 && y < 18)
    return 0xff0000;
  if (y >= 30 && y < 36)
    return 0x0000ff;
  return 0xffffff;
}

static void
on_progress (double fraction, gpointer data)
{
  double *last = data;

  g_assert_cmpfloat (fraction, >, *last);
  *last = fraction;
}

static void
test_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("relief-anim-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "square.gif", NULL);
  g_autoptr(GError) error = NULL;
  guint32 canvas[H][W];
  double last = 0;
  int calls = 0, gif_error = 0;
  GifFileType *gif;

  g_assert_true (relief_plot_anim_gif (path, W, H, FRAMES, 12.5, draw_square, &calls, on_progress, &last, NULL,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpint (calls, ==, FRAMES);
  g_assert_cmpfloat (last, ==, 1.0);
  g_assert_cmpint (relief_plot_anim_gif_delay (12.5), ==, 8);
  g_assert_cmpint (relief_plot_anim_gif_delay (100), ==, 2);   /* browsers slow faster ones down */

  gif = DGifOpenFileName (path, &gif_error);
  g_assert_nonnull (gif);
  g_assert_cmpint (DGifSlurp (gif), ==, GIF_OK);
  g_assert_cmpint (gif->SWidth, ==, W);
  g_assert_cmpint (gif->SHeight, ==, H);
  g_assert_cmpint (gif->ImageCount, ==, FRAMES);
  g_assert_nonnull (gif->SColorMap);
  for (int f = 0; f < FRAMES; f++)
    {
      const SavedImage *im = &gif->SavedImages[f];
      const GifImageDesc *d = &im->ImageDesc;
      GraphicsControlBlock gcb;

      g_assert_cmpint (DGifSavedExtensionToGCB (gif, f, &gcb), ==, GIF_OK);
      g_assert_cmpint (gcb.DelayTime, ==, 8);
      g_assert_cmpint (gcb.DisposalMode, ==, DISPOSE_DO_NOT);
      g_assert_null (d->ColorMap);   /* one global colour map */
      if (f == 0)
        {
          g_assert_cmpint (d->Width, ==, W);
          g_assert_cmpint (d->Height, ==, H);
          g_assert_cmpint (gcb.TransparentColor, ==, NO_TRANSPARENT_COLOR);
        }
      else
        {
          /* Only the square's old and new place changed: a 14x8 rectangle. */
          g_assert_cmpint (d->Width, ==, 14);
          g_assert_cmpint (d->Height, ==, 8);
          g_assert_cmpint (d->Top, ==, 10);
          g_assert_cmpint (d->Left, ==, 4 + 6 * (f - 1));
          g_assert_cmpint (gcb.TransparentColor, >=, 0);
        }
      for (int y = 0; y < d->Height; y++)
        for (int x = 0; x < d->Width; x++)
          {
            int index = im->RasterBits[y * d->Width + x];
            const GifColorType *c = &gif->SColorMap->Colors[index];

            if (index == gcb.TransparentColor)
              continue;
            canvas[d->Top + y][d->Left + x] = ((guint32) c->Red << 16) | ((guint32) c->Green << 8) | c->Blue;
          }
      for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
          if (canvas[y][x] != expected_at (f, x, y))
            g_error ("frame %d at (%d, %d): %06x, not %06x", f, x, y, canvas[y][x], expected_at (f, x, y));
    }
  DGifCloseFile (gif, &gif_error);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A cancel before the end, a bad size or rate: no file, nothing left in the folder. */
static void
test_refusals (void)
{
  g_autofree char *dir = g_dir_make_tmp ("relief-anim-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "square.gif", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  int calls = 0;

  g_cancellable_cancel (cancellable);
  g_assert_false (relief_plot_anim_gif (path, W, H, FRAMES, 10, draw_square, &calls, NULL, NULL, cancellable,
                                        &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (relief_plot_anim_gif (path, 0, H, FRAMES, 10, draw_square, &calls, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (relief_plot_anim_gif (path, W, H, FRAMES, 0.1, draw_square, &calls, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "0.1 a second"));
  listing = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (listing));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/plot-anim/round-trip", test_round_trip);
  g_test_add_func ("/plot-anim/refusals", test_refusals);
  return g_test_run ();
}

/* relief-plot-anim.c: animations as GIFs through giflib. */
#include "relief-plot-anim.h"

#include <gif_lib.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-output.h"

#define N_COLOURS   255             /* the 256th index is the transparent one */
#define TRANSPARENT 255
#define MAX_SIDE    4096

typedef struct {
  ReliefOutput *out;
  GError       *error;             /* the first write's failure */
} GifSink;

static int
write_to_output (GifFileType *gif, const GifByteType *data, int len)
{
  GifSink *sink = gif->UserData;

  if (sink->error == NULL && !relief_output_write (sink->out, data, (gsize) len, &sink->error))
    return 0;
  return sink->error == NULL ? len : 0;
}

int
relief_plot_anim_gif_delay (double fps)
{
  return MAX (2, (int) lround (100.0 / fps));
}

/* A frame drawn into pixels [height, width] (0xAARRGGBB, opaque: white first). */
static void
draw_frame (cairo_surface_t *surface, int width, int height, int frame, ReliefAnimDrawFunc draw, gpointer data)
{
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  draw (cr, width, height, frame, data);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
}

static guint32
pixel_at (cairo_surface_t *surface, int x, int y)
{
  const guchar *row = cairo_image_surface_get_data (surface) + (gsize) y * cairo_image_surface_get_stride (surface);

  return ((const guint32 *) row)[x];
}

/* Median cut gives each colour the mean of its box, which turns a figure's white paper
 * and its flat colours (the palette's lines) into near misses: a colour becomes the most
 * frequent exact colour among the pixels it stands for when that is most of them (a box
 * of two colours keeps their mean rather than losing the rarer one). */
static void
snap_to_modes (const GifByteType *r, const GifByteType *g, const GifByteType *b, const GifByteType *index, gsize n,
               GifColorType *map, int n_colours)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint best_count[256] = { 0 }, best_code[256] = { 0 };
  gsize total[256] = { 0 };
  GHashTableIter iter;
  gpointer key, value;

  for (gsize k = 0; k < n; k++)
    {
      guint code = ((guint) index[k] << 24) | ((guint) r[k] << 16) | ((guint) g[k] << 8) | b[k];
      gpointer at = GUINT_TO_POINTER (code);

      total[index[k]]++;
      g_hash_table_insert (counts, at, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, at)) + 1));
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint code = GPOINTER_TO_UINT (key), count = GPOINTER_TO_UINT (value), i = code >> 24;

      if (count > best_count[i])
        {
          best_count[i] = count;
          best_code[i] = code;
        }
    }
  for (int i = 0; i < n_colours; i++)
    if (2 * (gsize) best_count[i] > total[i])
      {
        map[i].Red = (best_code[i] >> 16) & 0xff;
        map[i].Green = (best_code[i] >> 8) & 0xff;
        map[i].Blue = best_code[i] & 0xff;
      }
}

/* The colour map: median cut over the first and the last frame stacked. */
static gboolean
build_colour_map (cairo_surface_t *first, cairo_surface_t *last, int width, int height, GifColorType *map,
                  int *n_colours, GError **error)
{
  gsize n = (gsize) width * height * 2;
  g_autofree GifByteType *r = g_malloc (n), *g = g_malloc (n), *b = g_malloc (n), *out = g_malloc (n);
  gsize k = 0;

  for (int f = 0; f < 2; f++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++, k++)
        {
          guint32 p = pixel_at (f == 0 ? first : last, x, y);

          r[k] = (p >> 16) & 0xff;
          g[k] = (p >> 8) & 0xff;
          b[k] = p & 0xff;
        }
  *n_colours = N_COLOURS;
  if (GifQuantizeBuffer ((unsigned) width, (unsigned) height * 2, n_colours, r, g, b, out, map) != GIF_OK)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot build the animation’s colour map"));
      return FALSE;
    }
  snap_to_modes (r, g, b, out, n, map, *n_colours);
  return TRUE;
}

/* Nearest colours by a table over 15-bit colours, filled as they are met. */
typedef struct {
  const GifColorType *map;
  int                 n;
  gint16              nearest[1 << 15];
} Palette;

static GifByteType
palette_index (Palette *pal, guint32 p)
{
  int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
  int key = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);

  if (pal->nearest[key] < 0)
    {
      int best = 0, best_d = G_MAXINT;

      for (int i = 0; i < pal->n; i++)
        {
          int dr = r - pal->map[i].Red, dg = g - pal->map[i].Green, db = b - pal->map[i].Blue;
          int d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;

          if (d < best_d)
            {
              best_d = d;
              best = i;
            }
        }
      pal->nearest[key] = (gint16) best;
    }
  return (GifByteType) pal->nearest[key];
}

static gboolean
gif_failed (GifFileType *gif, GifSink *sink, const char *path, GError **error)
{
  if (sink->error != NULL)
    g_propagate_error (error, g_steal_pointer (&sink->error));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write “%s”: %s"), path,
                 GifErrorString (gif->Error));
  return FALSE;
}

static gboolean
put_loop_forever (GifFileType *gif)
{
  static const GifByteType loop[3] = { 1, 0, 0 };   /* sub-block 1: repeat 0 times more = forever */

  return EGifPutExtensionLeader (gif, APPLICATION_EXT_FUNC_CODE) == GIF_OK &&
         EGifPutExtensionBlock (gif, 11, "NETSCAPE2.0") == GIF_OK &&
         EGifPutExtensionBlock (gif, 3, loop) == GIF_OK && EGifPutExtensionTrailer (gif) == GIF_OK;
}

/* One frame: the rectangle that changed since prev (all of it when prev is NULL), its
 * unchanged pixels transparent. */
static gboolean
put_frame (GifFileType *gif, const GifByteType *cur, const GifByteType *prev, int width, int height, int delay,
           GifByteType *line)
{
  GraphicsControlBlock gcb = { DISPOSE_DO_NOT, false, delay, prev ? TRANSPARENT : NO_TRANSPARENT_COLOR };
  GifByteType ext[4];
  int x0 = 0, y0 = 0, x1 = width - 1, y1 = height - 1;

  if (prev != NULL)
    {
      x0 = width;
      y0 = height;
      x1 = y1 = -1;
      for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
          if (cur[(gsize) y * width + x] != prev[(gsize) y * width + x])
            {
              x0 = MIN (x0, x);
              x1 = MAX (x1, x);
              y0 = MIN (y0, y);
              y1 = MAX (y1, y);
            }
      if (x1 < 0)
        x0 = x1 = y0 = y1 = 0;   /* nothing changed: one transparent pixel holds the delay */
    }
  EGifGCBToExtension (&gcb, ext);
  if (EGifPutExtension (gif, GRAPHICS_EXT_FUNC_CODE, 4, ext) != GIF_OK ||
      EGifPutImageDesc (gif, x0, y0, x1 - x0 + 1, y1 - y0 + 1, false, NULL) != GIF_OK)
    return FALSE;
  for (int y = y0; y <= y1; y++)
    {
      for (int x = x0; x <= x1; x++)
        {
          gsize i = (gsize) y * width + x;

          line[x - x0] = prev != NULL && cur[i] == prev[i] ? TRANSPARENT : cur[i];
        }
      if (EGifPutLine (gif, line, x1 - x0 + 1) != GIF_OK)
        return FALSE;
    }
  return TRUE;
}

gboolean
relief_plot_anim_gif (const char *path, int width, int height, int n_frames, double fps, ReliefAnimDrawFunc draw,
                      gpointer draw_data, ReliefAnimProgressFunc progress, gpointer progress_data,
                      GCancellable *cancellable, GError **error)
{
  g_autoptr(ReliefOutput) out = NULL;
  cairo_surface_t *surface = NULL, *last = NULL;
  g_autofree GifByteType *cur = NULL, *prev = NULL, *line = NULL;
  g_autofree Palette *pal = NULL;
  GifColorType colours[256] = { { 0 } };
  ColorMapObject *map = NULL;
  GifFileType *gif = NULL;
  GifSink sink = { 0 };
  int n_colours = 0, gif_error = 0, delay = relief_plot_anim_gif_delay (fps);
  gboolean ok = FALSE;

  if (width < 1 || width > MAX_SIDE || height < 1 || height > MAX_SIDE || n_frames < 1 || !(fps >= 0.5) ||
      !(fps <= 100))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("An animation takes 1 to %d pixels a side, at least one frame and 0.5 to 100 frames a second "
                     "(got %dx%d, %d frames, %g a second)"), MAX_SIDE, width, height, n_frames, fps);
      return FALSE;
    }
  if ((out = relief_output_new (path, error)) == NULL)
    return FALSE;
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  last = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS || cairo_surface_status (last) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("No memory for frames of %dx%d pixels"), width, height);
      goto done;
    }
  draw_frame (surface, width, height, 0, draw, draw_data);
  draw_frame (last, width, height, n_frames - 1, draw, draw_data);
  if (!build_colour_map (surface, last, width, height, colours, &n_colours, error))
    goto done;
  pal = g_new (Palette, 1);
  pal->map = colours;
  pal->n = MAX (n_colours, 1);
  memset (pal->nearest, 0xff, sizeof pal->nearest);
  if ((map = GifMakeMapObject (256, colours)) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot build the animation’s colour map"));
      goto done;
    }

  sink.out = out;
  if ((gif = EGifOpen (&sink, write_to_output, &gif_error)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write “%s”: %s"), path,
                   GifErrorString (gif_error));
      goto done;
    }
  EGifSetGifVersion (gif, true);
  if (EGifPutScreenDesc (gif, width, height, 8, 0, map) != GIF_OK || !put_loop_forever (gif))
    {
      gif_failed (gif, &sink, path, error);
      goto done;
    }
  cur = g_malloc ((gsize) width * height);
  prev = g_malloc ((gsize) width * height);
  line = g_malloc ((gsize) width);
  for (int f = 0; f < n_frames; f++)
    {
      GifByteType *swap;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto done;
      if (f > 0 && f < n_frames - 1)
        draw_frame (surface, width, height, f, draw, draw_data);
      for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
          cur[(gsize) y * width + x] = palette_index (pal, pixel_at (f == n_frames - 1 ? last : surface, x, y));
      if (!put_frame (gif, cur, f > 0 ? prev : NULL, width, height, delay, line))
        {
          gif_failed (gif, &sink, path, error);
          goto done;
        }
      swap = prev;
      prev = cur;
      cur = swap;
      if (progress)
        progress ((f + 1.0) / n_frames, progress_data);
    }
  ok = EGifCloseFile (gif, &gif_error) == GIF_OK;
  gif = NULL;
  if (!ok)
    {
      if (sink.error != NULL)
        g_propagate_error (error, g_steal_pointer (&sink.error));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write “%s”: %s"), path,
                     GifErrorString (gif_error));
      goto done;
    }
  ok = relief_output_commit (g_steal_pointer (&out), error);

done:
  if (gif != NULL)
    EGifCloseFile (gif, NULL);
  g_clear_error (&sink.error);
  if (map != NULL)
    GifFreeMapObject (map);
  cairo_surface_destroy (surface);
  cairo_surface_destroy (last);
  return ok;
}

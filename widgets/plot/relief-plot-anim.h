/* relief-plot-anim.h: figures as animations: frames drawn with cairo, written as a GIF
 * (giflib) that loops forever. */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* Draws frame (0 .. n_frames - 1) into cr of width x height pixels (white first: the
 * frame is what it paints). */
typedef void (*ReliefAnimDrawFunc) (cairo_t *cr, int width, int height, int frame, gpointer user_data);
/* The share of the frames written so far; called on the writing thread. */
typedef void (*ReliefAnimProgressFunc) (double fraction, gpointer user_data);

/* n_frames frames of width x height pixels (each 1 to 4096) at fps frames a second
 * (0.5 to 100; a GIF counts its delays in hundredths, so the delay is 100 / fps rounded,
 * at least 2) to path, a GIF: one global colour map of 255 colours, by median cut over the
 * first and the last frame (a race's map and its whole trails; other frames' colours go to
 * the nearest of them) and a transparent index, each frame after
 * the first only the rectangle that changed with its unchanged pixels transparent, LZW
 * by giflib, the NETSCAPE2.0 extension to loop forever.  Written under a temporary name
 * and renamed (relief-output.h); a cancel (G_IO_ERROR_CANCELLED, checked between frames)
 * or a failure leaves path as it was. */
gboolean relief_plot_anim_gif (const char *path, int width, int height, int n_frames, double fps,
                               ReliefAnimDrawFunc draw, gpointer draw_data, ReliefAnimProgressFunc progress,
                               gpointer progress_data, GCancellable *cancellable, GError **error);

/* The delay between frames, in hundredths of a second, that relief_plot_anim_gif writes
 * for fps. */
int      relief_plot_anim_gif_delay (double fps);

G_END_DECLS

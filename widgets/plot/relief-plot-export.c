/* relief-plot-export.c: figures to PNG, SVG and PDF files, written atomically. */
#include "relief-plot-export.h"
#include "relief-output.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <math.h>
#include <string.h>

typedef enum { FORMAT_NONE, FORMAT_PNG, FORMAT_SVG, FORMAT_PDF } Format;

static Format
format_of (const char *path)
{
  const char *dot = path ? strrchr (path, '.') : NULL;

  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return FORMAT_NONE;
  if (g_ascii_strcasecmp (dot, ".png") == 0)
    return FORMAT_PNG;
  if (g_ascii_strcasecmp (dot, ".svg") == 0)
    return FORMAT_SVG;
  if (g_ascii_strcasecmp (dot, ".pdf") == 0)
    return FORMAT_PDF;
  return FORMAT_NONE;
}

gboolean
relief_plot_export_supported (const char *path)
{
  return format_of (path) != FORMAT_NONE;
}

static cairo_status_t
write_to_output (void *closure, const unsigned char *data, unsigned int length)
{
  return relief_output_write (closure, data, length, NULL) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* Draws into a new surface whose bytes go to out: cairo's status once all is written. */
static cairo_status_t
render (Format format, ReliefOutput *out, double width, double height, double dpi,
        ReliefDrawFunc draw, gpointer user_data)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  if (format == FORMAT_PNG)
    {
      double scale = dpi / 72;

      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) lround (width * scale),
                                            (int) lround (height * scale));
      cr = cairo_create (surface);
      cairo_scale (cr, scale, scale);
    }
  else
    {
      surface = format == FORMAT_SVG ? cairo_svg_surface_create_for_stream (write_to_output, out, width, height)
                                     : cairo_pdf_surface_create_for_stream (write_to_output, out, width, height);
      cr = cairo_create (surface);
    }

  draw (cr, width, height, user_data);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && format == FORMAT_PNG)
    status = cairo_surface_write_to_png_stream (surface, write_to_output, out);
  /* A PDF or SVG is written out here, its trailer last: its status tells whether all went. */
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  return status;
}

gboolean
relief_plot_export (const char *path, double width, double height, double dpi,
                    ReliefDrawFunc draw, gpointer user_data, GError **error)
{
  Format format = format_of (path);
  ReliefOutput *out;
  cairo_status_t status;

  if (format == FORMAT_NONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Cannot write “%s”: figures are written as .png, .svg or .pdf"), path);
      return FALSE;
    }
  if (!(width > 0 && height > 0 && dpi > 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Cannot write “%s”: the figure size must be positive"), path);
      return FALSE;
    }

  out = relief_output_new (path, error);
  if (out == NULL)
    return FALSE;
  status = render (format, out, width, height, dpi, draw, user_data);
  if (status == CAIRO_STATUS_SUCCESS)
    return relief_output_commit (out, error);
  /* A failed write has its own message (errno's); otherwise cairo's. */
  if (relief_output_write (out, NULL, 0, error))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write “%s”: %s"), path,
                 cairo_status_to_string (status));
  relief_output_abort (out);
  return FALSE;
}

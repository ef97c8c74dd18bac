/* relief-plot-export.c: figures to PNG, SVG and PDF files, written atomically. */
#include "relief-plot-export.h"
#include "relief-file.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

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

/* Draws into a new surface that writes to tmp_path; FALSE with error when cairo fails. */
static gboolean
render (Format format, const char *tmp_path, double width, double height, double dpi,
        ReliefDrawFunc draw, gpointer user_data, GError **error)
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
      surface = format == FORMAT_SVG ? cairo_svg_surface_create (tmp_path, width, height)
                                     : cairo_pdf_surface_create (tmp_path, width, height);
      cr = cairo_create (surface);
    }

  draw (cr, width, height, user_data);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && format == FORMAT_PNG)
    status = cairo_surface_write_to_png (surface, tmp_path);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

gboolean
relief_plot_export (const char *path, double width, double height, double dpi,
                    ReliefDrawFunc draw, gpointer user_data, GError **error)
{
  Format format = format_of (path);
  g_autofree char *dir = NULL, *base = NULL, *tmp_path = NULL;
  int fd;

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

  if (!relief_check_destination (path, error))
    return FALSE;
  /* The temporary file sits beside the destination so that the rename is atomic. */
  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  fd = g_mkstemp_full (tmp_path, O_RDWR, 0666);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot write “%s”: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);

  if (!render (format, tmp_path, width, height, dpi, draw, user_data, error))
    {
      g_unlink (tmp_path);
      g_prefix_error (error, _("Cannot write “%s”: "), path);
      return FALSE;
    }
  if (g_rename (tmp_path, path) != 0)
    {
      int saved = errno;

      g_unlink (tmp_path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot write “%s”: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* relief-plot-export.h: figures to PNG, SVG and PDF files. */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

/* Export: the file type follows the extension (.png, .svg, .pdf).  width and height in
 * points (1/72 in); PNG is rasterized at dpi.  draw() is called once with a cairo_t
 * scaled so it draws in points.  Written to a temporary file and renamed into place. */
typedef void (*ReliefDrawFunc) (cairo_t *cr, double width, double height, gpointer user_data);
gboolean relief_plot_export (const char *path, double width, double height, double dpi,
                             ReliefDrawFunc draw, gpointer user_data, GError **error);
/* TRUE when the extension is one relief_plot_export writes. */
gboolean relief_plot_export_supported (const char *path);

G_END_DECLS

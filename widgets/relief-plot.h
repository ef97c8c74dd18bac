/* relief-plot.h: the cairo-only plot core (no GTK).
 *
 * Everything draws into a cairo_t of a given size in user units (points for PDF/SVG,
 * pixels on screen), which is how the window, PNG, SVG and PDF export and the tests share
 * one code path.  Data comes in as plain arrays; nothing here owns it.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RELIEF_COLORMAP_VIRIDIS,
  RELIEF_COLORMAP_MAGMA,
} ReliefColormap;

/* t in [0,1] (clamped) to sRGB components in [0,1]. */
void     relief_colormap_eval (ReliefColormap cmap, double t, double rgb[3]);
const char *relief_colormap_to_string (ReliefColormap cmap);

/* "Nice" tick positions (1, 2, 5 x 10^k) covering [lo, hi]: at most max_ticks, at least 2
 * when lo < hi.  Returns the number written to ticks (capacity max_ticks + 2). */
int      relief_ticks_nice (double lo, double hi, int max_ticks, double *ticks);
/* Tick label with just enough digits for the step between ticks. */
char    *relief_tick_format (double value, double step);

/* Marching squares over z [ny, nx] on the grid xs x ys at one level: calls segment() for
 * each line segment in data coordinates; cells touching NaN are skipped. */
typedef void (*ReliefSegmentFunc) (double x0, double y0, double x1, double y1, gpointer user_data);
void     relief_contour_segments (const double *z, int nx, int ny, const double *xs, const double *ys,
                                  double level, ReliefSegmentFunc segment, gpointer user_data);
/* n levels evenly spaced strictly inside [zmin, zmax] (linear) or in log space when log is
 * TRUE and zmin > 0. */
void     relief_contour_levels (double zmin, double zmax, int n, gboolean log, double *levels);

/* Where the data area ended up, for hit-testing and overlays. */
typedef struct {
  double px, py, pw, ph;          /* the data area in device units */
  double xmin, xmax, ymin, ymax;  /* its data limits */
  gboolean log_y;
  double cbx, cby, cbw, cbh;      /* the colorbar in device units; cbw == 0 when none */
} ReliefPlotFrame;

/* Device to data and back; FALSE when outside the data area. */
gboolean relief_plot_frame_to_data   (const ReliefPlotFrame *f, double px, double py, double *x, double *y);
void     relief_plot_frame_from_data (const ReliefPlotFrame *f, double x, double y, double *px, double *py);

typedef struct {
  const char   *title;         /* may be NULL */
  const char   *xlabel, *ylabel, *zlabel;  /* zlabel labels the colorbar */
  int           nx, ny;
  const double *xs, *ys;       /* grid coordinates, increasing */
  const double *z;             /* [ny, nx] row = y, NaN = not computed (drawn as background) */
  ReliefColormap colormap;
  gboolean      filled;        /* filled contour bands (TRUE) or a smooth heatmap (FALSE) */
  int           n_levels;      /* contour lines; 0: none */
  gboolean      log_scale;     /* color and levels in log10 (values <= 0 clamped) */
  gboolean      show_colorbar;
  /* optional marker at (marker_x, marker_y) when has_marker */
  gboolean      has_marker;
  double        marker_x, marker_y;
} ReliefHeatmapSpec;

void     relief_plot_heatmap (cairo_t *cr, double width, double height, const ReliefHeatmapSpec *spec,
                              ReliefPlotFrame *frame_out);

typedef struct {
  const char   *label;
  int           n;
  const double *x, *y;         /* NaN y values break the line */
  double        rgb[3];
  gboolean      dashed;
} ReliefLineSeries;

typedef struct {
  const char   *title;
  const char   *xlabel, *ylabel;
  int           n_series;
  const ReliefLineSeries *series;
  gboolean      log_y;
  gboolean      legend;
  /* fixed limits when xmin < xmax (resp. ymin < ymax), else fitted to the data */
  double        xmin, xmax, ymin, ymax;
} ReliefLinePlotSpec;

void     relief_plot_lines (cairo_t *cr, double width, double height, const ReliefLinePlotSpec *spec,
                            ReliefPlotFrame *frame_out);

/* A default palette color for series i. */
void     relief_plot_palette (int i, double rgb[3]);

/* Export: the file type follows the extension (.png, .svg, .pdf).  width and height in
 * points (1/72 in); PNG is rasterized at dpi.  draw() is called once with a cairo_t
 * scaled so it draws in points.  Written to a temporary file and renamed into place. */
typedef void (*ReliefDrawFunc) (cairo_t *cr, double width, double height, gpointer user_data);
gboolean relief_plot_export (const char *path, double width, double height, double dpi,
                             ReliefDrawFunc draw, gpointer user_data, GError **error);
/* TRUE when the extension is one relief_plot_export writes. */
gboolean relief_plot_export_supported (const char *path);

G_END_DECLS

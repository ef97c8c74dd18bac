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
  gboolean log_x, log_y;
  double cbx, cby, cbw, cbh;      /* the colorbar in device units; cbw == 0 when none */
} ReliefPlotFrame;

/* Redraws the tick marks and labels of a drawn frame's axes for other data limits (a
 * window zoomed or panned ahead of new data), over the old ones; the axis titles, the box
 * and a colorbar stay.  Nothing happens for empty or (on log axes) non-positive limits. */
void     relief_plot_redraw_ticks (cairo_t *cr, const ReliefPlotFrame *frame, double xmin, double xmax,
                                   double ymin, double ymax);

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
  /* optional polyline with a dot at each point (e.g. the training trajectory projected on
   * a PCA plane); n_path == 0: none.  NaN points break the line. */
  int           n_path;
  const double *path_x, *path_y;
  int           path_marker;   /* the highlighted point (the scrubber's), -1 none */
} ReliefHeatmapSpec;

void     relief_plot_heatmap (cairo_t *cr, double width, double height, const ReliefHeatmapSpec *spec,
                              ReliefPlotFrame *frame_out);

/* A surface in 3D, as matplotlib's plot_surface draws it: quads filled by the colormap
 * and sorted back to front, a thin mesh, the axes box with ticks on x, y and z. */
#define RELIEF_SURFACE3D_AZIMUTH   (-60.0)   /* matplotlib's default view, in degrees */
#define RELIEF_SURFACE3D_ELEVATION  30.0

typedef struct {
  const char   *title;         /* may be NULL */
  const char   *xlabel, *ylabel, *zlabel;
  int           nx, ny;
  const double *xs, *ys;       /* grid coordinates, increasing */
  const double *z;             /* [ny, nx] row = y; quads touching NaN are left out */
  ReliefColormap colormap;
  gboolean      log_scale;     /* z axis and color in log10 (values <= 0 clamped) */
  gboolean      show_colorbar;
  double        azimuth, elevation;   /* degrees: the view from (cos az, sin az) in the x-y
                                         plane, raised by elevation */
  double        zoom;          /* 1: the box fills the figure; <= 0 taken as 1 */
  /* optional polyline on the surface (the trajectory); z looked up bilinearly in the grid
   * when path_z is NULL.  n_path == 0: none. */
  int           n_path;
  const double *path_x, *path_y, *path_z;
  int           path_marker;   /* the highlighted point, -1 none */
} ReliefSurface3DSpec;

void     relief_plot_surface3d (cairo_t *cr, double width, double height, const ReliefSurface3DSpec *spec);

/* z at (x, y) interpolated bilinearly on the grid; NaN outside it or next to NaN. */
double   relief_grid_interpolate (const double *z, int nx, int ny, const double *xs, const double *ys,
                                  double x, double y);

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
  gboolean      log_x;         /* x on a log10 axis (values <= 0 left out) */
  gboolean      log_y;
  gboolean      legend;
  /* fixed limits when xmin < xmax (resp. ymin < ymax), else fitted to the data */
  double        xmin, xmax, ymin, ymax;
} ReliefLinePlotSpec;

void     relief_plot_lines (cairo_t *cr, double width, double height, const ReliefLinePlotSpec *spec,
                            ReliefPlotFrame *frame_out);

/* A default palette color for series i. */
void     relief_plot_palette (int i, double rgb[3]);

/* A classifier's decisions over its 2D input plane, with the samples on top. */
typedef struct {
  const char   *title;
  const char   *xlabel, *ylabel;
  int           nx, ny;                    /* the grid spans the limits, points on the edges */
  double        xmin, xmax, ymin, ymax;
  const int    *classes;                   /* [ny, nx] row = y: the predicted class */
  const float  *confidence;                /* [ny, nx]: its probability, or NULL */
  int           n_classes;
  int           n_samples;
  const float  *samples;                   /* [n_samples, 2] */
  const gint32 *labels;                    /* [n_samples] */
} ReliefDecisionSpec;

/* Regions in the light tints of relief_plot_palette (paler where the model is less sure);
 * samples as dots of their class's full color with dark edges. */
void     relief_plot_decision (cairo_t *cr, double width, double height, const ReliefDecisionSpec *spec,
                               ReliefPlotFrame *frame_out);

/* Export: the file type follows the extension (.png, .svg, .pdf).  width and height in
 * points (1/72 in); PNG is rasterized at dpi.  draw() is called once with a cairo_t
 * scaled so it draws in points.  Written to a temporary file and renamed into place. */
typedef void (*ReliefDrawFunc) (cairo_t *cr, double width, double height, gpointer user_data);
gboolean relief_plot_export (const char *path, double width, double height, double dpi,
                             ReliefDrawFunc draw, gpointer user_data, GError **error);
/* TRUE when the extension is one relief_plot_export writes. */
gboolean relief_plot_export_supported (const char *path);

G_END_DECLS

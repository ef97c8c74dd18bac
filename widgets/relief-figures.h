/* relief-figures.h: the standard figures of surfaces and runs, drawn with the plot core
 * (no GTK): what `relief plot` writes and what the window exports. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "relief-files.h"
#include "relief-plot.h"

G_BEGIN_DECLS

typedef struct {
  ReliefColormap colormap;
  int            n_levels;           /* contour levels of a 2D surface (default 12) */
  gboolean       log_scale;          /* losses on a log10 scale */
  const char    *title;              /* NULL: none */
  const char    *xlabel, *ylabel;    /* NULL: "x direction", "y direction" */
  gboolean       has_marker;         /* a marker at (marker_x, marker_y) on a 2D surface */
  double         marker_x, marker_y;
} ReliefFigureOptions;

void relief_figure_options_init (ReliefFigureOptions *opt);

/* 2D: filled contours of the training loss with contour lines and a colorbar; 1D (ny == 1):
 * loss above accuracy along the direction. */
void relief_figure_surface (cairo_t *cr, double width, double height, const ReliefSurface *s,
                            const ReliefFigureOptions *opt);

/* Loss and accuracy (%) against the step, side by side; test curves when the run has them. */
void relief_figure_run (cairo_t *cr, double width, double height, const ReliefRun *run,
                        const ReliefFigureOptions *opt);

G_END_DECLS

/* relief-plot.h: the cairo-only plot core (no GTK).
 *
 * Everything draws into a cairo_t of a given size in user units (points for PDF/SVG,
 * pixels on screen), which is how the window, PNG, SVG and PDF export and the tests share
 * one code path.  Data comes in as plain arrays; nothing here owns it.  One header per
 * renderer; this one includes them all.
 */
#pragma once

#include "relief-colormap.h"
#include "relief-contour.h"
#include "relief-grid.h"
#include "relief-plot-3d.h"
#include "relief-plot-anim.h"
#include "relief-plot-axes.h"
#include "relief-plot-decision.h"
#include "relief-plot-export.h"
#include "relief-plot-heatmap.h"
#include "relief-plot-histogram.h"
#include "relief-plot-lines.h"
#include "relief-plot-polygons.h"
#include "relief-ticks.h"

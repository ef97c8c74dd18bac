#pragma once

#include "relief-page.h"
#include "relief-plot.h"
#include "relief-regions-file.h"

G_BEGIN_DECLS

/* The exact linear regions of the current run's network at the checkpoint under its
 * trajectory scrubber, over the input plane of 2D data or the plane through three training
 * samples (chosen in the sidebar, shown as thumbnails for image data), coloured by region,
 * predicted class or active neurons; computed in the background by the regions job (a run
 * taken up from another page at once, page.run with the settings shown), the readout says
 * what is under the pointer.  Regions files open here. */
#define RELIEF_TYPE_REGIONS_PAGE (relief_regions_page_get_type ())
G_DECLARE_FINAL_TYPE (ReliefRegionsPage, relief_regions_page, RELIEF, REGIONS_PAGE, ReliefPage)

/* The run whose regions the page shows (NULL: none, and page.run is off); they are
 * computed at once at its last checkpoint, on the plane the sidebar asks for. */
void        relief_regions_page_set_run (ReliefRegionsPage *self, const char *run_path);
/* The partition shown (NULL before any), with its checkpoint and step. */
const ReliefRegions *relief_regions_page_get_regions (ReliefRegionsPage *self, int *checkpoint, gint64 *step);
/* The whole result shown (plane, samples, run), NULL before any. */
const ReliefRegionsFile *relief_regions_page_get_file (ReliefRegionsPage *self);
/* What the page says instead of regions (a tanh net, a run without checkpoints), NULL when
 * it shows regions or nothing. */
const char *relief_regions_page_get_message (ReliefRegionsPage *self);
/* Where the plot's data area is on screen, in the drawing area's pixels; FALSE before it
 * was drawn with regions. */
gboolean    relief_regions_page_get_frame (ReliefRegionsPage *self, ReliefPlotFrame *frame);
/* What the readout says for the pointer at plane point (u, v): region id, active neurons,
 * predicted class and logits (of more than 3 classes the largest 3, each with its class);
 * NULL outside the regions. */
char       *relief_regions_page_readout (ReliefRegionsPage *self, double u, double v);
/* What Export Figure writes to a chosen file (PNG, SVG or PDF by its extension). */
void        relief_regions_page_export_figure (ReliefRegionsPage *self, GFile *file);
/* What Export Data writes: a regions file (.h5, .hdf5) or the polygons as CSV (.csv: one
 * row per vertex, region by region, with its predicted class, active neurons and pattern
 * in hex), written atomically; FALSE with error when there is nothing to write, the name
 * has neither ending or a write fails. */
gboolean    relief_regions_page_export_data (ReliefRegionsPage *self, const char *path, GError **error);

G_END_DECLS

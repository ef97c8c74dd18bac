#pragma once

#include "relief-hessian-file.h"
#include "relief-page.h"
#include "relief-plot.h"
#include "relief-weights-file.h"

G_BEGIN_DECLS

/* The spectra of the current run at the checkpoint under its trajectory scrubber: the
 * Hessian's (page.run computes its density, top eigenvalues and trace in the background)
 * and its weight matrices' (each layer's ESD with its power-law fit and Marchenko-Pastur
 * edge, computed as the scrubber moves, and every layer's top singular value over
 * training).  A run made on another page is taken up at once (show_run); hessian and
 * weights files open here. */
#define RELIEF_TYPE_SPECTRA_PAGE (relief_spectra_page_get_type ())
G_DECLARE_FINAL_TYPE (ReliefSpectraPage, relief_spectra_page, RELIEF, SPECTRA_PAGE, ReliefPage)

/* The page's three plots. */
typedef enum {
  RELIEF_SPECTRA_PLOT_HESSIAN,
  RELIEF_SPECTRA_PLOT_ESD,
  RELIEF_SPECTRA_PLOT_TOP,
} ReliefSpectraPlot;

/* What Export Data writes. */
typedef enum {
  RELIEF_SPECTRA_DATA_CURVATURE,
  RELIEF_SPECTRA_DATA_WEIGHTS,
} ReliefSpectraData;

/* The run whose spectra the page shows (NULL: none, and page.run is off); its weight
 * spectra are computed at once, at its last checkpoint. */
void     relief_spectra_page_set_run (ReliefSpectraPage *self, const char *run_path);
/* The curvature shown, NULL before any; *stale (may be NULL) TRUE when it is another
 * run's or checkpoint's than the scrubber's. */
const ReliefHessianSpectrum *relief_spectra_page_get_hessian (ReliefSpectraPage *self, gboolean *stale);
/* The weight spectra shown, NULL before any; *busy (may be NULL) TRUE while newer ones
 * are being computed. */
const ReliefWeights *relief_spectra_page_get_weights (ReliefSpectraPage *self, gboolean *busy);
/* The layer the ESD shows. */
int      relief_spectra_page_get_layer (ReliefSpectraPage *self);
/* Where the plot's data area is on screen, in its widget's pixels; FALSE when it has not
 * been drawn with data. */
gboolean relief_spectra_page_get_frame (ReliefSpectraPage *self, ReliefSpectraPlot plot, ReliefPlotFrame *frame);
/* What the readout says for the pointer at data coordinates (x, y) of the plot; NULL when
 * there is nothing there. */
char    *relief_spectra_page_readout (ReliefSpectraPage *self, ReliefSpectraPlot plot, double x, double y);
/* What Export Figure writes to a chosen file (PNG, SVG or PDF by its extension). */
void     relief_spectra_page_export_figure (ReliefSpectraPage *self, GFile *file);
/* What Export Data writes to a chosen path: HDF5 (.h5, .hdf5) in the file kind's format,
 * or CSV (.csv): the curvature as its eigenvalues with their residuals and the trace with
 * its standard error (PATH), and its density (PATH-density.csv); the weight spectra as
 * each layer's metrics (PATH), singular values (PATH-singular-values.csv) and top
 * singular values over training (PATH-top-singular-values.csv).  Every file written
 * atomically; FALSE with error when there is nothing to write or a write fails. */
gboolean relief_spectra_page_export_data (ReliefSpectraPage *self, ReliefSpectraData what, const char *path,
                                          GError **error);

G_END_DECLS

#pragma once

#include "relief-intdim-file.h"
#include "relief-page.h"
#include "relief-plot.h"

G_BEGIN_DECLS

/* page.run runs the intrinsic-dimension sweep set up in the controls, in the background,
 * saving it after every training.  The sweep last run (or opened) is continued when the
 * settings are the same, so a cancelled sweep resumes; other settings start a new file in
 * the user's data folder (relief/sweeps). */
#define RELIEF_TYPE_DIMENSION_PAGE (relief_dimension_page_get_type ())
G_DECLARE_FINAL_TYPE (ReliefDimensionPage, relief_dimension_page, RELIEF, DIMENSION_PAGE, ReliefPage)

/* Shows an earlier sweep and fills the controls from it; errors go to a dialog (FALSE). */
gboolean    relief_dimension_page_open       (ReliefDimensionPage *self, const char *path);
/* The sweep shown, as far as it has run (NULL before any), and its file. */
const ReliefIntdim *relief_dimension_page_get_sweep      (ReliefDimensionPage *self);
const char         *relief_dimension_page_get_sweep_path (ReliefDimensionPage *self);
/* Where the figure's data area was last drawn; FALSE before it was drawn. */
gboolean    relief_dimension_page_get_plot_frame (ReliefDimensionPage *self, ReliefPlotFrame *frame);

G_END_DECLS

#pragma once

#include "relief-page.h"

G_BEGIN_DECLS

/* page.run computes the surface around the run's last checkpoint in the background,
 * filling the map as cells arrive; zooming and panning recompute the window shown.  A run
 * made on another page is taken up at once (show_run). */
#define RELIEF_TYPE_LANDSCAPE_PAGE (relief_landscape_page_get_type ())
G_DECLARE_FINAL_TYPE (ReliefLandscapePage, relief_landscape_page, RELIEF, LANDSCAPE_PAGE, ReliefPage)

/* The run whose landscape page.run computes (NULL: none, and page.run is off). */
void        relief_landscape_page_set_run   (ReliefLandscapePage *self, const char *run_path);
/* Cells computed so far, and the grid's size. */
int         relief_landscape_page_get_n_done (ReliefLandscapePage *self, int *n_total);
/* Loss and accuracy (percent) at the cell nearest to (x, y); FALSE when outside or not computed. */
gboolean    relief_landscape_page_value_at   (ReliefLandscapePage *self, double x, double y,
                                              double *loss, double *acc_percent);
/* The model's decision regions at point (x, y) of the last surface, beside the map, for
 * data sets with two inputs; computed in the background. */
void        relief_landscape_page_show_decision (ReliefLandscapePage *self, double x, double y);
gboolean    relief_landscape_page_has_decision  (ReliefLandscapePage *self, gboolean *running);
/* Closes the decision panel (its close button, Escape): TRUE when it was open. */
gboolean    relief_landscape_page_close_decision (ReliefLandscapePage *self);

G_END_DECLS

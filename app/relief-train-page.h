#pragma once

#include "relief-page.h"
#include "relief-regions-live.h"
#include "relief-train.h"

G_BEGIN_DECLS

/* page.run trains with the settings shown and emits "run-ready" once the run file is
 * written (also after a cancel or a divergence: the file holds the run up to there). */
#define RELIEF_TYPE_TRAIN_PAGE (relief_train_page_get_type ())
G_DECLARE_FINAL_TYPE (ReliefTrainPage, relief_train_page, RELIEF, TRAIN_PAGE, ReliefPage)

/* The run being written or last written. */
const char *relief_train_page_get_run_path (ReliefTrainPage *self);
/* The points the curves draw: the metrics received so far, decimated to a bounded number. */
guint       relief_train_page_get_n_points  (ReliefTrainPage *self);
/* The metrics received so far. */
guint64     relief_train_page_get_n_metrics (ReliefTrainPage *self);
/* The local-complexity rows of the run training (train.complexity_every), *n of them, in
 * step order; reset when a run starts.  Owned by the page, valid until its next tick. */
const ReliefComplexityRow *relief_train_page_get_complexity (ReliefTrainPage *self, guint *n);
/* 2D data: whether the decision map beside the curves shows, and the step it is of. */
gboolean    relief_train_page_get_map_step  (ReliefTrainPage *self, gint64 *step);
/* The linear regions drawn over the map (the switch on), NULL when none; *step (may be
 * NULL) the one they are of. */
const ReliefRegions *relief_train_page_get_regions (ReliefTrainPage *self, gint64 *step);
/* The model and parameters of the map shown, and its input plane (the caller's); FALSE
 * without a map. */
gboolean    relief_train_page_get_map_params (ReliefTrainPage *self, const ReliefMlpSpec **spec,
                                              const float **params, ReliefPlane **plane);
/* The Export figure: the run's curves, the region count and local complexity when the
 * page has them, the linear regions over the decision map when the switch is on; written
 * to file (.pdf, .svg, .png), errors in a dialog. */
void        relief_train_page_export_figure (ReliefTrainPage *self, GFile *file);
/* What computes the regions (its counts say how many were dropped). */
ReliefRegionsLive *relief_train_page_get_regions_live (ReliefTrainPage *self);

G_END_DECLS

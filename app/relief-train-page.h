#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RELIEF_TYPE_TRAIN_PAGE (relief_train_page_get_type ())
G_DECLARE_FINAL_TYPE (ReliefTrainPage, relief_train_page, RELIEF, TRAIN_PAGE, GtkWidget)

/* Starts training with the settings shown; emits "run-finished" (path, status) once the
 * run file is written (also after a cancel or a divergence: the file holds the run up to
 * there). */
void        relief_train_page_start      (ReliefTrainPage *self);
void        relief_train_page_cancel     (ReliefTrainPage *self);
gboolean    relief_train_page_is_running (ReliefTrainPage *self);
const char *relief_train_page_get_run_path (ReliefTrainPage *self);
/* Metrics received so far (the loss curve's points). */
guint       relief_train_page_get_n_points (ReliefTrainPage *self);
void        relief_train_page_export     (ReliefTrainPage *self);

G_END_DECLS

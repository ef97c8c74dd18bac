/* relief-work-files-dialog.h: what the window keeps by itself (runs, surfaces, sweeps in
 * relief-work-dir's folders), shown with their sizes, and cleared on request. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* A dialog over parent listing the automatic files, with the responses "close",
 * "clear-surfaces" and "clear-all" (the clear ones off when there is nothing to clear). */
GtkWidget *relief_work_files_dialog_new   (GtkWindow *parent);
/* Carries out a response of that dialog; n_removed counts the files deleted. */
gboolean   relief_work_files_clear        (const char *response, guint *n_removed, GError **error);

G_END_DECLS

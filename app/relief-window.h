#pragma once

#include <adwaita.h>

#include "relief-application.h"
#include "relief-plot.h"

G_BEGIN_DECLS

#define RELIEF_TYPE_WINDOW (relief_window_get_type ())
G_DECLARE_FINAL_TYPE (ReliefWindow, relief_window, RELIEF, WINDOW, AdwApplicationWindow)

ReliefWindow *relief_window_new            (ReliefApplication *app);
/* Trains the built-in default and, when it is done, computes its landscape. */
void          relief_window_start_default  (ReliefWindow *self);
void          relief_window_toast          (ReliefWindow *self, const char *message);
void          relief_window_report_error   (ReliefWindow *self, const char *heading, const char *message);
GtkWidget    *relief_window_get_train_page     (ReliefWindow *self);
GtkWidget    *relief_window_get_landscape_page (ReliefWindow *self);
GtkWidget    *relief_window_get_dimension_page (ReliefWindow *self);
/* Where the window keeps the runs and surfaces it makes (created on demand). */
char         *relief_window_new_work_path  (const char *kind, const char *suffix, GError **error);

/* For the window's pages: an error in the page's status label and in a dialog of the
 * window the page is in; a toast there. */
void          relief_page_report_error (GtkWidget *page, GtkLabel *status, const char *heading, const char *message);
void          relief_page_toast        (GtkWidget *page, const char *message);

/* A save dialog for figures, with PDF, SVG and PNG filters. */
GtkFileChooserNative *relief_figure_chooser_new (GtkWidget *parent, const char *title, const char *default_name);
/* Writes the figure drawn by draw to file (PDF, SVG or PNG by its extension; width x height
 * points, PNG at 300 dpi): a toast when done, else the error as relief_page_report_error. */
void          relief_page_export_figure (GtkWidget *page, GtkLabel *status, GFile *file, double width, double height,
                                         ReliefDrawFunc draw, gpointer data);

/* The data sets the pages offer: the generators, then the installed ones (mnist, ...). */
GtkStringList *relief_dataset_list_new (void);

G_END_DECLS

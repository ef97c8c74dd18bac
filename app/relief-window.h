#pragma once

#include <adwaita.h>

#include "relief-page.h"

G_BEGIN_DECLS

#define RELIEF_TYPE_WINDOW (relief_window_get_type ())
G_DECLARE_FINAL_TYPE (ReliefWindow, relief_window, RELIEF, WINDOW, AdwApplicationWindow)

ReliefWindow *relief_window_new            (GtkApplication *app);
/* Runs the first page's job on its built-in default (a small MLP on a spiral); the page that
 * takes up the run (the landscape) follows. */
void          relief_window_start_default  (ReliefWindow *self);
/* The page of the view stack named name (resources/ui/relief-window.ui), or NULL. */
ReliefPage   *relief_window_get_page       (ReliefWindow *self, const char *name);

/* Shows a run, surface or sweep file on the page for its kind (that page is shown); FALSE,
 * with a toast saying why, when no page takes it. */
gboolean    relief_window_open_file (ReliefWindow *self, const char *path);
/* The Open button's list of recent files (win.open-recent items). */
GMenuModel *relief_window_get_recent_menu (ReliefWindow *self);

G_END_DECLS

/* relief-pages.h: the window's pages.  A new page is a ReliefPage subclass, a line in
 * relief-pages.c and an AdwViewStackPage in resources/ui/relief-window.ui. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers every page type, so the window's template can name them. */
void relief_pages_ensure_types (void);

G_END_DECLS

/* relief-cmd-plot.h: `relief plot`: draw a run, surface or sweep file as a figure. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is "plot"; returns the exit status (see relief-cli.h). */
int relief_cmd_plot (int argc, char **argv);

G_END_DECLS

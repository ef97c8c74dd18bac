/* relief-cmd-surface.h: `relief surface`: the loss surface around a checkpoint of a run. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is "surface"; returns the exit status (see relief-cli.h). */
int relief_cmd_surface (int argc, char **argv);

G_END_DECLS

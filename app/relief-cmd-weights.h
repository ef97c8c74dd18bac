/* relief-cmd-weights.h: `relief weights`: the spectra of a run's weight matrices. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is "weights"; returns the exit status (see relief-cli.h). */
int relief_cmd_weights (int argc, char **argv);

G_END_DECLS

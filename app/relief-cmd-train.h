/* relief-cmd-train.h: `relief train`: train a model and write its run file. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is "train"; returns the exit status (see relief-cli.h). */
int relief_cmd_train (int argc, char **argv);

G_END_DECLS

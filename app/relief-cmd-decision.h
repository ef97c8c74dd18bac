/* relief-cmd-decision.h: `relief decision`: draw a model's decision regions over its input plane. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is "decision"; returns the exit status (see relief-cli.h). */
int relief_cmd_decision (int argc, char **argv);

G_END_DECLS

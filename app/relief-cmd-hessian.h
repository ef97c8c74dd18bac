/* relief-cmd-hessian.h: `relief hessian`: the curvature of a run's loss at a checkpoint. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is "hessian"; returns the exit status (see relief-cli.h). */
int relief_cmd_hessian (int argc, char **argv);

G_END_DECLS

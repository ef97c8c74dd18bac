/* relief-cmd-intdim.h: `relief intdim`: sweep random subspaces to measure the intrinsic dimension. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is "intdim"; returns the exit status (see relief-cli.h). */
int relief_cmd_intdim (int argc, char **argv);

G_END_DECLS

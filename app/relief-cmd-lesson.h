/* relief-cmd-lesson.h: `relief lesson`: optimizers racing on a function of (x, y), written
 * as a race file and, when asked, as an animation. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is "lesson"; returns the exit status (see relief-cli.h). */
int relief_cmd_lesson (int argc, char **argv);

G_END_DECLS

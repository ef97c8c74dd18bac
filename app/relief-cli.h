/* relief-cli.h: `relief COMMAND`, headless: the table of commands and its dispatch. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when argv names a command, known or not (or asks for the CLI's help/version). */
gboolean relief_cli_wants (int argc, char **argv);
/* Runs the command; the process exit status: 0 success, 1 failure while working,
 * 2 bad usage or unusable input (an unknown command too), 130 interrupted. */
int      relief_cli_main  (int argc, char **argv);

G_END_DECLS

/* The relief binary the app tests run as a child process (RELIEF_BIN, set by meson). */
#pragma once

#include <glib.h>

/* argv for `relief ARGS`, ARGS split as a shell would; free with g_strfreev. */
static inline char **
relief_argv (const char *args)
{
  g_autofree char *command = g_strdup_printf ("%s %s", g_getenv ("RELIEF_BIN"), args);
  g_autoptr(GError) error = NULL;
  char **argv = NULL;

  g_assert_true (g_shell_parse_argv (command, NULL, &argv, &error));
  return argv;
}

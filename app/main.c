#include "relief-config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <unistd.h>

#include "relief-blas-tune.h"

#include "relief-cli.h"
#if RELIEF_HAVE_GUI
#include "relief-application.h"
#endif

/* OpenBLAS picks its kernels when it loads, from OPENBLAS_CORETYPE: when it took this CPU
 * for an older one, run again with the right kernels (once: RELIEF_NO_REEXEC).  A user's
 * own OPENBLAS_CORETYPE always wins. */
static void
reexec_for_blas (char **argv)
{
  const char *core;

  if (g_getenv ("OPENBLAS_CORETYPE") != NULL || g_getenv ("RELIEF_NO_REEXEC") != NULL)
    return;
  core = relief_blas_better_coretype ();
  if (core == NULL)
    return;
  g_setenv ("OPENBLAS_CORETYPE", core, TRUE);
  g_setenv ("RELIEF_NO_REEXEC", "1", TRUE);
  execv ("/proc/self/exe", argv);
  /* No re-exec (no /proc): carry on with the kernels already loaded. */
  g_unsetenv ("OPENBLAS_CORETYPE");
}

int
main (int argc, char **argv)
{
  reexec_for_blas (argv);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, RELIEF_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (relief_cli_wants (argc, argv))
    return relief_cli_main (argc, argv);

  if (argc > 1 && argv[1][0] != '-')
    {
      g_printerr (_("relief: unknown command “%s” (train, surface, plot; relief --help)\n"), argv[1]);
      return 2;
    }

#if RELIEF_HAVE_GUI
  {
    g_autoptr(ReliefApplication) app = relief_application_new ();
    return g_application_run (G_APPLICATION (app), argc, argv);
  }
#else
  g_printerr (_("relief: this build has no window (built with -Dgui=false); use relief train, surface or plot\n"));
  return 2;
#endif
}

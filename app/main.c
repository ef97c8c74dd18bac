#include "relief-config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "relief-blas-tune.h"

#include "relief-cli.h"
#if RELIEF_HAVE_GUI
#include "relief-application.h"
#endif

int
main (int argc, char **argv)
{
  /* OpenBLAS reads its kernel choice when it loads: fix it first. */
  relief_blas_reexec (argv);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, RELIEF_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (relief_cli_wants (argc, argv))
    return relief_cli_main (argc, argv);

#if RELIEF_HAVE_GUI
  {
    g_autoptr(ReliefApplication) app = relief_application_new ();
    return g_application_run (G_APPLICATION (app), argc, argv);
  }
#else
  g_printerr (_("relief: this build has no window (built with -Dgui=false); run relief --help for its commands\n"));
  return 2;
#endif
}

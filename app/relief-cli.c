#include "relief-config.h"

#include <glib/gi18n-lib.h>

#include "relief-cli.h"
#include "relief-cli-common.h"
#include "relief-cmd-decision.h"
#include "relief-cmd-hessian.h"
#include "relief-cmd-intdim.h"
#include "relief-cmd-plot.h"
#include "relief-cmd-regions.h"
#include "relief-cmd-surface.h"
#include "relief-cmd-train.h"
#include "relief-cmd-weights.h"

/* Every command, in the order the help lists them. */
static const struct {
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} commands[] = {
  { "train", N_("Train a model and write its run file"), relief_cmd_train },
  { "surface", N_("Compute the loss surface around a checkpoint of a run"), relief_cmd_surface },
  { "intdim", N_("Sweep random subspaces to measure the intrinsic dimension"), relief_cmd_intdim },
  { "hessian", N_("Compute the curvature of a run’s loss: Hessian eigenvalues, trace, density"), relief_cmd_hessian },
  { "decision", N_("Draw a model’s decision regions over its two inputs"), relief_cmd_decision },
  { "weights", N_("Compute the spectra of a run’s weight matrices (WeightWatcher’s alpha)"), relief_cmd_weights },
  { "regions", N_("Compute the exact linear regions of a relu network over an input plane"), relief_cmd_regions },
  { "plot", N_("Draw a run, surface, intdim, hessian, weights or regions file as a PDF, SVG or PNG figure"), relief_cmd_plot },
};

gboolean
relief_cli_wants (int argc, char **argv)
{
  if (argc < 2)
    return FALSE;
  return argv[1][0] != '-' || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
         g_str_equal (argv[1], "--version");
}

static char *
command_names (void)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (names, i == 0 ? "%s" : ", %s", commands[i].name);
  return g_string_free (names, FALSE);
}

static void
print_help (void)
{
  g_print ("%s\n\n", _("Usage: relief [COMMAND] [OPTIONS]"));
  g_print ("%s\n\n", _("Relief: a workbench for the loss landscapes of neural networks. With no command it opens the window."));
  g_print ("%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_print ("  %-9s %s\n", commands[i].name, _(commands[i].summary));
  g_print ("\n%s\n", _("Run “relief COMMAND --help” for a command’s options."));
}

int
relief_cli_main (int argc, char **argv)
{
  const char *command = argv[1];
  g_autofree char *names = NULL;

  if (g_str_equal (command, "--version"))
    {
      g_print ("relief %s\n", RELIEF_VERSION);
      return 0;
    }
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") || g_str_equal (command, "help"))
    {
      print_help ();
      return 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (command, commands[i].name))
      {
        g_autofree char *prgname = g_strdup_printf ("relief %s", command);

        g_set_prgname (prgname);
        return commands[i].run (argc - 1, argv + 1);
      }
  names = command_names ();
  g_printerr (_("relief: unknown command “%s” (%s; relief --help)\n"), command, names);
  return RELIEF_EXIT_USAGE;
}

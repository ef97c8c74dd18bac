#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-cli-common.h"
#include "relief-cli-options.h"
#include "relief-cmd-regions.h"
#include "relief-regions-job.h"

/* "A:B": a range of the plane, A < B. */
static gboolean
parse_range (const char *flag, const char *text, double range[2], GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", -1);

  if (g_strv_length (parts) != 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("%s takes MIN:MAX, not “%s”"), flag, text);
      return FALSE;
    }
  if (!relief_cli_parse_number (flag, parts[0], -INFINITY, FALSE, INFINITY, FALSE, &range[0], error) ||
      !relief_cli_parse_number (flag, parts[1], -INFINITY, FALSE, INFINITY, FALSE, &range[1], error))
    return FALSE;
  if (!(range[0] < range[1]))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("%s: MIN must be less than MAX, not “%s”"), flag,
                   text);
      return FALSE;
    }
  return TRUE;
}

/* "input", or "I,J,K": three training sample indices. */
static gboolean
parse_plane (const char *text, ReliefRegionsJob *job, GError **error)
{
  g_auto(GStrv) parts = NULL;

  if (strcmp (text, "input") == 0)
    {
      job->plane = RELIEF_REGIONS_PLANE_INPUT;
      return TRUE;
    }
  parts = g_strsplit (text, ",", -1);
  if (g_strv_length (parts) != 3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("--plane takes input or three training sample indices I,J,K, not “%s”"), text);
      return FALSE;
    }
  for (int i = 0; i < 3; i++)
    {
      gint64 v;

      if (!relief_cli_parse_int ("--plane", parts[i], 0, G_MAXINT, &v, error))
        return FALSE;
      job->samples[i] = (int) v;
    }
  job->plane = RELIEF_REGIONS_PLANE_SAMPLES;
  return TRUE;
}

typedef struct {
  ReliefCliProgress progress;
  int               n_done;
  int               last_checkpoint;
  int               last_regions;
} RegionsCli;

static void
on_checkpoint (int checkpoint, const ReliefRegions *regions, gpointer user_data)
{
  RegionsCli *cli = user_data;

  cli->n_done++;
  cli->last_checkpoint = checkpoint;
  cli->last_regions = regions->n_regions;
}

int
relief_cmd_regions (int argc, char **argv)
{
  g_auto(ReliefRegionsJob) job = { 0 };
  g_autofree char *checkpoint = NULL, *output = NULL, *plane = NULL, *xspec = NULL, *yspec = NULL, *max_text = NULL;
  g_autoptr(ReliefRegionsFile) rf = NULL;
  g_autoptr(GError) error = NULL;
  gint64 max_regions = 0;
  int status = 0;
  RegionsCli cli = { 0 };
  ReliefRegionsJobCallbacks cb = {
    .progress = relief_cli_on_progress,
    .checkpoint = on_checkpoint,
    .user_data = &cli,
  };
  GOptionEntry entries[] = {
    { "checkpoint", 0, 0, G_OPTION_ARG_STRING, &checkpoint, N_("The snapshot whose regions to compute: an index, “last” (default), or “all”"), N_("N|last|all") },
    { "plane", 0, 0, G_OPTION_ARG_STRING, &plane, N_("The plane: input (a 2-input model’s input plane; its default) or the plane through training samples I, J, K (default for more inputs: the first sample of classes 0, 1 and 2)"), N_("input|I,J,K") },
    { "x", 0, 0, G_OPTION_ARG_STRING, &xspec, N_("The u range (input plane default: the data’s extent with a 10% margin; through samples: -0.25:1.25)"), N_("MIN:MAX") },
    { "y", 0, 0, G_OPTION_ARG_STRING, &yspec, N_("The v range (defaults as --x)"), N_("MIN:MAX") },
    { "max-regions", 0, 0, G_OPTION_ARG_STRING, &max_text, N_("Stop with an error when a checkpoint has more regions than N (default: as many as half of the memory holds)"), "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The regions file to write"), N_("REGIONS.h5") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = relief_cli_context (N_("RUN.h5"), _("Compute the exact linear regions of a relu or leaky_relu network over a plane of its input space: every region as a convex polygon with its activation pattern, its affine map and its predicted class, and the decision boundary; at one checkpoint or every one. On the CPU, in float64."));

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!relief_cli_parse (ctx, "regions", &argc, &argv, &status))
    return status;
  if (argc != 2)
    return relief_cli_usage_error ("regions", _("expected one run file; see relief regions --help"));
  if (!relief_cli_check_output ("regions", output, (const char *[]) { argv[1], NULL }, &status))
    return status;
  relief_regions_job_init_defaults (&job);
  if ((plane && !parse_plane (plane, &job, &error)) ||
      (xspec && !parse_range ("--x", xspec, job.x, &error)) ||
      (yspec && !parse_range ("--y", yspec, job.y, &error)) ||
      (max_text && !relief_cli_parse_int ("--max-regions", max_text, 1, G_MAXINT, &max_regions, &error)))
    return relief_cli_usage_error ("regions", error->message);
  job.has_x = xspec != NULL;
  job.has_y = yspec != NULL;
  job.max_regions = (gsize) max_regions;
  job.output = g_strdup (output);
  if (checkpoint)
    {
      g_free (job.checkpoint);
      job.checkpoint = g_strdup (checkpoint);
    }
  if (!relief_cli_check_input ("regions", argv[1], RELIEF_FILE_KIND_RUN, &status))
    return status;
  if ((job.run = relief_loaded_run_load (argv[1], &error)) == NULL)
    {
      g_printerr ("relief regions: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  if (g_strcmp0 (job.checkpoint, "all") != 0)
    {
      int index;

      if (!relief_run_resolve_checkpoint (relief_loaded_run_get_run (job.run), job.checkpoint, &index, &error))
        return relief_cli_usage_error ("regions", error->message);
    }

  relief_cli_progress_begin (&cli.progress, "regions");
  if (!relief_regions_job_run (&job, &cb, cli.progress.cancellable, &rf, &error))
    {
      relief_cli_progress_end (&cli.progress, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && cli.n_done > 0)
        g_printerr (_("relief regions: interrupted; %s holds the %d checkpoints done\n"), output, cli.n_done);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr (_("relief regions: interrupted; %s was not written\n"), output);
      else
        g_printerr ("relief regions: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  relief_cli_progress_end (&cli.progress, TRUE);
  g_print (g_dngettext (GETTEXT_PACKAGE, "%d checkpoint", "%d checkpoints", rf->n_checkpoints), rf->n_checkpoints);
  g_print (_("; checkpoint %d: %d regions, %" G_GSIZE_FORMAT " decision-boundary segments\n"), cli.last_checkpoint,
           cli.last_regions, rf->checkpoints[rf->n_checkpoints - 1].regions->n_boundary);
  return 0;
}

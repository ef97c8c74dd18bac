#include "relief-config.h"

#include <glib/gi18n-lib.h>

#include "relief-cli-common.h"
#include "relief-cli-options.h"
#include "relief-cmd-surface.h"
#include "relief-surface-job.h"
#include "relief-enums.h"

int
relief_cmd_surface (int argc, char **argv)
{
  g_auto(ReliefSurfaceJob) job = { 0 };
  g_autofree char *checkpoint = NULL, *xspec = NULL, *yspec = NULL, *output = NULL, *backend = NULL;
  g_autofree char *directions = NULL, *normalization = NULL, *bias = NULL, *to = NULL, *curvature_samples = NULL;
  gint64 hessian_samples = 0;
  g_autofree char *seed_text = NULL, *max_samples_text = NULL;
  gint64 seed = 0, max_samples = 0;
  int status = 0;
  gboolean resume = FALSE, known;
  g_autoptr(GError) error = NULL;
  ReliefCliProgress progress;
  ReliefSurfaceJobCallbacks cb = {
    .progress = relief_cli_on_progress,
    .estimate = relief_cli_on_estimate,
    .backend_chosen = relief_cli_on_backend_chosen,
    .user_data = &progress,
  };
  GOptionEntry entries[] = {
    { "checkpoint", 0, 0, G_OPTION_ARG_STRING, &checkpoint, N_("Snapshot at the centre: an index (negative: from the end, -1 the last) or “last” (default)"), N_("N|last") },
    { "directions", 0, 0, G_OPTION_ARG_STRING, &directions, N_("random (default), pca (of the trajectory), line (to --to), hessian (the Hessian's top two eigenvectors) or hessian-min (its top and bottom ones)"), N_("KIND") },
    { "curvature-samples", 0, 0, G_OPTION_ARG_STRING, &curvature_samples, N_("Hessian directions: the Hessian over the first N training samples, or all (default 5000)"), "N|all" },
    { "normalization", 0, 0, G_OPTION_ARG_STRING, &normalization, N_("Random directions: filter (default), layer or none"), N_("NAME") },
    { "bias", 0, 0, G_OPTION_ARG_STRING, &bias, N_("Random directions: biases zero (default) or copy"), N_("MODE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Line: the checkpoint at alpha 1 (an index as for --checkpoint)"), N_("N|last") },
    { "x", 0, 0, G_OPTION_ARG_STRING, &xspec, N_("x range and resolution (default -1:1:51; a line -0.5:1.5:41; a PCA plane spans its trajectory); alone, a 1D slice"), N_("MIN:MAX:COUNT") },
    { "y", 0, 0, G_OPTION_ARG_STRING, &yspec, N_("y range and resolution (default -1:1:51)"), N_("MIN:MAX:COUNT") },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, N_("Continue an interrupted surface already in the output file"), NULL },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, N_("Seed of the random directions (default 0)"), "N" },
    { "max-samples", 0, 0, G_OPTION_ARG_STRING, &max_samples_text, N_("Evaluate on the first N samples of each split (training and test) only"), "N" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend, N_("cpu, cuda or auto (default)"), N_("NAME") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The surface file to write"), N_("SURFACE.h5") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = relief_cli_context (N_("RUN.h5"), _("Compute the loss surface around a checkpoint of a run: along random directions, the PCA plane of the trajectory, or the line to another checkpoint."));

  relief_cli_add_entries (ctx, entries);
  if (!relief_cli_parse (ctx, "surface", &argc, &argv, &status))
    return status;
  if (argc != 2)
    return relief_cli_usage_error ("surface", _("expected one run file; see relief surface --help"));
  if (!relief_cli_check_output ("surface", output, (const char *[]) { argv[1], NULL }, &status))
    return status;
  if ((seed_text && !relief_cli_parse_int ("--seed", seed_text, 0, G_MAXINT64, &seed, &error)) ||
      (max_samples_text &&
       !relief_cli_parse_int ("--max-samples", max_samples_text, 1, G_MAXINT, &max_samples, &error)))
    return relief_cli_usage_error ("surface", error->message);
  if (!relief_cli_check_input ("surface", argv[1], RELIEF_FILE_KIND_RUN, &status))
    return status;

  relief_surface_job_init_defaults (&job);
  job.output = g_strdup (output);
  job.seed = (guint64) seed;
  job.max_samples = (int) max_samples;
  if (checkpoint)
    {
      g_free (job.checkpoint);
      job.checkpoint = g_strdup (checkpoint);
    }
  if (backend && !relief_enum_from_nick (RELIEF_TYPE_BACKEND_KIND, backend, (int *) &job.backend, &error))
    return relief_cli_usage_error ("surface", error->message);
  job.resume = resume;
  job.to_checkpoint = g_strdup (to);
  known = directions == NULL ||
          relief_enum_from_nick (RELIEF_TYPE_DIRECTION_KIND, directions, (int *) &job.directions, NULL);
  if (job.directions == RELIEF_DIRECTIONS_LINE)
    job.x = (ReliefGridAxis) { -0.5, 1.5, 41 };
  /* --x alone asks for a 1D slice; PCA planes are always 2D. */
  job.one_d = xspec != NULL && yspec == NULL && job.directions != RELIEF_DIRECTIONS_PCA;
  /* A PCA plane's trajectory can lie far beyond -1:1: without ranges the grid spans it. */
  job.fit_path = job.directions == RELIEF_DIRECTIONS_PCA && xspec == NULL && yspec == NULL;
  if (!known)
    status = relief_cli_usage_error ("surface", _("--directions takes random, pca, line, hessian or hessian-min"));
  else if (curvature_samples != NULL && job.directions != RELIEF_DIRECTIONS_HESSIAN &&
           job.directions != RELIEF_DIRECTIONS_HESSIAN_MIN)
    status = relief_cli_usage_error ("surface", _("--curvature-samples only applies to --directions hessian and hessian-min"));
  else if (curvature_samples != NULL && g_strcmp0 (curvature_samples, "all") != 0 &&
           !relief_cli_parse_int ("--curvature-samples", curvature_samples, 1, G_MAXINT, &hessian_samples, &error))
    status = relief_cli_usage_error ("surface", error->message);
  else if (to != NULL && job.directions != RELIEF_DIRECTIONS_LINE)
    status = relief_cli_usage_error ("surface", _("--to only applies to --directions line"));
  else if (job.directions == RELIEF_DIRECTIONS_LINE && to == NULL)
    status = relief_cli_usage_error ("surface", _("--directions line needs --to CHECKPOINT"));
  else if ((normalization || bias) && job.directions != RELIEF_DIRECTIONS_RANDOM)
    status = relief_cli_usage_error ("surface", _("--normalization and --bias only apply to --directions random"));
  else if ((normalization && !relief_enum_from_nick (RELIEF_TYPE_NORMALIZATION, normalization,
                                                     (int *) &job.normalization, &error)) ||
           (bias && !relief_enum_from_nick (RELIEF_TYPE_BIAS_MODE, bias, (int *) &job.bias, &error)) ||
           (xspec && !relief_grid_axis_parse (xspec, &job.x, &error)) ||
           (yspec && !relief_grid_axis_parse (yspec, &job.y, &error)))
    status = relief_cli_usage_error ("surface", error->message);

  if (status != 0)
    return status;
  if (curvature_samples != NULL)
    job.curvature_samples = g_strcmp0 (curvature_samples, "all") == 0 ? G_MAXINT : (int) hessian_samples;
  if ((job.run = relief_loaded_run_load (argv[1], &error)) == NULL)
    {
      g_printerr ("relief surface: %s\n", error->message);
      return relief_cli_error_status (error);
    }

  relief_cli_progress_begin (&progress, "surface");
  if (!relief_surface_job_run (&job, &cb, progress.cancellable, NULL, &error))
    {
      relief_cli_progress_end (&progress, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr (_("relief surface: interrupted; the cells computed so far are in %s\n"), output);
      else
        g_printerr ("relief surface: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  relief_cli_progress_end (&progress, TRUE);
  return 0;
}

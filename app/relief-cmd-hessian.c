#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "relief-cli-common.h"
#include "relief-cli-options.h"
#include "relief-cmd-hessian.h"
#include "relief-hessian-job.h"
#include "relief-enums.h"

int
relief_cmd_hessian (int argc, char **argv)
{
  g_auto(ReliefHessianJob) job = { 0 };
  g_autofree char *checkpoint = NULL, *output = NULL, *backend = NULL, *method = NULL;
  g_autofree char *top_text = NULL, *samples_text = NULL, *seed_text = NULL, *tol_text = NULL;
  g_autofree char *max_iter_text = NULL, *starts_text = NULL, *steps_text = NULL;
  gboolean smallest = FALSE, trace = FALSE, density = FALSE;
  gint64 top = 0, samples = 0, seed = 0, max_iter = 0, starts = 0, steps = 0;
  double tolerance = 0;
  int status = 0;
  g_autoptr(GError) error = NULL;
  ReliefCliProgress progress;
  ReliefHessianJobCallbacks cb = {
    .progress = relief_cli_on_progress,
    .estimate = relief_cli_on_estimate,
    .backend_chosen = relief_cli_on_backend_chosen,
    .user_data = &progress,
  };
  GOptionEntry entries[] = {
    { "checkpoint", 0, 0, G_OPTION_ARG_STRING, &checkpoint, N_("Snapshot to take the curvature at: an index or “last” (default)"), N_("N|last") },
    { "top", 0, 0, G_OPTION_ARG_STRING, &top_text, N_("The K largest eigenvalues and their eigenvectors (default 5; 0: none)"), "K" },
    { "smallest", 0, 0, G_OPTION_ARG_NONE, &smallest, N_("Also the K smallest (Lanczos)"), NULL },
    { "trace", 0, 0, G_OPTION_ARG_NONE, &trace, N_("The trace, by Hutchinson’s estimator, with its standard error"), NULL },
    { "density", 0, 0, G_OPTION_ARG_NONE, &density, N_("The eigenvalue density, by stochastic Lanczos quadrature"), NULL },
    { "method", 0, 0, G_OPTION_ARG_STRING, &method, N_("Eigenvalues by lanczos (default) or power (iteration with deflation)"), N_("NAME") },
    { "tolerance", 0, 0, G_OPTION_ARG_STRING, &tol_text, N_("Relative tolerance of the eigenpairs (default 1e-4)"), "TOL" },
    { "max-iter", 0, 0, G_OPTION_ARG_STRING, &max_iter_text, N_("Lanczos steps, or products per power eigenpair (default 200)"), "N" },
    { "slq-starts", 0, 0, G_OPTION_ARG_STRING, &starts_text, N_("Density: random starts (default 10)"), "N" },
    { "slq-steps", 0, 0, G_OPTION_ARG_STRING, &steps_text, N_("Density: Lanczos steps per start (default 80)"), "N" },
    { "samples", 0, 0, G_OPTION_ARG_STRING, &samples_text, N_("The loss over the first N training samples (default all of them)"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, N_("Seed of the random starts and probes (default 0)"), "N" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend, N_("cpu, cuda or auto (default)"), N_("NAME") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The hessian file to write"), N_("HESSIAN.h5") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = relief_cli_context (N_("RUN.h5"), _("Compute the curvature of a run’s training loss at a checkpoint: the top (and smallest) eigenvalues of its Hessian with their eigenvectors, its trace and its eigenvalue density."));

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!relief_cli_parse (ctx, "hessian", &argc, &argv, &status))
    return status;
  if (argc != 2)
    return relief_cli_usage_error ("hessian", _("expected one run file; see relief hessian --help"));
  if (!relief_cli_check_output ("hessian", output, (const char *[]) { argv[1], NULL }, &status))
    return status;
  if ((top_text && !relief_cli_parse_int ("--top", top_text, 0, 10000, &top, &error)) ||
      (samples_text && !relief_cli_parse_int ("--samples", samples_text, 1, G_MAXINT, &samples, &error)) ||
      (seed_text && !relief_cli_parse_int ("--seed", seed_text, 0, G_MAXINT64, &seed, &error)) ||
      (tol_text && !relief_cli_parse_number ("--tolerance", tol_text, 0, TRUE, 1, FALSE, &tolerance, &error)) ||
      (max_iter_text && !relief_cli_parse_int ("--max-iter", max_iter_text, 1, 1000000, &max_iter, &error)) ||
      (starts_text && !relief_cli_parse_int ("--slq-starts", starts_text, 1, 10000, &starts, &error)) ||
      (steps_text && !relief_cli_parse_int ("--slq-steps", steps_text, 1, 100000, &steps, &error)))
    return relief_cli_usage_error ("hessian", error->message);

  relief_hessian_job_init_defaults (&job);
  if (method && strcmp (method, "power") != 0 && strcmp (method, "lanczos") != 0)
    return relief_cli_usage_error ("hessian", _("--method takes lanczos or power"));
  job.power = method != NULL && strcmp (method, "power") == 0;
  if (top_text)
    job.top_k = (int) top;
  job.smallest = smallest;
  job.trace = trace;
  job.density = density;
  if (tol_text)
    job.tolerance = tolerance;
  if (max_iter_text)
    job.max_iter = (int) max_iter;
  if (starts_text)
    job.slq.n_starts = (int) starts;
  if (steps_text)
    job.slq.n_steps = (int) steps;
  if ((starts_text || steps_text) && !density)
    return relief_cli_usage_error ("hessian", _("--slq-starts and --slq-steps only apply to --density"));
  if (smallest && job.power)
    return relief_cli_usage_error ("hessian", _("--smallest needs --method lanczos"));
  if (smallest && job.top_k == 0)
    return relief_cli_usage_error ("hessian", _("--smallest needs --top K of 1 or more"));
  if (job.top_k == 0 && !trace && !density)
    return relief_cli_usage_error ("hessian", _("--top 0 leaves nothing to compute; add --trace or --density"));
  job.n_samples = (int) samples;
  job.seed = (guint64) seed;
  job.output = g_strdup (output);
  if (checkpoint)
    {
      g_free (job.checkpoint);
      job.checkpoint = g_strdup (checkpoint);
    }
  if (backend && !relief_enum_from_nick (RELIEF_TYPE_BACKEND_KIND, backend, (int *) &job.backend, &error))
    return relief_cli_usage_error ("hessian", error->message);
  if (!relief_cli_check_input ("hessian", argv[1], RELIEF_FILE_KIND_RUN, &status))
    return status;
  if ((job.run = relief_loaded_run_load (argv[1], &error)) == NULL)
    {
      g_printerr ("relief hessian: %s\n", error->message);
      return relief_cli_error_status (error);
    }

  relief_cli_progress_begin (&progress, "hessian");
  if (!relief_hessian_job_run (&job, &cb, progress.cancellable, NULL, &error))
    {
      relief_cli_progress_end (&progress, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr (_("relief hessian: interrupted; %s was not written\n"), output);
      else
        g_printerr ("relief hessian: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  relief_cli_progress_end (&progress, TRUE);
  return 0;
}

#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "relief-cli-common.h"
#include "relief-cmd-weights.h"
#include "relief-weights-job.h"

/* One line per layer: what WeightWatcher's summary shows first. */
static void
print_summary (const ReliefWeights *w)
{
  g_print (_("Checkpoint %lld (step %lld):\n"), (long long) w->checkpoint, (long long) w->checkpoint_step);
  for (int l = 0; l < w->n_layers; l++)
    {
      const ReliefLayerSpectrum *s = &w->layers[l];
      g_autofree char *shape = g_strdup_printf ("%d×%d", s->rows, s->cols);
      g_autofree char *stable_rank = g_strdup_printf ("%.3g", s->stable_rank);

      if (isnan (s->fit.alpha))
        g_print (_("  layer %d  %-9s  alpha –  (too few distinct eigenvalues to fit)  lambda_max %.4g  stable rank %s  "
                   "MP edge %.4g\n"),
                 l, shape, s->lambda_max, isnan (s->stable_rank) ? "–" : stable_rank, s->mp_edge);
      else
        g_print (_("  layer %d  %-9s  alpha %.2f ± %.2f (xmin %.4g, %d eigenvalues)  lambda_max %.4g  stable rank %.3g  "
                   "MP edge %.4g\n"),
                 l, shape, s->fit.alpha, s->fit.alpha_stderr, s->fit.xmin, s->fit.n_tail, s->lambda_max,
                 s->stable_rank, s->mp_edge);
    }
}

int
relief_cmd_weights (int argc, char **argv)
{
  g_auto(ReliefWeightsJob) job = { 0 };
  g_autofree char *checkpoint = NULL, *output = NULL;
  g_autoptr(ReliefWeights) weights = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  gboolean ok;
  ReliefCliProgress progress;
  ReliefWeightsJobCallbacks cb = {
    .progress = relief_cli_on_progress,
    .user_data = &progress,
  };
  GOptionEntry entries[] = {
    { "checkpoint", 0, 0, G_OPTION_ARG_STRING, &checkpoint, N_("The snapshot whose spectra to compute: an index, “last” (default), or “all”: the last one’s spectra and every snapshot’s top singular values"), N_("N|last|all") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The weight spectra file to write"), N_("WEIGHTS.h5") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = relief_cli_context (N_("RUN.h5"), _("Compute the spectra of every weight matrix of a run, as WeightWatcher does: singular values, the eigenvalues of WᵀW, a power-law fit of their tail (alpha), weighted alpha, stable rank and the Marchenko-Pastur edge; with --checkpoint all also the top singular value of each layer over training. On the CPU (LAPACK)."));

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!relief_cli_parse (ctx, "weights", &argc, &argv, &status))
    return status;
  if (argc != 2)
    return relief_cli_usage_error ("weights", _("expected one run file; see relief weights --help"));
  if (!relief_cli_check_output ("weights", output, (const char *[]) { argv[1], NULL }, &status) ||
      !relief_cli_check_input ("weights", argv[1], RELIEF_FILE_KIND_RUN, &status))
    return status;

  relief_weights_job_init_defaults (&job);
  job.trajectory = g_strcmp0 (checkpoint, "all") == 0;
  if ((job.run = relief_loaded_run_load_parameters (argv[1], &error)) == NULL)
    {
      g_printerr ("relief weights: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  if (!job.trajectory &&
      !relief_run_resolve_checkpoint (relief_loaded_run_get_run (job.run), checkpoint ? checkpoint : "last",
                                      &job.checkpoint, &error))
    return relief_cli_usage_error ("weights", error->message);

  relief_cli_progress_begin (&progress, "weights");
  ok = relief_weights_job_run (&job, &cb, progress.cancellable, &weights, &error);
  relief_cli_progress_end (&progress, ok);
  if (ok)
    ok = relief_weights_save (weights, output, &error);
  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr (_("relief weights: interrupted; nothing written\n"));
      else
        g_printerr ("relief weights: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  print_summary (weights);
  return 0;
}

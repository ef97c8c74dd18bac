#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "relief-cli-common.h"
#include "relief-cli-options.h"
#include "relief-cmd-intdim.h"
#include "relief-intdim-job.h"
#include "relief-enums.h"

static void
on_cell (int k, int seed, gpointer user_data)
{
  ReliefCliProgress *p = user_data;

  p->cell = k < 0 ? 0 : 1 + k * p->n_seeds + seed;
}

static void
print_dint90 (const char *label, double mean, double std)
{
  if (isnan (mean))
    g_print (_("d_int90 %s: not reached\n"), label);
  else
    g_print (_("d_int90 %s: %.1f ± %.1f\n"), label, mean, std);
}

int
relief_cmd_intdim (int argc, char **argv)
{
  g_auto(ReliefIntdimJob) job = { 0 };
  g_auto(ReliefCliTrainOptions) options = { 0 };
  g_autofree char *projection = NULL, *dims = NULL, *output = NULL, *seeds_text = NULL, *baseline_text = NULL;
  int cells_run = 0, status = 0;
  gint64 seeds = 1;
  double global_baseline = 1.0;
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefIntdim) result = NULL;
  ReliefCliProgress progress;
  ReliefIntdimJobCallbacks cb = {
    .progress = relief_cli_on_progress,
    .cell = on_cell,
    .estimate = relief_cli_on_estimate,
    .backend_chosen = relief_cli_on_backend_chosen,
    .user_data = &progress,
  };
  GOptionEntry entries[] = {
    { "projection", 0, 0, G_OPTION_ARG_STRING, &projection, N_("dense, sparse, fastfood or implicit (default dense; sparse or fastfood for large networks on a CPU)"), "P" },
    { "dims", 0, 0, G_OPTION_ARG_STRING, &dims, N_("Subspace dimensions to sweep"), "100,200|A:B:STEP" },
    { "seeds", 0, 0, G_OPTION_ARG_STRING, &seeds_text, N_("Seeds per dimension (default 1); seed s of the sweep trains with --seed + s"), "K" },
    { "global-baseline", 0, 0, G_OPTION_ARG_STRING, &baseline_text, N_("Accuracy for the global d_int90 (default 1.0)"), "X" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The sweep file to write or resume"), N_("INTDIM.h5") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = relief_cli_context (NULL, _("Measure the intrinsic dimension: train in random subspaces of growing dimension (HDF5)."));

  relief_cli_add_entries (ctx, entries);
  relief_cli_train_options_add (&options, ctx);
  if (!relief_cli_parse (ctx, "intdim", &argc, &argv, &status))
    return status;
  if (argc > 1)
    return relief_cli_usage_error ("intdim", _("unexpected argument; see relief intdim --help"));
  if (!relief_cli_check_output ("intdim", output, (const char *[]) { options.dataset, NULL }, &status))
    return status;
  if (dims == NULL)
    return relief_cli_usage_error ("intdim", _("the dimensions to sweep are required (--dims 100,200 or A:B:STEP)"));
  if ((seeds_text && !relief_cli_parse_int ("--seeds", seeds_text, 1, 1000, &seeds, &error)) ||
      (baseline_text &&
       !relief_cli_parse_number ("--global-baseline", baseline_text, 0, TRUE, 1, FALSE, &global_baseline, &error)))
    return relief_cli_usage_error ("intdim", error->message);

  relief_train_job_init_defaults (&job.base);
  job.n_seeds = (int) seeds;
  job.global_baseline = global_baseline;
  job.projection = RELIEF_PROJECTION_DENSE;
  if (!relief_cli_train_options_apply (&options, &job.base, &error) ||
      !relief_parse_dims (dims, &job.dims, &job.K, &error))
    return relief_cli_usage_error ("intdim", error->message);
  if (projection && (!relief_enum_from_nick (RELIEF_TYPE_PROJECTION_KIND, projection, (int *) &job.projection,
                                             &error) ||
                     job.projection == RELIEF_PROJECTION_IDENTITY))
    return relief_cli_usage_error ("intdim", error ? error->message
                                                   : _("--projection takes dense, sparse, fastfood or implicit"));
  job.base.output = g_strdup (output);

  relief_cli_progress_begin (&progress, "intdim");
  progress.n_seeds = job.n_seeds;
  progress.n_cells = job.K * job.n_seeds + 1;
  if (!relief_intdim_job_run (&job, &cb, progress.cancellable, &cells_run, &result, &error))
    {
      relief_cli_progress_end (&progress, FALSE);
      g_printerr ("relief intdim: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  relief_cli_progress_end (&progress, TRUE);
  g_print (_("trainings run: %d\n"), cells_run);
  print_dint90 (_("individual"), result->dint90_individual_mean, result->dint90_individual_std);
  print_dint90 (_("global"), result->dint90_global_mean, result->dint90_global_std);
  return 0;
}

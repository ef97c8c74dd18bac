#include "relief-config.h"

#include <glib/gi18n-lib.h>

#include "relief-cli-common.h"
#include "relief-cli-options.h"
#include "relief-cmd-train.h"
#include "relief-train-job.h"

int
relief_cmd_train (int argc, char **argv)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_auto(ReliefCliTrainOptions) options = { 0 };
  g_autofree char *output = NULL;
  int snapshot_every = -1, status = 0;
  ReliefTrainStatus train_status = RELIEF_TRAIN_COMPLETED;
  g_autoptr(GError) error = NULL;
  ReliefCliProgress progress;
  ReliefTrainJobCallbacks cb = {
    .progress = relief_cli_on_progress,
    .backend_chosen = relief_cli_on_backend_chosen,
    .user_data = &progress,
  };
  GOptionEntry entries[] = {
    { "snapshot-every", 0, 0, G_OPTION_ARG_INT, &snapshot_every, N_("Steps between trajectory snapshots (0: each epoch)"), "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The run file to write"), N_("RUN.h5") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = relief_cli_context (NULL, _("Train a model and write its run file (HDF5)."));

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  relief_cli_train_options_add (&options, ctx);
  if (!relief_cli_parse (ctx, "train", &argc, &argv, &status))
    return status;
  if (argc > 1)
    return relief_cli_usage_error ("train", _("unexpected argument; see relief train --help"));
  if (!relief_cli_require_output ("train", output, &status))
    return status;
  relief_train_job_init_defaults (&job);
  if (!relief_cli_train_options_apply (&options, &job, &error))
    return relief_cli_usage_error ("train", error->message);
  if (snapshot_every < -1)
    return relief_cli_usage_error ("train", _("--snapshot-every must be >= 0"));
  if (snapshot_every != -1)
    job.train.snapshot_every = snapshot_every;
  job.output = g_strdup (output);

  relief_cli_progress_begin (&progress, "train");
  if (!relief_train_job_run (&job, &cb, progress.cancellable, &train_status, &error))
    {
      relief_cli_progress_end (&progress, FALSE);
      g_printerr ("relief train: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  relief_cli_progress_end (&progress, TRUE);
  if (train_status == RELIEF_TRAIN_DIVERGED)
    {
      g_printerr (_("relief train: the loss diverged (NaN or infinite); the run up to there is in %s\n"), output);
      return 1;
    }
  if (train_status == RELIEF_TRAIN_CANCELLED)
    {
      g_printerr (_("relief train: interrupted; the run up to there is in %s\n"), output);
      return RELIEF_EXIT_INTERRUPTED;
    }
  return 0;
}

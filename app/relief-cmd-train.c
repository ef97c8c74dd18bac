#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "relief-cli-common.h"
#include "relief-cli-options.h"
#include "relief-cmd-train.h"
#include "relief-train-job.h"
#include "relief-enums.h"

/* The progress bar, and the last metrics row for the summary. */
typedef struct {
  ReliefCliProgress  progress;
  ReliefTrainMetrics last;
  gboolean           has_last;
  ReliefCurvatureRow last_curvature;
  int                n_curvature;
  ReliefComplexityRow last_complexity;
  int                n_complexity;
  double             lr;
  gint64             last_step, diverged_step;   /* of a divergence */
  gboolean           ended_before;               /* --resume found the run finished */
} TrainCli;

static void
on_progress (double fraction, gpointer user_data)
{
  TrainCli *t = user_data;

  relief_cli_on_progress (fraction, &t->progress);
}

static void
on_backend_chosen (const char *name, gpointer user_data)
{
  TrainCli *t = user_data;

  relief_cli_on_backend_chosen (name, &t->progress);
}

static void
on_estimate (const ReliefJobEstimate *estimate, gpointer user_data)
{
  TrainCli *t = user_data;

  relief_cli_on_estimate (estimate, &t->progress);
}

static void
on_resumed (gint64 step, gint64 total_steps, gpointer user_data)
{
  TrainCli *t = user_data;

  t->ended_before = step >= total_steps;
  if (t->ended_before)
    g_printerr (_("relief train: the run in the output has ended already; nothing to do\n"));
  else
    g_printerr (_("relief train: continuing the run in the output at step %" G_GINT64_FORMAT
                  " of %" G_GINT64_FORMAT "\n"), step, total_steps);
}

static void
on_diverged (gint64 last_step, gint64 diverged_step, gpointer user_data)
{
  TrainCli *t = user_data;

  t->last_step = last_step;
  t->diverged_step = diverged_step;
}

static void
on_metrics (const ReliefTrainMetrics *m, gpointer user_data)
{
  TrainCli *t = user_data;

  t->last = *m;
  t->has_last = TRUE;
}

static void
on_curvature (const ReliefCurvatureRow *row, gpointer user_data)
{
  TrainCli *t = user_data;

  t->last_curvature = *row;
  t->n_curvature++;
}

static void
on_complexity (const ReliefComplexityRow *row, gpointer user_data)
{
  TrainCli *t = user_data;

  t->last_complexity = *row;
  t->n_complexity++;
}

/* What the run took, the share of it spent on metrics (the benchmark reads this line), on
 * curvature and on complexity, and where it ended. */
static void
print_summary (const TrainCli *t)
{
  const ReliefTrainMetrics *m = &t->last;
  gboolean test = !isnan (m->test_loss);

  g_print (_("Trained %" G_GINT64_FORMAT " steps in %.3f s; metrics %.3f s, %.1f%% of the time\n"), m->step,
           m->elapsed_seconds, m->metrics_seconds,
           m->elapsed_seconds > 0 ? 100 * m->metrics_seconds / m->elapsed_seconds : 0.0);
  g_print (_("Final %s loss %.4f, accuracy %.2f%% (%s, %d samples)\n"), test ? _("test") : _("train"),
           test ? m->test_loss : m->train_loss, 100 * (test ? m->test_acc : m->train_acc),
           relief_enum_to_nick (RELIEF_TYPE_METRIC_KIND, test ? m->test_kind : m->train_kind),
           test ? m->test_samples : m->train_samples);
  if (t->n_complexity > 0)
    {
      const ReliefComplexityRow *c = &t->last_complexity;
      const double means[3] = { c->train, c->test, c->random };
      const char *sets[3] = { _("train"), _("test"), _("random") };
      const char *sep = ": ";

      g_print (_("Complexity: %d measurements (radius %.4g) in %.3f s, %.1f%% of the time; at step %" G_GINT64_FORMAT),
               t->n_complexity, c->radius, m->complexity_seconds,
               m->elapsed_seconds > 0 ? 100 * m->complexity_seconds / m->elapsed_seconds : 0.0, c->step);
      /* Only the sets measured (--complexity-points): the others have no mean to print. */
      for (int k = 0; k < 3; k++)
        if (!isnan (means[k]))
          {
            g_print ("%s%s %.3g", sep, sets[k], means[k]);
            sep = ", ";
          }
      if (!isnan (c->regions))
        g_print (_(", %.0f linear regions"), c->regions);
      g_print ("\n");
    }
  if (t->n_curvature > 0)
    g_print (_("Curvature: %d measurements on %d samples in %.3f s, %.1f%% of the time; last lambda_max %.6g "
               "at step %" G_GINT64_FORMAT " (2/lr = %.6g)\n"),
             t->n_curvature, t->last_curvature.samples, m->curvature_seconds,
             m->elapsed_seconds > 0 ? 100 * m->curvature_seconds / m->elapsed_seconds : 0.0,
             t->last_curvature.lambda_max, t->last_curvature.step, 2.0 / t->lr);
}

int
relief_cmd_train (int argc, char **argv)
{
  g_auto(ReliefTrainJob) job = { 0 };
  g_auto(ReliefCliTrainOptions) options = { 0 };
  g_autofree char *output = NULL, *snapshot_every = NULL, *preset = NULL;
  gint64 every;
  int status = 0;
  gboolean resume = FALSE;
  ReliefTrainStatus train_status = RELIEF_TRAIN_COMPLETED;
  g_autoptr(GError) error = NULL;
  TrainCli cli = { 0 };
  ReliefCliProgress *progress = &cli.progress;
  ReliefTrainJobCallbacks cb = {
    .progress = on_progress,
    .metrics = on_metrics,
    .estimate = on_estimate,
    .backend_chosen = on_backend_chosen,
    .resumed = on_resumed,
    .diverged = on_diverged,
    .curvature = on_curvature,
    .complexity = on_complexity,
    .user_data = &cli,
  };
  GOptionEntry entries[] = {
    { "snapshot-every", 0, 0, G_OPTION_ARG_STRING, &snapshot_every, N_("Steps between trajectory snapshots (0: each epoch)"), "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The run file to write"), N_("RUN.h5") },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, N_("Continue the killed or interrupted run already in the output file (the same settings)"), NULL },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset,
      N_("The settings of a known experiment, which the flags given override: grokking-mnist (Humayun et al. 2024: "
         "1,000 MNIST images, 784-200-200-200-10 relu, MSE, AdamW lr 0.001 weight decay 0.01, batch 200, "
         "initialization x3, 100,000 steps, local complexity and metrics at 10 log-spaced steps a decade; "
         "see the README)"), N_("NAME") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = relief_cli_context (NULL, _("Train a model and write its run file (HDF5)."));

  relief_cli_add_entries (ctx, entries);
  relief_cli_train_options_add (&options, ctx);
  relief_cli_metrics_options_add (&options, ctx);
  relief_cli_curvature_options_add (&options, ctx);
  relief_cli_complexity_options_add (&options, ctx);
  if (!relief_cli_parse (ctx, "train", &argc, &argv, &status))
    return status;
  if (argc > 1)
    return relief_cli_usage_error ("train", _("unexpected argument; see relief train --help"));
  if (preset != NULL && !relief_cli_train_options_preset (&options, preset, &snapshot_every, &error))
    return relief_cli_usage_error ("train", error->message);
  if (!relief_cli_check_output ("train", output, (const char *[]) { options.dataset, NULL }, &status))
    return status;
  relief_train_job_init_defaults (&job);
  if (!relief_cli_train_options_apply (&options, &job, &error) ||
      (snapshot_every && !relief_cli_parse_int ("--snapshot-every", snapshot_every, 0, G_MAXINT, &every, &error)))
    return relief_cli_usage_error ("train", error->message);
  if (snapshot_every)
    job.train.snapshot_every = (int) every;
  job.output = g_strdup (output);
  job.resume = resume;
  cli.lr = job.train.optimizer.lr;

  relief_cli_progress_begin (progress, "train");
  if (!relief_train_job_run (&job, &cb, progress->cancellable, &train_status, &error))
    {
      relief_cli_progress_end (progress, FALSE);
      g_printerr ("relief train: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  relief_cli_progress_end (progress, TRUE);
  if (cli.ended_before)
    return 0;
  if (cli.has_last)
    print_summary (&cli);
  if (train_status == RELIEF_TRAIN_DIVERGED)
    {
      g_printerr (_("relief train: the loss diverged (NaN or infinite) at step %" G_GINT64_FORMAT "; the run up to step %"
                    G_GINT64_FORMAT ", the last finite one, is in %s\n"), cli.diverged_step, cli.last_step, output);
      return 1;
    }
  if (train_status == RELIEF_TRAIN_CANCELLED)
    {
      g_printerr (_("relief train: interrupted; the run up to there is in %s (--resume continues it)\n"), output);
      return RELIEF_EXIT_INTERRUPTED;
    }
  return 0;
}

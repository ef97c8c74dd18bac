#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "relief-cli.h"
#include "relief-figures.h"
#include "relief-jobs.h"
#include "relief-plot.h"

#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

static const char *subcommands[] = { "train", "surface", "intdim", "plot", NULL };

/* SIGINT only raises a flag; the work checks it from its progress callback and cancels
 * cleanly, so a Ctrl-C still leaves a complete file with what was done. */
static volatile sig_atomic_t interrupted;

static void
on_sigint (int signum)
{
  interrupted = 1;
}

typedef struct {
  GCancellable *cancellable;
  gboolean      tty;
  gint64        last_draw_us;
  const char   *label;
  const char   *backend;        /* what "auto" picked, reported once the work is done */
  int           n_cells;        /* intdim: the trainings of the whole sweep, baseline included */
  int           n_seeds;        /* intdim: seeds per dimension */
  int           cell;           /* intdim: the one running, in sweep order */
} CliProgress;

static void
progress_draw (CliProgress *p, double fraction, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  int width = 30, filled;

  if (interrupted && !g_cancellable_is_cancelled (p->cancellable))
    g_cancellable_cancel (p->cancellable);
  if (!p->tty || (!force && now - p->last_draw_us < 100000))
    return;
  p->last_draw_us = now;
  fraction = CLAMP (fraction, 0.0, 1.0);
  filled = (int) (fraction * width + 0.5);
  fprintf (stderr, "\r%-8s [", p->label);
  for (int i = 0; i < width; i++)
    fputc (i < filled ? '#' : ' ', stderr);
  fprintf (stderr, "] %3d%%", (int) (fraction * 100 + 0.5));
  fflush (stderr);
}

static void
progress_end (CliProgress *p)
{
  if (p->tty)
    fputc ('\n', stderr);
}

static void
report_backend (CliProgress *p)
{
  if (p->backend)
    g_printerr (_("relief %s: computed on the %s backend (auto)\n"), p->label, p->backend);
}

static void
on_progress (double fraction, gpointer user_data)
{
  CliProgress *p = user_data;

  /* An intdim sweep reports each training's own fraction: one bar spans the whole sweep. */
  if (p->n_cells > 0)
    fraction = (p->cell + fraction) / p->n_cells;
  progress_draw (p, fraction, FALSE);
}

static void
on_intdim_cell (int k, int seed, gpointer user_data)
{
  CliProgress *p = user_data;

  p->cell = k < 0 ? 0 : 1 + k * p->n_seeds + seed;
}

static void
on_backend_chosen (const char *name, gpointer user_data)
{
  CliProgress *p = user_data;

  p->backend = g_intern_string (name);
}

static int
usage_error (const char *command, const char *message)
{
  g_printerr ("relief %s: %s\n", command, message);
  return EXIT_USAGE;
}

static gboolean
parse_options (GOptionContext *ctx, const char *command, int *argc, char ***argv, int *status)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      *status = usage_error (command, error->message);
      return FALSE;
    }
  return TRUE;
}

static GOptionContext *
command_context (const char *parameter, const char *summary)
{
  GOptionContext *ctx = g_option_context_new (parameter);

  g_option_context_set_summary (ctx, summary);
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  return ctx;
}

static gboolean
require_output (const char *command, const char *output, int *status)
{
  if (output == NULL)
    {
      *status = usage_error (command, _("an output file is required (-o FILE)"));
      return FALSE;
    }
  return TRUE;
}

/* Errors about the input itself (missing file, wrong kind, bad values) are usage
 * errors (2); failures while working are 1. */
static int
error_status (const GError *error)
{
  if (error->domain == RELIEF_FILE_ERROR && error->code != RELIEF_FILE_ERROR_IO)
    return EXIT_USAGE;
  if (error->domain == RELIEF_DATA_ERROR)
    return EXIT_USAGE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
      g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return EXIT_USAGE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return EXIT_INTERRUPTED;
  return 1;
}

/* A missing input, or one of the wrong kind, is a usage error caught before any work. */
static gboolean
check_input_kind (const char *command, const char *path, const char *kind, int *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *found = relief_file_detect_kind (path, &error);

  if (found == NULL)
    {
      *status = usage_error (command, error->message);
      return FALSE;
    }
  if (kind && !g_str_equal (found, kind))
    {
      g_autofree char *message = g_strdup_printf (_("%s is a %s file, not a %s file"), path, found, kind);
      *status = usage_error (command, message);
      return FALSE;
    }
  return TRUE;
}

static int
cmd_train (int argc, char **argv)
{
  ReliefTrainJob job;
  g_autofree char *dataset = NULL, *hidden = NULL, *activation = NULL, *loss = NULL;
  g_autofree char *optimizer = NULL, *output = NULL, *backend = NULL;
  int samples = -1, batch = -1, epochs = -1, snapshot_every = -1, classes = -1;
  double noise = -1, lr = -1, momentum = -1, weight_decay = -1, test_fraction = -1;
  gint64 seed = -1;
  int status = 0;
  ReliefTrainStatus train_status = RELIEF_TRAIN_COMPLETED;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CliProgress progress = { cancellable, isatty (2), 0, "train", NULL };
  ReliefJobCallbacks cb = { on_progress, NULL, NULL, NULL, &progress, on_backend_chosen };
  GOptionEntry entries[] = {
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &dataset, N_("Generator (spiral, moons, circles, xor, gaussians), IDX directory or CSV file"), N_("NAME|DIR|FILE.csv") },
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples, N_("Samples to generate (generators)"), "N" },
    { "noise", 0, 0, G_OPTION_ARG_DOUBLE, &noise, N_("Noise of the generator"), "X" },
    { "classes", 0, 0, G_OPTION_ARG_INT, &classes, N_("Classes (spiral, gaussians)"), "N" },
    { "test-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &test_fraction, N_("Fraction held out for testing (generators, CSV)"), "X" },
    { "hidden", 0, 0, G_OPTION_ARG_STRING, &hidden, N_("Hidden layer widths (default 16,16)"), "32,32" },
    { "activation", 0, 0, G_OPTION_ARG_STRING, &activation, N_("relu, leaky_relu, tanh or gelu"), "A" },
    { "loss", 0, 0, G_OPTION_ARG_STRING, &loss, N_("cross_entropy or mse"), "L" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, N_("sgd, momentum, nesterov, adam or adamw"), "O" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Learning rate"), "X" },
    { "momentum", 0, 0, G_OPTION_ARG_DOUBLE, &momentum, N_("Momentum (momentum, nesterov)"), "X" },
    { "weight-decay", 0, 0, G_OPTION_ARG_DOUBLE, &weight_decay, N_("Weight decay"), "X" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch, N_("Mini-batch size"), "N" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &epochs, N_("Epochs"), "N" },
    { "snapshot-every", 0, 0, G_OPTION_ARG_INT, &snapshot_every, N_("Steps between trajectory snapshots (0: each epoch)"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Random seed"), "N" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend, N_("cpu, cuda or auto"), N_("NAME") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The run file to write"), N_("RUN.h5") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = command_context (NULL, _("Train a model and write its run file (HDF5)."));

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!parse_options (ctx, "train", &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error ("train", _("unexpected argument; see relief train --help"));
  if (!require_output ("train", output, &status))
    return status;

  relief_train_job_init_defaults (&job);
  if (dataset)
    {
      g_free (job.dataset);
      job.dataset = g_strdup (dataset);
      if (relief_generator_exists (dataset))
        relief_generator_defaults (dataset, &job.gen);
    }
  if (samples != -1) job.gen.n_samples = samples;
  if (noise != -1) job.gen.noise = noise;
  if (classes != -1) job.gen.n_classes = classes;
  if (test_fraction != -1) job.gen.test_fraction = test_fraction;
  if (seed != -1)
    {
      if (seed < 0)
        status = usage_error ("train", _("the seed must be a non-negative integer"));
      job.gen.seed = job.train.seed = (guint64) seed;
    }
  if (status == 0 && hidden && !relief_parse_int_list (hidden, &job.hidden, &job.n_hidden, &error))
    status = usage_error ("train", error->message);
  if (status == 0 && activation && !relief_activation_from_string (activation, &job.activation, &error))
    status = usage_error ("train", error->message);
  if (status == 0 && loss && !relief_loss_from_string (loss, &job.loss, &error))
    status = usage_error ("train", error->message);
  if (status == 0 && optimizer && !relief_optimizer_from_string (optimizer, &job.train.optimizer.kind, &error))
    status = usage_error ("train", error->message);
  if (lr != -1) job.train.optimizer.lr = lr;
  if (momentum != -1) job.train.optimizer.momentum = momentum;
  if (weight_decay != -1) job.train.optimizer.weight_decay = weight_decay;
  if (batch != -1) job.train.batch_size = batch;
  if (epochs != -1) job.train.epochs = epochs;
  if (snapshot_every != -1) job.train.snapshot_every = snapshot_every;
  if (status == 0 && (job.train.snapshot_every < 0 || !(job.train.optimizer.momentum >= 0 && job.train.optimizer.momentum < 1)
                      || !(job.train.optimizer.weight_decay >= 0)))
    status = usage_error ("train", _("--snapshot-every and --weight-decay must be >= 0, --momentum in [0, 1)"));
  if (backend)
    {
      g_free (job.backend);
      job.backend = g_strdup (backend);
    }
  job.output = g_strdup (output);

  if (status == 0)
    {
      signal (SIGINT, on_sigint);
      if (!relief_train_job_run (&job, &cb, cancellable, &train_status, &error))
        {
          progress_end (&progress);
          g_printerr ("relief train: %s\n", error->message);
          status = error_status (error);
        }
      else
        {
          progress_draw (&progress, 1.0, TRUE);
          progress_end (&progress);
          report_backend (&progress);
          switch (train_status)
            {
            case RELIEF_TRAIN_DIVERGED:
              g_printerr (_("relief train: the loss diverged (NaN or infinite); the run up to there is in %s\n"), output);
              status = 1;
              break;
            case RELIEF_TRAIN_CANCELLED:
              g_printerr (_("relief train: interrupted; the run up to there is in %s\n"), output);
              status = EXIT_INTERRUPTED;
              break;
            default:
              break;
            }
        }
      signal (SIGINT, SIG_DFL);
    }
  relief_train_job_clear (&job);
  return status;
}

static void
print_dint90 (const char *label, double mean, double std)
{
  if (isnan (mean))
    g_print (_("d_int90 %s: not reached\n"), label);
  else
    g_print (_("d_int90 %s: %.1f ± %.1f\n"), label, mean, std);
}

static int
cmd_intdim (int argc, char **argv)
{
  ReliefIntdimJob job;
  ReliefTrainJob *base = &job.base;
  g_autofree char *dataset = NULL, *hidden = NULL, *projection = NULL, *dims = NULL;
  g_autofree char *optimizer = NULL, *output = NULL, *backend = NULL;
  int samples = -1, batch = -1, epochs = -1, seeds = 1, cells_run = 0;
  double lr = -1, global_baseline = 1.0;
  gint64 seed = -1;
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefIntdim) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CliProgress progress = { cancellable, isatty (2), 0, "intdim", NULL, 0, 0, 0 };
  ReliefJobCallbacks cb = { on_progress, NULL, NULL, NULL, &progress, on_backend_chosen, on_intdim_cell, NULL };
  GOptionEntry entries[] = {
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &dataset, N_("Generator (spiral, moons, circles, xor, gaussians), IDX directory or CSV file"), N_("NAME|DIR|FILE.csv") },
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples, N_("Samples to generate (generators)"), "N" },
    { "hidden", 0, 0, G_OPTION_ARG_STRING, &hidden, N_("Hidden layer widths (default 16,16)"), "200,200" },
    { "projection", 0, 0, G_OPTION_ARG_STRING, &projection, N_("dense, sparse, fastfood or implicit (default dense; sparse or fastfood for large networks on a CPU)"), "P" },
    { "dims", 0, 0, G_OPTION_ARG_STRING, &dims, N_("Subspace dimensions to sweep"), "100,200|A:B:STEP" },
    { "seeds", 0, 0, G_OPTION_ARG_INT, &seeds, N_("Seeds per dimension (default 1)"), "K" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, N_("sgd, momentum, nesterov, adam or adamw"), "O" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Learning rate"), "X" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch, N_("Mini-batch size"), "N" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &epochs, N_("Epochs"), "N" },
    { "global-baseline", 0, 0, G_OPTION_ARG_DOUBLE, &global_baseline, N_("Accuracy for the global d_int90 (default 1.0)"), "X" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (seed s of the sweep uses N + s)"), "N" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend, N_("cpu, cuda or auto"), N_("NAME") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The sweep file to write or resume"), N_("INTDIM.h5") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = command_context (NULL, _("Measure the intrinsic dimension: train in random subspaces of growing dimension (HDF5)."));

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!parse_options (ctx, "intdim", &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error ("intdim", _("unexpected argument; see relief intdim --help"));
  if (!require_output ("intdim", output, &status))
    return status;
  if (dims == NULL)
    return usage_error ("intdim", _("the dimensions to sweep are required (--dims 100,200 or A:B:STEP)"));
  if (seeds < 1 || seeds > 1000)
    return usage_error ("intdim", _("--seeds must be between 1 and 1000"));
  if (!(global_baseline > 0 && global_baseline <= 1))
    return usage_error ("intdim", _("--global-baseline must be in (0, 1]"));
  if (seed < -1)
    return usage_error ("intdim", _("the seed must be a non-negative integer"));

  memset (&job, 0, sizeof job);
  relief_train_job_init_defaults (base);
  job.n_seeds = seeds;
  job.global_baseline = global_baseline;
  job.projection = RELIEF_PROJECTION_DENSE;
  if (dataset)
    {
      g_free (base->dataset);
      base->dataset = g_strdup (dataset);
      if (relief_generator_exists (dataset))
        relief_generator_defaults (dataset, &base->gen);
    }
  if (samples != -1) base->gen.n_samples = samples;
  if (seed != -1) base->gen.seed = base->train.seed = (guint64) seed;
  if (!relief_parse_dims (dims, &job.dims, &job.K, &error))
    status = usage_error ("intdim", error->message);
  else if (projection && (!relief_projection_kind_from_string (projection, &job.projection, &error) ||
                          job.projection == RELIEF_PROJECTION_IDENTITY))
    status = usage_error ("intdim", error ? error->message : _("--projection takes dense, sparse, fastfood or implicit"));
  else if (hidden && !relief_parse_int_list (hidden, &base->hidden, &base->n_hidden, &error))
    status = usage_error ("intdim", error->message);
  else if (optimizer && !relief_optimizer_from_string (optimizer, &base->train.optimizer.kind, &error))
    status = usage_error ("intdim", error->message);
  if (lr != -1) base->train.optimizer.lr = lr;
  if (batch != -1) base->train.batch_size = batch;
  if (epochs != -1) base->train.epochs = epochs;
  if (backend)
    {
      g_free (base->backend);
      base->backend = g_strdup (backend);
    }
  base->output = g_strdup (output);

  if (status == 0)
    {
      progress.n_seeds = job.n_seeds;
      progress.n_cells = job.K * job.n_seeds + 1;
      signal (SIGINT, on_sigint);
      if (!relief_intdim_job_run (&job, &cb, cancellable, &cells_run, &result, &error))
        {
          progress_end (&progress);
          g_printerr ("relief intdim: %s\n", error->message);
          status = error_status (error);
        }
      else
        {
          progress_draw (&progress, 1.0, TRUE);
          progress_end (&progress);
          report_backend (&progress);
          g_print (_("trainings run: %d\n"), cells_run);
          print_dint90 (_("individual"), result->dint90_individual_mean, result->dint90_individual_std);
          print_dint90 (_("global"), result->dint90_global_mean, result->dint90_global_std);
        }
      signal (SIGINT, SIG_DFL);
    }
  g_free (job.dims);
  relief_train_job_clear (base);
  return status;
}

static int
cmd_surface (int argc, char **argv)
{
  ReliefSurfaceJob job;
  g_autofree char *checkpoint = NULL, *xspec = NULL, *yspec = NULL, *output = NULL, *backend = NULL;
  g_autofree char *directions = NULL, *normalization = NULL, *bias = NULL, *to = NULL;
  gint64 seed = 0;
  int max_samples = 0, status = 0;
  gboolean resume = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CliProgress progress = { cancellable, isatty (2), 0, "surface", NULL };
  ReliefJobCallbacks cb = { on_progress, NULL, NULL, NULL, &progress, on_backend_chosen };
  GOptionEntry entries[] = {
    { "checkpoint", 0, 0, G_OPTION_ARG_STRING, &checkpoint, N_("Snapshot at the centre: an index or “last” (default)"), N_("N|last") },
    { "directions", 0, 0, G_OPTION_ARG_STRING, &directions, N_("random (default), pca (of the trajectory) or line (to --to)"), N_("KIND") },
    { "normalization", 0, 0, G_OPTION_ARG_STRING, &normalization, N_("Random directions: filter (default), layer or none"), N_("NAME") },
    { "bias", 0, 0, G_OPTION_ARG_STRING, &bias, N_("Random directions: biases zero (default) or copy"), N_("MODE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Line: the checkpoint at alpha 1"), N_("N|last") },
    { "x", 0, 0, G_OPTION_ARG_STRING, &xspec, N_("x range and resolution (default -1:1:51; a line -0.5:1.5:41); alone, a 1D slice"), N_("MIN:MAX:COUNT") },
    { "y", 0, 0, G_OPTION_ARG_STRING, &yspec, N_("y range and resolution (default -1:1:51)"), N_("MIN:MAX:COUNT") },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, N_("Continue an interrupted surface already in the output file"), NULL },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Seed of the random directions"), "N" },
    { "max-samples", 0, 0, G_OPTION_ARG_INT, &max_samples, N_("Evaluate on the first N training samples only"), "N" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend, N_("cpu, cuda or auto"), N_("NAME") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The surface file to write"), N_("SURFACE.h5") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = command_context (N_("RUN.h5"), _("Compute the loss surface around a checkpoint of a run: along random directions, the PCA plane of the trajectory, or the line to another checkpoint."));

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!parse_options (ctx, "surface", &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error ("surface", _("expected one run file; see relief surface --help"));
  if (!require_output ("surface", output, &status))
    return status;
  if (seed < 0 || max_samples < 0)
    return usage_error ("surface", _("--seed and --max-samples must be non-negative"));
  if (!check_input_kind ("surface", argv[1], "run", &status))
    return status;

  relief_surface_job_init_defaults (&job);
  job.run_file = g_strdup (argv[1]);
  job.output = g_strdup (output);
  job.seed = (guint64) seed;
  job.max_samples = max_samples;
  if (checkpoint)
    {
      g_free (job.checkpoint);
      job.checkpoint = g_strdup (checkpoint);
    }
  if (backend)
    {
      g_free (job.backend);
      job.backend = g_strdup (backend);
    }
  job.resume = resume;
  job.to_checkpoint = g_strdup (to);
  if (directions)
    {
      g_free (job.directions);
      job.directions = g_strdup (directions);
    }
  if (g_str_equal (job.directions, "line"))
    job.x = (ReliefGridAxis) { -0.5, 1.5, 41 };
  /* --x alone asks for a 1D slice; PCA planes are always 2D. */
  job.one_d = xspec != NULL && yspec == NULL && !g_str_equal (job.directions, "pca");
  if (!g_str_equal (job.directions, "random") && !g_str_equal (job.directions, "pca") &&
      !g_str_equal (job.directions, "line"))
    status = usage_error ("surface", _("--directions takes random, pca or line"));
  else if (to != NULL && !g_str_equal (job.directions, "line"))
    status = usage_error ("surface", _("--to only applies to --directions line"));
  else if (g_str_equal (job.directions, "line") && to == NULL)
    status = usage_error ("surface", _("--directions line needs --to CHECKPOINT"));
  else if ((normalization || bias) && !g_str_equal (job.directions, "random"))
    status = usage_error ("surface", _("--normalization and --bias only apply to --directions random"));
  else if ((normalization && !relief_normalization_from_string (normalization, &job.normalization, &error)) ||
           (bias && !relief_bias_mode_from_string (bias, &job.bias, &error)) ||
           (xspec && !relief_grid_axis_parse (xspec, &job.x, &error)) ||
           (yspec && !relief_grid_axis_parse (yspec, &job.y, &error)))
    status = usage_error ("surface", error->message);

  if (status == 0)
    {
      signal (SIGINT, on_sigint);
      if (!relief_surface_job_run (&job, &cb, cancellable, &error))
        {
          progress_end (&progress);
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_printerr (_("relief surface: interrupted; the cells computed so far are in %s\n"), output);
          else
            g_printerr ("relief surface: %s\n", error->message);
          status = error_status (error);
        }
      else
        {
          progress_draw (&progress, 1.0, TRUE);
          progress_end (&progress);
          report_backend (&progress);
        }
      signal (SIGINT, SIG_DFL);
    }
  relief_surface_job_clear (&job);
  return status;
}

typedef struct {
  ReliefSurface       *surface;
  ReliefRun           *run;
  ReliefIntdim        *intdim;
  ReliefFigureOptions *options;
} PlotData;

static void
draw_plot (cairo_t *cr, double width, double height, gpointer user_data)
{
  PlotData *d = user_data;

  if (d->surface)
    relief_figure_surface (cr, width, height, d->surface, d->options);
  else if (d->intdim)
    relief_figure_intdim (cr, width, height, d->intdim, d->options, NULL);
  else
    relief_figure_run (cr, width, height, d->run, d->options);
}

static int
cmd_plot (int argc, char **argv)
{
  g_autofree char *output = NULL, *colormap = NULL, *title = NULL, *kind = NULL, *figure_kind = NULL;
  double dpi = 150;
  int levels = -1, status = 0;
  gboolean log_scale = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefSurface) surface = NULL;
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(ReliefIntdim) intdim = NULL;
  ReliefFigureOptions options;
  PlotData data = { NULL, NULL, NULL, &options };
  double width, height;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The figure to write (.pdf, .svg or .png)"), N_("FIGURE") },
    { "dpi", 0, 0, G_OPTION_ARG_DOUBLE, &dpi, N_("Resolution of PNG figures (default 150)"), "N" },
    { "colormap", 0, 0, G_OPTION_ARG_STRING, &colormap, N_("viridis or magma"), N_("NAME") },
    { "levels", 0, 0, G_OPTION_ARG_INT, &levels, N_("Contour levels (default 12)"), "N" },
    { "log", 0, 0, G_OPTION_ARG_NONE, &log_scale, N_("Logarithmic color scale"), NULL },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, N_("Figure title"), N_("TEXT") },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &figure_kind, N_("Surface figure: contour, heatmap, 3d or 1d (default contour)"), N_("KIND") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = command_context (N_("FILE.h5"), _("Draw a run or surface file as a figure (PDF, SVG or PNG)."));

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!parse_options (ctx, "plot", &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error ("plot", _("expected one run or surface file; see relief plot --help"));
  if (!require_output ("plot", output, &status))
    return status;
  if (!relief_plot_export_supported (output))
    return usage_error ("plot", _("the figure must end in .pdf, .svg or .png"));
  if (!(dpi >= 10 && dpi <= 2400))
    return usage_error ("plot", _("--dpi must be between 10 and 2400"));
  if (levels != -1 && (levels < 0 || levels > 200))
    return usage_error ("plot", _("--levels must be between 0 and 200"));

  relief_figure_options_init (&options);
  if (levels != -1)
    options.n_levels = levels;
  options.log_scale = log_scale;
  options.title = title;
  if (colormap)
    {
      if (g_str_equal (colormap, "viridis"))
        options.colormap = RELIEF_COLORMAP_VIRIDIS;
      else if (g_str_equal (colormap, "magma"))
        options.colormap = RELIEF_COLORMAP_MAGMA;
      else
        return usage_error ("plot", _("unknown colormap (viridis, magma)"));
    }
  if (figure_kind)
    {
      g_autoptr(GError) kind_error = NULL;

      if (!relief_figure_kind_from_string (figure_kind, &options.kind, &kind_error))
        return usage_error ("plot", kind_error->message);
    }

  if (!check_input_kind ("plot", argv[1], NULL, &status))
    return status;
  kind = relief_file_detect_kind (argv[1], NULL);
  if (g_str_equal (kind, "surface"))
    {
      data.surface = surface = relief_surface_load (argv[1], &error);
      width = 432, height = 324;
      /* A PCA plane carries its own trajectory: draw it, ending at the final point. */
      if (surface && surface->n_proj > 0 && surface->proj_xcoord && surface->proj_ycoord)
        {
          options.n_path = surface->n_proj;
          options.path_x = surface->proj_xcoord;
          options.path_y = surface->proj_ycoord;
          options.path_marker = surface->n_proj - 1;
        }
    }
  else if (g_str_equal (kind, "run"))
    {
      data.run = run = relief_run_load (argv[1], FALSE, &error);
      width = 648, height = 252;
    }
  else if (g_str_equal (kind, "intdim"))
    {
      data.intdim = intdim = relief_intdim_load (argv[1], &error);
      width = 432, height = 324;
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("%s is a %s file; plot takes run, surface and intdim files"), argv[1], kind);
      return usage_error ("plot", message);
    }
  if (surface == NULL && run == NULL && intdim == NULL)
    return usage_error ("plot", error->message);

  if (!relief_plot_export (output, width, height, dpi, draw_plot, &data, &error))
    {
      g_printerr ("relief plot: %s\n", error->message);
      return error_status (error);
    }
  return 0;
}

gboolean
relief_cli_wants (int argc, char **argv)
{
  if (argc < 2)
    return FALSE;
  return g_strv_contains (subcommands, argv[1]) ||
         g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
         g_str_equal (argv[1], "help") || g_str_equal (argv[1], "--version");
}

static void
print_help (void)
{
  g_print ("%s\n\n", _("Usage: relief [COMMAND] [OPTIONS]"));
  g_print ("%s\n\n", _("Relief: a workbench for the loss landscapes of neural networks. With no command it opens the window."));
  g_print ("%s\n", _("Commands:"));
  g_print ("  train     %s\n", _("Train a model and write its run file"));
  g_print ("  surface   %s\n", _("Compute the loss surface around a checkpoint of a run"));
  g_print ("  intdim    %s\n", _("Sweep random subspaces to measure the intrinsic dimension"));
  g_print ("  plot      %s\n", _("Draw a run or surface file as a PDF, SVG or PNG figure"));
  g_print ("\n%s\n", _("Run “relief COMMAND --help” for a command’s options."));
}

int
relief_cli_main (int argc, char **argv)
{
  const char *command = argv[1];
  g_autofree char *prgname = NULL;

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
  prgname = g_strdup_printf ("relief %s", command);
  g_set_prgname (prgname);
  if (g_str_equal (command, "train"))
    return cmd_train (argc - 1, argv + 1);
  if (g_str_equal (command, "surface"))
    return cmd_surface (argc - 1, argv + 1);
  if (g_str_equal (command, "intdim"))
    return cmd_intdim (argc - 1, argv + 1);
  return cmd_plot (argc - 1, argv + 1);
}

#include "relief-config.h"

#include <glib/gi18n-lib.h>

#include "relief-cli-options.h"
#include "relief-enums.h"

/* -1 marks a flag not given: every valid value of these is non-negative. */
#define UNSET (-1)

static GOptionGroup *
new_group (const char *name, const char *description, const char *help, const GOptionEntry *entries)
{
  GOptionGroup *group = g_option_group_new (name, description, help, NULL, NULL);

  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);
  return group;
}

void
relief_cli_train_options_add (ReliefCliTrainOptions *o, GOptionContext *ctx)
{
  const GOptionEntry data[] = {
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &o->dataset,
      N_("Generator (spiral, moons, circles, xor, gaussians), installed data set (mnist, fashion-mnist), "
         "IDX directory or CSV file (default spiral)"), N_("NAME|DIR|FILE.csv") },
    { "samples", 0, 0, G_OPTION_ARG_INT, &o->samples, N_("Samples to generate (generators; default 1000)"), "N" },
    { "noise", 0, 0, G_OPTION_ARG_DOUBLE, &o->noise, N_("Noise of the generator (default: the generator’s own)"), "X" },
    { "classes", 0, 0, G_OPTION_ARG_INT, &o->classes, N_("Classes (spiral, gaussians; default: the generator’s own)"), "N" },
    { "test-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &o->test_fraction,
      N_("Fraction held out for testing (generators, CSV; default 0.2)"), "X" },
    { "data-seed", 0, 0, G_OPTION_ARG_INT64, &o->data_seed,
      N_("Seed of the generator and of a CSV file’s split (default: --seed)"), "N" },
    { "max-samples", 0, 0, G_OPTION_ARG_INT, &o->max_samples,
      N_("Use only the first N samples of each split, training and test (generated or IDX data; default all)"), "N" },
    { NULL }
  };
  const GOptionEntry model[] = {
    { "hidden", 0, 0, G_OPTION_ARG_STRING, &o->hidden, N_("Hidden layer widths (default 16,16)"), "32,32" },
    { "activation", 0, 0, G_OPTION_ARG_STRING, &o->activation, N_("relu (default), leaky_relu, tanh or gelu"), "A" },
    { "loss", 0, 0, G_OPTION_ARG_STRING, &o->loss, N_("cross_entropy (default) or mse"), "L" },
    { NULL }
  };
  const GOptionEntry training[] = {
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &o->optimizer, N_("sgd, momentum, nesterov, adam (default) or adamw"), "O" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &o->lr, N_("Learning rate (default 0.01)"), "X" },
    { "momentum", 0, 0, G_OPTION_ARG_DOUBLE, &o->momentum, N_("Momentum (momentum, nesterov; default 0.9)"), "X" },
    { "weight-decay", 0, 0, G_OPTION_ARG_DOUBLE, &o->weight_decay, N_("Weight decay (default 0)"), "X" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &o->batch_size, N_("Mini-batch size (default 32)"), "N" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &o->epochs, N_("Epochs (default 20)"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed, N_("Random seed of the data, the initialization and the batches (default 0)"), "N" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &o->backend, N_("cpu, cuda or auto (default)"), N_("NAME") },
    { NULL }
  };

  *o = (ReliefCliTrainOptions) {
    .samples = UNSET, .classes = UNSET, .noise = UNSET, .test_fraction = UNSET, .data_seed = UNSET,
    .max_samples = UNSET,
    .lr = UNSET, .momentum = UNSET, .weight_decay = UNSET, .batch_size = UNSET, .epochs = UNSET, .seed = UNSET,
    .eval_every = UNSET,
  };
  g_option_context_add_group (ctx, new_group ("data", _("Data options:"), _("Show the data options"), data));
  g_option_context_add_group (ctx, new_group ("model", _("Model options:"), _("Show the model options"), model));
  g_option_context_add_group (ctx, new_group ("training", _("Training options:"), _("Show the training options"),
                                              training));
}

void
relief_cli_metrics_options_add (ReliefCliTrainOptions *o, GOptionContext *ctx)
{
  const GOptionEntry metrics[] = {
    { "eval-every", 0, 0, G_OPTION_ARG_INT, &o->eval_every,
      N_("Steps between metrics rows, besides every epoch end (default 0: about 100 rows)"), "N" },
    { "eval-samples", 0, 0, G_OPTION_ARG_STRING, &o->eval_samples,
      N_("Evaluate N samples of each split at every row, or all of them (default: the train curve from the "
         "mini-batches' losses, the test set in full at epoch ends and on a subset between them, within 10% "
         "of the training time)"), "N|all" },
    { NULL }
  };

  g_option_context_add_group (ctx, new_group ("metrics", _("Metrics options:"), _("Show the metrics options"),
                                              metrics));
}

static gboolean
invalid (GError **error, const char *message)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

gboolean
relief_cli_train_options_apply (const ReliefCliTrainOptions *o, ReliefTrainJob *job, GError **error)
{
  ReliefOptimizerConfig *opt = &job->train.optimizer;

  if (o->dataset)
    {
      g_free (job->dataset);
      job->dataset = g_strdup (o->dataset);
      if (relief_generator_exists (o->dataset))
        relief_generator_defaults (o->dataset, &job->gen);
    }
  if (o->samples != UNSET) job->gen.n_samples = o->samples;
  if (o->noise != UNSET) job->gen.noise = o->noise;
  if (o->classes != UNSET) job->gen.n_classes = o->classes;
  if (o->test_fraction != UNSET) job->gen.test_fraction = o->test_fraction;
  if (o->seed < UNSET || o->data_seed < UNSET)
    return invalid (error, _("the seed must be a non-negative integer"));
  if (o->max_samples != UNSET && o->max_samples < 1)
    return invalid (error, _("--max-samples must be at least 1"));
  if (o->max_samples != UNSET)
    job->max_samples = o->max_samples;
  if (o->seed != UNSET)
    job->gen.seed = job->train.seed = (guint64) o->seed;
  if (o->data_seed != UNSET)
    job->gen.seed = (guint64) o->data_seed;

  if (o->hidden)
    {
      g_clear_pointer (&job->hidden, g_free);
      if (!relief_parse_int_list (o->hidden, &job->hidden, &job->n_hidden, error))
        return FALSE;
    }
  if ((o->activation && !relief_enum_from_nick (RELIEF_TYPE_ACTIVATION, o->activation, (int *) &job->activation,
                                                error)) ||
      (o->loss && !relief_enum_from_nick (RELIEF_TYPE_LOSS, o->loss, (int *) &job->loss, error)) ||
      (o->optimizer && !relief_enum_from_nick (RELIEF_TYPE_OPTIMIZER_KIND, o->optimizer, (int *) &opt->kind, error)))
    return FALSE;

  if (o->lr != UNSET) opt->lr = o->lr;
  if (o->momentum != UNSET) opt->momentum = o->momentum;
  if (o->weight_decay != UNSET) opt->weight_decay = o->weight_decay;
  if (o->batch_size != UNSET) job->train.batch_size = o->batch_size;
  if (o->epochs != UNSET) job->train.epochs = o->epochs;
  if (!(opt->momentum >= 0 && opt->momentum < 1) || !(opt->weight_decay >= 0))
    return invalid (error, _("--weight-decay must be >= 0, --momentum in [0, 1)"));
  if (o->backend && !relief_enum_from_nick (RELIEF_TYPE_BACKEND_KIND, o->backend, (int *) &job->backend, error))
    return FALSE;

  if (o->eval_every < UNSET)
    return invalid (error, _("--eval-every must be >= 0"));
  if (o->eval_every != UNSET)
    job->train.eval_every = o->eval_every;
  if (o->eval_samples != NULL && g_strcmp0 (o->eval_samples, "all") == 0)
    job->train.eval_samples = RELIEF_EVAL_ALL;
  else if (o->eval_samples != NULL)
    {
      guint64 n;

      if (!g_ascii_string_to_unsigned (o->eval_samples, 10, 1, G_MAXINT, &n, NULL))
        return invalid (error, _("--eval-samples must be a positive number or “all”"));
      job->train.eval_samples = (int) n;
    }
  return TRUE;
}

void
relief_cli_train_options_clear (ReliefCliTrainOptions *o)
{
  g_clear_pointer (&o->dataset, g_free);
  g_clear_pointer (&o->hidden, g_free);
  g_clear_pointer (&o->activation, g_free);
  g_clear_pointer (&o->loss, g_free);
  g_clear_pointer (&o->optimizer, g_free);
  g_clear_pointer (&o->backend, g_free);
  g_clear_pointer (&o->eval_samples, g_free);
}

void
relief_cli_figure_options_add (ReliefCliFigureOptions *o, GOptionContext *ctx)
{
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output, N_("The figure to write (.pdf, .svg or .png)"), N_("FIGURE") },
    { "title", 0, 0, G_OPTION_ARG_STRING, &o->title, N_("Figure title"), N_("TEXT") },
    { "dpi", 0, 0, G_OPTION_ARG_DOUBLE, &o->dpi, N_("Resolution of PNG figures (default 150)"), "N" },
    { NULL }
  };

  *o = (ReliefCliFigureOptions) { .dpi = 150 };
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
}

void
relief_cli_figure_options_clear (ReliefCliFigureOptions *o)
{
  g_clear_pointer (&o->output, g_free);
  g_clear_pointer (&o->title, g_free);
}

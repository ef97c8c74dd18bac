#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-cli-common.h"
#include "relief-cli-options.h"
#include "relief-enums.h"

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
    { "samples", 0, 0, G_OPTION_ARG_STRING, &o->samples, N_("Samples to generate (generators; default 1000)"), "N" },
    { "noise", 0, 0, G_OPTION_ARG_STRING, &o->noise, N_("Noise of the generator (default: the generator’s own)"), "X" },
    { "classes", 0, 0, G_OPTION_ARG_STRING, &o->classes, N_("Classes (spiral, gaussians; default: the generator’s own)"), "N" },
    { "test-fraction", 0, 0, G_OPTION_ARG_STRING, &o->test_fraction,
      N_("Fraction held out for testing (generators, CSV; default 0.2)"), "X" },
    { "data-seed", 0, 0, G_OPTION_ARG_STRING, &o->data_seed,
      N_("Seed of the generator and of a CSV file’s split (default: --seed)"), "N" },
    { "max-samples", 0, 0, G_OPTION_ARG_STRING, &o->max_samples,
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
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &o->optimizer, N_("sgd, momentum, nesterov, adam (default), adamw, adagrad, rmsprop or sign"), "O" },
    { "lr", 0, 0, G_OPTION_ARG_STRING, &o->lr, N_("Learning rate (default 0.01)"), "X" },
    { "momentum", 0, 0, G_OPTION_ARG_STRING, &o->momentum, N_("Momentum (momentum, nesterov: default 0.9; rmsprop, sign: default 0)"), "X" },
    { "weight-decay", 0, 0, G_OPTION_ARG_STRING, &o->weight_decay, N_("Weight decay (default 0)"), "X" },
    { "batch-size", 0, 0, G_OPTION_ARG_STRING, &o->batch_size, N_("Mini-batch size (default 32)"), "N" },
    { "epochs", 0, 0, G_OPTION_ARG_STRING, &o->epochs, N_("Epochs (default 20)"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &o->seed, N_("Random seed of the data, the initialization and the batches (default 0)"), "N" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &o->backend, N_("cpu, cuda or auto (default)"), N_("NAME") },
    { NULL }
  };

  *o = (ReliefCliTrainOptions) { 0 };
  g_option_context_add_group (ctx, new_group ("data", _("Data options:"), _("Show the data options"), data));
  g_option_context_add_group (ctx, new_group ("model", _("Model options:"), _("Show the model options"), model));
  g_option_context_add_group (ctx, new_group ("training", _("Training options:"), _("Show the training options"),
                                              training));
}

void
relief_cli_metrics_options_add (ReliefCliTrainOptions *o, GOptionContext *ctx)
{
  const GOptionEntry metrics[] = {
    { "eval-every", 0, 0, G_OPTION_ARG_STRING, &o->eval_every,
      N_("Steps between metrics rows, besides every epoch end (default 0: about 100 rows); log:K: K rows a decade "
         "of steps (1, 2, ... 10, 13, 16, ... for K = 10) and the last step, for a log step axis"), "N|log:K" },
    { "eval-samples", 0, 0, G_OPTION_ARG_STRING, &o->eval_samples,
      N_("Evaluate N samples of each split at every row, or all of them (default: the train curve from the "
         "mini-batches' losses, the test set in full at epoch ends and on a subset between them, within 10% "
         "of the training time)"), "N|all" },
    { NULL }
  };

  g_option_context_add_group (ctx, new_group ("metrics", _("Metrics options:"), _("Show the metrics options"),
                                              metrics));
}

void
relief_cli_complexity_options_add (ReliefCliTrainOptions *o, GOptionContext *ctx)
{
  const GOptionEntry complexity[] = {
    { "track-complexity", 0, 0, G_OPTION_ARG_STRING, &o->track_complexity,
      N_("Measure the local complexity (neurons whose sign changes near a point) at step 0 and every N steps, or with "
         "log:K at K log-spaced steps a decade and the last step, and for a 2-input relu model the linear regions of "
         "its input plane (default 0: never)"), "N|log:K" },
    { "complexity-radius", 0, 0, G_OPTION_ARG_STRING, &o->complexity_radius,
      N_("Radius of the neighbourhoods (default: 5% of the training samples' RMS distance from their mean)"), "R" },
    { "complexity-points", 0, 0, G_OPTION_ARG_STRING, &o->complexity_points,
      N_("Around training samples (training), test samples (test), random points of the data’s box (random), or all (default)"),
      N_("SET") },
    { "complexity-samples", 0, 0, G_OPTION_ARG_STRING, &o->complexity_samples,
      N_("Points of each set (default 1000; all of a split when it has fewer)"), "N" },
    { "init-scale", 0, 0, G_OPTION_ARG_STRING, &o->init_scale,
      N_("Multiply the initial weights and biases by S (default 1; the grokking paper scales them up)"), "S" },
    { NULL }
  };

  g_option_context_add_group (ctx, new_group ("complexity", _("Complexity options:"),
                                              _("Show the local complexity options"), complexity));
}

void
relief_cli_curvature_options_add (ReliefCliTrainOptions *o, GOptionContext *ctx)
{
  const GOptionEntry curvature[] = {
    { "track-curvature", 0, 0, G_OPTION_ARG_STRING, &o->track_curvature,
      N_("Measure the sharpness (the top Hessian eigenvalue, by Lanczos) at step 0 and every N steps "
         "(default 0: never)"), "N" },
    { "curvature-samples", 0, 0, G_OPTION_ARG_STRING, &o->curvature_samples,
      N_("Measure it on the first N training samples, or all (default 5000)"), "N|all" },
    { "curvature-trace", 0, 0, G_OPTION_ARG_NONE, &o->curvature_trace,
      N_("Also estimate the Hessian's trace (Hutchinson)"), NULL },
    { "curvature-min", 0, 0, G_OPTION_ARG_NONE, &o->curvature_min,
      N_("Also compute the smallest eigenvalue"), NULL },
    { NULL }
  };

  g_option_context_add_group (ctx, new_group ("curvature", _("Curvature options:"), _("Show the curvature options"),
                                              curvature));
}

static gboolean
invalid (GError **error, const char *message)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

gboolean
relief_cli_parse_int (const char *flag, const char *text, gint64 min, gint64 max, gint64 *out, GError **error)
{
  g_autofree char *range = NULL;

  if (g_ascii_string_to_signed (text, 10, min, max, out, NULL))
    return TRUE;
  if (max == G_MAXINT || max == G_MAXINT64)
    range = g_strdup_printf (_("a whole number >= %" G_GINT64_FORMAT), min);
  else
    range = g_strdup_printf (_("a whole number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT), min, max);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("%s takes %s, not “%s”"), flag, range, text);
  return FALSE;
}

gboolean
relief_cli_parse_number (const char *flag, const char *text, double min, gboolean min_open, double max,
                         gboolean max_open, double *out, GError **error)
{
  g_autofree char *range = NULL;
  char *end = NULL;
  double v = 0;
  /* Decimal only: strtod would also take hex (0x1p3), "nan" and "inf". */
  gboolean decimal = *text != '\0' && strspn (text, "0123456789+-.eE") == strlen (text);

  if (decimal)
    v = g_ascii_strtod (text, &end);
  if (decimal && end != text && *end == '\0' && isfinite (v) &&
      (min_open ? v > min : v >= min) && (max_open ? v < max : v <= max))
    {
      *out = v;
      return TRUE;
    }
  if (isinf (max))
    range = g_strdup_printf (_("a number %s %g"), min_open ? ">" : ">=", min);
  else if (max == G_MAXFLOAT)
    range = g_strdup_printf (_("a number %s %g within a 32-bit float’s range"), min_open ? ">" : ">=", min);
  else
    range = g_strdup_printf (_("a number in %s%g, %g%s"), min_open ? "(" : "[", min, max, max_open ? ")" : "]");
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("%s takes %s, not “%s”"), flag, range, text);
  return FALSE;
}

/* The generators' features are floats: a noise beyond this would give infinite features
 * (the samples are normal deviates times the noise), refused as the flag's value rather
 * than as a data set with non-finite features once it is generated. */
#define RELIEF_CLI_NOISE_MAX 1e30

/* A schedule flag's value: N steps apart (>= 0) into *every, or log:K (1 <= K <=
 * RELIEF_LOG_SCHEDULE_MAX) into *per_decade, the other set to 0; absent: both left. */
static gboolean
apply_schedule (const char *flag, const char *text, int *every, int *per_decade, GError **error)
{
  gint64 v;

  if (text == NULL)
    return TRUE;
  if (g_str_has_prefix (text, "log:"))
    {
      if (!g_ascii_string_to_signed (text + 4, 10, 1, RELIEF_LOG_SCHEDULE_MAX, &v, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("%s log:K takes K, the steps a decade, from 1 to %d, not “%s”"), flag,
                       RELIEF_LOG_SCHEDULE_MAX, text + 4);
          return FALSE;
        }
      *every = 0;
      *per_decade = (int) v;
      return TRUE;
    }
  if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT, &v, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s takes a whole number >= 0 or log:K, not “%s”"), flag, text);
      return FALSE;
    }
  *every = (int) v;
  *per_decade = 0;
  return TRUE;
}

/* Each given flag's value into the job; an absent one (NULL) leaves the job's field. */
static gboolean
apply_int (const char *flag, const char *text, gint64 min, int *field, GError **error)
{
  gint64 v;

  if (text == NULL)
    return TRUE;
  if (!relief_cli_parse_int (flag, text, min, G_MAXINT, &v, error))
    return FALSE;
  *field = (int) v;
  return TRUE;
}

static gboolean
apply_number (const char *flag, const char *text, double min, gboolean min_open, double max, gboolean max_open,
              double *field, GError **error)
{
  return text == NULL || relief_cli_parse_number (flag, text, min, min_open, max, max_open, field, error);
}

/* The optimizer's settings are floats: a value beyond a float's range is refused too. */
static gboolean
apply_float (const char *flag, const char *text, double min, gboolean min_open, double max, gboolean max_open,
             float *field, GError **error)
{
  double v;

  if (text == NULL)
    return TRUE;
  if (!relief_cli_parse_number (flag, text, min, min_open, MIN (max, G_MAXFLOAT), max_open && max <= G_MAXFLOAT, &v,
                                error))
    return FALSE;
  *field = (float) v;
  return TRUE;
}

gboolean
relief_cli_train_options_apply (const ReliefCliTrainOptions *o, ReliefTrainJob *job, GError **error)
{
  ReliefOptimizerConfig *opt = &job->train.optimizer;
  ReliefOptimizerKind previous_kind;
  gint64 seed = -1, data_seed = -1;

  if (o->dataset)
    {
      g_free (job->dataset);
      job->dataset = g_strdup (o->dataset);
      if (relief_generator_exists (o->dataset))
        relief_generator_defaults (o->dataset, &job->gen);
    }
  if (!apply_int ("--samples", o->samples, 1, &job->gen.n_samples, error) ||
      !apply_number ("--noise", o->noise, 0, FALSE, RELIEF_CLI_NOISE_MAX, FALSE, &job->gen.noise, error) ||
      !apply_int ("--classes", o->classes, 1, &job->gen.n_classes, error) ||
      !apply_number ("--test-fraction", o->test_fraction, 0, FALSE, 1, TRUE, &job->gen.test_fraction, error) ||
      !apply_int ("--max-samples", o->max_samples, 1, &job->max_samples, error) ||
      (o->seed && !relief_cli_parse_int ("--seed", o->seed, 0, G_MAXINT64, &seed, error)) ||
      (o->data_seed && !relief_cli_parse_int ("--data-seed", o->data_seed, 0, G_MAXINT64, &data_seed, error)))
    return FALSE;
  if (o->seed)
    job->gen.seed = job->train.seed = (guint64) seed;
  if (o->data_seed)
    job->gen.seed = (guint64) data_seed;

  if (o->hidden)
    {
      g_clear_pointer (&job->hidden, g_free);
      /* An empty --hidden= is a typo, not a request for a model without hidden layers. */
      if (*o->hidden == '\0')
        return invalid (error, _("--hidden takes the hidden layer widths, like 32,32"));
      if (!relief_parse_int_list (o->hidden, &job->hidden, &job->n_hidden, error))
        return FALSE;
    }
  previous_kind = opt->kind;
  if ((o->activation && !relief_enum_from_nick (RELIEF_TYPE_ACTIVATION, o->activation, (int *) &job->activation,
                                                error)) ||
      (o->loss && !relief_enum_from_nick (RELIEF_TYPE_LOSS, o->loss, (int *) &job->loss, error)) ||
      (o->optimizer && !relief_enum_from_nick (RELIEF_TYPE_OPTIMIZER_KIND, o->optimizer, (int *) &opt->kind, error)))
    return FALSE;
  /* Another optimizer brings its own defaults (rmsprop's alpha, adagrad's eps). */
  if (opt->kind != previous_kind)
    relief_optimizer_config_set_kind (opt, opt->kind);

  if (!apply_float ("--lr", o->lr, 0, TRUE, INFINITY, FALSE, &opt->lr, error) ||
      !apply_float ("--momentum", o->momentum, 0, FALSE, 1, TRUE, &opt->momentum, error) ||
      !apply_float ("--weight-decay", o->weight_decay, 0, FALSE, INFINITY, FALSE, &opt->weight_decay, error) ||
      !apply_int ("--batch-size", o->batch_size, 1, &job->train.batch_size, error) ||
      !apply_int ("--epochs", o->epochs, 1, &job->train.epochs, error))
    return FALSE;
  if (o->backend && !relief_enum_from_nick (RELIEF_TYPE_BACKEND_KIND, o->backend, (int *) &job->backend, error))
    return FALSE;

  if (!apply_schedule ("--eval-every", o->eval_every, &job->train.eval_every, &job->train.eval_per_decade, error))
    return FALSE;
  if (o->eval_samples != NULL && g_strcmp0 (o->eval_samples, "all") == 0)
    job->train.eval_samples = RELIEF_EVAL_ALL;
  else if (o->eval_samples != NULL)
    {
      guint64 n;

      if (!g_ascii_string_to_unsigned (o->eval_samples, 10, 1, G_MAXINT, &n, NULL))
        return invalid (error, _("--eval-samples must be a positive number or “all”"));
      job->train.eval_samples = (int) n;
    }

  if (!apply_int ("--track-curvature", o->track_curvature, 0, &job->train.curvature_every, error))
    return FALSE;
  if (o->curvature_samples != NULL && g_strcmp0 (o->curvature_samples, "all") == 0)
    job->train.curvature_samples = G_MAXINT;
  else if (!apply_int ("--curvature-samples", o->curvature_samples, 1, &job->train.curvature_samples, error))
    return FALSE;
  if ((o->curvature_samples != NULL || o->curvature_trace || o->curvature_min) && job->train.curvature_every == 0)
    return invalid (error, _("--curvature-samples, --curvature-trace and --curvature-min need --track-curvature N"));
  job->train.curvature_trace = o->curvature_trace;
  job->train.curvature_min = o->curvature_min;

  if (!apply_schedule ("--track-complexity", o->track_complexity, &job->train.complexity_every,
                       &job->train.complexity_per_decade, error) ||
      !apply_int ("--complexity-samples", o->complexity_samples, 1, &job->train.complexity_samples, error) ||
      !apply_number ("--complexity-radius", o->complexity_radius, 0, TRUE, G_MAXFLOAT, FALSE,
                     &job->train.complexity_radius, error) ||
      !apply_number ("--init-scale", o->init_scale, 0, TRUE, 1e6, FALSE, &job->train.init_scale, error))
    return FALSE;
  if (o->complexity_points != NULL)
    {
      static const struct { const char *name; guint points; } sets[] = {
        { "training", RELIEF_COMPLEXITY_TRAIN }, { "test", RELIEF_COMPLEXITY_TEST },
        { "random", RELIEF_COMPLEXITY_RANDOM }, { "all", RELIEF_COMPLEXITY_ALL },
      };

      job->train.complexity_points = 0;
      for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
        if (g_strcmp0 (o->complexity_points, sets[i].name) == 0)
          job->train.complexity_points = sets[i].points;
      if (job->train.complexity_points == 0)
        return invalid (error, _("--complexity-points takes training, test, random or all"));
    }
  if ((o->complexity_samples != NULL || o->complexity_radius != NULL || o->complexity_points != NULL) &&
      !relief_train_complexity_tracked (&job->train))
    return invalid (error, _("--complexity-radius, --complexity-points and --complexity-samples need "
                             "--track-complexity N"));
  return TRUE;
}

void
relief_cli_train_options_clear (ReliefCliTrainOptions *o)
{
  char **fields[] = {
    &o->dataset, &o->samples, &o->classes, &o->noise, &o->test_fraction, &o->data_seed, &o->max_samples,
    &o->hidden, &o->activation, &o->loss,
    &o->optimizer, &o->lr, &o->momentum, &o->weight_decay, &o->batch_size, &o->epochs, &o->seed, &o->backend,
    &o->eval_every, &o->eval_samples, &o->track_curvature, &o->curvature_samples,
    &o->track_complexity, &o->complexity_radius, &o->complexity_points, &o->complexity_samples, &o->init_scale,
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_clear_pointer (fields[i], g_free);
}

/* The presets: each setting as its flag would give it.  grokking-mnist is the MNIST
 * experiment of Humayun, Balestriero and Baraniuk, "Deep Networks Always Grok and Here is
 * Why" (2024), whose code (train_mlp_mnist.py) builds "depth 4" as four linear layers:
 * 784-200-200-200-10 with ReLU; its local complexity counts the sign changes of every
 * linear layer's outputs over 25 orthonormal directions (50 vertices) around 1,000
 * training points, test points and random points.  The README says what it shows. */
typedef struct {
  const char *flag, *value;
} PresetSetting;

static const PresetSetting grokking_mnist[] = {
  { "dataset", "mnist" },
  { "max-samples", "1000" },
  { "hidden", "200,200,200" },
  { "activation", "relu" },
  { "loss", "mse" },
  { "optimizer", "adamw" },
  { "lr", "0.001" },
  { "weight-decay", "0.01" },
  { "batch-size", "200" },
  { "epochs", "20000" },           /* 5 steps an epoch: 100,000 steps */
  { "init-scale", "3" },           /* scaled up: generalization delayed, see the README */
  { "eval-every", "log:10" },
  { "eval-samples", "all" },
  { "track-complexity", "log:10" },
  { "complexity-points", "all" },
  { "complexity-samples", "1000" },
  { "snapshot-every", "10000" },
  { NULL, NULL }
};

static const struct {
  const char          *name;
  const PresetSetting *settings;
} presets[] = {
  { "grokking-mnist", grokking_mnist },
};

const char * const *
relief_cli_train_preset_names (void)
{
  static const char *names[G_N_ELEMENTS (presets) + 1];

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    names[i] = presets[i].name;
  return names;
}

static char **
preset_field (ReliefCliTrainOptions *o, const char *flag, char **snapshot_every)
{
  const struct { const char *flag; char **field; } fields[] = {
    { "dataset", &o->dataset }, { "max-samples", &o->max_samples }, { "hidden", &o->hidden },
    { "activation", &o->activation }, { "loss", &o->loss }, { "optimizer", &o->optimizer }, { "lr", &o->lr },
    { "weight-decay", &o->weight_decay }, { "batch-size", &o->batch_size }, { "epochs", &o->epochs },
    { "init-scale", &o->init_scale }, { "eval-every", &o->eval_every }, { "eval-samples", &o->eval_samples },
    { "track-complexity", &o->track_complexity }, { "complexity-points", &o->complexity_points },
    { "complexity-samples", &o->complexity_samples }, { "complexity-radius", &o->complexity_radius },
    { "snapshot-every", snapshot_every },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strcmp (fields[i].flag, flag) == 0)
      return fields[i].field;
  g_assert_not_reached ();
}

gboolean
relief_cli_train_options_preset (ReliefCliTrainOptions *o, const char *name, char **snapshot_every, GError **error)
{
  const PresetSetting *settings = NULL;
  gboolean untracked = o->track_complexity != NULL && strcmp (o->track_complexity, "0") == 0;

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (strcmp (presets[i].name, name) == 0)
      settings = presets[i].settings;
  if (settings == NULL)
    {
      g_autofree char *names = g_strjoinv (", ", (char **) relief_cli_train_preset_names ());

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("--preset takes %s, not “%s”"), names, name);
      return FALSE;
    }
  for (const PresetSetting *p = settings; p->flag != NULL; p++)
    {
      char **field = preset_field (o, p->flag, snapshot_every);

      /* --track-complexity 0 turns tracking off, and the preset's complexity settings with it. */
      if (untracked && g_str_has_prefix (p->flag, "complexity-"))
        continue;
      if (*field == NULL)
        *field = g_strdup (p->value);
    }
  return TRUE;
}

void
relief_cli_figure_options_add (ReliefCliFigureOptions *o, GOptionContext *ctx)
{
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output, N_("The figure to write (.pdf, .svg or .png)"), N_("FIGURE") },
    { "title", 0, 0, G_OPTION_ARG_STRING, &o->title, N_("Figure title"), N_("TEXT") },
    { "dpi", 0, 0, G_OPTION_ARG_STRING, &o->dpi_text, N_("Resolution of PNG figures (default 150)"), "N" },
    { NULL }
  };

  *o = (ReliefCliFigureOptions) { .dpi = 150 };
  relief_cli_add_entries (ctx, entries);
}

void
relief_cli_figure_options_clear (ReliefCliFigureOptions *o)
{
  g_clear_pointer (&o->output, g_free);
  g_clear_pointer (&o->title, g_free);
  g_clear_pointer (&o->dpi_text, g_free);
}

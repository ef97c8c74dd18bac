/* relief-cli-options.h: the data, model and training flags, defined once for every command
 * that builds a data set, a model or a training run (train, intdim): the same names,
 * defaults and help text everywhere. */
#pragma once

#include <glib.h>
#include "relief-train-job.h"

G_BEGIN_DECLS

/* What the flags parsed into; unset ones keep the job's defaults. */
typedef struct {
  /* data */
  char   *dataset;
  int     samples, classes;
  double  noise, test_fraction;
  gint64  data_seed;
  int     max_samples;
  /* model */
  char   *hidden, *activation, *loss;
  /* training */
  char   *optimizer;
  double  lr, momentum, weight_decay;
  int     batch_size, epochs;
  gint64  seed;
  char   *backend;
  /* metrics (train only) */
  int     eval_every;
  char   *eval_samples;
} ReliefCliTrainOptions;

/* Adds the groups "data", "model" and "training" to ctx, parsing into options (which must
 * outlive the parse). */
void     relief_cli_train_options_add   (ReliefCliTrainOptions *options, GOptionContext *ctx);
/* Adds the group "metrics": --eval-every and --eval-samples, for the commands that record
 * a training run's metrics (intdim evaluates its trainings in full once, at their end). */
void     relief_cli_metrics_options_add (ReliefCliTrainOptions *options, GOptionContext *ctx);
/* Sets the job (initialized with relief_train_job_init_defaults) from the flags given;
 * FALSE with a message for the user when one does not parse or is out of range. */
gboolean relief_cli_train_options_apply (const ReliefCliTrainOptions *options, ReliefTrainJob *job,
                                         GError **error);
void     relief_cli_train_options_clear (ReliefCliTrainOptions *options);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefCliTrainOptions, relief_cli_train_options_clear)

/* The flags of every command that writes a figure (plot, decision): -o, --title, --dpi. */
typedef struct {
  char   *output;
  char   *title;
  double  dpi;
} ReliefCliFigureOptions;

/* Adds them to ctx's main options, parsing into options (which must outlive the parse). */
void     relief_cli_figure_options_add   (ReliefCliFigureOptions *options, GOptionContext *ctx);
void     relief_cli_figure_options_clear (ReliefCliFigureOptions *options);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefCliFigureOptions, relief_cli_figure_options_clear)

G_END_DECLS

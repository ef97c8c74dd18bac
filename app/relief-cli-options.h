/* relief-cli-options.h: the data, model and training flags, defined once for every command
 * that builds a data set, a model or a training run (train, intdim): the same names,
 * defaults and help text everywhere. */
#pragma once

#include <glib.h>
#include "relief-train-job.h"

G_BEGIN_DECLS

/* What the flags parsed into, each the text given or NULL when the flag is absent: a flag
 * not given keeps the job's default, and every value given is checked (no value of a
 * flag stands for "the default"). */
typedef struct {
  /* data */
  char   *dataset, *samples, *classes, *noise, *test_fraction, *data_seed, *max_samples;
  /* model */
  char   *hidden, *activation, *loss;
  /* training */
  char   *optimizer, *lr, *momentum, *weight_decay, *batch_size, *epochs, *seed, *backend;
  /* metrics (train only) */
  char   *eval_every, *eval_samples;
  /* curvature (train only) */
  char   *track_curvature, *curvature_samples;
  gboolean curvature_trace, curvature_min;
  /* local complexity and the initialization's scale (train only) */
  char   *track_complexity, *complexity_radius, *complexity_points, *complexity_samples, *init_scale;
} ReliefCliTrainOptions;

/* Adds the groups "data", "model" and "training" to ctx, parsing into options (which must
 * outlive the parse). */
void     relief_cli_train_options_add   (ReliefCliTrainOptions *options, GOptionContext *ctx);
/* Adds the group "metrics": --eval-every and --eval-samples, for the commands that record
 * a training run's metrics (intdim evaluates its trainings in full once, at their end). */
void     relief_cli_metrics_options_add (ReliefCliTrainOptions *options, GOptionContext *ctx);
/* Adds the group "curvature": --track-curvature, --curvature-samples, --curvature-trace,
 * --curvature-min (train). */
void     relief_cli_curvature_options_add (ReliefCliTrainOptions *options, GOptionContext *ctx);
/* Adds the group "complexity": --track-complexity, --complexity-radius, --complexity-points,
 * --complexity-samples and --init-scale (train). */
void     relief_cli_complexity_options_add (ReliefCliTrainOptions *options, GOptionContext *ctx);
/* Sets the job (initialized with relief_train_job_init_defaults) from the flags given;
 * FALSE with a message for the user when one does not parse or is out of range. */
gboolean relief_cli_train_options_apply (const ReliefCliTrainOptions *options, ReliefTrainJob *job,
                                         GError **error);
void     relief_cli_train_options_clear (ReliefCliTrainOptions *options);

/* The settings of a known experiment (relief train --preset NAME) into the flags not given
 * (NULL), so that the flags given override them; *snapshot_every likewise (train's own
 * flag).  FALSE with a message naming the presets when there is no such one. */
gboolean relief_cli_train_options_preset (ReliefCliTrainOptions *options, const char *name, char **snapshot_every,
                                          GError **error);
/* The presets' names, NULL-terminated. */
const char * const *relief_cli_train_preset_names (void);

/* The value of a numeric flag (its name with dashes, for the message): a decimal integer
 * in [min, max], or a decimal number (no hex, NaN or infinity) in the range whose ends
 * are excluded when the matching *_open is TRUE.  FALSE with a message naming the flag,
 * the range and the text otherwise. */
gboolean relief_cli_parse_int    (const char *flag, const char *text, gint64 min, gint64 max, gint64 *out,
                                  GError **error);
gboolean relief_cli_parse_number (const char *flag, const char *text, double min, gboolean min_open, double max,
                                  gboolean max_open, double *out, GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefCliTrainOptions, relief_cli_train_options_clear)

/* The flags of every command that writes a figure (plot, decision): -o, --title, --dpi. */
typedef struct {
  char   *output;
  char   *title;
  char   *dpi_text;     /* as given; NULL when absent */
  double  dpi;          /* 150 unless given; set by relief_cli_check_figure */
} ReliefCliFigureOptions;

/* Adds them to ctx's main options, parsing into options (which must outlive the parse). */
void     relief_cli_figure_options_add   (ReliefCliFigureOptions *options, GOptionContext *ctx);
void     relief_cli_figure_options_clear (ReliefCliFigureOptions *options);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefCliFigureOptions, relief_cli_figure_options_clear)

G_END_DECLS

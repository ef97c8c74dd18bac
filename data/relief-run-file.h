/* relief-run-file.h: run files, streamed while training (schema: docs/file-formats.md).
 * Errors are RELIEF_FILE_ERROR (relief-file.h). */
#pragma once

#include <glib.h>
#include "relief-dataset.h"
#include "relief-file.h"
#include "relief-mlp.h"
#include "relief-train.h"

G_BEGIN_DECLS

#define RELIEF_RUN_FORMAT_VERSION 1

/* Builds a run while it trains: snapshots and metrics are appended as they come, to a file
 * in memory, written to path by _finish.  The writer locks path from _new on
 * (relief_output_lock: a second writer of the same file is refused). */
typedef struct _ReliefRunWriter ReliefRunWriter;

ReliefRunWriter *relief_run_writer_new (const char *path, const ReliefMlpSpec *spec, const ReliefTrainConfig *config,
                                        const char *backend_name, const ReliefDataset *ds, GError **error);
gboolean relief_run_writer_add_snapshot (ReliefRunWriter *w, gint64 step, double epoch, const float *params,
                                         GError **error);
gboolean relief_run_writer_add_metrics  (ReliefRunWriter *w, const ReliefTrainMetrics *m, GError **error);
/* A curvature measurement (steps ascending), written as /curvature at every save. */
gboolean relief_run_writer_add_curvature (ReliefRunWriter *w, const ReliefCurvatureRow *row, GError **error);
/* A complexity measurement (steps ascending), written as /complexity at every save. */
gboolean relief_run_writer_add_complexity (ReliefRunWriter *w, const ReliefComplexityRow *row, GError **error);
/* Records the status ("completed", "cancelled", "diverged") as the root attribute
 * `status` and writes the file (relief_h5_write_image); frees w. */
gboolean relief_run_writer_finish (ReliefRunWriter *w, const char *status, GError **error);
/* Drops the run, path untouched; frees w. */
void     relief_run_writer_abort  (ReliefRunWriter *w);

/* Writes the run so far, with the state to continue it from (the /resume group), to the
 * output: a copy of the file being written, renamed over the output, so that the output
 * always holds a complete run file; the writer goes on appending. */
gboolean relief_run_writer_checkpoint   (ReliefRunWriter *w, const ReliefTrainState *state, GError **error);
/* Puts the state into the file itself (a cancelled run, before its final row), so that
 * the finished file can be continued. */
gboolean relief_run_writer_set_resume   (ReliefRunWriter *w, const ReliefTrainState *state, GError **error);
/* Drops the snapshots and rows after last_step and records diverged_step as the root
 * attribute `diverged_at_step`. */
gboolean relief_run_writer_set_diverged (ReliefRunWriter *w, gint64 last_step, gint64 diverged_step,
                                         GError **error);
/* Continues the run file at path that holds a saved state: a copy of it is written
 * further, with the snapshots and rows after the state dropped (a cancelled run's final
 * ones), and renamed over path when finished.  *state (owned by the writer) is where to
 * go on from.  The caller has checked that the file is this run's (relief_run_load). */
ReliefRunWriter *relief_run_writer_continue (const char *path, const ReliefMlpSpec *spec,
                                             ReliefOptimizerKind optimizer, const ReliefTrainState **state,
                                             GError **error);

/* The curvature a run tracked (/curvature): C measurements. */
typedef struct {
  int      n;
  gint64  *step;                 /* [C], ascending */
  double  *lambda_max;           /* [C] */
  double  *lambda_max_residual;  /* [C] */
  gint64  *hvps;                 /* [C] */
  double  *lambda_min;           /* [C], or NULL when not tracked */
  double  *trace, *trace_stderr; /* [C], or NULL when not tracked */
  int      samples;              /* the subset's size */
  double   seconds;              /* the time all measurements took (part of the run's, not training) */
} ReliefRunCurvature;

void relief_run_curvature_free (ReliefRunCurvature *c);

/* The local complexity a run tracked (/complexity): C measurements; a column is NULL when
 * its set was not tracked (regions: not a 2-input piecewise-linear model). */
typedef struct {
  int      n;
  gint64  *step;                 /* [C], ascending */
  double  *train, *test, *random;   /* [C] mean local complexity, NaN: not measured */
  double  *regions;              /* [C] linear regions of the input plane, NaN: more than counted */
  int      n_train, n_test, n_random;
  double   radius;
  double   seconds;
} ReliefRunComplexity;

void relief_run_complexity_free (ReliefRunComplexity *c);

typedef struct {
  ReliefMlpSpec     *spec;
  ReliefTrainConfig  config;
  char              *backend;
  char              *status;
  gint64             diverged_at_step;   /* the first step that was not finite; -1: none */
  gboolean           resumable;          /* holds a saved state: relief train --resume continues it */
  gsize              n_params;
  int                n_snapshots;     /* T */
  float             *params;          /* [T, n_params] */
  gint64            *snapshot_step;   /* [T] */
  double            *snapshot_epoch;  /* [T] */
  int                n_metrics;       /* S */
  gint64            *metric_step;     /* [S] */
  double            *train_loss, *train_acc;   /* [S] */
  double            *test_loss, *test_acc;     /* [S] or NULL */
  ReliefMetricKind  *train_kind;      /* [S]: full in files written before the kinds */
  ReliefMetricKind  *test_kind;       /* [S] or NULL */
  char              *dataset_name;    /* the data set as a job names it: a generator's or an
                                         installed set's name, or file data's source path */
  ReliefDataset     *dataset;         /* generated: the stored samples; file data: reloaded
                                         from the recorded paths, checksums verified */
  ReliefRunCurvature *curvature;      /* NULL when the run tracked none */
  ReliefRunComplexity *complexity;    /* NULL when the run tracked none */
} ReliefRun;

/* load_dataset FALSE skips the dataset (ReliefRun.dataset NULL), e.g. for plotting. */
ReliefRun *relief_run_load (const char *path, gboolean load_dataset, GError **error);
void       relief_run_free (ReliefRun *run);
/* "last", or a snapshot index (0 .. T-1), or a negative index from the end. */
gboolean   relief_run_resolve_checkpoint (const ReliefRun *run, const char *text, int *index, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefRun, relief_run_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefRunCurvature, relief_run_curvature_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefRunComplexity, relief_run_complexity_free)

G_END_DECLS

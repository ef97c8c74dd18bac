/* relief-job-common.h: what the jobs share: the backend they run on, the data set and the
 * model they build from their settings. */
#pragma once

#include <gio/gio.h>
#include "relief-backend.h"
#include "relief-dataset.h"
#include "relief-loaders.h"
#include "relief-mlp.h"

G_BEGIN_DECLS

/* Which backend "auto" picked; called from the computing thread. */
typedef void (*ReliefBackendChosenFunc) (const char *name, gpointer user_data);

/* The backend of that kind; chosen (may be NULL) hears what auto found: a backend named
 * outright needs no report. */
ReliefBackend *relief_job_open_backend (ReliefBackendKind kind, ReliefBackendChosenFunc chosen, gpointer user_data,
                                        GError **error);
/* The data set as relief_dataset_open_first makes it, validated. */
ReliefDataset *relief_job_open_dataset (const char *dataset, const ReliefGeneratorParams *gen, int max_samples,
                                        GError **error);
/* The model from the data set's features through the hidden widths to its classes. */
ReliefMlpSpec *relief_job_model_spec   (const ReliefDataset *ds, const int *hidden, int n_hidden,
                                        ReliefActivation activation, ReliefLoss loss);

/* When a long job saves what it has done so far, so that a kill loses little: every
 * RELIEF_SAVE_SECONDS seconds of work (default 5; a positive number), and never sooner
 * than twenty times the last save took after it, so saving stays within 5% of the time. */
#define RELIEF_SAVE_SECONDS_DEFAULT 5.0
typedef struct {
  double seconds;
  gint64 next_us;      /* monotonic time the next save is due */
} ReliefSaveClock;

void           relief_save_clock_init  (ReliefSaveClock *clock);
gboolean       relief_save_clock_due   (const ReliefSaveClock *clock);
/* A save that began at began_us (g_get_monotonic_time) has just ended. */
void           relief_save_clock_saved (ReliefSaveClock *clock, gint64 began_us);

/* "32,32": layer widths, each 1 to 100000; "" or NULL is no layer. */
gboolean       relief_parse_int_list   (const char *text, int **values, int *n, GError **error);

G_END_DECLS

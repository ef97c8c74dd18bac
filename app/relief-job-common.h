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
 * outright needs no report.  One this build or machine lacks (CUDA without a device) is
 * G_IO_ERROR_INVALID_ARGUMENT, as any setting that cannot be met. */
ReliefBackend *relief_job_open_backend (ReliefBackendKind kind, ReliefBackendChosenFunc chosen, gpointer user_data,
                                        GError **error);
/* The data set as relief_dataset_open_first makes it, validated. */
ReliefDataset *relief_job_open_dataset (const char *dataset, const ReliefGeneratorParams *gen, int max_samples,
                                        GError **error);
/* The model from the data set's features through the hidden widths to its classes. */
ReliefMlpSpec *relief_job_model_spec   (const ReliefDataset *ds, const int *hidden, int n_hidden,
                                        ReliefActivation activation, ReliefLoss loss);

/* "32,32": layer widths, each 1 to 100000; "" or NULL is no layer. */
gboolean       relief_parse_int_list   (const char *text, int **values, int *n, GError **error);

G_END_DECLS

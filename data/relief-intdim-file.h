/* relief-intdim-file.h: intrinsic-dimension sweeps (schema: docs/file-formats.md).
 * Errors are RELIEF_FILE_ERROR (relief-file.h). */
#pragma once

#include <glib.h>
#include "relief-file.h"
#include "relief-generators.h"
#include "relief-mlp.h"
#include "relief-train.h"

G_BEGIN_DECLS

#define RELIEF_INTDIM_FORMAT_VERSION 1

/* A sweep of subspace trainings: every (d, seed) cell, the baseline and d_int90. */
typedef struct {
  int            K;                 /* dimensions swept */
  int            n_seeds;
  gint64        *dims;              /* [K], ascending */
  double        *train_acc, *test_acc;   /* [K, n_seeds], fractions, NaN where not run */
  double        *final_loss;        /* [K, n_seeds], training loss at the end, NaN where not run */
  double         baseline_train_acc, baseline_test_acc;   /* NaN until the baseline ran */
  double         dint90_individual_mean, dint90_individual_std;  /* against 0.9 * baseline test acc */
  double         dint90_global_mean, dint90_global_std;          /* against 0.9 * global_baseline */
  double         global_baseline;
  char          *projection;        /* "dense", "sparse", "fastfood", "implicit" */
  char          *dataset;           /* as given to --dataset */
  char          *backend;
  ReliefMlpSpec *spec;
  ReliefTrainConfig config;         /* seed: the baseline's; cell s uses seed + s */
  ReliefGeneratorParams gen;        /* the data set's generator settings, when has_gen */
  gboolean       has_gen;           /* FALSE for files written before they were recorded */
  int            max_samples;       /* the first N samples of each split were used; 0: all */
} ReliefIntdim;

/* Accuracies, losses and d_int90 NaN-filled; strings and spec NULL. */
ReliefIntdim *relief_intdim_new  (int K, int n_seeds);
void          relief_intdim_free (ReliefIntdim *id);
ReliefIntdim *relief_intdim_copy (const ReliefIntdim *id);
gboolean      relief_intdim_save (const ReliefIntdim *id, const char *path, GError **error);
ReliefIntdim *relief_intdim_load (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefIntdim, relief_intdim_free)

G_END_DECLS

/* relief-generators.h: the built-in 2D data sets, and the error domain of every data set
 * source (generators and loaders). */
#pragma once

#include <glib.h>
#include "relief-dataset.h"

G_BEGIN_DECLS

#define RELIEF_DATA_ERROR (relief_data_error_quark ())
GQuark relief_data_error_quark (void);

typedef enum {
  RELIEF_DATA_ERROR_NOT_FOUND,
  RELIEF_DATA_ERROR_BAD_FORMAT,    /* bad magic, bad header, unparsable line */
  RELIEF_DATA_ERROR_TRUNCATED,
  RELIEF_DATA_ERROR_MISMATCH,      /* counts or shapes that disagree */
  RELIEF_DATA_ERROR_INVALID,       /* a parameter out of range */
  RELIEF_DATA_ERROR_CHANGED,       /* a file's checksum differs from the one recorded */
} ReliefDataError;

typedef struct {
  int     n_samples;      /* total, before the split; default 1000 */
  double  noise;          /* default depends on the generator (see relief_generator_defaults) */
  int     n_classes;      /* spiral, gaussians: 2..10; moons, circles, xor: 2 */
  guint64 seed;
  double  test_fraction;  /* 0 .. 0.9, default 0.2 */
} ReliefGeneratorParams;

/* The generator names, NULL-terminated: spiral, moons, circles, xor, gaussians. */
const char * const *relief_generator_names (void);
gboolean       relief_generator_exists   (const char *name);
/* Defaults for a generator (n_samples 1000, test_fraction 0.2, seed 0, its own noise and classes). */
void           relief_generator_defaults (const char *name, ReliefGeneratorParams *params);
/* 2-feature data, not standardized (mean 0, std 1 recorded), generated = TRUE. */
ReliefDataset *relief_dataset_generate   (const char *name, const ReliefGeneratorParams *params, GError **error);

G_END_DECLS

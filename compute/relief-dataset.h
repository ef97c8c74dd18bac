/* relief-dataset.h: a labelled data set in host memory, as compute/ consumes it.
 * data/ fills it (generators and file loaders); compute/ only reads it. */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct {
  char     *name;          /* "spiral", "mnist", a file name ... */
  int       n_features;
  int       n_classes;
  int       n_train;
  int       n_test;        /* 0 when there is no test split */
  float    *x_train;       /* [n_train, n_features], row-major */
  int32_t  *y_train;       /* [n_train], 0 .. n_classes-1 */
  float    *x_test;        /* [n_test, n_features] or NULL */
  int32_t  *y_test;        /* [n_test] or NULL */
  double    mean, std;     /* the standardization already applied (0 and 1 when none) */
  gboolean  generated;     /* TRUE: the samples are the data set (stored in run files) */
  char    **source_paths;  /* file data: the files read (NULL-terminated), else NULL */
  char    **source_sha256; /* hex SHA-256 of each source file, same order */
} ReliefDataset;

ReliefDataset *relief_dataset_new  (const char *name, int n_features, int n_classes, int n_train, int n_test);
void           relief_dataset_free (ReliefDataset *ds);
/* Check labels in range and features finite; a clear message otherwise. */
gboolean       relief_dataset_validate (const ReliefDataset *ds, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefDataset, relief_dataset_free)

G_END_DECLS

/* relief-loaders.h: data sets read from files (IDX folders, CSV), the installed ones, and
 * what `relief train --dataset` takes.  Errors are RELIEF_DATA_ERROR (relief-generators.h). */
#pragma once

#include <glib.h>
#include "relief-dataset.h"
#include "relief-generators.h"

G_BEGIN_DECLS

/* An MNIST-layout directory: train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
 * t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz] (the t10k pair optional).
 * Each file holds exactly what its header declares: a gzip file cut short (even at a
 * block boundary) or failing its CRC, and bytes after the items (another member or file
 * appended) are refused; a plain file and its .gz side by side must hold the same data.
 * Pixels scaled to [0,1] then standardized with the training set's scalar mean and std.
 * max_train/max_test > 0 keep only the first ones. */
ReliefDataset *relief_dataset_load_idx_dir (const char *dir, int max_train, int max_test, GError **error);

/* A CSV file of UTF-8 text with a header row; label_column names the integer label
 * column (NULL: the one column named "label"); every other column is a feature.  Cells
 * are decimal numbers (no hex, inf or nan), features within a float's range.  A header of
 * numbers only, two label columns, a NUL byte or bytes that are not UTF-8 are refused
 * with the line; a UTF-8 byte order mark is skipped.  Features are standardized with the
 * training set's scalar mean and std.  test_fraction of the rows (chosen with seed)
 * become the test split. */
ReliefDataset *relief_dataset_load_csv (const char *path, const char *label_column, double test_fraction,
                                        guint64 seed, GError **error);

/* The folder of an installed data set ("mnist", "fashion-mnist"): $RELIEF_DATA_DIR/NAME,
 * the user's data folder relief/datasets/NAME (where build-aux/relief-setup.sh puts them),
 * or a system data folder's datasets/NAME (Debian's dataset-* packages). NULL if none. */
char          *relief_dataset_find_installed (const char *name);
/* The names relief_dataset_find_installed knows, NULL-terminated: mnist, fashion-mnist. */
const char * const *relief_dataset_installed_names (void);

/* What `relief train --dataset` takes: a generator name, an installed data set's name, an
 * IDX directory or a .csv file.
 * params applies to generators (NULL: defaults); test_fraction and seed also to CSV. */
ReliefDataset *relief_dataset_open (const char *spec, const ReliefGeneratorParams *params, GError **error);
/* The same, keeping only the first max_samples samples of each split (0: all of them): IDX
 * data loaded so (standardized over the samples kept, as a run reloads them), generated
 * data cut after its split; CSV files are refused. */
ReliefDataset *relief_dataset_open_first (const char *spec, const ReliefGeneratorParams *params, int max_samples,
                                          GError **error);

/* Hex SHA-256 of a file's bytes. */
char          *relief_file_sha256 (const char *path, GError **error);

G_END_DECLS

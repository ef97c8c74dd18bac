/* relief-h5.h: small HDF5 helpers shared by the run and surface files (data/ only).
 *
 * Every helper reports failure as a RELIEF_FILE_ERROR carrying HDF5's own innermost
 * message.  Callers silence HDF5's automatic error printing around their work with
 * relief_h5_quiet_begin/end so that nothing reaches stderr.
 */
#pragma once

#include <glib.h>
#include <hdf5.h>
#include "relief-file.h"
#include "relief-mlp.h"

G_BEGIN_DECLS

#define RELIEF_H5_MAX_RANK 4

typedef struct {
  H5E_auto2_t func;
  void       *data;
} ReliefH5Quiet;

void     relief_h5_quiet_begin (ReliefH5Quiet *quiet);
void     relief_h5_quiet_end   (const ReliefH5Quiet *quiet);

/* Sets a RELIEF_FILE_ERROR with the message, followed by HDF5's innermost error if any,
 * and clears HDF5's error stack. */
void     relief_h5_set_error (GError **error, int code, const char *format, ...) G_GNUC_PRINTF (3, 4);

gboolean relief_h5_has_attr (hid_t loc, const char *name);
gboolean relief_h5_has_link (hid_t loc, const char *name);

gboolean relief_h5_write_string_attr    (hid_t loc, const char *name, const char *value, GError **error);
gboolean relief_h5_write_int_attr       (hid_t loc, const char *name, gint64 value, GError **error);
gboolean relief_h5_write_uint_attr      (hid_t loc, const char *name, guint64 value, GError **error);
gboolean relief_h5_write_double_attr    (hid_t loc, const char *name, double value, GError **error);
gboolean relief_h5_write_int_array_attr (hid_t loc, const char *name, const gint64 *values, gsize n, GError **error);

/* Readers convert from whatever integer, float or string type the file holds. */
char    *relief_h5_read_string_attr    (hid_t loc, const char *name, GError **error);
gboolean relief_h5_read_int_attr       (hid_t loc, const char *name, gint64 *out, GError **error);
gboolean relief_h5_read_uint_attr      (hid_t loc, const char *name, guint64 *out, GError **error);
gboolean relief_h5_read_double_attr    (hid_t loc, const char *name, double *out, GError **error);
gint64  *relief_h5_read_int_array_attr (hid_t loc, const char *name, gsize *n, GError **error);

/* A contiguous dataset of rank 1..RELIEF_H5_MAX_RANK written from memory of mem_type. */
gboolean relief_h5_write_dataset (hid_t loc, const char *name, hid_t mem_type, hid_t file_type,
                                  int rank, const hsize_t *dims, const void *data, GError **error);
/* The whole dataset converted to mem_type (elem_size bytes each); its shape in rank/dims.
 * Returns a g_malloc'ed buffer (never NULL on success, even for 0 elements). */
gpointer relief_h5_read_dataset  (hid_t loc, const char *name, hid_t mem_type, gsize elem_size,
                                  int *rank, hsize_t dims[RELIEF_H5_MAX_RANK], GError **error);
/* relief_h5_read_dataset of exactly the shape want[want_rank], else NULL with a
 * RELIEF_FILE_ERROR_CORRUPT error naming the dataset and the shape it should have. */
gpointer relief_h5_read_shaped   (hid_t loc, const char *name, hid_t mem_type, gsize elem_size,
                                  int want_rank, const hsize_t *want, GError **error);
/* Sets a RELIEF_FILE_ERROR_CORRUPT error from a printf format; returns FALSE. */
gboolean relief_h5_corrupt       (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* 1D datasets of variable-length UTF-8 strings. */
gboolean relief_h5_write_strings (hid_t loc, const char *name, const char * const *strv, GError **error);
char   **relief_h5_read_strings  (hid_t loc, const char *name, GError **error);

/* A new HDF5 file held in memory, named after path: written to path with
 * relief_h5_write_image, closed with H5Fclose (which then cannot fail). */
hid_t    relief_h5_create_memory (const char *path, GError **error);
/* An existing HDF5 file read whole into memory and opened there for writing; path itself
 * is not written until relief_h5_write_image. */
hid_t    relief_h5_open_memory   (const char *path, GError **error);
/* What the file holds now, written to path through relief-output (locked, every write
 * checked, renamed into place); the file stays open.  May be called again. */
gboolean relief_h5_write_image   (hid_t file, const char *path, GError **error);
/* The whole atomic write: an in-memory file, write (file, data, error) into it, then its
 * image to path as relief_h5_write_image does; on any failure path is left as it was and
 * no temporary file remains.  HDF5's own error printing is silenced meanwhile. */
typedef gboolean (*ReliefH5WriteFunc) (hid_t file, gconstpointer data, GError **error);
gboolean relief_h5_save_atomic (const char *path, ReliefH5WriteFunc write, gconstpointer data, GError **error);

/* A group that must exist (CORRUPT otherwise). */
hid_t    relief_h5_open_group (hid_t file, const char *name, GError **error);

/* The /model group: kind "mlp", layer_sizes, activation, loss, n_params. */
gboolean       relief_h5_write_model (hid_t file, const ReliefMlpSpec *spec, GError **error);
ReliefMlpSpec *relief_h5_read_model  (hid_t file, GError **error);

/* Checks of what a file holds, past its shapes: a value out of its range is
 * RELIEF_FILE_ERROR_CORRUPT with a message naming the setting or dataset, the value and
 * the range.  A range end is excluded when its *_open is TRUE. */
gboolean relief_h5_check_setting   (const char *name, double value, double min, gboolean min_open, double max,
                                    gboolean max_open, GError **error);
/* Every one of n values in [min, max], or NaN where nan_ok (a cell or row not computed). */
gboolean relief_h5_check_values    (const char *name, const double *values, gsize n, double min, double max,
                                    gboolean nan_ok, GError **error);
/* Every one of n floats finite (parameters, directions). */
gboolean relief_h5_check_finite    (const char *name, const float *values, gsize n, GError **error);
/* n finite values, each greater than the one before (coordinates). */
gboolean relief_h5_check_ascending (const char *name, const double *values, gsize n, GError **error);

/* Opens path read-only and tells its kind by the registry of relief-file.h (a surface also
 * for a loss-landscape file without Relief attributes); rejects newer schema versions. */
hid_t    relief_h5_open_kind (const char *path, ReliefFileKind *kind, GError **error);

G_END_DECLS

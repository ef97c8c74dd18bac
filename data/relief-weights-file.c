/* relief-weights-file.c: weight spectra files (docs/file-formats.md). */
#include "relief-weights-file.h"
#include "relief-h5.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

ReliefWeights *
relief_weights_new (const ReliefMlpSpec *spec)
{
  ReliefWeights *w = g_new0 (ReliefWeights, 1);

  w->spec = relief_mlp_spec_copy (spec);
  w->n_layers = spec->n_layers;
  w->layers = g_new0 (ReliefLayerSpectrum, w->n_layers);
  w->checkpoint = w->checkpoint_step = -1;
  return w;
}

void
relief_weights_free (ReliefWeights *w)
{
  if (w == NULL)
    return;
  for (int l = 0; l < w->n_layers; l++)
    relief_layer_spectrum_clear (&w->layers[l]);
  g_free (w->layers);
  g_clear_pointer (&w->spec, relief_mlp_spec_free);
  g_free (w->run_file);
  g_free (w->snapshot_step);
  g_free (w->top_singular_values);
  g_free (w);
}

void
relief_weights_set_trajectory (ReliefWeights *w, int n_snapshots)
{
  gsize cells = (gsize) n_snapshots * w->n_layers;

  g_return_if_fail (n_snapshots >= 0);

  g_free (w->snapshot_step);
  g_free (w->top_singular_values);
  w->n_snapshots = n_snapshots;
  w->snapshot_step = g_new0 (gint64, MAX (n_snapshots, 1));
  w->top_singular_values = g_new (double, MAX (cells, 1));
  for (gsize i = 0; i < cells; i++)
    w->top_singular_values[i] = NAN;
}

/* Scalars are one-element datasets, so that NaN (no fit) is stored as data. */
static gboolean
write_scalar (hid_t loc, const char *name, double value, GError **error)
{
  hsize_t one[1] = { 1 };

  return relief_h5_write_dataset (loc, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, one, &value, error);
}

static gboolean
write_count (hid_t loc, const char *name, gint64 value, GError **error)
{
  hsize_t one[1] = { 1 };

  return relief_h5_write_dataset (loc, name, H5T_NATIVE_INT64, H5T_STD_I64LE, 1, one, &value, error);
}

static gboolean
write_layer (hid_t file, int l, const ReliefLayerSpectrum *s, GError **error)
{
  char name[32];
  hsize_t n[1] = { s->n }, two[1] = { 2 };
  gint64 shape[2] = { s->rows, s->cols };
  hid_t group;
  gboolean ok;

  g_snprintf (name, sizeof name, "layer_%d", l);
  group = H5Gcreate2 (file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create group “%s”"), name);
      return FALSE;
    }
  ok = relief_h5_write_dataset (group, "shape", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, two, shape, error) &&
       relief_h5_write_dataset (group, "singular_values", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, n,
                                s->singular_values, error) &&
       relief_h5_write_dataset (group, "esd", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, n, s->esd, error) &&
       write_count (group, "n_fitted", s->n_fitted, error) &&
       write_count (group, "n_tail", s->fit.n_tail, error) &&
       write_scalar (group, "alpha", s->fit.alpha, error) &&
       write_scalar (group, "alpha_stderr", s->fit.alpha_stderr, error) &&
       write_scalar (group, "xmin", s->fit.xmin, error) &&
       write_scalar (group, "ks_distance", s->fit.ks_distance, error) &&
       write_scalar (group, "lambda_max", s->lambda_max, error) &&
       write_scalar (group, "weighted_alpha", s->weighted_alpha, error) &&
       write_scalar (group, "log_spectral_norm", s->log_spectral_norm, error) &&
       write_scalar (group, "stable_rank", s->stable_rank, error) &&
       write_scalar (group, "entry_variance", s->entry_variance, error) &&
       write_scalar (group, "mp_edge", s->mp_edge, error);
  H5Gclose (group);
  return ok;
}

static gboolean
write_weights (hid_t file, gconstpointer data, GError **error)
{
  const ReliefWeights *w = data;
  gboolean ok;

  ok = relief_h5_write_string_attr (file, "relief_format", relief_file_kind_name (RELIEF_FILE_KIND_WEIGHTS), error) &&
       relief_h5_write_int_attr (file, "relief_format_version", RELIEF_WEIGHTS_FORMAT_VERSION, error) &&
       relief_h5_write_string_attr (file, "run_file", w->run_file, error) &&
       relief_h5_write_int_attr (file, "checkpoint", w->checkpoint, error) &&
       relief_h5_write_int_attr (file, "checkpoint_step", w->checkpoint_step, error) &&
       relief_h5_write_int_attr (file, "n_layers", w->n_layers, error) &&
       relief_h5_write_double_attr (file, "esd_threshold", RELIEF_ESD_THRESHOLD, error) &&
       relief_h5_write_string_attr (file, "svd", "LAPACK dgesdd (OpenBLAS), float64, on the CPU", error) &&
       relief_h5_write_model (file, w->spec, error);
  for (int l = 0; ok && l < w->n_layers; l++)
    ok = write_layer (file, l, &w->layers[l], error);
  if (ok && w->n_snapshots > 0)
    {
      hsize_t t[1] = { w->n_snapshots }, tl[2] = { w->n_snapshots, w->n_layers };

      ok = relief_h5_write_dataset (file, "snapshot_step", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, t, w->snapshot_step,
                                    error) &&
           relief_h5_write_dataset (file, "top_singular_values", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, tl,
                                    w->top_singular_values, error);
    }
  return ok;
}

gboolean
relief_weights_save (const ReliefWeights *w, const char *path, GError **error)
{
  if (w->run_file == NULL)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("Weight spectra need the run they come from to be saved"));
      return FALSE;
    }
  for (int l = 0; l < w->n_layers; l++)
    if (w->layers[l].singular_values == NULL)
      {
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("Weight spectra cannot be saved before layer %d is computed"), l);
        return FALSE;
      }
  return relief_h5_save_atomic (path, write_weights, w, error);
}

/* A 1D dataset of exactly count values, converted to mem_type. */
static gpointer
read_vector (hid_t loc, const char *name, hid_t mem_type, gsize elem_size, gsize count, GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  gpointer data = relief_h5_read_dataset (loc, name, mem_type, elem_size, &rank, dims, error);

  if (data != NULL && (rank != 1 || dims[0] != count))
    {
      relief_h5_corrupt (error, _("“%s” must hold %llu values in one dimension"), name, (unsigned long long) count);
      g_clear_pointer (&data, g_free);
    }
  return data;
}

static gboolean
read_scalar (hid_t loc, const char *name, double *out, GError **error)
{
  g_autofree double *v = read_vector (loc, name, H5T_NATIVE_DOUBLE, sizeof (double), 1, error);

  if (v == NULL)
    return FALSE;
  *out = v[0];
  return TRUE;
}

/* A count from 0 to max. */
static gboolean
read_count (hid_t loc, const char *name, int max, int *out, GError **error)
{
  g_autofree gint64 *v = read_vector (loc, name, H5T_NATIVE_INT64, sizeof (gint64), 1, error);

  if (v == NULL)
    return FALSE;
  if (v[0] < 0 || v[0] > max)
    return relief_h5_corrupt (error, _("“%s” is %lld, not a count from 0 to %d"), name, (long long) v[0], max);
  *out = (int) v[0];
  return TRUE;
}

/* Layer l of the file's model: its shape must be the model's, its spectra as long as the
 * shape says, its singular values descending and not negative. */
static gboolean
read_layer (hid_t file, const ReliefMlpSpec *spec, int l, ReliefLayerSpectrum *s, GError **error)
{
  char name[32];
  g_autofree gint64 *shape = NULL;
  hid_t group;
  gboolean ok;

  g_snprintf (name, sizeof name, "layer_%d", l);
  group = relief_h5_open_group (file, name, error);
  if (group < 0)
    return FALSE;
  s->rows = spec->sizes[l + 1];
  s->cols = spec->sizes[l];
  s->n = MIN (s->rows, s->cols);
  ok = (shape = read_vector (group, "shape", H5T_NATIVE_INT64, sizeof (gint64), 2, error)) != NULL;
  if (ok && (shape[0] != s->rows || shape[1] != s->cols))
    ok = relief_h5_corrupt (error, _("its shape is %lld × %lld, but the model's layer is %d × %d"), (long long) shape[0],
                  (long long) shape[1], s->rows, s->cols);
  ok = ok &&
       (s->singular_values = read_vector (group, "singular_values", H5T_NATIVE_DOUBLE, sizeof (double), s->n,
                                          error)) != NULL &&
       (s->esd = read_vector (group, "esd", H5T_NATIVE_DOUBLE, sizeof (double), s->n, error)) != NULL &&
       read_count (group, "n_fitted", s->n, &s->n_fitted, error) &&
       read_count (group, "n_tail", s->n_fitted, &s->fit.n_tail, error) &&
       read_scalar (group, "alpha", &s->fit.alpha, error) &&
       read_scalar (group, "alpha_stderr", &s->fit.alpha_stderr, error) &&
       read_scalar (group, "xmin", &s->fit.xmin, error) &&
       read_scalar (group, "ks_distance", &s->fit.ks_distance, error) &&
       read_scalar (group, "lambda_max", &s->lambda_max, error) &&
       read_scalar (group, "weighted_alpha", &s->weighted_alpha, error) &&
       read_scalar (group, "log_spectral_norm", &s->log_spectral_norm, error) &&
       read_scalar (group, "stable_rank", &s->stable_rank, error) &&
       read_scalar (group, "entry_variance", &s->entry_variance, error) &&
       read_scalar (group, "mp_edge", &s->mp_edge, error);
  for (int i = 0; ok && i < s->n; i++)
    if (!(s->singular_values[i] >= 0) || !(s->esd[i] >= 0) || !isfinite (s->singular_values[i]) ||
        (i > 0 && s->singular_values[i] > s->singular_values[i - 1]))
      ok = relief_h5_corrupt (error, _("its singular values are not finite, non-negative and descending"));
  H5Gclose (group);
  if (!ok)
    g_prefix_error (error, _("%s: "), name);
  return ok;
}

static gboolean
read_trajectory (hid_t file, ReliefWeights *w, GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  g_autofree double *top = NULL;
  g_autofree gint64 *steps = NULL;

  if (!relief_h5_has_link (file, "top_singular_values") && !relief_h5_has_link (file, "snapshot_step"))
    return TRUE;
  if ((top = relief_h5_read_dataset (file, "top_singular_values", H5T_NATIVE_DOUBLE, sizeof (double), &rank, dims,
                                     error)) == NULL)
    return FALSE;
  if (rank != 2 || dims[0] < 1 || dims[0] > G_MAXINT || dims[1] != (hsize_t) w->n_layers)
    return relief_h5_corrupt (error, _("“top_singular_values” must be [snapshots, %d layers]"), w->n_layers);
  if ((steps = read_vector (file, "snapshot_step", H5T_NATIVE_INT64, sizeof (gint64), dims[0], error)) == NULL)
    return FALSE;
  w->n_snapshots = (int) dims[0];
  w->top_singular_values = g_steal_pointer (&top);
  w->snapshot_step = g_steal_pointer (&steps);
  return TRUE;
}

static ReliefWeights *
weights_load (const char *path, GError **error)
{
  g_autoptr (ReliefWeights) w = NULL;
  g_autoptr (ReliefMlpSpec) spec = NULL;
  ReliefFileKind kind;
  H5G_info_t info;
  gint64 n_layers = 0;
  hid_t file;
  gboolean ok;

  file = relief_h5_open_kind (path, &kind, error);
  if (file < 0)
    return NULL;
  if (kind != RELIEF_FILE_KIND_WEIGHTS)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND,
                   _("“%s” is %s, not weight spectra"), path, _(relief_file_kind_info (kind)->description));
      H5Fclose (file);
      return NULL;
    }
  ok = (spec = relief_h5_read_model (file, error)) != NULL && relief_h5_read_int_attr (file, "n_layers", &n_layers, error);
  if (ok && n_layers != spec->n_layers)
    ok = relief_h5_corrupt (error, _("“n_layers” is %lld, but the model has %d"), (long long) n_layers, spec->n_layers);
  /* Every layer is a group of the file's root: a model of more layers than the root has
   * links is refused before its spectra are allocated. */
  if (ok && (H5Gget_info (file, &info) < 0 || info.nlinks < (hsize_t) spec->n_layers))
    ok = relief_h5_corrupt (error, _("The file has fewer groups than the model's %d layers"), spec->n_layers);
  if (ok)
    {
      w = relief_weights_new (spec);
      ok = (w->run_file = relief_h5_read_string_attr (file, "run_file", error)) != NULL &&
           relief_h5_read_int_attr (file, "checkpoint", &w->checkpoint, error) &&
           relief_h5_read_int_attr (file, "checkpoint_step", &w->checkpoint_step, error);
      for (int l = 0; ok && l < w->n_layers; l++)
        ok = read_layer (file, w->spec, l, &w->layers[l], error);
      ok = ok && read_trajectory (file, w, error);
    }
  H5Fclose (file);
  if (!ok)
    {
      g_prefix_error (error, _("%s: "), path);
      return NULL;
    }
  return g_steal_pointer (&w);
}

ReliefWeights *
relief_weights_load (const char *path, GError **error)
{
  ReliefH5Quiet quiet;
  ReliefWeights *w;

  relief_h5_quiet_begin (&quiet);
  w = weights_load (path, error);
  relief_h5_quiet_end (&quiet);
  return w;
}

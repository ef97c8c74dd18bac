/* relief-intdim-file.c: intrinsic-dimension sweeps (docs/file-formats.md). */
#include "relief-intdim-file.h"
#include "relief-h5.h"
#include "relief-enums.h"
#include "relief-projection.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

ReliefIntdim *
relief_intdim_new (int K, int n_seeds)
{
  ReliefIntdim *id;
  gsize cells;

  g_return_val_if_fail (K >= 1 && n_seeds >= 1, NULL);

  id = g_new0 (ReliefIntdim, 1);
  cells = (gsize) K * n_seeds;
  id->K = K;
  id->n_seeds = n_seeds;
  id->dims = g_new0 (gint64, K);
  id->train_acc = g_new (double, cells);
  id->test_acc = g_new (double, cells);
  id->final_loss = g_new (double, cells);
  for (gsize i = 0; i < cells; i++)
    id->train_acc[i] = id->test_acc[i] = id->final_loss[i] = NAN;
  id->baseline_train_acc = id->baseline_test_acc = NAN;
  id->dint90_individual_mean = id->dint90_individual_std = NAN;
  id->dint90_global_mean = id->dint90_global_std = NAN;
  id->global_baseline = 1.0;
  relief_train_config_init_defaults (&id->config);
  return id;
}

void
relief_intdim_free (ReliefIntdim *id)
{
  if (id == NULL)
    return;
  g_free (id->dims);
  g_free (id->train_acc);
  g_free (id->test_acc);
  g_free (id->final_loss);
  g_free (id->projection);
  g_free (id->dataset);
  g_free (id->backend);
  g_clear_pointer (&id->spec, relief_mlp_spec_free);
  g_free (id);
}

ReliefIntdim *
relief_intdim_copy (const ReliefIntdim *id)
{
  ReliefIntdim *copy = g_memdup2 (id, sizeof *id);
  gsize cells = (gsize) id->K * id->n_seeds * sizeof (double);

  copy->dims = g_memdup2 (id->dims, id->K * sizeof (gint64));
  copy->train_acc = g_memdup2 (id->train_acc, cells);
  copy->test_acc = g_memdup2 (id->test_acc, cells);
  copy->final_loss = g_memdup2 (id->final_loss, cells);
  copy->projection = g_strdup (id->projection);
  copy->dataset = g_strdup (id->dataset);
  copy->backend = g_strdup (id->backend);
  copy->spec = id->spec ? relief_mlp_spec_copy (id->spec) : NULL;
  return copy;
}

/* Scalars are one-element datasets so that NaN ("not yet known") is stored as data. */
static gboolean
write_scalar (hid_t file, const char *name, double value, GError **error)
{
  hsize_t one[1] = { 1 };

  return relief_h5_write_dataset (file, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, one, &value, error);
}

static gboolean
write_generator (hid_t file, const ReliefGeneratorParams *gen, GError **error)
{
  return relief_h5_write_int_attr (file, "samples", gen->n_samples, error) &&
         relief_h5_write_double_attr (file, "noise", gen->noise, error) &&
         relief_h5_write_int_attr (file, "classes", gen->n_classes, error) &&
         relief_h5_write_uint_attr (file, "data_seed", gen->seed, error) &&
         relief_h5_write_double_attr (file, "test_fraction", gen->test_fraction, error);
}

static gboolean
write_intdim (hid_t file, gconstpointer data, GError **error)
{
  const ReliefIntdim *id = data;
  const ReliefTrainConfig *c = &id->config;
  hsize_t k[1] = { id->K }, grid[2] = { id->K, id->n_seeds };

  return relief_h5_write_string_attr (file, "relief_format", relief_file_kind_name (RELIEF_FILE_KIND_INTDIM),
                                      error) &&
         relief_h5_write_int_attr (file, "relief_format_version", RELIEF_INTDIM_FORMAT_VERSION, error) &&
         relief_h5_write_string_attr (file, "projection", id->projection, error) &&
         relief_h5_write_string_attr (file, "dataset", id->dataset, error) &&
         relief_h5_write_string_attr (file, "backend", id->backend, error) &&
         relief_h5_write_string_attr (file, "optimizer",
                                      relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, c->optimizer.kind), error) &&
         relief_h5_write_double_attr (file, "lr", c->optimizer.lr, error) &&
         relief_h5_write_double_attr (file, "momentum", c->optimizer.momentum, error) &&
         relief_h5_write_double_attr (file, "weight_decay", c->optimizer.weight_decay, error) &&
         relief_h5_write_int_attr (file, "batch_size", c->batch_size, error) &&
         relief_h5_write_int_attr (file, "epochs", c->epochs, error) &&
         relief_h5_write_uint_attr (file, "seed", c->seed, error) &&
         relief_h5_write_int_attr (file, "n_seeds", id->n_seeds, error) &&
         relief_h5_write_double_attr (file, "global_baseline", id->global_baseline, error) &&
         (!id->has_gen || write_generator (file, &id->gen, error)) &&
         (id->max_samples <= 0 || relief_h5_write_int_attr (file, "max_samples", id->max_samples, error)) &&
         relief_h5_write_model (file, id->spec, error) &&
         relief_h5_write_dataset (file, "dims", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, k, id->dims, error) &&
         relief_h5_write_dataset (file, "train_acc", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, grid, id->train_acc,
                                  error) &&
         relief_h5_write_dataset (file, "test_acc", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, grid, id->test_acc, error) &&
         relief_h5_write_dataset (file, "final_loss", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, grid, id->final_loss,
                                  error) &&
         write_scalar (file, "baseline_train_acc", id->baseline_train_acc, error) &&
         write_scalar (file, "baseline_test_acc", id->baseline_test_acc, error) &&
         write_scalar (file, "dint90_individual", id->dint90_individual_mean, error) &&
         write_scalar (file, "dint90_individual_std", id->dint90_individual_std, error) &&
         write_scalar (file, "dint90_global", id->dint90_global_mean, error) &&
         write_scalar (file, "dint90_global_std", id->dint90_global_std, error);
}

gboolean
relief_intdim_save (const ReliefIntdim *id, const char *path, GError **error)
{
  if (id->spec == NULL || id->projection == NULL || id->dataset == NULL || id->backend == NULL)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("A sweep needs its model, projection, dataset and backend to be saved"));
      return FALSE;
    }
  return relief_h5_save_atomic (path, write_intdim, id, error);
}

/* A dataset of exactly count elements (any shape), converted to mem_type. */
static gpointer
read_exact (hid_t file, const char *name, hid_t mem_type, gsize elem_size, gsize count, GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  gsize n = 1;
  gpointer data = relief_h5_read_dataset (file, name, mem_type, elem_size, &rank, dims, error);

  if (data == NULL)
    return NULL;
  for (int i = 0; i < rank; i++)
    n *= dims[i];
  if (n != count)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("“%s” holds %llu values, not %llu"), name,
                   (unsigned long long) n, (unsigned long long) count);
      g_free (data);
      return NULL;
    }
  return data;
}

static gboolean
read_scalar (hid_t file, const char *name, double *out, GError **error)
{
  g_autofree double *v = read_exact (file, name, H5T_NATIVE_DOUBLE, sizeof (double), 1, error);

  if (v == NULL)
    return FALSE;
  *out = v[0];
  return TRUE;
}

/* Optional: files written before the generator settings were recorded lack them. */
static gboolean
read_generator (hid_t file, ReliefIntdim *id, GError **error)
{
  ReliefGeneratorParams *gen = &id->gen;
  gint64 samples, classes;

  if (!relief_h5_has_attr (file, "samples"))
    return TRUE;
  if (!relief_h5_read_int_attr (file, "samples", &samples, error) ||
      !relief_h5_read_double_attr (file, "noise", &gen->noise, error) ||
      !relief_h5_read_int_attr (file, "classes", &classes, error) ||
      !relief_h5_read_uint_attr (file, "data_seed", &gen->seed, error) ||
      !relief_h5_read_double_attr (file, "test_fraction", &gen->test_fraction, error))
    return FALSE;
  if (samples < 0 || samples > G_MAXINT || classes < 0 || classes > G_MAXINT)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Malformed samples or classes"));
      return FALSE;
    }
  gen->n_samples = (int) samples;
  gen->n_classes = (int) classes;
  id->has_gen = TRUE;
  return TRUE;
}

static gboolean
read_settings (hid_t file, ReliefIntdim *id, GError **error)
{
  ReliefTrainConfig *c = &id->config;
  g_autofree char *optimizer = NULL;
  double lr, momentum, weight_decay;
  gint64 batch_size, epochs, max_samples = 0;
  ReliefProjectionKind projection;

  /* Files from before momentum and weight decay were recorded ran with the defaults. */
  relief_train_config_init_defaults (c);
  momentum = c->optimizer.momentum;
  weight_decay = c->optimizer.weight_decay;
  if ((id->projection = relief_h5_read_string_attr (file, "projection", error)) == NULL ||
      (id->dataset = relief_h5_read_string_attr (file, "dataset", error)) == NULL ||
      (id->backend = relief_h5_read_string_attr (file, "backend", error)) == NULL ||
      (optimizer = relief_h5_read_string_attr (file, "optimizer", error)) == NULL ||
      !relief_enum_from_nick (RELIEF_TYPE_OPTIMIZER_KIND, optimizer, (int *) &c->optimizer.kind, error) ||
      !relief_h5_read_double_attr (file, "lr", &lr, error) ||
      (relief_h5_has_attr (file, "momentum") && !relief_h5_read_double_attr (file, "momentum", &momentum, error)) ||
      (relief_h5_has_attr (file, "weight_decay") &&
       !relief_h5_read_double_attr (file, "weight_decay", &weight_decay, error)) ||
      !relief_h5_read_int_attr (file, "batch_size", &batch_size, error) ||
      !relief_h5_read_int_attr (file, "epochs", &epochs, error) ||
      !relief_h5_read_uint_attr (file, "seed", &c->seed, error) ||
      !relief_h5_read_double_attr (file, "global_baseline", &id->global_baseline, error) ||
      !read_generator (file, id, error) ||
      (relief_h5_has_attr (file, "max_samples") && !relief_h5_read_int_attr (file, "max_samples", &max_samples, error)))
    return FALSE;
  if (!relief_h5_check_setting ("lr", lr, 0, TRUE, G_MAXFLOAT, FALSE, error) ||
      !relief_h5_check_setting ("momentum", momentum, 0, FALSE, 1, TRUE, error) ||
      !relief_h5_check_setting ("weight_decay", weight_decay, 0, FALSE, G_MAXFLOAT, FALSE, error) ||
      !relief_h5_check_setting ("batch_size", (double) batch_size, 1, FALSE, G_MAXINT, FALSE, error) ||
      !relief_h5_check_setting ("epochs", (double) epochs, 1, FALSE, G_MAXINT, FALSE, error) ||
      !relief_h5_check_setting ("max_samples", (double) max_samples, 0, FALSE, G_MAXINT, FALSE, error) ||
      !relief_h5_check_setting ("global_baseline", id->global_baseline, 0, TRUE, 1, FALSE, error))
    return FALSE;
  if (!relief_enum_from_nick (RELIEF_TYPE_PROJECTION_KIND, id->projection, (int *) &projection, NULL) ||
      projection == RELIEF_PROJECTION_IDENTITY)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("“projection” is “%s”, not dense, sparse, fastfood or implicit"), id->projection);
      return FALSE;
    }
  c->optimizer.lr = (float) lr;
  c->optimizer.momentum = (float) momentum;
  c->optimizer.weight_decay = (float) weight_decay;
  c->batch_size = (int) batch_size;
  c->epochs = (int) epochs;
  id->max_samples = (int) max_samples;
  return (id->spec = relief_h5_read_model (file, error)) != NULL;
}

/* The sweep's values past their shapes: dimensions from 1 up, ascending, none beyond the
 * model's parameters; accuracies fractions and losses not negative (NaN where a cell has
 * not run); d_int90 NaN (not reached) or a dimension within the sweep's, its spread not
 * negative. */
static gboolean
check_sweep (const ReliefIntdim *id, GError **error)
{
  gsize cells = (gsize) id->K * id->n_seeds;
  gsize D = relief_mlp_spec_n_params (id->spec);
  double first = (double) id->dims[0], last = (double) id->dims[id->K - 1];
  const char *spreads[] = { "dint90_individual_std", "dint90_global_std" };
  const double spread[] = { id->dint90_individual_std, id->dint90_global_std };
  const char *means[] = { "dint90_individual", "dint90_global" };
  const double mean[] = { id->dint90_individual_mean, id->dint90_global_mean };

  for (int k = 0; k < id->K; k++)
    if (id->dims[k] < 1 || (k > 0 && id->dims[k] <= id->dims[k - 1]) || (guint64) id->dims[k] > D)
      {
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("“dims” holds %" G_GINT64_FORMAT " (value %d): dimensions must be ascending, from 1 to the "
                       "model’s %" G_GSIZE_FORMAT " parameters"), id->dims[k], k + 1, D);
        return FALSE;
      }
  if (!relief_h5_check_values ("train_acc", id->train_acc, cells, 0, 1, TRUE, error) ||
      !relief_h5_check_values ("test_acc", id->test_acc, cells, 0, 1, TRUE, error) ||
      !relief_h5_check_values ("final_loss", id->final_loss, cells, 0, INFINITY, TRUE, error) ||
      !relief_h5_check_values ("baseline_train_acc", &id->baseline_train_acc, 1, 0, 1, TRUE, error) ||
      !relief_h5_check_values ("baseline_test_acc", &id->baseline_test_acc, 1, 0, 1, TRUE, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (means); i++)
    if (!relief_h5_check_values (means[i], &mean[i], 1, first, last, TRUE, error) ||
        !relief_h5_check_values (spreads[i], &spread[i], 1, 0, G_MAXDOUBLE, TRUE, error))
      return FALSE;
  return TRUE;
}

static ReliefIntdim *
intdim_load (const char *path, GError **error)
{
  g_autoptr (ReliefIntdim) id = NULL;
  ReliefFileKind kind;
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  gint64 n_seeds = 0;
  gsize cells;
  g_autofree gint64 *d = NULL;
  g_autofree double *train_acc = NULL, *test_acc = NULL, *final_loss = NULL;
  hid_t file;
  gboolean ok;

  file = relief_h5_open_kind (path, &kind, error);
  if (file < 0)
    return NULL;
  if (kind != RELIEF_FILE_KIND_INTDIM)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND,
                   _("“%s” is a %s file, not an intrinsic-dimension sweep"), path, relief_file_kind_name (kind));
      H5Fclose (file);
      return NULL;
    }
  ok = relief_h5_read_int_attr (file, "n_seeds", &n_seeds, error) &&
       (d = relief_h5_read_dataset (file, "dims", H5T_NATIVE_INT64, sizeof (gint64), &rank, dims, error)) != NULL;
  if (ok && (rank != 1 || dims[0] < 1 || dims[0] > G_MAXINT || n_seeds < 1 || n_seeds > G_MAXINT))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Malformed “dims” or “n_seeds”"));
      ok = FALSE;
    }
  /* The grids are read (bounded by the file) before a sweep of their size is made. */
  cells = ok ? (gsize) dims[0] * (gsize) n_seeds : 0;
  ok = ok && (train_acc = read_exact (file, "train_acc", H5T_NATIVE_DOUBLE, sizeof (double), cells, error)) &&
       (test_acc = read_exact (file, "test_acc", H5T_NATIVE_DOUBLE, sizeof (double), cells, error)) &&
       (final_loss = read_exact (file, "final_loss", H5T_NATIVE_DOUBLE, sizeof (double), cells, error));
  if (ok)
    {
      id = relief_intdim_new ((int) dims[0], (int) n_seeds);
      memcpy (id->dims, d, sizeof (gint64) * id->K);
      g_free (id->train_acc);
      g_free (id->test_acc);
      g_free (id->final_loss);
      id->train_acc = g_steal_pointer (&train_acc);
      id->test_acc = g_steal_pointer (&test_acc);
      id->final_loss = g_steal_pointer (&final_loss);
      ok = read_scalar (file, "baseline_train_acc", &id->baseline_train_acc, error) &&
           read_scalar (file, "baseline_test_acc", &id->baseline_test_acc, error) &&
           read_scalar (file, "dint90_individual", &id->dint90_individual_mean, error) &&
           read_scalar (file, "dint90_individual_std", &id->dint90_individual_std, error) &&
           read_scalar (file, "dint90_global", &id->dint90_global_mean, error) &&
           read_scalar (file, "dint90_global_std", &id->dint90_global_std, error) &&
           read_settings (file, id, error) && check_sweep (id, error);
    }
  H5Fclose (file);
  if (!ok)
    g_prefix_error (error, _("%s: "), path);
  return ok ? g_steal_pointer (&id) : NULL;
}

ReliefIntdim *
relief_intdim_load (const char *path, GError **error)
{
  ReliefH5Quiet quiet;
  ReliefIntdim *id;

  relief_h5_quiet_begin (&quiet);
  id = intdim_load (path, error);
  relief_h5_quiet_end (&quiet);
  return id;
}

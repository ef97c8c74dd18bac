/* relief-run-file.c: run files (schema in docs/file-formats.md), built while training. */
#include "relief-run-file.h"
#include <glib/gi18n-lib.h>
#include "relief-loaders.h"
#include "relief-h5.h"
#include "relief-enums.h"
#include "relief-output.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

struct _ReliefRunWriter {
  char    *path;
  ReliefOutputLock *lock;   /* held from the first row to the rename */
  hid_t    file;         /* in memory (relief_h5_create_memory) until finish writes it */
  gsize    n_params;
  gboolean has_test;
  hsize_t  n_snapshots, n_metrics;
  hid_t    snap_params, snap_step, snap_epoch;
  hid_t    metric_step, train_loss, train_acc, test_loss, test_acc, train_kind, test_kind;
  hid_t    kind_type;    /* the kinds' strings: variable-length UTF-8 */
  GArray  *pending;      /* ReliefTrainMetrics rows not yet written */
  GArray  *snapshot_steps, *metric_steps;   /* gint64: every snapshot's and row's step, for truncating */
  /* Curvature tracked during training: every row so far (few), written whole as the
   * /curvature group at each save. */
  GArray  *curvature;    /* ReliefCurvatureRow */
  gboolean curvature_min, curvature_trace;
  /* Local complexity tracked during training, likewise: the /complexity group. */
  GArray  *complexity;   /* ReliefComplexityRow */
  /* A continued run: the state its file saved, arrays owned here. */
  ReliefTrainState resume;
  float   *resume_params, *resume_previous, *resume_optimizer, *resume_curvature;
};

/* Metrics rows written at once: in blocks, and the rest when the run finishes (until then
 * the file is in memory, so nothing a reader sees waits). */
#define METRICS_BLOCK 1024

static gboolean check_steps (const char *name, const gint64 *steps, gint64 n, GError **error);

/* ---- writing ---- */

/* An empty [0] or [0, cols] dataset that grows along its first axis. */
static hid_t
create_growing (hid_t loc, const char *name, hid_t file_type, gsize cols, GError **error)
{
  int rank = cols > 0 ? 2 : 1;
  hsize_t dims[2] = { 0, cols }, max_dims[2] = { H5S_UNLIMITED, cols }, chunk[2];
  hid_t space, dcpl, dset;

  /* About 256 KiB per chunk, and never less than one row. */
  chunk[0] = cols > 0 ? CLAMP ((hsize_t) 65536 / cols, 1, 64) : 1024;
  chunk[1] = cols;
  space = H5Screate_simple (rank, dims, max_dims);
  dcpl = H5Pcreate (H5P_DATASET_CREATE);
  H5Pset_chunk (dcpl, rank, chunk);
  dset = H5Dcreate2 (loc, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Pclose (dcpl);
  H5Sclose (space);
  if (dset < 0)
    relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create dataset “%s”"), name);
  return dset;
}

/* Writes n rows (of cols values, or one value each when cols is 0) from index row on,
 * growing the dataset. */
static gboolean
append_rows (hid_t dset, hid_t mem_type, hsize_t row, hsize_t n, gsize cols, const void *data, GError **error)
{
  int rank = cols > 0 ? 2 : 1;
  hsize_t dims[2] = { row + n, cols }, start[2] = { row, 0 }, count[2] = { n, cols };
  hid_t file_space, mem_space;
  herr_t status;

  if (H5Dset_extent (dset, dims) < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot grow a dataset"));
      return FALSE;
    }
  file_space = H5Dget_space (dset);
  H5Sselect_hyperslab (file_space, H5S_SELECT_SET, start, NULL, count, NULL);
  mem_space = H5Screate_simple (rank, count, NULL);
  status = H5Dwrite (dset, mem_type, mem_space, file_space, H5P_DEFAULT, data);
  H5Sclose (mem_space);
  H5Sclose (file_space);
  if (status < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot append to a dataset"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_config (hid_t file, const ReliefTrainConfig *c, const char *backend_name, GError **error)
{
  hid_t group = H5Gcreate2 (file, "config", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  gboolean ok;

  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create group “config”"));
      return FALSE;
    }
  ok = relief_h5_write_string_attr (group, "optimizer",
                                    relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, c->optimizer.kind), error) &&
       relief_h5_write_double_attr (group, "lr", c->optimizer.lr, error) &&
       relief_h5_write_double_attr (group, "momentum", c->optimizer.momentum, error) &&
       relief_h5_write_double_attr (group, "weight_decay", c->optimizer.weight_decay, error) &&
       relief_h5_write_int_attr (group, "batch_size", c->batch_size, error) &&
       relief_h5_write_int_attr (group, "epochs", c->epochs, error) &&
       relief_h5_write_uint_attr (group, "seed", c->seed, error) &&
       relief_h5_write_string_attr (group, "backend", backend_name, error) &&
       relief_h5_write_int_attr (group, "snapshot_every", c->snapshot_every, error) &&
       relief_h5_write_int_attr (group, "eval_every", c->eval_every, error) &&
       relief_h5_write_int_attr (group, "eval_samples", c->eval_samples, error) &&
       relief_h5_write_double_attr (group, "beta1", c->optimizer.beta1, error) &&
       relief_h5_write_double_attr (group, "beta2", c->optimizer.beta2, error) &&
       relief_h5_write_double_attr (group, "eps", c->optimizer.eps, error) &&
       relief_h5_write_int_attr (group, "curvature_every", c->curvature_every, error) &&
       relief_h5_write_int_attr (group, "curvature_samples", c->curvature_samples, error) &&
       relief_h5_write_int_attr (group, "curvature_trace", c->curvature_trace, error) &&
       relief_h5_write_int_attr (group, "curvature_min", c->curvature_min, error) &&
       relief_h5_write_int_attr (group, "complexity_every", c->complexity_every, error) &&
       relief_h5_write_double_attr (group, "complexity_radius", c->complexity_radius, error) &&
       relief_h5_write_int_attr (group, "complexity_points", c->complexity_points, error) &&
       relief_h5_write_int_attr (group, "complexity_samples", c->complexity_samples, error) &&
       relief_h5_write_double_attr (group, "init_scale", c->init_scale, error) &&
       relief_h5_write_int_attr (group, "eval_per_decade", c->eval_per_decade, error) &&
       relief_h5_write_int_attr (group, "complexity_per_decade", c->complexity_per_decade, error);
  H5Gclose (group);
  return ok;
}

/* The path the user gave: the CSV file itself, or the IDX files' directory. */
static char *
dataset_source (const ReliefDataset *ds)
{
  const char *first = ds->source_paths[0];

  if (g_str_has_suffix (first, ".csv") || g_str_has_suffix (first, ".CSV"))
    return g_strdup (first);
  return g_path_get_dirname (first);
}

/* A fingerprint of the samples as loaded: reloading file data must give them back bit for
 * bit, whatever split or standardization settings were used to open it.  It guards against
 * reloading other samples by accident, not against forgery (the source files carry SHA-256
 * digests), so it runs at memory speed: four lanes of 64-bit multiply-rotate rounds over
 * 32-byte stripes of each array (words read little-endian), each array's tail bytes into
 * the first lane, and the lanes and the length folded together.  Runs written before it
 * carry samples_sha256, which is still checked. */
#define MIX_P1 G_GUINT64_CONSTANT (0x9E3779B185EBCA87)
#define MIX_P2 G_GUINT64_CONSTANT (0xC2B2AE3D27D4EB4F)

typedef struct {
  guint64 lane[4];
  guint64 length;
} SamplesMix;

static inline guint64
mix_round (guint64 acc, guint64 word)
{
  acc += word * MIX_P2;
  acc = (acc << 31) | (acc >> 33);
  return acc * MIX_P1;
}

static void
mix_update (SamplesMix *m, const void *data, gsize n)
{
  const guchar *p = data;
  gsize i = 0;

  for (; i + 32 <= n; i += 32)
    for (int k = 0; k < 4; k++)
      {
        guint64 word;

        memcpy (&word, p + i + 8 * k, 8);
        m->lane[k] = mix_round (m->lane[k], GUINT64_FROM_LE (word));
      }
  for (; i < n; i++)
    m->lane[0] = mix_round (m->lane[0], p[i]);
  m->length += n;
}

static char *
samples_fingerprint (const ReliefDataset *ds)
{
  SamplesMix m = { { MIX_P1 + MIX_P2, MIX_P2, 0, -MIX_P1 }, 0 };
  guint64 h = 0;

  mix_update (&m, ds->x_train, (gsize) ds->n_train * ds->n_features * sizeof (float));
  mix_update (&m, ds->y_train, (gsize) ds->n_train * sizeof (int32_t));
  if (ds->n_test > 0)
    {
      mix_update (&m, ds->x_test, (gsize) ds->n_test * ds->n_features * sizeof (float));
      mix_update (&m, ds->y_test, (gsize) ds->n_test * sizeof (int32_t));
    }
  for (int k = 0; k < 4; k++)
    h = mix_round (h, m.lane[k]);
  h ^= m.length * MIX_P1;
  h ^= h >> 33;
  h *= MIX_P2;
  h ^= h >> 29;
  h *= MIX_P1;
  h ^= h >> 32;
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", h);
}

/* The fingerprint of runs written before samples_fingerprint. */
static char *
samples_sha256 (const ReliefDataset *ds)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (checksum, (const guchar *) ds->x_train, (gsize) ds->n_train * ds->n_features * sizeof (float));
  g_checksum_update (checksum, (const guchar *) ds->y_train, (gsize) ds->n_train * sizeof (int32_t));
  if (ds->n_test > 0)
    {
      g_checksum_update (checksum, (const guchar *) ds->x_test, (gsize) ds->n_test * ds->n_features * sizeof (float));
      g_checksum_update (checksum, (const guchar *) ds->y_test, (gsize) ds->n_test * sizeof (int32_t));
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static gboolean
write_dataset (hid_t file, const ReliefDataset *ds, guint64 seed, GError **error)
{
  hid_t group = H5Gcreate2 (file, "dataset", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  gboolean ok;

  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create group “dataset”"));
      return FALSE;
    }
  ok = relief_h5_write_string_attr (group, "name", ds->name, error) &&
       relief_h5_write_int_attr (group, "n_features", ds->n_features, error) &&
       relief_h5_write_int_attr (group, "n_classes", ds->n_classes, error) &&
       relief_h5_write_int_attr (group, "n_train", ds->n_train, error) &&
       relief_h5_write_int_attr (group, "n_test", ds->n_test, error) &&
       relief_h5_write_double_attr (group, "mean", ds->mean, error) &&
       relief_h5_write_double_attr (group, "std", ds->std, error) &&
       relief_h5_write_int_attr (group, "generated", ds->generated ? 1 : 0, error);

  if (ok && ds->generated)
    {
      hsize_t x_train_dims[2] = { ds->n_train, ds->n_features }, y_train_dims[1] = { ds->n_train };
      hsize_t x_test_dims[2] = { ds->n_test, ds->n_features }, y_test_dims[1] = { ds->n_test };

      ok = relief_h5_write_dataset (group, "x_train", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, 2, x_train_dims,
                                    ds->x_train, error) &&
           relief_h5_write_dataset (group, "y_train", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, y_train_dims,
                                    ds->y_train, error);
      if (ok && ds->n_test > 0)
        ok = relief_h5_write_dataset (group, "x_test", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, 2, x_test_dims,
                                      ds->x_test, error) &&
             relief_h5_write_dataset (group, "y_test", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, y_test_dims,
                                      ds->y_test, error);
    }
  else if (ok)
    {
      g_autofree char *source = NULL;
      g_autofree char *samples = samples_fingerprint (ds);
      int n_total = ds->n_train + ds->n_test;

      if (ds->source_paths == NULL || ds->source_paths[0] == NULL || ds->source_sha256 == NULL)
        {
          g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_IO,
                       _("The data set “%s” is neither generated nor read from files"), ds->name);
          H5Gclose (group);
          return FALSE;
        }
      source = dataset_source (ds);
      /* The fraction that reproduces the split's size exactly when the CSV is reloaded. */
      ok = relief_h5_write_string_attr (group, "source", source, error) &&
           relief_h5_write_double_attr (group, "test_fraction", n_total > 0 ? (double) ds->n_test / n_total : 0.0,
                                        error) &&
           relief_h5_write_uint_attr (group, "seed", seed, error) &&
           relief_h5_write_string_attr (group, "samples_fingerprint", samples, error) &&
           relief_h5_write_strings (group, "source_files", (const char * const *) ds->source_paths, error) &&
           relief_h5_write_strings (group, "source_sha256", (const char * const *) ds->source_sha256, error);
    }
  H5Gclose (group);
  return ok;
}

static void
writer_close_datasets (ReliefRunWriter *w)
{
  hid_t *dsets[] = { &w->snap_params, &w->snap_step, &w->snap_epoch, &w->metric_step,
                     &w->train_loss, &w->train_acc, &w->test_loss, &w->test_acc, &w->train_kind, &w->test_kind };

  for (gsize i = 0; i < G_N_ELEMENTS (dsets); i++)
    if (*dsets[i] >= 0)
      {
        H5Dclose (*dsets[i]);
        *dsets[i] = H5I_INVALID_HID;
      }
}

static void
writer_close (ReliefRunWriter *w)
{
  writer_close_datasets (w);
  if (w->kind_type >= 0)
    {
      H5Tclose (w->kind_type);
      w->kind_type = H5I_INVALID_HID;
    }
}

static void
writer_free (ReliefRunWriter *w)
{
  g_free (w->path);
  relief_output_unlock (w->lock);
  g_array_unref (w->pending);
  g_array_unref (w->snapshot_steps);
  g_array_unref (w->metric_steps);
  g_array_unref (w->curvature);
  g_array_unref (w->complexity);
  g_free (w->resume_curvature);
  g_free (w->resume_params);
  g_free (w->resume_previous);
  g_free (w->resume_optimizer);
  g_free (w);
}

static void
writer_discard (ReliefRunWriter *w)
{
  writer_close (w);
  if (w->file >= 0)
    H5Fclose (w->file);
  writer_free (w);
}

static gboolean
writer_create (ReliefRunWriter *w, const ReliefMlpSpec *spec, const ReliefTrainConfig *config,
               const char *backend_name, const ReliefDataset *ds, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  hid_t traj, metrics;

  if (!relief_check_destination (w->path, error))
    return FALSE;
  w->lock = relief_output_lock (w->path, error);
  if (w->lock == NULL)
    return FALSE;
  w->file = relief_h5_create_memory (w->path, error);
  if (w->file < 0)
    return FALSE;
  if (!relief_h5_write_string_attr (w->file, "relief_format", relief_file_kind_name (RELIEF_FILE_KIND_RUN),
                                    error) ||
      !relief_h5_write_int_attr (w->file, "relief_format_version", RELIEF_RUN_FORMAT_VERSION, error) ||
      !relief_h5_write_string_attr (w->file, "status", "running", error) ||
      !relief_h5_write_string_attr (w->file, "created", created, error) ||
      !relief_h5_write_model (w->file, spec, error) ||
      !write_config (w->file, config, backend_name, error) ||
      !write_dataset (w->file, ds, config->seed, error))
    return FALSE;

  traj = H5Gcreate2 (w->file, "trajectory", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  metrics = H5Gcreate2 (w->file, "metrics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (traj >= 0)
    {
      w->snap_params = create_growing (traj, "params", H5T_IEEE_F32LE, w->n_params, error);
      if (w->snap_params >= 0)
        w->snap_step = create_growing (traj, "step", H5T_STD_I64LE, 0, error);
      if (w->snap_step >= 0)
        w->snap_epoch = create_growing (traj, "epoch", H5T_IEEE_F64LE, 0, error);
      H5Gclose (traj);
    }
  if (metrics >= 0)
    {
      if (w->snap_epoch >= 0)
        w->metric_step = create_growing (metrics, "step", H5T_STD_I64LE, 0, error);
      if (w->metric_step >= 0)
        w->train_loss = create_growing (metrics, "train_loss", H5T_IEEE_F64LE, 0, error);
      if (w->train_loss >= 0)
        w->train_acc = create_growing (metrics, "train_acc", H5T_IEEE_F64LE, 0, error);
      if (w->train_acc >= 0)
        w->train_kind = create_growing (metrics, "train_kind", w->kind_type, 0, error);
      if (w->train_kind >= 0 && w->has_test)
        {
          w->test_loss = create_growing (metrics, "test_loss", H5T_IEEE_F64LE, 0, error);
          if (w->test_loss >= 0)
            w->test_acc = create_growing (metrics, "test_acc", H5T_IEEE_F64LE, 0, error);
          if (w->test_acc >= 0)
            w->test_kind = create_growing (metrics, "test_kind", w->kind_type, 0, error);
        }
      H5Gclose (metrics);
    }
  if (traj < 0 || metrics < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create the groups of “%s”"), w->path);
      return FALSE;
    }
  if (w->train_kind < 0 || (w->has_test && w->test_kind < 0))
    return FALSE;
  return TRUE;
}

static ReliefRunWriter *
writer_alloc (const char *path)
{
  ReliefRunWriter *w = g_new0 (ReliefRunWriter, 1);

  w->path = g_strdup (path);
  w->pending = g_array_new (FALSE, FALSE, sizeof (ReliefTrainMetrics));
  w->snapshot_steps = g_array_new (FALSE, FALSE, sizeof (gint64));
  w->metric_steps = g_array_new (FALSE, FALSE, sizeof (gint64));
  w->curvature = g_array_new (FALSE, FALSE, sizeof (ReliefCurvatureRow));
  w->complexity = g_array_new (FALSE, FALSE, sizeof (ReliefComplexityRow));
  w->file = w->snap_params = w->snap_step = w->snap_epoch = H5I_INVALID_HID;
  w->metric_step = w->train_loss = w->train_acc = w->test_loss = w->test_acc = H5I_INVALID_HID;
  w->train_kind = w->test_kind = H5I_INVALID_HID;
  w->kind_type = H5I_INVALID_HID;
  return w;
}

static hid_t
kind_type_new (void)
{
  hid_t type = H5Tcopy (H5T_C_S1);

  H5Tset_size (type, H5T_VARIABLE);
  H5Tset_cset (type, H5T_CSET_UTF8);
  return type;
}

ReliefRunWriter *
relief_run_writer_new (const char *path, const ReliefMlpSpec *spec, const ReliefTrainConfig *config,
                       const char *backend_name, const ReliefDataset *ds, GError **error)
{
  ReliefRunWriter *w;
  ReliefH5Quiet quiet;
  gboolean ok;

  g_return_val_if_fail (path != NULL && spec != NULL && config != NULL && ds != NULL, NULL);

  w = writer_alloc (path);
  w->n_params = relief_mlp_spec_n_params (spec);
  w->has_test = ds->n_test > 0;
  w->curvature_min = config->curvature_min;
  w->curvature_trace = config->curvature_trace;

  relief_h5_quiet_begin (&quiet);
  w->kind_type = kind_type_new ();
  ok = writer_create (w, spec, config, backend_name != NULL ? backend_name : "", ds, error);
  if (!ok)
    writer_discard (w);
  relief_h5_quiet_end (&quiet);
  return ok ? w : NULL;
}

gboolean
relief_run_writer_add_snapshot (ReliefRunWriter *w, gint64 step, double epoch, const float *params, GError **error)
{
  ReliefH5Quiet quiet;
  gboolean ok;

  relief_h5_quiet_begin (&quiet);
  ok = append_rows (w->snap_params, H5T_NATIVE_FLOAT, w->n_snapshots, 1, w->n_params, params, error) &&
       append_rows (w->snap_step, H5T_NATIVE_INT64, w->n_snapshots, 1, 0, &step, error) &&
       append_rows (w->snap_epoch, H5T_NATIVE_DOUBLE, w->n_snapshots, 1, 0, &epoch, error);
  relief_h5_quiet_end (&quiet);
  if (ok)
    {
      w->n_snapshots++;
      g_array_append_val (w->snapshot_steps, step);
    }
  return ok;
}

/* Writes the pending rows, column by column: a few writes per block of rows, where writing
 * each row as it comes cost more than evaluating it on small runs. */
static gboolean
writer_flush_metrics (ReliefRunWriter *w, GError **error)
{
  guint n = w->pending->len;
  g_autofree gint64 *step = g_new (gint64, MAX (n, 1));
  g_autofree double *values = g_new (double, 4 * MAX (n, 1));
  g_autofree const char **kinds = g_new (const char *, 2 * MAX (n, 1));
  ReliefH5Quiet quiet;
  gboolean ok;

  if (n == 0)
    return TRUE;
  for (guint i = 0; i < n; i++)
    {
      const ReliefTrainMetrics *m = &g_array_index (w->pending, ReliefTrainMetrics, i);

      step[i] = m->step;
      values[i] = m->train_loss;
      values[n + i] = m->train_acc;
      values[2 * n + i] = m->test_loss;
      values[3 * n + i] = m->test_acc;
      kinds[i] = relief_enum_to_nick (RELIEF_TYPE_METRIC_KIND, m->train_kind);
      kinds[n + i] = relief_enum_to_nick (RELIEF_TYPE_METRIC_KIND, m->test_kind);
    }
  relief_h5_quiet_begin (&quiet);
  ok = append_rows (w->metric_step, H5T_NATIVE_INT64, w->n_metrics, n, 0, step, error) &&
       append_rows (w->train_loss, H5T_NATIVE_DOUBLE, w->n_metrics, n, 0, values, error) &&
       append_rows (w->train_acc, H5T_NATIVE_DOUBLE, w->n_metrics, n, 0, values + n, error) &&
       append_rows (w->train_kind, w->kind_type, w->n_metrics, n, 0, kinds, error);
  if (ok && w->has_test)
    ok = append_rows (w->test_loss, H5T_NATIVE_DOUBLE, w->n_metrics, n, 0, values + 2 * n, error) &&
         append_rows (w->test_acc, H5T_NATIVE_DOUBLE, w->n_metrics, n, 0, values + 3 * n, error) &&
         append_rows (w->test_kind, w->kind_type, w->n_metrics, n, 0, kinds + n, error);
  relief_h5_quiet_end (&quiet);
  if (ok)
    {
      w->n_metrics += n;
      g_array_set_size (w->pending, 0);
    }
  return ok;
}

gboolean
relief_run_writer_add_metrics (ReliefRunWriter *w, const ReliefTrainMetrics *m, GError **error)
{
  g_array_append_vals (w->pending, m, 1);
  g_array_append_val (w->metric_steps, m->step);
  return w->pending->len < METRICS_BLOCK || writer_flush_metrics (w, error);
}

gboolean
relief_run_writer_add_curvature (ReliefRunWriter *w, const ReliefCurvatureRow *row, GError **error)
{
  if (w->curvature->len > 0 && row->step <= g_array_index (w->curvature, ReliefCurvatureRow, w->curvature->len - 1).step)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_IO,
                   _("Curvature at step %" G_GINT64_FORMAT " comes after a later step's"), row->step);
      return FALSE;
    }
  g_array_append_vals (w->curvature, row, 1);
  return TRUE;
}

gboolean
relief_run_writer_add_complexity (ReliefRunWriter *w, const ReliefComplexityRow *row, GError **error)
{
  if (w->complexity->len > 0 &&
      row->step <= g_array_index (w->complexity, ReliefComplexityRow, w->complexity->len - 1).step)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_IO,
                   _("Complexity at step %" G_GINT64_FORMAT " comes after a later step's"), row->step);
      return FALSE;
    }
  g_array_append_vals (w->complexity, row, 1);
  return TRUE;
}

/* The /complexity group from the rows so far, replacing the one written before; none when
 * the run tracks no complexity. */
static gboolean
write_complexity (ReliefRunWriter *w, GError **error)
{
  static const char * const names[4] = { "train", "test", "random", "regions" };
  guint n = w->complexity->len;
  hsize_t dims[1] = { n };
  g_autofree gint64 *step = g_new (gint64, MAX (n, 1));
  g_autofree double *values = g_new (double, 4 * MAX (n, 1));
  const ReliefComplexityRow *last = n > 0 ? &g_array_index (w->complexity, ReliefComplexityRow, n - 1) : NULL;
  gboolean has[4] = { FALSE };
  hid_t group;
  gboolean ok;

  if (relief_h5_has_link (w->file, "complexity") && H5Ldelete (w->file, "complexity", H5P_DEFAULT) < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot replace group “complexity”"));
      return FALSE;
    }
  if (n == 0)
    return TRUE;
  for (guint i = 0; i < n; i++)
    {
      const ReliefComplexityRow *r = &g_array_index (w->complexity, ReliefComplexityRow, i);

      step[i] = r->step;
      values[i] = r->train;
      values[n + i] = r->test;
      values[2 * n + i] = r->random;
      values[3 * n + i] = r->regions;
    }
  /* A set tracked has points; the regions, a 2-input piecewise-linear model. */
  has[0] = last->n_train > 0;
  has[1] = last->n_test > 0;
  has[2] = last->n_random > 0;
  for (guint i = 0; i < n; i++)
    has[3] |= !isnan (values[3 * n + i]);
  group = H5Gcreate2 (w->file, "complexity", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create group “complexity”"));
      return FALSE;
    }
  ok = relief_h5_write_dataset (group, "step", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, dims, step, error);
  for (int k = 0; ok && k < 4; k++)
    if (has[k])
      ok = relief_h5_write_dataset (group, names[k], H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, dims, values + k * n,
                                    error);
  ok = ok && relief_h5_write_double_attr (group, "radius", last->radius, error) &&
       relief_h5_write_int_attr (group, "n_train", last->n_train, error) &&
       relief_h5_write_int_attr (group, "n_test", last->n_test, error) &&
       relief_h5_write_int_attr (group, "n_random", last->n_random, error) &&
       relief_h5_write_double_attr (group, "seconds", last->seconds, error);
  H5Gclose (group);
  return ok;
}

/* The /curvature group from the rows so far, replacing the one written before; none when
 * the run tracks no curvature. */
static gboolean
write_curvature (ReliefRunWriter *w, GError **error)
{
  guint n = w->curvature->len;
  hsize_t dims[1] = { n };
  g_autofree gint64 *step = g_new (gint64, MAX (n, 1));
  g_autofree gint64 *hvps = g_new (gint64, MAX (n, 1));
  g_autofree double *values = g_new (double, 5 * MAX (n, 1));
  const ReliefCurvatureRow *last = n > 0 ? &g_array_index (w->curvature, ReliefCurvatureRow, n - 1) : NULL;
  hid_t group;
  gboolean ok;

  if (relief_h5_has_link (w->file, "curvature") && H5Ldelete (w->file, "curvature", H5P_DEFAULT) < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot replace group “curvature”"));
      return FALSE;
    }
  if (n == 0)
    return TRUE;
  for (guint i = 0; i < n; i++)
    {
      const ReliefCurvatureRow *r = &g_array_index (w->curvature, ReliefCurvatureRow, i);

      step[i] = r->step;
      hvps[i] = r->hvps;
      values[i] = r->lambda_max;
      values[n + i] = r->lambda_max_residual;
      values[2 * n + i] = r->lambda_min;
      values[3 * n + i] = r->trace;
      values[4 * n + i] = r->trace_stderr;
    }
  group = H5Gcreate2 (w->file, "curvature", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create group “curvature”"));
      return FALSE;
    }
  ok = relief_h5_write_dataset (group, "step", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, dims, step, error) &&
       relief_h5_write_dataset (group, "lambda_max", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, dims, values, error) &&
       relief_h5_write_dataset (group, "lambda_max_residual", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, dims,
                                values + n, error) &&
       relief_h5_write_dataset (group, "hvps", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, dims, hvps, error) &&
       (!w->curvature_min ||
        relief_h5_write_dataset (group, "lambda_min", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, dims, values + 2 * n,
                                 error)) &&
       (!w->curvature_trace ||
        (relief_h5_write_dataset (group, "trace", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, dims, values + 3 * n,
                                  error) &&
         relief_h5_write_dataset (group, "trace_stderr", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, dims,
                                  values + 4 * n, error))) &&
       relief_h5_write_int_attr (group, "samples", last->samples, error) &&
       relief_h5_write_double_attr (group, "seconds", last->seconds, error);
  H5Gclose (group);
  return ok;
}

/* Shrinks a growing dataset to its first rows. */
static gboolean
shrink_rows (hid_t dset, hsize_t rows, GError **error)
{
  hsize_t dims[2] = { 0, 0 };
  hid_t space = H5Dget_space (dset);
  int rank = space >= 0 ? H5Sget_simple_extent_dims (space, dims, NULL) : -1;

  if (space >= 0)
    H5Sclose (space);
  if (rank < 1 || rank > 2)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("A dataset of the run has the wrong shape"));
      return FALSE;
    }
  if (dims[0] < rows)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("The run's saved state counts more rows than its datasets hold"));
      return FALSE;
    }
  dims[0] = rows;
  if (H5Dset_extent (dset, dims) < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot shrink a dataset"));
      return FALSE;
    }
  return TRUE;
}

/* Keeps the first n_snapshots snapshots and n_metrics rows (pending ones included). */
static gboolean
writer_keep (ReliefRunWriter *w, hsize_t n_snapshots, hsize_t n_metrics, GError **error)
{
  hid_t metric_dsets[] = { w->metric_step, w->train_loss, w->train_acc, w->train_kind,
                           w->test_loss, w->test_acc, w->test_kind };
  hsize_t written = MIN (n_metrics, w->n_metrics);

  if (n_snapshots < w->n_snapshots &&
      (!shrink_rows (w->snap_params, n_snapshots, error) || !shrink_rows (w->snap_step, n_snapshots, error) ||
       !shrink_rows (w->snap_epoch, n_snapshots, error)))
    return FALSE;
  w->n_snapshots = MIN (n_snapshots, w->n_snapshots);
  g_array_set_size (w->snapshot_steps, w->n_snapshots);
  if (written < w->n_metrics)
    for (guint i = 0; i < G_N_ELEMENTS (metric_dsets); i++)
      if (metric_dsets[i] >= 0 && !shrink_rows (metric_dsets[i], written, error))
        return FALSE;
  w->n_metrics = written;
  g_array_set_size (w->pending, MIN (w->pending->len, n_metrics - written));
  g_array_set_size (w->metric_steps, w->n_metrics + w->pending->len);
  return TRUE;
}

/* How many of the first entries of steps are at most last_step (they ascend). */
static guint
count_up_to (GArray *steps, gint64 last_step)
{
  guint n = 0;

  while (n < steps->len && g_array_index (steps, gint64, n) <= last_step)
    n++;
  return n;
}

gboolean
relief_run_writer_set_diverged (ReliefRunWriter *w, gint64 last_step, gint64 diverged_step, GError **error)
{
  ReliefH5Quiet quiet;
  gboolean ok;

  relief_h5_quiet_begin (&quiet);
  while (w->curvature->len > 0 &&
         g_array_index (w->curvature, ReliefCurvatureRow, w->curvature->len - 1).step > last_step)
    g_array_set_size (w->curvature, w->curvature->len - 1);
  while (w->complexity->len > 0 &&
         g_array_index (w->complexity, ReliefComplexityRow, w->complexity->len - 1).step > last_step)
    g_array_set_size (w->complexity, w->complexity->len - 1);
  ok = writer_keep (w, count_up_to (w->snapshot_steps, last_step), count_up_to (w->metric_steps, last_step), error) &&
       relief_h5_write_int_attr (w->file, "diverged_at_step", diverged_step, error);
  relief_h5_quiet_end (&quiet);
  return ok;
}

/* The state's float vectors are stored as float64, exactly: an optimizer's moments decay
 * into float32 denormals, whose bytes are small integers that can read like a reference
 * into a string heap, which the readers' check before libhdf5 reads strings refuses (see
 * relief-h5.c); as doubles, no float's bytes do. */
static gboolean
write_float_vector (hid_t loc, const char *name, const float *values, gsize n, GError **error)
{
  hsize_t dims[1] = { n };
  g_autofree double *wide = g_new (double, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    wide[i] = values[i];
  return relief_h5_write_dataset (loc, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, dims, wide, error);
}

/* The /resume group: the state to continue from and how many snapshots and rows of the
 * file it follows (a cancelled run's final row and snapshot come after them). */
static gboolean
write_resume (hid_t file, const ReliefTrainState *st, hsize_t n_snapshots, hsize_t n_metrics, guint n_curvature,
              guint n_complexity, GError **error)
{
  hid_t group;
  gboolean ok;

  if (relief_h5_has_link (file, "resume"))
    H5Ldelete (file, "resume", H5P_DEFAULT);
  group = H5Gcreate2 (file, "resume", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create group “resume”"));
      return FALSE;
    }
  ok = relief_h5_write_int_attr (group, "step", st->step, error) &&
       relief_h5_write_int_attr (group, "n_snapshots", (gint64) n_snapshots, error) &&
       relief_h5_write_int_attr (group, "n_metrics", (gint64) n_metrics, error) &&
       relief_h5_write_int_attr (group, "last_metrics", st->last_metrics, error) &&
       relief_h5_write_int_attr (group, "last_snapshot", st->last_snapshot, error) &&
       relief_h5_write_double_attr (group, "run_loss_sum", st->run_loss_sum, error) &&
       relief_h5_write_int_attr (group, "run_correct", st->run_correct, error) &&
       relief_h5_write_int_attr (group, "run_rows", st->run_rows, error) &&
       relief_h5_write_double_attr (group, "step_loss_sum", st->step_loss_sum, error) &&
       relief_h5_write_int_attr (group, "step_correct", st->step_correct, error) &&
       relief_h5_write_int_attr (group, "step_rows", st->step_rows, error) &&
       relief_h5_write_double_attr (group, "elapsed_seconds", st->elapsed_seconds, error) &&
       relief_h5_write_double_attr (group, "metrics_seconds", st->metrics_seconds, error) &&
       relief_h5_write_int_attr (group, "n_curvature", n_curvature, error) &&
       relief_h5_write_double_attr (group, "curvature_seconds", st->curvature_seconds, error) &&
       relief_h5_write_int_attr (group, "n_complexity", n_complexity, error) &&
       relief_h5_write_double_attr (group, "complexity_seconds", st->complexity_seconds, error) &&
       (st->curvature_start == NULL ||
        write_float_vector (group, "curvature_start", st->curvature_start, st->n_params, error)) &&
       write_float_vector (group, "params", st->params, st->n_params, error) &&
       write_float_vector (group, "previous_params", st->previous_params, st->n_params, error) &&
       (st->n_state == 0 || write_float_vector (group, "optimizer_state", st->optimizer_state, st->n_state, error));
  H5Gclose (group);
  return ok;
}

gboolean
relief_run_writer_set_resume (ReliefRunWriter *w, const ReliefTrainState *state, GError **error)
{
  ReliefH5Quiet quiet;
  gboolean ok;

  relief_h5_quiet_begin (&quiet);
  ok = writer_flush_metrics (w, error) && write_resume (w->file, state, w->n_snapshots, w->n_metrics, w->curvature->len,
                                                       w->complexity->len, error);
  relief_h5_quiet_end (&quiet);
  return ok;
}

static gboolean
writer_open_datasets (ReliefRunWriter *w, GError **error)
{
  struct { hid_t *dset; const char *path; gboolean optional; } dsets[] = {
    { &w->snap_params, "trajectory/params", FALSE }, { &w->snap_step, "trajectory/step", FALSE },
    { &w->snap_epoch, "trajectory/epoch", FALSE }, { &w->metric_step, "metrics/step", FALSE },
    { &w->train_loss, "metrics/train_loss", FALSE }, { &w->train_acc, "metrics/train_acc", FALSE },
    { &w->train_kind, "metrics/train_kind", FALSE }, { &w->test_loss, "metrics/test_loss", TRUE },
    { &w->test_acc, "metrics/test_acc", TRUE }, { &w->test_kind, "metrics/test_kind", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (dsets); i++)
    {
      if (dsets[i].optional && !w->has_test)
        continue;
      *dsets[i].dset = H5Dopen2 (w->file, dsets[i].path, H5P_DEFAULT);
      if (*dsets[i].dset < 0)
        {
          relief_h5_set_error (error, RELIEF_FILE_ERROR_CORRUPT, _("Cannot open dataset “%s”"), dsets[i].path);
          return FALSE;
        }
    }
  return TRUE;
}

/* The run so far with the state: the /resume group is written into the file in memory,
 * the file's image is written over the output (atomically, through relief-output), and
 * the group is removed again, so that a run that goes on to finish does not keep it. */
static gboolean
writer_checkpoint (ReliefRunWriter *w, const ReliefTrainState *state, GError **error)
{
  gboolean ok;

  if (!writer_flush_metrics (w, error) || !write_curvature (w, error) || !write_complexity (w, error) ||
      !write_resume (w->file, state, w->n_snapshots, w->n_metrics, w->curvature->len, w->complexity->len, error))
    return FALSE;
  ok = relief_h5_write_image (w->file, w->path, error);
  if (H5Ldelete (w->file, "resume", H5P_DEFAULT) < 0 && ok)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot remove the saved state from “%s”"), w->path);
      ok = FALSE;
    }
  return ok;
}

gboolean
relief_run_writer_checkpoint (ReliefRunWriter *w, const ReliefTrainState *state, GError **error)
{
  ReliefH5Quiet quiet;
  gboolean ok;

  relief_h5_quiet_begin (&quiet);
  ok = writer_checkpoint (w, state, error);
  relief_h5_quiet_end (&quiet);
  return ok;
}

static float *
read_float_vector (hid_t loc, const char *name, gsize n, GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  g_autofree double *wide = relief_h5_read_dataset (loc, name, H5T_NATIVE_DOUBLE, sizeof (double), &rank, dims,
                                                    error);
  float *values;

  if (wide == NULL)
    return NULL;
  if (rank != 1 || dims[0] != n)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("The run's saved state “%s” does not hold %llu values"), name, (unsigned long long) n);
      return NULL;
    }
  values = g_new (float, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    values[i] = (float) wide[i];
  return values;
}

void
relief_run_curvature_free (ReliefRunCurvature *c)
{
  if (c == NULL)
    return;
  g_free (c->step);
  g_free (c->lambda_max);
  g_free (c->lambda_max_residual);
  g_free (c->hvps);
  g_free (c->lambda_min);
  g_free (c->trace);
  g_free (c->trace_stderr);
  g_free (c);
}

/* A 1D dataset of exactly n elements, or any length (n < 0) into *n_out. */
static gpointer
read_curvature_vector (hid_t group, const char *name, hid_t mem_type, gsize elem_size, gint64 n, gint64 *n_out,
                       GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  gpointer data = relief_h5_read_dataset (group, name, mem_type, elem_size, &rank, dims, error);

  if (data == NULL)
    return NULL;
  if (rank != 1 || dims[0] > G_MAXINT || (n >= 0 && dims[0] != (hsize_t) n))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("Dataset “curvature/%s” has the wrong shape"), name);
      g_free (data);
      return NULL;
    }
  if (n_out != NULL)
    *n_out = (gint64) dims[0];
  return data;
}

void
relief_run_complexity_free (ReliefRunComplexity *c)
{
  if (c == NULL)
    return;
  g_free (c->step);
  g_free (c->train);
  g_free (c->test);
  g_free (c->random);
  g_free (c->regions);
  g_free (c);
}

/* The /complexity group, validated: the same length everywhere, steps ascending, the
 * means and counts not negative (NaN where not measured). */
static ReliefRunComplexity *
read_complexity (hid_t file, GError **error)
{
  static const char * const names[4] = { "train", "test", "random", "regions" };
  g_autoptr(ReliefRunComplexity) c = g_new0 (ReliefRunComplexity, 1);
  double **columns[4] = { &c->train, &c->test, &c->random, &c->regions };
  gint64 n = 0, counts[3] = { 0, 0, 0 };
  hid_t group = relief_h5_open_group (file, "complexity", error);
  gboolean ok;

  if (group < 0)
    return NULL;
  ok = (c->step = read_curvature_vector (group, "step", H5T_NATIVE_INT64, sizeof (gint64), -1, &n, error)) &&
       relief_h5_read_double_attr (group, "radius", &c->radius, error) &&
       relief_h5_read_int_attr (group, "n_train", &counts[0], error) &&
       relief_h5_read_int_attr (group, "n_test", &counts[1], error) &&
       relief_h5_read_int_attr (group, "n_random", &counts[2], error) &&
       relief_h5_read_double_attr (group, "seconds", &c->seconds, error);
  for (int k = 0; ok && k < 4; k++)
    if (relief_h5_has_link (group, names[k]))
      {
        g_autofree char *name = g_strconcat ("complexity/", names[k], NULL);

        ok = (*columns[k] = read_curvature_vector (group, names[k], H5T_NATIVE_DOUBLE, sizeof (double), n, NULL,
                                                   error)) != NULL &&
             relief_h5_check_values (name, *columns[k], (gsize) n, 0, G_MAXDOUBLE, TRUE, error);
      }
  H5Gclose (group);
  c->n = (int) n;
  ok = ok && check_steps ("complexity/step", c->step, n, error) &&
       relief_h5_check_setting ("complexity/radius", c->radius, 0, TRUE, G_MAXDOUBLE, FALSE, error) &&
       relief_h5_check_setting ("complexity/n_train", (double) counts[0], 0, FALSE, G_MAXINT, FALSE, error) &&
       relief_h5_check_setting ("complexity/n_test", (double) counts[1], 0, FALSE, G_MAXINT, FALSE, error) &&
       relief_h5_check_setting ("complexity/n_random", (double) counts[2], 0, FALSE, G_MAXINT, FALSE, error) &&
       relief_h5_check_setting ("complexity/seconds", c->seconds, 0, FALSE, INFINITY, FALSE, error);
  c->n_train = (int) counts[0];
  c->n_test = (int) counts[1];
  c->n_random = (int) counts[2];
  return ok ? g_steal_pointer (&c) : NULL;
}

/* The /curvature group, validated: the same length everywhere, steps ascending, the
 * values finite (NaN where a measurement found no eigenvalue), stderr and hvps not
 * negative. */
static ReliefRunCurvature *
read_curvature (hid_t file, GError **error)
{
  g_autoptr(ReliefRunCurvature) c = g_new0 (ReliefRunCurvature, 1);
  gint64 n = 0, samples = 0;
  hid_t group = relief_h5_open_group (file, "curvature", error);
  gboolean ok;

  if (group < 0)
    return NULL;
  ok = (c->step = read_curvature_vector (group, "step", H5T_NATIVE_INT64, sizeof (gint64), -1, &n, error)) &&
       (c->lambda_max = read_curvature_vector (group, "lambda_max", H5T_NATIVE_DOUBLE, sizeof (double), n, NULL,
                                               error)) &&
       (c->lambda_max_residual = read_curvature_vector (group, "lambda_max_residual", H5T_NATIVE_DOUBLE,
                                                        sizeof (double), n, NULL, error)) &&
       (c->hvps = read_curvature_vector (group, "hvps", H5T_NATIVE_INT64, sizeof (gint64), n, NULL, error)) &&
       relief_h5_read_int_attr (group, "samples", &samples, error) &&
       relief_h5_read_double_attr (group, "seconds", &c->seconds, error);
  if (ok && relief_h5_has_link (group, "lambda_min"))
    ok = (c->lambda_min = read_curvature_vector (group, "lambda_min", H5T_NATIVE_DOUBLE, sizeof (double), n, NULL,
                                                 error)) != NULL;
  if (ok && relief_h5_has_link (group, "trace"))
    ok = (c->trace = read_curvature_vector (group, "trace", H5T_NATIVE_DOUBLE, sizeof (double), n, NULL,
                                            error)) != NULL &&
         (c->trace_stderr = read_curvature_vector (group, "trace_stderr", H5T_NATIVE_DOUBLE, sizeof (double), n,
                                                   NULL, error)) != NULL;
  H5Gclose (group);
  c->n = (int) n;
  ok = ok && check_steps ("curvature/step", c->step, n, error) &&
       relief_h5_check_setting ("curvature/samples", (double) samples, 1, FALSE, G_MAXINT, FALSE, error) &&
       relief_h5_check_setting ("curvature/seconds", c->seconds, 0, FALSE, INFINITY, FALSE, error) &&
       relief_h5_check_values ("curvature/lambda_max", c->lambda_max, (gsize) n, -G_MAXDOUBLE, G_MAXDOUBLE, TRUE,
                               error) &&
       relief_h5_check_values ("curvature/lambda_max_residual", c->lambda_max_residual, (gsize) n, 0, G_MAXDOUBLE,
                               TRUE, error) &&
       (c->lambda_min == NULL ||
        relief_h5_check_values ("curvature/lambda_min", c->lambda_min, (gsize) n, -G_MAXDOUBLE, G_MAXDOUBLE, TRUE,
                                error)) &&
       (c->trace == NULL ||
        (relief_h5_check_values ("curvature/trace", c->trace, (gsize) n, -G_MAXDOUBLE, G_MAXDOUBLE, TRUE, error) &&
         relief_h5_check_values ("curvature/trace_stderr", c->trace_stderr, (gsize) n, 0, G_MAXDOUBLE, TRUE,
                                 error)));
  for (gint64 i = 0; ok && i < n; i++)
    if (c->hvps[i] < 0)
      {
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("“curvature/hvps” holds a negative count"));
        ok = FALSE;
      }
  c->samples = (int) samples;
  return ok ? g_steal_pointer (&c) : NULL;
}

static gboolean
read_resume (ReliefRunWriter *w, gsize n_state, hsize_t *n_snapshots, hsize_t *n_metrics, gint64 *n_curvature,
             gint64 *n_complexity, GError **error)
{
  ReliefTrainState *st = &w->resume;
  gint64 snapshots, metrics;
  hid_t group;
  gboolean ok;

  if (!relief_h5_has_link (w->file, "resume"))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("The run holds no saved state to continue from"));
      return FALSE;
    }
  if ((group = relief_h5_open_group (w->file, "resume", error)) < 0)
    return FALSE;
  ok = relief_h5_read_int_attr (group, "step", &st->step, error) &&
       relief_h5_read_int_attr (group, "n_snapshots", &snapshots, error) &&
       relief_h5_read_int_attr (group, "n_metrics", &metrics, error) &&
       relief_h5_read_int_attr (group, "last_metrics", &st->last_metrics, error) &&
       relief_h5_read_int_attr (group, "last_snapshot", &st->last_snapshot, error) &&
       relief_h5_read_double_attr (group, "run_loss_sum", &st->run_loss_sum, error) &&
       relief_h5_read_int_attr (group, "run_correct", &st->run_correct, error) &&
       relief_h5_read_int_attr (group, "run_rows", &st->run_rows, error) &&
       relief_h5_read_double_attr (group, "step_loss_sum", &st->step_loss_sum, error) &&
       relief_h5_read_int_attr (group, "step_correct", &st->step_correct, error) &&
       relief_h5_read_int_attr (group, "step_rows", &st->step_rows, error) &&
       relief_h5_read_double_attr (group, "elapsed_seconds", &st->elapsed_seconds, error) &&
       relief_h5_read_double_attr (group, "metrics_seconds", &st->metrics_seconds, error) &&
       /* Files of runs without curvature tracking may lack these. */
       (!relief_h5_has_attr (group, "n_curvature") ||
        relief_h5_read_int_attr (group, "n_curvature", n_curvature, error)) &&
       (!relief_h5_has_attr (group, "curvature_seconds") ||
        relief_h5_read_double_attr (group, "curvature_seconds", &st->curvature_seconds, error)) &&
       /* And runs without complexity tracking these. */
       (!relief_h5_has_attr (group, "n_complexity") ||
        relief_h5_read_int_attr (group, "n_complexity", n_complexity, error)) &&
       (!relief_h5_has_attr (group, "complexity_seconds") ||
        relief_h5_read_double_attr (group, "complexity_seconds", &st->complexity_seconds, error)) &&
       (!relief_h5_has_link (group, "curvature_start") ||
        (w->resume_curvature = read_float_vector (group, "curvature_start", w->n_params, error)) != NULL) &&
       (w->resume_params = read_float_vector (group, "params", w->n_params, error)) != NULL &&
       (w->resume_previous = read_float_vector (group, "previous_params", w->n_params, error)) != NULL &&
       (n_state == 0 || (w->resume_optimizer = read_float_vector (group, "optimizer_state", n_state, error)) != NULL);
  H5Gclose (group);
  if (ok && (snapshots < 1 || metrics < 1 || *n_curvature < 0 || *n_complexity < 0 || st->run_rows < 0 || st->run_correct < 0 || st->step_rows < 0 ||
             st->step_correct < 0))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("The run's saved state is invalid"));
      ok = FALSE;
    }
  if (!ok)
    return FALSE;
  st->n_params = w->n_params;
  st->params = w->resume_params;
  st->previous_params = w->resume_previous;
  st->n_state = n_state;
  st->optimizer_state = w->resume_optimizer;
  st->curvature_start = w->resume_curvature;
  *n_snapshots = (hsize_t) snapshots;
  *n_metrics = (hsize_t) metrics;
  return TRUE;
}

/* The steps of the rows or snapshots kept, for a later truncation. */
static gboolean
read_steps (hid_t dset, GArray *steps, hsize_t n, GError **error)
{
  g_array_set_size (steps, n);
  if (n > 0 && H5Dread (dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, steps->data) < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot read the run's steps"));
      return FALSE;
    }
  return TRUE;
}

/* The rows of the file's /curvature group up to the saved state's, and the settings that
 * say which columns it has; the group is written anew at every save. */
static gboolean
writer_continue_curvature (ReliefRunWriter *w, gint64 n_curvature, GError **error)
{
  g_autoptr(ReliefRunCurvature) c = NULL;
  hid_t config = relief_h5_open_group (w->file, "config", error);
  gint64 every = 0, min = 0, trace = 0;
  gboolean ok;

  if (config < 0)
    return FALSE;
  ok = (!relief_h5_has_attr (config, "curvature_every") ||
        relief_h5_read_int_attr (config, "curvature_every", &every, error)) &&
       (!relief_h5_has_attr (config, "curvature_min") || relief_h5_read_int_attr (config, "curvature_min", &min, error)) &&
       (!relief_h5_has_attr (config, "curvature_trace") ||
        relief_h5_read_int_attr (config, "curvature_trace", &trace, error));
  H5Gclose (config);
  if (!ok)
    return FALSE;
  w->curvature_min = min != 0;
  w->curvature_trace = trace != 0;
  if (n_curvature == 0)
    return TRUE;
  if (!relief_h5_has_link (w->file, "curvature") || (c = read_curvature (w->file, error)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("The run's saved state counts curvature rows that the file does not hold"));
      return FALSE;
    }
  if (n_curvature > c->n)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("The run's saved state counts more curvature rows than the file holds"));
      return FALSE;
    }
  for (gint64 i = 0; i < n_curvature; i++)
    {
      ReliefCurvatureRow row = {
        .step = c->step[i],
        .lambda_max = c->lambda_max[i],
        .lambda_max_residual = c->lambda_max_residual[i],
        .lambda_min = c->lambda_min != NULL ? c->lambda_min[i] : NAN,
        .trace = c->trace != NULL ? c->trace[i] : NAN,
        .trace_stderr = c->trace_stderr != NULL ? c->trace_stderr[i] : NAN,
        .hvps = c->hvps[i],
        .samples = c->samples,
        .seconds = w->resume.curvature_seconds,
      };

      g_array_append_val (w->curvature, row);
    }
  return TRUE;
}

/* The rows of the file's /complexity group up to the saved state's. */
static gboolean
writer_continue_complexity (ReliefRunWriter *w, gint64 n_complexity, GError **error)
{
  g_autoptr(ReliefRunComplexity) c = NULL;

  if (n_complexity == 0)
    return TRUE;
  if (!relief_h5_has_link (w->file, "complexity") || (c = read_complexity (w->file, error)) == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("The run's saved state counts complexity rows that the file does not hold"));
      return FALSE;
    }
  if (n_complexity > c->n)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("The run's saved state counts more complexity rows than the file holds"));
      return FALSE;
    }
  for (gint64 i = 0; i < n_complexity; i++)
    {
      ReliefComplexityRow row = {
        .step = c->step[i],
        .train = c->train != NULL ? c->train[i] : NAN,
        .test = c->test != NULL ? c->test[i] : NAN,
        .random = c->random != NULL ? c->random[i] : NAN,
        .regions = c->regions != NULL ? c->regions[i] : NAN,
        .n_train = c->n_train,
        .n_test = c->n_test,
        .n_random = c->n_random,
        .radius = c->radius,
        .seconds = w->resume.complexity_seconds,
      };

      g_array_append_val (w->complexity, row);
    }
  return TRUE;
}

static gboolean
writer_continue (ReliefRunWriter *w, gsize n_state, GError **error)
{
  hsize_t n_snapshots = 0, n_metrics = 0;
  gint64 n_curvature = 0, n_complexity = 0;

  if (!relief_check_destination (w->path, error))
    return FALSE;
  w->lock = relief_output_lock (w->path, error);
  if (w->lock == NULL)
    return FALSE;
  w->file = relief_h5_open_memory (w->path, error);
  if (w->file < 0)
    return FALSE;
  w->has_test = relief_h5_has_link (w->file, "metrics/test_loss");
  if (!read_resume (w, n_state, &n_snapshots, &n_metrics, &n_curvature, &n_complexity, error) ||
      !writer_continue_curvature (w, n_curvature, error) || !writer_continue_complexity (w, n_complexity, error) ||
      !writer_open_datasets (w, error))
    return FALSE;
  /* The counts before are what the datasets hold, so that writer_keep shrinks them. */
  w->n_snapshots = G_MAXINT64;
  w->n_metrics = G_MAXINT64;
  if (!writer_keep (w, n_snapshots, n_metrics, error) ||
      !read_steps (w->snap_step, w->snapshot_steps, n_snapshots, error) ||
      !read_steps (w->metric_step, w->metric_steps, n_metrics, error))
    return FALSE;
  if (H5Ldelete (w->file, "resume", H5P_DEFAULT) < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot remove the saved state from “%s”"), w->path);
      return FALSE;
    }
  return relief_h5_write_string_attr (w->file, "status", "running", error);
}

ReliefRunWriter *
relief_run_writer_continue (const char *path, const ReliefMlpSpec *spec, ReliefOptimizerKind optimizer,
                            const ReliefTrainState **state, GError **error)
{
  ReliefRunWriter *w = writer_alloc (path);
  ReliefH5Quiet quiet;
  gboolean ok;

  w->n_params = relief_mlp_spec_n_params (spec);
  relief_h5_quiet_begin (&quiet);
  w->kind_type = kind_type_new ();
  ok = writer_continue (w, (gsize) relief_optimizer_state_size (optimizer) * w->n_params, error);
  if (!ok)
    writer_discard (w);
  relief_h5_quiet_end (&quiet);
  if (!ok)
    {
      g_prefix_error (error, _("%s: "), path);
      return NULL;
    }
  *state = &w->resume;
  return w;
}

gboolean
relief_run_writer_finish (ReliefRunWriter *w, const char *status, GError **error)
{
  ReliefH5Quiet quiet;
  gboolean ok;

  ok = writer_flush_metrics (w, error);
  relief_h5_quiet_begin (&quiet);
  ok = ok && relief_h5_write_string_attr (w->file, "status", status, error) && write_curvature (w, error) &&
       write_complexity (w, error);
  writer_close (w);
  ok = ok && relief_h5_write_image (w->file, w->path, error);
  H5Fclose (w->file);
  w->file = H5I_INVALID_HID;
  relief_h5_quiet_end (&quiet);
  writer_free (w);
  return ok;
}

void
relief_run_writer_abort (ReliefRunWriter *w)
{
  ReliefH5Quiet quiet;

  relief_h5_quiet_begin (&quiet);
  writer_discard (w);
  relief_h5_quiet_end (&quiet);
}

/* ---- reading ---- */

void
relief_run_free (ReliefRun *run)
{
  if (run == NULL)
    return;
  g_clear_pointer (&run->spec, relief_mlp_spec_free);
  g_free (run->backend);
  g_free (run->status);
  g_free (run->dataset_name);
  g_free (run->params);
  g_free (run->snapshot_step);
  g_free (run->snapshot_epoch);
  g_free (run->metric_step);
  g_free (run->train_loss);
  g_free (run->train_acc);
  g_free (run->test_loss);
  g_free (run->test_acc);
  g_free (run->train_kind);
  g_free (run->test_kind);
  g_clear_pointer (&run->dataset, relief_dataset_free);
  g_clear_pointer (&run->curvature, relief_run_curvature_free);
  g_clear_pointer (&run->complexity, relief_run_complexity_free);
  g_free (run);
}

/* Reads a 1D dataset of exactly n elements (n < 0: any length, stored in *n_out). */
static gpointer
read_vector (hid_t loc, const char *name, hid_t mem_type, gsize elem_size, gint64 n, gint64 *n_out, GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  gpointer data = relief_h5_read_dataset (loc, name, mem_type, elem_size, &rank, dims, error);

  if (data == NULL)
    return NULL;
  if (rank != 1 || dims[0] > G_MAXINT || (n >= 0 && dims[0] != (hsize_t) n))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Dataset “%s” has the wrong shape"), name);
      g_free (data);
      return NULL;
    }
  if (n_out != NULL)
    *n_out = (gint64) dims[0];
  return data;
}

static gboolean
read_config (hid_t file, ReliefRun *run, GError **error)
{
  ReliefTrainConfig *c = &run->config;
  g_autofree char *optimizer = NULL;
  double lr, momentum, weight_decay, beta1, beta2, eps;
  gint64 batch_size, epochs, snapshot_every, eval_every = 0, eval_samples = RELIEF_EVAL_ALL;
  gint64 curvature_every = 0, curvature_samples = 0, curvature_trace = 0, curvature_min = 0;
  gint64 complexity_every = 0, complexity_points = 0, complexity_samples = 0;
  double complexity_radius = 0, init_scale = 1;
  gint64 eval_per_decade = 0, complexity_per_decade = 0;
  hid_t group = relief_h5_open_group (file, "config", error);
  gboolean ok;

  if (group < 0)
    return FALSE;
  relief_train_config_init_defaults (c);
  ok = (optimizer = relief_h5_read_string_attr (group, "optimizer", error)) != NULL &&
       relief_h5_read_double_attr (group, "lr", &lr, error) &&
       relief_h5_read_double_attr (group, "momentum", &momentum, error) &&
       relief_h5_read_double_attr (group, "weight_decay", &weight_decay, error) &&
       relief_h5_read_int_attr (group, "batch_size", &batch_size, error) &&
       relief_h5_read_int_attr (group, "epochs", &epochs, error) &&
       relief_h5_read_uint_attr (group, "seed", &c->seed, error) &&
       (run->backend = relief_h5_read_string_attr (group, "backend", error)) != NULL &&
       relief_h5_read_int_attr (group, "snapshot_every", &snapshot_every, error) &&
       relief_h5_read_double_attr (group, "beta1", &beta1, error) &&
       relief_h5_read_double_attr (group, "beta2", &beta2, error) &&
       relief_h5_read_double_attr (group, "eps", &eps, error);
  /* eval_every is optional: files from other writers may omit it. */
  if (ok && relief_h5_has_attr (group, "eval_every"))
    ok = relief_h5_read_int_attr (group, "eval_every", &eval_every, error);
  /* So is eval_samples: files written before it evaluated every row in full. */
  if (ok && relief_h5_has_attr (group, "eval_samples"))
    ok = relief_h5_read_int_attr (group, "eval_samples", &eval_samples, error);
  /* And the curvature settings: files written before them tracked none. */
  if (ok && relief_h5_has_attr (group, "curvature_every"))
    ok = relief_h5_read_int_attr (group, "curvature_every", &curvature_every, error) &&
         relief_h5_read_int_attr (group, "curvature_samples", &curvature_samples, error) &&
         relief_h5_read_int_attr (group, "curvature_trace", &curvature_trace, error) &&
         relief_h5_read_int_attr (group, "curvature_min", &curvature_min, error);
  /* And the complexity settings and the initialization's scale. */
  if (ok && relief_h5_has_attr (group, "complexity_every"))
    ok = relief_h5_read_int_attr (group, "complexity_every", &complexity_every, error) &&
         relief_h5_read_double_attr (group, "complexity_radius", &complexity_radius, error) &&
         relief_h5_read_int_attr (group, "complexity_points", &complexity_points, error) &&
         relief_h5_read_int_attr (group, "complexity_samples", &complexity_samples, error);
  if (ok && relief_h5_has_attr (group, "init_scale"))
    ok = relief_h5_read_double_attr (group, "init_scale", &init_scale, error);
  /* And the log-spaced schedules: files written before them had none. */
  if (ok && relief_h5_has_attr (group, "eval_per_decade"))
    ok = relief_h5_read_int_attr (group, "eval_per_decade", &eval_per_decade, error);
  if (ok && relief_h5_has_attr (group, "complexity_per_decade"))
    ok = relief_h5_read_int_attr (group, "complexity_per_decade", &complexity_per_decade, error);
  H5Gclose (group);
  if (!ok || !relief_enum_from_nick (RELIEF_TYPE_OPTIMIZER_KIND, optimizer, (int *) &c->optimizer.kind, error))
    return FALSE;
  /* The settings a resumed or reproduced run would train with: each as the flags allow. */
  if (!relief_h5_check_setting ("config/lr", lr, 0, TRUE, G_MAXFLOAT, FALSE, error) ||
      !relief_h5_check_setting ("config/momentum", momentum, 0, FALSE, 1, TRUE, error) ||
      !relief_h5_check_setting ("config/weight_decay", weight_decay, 0, FALSE, G_MAXFLOAT, FALSE, error) ||
      !relief_h5_check_setting ("config/beta1", beta1, 0, FALSE, 1, TRUE, error) ||
      !relief_h5_check_setting ("config/beta2", beta2, 0, FALSE, 1, TRUE, error) ||
      !relief_h5_check_setting ("config/eps", eps, 0, TRUE, G_MAXFLOAT, FALSE, error) ||
      !relief_h5_check_setting ("config/batch_size", (double) batch_size, 1, FALSE, G_MAXINT, FALSE, error) ||
      !relief_h5_check_setting ("config/epochs", (double) epochs, 1, FALSE, G_MAXINT, FALSE, error) ||
      !relief_h5_check_setting ("config/snapshot_every", (double) snapshot_every, 0, FALSE, G_MAXINT, FALSE, error) ||
      !relief_h5_check_setting ("config/eval_every", (double) eval_every, 0, FALSE, G_MAXINT, FALSE, error) ||
      !relief_h5_check_setting ("config/eval_samples", (double) eval_samples, RELIEF_EVAL_ALL, FALSE, G_MAXINT64,
                                FALSE, error) ||
      !relief_h5_check_setting ("config/curvature_every", (double) curvature_every, 0, FALSE, G_MAXINT, FALSE,
                                error) ||
      !relief_h5_check_setting ("config/curvature_samples", (double) curvature_samples, 0, FALSE, G_MAXINT, FALSE,
                                error) ||
      !relief_h5_check_setting ("config/curvature_trace", (double) curvature_trace, 0, FALSE, 1, FALSE, error) ||
      !relief_h5_check_setting ("config/curvature_min", (double) curvature_min, 0, FALSE, 1, FALSE, error) ||
      !relief_h5_check_setting ("config/complexity_every", (double) complexity_every, 0, FALSE, G_MAXINT, FALSE,
                                error) ||
      !relief_h5_check_setting ("config/complexity_radius", complexity_radius, 0, FALSE, G_MAXFLOAT, FALSE, error) ||
      !relief_h5_check_setting ("config/complexity_points", (double) complexity_points, 0, FALSE,
                                RELIEF_COMPLEXITY_ALL, FALSE, error) ||
      !relief_h5_check_setting ("config/complexity_samples", (double) complexity_samples, 0, FALSE, G_MAXINT, FALSE,
                                error) ||
      !relief_h5_check_setting ("config/init_scale", init_scale, 0, TRUE, G_MAXFLOAT, FALSE, error) ||
      !relief_h5_check_setting ("config/eval_per_decade", (double) eval_per_decade, 0, FALSE,
                                RELIEF_LOG_SCHEDULE_MAX, FALSE, error) ||
      !relief_h5_check_setting ("config/complexity_per_decade", (double) complexity_per_decade, 0, FALSE,
                                RELIEF_LOG_SCHEDULE_MAX, FALSE, error))
    return FALSE;
  c->eval_per_decade = (int) eval_per_decade;
  c->complexity_per_decade = (int) complexity_per_decade;
  c->complexity_every = (int) complexity_every;
  c->complexity_radius = complexity_radius;
  c->complexity_points = (guint) complexity_points;
  c->complexity_samples = (int) complexity_samples;
  c->init_scale = init_scale;
  c->curvature_every = (int) curvature_every;
  c->curvature_samples = (int) curvature_samples;
  c->curvature_trace = curvature_trace != 0;
  c->curvature_min = curvature_min != 0;
  c->optimizer.lr = (float) lr;
  c->optimizer.momentum = (float) momentum;
  c->optimizer.weight_decay = (float) weight_decay;
  c->optimizer.beta1 = (float) beta1;
  c->optimizer.beta2 = (float) beta2;
  c->optimizer.eps = (float) eps;
  c->batch_size = (int) batch_size;
  c->epochs = (int) epochs;
  c->snapshot_every = (int) snapshot_every;
  c->eval_every = (int) eval_every;
  c->eval_samples = (int) CLAMP (eval_samples, RELIEF_EVAL_ALL, G_MAXINT);
  return TRUE;
}

/* Steps count optimizer steps from 0, in the order they were taken. */
static gboolean
check_steps (const char *name, const gint64 *steps, gint64 n, GError **error)
{
  for (gint64 i = 0; i < n; i++)
    if (steps[i] < 0 || (i > 0 && steps[i] < steps[i - 1]))
      {
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("“%s” holds step %" G_GINT64_FORMAT " (value %" G_GINT64_FORMAT "): steps are counted from 0 "
                       "and never go back"), name, steps[i], i + 1);
        return FALSE;
      }
  return TRUE;
}

static gboolean
read_trajectory (hid_t file, ReliefRun *run, GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  gint64 t;
  hid_t group = relief_h5_open_group (file, "trajectory", error);
  gboolean ok = FALSE;

  if (group < 0)
    return FALSE;
  run->params = relief_h5_read_dataset (group, "params", H5T_NATIVE_FLOAT, sizeof (float), &rank, dims, error);
  if (run->params == NULL)
    goto out;
  if (rank != 2 || dims[1] != run->n_params || dims[0] > G_MAXINT)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("Trajectory parameters do not match the model's %llu parameters"),
                   (unsigned long long) run->n_params);
      goto out;
    }
  t = (gint64) dims[0];
  run->n_snapshots = (int) t;
  run->snapshot_step = read_vector (group, "step", H5T_NATIVE_INT64, sizeof (gint64), t, NULL, error);
  if (run->snapshot_step == NULL)
    goto out;
  run->snapshot_epoch = read_vector (group, "epoch", H5T_NATIVE_DOUBLE, sizeof (double), t, NULL, error);
  ok = run->snapshot_epoch != NULL &&
       relief_h5_check_finite ("trajectory/params", run->params, (gsize) t * run->n_params, error) &&
       check_steps ("trajectory/step", run->snapshot_step, t, error) &&
       relief_h5_check_values ("trajectory/epoch", run->snapshot_epoch, (gsize) t, 0, G_MAXDOUBLE, FALSE, error);

out:
  H5Gclose (group);
  return ok;
}

/* A kinds column of s rows; files written before the kinds evaluated every row in full. */
static ReliefMetricKind *
read_kinds (hid_t group, const char *name, gint64 s, GError **error)
{
  g_autofree ReliefMetricKind *kinds = g_new (ReliefMetricKind, MAX (s, 1));
  g_auto (GStrv) nicks = NULL;

  for (gint64 i = 0; i < s; i++)
    kinds[i] = RELIEF_METRIC_FULL;
  if (!relief_h5_has_link (group, name))
    return g_steal_pointer (&kinds);
  if ((nicks = relief_h5_read_strings (group, name, error)) == NULL)
    return NULL;
  if (g_strv_length (nicks) != (guint) s)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Dataset “%s” has the wrong shape"), name);
      return NULL;
    }
  for (gint64 i = 0; i < s; i++)
    if (!relief_enum_from_nick (RELIEF_TYPE_METRIC_KIND, nicks[i], (int *) &kinds[i], NULL))
      {
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("Dataset “%s” holds an unknown kind “%s”"),
                     name, nicks[i]);
        return NULL;
      }
  return g_steal_pointer (&kinds);
}

static gboolean
read_metrics (hid_t file, ReliefRun *run, GError **error)
{
  gint64 s = 0;
  hid_t group = relief_h5_open_group (file, "metrics", error);
  gboolean ok;

  if (group < 0)
    return FALSE;
  ok = (run->metric_step = read_vector (group, "step", H5T_NATIVE_INT64, sizeof (gint64), -1, &s, error)) != NULL &&
       (run->train_loss = read_vector (group, "train_loss", H5T_NATIVE_DOUBLE, sizeof (double), s, NULL, error)) &&
       (run->train_acc = read_vector (group, "train_acc", H5T_NATIVE_DOUBLE, sizeof (double), s, NULL, error));
  if (ok && relief_h5_has_link (group, "test_loss"))
    ok = (run->test_loss = read_vector (group, "test_loss", H5T_NATIVE_DOUBLE, sizeof (double), s, NULL, error)) &&
         (run->test_acc = read_vector (group, "test_acc", H5T_NATIVE_DOUBLE, sizeof (double), s, NULL, error));
  ok = ok && (run->train_kind = read_kinds (group, "train_kind", s, error)) != NULL;
  if (ok && run->test_loss != NULL)
    ok = (run->test_kind = read_kinds (group, "test_kind", s, error)) != NULL;
  /* Accuracies are fractions; losses (cross-entropy, squared error) never below 0, and NaN
   * or infinite only where a run diverged. */
  ok = ok && check_steps ("metrics/step", run->metric_step, s, error) &&
       relief_h5_check_values ("metrics/train_acc", run->train_acc, (gsize) s, 0, 1, TRUE, error) &&
       relief_h5_check_values ("metrics/train_loss", run->train_loss, (gsize) s, 0, INFINITY, TRUE, error);
  if (ok && run->test_loss != NULL)
    ok = relief_h5_check_values ("metrics/test_acc", run->test_acc, (gsize) s, 0, 1, TRUE, error) &&
         relief_h5_check_values ("metrics/test_loss", run->test_loss, (gsize) s, 0, INFINITY, TRUE, error);
  run->n_metrics = (int) s;
  H5Gclose (group);
  return ok;
}

/* The samples of one split, checked against the sizes the group's attributes declare
 * before anything of those sizes is allocated. */
static gboolean
read_samples (hid_t group, const char *x_name, const char *y_name, int n, int n_features, float **x, int32_t **y,
              GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  g_autofree float *xs = NULL;

  xs = relief_h5_read_dataset (group, x_name, H5T_NATIVE_FLOAT, sizeof (float), &rank, dims, error);
  if (xs == NULL)
    return FALSE;
  if (rank != 2 || dims[0] != (hsize_t) n || dims[1] != (hsize_t) n_features)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("Dataset “%s” has the wrong shape: the data set declares %d × %d"), x_name, n, n_features);
      return FALSE;
    }
  *y = read_vector (group, y_name, H5T_NATIVE_INT32, sizeof (int32_t), n, NULL, error);
  if (*y == NULL)
    return FALSE;
  *x = g_steal_pointer (&xs);
  return TRUE;
}

/* File data: reload from the recorded source and insist on the recorded bytes. */
static ReliefDataset *
reload_dataset (hid_t group, gint64 n_train, gint64 n_test, GError **error)
{
  g_autofree char *source = NULL;
  g_auto (GStrv) files = NULL, sha256 = NULL;
  g_autoptr (ReliefDataset) ds = NULL;
  g_autoptr (GError) local_error = NULL;
  double test_fraction;
  guint64 seed;

  if ((source = relief_h5_read_string_attr (group, "source", error)) == NULL ||
      !relief_h5_read_double_attr (group, "test_fraction", &test_fraction, error) ||
      !relief_h5_read_uint_attr (group, "seed", &seed, error) ||
      (files = relief_h5_read_strings (group, "source_files", error)) == NULL ||
      (sha256 = relief_h5_read_strings (group, "source_sha256", error)) == NULL)
    return NULL;

  if (g_file_test (source, G_FILE_TEST_IS_DIR))
    ds = relief_dataset_load_idx_dir (source, (int) n_train, (int) n_test, &local_error);
  else
    ds = relief_dataset_load_csv (source, NULL, test_fraction, seed, &local_error);
  if (ds == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code, _("Cannot reload the run's data set: %s"),
                   local_error->message);
      return NULL;
    }

  if (g_strv_length (files) != g_strv_length (ds->source_paths) || g_strv_length (sha256) != g_strv_length (files))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_CHANGED,
                   _("The data set at “%s” no longer has the files the run was trained on"), source);
      return NULL;
    }
  for (guint i = 0; files[i] != NULL; i++)
    if (strcmp (files[i], ds->source_paths[i]) != 0 || strcmp (sha256[i], ds->source_sha256[i]) != 0)
      {
        g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_CHANGED,
                     _("“%s” has changed since the run was trained on it (SHA-256 %s, recorded %s)"), files[i],
                     ds->source_sha256[i], sha256[i]);
        return NULL;
      }
  if (ds->n_train != n_train || ds->n_test != n_test)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_CHANGED,
                   _("The data set at “%s” now splits into %d + %d samples, the run had %lld + %lld"),
                   source, ds->n_train, ds->n_test, (long long) n_train, (long long) n_test);
      return NULL;
    }
  if (relief_h5_has_attr (group, "samples_fingerprint") || relief_h5_has_attr (group, "samples_sha256"))
    {
      gboolean fast = relief_h5_has_attr (group, "samples_fingerprint");
      g_autofree char *recorded = relief_h5_read_string_attr (group, fast ? "samples_fingerprint" : "samples_sha256",
                                                              error);
      g_autofree char *found = NULL;

      if (recorded == NULL)
        return NULL;
      found = fast ? samples_fingerprint (ds) : samples_sha256 (ds);
      if (strcmp (recorded, found) != 0)
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_CHANGED,
                       _("The data set at “%s” reloads with other samples than the run was trained on "
                       "(a different split seed or test fraction?)"), source);
          return NULL;
        }
    }
  return g_steal_pointer (&ds);
}

/* What a job would open again: a generated or installed set by its name, file data by
 * the source it was read from. */
static char *
read_dataset_name (hid_t file, GError **error)
{
  hid_t group = relief_h5_open_group (file, "dataset", error);
  gint64 generated = 1;
  char *name = NULL;

  if (group < 0)
    return NULL;
  if (relief_h5_read_int_attr (group, "generated", &generated, error))
    {
      if (!generated && relief_h5_has_attr (group, "source"))
        name = relief_h5_read_string_attr (group, "source", error);
      else
        name = relief_h5_read_string_attr (group, "name", error);
    }
  H5Gclose (group);
  return name;
}

static ReliefDataset *
read_dataset (hid_t file, GError **error)
{
  g_autofree char *name = NULL;
  g_autoptr (ReliefDataset) ds = NULL;
  g_autoptr (GError) invalid = NULL;
  gint64 n_features, n_classes, n_train, n_test, generated;
  double mean, std;
  hid_t group = relief_h5_open_group (file, "dataset", error);
  gboolean ok;

  if (group < 0)
    return NULL;
  ok = (name = relief_h5_read_string_attr (group, "name", error)) != NULL &&
       relief_h5_read_int_attr (group, "n_features", &n_features, error) &&
       relief_h5_read_int_attr (group, "n_classes", &n_classes, error) &&
       relief_h5_read_int_attr (group, "n_train", &n_train, error) &&
       relief_h5_read_int_attr (group, "n_test", &n_test, error) &&
       relief_h5_read_double_attr (group, "mean", &mean, error) &&
       relief_h5_read_double_attr (group, "std", &std, error) &&
       relief_h5_read_int_attr (group, "generated", &generated, error);
  if (ok && (n_features < 1 || n_classes < 1 || n_train < 1 || n_test < 0 || n_features > G_MAXINT ||
             n_train > G_MAXINT || n_test > G_MAXINT || n_classes > G_MAXINT))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("The data set's sizes are invalid"));
      ok = FALSE;
    }
  if (ok && generated)
    {
      /* Empty, then the samples read: nothing is allocated from the attributes alone. */
      ds = relief_dataset_new (name, (int) n_features, (int) n_classes, 0, 0);
      ok = read_samples (group, "x_train", "y_train", (int) n_train, ds->n_features, &ds->x_train, &ds->y_train,
                         error) &&
           (n_test == 0 ||
            read_samples (group, "x_test", "y_test", (int) n_test, ds->n_features, &ds->x_test, &ds->y_test, error));
      ds->n_train = ds->x_train != NULL ? (int) n_train : 0;
      ds->n_test = ds->x_test != NULL ? (int) n_test : 0;
      ds->mean = mean;
      ds->std = std;
      ds->generated = TRUE;
      if (ok && !relief_dataset_validate (ds, &invalid))
        {
          g_set_error_literal (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, invalid->message);
          ok = FALSE;
        }
    }
  else if (ok)
    ok = (ds = reload_dataset (group, n_train, n_test, error)) != NULL;
  H5Gclose (group);
  return ok ? g_steal_pointer (&ds) : NULL;
}

/* The model must take the data set's features and give one logit for each of its classes:
 * the evaluation reads x rows of the model's input size and indexes logits by label. */
static gboolean
check_model_data (const ReliefRun *run, GError **error)
{
  const ReliefDataset *ds = run->dataset;
  int inputs = run->spec->sizes[0], outputs = run->spec->sizes[run->spec->n_layers];

  if (inputs != ds->n_features || outputs != ds->n_classes)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("The model takes %d inputs and gives %d outputs, but its data set has %d features and %d classes"),
                   inputs, outputs, ds->n_features, ds->n_classes);
      return FALSE;
    }
  return TRUE;
}

static ReliefRun *
run_load (const char *path, gboolean load_dataset, GError **error)
{
  g_autoptr (ReliefRun) run = g_new0 (ReliefRun, 1);
  ReliefFileKind kind;
  gint64 n_params = 0;
  hid_t file, model;
  gboolean ok;

  file = relief_h5_open_kind (path, &kind, error);
  if (file < 0)
    return NULL;
  if (kind != RELIEF_FILE_KIND_RUN)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND, _("“%s” is a %s file, not a run"), path,
                   relief_file_kind_name (kind));
      H5Fclose (file);
      return NULL;
    }

  ok = (run->status = relief_h5_read_string_attr (file, "status", error)) != NULL &&
       (run->spec = relief_h5_read_model (file, error)) != NULL;
  run->diverged_at_step = -1;
  if (ok && relief_h5_has_attr (file, "diverged_at_step"))
    ok = relief_h5_read_int_attr (file, "diverged_at_step", &run->diverged_at_step, error);
  run->resumable = relief_h5_has_link (file, "resume");
  if (ok)
    {
      run->n_params = relief_mlp_spec_n_params (run->spec);
      model = H5Gopen2 (file, "model", H5P_DEFAULT);
      ok = relief_h5_read_int_attr (model, "n_params", &n_params, error);
      H5Gclose (model);
      if (ok && (gsize) n_params != run->n_params)
        {
          g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                       _("The model records %lld parameters but its layers make %llu"),
                       (long long) n_params, (unsigned long long) run->n_params);
          ok = FALSE;
        }
    }
  ok = ok && read_config (file, run, error) && read_trajectory (file, run, error) && read_metrics (file, run, error) &&
       (run->dataset_name = read_dataset_name (file, error)) != NULL;
  /* Optional: runs that tracked curvature. */
  if (ok && relief_h5_has_link (file, "curvature"))
    ok = (run->curvature = read_curvature (file, error)) != NULL;
  if (ok && relief_h5_has_link (file, "complexity"))
    ok = (run->complexity = read_complexity (file, error)) != NULL;
  if (ok && load_dataset)
    ok = (run->dataset = read_dataset (file, error)) != NULL && check_model_data (run, error);
  H5Fclose (file);
  if (!ok)
    g_prefix_error (error, _("%s: "), path);
  return ok ? g_steal_pointer (&run) : NULL;
}

ReliefRun *
relief_run_load (const char *path, gboolean load_dataset, GError **error)
{
  ReliefH5Quiet quiet;
  ReliefRun *run;

  relief_h5_quiet_begin (&quiet);
  run = run_load (path, load_dataset, error);
  relief_h5_quiet_end (&quiet);
  return run;
}

gboolean
relief_run_resolve_checkpoint (const ReliefRun *run, const char *text, int *index, GError **error)
{
  gint64 value;
  int t = run->n_snapshots;

  if (t < 1)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID, _("The run has no snapshots"));
      return FALSE;
    }
  if (g_strcmp0 (text, "last") == 0)
    {
      *index = t - 1;
      return TRUE;
    }
  if (text == NULL || !g_ascii_string_to_signed (text, 10, -t, t - 1, &value, NULL))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("Checkpoint “%s” is neither “last” nor a snapshot index from %d to %d"), text != NULL ? text : "",
                   -t, t - 1);
      return FALSE;
    }
  *index = value < 0 ? (int) (t + value) : (int) value;
  return TRUE;
}

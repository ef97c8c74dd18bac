#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-intdim-job.h"
#include "relief-dint90.h"
#include "relief-enums.h"
#include "relief-output.h"

void
relief_intdim_job_clear (ReliefIntdimJob *job)
{
  relief_train_job_clear (&job->base);
  g_clear_pointer (&job->dims, g_free);
}

gboolean
relief_parse_dims (const char *text, gint64 **dims, int *K, GError **error)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto(GStrv) range = g_strsplit (text, ":", -1);
  gboolean ok = TRUE;

  if (g_strv_length (range) == 3)
    {
      gint64 a, b, step;

      ok = g_ascii_string_to_signed (range[0], 10, 1, G_MAXINT32, &a, NULL) &&
           g_ascii_string_to_signed (range[1], 10, a, G_MAXINT32, &b, NULL) &&
           g_ascii_string_to_signed (range[2], 10, 1, G_MAXINT32, &step, NULL) &&
           (b - a) / step < 10000;
      for (gint64 d = a; ok && d <= b; d += step)
        g_array_append_val (out, d);
    }
  else
    {
      g_auto(GStrv) parts = g_strsplit (text, ",", -1);

      for (int i = 0; ok && parts[i] != NULL; i++)
        {
          gint64 d;

          ok = g_ascii_string_to_signed (parts[i], 10, 1, G_MAXINT32, &d, NULL) &&
               (out->len == 0 || d > g_array_index (out, gint64, out->len - 1));
          g_array_append_val (out, d);
        }
    }
  if (!ok || out->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an ascending list of dimensions like 100,200 or a range like 100:1000:100"), text);
      return FALSE;
    }
  *K = (int) out->len;
  *dims = (gint64 *) g_array_free (g_steal_pointer (&out), FALSE);
  return TRUE;
}

/* The settings a resumed sweep must share with the file it continues. */
static gboolean
intdim_matches (const ReliefIntdim *a, const ReliefIntdim *b)
{
  if (a->K != b->K || a->n_seeds != b->n_seeds || a->spec->n_layers != b->spec->n_layers ||
      a->spec->activation != b->spec->activation || a->spec->loss != b->spec->loss ||
      g_strcmp0 (a->projection, b->projection) != 0 || g_strcmp0 (a->dataset, b->dataset) != 0 ||
      a->config.optimizer.kind != b->config.optimizer.kind || a->config.optimizer.lr != b->config.optimizer.lr ||
      a->config.optimizer.momentum != b->config.optimizer.momentum ||
      a->config.optimizer.weight_decay != b->config.optimizer.weight_decay ||
      a->config.batch_size != b->config.batch_size || a->config.epochs != b->config.epochs ||
      a->config.seed != b->config.seed)
    return FALSE;
  for (int i = 0; i <= a->spec->n_layers; i++)
    if (a->spec->sizes[i] != b->spec->sizes[i])
      return FALSE;
  return memcmp (a->dims, b->dims, sizeof (gint64) * a->K) == 0;
}

/* The generator settings that shape the data: all of them for a generator, the split for
 * a CSV file, none for IDX data.  A file that predates them cannot be checked. */
static gboolean
intdim_same_data (const ReliefIntdim *old, const ReliefIntdim *id)
{
  const ReliefGeneratorParams *a = &old->gen, *b = &id->gen;
  gboolean same_split = a->seed == b->seed && a->test_fraction == b->test_fraction;

  if (old->max_samples != id->max_samples)
    return FALSE;
  if (!old->has_gen)
    return TRUE;
  if (relief_generator_exists (id->dataset))
    return same_split && a->n_samples == b->n_samples && a->noise == b->noise && a->n_classes == b->n_classes;
  return same_split || !(g_str_has_suffix (id->dataset, ".csv") || g_str_has_suffix (id->dataset, ".CSV"));
}

/* Takes the cells of the sweep already at the output, when it is the same sweep. */
static gboolean
intdim_resume (const char *path, double global_baseline, ReliefIntdim **id, GError **error)
{
  g_autoptr(ReliefIntdim) old = relief_intdim_load (path, error);

  if (old == NULL)
    return FALSE;
  if (!intdim_matches (old, *id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s holds a sweep with other settings; choose another output"), path);
      return FALSE;
    }
  if (!intdim_same_data (old, *id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s holds a sweep on other data (samples, noise, classes, data seed, test fraction or max samples); "
                     "choose another output"), path);
      return FALSE;
    }
  old->gen = (*id)->gen;
  old->has_gen = TRUE;
  old->global_baseline = global_baseline;
  relief_intdim_free (*id);
  *id = g_steal_pointer (&old);
  return TRUE;
}

/* d_int90 both ways, over test accuracy when the dataset has a test split. */
static void
intdim_update_dint90 (ReliefIntdim *id)
{
  gboolean test = !isnan (id->baseline_test_acc);
  const double *acc = test ? id->test_acc : id->train_acc;
  double baseline = test ? id->baseline_test_acc : id->baseline_train_acc;

  relief_dint90 (id->dims, acc, id->K, id->n_seeds, baseline, &id->dint90_individual_mean,
                 &id->dint90_individual_std);
  relief_dint90 (id->dims, acc, id->K, id->n_seeds, id->global_baseline, &id->dint90_global_mean,
                 &id->dint90_global_std);
}

typedef struct {
  const ReliefIntdimJobCallbacks *cb;
  ReliefTrainMetrics              last;
} IntdimContext;

static gboolean
on_intdim_metrics (const ReliefTrainMetrics *m, gpointer user_data, GError **error)
{
  IntdimContext *ctx = user_data;

  ctx->last = *m;
  return TRUE;
}

static void
on_intdim_progress (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data)
{
  IntdimContext *ctx = user_data;

  if (ctx->cb && ctx->cb->progress && total_steps > 0)
    ctx->cb->progress ((double) step / total_steps, ctx->cb->user_data);
}

static void
intdim_announce (const ReliefIntdimJobCallbacks *cb, int k, int seed)
{
  if (cb && cb->cell)
    cb->cell (k, seed, cb->user_data);
  if (cb && cb->progress)
    cb->progress (0, cb->user_data);
}

/* Saves the sweep and shows it. */
static gboolean
intdim_commit (const ReliefIntdim *id, const char *path, const ReliefIntdimJobCallbacks *cb,
               ReliefTrainStatus status, GError **error)
{
  if (!relief_intdim_save (id, path, error))
    return FALSE;
  if (cb && cb->sweep)
    cb->sweep (id, status, cb->user_data);
  return TRUE;
}

/* The sweep's cells still to run: the baseline when it has not, and every (d, seed)
 * without an accuracy. */
static gboolean
estimate_sweep (const ReliefIntdimJob *job, const ReliefIntdim *id, const ReliefDataset *ds, ReliefBackend *backend,
                const ReliefIntdimJobCallbacks *cb, GError **error)
{
  ReliefJobEstimate estimate = { 0 }, one = { 0 };
  gsize D = relief_mlp_spec_n_params (id->spec);
  gint64 d_max = id->dims[id->K - 1];
  double steps = ceil ((double) ds->n_train / id->config.batch_size) * id->config.epochs;
  double proj_bytes, proj_flops, product_flops = 0, train_seconds = 0, product_seconds;
  int cells = 0, state = relief_optimizer_state_size (id->config.optimizer.kind);
  gboolean on_host = g_strcmp0 (backend->name, "cpu") == 0;
  g_autofree char *what = NULL;

  /* A training's memory, and the largest projection's with its d-vectors beside it. */
  relief_job_estimate_training (id->spec, ds, &id->config, on_host, &one);
  relief_projection_estimate (job->projection, D, (gsize) d_max, &proj_bytes, &proj_flops);
  estimate.bytes = one.bytes + proj_bytes + 4.0 * d_max * (3 + state);
  for (int k = 0; k < id->K; k++)
    for (int s = 0; s < id->n_seeds; s++)
      if (isnan (id->train_acc[k * id->n_seeds + s]))
        {
          double ignored;

          relief_projection_estimate (job->projection, D, (gsize) id->dims[k], &ignored, &proj_flops);
          cells++;
          /* Each step projects forward and back. */
          product_flops += 2 * steps * proj_flops;
        }
  cells += isnan (id->baseline_train_acc);
  estimate.flops = cells * one.flops + product_flops;
  what = g_strdup_printf (_("The sweep (%s projections up to d = %" G_GINT64_FORMAT " of %" G_GSIZE_FORMAT
                            " parameters)"), relief_enum_to_nick (RELIEF_TYPE_PROJECTION_KIND, job->projection),
                          d_max, D);
  if (!relief_job_check_estimate (backend, what, &estimate, error))
    return FALSE;
  if (estimate.flops >= RELIEF_JOB_TIMED_FLOPS &&
      relief_job_time_training (backend, id->spec, ds, &id->config, 0, &train_seconds) &&
      (product_seconds = relief_job_time_product (backend, product_flops)) >= 0)
    estimate.seconds = cells * train_seconds + product_seconds;
  if (cb && cb->estimate)
    cb->estimate (&estimate, cb->user_data);
  return TRUE;
}

gboolean
relief_intdim_job_run (const ReliefIntdimJob *job, const ReliefIntdimJobCallbacks *cb, GCancellable *cancellable,
                       int *cells_run, ReliefIntdim **result, GError **error)
{
  const ReliefTrainJob *base = &job->base;
  g_autoptr(ReliefOutputLock) lock = NULL;
  g_autoptr(ReliefDataset) ds = NULL;
  g_autoptr(ReliefBackend) backend = NULL;
  g_autoptr(ReliefIntdim) id = NULL;
  g_autofree float *params = NULL;
  IntdimContext ctx = { cb, { 0 } };
  ReliefTrainCallbacks tcb = { on_intdim_metrics, NULL, on_intdim_progress, &ctx };
  gsize D;

  *cells_run = 0;
  /* One sweep per file: a second one would read the same cells done and train them again. */
  if (base->output != NULL && (lock = relief_output_lock (base->output, error)) == NULL)
    return FALSE;
  ds = relief_job_open_dataset (base->dataset, &base->gen, base->max_samples, error);
  if (ds == NULL)
    return FALSE;
  if (base->train.batch_size < 1 || base->train.epochs < 1 || job->n_seeds < 1 ||
      !(base->train.optimizer.lr > 0) || !isfinite (base->train.optimizer.lr))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The batch size, epochs and seeds must be at least 1 and the learning rate positive"));
      return FALSE;
    }

  id = relief_intdim_new (job->K, job->n_seeds);
  memcpy (id->dims, job->dims, sizeof (gint64) * job->K);
  id->spec = relief_job_model_spec (ds, base->hidden, base->n_hidden, base->activation, base->loss);
  id->projection = g_strdup (relief_enum_to_nick (RELIEF_TYPE_PROJECTION_KIND, job->projection));
  id->dataset = g_strdup (base->dataset);
  id->config = base->train;
  id->gen = base->gen;
  id->has_gen = TRUE;
  id->max_samples = base->max_samples;
  id->global_baseline = job->global_baseline;
  D = relief_mlp_spec_n_params (id->spec);
  if (job->dims[job->K - 1] > (gint64) D)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The largest dimension %lld exceeds the model’s %llu parameters"),
                   (long long) job->dims[job->K - 1], (unsigned long long) D);
      return FALSE;
    }

  if (g_file_test (base->output, G_FILE_TEST_EXISTS) &&
      !intdim_resume (base->output, job->global_baseline, &id, error))
    return FALSE;

  backend = relief_job_open_backend (base->backend, cb ? cb->backend_chosen : NULL, cb ? cb->user_data : NULL,
                                     error);
  if (backend == NULL)
    return FALSE;
  g_free (id->backend);
  id->backend = g_strdup (backend->name);
  /* As relief train: a sweep too large for the memory is refused before anything of its
   * size is allocated, and a large one says what it will take. */
  if (!estimate_sweep (job, id, ds, backend, cb, error))
    return FALSE;
  params = g_try_new (float, D);
  if (params == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory for a model with %llu parameters"),
                   (unsigned long long) D);
      return FALSE;
    }
  if (cb && cb->sweep)
    cb->sweep (id, RELIEF_TRAIN_COMPLETED, cb->user_data);

  if (isnan (id->baseline_train_acc))
    {
      ReliefTrainStatus st;

      /* The baseline's accuracy must be the whole sets' at the final parameters, as each
       * subspace training's is: its rows are evaluated in full, only at epoch ends. */
      ReliefTrainConfig baseline = id->config;

      baseline.eval_every = G_MAXINT;
      baseline.eval_samples = RELIEF_EVAL_ALL;
      intdim_announce (cb, -1, 0);
      relief_mlp_init_params (id->spec, id->config.seed, params);
      st = relief_train (backend, id->spec, ds, &baseline, params, &tcb, cancellable, error);
      if (st == RELIEF_TRAIN_FAILED)
        return FALSE;
      if (st == RELIEF_TRAIN_CANCELLED)
        return !g_cancellable_set_error_if_cancelled (cancellable, error);
      id->baseline_train_acc = ctx.last.train_acc;
      id->baseline_test_acc = ctx.last.test_acc;
      (*cells_run)++;
      if (!intdim_commit (id, base->output, cb, st, error))
        return FALSE;
    }

  for (int k = 0; k < id->K; k++)
    for (int s = 0; s < id->n_seeds; s++)
      {
        gsize cell = (gsize) k * id->n_seeds + s;
        ReliefTrainConfig config = id->config;
        g_autoptr(ReliefProjection) proj = NULL;
        ReliefSubspaceResult res;
        ReliefTrainStatus st;

        if (!isnan (id->train_acc[cell]))
          continue;
        config.seed = id->config.seed + (guint64) s;
        intdim_announce (cb, k, s);
        proj = relief_projection_new (backend, job->projection, D, (gsize) id->dims[k], config.seed, error);
        if (proj == NULL)
          return FALSE;
        relief_mlp_init_params (id->spec, config.seed, params);
        st = relief_subspace_train (backend, id->spec, ds, &config, proj, params, NULL, &tcb, &res, cancellable,
                                    error);
        if (st == RELIEF_TRAIN_FAILED)
          return FALSE;
        if (st == RELIEF_TRAIN_CANCELLED)
          return !g_cancellable_set_error_if_cancelled (cancellable, error);
        id->train_acc[cell] = res.train_acc;
        id->test_acc[cell] = res.test_acc;
        id->final_loss[cell] = res.train_loss;
        (*cells_run)++;
        intdim_update_dint90 (id);
        if (!intdim_commit (id, base->output, cb, st, error))
          return FALSE;
      }
  intdim_update_dint90 (id);
  if (!relief_intdim_save (id, base->output, error))
    return FALSE;
  if (result)
    *result = g_steal_pointer (&id);
  return TRUE;
}

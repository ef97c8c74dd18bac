/* relief-hessian-file.c: Hessian spectra of a run's loss (docs/file-formats.md). */
#include "relief-hessian-file.h"
#include "relief-h5.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

ReliefHessianSpectrum *
relief_hessian_spectrum_new (gsize n_params)
{
  ReliefHessianSpectrum *hs = g_new0 (ReliefHessianSpectrum, 1);

  hs->n_params = n_params;
  hs->checkpoint = -1;
  hs->trace = hs->trace_stderr = NAN;
  return hs;
}

static void
pairs_clear (ReliefHessianPairs *pairs)
{
  g_clear_pointer (&pairs->values, g_free);
  g_clear_pointer (&pairs->vectors, g_free);
  g_clear_pointer (&pairs->residuals, g_free);
  pairs->n = 0;
}

void
relief_hessian_spectrum_free (ReliefHessianSpectrum *hs)
{
  if (hs == NULL)
    return;
  g_free (hs->run_file);
  g_free (hs->backend);
  g_free (hs->method);
  pairs_clear (&hs->largest);
  pairs_clear (&hs->smallest);
  g_free (hs->density_grid);
  g_free (hs->density);
  g_free (hs->slq_nodes);
  g_free (hs->slq_weights);
  g_free (hs);
}

/* ---- saving ---- */

static gboolean
write_scalar (hid_t file, const char *name, double value, GError **error)
{
  hsize_t one[1] = { 1 };

  return relief_h5_write_dataset (file, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, one, &value, error);
}

/* prefix "" for the largest, "smallest_" for the smallest. */
static gboolean
write_pairs (hid_t file, const char *prefix, const ReliefHessianPairs *pairs, gsize n_params, GError **error)
{
  g_autofree char *values = g_strconcat (prefix, "eigenvalues", NULL);
  g_autofree char *vectors = g_strconcat (prefix, "eigenvectors", NULL);
  g_autofree char *residuals = g_strconcat (prefix, "residuals", NULL);
  hsize_t k[1] = { pairs->n }, kd[2] = { pairs->n, n_params };

  return relief_h5_write_dataset (file, values, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, k, pairs->values, error) &&
         relief_h5_write_dataset (file, vectors, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, 2, kd, pairs->vectors, error) &&
         relief_h5_write_dataset (file, residuals, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, k, pairs->residuals,
                                  error);
}

static gboolean
write_spectrum (hid_t file, gconstpointer data, GError **error)
{
  const ReliefHessianSpectrum *hs = data;
  gboolean ok;

  ok = relief_h5_write_string_attr (file, "relief_format", relief_file_kind_name (RELIEF_FILE_KIND_HESSIAN), error) &&
       relief_h5_write_int_attr (file, "relief_format_version", RELIEF_HESSIAN_FORMAT_VERSION, error) &&
       relief_h5_write_string_attr (file, "run_file", hs->run_file, error) &&
       relief_h5_write_int_attr (file, "checkpoint", hs->checkpoint, error) &&
       relief_h5_write_int_attr (file, "n_samples", hs->n_samples, error) &&
       relief_h5_write_int_attr (file, "n_params", (gint64) hs->n_params, error) &&
       relief_h5_write_string_attr (file, "backend", hs->backend, error) &&
       relief_h5_write_string_attr (file, "method", hs->method, error) &&
       relief_h5_write_int_attr (file, "k", hs->k, error) &&
       relief_h5_write_double_attr (file, "tolerance", hs->tolerance, error) &&
       relief_h5_write_int_attr (file, "max_iterations", hs->max_iter, error) &&
       relief_h5_write_uint_attr (file, "seed", hs->seed, error);
  if (ok && hs->largest.n > 0)
    ok = write_pairs (file, "", &hs->largest, hs->n_params, error);
  if (ok && hs->smallest.n > 0)
    ok = write_pairs (file, "smallest_", &hs->smallest, hs->n_params, error);
  if (ok && hs->has_trace)
    ok = write_scalar (file, "trace", hs->trace, error) &&
         write_scalar (file, "trace_stderr", hs->trace_stderr, error) &&
         relief_h5_write_int_attr (file, "trace_probes", hs->trace_probes, error) &&
         relief_h5_write_double_attr (file, "trace_tolerance", hs->trace_tolerance, error) &&
         relief_h5_write_int_attr (file, "trace_max_probes", hs->trace_max_probes, error);
  if (ok && hs->n_grid > 0)
    {
      hsize_t grid[1] = { hs->n_grid }, nodes[2] = { hs->slq_starts, hs->slq_steps_taken };

      ok = relief_h5_write_dataset (file, "density_grid", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, grid,
                                    hs->density_grid, error) &&
           relief_h5_write_dataset (file, "density", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, grid, hs->density,
                                    error) &&
           relief_h5_write_dataset (file, "slq_nodes", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, nodes, hs->slq_nodes,
                                    error) &&
           relief_h5_write_dataset (file, "slq_weights", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, nodes,
                                    hs->slq_weights, error) &&
           relief_h5_write_int_attr (file, "slq_starts", hs->slq_starts, error) &&
           relief_h5_write_int_attr (file, "slq_steps", hs->slq_steps, error) &&
           relief_h5_write_int_attr (file, "slq_steps_taken", hs->slq_steps_taken, error) &&
           relief_h5_write_double_attr (file, "slq_broadening", hs->slq_sigma2_scale, error) &&
           relief_h5_write_double_attr (file, "slq_sigma2", hs->slq_sigma2, error);
    }
  return ok;
}

gboolean
relief_hessian_spectrum_save (const ReliefHessianSpectrum *hs, const char *path, GError **error)
{
  if (hs->run_file == NULL || hs->backend == NULL || hs->method == NULL || hs->n_params == 0)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("A Hessian spectrum needs its run file, backend, method and parameter count to be saved"));
      return FALSE;
    }
  return relief_h5_save_atomic (path, write_spectrum, hs, error);
}

/* ---- loading ---- */

static gboolean
read_scalar (hid_t file, const char *name, double *out, GError **error)
{
  hsize_t one[1] = { 1 };
  g_autofree double *v = relief_h5_read_shaped (file, name, H5T_NATIVE_DOUBLE, sizeof (double), 1, one, error);

  if (v == NULL)
    return FALSE;
  *out = v[0];
  return TRUE;
}

/* An int attribute in [min, max]. */
static gboolean
read_bounded (hid_t file, const char *name, gint64 min, gint64 max, int *out, GError **error)
{
  gint64 v;

  if (!relief_h5_read_int_attr (file, name, &v, error) ||
      !relief_h5_check_setting (name, (double) v, (double) min, FALSE, (double) max, FALSE, error))
    return FALSE;
  *out = (int) v;
  return TRUE;
}

/* Finite values in order: descending for the largest, ascending for the smallest. */
static gboolean
check_order (const char *name, const double *values, int n, gboolean descending, GError **error)
{
  if (!relief_h5_check_values (name, values, n, -G_MAXDOUBLE, G_MAXDOUBLE, FALSE, error))
    return FALSE;
  for (int i = 1; i < n; i++)
    if (descending ? values[i] > values[i - 1] : values[i] < values[i - 1])
      {
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     descending ? _("“%s” is not descending (value %d)") : _("“%s” is not ascending (value %d)"),
                     name, i + 1);
        return FALSE;
      }
  return TRUE;
}

static gboolean
read_pairs (hid_t file, const char *prefix, gboolean descending, gsize n_params, ReliefHessianPairs *pairs,
            GError **error)
{
  g_autofree char *values = g_strconcat (prefix, "eigenvalues", NULL);
  g_autofree char *vectors = g_strconcat (prefix, "eigenvectors", NULL);
  g_autofree char *residuals = g_strconcat (prefix, "residuals", NULL);
  hsize_t dims[RELIEF_H5_MAX_RANK], kd[2];
  int rank = 0;

  if (!relief_h5_has_link (file, values))
    return TRUE;
  pairs->values = relief_h5_read_dataset (file, values, H5T_NATIVE_DOUBLE, sizeof (double), &rank, dims, error);
  if (pairs->values == NULL)
    return FALSE;
  if (rank != 1 || dims[0] < 1 || dims[0] > (hsize_t) MIN (n_params, G_MAXINT))
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("“%s” must hold 1 to %" G_GSIZE_FORMAT " values, one per eigenpair"), values, n_params);
      return FALSE;
    }
  pairs->n = (int) dims[0];
  kd[0] = dims[0];
  kd[1] = n_params;
  /* The vectors' shape is checked against the file's declaration before the read
   * allocates (relief_h5_read_dataset refuses more than the memory available). */
  return (pairs->vectors = relief_h5_read_shaped (file, vectors, H5T_NATIVE_FLOAT, sizeof (float), 2, kd, error)) != NULL &&
         (pairs->residuals = relief_h5_read_shaped (file, residuals, H5T_NATIVE_DOUBLE, sizeof (double), 1, dims, error)) !=
           NULL &&
         check_order (values, pairs->values, pairs->n, descending, error) &&
         relief_h5_check_values (residuals, pairs->residuals, pairs->n, 0, G_MAXDOUBLE, FALSE, error) &&
         relief_h5_check_finite (vectors, pairs->vectors, (gsize) pairs->n * n_params, error);
}

static gboolean
read_trace (hid_t file, ReliefHessianSpectrum *hs, GError **error)
{
  if (!relief_h5_has_link (file, "trace"))
    return TRUE;
  hs->has_trace = TRUE;
  return read_scalar (file, "trace", &hs->trace, error) &&
         read_scalar (file, "trace_stderr", &hs->trace_stderr, error) &&
         read_bounded (file, "trace_probes", 1, G_MAXINT, &hs->trace_probes, error) &&
         relief_h5_read_double_attr (file, "trace_tolerance", &hs->trace_tolerance, error) &&
         read_bounded (file, "trace_max_probes", 1, G_MAXINT, &hs->trace_max_probes, error) &&
         relief_h5_check_values ("trace", &hs->trace, 1, -G_MAXDOUBLE, G_MAXDOUBLE, FALSE, error) &&
         relief_h5_check_values ("trace_stderr", &hs->trace_stderr, 1, 0, G_MAXDOUBLE, FALSE, error) &&
         relief_h5_check_setting ("trace_tolerance", hs->trace_tolerance, 0, FALSE, G_MAXDOUBLE, FALSE, error);
}

static gboolean
read_density (hid_t file, ReliefHessianSpectrum *hs, GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK], nodes[2];
  int rank = 0;

  if (!relief_h5_has_link (file, "density_grid"))
    return TRUE;
  hs->density_grid = relief_h5_read_dataset (file, "density_grid", H5T_NATIVE_DOUBLE, sizeof (double), &rank, dims,
                                             error);
  if (hs->density_grid == NULL)
    return FALSE;
  if (rank != 1 || dims[0] < 2 || dims[0] > G_MAXINT)
    {
      g_set_error_literal (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                           _("“density_grid” must hold at least 2 values"));
      return FALSE;
    }
  hs->n_grid = (int) dims[0];
  if (!(hs->density = relief_h5_read_shaped (file, "density", H5T_NATIVE_DOUBLE, sizeof (double), 1, dims, error)) ||
      !relief_h5_check_ascending ("density_grid", hs->density_grid, hs->n_grid, error) ||
      !relief_h5_check_values ("density", hs->density, hs->n_grid, 0, G_MAXDOUBLE, FALSE, error) ||
      !read_bounded (file, "slq_starts", 1, G_MAXINT, &hs->slq_starts, error) ||
      !read_bounded (file, "slq_steps", 1, G_MAXINT, &hs->slq_steps, error) ||
      !read_bounded (file, "slq_steps_taken", 1, hs->slq_steps, &hs->slq_steps_taken, error) ||
      !relief_h5_read_double_attr (file, "slq_broadening", &hs->slq_sigma2_scale, error) ||
      !relief_h5_read_double_attr (file, "slq_sigma2", &hs->slq_sigma2, error) ||
      !relief_h5_check_setting ("slq_broadening", hs->slq_sigma2_scale, 0, TRUE, G_MAXDOUBLE, FALSE, error) ||
      !relief_h5_check_setting ("slq_sigma2", hs->slq_sigma2, 0, TRUE, G_MAXDOUBLE, FALSE, error))
    return FALSE;
  nodes[0] = hs->slq_starts;
  nodes[1] = hs->slq_steps_taken;
  return (hs->slq_nodes = relief_h5_read_shaped (file, "slq_nodes", H5T_NATIVE_DOUBLE, sizeof (double), 2, nodes, error)) &&
         (hs->slq_weights = relief_h5_read_shaped (file, "slq_weights", H5T_NATIVE_DOUBLE, sizeof (double), 2, nodes,
                                         error)) &&
         relief_h5_check_values ("slq_nodes", hs->slq_nodes, nodes[0] * nodes[1], -G_MAXDOUBLE, G_MAXDOUBLE, FALSE,
                                 error) &&
         relief_h5_check_values ("slq_weights", hs->slq_weights, nodes[0] * nodes[1], 0, 1, FALSE, error);
}

static ReliefHessianSpectrum *
spectrum_load (const char *path, GError **error)
{
  g_autoptr(ReliefHessianSpectrum) hs = NULL;
  ReliefFileKind kind;
  gint64 n_params = 0;
  hid_t file;
  gboolean ok;

  file = relief_h5_open_kind (path, &kind, error);
  if (file < 0)
    return NULL;
  if (kind != RELIEF_FILE_KIND_HESSIAN)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND,
                   _("“%s” is a %s file, not a Hessian spectrum"), path, relief_file_kind_name (kind));
      H5Fclose (file);
      return NULL;
    }
  ok = relief_h5_read_int_attr (file, "n_params", &n_params, error) &&
       relief_h5_check_setting ("n_params", (double) n_params, 1, FALSE, (double) G_MAXINT64, FALSE, error);
  if (ok)
    {
      hs = relief_hessian_spectrum_new ((gsize) n_params);
      ok = (hs->run_file = relief_h5_read_string_attr (file, "run_file", error)) != NULL &&
           (hs->backend = relief_h5_read_string_attr (file, "backend", error)) != NULL &&
           (hs->method = relief_h5_read_string_attr (file, "method", error)) != NULL &&
           read_bounded (file, "checkpoint", 0, G_MAXINT, &hs->checkpoint, error) &&
           read_bounded (file, "n_samples", 1, G_MAXINT, &hs->n_samples, error) &&
           read_bounded (file, "k", 0, G_MAXINT, &hs->k, error) &&
           relief_h5_read_double_attr (file, "tolerance", &hs->tolerance, error) &&
           read_bounded (file, "max_iterations", 1, G_MAXINT, &hs->max_iter, error) &&
           relief_h5_read_uint_attr (file, "seed", &hs->seed, error) &&
           relief_h5_check_setting ("tolerance", hs->tolerance, 0, FALSE, G_MAXDOUBLE, FALSE, error);
    }
  if (ok && strcmp (hs->method, "lanczos") != 0 && strcmp (hs->method, "power") != 0)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("“method” is “%s”, not lanczos or power"), hs->method);
      ok = FALSE;
    }
  ok = ok && read_pairs (file, "", TRUE, hs->n_params, &hs->largest, error) &&
       read_pairs (file, "smallest_", FALSE, hs->n_params, &hs->smallest, error) &&
       read_trace (file, hs, error) && read_density (file, hs, error);
  if (ok && hs->largest.n == 0 && hs->smallest.n == 0 && !hs->has_trace && hs->n_grid == 0)
    {
      g_set_error_literal (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                           _("It holds no eigenvalues, trace or density"));
      ok = FALSE;
    }
  H5Fclose (file);
  if (!ok)
    g_prefix_error (error, _("%s: "), path);
  return ok ? g_steal_pointer (&hs) : NULL;
}

ReliefHessianSpectrum *
relief_hessian_spectrum_load (const char *path, GError **error)
{
  ReliefH5Quiet quiet;
  ReliefHessianSpectrum *hs;

  relief_h5_quiet_begin (&quiet);
  hs = spectrum_load (path, error);
  relief_h5_quiet_end (&quiet);
  return hs;
}

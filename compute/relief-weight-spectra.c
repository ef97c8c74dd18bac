/* relief-weight-spectra.c: singular values, ESDs and power-law fits of weight matrices. */
#include "relief-weight-spectra.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* LAPACK's divide-and-conquer SVD as OpenBLAS exports it (Debian ships no LAPACKE header).
 * gfortran passes the length of a character argument as a trailing size_t. */
extern void dgesdd_ (const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s,
                     double *u, const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork,
                     int *iwork, int *info, size_t jobz_len);

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The KS distance between the empirical CDF of the ascending tail x[0..n) and the power
 * law of exponent alpha from xmin: the largest gap on either side of each step. */
static double
ks_distance (const double *x, int n, double xmin, double alpha)
{
  double d = 0;

  for (int i = 0; i < n; i++)
    {
      double model = 1.0 - pow (x[i] / xmin, 1.0 - alpha);

      d = MAX (d, MAX ((double) (i + 1) / n - model, model - (double) i / n));
    }
  return d;
}

static void
fit_clear (ReliefPowerLawFit *fit)
{
  fit->alpha = fit->alpha_stderr = fit->xmin = fit->ks_distance = NAN;
  fit->n_tail = 0;
}

/* The maximum-likelihood fit of the ascending tail x[0..n) (all >= xmin) from xmin, given
 * sum_log = sum ln x_i. */
static void
fit_tail (const double *x, int n, double xmin, double sum_log, ReliefPowerLawFit *fit)
{
  double spread = sum_log - n * log (xmin);

  fit_clear (fit);
  fit->xmin = xmin;
  fit->n_tail = n;
  if (n < 1 || !(spread > 0))
    return;
  fit->alpha = 1.0 + n / spread;
  fit->alpha_stderr = (fit->alpha - 1.0) / sqrt (n);
  fit->ks_distance = ks_distance (x, n, xmin, fit->alpha);
}

static double *
sorted_copy (const double *values, int n)
{
  double *x = g_memdup2 (values, (gsize) n * sizeof (double));

  qsort (x, n, sizeof (double), compare_double);
  return x;
}

void
relief_power_law_fit_at (const double *values, int n, double xmin, ReliefPowerLawFit *fit)
{
  g_autofree double *x = NULL;
  double sum_log = 0;
  int first = 0;

  fit_clear (fit);
  fit->xmin = xmin;
  if (n < 1 || !(xmin > 0))
    return;
  x = sorted_copy (values, n);
  while (first < n && x[first] < xmin)
    first++;
  if (first == n)
    return;
  for (int i = first; i < n; i++)
    sum_log += log (x[i]);
  fit_tail (x + first, n - first, xmin, sum_log, fit);
}

void
relief_power_law_fit (const double *values, int n, ReliefPowerLawFit *fit)
{
  g_autofree double *x = NULL, *suffix_log = NULL;
  ReliefPowerLawFit candidate;

  fit_clear (fit);
  if (n < 2)
    return;
  x = sorted_copy (values, n);
  if (!(x[0] > 0))
    return;
  suffix_log = g_new (double, n + 1);
  suffix_log[n] = 0;
  for (int i = n - 1; i >= 0; i--)
    suffix_log[i] = suffix_log[i + 1] + log (x[i]);
  /* Every distinct value below the largest, at its first occurrence; the smallest distance
   * wins, ties to the longer tail. */
  for (int k = 0; k < n && x[k] < x[n - 1]; k++)
    {
      if (k > 0 && x[k] == x[k - 1])
        continue;
      fit_tail (x + k, n - k, x[k], suffix_log[k], &candidate);
      if (isnan (candidate.alpha))
        continue;
      if (isnan (fit->alpha) || candidate.ks_distance < fit->ks_distance)
        *fit = candidate;
    }
}

gboolean
relief_singular_values (const float *a, int rows, int cols, double *sv, GError **error)
{
  /* Row-major rows x cols is column-major cols x rows (the transpose): same values. */
  int m = cols, n = rows, lda = MAX (1, cols), one = 1, lwork = -1, info = 0;
  gsize count = (gsize) rows * cols;
  g_autofree double *copy = NULL, *work = NULL;
  g_autofree int *iwork = NULL;
  double query = 0, u = 0, vt = 0;

  g_return_val_if_fail (rows >= 1 && cols >= 1, FALSE);

  copy = g_new (double, count);
  for (gsize i = 0; i < count; i++)
    copy[i] = a[i];
  iwork = g_new (int, 8 * (gsize) MIN (rows, cols));
  dgesdd_ ("N", &m, &n, copy, &lda, sv, &u, &one, &vt, &one, &query, &lwork, iwork, &info, 1);
  if (info == 0)
    {
      lwork = (int) query;
      work = g_new (double, MAX (1, lwork));
      dgesdd_ ("N", &m, &n, copy, &lda, sv, &u, &one, &vt, &one, work, &lwork, iwork, &info, 1);
    }
  if (info != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The singular value decomposition of a %d × %d matrix failed (LAPACK dgesdd: %d)"), rows, cols,
                   info);
      return FALSE;
    }
  return TRUE;
}

double
relief_marchenko_pastur_edge (int rows, int cols, double sigma2)
{
  double big = MAX (rows, cols), small = MIN (rows, cols);
  double q = big / small;

  return big * sigma2 * (1.0 + 1.0 / sqrt (q)) * (1.0 + 1.0 / sqrt (q));
}

static double
entry_variance (const float *w, gsize count)
{
  double mean = 0, ss = 0;

  for (gsize i = 0; i < count; i++)
    mean += w[i];
  mean /= count;
  for (gsize i = 0; i < count; i++)
    ss += (w[i] - mean) * (w[i] - mean);
  return ss / count;
}

gboolean
relief_layer_spectrum_compute (const float *w, int rows, int cols, ReliefLayerSpectrum *s, GError **error)
{
  double sum = 0;

  memset (s, 0, sizeof *s);
  s->rows = rows;
  s->cols = cols;
  s->n = MIN (rows, cols);
  s->singular_values = g_new (double, s->n);
  s->esd = g_new (double, s->n);
  if (!relief_singular_values (w, rows, cols, s->singular_values, error))
    {
      relief_layer_spectrum_clear (s);
      return FALSE;
    }
  for (int i = 0; i < s->n; i++)
    {
      s->esd[i] = s->singular_values[i] * s->singular_values[i];
      sum += s->esd[i];
      if (s->esd[i] >= RELIEF_ESD_THRESHOLD)
        s->n_fitted++;
    }
  /* Descending, so the fitted eigenvalues are the first n_fitted. */
  relief_power_law_fit (s->esd, s->n_fitted, &s->fit);
  s->lambda_max = s->esd[0];
  if (s->lambda_max > 0)
    {
      s->log_spectral_norm = log10 (s->lambda_max);
      s->weighted_alpha = s->fit.alpha * s->log_spectral_norm;
      s->stable_rank = sum / s->lambda_max;
    }
  else
    s->log_spectral_norm = s->weighted_alpha = s->stable_rank = NAN;
  s->entry_variance = entry_variance (w, (gsize) rows * cols);
  s->mp_edge = relief_marchenko_pastur_edge (rows, cols, s->entry_variance);
  return TRUE;
}

void
relief_layer_spectrum_clear (ReliefLayerSpectrum *s)
{
  g_clear_pointer (&s->singular_values, g_free);
  g_clear_pointer (&s->esd, g_free);
}

gboolean
relief_weight_spectra (const ReliefMlpSpec *spec, const float *params, ReliefLayerSpectrum *spectra, GError **error)
{
  for (int l = 0; l < spec->n_layers; l++)
    if (!relief_layer_spectrum_compute (params + relief_mlp_spec_weight_offset (spec, l), spec->sizes[l + 1],
                                        spec->sizes[l], &spectra[l], error))
      {
        for (int k = 0; k < l; k++)
          relief_layer_spectrum_clear (&spectra[k]);
        return FALSE;
      }
  return TRUE;
}

gboolean
relief_weight_top_singular_values (const ReliefMlpSpec *spec, const float *params, double *top, GError **error)
{
  for (int l = 0; l < spec->n_layers; l++)
    {
      int rows = spec->sizes[l + 1], cols = spec->sizes[l];
      g_autofree double *sv = g_new (double, MIN (rows, cols));

      if (!relief_singular_values (params + relief_mlp_spec_weight_offset (spec, l), rows, cols, sv, error))
        return FALSE;
      top[l] = sv[0];
    }
  return TRUE;
}

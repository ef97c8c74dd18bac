/* relief-weight-spectra.h: the spectra of an MLP's weight matrices, as WeightWatcher
 * (Martin and Mahoney) computes them, on the CPU.
 *
 * For each weight matrix W of a flat parameter vector (relief-mlp.h: W_l row-major
 * [out, in]), in double precision:
 * - its singular values, all min(out, in) of them, by LAPACK's dgesdd (OpenBLAS's);
 * - the empirical spectral density (ESD): the eigenvalues lambda_i = sigma_i^2 of W^T W,
 *   unnormalized (WeightWatcher's default), the min(out, in) that are not structurally
 *   zero (W^T W and W W^T share them; the larger of the two has |out - in| zeros more);
 * - a power law p(lambda) ~ lambda^-alpha fitted to the tail of the ESD, after dropping the
 *   eigenvalues below RELIEF_ESD_THRESHOLD (1e-5): continuous maximum likelihood
 *   alpha = 1 + n / sum_i ln(lambda_i / xmin) over the n eigenvalues >= xmin, with xmin the
 *   eigenvalue whose tail has the smallest Kolmogorov-Smirnov distance
 *   D = max |S(lambda) - P(lambda)| between the tail's empirical CDF S and the fitted
 *   P(lambda) = 1 - (lambda / xmin)^(1 - alpha) (Clauset, Shalizi and Newman 2009); every
 *   distinct eigenvalue but the largest is a candidate, so a tail has 2 or more.  Its
 *   standard error is (alpha - 1) / sqrt(n);
 * - the metrics derived from them: lambda_max, weighted alpha = alpha log10 lambda_max,
 *   log spectral norm = log10 lambda_max, stable rank = sum lambda_i / lambda_max
 *   (||W||_F^2 / ||W||_2^2);
 * - the Marchenko-Pastur bulk edge for the layer's shape, in the same unnormalized
 *   convention: with N = max(out, in), M = min(out, in), Q = N / M >= 1 and sigma^2 the
 *   empirical variance of W's entries (about their mean), a random matrix of that shape
 *   and variance has its eigenvalues of W^T W below
 *   lambda_+ = N sigma^2 (1 + Q^(-1/2))^2 = sigma^2 (sqrt(N) + sqrt(M))^2
 *   (the edge of X = W^T W / N, sigma^2 (1 + Q^(-1/2))^2, times N).  Eigenvalues above it
 *   are what training put into W beyond noise of its scale.
 */
#pragma once

#include <glib.h>
#include "relief-mlp.h"

G_BEGIN_DECLS

#define RELIEF_ESD_THRESHOLD 1e-5

/* A power-law fit of the tail of a sample. */
typedef struct {
  double alpha;          /* NaN when there is no tail to fit (fewer than 2 distinct values) */
  double alpha_stderr;   /* (alpha - 1) / sqrt(n_tail) */
  double xmin;
  double ks_distance;    /* between the tail's empirical CDF and the fitted one */
  int    n_tail;         /* values >= xmin */
} ReliefPowerLawFit;

/* The fit at a given xmin (values below it ignored; alpha NaN when no value is above
 * xmin or all that are equal it).  values in any order. */
void     relief_power_law_fit_at (const double *values, int n, double xmin, ReliefPowerLawFit *fit);
/* The fit with xmin chosen by the smallest KS distance among the values (see above). */
void     relief_power_law_fit    (const double *values, int n, ReliefPowerLawFit *fit);

/* All min(rows, cols) singular values of the row-major rows x cols matrix a, descending,
 * into sv.  FALSE with an error when LAPACK fails to converge. */
gboolean relief_singular_values  (const float *a, int rows, int cols, double *sv, GError **error);

/* The Marchenko-Pastur edge lambda_+ for a rows x cols matrix of entries of variance
 * sigma2, in the unnormalized convention of the top of this file. */
double   relief_marchenko_pastur_edge (int rows, int cols, double sigma2);

/* The spectrum of one weight matrix. */
typedef struct {
  int     rows, cols;          /* out, in: W is [rows, cols] */
  int     n;                   /* min(rows, cols) */
  double *singular_values;     /* [n], descending */
  double *esd;                 /* [n], the eigenvalues of W^T W, sigma_i^2, descending */
  int     n_fitted;            /* eigenvalues >= RELIEF_ESD_THRESHOLD, what the fit saw */
  ReliefPowerLawFit fit;
  double  lambda_max;          /* esd[0] */
  double  weighted_alpha;      /* alpha log10 lambda_max */
  double  log_spectral_norm;   /* log10 lambda_max */
  double  stable_rank;         /* sum esd / lambda_max; NaN for a zero matrix */
  double  entry_variance;      /* sigma^2 of the entries */
  double  mp_edge;             /* relief_marchenko_pastur_edge (rows, cols, entry_variance) */
} ReliefLayerSpectrum;

/* Fills spectrum (its arrays allocated here) for the row-major rows x cols matrix w. */
gboolean relief_layer_spectrum_compute (const float *w, int rows, int cols, ReliefLayerSpectrum *spectrum,
                                        GError **error);
/* Frees the arrays, not the struct. */
void     relief_layer_spectrum_clear   (ReliefLayerSpectrum *spectrum);

/* The spectra of every weight matrix of params (the spec's flat layout): spectra[L],
 * L = spec->n_layers, each cleared with relief_layer_spectrum_clear. */
gboolean relief_weight_spectra (const ReliefMlpSpec *spec, const float *params, ReliefLayerSpectrum *spectra,
                                GError **error);

/* The largest singular value of each weight matrix of params, into top [L], by the SVD
 * (exact, and for the MLPs Relief trains a few milliseconds a layer). */
gboolean relief_weight_top_singular_values (const ReliefMlpSpec *spec, const float *params, double *top,
                                            GError **error);

G_END_DECLS

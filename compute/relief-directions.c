/* relief-directions.c: random, PCA and line directions for loss-landscape slices. */
#include "relief-directions.h"
#include <glib/gi18n-lib.h>
#include "relief-rng.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

/* Rescales d[0..n) to the norm of w[0..n).  The 1e-10 follows the reference tool and
 * guards an all-zero draw. */
static void
rescale_to (const float *w, float *d, gsize n)
{
  double w_sq = 0.0, d_sq = 0.0, factor;

  for (gsize i = 0; i < n; i++)
    {
      w_sq += (double) w[i] * w[i];
      d_sq += (double) d[i] * d[i];
    }
  factor = sqrt (w_sq) / (sqrt (d_sq) + 1e-10);
  for (gsize i = 0; i < n; i++)
    d[i] = (float) (d[i] * factor);
}

void
relief_direction_random (const ReliefMlpSpec *spec, const float *weights, guint64 seed,
                         ReliefNormalization norm, ReliefBiasMode bias, float *dir_out)
{
  relief_rng_normal_fill (seed, 0, dir_out, relief_mlp_spec_n_params (spec));

  for (int l = 0; l < spec->n_layers; l++)
    {
      int in = spec->sizes[l], out = spec->sizes[l + 1];
      gsize w_off = relief_mlp_spec_weight_offset (spec, l);
      gsize b_off = relief_mlp_spec_bias_offset (spec, l);

      if (norm == RELIEF_NORM_FILTER)
        for (int r = 0; r < out; r++)
          rescale_to (weights + w_off + (gsize) r * in, dir_out + w_off + (gsize) r * in, in);
      else if (norm == RELIEF_NORM_LAYER)
        rescale_to (weights + w_off, dir_out + w_off, (gsize) out * in);

      /* Rank-1 tensors follow the bias mode whatever the normalization, as in the
       * reference tool. */
      if (bias == RELIEF_BIAS_ZERO)
        memset (dir_out + b_off, 0, sizeof (float) * out);
      else
        memcpy (dir_out + b_off, weights + b_off, sizeof (float) * out);
    }
}

void
relief_direction_line (gsize n_params, const float *from, const float *to, float *dir_out)
{
  for (gsize i = 0; i < n_params; i++)
    dir_out[i] = to[i] - from[i];
}

/* Cyclic Jacobi rotations on the symmetric n x n matrix a (destroyed): eigenvalues into
 * values, eigenvectors into the columns of vectors.  T is a few hundred at most, so the
 * O(n^3) sweeps cost nothing next to forming the Gram matrix. */
static void
jacobi_eigen (double *a, int n, double *values, double *vectors)
{
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      vectors[i * n + j] = i == j ? 1.0 : 0.0;

  for (int sweep = 0; sweep < 100; sweep++)
    {
      double off = 0.0, total = 0.0;

      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
          {
            total += a[i * n + j] * a[i * n + j];
            if (i != j)
              off += a[i * n + j] * a[i * n + j];
          }
      if (off <= 1e-30 * total)
        break;
      for (int p = 0; p < n; p++)
        for (int q = p + 1; q < n; q++)
          {
            double apq = a[p * n + q], theta, t, c, s;

            if (fabs (apq) < 1e-300)
              continue;
            theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
            t = (theta >= 0 ? 1.0 : -1.0) / (fabs (theta) + sqrt (theta * theta + 1.0));
            c = 1.0 / sqrt (t * t + 1.0);
            s = t * c;
            for (int k = 0; k < n; k++)
              {
                double akp = a[k * n + p], akq = a[k * n + q];

                a[k * n + p] = c * akp - s * akq;
                a[k * n + q] = s * akp + c * akq;
              }
            for (int k = 0; k < n; k++)
              {
                double apk = a[p * n + k], aqk = a[q * n + k];

                a[p * n + k] = c * apk - s * aqk;
                a[q * n + k] = s * apk + c * aqk;
              }
            for (int k = 0; k < n; k++)
              {
                double vkp = vectors[k * n + p], vkq = vectors[k * n + q];

                vectors[k * n + p] = c * vkp - s * vkq;
                vectors[k * n + q] = s * vkp + c * vkq;
              }
          }
    }
  for (int i = 0; i < n; i++)
    values[i] = a[i * n + i];
}

gboolean
relief_direction_pca (gsize n_params, const float *snapshots, int n_snapshots, const float *center,
                      float *xdir, float *ydir, double ratio[2], double *proj_x, double *proj_y,
                      GError **error)
{
  int t_count = n_snapshots;
  g_autofree double *mean = NULL, *gram = NULL, *values = NULL, *vectors = NULL;
  double trace = 0.0;
  int best[2] = { -1, -1 };
  float *dirs[2] = { xdir, ydir };

  if (t_count < 3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("PCA directions need at least 3 snapshots in the run (it has %d)"), t_count);
      return FALSE;
    }

  /* Mean offset from the center, removed before the Gram matrix as sklearn does. */
  mean = g_new0 (double, n_params);
  for (int t = 0; t < t_count; t++)
    for (gsize i = 0; i < n_params; i++)
      mean[i] += (double) snapshots[(gsize) t * n_params + i] - center[i];
  for (gsize i = 0; i < n_params; i++)
    mean[i] /= t_count;

  gram = g_new0 (double, (gsize) t_count * t_count);
  for (int s = 0; s < t_count; s++)
    for (int t = s; t < t_count; t++)
      {
        const float *ps = snapshots + (gsize) s * n_params, *pt = snapshots + (gsize) t * n_params;
        double sum = 0.0;

        for (gsize i = 0; i < n_params; i++)
          sum += ((double) ps[i] - center[i] - mean[i]) * ((double) pt[i] - center[i] - mean[i]);
        gram[s * t_count + t] = gram[t * t_count + s] = sum;
      }
  for (int t = 0; t < t_count; t++)
    trace += gram[t * t_count + t];

  values = g_new (double, t_count);
  vectors = g_new (double, (gsize) t_count * t_count);
  jacobi_eigen (gram, t_count, values, vectors);
  for (int k = 0; k < t_count; k++)
    {
      if (best[0] < 0 || values[k] > values[best[0]])
        {
          best[1] = best[0];
          best[0] = k;
        }
      else if (best[1] < 0 || values[k] > values[best[1]])
        best[1] = k;
    }
  if (!(trace > 0) || !(values[best[1]] > 1e-12 * trace))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The trajectory does not span two dimensions; PCA directions are undefined"));
      return FALSE;
    }

  for (int c = 0; c < 2; c++)
    {
      int k = best[c], biggest = 0;
      double scale, norm_sq = 0.0;

      /* sklearn's sign rule: the largest weight over the snapshots is positive. */
      for (int t = 1; t < t_count; t++)
        if (fabs (vectors[t * t_count + k]) > fabs (vectors[biggest * t_count + k]))
          biggest = t;
      scale = (vectors[biggest * t_count + k] < 0 ? -1.0 : 1.0) / sqrt (values[k]);

      /* Principal axis = (centered rows)^T v / sqrt(lambda): unit norm by construction;
       * renormalized in double to absorb rounding. */
      for (gsize i = 0; i < n_params; i++)
        {
          double sum = 0.0;

          for (int t = 0; t < t_count; t++)
            sum += vectors[t * t_count + k] * ((double) snapshots[(gsize) t * n_params + i] - center[i] - mean[i]);
          dirs[c][i] = (float) (sum * scale);
          norm_sq += (double) dirs[c][i] * dirs[c][i];
        }
      for (gsize i = 0; i < n_params; i++)
        dirs[c][i] = (float) (dirs[c][i] / sqrt (norm_sq));
      ratio[c] = values[k] / trace;
    }

  /* loss-landscape projects the uncentered offsets, so the center sits at (0, 0). */
  for (int t = 0; t < t_count; t++)
    {
      const float *p = snapshots + (gsize) t * n_params;
      double px = 0.0, py = 0.0;

      for (gsize i = 0; i < n_params; i++)
        {
          double offset = (double) p[i] - center[i];

          px += offset * xdir[i];
          py += offset * ydir[i];
        }
      proj_x[t] = px;
      proj_y[t] = py;
    }
  return TRUE;
}

void
relief_direction_random_filter (const ReliefMlpSpec *spec, const float *weights, guint64 seed, float *dir_out)
{
  relief_direction_random (spec, weights, seed, RELIEF_NORM_FILTER, RELIEF_BIAS_ZERO, dir_out);
}

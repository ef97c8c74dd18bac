/* relief-decision.c: the model's forward pass over a grid of its input plane. */
#include "relief-decision.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>

/* Rows per forward pass: a 200 x 200 grid in a few passes, small enough for any device. */
#define GRID_BATCH 4096

static double
grid_coord (double lo, double hi, int n, int i)
{
  return n > 1 ? lo + (hi - lo) * i / (n - 1) : lo;
}

gboolean
relief_mlp_predict_grid (ReliefBackend *backend, const ReliefMlpSpec *spec, const float *params_host,
                         double xmin, double xmax, double ymin, double ymax, int nx, int ny,
                         int *class_out, float *confidence_out, GError **error)
{
  g_autoptr(ReliefMlp) mlp = NULL;
  gsize n_params = relief_mlp_spec_n_params (spec), n = (gsize) MAX (nx, 0) * MAX (ny, 0);
  int n_out = spec->sizes[spec->n_layers], batch = (int) MIN (n, GRID_BATCH);
  float *params = NULL, *x = NULL;
  int32_t *labels = NULL;
  g_autofree float *x_host = NULL, *logits = NULL;
  gboolean ok = FALSE;

  if (spec->sizes[0] != 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Decision boundaries need a model with 2 inputs; this one takes %d"), spec->sizes[0]);
      return FALSE;
    }
  if (nx < 1 || ny < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A decision grid needs at least one point each way (got %d x %d)"), nx, ny);
      return FALSE;
    }

  mlp = relief_mlp_new (backend, spec, batch, error);
  if (mlp == NULL)
    return FALSE;
  /* The forward pass wants labels for its loss; zeros do, and the loss goes unused. */
  if (!(params = backend->alloc (backend, n_params * sizeof (float), error))
      || !(x = backend->alloc (backend, (gsize) batch * 2 * sizeof (float), error))
      || !(labels = backend->alloc (backend, (gsize) batch * sizeof (int32_t), error))
      || !backend->upload (backend, params, params_host, n_params * sizeof (float), error))
    goto out;

  x_host = g_new (float, (gsize) batch * 2);
  logits = g_new (float, (gsize) batch * n_out);
  for (gsize start = 0; start < n; start += batch)
    {
      int rows = (int) MIN ((gsize) batch, n - start);
      double loss;
      int correct;

      for (int r = 0; r < rows; r++)
        {
          gsize k = start + r;

          x_host[2 * r] = (float) grid_coord (xmin, xmax, nx, (int) (k % nx));
          x_host[2 * r + 1] = (float) grid_coord (ymin, ymax, ny, (int) (k / nx));
        }
      if (!backend->upload (backend, x, x_host, (gsize) rows * 2 * sizeof (float), error)
          || !relief_mlp_forward (mlp, params, x, labels, rows, &loss, &correct, error)
          || !backend->download (backend, logits, relief_mlp_get_logits (mlp), (gsize) rows * n_out * sizeof (float),
                                 error))
        goto out;

      for (int r = 0; r < rows; r++)
        {
          const float *l = logits + (gsize) r * n_out;
          int best = 0;
          double sum = 0;

          for (int c = 1; c < n_out; c++)
            if (l[c] > l[best])
              best = c;
          /* Softmax of the winner, shifted by the largest logit so nothing overflows. */
          for (int c = 0; c < n_out; c++)
            sum += exp ((double) l[c] - l[best]);
          class_out[start + r] = best;
          if (confidence_out)
            confidence_out[start + r] = (float) (1 / sum);
        }
    }
  ok = TRUE;

out:
  if (labels)
    backend->free (backend, labels);
  if (x)
    backend->free (backend, x);
  if (params)
    backend->free (backend, params);
  return ok;
}

void
relief_decision_map_free (ReliefDecisionMap *map)
{
  if (map == NULL)
    return;
  g_free (map->classes);
  g_free (map->confidence);
  g_free (map->samples);
  g_free (map->labels);
  g_free (map);
}

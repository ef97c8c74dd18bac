/* relief-backend-cpu.c: the reference backend, host memory and OpenBLAS.
 *
 * Elementwise kernels are plain loops the compiler vectorizes; reductions run in a fixed
 * order on one thread so results are bit-for-bit reproducible. */
#include "relief-backend.h"
#include "relief-mlp.h"
#include "relief-rng.h"

#include <cblas.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Deferred reductions wait here for fetch. */
typedef struct {
  gboolean has_loss, has_dot;
  double   loss_sum, dot;
  int      correct;
  GError  *loss_error;
} CpuPending;

static void
cpu_destroy (ReliefBackend *self)
{
  CpuPending *pending = self->priv;

  g_clear_error (&pending->loss_error);
  g_free (pending);
  g_free (self);
}

static gpointer
cpu_alloc (ReliefBackend *self, gsize bytes, GError **error)
{
  /* g_try_malloc0 (0) returns NULL, which callers would read as a failure. */
  gpointer buf = g_try_malloc0 (MAX (bytes, 1));

  if (buf == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 _("Out of memory allocating %llu bytes"), (unsigned long long) bytes);
  return buf;
}

static void
cpu_free (ReliefBackend *self, gpointer buf)
{
  g_free (buf);
}

static gboolean
cpu_memcpy (ReliefBackend *self, gpointer dst, gconstpointer src, gsize bytes, GError **error)
{
  if (bytes > 0)
    memmove (dst, src, bytes);
  return TRUE;
}

static gboolean
cpu_sync (ReliefBackend *self, GError **error)
{
  return TRUE;
}

static gboolean
cpu_gemm (ReliefBackend *self, gboolean trans_a, gboolean trans_b, int m, int n, int k, float alpha,
          const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc, GError **error)
{
  if (m < 0 || n < 0 || k < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("gemm with negative dimensions (%d, %d, %d)"), m, n, k);
      return FALSE;
    }
  if (m == 0 || n == 0)
    return TRUE;
  /* A matrix times one vector (Lanczos's projections on its whole basis): OpenBLAS 0.3.21's
   * sgemm would pack all of A for a single column, gemv streams it once. */
  if (n == 1 && k > 0)
    {
      if (trans_a)
        cblas_sgemv (CblasRowMajor, CblasTrans, k, m, alpha, a, lda, b, trans_b ? 1 : ldb, beta, c, ldc);
      else
        cblas_sgemv (CblasRowMajor, CblasNoTrans, m, k, alpha, a, lda, b, trans_b ? 1 : ldb, beta, c, ldc);
      return TRUE;
    }
  cblas_sgemm (CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
               m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  return TRUE;
}

/* OpenBLAS 0.3.21 has no batched sgemm in its CBLAS; the batch is a loop, each product
 * already multithreaded inside. */
static gboolean
cpu_gemm_strided_batched (ReliefBackend *self, gboolean trans_a, gboolean trans_b, int m, int n, int k,
                          float alpha, const float *a, int lda, gint64 stride_a,
                          const float *b, int ldb, gint64 stride_b,
                          float beta, float *c, int ldc, gint64 stride_c, int batch_count, GError **error)
{
  if (batch_count < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("gemm with a negative batch count (%d)"), batch_count);
      return FALSE;
    }
  for (int i = 0; i < batch_count; i++)
    if (!cpu_gemm (self, trans_a, trans_b, m, n, k, alpha, a + i * stride_a, lda, b + i * stride_b, ldb,
                   beta, c + i * stride_c, ldc, error))
      return FALSE;
  return TRUE;
}

static gboolean
cpu_fill (ReliefBackend *self, float *x, gsize n, float value, GError **error)
{
  for (gsize i = 0; i < n; i++)
    x[i] = value;
  return TRUE;
}

static gboolean
cpu_scale (ReliefBackend *self, float *x, gsize n, float alpha, GError **error)
{
  for (gsize i = 0; i < n; i++)
    x[i] *= alpha;
  return TRUE;
}

static gboolean
cpu_axpy (ReliefBackend *self, gsize n, float alpha, const float *x, float *y, GError **error)
{
  for (gsize i = 0; i < n; i++)
    y[i] += alpha * x[i];
  return TRUE;
}

static gboolean
cpu_axpby_add (ReliefBackend *self, gsize n, const float *a, float alpha, const float *x,
               float beta, const float *y, float *out, GError **error)
{
  for (gsize i = 0; i < n; i++)
    out[i] = a[i] + alpha * x[i] + beta * y[i];
  return TRUE;
}

static gboolean
cpu_add_bias (ReliefBackend *self, float *x, const float *bias, int rows, int cols, GError **error)
{
  for (int r = 0; r < rows; r++)
    {
      float *row = x + (gsize) r * cols;

      for (int c = 0; c < cols; c++)
        row[c] += bias[c];
    }
  return TRUE;
}

static gboolean
unknown_activation (ReliefActivation act, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown activation %d"), (int) act);
  return FALSE;
}

static gboolean
cpu_act_forward (ReliefBackend *self, ReliefActivation act, const float *x, float *y, gsize n, GError **error)
{
  switch (act)
    {
    case RELIEF_ACT_RELU:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      return TRUE;
    case RELIEF_ACT_LEAKY_RELU:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : RELIEF_LEAKY_RELU_SLOPE * x[i];
      return TRUE;
    case RELIEF_ACT_TANH:
      for (gsize i = 0; i < n; i++)
        y[i] = tanhf (x[i]);
      return TRUE;
    case RELIEF_ACT_GELU:
      for (gsize i = 0; i < n; i++)
        y[i] = 0.5f * x[i] * (1.0f + erff (x[i] * (float) M_SQRT1_2));
      return TRUE;
    default:
      return unknown_activation (act, error);
    }
}

static gboolean
cpu_act_backward (ReliefBackend *self, ReliefActivation act, const float *x, const float *dy, float *dx,
                  gsize n, GError **error)
{
  /* 1 / sqrt(2 pi), for the standard normal density in GELU's derivative. */
  const float inv_sqrt_2pi = 0.3989422804014327f;

  switch (act)
    {
    /* dy read whatever the sign, so that the loop vectorizes (a conditional load would not). */
    case RELIEF_ACT_RELU:
      for (gsize i = 0; i < n; i++)
        {
          float d = dy[i];

          dx[i] = x[i] > 0.0f ? d : 0.0f;
        }
      return TRUE;
    case RELIEF_ACT_LEAKY_RELU:
      for (gsize i = 0; i < n; i++)
        {
          float d = dy[i];

          dx[i] = x[i] > 0.0f ? d : RELIEF_LEAKY_RELU_SLOPE * d;
        }
      return TRUE;
    case RELIEF_ACT_TANH:
      for (gsize i = 0; i < n; i++)
        {
          float t = tanhf (x[i]);

          dx[i] = dy[i] * (1.0f - t * t);
        }
      return TRUE;
    case RELIEF_ACT_GELU:
      for (gsize i = 0; i < n; i++)
        {
          float cdf = 0.5f * (1.0f + erff (x[i] * (float) M_SQRT1_2));
          float pdf = inv_sqrt_2pi * expf (-0.5f * x[i] * x[i]);

          dx[i] = dy[i] * (cdf + x[i] * pdf);
        }
      return TRUE;
    default:
      return unknown_activation (act, error);
    }
}

static gboolean
cpu_act_r_backward (ReliefBackend *self, ReliefActivation act, const float *x, const float *dy, const float *rdy,
                    const float *rx, float *out, gsize n, GError **error)
{
  const float inv_sqrt_2pi = 0.3989422804014327f;

  switch (act)
    {
    case RELIEF_ACT_RELU:
      for (gsize i = 0; i < n; i++)
        out[i] = x[i] > 0.0f ? rdy[i] : 0.0f;
      return TRUE;
    case RELIEF_ACT_LEAKY_RELU:
      for (gsize i = 0; i < n; i++)
        out[i] = x[i] > 0.0f ? rdy[i] : RELIEF_LEAKY_RELU_SLOPE * rdy[i];
      return TRUE;
    case RELIEF_ACT_TANH:
      for (gsize i = 0; i < n; i++)
        {
          float t = tanhf (x[i]);
          float d1 = 1.0f - t * t;

          /* tanh'' = -2 tanh tanh' */
          out[i] = rdy[i] * d1 - 2.0f * t * d1 * dy[i] * rx[i];
        }
      return TRUE;
    case RELIEF_ACT_GELU:
      for (gsize i = 0; i < n; i++)
        {
          float cdf = 0.5f * (1.0f + erff (x[i] * (float) M_SQRT1_2));
          float pdf = inv_sqrt_2pi * expf (-0.5f * x[i] * x[i]);

          /* gelu' = cdf + x pdf, gelu'' = pdf (2 - x^2) */
          out[i] = rdy[i] * (cdf + x[i] * pdf) + dy[i] * (pdf * (2.0f - x[i] * x[i])) * rx[i];
        }
      return TRUE;
    default:
      return unknown_activation (act, error);
    }
}

static gboolean
cpu_col_sum (ReliefBackend *self, const float *x, int rows, int cols, float *out, GError **error)
{
  for (int c = 0; c < cols; c++)
    out[c] = 0.0f;
  for (int r = 0; r < rows; r++)
    {
      const float *row = x + (gsize) r * cols;

      for (int c = 0; c < cols; c++)
        out[c] += row[c];
    }
  return TRUE;
}

static gboolean
cpu_dot (ReliefBackend *self, gsize n, const float *x, const float *y, double *out, GError **error)
{
  /* Four sums, in a fixed order (the same bits every run), so that the adds do not wait
   * on each other: the stepper's check of the parameters after every step reads this. */
  double lane[4] = { 0.0, 0.0, 0.0, 0.0 }, sum;
  gsize i = 0;

  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; k++)
      lane[k] += (double) x[i + k] * y[i + k];
  for (; i < n; i++)
    lane[0] += (double) x[i] * y[i];
  sum = (lane[0] + lane[1]) + (lane[2] + lane[3]);
  if (out == NULL)
    {
      CpuPending *pending = self->priv;

      pending->dot = sum;
      pending->has_dot = TRUE;
    }
  else
    *out = sum;
  return TRUE;
}

static gboolean
loss_now (ReliefBackend *self, int loss_kind, const float *logits, const int32_t *labels,
          int rows, int cols, int grad_scale_rows, float *dlogits,
          double *loss_sum, int *correct, GError **error)
{
  double total = 0.0;
  int n_correct = 0;

  if (loss_kind != RELIEF_LOSS_CROSS_ENTROPY && loss_kind != RELIEF_LOSS_MSE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown loss %d"), loss_kind);
      return FALSE;
    }
  if (cols < 1 || (dlogits != NULL && grad_scale_rows < 1))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Loss over %d outputs scaled by %d rows"), cols, grad_scale_rows);
      return FALSE;
    }

  for (int r = 0; r < rows; r++)
    {
      const float *z = logits + (gsize) r * cols;
      float *dz = dlogits != NULL ? dlogits + (gsize) r * cols : NULL;
      int label = labels[r];
      int best = 0;

      if (label < 0 || label >= cols)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Label %d of row %d is outside 0..%d"), label, r, cols - 1);
          return FALSE;
        }
      /* Strict comparison: ties go to the lowest index. */
      for (int c = 1; c < cols; c++)
        if (z[c] > z[best])
          best = c;
      n_correct += best == label;

      if (loss_kind == RELIEF_LOSS_CROSS_ENTROPY)
        {
          /* log-softmax shifted by the row maximum so exp() cannot overflow. */
          double max = z[best], sum = 0.0, log_sum;

          for (int c = 0; c < cols; c++)
            sum += exp ((double) z[c] - max);
          log_sum = log (sum);
          total += log_sum - ((double) z[label] - max);
          if (dz != NULL)
            for (int c = 0; c < cols; c++)
              {
                double p = exp ((double) z[c] - max - log_sum);

                dz[c] = (float) ((p - (c == label)) / grad_scale_rows);
              }
        }
      else
        {
          double row_sum = 0.0;

          for (int c = 0; c < cols; c++)
            {
              double diff = (double) z[c] - (c == label);

              row_sum += diff * diff;
              if (dz != NULL)
                dz[c] = (float) (2.0 * diff / ((double) cols * grad_scale_rows));
            }
          total += row_sum / cols;
        }
    }
  *loss_sum = total;
  *correct = n_correct;
  return TRUE;
}

static gboolean
cpu_loss_r_backward (ReliefBackend *self, int loss_kind, const float *logits, const float *rlogits,
                     int rows, int cols, int grad_scale_rows, float *rdlogits, GError **error)
{
  if (loss_kind != RELIEF_LOSS_CROSS_ENTROPY && loss_kind != RELIEF_LOSS_MSE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown loss %d"), loss_kind);
      return FALSE;
    }
  if (cols < 1 || grad_scale_rows < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Loss over %d outputs scaled by %d rows"), cols, grad_scale_rows);
      return FALSE;
    }
  for (int r = 0; r < rows; r++)
    {
      const float *z = logits + (gsize) r * cols, *rz = rlogits + (gsize) r * cols;
      float *out = rdlogits + (gsize) r * cols;

      if (loss_kind == RELIEF_LOSS_CROSS_ENTROPY)
        {
          double max = z[0], sum = 0.0, pr = 0.0;

          for (int c = 1; c < cols; c++)
            max = MAX (max, (double) z[c]);
          for (int c = 0; c < cols; c++)
            sum += exp ((double) z[c] - max);
          for (int c = 0; c < cols; c++)
            pr += exp ((double) z[c] - max) / sum * rz[c];
          for (int c = 0; c < cols; c++)
            {
              double p = exp ((double) z[c] - max) / sum;

              out[c] = (float) (p * ((double) rz[c] - pr) / grad_scale_rows);
            }
        }
      else
        for (int c = 0; c < cols; c++)
          out[c] = (float) (2.0 * rz[c] / ((double) cols * grad_scale_rows));
    }
  return TRUE;
}

static gboolean
cpu_gather_rows (ReliefBackend *self, const float *src, int cols, const int *idx, int n,
                 float *dst, GError **error)
{
  for (int i = 0; i < n; i++)
    memcpy (dst + (gsize) i * cols, src + (gsize) idx[i] * cols, sizeof (float) * cols);
  return TRUE;
}

static gboolean
cpu_gather_labels (ReliefBackend *self, const int32_t *src, const int *idx, int n,
                   int32_t *dst, GError **error)
{
  for (int i = 0; i < n; i++)
    dst[i] = src[idx[i]];
  return TRUE;
}

/* Each update follows torch.optim's float32 arithmetic, so trajectories can be compared
 * with a PyTorch run step by step. */
static gboolean
cpu_optimizer_step (ReliefBackend *self, const ReliefOptimizerConfig *cfg, gint64 step, const gint64 *step_dev,
                    float *params, const float *grad, float *state, gsize n, GError **error)
{
  const float lr = cfg->lr, wd = cfg->weight_decay, mu = cfg->momentum;

  if (step_dev != NULL)
    step = *step_dev;
  if (step < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Optimizer steps count from 1 (got %lld)"), (long long) step);
      return FALSE;
    }

  switch (cfg->kind)
    {
    case RELIEF_OPT_SGD:
      for (gsize i = 0; i < n; i++)
        params[i] -= lr * (grad[i] + wd * params[i]);
      return TRUE;

    case RELIEF_OPT_MOMENTUM:
    case RELIEF_OPT_NESTEROV:
      {
        /* Distinct buffers, one loop for each kind: so the loops vectorize. */
        float *restrict p = params, *restrict velocity = state;
        const float *restrict gr = grad;

        if (cfg->kind == RELIEF_OPT_NESTEROV)
          for (gsize i = 0; i < n; i++)
            {
              float g = gr[i] + wd * p[i];
              float v = mu * velocity[i] + g;

              velocity[i] = v;
              p[i] -= lr * (g + mu * v);
            }
        else
          for (gsize i = 0; i < n; i++)
            {
              float g = gr[i] + wd * p[i];
              float v = mu * velocity[i] + g;

              velocity[i] = v;
              p[i] -= lr * v;
            }
        return TRUE;
      }

    case RELIEF_OPT_ADAM:
    case RELIEF_OPT_ADAMW:
      {
        const float b1 = cfg->beta1, b2 = cfg->beta2;
        /* Bias corrections in double, as torch computes them on the host. */
        const double bc1 = 1.0 - pow (b1, (double) step);
        const double bc2_sqrt = sqrt (1.0 - pow (b2, (double) step));
        const float step_size = (float) (lr / bc1);
        const float bc2_sqrt_f = (float) bc2_sqrt;
        gboolean decoupled = cfg->kind == RELIEF_OPT_ADAMW;
        float *m = state, *v = state + n;

        for (gsize i = 0; i < n; i++)
          {
            float g = grad[i];
            float denom;

            if (decoupled)
              params[i] *= 1.0f - lr * wd;
            else
              g += wd * params[i];
            m[i] = b1 * m[i] + (1.0f - b1) * g;
            v[i] = b2 * v[i] + (1.0f - b2) * g * g;
            denom = sqrtf (v[i]) / bc2_sqrt_f + cfg->eps;
            params[i] -= step_size * (m[i] / denom);
          }
        return TRUE;
      }

    case RELIEF_OPT_ADAGRAD:
      for (gsize i = 0; i < n; i++)
        {
          float g = grad[i] + wd * params[i];

          state[i] += g * g;
          params[i] -= lr * (g / (sqrtf (state[i]) + cfg->eps));
        }
      return TRUE;

    case RELIEF_OPT_RMSPROP:
      {
        const float alpha = cfg->beta2;
        float *sq = state, *buf = state + n;

        for (gsize i = 0; i < n; i++)
          {
            float g = grad[i] + wd * params[i];
            float d;

            sq[i] = alpha * sq[i] + (1.0f - alpha) * g * g;
            d = g / (sqrtf (sq[i]) + cfg->eps);
            if (mu > 0.0f)
              {
                buf[i] = mu * buf[i] + d;
                params[i] -= lr * buf[i];
              }
            else
              params[i] -= lr * d;
          }
        return TRUE;
      }

    case RELIEF_OPT_SIGN:
      for (gsize i = 0; i < n; i++)
        {
          float g = grad[i] + wd * params[i];

          if (mu > 0.0f)
            g = state[i] = mu * state[i] + (1.0f - mu) * g;
          params[i] -= lr * (float) ((g > 0.0f) - (g < 0.0f));
        }
      return TRUE;

    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown optimizer %d"), (int) cfg->kind);
      return FALSE;
    }
}

static gboolean
cpu_random_normal (ReliefBackend *self, float *x, gsize n, guint64 seed, guint64 offset, GError **error)
{
  relief_rng_normal_fill (seed, offset, x, n);
  return TRUE;
}

/* Free is what Linux reports as available (free plus reclaimable caches), falling back to
 * the free pages alone. */
/* A deferred loss keeps its results, or its error, for fetch, as the CUDA backend finds a
 * bad label only when it reads the results back. */
static gboolean
cpu_loss (ReliefBackend *self, int loss_kind, const float *logits, const int32_t *labels,
          int rows, int cols, int grad_scale_rows, float *dlogits,
          double *loss_sum, int *correct, GError **error)
{
  CpuPending *pending = self->priv;

  if (loss_sum != NULL || correct != NULL)
    {
      double sum;
      int n;

      if (!loss_now (self, loss_kind, logits, labels, rows, cols, grad_scale_rows, dlogits, &sum, &n, error))
        return FALSE;
      if (loss_sum != NULL)
        *loss_sum = sum;
      if (correct != NULL)
        *correct = n;
      return TRUE;
    }
  g_clear_error (&pending->loss_error);
  pending->has_loss = TRUE;
  loss_now (self, loss_kind, logits, labels, rows, cols, grad_scale_rows, dlogits, &pending->loss_sum,
            &pending->correct, &pending->loss_error);
  return TRUE;
}

static gboolean
cpu_loss_accumulate (ReliefBackend *self, int loss_kind, const float *logits, gsize stride, int count,
                     const int32_t *labels, int rows, int cols, double *acc_loss, double *acc_correct,
                     GError **error)
{
  gboolean labels_ok = TRUE;

  for (int r = 0; r < rows && labels_ok; r++)
    labels_ok = labels[r] >= 0 && labels[r] < cols;
  for (int i = 0; i < count; i++)
    {
      double total = 0.0, row_loss;
      int n_correct = 0, right;

      /* Row by row in order, as loss() adds them, skipping labels out of range; with every
       * label in range, loss() itself does just that. */
      if (labels_ok &&
          !loss_now (self, loss_kind, logits + i * stride, labels, rows, cols, rows, NULL, &total, &n_correct, error))
        return FALSE;
      for (int r = 0; r < rows && !labels_ok; r++)
        {
          if (labels[r] < 0 || labels[r] >= cols)
            continue;
          if (!loss_now (self, loss_kind, logits + i * stride + (gsize) r * cols, labels + r, 1, cols, 1, NULL,
                         &row_loss, &right, error))
            return FALSE;
          total += row_loss;
          n_correct += right;
        }
      acc_loss[i] += total;
      acc_correct[i] += n_correct;
    }
  return TRUE;
}

static gboolean
cpu_fetch (ReliefBackend *self, double *loss_sum, int *correct, double *dot, GError **error)
{
  CpuPending *pending = self->priv;
  gboolean want_loss = loss_sum != NULL || correct != NULL;

  if ((want_loss && !pending->has_loss) || (dot != NULL && !pending->has_dot))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Nothing deferred to fetch"));
      return FALSE;
    }
  if (want_loss)
    {
      pending->has_loss = FALSE;
      if (pending->loss_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&pending->loss_error));
          return FALSE;
        }
      if (loss_sum != NULL)
        *loss_sum = pending->loss_sum;
      if (correct != NULL)
        *correct = pending->correct;
    }
  if (dot != NULL)
    {
      pending->has_dot = FALSE;
      *dot = pending->dot;
    }
  return TRUE;
}

static gboolean
cpu_memory_info (ReliefBackend *self, gsize *free_bytes, gsize *total_bytes, GError **error)
{
  long pages = sysconf (_SC_PHYS_PAGES), avail = sysconf (_SC_AVPHYS_PAGES), page = sysconf (_SC_PAGESIZE);
  g_autofree char *meminfo = NULL;
  const char *line;
  unsigned long long kib;

  if (pages <= 0 || avail < 0 || page <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Cannot read the size of the memory"));
      return FALSE;
    }
  *free_bytes = (gsize) avail * (gsize) page;
  *total_bytes = (gsize) pages * (gsize) page;
  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL) &&
      (line = strstr (meminfo, "MemAvailable:")) != NULL &&
      sscanf (line, "MemAvailable: %llu kB", &kib) == 1)
    *free_bytes = MIN ((gsize) kib * 1024, *total_bytes);
  return TRUE;
}

static gboolean
cpu_csr_matvec (ReliefBackend *self, int rows, gint64 nnz, const gint64 *row_ptr, const int32_t *col_idx, const float *vals,
                const float *x, float beta, float *y, GError **error)
{
  for (int r = 0; r < rows; r++)
    {
      float sum = 0.0f;

      for (gint64 k = row_ptr[r]; k < row_ptr[r + 1]; k++)
        sum += vals[k] * x[col_idx[k]];
      y[r] = beta == 0.0f ? sum : sum + beta * y[r];
    }
  return TRUE;
}

/* The Walsh-Hadamard transform, cache-blocked: every level below FWHT_CHUNK runs inside one
 * chunk at a time (the chunk stays in L1), the rest as whole-array passes.  Levels go two
 * at a time, as one 4-point butterfly over elements h apart whose inner loop runs over
 * contiguous elements and vectorizes; each output is the same sums in the same order as
 * level by level, so the result does not depend on the grouping. */
#define FWHT_CHUNK 4096

/* Built for AVX-512, AVX2 and the baseline, picked at load time by the CPU: the baseline's
 * SSE2 is 4 floats wide. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RELIEF_VECTOR_CLONES __attribute__ ((target_clones ("avx512f", "avx2", "default")))
#else
#define RELIEF_VECTOR_CLONES
#endif

/* Levels h and 2h over x[0, n).  (Three levels at once, eight streams, is more than GCC 12
 * vectorizes: it gives up on the alias checks.) */
RELIEF_VECTOR_CLONES static void
fwht_radix4 (float *restrict x, gsize n, gsize h)
{
  for (gsize i = 0; i < n; i += 4 * h)
    {
      float *restrict v0 = x + i, *restrict v1 = v0 + h, *restrict v2 = v1 + h, *restrict v3 = v2 + h;

      for (gsize j = 0; j < h; j++)
        {
          float a0 = v0[j] + v1[j], a1 = v0[j] - v1[j], a2 = v2[j] + v3[j], a3 = v2[j] - v3[j];

          v0[j] = a0 + a2;
          v1[j] = a1 + a3;
          v2[j] = a0 - a2;
          v3[j] = a1 - a3;
        }
    }
}

/* Level h over x[0, n). */
RELIEF_VECTOR_CLONES static void
fwht_radix2 (float *restrict x, gsize n, gsize h)
{
  for (gsize i = 0; i < n; i += 2 * h)
    {
      float *restrict a = x + i, *restrict b = x + i + h;

      for (gsize j = 0; j < h; j++)
        {
          float u = a[j], v = b[j];

          a[j] = u + v;
          b[j] = u - v;
        }
    }
}

typedef float ReliefV4 __attribute__ ((vector_size (16)));

/* Levels 1, 2, 4 and 8 over x[0, n), n a multiple of 16: each group of 16 in four vectors,
 * the two lowest levels as shuffles inside a vector (a + b and a - b as a * (+-1) + b, the
 * same rounding), the next two between vectors.  Short inner loops would cost more in
 * loop overhead than in arithmetic. */
static void
fwht_16 (float *x, gsize n)
{
  const ReliefV4 s1 = { 1, -1, 1, -1 }, s2 = { 1, 1, -1, -1 };

  for (gsize i = 0; i < n; i += 16)
    {
      ReliefV4 v[4], t[4];

      memcpy (v, x + i, sizeof v);
      for (int k = 0; k < 4; k++)
        {
          /* __builtin_shufflevector: GCC 12 and clang both know it (the fuzz build is clang's). */
          v[k] = v[k] * s1 + __builtin_shufflevector (v[k], v[k], 1, 0, 3, 2);
          v[k] = v[k] * s2 + __builtin_shufflevector (v[k], v[k], 2, 3, 0, 1);
        }
      t[0] = v[0] + v[1];
      t[1] = v[0] - v[1];
      t[2] = v[2] + v[3];
      t[3] = v[2] - v[3];
      v[0] = t[0] + t[2];
      v[1] = t[1] + t[3];
      v[2] = t[0] - t[2];
      v[3] = t[1] - t[3];
      memcpy (x + i, v, sizeof v);
    }
}

/* Every level h in [h_from, h_to) over x[0, n). */
static void
fwht_levels (float *x, gsize n, gsize h_from, gsize h_to)
{
  gsize h = h_from;

  if (h == 1 && h_to >= 16 && n % 16 == 0)
    {
      fwht_16 (x, n);
      h = 16;
    }

  for (; h * 4 <= h_to; h *= 4)
    fwht_radix4 (x, n, h);
  for (; h < h_to; h *= 2)
    fwht_radix2 (x, n, h);
}

static gboolean
cpu_fwht (ReliefBackend *self, float *x, gsize n, gsize count, GError **error)
{
  gsize chunk = MIN (n, FWHT_CHUNK);

  if (n == 0 || (n & (n - 1)) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A Walsh-Hadamard transform needs a power of two, not %llu"), (unsigned long long) n);
      return FALSE;
    }
  for (gsize c = 0; c < count; c++)
    {
      float *v = x + c * n;

      for (gsize i = 0; i < n; i += chunk)
        fwht_levels (v + i, chunk, 1, chunk);
      fwht_levels (v, n, chunk, n);
    }
  return TRUE;
}

static gboolean
cpu_gather_scale (ReliefBackend *self, gsize n, const float *in, const int32_t *idx, const float *scale,
                  float alpha, float *out, GError **error)
{
  for (gsize i = 0; i < n; i++)
    {
      float v = in[idx != NULL ? (gsize) idx[i] : i];

      out[i] = scale != NULL ? alpha * scale[i] * v : alpha * v;
    }
  return TRUE;
}

ReliefBackend *
relief_backend_cpu_new (void)
{
  ReliefBackend *self = g_new0 (ReliefBackend, 1);

  self->name = "cpu";
  self->host_memory = TRUE;
  self->destroy = cpu_destroy;
  self->alloc = cpu_alloc;
  self->free = cpu_free;
  self->upload = cpu_memcpy;
  self->download = cpu_memcpy;
  self->copy = cpu_memcpy;
  self->sync = cpu_sync;
  self->gemm = cpu_gemm;
  self->gemm_strided_batched = cpu_gemm_strided_batched;
  self->fill = cpu_fill;
  self->scale = cpu_scale;
  self->axpy = cpu_axpy;
  self->axpby_add = cpu_axpby_add;
  self->add_bias = cpu_add_bias;
  self->act_forward = cpu_act_forward;
  self->act_backward = cpu_act_backward;
  self->act_r_backward = cpu_act_r_backward;
  self->loss_r_backward = cpu_loss_r_backward;
  self->col_sum = cpu_col_sum;
  self->dot = cpu_dot;
  self->loss = cpu_loss;
  self->gather_rows = cpu_gather_rows;
  self->gather_labels = cpu_gather_labels;
  self->optimizer_step = cpu_optimizer_step;
  self->random_normal = cpu_random_normal;
  self->memory_info = cpu_memory_info;
  self->fetch = cpu_fetch;
  self->loss_accumulate = cpu_loss_accumulate;
  self->priv = g_new0 (CpuPending, 1);
  self->csr_matvec = cpu_csr_matvec;
  self->fwht = cpu_fwht;
  self->gather_scale = cpu_gather_scale;
  return self;
}

/* relief-backend-cuda.c: the backend table on an NVIDIA GPU.
 *
 * gemm goes through cuBLAS, everything else through the kernels of the
 * relief-cuda-*.cu files beside it.  All work is queued on one stream; the host waits only
 * where a result comes back to it (download, dot, loss, sync), so a training step runs
 * ahead of the host until its loss is read.  Every CUDA and cuBLAS status is checked and
 * becomes a GError naming the operation; nothing here exits or aborts. */
#include "relief-backend-cuda.h"
#include "relief-cuda-activations.h"
#include "relief-cuda-elementwise.h"
#include "relief-cuda-fwht.h"
#include "relief-cuda-gather.h"
#include "relief-cuda-losses.h"
#include "relief-cuda-optimizers.h"
#include "relief-cuda-random.h"
#include "relief-cuda-reductions.h"
#include "relief-cuda-sparse.h"
#include "relief-mlp.h"

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>

/* Device scratch that grows to the largest request seen. */
typedef struct {
  gpointer buf;
  gsize    bytes;
} Scratch;

/* Deferred reductions: what fetch will find in results, and for a bad label's message
 * the loss's shape. */
typedef struct {
  gboolean loss, dot;
  int      rows, cols;
} Pending;

typedef struct {
  cudaStream_t       stream;
  cublasHandle_t     blas;
  ReliefCudaResults *results;    /* device: the scalars reductions leave behind, two slots:
                                  * [0] for deferred ones (fetch), [1] for those read at once */
  Pending            pending;
  double            *partials;   /* device: RELIEF_CUDA_DOT_MAX_BLOCKS doubles for dot */
  Scratch            loss_rows;  /* per-row loss (double) and flags (int32) */
  gpointer           blas_workspace;
  /* Graphs: while recording, what was pending before it; live graphs, and the scratch
   * buffers they may still read, kept until the last graph goes. */
  gboolean           recording;
  Pending            saved_pending;
  int                n_graphs;
  GPtrArray         *retired;
} CudaPriv;

/* cuBLAS's workspace, given to it once so that a recorded gemm never allocates (32 MiB,
 * what cuBLAS asks for on Hopper). */
#define BLAS_WORKSPACE_BYTES ((gsize) 32 << 20)

struct _ReliefGraph {
  cudaGraphExec_t exec;
  Pending         pending;   /* what the recording left deferred, pending again at each launch */
};

static CudaPriv *
priv_of (ReliefBackend *self)
{
  return self->priv;
}

static gboolean
cuda_check (cudaError_t status, const char *what, GError **error)
{
  if (status == cudaSuccess)
    return TRUE;
  /* Reset the runtime's last error, or a failed allocation would be reported again by
   * the next launch's cudaGetLastError (sticky errors persist regardless). */
  cudaGetLastError ();
  g_set_error (error, G_IO_ERROR,
               status == cudaErrorMemoryAllocation ? G_IO_ERROR_NO_SPACE : G_IO_ERROR_FAILED,
               _("CUDA %s failed: %s"), what, cudaGetErrorString (status));
  return FALSE;
}

static gboolean
blas_check (cublasStatus_t status, const char *what, GError **error)
{
  if (status == CUBLAS_STATUS_SUCCESS)
    return TRUE;
  /* As in cuda_check: a runtime error cuBLAS left behind is not reported again later
   * under another operation's name. */
  cudaGetLastError ();
  g_set_error (error, G_IO_ERROR,
               status == CUBLAS_STATUS_ALLOC_FAILED ? G_IO_ERROR_NO_SPACE : G_IO_ERROR_FAILED,
               _("cuBLAS %s failed: %s"), what, cublasGetStatusString (status));
  return FALSE;
}

static gboolean
scratch_reserve (CudaPriv *priv, Scratch *scratch, gsize bytes, const char *what, GError **error)
{
  gpointer buf = NULL;

  if (bytes <= scratch->bytes)
    return TRUE;
  if (priv->recording)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s while recording a graph: run the operation once before recording it"), what);
      return FALSE;
    }
  /* cudaFree waits for the device, so no queued kernel still reads the old buffer; a
   * graph recorded with it keeps it until the last graph is freed. */
  if (priv->n_graphs > 0 && scratch->buf != NULL)
    g_ptr_array_add (priv->retired, scratch->buf);
  else
    cudaFree (scratch->buf);
  scratch->buf = NULL;
  scratch->bytes = 0;
  if (!cuda_check (cudaMalloc (&buf, bytes), what, error))
    return FALSE;
  scratch->buf = buf;
  scratch->bytes = bytes;
  return TRUE;
}

static void
cuda_destroy (ReliefBackend *self)
{
  CudaPriv *priv = priv_of (self);

  /* Teardown cannot report failures; a broken context fails these calls harmlessly.
   * Graphs belong to their owners, who free them first. */
  g_warn_if_fail (priv->n_graphs == 0);
  if (priv->recording)
    {
      cudaGraph_t graph = NULL;

      if (cudaStreamEndCapture (priv->stream, &graph) == cudaSuccess && graph != NULL)
        cudaGraphDestroy (graph);
      cudaGetLastError ();
    }
  if (priv->stream != NULL)
    cudaStreamSynchronize (priv->stream);
  if (priv->retired != NULL)
    {
      for (guint i = 0; i < priv->retired->len; i++)
        cudaFree (g_ptr_array_index (priv->retired, i));
      g_ptr_array_free (priv->retired, TRUE);
    }
  if (priv->blas != NULL)
    cublasDestroy (priv->blas);
  cudaFree (priv->blas_workspace);
  cudaFree (priv->loss_rows.buf);
  cudaFree (priv->partials);
  cudaFree (priv->results);
  if (priv->stream != NULL)
    cudaStreamDestroy (priv->stream);
  g_free (priv);
  g_free (self);
}

static gpointer
cuda_alloc (ReliefBackend *self, gsize bytes, GError **error)
{
  gpointer buf = NULL;
  /* cudaMalloc (0) succeeds with NULL, which callers would read as a failure. */
  gsize size = MAX (bytes, 1);

  if (!cuda_check (cudaMalloc (&buf, size), "allocation", error))
    return NULL;
  if (!cuda_check (cudaMemsetAsync (buf, 0, size, priv_of (self)->stream), "memset", error))
    {
      cudaFree (buf);
      return NULL;
    }
  return buf;
}

static void
cuda_free (ReliefBackend *self, gpointer buf)
{
  /* A sticky failure resurfaces at the next checked call; any other is cleared so that
   * it is not reported later under another operation's name. */
  if (buf != NULL && cudaFree (buf) != cudaSuccess)
    cudaGetLastError ();
}

/* From pageable host memory the copy is staged before cudaMemcpyAsync returns, so the
 * caller may reuse its buffer at once without waiting for the device. */
static gboolean
cuda_upload (ReliefBackend *self, gpointer dst, gconstpointer host_src, gsize bytes, GError **error)
{
  if (bytes == 0)
    return TRUE;
  return cuda_check (cudaMemcpyAsync (dst, host_src, bytes, cudaMemcpyHostToDevice, priv_of (self)->stream),
                     "upload", error);
}

static gboolean
cuda_download (ReliefBackend *self, gpointer host_dst, gconstpointer src, gsize bytes, GError **error)
{
  cudaStream_t stream = priv_of (self)->stream;

  if (bytes == 0)
    return TRUE;
  return cuda_check (cudaMemcpyAsync (host_dst, src, bytes, cudaMemcpyDeviceToHost, stream), "download", error) &&
         cuda_check (cudaStreamSynchronize (stream), "download", error);
}

static gboolean
cuda_copy (ReliefBackend *self, gpointer dst, gconstpointer src, gsize bytes, GError **error)
{
  if (bytes == 0 || dst == src)
    return TRUE;
  return cuda_check (cudaMemcpyAsync (dst, src, bytes, cudaMemcpyDeviceToDevice, priv_of (self)->stream),
                     "device copy", error);
}

static gboolean
cuda_sync (ReliefBackend *self, GError **error)
{
  return cuda_check (cudaStreamSynchronize (priv_of (self)->stream), "synchronize", error);
}

static gboolean
check_gemm_sizes (int m, int n, int k, int batch_count, GError **error)
{
  if (m < 0 || n < 0 || k < 0 || batch_count < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("gemm with negative dimensions (%d, %d, %d) or batch count (%d)"), m, n, k, batch_count);
      return FALSE;
    }
  return TRUE;
}

/* cuBLAS is column-major: a row-major C = op(A) op(B) is the column-major
 * C^T = op(B)^T op(A)^T, so the operands swap and keep their own transposes. */
static gboolean
cuda_gemm (ReliefBackend *self, gboolean trans_a, gboolean trans_b, int m, int n, int k, float alpha,
           const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc, GError **error)
{
  if (!check_gemm_sizes (m, n, k, 0, error))
    return FALSE;
  if (m == 0 || n == 0)
    return TRUE;
  return blas_check (cublasSgemm (priv_of (self)->blas, trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                                  trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha, b, ldb, a, lda,
                                  &beta, c, ldc),
                     "sgemm", error);
}

static gboolean
cuda_gemm_strided_batched (ReliefBackend *self, gboolean trans_a, gboolean trans_b, int m, int n, int k,
                           float alpha, const float *a, int lda, gint64 stride_a,
                           const float *b, int ldb, gint64 stride_b,
                           float beta, float *c, int ldc, gint64 stride_c, int batch_count, GError **error)
{
  if (!check_gemm_sizes (m, n, k, batch_count, error))
    return FALSE;
  if (m == 0 || n == 0 || batch_count == 0)
    return TRUE;
  return blas_check (cublasSgemmStridedBatched (priv_of (self)->blas, trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                                                trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha,
                                                b, ldb, stride_b, a, lda, stride_a,
                                                &beta, c, ldc, stride_c, batch_count),
                     "strided batched sgemm", error);
}

static gboolean
cuda_fill (ReliefBackend *self, float *x, gsize n, float value, GError **error)
{
  return cuda_check (relief_cuda_fill (x, n, value, priv_of (self)->stream), "fill", error);
}

static gboolean
cuda_scale (ReliefBackend *self, float *x, gsize n, float alpha, GError **error)
{
  return cuda_check (relief_cuda_scale (x, n, alpha, priv_of (self)->stream), "scale", error);
}

static gboolean
cuda_axpy (ReliefBackend *self, gsize n, float alpha, const float *x, float *y, GError **error)
{
  return cuda_check (relief_cuda_axpy (n, alpha, x, y, priv_of (self)->stream), "axpy", error);
}

static gboolean
cuda_axpby_add (ReliefBackend *self, gsize n, const float *a, float alpha, const float *x,
                float beta, const float *y, float *out, GError **error)
{
  return cuda_check (relief_cuda_axpby_add (n, a, alpha, x, beta, y, out, priv_of (self)->stream),
                     "axpby", error);
}

static gboolean
cuda_add_bias (ReliefBackend *self, float *x, const float *bias, int rows, int cols, GError **error)
{
  return cuda_check (relief_cuda_add_bias (x, bias, rows, cols, priv_of (self)->stream), "add_bias", error);
}

static gboolean
map_activation (ReliefActivation act, ReliefCudaActivation *out, GError **error)
{
  switch (act)
    {
    case RELIEF_ACT_RELU:
      *out = RELIEF_CUDA_ACT_RELU;
      return TRUE;
    case RELIEF_ACT_LEAKY_RELU:
      *out = RELIEF_CUDA_ACT_LEAKY_RELU;
      return TRUE;
    case RELIEF_ACT_TANH:
      *out = RELIEF_CUDA_ACT_TANH;
      return TRUE;
    case RELIEF_ACT_GELU:
      *out = RELIEF_CUDA_ACT_GELU;
      return TRUE;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown activation %d"), (int) act);
      return FALSE;
    }
}

static gboolean
cuda_act_forward (ReliefBackend *self, ReliefActivation act, const float *x, float *y, gsize n, GError **error)
{
  ReliefCudaActivation cuda_act;

  return map_activation (act, &cuda_act, error) &&
         cuda_check (relief_cuda_act_forward (cuda_act, x, y, n, priv_of (self)->stream), "activation", error);
}

static gboolean
cuda_act_backward (ReliefBackend *self, ReliefActivation act, const float *x, const float *dy, float *dx,
                   gsize n, GError **error)
{
  ReliefCudaActivation cuda_act;

  return map_activation (act, &cuda_act, error) &&
         cuda_check (relief_cuda_act_backward (cuda_act, x, dy, dx, n, priv_of (self)->stream),
                     "activation derivative", error);
}

static gboolean
cuda_act_r_backward (ReliefBackend *self, ReliefActivation act, const float *x, const float *dy, const float *rdy,
                     const float *rx, float *out, gsize n, GError **error)
{
  ReliefCudaActivation cuda_act;

  return map_activation (act, &cuda_act, error) &&
         cuda_check (relief_cuda_act_r_backward (cuda_act, x, dy, rdy, rx, out, n, priv_of (self)->stream),
                     "activation second derivative", error);
}

static gboolean
cuda_loss_r_backward (ReliefBackend *self, int loss_kind, const float *logits, const float *rlogits,
                      int rows, int cols, int grad_scale_rows, float *rdlogits, GError **error)
{
  ReliefCudaLoss kind = loss_kind == RELIEF_LOSS_MSE ? RELIEF_CUDA_LOSS_MSE : RELIEF_CUDA_LOSS_CROSS_ENTROPY;

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
  return cuda_check (relief_cuda_loss_r_backward (kind, logits, rlogits, rows, cols, grad_scale_rows, rdlogits,
                                                  priv_of (self)->stream),
                     "loss Hessian-vector product", error);
}

static gboolean
cuda_col_sum (ReliefBackend *self, const float *x, int rows, int cols, float *out, GError **error)
{
  return cuda_check (relief_cuda_col_sum (x, rows, cols, out, priv_of (self)->stream), "column sum", error);
}

static gboolean
read_results (CudaPriv *priv, const ReliefCudaResults *slot, ReliefCudaResults *host, const char *what,
              GError **error)
{
  return cuda_check (cudaMemcpyAsync (host, slot, sizeof *host, cudaMemcpyDeviceToHost, priv->stream),
                     what, error) &&
         cuda_check (cudaStreamSynchronize (priv->stream), what, error);
}

static gboolean
cuda_dot (ReliefBackend *self, gsize n, const float *x, const float *y, double *out, GError **error)
{
  CudaPriv *priv = priv_of (self);
  ReliefCudaResults results;

  /* A result read at once has its own slot, so it never overwrites a deferred one. */
  if (!cuda_check (relief_cuda_dot (n, x, y, priv->partials, priv->results + (out == NULL ? 0 : 1), priv->stream),
                   "dot", error))
    return FALSE;
  if (out == NULL)
    {
      priv->pending.dot = TRUE;
      return TRUE;
    }
  if (!read_results (priv, priv->results + 1, &results, "dot", error))
    return FALSE;
  *out = results.dot;
  return TRUE;
}

/* The loss kernels leave the first row with a label outside 0..cols-1 in bad_row, and
 * its label in bad_label. */
static gboolean
check_labels (const ReliefCudaResults *results, int rows, int cols, GError **error)
{
  if (results->bad_row >= rows)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("Label %d of row %d is outside 0..%d"), results->bad_label, results->bad_row, cols - 1);
  return FALSE;
}

static gboolean
cuda_loss (ReliefBackend *self, int loss_kind, const float *logits, const int32_t *labels,
           int rows, int cols, int grad_scale_rows, float *dlogits,
           double *loss_sum, int *correct, GError **error)
{
  CudaPriv *priv = priv_of (self);
  ReliefCudaLoss kind = loss_kind == RELIEF_LOSS_MSE ? RELIEF_CUDA_LOSS_MSE : RELIEF_CUDA_LOSS_CROSS_ENTROPY;
  ReliefCudaResults results;
  gboolean deferred = loss_sum == NULL && correct == NULL;
  double *row_loss;
  int32_t *row_flags;

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
  if (rows <= 0 && (loss_sum != NULL || correct != NULL))
    {
      if (loss_sum != NULL)
        *loss_sum = 0.0;
      if (correct != NULL)
        *correct = 0;
      return TRUE;
    }
  if (rows <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("A deferred loss needs at least one row"));
      return FALSE;
    }
  if (!scratch_reserve (priv, &priv->loss_rows, (sizeof (double) + sizeof (int32_t)) * (gsize) rows,
                        "loss scratch allocation", error))
    return FALSE;
  row_loss = priv->loss_rows.buf;
  row_flags = (int32_t *) (row_loss + rows);
  if (!cuda_check (relief_cuda_loss (kind, logits, labels, rows, cols, grad_scale_rows, dlogits,
                                     row_loss, row_flags, priv->results + (deferred ? 0 : 1), priv->stream),
                     "loss", error))
    return FALSE;
  if (deferred)
    {
      priv->pending = (Pending) { TRUE, priv->pending.dot, rows, cols };
      return TRUE;
    }
  if (!read_results (priv, priv->results + 1, &results, "loss", error) ||
      !check_labels (&results, rows, cols, error))
    return FALSE;
  if (loss_sum != NULL)
    *loss_sum = results.loss_sum;
  if (correct != NULL)
    *correct = results.correct;
  return TRUE;
}

static gboolean
cuda_loss_accumulate (ReliefBackend *self, int loss_kind, const float *logits, gsize stride, int count,
                      const int32_t *labels, int rows, int cols, double *acc_loss, double *acc_correct,
                      GError **error)
{
  CudaPriv *priv = priv_of (self);
  ReliefCudaLoss kind = loss_kind == RELIEF_LOSS_MSE ? RELIEF_CUDA_LOSS_MSE : RELIEF_CUDA_LOSS_CROSS_ENTROPY;
  gsize n = (gsize) MAX (count, 0) * (gsize) MAX (rows, 0);
  double *row_loss;

  if (loss_kind != RELIEF_LOSS_CROSS_ENTROPY && loss_kind != RELIEF_LOSS_MSE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown loss %d"), loss_kind);
      return FALSE;
    }
  if (cols < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Loss over %d outputs"), cols);
      return FALSE;
    }
  if (n == 0)
    return TRUE;
  if (!scratch_reserve (priv, &priv->loss_rows, (sizeof (double) + sizeof (int32_t)) * n, "loss scratch allocation", error))
    return FALSE;
  row_loss = priv->loss_rows.buf;
  return cuda_check (relief_cuda_loss_accumulate (kind, logits, stride, count, labels, rows, cols, row_loss,
                                                  (int32_t *) (row_loss + n), acc_loss, acc_correct, priv->stream),
                     "loss", error);
}

static gboolean
cuda_fetch (ReliefBackend *self, double *loss_sum, int *correct, double *dot, GError **error)
{
  CudaPriv *priv = priv_of (self);
  gboolean want_loss = loss_sum != NULL || correct != NULL;
  ReliefCudaResults results;

  if ((want_loss && !priv->pending.loss) || (dot != NULL && !priv->pending.dot))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Nothing deferred to fetch"));
      return FALSE;
    }
  if (!read_results (priv, priv->results, &results, "fetch", error))
    return FALSE;
  if (want_loss)
    {
      priv->pending.loss = FALSE;
      if (!check_labels (&results, priv->pending.rows, priv->pending.cols, error))
        return FALSE;
      if (loss_sum != NULL)
        *loss_sum = results.loss_sum;
      if (correct != NULL)
        *correct = results.correct;
    }
  if (dot != NULL)
    {
      priv->pending.dot = FALSE;
      *dot = results.dot;
    }
  return TRUE;
}

static gboolean
cuda_gather_rows (ReliefBackend *self, const float *src, int cols, const int *idx, int n,
                  float *dst, GError **error)
{
  if (n <= 0 || cols <= 0)
    return TRUE;
  return cuda_check (relief_cuda_gather_rows (src, cols, idx, n, dst, priv_of (self)->stream), "gather", error);
}

static gboolean
cuda_gather_labels (ReliefBackend *self, const int32_t *src, const int *idx, int n,
                    int32_t *dst, GError **error)
{
  if (n <= 0)
    return TRUE;
  return cuda_check (relief_cuda_gather_labels (src, idx, n, dst, priv_of (self)->stream), "label gather", error);
}

static gboolean
cuda_optimizer_step (ReliefBackend *self, const ReliefOptimizerConfig *cfg, gint64 step, const gint64 *step_dev,
                     float *params, const float *grad, float *state, gsize n, GError **error)
{
  ReliefCudaOptimizerArgs args = {
    .lr = cfg->lr,
    .weight_decay = cfg->weight_decay,
    .momentum = cfg->momentum,
    .beta1 = cfg->beta1,
    .beta2 = cfg->beta2,
    .eps = cfg->eps,
  };

  G_STATIC_ASSERT (sizeof (gint64) == sizeof (long long));
  if (step_dev == NULL && step < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Optimizer steps count from 1 (got %lld)"), (long long) step);
      return FALSE;
    }
  switch (cfg->kind)
    {
    case RELIEF_OPT_SGD:
      args.kind = RELIEF_CUDA_OPT_SGD;
      break;
    case RELIEF_OPT_MOMENTUM:
      args.kind = RELIEF_CUDA_OPT_MOMENTUM;
      break;
    case RELIEF_OPT_NESTEROV:
      args.kind = RELIEF_CUDA_OPT_NESTEROV;
      break;
    case RELIEF_OPT_ADAGRAD:
      args.kind = RELIEF_CUDA_OPT_ADAGRAD;
      break;
    case RELIEF_OPT_RMSPROP:
      args.kind = RELIEF_CUDA_OPT_RMSPROP;
      break;
    case RELIEF_OPT_SIGN:
      args.kind = RELIEF_CUDA_OPT_SIGN;
      break;
    case RELIEF_OPT_ADAM:
    case RELIEF_OPT_ADAMW:
      args.kind = cfg->kind == RELIEF_OPT_ADAM ? RELIEF_CUDA_OPT_ADAM : RELIEF_CUDA_OPT_ADAMW;
      /* Bias corrections in double on the host, as cpu_optimizer_step computes them (the
       * kernel derives them the same way from step_dev when there is one). */
      if (step_dev == NULL)
        {
          args.step_size = (float) (cfg->lr / (1.0 - pow (cfg->beta1, (double) step)));
          args.bc2_sqrt = (float) sqrt (1.0 - pow (cfg->beta2, (double) step));
        }
      break;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown optimizer %d"), (int) cfg->kind);
      return FALSE;
    }
  return cuda_check (relief_cuda_optimizer_step (&args, (const long long *) step_dev, params, grad, state, n,
                                                 priv_of (self)->stream),
                     "optimizer step", error);
}

static gboolean
cuda_random_normal (ReliefBackend *self, float *x, gsize n, guint64 seed, guint64 offset, GError **error)
{
  return cuda_check (relief_cuda_random_normal (x, n, seed, offset, priv_of (self)->stream),
                     "random normal fill", error);
}

static gboolean
cuda_memory_info (ReliefBackend *self, gsize *free_bytes, gsize *total_bytes, GError **error)
{
  size_t free_b = 0, total_b = 0;

  if (!cuda_check (cudaMemGetInfo (&free_b, &total_b), "memory query", error))
    return FALSE;
  *free_bytes = free_b;
  *total_bytes = total_b;
  return TRUE;
}

static gboolean
cuda_csr_matvec (ReliefBackend *self, int rows, gint64 nnz, const gint64 *row_ptr, const int32_t *col_idx, const float *vals,
                 const float *x, float beta, float *y, GError **error)
{
  G_STATIC_ASSERT (sizeof (gint64) == sizeof (long long));
  return cuda_check (relief_cuda_csr_matvec (rows, nnz, (const long long *) row_ptr, col_idx, vals, x, beta, y,
                                             priv_of (self)->stream),
                     "sparse product", error);
}

static gboolean
cuda_fwht (ReliefBackend *self, float *x, gsize n, gsize count, GError **error)
{
  if (n == 0 || (n & (n - 1)) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A Walsh-Hadamard transform needs a power of two, not %llu"), (unsigned long long) n);
      return FALSE;
    }
  return cuda_check (relief_cuda_fwht (x, n, count, priv_of (self)->stream), "Walsh-Hadamard transform", error);
}

static gboolean
cuda_gather_scale (ReliefBackend *self, gsize n, const float *in, const int32_t *idx, const float *scale,
                   float alpha, float *out, GError **error)
{
  return cuda_check (relief_cuda_gather_scale (n, in, idx, scale, alpha, out, priv_of (self)->stream),
                     "gather", error);
}

static gboolean
cuda_graph_begin (ReliefBackend *self, GError **error)
{
  CudaPriv *priv = priv_of (self);

  if (priv->recording)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, _("A graph is already being recorded"));
      return FALSE;
    }
  /* Thread-local: a call of this thread that would wait for the device or allocate
   * fails and spoils the recording, which graph_end then reports. */
  if (!cuda_check (cudaStreamBeginCapture (priv->stream, cudaStreamCaptureModeThreadLocal), "graph recording",
                   error))
    return FALSE;
  priv->recording = TRUE;
  priv->saved_pending = priv->pending;
  priv->pending = (Pending) { 0 };
  return TRUE;
}

static ReliefGraph *
cuda_graph_end (ReliefBackend *self, GError **error)
{
  CudaPriv *priv = priv_of (self);
  ReliefGraph recorded = { .pending = priv->pending };
  cudaGraph_t graph = NULL;
  cudaError_t status;

  if (!priv->recording)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("No graph is being recorded"));
      return NULL;
    }
  status = cudaStreamEndCapture (priv->stream, &graph);
  /* Nothing recorded has run: what was pending before is pending again. */
  priv->recording = FALSE;
  priv->pending = priv->saved_pending;
  if (status == cudaSuccess && graph == NULL)
    status = cudaErrorStreamCaptureInvalidated;
  if (status == cudaSuccess)
    status = cudaGraphInstantiate (&recorded.exec, graph, 0);
  if (graph != NULL)
    cudaGraphDestroy (graph);
  if (!cuda_check (status, "graph recording", error))
    return NULL;
  priv->n_graphs++;
  return g_memdup2 (&recorded, sizeof recorded);
}

static gboolean
cuda_graph_launch (ReliefBackend *self, ReliefGraph *graph, GError **error)
{
  CudaPriv *priv = priv_of (self);

  if (priv->recording)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, _("A graph cannot be launched while another is recorded"));
      return FALSE;
    }
  if (!cuda_check (cudaGraphLaunch (graph->exec, priv->stream), "graph launch", error))
    return FALSE;
  if (graph->pending.loss)
    priv->pending = (Pending) { TRUE, priv->pending.dot, graph->pending.rows, graph->pending.cols };
  if (graph->pending.dot)
    priv->pending.dot = TRUE;
  return TRUE;
}

static void
cuda_graph_free (ReliefBackend *self, ReliefGraph *graph)
{
  CudaPriv *priv = priv_of (self);

  if (graph == NULL)
    return;
  /* A launch still queued finishes before its graph and retired buffers go. */
  cudaStreamSynchronize (priv->stream);
  cudaGraphExecDestroy (graph->exec);
  g_free (graph);
  if (--priv->n_graphs == 0)
    {
      for (guint i = 0; i < priv->retired->len; i++)
        cudaFree (g_ptr_array_index (priv->retired, i));
      g_ptr_array_set_size (priv->retired, 0);
    }
}

static gboolean
usable_device (GError **error)
{
  struct cudaDeviceProp prop;
  int count = 0, device = 0;
  cudaError_t status = cudaGetDeviceCount (&count);

  if (status == cudaSuccess && count == 0)
    status = cudaErrorNoDevice;
  if (status == cudaSuccess)
    status = cudaGetDevice (&device);
  if (status == cudaSuccess)
    status = cudaGetDeviceProperties (&prop, device);
  /* NOT_SUPPORTED, as for a build without CUDA: this machine cannot run it. */
  if (status != cudaSuccess)
    {
      /* Clear the error so it does not resurface in a later, unrelated check. */
      cudaGetLastError ();
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("No usable CUDA device: %s"),
                   cudaGetErrorString (status));
      return FALSE;
    }
  /* The kernels are built for sm_75 and newer (and PTX for later ones). */
  if (prop.major * 10 + prop.minor < 75)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("No usable CUDA device: %s has compute capability %d.%d, Relief needs 7.5 or newer"),
                   prop.name, prop.major, prop.minor);
      return FALSE;
    }
  return TRUE;
}

ReliefBackend *
relief_backend_cuda_new (GError **error)
{
  g_autoptr(ReliefBackend) self = NULL;
  CudaPriv *priv;
  gpointer results = NULL, partials = NULL, workspace = NULL;

  if (!usable_device (error))
    return NULL;

  self = g_new0 (ReliefBackend, 1);
  self->name = "cuda";
  self->destroy = cuda_destroy;
  self->priv = priv = g_new0 (CudaPriv, 1);
  priv->retired = g_ptr_array_new ();
  /* Non-blocking: the legacy default stream that other libraries may use never
   * serializes against ours. */
  if (!cuda_check (cudaStreamCreateWithFlags (&priv->stream, cudaStreamNonBlocking), "stream creation", error) ||
      !blas_check (cublasCreate (&priv->blas), "handle creation", error) ||
      !blas_check (cublasSetStream (priv->blas, priv->stream), "stream binding", error) ||
      !cuda_check (cudaMalloc (&results, 2 * sizeof (ReliefCudaResults)), "allocation", error))
    return NULL;
  priv->results = results;
  if (!cuda_check (cudaMalloc (&partials, sizeof (double) * RELIEF_CUDA_DOT_MAX_BLOCKS), "allocation", error))
    return NULL;
  priv->partials = partials;
  if (!cuda_check (cudaMalloc (&workspace, BLAS_WORKSPACE_BYTES), "allocation", error))
    return NULL;
  priv->blas_workspace = workspace;
  /* After cublasSetStream, which would reset it to cuBLAS's own. */
  if (!blas_check (cublasSetWorkspace (priv->blas, workspace, BLAS_WORKSPACE_BYTES), "workspace", error))
    return NULL;

  self->alloc = cuda_alloc;
  self->free = cuda_free;
  self->upload = cuda_upload;
  self->download = cuda_download;
  self->copy = cuda_copy;
  self->sync = cuda_sync;
  self->gemm = cuda_gemm;
  self->gemm_strided_batched = cuda_gemm_strided_batched;
  self->fill = cuda_fill;
  self->scale = cuda_scale;
  self->axpy = cuda_axpy;
  self->axpby_add = cuda_axpby_add;
  self->add_bias = cuda_add_bias;
  self->act_forward = cuda_act_forward;
  self->act_backward = cuda_act_backward;
  self->act_r_backward = cuda_act_r_backward;
  self->loss_r_backward = cuda_loss_r_backward;
  self->col_sum = cuda_col_sum;
  self->dot = cuda_dot;
  self->loss = cuda_loss;
  self->gather_rows = cuda_gather_rows;
  self->gather_labels = cuda_gather_labels;
  self->optimizer_step = cuda_optimizer_step;
  self->random_normal = cuda_random_normal;
  self->memory_info = cuda_memory_info;
  self->fetch = cuda_fetch;
  self->loss_accumulate = cuda_loss_accumulate;
  self->csr_matvec = cuda_csr_matvec;
  self->fwht = cuda_fwht;
  self->gather_scale = cuda_gather_scale;
  self->graph_begin = cuda_graph_begin;
  self->graph_end = cuda_graph_end;
  self->graph_launch = cuda_graph_launch;
  self->graph_free = cuda_graph_free;
  return g_steal_pointer (&self);
}

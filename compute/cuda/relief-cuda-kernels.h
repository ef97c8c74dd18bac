/* relief-cuda-kernels.h: the CUDA kernels of the CUDA backend, callable from C.
 *
 * Every launcher enqueues its work on the given stream and returns the launch status
 * (cudaGetLastError), never waiting for the device.  Sizes of zero launch nothing.
 * The arithmetic of each kernel is written once as a host-and-device function; the
 * relief_cuda_host_* entry points run that same function on the host so it can be
 * checked against the CPU backend on machines without a GPU. */
#pragma once

#include <cuda_runtime_api.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Values of ReliefActivation, ReliefOptimizerKind and ReliefLoss, mirrored here because
 * nvcc does not see the GLib headers; the C side maps them one by one. */
typedef enum {
  RELIEF_CUDA_ACT_RELU,
  RELIEF_CUDA_ACT_LEAKY_RELU,
  RELIEF_CUDA_ACT_TANH,
  RELIEF_CUDA_ACT_GELU,
} ReliefCudaActivation;

typedef enum {
  RELIEF_CUDA_OPT_SGD,
  RELIEF_CUDA_OPT_MOMENTUM,
  RELIEF_CUDA_OPT_NESTEROV,
  RELIEF_CUDA_OPT_ADAM,
  RELIEF_CUDA_OPT_ADAMW,
} ReliefCudaOptimizer;

typedef enum {
  RELIEF_CUDA_LOSS_CROSS_ENTROPY,
  RELIEF_CUDA_LOSS_MSE,
} ReliefCudaLoss;

/* One optimizer step's scalars, with the bias corrections already computed on the host
 * exactly as the CPU backend computes them. */
typedef struct {
  ReliefCudaOptimizer kind;
  float lr, weight_decay, momentum;
  float beta1, beta2, eps;
  float step_size;      /* lr / (1 - beta1^step) */
  float bc2_sqrt;       /* sqrt (1 - beta2^step) */
} ReliefCudaOptimizerArgs;

/* Scalars the reductions leave on the device, read back in one copy. */
typedef struct {
  double dot;
  double loss_sum;
  int32_t correct;
  int32_t bad_row;      /* the first row with a label outside 0..cols-1, or rows when none */
  int32_t bad_label;    /* that row's label, read when the loss ran (0 when none) */
  int32_t unused;
} ReliefCudaResults;

/* The dot product's first pass writes one partial sum per block, at most this many. */
#define RELIEF_CUDA_DOT_MAX_BLOCKS 512

cudaError_t relief_cuda_fill      (float *x, size_t n, float value, cudaStream_t stream);
cudaError_t relief_cuda_scale     (float *x, size_t n, float alpha, cudaStream_t stream);
cudaError_t relief_cuda_axpy      (size_t n, float alpha, const float *x, float *y, cudaStream_t stream);
cudaError_t relief_cuda_axpby_add (size_t n, const float *a, float alpha, const float *x, float beta,
                                   const float *y, float *out, cudaStream_t stream);
cudaError_t relief_cuda_add_bias  (float *x, const float *bias, int rows, int cols, cudaStream_t stream);
cudaError_t relief_cuda_act_forward  (ReliefCudaActivation act, const float *x, float *y, size_t n,
                                      cudaStream_t stream);
cudaError_t relief_cuda_act_backward (ReliefCudaActivation act, const float *x, const float *dy, float *dx,
                                      size_t n, cudaStream_t stream);
cudaError_t relief_cuda_col_sum   (const float *x, int rows, int cols, float *out, cudaStream_t stream);
/* results->dot = sum x[i] y[i] in double; partials holds RELIEF_CUDA_DOT_MAX_BLOCKS doubles. */
cudaError_t relief_cuda_dot       (size_t n, const float *x, const float *y, double *partials,
                                   ReliefCudaResults *results, cudaStream_t stream);
/* results->loss_sum, correct and bad_row for rows >= 1; row_loss and row_flags are
 * scratch of rows elements each.  dlogits may be NULL. */
cudaError_t relief_cuda_loss      (ReliefCudaLoss loss, const float *logits, const int32_t *labels, int rows,
                                   int cols, int grad_scale_rows, float *dlogits, double *row_loss,
                                   int32_t *row_flags, ReliefCudaResults *results, cudaStream_t stream);
/* acc_loss[p] += matrix p's loss summed over rows, acc_correct[p] += its rows whose argmax is
 * the label, for count matrices at logits + p * stride; row_loss and row_flags are scratch
 * of count * rows each.  Rows with a bad label add nothing. */
cudaError_t relief_cuda_loss_accumulate (ReliefCudaLoss loss, const float *logits, size_t stride, int count,
                                         const int32_t *labels, int rows, int cols, double *row_loss,
                                         int32_t *row_flags, double *acc_loss, double *acc_correct,
                                         cudaStream_t stream);
/* idx is on the device. */
cudaError_t relief_cuda_gather_rows   (const float *src, int cols, const int *idx, int n, float *dst,
                                       cudaStream_t stream);
cudaError_t relief_cuda_gather_labels (const int32_t *src, const int *idx, int n, int32_t *dst,
                                       cudaStream_t stream);
/* step_dev NULL uses args' step_size and bc2_sqrt; otherwise Adam's are derived on the
 * device from the step count there when the kernel runs. */
cudaError_t relief_cuda_optimizer_step (const ReliefCudaOptimizerArgs *args, const long long *step_dev,
                                        float *params, const float *grad, float *state, size_t n,
                                        cudaStream_t stream);
/* x[i] = relief_rng_normal (seed, offset + i). */
cudaError_t relief_cuda_random_normal (float *x, size_t n, uint64_t seed, uint64_t offset, cudaStream_t stream);

/* y = A x + beta y, A in CSR form (row_ptr [rows + 1], nnz entries), everything on the
 * device: a thread per row for short rows, a warp per row when they average 16 or more. */
cudaError_t relief_cuda_csr_matvec (int rows, long long nnz, const long long *row_ptr, const int32_t *col_idx, const float *vals,
                                    const float *x, float beta, float *y, cudaStream_t stream);
/* In-place unnormalized Walsh-Hadamard transform of count vectors of n = 2^k floats. */
cudaError_t relief_cuda_fwht (float *x, size_t n, size_t count, cudaStream_t stream);
/* out[i] = alpha * scale[i] * in[idx[i]]; idx, scale may be NULL (identity, 1). */
cudaError_t relief_cuda_gather_scale (size_t n, const float *in, const int32_t *idx, const float *scale,
                                      float alpha, float *out, cudaStream_t stream);

/* The kernels' element functions run on the host, for tests without a device. */
void relief_cuda_host_csr_matvec (int rows, long long nnz, const long long *row_ptr, const int32_t *col_idx, const float *vals,
                                  const float *x, float beta, float *y);
void relief_cuda_host_fwht        (float *x, size_t n, size_t count);
void relief_cuda_host_gather_scale (size_t n, const float *in, const int32_t *idx, const float *scale,
                                    float alpha, float *out);
void relief_cuda_host_random_normal  (float *x, size_t n, uint64_t seed, uint64_t offset);
void relief_cuda_host_act_forward    (ReliefCudaActivation act, const float *x, float *y, size_t n);
void relief_cuda_host_act_backward   (ReliefCudaActivation act, const float *x, const float *dy, float *dx,
                                      size_t n);
/* step (host) as the kernel's step_dev. */
void relief_cuda_host_optimizer_step (const ReliefCudaOptimizerArgs *args, const long long *step, float *params,
                                      const float *grad, float *state, size_t n);
/* One row of the loss: returns the row's loss, sets *correct and *label_ok. */
double relief_cuda_host_loss_row     (ReliefCudaLoss loss, const float *logits, int32_t label, int cols,
                                      int grad_scale_rows, float *dlogits, int *correct, int *label_ok);

#ifdef __cplusplus
}
#endif

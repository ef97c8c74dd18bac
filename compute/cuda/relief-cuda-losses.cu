/* relief-cuda-losses.cu: cross-entropy and mean squared error: one thread per row, then
 * the fixed block tree over the rows. */
#include "relief-cuda-losses.h"
#include "relief-cuda-common.cuh"

#include <math.h>

namespace {

/* One row of cpu_loss: argmax with ties to the lowest index, then the loss in double. */
__host__ __device__ inline double
loss_row (ReliefCudaLoss loss, const float *z, int32_t label, int cols, int grad_scale_rows, float *dz,
          int *correct, int *label_ok)
{
  double total;
  int best = 0;

  *correct = 0;
  *label_ok = label >= 0 && label < cols;
  if (!*label_ok)
    return 0.0;
  for (int c = 1; c < cols; c++)
    if (z[c] > z[best])
      best = c;
  *correct = best == label;

  if (loss == RELIEF_CUDA_LOSS_CROSS_ENTROPY)
    {
      double max = z[best], sum = 0.0, log_sum;

      for (int c = 0; c < cols; c++)
        sum += exp ((double) z[c] - max);
      log_sum = log (sum);
      total = log_sum - ((double) z[label] - max);
      if (dz != nullptr)
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
          if (dz != nullptr)
            dz[c] = (float) (2.0 * diff / ((double) cols * grad_scale_rows));
        }
      total = row_sum / cols;
    }
  return total;
}

/* One row of cpu_loss_r_backward: the loss's Hessian in the logits times rz, in double. */
__host__ __device__ inline void
loss_r_row (ReliefCudaLoss loss, const float *z, const float *rz, int cols, int grad_scale_rows, float *out)
{
  if (loss == RELIEF_CUDA_LOSS_CROSS_ENTROPY)
    {
      double max = z[0], sum = 0.0, pr = 0.0;

      for (int c = 1; c < cols; c++)
        max = (double) z[c] > max ? (double) z[c] : max;
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

__global__ void
loss_r_rows_kernel (ReliefCudaLoss loss, const float *logits, const float *rlogits, int rows, int cols,
                    int grad_scale_rows, float *rdlogits)
{
  for (size_t r = first_index (); r < (size_t) rows; r += grid_stride ())
    loss_r_row (loss, logits + r * cols, rlogits + r * cols, cols, grad_scale_rows, rdlogits + r * cols);
}

enum : int32_t {
  ROW_CORRECT = 1,
  ROW_BAD_LABEL = 2,
};

__global__ void
loss_rows_kernel (ReliefCudaLoss loss, const float *logits, const int32_t *labels, int rows, int cols,
                  int grad_scale_rows, float *dlogits, double *row_loss, int32_t *row_flags)
{
  for (size_t r = first_index (); r < (size_t) rows; r += grid_stride ())
    {
      int correct, label_ok;
      float *dz = dlogits != nullptr ? dlogits + r * cols : nullptr;

      row_loss[r] = loss_row (loss, logits + r * cols, labels[r], cols, grad_scale_rows, dz, &correct, &label_ok);
      row_flags[r] = (correct ? ROW_CORRECT : 0) | (label_ok ? 0 : ROW_BAD_LABEL);
    }
}

__global__ void
loss_reduce_kernel (const double *row_loss, const int32_t *row_flags, const int32_t *labels, int rows,
                    ReliefCudaResults *results)
{
  __shared__ double shared_loss[kThreads];
  __shared__ int32_t shared_int[kThreads];
  double loss = 0.0;
  int32_t correct = 0, bad_row = rows;
  double loss_total;
  int32_t correct_total;

  /* size_t: r + kThreads may pass INT_MAX for rows near it. */
  for (size_t r = threadIdx.x; r < (size_t) rows; r += kThreads)
    {
      loss += row_loss[r];
      correct += row_flags[r] & ROW_CORRECT;
      if ((row_flags[r] & ROW_BAD_LABEL) && (int32_t) r < bad_row)
        bad_row = (int32_t) r;
    }
  loss_total = block_sum (shared_loss, loss);
  correct_total = block_sum (shared_int, correct);
  __syncthreads ();
  /* The first bad row: a min tree over the same shared array. */
  shared_int[threadIdx.x] = bad_row;
  __syncthreads ();
  for (int half = kThreads / 2; half > 0; half /= 2)
    {
      if ((int) threadIdx.x < half && shared_int[threadIdx.x + half] < shared_int[threadIdx.x])
        shared_int[threadIdx.x] = shared_int[threadIdx.x + half];
      __syncthreads ();
    }
  if (threadIdx.x == 0)
    {
      results->loss_sum = loss_total;
      results->correct = correct_total;
      results->bad_row = shared_int[0];
      /* Kept now: by a deferred fetch the labels buffer may hold the next batch. */
      results->bad_label = shared_int[0] < rows ? labels[shared_int[0]] : 0;
    }
}

/* Row losses of count matrices at logits + p * stride, one row each: row_loss [count, rows],
 * a row with a bad label 0 and not correct. */
__global__ void
loss_rows_batched_kernel (ReliefCudaLoss loss, const float *logits, size_t stride, int count, const int32_t *labels,
                          int rows, int cols, double *row_loss, int32_t *row_flags)
{
  size_t total = (size_t) count * rows;

  for (size_t i = first_index (); i < total; i += grid_stride ())
    {
      size_t p = i / rows, r = i % rows;
      int correct, label_ok;

      row_loss[i] = loss_row (loss, logits + p * stride + r * cols, labels[r], cols, 1, nullptr, &correct, &label_ok);
      row_flags[i] = correct ? ROW_CORRECT : 0;
    }
}

/* Block p sums matrix p's rows with the fixed tree of loss_reduce_kernel and adds them to
 * the accumulators. */
__global__ void
loss_accumulate_kernel (const double *row_loss, const int32_t *row_flags, int rows, double *acc_loss,
                        double *acc_correct)
{
  __shared__ double shared_loss[kThreads];
  __shared__ int32_t shared_int[kThreads];
  size_t base = (size_t) blockIdx.x * rows;
  double loss = 0.0;
  int32_t correct = 0;
  double loss_total;
  int32_t correct_total;

  for (size_t r = threadIdx.x; r < (size_t) rows; r += kThreads)
    {
      loss += row_loss[base + r];
      correct += row_flags[base + r] & ROW_CORRECT;
    }
  loss_total = block_sum (shared_loss, loss);
  correct_total = block_sum (shared_int, correct);
  if (threadIdx.x == 0)
    {
      acc_loss[blockIdx.x] += loss_total;
      acc_correct[blockIdx.x] += correct_total;
    }
}

} /* namespace */

extern "C" cudaError_t
relief_cuda_loss (ReliefCudaLoss loss, const float *logits, const int32_t *labels, int rows, int cols,
                  int grad_scale_rows, float *dlogits, double *row_loss, int32_t *row_flags,
                  ReliefCudaResults *results, cudaStream_t stream)
{
  cudaError_t status;

  if (rows <= 0)
    return cudaSuccess;
  loss_rows_kernel<<<blocks_for ((size_t) rows), kThreads, 0, stream>>> (loss, logits, labels, rows, cols,
                                                                         grad_scale_rows, dlogits, row_loss,
                                                                         row_flags);
  if ((status = cudaGetLastError ()) != cudaSuccess)
    return status;
  loss_reduce_kernel<<<1, kThreads, 0, stream>>> (row_loss, row_flags, labels, rows, results);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_loss_accumulate (ReliefCudaLoss loss, const float *logits, size_t stride, int count,
                             const int32_t *labels, int rows, int cols, double *row_loss, int32_t *row_flags,
                             double *acc_loss, double *acc_correct, cudaStream_t stream)
{
  cudaError_t status;

  if (count <= 0 || rows <= 0)
    return cudaSuccess;
  loss_rows_batched_kernel<<<blocks_for ((size_t) count * rows), kThreads, 0, stream>>> (loss, logits, stride, count,
                                                                                       labels, rows, cols, row_loss,
                                                                                       row_flags);
  if ((status = cudaGetLastError ()) != cudaSuccess)
    return status;
  loss_accumulate_kernel<<<(unsigned) count, kThreads, 0, stream>>> (row_loss, row_flags, rows, acc_loss,
                                                                     acc_correct);
  return cudaGetLastError ();
}

extern "C" double
relief_cuda_host_loss_row (ReliefCudaLoss loss, const float *logits, int32_t label, int cols, int grad_scale_rows,
                           float *dlogits, int *correct, int *label_ok)
{
  return loss_row (loss, logits, label, cols, grad_scale_rows, dlogits, correct, label_ok);
}

extern "C" cudaError_t
relief_cuda_loss_r_backward (ReliefCudaLoss loss, const float *logits, const float *rlogits, int rows, int cols,
                             int grad_scale_rows, float *rdlogits, cudaStream_t stream)
{
  if (rows <= 0)
    return cudaSuccess;
  loss_r_rows_kernel<<<blocks_for ((size_t) rows), kThreads, 0, stream>>> (loss, logits, rlogits, rows, cols,
                                                                           grad_scale_rows, rdlogits);
  return cudaGetLastError ();
}

extern "C" void
relief_cuda_host_loss_r_row (ReliefCudaLoss loss, const float *logits, const float *rlogits, int cols,
                             int grad_scale_rows, float *rdlogits)
{
  loss_r_row (loss, logits, rlogits, cols, grad_scale_rows, rdlogits);
}

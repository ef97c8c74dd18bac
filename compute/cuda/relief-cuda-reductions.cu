/* relief-cuda-reductions.cu: column sums in the CPU's order and the two-pass dot product. */
#include "relief-cuda-reductions.h"
#include "relief-cuda-common.cuh"

#include <math.h>

namespace {

/* One thread per column, rows in order: the CPU's summation order exactly. */
__global__ void
col_sum_kernel (const float *x, int rows, int cols, float *out)
{
  for (size_t c = first_index (); c < (size_t) cols; c += grid_stride ())
    {
      float sum = 0.0f;

      for (int r = 0; r < rows; r++)
        sum += x[(size_t) r * cols + c];
      out[c] = sum;
    }
}

__global__ void
dot_partial_kernel (size_t n, const float *x, const float *y, double *partials)
{
  __shared__ double shared[kThreads];
  double sum = 0.0;
  double total;

  for (size_t i = first_index (); i < n; i += grid_stride ())
    sum += (double) x[i] * y[i];
  total = block_sum (shared, sum);
  if (threadIdx.x == 0)
    partials[blockIdx.x] = total;
}

__global__ void
dot_final_kernel (const double *partials, unsigned n_partials, ReliefCudaResults *results)
{
  __shared__ double shared[kThreads];
  double sum = 0.0;
  double total;

  for (unsigned i = threadIdx.x; i < n_partials; i += kThreads)
    sum += partials[i];
  total = block_sum (shared, sum);
  if (threadIdx.x == 0)
    results->dot = total;
}

} /* namespace */

extern "C" cudaError_t
relief_cuda_col_sum (const float *x, int rows, int cols, float *out, cudaStream_t stream)
{
  if (cols <= 0)
    return cudaSuccess;
  col_sum_kernel<<<blocks_for ((size_t) cols), kThreads, 0, stream>>> (x, rows, cols, out);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_dot (size_t n, const float *x, const float *y, double *partials, ReliefCudaResults *results,
                 cudaStream_t stream)
{
  unsigned blocks = blocks_for (n);
  cudaError_t status;

  if (blocks > RELIEF_CUDA_DOT_MAX_BLOCKS)
    blocks = RELIEF_CUDA_DOT_MAX_BLOCKS;
  if (blocks == 0)
    blocks = 1;
  dot_partial_kernel<<<blocks, kThreads, 0, stream>>> (n, x, y, partials);
  if ((status = cudaGetLastError ()) != cudaSuccess)
    return status;
  dot_final_kernel<<<1, kThreads, 0, stream>>> (partials, blocks, results);
  return cudaGetLastError ();
}

/* relief-cuda-gather.cu: gathers of rows, labels and scaled entries. */
#include "relief-cuda-gather.h"
#include "relief-cuda-common.cuh"

#include <math.h>

namespace {

__host__ __device__ inline float
gather_scale_element (size_t i, const float *in, const int32_t *idx, const float *scale, float alpha)
{
  float v = in[idx != nullptr ? (size_t) idx[i] : i];

  return scale != nullptr ? alpha * scale[i] * v : alpha * v;
}

__global__ void
gather_rows_kernel (const float *src, int cols, const int *idx, size_t total, float *dst)
{
  for (size_t i = first_index (); i < total; i += grid_stride ())
    {
      size_t row = i / (size_t) cols, col = i % (size_t) cols;

      dst[i] = src[(size_t) idx[row] * cols + col];
    }
}

__global__ void
gather_labels_kernel (const int32_t *src, const int *idx, int n, int32_t *dst)
{
  for (size_t i = first_index (); i < (size_t) n; i += grid_stride ())
    dst[i] = src[idx[i]];
}

__global__ void
gather_scale_kernel (size_t n, const float *in, const int32_t *idx, const float *scale, float alpha, float *out)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    out[i] = gather_scale_element (i, in, idx, scale, alpha);
}

} /* namespace */

extern "C" cudaError_t
relief_cuda_gather_scale (size_t n, const float *in, const int32_t *idx, const float *scale, float alpha,
                          float *out, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  gather_scale_kernel<<<blocks_for (n), kThreads, 0, stream>>> (n, in, idx, scale, alpha, out);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_gather_rows (const float *src, int cols, const int *idx, int n, float *dst, cudaStream_t stream)
{
  size_t total = n > 0 && cols > 0 ? (size_t) n * cols : 0;

  if (total == 0)
    return cudaSuccess;
  gather_rows_kernel<<<blocks_for (total), kThreads, 0, stream>>> (src, cols, idx, total, dst);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_gather_labels (const int32_t *src, const int *idx, int n, int32_t *dst, cudaStream_t stream)
{
  if (n <= 0)
    return cudaSuccess;
  gather_labels_kernel<<<blocks_for ((size_t) n), kThreads, 0, stream>>> (src, idx, n, dst);
  return cudaGetLastError ();
}

extern "C" void
relief_cuda_host_gather_scale (size_t n, const float *in, const int32_t *idx, const float *scale, float alpha,
                               float *out)
{
  for (size_t i = 0; i < n; i++)
    out[i] = gather_scale_element (i, in, idx, scale, alpha);
}

/* relief-cuda-elementwise.cu: fills, scales and vector sums. */
#include "relief-cuda-elementwise.h"
#include "relief-cuda-common.cuh"

#include <math.h>

namespace {

__global__ void
fill_kernel (float *x, size_t n, float value)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    x[i] = value;
}

__global__ void
scale_kernel (float *x, size_t n, float alpha)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    x[i] *= alpha;
}

__global__ void
axpy_kernel (size_t n, float alpha, const float *x, float *y)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    y[i] += alpha * x[i];
}

__global__ void
axpby_add_kernel (size_t n, const float *a, float alpha, const float *x, float beta, const float *y, float *out)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    out[i] = a[i] + alpha * x[i] + beta * y[i];
}

__global__ void
add_bias_kernel (float *x, const float *bias, size_t total, int cols)
{
  for (size_t i = first_index (); i < total; i += grid_stride ())
    x[i] += bias[i % (size_t) cols];
}

} /* namespace */

extern "C" cudaError_t
relief_cuda_fill (float *x, size_t n, float value, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  fill_kernel<<<blocks_for (n), kThreads, 0, stream>>> (x, n, value);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_scale (float *x, size_t n, float alpha, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  scale_kernel<<<blocks_for (n), kThreads, 0, stream>>> (x, n, alpha);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_axpy (size_t n, float alpha, const float *x, float *y, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  axpy_kernel<<<blocks_for (n), kThreads, 0, stream>>> (n, alpha, x, y);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_axpby_add (size_t n, const float *a, float alpha, const float *x, float beta, const float *y,
                       float *out, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  axpby_add_kernel<<<blocks_for (n), kThreads, 0, stream>>> (n, a, alpha, x, beta, y, out);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_add_bias (float *x, const float *bias, int rows, int cols, cudaStream_t stream)
{
  size_t total = rows > 0 && cols > 0 ? (size_t) rows * cols : 0;

  if (total == 0)
    return cudaSuccess;
  add_bias_kernel<<<blocks_for (total), kThreads, 0, stream>>> (x, bias, total, cols);
  return cudaGetLastError ();
}

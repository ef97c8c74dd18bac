/* relief-cuda-activations.cu: activation functions, forward and backward. */
#include "relief-cuda-activations.h"
#include "relief-cuda-common.cuh"

#include <math.h>

namespace {

__host__ __device__ inline float
act_forward (ReliefCudaActivation act, float x)
{
  switch (act)
    {
    case RELIEF_CUDA_ACT_RELU:
      return x > 0.0f ? x : 0.0f;
    case RELIEF_CUDA_ACT_LEAKY_RELU:
      return x > 0.0f ? x : 0.01f * x;
    case RELIEF_CUDA_ACT_TANH:
      return tanhf (x);
    case RELIEF_CUDA_ACT_GELU:
    default:
      return 0.5f * x * (1.0f + erff (x * 0.70710678118654752440f));
    }
}

__host__ __device__ inline float
act_backward (ReliefCudaActivation act, float x, float dy)
{
  /* 1 / sqrt(2 pi), for the standard normal density in GELU's derivative. */
  const float inv_sqrt_2pi = 0.3989422804014327f;

  switch (act)
    {
    case RELIEF_CUDA_ACT_RELU:
      return x > 0.0f ? dy : 0.0f;
    case RELIEF_CUDA_ACT_LEAKY_RELU:
      return x > 0.0f ? dy : 0.01f * dy;
    case RELIEF_CUDA_ACT_TANH:
      {
        float t = tanhf (x);

        return dy * (1.0f - t * t);
      }
    case RELIEF_CUDA_ACT_GELU:
    default:
      {
        float cdf = 0.5f * (1.0f + erff (x * 0.70710678118654752440f));
        float pdf = inv_sqrt_2pi * expf (-0.5f * x * x);

        return dy * (cdf + x * pdf);
      }
    }
}

/* The R-operator of act_backward, as cpu_act_r_backward: rdy act'(x) + dy act''(x) rx. */
__host__ __device__ inline float
act_r_backward (ReliefCudaActivation act, float x, float dy, float rdy, float rx)
{
  const float inv_sqrt_2pi = 0.3989422804014327f;

  switch (act)
    {
    case RELIEF_CUDA_ACT_RELU:
      return x > 0.0f ? rdy : 0.0f;
    case RELIEF_CUDA_ACT_LEAKY_RELU:
      return x > 0.0f ? rdy : 0.01f * rdy;
    case RELIEF_CUDA_ACT_TANH:
      {
        float t = tanhf (x);
        float d1 = 1.0f - t * t;

        return rdy * d1 - 2.0f * t * d1 * dy * rx;
      }
    case RELIEF_CUDA_ACT_GELU:
    default:
      {
        float cdf = 0.5f * (1.0f + erff (x * 0.70710678118654752440f));
        float pdf = inv_sqrt_2pi * expf (-0.5f * x * x);

        return rdy * (cdf + x * pdf) + dy * (pdf * (2.0f - x * x)) * rx;
      }
    }
}

__global__ void
act_forward_kernel (ReliefCudaActivation act, const float *x, float *y, size_t n)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    y[i] = act_forward (act, x[i]);
}

__global__ void
act_backward_kernel (ReliefCudaActivation act, const float *x, const float *dy, float *dx, size_t n)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    dx[i] = act_backward (act, x[i], dy[i]);
}

__global__ void
act_r_backward_kernel (ReliefCudaActivation act, const float *x, const float *dy, const float *rdy, const float *rx,
                       float *out, size_t n)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    out[i] = act_r_backward (act, x[i], dy[i], rdy[i], rx[i]);
}

} /* namespace */

extern "C" cudaError_t
relief_cuda_act_forward (ReliefCudaActivation act, const float *x, float *y, size_t n, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  act_forward_kernel<<<blocks_for (n), kThreads, 0, stream>>> (act, x, y, n);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_act_backward (ReliefCudaActivation act, const float *x, const float *dy, float *dx, size_t n,
                          cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  act_backward_kernel<<<blocks_for (n), kThreads, 0, stream>>> (act, x, dy, dx, n);
  return cudaGetLastError ();
}

extern "C" void
relief_cuda_host_act_forward (ReliefCudaActivation act, const float *x, float *y, size_t n)
{
  for (size_t i = 0; i < n; i++)
    y[i] = act_forward (act, x[i]);
}

extern "C" void
relief_cuda_host_act_backward (ReliefCudaActivation act, const float *x, const float *dy, float *dx, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dx[i] = act_backward (act, x[i], dy[i]);
}

extern "C" cudaError_t
relief_cuda_act_r_backward (ReliefCudaActivation act, const float *x, const float *dy, const float *rdy,
                            const float *rx, float *out, size_t n, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  act_r_backward_kernel<<<blocks_for (n), kThreads, 0, stream>>> (act, x, dy, rdy, rx, out, n);
  return cudaGetLastError ();
}

extern "C" void
relief_cuda_host_act_r_backward (ReliefCudaActivation act, const float *x, const float *dy, const float *rdy,
                                 const float *rx, float *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = act_r_backward (act, x[i], dy[i], rdy[i], rx[i]);
}

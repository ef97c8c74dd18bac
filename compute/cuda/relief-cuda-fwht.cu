/* relief-cuda-fwht.cu: the Walsh-Hadamard transform: the levels within a chunk in shared
 * memory, the wider ones level by level over the whole array. */
#include "relief-cuda-fwht.h"
#include "relief-cuda-common.cuh"

#include <math.h>

namespace {

/* Butterfly t of a Walsh-Hadamard level of half-width h: the pair (i, i + h). */
__host__ __device__ inline size_t
butterfly_first (size_t t, size_t h)
{
  return (t / h) * 2 * h + t % h;
}

__host__ __device__ inline void
butterfly (float *x, size_t i, size_t h)
{
  float u = x[i], v = x[i + h];

  x[i] = u + v;
  x[i + h] = u - v;
}

/* The levels below kFwhtChunk run in shared memory, one chunk per block. */
constexpr size_t kFwhtChunk = 4096;

/* Every level h < chunk of the chunk this block owns, in shared memory. */
__global__ void
fwht_chunk_kernel (float *x, size_t total, size_t chunk)
{
  extern __shared__ float tile[];

  for (size_t base = (size_t) blockIdx.x * chunk; base < total; base += (size_t) gridDim.x * chunk)
    {
      for (size_t i = threadIdx.x; i < chunk; i += blockDim.x)
        tile[i] = x[base + i];
      __syncthreads ();
      for (size_t h = 1; h < chunk; h *= 2)
        {
          for (size_t t = threadIdx.x; t < chunk / 2; t += blockDim.x)
            butterfly (tile, butterfly_first (t, h), h);
          __syncthreads ();
        }
      for (size_t i = threadIdx.x; i < chunk; i += blockDim.x)
        x[base + i] = tile[i];
      __syncthreads ();
    }
}

/* One level of half-width h over the whole array. */
__global__ void
fwht_level_kernel (float *x, size_t total, size_t h)
{
  for (size_t t = first_index (); t < total / 2; t += grid_stride ())
    butterfly (x, butterfly_first (t, h), h);
}

} /* namespace */

extern "C" cudaError_t
relief_cuda_fwht (float *x, size_t n, size_t count, cudaStream_t stream)
{
  size_t total = n * count, chunk = n < kFwhtChunk ? n : kFwhtChunk;
  cudaError_t status;

  if (total == 0 || n == 1)
    return cudaSuccess;
  fwht_chunk_kernel<<<(unsigned) (total / chunk < kMaxBlocks ? total / chunk : kMaxBlocks), kThreads,
                      chunk * sizeof (float), stream>>> (x, total, chunk);
  if ((status = cudaGetLastError ()) != cudaSuccess)
    return status;
  for (size_t h = chunk; h < n; h *= 2)
    {
      fwht_level_kernel<<<blocks_for (total / 2), kThreads, 0, stream>>> (x, total, h);
      if ((status = cudaGetLastError ()) != cudaSuccess)
        return status;
    }
  return cudaSuccess;
}

/* The launcher's two phases in the same order: chunk levels, then whole-array levels. */
extern "C" void
relief_cuda_host_fwht (float *x, size_t n, size_t count)
{
  size_t total = n * count, chunk = n < kFwhtChunk ? n : kFwhtChunk;

  for (size_t base = 0; base < total; base += chunk)
    for (size_t h = 1; h < chunk; h *= 2)
      for (size_t t = 0; t < chunk / 2; t++)
        butterfly (x + base, butterfly_first (t, h), h);
  for (size_t h = chunk; h < n; h *= 2)
    for (size_t t = 0; t < total / 2; t++)
      butterfly (x, butterfly_first (t, h), h);
}

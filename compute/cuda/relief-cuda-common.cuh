/* relief-cuda-common.cuh: what every kernel file shares: the launch shape, grid-stride
 * indexing and the fixed block tree of the reductions.
 *
 * Each kernel mirrors a loop of relief-backend-cpu.c with the same float/double
 * arithmetic in the same order; the build turns off fused multiply-add contraction
 * (--fmad=false) so elementwise results match the CPU's rounding.  The arithmetic of a
 * kernel is written once as a host-and-device function; the relief_cuda_host_* entry
 * points run that same function on the host, so it can be checked against the CPU
 * backend on machines without a GPU. */
#pragma once

#include <stddef.h>

namespace {

constexpr int kThreads = 256;
/* block_sum's tree halves the block: every reduction kernel runs kThreads threads. */
static_assert ((kThreads & (kThreads - 1)) == 0, "kThreads must be a power of two");
/* Grid-stride loops cover anything beyond this many blocks. */
constexpr size_t kMaxBlocks = 65535;

inline unsigned
blocks_for (size_t n)
{
  size_t blocks = (n + kThreads - 1) / kThreads;

  return (unsigned) (blocks < kMaxBlocks ? blocks : kMaxBlocks);
}

__device__ inline size_t
first_index ()
{
  return (size_t) blockIdx.x * blockDim.x + threadIdx.x;
}

__device__ inline size_t
grid_stride ()
{
  return (size_t) gridDim.x * blockDim.x;
}

/* A fixed-shape tree over one block's kThreads values in shared memory. */
template <typename T>
__device__ inline T
block_sum (T *shared, T value)
{
  shared[threadIdx.x] = value;
  __syncthreads ();
  for (int half = kThreads / 2; half > 0; half /= 2)
    {
      if ((int) threadIdx.x < half)
        shared[threadIdx.x] += shared[threadIdx.x + half];
      __syncthreads ();
    }
  return shared[0];
}

} /* namespace */

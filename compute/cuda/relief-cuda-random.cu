/* relief-cuda-random.cu: Gaussian draws from Philox-4x32-10, the generator of relief-rng. */
#include "relief-cuda-random.h"
#include "relief-cuda-common.cuh"

#include <curand_philox4x32_x.h>
#include <math.h>

namespace {

/* The same Philox-4x32-10 as relief_philox4x32 (relief-rng.c), word for word: on the
 * device it is cuRAND's own (curand_Philox4x32_10 of the device API, the Random123
 * generator with the same constants and word order); on the host, for the host entry
 * points, the same rounds written out. */
__host__ __device__ inline void
philox4x32 (uint64_t seed, uint64_t counter, uint32_t out[4])
{
#ifdef __CUDA_ARCH__
  uint4 r = curand_Philox4x32_10 (make_uint4 ((uint32_t) counter, (uint32_t) (counter >> 32), 0u, 0u),
                                  make_uint2 ((uint32_t) seed, (uint32_t) (seed >> 32)));

  out[0] = r.x;
  out[1] = r.y;
  out[2] = r.z;
  out[3] = r.w;
#else
  uint32_t c0 = (uint32_t) counter, c1 = (uint32_t) (counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = (uint32_t) seed, k1 = (uint32_t) (seed >> 32);

  for (int round = 0; round < 10; round++)
    {
      uint64_t p0 = (uint64_t) 0xD2511F53u * c0;
      uint64_t p1 = (uint64_t) 0xCD9E8D57u * c2;
      uint32_t n0 = (uint32_t) (p1 >> 32) ^ c1 ^ k0;
      uint32_t n2 = (uint32_t) (p0 >> 32) ^ c3 ^ k1;

      c1 = (uint32_t) p1;
      c3 = (uint32_t) p0;
      c0 = n0;
      c2 = n2;
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
#endif
}

__host__ __device__ inline double
word_to_uniform (uint32_t u)
{
  return ((double) u + 0.5) / 4294967296.0;
}

/* relief_rng_normal: Box-Muller in double on the first two words of block index. */
__host__ __device__ inline float
rng_normal (uint64_t seed, uint64_t index)
{
  const double pi = 3.14159265358979323846264338327950288;
  uint32_t block[4];
  double radius, angle;

  philox4x32 (seed, index, block);
  radius = sqrt (-2.0 * log (word_to_uniform (block[0])));
  angle = 2.0 * pi * word_to_uniform (block[1]);
  return (float) (radius * cos (angle));
}

__global__ void
random_normal_kernel (float *x, size_t n, uint64_t seed, uint64_t offset)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    x[i] = rng_normal (seed, offset + i);
}

} /* namespace */

extern "C" cudaError_t
relief_cuda_random_normal (float *x, size_t n, uint64_t seed, uint64_t offset, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  random_normal_kernel<<<blocks_for (n), kThreads, 0, stream>>> (x, n, seed, offset);
  return cudaGetLastError ();
}

extern "C" void
relief_cuda_host_random_normal (float *x, size_t n, uint64_t seed, uint64_t offset)
{
  for (size_t i = 0; i < n; i++)
    x[i] = rng_normal (seed, offset + i);
}

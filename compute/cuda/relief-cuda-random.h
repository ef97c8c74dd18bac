/* relief-cuda-random.h: Gaussian draws from the counter-based generator of relief-rng.
 *
 * Launchers queue their work on the given stream and return the launch status
 * (cudaGetLastError), never waiting for the device; sizes of zero launch nothing. */
#pragma once

#include <cuda_runtime_api.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* x[i] = relief_rng_normal (seed, offset + i). */
cudaError_t relief_cuda_random_normal (float *x, size_t n, uint64_t seed, uint64_t offset, cudaStream_t stream);

/* The same draws on the host, for tests without a device. */
void relief_cuda_host_random_normal  (float *x, size_t n, uint64_t seed, uint64_t offset);

#ifdef __cplusplus
}
#endif

/* relief-cuda-fwht.h: the fast Walsh-Hadamard transform.
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

/* In-place unnormalized Walsh-Hadamard transform of count vectors of n = 2^k floats. */
cudaError_t relief_cuda_fwht (float *x, size_t n, size_t count, cudaStream_t stream);

/* The transform's butterflies in the launcher's order on the host, for tests without a device. */
void relief_cuda_host_fwht        (float *x, size_t n, size_t count);

#ifdef __cplusplus
}
#endif

/* relief-cuda-elementwise.h: fills, scales and vector sums, elementwise.
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

cudaError_t relief_cuda_fill      (float *x, size_t n, float value, cudaStream_t stream);
cudaError_t relief_cuda_scale     (float *x, size_t n, float alpha, cudaStream_t stream);
cudaError_t relief_cuda_axpy      (size_t n, float alpha, const float *x, float *y, cudaStream_t stream);
cudaError_t relief_cuda_axpby_add (size_t n, const float *a, float alpha, const float *x, float beta,
                                   const float *y, float *out, cudaStream_t stream);
cudaError_t relief_cuda_add_bias  (float *x, const float *bias, int rows, int cols, cudaStream_t stream);

#ifdef __cplusplus
}
#endif

/* relief-cuda-gather.h: gathers of rows, labels and scaled entries by index.
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

/* idx is on the device. */
cudaError_t relief_cuda_gather_rows   (const float *src, int cols, const int *idx, int n, float *dst,
                                       cudaStream_t stream);
cudaError_t relief_cuda_gather_labels (const int32_t *src, const int *idx, int n, int32_t *dst,
                                       cudaStream_t stream);
/* out[i] = alpha * scale[i] * in[idx[i]]; idx, scale may be NULL (identity, 1). */
cudaError_t relief_cuda_gather_scale (size_t n, const float *in, const int32_t *idx, const float *scale,
                                      float alpha, float *out, cudaStream_t stream);

/* The element function on the host, for tests without a device. */
void relief_cuda_host_gather_scale (size_t n, const float *in, const int32_t *idx, const float *scale,
                                    float alpha, float *out);

#ifdef __cplusplus
}
#endif

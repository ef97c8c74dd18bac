/* relief-cuda-activations.h: activation functions and their derivatives, elementwise.
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

/* The values of ReliefActivation, mirrored because nvcc does not see the GLib headers;
 * the C side maps them one by one. */
typedef enum {
  RELIEF_CUDA_ACT_RELU,
  RELIEF_CUDA_ACT_LEAKY_RELU,
  RELIEF_CUDA_ACT_TANH,
  RELIEF_CUDA_ACT_GELU,
} ReliefCudaActivation;

cudaError_t relief_cuda_act_forward  (ReliefCudaActivation act, const float *x, float *y, size_t n,
                                      cudaStream_t stream);
cudaError_t relief_cuda_act_backward (ReliefCudaActivation act, const float *x, const float *dy, float *dx,
                                      size_t n, cudaStream_t stream);
/* out = rdy * act'(x) + dy * act''(x) * rx: the R-operator of the derivative. */
cudaError_t relief_cuda_act_r_backward (ReliefCudaActivation act, const float *x, const float *dy, const float *rdy,
                                        const float *rx, float *out, size_t n, cudaStream_t stream);

/* The element functions on the host, for tests without a device. */
void relief_cuda_host_act_forward    (ReliefCudaActivation act, const float *x, float *y, size_t n);
void relief_cuda_host_act_backward   (ReliefCudaActivation act, const float *x, const float *dy, float *dx,
                                      size_t n);
void relief_cuda_host_act_r_backward (ReliefCudaActivation act, const float *x, const float *dy, const float *rdy,
                                      const float *rx, float *out, size_t n);

#ifdef __cplusplus
}
#endif

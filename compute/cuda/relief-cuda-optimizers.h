/* relief-cuda-optimizers.h: the optimizer step over a flat parameter buffer.
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

/* The values of ReliefOptimizerKind, mirrored as ReliefCudaActivation is. */
typedef enum {
  RELIEF_CUDA_OPT_SGD,
  RELIEF_CUDA_OPT_MOMENTUM,
  RELIEF_CUDA_OPT_NESTEROV,
  RELIEF_CUDA_OPT_ADAM,
  RELIEF_CUDA_OPT_ADAMW,
  RELIEF_CUDA_OPT_ADAGRAD,
  RELIEF_CUDA_OPT_RMSPROP,
  RELIEF_CUDA_OPT_SIGN,
} ReliefCudaOptimizer;

/* One optimizer step's scalars, with the bias corrections already computed on the host
 * exactly as the CPU backend computes them. */
typedef struct {
  ReliefCudaOptimizer kind;
  float lr, weight_decay, momentum;
  float beta1, beta2, eps;      /* beta2 is rmsprop's alpha */
  float step_size;      /* lr / (1 - beta1^step) */
  float bc2_sqrt;       /* sqrt (1 - beta2^step) */
} ReliefCudaOptimizerArgs;

/* step_dev NULL uses args' step_size and bc2_sqrt; otherwise Adam's are derived on the
 * device from the step count there when the kernel runs. */
cudaError_t relief_cuda_optimizer_step (const ReliefCudaOptimizerArgs *args, const long long *step_dev,
                                        float *params, const float *grad, float *state, size_t n,
                                        cudaStream_t stream);

/* The element function on the host, step (host) as the kernel's step_dev. */
void relief_cuda_host_optimizer_step (const ReliefCudaOptimizerArgs *args, const long long *step, float *params,
                                      const float *grad, float *state, size_t n);

#ifdef __cplusplus
}
#endif

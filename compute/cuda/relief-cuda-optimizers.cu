/* relief-cuda-optimizers.cu: SGD, momentum, Nesterov, Adam, AdamW, Adagrad, RMSprop and sign
 * descent, one element per thread, each as cpu_optimizer_step computes it. */
#include "relief-cuda-optimizers.h"
#include "relief-cuda-common.cuh"

#include <math.h>

namespace {

__host__ __device__ inline void
optimizer_element (const ReliefCudaOptimizerArgs &a, size_t i, size_t n, float *params, const float *grad,
                   float *state)
{
  switch (a.kind)
    {
    case RELIEF_CUDA_OPT_SGD:
      params[i] -= a.lr * (grad[i] + a.weight_decay * params[i]);
      break;

    case RELIEF_CUDA_OPT_MOMENTUM:
    case RELIEF_CUDA_OPT_NESTEROV:
      {
        float g = grad[i] + a.weight_decay * params[i];
        float v = a.momentum * state[i] + g;

        state[i] = v;
        params[i] -= a.lr * (a.kind == RELIEF_CUDA_OPT_NESTEROV ? g + a.momentum * v : v);
        break;
      }

    case RELIEF_CUDA_OPT_ADAGRAD:
      {
        float g = grad[i] + a.weight_decay * params[i];

        state[i] += g * g;
        params[i] -= a.lr * (g / (sqrtf (state[i]) + a.eps));
        break;
      }

    case RELIEF_CUDA_OPT_RMSPROP:
      {
        float *sq = state, *buf = state + n;
        float g = grad[i] + a.weight_decay * params[i];
        float d;

        sq[i] = a.beta2 * sq[i] + (1.0f - a.beta2) * g * g;
        d = g / (sqrtf (sq[i]) + a.eps);
        if (a.momentum > 0.0f)
          {
            buf[i] = a.momentum * buf[i] + d;
            params[i] -= a.lr * buf[i];
          }
        else
          params[i] -= a.lr * d;
        break;
      }

    case RELIEF_CUDA_OPT_SIGN:
      {
        float g = grad[i] + a.weight_decay * params[i];

        if (a.momentum > 0.0f)
          g = state[i] = a.momentum * state[i] + (1.0f - a.momentum) * g;
        params[i] -= a.lr * (float) ((g > 0.0f) - (g < 0.0f));
        break;
      }

    case RELIEF_CUDA_OPT_ADAM:
    case RELIEF_CUDA_OPT_ADAMW:
    default:
      {
        float *m = state, *v = state + n;
        float g = grad[i];
        float denom;

        if (a.kind == RELIEF_CUDA_OPT_ADAMW)
          params[i] *= 1.0f - a.lr * a.weight_decay;
        else
          g += a.weight_decay * params[i];
        m[i] = a.beta1 * m[i] + (1.0f - a.beta1) * g;
        v[i] = a.beta2 * v[i] + (1.0f - a.beta2) * g * g;
        denom = sqrtf (v[i]) / a.bc2_sqrt + a.eps;
        params[i] -= a.step_size * (m[i] / denom);
        break;
      }
    }
}

/* Adam's bias corrections for a step, in double as cpu_optimizer_step computes them. */
__host__ __device__ inline void
adam_scalars (ReliefCudaOptimizerArgs &a, long long step)
{
  a.step_size = (float) ((double) a.lr / (1.0 - pow ((double) a.beta1, (double) step)));
  a.bc2_sqrt = (float) sqrt (1.0 - pow ((double) a.beta2, (double) step));
}

__global__ void
optimizer_kernel (ReliefCudaOptimizerArgs args, const long long *step_dev, float *params, const float *grad,
                  float *state, size_t n)
{
  /* A step count on the device (a replayed graph's): one thread per block derives the
   * bias corrections, the same for every block.  The condition is the same for the whole
   * block, so every thread reaches the barrier. */
  if (step_dev != NULL && (args.kind == RELIEF_CUDA_OPT_ADAM || args.kind == RELIEF_CUDA_OPT_ADAMW))
    {
      __shared__ float scalars[2];

      if (threadIdx.x == 0)
        {
          ReliefCudaOptimizerArgs a = args;

          adam_scalars (a, *step_dev);
          scalars[0] = a.step_size;
          scalars[1] = a.bc2_sqrt;
        }
      __syncthreads ();
      args.step_size = scalars[0];
      args.bc2_sqrt = scalars[1];
    }
  for (size_t i = first_index (); i < n; i += grid_stride ())
    optimizer_element (args, i, n, params, grad, state);
}

} /* namespace */

extern "C" cudaError_t
relief_cuda_optimizer_step (const ReliefCudaOptimizerArgs *args, const long long *step_dev, float *params,
                            const float *grad, float *state, size_t n, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  optimizer_kernel<<<blocks_for (n), kThreads, 0, stream>>> (*args, step_dev, params, grad, state, n);
  return cudaGetLastError ();
}

extern "C" void
relief_cuda_host_optimizer_step (const ReliefCudaOptimizerArgs *args, const long long *step, float *params,
                                 const float *grad, float *state, size_t n)
{
  ReliefCudaOptimizerArgs a = *args;

  if (step != NULL && (a.kind == RELIEF_CUDA_OPT_ADAM || a.kind == RELIEF_CUDA_OPT_ADAMW))
    adam_scalars (a, *step);
  for (size_t i = 0; i < n; i++)
    optimizer_element (a, i, n, params, grad, state);
}

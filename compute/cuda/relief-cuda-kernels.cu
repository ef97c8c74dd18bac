/* relief-cuda-kernels.cu: the CUDA backend's own kernels.
 *
 * Each kernel mirrors a loop of relief-backend-cpu.c with the same float/double
 * arithmetic in the same order; the build turns off fused multiply-add contraction
 * (--fmad=false) so elementwise results match the CPU's rounding.  Reductions use a
 * fixed launch shape and a fixed tree, so they are reproducible from run to run. */
#include "relief-cuda-kernels.h"

#include <curand_philox4x32_x.h>
#include <math.h>

namespace {

constexpr int kThreads = 256;
/* block_sum's tree halves the block: every reduction kernel runs kThreads threads. */
static_assert ((kThreads & (kThreads - 1)) == 0, "kThreads must be a power of two");
/* Grid-stride loops cover anything beyond this many blocks. */
constexpr size_t kMaxBlocks = 65535;

unsigned
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

/* ---- element functions, shared by the kernels and the host entry points ---- */

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

__host__ __device__ inline float
act_forward (ReliefCudaActivation act, float x)
{
  switch (act)
    {
    case RELIEF_CUDA_ACT_RELU:
      return x > 0.0f ? x : 0.0f;
    case RELIEF_CUDA_ACT_LEAKY_RELU:
      return x > 0.0f ? x : 0.01f * x;
    case RELIEF_CUDA_ACT_TANH:
      return tanhf (x);
    case RELIEF_CUDA_ACT_GELU:
    default:
      return 0.5f * x * (1.0f + erff (x * 0.70710678118654752440f));
    }
}

__host__ __device__ inline float
act_backward (ReliefCudaActivation act, float x, float dy)
{
  /* 1 / sqrt(2 pi), for the standard normal density in GELU's derivative. */
  const float inv_sqrt_2pi = 0.3989422804014327f;

  switch (act)
    {
    case RELIEF_CUDA_ACT_RELU:
      return x > 0.0f ? dy : 0.0f;
    case RELIEF_CUDA_ACT_LEAKY_RELU:
      return x > 0.0f ? dy : 0.01f * dy;
    case RELIEF_CUDA_ACT_TANH:
      {
        float t = tanhf (x);

        return dy * (1.0f - t * t);
      }
    case RELIEF_CUDA_ACT_GELU:
    default:
      {
        float cdf = 0.5f * (1.0f + erff (x * 0.70710678118654752440f));
        float pdf = inv_sqrt_2pi * expf (-0.5f * x * x);

        return dy * (cdf + x * pdf);
      }
    }
}

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

/* One row of cpu_loss: argmax with ties to the lowest index, then the loss in double. */
__host__ __device__ inline double
loss_row (ReliefCudaLoss loss, const float *z, int32_t label, int cols, int grad_scale_rows, float *dz,
          int *correct, int *label_ok)
{
  double total;
  int best = 0;

  *correct = 0;
  *label_ok = label >= 0 && label < cols;
  if (!*label_ok)
    return 0.0;
  for (int c = 1; c < cols; c++)
    if (z[c] > z[best])
      best = c;
  *correct = best == label;

  if (loss == RELIEF_CUDA_LOSS_CROSS_ENTROPY)
    {
      double max = z[best], sum = 0.0, log_sum;

      for (int c = 0; c < cols; c++)
        sum += exp ((double) z[c] - max);
      log_sum = log (sum);
      total = log_sum - ((double) z[label] - max);
      if (dz != nullptr)
        for (int c = 0; c < cols; c++)
          {
            double p = exp ((double) z[c] - max - log_sum);

            dz[c] = (float) ((p - (c == label)) / grad_scale_rows);
          }
    }
  else
    {
      double row_sum = 0.0;

      for (int c = 0; c < cols; c++)
        {
          double diff = (double) z[c] - (c == label);

          row_sum += diff * diff;
          if (dz != nullptr)
            dz[c] = (float) (2.0 * diff / ((double) cols * grad_scale_rows));
        }
      total = row_sum / cols;
    }
  return total;
}

/* y[r] = sum of row r of a CSR matrix times x, plus beta y[r] (beta 0 ignores y). */
__host__ __device__ inline void
csr_row (int r, const long long *row_ptr, const int32_t *col_idx, const float *vals, const float *x, float beta,
         float *y)
{
  float sum = 0.0f;

  for (long long k = row_ptr[r]; k < row_ptr[r + 1]; k++)
    sum += vals[k] * x[col_idx[k]];
  y[r] = beta == 0.0f ? sum : sum + beta * y[r];
}

/* Long rows go a warp per row: lane l sums entries l, l + 32, ... and the lanes' sums
 * meet in a shuffle tree. */
constexpr int kWarp = 32;
constexpr long long kWarpRowMin = 16;

__host__ __device__ inline bool
csr_use_warps (int rows, long long nnz)
{
  return rows > 0 && nnz >= kWarpRowMin * rows;
}

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

__host__ __device__ inline float
gather_scale_element (size_t i, const float *in, const int32_t *idx, const float *scale, float alpha)
{
  float v = in[idx != nullptr ? (size_t) idx[i] : i];

  return scale != nullptr ? alpha * scale[i] * v : alpha * v;
}

/* The levels below kFwhtChunk run in shared memory, one chunk per block. */
constexpr size_t kFwhtChunk = 4096;

/* ---- kernels ---- */

__global__ void
fill_kernel (float *x, size_t n, float value)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    x[i] = value;
}

__global__ void
scale_kernel (float *x, size_t n, float alpha)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    x[i] *= alpha;
}

__global__ void
axpy_kernel (size_t n, float alpha, const float *x, float *y)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    y[i] += alpha * x[i];
}

__global__ void
axpby_add_kernel (size_t n, const float *a, float alpha, const float *x, float beta, const float *y, float *out)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    out[i] = a[i] + alpha * x[i] + beta * y[i];
}

__global__ void
add_bias_kernel (float *x, const float *bias, size_t total, int cols)
{
  for (size_t i = first_index (); i < total; i += grid_stride ())
    x[i] += bias[i % (size_t) cols];
}

__global__ void
act_forward_kernel (ReliefCudaActivation act, const float *x, float *y, size_t n)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    y[i] = act_forward (act, x[i]);
}

__global__ void
act_backward_kernel (ReliefCudaActivation act, const float *x, const float *dy, float *dx, size_t n)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    dx[i] = act_backward (act, x[i], dy[i]);
}

/* One thread per column, rows in order: the CPU's summation order exactly. */
__global__ void
col_sum_kernel (const float *x, int rows, int cols, float *out)
{
  for (size_t c = first_index (); c < (size_t) cols; c += grid_stride ())
    {
      float sum = 0.0f;

      for (int r = 0; r < rows; r++)
        sum += x[(size_t) r * cols + c];
      out[c] = sum;
    }
}

/* A fixed-shape tree over one block's kThreads values in shared memory. */
template <typename T>
__device__ T
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

__global__ void
dot_partial_kernel (size_t n, const float *x, const float *y, double *partials)
{
  __shared__ double shared[kThreads];
  double sum = 0.0;
  double total;

  for (size_t i = first_index (); i < n; i += grid_stride ())
    sum += (double) x[i] * y[i];
  total = block_sum (shared, sum);
  if (threadIdx.x == 0)
    partials[blockIdx.x] = total;
}

__global__ void
dot_final_kernel (const double *partials, unsigned n_partials, ReliefCudaResults *results)
{
  __shared__ double shared[kThreads];
  double sum = 0.0;
  double total;

  for (unsigned i = threadIdx.x; i < n_partials; i += kThreads)
    sum += partials[i];
  total = block_sum (shared, sum);
  if (threadIdx.x == 0)
    results->dot = total;
}

enum : int32_t {
  ROW_CORRECT = 1,
  ROW_BAD_LABEL = 2,
};

__global__ void
loss_rows_kernel (ReliefCudaLoss loss, const float *logits, const int32_t *labels, int rows, int cols,
                  int grad_scale_rows, float *dlogits, double *row_loss, int32_t *row_flags)
{
  for (size_t r = first_index (); r < (size_t) rows; r += grid_stride ())
    {
      int correct, label_ok;
      float *dz = dlogits != nullptr ? dlogits + r * cols : nullptr;

      row_loss[r] = loss_row (loss, logits + r * cols, labels[r], cols, grad_scale_rows, dz, &correct, &label_ok);
      row_flags[r] = (correct ? ROW_CORRECT : 0) | (label_ok ? 0 : ROW_BAD_LABEL);
    }
}

__global__ void
loss_reduce_kernel (const double *row_loss, const int32_t *row_flags, const int32_t *labels, int rows,
                    ReliefCudaResults *results)
{
  __shared__ double shared_loss[kThreads];
  __shared__ int32_t shared_int[kThreads];
  double loss = 0.0;
  int32_t correct = 0, bad_row = rows;
  double loss_total;
  int32_t correct_total;

  /* size_t: r + kThreads may pass INT_MAX for rows near it. */
  for (size_t r = threadIdx.x; r < (size_t) rows; r += kThreads)
    {
      loss += row_loss[r];
      correct += row_flags[r] & ROW_CORRECT;
      if ((row_flags[r] & ROW_BAD_LABEL) && (int32_t) r < bad_row)
        bad_row = (int32_t) r;
    }
  loss_total = block_sum (shared_loss, loss);
  correct_total = block_sum (shared_int, correct);
  __syncthreads ();
  /* The first bad row: a min tree over the same shared array. */
  shared_int[threadIdx.x] = bad_row;
  __syncthreads ();
  for (int half = kThreads / 2; half > 0; half /= 2)
    {
      if ((int) threadIdx.x < half && shared_int[threadIdx.x + half] < shared_int[threadIdx.x])
        shared_int[threadIdx.x] = shared_int[threadIdx.x + half];
      __syncthreads ();
    }
  if (threadIdx.x == 0)
    {
      results->loss_sum = loss_total;
      results->correct = correct_total;
      results->bad_row = shared_int[0];
      /* Kept now: by a deferred fetch the labels buffer may hold the next batch. */
      results->bad_label = shared_int[0] < rows ? labels[shared_int[0]] : 0;
    }
}

/* Row losses of count matrices at logits + p * stride, one row each: row_loss [count, rows],
 * a row with a bad label 0 and not correct. */
__global__ void
loss_rows_batched_kernel (ReliefCudaLoss loss, const float *logits, size_t stride, int count, const int32_t *labels,
                          int rows, int cols, double *row_loss, int32_t *row_flags)
{
  size_t total = (size_t) count * rows;

  for (size_t i = first_index (); i < total; i += grid_stride ())
    {
      size_t p = i / rows, r = i % rows;
      int correct, label_ok;

      row_loss[i] = loss_row (loss, logits + p * stride + r * cols, labels[r], cols, 1, nullptr, &correct, &label_ok);
      row_flags[i] = correct ? ROW_CORRECT : 0;
    }
}

/* Block p sums matrix p's rows with the fixed tree of loss_reduce_kernel and adds them to
 * the accumulators. */
__global__ void
loss_accumulate_kernel (const double *row_loss, const int32_t *row_flags, int rows, double *acc_loss,
                        double *acc_correct)
{
  __shared__ double shared_loss[kThreads];
  __shared__ int32_t shared_int[kThreads];
  size_t base = (size_t) blockIdx.x * rows;
  double loss = 0.0;
  int32_t correct = 0;
  double loss_total;
  int32_t correct_total;

  for (size_t r = threadIdx.x; r < (size_t) rows; r += kThreads)
    {
      loss += row_loss[base + r];
      correct += row_flags[base + r] & ROW_CORRECT;
    }
  loss_total = block_sum (shared_loss, loss);
  correct_total = block_sum (shared_int, correct);
  if (threadIdx.x == 0)
    {
      acc_loss[blockIdx.x] += loss_total;
      acc_correct[blockIdx.x] += correct_total;
    }
}

__global__ void
gather_rows_kernel (const float *src, int cols, const int *idx, size_t total, float *dst)
{
  for (size_t i = first_index (); i < total; i += grid_stride ())
    {
      size_t row = i / (size_t) cols, col = i % (size_t) cols;

      dst[i] = src[(size_t) idx[row] * cols + col];
    }
}

__global__ void
gather_labels_kernel (const int32_t *src, const int *idx, int n, int32_t *dst)
{
  for (size_t i = first_index (); i < (size_t) n; i += grid_stride ())
    dst[i] = src[idx[i]];
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

__global__ void
random_normal_kernel (float *x, size_t n, uint64_t seed, uint64_t offset)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    x[i] = rng_normal (seed, offset + i);
}

__global__ void
csr_matvec_kernel (int rows, const long long *row_ptr, const int32_t *col_idx, const float *vals, const float *x,
                   float beta, float *y)
{
  for (size_t r = first_index (); r < (size_t) rows; r += grid_stride ())
    csr_row ((int) r, row_ptr, col_idx, vals, x, beta, y);
}

__global__ void
csr_matvec_warp_kernel (int rows, const long long *row_ptr, const int32_t *col_idx, const float *vals,
                        const float *x, float beta, float *y)
{
  int lane = threadIdx.x % kWarp;

  /* Every lane of a warp takes the same rows, so the shuffles below see the whole warp. */
  for (size_t r = first_index () / kWarp; r < (size_t) rows; r += grid_stride () / kWarp)
    {
      float sum = 0.0f;

      for (long long k = row_ptr[r] + lane; k < row_ptr[r + 1]; k += kWarp)
        sum += vals[k] * x[col_idx[k]];
      for (int offset = kWarp / 2; offset > 0; offset /= 2)
        sum += __shfl_down_sync (0xffffffffu, sum, offset);
      if (lane == 0)
        y[r] = beta == 0.0f ? sum : sum + beta * y[r];
    }
}

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

__global__ void
gather_scale_kernel (size_t n, const float *in, const int32_t *idx, const float *scale, float alpha, float *out)
{
  for (size_t i = first_index (); i < n; i += grid_stride ())
    out[i] = gather_scale_element (i, in, idx, scale, alpha);
}

} /* namespace */

/* ---- launchers ---- */

extern "C" cudaError_t
relief_cuda_csr_matvec (int rows, long long nnz, const long long *row_ptr, const int32_t *col_idx,
                        const float *vals, const float *x, float beta, float *y, cudaStream_t stream)
{
  if (rows <= 0)
    return cudaSuccess;
  if (csr_use_warps (rows, nnz))
    csr_matvec_warp_kernel<<<blocks_for ((size_t) rows * kWarp), kThreads, 0, stream>>> (rows, row_ptr, col_idx,
                                                                                       vals, x, beta, y);
  else
    csr_matvec_kernel<<<blocks_for ((size_t) rows), kThreads, 0, stream>>> (rows, row_ptr, col_idx, vals, x, beta,
                                                                            y);
  return cudaGetLastError ();
}

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

extern "C" cudaError_t
relief_cuda_gather_scale (size_t n, const float *in, const int32_t *idx, const float *scale, float alpha,
                          float *out, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  gather_scale_kernel<<<blocks_for (n), kThreads, 0, stream>>> (n, in, idx, scale, alpha, out);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_fill (float *x, size_t n, float value, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  fill_kernel<<<blocks_for (n), kThreads, 0, stream>>> (x, n, value);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_scale (float *x, size_t n, float alpha, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  scale_kernel<<<blocks_for (n), kThreads, 0, stream>>> (x, n, alpha);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_axpy (size_t n, float alpha, const float *x, float *y, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  axpy_kernel<<<blocks_for (n), kThreads, 0, stream>>> (n, alpha, x, y);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_axpby_add (size_t n, const float *a, float alpha, const float *x, float beta, const float *y,
                       float *out, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  axpby_add_kernel<<<blocks_for (n), kThreads, 0, stream>>> (n, a, alpha, x, beta, y, out);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_add_bias (float *x, const float *bias, int rows, int cols, cudaStream_t stream)
{
  size_t total = rows > 0 && cols > 0 ? (size_t) rows * cols : 0;

  if (total == 0)
    return cudaSuccess;
  add_bias_kernel<<<blocks_for (total), kThreads, 0, stream>>> (x, bias, total, cols);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_act_forward (ReliefCudaActivation act, const float *x, float *y, size_t n, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  act_forward_kernel<<<blocks_for (n), kThreads, 0, stream>>> (act, x, y, n);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_act_backward (ReliefCudaActivation act, const float *x, const float *dy, float *dx, size_t n,
                          cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  act_backward_kernel<<<blocks_for (n), kThreads, 0, stream>>> (act, x, dy, dx, n);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_col_sum (const float *x, int rows, int cols, float *out, cudaStream_t stream)
{
  if (cols <= 0)
    return cudaSuccess;
  col_sum_kernel<<<blocks_for ((size_t) cols), kThreads, 0, stream>>> (x, rows, cols, out);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_dot (size_t n, const float *x, const float *y, double *partials, ReliefCudaResults *results,
                 cudaStream_t stream)
{
  unsigned blocks = blocks_for (n);
  cudaError_t status;

  if (blocks > RELIEF_CUDA_DOT_MAX_BLOCKS)
    blocks = RELIEF_CUDA_DOT_MAX_BLOCKS;
  if (blocks == 0)
    blocks = 1;
  dot_partial_kernel<<<blocks, kThreads, 0, stream>>> (n, x, y, partials);
  if ((status = cudaGetLastError ()) != cudaSuccess)
    return status;
  dot_final_kernel<<<1, kThreads, 0, stream>>> (partials, blocks, results);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_loss (ReliefCudaLoss loss, const float *logits, const int32_t *labels, int rows, int cols,
                  int grad_scale_rows, float *dlogits, double *row_loss, int32_t *row_flags,
                  ReliefCudaResults *results, cudaStream_t stream)
{
  cudaError_t status;

  if (rows <= 0)
    return cudaSuccess;
  loss_rows_kernel<<<blocks_for ((size_t) rows), kThreads, 0, stream>>> (loss, logits, labels, rows, cols,
                                                                         grad_scale_rows, dlogits, row_loss,
                                                                         row_flags);
  if ((status = cudaGetLastError ()) != cudaSuccess)
    return status;
  loss_reduce_kernel<<<1, kThreads, 0, stream>>> (row_loss, row_flags, labels, rows, results);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_loss_accumulate (ReliefCudaLoss loss, const float *logits, size_t stride, int count,
                             const int32_t *labels, int rows, int cols, double *row_loss, int32_t *row_flags,
                             double *acc_loss, double *acc_correct, cudaStream_t stream)
{
  cudaError_t status;

  if (count <= 0 || rows <= 0)
    return cudaSuccess;
  loss_rows_batched_kernel<<<blocks_for ((size_t) count * rows), kThreads, 0, stream>>> (loss, logits, stride, count,
                                                                                       labels, rows, cols, row_loss,
                                                                                       row_flags);
  if ((status = cudaGetLastError ()) != cudaSuccess)
    return status;
  loss_accumulate_kernel<<<(unsigned) count, kThreads, 0, stream>>> (row_loss, row_flags, rows, acc_loss,
                                                                     acc_correct);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_gather_rows (const float *src, int cols, const int *idx, int n, float *dst, cudaStream_t stream)
{
  size_t total = n > 0 && cols > 0 ? (size_t) n * cols : 0;

  if (total == 0)
    return cudaSuccess;
  gather_rows_kernel<<<blocks_for (total), kThreads, 0, stream>>> (src, cols, idx, total, dst);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_gather_labels (const int32_t *src, const int *idx, int n, int32_t *dst, cudaStream_t stream)
{
  if (n <= 0)
    return cudaSuccess;
  gather_labels_kernel<<<blocks_for ((size_t) n), kThreads, 0, stream>>> (src, idx, n, dst);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_optimizer_step (const ReliefCudaOptimizerArgs *args, const long long *step_dev, float *params,
                            const float *grad, float *state, size_t n, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  optimizer_kernel<<<blocks_for (n), kThreads, 0, stream>>> (*args, step_dev, params, grad, state, n);
  return cudaGetLastError ();
}

extern "C" cudaError_t
relief_cuda_random_normal (float *x, size_t n, uint64_t seed, uint64_t offset, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  random_normal_kernel<<<blocks_for (n), kThreads, 0, stream>>> (x, n, seed, offset);
  return cudaGetLastError ();
}

/* ---- the same element functions on the host ---- */

extern "C" void
relief_cuda_host_random_normal (float *x, size_t n, uint64_t seed, uint64_t offset)
{
  for (size_t i = 0; i < n; i++)
    x[i] = rng_normal (seed, offset + i);
}

extern "C" void
relief_cuda_host_act_forward (ReliefCudaActivation act, const float *x, float *y, size_t n)
{
  for (size_t i = 0; i < n; i++)
    y[i] = act_forward (act, x[i]);
}

extern "C" void
relief_cuda_host_act_backward (ReliefCudaActivation act, const float *x, const float *dy, float *dx, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dx[i] = act_backward (act, x[i], dy[i]);
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

extern "C" double
relief_cuda_host_loss_row (ReliefCudaLoss loss, const float *logits, int32_t label, int cols, int grad_scale_rows,
                           float *dlogits, int *correct, int *label_ok)
{
  return loss_row (loss, logits, label, cols, grad_scale_rows, dlogits, correct, label_ok);
}

/* The warp kernel's sums in its order: each lane's strided sum, then the shuffle tree as
 * lane 0 sees it (lane l adds lane l + offset's value at each offset). */
static void
host_csr_row_warp (int r, const long long *row_ptr, const int32_t *col_idx, const float *vals, const float *x,
                   float beta, float *y)
{
  float lanes[kWarp];

  for (int lane = 0; lane < kWarp; lane++)
    {
      lanes[lane] = 0.0f;
      for (long long k = row_ptr[r] + lane; k < row_ptr[r + 1]; k += kWarp)
        lanes[lane] += vals[k] * x[col_idx[k]];
    }
  for (int offset = kWarp / 2; offset > 0; offset /= 2)
    for (int lane = 0; lane < offset; lane++)
      lanes[lane] += lanes[lane + offset];
  y[r] = beta == 0.0f ? lanes[0] : lanes[0] + beta * y[r];
}

extern "C" void
relief_cuda_host_csr_matvec (int rows, long long nnz, const long long *row_ptr, const int32_t *col_idx,
                             const float *vals, const float *x, float beta, float *y)
{
  for (int r = 0; r < rows; r++)
    if (csr_use_warps (rows, nnz))
      host_csr_row_warp (r, row_ptr, col_idx, vals, x, beta, y);
    else
      csr_row (r, row_ptr, col_idx, vals, x, beta, y);
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

extern "C" void
relief_cuda_host_gather_scale (size_t n, const float *in, const int32_t *idx, const float *scale, float alpha,
                               float *out)
{
  for (size_t i = 0; i < n; i++)
    out[i] = gather_scale_element (i, in, idx, scale, alpha);
}

/* relief-cuda-sparse.cu: CSR matrix-vector products: a thread per row, or a warp per row for
 * long rows. */
#include "relief-cuda-sparse.h"
#include "relief-cuda-common.cuh"

#include <math.h>

namespace {

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

} /* namespace */

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

/* relief-cuda-sparse.h: sparse matrix-vector products in CSR form.
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

/* y = A x + beta y, A in CSR form (row_ptr [rows + 1], nnz entries), everything on the
 * device: a thread per row for short rows, a warp per row when they average 16 or more. */
cudaError_t relief_cuda_csr_matvec (int rows, long long nnz, const long long *row_ptr, const int32_t *col_idx, const float *vals,
                                    const float *x, float beta, float *y, cudaStream_t stream);

/* The kernels' sums in their order on the host, for tests without a device. */
void relief_cuda_host_csr_matvec (int rows, long long nnz, const long long *row_ptr, const int32_t *col_idx, const float *vals,
                                  const float *x, float beta, float *y);

#ifdef __cplusplus
}
#endif

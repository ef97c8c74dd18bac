/* relief-cuda-reductions.h: sums with a fixed launch shape and a fixed tree, reproducible
 * from run to run, and the scalars they leave on the device.
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

/* Scalars the reductions leave on the device, read back in one copy. */
typedef struct {
  double dot;
  double loss_sum;
  int32_t correct;
  int32_t bad_row;      /* the first row with a label outside 0..cols-1, or rows when none */
  int32_t bad_label;    /* that row's label, read when the loss ran (0 when none) */
  int32_t unused;
} ReliefCudaResults;

/* The dot product's first pass writes one partial sum per block, at most this many. */
#define RELIEF_CUDA_DOT_MAX_BLOCKS 512

cudaError_t relief_cuda_col_sum   (const float *x, int rows, int cols, float *out, cudaStream_t stream);
/* results->dot = sum x[i] y[i] in double; partials holds RELIEF_CUDA_DOT_MAX_BLOCKS doubles. */
cudaError_t relief_cuda_dot       (size_t n, const float *x, const float *y, double *partials,
                                   ReliefCudaResults *results, cudaStream_t stream);

#ifdef __cplusplus
}
#endif

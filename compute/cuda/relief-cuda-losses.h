/* relief-cuda-losses.h: the losses of a batch of logits, with their gradient and accuracy.
 *
 * Launchers queue their work on the given stream and return the launch status
 * (cudaGetLastError), never waiting for the device; sizes of zero launch nothing. */
#pragma once

#include "relief-cuda-reductions.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The values of ReliefLoss, mirrored as ReliefCudaActivation is. */
typedef enum {
  RELIEF_CUDA_LOSS_CROSS_ENTROPY,
  RELIEF_CUDA_LOSS_MSE,
} ReliefCudaLoss;

/* results->loss_sum, correct and bad_row for rows >= 1; row_loss and row_flags are
 * scratch of rows elements each.  dlogits may be NULL. */
cudaError_t relief_cuda_loss      (ReliefCudaLoss loss, const float *logits, const int32_t *labels, int rows,
                                   int cols, int grad_scale_rows, float *dlogits, double *row_loss,
                                   int32_t *row_flags, ReliefCudaResults *results, cudaStream_t stream);
/* acc_loss[p] += matrix p's loss summed over rows, acc_correct[p] += its rows whose argmax is
 * the label, for count matrices at logits + p * stride; row_loss and row_flags are scratch
 * of count * rows each.  Rows with a bad label add nothing. */
cudaError_t relief_cuda_loss_accumulate (ReliefCudaLoss loss, const float *logits, size_t stride, int count,
                                         const int32_t *labels, int rows, int cols, double *row_loss,
                                         int32_t *row_flags, double *acc_loss, double *acc_correct,
                                         cudaStream_t stream);
/* rdlogits = the loss's Hessian in the logits times rlogits, divided by grad_scale_rows,
 * one thread per row. */
cudaError_t relief_cuda_loss_r_backward (ReliefCudaLoss loss, const float *logits, const float *rlogits, int rows,
                                         int cols, int grad_scale_rows, float *rdlogits, cudaStream_t stream);

/* One row of the loss on the host: returns the row's loss, sets *correct and *label_ok. */
double relief_cuda_host_loss_row     (ReliefCudaLoss loss, const float *logits, int32_t label, int cols,
                                      int grad_scale_rows, float *dlogits, int *correct, int *label_ok);
/* One row of relief_cuda_loss_r_backward on the host. */
void   relief_cuda_host_loss_r_row   (ReliefCudaLoss loss, const float *logits, const float *rlogits, int cols,
                                      int grad_scale_rows, float *rdlogits);

#ifdef __cplusplus
}
#endif

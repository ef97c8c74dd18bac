/* relief-mlp.h: multilayer perceptrons over one flat parameter buffer.
 *
 * Parameters are laid out W0, b0, W1, b1, ... with each W row-major [out, in]
 * (PyTorch's nn.Linear layout).  The activation follows every layer but the last;
 * the last layer's outputs are logits for the loss.
 */
#pragma once

#include <glib.h>
#include "relief-backend.h"
#include "relief-dataset.h"

G_BEGIN_DECLS

typedef enum {
  RELIEF_LOSS_CROSS_ENTROPY, /*< nick=cross_entropy >*/ /* softmax, natural log, mean over samples */
  RELIEF_LOSS_MSE,           /*< nick=mse >*/           /* mean over samples and outputs, one-hot targets */
} ReliefLoss;

typedef struct {
  int              n_layers;    /* linear layers */
  int             *sizes;       /* n_layers + 1: inputs, hidden..., outputs */
  ReliefActivation activation;
  ReliefLoss       loss;
} ReliefMlpSpec;

ReliefMlpSpec *relief_mlp_spec_new   (const int *sizes, int n_sizes, ReliefActivation act, ReliefLoss loss);
ReliefMlpSpec *relief_mlp_spec_copy  (const ReliefMlpSpec *spec);
void           relief_mlp_spec_free  (ReliefMlpSpec *spec);
gsize          relief_mlp_spec_n_params     (const ReliefMlpSpec *spec);
/* The parameter count of layer sizes from a file or a user: FALSE when a size is below 1
 * or the count (or its bytes) overflows size_t, which the spec functions assume it never does. */
gboolean       relief_mlp_count_params (const int *sizes, int n_sizes, gsize *n_params);
gsize          relief_mlp_spec_weight_offset (const ReliefMlpSpec *spec, int layer);
gsize          relief_mlp_spec_bias_offset   (const ReliefMlpSpec *spec, int layer);
/* Tensors in file order (W0, b0, W1, ...): 2*n_layers of them; shape of tensor t. */
int            relief_mlp_spec_n_tensors     (const ReliefMlpSpec *spec);
void           relief_mlp_spec_tensor_shape  (const ReliefMlpSpec *spec, int t, int *rank, gsize dims[2], gsize *offset);

/* PyTorch's default nn.Linear initialization (uniform in +-1/sqrt(fan_in) for W and b),
 * drawn from relief-rng so it is the same on every backend. */
void           relief_mlp_init_params (const ReliefMlpSpec *spec, guint64 seed, float *params_host);

/* Workspace for forward and backward passes of up to max_batch rows on a backend. */
typedef struct _ReliefMlp ReliefMlp;

ReliefMlp     *relief_mlp_new  (ReliefBackend *backend, const ReliefMlpSpec *spec, int max_batch, GError **error);
void           relief_mlp_free (ReliefMlp *mlp);

/* Forward over a batch already on the device: x [batch, in], y [batch].
 * Returns the mean loss and the number of correct argmax predictions. */
gboolean       relief_mlp_forward  (ReliefMlp *mlp, const float *params, const float *x, const int32_t *y,
                                    int batch, double *mean_loss, int *correct, GError **error);
/* Forward and backward: grad (device, n_params floats) receives d(mean loss)/d(params).
 * mean_loss and correct both NULL leave the loss sum on the device for the backend's
 * fetch (divide by batch for the mean). */
gboolean       relief_mlp_forward_backward (ReliefMlp *mlp, const float *params, const float *x, const int32_t *y,
                                            int batch, float *grad, double *mean_loss, int *correct, GError **error);
/* The Hessian-vector product by Pearlmutter's R-operator (one forward, R-forward,
 * backward and R-backward pass, about two gradients' work): hv (device, n_params floats)
 * receives H v for H the Hessian in the parameters of (the loss summed over the batch's
 * rows) / scale_rows, v a direction on the device in the parameters' layout.  A sum over
 * chunks of rows with scale_rows their total gives the Hessian of the mean loss.
 * *loss_sum (may be NULL) receives the batch's loss summed over its rows. */
gboolean       relief_mlp_hvp (ReliefMlp *mlp, const float *params, const float *v, const float *x, const int32_t *y,
                               int batch, int scale_rows, float *hv, double *loss_sum, GError **error);
/* The same product in two halves, for many directions at the same parameters (Lanczos):
 * what does not depend on v (the forward pass, the loss's gradient, the backward deltas)
 * prepared once into state (device, relief_mlp_hvp_state_floats (spec, batch) floats),
 * then applied to each v at the same params, rows and scale_rows, with a third of the
 * work fewer and hv bit for bit relief_mlp_hvp's. */
gsize          relief_mlp_hvp_state_floats (const ReliefMlpSpec *spec, int batch);
gboolean       relief_mlp_hvp_prepare (ReliefMlp *mlp, const float *params, const float *x, const int32_t *y,
                                       int batch, int scale_rows, float *state, double *loss_sum, GError **error);
gboolean       relief_mlp_hvp_apply (ReliefMlp *mlp, const float *params, const float *v, const float *x,
                                     const float *state, int batch, int scale_rows, float *hv, GError **error);
/* The logits of the last forward pass [batch, outputs], on the device. */
const float   *relief_mlp_get_logits (ReliefMlp *mlp);

/* Mean loss and accuracy (fraction) over host data, evaluated in chunks of max_batch;
 * params are on the device.  n may exceed max_batch. */
gboolean       relief_mlp_evaluate (ReliefMlp *mlp, const float *params, const float *x_host, const int32_t *y_host,
                                    int n, double *mean_loss, double *accuracy, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefMlpSpec, relief_mlp_spec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefMlp, relief_mlp_free)

G_END_DECLS

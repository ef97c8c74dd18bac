/* relief-backend.h: the compute backend interface.
 *
 * Every model and algorithm in compute/ is written once against this table of function
 * pointers; the CPU backend (OpenBLAS) is the reference, the CUDA backend (cuda/) fills
 * the same table.  Buffers returned by alloc() live on the backend's device: on the CPU they
 * are ordinary host memory, elsewhere they must only be passed back to the backend.
 * All matrices are row-major.  Every operation that can fail returns FALSE and sets error;
 * nothing here ever calls exit().
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct _ReliefBackend ReliefBackend;
typedef struct _ReliefGraph ReliefGraph;

typedef enum {
  RELIEF_ACT_RELU,       /*< nick=relu >*/
  RELIEF_ACT_LEAKY_RELU, /*< nick=leaky_relu >*/ /* slope 0.01 below zero, as torch.nn.LeakyReLU */
  RELIEF_ACT_TANH,       /*< nick=tanh >*/
  RELIEF_ACT_GELU,       /*< nick=gelu >*/       /* exact erf form, as torch.nn.GELU() */
} ReliefActivation;

#define RELIEF_LEAKY_RELU_SLOPE 0.01f

typedef enum {
  RELIEF_OPT_SGD,      /*< nick=sgd >*/
  RELIEF_OPT_MOMENTUM, /*< nick=momentum >*/
  RELIEF_OPT_NESTEROV, /*< nick=nesterov >*/
  RELIEF_OPT_ADAM,     /*< nick=adam >*/
  RELIEF_OPT_ADAMW,    /*< nick=adamw >*/
  RELIEF_OPT_ADAGRAD,  /*< nick=adagrad >*/
  RELIEF_OPT_RMSPROP,  /*< nick=rmsprop >*/
  RELIEF_OPT_SIGN,     /*< nick=sign >*/
} ReliefOptimizerKind;

typedef struct {
  ReliefOptimizerKind kind;
  float lr;
  float momentum;      /* momentum, nesterov; rmsprop's momentum and sign's signum beta (0: none) */
  float weight_decay;  /* L2 added to the gradient for all but adamw, decoupled for adamw */
  float beta1, beta2, eps;  /* adam, adamw; beta2 is rmsprop's alpha; eps also adagrad's, rmsprop's */
} ReliefOptimizerConfig;

/* The update rules, all as torch.optim's (float32, state starting at zero):
 *   adagrad: g += wd p; s += g^2; p -= lr g / (sqrt(s) + eps)            (no lr decay)
 *   rmsprop: g += wd p; s = alpha s + (1 - alpha) g^2; d = g / (sqrt(s) + eps);
 *            with momentum mu > 0: b = mu b + d, p -= lr b; otherwise p -= lr d   (not centered)
 *   sign:    g += wd p; without momentum p -= lr sign(g); with beta = momentum > 0 (signum)
 *            m = beta m + (1 - beta) g, p -= lr sign(m). */

/* Sets cfg's kind and that kind's defaults (torch's, but momentum 0.9 for momentum and
 * nesterov): beta1, beta2 (rmsprop's alpha 0.99), eps (adagrad 1e-10, others 1e-8) and
 * momentum (0.9 for momentum and nesterov, 0 for rmsprop and sign; left as it is for the
 * kinds that ignore it).  lr and weight_decay are left as they are. */
void relief_optimizer_config_set_kind (ReliefOptimizerConfig *cfg, ReliefOptimizerKind kind);

struct _ReliefBackend {
  const char *name;                      /* "cpu", "cuda" */
  /* alloc() returns host memory: host data that is only read (a data set) can be passed
   * to the operations in place, without an upload. */
  gboolean    host_memory;

  void      (*destroy)   (ReliefBackend *self);

  /* memory */
  gpointer  (*alloc)     (ReliefBackend *self, gsize bytes, GError **error);   /* zero-filled */
  void      (*free)      (ReliefBackend *self, gpointer buf);
  gboolean  (*upload)    (ReliefBackend *self, gpointer dst, gconstpointer host_src, gsize bytes, GError **error);
  gboolean  (*download)  (ReliefBackend *self, gpointer host_dst, gconstpointer src, gsize bytes, GError **error);
  /* dst and src may be the same buffer but may not otherwise overlap. */
  gboolean  (*copy)      (ReliefBackend *self, gpointer dst, gconstpointer src, gsize bytes, GError **error);
  gboolean  (*sync)      (ReliefBackend *self, GError **error);

  /* C[m,n] = alpha * op(A) op(B) + beta * C, row-major, op(A) is [m,k], op(B) is [k,n] */
  gboolean  (*gemm)      (ReliefBackend *self, gboolean trans_a, gboolean trans_b,
                          int m, int n, int k, float alpha,
                          const float *a, int lda, const float *b, int ldb,
                          float beta, float *c, int ldc, GError **error);

  /* batch_count independent gemms; matrix i of A starts at a + i * stride_a, and so on. */
  gboolean  (*gemm_strided_batched) (ReliefBackend *self, gboolean trans_a, gboolean trans_b,
                                     int m, int n, int k, float alpha,
                                     const float *a, int lda, gint64 stride_a,
                                     const float *b, int ldb, gint64 stride_b,
                                     float beta, float *c, int ldc, gint64 stride_c,
                                     int batch_count, GError **error);

  /* elementwise */
  gboolean  (*fill)      (ReliefBackend *self, float *x, gsize n, float value, GError **error);
  gboolean  (*scale)     (ReliefBackend *self, float *x, gsize n, float alpha, GError **error);
  /* y += alpha * x */
  gboolean  (*axpy)      (ReliefBackend *self, gsize n, float alpha, const float *x, float *y, GError **error);
  /* out = a + alpha * x + beta * y (out may alias a) */
  gboolean  (*axpby_add) (ReliefBackend *self, gsize n, const float *a, float alpha, const float *x,
                          float beta, const float *y, float *out, GError **error);
  /* x[r, c] += bias[c] for an [rows, cols] matrix */
  gboolean  (*add_bias)  (ReliefBackend *self, float *x, const float *bias, int rows, int cols, GError **error);
  /* y = act(x) (y may alias x only for relu-like; callers keep pre-activations separately) */
  gboolean  (*act_forward)  (ReliefBackend *self, ReliefActivation act, const float *x, float *y, gsize n, GError **error);
  /* dx = dy * act'(x), x the pre-activation */
  gboolean  (*act_backward) (ReliefBackend *self, ReliefActivation act, const float *x, const float *dy, float *dx, gsize n, GError **error);
  /* The R-operator of act_backward (Pearlmutter's, for Hessian-vector products): when x
   * moves by rx and dy by rdy, dx = dy * act'(x) moves by
   * out = rdy * act'(x) + dy * act''(x) * rx.  act'' is 0 for relu and leaky relu (their
   * kinks have measure zero). */
  gboolean  (*act_r_backward) (ReliefBackend *self, ReliefActivation act, const float *x, const float *dy,
                               const float *rdy, const float *rx, float *out, gsize n, GError **error);

  /* reductions */
  /* out[c] = sum over rows of x[r, c] (bias gradients) */
  gboolean  (*col_sum)   (ReliefBackend *self, const float *x, int rows, int cols, float *out, GError **error);
  /* *out (host) = sum_i x[i] * y[i], accumulated in double; out NULL defers it (fetch) */
  gboolean  (*dot)       (ReliefBackend *self, gsize n, const float *x, const float *y, double *out, GError **error);

  /* Losses over logits [rows, cols] and labels [rows] (int32, on the device).
   * cross-entropy: mean over rows of -log softmax(logits)[label];
   * mse: mean over rows and cols of (logits - onehot(label))^2.
   * *loss_sum (host) = the loss summed over rows (not yet divided by rows; the mse sum is
   * already divided by cols), *correct (host) = rows whose argmax equals the label.
   * When dlogits is not NULL it receives d(loss_sum / grad_scale_rows)/dlogits.
   * loss_sum and correct both NULL defer the results (and a bad label's error) to fetch. */
  gboolean  (*loss)      (ReliefBackend *self, int loss_kind, const float *logits, const int32_t *labels,
                          int rows, int cols, int grad_scale_rows, float *dlogits,
                          double *loss_sum, int *correct, GError **error);

  /* The R-operator of loss()'s dlogits: rdlogits = (the Hessian of the row's loss in its
   * logits) rlogits / grad_scale_rows, row by row.  Cross-entropy: p * r - p (p . r) with
   * p = softmax(logits); mse: 2 r / cols.  Neither depends on the labels. */
  gboolean  (*loss_r_backward) (ReliefBackend *self, int loss_kind, const float *logits, const float *rlogits,
                                int rows, int cols, int grad_scale_rows, float *rdlogits, GError **error);

  /* For count logit matrices [rows, cols] at logits + i * stride: acc_loss[i] += the loss
   * summed over the rows, as loss() sums it, and acc_correct[i] += the rows whose argmax is
   * their label; the accumulators are doubles on the device, read back when the caller is
   * done.  A row whose label is outside 0..cols-1 adds nothing (data sets check labels
   * when they load). */
  gboolean  (*loss_accumulate) (ReliefBackend *self, int loss_kind, const float *logits, gsize stride, int count,
                                const int32_t *labels, int rows, int cols, double *acc_loss, double *acc_correct,
                                GError **error);

  /* rows gathered: dst[i, :] = src[idx[i], :]; idx is on the device (a trainer uploads an
   * epoch's order once, not every batch's) */
  gboolean  (*gather_rows)    (ReliefBackend *self, const float *src, int cols, const int *idx, int n,
                               float *dst, GError **error);
  gboolean  (*gather_labels)  (ReliefBackend *self, const int32_t *src, const int *idx, int n,
                               int32_t *dst, GError **error);

  /* One fused optimizer step over a flat buffer.  state holds what the optimizer needs
   * (momentum, nesterov, adagrad, sign: n floats; adam, adamw, rmsprop: 2n floats); params, grad and state do not overlap;
   * step counts from 1.  When step_dev (one
   * gint64 on the device) is not NULL the step is read from there when the update runs,
   * and step is ignored: a recorded graph then replays with the count of each launch.
   * That count is not checked (the device cannot report it): it must be 1 or more. */
  gboolean  (*optimizer_step) (ReliefBackend *self, const ReliefOptimizerConfig *cfg, gint64 step,
                               const gint64 *step_dev, float *params, const float *grad, float *state, gsize n,
                               GError **error);

  /* Standard normal fill, counter-based: element i is relief_rng_normal(seed, offset + i),
   * so every backend produces the same numbers (see relief-rng.h), up to the last bit of
   * the device's log and cos (within an ulp or two of glibc's). */
  gboolean  (*random_normal)  (ReliefBackend *self, float *x, gsize n, guint64 seed, guint64 offset, GError **error);

  /* The results of the last deferred loss and dot, read together: one wait for the device
   * per training step instead of one per reduction.  Each pointer may be NULL; asking for
   * one that was not deferred since the last fetch is an error. */
  gboolean  (*fetch)          (ReliefBackend *self, double *loss_sum, int *correct, double *dot, GError **error);

  /* Free and total bytes of the backend's memory (host RAM for the CPU). */
  gboolean  (*memory_info)    (ReliefBackend *self, gsize *free_bytes, gsize *total_bytes, GError **error);

  /* y = A x + beta * y for a CSR matrix A [rows, *] of nnz entries: row r holds the entries
   * row_ptr[r] .. row_ptr[r + 1] - 1 of col_idx and vals; all on the device (nnz, on the
   * host, lets a backend pick its kernel for short or long rows). */
  gboolean  (*csr_matvec)     (ReliefBackend *self, int rows, gint64 nnz, const gint64 *row_ptr, const int32_t *col_idx,
                               const float *vals, const float *x, float beta, float *y, GError **error);

  /* In-place unnormalized Walsh-Hadamard transform of count vectors of n = 2^k floats each,
   * stored one after the other: x <- H x with H_ab = (-1)^popcount(a & b). */
  gboolean  (*fwht)           (ReliefBackend *self, float *x, gsize n, gsize count, GError **error);

  /* out[i] = alpha * scale[i] * in[idx[i]] for i < n; idx NULL reads in[i], scale NULL is 1.
   * idx (int32) and scale are on the device; out may not alias in. */
  gboolean  (*gather_scale)   (ReliefBackend *self, gsize n, const float *in, const int32_t *idx,
                               const float *scale, float alpha, float *out, GError **error);

  /* Recorded graphs, optional (NULL where a backend has none, as on the CPU, whose
   * operations have no launch cost to save).  graph_begin starts recording: the
   * operations queued until graph_end are recorded, not run, and graph_launch runs them
   * all again in one launch.  A replay reads the same buffers with the same scalar
   * arguments as the recording, so whatever changes between launches must live in device
   * memory and be written before the launch.  Nothing that waits for the device (a
   * download, a non-deferred loss or dot, an allocation) may be recorded: graph_end then
   * fails, and returns NULL, ending the recording either way.  Deferred results of a
   * recorded loss or dot become pending again at each launch, for fetch. */
  gboolean     (*graph_begin)  (ReliefBackend *self, GError **error);
  ReliefGraph *(*graph_end)    (ReliefBackend *self, GError **error);
  gboolean     (*graph_launch) (ReliefBackend *self, ReliefGraph *graph, GError **error);
  void         (*graph_free)   (ReliefBackend *self, ReliefGraph *graph);

  gpointer priv;
};

/* What a user asks for (--backend, the pages' Backend rows): a GEnum named by its nicks. */
typedef enum {
  RELIEF_BACKEND_AUTO, /*< nick=auto >*/ /* CUDA when usable, otherwise the CPU */
  RELIEF_BACKEND_CPU,  /*< nick=cpu >*/
  RELIEF_BACKEND_CUDA, /*< nick=cuda >*/
} ReliefBackendKind;

/* Backend lookup: "cpu", "cuda" or "auto" (CUDA when usable, otherwise CPU). */
ReliefBackend *relief_backend_new       (const char *name, GError **error);
ReliefBackend *relief_backend_cpu_new   (void);
void           relief_backend_free      (ReliefBackend *backend);
/* The number of optimizer state floats per parameter. */
int            relief_optimizer_state_size (ReliefOptimizerKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefBackend, relief_backend_free)

G_END_DECLS

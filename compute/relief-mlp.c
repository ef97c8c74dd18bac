/* relief-mlp.c: MLP forward and backward passes written against the backend table.
 *
 * Device buffers are only ever handed to backend functions, never dereferenced here, so
 * the same code runs on every backend. */
#include "relief-mlp.h"
#include <glib/gi18n-lib.h>
#include "relief-rng.h"

#include <gio/gio.h>
#include <math.h>

ReliefMlpSpec *
relief_mlp_spec_new (const int *sizes, int n_sizes, ReliefActivation act, ReliefLoss loss)
{
  ReliefMlpSpec *spec;

  g_return_val_if_fail (sizes != NULL && n_sizes >= 2, NULL);

  spec = g_new0 (ReliefMlpSpec, 1);
  spec->n_layers = n_sizes - 1;
  spec->sizes = g_memdup2 (sizes, sizeof (int) * n_sizes);
  spec->activation = act;
  spec->loss = loss;
  return spec;
}

ReliefMlpSpec *
relief_mlp_spec_copy (const ReliefMlpSpec *spec)
{
  return relief_mlp_spec_new (spec->sizes, spec->n_layers + 1, spec->activation, spec->loss);
}

void
relief_mlp_spec_free (ReliefMlpSpec *spec)
{
  if (spec == NULL)
    return;
  g_free (spec->sizes);
  g_free (spec);
}

gsize
relief_mlp_spec_weight_offset (const ReliefMlpSpec *spec, int layer)
{
  gsize offset = 0;

  for (int l = 0; l < layer; l++)
    offset += (gsize) spec->sizes[l + 1] * ((gsize) spec->sizes[l] + 1);
  return offset;
}

gsize
relief_mlp_spec_bias_offset (const ReliefMlpSpec *spec, int layer)
{
  return relief_mlp_spec_weight_offset (spec, layer) + (gsize) spec->sizes[layer + 1] * spec->sizes[layer];
}

gsize
relief_mlp_spec_n_params (const ReliefMlpSpec *spec)
{
  return relief_mlp_spec_weight_offset (spec, spec->n_layers);
}

gboolean
relief_mlp_count_params (const int *sizes, int n_sizes, gsize *n_params)
{
  gsize total = 0, layer;

  for (int l = 0; l + 1 < n_sizes; l++)
    {
      if (sizes[l] < 1 || sizes[l + 1] < 1 ||
          !g_size_checked_mul (&layer, (gsize) sizes[l + 1], (gsize) sizes[l] + 1) ||
          !g_size_checked_add (&total, total, layer))
        return FALSE;
    }
  /* Every offset into the parameters must also fit in bytes. */
  if (total > G_MAXSIZE / sizeof (float))
    return FALSE;
  *n_params = total;
  return TRUE;
}

int
relief_mlp_spec_n_tensors (const ReliefMlpSpec *spec)
{
  return 2 * spec->n_layers;
}

void
relief_mlp_spec_tensor_shape (const ReliefMlpSpec *spec, int t, int *rank, gsize dims[2], gsize *offset)
{
  int layer = t / 2;

  g_return_if_fail (t >= 0 && t < relief_mlp_spec_n_tensors (spec));

  if (t % 2 == 0)
    {
      *rank = 2;
      dims[0] = spec->sizes[layer + 1];
      dims[1] = spec->sizes[layer];
      *offset = relief_mlp_spec_weight_offset (spec, layer);
    }
  else
    {
      *rank = 1;
      dims[0] = spec->sizes[layer + 1];
      dims[1] = 0;
      *offset = relief_mlp_spec_bias_offset (spec, layer);
    }
}

void
relief_mlp_init_params (const ReliefMlpSpec *spec, guint64 seed, float *params_host)
{
  guint64 init_seed = relief_rng_derive (seed, "init");

  /* Element i of the flat vector always uses draw i, whatever the layer. */
  for (int l = 0; l < spec->n_layers; l++)
    {
      gsize w_off = relief_mlp_spec_weight_offset (spec, l);
      gsize count = (gsize) spec->sizes[l + 1] * ((gsize) spec->sizes[l] + 1);
      float bound = (float) (1.0 / sqrt ((double) spec->sizes[l]));

      relief_rng_uniform_fill (init_seed, w_off, -bound, bound, params_host + w_off, count);
    }
}

struct _ReliefMlp {
  ReliefBackend *backend;   /* borrowed */
  ReliefMlpSpec *spec;
  int            max_batch;

  /* device buffers, max_batch rows each */
  float        **pre;       /* per layer, [batch, out]: the last one holds the logits */
  float        **post;      /* per hidden layer, [batch, out] */
  float         *grad_a;    /* backward ping-pong pair, [batch, widest layer] */
  float         *grad_b;
  float         *x_stage;   /* evaluate()'s host chunks */
  int32_t       *y_stage;

  /* relief_mlp_hvp's R-operator buffers, allocated by its first call */
  float        **r_pre;     /* per layer, [batch, out]: R{Z} */
  float        **r_post;    /* per hidden layer: R{act(Z)} */
  float         *r_grad_a;  /* R{dZ} and R{dX}, [batch, widest layer] */
  float         *r_grad_b;
  float         *hvp_state; /* relief_mlp_hvp's own state, max_batch rows */
  int            widest;
};

void
relief_mlp_free (ReliefMlp *mlp)
{
  ReliefBackend *be;

  if (mlp == NULL)
    return;
  be = mlp->backend;
  for (int l = 0; l < mlp->spec->n_layers; l++)
    {
      be->free (be, mlp->pre[l]);
      be->free (be, mlp->post[l]);
    }
  g_free (mlp->pre);
  g_free (mlp->post);
  if (mlp->r_pre != NULL)
    for (int l = 0; l < mlp->spec->n_layers; l++)
      {
        be->free (be, mlp->r_pre[l]);
        be->free (be, mlp->r_post[l]);
      }
  g_free (mlp->r_pre);
  g_free (mlp->r_post);
  be->free (be, mlp->r_grad_a);
  be->free (be, mlp->r_grad_b);
  be->free (be, mlp->hvp_state);
  be->free (be, mlp->grad_a);
  be->free (be, mlp->grad_b);
  be->free (be, mlp->x_stage);
  be->free (be, mlp->y_stage);
  relief_mlp_spec_free (mlp->spec);
  g_free (mlp);
}

ReliefMlp *
relief_mlp_new (ReliefBackend *backend, const ReliefMlpSpec *spec, int max_batch, GError **error)
{
  g_autoptr(ReliefMlp) mlp = NULL;
  ReliefBackend *be = backend;
  int widest = 0;
  gsize rows;

  if (spec->n_layers < 1 || max_batch < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("An MLP needs at least one layer and a batch of one (got %d layers, batch %d)"),
                   spec->n_layers, max_batch);
      return NULL;
    }
  for (int l = 0; l <= spec->n_layers; l++)
    {
      if (spec->sizes[l] < 1)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Layer width %d is %d; every width must be at least 1"), l, spec->sizes[l]);
          return NULL;
        }
      widest = MAX (widest, spec->sizes[l]);
    }
  if ((guint) spec->activation > RELIEF_ACT_GELU || (guint) spec->loss > RELIEF_LOSS_MSE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown activation or loss in the MLP spec"));
      return NULL;
    }

  mlp = g_new0 (ReliefMlp, 1);
  mlp->backend = backend;
  mlp->spec = relief_mlp_spec_copy (spec);
  mlp->max_batch = max_batch;
  mlp->widest = widest;
  mlp->pre = g_new0 (float *, spec->n_layers);
  mlp->post = g_new0 (float *, spec->n_layers);
  rows = (gsize) max_batch;

  for (int l = 0; l < spec->n_layers; l++)
    {
      gsize bytes = sizeof (float) * rows * spec->sizes[l + 1];

      if ((mlp->pre[l] = be->alloc (be, bytes, error)) == NULL)
        return NULL;
      if (l < spec->n_layers - 1 && (mlp->post[l] = be->alloc (be, bytes, error)) == NULL)
        return NULL;
    }
  if ((mlp->grad_a = be->alloc (be, sizeof (float) * rows * widest, error)) == NULL ||
      (mlp->grad_b = be->alloc (be, sizeof (float) * rows * widest, error)) == NULL ||
      (mlp->x_stage = be->alloc (be, sizeof (float) * rows * spec->sizes[0], error)) == NULL ||
      (mlp->y_stage = be->alloc (be, sizeof (int32_t) * rows, error)) == NULL)
    return NULL;

  return g_steal_pointer (&mlp);
}

const float *
relief_mlp_get_logits (ReliefMlp *mlp)
{
  return mlp->pre[mlp->spec->n_layers - 1];
}

static gboolean
check_batch (ReliefMlp *mlp, int batch, GError **error)
{
  if (batch < 1 || batch > mlp->max_batch)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Batch of %d rows; this workspace takes 1 to %d"), batch, mlp->max_batch);
      return FALSE;
    }
  return TRUE;
}

/* The input of layer l: the data for the first layer, the previous activation otherwise. */
static const float *
layer_input (ReliefMlp *mlp, const float *x, int l)
{
  return l == 0 ? x : mlp->post[l - 1];
}

/* The forward pass into pre and post (per layer, as mlp->pre and mlp->post). */
static gboolean
forward_into (ReliefMlp *mlp, const float *params, const float *x, int batch, float *const *pre,
              float *const *post, GError **error)
{
  ReliefBackend *be = mlp->backend;
  const ReliefMlpSpec *spec = mlp->spec;

  for (int l = 0; l < spec->n_layers; l++)
    {
      int in = spec->sizes[l], out = spec->sizes[l + 1];
      const float *w = params + relief_mlp_spec_weight_offset (spec, l);
      const float *b = params + relief_mlp_spec_bias_offset (spec, l);

      /* Z = X W^T + b, with W stored [out, in] */
      if (!be->gemm (be, FALSE, TRUE, batch, out, in, 1.0f, l == 0 ? x : post[l - 1], in, w, in,
                     0.0f, pre[l], out, error) ||
          !be->add_bias (be, pre[l], b, batch, out, error))
        return FALSE;
      if (l < spec->n_layers - 1 &&
          !be->act_forward (be, spec->activation, pre[l], post[l], (gsize) batch * out, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
forward_pass (ReliefMlp *mlp, const float *params, const float *x, int batch, GError **error)
{
  return forward_into (mlp, params, x, batch, mlp->pre, mlp->post, error);
}

gboolean
relief_mlp_forward (ReliefMlp *mlp, const float *params, const float *x, const int32_t *y,
                    int batch, double *mean_loss, int *correct, GError **error)
{
  ReliefBackend *be = mlp->backend;
  const ReliefMlpSpec *spec = mlp->spec;
  double loss_sum;

  if (!check_batch (mlp, batch, error) ||
      !forward_pass (mlp, params, x, batch, error) ||
      !be->loss (be, spec->loss, relief_mlp_get_logits (mlp), y, batch, spec->sizes[spec->n_layers],
                 batch, NULL, &loss_sum, correct, error))
    return FALSE;
  *mean_loss = loss_sum / batch;
  return TRUE;
}

gboolean
relief_mlp_forward_backward (ReliefMlp *mlp, const float *params, const float *x, const int32_t *y,
                             int batch, float *grad, double *mean_loss, int *correct, GError **error)
{
  ReliefBackend *be = mlp->backend;
  const ReliefMlpSpec *spec = mlp->spec;
  float *dz = mlp->grad_a, *da = mlp->grad_b;
  gboolean deferred = mean_loss == NULL && correct == NULL;
  double loss_sum = 0.0;

  if (!check_batch (mlp, batch, error) ||
      !forward_pass (mlp, params, x, batch, error) ||
      !be->loss (be, spec->loss, relief_mlp_get_logits (mlp), y, batch, spec->sizes[spec->n_layers],
                 batch, dz, deferred ? NULL : &loss_sum, correct, error))
    return FALSE;

  for (int l = spec->n_layers - 1; l >= 0; l--)
    {
      int in = spec->sizes[l], out = spec->sizes[l + 1];
      gsize w_off = relief_mlp_spec_weight_offset (spec, l);
      gsize b_off = relief_mlp_spec_bias_offset (spec, l);

      /* dW = dZ^T X [out, in], db = column sums of dZ */
      if (!be->gemm (be, TRUE, FALSE, out, in, batch, 1.0f, dz, out, layer_input (mlp, x, l), in,
                     0.0f, grad + w_off, in, error) ||
          !be->col_sum (be, dz, batch, out, grad + b_off, error))
        return FALSE;
      if (l == 0)
        break;
      /* dX = dZ W [batch, in], then through the previous layer's activation; dZ of this
       * layer is no longer needed, so the previous layer's dZ overwrites it */
      if (!be->gemm (be, FALSE, FALSE, batch, in, out, 1.0f, dz, out, params + w_off, in,
                     0.0f, da, in, error) ||
          !be->act_backward (be, spec->activation, mlp->pre[l - 1], da, dz, (gsize) batch * in, error))
        return FALSE;
    }
  if (mean_loss != NULL)
    *mean_loss = loss_sum / batch;
  return TRUE;
}

static gboolean
ensure_r_buffers (ReliefMlp *mlp, GError **error)
{
  ReliefBackend *be = mlp->backend;
  const ReliefMlpSpec *spec = mlp->spec;
  gsize rows = (gsize) mlp->max_batch;

  if (mlp->r_grad_b != NULL)
    return TRUE;
  if (mlp->r_pre == NULL)
    {
      mlp->r_pre = g_new0 (float *, spec->n_layers);
      mlp->r_post = g_new0 (float *, spec->n_layers);
    }
  for (int l = 0; l < spec->n_layers; l++)
    {
      gsize bytes = sizeof (float) * rows * spec->sizes[l + 1];

      if (mlp->r_pre[l] == NULL && (mlp->r_pre[l] = be->alloc (be, bytes, error)) == NULL)
        return FALSE;
      if (l < spec->n_layers - 1 && mlp->r_post[l] == NULL &&
          (mlp->r_post[l] = be->alloc (be, bytes, error)) == NULL)
        return FALSE;
    }
  if (mlp->r_grad_a == NULL &&
      (mlp->r_grad_a = be->alloc (be, sizeof (float) * rows * mlp->widest, error)) == NULL)
    return FALSE;
  return (mlp->r_grad_b = be->alloc (be, sizeof (float) * rows * mlp->widest, error)) != NULL;
}

/* What a Hessian-vector product keeps of the pass at params that does not depend on the
 * direction, per layer l for a batch: Z_l (pre, [batch, out]), act(Z_l) (post, hidden
 * layers), the backward pass's dZ_l (dz, [batch, out]) and dX_l = dZ_l W_l (dx, [batch,
 * in], l >= 1), laid out one after the other in a flat buffer. */
typedef struct {
  float **pre, **post, **dz, **dx;
} HvpState;

static gsize
hvp_state_layout (const ReliefMlpSpec *spec, int batch, float *base, HvpState *st)
{
  gsize at = 0;

  if (st != NULL)
    {
      st->pre = g_new0 (float *, 4 * spec->n_layers);
      st->post = st->pre + spec->n_layers;
      st->dz = st->post + spec->n_layers;
      st->dx = st->dz + spec->n_layers;
    }
  for (int l = 0; l < spec->n_layers; l++)
    {
      gsize out = (gsize) batch * spec->sizes[l + 1], in = (gsize) batch * spec->sizes[l];
      gsize post = l < spec->n_layers - 1 ? out : 0, dx = l > 0 ? in : 0;

      if (st != NULL)
        {
          st->pre[l] = base + at;
          st->post[l] = post > 0 ? base + at + out : NULL;
          st->dz[l] = base + at + out + post;
          st->dx[l] = dx > 0 ? base + at + 2 * out + post : NULL;
        }
      at += 2 * out + post + dx;
    }
  return at;
}

static void
hvp_state_clear (HvpState *st)
{
  g_free (st->pre);
}

gsize
relief_mlp_hvp_state_floats (const ReliefMlpSpec *spec, int batch)
{
  return hvp_state_layout (spec, batch, NULL, NULL);
}

static gboolean
check_hvp_args (ReliefMlp *mlp, int batch, int scale_rows, GError **error)
{
  if (!check_batch (mlp, batch, error))
    return FALSE;
  if (scale_rows < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A Hessian-vector product scaled by %d rows"), scale_rows);
      return FALSE;
    }
  return TRUE;
}

/* The forward pass, the loss's gradient and the backward deltas into st. */
static gboolean
hvp_prepare (ReliefMlp *mlp, const float *params, const float *x, const int32_t *y, int batch, int scale_rows,
             const HvpState *st, double *loss_sum, GError **error)
{
  ReliefBackend *be = mlp->backend;
  const ReliefMlpSpec *spec = mlp->spec;
  int last = spec->n_layers - 1, n_out = spec->sizes[spec->n_layers];
  double sum;
  int correct;

  if (!forward_into (mlp, params, x, batch, st->pre, st->post, error) ||
      !be->loss (be, spec->loss, st->pre[last], y, batch, n_out, scale_rows, st->dz[last], &sum, &correct, error))
    return FALSE;
  for (int l = last; l > 0; l--)
    {
      int in = spec->sizes[l], out = spec->sizes[l + 1];
      const float *w = params + relief_mlp_spec_weight_offset (spec, l);

      if (!be->gemm (be, FALSE, FALSE, batch, in, out, 1.0f, st->dz[l], out, w, in, 0.0f, st->dx[l], in, error) ||
          !be->act_backward (be, spec->activation, st->pre[l - 1], st->dx[l], st->dz[l - 1], (gsize) batch * in,
                             error))
        return FALSE;
    }
  if (loss_sum != NULL)
    *loss_sum = sum;
  return TRUE;
}

/* Pearlmutter's R-operator, R{f} = d/dt f(params + t v) at t = 0, pushed through the
 * forward pass (R-forward) and then through the backward pass (R-backward), from the
 * ordinary passes kept in st.  Per layer, with A the layer's input, Z = A W^T + b, and
 * V, c the direction's parts for W and b:
 *   R{Z} = A V^T + R{A} W^T + c,          R{act(Z)} = act'(Z) R{Z}
 *   R{dW} = R{dZ}^T A + dZ^T R{A},        R{db} = column sums of R{dZ}
 *   R{dX} = R{dZ} W + dZ V,               R{dZ_prev} = act'(Z_prev) R{dX} + act''(Z_prev) R{Z_prev} dX
 * and at the loss R{dlogits} = (the loss's Hessian in the logits) R{logits}.  R{dW, db} is
 * H v. */
static gboolean
hvp_apply (ReliefMlp *mlp, const float *params, const float *v, const float *x, int batch, int scale_rows,
           const HvpState *st, float *hv, GError **error)
{
  ReliefBackend *be = mlp->backend;
  const ReliefMlpSpec *spec = mlp->spec;
  int last = spec->n_layers - 1, n_out = spec->sizes[spec->n_layers];
  float *r_dz = mlp->r_grad_a, *r_dx = mlp->r_grad_b;

  /* R-forward */
  for (int l = 0; l < spec->n_layers; l++)
    {
      int in = spec->sizes[l], out = spec->sizes[l + 1];
      gsize w_off = relief_mlp_spec_weight_offset (spec, l);
      gsize b_off = relief_mlp_spec_bias_offset (spec, l);

      if (!be->gemm (be, FALSE, TRUE, batch, out, in, 1.0f, l == 0 ? x : st->post[l - 1], in, v + w_off, in,
                     0.0f, mlp->r_pre[l], out, error) ||
          (l > 0 && !be->gemm (be, FALSE, TRUE, batch, out, in, 1.0f, mlp->r_post[l - 1], in, params + w_off, in,
                               1.0f, mlp->r_pre[l], out, error)) ||
          !be->add_bias (be, mlp->r_pre[l], v + b_off, batch, out, error))
        return FALSE;
      if (l < last &&
          !be->act_backward (be, spec->activation, st->pre[l], mlp->r_pre[l], mlp->r_post[l],
                             (gsize) batch * out, error))
        return FALSE;
    }

  /* The loss: R{dlogits} */
  if (!be->loss_r_backward (be, spec->loss, st->pre[last], mlp->r_pre[last], batch, n_out, scale_rows, r_dz, error))
    return FALSE;

  /* R-backward, along the kept backward pass */
  for (int l = last; l >= 0; l--)
    {
      int in = spec->sizes[l], out = spec->sizes[l + 1];
      gsize w_off = relief_mlp_spec_weight_offset (spec, l);
      gsize b_off = relief_mlp_spec_bias_offset (spec, l);

      if (!be->gemm (be, TRUE, FALSE, out, in, batch, 1.0f, r_dz, out, l == 0 ? x : st->post[l - 1], in,
                     0.0f, hv + w_off, in, error) ||
          (l > 0 && !be->gemm (be, TRUE, FALSE, out, in, batch, 1.0f, st->dz[l], out, mlp->r_post[l - 1], in,
                               1.0f, hv + w_off, in, error)) ||
          !be->col_sum (be, r_dz, batch, out, hv + b_off, error))
        return FALSE;
      if (l == 0)
        break;
      if (!be->gemm (be, FALSE, FALSE, batch, in, out, 1.0f, r_dz, out, params + w_off, in, 0.0f, r_dx, in, error) ||
          !be->gemm (be, FALSE, FALSE, batch, in, out, 1.0f, st->dz[l], out, v + w_off, in, 1.0f, r_dx, in, error) ||
          !be->act_r_backward (be, spec->activation, st->pre[l - 1], st->dx[l], r_dx, mlp->r_pre[l - 1], r_dz,
                               (gsize) batch * in, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
relief_mlp_hvp_prepare (ReliefMlp *mlp, const float *params, const float *x, const int32_t *y, int batch,
                        int scale_rows, float *state, double *loss_sum, GError **error)
{
  HvpState st;
  gboolean ok;

  if (!check_hvp_args (mlp, batch, scale_rows, error))
    return FALSE;
  hvp_state_layout (mlp->spec, batch, state, &st);
  ok = hvp_prepare (mlp, params, x, y, batch, scale_rows, &st, loss_sum, error);
  hvp_state_clear (&st);
  return ok;
}

gboolean
relief_mlp_hvp_apply (ReliefMlp *mlp, const float *params, const float *v, const float *x, const float *state,
                      int batch, int scale_rows, float *hv, GError **error)
{
  HvpState st;
  gboolean ok;

  if (!check_hvp_args (mlp, batch, scale_rows, error) || !ensure_r_buffers (mlp, error))
    return FALSE;
  hvp_state_layout (mlp->spec, batch, (float *) state, &st);
  ok = hvp_apply (mlp, params, v, x, batch, scale_rows, &st, hv, error);
  hvp_state_clear (&st);
  return ok;
}

gboolean
relief_mlp_hvp (ReliefMlp *mlp, const float *params, const float *v, const float *x, const int32_t *y,
                int batch, int scale_rows, float *hv, double *loss_sum, GError **error)
{
  HvpState st;
  gboolean ok;

  if (!check_hvp_args (mlp, batch, scale_rows, error) || !ensure_r_buffers (mlp, error))
    return FALSE;
  if (mlp->hvp_state == NULL &&
      (mlp->hvp_state = mlp->backend->alloc (mlp->backend,
                                             sizeof (float) * relief_mlp_hvp_state_floats (mlp->spec, mlp->max_batch),
                                             error)) == NULL)
    return FALSE;
  hvp_state_layout (mlp->spec, batch, mlp->hvp_state, &st);
  ok = hvp_prepare (mlp, params, x, y, batch, scale_rows, &st, loss_sum, error) &&
       hvp_apply (mlp, params, v, x, batch, scale_rows, &st, hv, error);
  hvp_state_clear (&st);
  return ok;
}

gboolean
relief_mlp_evaluate (ReliefMlp *mlp, const float *params, const float *x_host, const int32_t *y_host,
                     int n, double *mean_loss, double *accuracy, GError **error)
{
  ReliefBackend *be = mlp->backend;
  const ReliefMlpSpec *spec = mlp->spec;
  int in = spec->sizes[0];
  double total = 0.0;
  gint64 n_correct = 0;

  if (n < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Nothing to evaluate (%d samples)"), n);
      return FALSE;
    }
  for (int start = 0; start < n; start += mlp->max_batch)
    {
      int rows = MIN (mlp->max_batch, n - start);
      const float *x = x_host + (gsize) start * in;
      const int32_t *y = y_host + start;
      double chunk_sum;
      int chunk_correct;

      /* A host-memory backend reads the rows where they are. */
      if (!be->host_memory)
        {
          if (!be->upload (be, mlp->x_stage, x, sizeof (float) * rows * in, error) ||
              !be->upload (be, mlp->y_stage, y, sizeof (int32_t) * rows, error))
            return FALSE;
          x = mlp->x_stage;
          y = mlp->y_stage;
        }
      if (!forward_pass (mlp, params, x, rows, error) ||
          !be->loss (be, spec->loss, relief_mlp_get_logits (mlp), y, rows,
                     spec->sizes[spec->n_layers], rows, NULL, &chunk_sum, &chunk_correct, error))
        return FALSE;
      total += chunk_sum;
      n_correct += chunk_correct;
    }
  *mean_loss = total / n;
  *accuracy = (double) n_correct / n;
  return TRUE;
}

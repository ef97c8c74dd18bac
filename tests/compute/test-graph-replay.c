/* test-graph-replay.c: the trainers' recorded steps, replayed as a graph replays them.
 *
 * The CPU backend records no graphs, and CUDA's cannot run without a device, so this test
 * wraps the CPU backend in one that records the way CUDA stream capture does: between
 * graph_begin and graph_end each operation is stored with the arguments it was given,
 * not run, and graph_launch runs the stored list again, with those same arguments.  An
 * operation that would wait for the device (a download, a fetch, a non-deferred loss or
 * dot, an allocation) fails while recording, as it spoils a CUDA capture.  A trainer that
 * passed anything that changes from step to step as an argument inside its recorded step
 * would train differently here than on the plain CPU backend: every run below must equal
 * the plain run bit for bit, and must really have replayed. */
#include "relief-backend.h"
#include "relief-rng.h"
#include "relief-subspace.h"
#include "relief-stepper.h"
#include "relief-train.h"
#include "test-messages.h"
#include "relief-enums.h"

#include <gio/gio.h>
#include <string.h>

typedef enum {
  OP_GATHER_ROWS, OP_GATHER_LABELS, OP_GEMM, OP_ADD_BIAS, OP_ACT_FORWARD, OP_ACT_BACKWARD, OP_LOSS,
  OP_COL_SUM, OP_COPY, OP_OPTIMIZER, OP_DOT, OP_FILL, OP_GATHER_SCALE, OP_FWHT, OP_AXPY, OP_CSR, OP_NORMAL,
} Op;

/* One recorded call: its pointers, integers and floats in argument order. */
typedef struct {
  Op                    op;
  gconstpointer         p[6];
  gint64                i[6];
  float                 f[2];
  ReliefOptimizerConfig cfg;
} Call;

struct _ReliefGraph {
  GArray *calls;
};

typedef struct {
  ReliefBackend *inner;
  GArray        *recording;   /* NULL when not recording */
  int            launches;
  int            recordings;
  gboolean       refuse_launches;   /* as a device without memory to upload the graph */
} Rec;

static Rec *
rec_of (ReliefBackend *self)
{
  return self->priv;
}

static gboolean
would_wait (ReliefBackend *self, const char *what, GError **error)
{
  if (rec_of (self)->recording == NULL)
    return FALSE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s would wait for the device while recording", what);
  return TRUE;
}

static gboolean
record (ReliefBackend *self, const Call *call)
{
  Rec *rec = rec_of (self);

  if (rec->recording == NULL)
    return FALSE;
  g_array_append_vals (rec->recording, call, 1);
  return TRUE;
}

#define P(x) ((gpointer) (x))

static gboolean
run_call (ReliefBackend *in, const Call *c, GError **error)
{
  switch (c->op)
    {
    case OP_GATHER_ROWS:
      return in->gather_rows (in, c->p[0], (int) c->i[0], c->p[1], (int) c->i[1], P (c->p[2]), error);
    case OP_GATHER_LABELS:
      return in->gather_labels (in, c->p[0], c->p[1], (int) c->i[0], P (c->p[2]), error);
    case OP_GEMM:
      return in->gemm (in, (gboolean) c->i[0], (gboolean) c->i[1], (int) c->i[2], (int) c->i[3], (int) c->i[4],
                       c->f[0], c->p[0], (int) c->i[5] & 0xffff, c->p[1], (int) (c->i[5] >> 16) & 0xffff,
                       c->f[1], P (c->p[2]), (int) (c->i[5] >> 32), error);
    case OP_ADD_BIAS:
      return in->add_bias (in, P (c->p[0]), c->p[1], (int) c->i[0], (int) c->i[1], error);
    case OP_ACT_FORWARD:
      return in->act_forward (in, (ReliefActivation) c->i[0], c->p[0], P (c->p[1]), (gsize) c->i[1], error);
    case OP_ACT_BACKWARD:
      return in->act_backward (in, (ReliefActivation) c->i[0], c->p[0], c->p[1], P (c->p[2]), (gsize) c->i[1],
                               error);
    case OP_LOSS:
      return in->loss (in, (int) c->i[0], c->p[0], c->p[1], (int) c->i[1], (int) c->i[2], (int) c->i[3],
                       P (c->p[2]), NULL, NULL, error);
    case OP_COL_SUM:
      return in->col_sum (in, c->p[0], (int) c->i[0], (int) c->i[1], P (c->p[1]), error);
    case OP_COPY:
      return in->copy (in, P (c->p[0]), c->p[1], (gsize) c->i[0], error);
    case OP_OPTIMIZER:
      return in->optimizer_step (in, &c->cfg, c->i[0], c->p[0], P (c->p[1]), c->p[2], P (c->p[3]), (gsize) c->i[1],
                                 error);
    case OP_DOT:
      return in->dot (in, (gsize) c->i[0], c->p[0], c->p[1], NULL, error);
    case OP_FILL:
      return in->fill (in, P (c->p[0]), (gsize) c->i[0], c->f[0], error);
    case OP_GATHER_SCALE:
      return in->gather_scale (in, (gsize) c->i[0], c->p[0], c->p[1], c->p[2], c->f[0], P (c->p[3]), error);
    case OP_FWHT:
      return in->fwht (in, P (c->p[0]), (gsize) c->i[0], (gsize) c->i[1], error);
    case OP_AXPY:
      return in->axpy (in, (gsize) c->i[0], c->f[0], c->p[0], P (c->p[1]), error);
    case OP_CSR:
      return in->csr_matvec (in, (int) c->i[0], c->i[1], c->p[0], c->p[1], c->p[2], c->p[3], c->f[0], P (c->p[4]),
                             error);
    case OP_NORMAL:
      return in->random_normal (in, P (c->p[0]), (gsize) c->i[0], (guint64) c->i[1], (guint64) c->i[2], error);
    default:
      g_assert_not_reached ();
    }
}

/* Each wrapper records when recording, and otherwise runs the call at once. */
#define RECORD_OR_RUN(self, ...)                                 \
  G_STMT_START {                                                 \
    Call call_ = { __VA_ARGS__ };                                \
    return record (self, &call_) || run_call (rec_of (self)->inner, &call_, error); \
  } G_STMT_END

static gboolean
rec_gather_rows (ReliefBackend *self, const float *src, int cols, const int *idx, int n, float *dst, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_GATHER_ROWS, .p = { src, idx, dst }, .i = { cols, n });
}

static gboolean
rec_gather_labels (ReliefBackend *self, const int32_t *src, const int *idx, int n, int32_t *dst, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_GATHER_LABELS, .p = { src, idx, dst }, .i = { n });
}

static gboolean
rec_gemm (ReliefBackend *self, gboolean ta, gboolean tb, int m, int n, int k, float alpha, const float *a, int lda,
          const float *b, int ldb, float beta, float *c, int ldc, GError **error)
{
  g_assert_true (lda < 0x10000 && ldb < 0x10000);
  RECORD_OR_RUN (self, .op = OP_GEMM, .p = { a, b, c },
                 .i = { ta, tb, m, n, k, (gint64) lda | (gint64) ldb << 16 | (gint64) ldc << 32 },
                 .f = { alpha, beta });
}

static gboolean
rec_add_bias (ReliefBackend *self, float *x, const float *bias, int rows, int cols, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_ADD_BIAS, .p = { x, bias }, .i = { rows, cols });
}

static gboolean
rec_act_forward (ReliefBackend *self, ReliefActivation act, const float *x, float *y, gsize n, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_ACT_FORWARD, .p = { x, y }, .i = { act, (gint64) n });
}

static gboolean
rec_act_backward (ReliefBackend *self, ReliefActivation act, const float *x, const float *dy, float *dx, gsize n,
                  GError **error)
{
  RECORD_OR_RUN (self, .op = OP_ACT_BACKWARD, .p = { x, dy, dx }, .i = { act, (gint64) n });
}

static gboolean
rec_loss (ReliefBackend *self, int kind, const float *logits, const int32_t *labels, int rows, int cols,
          int grad_scale_rows, float *dlogits, double *loss_sum, int *correct, GError **error)
{
  Rec *rec = rec_of (self);

  if (loss_sum != NULL || correct != NULL)
    return !would_wait (self, "A loss read back at once", error) &&
           rec->inner->loss (rec->inner, kind, logits, labels, rows, cols, grad_scale_rows, dlogits, loss_sum,
                             correct, error);
  RECORD_OR_RUN (self, .op = OP_LOSS, .p = { logits, labels, dlogits }, .i = { kind, rows, cols, grad_scale_rows });
}

static gboolean
rec_col_sum (ReliefBackend *self, const float *x, int rows, int cols, float *out, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_COL_SUM, .p = { x, out }, .i = { rows, cols });
}

static gboolean
rec_copy (ReliefBackend *self, gpointer dst, gconstpointer src, gsize bytes, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_COPY, .p = { dst, src }, .i = { (gint64) bytes });
}

static gboolean
rec_optimizer_step (ReliefBackend *self, const ReliefOptimizerConfig *cfg, gint64 step, const gint64 *step_dev,
                    float *params, const float *grad, float *state, gsize n, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_OPTIMIZER, .p = { step_dev, params, grad, state }, .i = { step, (gint64) n },
                 .cfg = *cfg);
}

static gboolean
rec_dot (ReliefBackend *self, gsize n, const float *x, const float *y, double *out, GError **error)
{
  Rec *rec = rec_of (self);

  if (out != NULL)
    return !would_wait (self, "A dot read back at once", error) && rec->inner->dot (rec->inner, n, x, y, out, error);
  RECORD_OR_RUN (self, .op = OP_DOT, .p = { x, y }, .i = { (gint64) n });
}

static gboolean
rec_fill (ReliefBackend *self, float *x, gsize n, float value, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_FILL, .p = { x }, .i = { (gint64) n }, .f = { value });
}

static gboolean
rec_gather_scale (ReliefBackend *self, gsize n, const float *in, const int32_t *idx, const float *scale, float alpha,
                  float *out, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_GATHER_SCALE, .p = { in, idx, scale, out }, .i = { (gint64) n }, .f = { alpha });
}

static gboolean
rec_fwht (ReliefBackend *self, float *x, gsize n, gsize count, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_FWHT, .p = { x }, .i = { (gint64) n, (gint64) count });
}

static gboolean
rec_axpy (ReliefBackend *self, gsize n, float alpha, const float *x, float *y, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_AXPY, .p = { x, y }, .i = { (gint64) n }, .f = { alpha });
}

static gboolean
rec_csr_matvec (ReliefBackend *self, int rows, gint64 nnz, const gint64 *row_ptr, const int32_t *col_idx,
                const float *vals, const float *x, float beta, float *y, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_CSR, .p = { row_ptr, col_idx, vals, x, y }, .i = { rows, nnz }, .f = { beta });
}

static gboolean
rec_random_normal (ReliefBackend *self, float *x, gsize n, guint64 seed, guint64 offset, GError **error)
{
  RECORD_OR_RUN (self, .op = OP_NORMAL, .p = { x }, .i = { (gint64) n, (gint64) seed, (gint64) offset });
}

/* What waits for the device may not be recorded; otherwise it runs at once. */
static gpointer
rec_alloc (ReliefBackend *self, gsize bytes, GError **error)
{
  Rec *rec = rec_of (self);

  return would_wait (self, "An allocation", error) ? NULL : rec->inner->alloc (rec->inner, bytes, error);
}

static gboolean
rec_upload (ReliefBackend *self, gpointer dst, gconstpointer src, gsize bytes, GError **error)
{
  Rec *rec = rec_of (self);

  return !would_wait (self, "An upload", error) && rec->inner->upload (rec->inner, dst, src, bytes, error);
}

static gboolean
rec_download (ReliefBackend *self, gpointer dst, gconstpointer src, gsize bytes, GError **error)
{
  Rec *rec = rec_of (self);

  return !would_wait (self, "A download", error) && rec->inner->download (rec->inner, dst, src, bytes, error);
}

static gboolean
rec_fetch (ReliefBackend *self, double *loss_sum, int *correct, double *dot, GError **error)
{
  Rec *rec = rec_of (self);

  return !would_wait (self, "A fetch", error) && rec->inner->fetch (rec->inner, loss_sum, correct, dot, error);
}

static gboolean
rec_graph_begin (ReliefBackend *self, GError **error)
{
  Rec *rec = rec_of (self);

  g_assert_null (rec->recording);
  rec->recording = g_array_new (FALSE, FALSE, sizeof (Call));
  return TRUE;
}

static ReliefGraph *
rec_graph_end (ReliefBackend *self, GError **error)
{
  Rec *rec = rec_of (self);
  ReliefGraph *graph = g_new0 (ReliefGraph, 1);

  g_assert_nonnull (rec->recording);
  graph->calls = g_steal_pointer (&rec->recording);
  rec->recordings++;
  return graph;
}

static gboolean
rec_graph_launch (ReliefBackend *self, ReliefGraph *graph, GError **error)
{
  Rec *rec = rec_of (self);

  if (rec->refuse_launches)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "out of memory uploading the graph");
      return FALSE;
    }
  rec->launches++;
  for (guint i = 0; i < graph->calls->len; i++)
    if (!run_call (rec->inner, &g_array_index (graph->calls, Call, i), error))
      return FALSE;
  return TRUE;
}

static void
rec_graph_free (ReliefBackend *self, ReliefGraph *graph)
{
  g_array_unref (graph->calls);
  g_free (graph);
}

static void
rec_destroy (ReliefBackend *self)
{
  Rec *rec = rec_of (self);

  relief_backend_free (rec->inner);
  g_free (rec);
  g_free (self);
}

static ReliefBackend *
recording_backend_new (void)
{
  ReliefBackend *inner = relief_backend_cpu_new ();
  ReliefBackend *self = g_new (ReliefBackend, 1);
  Rec *rec = g_new0 (Rec, 1);

  *self = *inner;
  rec->inner = inner;
  self->name = "cpu-recording";
  self->priv = rec;
  self->destroy = rec_destroy;
  self->alloc = rec_alloc;
  self->upload = rec_upload;
  self->download = rec_download;
  self->fetch = rec_fetch;
  self->gather_rows = rec_gather_rows;
  self->gather_labels = rec_gather_labels;
  self->gemm = rec_gemm;
  self->add_bias = rec_add_bias;
  self->act_forward = rec_act_forward;
  self->act_backward = rec_act_backward;
  self->loss = rec_loss;
  self->col_sum = rec_col_sum;
  self->copy = rec_copy;
  self->optimizer_step = rec_optimizer_step;
  self->dot = rec_dot;
  self->fill = rec_fill;
  self->gather_scale = rec_gather_scale;
  self->fwht = rec_fwht;
  self->axpy = rec_axpy;
  self->csr_matvec = rec_csr_matvec;
  self->random_normal = rec_random_normal;
  self->graph_begin = rec_graph_begin;
  self->graph_end = rec_graph_end;
  self->graph_launch = rec_graph_launch;
  self->graph_free = rec_graph_free;
  /* Operations no trainer step uses may not be recorded at all. */
  self->sync = NULL;
  self->gemm_strided_batched = NULL;
  self->scale = NULL;
  self->axpby_add = NULL;
  self->loss_accumulate = NULL;
  self->memory_info = NULL;
  return self;
}

/* ---- the data and the runs ---- */

static const int sizes[] = { 2, 12, 12, 3 };

/* Three noisy blobs; 100 rows at batch 16 leave a short last batch of 4 each epoch. */
static ReliefDataset *
make_blobs (void)
{
  ReliefDataset *ds = relief_dataset_new ("blobs", 2, 3, 100, 30);

  for (int i = 0; i < 130; i++)
    {
      int label = i % 3;
      float *x = i < 100 ? ds->x_train + 2 * i : ds->x_test + 2 * (i - 100);

      x[0] = (float) (label == 1 ? 1.5 : -0.5 * label + relief_rng_normal (7, 2 * i));
      x[1] = (float) (label == 2 ? 1.5 : 0.3 * label + relief_rng_normal (7, 2 * i + 1));
      if (i < 100)
        ds->y_train[i] = label;
      else
        ds->y_test[i - 100] = label;
    }
  ds->generated = TRUE;
  return ds;
}

typedef struct {
  GArray *losses;   /* every step's batch loss */
} Losses;

static void
on_progress (gint64 step, gint64 total, double batch_loss, gpointer user_data)
{
  Losses *l = user_data;

  g_array_append_val (l->losses, batch_loss);
}

static void
assert_same_losses (GArray *a, GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  g_assert_cmpmem (a->data, sizeof (double) * a->len, b->data, sizeof (double) * b->len);
}

static void
train_on (ReliefBackend *be, const ReliefMlpSpec *spec, const ReliefTrainConfig *config, float *params,
          GArray *losses, ReliefTrainStatus expected)
{
  g_autoptr(ReliefDataset) ds = make_blobs ();
  g_autoptr(GError) error = NULL;
  Losses l = { losses };
  ReliefTrainCallbacks cb = { .progress = on_progress, .user_data = &l };

  relief_mlp_init_params (spec, config->seed, params);
  g_assert_cmpint (relief_train (be, spec, ds, config, params, &cb, NULL, &error), ==, expected);
  g_assert_no_error (error);
}

/* The same run on the plain CPU backend and on the recording one: the same losses step by
 * step and the same final parameters, bit for bit.  Returns the recordings and launches. */
static void
train_on_both (ReliefActivation act, const ReliefTrainConfig *config, ReliefTrainStatus expected,
               int *recordings, int *launches)
{
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), act, RELIEF_LOSS_CROSS_ENTROPY);
  gsize n = relief_mlp_spec_n_params (spec);
  g_autoptr(ReliefBackend) cpu = relief_backend_cpu_new ();
  g_autoptr(ReliefBackend) rec = recording_backend_new ();
  g_autofree float *p_cpu = g_new (float, n), *p_rec = g_new (float, n);
  g_autoptr(GArray) l_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) l_rec = g_array_new (FALSE, FALSE, sizeof (double));

  train_on (cpu, spec, config, p_cpu, l_cpu, expected);
  train_on (rec, spec, config, p_rec, l_rec, expected);
  g_test_message ("%s %s: %u steps, %d replayed",
                  relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, config->optimizer.kind),
                  relief_enum_to_nick (RELIEF_TYPE_TRAIN_STATUS, expected), l_rec->len, rec_of (rec)->launches);
  assert_same_losses (l_cpu, l_rec);
  g_assert_cmpmem (p_cpu, sizeof (float) * n, p_rec, sizeof (float) * n);
  if (expected == RELIEF_TRAIN_COMPLETED)
    g_assert_cmpfloat (g_array_index (l_rec, double, l_rec->len - 1), <, g_array_index (l_rec, double, 0));
  *recordings = rec_of (rec)->recordings;
  *launches = rec_of (rec)->launches;
}

static void
small_run_config (ReliefTrainConfig *config, int epochs)
{
  relief_train_config_init_defaults (config);
  config->batch_size = 16;
  config->epochs = epochs;
}

/* Every optimizer (Adam's bias corrections come from the recorded step count), over
 * epochs with full and short batches. */
static void
test_direct_training (void)
{
  static const ReliefOptimizerKind kinds[] = { RELIEF_OPT_SGD, RELIEF_OPT_MOMENTUM, RELIEF_OPT_NESTEROV,
                                               RELIEF_OPT_ADAM, RELIEF_OPT_ADAMW };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      ReliefTrainConfig config;
      int recordings, launches;

      small_run_config (&config, 4);
      config.optimizer.kind = kinds[k];
      config.optimizer.lr = kinds[k] >= RELIEF_OPT_ADAM ? 0.01f : 0.1f;
      config.optimizer.weight_decay = 0.01f;
      config.seed = 3 + k;
      train_on_both (RELIEF_ACT_TANH, &config, RELIEF_TRAIN_COMPLETED, &recordings, &launches);
      /* 7 steps per epoch: the first runs launch by launch, then one recording; the
       * short last batches run launch by launch. */
      g_assert_cmpint (recordings, ==, 1);
      g_assert_cmpint (launches, ==, 4 * 6 - 1);
    }
}

/* Two batches an epoch, the second short (64 and 36 rows): the full size is recorded
 * once it has run, although a short step ran in between. */
static void
test_short_second_batch (void)
{
  ReliefTrainConfig config;
  int recordings, launches;

  small_run_config (&config, 3);
  config.batch_size = 64;
  train_on_both (RELIEF_ACT_TANH, &config, RELIEF_TRAIN_COMPLETED, &recordings, &launches);
  g_assert_cmpint (recordings, ==, 1);
  g_assert_cmpint (launches, ==, 2);
}

/* A run that diverges in a replayed step stops there, with the same last finite
 * parameters as launch by launch. */
static void
test_divergence (void)
{
  ReliefTrainConfig config;
  int recordings, launches;

  small_run_config (&config, 3);
  config.optimizer.kind = RELIEF_OPT_SGD;
  config.optimizer.lr = 1e10f;
  train_on_both (RELIEF_ACT_RELU, &config, RELIEF_TRAIN_DIVERGED, &recordings, &launches);
  g_assert_cmpint (launches, >, 0);
}

/* Subspace training with every projection replays its products too. */
static void
test_subspace_training (void)
{
  static const ReliefProjectionKind kinds[] = { RELIEF_PROJECTION_DENSE, RELIEF_PROJECTION_SPARSE,
                                                RELIEF_PROJECTION_FASTFOOD, RELIEF_PROJECTION_IMPLICIT };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_TANH,
                                                       RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefDataset) ds = make_blobs ();
  gsize D = relief_mlp_spec_n_params (spec), d = 40;
  g_autofree float *theta0 = g_new (float, D);

  relief_mlp_init_params (spec, 9, theta0);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(ReliefBackend) cpu = relief_backend_cpu_new ();
      g_autoptr(ReliefBackend) rec = recording_backend_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefProjection) p_cpu = relief_projection_new (cpu, kinds[k], D, d, 17, &error);
      g_autoptr(ReliefProjection) p_rec = relief_projection_new (rec, kinds[k], D, d, 17, &error);
      g_autofree float *z_cpu = g_new (float, d), *z_rec = g_new (float, d);
      g_autoptr(GArray) l_cpu = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) l_rec = g_array_new (FALSE, FALSE, sizeof (double));
      Losses lc = { l_cpu }, lr = { l_rec };
      ReliefTrainCallbacks cb_cpu = { .progress = on_progress, .user_data = &lc };
      ReliefTrainCallbacks cb_rec = { .progress = on_progress, .user_data = &lr };
      ReliefSubspaceResult r_cpu, r_rec;
      ReliefTrainConfig config;

      g_assert_no_error (error);
      relief_train_config_init_defaults (&config);
      config.batch_size = 16;
      config.epochs = 3;
      config.seed = 4;
      g_assert_cmpint (relief_subspace_train (cpu, spec, ds, &config, p_cpu, theta0, z_cpu, &cb_cpu, &r_cpu, NULL,
                                              &error), ==, RELIEF_TRAIN_COMPLETED);
      g_assert_no_error (error);
      g_assert_cmpint (relief_subspace_train (rec, spec, ds, &config, p_rec, theta0, z_rec, &cb_rec, &r_rec, NULL,
                                              &error), ==, RELIEF_TRAIN_COMPLETED);
      g_assert_no_error (error);
      g_test_message ("%s: %d replayed steps, final train loss %g",
                      relief_enum_to_nick (RELIEF_TYPE_PROJECTION_KIND, kinds[k]),
                      rec_of (rec)->launches, r_rec.train_loss);
      g_assert_cmpint (rec_of (rec)->launches, ==, 3 * 6 - 1);
      assert_same_losses (l_cpu, l_rec);
      g_assert_cmpmem (z_cpu, sizeof (float) * d, z_rec, sizeof (float) * d);
      g_assert_cmpfloat (r_cpu.train_loss, ==, r_rec.train_loss);
    }
}

/* RELIEF_GRAPHS=0 turns recording off; the run is the same. */
static void
test_graphs_off (void)
{
  ReliefTrainConfig config;
  int recordings, launches;

  small_run_config (&config, 2);
  g_setenv ("RELIEF_GRAPHS", "0", TRUE);
  train_on_both (RELIEF_ACT_TANH, &config, RELIEF_TRAIN_COMPLETED, &recordings, &launches);
  g_unsetenv ("RELIEF_GRAPHS");
  g_assert_cmpint (recordings, ==, 0);
  g_assert_cmpint (launches, ==, 0);
}

/* A step body that waits for the device cannot be recorded: the stepper says so once and
 * runs it launch by launch, with the same result. */
typedef struct {
  ReliefBackend *be;
  float         *buf;
  float          host[4];
  int            runs;
} WaitingBody;

/* Only device work, so it records: adds 1 to buf[0] each time it runs on the device,
 * eagerly or replayed, and counts the host's calls (a recording is one). */
static gboolean
counting_body (gpointer data, const gint64 *step_dev, GError **error)
{
  WaitingBody *w = data;

  w->runs++;
  return w->be->fill (w->be, w->buf + 1, 1, 1.0f, error) &&
         w->be->axpy (w->be, 1, 1.0f, w->buf + 1, w->buf, error);
}

static gboolean
waiting_body (gpointer data, const gint64 *step_dev, GError **error)
{
  WaitingBody *w = data;

  w->runs++;
  return w->be->fill (w->be, w->buf, 4, 2.0f, error) &&
         w->be->download (w->be, w->host, w->buf, sizeof w->host, error);
}

static void
test_unrecordable_body (void)
{
  g_autoptr(ReliefBackend) rec = recording_backend_new ();
  g_autoptr(GError) error = NULL;
  WaitingBody w = { .be = rec };
  g_autoptr(ReliefStepper) st = NULL;

  w.buf = rec->alloc (rec, sizeof (float) * 4, &error);
  st = relief_stepper_new (rec, waiting_body, &w, &error);
  g_assert_no_error (error);
  g_ptr_array_set_size (test_messages, 0);
  for (int step = 1; step <= 3; step++)
    {
      g_assert_true (relief_stepper_run (st, step, 8, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (w.host[3], ==, 2.0f);
      w.host[3] = 0.0f;
    }
  g_assert_cmpuint (test_messages->len, ==, 1);
  g_assert_cmpuint (test_messages_count ("*graph failed: A download would wait*"), ==, 1);
  g_assert_false (relief_stepper_is_replaying (st));
  g_assert_cmpint (rec_of (rec)->launches, ==, 0);
  /* run, failed recording (which ran nothing), run, run */
  g_assert_cmpint (w.runs, ==, 4);
  rec->free (rec, w.buf);
}

/* A launch that fails drops the graph: that step and the rest run launch by launch. */
static void
test_failed_launch (void)
{
  g_autoptr(ReliefBackend) rec = recording_backend_new ();
  g_autoptr(GError) error = NULL;
  WaitingBody w = { .be = rec };
  g_autoptr(ReliefStepper) st = NULL;

  w.buf = rec->alloc (rec, sizeof (float) * 4, &error);
  st = relief_stepper_new (rec, counting_body, &w, &error);
  g_assert_no_error (error);
  g_ptr_array_set_size (test_messages, 0);
  for (int step = 1; step <= 4; step++)
    {
      rec_of (rec)->refuse_launches = step >= 3;
      g_assert_true (relief_stepper_run (st, step, 8, &error));
      g_assert_no_error (error);
      g_assert_cmpint (relief_stepper_is_replaying (st), ==, step == 2);
    }
  g_assert_cmpuint (test_messages_count ("*launching its recorded step failed: out of memory*"), ==, 1);
  /* eager; recorded and replayed; refused, then eager; eager */
  g_assert_cmpint (rec_of (rec)->launches, ==, 1);
  g_assert_cmpint (w.runs, ==, 4);
  g_assert_true (rec->download (rec, w.host, w.buf, sizeof (float), &error));
  g_assert_cmpfloat (w.host[0], ==, 4.0f);
  rec->free (rec, w.buf);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  test_messages_keep ();
  g_test_add_func ("/compute/graph-replay/direct-training", test_direct_training);
  g_test_add_func ("/compute/graph-replay/short-second-batch", test_short_second_batch);
  g_test_add_func ("/compute/graph-replay/divergence", test_divergence);
  g_test_add_func ("/compute/graph-replay/subspace-training", test_subspace_training);
  g_test_add_func ("/compute/graph-replay/graphs-off", test_graphs_off);
  g_test_add_func ("/compute/graph-replay/unrecordable-body", test_unrecordable_body);
  g_test_add_func ("/compute/graph-replay/failed-launch", test_failed_launch);
  return g_test_run ();
}

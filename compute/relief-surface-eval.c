/* relief-surface-eval.c: batched, factorized loss-surface evaluation.
 *
 * Loop order: samples in chunks of `rows` outside, so the three first-layer products of
 * a chunk serve every grid point; points in sub-batches of `points` inside, each point
 * carrying its own copy of the deeper layers' parameters (cheap: their size, against
 * rows times their size in flops).
 *
 * Biases ride inside the products: every layer input gets a constant extra column and
 * every weight matrix the bias as an extra column, [out, in + 1], so no pass over the
 * activations adds them.  The constant is 1 for the data and act(1) for hidden layers
 * (the pre-activations carry a column of ones), so those biases are stored divided by
 * act(1).  The output layer has no extra column: the loss reads its logits as they are.
 *
 * On the CPU the points of a chunk go to threads of our own instead, one point at a time,
 * each thread running OpenBLAS on itself alone (one level of parallelism: no BLAS threads
 * spinning between the products, and the elementwise passes and the loss run on every
 * core as well); each point walks the chunk in blocks of rows that stay in the core's L2
 * cache, and combines its first layer and its weights with its own elementwise passes in
 * place of products with three columns, which OpenBLAS would pass over twice (zeroing the
 * large output first). */
#include "relief-surface-eval.h"
#include "relief-blas-tune.h"
#include "relief-enums.h"
#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_BUDGET ((gsize) 256 << 20)
#define MAX_ROWS 2048
#define MIN_ROWS 32
/* Points per wave of a progressive surface: the first-layer products are recomputed
 * once per wave, so waves are large, yet small enough that cells keep streaming in. */
#define WAVE_POINTS 512
/* The L2 size where the C library cannot tell (the smallest of recent x86 and Arm cores). */
#define FALLBACK_L2_BYTES ((gsize) 256 << 10)

/* One CPU thread's workspace for a block of rows of one point. */
typedef struct {
  float **pre;    /* per layer [block, width[l]], hidden layers' extra column 1 */
  float  *post;   /* [block, widest hidden width] */
  float  *tail;   /* [n_tail]: the point's weights past the first layer */
} CpuWorker;

struct _ReliefSurfaceEval {
  ReliefBackend *backend;   /* borrowed */
  ReliefMlpSpec *spec;
  int            rows;      /* samples per chunk */
  int            points;    /* grid points per sub-batch */
  gsize          tail_off;  /* where the layers after the first start in the flat vector */
  gsize          n_tail;
  int           *width;     /* per layer: out + 1 for hidden layers, out for the last */
  gsize         *pre_stride;           /* per layer, floats per point */
  gsize          post_stride;
  float         *x_host;    /* [rows, in + 1], the staged chunk with its column of ones */

  /* device buffers; the parameter vectors in the [out, in + 1] layout */
  float   *center, *xdir, *ydir;   /* n_params each; ydir NULL for 1D */
  float   *x_stage;                /* [rows, in + 1] */
  int32_t *y_stage;                /* [rows] */
  /* [3, rows * width[0]]: XU, XV (zero for 1D) and XW of the chunk, so that every point's
   * first layer a XU + b XV + XW is one product with the rows (a, b, 1); XW's extra column
   * is 1, the others' 0 */
  float   *basis;
  float   *xu, *xv, *xw;           /* its three rows */
  float   *tail_basis;             /* [3, n_tail]: xdir, ydir (or 0) and center past layer 0 */
  float   *coef;                   /* [points, 3]: (a, b, 1) per point */
  float   *coef_host;
  float   *tail;                   /* [points, n_tail] */
  float  **pre;                    /* per layer [points, rows * width[l]] */
  float   *post;                   /* [points, rows * widest hidden width] */
  /* per point of a call: loss and correct rows summed over the sample chunks, on the device,
   * read back once per call */
  int      max_points;
  double  *acc_loss, *acc_correct;
  double  *acc_host;               /* [2, max_points] */
  /* the CPU: threads of our own (0 on a device) and their workspaces */
  int        threads;
  int        block;                 /* rows per block */
  CpuWorker *workers;
};

static gboolean
is_cpu (ReliefBackend *backend)
{
  return g_strcmp0 (backend->name, "cpu") == 0;
}

void
relief_surface_eval_free (ReliefSurfaceEval *ev)
{
  if (ev == NULL)
    return;

  gpointer owned[] = { ev->center, ev->xdir, ev->ydir, ev->x_stage, ev->y_stage, ev->basis, ev->tail_basis,
                       ev->coef, ev->tail, ev->post, ev->acc_loss, ev->acc_correct };

  for (gsize i = 0; i < G_N_ELEMENTS (owned); i++)
    if (owned[i] != NULL)
      ev->backend->free (ev->backend, owned[i]);
  for (int l = 0; ev->pre != NULL && l < ev->spec->n_layers; l++)
    if (ev->pre[l] != NULL)
      ev->backend->free (ev->backend, ev->pre[l]);
  g_free (ev->pre);
  for (int t = 0; ev->workers != NULL && t < ev->threads; t++)
    {
      CpuWorker *w = &ev->workers[t];

      for (int l = 0; w->pre != NULL && l < ev->spec->n_layers; l++)
        if (w->pre[l] != NULL)
          ev->backend->free (ev->backend, w->pre[l]);
      g_free (w->pre);
      if (w->post != NULL)
        ev->backend->free (ev->backend, w->post);
      if (w->tail != NULL)
        ev->backend->free (ev->backend, w->tail);
    }
  g_free (ev->workers);
  g_free (ev->width);
  g_free (ev->pre_stride);
  g_free (ev->x_host);
  g_free (ev->acc_host);
  g_free (ev->coef_host);
  relief_mlp_spec_free (ev->spec);
  g_free (ev);
}

int
relief_surface_eval_cpu_threads (const ReliefSurfaceEval *ev)
{
  return ev->threads;
}

int
relief_surface_eval_cpu_block (const ReliefSurfaceEval *ev)
{
  return ev->threads > 0 ? ev->block : 0;
}

static gboolean
alloc_floats (ReliefBackend *be, float **out, gsize n, GError **error)
{
  *out = be->alloc (be, sizeof (float) * MAX (n, 1), error);
  return *out != NULL;
}

/* A device buffer of count blocks of [rows, width] whose last column is value. */
static gboolean
alloc_with_column (ReliefBackend *be, float **out, gsize count, int rows, int width, float value, GError **error)
{
  gsize n = count * rows * width;
  g_autofree float *host = g_try_new0 (float, n);

  if (host == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory for the surface workspace"));
      return FALSE;
    }
  for (gsize i = width - 1; i < n; i += width)
    host[i] = value;
  return alloc_floats (be, out, n, error) && be->upload (be, *out, host, sizeof (float) * n, error);
}

/* The chunk's basis (XU, XV, XW; XW's extra column 1 when a hidden layer follows) and the
 * tail's (xdir, ydir, center past the first layer), once the folded vectors are up. */
static gboolean
alloc_basis (ReliefSurfaceEval *ev, GError **error)
{
  ReliefBackend *be = ev->backend;
  gsize S = (gsize) ev->rows * ev->width[0], T = ev->n_tail;

  if (!alloc_floats (be, &ev->basis, 3 * S, error) || !alloc_floats (be, &ev->tail_basis, 3 * MAX (T, 1), error))
    return FALSE;
  ev->xu = ev->basis;
  ev->xv = ev->basis + S;
  ev->xw = ev->basis + 2 * S;
  if (ev->spec->n_layers > 1)
    {
      g_autofree float *ones = g_try_new0 (float, S);

      if (ones == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory for the surface workspace"));
          return FALSE;
        }
      for (gsize i = ev->width[0] - 1; i < S; i += ev->width[0])
        ones[i] = 1.0f;
      if (!be->upload (be, ev->xw, ones, sizeof (float) * S, error))
        return FALSE;
    }
  ev->coef_host = g_new (float, (gsize) ev->points * 3);
  return T == 0 ||
         (be->copy (be, ev->tail_basis, ev->xdir + ev->tail_off, sizeof (float) * T, error) &&
          (ev->ydir == NULL || be->copy (be, ev->tail_basis + T, ev->ydir + ev->tail_off, sizeof (float) * T, error)) &&
          be->copy (be, ev->tail_basis + 2 * T, ev->center + ev->tail_off, sizeof (float) * T, error));
}

/* v in the [out, in + 1] layout, with the bias of layer l divided by the constant its
 * input column carries. */
static gboolean
upload_folded (ReliefSurfaceEval *ev, const float *v, float act_one, float **out, GError **error)
{
  ReliefBackend *be = ev->backend;
  const ReliefMlpSpec *spec = ev->spec;
  gsize n_params = relief_mlp_spec_n_params (spec);
  g_autofree float *folded = g_new (float, n_params);

  for (int l = 0; l < spec->n_layers; l++)
    {
      int in = spec->sizes[l], out_width = spec->sizes[l + 1];
      const float *w = v + relief_mlp_spec_weight_offset (spec, l), *b = v + relief_mlp_spec_bias_offset (spec, l);
      float *dst = folded + relief_mlp_spec_weight_offset (spec, l);
      float scale = l == 0 ? 1.0f : act_one;

      for (int r = 0; r < out_width; r++)
        {
          memcpy (dst + (gsize) r * (in + 1), w + (gsize) r * in, sizeof (float) * in);
          dst[(gsize) r * (in + 1) + in] = b[r] / scale;
        }
    }
  return alloc_floats (be, out, n_params, error) && be->upload (be, *out, folded, sizeof (float) * n_params, error);
}

/* The backend's own act(1): the constant a hidden layer's extra column carries. */
static gboolean
activation_of_one (ReliefBackend *be, ReliefActivation act, float *out, GError **error)
{
  const float one = 1.0f;
  float *buf = be->alloc (be, 2 * sizeof (float), error);
  gboolean ok;

  if (buf == NULL)
    return FALSE;
  ok = be->upload (be, buf, &one, sizeof one, error) &&
       be->act_forward (be, act, buf, buf + 1, 1, error) &&
       be->download (be, out, buf + 1, sizeof (float), error);
  be->free (be, buf);
  if (ok && !(fabsf (*out) > 1e-3f && isfinite (*out)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The %s activation maps 1 to %g; the batched surface cannot carry biases through it"),
                   relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, act), *out);
      return FALSE;
    }
  return ok;
}

/* The workspace: as asked, else 256 MiB on the CPU (its blocks stay in cache anyway)
 * and on a GPU a quarter of its free memory up to 4 GiB, so that many points go through
 * each launch. */
static gsize
default_budget (ReliefBackend *backend, gsize memory_budget)
{
  gsize free_bytes = 0, total_bytes = 0;

  if (memory_budget > 0)
    return memory_budget;
  if (g_strcmp0 (backend->name, "cpu") == 0 || backend->memory_info == NULL ||
      !backend->memory_info (backend, &free_bytes, &total_bytes, NULL))
    return DEFAULT_BUDGET;
  return CLAMP (free_bytes / 4, DEFAULT_BUDGET, (gsize) 4 << 30);
}

/* Threads of our own for the CPU: as many as OpenBLAS would run (the cores it found, or
 * OPENBLAS_NUM_THREADS), no more than the points; 1 where the BLAS cannot be made to run
 * on one thread, which then threads its products alone. */
static int
cpu_threads (int max_points)
{
  return CLAMP (relief_blas_threads (), 1, max_points);
}

static gsize
l2_cache_bytes (void)
{
#ifdef _SC_LEVEL2_CACHE_SIZE
  long bytes = sysconf (_SC_LEVEL2_CACHE_SIZE);

  if (bytes > 0)
    return (gsize) bytes;
#endif
  return FALLBACK_L2_BYTES;
}

/* A device's layout: as many points per sub-batch as asked if the budget allows, then
 * fewer samples per chunk, down to one point of MIN_ROWS rows. */
static void
gpu_layout (ReliefSurfaceEval *ev, gsize budget, gsize widths_sum, int widest_post, int max_points)
{
  int in = ev->spec->sizes[0];

  for (ev->rows = MAX_ROWS;; ev->rows /= 2)
    {
      gsize fixed = (gsize) ev->rows * (in + 1 + 3 * ev->width[0] + 1);
      gsize per_point = (gsize) ev->rows * (widths_sum + widest_post) + ev->n_tail;

      ev->points = budget > fixed ? (int) MIN ((budget - fixed) / per_point, (gsize) max_points) : 0;
      if (ev->points >= MIN (max_points, 16) || ev->rows <= MIN_ROWS)
        break;
    }
  ev->points = MAX (ev->points, 1);
}

/* The CPU layout: blocks of rows whose input and output of a layer (the widest) fill the
 * core's L2 cache (measured on a Zen 3 with 512 KiB: 96 rows cost 3-10% more user time
 * than 256 to 512, whose OpenBLAS packs each point's weights less often; 2048, out of L2,
 * 10-15% more), and chunks as long as the budget allows (every point of a chunk reads
 * its basis). */
static void
cpu_layout (ReliefSurfaceEval *ev, gsize budget, gsize widths_sum, int widest_post)
{
  int in = ev->spec->sizes[0], widest = 1;
  gsize per_row = widths_sum + widest_post;
  int block;

  for (int l = 0; l < ev->spec->n_layers; l++)
    widest = MAX (widest, ev->width[l]);
  block = (int) CLAMP (l2_cache_bytes () / (2 * sizeof (float) * widest), MIN_ROWS, MAX_ROWS);
  block -= block % 16;
  for (ev->rows = MAX_ROWS;; ev->rows /= 2)
    {
      gsize fixed = (gsize) ev->rows * (in + 1 + 3 * ev->width[0]);
      gsize workers = (gsize) ev->threads * ((gsize) MIN (block, ev->rows) * per_row + ev->n_tail);

      if (fixed + workers <= budget || ev->rows <= MIN_ROWS)
        break;
    }
  ev->block = MIN (block, ev->rows);
  ev->points = 1;
}

static gboolean
alloc_workers (ReliefSurfaceEval *ev, int widest_post, GError **error)
{
  ReliefBackend *be = ev->backend;
  int n_layers = ev->spec->n_layers;

  ev->workers = g_new0 (CpuWorker, ev->threads);
  for (int t = 0; t < ev->threads; t++)
    {
      CpuWorker *w = &ev->workers[t];

      w->pre = g_new0 (float *, n_layers);
      if (!alloc_floats (be, &w->tail, ev->n_tail, error) ||
          !alloc_floats (be, &w->post, (gsize) ev->block * MAX (widest_post, 1), error))
        return FALSE;
      for (int l = 0; l < n_layers; l++)
        if (!(l > 0 && l < n_layers - 1
              ? alloc_with_column (be, &w->pre[l], 1, ev->block, ev->width[l], 1.0f, error)
              : alloc_floats (be, &w->pre[l], (gsize) ev->block * ev->width[l], error)))
          return FALSE;
    }
  return TRUE;
}

ReliefSurfaceEval *
relief_surface_eval_new (ReliefBackend *backend, const ReliefMlpSpec *spec,
                         const float *center, const float *xdir, const float *ydir,
                         int max_points, gsize memory_budget, GError **error)
{
  g_autoptr(ReliefSurfaceEval) ev = NULL;
  ReliefBackend *be = backend;
  gsize n_params = relief_mlp_spec_n_params (spec);
  int in = spec->sizes[0], n_layers = spec->n_layers, widest_post = 0;
  gsize budget = default_budget (backend, memory_budget) / sizeof (float), widths_sum = 0;
  float act_one = 1.0f;

  if (n_layers < 1 || max_points < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A surface evaluation needs a model with a layer and at least one point"));
      return NULL;
    }

  ev = g_new0 (ReliefSurfaceEval, 1);
  ev->backend = backend;
  ev->spec = relief_mlp_spec_copy (spec);
  ev->tail_off = n_layers > 1 ? relief_mlp_spec_weight_offset (spec, 1) : n_params;
  ev->n_tail = n_params - ev->tail_off;
  ev->width = g_new (int, n_layers);
  ev->pre_stride = g_new (gsize, n_layers);
  ev->pre = g_new0 (float *, n_layers);
  for (int l = 0; l < n_layers; l++)
    {
      ev->width[l] = spec->sizes[l + 1] + (l < n_layers - 1 ? 1 : 0);
      widths_sum += ev->width[l];
      if (l < n_layers - 1)
        widest_post = MAX (widest_post, ev->width[l]);
    }

  ev->threads = is_cpu (backend) ? cpu_threads (max_points) : 0;
  if (ev->threads > 0)
    cpu_layout (ev, budget, widths_sum, widest_post);
  else
    gpu_layout (ev, budget, widths_sum, widest_post, max_points);
  for (int l = 0; l < n_layers; l++)
    ev->pre_stride[l] = (gsize) ev->rows * ev->width[l];
  ev->post_stride = (gsize) ev->rows * widest_post;
  if (ev->threads == 0)
    ev->x_host = g_new (float, (gsize) ev->rows * (in + 1));
  ev->max_points = max_points;
  ev->acc_host = g_new0 (double, 2 * (gsize) max_points);

  if ((n_layers > 1 && !activation_of_one (be, spec->activation, &act_one, error)) ||
      !upload_folded (ev, center, act_one, &ev->center, error) ||
      !upload_folded (ev, xdir, act_one, &ev->xdir, error) ||
      (ydir != NULL && !upload_folded (ev, ydir, act_one, &ev->ydir, error)) ||
      !alloc_basis (ev, error) ||
      !alloc_floats (be, &ev->x_stage, (gsize) ev->rows * (in + 1), error) ||
      (ev->acc_loss = be->alloc (be, sizeof (double) * max_points, error)) == NULL ||
      (ev->acc_correct = be->alloc (be, sizeof (double) * max_points, error)) == NULL)
    return NULL;
  if (ev->threads > 0)
    return alloc_workers (ev, widest_post, error) ? g_steal_pointer (&ev) : NULL;

  if ((ev->y_stage = be->alloc (be, sizeof (int32_t) * ev->rows, error)) == NULL ||
      !alloc_floats (be, &ev->tail, (gsize) ev->points * ev->n_tail, error) ||
      !alloc_floats (be, &ev->coef, (gsize) ev->points * 3, error) ||
      (widest_post > 0 && !alloc_floats (be, &ev->post, (gsize) ev->points * ev->post_stride, error)))
    return NULL;
  /* Layer 0's pre-activations come whole from xw, xu and xv; the products of the hidden
   * layers after it leave their column of ones alone. */
  for (int l = 0; l < n_layers; l++)
    if (!(l > 0 && l < n_layers - 1
          ? alloc_with_column (be, &ev->pre[l], ev->points, ev->rows, ev->width[l], 1.0f, error)
          : alloc_floats (be, &ev->pre[l], (gsize) ev->points * ev->pre_stride[l], error)))
      return NULL;
  return g_steal_pointer (&ev);
}

/* One sub-batch of count points over the chunk already staged: the forward pass and the
 * loss of each point, added to loss_sum and correct. */
static gboolean
eval_sub_batch (ReliefSurfaceEval *ev, const double *a, const double *b, int count, int rows,
                double *acc_loss, double *acc_correct, GError **error)
{
  ReliefBackend *be = ev->backend;
  const ReliefMlpSpec *spec = ev->spec;
  int n_layers = spec->n_layers, n_out = spec->sizes[n_layers];

  /* Every point's first layer, bias included (a XU + b XV + XW), and its deeper layers'
   * weights (a xdir + b ydir + center): two products with the rows (a, b, 1). */
  for (int i = 0; i < count; i++)
    {
      ev->coef_host[3 * i] = (float) a[i];
      ev->coef_host[3 * i + 1] = b != NULL ? (float) b[i] : 0.0f;
      ev->coef_host[3 * i + 2] = 1.0f;
    }
  if (!be->upload (be, ev->coef, ev->coef_host, sizeof (float) * 3 * count, error) ||
      (ev->n_tail > 0 &&
       !be->gemm (be, FALSE, FALSE, count, (int) ev->n_tail, 3, 1.0f, ev->coef, 3, ev->tail_basis, (int) ev->n_tail,
                  0.0f, ev->tail, (int) ev->n_tail, error)) ||
      !be->gemm (be, FALSE, FALSE, count, rows * ev->width[0], 3, 1.0f, ev->coef, 3, ev->basis,
                 (int) ((gsize) ev->rows * ev->width[0]), 0.0f, ev->pre[0], (int) ev->pre_stride[0], error))
    return FALSE;

  for (int l = 0; l < n_layers; l++)
    {
      int in = spec->sizes[l], out = spec->sizes[l + 1];

      if (l > 0 &&
          !be->gemm_strided_batched (be, FALSE, TRUE, rows, out, in + 1, 1.0f,
                                     ev->post, in + 1, ev->post_stride,
                                     ev->tail + relief_mlp_spec_weight_offset (spec, l) - ev->tail_off, in + 1,
                                     ev->n_tail, 0.0f, ev->pre[l], ev->width[l], ev->pre_stride[l], count, error))
        return FALSE;
      /* One call for all points when their blocks lie back to back in both buffers. */
      if (l < n_layers - 1 && ev->post_stride == ev->pre_stride[l] &&
          !be->act_forward (be, spec->activation, ev->pre[l], ev->post, (gsize) count * ev->pre_stride[l], error))
        return FALSE;
      if (l < n_layers - 1 && ev->post_stride != ev->pre_stride[l])
        for (int i = 0; i < count; i++)
          if (!be->act_forward (be, spec->activation, ev->pre[l] + i * ev->pre_stride[l],
                                ev->post + i * ev->post_stride, (gsize) rows * ev->width[l], error))
            return FALSE;
    }

  /* Rows chunk by chunk into the points' accumulators on the device: no wait here. */
  return be->loss_accumulate (be, spec->loss, ev->pre[n_layers - 1], ev->pre_stride[n_layers - 1], count,
                              ev->y_stage, rows, n_out, acc_loss, acc_correct, error);
}

/* One chunk of samples on the CPU's threads: first every thread stages and multiplies a
 * slice of its rows, then they take points until none is left. */
typedef struct {
  ReliefSurfaceEval *ev;
  const double      *a, *b;
  int                n_points;
  const float       *x;        /* the chunk's samples and labels */
  const int32_t     *y;
  int                rows;
  gint               next_point;
  gint               failed;
  GCancellable      *cancellable;
  GMutex             lock;
  GError            *error;    /* the first one, under lock */
} CpuChunk;

typedef struct {
  CpuChunk *chunk;
  int       t;
  gboolean (*func) (CpuChunk *chunk, int t, GError **error);
} CpuTask;

static gpointer
cpu_task_run (gpointer data)
{
  CpuTask *task = data;
  CpuChunk *c = task->chunk;
  GError *error = NULL;

  if (!task->func (c, task->t, &error))
    {
      g_atomic_int_set (&c->failed, 1);
      g_mutex_lock (&c->lock);
      if (c->error == NULL)
        c->error = g_steal_pointer (&error);
      g_mutex_unlock (&c->lock);
      g_clear_error (&error);
    }
  return NULL;
}

/* func on every thread, this one as thread 0. */
static gboolean
cpu_parallel (CpuChunk *c, gboolean (*func) (CpuChunk *chunk, int t, GError **error), GError **error)
{
  int n = c->ev->threads;
  g_autofree CpuTask *tasks = g_new (CpuTask, n);
  g_autofree GThread **threads = g_new0 (GThread *, n);

  for (int t = 0; t < n; t++)
    tasks[t] = (CpuTask) { c, t, func };
  for (int t = 1; t < n; t++)
    threads[t] = g_thread_new ("relief-surface", cpu_task_run, &tasks[t]);
  cpu_task_run (&tasks[0]);
  for (int t = 1; t < n; t++)
    g_thread_join (threads[t]);
  if (c->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&c->error));
      return FALSE;
    }
  return TRUE;
}

/* Thread t's slice of the chunk: its samples with their column of ones, and its rows of XW,
 * XU and XV. */
static gboolean
cpu_stage_slice (CpuChunk *c, int t, GError **error)
{
  ReliefSurfaceEval *ev = c->ev;
  ReliefBackend *be = ev->backend;
  int in = ev->spec->sizes[0], h1 = ev->spec->sizes[1], w0 = ev->width[0];
  int from = (int) ((gint64) c->rows * t / ev->threads), to = (int) ((gint64) c->rows * (t + 1) / ev->threads);
  int rows = to - from;
  float *x = ev->x_stage + (gsize) from * (in + 1);

  for (int r = from; r < to; r++)
    {
      memcpy (ev->x_stage + (gsize) r * (in + 1), c->x + (gsize) r * in, sizeof (float) * in);
      ev->x_stage[(gsize) r * (in + 1) + in] = 1.0f;
    }
  /* [W0 | b0] is the first block of each folded vector: [h1, in + 1] at offset 0. */
  return rows == 0 ||
         (be->gemm (be, FALSE, TRUE, rows, h1, in + 1, 1.0f, x, in + 1, ev->center, in + 1, 0.0f,
                    ev->xw + (gsize) from * w0, w0, error) &&
          be->gemm (be, FALSE, TRUE, rows, h1, in + 1, 1.0f, x, in + 1, ev->xdir, in + 1, 0.0f,
                    ev->xu + (gsize) from * w0, w0, error) &&
          (ev->ydir == NULL ||
           be->gemm (be, FALSE, TRUE, rows, h1, in + 1, 1.0f, x, in + 1, ev->ydir, in + 1, 0.0f,
                     ev->xv + (gsize) from * w0, w0, error)));
}

/* Floats of the first layer combined and activated at a time: the piece stays in L1
 * between the two passes (a pass each over the whole block took 16% of the samples of a
 * 21x21 MNIST surface; in pieces its user time fell by about 8%). */
#define FIRST_LAYER_PIECE 2048

/* The first layer of a block (n floats from offset at of the basis): a XU + b XV + XW, and
 * its activation into post when a hidden layer follows. */
static gboolean
cpu_first_layer (ReliefSurfaceEval *ev, CpuWorker *w, gsize at, gsize n, float a, float b, GError **error)
{
  ReliefBackend *be = ev->backend;
  gboolean hidden = ev->spec->n_layers > 1;

  for (gsize i = 0; i < n; i += FIRST_LAYER_PIECE)
    {
      gsize m = MIN (FIRST_LAYER_PIECE, n - i);

      if (!be->axpby_add (be, m, ev->xw + at + i, a, ev->xu + at + i, b, ev->xv + at + i, w->pre[0] + i, error) ||
          (hidden && !be->act_forward (be, ev->spec->activation, w->pre[0] + i, w->post + i, m, error)))
        return FALSE;
    }
  return TRUE;
}

/* Points, one at a time, on thread t: its weights a xdir + b ydir + center past the first
 * layer, then block by block its first layer a XU + b XV + XW, the deeper layers and the
 * loss, added to the point's accumulators (no other thread has the point). */
static gboolean
cpu_points (CpuChunk *c, int t, GError **error)
{
  ReliefSurfaceEval *ev = c->ev;
  ReliefBackend *be = ev->backend;
  const ReliefMlpSpec *spec = ev->spec;
  CpuWorker *w = &ev->workers[t];
  int n_layers = spec->n_layers, n_out = spec->sizes[n_layers], w0 = ev->width[0];
  gsize T = ev->n_tail, off = ev->tail_off;

  for (;;)
    {
      int p = g_atomic_int_add (&c->next_point, 1);
      float a, b;

      if (p >= c->n_points || g_atomic_int_get (&c->failed) || g_cancellable_is_cancelled (c->cancellable))
        return TRUE;
      a = (float) c->a[p];
      b = ev->ydir != NULL && c->b != NULL ? (float) c->b[p] : 0.0f;
      if (T > 0 &&
          !be->axpby_add (be, T, ev->center + off, a, ev->xdir + off, b,
                          ev->ydir != NULL ? ev->ydir + off : ev->xdir + off, w->tail, error))
        return FALSE;
      for (int r0 = 0; r0 < c->rows; r0 += ev->block)
        {
          int rows = MIN (ev->block, c->rows - r0);
          gsize at = (gsize) r0 * w0;

          if (!cpu_first_layer (ev, w, at, (gsize) rows * w0, a, b, error))
            return FALSE;
          for (int l = 0; l < n_layers; l++)
            {
              int in = spec->sizes[l], out = spec->sizes[l + 1];

              if (l > 0 &&
                  !be->gemm (be, FALSE, TRUE, rows, out, in + 1, 1.0f, w->post, in + 1,
                             w->tail + relief_mlp_spec_weight_offset (spec, l) - off, in + 1, 0.0f,
                             w->pre[l], ev->width[l], error))
                return FALSE;
              if (l > 0 && l < n_layers - 1 &&
                  !be->act_forward (be, spec->activation, w->pre[l], w->post, (gsize) rows * ev->width[l], error))
                return FALSE;
            }
          if (!be->loss_accumulate (be, spec->loss, w->pre[n_layers - 1], 0, 1, c->y + r0, rows, n_out,
                                    ev->acc_loss + p, ev->acc_correct + p, error))
            return FALSE;
        }
    }
}

/* relief_surface_eval_points on the CPU's threads, into ev->acc_loss and acc_correct. */
static gboolean
cpu_eval_points (ReliefSurfaceEval *ev, const double *a, const double *b, int n_points,
                 const float *x_host, const int32_t *y_host, int n, GCancellable *cancellable, GError **error)
{
  CpuChunk c = { .ev = ev, .a = a, .b = b, .n_points = n_points, .cancellable = cancellable };
  gboolean ok = TRUE;

  g_mutex_init (&c.lock);
  if (ev->threads > 1)
    relief_blas_single_thread_begin ();
  for (int start = 0; ok && start < n; start += ev->rows)
    {
      c.x = x_host + (gsize) start * ev->spec->sizes[0];
      c.y = y_host + start;
      c.rows = MIN (ev->rows, n - start);
      c.next_point = 0;
      ok = !g_cancellable_set_error_if_cancelled (cancellable, error) &&
           cpu_parallel (&c, cpu_stage_slice, error) &&
           cpu_parallel (&c, cpu_points, error);
    }
  if (ev->threads > 1)
    relief_blas_single_thread_end ();
  g_mutex_clear (&c.lock);
  /* A cancel between two points leaves them half done: say so. */
  return ok && !g_cancellable_set_error_if_cancelled (cancellable, error);
}

gboolean
relief_surface_eval_points (ReliefSurfaceEval *ev, const double *a, const double *b, int n_points,
                            const float *x_host, const int32_t *y_host, int n,
                            double *mean_loss, double *accuracy,
                            GCancellable *cancellable, GError **error)
{
  ReliefBackend *be = ev->backend;
  const ReliefMlpSpec *spec = ev->spec;
  int in = spec->sizes[0], h1 = spec->sizes[1], w0 = ev->width[0];

  if (n < 1 || n_points < 0 || n_points > ev->max_points)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Nothing to evaluate (%d samples), or more than %d points (%d)"), n, ev->max_points, n_points);
      return FALSE;
    }
  memset (ev->acc_host, 0, sizeof (double) * 2 * ev->max_points);
  if (!be->upload (be, ev->acc_loss, ev->acc_host, sizeof (double) * ev->max_points, error) ||
      !be->upload (be, ev->acc_correct, ev->acc_host, sizeof (double) * ev->max_points, error))
    return FALSE;

  if (ev->threads > 0 && !cpu_eval_points (ev, a, b, n_points, x_host, y_host, n, cancellable, error))
    return FALSE;
  for (int start = 0; ev->threads == 0 && start < n; start += ev->rows)
    {
      int rows = MIN (ev->rows, n - start);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      for (int r = 0; r < rows; r++)
        {
          memcpy (ev->x_host + (gsize) r * (in + 1), x_host + (gsize) (start + r) * in, sizeof (float) * in);
          ev->x_host[(gsize) r * (in + 1) + in] = 1.0f;
        }
      /* [W0 | b0] is the first block of each folded vector: [h1, in + 1] at offset 0. */
      if (!be->upload (be, ev->x_stage, ev->x_host, sizeof (float) * rows * (in + 1), error) ||
          !be->upload (be, ev->y_stage, y_host + start, sizeof (int32_t) * rows, error) ||
          !be->gemm (be, FALSE, TRUE, rows, h1, in + 1, 1.0f, ev->x_stage, in + 1, ev->center, in + 1, 0.0f,
                     ev->xw, w0, error) ||
          !be->gemm (be, FALSE, TRUE, rows, h1, in + 1, 1.0f, ev->x_stage, in + 1, ev->xdir, in + 1, 0.0f,
                     ev->xu, w0, error) ||
          (ev->ydir != NULL &&
           !be->gemm (be, FALSE, TRUE, rows, h1, in + 1, 1.0f, ev->x_stage, in + 1, ev->ydir, in + 1, 0.0f,
                      ev->xv, w0, error)))
        return FALSE;
      for (int p = 0; p < n_points; p += ev->points)
        if (!eval_sub_batch (ev, a + p, b != NULL ? b + p : NULL, MIN (ev->points, n_points - p), rows,
                             ev->acc_loss + p, ev->acc_correct + p, error))
          return FALSE;
    }
  if (!be->download (be, ev->acc_host, ev->acc_loss, sizeof (double) * n_points, error) ||
      !be->download (be, ev->acc_host + ev->max_points, ev->acc_correct, sizeof (double) * n_points, error))
    return FALSE;
  for (int p = 0; p < n_points; p++)
    {
      mean_loss[p] = ev->acc_host[p] / n;
      accuracy[p] = ev->acc_host[ev->max_points + p] / n;
    }
  return TRUE;
}

int
relief_surface_progressive_order (int nx, int ny, int *order, int level_end[RELIEF_SURFACE_MAX_LEVELS], int *step)
{
  int longest = MAX (nx, ny), first = 1, n_levels = 0, filled = 0;

  while ((longest - 1) / (first * 2) >= 3)
    first *= 2;
  for (int s = first; s >= 1; s /= 2)
    {
      for (int iy = 0; iy < ny; iy++)
        for (int ix = 0; ix < nx; ix++)
          {
            gboolean on_level = ix % s == 0 && iy % s == 0;
            gboolean coarser = s < first && ix % (2 * s) == 0 && iy % (2 * s) == 0;

            if (on_level && !coarser)
              order[filled++] = iy * nx + ix;
          }
      level_end[n_levels++] = filled;
    }
  if (step)
    *step = first;
  return n_levels;
}

static gboolean
cell_done (gsize cell, const double *train_loss, const double *test_loss)
{
  return !isnan (train_loss[cell]) && (test_loss == NULL || !isnan (test_loss[cell]));
}

gboolean
relief_surface_compute_progressive (ReliefBackend *backend, const ReliefMlpSpec *spec,
                                    const float *center, const float *xdir, const float *ydir,
                                    const double *xs, int nx, const double *ys, int ny,
                                    const ReliefSamples *train, const ReliefSamples *test,
                                    double *train_loss, double *train_acc,
                                    double *test_loss, double *test_acc,
                                    ReliefSurfaceCellFunc cell_func, gpointer user_data,
                                    GCancellable *cancellable, GError **error)
{
  g_autoptr(ReliefSurfaceEval) ev = NULL;
  g_autofree int *order = NULL, *wave = NULL;
  g_autofree double *a = NULL, *b = NULL, *loss = NULL, *acc = NULL, *tloss = NULL, *tacc = NULL;
  gboolean with_test = test != NULL && test->n > 0 && test_loss != NULL && test_acc != NULL;
  gsize cells = (gsize) nx * ny;
  int level_end[RELIEF_SURFACE_MAX_LEVELS], pending = 0, cursor = 0, level = 0;

  if (nx < 1 || ny < 1 || train == NULL || train->n < 1 || (ny > 1 && (ys == NULL || ydir == NULL)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A surface needs at least one cell and one sample, and a y direction for several rows"));
      return FALSE;
    }
  order = g_new (int, cells);
  relief_surface_progressive_order (nx, ny, order, level_end, NULL);
  for (gsize c = 0; c < cells; c++)
    if (!cell_done (c, train_loss, with_test ? test_loss : NULL))
      pending++;
  if (pending == 0)
    return TRUE;

  ev = relief_surface_eval_new (backend, spec, center, xdir, ys != NULL ? ydir : NULL,
                                MIN (pending, WAVE_POINTS), 0, error);
  if (ev == NULL)
    return FALSE;
  wave = g_new (int, WAVE_POINTS);
  a = g_new (double, WAVE_POINTS);
  b = g_new (double, WAVE_POINTS);
  loss = g_new (double, WAVE_POINTS);
  acc = g_new (double, WAVE_POINTS);
  tloss = g_new (double, WAVE_POINTS);
  tacc = g_new (double, WAVE_POINTS);

  while (cursor < (int) cells)
    {
      int count = 0;

      /* A wave never crosses a level, so the coarse grid is complete before any
       * finer cell arrives. */
      while (cursor >= level_end[level])
        level++;
      for (; cursor < level_end[level] && count < WAVE_POINTS; cursor++)
        {
          int cell = order[cursor];

          if (cell_done (cell, train_loss, with_test ? test_loss : NULL))
            continue;
          wave[count] = cell;
          a[count] = xs[cell % nx];
          b[count] = ys != NULL ? ys[cell / nx] : 0.0;
          count++;
        }
      if (count == 0)
        continue;
      if (!relief_surface_eval_points (ev, a, b, count, train->x, train->y, train->n, loss, acc, cancellable, error) ||
          (with_test &&
           !relief_surface_eval_points (ev, a, b, count, test->x, test->y, test->n, tloss, tacc, cancellable, error)))
        return FALSE;
      for (int i = 0; i < count; i++)
        {
          int cell = wave[i];

          train_loss[cell] = loss[i];
          train_acc[cell] = 100.0 * acc[i];
          if (with_test)
            {
              test_loss[cell] = tloss[i];
              test_acc[cell] = 100.0 * tacc[i];
            }
          if (cell_func != NULL)
            cell_func (cell % nx, cell / nx, loss[i], 100.0 * acc[i], user_data);
        }
    }
  return TRUE;
}

/* relief-stepper.c: a trainer's step recorded once as a graph and replayed, and the
 * guarded update its body ends with. */
#include "relief-stepper.h"

#include <math.h>

struct _ReliefStepper {
  ReliefBackend  *backend;
  ReliefStepBody  body;
  gpointer        data;
  gint64         *step_dev;
  ReliefGraph    *graph;
  int             graph_rows;    /* the batch size the graph was recorded with */
  int             eager_rows;    /* the largest batch run launch by launch so far, 0 before */
  gboolean        may_record;
};

ReliefStepper *
relief_stepper_new (ReliefBackend *backend, ReliefStepBody body, gpointer data, GError **error)
{
  g_autoptr(ReliefStepper) st = g_new0 (ReliefStepper, 1);
  const char *env = g_getenv ("RELIEF_GRAPHS");

  st->backend = backend;
  st->body = body;
  st->data = data;
  st->may_record = backend->graph_begin != NULL && (env == NULL || g_strcmp0 (env, "0") != 0);
  if ((st->step_dev = backend->alloc (backend, sizeof (gint64), error)) == NULL)
    return NULL;
  return g_steal_pointer (&st);
}

void
relief_stepper_free (ReliefStepper *st)
{
  if (st == NULL)
    return;
  if (st->graph != NULL)
    st->backend->graph_free (st->backend, st->graph);
  if (st->step_dev != NULL)
    st->backend->free (st->backend, st->step_dev);
  g_free (st);
}

gboolean
relief_stepper_is_replaying (const ReliefStepper *st)
{
  return st->graph != NULL;
}

/* Records the body as a graph.  Any failure only turns recording off: the caller then
 * runs the step launch by launch, which reports a real error itself. */
static void
stepper_record (ReliefStepper *st, int rows)
{
  ReliefBackend *be = st->backend;
  g_autoptr(GError) local = NULL;
  gboolean body_ok;

  st->may_record = FALSE;
  if (!be->graph_begin (be, &local))
    goto failed;
  body_ok = st->body (st->data, st->step_dev, &local);
  st->graph = be->graph_end (be, body_ok ? &local : NULL);
  if (st->graph != NULL && body_ok)
    {
      st->graph_rows = rows;
      return;
    }
  if (st->graph != NULL)
    {
      be->graph_free (be, st->graph);
      st->graph = NULL;
    }

failed:
  g_message ("Training runs launch by launch: recording its step as a graph failed: %s",
             local != NULL ? local->message : "unknown error");
}

gboolean
relief_stepper_run (ReliefStepper *st, gint64 step, int rows, GError **error)
{
  ReliefBackend *be = st->backend;

  if (!be->upload (be, st->step_dev, &step, sizeof step, error))
    return FALSE;
  /* Record after one step of the same size has run launch by launch, so that scratch
   * buffers have their size and every kernel is loaded. */
  if (st->graph == NULL && st->may_record && rows == st->eager_rows)
    stepper_record (st, rows);
  if (st->graph != NULL && rows == st->graph_rows)
    {
      g_autoptr(GError) local = NULL;

      if (be->graph_launch (be, st->graph, &local))
        return TRUE;
      /* A launch that fails (say, no memory to upload the graph) leaves the step to run
       * launch by launch, which reports any error that is really there. */
      g_message ("Training runs launch by launch: launching its recorded step failed: %s", local->message);
      be->graph_free (be, st->graph);
      st->graph = NULL;
    }
  /* Short batches (an epoch's last) leave the largest size, the one worth recording. */
  st->eager_rows = MAX (st->eager_rows, rows);
  return st->body (st->data, st->step_dev, error);
}

gboolean
relief_stepper_update (ReliefBackend *be, const ReliefOptimizerConfig *optimizer, const gint64 *step_dev, float *x,
                       float *x_before, float *x_before2, const float *grad, float *state, gsize n, GError **error)
{
  return (x_before2 == NULL || be->copy (be, x_before2, x_before, sizeof (float) * n, error)) &&
         be->copy (be, x_before, x, sizeof (float) * n, error) &&
         be->optimizer_step (be, optimizer, 0, step_dev, x, grad, state, n, error) &&
         be->dot (be, n, x, x, NULL, error);
}

gboolean
relief_stepper_check_update (ReliefBackend *be, float *x, const float *x_before, const float *x_before2, gsize n,
                             int rows, double *batch_loss, int *correct, int *undone, GError **error)
{
  double loss_sum, sum_sq;
  int n_correct;

  if (!be->fetch (be, &loss_sum, &n_correct, &sum_sq, error))
    return FALSE;
  if (correct != NULL)
    *correct = n_correct;
  *batch_loss = loss_sum / rows;
  /* Squares of floats cannot overflow a double: only inf or NaN make the sum non-finite. */
  if (!isfinite (*batch_loss) && x_before2 != NULL)
    {
      *undone = 2;
      return be->copy (be, x, x_before2, sizeof (float) * n, error);
    }
  if (!isfinite (*batch_loss) || !isfinite (sum_sq))
    {
      *undone = 1;
      return be->copy (be, x, x_before, sizeof (float) * n, error);
    }
  *undone = 0;
  return TRUE;
}

#include "relief-config.h"

#include "relief-job.h"

#define TICK_INTERVAL_MS 50

struct _ReliefJob {
  ReliefJobWork  work;
  gpointer       work_data;
  GDestroyNotify work_data_free;
  ReliefJobTick  tick;
  ReliefJobDone  done;
  gpointer       owner;          /* NULL once dropped */
  GCancellable  *cancellable;
  guint          tick_source;
};

static void
job_free (ReliefJob *job)
{
  g_clear_handle_id (&job->tick_source, g_source_remove);
  if (job->work_data_free)
    job->work_data_free (job->work_data);
  g_clear_object (&job->cancellable);
  g_free (job);
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReliefJob *job = task_data;
  GError *error = NULL;

  if (job->work (job->work_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
job_tick (gpointer user_data)
{
  ReliefJob *job = user_data;

  if (job->owner && job->tick)
    job->tick (job->owner);
  return G_SOURCE_CONTINUE;
}

static void
job_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReliefJob *job = user_data;
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  g_clear_handle_id (&job->tick_source, g_source_remove);
  if (job->owner)
    {
      /* A last tick so the owner sees the final progress before done. */
      if (job->tick)
        job->tick (job->owner);
      if (job->done)
        job->done (job->owner, error);
    }
  job_free (job);
}

ReliefJob *
relief_job_start (ReliefJobWork  work,
                  gpointer       work_data,
                  GDestroyNotify work_data_free,
                  ReliefJobTick  tick,
                  ReliefJobDone  done,
                  gpointer       owner)
{
  ReliefJob *job = g_new0 (ReliefJob, 1);
  g_autoptr(GTask) task = NULL;

  job->work = work;
  job->work_data = work_data;
  job->work_data_free = work_data_free;
  job->tick = tick;
  job->done = done;
  job->owner = owner;
  job->cancellable = g_cancellable_new ();

  /* The task callback owns the job: it runs once, after the thread returns. */
  task = g_task_new (NULL, job->cancellable, job_finished, job);
  g_task_set_task_data (task, job, NULL);
  g_task_set_return_on_cancel (task, FALSE);
  job->tick_source = g_timeout_add (TICK_INTERVAL_MS, job_tick, job);
  g_task_run_in_thread (task, job_thread);
  return job;
}

void
relief_job_cancel (ReliefJob *job)
{
  g_cancellable_cancel (job->cancellable);
}

void
relief_job_drop (ReliefJob *job)
{
  job->owner = NULL;
  g_cancellable_cancel (job->cancellable);
}

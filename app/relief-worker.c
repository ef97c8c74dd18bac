#include "relief-config.h"

#include "relief-worker.h"

#define TICK_INTERVAL_MS 50

struct _ReliefWorker {
  ReliefWorkerFunc work;
  gpointer         work_data;
  GDestroyNotify   work_data_free;
  ReliefWorkerTick tick;
  ReliefWorkerDone done;
  gpointer         owner;          /* NULL once dropped */
  GCancellable    *cancellable;
  guint            tick_source;
};

static void
worker_free (ReliefWorker *worker)
{
  g_clear_handle_id (&worker->tick_source, g_source_remove);
  if (worker->work_data_free)
    worker->work_data_free (worker->work_data);
  g_clear_object (&worker->cancellable);
  g_free (worker);
}

static void
worker_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReliefWorker *worker = task_data;
  GError *error = NULL;

  if (worker->work (worker->work_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
worker_tick (gpointer user_data)
{
  ReliefWorker *worker = user_data;

  if (worker->owner && worker->tick)
    worker->tick (worker->owner);
  return G_SOURCE_CONTINUE;
}

static void
worker_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReliefWorker *worker = user_data;
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  g_clear_handle_id (&worker->tick_source, g_source_remove);
  if (worker->owner)
    {
      /* A last tick so the owner sees the final progress before done. */
      if (worker->tick)
        worker->tick (worker->owner);
      if (worker->done)
        worker->done (worker->owner, error);
    }
  worker_free (worker);
}

ReliefWorker *
relief_worker_start (ReliefWorkerFunc work,
                     gpointer         work_data,
                     GDestroyNotify   work_data_free,
                     ReliefWorkerTick tick,
                     ReliefWorkerDone done,
                     gpointer         owner)
{
  ReliefWorker *worker = g_new0 (ReliefWorker, 1);
  g_autoptr(GTask) task = NULL;

  worker->work = work;
  worker->work_data = work_data;
  worker->work_data_free = work_data_free;
  worker->tick = tick;
  worker->done = done;
  worker->owner = owner;
  worker->cancellable = g_cancellable_new ();

  /* The task callback owns the worker: it runs once, after the thread returns. */
  task = g_task_new (NULL, worker->cancellable, worker_finished, worker);
  g_task_set_task_data (task, worker, NULL);
  g_task_set_return_on_cancel (task, FALSE);
  /* The work says what a cancel left: a training cancelled midway returns TRUE with its
   * run saved, which GTask would otherwise turn into G_IO_ERROR_CANCELLED. */
  g_task_set_check_cancellable (task, FALSE);
  worker->tick_source = g_timeout_add (TICK_INTERVAL_MS, worker_tick, worker);
  g_task_run_in_thread (task, worker_thread);
  return worker;
}

void
relief_worker_cancel (ReliefWorker *worker)
{
  g_cancellable_cancel (worker->cancellable);
}

void
relief_worker_drop (ReliefWorker *worker)
{
  worker->owner = NULL;
  g_cancellable_cancel (worker->cancellable);
}

void
relief_work_shared_init (ReliefWorkShared *shared)
{
  g_mutex_init (&shared->lock);
  shared->fraction = 0;
}

void
relief_work_shared_clear (ReliefWorkShared *shared)
{
  g_mutex_clear (&shared->lock);
}

void
relief_work_shared_progress (double fraction, gpointer user_data)
{
  ReliefWorkShared *shared = user_data;

  g_mutex_lock (&shared->lock);
  shared->fraction = fraction;
  g_mutex_unlock (&shared->lock);
}

double
relief_work_shared_get_fraction (ReliefWorkShared *shared)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&shared->lock);

  return shared->fraction;
}

gboolean
relief_work_shared_load_run (ReliefWorkShared *shared, ReliefLoadedRun **run, const char *path, GError **error)
{
  ReliefLoadedRun *loaded;

  if (*run != NULL)
    return TRUE;
  if ((loaded = relief_loaded_run_load (path, error)) == NULL)
    return FALSE;
  g_mutex_lock (&shared->lock);
  *run = loaded;
  g_mutex_unlock (&shared->lock);
  return TRUE;
}

double
relief_work_shared_keep_run (ReliefWorkShared *shared, ReliefLoadedRun *const *run, const char *run_path,
                             ReliefLoadedRun **keep, const char *keep_path)
{
  double fraction;

  g_mutex_lock (&shared->lock);
  fraction = shared->fraction;
  if (*keep == NULL && *run != NULL && g_strcmp0 (run_path, keep_path) == 0)
    *keep = relief_loaded_run_ref (*run);
  g_mutex_unlock (&shared->lock);
  return fraction;
}

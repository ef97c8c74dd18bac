/* relief-worker.h: runs a job (or any work) for the window: the work on a thread, a tick on
 * the main loop to pull its progress (so the work never floods the loop), a done callback.
 * The owner may drop the worker at any time; the work is cancelled and its data freed when
 * the thread returns, and no callback reaches the owner after that. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _ReliefWorker ReliefWorker;

typedef gboolean (*ReliefWorkerFunc) (gpointer work_data, GCancellable *cancellable, GError **error);
typedef void     (*ReliefWorkerTick) (gpointer owner);
typedef void     (*ReliefWorkerDone) (gpointer owner, const GError *error);

ReliefWorker *relief_worker_start  (ReliefWorkerFunc work, gpointer work_data, GDestroyNotify work_data_free,
                                    ReliefWorkerTick tick, ReliefWorkerDone done, gpointer owner);
void          relief_worker_cancel (ReliefWorker *worker);
/* Cancels if still running and detaches the owner. */
void          relief_worker_drop   (ReliefWorker *worker);

G_END_DECLS

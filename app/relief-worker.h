/* relief-worker.h: runs a job (or any work) for the window: the work on a thread, a tick on
 * the main loop to pull its progress (so the work never floods the loop), a done callback.
 * The owner may drop the worker at any time; the work is cancelled and its data freed when
 * the thread returns, and no callback reaches the owner after that. */
#pragma once

#include <gio/gio.h>
#include "relief-loaded-run.h"

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

/* What a job's work shares with its tick: the progress, and the lock that guards it and
 * whatever else the page hands between the two.  The first member of the work struct, so
 * that the work itself can be a job's progress user_data. */
typedef struct {
  GMutex lock;
  double fraction;
} ReliefWorkShared;

/* A job's progress callback: user_data is the work (or the ReliefWorkShared). */
void     relief_work_shared_progress     (double fraction, gpointer user_data);
/* The last fraction, for the tick. */
double   relief_work_shared_get_fraction (ReliefWorkShared *shared);
/* Loads the run at path into *run when it is NULL (the worker thread); *run is set under
 * the lock, since the tick reads it. */
gboolean relief_work_shared_load_run     (ReliefWorkShared *shared, ReliefLoadedRun **run, const char *path,
                                          GError **error);
/* The tick's side of it: *keep takes a reference to the run the work loaded (at
 * run_path) when it has none and the page is still at that run (keep_path); under the
 * same lock, the fraction is returned. */
double   relief_work_shared_keep_run     (ReliefWorkShared *shared, ReliefLoadedRun *const *run, const char *run_path,
                                          ReliefLoadedRun **keep, const char *keep_path);
/* Where the work is made, and freed. */
void     relief_work_shared_init         (ReliefWorkShared *shared);
void     relief_work_shared_clear        (ReliefWorkShared *shared);

G_END_DECLS

/* relief-job.h: a background job for the window: work on a worker thread, a tick on the
 * main loop to pull its progress (so the worker never floods the loop), a done callback.
 * The owner may drop the job at any time; the work is cancelled and its data freed when
 * the thread returns, and no callback reaches the owner after that. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _ReliefJob ReliefJob;

typedef gboolean (*ReliefJobWork) (gpointer work_data, GCancellable *cancellable, GError **error);
typedef void     (*ReliefJobTick) (gpointer owner);
typedef void     (*ReliefJobDone) (gpointer owner, const GError *error);

ReliefJob *relief_job_start  (ReliefJobWork work, gpointer work_data, GDestroyNotify work_data_free,
                              ReliefJobTick tick, ReliefJobDone done, gpointer owner);
void       relief_job_cancel (ReliefJob *job);
/* Cancels if still running and detaches the owner. */
void       relief_job_drop   (ReliefJob *job);

G_END_DECLS

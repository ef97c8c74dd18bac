/* relief-loaded-run.h: a run file and its data set, loaded once and shared read-only by the
 * jobs that work on it (surfaces, decision maps), on any thread: a page loads its run once
 * and every zoom, pan or click reuses it instead of re-reading files and re-hashing data. */
#pragma once

#include <glib.h>
#include "relief-run-file.h"

G_BEGIN_DECLS

typedef struct _ReliefLoadedRun ReliefLoadedRun;

/* The run at path with its data set (a file data set reloaded and its checksums checked). */
ReliefLoadedRun *relief_loaded_run_load  (const char *path, GError **error);
/* The run at path without its data set (ReliefRun.dataset NULL), for jobs that need only
 * its model and parameters (weight spectra): no data set to find, reload and check. */
ReliefLoadedRun *relief_loaded_run_load_parameters (const char *path, GError **error);
/* Thread-safe reference counting. */
ReliefLoadedRun *relief_loaded_run_ref   (ReliefLoadedRun *run);
void             relief_loaded_run_unref (ReliefLoadedRun *run);
/* The path it was loaded from, as given. */
const char      *relief_loaded_run_get_path (const ReliefLoadedRun *run);
/* The contents, dataset included; never modified. */
const ReliefRun *relief_loaded_run_get_run  (const ReliefLoadedRun *run);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefLoadedRun, relief_loaded_run_unref)

G_END_DECLS

/* relief-cli-common.h: what the commands of `relief` share: their option contexts, usage
 * errors and exit statuses, the input checks, and the progress bar with Ctrl-C. */
#pragma once

#include <gio/gio.h>
#include "relief-file.h"
#include "relief-cli-options.h"
#include "relief-job-common.h"

G_BEGIN_DECLS

#define RELIEF_EXIT_USAGE 2
#define RELIEF_EXIT_INTERRUPTED 130

/* A command's option context: parameter (may be NULL) after the options, summary above. */
GOptionContext *relief_cli_context        (const char *parameter, const char *summary);
/* Adds a command's main entries, remembering its switches: relief_cli_parse refuses a
 * switch given a value (--resume=no), which GLib would take as the switch. */
void            relief_cli_add_entries    (GOptionContext *ctx, const GOptionEntry *entries);
/* Parses; --help lists every group's options, not only the main ones.  FALSE when the
 * command must end now, with *status its exit status (0 after the help). */
gboolean        relief_cli_parse          (GOptionContext *ctx, const char *command, int *argc, char ***argv,
                                           int *status);
/* Prints "relief COMMAND: message" and returns RELIEF_EXIT_USAGE. */
int             relief_cli_usage_error    (const char *command, const char *message);
gboolean        relief_cli_require_output (const char *command, const char *output, int *status);
/* Before any work: an output is given, is a file name (not a folder, a device or a pipe),
 * its folder exists and is writable, and it is none of inputs (NULL-terminated paths; a
 * folder stands for the files in it; NULL entries and names that are not files, like a
 * generator's, are skipped): writing it would destroy that input, through links too.
 * Then it is locked until the command exits (relief_output_lock): an output another
 * command or the window is writing is refused, naming that writer. */
gboolean        relief_cli_check_output   (const char *command, const char *output, const char * const *inputs,
                                           int *status);
/* Errors about the input itself (missing file, wrong kind, bad values) are usage errors
 * (2); a cancel is 130; failures while working are 1. */
int             relief_cli_error_status   (const GError *error);
/* A figure to write: an output as relief_cli_check_output wants it, a .pdf, .svg or .png,
 * and a --dpi (when given) from 10 to 2400, parsed into figure->dpi. */
gboolean        relief_cli_check_figure   (const char *command, ReliefCliFigureOptions *figure,
                                           const char * const *inputs, int *status);
/* path must exist and be a Relief file, of kind when kind is not RELIEF_FILE_KIND_NONE. */
gboolean        relief_cli_check_input    (const char *command, const char *path, ReliefFileKind kind, int *status);

/* A progress bar on a terminal's stderr that also turns Ctrl-C into a cancel: the work
 * checks it from its progress callback, so an interrupt still leaves a complete file. */
typedef struct {
  GCancellable *cancellable;
  gboolean      tty;
  gint64        last_draw_us;
  const char   *label;
  const char   *backend;        /* what "auto" picked, reported once the work is done */
  int           n_cells;        /* intdim: the trainings of the whole sweep, baseline included */
  int           n_seeds;        /* intdim: seeds per dimension */
  int           cell;           /* intdim: the one running, in sweep order */
} ReliefCliProgress;

/* Starts catching Ctrl-C into progress->cancellable (created here) until _end. */
void relief_cli_progress_begin (ReliefCliProgress *progress, const char *label);
void relief_cli_progress_draw  (ReliefCliProgress *progress, double fraction, gboolean force);
/* Ends the bar's line (complete: at 100%, then the backend "auto" chose), lets Ctrl-C end
 * the process again and drops the cancellable. */
void relief_cli_progress_end   (ReliefCliProgress *progress, gboolean complete);

/* Callbacks for the jobs, user_data a ReliefCliProgress. */
void relief_cli_on_progress       (double fraction, gpointer user_data);
void relief_cli_on_backend_chosen (const char *name, gpointer user_data);
/* Prints one line on stderr before a large job (1 GB of memory or 10 s of computing and
 * more): what it will take. */
void relief_cli_on_estimate       (const ReliefJobEstimate *estimate, gpointer user_data);

G_END_DECLS

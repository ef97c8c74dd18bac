/* relief-page.h: what every page of the window shares.  A page runs one job at a time on
 * a worker thread (a training, a surface, a sweep) behind its page.run and page.cancel
 * actions, shows progress and a status line, reports errors in that line and in a dialog,
 * shows toasts, and exports its figure behind page.export.  A page subclasses ReliefPage
 * and fills the class's run and export; the window forwards its shortcuts to the visible
 * page's actions and hands runs between pages without knowing which page is which. */
#pragma once

#include <adwaita.h>

#include "relief-file.h"
#include "relief-plot.h"
#include "relief-worker.h"

G_BEGIN_DECLS

#define RELIEF_TYPE_PAGE (relief_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (ReliefPage, relief_page, RELIEF, PAGE, GtkWidget)

struct _ReliefPageClass {
  GtkWidgetClass parent_class;

  /* page.run: starts the page's job with the settings shown. */
  void     (*run)      (ReliefPage *self);
  /* page.export: asks for a file and writes the page's figure to it. */
  void     (*export)   (ReliefPage *self);
  /* A run file was made elsewhere in the window (another page's "run-ready"): TRUE when
   * this page took it up and wants to be shown. */
  gboolean (*show_run) (ReliefPage *self, const char *run_path);
  /* Escape while nothing computes: closes what the page shows over its figure (a panel);
   * TRUE when there was something to close.  May be NULL. */
  gboolean (*dismiss)  (ReliefPage *self);
  /* The window's first page when it opens: what a new user sees happen without choosing
   * anything.  May be NULL: run. */
  void     (*start_default) (ReliefPage *self);
  /* A file chosen in the window's Open dialog or its recent files: FALSE when files of
   * kind are not this page's; else the page shows it (or reports why it cannot) and
   * wants to be shown.  May be NULL. */
  gboolean (*open)     (ReliefPage *self, const char *path, ReliefFileKind kind);
  /* Another page began a job that ends in "run-ready" (coming TRUE), or its job ended
   * without a run (FALSE): what this page shows is the previous run's meanwhile.  May be
   * NULL. */
  void     (*run_coming) (ReliefPage *self, gboolean coming);
  /* win.present (F5): the page's presentation mode on or off; the window enables the
   * action only while a page that has one is shown.  May be NULL: none. */
  void     (*present)  (ReliefPage *self);
};

/* A child of a page's template: its id there and the offset of the field that holds it. */
typedef struct {
  const char *id;
  goffset     offset;
} ReliefTemplateChild;

#define RELIEF_TEMPLATE_CHILD(Type, field) { #field, G_STRUCT_OFFSET (Type, field) }

/* In class_init: binds each child of a template to its field, offset bytes further into
 * the instance (0 for the page's own fields). */
void     relief_page_class_bind_children (GtkWidgetClass *widget_class, goffset offset,
                                          const ReliefTemplateChild *children, guint n_children);
/* In class_init: the page's template (a resource path) and its children; the base class
 * disposes it. */
void     relief_page_class_set_template  (ReliefPageClass *page_class, const char *resource,
                                          const ReliefTemplateChild *children, guint n_children);

/* In the subclass's init, after its template: the status line and progress bar that the
 * page's messages and progress go to. */
void     relief_page_set_status_widgets (ReliefPage *self, GtkLabel *status, GtkProgressBar *progress);

void     relief_page_run          (ReliefPage *self);
void     relief_page_cancel       (ReliefPage *self);
void     relief_page_start_default (ReliefPage *self);
void     relief_page_export       (ReliefPage *self);
gboolean relief_page_show_run     (ReliefPage *self, const char *run_path);
gboolean relief_page_dismiss      (ReliefPage *self);
gboolean relief_page_can_present  (ReliefPage *self);
void     relief_page_present      (ReliefPage *self);
gboolean relief_page_open         (ReliefPage *self, const char *path, ReliefFileKind kind);
gboolean relief_page_is_running   (ReliefPage *self);
/* Whether page.run can start now (a page may need something first, e.g. a run to slice). */
void     relief_page_set_can_run  (ReliefPage *self, gboolean can_run);

/* Starts the page's job on a worker thread; a job still running is dropped (its done is not
 * called).  Until done has been called the page is running: page.run is off, page.cancel
 * on, and the "running" property says so.  tick runs on the main loop while the job runs,
 * done once after it, both with the page. */
void     relief_page_start_job    (ReliefPage *self, ReliefWorkerFunc work, gpointer work_data,
                                   GDestroyNotify work_data_free, ReliefWorkerTick tick, ReliefWorkerDone done);

/* Stops the running job, if any, without hearing of it again (its done is not called):
 * the page shows something else now. */
void     relief_page_drop_job     (ReliefPage *self);

void     relief_page_set_status   (ReliefPage *self, const char *text);
void     relief_page_set_progress (ReliefPage *self, double fraction);
/* The message in the status line and in a dialog of the window the page is in. */
void     relief_page_report_error (ReliefPage *self, const char *heading, const char *message);
void     relief_page_toast        (ReliefPage *self, const char *message);
/* The one way a page reports a cancelled job: message says what was kept and how to go
 * on, in the status line and in a toast. */
void     relief_page_report_cancelled (ReliefPage *self, const char *message);
/* Emits "run-ready": the page has written a run file that other pages may take up. */
void     relief_page_run_ready    (ReliefPage *self, const char *run_path);
/* After relief_page_start_job: the job makes a run that "run-ready" hands on.  Emits
 * "run-coming" (TRUE) now, and (FALSE) when the job ends without run-ready. */
void     relief_page_run_coming   (ReliefPage *self);
/* What the window tells the other pages of "run-coming" (the class's run_coming). */
void     relief_page_expect_run   (ReliefPage *self, gboolean coming);

typedef void (*ReliefPageFileFunc) (ReliefPage *self, GFile *file);
/* Shows chooser (taking it) and calls on_file if the user picks a file. */
void     relief_page_choose_file   (ReliefPage *self, GtkFileChooserNative *chooser, ReliefPageFileFunc on_file);
/* A save dialog for figures (PDF, SVG and PNG filters) that calls on_file with the choice. */
/* A save dialog (Export, Cancel) with one filter per name and pattern (names translated). */
void     relief_page_choose_save   (ReliefPage *self, const char *title, const char *default_name,
                                    const char *const *names, const char *const *patterns, guint n_filters,
                                    ReliefPageFileFunc on_file);
void     relief_page_choose_figure (ReliefPage *self, const char *title, const char *default_name,
                                    ReliefPageFileFunc on_file);
/* Writes the figure drawn by draw to file (PDF, SVG or PNG by its extension; width x height
 * points, PNG at 300 dpi): a toast when done, else the error as relief_page_report_error. */
void     relief_page_write_figure  (ReliefPage *self, GFile *file, double width, double height,
                                    ReliefDrawFunc draw, gpointer data);

G_END_DECLS

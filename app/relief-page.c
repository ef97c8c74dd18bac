#include "relief-config.h"

#include <glib/gi18n-lib.h>

#include "relief-page.h"

typedef struct {
  /* borrowed from the subclass's template */
  GtkLabel       *status;
  GtkProgressBar *progress;

  /* owned */
  ReliefWorker     *job;             /* while running */
  ReliefWorkerTick  tick;
  ReliefWorkerDone  done;
  gboolean          can_run;
  gboolean          run_coming;      /* the job makes a run, not yet handed on */
} ReliefPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ReliefPage, relief_page, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_RUNNING, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { RUN_READY, RUN_COMING, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
update_actions (ReliefPage *self)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.run", priv->job == NULL && priv->can_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.cancel", priv->job != NULL);
}

void
relief_page_class_bind_children (GtkWidgetClass *widget_class, goffset offset, const ReliefTemplateChild *children,
                                 guint n_children)
{
  for (guint i = 0; i < n_children; i++)
    gtk_widget_class_bind_template_child_full (widget_class, children[i].id, FALSE, offset + children[i].offset);
}

void
relief_page_class_set_template (ReliefPageClass *page_class, const char *resource, const ReliefTemplateChild *children,
                                guint n_children)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (page_class);

  gtk_widget_class_set_template_from_resource (widget_class, resource);
  relief_page_class_bind_children (widget_class, 0, children, n_children);
}

void
relief_page_set_status_widgets (ReliefPage *self, GtkLabel *status, GtkProgressBar *progress)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  priv->status = status;
  priv->progress = progress;
}

void
relief_page_run (ReliefPage *self)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  if (priv->job == NULL && priv->can_run)
    RELIEF_PAGE_GET_CLASS (self)->run (self);
}

void
relief_page_start_default (ReliefPage *self)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);
  ReliefPageClass *klass = RELIEF_PAGE_GET_CLASS (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  if (priv->job != NULL || !priv->can_run)
    return;
  if (klass->start_default)
    klass->start_default (self);
  else
    klass->run (self);
}

void
relief_page_cancel (ReliefPage *self)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  if (priv->job)
    relief_worker_cancel (priv->job);
}

void
relief_page_export (ReliefPage *self)
{
  g_return_if_fail (RELIEF_IS_PAGE (self));
  RELIEF_PAGE_GET_CLASS (self)->export (self);
}

gboolean
relief_page_show_run (ReliefPage *self, const char *run_path)
{
  ReliefPageClass *klass = RELIEF_PAGE_GET_CLASS (self);

  g_return_val_if_fail (RELIEF_IS_PAGE (self), FALSE);
  return klass->show_run ? klass->show_run (self, run_path) : FALSE;
}

gboolean
relief_page_dismiss (ReliefPage *self)
{
  ReliefPageClass *klass = RELIEF_PAGE_GET_CLASS (self);

  g_return_val_if_fail (RELIEF_IS_PAGE (self), FALSE);
  return klass->dismiss ? klass->dismiss (self) : FALSE;
}

gboolean
relief_page_can_present (ReliefPage *self)
{
  g_return_val_if_fail (RELIEF_IS_PAGE (self), FALSE);
  return RELIEF_PAGE_GET_CLASS (self)->present != NULL;
}

void
relief_page_present (ReliefPage *self)
{
  ReliefPageClass *klass = RELIEF_PAGE_GET_CLASS (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  if (klass->present)
    klass->present (self);
}

gboolean
relief_page_open (ReliefPage *self, const char *path, ReliefFileKind kind)
{
  ReliefPageClass *klass = RELIEF_PAGE_GET_CLASS (self);

  g_return_val_if_fail (RELIEF_IS_PAGE (self), FALSE);
  return klass->open ? klass->open (self, path, kind) : FALSE;
}

gboolean
relief_page_is_running (ReliefPage *self)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_return_val_if_fail (RELIEF_IS_PAGE (self), FALSE);
  return priv->job != NULL;
}

void
relief_page_set_can_run (ReliefPage *self, gboolean can_run)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  priv->can_run = can_run;
  update_actions (self);
}

static void
set_running (ReliefPage *self, ReliefWorker *job)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);
  gboolean was_running = priv->job != NULL;

  priv->job = job;
  update_actions (self);
  if (was_running != (job != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
job_tick (gpointer owner)
{
  ReliefPage *self = owner;
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  if (priv->tick)
    priv->tick (self);
}

static void
job_done (gpointer owner, const GError *error)
{
  ReliefPage *self = owner;
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);
  ReliefWorkerDone done = priv->done;

  /* Running ends before the page hears of it, so done may start the next job. */
  set_running (self, NULL);
  if (done)
    done (self, error);
  /* No run came of it (an error, a cancel before the first step). */
  if (priv->run_coming && priv->job == NULL)
    {
      priv->run_coming = FALSE;
      g_signal_emit (self, signals[RUN_COMING], 0, FALSE);
    }
}

void
relief_page_start_job (ReliefPage *self, ReliefWorkerFunc work, gpointer work_data, GDestroyNotify work_data_free,
                       ReliefWorkerTick tick, ReliefWorkerDone done)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  g_clear_pointer (&priv->job, relief_worker_drop);
  priv->tick = tick;
  priv->done = done;
  set_running (self, relief_worker_start (work, work_data, work_data_free, job_tick, job_done, self));
}

void
relief_page_drop_job (ReliefPage *self)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  g_clear_pointer (&priv->job, relief_worker_drop);
  set_running (self, NULL);
}

void
relief_page_set_status (ReliefPage *self, const char *text)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  if (priv->status)
    {
      gtk_label_set_text (priv->status, text);
      /* The whole of it where the line is too short. */
      gtk_widget_set_tooltip_text (GTK_WIDGET (priv->status), text);
    }
}

void
relief_page_set_progress (ReliefPage *self, double fraction)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  if (priv->progress)
    gtk_progress_bar_set_fraction (priv->progress, fraction);
}

static GtkWindow *
page_window (ReliefPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

void
relief_page_report_error (ReliefPage *self, const char *heading, const char *message)
{
  GtkWindow *window = page_window (self);
  GtkWidget *dialog;

  g_return_if_fail (RELIEF_IS_PAGE (self));
  relief_page_set_status (self, message);
  if (window == NULL)
    {
      g_warning ("%s: %s", heading, message);
      return;
    }
  dialog = adw_message_dialog_new (window, heading, message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_toast (ReliefPage *self, const char *message, AdwToastPriority priority)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (overlay == NULL)
    return;
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 4);
  adw_toast_set_priority (toast, priority);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

void
relief_page_toast (ReliefPage *self, const char *message)
{
  g_return_if_fail (RELIEF_IS_PAGE (self));
  add_toast (self, message, ADW_TOAST_PRIORITY_NORMAL);
}

void
relief_page_report_cancelled (ReliefPage *self, const char *message)
{
  g_return_if_fail (RELIEF_IS_PAGE (self));
  relief_page_set_status (self, message);
  /* The answer to what the user just did: shown at once, before any toast waiting. */
  add_toast (self, message, ADW_TOAST_PRIORITY_HIGH);
}

void
relief_page_run_ready (ReliefPage *self, const char *run_path)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  priv->run_coming = FALSE;
  g_signal_emit (self, signals[RUN_READY], 0, run_path);
}

void
relief_page_run_coming (ReliefPage *self)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  priv->run_coming = TRUE;
  g_signal_emit (self, signals[RUN_COMING], 0, TRUE);
}

void
relief_page_expect_run (ReliefPage *self, gboolean coming)
{
  ReliefPageClass *klass = RELIEF_PAGE_GET_CLASS (self);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  if (klass->run_coming)
    klass->run_coming (self, coming);
}

typedef struct {
  ReliefPage        *page;
  ReliefPageFileFunc on_file;
} FileRequest;

static void
file_request_free (gpointer data, GClosure *closure)
{
  FileRequest *request = data;

  g_object_unref (request->page);
  g_free (request);
}

static void
on_chooser_response (GtkNativeDialog *dialog, int response, FileRequest *request)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      request->on_file (request->page, file);
    }
  g_object_unref (dialog);
}

void
relief_page_choose_file (ReliefPage *self, GtkFileChooserNative *chooser, ReliefPageFileFunc on_file)
{
  FileRequest *request = g_new (FileRequest, 1);

  g_return_if_fail (RELIEF_IS_PAGE (self));
  /* The page lives until the user answers, even if its window closes first. */
  request->page = g_object_ref (self);
  request->on_file = on_file;
  g_signal_connect_data (chooser, "response", G_CALLBACK (on_chooser_response), request, file_request_free, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
relief_page_choose_save (ReliefPage *self, const char *title, const char *default_name,
                         const char *const *names, const char *const *patterns, guint n_filters,
                         ReliefPageFileFunc on_file)
{
  GtkFileChooserNative *chooser;

  g_return_if_fail (RELIEF_IS_PAGE (self));
  chooser = gtk_file_chooser_native_new (title, page_window (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), default_name);
  for (guint i = 0; i < n_filters; i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, _(names[i]));
      gtk_file_filter_add_pattern (filter, patterns[i]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
    }
  relief_page_choose_file (self, chooser, on_file);
}

void
relief_page_choose_figure (ReliefPage *self, const char *title, const char *default_name, ReliefPageFileFunc on_file)
{
  static const char *const names[] = { N_("PDF document"), N_("SVG image"), N_("PNG image") };
  static const char *const patterns[] = { "*.pdf", "*.svg", "*.png" };

  relief_page_choose_save (self, title, default_name, names, patterns, G_N_ELEMENTS (names), on_file);
}

void
relief_page_write_figure (ReliefPage *self, GFile *file, double width, double height, ReliefDrawFunc draw, gpointer data)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (RELIEF_IS_PAGE (self));
  if (path == NULL || !relief_plot_export_supported (path))
    relief_page_report_error (self, _("Cannot export"), _("Choose a file name ending in .pdf, .svg or .png"));
  else if (!relief_plot_export (path, width, height, 300, draw, data, &error))
    relief_page_report_error (self, _("Cannot export"), error->message);
  else
    {
      message = g_strdup_printf (_("Exported %s"), basename);
      relief_page_toast (self, message);
    }
}

static void
action_run (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  relief_page_run (RELIEF_PAGE (widget));
}

static void
action_cancel (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  relief_page_cancel (RELIEF_PAGE (widget));
}

static void
action_export (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  relief_page_export (RELIEF_PAGE (widget));
}

static void
relief_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReliefPage *self = RELIEF_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, relief_page_is_running (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relief_page_dispose (GObject *object)
{
  ReliefPage *self = RELIEF_PAGE (object);
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  g_clear_pointer (&priv->job, relief_worker_drop);
  priv->status = NULL;
  priv->progress = NULL;
  /* The page's own template, whichever subclass it is: its children go with it. */
  gtk_widget_dispose_template (GTK_WIDGET (self), G_OBJECT_TYPE (self));
  G_OBJECT_CLASS (relief_page_parent_class)->dispose (object);
}

static void
relief_page_class_init (ReliefPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = relief_page_dispose;
  object_class->get_property = relief_page_get_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[RUN_READY] = g_signal_new ("run-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[RUN_COMING] = g_signal_new ("run-coming", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_install_action (widget_class, "page.run", NULL, action_run);
  gtk_widget_class_install_action (widget_class, "page.cancel", NULL, action_cancel);
  gtk_widget_class_install_action (widget_class, "page.export", NULL, action_export);
}

static void
relief_page_init (ReliefPage *self)
{
  ReliefPagePrivate *priv = relief_page_get_instance_private (self);

  priv->can_run = TRUE;
  update_actions (self);
}

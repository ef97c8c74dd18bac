#include "relief-config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>

#include "relief-datasets.h"
#include "relief-dimension-page.h"
#include "relief-landscape-page.h"
#include "relief-train-page.h"
#include "relief-window.h"

struct _ReliefWindow {
  AdwApplicationWindow parent_instance;

  /* template widgets */
  AdwToastOverlay     *toast_overlay;
  AdwViewStack        *stack;
  ReliefTrainPage     *train_page;
  ReliefLandscapePage *landscape_page;
  ReliefDimensionPage *dimension_page;
};

G_DEFINE_FINAL_TYPE (ReliefWindow, relief_window, ADW_TYPE_APPLICATION_WINDOW)

static void
on_run_finished (ReliefTrainPage *page, const char *path, const char *status, ReliefWindow *self)
{
  relief_landscape_page_set_run (self->landscape_page, path);
  relief_landscape_page_compute (self->landscape_page);
  adw_view_stack_set_visible_child_name (self->stack, "landscape");
}

static void
action_export (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefWindow *self = RELIEF_WINDOW (widget);
  const char *visible = adw_view_stack_get_visible_child_name (self->stack);

  if (g_strcmp0 (visible, "landscape") == 0)
    relief_landscape_page_export (self->landscape_page);
  else if (g_strcmp0 (visible, "dimension") == 0)
    relief_dimension_page_export (self->dimension_page);
  else
    relief_train_page_export (self->train_page);
}

static void
action_run (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefWindow *self = RELIEF_WINDOW (widget);
  const char *page = adw_view_stack_get_visible_child_name (self->stack);

  /* The page shown runs its own job: a training, a surface or a sweep. */
  if (g_strcmp0 (page, "landscape") == 0)
    relief_landscape_page_compute (self->landscape_page);
  else if (g_strcmp0 (page, "dimension") == 0)
    relief_dimension_page_run (self->dimension_page);
  else
    relief_train_page_start (self->train_page);
}

static void
action_cancel (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefWindow *self = RELIEF_WINDOW (widget);

  relief_train_page_cancel (self->train_page);
  relief_landscape_page_cancel (self->landscape_page);
  relief_dimension_page_cancel (self->dimension_page);
}

static void
relief_window_class_init (ReliefWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_type_ensure (RELIEF_TYPE_TRAIN_PAGE);
  g_type_ensure (RELIEF_TYPE_LANDSCAPE_PAGE);
  g_type_ensure (RELIEF_TYPE_DIMENSION_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/relief/Relief/ui/relief-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ReliefWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ReliefWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ReliefWindow, train_page);
  gtk_widget_class_bind_template_child (widget_class, ReliefWindow, landscape_page);
  gtk_widget_class_bind_template_child (widget_class, ReliefWindow, dimension_page);

  gtk_widget_class_install_action (widget_class, "win.export", NULL, action_export);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, action_run);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, action_cancel);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}

static void
relief_window_init (ReliefWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->train_page, "run-finished", G_CALLBACK (on_run_finished), self, 0);
}

ReliefWindow *
relief_window_new (ReliefApplication *app)
{
  return g_object_new (RELIEF_TYPE_WINDOW, "application", app, NULL);
}

void
relief_window_start_default (ReliefWindow *self)
{
  g_return_if_fail (RELIEF_IS_WINDOW (self));
  relief_train_page_start (self->train_page);
}

void
relief_window_toast (ReliefWindow *self, const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
relief_window_report_error (ReliefWindow *self, const char *heading, const char *message)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

GtkWidget *
relief_window_get_train_page (ReliefWindow *self)
{
  return GTK_WIDGET (self->train_page);
}

GtkWidget *
relief_window_get_landscape_page (ReliefWindow *self)
{
  return GTK_WIDGET (self->landscape_page);
}

GtkWidget *
relief_window_get_dimension_page (ReliefWindow *self)
{
  return GTK_WIDGET (self->dimension_page);
}

char *
relief_window_new_work_path (const char *kind, const char *suffix, GError **error)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "relief", kind, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the folder %s: %s"), dir, g_strerror (saved));
      return NULL;
    }
  for (int i = 0; ; i++)
    {
      g_autofree char *name = i == 0 ? g_strdup_printf ("%s%s", stamp, suffix)
                                     : g_strdup_printf ("%s-%d%s", stamp, i, suffix);
      char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
}

GtkFileChooserNative *
relief_figure_chooser_new (GtkWidget *parent, const char *title, const char *default_name)
{
  GtkFileChooserNative *chooser;
  const char *names[] = { N_("PDF document"), N_("SVG image"), N_("PNG image") };
  const char *patterns[] = { "*.pdf", "*.svg", "*.png" };
  GtkRoot *root = gtk_widget_get_root (parent);

  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), default_name);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, _(names[i]));
      gtk_file_filter_add_pattern (filter, patterns[i]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
    }
  return chooser;
}

static ReliefWindow *
page_window (GtkWidget *page)
{
  GtkRoot *root = gtk_widget_get_root (page);

  return RELIEF_IS_WINDOW (root) ? RELIEF_WINDOW (root) : NULL;
}

void
relief_page_report_error (GtkWidget *page, GtkLabel *status, const char *heading, const char *message)
{
  ReliefWindow *window = page_window (page);

  gtk_label_set_text (status, message);
  if (window)
    relief_window_report_error (window, heading, message);
  else
    g_warning ("%s: %s", heading, message);
}

void
relief_page_toast (GtkWidget *page, const char *message)
{
  ReliefWindow *window = page_window (page);

  if (window)
    relief_window_toast (window, message);
}

void
relief_page_export_figure (GtkWidget *page, GtkLabel *status, GFile *file, double width, double height,
                           ReliefDrawFunc draw, gpointer data)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL || !relief_plot_export_supported (path))
    relief_page_report_error (page, status, _("Cannot export"), _("Choose a file name ending in .pdf, .svg or .png"));
  else if (!relief_plot_export (path, width, height, 300, draw, data, &error))
    relief_page_report_error (page, status, _("Cannot export"), error->message);
  else
    {
      message = g_strdup_printf (_("Exported %s"), basename);
      relief_page_toast (page, message);
    }
}

GtkStringList *
relief_dataset_list_new (void)
{
  GtkStringList *list = gtk_string_list_new ((const char * const *) relief_generator_names ());
  const char * const *installed = relief_dataset_installed_names ();

  for (int i = 0; installed[i] != NULL; i++)
    {
      g_autofree char *dir = relief_dataset_find_installed (installed[i]);

      if (dir != NULL)
        gtk_string_list_append (list, installed[i]);
    }
  return list;
}

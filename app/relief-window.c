#include "relief-config.h"

#include <glib/gi18n-lib.h>

#include "relief-pages.h"
#include "relief-window.h"
#include "relief-work-dir.h"
#include "relief-work-files-dialog.h"

struct _ReliefWindow {
  AdwApplicationWindow parent_instance;

  /* template widgets */
  AdwToastOverlay     *toast_overlay;
  AdwViewStack        *stack;
  GMenu               *recent_menu;   /* the Open button's list */
};

G_DEFINE_FINAL_TYPE (ReliefWindow, relief_window, ADW_TYPE_APPLICATION_WINDOW)

/* The pages in the stack's order; free with g_ptr_array_unref. */
static GPtrArray *
list_pages (ReliefWindow *self)
{
  g_autoptr(GtkSelectionModel) model = adw_view_stack_get_pages (self->stack);
  GPtrArray *pages = g_ptr_array_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (model), i);
      GtkWidget *child = adw_view_stack_page_get_child (page);

      if (RELIEF_IS_PAGE (child))
        g_ptr_array_add (pages, child);
    }
  return pages;
}

static ReliefPage *
visible_page (ReliefWindow *self)
{
  GtkWidget *child = adw_view_stack_get_visible_child (self->stack);

  return RELIEF_IS_PAGE (child) ? RELIEF_PAGE (child) : NULL;
}

/* A page made or opened a run: every other page that takes it up works on it in the
 * background, and a toast offers to show the first of them; the page shown stays. */
static void
on_run_ready (ReliefPage *source, const char *path, ReliefWindow *self)
{
  g_autoptr(GPtrArray) pages = list_pages (self);
  gboolean offered = FALSE;

  for (guint i = 0; i < pages->len; i++)
    {
      ReliefPage *page = g_ptr_array_index (pages, i);

      if (page != source && relief_page_show_run (page, path) && !offered)
        {
          AdwViewStackPage *stack_page = adw_view_stack_get_page (self->stack, GTK_WIDGET (page));
          const char *name = adw_view_stack_page_get_title (stack_page);
          g_autofree char *title = relief_work_dir_title (path);
          g_autofree char *message = g_strdup_printf (_("The %s page takes up %s"), name, title);
          g_autofree char *button = g_strdup_printf (_("Show %s"), name);
          AdwToast *toast = adw_toast_new (message);

          adw_toast_set_button_label (toast, button);
          adw_toast_set_action_name (toast, "win.show-page");
          adw_toast_set_action_target_value (toast, g_variant_new_int32 ((int) i));
          adw_toast_set_timeout (toast, 6);
          adw_toast_overlay_add_toast (self->toast_overlay, toast);
          offered = TRUE;
        }
    }
}

/* The recent files, newest first, each by its title and what it holds. */
static void
update_recent_menu (ReliefWindow *self)
{
  g_auto(GStrv) paths = relief_work_dir_list_recent ();

  g_menu_remove_all (self->recent_menu);
  for (int i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *title = relief_work_dir_title (paths[i]);
      g_autofree char *label = NULL;
      g_autoptr(GMenuItem) item = NULL;

      switch (relief_file_detect_kind (paths[i], NULL))
        {
        case RELIEF_FILE_KIND_RUN:
          label = g_strdup_printf (_("%s · run"), title);
          break;
        case RELIEF_FILE_KIND_SURFACE:
          label = g_str_has_suffix (title, _(" · landscape")) ? g_strdup (title)
                                                               : g_strdup_printf (_("%s · landscape"), title);
          break;
        case RELIEF_FILE_KIND_INTDIM:
          label = g_strdup_printf (_("%s · sweep"), title);
          break;
        case RELIEF_FILE_KIND_HESSIAN:
          label = g_strdup_printf (_("%s · curvature"), title);
          break;
        case RELIEF_FILE_KIND_WEIGHTS:
          label = g_strdup_printf (_("%s · weight spectra"), title);
          break;
        default:
          continue;
        }
      /* A label is shown as is, underscores too. */
      item = g_menu_item_new (NULL, NULL);
      g_menu_item_set_attribute (item, "label", "s", label);
      g_menu_item_set_action_and_target_value (item, "win.open-recent", g_variant_new_string (paths[i]));
      g_menu_append_item (self->recent_menu, item);
    }
  if (g_menu_model_get_n_items (G_MENU_MODEL (self->recent_menu)) == 0)
    g_menu_append (self->recent_menu, _("No recent files"), "win.no-recent");
}

gboolean
relief_window_open_file (ReliefWindow *self, const char *path)
{
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GError) error = NULL;
  ReliefFileKind kind;

  g_return_val_if_fail (RELIEF_IS_WINDOW (self), FALSE);
  kind = relief_file_detect_kind (path, &error);
  pages = list_pages (self);
  for (guint i = 0; kind != RELIEF_FILE_KIND_NONE && i < pages->len; i++)
    if (relief_page_open (g_ptr_array_index (pages, i), path, kind))
      {
        adw_view_stack_set_visible_child (self->stack, g_ptr_array_index (pages, i));
        update_recent_menu (self);
        return TRUE;
      }
  {
    g_autofree char *basename = g_path_get_basename (path);
    g_autofree char *message = NULL;

    if (error != NULL)
      message = g_strdup_printf (_("Cannot open %s: %s"), basename, error->message);
    else
      message = g_strdup_printf (_("Cannot open %s: it is no run, landscape, sweep, spectrum or regions file"), basename);
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
  }
  return FALSE;
}

static void
on_open_response (GtkNativeDialog *dialog, int response, ReliefWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path)
        relief_window_open_file (self, path);
    }
  g_object_unref (dialog);
}

/* Any file Relief writes; the folder of what the window keeps by itself first. */
static void
action_open (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_autofree char *folder_path = g_build_filename (g_get_user_data_dir (), "relief", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (folder_path);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Open a Run, Landscape, Sweep or Spectrum"), GTK_WINDOW (widget),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("HDF5 files"));
  gtk_file_filter_add_pattern (filter, "*.h5");
  gtk_file_filter_add_pattern (filter, "*.hdf5");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  if (g_file_test (folder_path, G_FILE_TEST_IS_DIR))
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_open_response), widget, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
action_open_recent (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  relief_window_open_file (RELIEF_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static gboolean
update_recent_later (gpointer data)
{
  update_recent_menu (data);
  return G_SOURCE_REMOVE;
}

/* A job that ends may have written a file the list should show: once the page has heard
 * it ended (its done comes after "running" turns off). */
static void
on_page_running (ReliefWindow *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, update_recent_later, g_object_ref (self), g_object_unref);
}

GMenuModel *
relief_window_get_recent_menu (ReliefWindow *self)
{
  g_return_val_if_fail (RELIEF_IS_WINDOW (self), NULL);
  return G_MENU_MODEL (self->recent_menu);
}

/* A page began (or gave up) making a run: the others say that they show the previous one. */
static void
on_run_coming (ReliefPage *source, gboolean coming, ReliefWindow *self)
{
  g_autoptr(GPtrArray) pages = list_pages (self);

  for (guint i = 0; i < pages->len; i++)
    if (g_ptr_array_index (pages, i) != source)
      relief_page_expect_run (g_ptr_array_index (pages, i), coming);
}

/* The window's shortcuts act on the page shown: its job (a training, a surface, a sweep)
 * and its figure. */
static void
action_run (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefPage *page = visible_page (RELIEF_WINDOW (widget));

  if (page)
    relief_page_run (page);
}

static void
action_export (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefPage *page = visible_page (RELIEF_WINDOW (widget));

  if (page)
    relief_page_export (page);
}

/* Escape stops whatever computes, on any page; when nothing does, it closes what the page
 * shown has open over its figure. */
static void
action_cancel (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_autoptr(GPtrArray) pages = list_pages (RELIEF_WINDOW (widget));
  ReliefPage *shown = visible_page (RELIEF_WINDOW (widget));
  gboolean any_running = FALSE;

  for (guint i = 0; i < pages->len; i++)
    {
      any_running |= relief_page_is_running (g_ptr_array_index (pages, i));
      relief_page_cancel (g_ptr_array_index (pages, i));
    }
  if (!any_running && shown)
    relief_page_dismiss (shown);
}

/* F5: the shown page's presentation mode, enabled only while the page shown has one (on
 * other pages the key does nothing). */
static void
action_present (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefPage *page = visible_page (RELIEF_WINDOW (widget));

  if (page && relief_page_can_present (page))
    relief_page_present (page);
}

static void
on_visible_page (ReliefWindow *self)
{
  ReliefPage *page = visible_page (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.present", page && relief_page_can_present (page));
}

/* Page switching: by position (Alt+1..9) and to the next or previous page, wrapping. */
static void
show_page_at (ReliefWindow *self, int index)
{
  g_autoptr(GPtrArray) pages = list_pages (self);

  if (pages->len == 0)
    return;
  index = ((index % (int) pages->len) + (int) pages->len) % (int) pages->len;
  adw_view_stack_set_visible_child (self->stack, g_ptr_array_index (pages, index));
}

static int
visible_index (ReliefWindow *self)
{
  g_autoptr(GPtrArray) pages = list_pages (self);
  guint index = 0;

  g_ptr_array_find (pages, visible_page (self), &index);
  return (int) index;
}

static void
action_show_page (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefWindow *self = RELIEF_WINDOW (widget);
  g_autoptr(GPtrArray) pages = list_pages (self);
  int index = g_variant_get_int32 (parameter);

  if (index >= 0 && index < (int) pages->len)
    show_page_at (self, index);
}

static void
action_next_page (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  show_page_at (RELIEF_WINDOW (widget), visible_index (RELIEF_WINDOW (widget)) + 1);
}

static void
action_previous_page (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  show_page_at (RELIEF_WINDOW (widget), visible_index (RELIEF_WINDOW (widget)) - 1);
}

static void
on_work_files_response (AdwMessageDialog *dialog, const char *response, ReliefWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  guint n_removed = 0;

  if (g_str_equal (response, "close"))
    return;
  if (!relief_work_files_clear (response, &n_removed, &error))
    message = g_strdup_printf (_("Could not clear every file: %s"), error->message);
  else
    message = g_strdup_printf (ngettext ("Removed %u file", "Removed %u files", n_removed), n_removed);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
action_work_files (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GtkWidget *dialog = relief_work_files_dialog_new (GTK_WINDOW (widget));

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_work_files_response), widget, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
relief_window_class_init (ReliefWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  relief_pages_ensure_types ();
  gtk_widget_class_set_template_from_resource (widget_class, "/org/relief/Relief/ui/relief-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ReliefWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ReliefWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ReliefWindow, recent_menu);

  gtk_widget_class_install_action (widget_class, "win.export", NULL, action_export);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, action_run);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, action_cancel);
  gtk_widget_class_install_action (widget_class, "win.work-files", NULL, action_work_files);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, action_open);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", action_open_recent);
  gtk_widget_class_install_action (widget_class, "win.show-page", "i", action_show_page);
  gtk_widget_class_install_action (widget_class, "win.next-page", NULL, action_next_page);
  gtk_widget_class_install_action (widget_class, "win.previous-page", NULL, action_previous_page);
  gtk_widget_class_install_action (widget_class, "win.present", NULL, action_present);
  /* Their keys are the application's accelerators (relief-application.c). */
}

static void
relief_window_init (ReliefWindow *self)
{
  g_autoptr(GPtrArray) pages = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  pages = list_pages (self);
  for (guint i = 0; i < pages->len; i++)
    {
      g_signal_connect_object (g_ptr_array_index (pages, i), "run-ready", G_CALLBACK (on_run_ready), self, 0);
      g_signal_connect_object (g_ptr_array_index (pages, i), "notify::running", G_CALLBACK (on_page_running), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (g_ptr_array_index (pages, i), "run-coming", G_CALLBACK (on_run_coming), self, 0);
    }
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (on_visible_page), self,
                           G_CONNECT_SWAPPED);
  on_visible_page (self);
  update_recent_menu (self);
}

ReliefWindow *
relief_window_new (GtkApplication *app)
{
  return g_object_new (RELIEF_TYPE_WINDOW, "application", app, NULL);
}

void
relief_window_start_default (ReliefWindow *self)
{
  g_autoptr(GPtrArray) pages = NULL;

  g_return_if_fail (RELIEF_IS_WINDOW (self));
  pages = list_pages (self);
  if (pages->len > 0)
    relief_page_start_default (g_ptr_array_index (pages, 0));
}

ReliefPage *
relief_window_get_page (ReliefWindow *self, const char *name)
{
  GtkWidget *child;

  g_return_val_if_fail (RELIEF_IS_WINDOW (self), NULL);
  child = adw_view_stack_get_child_by_name (self->stack, name);
  return RELIEF_IS_PAGE (child) ? RELIEF_PAGE (child) : NULL;
}


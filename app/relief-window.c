#include "relief-config.h"

#include <glib/gi18n-lib.h>

#include "relief-pages.h"
#include "relief-window.h"
#include "relief-work-files-dialog.h"

struct _ReliefWindow {
  AdwApplicationWindow parent_instance;

  /* template widgets */
  AdwToastOverlay     *toast_overlay;
  AdwViewStack        *stack;
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

/* A page made a run: the first other page that takes it up is shown. */
static void
on_run_ready (ReliefPage *source, const char *path, ReliefWindow *self)
{
  g_autoptr(GPtrArray) pages = list_pages (self);

  for (guint i = 0; i < pages->len; i++)
    {
      ReliefPage *page = g_ptr_array_index (pages, i);

      if (page != source && relief_page_show_run (page, path))
        {
          adw_view_stack_set_visible_child (self->stack, GTK_WIDGET (page));
          return;
        }
    }
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

/* Page switching: by position (Alt+1..3) and to the next or previous page, wrapping. */
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

  gtk_widget_class_install_action (widget_class, "win.export", NULL, action_export);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, action_run);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, action_cancel);
  gtk_widget_class_install_action (widget_class, "win.work-files", NULL, action_work_files);
  gtk_widget_class_install_action (widget_class, "win.show-page", "i", action_show_page);
  gtk_widget_class_install_action (widget_class, "win.next-page", NULL, action_next_page);
  gtk_widget_class_install_action (widget_class, "win.previous-page", NULL, action_previous_page);
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
      g_signal_connect_object (g_ptr_array_index (pages, i), "run-coming", G_CALLBACK (on_run_coming), self, 0);
    }
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
    relief_page_run (g_ptr_array_index (pages, 0));
}

ReliefPage *
relief_window_get_page (ReliefWindow *self, const char *name)
{
  GtkWidget *child;

  g_return_val_if_fail (RELIEF_IS_WINDOW (self), NULL);
  child = adw_view_stack_get_child_by_name (self->stack, name);
  return RELIEF_IS_PAGE (child) ? RELIEF_PAGE (child) : NULL;
}


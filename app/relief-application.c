#include "relief-config.h"

#include <glib/gi18n-lib.h>

#include "relief-application.h"
#include "relief-resources.h"
#include "relief-window.h"

struct _ReliefApplication {
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (ReliefApplication, relief_application, ADW_TYPE_APPLICATION)

static void
relief_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      window = GTK_WINDOW (relief_window_new (GTK_APPLICATION (app)));
      /* A new user sees something happen without choosing anything. */
      relief_window_start_default (RELIEF_WINDOW (window));
    }
  gtk_window_present (window);
}

static void
relief_application_class_init (ReliefApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = relief_application_activate;
  /* Registered by hand: in a static library the automatic constructor is not linked. */
  relief_register_resource ();
}

static void
on_quit (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
on_about (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Relief developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", "Relief",
                         "application-icon", RELIEF_APP_ID,
                         "version", RELIEF_VERSION,
                         "comments", _("Train neural networks and explore their loss landscapes"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", on_quit },
  { "about", on_about },
};

/* Application accelerators, so that the Keyboard Shortcuts window can show them. */
static const struct {
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Control>q" } },
  { "win.run", { "<Control>Return" } },
  { "win.cancel", { "Escape" } },
  { "win.export", { "<Control>e" } },
  { "win.open", { "<Control>o" } },
  { "win.next-page", { "<Control>Page_Down" } },
  { "win.previous-page", { "<Control>Page_Up" } },
  { "win.present", { "F5" } },
};

static void
relief_application_init (ReliefApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);
  /* Alt+1 .. Alt+9 show the pages by position, however many the window has. */
  for (int i = 0; i < 9; i++)
    {
      g_autofree char *action = g_strdup_printf ("win.show-page(%d)", i);
      g_autofree char *accel = g_strdup_printf ("<Alt>%d", i + 1);
      const char *page_accels[] = { accel, NULL };

      gtk_application_set_accels_for_action (GTK_APPLICATION (self), action, page_accels);
    }
}

ReliefApplication *
relief_application_new (void)
{
  return g_object_new (RELIEF_TYPE_APPLICATION,
                       "application-id", RELIEF_APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/org/relief/Relief",
                       NULL);
}

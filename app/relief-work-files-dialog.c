#include "relief-config.h"

#include <glib/gi18n-lib.h>

#include "relief-work-dir.h"
#include "relief-work-files-dialog.h"

static const struct {
  ReliefFileKind kind;
  const char    *title;
} kinds[] = {
  { RELIEF_FILE_KIND_RUN, N_("Runs") },
  { RELIEF_FILE_KIND_SURFACE, N_("Surfaces") },
  { RELIEF_FILE_KIND_INTDIM, N_("Sweeps") },
};

/* The line of one kind, and how many files it has (0 when its folder cannot be read). */
static char *
kind_line (guint k, guint *n_files)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *size = NULL;
  guint64 total = 0;

  *n_files = 0;
  files = relief_work_dir_list (kinds[k].kind, &total, &error);
  if (files == NULL)
    return g_strdup_printf ("%s: %s", _(kinds[k].title), error->message);
  if (files->len == 0)
    return g_strdup_printf (_("%s: none"), _(kinds[k].title));
  *n_files = files->len;
  size = g_format_size (total);
  return g_strdup_printf (ngettext ("%s: %u file, %s", "%s: %u files, %s", files->len),
                          _(kinds[k].title), files->len, size);
}

GtkWidget *
relief_work_files_dialog_new (GtkWindow *parent)
{
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "relief", NULL);
  g_autoptr(GString) body = g_string_new (NULL);
  guint n_surfaces = 0, n_all = 0;
  GtkWidget *dialog;

  g_string_printf (body, _("Relief keeps what the window computes in %s. Surfaces are computed again in a moment; "
                           "runs and sweeps are the trainings themselves."), folder);
  g_string_append (body, "\n");
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      guint n;
      g_autofree char *line = kind_line (k, &n);

      g_string_append_printf (body, "\n%s", line);
      n_all += n;
      if (kinds[k].kind == RELIEF_FILE_KIND_SURFACE)
        n_surfaces = n;
    }

  dialog = adw_message_dialog_new (parent, _("Automatic Files"), body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"),
                                    "clear-surfaces", _("Clear _Surfaces"),
                                    "clear-all", _("Clear _All"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "clear-all", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "clear-surfaces", n_surfaces > 0);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "clear-all", n_all > 0);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  return dialog;
}

gboolean
relief_work_files_clear (const char *response, guint *n_removed, GError **error)
{
  gboolean all = g_strcmp0 (response, "clear-all") == 0;

  *n_removed = 0;
  if (!all && g_strcmp0 (response, "clear-surfaces") != 0)
    return TRUE;
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      guint n = 0;

      if (!all && kinds[k].kind != RELIEF_FILE_KIND_SURFACE)
        continue;
      /* Saves in progress are never listed, so a running job keeps its file. */
      if (!relief_work_dir_prune (kinds[k].kind, 0, 0, &n, error))
        return FALSE;
      *n_removed += n;
    }
  return TRUE;
}

#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relief-cli-common.h"
#include "relief-generators.h"
#include "relief-file.h"
#include "relief-output.h"
#include "relief-plot.h"

GOptionContext *
relief_cli_context (const char *parameter, const char *summary)
{
  GOptionContext *ctx = g_option_context_new (parameter);

  g_option_context_set_summary (ctx, summary);
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  return ctx;
}

/* The long names of the switches (flags without a value) of the command being parsed:
 * GLib takes "--resume=abc" or "--log=0" as the bare switch, silently. */
static GPtrArray *switches;

/* g_option_context_add_main_entries, remembering the switches among the entries. */
void
relief_cli_add_entries (GOptionContext *ctx, const GOptionEntry *entries)
{
  if (switches == NULL)
    switches = g_ptr_array_new ();
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++)
    if (e->arg == G_OPTION_ARG_NONE)
      g_ptr_array_add (switches, (gpointer) e->long_name);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
}

/* A switch given a value (--log=0): which, or NULL. */
static const char *
switch_with_value (int argc, char **argv)
{
  for (int i = 1; i < argc && switches != NULL && !g_str_equal (argv[i], "--"); i++)
    for (guint k = 0; k < switches->len; k++)
      {
        const char *name = g_ptr_array_index (switches, k);
        gsize len = strlen (name);

        if (g_str_has_prefix (argv[i], "--") && strncmp (argv[i] + 2, name, len) == 0 && argv[i][2 + len] == '=')
          return name;
      }
  return NULL;
}

int
relief_cli_usage_error (const char *command, const char *message)
{
  g_printerr ("relief %s: %s\n", command, message);
  return RELIEF_EXIT_USAGE;
}

gboolean
relief_cli_parse (GOptionContext *ctx, const char *command, int *argc, char ***argv, int *status)
{
  g_autoptr(GError) error = NULL;

  /* GLib's --help shows the main group alone; the data, model and training flags are as
   * much a command's own, so its help lists them all. */
  for (int i = 1; i < *argc && !g_str_equal ((*argv)[i], "--"); i++)
    if (g_str_equal ((*argv)[i], "--help") || g_str_equal ((*argv)[i], "-h") || g_str_equal ((*argv)[i], "-?"))
      {
        g_autofree char *help = g_option_context_get_help (ctx, FALSE, NULL);

        g_print ("%s", help);
        *status = 0;
        return FALSE;
      }
  if (switch_with_value (*argc, *argv) != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("--%s takes no value: give it alone to turn it on, or leave it "
                                                    "out"), switch_with_value (*argc, *argv));

      *status = relief_cli_usage_error (command, message);
      return FALSE;
    }
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      *status = relief_cli_usage_error (command, error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
relief_cli_require_output (const char *command, const char *output, int *status)
{
  if (output == NULL)
    {
      *status = relief_cli_usage_error (command, _("an output file is required (-o FILE)"));
      return FALSE;
    }
  /* -o "" (or --output=) is a typo: the empty name is not a file to write. */
  if (*output == '\0')
    {
      *status = relief_cli_usage_error (command, _("-o takes a file name, not an empty one"));
      return FALSE;
    }
  return TRUE;
}

/* Whether path (when it is a file) or a file in it (when it is a folder) is the file st. */
static gboolean
is_or_holds (const char *path, const GStatBuf *st)
{
  GStatBuf in;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_stat (path, &in) != 0)
    return FALSE;
  if (!S_ISDIR (in.st_mode))
    return in.st_dev == st->st_dev && in.st_ino == st->st_ino;
  dir = g_dir_open (path, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_stat (child, &in) == 0 && in.st_dev == st->st_dev && in.st_ino == st->st_ino)
        return TRUE;
    }
  return FALSE;
}

/* The outputs this command locked, until it exits. */
static GPtrArray *held_outputs;

static void
release_outputs (void)
{
  g_clear_pointer (&held_outputs, g_ptr_array_unref);
}

static gboolean
hold_output (const char *output, GError **error)
{
  ReliefOutputLock *lock = relief_output_lock (output, error);

  if (lock == NULL)
    return FALSE;
  if (held_outputs == NULL)
    {
      held_outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) relief_output_unlock);
      atexit (release_outputs);
    }
  g_ptr_array_add (held_outputs, lock);
  return TRUE;
}

gboolean
relief_cli_check_output (const char *command, const char *output, const char * const *inputs, int *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL, *message = NULL;
  GStatBuf st;

  if (!relief_cli_require_output (command, output, status))
    return FALSE;
  folder = g_path_get_dirname (output);
  if (!relief_check_destination (output, &error))
    message = g_strdup (error->message);
  else if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    message = g_strdup_printf (_("Cannot write “%s”: the folder “%s” does not exist"), output, folder);
  else if (g_access (folder, W_OK) != 0)
    message = g_strdup_printf (_("Cannot write “%s”: the folder “%s” is not writable (%s)"), output, folder,
                               g_strerror (errno));
  else if (g_stat (output, &st) == 0)
    for (int i = 0; inputs && inputs[i] && message == NULL; i++)
      if (is_or_holds (inputs[i], &st))
        message = g_strdup_printf (_("“%s” is also an input of this command (%s): writing it would destroy "
                                     "that input; give another output"), output, inputs[i]);
  if (message == NULL && !hold_output (output, &error))
    message = g_strdup (error->message);
  if (message == NULL)
    return TRUE;
  *status = relief_cli_usage_error (command, message);
  return FALSE;
}

gboolean
relief_cli_check_figure (const char *command, ReliefCliFigureOptions *figure, const char * const *inputs,
                         int *status)
{
  g_autoptr(GError) error = NULL;

  if (!relief_cli_check_output (command, figure->output, inputs, status))
    return FALSE;
  if (!relief_plot_export_supported (figure->output))
    *status = relief_cli_usage_error (command, _("the figure must end in .pdf, .svg or .png"));
  else if (figure->dpi_text &&
           !relief_cli_parse_number ("--dpi", figure->dpi_text, 10, FALSE, 2400, FALSE, &figure->dpi, &error))
    *status = relief_cli_usage_error (command, error->message);
  else
    return TRUE;
  return FALSE;
}

int
relief_cli_error_status (const GError *error)
{
  if (error->domain == RELIEF_FILE_ERROR && error->code != RELIEF_FILE_ERROR_IO)
    return RELIEF_EXIT_USAGE;
  if (error->domain == RELIEF_DATA_ERROR)
    return RELIEF_EXIT_USAGE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
      g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return RELIEF_EXIT_USAGE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return RELIEF_EXIT_INTERRUPTED;
  return 1;
}

gboolean
relief_cli_check_input (const char *command, const char *path, ReliefFileKind kind, int *status)
{
  g_autoptr(GError) error = NULL;
  ReliefFileKind found = relief_file_detect_kind (path, &error);

  if (found == RELIEF_FILE_KIND_NONE)
    {
      *status = relief_cli_usage_error (command, error->message);
      return FALSE;
    }
  if (kind != RELIEF_FILE_KIND_NONE && found != kind)
    {
      g_autofree char *message = g_strdup_printf (_("%s is a %s file, not a %s file"), path,
                                                  relief_file_kind_name (found), relief_file_kind_name (kind));
      *status = relief_cli_usage_error (command, message);
      return FALSE;
    }
  return TRUE;
}

/* SIGINT only raises a flag: a handler may not touch GLib. */
static volatile sig_atomic_t interrupted;

static void
on_sigint (int signum)
{
  interrupted = 1;
}

void
relief_cli_progress_begin (ReliefCliProgress *p, const char *label)
{
  *p = (ReliefCliProgress) {
    .cancellable = g_cancellable_new (),
    .tty = isatty (2),
    .label = label,
  };
  signal (SIGINT, on_sigint);
}

void
relief_cli_progress_draw (ReliefCliProgress *p, double fraction, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  int width = 30, filled;

  if (interrupted && !g_cancellable_is_cancelled (p->cancellable))
    g_cancellable_cancel (p->cancellable);
  if (!p->tty || (!force && now - p->last_draw_us < 100000))
    return;
  p->last_draw_us = now;
  fraction = CLAMP (fraction, 0.0, 1.0);
  filled = (int) (fraction * width + 0.5);
  fprintf (stderr, "\r%-8s [", p->label);
  for (int i = 0; i < width; i++)
    fputc (i < filled ? '#' : ' ', stderr);
  fprintf (stderr, "] %3d%%", (int) (fraction * 100 + 0.5));
  fflush (stderr);
}

void
relief_cli_progress_end (ReliefCliProgress *p, gboolean complete)
{
  if (complete)
    relief_cli_progress_draw (p, 1.0, TRUE);
  if (p->tty)
    fputc ('\n', stderr);
  if (complete && p->backend)
    g_printerr (_("relief %s: computed on the %s backend (auto)\n"), p->label, p->backend);
  signal (SIGINT, SIG_DFL);
  g_clear_object (&p->cancellable);
}

void
relief_cli_on_progress (double fraction, gpointer user_data)
{
  ReliefCliProgress *p = user_data;

  /* An intdim sweep reports each training's own fraction: one bar spans the whole sweep. */
  if (p->n_cells > 0)
    fraction = (p->cell + fraction) / p->n_cells;
  relief_cli_progress_draw (p, fraction, FALSE);
}

/* "45 s", "12 min", "3.5 h" */
static char *
duration_text (double seconds)
{
  if (seconds < 90)
    return g_strdup_printf (_("%.0f s"), seconds);
  if (seconds < 90 * 60)
    return g_strdup_printf (_("%.0f min"), seconds / 60);
  return g_strdup_printf (_("%.1f h"), seconds / 3600);
}

void
relief_cli_on_estimate (const ReliefJobEstimate *estimate, gpointer user_data)
{
  ReliefCliProgress *p = user_data;
  g_autofree char *duration = NULL;

  if (estimate->bytes < 1e9 && estimate->seconds < 10)
    return;
  if (estimate->seconds > 0)
    {
      duration = duration_text (estimate->seconds);
      g_printerr (_("relief %s: this takes about %.1f GB of memory and %s (%.1e operations; a sample of them "
                    "timed on the %s backend)\n"), p->label, estimate->bytes / 1e9, duration, estimate->flops,
                  estimate->backend);
    }
  else
    g_printerr (_("relief %s: this takes about %.1f GB of memory on the %s backend\n"), p->label,
                estimate->bytes / 1e9, estimate->backend);
}

void
relief_cli_on_backend_chosen (const char *name, gpointer user_data)
{
  ReliefCliProgress *p = user_data;

  p->backend = g_intern_string (name);
}

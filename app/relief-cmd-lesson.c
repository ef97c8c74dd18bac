#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "relief-cli-common.h"
#include "relief-cli-options.h"
#include "relief-cmd-lesson.h"
#include "relief-figures.h"
#include "relief-race-job.h"

/* The map under an animation's frames: fine enough for contours at any size it takes. */
#define GIF_GRID 240
#define GIF_DEFAULT_WIDTH 800
#define GIF_DEFAULT_HEIGHT 400
#define GIF_DEFAULT_FRAMES 100
/* A slide's animation: minutes at the fastest rate. */
#define GIF_MAX_FRAMES 5000

/* A comma-separated list of numbers, one for all n racers or one each, into values [n]. */
static gboolean
parse_list (const char *flag, const char *text, int n, double min, gboolean min_open, double max, gboolean max_open,
            double *values, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  int count = (int) g_strv_length (parts);

  if (count != 1 && count != n)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s gives %d values for %d optimizers: give one for all of them or one for each"), flag, count,
                   n);
      return FALSE;
    }
  for (int i = 0; i < count; i++)
    if (!relief_cli_parse_number (flag, g_strstrip (parts[i]), min, min_open, max, max_open, &values[i], error))
      return FALSE;
  for (int i = count; i < n; i++)
    values[i] = values[0];
  return TRUE;
}

/* Two numbers separated by sep: "X,Y" or "A:B". */
static gboolean
parse_pair (const char *flag, const char *text, char sep, const char *form, double *a, double *b, GError **error)
{
  g_autofree char *copy = g_strdup (text);
  /* The separator after the first character, so that "-1:2" keeps its sign. */
  char *mid = *copy != '\0' ? strchr (copy + 1, sep) : NULL;

  if (mid == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("%s takes %s, not “%s”"), flag, form, text);
      return FALSE;
    }
  *mid = '\0';
  return relief_cli_parse_number (flag, copy, -1e300, FALSE, 1e300, FALSE, a, error) &&
         relief_cli_parse_number (flag, mid + 1, -1e300, FALSE, 1e300, FALSE, b, error);
}

/* What a --function that is neither a built-in nor an expression gets told. */
static char *
function_message (const char *text, const GError *error)
{
  g_autofree char *builtins = g_strjoinv (", ", (char **) relief_function_builtins ());

  if (*text != '\0' && strspn (text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen (text))
    return g_strdup_printf (_("unknown function “%s”: give one of %s, or an expression in x and y"), text,
                            builtins);
  return g_strdup_printf (_("--function “%s” is not an expression in x and y: %s"), text, error->message);
}

static void
on_animation_progress (double fraction, gpointer user_data)
{
  relief_cli_progress_draw (user_data, fraction, FALSE);
}

int
relief_cmd_lesson (int argc, char **argv)
{
  g_auto(ReliefRaceJob) job = { 0 };
  g_autofree char *function = NULL, *optimizers = NULL, *lr_text = NULL, *momentum_text = NULL;
  g_autofree char *kappa_text = NULL, *theta_text = NULL, *start_text = NULL, *steps_text = NULL;
  g_autofree char *x_text = NULL, *y_text = NULL, *output = NULL, *animation = NULL, *fps_text = NULL;
  g_autofree char *size_text = NULL, *every_text = NULL;
  g_autofree double *lr = NULL, *momentum = NULL;
  g_autoptr(ReliefRaceFile) race = NULL;
  g_autoptr(ReliefFunction) f = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) error = NULL;
  gint64 steps = 0, every = 0;
  double fps = 10;
  int status = 0, n, width = GIF_DEFAULT_WIDTH, height = GIF_DEFAULT_HEIGHT;
  ReliefCliProgress progress;
  ReliefRaceJobCallbacks cb = {
    .progress = relief_cli_on_progress,
    .estimate = relief_cli_on_estimate,
    .user_data = &progress,
  };
  GOptionEntry entries[] = {
    { "function", 0, 0, G_OPTION_ARG_STRING, &function, N_("A built-in (quadratic, rosenbrock, beale, himmelblau, booth, saddle, monkey_saddle, rastrigin, styblinski_tang, six_hump_camel) or an expression in x and y (\"x^2 + 3*sin(y)\")"), N_("NAME|EXPR") },
    { "kappa", 0, 0, G_OPTION_ARG_STRING, &kappa_text, N_("The quadratic’s condition number (default 10)"), "K" },
    { "theta", 0, 0, G_OPTION_ARG_STRING, &theta_text, N_("The quadratic’s rotation in radians (default 0)"), "T" },
    { "optimizers", 0, 0, G_OPTION_ARG_STRING, &optimizers, N_("The racers, comma-separated: gd, momentum, nesterov, adagrad, rmsprop, adam, adamw, sign"), N_("LIST") },
    { "lr", 0, 0, G_OPTION_ARG_STRING, &lr_text, N_("Learning rates: one for all or one per optimizer (default each optimizer’s own)"), N_("LR,...") },
    { "momentum", 0, 0, G_OPTION_ARG_STRING, &momentum_text, N_("Momentum (momentum, nesterov; rmsprop’s, sign’s beta): one for all or one per optimizer"), N_("B,...") },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start_text, N_("Where every racer starts (default the function’s)"), "X,Y" },
    { "steps", 0, 0, G_OPTION_ARG_STRING, &steps_text, N_("Steps each racer takes (default 200)"), "N" },
    { "x", 0, 0, G_OPTION_ARG_STRING, &x_text, N_("The view’s x range (default the function’s)"), "A:B" },
    { "y", 0, 0, G_OPTION_ARG_STRING, &y_text, N_("The view’s y range"), "A:B" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The race file to write"), N_("RACE.h5") },
    { "animation", 0, 0, G_OPTION_ARG_FILENAME, &animation, N_("Also the race as an animated GIF"), N_("RACE.gif") },
    { "fps", 0, 0, G_OPTION_ARG_STRING, &fps_text, N_("The animation’s frames a second (default 10)"), "N" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size_text, N_("The animation’s size in pixels (default 800x400)"), "WxH" },
    { "every", 0, 0, G_OPTION_ARG_STRING, &every_text, N_("A frame every K steps (default: about 100 frames)"), "K" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = relief_cli_context (NULL, _("Race optimizers on a function of (x, y) from one start, for a lesson: each racer’s path and loss in a race file, and the race as an animation."));

  relief_cli_add_entries (ctx, entries);
  if (!relief_cli_parse (ctx, "lesson", &argc, &argv, &status))
    return status;
  if (argc != 1)
    return relief_cli_usage_error ("lesson", _("lesson takes no files but its output; see relief lesson --help"));
  if (function == NULL || *function == '\0')
    return relief_cli_usage_error ("lesson", _("--function is missing: a built-in’s name or an expression in x and y"));
  if (optimizers == NULL || *optimizers == '\0')
    return relief_cli_usage_error ("lesson", _("--optimizers is missing: a comma-separated list (gd,momentum,adam)"));
  if (!relief_cli_require_output ("lesson", output, &status))
    return status;
  if (animation && !g_str_has_suffix (animation, ".gif"))
    return relief_cli_usage_error ("lesson", _("--animation writes a GIF: give a name ending in .gif"));
  if (!animation && (fps_text || size_text || every_text))
    return relief_cli_usage_error ("lesson", _("--fps, --size and --every only apply to --animation"));

  relief_race_job_init_defaults (&job);
  if ((kappa_text && !relief_cli_parse_number ("--kappa", kappa_text, 1, FALSE, 1e12, FALSE, &job.kappa, &error)) ||
      (theta_text && !relief_cli_parse_number ("--theta", theta_text, -1e6, FALSE, 1e6, FALSE, &job.theta, &error)) ||
      (steps_text && !relief_cli_parse_int ("--steps", steps_text, 1, 1000000, &steps, &error)) ||
      (start_text && !parse_pair ("--start", start_text, ',', "X,Y", &job.x0, &job.y0, &error)) ||
      (fps_text && !relief_cli_parse_number ("--fps", fps_text, 0.5, FALSE, 100, FALSE, &fps, &error)) ||
      (every_text && !relief_cli_parse_int ("--every", every_text, 1, G_MAXINT, &every, &error)))
    return relief_cli_usage_error ("lesson", error->message);
  if (size_text)
    {
      char end;

      if (sscanf (size_text, "%dx%d%c", &width, &height, &end) != 2 || width < 16 || width > 4096 || height < 16 ||
          height > 4096)
        {
          g_autofree char *message = g_strdup_printf (_("--size takes WxH, each 16 to 4096 pixels, not “%s”"),
                                                      size_text);
          return relief_cli_usage_error ("lesson", message);
        }
    }
  if ((f = relief_function_new (function, job.kappa, job.theta, &error)) == NULL)
    {
      g_autofree char *message = function_message (function, error);
      return relief_cli_usage_error ("lesson", message);
    }
  if ((kappa_text || theta_text) && strcmp (function, "quadratic") != 0)
    return relief_cli_usage_error ("lesson", _("--kappa and --theta only apply to --function quadratic"));
  job.function = g_strdup (function);
  job.has_start = start_text != NULL;
  if (x_text || y_text)
    {
      relief_function_default_view (f, &job.xmin, &job.xmax, &job.ymin, &job.ymax);
      job.has_view = TRUE;
      if ((x_text && !parse_pair ("--x", x_text, ':', "A:B", &job.xmin, &job.xmax, &error)) ||
          (y_text && !parse_pair ("--y", y_text, ':', "A:B", &job.ymin, &job.ymax, &error)))
        return relief_cli_usage_error ("lesson", error->message);
      if (!(job.xmin < job.xmax) || !(job.ymin < job.ymax))
        return relief_cli_usage_error ("lesson", _("--x and --y take A:B with A < B"));
    }
  if (steps_text)
    job.n_steps = steps;

  names = g_strsplit (optimizers, ",", -1);
  n = (int) g_strv_length (names);
  if (n > RELIEF_RACE_MAX_RACERS)
    {
      g_autofree char *message = g_strdup_printf (_("--optimizers names %d racers; a race takes at most %d"), n,
                                                  RELIEF_RACE_MAX_RACERS);
      return relief_cli_usage_error ("lesson", message);
    }
  lr = g_new (double, n);
  momentum = g_new (double, n);
  for (int i = 0; i < n; i++)
    lr[i] = momentum[i] = NAN;
  if ((lr_text && !parse_list ("--lr", lr_text, n, 0, TRUE, G_MAXFLOAT, FALSE, lr, &error)) ||
      (momentum_text && !parse_list ("--momentum", momentum_text, n, 0, FALSE, 1, TRUE, momentum, &error)))
    return relief_cli_usage_error ("lesson", error->message);
  job.racers = g_new0 (ReliefRacer, n);
  for (int i = 0; i < n; i++)
    {
      if (!relief_racer_init (&job.racers[i], g_strstrip (names[i]), lr[i], &error))
        return relief_cli_usage_error ("lesson", error->message);
      job.n_racers = i + 1;
      if (!isnan (momentum[i]))
        job.racers[i].config.momentum = (float) momentum[i];
    }

  if (every_text && job.n_steps / every + 1 > GIF_MAX_FRAMES)
    {
      g_autofree char *message = g_strdup_printf (_("--every %" G_GINT64_FORMAT " gives %" G_GINT64_FORMAT
                                                    " frames of %" G_GINT64_FORMAT " steps; an animation takes at "
                                                    "most %d"), every, job.n_steps / every + 1, job.n_steps,
                                                  GIF_MAX_FRAMES);
      return relief_cli_usage_error ("lesson", message);
    }
  if (!relief_cli_check_output ("lesson", output, NULL, &status) ||
      (animation && !relief_cli_check_output ("lesson", animation, (const char *[]) { output, NULL }, &status)))
    return status;
  job.output = g_strdup (output);

  relief_cli_progress_begin (&progress, "lesson");
  if (!relief_race_job_run (&job, &cb, progress.cancellable, &race, &error))
    {
      relief_cli_progress_end (&progress, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr (_("relief lesson: interrupted; %s was not written\n"), output);
      else
        g_printerr ("relief lesson: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  relief_cli_progress_end (&progress, TRUE);

  if (animation)
    {
      g_autoptr(ReliefRaceGrid) grid = relief_race_grid_new (GIF_GRID, GIF_GRID, race->xmin, race->xmax, race->ymin,
                                                             race->ymax);
      ReliefFigureOptions options;
      gboolean ok;

      relief_figure_options_init (&options);
      if (!every_text)
        every = MAX (1, (race->n_steps + GIF_DEFAULT_FRAMES - 1) / GIF_DEFAULT_FRAMES);
      if (!relief_race_job_sample (race, grid->nx, grid->xs, grid->ny, grid->ys, grid->z, &error))
        {
          g_printerr ("relief lesson: %s\n", error->message);
          return relief_cli_error_status (error);
        }
      relief_cli_progress_begin (&progress, "animation");
      g_printerr (_("relief lesson: %d frames of %dx%d pixels to %s\n"), relief_figure_race_gif_n_frames (race, every),
                  width, height, animation);
      ok = relief_figure_race_gif (animation, race, grid, width, height, fps, every, &options, on_animation_progress,
                                   &progress, progress.cancellable, &error);
      relief_cli_progress_end (&progress, ok);
      if (!ok)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_printerr (_("relief lesson: interrupted; %s was written, %s was not\n"), output, animation);
          else
            g_printerr ("relief lesson: %s\n", error->message);
          return relief_cli_error_status (error);
        }
    }
  return 0;
}

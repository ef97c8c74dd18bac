#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "relief-cli-common.h"
#include "relief-cli-options.h"
#include "relief-enums.h"
#include "relief-cmd-decision.h"
#include "relief-decision-job.h"
#include "relief-figures.h"
#include "relief-plot.h"

typedef struct {
  const ReliefDecisionMap *map;
  ReliefFigureOptions     *options;
} DecisionFigure;

static void
draw_decision (cairo_t *cr, double width, double height, gpointer user_data)
{
  DecisionFigure *figure = user_data;

  relief_figure_decision (cr, width, height, figure->map, figure->options);
}

/* "X,Y" or "X": a point of the landscape. */
static gboolean
parse_point (const char *text, double *x, double *y)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  guint n = g_strv_length (parts);

  *y = 0;
  return n >= 1 && n <= 2 &&
         relief_cli_parse_number ("--at", parts[0], -INFINITY, FALSE, INFINITY, FALSE, x, NULL) &&
         (n == 1 || relief_cli_parse_number ("--at", parts[1], -INFINITY, FALSE, INFINITY, FALSE, y, NULL));
}

int
relief_cmd_decision (int argc, char **argv)
{
  g_autofree char *checkpoint = NULL, *surface_path = NULL, *at = NULL, *xspec = NULL, *yspec = NULL;
  g_autofree char *backend = NULL, *default_title = NULL;
  g_auto(ReliefCliFigureOptions) out = { 0 };
  double x = 0, y = 0;
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefSurface) surface = NULL;
  g_autoptr(ReliefDecisionMap) map = NULL;
  g_auto(ReliefDecisionJob) job = { 0 };
  ReliefCliProgress progress;
  ReliefDecisionJobCallbacks cb = {
    .backend_chosen = relief_cli_on_backend_chosen,
    .user_data = &progress,
  };
  ReliefFigureOptions options;
  DecisionFigure figure = { NULL, &options };
  gboolean ok;
  GOptionEntry entries[] = {
    { "checkpoint", 0, 0, G_OPTION_ARG_STRING, &checkpoint, N_("The model: a snapshot index (negative: from the end, -1 the last) or “last” (default)"), N_("N|last") },
    { "surface", 0, 0, G_OPTION_ARG_FILENAME, &surface_path, N_("The model at a point of this surface of the run, as the Landscape page shows it"), N_("SURFACE.h5") },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at, N_("With --surface: the point along its directions (default 0,0)"), "X,Y" },
    { "x", 0, 0, G_OPTION_ARG_STRING, &xspec, N_("x₁ range and resolution (default: the samples’ extent, 120 points)"), N_("MIN:MAX:COUNT") },
    { "y", 0, 0, G_OPTION_ARG_STRING, &yspec, N_("x₂ range and resolution (default: the samples’ extent, 120 points)"), N_("MIN:MAX:COUNT") },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend, N_("cpu, cuda or auto (default)"), N_("NAME") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = relief_cli_context (N_("RUN.h5"), _("Draw the decision regions of a model of a run over its two inputs, with the training samples (PDF, SVG or PNG)."));

  relief_cli_add_entries (ctx, entries);
  relief_cli_figure_options_add (&out, ctx);
  if (!relief_cli_parse (ctx, "decision", &argc, &argv, &status))
    return status;
  if (argc != 2)
    return relief_cli_usage_error ("decision", _("expected one run file; see relief decision --help"));
  if (!relief_cli_check_figure ("decision", &out, (const char *[]) { argv[1], surface_path, NULL }, &status))
    return status;
  if (surface_path && checkpoint)
    return relief_cli_usage_error ("decision", _("--checkpoint does not apply with --surface: the surface has its own"));
  if (at && (surface_path == NULL || !parse_point (at, &x, &y)))
    return relief_cli_usage_error ("decision", _("--at takes X,Y and needs --surface"));
  if (!relief_cli_check_input ("decision", argv[1], RELIEF_FILE_KIND_RUN, &status) ||
      (surface_path && !relief_cli_check_input ("decision", surface_path, RELIEF_FILE_KIND_SURFACE, &status)))
    return status;

  relief_decision_job_init_defaults (&job);
  if (backend && !relief_enum_from_nick (RELIEF_TYPE_BACKEND_KIND, backend, (int *) &job.backend, &error))
    return relief_cli_usage_error ("decision", error->message);
  if ((xspec && !relief_grid_axis_parse (xspec, &job.plane_x, &error)) ||
      (yspec && !relief_grid_axis_parse (yspec, &job.plane_y, &error)) ||
      (job.run = relief_loaded_run_load (argv[1], &error)) == NULL)
    return relief_cli_usage_error ("decision", error->message);
  if (surface_path)
    ok = (surface = relief_surface_load (surface_path, &error)) != NULL &&
         relief_decision_job_set_surface (&job, surface, x, y, &error);
  else
    ok = relief_run_resolve_checkpoint (relief_loaded_run_get_run (job.run), checkpoint ? checkpoint : "last",
                                        &job.checkpoint, &error);
  if (!ok)
    return relief_cli_usage_error ("decision", error->message);

  relief_cli_progress_begin (&progress, "decision");
  ok = relief_decision_job_run (&job, &cb, progress.cancellable, &map, &error);
  relief_cli_progress_end (&progress, ok);
  if (!ok)
    {
      g_printerr ("relief decision: %s\n", error->message);
      /* A model without two inputs is the input's fault. */
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED) ? RELIEF_EXIT_USAGE
                                                                            : relief_cli_error_status (error);
    }

  relief_figure_options_init (&options);
  if (out.title == NULL)
    default_title = surface_path ? g_strdup_printf (_("Decisions at (%.2f, %.2f)"), x, y)
                                 : g_strdup_printf (_("Decisions at checkpoint %d"), job.checkpoint);
  options.title = out.title ? out.title : default_title;
  figure.map = map;
  if (!relief_plot_export (out.output, 400, 360, out.dpi, draw_decision, &figure, &error))
    {
      g_printerr ("relief decision: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  return 0;
}

#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-cli-common.h"
#include "relief-cli-options.h"
#include "relief-cmd-plot.h"
#include "relief-enums.h"
#include "relief-figures.h"
#include "relief-plot.h"
#include "relief-race-job.h"
#include "relief-regions-file.h"

typedef struct {
  gpointer             data;
  ReliefFigureOptions *options;
  void (*draw) (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt);
} PlotData;

static gpointer
load_run (const char *path, GError **error)
{
  return relief_run_load (path, FALSE, error);
}

static void
draw_run (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_figure_run (cr, width, height, data, opt);
}

static void
draw_run_curves (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_figure_run_curves (cr, width, height, data, opt);
}

static void
draw_run_curvature (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt)
{
  const ReliefRun *run = data;
  g_autofree double *steps = g_new (double, run->curvature->n);
  ReliefSharpness c;

  relief_figure_run_sharpness (run, steps, &c);
  relief_figure_sharpness (cr, width, height, &c, opt);
}

static void
draw_run_complexity (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_figure_run_complexity (cr, width, height, data, opt);
}

static gpointer
load_surface (const char *path, GError **error)
{
  return relief_surface_load (path, error);
}

static void
draw_surface (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt)
{
  const ReliefSurface *surface = data;
  ReliefFigureOptions options = *opt;

  /* A PCA plane carries its own trajectory: draw it, ending at the final point. */
  relief_figure_options_set_trajectory (&options, surface, surface->n_proj - 1);
  relief_figure_surface (cr, width, height, surface, &options);
}

static gpointer
load_intdim (const char *path, GError **error)
{
  return relief_intdim_load (path, error);
}

static void
draw_intdim (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_figure_intdim (cr, width, height, data, opt, NULL);
}

/* A spectrum with the learning rate of its run, when the run file can be read. */
typedef struct {
  ReliefHessianSpectrum *hs;
  double                 lr;
  char                  *no_lr_reason;
} HessianPlot;

static void
hessian_plot_free (HessianPlot *plot)
{
  relief_hessian_spectrum_free (plot->hs);
  g_free (plot->no_lr_reason);
  g_free (plot);
}

/* The run file as recorded, or, when that path is relative and not found from here,
 * beside the spectrum's file (the two moved together). */
static char *
find_run_file (const char *spectrum_path, const char *run_file)
{
  g_autofree char *dir = NULL;
  char *beside;

  if (g_file_test (run_file, G_FILE_TEST_EXISTS) || g_path_is_absolute (run_file))
    return g_strdup (run_file);
  dir = g_path_get_dirname (spectrum_path);
  beside = g_build_filename (dir, run_file, NULL);
  if (g_file_test (beside, G_FILE_TEST_EXISTS))
    return beside;
  g_free (beside);
  return g_strdup (run_file);
}

static gpointer
load_hessian (const char *path, GError **error)
{
  g_autoptr(ReliefHessianSpectrum) hs = relief_hessian_spectrum_load (path, error);
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) run_error = NULL;
  g_autofree char *run_path = NULL;
  HessianPlot *plot;

  if (hs == NULL)
    return NULL;
  plot = g_new0 (HessianPlot, 1);
  plot->lr = NAN;
  run_path = find_run_file (path, hs->run_file);
  run = relief_run_load (run_path, FALSE, &run_error);
  if (run != NULL)
    plot->lr = run->config.optimizer.lr;
  else
    {
      /* The figure still draws; it says why the line is missing, and so does stderr. */
      plot->no_lr_reason = g_strdup_printf (_("run file %s not readable"), hs->run_file);
      g_printerr (_("relief plot: drawn without the 2/η line: %s\n"), run_error->message);
    }
  plot->hs = g_steal_pointer (&hs);
  return plot;
}

static void
draw_hessian (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt)
{
  const HessianPlot *plot = data;

  relief_figure_hessian (cr, width, height, plot->hs, plot->lr, plot->no_lr_reason, opt, NULL);
}

static gpointer
load_weights (const char *path, GError **error)
{
  return relief_weights_load (path, error);
}

static void
draw_weights (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt)
{
  relief_figure_weights (cr, width, height, data, opt);
}

static void
size_weights (gconstpointer data, double *width, double *height)
{
  relief_figure_weights_size (data, width, height);
}

/* A regions file with the samples its figure shows, from the run it names when that can be
 * read: a 2-input model's training samples on its input plane, or the three samples a
 * plane goes through at (0,0), (1,0), (0,1). */
typedef struct {
  ReliefRegionsFile *rf;
  int                index;       /* of the checkpoint drawn, in rf->checkpoints */
  ReliefRegionsColor color_by;
  int                n_samples;
  float             *samples;
  gint32            *labels;
} RegionsPlot;

static void
regions_plot_free (RegionsPlot *plot)
{
  relief_regions_file_free (plot->rf);
  g_free (plot->samples);
  g_free (plot->labels);
  g_free (plot);
}

static gpointer
load_regions (const char *path, GError **error)
{
  g_autoptr(ReliefRegionsFile) rf = relief_regions_file_load (path, error);
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) run_error = NULL;
  g_autofree char *run_path = NULL;
  RegionsPlot *plot;

  if (rf == NULL)
    return NULL;
  plot = g_new0 (RegionsPlot, 1);
  plot->index = rf->n_checkpoints - 1;
  run_path = find_run_file (path, rf->run_file);
  run = relief_run_load (run_path, TRUE, &run_error);
  if (run == NULL || run->dataset == NULL)
    g_printerr (_("relief plot: drawn without the samples: %s\n"),
                run_error ? run_error->message : _("the run holds no data set"));
  else if (strcmp (rf->plane_kind, "input") == 0 && run->dataset->n_features == 2)
    {
      const ReliefDataset *ds = run->dataset;

      plot->n_samples = ds->n_train;
      plot->samples = g_memdup2 (ds->x_train, sizeof (float) * 2 * ds->n_train);
      plot->labels = g_memdup2 (ds->y_train, sizeof (gint32) * ds->n_train);
    }
  else if (strcmp (rf->plane_kind, "samples") == 0)
    {
      const ReliefDataset *ds = run->dataset;
      static const float at[6] = { 0, 0, 1, 0, 0, 1 };

      plot->samples = g_memdup2 (at, sizeof at);
      plot->labels = g_new (gint32, 3);
      for (int i = 0; i < 3; i++)
        if (rf->plane_samples[i] >= 0 && rf->plane_samples[i] < ds->n_train)
          plot->labels[plot->n_samples++] = ds->y_train[rf->plane_samples[i]];
      if (plot->n_samples != 3)
        plot->n_samples = 0;
    }
  plot->rf = g_steal_pointer (&rf);
  return plot;
}

static void
draw_regions (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt)
{
  const RegionsPlot *plot = data;
  const ReliefRegionsFile *rf = plot->rf;
  ReliefRegionsFigure fig = {
    .regions = rf->checkpoints[plot->index].regions,
    .umin = rf->plane->umin, .umax = rf->plane->umax, .vmin = rf->plane->vmin, .vmax = rf->plane->vmax,
    .input_plane = strcmp (rf->plane_kind, "input") == 0,
    .n_samples = plot->n_samples,
    .samples = plot->samples,
    .labels = plot->labels,
    .color_by = plot->color_by,
  };

  relief_figure_regions (cr, width, height, &fig, opt, NULL);
}

/* A race with its function sampled over its view. */
typedef struct {
  ReliefRaceFile *race;
  ReliefRaceGrid *grid;
} RacePlot;

/* The map's grid: fine enough for smooth contours at the figure's size. */
#define RACE_PLOT_GRID 240

static void
race_plot_free (RacePlot *plot)
{
  relief_race_file_free (plot->race);
  relief_race_grid_free (plot->grid);
  g_free (plot);
}

static gpointer
load_race (const char *path, GError **error)
{
  g_autoptr(ReliefRaceFile) race = relief_race_file_load (path, error);
  g_autoptr(ReliefRaceGrid) grid = NULL;
  RacePlot *plot;

  if (race == NULL)
    return NULL;
  grid = relief_race_grid_new (RACE_PLOT_GRID, RACE_PLOT_GRID, race->xmin, race->xmax, race->ymin, race->ymax);
  if (!relief_race_job_sample (race, grid->nx, grid->xs, grid->ny, grid->ys, grid->z, error))
    {
      g_prefix_error (error, _("%s: "), path);
      return NULL;
    }
  plot = g_new0 (RacePlot, 1);
  plot->race = g_steal_pointer (&race);
  plot->grid = g_steal_pointer (&grid);
  return plot;
}

static void
draw_race (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt)
{
  const RacePlot *plot = data;

  relief_figure_race (cr, width, height, plot->race, plot->grid, opt);
}

/* The flags that only some kinds of figure have a use for. */
typedef enum {
  FLAG_LOG    = 1 << 0,
  FLAG_MAP    = 1 << 1,     /* --kind, --levels, --colormap: a surface's 2D figures */
  FLAG_KIND   = 1 << 2,     /* --kind alone: a run's curves or curvature */
  FLAG_REGIONS = 1 << 3,    /* --checkpoint, --color-by: a regions file's */
  FLAG_COLORMAP = 1 << 4,   /* --colormap alone: a race's map */
} PlotFlags;

/* What each kind of file relief_file_detect_kind knows becomes. */
static const struct {
  ReliefFileKind kind;
  double         width, height;        /* points */
  PlotFlags      flags;                /* the flags its figure uses */
  gpointer     (*load) (const char *path, GError **error);
  void         (*draw) (cairo_t *cr, double width, double height, gconstpointer data, const ReliefFigureOptions *opt);
  GDestroyNotify free;
  /* NULL: width and height; else the size the data needs (a panel per layer). */
  void         (*size) (gconstpointer data, double *width, double *height);
} plot_kinds[] = {
  { RELIEF_FILE_KIND_RUN, 648, 252, FLAG_LOG | FLAG_KIND, load_run, draw_run, (GDestroyNotify) relief_run_free, NULL },
  { RELIEF_FILE_KIND_SURFACE, 432, 324, FLAG_LOG | FLAG_MAP, load_surface, draw_surface,
    (GDestroyNotify) relief_surface_free, NULL },
  { RELIEF_FILE_KIND_INTDIM, 432, 324, 0, load_intdim, draw_intdim, (GDestroyNotify) relief_intdim_free, NULL },
  { RELIEF_FILE_KIND_WEIGHTS, 0, 0, 0, load_weights, draw_weights, (GDestroyNotify) relief_weights_free,
    size_weights },
  { RELIEF_FILE_KIND_HESSIAN, 504, 324, 0, load_hessian, draw_hessian, (GDestroyNotify) hessian_plot_free, NULL },
  { RELIEF_FILE_KIND_REGIONS, 400, 360, FLAG_REGIONS, load_regions, draw_regions, (GDestroyNotify) regions_plot_free,
    NULL },
  { RELIEF_FILE_KIND_RACE, 720, 360, FLAG_COLORMAP, load_race, draw_race, (GDestroyNotify) race_plot_free, NULL },
};

/* The first of the flags given that a figure of this file does not use, or NULL; *where
 * says which files it applies to. */
static const char *
unused_flag (PlotFlags used, gboolean log_scale, const char *kind, const char *levels, const char *colormap,
             const char *checkpoint, const char *color_by, const char **where)
{
  *where = _("regions files");
  if (checkpoint && !(used & FLAG_REGIONS))
    return "--checkpoint";
  if (color_by && !(used & FLAG_REGIONS))
    return "--color-by";
  *where = _("runs and surfaces");
  if (kind && !(used & (FLAG_MAP | FLAG_KIND)))
    return "--kind";
  *where = _("surfaces");
  if (levels && !(used & FLAG_MAP))
    return "--levels";
  if (colormap && !(used & (FLAG_MAP | FLAG_COLORMAP)))
    {
      *where = _("surfaces and races");
      return "--colormap";
    }
  *where = _("runs and surfaces");
  if (log_scale && !(used & FLAG_LOG))
    return "--log";
  return NULL;
}

static int
find_plot_kind (ReliefFileKind kind)
{
  for (guint k = 0; k < G_N_ELEMENTS (plot_kinds); k++)
    if (plot_kinds[k].kind == kind)
      return (int) k;
  return -1;
}

static void
draw_plot (cairo_t *cr, double width, double height, gpointer user_data)
{
  PlotData *d = user_data;

  d->draw (cr, width, height, d->data, d->options);
}

int
relief_cmd_plot (int argc, char **argv)
{
  g_autofree char *colormap = NULL, *figure_kind = NULL, *levels = NULL, *checkpoint = NULL, *color_by = NULL;
  g_auto(ReliefCliFigureOptions) figure = { 0 };
  ReliefFileKind kind;
  gint64 n_levels;
  int status = 0;
  const char *unused, *where;
  gboolean log_scale = FALSE;
  g_autoptr(GError) error = NULL;
  ReliefFigureOptions options;
  PlotData data = { NULL, &options, NULL };
  int k;
  double width, height;
  gboolean ok;
  GOptionEntry entries[] = {
    { "colormap", 0, 0, G_OPTION_ARG_STRING, &colormap, N_("viridis or magma"), N_("NAME") },
    { "levels", 0, 0, G_OPTION_ARG_STRING, &levels, N_("Contour levels (0: continuous colours, no contours; default 12)"), "N" },
    { "log", 0, 0, G_OPTION_ARG_NONE, &log_scale, N_("Logarithmic color scale"), NULL },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &figure_kind,
      N_("Surface figure: contour, heatmap, 3d or 1d (default contour); run figure: curves (loss and accuracy), "
         "curvature (lambda_max, tr H against 2/lr) or complexity (accuracy and the local complexity around "
         "training, test and random points against the step on a log axis; default: the curves, and the curvature "
         "beside them when the run tracked it)"), N_("KIND") },
    { "checkpoint", 0, 0, G_OPTION_ARG_STRING, &checkpoint, N_("Regions file: the checkpoint to draw (default the last it holds)"), N_("N|last") },
    { "color-by", 0, 0, G_OPTION_ARG_STRING, &color_by, N_("Regions file: fill each region by region (default), class (its predicted class) or active (its number of active neurons)"), N_("WHAT") },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = relief_cli_context (N_("FILE.h5"), _("Draw a run, surface, intdim, hessian, weights, regions or race file as a figure (PDF, SVG or PNG)."));

  relief_cli_figure_options_add (&figure, ctx);
  relief_cli_add_entries (ctx, entries);
  if (!relief_cli_parse (ctx, "plot", &argc, &argv, &status))
    return status;
  if (argc != 2)
    return relief_cli_usage_error ("plot", _("expected one run, surface, intdim, hessian, weights, regions or race file; see relief plot --help"));
  if (!relief_cli_check_figure ("plot", &figure, (const char *[]) { argv[1], NULL }, &status))
    return status;
  relief_figure_options_init (&options);
  if (levels && !relief_cli_parse_int ("--levels", levels, 0, 200, &n_levels, &error))
    return relief_cli_usage_error ("plot", error->message);
  if (levels)
    options.n_levels = (int) n_levels;
  options.log_scale = log_scale;
  options.title = figure.title;
  if (colormap && !relief_enum_from_nick (RELIEF_TYPE_COLORMAP, colormap, (int *) &options.colormap, NULL))
    return relief_cli_usage_error ("plot", _("unknown colormap (viridis, magma)"));

  if (!relief_cli_check_input ("plot", argv[1], RELIEF_FILE_KIND_NONE, &status))
    return status;
  kind = relief_file_detect_kind (argv[1], NULL);
  if (figure_kind && kind == RELIEF_FILE_KIND_RUN && g_strcmp0 (figure_kind, "curves") != 0 &&
      g_strcmp0 (figure_kind, "curvature") != 0 && g_strcmp0 (figure_kind, "complexity") != 0)
    {
      g_autofree char *message = g_strdup_printf (_("unknown figure kind “%s” for a run (curves, curvature, "
                                                    "complexity)"),
                                                  figure_kind);
      return relief_cli_usage_error ("plot", message);
    }
  if (figure_kind && kind != RELIEF_FILE_KIND_RUN &&
      !relief_enum_from_nick (RELIEF_TYPE_FIGURE_KIND, figure_kind, (int *) &options.kind, NULL))
    {
      g_autofree char *message = g_strdup_printf (_("unknown figure kind “%s” (contour, heatmap, 3d, 1d)"),
                                                  figure_kind);
      return relief_cli_usage_error ("plot", message);
    }
  k = find_plot_kind (kind);
  if (k < 0)
    {
      g_autofree char *message = g_strdup_printf (_("%s is a %s file; plot takes run, surface, intdim, hessian, weights, regions and race files"),
                                                  argv[1], relief_file_kind_name (kind));
      return relief_cli_usage_error ("plot", message);
    }
  unused = unused_flag (plot_kinds[k].flags, log_scale, figure_kind, levels, colormap, checkpoint, color_by, &where);
  if (unused)
    {
      g_autofree char *message = g_strdup_printf (_("%s is %s: %s only applies to %s"), argv[1],
                                                  _(relief_file_kind_info (kind)->description), unused, where);
      return relief_cli_usage_error ("plot", message);
    }
  data.data = plot_kinds[k].load (argv[1], &error);
  if (data.data == NULL)
    return relief_cli_usage_error ("plot", error->message);
  if (kind == RELIEF_FILE_KIND_SURFACE)
    {
      const ReliefSurface *surface = data.data;
      /* A 1D slice is drawn as its curve: the 2D figures' flags have nothing to act on. */
      const char *flat = (figure_kind && options.kind != RELIEF_FIGURE_1D) ? "--kind"
                         : levels ? "--levels" : colormap ? "--colormap" : NULL;

      if ((surface->ny <= 1 || surface->ycoords == NULL) && flat != NULL)
        {
          g_autofree char *message = g_strdup_printf (_("%s is a 1D slice, drawn as a curve: %s needs a 2D surface"),
                                                      argv[1], flat);

          relief_surface_free (data.data);
          return relief_cli_usage_error ("plot", message);
        }
    }
  if (kind == RELIEF_FILE_KIND_REGIONS)
    {
      RegionsPlot *plot = data.data;

      if ((color_by && !relief_enum_from_nick (RELIEF_TYPE_REGIONS_COLOR, color_by, (int *) &plot->color_by, NULL)) ||
          (plot->index = relief_regions_file_find (plot->rf, checkpoint, &error)) < 0)
        {
          g_autofree char *message = error ? g_strdup_printf ("%s: %s", argv[1], error->message)
                                           : g_strdup_printf (_("unknown --color-by “%s” (region, class, active)"),
                                                              color_by);

          regions_plot_free (plot);
          return relief_cli_usage_error ("plot", message);
        }
    }
  data.draw = plot_kinds[k].draw;
  width = plot_kinds[k].width;
  height = plot_kinds[k].height;
  if (plot_kinds[k].size != NULL)
    plot_kinds[k].size (data.data, &width, &height);
  if (kind == RELIEF_FILE_KIND_RUN)
    {
      const ReliefRun *run = data.data;
      gboolean tracked = run->curvature != NULL && run->curvature->n > 0;

      if (g_strcmp0 (figure_kind, "curvature") == 0 && !tracked)
        {
          g_autofree char *message = g_strdup_printf (_("%s holds no curvature (train with --track-curvature N)"),
                                                      argv[1]);

          relief_run_free (data.data);
          return relief_cli_usage_error ("plot", message);
        }
      if (g_strcmp0 (figure_kind, "complexity") == 0 && (run->complexity == NULL || run->complexity->n == 0))
        {
          g_autofree char *message = g_strdup_printf (_("%s holds no local complexity (train with "
                                                        "--track-complexity N or log:K)"), argv[1]);

          relief_run_free (data.data);
          return relief_cli_usage_error ("plot", message);
        }
      if (g_strcmp0 (figure_kind, "complexity") == 0)
        data.draw = draw_run_complexity;
      else if (g_strcmp0 (figure_kind, "curvature") == 0)
        {
          data.draw = draw_run_curvature;
          width = 432;
          height = 324;
        }
      else if (g_strcmp0 (figure_kind, "curves") == 0)
        data.draw = draw_run_curves;
      else if (tracked)
        /* The sharpness as a third panel of the same size. */
        width = width * 3 / 2;
    }
  ok = relief_plot_export (figure.output, width, height, figure.dpi, draw_plot, &data, &error);
  plot_kinds[k].free (data.data);
  if (!ok)
    {
      g_printerr ("relief plot: %s\n", error->message);
      return relief_cli_error_status (error);
    }
  return 0;
}

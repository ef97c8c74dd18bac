/* relief-figures.c: surface, run, sweep, decision and weight-spectra figures from panels
 * of the plot core, and the specs behind them. */
#include "relief-figures.h"
#include "relief-enums.h"
#include "relief-race.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TITLE_BAND 24.0

void
relief_figure_options_init (ReliefFigureOptions *opt)
{
  *opt = (ReliefFigureOptions) {
    .colormap = RELIEF_COLORMAP_VIRIDIS,
    .n_levels = 12,
    .kind = RELIEF_FIGURE_CONTOUR,
    .path_marker = -1,
    .azimuth = RELIEF_SURFACE3D_AZIMUTH,
    .elevation = RELIEF_SURFACE3D_ELEVATION,
  };
}

void
relief_figure_options_set_trajectory (ReliefFigureOptions *opt, const ReliefSurface *s, int path_marker)
{
  if (s->n_proj <= 0 || s->proj_xcoord == NULL || s->proj_ycoord == NULL)
    return;
  opt->n_path = s->n_proj;
  opt->path_x = s->proj_xcoord;
  opt->path_y = s->proj_ycoord;
  opt->path_marker = path_marker;
}

void
relief_figure_options_set_plane (ReliefFigureOptions *opt, const ReliefSurface *s)
{
  opt->plane_xlabel[0] = opt->plane_ylabel[0] = '\0';
  if (g_strcmp0 (s->direction_kind, "hessian") == 0 || g_strcmp0 (s->direction_kind, "hessian-min") == 0)
    {
      gboolean second = g_strcmp0 (s->direction_kind, "hessian") == 0;

      /* v1, v2 (or v_min) with their eigenvalues; a file from before they were recorded
       * names the directions only */
      if (isfinite (s->x_eigenvalue))
        g_snprintf (opt->plane_xlabel, sizeof opt->plane_xlabel, _("v1 (λ = %.3g)"), s->x_eigenvalue);
      else
        g_strlcpy (opt->plane_xlabel, _("top Hessian eigenvector"), sizeof opt->plane_xlabel);
      if (isfinite (s->y_eigenvalue))
        g_snprintf (opt->plane_ylabel, sizeof opt->plane_ylabel, second ? _("v2 (λ = %.3g)") : _("v_min (λ = %.3g)"),
                    s->y_eigenvalue);
      else
        g_strlcpy (opt->plane_ylabel, second ? _("second Hessian eigenvector") : _("bottom Hessian eigenvector"),
                   sizeof opt->plane_ylabel);
      return;
    }
  if (g_strcmp0 (s->direction_kind, "pca") != 0)
    return;
  if (isfinite (s->explained_variance_ratio[0]))
    g_snprintf (opt->plane_xlabel, sizeof opt->plane_xlabel, _("PC1 (%.1f%%)"), 100 * s->explained_variance_ratio[0]);
  else
    g_strlcpy (opt->plane_xlabel, _("PC1"), sizeof opt->plane_xlabel);
  if (isfinite (s->explained_variance_ratio[1]))
    g_snprintf (opt->plane_ylabel, sizeof opt->plane_ylabel, _("PC2 (%.1f%%)"), 100 * s->explained_variance_ratio[1]);
  else
    g_strlcpy (opt->plane_ylabel, _("PC2"), sizeof opt->plane_ylabel);
}

/* A figure-wide title above side-by-side or stacked panels; returns the height it took. */
static double
draw_figure_title (cairo_t *cr, double width, const char *title)
{
  cairo_text_extents_t e;

  if (title == NULL || *title == '\0')
    return 0;
  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, width, TITLE_BAND);
  cairo_fill (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, RELIEF_PLOT_FONT_TITLE);
  cairo_text_extents (cr, title, &e);
  cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
  cairo_move_to (cr, (width - e.x_advance) / 2, TITLE_BAND / 2 + 4);
  cairo_show_text (cr, title);
  cairo_restore (cr);
  return TITLE_BAND;
}

static void
draw_panel (cairo_t *cr, double x, double y, double width, double height, const ReliefLinePlotSpec *spec)
{
  cairo_save (cr);
  cairo_translate (cr, x, y);
  relief_plot_lines (cr, width, height, spec, NULL);
  cairo_restore (cr);
}

/* A train series and, when present, its test series (dashed, the second color). */
static int
train_test_series (ReliefLineSeries series[2], int n, const double *x, const double *train, const double *test)
{
  series[0] = (ReliefLineSeries) { _("train"), n, x, train, { 0 }, FALSE };
  relief_plot_palette (0, series[0].rgb);
  if (test == NULL)
    return 1;
  series[1] = (ReliefLineSeries) { _("test"), n, x, test, { 0 }, TRUE };
  relief_plot_palette (1, series[1].rgb);
  return 2;
}

/* A surface's axes are its directions (or its principal components) unless the caller
 * names them. */
static const char *
surface_xlabel (const ReliefFigureOptions *opt)
{
  return opt->xlabel ? opt->xlabel : opt->plane_xlabel[0] ? opt->plane_xlabel : _("x direction");
}

static const char *
surface_ylabel (const ReliefFigureOptions *opt)
{
  return opt->ylabel ? opt->ylabel : opt->plane_ylabel[0] ? opt->plane_ylabel : _("y direction");
}

/* Loss above accuracy along x, for row `row` of the surface. */
static void
figure_surface_1d (cairo_t *cr, double width, double height, const ReliefSurface *s, int row,
                   const ReliefFigureOptions *opt)
{
  ReliefLineSeries loss[2], acc[2];
  ReliefLinePlotSpec loss_spec = { 0 }, acc_spec = { 0 };
  double top = height / 2;
  gsize at = (gsize) row * s->nx;
  const double *test_loss = s->test_loss ? s->test_loss + at : NULL, *test_acc = s->test_acc ? s->test_acc + at : NULL;

  loss_spec.title = opt->title;
  loss_spec.ylabel = _("loss");
  loss_spec.n_series = train_test_series (loss, s->nx, s->xcoords, s->train_loss + at, test_loss);
  loss_spec.series = loss;
  loss_spec.log_y = opt->log_scale;
  loss_spec.legend = loss_spec.n_series > 1;

  acc_spec.xlabel = surface_xlabel (opt);
  acc_spec.ylabel = _("accuracy (%)");
  acc_spec.n_series = train_test_series (acc, s->nx, s->xcoords, s->train_acc + at, test_acc);
  acc_spec.series = acc;
  acc_spec.legend = acc_spec.n_series > 1;

  draw_panel (cr, 0, 0, width, top, &loss_spec);
  draw_panel (cr, 0, top, width, height - top, &acc_spec);
}

void
relief_figure_surface_map_spec (const ReliefSurface *s, const ReliefFigureOptions *opt, ReliefHeatmapSpec *spec)
{
  *spec = (ReliefHeatmapSpec) {
    .title = opt->title,
    .xlabel = surface_xlabel (opt),
    .ylabel = surface_ylabel (opt),
    .zlabel = _("train loss"),
    .nx = s->nx, .ny = s->ny, .xs = s->xcoords, .ys = s->ycoords, .z = s->train_loss,
    .colormap = opt->colormap, .filled = opt->kind != RELIEF_FIGURE_HEATMAP, .n_levels = opt->n_levels,
    .log_scale = opt->log_scale, .show_colorbar = TRUE,
    .has_marker = opt->has_marker, .marker_x = opt->marker_x, .marker_y = opt->marker_y,
    .n_path = opt->n_path, .path_x = opt->path_x, .path_y = opt->path_y, .path_marker = opt->path_marker,
  };
}

void
relief_figure_surface_3d_spec (const ReliefSurface *s, const ReliefFigureOptions *opt, ReliefSurface3DSpec *spec)
{
  *spec = (ReliefSurface3DSpec) {
    .title = opt->title,
    .xlabel = surface_xlabel (opt),
    .ylabel = surface_ylabel (opt),
    .zlabel = _("train loss"),
    .nx = s->nx, .ny = s->ny, .xs = s->xcoords, .ys = s->ycoords, .z = s->train_loss,
    .colormap = opt->colormap, .log_scale = opt->log_scale, .show_colorbar = TRUE,
    .azimuth = opt->azimuth, .elevation = opt->elevation, .zoom = 1,
    .n_path = opt->n_path, .path_x = opt->path_x, .path_y = opt->path_y, .path_marker = opt->path_marker,
  };
}

void
relief_figure_interpolation_spec (const ReliefSurface *s, const ReliefFigureOptions *opt,
                                  ReliefLineSeries series[1], ReliefLinePlotSpec *spec)
{
  series[0] = (ReliefLineSeries) { _("train loss"), s->nx, s->xcoords, s->train_loss, { 0 }, FALSE };
  relief_plot_palette (0, series[0].rgb);
  *spec = (ReliefLinePlotSpec) {
    .title = opt->title ? opt->title : _("From the initialization (0) to the final model (1)"),
    .xlabel = opt->xlabel ? opt->xlabel : _("alpha"),
    .ylabel = _("train loss"),
    .n_series = 1, .series = series,
    .log_y = opt->log_scale,
  };
}

void
relief_figure_surface (cairo_t *cr, double width, double height, const ReliefSurface *s,
                       const ReliefFigureOptions *given)
{
  ReliefFigureOptions named = *given;
  const ReliefFigureOptions *opt = &named;

  if (named.plane_xlabel[0] == '\0')
    relief_figure_options_set_plane (&named, s);
  if (s->ny <= 1 || s->ycoords == NULL)
    {
      figure_surface_1d (cr, width, height, s, 0, opt);
      return;
    }
  if (opt->kind == RELIEF_FIGURE_1D)
    {
      int row = 0;

      for (int j = 1; j < s->ny; j++)
        if (fabs (s->ycoords[j] - opt->slice_y) < fabs (s->ycoords[row] - opt->slice_y))
          row = j;
      figure_surface_1d (cr, width, height, s, row, opt);
      return;
    }
  if (opt->kind == RELIEF_FIGURE_3D)
    {
      ReliefSurface3DSpec spec;

      relief_figure_surface_3d_spec (s, opt, &spec);
      relief_plot_surface3d (cr, width, height, &spec);
    }
  else
    {
      ReliefHeatmapSpec spec;

      relief_figure_surface_map_spec (s, opt, &spec);
      relief_plot_heatmap (cr, width, height, &spec, NULL);
    }
}

void
relief_figure_curves_specs (const ReliefCurves *c, const ReliefFigureOptions *opt,
                            ReliefLineSeries loss_series[2], ReliefLinePlotSpec *loss,
                            ReliefLineSeries acc_series[2], ReliefLinePlotSpec *acc)
{
  *loss = (ReliefLinePlotSpec) {
    .title = _("Loss"), .xlabel = _("step"), .ylabel = _("loss"),
    .n_series = train_test_series (loss_series, c->n, c->steps, c->train_loss, c->test_loss),
    .series = loss_series,
    .log_y = opt->log_scale,
    .legend = TRUE,
  };
  *acc = (ReliefLinePlotSpec) {
    .title = _("Accuracy"), .xlabel = _("step"), .ylabel = _("accuracy (%)"),
    .n_series = train_test_series (acc_series, c->n, c->steps, c->train_acc, c->test_acc),
    .series = acc_series,
    .legend = TRUE,
  };
  if (opt->full_accuracy_axis)
    {
      acc->ymin = 0;
      acc->ymax = 100;
    }
}

/* The run's curves into the two specs; the arrays (n_metrics each) are the caller's. */
static void
run_curves_specs (const ReliefRun *run, const ReliefFigureOptions *opt, double *steps, double *train_acc,
                  double *test_acc, ReliefLineSeries loss[2], ReliefLinePlotSpec *loss_spec, ReliefLineSeries acc[2],
                  ReliefLinePlotSpec *acc_spec)
{
  int n = run->n_metrics;

  /* Runs store accuracy as a fraction; the figure shows percent. */
  for (int i = 0; i < n; i++)
    {
      steps[i] = (double) run->metric_step[i];
      train_acc[i] = 100 * run->train_acc[i];
      if (test_acc)
        test_acc[i] = 100 * run->test_acc[i];
    }
  relief_figure_curves_specs (&(ReliefCurves) { n, steps, run->train_loss, run->test_loss, train_acc, test_acc },
                              opt, loss, loss_spec, acc, acc_spec);
}

static void
figure_run (cairo_t *cr, double width, double height, const ReliefRun *run, const ReliefFigureOptions *opt,
            gboolean with_curvature)
{
  int n = run->n_metrics;
  int nc = run->curvature != NULL ? run->curvature->n : 0;
  g_autofree double *steps = g_new (double, MAX (n, 1));
  g_autofree double *train_acc = g_new (double, MAX (n, 1));
  g_autofree double *test_acc = run->test_acc ? g_new (double, MAX (n, 1)) : NULL;
  g_autofree double *curvature_steps = g_new (double, MAX (nc, 1));
  ReliefLineSeries loss[2], acc[2];
  ReliefLinePlotSpec loss_spec, acc_spec;
  ReliefSharpnessSpec sharp;
  ReliefSharpness c;
  double top, panel;

  run_curves_specs (run, opt, steps, train_acc, test_acc, loss, &loss_spec, acc, &acc_spec);
  top = draw_figure_title (cr, width, opt->title);
  if (!with_curvature || !relief_figure_run_sharpness (run, curvature_steps, &c))
    {
      panel = width / 2;
      draw_panel (cr, 0, top, panel, height - top, &loss_spec);
      draw_panel (cr, panel, top, width - panel, height - top, &acc_spec);
      return;
    }
  relief_figure_sharpness_spec (&c, opt, &sharp);
  panel = width / 3;
  draw_panel (cr, 0, top, panel, height - top, &loss_spec);
  draw_panel (cr, panel, top, panel, height - top, &acc_spec);
  draw_panel (cr, 2 * panel, top, width - 2 * panel, height - top, &sharp.spec);
}

void
relief_figure_run (cairo_t *cr, double width, double height, const ReliefRun *run,
                   const ReliefFigureOptions *opt)
{
  figure_run (cr, width, height, run, opt, TRUE);
}

void
relief_figure_run_curves (cairo_t *cr, double width, double height, const ReliefRun *run,
                          const ReliefFigureOptions *opt)
{
  figure_run (cr, width, height, run, opt, FALSE);
}

gboolean
relief_figure_run_sharpness (const ReliefRun *run, double *steps, ReliefSharpness *c)
{
  const ReliefRunCurvature *rc = run->curvature;

  if (rc == NULL || rc->n == 0)
    return FALSE;
  for (int i = 0; i < rc->n; i++)
    steps[i] = (double) rc->step[i];
  *c = (ReliefSharpness) {
    .n = rc->n,
    .steps = steps,
    .lambda_max = rc->lambda_max,
    .trace = rc->trace,
    .lambda_min = rc->lambda_min,
    .lr = run->config.optimizer.lr,
    .optimizer = run->config.optimizer.kind,
    .momentum = run->config.optimizer.momentum,
    .weight_decay = run->config.optimizer.weight_decay,
  };
  return TRUE;
}

const char *
relief_figure_optimizer_label (ReliefOptimizerKind kind)
{
  switch (kind)
    {
    case RELIEF_OPT_SGD:      return "SGD";
    case RELIEF_OPT_MOMENTUM: return _("momentum");
    case RELIEF_OPT_NESTEROV: return "Nesterov";
    case RELIEF_OPT_ADAM:     return "Adam";
    case RELIEF_OPT_ADAMW:    return "AdamW";
    case RELIEF_OPT_ADAGRAD:  return "Adagrad";
    case RELIEF_OPT_RMSPROP:  return "RMSprop";
    case RELIEF_OPT_SIGN:     return _("sign descent");
    default:                  return relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, kind);
    }
}

double
relief_figure_stability_limit (const ReliefSharpness *c, char *label, gsize label_size)
{
  double beta = c->momentum, wd = c->weight_decay > 0 ? c->weight_decay : 0, limit;
  const char *method;
  char ignored[8], formula[48];

  if (label == NULL)
    {
      label = ignored;
      label_size = sizeof ignored;
    }
  /* Weight decay adds wd * I to the Hessian the step sees (coupled L2 and decoupled alike:
   * on a quadratic the update is (1 - eta wd) I - eta H either way), so the loss's
   * lambda_max, which is what is measured, is limited wd lower. */
  switch (c->optimizer)
    {
    case RELIEF_OPT_MOMENTUM:
      limit = 2.0 * (1.0 + beta) / c->lr;
      g_strlcpy (formula, "2(1+β)/η", sizeof formula);
      method = _("heavy ball");
      break;
    case RELIEF_OPT_NESTEROV:
      limit = 2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) * c->lr);
      g_strlcpy (formula, "2(1+β)/((1+2β)η)", sizeof formula);
      method = _("Nesterov");
      break;
    case RELIEF_OPT_SGD:
      limit = 2.0 / c->lr;
      g_strlcpy (formula, "2/η", sizeof formula);
      method = NULL;
      break;
    default:
      /* Adaptive methods: the limit is on the preconditioned sharpness, not computed. */
      limit = 2.0 / c->lr;
      g_snprintf (label, label_size, _("2/η = %.4g: GD’s limit, not %s’s"), limit,
                  relief_figure_optimizer_label (c->optimizer));
      return limit;
    }
  if (wd > 0)
    {
      limit -= wd;
      g_strlcat (formula, " − wd", sizeof formula);
    }
  if (method != NULL)
    g_snprintf (label, label_size, "%s = %.4g (%s)", formula, limit, method);
  else
    g_snprintf (label, label_size, "%s = %.4g", formula, limit);
  return limit;
}

static gboolean
all_positive (const double *v, int n)
{
  for (int i = 0; v != NULL && i < n; i++)
    if (isfinite (v[i]) && !(v[i] > 0))
      return FALSE;
  return TRUE;
}

void
relief_figure_sharpness_spec (const ReliefSharpness *c, const ReliefFigureOptions *opt, ReliefSharpnessSpec *out)
{
  ReliefLineSeries *series = out->series;
  double x0 = c->n > 0 ? c->steps[0] : 0, x1 = c->n > 0 ? c->steps[c->n - 1] : 1;
  int k = 0;

  series[k] = (ReliefLineSeries) { "λmax", c->n, c->steps, c->lambda_max, { 0 }, FALSE };
  relief_plot_palette (0, series[k++].rgb);
  if (c->trace != NULL)
    {
      series[k] = (ReliefLineSeries) { "tr H", c->n, c->steps, c->trace, { 0 }, FALSE };
      relief_plot_palette (1, series[k++].rgb);
    }
  if (c->lambda_min != NULL)
    {
      series[k] = (ReliefLineSeries) { "λmin", c->n, c->steps, c->lambda_min, { 0 }, TRUE };
      relief_plot_palette (2, series[k++].rgb);
    }
  /* The limit spans the steps measured (one measurement: a step either side). */
  out->line_x[0] = x0;
  out->line_x[1] = x1 > x0 ? x1 : x0 + 1;
  out->line_y[0] = out->line_y[1] = relief_figure_stability_limit (c, out->limit_label, sizeof out->limit_label);
  series[k++] = (ReliefLineSeries) { out->limit_label, 2, out->line_x, out->line_y, { 0.35, 0.35, 0.35 }, TRUE };
  out->spec = (ReliefLinePlotSpec) {
    .title = _("Sharpness"), .xlabel = _("step"), .ylabel = _("curvature"),
    .n_series = k,
    .series = series,
    .log_y = all_positive (c->lambda_max, c->n) && all_positive (c->trace, c->n) &&
             all_positive (c->lambda_min, c->n),
    .legend = TRUE,
  };
}

void
relief_figure_complexity_spec (const ReliefComplexity *c, const ReliefFigureOptions *opt, ReliefComplexitySpec *out)
{
  struct { const char *label; int n; const double *x, *y; gboolean dashed; } curves[] = {
    { _("regions"), c->n_regions, c->region_steps, c->regions, FALSE },
    { _("LC train"), c->n, c->steps, c->train, FALSE },
    { _("LC test"), c->n, c->steps, c->test, TRUE },
    { _("LC random"), c->n, c->steps, c->random, TRUE },
  };
  gboolean positive = TRUE;
  int k = 0;

  for (guint i = 0; i < G_N_ELEMENTS (curves); i++)
    {
      if (curves[i].y == NULL || curves[i].n == 0)
        continue;
      out->series[k] = (ReliefLineSeries) { curves[i].label, curves[i].n, curves[i].x, curves[i].y, { 0 },
                                            curves[i].dashed };
      relief_plot_palette (i, out->series[k++].rgb);
      positive = positive && all_positive (curves[i].y, curves[i].n);
    }
  out->spec = (ReliefLinePlotSpec) {
    .title = _("Complexity"), .xlabel = _("step"), .ylabel = _("regions, neurons"),
    .n_series = k,
    .series = out->series,
    .log_y = positive && k > 0,
    .legend = TRUE,
  };
}

void
relief_figure_sharpness (cairo_t *cr, double width, double height, const ReliefSharpness *c,
                         const ReliefFigureOptions *opt)
{
  ReliefSharpnessSpec sharp;
  double top;

  relief_figure_sharpness_spec (c, opt, &sharp);
  top = draw_figure_title (cr, width, opt->title);
  draw_panel (cr, 0, top, width, height - top, &sharp.spec);
}

gboolean
relief_figure_run_complexity_spec (const ReliefRun *run, const ReliefFigureOptions *opt, ReliefRunComplexitySpec *out)
{
  const ReliefRunComplexity *c = run->complexity;
  const char *labels[3] = { _("around training points"), _("around test points"), _("around random points") };
  int k = 0;

  *out = (ReliefRunComplexitySpec) { 0 };
  if (c == NULL || c->n == 0)
    return FALSE;
  out->steps = g_new (double, c->n);
  for (int i = 0; i < c->n; i++)
    out->steps[i] = (double) c->step[i] + 1;
  for (int set = 0; set < 3; set++)
    {
      const double *y = set == 0 ? c->train : set == 1 ? c->test : c->random;

      if (y == NULL)
        continue;
      out->series[k] = (ReliefLineSeries) { labels[set], c->n, out->steps, y, { 0 }, set == 1 };
      relief_plot_palette (set, out->series[k++].rgb);
    }
  g_snprintf (out->ylabel, sizeof out->ylabel, _("local complexity (r = %.3g)"), c->radius);
  out->spec = (ReliefLinePlotSpec) {
    .title = _("Local complexity"), .xlabel = _("step + 1"), .ylabel = out->ylabel,
    .n_series = k,
    .series = out->series,
    .log_x = TRUE,
    .log_y = opt->log_scale,
    .legend = TRUE,
  };
  return TRUE;
}

void
relief_figure_run_complexity_spec_clear (ReliefRunComplexitySpec *out)
{
  g_clear_pointer (&out->steps, g_free);
}

void
relief_figure_run_complexity (cairo_t *cr, double width, double height, const ReliefRun *run,
                          const ReliefFigureOptions *opt)
{
  int n = run->n_metrics;
  g_autofree double *steps = g_new (double, MAX (n, 1));
  g_autofree double *train_acc = g_new (double, MAX (n, 1));
  g_autofree double *test_acc = run->test_acc ? g_new (double, MAX (n, 1)) : NULL;
  ReliefLineSeries loss[2], acc[2];
  ReliefLinePlotSpec loss_spec, acc_spec;
  ReliefRunComplexitySpec lc;
  double top, panel;

  run_curves_specs (run, opt, steps, train_acc, test_acc, loss, &loss_spec, acc, &acc_spec);
  /* The accuracy on the complexity's axis: step + 1 on a log scale. */
  for (int i = 0; i < n; i++)
    steps[i] += 1;
  acc_spec.xlabel = _("step + 1");
  acc_spec.log_x = TRUE;
  top = draw_figure_title (cr, width, opt->title);
  if (!relief_figure_run_complexity_spec (run, opt, &lc))
    {
      draw_panel (cr, 0, top, width, height - top, &acc_spec);
      return;
    }
  panel = width / 2;
  draw_panel (cr, 0, top, panel, height - top, &acc_spec);
  draw_panel (cr, panel, top, width - panel, height - top, &lc.spec);
  relief_figure_run_complexity_spec_clear (&lc);
}

/* The accuracies the figure shows: test accuracy when the dataset had a test split. */
static const double *
intdim_shown_acc (const ReliefIntdim *id)
{
  return isnan (id->baseline_test_acc) ? id->train_acc : id->test_acc;
}

static gboolean
intdim_log_x (const ReliefIntdim *id)
{
  return id->dims[id->K - 1] > 20 * id->dims[0];
}

gboolean
relief_figure_intdim_hit (const ReliefIntdim *id, const ReliefPlotFrame *frame, double px, double py,
                          double radius, int *k, int *seed)
{
  const double *acc = intdim_shown_acc (id);
  double best = radius * radius;
  gboolean found = FALSE;

  for (int i = 0; i < id->K; i++)
    for (int s = 0; s < id->n_seeds; s++)
      {
        double v = acc[i * id->n_seeds + s], cx, cy, d2;

        if (isnan (v))
          continue;
        relief_plot_frame_from_data (frame, (double) id->dims[i], 100 * v, &cx, &cy);
        d2 = (cx - px) * (cx - px) + (cy - py) * (cy - py);
        if (d2 <= best)
          {
            best = d2;
            *k = i;
            *seed = s;
            found = TRUE;
          }
      }
  return found;
}

/* Every seed's dot inside the axes, not only the mean: matplotlib's 5% margins around all. */
static void
intdim_y_limits (const ReliefIntdim *id, const double *acc, double baseline, double *ymin, double *ymax)
{
  double lo = isnan (baseline) ? INFINITY : 0.9 * baseline, hi = isnan (baseline) ? -INFINITY : baseline;

  for (int i = 0; i < id->K * id->n_seeds; i++)
    if (!isnan (acc[i]))
      {
        lo = MIN (lo, 100 * acc[i]);
        hi = MAX (hi, 100 * acc[i]);
      }
  if (lo < hi)
    {
      *ymin = lo - 0.05 * (hi - lo);
      *ymax = hi + 0.05 * (hi - lo);
    }
}

void
relief_figure_intdim (cairo_t *cr, double width, double height, const ReliefIntdim *id,
                      const ReliefFigureOptions *opt, ReliefPlotFrame *frame_out)
{
  gboolean test = !isnan (id->baseline_test_acc);
  const double *acc = intdim_shown_acc (id);
  double baseline = 100 * (test ? id->baseline_test_acc : id->baseline_train_acc);
  gboolean log_x = intdim_log_x (id);
  g_autofree double *x = g_new (double, id->K);
  g_autofree double *mean = g_new (double, id->K);
  double ends[2], base_y[2], ninety_y[2];
  ReliefLineSeries series[3];
  ReliefLinePlotSpec spec = { 0 };
  ReliefPlotFrame frame;
  double top;

  for (int k = 0; k < id->K; k++)
    {
      double sum = 0;
      int n = 0;

      x[k] = (double) id->dims[k];
      for (int s = 0; s < id->n_seeds; s++)
        if (!isnan (acc[k * id->n_seeds + s]))
          sum += 100 * acc[k * id->n_seeds + s], n++;
      mean[k] = n > 0 ? sum / n : NAN;
    }
  ends[0] = x[0];
  ends[1] = x[id->K - 1];
  base_y[0] = base_y[1] = baseline;
  ninety_y[0] = ninety_y[1] = 0.9 * baseline;

  series[0] = (ReliefLineSeries) { _("mean over seeds"), id->K, x, mean, { 0 }, FALSE };
  relief_plot_palette (0, series[0].rgb);
  series[1] = (ReliefLineSeries) { _("baseline"), 2, ends, base_y, { 0.3, 0.3, 0.3 }, TRUE };
  series[2] = (ReliefLineSeries) { _("90% of baseline"), 2, ends, ninety_y, { 0.8, 0.2, 0.2 }, TRUE };
  spec.title = _("Intrinsic dimension");
  spec.xlabel = _("subspace dimension d");
  spec.log_x = log_x;
  spec.ylabel = test ? _("test accuracy (%)") : _("train accuracy (%)");
  spec.n_series = isnan (baseline) ? 1 : 3;
  spec.series = series;
  spec.legend = TRUE;
  intdim_y_limits (id, acc, baseline, &spec.ymin, &spec.ymax);

  top = draw_figure_title (cr, width, opt->title);
  cairo_save (cr);
  cairo_translate (cr, 0, top);
  relief_plot_lines (cr, width, height - top, &spec, &frame);

  /* Each seed's cell as a dot, so the spread shows beside the mean. */
  cairo_set_source_rgb (cr, series[0].rgb[0], series[0].rgb[1], series[0].rgb[2]);
  for (int k = 0; k < id->K; k++)
    for (int s = 0; s < id->n_seeds; s++)
      {
        double v = acc[k * id->n_seeds + s], px, py;

        if (isnan (v))
          continue;
        relief_plot_frame_from_data (&frame, x[k], 100 * v, &px, &py);
        cairo_new_sub_path (cr);
        cairo_arc (cr, px, py, 2.5, 0, 2 * G_PI);
      }
  cairo_fill (cr);

  if (!isnan (id->dint90_individual_mean) && id->dint90_individual_mean > 0)
    {
      double dx = id->dint90_individual_mean, px, py;

      relief_plot_frame_from_data (&frame, dx, 0.9 * baseline, &px, &py);
      cairo_set_source_rgb (cr, 0.8, 0.2, 0.2);
      cairo_arc (cr, px, py, 5, 0, 2 * G_PI);
      cairo_set_line_width (cr, 2);
      cairo_stroke (cr);
      cairo_set_font_size (cr, RELIEF_PLOT_FONT_LABEL);
      {
        g_autofree char *label = g_strdup_printf (_("d_int90 = %.0f"), id->dint90_individual_mean);
        cairo_text_extents_t e;

        /* Left of the marker when the label would leave the data area on the right. */
        cairo_text_extents (cr, label, &e);
        cairo_move_to (cr, px + 7 + e.x_advance > frame.px + frame.pw ? px - 7 - e.x_advance : px + 7, py + 16);
        cairo_show_text (cr, label);
      }
    }
  cairo_restore (cr);
  if (frame_out)
    {
      *frame_out = frame;
      frame_out->py += top;
      frame_out->cby += top;
    }
}

void
relief_figure_decision (cairo_t                   *cr,
                        double                     width,
                        double                     height,
                        const ReliefDecisionMap   *map,
                        const ReliefFigureOptions *opt)
{
  relief_figure_decision_framed (cr, width, height, map, opt, NULL);
}

void
relief_figure_decision_framed (cairo_t                   *cr,
                               double                     width,
                               double                     height,
                               const ReliefDecisionMap   *map,
                               const ReliefFigureOptions *opt,
                               ReliefPlotFrame           *frame_out)
{
  ReliefDecisionSpec spec = {
    .title = opt->title,
    .xlabel = "x₁",
    .ylabel = "x₂",
    .nx = map->nx,
    .ny = map->ny,
    .xmin = map->xmin,
    .xmax = map->xmax,
    .ymin = map->ymin,
    .ymax = map->ymax,
    .classes = map->classes,
    .confidence = map->confidence,
    .n_classes = map->n_classes,
    .n_samples = map->n_samples,
    .samples = map->samples,
    .labels = map->labels,
  };

  relief_plot_decision (cr, width, height, &spec, frame_out);
}

void
relief_figure_decision_regions (cairo_t                   *cr,
                                double                     width,
                                double                     height,
                                const ReliefDecisionMap   *map,
                                const ReliefRegions       *regions,
                                const ReliefFigureOptions *opt,
                                ReliefPlotFrame           *frame_out)
{
  ReliefDecisionSpec spec = {
    .title = opt->title,
    .xlabel = "x₁",
    .ylabel = "x₂",
    .nx = map->nx,
    .ny = map->ny,
    .xmin = map->xmin,
    .xmax = map->xmax,
    .ymin = map->ymin,
    .ymax = map->ymax,
    .classes = map->classes,
    .confidence = map->confidence,
    .n_classes = map->n_classes,
    .n_samples = map->n_samples,
    .samples = map->samples,
    .labels = map->labels,
  };
  ReliefRegionsFigure fig = {
    .regions = regions,
    .umin = map->xmin, .umax = map->xmax, .vmin = map->ymin, .vmax = map->ymax,
    .input_plane = TRUE,
    .color_by = RELIEF_REGIONS_COLOR_REGION,
  };
  const double boundary[3] = { 0.1, 0.1, 0.1 };
  ReliefRegionsSpec rs;
  ReliefPlotFrame frame = { 0 };
  /* Edges thinner as regions multiply, so that a dense partition stays a texture. */
  double edge = regions->n_regions > 400 ? 0.25 : 0.5;

  relief_plot_decision (cr, width, height, &spec, &frame);
  relief_figure_regions_spec (&fig, opt, &rs);
  relief_plot_polygons_over (cr, &frame, rs.polygons, regions->n_regions, 0.18, edge, regions->boundary,
                             regions->n_boundary, boundary, 1.5);
  relief_figure_regions_clear (&rs);
  if (frame_out)
    *frame_out = frame;
}

/* Vertical lines at the n values, from y0 to y1, as one series broken by NaN. */
static void
vertical_lines (const double *values, int n, double y0, double y1, double *x, double *y)
{
  for (int i = 0; i < n; i++)
    {
      x[3 * i] = x[3 * i + 1] = x[3 * i + 2] = values[i];
      y[3 * i] = y0;
      y[3 * i + 1] = y1;
      y[3 * i + 2] = NAN;
    }
}

/* Below this share of its peak the density is drawn at the floor: a log axis shows the
 * tails' decades without running to the underflow of the Gaussians. */
#define HESSIAN_DENSITY_FLOOR 1e-8
/* The eigenvalues are a rug in the axis' lowest decade, under the density's peaks. */
#define HESSIAN_RUG_DECADES 1.0
#define SUMMARY_BAND 16.0

/* Whether 2/lr joins an axis spanning [lo, hi]: within the spectrum's width beyond it.
 * Farther, it would squeeze the spectrum into a corner, and the text names it instead. */
static gboolean
limit_near (double limit, double lo, double hi)
{
  double reach = MAX (hi - lo, MAX (0.05 * fabs (hi), 0.05));

  return isfinite (limit) && limit <= hi + reach && limit >= lo - reach;
}

/* The density on a log axis, the eigenvalues as a rug under it, 2/lr when near (TRUE:
 * drawn). */
static gboolean
hessian_density_plot (cairo_t *cr, double width, double height, const ReliefHessianSpectrum *hs, double lr,
                      ReliefLinePlotSpec *spec, ReliefPlotFrame *frame)
{
  const ReliefHessianPairs *top = &hs->largest, *low = &hs->smallest;
  int n_top = top->n, n_low = low->n, n = 0;
  g_autofree double *density = g_new (double, hs->n_grid);
  g_autofree double *top_x = g_new (double, 3 * MAX (n_top, 1)), *top_y = g_new (double, 3 * MAX (n_top, 1));
  g_autofree double *low_x = g_new (double, 3 * MAX (n_low, 1)), *low_y = g_new (double, 3 * MAX (n_low, 1));
  g_autofree char *top_label = NULL, *low_label = NULL, *limit_label = NULL;
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, peak = 0, floor_y, ceiling, margin, rug;
  double limit = 2.0 / lr, limit_x[2], limit_y[2];
  ReliefLineSeries series[4];

  for (int i = 0; i < hs->n_grid; i++)
    {
      peak = MAX (peak, hs->density[i]);
      lo = MIN (lo, hs->density_grid[i]);
      hi = MAX (hi, hs->density_grid[i]);
    }
  for (int i = 0; i < n_top; i++)
    lo = MIN (lo, top->values[i]), hi = MAX (hi, top->values[i]);
  for (int i = 0; i < n_low; i++)
    lo = MIN (lo, low->values[i]), hi = MAX (hi, low->values[i]);
  if (limit_near (limit, lo, hi))
    {
      lo = MIN (lo, limit);
      hi = MAX (hi, limit);
    }
  else
    limit = NAN;
  margin = 0.05 * (hi - lo);
  spec->xmin = lo - margin;
  spec->xmax = hi + margin;
  /* A density of zeros everywhere (a file from elsewhere) still gets an axis. */
  floor_y = peak > 0 ? peak * HESSIAN_DENSITY_FLOOR : 1e-8;
  ceiling = peak > 0 ? peak * 10 : 1;
  rug = floor_y * pow (10, HESSIAN_RUG_DECADES);
  spec->ymin = floor_y;
  spec->ymax = ceiling;
  spec->log_y = TRUE;
  spec->xlabel = _("eigenvalue");
  spec->ylabel = _("density (log scale)");

  for (int i = 0; i < hs->n_grid; i++)
    density[i] = MAX (hs->density[i], floor_y);
  series[n] = (ReliefLineSeries) { _("density (SLQ)"), hs->n_grid, hs->density_grid, density, { 0 }, FALSE };
  relief_plot_palette (0, series[n].rgb);
  n++;
  if (n_top > 0)
    {
      vertical_lines (top->values, n_top, floor_y, rug, top_x, top_y);
      top_label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "top eigenvalue", "top %d eigenvalues", n_top), n_top);
      series[n++] = (ReliefLineSeries) { top_label, 3 * n_top, top_x, top_y, { 0.8, 0.2, 0.2 }, FALSE };
    }
  if (n_low > 0)
    {
      vertical_lines (low->values, n_low, floor_y, rug, low_x, low_y);
      low_label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "smallest eigenvalue", "smallest %d eigenvalues",
                                                n_low), n_low);
      series[n++] = (ReliefLineSeries) { low_label, 3 * n_low, low_x, low_y, { 0.2, 0.4, 0.8 }, TRUE };
    }
  if (isfinite (limit))
    {
      limit_x[0] = limit_x[1] = limit;
      limit_y[0] = floor_y;
      limit_y[1] = ceiling;
      limit_label = g_strdup_printf (_("2/η = %.4g (lr %.3g)"), limit, lr);
      series[n++] = (ReliefLineSeries) { limit_label, 2, limit_x, limit_y, { 0.2, 0.2, 0.2 }, TRUE };
    }
  spec->series = series;
  spec->n_series = n;
  relief_plot_lines (cr, width, height, spec, frame);
  spec->series = NULL;
  return isfinite (limit);
}

static void
rank_dots (cairo_t *cr, const ReliefPlotFrame *frame, const double *values, int n, const double rgb[3])
{
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  for (int i = 0; i < n; i++)
    {
      double px, py;

      relief_plot_frame_from_data (frame, i + 1, values[i], &px, &py);
      cairo_new_sub_path (cr);
      cairo_arc (cr, px, py, 3, 0, 2 * G_PI);
    }
  cairo_fill (cr);
}

/* Without a density: the eigenvalues against their rank (the largest descending, the
 * smallest ascending), 2/lr as a level when near them (TRUE: drawn). */
static gboolean
hessian_rank_plot (cairo_t *cr, double width, double height, const ReliefHessianSpectrum *hs, double lr,
                   ReliefLinePlotSpec *spec, ReliefPlotFrame *frame)
{
  const ReliefHessianPairs *top = &hs->largest, *low = &hs->smallest;
  int k = MAX (top->n, low->n), n = 0;
  g_autofree double *ranks = g_new (double, k);
  g_autofree char *limit_label = NULL;
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, limit = 2.0 / lr, ends[2] = { 0.5, k + 0.5 }, level[2], margin;
  ReliefLineSeries series[3];

  for (int i = 0; i < k; i++)
    ranks[i] = i + 1;
  for (int i = 0; i < top->n; i++)
    lo = MIN (lo, top->values[i]), hi = MAX (hi, top->values[i]);
  for (int i = 0; i < low->n; i++)
    lo = MIN (lo, low->values[i]), hi = MAX (hi, low->values[i]);
  if (limit_near (limit, lo, hi))
    {
      lo = MIN (lo, limit);
      hi = MAX (hi, limit);
    }
  else
    limit = NAN;
  margin = hi > lo ? 0.08 * (hi - lo) : MAX (0.1 * fabs (hi), 0.1);
  spec->xmin = ends[0];
  spec->xmax = ends[1];
  spec->ymin = lo - margin;
  spec->ymax = hi + margin;
  spec->xlabel = _("rank");
  spec->ylabel = _("eigenvalue");
  if (top->n > 0)
    series[n++] = (ReliefLineSeries) { _("largest"), top->n, ranks, top->values, { 0.8, 0.2, 0.2 }, FALSE };
  if (low->n > 0)
    series[n++] = (ReliefLineSeries) { _("smallest"), low->n, ranks, low->values, { 0.2, 0.4, 0.8 }, TRUE };
  if (isfinite (limit))
    {
      level[0] = level[1] = limit;
      limit_label = g_strdup_printf (_("2/η = %.4g (lr %.3g)"), limit, lr);
      series[n++] = (ReliefLineSeries) { limit_label, 2, ends, level, { 0.2, 0.2, 0.2 }, TRUE };
    }
  spec->series = series;
  spec->n_series = n;
  relief_plot_lines (cr, width, height, spec, frame);
  rank_dots (cr, frame, top->values, top->n, (const double[]) { 0.8, 0.2, 0.2 });
  rank_dots (cr, frame, low->values, low->n, (const double[]) { 0.2, 0.4, 0.8 });
  spec->series = NULL;
  return isfinite (limit);
}

/* lambda_max, lambda_min, the trace and where 2/lr is, those the spectrum has. */
static char *
hessian_summary (const ReliefHessianSpectrum *hs, double lr, gboolean limit_drawn, const char *no_lr_reason)
{
  GString *summary = g_string_new (NULL);
  double limit = 2.0 / lr;

  if (hs->largest.n > 0)
    g_string_append_printf (summary, _("λ_max = %.4g"), hs->largest.values[0]);
  if (hs->smallest.n > 0)
    g_string_append_printf (summary, _("%sλ_min = %.4g"), summary->len ? "   " : "", hs->smallest.values[0]);
  if (hs->has_trace)
    g_string_append_printf (summary, _("%str H = %.4g ± %.2g"), summary->len ? "   " : "", hs->trace,
                            hs->trace_stderr);
  if (isfinite (limit) && !limit_drawn)
    g_string_append_printf (summary, _("%s2/η = %.4g, off the axis"), summary->len ? "   " : "", limit);
  else if (!isfinite (limit))
    g_string_append_printf (summary, _("%sno 2/η line: %s"), summary->len ? "   " : "",
                            no_lr_reason ? no_lr_reason : _("the learning rate is unknown"));
  return g_string_free (summary, FALSE);
}

static void
show_centered (cairo_t *cr, double width, double y, const char *text)
{
  cairo_text_extents_t e;

  cairo_text_extents (cr, text, &e);
  cairo_move_to (cr, MAX (4, (width - e.x_advance) / 2), y);
  cairo_show_text (cr, text);
}

void
relief_figure_hessian (cairo_t                     *cr,
                       double                       width,
                       double                       height,
                       const ReliefHessianSpectrum *hs,
                       double                       lr,
                       const char                  *no_lr_reason,
                       const ReliefFigureOptions   *opt,
                       ReliefPlotFrame             *frame_out)
{
  g_autofree char *title = NULL, *summary = NULL;
  gboolean eigen = hs->largest.n > 0 || hs->smallest.n > 0;
  ReliefLinePlotSpec spec = { 0 };
  ReliefPlotFrame frame = { 0 };
  gboolean limit_drawn = FALSE;
  double top_band;

  if (!(isfinite (lr) && lr > 0))
    lr = NAN;
  title = opt->title ? g_strdup (opt->title)
                     : g_strdup_printf (_("Hessian spectrum at checkpoint %d (%d samples)"), hs->checkpoint,
                                        hs->n_samples);
  spec.legend = TRUE;

  /* The plot first, below the bands, so that the text knows whether 2/lr was drawn. */
  top_band = TITLE_BAND + SUMMARY_BAND;
  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_translate (cr, 0, top_band);
  if (hs->n_grid > 0)
    limit_drawn = hessian_density_plot (cr, width, height - top_band, hs, lr, &spec, &frame);
  else if (eigen)
    limit_drawn = hessian_rank_plot (cr, width, height - top_band, hs, lr, &spec, &frame);
  cairo_restore (cr);

  summary = hessian_summary (hs, lr, limit_drawn, no_lr_reason);
  draw_figure_title (cr, width, title);
  cairo_save (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, RELIEF_PLOT_FONT_TICK);
  cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
  show_centered (cr, width, TITLE_BAND + SUMMARY_BAND - 4, summary);
  /* Only the trace: nothing to plot; the numbers, in the middle. */
  if (hs->n_grid == 0 && !eigen)
    {
      cairo_set_font_size (cr, RELIEF_PLOT_FONT_LABEL);
      show_centered (cr, width, top_band + (height - top_band) / 2,
                     _("Only the trace was computed: no eigenvalues or density to draw"));
    }
  cairo_restore (cr);
  if (frame_out)
    {
      *frame_out = frame;
      frame_out->py += top_band;
      frame_out->cby += top_band;
    }
}

/* Log bins over the fitted eigenvalues: about two per sqrt(n), from 4 to 100 (WeightWatcher
 * draws 100), spanning them exactly (a decade around a single value). */
static void
esd_bins (const ReliefLayerSpectrum *s, ReliefEsdFigure *esd)
{
  int n = s->n_fitted;
  double lo, hi;

  esd->n_bins = n > 0 ? CLAMP ((int) ceil (2 * sqrt (n)), 4, 100) : 0;
  esd->edges = g_new (double, esd->n_bins + 1);
  esd->counts = g_new0 (double, MAX (esd->n_bins, 1));
  if (n == 0)
    return;
  /* The ESD is descending: the fitted ones are the first n. */
  lo = log10 (s->esd[n - 1]);
  hi = log10 (s->esd[0]);
  if (!(hi > lo))
    {
      lo -= 0.5;
      hi += 0.5;
    }
  for (int b = 0; b <= esd->n_bins; b++)
    esd->edges[b] = pow (10, lo + (hi - lo) * b / esd->n_bins);
  for (int i = 0; i < n; i++)
    {
      int b = (int) floor ((log10 (s->esd[i]) - lo) / (hi - lo) * esd->n_bins);

      esd->counts[CLAMP (b, 0, esd->n_bins - 1)] += 1;
    }
}

void
relief_figure_weights_esd_spec (const ReliefWeights *w, int layer, ReliefEsdFigure *esd, ReliefHistogramSpec *spec)
{
  const ReliefLayerSpectrum *s = &w->layers[layer];
  const ReliefPowerLawFit *fit = &s->fit;
  gboolean has_fit = !isnan (fit->alpha) && s->n_fitted > 0 && fit->xmin > 0;

  memset (esd, 0, sizeof *esd);
  esd_bins (s, esd);
  esd->title = g_strdup_printf (_("Layer %d (%d × %d)"), layer, s->rows, s->cols);
  if (has_fit)
    {
      /* p(λ) = (α − 1) / xmin (λ / xmin)^−α over the tail, a share n_tail / n_fitted of the
       * eigenvalues the density counts. */
      double share = (double) fit->n_tail / s->n_fitted, c = share * (fit->alpha - 1) / fit->xmin;

      esd->fit_x[0] = fit->xmin;
      esd->fit_x[1] = MAX (s->lambda_max, fit->xmin);
      for (int i = 0; i < 2; i++)
        esd->fit_y[i] = c * pow (esd->fit_x[i] / fit->xmin, -fit->alpha);
      esd->fit_label = g_strdup_printf (_("power law α = %.2f ± %.2f"), fit->alpha, fit->alpha_stderr);
      esd->fit = (ReliefLineSeries) { esd->fit_label, 2, esd->fit_x, esd->fit_y, { 0.84, 0.15, 0.16 }, FALSE };
    }
  esd->mp_edge = (ReliefHistogramMarker) { s->mp_edge, { 0.17, 0.63, 0.17 }, TRUE, _("Marchenko-Pastur edge") };
  *spec = (ReliefHistogramSpec) {
    .title = esd->title,
    .xlabel = _("eigenvalue λ of WᵀW"),
    .ylabel = _("density"),
    .n_bins = esd->n_bins,
    .edges = esd->edges,
    .counts = esd->counts,
    .density = TRUE,
    .log_x = TRUE,
    .log_y = TRUE,
    .n_lines = has_fit ? 1 : 0,
    .lines = &esd->fit,
    .n_markers = isfinite (s->mp_edge) && s->mp_edge > 0 ? 1 : 0,
    .markers = &esd->mp_edge,
    .legend = TRUE,
  };
  relief_plot_palette (0, spec->rgb);
}

void
relief_figure_weights_esd_clear (ReliefEsdFigure *esd)
{
  g_clear_pointer (&esd->edges, g_free);
  g_clear_pointer (&esd->counts, g_free);
  g_clear_pointer (&esd->title, g_free);
  g_clear_pointer (&esd->fit_label, g_free);
}

/* A frame drawn at (x, y) of the caller's coordinates, in them. */
static void
frame_moved (ReliefPlotFrame *frame, double x, double y)
{
  frame->px += x;
  frame->py += y;
  frame->cbx += x;
  frame->cby += y;
}

static void
draw_esd_panel (cairo_t *cr, double x, double y, double width, double height, const ReliefWeights *w, int layer,
                ReliefPlotFrame *frame_out)
{
  ReliefEsdFigure esd;
  ReliefHistogramSpec spec;
  ReliefPlotFrame frame = { 0 };

  relief_figure_weights_esd_spec (w, layer, &esd, &spec);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  relief_plot_histogram (cr, width, height, &spec, &frame);
  cairo_restore (cr);
  relief_figure_weights_esd_clear (&esd);
  if (frame_out)
    {
      frame_moved (&frame, x, y);
      *frame_out = frame;
    }
}

void
relief_figure_weights_esd (cairo_t *cr, double width, double height, const ReliefWeights *w, int layer,
                           const ReliefFigureOptions *opt, ReliefPlotFrame *frame_out)
{
  double top = draw_figure_title (cr, width, opt->title);

  draw_esd_panel (cr, 0, top, width, height - top, w, layer, frame_out);
}

static void
draw_top_panel (cairo_t *cr, double x, double y, double width, double height, const ReliefWeights *w, int marked,
                ReliefPlotFrame *frame_out)
{
  int T = w->n_snapshots, L = w->n_layers;
  g_autofree double *steps = g_new (double, MAX (T, 1));
  g_autofree double *values = g_new (double, MAX ((gsize) T * L, 1));
  g_autofree ReliefLineSeries *series = g_new0 (ReliefLineSeries, L + 1);
  g_auto(GStrv) labels = g_new0 (char *, L + 1);
  double mark_x[2], mark_y[2] = { -INFINITY, INFINITY };
  ReliefLinePlotSpec spec = { 0 };
  ReliefPlotFrame frame = { 0 };
  int n_series = T > 0 ? L : 0;

  for (int t = 0; t < T; t++)
    {
      steps[t] = (double) w->snapshot_step[t];
      for (int l = 0; l < L; l++)
        values[(gsize) l * T + t] = w->top_singular_values[(gsize) t * L + l];
    }
  for (int l = 0; l < n_series; l++)
    {
      labels[l] = g_strdup_printf (_("layer %d (%d × %d)"), l, w->layers[l].rows, w->layers[l].cols);
      series[l] = (ReliefLineSeries) { labels[l], T, steps, values + (gsize) l * T, { 0 }, FALSE };
      relief_plot_palette (l, series[l].rgb);
    }
  spec.title = _("Top singular value over training");
  spec.xlabel = _("step");
  spec.ylabel = _("σ_max of W");
  spec.series = series;
  spec.n_series = n_series;
  spec.legend = TRUE;
  if (marked >= 0 && marked < T)
    {
      /* A vertical line at the marked step over the data's own limits. */
      double lo = INFINITY, hi = -INFINITY;

      for (gsize i = 0; i < (gsize) T * L; i++)
        if (isfinite (values[i]))
          lo = MIN (lo, values[i]), hi = MAX (hi, values[i]);
      if (lo <= hi)
        {
          double margin = lo < hi ? 0.05 * (hi - lo) : 0.5;

          spec.ymin = lo - margin;
          spec.ymax = hi + margin;
          mark_x[0] = mark_x[1] = steps[marked];
          mark_y[0] = spec.ymin;
          mark_y[1] = spec.ymax;
          series[L] = (ReliefLineSeries) { NULL, 2, mark_x, mark_y, { 0.3, 0.3, 0.3 }, TRUE };
          spec.n_series = L + 1;
        }
    }
  cairo_save (cr);
  cairo_translate (cr, x, y);
  relief_plot_lines (cr, width, height, &spec, &frame);
  cairo_restore (cr);
  if (frame_out)
    {
      frame_moved (&frame, x, y);
      *frame_out = frame;
    }
}

void
relief_figure_weights_top (cairo_t *cr, double width, double height, const ReliefWeights *w,
                           const ReliefFigureOptions *opt, int marked, ReliefPlotFrame *frame_out)
{
  double top = draw_figure_title (cr, width, opt->title);

  draw_top_panel (cr, 0, top, width, height - top, w, marked, frame_out);
}

#define WEIGHTS_COLUMNS 3
#define WEIGHTS_PANEL_WIDTH 288.0
#define WEIGHTS_PANEL_HEIGHT 216.0

void
relief_figure_weights_size (const ReliefWeights *w, double *width, double *height)
{
  int columns = MIN (w->n_layers, WEIGHTS_COLUMNS), rows = (w->n_layers + WEIGHTS_COLUMNS - 1) / WEIGHTS_COLUMNS;

  *width = MAX (columns, 2) * WEIGHTS_PANEL_WIDTH;
  *height = (rows + (w->n_snapshots > 0 ? 1 : 0)) * WEIGHTS_PANEL_HEIGHT;
}

void
relief_figure_weights (cairo_t *cr, double width, double height, const ReliefWeights *w,
                       const ReliefFigureOptions *opt)
{
  /* White where a short last row leaves room. */
  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
  cairo_restore (cr);
  int columns = MIN (w->n_layers, WEIGHTS_COLUMNS), rows = (w->n_layers + WEIGHTS_COLUMNS - 1) / WEIGHTS_COLUMNS;
  int bands = rows + (w->n_snapshots > 0 ? 1 : 0);
  double top = draw_figure_title (cr, width, opt->title);
  double band = (height - top) / MAX (bands, 1);

  for (int l = 0; l < w->n_layers; l++)
    {
      int r = l / WEIGHTS_COLUMNS, c = l % WEIGHTS_COLUMNS;
      double panel = width / MAX (columns, 2);

      draw_esd_panel (cr, c * panel, top + r * band, panel, band, w, l, NULL);
    }
  if (w->n_snapshots > 0)
    draw_top_panel (cr, 0, top + rows * band, width, band, w, -1, NULL);
}

/* ---- linear regions ---- */

/* ColorBrewer's Set3: pale enough for the edges, the boundary and the samples over them. */
static const guint32 region_palette[12] = { 0x8dd3c7, 0xffffb3, 0xbebada, 0xfb8072, 0x80b1d3, 0xfdb462,
                                            0xb3de69, 0xfccde5, 0xd9d9d9, 0xbc80bd, 0xccebc5, 0xffed6f };
#define REGION_EDGE_WIDTH 0.35
#define REGION_BOUNDARY_WIDTH 1.8

/* A well-spread hash of a region id in [0, 1). */
static double
region_hash (int r)
{
  guint32 h = (guint32) r * 2654435761u;

  h ^= h >> 15;
  h *= 2246822519u;
  h ^= h >> 13;
  return (h & 0xffffff) / (double) 0x1000000;
}

/* Palette entries such that regions sharing a vertex differ where the palette allows:
 * greedily, each region the first entry its coloured neighbours leave, from a hashed
 * start so that the picture does not band. */
static guint8 *
region_colors (const ReliefRegions *rg)
{
  int R = rg->n_regions;
  gsize V = rg->n_vertices;
  guint8 *color = g_new (guint8, MAX (R, 1));
  g_autofree gint64 *first = g_new (gint64, V + 1);
  g_autofree int *members = NULL;
  g_autofree gsize *fill = g_new0 (gsize, V + 1);
  gsize n_refs = (gsize) rg->polygon_offsets[R];

  /* Polygons by vertex: a compressed table, first[v] .. first[v + 1] - 1 into members. */
  memset (first, 0, sizeof (gint64) * (V + 1));
  for (gsize i = 0; i < n_refs; i++)
    first[rg->polygon_vertices[i] + 1]++;
  for (gsize v = 0; v < V; v++)
    first[v + 1] += first[v];
  members = g_new (int, MAX (n_refs, 1));
  for (int r = 0; r < R; r++)
    for (gint64 i = rg->polygon_offsets[r]; i < rg->polygon_offsets[r + 1]; i++)
      {
        gint64 v = rg->polygon_vertices[i];

        members[first[v] + fill[v]++] = r;
      }
  for (int r = 0; r < R; r++)
    {
      gboolean used[G_N_ELEMENTS (region_palette)] = { FALSE };
      int start = (int) (region_hash (r) * G_N_ELEMENTS (region_palette)), pick = start;

      for (gint64 i = rg->polygon_offsets[r]; i < rg->polygon_offsets[r + 1]; i++)
        {
          gint64 v = rg->polygon_vertices[i];

          for (gint64 m = first[v]; m < first[v + 1]; m++)
            if (members[m] < r)
              used[color[members[m]]] = TRUE;
        }
      for (guint k = 0; k < G_N_ELEMENTS (region_palette); k++)
        if (!used[(start + k) % G_N_ELEMENTS (region_palette)])
          {
            pick = (start + k) % G_N_ELEMENTS (region_palette);
            break;
          }
      color[r] = (guint8) pick;
    }
  return color;
}

static void
active_range (const ReliefRegions *rg, double *lo, double *hi)
{
  int a = G_MAXINT, b = G_MININT;

  for (int r = 0; r < rg->n_regions; r++)
    a = MIN (a, rg->n_active[r]), b = MAX (b, rg->n_active[r]);
  if (rg->n_regions == 0)
    a = b = 0;
  /* One count alone still spans a colorbar. */
  *lo = a == b ? a - 0.5 : a;
  *hi = a == b ? b + 0.5 : b;
}

static void
region_color (const ReliefRegionsFigure *fig, const guint8 *palette_index, double lo, double hi, int r, double rgb[3])
{
  const ReliefRegions *rg = fig->regions;

  switch (fig->color_by)
    {
    case RELIEF_REGIONS_COLOR_CLASS:
      {
        /* The class's tint, as the decision figure's, lighter or darker by region. */
        double mix = 0.3 + 0.35 * region_hash (r);

        relief_plot_palette (rg->predicted[r], rgb);
        for (int c = 0; c < 3; c++)
          rgb[c] = 1 - mix + mix * rgb[c];
      }
      break;
    case RELIEF_REGIONS_COLOR_ACTIVE:
      relief_colormap_eval (RELIEF_COLORMAP_VIRIDIS, (rg->n_active[r] - lo) / (hi - lo), rgb);
      break;
    case RELIEF_REGIONS_COLOR_REGION:
    default:
      {
        guint32 c = region_palette[palette_index ? palette_index[r] : (int) (region_hash (r) * 12)];

        rgb[0] = ((c >> 16) & 0xff) / 255.0;
        rgb[1] = ((c >> 8) & 0xff) / 255.0;
        rgb[2] = (c & 0xff) / 255.0;
      }
      break;
    }
}

void
relief_figure_regions_color (const ReliefRegionsFigure *fig, int r, double rgb[3])
{
  g_autofree guint8 *palette_index = NULL;
  double lo = 0, hi = 1;

  if (fig->color_by == RELIEF_REGIONS_COLOR_REGION)
    palette_index = region_colors (fig->regions);
  if (fig->color_by == RELIEF_REGIONS_COLOR_ACTIVE)
    active_range (fig->regions, &lo, &hi);
  region_color (fig, palette_index, lo, hi, r, rgb);
}

void
relief_figure_regions_spec (const ReliefRegionsFigure *fig, const ReliefFigureOptions *opt, ReliefRegionsSpec *out)
{
  const ReliefRegions *rg = fig->regions;
  gsize n_refs = (gsize) rg->polygon_offsets[rg->n_regions];
  g_autofree guint8 *palette_index = NULL;
  double lo = 0, hi = 1;

  memset (out, 0, sizeof *out);
  out->polygons = g_new0 (ReliefPolygon, MAX (rg->n_regions, 1));
  out->xy = g_new (double, 2 * MAX (n_refs, 1));
  if (fig->color_by == RELIEF_REGIONS_COLOR_REGION)
    palette_index = region_colors (rg);
  if (fig->color_by == RELIEF_REGIONS_COLOR_ACTIVE)
    active_range (rg, &lo, &hi);
  for (gsize i = 0; i < n_refs; i++)
    {
      gint64 v = rg->polygon_vertices[i];

      out->xy[i] = rg->vertices[2 * v];
      out->xy[n_refs + i] = rg->vertices[2 * v + 1];
    }
  for (int r = 0; r < rg->n_regions; r++)
    {
      ReliefPolygon *p = &out->polygons[r];
      gint64 off = rg->polygon_offsets[r];

      p->n = (int) (rg->polygon_offsets[r + 1] - off);
      p->x = out->xy + off;
      p->y = out->xy + n_refs + off;
      region_color (fig, palette_index, lo, hi, r, p->fill);
      p->outline[0] = p->outline[1] = p->outline[2] = 0.3;
    }
  g_snprintf (out->title, sizeof out->title, g_dngettext (GETTEXT_PACKAGE, "%d linear region", "%d linear regions",
                                                         rg->n_regions), rg->n_regions);
  out->spec = (ReliefPolygonPlotSpec) {
    .title = opt->title ? opt->title : out->title,
    .xlabel = opt->xlabel ? opt->xlabel : fig->input_plane ? "x₁" : "u",
    .ylabel = opt->ylabel ? opt->ylabel : fig->input_plane ? "x₂" : "v",
    .n_polygons = rg->n_regions,
    .polygons = out->polygons,
    .outline_width = REGION_EDGE_WIDTH,
    .xmin = fig->umin, .xmax = fig->umax, .ymin = fig->vmin, .ymax = fig->vmax,
    .n_segments = rg->n_boundary,
    .segments = rg->boundary,
    .segment_width = REGION_BOUNDARY_WIDTH,
    .segment_rgb = { 0.05, 0.05, 0.05 },
    .n_samples = fig->n_samples,
    .samples = fig->samples,
    .labels = fig->labels,
    .show_colorbar = fig->color_by == RELIEF_REGIONS_COLOR_ACTIVE,
    .colormap = RELIEF_COLORMAP_VIRIDIS,
    .zmin = lo,
    .zmax = hi,
    .zlabel = _("active neurons"),
  };
}

void
relief_figure_regions_clear (ReliefRegionsSpec *out)
{
  g_clear_pointer (&out->polygons, g_free);
  g_clear_pointer (&out->xy, g_free);
}

void
relief_figure_regions (cairo_t *cr, double width, double height, const ReliefRegionsFigure *fig,
                       const ReliefFigureOptions *opt, ReliefPlotFrame *frame_out)
{
  ReliefRegionsSpec spec;
  ReliefPlotFrame frame = { 0 };

  relief_figure_regions_spec (fig, opt, &spec);
  relief_plot_polygons (cr, width, height, &spec.spec, &frame);
  relief_figure_regions_clear (&spec);
  /* The plane through three samples: each named by its class beside its point, dark on a
   * white halo over the regions' colours. */
  if (!fig->input_plane && fig->n_samples <= 3 && fig->labels != NULL && frame.pw > 0)
    {
      cairo_save (cr);
      cairo_rectangle (cr, frame.px, frame.py, frame.pw, frame.ph);
      cairo_clip (cr);
      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
      cairo_set_font_size (cr, RELIEF_PLOT_FONT_LABEL);
      for (int i = 0; i < fig->n_samples; i++)
        {
          char text[16];
          double px, py;

          g_snprintf (text, sizeof text, "%d", fig->labels[i]);
          relief_plot_frame_from_data (&frame, fig->samples[2 * i], fig->samples[2 * i + 1], &px, &py);
          cairo_new_path (cr);
          cairo_move_to (cr, px + 5, py - 5);
          cairo_text_path (cr, text);
          cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
          cairo_set_line_width (cr, 3);
          cairo_set_source_rgb (cr, 1, 1, 1);
          cairo_stroke_preserve (cr);
          cairo_set_source_rgb (cr, 0.05, 0.05, 0.05);
          cairo_fill (cr);
        }
      cairo_restore (cr);
    }
  if (frame_out)
    *frame_out = frame;
}

/* ---- optimizer races ---- */

ReliefRaceGrid *
relief_race_grid_new (int nx, int ny, double xmin, double xmax, double ymin, double ymax)
{
  ReliefRaceGrid *grid = g_new0 (ReliefRaceGrid, 1);

  g_return_val_if_fail (nx >= 2 && ny >= 2, grid);
  grid->nx = nx;
  grid->ny = ny;
  grid->xs = g_new (double, nx);
  grid->ys = g_new (double, ny);
  grid->z = g_new0 (double, (gsize) nx * ny);
  for (int i = 0; i < nx; i++)
    grid->xs[i] = xmin + (xmax - xmin) * i / (nx - 1);
  for (int j = 0; j < ny; j++)
    grid->ys[j] = ymin + (ymax - ymin) * j / (ny - 1);
  return grid;
}

void
relief_race_grid_free (ReliefRaceGrid *grid)
{
  if (grid == NULL)
    return;
  g_free (grid->xs);
  g_free (grid->ys);
  g_free (grid->z);
  g_free (grid);
}

gint64
relief_figure_race_marker_every (gint64 n_steps)
{
  return MAX (1, (n_steps + 14) / 15);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The map is on a log scale when its values are not negative and its largest is more than
 * twenty times its lowest tenth's (above the minimum): the function spans decades over the
 * view, and a linear colour scale would paint its valleys in one colour (Rosenbrock's,
 * Himmelblau's basins; a quadratic of condition 10 stays linear). */
static gboolean
race_map_log (const ReliefRaceGrid *grid)
{
  gsize n = (gsize) grid->nx * grid->ny, n_finite = 0;
  g_autofree double *v = g_new (double, MAX (n, 1));
  double zmin, zmax, low;

  for (gsize i = 0; i < n; i++)
    if (isfinite (grid->z[i]))
      v[n_finite++] = grid->z[i];
  if (n_finite < 10)
    return FALSE;
  qsort (v, n_finite, sizeof (double), compare_doubles);
  zmin = v[0];
  zmax = v[n_finite - 1];
  low = v[n_finite / 10] - zmin;
  return zmin >= 0 && zmax - zmin > 20 * low;
}

/* Where a racer's trail ends at step: its last row up to step that is finite and near
 * the view (within ten view sizes beyond it: a diverging racer's next points are far off
 * the map and beyond what cairo's fixed point can draw). */
static gint64
race_trail_end (const ReliefRaceFile *race, const ReliefRaceRacer *r, gint64 step)
{
  double wx = race->xmax - race->xmin, wy = race->ymax - race->ymin;
  gint64 end = -1;

  for (gint64 t = 0; t <= step; t++)
    {
      double x = r->path[2 * t], y = r->path[2 * t + 1];

      if (!isfinite (x) || !isfinite (y) || x < race->xmin - 10 * wx || x > race->xmax + 10 * wx ||
          y < race->ymin - 10 * wy || y > race->ymax + 10 * wy)
        break;
      end = t;
    }
  return end;
}

static void
race_title (const ReliefRaceFile *race, gint64 step, gboolean frame, char *buf, gsize size)
{
  g_autofree char *name = NULL;

  if (strcmp (race->function, "quadratic") == 0)
    name = g_strdup_printf (_("quadratic (κ = %g, θ = %.2f)"), race->kappa, race->theta);
  else
    name = g_strdup (race->function);
  if (frame)
    g_snprintf (buf, size, _("%s — step %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT), name, step, race->n_steps);
  else
    g_strlcpy (buf, name, size);
}

/* A five-pointed star, white edged in ink: a known minimum. */
static void
race_star (cairo_t *cr, double x, double y, double r)
{
  for (int k = 0; k < 10; k++)
    {
      double a = -G_PI / 2 + k * G_PI / 5, rr = k % 2 == 0 ? r : 0.45 * r;

      cairo_line_to (cr, x + rr * cos (a), y + rr * sin (a));
    }
  cairo_close_path (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

static void
race_cross (cairo_t *cr, double x, double y, double r, const double rgb[3])
{
  for (int pass = 0; pass < 2; pass++)
    {
      cairo_move_to (cr, x - r, y - r);
      cairo_line_to (cr, x + r, y + r);
      cairo_move_to (cr, x - r, y + r);
      cairo_line_to (cr, x + r, y - r);
      if (pass == 0)
        cairo_set_source_rgb (cr, 1, 1, 1);
      else
        cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_set_line_width (cr, pass == 0 ? 4.5 : 2.5);
      cairo_stroke (cr);
    }
}

/* What the map draws over the heatmap: markers every k steps, the start, the minima, and
 * where racers diverged. */
static void
race_overlay (cairo_t *cr, const ReliefRaceFile *race, gint64 step, const ReliefPlotFrame *f,
              const ReliefLineSeries *trails)
{
  gint64 every = relief_figure_race_marker_every (race->n_steps);
  double minima[8], px, py;
  int n_minima = relief_function_builtin_minima (race->function, minima, 4);

  cairo_save (cr);
  cairo_rectangle (cr, f->px, f->py, f->pw, f->ph);
  cairo_clip (cr);
  for (int i = 0; i < race->n_racers; i++)
    for (int t = (int) every; t < trails[i].n; t += (int) every)
      {
        relief_plot_frame_from_data (f, trails[i].x[t], trails[i].y[t], &px, &py);
        cairo_arc (cr, px, py, 2.2, 0, 2 * G_PI);
        cairo_set_source_rgb (cr, 1, 1, 1);
        cairo_fill_preserve (cr);
        cairo_set_source_rgb (cr, trails[i].rgb[0], trails[i].rgb[1], trails[i].rgb[2]);
        cairo_set_line_width (cr, 1.2);
        cairo_stroke (cr);
      }
  for (int m = 0; m < n_minima; m++)
    {
      relief_plot_frame_from_data (f, minima[2 * m], minima[2 * m + 1], &px, &py);
      race_star (cr, px, py, 6);
    }
  /* The start: a ring all racers leave from. */
  relief_plot_frame_from_data (f, race->x0, race->y0, &px, &py);
  cairo_arc (cr, px, py, 5, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 4);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_set_line_width (cr, 1.8);
  cairo_stroke (cr);
  cairo_restore (cr);

  /* A diverged racer is crossed out at the last point of its trail, pulled into the view,
   * and says so there (outside the clip, so that the words are whole). */
  cairo_save (cr);
  for (int i = 0, shown = 0; i < race->n_racers; i++)
    {
      const ReliefRaceRacer *r = &race->racers[i];
      g_autofree char *label = NULL;
      cairo_text_extents_t e;
      double x, y, tx, ty;

      if (r->diverged_at < 0 || r->diverged_at > step || trails[i].n == 0)
        continue;
      x = CLAMP (trails[i].x[trails[i].n - 1], MIN (f->xmin, f->xmax), MAX (f->xmin, f->xmax));
      y = CLAMP (trails[i].y[trails[i].n - 1], MIN (f->ymin, f->ymax), MAX (f->ymin, f->ymax));
      relief_plot_frame_from_data (f, x, y, &px, &py);
      race_cross (cr, px, py, 5, trails[i].rgb);
      label = g_strdup_printf (_("%s (lr %g) diverged at step %" G_GINT64_FORMAT), r->optimizer, r->lr,
                               r->diverged_at);
      cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
      cairo_set_font_size (cr, RELIEF_PLOT_FONT_LABEL);
      cairo_text_extents (cr, label, &e);
      /* Inside the map, its left end at least when it is wider than the map. */
      tx = MAX (MIN (px - e.x_advance / 2, f->px + f->pw - e.x_advance - 3), f->px + 3);
      ty = py + (py > f->py + f->ph / 2 ? -10 - 14 * shown : 18 + 14 * shown);
      ty = CLAMP (ty, f->py + 12, f->py + f->ph - 4);
      cairo_rectangle (cr, tx - 2, ty - 10, e.x_advance + 4, 13);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.85);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, trails[i].rgb[0] * 0.8, trails[i].rgb[1] * 0.8, trails[i].rgb[2] * 0.8);
      cairo_move_to (cr, tx, ty);
      cairo_show_text (cr, label);
      shown++;
    }
  cairo_restore (cr);
}

/* The loss panel's limits over the whole race: what the racers reach before diverging,
 * the top capped a thousand times above the start's loss (a diverging racer's last
 * values would squash every other curve). */
static void
race_loss_limits (const ReliefRaceFile *race, gboolean *log_y, double *ymin, double *ymax)
{
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, start = -G_MAXDOUBLE;

  *log_y = TRUE;
  for (int i = 0; i < race->n_racers; i++)
    {
      const ReliefRaceRacer *r = &race->racers[i];

      start = MAX (start, r->loss[0]);
      for (gint64 t = 0; t <= race->n_steps; t++)
        {
          double v = r->loss[t];

          if (!isfinite (v))
            continue;
          if (v <= 0)
            *log_y = FALSE;
          lo = MIN (lo, v);
          hi = MAX (hi, v);
        }
    }
  if (lo > hi)
    {
      *ymin = *ymax = 0;
      return;
    }
  if (*log_y)
    {
      hi = MIN (hi, start * 1e3);
      *ymin = pow (10, floor (log10 (lo)));
      *ymax = pow (10, ceil (log10 (hi)));
      if (*ymax <= *ymin)
        *ymax = *ymin * 10;
    }
  else
    {
      double span = MAX (hi - lo, 1e-12);

      hi = MIN (hi, start + 1e3 * MAX (fabs (start - lo), span * 1e-3));
      *ymin = lo - 0.05 * (hi - lo);
      *ymax = hi + 0.05 * (hi - lo);
      if (*ymax <= *ymin)
        {
          *ymin -= 1;
          *ymax += 1;
        }
    }
}

#define RACE_PANEL_GAP 14.0
/* Below this width to height the race's panels stack. */
#define RACE_STACK_RATIO 1.15

static void
race_draw (cairo_t *cr, double width, double height, const ReliefRaceFile *race, const ReliefRaceGrid *grid,
           gint64 step, gboolean frame, const ReliefFigureOptions *opt, ReliefPlotFrame *frame_out)
{
  int n = race->n_racers;
  g_autofree ReliefLineSeries *trails = g_new0 (ReliefLineSeries, MAX (n, 1));
  g_autofree ReliefLineSeries *losses = g_new0 (ReliefLineSeries, MAX (n, 1));
  g_autofree double *steps = g_new (double, step + 1);
  g_auto(GStrv) labels = g_new0 (char *, n + 1);
  double **buffers = g_new0 (double *, 3 * MAX (n, 1));
  char title[256];
  double top, map_w, map_h, ymin, ymax;
  gboolean log_y, stacked;
  ReliefPlotFrame map_frame;
  ReliefHeatmapSpec map;
  ReliefLinePlotSpec loss;

  step = CLAMP (step, 0, race->n_steps);
  for (gint64 t = 0; t <= step; t++)
    steps[t] = (double) t;
  for (int i = 0; i < n; i++)
    {
      const ReliefRaceRacer *r = &race->racers[i];
      gint64 end = race_trail_end (race, r, step);
      double *x = buffers[3 * i] = g_new (double, step + 1);
      double *y = buffers[3 * i + 1] = g_new (double, step + 1);
      double *l = buffers[3 * i + 2] = g_new (double, step + 1);

      for (gint64 t = 0; t <= end; t++)
        {
          x[t] = r->path[2 * t];
          y[t] = r->path[2 * t + 1];
        }
      for (gint64 t = 0; t <= step; t++)
        l[t] = isfinite (r->loss[t]) ? r->loss[t] : NAN;
      labels[i] = g_strdup_printf (_("%s, lr %g"), r->optimizer, r->lr);
      /* The legend is the loss panel's: the map stays clear for the trails. */
      trails[i] = (ReliefLineSeries) { .n = (int) (end + 1), .x = x, .y = y };
      relief_plot_palette (r->colour, trails[i].rgb);
      losses[i] = (ReliefLineSeries) { .label = labels[i], .n = (int) (step + 1), .x = steps, .y = l };
      memcpy (losses[i].rgb, trails[i].rgb, sizeof trails[i].rgb);
    }

  if (opt->title != NULL)
    g_strlcpy (title, opt->title, sizeof title);
  else
    race_title (race, step, frame, title, sizeof title);
  top = draw_figure_title (cr, width, title);
  /* Side by side when the frame is wide enough; in a narrow one (an 800x600 window, a
   * portrait GIF) the map over the loss, so that the map keeps a usable width. */
  stacked = width < RACE_STACK_RATIO * (height - top);
  map_w = stacked ? width : round (width * 0.58);
  map_h = stacked ? round ((height - top) * 0.62) : height - top;

  map = (ReliefHeatmapSpec) {
    .xlabel = "x", .ylabel = "y", .zlabel = "f (x, y)",
    .nx = grid->nx, .ny = grid->ny, .xs = grid->xs, .ys = grid->ys, .z = grid->z,
    .colormap = opt->colormap,
    .filled = FALSE,
    .n_levels = MAX (opt->n_levels, 0),
    .log_scale = race_map_log (grid),
    .show_colorbar = TRUE,
    .path_marker = -1,
    .n_paths = n,
    .paths = trails,
  };
  cairo_save (cr);
  cairo_translate (cr, 0, top);
  relief_plot_heatmap (cr, map_w, map_h, &map, &map_frame);
  race_overlay (cr, race, step, &map_frame, trails);
  cairo_restore (cr);

  race_loss_limits (race, &log_y, &ymin, &ymax);
  loss = (ReliefLinePlotSpec) {
    .title = _("Loss"), .xlabel = _("step"), .ylabel = "f",
    .n_series = n, .series = losses,
    .log_y = log_y,
    .legend = TRUE,
    .xmin = 0, .xmax = MAX (race->n_steps, 1),
    .ymin = ymin, .ymax = ymax,
  };
  /* Apart by a gap: the colorbar's label reaches to the map's edge. */
  if (stacked)
    draw_panel (cr, 0, top + map_h, width, height - top - map_h, &loss);
  else
    draw_panel (cr, map_w + RACE_PANEL_GAP, top, width - map_w - RACE_PANEL_GAP, height - top, &loss);

  for (int i = 0; i < 3 * n; i++)
    g_free (buffers[i]);
  g_free (buffers);
  if (frame_out)
    {
      map_frame.py += top;
      map_frame.cby += top;
      *frame_out = map_frame;
    }
}

void
relief_figure_race (cairo_t *cr, double width, double height, const ReliefRaceFile *race, const ReliefRaceGrid *grid,
                    const ReliefFigureOptions *opt)
{
  race_draw (cr, width, height, race, grid, race->n_steps, FALSE, opt, NULL);
}

void
relief_figure_race_frame (cairo_t *cr, double width, double height, const ReliefRaceFile *race,
                          const ReliefRaceGrid *grid, gint64 step, const ReliefFigureOptions *opt,
                          ReliefPlotFrame *frame_out)
{
  race_draw (cr, width, height, race, grid, step, TRUE, opt, frame_out);
}

/* An animation's page width in points: its pixels are this many points scaled. */
#define RACE_GIF_PAGE_WIDTH 720.0

typedef struct {
  const ReliefRaceFile      *race;
  const ReliefRaceGrid      *grid;
  const ReliefFigureOptions *opt;
  gint64                     every;
  int                        n_frames;
} RaceGif;

int
relief_figure_race_gif_n_frames (const ReliefRaceFile *race, gint64 every)
{
  every = MAX (every, 1);
  return (int) MIN (G_MAXINT, race->n_steps / every + 1 + (race->n_steps % every != 0));
}

static void
draw_race_gif_frame (cairo_t *cr, int width, int height, int frame, gpointer data)
{
  const RaceGif *g = data;
  double scale = CLAMP (width / RACE_GIF_PAGE_WIDTH, 0.5, 4);
  gint64 step = frame == g->n_frames - 1 ? g->race->n_steps : MIN (frame * g->every, g->race->n_steps);

  cairo_scale (cr, scale, scale);
  relief_figure_race_frame (cr, width / scale, height / scale, g->race, g->grid, step, g->opt, NULL);
}

gboolean
relief_figure_race_gif (const char *path, const ReliefRaceFile *race, const ReliefRaceGrid *grid, int width,
                        int height, double fps, gint64 every, const ReliefFigureOptions *opt,
                        ReliefAnimProgressFunc progress, gpointer progress_data, GCancellable *cancellable,
                        GError **error)
{
  RaceGif g = { race, grid, opt, MAX (every, 1), relief_figure_race_gif_n_frames (race, every) };

  return relief_plot_anim_gif (path, width, height, g.n_frames, fps, draw_race_gif_frame, &g, progress,
                               progress_data, cancellable, error);
}

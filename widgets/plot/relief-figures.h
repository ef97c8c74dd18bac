/* relief-figures.h: the standard figures of surfaces, runs, sweeps, decision maps,
 * weight spectra and linear regions,
 * drawn with the plot core (no GTK): what `relief plot` writes, what the window exports,
 * and the specs the window's views draw.  The one place that turns data into plot specs. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "relief-decision.h"
#include "relief-hessian-file.h"
#include "relief-intdim-file.h"
#include "relief-regions.h"
#include "relief-race-file.h"
#include "relief-run-file.h"
#include "relief-surface-file.h"
#include "relief-weights-file.h"
#include "relief-plot.h"
#include "relief-plot-enum-types.h"

G_BEGIN_DECLS

/* A GEnum (RELIEF_TYPE_FIGURE_KIND, relief-plot-enum-types.h) named by its nicks. */
typedef enum {
  RELIEF_FIGURE_CONTOUR, /*< nick=contour >*/ /* filled contours with contour lines */
  RELIEF_FIGURE_HEATMAP, /*< nick=heatmap >*/ /* a smooth image with contour lines */
  RELIEF_FIGURE_3D,      /*< nick=3d >*/      /* the surface in 3D */
  RELIEF_FIGURE_1D,      /*< nick=1d >*/      /* loss and accuracy along x: a 1D slice, or a row of a 2D one */
} ReliefFigureKind;

typedef struct {
  ReliefColormap colormap;
  int            n_levels;           /* contour levels of a 2D surface (default 12) */
  gboolean       log_scale;          /* losses on a log10 scale */
  const char    *title;              /* NULL: none */
  const char    *xlabel, *ylabel;    /* NULL: "x direction", "y direction" */
  gboolean       has_marker;         /* a marker at (marker_x, marker_y) on a 2D surface */
  double         marker_x, marker_y;
  ReliefFigureKind kind;             /* of a 2D surface; 1D slices are always drawn as 1D */
  double         slice_y;            /* RELIEF_FIGURE_1D of a 2D surface: the row nearest it */
  /* A path over a 2D surface (the training trajectory on a PCA plane), n_path == 0: none;
   * on the map, or on the surface in 3D. */
  int            n_path;
  const double  *path_x, *path_y;
  int            path_marker;        /* the highlighted point, -1 none */
  double         azimuth, elevation; /* RELIEF_FIGURE_3D: the view, in degrees */
  gboolean       full_accuracy_axis; /* accuracy axes span 0 to 100% (a live view that
                                        should not rescale as points arrive) */
  /* A surface's own axis names when xlabel and ylabel are NULL, kept here for the specs
   * that point into them (relief_figure_options_set_plane); empty: the directions'. */
  char           plane_xlabel[48], plane_ylabel[48];
} ReliefFigureOptions;

void relief_figure_options_init (ReliefFigureOptions *opt);
/* The names of the surface's plane: "PC1 (72.4%)" and "PC2 (12.1%)" for a PCA plane, with
 * the share of the trajectory's variance each explains; the eigenvectors' for Hessian
 * directions, with their eigenvalues ("v1 (λ = 12.3)") where the file records them; none
 * for other directions.
 * relief_figure_surface finds them itself; a caller of the specs sets them. */
void relief_figure_options_set_plane (ReliefFigureOptions *opt, const ReliefSurface *s);
/* The path of a PCA plane's surface: its training trajectory, path_marker the highlighted
 * point (-1 none).  Nothing changes when s has no trajectory. */
void relief_figure_options_set_trajectory (ReliefFigureOptions *opt, const ReliefSurface *s, int path_marker);

/* 2D: the training loss as opt->kind says, with a colorbar; 1D (ny == 1) or kind 1D:
 * loss above accuracy along the direction. */
void relief_figure_surface (cairo_t *cr, double width, double height, const ReliefSurface *s,
                            const ReliefFigureOptions *opt);

/* The specs behind the figures, for views that draw them themselves.  They point into the
 * data, opt and the series arrays given, which must outlive them. */

/* A 2D surface's training loss as a map (filled contours, or a smooth image when opt->kind
 * is RELIEF_FIGURE_HEATMAP) with a colorbar, opt's marker and path. */
void relief_figure_surface_map_spec (const ReliefSurface *s, const ReliefFigureOptions *opt, ReliefHeatmapSpec *spec);
/* A 2D surface's training loss in 3D, with opt's path and view. */
void relief_figure_surface_3d_spec  (const ReliefSurface *s, const ReliefFigureOptions *opt,
                                     ReliefSurface3DSpec *spec);
/* The training loss along a 1D surface from the initialization (alpha 0) to the final
 * model (alpha 1), in one series. */
void relief_figure_interpolation_spec (const ReliefSurface *s, const ReliefFigureOptions *opt,
                                       ReliefLineSeries series[1], ReliefLinePlotSpec *spec);

/* Training curves: metrics at n steps, accuracies in percent; a test array NULL: no test
 * curve of that metric. */
typedef struct {
  int           n;
  const double *steps;
  const double *train_loss, *test_loss;
  const double *train_acc, *test_acc;
} ReliefCurves;

/* Loss and accuracy against the step, train solid, test dashed, with legends. */
void relief_figure_curves_specs (const ReliefCurves *c, const ReliefFigureOptions *opt,
                                 ReliefLineSeries loss_series[2], ReliefLinePlotSpec *loss,
                                 ReliefLineSeries acc_series[2], ReliefLinePlotSpec *acc);

/* Loss and accuracy (%) against the step, side by side; test curves when the run has them;
 * and the sharpness beside them when the run tracked curvature (relief_figure_run_curves:
 * never). */
void relief_figure_run (cairo_t *cr, double width, double height, const ReliefRun *run,
                        const ReliefFigureOptions *opt);
void relief_figure_run_curves (cairo_t *cr, double width, double height, const ReliefRun *run,
                               const ReliefFigureOptions *opt);

/* Curvature over training: lambda_max at n steps, and the trace and lambda_min when not
 * NULL, for a run of learning rate lr with the optimizer (momentum: its beta). */
typedef struct {
  int                 n;
  const double       *steps;
  const double       *lambda_max;
  const double       *trace;        /* NULL: not tracked */
  const double       *lambda_min;   /* NULL: not tracked */
  double              lr;
  ReliefOptimizerKind optimizer;    /* 0: SGD */
  double              momentum;     /* momentum, nesterov */
  double              weight_decay; /* the optimizer's; lowers the limit by itself */
} ReliefSharpness;

/* The sharpness above which the optimizer's step on a quadratic diverges, and a label
 * naming it (label_size bytes; may be NULL): 2/η for gradient descent (SGD alike); for
 * momentum's heavy ball 2(1 + β)/η, for Nesterov's momentum 2(1 + β)/((1 + 2β)η) (Cohen
 * et al. 2021, appendix), each less the weight decay wd when there is one (it adds wd to
 * every eigenvalue the step sees); for Adam, AdamW and the other adaptive methods 2/η,
 * labelled gradient descent's, since the limit there is on the preconditioned sharpness,
 * which is not computed. */
/* The optimizer's name for labels ("Adam", "AdamW", ...). */
const char *relief_figure_optimizer_label (ReliefOptimizerKind kind);
double relief_figure_stability_limit (const ReliefSharpness *c, char *label, gsize label_size);

/* lambda_max(t) (and tr H(t), lambda_min(t)) against the step with the stability limit
 * (relief_figure_stability_limit): lambda_max at the edge of stability sits on it (Cohen
 * et al. 2021), and for SGD the trace of a stable minimum stays below 2/η (Wu & Su 2023).
 * The y axis is logarithmic when every value is positive (the limit is often orders of
 * magnitude above), linear otherwise.  The spec points into the struct, which holds the
 * series and the limit. */
typedef struct {
  ReliefLineSeries   series[4];
  double             line_x[2], line_y[2];
  char               limit_label[96];
  ReliefLinePlotSpec spec;
} ReliefSharpnessSpec;

void relief_figure_sharpness_spec (const ReliefSharpness *c, const ReliefFigureOptions *opt,
                                   ReliefSharpnessSpec *out);
/* The spec drawn, with opt->title above. */
void relief_figure_sharpness (cairo_t *cr, double width, double height, const ReliefSharpness *c,
                              const ReliefFigureOptions *opt);
/* The complexity of the network over training: the input plane's region count (at the
 * steps it was computed) and the mean local complexity around training, test and random
 * points (at the steps tracked); each may be NULL (a NaN value: none at that step).  The
 * y axis is logarithmic when every value is positive. */
typedef struct {
  int           n_regions;
  const double *region_steps, *regions;
  int           n;
  const double *steps, *train, *test, *random;
} ReliefComplexity;

typedef struct {
  ReliefLineSeries   series[4];
  ReliefLinePlotSpec spec;
} ReliefComplexitySpec;

void relief_figure_complexity_spec (const ReliefComplexity *c, const ReliefFigureOptions *opt,
                                    ReliefComplexitySpec *out);
/* A run's /curvature as ReliefSharpness (pointing into the run and steps, [run->curvature->n]
 * doubles the caller provides); FALSE when the run tracked none. */
gboolean relief_figure_run_sharpness (const ReliefRun *run, double *steps, ReliefSharpness *c);

/* Local complexity over training (a run's /complexity, relief train --track-complexity):
 * the mean number of neurons whose sign changes near the training, test and random points
 * (train solid, test dashed, random dotted in the third color) against step + 1 on a log10
 * axis, so that step 0 shows at 1, as Humayun et al. (2024) draw it.  The spec points into
 * the struct, which holds the series and the shifted steps ([n] doubles, g_free'd by
 * relief_figure_run_complexity_spec_clear).  FALSE when the run tracked none. */
typedef struct {
  ReliefLineSeries   series[3];
  double            *steps;
  char               ylabel[64];
  ReliefLinePlotSpec spec;
} ReliefRunComplexitySpec;

gboolean relief_figure_run_complexity_spec       (const ReliefRun *run, const ReliefFigureOptions *opt,
                                                  ReliefRunComplexitySpec *out);
void     relief_figure_run_complexity_spec_clear (ReliefRunComplexitySpec *out);
/* Accuracy (%, train and test, against step + 1 on the same log axis) beside the local
 * complexity, opt->title above; a run without /complexity draws the accuracy alone. */
void     relief_figure_run_complexity (cairo_t *cr, double width, double height, const ReliefRun *run,
                                       const ReliefFigureOptions *opt);

/* Test accuracy (%) against the subspace dimension d (train accuracy when the dataset had
 * no test split): the mean over seeds as a line, each seed as dots, the baseline and its
 * 90% dashed, the individual d_int90 marked; d on a log10 axis when the dims span > 20x.
 * frame_out (may be NULL) receives where the data area ended up. */
void relief_figure_intdim (cairo_t *cr, double width, double height, const ReliefIntdim *id,
                           const ReliefFigureOptions *opt, ReliefPlotFrame *frame_out);
/* The run cell whose dot is nearest (px, py) in the figure's frame, within radius device
 * units: its dimension index k and seed.  FALSE when none is that near. */
gboolean relief_figure_intdim_hit (const ReliefIntdim *id, const ReliefPlotFrame *frame, double px, double py,
                                   double radius, int *k, int *seed);

/* A Hessian spectrum as PyHessian draws it: the SLQ eigenvalue density on a log density
 * axis, the largest eigenvalues marked as solid lines and the smallest (when the file has
 * them) dashed, and the linear-stability limit 2/lr of gradient descent for the run's
 * learning rate lr, in the figure when it falls near the spectrum, named beside it
 * otherwise; lr NaN: unknown, which the figure says (no_lr_reason, may be NULL: why).  A
 * spectrum without a density shows its eigenvalues against their rank (2/lr a level), one
 * with only a trace its numbers.  A line of text gives
 * lambda_max, lambda_min and the trace with its standard error, those it has.  frame_out
 * (may be NULL) receives where the data area ended up. */
void relief_figure_hessian (cairo_t *cr, double width, double height, const ReliefHessianSpectrum *hs, double lr,
                            const char *no_lr_reason, const ReliefFigureOptions *opt, ReliefPlotFrame *frame_out);

/* The decision regions over the input plane (x₁, x₂) with the training samples on top;
 * opt->title (may be NULL) above. */
void relief_figure_decision (cairo_t *cr, double width, double height, const ReliefDecisionMap *map,
                             const ReliefFigureOptions *opt);
/* The same, with where the data area ended up in frame_out (may be NULL), for a view that
 * maps the pointer into the input plane. */
void relief_figure_decision_framed (cairo_t *cr, double width, double height, const ReliefDecisionMap *map,
                                    const ReliefFigureOptions *opt, ReliefPlotFrame *frame_out);
/* The decision map with a 2-input model's exact linear regions over it (regions of the
 * input plane, (u, v) = (x₁, x₂)): each region tinted faintly in a colour of its own and
 * outlined thin, the decision boundary dark on top; opt->title (may be NULL) above.
 * frame_out (may be NULL) receives where the data area ended up. */
void relief_figure_decision_regions (cairo_t *cr, double width, double height, const ReliefDecisionMap *map,
                                     const ReliefRegions *regions, const ReliefFigureOptions *opt,
                                     ReliefPlotFrame *frame_out);

/* The ESD of one layer's weight matrix on log-log axes: a density histogram of its
 * eigenvalues >= the fit's threshold over log bins, the fitted power law from xmin to
 * lambda_max (in the same density: the tail's share times its pdf) and the
 * Marchenko-Pastur edge, dashed; the layer and its shape as the panel's title. */
typedef struct {
  int                   n_bins;
  double               *edges, *counts;      /* [n_bins + 1], [n_bins] */
  double                fit_x[2], fit_y[2];
  ReliefLineSeries      fit;
  ReliefHistogramMarker mp_edge;
  char                 *title, *fit_label;
} ReliefEsdFigure;

/* Fills esd (its arrays allocated) and spec, which points into it and into w. */
void relief_figure_weights_esd_spec  (const ReliefWeights *w, int layer, ReliefEsdFigure *esd,
                                      ReliefHistogramSpec *spec);
void relief_figure_weights_esd_clear (ReliefEsdFigure *esd);
/* One layer's ESD with opt->title above; frame_out (may be NULL) receives where the data
 * area ended up. */
void relief_figure_weights_esd       (cairo_t *cr, double width, double height, const ReliefWeights *w, int layer,
                                      const ReliefFigureOptions *opt, ReliefPlotFrame *frame_out);
/* The top singular value of each layer against the training step, one line per layer;
 * marked (a snapshot index, -1 none) as a vertical line at its step.  Axes alone when w
 * has no trajectory.  frame_out (may be NULL) as above. */
void relief_figure_weights_top       (cairo_t *cr, double width, double height, const ReliefWeights *w,
                                      const ReliefFigureOptions *opt, int marked, ReliefPlotFrame *frame_out);
/* Every layer's ESD in a grid of up to three columns and, when w has one, the trajectory
 * of top singular values below them; opt->title above.  _size: the size (points) that
 * gives each panel room. */
void relief_figure_weights           (cairo_t *cr, double width, double height, const ReliefWeights *w,
                                      const ReliefFigureOptions *opt);
void relief_figure_weights_size      (const ReliefWeights *w, double *width, double *height);

/* What the polygons of relief_figure_regions are filled by; a GEnum
 * (RELIEF_TYPE_REGIONS_COLOR) named by its nicks. */
typedef enum {
  RELIEF_REGIONS_COLOR_REGION, /*< nick=region >*/ /* a qualitative palette, neighbours apart */
  RELIEF_REGIONS_COLOR_CLASS,  /*< nick=class >*/  /* the decision figure's class tints, each region its own shade */
  RELIEF_REGIONS_COLOR_ACTIVE, /*< nick=active >*/ /* the number of active neurons, viridis, with a colorbar */
} ReliefRegionsColor;

/* A partition to draw: the regions over the rectangle [umin, umax] x [vmin, vmax] of their
 * plane, the samples to show on it (plane coordinates; n_samples 0: none; on a plane
 * through samples, three at most, each named by its class beside it). */
typedef struct {
  const ReliefRegions *regions;
  double               umin, umax, vmin, vmax;
  gboolean             input_plane;   /* axes x₁, x₂; else u, v of the plane through samples */
  int                  n_samples;
  const float         *samples;       /* [n_samples, 2] */
  const gint32        *labels;        /* [n_samples] */
  ReliefRegionsColor   color_by;
} ReliefRegionsFigure;

/* The polygons' specs and their colors, for views that draw them themselves (with a hover
 * of their own): the spec points into it and into the figure's regions and samples. */
typedef struct {
  ReliefPolygon        *polygons;     /* [R] */
  double               *xy;           /* the polygons' coordinates */
  char                  title[96];
  ReliefPolygonPlotSpec spec;
} ReliefRegionsSpec;

/* Region edges thin, the decision boundary thick over them, the samples on top;
 * opt->title above (NULL: the count of regions). */
void relief_figure_regions_spec  (const ReliefRegionsFigure *fig, const ReliefFigureOptions *opt,
                                  ReliefRegionsSpec *out);
void relief_figure_regions_clear (ReliefRegionsSpec *out);
/* The fill of region r as relief_figure_regions paints it. */
void relief_figure_regions_color (const ReliefRegionsFigure *fig, int r, double rgb[3]);
void relief_figure_regions       (cairo_t *cr, double width, double height, const ReliefRegionsFigure *fig,
                                  const ReliefFigureOptions *opt, ReliefPlotFrame *frame_out);
/* An optimizer race (relief-race-file.h) over its function's level sets.  The function's
 * values on a grid over the race's view come with it, sampled by the caller (the function
 * is compute's: relief_race_job_grid); z [ny, nx], row = y, over xs [nx], ys [ny]
 * ascending. */
typedef struct {
  int     nx, ny;
  double *xs, *ys, *z;
} ReliefRaceGrid;

/* A grid of nx x ny evenly spaced points over [xmin, xmax] x [ymin, ymax], z zeroed. */
ReliefRaceGrid *relief_race_grid_new  (int nx, int ny, double xmin, double xmax, double ymin, double ymax);
void            relief_race_grid_free (ReliefRaceGrid *grid);

/* The race at step (every racer's path up to it): on the left the function as a heatmap
 * with contour lines (both on a log scale where the function spans decades over the
 * view: its largest value more than 20 times its lowest tenth's), each racer's trail in its colour with a marker every k steps (about 15
 * over the race), the start and the known minima marked, a racer that diverged by step
 * crossed out where it did with "gd (lr 0.25) diverged at step N"; on
 * the right the loss of each racer against the step, with the legend (optimizer and lr),
 * on a log axis when every loss is positive, its axes those of the whole race so that frames of an animation line up.
 * opt->title (NULL: the function, and the step for a frame) above.  frame_out (may be
 * NULL) receives where the map's data area ended up (a page takes clicks on it). */
void relief_figure_race       (cairo_t *cr, double width, double height, const ReliefRaceFile *race,
                               const ReliefRaceGrid *grid, const ReliefFigureOptions *opt);
void relief_figure_race_frame (cairo_t *cr, double width, double height, const ReliefRaceFile *race,
                               const ReliefRaceGrid *grid, gint64 step, const ReliefFigureOptions *opt,
                               ReliefPlotFrame *frame_out);
/* The step between a trail's markers: about 15 markers over n_steps, at least 1. */
gint64 relief_figure_race_marker_every (gint64 n_steps);
/* The race as a GIF of width x height pixels (relief_plot_anim_gif): a frame every
 * `every` steps from 0, and the last step always, at fps frames a second; the figure laid
 * out as on a 720-point-wide page scaled to the width, so that its text keeps its share
 * of the picture.  _n_frames: how many frames that is. */
int      relief_figure_race_gif_n_frames (const ReliefRaceFile *race, gint64 every);
gboolean relief_figure_race_gif (const char *path, const ReliefRaceFile *race, const ReliefRaceGrid *grid, int width,
                                 int height, double fps, gint64 every, const ReliefFigureOptions *opt,
                                 ReliefAnimProgressFunc progress, gpointer progress_data, GCancellable *cancellable,
                                 GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefRaceGrid, relief_race_grid_free)

G_END_DECLS

#include "relief-config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-controls.h"
#include "relief-enums.h"
#include "relief-figures.h"
#include "relief-hessian-job.h"
#include "relief-output.h"
#include "relief-spectra-page.h"
#include "relief-weights-job.h"
#include "relief-work-dir.h"
#include "relief-worker.h"

/* The curvature shown after the run changed: this run's, an earlier run's (set_run
 * without a Compute yet), or the previous run's while another page trains the next. */
typedef enum {
  FRESH,
  EARLIER_RUN,
  RUN_TRAINING,
} Staleness;

#define N_PLOTS 3

struct _ReliefSpectraPage {
  ReliefPage parent_instance;

  /* template widgets */
  GtkWidget      *paned;          /* the root child, unparented in dispose */
  GtkWidget      *trajectory_row;
  GtkRange       *trajectory_scale;
  GtkSpinButton  *topk_spin;
  GtkSwitch      *smallest_switch;
  GtkSwitch      *trace_switch;
  GtkSwitch      *density_switch;
  GtkSpinButton  *samples_spin;
  AdwComboRow    *backend_row;
  AdwComboRow    *layer_row;
  GtkStringList  *layer_list;
  GtkLabel       *status_label;
  GtkLabel       *readout_label;
  GtkProgressBar *progress_bar;
  GtkDrawingArea *hessian_area;
  GtkDrawingArea *esd_area;
  GtkDrawingArea *top_area;
  GtkLabel       *eigen_label;

  /* owned */
  char                  *run_path;
  ReliefLoadedRun       *run;          /* run_path with its data set, once a Compute loaded it */
  ReliefLoadedRun       *params_run;   /* run_path's model and parameters, for the weights */
  double                 lr;           /* the run's learning rate; NaN unknown, no_lr saying why */
  char                  *no_lr;
  struct CurvatureWork  *work;         /* the running curvature job's data */
  ReliefHessianSpectrum *hessian;      /* what the density and the list show */
  char                  *hessian_run;  /* the run it is of (NULL: an opened file's, unknown) */
  Staleness              stale;
  ReliefWorker          *weights_job;
  struct WeightsWork    *weights_work;
  ReliefWeights         *weights;      /* what the ESD and the top singular values show */
  int                    layer;
  int                    pending_checkpoint;  /* the scrubber's once the run's snapshots are
                                                 known (an opened file's); -1: the last */
  ReliefPlotFrame        frames[N_PLOTS];  /* in pixels of each plot's widget */
  gboolean               has_frame[N_PLOTS];
  int                    hover_plot;        /* -1: the pointer is over none */
  double                 hover_x, hover_y;  /* its widget coordinates */
};

G_DEFINE_FINAL_TYPE (ReliefSpectraPage, relief_spectra_page, RELIEF_TYPE_PAGE)

static void update_views (ReliefSpectraPage *self);
static void start_weights (ReliefSpectraPage *self, int checkpoint, gboolean trajectory);

/* The checkpoint under the scrubber. */
static int
scrubbed (ReliefSpectraPage *self)
{
  return (int) gtk_range_get_value (self->trajectory_scale);
}

static const ReliefRun *
params_run (ReliefSpectraPage *self)
{
  return self->params_run ? relief_loaded_run_get_run (self->params_run) : NULL;
}

/* ---- The curvature job ---- */

/* Written by the worker thread, read by the page's tick. */
typedef struct CurvatureWork {
  ReliefWorkShared       shared;       /* its lock also guards job.run's setting */
  char                  *run_path;     /* loaded in the worker thread when job.run is NULL */
  ReliefHessianJob       job;
  ReliefHessianSpectrum *result;
} CurvatureWork;

static void
curvature_work_free (gpointer data)
{
  CurvatureWork *w = data;

  g_free (w->run_path);
  relief_hessian_job_clear (&w->job);
  g_clear_pointer (&w->result, relief_hessian_spectrum_free);
  relief_work_shared_clear (&w->shared);
  g_free (w);
}

static gboolean
curvature_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  CurvatureWork *w = data;
  ReliefHessianJobCallbacks cb = { .progress = relief_work_shared_progress, .user_data = w };

  if (!relief_work_shared_load_run (&w->shared, &w->job.run, w->run_path, error))
    return FALSE;
  return relief_hessian_job_run (&w->job, &cb, cancellable, &w->result, error);
}

static void
curvature_tick (gpointer owner)
{
  ReliefSpectraPage *self = owner;
  CurvatureWork *w = self->work;
  /* The page keeps the run the first job loaded, for every later Compute. */
  double fraction = relief_work_shared_keep_run (&w->shared, &w->job.run, w->run_path, &self->run, self->run_path);

  relief_page_set_progress (RELIEF_PAGE (self), fraction);
}

static void
curvature_done (gpointer owner, const GError *error)
{
  ReliefSpectraPage *self = owner;
  CurvatureWork *w = self->work;
  g_autofree char *message = NULL;

  curvature_tick (self);
  self->work = NULL;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      relief_page_report_cancelled (RELIEF_PAGE (self),
                                    self->hessian ? _("Cancelled: the curvature shown is kept; Compute starts again")
                                                  : _("Cancelled before the curvature was done: Compute starts again"));
      return;
    }
  if (error)
    {
      relief_page_report_error (RELIEF_PAGE (self), _("The curvature could not be computed"), error->message);
      return;
    }
  g_clear_pointer (&self->hessian, relief_hessian_spectrum_free);
  self->hessian = g_steal_pointer (&w->result);
  g_free (self->hessian_run);
  self->hessian_run = g_strdup (w->run_path);
  self->stale = FRESH;
  update_views (self);
  message = self->hessian->largest.n > 0
              ? g_strdup_printf (_("Curvature at checkpoint %d: λ_max = %.4g over %d samples"),
                                 self->hessian->checkpoint, self->hessian->largest.values[0], self->hessian->n_samples)
              : g_strdup_printf (_("Curvature at checkpoint %d over %d samples"), self->hessian->checkpoint,
                                 self->hessian->n_samples);
  relief_page_set_status (RELIEF_PAGE (self), message);
  relief_page_set_progress (RELIEF_PAGE (self), 1.0);
}

/* The settings, all good; else the first bad one is marked and the status line says which. */
static gboolean
read_curvature_job (ReliefSpectraPage *self, ReliefHessianJob *job, GError **error)
{
  GtkSpinButton *spins[] = { self->topk_spin, self->samples_spin, NULL };

  if (!relief_spins_check (spins, error))
    return FALSE;
  job->top_k = gtk_spin_button_get_value_as_int (self->topk_spin);
  job->smallest = gtk_switch_get_active (self->smallest_switch);
  job->trace = gtk_switch_get_active (self->trace_switch);
  job->density = gtk_switch_get_active (self->density_switch);
  job->n_samples = gtk_spin_button_get_value_as_int (self->samples_spin);
  job->backend = relief_combo_enum (self->backend_row);
  g_free (job->checkpoint);
  job->checkpoint = g_strdup_printf ("%d", scrubbed (self));
  if (job->smallest && job->top_k == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Smallest needs a Top k above 0: it finds the k smallest eigenvalues"));
      return FALSE;
    }
  if (job->top_k == 0 && !job->trace && !job->density)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Nothing to compute: ask for a Top k above 0, the trace or the density"));
      return FALSE;
    }
  return TRUE;
}

static void
relief_spectra_page_run (ReliefPage *page)
{
  ReliefSpectraPage *self = RELIEF_SPECTRA_PAGE (page);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  CurvatureWork *w;

  if (self->run_path == NULL)
    return;
  w = g_new0 (CurvatureWork, 1);
  relief_work_shared_init (&w->shared);
  relief_hessian_job_init_defaults (&w->job);
  if (!read_curvature_job (self, &w->job, &error))
    {
      curvature_work_free (w);
      relief_page_set_status (page, error->message);
      return;
    }
  w->run_path = g_strdup (self->run_path);
  if (self->run)
    w->job.run = relief_loaded_run_ref (self->run);
  self->work = w;
  message = g_strdup_printf (_("Computing the curvature at checkpoint %d…"), scrubbed (self));
  relief_page_set_status (page, message);
  relief_page_set_progress (page, 0);
  relief_page_start_job (page, curvature_work_run, w, curvature_work_free, curvature_tick, curvature_done);
}

/* ---- The weights job ---- */

typedef struct WeightsWork {
  char             *run_path;     /* loaded (its parameters) in the worker when job.run is NULL */
  ReliefWeightsJob  job;
  ReliefWeights    *result;
} WeightsWork;

static void
weights_work_free (gpointer data)
{
  WeightsWork *w = data;

  g_free (w->run_path);
  relief_weights_job_clear (&w->job);
  g_clear_pointer (&w->result, relief_weights_free);
  g_free (w);
}

static gboolean
weights_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  WeightsWork *w = data;

  if (w->job.run == NULL && (w->job.run = relief_loaded_run_load_parameters (w->run_path, error)) == NULL)
    return FALSE;
  return relief_weights_job_run (&w->job, NULL, cancellable, &w->result, error);
}

/* The run's learning rate, for the 2/eta line. */
static void
set_learning_rate (ReliefSpectraPage *self, double lr, const char *no_lr)
{
  self->lr = lr;
  g_free (self->no_lr);
  self->no_lr = g_strdup (no_lr);
}

/* The scrubber over the run's snapshots, at index; it says which step that is. */
static void
update_trajectory_row (ReliefSpectraPage *self)
{
  const ReliefRun *run = params_run (self);
  g_autofree char *text = NULL;
  int t = scrubbed (self);

  gtk_widget_set_sensitive (self->trajectory_row, run != NULL && run->n_snapshots > 1);
  if (run == NULL || t >= run->n_snapshots)
    text = g_strdup (_("Scrub through training"));
  else
    text = g_strdup_printf (_("Checkpoint %d of %d, step %lld"), t, run->n_snapshots - 1,
                            (long long) run->snapshot_step[t]);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->trajectory_row), text);
}

/* The run's model and snapshots, loaded with its first weights: the scrubber spans them. */
static void
adopt_params_run (ReliefSpectraPage *self, ReliefLoadedRun *run)
{
  const ReliefRun *r = relief_loaded_run_get_run (run);

  int last = MAX (r->n_snapshots - 1, 0), pending = self->pending_checkpoint;

  self->params_run = relief_loaded_run_ref (run);
  self->pending_checkpoint = -1;
  set_learning_rate (self, r->config.optimizer.lr, NULL);
  g_signal_handlers_block_matched (self->trajectory_scale, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_range_set_range (self->trajectory_scale, 0, last);
  gtk_range_set_value (self->trajectory_scale, pending >= 0 && pending <= last ? pending : last);
  g_signal_handlers_unblock_matched (self->trajectory_scale, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  update_trajectory_row (self);
}

/* The layer with the most eigenvalues (the first of those): the ESD with a tail to fit. */
static int
largest_layer (const ReliefWeights *w)
{
  int best = 0;

  for (int l = 1; l < w->n_layers; l++)
    if (w->layers[l].n > w->layers[best].n)
      best = l;
  return best;
}

/* The layer chooser names each layer by its shape; a model of another shape starts at its
 * largest layer. */
static void
update_layers (ReliefSpectraPage *self)
{
  const ReliefWeights *w = self->weights;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->layer_list));
  g_auto(GStrv) names = NULL;
  gboolean same = w != NULL && n == (guint) w->n_layers;

  if (w == NULL)
    {
      gtk_string_list_splice (self->layer_list, 0, n, NULL);
      gtk_widget_set_sensitive (GTK_WIDGET (self->layer_row), FALSE);
      return;
    }
  names = g_new0 (char *, w->n_layers + 1);
  for (int l = 0; l < w->n_layers; l++)
    {
      names[l] = g_strdup_printf (_("Layer %d (%d × %d)"), l, w->layers[l].rows, w->layers[l].cols);
      same = same && g_strcmp0 (names[l], gtk_string_list_get_string (self->layer_list, l)) == 0;
    }
  if (!same)
    {
      self->layer = largest_layer (w);
      g_signal_handlers_block_matched (self->layer_row, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      gtk_string_list_splice (self->layer_list, 0, n, (const char * const *) names);
      adw_combo_row_set_selected (self->layer_row, self->layer);
      g_signal_handlers_unblock_matched (self->layer_row, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->layer_row), w->n_layers > 1);
}

static void
weights_done (gpointer owner, const GError *error)
{
  ReliefSpectraPage *self = owner;
  WeightsWork *w = self->weights_work;

  self->weights_job = NULL;
  self->weights_work = NULL;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error)
    {
      g_autofree char *message = g_strdup_printf (_("The weight spectra could not be computed: %s"), error->message);

      relief_page_set_status (RELIEF_PAGE (self), message);
      relief_page_toast (RELIEF_PAGE (self), message);
      return;
    }
  if (g_strcmp0 (w->run_path, self->run_path) != 0)
    return;
  if (self->params_run == NULL)
    adopt_params_run (self, w->job.run);
  /* A checkpoint's spectra keep the trajectory computed with the run's first. */
  if (w->result->n_snapshots == 0 && self->weights && self->weights->n_snapshots > 0 &&
      g_strcmp0 (self->weights->run_file, w->result->run_file) == 0)
    {
      w->result->n_snapshots = self->weights->n_snapshots;
      w->result->snapshot_step = g_steal_pointer (&self->weights->snapshot_step);
      w->result->top_singular_values = g_steal_pointer (&self->weights->top_singular_values);
      self->weights->n_snapshots = 0;
    }
  g_clear_pointer (&self->weights, relief_weights_free);
  self->weights = g_steal_pointer (&w->result);
  update_layers (self);
  update_views (self);
  /* The scrubber moved on meanwhile: that checkpoint's spectra next. */
  if ((int) self->weights->checkpoint != scrubbed (self))
    start_weights (self, scrubbed (self), FALSE);
}

/* The weight spectra at checkpoint (and, with trajectory, the top singular values at
 * every snapshot), off the main loop; a job still running is dropped. */
static void
start_weights (ReliefSpectraPage *self, int checkpoint, gboolean trajectory)
{
  WeightsWork *w;

  if (self->run_path == NULL)
    return;
  g_clear_pointer (&self->weights_job, relief_worker_drop);
  w = g_new0 (WeightsWork, 1);
  relief_weights_job_init_defaults (&w->job);
  w->run_path = g_strdup (self->run_path);
  w->job.checkpoint = checkpoint;
  w->job.trajectory = trajectory;
  if (self->params_run)
    w->job.run = relief_loaded_run_ref (self->params_run);
  self->weights_work = w;
  self->weights_job = relief_worker_start (weights_work_run, w, weights_work_free, NULL, weights_done, self);
}

static void
on_scrubbed (ReliefSpectraPage *self)
{
  update_trajectory_row (self);
  update_views (self);
  if (self->params_run && (self->weights == NULL || (int) self->weights->checkpoint != scrubbed (self)))
    {
      /* One job at a time: the one running finishes and starts the next checkpoint's. */
      if (self->weights_job == NULL)
        start_weights (self, scrubbed (self), self->weights == NULL || self->weights->n_snapshots == 0);
    }
}

static void
on_layer_changed (ReliefSpectraPage *self)
{
  guint selected = adw_combo_row_get_selected (self->layer_row);

  if (self->weights == NULL || selected == GTK_INVALID_LIST_POSITION || (int) selected >= self->weights->n_layers)
    return;
  self->layer = (int) selected;
  update_views (self);
}

/* ---- Drawing ---- */

static gboolean
hessian_is_stale (ReliefSpectraPage *self)
{
  const ReliefRun *run = params_run (self);

  if (self->hessian == NULL)
    return FALSE;
  return self->stale != FRESH || (run != NULL && self->hessian->checkpoint != scrubbed (self));
}

/* Whether title fits a figure width points wide, at the figures' title font. */
static gboolean
title_fits (cairo_t *cr, double width, const char *title)
{
  cairo_text_extents_t e;

  cairo_save (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, RELIEF_PLOT_FONT_TITLE);
  cairo_text_extents (cr, title, &e);
  cairo_restore (cr);
  return e.x_advance <= width - 8;
}

/* The long title where it fits, else the short one (a narrow window); takes both. */
static char *
fitted_title (cairo_t *cr, double width, char *long_title, char *short_title)
{
  if (long_title == NULL || title_fits (cr, width, long_title))
    {
      g_free (short_title);
      return long_title;
    }
  g_free (long_title);
  return short_title;
}

/* On screen only, not in an export: why the curvature is not the scrubber's, or, in a
 * narrow plot, which checkpoint it is at in fewer words than the figure's own title. */
static char *
hessian_screen_title (ReliefSpectraPage *self, cairo_t *cr, double width)
{
  g_autofree char *full = NULL;

  if (self->stale == EARLIER_RUN)
    return fitted_title (cr, width, g_strdup (_("The previous run’s curvature: Compute shows this run’s")),
                         g_strdup (_("The previous run’s curvature")));
  if (self->stale == RUN_TRAINING)
    return fitted_title (cr, width, g_strdup (_("The previous run’s curvature: a new run is training")),
                         g_strdup (_("The previous run’s curvature")));
  if (hessian_is_stale (self))
    return fitted_title (cr, width,
                         g_strdup_printf (_("Curvature at checkpoint %d: Compute for checkpoint %d"),
                                          self->hessian->checkpoint, scrubbed (self)),
                         g_strdup_printf (_("Curvature at checkpoint %d"), self->hessian->checkpoint));
  full = g_strdup_printf (_("Hessian spectrum at checkpoint %d (%d samples)"), self->hessian->checkpoint,
                          self->hessian->n_samples);
  if (title_fits (cr, width, full))
    return NULL;
  return g_strdup_printf (_("Hessian at checkpoint %d"), self->hessian->checkpoint);
}

static void
draw_placeholder (cairo_t *cr, int width, int height, const char *text)
{
  cairo_text_extents_t e;

  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, RELIEF_PLOT_FONT_LABEL * RELIEF_PLOT_SCREEN_SCALE);
  cairo_set_source_rgb (cr, 0.45, 0.45, 0.45);
  cairo_text_extents (cr, text, &e);
  cairo_move_to (cr, MAX (8, (width - e.x_advance) / 2), height / 2.0);
  cairo_show_text (cr, text);
}

/* A figure drawn at the screen's text scale, its frame kept in pixels for the pointer. */
static void
keep_frame (ReliefSpectraPage *self, ReliefSpectraPlot plot, const ReliefPlotFrame *frame)
{
  self->frames[plot] = *frame;
  relief_plot_frame_scale (&self->frames[plot], RELIEF_PLOT_SCREEN_SCALE);
  self->has_frame[plot] = frame->pw > 0;
}

static void
hessian_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  ReliefSpectraPage *self = user_data;
  g_autofree char *title = NULL;
  ReliefFigureOptions opt;
  ReliefPlotFrame frame = { 0 };
  double w, h;

  if (self->hessian == NULL)
    {
      self->has_frame[RELIEF_SPECTRA_PLOT_HESSIAN] = FALSE;
      draw_placeholder (cr, width, height, self->run_path ? _("Compute shows the Hessian’s spectrum at the checkpoint")
                                                          : _("Train or open a run to see its spectra"));
      return;
    }
  relief_figure_options_init (&opt);
  relief_plot_screen_begin (cr, width, height, &w, &h);
  opt.title = title = hessian_screen_title (self, cr, w);
  relief_figure_hessian (cr, w, h, self->hessian, self->lr, self->no_lr, &opt, &frame);
  keep_frame (self, RELIEF_SPECTRA_PLOT_HESSIAN, &frame);
}

/* The weights' title on screen: which checkpoint, and whether it is the run's before;
 * fewer words in a narrow plot. */
static char *
weights_screen_title (ReliefSpectraPage *self, cairo_t *cr, double width)
{
  const ReliefWeights *w = self->weights;

  if (self->stale == RUN_TRAINING)
    return fitted_title (cr, width, g_strdup (_("Weight ESD: the previous run’s")),
                         g_strdup (_("The previous run’s")));
  return fitted_title (cr, width,
                       g_strdup_printf (_("Weight ESD at checkpoint %lld (step %lld)"), (long long) w->checkpoint,
                                        (long long) w->checkpoint_step),
                       g_strdup_printf (_("Checkpoint %lld"), (long long) w->checkpoint));
}

static void
esd_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  ReliefSpectraPage *self = user_data;
  g_autofree char *title = NULL;
  ReliefFigureOptions opt;
  ReliefPlotFrame frame = { 0 };
  double w, h;

  if (self->weights == NULL)
    {
      self->has_frame[RELIEF_SPECTRA_PLOT_ESD] = FALSE;
      draw_placeholder (cr, width, height, self->weights_job ? _("Computing the weight spectra…")
                                                             : _("The layers’ weight spectra show here"));
      return;
    }
  relief_figure_options_init (&opt);
  relief_plot_screen_begin (cr, width, height, &w, &h);
  opt.title = title = weights_screen_title (self, cr, w);
  relief_figure_weights_esd (cr, w, h, self->weights, self->layer, &opt, &frame);
  keep_frame (self, RELIEF_SPECTRA_PLOT_ESD, &frame);
}

/* The snapshot the top singular values mark: the scrubber's. */
static int
top_marked (ReliefSpectraPage *self)
{
  const ReliefWeights *w = self->weights;
  int t = scrubbed (self);

  return w != NULL && t < w->n_snapshots ? t : (w ? (int) w->checkpoint : -1);
}

static void
top_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  ReliefSpectraPage *self = user_data;
  ReliefFigureOptions opt;
  ReliefPlotFrame frame = { 0 };
  double w, h;

  if (self->weights == NULL || self->weights->n_snapshots == 0)
    {
      self->has_frame[RELIEF_SPECTRA_PLOT_TOP] = FALSE;
      draw_placeholder (cr, width, height, _("The top singular values over training show here"));
      return;
    }
  relief_figure_options_init (&opt);
  relief_plot_screen_begin (cr, width, height, &w, &h);
  relief_figure_weights_top (cr, w, h, self->weights, &opt, top_marked (self), &frame);
  keep_frame (self, RELIEF_SPECTRA_PLOT_TOP, &frame);
}

/* The list beside the density: the eigenvalues with their residuals, the trace with its
 * standard error, and 2/eta. */
static char *
eigen_list_text (ReliefSpectraPage *self)
{
  const ReliefHessianSpectrum *hs = self->hessian;
  GString *text = g_string_new (NULL);

  if (hs == NULL)
    {
      g_string_free (text, TRUE);
      return g_strdup (self->run_path ? _("Compute lists the top eigenvalues here") : "");
    }
  if (hessian_is_stale (self))
    g_string_append_printf (text, _("Checkpoint %d (not the scrubber’s)\n\n"), hs->checkpoint);
  if (hs->largest.n > 0)
    {
      g_string_append (text, _("Largest eigenvalues\n"));
      for (int i = 0; i < hs->largest.n; i++)
        g_string_append_printf (text, "λ%-2d %10.5g ±%.0e\n", i + 1, hs->largest.values[i], hs->largest.residuals[i]);
    }
  if (hs->smallest.n > 0)
    {
      g_string_append (text, _("\nSmallest eigenvalues\n"));
      for (int i = 0; i < hs->smallest.n; i++)
        g_string_append_printf (text, "λ%-2d %10.5g ±%.0e\n", i + 1, hs->smallest.values[i],
                                hs->smallest.residuals[i]);
    }
  if (hs->has_trace)
    g_string_append_printf (text, _("\nTrace\n%.5g ± %.2g\n(%d probes)\n"), hs->trace, hs->trace_stderr,
                            hs->trace_probes);
  if (isfinite (self->lr) && self->lr > 0)
    g_string_append_printf (text, _("\n2/η = %.5g\n(learning rate %.3g)\n"), 2 / self->lr, self->lr);
  if (hs->largest.n > 0)
    g_string_append (text, _("\n±: residual ‖Hv−λv‖"));
  return g_string_free (text, FALSE);
}

static void update_readout (ReliefSpectraPage *self);

static void
update_views (ReliefSpectraPage *self)
{
  g_autofree char *list = eigen_list_text (self);

  gtk_label_set_text (self->eigen_label, list);
  gtk_widget_queue_draw (GTK_WIDGET (self->hessian_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->esd_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->top_area));
  update_readout (self);
}

/* ---- Hover ---- */

/* Linear between the density's grid points (ascending). */
static gboolean
density_at (const ReliefHessianSpectrum *hs, double x, double *density)
{
  int n = hs->n_grid;

  if (n < 2 || x < hs->density_grid[0] || x > hs->density_grid[n - 1])
    return FALSE;
  for (int i = 0; i + 1 < n; i++)
    if (x <= hs->density_grid[i + 1])
      {
        double span = hs->density_grid[i + 1] - hs->density_grid[i];
        double t = span > 0 ? (x - hs->density_grid[i]) / span : 0;

        *density = (1 - t) * hs->density[i] + t * hs->density[i + 1];
        return TRUE;
      }
  return FALSE;
}

static char *
hessian_readout (ReliefSpectraPage *self, double x)
{
  const ReliefHessianSpectrum *hs = self->hessian;
  double density;

  if (hs->n_grid > 0)
    return density_at (hs, x, &density) ? g_strdup_printf (_("eigenvalue %.4g   density %.3g"), x, density)
                                        : g_strdup_printf (_("eigenvalue %.4g   outside the density"), x);
  {
    /* Without a density the axis is the rank. */
    int rank = (int) lround (x);

    if (rank >= 1 && rank <= hs->largest.n && rank <= hs->smallest.n)
      return g_strdup_printf (_("rank %d   largest %.6g   smallest %.6g"), rank, hs->largest.values[rank - 1],
                              hs->smallest.values[rank - 1]);
    if (rank >= 1 && rank <= hs->largest.n)
      return g_strdup_printf (_("rank %d   eigenvalue %.6g"), rank, hs->largest.values[rank - 1]);
    if (rank >= 1 && rank <= hs->smallest.n)
      return g_strdup_printf (_("rank %d   eigenvalue %.6g"), rank, hs->smallest.values[rank - 1]);
  }
  return NULL;
}

static char *
esd_readout (ReliefSpectraPage *self, double x)
{
  const ReliefLayerSpectrum *s = &self->weights->layers[self->layer];
  ReliefEsdFigure esd;
  ReliefHistogramSpec spec;
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, _("λ %.4g"), x);
  relief_figure_weights_esd_spec (self->weights, self->layer, &esd, &spec);
  for (int b = 0; b < spec.n_bins; b++)
    if (x >= spec.edges[b] && x <= spec.edges[b + 1])
      {
        double density = spec.counts[b] / (s->n_fitted * (spec.edges[b + 1] - spec.edges[b]));

        g_string_append_printf (text, _("   ESD %.3g (%.0f of %d)"), density, spec.counts[b], s->n_fitted);
        break;
      }
  if (spec.n_lines > 0 && x >= esd.fit_x[0] && x <= esd.fit_x[1])
    g_string_append_printf (text, _("   power law %.3g"), esd.fit_y[0] * pow (x / esd.fit_x[0], -s->fit.alpha));
  relief_figure_weights_esd_clear (&esd);
  return g_string_free (text, FALSE);
}

static char *
top_readout (ReliefSpectraPage *self, double x)
{
  const ReliefWeights *w = self->weights;
  GString *text;
  int nearest = 0;

  for (int t = 1; t < w->n_snapshots; t++)
    if (fabs (w->snapshot_step[t] - x) < fabs (w->snapshot_step[nearest] - x))
      nearest = t;
  /* The layers in the legend's order. */
  text = g_string_new (NULL);
  g_string_append_printf (text, _("step %lld   σ_max by layer"), (long long) w->snapshot_step[nearest]);
  for (int l = 0; l < w->n_layers; l++)
    g_string_append_printf (text, "%s%.4g", l ? ", " : " ", w->top_singular_values[(gsize) nearest * w->n_layers + l]);
  return g_string_free (text, FALSE);
}

char *
relief_spectra_page_readout (ReliefSpectraPage *self, ReliefSpectraPlot plot, double x, double y)
{
  g_return_val_if_fail (RELIEF_IS_SPECTRA_PAGE (self), NULL);
  switch (plot)
    {
    case RELIEF_SPECTRA_PLOT_HESSIAN:
      return self->hessian ? hessian_readout (self, x) : NULL;
    case RELIEF_SPECTRA_PLOT_ESD:
      return self->weights ? esd_readout (self, x) : NULL;
    case RELIEF_SPECTRA_PLOT_TOP:
      return self->weights && self->weights->n_snapshots > 0 ? top_readout (self, x) : NULL;
    default:
      return NULL;
    }
}

static void
update_readout (ReliefSpectraPage *self)
{
  g_autofree char *text = NULL;
  double x, y;
  int plot = self->hover_plot;

  if (plot >= 0 && self->has_frame[plot] &&
      relief_plot_frame_to_data (&self->frames[plot], self->hover_x, self->hover_y, &x, &y))
    text = relief_spectra_page_readout (self, plot, x, y);
  gtk_label_set_text (self->readout_label, text ? text : "");
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, ReliefSpectraPage *self)
{
  GtkWidget *area = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (motion));

  self->hover_plot = area == GTK_WIDGET (self->hessian_area) ? RELIEF_SPECTRA_PLOT_HESSIAN
                     : area == GTK_WIDGET (self->esd_area)   ? RELIEF_SPECTRA_PLOT_ESD
                                                             : RELIEF_SPECTRA_PLOT_TOP;
  self->hover_x = x;
  self->hover_y = y;
  update_readout (self);
}

static void
on_leave (GtkEventControllerMotion *motion, ReliefSpectraPage *self)
{
  self->hover_plot = -1;
  gtk_label_set_text (self->readout_label, "");
}

gboolean
relief_spectra_page_get_frame (ReliefSpectraPage *self, ReliefSpectraPlot plot, ReliefPlotFrame *frame)
{
  g_return_val_if_fail (RELIEF_IS_SPECTRA_PAGE (self), FALSE);
  g_return_val_if_fail (plot < N_PLOTS, FALSE);
  if (!self->has_frame[plot])
    return FALSE;
  *frame = self->frames[plot];
  return TRUE;
}

/* ---- Runs and files ---- */

void
relief_spectra_page_set_run (ReliefSpectraPage *self, const char *run_path)
{
  g_return_if_fail (RELIEF_IS_SPECTRA_PAGE (self));

  /* Loaded again also when it is the same path: a continued run is rewritten there. */
  if (relief_page_is_running (RELIEF_PAGE (self)))
    relief_page_set_status (RELIEF_PAGE (self), _("The previous run’s curvature was stopped: Compute computes this run’s"));
  relief_page_drop_job (RELIEF_PAGE (self));
  self->work = NULL;
  g_clear_pointer (&self->weights_job, relief_worker_drop);
  self->weights_work = NULL;
  if (self->hessian && g_strcmp0 (self->hessian_run, run_path) != 0)
    self->stale = EARLIER_RUN;
  g_free (self->run_path);
  self->run_path = g_strdup (run_path);
  g_clear_pointer (&self->run, relief_loaded_run_unref);
  g_clear_pointer (&self->params_run, relief_loaded_run_unref);
  /* Without a run no weights come to replace those shown. */
  if (run_path == NULL)
    {
      g_clear_pointer (&self->weights, relief_weights_free);
      update_layers (self);
    }
  self->pending_checkpoint = -1;
  set_learning_rate (self, NAN, _("the run is still loading"));
  relief_page_set_can_run (RELIEF_PAGE (self), run_path != NULL);
  update_trajectory_row (self);
  start_weights (self, -1, TRUE);
  update_views (self);
}

/* A run trained or opened on another page: its weight spectra at once; its curvature on
 * Compute. */
static gboolean
relief_spectra_page_show_run (ReliefPage *page, const char *run_path)
{
  ReliefSpectraPage *self = RELIEF_SPECTRA_PAGE (page);

  if (self->stale == RUN_TRAINING)
    self->stale = self->hessian ? EARLIER_RUN : FRESH;
  relief_spectra_page_set_run (self, run_path);
  if (self->hessian)
    relief_page_set_status (page, _("The curvature shown is the previous run’s: Compute shows this run’s"));
  return TRUE;
}

/* Another page began a run (coming) or ended without one. */
static void
relief_spectra_page_run_coming (ReliefPage *page, gboolean coming)
{
  ReliefSpectraPage *self = RELIEF_SPECTRA_PAGE (page);

  if (coming && (self->hessian || self->weights))
    {
      self->stale = RUN_TRAINING;
      relief_page_set_status (page, _("The spectra shown are the previous run’s until the new run is trained"));
    }
  else if (!coming && self->stale == RUN_TRAINING)
    {
      self->stale = FRESH;
      relief_page_set_status (page, "");
    }
  update_views (self);
}

/* The scrubber at checkpoint: now when the run's snapshots are known, else once they are. */
static void
scrub_to (ReliefSpectraPage *self, int checkpoint)
{
  if (self->params_run)
    gtk_range_set_value (self->trajectory_scale, checkpoint);
  else
    self->pending_checkpoint = checkpoint;
}

/* The run a file names, when it is still there: its scrubber, learning rate and weights. */
static void
take_up_named_run (ReliefSpectraPage *self, const char *run_file)
{
  if (run_file != NULL && g_file_test (run_file, G_FILE_TEST_IS_REGULAR))
    {
      relief_spectra_page_set_run (self, run_file);
      return;
    }
  relief_spectra_page_set_run (self, NULL);
  set_learning_rate (self, NAN, _("its run file is not there"));
}

static gboolean
open_hessian (ReliefSpectraPage *self, const char *path)
{
  g_autoptr(ReliefHessianSpectrum) hs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL, *message = NULL;

  if ((hs = relief_hessian_spectrum_load (path, &error)) == NULL)
    {
      relief_page_report_error (RELIEF_PAGE (self), _("Cannot open the curvature"), error->message);
      return TRUE;
    }
  g_clear_pointer (&self->hessian, relief_hessian_spectrum_free);
  self->stale = FRESH;
  take_up_named_run (self, hs->run_file);
  g_free (self->hessian_run);
  self->hessian_run = g_strdup (self->run_path);
  self->hessian = g_steal_pointer (&hs);
  if (self->run_path)
    scrub_to (self, self->hessian->checkpoint);
  update_views (self);
  relief_work_dir_add_recent (path, NULL);
  title = relief_work_dir_title (path);
  message = self->run_path ? g_strdup_printf (_("Opened %s"), title)
                           : g_strdup_printf (_("Opened %s; its run is not there, so Compute cannot compute it again"),
                                              title);
  relief_page_set_status (RELIEF_PAGE (self), message);
  return TRUE;
}

static gboolean
open_weights (ReliefSpectraPage *self, const char *path)
{
  g_autoptr(ReliefWeights) w = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL, *message = NULL;

  if ((w = relief_weights_load (path, &error)) == NULL)
    {
      relief_page_report_error (RELIEF_PAGE (self), _("Cannot open the weight spectra"), error->message);
      return TRUE;
    }
  take_up_named_run (self, w->run_file);
  /* What the file holds is shown at once; the run's own spectra as the scrubber moves. */
  g_clear_pointer (&self->weights, relief_weights_free);
  self->weights = g_steal_pointer (&w);
  if (self->run_path && self->params_run == NULL)
    {
      /* The run's parameters load with the file's checkpoint, not its last. */
      scrub_to (self, (int) self->weights->checkpoint);
      start_weights (self, (int) self->weights->checkpoint, self->weights->n_snapshots == 0);
    }
  else if (self->run_path)
    scrub_to (self, (int) self->weights->checkpoint);
  update_layers (self);
  update_views (self);
  relief_work_dir_add_recent (path, NULL);
  title = relief_work_dir_title (path);
  message = self->run_path ? g_strdup_printf (_("Opened %s"), title)
                           : g_strdup_printf (_("Opened %s; its run is not there, so the scrubber cannot move"), title);
  relief_page_set_status (RELIEF_PAGE (self), message);
  return TRUE;
}

static gboolean
relief_spectra_page_open (ReliefPage *page, const char *path, ReliefFileKind kind)
{
  ReliefSpectraPage *self = RELIEF_SPECTRA_PAGE (page);

  if (kind == RELIEF_FILE_KIND_HESSIAN)
    return open_hessian (self, path);
  if (kind == RELIEF_FILE_KIND_WEIGHTS)
    return open_weights (self, path);
  return FALSE;
}

/* ---- Export ---- */

#define FIGURE_WIDTH 792.0
#define FIGURE_HEIGHT 612.0

/* The page's figure: the curvature across the top, the ESD and the top singular values
 * under it, those the page has. */
static void
draw_page_figure (cairo_t *cr, double width, double height, gpointer user_data)
{
  ReliefSpectraPage *self = user_data;
  ReliefFigureOptions opt;
  double top = self->hessian ? (self->weights ? height / 2 : height) : 0;
  gboolean has_top = self->weights && self->weights->n_snapshots > 0;
  double half = has_top ? width / 2 : width;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  relief_figure_options_init (&opt);
  if (self->hessian)
    relief_figure_hessian (cr, width, top, self->hessian, self->lr, self->no_lr, &opt, NULL);
  if (self->weights == NULL)
    return;
  cairo_save (cr);
  cairo_translate (cr, 0, top);
  {
    g_autofree char *title = g_strdup_printf (_("Weight ESD at checkpoint %lld (step %lld)"),
                                              (long long) self->weights->checkpoint,
                                              (long long) self->weights->checkpoint_step);
    opt.title = title;
    relief_figure_weights_esd (cr, half, height - top, self->weights, self->layer, &opt, NULL);
  }
  cairo_restore (cr);
  if (has_top)
    {
      opt.title = " ";
      cairo_save (cr);
      cairo_translate (cr, half, top);
      relief_figure_weights_top (cr, width - half, height - top, self->weights, &opt, top_marked (self), NULL);
      cairo_restore (cr);
    }
}

void
relief_spectra_page_export_figure (ReliefSpectraPage *self, GFile *file)
{
  g_return_if_fail (RELIEF_IS_SPECTRA_PAGE (self));
  relief_page_write_figure (RELIEF_PAGE (self), file, FIGURE_WIDTH, self->hessian && self->weights ? FIGURE_HEIGHT
                                                                                                   : FIGURE_HEIGHT / 2,
                            draw_page_figure, self);
}

static void
export_figure_to (ReliefPage *page, GFile *file)
{
  relief_spectra_page_export_figure (RELIEF_SPECTRA_PAGE (page), file);
}

static void
relief_spectra_page_export (ReliefPage *page)
{
  ReliefSpectraPage *self = RELIEF_SPECTRA_PAGE (page);

  if (self->hessian == NULL && self->weights == NULL)
    {
      relief_page_report_error (page, _("Nothing to export yet"), _("Train or open a run, or Compute its curvature."));
      return;
    }
  relief_page_choose_figure (page, _("Export Spectra"), "spectra.pdf", export_figure_to);
}

/* CSV numbers that read back exactly. */
static void
append_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (v))
    g_string_append (s, "nan");
  else
    g_string_append (s, g_ascii_dtostr (buf, sizeof buf, v));
}

static void
append_row (GString *s, const char *label, int index, double value, double error)
{
  g_string_append_printf (s, "%s,%d,", label, index);
  append_number (s, value);
  g_string_append_c (s, ',');
  append_number (s, error);
  g_string_append_c (s, '\n');
}

/* path with suffix before its .csv: the other tables of one export. */
static char *
sibling_csv (const char *path, const char *suffix)
{
  g_autofree char *stem = g_str_has_suffix (path, ".csv") ? g_strndup (path, strlen (path) - 4) : g_strdup (path);

  return g_strconcat (stem, suffix, ".csv", NULL);
}

static gboolean
save_text (const char *path, GString *text, GError **error)
{
  return relief_output_save (path, text->str, text->len, error);
}

static gboolean
save_curvature_csv (const ReliefHessianSpectrum *hs, const char *path, GError **error)
{
  g_autoptr(GString) pairs = g_string_new ("kind,index,value,error\n");

  for (int i = 0; i < hs->largest.n; i++)
    append_row (pairs, "largest", i + 1, hs->largest.values[i], hs->largest.residuals[i]);
  for (int i = 0; i < hs->smallest.n; i++)
    append_row (pairs, "smallest", i + 1, hs->smallest.values[i], hs->smallest.residuals[i]);
  if (hs->has_trace)
    append_row (pairs, "trace", 0, hs->trace, hs->trace_stderr);
  if (!save_text (path, pairs, error))
    return FALSE;
  if (hs->n_grid > 0)
    {
      g_autoptr(GString) density = g_string_new ("eigenvalue,density\n");
      g_autofree char *density_path = sibling_csv (path, "-density");

      for (int i = 0; i < hs->n_grid; i++)
        {
          append_number (density, hs->density_grid[i]);
          g_string_append_c (density, ',');
          append_number (density, hs->density[i]);
          g_string_append_c (density, '\n');
        }
      if (!save_text (density_path, density, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
save_weights_csv (const ReliefWeights *w, const char *path, GError **error)
{
  g_autoptr(GString) layers = g_string_new ("layer,rows,cols,alpha,alpha_stderr,xmin,n_tail,ks_distance,lambda_max,"
                                            "weighted_alpha,log_spectral_norm,stable_rank,entry_variance,mp_edge\n");
  g_autoptr(GString) values = g_string_new ("layer,index,singular_value,eigenvalue\n");
  g_autofree char *values_path = sibling_csv (path, "-singular-values");

  for (int l = 0; l < w->n_layers; l++)
    {
      const ReliefLayerSpectrum *s = &w->layers[l];
      double metrics[] = { s->fit.alpha, s->fit.alpha_stderr, s->fit.xmin };
      double more[] = { s->fit.ks_distance, s->lambda_max, s->weighted_alpha, s->log_spectral_norm,
                        s->stable_rank, s->entry_variance, s->mp_edge };

      g_string_append_printf (layers, "%d,%d,%d", l, s->rows, s->cols);
      for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
        g_string_append_c (layers, ','), append_number (layers, metrics[i]);
      g_string_append_printf (layers, ",%d", s->fit.n_tail);
      for (guint i = 0; i < G_N_ELEMENTS (more); i++)
        g_string_append_c (layers, ','), append_number (layers, more[i]);
      g_string_append_c (layers, '\n');
      for (int i = 0; i < s->n; i++)
        {
          g_string_append_printf (values, "%d,%d,", l, i + 1);
          append_number (values, s->singular_values[i]);
          g_string_append_c (values, ',');
          append_number (values, s->esd[i]);
          g_string_append_c (values, '\n');
        }
    }
  if (!save_text (path, layers, error) || !save_text (values_path, values, error))
    return FALSE;
  if (w->n_snapshots > 0)
    {
      g_autoptr(GString) top = g_string_new ("step,layer,top_singular_value\n");
      g_autofree char *top_path = sibling_csv (path, "-top-singular-values");

      for (int t = 0; t < w->n_snapshots; t++)
        for (int l = 0; l < w->n_layers; l++)
          {
            g_string_append_printf (top, "%lld,%d,", (long long) w->snapshot_step[t], l);
            append_number (top, w->top_singular_values[(gsize) t * w->n_layers + l]);
            g_string_append_c (top, '\n');
          }
      if (!save_text (top_path, top, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
relief_spectra_page_export_data (ReliefSpectraPage *self, ReliefSpectraData what, const char *path, GError **error)
{
  gboolean csv = g_str_has_suffix (path, ".csv");
  gboolean h5 = g_str_has_suffix (path, ".h5") || g_str_has_suffix (path, ".hdf5");
  gboolean ok;

  g_return_val_if_fail (RELIEF_IS_SPECTRA_PAGE (self), FALSE);
  if (!csv && !h5)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Choose a file name ending in .h5 (HDF5) or .csv"));
      return FALSE;
    }
  if (what == RELIEF_SPECTRA_DATA_CURVATURE)
    {
      if (self->hessian == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No curvature yet: Compute it first"));
          return FALSE;
        }
      ok = csv ? save_curvature_csv (self->hessian, path, error)
               : relief_hessian_spectrum_save (self->hessian, path, error);
    }
  else
    {
      if (self->weights == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No weight spectra yet: train or open a run"));
          return FALSE;
        }
      ok = csv ? save_weights_csv (self->weights, path, error) : relief_weights_save (self->weights, path, error);
    }
  if (ok && h5)
    relief_work_dir_add_recent (path, NULL);
  return ok;
}

static void
export_data_to (ReliefSpectraPage *self, ReliefSpectraData what, GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *basename = g_file_get_basename (file);
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Choose a local file"));
  if (error != NULL || !relief_spectra_page_export_data (self, what, path, &error))
    relief_page_report_error (RELIEF_PAGE (self), _("Cannot export"), error->message);
  else
    {
      g_autofree char *message = g_strdup_printf (_("Exported %s"), basename);

      relief_page_toast (RELIEF_PAGE (self), message);
    }
}

static void
export_curvature_to (ReliefPage *page, GFile *file)
{
  export_data_to (RELIEF_SPECTRA_PAGE (page), RELIEF_SPECTRA_DATA_CURVATURE, file);
}

static void
export_weights_to (ReliefPage *page, GFile *file)
{
  export_data_to (RELIEF_SPECTRA_PAGE (page), RELIEF_SPECTRA_DATA_WEIGHTS, file);
}

static void
choose_data (ReliefSpectraPage *self, const char *title, const char *default_name, ReliefPageFileFunc on_file)
{
  static const char *const names[] = { N_("HDF5 file"), N_("CSV tables") };
  static const char *const patterns[] = { "*.h5", "*.csv" };

  relief_page_choose_save (RELIEF_PAGE (self), title, default_name, names, patterns, G_N_ELEMENTS (names), on_file);
}

static void
action_export_curvature (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefSpectraPage *self = RELIEF_SPECTRA_PAGE (widget);

  if (self->hessian == NULL)
    relief_page_report_error (RELIEF_PAGE (self), _("Nothing to export yet"), _("Compute the curvature first."));
  else
    choose_data (self, _("Export Curvature"), "curvature.h5", export_curvature_to);
}

static void
action_export_weights (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefSpectraPage *self = RELIEF_SPECTRA_PAGE (widget);

  if (self->weights == NULL)
    relief_page_report_error (RELIEF_PAGE (self), _("Nothing to export yet"), _("Train or open a run first."));
  else
    choose_data (self, _("Export Weight Spectra"), "weights.h5", export_weights_to);
}

/* ---- Accessors ---- */

const ReliefHessianSpectrum *
relief_spectra_page_get_hessian (ReliefSpectraPage *self, gboolean *stale)
{
  g_return_val_if_fail (RELIEF_IS_SPECTRA_PAGE (self), NULL);
  if (stale)
    *stale = hessian_is_stale (self);
  return self->hessian;
}

const ReliefWeights *
relief_spectra_page_get_weights (ReliefSpectraPage *self, gboolean *busy)
{
  g_return_val_if_fail (RELIEF_IS_SPECTRA_PAGE (self), NULL);
  if (busy)
    *busy = self->weights_job != NULL;
  return self->weights;
}

int
relief_spectra_page_get_layer (ReliefSpectraPage *self)
{
  g_return_val_if_fail (RELIEF_IS_SPECTRA_PAGE (self), 0);
  return self->layer;
}

/* ---- The type ---- */

static void
relief_spectra_page_dispose (GObject *object)
{
  ReliefSpectraPage *self = RELIEF_SPECTRA_PAGE (object);

  g_clear_pointer (&self->weights_job, relief_worker_drop);
  self->weights_work = NULL;
  G_OBJECT_CLASS (relief_spectra_page_parent_class)->dispose (object);
}

static void
relief_spectra_page_finalize (GObject *object)
{
  ReliefSpectraPage *self = RELIEF_SPECTRA_PAGE (object);

  g_free (self->run_path);
  g_clear_pointer (&self->run, relief_loaded_run_unref);
  g_clear_pointer (&self->params_run, relief_loaded_run_unref);
  g_free (self->no_lr);
  g_clear_pointer (&self->hessian, relief_hessian_spectrum_free);
  g_free (self->hessian_run);
  g_clear_pointer (&self->weights, relief_weights_free);
  G_OBJECT_CLASS (relief_spectra_page_parent_class)->finalize (object);
}

#define CHILD(field) RELIEF_TEMPLATE_CHILD (ReliefSpectraPage, field)
static const ReliefTemplateChild children[] = {
  CHILD (paned), CHILD (trajectory_row), CHILD (trajectory_scale), CHILD (topk_spin), CHILD (smallest_switch),
  CHILD (trace_switch), CHILD (density_switch), CHILD (samples_spin), CHILD (backend_row), CHILD (layer_row),
  CHILD (layer_list), CHILD (status_label), CHILD (readout_label), CHILD (progress_bar), CHILD (hessian_area),
  CHILD (esd_area), CHILD (top_area), CHILD (eigen_label)
};
#undef CHILD

static void
relief_spectra_page_class_init (ReliefSpectraPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ReliefPageClass *page_class = RELIEF_PAGE_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = relief_spectra_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = relief_spectra_page_finalize;
  page_class->run = relief_spectra_page_run;
  page_class->export = relief_spectra_page_export;
  page_class->show_run = relief_spectra_page_show_run;
  page_class->open = relief_spectra_page_open;
  page_class->run_coming = relief_spectra_page_run_coming;
  gtk_widget_class_install_action (widget_class, "page.export-curvature", NULL, action_export_curvature);
  gtk_widget_class_install_action (widget_class, "page.export-weights", NULL, action_export_weights);

  g_type_ensure (RELIEF_TYPE_BACKEND_KIND);
  relief_page_class_set_template (page_class, "/org/relief/Relief/ui/relief-spectra-page.ui",
                                  children, G_N_ELEMENTS (children));
}

static void
add_hover (ReliefSpectraPage *self, GtkDrawingArea *area, GtkDrawingAreaDrawFunc draw)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  gtk_drawing_area_set_draw_func (area, draw, self, NULL);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (area), motion);
}

static void
relief_spectra_page_init (ReliefSpectraPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  relief_page_set_status_widgets (RELIEF_PAGE (self), self->status_label, self->progress_bar);
  self->lr = NAN;
  self->hover_plot = -1;
  self->pending_checkpoint = -1;
  /* Nothing to compute until a run is set. */
  relief_page_set_can_run (RELIEF_PAGE (self), FALSE);
  add_hover (self, self->hessian_area, hessian_draw);
  add_hover (self, self->esd_area, esd_draw);
  add_hover (self, self->top_area, top_draw);
  relief_spin_watch (self->topk_spin);
  relief_spin_watch (self->samples_spin);
  g_signal_connect_swapped (self->trajectory_scale, "value-changed", G_CALLBACK (on_scrubbed), self);
  g_signal_connect_swapped (self->layer_row, "notify::selected", G_CALLBACK (on_layer_changed), self);
  update_views (self);
}

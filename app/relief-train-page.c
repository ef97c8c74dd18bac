#include "relief-config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-controls.h"
#include "relief-decision-job.h"
#include "relief-live-curves.h"
#include "relief-figures.h"
#include "relief-train-job.h"
#include "relief-plot-view.h"
#include "relief-plot.h"
#include "relief-regions-live.h"
#include "relief-train-page.h"
#include "relief-work-dir.h"

enum { TRAIN_LOSS, TEST_LOSS, TRAIN_ACC, TEST_ACC, N_SERIES };
enum { LC_TRAIN, LC_TEST, LC_RANDOM, N_LC };

/* A live partition of more regions than this is refused (a message), not drawn: a
 * network gone that far is no picture any more, and the thread stays responsive. */
#define LIVE_MAX_REGIONS 200000

/* Buckets of the live curves: up to twice as many points, about one per pixel column of
 * a wide plot. */
#define LIVE_BUCKETS 1024

struct _ReliefTrainPage {
  ReliefPage parent_instance;

  /* template widgets */
  GtkWidget      *paned;          /* the root child, unparented in dispose */
  ReliefTrainControls controls;   /* data, model and training */
  GtkSpinButton  *momentum_spin;
  GtkSpinButton  *weight_decay_spin;
  GtkLabel       *status_label;
  GtkLabel       *readout_label;
  GtkProgressBar *progress_bar;
  ReliefPlotView *loss_view;
  ReliefPlotView *acc_view;
  GtkWidget      *plots_box;      /* the curves and, beside them, decision_area */
  ReliefPlotView *sharp_view;     /* the sharpness, when the run tracks it */
  GtkDrawingArea *decision_area;  /* 2D data: the model's decisions, live */
  GtkSpinButton  *curvature_spin;
  GtkWidget      *curvature_trace_row;
  GtkSwitch      *curvature_trace_switch;
  GtkWidget      *curvature_min_row;
  GtkSwitch      *curvature_min_switch;
  GtkWidget      *regions_row;
  GtkSwitch      *regions_switch;
  GtkSpinButton  *complexity_spin;
  ReliefPlotView *complexity_view;  /* the region count and local complexity over training */

  /* owned */
  struct TrainWork *work;          /* the running job's data, valid while the page runs */
  char           *run_path;        /* the run being written or last written */
  ReliefLiveCurves *curves;       /* the curves so far, decimated */
  GArray         *sharp_steps, *sharp_max, *sharp_trace, *sharp_min;   /* double: the sharpness so far */
  GArray         *complexity_rows;  /* ReliefComplexityRow: the local complexity so far */
  gboolean        sharp_has_trace, sharp_has_min;
  ReliefOptimizerConfig sharp_optimizer;   /* the run's: its stability limit */
  ReliefDecisionMap *map;          /* what decision_area shows */
  gint64          map_step;
  ReliefWorker   *map_job;         /* an opened run's map, while it is computed */
  struct RunMapWork *map_work;
  ReliefMlpSpec  *map_spec;        /* the model and parameters of the map shown */
  float          *map_params;
  ReliefRegionsLive *regions_live; /* the linear regions, on a thread of their own */
  ReliefRegions  *regions;         /* those drawn over the map, when the switch is on */
  gint64          regions_step;
  ReliefLiveCurves *region_counts; /* the region count: the run's tracked, else the switch's */
  gboolean        tracked_regions; /* the run's rows count regions */
  ReliefLiveCurves *complexity;    /* the run's local complexity rows, to draw */
  ReliefTrainMetrics last_metrics; /* what the readout says while training, with the regions */
  int             last_epochs;
};

G_DEFINE_FINAL_TYPE (ReliefTrainPage, relief_train_page, RELIEF_TYPE_PAGE)

/* Shared between the worker thread (writes) and the page's tick (reads). */
typedef struct TrainWork {
  ReliefWorkShared  shared;        /* its lock also guards the pending rows and the fresh map */
  ReliefTrainJob    job;
  gboolean          reuse;         /* a run trained before with these settings will do */
  char             *reused_path;   /* the run taken instead of training, if any */
  GArray           *pending;       /* ReliefTrainMetrics not yet shown */
  GArray           *pending_curvature;   /* ReliefCurvatureRow not yet shown */
  GArray           *pending_complexity;  /* ReliefComplexityRow not yet taken */
  ReliefTrainStatus status;
  /* The live decision map (2D data), made on the worker thread */
  ReliefBackend    *map_backend;
  ReliefMlpSpec    *map_spec;      /* copies of the training's, for the last map */
  ReliefDataset    *map_data;
  float            *last_params;   /* the newest snapshot, and its step */
  gint64            last_step, mapped_step;
  gint64            mapped_at;     /* monotonic time of the last map */
  gint64            map_cost;      /* how long it took */
  ReliefDecisionMap *fresh_map;    /* not yet shown */
  gint64            fresh_map_step;
  float            *fresh_params;  /* its parameters */
  ReliefRegionsLive *regions_live; /* the page's: offered each map's parameters */
} TrainWork;

static void
train_work_free (gpointer data)
{
  TrainWork *w = data;

  relief_train_job_clear (&w->job);
  g_free (w->reused_path);
  g_array_unref (w->pending);
  g_array_unref (w->pending_curvature);
  g_array_unref (w->pending_complexity);
  g_clear_pointer (&w->map_backend, relief_backend_free);
  g_clear_pointer (&w->map_spec, relief_mlp_spec_free);
  g_clear_pointer (&w->map_data, relief_dataset_free);
  g_free (w->last_params);
  relief_decision_map_free (w->fresh_map);
  g_free (w->fresh_params);
  g_clear_pointer (&w->regions_live, relief_regions_live_unref);
  relief_work_shared_clear (&w->shared);
  g_free (w);
}

static void
work_metrics (const ReliefTrainMetrics *m, gpointer user_data)
{
  TrainWork *w = user_data;

  g_mutex_lock (&w->shared.lock);
  g_array_append_val (w->pending, *m);
  g_mutex_unlock (&w->shared.lock);
}

static void
work_complexity (const ReliefComplexityRow *row, gpointer user_data)
{
  TrainWork *w = user_data;

  g_mutex_lock (&w->shared.lock);
  g_array_append_val (w->pending_complexity, *row);
  g_mutex_unlock (&w->shared.lock);
}

static void
work_curvature (const ReliefCurvatureRow *row, gpointer user_data)
{
  TrainWork *w = user_data;

  g_mutex_lock (&w->shared.lock);
  g_array_append_val (w->pending_curvature, *row);
  g_mutex_unlock (&w->shared.lock);
}

/* The live map at most this often: a few a second. */
#define MAP_INTERVAL_US (250 * G_TIME_SPAN_MILLISECOND)

/* The decisions at params, handed to the page (the worker thread). */
static void
offer_map (TrainWork *w, const ReliefMlpSpec *spec, const ReliefDataset *ds, const float *params, gint64 step)
{
  ReliefGridAxis whole = { 0, 0, 0 };
  ReliefDecisionMap *map;
  gint64 start = g_get_monotonic_time ();

  if (w->map_backend == NULL && (w->map_backend = relief_backend_new ("cpu", NULL)) == NULL)
    return;
  map = relief_decision_map_compute (w->map_backend, spec, ds, params, &whole, &whole, NULL);
  if (map == NULL)
    return;
  w->mapped_step = step;
  w->mapped_at = g_get_monotonic_time ();
  w->map_cost = w->mapped_at - start;
  /* The regions of the same parameters, on their own thread: the training goes on. */
  if (w->regions_live && relief_regions_live_get_enabled (w->regions_live))
    {
      g_autoptr(ReliefPlane) plane = relief_plane_new_input (map->xmin, map->xmax, map->ymin, map->ymax);

      relief_regions_live_offer (w->regions_live, spec, params, plane, step);
    }
  g_mutex_lock (&w->shared.lock);
  relief_decision_map_free (w->fresh_map);
  w->fresh_map = map;
  w->fresh_map_step = step;
  g_free (w->fresh_params);
  w->fresh_params = g_memdup2 (params, relief_mlp_spec_n_params (spec) * sizeof (float));
  g_mutex_unlock (&w->shared.lock);
}

static ReliefDataset *
copy_train_split (const ReliefDataset *ds)
{
  ReliefDataset *copy = relief_dataset_new (ds->name, ds->n_features, ds->n_classes, ds->n_train, 0);

  memcpy (copy->x_train, ds->x_train, (gsize) ds->n_train * ds->n_features * sizeof (float));
  memcpy (copy->y_train, ds->y_train, (gsize) ds->n_train * sizeof (int32_t));
  return copy;
}

/* A snapshot: mapped when the last map is old enough; kept, so that the end is mapped too. */
static void
work_snapshot (const ReliefMlpSpec *spec, const ReliefDataset *ds, gint64 step, const float *params,
               gpointer user_data)
{
  TrainWork *w = user_data;
  gsize n = relief_mlp_spec_n_params (spec);

  if (ds->n_features != 2)
    return;
  if (w->map_spec == NULL)
    {
      w->map_spec = relief_mlp_spec_copy (spec);
      w->map_data = copy_train_split (ds);
      w->last_params = g_new (float, n);
      w->mapped_step = -1;
    }
  memcpy (w->last_params, params, n * sizeof (float));
  w->last_step = step;
  /* A large model's map waits longer: the maps take at most a tenth of the time. */
  if (w->mapped_step < 0 || g_get_monotonic_time () - w->mapped_at >= MAX (MAP_INTERVAL_US, 9 * w->map_cost))
    offer_map (w, spec, ds, params, step);
}

/* Row i of a run's metrics as training reported it; epochs counted as the run's
 * (its last snapshot ends the last epoch it trained). */
static void
run_metrics (const ReliefRun *run, int i, ReliefTrainMetrics *m)
{
  gint64 total = run->n_snapshots > 0 ? run->snapshot_step[run->n_snapshots - 1] : 0;
  double last_epoch = run->n_snapshots > 0 ? run->snapshot_epoch[run->n_snapshots - 1] : 0;

  *m = (ReliefTrainMetrics) {
    .step = run->metric_step[i],
    .total_steps = total,
    .epoch = total > 0 ? (double) run->metric_step[i] * last_epoch / total : 0,
    .train_loss = run->train_loss[i],
    .train_acc = run->train_acc[i],
    .test_loss = run->test_loss ? run->test_loss[i] : NAN,
    .test_acc = run->test_acc ? run->test_acc[i] : NAN,
  };
}

/* The curves of a run trained before, handed over as if they had just been trained. */
static void
offer_run_metrics (TrainWork *w, const ReliefRun *run)
{
  for (int i = 0; i < run->n_metrics; i++)
    {
      ReliefTrainMetrics m;

      run_metrics (run, i, &m);
      work_metrics (&m, w);
    }
  relief_work_shared_progress (1.0, w);
}

static gboolean
train_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  TrainWork *w = data;
  ReliefTrainJobCallbacks cb = {
    .progress = relief_work_shared_progress,
    .metrics = work_metrics,
    .snapshot = work_snapshot,
    .curvature = work_curvature,
    .complexity = work_complexity,
    .user_data = w,
  };
  gboolean ok;

  if (w->reuse)
    {
      g_autoptr(ReliefRun) run = relief_train_job_find_run (&w->job, &w->reused_path, NULL);

      /* Not found (or the folder unreadable): trained as asked. */
      if (run != NULL)
        {
          offer_run_metrics (w, run);
          if (run->n_snapshots > 0)
            work_snapshot (run->spec, run->dataset, run->snapshot_step[run->n_snapshots - 1],
                           run->params + (gsize) (run->n_snapshots - 1) * run->n_params, w);
          w->status = RELIEF_TRAIN_COMPLETED;
          return TRUE;
        }
    }
  ok = relief_train_job_run (&w->job, &cb, cancellable, &w->status, error);
  /* The map of the final parameters, whenever the last one came before them. */
  if (ok && w->map_spec != NULL && w->mapped_step != w->last_step)
    offer_map (w, w->map_spec, w->map_data, w->last_params, w->last_step);
  return ok;
}

static void
update_plots (ReliefTrainPage *self)
{
  ReliefLineSeries loss_series[2], acc_series[2];
  ReliefLinePlotSpec loss_spec, acc_spec;
  ReliefFigureOptions opt;
  guint n = 0;
  const double *steps = relief_live_curves_get_x (self->curves, &n);
  const double *test_loss = relief_live_curves_get_values (self->curves, TEST_LOSS);
  gboolean has_test = n > 0 && !isnan (test_loss[0]);

  if (n == 0)
    return;
  relief_figure_options_init (&opt);
  opt.full_accuracy_axis = TRUE;
  relief_figure_curves_specs (&(ReliefCurves) {
                                .n = n,
                                .steps = steps,
                                .train_loss = relief_live_curves_get_values (self->curves, TRAIN_LOSS),
                                .test_loss = has_test ? test_loss : NULL,
                                .train_acc = relief_live_curves_get_values (self->curves, TRAIN_ACC),
                                .test_acc = has_test ? relief_live_curves_get_values (self->curves, TEST_ACC) : NULL,
                              },
                              &opt, loss_series, &loss_spec, acc_series, &acc_spec);
  relief_plot_view_set_lines (self->loss_view, &loss_spec);
  relief_plot_view_set_lines (self->acc_view, &acc_spec);
}

/* What the sharpness view draws: the measurements so far, the run's optimizer. */
static ReliefSharpness
sharpness_of (ReliefTrainPage *self)
{
  return (ReliefSharpness) {
    .n = (int) self->sharp_steps->len,
    .steps = (const double *) self->sharp_steps->data,
    .lambda_max = (const double *) self->sharp_max->data,
    .trace = self->sharp_has_trace ? (const double *) self->sharp_trace->data : NULL,
    .lambda_min = self->sharp_has_min ? (const double *) self->sharp_min->data : NULL,
    .lr = self->sharp_optimizer.lr,
    .optimizer = self->sharp_optimizer.kind,
    .momentum = self->sharp_optimizer.momentum,
    .weight_decay = self->sharp_optimizer.weight_decay,
  };
}

/* The sharpness so far (lambda_min too when tracked) against the optimizer's stability
 * limit, in its own view below the curves: shown once the run has a measurement. */
static void
update_sharpness (ReliefTrainPage *self)
{
  ReliefSharpness c = sharpness_of (self);
  ReliefFigureOptions opt;
  ReliefSharpnessSpec spec;

  gtk_widget_set_visible (GTK_WIDGET (self->sharp_view), c.n > 0);
  if (c.n == 0)
    return;
  relief_figure_options_init (&opt);
  relief_figure_sharpness_spec (&c, &opt, &spec);
  relief_plot_view_set_lines (self->sharp_view, &spec.spec);
}

static void
clear_sharpness (ReliefTrainPage *self, const ReliefOptimizerConfig *optimizer, gboolean has_trace,
                 gboolean has_min)
{
  g_array_set_size (self->sharp_steps, 0);
  g_array_set_size (self->sharp_max, 0);
  g_array_set_size (self->sharp_trace, 0);
  g_array_set_size (self->sharp_min, 0);
  self->sharp_optimizer = *optimizer;
  self->sharp_has_trace = has_trace;
  self->sharp_has_min = has_min;
  relief_plot_view_clear (self->sharp_view, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->sharp_view), FALSE);
}

static void
append_sharpness (ReliefTrainPage *self, gint64 step, double lambda_max, double trace, double lambda_min)
{
  double x = (double) step;

  g_array_append_val (self->sharp_steps, x);
  g_array_append_val (self->sharp_max, lambda_max);
  g_array_append_val (self->sharp_trace, trace);
  g_array_append_val (self->sharp_min, lambda_min);
}

static void
append_metrics (ReliefTrainPage *self, const ReliefTrainMetrics *m)
{
  double values[N_SERIES] = {
    [TRAIN_LOSS] = m->train_loss, [TEST_LOSS] = m->test_loss,
    [TRAIN_ACC] = 100 * m->train_acc, [TEST_ACC] = 100 * m->test_acc,
  };

  relief_live_curves_add (self->curves, m->step, values);
}

static void
clear_complexity (ReliefTrainPage *self)
{
  g_array_set_size (self->complexity_rows, 0);
  relief_live_curves_clear (self->region_counts);
  relief_live_curves_clear (self->complexity);
  self->tracked_regions = FALSE;
}

/* The region count at step to its curve, unless it has a later one. */
static void
add_region_count (ReliefTrainPage *self, gint64 step, double count)
{
  guint n = 0;
  const double *steps = relief_live_curves_get_x (self->region_counts, &n);

  if (n == 0 || steps[n - 1] < step)
    relief_live_curves_add (self->region_counts, step, &count);
}

/* A row of the run's complexity tracking: kept, and drawn; its region count (a 2-input
 * piecewise-linear model's) replaces the switch's in the curve. */
static void
append_complexity (ReliefTrainPage *self, const ReliefComplexityRow *row)
{
  double values[N_LC] = { [LC_TRAIN] = row->train, [LC_TEST] = row->test, [LC_RANDOM] = row->random };

  g_array_append_val (self->complexity_rows, *row);
  relief_live_curves_add (self->complexity, row->step, values);
  if (isfinite (row->regions))
    {
      if (!self->tracked_regions)
        relief_live_curves_clear (self->region_counts);
      self->tracked_regions = TRUE;
      add_region_count (self, row->step, row->regions);
    }
}

static void show_last_metrics (ReliefTrainPage *self, const ReliefTrainMetrics *m, int epochs);

/* The region count and the local complexity over training, below the curves once there
 * is either. */
/* The page's region counts and local complexity as ReliefComplexity (pointing into the
 * page's curves); FALSE when there is neither. */
static gboolean
complexity_of (ReliefTrainPage *self, ReliefComplexity *c)
{
  guint n_regions = 0, n = 0;
  const double *region_steps = relief_live_curves_get_x (self->region_counts, &n_regions);
  const double *steps = relief_live_curves_get_x (self->complexity, &n);

  *c = (ReliefComplexity) {
    .n_regions = (int) n_regions,
    .region_steps = region_steps,
    .regions = n_regions > 0 ? relief_live_curves_get_values (self->region_counts, 0) : NULL,
    .n = (int) n,
    .steps = steps,
  };
  if (n > 0)
    {
      c->train = relief_live_curves_get_values (self->complexity, LC_TRAIN);
      c->test = relief_live_curves_get_values (self->complexity, LC_TEST);
      c->random = relief_live_curves_get_values (self->complexity, LC_RANDOM);
    }
  return n_regions > 0 || n > 0;
}

static void
update_complexity (ReliefTrainPage *self)
{
  ReliefComplexity c;
  ReliefFigureOptions opt;
  ReliefComplexitySpec spec;
  gboolean any = complexity_of (self, &c);

  gtk_widget_set_visible (GTK_WIDGET (self->complexity_view), any);
  if (!any)
    return;
  relief_figure_options_init (&opt);
  relief_figure_complexity_spec (&c, &opt, &spec);
  relief_plot_view_set_lines (self->complexity_view, &spec.spec);
}

static gboolean
regions_shown (ReliefTrainPage *self)
{
  return self->regions != NULL && gtk_switch_get_active (self->regions_switch);
}

/* The map's parameters to the regions' thread, when the switch is on and no training
 * offers them itself. */
static void
offer_regions (ReliefTrainPage *self)
{
  g_autoptr(ReliefPlane) plane = NULL;

  if (self->work != NULL || self->map == NULL || self->map_params == NULL ||
      !gtk_switch_get_active (self->regions_switch))
    return;
  plane = relief_plane_new_input (self->map->xmin, self->map->xmax, self->map->ymin, self->map->ymax);
  relief_regions_live_offer (self->regions_live, self->map_spec, self->map_params, plane, self->map_step);
}

/* Takes map, the decisions at step of spec with params (taken, may be NULL), as the one
 * shown beside the curves; its regions follow when the switch is on. */
static void
show_map (ReliefTrainPage *self, ReliefDecisionMap *map, gint64 step, const ReliefMlpSpec *spec, float *params)
{
  relief_decision_map_free (self->map);
  self->map = map;
  self->map_step = step;
  g_clear_pointer (&self->map_spec, relief_mlp_spec_free);
  g_free (self->map_params);
  self->map_spec = spec && params ? relief_mlp_spec_copy (spec) : NULL;
  self->map_params = params;
  if (map == NULL)
    g_clear_pointer (&self->regions, relief_regions_free);
  offer_regions (self);
  gtk_widget_set_visible (GTK_WIDGET (self->decision_area), map != NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self->decision_area));
}

/* "347 regions", or nothing when none are shown. */
static char *
regions_text (ReliefTrainPage *self)
{
  if (!regions_shown (self))
    return g_strdup ("");
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d linear region", "%d linear regions",
                                       self->regions->n_regions),
                          self->regions->n_regions);
}

/* A partition from the regions' thread: drawn, counted; a failure said in the status line. */
static void
on_regions_ready (gpointer user_data)
{
  ReliefTrainPage *self = user_data;
  g_autofree char *error = NULL;
  gint64 step = 0;
  double seconds = 0;
  ReliefRegions *regions = relief_regions_live_take (self->regions_live, &step, &seconds, &error);

  if (regions == NULL)
    {
      if (error != NULL)
        {
          g_autofree char *message = g_strdup_printf (_("No linear regions: %s"), error);

          relief_page_set_status (RELIEF_PAGE (self), message);
        }
      return;
    }
  relief_regions_free (self->regions);
  self->regions = regions;
  self->regions_step = step;
  if (!self->tracked_regions)
    {
      add_region_count (self, step, regions->n_regions);
      update_complexity (self);
    }
  if (self->work != NULL && self->last_epochs > 0)
    show_last_metrics (self, &self->last_metrics, self->last_epochs);
  else
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%d linear region at step %" G_GINT64_FORMAT " (%.1f ms)",
                                                            "%d linear regions at step %" G_GINT64_FORMAT " (%.1f ms)",
                                                            regions->n_regions),
                                               regions->n_regions, step, 1000 * seconds);

      gtk_label_set_text (self->readout_label, text);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self->decision_area));
}

/* The plots' layout: the curves, and beside them the decision map (when shown) in about
 * three tenths of the width, at least DECISION_MIN_WIDTH and no wider than tall (the map is
 * square), so that the curves keep their ticks down to a 1024x768 window; it follows every
 * size the window takes. */
#define DECISION_MIN_WIDTH 180
#define PLOTS_SPACING 8

#define RELIEF_TYPE_TRAIN_PLOTS (relief_train_plots_get_type ())
G_DECLARE_FINAL_TYPE (ReliefTrainPlots, relief_train_plots, RELIEF, TRAIN_PLOTS, GtkWidget)

struct _ReliefTrainPlots
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (ReliefTrainPlots, relief_train_plots, GTK_TYPE_WIDGET)

static void
relief_train_plots_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                            int *natural, int *minimum_baseline, int *natural_baseline)
{
  GtkWidget *curves = gtk_widget_get_first_child (widget);
  GtkWidget *decision = curves ? gtk_widget_get_next_sibling (curves) : NULL;
  int cmin = 0, cnat = 0;

  if (curves)
    gtk_widget_measure (curves, orientation, -1, &cmin, &cnat, NULL, NULL);
  *minimum = cmin;
  *natural = cnat;
  if (decision && gtk_widget_should_layout (decision) && orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum += PLOTS_SPACING + DECISION_MIN_WIDTH;
      *natural += PLOTS_SPACING + DECISION_MIN_WIDTH;
    }
}

static void
relief_train_plots_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  GtkWidget *curves = gtk_widget_get_first_child (widget);
  GtkWidget *decision = curves ? gtk_widget_get_next_sibling (curves) : NULL;
  int dw = 0, cmin;

  if (curves == NULL)
    return;
  gtk_widget_measure (curves, GTK_ORIENTATION_HORIZONTAL, height, &cmin, NULL, NULL, NULL);
  if (decision && gtk_widget_should_layout (decision))
    dw = CLAMP (MIN (width * 3 / 10, height), DECISION_MIN_WIDTH, MAX (DECISION_MIN_WIDTH, width - PLOTS_SPACING - cmin));
  gtk_widget_allocate (curves, dw > 0 ? width - dw - PLOTS_SPACING : width, height, -1, NULL);
  if (dw > 0)
    gtk_widget_allocate (decision, dw, height, -1, gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (width - dw, 0)));
}

static void
relief_train_plots_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))))
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (relief_train_plots_parent_class)->dispose (object);
}

static void
relief_train_plots_class_init (ReliefTrainPlotsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = relief_train_plots_dispose;
  GTK_WIDGET_CLASS (klass)->measure = relief_train_plots_measure;
  GTK_WIDGET_CLASS (klass)->size_allocate = relief_train_plots_size_allocate;
}

static void
relief_train_plots_init (ReliefTrainPlots *self)
{
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

/* The step and count of the regions shown; the count alone where that does not fit a
 * map width points wide (an 800x600 window's). */
static char *
regions_title (ReliefTrainPage *self, cairo_t *cr, double width)
{
  int n = self->regions->n_regions;
  char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Step %" G_GINT64_FORMAT ": %d region",
                                              "Step %" G_GINT64_FORMAT ": %d regions", n),
                                 self->regions_step, n);

  if (title_fits (cr, width, title))
    return title;
  g_free (title);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d region", "%d regions", n), n);
}

/* The map in the largest square the area has, at its top: the input plane undistorted. */
static void
decision_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  ReliefTrainPage *self = user_data;
  ReliefFigureOptions options;
  g_autofree char *title = NULL;
  double side = MIN (width, height), w, h;

  if (self->map == NULL)
    return;
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  relief_figure_options_init (&options);
  relief_plot_screen_begin (cr, side, side, &w, &h);
  if (regions_shown (self))
    {
      options.title = title = regions_title (self, cr, w);
      relief_figure_decision_regions (cr, w, h, self->map, self->regions, &options, NULL);
      return;
    }
  options.title = title = g_strdup_printf (_("Decisions at step %" G_GINT64_FORMAT), self->map_step);
  relief_figure_decision (cr, w, h, self->map, &options);
}

/* The decisions of an opened run's final model, computed off the main loop (its data
 * set is loaded, file data read again). */
typedef struct RunMapWork {
  char              *path;
  ReliefDecisionMap *map;
  gint64             step;
  ReliefMlpSpec     *spec;
  float             *params;
} RunMapWork;

static void
run_map_work_free (gpointer data)
{
  RunMapWork *w = data;

  g_free (w->path);
  relief_decision_map_free (w->map);
  g_clear_pointer (&w->spec, relief_mlp_spec_free);
  g_free (w->params);
  g_free (w);
}

static gboolean
run_map_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  RunMapWork *w = data;
  g_autoptr(ReliefRun) run = relief_run_load (w->path, TRUE, error);
  g_autoptr(ReliefBackend) backend = NULL;
  ReliefGridAxis whole = { 0, 0, 0 };
  int last;

  if (run == NULL)
    return FALSE;
  if (run->dataset->n_features != 2 || run->n_snapshots == 0)
    return TRUE;
  if ((backend = relief_backend_new ("cpu", error)) == NULL)
    return FALSE;
  last = run->n_snapshots - 1;
  w->step = run->snapshot_step[last];
  w->map = relief_decision_map_compute (backend, run->spec, run->dataset, run->params + (gsize) last * run->n_params,
                                        &whole, &whole, error);
  w->spec = relief_mlp_spec_copy (run->spec);
  w->params = g_memdup2 (run->params + (gsize) last * run->n_params, run->n_params * sizeof (float));
  return w->map != NULL;
}

static void
run_map_done (gpointer owner, const GError *error)
{
  ReliefTrainPage *self = owner;
  RunMapWork *w = self->map_work;

  self->map_job = NULL;
  self->map_work = NULL;
  /* A run whose data cannot be read again still shows its curves; the map is extra. */
  if (error == NULL && w->map != NULL)
    show_map (self, g_steal_pointer (&w->map), w->step, w->spec, g_steal_pointer (&w->params));
}

static void
stop_run_map (ReliefTrainPage *self)
{
  g_clear_pointer (&self->map_job, relief_worker_drop);
  self->map_work = NULL;
}

/* The last metrics, and the regions drawn when the switch is on; kept, so that regions
 * coming between two rows are said with the last. */
static void
show_last_metrics (ReliefTrainPage *self, const ReliefTrainMetrics *m, int epochs)
{
  /* Whole epochs done, of the run's: a fraction of an epoch says nothing at a glance. */
  int epoch = (int) floor (m->epoch + 1e-9);
  g_autofree char *text = NULL;
  g_autofree char *regions = regions_text (self);

  self->last_metrics = *m;
  self->last_epochs = epochs;
  if (isnan (m->test_loss))
    text = g_strdup_printf (_("epoch %d of %d   train loss %.4f   train acc %.1f%%"),
                            epoch, epochs, m->train_loss, 100 * m->train_acc);
  else
    text = g_strdup_printf (_("epoch %d of %d   loss %.4f / %.4f   acc %.1f%% / %.1f%% (train / test)"),
                            epoch, epochs, m->train_loss, m->test_loss, 100 * m->train_acc, 100 * m->test_acc);
  if (*regions)
    {
      char *both = g_strconcat (text, "   ", regions, NULL);

      g_free (text);
      text = both;
    }
  gtk_label_set_text (self->readout_label, text);
}

static void
train_tick (gpointer owner)
{
  ReliefTrainPage *self = owner;
  TrainWork *w = self->work;
  g_autoptr(GArray) fresh = NULL;
  g_autoptr(GArray) fresh_curvature = NULL;
  g_autoptr(GArray) fresh_complexity = NULL;
  ReliefDecisionMap *map;
  float *map_params;
  gint64 map_step;
  double fraction;

  g_mutex_lock (&w->shared.lock);
  fraction = w->shared.fraction;
  if (w->pending->len > 0)
    {
      fresh = w->pending;
      w->pending = g_array_new (FALSE, FALSE, sizeof (ReliefTrainMetrics));
    }
  if (w->pending_curvature->len > 0)
    {
      fresh_curvature = w->pending_curvature;
      w->pending_curvature = g_array_new (FALSE, FALSE, sizeof (ReliefCurvatureRow));
    }
  if (w->pending_complexity->len > 0)
    {
      fresh_complexity = w->pending_complexity;
      w->pending_complexity = g_array_new (FALSE, FALSE, sizeof (ReliefComplexityRow));
    }
  map = g_steal_pointer (&w->fresh_map);
  map_params = g_steal_pointer (&w->fresh_params);
  map_step = w->fresh_map_step;
  g_mutex_unlock (&w->shared.lock);

  if (fresh_curvature != NULL)
    {
      for (guint i = 0; i < fresh_curvature->len; i++)
        {
          const ReliefCurvatureRow *row = &g_array_index (fresh_curvature, ReliefCurvatureRow, i);

          append_sharpness (self, row->step, row->lambda_max, row->trace, row->lambda_min);
        }
      update_sharpness (self);
    }

  if (fresh_complexity != NULL)
    {
      for (guint i = 0; i < fresh_complexity->len; i++)
        append_complexity (self, &g_array_index (fresh_complexity, ReliefComplexityRow, i));
      update_complexity (self);
    }
  relief_page_set_progress (RELIEF_PAGE (self), fraction);
  /* map_spec is set once, before the first map. */
  if (map)
    show_map (self, map, map_step, w->map_spec, map_params);
  if (fresh == NULL)
    return;
  for (guint i = 0; i < fresh->len; i++)
    append_metrics (self, &g_array_index (fresh, ReliefTrainMetrics, i));
  show_last_metrics (self, &g_array_index (fresh, ReliefTrainMetrics, fresh->len - 1), w->job.train.epochs);
  update_plots (self);
}

static void
report_error (ReliefTrainPage *self, const char *heading, const char *message)
{
  relief_page_report_error (RELIEF_PAGE (self), heading, message);
}

static void
train_done (gpointer owner, const GError *error)
{
  ReliefTrainPage *self = owner;
  TrainWork *w = self->work;
  ReliefTrainStatus status = w->status;
  g_autofree char *basename = NULL;
  g_autofree char *message = NULL;

  self->work = NULL;
  /* Switched on after the training offered its last map: that map's regions. */
  if (self->regions == NULL || self->regions_step != self->map_step)
    offer_regions (self);
  if (error == NULL && w->reused_path != NULL)
    {
      g_autofree char *title = relief_work_dir_title (w->reused_path);

      g_free (self->run_path);
      self->run_path = g_strdup (w->reused_path);
      message = g_strdup_printf (_("%s (trained before)"), title);
      relief_page_set_status (RELIEF_PAGE (self), message);
      relief_page_set_progress (RELIEF_PAGE (self), 1.0);
      relief_work_dir_add_recent (self->run_path, NULL);
      relief_page_run_ready (RELIEF_PAGE (self), self->run_path);
      return;
    }
  basename = g_path_get_basename (self->run_path);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      relief_page_report_cancelled (RELIEF_PAGE (self), _("Cancelled before training began: nothing was saved; Train starts it again"));
      return;
    }
  if (error)
    {
      report_error (self, _("Training failed"), error->message);
      return;
    }
  switch (status)
    {
    case RELIEF_TRAIN_DIVERGED:
      message = g_strdup_printf (_("The loss diverged (NaN or infinite): the run up to there is saved as %s. Try a smaller learning rate."), basename);
      report_error (self, _("Training diverged"), message);
      break;
    case RELIEF_TRAIN_CANCELLED:
      message = g_strdup_printf (_("Cancelled: the run up to there is saved as %s; Train starts a new one"), basename);
      relief_page_report_cancelled (RELIEF_PAGE (self), message);
      break;
    default:
      {
        g_autofree char *title = relief_work_dir_title (self->run_path);

        message = g_strdup_printf (_("Trained: %s"), title);
      }
      relief_page_set_status (RELIEF_PAGE (self), message);
      relief_page_set_progress (RELIEF_PAGE (self), 1.0);
      break;
    }
  /* The list of recent files is a convenience: a folder it cannot be written in is no failure. */
  relief_work_dir_add_recent (self->run_path, NULL);
  relief_page_run_ready (RELIEF_PAGE (self), self->run_path);
}

static gboolean
read_job (ReliefTrainPage *self, ReliefTrainJob *job, GError **error)
{
  GtkSpinButton *spins[] = { self->momentum_spin, self->weight_decay_spin, self->curvature_spin,
                             self->complexity_spin, NULL };

  if (!relief_train_controls_read (&self->controls, job, error) || !relief_spins_check (spins, error))
    return FALSE;
  job->train.optimizer.momentum = gtk_spin_button_get_value (self->momentum_spin);
  job->train.optimizer.weight_decay = gtk_spin_button_get_value (self->weight_decay_spin);
  job->train.curvature_every = gtk_spin_button_get_value_as_int (self->curvature_spin);
  job->train.curvature_trace = job->train.curvature_every > 0 && gtk_switch_get_active (self->curvature_trace_switch);
  job->train.curvature_min = job->train.curvature_every > 0 && gtk_switch_get_active (self->curvature_min_switch);
  job->train.complexity_every = gtk_spin_button_get_value_as_int (self->complexity_spin);
  return TRUE;
}

/* reuse: a completed run of the same settings in the runs folder is shown instead of
 * training again (the built-in default at every launch). */
static void
start_training (ReliefTrainPage *self, gboolean reuse)
{
  ReliefPage *page = RELIEF_PAGE (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *stem = NULL;
  TrainWork *w;

  w = g_new0 (TrainWork, 1);
  w->reuse = reuse;
  relief_work_shared_init (&w->shared);
  w->pending = g_array_new (FALSE, FALSE, sizeof (ReliefTrainMetrics));
  w->pending_curvature = g_array_new (FALSE, FALSE, sizeof (ReliefCurvatureRow));
  w->pending_complexity = g_array_new (FALSE, FALSE, sizeof (ReliefComplexityRow));
  /* A bad field is marked beside it; the status line says which. */
  if (!read_job (self, &w->job, &error))
    {
      train_work_free (w);
      relief_page_set_status (page, error->message);
      return;
    }
  stem = relief_train_job_stem (&w->job);
  if ((w->job.output = relief_work_dir_new_path (RELIEF_FILE_KIND_RUN, stem, &error)) == NULL)
    {
      train_work_free (w);
      report_error (self, _("Cannot start training"), error->message);
      return;
    }

  g_free (self->run_path);
  self->run_path = g_strdup (w->job.output);
  relief_live_curves_clear (self->curves);
  clear_complexity (self);
  update_complexity (self);
  self->last_epochs = 0;
  w->regions_live = relief_regions_live_ref (self->regions_live);
  clear_sharpness (self, &w->job.train.optimizer, w->job.train.curvature_trace, w->job.train.curvature_min);
  stop_run_map (self);
  show_map (self, NULL, 0, NULL, NULL);
  relief_plot_view_clear (self->loss_view, _("Training…"));
  relief_plot_view_clear (self->acc_view, NULL);
  relief_page_set_progress (page, 0);
  gtk_label_set_text (self->readout_label, "");
  {
    g_autofree char *text = g_strdup_printf (_("Training a %s MLP on %s…"),
                                             gtk_editable_get_text (GTK_EDITABLE (self->controls.hidden_row)),
                                             w->job.dataset);
    relief_page_set_status (page, text);
  }
  self->work = w;
  relief_page_start_job (page, train_work_run, w, train_work_free, train_tick, train_done);
  relief_page_run_coming (page);
}

static void
relief_train_page_run (ReliefPage *page)
{
  start_training (RELIEF_TRAIN_PAGE (page), FALSE);
}

static void
relief_train_page_start_default (ReliefPage *page)
{
  start_training (RELIEF_TRAIN_PAGE (page), TRUE);
}

/* A run file: its curves, its settings in the controls (Train trains it again), and its
 * landscape on the Landscape page. */
static gboolean
relief_train_page_open (ReliefPage *page, const char *path, ReliefFileKind kind)
{
  ReliefTrainPage *self = RELIEF_TRAIN_PAGE (page);
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL, *message = NULL;
  ReliefTrainMetrics m;

  if (kind != RELIEF_FILE_KIND_RUN)
    return FALSE;
  if ((run = relief_run_load (path, FALSE, &error)) == NULL)
    {
      report_error (self, _("Cannot open the run"), error->message);
      return TRUE;
    }
  relief_page_drop_job (page);
  self->work = NULL;
  stop_run_map (self);
  show_map (self, NULL, 0, NULL, NULL);
  self->map_work = g_new0 (RunMapWork, 1);
  self->map_work->path = g_strdup (path);
  self->map_job = relief_worker_start (run_map_work_run, self->map_work, run_map_work_free, NULL, run_map_done, self);
  relief_train_controls_fill (&self->controls, run->dataset_name, NULL, run->spec, &run->config);
  gtk_spin_button_set_value (self->momentum_spin, run->config.optimizer.momentum);
  gtk_spin_button_set_value (self->weight_decay_spin, run->config.optimizer.weight_decay);
  gtk_spin_button_set_value (self->curvature_spin, run->config.curvature_every);
  gtk_switch_set_active (self->curvature_trace_switch, run->config.curvature_trace);
  gtk_switch_set_active (self->curvature_min_switch, run->config.curvature_min);
  gtk_spin_button_set_value (self->complexity_spin, run->config.complexity_every);
  clear_sharpness (self, &run->config.optimizer, run->curvature != NULL && run->curvature->trace != NULL,
                   run->curvature != NULL && run->curvature->lambda_min != NULL);
  for (int i = 0; run->curvature != NULL && i < run->curvature->n; i++)
    append_sharpness (self, run->curvature->step[i], run->curvature->lambda_max[i],
                      run->curvature->trace != NULL ? run->curvature->trace[i] : NAN,
                      run->curvature->lambda_min != NULL ? run->curvature->lambda_min[i] : NAN);
  update_sharpness (self);
  clear_complexity (self);
  for (int i = 0; run->complexity != NULL && i < run->complexity->n; i++)
    {
      const ReliefRunComplexity *c = run->complexity;
      ReliefComplexityRow row = {
        .step = c->step[i],
        .train = c->train != NULL ? c->train[i] : NAN,
        .test = c->test != NULL ? c->test[i] : NAN,
        .random = c->random != NULL ? c->random[i] : NAN,
        .regions = c->regions != NULL ? c->regions[i] : NAN,
        .n_train = c->n_train, .n_test = c->n_test, .n_random = c->n_random,
        .radius = c->radius,
        .seconds = c->seconds,
      };

      append_complexity (self, &row);
    }
  update_complexity (self);

  relief_live_curves_clear (self->curves);
  relief_plot_view_clear (self->loss_view, _("This run has no metrics"));
  relief_plot_view_clear (self->acc_view, NULL);
  gtk_label_set_text (self->readout_label, "");
  for (int i = 0; i < run->n_metrics; i++)
    {
      run_metrics (run, i, &m);
      append_metrics (self, &m);
    }
  if (run->n_metrics > 0)
    show_last_metrics (self, &m, run->config.epochs);
  update_plots (self);

  /* path may be the run_path itself (the run shown, opened again). */
  {
    char *copy = g_strdup (path);

    g_free (self->run_path);
    self->run_path = copy;
  }
  relief_work_dir_add_recent (self->run_path, NULL);
  title = relief_work_dir_title (self->run_path);
  message = g_strdup_printf (_("Opened %s (%s)"), title, run->status);
  relief_page_set_status (page, message);
  relief_page_set_progress (page, 1.0);
  relief_page_run_ready (page, self->run_path);
  return TRUE;
}

const char *
relief_train_page_get_run_path (ReliefTrainPage *self)
{
  return self->run_path;
}

guint
relief_train_page_get_n_points (ReliefTrainPage *self)
{
  guint n = 0;

  relief_live_curves_get_x (self->curves, &n);
  return n;
}

const ReliefRegions *
relief_train_page_get_regions (ReliefTrainPage *self, gint64 *step)
{
  if (!regions_shown (self))
    return NULL;
  if (step)
    *step = self->regions_step;
  return self->regions;
}

gboolean
relief_train_page_get_map_params (ReliefTrainPage *self, const ReliefMlpSpec **spec, const float **params,
                                  ReliefPlane **plane)
{
  if (self->map == NULL || self->map_params == NULL)
    return FALSE;
  *spec = self->map_spec;
  *params = self->map_params;
  *plane = relief_plane_new_input (self->map->xmin, self->map->xmax, self->map->ymin, self->map->ymax);
  return TRUE;
}

ReliefRegionsLive *
relief_train_page_get_regions_live (ReliefTrainPage *self)
{
  return self->regions_live;
}

const ReliefComplexityRow *
relief_train_page_get_complexity (ReliefTrainPage *self, guint *n)
{
  g_return_val_if_fail (RELIEF_IS_TRAIN_PAGE (self), NULL);

  *n = self->complexity_rows->len;
  return (const ReliefComplexityRow *) self->complexity_rows->data;
}

gboolean
relief_train_page_get_map_step (ReliefTrainPage *self, gint64 *step)
{
  if (self->map == NULL || !gtk_widget_get_visible (GTK_WIDGET (self->decision_area)))
    return FALSE;
  *step = self->map_step;
  return TRUE;
}

guint64
relief_train_page_get_n_metrics (ReliefTrainPage *self)
{
  return relief_live_curves_get_n_added (self->curves);
}

/* The exported figure: the run's curves (relief_figure_run's panels), then what the page
 * shows beside them: the region count and local complexity when there are any, and the
 * exact linear regions over the decision map when the switch is on. */
typedef struct {
  ReliefTrainPage *self;
  ReliefRun       *run;
  double           curves_width;
  gboolean         complexity, regions;
} TrainFigure;

#define FIGURE_HEIGHT     252.0
#define COMPLEXITY_WIDTH  324.0

static void
draw_train_figure (cairo_t *cr, double width, double height, gpointer user_data)
{
  TrainFigure *fig = user_data;
  ReliefFigureOptions options;
  double x = fig->curves_width;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  relief_figure_options_init (&options);
  relief_figure_run (cr, fig->curves_width, height, fig->run, &options);
  if (fig->complexity)
    {
      ReliefComplexity c;
      ReliefComplexitySpec spec;

      complexity_of (fig->self, &c);
      relief_figure_complexity_spec (&c, &options, &spec);
      cairo_save (cr);
      cairo_translate (cr, x, 0);
      relief_plot_lines (cr, COMPLEXITY_WIDTH, height, &spec.spec, NULL);
      cairo_restore (cr);
      x += COMPLEXITY_WIDTH;
    }
  if (fig->regions)
    {
      g_autofree char *title = regions_title (fig->self, cr, height);

      cairo_save (cr);
      cairo_translate (cr, x, 0);
      options.title = title;
      relief_figure_decision_regions (cr, height, height, fig->self->map, fig->self->regions, &options, NULL);
      cairo_restore (cr);
    }
}

void
relief_train_page_export_figure (ReliefTrainPage *self, GFile *file)
{
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;
  ReliefComplexity c;
  TrainFigure fig = { .self = self };
  double width;

  g_return_if_fail (RELIEF_IS_TRAIN_PAGE (self));
  if ((run = relief_run_load (self->run_path, FALSE, &error)) == NULL)
    {
      report_error (self, _("Cannot export"), error->message);
      return;
    }
  fig.run = run;
  /* A run that tracked curvature has the sharpness as a third panel. */
  fig.curves_width = run->curvature != NULL && run->curvature->n > 0 ? 972 : 648;
  fig.complexity = complexity_of (self, &c);
  fig.regions = self->map != NULL && regions_shown (self);
  width = fig.curves_width + (fig.complexity ? COMPLEXITY_WIDTH : 0) + (fig.regions ? FIGURE_HEIGHT : 0);
  relief_page_write_figure (RELIEF_PAGE (self), file, width, FIGURE_HEIGHT, draw_train_figure, &fig);
}

static void
export_to (ReliefPage *page, GFile *file)
{
  relief_train_page_export_figure (RELIEF_TRAIN_PAGE (page), file);
}

static void
relief_train_page_export (ReliefPage *page)
{
  ReliefTrainPage *self = RELIEF_TRAIN_PAGE (page);

  if (self->run_path == NULL || relief_page_is_running (page))
    {
      report_error (self, _("Nothing to export yet"), _("Train a model first; the figure shows its finished run."));
      return;
    }
  relief_page_choose_figure (page, _("Export Training Curves"), "training.pdf", export_to);
}

/* The curves' values at the step nearest the pointer: the loss plot's or the accuracy
 * plot's, train and test. */
static void
on_hover (ReliefPlotView *view, double x, double y, ReliefTrainPage *self)
{
  gboolean loss = view == self->loss_view;
  guint n = 0, best = 0;
  const double *steps = relief_live_curves_get_x (self->curves, &n);
  const double *train = relief_live_curves_get_values (self->curves, loss ? TRAIN_LOSS : TRAIN_ACC);
  const double *test = relief_live_curves_get_values (self->curves, loss ? TEST_LOSS : TEST_ACC);
  g_autofree char *text = NULL;

  if (n == 0)
    return;
  for (guint i = 1; i < n; i++)
    if (fabs (steps[i] - x) < fabs (steps[best] - x))
      best = i;
  if (loss && isnan (test[best]))
    text = g_strdup_printf (_("step %.0f   train loss %.4f"), steps[best], train[best]);
  else if (loss)
    text = g_strdup_printf (_("step %.0f   loss %.4f / %.4f (train / test)"), steps[best], train[best], test[best]);
  else if (isnan (test[best]))
    text = g_strdup_printf (_("step %.0f   train acc %.1f%%"), steps[best], train[best]);
  else
    text = g_strdup_printf (_("step %.0f   acc %.1f%% / %.1f%% (train / test)"), steps[best], train[best], test[best]);
  gtk_label_set_text (self->readout_label, text);
}

/* The sharpness at the measurement nearest the pointer, and the stability limit. */
static void
on_sharp_hover (ReliefPlotView *view, double x, double y, ReliefTrainPage *self)
{
  ReliefSharpness c = sharpness_of (self);
  g_autoptr(GString) text = g_string_new (NULL);
  char limit[96];
  int best = 0;

  if (c.n == 0)
    return;
  for (int i = 1; i < c.n; i++)
    if (fabs (c.steps[i] - x) < fabs (c.steps[best] - x))
      best = i;
  g_string_printf (text, _("step %.0f   λmax %.4g"), c.steps[best], c.lambda_max[best]);
  if (c.lambda_min != NULL)
    g_string_append_printf (text, _("   λmin %.4g"), c.lambda_min[best]);
  if (c.trace != NULL)
    g_string_append_printf (text, _("   tr H %.4g"), c.trace[best]);
  relief_figure_stability_limit (&c, limit, sizeof limit);
  g_string_append_printf (text, "   %s", limit);
  gtk_label_set_text (self->readout_label, text->str);
}

/* The trace is measured only with the sharpness. */
static void
on_curvature_changed (ReliefTrainPage *self)
{
  gboolean tracked = gtk_spin_button_get_value_as_int (self->curvature_spin) > 0;

  gtk_widget_set_sensitive (self->curvature_trace_row, tracked);
  gtk_widget_set_sensitive (self->curvature_min_row, tracked);
}

/* Only piecewise-linear networks have linear regions. */
static void
on_activation_changed (ReliefTrainPage *self)
{
  int act = relief_combo_enum (self->controls.activation_row);
  gboolean linear = act == RELIEF_ACT_RELU || act == RELIEF_ACT_LEAKY_RELU;

  gtk_widget_set_sensitive (self->regions_row, linear);
  if (!linear)
    gtk_switch_set_active (self->regions_switch, FALSE);
  gtk_widget_set_tooltip_text (self->regions_row,
                               linear ? _("Recomputed on a thread of its own as the model trains; frames it cannot keep up with are dropped")
                                      : _("Only relu and leaky_relu networks have linear regions: tanh and gelu are curved everywhere, so the network is affine on no region of its input"));
}

static void
on_regions_toggled (ReliefTrainPage *self)
{
  gboolean on = gtk_switch_get_active (self->regions_switch);

  relief_regions_live_set_enabled (self->regions_live, on);
  if (!on)
    g_clear_pointer (&self->regions, relief_regions_free);
  offer_regions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->decision_area));
}

/* Momentum applies to the momentum and Nesterov optimizers, RMSprop's and sign descent's;
 * choosing one sets the spin to its default (0.9, or 0 for RMSprop and sign descent), as
 * --optimizer does.  A loaded run sets the spin after the optimizer. */
static void
on_optimizer_changed (ReliefTrainPage *self)
{
  int kind = relief_combo_enum (self->controls.optimizer_row);
  ReliefOptimizerConfig defaults = { .momentum = gtk_spin_button_get_value (self->momentum_spin) };

  relief_optimizer_config_set_kind (&defaults, kind);
  gtk_spin_button_set_value (self->momentum_spin, defaults.momentum);

  gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->momentum_spin), ADW_TYPE_ACTION_ROW),
                            kind == RELIEF_OPT_MOMENTUM || kind == RELIEF_OPT_NESTEROV || kind == RELIEF_OPT_RMSPROP ||
                            kind == RELIEF_OPT_SIGN);
}

static void
relief_train_page_dispose (GObject *object)
{
  ReliefTrainPage *self = RELIEF_TRAIN_PAGE (object);

  stop_run_map (self);
  if (self->regions_live)
    {
      relief_regions_live_detach (self->regions_live);
      g_clear_pointer (&self->regions_live, relief_regions_live_unref);
    }
  G_OBJECT_CLASS (relief_train_page_parent_class)->dispose (object);
}

static void
relief_train_page_finalize (GObject *object)
{
  ReliefTrainPage *self = RELIEF_TRAIN_PAGE (object);

  g_free (self->run_path);
  relief_live_curves_free (self->curves);
  g_array_unref (self->sharp_steps);
  g_array_unref (self->complexity_rows);
  g_array_unref (self->sharp_max);
  g_array_unref (self->sharp_trace);
  g_array_unref (self->sharp_min);
  relief_decision_map_free (self->map);
  g_clear_pointer (&self->map_spec, relief_mlp_spec_free);
  g_free (self->map_params);
  relief_regions_free (self->regions);
  relief_live_curves_free (self->region_counts);
  relief_live_curves_free (self->complexity);
  G_OBJECT_CLASS (relief_train_page_parent_class)->finalize (object);
}

#define CHILD(field) RELIEF_TEMPLATE_CHILD (ReliefTrainPage, field)
static const ReliefTemplateChild children[] = {
  CHILD (paned), CHILD (momentum_spin), CHILD (weight_decay_spin), CHILD (status_label),
  CHILD (readout_label), CHILD (progress_bar), CHILD (loss_view), CHILD (acc_view), CHILD (decision_area),
  CHILD (plots_box), CHILD (sharp_view), CHILD (curvature_spin), CHILD (curvature_trace_row),
  CHILD (curvature_trace_switch), CHILD (curvature_min_row), CHILD (curvature_min_switch), CHILD (regions_row),
  CHILD (regions_switch), CHILD (complexity_spin), CHILD (complexity_view)
};
#undef CHILD

static void
relief_train_page_class_init (ReliefTrainPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ReliefPageClass *page_class = RELIEF_PAGE_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = relief_train_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = relief_train_page_finalize;
  page_class->run = relief_train_page_run;
  page_class->export = relief_train_page_export;
  page_class->start_default = relief_train_page_start_default;
  page_class->open = relief_train_page_open;

  g_type_ensure (RELIEF_TYPE_PLOT_VIEW);
  g_type_ensure (RELIEF_TYPE_TRAIN_PLOTS);
  relief_page_class_set_template (page_class, "/org/relief/Relief/ui/relief-train-page.ui",
                                  children, G_N_ELEMENTS (children));
  relief_train_controls_bind_template (widget_class, G_STRUCT_OFFSET (ReliefTrainPage, controls));
}

static void
relief_train_page_init (ReliefTrainPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  relief_page_set_status_widgets (RELIEF_PAGE (self), self->status_label, self->progress_bar);
  self->curves = relief_live_curves_new (N_SERIES, LIVE_BUCKETS);
  self->sharp_steps = g_array_new (FALSE, FALSE, sizeof (double));
  self->sharp_max = g_array_new (FALSE, FALSE, sizeof (double));
  self->sharp_trace = g_array_new (FALSE, FALSE, sizeof (double));
  self->sharp_min = g_array_new (FALSE, FALSE, sizeof (double));
  self->region_counts = relief_live_curves_new (1, LIVE_BUCKETS);
  self->complexity = relief_live_curves_new (N_LC, LIVE_BUCKETS);
  self->complexity_rows = g_array_new (FALSE, FALSE, sizeof (ReliefComplexityRow));
  self->regions_live = relief_regions_live_new (LIVE_MAX_REGIONS, on_regions_ready, self);
  /* The built-in default: a small MLP on a three-armed spiral, trained with Adam. */
  relief_train_controls_init (&self->controls);
  relief_spin_watch (self->momentum_spin);
  relief_spin_watch (self->weight_decay_spin);
  relief_spin_watch (self->curvature_spin);
  relief_spin_watch (self->complexity_spin);
  g_signal_connect_swapped (self->curvature_spin, "value-changed", G_CALLBACK (on_curvature_changed), self);
  on_curvature_changed (self);
  g_signal_connect_swapped (self->controls.optimizer_row, "notify::selected", G_CALLBACK (on_optimizer_changed), self);
  on_optimizer_changed (self);
  g_signal_connect_swapped (self->controls.activation_row, "notify::selected", G_CALLBACK (on_activation_changed), self);
  on_activation_changed (self);
  g_signal_connect_swapped (self->regions_switch, "notify::active", G_CALLBACK (on_regions_toggled), self);
  gtk_drawing_area_set_draw_func (self->decision_area, decision_draw, self, NULL);
  g_signal_connect (self->loss_view, "hover", G_CALLBACK (on_hover), self);
  g_signal_connect (self->acc_view, "hover", G_CALLBACK (on_hover), self);
  g_signal_connect (self->sharp_view, "hover", G_CALLBACK (on_sharp_hover), self);
}

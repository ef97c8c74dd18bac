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
#include "relief-train-page.h"
#include "relief-work-dir.h"

enum { TRAIN_LOSS, TEST_LOSS, TRAIN_ACC, TEST_ACC, N_SERIES };

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

  /* owned */
  struct TrainWork *work;          /* the running job's data, valid while the page runs */
  char           *run_path;        /* the run being written or last written */
  ReliefLiveCurves *curves;       /* the curves so far, decimated */
  GArray         *sharp_steps, *sharp_max, *sharp_trace, *sharp_min;   /* double: the sharpness so far */
  GArray         *complexity;     /* ReliefComplexityRow: the local complexity so far */
  gboolean        sharp_has_trace, sharp_has_min;
  ReliefOptimizerConfig sharp_optimizer;   /* the run's: its stability limit */
  ReliefDecisionMap *map;          /* what decision_area shows */
  gint64          map_step;
  ReliefWorker   *map_job;         /* an opened run's map, while it is computed */
  struct RunMapWork *map_work;
};

G_DEFINE_FINAL_TYPE (ReliefTrainPage, relief_train_page, RELIEF_TYPE_PAGE)

/* Shared between the worker thread (writes) and the page's tick (reads). */
typedef struct TrainWork {
  ReliefTrainJob    job;
  gboolean          reuse;         /* a run trained before with these settings will do */
  char             *reused_path;   /* the run taken instead of training, if any */
  GMutex            lock;
  double            fraction;
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
  g_mutex_clear (&w->lock);
  g_free (w);
}

static void
work_progress (double fraction, gpointer user_data)
{
  TrainWork *w = user_data;

  g_mutex_lock (&w->lock);
  w->fraction = fraction;
  g_mutex_unlock (&w->lock);
}

static void
work_metrics (const ReliefTrainMetrics *m, gpointer user_data)
{
  TrainWork *w = user_data;

  g_mutex_lock (&w->lock);
  g_array_append_val (w->pending, *m);
  g_mutex_unlock (&w->lock);
}

static void
work_complexity (const ReliefComplexityRow *row, gpointer user_data)
{
  TrainWork *w = user_data;

  g_mutex_lock (&w->lock);
  g_array_append_val (w->pending_complexity, *row);
  g_mutex_unlock (&w->lock);
}

static void
work_curvature (const ReliefCurvatureRow *row, gpointer user_data)
{
  TrainWork *w = user_data;

  g_mutex_lock (&w->lock);
  g_array_append_val (w->pending_curvature, *row);
  g_mutex_unlock (&w->lock);
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
  g_mutex_lock (&w->lock);
  relief_decision_map_free (w->fresh_map);
  w->fresh_map = map;
  w->fresh_map_step = step;
  g_mutex_unlock (&w->lock);
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
  work_progress (1.0, w);
}

static gboolean
train_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  TrainWork *w = data;
  ReliefTrainJobCallbacks cb = {
    .progress = work_progress,
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
  g_array_set_size (self->complexity, 0);
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

/* Takes map, the decisions at step, as the one shown beside the curves. */
static void
show_map (ReliefTrainPage *self, ReliefDecisionMap *map, gint64 step)
{
  relief_decision_map_free (self->map);
  self->map = map;
  self->map_step = step;
  gtk_widget_set_visible (GTK_WIDGET (self->decision_area), map != NULL);
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
  title = g_strdup_printf (_("Decisions at step %" G_GINT64_FORMAT), self->map_step);
  relief_figure_options_init (&options);
  options.title = title;
  relief_plot_screen_begin (cr, side, side, &w, &h);
  relief_figure_decision (cr, w, h, self->map, &options);
}

/* The decisions of an opened run's final model, computed off the main loop (its data
 * set is loaded, file data read again). */
typedef struct RunMapWork {
  char              *path;
  ReliefDecisionMap *map;
  gint64             step;
} RunMapWork;

static void
run_map_work_free (gpointer data)
{
  RunMapWork *w = data;

  g_free (w->path);
  relief_decision_map_free (w->map);
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
    show_map (self, g_steal_pointer (&w->map), w->step);
}

static void
stop_run_map (ReliefTrainPage *self)
{
  g_clear_pointer (&self->map_job, relief_worker_drop);
  self->map_work = NULL;
}

static void
show_last_metrics (ReliefTrainPage *self, const ReliefTrainMetrics *m, int epochs)
{
  /* Whole epochs done, of the run's: a fraction of an epoch says nothing at a glance. */
  int epoch = (int) floor (m->epoch + 1e-9);
  g_autofree char *text = NULL;

  if (isnan (m->test_loss))
    text = g_strdup_printf (_("epoch %d of %d   train loss %.4f   train acc %.1f%%"),
                            epoch, epochs, m->train_loss, 100 * m->train_acc);
  else
    text = g_strdup_printf (_("epoch %d of %d   loss %.4f / %.4f   acc %.1f%% / %.1f%% (train / test)"),
                            epoch, epochs, m->train_loss, m->test_loss, 100 * m->train_acc, 100 * m->test_acc);
  gtk_label_set_text (self->readout_label, text);
}

static void
train_tick (gpointer owner)
{
  ReliefTrainPage *self = owner;
  TrainWork *w = self->work;
  g_autoptr(GArray) fresh = NULL;
  g_autoptr(GArray) fresh_curvature = NULL;
  ReliefDecisionMap *map;
  gint64 map_step;
  double fraction;

  g_mutex_lock (&w->lock);
  fraction = w->fraction;
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
      g_array_append_vals (self->complexity, w->pending_complexity->data, w->pending_complexity->len);
      g_array_set_size (w->pending_complexity, 0);
    }
  map = g_steal_pointer (&w->fresh_map);
  map_step = w->fresh_map_step;
  g_mutex_unlock (&w->lock);

  if (fresh_curvature != NULL)
    {
      for (guint i = 0; i < fresh_curvature->len; i++)
        {
          const ReliefCurvatureRow *row = &g_array_index (fresh_curvature, ReliefCurvatureRow, i);

          append_sharpness (self, row->step, row->lambda_max, row->trace, row->lambda_min);
        }
      update_sharpness (self);
    }

  relief_page_set_progress (RELIEF_PAGE (self), fraction);
  if (map)
    show_map (self, map, map_step);
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
  GtkSpinButton *spins[] = { self->momentum_spin, self->weight_decay_spin, self->curvature_spin, NULL };

  if (!relief_train_controls_read (&self->controls, job, error) || !relief_spins_check (spins, error))
    return FALSE;
  job->train.optimizer.momentum = gtk_spin_button_get_value (self->momentum_spin);
  job->train.optimizer.weight_decay = gtk_spin_button_get_value (self->weight_decay_spin);
  job->train.curvature_every = gtk_spin_button_get_value_as_int (self->curvature_spin);
  job->train.curvature_trace = job->train.curvature_every > 0 && gtk_switch_get_active (self->curvature_trace_switch);
  job->train.curvature_min = job->train.curvature_every > 0 && gtk_switch_get_active (self->curvature_min_switch);
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
  g_mutex_init (&w->lock);
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
  clear_sharpness (self, &w->job.train.optimizer, w->job.train.curvature_trace, w->job.train.curvature_min);
  stop_run_map (self);
  show_map (self, NULL, 0);
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
  show_map (self, NULL, 0);
  self->map_work = g_new0 (RunMapWork, 1);
  self->map_work->path = g_strdup (path);
  self->map_job = relief_worker_start (run_map_work_run, self->map_work, run_map_work_free, NULL, run_map_done, self);
  relief_train_controls_fill (&self->controls, run->dataset_name, NULL, run->spec, &run->config);
  gtk_spin_button_set_value (self->momentum_spin, run->config.optimizer.momentum);
  gtk_spin_button_set_value (self->weight_decay_spin, run->config.optimizer.weight_decay);
  gtk_spin_button_set_value (self->curvature_spin, run->config.curvature_every);
  gtk_switch_set_active (self->curvature_trace_switch, run->config.curvature_trace);
  gtk_switch_set_active (self->curvature_min_switch, run->config.curvature_min);
  clear_sharpness (self, &run->config.optimizer, run->curvature != NULL && run->curvature->trace != NULL,
                   run->curvature != NULL && run->curvature->lambda_min != NULL);
  for (int i = 0; run->curvature != NULL && i < run->curvature->n; i++)
    append_sharpness (self, run->curvature->step[i], run->curvature->lambda_max[i],
                      run->curvature->trace != NULL ? run->curvature->trace[i] : NAN,
                      run->curvature->lambda_min != NULL ? run->curvature->lambda_min[i] : NAN);
  update_sharpness (self);
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

      g_array_append_val (self->complexity, row);
    }

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

  g_free (self->run_path);
  self->run_path = g_strdup (path);
  relief_work_dir_add_recent (path, NULL);
  title = relief_work_dir_title (path);
  message = g_strdup_printf (_("Opened %s (%s)"), title, run->status);
  relief_page_set_status (page, message);
  relief_page_set_progress (page, 1.0);
  relief_page_run_ready (page, path);
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

const ReliefComplexityRow *
relief_train_page_get_complexity (ReliefTrainPage *self, guint *n)
{
  g_return_val_if_fail (RELIEF_IS_TRAIN_PAGE (self), NULL);

  *n = self->complexity->len;
  return (const ReliefComplexityRow *) self->complexity->data;
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

static void
draw_run_figure (cairo_t *cr, double width, double height, gpointer user_data)
{
  ReliefFigureOptions options;

  relief_figure_options_init (&options);
  relief_figure_run (cr, width, height, user_data, &options);
}

static void
export_to (ReliefPage *page, GFile *file)
{
  ReliefTrainPage *self = RELIEF_TRAIN_PAGE (page);
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;

  if ((run = relief_run_load (self->run_path, FALSE, &error)) == NULL)
    report_error (self, _("Cannot export"), error->message);
  else
    /* A run that tracked curvature has the sharpness as a third panel. */
    relief_page_write_figure (page, file, run->curvature != NULL && run->curvature->n > 0 ? 972 : 648, 252,
                              draw_run_figure, run);
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

/* Momentum applies to the momentum and Nesterov optimizers only. */
static void
on_optimizer_changed (ReliefTrainPage *self)
{
  int kind = relief_combo_enum (self->controls.optimizer_row);

  gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->momentum_spin), ADW_TYPE_ACTION_ROW),
                            kind == RELIEF_OPT_MOMENTUM || kind == RELIEF_OPT_NESTEROV);
}

static void
relief_train_page_dispose (GObject *object)
{
  stop_run_map (RELIEF_TRAIN_PAGE (object));
  G_OBJECT_CLASS (relief_train_page_parent_class)->dispose (object);
}

static void
relief_train_page_finalize (GObject *object)
{
  ReliefTrainPage *self = RELIEF_TRAIN_PAGE (object);

  g_free (self->run_path);
  relief_live_curves_free (self->curves);
  g_array_unref (self->sharp_steps);
  g_array_unref (self->complexity);
  g_array_unref (self->sharp_max);
  g_array_unref (self->sharp_trace);
  g_array_unref (self->sharp_min);
  relief_decision_map_free (self->map);
  G_OBJECT_CLASS (relief_train_page_parent_class)->finalize (object);
}

#define CHILD(field) RELIEF_TEMPLATE_CHILD (ReliefTrainPage, field)
static const ReliefTemplateChild children[] = {
  CHILD (paned), CHILD (momentum_spin), CHILD (weight_decay_spin), CHILD (status_label),
  CHILD (readout_label), CHILD (progress_bar), CHILD (loss_view), CHILD (acc_view), CHILD (decision_area),
  CHILD (plots_box), CHILD (sharp_view), CHILD (curvature_spin), CHILD (curvature_trace_row),
  CHILD (curvature_trace_switch), CHILD (curvature_min_row), CHILD (curvature_min_switch)
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
  self->complexity = g_array_new (FALSE, FALSE, sizeof (ReliefComplexityRow));
  /* The built-in default: a small MLP on a three-armed spiral, trained with Adam. */
  relief_train_controls_init (&self->controls);
  relief_spin_watch (self->momentum_spin);
  relief_spin_watch (self->weight_decay_spin);
  relief_spin_watch (self->curvature_spin);
  g_signal_connect_swapped (self->curvature_spin, "value-changed", G_CALLBACK (on_curvature_changed), self);
  on_curvature_changed (self);
  g_signal_connect_swapped (self->controls.optimizer_row, "notify::selected", G_CALLBACK (on_optimizer_changed), self);
  on_optimizer_changed (self);
  gtk_drawing_area_set_draw_func (self->decision_area, decision_draw, self, NULL);
  g_signal_connect (self->loss_view, "hover", G_CALLBACK (on_hover), self);
  g_signal_connect (self->acc_view, "hover", G_CALLBACK (on_hover), self);
  g_signal_connect (self->sharp_view, "hover", G_CALLBACK (on_sharp_hover), self);
}

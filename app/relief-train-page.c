#include "relief-config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <math.h>

#include "relief-controls.h"
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

  /* owned */
  struct TrainWork *work;          /* the running job's data, valid while the page runs */
  char           *run_path;        /* the run being written or last written */
  ReliefLiveCurves *curves;       /* the curves so far, decimated */
};

G_DEFINE_FINAL_TYPE (ReliefTrainPage, relief_train_page, RELIEF_TYPE_PAGE)

/* Shared between the worker thread (writes) and the page's tick (reads). */
typedef struct TrainWork {
  ReliefTrainJob    job;
  GMutex            lock;
  double            fraction;
  GArray           *pending;       /* ReliefTrainMetrics not yet shown */
  ReliefTrainStatus status;
} TrainWork;

static void
train_work_free (gpointer data)
{
  TrainWork *w = data;

  relief_train_job_clear (&w->job);
  g_array_unref (w->pending);
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

static gboolean
train_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  TrainWork *w = data;
  ReliefTrainJobCallbacks cb = {
    .progress = work_progress,
    .metrics = work_metrics,
    .user_data = w,
  };

  return relief_train_job_run (&w->job, &cb, cancellable, &w->status, error);
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
train_tick (gpointer owner)
{
  ReliefTrainPage *self = owner;
  TrainWork *w = self->work;
  g_autoptr(GArray) fresh = NULL;
  double fraction;

  g_mutex_lock (&w->lock);
  fraction = w->fraction;
  if (w->pending->len > 0)
    {
      fresh = w->pending;
      w->pending = g_array_new (FALSE, FALSE, sizeof (ReliefTrainMetrics));
    }
  g_mutex_unlock (&w->lock);

  relief_page_set_progress (RELIEF_PAGE (self), fraction);
  if (fresh == NULL)
    return;
  for (guint i = 0; i < fresh->len; i++)
    append_metrics (self, &g_array_index (fresh, ReliefTrainMetrics, i));
  {
    const ReliefTrainMetrics *m = &g_array_index (fresh, ReliefTrainMetrics, fresh->len - 1);
    /* Whole epochs done, of the run's: a fraction of an epoch says nothing at a glance. */
    int epoch = (int) floor (m->epoch + 1e-9), epochs = w->job.train.epochs;
    g_autofree char *text = NULL;

    if (isnan (m->test_loss))
      text = g_strdup_printf (_("epoch %d of %d   train loss %.4f   train acc %.1f%%"),
                              epoch, epochs, m->train_loss, 100 * m->train_acc);
    else
      text = g_strdup_printf (_("epoch %d of %d   loss %.4f / %.4f   acc %.1f%% / %.1f%% (train / test)"),
                              epoch, epochs, m->train_loss, m->test_loss, 100 * m->train_acc, 100 * m->test_acc);
    gtk_label_set_text (self->readout_label, text);
  }
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
  ReliefTrainStatus status = self->work->status;
  g_autofree char *basename = g_path_get_basename (self->run_path);
  g_autofree char *message = NULL;

  self->work = NULL;
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
      message = g_strdup_printf (_("Trained: %s"), basename);
      relief_page_set_status (RELIEF_PAGE (self), message);
      relief_page_set_progress (RELIEF_PAGE (self), 1.0);
      break;
    }
  relief_page_run_ready (RELIEF_PAGE (self), self->run_path);
}

static gboolean
read_job (ReliefTrainPage *self, ReliefTrainJob *job, GError **error)
{
  if (!relief_train_controls_read (&self->controls, job, error))
    return FALSE;
  job->train.optimizer.momentum = gtk_spin_button_get_value (self->momentum_spin);
  job->train.optimizer.weight_decay = gtk_spin_button_get_value (self->weight_decay_spin);
  return TRUE;
}

static void
relief_train_page_run (ReliefPage *page)
{
  ReliefTrainPage *self = RELIEF_TRAIN_PAGE (page);
  g_autoptr(GError) error = NULL;
  TrainWork *w;

  w = g_new0 (TrainWork, 1);
  g_mutex_init (&w->lock);
  w->pending = g_array_new (FALSE, FALSE, sizeof (ReliefTrainMetrics));
  if (!read_job (self, &w->job, &error) ||
      (w->job.output = relief_work_dir_new_path (RELIEF_FILE_KIND_RUN, &error)) == NULL)
    {
      train_work_free (w);
      report_error (self, _("Cannot start training"), error->message);
      return;
    }

  g_free (self->run_path);
  self->run_path = g_strdup (w->job.output);
  relief_live_curves_clear (self->curves);
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
    relief_page_write_figure (page, file, 648, 252, draw_run_figure, run);
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

/* Momentum applies to the momentum and Nesterov optimizers only. */
static void
on_optimizer_changed (ReliefTrainPage *self)
{
  int kind = relief_combo_enum (self->controls.optimizer_row);

  gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->momentum_spin), ADW_TYPE_ACTION_ROW),
                            kind == RELIEF_OPT_MOMENTUM || kind == RELIEF_OPT_NESTEROV);
}

static void
relief_train_page_finalize (GObject *object)
{
  ReliefTrainPage *self = RELIEF_TRAIN_PAGE (object);

  g_free (self->run_path);
  relief_live_curves_free (self->curves);
  G_OBJECT_CLASS (relief_train_page_parent_class)->finalize (object);
}

#define CHILD(field) RELIEF_TEMPLATE_CHILD (ReliefTrainPage, field)
static const ReliefTemplateChild children[] = {
  CHILD (paned), CHILD (momentum_spin), CHILD (weight_decay_spin), CHILD (status_label),
  CHILD (readout_label), CHILD (progress_bar), CHILD (loss_view), CHILD (acc_view)
};
#undef CHILD

static void
relief_train_page_class_init (ReliefTrainPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ReliefPageClass *page_class = RELIEF_PAGE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = relief_train_page_finalize;
  page_class->run = relief_train_page_run;
  page_class->export = relief_train_page_export;

  g_type_ensure (RELIEF_TYPE_PLOT_VIEW);
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
  /* The built-in default: a small MLP on a three-armed spiral, trained with Adam. */
  relief_train_controls_init (&self->controls);
  g_signal_connect_swapped (self->controls.optimizer_row, "notify::selected", G_CALLBACK (on_optimizer_changed), self);
  on_optimizer_changed (self);
  g_signal_connect (self->loss_view, "hover", G_CALLBACK (on_hover), self);
  g_signal_connect (self->acc_view, "hover", G_CALLBACK (on_hover), self);
}

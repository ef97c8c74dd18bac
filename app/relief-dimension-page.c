#include "relief-config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <math.h>

#include "relief-controls.h"
#include "relief-dimension-page.h"
#include "relief-figures.h"
#include "relief-intdim-job.h"
#include "relief-work-dir.h"
#include "relief-enums.h"

#define HOVER_RADIUS 8.0

struct _ReliefDimensionPage {
  ReliefPage parent_instance;

  /* template widgets */
  GtkWidget      *paned;          /* the root child, unparented in dispose */
  ReliefTrainControls controls;   /* data, model and training */
  AdwComboRow    *projection_row;
  AdwEntryRow    *dims_row;
  GtkSpinButton  *seeds_spin;
  GtkSpinButton  *global_spin;
  GtkLabel       *status_label;
  GtkLabel       *readout_label;
  GtkLabel       *cells_label;
  GtkProgressBar *sweep_bar;
  GtkLabel       *cell_label;
  GtkProgressBar *cell_bar;
  GtkStack       *plot_stack;
  GtkDrawingArea *plot_area;
  GtkLabel       *baseline_label;
  GtkLabel       *individual_label;
  GtkLabel       *global_label;

  /* owned */
  struct SweepWork *work;          /* the running job's data, valid while the page runs */
  ReliefIntdim   *sweep;           /* what the figure shows */
  char           *sweep_path;      /* its file */
  char           *sweep_key;       /* the settings it was run with: the same ones continue it */
  ReliefPlotFrame frame;           /* where the figure's data area was last drawn */
  gboolean        has_frame;
};

G_DEFINE_FINAL_TYPE (ReliefDimensionPage, relief_dimension_page, RELIEF_TYPE_PAGE)

/* Shared between the worker thread (writes) and the page's tick (reads). */
typedef struct SweepWork {
  ReliefWorkShared shared;         /* fraction: of the training running (k, seed) */
  ReliefIntdimJob job;
  char           *key;             /* the settings, as job_key makes them */
  gboolean        adopted;         /* the page shows this job's sweep (else still the one before) */
  /* shared.lock guards fresh, k, seed and n_diverged */
  ReliefIntdim   *fresh;           /* a copy of the sweep not yet shown, or NULL */
  int             k, seed;         /* the training running: k == -1 the baseline, -2 none */
  int             n_diverged;
  int             cells_run;
} SweepWork;

static void
sweep_work_free (gpointer data)
{
  SweepWork *w = data;

  relief_train_job_clear (&w->job.base);
  g_free (w->job.dims);
  g_free (w->key);
  g_clear_pointer (&w->fresh, relief_intdim_free);
  relief_work_shared_clear (&w->shared);
  g_free (w);
}

static SweepWork *
sweep_work_new (void)
{
  SweepWork *w = g_new0 (SweepWork, 1);

  relief_work_shared_init (&w->shared);
  w->k = -2;
  return w;
}

static void
work_cell (int k, int seed, gpointer user_data)
{
  SweepWork *w = user_data;

  g_mutex_lock (&w->shared.lock);
  w->k = k;
  w->seed = seed;
  w->shared.fraction = 0;
  g_mutex_unlock (&w->shared.lock);
}

/* Hands the page its own copy: the sweep goes on changing in this thread. */
static void
work_offer (SweepWork *w, ReliefIntdim *copy, ReliefTrainStatus status)
{
  g_mutex_lock (&w->shared.lock);
  g_clear_pointer (&w->fresh, relief_intdim_free);
  w->fresh = copy;
  w->n_diverged += status == RELIEF_TRAIN_DIVERGED;
  g_mutex_unlock (&w->shared.lock);
}

static void
work_sweep (const ReliefIntdim *sweep, ReliefTrainStatus status, gpointer user_data)
{
  work_offer (user_data, relief_intdim_copy (sweep), status);
}

static gboolean
sweep_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  SweepWork *w = data;
  ReliefIntdimJobCallbacks cb = {
    .progress = relief_work_shared_progress,
    .cell = work_cell,
    .sweep = work_sweep,
    .user_data = w,
  };
  ReliefIntdim *result = NULL;

  if (!relief_intdim_job_run (&w->job, &cb, cancellable, &w->cells_run, &result, error))
    return FALSE;
  /* The final d_int90 follows the global baseline asked for now, also when nothing ran. */
  work_offer (w, result, RELIEF_TRAIN_COMPLETED);
  return TRUE;
}

static int
count_done (const ReliefIntdim *id)
{
  int done = !isnan (id->baseline_train_acc);

  for (int i = 0; i < id->K * id->n_seeds; i++)
    done += !isnan (id->train_acc[i]);
  return done;
}

/* While trainings are missing the value covers only the seeds run so far, and says so. */
static char *
format_dint90 (const ReliefIntdim *id, const char *label, double mean, double std)
{
  gboolean partial = count_done (id) < id->K * id->n_seeds + 1;

  if (isnan (mean))
    return partial ? g_strdup_printf (_("%s: not reached yet"), label)
                   : g_strdup_printf (_("%s: not reached"), label);
  if (id->n_seeds == 1)
    return partial ? g_strdup_printf (_("%s = %.1f so far"), label, mean)
                   : g_strdup_printf (_("%s = %.1f"), label, mean);
  return partial ? g_strdup_printf (_("%s = %.1f ± %.1f so far"), label, mean, std)
                 : g_strdup_printf (_("%s = %.1f ± %.1f"), label, mean, std);
}

static char *
format_baseline (const ReliefIntdim *id)
{
  if (isnan (id->baseline_test_acc))
    return g_strdup_printf (_("baseline: %.1f%% train accuracy"), 100 * id->baseline_train_acc);
  return g_strdup_printf (_("baseline: %.1f%% test accuracy"), 100 * id->baseline_test_acc);
}

/* The baseline once trained; d_int90 both ways once a cell has run. */
static void
update_readouts (ReliefDimensionPage *self)
{
  const ReliefIntdim *id = self->sweep;
  gboolean has_baseline = id != NULL && !isnan (id->baseline_train_acc);
  gboolean has_cells = id != NULL && count_done (id) > has_baseline;
  g_autofree char *baseline = has_baseline ? format_baseline (id) : NULL;
  g_autofree char *individual = NULL, *global = NULL, *global_name = NULL;

  if (has_cells)
    {
      individual = format_dint90 (id, _("d_int90"), id->dint90_individual_mean, id->dint90_individual_std);
      global_name = g_strdup_printf (_("global d_int90 (%.0f%%)"), 100 * id->global_baseline);
      global = format_dint90 (id, global_name, id->dint90_global_mean, id->dint90_global_std);
    }
  gtk_label_set_text (self->baseline_label, baseline ? baseline : "");
  gtk_label_set_text (self->individual_label, individual ? individual : "");
  gtk_label_set_text (self->global_label, global ? global : "");
}

/* The progress area: trainings done over the sweep, and the one running. */
static void
update_progress (ReliefDimensionPage *self, int k, int seed, double fraction)
{
  const ReliefIntdim *id = self->sweep;
  int total = id ? id->K * id->n_seeds + 1 : 0, done = id ? count_done (id) : 0;
  g_autofree char *cells = NULL, *cell = NULL;
  gboolean running = relief_page_is_running (RELIEF_PAGE (self)) && id != NULL && k > -2;

  gtk_widget_set_visible (GTK_WIDGET (self->cells_label), id != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->sweep_bar), id != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->cell_label), running);
  gtk_widget_set_visible (GTK_WIDGET (self->cell_bar), running);
  if (id != NULL)
    {
      cells = g_strdup_printf (_("%d of %d trainings"), done, total);
      gtk_label_set_text (self->cells_label, cells);
      gtk_progress_bar_set_fraction (self->sweep_bar, MIN (1.0, (done + (running ? fraction : 0)) / total));
    }
  if (!running)
    return;
  if (k == -1)
    cell = g_strdup (_("baseline: all parameters"));
  else
    cell = g_strdup_printf (_("d = %lld, seed %d of %d"), (long long) id->dims[k], seed + 1, id->n_seeds);
  gtk_label_set_text (self->cell_label, cell);
  gtk_progress_bar_set_fraction (self->cell_bar, fraction);
}

/* Takes sweep (NULL: none) as the one shown. */
static void
show_sweep (ReliefDimensionPage *self, ReliefIntdim *sweep)
{
  gboolean has_points;

  g_clear_pointer (&self->sweep, relief_intdim_free);
  self->sweep = sweep;
  has_points = sweep != NULL && count_done (sweep) > 0;
  if (!has_points)
    self->has_frame = FALSE;
  gtk_stack_set_visible_child_name (self->plot_stack, has_points ? "plot" : "empty");
  update_readouts (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->plot_area));
}

static void
sweep_tick (gpointer owner)
{
  ReliefDimensionPage *self = owner;
  SweepWork *w = self->work;
  ReliefIntdim *fresh;
  int k, seed;
  double fraction;

  g_mutex_lock (&w->shared.lock);
  fresh = g_steal_pointer (&w->fresh);
  k = w->k;
  seed = w->seed;
  fraction = w->shared.fraction;
  g_mutex_unlock (&w->shared.lock);

  /* The sweep shown before goes once this one has started: a start that fails keeps it. */
  if (fresh && !w->adopted)
    {
      g_free (self->sweep_path);
      self->sweep_path = g_strdup (w->job.base.output);
      g_free (self->sweep_key);
      self->sweep_key = g_strdup (w->key);
      w->adopted = TRUE;
    }
  if (fresh)
    show_sweep (self, fresh);
  update_progress (self, k, seed, fraction);
}

/* A sweep cannot be opened while another runs. */
static void
on_running_changed (ReliefDimensionPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.open", !relief_page_is_running (RELIEF_PAGE (self)));
}

static void
report_error (ReliefDimensionPage *self, const char *heading, const char *message)
{
  relief_page_report_error (RELIEF_PAGE (self), heading, message);
}

static void
report_cancelled (ReliefDimensionPage *self, const char *output, const char *basename)
{
  g_autofree char *message = NULL;

  if (!g_file_test (output, G_FILE_TEST_EXISTS))
    message = g_strdup (_("Cancelled before the baseline was trained: nothing to keep"));
  else
    message = g_strdup_printf (_("Cancelled: what ran is saved in %s, and Run continues it"), basename);
  relief_page_report_cancelled (RELIEF_PAGE (self), message);
}

static void
sweep_done (gpointer owner, const GError *error)
{
  ReliefDimensionPage *self = owner;
  SweepWork *w = self->work;
  int n_diverged = w->n_diverged, cells_run = w->cells_run;
  g_autofree char *basename = g_path_get_basename (w->job.base.output);
  g_autofree char *message = NULL;

  self->work = NULL;
  update_progress (self, -2, 0, 0);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    report_cancelled (self, w->job.base.output, basename);
  else if (error && !w->adopted && self->sweep != NULL)
    {
      /* Refused before it began (a dimension beyond the model's parameters, ...): what
       * was shown stays, and the settings to change are named. */
      message = g_strdup_printf (_("%s. The sweep shown is kept."), error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
        {
          relief_page_set_status (RELIEF_PAGE (self), message);
          relief_page_toast (RELIEF_PAGE (self), message);
        }
      else
        report_error (self, _("The sweep could not run"), message);
    }
  else if (error)
    report_error (self, _("The sweep could not run"), error->message);
  else if (n_diverged > 0)
    {
      message = g_strdup_printf (ngettext ("%d training diverged (its loss became NaN or infinite) and counts with its last finite point. Try a smaller learning rate.",
                                           "%d trainings diverged (their loss became NaN or infinite) and count with their last finite point. Try a smaller learning rate.",
                                           n_diverged), n_diverged);
      report_error (self, _("Training diverged"), message);
    }
  else
    {
      message = cells_run > 0 ? g_strdup_printf (_("Sweep saved as %s"), basename)
                              : g_strdup_printf (_("Every training of this sweep was already in %s"), basename);
      relief_work_dir_add_recent (self->sweep_path, NULL);
      relief_page_set_status (RELIEF_PAGE (self), message);
    }
}

/* identity (P = I) needs d = D, a check of the training code rather than a sweep. */
static gboolean
is_sweep_projection (int projection)
{
  return projection != RELIEF_PROJECTION_IDENTITY;
}

static gboolean
read_job (ReliefDimensionPage *self, ReliefIntdimJob *job, GError **error)
{
  GtkSpinButton *spins[] = { self->seeds_spin, self->global_spin, NULL };
  g_autoptr(GError) dims_error = NULL;

  if (!relief_train_controls_read (&self->controls, &job->base, error) || !relief_spins_check (spins, error))
    return FALSE;
  if (!relief_parse_dims (gtk_editable_get_text (GTK_EDITABLE (self->dims_row)), &job->dims, &job->K, &dims_error))
    {
      relief_row_set_error (GTK_WIDGET (self->dims_row), dims_error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->dims_row));
      g_propagate_prefixed_error (error, g_steal_pointer (&dims_error), "%s: ",
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->dims_row)));
      return FALSE;
    }
  job->projection = relief_combo_enum (self->projection_row);
  job->n_seeds = gtk_spin_button_get_value_as_int (self->seeds_spin);
  job->global_baseline = gtk_spin_button_get_value (self->global_spin);
  return TRUE;
}

/* What a sweep file must share with the controls for Run to continue it (the backend and
 * the global baseline may change). */
static char *
job_key (const ReliefIntdimJob *job)
{
  const ReliefTrainJob *b = &job->base;
  GString *key = g_string_new (NULL);

  g_string_append_printf (key, "%s|%d|%.17g|%d|%llu|%.17g|%s|%s|%s|%s|%.9g|%d|%d|%llu|%d|", b->dataset,
                          b->gen.n_samples, b->gen.noise, b->gen.n_classes, (unsigned long long) b->gen.seed,
                          b->gen.test_fraction, relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, b->activation),
                          relief_enum_to_nick (RELIEF_TYPE_LOSS, b->loss),
                          relief_enum_to_nick (RELIEF_TYPE_PROJECTION_KIND, job->projection),
                          relief_enum_to_nick (RELIEF_TYPE_OPTIMIZER_KIND, b->train.optimizer.kind), b->train.optimizer.lr,
                          b->train.batch_size, b->train.epochs, (unsigned long long) b->train.seed, job->n_seeds);
  for (int i = 0; i < b->n_hidden; i++)
    g_string_append_printf (key, "h%d", b->hidden[i]);
  for (int k = 0; k < job->K; k++)
    g_string_append_printf (key, "d%lld", (long long) job->dims[k]);
  return g_string_free (key, FALSE);
}

/* The sweep's file: the one shown when the settings are its own, else a new one. */
static char *
choose_output (ReliefDimensionPage *self, const ReliefIntdimJob *job, const char *key, GError **error)
{
  g_autofree char *stem = NULL;

  if (self->sweep_path && g_strcmp0 (key, self->sweep_key) == 0 &&
      g_file_test (self->sweep_path, G_FILE_TEST_EXISTS))
    return g_strdup (self->sweep_path);
  /* Named for its data set and model, as runs are. */
  stem = relief_train_job_stem (&job->base);
  return relief_work_dir_new_path (RELIEF_FILE_KIND_INTDIM, stem, error);
}

static void
relief_dimension_page_run (ReliefPage *page)
{
  ReliefDimensionPage *self = RELIEF_DIMENSION_PAGE (page);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  SweepWork *w;

  w = sweep_work_new ();
  /* A bad field is marked beside it; the status line says which. */
  if (!read_job (self, &w->job, &error))
    {
      sweep_work_free (w);
      relief_page_set_status (page, error->message);
      return;
    }
  w->key = job_key (&w->job);
  if ((w->job.base.output = choose_output (self, &w->job, w->key, &error)) == NULL)
    {
      sweep_work_free (w);
      report_error (self, _("Cannot start the sweep"), error->message);
      return;
    }
  /* Continuing the sweep shown; a new one replaces it once it has begun (sweep_tick). */
  w->adopted = g_strcmp0 (w->job.base.output, self->sweep_path) == 0;

  message = g_strdup_printf (_("Training a %s MLP on %s in random subspaces of d = %s…"),
                             gtk_editable_get_text (GTK_EDITABLE (self->controls.hidden_row)), w->job.base.dataset,
                             gtk_editable_get_text (GTK_EDITABLE (self->dims_row)));
  relief_page_set_status (page, message);
  gtk_label_set_text (self->readout_label, "");
  self->work = w;
  relief_page_start_job (page, sweep_work_run, w, sweep_work_free, sweep_tick, sweep_done);
  update_progress (self, -2, 0, 0);
}

const ReliefIntdim *
relief_dimension_page_get_sweep (ReliefDimensionPage *self)
{
  return self->sweep;
}

const char *
relief_dimension_page_get_sweep_path (ReliefDimensionPage *self)
{
  return self->sweep_path;
}

gboolean
relief_dimension_page_get_plot_frame (ReliefDimensionPage *self, ReliefPlotFrame *frame)
{
  if (!self->has_frame)
    return FALSE;
  *frame = self->frame;
  return TRUE;
}

static char *
dims_text (const ReliefIntdim *id)
{
  GString *text = g_string_new (NULL);

  for (int k = 0; k < id->K; k++)
    g_string_append_printf (text, k == 0 ? "%lld" : ",%lld", (long long) id->dims[k]);
  return g_string_free (text, FALSE);
}

/* The controls as the sweep was run, so that Run continues it. */
static void
fill_controls (ReliefDimensionPage *self, const ReliefIntdim *id)
{
  g_autofree char *dims = dims_text (id);
  int projection;

  relief_train_controls_fill (&self->controls, id->dataset, id->has_gen ? &id->gen : NULL, id->spec, &id->config);
  if (relief_enum_from_nick (RELIEF_TYPE_PROJECTION_KIND, id->projection, &projection, NULL))
    relief_combo_select_enum (self->projection_row, projection);
  gtk_editable_set_text (GTK_EDITABLE (self->dims_row), dims);
  gtk_spin_button_set_value (self->seeds_spin, id->n_seeds);
  gtk_spin_button_set_value (self->global_spin, id->global_baseline);
}

gboolean
relief_dimension_page_open (ReliefDimensionPage *self, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefIntdim) id = NULL;
  g_autofree char *title = relief_work_dir_title (path);
  g_autofree char *message = NULL;
  ReliefIntdimJob job = { 0 };

  g_return_val_if_fail (RELIEF_IS_DIMENSION_PAGE (self), FALSE);
  if (relief_page_is_running (RELIEF_PAGE (self)))
    return FALSE;
  id = relief_intdim_load (path, &error);
  if (id == NULL)
    {
      report_error (self, _("Cannot open the sweep"), error->message);
      return FALSE;
    }
  fill_controls (self, id);
  g_free (self->sweep_path);
  self->sweep_path = g_strdup (path);
  g_free (self->sweep_key);
  self->sweep_key = read_job (self, &job, NULL) ? job_key (&job) : NULL;
  relief_train_job_clear (&job.base);
  g_free (job.dims);

  relief_work_dir_add_recent (path, NULL);
  message = g_strdup_printf (_("Opened %s"), title);
  relief_page_set_status (RELIEF_PAGE (self), message);
  show_sweep (self, g_steal_pointer (&id));
  update_progress (self, -2, 0, 0);
  return TRUE;
}

static gboolean
relief_dimension_page_open_file (ReliefPage *page, const char *path, ReliefFileKind kind)
{
  ReliefDimensionPage *self = RELIEF_DIMENSION_PAGE (page);

  if (kind != RELIEF_FILE_KIND_INTDIM)
    return FALSE;
  /* What ran of a sweep is in its file already. */
  relief_page_drop_job (page);
  self->work = NULL;
  relief_dimension_page_open (self, path);
  return TRUE;
}

static void
open_file (ReliefPage *page, GFile *file)
{
  g_autofree char *path = g_file_get_path (file);

  if (path)
    relief_dimension_page_open (RELIEF_DIMENSION_PAGE (page), path);
}

static void
action_open (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *sweeps = g_build_filename (g_get_user_data_dir (), "relief", "sweeps", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (sweeps);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Open Sweep"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("HDF5 files"));
  gtk_file_filter_add_pattern (filter, "*.h5");
  gtk_file_filter_add_pattern (filter, "*.hdf5");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  if (g_file_test (sweeps, G_FILE_TEST_IS_DIR))
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  relief_page_choose_file (RELIEF_PAGE (widget), chooser, open_file);
}

static void
draw_sweep_figure (cairo_t *cr, double width, double height, gpointer user_data)
{
  ReliefFigureOptions options;

  relief_figure_options_init (&options);
  relief_figure_intdim (cr, width, height, user_data, &options, NULL);
}

static void
export_to (ReliefPage *page, GFile *file)
{
  ReliefDimensionPage *self = RELIEF_DIMENSION_PAGE (page);

  if (self->sweep)
    relief_page_write_figure (page, file, 432, 324, draw_sweep_figure, self->sweep);
}

static void
relief_dimension_page_export (ReliefPage *page)
{
  ReliefDimensionPage *self = RELIEF_DIMENSION_PAGE (page);

  if (self->sweep == NULL || count_done (self->sweep) == 0)
    {
      report_error (self, _("Nothing to export yet"), _("Run a sweep or open one first."));
      return;
    }
  relief_page_choose_figure (page, _("Export Intrinsic Dimension"), "intdim.pdf", export_to);
}

static void
plot_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  ReliefDimensionPage *self = user_data;
  ReliefFigureOptions options;

  double w, h;

  if (self->sweep == NULL)
    return;
  relief_figure_options_init (&options);
  /* At the text scale of the other views; the frame back in pixels, for the pointer. */
  relief_plot_screen_begin (cr, width, height, &w, &h);
  relief_figure_intdim (cr, w, h, self->sweep, &options, &self->frame);
  relief_plot_frame_scale (&self->frame, RELIEF_PLOT_SCREEN_SCALE);
  self->has_frame = TRUE;
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, ReliefDimensionPage *self)
{
  const ReliefIntdim *id = self->sweep;
  g_autofree char *text = NULL;
  int k, s;

  if (id != NULL && self->has_frame && relief_figure_intdim_hit (id, &self->frame, x, y, HOVER_RADIUS, &k, &s))
    {
      gsize cell = (gsize) k * id->n_seeds + s;

      if (isnan (id->test_acc[cell]))
        text = g_strdup_printf (_("d = %lld, seed %d   train acc %.1f%%   loss %.4f"), (long long) id->dims[k], s + 1,
                                100 * id->train_acc[cell], id->final_loss[cell]);
      else
        text = g_strdup_printf (_("d = %lld, seed %d   test acc %.1f%%   train acc %.1f%%   loss %.4f"),
                                (long long) id->dims[k], s + 1, 100 * id->test_acc[cell],
                                100 * id->train_acc[cell], id->final_loss[cell]);
    }
  gtk_label_set_text (self->readout_label, text ? text : "");
}

static void
on_leave (GtkEventControllerMotion *motion, ReliefDimensionPage *self)
{
  gtk_label_set_text (self->readout_label, "");
}

/* Bad dimensions show at once, not only when Run refuses them. */
static void
on_dims_changed (ReliefDimensionPage *self)
{
  g_autofree gint64 *dims = NULL;
  g_autoptr(GError) error = NULL;
  int K;

  if (relief_parse_dims (gtk_editable_get_text (GTK_EDITABLE (self->dims_row)), &dims, &K, &error))
    relief_row_set_error (GTK_WIDGET (self->dims_row), NULL);
  else
    relief_row_set_error (GTK_WIDGET (self->dims_row), error->message);
}

static void
relief_dimension_page_finalize (GObject *object)
{
  ReliefDimensionPage *self = RELIEF_DIMENSION_PAGE (object);

  g_clear_pointer (&self->sweep, relief_intdim_free);
  g_free (self->sweep_path);
  g_free (self->sweep_key);
  G_OBJECT_CLASS (relief_dimension_page_parent_class)->finalize (object);
}

#define CHILD(field) RELIEF_TEMPLATE_CHILD (ReliefDimensionPage, field)
static const ReliefTemplateChild children[] = {
  CHILD (paned), CHILD (projection_row), CHILD (dims_row), CHILD (seeds_spin), CHILD (global_spin),
  CHILD (status_label), CHILD (readout_label), CHILD (cells_label), CHILD (sweep_bar), CHILD (cell_label),
  CHILD (cell_bar), CHILD (plot_stack), CHILD (plot_area), CHILD (baseline_label), CHILD (individual_label),
  CHILD (global_label)
};
#undef CHILD

static void
relief_dimension_page_class_init (ReliefDimensionPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ReliefPageClass *page_class = RELIEF_PAGE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = relief_dimension_page_finalize;
  page_class->run = relief_dimension_page_run;
  page_class->export = relief_dimension_page_export;
  page_class->open = relief_dimension_page_open_file;

  g_type_ensure (RELIEF_TYPE_PROJECTION_KIND);
  relief_page_class_set_template (page_class, "/org/relief/Relief/ui/relief-dimension-page.ui",
                                  children, G_N_ELEMENTS (children));
  relief_train_controls_bind_template (widget_class, G_STRUCT_OFFSET (ReliefDimensionPage, controls));

  gtk_widget_class_install_action (widget_class, "page.open", NULL, action_open);
}

static void
relief_dimension_page_init (ReliefDimensionPage *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  relief_page_set_status_widgets (RELIEF_PAGE (self), self->status_label, NULL);
  relief_combo_offer_enum (self->projection_row, RELIEF_TYPE_PROJECTION_KIND, is_sweep_projection);
  /* The classroom default: a small MLP (371 parameters) on the spiral, with Adam, reaching
   * d_int90 between 2 and 256 within seconds on a CPU. */
  relief_train_controls_init (&self->controls);
  relief_spin_watch (self->seeds_spin);
  relief_spin_watch (self->global_spin);
  g_signal_connect_swapped (self->dims_row, "changed", G_CALLBACK (on_dims_changed), self);

  gtk_drawing_area_set_draw_func (self->plot_area, plot_draw, self, NULL);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self->plot_area), motion);
  g_signal_connect (self, "notify::running", G_CALLBACK (on_running_changed), NULL);
  update_progress (self, -2, 0, 0);
}

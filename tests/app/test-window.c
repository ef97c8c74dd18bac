/* The window under a display: it opens on the built-in default, trains it, and shows its
 * landscape; it sweeps subspaces for the intrinsic dimension; all without the main loop
 * ever waiting on the work.
 *
 * Each case opens its own window (which starts the default training) and ends by closing
 * it and checking it is finalized.  Where the work runs is seen through the backends:
 * the test links with -Wl,--wrap=relief_backend_new, and every backend the jobs create
 * gets its matrix products counted by thread and, when a case asks, held. */
#include <adwaita.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "test-gtk.h"
#include "relief-application.h"
#include "relief-backend.h"
#include "relief-controls.h"
#include "relief-dimension-page.h"
#include "relief-intdim-file.h"
#include "relief-intdim-job.h"
#include "relief-directions.h"
#include "relief-run-file.h"
#include "relief-landscape-page.h"
#include "relief-page.h"
#include "relief-plot-view.h"
#include "relief-train-page.h"
#include "relief-window.h"
#include "relief-work-dir.h"
#include "../test-fsize.h"

/* The backends' matrix products, by thread. */

static GThread *main_thread;
static int products_on_main;
static int products_elsewhere;
/* While held, a product off the main thread waits: the job stands still mid-work. */
static GMutex hold_lock;
static GCond hold_cond;
static gboolean holding;
static int products_waiting;

typedef gboolean (*GemmFunc) (ReliefBackend *self, gboolean trans_a, gboolean trans_b, int m, int n, int k,
                              float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                              float *c, int ldc, GError **error);
typedef gboolean (*GemmBatchedFunc) (ReliefBackend *self, gboolean trans_a, gboolean trans_b, int m, int n, int k,
                                     float alpha, const float *a, int lda, gint64 stride_a, const float *b, int ldb,
                                     gint64 stride_b, float beta, float *c, int ldc, gint64 stride_c, int batch_count,
                                     GError **error);

/* The products of each kind of backend, cpu and cuda: every backend of a kind has the
 * same, so one of each is kept (and written again with the same value). */
static GemmFunc real_gemm[2];
static GemmBatchedFunc real_gemm_batched[2];

static void
product_seen (void)
{
  if (g_thread_self () == main_thread)
    {
      g_atomic_int_inc (&products_on_main);
      return;
    }
  g_atomic_int_inc (&products_elsewhere);
  g_mutex_lock (&hold_lock);
  products_waiting++;
  while (holding)
    g_cond_wait (&hold_cond, &hold_lock);
  products_waiting--;
  g_mutex_unlock (&hold_lock);
}

static int
backend_index (ReliefBackend *self)
{
  return g_str_equal (self->name, "cpu") ? 0 : 1;
}

static gboolean
counted_gemm (ReliefBackend *self, gboolean trans_a, gboolean trans_b, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc, GError **error)
{
  product_seen ();
  return real_gemm[backend_index (self)] (self, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                                          error);
}

static gboolean
counted_gemm_batched (ReliefBackend *self, gboolean trans_a, gboolean trans_b, int m, int n, int k, float alpha,
                      const float *a, int lda, gint64 stride_a, const float *b, int ldb, gint64 stride_b,
                      float beta, float *c, int ldc, gint64 stride_c, int batch_count, GError **error)
{
  product_seen ();
  return real_gemm_batched[backend_index (self)] (self, trans_a, trans_b, m, n, k, alpha, a, lda, stride_a, b, ldb,
                                                  stride_b, beta, c, ldc, stride_c, batch_count, error);
}

ReliefBackend *__real_relief_backend_new (const char *name, GError **error);
ReliefBackend *__wrap_relief_backend_new (const char *name, GError **error);

ReliefBackend *
__wrap_relief_backend_new (const char *name, GError **error)
{
  ReliefBackend *backend = __real_relief_backend_new (name, error);

  if (backend != NULL)
    {
      int i = backend_index (backend);

      real_gemm[i] = backend->gemm;
      real_gemm_batched[i] = backend->gemm_strided_batched;
      backend->gemm = counted_gemm;
      backend->gemm_strided_batched = counted_gemm_batched;
    }
  return backend;
}

static void
hold_products (gboolean hold)
{
  g_mutex_lock (&hold_lock);
  holding = hold;
  g_cond_broadcast (&hold_cond);
  g_mutex_unlock (&hold_lock);
}

static gboolean
product_waiting (gpointer data)
{
  gboolean waiting;

  g_mutex_lock (&hold_lock);
  waiting = products_waiting > 0;
  g_mutex_unlock (&hold_lock);
  return waiting;
}

/* The pages, as the window hands them out. */

static ReliefTrainPage *
train_page (ReliefWindow *window)
{
  return RELIEF_TRAIN_PAGE (relief_window_get_page (window, "train"));
}

static ReliefLandscapePage *
landscape_page (ReliefWindow *window)
{
  return RELIEF_LANDSCAPE_PAGE (relief_window_get_page (window, "landscape"));
}

static ReliefDimensionPage *
dimension_page (ReliefWindow *window)
{
  return RELIEF_DIMENSION_PAGE (relief_window_get_page (window, "dimension"));
}

static gboolean
page_running (gpointer page)
{
  return relief_page_is_running (RELIEF_PAGE (page));
}

static gboolean
page_idle (gpointer page)
{
  return !page_running (page);
}

static gboolean
training_done (gpointer data)
{
  ReliefTrainPage *page = data;

  return !page_running (page) && relief_train_page_get_run_path (page) != NULL &&
         relief_train_page_get_n_points (page) > 0;
}

static gboolean
landscape_done (gpointer data)
{
  ReliefLandscapePage *page = data;
  int total = 0;
  int done = relief_landscape_page_get_n_done (page, &total);

  return !page_running (page) && total > 0 && done == total;
}

static gboolean
decision_shown (gpointer data)
{
  gboolean running;

  return relief_landscape_page_has_decision (data, &running) && !running;
}

static void
stop_jobs (ReliefWindow *window)
{
  gpointer pages[] = { train_page (window), landscape_page (window), dimension_page (window) };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      relief_page_cancel (RELIEF_PAGE (pages[i]));
      g_assert_true (iterate_until (page_idle, pages[i]));
    }
}

static ReliefDimensionPage *
show_dimension_page (ReliefWindow *window)
{
  ReliefDimensionPage *page = dimension_page (window);
  GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK);

  /* Shown, so that it draws, once the default's training is done (the window then shows
   * the landscape). */
  g_assert_true (iterate_until (training_done, train_page (window)));
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "dimension");
  return page;
}

/* One window of its own application per case. */

typedef struct {
  ReliefApplication *app;
  ReliefWindow *window;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->app = relief_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (f->app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (f->app));
  f->window = RELIEF_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_nonnull (f->window);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
}

static gboolean
window_finalized (gpointer data)
{
  Fixture *f = data;

  return f->window == NULL;
}

/* Closed with its jobs stopped (their threads write into the case's folders, which go
 * with the case), the window is finalized; and no job's product ran on the main thread. */
static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  stop_jobs (f->window);
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_true (iterate_until (window_finalized, f));
  /* Not the application: registered but never run, it keeps itself (as its action
   * muxer's "app" group) until a shutdown that only g_application_run emits. */
  g_object_unref (f->app);
  g_assert_cmpint (g_atomic_int_get (&products_on_main), ==, 0);
}

static gboolean
map_drawn (gpointer page)
{
  GObject *view = gtk_widget_get_template_child (GTK_WIDGET (page), RELIEF_TYPE_LANDSCAPE_PAGE, "surface_view");
  ReliefPlotFrame frame;

  return relief_plot_view_get_frame (RELIEF_PLOT_VIEW (view), &frame);
}

/* The default's training and then its landscape, finished, and the landscape shown (as
 * the toast's button does) and drawn. */
static void
settle (Fixture *f)
{
  g_assert_true (iterate_until (training_done, train_page (f->window)));
  g_assert_true (iterate_until (landscape_done, landscape_page (f->window)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "i", 1));
  g_assert_true (iterate_until (map_drawn, landscape_page (f->window)));
}

static void
test_default_trains (Fixture *f, gconstpointer data)
{
  ReliefTrainPage *train = train_page (f->window);

  GObject *readout = gtk_widget_get_template_child (GTK_WIDGET (train), RELIEF_TYPE_TRAIN_PAGE, "readout_label");
  GObject *acc_view = gtk_widget_get_template_child (GTK_WIDGET (train), RELIEF_TYPE_TRAIN_PAGE, "acc_view");

  g_assert_true (page_running (train));
  g_assert_true (iterate_until (training_done, train));
  g_assert_true (g_file_test (relief_train_page_get_run_path (train), G_FILE_TEST_IS_REGULAR));
  /* Whole epochs of the run's; over a plot, that plot's values at the nearest step. */
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (readout)), "epoch 30 of 30 "));
  g_signal_emit_by_name (acc_view, "hover", 1e9, 12345.0);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (readout)), "step "));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (readout)), "acc "));
  g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (readout)), "12345"));
}

static gboolean
landscape_done_or_held (gpointer page)
{
  return landscape_done (page) || product_waiting (NULL);
}

static guint
count_work_files (ReliefFileKind kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = relief_work_dir_list (kind, NULL, &error);

  g_assert_no_error (error);
  return files->len;
}

static gboolean
map_shown (gpointer page)
{
  gint64 step;

  return relief_train_page_get_map_step (page, &step);
}

static gboolean
map_or_idle (gpointer page)
{
  gint64 step;

  return relief_train_page_get_map_step (page, &step) || !page_running (page);
}

/* For 2D data the Train page shows the model's decisions over the data beside the curves:
 * while it trains, from its first snapshot on, and at its end the final model's. */
static void
test_train_decision_map (Fixture *f, gconstpointer data)
{
  ReliefTrainPage *train = train_page (f->window);
  GtkWidget *epochs = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (train), RELIEF_TYPE_TRAIN_PAGE,
                                                                 "epochs_spin"));
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;
  gint64 step = -1;

  g_assert_true (iterate_until (training_done, train));
  run = relief_run_load (relief_train_page_get_run_path (train), FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (relief_train_page_get_map_step (train, &step));
  g_assert_cmpint (step, ==, run->snapshot_step[run->n_snapshots - 1]);

  /* A long training: the map comes before the end, and follows the training. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (epochs), 5000);
  relief_page_run (RELIEF_PAGE (train));
  g_assert_false (relief_train_page_get_map_step (train, &step));
  g_assert_true (iterate_until (map_or_idle, train));
  g_assert_true (page_running (train));
  g_assert_true (relief_train_page_get_map_step (train, &step));
  g_assert_cmpint (step, <, 5000 * 25);
  relief_page_cancel (RELIEF_PAGE (train));
  g_assert_true (iterate_until (page_idle, train));
}

/* The Train page's plots at the sizes a 1024x768 and a 1920x1080 window give them, in
 * turn, after the decision map came (as a window resized later): the map keeps about three
 * tenths of the plots' width (at least 180 pixels, no wider than tall) at each size, the
 * curves the rest; and the status line keeps room for its text beside a long readout. */
static void
test_train_layout_follows_size (Fixture *f, gconstpointer data)
{
  static const int sizes[][2] = { { 640, 600 }, { 1536, 950 }, { 640, 600 }, { 900, 250 } };
  ReliefTrainPage *train = train_page (f->window);
  GtkWidget *area = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (train), RELIEF_TYPE_TRAIN_PAGE,
                                                               "decision_area"));
  GtkWidget *plots = gtk_widget_get_parent (area);
  GtkWidget *curves = gtk_widget_get_first_child (plots);
  GtkLabel *status = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (train), RELIEF_TYPE_TRAIN_PAGE,
                                                               "status_label"));
  GtkLabel *readout = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (train), RELIEF_TYPE_TRAIN_PAGE,
                                                                "readout_label"));
  GtkWidget *line = gtk_widget_get_parent (GTK_WIDGET (status));
  int snat, min;

  g_assert_true (iterate_until (training_done, train));
  g_assert_true (gtk_widget_get_visible (area));
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      int pw = sizes[i][0], ph = sizes[i][1], dw;

      gtk_widget_measure (plots, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
      g_assert_cmpint (min, <=, pw);
      gtk_widget_allocate (plots, pw, ph, -1, NULL);
      dw = gtk_widget_get_width (area);
      g_assert_cmpint (dw, ==, MAX (180, MIN (pw * 3 / 10, ph)));
      g_assert_cmpint (gtk_widget_get_height (area), ==, ph);
      g_assert_cmpint (gtk_widget_get_width (curves), ==, pw - dw - 8);
    }

  gtk_label_set_text (readout, "step 36010: train 0.254712, test 0.214633 and a long readout besides");
  gtk_widget_measure (GTK_WIDGET (status), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &snat, NULL, NULL);
  gtk_widget_measure (line, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  g_assert_cmpint (min, <=, 640);
  gtk_widget_allocate (line, 640, 24, -1, NULL);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (status)), >=, MIN (snat, 250));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (readout)), >, 0);
}

static gboolean
plot_view_has_frame (gpointer view)
{
  ReliefPlotFrame frame;

  return relief_plot_view_get_frame (RELIEF_PLOT_VIEW (view), &frame);
}

/* The Train page's sharpness row: off by default (no view, no /curvature); set to N, the
 * training measures lambda_max (and lambda_min when asked) every N steps and the page
 * shows it beside the curves as it comes, with the optimizer's stability limit (the
 * default's Adam: gradient descent's 2/lr, so labelled); the run file holds the
 * measurements. */
static void
test_train_sharpness (Fixture *f, gconstpointer data)
{
  ReliefTrainPage *train = train_page (f->window);
  GtkWidget *page = GTK_WIDGET (train);
  GtkWidget *epochs = GTK_WIDGET (gtk_widget_get_template_child (page, RELIEF_TYPE_TRAIN_PAGE, "epochs_spin"));
  GtkWidget *every = GTK_WIDGET (gtk_widget_get_template_child (page, RELIEF_TYPE_TRAIN_PAGE, "curvature_spin"));
  GtkWidget *trace_row = GTK_WIDGET (gtk_widget_get_template_child (page, RELIEF_TYPE_TRAIN_PAGE,
                                                                    "curvature_trace_row"));
  GtkWidget *min_row = GTK_WIDGET (gtk_widget_get_template_child (page, RELIEF_TYPE_TRAIN_PAGE,
                                                                  "curvature_min_row"));
  GtkWidget *min_switch = GTK_WIDGET (gtk_widget_get_template_child (page, RELIEF_TYPE_TRAIN_PAGE,
                                                                     "curvature_min_switch"));
  GtkWidget *sharp = GTK_WIDGET (gtk_widget_get_template_child (page, RELIEF_TYPE_TRAIN_PAGE, "sharp_view"));
  GObject *readout = gtk_widget_get_template_child (page, RELIEF_TYPE_TRAIN_PAGE, "readout_label");
  g_autofree char *limit = NULL;
  const char *text;
  ReliefPlotFrame frame;
  g_autoptr(ReliefRun) run = NULL, tracked = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (iterate_until (training_done, train));
  run = relief_run_load (relief_train_page_get_run_path (train), FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (run->curvature);
  g_assert_false (gtk_widget_get_visible (sharp));
  g_assert_false (gtk_widget_get_sensitive (trace_row));
  g_assert_false (gtk_widget_get_sensitive (min_row));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (epochs), 3);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (every), 10);
  g_assert_true (gtk_widget_get_sensitive (trace_row));
  g_assert_true (gtk_widget_get_sensitive (min_row));
  gtk_switch_set_active (GTK_SWITCH (min_switch), TRUE);
  relief_page_run (RELIEF_PAGE (train));
  g_assert_true (iterate_until (training_done, train));
  g_assert_true (gtk_widget_get_visible (sharp));
  tracked = relief_run_load (relief_train_page_get_run_path (train), FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tracked->curvature);
  g_assert_cmpint (tracked->config.curvature_every, ==, 10);
  /* 800 samples in batches of 32, 3 epochs: 75 steps, measured at 0, 10, ..., 70 */
  g_assert_cmpint (tracked->curvature->n, ==, 8);
  g_assert_nonnull (tracked->curvature->lambda_min);
  g_assert_cmpint (tracked->config.optimizer.kind, ==, RELIEF_OPT_ADAM);
  g_assert_true (iterate_until (plot_view_has_frame, sharp));
  g_assert_true (relief_plot_view_get_frame (RELIEF_PLOT_VIEW (sharp), &frame));
  /* The readout at the measurement of step 20: both ends and the labelled limit. */
  g_signal_emit_by_name (sharp, "hover", 21.0, 1.0);
  text = gtk_label_get_text (GTK_LABEL (readout));
  g_test_message ("sharpness readout: %s", text);
  limit = g_strdup_printf ("2/η = %.4g: GD’s limit, not Adam’s", 2.0 / tracked->config.optimizer.lr);
  g_assert_true (g_str_has_prefix (text, "step 20   λmax "));
  g_assert_nonnull (strstr (text, "   λmin "));
  g_assert_true (g_str_has_suffix (text, limit));
}

/* The next launch finds the default trained before and shows it, with its landscape from
 * the file saved then: no new run, no new surface, and no product computed. */
static void
test_default_reused (Fixture *f, gconstpointer data)
{
  ReliefTrainPage *train = train_page (f->window);
  ReliefLandscapePage *landscape = landscape_page (f->window);
  GObject *status = gtk_widget_get_template_child (GTK_WIDGET (train), RELIEF_TYPE_TRAIN_PAGE, "status_label");
  GObject *readout = gtk_widget_get_template_child (GTK_WIDGET (train), RELIEF_TYPE_TRAIN_PAGE, "readout_label");
  g_autofree char *first = NULL, *name = NULL;
  double loss, acc;

  settle (f);
  first = g_strdup (relief_train_page_get_run_path (train));
  name = g_path_get_basename (first);
  g_assert_true (g_str_has_prefix (name, "spiral-16-16-relu-"));
  g_assert_cmpuint (count_work_files (RELIEF_FILE_KIND_RUN), ==, 1);
  g_assert_cmpuint (count_work_files (RELIEF_FILE_KIND_SURFACE), ==, 1);

  relief_window_start_default (f->window);
  g_assert_true (iterate_until (training_done, train));
  /* The Train page's map was computed before its job ended; the landscape, from its file,
   * needs no product: held, one would stop it. */
  g_atomic_int_set (&products_elsewhere, 0);
  hold_products (TRUE);
  g_assert_cmpstr (relief_train_page_get_run_path (train), ==, first);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (status)), "trained before"));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (readout)), "epoch 30 of 30 "));
  g_assert_cmpuint (relief_train_page_get_n_points (train), >, 50);
  g_assert_true (iterate_until (landscape_done_or_held, landscape));
  hold_products (FALSE);
  g_assert_cmpint (g_atomic_int_get (&products_elsewhere), ==, 0);
  g_assert_true (landscape_done (landscape));
  g_assert_true (relief_landscape_page_value_at (landscape, 0, 0, &loss, &acc));
  g_assert_cmpuint (count_work_files (RELIEF_FILE_KIND_RUN), ==, 1);
  g_assert_cmpuint (count_work_files (RELIEF_FILE_KIND_SURFACE), ==, 1);

  /* Train itself trains, and a new run is made. */
  relief_page_run (RELIEF_PAGE (train));
  g_assert_true (iterate_until (training_done, train));
  g_assert_cmpstr (relief_train_page_get_run_path (train), !=, first);
  g_assert_cmpuint (count_work_files (RELIEF_FILE_KIND_RUN), ==, 2);
}

static const char *status_text (gpointer page);

/* A second training: meanwhile the landscape says its map is the previous run's, and the
 * new run's landscape replaces it when the training ends. */
static void
test_landscape_marks_previous_run (Fixture *f, gconstpointer data)
{
  ReliefTrainPage *train = train_page (f->window);
  ReliefLandscapePage *landscape = landscape_page (f->window);
  g_autofree char *first = NULL;

  settle (f);
  first = g_strdup (relief_train_page_get_run_path (train));
  relief_page_run (RELIEF_PAGE (train));
  g_assert_true (page_running (train));
  g_assert_nonnull (strstr (status_text (landscape), "previous run"));
  g_assert_true (iterate_until (training_done, train));
  g_assert_cmpstr (relief_train_page_get_run_path (train), !=, first);
  g_assert_true (iterate_until (landscape_done, landscape));
  g_assert_null (strstr (status_text (landscape), "previous run"));
}

/* Then its landscape, in the background, filling in. */
static void
test_default_landscape (Fixture *f, gconstpointer data)
{
  ReliefLandscapePage *landscape = landscape_page (f->window);
  double loss, acc;
  int total = 0;

  settle (f);
  g_assert_cmpint (relief_landscape_page_get_n_done (landscape, &total), ==, total);
  g_assert_true (relief_landscape_page_value_at (landscape, 0, 0, &loss, &acc));
  g_assert_true (isfinite (loss));
  g_assert_cmpfloat (acc, >, 50);
}

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  guint *frames = data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
three_frames (gpointer data)
{
  return *(guint *) data >= 3;
}

/* A landscape held in its first product: the window goes on painting meanwhile, and once
 * let go the landscape completes, its products all off the main thread. */
static void
test_responsive (Fixture *f, gconstpointer data)
{
  ReliefLandscapePage *landscape = landscape_page (f->window);
  guint frames = 0;
  guint tick;

  settle (f);
  g_atomic_int_set (&products_elsewhere, 0);
  hold_products (TRUE);
  relief_page_run (RELIEF_PAGE (landscape));
  g_assert_true (iterate_until (product_waiting, NULL));

  tick = gtk_widget_add_tick_callback (GTK_WIDGET (f->window), count_frame, &frames, NULL);
  g_assert_true (iterate_until (three_frames, &frames));
  gtk_widget_remove_tick_callback (GTK_WIDGET (f->window), tick);
  g_assert_true (page_running (landscape));

  hold_products (FALSE);
  g_assert_true (iterate_until (landscape_done, landscape));
  g_assert_cmpint (g_atomic_int_get (&products_elsewhere), >, 0);
}

/* Clicking the map shows the model's decisions at that point, until Escape. */
static void
test_landscape_decision (Fixture *f, gconstpointer data)
{
  ReliefLandscapePage *landscape = landscape_page (f->window);
  gboolean running;

  settle (f);
  g_assert_false (relief_landscape_page_has_decision (landscape, &running));
  relief_landscape_page_show_decision (landscape, 0.1, -0.1);
  g_assert_true (iterate_until (decision_shown, landscape));

  /* Escape, with nothing computing, closes it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.cancel", NULL));
  g_assert_false (relief_landscape_page_has_decision (landscape, &running));
  g_assert_false (running);
}

static gboolean
some_cells_done (gpointer data)
{
  return relief_landscape_page_get_n_done (data, NULL) > 0 || !page_running (data);
}

/* The grid points of a res x res map over [-1, 1]^2 that the view has a value for. */
static int
cells_shown (ReliefLandscapePage *landscape, int res)
{
  ReliefPlotView *view = RELIEF_PLOT_VIEW (gtk_widget_get_template_child (GTK_WIDGET (landscape),
                                                                          RELIEF_TYPE_LANDSCAPE_PAGE, "surface_view"));
  int shown = 0;
  double z;

  for (int iy = 0; iy < res; iy++)
    for (int ix = 0; ix < res; ix++)
      shown += relief_plot_view_heatmap_value_at (view, -1 + 2.0 * ix / (res - 1), -1 + 2.0 * iy / (res - 1), &z) &&
               isfinite (z);
  return shown;
}

/* A fine landscape shows its whole map, coarse and interpolated, as soon as its first
 * cells are in, long before the job ends; cancelled, it keeps showing what was computed. */
static void
test_landscape_coarse_first (Fixture *f, gconstpointer data)
{
  ReliefLandscapePage *landscape = landscape_page (f->window);
  GObject *resolution = gtk_widget_get_template_child (GTK_WIDGET (landscape), RELIEF_TYPE_LANDSCAPE_PAGE,
                                                       "resolution_spin");
  const int res = 151;
  int total = 0, done;

  settle (f);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (resolution), res);
  relief_page_run (RELIEF_PAGE (landscape));
  g_assert_true (iterate_until (some_cells_done, landscape));
  /* The job stands still at its next product, mid-surface. */
  hold_products (TRUE);
  g_assert_true (iterate_until (product_waiting, NULL));
  g_assert_true (page_running (landscape));
  done = relief_landscape_page_get_n_done (landscape, &total);
  g_assert_cmpint (total, ==, res * res);
  g_assert_cmpint (done, >, 0);
  g_assert_cmpint (done, <, total / 4);
  g_assert_cmpint (cells_shown (landscape, res), ==, total);

  relief_page_cancel (RELIEF_PAGE (landscape));
  hold_products (FALSE);
  g_assert_true (iterate_until (page_idle, landscape));
  g_assert_cmpint (relief_landscape_page_get_n_done (landscape, NULL), <, total);
  g_assert_cmpint (cells_shown (landscape, res), ==, total);
}

static void
spin_ms (int ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Past the double-click time the gesture opened no decision panel, and any recompute it
 * asked for (a pan) has finished. */
static void
assert_no_panel (ReliefLandscapePage *landscape)
{
  gboolean running;

  spin_ms (600);
  g_assert_false (relief_landscape_page_has_decision (landscape, &running));
  g_assert_false (running);
  g_assert_true (iterate_until (landscape_done, landscape));
}

/* Dragging the map pans it and double-clicking goes home: neither opens the decision
 * panel; a click does. */
static void
test_landscape_drag_opens_no_panel (Fixture *f, gconstpointer data)
{
  ReliefLandscapePage *landscape = landscape_page (f->window);
  GtkWidget *view = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (landscape), RELIEF_TYPE_LANDSCAPE_PAGE,
                                                               "surface_view"));
  GtkGesture *click = find_controller (view, GTK_TYPE_GESTURE_CLICK);
  GtkGesture *drag = find_controller (view, GTK_TYPE_GESTURE_DRAG);
  ReliefPlotFrame frame;
  double px, py;

  settle (f);
  g_assert_true (relief_plot_view_get_frame (RELIEF_PLOT_VIEW (view), &frame));
  relief_plot_frame_from_data (&frame, 0.2, 0.1, &px, &py);

  g_signal_emit_by_name (click, "pressed", 1, px, py);
  g_signal_emit_by_name (drag, "drag-begin", px, py);
  g_signal_emit_by_name (drag, "drag-update", 30.0, 20.0);
  g_signal_emit_by_name (drag, "drag-end", 60.0, 40.0);
  g_signal_emit_by_name (click, "released", 1, px + 60, py + 40);
  assert_no_panel (landscape);

  g_assert_true (relief_plot_view_get_frame (RELIEF_PLOT_VIEW (view), &frame));
  relief_plot_frame_from_data (&frame, 0.2, 0.1, &px, &py);
  g_signal_emit_by_name (click, "pressed", 1, px, py);
  g_signal_emit_by_name (click, "released", 1, px, py);
  g_signal_emit_by_name (click, "pressed", 2, px, py);
  g_signal_emit_by_name (click, "released", 2, px, py);
  assert_no_panel (landscape);

  g_assert_true (relief_plot_view_get_frame (RELIEF_PLOT_VIEW (view), &frame));
  relief_plot_frame_from_data (&frame, 0.2, 0.1, &px, &py);
  g_signal_emit_by_name (click, "pressed", 1, px, py);
  g_signal_emit_by_name (click, "released", 1, px, py);
  g_assert_true (iterate_until (decision_shown, landscape));
}

/* The readout under a still pointer follows the cells as they come. */
static void
test_landscape_readout_follows (Fixture *f, gconstpointer data)
{
  ReliefLandscapePage *landscape = landscape_page (f->window);
  GObject *view = gtk_widget_get_template_child (GTK_WIDGET (landscape), RELIEF_TYPE_LANDSCAPE_PAGE, "surface_view");
  GObject *readout = gtk_widget_get_template_child (GTK_WIDGET (landscape), RELIEF_TYPE_LANDSCAPE_PAGE,
                                                    "readout_label");

  settle (f);
  relief_page_run (RELIEF_PAGE (landscape));
  g_signal_emit_by_name (view, "hover", 0.05, -0.05);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (readout)), "not computed yet"));
  g_assert_true (iterate_until (landscape_done, landscape));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (readout)), "loss"));
}

/* The message dialog open over window, or NULL. */
static GtkWidget *
find_dialog (GtkWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* owned by GTK */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_window_get_transient_for (GTK_WINDOW (w)) == window)
        return GTK_WIDGET (w);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog (data) != NULL;
}

/* The page's status line. */
static const char *
status_text (gpointer page)
{
  GObject *label = gtk_widget_get_template_child (GTK_WIDGET (page), G_OBJECT_TYPE (page), "status_label");

  return gtk_label_get_text (GTK_LABEL (label));
}

/* A label with text below widget, outside the pages: a toast's. */
static gboolean
toast_label_below (GtkWidget *widget, const char *text)
{
  if (RELIEF_IS_PAGE (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (toast_label_below (child, text))
      return TRUE;
  return FALSE;
}

typedef struct {
  GtkWidget  *window;
  const char *text;
} ToastWait;

static gboolean
toast_wait_shown (gpointer data)
{
  const ToastWait *w = data;

  return toast_label_below (w->window, w->text);
}

/* A toast saying text, once those before it in the overlay's queue have had their time. */
static gboolean
toast_shown (gpointer window, const char *text)
{
  ToastWait w = { window, text };

  return iterate_until (toast_wait_shown, &w);
}

/* The one way a cancel is reported: what was kept, in the status line and a toast, and no
 * dialog. */
static void
check_cancel_reported (Fixture *f, gpointer page)
{
  const char *status = status_text (page);

  g_assert_true (g_str_has_prefix (status, "Cancelled"));
  g_assert_true (toast_label_below (GTK_WIDGET (f->window), status));
  g_assert_null (find_dialog (GTK_WINDOW (f->window)));
}

/* When the training ends the Train page stays shown; a toast offers its landscape, which
 * its button shows. */
static void
test_train_offers_landscape (Fixture *f, gconstpointer data)
{
  ReliefTrainPage *train = train_page (f->window);
  GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (train), ADW_TYPE_VIEW_STACK);
  g_autofree char *title = NULL, *message = NULL;

  g_assert_true (iterate_until (training_done, train));
  title = relief_work_dir_title (relief_train_page_get_run_path (train));
  message = g_strdup_printf ("The Landscape page takes up %s", title);
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == GTK_WIDGET (train));
  g_assert_true (toast_label_below (GTK_WIDGET (f->window), message));
  g_assert_true (toast_label_below (GTK_WIDGET (f->window), "Show Landscape"));
  g_assert_true (iterate_until (landscape_done, landscape_page (f->window)));
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == GTK_WIDGET (train));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "i", 1));
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) ==
                 GTK_WIDGET (landscape_page (f->window)));
}

/* A new computation can be cancelled, and keeps what it computed. */
static void
test_landscape_cancel (Fixture *f, gconstpointer data)
{
  ReliefLandscapePage *landscape = landscape_page (f->window);
  int total = 0;

  settle (f);
  relief_page_run (RELIEF_PAGE (landscape));
  g_assert_true (iterate_until (page_running, landscape));
  relief_page_cancel (RELIEF_PAGE (landscape));
  g_assert_true (iterate_until (page_idle, landscape));
  g_assert_cmpint (relief_landscape_page_get_n_done (landscape, &total), <, total);
  check_cancel_reported (f, landscape);
}

/* The backend row of the landscape page. */
static void
landscape_select_backend (ReliefLandscapePage *landscape, ReliefBackendKind kind)
{
  GObject *row = gtk_widget_get_template_child (GTK_WIDGET (landscape), RELIEF_TYPE_LANDSCAPE_PAGE, "backend_row");

  relief_combo_select_enum (ADW_COMBO_ROW (row), kind);
}

/* Where no CUDA device is usable, choosing the cuda backend for a landscape ends in an
 * error dialog, and the page computes again once auto is back. */
static void
test_landscape_unusable_backend (Fixture *f, gconstpointer data)
{
  g_autoptr(ReliefBackend) cuda = relief_backend_new ("cuda", NULL);
  ReliefLandscapePage *landscape = landscape_page (f->window);
  GtkWidget *dialog;

  if (cuda != NULL)
    {
      g_test_skip ("a CUDA device is usable here");
      return;
    }
  settle (f);
  landscape_select_backend (landscape, RELIEF_BACKEND_CUDA);
  relief_page_run (RELIEF_PAGE (landscape));
  g_assert_true (iterate_until (page_idle, landscape));
  g_assert_true (iterate_until (dialog_shown, f->window));
  dialog = find_dialog (GTK_WINDOW (f->window));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "CUDA"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  landscape_select_backend (landscape, RELIEF_BACKEND_AUTO);
  relief_page_run (RELIEF_PAGE (landscape));
  g_assert_true (iterate_until (landscape_done, landscape));
}

/* Training can be cancelled too, and keeps the run up to there. */
static void
test_train_cancel (Fixture *f, gconstpointer data)
{
  ReliefTrainPage *train = train_page (f->window);
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (iterate_until (training_done, train));
  /* Long enough that the cancel lands first however slowly the machine runs. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (train), RELIEF_TYPE_TRAIN_PAGE,
                                                                             "epochs_spin")), 100000);
  relief_page_run (RELIEF_PAGE (train));
  g_assert_true (page_running (train));
  relief_page_cancel (RELIEF_PAGE (train));
  g_assert_true (iterate_until (page_idle, train));
  run = relief_run_load (relief_train_page_get_run_path (train), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (run->status, ==, "cancelled");
  g_assert_cmpint (run->n_snapshots, >=, 1);
  check_cancel_reported (f, train);
  /* What was kept: the run so far, not "before training began". */
  g_assert_nonnull (strstr (status_text (train), "the run up to there is saved as"));
}

/* A long, noisy training (a million steps of batch 1, a metrics point each epoch): the
 * window keeps painting while it runs, the curves it draws stay bounded however many
 * points arrive, and the run file keeps them all. */
static void
test_train_long_stays_bounded (Fixture *f, gconstpointer data)
{
  ReliefTrainPage *train = train_page (f->window);
  GtkWidget *widget = GTK_WIDGET (train);
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;
  const char *spins[] = { "samples_spin", "batch_spin", "epochs_spin", "lr_spin" };
  const double values[] = { 20, 1, 62500, 0.05 };   /* 16 training samples: 10^6 steps */
  guint frames = 0, max_points = 0;
  guint tick;

  GtkWidget *momentum_row = gtk_widget_get_ancestor (GTK_WIDGET (gtk_widget_get_template_child (widget,
                                                                   RELIEF_TYPE_TRAIN_PAGE, "momentum_spin")),
                                                     ADW_TYPE_ACTION_ROW);
  AdwComboRow *optimizer = ADW_COMBO_ROW (gtk_widget_get_template_child (widget, RELIEF_TYPE_TRAIN_PAGE,
                                                                         "optimizer_row"));

  g_assert_true (iterate_until (training_done, train));
  /* Momentum is there for the optimizers that use it only. */
  adw_combo_row_set_selected (optimizer, RELIEF_OPT_MOMENTUM);
  g_assert_true (gtk_widget_get_sensitive (momentum_row));
  adw_combo_row_set_selected (optimizer, RELIEF_OPT_SGD);
  g_assert_false (gtk_widget_get_sensitive (momentum_row));
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (widget, RELIEF_TYPE_TRAIN_PAGE, "hidden_row")),
                         "4");
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (gtk_widget_get_template_child (widget, RELIEF_TYPE_TRAIN_PAGE,
                                                                               spins[i])), values[i]);
  relief_page_run (RELIEF_PAGE (train));
  g_assert_true (page_running (train));

  /* The main loop paints frame after frame while the training is in its first steps. */
  tick = gtk_widget_add_tick_callback (GTK_WIDGET (f->window), count_frame, &frames, NULL);
  while (page_running (train))
    {
      g_main_context_iteration (NULL, FALSE);
      max_points = MAX (max_points, relief_train_page_get_n_points (train));
      if (frames == 20)
        g_assert_cmpuint (relief_train_page_get_n_metrics (train), <, 62500);
      g_usleep (1000);
    }
  gtk_widget_remove_tick_callback (GTK_WIDGET (f->window), tick);
  g_assert_cmpuint (frames, >=, 20);
  g_assert_cmpuint (max_points, <=, 2048);
  g_assert_cmpuint (relief_train_page_get_n_metrics (train), >, 62500);

  run = relief_run_load (relief_train_page_get_run_path (train), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (run->status, ==, "completed");
  g_assert_cmpuint (run->n_metrics, ==, relief_train_page_get_n_metrics (train));
}

static int
cells_done (const ReliefIntdim *id)
{
  int done = 0;

  for (int i = 0; i < id->K * id->n_seeds; i++)
    done += !isnan (id->train_acc[i]);
  return done;
}

/* The baseline and one cell are in, so a cancel leaves something to keep. */
static gboolean
sweep_started (gpointer data)
{
  const ReliefIntdim *id = relief_dimension_page_get_sweep (data);

  return !page_running (data) || (id != NULL && cells_done (id) >= 1);
}

static gboolean
figure_drawn (gpointer data)
{
  ReliefPlotFrame frame;

  return relief_dimension_page_get_plot_frame (data, &frame) && frame.pw > 0 && frame.ph > 0;
}

static GtkWidget *
dims_row (ReliefDimensionPage *page)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), RELIEF_TYPE_DIMENSION_PAGE, "dims_row"));
}

/* The sweep's settings, as a user types them. */
static void
set_sweep (ReliefDimensionPage *page, const char *dims, int samples, int epochs)
{
  const char *spins[] = { "samples_spin", "epochs_spin", "seeds_spin" };
  const int values[] = { samples, epochs, 1 };

  gtk_editable_set_text (GTK_EDITABLE (dims_row (page)), dims);
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (page),
                                                                               RELIEF_TYPE_DIMENSION_PAGE, spins[i])),
                               values[i]);
}

static void
check_complete (const ReliefIntdim *id, int K)
{
  g_assert_nonnull (id);
  g_assert_cmpint (id->K, ==, K);
  g_assert_true (isfinite (id->baseline_test_acc));
  g_assert_cmpint (cells_done (id), ==, K * id->n_seeds);
}

static ReliefIntdim *
load_sweep (const char *path)
{
  g_autoptr(GError) error = NULL;
  ReliefIntdim *id = relief_intdim_load (path, &error);

  g_assert_no_error (error);
  return id;
}

/* A tiny sweep, run to the end. */
static void
run_small_sweep (ReliefDimensionPage *page)
{
  set_sweep (page, "2,8,32", 300, 3);
  relief_page_run (RELIEF_PAGE (page));
  g_assert_true (page_running (page));
  g_assert_true (iterate_until (page_idle, page));
}

/* Dims that do not ascend are marked and do not run; ascending ones are not marked. */
static void
test_dimension_refuses_bad_dims (Fixture *f, gconstpointer data)
{
  ReliefDimensionPage *page = show_dimension_page (f->window);

  set_sweep (page, "8,4", 300, 3);
  g_assert_true (gtk_widget_has_css_class (dims_row (page), "error"));
  relief_page_run (RELIEF_PAGE (page));
  g_assert_false (page_running (page));
  g_assert_null (relief_dimension_page_get_sweep (page));

  set_sweep (page, "2,8,32", 300, 3);
  g_assert_false (gtk_widget_has_css_class (dims_row (page), "error"));
}

/* The sweep runs in the background to the end, draws, and is saved complete. */
static void
test_dimension_sweep (Fixture *f, gconstpointer data)
{
  ReliefDimensionPage *page = show_dimension_page (f->window);
  g_autoptr(ReliefIntdim) saved = NULL;

  run_small_sweep (page);
  check_complete (relief_dimension_page_get_sweep (page), 3);
  g_assert_true (iterate_until (figure_drawn, page));
  saved = load_sweep (relief_dimension_page_get_sweep_path (page));
  check_complete (saved, 3);
}

/* A file of another kind is refused; the sweep's own file opens. */
static void
test_dimension_open (Fixture *f, gconstpointer data)
{
  ReliefTrainPage *train = train_page (f->window);
  ReliefDimensionPage *page = show_dimension_page (f->window);
  g_autofree char *path = NULL;

  run_small_sweep (page);
  path = g_strdup (relief_dimension_page_get_sweep_path (page));
  g_assert_false (relief_dimension_page_open (page, relief_train_page_get_run_path (train)));
  g_assert_false (g_str_has_prefix (status_text (page), "Opened"));
  g_assert_true (relief_dimension_page_open (page, path));
  check_complete (relief_dimension_page_get_sweep (page), 3);
  /* The refusal's message is gone from the status line: it says what opened. */
  {
    g_autofree char *title = relief_work_dir_title (path);
    g_autofree char *opened = g_strdup_printf ("Opened %s", title);

    g_assert_cmpstr (status_text (page), ==, opened);
  }
}

static gboolean
visible (ReliefWindow *window, gpointer page)
{
  GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (page), ADW_TYPE_VIEW_STACK);

  return adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == GTK_WIDGET (page);
}

/* The recent item i's file. */
static char *
recent_target (ReliefWindow *window, int i)
{
  GMenuModel *menu = relief_window_get_recent_menu (window);
  g_autoptr(GVariant) target = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET,
                                                                      G_VARIANT_TYPE_STRING);

  return target ? g_variant_dup_string (target, NULL) : NULL;
}

static char *
recent_label (ReliefWindow *window, int i)
{
  char *label = NULL;

  g_menu_model_get_item_attribute (relief_window_get_recent_menu (window), i, G_MENU_ATTRIBUTE_LABEL, "s", &label);
  return label;
}

static gboolean
click_until_decision (gpointer page)
{
  gboolean running;

  if (relief_landscape_page_has_decision (page, &running) && !running)
    return TRUE;
  if (!running)
    relief_landscape_page_show_decision (page, 0.1, -0.1);
  return FALSE;
}

/* The window opens runs, landscapes and sweeps, each on its page, and lists them (and what
 * it wrote) newest first among its recent files; a file that is none of them is refused. */
static void
test_open_files (Fixture *f, gconstpointer data)
{
  ReliefTrainPage *train = train_page (f->window);
  ReliefLandscapePage *landscape = landscape_page (f->window);
  ReliefDimensionPage *dimension = NULL;
  g_autoptr(GPtrArray) surfaces = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *run = NULL, *surface = NULL, *sweep = NULL, *junk = NULL, *label = NULL, *target = NULL;
  GObject *hidden = gtk_widget_get_template_child (GTK_WIDGET (train), RELIEF_TYPE_TRAIN_PAGE, "hidden_row");
  int total = 0;

  settle (f);
  run = g_strdup (relief_train_page_get_run_path (train));
  surfaces = relief_work_dir_list (RELIEF_FILE_KIND_SURFACE, NULL, &error);
  g_assert_cmpuint (surfaces->len, ==, 1);
  surface = g_strdup (((ReliefWorkFile *) surfaces->pdata[0])->path);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* What the window wrote, newest first: the landscape, then its run. */
  target = recent_target (f->window, 0);
  g_assert_cmpstr (target, ==, surface);
  g_free (target);
  target = recent_target (f->window, 1);
  g_assert_cmpstr (target, ==, run);
  g_free (target);

  dimension = show_dimension_page (f->window);
  run_small_sweep (dimension);
  sweep = g_strdup (relief_dimension_page_get_sweep_path (dimension));
  g_assert_true (g_str_has_prefix (strrchr (sweep, '/') + 1, "spiral-16-16-relu-"));

  /* A landscape: on the Landscape page, every cell of it, zoomable (its run is there). */
  relief_landscape_page_close_decision (landscape);
  gtk_editable_set_text (GTK_EDITABLE (hidden), "3");
  g_assert_true (relief_window_open_file (f->window, surface));
  g_assert_true (visible (f->window, landscape));
  g_assert_cmpint (relief_landscape_page_get_n_done (landscape, &total), ==, total);
  g_assert_cmpint (total, >, 0);
  g_assert_true (g_str_has_prefix (status_text (landscape), "Opened spiral · 16-16 relu · "));
  /* A click shows the model there, once its run has loaded in the background. */
  g_assert_true (iterate_until (click_until_decision, landscape));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (landscape)) &&
                 gtk_widget_activate_action (GTK_WIDGET (landscape), "page.run", NULL));
  g_assert_true (page_running (landscape));
  g_assert_true (iterate_until (landscape_done, landscape));

  /* A run: its curves and settings on the Train page. */
  g_assert_true (relief_window_open_file (f->window, run));
  g_assert_true (visible (f->window, train));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (hidden)), ==, "16,16");
  g_assert_cmpuint (relief_train_page_get_n_points (train), >, 50);
  g_assert_true (g_str_has_prefix (status_text (train), "Opened spiral · 16-16 relu · "));
  /* With the final model's decisions beside them, computed meanwhile. */
  g_assert_true (iterate_until (map_shown, train));
  g_assert_true (iterate_until (landscape_done, landscape));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* A sweep, from the recent files: on the Dimension page. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.open-recent", "s", sweep));
  g_assert_true (visible (f->window, dimension));
  check_complete (relief_dimension_page_get_sweep (dimension), 3);
  target = recent_target (f->window, 0);
  g_assert_cmpstr (target, ==, sweep);
  label = recent_label (f->window, 0);
  g_assert_true (g_str_has_prefix (label, "spiral · 16-16 relu · "));
  g_assert_true (g_str_has_suffix (label, " · sweep"));
  /* Then the landscape the run's opening showed again (and saved), then the run. */
  g_free (target);
  target = recent_target (f->window, 1);
  g_assert_cmpstr (target, ==, surface);
  g_free (label);
  label = recent_label (f->window, 1);
  g_assert_true (g_str_has_suffix (label, " · landscape"));
  g_free (target);
  target = recent_target (f->window, 2);
  g_assert_cmpstr (target, ==, run);
  g_free (label);
  label = recent_label (f->window, 2);
  g_assert_true (g_str_has_suffix (label, " · run"));

  /* Not a Relief file: a toast says so, and nothing changes. */
  junk = g_build_filename (g_get_user_data_dir (), "junk.h5", NULL);
  g_assert_true (g_file_set_contents (junk, "not hdf5", -1, NULL));
  g_assert_false (relief_window_open_file (f->window, junk));
  g_assert_true (visible (f->window, dimension));
  g_free (target);
  target = recent_target (f->window, 0);
  g_assert_cmpstr (target, ==, sweep);
}

static GtkWidget *
child (gpointer page, const char *id)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), G_OBJECT_TYPE (page), id));
}

static GtkWidget *
row_of (GtkWidget *control)
{
  return ADW_IS_PREFERENCES_ROW (control) ? control : gtk_widget_get_ancestor (control, ADW_TYPE_PREFERENCES_ROW);
}

/* Types text into a spin button and leaves it (as Tab does). */
static void
type_into (GtkWidget *spin, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  gtk_spin_button_update (GTK_SPIN_BUTTON (spin));
}

static void
assert_marked (GtkWidget *control, const char *message)
{
  GtkWidget *row = row_of (control);

  g_assert_true (gtk_widget_has_css_class (row, "error"));
  if (ADW_IS_ACTION_ROW (row))
    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, message);
  else
    g_assert_true (toast_label_below (row, message));
}

/* Bad input is never taken for something else: it stays as typed, its row turns red with
 * the message beside it, the page's job does not start and its status line says which
 * field, without a dialog, on every page; good input clears the mark.  Rows that do not
 * apply are insensitive. */
static void
test_inputs (Fixture *f, gconstpointer data)
{
  ReliefTrainPage *train = train_page (f->window);
  ReliefLandscapePage *landscape = landscape_page (f->window);
  ReliefDimensionPage *dimension = dimension_page (f->window);
  GtkWidget *lr = child (train, "lr_spin"), *epochs = child (train, "epochs_spin");
  GtkWidget *hidden = child (train, "hidden_row");
  GtkWidget *range = child (landscape, "range_spin"), *seed = child (landscape, "seed_spin");
  GtkWidget *seeds = child (dimension, "seeds_spin");

  settle (f);
  /* Learning rate: "abc" is no number, and the rate stays what it was. */
  type_into (lr, "abc");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lr)), ==, "abc");
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (lr)), ==, 0.01);
  assert_marked (lr, "Enter a number");
  relief_page_run (RELIEF_PAGE (train));
  g_assert_false (page_running (train));
  g_assert_cmpstr (status_text (train), ==, "Learning rate: Enter a number");
  g_assert_null (find_dialog (GTK_WINDOW (f->window)));
  type_into (lr, "20");
  assert_marked (lr, "Between 0.00001 and 10");
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (lr)), ==, 0.01);
  type_into (lr, "0.02");
  g_assert_false (gtk_widget_has_css_class (row_of (lr), "error"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row_of (lr))) ?: "", ==, "");
  g_assert_cmpfloat (fabs (gtk_spin_button_get_value (GTK_SPIN_BUTTON (lr)) - 0.02), <, 1e-9);
  type_into (epochs, "2.5");
  assert_marked (epochs, "Enter a whole number");
  type_into (epochs, "30");
  g_assert_false (gtk_widget_has_css_class (row_of (epochs), "error"));

  /* Hidden layers, an entry row: the message at its end. */
  gtk_editable_set_text (GTK_EDITABLE (hidden), "16,x");
  g_assert_true (gtk_widget_has_css_class (hidden, "error"));
  relief_page_run (RELIEF_PAGE (train));
  g_assert_false (page_running (train));
  g_assert_true (g_str_has_prefix (status_text (train), "Hidden layers: "));
  g_assert_null (find_dialog (GTK_WINDOW (f->window)));
  gtk_editable_set_text (GTK_EDITABLE (hidden), "16,16");
  g_assert_false (gtk_widget_has_css_class (hidden, "error"));

  /* Momentum applies to momentum, nesterov, rmsprop and sign only, each choice bringing its
   * default. */
  relief_combo_select_enum (ADW_COMBO_ROW (child (train, "optimizer_row")), RELIEF_OPT_SGD);
  g_assert_false (gtk_widget_get_sensitive (row_of (child (train, "momentum_spin"))));
  relief_combo_select_enum (ADW_COMBO_ROW (child (train, "optimizer_row")), RELIEF_OPT_ADAGRAD);
  g_assert_false (gtk_widget_get_sensitive (row_of (child (train, "momentum_spin"))));
  relief_combo_select_enum (ADW_COMBO_ROW (child (train, "optimizer_row")), RELIEF_OPT_RMSPROP);
  g_assert_true (gtk_widget_get_sensitive (row_of (child (train, "momentum_spin"))));
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (child (train, "momentum_spin"))), ==, 0);
  relief_combo_select_enum (ADW_COMBO_ROW (child (train, "optimizer_row")), RELIEF_OPT_NESTEROV);
  g_assert_true (gtk_widget_get_sensitive (row_of (child (train, "momentum_spin"))));
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (GTK_SPIN_BUTTON (child (train, "momentum_spin"))), 0.9,
                                  1e-6);

  /* The Landscape page: the same. */
  type_into (range, "wide");
  assert_marked (range, "Enter a number");
  relief_page_run (RELIEF_PAGE (landscape));
  g_assert_false (page_running (landscape));
  g_assert_cmpstr (status_text (landscape), ==, "Range: Enter a number");
  g_assert_null (find_dialog (GTK_WINDOW (f->window)));
  type_into (range, "1");
  g_assert_false (gtk_widget_has_css_class (row_of (range), "error"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row_of (range))), ==, "Half-width in each direction");
  /* The direction seed applies to random directions, the range to planes. */
  relief_combo_select_enum (ADW_COMBO_ROW (child (landscape, "directions_row")), RELIEF_DIRECTIONS_PCA);
  g_assert_false (gtk_widget_get_sensitive (row_of (seed)));
  g_assert_true (gtk_widget_get_sensitive (row_of (range)));
  relief_combo_select_enum (ADW_COMBO_ROW (child (landscape, "directions_row")), RELIEF_DIRECTIONS_LINE);
  g_assert_false (gtk_widget_get_sensitive (row_of (range)));
  relief_combo_select_enum (ADW_COMBO_ROW (child (landscape, "directions_row")), RELIEF_DIRECTIONS_RANDOM);
  g_assert_true (gtk_widget_get_sensitive (row_of (seed)));

  /* The Dimension page: the same, and no sweep starts. */
  type_into (seeds, "1.5");
  assert_marked (seeds, "Enter a whole number");
  relief_page_run (RELIEF_PAGE (dimension));
  g_assert_false (page_running (dimension));
  g_assert_true (g_str_has_prefix (status_text (dimension), "Seeds"));
  g_assert_null (find_dialog (GTK_WINDOW (f->window)));
  {
    g_autofree gint64 *dims = NULL;
    g_autoptr(GError) error = NULL;
    int K;

    g_assert_false (relief_parse_dims ("8,4", &dims, &K, &error));
    gtk_editable_set_text (GTK_EDITABLE (child (dimension, "dims_row")), "8,4");
    assert_marked (child (dimension, "dims_row"), error->message);
  }
}

/* A sweep refused when it starts (a dimension beyond the model's 371 parameters) leaves
 * the sweep shown as it was, and says why, without a dialog; nothing is written. */
static void
test_dimension_failed_start_keeps_sweep (Fixture *f, gconstpointer data)
{
  ReliefDimensionPage *page = show_dimension_page (f->window);
  g_autofree char *path = NULL;
  const ReliefIntdim *shown;

  run_small_sweep (page);
  path = g_strdup (relief_dimension_page_get_sweep_path (page));
  shown = relief_dimension_page_get_sweep (page);
  g_assert_cmpuint (count_work_files (RELIEF_FILE_KIND_INTDIM), ==, 1);

  set_sweep (page, "2,8,1000", 300, 3);
  relief_page_run (RELIEF_PAGE (page));
  g_assert_true (iterate_until (page_idle, page));
  g_assert_true (relief_dimension_page_get_sweep (page) == shown);
  check_complete (relief_dimension_page_get_sweep (page), 3);
  g_assert_cmpstr (relief_dimension_page_get_sweep_path (page), ==, path);
  g_assert_nonnull (strstr (status_text (page), "1000"));
  g_assert_nonnull (strstr (status_text (page), "The sweep shown is kept"));
  g_assert_true (toast_shown (f->window, status_text (page)));
  g_assert_null (find_dialog (GTK_WINDOW (f->window)));
  g_assert_cmpuint (count_work_files (RELIEF_FILE_KIND_INTDIM), ==, 1);

  /* Its own settings again continue (here: find complete) the sweep shown. */
  set_sweep (page, "2,8,32", 300, 3);
  relief_page_run (RELIEF_PAGE (page));
  g_assert_cmpstr (relief_dimension_page_get_sweep_path (page), ==, path);
  g_assert_true (iterate_until (page_idle, page));
  check_complete (relief_dimension_page_get_sweep (page), 3);
}

/* A cancelled sweep keeps what ran, and Run continues it in the same file. */
static void
test_dimension_cancel_resume (Fixture *f, gconstpointer data)
{
  ReliefDimensionPage *page = show_dimension_page (f->window);
  g_autoptr(ReliefIntdim) saved = NULL;
  g_autofree char *path = NULL;

  set_sweep (page, "2:60:2", 1000, 50);
  relief_page_run (RELIEF_PAGE (page));
  g_assert_true (page_running (page));
  g_assert_true (iterate_until (sweep_started, page));
  relief_page_cancel (RELIEF_PAGE (page));
  g_assert_true (iterate_until (page_idle, page));
  path = g_strdup (relief_dimension_page_get_sweep_path (page));
  saved = load_sweep (path);
  g_assert_cmpint (cells_done (saved), >=, 1);
  g_assert_cmpint (cells_done (saved), <, saved->K);

  relief_page_run (RELIEF_PAGE (page));
  g_assert_cmpstr (relief_dimension_page_get_sweep_path (page), ==, path);
  g_assert_true (iterate_until (page_idle, page));
  check_complete (relief_dimension_page_get_sweep (page), 30);
  g_assert_cmpfloat (relief_dimension_page_get_sweep (page)->baseline_test_acc, ==, saved->baseline_test_acc);
}

/* The first button below widget whose action is action_name, or NULL. */
static GtkWidget *
find_action_button (GtkWidget *widget, const char *action_name)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action_name);

      if (found)
        return found;
    }
  return NULL;
}

/* Each page's Run and Cancel stay in view: never in the sidebar's scrolled part. */
static void
test_actions_in_view (Fixture *f, gconstpointer data)
{
  gpointer pages[] = { train_page (f->window), landscape_page (f->window), dimension_page (f->window) };
  const char *actions[] = { "page.run", "page.cancel" };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    for (guint j = 0; j < G_N_ELEMENTS (actions); j++)
      {
        GtkWidget *button = find_action_button (pages[i], actions[j]);

        g_assert_nonnull (button);
        g_assert_null (gtk_widget_get_ancestor (button, GTK_TYPE_SCROLLED_WINDOW));
      }
}

/* The Keyboard Shortcuts window shows the application's accelerators: Run, Cancel, Export
 * and page switching have theirs, and switching goes by position and wraps. */
static void
test_shortcuts (Fixture *f, gconstpointer data)
{
  const char *actions[] = { "win.run", "win.cancel", "win.export", "win.open", "win.show-page(0)", "win.show-page(2)",
                            "win.show-page(3)", "win.show-page(4)", "win.show-page(5)", "win.next-page", "win.previous-page" };
  GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (train_page (f->window)), ADW_TYPE_VIEW_STACK);
  GtkWidget *spectra = GTK_WIDGET (relief_window_get_page (f->window, "spectra"));
  GtkWidget *regions = GTK_WIDGET (relief_window_get_page (f->window, "regions"));
  GtkWidget *lesson = GTK_WIDGET (relief_window_get_page (f->window, "lesson"));
  g_auto(GStrv) alt5 = gtk_application_get_actions_for_accel (GTK_APPLICATION (f->app), "<Alt>5");
  g_autoptr(GtkSelectionModel) stack_pages = adw_view_stack_get_pages (ADW_VIEW_STACK (stack));

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), actions[i]);

      g_assert_nonnull (accels[0]);
    }
  /* Six pages: Train, Landscape, Dimension, Spectra, Regions, Lesson; Alt+5 the Regions page. */
  g_assert_nonnull (regions);
  g_assert_nonnull (lesson);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (stack_pages)), ==, 6);
  g_assert_cmpuint (g_strv_length (alt5), ==, 1);
  g_assert_cmpstr (alt5[0], ==, "win.show-page(4)");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "i", 2);
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == GTK_WIDGET (dimension_page (f->window)));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.next-page", NULL);
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == spectra);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.next-page", NULL);
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == regions);
  /* The Lesson page is the last: Alt+N by position, then next wraps to the first. */
  {
    g_autoptr(GListModel) pages = G_LIST_MODEL (adw_view_stack_get_pages (ADW_VIEW_STACK (stack)));
    int n = (int) g_list_model_get_n_items (pages);
    g_autofree char *action = g_strdup_printf ("win.show-page(%d)", n - 1);
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), action);
    g_autofree char *alt = g_strdup_printf ("<Alt>%d", n);

    g_assert_cmpint (n, ==, 6);
    g_assert_cmpstr (accels[0], ==, alt);
    gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "i", n - 1);
    g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == lesson);
  }
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.next-page", NULL);
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == GTK_WIDGET (train_page (f->window)));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.previous-page", NULL);
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == lesson);
}

static void
draw_filled (cairo_t *cr, double width, double height, gpointer data)
{
  for (int i = 0; i < 50; i++)
    {
      cairo_set_source_rgb (cr, i / 50.0, 0.5, 1 - i / 50.0);
      cairo_rectangle (cr, i * width / 50, 0, width / 50, height * (i + 1) / 50);
      cairo_fill (cr);
    }
}


/* An export to a full disk (RLIMIT_FSIZE) ends in an error dialog naming the file and why,
 * not in an "Exported" toast, and the figure already there is kept. */
static void
test_export_disk_full (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "figure.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *expected = g_strdup_printf ("Cannot write “%s”: %s", path, g_strerror (EFBIG));
  g_autofree char *contents = NULL;
  ReliefTrainPage *train = train_page (f->window);
  GtkWidget *dialog;
  FsizeLimit limit;

  /* Nothing else of the window's writes meanwhile. */
  settle (f);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "the figure before", -1, NULL));
  fsize_limit_begin (&limit, 512);
  relief_page_write_figure (RELIEF_PAGE (train), file, 400, 300, draw_filled, NULL);
  fsize_limit_end (&limit);
  g_assert_true (iterate_until (dialog_shown, f->window));
  dialog = find_dialog (GTK_WINDOW (f->window));
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), ==, expected);
  g_assert_false (toast_label_below (GTK_WIDGET (f->window), "Exported figure.pdf"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "the figure before");

  /* With room, the same export replaces it and says so. */
  relief_page_write_figure (RELIEF_PAGE (train), file, 400, 300, draw_filled, NULL);
  g_assert_null (find_dialog (GTK_WINDOW (f->window)));
  /* After the toast of the training before it (Show Landscape), when that one is shown. */
  g_assert_true (toast_shown (f->window, "Exported figure.pdf"));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "%PDF"));
}

static void
add_test (const char *path, void (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_setup, test, fixture_teardown);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (!test_gtk_display ())
    return 77;
  main_thread = g_thread_self ();
  add_test ("/window/train/default-trains", test_default_trains);
  add_test ("/window/train/default-reused", test_default_reused);
  add_test ("/window/train/offers-landscape", test_train_offers_landscape);
  add_test ("/window/train/decision-map", test_train_decision_map);
  add_test ("/window/train/layout-follows-size", test_train_layout_follows_size);
  add_test ("/window/train/cancel", test_train_cancel);
  add_test ("/window/train/sharpness", test_train_sharpness);
  add_test ("/window/train/long-stays-bounded", test_train_long_stays_bounded);
  add_test ("/window/landscape/default", test_default_landscape);
  add_test ("/window/landscape/decision", test_landscape_decision);
  add_test ("/window/landscape/marks-previous-run", test_landscape_marks_previous_run);
  add_test ("/window/landscape/readout-follows", test_landscape_readout_follows);
  add_test ("/window/landscape/drag-opens-no-panel", test_landscape_drag_opens_no_panel);
  add_test ("/window/landscape/cancel", test_landscape_cancel);
  add_test ("/window/landscape/coarse-first", test_landscape_coarse_first);
  add_test ("/window/landscape/unusable-backend", test_landscape_unusable_backend);
  add_test ("/window/responsive", test_responsive);
  add_test ("/window/actions-in-view", test_actions_in_view);
  add_test ("/window/shortcuts", test_shortcuts);
  add_test ("/window/dimension/refuses-bad-dims", test_dimension_refuses_bad_dims);
  add_test ("/window/dimension/sweep", test_dimension_sweep);
  add_test ("/window/dimension/open", test_dimension_open);
  add_test ("/window/dimension/cancel-resume", test_dimension_cancel_resume);
  add_test ("/window/dimension/failed-start-keeps-sweep", test_dimension_failed_start_keeps_sweep);
  add_test ("/window/open-files", test_open_files);
  add_test ("/window/inputs", test_inputs);
  add_test ("/window/export/disk-full", test_export_disk_full);
  return g_test_run ();
}

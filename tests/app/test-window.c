/* The window under a display: it opens on the built-in default, trains it, and shows its
 * landscape; it sweeps subspaces for the intrinsic dimension; all without the main loop
 * ever waiting on the work. */
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "test-gtk.h"
#include "relief-application.h"
#include "relief-backend.h"
#include "relief-dimension-page.h"
#include "relief-intdim-file.h"
#include "relief-run-file.h"
#include "relief-landscape-page.h"
#include "relief-train-page.h"
#include "relief-window.h"

#define TIMEOUT_US (240 * G_USEC_PER_SEC)

static gint64 longest_iteration_us;

static gboolean
iterate_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 start = g_get_monotonic_time ();

  while (!done (data))
    {
      gint64 before = g_get_monotonic_time ();

      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      longest_iteration_us = MAX (longest_iteration_us, g_get_monotonic_time () - before);

      if (g_get_monotonic_time () - start > TIMEOUT_US)
        return FALSE;
    }
  return TRUE;
}

static guint frames_painted;

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  frames_painted++;
  return G_SOURCE_CONTINUE;
}

static gboolean
first_frames_painted (gpointer data)
{
  return frames_painted >= 3;
}

static gboolean
training_idle (gpointer data)
{
  return !relief_page_is_running (data);
}

static gboolean
training_done (gpointer data)
{
  ReliefTrainPage *page = data;

  return !relief_page_is_running (RELIEF_PAGE (page)) && relief_train_page_get_run_path (page) != NULL &&
         relief_train_page_get_n_points (page) > 0;
}

static gboolean
landscape_done (gpointer data)
{
  ReliefLandscapePage *page = data;
  int total = 0;
  int done = relief_landscape_page_get_n_done (page, &total);

  return !relief_page_is_running (RELIEF_PAGE (page)) && total > 0 && done == total;
}

static gboolean
decision_shown (gpointer data)
{
  gboolean running;

  return relief_landscape_page_has_decision (data, &running) && !running;
}

static gboolean
landscape_idle (gpointer data)
{
  return !relief_page_is_running (data);
}

static gboolean
landscape_started (gpointer data)
{
  return relief_page_is_running (data);
}

static gboolean
sweep_idle (gpointer data)
{
  return !relief_page_is_running (data);
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

  return !relief_page_is_running (data) || (id != NULL && cells_done (id) >= 1);
}

static gboolean
figure_drawn (gpointer data)
{
  ReliefPlotFrame frame;

  return relief_dimension_page_get_plot_frame (data, &frame) && frame.pw > 0 && frame.ph > 0;
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

/* Where no CUDA device is usable, choosing the cuda backend for a landscape ends in an
 * error dialog, and the page computes again once auto is back. */
static void
check_unusable_backend (ReliefWindow *window, ReliefLandscapePage *landscape)
{
  g_autoptr(ReliefBackend) cuda = relief_backend_new ("cuda", NULL);
  AdwComboRow *row = ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (landscape),
                                                                   RELIEF_TYPE_LANDSCAPE_PAGE, "backend_row"));
  GtkWidget *dialog;
  int total = 0;

  if (cuda != NULL)
    {
      g_test_message ("a CUDA device is usable here: the unusable-backend check does not apply");
      return;
    }
  adw_combo_row_set_selected (row, 2);   /* auto, cpu, cuda */
  relief_page_run (RELIEF_PAGE (landscape));
  g_assert_true (iterate_until (landscape_idle, landscape));
  g_assert_true (iterate_until (dialog_shown, window));
  dialog = find_dialog (GTK_WINDOW (window));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "CUDA"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  adw_combo_row_set_selected (row, 0);
  relief_page_run (RELIEF_PAGE (landscape));
  g_assert_true (iterate_until (landscape_done, landscape));
  g_assert_cmpint (relief_landscape_page_get_n_done (landscape, &total), ==, total);
}

/* The sweep's settings, as a user types them. */
static void
set_sweep (ReliefDimensionPage *page, const char *dims, int samples, int epochs)
{
  GObject *dims_row = gtk_widget_get_template_child (GTK_WIDGET (page), RELIEF_TYPE_DIMENSION_PAGE, "dims_row");
  const char *spins[] = { "samples_spin", "epochs_spin", "seeds_spin" };
  const int values[] = { samples, epochs, 1 };

  gtk_editable_set_text (GTK_EDITABLE (dims_row), dims);
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

/* A tiny sweep runs to the end and draws; bad dims are refused; a file of another kind is
 * refused and the sweep's own file opens. */
static void
check_dimension_sweep (ReliefDimensionPage *page, const char *run_path)
{
  GtkWidget *dims_row = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), RELIEF_TYPE_DIMENSION_PAGE,
                                                                   "dims_row"));
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  set_sweep (page, "8,4", 300, 3);
  g_assert_true (gtk_widget_has_css_class (dims_row, "error"));
  relief_page_run (RELIEF_PAGE (page));
  g_assert_false (relief_page_is_running (RELIEF_PAGE (page)));

  set_sweep (page, "2,8,32", 300, 3);
  g_assert_false (gtk_widget_has_css_class (dims_row, "error"));
  relief_page_run (RELIEF_PAGE (page));
  g_assert_true (relief_page_is_running (RELIEF_PAGE (page)));
  g_assert_true (iterate_until (sweep_idle, page));
  check_complete (relief_dimension_page_get_sweep (page), 3);
  g_assert_true (iterate_until (figure_drawn, page));
  path = g_strdup (relief_dimension_page_get_sweep_path (page));
  {
    g_autoptr(ReliefIntdim) saved = relief_intdim_load (path, &error);

    g_assert_no_error (error);
    check_complete (saved, 3);
  }

  g_assert_false (relief_dimension_page_open (page, run_path));
  g_assert_true (relief_dimension_page_open (page, path));
  check_complete (relief_dimension_page_get_sweep (page), 3);
}

/* A cancelled sweep keeps what ran, and Run continues it in the same file. */
static void
check_dimension_cancel (ReliefDimensionPage *page)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  double baseline;

  set_sweep (page, "2:60:2", 1000, 50);
  relief_page_run (RELIEF_PAGE (page));
  g_assert_true (iterate_until (sweep_started, page));
  relief_page_cancel (RELIEF_PAGE (page));
  g_assert_true (iterate_until (sweep_idle, page));
  path = g_strdup (relief_dimension_page_get_sweep_path (page));
  {
    g_autoptr(ReliefIntdim) saved = relief_intdim_load (path, &error);

    g_assert_no_error (error);
    g_assert_cmpint (cells_done (saved), >=, 1);
    g_assert_cmpint (cells_done (saved), <, saved->K);
    baseline = saved->baseline_test_acc;
  }

  relief_page_run (RELIEF_PAGE (page));
  g_assert_cmpstr (relief_dimension_page_get_sweep_path (page), ==, path);
  g_assert_true (iterate_until (sweep_idle, page));
  check_complete (relief_dimension_page_get_sweep (page), 30);
  g_assert_cmpfloat (relief_dimension_page_get_sweep (page)->baseline_test_acc, ==, baseline);
}

static void
test_default_session (void)
{
  g_autoptr(ReliefApplication) app = relief_application_new ();
  g_autoptr(GError) error = NULL;
  ReliefWindow *window;
  ReliefTrainPage *train;
  ReliefLandscapePage *landscape;
  ReliefDimensionPage *dimension;
  double loss, acc;
  int total = 0;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  window = RELIEF_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  train = RELIEF_TRAIN_PAGE (relief_window_get_page (window, "train"));
  landscape = RELIEF_LANDSCAPE_PAGE (relief_window_get_page (window, "landscape"));

  /* The default starts by itself. */
  g_assert_true (relief_page_is_running (RELIEF_PAGE (train)));
  /* The first frame (realizing the window, loading fonts) is GTK's own start-up cost. */
  gtk_widget_add_tick_callback (GTK_WIDGET (window), count_frame, NULL, NULL);
  g_assert_true (iterate_until (first_frames_painted, NULL));
  longest_iteration_us = 0;
  g_assert_true (iterate_until (training_done, train));
  g_assert_true (g_file_test (relief_train_page_get_run_path (train), G_FILE_TEST_IS_REGULAR));

  /* Then its landscape, in the background, filling in. */
  g_assert_true (iterate_until (landscape_done, landscape));
  g_assert_cmpint (relief_landscape_page_get_n_done (landscape, &total), ==, total);
  g_assert_true (relief_landscape_page_value_at (landscape, 0, 0, &loss, &acc));
  g_assert_true (isfinite (loss));
  g_assert_cmpfloat (acc, >, 50);

  /* Clicking the map shows the model's decisions at that point. */
  relief_landscape_page_show_decision (landscape, 0.1, -0.1);
  g_assert_true (iterate_until (decision_shown, landscape));

  /* A new computation can be cancelled, and the window goes on. */
  relief_page_run (RELIEF_PAGE (landscape));
  g_assert_true (iterate_until (landscape_started, landscape));
  relief_page_cancel (RELIEF_PAGE (landscape));
  g_assert_true (iterate_until (landscape_idle, landscape));
  g_assert_cmpint (relief_landscape_page_get_n_done (landscape, &total), <, total);

  check_unusable_backend (window, landscape);

  /* Training can be cancelled too, and keeps the run up to there. */
  relief_page_run (RELIEF_PAGE (train));
  g_assert_true (relief_page_is_running (RELIEF_PAGE (train)));
  relief_page_cancel (RELIEF_PAGE (train));
  g_assert_true (iterate_until (training_idle, train));
  {
    g_autoptr(ReliefRun) run = relief_run_load (relief_train_page_get_run_path (train), FALSE, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (run->status, ==, "cancelled");
    g_assert_cmpint (run->n_snapshots, >=, 1);
  }

  /* The Dimension view sweeps subspaces in the background. */
  dimension = RELIEF_DIMENSION_PAGE (relief_window_get_page (window, "dimension"));
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (dimension),
                                                                                  ADW_TYPE_VIEW_STACK)),
                                         "dimension");
  check_dimension_sweep (dimension, relief_train_page_get_run_path (train));
  check_dimension_cancel (dimension);

  /* The work never held the main loop for long. */
  g_test_message ("longest main-loop iteration: %.1f ms", longest_iteration_us / 1000.0);
  g_assert_cmpint (longest_iteration_us, <, 1000 * 1000);

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (!test_gtk_display ())
    return 77;
  g_test_add_func ("/window/default-session", test_default_session);
  return g_test_run ();
}

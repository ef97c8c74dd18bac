/* The window under a display: it opens on the built-in default, trains it, and shows its
 * landscape, without the main loop ever waiting on the work. */
#include <gtk/gtk.h>
#include <math.h>

#include "relief-application.h"
#include "relief-files.h"
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
  return !relief_train_page_is_running (data);
}

static gboolean
training_done (gpointer data)
{
  ReliefTrainPage *page = data;

  return !relief_train_page_is_running (page) && relief_train_page_get_run_path (page) != NULL &&
         relief_train_page_get_n_points (page) > 0;
}

static gboolean
landscape_done (gpointer data)
{
  ReliefLandscapePage *page = data;
  int total = 0;
  int done = relief_landscape_page_get_n_done (page, &total);

  return !relief_landscape_page_is_running (page) && total > 0 && done == total;
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
  return !relief_landscape_page_is_running (data);
}

static gboolean
landscape_started (gpointer data)
{
  return relief_landscape_page_is_running (data);
}

static void
test_default_session (void)
{
  g_autoptr(ReliefApplication) app = relief_application_new ();
  g_autoptr(GError) error = NULL;
  ReliefWindow *window;
  ReliefTrainPage *train;
  ReliefLandscapePage *landscape;
  double loss, acc;
  int total = 0;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  window = RELIEF_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  train = RELIEF_TRAIN_PAGE (relief_window_get_train_page (window));
  landscape = RELIEF_LANDSCAPE_PAGE (relief_window_get_landscape_page (window));

  /* The default starts by itself. */
  g_assert_true (relief_train_page_is_running (train));
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
  relief_landscape_page_compute (landscape);
  g_assert_true (iterate_until (landscape_started, landscape));
  relief_landscape_page_cancel (landscape);
  g_assert_true (iterate_until (landscape_idle, landscape));
  g_assert_cmpint (relief_landscape_page_get_n_done (landscape, &total), <, total);

  /* Training can be cancelled too, and keeps the run up to there. */
  relief_train_page_start (train);
  g_assert_true (relief_train_page_is_running (train));
  relief_train_page_cancel (train);
  g_assert_true (iterate_until (training_idle, train));
  {
    g_autoptr(ReliefRun) run = relief_run_load (relief_train_page_get_run_path (train), FALSE, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (run->status, ==, "cancelled");
    g_assert_cmpint (run->n_snapshots, >=, 1);
  }

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
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_printerr ("no display: skipped\n");
      return 77;
    }
  g_test_add_func ("/window/default-session", test_default_session);
  return g_test_run ();
}

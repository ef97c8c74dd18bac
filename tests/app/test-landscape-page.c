/* The Landscape page keeps the run it loaded: zooming, panning and clicking reuse it and
 * write nothing, and only the slice the user asked for is saved, in one file per run and
 * slice. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "test-gtk.h"
#include "relief-landscape-page.h"
#include "relief-plot-view.h"
#include "relief-generators.h"
#include "relief-train-job.h"

/* The window's templates, compiled into the app library (resources/meson.build). */
void relief_register_resource (void);

static gboolean
page_idle (gpointer data)
{
  return !relief_page_is_running (data);
}

static gboolean
decision_shown (gpointer data)
{
  gboolean running;

  return relief_landscape_page_has_decision (data, &running) && !running;
}

/* Every file below dir, with its size and modification time, one line each, sorted. */
static void
list_tree (const char *dir, GPtrArray *lines)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        list_tree (path, lines);
      else if (g_stat (path, &st) == 0)
        g_ptr_array_add (lines, g_strdup_printf ("%s %lld %lld", path, (long long) st.st_size,
                                                 (long long) st.st_mtime));
    }
}

/* g_ptr_array_sort hands the comparison pointers to the elements. */
static int
compare_lines (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
tree_listing (const char *dir)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  list_tree (dir, lines);
  g_ptr_array_sort (lines, compare_lines);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

static guint
count_surfaces (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "relief", "surfaces", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static char *
train_run (const char *dir)
{
  ReliefTrainJob job;
  ReliefTrainStatus status;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "run.h5", NULL);

  relief_train_job_init_defaults (&job);
  g_free (job.dataset);
  job.dataset = g_strdup ("xor");
  relief_generator_defaults ("xor", &job.gen);
  job.gen.n_samples = 200;
  job.train.epochs = 3;
  job.output = g_strdup (path);
  relief_train_job_run (&job, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, RELIEF_TRAIN_COMPLETED);
  relief_train_job_clear (&job);
  return path;
}

/* The surface is complete, with a finite loss at (x, 0). */
static void
check_view (ReliefLandscapePage *page, double x)
{
  double loss, acc;
  int total = 0;

  g_assert_true (iterate_until (page_idle, page));
  g_assert_cmpint (relief_landscape_page_get_n_done (page, &total), ==, total);
  g_assert_cmpint (total, >, 0);
  g_assert_true (relief_landscape_page_value_at (page, x, 0, &loss, &acc));
  g_assert_true (isfinite (loss));
}

static void
test_zoom_pan_reads_and_writes_nothing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("relief-landscape-XXXXXX", NULL);
  g_autofree char *run_path = train_run (dir);
  g_autofree char *moved = g_strconcat (run_path, ".away", NULL);
  g_autofree char *before = NULL, *after = NULL;
  GtkWidget *window = gtk_window_new ();
  ReliefLandscapePage *page = g_object_new (RELIEF_TYPE_LANDSCAPE_PAGE, NULL);
  ReliefPlotView *view;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);

  /* The slice the user asks for is computed and saved. */
  relief_landscape_page_set_run (page, run_path);
  relief_page_run (RELIEF_PAGE (page));
  check_view (page, 0);
  g_assert_cmpuint (count_surfaces (), ==, 1);

  /* Without the run file, nothing can be read again: the page must work from memory. */
  g_assert_cmpint (g_rename (run_path, moved), ==, 0);
  before = tree_listing (g_get_user_data_dir ());
  {
    g_autoptr(GPtrArray) stack = g_ptr_array_new ();
    GtkWidget *w = GTK_WIDGET (page);

    /* The map widget, wherever the template puts it. */
    g_ptr_array_add (stack, w);
    view = NULL;
    while (stack->len > 0 && view == NULL)
      {
        w = g_ptr_array_steal_index (stack, stack->len - 1);
        if (RELIEF_IS_PLOT_VIEW (w))
          view = RELIEF_PLOT_VIEW (w);
        for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
          g_ptr_array_add (stack, c);
      }
  }
  g_assert_nonnull (view);

  for (int i = 0; i < 10; i++)
    {
      double half = 1.0 / (1 + i % 3), shift = 0.1 * (i - 5);

      g_signal_emit_by_name (view, "view-changed", shift - half, shift + half, -half, half);
      check_view (page, shift);
    }
  relief_landscape_page_show_decision (page, 0.1, -0.1);
  g_assert_true (iterate_until (decision_shown, page));

  after = tree_listing (g_get_user_data_dir ());
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (count_surfaces (), ==, 1);

  /* Asking for the same slice again replaces its file. */
  relief_page_run (RELIEF_PAGE (page));
  check_view (page, 0);
  g_assert_cmpuint (count_surfaces (), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (page);
  g_remove (moved);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (!test_gtk_display ())
    return 77;
  adw_init ();
  relief_register_resource ();
  g_test_add_func ("/landscape-page/zoom-pan-reads-and-writes-nothing", test_zoom_pan_reads_and_writes_nothing);
  return g_test_run ();
}

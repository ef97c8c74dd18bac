/* The Landscape page keeps the run it loaded: zooming, panning and clicking reuse it and
 * write nothing, and only the slice the user asked for is saved, in one file per run and
 * slice. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "test-gtk.h"
#include "relief-controls.h"
#include "relief-directions.h"
#include "relief-figures.h"
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

  /* Back to the whole slice (a double click computes it again): its file is replaced. */
  g_signal_emit_by_name (view, "view-reset");
  check_view (page, 0);
  g_assert_cmpuint (count_surfaces (), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (page);
  g_remove (moved);
  g_rmdir (dir);
}

static GObject *
child (ReliefLandscapePage *page, const char *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (page), RELIEF_TYPE_LANDSCAPE_PAGE, id);

  g_assert_nonnull (object);
  return object;
}

static const char *
status_text (ReliefLandscapePage *page)
{
  return gtk_label_get_text (GTK_LABEL (child (page, "status_label")));
}

static const char *
range_subtitle (ReliefLandscapePage *page)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (child (page, "range_row")));
}

static gboolean
map_drawn (gpointer page)
{
  ReliefPlotFrame frame;

  return relief_plot_view_get_frame (RELIEF_PLOT_VIEW (child (page, "surface_view")), &frame);
}

typedef struct {
  char                *dir, *run_path;
  GtkWidget           *window;
  ReliefLandscapePage *page;
} PageFixture;

static void
page_fixture_setup (PageFixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("relief-landscape-XXXXXX", NULL);
  f->run_path = train_run (f->dir);
  f->window = gtk_window_new ();
  f->page = g_object_new (RELIEF_TYPE_LANDSCAPE_PAGE, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->page));
  gtk_window_present (GTK_WINDOW (f->window));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f->page, "resolution_spin")), 9);
  relief_landscape_page_set_run (f->page, f->run_path);
}

static void
page_fixture_teardown (PageFixture *f, gconstpointer data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_remove (f->run_path);
  g_rmdir (f->dir);
  g_free (f->run_path);
  g_free (f->dir);
}

/* After a zoom the Range row says which window the map shows, and Compute computes and
 * saves that window, not ±range; a new range starts from ±range again. */
static void
test_range_follows_zoom (PageFixture *f, gconstpointer data)
{
  ReliefPlotView *view = RELIEF_PLOT_VIEW (child (f->page, "surface_view"));
  ReliefPlotFrame frame;

  g_assert_cmpstr (range_subtitle (f->page), ==, "Half-width in each direction");
  relief_page_run (RELIEF_PAGE (f->page));
  check_view (f->page, 0);
  g_assert_cmpuint (count_surfaces (), ==, 1);

  g_signal_emit_by_name (view, "view-changed", -0.2, 0.6, -0.5, 0.1);
  check_view (f->page, 0.3);
  g_assert_true (g_str_has_prefix (range_subtitle (f->page), "Zoomed to x -0.2 … 0.6, y -0.5 … 0.1"));
  g_assert_cmpuint (count_surfaces (), ==, 1);   /* a zoom saves nothing */

  relief_page_run (RELIEF_PAGE (f->page));
  check_view (f->page, 0.3);
  g_assert_cmpuint (count_surfaces (), ==, 2);   /* Compute saved what the map shows */
  g_assert_true (iterate_until (map_drawn, f->page));
  g_assert_true (relief_plot_view_get_frame (view, &frame));
  g_assert_cmpfloat_with_epsilon (frame.xmin, -0.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (frame.xmax, 0.6, 1e-9);
  g_assert_cmpfloat_with_epsilon (frame.ymin, -0.5, 1e-9);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f->page, "range_spin")), 0.5);
  g_assert_cmpstr (range_subtitle (f->page), ==, "Half-width in each direction");
  relief_page_run (RELIEF_PAGE (f->page));
  check_view (f->page, 0);
  g_assert_true (iterate_until (map_drawn, f->page));
  g_assert_true (relief_plot_view_get_frame (view, &frame));
  g_assert_cmpfloat_with_epsilon (frame.xmin, -0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (frame.ymax, 0.5, 1e-9);
}

/* A line with the 3D plot kind is drawn as a curve on the map, and the page says why. */
static void
test_line_in_3d (PageFixture *f, gconstpointer data)
{
  GtkStack *stack = GTK_STACK (child (f->page, "plot_stack"));
  ReliefPlotFrame frame;
  double loss, acc;

  relief_combo_select_enum (ADW_COMBO_ROW (child (f->page, "plot_row")), RELIEF_FIGURE_3D);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "3d");
  relief_combo_select_enum (ADW_COMBO_ROW (child (f->page, "directions_row")), RELIEF_DIRECTIONS_LINE);
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (page_idle, f->page));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "map");
  g_assert_nonnull (strstr (status_text (f->page), "3D needs a 2D surface"));
  g_assert_true (iterate_until (map_drawn, f->page));
  g_assert_true (relief_plot_view_get_frame (RELIEF_PLOT_VIEW (child (f->page, "surface_view")), &frame));
  g_assert_true (relief_landscape_page_value_at (f->page, 1, 0, &loss, &acc));
  g_assert_nonnull (strstr (range_subtitle (f->page), "alpha"));

  /* Back to random directions: the plane in 3D. */
  relief_combo_select_enum (ADW_COMBO_ROW (child (f->page, "directions_row")), RELIEF_DIRECTIONS_RANDOM);
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (page_idle, f->page));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "3d");
}

/* A PCA plane's Compute fits the map to the trajectory, and the Range row says so. */
static void
test_pca_fits_trajectory (PageFixture *f, gconstpointer data)
{
  ReliefPlotFrame frame;
  double loss, acc;

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f->page, "range_spin")), 0.01);
  relief_combo_select_enum (ADW_COMBO_ROW (child (f->page, "directions_row")), RELIEF_DIRECTIONS_PCA);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (child (f->page, "range_spin"))));
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (page_idle, f->page));
  g_assert_true (g_str_has_prefix (range_subtitle (f->page), "A PCA plane spans its trajectory: x"));
  g_assert_true (iterate_until (map_drawn, f->page));
  g_assert_true (relief_plot_view_get_frame (RELIEF_PLOT_VIEW (child (f->page, "surface_view")), &frame));
  /* The whole trajectory lies inside the map (the range asked for was ±0.01), as in the
   * file saved. */
  g_assert_cmpfloat (frame.xmax - frame.xmin, >, 0.02);
  g_assert_true (relief_landscape_page_value_at (f->page, frame.xmin, frame.ymin, &loss, &acc));
  {
    g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "relief", "surfaces", NULL);
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    g_autofree char *path = g_build_filename (dir, g_dir_read_name (d), NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(ReliefSurface) s = relief_surface_load (path, &error);

    g_assert_no_error (error);
    g_assert_cmpint (s->n_proj, >=, 2);
    for (int i = 0; i < s->n_proj; i++)
      {
        g_assert_cmpfloat (s->proj_xcoord[i], >, frame.xmin);
        g_assert_cmpfloat (s->proj_xcoord[i], <, frame.xmax);
        g_assert_cmpfloat (s->proj_ycoord[i], >, frame.ymin);
        g_assert_cmpfloat (s->proj_ycoord[i], <, frame.ymax);
      }
  }
}

/* While another page trains a new run, the map says it is the previous run's; a training
 * that ends without a run takes that back, and a new run set says Compute shows it. */
static void
test_previous_run_marked (PageFixture *f, gconstpointer data)
{
  relief_page_run (RELIEF_PAGE (f->page));
  check_view (f->page, 0);
  relief_page_expect_run (RELIEF_PAGE (f->page), TRUE);
  g_assert_nonnull (strstr (status_text (f->page), "previous run"));
  relief_page_expect_run (RELIEF_PAGE (f->page), FALSE);
  g_assert_null (strstr (status_text (f->page), "previous run"));
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
  g_test_add ("/landscape-page/range-follows-zoom", PageFixture, NULL, page_fixture_setup, test_range_follows_zoom,
              page_fixture_teardown);
  g_test_add ("/landscape-page/line-in-3d", PageFixture, NULL, page_fixture_setup, test_line_in_3d,
              page_fixture_teardown);
  g_test_add ("/landscape-page/pca-fits-trajectory", PageFixture, NULL, page_fixture_setup, test_pca_fits_trajectory,
              page_fixture_teardown);
  g_test_add ("/landscape-page/previous-run-marked", PageFixture, NULL, page_fixture_setup, test_previous_run_marked,
              page_fixture_teardown);
  return g_test_run ();
}

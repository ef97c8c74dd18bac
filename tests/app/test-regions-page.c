/* The linear regions in the window, under a display.  The Train page: its switch draws
 * the regions over the live decision map while a relu net trains (one partition at a
 * time, those overtaken dropped), toggling it mid-training is harmless, the count shown is
 * relief_regions_compute's for the parameters drawn, and a tanh net's switch is off with
 * the reason in its tooltip.  The Regions page: a run trained here (a relu net on a 2D
 * generator, another on a CSV of 8x8 images for the plane through three samples, their
 * thumbnails and classes, one of colour images with none), its regions at the scrubbed
 * checkpoint equal to relief_regions_compute's, the hover readout, the colourings, the
 * figure and data exports (read back), a tanh run's message, a run without checkpoints,
 * Cancel of a wide net's partition; Alt+5 shows it in the window. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-gtk.h"
#include "relief-application.h"
#include "relief-controls.h"
#include "relief-figures.h"
#include "relief-regions-file.h"
#include "relief-regions-page.h"
#include "relief-run-file.h"
#include "relief-train-job.h"
#include "relief-train-page.h"
#include "relief-window.h"

/* ---- Screenshots ---- */

/* With RELIEF_SCREENSHOT_DIR set, the window as drawn now in NAME.png there (what
 * docs/screenshots holds); else nothing. */
static void
screenshot (GtkWidget *window, const char *name)
{
  const char *dir = g_getenv ("RELIEF_SCREENSHOT_DIR");
  g_autofree char *file = NULL, *path = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width, height;

  if (dir == NULL)
    return;
  /* What the last change queued drawn, and the toasts gone (6 s at most). */
  for (int i = 0; i < 350; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node, NULL);
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* ---- Runs ---- */

/* An MLP of the hidden widths given trained for epochs on dataset (NULL: the spiral).
 * snapshot_every < 0: no trajectory snapshots but the end's. */
static char *
train_model (const char *dir, const char *name, const char *dataset, const int *hidden, int n_hidden,
             ReliefActivation activation, int epochs)
{
  ReliefTrainJob job;
  ReliefTrainStatus status;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  relief_train_job_init_defaults (&job);
  if (dataset)
    {
      g_free (job.dataset);
      job.dataset = g_strdup (dataset);
    }
  job.gen.n_samples = 300;
  g_free (job.hidden);
  job.hidden = g_memdup2 (hidden, n_hidden * sizeof (int));
  job.n_hidden = n_hidden;
  job.activation = activation;
  job.train.epochs = epochs;
  job.train.optimizer.lr = 0.02;
  job.backend = RELIEF_BACKEND_CPU;
  job.output = g_strdup (path);
  relief_train_job_run (&job, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, RELIEF_TRAIN_COMPLETED);
  relief_train_job_clear (&job);
  return path;
}

/* A 2-16-16-5 relu net on the spiral of 5 classes, 4 epochs. */
static char *
train_five_classes (const char *dir)
{
  ReliefTrainJob job;
  ReliefTrainStatus status;
  g_autoptr(GError) error = NULL;
  const int hidden[] = { 16, 16 };
  char *path = g_build_filename (dir, "five.h5", NULL);

  relief_train_job_init_defaults (&job);
  job.gen.n_samples = 300;
  job.gen.n_classes = 5;
  g_free (job.hidden);
  job.hidden = g_memdup2 (hidden, sizeof hidden);
  job.n_hidden = G_N_ELEMENTS (hidden);
  job.activation = RELIEF_ACT_RELU;
  job.train.epochs = 4;
  job.train.optimizer.lr = 0.02;
  job.backend = RELIEF_BACKEND_CPU;
  job.output = g_strdup (path);
  relief_train_job_run (&job, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, RELIEF_TRAIN_COMPLETED);
  relief_train_job_clear (&job);
  return path;
}

/* A CSV of 8x8 images (64 features) of 3 classes: a horizontal bar, a vertical bar, a
 * diagonal, each at a random place, with noise; the page shows its samples as thumbnails. */
static char *
write_images_csv (const char *dir)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  char *path = g_build_filename (dir, "bars.csv", NULL);

  for (int j = 0; j < 64; j++)
    g_string_append_printf (text, "p%d,", j);
  g_string_append (text, "label\n");
  for (int i = 0; i < 300; i++)
    {
      int label = i % 3, at = g_rand_int_range (rand, 1, 7);

      for (int j = 0; j < 64; j++)
        {
          int row = j / 8, col = j % 8;
          gboolean on = label == 0 ? row == at : label == 1 ? col == at : row == col;

          g_string_append_printf (text, "%.3f,", (on ? 1.0 : 0.0) + g_rand_double_range (rand, 0, 0.3));
        }
      g_string_append_printf (text, "%d\n", label);
    }
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  return path;
}

/* A CSV of 8x8 colour images (192 features, the three channels of each pixel together) of
 * 2 classes, red or blue blobs: no square grey images, so no thumbnails. */
static char *
write_colour_csv (const char *dir)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  char *path = g_build_filename (dir, "colour.csv", NULL);

  for (int j = 0; j < 192; j++)
    g_string_append_printf (text, "c%d,", j);
  g_string_append (text, "label\n");
  for (int i = 0; i < 120; i++)
    {
      int label = i % 2;

      for (int j = 0; j < 192; j++)
        g_string_append_printf (text, "%.3f,", (j % 3 == 2 * label ? 0.8 : 0.1) + g_rand_double_range (rand, 0, 0.3));
      g_string_append_printf (text, "%d\n", label);
    }
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  return path;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_remove (path);
    }
  g_rmdir (dir);
}

static gboolean
page_idle (gpointer page)
{
  return !relief_page_is_running (RELIEF_PAGE (page));
}

/* ---- The Train page ---- */

static GObject *
train_child (ReliefTrainPage *page, const char *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (page), RELIEF_TYPE_TRAIN_PAGE, id);

  g_assert_nonnull (object);
  return object;
}

static gboolean
regions_while_training (gpointer page)
{
  return relief_train_page_get_regions (page, NULL) != NULL || page_idle (page);
}

static gboolean
regions_idle (gpointer page)
{
  return relief_regions_live_is_idle (relief_train_page_get_regions_live (page));
}

/* Several partitions computed as the training goes, or its end. */
static gboolean
frames_or_idle (gpointer page)
{
  guint computed = 0;

  relief_regions_live_get_counts (relief_train_page_get_regions_live (page), NULL, NULL, &computed, NULL);
  return computed >= 6 || page_idle (page);
}

static gboolean
regions_of_map (gpointer page)
{
  gint64 step = -1, map_step = -2;

  return relief_train_page_get_regions (page, &step) != NULL && relief_train_page_get_map_step (page, &map_step) &&
         step == map_step && regions_idle (page);
}

/* The count the page shows is that of relief_regions_compute on the map's parameters and
 * plane, and the readout says it. */
static void
assert_count_of_map (ReliefTrainPage *train)
{
  const ReliefMlpSpec *spec;
  const float *params;
  g_autoptr(ReliefPlane) plane = NULL;
  g_autoptr(ReliefRegions) direct = NULL;
  g_autoptr(GError) error = NULL;
  const ReliefRegions *shown = relief_train_page_get_regions (train, NULL);
  g_autofree char *count = NULL;

  g_assert_nonnull (shown);
  g_assert_true (relief_train_page_get_map_params (train, &spec, &params, &plane));
  direct = relief_regions_compute (spec, params, plane, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (shown->n_regions, ==, direct->n_regions);
  g_assert_cmpint (shown->n_regions, >, 1);
  count = g_strdup_printf ("%d linear regions", direct->n_regions);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (train_child (train, "readout_label"))), count));
}

/* What an SVG the page exported holds: its width in points and how many paths. */
static void
read_svg (const char *path, double *width, int *n_paths)
{
  g_autofree char *text = NULL;
  const char *at;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  at = strstr (text, "<svg");
  g_assert_nonnull (at);
  at = strstr (at, " width=\"");
  g_assert_nonnull (at);
  *width = g_ascii_strtod (at + strlen (" width=\""), NULL);
  *n_paths = 0;
  for (at = text; (at = strstr (at, "<path")) != NULL; at++)
    (*n_paths)++;
}

/* The Train page's Export figure as an SVG in dir. */
static void
export_train_svg (ReliefTrainPage *train, const char *dir, const char *name, double *width, int *n_paths)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  relief_train_page_export_figure (train, file);
  read_svg (path, width, n_paths);
}

static void
test_train_switch (void)
{
  GtkWidget *window = gtk_window_new ();
  ReliefTrainPage *train = g_object_new (RELIEF_TYPE_TRAIN_PAGE, NULL);
  GtkSwitch *sw = GTK_SWITCH (train_child (train, "regions_switch"));
  GtkWidget *row = GTK_WIDGET (train_child (train, "regions_row"));
  AdwComboRow *activation = ADW_COMBO_ROW (train_child (train, "activation_row"));
  guint offered = 0, dropped = 0, computed = 0, max_in_flight = 0;

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (train));
  gtk_window_present (GTK_WINDOW (window));
  g_object_add_weak_pointer (G_OBJECT (train), (gpointer *) &train);
  relief_combo_select_enum (ADW_COMBO_ROW (train_child (train, "backend_row")), RELIEF_BACKEND_CPU);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (train_child (train, "samples_spin")), 1000);

  /* A tanh net has no linear regions: the switch is off, its tooltip says why. */
  relief_combo_select_enum (activation, RELIEF_ACT_TANH);
  g_assert_false (gtk_widget_get_sensitive (row));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (row), "tanh"));
  relief_combo_select_enum (activation, RELIEF_ACT_RELU);
  g_assert_true (gtk_widget_get_sensitive (row));
  /* On, then tanh chosen: off with it. */
  gtk_switch_set_active (sw, TRUE);
  relief_combo_select_enum (activation, RELIEF_ACT_GELU);
  g_assert_false (gtk_switch_get_active (sw));
  relief_combo_select_enum (activation, RELIEF_ACT_RELU);

  /* On during a training: regions before the end, drawn over the map. */
  gtk_switch_set_active (sw, TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (train_child (train, "epochs_spin")), 3000);
  relief_page_run (RELIEF_PAGE (train));
  g_assert_true (iterate_until (regions_while_training, train));
  g_assert_true (relief_page_is_running (RELIEF_PAGE (train)));
  g_assert_nonnull (relief_train_page_get_regions (train, NULL));
  gtk_widget_queue_draw (GTK_WIDGET (train_child (train, "decision_area")));
  /* Off and on again mid-training, a few times: nothing shown while off, no crash. */
  for (int i = 0; i < 5; i++)
    {
      gtk_switch_set_active (sw, FALSE);
      g_assert_null (relief_train_page_get_regions (train, NULL));
      for (int j = 0; j < 20; j++)
        g_main_context_iteration (NULL, FALSE);
      gtk_switch_set_active (sw, TRUE);
      for (int j = 0; j < 50; j++)
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (1000);
        }
    }
  g_assert_true (iterate_until (frames_or_idle, train));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (train_child (train, "complexity_view"))));
  relief_page_cancel (RELIEF_PAGE (train));
  g_assert_true (iterate_until (page_idle, train));
  /* The end's map: its regions come, of the count relief_regions_compute gives. */
  g_assert_true (iterate_until (regions_of_map, train));
  assert_count_of_map (train);
  relief_regions_live_get_counts (relief_train_page_get_regions_live (train), &offered, &dropped, &computed,
                                  &max_in_flight);
  g_test_message ("regions offered %u, dropped %u, computed %u", offered, dropped, computed);
  g_assert_cmpuint (max_in_flight, ==, 1);
  g_assert_cmpuint (computed, >=, 2);
  g_assert_cmpuint (computed + dropped, <=, offered);

  /* Off after training, then on: the map shown gets its regions again. */
  gtk_switch_set_active (sw, FALSE);
  g_assert_null (relief_train_page_get_regions (train, NULL));
  gtk_switch_set_active (sw, TRUE);
  g_assert_true (iterate_until (regions_of_map, train));
  assert_count_of_map (train);
  /* Exported: the curves, the region counts beside them, and the regions over the map,
   * each region a path of its own; with the switch off, the same without the map. */
  {
    g_autofree char *dir = g_dir_make_tmp ("relief-regions-XXXXXX", NULL);
    int n_regions = relief_train_page_get_regions (train, NULL)->n_regions, paths_on = 0, paths_off = 0;
    double width_on = 0, width_off = 0;

    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (train_child (train, "complexity_view"))));
    export_train_svg (train, dir, "on.svg", &width_on, &paths_on);
    gtk_switch_set_active (sw, FALSE);
    export_train_svg (train, dir, "off.svg", &width_off, &paths_off);
    g_test_message ("exported: %g pt, %d paths with the regions; %g pt, %d paths without", width_on, paths_on,
                    width_off, paths_off);
    g_assert_cmpfloat (width_off, ==, 648 + 324);
    g_assert_cmpfloat (width_on, ==, 648 + 324 + 252);
    g_assert_cmpint (paths_on - paths_off, >=, n_regions);
    gtk_switch_set_active (sw, TRUE);
    g_assert_true (iterate_until (regions_of_map, train));
    if (g_getenv ("RELIEF_SCREENSHOT_DIR"))
      {
        g_autofree char *png = g_build_filename (g_getenv ("RELIEF_SCREENSHOT_DIR"), "train-export.png", NULL);
        g_autoptr(GFile) file = g_file_new_for_path (png);

        relief_train_page_export_figure (train, file);
      }
    remove_tree (dir);
  }
  screenshot (window, "train-regions");
  if (g_getenv ("RELIEF_SCREENSHOT_DIR"))
    {
      gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
      screenshot (window, "train-regions-800x600");
    }

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (train);
}

/* Track complexity on the Train page: the training's rows reach the page as it trains,
 * as many as the run file holds, drawn below the curves; the run opened again shows them. */
static void
test_train_tracks_complexity (void)
{
  GtkWidget *window = gtk_window_new ();
  ReliefTrainPage *train = g_object_new (RELIEF_TYPE_TRAIN_PAGE, NULL);
  g_autoptr(ReliefRun) run = NULL;
  g_autoptr(GError) error = NULL;
  const ReliefComplexityRow *rows;
  guint n = 0;

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (train));
  gtk_window_present (GTK_WINDOW (window));
  g_object_add_weak_pointer (G_OBJECT (train), (gpointer *) &train);
  relief_combo_select_enum (ADW_COMBO_ROW (train_child (train, "backend_row")), RELIEF_BACKEND_CPU);
  relief_combo_select_enum (ADW_COMBO_ROW (train_child (train, "activation_row")), RELIEF_ACT_RELU);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (train_child (train, "samples_spin")), 300);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (train_child (train, "epochs_spin")), 20);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (train_child (train, "complexity_spin")), 40);
  relief_page_run (RELIEF_PAGE (train));
  g_assert_true (iterate_until (page_idle, train));
  run = relief_run_load (relief_train_page_get_run_path (train), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->config.complexity_every, ==, 40);
  g_assert_nonnull (run->complexity);
  rows = relief_train_page_get_complexity (train, &n);
  g_assert_cmpuint (n, ==, run->complexity->n);
  g_assert_cmpuint (n, >=, 3);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (rows[i].step, ==, run->complexity->step[i]);
      g_assert_cmpfloat (rows[i].train, ==, run->complexity->train[i]);
    }
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (train_child (train, "complexity_view"))));

  /* Opened again: the same rows, the setting in its spin button. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (train_child (train, "complexity_spin")), 0);
  g_assert_true (relief_page_open (RELIEF_PAGE (train), relief_train_page_get_run_path (train), RELIEF_FILE_KIND_RUN));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (train_child (train, "complexity_spin"))), ==, 40);
  relief_train_page_get_complexity (train, &n);
  g_assert_cmpuint (n, ==, run->complexity->n);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (train_child (train, "complexity_view"))));
  screenshot (window, "train-complexity");
  /* Exported: the curves and the complexity panel beside them, as the page shows. */
  {
    g_autofree char *dir = g_dir_make_tmp ("relief-regions-XXXXXX", NULL);
    double width = 0;
    int n_paths = 0;

    export_train_svg (train, dir, "complexity.svg", &width, &n_paths);
    g_assert_cmpfloat (width, ==, 648 + 324);
    remove_tree (dir);
  }

  relief_page_cancel (RELIEF_PAGE (train));
  g_assert_true (iterate_until (page_idle, train));
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (train);
}

/* ---- The Regions page ---- */

typedef struct {
  char              *dir, *run_path;
  GtkWidget         *window;
  ReliefRegionsPage *page;
} Fixture;

static GObject *
child (ReliefRegionsPage *page, const char *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (page), RELIEF_TYPE_REGIONS_PAGE, id);

  g_assert_nonnull (object);
  return object;
}

/* A 2-8-8-3 relu net on the spiral, 6 epochs: 7 checkpoints. */
static void
fixture_setup (Fixture *f, gconstpointer data)
{
  const int hidden[] = { 8, 8 };

  f->dir = g_dir_make_tmp ("relief-regions-XXXXXX", NULL);
  f->run_path = train_model (f->dir, "run.h5", NULL, hidden, G_N_ELEMENTS (hidden), RELIEF_ACT_RELU, 6);
  f->window = gtk_window_new ();
  f->page = g_object_new (RELIEF_TYPE_REGIONS_PAGE, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 760);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->page));
  gtk_window_present (GTK_WINDOW (f->window));
  g_object_add_weak_pointer (G_OBJECT (f->page), (gpointer *) &f->page);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  relief_page_cancel (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (page_idle, f->page));
  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (f->page);
  remove_tree (f->dir);
  g_free (f->run_path);
  g_free (f->dir);
}

static gboolean
regions_ready (gpointer page)
{
  return page_idle (page) && relief_regions_page_get_regions (page, NULL, NULL) != NULL;
}

static gboolean
page_drawn (gpointer page)
{
  ReliefPlotFrame frame;

  return relief_regions_page_get_frame (page, &frame);
}

/* The page's partition equals relief_regions_compute's for the run's parameters at the
 * checkpoint shown, on the plane the page reports. */
static void
assert_matches_direct (ReliefRegionsPage *page, const char *run_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRun) run = relief_run_load (run_path, FALSE, &error);
  g_autoptr(ReliefRegions) direct = NULL;
  const ReliefRegionsFile *rf = relief_regions_page_get_file (page);
  int checkpoint = -1;
  gint64 step = -1;
  const ReliefRegions *shown = relief_regions_page_get_regions (page, &checkpoint, &step);

  g_assert_no_error (error);
  g_assert_nonnull (shown);
  g_assert_cmpint (step, ==, run->snapshot_step[checkpoint]);
  direct = relief_regions_compute (run->spec, run->params + (gsize) checkpoint * run->n_params, rf->plane, 0, NULL,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpint (shown->n_regions, ==, direct->n_regions);
  g_assert_cmpint (shown->n_regions, >, 1);
  for (int r = 0; r < direct->n_regions; r++)
    g_assert_cmpint (shown->predicted[r], ==, direct->predicted[r]);
}

static void
scrub (ReliefRegionsPage *page, int checkpoint)
{
  gtk_range_set_value (GTK_RANGE (child (page, "trajectory_scale")), checkpoint);
  g_assert_true (iterate_until (regions_ready, page));
}

/* A run taken up: its last checkpoint at once, on the input plane, the count shown in the
 * status line relief_regions_compute's; scrubbing computes the checkpoint scrubbed. */
static void
test_count_matches (Fixture *f, gconstpointer data)
{
  const ReliefRegions *rg;
  int checkpoint = -1;
  g_autofree char *count = NULL;

  relief_regions_page_set_run (f->page, f->run_path);
  g_assert_true (iterate_until (regions_ready, f->page));
  rg = relief_regions_page_get_regions (f->page, &checkpoint, NULL);
  g_assert_cmpint (checkpoint, ==, 6);
  g_assert_cmpstr (relief_regions_page_get_file (f->page)->plane_kind, ==, "input");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child (f->page, "sample0_row"))));
  assert_matches_direct (f->page, f->run_path);
  count = g_strdup_printf ("%d linear regions", rg->n_regions);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (f->page, "status_label"))), count));
  relief_combo_select_enum (ADW_COMBO_ROW (child (f->page, "color_row")), RELIEF_REGIONS_COLOR_CLASS);
  screenshot (f->window, "regions-input");

  scrub (f->page, 1);
  relief_regions_page_get_regions (f->page, &checkpoint, NULL);
  g_assert_cmpint (checkpoint, ==, 1);
  assert_matches_direct (f->page, f->run_path);
  /* Scrubbed twice in a row: the newest wins. */
  gtk_range_set_value (GTK_RANGE (child (f->page, "trajectory_scale")), 3);
  gtk_range_set_value (GTK_RANGE (child (f->page, "trajectory_scale")), 4);
  g_assert_true (iterate_until (regions_ready, f->page));
  relief_regions_page_get_regions (f->page, &checkpoint, NULL);
  g_assert_cmpint (checkpoint, ==, 4);
  assert_matches_direct (f->page, f->run_path);

  /* Bounds of one's own: the partition of that rectangle. */
  gtk_switch_set_active (GTK_SWITCH (child (f->page, "auto_bounds_switch")), FALSE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f->page, "u_min_spin")), -0.5);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f->page, "u_max_spin")), 0.5);
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (regions_ready, f->page));
  g_assert_cmpfloat (relief_regions_page_get_file (f->page)->plane->umin, ==, -0.5);
  g_assert_cmpfloat (relief_regions_page_get_file (f->page)->plane->umax, ==, 0.5);
  assert_matches_direct (f->page, f->run_path);
}

/* The network's output at plane point (u, v), computed here in float64 from its layers. */
static void
network_logits (const ReliefRun *run, int checkpoint, const ReliefPlane *plane, double u, double v, double *logits)
{
  const ReliefMlpSpec *spec = run->spec;
  const float *params = run->params + (gsize) checkpoint * run->n_params;
  g_autofree double *a = g_new (double, 4096), *b = g_new (double, 4096);

  for (int i = 0; i < spec->sizes[0]; i++)
    a[i] = plane->origin[i] + u * plane->du[i] + v * plane->dv[i];
  for (int l = 0; l < spec->n_layers; l++)
    {
      const float *W = params + relief_mlp_spec_weight_offset (spec, l);
      const float *bias = params + relief_mlp_spec_bias_offset (spec, l);
      int in = spec->sizes[l], out = spec->sizes[l + 1];

      for (int o = 0; o < out; o++)
        {
          double z = bias[o];

          for (int i = 0; i < in; i++)
            z += (double) W[(gsize) o * in + i] * a[i];
          b[o] = l + 1 < spec->n_layers ? MAX (z, 0) : z;
        }
      memcpy (a, b, out * sizeof (double));
    }
  memcpy (logits, a, spec->sizes[spec->n_layers] * sizeof (double));
}

/* The pointer over the plot: the readout names the region under it (relief_regions_find),
 * its active neurons, and the class and logits the network computes there. */
static void
test_hover (Fixture *f, gconstpointer data)
{
  GtkWidget *area = GTK_WIDGET (child (f->page, "regions_area"));
  GtkEventController *motion = find_controller (area, GTK_TYPE_EVENT_CONTROLLER_MOTION);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRun) run = relief_run_load (f->run_path, FALSE, &error);
  const double at[][2] = { { 0.3, 0.4 }, { 0.71, 0.18 }, { 0.5, 0.5 } };
  ReliefPlotFrame frame;

  g_assert_no_error (error);
  relief_regions_page_set_run (f->page, f->run_path);
  g_assert_true (iterate_until (regions_ready, f->page));
  gtk_widget_queue_draw (area);
  g_assert_true (iterate_until (page_drawn, f->page));
  g_assert_true (relief_regions_page_get_frame (f->page, &frame));
  for (guint i = 0; i < G_N_ELEMENTS (at); i++)
    {
      double px = frame.px + at[i][0] * frame.pw, py = frame.py + at[i][1] * frame.ph, u, v, logits[3];
      const ReliefRegions *rg = relief_regions_page_get_regions (f->page, NULL, NULL);
      int checkpoint = 0, r, best = 0;
      g_autofree char *expected = NULL, *readout = NULL;

      relief_regions_page_get_regions (f->page, &checkpoint, NULL);
      g_signal_emit_by_name (motion, "motion", px, py);
      g_assert_true (relief_plot_frame_to_data (&frame, px, py, &u, &v));
      r = relief_regions_find (rg, u, v);
      g_assert_cmpint (r, >=, 0);
      network_logits (run, checkpoint, relief_regions_page_get_file (f->page)->plane, u, v, logits);
      for (int k = 1; k < 3; k++)
        if (logits[k] > logits[best])
          best = k;
      expected = g_strdup_printf ("region %d   %d of %d neurons active   class %d   logits %.3g, %.3g, %.3g", r,
                                  rg->n_active[r], 16, best, logits[0], logits[1], logits[2]);
      readout = relief_regions_page_readout (f->page, u, v);
      g_assert_cmpstr (readout, ==, expected);
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (f->page, "readout_label"))), ==, expected);
    }
  /* Outside the plane nothing. */
  g_assert_null (relief_regions_page_readout (f->page, 1e6, 1e6));

  /* Five classes: the largest three logits, each with its class, largest first. */
  {
    g_autofree char *five = train_five_classes (f->dir);
    g_autoptr(ReliefRun) run5 = relief_run_load (five, FALSE, &error);
    double u = 0.1, v = -0.2, logits[5];
    int order[5] = { 0, 1, 2, 3, 4 }, checkpoint = 0, r;
    const ReliefRegions *rg;
    g_autofree char *expected = NULL, *readout = NULL;

    g_assert_no_error (error);
    relief_regions_page_set_run (f->page, five);
    g_assert_true (iterate_until (regions_ready, f->page));
    rg = relief_regions_page_get_regions (f->page, &checkpoint, NULL);
    g_assert_cmpint (rg->n_outputs, ==, 5);
    r = relief_regions_find (rg, u, v);
    g_assert_cmpint (r, >=, 0);
    network_logits (run5, checkpoint, relief_regions_page_get_file (f->page)->plane, u, v, logits);
    for (int i = 0; i < 5; i++)   /* a naive sort, largest first */
      for (int j = i + 1; j < 5; j++)
        if (logits[order[j]] > logits[order[i]])
          {
            int t = order[i];

            order[i] = order[j], order[j] = t;
          }
    expected = g_strdup_printf ("region %d   %d of %d neurons active   class %d   logits %d: %.3g, %d: %.3g, %d: %.3g "
                                "(top 3)", r, rg->n_active[r], 32, order[0], order[0], logits[order[0]],
                                order[1], logits[order[1]], order[2], logits[order[2]]);
    readout = relief_regions_page_readout (f->page, u, v);
    g_assert_cmpstr (readout, ==, expected);
    relief_regions_page_set_run (f->page, f->run_path);
    g_assert_true (iterate_until (regions_ready, f->page));
    gtk_widget_queue_draw (area);
    g_assert_true (iterate_until (page_drawn, f->page));
  }
  g_signal_emit_by_name (motion, "leave");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (f->page, "readout_label"))), ==, "");

  /* Every colouring draws. */
  for (int c = RELIEF_REGIONS_COLOR_REGION; c <= RELIEF_REGIONS_COLOR_ACTIVE; c++)
    {
      relief_combo_select_enum (ADW_COMBO_ROW (child (f->page, "color_row")), c);
      gtk_widget_queue_draw (area);
      for (int j = 0; j < 20; j++)
        g_main_context_iteration (NULL, FALSE);
      g_assert_true (relief_regions_page_get_frame (f->page, &frame));
    }
}

static int
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  int n = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (const char *c = text; *c; c++)
    n += *c == '\n';
  return n;
}

static void
assert_starts_with (const char *path, const char *prefix)
{
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, prefix));
}

/* The figure as PNG, SVG and PDF; the data as a regions file that loads back equal and
 * as CSV of every polygon's vertices; another ending refused, nothing written. */
static void
test_exports (Fixture *f, gconstpointer data)
{
  g_autofree char *h5 = g_build_filename (f->dir, "regions.h5", NULL);
  g_autofree char *csv = g_build_filename (f->dir, "regions.csv", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "regions.txt", NULL);
  const char *figures[] = { "regions.png", "regions.svg", "regions.pdf" };
  g_autoptr(GError) error = NULL;
  const ReliefRegions *rg;

  relief_regions_page_set_run (f->page, f->run_path);
  g_assert_true (iterate_until (regions_ready, f->page));
  rg = relief_regions_page_get_regions (f->page, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, figures[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);

      relief_regions_page_export_figure (f->page, file);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  {
    g_autofree char *png = g_build_filename (f->dir, "regions.png", NULL);
    g_autofree char *svg = g_build_filename (f->dir, "regions.svg", NULL);
    g_autofree char *pdf = g_build_filename (f->dir, "regions.pdf", NULL);
    cairo_surface_t *image = cairo_image_surface_create_from_png (png);

    g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
    g_assert_cmpint (cairo_image_surface_get_width (image), ==, 1800);   /* 432 pt at 300 dpi */
    cairo_surface_destroy (image);
    assert_starts_with (svg, "<?xml");
    assert_starts_with (pdf, "%PDF");
  }

  g_assert_true (relief_regions_page_export_data (f->page, h5, &error));
  g_assert_no_error (error);
  {
    g_autoptr(ReliefRegionsFile) back = relief_regions_file_load (h5, &error);
    const ReliefRegions *b;

    g_assert_no_error (error);
    g_assert_cmpint (back->n_checkpoints, ==, 1);
    b = back->checkpoints[0].regions;
    g_assert_cmpint (b->n_regions, ==, rg->n_regions);
    for (int r = 0; r < rg->n_regions; r++)
      {
        g_assert_cmpint (b->predicted[r], ==, rg->predicted[r]);
        g_assert_cmpfloat_with_epsilon (relief_regions_polygon_area (b, r), relief_regions_polygon_area (rg, r), 1e-12);
      }
  }
  g_assert_true (relief_regions_page_export_data (f->page, csv, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_lines (csv), ==, 1 + rg->polygon_offsets[rg->n_regions]);
  {
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_auto(GStrv) cells = NULL;
    gint64 v = rg->polygon_vertices[0];

    g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", -1);
    g_assert_cmpstr (lines[0], ==, "region,vertex,u,v,predicted,n_active,pattern");
    cells = g_strsplit (lines[1], ",", -1);
    g_assert_cmpuint (g_strv_length (cells), ==, 7);
    g_assert_cmpstr (cells[0], ==, "0");
    g_assert_cmpfloat (g_ascii_strtod (cells[2], NULL), ==, rg->vertices[2 * v]);
    g_assert_cmpfloat (g_ascii_strtod (cells[3], NULL), ==, rg->vertices[2 * v + 1]);
    g_assert_cmpint (atoi (cells[4]), ==, rg->predicted[0]);
    g_assert_cmpint (atoi (cells[5]), ==, rg->n_active[0]);
    g_assert_cmpuint (strlen (cells[6]), ==, 2 * rg->pattern_bytes);
  }
  g_assert_false (relief_regions_page_export_data (f->page, bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));

  /* The regions file opens on the page. */
  relief_regions_page_set_run (f->page, NULL);
  g_assert_null (relief_regions_page_get_regions (f->page, NULL, NULL));
  g_assert_true (relief_page_open (RELIEF_PAGE (f->page), h5, RELIEF_FILE_KIND_REGIONS));
  g_assert_cmpint (relief_regions_page_get_regions (f->page, NULL, NULL)->n_regions, ==,
                   relief_regions_file_load (h5, NULL)->checkpoints[0].regions->n_regions);
}

/* A tanh net: a message why it has no regions, no Compute; a run without checkpoints too. */
static void
test_messages (Fixture *f, gconstpointer data)
{
  const int hidden[] = { 8 };
  g_autofree char *tanh_run = train_model (f->dir, "tanh.h5", NULL, hidden, 1, RELIEF_ACT_TANH, 2);
  g_autofree char *empty = g_build_filename (f->dir, "empty.h5", NULL);
  g_autoptr(GError) error = NULL;

  relief_regions_page_set_run (f->page, tanh_run);
  g_assert_true (iterate_until (page_idle, f->page));
  g_assert_null (relief_regions_page_get_regions (f->page, NULL, NULL));
  g_assert_nonnull (relief_regions_page_get_message (f->page));
  g_assert_nonnull (strstr (relief_regions_page_get_message (f->page), "tanh"));
  g_assert_nonnull (strstr (relief_regions_page_get_message (f->page), "no linear regions"));
  /* Compute is off: nothing starts. */
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_false (relief_page_is_running (RELIEF_PAGE (f->page)));

  {
    g_autoptr(ReliefRun) run = relief_run_load (f->run_path, TRUE, &error);
    ReliefRunWriter *w;

    g_assert_no_error (error);
    w = relief_run_writer_new (empty, run->spec, &run->config, "cpu", run->dataset, &error);
    g_assert_no_error (error);
    g_assert_true (relief_run_writer_finish (w, "cancelled", &error));
    g_assert_no_error (error);
  }
  relief_regions_page_set_run (f->page, empty);
  g_assert_true (iterate_until (page_idle, f->page));
  g_assert_null (relief_regions_page_get_regions (f->page, NULL, NULL));
  g_assert_nonnull (strstr (relief_regions_page_get_message (f->page), "no checkpoints"));

  /* A relu run again: regions, no message. */
  relief_regions_page_set_run (f->page, f->run_path);
  g_assert_true (iterate_until (regions_ready, f->page));
  g_assert_null (relief_regions_page_get_message (f->page));
}

/* 64 inputs: the plane through three training samples of different classes (their
 * thumbnails shown), the count relief_regions_compute's; other samples chosen, Compute puts
 * the plane through them; a sample out of range is refused in the status line. */
static void
test_sample_plane (Fixture *f, gconstpointer data)
{
  g_autofree char *csv = write_images_csv (f->dir);
  const int hidden[] = { 24, 24 };
  g_autofree char *run_path = train_model (f->dir, "bars.h5", csv, hidden, 2, RELIEF_ACT_RELU, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRun) run = relief_run_load (run_path, TRUE, &error);
  const ReliefRegionsFile *rf;

  g_assert_no_error (error);
  relief_regions_page_set_run (f->page, run_path);
  g_assert_true (iterate_until (regions_ready, f->page));
  rf = relief_regions_page_get_file (f->page);
  g_assert_cmpstr (rf->plane_kind, ==, "samples");
  g_assert_cmpint (run->dataset->y_train[rf->plane_samples[0]], !=, run->dataset->y_train[rf->plane_samples[1]]);
  g_assert_cmpint (run->dataset->y_train[rf->plane_samples[1]], !=, run->dataset->y_train[rf->plane_samples[2]]);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child (f->page, "sample0_row"))));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child (f->page, "sample0_picture"))));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (f->page, "sample1_spin"))), ==,
                   rf->plane_samples[1]);
  assert_matches_direct (f->page, run_path);
  /* Each row says its sample's class under its thumbnail. */
  for (int i = 0; i < 3; i++)
    {
      const char *rows[] = { "sample0_row", "sample1_row", "sample2_row" };
      g_autofree char *want = g_strdup_printf ("Sample %d, class %d", rf->plane_samples[i],
                                               run->dataset->y_train[rf->plane_samples[i]]);

      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f->page, rows[i]))), ==, want);
    }

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f->page, "sample0_spin")), 10);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f->page, "sample1_spin")), 11);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f->page, "sample2_spin")), 12);
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (regions_ready, f->page));
  rf = relief_regions_page_get_file (f->page);
  g_assert_cmpint (rf->plane_samples[0], ==, 10);
  g_assert_cmpint (rf->plane_samples[2], ==, 12);
  for (int i = 0; i < 64; i++)
    g_assert_cmpfloat (rf->plane->origin[i], ==, run->dataset->x_train[10 * 64 + i]);
  assert_matches_direct (f->page, run_path);
  screenshot (f->window, "regions-samples");

  /* Two samples the same: refused with the reason, the regions shown kept. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f->page, "sample1_spin")), 10);
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (page_idle, f->page));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (f->page, "status_label"))), "three different samples"));
  g_assert_cmpint (relief_regions_page_get_file (f->page)->plane_samples[1], ==, 11);
}

/* 8x8 colour images (192 features): the plane through three of them, no thumbnails (they
 * are no square grey images), each row saying its sample and class instead; a sample
 * chosen says its own at once. */
static void
test_colour_samples (Fixture *f, gconstpointer data)
{
  g_autofree char *csv = write_colour_csv (f->dir);
  const int hidden[] = { 8 };
  g_autofree char *run_path = train_model (f->dir, "colour.h5", csv, hidden, 1, RELIEF_ACT_RELU, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRun) run = relief_run_load (run_path, TRUE, &error);
  const char *rows[] = { "sample0_row", "sample1_row", "sample2_row" };
  const char *pictures[] = { "sample0_picture", "sample1_picture", "sample2_picture" };
  const ReliefRegionsFile *rf;

  g_assert_no_error (error);
  relief_regions_page_set_run (f->page, run_path);
  g_assert_true (iterate_until (regions_ready, f->page));
  rf = relief_regions_page_get_file (f->page);
  g_assert_cmpstr (rf->plane_kind, ==, "samples");
  for (int i = 0; i < 3; i++)
    {
      int s = rf->plane_samples[i];
      g_autofree char *want = g_strdup_printf ("Sample %d, class %d (192 features: no picture", s,
                                               run->dataset->y_train[s]);
      const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f->page, rows[i])));

      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child (f->page, rows[i]))));
      g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child (f->page, pictures[i]))));
      g_assert_true (g_str_has_prefix (subtitle, want));
    }
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f->page, "sample0_spin")), 7);
  {
    g_autofree char *want = g_strdup_printf ("Sample 7, class %d (", run->dataset->y_train[7]);

    g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f->page, "sample0_row"))),
                                     want));
  }
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child (f->page, "sample0_picture"))));
}

static gboolean
status_says_cancelled (gpointer page)
{
  return page_idle (page) &&
         g_str_has_prefix (gtk_label_get_text (GTK_LABEL (child (page, "status_label"))), "Cancelled");
}

/* A 2-256-256-2 net, whose partition takes long enough (many thousands of regions) for
 * Cancel to come while it is computed: Cancel stops the job, the page says so and keeps
 * the regions shown, and Compute works again; a Cancel before any regions says that. */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  const int hidden[] = { 256, 256 };
  g_autofree char *run_path = train_model (f->dir, "wide.h5", NULL, hidden, 2, RELIEF_ACT_RELU, 2);
  const ReliefRegions *before, *after;
  int checkpoint = -1;

  relief_regions_page_set_run (f->page, run_path);
  g_assert_true (iterate_until (regions_ready, f->page));
  before = relief_regions_page_get_regions (f->page, &checkpoint, NULL);
  g_assert_cmpint (checkpoint, ==, 2);
  g_assert_cmpint (before->n_regions, >, 1000);

  /* A scrub starts the next; Cancel at once. */
  gtk_range_set_value (GTK_RANGE (child (f->page, "trajectory_scale")), 0);
  g_assert_true (relief_page_is_running (RELIEF_PAGE (f->page)));
  relief_page_cancel (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (status_says_cancelled, f->page));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (f->page, "status_label"))), "regions shown are kept"));
  after = relief_regions_page_get_regions (f->page, &checkpoint, NULL);
  g_assert_true (after == before);
  g_assert_cmpint (checkpoint, ==, 2);
  g_assert_true (iterate_until (page_drawn, f->page));

  /* Still usable: Compute computes the checkpoint scrubbed. */
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (regions_ready, f->page));
  relief_regions_page_get_regions (f->page, &checkpoint, NULL);
  g_assert_cmpint (checkpoint, ==, 0);
  assert_matches_direct (f->page, run_path);

  /* Cancelled before any regions: said so, none shown, and Compute computes them. */
  relief_regions_page_set_run (f->page, run_path);
  g_assert_true (relief_page_is_running (RELIEF_PAGE (f->page)));
  relief_page_cancel (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (status_says_cancelled, f->page));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (f->page, "status_label"))), "before the regions"));
  g_assert_null (relief_regions_page_get_regions (f->page, NULL, NULL));
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (regions_ready, f->page));
  relief_regions_page_get_regions (f->page, &checkpoint, NULL);
  g_assert_cmpint (checkpoint, ==, 2);
}

/* ---- In the window ---- */

typedef struct {
  ReliefRegionsPage *page;
  const char        *run_path;
} RunWait;

static gboolean
run_taken_up (gpointer data)
{
  RunWait *r = data;
  const ReliefRegionsFile *rf = relief_regions_page_get_file (r->page);

  return regions_ready (r->page) && g_strcmp0 (rf->run_file, r->run_path) == 0;
}

/* Alt+5 shows the Regions page; a run another page made is taken up there. */
static void
test_in_window (void)
{
  g_autofree char *dir = g_dir_make_tmp ("relief-regions-XXXXXX", NULL);
  g_autofree char *csv = write_images_csv (dir);
  const int hidden[] = { 32, 32 };
  g_autofree char *run_path = train_model (dir, "bars-32-32.h5", csv, hidden, 2, RELIEF_ACT_RELU, 20);
  g_autoptr(GError) error = NULL;
  ReliefApplication *app = relief_application_new ();
  ReliefWindow *window;
  ReliefPage *regions, *train;
  GtkWidget *stack;
  g_auto(GStrv) actions = NULL;
  RunWait wait;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = relief_window_new (GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (window));
  regions = relief_window_get_page (window, "regions");
  train = relief_window_get_page (window, "train");
  g_assert_nonnull (regions);
  stack = gtk_widget_get_ancestor (GTK_WIDGET (regions), ADW_TYPE_VIEW_STACK);
  actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "<Alt>5");
  g_assert_cmpuint (g_strv_length (actions), ==, 1);
  g_assert_cmpstr (actions[0], ==, "win.show-page(4)");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "i", 4));
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == GTK_WIDGET (regions));

  relief_page_cancel (train);
  g_assert_true (iterate_until (page_idle, train));
  relief_page_run_ready (train, run_path);
  wait = (RunWait) { RELIEF_REGIONS_PAGE (regions), run_path };
  g_assert_true (iterate_until (run_taken_up, &wait));
  screenshot (GTK_WIDGET (window), "regions-page");
  if (g_getenv ("RELIEF_SCREENSHOT_DIR"))
    {
      g_autofree char *figure = g_build_filename (g_getenv ("RELIEF_SCREENSHOT_DIR"), "regions-figure.png", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (figure);
      GtkWidget *area = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (regions), RELIEF_TYPE_REGIONS_PAGE, "regions_area");
      GtkEventController *motion = find_controller (area, GTK_TYPE_EVENT_CONTROLLER_MOTION);
      ReliefPlotFrame frame;

      relief_regions_page_export_figure (RELIEF_REGIONS_PAGE (regions), file);
      g_assert_true (relief_regions_page_get_frame (RELIEF_REGIONS_PAGE (regions), &frame));
      g_signal_emit_by_name (motion, "motion", frame.px + 0.4 * frame.pw, frame.py + 0.6 * frame.ph);
      gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
      screenshot (GTK_WIDGET (window), "regions-800x600");
    }

  /* A regions file opened in the window shows on this page, from another page. */
  {
    g_autofree char *h5 = g_build_filename (dir, "bars-regions.h5", NULL);
    int n = relief_regions_page_get_regions (RELIEF_REGIONS_PAGE (regions), NULL, NULL)->n_regions;

    g_assert_true (relief_regions_page_export_data (RELIEF_REGIONS_PAGE (regions), h5, &error));
    g_assert_no_error (error);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "i", 0));
    relief_regions_page_set_run (RELIEF_REGIONS_PAGE (regions), NULL);
    g_assert_true (relief_window_open_file (window, h5));
    g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == GTK_WIDGET (regions));
    g_assert_cmpint (relief_regions_page_get_regions (RELIEF_REGIONS_PAGE (regions), NULL, NULL)->n_regions, ==, n);
  }

  /* The other pages took it up as well; stop them before closing. */
  for (guint i = 0; i < 5; i++)
    {
      const char *names[] = { "train", "landscape", "dimension", "spectra", "regions" };
      ReliefPage *page = relief_window_get_page (window, names[i]);

      relief_page_cancel (page);
      g_assert_true (iterate_until (page_idle, page));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (app);
  remove_tree (dir);
}

/* With RELIEF_SCREENSHOT_DIR and RELIEF_SCREENSHOT_MNIST_RUN (a relu MLP trained on
 * MNIST, relief train --dataset mnist) set: the run opened in the window, its regions on
 * the plane through three images, their thumbnails and classes in the sidebar, drawn in
 * regions-mnist.png; the partition's times (five more Computes) in the test's log. Else skipped: the test
 * environment has no MNIST. */
static void
test_mnist_screenshot (void)
{
  const char *run_path = g_getenv ("RELIEF_SCREENSHOT_MNIST_RUN");
  g_autoptr(GError) error = NULL;
  ReliefApplication *app;
  ReliefWindow *window;
  ReliefPage *regions;
  const ReliefRegionsFile *rf;
  RunWait wait;

  if (g_getenv ("RELIEF_SCREENSHOT_DIR") == NULL || run_path == NULL)
    {
      g_test_skip ("RELIEF_SCREENSHOT_DIR and RELIEF_SCREENSHOT_MNIST_RUN not set");
      return;
    }
  app = relief_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = relief_window_new (GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (window));
  regions = relief_window_get_page (window, "regions");
  relief_page_cancel (relief_window_get_page (window, "train"));
  g_assert_true (iterate_until (page_idle, relief_window_get_page (window, "train")));
  g_assert_true (relief_window_open_file (window, run_path));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "i", 4));
  wait = (RunWait) { RELIEF_REGIONS_PAGE (regions), run_path };
  g_assert_true (iterate_until (run_taken_up, &wait));
  rf = relief_regions_page_get_file (RELIEF_REGIONS_PAGE (regions));
  g_assert_cmpstr (rf->plane_kind, ==, "samples");
  g_test_message ("%s", gtk_label_get_text (GTK_LABEL (gtk_widget_get_template_child (
                          GTK_WIDGET (regions), RELIEF_TYPE_REGIONS_PAGE, "status_label"))));
  {
    GtkWidget *area = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (regions), RELIEF_TYPE_REGIONS_PAGE,
                                                                   "regions_area");
    GtkEventController *motion = find_controller (area, GTK_TYPE_EVENT_CONTROLLER_MOTION);
    ReliefPlotFrame frame;

    g_assert_true (iterate_until (page_drawn, regions));
    g_assert_true (relief_regions_page_get_frame (RELIEF_REGIONS_PAGE (regions), &frame));
    g_signal_emit_by_name (motion, "motion", frame.px + 0.35 * frame.pw, frame.py + 0.45 * frame.ph);
  }
  screenshot (GTK_WIDGET (window), "regions-mnist");
  /* Computed again a few times: the times the status line says, for the log. */
  for (int i = 0; i < 5; i++)
    {
      relief_page_run (regions);
      g_assert_true (iterate_until (regions_ready, regions));
      g_test_message ("again: %s", gtk_label_get_text (GTK_LABEL (gtk_widget_get_template_child (
                                     GTK_WIDGET (regions), RELIEF_TYPE_REGIONS_PAGE, "status_label"))));
    }
  for (guint i = 0; i < 5; i++)
    {
      const char *names[] = { "train", "landscape", "dimension", "spectra", "regions" };
      ReliefPage *page = relief_window_get_page (window, names[i]);

      relief_page_cancel (page);
      g_assert_true (iterate_until (page_idle, page));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (app);
}

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (!test_gtk_display ())
    return 77;
  adw_init ();
  g_type_class_unref (g_type_class_ref (RELIEF_TYPE_APPLICATION));
  g_test_add_func ("/regions/train-switch", test_train_switch);
  g_test_add_func ("/regions/train-tracks-complexity", test_train_tracks_complexity);
  ADD ("/regions-page/count-matches", test_count_matches);
  ADD ("/regions-page/hover", test_hover);
  ADD ("/regions-page/exports", test_exports);
  ADD ("/regions-page/messages", test_messages);
  ADD ("/regions-page/sample-plane", test_sample_plane);
  ADD ("/regions-page/colour-samples", test_colour_samples);
  ADD ("/regions-page/cancel", test_cancel);
  g_test_add_func ("/regions-page/in-window", test_in_window);
  g_test_add_func ("/regions-page/mnist-screenshot", test_mnist_screenshot);
  return g_test_run ();
}

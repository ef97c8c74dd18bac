/* The linear regions in the window, under a display.  The Train page: its switch draws
 * the regions over the live decision map while a relu net trains (one partition at a
 * time, those overtaken dropped), toggling it mid-training is harmless, the count shown is
 * relief_regions_compute's for the parameters drawn, and a tanh net's switch is off with
 * the reason in its tooltip.  The Regions page: a run trained here (a relu net on a 2D
 * generator, another on a 6-feature CSV for the plane through three samples), its regions
 * at the scrubbed checkpoint equal to relief_regions_compute's, the hover readout, the
 * colourings, the figure and data exports (read back), a tanh run's message, a run without
 * checkpoints; Alt+5 shows it in the window. */
#pragma GCC diagnostic ignored "-Wunused-function" /* TEMP */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-gtk.h"
#include "relief-application.h"
#include "relief-controls.h"
#include "relief-figures.h"
#include "relief-regions-file.h"
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

/* A CSV of 6 features and 3 classes: three gaussian blobs. */
static char *
write_blobs_csv (const char *dir)
{
  g_autoptr(GString) text = g_string_new ("f0,f1,f2,f3,f4,f5,label\n");
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  char *path = g_build_filename (dir, "blobs.csv", NULL);

  for (int i = 0; i < 240; i++)
    {
      int label = i % 3;

      for (int j = 0; j < 6; j++)
        g_string_append_printf (text, "%.4f,", (j % 3 == label ? 2.0 : 0.0) + g_rand_double_range (rand, -0.7, 0.7));
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
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (train_child (train, "samples_spin")), 300);

  /* A tanh net has no linear regions: the switch is off, its tooltip says why. */
  relief_combo_select_enum (activation, RELIEF_ACT_TANH);
  g_assert_false (gtk_widget_get_sensitive (row));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (row), "tanh"));
  relief_combo_select_enum (activation, RELIEF_ACT_RELU);
  g_assert_true (gtk_widget_get_sensitive (row));

  /* On during a training: regions before the end, drawn over the map. */
  gtk_switch_set_active (sw, TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (train_child (train, "epochs_spin")), 400);
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
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (train_child (train, "complexity_view"))));
  relief_page_cancel (RELIEF_PAGE (train));
  g_assert_true (iterate_until (page_idle, train));
  /* The end's map: its regions come, of the count relief_regions_compute gives. */
  g_assert_true (iterate_until (regions_of_map, train));
  assert_count_of_map (train);
  relief_regions_live_get_counts (relief_train_page_get_regions_live (train), &offered, &dropped, &computed,
                                  &max_in_flight);
  g_assert_cmpuint (max_in_flight, ==, 1);
  g_assert_cmpuint (computed, >=, 2);
  g_assert_cmpuint (computed + dropped, <=, offered);

  /* Off after training, then on: the map shown gets its regions again. */
  gtk_switch_set_active (sw, FALSE);
  g_assert_null (relief_train_page_get_regions (train, NULL));
  gtk_switch_set_active (sw, TRUE);
  g_assert_true (iterate_until (regions_of_map, train));
  assert_count_of_map (train);
  screenshot (window, "train-regions");

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (train);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (!test_gtk_display ())
    return 77;
  adw_init ();
  g_type_class_unref (g_type_class_ref (RELIEF_TYPE_APPLICATION));
  g_test_add_func ("/regions/train-switch", test_train_switch);
  return g_test_run ();
}

/* The Lesson page under a display: a race plays on the frame clock (its steps advance),
 * pauses (they do not), steps exactly one and starts over; a bad expression is shown at
 * its column; presentation mode draws at the larger scale over the whole window, and its
 * keys (space, Right, r, a number, Escape) drive the lesson; a saved lesson reopens as it
 * was saved; the playground trains step by step and plays; the shipped lessons open; and
 * the window shows the page by position. */
#include <adwaita.h>
#include <gif_lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test-gtk.h"
#include "relief-application.h"
#include "relief-lesson-page.h"
#include "relief-window.h"

typedef struct {
  GtkWidget        *window;
  ReliefLessonPage *page;
  char             *dir;
} Fixture;

static gpointer
child (ReliefLessonPage *page, const char *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (page), RELIEF_TYPE_LESSON_PAGE, name);
}

/* The main loop for about ms milliseconds. */
static void
iterate_for (int ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

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
  for (int i = 0; i < 100; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  /* A window between two frames has nothing to snapshot: the next frame. */
  for (int i = 0; node == NULL && i < 50; i++)
    {
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        iterate_for (100);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node, NULL);
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("relief-lesson-page-XXXXXX", NULL);
  f->window = gtk_window_new ();
  f->page = g_object_new (RELIEF_TYPE_LESSON_PAGE, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 760);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->page));
  gtk_window_present (GTK_WINDOW (f->window));
  g_object_add_weak_pointer (G_OBJECT (f->page), (gpointer *) &f->page);
  iterate_for (100);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (f->page);
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static gboolean
race_moved (gpointer data)
{
  return relief_lesson_page_get_race_steps (data) >= 5;
}

static void
test_race_plays (Fixture *f, gconstpointer data)
{
  gint64 paused_at;

  g_assert_cmpint (relief_lesson_page_get_race_steps (f->page), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lesson.play", NULL));
  g_assert_true (relief_lesson_page_is_playing (f->page));
  g_assert_true (iterate_until (race_moved, f->page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lesson.play", NULL));
  g_assert_false (relief_lesson_page_is_playing (f->page));
  paused_at = relief_lesson_page_get_race_steps (f->page);
  iterate_for (300);
  g_assert_cmpint (relief_lesson_page_get_race_steps (f->page), ==, paused_at);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lesson.step", NULL));
  g_assert_cmpint (relief_lesson_page_get_race_steps (f->page), ==, paused_at + 1);
  iterate_for (100);
  g_assert_cmpint (relief_lesson_page_get_race_steps (f->page), ==, paused_at + 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lesson.reset", NULL));
  g_assert_cmpint (relief_lesson_page_get_race_steps (f->page), ==, 0);
  g_assert_false (relief_lesson_page_is_playing (f->page));
}

static void
test_bad_expression (Fixture *f, gconstpointer data)
{
  AdwComboRow *function_row = child (f->page, "function_row");
  GtkEditable *expression = child (f->page, "expression_row");
  GtkLabel *error = child (f->page, "expression_error");
  guint custom = g_list_model_get_n_items (adw_combo_row_get_model (function_row)) - 1;

  gtk_editable_set_text (expression, "x^2 + )");
  adw_combo_row_set_selected (function_row, custom);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (expression)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error)));
  g_assert_nonnull (strstr (gtk_label_get_text (error), "column 7"));
  /* The caret under the ')'. */
  g_assert_nonnull (strstr (gtk_label_get_text (error), "\nx^2 + )\n      ^"));
  relief_lesson_page_step (f->page);
  g_assert_cmpint (relief_lesson_page_get_race_steps (f->page), ==, 0);
  /* Not saved while it would not open again. */
  {
    g_autofree char *path = g_build_filename (f->dir, "bad-expression" RELIEF_LESSON_SUFFIX, NULL);
    g_autoptr(GError) save_error = NULL;

    g_assert_false (relief_lesson_page_save_lesson (f->page, path, &save_error));
    g_assert_nonnull (strstr (save_error->message, "[Race] expression: column 7"));
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
  gtk_editable_set_text (expression, "(x - 1)^2 + 2*(y + 0.5)^2");
  g_signal_emit_by_name (expression, "apply");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error)));
  relief_lesson_page_step (f->page);
  g_assert_cmpint (relief_lesson_page_get_race_steps (f->page), ==, 1);
}

/* The lesson's keys: a controller on the page's window (in the capture phase, so that it
 * sees every key whatever has the focus). */
static GtkEventController *
lesson_keys (ReliefLessonPage *page)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (page))));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (c), "relief-lesson-keys") == 0)
        {
          g_assert_cmpint (gtk_event_controller_get_propagation_phase (c), ==, GTK_PHASE_CAPTURE);
          return c;
        }
    }
  return NULL;
}

static gboolean
key (ReliefLessonPage *page, guint keyval)
{
  GtkEventController *keys = lesson_keys (page);
  gboolean handled = FALSE;

  g_assert_nonnull (keys);
  g_signal_emit_by_name (keys, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
  return handled;
}

static void
test_presentation (Fixture *f, gconstpointer data)
{
  GtkWidget *map = child (f->page, "map_area");
  GtkWidget *sidebar = child (f->page, "sidebar");
  g_autoptr(GError) error = NULL;
  int width_before, width_after;
  double scale = 0;
  AdwComboRow *function_row = child (f->page, "function_row");
  guint function_before;

  g_assert_true (relief_lesson_page_load_shipped (f->page, "ravine-and-momentum", &error));
  g_assert_no_error (error);
  iterate_for (100);
  width_before = gtk_widget_get_width (map);
  /* Outside presentation mode the keys are the controls' own. */
  g_assert_false (key (f->page, GDK_KEY_space));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lesson.present", NULL));
  g_object_get (f->page, "scale", &scale, NULL);
  g_assert_cmpfloat (scale, ==, RELIEF_LESSON_PRESENTATION_SCALE);
  g_assert_true (relief_lesson_page_get_presenting (f->page));
  g_assert_false (gtk_widget_get_visible (sidebar));
  iterate_for (300);
  width_after = gtk_widget_get_width (map);
  g_assert_cmpint (width_after, >, width_before);

  g_assert_true (key (f->page, GDK_KEY_space));
  g_assert_true (relief_lesson_page_is_playing (f->page));
  g_assert_true (iterate_until (race_moved, f->page));
  g_assert_true (key (f->page, GDK_KEY_space));
  g_assert_false (relief_lesson_page_is_playing (f->page));
  {
    gint64 at = relief_lesson_page_get_race_steps (f->page);

    g_assert_true (key (f->page, GDK_KEY_Right));
    g_assert_cmpint (relief_lesson_page_get_race_steps (f->page), ==, at + 1);
  }
  g_assert_true (key (f->page, GDK_KEY_r));
  g_assert_cmpint (relief_lesson_page_get_race_steps (f->page), ==, 0);
  /* 2: the ravine's second preset, kappa 100. */
  function_before = adw_combo_row_get_selected (function_row);
  g_assert_true (key (f->page, GDK_KEY_2));
  {
    g_autoptr(ReliefLesson) shown = relief_lesson_page_get_lesson (f->page);

    g_assert_cmpfloat_with_epsilon (shown->race.kappa, 100, 1e-9);
    g_assert_cmpfloat_with_epsilon (shown->race.racers[0].lr, 0.019, 1e-12);
  }
  g_assert_cmpuint (adw_combo_row_get_selected (function_row), ==, function_before);
  g_assert_true (relief_lesson_page_get_presenting (f->page));
  g_assert_true (key (f->page, GDK_KEY_Escape));
  g_assert_false (relief_lesson_page_get_presenting (f->page));
  g_object_get (f->page, "scale", &scale, NULL);
  g_assert_cmpfloat (scale, ==, 1.0);
  g_assert_true (gtk_widget_get_visible (sidebar));
}

static void
test_save_reopen (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "saved" RELIEF_LESSON_SUFFIX, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLesson) shown = NULL;
  g_autoptr(ReliefLesson) reopened = NULL;
  g_autofree char *a = NULL, *b = NULL;
  ReliefLessonPage *other;

  g_assert_true (relief_lesson_page_load_shipped (f->page, "saddle", &error));
  g_assert_no_error (error);
  /* Changed on the page: one more racer, a learning rate, the start, a deeper network. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lesson.add-racer", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lesson.add-layer", NULL));
  shown = relief_lesson_page_get_lesson (f->page);
  g_assert_cmpint (shown->race.n_racers, ==, 5);
  g_assert_cmpint (shown->playground.n_layers, ==, 2);
  g_assert_true (relief_lesson_page_save_lesson (f->page, path, &error));
  g_assert_no_error (error);

  other = g_object_ref_sink (g_object_new (RELIEF_TYPE_LESSON_PAGE, NULL));
  g_assert_true (relief_lesson_page_open_lesson (other, path, &error));
  g_assert_no_error (error);
  reopened = relief_lesson_page_get_lesson (other);
  a = relief_lesson_to_data (shown, NULL);
  b = relief_lesson_to_data (reopened, NULL);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpint (reopened->n_presets, ==, 2);
  g_object_unref (other);

  /* A bad file is refused and the page keeps what it showed. */
  {
    g_autofree char *bad = g_build_filename (f->dir, "bad" RELIEF_LESSON_SUFFIX, NULL);
    g_autoptr(ReliefLesson) still = NULL;
    g_autofree char *c = NULL;

    g_assert_true (g_file_set_contents (bad, "[Lesson]\nmode=race\n[Racer 1]\noptimizer=gd\nlr=0\n", -1, NULL));
    g_assert_false (relief_lesson_page_open_lesson (f->page, bad, &error));
    g_assert_nonnull (strstr (error->message, "bad.relief-lesson:5: [Racer 1] lr: "));
    still = relief_lesson_page_get_lesson (f->page);
    c = relief_lesson_to_data (still, NULL);
    g_assert_cmpstr (c, ==, a);
  }
}

/* The wheel zooms the race's view about the pointer, the zoom function about its point;
 * the view is saved and reopens; Reset view goes back to the lesson's. */
static void
test_zoom (Fixture *f, gconstpointer data)
{
  GtkWidget *map = child (f->page, "map_area");
  g_autofree char *path = g_build_filename (f->dir, "zoomed" RELIEF_LESSON_SUFFIX, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLesson) reopened = NULL;
  double home[4], v[4], w[4];
  gboolean handled = FALSE;
  ReliefLessonPage *other;

  g_assert_true (relief_lesson_page_load_shipped (f->page, "saddle", &error));
  g_assert_no_error (error);
  iterate_for (200);
  relief_lesson_page_get_view (f->page, home);

  /* A wheel notch up with the pointer over the map: a view 1/1.2 the size, inside the
   * old one, about a point p1 inside it (the one under the pointer). */
  {
    GtkEventController *motion = find_controller (map, GTK_TYPE_EVENT_CONTROLLER_MOTION);
    GtkEventController *scroll = find_controller (map, GTK_TYPE_EVENT_CONTROLLER_SCROLL);
    double s = 1 / 1.2, p1[2], p2;

    g_signal_emit_by_name (motion, "motion", 0.25 * gtk_widget_get_width (map), 0.3 * gtk_widget_get_height (map));
    g_signal_emit_by_name (scroll, "scroll", 0.0, -1.0, &handled);
    g_assert_true (handled);
    relief_lesson_page_get_view (f->page, v);
    g_assert_cmpfloat_with_epsilon ((v[1] - v[0]) / (home[1] - home[0]), s, 1e-12);
    g_assert_cmpfloat_with_epsilon ((v[3] - v[2]) / (home[3] - home[2]), s, 1e-12);
    p1[0] = (v[0] - s * home[0]) / (1 - s);
    p1[1] = (v[2] - s * home[2]) / (1 - s);
    g_assert_cmpfloat (p1[0], >, home[0]);
    g_assert_cmpfloat (p1[0], <, home[1]);
    /* The pointer near the top: the point in the upper half. */
    g_assert_cmpfloat (p1[1], >, 0.5 * (home[2] + home[3]));
    g_assert_cmpfloat (p1[1], <, home[3]);
    /* A notch down with the pointer further left: the old size again, about a point
     * further left. */
    g_signal_emit_by_name (motion, "motion", 0.1 * gtk_widget_get_width (map), 0.3 * gtk_widget_get_height (map));
    g_signal_emit_by_name (scroll, "scroll", 0.0, 1.0, &handled);
    relief_lesson_page_get_view (f->page, w);
    g_assert_cmpfloat_with_epsilon ((w[1] - w[0]) / (home[1] - home[0]), 1, 1e-12);
    p2 = (w[0] - 1.2 * v[0]) / (1 - 1.2);
    g_assert_cmpfloat (p2, <, p1[0]);
    memcpy (v, w, sizeof v);
  }

  /* Halved about (1, -0.5): that point keeps its place. */
  relief_lesson_page_zoom (f->page, 0.5, 1, -0.5);
  relief_lesson_page_get_view (f->page, w);
  g_assert_cmpfloat_with_epsilon (w[0], 1 + (v[0] - 1) * 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (w[1], 1 + (v[1] - 1) * 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (w[2], -0.5 + (v[2] + 0.5) * 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (w[3], -0.5 + (v[3] + 0.5) * 0.5, 1e-12);

  /* Saved in [Race] view, reopened the same. */
  g_assert_true (relief_lesson_page_save_lesson (f->page, path, &error));
  g_assert_no_error (error);
  other = g_object_ref_sink (g_object_new (RELIEF_TYPE_LESSON_PAGE, NULL));
  g_assert_true (relief_lesson_page_open_lesson (other, path, &error));
  g_assert_no_error (error);
  relief_lesson_page_get_view (other, v);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (v[i], ==, w[i]);
  reopened = relief_lesson_page_get_lesson (other);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (reopened->race.view[i], ==, w[i]);
  g_object_unref (other);

  /* Reset view: the shipped lesson's view again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lesson.reset-view", NULL));
  relief_lesson_page_get_view (f->page, v);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (v[i], ==, home[i]);
}

typedef struct {
  ReliefLessonPage *page;
  gint64            steps;
} StepWait;

static gboolean
pg_reached (gpointer data)
{
  StepWait *w = data;

  return relief_lesson_page_get_playground_steps (w->page) >= w->steps;
}

static void
test_playground (Fixture *f, gconstpointer data)
{
  AdwViewStack *modes = child (f->page, "mode_stack");
  StepWait wait = { f->page, 0 };
  gint64 paused_at;

  adw_view_stack_set_visible_child_name (modes, "playground");
  g_assert_cmpint (relief_lesson_page_get_playground_steps (f->page), ==, 0);
  for (int i = 1; i <= 3; i++)
    {
      relief_lesson_page_step (f->page);
      wait.steps = i;
      g_assert_true (iterate_until (pg_reached, &wait));
    }
  iterate_for (300);
  g_assert_cmpint (relief_lesson_page_get_playground_steps (f->page), ==, 3);
  relief_lesson_page_play (f->page, TRUE);
  wait.steps = 300;
  g_assert_true (iterate_until (pg_reached, &wait));
  relief_lesson_page_play (f->page, FALSE);
  iterate_for (200);
  paused_at = relief_lesson_page_get_playground_steps (f->page);
  iterate_for (300);
  g_assert_cmpint (relief_lesson_page_get_playground_steps (f->page), ==, paused_at);
  relief_lesson_page_reset (f->page);
  iterate_for (200);
  g_assert_cmpint (relief_lesson_page_get_playground_steps (f->page), ==, 0);

  /* Playing keeps to the speed control: at its slowest, 10 steps a second, never more than
   * that many over the time it played (a slow machine only does fewer). */
  {
    GtkRange *speed = child (f->page, "speed_scale");
    gint64 t0, steps;
    double seconds;

    gtk_range_set_value (speed, 0);
    t0 = g_get_monotonic_time ();
    relief_lesson_page_play (f->page, TRUE);
    wait.steps = 3;
    g_assert_true (iterate_until (pg_reached, &wait));
    iterate_for (700);
    steps = relief_lesson_page_get_playground_steps (f->page);
    seconds = (g_get_monotonic_time () - t0) / 1e6;
    relief_lesson_page_play (f->page, FALSE);
    g_assert_cmpint (steps, <=, (gint64) (10 * seconds) + 2);
  }
}

static gboolean
regions_shown (gpointer data)
{
  GtkLabel *readout = child (data, "readout_label");

  return strstr (gtk_label_get_text (readout), "linear region") != NULL;
}

/* The switch puts the exact linear regions over the map, for ReLU networks only. */
static void
test_regions (Fixture *f, gconstpointer data)
{
  AdwViewStack *modes = child (f->page, "mode_stack");
  GtkSwitch *regions = child (f->page, "regions_switch");
  AdwComboRow *activation = child (f->page, "activation_row");
  GtkStringList *activations = child (f->page, "activation_list");
  GtkLabel *readout = child (f->page, "readout_label");
  StepWait wait = { f->page, 2 };
  int n = 0;

  adw_view_stack_set_visible_child_name (modes, "playground");
  relief_lesson_page_step (f->page);
  relief_lesson_page_step (f->page);
  g_assert_true (iterate_until (pg_reached, &wait));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (regions)));
  gtk_switch_set_active (regions, TRUE);
  /* Paused, the map is made again with its regions. */
  g_assert_true (iterate_until (regions_shown, f->page));
  g_assert_cmpint (sscanf (gtk_label_get_text (readout), "%d", &n), ==, 1);
  /* One hidden layer of 8 ReLUs cuts the plane with 8 lines: at least 1, at most
   * 1 + 8 + 28 regions. */
  g_assert_cmpint (n, >=, 1);
  g_assert_cmpint (n, <=, 37);
  g_assert_cmpint (relief_lesson_page_get_playground_steps (f->page), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (activations)); i++)
    if (strcmp (gtk_string_list_get_string (activations, i), "tanh") == 0)
      adw_combo_row_set_selected (activation, i);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (regions)));
  gtk_switch_set_active (regions, FALSE);
  g_assert_cmpstr (gtk_label_get_text (readout), ==, "");
}

/* A click on the playground's map adds a point there (the left button: class 0) and
 * trains on the clicked points, which need both classes first; Clear empties them. */
static void
test_clicked_points (Fixture *f, gconstpointer data)
{
  AdwViewStack *modes = child (f->page, "mode_stack");
  GtkWidget *map = child (f->page, "map_area");
  GtkLabel *status = child (f->page, "status_label");
  GtkEventController *click = find_controller (map, GTK_TYPE_GESTURE_CLICK);
  g_autoptr(ReliefLesson) shown = NULL;
  g_autoptr(ReliefLesson) cleared = NULL;

  adw_view_stack_set_visible_child_name (modes, "playground");
  iterate_for (300);
  g_signal_emit_by_name (click, "pressed", 1, gtk_widget_get_width (map) * 0.4, gtk_widget_get_height (map) * 0.5);
  iterate_for (100);
  shown = relief_lesson_page_get_lesson (f->page);
  g_assert_cmpstr (shown->playground.dataset, ==, "points");
  g_assert_cmpint (shown->playground.n_points, ==, 1);
  g_assert_cmpfloat (shown->playground.points[2], ==, 0);
  g_assert_true (isfinite (shown->playground.points[0]) && isfinite (shown->playground.points[1]));
  g_assert_nonnull (strstr (gtk_label_get_text (status), "both classes"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lesson.clear-points", NULL));
  cleared = relief_lesson_page_get_lesson (f->page);
  g_assert_cmpint (cleared->playground.n_points, ==, 0);
}

static void
test_shipped_lessons (Fixture *f, gconstpointer data)
{
  static const char *const names[] = { "ravine-and-momentum", "saddle", "two-over-lambda-cliff",
                                       "spiral-growing-network" };
  AdwViewStack *modes = child (f->page, "mode_stack");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lesson.load-shipped", "s", names[i]));
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (modes), ==,
                       i == 3 ? "playground" : "race");
      relief_lesson_page_step (f->page);
      iterate_for (50);
    }
  /* The cliff: GD above 2/lambda_max diverges and says so; below it converges. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "lesson.load-shipped", "s",
                                             "two-over-lambda-cliff"));
  for (int i = 0; i < 200; i++)
    relief_lesson_page_step (f->page);
  g_assert_cmpint (relief_lesson_page_get_race_steps (f->page), ==, 200);
  {
    g_autoptr(ReliefLesson) shown = relief_lesson_page_get_lesson (f->page);

    g_assert_cmpfloat (shown->race.racers[1].lr, >, 0.2);
  }
}

static gboolean
page_idle (gpointer page)
{
  return !relief_page_is_running (RELIEF_PAGE (page));
}

static void
test_export (Fixture *f, gconstpointer data)
{
  static const char *const names[] = { "frame.png", "frame.svg", "frame.pdf" };
  g_autofree char *gif = g_build_filename (f->dir, "race.gif", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  /* No race yet: refused, nothing started. */
  g_assert_false (relief_lesson_page_export_animation (f->page, gif, 10, 320, 200, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  for (int i = 0; i < 30; i++)
    relief_lesson_page_step (f->page);
  g_assert_false (relief_lesson_page_export_animation (f->page, gif, 1000, 320, 200, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (relief_lesson_page_export_animation (f->page, gif, 10, 320, 200, &error));
  g_assert_no_error (error);
  g_assert_true (iterate_until (page_idle, f->page));
  g_assert_true (g_file_get_contents (gif, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (memcmp (contents, "GIF89a", 6) == 0);
  /* Its size as asked: the logical screen's width and height, little-endian. */
  g_assert_cmpint ((guint8) contents[6] | ((guint8) contents[7] << 8), ==, 320);
  g_assert_cmpint ((guint8) contents[8] | ((guint8) contents[9] << 8), ==, 200);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, names[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autofree char *contents = NULL;
      gsize length = 0;

      relief_lesson_page_export_figure (f->page, file);
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_assert_cmpuint (length, >, 1000);
      if (i == 0)
        g_assert_true (memcmp (contents, "\x89PNG", 4) == 0);
      else if (i == 2)
        g_assert_true (memcmp (contents, "%PDF", 4) == 0);
      else
        g_assert_nonnull (strstr (contents, "<svg"));
    }
}

/* The pixels within 2 levels of rgb (0..1) in each channel: rows of channels bytes a
 * pixel, red first, or blue first (bgr: cairo's ARGB32 in a little-endian word). */
static int
count_colour (const guchar *pixels, int width, int height, int stride, int channels, gboolean bgr,
              const double rgb[3])
{
  int n = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guchar *p = pixels + (gsize) y * stride + (gsize) x * channels;
        gboolean near = TRUE;

        for (int c = 0; c < 3; c++)
          near &= abs ((int) p[bgr ? 2 - c : c] - (int) lround (rgb[c] * 255)) <= 2;
        n += near;
      }
  return n;
}

/* The racers' colour choosers, in the racers' order. */
static void
collect_choosers (GtkWidget *widget, GPtrArray *out)
{
  if (GTK_IS_DROP_DOWN (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), "The racer’s colour") == 0)
    g_ptr_array_add (out, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_choosers (c, out);
}

/* Each racer's colour as its chooser shows it is the colour the exported frame and the
 * GIF draw it in, after the chooser changes too. */
static void
test_racer_colours (Fixture *f, gconstpointer data)
{
  g_autofree char *png = g_build_filename (f->dir, "colours.png", NULL);
  g_autofree char *gif = g_build_filename (f->dir, "colours.gif", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (png);
  g_autoptr(GPtrArray) choosers = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  /* Chosen away from the racers' defaults (0, 1, 2, ...). */
  static const guint chosen[] = { 3, 6, 9, 4, 5, 8, 7, 0 };
  int n;

  g_assert_true (relief_lesson_page_load_shipped (f->page, "ravine-and-momentum", &error));
  g_assert_no_error (error);
  collect_choosers (child (f->page, "racers_box"), choosers);
  n = (int) choosers->len;
  g_assert_cmpint (n, >=, 2);
  for (int i = 0; i < n; i++)
    gtk_drop_down_set_selected (g_ptr_array_index (choosers, i), chosen[i]);
  for (int i = 0; i < 60; i++)
    relief_lesson_page_step (f->page);
  relief_lesson_page_export_figure (f->page, file);
  g_assert_true (relief_lesson_page_export_animation (f->page, gif, 10, 640, 400, &error));
  g_assert_no_error (error);
  g_assert_true (iterate_until (page_idle, f->page));
  {
    cairo_surface_t *frame = cairo_image_surface_create_from_png (png);
    g_autofree guchar *first = NULL;
    GifFileType *decoded;
    int gif_error = 0, gw, gh, pw;

    g_assert_cmpint (cairo_surface_status (frame), ==, CAIRO_STATUS_SUCCESS);
    /* Four bytes a pixel, blue first: RGB24 (the frame is opaque) or ARGB32. */
    g_assert_true (cairo_image_surface_get_format (frame) == CAIRO_FORMAT_RGB24
                   || cairo_image_surface_get_format (frame) == CAIRO_FORMAT_ARGB32);
    g_assert_cmpint (G_BYTE_ORDER, ==, G_LITTLE_ENDIAN);
    pw = cairo_image_surface_get_width (frame);
    /* The GIF's first frame (the whole picture; the next ones may be the changes alone):
     * the start, the loss panel's legend. */
    decoded = DGifOpenFileName (gif, &gif_error);
    g_assert_nonnull (decoded);
    g_assert_cmpint (DGifSlurp (decoded), ==, GIF_OK);
    gw = decoded->SWidth, gh = decoded->SHeight;
    g_assert_cmpint (decoded->SavedImages[0].ImageDesc.Width, ==, gw);
    g_assert_cmpint (decoded->SavedImages[0].ImageDesc.Height, ==, gh);
    first = g_new (guchar, (gsize) 3 * gw * gh);
    {
      const ColorMapObject *map = decoded->SavedImages[0].ImageDesc.ColorMap ? decoded->SavedImages[0].ImageDesc.ColorMap
                                                                             : decoded->SColorMap;

      g_assert_nonnull (map);
      for (gsize k = 0; k < (gsize) gw * gh; k++)
        {
          const GifColorType *c = &map->Colors[decoded->SavedImages[0].RasterBits[k]];

          first[3 * k] = c->Red, first[3 * k + 1] = c->Green, first[3 * k + 2] = c->Blue;
        }
    }
    DGifCloseFile (decoded, &gif_error);
    for (int i = 0; i < n; i++)
      {
        double rgb[3], palette[3];

        relief_lesson_page_get_racer_rgb (f->page, i, rgb);
        relief_plot_palette ((int) chosen[i], palette);
        for (int c = 0; c < 3; c++)
          g_assert_cmpfloat (rgb[c], ==, palette[c]);
        /* In the loss panel (the right third: no overlay there), a curve and a legend
         * entry's worth of pixels in that colour. */
        g_assert_cmpint (count_colour (cairo_image_surface_get_data (frame) + 4 * (2 * pw / 3), pw / 3,
                                       cairo_image_surface_get_height (frame), cairo_image_surface_get_stride (frame),
                                       4, TRUE, rgb), >, 100);
        g_assert_cmpint (count_colour (first, gw, gh, 3 * gw, 3, FALSE, rgb), >, 20);
      }
    cairo_surface_destroy (frame);
  }
}

typedef struct {
  ReliefLessonPage *page;
  gint64            steps;
} RaceWait;

static gboolean
race_reached (gpointer data)
{
  RaceWait *w = data;

  return relief_lesson_page_get_race_steps (w->page) >= w->steps;
}

/* The docs' screenshots, in the window as a teacher sees it. */
static void
take_screenshots (ReliefWindow *window, ReliefLessonPage *page)
{
  g_autofree char *figure = g_build_filename (g_getenv ("RELIEF_SCREENSHOT_DIR"), "lesson-figure.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (figure);
  RaceWait race = { page, 40 };
  StepWait pg = { page, 1500 };

  AdwViewStack *modes = child (page, "mode_stack");

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  g_assert_true (relief_lesson_page_load_shipped (page, "spiral-growing-network", NULL));
  g_assert_true (relief_lesson_page_apply_preset (page, 1));
  relief_lesson_page_play (page, TRUE);
  g_assert_true (iterate_until (pg_reached, &pg));
  relief_lesson_page_play (page, FALSE);
  screenshot (GTK_WIDGET (window), "lesson-playground");
  g_assert_true (relief_lesson_page_apply_preset (page, 4));
  relief_lesson_page_play (page, TRUE);
  g_assert_true (iterate_until (pg_reached, &pg));
  relief_lesson_page_play (page, FALSE);
  screenshot (GTK_WIDGET (window), "lesson-regions");

  g_assert_true (relief_lesson_page_load_shipped (page, "ravine-and-momentum", NULL));
  relief_lesson_page_play (page, TRUE);
  g_assert_true (iterate_until (race_reached, &race));
  relief_lesson_page_play (page, FALSE);
  screenshot (GTK_WIDGET (window), "lesson-race");

  g_assert_true (relief_lesson_page_load_shipped (page, "two-over-lambda-cliff", NULL));
  relief_lesson_page_set_presenting (page, TRUE);
  /* Far enough for GD above the cliff to have diverged. */
  for (int i = 0; i < 160; i++)
    relief_lesson_page_step (page);
  screenshot (GTK_WIDGET (window), "lesson-presentation");
  relief_lesson_page_set_presenting (page, FALSE);

  /* The smallest window, both modes. */
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  screenshot (GTK_WIDGET (window), "lesson-race-800x600");
  adw_view_stack_set_visible_child_name (modes, "playground");
  screenshot (GTK_WIDGET (window), "lesson-playground-800x600");
  adw_view_stack_set_visible_child_name (modes, "race");
  relief_lesson_page_export_figure (page, file);
}

/* A shown button of the window outside page (the header bar's). */
static GtkWidget *
button_outside (GtkWidget *widget, GtkWidget *page)
{
  if (widget == page || !gtk_widget_get_mapped (widget))
    return NULL;
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_focusable (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = button_outside (c, page);

      if (found)
        return found;
    }
  return NULL;
}

/* What pressing accel does in window, the focus on from: the window's application
 * shortcut (relief-application.c's accelerators) for that key, activated from the
 * focused widget as GTK does; FALSE when none took it. */
static gboolean
press_accel (GtkWidget *window, GtkWidget *from, const char *accel)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (window);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (c))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (c)); j++)
        {
          g_autoptr(GtkShortcut) s = g_list_model_get_item (G_LIST_MODEL (c), j);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (s));

          if (g_str_equal (trigger, accel)
              && gtk_shortcut_action_activate (gtk_shortcut_get_action (s), GTK_SHORTCUT_ACTION_EXCLUSIVE, from,
                                               gtk_shortcut_get_arguments (s)))
            return TRUE;
        }
    }
  return FALSE;
}

static void
test_in_window (void)
{
  g_autoptr(AdwApplication) app = ADW_APPLICATION (relief_application_new ());
  g_autoptr(GError) error = NULL;
  ReliefWindow *window;
  ReliefPage *lesson;
  GtkWidget *stack;
  g_autoptr(GListModel) model = NULL;
  guint index = G_MAXUINT;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = relief_window_new (GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (window));
  lesson = relief_window_get_page (window, "lesson");
  g_assert_nonnull (lesson);
  stack = gtk_widget_get_ancestor (GTK_WIDGET (lesson), ADW_TYPE_VIEW_STACK);
  model = G_LIST_MODEL (adw_view_stack_get_pages (ADW_VIEW_STACK (stack)));
  /* The last page: Alt+N by its position. */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(AdwViewStackPage) p = g_list_model_get_item (model, i);

      if (adw_view_stack_page_get_child (p) == GTK_WIDGET (lesson))
        index = i;
    }
  g_assert_cmpuint (index, ==, g_list_model_get_n_items (model) - 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "i", (int) index));
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == GTK_WIDGET (lesson));
  /* Ctrl+Return plays and pauses the lesson; Escape leaves presentation mode. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (relief_lesson_page_is_playing (RELIEF_LESSON_PAGE (lesson)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_false (relief_lesson_page_is_playing (RELIEF_LESSON_PAGE (lesson)));
  relief_lesson_page_set_presenting (RELIEF_LESSON_PAGE (lesson), TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL));
  g_assert_false (relief_lesson_page_get_presenting (RELIEF_LESSON_PAGE (lesson)));

  /* F5 with the focus outside the page (a header bar button): presentation mode on, the
   * lesson's keys still the lesson's, F5 again off. */
  {
    GtkWidget *button = button_outside (GTK_WIDGET (window), GTK_WIDGET (lesson));
    gint64 at;

    g_assert_nonnull (button);
    g_assert_true (gtk_widget_grab_focus (button));
    g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == button);
    g_assert_true (press_accel (GTK_WIDGET (window), button, "F5"));
    g_assert_true (relief_lesson_page_get_presenting (RELIEF_LESSON_PAGE (lesson)));
    g_assert_true (gtk_widget_grab_focus (button));
    at = relief_lesson_page_get_race_steps (RELIEF_LESSON_PAGE (lesson));
    g_assert_true (key (RELIEF_LESSON_PAGE (lesson), GDK_KEY_Right));
    g_assert_cmpint (relief_lesson_page_get_race_steps (RELIEF_LESSON_PAGE (lesson)), ==, at + 1);
    g_assert_true (press_accel (GTK_WIDGET (window), button, "F5"));
    g_assert_false (relief_lesson_page_get_presenting (RELIEF_LESSON_PAGE (lesson)));
    /* Outside presentation mode space is the focused control's. */
    g_assert_false (key (RELIEF_LESSON_PAGE (lesson), GDK_KEY_space));
  }
  /* On another page F5 does nothing; showing another page ends a presentation. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "i", 0));
  g_assert_false (press_accel (GTK_WIDGET (window), GTK_WIDGET (window), "F5"));
  g_assert_false (relief_lesson_page_get_presenting (RELIEF_LESSON_PAGE (lesson)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "i", (int) index));
  relief_lesson_page_set_presenting (RELIEF_LESSON_PAGE (lesson), TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "i", 0));
  g_assert_false (relief_lesson_page_get_presenting (RELIEF_LESSON_PAGE (lesson)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "i", (int) index));
  if (g_getenv ("RELIEF_SCREENSHOT_DIR"))
    take_screenshots (window, RELIEF_LESSON_PAGE (lesson));
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
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
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/org/relief/Relief/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  ADD ("/lesson-page/race-plays", test_race_plays);
  ADD ("/lesson-page/bad-expression", test_bad_expression);
  ADD ("/lesson-page/presentation", test_presentation);
  ADD ("/lesson-page/save-reopen", test_save_reopen);
  ADD ("/lesson-page/zoom", test_zoom);
  ADD ("/lesson-page/playground", test_playground);
  ADD ("/lesson-page/regions", test_regions);
  ADD ("/lesson-page/clicked-points", test_clicked_points);
  ADD ("/lesson-page/shipped-lessons", test_shipped_lessons);
  ADD ("/lesson-page/export", test_export);
  ADD ("/lesson-page/racer-colours", test_racer_colours);
  g_test_add_func ("/lesson-page/in-window", test_in_window);
  return g_test_run ();
}

/* Lesson files (relief-lesson.h): what is saved reads back the same, the shipped lessons
 * and their presets load, and each bad value is refused with the file, the line, the group
 * and the key. */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "relief-lesson.h"

static void
assert_same (const ReliefLesson *a, const ReliefLesson *b)
{
  g_autofree char *ta = relief_lesson_to_data (a, NULL);
  g_autofree char *tb = relief_lesson_to_data (b, NULL);

  g_assert_cmpstr (ta, ==, tb);
}

static void
test_default_round_trip (void)
{
  g_autoptr(ReliefLesson) l = relief_lesson_new_default ();
  g_autoptr(ReliefLesson) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = relief_lesson_to_data (l, NULL);

  back = relief_lesson_load_data (text, strlen (text), "default", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->race.function, ==, "quadratic");
  g_assert_cmpfloat (back->race.kappa, ==, 10);
  g_assert_cmpint (back->race.n_racers, ==, 3);
  g_assert_cmpstr (back->race.racers[1].optimizer, ==, "momentum");
  g_assert_cmpfloat (back->race.racers[1].momentum, ==, 0.9);
  g_assert_cmpint (back->playground.n_layers, ==, 1);
  g_assert_cmpint (back->playground.layers[0], ==, 8);
  assert_same (l, back);
}

/* Every field set to something other than its default, saved through a file. */
static void
test_file_round_trip (void)
{
  g_autoptr(ReliefLesson) l = relief_lesson_new_default ();
  g_autoptr(ReliefLesson) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("relief-lesson-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "mine.relief-lesson", NULL);
  g_autoptr(GDir) d = NULL;
  const char *name;
  int n_files = 0;
  static const double points[] = { 0.1, 0.2, 0, -0.3, 1.0 / 3, 1 };

  g_free (l->title);
  l->title = g_strdup ("Ünïcode title; with = signs");
  l->mode = RELIEF_LESSON_PLAYGROUND;
  g_free (l->race.function);
  l->race.function = g_strdup ("expression");
  g_free (l->race.expression);
  l->race.expression = g_strdup ("sin(x) * y^2 + 0.1*(x - 1)^2");
  l->race.kappa = 37.5;
  l->race.theta = -12.25;
  l->race.view[0] = -3.1, l->race.view[1] = 2.9, l->race.view[2] = -1e-3, l->race.view[3] = 7;
  l->race.start[0] = 0.1, l->race.start[1] = -0.7;
  l->race.steps_per_second = 3.5;
  l->race.racers[2].beta1 = 0.8;
  l->race.racers[2].beta2 = 0.99;
  l->race.racers[2].colour = 9;
  l->race.racers[0].lr = 1.0 / 7;
  g_free (l->playground.dataset);
  l->playground.dataset = g_strdup ("points");
  l->playground.seed = G_GUINT64_CONSTANT (123456789012);
  g_free (l->playground.layers);
  l->playground.n_layers = 3;
  l->playground.layers = g_new (int, 3);
  l->playground.layers[0] = 16, l->playground.layers[1] = 4, l->playground.layers[2] = 64;
  l->playground.activation = RELIEF_ACT_TANH;
  l->playground.lr = 0.3;
  l->playground.batch = 7;
  l->playground.l2 = 0.001;
  l->playground.regions = TRUE;
  l->playground.n_points = 2;
  l->playground.points = g_memdup2 (points, sizeof points);

  g_assert_true (relief_lesson_save (l, path, &error));
  g_assert_no_error (error);
  back = relief_lesson_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->title, ==, l->title);
  g_assert_cmpint (back->mode, ==, RELIEF_LESSON_PLAYGROUND);
  g_assert_cmpstr (back->race.expression, ==, l->race.expression);
  g_assert_cmpfloat (back->race.racers[0].lr, ==, 1.0 / 7);
  g_assert_cmpfloat (back->race.view[2], ==, -1e-3);
  g_assert_cmpint (back->race.racers[2].colour, ==, 9);
  g_assert_cmpuint (back->playground.seed, ==, G_GUINT64_CONSTANT (123456789012));
  g_assert_cmpint (back->playground.layers[2], ==, 64);
  g_assert_cmpint (back->playground.activation, ==, RELIEF_ACT_TANH);
  g_assert_cmpint (back->playground.n_points, ==, 2);
  g_assert_true (back->playground.regions);
  g_assert_cmpfloat (back->playground.points[4], ==, 1.0 / 3);
  assert_same (l, back);
  /* Written through a temporary name: nothing else is left in the folder. */
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)))
    {
      g_assert_cmpstr (name, ==, "mine.relief-lesson");
      n_files++;
    }
  g_assert_cmpint (n_files, ==, 1);
  g_remove (path);
  g_rmdir (dir);
}

static void
test_shipped (void)
{
  static const char *const names[] = { "ravine-and-momentum", "saddle", "two-over-lambda-cliff",
                                       "spiral-growing-network" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_strconcat (names[i], RELIEF_LESSON_SUFFIX, NULL);
      g_autofree char *path = g_build_filename (RELIEF_LESSONS_DIR, file, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefLesson) l = relief_lesson_load (path, &error);
      g_autoptr(ReliefLesson) back = NULL;
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (l->title, !=, "");
      g_assert_cmpint (l->n_presets, >=, 2);
      for (int p = 0; p < l->n_presets; p++)
        {
          g_autoptr(ReliefLesson) applied = relief_lesson_apply_preset (l, p, &error);

          g_assert_no_error (error);
          g_assert_cmpint (applied->n_presets, ==, l->n_presets);
        }
      text = relief_lesson_to_data (l, NULL);
      back = relief_lesson_load_data (text, strlen (text), file, &error);
      g_assert_no_error (error);
      assert_same (l, back);
    }
}

/* The ravine's presets change what they name and nothing else. */
static void
test_presets (void)
{
  g_autofree char *path = g_build_filename (RELIEF_LESSONS_DIR, "ravine-and-momentum" RELIEF_LESSON_SUFFIX, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLesson) l = relief_lesson_load (path, &error);
  g_autoptr(ReliefLesson) deep = NULL;

  g_assert_no_error (error);
  g_assert_cmpfloat (l->race.kappa, ==, 25);
  deep = relief_lesson_apply_preset (l, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (deep->race.kappa, ==, 100);
  g_assert_cmpfloat (deep->race.racers[0].lr, ==, 0.019);
  g_assert_cmpfloat (deep->race.racers[1].momentum, ==, 0.8);
  g_assert_cmpfloat (deep->race.theta, ==, l->race.theta);
  g_assert_cmpfloat (deep->race.start[0], ==, l->race.start[0]);
  g_assert_cmpstr (deep->title, ==, l->title);
}

static const char base[] =
  "[Lesson]\n"                 /* 1 */
  "title=Errors\n"             /* 2 */
  "mode=race\n"                /* 3 */
  "\n"                         /* 4 */
  "[Race]\n"                   /* 5 */
  "function=quadratic\n"       /* 6 */
  "kappa=10\n"                 /* 7 */
  "view=-2;2;-2;2\n"           /* 8 */
  "start=1;1\n"                /* 9 */
  "\n"                         /* 10 */
  "[Racer 1]\n"                /* 11 */
  "optimizer=gd\n"             /* 12 */
  "lr=0.1\n"                   /* 13 */
  "\n"                         /* 14 */
  "[Playground]\n"             /* 15 */
  "dataset=spiral\n"           /* 16 */
  "layers=8;8\n"               /* 17 */
  "\n"                         /* 18 */
  "[Preset 1]\n"               /* 19 */
  "name=Steep\n"               /* 20 */
  "Race.kappa=100\n";          /* 21 */

/* base with the line that starts with from replaced by to. */
static char *
edited (const char *from, const char *to)
{
  g_auto(GStrv) lines = g_strsplit (base, "\n", -1);

  for (int i = 0; lines[i] != NULL; i++)
    if (from && g_str_has_prefix (lines[i], from))
      {
        g_free (lines[i]);
        lines[i] = g_strdup (to);
      }
  return g_strjoinv ("\n", lines);
}

static void
test_errors (void)
{
  static const struct {
    const char *from, *to, *message;
  } cases[] = {
    { "lr=0.1", "lr=-1", "bad.relief-lesson:13: [Racer 1] lr: -1 must be greater than 0" },
    { "lr=0.1", "lr=fast", "bad.relief-lesson:13: [Racer 1] lr: “fast” is not a number" },
    { "lr=0.1", "", "bad.relief-lesson:11: [Racer 1] lr: missing" },
    { "optimizer=gd", "optimizer=lbfgs", "bad.relief-lesson:12: [Racer 1] optimizer: " },
    { "kappa=10", "kappa=0.5", "bad.relief-lesson:7: [Race] kappa: 0.5 must be between 1 and 1e+08" },
    { "function=quadratic", "function=banana", "bad.relief-lesson:6: [Race] function: no function “banana”" },
    { "function=quadratic", "function=expression\nexpression=x^2 + )",
      "bad.relief-lesson:7: [Race] expression: column 7" },
    { "view=-2;2;-2;2", "view=2;-2;-2;2", "bad.relief-lesson:8: [Race] view: xmin;xmax;ymin;ymax" },
    { "view=-2;2;-2;2", "view=-2;2;-2", "bad.relief-lesson:8: [Race] view: 4 numbers separated by “;” are needed, not 3" },
    { "start=1;1", "start=1;nan", "bad.relief-lesson:9: [Race] start: “nan” is not a number" },
    { "mode=race", "mode=lecture", "bad.relief-lesson:3: [Lesson] mode: “lecture”: race or playground" },
    { "[Racer 1]", "[Racer 2]", "bad.relief-lesson:11: [Racer 2]: [Racer 1] is missing" },
    { "[Racer 1]", "[Racer 9]", "bad.relief-lesson:11: [Racer 9]: Racer groups are numbered 1 to 8" },
    { "[Racer 1]", "[Runner 1]", "bad.relief-lesson:11: [Runner 1]: unknown group" },
    { "lr=0.1", "lr=0.1\ncolour=mauve", "bad.relief-lesson:14: [Racer 1] colour: no colour “mauve”" },
    { "layers=8;8", "layers=8;0", "bad.relief-lesson:17: [Playground] layers: widths are whole numbers from 1 to 64, not 0" },
    { "dataset=spiral", "dataset=spiral\nregions=maybe", "bad.relief-lesson:17: [Playground] regions: true or false" },
    { "dataset=spiral", "dataset=mnist", "bad.relief-lesson:16: [Playground] dataset: no data set “mnist”" },
    { "layers=8;8", "activation=sigmoid", "bad.relief-lesson:17: [Playground] activation: " },
    { "Race.kappa=100", "Race.kappa=0", "bad.relief-lesson:21: [Preset 1] Race.kappa: 0 must be between 1 and 1e+08" },
    { "Race.kappa=100", "kappa=100", "bad.relief-lesson:21: [Preset 1] kappa: a preset’s keys are GROUP.KEY" },
    { "name=Steep", "", "bad.relief-lesson:19: [Preset 1] name: missing" },
    { "[Lesson]", "[Lecture]", "bad.relief-lesson: not a lesson: a [Lesson] group is needed" },
    { "title=Errors", "title=Errors\nthis line has no equals sign", "bad.relief-lesson: " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = edited (cases[i].from, cases[i].to);
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefLesson) l = relief_lesson_load_data (text, strlen (text), "bad.relief-lesson", &error);

      g_test_message ("case %u: %s", i, cases[i].to);
      g_assert_null (l);
      g_assert_nonnull (error);
      if (!g_str_has_prefix (error->message, cases[i].message))
        g_error ("case %u: “%s” does not begin with “%s”", i, error->message, cases[i].message);
    }
  /* The base itself is good. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ReliefLesson) l = relief_lesson_load_data (base, strlen (base), "good", &error);

    g_assert_no_error (error);
    g_assert_cmpint (l->n_presets, ==, 1);
  }
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefLesson) l = relief_lesson_load ("/nonexistent/x.relief-lesson", &error);

  g_assert_null (l);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/lesson/default-round-trip", test_default_round_trip);
  g_test_add_func ("/lesson/file-round-trip", test_file_round_trip);
  g_test_add_func ("/lesson/shipped", test_shipped);
  g_test_add_func ("/lesson/presets", test_presets);
  g_test_add_func ("/lesson/errors", test_errors);
  g_test_add_func ("/lesson/missing-file", test_missing_file);
  return g_test_run ();
}

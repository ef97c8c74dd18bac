/* test-race-file.c: race files round-trip bit for bit (a diverged racer's non-finite tail
 * included), the known minima are minima, and spoiled files are refused with a message
 * naming the file and what is wrong. */
#include "relief-race-file.h"

#include <math.h>
#include <string.h>

#include "test-h5.h"
#include "test-tmpdir.h"

#define STEPS 6

/* A quadratic race of three racers; the third diverges at step 4. */
static ReliefRaceFile *
sample_race (void)
{
  ReliefRaceFile *race = relief_race_file_new (3, STEPS);
  const char *names[] = { "gd", "momentum", "adam" };

  race->function = g_strdup ("quadratic");
  race->kappa = 10;
  race->theta = 0.5;
  race->xmin = -2;
  race->xmax = 2;
  race->ymin = -1.5;
  race->ymax = 1.25;
  race->x0 = -1.75;
  race->y0 = 1;
  for (int i = 0; i < 3; i++)
    {
      ReliefRaceRacer *r = &race->racers[i];

      r->optimizer = g_strdup (names[i]);
      r->lr = 0.01 * (i + 1);
      r->momentum = i == 1 ? 0.9 : 0;
      r->beta1 = 0.9;
      r->beta2 = 0.999;
      r->eps = 1e-8;
      r->weight_decay = i == 2 ? 1e-4 : 0;
      r->colour = 2 - i;
      for (int t = 0; t <= STEPS; t++)
        {
          r->path[2 * t] = race->x0 * pow (0.5, t) + 0.125 * i;
          r->path[2 * t + 1] = race->y0 * pow (0.75, t);
          r->loss[t] = 1.0 / (t + 1 + i);
        }
      r->path[0] = race->x0;
    }
  race->racers[2].diverged_at = 4;
  race->racers[2].path[2 * 5] = INFINITY;
  race->racers[2].path[2 * 6 + 1] = NAN;
  race->racers[2].loss[6] = INFINITY;
  return race;
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "race.h5", NULL);
  g_autoptr (ReliefRaceFile) race = sample_race ();
  g_autoptr (ReliefRaceFile) back = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (relief_race_file_save (race, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (relief_file_detect_kind (path, &error), ==, RELIEF_FILE_KIND_RACE);
  g_assert_no_error (error);
  back = relief_race_file_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpstr (back->function, ==, "quadratic");
  g_assert_cmpfloat (back->kappa, ==, 10);
  g_assert_cmpfloat (back->theta, ==, 0.5);
  g_assert_cmpfloat (back->xmin, ==, -2);
  g_assert_cmpfloat (back->xmax, ==, 2);
  g_assert_cmpfloat (back->ymin, ==, -1.5);
  g_assert_cmpfloat (back->ymax, ==, 1.25);
  g_assert_cmpfloat (back->x0, ==, -1.75);
  g_assert_cmpfloat (back->y0, ==, 1);
  g_assert_cmpint (back->n_steps, ==, STEPS);
  g_assert_cmpint (back->n_racers, ==, 3);
  for (int i = 0; i < 3; i++)
    {
      const ReliefRaceRacer *a = &race->racers[i], *b = &back->racers[i];

      g_assert_cmpstr (b->optimizer, ==, a->optimizer);
      g_assert_cmpfloat (b->lr, ==, a->lr);
      g_assert_cmpfloat (b->momentum, ==, a->momentum);
      g_assert_cmpfloat (b->beta1, ==, a->beta1);
      g_assert_cmpfloat (b->beta2, ==, a->beta2);
      g_assert_cmpfloat (b->eps, ==, a->eps);
      g_assert_cmpfloat (b->weight_decay, ==, a->weight_decay);
      g_assert_cmpint (b->diverged_at, ==, a->diverged_at);
      g_assert_cmpint (b->colour, ==, a->colour);
      g_assert_cmpmem (b->path, sizeof (double) * 2 * (STEPS + 1), a->path, sizeof (double) * 2 * (STEPS + 1));
      g_assert_cmpmem (b->loss, sizeof (double) * (STEPS + 1), a->loss, sizeof (double) * (STEPS + 1));
    }
}

/* Another function than the quadratic has no kappa and theta, in the file or back. */
static void
test_expression (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "expr.h5", NULL);
  g_autoptr (ReliefRaceFile) race = relief_race_file_new (1, 0);
  g_autoptr (ReliefRaceFile) back = NULL;
  g_autoptr (GError) error = NULL;
  hid_t file;

  race->function = g_strdup ("x^2 + 3*sin(y)");
  race->kappa = 5;
  race->xmin = race->ymin = -1;
  race->xmax = race->ymax = 1;
  race->racers[0].optimizer = g_strdup ("sign");
  race->racers[0].lr = 0.1;
  race->racers[0].loss[0] = -4;
  g_assert_true (relief_race_file_save (race, path, &error));
  g_assert_no_error (error);
  back = relief_race_file_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->function, ==, "x^2 + 3*sin(y)");
  g_assert_true (isnan (back->kappa) && isnan (back->theta));
  g_assert_cmpint (back->n_steps, ==, 0);
  g_assert_cmpfloat (back->racers[0].loss[0], ==, -4);
  file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  g_assert_cmpint (H5Aexists (file, "kappa"), ==, 0);
  H5Fclose (file);
}

/* Refusals, each naming the file and what is wrong. */
static void
test_bad_values (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "race.h5", NULL);
  g_autoptr (ReliefRaceFile) race = sample_race ();
  g_autoptr (GError) error = NULL;
  const double nan_value = NAN, negative = -1, one = 1, inf = INFINITY, half = 0.5, none = 0, left = -3;
  const gint64 zero = 0, big = 65, many = 7, late = 6, colour = 64;
  struct {
    const char *object, *dataset, *attr;
    hsize_t     index;
    hid_t       type;
    const void *value;
    const char *fragment;
  } cases[] = {
    { "/", NULL, "n_racers", 0, H5T_NATIVE_INT64, &zero, "“n_racers” is 0" },
    { "/", NULL, "n_racers", 0, H5T_NATIVE_INT64, &big, "“n_racers” is 65" },
    { "/", NULL, "n_racers", 0, H5T_NATIVE_INT64, &colour, "racer_03" },
    { "/", NULL, "steps", 0, H5T_NATIVE_INT64, &many, "racer_00: “racer_00/path” is not of shape [8, 2]" },
    { "/", NULL, "x_max", 0, H5T_NATIVE_DOUBLE, &left, "“x_max” is -3" },
    { "/", NULL, "y_min", 0, H5T_NATIVE_DOUBLE, &nan_value, "“y_min” is nan" },
    { "/", NULL, "kappa", 0, H5T_NATIVE_DOUBLE, &half, "“kappa” is 0.5" },
    { "/", NULL, "x0", 0, H5T_NATIVE_DOUBLE, &one, "racer_00: its path does not begin at the start" },
    { "/racer_01", NULL, "lr", 0, H5T_NATIVE_DOUBLE, &none, "racer_01: “lr” is 0" },
    { "/racer_01", NULL, "momentum", 0, H5T_NATIVE_DOUBLE, &one, "racer_01: “momentum” is 1" },
    { "/racer_00", NULL, "beta2", 0, H5T_NATIVE_DOUBLE, &negative, "“beta2” is -1" },
    { "/racer_00", NULL, "colour", 0, H5T_NATIVE_INT64, &colour, "“colour” is 64" },
    { "/racer_00", NULL, "diverged_at", 0, H5T_NATIVE_INT64, &many, "“diverged_at” is 7" },
    /* The third racer diverged at 4: earlier than that its path must be finite. */
    { "/racer_02", NULL, "diverged_at", 0, H5T_NATIVE_INT64, &late, "“racer_02/path” is not finite at step 5" },
    { NULL, "racer_00/path", NULL, 5, H5T_NATIVE_DOUBLE, &inf, "“racer_00/path” is not finite at step 2" },
    { NULL, "racer_01/loss", NULL, 6, H5T_NATIVE_DOUBLE, &nan_value, "“racer_01/loss” is not finite at step 6" },
  };

  g_assert_true (relief_race_file_save (race, path, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases) + 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("bad-%u.h5", i);
      g_autofree char *copy = test_h5_copy (path, name);
      g_autoptr (ReliefRaceFile) back = NULL;
      const char *fragment;

      if (i == G_N_ELEMENTS (cases))
        {
          hid_t file = H5Fopen (copy, H5F_ACC_RDWR, H5P_DEFAULT);

          g_assert_cmpint (H5Ldelete (file, "racer_01", H5P_DEFAULT), >=, 0);
          H5Fclose (file);
          fragment = "Missing group “racer_01”";
        }
      else if (i == G_N_ELEMENTS (cases) + 1)
        {
          hid_t file = H5Fopen (copy, H5F_ACC_RDWR, H5P_DEFAULT);

          g_assert_cmpint (H5Ldelete (file, "racer_02/loss", H5P_DEFAULT), >=, 0);
          H5Fclose (file);
          fragment = "loss";
        }
      else if (cases[i].dataset)
        {
          test_h5_poke (copy, cases[i].dataset, cases[i].index, cases[i].type, cases[i].value);
          fragment = cases[i].fragment;
        }
      else
        {
          test_h5_set_attr (copy, cases[i].object, cases[i].attr, cases[i].type, cases[i].value);
          fragment = cases[i].fragment;
        }
      back = relief_race_file_load (copy, &error);
      g_assert_null (back);
      g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
      if (strstr (error->message, copy) == NULL || strstr (error->message, fragment) == NULL)
        g_error ("case %u: “%s” lacks “%s” or the path", i, error->message, fragment);
      g_clear_error (&error);
      g_assert_cmpint (g_unlink (copy), ==, 0);
    }
}

/* A race without a function or racers is not saved; another kind is refused as such. */
static void
test_wrong_kind (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "empty.h5", NULL);
  g_autoptr (ReliefRaceFile) race = relief_race_file_new (1, 2);
  g_autoptr (ReliefRaceFile) back = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (relief_race_file_save (race, path, &error));
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  race->function = g_strdup ("booth");
  g_assert_false (relief_race_file_save (race, path, &error));
  g_assert_nonnull (strstr (error->message, "no optimizer name"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  {
    hid_t file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const gint64 v = 1;
    hid_t space = H5Screate (H5S_SCALAR);
    hid_t attr = H5Acreate2 (file, "relief_format_version", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);

    g_assert_cmpint (H5Awrite (attr, H5T_NATIVE_INT64, &v), >=, 0);
    H5Aclose (attr);
    H5Sclose (space);
    test_h5_write_string_attr (file, "relief_format", "intdim");
    H5Fclose (file);
  }
  back = relief_race_file_load (path, &error);
  g_assert_null (back);
  g_assert_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND);
  g_assert_nonnull (strstr (error->message, "not a race"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/race-file/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/race-file/expression", Fixture, NULL, fixture_setup, test_expression, fixture_teardown);
  g_test_add ("/race-file/bad-values", Fixture, NULL, fixture_setup, test_bad_values, fixture_teardown);
  g_test_add ("/race-file/wrong-kind", Fixture, NULL, fixture_setup, test_wrong_kind, fixture_teardown);
  return g_test_run ();
}

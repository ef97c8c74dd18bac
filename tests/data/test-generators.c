/* test-generators.c: the built-in data sets are deterministic, well-formed and checked. */
#include "relief-generators.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static ReliefDataset *
generate (const char *name, guint64 seed)
{
  ReliefGeneratorParams params;
  g_autoptr (GError) error = NULL;
  ReliefDataset *ds;

  relief_generator_defaults (name, &params);
  params.seed = seed;
  ds = relief_dataset_generate (name, &params, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ds);
  return ds;
}

static void
test_deterministic (void)
{
  for (const char * const *name = relief_generator_names (); *name != NULL; name++)
    {
      g_autoptr (ReliefDataset) a = generate (*name, 7);
      g_autoptr (ReliefDataset) b = generate (*name, 7);
      g_autoptr (ReliefDataset) c = generate (*name, 8);

      g_assert_cmpint (a->n_train, ==, b->n_train);
      g_assert_cmpint (a->n_test, ==, b->n_test);
      g_assert_cmpmem (a->x_train, a->n_train * 2 * sizeof (float), b->x_train, b->n_train * 2 * sizeof (float));
      g_assert_cmpmem (a->y_train, a->n_train * sizeof (int32_t), b->y_train, b->n_train * sizeof (int32_t));
      g_assert_cmpmem (a->x_test, a->n_test * 2 * sizeof (float), b->x_test, b->n_test * 2 * sizeof (float));
      g_assert_cmpmem (a->y_test, a->n_test * sizeof (int32_t), b->y_test, b->n_test * sizeof (int32_t));
      g_assert_cmpint (memcmp (a->x_train, c->x_train, a->n_train * 2 * sizeof (float)), !=, 0);
    }
}

static void
test_counts_and_labels (void)
{
  /* The loops here and above visit every generator: there are five. */
  g_assert_cmpuint (g_strv_length ((char **) relief_generator_names ()), ==, 5);
  for (const char * const *name = relief_generator_names (); *name != NULL; name++)
    {
      g_autoptr (ReliefDataset) ds = generate (*name, 1);
      g_autofree int *per_class = g_new0 (int, ds->n_classes);

      g_assert_true (relief_generator_exists (*name));
      g_assert_cmpstr (ds->name, ==, *name);
      g_assert_cmpint (ds->n_features, ==, 2);
      g_assert_cmpint (ds->n_train, ==, 800);
      g_assert_cmpint (ds->n_test, ==, 200);
      g_assert_true (ds->generated);
      g_assert_cmpfloat (ds->mean, ==, 0.0);
      g_assert_cmpfloat (ds->std, ==, 1.0);
      g_assert_null (ds->source_paths);
      for (int i = 0; i < ds->n_train; i++)
        {
          g_assert_cmpint (ds->y_train[i], >=, 0);
          g_assert_cmpint (ds->y_train[i], <, ds->n_classes);
          g_assert_true (isfinite (ds->x_train[2 * i]) && isfinite (ds->x_train[2 * i + 1]));
          per_class[ds->y_train[i]]++;
        }
      for (int i = 0; i < ds->n_test; i++)
        {
          g_assert_cmpint (ds->y_test[i], >=, 0);
          g_assert_cmpint (ds->y_test[i], <, ds->n_classes);
          per_class[ds->y_test[i]]++;
        }
      /* Every generator but xor balances its classes exactly (to one sample). */
      for (int c = 0; c < ds->n_classes; c++)
        if (strcmp (*name, "xor") != 0)
          g_assert_cmpint (abs (per_class[c] - 1000 / ds->n_classes), <=, 1);
        else
          g_assert_cmpint (per_class[c], >, 400);
    }
  g_assert_false (relief_generator_exists ("mnist"));
}

/* Visits every sample of both splits. */
#define FOR_EACH_SAMPLE(ds, px, py, label, body)                                \
  for (int split_ = 0; split_ < 2; split_++)                                    \
    for (int i_ = 0; i_ < (split_ == 0 ? (ds)->n_train : (ds)->n_test); i_++)   \
      {                                                                         \
        const float *x_ = split_ == 0 ? (ds)->x_train : (ds)->x_test;           \
        double px = x_[2 * i_], py = x_[2 * i_ + 1];                            \
        int label = split_ == 0 ? (ds)->y_train[i_] : (ds)->y_test[i_];         \
        body                                                                    \
      }

static ReliefDataset *
generate_clean (const char *name)
{
  ReliefGeneratorParams params;
  g_autoptr (GError) error = NULL;
  ReliefDataset *ds;

  relief_generator_defaults (name, &params);
  params.noise = 0.0;
  ds = relief_dataset_generate (name, &params, &error);
  g_assert_no_error (error);
  return ds;
}

/* Without noise each generator's points lie exactly on its defining curves. */
static void
test_geometry (void)
{
  g_autoptr (ReliefDataset) moons = generate_clean ("moons");
  g_autoptr (ReliefDataset) circles = generate_clean ("circles");
  g_autoptr (ReliefDataset) xor = generate_clean ("xor");
  g_autoptr (ReliefDataset) spiral = generate_clean ("spiral");
  g_autoptr (ReliefDataset) blobs = generate ("gaussians", 3);
  double sums[3][3] = { { 0 } };

  FOR_EACH_SAMPLE (moons, x, y, c, {
    double r = c == 0 ? hypot (x, y) : hypot (x - 1.0, y - 0.5);
    g_assert_cmpfloat_with_epsilon (r, 1.0, 1e-5);
    g_assert_true (c == 0 ? y >= -1e-6 : y <= 0.5 + 1e-6);
  });
  FOR_EACH_SAMPLE (circles, x, y, c, {
    g_assert_cmpfloat_with_epsilon (hypot (x, y), c == 0 ? 1.0 : 0.5, 1e-5);
  });
  FOR_EACH_SAMPLE (xor, x, y, c, {
    g_assert_cmpfloat (fabs (x), <=, 1.0);
    g_assert_cmpint (c, ==, (x >= 0) != (y >= 0) ? 1 : 0);
  });
  /* theta = 4 class + 4 r, so the angle of (sin, cos) pins the radius. */
  FOR_EACH_SAMPLE (spiral, x, y, c, {
    double r = hypot (x, y);
    double theta = c * 4.0 + 4.0 * r;
    g_assert_cmpfloat (r, <=, 1.0 + 1e-6);
    g_assert_cmpfloat_with_epsilon (x, r * sin (theta), 1e-5);
    g_assert_cmpfloat_with_epsilon (y, r * cos (theta), 1e-5);
  });
  FOR_EACH_SAMPLE (blobs, x, y, c, {
    sums[c][0] += x;
    sums[c][1] += y;
    sums[c][2] += 1;
  });
  for (int c = 0; c < 3; c++)
    {
      double angle = 2.0 * G_PI * c / 3;
      g_assert_cmpfloat_with_epsilon (sums[c][0] / sums[c][2], 2.0 * cos (angle), 0.15);
      g_assert_cmpfloat_with_epsilon (sums[c][1] / sums[c][2], 2.0 * sin (angle), 0.15);
    }
}

static void
test_split (void)
{
  ReliefGeneratorParams params;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) none = NULL;
  g_autoptr (ReliefDataset) small = NULL;

  relief_generator_defaults ("spiral", &params);
  params.test_fraction = 0.0;
  params.n_samples = 333;
  none = relief_dataset_generate ("spiral", &params, &error);
  g_assert_no_error (error);
  g_assert_cmpint (none->n_train, ==, 333);
  g_assert_cmpint (none->n_test, ==, 0);
  g_assert_null (none->x_test);

  /* At least one sample always stays for training. */
  params.n_samples = 3;
  params.n_classes = 2;
  params.test_fraction = 0.9;
  small = relief_dataset_generate ("spiral", &params, &error);
  g_assert_no_error (error);
  g_assert_cmpint (small->n_train, ==, 1);
  g_assert_cmpint (small->n_test, ==, 2);
}

static void
expect_invalid (const char *name, int n_samples, int n_classes, double noise, double test_fraction)
{
  ReliefGeneratorParams params;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) ds = NULL;

  relief_generator_defaults (name, &params);
  if (n_samples != 0)
    params.n_samples = n_samples;
  if (n_classes != 0)
    params.n_classes = n_classes;
  if (!isnan (noise))
    params.noise = noise;
  if (test_fraction != 0)
    params.test_fraction = test_fraction;
  ds = relief_dataset_generate (name, &params, &error);
  g_assert_null (ds);
  g_assert_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID);
}

static void
test_bad_params (void)
{
  ReliefGeneratorParams params;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReliefDataset) ds = NULL;

  expect_invalid ("moons", 1, 0, NAN, 0);
  expect_invalid ("moons", 10000001, 0, NAN, 0);
  expect_invalid ("spiral", 0, 1, NAN, 0);
  expect_invalid ("gaussians", 0, 11, NAN, 0);
  expect_invalid ("moons", 0, 3, NAN, 0);
  expect_invalid ("xor", 0, 0, -0.1, 0);
  expect_invalid ("circles", 0, 0, INFINITY, 0);
  expect_invalid ("spiral", 0, 0, NAN, 0.95);
  expect_invalid ("spiral", 0, 0, NAN, -0.1);

  relief_generator_defaults ("spiral", &params);
  ds = relief_dataset_generate ("swirl", &params, &error);
  g_assert_null (ds);
  g_assert_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "spiral, moons, circles, xor, gaussians"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/generators/deterministic", test_deterministic);
  g_test_add_func ("/generators/counts-and-labels", test_counts_and_labels);
  g_test_add_func ("/generators/geometry", test_geometry);
  g_test_add_func ("/generators/split", test_split);
  g_test_add_func ("/generators/bad-params", test_bad_params);
  return g_test_run ();
}

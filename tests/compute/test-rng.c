/* test-rng.c: Philox against the Random123 known answer, determinism, distributions and
 * permutations. */
#include "relief-rng.h"

#include <math.h>

static void
test_philox_known_answer (void)
{
  guint32 out[4];

  /* Random123's kat_vectors: philox4x32_10, counter 0 and key 0. */
  relief_philox4x32 (0, 0, out);
  g_assert_cmphex (out[0], ==, 0x6627e8d5);
  g_assert_cmphex (out[1], ==, 0xe169c58d);
  g_assert_cmphex (out[2], ==, 0xbc57ac4c);
  g_assert_cmphex (out[3], ==, 0x9b00dbd8);
}

static void
test_determinism (void)
{
  float a[64], b[64], c[64];
  int differing = 0;

  relief_rng_normal_fill (42, 7, a, G_N_ELEMENTS (a));
  relief_rng_normal_fill (42, 7, b, G_N_ELEMENTS (b));
  relief_rng_normal_fill (43, 7, c, G_N_ELEMENTS (c));
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  for (guint i = 0; i < G_N_ELEMENTS (a); i++)
    {
      differing += a[i] != c[i];
      /* A fill is the pure per-element function at offset + i. */
      g_assert_cmpfloat (a[i], ==, relief_rng_normal (42, 7 + i));
    }
  g_assert_cmpint (differing, >, 60);

  g_assert_cmpfloat (relief_rng_uniform (1, 5), ==, relief_rng_uniform (1, 5));
  g_assert_cmpfloat (relief_rng_uniform (1, 5), !=, relief_rng_uniform (2, 5));
  g_assert_cmpuint (relief_rng_derive (1, "init"), ==, relief_rng_derive (1, "init"));
  g_assert_cmpuint (relief_rng_derive (1, "init"), !=, relief_rng_derive (1, "shuffle"));
  g_assert_cmpuint (relief_rng_derive (1, "init"), !=, relief_rng_derive (2, "init"));
}

static void
test_uniform_range (void)
{
  const int n = 100000;
  double sum = 0.0;
  g_autofree float *fill = g_new (float, 1000);

  for (int i = 0; i < n; i++)
    {
      double u = relief_rng_uniform (9, i);

      g_assert_cmpfloat (u, >, 0.0);
      g_assert_cmpfloat (u, <, 1.0);
      sum += u;
    }
  /* The mean of n uniforms has standard deviation 1/sqrt(12 n) ~ 0.0009. */
  g_assert_cmpfloat_with_epsilon (sum / n, 0.5, 0.005);

  relief_rng_uniform_fill (9, 0, -2.0f, 3.0f, fill, 1000);
  for (int i = 0; i < 1000; i++)
    {
      g_assert_cmpfloat (fill[i], >=, -2.0f);
      g_assert_cmpfloat (fill[i], <=, 3.0f);
    }
}

static void
test_normal_moments (void)
{
  const int n = 100000;
  g_autofree float *x = g_new (float, n);
  double sum = 0.0, sum_sq = 0.0, mean, var;

  relief_rng_normal_fill (1234, 0, x, n);
  for (int i = 0; i < n; i++)
    {
      g_assert_true (isfinite (x[i]));
      sum += x[i];
      sum_sq += (double) x[i] * x[i];
    }
  mean = sum / n;
  var = sum_sq / n - mean * mean;
  /* Standard errors: 0.0032 for the mean, 0.0045 for the variance; allow about 4 of them. */
  g_assert_cmpfloat_with_epsilon (mean, 0.0, 0.015);
  g_assert_cmpfloat_with_epsilon (var, 1.0, 0.02);
}

static void
test_permutation (void)
{
  const int sizes[] = { 1, 2, 10, 1000 };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int n = sizes[s];
      g_autofree int *perm = g_new (int, n);
      g_autofree int *again = g_new (int, n);
      g_autofree int *other = g_new (int, n);
      g_autofree gboolean *seen = g_new0 (gboolean, n);
      int moved = 0;

      relief_rng_permutation (5, 3, perm, n);
      relief_rng_permutation (5, 3, again, n);
      relief_rng_permutation (5, 4, other, n);
      g_assert_cmpmem (perm, sizeof (int) * n, again, sizeof (int) * n);
      for (int i = 0; i < n; i++)
        {
          g_assert_cmpint (perm[i], >=, 0);
          g_assert_cmpint (perm[i], <, n);
          g_assert_false (seen[perm[i]]);
          seen[perm[i]] = TRUE;
          moved += perm[i] != other[i];
        }
      /* Another stream gives another order (almost every element moves for large n). */
      if (n == 1000)
        g_assert_cmpint (moved, >, 900);
    }
}

/* A fill large enough to be split across threads gives element i = relief_rng_normal (i),
 * whatever the split. */
static void
test_parallel_fill (void)
{
  const gsize n = ((gsize) 1 << 18) + 12345;
  g_autofree float *x = g_new (float, n);

  relief_rng_normal_fill (99, 7, x, n);
  for (gsize i = 0; i < n; i++)
    if (x[i] != relief_rng_normal (99, 7 + i))
      g_error ("element %zu differs", i);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/compute/rng/philox-known-answer", test_philox_known_answer);
  g_test_add_func ("/compute/rng/determinism", test_determinism);
  g_test_add_func ("/compute/rng/uniform-range", test_uniform_range);
  g_test_add_func ("/compute/rng/normal-moments", test_normal_moments);
  g_test_add_func ("/compute/rng/permutation", test_permutation);
  g_test_add_func ("/compute/rng/parallel-fill", test_parallel_fill);
  return g_test_run ();
}

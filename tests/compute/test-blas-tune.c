/* test-blas-tune.c: when Relief asks OpenBLAS for other kernels, and when it must not. */
#include "relief-blas-tune.h"

static void
test_choose (void)
{
  struct { const char *detected; gboolean avx512, avx2; const char *want; } cases[] = {
    { "Prescott", TRUE, TRUE, "SkylakeX" },      /* Debian 12's OpenBLAS on some Xeons */
    { "Haswell", TRUE, TRUE, "SkylakeX" },
    { "SkylakeX", TRUE, TRUE, NULL },
    { "Cooperlake", TRUE, TRUE, NULL },
    { "sapphirerapids", TRUE, TRUE, NULL },
    { "Prescott", FALSE, TRUE, "Haswell" },
    { "Sandybridge", FALSE, TRUE, "Haswell" },
    { "Zen", FALSE, TRUE, NULL },
    { "Haswell", FALSE, TRUE, NULL },
    { "Core2", FALSE, FALSE, NULL },           /* nothing better to ask for */
    { "", TRUE, TRUE, NULL },
    { NULL, TRUE, TRUE, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (relief_blas_choose_coretype (cases[i].detected, cases[i].avx512, cases[i].avx2), ==,
                     cases[i].want);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/blas-tune/choose", test_choose);
  return g_test_run ();
}

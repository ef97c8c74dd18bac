/* relief-blas-tune.c: see relief-blas-tune.h. */
#include "relief-blas-tune.h"

#include <dlfcn.h>
#include <unistd.h>

/* Cores whose OpenBLAS kernels use AVX-512, and those that use at least AVX2. */
static const char *const avx512_cores[] = { "SkylakeX", "Cooperlake", "SapphireRapids", NULL };
static const char *const avx2_cores[] = { "Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids", NULL };

static gboolean
in_list (const char *name, const char *const *list)
{
  for (int i = 0; list[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, list[i]) == 0)
      return TRUE;
  return FALSE;
}

const char *
relief_blas_choose_coretype (const char *detected, gboolean avx512, gboolean avx2)
{
  if (detected == NULL || *detected == '\0')
    return NULL;
  if (avx512 && !in_list (detected, avx512_cores))
    return "SkylakeX";
  if (!avx512 && avx2 && !in_list (detected, avx2_cores))
    return "Haswell";
  return NULL;
}

const char *
relief_blas_corename (void)
{
  /* Looked up at run time: the build may use another CBLAS, which has no such call. */
  const char *(*corename) (void) = (const char *(*) (void)) dlsym (RTLD_DEFAULT, "openblas_get_corename");

  return corename != NULL ? corename () : NULL;
}

/* relief_blas_choose_coretype for this process: the loaded BLAS's core name (OpenBLAS
 * only) and this CPU.  NULL when there is nothing to gain. */
static const char *
better_coretype (void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  const char *corename = relief_blas_corename ();
  /* SkylakeX kernels need the F, CD, BW, DQ and VL subsets. */
  gboolean avx512 = __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512cd") &&
                    __builtin_cpu_supports ("avx512bw") && __builtin_cpu_supports ("avx512dq") &&
                    __builtin_cpu_supports ("avx512vl");
  gboolean avx2 = __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");

  if (corename == NULL)
    return NULL;
  return relief_blas_choose_coretype (corename, avx512, avx2);
#else
  return NULL;
#endif
}

void
relief_blas_reexec (char **argv)
{
  const char *core;

  if (g_getenv ("OPENBLAS_CORETYPE") != NULL || g_getenv ("RELIEF_NO_REEXEC") != NULL)
    return;
  core = better_coretype ();
  if (core == NULL)
    return;
  g_setenv ("OPENBLAS_CORETYPE", core, TRUE);
  g_setenv ("RELIEF_NO_REEXEC", "1", TRUE);
  execv ("/proc/self/exe", argv);
  g_unsetenv ("OPENBLAS_CORETYPE");
}

typedef struct {
  int  (*get_threads) (void);
  void (*set_threads) (int);
} OpenblasThreads;

/* Looked up at run time as openblas_get_corename is; get_threads NULL without them, or
 * when OpenBLAS threads with OpenMP (openblas_get_parallel 2). */
static const OpenblasThreads *
openblas_threads (void)
{
  static OpenblasThreads calls;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      int (*parallel) (void) = (int (*) (void)) dlsym (RTLD_DEFAULT, "openblas_get_parallel");

      calls.get_threads = (int (*) (void)) dlsym (RTLD_DEFAULT, "openblas_get_num_threads");
      calls.set_threads = (void (*) (int)) dlsym (RTLD_DEFAULT, "openblas_set_num_threads");
      if (parallel == NULL || parallel () != 1 || calls.set_threads == NULL)
        calls.get_threads = NULL;
      g_once_init_leave (&once, 1);
    }
  return &calls;
}

int
relief_blas_threads (void)
{
  const OpenblasThreads *calls = openblas_threads ();

  return calls->get_threads != NULL ? MAX (calls->get_threads (), 1) : 0;
}

static GMutex single_lock;
static int single_depth, saved_threads;

void
relief_blas_single_thread_begin (void)
{
  const OpenblasThreads *calls = openblas_threads ();

  if (calls->get_threads == NULL)
    return;
  g_mutex_lock (&single_lock);
  if (single_depth++ == 0)
    {
      saved_threads = calls->get_threads ();
      calls->set_threads (1);
    }
  g_mutex_unlock (&single_lock);
}

void
relief_blas_single_thread_end (void)
{
  const OpenblasThreads *calls = openblas_threads ();

  if (calls->get_threads == NULL)
    return;
  g_mutex_lock (&single_lock);
  if (--single_depth == 0)
    calls->set_threads (saved_threads);
  g_mutex_unlock (&single_lock);
}

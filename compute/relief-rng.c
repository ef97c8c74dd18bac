/* relief-rng.c: Philox-4x32-10 and the draws built on it.
 *
 * Everything here is a pure function of (seed, index), so a GPU kernel can reproduce any
 * element without replaying a sequence. */
#include "relief-rng.h"

#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

void
relief_philox4x32 (guint64 seed, guint64 counter, guint32 out[4])
{
  guint32 c0 = (guint32) counter, c1 = (guint32) (counter >> 32), c2 = 0, c3 = 0;
  guint32 k0 = (guint32) seed, k1 = (guint32) (seed >> 32);

  for (int round = 0; round < 10; round++)
    {
      guint64 p0 = (guint64) PHILOX_M0 * c0;
      guint64 p1 = (guint64) PHILOX_M1 * c2;
      guint32 n0 = (guint32) (p1 >> 32) ^ c1 ^ k0;
      guint32 n2 = (guint32) (p0 >> 32) ^ c3 ^ k1;

      c1 = (guint32) p1;
      c3 = (guint32) p0;
      c0 = n0;
      c2 = n2;
      k0 += PHILOX_W0;
      k1 += PHILOX_W1;
    }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/* The half offset keeps the result strictly inside (0, 1), so log() is always safe. */
static inline double
word_to_uniform (guint32 u)
{
  return ((double) u + 0.5) / 4294967296.0;
}

/* Four uniforms per Philox block: element i is word i % 4 of block i / 4. */
double
relief_rng_uniform (guint64 seed, guint64 index)
{
  guint32 block[4];

  relief_philox4x32 (seed, index >> 2, block);
  return word_to_uniform (block[index & 3]);
}

float
relief_rng_normal (guint64 seed, guint64 index)
{
  guint32 block[4];
  double radius, angle;

  relief_philox4x32 (seed, index, block);
  radius = sqrt (-2.0 * log (word_to_uniform (block[0])));
  angle = 2.0 * G_PI * word_to_uniform (block[1]);
  return (float) (radius * cos (angle));
}

typedef struct {
  guint64 seed, offset;
  float  *out;
  gsize   n;
} NormalSpan;

static gpointer
normal_span (gpointer data)
{
  NormalSpan *span = data;

  for (gsize i = 0; i < span->n; i++)
    span->out[i] = relief_rng_normal (span->seed, span->offset + i);
  return NULL;
}

/* Large fills are split across the processors: each element is a pure function of its
 * index, so the result does not depend on the split. */
#define NORMAL_FILL_PARALLEL_MIN ((gsize) 1 << 18)
#define NORMAL_FILL_MAX_THREADS 16

void
relief_rng_normal_fill (guint64 seed, guint64 offset, float *out, gsize n)
{
  NormalSpan spans[NORMAL_FILL_MAX_THREADS];
  GThread *threads[NORMAL_FILL_MAX_THREADS] = { NULL };
  guint n_threads = n < NORMAL_FILL_PARALLEL_MIN ? 1
                    : CLAMP (g_get_num_processors (), 1, NORMAL_FILL_MAX_THREADS);
  gsize per = (n + n_threads - 1) / n_threads;

  for (guint t = 0; t < n_threads; t++)
    {
      gsize first = MIN (n, t * per);

      spans[t] = (NormalSpan) { seed, offset + first, out + first, MIN (per, n - first) };
      /* The calling thread takes the first span; a thread that cannot start is done here. */
      if (t > 0)
        threads[t] = g_thread_try_new ("relief-rng", normal_span, &spans[t], NULL);
    }
  normal_span (&spans[0]);
  for (guint t = 1; t < n_threads; t++)
    if (threads[t] != NULL)
      g_thread_join (threads[t]);
    else
      normal_span (&spans[t]);
}

void
relief_rng_uniform_fill (guint64 seed, guint64 offset, float lo, float hi, float *out, gsize n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = (float) (lo + ((double) hi - lo) * relief_rng_uniform (seed, offset + i));
}

static guint64
splitmix64 (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return x ^ (x >> 31);
}

void
relief_rng_permutation (guint64 seed, guint64 stream, int *perm, int n)
{
  guint64 stream_seed = splitmix64 (seed ^ splitmix64 (stream));

  for (int i = 0; i < n; i++)
    perm[i] = i;
  for (int k = n - 1; k > 0; k--)
    {
      int j = (int) (relief_rng_uniform (stream_seed, (guint64) k) * (k + 1));
      int tmp;

      /* (u + 0.5) / 2^32 * (k + 1) stays below k + 1, but keep the bound explicit. */
      j = MIN (j, k);
      tmp = perm[k];
      perm[k] = perm[j];
      perm[j] = tmp;
    }
}

guint64
relief_rng_derive (guint64 seed, const char *purpose)
{
  guint64 hash = G_GUINT64_CONSTANT (0xCBF29CE484222325);

  for (const unsigned char *p = (const unsigned char *) purpose; *p != '\0'; p++)
    {
      hash ^= *p;
      hash *= G_GUINT64_CONSTANT (0x100000001B3);
    }
  return splitmix64 (hash ^ splitmix64 (seed));
}

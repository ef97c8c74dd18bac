/* relief-generators.c: the built-in 2D classification data sets.
 *
 * All randomness comes from relief-rng (counter-based), so a seed names the same samples
 * on every machine; each generator draws from its own derived stream.
 */
#include "relief-generators.h"
#include <glib/gi18n-lib.h>
#include "relief-rng.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (relief-data-error-quark, relief_data_error)

#define MAX_SAMPLES 10000000

typedef void (*GenerateFunc) (const ReliefGeneratorParams *p, guint64 seed, float *x, int32_t *y);

typedef struct {
  const char  *name;
  double       noise;
  int          n_classes;
  gboolean     fixed_classes;  /* two classes only */
  GenerateFunc generate;
} Generator;

/* Karpathy's spiral (cs231n): arm k spans theta in [4k, 4k + 4] as r goes 0..1. */
static void
generate_spiral (const ReliefGeneratorParams *p, guint64 seed, float *x, int32_t *y)
{
  int n = p->n_samples, k = p->n_classes;

  for (int c = 0, i = 0; c < k; c++)
    {
      /* Classes as balanced as n allows: the first n % k arms get one more point. */
      int count = n / k + (c < n % k ? 1 : 0);

      for (int j = 0; j < count; j++, i++)
        {
          double r = count > 1 ? (double) j / (count - 1) : 0.0;
          double theta = c * 4.0 + 4.0 * r + p->noise * relief_rng_normal (seed, (guint64) i);

          x[2 * i] = (float) (r * sin (theta));
          x[2 * i + 1] = (float) (r * cos (theta));
          y[i] = c;
        }
    }
}

/* sklearn's make_moons: the upper half circle and a lower one shifted by (1, -0.5). */
static void
generate_moons (const ReliefGeneratorParams *p, guint64 seed, float *x, int32_t *y)
{
  int n_out = p->n_samples / 2, n_in = p->n_samples - n_out;

  for (int i = 0; i < p->n_samples; i++)
    {
      gboolean outer = i < n_out;
      int j = outer ? i : i - n_out;
      int count = outer ? n_out : n_in;
      double t = count > 1 ? G_PI * j / (count - 1) : 0.0;
      double px = outer ? cos (t) : 1.0 - cos (t);
      double py = outer ? sin (t) : 0.5 - sin (t);

      x[2 * i] = (float) (px + p->noise * relief_rng_normal (seed, 2 * (guint64) i));
      x[2 * i + 1] = (float) (py + p->noise * relief_rng_normal (seed, 2 * (guint64) i + 1));
      y[i] = outer ? 0 : 1;
    }
}

/* sklearn's make_circles with factor 0.5: the inner circle is class 1. */
static void
generate_circles (const ReliefGeneratorParams *p, guint64 seed, float *x, int32_t *y)
{
  int n_out = p->n_samples / 2, n_in = p->n_samples - n_out;

  for (int i = 0; i < p->n_samples; i++)
    {
      gboolean outer = i < n_out;
      int j = outer ? i : i - n_out;
      double t = 2.0 * G_PI * j / (outer ? n_out : n_in);
      double radius = outer ? 1.0 : 0.5;

      x[2 * i] = (float) (radius * cos (t) + p->noise * relief_rng_normal (seed, 2 * (guint64) i));
      x[2 * i + 1] = (float) (radius * sin (t) + p->noise * relief_rng_normal (seed, 2 * (guint64) i + 1));
      y[i] = outer ? 0 : 1;
    }
}

/* Uniform in [-1, 1]^2; class 1 where x and y have opposite signs.  The label comes from
 * the clean point, the jitter is added afterwards, so noise blurs the boundary. */
static void
generate_xor (const ReliefGeneratorParams *p, guint64 seed, float *x, int32_t *y)
{
  guint64 jitter_seed = relief_rng_derive (seed, "jitter");

  for (int i = 0; i < p->n_samples; i++)
    {
      double px = 2.0 * relief_rng_uniform (seed, 2 * (guint64) i) - 1.0;
      double py = 2.0 * relief_rng_uniform (seed, 2 * (guint64) i + 1) - 1.0;

      y[i] = (px >= 0.0) != (py >= 0.0) ? 1 : 0;
      x[2 * i] = (float) (px + p->noise * relief_rng_normal (jitter_seed, 2 * (guint64) i));
      x[2 * i + 1] = (float) (py + p->noise * relief_rng_normal (jitter_seed, 2 * (guint64) i + 1));
    }
}

/* Isotropic blobs of std noise centred on a circle of radius 2. */
static void
generate_gaussians (const ReliefGeneratorParams *p, guint64 seed, float *x, int32_t *y)
{
  int k = p->n_classes;

  for (int i = 0; i < p->n_samples; i++)
    {
      int c = i % k;
      double angle = 2.0 * G_PI * c / k;

      x[2 * i] = (float) (2.0 * cos (angle) + p->noise * relief_rng_normal (seed, 2 * (guint64) i));
      x[2 * i + 1] = (float) (2.0 * sin (angle) + p->noise * relief_rng_normal (seed, 2 * (guint64) i + 1));
      y[i] = c;
    }
}

static const Generator generators[] = {
  { "spiral",    0.2,  3, FALSE, generate_spiral },
  { "moons",     0.1,  2, TRUE,  generate_moons },
  { "circles",   0.05, 2, TRUE,  generate_circles },
  { "xor",       0.05, 2, TRUE,  generate_xor },
  { "gaussians", 0.5,  3, FALSE, generate_gaussians },
};

static const char * const generator_names[] = { "spiral", "moons", "circles", "xor", "gaussians", NULL };

static const Generator *
find_generator (const char *name)
{
  if (name == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (generators); i++)
    if (strcmp (generators[i].name, name) == 0)
      return &generators[i];
  return NULL;
}

const char * const *
relief_generator_names (void)
{
  return generator_names;
}

gboolean
relief_generator_exists (const char *name)
{
  return find_generator (name) != NULL;
}

void
relief_generator_defaults (const char *name, ReliefGeneratorParams *params)
{
  const Generator *gen = find_generator (name);

  params->n_samples = 1000;
  params->noise = gen != NULL ? gen->noise : 0.1;
  params->n_classes = gen != NULL ? gen->n_classes : 2;
  params->seed = 0;
  params->test_fraction = 0.2;
}

static gboolean
check_params (const Generator *gen, const ReliefGeneratorParams *p, GError **error)
{
  if (p->n_samples < 2 || p->n_samples > MAX_SAMPLES)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("The number of samples must be between 2 and %d, not %d"), MAX_SAMPLES, p->n_samples);
      return FALSE;
    }
  if (gen->fixed_classes && p->n_classes != 2)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("The %s data set has 2 classes, not %d"), gen->name, p->n_classes);
      return FALSE;
    }
  if (!gen->fixed_classes && (p->n_classes < 2 || p->n_classes > 10))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("The %s data set takes 2 to 10 classes, not %d"), gen->name, p->n_classes);
      return FALSE;
    }
  if (p->n_samples < p->n_classes)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("%d samples cannot cover %d classes"), p->n_samples, p->n_classes);
      return FALSE;
    }
  if (!(p->noise >= 0.0) || !isfinite (p->noise))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("The noise must be a finite number >= 0, not %g"), p->noise);
      return FALSE;
    }
  if (!(p->test_fraction >= 0.0 && p->test_fraction <= 0.9))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("The test fraction must be between 0 and 0.9, not %g"), p->test_fraction);
      return FALSE;
    }
  return TRUE;
}

ReliefDataset *
relief_dataset_generate (const char *name, const ReliefGeneratorParams *params, GError **error)
{
  const Generator *gen = find_generator (name);
  g_autofree float *x = NULL;
  g_autofree int32_t *y = NULL;
  g_autofree int *perm = NULL;
  ReliefDataset *ds;
  int n, n_test, n_train;

  if (gen == NULL)
    {
      g_autofree char *valid = g_strjoinv (", ", (char **) generator_names);
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND,
                   _("No generator named “%s” (valid: %s)"), name != NULL ? name : "", valid);
      return NULL;
    }
  if (!check_params (gen, params, error))
    return NULL;

  n = params->n_samples;
  x = g_new (float, 2 * (gsize) n);
  y = g_new (int32_t, n);
  gen->generate (params, relief_rng_derive (params->seed, gen->name), x, y);

  /* Shuffle, then the first n_test shuffled samples are the test split; at least one
   * sample always stays for training. */
  n_test = MIN ((int) floor (n * params->test_fraction + 0.5), n - 1);
  n_train = n - n_test;
  perm = g_new (int, n);
  relief_rng_permutation (relief_rng_derive (params->seed, "split"), 0, perm, n);

  ds = relief_dataset_new (gen->name, 2, params->n_classes, n_train, n_test);
  for (int i = 0; i < n; i++)
    {
      int src = perm[i];
      float *dst_x = i < n_test ? ds->x_test + 2 * (gsize) i : ds->x_train + 2 * (gsize) (i - n_test);
      int32_t *dst_y = i < n_test ? ds->y_test + i : ds->y_train + (i - n_test);

      dst_x[0] = x[2 * (gsize) src];
      dst_x[1] = x[2 * (gsize) src + 1];
      *dst_y = y[src];
    }
  ds->mean = 0.0;
  ds->std = 1.0;
  ds->generated = TRUE;
  return ds;
}

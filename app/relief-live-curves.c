#include "relief-config.h"

#include <math.h>

#include "relief-live-curves.h"

/* Consecutive points: the first and last x, and per curve the lowest and highest value
 * with the x where each occurred, so the drawn line visits them in their order. */
typedef struct {
  double x_first, x_last;
} Bucket;

typedef struct {
  double min, max, min_x, max_x;
} Extremes;

struct _ReliefLiveCurves {
  guint     n_curves;
  guint     max_buckets;
  guint64   n_added;
  guint64   span;          /* points per full bucket */
  guint     n_buckets;
  guint     last_count;    /* points in the last bucket, up to span */
  Bucket   *buckets;       /* [max_buckets] */
  Extremes *extremes;      /* [max_buckets, n_curves] */
  gboolean  dirty;
  guint     n_points;
  double   *x;             /* [2 * max_buckets] */
  double   *values;        /* [n_curves, 2 * max_buckets] */
};

ReliefLiveCurves *
relief_live_curves_new (guint n_curves, guint max_buckets)
{
  ReliefLiveCurves *self = g_new0 (ReliefLiveCurves, 1);

  g_return_val_if_fail (n_curves > 0 && max_buckets >= 2, NULL);
  self->n_curves = n_curves;
  /* Even, so that a full set of buckets merges in pairs. */
  self->max_buckets = max_buckets + max_buckets % 2;
  self->buckets = g_new (Bucket, self->max_buckets);
  self->extremes = g_new (Extremes, (gsize) self->max_buckets * n_curves);
  self->x = g_new (double, 2 * self->max_buckets);
  self->values = g_new (double, (gsize) 2 * self->max_buckets * n_curves);
  relief_live_curves_clear (self);
  return self;
}

void
relief_live_curves_free (ReliefLiveCurves *self)
{
  if (self == NULL)
    return;
  g_free (self->buckets);
  g_free (self->extremes);
  g_free (self->x);
  g_free (self->values);
  g_free (self);
}

void
relief_live_curves_clear (ReliefLiveCurves *self)
{
  self->n_added = 0;
  self->span = 1;
  self->n_buckets = 0;
  self->last_count = 0;
  self->n_points = 0;
  self->dirty = FALSE;
}

/* fmin and fmax skip NaN: a curve's missing values do not hide its others. */
static void
merge_extremes (Extremes *into, const Extremes *other)
{
  if (isnan (into->min) || other->min < into->min)
    {
      into->min = other->min;
      into->min_x = other->min_x;
    }
  if (isnan (into->max) || other->max > into->max)
    {
      into->max = other->max;
      into->max_x = other->max_x;
    }
}

/* Every pair of buckets becomes one: half as many, each twice as long. */
static void
halve (ReliefLiveCurves *self)
{
  guint n = self->n_buckets / 2;

  for (guint i = 0; i < n; i++)
    {
      Extremes *dst = self->extremes + (gsize) i * self->n_curves;

      self->buckets[i].x_first = self->buckets[2 * i].x_first;
      self->buckets[i].x_last = self->buckets[2 * i + 1].x_last;
      for (guint c = 0; c < self->n_curves; c++)
        {
          dst[c] = self->extremes[(gsize) 2 * i * self->n_curves + c];
          merge_extremes (&dst[c], &self->extremes[(gsize) (2 * i + 1) * self->n_curves + c]);
        }
    }
  self->n_buckets = n;
  self->span *= 2;
  self->last_count = self->span;
}

void
relief_live_curves_add (ReliefLiveCurves *self, double x, const double *values)
{
  Extremes *e;

  g_return_if_fail (self != NULL && values != NULL);
  if (self->n_buckets == 0 || self->last_count >= self->span)
    {
      if (self->n_buckets == self->max_buckets)
        halve (self);
    }
  if (self->n_buckets == 0 || self->last_count >= self->span)
    {
      self->buckets[self->n_buckets].x_first = x;
      e = self->extremes + (gsize) self->n_buckets * self->n_curves;
      for (guint c = 0; c < self->n_curves; c++)
        e[c] = (Extremes) { values[c], values[c], x, x };
      self->n_buckets++;
      self->last_count = 0;
    }
  else
    {
      e = self->extremes + (gsize) (self->n_buckets - 1) * self->n_curves;
      for (guint c = 0; c < self->n_curves; c++)
        merge_extremes (&e[c], &(Extremes) { values[c], values[c], x, x });
    }
  self->buckets[self->n_buckets - 1].x_last = x;
  self->last_count++;
  self->n_added++;
  self->dirty = TRUE;
}

guint64
relief_live_curves_get_n_added (const ReliefLiveCurves *self)
{
  return self->n_added;
}

/* Each bucket gives its first x with the extreme that came first, and, when it holds
 * more than one point, its last x with the other. */
static void
build_points (ReliefLiveCurves *self)
{
  guint cap = 2 * self->max_buckets;
  guint n = 0;

  for (guint i = 0; i < self->n_buckets; i++)
    {
      const Bucket *b = &self->buckets[i];
      const Extremes *e = self->extremes + (gsize) i * self->n_curves;
      gboolean single = b->x_first == b->x_last;

      for (guint c = 0; c < self->n_curves; c++)
        {
          gboolean min_first = e[c].min_x <= e[c].max_x;

          self->values[(gsize) c * cap + n] = min_first ? e[c].min : e[c].max;
          if (!single)
            self->values[(gsize) c * cap + n + 1] = min_first ? e[c].max : e[c].min;
        }
      self->x[n++] = b->x_first;
      if (!single)
        self->x[n++] = b->x_last;
    }
  self->n_points = n;
  self->dirty = FALSE;
}

const double *
relief_live_curves_get_x (ReliefLiveCurves *self, guint *n_points)
{
  if (self->dirty)
    build_points (self);
  *n_points = self->n_points;
  return self->x;
}

const double *
relief_live_curves_get_values (ReliefLiveCurves *self, guint curve)
{
  g_return_val_if_fail (curve < self->n_curves, NULL);
  if (self->dirty)
    build_points (self);
  return self->values + (gsize) curve * 2 * self->max_buckets;
}

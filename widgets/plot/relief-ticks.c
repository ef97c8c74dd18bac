/* relief-ticks.c: nice tick positions and their labels. */
#include "relief-ticks.h"

#include <math.h>
#include <string.h>

/* The steps 1, 2, 5 x 10^k in increasing order, starting at or below `raw`. */
static double
first_step (double raw)
{
  return pow (10, floor (log10 (raw)));
}

static double
next_step (double step)
{
  double mag = pow (10, floor (log10 (step) + 1e-9));
  double m = step / mag;

  if (m < 1.5)
    return 2 * mag;
  if (m < 3.5)
    return 5 * mag;
  return 10 * mag;
}

int
relief_ticks_nice (double lo, double hi, int max_ticks, double *ticks)
{
  double span = hi - lo, step;
  double first, last;
  int n;

  if (!isfinite (lo) || !isfinite (hi) || hi < lo)
    return 0;
  if (span == 0)
    {
      ticks[0] = lo;
      return 1;
    }
  if (max_ticks < 2)
    max_ticks = 2;

  /* Widen the step until the ticks that cover the range fit.  A range straddling zero
   * always needs three, so past a step of 10 spans we stop asking for fewer. */
  step = first_step (span / max_ticks);
  for (;;)
    {
      first = floor (lo / step + 1e-9);
      last = ceil (hi / step - 1e-9);
      n = (int) (last - first) + 1;
      if (n <= max_ticks || step > 10 * span)
        break;
      step = next_step (step);
    }
  for (int i = 0; i < n; i++)
    {
      double t = (first + i) * step;

      ticks[i] = fabs (t) < 1e-9 * step ? 0.0 : t;
    }
  return n;
}

/* The one format of an axis's labels, from its largest magnitude and its step:
 * scientific with as many mantissa digits as the step resolves, or fixed-point with the
 * decimals the step needs. */
static void
axis_format (double maxabs, double step, char *format, gsize size)
{
  if (maxabs >= 1e6 || step < 1e-4)
    {
      int digits = (int) floor (log10 (maxabs)) - (int) floor (log10 (step) + 1e-9);

      g_snprintf (format, size, "%%.%de", CLAMP (digits, 0, 12));
    }
  else
    {
      int decimals = (int) -floor (log10 (step) + 1e-9);

      g_snprintf (format, size, "%%.%df", CLAMP (decimals, 0, 12));
    }
}

static char *
format_with (double value, double step, const char *format)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  double a = fabs (value);

  if (!isfinite (value))
    return g_strdup (isnan (value) ? "nan" : value > 0 ? "inf" : "\342\210\222inf");
  if (a < 1e-9 * step)
    return g_strdup ("0");
  g_ascii_formatd (buf, sizeof buf, format, a);
  /* Typographic minus, as in matplotlib. */
  return value < 0 ? g_strconcat ("\342\210\222", buf, NULL) : g_strdup (buf);
}

void
relief_tick_labels (const double *values, int n, double step, char **labels)
{
  char format[16];
  double maxabs = 0;

  for (int i = 0; i < n; i++)
    if (isfinite (values[i]))
      maxabs = MAX (maxabs, fabs (values[i]));
  if (!(step > 0) || !isfinite (step))
    step = maxabs > 0 ? maxabs : 1;
  axis_format (maxabs > 1e-9 * step ? maxabs : step, step, format, sizeof format);
  for (int i = 0; i < n; i++)
    labels[i] = format_with (values[i], step, format);
}

/* ---- the ticks of an axis ---- */

void
relief_ticks_clear (ReliefTicks *t)
{
  for (int i = 0; i < t->n; i++)
    g_clear_pointer (&t->label[i], g_free);
  t->n = 0;
  t->n_minor = 0;
}

static gboolean
inside (const ReliefTicks *t, double pos)
{
  double eps = 1e-9 * (t->hi - t->lo);

  return pos >= t->lo - eps && pos <= t->hi + eps;
}

static void
add_minor (ReliefTicks *t, double pos)
{
  if (inside (t, pos) && t->n_minor < RELIEF_TICKS_MINOR_MAX)
    t->minor[t->n_minor++] = pos;
}

/* The finest nice ticks of which at most `target` fall inside [lo, hi], and of those the
 * ones inside: the outer ticks that cover the range stay out of the frame. */
static int
nice_inside (double lo, double hi, int target, double *out)
{
  double t[RELIEF_TICKS_MAX + 4], eps = 1e-9 * (hi - lo);
  int n = 0, kept = 0;

  for (int max = RELIEF_TICKS_MAX; max >= 2; max--)
    {
      int count = 0;

      n = relief_ticks_nice (lo, hi, max, t);
      for (int i = 0; i < n; i++)
        count += t[i] >= lo - eps && t[i] <= hi + eps;
      if (count <= target)
        break;
    }
  for (int i = 0; i < n && kept < RELIEF_TICKS_MAX; i++)
    if (t[i] >= lo - eps && t[i] <= hi + eps)
      out[kept++] = t[i];
  return kept;
}

/* Labels for ticks at values (data units) on a log axis: all scientific when any needs it,
 * else fixed-point with the decimals each value needs (0.01, 0.1, 1, 10). */
static void
log_labels (ReliefTicks *t, const double *values, int n)
{
  gboolean sci = FALSE;

  for (int i = 0; i < n; i++)
    sci |= values[i] >= 1e6 || values[i] < 1e-4;
  for (int i = 0; i < n; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      int decimals = MAX (0, (int) -floor (log10 (values[i]) + 1e-9));

      if (sci)
        g_ascii_formatd (buf, sizeof buf, "%.0e", values[i]);
      else
        {
          char format[16];

          g_snprintf (format, sizeof format, "%%.%df", MIN (decimals, 12));
          g_ascii_formatd (buf, sizeof buf, format, values[i]);
        }
      t->label[t->n + i] = g_strdup (buf);
    }
}

/* Labelled ticks at the multiples m of 10^k inside the axis (m of mantissas), and minor
 * ticks at its other integer multiples; FALSE (nothing added) when there would be fewer
 * than 2 or more than target. */
static gboolean
log_mantissa_ticks (ReliefTicks *t, const int *mantissas, int n_mantissas, int target)
{
  double values[RELIEF_TICKS_MAX];
  int n = 0;

  for (int k = (int) floor (t->lo) - 1; k <= (int) ceil (t->hi); k++)
    for (int m = 1; m <= 9; m++)
      {
        double pos = log10 (m) + k;
        gboolean labelled = FALSE;

        for (int j = 0; j < n_mantissas; j++)
          labelled |= mantissas[j] == m;
        if (!inside (t, pos))
          continue;
        if (labelled && n == MIN (target, RELIEF_TICKS_MAX))
          {
            t->n_minor = 0;
            return FALSE;
          }
        if (labelled)
          {
            t->pos[n] = pos;
            values[n++] = m * pow (10, k);
          }
        else
          add_minor (t, pos);
      }
  if (n < 2)
    {
      t->n_minor = 0;
      return FALSE;
    }
  log_labels (t, values, n);
  t->n = n;
  return TRUE;
}

/* The decades inside the axis, every stride-th (1, 2, 3, 5, 10, 20, ... decades) so that
 * at most target are labelled, and minor ticks at the others, or at 2 to 9 times each
 * decade when every decade is labelled and they are few. */
static void
log_decade_ticks (ReliefTicks *t, int target)
{
  static const int strides[] = { 1, 2, 3, 5, 10, 20, 30, 50, 100 };
  int k0 = (int) ceil (t->lo - 1e-9), k1 = (int) floor (t->hi + 1e-9), stride = 1, n = 0;
  double values[RELIEF_TICKS_MAX];

  for (guint s = 0; s < G_N_ELEMENTS (strides); s++)
    {
      int count = 0;

      stride = strides[s];
      for (int k = k0; k <= k1; k++)
        count += k % stride == 0;
      if (count <= target)
        break;
    }
  for (int k = (int) floor (t->lo); k <= k1; k++)
    {
      if (k >= k0 && k % stride == 0 && n < RELIEF_TICKS_MAX)
        {
          values[n] = pow (10, k);
          t->pos[n++] = k;
        }
      else if (k >= k0)
        add_minor (t, k);
      if (stride == 1 && t->hi - t->lo <= 7)
        for (int m = 2; m <= 9; m++)
          add_minor (t, k + log10 (m));
    }
  log_labels (t, values, n);
  t->n = n;
}

void
relief_ticks_build (ReliefTicks *t, double lo, double hi, gboolean log, int target)
{
  double values[RELIEF_TICKS_MAX];
  int n;

  relief_ticks_clear (t);
  t->lo = lo;
  t->hi = hi;
  t->log = log;
  if (!isfinite (lo) || !isfinite (hi) || !(lo <= hi))
    return;
  target = CLAMP (target, 2, RELIEF_TICKS_MAX - 2);

  if (log)
    {
      static const int fine[] = { 1, 2, 5 }, thirds[] = { 1, 3 };
      int n_decades = (int) floor (hi + 1e-9) - (int) ceil (lo - 1e-9) + 1;

      /* 1, 2 and 5 (or 1 and 3) times each decade, when they fit. */
      if (log_mantissa_ticks (t, fine, G_N_ELEMENTS (fine), target) ||
          log_mantissa_ticks (t, thirds, G_N_ELEMENTS (thirds), target))
        return;
      if (n_decades >= 2 || (n_decades == 1 && hi - lo >= 1))
        {
          log_decade_ticks (t, target);
          return;
        }
      /* Within a decade or so the axis is nearly linear: nice steps in data units. */
      n = nice_inside (pow (10, lo), pow (10, hi), target, values);
      for (int i = 0; i < n; i++)
        if (values[i] > 0)
          t->pos[t->n] = log10 (values[i]), values[t->n++] = values[i];
      relief_tick_labels (values, t->n, t->n > 1 ? values[1] - values[0] : values[0], t->label);
      return;
    }
  n = nice_inside (lo, hi, target, values);
  memcpy (t->pos, values, n * sizeof (double));
  /* A lone tick's label needs the digits of its own value. */
  relief_tick_labels (values, n, n > 1 ? values[1] - values[0] : fabs (values[0]) > 0 ? fabs (values[0]) : hi - lo,
                      t->label);
  t->n = n;
}

/* relief-ticks.c: nice tick positions and their labels. */
#include "relief-ticks.h"

#include <math.h>

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

char *
relief_tick_format (double value, double step)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[16];
  double a = fabs (value);

  if (!isfinite (value))
    return g_strdup (isnan (value) ? "nan" : value > 0 ? "inf" : "\342\210\222inf");
  if (!(step > 0) || !isfinite (step))
    step = a > 0 ? a : 1;
  if (a < 1e-9 * step)
    return g_strdup ("0");

  if (a >= 1e6 || step < 1e-4)
    {
      /* Scientific: as many mantissa digits as the step resolves. */
      int digits = (int) floor (log10 (a)) - (int) floor (log10 (step) + 1e-9);

      g_snprintf (format, sizeof format, "%%.%de", CLAMP (digits, 0, 12));
    }
  else
    {
      int decimals = (int) -floor (log10 (step) + 1e-9);

      g_snprintf (format, sizeof format, "%%.%df", CLAMP (decimals, 0, 12));
    }
  g_ascii_formatd (buf, sizeof buf, format, a);
  /* Typographic minus, as in matplotlib. */
  return value < 0 ? g_strconcat ("\342\210\222", buf, NULL) : g_strdup (buf);
}

/* relief-ticks.h: nice tick positions and their labels. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Labelled ticks an axis holds at most, and unlabelled minor ones (log axes). */
#define RELIEF_TICKS_MAX       12
#define RELIEF_TICKS_MINOR_MAX 64

/* The ticks of one axis, all inside [lo, hi]: labelled ones, in one format for the axis,
 * and on a log axis the unlabelled minor ones between them. */
typedef struct {
  double lo, hi;                         /* limits in axis units (log10 of data when log) */
  gboolean log;
  int n;
  double pos[RELIEF_TICKS_MAX];          /* in axis units, increasing */
  char *label[RELIEF_TICKS_MAX];
  int n_minor;
  double minor[RELIEF_TICKS_MINOR_MAX];  /* in axis units */
} ReliefTicks;

/* The ticks of an axis from lo to hi (log10 of the data limits when log) with about
 * `target` labels (2 to 10).  A linear axis: nice steps (1, 2, 5 x 10^k).  A log axis
 * spanning decades: 1, 2 and 5 (or 1 and 3) times each decade when they fit, else the
 * decades (every k-th when crowded, spread over the whole range), minor ticks at the other
 * integer multiples or the skipped decades; within a decade: nice steps in data units. */
void     relief_ticks_build (ReliefTicks *t, double lo, double hi, gboolean log, int target);
void     relief_ticks_clear (ReliefTicks *t);

/* "Nice" tick positions (1, 2, 5 x 10^k) covering [lo, hi]: at most max_ticks, at least 2
 * when lo < hi.  Returns the number written to ticks (capacity max_ticks + 2). */
int      relief_ticks_nice (double lo, double hi, int max_ticks, double *ticks);
/* Labels of n ticks step apart in one format, chosen from the largest of them and the
 * step: all fixed-point with the decimals the step needs, or all scientific with the same
 * mantissa digits (from 10^6 up, or for steps below 10^-4). */
void     relief_tick_labels (const double *values, int n, double step, char **labels);

G_END_DECLS

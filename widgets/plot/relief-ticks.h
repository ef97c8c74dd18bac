/* relief-ticks.h: nice tick positions and their labels. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "Nice" tick positions (1, 2, 5 x 10^k) covering [lo, hi]: at most max_ticks, at least 2
 * when lo < hi.  Returns the number written to ticks (capacity max_ticks + 2). */
int      relief_ticks_nice (double lo, double hi, int max_ticks, double *ticks);
/* Tick label with just enough digits for the step between ticks. */
char    *relief_tick_format (double value, double step);

G_END_DECLS

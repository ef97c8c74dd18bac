/* relief-rng.h: counter-based random numbers (Philox-4x32-10).
 *
 * Every random draw in Relief is a pure function of (seed, counter), so the same seed
 * gives the same initial weights, mini-batch order and directions on every backend and
 * every thread count.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Four 32-bit words for a (seed, counter) pair. */
void     relief_philox4x32 (guint64 seed, guint64 counter, guint32 out[4]);
/* Uniform in (0, 1), never 0 or 1. */
double   relief_rng_uniform (guint64 seed, guint64 index);
/* Standard normal (Box-Muller on the uniforms of one Philox block). */
float    relief_rng_normal  (guint64 seed, guint64 index);
void     relief_rng_normal_fill  (guint64 seed, guint64 offset, float *out, gsize n);
void     relief_rng_uniform_fill (guint64 seed, guint64 offset, float lo, float hi, float *out, gsize n);
/* Fisher-Yates permutation of 0..n-1 drawn from (seed, stream). */
void     relief_rng_permutation (guint64 seed, guint64 stream, int *perm, int n);
/* Derive an independent seed for a named purpose ("init", "shuffle", "xdir", ...). */
guint64  relief_rng_derive (guint64 seed, const char *purpose);

G_END_DECLS

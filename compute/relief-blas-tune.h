/* relief-blas-tune.h: choosing OpenBLAS's kernels when its own CPU detection falls short.
 *
 * Debian 12's OpenBLAS 0.3.21 takes some AVX-512 Xeons for a 'Prescott' and multiplies
 * float32 matrices several times slower than the same library forced to its SkylakeX
 * kernels (OPENBLAS_CORETYPE), which it reads only when it loads: so the choice is made
 * before, by re-executing the program with the variable set (relief_blas_reexec).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The kernels to ask for, given the core OpenBLAS detected and what the CPU supports:
 * "SkylakeX" for an AVX-512 CPU, "Haswell" for an AVX2 one, when the detected core is
 * older; NULL when the detection is already right (or unknown: never guess). */
const char *relief_blas_choose_coretype (const char *detected, gboolean avx512, gboolean avx2);

/* At the top of main(): when OpenBLAS took this CPU for an older one, runs the program again
 * with the right kernels (once: RELIEF_NO_REEXEC).  A user's own OPENBLAS_CORETYPE always
 * wins; without /proc it returns and the kernels already loaded stay. */
void        relief_blas_reexec (char **argv);

/* The core whose kernels the loaded OpenBLAS runs ("Zen", "SkylakeX"), NULL for another
 * BLAS. */
const char *relief_blas_corename (void);

/* The threads the loaded BLAS runs its products on: OpenBLAS's own count when it is
 * OpenBLAS with its pthreads server, 0 when the BLAS cannot say or threads with OpenMP
 * (whose count a thread of ours cannot set). */
int         relief_blas_threads (void);

/* Between these, OpenBLAS runs each product on the calling thread alone, so that threads
 * of our own can share the cores without its threads on top of them; nested pairs (from
 * several threads) are counted and the first count comes back at the last end.  Global to
 * the process: other BLAS users meanwhile run single-threaded too.  No effect where
 * relief_blas_threads() is 0. */
void        relief_blas_single_thread_begin (void);
void        relief_blas_single_thread_end   (void);

G_END_DECLS

/* relief-race.h: optimizers racing on analytic functions of (x, y), for lessons.
 *
 * Functions are built-ins or expressions typed by the user (relief-expr.h); every racer
 * steps with the backend's own optimizer step (relief-backend.h's optimizer_step, n = 2),
 * the same update code as the trainers. */
#pragma once

#include <glib.h>
#include "relief-backend.h"

G_BEGIN_DECLS

typedef struct _ReliefFunction ReliefFunction;

/* A built-in by name: quadratic (with condition number kappa and rotation theta, radians),
 * rosenbrock, beale, himmelblau, booth, saddle, monkey_saddle, rastrigin, styblinski_tang,
 * six_hump_camel; or an expression in x and y ("x^2 + 3*sin(y)").  A bad expression fails
 * with the column of the bad character in the message ("column 7: unexpected ')'"). */
ReliefFunction *relief_function_new_builtin (const char *name, double kappa, double theta, GError **error);
ReliefFunction *relief_function_new_expression (const char *expression, GError **error);
void            relief_function_free (ReliefFunction *f);
const char     *relief_function_name (const ReliefFunction *f);        /* the built-in's name or the expression */
/* NULL-terminated list of built-in names (static). */
const char *const *relief_function_builtins (void);
/* The value, exact gradient [2] and Hessian [2][2] (row-major, may be NULL) at (x, y). */
double          relief_function_eval (const ReliefFunction *f, double x, double y, double grad[2], double hess[4]);
/* A view rectangle that shows the function's interesting part, and its known minimum (or
 * NaN when none is known). */
void            relief_function_default_view (const ReliefFunction *f, double *xmin, double *xmax,
                                              double *ymin, double *ymax);
void            relief_function_default_start (const ReliefFunction *f, double *x, double *y);

typedef struct {
  char                 *name;      /* as given: "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "sign" */
  ReliefOptimizerConfig config;    /* kind, lr, momentum, betas, eps, weight_decay */
} ReliefRacer;

/* Parses an optimizer name as the CLI and the lesson file spell it. */
gboolean relief_racer_init (ReliefRacer *racer, const char *name, double lr, GError **error);
void     relief_racer_clear (ReliefRacer *racer);

/* A race in progress: every racer from the same start, one step at a time. */
typedef struct _ReliefRace ReliefRace;

ReliefRace *relief_race_new (ReliefBackend *backend, const ReliefFunction *f, const ReliefRacer *racers, int n_racers,
                             double x0, double y0, GError **error);
void        relief_race_free (ReliefRace *race);
/* Advances every live racer by n steps.  A racer whose point, loss or gradient stops being
 * finite, or that leaves |x|,|y| > 1e6, is marked diverged at that step and stops. */
gboolean    relief_race_step (ReliefRace *race, int n, GError **error);
void        relief_race_reset (ReliefRace *race, double x0, double y0);
int         relief_race_n_racers (const ReliefRace *race);
gint64      relief_race_n_steps (const ReliefRace *race);          /* steps taken so far */
/* Racer i's path [n_steps + 1, 2] (row 0 the start) and loss [n_steps + 1]; valid until the
 * next step or reset.  diverged_at: the step at which it diverged, -1 when it has not. */
const double *relief_race_path (const ReliefRace *race, int i, gint64 *n_points);
const double *relief_race_loss (const ReliefRace *race, int i);
gint64      relief_race_diverged_at (const ReliefRace *race, int i);

/* For the quadratic 0.5 * p^T A p: lambda_max of A; 2 / lambda_max is GD's stability limit,
 * 2 (1 + beta) / lambda_max heavy ball's.  NaN for other functions. */
double      relief_function_lambda_max (const ReliefFunction *f);

/* Additions to the declarations above.
 *
 * The quadratic is 0.5 p^T A p with A = R(theta) diag(1, kappa) R(theta)^T: eigenvalues 1
 * and kappa (kappa >= 1, the condition number), so lambda_max = kappa and the eigenvector
 * of kappa is (-sin theta, cos theta), the steep wall of the ravine.
 *
 * A racer's point lives in float32 backend buffers, as the trainers' parameters do; its
 * gradient is computed in double on the host at that float point and uploaded.  A racer's
 * path holds only its points before divergence: when step t diverges, diverged_at is t and
 * the path (and loss) has t points, all finite.  A start where the function is not finite
 * is diverged_at 0 with the start as the only point. */

/* A built-in when name_or_expression is one of relief_function_builtins(), otherwise an
 * expression. */
ReliefFunction *relief_function_new (const char *name_or_expression, double kappa, double theta, GError **error);
gboolean        relief_function_is_builtin (const ReliefFunction *f);
/* A global minimum (one of them for himmelblau and six_hump_camel); FALSE when the function
 * has none or none is known (saddles, expressions). */
gboolean        relief_function_minimum (const ReliefFunction *f, double *x, double *y);
/* Every global minimum of the built-in called name, at most max of them into xy [max, 2]
 * (the first is relief_function_minimum's); 0 for an expression or a function without
 * one (the saddles). */
int             relief_function_builtin_minima (const char *name, double *xy, int max);
ReliefFunction *relief_function_copy (const ReliefFunction *f);
/* The default learning rate of an optimizer name (torch's where it has one: adam, adamw
 * 1e-3, adagrad, rmsprop 1e-2; gd, sgd, momentum, nesterov, sign 1e-2); NaN for an
 * unknown name.  relief_racer_init takes it for an lr that is NaN. */
double          relief_racer_default_lr (const char *name);
/* Racer i as passed to relief_race_new. */
const ReliefRacer *relief_race_racer (const ReliefRace *race, int i);
const ReliefFunction *relief_race_function (const ReliefRace *race);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefFunction, relief_function_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefRace, relief_race_free)

G_END_DECLS

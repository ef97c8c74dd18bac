/* relief-race.c: analytic functions of (x, y) with closed-form derivatives, and racers
 * stepped by the backend's optimizer step (see relief-race.h). */
#include "relief-race.h"
#include "relief-expr.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <math.h>
#include <string.h>

/* A racer beyond this is called diverged (relief-race.h). */
#define DIVERGED_BEYOND 1e6

typedef double (*EvalFunc) (const ReliefFunction *f, double x, double y, double g[2], double h[4]);

typedef struct {
  const char *name;
  EvalFunc    eval;
  double      view[4];    /* xmin, xmax, ymin, ymax */
  double      start[2];
  int         n_minima;   /* its global minima (0: none, the saddles) */
  double      minima[4][2];
} Builtin;

struct _ReliefFunction {
  char            *name;
  const Builtin   *builtin;   /* NULL for an expression */
  ReliefExpr      *expr;
  double           kappa, theta;
  double           a[3];      /* the quadratic's A: a11, a12, a22 */
};

static double
eval_quadratic (const ReliefFunction *f, double x, double y, double g[2], double h[4])
{
  g[0] = f->a[0] * x + f->a[1] * y;
  g[1] = f->a[1] * x + f->a[2] * y;
  h[0] = f->a[0];
  h[1] = h[2] = f->a[1];
  h[3] = f->a[2];
  return 0.5 * (x * g[0] + y * g[1]);
}

/* (1 - x)^2 + 100 (y - x^2)^2 */
static double
eval_rosenbrock (const ReliefFunction *f, double x, double y, double g[2], double h[4])
{
  double r = y - x * x;

  g[0] = -2 * (1 - x) - 400 * x * r;
  g[1] = 200 * r;
  h[0] = 2 - 400 * y + 1200 * x * x;
  h[1] = h[2] = -400 * x;
  h[3] = 200;
  return (1 - x) * (1 - x) + 100 * r * r;
}

/* sum over k = 1..3 of t_k^2, t_k = c_k - x + x y^k, c = (1.5, 2.25, 2.625) */
static double
eval_beale (const ReliefFunction *f, double x, double y, double g[2], double h[4])
{
  static const double c[3] = { 1.5, 2.25, 2.625 };
  double value = 0;

  g[0] = g[1] = h[0] = h[1] = h[3] = 0;
  for (int k = 1; k <= 3; k++)
    {
      double yk = pow (y, k), yk1 = pow (y, k - 1), yk2 = k >= 2 ? pow (y, k - 2) : 0;
      double t = c[k - 1] - x + x * yk;
      double tx = yk - 1, ty = k * x * yk1;          /* dt/dx, dt/dy */
      double txy = k * yk1, tyy = k * (k - 1) * x * yk2;

      value += t * t;
      g[0] += 2 * t * tx;
      g[1] += 2 * t * ty;
      h[0] += 2 * tx * tx;
      h[1] += 2 * (tx * ty + t * txy);
      h[3] += 2 * (ty * ty + t * tyy);
    }
  h[2] = h[1];
  return value;
}

/* (x^2 + y - 11)^2 + (x + y^2 - 7)^2 */
static double
eval_himmelblau (const ReliefFunction *f, double x, double y, double g[2], double h[4])
{
  double a = x * x + y - 11, b = x + y * y - 7;

  g[0] = 4 * x * a + 2 * b;
  g[1] = 2 * a + 4 * y * b;
  h[0] = 4 * a + 8 * x * x + 2;
  h[1] = h[2] = 4 * x + 4 * y;
  h[3] = 2 + 4 * b + 8 * y * y;
  return a * a + b * b;
}

/* (x + 2y - 7)^2 + (2x + y - 5)^2 */
static double
eval_booth (const ReliefFunction *f, double x, double y, double g[2], double h[4])
{
  double a = x + 2 * y - 7, b = 2 * x + y - 5;

  g[0] = 2 * a + 4 * b;
  g[1] = 4 * a + 2 * b;
  h[0] = 10;
  h[1] = h[2] = 8;
  h[3] = 10;
  return a * a + b * b;
}

/* x^2 - y^2 */
static double
eval_saddle (const ReliefFunction *f, double x, double y, double g[2], double h[4])
{
  g[0] = 2 * x;
  g[1] = -2 * y;
  h[0] = 2;
  h[1] = h[2] = 0;
  h[3] = -2;
  return x * x - y * y;
}

/* x^3 - 3 x y^2 */
static double
eval_monkey_saddle (const ReliefFunction *f, double x, double y, double g[2], double h[4])
{
  g[0] = 3 * x * x - 3 * y * y;
  g[1] = -6 * x * y;
  h[0] = 6 * x;
  h[1] = h[2] = -6 * y;
  h[3] = -6 * x;
  return x * x * x - 3 * x * y * y;
}

/* 20 + sum (x_i^2 - 10 cos (2 pi x_i)) */
static double
eval_rastrigin (const ReliefFunction *f, double x, double y, double g[2], double h[4])
{
  const double w = 2 * G_PI;

  g[0] = 2 * x + 10 * w * sin (w * x);
  g[1] = 2 * y + 10 * w * sin (w * y);
  h[0] = 2 + 10 * w * w * cos (w * x);
  h[1] = h[2] = 0;
  h[3] = 2 + 10 * w * w * cos (w * y);
  return 20 + x * x - 10 * cos (w * x) + y * y - 10 * cos (w * y);
}

/* 0.5 sum (x_i^4 - 16 x_i^2 + 5 x_i) */
static double
eval_styblinski_tang (const ReliefFunction *f, double x, double y, double g[2], double h[4])
{
  g[0] = 2 * x * x * x - 16 * x + 2.5;
  g[1] = 2 * y * y * y - 16 * y + 2.5;
  h[0] = 6 * x * x - 16;
  h[1] = h[2] = 0;
  h[3] = 6 * y * y - 16;
  return 0.5 * (x * x * x * x - 16 * x * x + 5 * x + y * y * y * y - 16 * y * y + 5 * y);
}

/* (4 - 2.1 x^2 + x^4 / 3) x^2 + x y + (-4 + 4 y^2) y^2 */
static double
eval_six_hump_camel (const ReliefFunction *f, double x, double y, double g[2], double h[4])
{
  double x2 = x * x, y2 = y * y;

  g[0] = 8 * x - 8.4 * x2 * x + 2 * x2 * x2 * x + y;
  g[1] = x - 8 * y + 16 * y2 * y;
  h[0] = 8 - 25.2 * x2 + 10 * x2 * x2;
  h[1] = h[2] = 1;
  h[3] = -8 + 48 * y2;
  return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2;
}

#define NONE 0, { { 0 } }

/* Views and minima from the usual test-function references (Surjanovic and Bingham's
 * library); the starts are those of the familiar race animations where there is one
 * (Rosenbrock from (-1.5, 2), Beale from (1, 1.5)), otherwise a point from which the
 * optimizers visibly part. */
static const Builtin builtins[] = {
  { "quadratic",       eval_quadratic,       { -5, 5, -5, 5 },              { -4, 2 },       1, { { 0, 0 } } },
  { "rosenbrock",      eval_rosenbrock,      { -2, 2, -1, 3 },              { -1.5, 2 },     1, { { 1, 1 } } },
  { "beale",           eval_beale,           { -4.5, 4.5, -4.5, 4.5 },      { 1, 1.5 },      1, { { 3, 0.5 } } },
  { "himmelblau",      eval_himmelblau,      { -5, 5, -5, 5 },              { 0, 0 },        4, { { 3, 2 }, { -2.805118086952745, 3.131312518250573 },
                                                                                            { -3.779310253377747, -3.283185991286170 },
                                                                                            { 3.584428340330492, -1.848126526964404 } } },
  { "booth",           eval_booth,           { -10, 10, -10, 10 },          { -5, -5 },      1, { { 1, 3 } } },
  { "saddle",          eval_saddle,          { -2, 2, -2, 2 },              { -1.5, 0.01 },  NONE },
  { "monkey_saddle",   eval_monkey_saddle,   { -2, 2, -2, 2 },              { 1.5, 0.1 },    NONE },
  { "rastrigin",       eval_rastrigin,       { -5.12, 5.12, -5.12, 5.12 },  { -3.2, 2.7 },   1, { { 0, 0 } } },
  { "styblinski_tang", eval_styblinski_tang, { -5, 5, -5, 5 },              { 4.5, 0.3 },    1, { { -2.903534027771178, -2.903534027771178 } } },
  { "six_hump_camel",  eval_six_hump_camel,  { -3, 3, -2, 2 },              { -1.5, -1.2 },  2, { { 0.08984201368301331, -0.7126564032704135 },
                                                                                            { -0.08984201368301331, 0.7126564032704135 } } },
};

static const char *const builtin_names[] = {
  "quadratic", "rosenbrock", "beale", "himmelblau", "booth", "saddle", "monkey_saddle", "rastrigin",
  "styblinski_tang", "six_hump_camel", NULL,
};

G_STATIC_ASSERT (G_N_ELEMENTS (builtin_names) == G_N_ELEMENTS (builtins) + 1);

const char *const *
relief_function_builtins (void)
{
  return builtin_names;
}

static const Builtin *
find_builtin (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (builtins); i++)
    if (g_str_equal (builtins[i].name, name))
      return &builtins[i];
  return NULL;
}

ReliefFunction *
relief_function_new_builtin (const char *name, double kappa, double theta, GError **error)
{
  const Builtin *b;
  ReliefFunction *f;

  g_return_val_if_fail (name != NULL, NULL);

  b = find_builtin (name);
  if (b == NULL)
    {
      g_autofree char *valid = g_strjoinv (", ", (char **) builtin_names);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown function \"%s\" (valid: %s)"), name,
                   valid);
      return NULL;
    }
  if (b->eval == eval_quadratic && (!isfinite (kappa) || kappa < 1 || kappa > 1e12 || !isfinite (theta)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The quadratic's condition number must be between 1 and 1e12 and its angle finite "
                     "(got %g and %g)"), kappa, theta);
      return NULL;
    }
  f = g_new0 (ReliefFunction, 1);
  f->name = g_strdup (name);
  f->builtin = b;
  f->kappa = kappa;
  f->theta = theta;
  if (b->eval == eval_quadratic)
    {
      /* A = R diag (1, kappa) R^T, R the rotation by theta. */
      double c = cos (theta), s = sin (theta);

      f->a[0] = c * c + kappa * s * s;
      f->a[1] = c * s * (1 - kappa);
      f->a[2] = s * s + kappa * c * c;
    }
  return f;
}

ReliefFunction *
relief_function_new_expression (const char *expression, GError **error)
{
  ReliefExpr *expr;
  ReliefFunction *f;

  g_return_val_if_fail (expression != NULL, NULL);

  expr = relief_expr_parse (expression, error);
  if (expr == NULL)
    return NULL;
  f = g_new0 (ReliefFunction, 1);
  f->name = g_strdup (expression);
  f->expr = expr;
  f->kappa = f->theta = NAN;
  return f;
}

ReliefFunction *
relief_function_new (const char *name_or_expression, double kappa, double theta, GError **error)
{
  g_return_val_if_fail (name_or_expression != NULL, NULL);

  if (find_builtin (name_or_expression) != NULL)
    return relief_function_new_builtin (name_or_expression, kappa, theta, error);
  return relief_function_new_expression (name_or_expression, error);
}

ReliefFunction *
relief_function_copy (const ReliefFunction *f)
{
  g_autoptr(GError) error = NULL;
  ReliefFunction *copy;

  if (f->builtin != NULL)
    copy = relief_function_new_builtin (f->name, f->kappa, f->theta, &error);
  else
    copy = relief_function_new_expression (f->name, &error);
  /* f was made from the same arguments, so they parse again. */
  g_assert_no_error (error);
  return copy;
}

void
relief_function_free (ReliefFunction *f)
{
  if (f == NULL)
    return;
  g_clear_pointer (&f->expr, relief_expr_free);
  g_free (f->name);
  g_free (f);
}

const char *
relief_function_name (const ReliefFunction *f)
{
  return f->name;
}

gboolean
relief_function_is_builtin (const ReliefFunction *f)
{
  return f->builtin != NULL;
}

double
relief_function_eval (const ReliefFunction *f, double x, double y, double grad[2], double hess[4])
{
  double g[2], h[4];
  double value;

  if (f->builtin != NULL)
    value = f->builtin->eval (f, x, y, g, h);
  else
    value = relief_expr_eval (f->expr, x, y, g, h);
  if (grad != NULL)
    memcpy (grad, g, sizeof g);
  if (hess != NULL)
    memcpy (hess, h, sizeof h);
  return value;
}

void
relief_function_default_view (const ReliefFunction *f, double *xmin, double *xmax, double *ymin, double *ymax)
{
  static const double expression_view[4] = { -3, 3, -3, 3 };
  const double *v = f->builtin != NULL ? f->builtin->view : expression_view;

  *xmin = v[0];
  *xmax = v[1];
  *ymin = v[2];
  *ymax = v[3];
}

void
relief_function_default_start (const ReliefFunction *f, double *x, double *y)
{
  if (f->builtin != NULL)
    {
      *x = f->builtin->start[0];
      *y = f->builtin->start[1];
    }
  else
    {
      *x = -2;
      *y = 2;
    }
}

gboolean
relief_function_minimum (const ReliefFunction *f, double *x, double *y)
{
  if (f->builtin == NULL || f->builtin->n_minima == 0)
    return FALSE;
  *x = f->builtin->minima[0][0];
  *y = f->builtin->minima[0][1];
  return TRUE;
}

int
relief_function_builtin_minima (const char *name, double *xy, int max)
{
  for (guint k = 0; k < G_N_ELEMENTS (builtins); k++)
    if (strcmp (builtins[k].name, name) == 0)
      {
        int n = MIN (builtins[k].n_minima, max);

        for (int i = 0; i < n; i++)
          {
            xy[2 * i] = builtins[k].minima[i][0];
            xy[2 * i + 1] = builtins[k].minima[i][1];
          }
        return n;
      }
  return 0;
}

double
relief_function_lambda_max (const ReliefFunction *f)
{
  if (f->builtin == NULL || f->builtin->eval != eval_quadratic)
    return NAN;
  return f->kappa;
}

/* Racers. */

static const struct {
  const char         *name;
  ReliefOptimizerKind kind;
  double              lr;
} optimizer_names[] = {
  { "gd", RELIEF_OPT_SGD, 1e-2 },
  { "sgd", RELIEF_OPT_SGD, 1e-2 },
  { "momentum", RELIEF_OPT_MOMENTUM, 1e-2 },
  { "nesterov", RELIEF_OPT_NESTEROV, 1e-2 },
  { "adagrad", RELIEF_OPT_ADAGRAD, 1e-2 },
  { "rmsprop", RELIEF_OPT_RMSPROP, 1e-2 },
  { "adam", RELIEF_OPT_ADAM, 1e-3 },
  { "adamw", RELIEF_OPT_ADAMW, 1e-3 },
  { "sign", RELIEF_OPT_SIGN, 1e-2 },
};

static int
find_optimizer (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (optimizer_names); i++)
    if (g_str_equal (optimizer_names[i].name, name))
      return (int) i;
  return -1;
}

double
relief_racer_default_lr (const char *name)
{
  int i = find_optimizer (name);

  return i < 0 ? NAN : optimizer_names[i].lr;
}

gboolean
relief_racer_init (ReliefRacer *racer, const char *name, double lr, GError **error)
{
  int i;

  g_return_val_if_fail (racer != NULL && name != NULL, FALSE);

  memset (racer, 0, sizeof *racer);
  i = find_optimizer (name);
  if (i < 0)
    {
      GString *valid = g_string_new (NULL);

      for (gsize k = 0; k < G_N_ELEMENTS (optimizer_names); k++)
        g_string_append_printf (valid, "%s%s", k > 0 ? ", " : "", optimizer_names[k].name);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown optimizer \"%s\" (valid: %s)"), name,
                   valid->str);
      g_string_free (valid, TRUE);
      return FALSE;
    }
  if (isnan (lr))
    lr = optimizer_names[i].lr;
  if (!(lr > 0) || !(lr <= G_MAXFLOAT))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The learning rate of %s must be a positive number (got %g)"), name, lr);
      return FALSE;
    }
  racer->name = g_strdup (name);
  racer->config.lr = (float) lr;
  /* torch's AdamW decays by 0.01 unless told otherwise; the others not at all. */
  racer->config.weight_decay = optimizer_names[i].kind == RELIEF_OPT_ADAMW ? 0.01f : 0.0f;
  relief_optimizer_config_set_kind (&racer->config, optimizer_names[i].kind);
  return TRUE;
}

void
relief_racer_clear (ReliefRacer *racer)
{
  g_clear_pointer (&racer->name, g_free);
}

/* The race. */

typedef struct {
  ReliefRacer racer;
  float      *params, *grad, *state;    /* backend buffers: 2, 2 and 2 * state size floats */
  GArray     *path;                     /* double, two per point */
  GArray     *loss;                     /* double */
  gint64      diverged_at;
  gint64      t;                        /* optimizer steps taken */
} Runner;

struct _ReliefRace {
  ReliefBackend  *backend;
  ReliefFunction *f;
  Runner         *runners;
  int             n;
  gint64          steps;
  GError         *pending;              /* a reset's backend failure, reported by the next step */
};

static gboolean
point_ok (double x, double y, double loss)
{
  return isfinite (x) && isfinite (y) && isfinite (loss) && fabs (x) <= DIVERGED_BEYOND &&
         fabs (y) <= DIVERGED_BEYOND;
}

static gboolean
runner_start (ReliefRace *race, Runner *r, double x0, double y0, GError **error)
{
  float p[2] = { (float) x0, (float) y0 };
  gsize state_bytes = (gsize) relief_optimizer_state_size (r->racer.config.kind) * 2 * sizeof (float);
  double x = p[0], y = p[1], loss;
  g_autofree float *zeros = g_malloc0 (MAX (state_bytes, sizeof (float)));

  g_array_set_size (r->path, 0);
  g_array_set_size (r->loss, 0);
  r->t = 0;
  r->diverged_at = -1;
  loss = relief_function_eval (race->f, x, y, NULL, NULL);
  g_array_append_val (r->path, x);
  g_array_append_val (r->path, y);
  g_array_append_val (r->loss, loss);
  if (!point_ok (x, y, loss))
    r->diverged_at = 0;
  return race->backend->upload (race->backend, r->params, p, sizeof p, error) &&
         race->backend->upload (race->backend, r->state, zeros, MAX (state_bytes, sizeof (float)), error);
}

ReliefRace *
relief_race_new (ReliefBackend *backend, const ReliefFunction *f, const ReliefRacer *racers, int n_racers,
                 double x0, double y0, GError **error)
{
  g_autoptr(ReliefRace) race = NULL;

  g_return_val_if_fail (backend != NULL && f != NULL && n_racers >= 0, NULL);
  g_return_val_if_fail (n_racers == 0 || racers != NULL, NULL);

  race = g_new0 (ReliefRace, 1);
  race->backend = backend;
  race->f = relief_function_copy (f);
  race->runners = g_new0 (Runner, MAX (n_racers, 1));
  race->n = n_racers;
  for (int i = 0; i < n_racers; i++)
    {
      Runner *r = &race->runners[i];
      gsize state_floats = MAX ((gsize) relief_optimizer_state_size (racers[i].config.kind) * 2, 1);

      r->racer.name = g_strdup (racers[i].name);
      r->racer.config = racers[i].config;
      r->path = g_array_new (FALSE, FALSE, sizeof (double));
      r->loss = g_array_new (FALSE, FALSE, sizeof (double));
      r->diverged_at = -1;
      if ((r->params = backend->alloc (backend, 2 * sizeof (float), error)) == NULL ||
          (r->grad = backend->alloc (backend, 2 * sizeof (float), error)) == NULL ||
          (r->state = backend->alloc (backend, state_floats * sizeof (float), error)) == NULL ||
          !runner_start (race, r, x0, y0, error))
        return NULL;
    }
  return g_steal_pointer (&race);
}

void
relief_race_free (ReliefRace *race)
{
  if (race == NULL)
    return;
  for (int i = 0; i < race->n; i++)
    {
      Runner *r = &race->runners[i];

      if (r->params != NULL)
        race->backend->free (race->backend, r->params);
      if (r->grad != NULL)
        race->backend->free (race->backend, r->grad);
      if (r->state != NULL)
        race->backend->free (race->backend, r->state);
      if (r->path != NULL)
        g_array_unref (r->path);
      if (r->loss != NULL)
        g_array_unref (r->loss);
      relief_racer_clear (&r->racer);
    }
  g_free (race->runners);
  relief_function_free (race->f);
  g_clear_error (&race->pending);
  g_free (race);
}

static gboolean
runner_step (ReliefRace *race, Runner *r, GError **error)
{
  ReliefBackend *be = race->backend;
  guint last = r->path->len - 2;
  double x = g_array_index (r->path, double, last), y = g_array_index (r->path, double, last + 1);
  double g[2], loss;
  float gf[2], p[2];

  relief_function_eval (race->f, x, y, g, NULL);
  gf[0] = (float) g[0];
  gf[1] = (float) g[1];
  r->t++;
  /* No step from a point without a gradient (sqrt (x^2 + y^2) at 0, or one beyond float):
   * every optimizer stops there, not only those whose update turns NaN (sign descent's
   * would stand still with its state NaN). */
  if (!isfinite (gf[0]) || !isfinite (gf[1]))
    {
      r->diverged_at = r->t;
      return TRUE;
    }
  if (!be->upload (be, r->grad, gf, sizeof gf, error) ||
      !be->optimizer_step (be, &r->racer.config, r->t, NULL, r->params, r->grad, r->state, 2, error) ||
      !be->download (be, p, r->params, sizeof p, error))
    return FALSE;
  x = p[0];
  y = p[1];
  loss = relief_function_eval (race->f, x, y, NULL, NULL);
  if (!point_ok (x, y, loss))
    {
      r->diverged_at = r->t;
      return TRUE;
    }
  g_array_append_val (r->path, x);
  g_array_append_val (r->path, y);
  g_array_append_val (r->loss, loss);
  return TRUE;
}

gboolean
relief_race_step (ReliefRace *race, int n, GError **error)
{
  g_return_val_if_fail (race != NULL && n >= 0, FALSE);

  if (race->pending != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&race->pending));
      return FALSE;
    }
  for (int s = 0; s < n; s++)
    {
      for (int i = 0; i < race->n; i++)
        if (race->runners[i].diverged_at < 0 && !runner_step (race, &race->runners[i], error))
          return FALSE;
      race->steps++;
    }
  return TRUE;
}

void
relief_race_reset (ReliefRace *race, double x0, double y0)
{
  g_return_if_fail (race != NULL);

  race->steps = 0;
  g_clear_error (&race->pending);
  /* Only the first failure is kept. */
  for (int i = 0; i < race->n; i++)
    runner_start (race, &race->runners[i], x0, y0, race->pending == NULL ? &race->pending : NULL);
}

int
relief_race_n_racers (const ReliefRace *race)
{
  return race->n;
}

gint64
relief_race_n_steps (const ReliefRace *race)
{
  return race->steps;
}

const double *
relief_race_path (const ReliefRace *race, int i, gint64 *n_points)
{
  g_return_val_if_fail (i >= 0 && i < race->n, NULL);

  if (n_points != NULL)
    *n_points = race->runners[i].loss->len;
  return (const double *) race->runners[i].path->data;
}

const double *
relief_race_loss (const ReliefRace *race, int i)
{
  g_return_val_if_fail (i >= 0 && i < race->n, NULL);

  return (const double *) race->runners[i].loss->data;
}

gint64
relief_race_diverged_at (const ReliefRace *race, int i)
{
  g_return_val_if_fail (i >= 0 && i < race->n, -1);

  return race->runners[i].diverged_at;
}

const ReliefRacer *
relief_race_racer (const ReliefRace *race, int i)
{
  g_return_val_if_fail (i >= 0 && i < race->n, NULL);

  return &race->runners[i].racer;
}

const ReliefFunction *
relief_race_function (const ReliefRace *race)
{
  return race->f;
}

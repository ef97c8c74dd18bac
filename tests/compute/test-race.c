/* test-race.c: racers on analytic functions.  Each optimizer's trajectory on a quadratic
 * against its closed form or a double-precision reference of torch.optim's rule; the
 * stability limits 2 / lambda_max (GD) and 2 (1 + beta) / lambda_max (heavy ball);
 * divergence, reset, the built-ins' derivatives against finite differences, known minima. */
#include "relief-race.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

static ReliefBackend *cpu;

static ReliefFunction *
builtin (const char *name, double kappa, double theta)
{
  g_autoptr(GError) error = NULL;
  ReliefFunction *f = relief_function_new_builtin (name, kappa, theta, &error);

  g_assert_no_error (error);
  return f;
}

/* A race of one racer, run for steps. */
static ReliefRace *
race_one (const ReliefFunction *f, const char *optimizer, double lr, double momentum, double x0, double y0,
          int steps)
{
  g_autoptr(GError) error = NULL;
  ReliefRacer racer;
  ReliefRace *race;

  g_assert_true (relief_racer_init (&racer, optimizer, lr, &error));
  if (!isnan (momentum))
    racer.config.momentum = (float) momentum;
  race = relief_race_new (cpu, f, &racer, 1, x0, y0, &error);
  g_assert_no_error (error);
  relief_racer_clear (&racer);
  g_assert_true (relief_race_step (race, steps, &error));
  g_assert_no_error (error);
  return race;
}

/* torch.optim's rules in double on a 2-vector; state s0, s1 as the backend's. */
typedef struct {
  double p[2], s0[2], s1[2];
} Reference;

static void
reference_step (const ReliefOptimizerConfig *c, int t, const double g_in[2], Reference *r)
{
  for (int i = 0; i < 2; i++)
    {
      double g = g_in[i], p = r->p[i];

      switch (c->kind)
        {
        case RELIEF_OPT_SGD:
          r->p[i] = p - c->lr * (g + c->weight_decay * p);
          break;
        case RELIEF_OPT_MOMENTUM:
        case RELIEF_OPT_NESTEROV:
          g += c->weight_decay * p;
          r->s0[i] = c->momentum * r->s0[i] + g;
          r->p[i] = p - c->lr * (c->kind == RELIEF_OPT_NESTEROV ? g + c->momentum * r->s0[i] : r->s0[i]);
          break;
        case RELIEF_OPT_ADAM:
        case RELIEF_OPT_ADAMW:
          if (c->kind == RELIEF_OPT_ADAMW)
            p *= 1.0 - (double) c->lr * c->weight_decay;
          else
            g += c->weight_decay * p;
          r->s0[i] = c->beta1 * r->s0[i] + (1 - c->beta1) * g;
          r->s1[i] = c->beta2 * r->s1[i] + (1 - c->beta2) * g * g;
          r->p[i] = p - c->lr * (r->s0[i] / (1 - pow (c->beta1, t))) /
                        (sqrt (r->s1[i] / (1 - pow (c->beta2, t))) + c->eps);
          break;
        case RELIEF_OPT_ADAGRAD:
          g += c->weight_decay * p;
          r->s0[i] += g * g;
          r->p[i] = p - c->lr * g / (sqrt (r->s0[i]) + c->eps);
          break;
        case RELIEF_OPT_RMSPROP:
          g += c->weight_decay * p;
          r->s0[i] = c->beta2 * r->s0[i] + (1 - c->beta2) * g * g;
          if (c->momentum > 0)
            {
              r->s1[i] = c->momentum * r->s1[i] + g / (sqrt (r->s0[i]) + c->eps);
              r->p[i] = p - c->lr * r->s1[i];
            }
          else
            r->p[i] = p - c->lr * g / (sqrt (r->s0[i]) + c->eps);
          break;
        case RELIEF_OPT_SIGN:
          g += c->weight_decay * p;
          if (c->momentum > 0)
            g = r->s0[i] = c->momentum * r->s0[i] + (1 - c->momentum) * g;
          r->p[i] = p - c->lr * (g > 0 ? 1 : g < 0 ? -1 : 0);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* The quadratic's A = R diag (1, kappa) R^T, written out again here. */
static void
quadratic_matrix (double kappa, double theta, double A[4])
{
  double c = cos (theta), s = sin (theta);

  A[0] = c * c + kappa * s * s;
  A[1] = A[2] = c * s * (1 - kappa);
  A[3] = s * s + kappa * c * c;
}

static void
test_quadratic_trajectories (void)
{
  static const struct {
    const char *name;
    double lr, momentum;   /* momentum NaN: the name's default */
  } racers[] = {
    { "gd", 0.05, NAN }, { "sgd", 0.05, NAN }, { "momentum", 0.05, NAN }, { "nesterov", 0.05, NAN },
    { "adagrad", 0.5, NAN }, { "rmsprop", 0.05, NAN }, { "rmsprop", 0.02, 0.5 }, { "adam", 0.1, NAN },
    { "adamw", 0.1, NAN }, { "sign", 0.05, NAN }, { "sign", 0.05, 0.8 },
  };
  const double kappa = 10, theta = 0.5, x0 = -4, y0 = 2;
  const int steps = 20;
  g_autoptr(ReliefFunction) f = builtin ("quadratic", kappa, theta);
  double A[4];

  quadratic_matrix (kappa, theta, A);
  for (gsize k = 0; k < G_N_ELEMENTS (racers); k++)
    {
      g_autoptr(ReliefRace) race = race_one (f, racers[k].name, racers[k].lr, racers[k].momentum, x0, y0, steps);
      const ReliefOptimizerConfig *c = &relief_race_racer (race, 0)->config;
      Reference r = { { (float) x0, (float) y0 } };
      const double *path, *loss;
      gint64 n;
      double worst = 0;

      path = relief_race_path (race, 0, &n);
      loss = relief_race_loss (race, 0);
      g_assert_cmpint (n, ==, steps + 1);
      g_assert_cmpint (relief_race_n_steps (race), ==, steps);
      g_assert_cmpint (relief_race_diverged_at (race, 0), ==, -1);
      g_assert_cmpfloat (path[0], ==, x0);
      g_assert_cmpfloat (path[1], ==, y0);
      for (int t = 1; t <= steps; t++)
        {
          double g[2] = { A[0] * r.p[0] + A[1] * r.p[1], A[2] * r.p[0] + A[3] * r.p[1] };

          reference_step (c, t, g, &r);
          worst = MAX (worst, MAX (fabs (path[2 * t] - r.p[0]), fabs (path[2 * t + 1] - r.p[1])));
          g_assert_cmpfloat_with_epsilon (loss[t], relief_function_eval (f, path[2 * t], path[2 * t + 1], NULL, NULL),
                                          1e-12);
        }
      g_test_message ("%s lr %g: %d steps within %.3g of the double-precision reference", racers[k].name,
                      racers[k].lr, steps, worst);
      g_assert_cmpfloat (worst, <, 1e-4);
    }
}

/* GD's closed form p_t = R diag ((1 - lr)^t, (1 - lr kappa)^t) R^T p_0, and heavy ball's:
 * in A's eigenbasis each coordinate follows z_{t+1} = (1 + beta - lr lambda) z_t - beta z_{t-1},
 * z_1 = (1 - lr lambda) z_0. */
static void
test_closed_forms (void)
{
  const double kappa = 8, theta = -0.7, x0 = 3, y0 = -2, lr = 0.1, beta = 0.9;
  const double c = cos (theta), s = sin (theta), lambda[2] = { 1, kappa };
  const int steps = 60;
  g_autoptr(ReliefFunction) f = builtin ("quadratic", kappa, theta);
  g_autoptr(ReliefRace) gd = race_one (f, "gd", lr, NAN, x0, y0, steps);
  g_autoptr(ReliefRace) hb = race_one (f, "momentum", lr, beta, x0, y0, steps);
  const double *pgd = relief_race_path (gd, 0, NULL), *phb = relief_race_path (hb, 0, NULL);
  /* eigenvectors (c, s) for 1 and (-s, c) for kappa */
  double z0[2] = { c * (float) x0 + s * (float) y0, -s * (float) x0 + c * (float) y0 };
  double zprev[2], z[2];

  for (int i = 0; i < 2; i++)
    {
      zprev[i] = z0[i];
      z[i] = (1 - lr * lambda[i]) * z0[i];
    }
  for (int t = 1; t <= steps; t++)
    {
      double zg[2] = { z0[0] * pow (1 - lr, t), z0[1] * pow (1 - lr * kappa, t) };

      g_assert_cmpfloat (fabs (pgd[2 * t] - (c * zg[0] - s * zg[1])), <, 1e-5);
      g_assert_cmpfloat (fabs (pgd[2 * t + 1] - (s * zg[0] + c * zg[1])), <, 1e-5);
      g_assert_cmpfloat (fabs (phb[2 * t] - (c * z[0] - s * z[1])), <, 1e-4);
      g_assert_cmpfloat (fabs (phb[2 * t + 1] - (s * z[0] + c * z[1])), <, 1e-4);
      for (int i = 0; i < 2; i++)
        {
          double next = (1 + beta - lr * lambda[i]) * z[i] - beta * zprev[i];

          zprev[i] = z[i];
          z[i] = next;
        }
    }
}

static gboolean
converged (const ReliefRace *race)
{
  gint64 n;
  const double *p = relief_race_path (race, 0, &n);

  return relief_race_diverged_at (race, 0) < 0 && hypot (p[2 * n - 2], p[2 * n - 1]) < 1e-3;
}

/* GD converges at lr = 1.99 / lambda_max and diverges at 2.01 / lambda_max; heavy ball at
 * 0.99 and 1.01 times 2 (1 + beta) / lambda_max. */
static void
test_stability_limits (void)
{
  const double kappa = 10, theta = 0.4, beta = 0.9;
  g_autoptr(ReliefFunction) f = builtin ("quadratic", kappa, theta);
  double lmax = relief_function_lambda_max (f);

  g_assert_cmpfloat (lmax, ==, kappa);
  {
    g_autoptr(ReliefRace) below = race_one (f, "gd", 1.99 / lmax, NAN, -4, 2, 3000);
    g_autoptr(ReliefRace) above = race_one (f, "gd", 2.01 / lmax, NAN, -4, 2, 3000);
    gint64 n, at = relief_race_diverged_at (above, 0);
    const double *path = relief_race_path (above, 0, &n);

    g_assert_true (converged (below));
    g_test_message ("GD at 2.01 / lambda_max diverged at step %" G_GINT64_FORMAT, at);
    g_assert_cmpint (at, >, 0);
    /* The path stops before the step that left: every point kept is finite and in range. */
    g_assert_cmpint (n, ==, at);
    for (gint64 i = 0; i < 2 * n; i++)
      g_assert_cmpfloat (fabs (path[i]), <=, 1e6);
    g_assert_cmpfloat (fabs (path[2 * n - 2]) + fabs (path[2 * n - 1]), >, 1e5);
    /* The race goes on for the others; a diverged racer stays where it stopped. */
    g_assert_cmpint (relief_race_n_steps (above), ==, 3000);
    g_assert_true (relief_race_step (above, 10, NULL));
    g_assert_cmpint (relief_race_diverged_at (above, 0), ==, at);
    relief_race_path (above, 0, &n);
    g_assert_cmpint (n, ==, at);
  }
  {
    double limit = 2 * (1 + beta) / lmax;
    g_autoptr(ReliefRace) below = race_one (f, "momentum", 0.99 * limit, beta, -4, 2, 3000);
    g_autoptr(ReliefRace) above = race_one (f, "momentum", 1.01 * limit, beta, -4, 2, 3000);

    g_assert_true (converged (below));
    g_assert_cmpint (relief_race_diverged_at (above, 0), >, 0);
  }
}

/* Several racers at once, each independent of the others; reset starts them over with
 * their state cleared, so a second run repeats the first exactly. */
static void
test_race_and_reset (void)
{
  static const char *const names[] = { "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "sign" };
  /* GD's limit at Rosenbrock's minimum is 2 / 1001.6 */
  static const double lrs[] = { 1e-3, 1e-3, 1e-3, 0.1, 1e-2, 1e-2, 1e-2, 1e-2 };
  g_autoptr(ReliefFunction) f = builtin ("rosenbrock", 1, 0);
  g_autoptr(GError) error = NULL;
  ReliefRacer racers[G_N_ELEMENTS (names)];
  g_autoptr(ReliefRace) race = NULL;
  double *first[G_N_ELEMENTS (names)];
  const int n = (int) G_N_ELEMENTS (names);

  for (int i = 0; i < n; i++)
    g_assert_true (relief_racer_init (&racers[i], names[i], lrs[i], &error));
  race = relief_race_new (cpu, f, racers, n, -1.5, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (relief_race_n_racers (race), ==, n);
  g_assert_true (relief_race_step (race, 50, &error));
  for (int i = 0; i < n; i++)
    {
      g_autoptr(ReliefRace) alone = race_one (f, names[i], lrs[i], NAN, -1.5, 2, 50);
      gint64 len;
      const double *p = relief_race_path (race, i, &len);

      g_assert_cmpstr (relief_race_racer (race, i)->name, ==, names[i]);
      g_assert_cmpint (len, ==, 51);
      g_assert_cmpmem (p, 51 * 2 * sizeof (double), relief_race_path (alone, 0, NULL), 51 * 2 * sizeof (double));
      first[i] = g_memdup2 (p, 51 * 2 * sizeof (double));
    }
  relief_race_reset (race, 0.5, 0.5);
  g_assert_cmpint (relief_race_n_steps (race), ==, 0);
  for (int i = 0; i < n; i++)
    {
      gint64 len;
      const double *p = relief_race_path (race, i, &len);

      g_assert_cmpint (len, ==, 1);
      g_assert_cmpfloat (p[0], ==, 0.5);
      g_assert_cmpfloat (p[1], ==, 0.5);
      g_assert_cmpfloat (relief_race_loss (race, i)[0], ==, relief_function_eval (f, 0.5, 0.5, NULL, NULL));
    }
  relief_race_reset (race, -1.5, 2);
  g_assert_true (relief_race_step (race, 50, &error));
  for (int i = 0; i < n; i++)
    {
      g_assert_cmpmem (relief_race_path (race, i, NULL), 51 * 2 * sizeof (double), first[i], 51 * 2 * sizeof (double));
      g_free (first[i]);
      relief_racer_clear (&racers[i]);
    }
}

static void
test_racer_init (void)
{
  static const struct {
    const char *name;
    ReliefOptimizerKind kind;
    float momentum;
  } cases[] = {
    { "gd", RELIEF_OPT_SGD, 0 }, { "sgd", RELIEF_OPT_SGD, 0 }, { "momentum", RELIEF_OPT_MOMENTUM, 0.9f },
    { "nesterov", RELIEF_OPT_NESTEROV, 0.9f }, { "adagrad", RELIEF_OPT_ADAGRAD, 0 },
    { "rmsprop", RELIEF_OPT_RMSPROP, 0 }, { "adam", RELIEF_OPT_ADAM, 0 }, { "adamw", RELIEF_OPT_ADAMW, 0 },
    { "sign", RELIEF_OPT_SIGN, 0 },
  };
  g_autoptr(GError) error = NULL;
  ReliefRacer r;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_true (relief_racer_init (&r, cases[i].name, 0.25, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (r.name, ==, cases[i].name);
      g_assert_cmpint (r.config.kind, ==, cases[i].kind);
      g_assert_cmpfloat (r.config.lr, ==, 0.25f);
      g_assert_cmpfloat (r.config.weight_decay, ==, cases[i].kind == RELIEF_OPT_ADAMW ? 0.01f : 0.0f);
      if (cases[i].kind != RELIEF_OPT_SGD && cases[i].kind != RELIEF_OPT_ADAM && cases[i].kind != RELIEF_OPT_ADAMW &&
          cases[i].kind != RELIEF_OPT_ADAGRAD)
        g_assert_cmpfloat (r.config.momentum, ==, cases[i].momentum);
      g_assert_cmpfloat (r.config.eps, ==, cases[i].kind == RELIEF_OPT_ADAGRAD ? 1e-10f : 1e-8f);
      g_assert_cmpfloat (r.config.beta2, ==, cases[i].kind == RELIEF_OPT_RMSPROP ? 0.99f : 0.999f);
      relief_racer_clear (&r);
      g_assert_true (relief_racer_init (&r, cases[i].name, NAN, &error));
      g_assert_cmpfloat (r.config.lr, ==, (float) relief_racer_default_lr (cases[i].name));
      relief_racer_clear (&r);
    }
  g_assert_cmpfloat (relief_racer_default_lr ("adam"), ==, 1e-3);
  g_assert_true (isnan (relief_racer_default_lr ("lbfgs")));
  g_assert_false (relief_racer_init (&r, "lbfgs", 0.1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "gd, sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, sign"));
  g_clear_error (&error);
  g_assert_false (relief_racer_init (&r, "adam", -1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (relief_racer_init (&r, "adam", INFINITY, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* The closed-form gradient and Hessian of every built-in against central differences, on
 * a grid over its view. */
static void
test_builtin_derivatives (void)
{
  const char *const *names = relief_function_builtins ();
  const double h = 1e-6;
  int count = 0;

  for (; *names != NULL; names++, count++)
    {
      g_autoptr(ReliefFunction) f = builtin (*names, 7, 0.3);
      double xmin, xmax, ymin, ymax, x0, y0, mx, my;
      double worst = 0;

      g_assert_cmpstr (relief_function_name (f), ==, *names);
      g_assert_true (relief_function_is_builtin (f));
      relief_function_default_view (f, &xmin, &xmax, &ymin, &ymax);
      relief_function_default_start (f, &x0, &y0);
      g_assert_cmpfloat (xmin, <, x0);
      g_assert_cmpfloat (x0, <, xmax);
      g_assert_cmpfloat (ymin, <, y0);
      g_assert_cmpfloat (y0, <, ymax);
      for (int i = 1; i < 8; i++)
        for (int j = 1; j < 8; j++)
          {
            double x = xmin + (xmax - xmin) * i / 8.0 + 0.013, y = ymin + (ymax - ymin) * j / 8.0 - 0.021;
            double g[2], H[4], gp[2], gm[2], fd, scale;
            double v = relief_function_eval (f, x, y, g, H);

            scale = 1 + fabs (v) + fabs (g[0]) + fabs (g[1]) + fabs (H[0]) + fabs (H[1]) + fabs (H[3]);
            g_assert_cmpfloat (H[1], ==, H[2]);
            for (int k = 0; k < 2; k++)
              {
                double dx = k == 0 ? h : 0, dy = k == 1 ? h : 0;

                fd = (relief_function_eval (f, x + dx, y + dy, gp, NULL) -
                      relief_function_eval (f, x - dx, y - dy, gm, NULL)) / (2 * h);
                worst = MAX (worst, fabs (fd - g[k]) / scale);
                worst = MAX (worst, fabs ((gp[0] - gm[0]) / (2 * h) - H[0 * 2 + k]) / scale);
                worst = MAX (worst, fabs ((gp[1] - gm[1]) / (2 * h) - H[1 * 2 + k]) / scale);
              }
          }
      g_test_message ("%s: derivatives within %.3g (relative) of central differences", *names, worst);
      g_assert_cmpfloat (worst, <, 1e-6);
      if (relief_function_minimum (f, &mx, &my))
        {
          double g[2];

          relief_function_eval (f, mx, my, g, NULL);
          g_assert_cmpfloat (hypot (g[0], g[1]), <, 1e-6);
        }
    }
  g_assert_cmpint (count, ==, 10);
}

static void
test_functions (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefFunction) q = builtin ("quadratic", 25, 1.1);
  g_autoptr(ReliefFunction) r = builtin ("rosenbrock", 1, 0);
  ReliefFunction *bad;
  double g[2], H[4], tr, det, l1, l2, x, y;

  /* lambda_max is the Hessian's largest eigenvalue, exactly kappa; the other is 1. */
  relief_function_eval (q, 0.3, -0.2, g, H);
  tr = H[0] + H[3];
  det = H[0] * H[3] - H[1] * H[2];
  l1 = tr / 2 + sqrt (tr * tr / 4 - det);
  l2 = tr / 2 - sqrt (tr * tr / 4 - det);
  g_assert_cmpfloat_with_epsilon (l1, 25, 1e-12);
  g_assert_cmpfloat_with_epsilon (l2, 1, 1e-12);
  g_assert_cmpfloat (relief_function_lambda_max (q), ==, 25);
  /* The steep direction is (-sin theta, cos theta). */
  g_assert_cmpfloat_with_epsilon (H[0] * -sin (1.1) + H[1] * cos (1.1), 25 * -sin (1.1), 1e-12);
  g_assert_true (isnan (relief_function_lambda_max (r)));
  g_assert_true (relief_function_minimum (r, &x, &y));
  g_assert_cmpfloat (x, ==, 1);
  g_assert_cmpfloat (relief_function_eval (r, 1, 1, NULL, NULL), ==, 0);

  bad = relief_function_new_builtin ("ackley", 1, 0, &error);
  g_assert_null (bad);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "rosenbrock"));
  g_clear_error (&error);
  g_assert_null (relief_function_new_builtin ("quadratic", 0.5, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (relief_function_new_builtin ("quadratic", NAN, 0, &error));
  g_clear_error (&error);

  /* Expressions: a bad one says where. */
  g_assert_null (relief_function_new_expression ("x + y )", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "column 7: unexpected ')'");
  g_clear_error (&error);
  g_assert_null (relief_function_new ("rosenbrok", 1, 0, &error));
  g_assert_nonnull (strstr (error->message, "column 1: unknown name 'rosenbrok'"));
  g_clear_error (&error);
  {
    g_autoptr(ReliefFunction) e = relief_function_new ("x^2 + 3*sin(y)", 1, 0, &error);
    g_autoptr(ReliefFunction) b = relief_function_new ("booth", 1, 0, &error);

    g_assert_no_error (error);
    g_assert_false (relief_function_is_builtin (e));
    g_assert_true (relief_function_is_builtin (b));
    g_assert_cmpstr (relief_function_name (e), ==, "x^2 + 3*sin(y)");
    g_assert_cmpfloat_with_epsilon (relief_function_eval (e, 2, 0.5, g, H), 4 + 3 * sin (0.5), 1e-12);
    g_assert_cmpfloat_with_epsilon (g[1], 3 * cos (0.5), 1e-12);
    g_assert_cmpfloat_with_epsilon (H[3], -3 * sin (0.5), 1e-12);
    g_assert_false (relief_function_minimum (e, &x, &y));
    g_assert_true (isnan (relief_function_lambda_max (e)));
  }
}

static void
assert_reaches (const char *function, const char *optimizer, double lr, int steps, double tolerance)
{
  g_autoptr(ReliefFunction) f = builtin (function, 1, 0);
  double x0, y0, best = INFINITY;
  g_autoptr(ReliefRace) race = NULL;
  const double *p;
  gint64 n;
  /* Himmelblau's four minima */
  static const double himmelblau[4][2] = {
    { 3, 2 }, { -2.805118086952745, 3.131312518250573 }, { -3.779310253377747, -3.283185991286170 },
    { 3.584428340330492, -1.848126526964404 },
  };

  relief_function_default_start (f, &x0, &y0);
  race = race_one (f, optimizer, lr, NAN, x0, y0, steps);
  p = relief_race_path (race, 0, &n);
  g_assert_cmpint (relief_race_diverged_at (race, 0), ==, -1);
  if (g_str_equal (function, "himmelblau"))
    for (int m = 0; m < 4; m++)
      best = MIN (best, hypot (p[2 * n - 2] - himmelblau[m][0], p[2 * n - 1] - himmelblau[m][1]));
  else
    {
      double mx, my;

      g_assert_true (relief_function_minimum (f, &mx, &my));
      best = hypot (p[2 * n - 2] - mx, p[2 * n - 1] - my);
    }
  g_test_message ("%s on %s: %d steps end %.3g from a minimum", optimizer, function, steps, best);
  g_assert_cmpfloat (best, <, tolerance);
}

static void
test_known_minima (void)
{
  assert_reaches ("booth", "gd", 0.05, 2000, 1e-4);
  assert_reaches ("booth", "adam", 0.05, 4000, 1e-2);
  assert_reaches ("himmelblau", "gd", 0.01, 2000, 1e-4);
  assert_reaches ("himmelblau", "adam", 0.05, 4000, 1e-2);
  assert_reaches ("rosenbrock", "adam", 0.02, 10000, 1e-2);
}

/* Every built-in's global minima (relief_function_builtin_minima, the table the race
 * figures mark): as many as the literature has (Himmelblau's four, the six-hump camel's
 * two), the first relief_function_minimum's, each a point of zero gradient with a positive
 * semi-definite Hessian, all of one function at the same value. */
static void
test_builtin_minima (void)
{
  struct { const char *name; int n; } counts[] = {
    { "quadratic", 1 }, { "rosenbrock", 1 }, { "beale", 1 }, { "himmelblau", 4 }, { "booth", 1 },
    { "saddle", 0 }, { "monkey_saddle", 0 }, { "rastrigin", 1 }, { "styblinski_tang", 1 }, { "six_hump_camel", 2 },
  };
  double xy[8];

  g_assert_cmpint (relief_function_builtin_minima ("x^2 + y^2", xy, 4), ==, 0);
  g_assert_cmpint (relief_function_builtin_minima ("himmelblau", xy, 2), ==, 2);
  g_assert_cmpint (G_N_ELEMENTS (counts), ==, g_strv_length ((char **) relief_function_builtins ()));
  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefFunction) f = relief_function_new_builtin (counts[c].name, 10, 0.3, &error);
      int n = relief_function_builtin_minima (counts[c].name, xy, 4);
      double first = NAN, mx, my;

      g_assert_no_error (error);
      g_assert_cmpint (n, ==, counts[c].n);
      g_assert_cmpint (relief_function_minimum (f, &mx, &my), ==, n > 0);
      if (n > 0)
        {
          g_assert_cmpfloat (mx, ==, xy[0]);
          g_assert_cmpfloat (my, ==, xy[1]);
        }
      for (int i = 0; i < n; i++)
        {
          double g[2], h[4], v = relief_function_eval (f, xy[2 * i], xy[2 * i + 1], g, h);

          g_assert_cmpfloat (hypot (g[0], g[1]), <, 1e-6);
          g_assert_cmpfloat (h[0] + h[3], >, 0);
          g_assert_cmpfloat (h[0] * h[3] - h[1] * h[2], >=, -1e-9);
          if (i == 0)
            first = v;
          g_assert_cmpfloat (fabs (v - first), <, 1e-9 * MAX (1, fabs (first)));
        }
    }
}

/* A start where the function is not finite is diverged at step 0; so is a racer whose
 * gradient is not finite. */
static void
test_bad_points (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefFunction) f = relief_function_new_expression ("log(x) + y^2", &error);
  g_autoptr(ReliefRace) at_start = race_one (f, "gd", 0.1, NAN, -1, 1, 5);
  g_autoptr(ReliefRace) overshoot = race_one (f, "gd", 10, NAN, 0.5, 0, 5);
  gint64 n;

  g_assert_cmpint (relief_race_diverged_at (at_start, 0), ==, 0);
  relief_race_path (at_start, 0, &n);
  g_assert_cmpint (n, ==, 1);
  /* x = 0.5 - 10 * 2 = -19.5: log is NaN there, so step 1 diverges */
  g_assert_cmpint (relief_race_diverged_at (overshoot, 0), ==, 1);
  relief_race_path (overshoot, 0, &n);
  g_assert_cmpint (n, ==, 1);

  /* sqrt (x^2 + y^2) is finite at 0 but its gradient is 0/0: every optimizer stops at step
   * 1, sign descent too (whose update would leave it standing with NaN state). */
  {
    g_autoptr(ReliefFunction) cone = relief_function_new_expression ("sqrt(x^2 + y^2)", &error);
    const char *names[] = { "gd", "sign", "adam", "rmsprop" };

    g_assert_no_error (error);
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autoptr(ReliefRace) stuck = race_one (cone, names[i], 0.1, NAN, 0, 0, 5);

        g_assert_cmpint (relief_race_diverged_at (stuck, 0), ==, 1);
        relief_race_path (stuck, 0, &n);
        g_assert_cmpint (n, ==, 1);
      }
  }
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  cpu = relief_backend_cpu_new ();
  g_test_add_func ("/compute/race/quadratic-trajectories", test_quadratic_trajectories);
  g_test_add_func ("/compute/race/closed-forms", test_closed_forms);
  g_test_add_func ("/compute/race/stability-limits", test_stability_limits);
  g_test_add_func ("/compute/race/race-and-reset", test_race_and_reset);
  g_test_add_func ("/compute/race/racer-init", test_racer_init);
  g_test_add_func ("/compute/race/builtin-derivatives", test_builtin_derivatives);
  g_test_add_func ("/compute/race/functions", test_functions);
  g_test_add_func ("/compute/race/known-minima", test_known_minima);
  g_test_add_func ("/compute/race/builtin-minima", test_builtin_minima);
  g_test_add_func ("/compute/race/bad-points", test_bad_points);
  rc = g_test_run ();
  relief_backend_free (cpu);
  return rc;
}

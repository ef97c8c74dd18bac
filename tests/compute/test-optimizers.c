/* test-optimizers.c: five steps of every optimizer on a 3-vector against the update rules
 * of torch.optim, worked out here in double precision. */
#include "relief-backend.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

static const float start[3] = { 1.0f, -2.0f, 0.5f };
static const float grads[5][3] = {
  { 0.1f, -0.3f, 0.2f }, { -0.2f, 0.1f, 0.4f }, { 0.3f, 0.25f, -0.1f }, { -0.05f, 0.2f, -0.3f }, { 0.15f, -0.1f, 0.05f },
};

typedef struct {
  double p[3];
  double s0[3];   /* momentum buffer, adam's first moment, adagrad's sum, rmsprop's square average */
  double s1[3];   /* adam's second moment, rmsprop's momentum buffer */
} Reference;

/* One step of cfg's rule in double, as the torch documentation writes it. */
static void
reference_step (const ReliefOptimizerConfig *cfg, int t, const float *grad, Reference *r)
{
  for (int i = 0; i < 3; i++)
    {
      double g = grad[i], p = r->p[i];

      switch (cfg->kind)
        {
        case RELIEF_OPT_SGD:
          r->p[i] = p - cfg->lr * (g + cfg->weight_decay * p);
          break;
        case RELIEF_OPT_MOMENTUM:
        case RELIEF_OPT_NESTEROV:
          g += cfg->weight_decay * p;
          r->s0[i] = cfg->momentum * r->s0[i] + g;
          r->p[i] = p - cfg->lr * (cfg->kind == RELIEF_OPT_NESTEROV ? g + cfg->momentum * r->s0[i] : r->s0[i]);
          break;
        case RELIEF_OPT_ADAM:
        case RELIEF_OPT_ADAMW:
          if (cfg->kind == RELIEF_OPT_ADAMW)
            p *= 1.0 - (double) cfg->lr * cfg->weight_decay;
          else
            g += cfg->weight_decay * p;
          r->s0[i] = cfg->beta1 * r->s0[i] + (1.0 - cfg->beta1) * g;
          r->s1[i] = cfg->beta2 * r->s1[i] + (1.0 - cfg->beta2) * g * g;
          {
            double mhat = r->s0[i] / (1.0 - pow (cfg->beta1, t));
            double vhat = r->s1[i] / (1.0 - pow (cfg->beta2, t));

            r->p[i] = p - cfg->lr * mhat / (sqrt (vhat) + cfg->eps);
          }
          break;
        case RELIEF_OPT_ADAGRAD:
          g += cfg->weight_decay * p;
          r->s0[i] += g * g;
          r->p[i] = p - cfg->lr * g / (sqrt (r->s0[i]) + cfg->eps);
          break;
        case RELIEF_OPT_RMSPROP:
          g += cfg->weight_decay * p;
          r->s0[i] = cfg->beta2 * r->s0[i] + (1.0 - cfg->beta2) * g * g;
          {
            double d = g / (sqrt (r->s0[i]) + cfg->eps);

            if (cfg->momentum > 0)
              {
                r->s1[i] = cfg->momentum * r->s1[i] + d;
                r->p[i] = p - cfg->lr * r->s1[i];
              }
            else
              r->p[i] = p - cfg->lr * d;
          }
          break;
        case RELIEF_OPT_SIGN:
          g += cfg->weight_decay * p;
          if (cfg->momentum > 0)
            g = r->s0[i] = cfg->momentum * r->s0[i] + (1.0 - cfg->momentum) * g;
          r->p[i] = p - cfg->lr * (g > 0 ? 1.0 : g < 0 ? -1.0 : 0.0);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

static void
check_optimizer_momentum (ReliefOptimizerKind kind, float weight_decay, float momentum)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  ReliefOptimizerConfig cfg = {
    .kind = kind, .lr = 0.1f, .momentum = momentum, .weight_decay = weight_decay,
    .beta1 = 0.9f, .beta2 = kind == RELIEF_OPT_RMSPROP ? 0.99f : 0.999f, .eps = kind == RELIEF_OPT_ADAGRAD ? 1e-10f : 1e-8f,
  };
  Reference ref = { { start[0], start[1], start[2] }, { 0 }, { 0 } };
  float params[3], state[6] = { 0 };

  memcpy (params, start, sizeof params);
  for (int t = 1; t <= (int) G_N_ELEMENTS (grads); t++)
    {
      g_assert_true (be->optimizer_step (be, &cfg, t, NULL, params, grads[t - 1], state, 3, &error));
      g_assert_no_error (error);
      reference_step (&cfg, t, grads[t - 1], &ref);
      for (int i = 0; i < 3; i++)
        {
          g_assert_cmpfloat_with_epsilon (params[i], ref.p[i], 2e-6);
          if (kind != RELIEF_OPT_SGD)
            g_assert_cmpfloat_with_epsilon (state[i], ref.s0[i], 1e-6);
          if (kind == RELIEF_OPT_ADAM || kind == RELIEF_OPT_ADAMW)
            g_assert_cmpfloat_with_epsilon (state[3 + i], ref.s1[i], 1e-8);
          if (kind == RELIEF_OPT_RMSPROP)
            g_assert_cmpfloat_with_epsilon (state[3 + i], ref.s1[i], 1e-5);
        }
    }
}

static void
check_optimizer (ReliefOptimizerKind kind, float weight_decay)
{
  check_optimizer_momentum (kind, weight_decay, 0.9f);
}

static void
test_adagrad (void)
{
  check_optimizer (RELIEF_OPT_ADAGRAD, 0.0f);
  check_optimizer (RELIEF_OPT_ADAGRAD, 0.01f);
}

static void
test_rmsprop (void)
{
  check_optimizer_momentum (RELIEF_OPT_RMSPROP, 0.0f, 0.0f);
  check_optimizer_momentum (RELIEF_OPT_RMSPROP, 0.01f, 0.0f);
  check_optimizer_momentum (RELIEF_OPT_RMSPROP, 0.01f, 0.9f);
}

static void
test_sign (void)
{
  check_optimizer_momentum (RELIEF_OPT_SIGN, 0.0f, 0.0f);
  check_optimizer_momentum (RELIEF_OPT_SIGN, 0.01f, 0.0f);
  check_optimizer_momentum (RELIEF_OPT_SIGN, 0.01f, 0.9f);
}

/* relief_optimizer_config_set_kind: torch's defaults, lr and weight decay kept. */
static void
test_set_kind (void)
{
  ReliefOptimizerConfig cfg = { .kind = RELIEF_OPT_ADAM, .lr = 0.5f, .momentum = 0.3f, .weight_decay = 0.2f };

  relief_optimizer_config_set_kind (&cfg, RELIEF_OPT_ADAGRAD);
  g_assert_cmpint (cfg.kind, ==, RELIEF_OPT_ADAGRAD);
  g_assert_cmpfloat (cfg.eps, ==, 1e-10f);
  g_assert_cmpfloat (cfg.lr, ==, 0.5f);
  g_assert_cmpfloat (cfg.weight_decay, ==, 0.2f);
  relief_optimizer_config_set_kind (&cfg, RELIEF_OPT_RMSPROP);
  g_assert_cmpfloat (cfg.beta2, ==, 0.99f);
  g_assert_cmpfloat (cfg.eps, ==, 1e-8f);
  g_assert_cmpfloat (cfg.momentum, ==, 0.0f);
  relief_optimizer_config_set_kind (&cfg, RELIEF_OPT_NESTEROV);
  g_assert_cmpfloat (cfg.momentum, ==, 0.9f);
  relief_optimizer_config_set_kind (&cfg, RELIEF_OPT_SIGN);
  g_assert_cmpfloat (cfg.momentum, ==, 0.0f);
  relief_optimizer_config_set_kind (&cfg, RELIEF_OPT_ADAM);
  g_assert_cmpfloat (cfg.beta1, ==, 0.9f);
  g_assert_cmpfloat (cfg.beta2, ==, 0.999f);
  g_assert_cmpfloat (cfg.eps, ==, 1e-8f);
  g_assert_cmpint (relief_optimizer_state_size (RELIEF_OPT_ADAGRAD), ==, 1);
  g_assert_cmpint (relief_optimizer_state_size (RELIEF_OPT_RMSPROP), ==, 2);
  g_assert_cmpint (relief_optimizer_state_size (RELIEF_OPT_SIGN), ==, 1);
}

static void
test_sgd (void)
{
  check_optimizer (RELIEF_OPT_SGD, 0.0f);
  check_optimizer (RELIEF_OPT_SGD, 0.01f);
}

static void
test_momentum (void)
{
  check_optimizer (RELIEF_OPT_MOMENTUM, 0.0f);
  check_optimizer (RELIEF_OPT_MOMENTUM, 0.01f);
}

static void
test_nesterov (void)
{
  check_optimizer (RELIEF_OPT_NESTEROV, 0.0f);
  check_optimizer (RELIEF_OPT_NESTEROV, 0.01f);
}

static void
test_adam (void)
{
  check_optimizer (RELIEF_OPT_ADAM, 0.0f);
  check_optimizer (RELIEF_OPT_ADAM, 0.01f);
}

static void
test_adamw (void)
{
  check_optimizer (RELIEF_OPT_ADAMW, 0.0f);
  check_optimizer (RELIEF_OPT_ADAMW, 0.01f);
}

/* Numbers worked on paper, independent of the reference code above. */
static void
test_hand_values (void)
{
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GError) error = NULL;
  ReliefOptimizerConfig cfg = {
    .kind = RELIEF_OPT_MOMENTUM, .lr = 0.1f, .momentum = 0.9f, .weight_decay = 0.01f,
    .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
  };
  float p[3], state[6] = { 0 };

  /* momentum, p0 = 1, wd 0.01: g1 = 0.1 + 0.01 = 0.11, v1 = 0.11, p1 = 0.989;
   * g2 = -0.2 + 0.00989 = -0.19011, v2 = 0.099 - 0.19011 = -0.09111, p2 = 0.998111 */
  memcpy (p, start, sizeof p);
  g_assert_true (be->optimizer_step (be, &cfg, 1, NULL, p, grads[0], state, 3, &error));
  g_assert_cmpfloat_with_epsilon (p[0], 0.989, 1e-6);
  g_assert_true (be->optimizer_step (be, &cfg, 2, NULL, p, grads[1], state, 3, &error));
  g_assert_cmpfloat_with_epsilon (p[0], 0.998111, 1e-6);

  /* adam without weight decay: at t = 1, mhat = g and vhat = g^2, so every coordinate moves
   * by lr * sign(g) (up to eps). */
  cfg.kind = RELIEF_OPT_ADAM;
  cfg.weight_decay = 0.0f;
  memset (state, 0, sizeof state);
  memcpy (p, start, sizeof p);
  g_assert_true (be->optimizer_step (be, &cfg, 1, NULL, p, grads[0], state, 3, &error));
  g_assert_cmpfloat_with_epsilon (p[0], 0.9, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[1], -1.9, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[2], 0.4, 1e-6);

  /* adamw, lr 0.1, wd 0.5: p is first scaled by 0.95, then moved by 0.1 sign(g). */
  cfg.kind = RELIEF_OPT_ADAMW;
  cfg.weight_decay = 0.5f;
  memset (state, 0, sizeof state);
  memcpy (p, start, sizeof p);
  g_assert_true (be->optimizer_step (be, &cfg, 1, NULL, p, grads[0], state, 3, &error));
  g_assert_cmpfloat_with_epsilon (p[0], 0.85, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[1], -1.8, 1e-6);
  g_assert_no_error (error);

  /* adagrad, lr 0.1: the first step moves by lr sign(g) (|g| / (|g| + 1e-10)); at the
   * second, p0 = 0.9 - 0.1 * (-0.2) / sqrt(0.1^2 + 0.2^2) = 0.9 + 0.02 / 0.2236068 = 0.9894427. */
  cfg = (ReliefOptimizerConfig) { .lr = 0.1f };
  relief_optimizer_config_set_kind (&cfg, RELIEF_OPT_ADAGRAD);
  memset (state, 0, sizeof state);
  memcpy (p, start, sizeof p);
  g_assert_true (be->optimizer_step (be, &cfg, 1, NULL, p, grads[0], state, 3, &error));
  g_assert_cmpfloat_with_epsilon (p[0], 0.9, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[1], -1.9, 1e-6);
  g_assert_true (be->optimizer_step (be, &cfg, 2, NULL, p, grads[1], state, 3, &error));
  g_assert_cmpfloat_with_epsilon (p[0], 0.9894427, 1e-6);

  /* rmsprop, lr 0.01, alpha 0.99: the first square average is 0.01 g^2, so the first step is
   * lr g / (0.1 |g|) = 10 lr sign(g) = 0.1. */
  cfg = (ReliefOptimizerConfig) { .lr = 0.01f };
  relief_optimizer_config_set_kind (&cfg, RELIEF_OPT_RMSPROP);
  memset (state, 0, sizeof state);
  memcpy (p, start, sizeof p);
  g_assert_true (be->optimizer_step (be, &cfg, 1, NULL, p, grads[0], state, 3, &error));
  g_assert_cmpfloat_with_epsilon (p[0], 0.9, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[2], 0.4, 1e-6);

  /* sign descent, lr 0.25: every coordinate moves by exactly 0.25 against its gradient. */
  cfg = (ReliefOptimizerConfig) { .lr = 0.25f };
  relief_optimizer_config_set_kind (&cfg, RELIEF_OPT_SIGN);
  memcpy (p, start, sizeof p);
  g_assert_true (be->optimizer_step (be, &cfg, 1, NULL, p, grads[0], state, 3, &error));
  g_assert_cmpfloat (p[0], ==, 0.75f);
  g_assert_cmpfloat (p[1], ==, -1.75f);
  g_assert_cmpfloat (p[2], ==, 0.25f);
  g_assert_no_error (error);

  g_assert_false (be->optimizer_step (be, &cfg, 0, NULL, p, grads[0], state, 3, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/compute/optimizers/sgd", test_sgd);
  g_test_add_func ("/compute/optimizers/momentum", test_momentum);
  g_test_add_func ("/compute/optimizers/nesterov", test_nesterov);
  g_test_add_func ("/compute/optimizers/adam", test_adam);
  g_test_add_func ("/compute/optimizers/adamw", test_adamw);
  g_test_add_func ("/compute/optimizers/adagrad", test_adagrad);
  g_test_add_func ("/compute/optimizers/rmsprop", test_rmsprop);
  g_test_add_func ("/compute/optimizers/sign", test_sign);
  g_test_add_func ("/compute/optimizers/set-kind", test_set_kind);
  g_test_add_func ("/compute/optimizers/hand-values", test_hand_values);
  return g_test_run ();
}

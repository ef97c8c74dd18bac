/* test-enums.c: every enum a user names is a registered GEnum whose nicks, in value order,
 * are the names the CLI and the files use, and the one lookup pair reads and writes them. */
#include "relief-directions.h"
#include "relief-enums.h"
#include "relief-mlp.h"
#include "relief-projection.h"

#include <gio/gio.h>

typedef struct {
  GType       type;
  const char *nicks[9];   /* NULL-terminated, in value order from 0 */
  const char *message;    /* for the unknown name "bogus" */
} Expected;

static void
check_type (const Expected *e)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (e->type);
  g_autoptr(GError) error = NULL;
  guint n = g_strv_length ((char **) e->nicks);
  int value = -1;

  g_assert_true (G_TYPE_IS_ENUM (e->type));
  g_assert_cmpuint (klass->n_values, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (klass->values[i].value, ==, (int) i);
      g_assert_cmpstr (klass->values[i].value_nick, ==, e->nicks[i]);
      g_assert_cmpstr (relief_enum_to_nick (e->type, (int) i), ==, e->nicks[i]);
      g_assert_true (relief_enum_from_nick (e->type, e->nicks[i], &value, &error));
      g_assert_no_error (error);
      g_assert_cmpint (value, ==, (int) i);
    }
  value = -1;
  g_assert_false (relief_enum_from_nick (e->type, "bogus", &value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, e->message);
  g_assert_cmpint (value, ==, -1);
  g_clear_error (&error);
  g_assert_false (relief_enum_from_nick (e->type, NULL, &value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_nicks (void)
{
  const Expected expected[] = {
    { RELIEF_TYPE_BACKEND_KIND, { "auto", "cpu", "cuda" }, "Unknown backend \"bogus\" (valid: auto, cpu, cuda)" },
    { RELIEF_TYPE_ACTIVATION, { "relu", "leaky_relu", "tanh", "gelu" },
      "Unknown activation \"bogus\" (valid: relu, leaky_relu, tanh, gelu)" },
    { RELIEF_TYPE_LOSS, { "cross_entropy", "mse" }, "Unknown loss \"bogus\" (valid: cross_entropy, mse)" },
    { RELIEF_TYPE_OPTIMIZER_KIND, { "sgd", "momentum", "nesterov", "adam", "adamw", "adagrad", "rmsprop", "sign" },
      "Unknown optimizer \"bogus\" (valid: sgd, momentum, nesterov, adam, adamw, adagrad, rmsprop, sign)" },
    { RELIEF_TYPE_PROJECTION_KIND, { "dense", "sparse", "fastfood", "implicit", "identity" },
      "Unknown projection \"bogus\" (valid: dense, sparse, fastfood, implicit, identity)" },
    { RELIEF_TYPE_DIRECTION_KIND, { "random", "pca", "line", "hessian", "hessian-min" },
      "Unknown direction kind \"bogus\" (valid: random, pca, line, hessian, hessian-min)" },
    { RELIEF_TYPE_NORMALIZATION, { "filter", "layer", "none" },
      "Unknown normalization \"bogus\" (valid: filter, layer, none)" },
    { RELIEF_TYPE_BIAS_MODE, { "zero", "copy" }, "Unknown bias mode \"bogus\" (valid: zero, copy)" },
    { RELIEF_TYPE_TRAIN_STATUS, { "completed", "cancelled", "diverged", "failed" },
      "Unknown training status \"bogus\" (valid: completed, cancelled, diverged, failed)" },
    { RELIEF_TYPE_METRIC_KIND, { "full", "subset", "running" },
      "Unknown metrics kind \"bogus\" (valid: full, subset, running)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    check_type (&expected[i]);
}

/* The C values the code switches on are the values the nicks map to. */
static void
test_values (void)
{
  int value;

  g_assert_true (relief_enum_from_nick (RELIEF_TYPE_ACTIVATION, "gelu", &value, NULL));
  g_assert_cmpint (value, ==, RELIEF_ACT_GELU);
  g_assert_true (relief_enum_from_nick (RELIEF_TYPE_OPTIMIZER_KIND, "adamw", &value, NULL));
  g_assert_cmpint (value, ==, RELIEF_OPT_ADAMW);
  g_assert_true (relief_enum_from_nick (RELIEF_TYPE_PROJECTION_KIND, "implicit", &value, NULL));
  g_assert_cmpint (value, ==, RELIEF_PROJECTION_IMPLICIT);
  g_assert_cmpstr (relief_enum_to_nick (RELIEF_TYPE_LOSS, RELIEF_LOSS_MSE), ==, "mse");
  g_assert_cmpstr (relief_enum_to_nick (RELIEF_TYPE_BIAS_MODE, RELIEF_BIAS_COPY), ==, "copy");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/compute/enums/nicks", test_nicks);
  g_test_add_func ("/compute/enums/values", test_values);
  return g_test_run ();
}

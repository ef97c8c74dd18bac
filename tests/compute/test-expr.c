/* test-expr.c: the expression parser's precedence and errors, and its exact derivatives
 * against central finite differences, on every built-in function and on random
 * expressions. */
#include "relief-expr.h"

#include <gio/gio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static double
value_of (const char *text, double x, double y)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefExpr) e = relief_expr_parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (e);
  g_assert_cmpstr (relief_expr_text (e), ==, text);
  return relief_expr_eval (e, x, y, NULL, NULL);
}

static void
test_precedence (void)
{
  static const struct {
    const char *text;
    double x, y, value;
  } cases[] = {
    { "1 + 2 * 3", 0, 0, 7 },
    { "(1 + 2) * 3", 0, 0, 9 },
    { "2 ^ 3 ^ 2", 0, 0, 512 },          /* right-associative: 2^(3^2) */
    { "(2 ^ 3) ^ 2", 0, 0, 64 },
    { "-2^2", 0, 0, -4 },                /* -(2^2), as in mathematics */
    { "(-2)^2", 0, 0, 4 },
    { "-x^2", 3, 0, -9 },
    { "2^-1", 0, 0, 0.5 },
    { "2^-x^2", 1, 0, 0.5 },             /* 2^(-(x^2)) */
    { "x - y - 1", 5, 2, 2 },            /* left-associative */
    { "8 / 4 / 2", 0, 0, 1 },
    { "8 / 4 * 2", 0, 0, 4 },
    { "2 * -3", 0, 0, -6 },
    { "--x", 2, 0, 2 },
    { "+x - -y", 2, 3, 5 },
    { "1.5e-3 * 1000", 0, 0, 1.5 },
    { "2E2 + .5", 0, 0, 200.5 },
    { "3.", 0, 0, 3 },
    { "pi", 0, 0, G_PI },
    { "e", 0, 0, G_E },
    { "2*pi*x", 0.5, 0, G_PI },
    { "x*y + x/y", 2, 4, 8.5 },
    { "sin(x) + cos(y)", 0.3, 0.7, 0 },  /* computed below */
    { "  x\t+\ny ", 1, 2, 3 },
    { "sqrt(16) + abs(-3) + exp(0) + log(e)", 0, 0, 9 },
    { "tanh(0) + tan(0)", 0, 0, 0 },
    { "x^0.5", 9, 0, 3 },
    { "x^y", 2, 10, 1024 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double expected = cases[i].value;

      if (g_str_equal (cases[i].text, "sin(x) + cos(y)"))
        expected = sin (0.3) + cos (0.7);
      g_test_message ("%s", cases[i].text);
      g_assert_cmpfloat_with_epsilon (value_of (cases[i].text, cases[i].x, cases[i].y), expected,
                                      1e-12 * (1 + fabs (expected)));
    }
}

static void
test_errors (void)
{
  static const struct {
    const char *text, *message;
  } cases[] = {
    { "x + y )", "column 7: unexpected ')'" },
    { "sin(x", "column 6: missing ')' at the end" },
    { "((x)", "column 5: missing ')' at the end" },
    { "(x + y]", "column 7: unexpected ']'" },
    { "foo(x)", "column 1: unknown function 'foo'" },
    { "x + z", "column 5: unknown name 'z'" },
    { "2x", "column 2: unexpected 'x'" },
    { "2e", "column 2: unexpected 'e'" },
    { "", "column 1: empty expression" },
    { "   ", "column 4: empty expression" },
    { "x +", "column 4: unexpected end of expression" },
    { "x * * y", "column 5: unexpected '*'" },
    { "sin x", "column 5: '(' expected after sin" },
    { "x ^", "column 4: unexpected end of expression" },
    { "x $ y", "column 3: unexpected '$'" },
    { "é + x", "column 1: unexpected 'é'" },
    { "x + é", "column 5: unexpected 'é'" },
    { "()", "column 2: unexpected ')'" },
    { "sin()", "column 5: unexpected ')'" },
    { ".", "column 1: unexpected '.'" },
    { "x y", "column 3: unexpected 'y'" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefExpr) e = relief_expr_parse (cases[i].text, &error);

      g_test_message ("'%s': %s", cases[i].text, error != NULL ? error->message : "(parsed)");
      g_assert_null (e);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, cases[i].message));
    }
}

/* Nesting deeper than a hand would type fails with a message, not a stack overflow. */
static void
test_deep_nesting (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefExpr) e = NULL;

  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, '(');
  g_string_append_c (s, 'x');
  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, ')');
  e = relief_expr_parse (s->str, &error);
  g_assert_null (e);
  g_assert_nonnull (strstr (error->message, "nested too deeply"));
  g_clear_error (&error);
  g_string_truncate (s, 0);
  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, '-');
  g_string_append_c (s, 'x');
  g_assert_null (relief_expr_parse (s->str, &error));
  g_assert_nonnull (strstr (error->message, "nested too deeply"));
  g_string_free (s, TRUE);

  /* 50 levels is fine */
  g_clear_error (&error);
  e = relief_expr_parse ("((((((((((((((((((((((((((((((((((((((((((((((((((x))))))))))))))))))))))))))))))))))))))))))))))))))",
                         &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (relief_expr_eval (e, 2, 0, NULL, NULL), ==, 2);
}

/* A long flat sum or product is a deep tree (the parser's loops nest nothing, but each
 * operator takes the one before as its left operand): it parses and evaluates without
 * running out of stack. */
static void
test_long_chain (void)
{
  const int n = 400000;
  GString *s = g_string_new ("x");
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefExpr) sum = NULL, product = NULL;
  double g[2], h[4];

  for (int i = 1; i < n; i++)
    g_string_append (s, i % 2 ? "+y" : "+x");
  sum = relief_expr_parse (s->str, &error);
  g_assert_no_error (error);
  /* n / 2 x's and n / 2 y's. */
  g_assert_cmpfloat (relief_expr_eval (sum, 1, 2, g, h), ==, 1.5 * n);
  g_assert_cmpfloat (g[0], ==, n / 2);
  g_assert_cmpfloat (g[1], ==, n / 2);
  g_assert_cmpfloat (h[0], ==, 0);

  g_string_assign (s, "x");
  for (int i = 1; i < n; i++)
    g_string_append (s, "*1");
  product = relief_expr_parse (s->str, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (relief_expr_eval (product, 3, 0, g, h), ==, 3);
  g_assert_cmpfloat (g[0], ==, 1);
  g_string_free (s, TRUE);
}

/* The exact gradient and Hessian of e at (x, y) against central differences: of the value
 * for the gradient (step h, error O(h^2)), of the exact gradient for the Hessian. */
static void
check_derivatives (const ReliefExpr *e, double x, double y)
{
  const double h = 1e-5;
  double g[2], H[4], fd_g[2], fd_H[4], scale;
  double f = relief_expr_eval (e, x, y, g, H);

  g_assert_true (isfinite (f));
  fd_g[0] = (relief_expr_eval (e, x + h, y, NULL, NULL) - relief_expr_eval (e, x - h, y, NULL, NULL)) / (2 * h);
  fd_g[1] = (relief_expr_eval (e, x, y + h, NULL, NULL) - relief_expr_eval (e, x, y - h, NULL, NULL)) / (2 * h);
  for (int j = 0; j < 2; j++)
    {
      double gp[2], gm[2];

      relief_expr_eval (e, x + (j == 0 ? h : 0), y + (j == 1 ? h : 0), gp, NULL);
      relief_expr_eval (e, x - (j == 0 ? h : 0), y - (j == 1 ? h : 0), gm, NULL);
      fd_H[0 * 2 + j] = (gp[0] - gm[0]) / (2 * h);
      fd_H[1 * 2 + j] = (gp[1] - gm[1]) / (2 * h);
    }
  scale = 1 + fabs (f) + fabs (g[0]) + fabs (g[1]) + fabs (H[0]) + fabs (H[1]) + fabs (H[3]);
  for (int k = 0; k < 2; k++)
    if (fabs (g[k] - fd_g[k]) > 1e-6 * scale)
      g_error ("%s at (%g, %g): gradient[%d] %.10g, finite differences %.10g", relief_expr_text (e), x, y, k, g[k],
               fd_g[k]);
  g_assert_cmpfloat (H[1], ==, H[2]);
  for (int k = 0; k < 4; k++)
    if (fabs (H[k] - fd_H[k]) > 1e-6 * scale)
      g_error ("%s at (%g, %g): Hessian[%d] %.10g, finite differences %.10g", relief_expr_text (e), x, y, k, H[k],
               fd_H[k]);
}

static void
check_text (const char *text, double x, double y)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefExpr) e = relief_expr_parse (text, &error);

  g_assert_no_error (error);
  check_derivatives (e, x, y);
}

/* Every built-in function, of an argument that depends on both variables, at points inside
 * its domain. */
static void
test_function_derivatives (void)
{
  static const char *const texts[] = {
    "sin(x*y + x)", "cos(x - 2*y^2)", "tan(0.5*x + 0.3*y)", "exp(x*y)", "log(x^2 + y)", "sqrt(x + y*y)",
    "abs(x - y^3)", "tanh(2*x*y - y)", "x^3 * y^2", "x / (y + 3)", "(x + 2)^(y)", "2^(x*y)", "x^(-2) + y^0.5",
    "-x^2 * y", "x^1 + y^0", "pi * e * x * y",
  };
  static const double points[][2] = { { 0.7, 0.4 }, { 1.3, 0.9 }, { 0.4, 1.7 }, { 1.1, 0.2 } };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    for (gsize p = 0; p < G_N_ELEMENTS (points); p++)
      check_text (texts[i], points[p][0], points[p][1]);
  /* Powers at a zero base with a constant exponent: x^2's Hessian is 2 there. */
  {
    g_autoptr(ReliefExpr) e = relief_expr_parse ("x^2 + y^3 + x^1", NULL);
    double g[2], H[4];

    g_assert_cmpfloat (relief_expr_eval (e, 0, 0, g, H), ==, 0);
    g_assert_cmpfloat (g[0], ==, 1);
    g_assert_cmpfloat (g[1], ==, 0);
    g_assert_cmpfloat (H[0], ==, 2);
    g_assert_cmpfloat (H[3], ==, 0);
  }
  /* Outside the domain: NaN, not a crash. */
  {
    g_autoptr(ReliefExpr) e = relief_expr_parse ("log(x) + sqrt(y)", NULL);

    g_assert_true (isnan (relief_expr_eval (e, -1, 1, NULL, NULL)));
    g_assert_true (isnan (relief_expr_eval (e, 1, -1, NULL, NULL)));
  }
}

/* A random expression on [-1.5, 1.5]^2, every function wrapped so that it stays in its
 * domain and away from its kinks: log(2 + cos(A)), sqrt(1 + A^2), A / (1.5 + sin(B)),
 * positive bases for variable powers. */
static void
random_expression (GRand *rng, int depth, GString *out)
{
  int kind = depth <= 0 ? g_rand_int_range (rng, 0, 3) : g_rand_int_range (rng, 0, 19);

  switch (kind)
    {
    case 0:
      g_string_append (out, "x");
      return;
    case 1:
      g_string_append (out, "y");
      return;
    case 2:
      g_string_append_printf (out, "%.3g", g_rand_double_range (rng, 0.2, 2.0));
      return;
    default:
      break;
    }
  {
    static const char *const templates[] = {
      "(A + B)", "(A - B)", "(A * B)", "A / (1.5 + sin(B))", "(A)^2", "(A)^3", "-A", "sin(A)", "cos(A)",
      "tanh(A)", "exp(0.5 * tanh(A))", "log(2 + cos(A))", "sqrt(1 + (A)^2)", "tan(0.5 * tanh(A))",
      "(2 + sin(A))^(tanh(B))", "1.3^(tanh(A))",
    };
    const char *t = templates[kind - 3];

    for (; *t != '\0'; t++)
      if (*t == 'A' || *t == 'B')
        random_expression (rng, depth - 1, out);
      else
        g_string_append_c (out, *t);
  }
}

static void
test_random_derivatives (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (20261202);

  for (int i = 0; i < 400; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefExpr) e = NULL;

      random_expression (rng, 4, text);
      e = relief_expr_parse (text->str, &error);
      g_assert_no_error (error);
      for (int p = 0; p < 3; p++)
        check_derivatives (e, g_rand_double_range (rng, -1.5, 1.5), g_rand_double_range (rng, -1.5, 1.5));
    }
}

/* Random strings over the grammar's characters and a few others: each parses, or fails
 * with a message that starts "column N:" for a column within the text (or just past it). */
static void
test_random_strings (void)
{
  static const char *const pieces[] = {
    "x", "y", "1", "2.5", "e", "pi", "1e3", "+", "-", "*", "/", "^", "(", ")", " ", "sin(", "log(", "tanh",
    "abs(", "q", "$", ",", ".", "é",
  };
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  int parsed = 0;

  for (int i = 0; i < 5000; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(ReliefExpr) e = NULL;
      int len = g_rand_int_range (rng, 0, 12);

      for (int k = 0; k < len; k++)
        g_string_append (text, pieces[g_rand_int_range (rng, 0, G_N_ELEMENTS (pieces))]);
      e = relief_expr_parse (text->str, &error);
      if (e != NULL)
        {
          relief_expr_eval (e, 0.3, -0.7, NULL, NULL);
          parsed++;
        }
      else
        {
          int column = 0;

          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
          g_assert_cmpint (sscanf (error->message, "column %d:", &column), ==, 1);
          g_assert_cmpint (column, >=, 1);
          g_assert_cmpint (column, <=, g_utf8_strlen (text->str, -1) + 1);
        }
    }
  g_test_message ("%d of 5000 random strings parsed", parsed);
  g_assert_cmpint (parsed, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/compute/expr/precedence", test_precedence);
  g_test_add_func ("/compute/expr/errors", test_errors);
  g_test_add_func ("/compute/expr/deep-nesting", test_deep_nesting);
  g_test_add_func ("/compute/expr/long-chain", test_long_chain);
  g_test_add_func ("/compute/expr/function-derivatives", test_function_derivatives);
  g_test_add_func ("/compute/expr/random-derivatives", test_random_derivatives);
  g_test_add_func ("/compute/expr/random-strings", test_random_strings);
  return g_test_run ();
}

/* relief-expr.c: a recursive-descent parser into a small tree, evaluated with second-order
 * dual numbers (see relief-expr.h for the grammar). */
#include "relief-expr.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <math.h>
#include <string.h>

/* Deep enough for any expression typed by hand, shallow enough for the stack. */
#define MAX_DEPTH 256

typedef enum {
  OP_NUM, OP_X, OP_Y, OP_NEG, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW,
  OP_SIN, OP_COS, OP_TAN, OP_EXP, OP_LOG, OP_SQRT, OP_ABS, OP_TANH,
} Op;

static const struct {
  const char *name;
  Op op;
} functions[] = {
  { "sin", OP_SIN }, { "cos", OP_COS }, { "tan", OP_TAN }, { "exp", OP_EXP },
  { "log", OP_LOG }, { "sqrt", OP_SQRT }, { "abs", OP_ABS }, { "tanh", OP_TANH },
};

typedef struct {
  Op       op;
  int      a, b;        /* children, -1 when none */
  double   value;       /* OP_NUM */
  gboolean constant;    /* no x or y below: a power with a constant exponent is u^c */
} Node;

struct _ReliefExpr {
  char  *text;
  GArray *nodes;        /* Node; the root last */
};

/* A value with its gradient and Hessian (xx, xy, yy). */
typedef struct {
  double v, g[2], h[3];
} Dual;

typedef struct {
  const char *text;
  const char *p;
  GArray     *nodes;
  int         depth;
  GError    **error;
} Parser;

static int
column_of (const Parser *ps, const char *at)
{
  return (int) g_utf8_pointer_to_offset (ps->text, at) + 1;
}

static int
fail_at (Parser *ps, const char *at, const char *message)
{
  if (*at == '\0')
    g_set_error (ps->error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("column %d: %s at the end"),
                 column_of (ps, at), message);
  else
    g_set_error (ps->error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("column %d: %s"), column_of (ps, at), message);
  return -1;
}

/* "unexpected 'c'" for the character at at, or "unexpected end" at the end. */
static int
fail_unexpected (Parser *ps, const char *at)
{
  if (*at == '\0')
    {
      g_set_error (ps->error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("column %d: unexpected end of expression"),
                   column_of (ps, at));
    }
  else
    {
      char ch[8] = { 0 };

      if (g_utf8_validate (at, -1, NULL))
        g_unichar_to_utf8 (g_utf8_get_char (at), ch);
      else
        ch[0] = '?';
      g_set_error (ps->error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("column %d: unexpected '%s'"),
                   column_of (ps, at), ch);
    }
  return -1;
}

static void
skip_space (Parser *ps)
{
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
    ps->p++;
}

static int
add_node (Parser *ps, Op op, int a, int b, double value)
{
  Node n = { .op = op, .a = a, .b = b, .value = value, .constant = TRUE };

  if (op == OP_X || op == OP_Y)
    n.constant = FALSE;
  if (a >= 0 && !g_array_index (ps->nodes, Node, a).constant)
    n.constant = FALSE;
  if (b >= 0 && !g_array_index (ps->nodes, Node, b).constant)
    n.constant = FALSE;
  g_array_append_val (ps->nodes, n);
  return (int) ps->nodes->len - 1;
}

static int parse_expr (Parser *ps);
static int parse_unary (Parser *ps);

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static gboolean
is_ident_start (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
parse_number (Parser *ps)
{
  const char *start = ps->p, *q = ps->p;
  g_autofree char *digits = NULL;
  gboolean any = FALSE;

  while (is_digit (*q))
    q++, any = TRUE;
  if (*q == '.')
    {
      q++;
      while (is_digit (*q))
        q++, any = TRUE;
    }
  if (!any)
    return fail_unexpected (ps, start);
  /* An exponent only when digits follow: "2e" stays an error at the e. */
  if ((*q == 'e' || *q == 'E') &&
      (is_digit (q[1]) || ((q[1] == '+' || q[1] == '-') && is_digit (q[2]))))
    {
      q += 2;
      while (is_digit (*q))
        q++;
    }
  digits = g_strndup (start, q - start);
  ps->p = q;
  return add_node (ps, OP_NUM, -1, -1, g_ascii_strtod (digits, NULL));
}

static int
parse_primary (Parser *ps)
{
  const char *start;

  skip_space (ps);
  start = ps->p;
  if (is_digit (*ps->p) || *ps->p == '.')
    return parse_number (ps);
  if (*ps->p == '(')
    {
      int inner;

      ps->p++;
      inner = parse_expr (ps);
      if (inner < 0)
        return -1;
      skip_space (ps);
      if (*ps->p != ')')
        return *ps->p == '\0' ? fail_at (ps, ps->p, _("missing ')'")) : fail_unexpected (ps, ps->p);
      ps->p++;
      return inner;
    }
  if (is_ident_start (*ps->p))
    {
      const char *q = ps->p;
      g_autofree char *name = NULL;

      while (is_ident_start (*q) || is_digit (*q))
        q++;
      name = g_strndup (start, q - start);
      ps->p = q;
      if (g_str_equal (name, "x"))
        return add_node (ps, OP_X, -1, -1, 0);
      if (g_str_equal (name, "y"))
        return add_node (ps, OP_Y, -1, -1, 0);
      if (g_str_equal (name, "pi"))
        return add_node (ps, OP_NUM, -1, -1, G_PI);
      if (g_str_equal (name, "e"))
        return add_node (ps, OP_NUM, -1, -1, G_E);
      for (gsize i = 0; i < G_N_ELEMENTS (functions); i++)
        if (g_str_equal (name, functions[i].name))
          {
            int arg;

            skip_space (ps);
            if (*ps->p != '(')
              {
                g_autofree char *what = g_strdup_printf (_("'(' expected after %s"), name);

                return fail_at (ps, ps->p, what);
              }
            ps->p++;
            arg = parse_expr (ps);
            if (arg < 0)
              return -1;
            skip_space (ps);
            if (*ps->p != ')')
              return *ps->p == '\0' ? fail_at (ps, ps->p, _("missing ')'")) : fail_unexpected (ps, ps->p);
            ps->p++;
            return add_node (ps, functions[i].op, arg, -1, 0);
          }
      {
        g_autofree char *what = NULL;

        skip_space (ps);
        if (*ps->p == '(')
          what = g_strdup_printf (_("unknown function '%s' (known: sin, cos, tan, exp, log, sqrt, abs, tanh)"), name);
        else
          what = g_strdup_printf (_("unknown name '%s' (the variables are x and y, the constants pi and e)"), name);
        return fail_at (ps, start, what);
      }
    }
  return fail_unexpected (ps, ps->p);
}

static int
parse_power (Parser *ps)
{
  int base = parse_primary (ps), exponent;

  if (base < 0)
    return -1;
  skip_space (ps);
  if (*ps->p != '^')
    return base;
  ps->p++;
  exponent = parse_unary (ps);
  if (exponent < 0)
    return -1;
  return add_node (ps, OP_POW, base, exponent, 0);
}

static int
parse_unary (Parser *ps)
{
  int result;

  skip_space (ps);
  if (++ps->depth > MAX_DEPTH)
    return fail_at (ps, ps->p, _("expression nested too deeply"));
  if (*ps->p == '-' || *ps->p == '+')
    {
      gboolean negate = *ps->p == '-';
      int operand;

      ps->p++;
      operand = parse_unary (ps);
      result = operand < 0 || !negate ? operand : add_node (ps, OP_NEG, operand, -1, 0);
    }
  else
    result = parse_power (ps);
  ps->depth--;
  return result;
}

static int
parse_term (Parser *ps)
{
  int left = parse_unary (ps);

  while (left >= 0)
    {
      char c;
      int right;

      skip_space (ps);
      c = *ps->p;
      if (c != '*' && c != '/')
        break;
      ps->p++;
      right = parse_unary (ps);
      if (right < 0)
        return -1;
      left = add_node (ps, c == '*' ? OP_MUL : OP_DIV, left, right, 0);
    }
  return left;
}

static int
parse_expr (Parser *ps)
{
  int left;

  if (++ps->depth > MAX_DEPTH)
    return fail_at (ps, ps->p, _("expression nested too deeply"));
  left = parse_term (ps);
  while (left >= 0)
    {
      char c;
      int right;

      skip_space (ps);
      c = *ps->p;
      if (c != '+' && c != '-')
        break;
      ps->p++;
      right = parse_term (ps);
      if (right < 0)
        return -1;
      left = add_node (ps, c == '+' ? OP_ADD : OP_SUB, left, right, 0);
    }
  ps->depth--;
  return left;
}

ReliefExpr *
relief_expr_parse (const char *text, GError **error)
{
  g_autoptr(GArray) nodes = g_array_new (FALSE, FALSE, sizeof (Node));
  Parser ps = { .text = text, .p = text, .nodes = nodes, .error = error };
  ReliefExpr *expr;
  int root;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("The expression is not valid UTF-8"));
      return NULL;
    }
  skip_space (&ps);
  if (*ps.p == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("column %d: empty expression (type one in x and y, like x^2 + 3*y^2)"), column_of (&ps, ps.p));
      return NULL;
    }
  root = parse_expr (&ps);
  if (root < 0)
    return NULL;
  skip_space (&ps);
  if (*ps.p != '\0')
    {
      fail_unexpected (&ps, ps.p);
      return NULL;
    }
  /* The root is the last node added. */
  g_assert (root == (int) nodes->len - 1);
  expr = g_new0 (ReliefExpr, 1);
  expr->text = g_strdup (text);
  expr->nodes = g_steal_pointer (&nodes);
  return expr;
}

void
relief_expr_free (ReliefExpr *expr)
{
  if (expr == NULL)
    return;
  g_array_unref (expr->nodes);
  g_free (expr->text);
  g_free (expr);
}

const char *
relief_expr_text (const ReliefExpr *expr)
{
  return expr->text;
}

static Dual
constant (double v)
{
  return (Dual) { .v = v };
}

/* f(u) from f(u), f'(u) and f''(u) by the chain rule:
 * g = f' u_g, h_ij = f'' u_i u_j + f' u_ij. */
static Dual
chain (const Dual *u, double f, double d1, double d2)
{
  Dual r = { .v = f };

  r.g[0] = d1 * u->g[0];
  r.g[1] = d1 * u->g[1];
  r.h[0] = d2 * u->g[0] * u->g[0] + d1 * u->h[0];
  r.h[1] = d2 * u->g[0] * u->g[1] + d1 * u->h[1];
  r.h[2] = d2 * u->g[1] * u->g[1] + d1 * u->h[2];
  return r;
}

static Dual
mul (const Dual *a, const Dual *b)
{
  Dual r = { .v = a->v * b->v };

  r.g[0] = a->g[0] * b->v + a->v * b->g[0];
  r.g[1] = a->g[1] * b->v + a->v * b->g[1];
  r.h[0] = a->h[0] * b->v + 2 * a->g[0] * b->g[0] + a->v * b->h[0];
  r.h[1] = a->h[1] * b->v + a->g[0] * b->g[1] + a->g[1] * b->g[0] + a->v * b->h[1];
  r.h[2] = a->h[2] * b->v + 2 * a->g[1] * b->g[1] + a->v * b->h[2];
  return r;
}

static Dual
add (const Dual *a, const Dual *b, double sign)
{
  Dual r = { .v = a->v + sign * b->v };

  for (int k = 0; k < 2; k++)
    r.g[k] = a->g[k] + sign * b->g[k];
  for (int k = 0; k < 3; k++)
    r.h[k] = a->h[k] + sign * b->h[k];
  return r;
}

/* u^c for a constant c, with the derivatives' factors dropped where they vanish (so that
 * x^2 at 0 has the Hessian 2, not 0 * inf). */
static Dual
power_constant (const Dual *u, double c)
{
  double d1 = c == 0 ? 0 : c * pow (u->v, c - 1);
  double d2 = c == 0 || c == 1 ? 0 : c * (c - 1) * pow (u->v, c - 2);

  return chain (u, pow (u->v, c), d1, d2);
}

/* Node n from its children's values a and b (b unused by the one-argument ops). */
static Dual
eval_op (const ReliefExpr *expr, const Node *n, const Dual *pa, const Dual *pb, double x, double y)
{
  Dual a = { 0 }, b = { 0 }, t;

  switch (n->op)
    {
    case OP_NUM:
      return constant (n->value);
    case OP_X:
      return (Dual) { .v = x, .g = { 1, 0 } };
    case OP_Y:
      return (Dual) { .v = y, .g = { 0, 1 } };
    default:
      break;
    }
  a = *pa;
  if (n->b >= 0)
    b = *pb;
  switch (n->op)
    {
    case OP_NEG:
      return add (&(Dual) { 0 }, &a, -1);
    case OP_ADD:
      return add (&a, &b, 1);
    case OP_SUB:
      return add (&a, &b, -1);
    case OP_MUL:
      return mul (&a, &b);
    case OP_DIV:
      t = chain (&b, 1 / b.v, -1 / (b.v * b.v), 2 / (b.v * b.v * b.v));
      return mul (&a, &t);
    case OP_POW:
      if (g_array_index (expr->nodes, Node, n->b).constant)
        return power_constant (&a, b.v);
      /* a^b = exp (b log a), defined for a > 0. */
      t = chain (&a, log (a.v), 1 / a.v, -1 / (a.v * a.v));
      t = mul (&b, &t);
      return chain (&t, exp (t.v), exp (t.v), exp (t.v));
    case OP_SIN:
      return chain (&a, sin (a.v), cos (a.v), -sin (a.v));
    case OP_COS:
      return chain (&a, cos (a.v), -sin (a.v), -cos (a.v));
    case OP_TAN:
      {
        double tv = tan (a.v), sec2 = 1 + tv * tv;

        return chain (&a, tv, sec2, 2 * tv * sec2);
      }
    case OP_EXP:
      return chain (&a, exp (a.v), exp (a.v), exp (a.v));
    case OP_LOG:
      return chain (&a, log (a.v), 1 / a.v, -1 / (a.v * a.v));
    case OP_SQRT:
      {
        double s = sqrt (a.v);

        return chain (&a, s, 0.5 / s, -0.25 / (s * a.v));
      }
    case OP_ABS:
      /* The derivative's sign; at 0 abs has none, and its subgradient 0 is used. */
      return chain (&a, fabs (a.v), (a.v > 0) - (a.v < 0), 0);
    case OP_TANH:
      {
        double th = tanh (a.v), d = 1 - th * th;

        return chain (&a, th, d, -2 * th * d);
      }
    default:
      g_assert_not_reached ();
    }
}

/* Nodes are stored children first, so one pass in storage order evaluates the tree with
 * no recursion: a long flat sum such as x + x + ... + x is a tree as deep as it is long,
 * and the parser's depth limit does not see it. */
#define EVAL_ON_STACK 64

double
relief_expr_eval (const ReliefExpr *expr, double x, double y, double grad[2], double hess[4])
{
  guint n = expr->nodes->len;
  Dual on_stack[EVAL_ON_STACK], r;
  Dual *values = n <= EVAL_ON_STACK ? on_stack : g_new (Dual, n);

  for (guint i = 0; i < n; i++)
    {
      const Node *node = &g_array_index (expr->nodes, Node, i);

      values[i] = eval_op (expr, node, node->a >= 0 ? &values[node->a] : NULL, node->b >= 0 ? &values[node->b] : NULL,
                           x, y);
    }
  r = values[n - 1];
  if (values != on_stack)
    g_free (values);

  if (grad != NULL)
    {
      grad[0] = r.g[0];
      grad[1] = r.g[1];
    }
  if (hess != NULL)
    {
      hess[0] = r.h[0];
      hess[1] = hess[2] = r.h[1];
      hess[3] = r.h[2];
    }
  return r.v;
}

/* relief-expr.h: expressions in x and y, typed by a user, with exact derivatives.
 *
 * The grammar (a recursive-descent parser of our own):
 *   expr    := term (("+" | "-") term)*
 *   term    := unary (("*" | "/") unary)*
 *   unary   := ("-" | "+") unary | power
 *   power   := primary ("^" unary)?          right-associative; -x^2 is -(x^2), 2^-x is 2^(-x)
 *   primary := number | "x" | "y" | "pi" | "e" | function "(" expr ")" | "(" expr ")"
 *   function: sin cos tan exp log sqrt abs tanh
 * Numbers are decimal with an optional exponent (1.5e-3).  There is no implicit
 * multiplication: "2x" is an error at the x.  Errors name the 1-based column (in
 * characters) of the bad character: "column 7: unexpected ')'".
 *
 * Evaluation is second-order forward mode (dual numbers carrying the value, the gradient
 * and the Hessian), so derivatives are exact up to rounding, not finite differences. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ReliefExpr ReliefExpr;

ReliefExpr *relief_expr_parse (const char *text, GError **error);
void        relief_expr_free  (ReliefExpr *expr);
/* The text it was parsed from. */
const char *relief_expr_text  (const ReliefExpr *expr);
/* The value at (x, y), with the gradient [2] and the Hessian [2][2] (row-major) when not
 * NULL.  Outside a function's domain (log of a negative number) the results are NaN. */
double      relief_expr_eval  (const ReliefExpr *expr, double x, double y, double grad[2], double hess[4]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefExpr, relief_expr_free)

G_END_DECLS

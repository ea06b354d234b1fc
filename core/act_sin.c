/* core/act_sin.c — σ = sin, σ′ = cos, σ″ = −sin, from libm and Arb. */
#include "core/act_impl.h"

#include <math.h>

static void sin_d(double x, double v[3], int want1, int want2)
{
    v[0] = sin(x);
    if (want1)
        v[1] = cos(x);
    v[2] = -v[0];
}

static void sin_formulas(arb_ptr s0, arb_ptr s1, arb_ptr s2, const arb_t x, slong wp)
{
    arb_t t, c;
    arb_init(t);
    arb_init(c);
    arb_sin_cos(t, c, x, wp);
    if (s0)
        arb_set(s0, t);
    if (s1)
        arb_set(s1, c);
    if (s2)
        arb_neg(s2, t);
    arb_clear(t);
    arb_clear(c);
}

static int sin_range(int k, double *lo, double *hi)
{
    *lo = -1.0, *hi = 1.0;
    return 1;
}

/* |cos|, |sin| ≤ 1, attained. */
static void sin_sup(double sup[2]) { sup[0] = 1.0, sup[1] = 1.0; }

const act_desc act_desc_sin = {
    .name = "sin",
    .formula = "sin(z)",
    .twice_differentiable = 1,
    .eval_d = sin_d,
    .eval_arb = act_eval_smooth,
    /* Arb's sin and cos are tight on balls of any width: no hull */
    .arb = {.formulas = sin_formulas, .range = sin_range, .formulas_on_wide_balls = 1},
    /* libm sin, cos: 8u each → A = 9 */
    .err_d = act_err_relative,
    .err_a = {9, 9},
    .any_formula_err = {1, 1},
    .sup = sin_sup,
};

/* core/act_linear.c — the identity σ(x) = x: exact in double, sup|σ′| = 1, σ″ = 0. */
#include "core/act_impl.h"

static void linear_d(double x, double v[3], int want1, int want2)
{
    v[0] = x, v[1] = 1.0, v[2] = 0.0;
}

static void linear_arb(const act_desc *d, arb_ptr out[3], const arb_t x, slong prec)
{
    if (out[0])
        arb_set_round(out[0], x, prec);
    if (out[1])
        arb_one(out[1]);
    if (out[2])
        arb_zero(out[2]);
}

static void linear_sup(double sup[2]) { sup[0] = 1.0, sup[1] = 0.0; }

const act_desc act_desc_linear = {
    .name = "linear",
    .formula = "z",
    .twice_differentiable = 1,
    .eval_d = linear_d,
    .eval_arb = linear_arb,
    .err_d = act_err_exact,
    .sup = linear_sup,
};

/* core/act_relu.c — ReLU max(x, 0) and leaky ReLU (slope PLSTAR_LEAKY_SLOPE for
 * x < 0, the exact double in both versions): first-order only, σ′ jumps at 0.
 * In double σ′(0) is PyTorch's (0, or the slope) and σ″ is returned as 0, its
 * value away from 0; in Arb a ball that touches 0 gets the hull of both
 * one-sided derivatives, and σ″ is indeterminate (sup|σ″| = +∞: a Dirac mass
 * at 0). */
#include "core/act_impl.h"

#include <math.h>

static void relu_d(double x, double v[3], int want1, int want2)
{
    v[0] = (x > 0) ? x : 0.0;
    v[1] = (x > 0) ? 1.0 : 0.0; /* relu′(0) = 0, as PyTorch */
    v[2] = 0.0;                 /* the a.e. value; plstar_act_sup_d2 is +∞ */
}

static void leaky_relu_d(double x, double v[3], int want1, int want2)
{
    v[0] = (x > 0) ? x : PLSTAR_LEAKY_SLOPE * x;
    v[1] = (x > 0) ? 1.0 : PLSTAR_LEAKY_SLOPE; /* leaky′(0) = slope, as PyTorch */
    v[2] = 0.0;
}

/* σ over the ball x: σ is monotone, so σ(ball) = [σ(lo), σ(hi)]. */
static void kinked_value_arb(arb_t r, double slope, int pos, int neg, const arb_t x, slong prec)
{
    arb_t s, t;
    arb_init(s);
    arb_init(t);
    arb_set_d(s, slope); /* exactly the double slope */
    if (pos) {
        arb_set_round(r, x, prec);
    } else if (!arb_is_finite(x)) {
        arb_zero_pm_inf(r);
    } else if (neg) {
        arb_mul(r, x, s, prec);
    } else { /* [slope·lo, hi] */
        arf_t lo, hi;
        arf_init(lo);
        arf_init(hi);
        arb_get_lbound_arf(lo, x, prec);
        arb_get_ubound_arf(hi, x, prec);
        arb_set_arf(t, lo);
        arb_mul(t, t, s, prec);
        arb_set_arf(s, hi);
        arb_union(r, t, s, prec);
        arf_clear(lo);
        arf_clear(hi);
    }
    arb_clear(s);
    arb_clear(t);
}

/* σ′ is the constant of the side the ball lies on, or the hull [slope, 1] of
 * both one-sided derivatives when the ball touches 0; σ″ is indeterminate. */
static void kinked_arb(double slope, arb_ptr out[3], const arb_t x, slong prec)
{
    int pos = arb_is_positive(x), neg = arb_is_negative(x);

    if (out[0])
        kinked_value_arb(out[0], slope, pos, neg, x, prec);
    if (out[1]) {
        if (pos) {
            arb_one(out[1]);
        } else if (neg) {
            arb_set_d(out[1], slope);
        } else {
            arf_t l, h;
            arf_init(l);
            arf_init(h);
            arf_set_d(l, slope);
            arf_one(h);
            arb_set_interval_arf(out[1], l, h, prec);
            arf_clear(l);
            arf_clear(h);
        }
    }
    if (out[2])
        arb_indeterminate(out[2]);
}

static void relu_arb(const act_desc *d, arb_ptr out[3], const arb_t x, slong prec)
{
    kinked_arb(0.0, out, x, prec);
}

static void leaky_relu_arb(const act_desc *d, arb_ptr out[3], const arb_t x, slong prec)
{
    kinked_arb(PLSTAR_LEAKY_SLOPE, out, x, prec);
}

/* one rounded product slope·x for x < 0 (slope is the exact double): A = 1 */
static void leaky_relu_err(const act_desc *d, double x, double s0, double s1, double *e0, double *e1)
{
    *e0 = (x < 0) ? d->err_a[0] * ACT_ERR_U * fabs(s0) + ACT_ERR_FLOOR : 0.0;
    *e1 = 0.0;
}

static void kinked_sup(double sup[2]) { sup[0] = 1.0, sup[1] = INFINITY; }

const act_desc act_desc_relu = {
    .name = "relu",
    .formula = "max(z, 0); at z = 0 either one-sided derivative is accepted (0 as in PyTorch, or 1)",
    .has_kink = 1,
    .eval_d = relu_d,
    .eval_arb = relu_arb,
    .err_d = act_err_exact,
    .sup = kinked_sup,
};

const act_desc act_desc_leaky_relu = {
    .name = "leaky_relu",
    .formula = "z for z > 0, 0.01 * z otherwise; at z = 0 either one-sided derivative is accepted (0.01 as in "
               "PyTorch, or 1)",
    .has_kink = 1,
    .eval_d = leaky_relu_d,
    .eval_arb = leaky_relu_arb,
    .err_d = leaky_relu_err,
    .err_a = {1, 0},
    .sup = kinked_sup,
};

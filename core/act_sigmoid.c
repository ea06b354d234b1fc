/* core/act_sigmoid.c — the logistic sigmoid s(x) = 1/(1 + e^{−x}) and softplus
 * log(1 + eˣ), whose σ′ and σ″ are s and s′: the two share their formulas. */
#include "core/act_impl.h"
#include "core/report.h"

#include <math.h>

/* e = exp(−|x|) ∈ [0,1] never overflows; s = 1/(1+e) for x ≥ 0 and e/(1+e)
 * for x < 0, s′ = e/(1+e)² into *sd; *e receives e. */
static double logistic_d(double x, double *e, double *sd)
{
    double ee = exp(-fabs(x)), d = 1.0 + ee;
    *e = ee;
    *sd = ee / (d * d);
    return (x >= 0) ? 1.0 / d : ee / d;
}

/* sigmoid″ = −sigmoid′·tanh(x/2) */
static void sigmoid_d(double x, double v[3], int want1, int want2)
{
    double e, sd, s = logistic_d(x, &e, &sd);
    v[0] = s, v[1] = sd;
    v[2] = want2 ? -sd * tanh(0.5 * x) : NAN;
}

/* softplus = max(x,0) + log1p(exp(−|x|)) */
static void softplus_d(double x, double v[3], int want1, int want2)
{
    double e, sd, s = logistic_d(x, &e, &sd);
    v[0] = (x > 0 ? x : 0.0) + log1p(e);
    v[1] = s, v[2] = sd;
}

/* 1/(1 + exp(−x)), finite and relatively tight for any finite x. */
static void arb_sigmoid(arb_t r, const arb_t x, slong wp)
{
    arb_neg(r, x);
    arb_exp(r, r, wp);
    arb_add_ui(r, r, 1, wp);
    arb_inv(r, r, wp);
}

/* c = s(x)·s(−x) = s′(x) given p = s(x) (not p(1 − p), which loses relative
 * accuracy for large x); t is scratch. */
static void arb_sigmoid_d1(arb_t c, const arb_t p, const arb_t x, arb_t t, slong wp)
{
    arb_neg(t, x);
    arb_sigmoid(c, t, wp);
    arb_mul(c, p, c, wp);
}

static void sigmoid_formulas(arb_ptr s0, arb_ptr s1, arb_ptr s2, const arb_t x, slong wp)
{
    arb_t t, c, p;
    arb_init(t);
    arb_init(c);
    arb_init(p);
    arb_sigmoid(p, x, wp);
    if (s1 || s2)
        arb_sigmoid_d1(c, p, x, t, wp);
    if (s0)
        arb_set(s0, p);
    if (s1)
        arb_set(s1, c);
    if (s2) { /* −s′·tanh(x/2) */
        arb_mul_2exp_si(t, x, -1);
        arb_tanh(t, t, wp);
        arb_mul(s2, c, t, wp);
        arb_neg(s2, s2);
    }
    arb_clear(t);
    arb_clear(c);
    arb_clear(p);
}

static void softplus_formulas(arb_ptr s0, arb_ptr s1, arb_ptr s2, const arb_t x, slong wp)
{
    arb_t t, c, p;
    arb_init(t);
    arb_init(c);
    arb_init(p);
    arb_sigmoid(p, x, wp);
    if (s2)
        arb_sigmoid_d1(c, p, x, t, wp);
    if (s0) {
        if (arb_is_positive(x)) { /* x + log1p(exp(−x)) */
            arb_neg(t, x);
            arb_exp(t, t, wp);
            arb_log1p(t, t, wp);
            arb_add(s0, x, t, wp);
        } else { /* log1p(exp(x)) */
            arb_exp(t, x, wp);
            arb_log1p(s0, t, wp);
        }
    }
    if (s1)
        arb_set(s1, p);
    if (s2)
        arb_set(s2, c);
    arb_clear(t);
    arb_clear(c);
    arb_clear(p);
}

/* s(x) = ½ + ½tanh(x/2): σ′ → 0; σ″ → ±log(2 + √3), twice tanh's points. */
static int sigmoid_crit_points(arb_ptr c, int k, slong wp)
{
    int n = act_desc_tanh.arb.crit_points(c, k, wp);
    for (int i = 0; i < n; i++)
        arb_mul_2exp_si(c + i, c + i, 1);
    return n;
}

/* σ, σ′ (= sigmoid) monotone; σ″ (= sigmoid′) → 0. */
static int softplus_crit_points(arb_ptr c, int k, slong wp)
{
    int n = 0;
    if (k == 2)
        arb_zero(c + n++);
    return n;
}

static int sigmoid_range(int k, double *lo, double *hi)
{
    double S = (k == 0) ? 1.0 : (k == 1) ? plstar_act_sup_d1(ACT_SIGMOID) : plstar_act_sup_d2(ACT_SIGMOID);
    *lo = (k == 2) ? -S : 0.0, *hi = S;
    return 1;
}

static int softplus_range(int k, double *lo, double *hi)
{
    double S = (k == 0) ? 1.0 : (k == 1) ? plstar_act_sup_d1(ACT_SOFTPLUS) : plstar_act_sup_d2(ACT_SOFTPLUS);
    *lo = 0.0, *hi = S;
    return k > 0;
}

/* σ(x) = ½ + ½tanh(x/2): σ′ = ¼ sech²(x/2) ≤ ¼ (x = 0), σ″ = ⅛ tanh″(x/2):
 * sup = ⅛·4/(3√3) = 1/(6√3). */
static void sigmoid_sup(double sup[2])
{
    arb_t t;
    arb_init(t);
    arb_sqrt_ui(t, 3, 128);
    arb_mul_ui(t, t, 6, 128);
    arb_inv(t, t, 128);
    sup[0] = 0.25;
    sup[1] = plstar_arb_upper_d(t);
    arb_clear(t);
}

/* σ′ = sigmoid ∈ (0,1), sup 1 (approached as x → ∞); σ″ = sigmoid′ ≤ ¼ (x = 0). */
static void softplus_sup(double sup[2]) { sup[0] = 1.0, sup[1] = 0.25; }

const act_desc act_desc_sigmoid = {
    .name = "sigmoid",
    .formula = "1 / (1 + exp(-z))",
    .twice_differentiable = 1,
    .eval_d = sigmoid_d,
    .eval_arb = act_eval_smooth,
    .arb = {.formulas = sigmoid_formulas, .crit_points = sigmoid_crit_points, .range = sigmoid_range},
    /* e = exp(−|x|) 8u; d = 1+e 5u (as for tanh).
     * σ: x ≥ 0: 1/d 6u; x < 0: e/d 8 + 5 + 1 = 14u → A = 15.
     * σ′ = e/(d·d): 8 + 11 + 1 = 20u → A = 21. */
    .err_d = act_err_relative,
    .err_a = {15, 21},
    /* σ by exp-based formulas loses relative accuracy near 0: u absolute;
     * σ′ = σ̂(1 − σ̂) as autograd forms it, with 15u: 15u + 2u → 18 */
    .any_formula_err = {1, 18},
    .sup = sigmoid_sup,
};

const act_desc act_desc_softplus = {
    .name = "softplus",
    .formula = "log(1 + exp(z)), e.g. torch.logaddexp(z, 0) (torch.nn.functional.softplus returns z for z > 20, "
               "off by up to 2.1e-9: a different function at float64 accuracy)",
    .twice_differentiable = 1,
    .eval_d = softplus_d,
    .eval_arb = act_eval_smooth,
    .arb = {.formulas = softplus_formulas, .crit_points = softplus_crit_points, .range = softplus_range},
    /* l = log1p(ê): log1p 8u; the 8u error of ê moves log1p(e) by at
     * most e·8u/(1+e) ≤ 8u·log1p(e) (log1p(e) ≥ e/(1+e)): 16u. For
     * x > 0, x + l adds nonnegative terms: 16u + u → A = 18.
     * σ′ is the sigmoid computed as above → A = 15. */
    .err_d = act_err_relative,
    .err_a = {18, 15},
    .any_formula_err = {1, 1}, /* u absolute near 0, as for the sigmoid */
    .sup = softplus_sup,
};

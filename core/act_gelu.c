/* core/act_gelu.c — GELU in its exact erf form σ = xΦ(x), Φ(x) = ½ erfc(−x/√2):
 * σ′ = Φ + xφ, σ″ = φ(2 − x²), φ the standard normal density. */
#include "core/act_impl.h"
#include "core/report.h"

#include <arb_hypgeom.h>
#include <math.h>

/* Correctly rounded double constants (hex so that no decimal conversion is
 * involved); each is within u = 2^-53 relative of the exact value. */
#define D_1_SQRT2PI 0x1.9884533d43651p-2    /* 1/√(2π) */
#define D_SQRT1_2 0x1.6a09e667f3bcdp-1      /* 1/√2 */
#define D_SQRT1_2_LO -0x1.bdd3413b26456p-55 /* 1/√2 − D_SQRT1_2 */
#define D_SQRT2 0x1.6a09e667f3bcdp+0        /* √2 */

/* φ(x) = exp(−x²/2)/√(2π) with x² = h + l split exactly (l = fma(x, x, −h)),
 * as erf′ in core/act_erf.c: exp(−l/2) = 1 − l/2 to within l²/8 < 10⁻²⁶.
 * 0 for |x| ≥ 40, where
 * φ(x) < 2^-1150. On return *h, *l hold the split of x² (h = l = 0 then). */
static double npdf(double x, double *h, double *l)
{
    if (!(fabs(x) < 40.0)) {
        *h = *l = 0.0;
        return 0.0;
    }
    *h = x * x;
    *l = fma(x, x, -*h);
    return (D_1_SQRT2PI * exp(-0.5 * *h)) * (1.0 - 0.5 * *l);
}

static void gelu_d(double x, double v[3], int want1, int want2)
{
    /* Φ(x) = ½ erfc(−x/√2): erfc keeps full relative accuracy in the left
     * tail where 1 + erf would cancel. The argument ŷ = fl(−x·c) is off
     * by d = −x/√2 − ŷ = fma(−x, c, −ŷ) − x·(1/√2 − c), which would cost
     * a relative error ≈ x²u in the tail (erfc′/erfc ≈ −2y); one Taylor
     * term removes it: erfc(ŷ + d) ≈ erfc(ŷ) − (2/√π)e^{−x²/2}·d, and
     * (2/√π)e^{−x²/2} = 2√2·φ(x). */
    double h, l, g = npdf(x, &h, &l);
    double mx = -x, y = mx * D_SQRT1_2;
    double P = 0.5 * erfc(y);
    if (g != 0.0) {
        double d = fma(mx, D_SQRT1_2, -y) + mx * D_SQRT1_2_LO;
        P -= (D_SQRT2 * g) * d;
    }
    v[0] = (P == 0.0) ? -0.0 : x * P;
    if (want1) {
        v[1] = (g == 0.0) ? P : P + x * g;
        /* 2 − x² = (2 − h) − l; 2 − h is exact near x² = 2 (Sterbenz) */
        v[2] = (g == 0.0) ? 0.0 : g * ((2.0 - h) - l);
    }
}

/* erfc over a ball y = m ± r as erfc(m) ± r·sup|erfc′|, with
 * sup_{t ∈ y} |erfc′(t)| = (2/√π) exp(−t₀²), t₀ = min_{t ∈ y} |t| (mean value
 * theorem). arb_hypgeom_erfc on a ball bounds the propagated radius by a
 * global constant, which destroys the relative accuracy in the tail: for
 * y = 7·10⁵ ± 10⁻⁵⁰ it returns a radius 10⁵⁰⁰⁰ times the value. */
static void erfc_ball(arb_t res, const arb_t y, slong wp)
{
    if (mag_is_zero(arb_radref(y)) || !arb_is_finite(y)) {
        arb_hypgeom_erfc(res, y, wp);
        return;
    }
    arb_t m, d;
    arf_t t0;
    mag_t r, e;
    arb_init(m);
    arb_init(d);
    arf_init(t0);
    mag_init(r);
    mag_init(e);
    mag_set(r, arb_radref(y));
    arb_get_abs_lbound_arf(t0, y, wp);
    /* t₀² must be accurate to O(1) in absolute terms: 64 bits more than its
     * exponent */
    slong ep = 64 + 2 * FLINT_MAX(0, arf_abs_bound_lt_2exp_si(t0));
    arb_set_arf(d, t0);
    arb_sqr(d, d, ep);
    arb_neg(d, d);
    arb_exp(d, d, 64);
    arb_const_sqrt_pi(m, 64);
    arb_div(d, d, m, 64);
    arb_mul_2exp_si(d, d, 1);
    arb_get_mag(e, d); /* ≥ sup|erfc′| over y */
    mag_mul(e, e, r);
    arf_set(arb_midref(m), arb_midref(y));
    mag_zero(arb_radref(m));
    arb_hypgeom_erfc(res, m, wp);
    mag_add(arb_radref(res), arb_radref(res), e);
    arb_clear(m);
    arb_clear(d);
    arf_clear(t0);
    mag_clear(r);
    mag_clear(e);
}

static void gelu_formulas(arb_ptr s0, arb_ptr s1, arb_ptr s2, const arb_t x, slong wp)
{
    arb_t t, c, p;
    arb_init(t);
    arb_init(c);
    arb_init(p);
    if (s0 || s1) { /* p = Φ(x) = ½ erfc(−x/√2) */
        arb_sqrt_ui(t, 2, wp);
        arb_div(p, x, t, wp);
        arb_neg(p, p);
        erfc_ball(p, p, wp);
        arb_mul_2exp_si(p, p, -1);
    }
    if (s1 || s2) { /* c = φ(x) = exp(−x²/2)/√(2π) */
        arb_sqr(c, x, wp);
        arb_mul_2exp_si(c, c, -1);
        arb_neg(c, c);
        arb_exp(c, c, wp);
        arb_const_pi(t, wp);
        arb_mul_2exp_si(t, t, 1);
        arb_rsqrt(t, t, wp);
        arb_mul(c, c, t, wp);
    }
    if (s0)
        arb_mul(s0, x, p, wp);
    if (s1) {
        arb_mul(t, x, c, wp);
        arb_add(s1, p, t, wp);
    }
    if (s2) { /* φ·(2 − x²) */
        arb_sqr(t, x, wp);
        arb_sub_ui(t, t, 2, wp);
        arb_neg(t, t);
        arb_mul(s2, c, t, wp);
    }
    arb_clear(t);
    arb_clear(c);
    arb_clear(p);
}

/* σ′ = Φ + xφ: increasing on (−√2, √2) (σ″ = φ(2 − x²) > 0 there), negative
 * and decreasing on (−∞, −√2], positive on [√2, ∞): one zero
 * x₀ ≈ −0.7517915246935645 (enclosed below, radius ≈ 2^-59; the tests check
 * that σ′ changes sign across that ball). σ′ → ±√2. σ″ → 0, ±2. */
#define GELU_D1_ROOT_STR "-0.75179152469356445745790494677952"

static int gelu_crit_points(arb_ptr c, int k, slong wp)
{
    if (k == 0) {
        /* the decimal is read at 128 bits (arb_set_str keeps its
         * conversion error in the radius), then widened by 2^-59 */
        arb_set_str(c, GELU_D1_ROOT_STR, 128);
        arb_add_error_2exp_si(c, -59);
        return 1;
    }
    if (k == 1) {
        arb_sqrt_ui(c, 2, wp);
        arb_neg(c + 1, c);
        return 2;
    }
    arb_zero(c);
    arb_set_si(c + 1, 2);
    arb_set_si(c + 2, -2);
    return 3;
}

static int gelu_range(int k, double *lo, double *hi)
{
    /* min σ′ = 1 − sup σ′ ≈ −0.12890; min σ″ = −2φ(2) ≈ −0.10798 */
    double S = (k == 0) ? 1.0 : (k == 1) ? plstar_act_sup_d1(ACT_GELU) : plstar_act_sup_d2(ACT_GELU);
    *lo = (k == 1) ? -0.12891 : -0.10799, *hi = S;
    return k > 0;
}

static void gelu_err(const act_desc *d, double x, double s0, double s1, double *e0, double *e1)
{
    const double u = ACT_ERR_U, F = ACT_ERR_FLOOR;
    double a0 = fabs(s0), a1 = fabs(s1);
    if (x <= -40) {
        /* |σ| ≤ φ(x) (Mills: Φ(x) ≤ φ(x)/|x|) and |σ′| ≤ |x|φ(x),
         * both < 2^-1140 < F here, so |σ̂ − σ| ≤ |σ̂| + F. */
        *e0 = a0 + F;
        *e1 = a1 + F;
        return;
    }
    /* Φ̂ = ½ erfc(ŷ) − √2·φ̂·d (see gelu_d). The correction
     * is small: |d| ≤ 2.0001u|x|/√2, and relative to Φ it is
     * √2φ|d|/Φ ≤ 2.0001u·|x|φ/Φ. For x < 0, φ/Φ ≤ (|x| + √(x²+4))/2
     * ≤ |x| + 1 (Mills-ratio bound), giving ≤ 2.0001u(x² + |x|) <
     * 4·10⁻¹³ for |x| ≤ 40; for x ≥ 0, |x|φ/Φ ≤ 2xφ(x) ≤ 2φ(1) < 0.49,
     * giving < 1u. Its own errors (the omitted Taylor term ≈ 2y²d², φ̂ and d
     * rounded) are below 10⁻²²Φ. Left: erfc 40u, the subtraction
     * u, the factor ½ exact: rΦ = 41u, 43u with slack (B). (For
     * x ≥ 40, φ̂ = 0 and no correction is applied; there the
     * argument error changes Φ by at most |xδ|·2φ(x) < 1u.)
     * σ = x·Φ̂: one more u → A = 45.
     * φ̂ (split x², as for erf): 12u; x·φ̂: 13u ≤ rΦ.
     * σ′ = Φ + xφ. x ≥ 0: both terms ≥ 0 → A = 45.
     * x < 0: the terms cancel at x ≈ −0.7518 (a zero of σ′), so
     *   |σ̂′ − σ′| ≤ rΦ·u·M + u|σ̂′|,  M = Φ + |x|φ;
     * M = 2Φ − σ′ ≤ 2(|σ̂| + e0)/|x| + |σ̂′| + e1 (as σ = xΦ), where
     * the e1 term (rΦ·u·e1 ≤ 2^-40·e1) and the rounding of this
     * expression are absorbed by the factor 1 + 2^-30. For
     * |x| < 2^-500, where σ̂ may be subnormal, M ≤ 0.75 instead
     * (Φ ≤ ½, |x|φ ≤ φ(1) < 0.242). Here B·u = rΦ·u·M. */
    const double rphi = d->err_b;
    double r0 = d->err_a[0] * u * a0 + F;
    *e0 = r0;
    if (x >= 0) {
        *e1 = d->err_a[1] * u * a1 + F;
    } else {
        double M = (x >= -0x1p-500) ? 0.75 : 2 * (a0 + r0) / -x + a1;
        *e1 = ((rphi * M + a1) * u) * (1 + 0x1p-30) + F;
    }
}

/* σ′ = Φ + xφ, σ″ = φ(2 − x²), so σ′ has its only critical points at ±√2;
 * σ′ → 1 (x → ∞) and → 0 (x → −∞). σ′(√2) = Φ(√2) + √2φ(√2) =
 * ½(1 + erf 1) + e^{−1}/√π ≈ 1.1289, and σ′(−√2) = 1 − σ′(√2) ≈ −0.1289 is
 * smaller in modulus, so sup|σ′| = σ′(√2). σ‴ = −xφ(4 − x²) vanishes at
 * 0, ±2: σ″(0) = 2φ(0) = √(2/π) ≈ 0.798, σ″(±2) = −2φ(2) ≈ −0.108, σ″ → 0
 * at ±∞: sup|σ″| = √(2/π). */
static void gelu_sup(double sup[2])
{
    const slong p = 128;
    arb_t t, s, r;
    arb_init(t);
    arb_init(s);
    arb_init(r);
    arb_one(t);
    arb_hypgeom_erf(t, t, p);
    arb_add_ui(t, t, 1, p);
    arb_mul_2exp_si(t, t, -1);
    arb_const_e(s, p);
    arb_inv(s, s, p);
    arb_const_sqrt_pi(r, p);
    arb_div(s, s, r, p);
    arb_add(t, t, s, p);
    sup[0] = plstar_arb_upper_d(t);
    arb_const_pi(t, p);
    arb_ui_div(t, 2, t, p);
    arb_sqrt(t, t, p);
    sup[1] = plstar_arb_upper_d(t);
    arb_clear(t);
    arb_clear(s);
    arb_clear(r);
}

const act_desc act_desc_gelu = {
    .name = "gelu",
    .formula = "z * (1 + erf(z / sqrt(2))) / 2 (the exact erf form: torch gelu with approximate='none')",
    .twice_differentiable = 1,
    .eval_d = gelu_d,
    .eval_arb = act_eval_smooth,
    .arb = {.formulas = gelu_formulas, .crit_points = gelu_crit_points, .range = gelu_range},
    .err_d = gelu_err, /* derivation there */
    .err_a = {45, 45},
    .err_b = 43,
    /* through 1 + erf, which cancels in the left tail: (1 + |x|)·2u, 4u for σ′ */
    .any_formula_err = {2, 4},
    .any_formula_grows = 1,
    .sup = gelu_sup,
};

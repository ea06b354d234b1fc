/*
 * core/activation.c — σ, σ′, σ″ in double and in Arb, global bounds on |σ′|
 * and |σ″|, and the rounding-error model of the double versions.
 *
 * Double versions: formulas are chosen so that every value is computed with a
 * small relative error over the whole double range (no overflow, no
 * cancellation except at a true zero of gelu′); act_err_d states the resulting
 * bounds. Arb versions: for a narrow ball the closed formulas are evaluated in
 * ball arithmetic (Arb's functions are rigorous over balls); for a wide ball
 * σ⁽ᵏ⁾ is evaluated at the two endpoints and at its interior critical points,
 * which is exact up to rounding because σ⁽ᵏ⁾ is monotone between them.
 */
#include "core/activation.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include <arb_hypgeom.h>

/* ------------------------------------------------------------------------ */
/* names                                                                     */

static const char *const act_names[ACT_COUNT] = {
    [ACT_LINEAR] = "linear", [ACT_TANH] = "tanh", [ACT_SIGMOID] = "sigmoid",
    [ACT_SOFTPLUS] = "softplus", [ACT_SIN] = "sin", [ACT_ERF] = "erf",
    [ACT_GELU] = "gelu", [ACT_RELU] = "relu", [ACT_LEAKY_RELU] = "leaky_relu",
};

int act_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int a = 0; a < ACT_COUNT; a++)
        if (strcmp(name, act_names[a]) == 0)
            return a;
    return -1;
}

const char *act_name(plstar_act a)
{
    return ((unsigned)a < ACT_COUNT) ? act_names[a] : "unknown";
}

int act_twice_differentiable(plstar_act a)
{
    return (unsigned)a < ACT_COUNT && a != ACT_RELU && a != ACT_LEAKY_RELU;
}

/* ------------------------------------------------------------------------ */
/* double versions                                                           */

/* Correctly rounded double constants (hex so that no decimal conversion is
 * involved); each is within u = 2^-53 relative of the exact value. */
#define D_2_SQRTPI 0x1.20dd750429b6dp+0       /* 2/√π */
#define D_1_SQRT2PI 0x1.9884533d43651p-2      /* 1/√(2π) */
#define D_SQRT1_2 0x1.6a09e667f3bcdp-1        /* 1/√2 */
#define D_SQRT1_2_LO -0x1.bdd3413b26456p-55   /* 1/√2 − D_SQRT1_2 */
#define D_SQRT2 0x1.6a09e667f3bcdp+0          /* √2 */

/* exp(−x²)·2/√π without the x²·u loss of exp(−fl(x²)): x² = h + l exactly
 * (l = fma(x, x, −h)), and exp(−l) = 1 − l to within l² < 10⁻²⁶ for |x| < 27.5.
 * Beyond 27.5 the value is below 2^-1090 and 0 is returned. */
static double erf_deriv(double x)
{
    if (!(fabs(x) < 27.5))
        return 0.0;
    double h = x * x, l = fma(x, x, -h);
    return (D_2_SQRTPI * exp(-h)) * (1.0 - l);
}

/* φ(x) = exp(−x²/2)/√(2π) with the same splitting; 0 for |x| ≥ 40, where
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

void act_eval_d(plstar_act a, double x, double *s0, double *s1, double *s2)
{
    double v0 = NAN, v1 = NAN, v2 = NAN;
    int want1 = s1 != NULL || s2 != NULL, want2 = s2 != NULL;

    if (isnan(x))
        goto out;
    switch (a) {
    case ACT_LINEAR:
        v0 = x, v1 = 1.0, v2 = 0.0;
        break;
    case ACT_TANH: /* core/act_tanh.c: one exponential, proven bounds */
        _act_tanh_d(x, &v0, &v1);
        v2 = -2.0 * v0 * v1;
        break;
    case ACT_SIGMOID:
    case ACT_SOFTPLUS: {
        /* e = exp(−|x|) ∈ [0,1] never overflows; sigmoid = 1/(1+e) for x ≥ 0
         * and e/(1+e) for x < 0; sigmoid′ = e/(1+e)²; sigmoid″ = −sigmoid′·tanh(x/2). */
        double e = exp(-fabs(x)), d = 1.0 + e;
        double sg = (x >= 0) ? 1.0 / d : e / d, sgd = e / (d * d);
        if (a == ACT_SIGMOID) {
            v0 = sg, v1 = sgd;
            v2 = want2 ? -sgd * tanh(0.5 * x) : NAN;
        } else {
            /* softplus = max(x,0) + log1p(exp(−|x|)) */
            v0 = (x > 0 ? x : 0.0) + log1p(e);
            v1 = sg, v2 = sgd;
        }
        break;
    }
    case ACT_SIN:
        v0 = sin(x);
        if (want1)
            v1 = cos(x);
        v2 = -v0;
        break;
    case ACT_ERF:
        v0 = erf(x);
        if (want1) {
            v1 = erf_deriv(x);
            v2 = (v1 == 0.0) ? 0.0 : -2.0 * x * v1;
        }
        break;
    case ACT_GELU: {
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
        v0 = (P == 0.0) ? -0.0 : x * P;
        if (want1) {
            v1 = (g == 0.0) ? P : P + x * g;
            /* 2 − x² = (2 − h) − l; 2 − h is exact near x² = 2 (Sterbenz) */
            v2 = (g == 0.0) ? 0.0 : g * ((2.0 - h) - l);
        }
        break;
    }
    case ACT_RELU:
        v0 = (x > 0) ? x : 0.0;
        v1 = (x > 0) ? 1.0 : 0.0; /* relu′(0) = 0, as PyTorch */
        v2 = 0.0;                 /* the a.e. value; act_sup_d2 is +∞ */
        break;
    case ACT_LEAKY_RELU:
        v0 = (x > 0) ? x : PLSTAR_LEAKY_SLOPE * x;
        v1 = (x > 0) ? 1.0 : PLSTAR_LEAKY_SLOPE; /* leaky′(0) = slope, as PyTorch */
        v2 = 0.0;
        break;
    default:
        break;
    }
out:
    if (s0)
        *s0 = v0;
    if (s1)
        *s1 = v1;
    if (s2)
        *s2 = v2;
}

/* ------------------------------------------------------------------------ */
/* rounding-error model of act_eval_d                                        */

/*
 * Model. Write u = 2^-53. An ulp of a normal double y is at most 2u|y|. The
 * glibc manual ("Errors in Math Functions", x86_64 table, round to nearest)
 * lists for double: exp 1, log1p 1, sin 1, cos 1, erf 1, erfc 5 ulp.
 * These are observed maxima, not proofs, so we assume 4× as much:
 *   exp, log1p, sin, cos, erf: 4 ulp ≤ 8u relative;  erfc: 20 ulp ≤ 40u.
 * tanh uses no libm function: its exponentials are proven in core/act_tanh.c.
 * Each +, −, ×, / adds at most u relative. Bounds are derived to first order;
 * one extra unit in every constant A covers the second-order terms, the
 * conversion from "relative to the exact value" to "relative to the computed
 * value" (|ŷ − y| ≤ k u |y| implies |ŷ − y| ≤ k u |ŷ|/(1 − k u)), and the
 * rounding of the bound's own evaluation. Subnormal results lose relative
 * accuracy but keep an absolute error of a few·2^-1074 (times at most 40 where
 * a result is scaled by x); the floor F = 2^-1060 covers that.
 * The bounds are e = A·u·|ŝ| + B·u + F with A, B below.
 */
#define ERR_U 0x1p-53
#define ERR_FLOOR 0x1p-1060

void act_err_d(plstar_act a, double x, double s0, double s1, double *e0, double *e1)
{
    const double u = ERR_U, F = ERR_FLOOR;
    double r0 = INFINITY, r1 = INFINITY;
    double a0 = fabs(s0), a1 = fabs(s1);

    if (isfinite(x)) {
        switch (a) {
        case ACT_LINEAR:
        case ACT_RELU:
            /* exact */
            r0 = 0.0, r1 = 0.0;
            break;
        case ACT_LEAKY_RELU:
            /* one rounded product slope·x for x < 0 (slope is the exact double) */
            r0 = (x < 0) ? u * a0 + F : 0.0;
            r1 = 0.0;
            break;
        case ACT_TANH:
            /* core/act_tanh.c: the exponentials of y = −2|x| are its own,
             * proven within 3.1u (exp) and 2.9u (expm1), not libm's.
             * k ≤ −1, e = exp(y) ≤ 0.7072: σ = (1 − e)/(1 + e): 1 − e
             *   3.1u·e/(1 − e) + u ≤ 8.5u; 1 + e 3.1u·0.42 + u ≤ 2.3u;
             *   divide u: 11.8u. σ′ = 4e/(1+e)²: 3.1 + 2·2.3 + 1 + 1 = 9.7u.
             * k = 0, m = expm1(y) ∈ [−0.293, 0]: σ = −m/(m + 2): m + 2
             *   2.9u·0.293/1.707 + u ≤ 1.5u; divide u: 2.9 + 1.5 + 1 = 5.4u.
             *   σ′ = fma(−σ, σ, 1), σ² ≤ tanh²(ln2/4) < 0.03: 2·5.4u·0.03/0.97
             *   + u ≤ 1.4u.
             * So σ ≤ 11.8u → A = 17 (the model of libm's tanh, kept);
             * σ′ ≤ 9.7u → A = 21 (kept). */
            r0 = 17 * u * a0 + F;
            r1 = 21 * u * a1 + F;
            break;
        case ACT_SIGMOID:
            /* e = exp(−|x|) 8u; d = 1+e 5u (as for tanh).
             * σ: x ≥ 0: 1/d 6u; x < 0: e/d 8 + 5 + 1 = 14u → A = 15.
             * σ′ = e/(d·d): 8 + 11 + 1 = 20u → A = 21. */
            r0 = 15 * u * a0 + F;
            r1 = 21 * u * a1 + F;
            break;
        case ACT_SOFTPLUS:
            /* l = log1p(ê): log1p 8u; the 8u error of ê moves log1p(e) by at
             * most e·8u/(1+e) ≤ 8u·log1p(e) (log1p(e) ≥ e/(1+e)): 16u. For
             * x > 0, x + l adds nonnegative terms: 16u + u → A = 18.
             * σ′ is the sigmoid computed as above → A = 15. */
            r0 = 18 * u * a0 + F;
            r1 = 15 * u * a1 + F;
            break;
        case ACT_SIN:
            /* libm sin, cos: 8u each → A = 9 */
            r0 = 9 * u * a0 + F;
            r1 = 9 * u * a1 + F;
            break;
        case ACT_ERF:
            /* σ: libm erf 8u → A = 9.
             * σ′ = (C·exp(−h))·(1 − l): C rounded u, exp 8u, product u,
             * 1 − l rounded u (plus l² < 10⁻¹⁰u), product u: 12u → A = 13.
             * For |x| ≥ 27.5, σ̂′ = 0 and σ′ < 2^-1090 < F. */
            r0 = 9 * u * a0 + F;
            r1 = 13 * u * a1 + F;
            break;
        case ACT_GELU:
            if (x <= -40) {
                /* |σ| ≤ φ(x) (Mills: Φ(x) ≤ φ(x)/|x|) and |σ′| ≤ |x|φ(x),
                 * both < 2^-1140 < F here, so |σ̂ − σ| ≤ |σ̂| + F. */
                r0 = a0 + F;
                r1 = a1 + F;
            } else {
                /* Φ̂ = ½ erfc(ŷ) − √2·φ̂·d (see act_eval_d). The correction
                 * is small: |d| ≤ 2.0001u|x|/√2, and relative to Φ it is
                 * √2φ|d|/Φ ≤ 2.0001u·|x|φ/Φ. For x < 0, φ/Φ ≤ (|x| + √(x²+4))/2
                 * ≤ |x| + 1 (Mills-ratio bound), giving ≤ 2.0001u(x² + |x|) <
                 * 4·10⁻¹³ for |x| ≤ 40; for x ≥ 0, |x|φ/Φ ≤ 2xφ(x) ≤ 2φ(1) < 0.49,
                 * giving < 1u. Its own errors (the omitted Taylor term ≈ 2y²d², φ̂ and d
                 * rounded) are below 10⁻²²Φ. Left: erfc 40u, the subtraction
                 * u, the factor ½ exact: rΦ = 41u, 43u with slack. (For
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
                const double rphi = 43.0;
                r0 = 45 * u * a0 + F;
                if (x >= 0) {
                    r1 = 45 * u * a1 + F;
                } else {
                    double M = (x >= -0x1p-500) ? 0.75 : 2 * (a0 + r0) / -x + a1;
                    r1 = ((rphi * M + a1) * u) * (1 + 0x1p-30) + F;
                }
            }
            break;
        default:
            break;
        }
    }
    if (e0)
        *e0 = r0;
    if (e1)
        *e1 = r1;
}

/* ------------------------------------------------------------------------ */
/* certified global bounds                                                   */

/*
 * sup|σ′| and sup|σ″|, from closed forms enclosed in Arb and rounded up.
 *  tanh:    σ′ = 1 − t², t = tanh x ∈ (−1,1): max 1 at x = 0.
 *           |σ″| = 2|t|(1 − t²) =: g(t); g′(t) = 2 − 6t² vanishes only at
 *           t² = 1/3 on [0,1), g(0) = g(1) = 0, so sup = g(1/√3) = 4/(3√3).
 *  sigmoid: σ(x) = ½ + ½tanh(x/2): σ′ = ¼ sech²(x/2) ≤ ¼ (x = 0),
 *           σ″ = ⅛ tanh″(x/2): sup = ⅛·4/(3√3) = 1/(6√3).
 *  softplus: σ′ = sigmoid ∈ (0,1), sup 1 (approached as x → ∞);
 *           σ″ = sigmoid′ ≤ ¼ (x = 0).
 *  sin:     |cos|, |sin| ≤ 1, attained.
 *  erf:     σ′ = (2/√π)e^{−x²} ≤ 2/√π (x = 0); |σ″| = (4/√π)|x|e^{−x²}, and
 *           |x|e^{−x²} has its only critical points at |x| = 1/√2 (derivative
 *           (1 − 2x²)e^{−x²}) and vanishes at 0 and ∞: sup = 2√2e^{−1/2}/√π.
 *  gelu:    σ′ = Φ + xφ, σ″ = φ(2 − x²), so σ′ has its only critical points at
 *           ±√2; σ′ → 1 (x → ∞) and → 0 (x → −∞). σ′(√2) = Φ(√2) + √2φ(√2) =
 *           ½(1 + erf 1) + e^{−1}/√π ≈ 1.1289, and σ′(−√2) = 1 − σ′(√2) ≈
 *           −0.1289 is smaller in modulus, so sup|σ′| = σ′(√2).
 *           σ‴ = −xφ(4 − x²) vanishes at 0, ±2: σ″(0) = 2φ(0) = √(2/π) ≈ 0.798,
 *           σ″(±2) = −2φ(2) ≈ −0.108, σ″ → 0 at ±∞: sup|σ″| = √(2/π).
 *  relu, leaky relu: sup|σ′| = 1, σ″ unbounded (a Dirac mass at 0): +∞.
 *  linear:  1 and 0.
 */
static double sup_table[2][ACT_COUNT];
static pthread_once_t sup_once = PTHREAD_ONCE_INIT;

static double arb_upper_d(const arb_t x)
{
    arf_t t;
    arf_init(t);
    arb_get_ubound_arf(t, x, 128);
    double d = arf_get_d(t, ARF_RND_UP);
    arf_clear(t);
    return d;
}

static void sup_init(void)
{
    const slong p = 128;
    arb_t t, s;
    arb_init(t);
    arb_init(s);

    for (int a = 0; a < ACT_COUNT; a++)
        sup_table[0][a] = 1.0;
    sup_table[0][ACT_SIGMOID] = 0.25;
    sup_table[1][ACT_LINEAR] = 0.0;
    sup_table[1][ACT_SIN] = 1.0;
    sup_table[1][ACT_SOFTPLUS] = 0.25;
    sup_table[1][ACT_RELU] = INFINITY;
    sup_table[1][ACT_LEAKY_RELU] = INFINITY;

    /* tanh: 4/(3√3) */
    arb_sqrt_ui(t, 3, p);
    arb_mul_ui(t, t, 3, p);
    arb_ui_div(t, 4, t, p);
    sup_table[1][ACT_TANH] = arb_upper_d(t);

    /* sigmoid: 1/(6√3) */
    arb_sqrt_ui(t, 3, p);
    arb_mul_ui(t, t, 6, p);
    arb_inv(t, t, p);
    sup_table[1][ACT_SIGMOID] = arb_upper_d(t);

    /* erf: 2/√π and 2√2 e^{−1/2}/√π */
    arb_const_sqrt_pi(s, p);
    arb_set_ui(t, 2);
    arb_div(t, t, s, p);
    sup_table[0][ACT_ERF] = arb_upper_d(t);
    arb_set_si(t, -1);
    arb_mul_2exp_si(t, t, -1);
    arb_exp(t, t, p);
    arb_div(t, t, s, p);
    arb_sqrt_ui(s, 2, p);
    arb_mul(t, t, s, p);
    arb_mul_2exp_si(t, t, 1);
    sup_table[1][ACT_ERF] = arb_upper_d(t);

    /* gelu: ½(1 + erf 1) + e^{−1}/√π and √(2/π) */
    arb_one(t);
    arb_hypgeom_erf(t, t, p);
    arb_add_ui(t, t, 1, p);
    arb_mul_2exp_si(t, t, -1);
    arb_const_e(s, p);
    arb_inv(s, s, p);
    {
        arb_t r;
        arb_init(r);
        arb_const_sqrt_pi(r, p);
        arb_div(s, s, r, p);
        arb_clear(r);
    }
    arb_add(t, t, s, p);
    sup_table[0][ACT_GELU] = arb_upper_d(t);
    arb_const_pi(t, p);
    arb_ui_div(t, 2, t, p);
    arb_sqrt(t, t, p);
    sup_table[1][ACT_GELU] = arb_upper_d(t);

    arb_clear(t);
    arb_clear(s);
}

double act_sup_d1(plstar_act a)
{
    if ((unsigned)a >= ACT_COUNT)
        return NAN;
    pthread_once(&sup_once, sup_init);
    return sup_table[0][a];
}

double act_sup_d2(plstar_act a)
{
    if ((unsigned)a >= ACT_COUNT)
        return NAN;
    pthread_once(&sup_once, sup_init);
    return sup_table[1][a];
}

/* ------------------------------------------------------------------------ */
/* Arb versions                                                              */

/* 1/(1 + exp(−x)), finite and relatively tight for any finite x. */
static void arb_sigmoid(arb_t r, const arb_t x, slong wp)
{
    arb_neg(r, x);
    arb_exp(r, r, wp);
    arb_add_ui(r, r, 1, wp);
    arb_inv(r, r, wp);
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

/* Closed formulas evaluated in ball arithmetic; NULL outputs are skipped.
 * Outputs must not alias x or each other. Each formula combines enclosures
 * that are valid at every point of x, so the result is too. */
static void eval_direct(plstar_act a, arb_ptr s0, arb_ptr s1, arb_ptr s2, const arb_t x, slong wp)
{
    arb_t t, c, p;
    arb_init(t);
    arb_init(c);
    arb_init(p);

    switch (a) {
    case ACT_TANH:
        if (s0 || s2)
            arb_tanh(t, x, wp);
        if (s1 || s2) {
            arb_sech(c, x, wp); /* sech² rather than 1 − tanh²: relatively tight for large |x| */
            arb_sqr(c, c, wp);
        }
        if (s0)
            arb_set(s0, t);
        if (s1)
            arb_set(s1, c);
        if (s2) {
            arb_mul(s2, t, c, wp);
            arb_mul_si(s2, s2, -2, wp);
        }
        break;
    case ACT_SIGMOID:
    case ACT_SOFTPLUS:
        /* p = sigmoid(x), c = sigmoid(−x); sigmoid′ = p·c (not p(1 − p), which
         * loses relative accuracy for large x); sigmoid″ = −sigmoid′·tanh(x/2). */
        arb_sigmoid(p, x, wp);
        if ((a == ACT_SIGMOID && (s1 || s2)) || (a == ACT_SOFTPLUS && s2)) {
            arb_neg(t, x);
            arb_sigmoid(c, t, wp);
            arb_mul(c, p, c, wp);
        }
        if (a == ACT_SIGMOID) {
            if (s0)
                arb_set(s0, p);
            if (s1)
                arb_set(s1, c);
            if (s2) {
                arb_mul_2exp_si(t, x, -1);
                arb_tanh(t, t, wp);
                arb_mul(s2, c, t, wp);
                arb_neg(s2, s2);
            }
        } else {
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
        }
        break;
    case ACT_SIN:
        arb_sin_cos(t, c, x, wp);
        if (s0)
            arb_set(s0, t);
        if (s1)
            arb_set(s1, c);
        if (s2)
            arb_neg(s2, t);
        break;
    case ACT_ERF:
        if (s0)
            arb_hypgeom_erf(s0, x, wp);
        if (s1 || s2) { /* c = (2/√π) exp(−x²) */
            arb_sqr(c, x, wp);
            arb_neg(c, c);
            arb_exp(c, c, wp);
            arb_const_sqrt_pi(t, wp);
            arb_div(c, c, t, wp);
            arb_mul_2exp_si(c, c, 1);
            if (s1)
                arb_set(s1, c);
            if (s2) {
                arb_mul(s2, x, c, wp);
                arb_mul_si(s2, s2, -2, wp);
            }
        }
        break;
    case ACT_GELU:
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
        break;
    default:
        if (s0)
            arb_indeterminate(s0);
        if (s1)
            arb_indeterminate(s1);
        if (s2)
            arb_indeterminate(s2);
        break;
    }
    arb_clear(t);
    arb_clear(c);
    arb_clear(p);
}

/* Enclosures of the interior critical points of σ⁽ᵏ⁾ (zeros of σ⁽ᵏ⁺¹⁾), the
 * only points besides the endpoints where σ⁽ᵏ⁾ on an interval can attain its
 * extrema. Returns their number (≤ 3). Derivations:
 *  tanh:     σ′ even, decreasing in |x| → 0. σ‴ = 2 sech²x (3tanh²x − 1)·(−1)
 *            vanishes at tanh x = ±1/√3, x = ±½ log(2 + √3).
 *  sigmoid:  σ(x) = ½ + ½tanh(x/2): σ′ → 0; σ″ → ±log(2 + √3).
 *  softplus: σ, σ′ (= sigmoid) monotone; σ″ (= sigmoid′) → 0.
 *  erf:      σ′ ∝ e^{−x²} → 0; σ″ ∝ −x e^{−x²} → ±1/√2.
 *  gelu:     σ′ = Φ + xφ: increasing on (−√2, √2) (σ″ = φ(2 − x²) > 0 there),
 *            negative and decreasing on (−∞, −√2], positive on [√2, ∞): one zero
 *            x₀ ≈ −0.7517915246935645 (enclosed below, radius ≈ 2^-59; the
 *            tests check that σ′ changes sign across that ball). σ′ → ±√2. σ″ → 0, ±2. */
#define ACT_GELU_ROOT_STR "-0.75179152469356445745790494677952"

static int crit_points(arb_ptr c, plstar_act a, int k, slong wp)
{
    int n = 0;
    arb_t t;
    arb_init(t);
    switch (a) {
    case ACT_TANH:
    case ACT_SIGMOID:
        if (k == 1)
            arb_zero(c + n++);
        else if (k == 2) {
            arb_sqrt_ui(t, 3, wp);
            arb_add_ui(t, t, 2, wp);
            arb_log(t, t, wp);
            if (a == ACT_TANH)
                arb_mul_2exp_si(t, t, -1);
            arb_set(c + n++, t);
            arb_neg(c + n++, t);
        }
        break;
    case ACT_SOFTPLUS:
        if (k == 2)
            arb_zero(c + n++);
        break;
    case ACT_ERF:
        if (k == 1)
            arb_zero(c + n++);
        else if (k == 2) {
            arb_sqrt_ui(t, 2, wp);
            arb_mul_2exp_si(t, t, -1);
            arb_set(c + n++, t);
            arb_neg(c + n++, t);
        }
        break;
    case ACT_GELU:
        if (k == 0) {
            /* the decimal is read at 128 bits (arb_set_str keeps its
             * conversion error in the radius), then widened by 2^-59 */
            arb_set_str(c + n, ACT_GELU_ROOT_STR, 128);
            arb_add_error_2exp_si(c + n, -59);
            n++;
        } else if (k == 1) {
            arb_sqrt_ui(t, 2, wp);
            arb_set(c + n++, t);
            arb_neg(c + n++, t);
        } else {
            arb_zero(c + n++);
            arb_set_si(c + n++, 2);
            arb_set_si(c + n++, -2);
        }
        break;
    default:
        break;
    }
    arb_clear(t);
    return n;
}

static void eval_k(plstar_act a, int k, arb_t r, const arb_t x, slong wp)
{
    eval_direct(a, k == 0 ? r : NULL, k == 1 ? r : NULL, k == 2 ? r : NULL, x, wp);
}

/* σ⁽ᵏ⁾ over [lo, hi] as the hull of its values at the endpoints and at the
 * critical points that the interval may contain. */
static void eval_hull(plstar_act a, int k, arb_t r, const arf_t lo, const arf_t hi, slong wp)
{
    arb_t p, v, iv;
    arb_ptr c = _arb_vec_init(3);
    arb_init(p);
    arb_init(v);
    arb_init(iv);

    arb_set_arf(p, lo);
    eval_k(a, k, r, p, wp);
    arb_set_arf(p, hi);
    eval_k(a, k, v, p, wp);
    arb_union(r, r, v, wp);
    arb_set_interval_arf(iv, lo, hi, wp);
    int n = crit_points(c, a, k, wp);
    for (int i = 0; i < n; i++)
        if (arb_overlaps(c + i, iv)) {
            eval_k(a, k, v, c + i, wp);
            arb_union(r, r, v, wp);
        }

    arb_clear(p);
    arb_clear(v);
    arb_clear(iv);
    _arb_vec_clear(c, 3);
}

/* Known range [lo, hi] of σ⁽ᵏ⁾ (outer double bounds); 0 when unbounded. */
static int act_range(plstar_act a, int k, double *lo, double *hi)
{
    double S = (k == 0) ? 1.0 : (k == 1) ? act_sup_d1(a) : act_sup_d2(a);
    switch (a) {
    case ACT_TANH:
    case ACT_ERF:
        *lo = (k == 1) ? 0.0 : -S, *hi = S;
        return 1;
    case ACT_SIGMOID:
        *lo = (k == 2) ? -S : 0.0, *hi = S;
        return 1;
    case ACT_SOFTPLUS:
        *lo = 0.0, *hi = S;
        return k > 0;
    case ACT_SIN:
        *lo = -1.0, *hi = 1.0;
        return 1;
    case ACT_GELU:
        /* min σ′ = 1 − sup σ′ ≈ −0.12890; min σ″ = −2φ(2) ≈ −0.10798 */
        *lo = (k == 1) ? -0.12891 : -0.10799, *hi = S;
        return k > 0;
    default:
        return 0;
    }
}

static void set_interval_d(arb_t r, double lo, double hi, slong prec)
{
    arf_t l, h;
    arf_init(l);
    arf_init(h);
    arf_set_d(l, lo);
    arf_set_d(h, hi);
    arb_set_interval_arf(r, l, h, prec);
    arf_clear(l);
    arf_clear(h);
}

/* Smooth activations: direct formulas for narrow balls, hulls for wide ones,
 * then intersection with the known range (which also bounds non-finite input). */
static void eval_smooth(plstar_act a, arb_ptr out[3], const arb_t x, slong prec)
{
    slong wp = prec + 10;
    int finite = arb_is_finite(x);
    int wide = finite && a != ACT_SIN && mag_cmp_2exp_si(arb_radref(x), -16) > 0;
    arb_t r, rng;
    arf_t lo, hi;
    arb_init(r);
    arb_init(rng);
    arf_init(lo);
    arf_init(hi);

    if (finite && !wide) {
        arb_ptr t[3] = {NULL, NULL, NULL};
        for (int k = 0; k < 3; k++)
            if (out[k]) {
                t[k] = _arb_vec_init(1);
            }
        eval_direct(a, t[0], t[1], t[2], x, wp);
        for (int k = 0; k < 3; k++)
            if (out[k]) {
                arb_swap(out[k], t[k]);
                _arb_vec_clear(t[k], 1);
            }
    } else if (wide) {
        arb_get_lbound_arf(lo, x, wp);
        arb_get_ubound_arf(hi, x, wp);
        for (int k = 0; k < 3; k++)
            if (out[k])
                eval_hull(a, k, out[k], lo, hi, wp);
    } else {
        for (int k = 0; k < 3; k++)
            if (out[k])
                arb_zero_pm_inf(out[k]);
    }

    for (int k = 0; k < 3; k++) {
        double dlo, dhi;
        if (!out[k])
            continue;
        if (act_range(a, k, &dlo, &dhi)) {
            set_interval_d(rng, dlo, dhi, wp);
            if (!arb_is_finite(out[k]) || !arb_intersection(r, out[k], rng, wp))
                arb_set(r, rng);
            arb_swap(out[k], r);
        } else if (!arb_is_finite(out[k])) {
            arb_zero_pm_inf(out[k]);
        }
        arb_set_round(out[k], out[k], prec);
    }
    arb_clear(r);
    arb_clear(rng);
    arf_clear(lo);
    arf_clear(hi);
}

/* ReLU and leaky ReLU: σ is monotone, so σ(ball) = [σ(lo), σ(hi)]; σ′ is the
 * constant of the side the ball lies on, or the hull [slope, 1] of both
 * one-sided derivatives when the ball touches 0; σ″ is indeterminate. */
static void eval_relu(plstar_act a, arb_ptr out[3], const arb_t x, slong prec)
{
    double slope = (a == ACT_LEAKY_RELU) ? PLSTAR_LEAKY_SLOPE : 0.0;
    int pos = arb_is_positive(x), neg = arb_is_negative(x);

    if (out[0]) {
        arb_t s, t;
        arb_init(s);
        arb_init(t);
        arb_set_d(s, slope); /* exactly the double slope */
        if (pos) {
            arb_set_round(out[0], x, prec);
        } else if (!arb_is_finite(x)) {
            arb_zero_pm_inf(out[0]);
        } else if (neg) {
            arb_mul(out[0], x, s, prec);
        } else { /* [slope·lo, hi] */
            arf_t lo, hi;
            arf_init(lo);
            arf_init(hi);
            arb_get_lbound_arf(lo, x, prec);
            arb_get_ubound_arf(hi, x, prec);
            arb_set_arf(t, lo);
            arb_mul(t, t, s, prec);
            arb_set_arf(s, hi);
            arb_union(out[0], t, s, prec);
            arf_clear(lo);
            arf_clear(hi);
        }
        arb_clear(s);
        arb_clear(t);
    }
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

void act_eval_arb(plstar_act a, arb_t s0, arb_t s1, arb_t s2, const arb_t x, slong prec)
{
    arb_t xx;
    arb_ptr out[3] = {s0, s1, s2};
    arb_init(xx);
    arb_set(xx, x); /* outputs may alias x */

    switch (a) {
    case ACT_LINEAR:
        if (s0)
            arb_set_round(s0, xx, prec);
        if (s1)
            arb_one(s1);
        if (s2)
            arb_zero(s2);
        break;
    case ACT_RELU:
    case ACT_LEAKY_RELU:
        eval_relu(a, out, xx, prec);
        break;
    case ACT_TANH:
    case ACT_SIGMOID:
    case ACT_SOFTPLUS:
    case ACT_SIN:
    case ACT_ERF:
    case ACT_GELU:
        eval_smooth(a, out, xx, prec);
        break;
    default:
        for (int k = 0; k < 3; k++)
            if (out[k])
                arb_indeterminate(out[k]);
        break;
    }
    arb_clear(xx);
}

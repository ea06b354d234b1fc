/* core/act_erf.c — σ = erf, σ′ = (2/√π)e^{−x²}, σ″ = −2x·σ′. */
#include "core/act_impl.h"
#include "core/report.h"

#include <arb_hypgeom.h>
#include <math.h>

#define D_2_SQRTPI 0x1.20dd750429b6dp+0 /* 2/√π, correctly rounded */

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

static void erf_d(double x, double v[3], int want1, int want2)
{
    v[0] = erf(x);
    if (want1) {
        v[1] = erf_deriv(x);
        v[2] = (v[1] == 0.0) ? 0.0 : -2.0 * x * v[1];
    }
}

static void erf_formulas(arb_ptr s0, arb_ptr s1, arb_ptr s2, const arb_t x, slong wp)
{
    if (s0)
        arb_hypgeom_erf(s0, x, wp);
    if (s1 || s2) { /* c = (2/√π) exp(−x²) */
        arb_t t, c;
        arb_init(t);
        arb_init(c);
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
        arb_clear(t);
        arb_clear(c);
    }
}

/* σ′ ∝ e^{−x²} → 0; σ″ ∝ −x e^{−x²} → ±1/√2. */
static int erf_crit_points(arb_ptr c, int k, slong wp)
{
    int n = 0;
    if (k == 1) {
        arb_zero(c + n++);
    } else if (k == 2) {
        arb_t t;
        arb_init(t);
        arb_sqrt_ui(t, 2, wp);
        arb_mul_2exp_si(t, t, -1);
        arb_set(c + n++, t);
        arb_neg(c + n++, t);
        arb_clear(t);
    }
    return n;
}

static int erf_range(int k, double *lo, double *hi)
{
    double S = (k == 0) ? 1.0 : (k == 1) ? plstar_act_sup_d1(ACT_ERF) : plstar_act_sup_d2(ACT_ERF);
    *lo = (k == 1) ? 0.0 : -S, *hi = S;
    return 1;
}

/* σ′ = (2/√π)e^{−x²} ≤ 2/√π (x = 0); |σ″| = (4/√π)|x|e^{−x²}, and |x|e^{−x²}
 * has its only critical points at |x| = 1/√2 (derivative (1 − 2x²)e^{−x²})
 * and vanishes at 0 and ∞: sup = 2√2e^{−1/2}/√π. */
static void erf_sup(double sup[2])
{
    const slong p = 128;
    arb_t t, s;
    arb_init(t);
    arb_init(s);
    arb_const_sqrt_pi(s, p);
    arb_set_ui(t, 2);
    arb_div(t, t, s, p);
    sup[0] = plstar_arb_upper_d(t);
    arb_set_si(t, -1);
    arb_mul_2exp_si(t, t, -1);
    arb_exp(t, t, p);
    arb_div(t, t, s, p);
    arb_sqrt_ui(s, 2, p);
    arb_mul(t, t, s, p);
    arb_mul_2exp_si(t, t, 1);
    sup[1] = plstar_arb_upper_d(t);
    arb_clear(t);
    arb_clear(s);
}

const act_desc act_desc_erf = {
    .name = "erf",
    .formula = "erf(z)",
    .twice_differentiable = 1,
    .eval_d = erf_d,
    .eval_arb = act_eval_smooth,
    .arb = {.formulas = erf_formulas, .crit_points = erf_crit_points, .range = erf_range},
    /* σ: libm erf 8u → A = 9.
     * σ′ = (C·exp(−h))·(1 − l): C rounded u, exp 8u, product u,
     * 1 − l rounded u (plus l² < 10⁻¹⁰u), product u: 12u → A = 13.
     * For |x| ≥ 27.5, σ̂′ = 0 and σ′ < 2^-1090 < F. */
    .err_d = act_err_relative,
    .err_a = {9, 13},
    /* σ: u absolute near 0 (exp-based formulas); σ′ from exp(−fl(x²)):
     * ≤ 0.42u → 1 */
    .any_formula_err = {1, 1},
    .sup = erf_sup,
};

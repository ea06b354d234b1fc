/*
 * core/activation.c — the table of activation descriptors, the public
 * functions of core/activation.h dispatching through it, and what the
 * activations share: the rounding-error model, the once-computed global
 * bounds, and the Arb evaluation of a smooth σ over a ball.
 *
 * Each activation's formulas, derivations and constants are in its own file
 * (core/act_*.c, descriptor in core/act_impl.h).
 */
#include "core/act_impl.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

const act_desc *const act_descriptors[] = {
    [ACT_LINEAR] = &act_desc_linear,
    [ACT_TANH] = &act_desc_tanh,
    [ACT_SIGMOID] = &act_desc_sigmoid,
    [ACT_SOFTPLUS] = &act_desc_softplus,
    [ACT_SIN] = &act_desc_sin,
    [ACT_ERF] = &act_desc_erf,
    [ACT_GELU] = &act_desc_gelu,
    [ACT_RELU] = &act_desc_relu,
    [ACT_LEAKY_RELU] = &act_desc_leaky_relu,
};
/* The last activation without its entry shortens the table; any other leaves a
 * NULL, which tests/test_activation.c (descriptors_complete) reports. */
_Static_assert(sizeof act_descriptors / sizeof *act_descriptors == ACT_COUNT, "one descriptor per activation");

/* The descriptor of a, NULL for an invalid value. */
static const act_desc *desc(plstar_act a) { return (unsigned)a < ACT_COUNT ? act_descriptors[a] : NULL; }

/* ------------------------------------------------------------------------ */
/* names and properties                                                      */

int plstar_act_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int a = 0; a < ACT_COUNT; a++)
        if (strcmp(name, act_descriptors[a]->name) == 0)
            return a;
    return -1;
}

const char *plstar_act_name(plstar_act a) { return desc(a) ? desc(a)->name : "unknown"; }

const char *plstar_act_formula(plstar_act a) { return desc(a) ? desc(a)->formula : "unknown"; }

int plstar_act_twice_differentiable(plstar_act a) { return desc(a) && desc(a)->twice_differentiable; }

int plstar_act_has_kink(plstar_act a) { return desc(a) && desc(a)->has_kink; }

static char known_names[256];
static pthread_once_t known_once = PTHREAD_ONCE_INIT;

static void known_init(void)
{
    size_t at = 0;
    for (int a = 0; a < ACT_COUNT && at < sizeof known_names; a++)
        at += (size_t)snprintf(known_names + at, sizeof known_names - at, "%s%s", a ? ", " : "",
                               act_descriptors[a]->name);
}

const char *plstar_act_known_names(void)
{
    pthread_once(&known_once, known_init);
    return known_names;
}

/* ------------------------------------------------------------------------ */
/* double versions                                                           */

void plstar_act_eval_d(plstar_act a, double x, double *s0, double *s1, double *s2)
{
    double v[3] = {NAN, NAN, NAN};
    const act_desc *d = desc(a);

    if (d && !isnan(x))
        d->eval_d(x, v, s1 != NULL || s2 != NULL, s2 != NULL);
    if (s0)
        *s0 = v[0];
    if (s1)
        *s1 = v[1];
    if (s2)
        *s2 = v[2];
}

void plstar_act_eval_batch_d(plstar_act a, const double *z, double *s0, double *s1, size_t n)
{
    const act_desc *d = desc(a);
    if (d && d->eval_batch_d) {
        d->eval_batch_d(z, s0, s1, n);
        return;
    }
    for (size_t k = 0; k < n; k++)
        plstar_act_eval_d(a, z[k], &s0[k], &s1[k], NULL);
}

/* ------------------------------------------------------------------------ */
/* rounding-error model of plstar_act_eval_d                                        */

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
 * The bounds are e = A·u·|ŝ| + B·u + F with A, B in each descriptor, derived
 * next to its formulas.
 */
void plstar_act_err_d(plstar_act a, double x, double s0, double s1, double *e0, double *e1)
{
    double r0 = INFINITY, r1 = INFINITY;
    const act_desc *d = desc(a);

    if (d && isfinite(x))
        d->err_d(d, x, s0, s1, &r0, &r1);
    if (e0)
        *e0 = r0;
    if (e1)
        *e1 = r1;
}

void act_err_relative(const act_desc *d, double x, double s0, double s1, double *e0, double *e1)
{
    *e0 = d->err_a[0] * ACT_ERR_U * fabs(s0) + ACT_ERR_FLOOR;
    *e1 = d->err_a[1] * ACT_ERR_U * fabs(s1) + ACT_ERR_FLOOR;
}

void act_err_exact(const act_desc *d, double x, double s0, double s1, double *e0, double *e1)
{
    *e0 = 0.0, *e1 = 0.0;
}

void plstar_act_err_any_formula(plstar_act a, double x, double *b0, double *b1)
{
    const act_desc *d = desc(a);
    if (!d) {
        *b0 = *b1 = INFINITY;
        return;
    }
    double g = d->any_formula_grows ? 1.0 + fabs(x) : 1.0;
    *b0 = d->any_formula_err[0] * g;
    *b1 = d->any_formula_err[1] * g;
}

/* ------------------------------------------------------------------------ */
/* certified global bounds                                                   */

static double sup_table[ACT_COUNT][2];
static pthread_once_t sup_once = PTHREAD_ONCE_INIT;

static void sup_init(void)
{
    for (int a = 0; a < ACT_COUNT; a++)
        act_descriptors[a]->sup(sup_table[a]);
}

double plstar_act_sup_d1(plstar_act a)
{
    if (!desc(a))
        return NAN;
    pthread_once(&sup_once, sup_init);
    return sup_table[a][0];
}

double plstar_act_sup_d2(plstar_act a)
{
    if (!desc(a))
        return NAN;
    pthread_once(&sup_once, sup_init);
    return sup_table[a][1];
}

/* ------------------------------------------------------------------------ */
/* Arb versions                                                              */

/*
 * For a narrow ball the closed formulas are evaluated in ball arithmetic
 * (Arb's functions are rigorous over balls); for a wide ball σ⁽ᵏ⁾ is evaluated
 * at the two endpoints and at its interior critical points, which is exact up
 * to rounding because σ⁽ᵏ⁾ is monotone between them.
 */

static void eval_k(const act_desc *d, int k, arb_t r, const arb_t x, slong wp)
{
    d->arb.formulas(k == 0 ? r : NULL, k == 1 ? r : NULL, k == 2 ? r : NULL, x, wp);
}

/* σ⁽ᵏ⁾ over [lo, hi] as the hull of its values at the endpoints and at the
 * critical points that the interval may contain. */
static void eval_hull(const act_desc *d, int k, arb_t r, const arf_t lo, const arf_t hi, slong wp)
{
    arb_t p, v, iv;
    arb_ptr c = _arb_vec_init(ACT_MAX_CRIT);
    arb_init(p);
    arb_init(v);
    arb_init(iv);

    arb_set_arf(p, lo);
    eval_k(d, k, r, p, wp);
    arb_set_arf(p, hi);
    eval_k(d, k, v, p, wp);
    arb_union(r, r, v, wp);
    arb_set_interval_arf(iv, lo, hi, wp);
    int n = d->arb.crit_points(c, k, wp);
    for (int i = 0; i < n; i++)
        if (arb_overlaps(c + i, iv)) {
            eval_k(d, k, v, c + i, wp);
            arb_union(r, r, v, wp);
        }

    arb_clear(p);
    arb_clear(v);
    arb_clear(iv);
    _arb_vec_clear(c, ACT_MAX_CRIT);
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

/* σ⁽ᵏ⁾ over x into out, before the intersection with the known range. */
static void eval_unclipped(const act_desc *d, arb_ptr out[3], const arb_t x, slong wp)
{
    int finite = arb_is_finite(x);
    int wide = finite && !d->arb.formulas_on_wide_balls && mag_cmp_2exp_si(arb_radref(x), -16) > 0;

    if (finite && !wide) {
        arb_ptr t[3] = {NULL, NULL, NULL};
        for (int k = 0; k < 3; k++)
            if (out[k])
                t[k] = _arb_vec_init(1);
        d->arb.formulas(t[0], t[1], t[2], x, wp);
        for (int k = 0; k < 3; k++)
            if (out[k]) {
                arb_swap(out[k], t[k]);
                _arb_vec_clear(t[k], 1);
            }
    } else if (wide) {
        arf_t lo, hi;
        arf_init(lo);
        arf_init(hi);
        arb_get_lbound_arf(lo, x, wp);
        arb_get_ubound_arf(hi, x, wp);
        for (int k = 0; k < 3; k++)
            if (out[k])
                eval_hull(d, k, out[k], lo, hi, wp);
        arf_clear(lo);
        arf_clear(hi);
    } else {
        for (int k = 0; k < 3; k++)
            if (out[k])
                arb_zero_pm_inf(out[k]);
    }
}

/* Smooth activations: direct formulas for narrow balls, hulls for wide ones,
 * then intersection with the known range (which also bounds non-finite input). */
void act_eval_smooth(const act_desc *d, arb_ptr out[3], const arb_t x, slong prec)
{
    slong wp = prec + 10;
    arb_t r, rng;
    arb_init(r);
    arb_init(rng);

    eval_unclipped(d, out, x, wp);
    for (int k = 0; k < 3; k++) {
        double dlo, dhi;
        if (!out[k])
            continue;
        if (d->arb.range(k, &dlo, &dhi)) {
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
}

void plstar_act_eval_arb(plstar_act a, arb_t s0, arb_t s1, arb_t s2, const arb_t x, slong prec)
{
    const act_desc *d = desc(a);
    arb_ptr out[3] = {s0, s1, s2};
    if (!d) {
        for (int k = 0; k < 3; k++)
            if (out[k])
                arb_indeterminate(out[k]);
        return;
    }
    arb_t xx;
    arb_init(xx);
    arb_set(xx, x); /* outputs may alias x */
    d->eval_arb(d, out, xx, prec);
    arb_clear(xx);
}

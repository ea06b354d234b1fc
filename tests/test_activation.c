/*
 * tests/test_activation.c — core/activation: the double versions against Arb
 * enclosures, the rounding-error model of plstar_act_err_d checked rigorously, ball
 * enclosures on random balls, certified global bounds, names, the ReLU hull,
 * and finite-difference checks of σ′ and σ″ (to catch formula typos).
 *
 * Seeded random loops (Arb t-*.c style); every comparison that certifies a
 * bound is made in ball arithmetic, never in doubles.
 */
#include <criterion/criterion.h>

#include "core/act_impl.h"

#include <arb_hypgeom.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define U 0x1p-53
#define FLOOR 0x1p-1060

/* ------------------------------------------------------------------------ */
/* random numbers (splitmix64; fixed seeds keep runs reproducible)           */

static uint64_t rng_state;

static void rng_seed(uint64_t s) { rng_state = s; }

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_unif(void) { return (double)(rng_next() >> 11) * 0x1p-53; }

static double rng_range(double lo, double hi) { return lo + (hi - lo) * rng_unif(); }

static double rng_sign(void) { return (rng_next() & 1) ? 1.0 : -1.0; }

/* Points where the functions change behaviour: extrema of σ′ and σ″, the
 * zero of gelu′, formula switch-overs and underflow thresholds. */
static const double landmarks[] = {
    0.0, 1.4142135623730951, 0.6584789484624084, 1.3169578969248166, 0.7071067811865476,
    -0.7517915246935645, 2.0, 1.0, 27.5, 40.0, 38.0, 745.0, 709.0, 354.0, 26.6,
};

/* A random double, mostly in [−50, 50], from tiny to large, with special
 * attention to landmarks and to the ranges where results are subnormal. */
static double rand_point(void)
{
    switch (rng_next() % 10) {
    case 0:
        return rng_range(-6, 6);
    case 1:
        return rng_range(-50, 50);
    case 2:
        return rng_sign() * pow(10.0, rng_range(-300, 1.7));
    case 3:
        return rng_sign() * pow(10.0, rng_range(-20, 1.7));
    case 4: {
        double c = landmarks[rng_next() % (sizeof landmarks / sizeof *landmarks)];
        return rng_sign() * c + rng_sign() * pow(10.0, rng_range(-16, -1)) * (1 + fabs(c));
    }
    case 5: { /* subnormal */
        uint64_t bits = rng_next() & ((1ULL << 52) - 1);
        double d;
        memcpy(&d, &bits, sizeof d);
        return rng_sign() * d;
    }
    case 6:
        return rng_sign() * pow(10.0, rng_range(1.7, 6));
    case 7:
        return rng_range(-760, 760);
    case 8:
        return rng_range(-42, 42);
    default:
        return rng_range(-3, 3);
    }
}

static const double specials[] = {
    0.0, -0.0, 1.4142135623730951, -1.4142135623730951, 1e-300, -1e-300, 700.0, -700.0, 1e6, -1e6,
    DBL_MIN, -DBL_MIN, 0x1p-1074, -0x1p-1074, 1.0, -1.0, 27.5, -27.5, 40.0, -40.0, -38.5, 745.0,
    -745.0, 1e-8, -1e-8, 0.5, -0.5, -0.7517915246935645, 2.0, -2.0, 50.0, -50.0,
};
#define NSPECIALS (sizeof specials / sizeof *specials)

/* every activation: the loops below run over the table, i < NACTS */
#define NACTS ((size_t)ACT_COUNT)
#define ACT(i) ((plstar_act)(i))

static int first_order(plstar_act a) { return plstar_act_has_kink(a); }

/* the k-th point of a test loop: the specials first, then random points */
static double test_point(size_t i) { return i < NSPECIALS ? specials[i] : rand_point(); }

/* ------------------------------------------------------------------------ */
/* Arb helpers                                                               */

/* σ, σ′, σ″ at the exact double x, at precision prec */
static void truth(plstar_act a, arb_t t0, arb_t t1, arb_t t2, double x, slong prec)
{
    arb_t xb;
    arb_init(xb);
    arb_set_d(xb, x);
    plstar_act_eval_arb(a, t0, t1, t2, xb, prec);
    arb_clear(xb);
}

/* 1 if |approx − t| ≤ bound is certain */
static int certainly_within(const arb_t t, double approx, double bound)
{
    arb_t d, b;
    arb_init(d);
    arb_init(b);
    arb_set_d(d, approx);
    arb_sub(d, d, t, 2 * arb_bits(t) + 64);
    arb_abs(d, d);
    arb_set_d(b, bound);
    int ok = arb_le(d, b);
    arb_clear(d);
    arb_clear(b);
    return ok;
}

/* 1 if the ball t contains the double v */
static int arb_contains_d(const arb_t t, double v)
{
    arf_t f;
    arf_init(f);
    arf_set_d(f, v);
    int r = arb_contains_arf(t, f);
    arf_clear(f);
    return r;
}

static double arb_mid_d(const arb_t t) { return arf_get_d(arb_midref(t), ARF_RND_NEAR); }
static double arb_rad_d(const arb_t t) { return mag_get_d(arb_radref(t)); }

/* ------------------------------------------------------------------------ */
/* (5) names                                                                 */

Test(activation, names_round_trip)
{
    for (size_t i = 0; i < NACTS; i++) {
        plstar_act a = ACT(i);
        const char *n = plstar_act_name(a);
        cr_assert_not_null(n);
        cr_assert_eq(plstar_act_from_name(n), (int)a, "round trip of %s", n);
        cr_assert_eq(plstar_act_twice_differentiable(a), !first_order(a), "%s", n);
        cr_assert(strstr(plstar_act_known_names(), n), "%s missing from \"%s\"", n, plstar_act_known_names());
    }
    cr_assert(plstar_act_has_kink(ACT_RELU) && plstar_act_has_kink(ACT_LEAKY_RELU) && !plstar_act_has_kink(ACT_GELU));
    cr_assert_str_eq(plstar_act_known_names(), "linear, tanh, sigmoid, softplus, sin, erf, gelu, relu, leaky_relu");
    cr_assert_str_eq(plstar_act_formula(ACT_TANH), "tanh(z)");
    cr_assert_str_eq(plstar_act_formula(ACT_COUNT), "unknown");
    cr_assert_eq(plstar_act_has_kink(ACT_COUNT), 0);
    cr_assert_eq(plstar_act_from_name("nope"), -1);
    cr_assert_eq(plstar_act_from_name(""), -1);
    cr_assert_eq(plstar_act_from_name(NULL), -1);
    cr_assert_eq(plstar_act_from_name("Tanh"), -1);
    cr_assert_eq(plstar_act_from_name("leaky"), -1);
    cr_assert_str_eq(plstar_act_name(ACT_COUNT), "unknown");
    cr_assert_str_eq(plstar_act_name(ACT_LEAKY_RELU), "leaky_relu");
    cr_assert_str_eq(plstar_act_name(ACT_GELU), "gelu");
    cr_assert_eq(plstar_act_twice_differentiable(ACT_COUNT), 0);
    cr_assert(PLSTAR_LEAKY_SLOPE == 0x1.47ae147ae147bp-7, "slope is the double nearest 0.01");
}

/* Every descriptor has every field (core/act_impl.h): functions, name and
 * formula, flags that agree, and constants that are numbers. A constant left
 * out reads 0, so each is checked where 0 has a meaning: A = 0 exactly where
 * plstar_act_err_d is exact, the other formulas' cost 0 exactly where σ is piecewise
 * linear (a kink, or σ″ = 0). */
Test(activation, descriptors_complete)
{
    for (size_t i = 0; i < NACTS; i++) {
        const act_desc *d = act_descriptors[i];
        cr_assert_not_null(d, "activation %zu has no descriptor", i);
        cr_assert(d->name && *d->name, "activation %zu has no name", i);
        cr_assert(d->formula && *d->formula, "%s: no formula", d->name);
        cr_assert(d->eval_d && d->eval_arb && d->err_d && d->sup, "%s: a function is missing", d->name);
        cr_assert_eq(d->twice_differentiable, !d->has_kink, "%s: C² exactly when there is no kink", d->name);
        if (d->eval_arb == act_eval_smooth)
            cr_assert(d->arb.formulas && d->arb.range && (d->arb.crit_points || d->arb.formulas_on_wide_balls),
                      "%s: act_eval_smooth needs formulas, range and critical points", d->name);
        const double c[] = {d->err_a[0], d->err_a[1], d->err_b, d->any_formula_err[0], d->any_formula_err[1]};
        for (size_t k = 0; k < sizeof c / sizeof *c; k++)
            cr_assert(isfinite(c[k]) && c[k] >= 0, "%s: error constant %zu is %g", d->name, k, c[k]);
        double sup[2] = {NAN, NAN};
        d->sup(sup);
        cr_assert(sup[0] > 0 && sup[1] >= 0, "%s: sup bounds %g, %g", d->name, sup[0], sup[1]);
        cr_assert_eq(isinf(sup[1]), d->has_kink, "%s: sup|σ″| = %g", d->name, sup[1]);
        double s[2], e[2], x = -1.5;
        plstar_act_eval_d(ACT(i), x, &s[0], &s[1], NULL);
        plstar_act_err_d(ACT(i), x, s[0], s[1], &e[0], &e[1]);
        int piecewise_linear = d->has_kink || sup[1] == 0;
        for (int k = 0; k < 2; k++) {
            cr_assert_eq(d->err_a[k] > 0, e[k] > 0, "%s: A = %g for σ^(%d), whose bound is %g", d->name,
                         d->err_a[k], k, e[k]);
            cr_assert_eq(d->any_formula_err[k] > 0, !piecewise_linear, "%s: other formulas' cost %g for σ^(%d)",
                         d->name, d->any_formula_err[k], k);
        }
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(act_descriptors[j]->name, d->name, "two activations named %s", d->name);
    }
}

/* ------------------------------------------------------------------------ */
/* (1) double versions agree with the Arb enclosures                         */

Test(activation, double_matches_arb)
{
    rng_seed(1);
    arb_t t[3];
    for (int k = 0; k < 3; k++)
        arb_init(t[k]);
    for (size_t i = 0; i < NACTS; i++) {
        plstar_act a = ACT(i);
        for (size_t j = 0; j < 4000; j++) {
            double x = test_point(j), d[3], e[2];
            plstar_act_eval_d(a, x, &d[0], &d[1], &d[2]);
            plstar_act_err_d(a, x, d[0], d[1], &e[0], &e[1]);
            truth(a, t[0], t[1], t[2], x, 200);
            for (int k = 0; k < 3; k++) {
                cr_assert(isfinite(d[k]), "%s: σ^(%d)(%a) = %g is not finite", plstar_act_name(a), k, x, d[k]);
                if (k == 2 && first_order(a)) {
                    cr_assert(!arb_is_finite(t[2]), "%s″ should be indeterminate", plstar_act_name(a));
                    cr_assert(d[2] == 0.0);
                    continue;
                }
                if (k == 1 && first_order(a) && x == 0.0) {
                    cr_assert(arb_contains_d(t[1], d[1]), "%s′(0) = %g outside the hull", plstar_act_name(a), d[1]);
                    continue;
                }
                double m = arb_mid_d(t[k]), r = arb_rad_d(t[k]);
                /* σ and σ′: the error model; σ″: a few dozen ulps relative */
                double tol = (k < 2) ? e[k] : 64 * U * fabs(m) + FLOOR;
                cr_assert(fabs(d[k] - m) <= tol + r, "%s: σ^(%d)(%a): double %.17g, Arb %.17g ± %g, tol %g",
                          plstar_act_name(a), k, x, d[k], m, r, tol);
            }
        }
    }
    for (int k = 0; k < 3; k++)
        arb_clear(t[k]);
}

Test(activation, double_special_values)
{
    double s0, s1, s2;
    /* no overflow for huge |x| */
    const double big[] = {1e308, -1e308, DBL_MAX, -DBL_MAX, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof big / sizeof *big; i++) {
        double x = big[i];
        plstar_act_eval_d(ACT_SIGMOID, x, &s0, &s1, &s2);
        cr_assert(s0 == (x > 0 ? 1.0 : 0.0) && s1 == 0.0 && s2 == 0.0, "sigmoid(%g)", x);
        plstar_act_eval_d(ACT_SOFTPLUS, x, &s0, &s1, &s2);
        cr_assert(s0 == (x > 0 ? x : 0.0) && s1 == (x > 0 ? 1.0 : 0.0) && s2 == 0.0, "softplus(%g)", x);
        plstar_act_eval_d(ACT_TANH, x, &s0, &s1, &s2);
        cr_assert(s0 == (x > 0 ? 1.0 : -1.0) && s1 == 0.0 && s2 == 0.0, "tanh(%g)", x);
        plstar_act_eval_d(ACT_ERF, x, &s0, &s1, &s2);
        cr_assert(s0 == (x > 0 ? 1.0 : -1.0) && s1 == 0.0 && s2 == 0.0, "erf(%g)", x);
        plstar_act_eval_d(ACT_GELU, x, &s0, &s1, &s2);
        cr_assert(s0 == (x > 0 ? x : 0.0) && s1 == (x > 0 ? 1.0 : 0.0) && s2 == 0.0, "gelu(%g)", x);
    }
    /* PyTorch conventions at 0 */
    plstar_act_eval_d(ACT_RELU, 0.0, &s0, &s1, &s2);
    cr_assert(s0 == 0.0 && s1 == 0.0);
    plstar_act_eval_d(ACT_LEAKY_RELU, 0.0, &s0, &s1, &s2);
    cr_assert(s0 == 0.0 && s1 == PLSTAR_LEAKY_SLOPE);
    plstar_act_eval_d(ACT_LEAKY_RELU, -2.0, &s0, &s1, NULL);
    cr_assert(s0 == -2.0 * PLSTAR_LEAKY_SLOPE && s1 == PLSTAR_LEAKY_SLOPE);
    /* NaN propagates; NULL outputs are allowed */
    for (size_t i = 0; i < NACTS; i++) {
        plstar_act_eval_d(ACT(i), NAN, &s0, &s1, &s2);
        cr_assert(isnan(s0) && isnan(s1) && isnan(s2), "%s(NaN)", plstar_act_name(ACT(i)));
        plstar_act_eval_d(ACT(i), 0.5, NULL, NULL, NULL);
        plstar_act_eval_d(ACT(i), 0.5, NULL, NULL, &s2);
        double t2;
        plstar_act_eval_d(ACT(i), 0.5, &s0, &s1, &t2);
        cr_assert(s2 == t2, "%s: σ″ alone differs", plstar_act_name(ACT(i)));
    }
}

/* ------------------------------------------------------------------------ */
/* (2) plstar_act_err_d bounds are never exceeded (certified in Arb)               */

typedef struct {
    double rel_max[2];   /* max |σ̂ − σ|/(u|σ|) over normal results */
    double usage_max[2]; /* max |σ̂ − σ|/e */
} err_stats;

static void check_error_model(plstar_act a, double x, err_stats *st)
{
    double s[2], e[2];
    plstar_act_eval_d(a, x, &s[0], &s[1], NULL);
    plstar_act_err_d(a, x, s[0], s[1], &e[0], &e[1]);
    arb_t t[2];
    arb_init(t[0]);
    arb_init(t[1]);
    for (int k = 0; k < 2; k++) {
        if (k == 1 && first_order(a) && x == 0.0)
            continue; /* σ′(0) does not exist; the PyTorch value is a convention */
        int ok = 0;
        cr_assert(e[k] >= 0, "%s: negative bound", plstar_act_name(a));
        for (slong prec = 200; prec <= 3200 && !ok; prec *= 4) {
            truth(a, k == 0 ? t[0] : NULL, k == 1 ? t[1] : NULL, NULL, x, prec);
            ok = certainly_within(t[k], s[k], e[k]);
        }
        cr_assert(ok, "%s: σ^(%d)(%a): |%.17g − σ| ≤ %g not certified (σ ≈ %.17g ± %g)", plstar_act_name(a), k, x,
                  s[k], e[k], arb_mid_d(t[k]), arb_rad_d(t[k]));
        double tm = arb_mid_d(t[k]), err = fabs(s[k] - tm);
        int cancels = (a == ACT_GELU && k == 1 && x < 0); /* relative error meaningless near gelu′ = 0 */
        if (!cancels && fabs(tm) >= DBL_MIN && st->rel_max[k] < err / (U * fabs(tm)))
            st->rel_max[k] = err / (U * fabs(tm));
        if (e[k] > 0 && st->usage_max[k] < err / e[k])
            st->usage_max[k] = err / e[k];
    }
    arb_clear(t[0]);
    arb_clear(t[1]);
}

Test(activation, error_model_holds)
{
    rng_seed(2);
    for (size_t i = 0; i < NACTS; i++) {
        plstar_act a = ACT(i);
        err_stats st = {{0, 0}, {0, 0}};
        for (size_t j = 0; j < 6000; j++)
            check_error_model(a, test_point(j), &st);
        /* observed accuracy of the C library through our formulas */
        cr_log_info("%-10s max err/(u|σ|) = %6.2f, %6.2f   max err/bound = %.3f, %.3f", plstar_act_name(a), st.rel_max[0],
                    st.rel_max[1], st.usage_max[0], st.usage_max[1]);
    }
}

/* tanh switches formulas near |x| = ln2/4 (where the reduced exponent k of
 * −2|x| leaves 0): both sides of the switch, a few ulps either way, and dense
 * sweeps of both branches. */
Test(activation, error_model_tanh_branches)
{
    err_stats st = {{0, 0}, {0, 0}};
    for (int sign = -1; sign <= 1; sign += 2) {
        double x = 0.17328679513998632; /* ln2/4 */
        for (int k = 0; k < 8; k++)
            x = nextafter(x, 0.0);
        for (int k = 0; k < 16; k++, x = nextafter(x, 1.0))
            check_error_model(ACT_TANH, sign * x, &st);
    }
    rng_seed(7);
    for (size_t j = 0; j < 3000; j++) {
        check_error_model(ACT_TANH, rng_range(-0.5, 0.5), &st);
        check_error_model(ACT_TANH, rng_range(0.15, 0.2), &st);
        check_error_model(ACT_TANH, rng_sign() * pow(10.0, rng_range(-17, -0.3)), &st);
    }
    cr_log_info("tanh branches: max err/(u|σ|) = %.2f, %.2f", st.rel_max[0], st.rel_max[1]);
}

/* tanh's own exponentials (core/act_tanh.c) meet their proven bounds:
 * exp(y) within 3.1u relative plus 2^-1075 for y ≤ 0, expm1(y) within 2.9u
 * relative on [−0.3465, 0] (and up to −ln2/2 rounded); each check certified
 * in Arb. */
static void check_own_exp(double y, int expm1_case)
{
    double got = expm1_case ? _act_expm1_small(y) : _act_exp_nonpos(y);
    arb_t t;
    arb_init(t);
    arb_set_d(t, y);
    if (expm1_case)
        arb_expm1(t, t, 200);
    else
        arb_exp(t, t, 200);
    /* claimed: error ≤ rel·|truth| (+ 2^-1075 for exp); since |truth| ≤ |got| +
     * error, it suffices that error ≤ (rel·|got| (+ 2^-1075))·(1 + 2rel) */
    double rel = expm1_case ? 2.9 * U : 3.1 * U;
    arb_t d, b;
    arb_init(d);
    arb_init(b);
    arb_set_d(d, got);
    arb_sub(d, d, t, 400);
    arb_abs(d, d);
    arb_set_d(b, fabs(got));
    arb_mul_2exp_si(b, b, 1075); /* in units of 2^-1075, so nothing underflows */
    arb_t c;
    arb_init(c);
    arb_set_d(c, rel);
    arb_mul(b, b, c, 400);
    if (!expm1_case)
        arb_add_ui(b, b, 1, 400);
    arb_set_d(c, 1 + 2 * rel);
    arb_mul(b, b, c, 400);
    arb_clear(c);
    arb_mul_2exp_si(b, b, -1075);
    cr_assert(arb_le(d, b), "%s(%a) = %a: error not within its bound", expm1_case ? "expm1" : "exp", y, got);
    arb_clear(d);
    arb_clear(b);
    arb_clear(t);
}

Test(activation, own_exp_and_expm1_meet_their_bounds)
{
    static const double exp_points[] = {0.0, -0.0, -0x1p-1074, -1e-300, -1e-17, -0.34657359027997264, -0.5, -1.0,
                                        -708.3964185322641, -708.4, -709.0, -744.0, -745.1332191019411,
                                        -745.2, -746.0, -759.9, -760.0, -1e4, -INFINITY};
    for (size_t i = 0; i < sizeof exp_points / sizeof *exp_points; i++)
        check_own_exp(exp_points[i], 0);
    static const double expm1_points[] = {0.0, -0.0, -0x1p-1074, -1e-300, -1e-17, -0.25, -0.34657359027997264,
                                          -0.3465735902799726};
    for (size_t i = 0; i < sizeof expm1_points / sizeof *expm1_points; i++)
        check_own_exp(expm1_points[i], 1);
    rng_seed(11);
    for (size_t j = 0; j < 4000; j++) {
        check_own_exp(rng_range(-760, 0), 0);
        check_own_exp(rng_range(-2, 0), 0);
        check_own_exp(-pow(10.0, rng_range(-300, 2.8)), 0);
        double k = floor(rng_range(-1096, 0)); /* near the ends of the reduction interval */
        check_own_exp(k * 0.6931471805599453 + rng_sign() * 0.34657359027997264 * (1 - 1e-12 * rng_unif()), 0);
        check_own_exp(rng_range(-0.3465735902799726, 0), 1);
        check_own_exp(-pow(10.0, rng_range(-300, -0.461)), 1);
    }
}

/* plstar_act_eval_batch_d gives plstar_act_eval_d's values bit for bit, vector lanes and
 * scalar tail alike, in place or not. */
Test(activation, batch_matches_scalar)
{
    enum { N = 1003 };
    static double z[N], s0[N], s1[N], w[N];
    rng_seed(5);
    for (size_t i = 0; i < NACTS; i++) {
        plstar_act a = ACT(i);
        for (size_t k = 0; k < N; k++)
            z[k] = k < NSPECIALS ? specials[k] : k % 97 == 0 ? NAN : k % 3 ? rand_point() : rng_range(-0.6, 0.6);
        memcpy(w, z, sizeof z);
        plstar_act_eval_batch_d(a, z, s0, s1, N);
        plstar_act_eval_batch_d(a, w, w, s1, N); /* in place: σ over z */
        for (size_t k = 0; k < N; k++) {
            double e0, e1;
            plstar_act_eval_d(a, z[k], &e0, &e1, NULL);
            int same0 = isnan(e0) ? isnan(s0[k]) && isnan(w[k]) : !memcmp(&e0, &s0[k], 8) && !memcmp(&e0, &w[k], 8);
            int same1 = isnan(e1) ? isnan(s1[k]) : !memcmp(&e1, &s1[k], 8);
            cr_assert(same0 && same1, "%s(%a): batch %a, %a; scalar %a, %a", plstar_act_name(a), z[k], s0[k], s1[k], e0, e1);
        }
    }
}

Test(activation, error_model_gelu_cancellation)
{
    /* dense sampling around the zero of gelu′, where only the absolute part
     * of the bound holds, and in the left tail where the argument of erfc is
     * rounded */
    rng_seed(3);
    err_stats st = {{0, 0}, {0, 0}};
    for (int j = 0; j < 3000; j++) {
        double x = -0.7517915246935645 + rng_sign() * pow(10.0, rng_range(-17, -1));
        check_error_model(ACT_GELU, x, &st);
        check_error_model(ACT_GELU, rng_range(-40, -1), &st);
    }
    check_error_model(ACT_GELU, -40.0, &st);
    check_error_model(ACT_GELU, nextafter(-40.0, 0), &st);
    check_error_model(ACT_GELU, -39.9999, &st);
    cr_log_info("gelu tail/zero: max err/bound = %.3f, %.3f", st.usage_max[0], st.usage_max[1]);
}

Test(activation, error_model_not_loose)
{
    /* the bounds are a few dozen ulps, not merely valid: where the result is
     * normal and no cancellation occurs, e ≤ 64u|σ̂| + 2^-1060 */
    rng_seed(8);
    for (size_t i = 0; i < NACTS; i++) {
        plstar_act a = ACT(i);
        for (int j = 0; j < 3000; j++) {
            double x = (j % 2) ? rng_range(-36, 36) : rng_sign() * pow(10.0, rng_range(-300, 1.5)), s0, s1, e0, e1;
            plstar_act_eval_d(a, x, &s0, &s1, NULL);
            plstar_act_err_d(a, x, s0, s1, &e0, &e1);
            cr_assert(e0 <= 64 * U * fabs(s0) + FLOOR, "%s: e0(%a) = %g for σ̂ = %g", plstar_act_name(a), x, e0, s0);
            if (a == ACT_GELU && x < 0) /* the cancellation at the zero of gelu′: absolute part ~ 43u·(Φ + |x|φ) */
                cr_assert(e1 <= 64 * U * (fabs(s1) + 2 * fabs(s0 / x)) + FLOOR, "gelu: e1(%a) = %g", x, e1);
            else
                cr_assert(e1 <= 64 * U * fabs(s1) + FLOOR, "%s: e1(%a) = %g for σ̂′ = %g", plstar_act_name(a), x, e1, s1);
        }
    }
}

Test(activation, error_model_nonfinite)
{
    double e0, e1;
    for (size_t i = 0; i < NACTS; i++) {
        plstar_act_err_d(ACT(i), INFINITY, 1, 0, &e0, &e1);
        cr_assert(isinf(e0) && isinf(e1));
        plstar_act_err_d(ACT(i), NAN, NAN, NAN, &e0, NULL);
        cr_assert(isinf(e0));
    }
    plstar_act_err_d(ACT_TANH, 0.5, 0.4, 0.7, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* (3) enclosures over random balls contain σ, σ′, σ″ at points inside      */

/* σ^(k) at point p must lie in enc */
static void check_point_in(plstar_act a, const arb_t enc[3], const arb_t ball, const arf_t p)
{
    if (!arb_contains_arf(ball, p))
        return;
    arb_t pt, t[3];
    arb_init(pt);
    for (int k = 0; k < 3; k++)
        arb_init(t[k]);
    arb_set_arf(pt, p);
    /* enough precision that the value at p is (nearly) a point */
    plstar_act_eval_arb(a, t[0], t[1], t[2], pt, FLINT_MAX(300, arf_bits(p) + 64));
    for (int k = 0; k < 3; k++) {
        if (k == 2 && first_order(a)) {
            cr_assert(!arb_is_finite(enc[2]));
            continue;
        }
        if (!arb_contains(enc[k], t[k])) {
            char *bs = arb_get_str(ball, 20, 0), *es = arb_get_str(enc[k], 20, 0), *ts = arb_get_str(t[k], 20, 0);
            cr_assert_fail("%s: σ^(%d) over %s = %s misses %s at %.17g", plstar_act_name(a), k, bs, es, ts,
                           arf_get_d(p, ARF_RND_NEAR));
        }
    }
    arb_clear(pt);
    for (int k = 0; k < 3; k++)
        arb_clear(t[k]);
}

Test(activation, ball_enclosures)
{
    static const slong precs[] = {24, 53, 80, 128, 200};
    rng_seed(4);
    arb_t ball, enc[3];
    arf_t p;
    arb_init(ball);
    for (int k = 0; k < 3; k++)
        arb_init(enc[k]);
    arf_init(p);
    for (size_t i = 0; i < NACTS; i++) {
        plstar_act a = ACT(i);
        for (int j = 0; j < 1500; j++) {
            double mid, rad;
            switch (j % 4) {
            case 0: /* narrow balls anywhere */
                mid = test_point((size_t)j / 4);
                if (fabs(mid) > 1e6)
                    mid = rng_range(-1e6, 1e6);
                rad = ldexp(1.0, (int)rng_range(-60, -16)) * (1 + fabs(mid));
                break;
            case 1: /* wide balls over the interesting region */
                mid = rng_range(-4, 4);
                rad = rng_range(0, 4);
                break;
            case 2: /* wide balls near landmarks */
                mid = landmarks[rng_next() % (sizeof landmarks / sizeof *landmarks)] * rng_sign() +
                      rng_range(-0.1, 0.1);
                rad = pow(10.0, rng_range(-4, 0.5));
                break;
            default: /* anything */
                mid = rng_range(-60, 60);
                rad = pow(10.0, rng_range(-12, 2));
                break;
            }
            slong prec = precs[rng_next() % 5];
            arb_set_d(ball, mid);
            mag_set_d(arb_radref(ball), rad);
            plstar_act_eval_arb(a, enc[0], enc[1], enc[2], ball, prec);
            for (int k = 0; k < 2; k++)
                cr_assert(arb_is_finite(enc[k]), "%s: σ^(%d) not finite on a finite ball", plstar_act_name(a), k);
            /* the endpoints, random interior points and the landmarks */
            arb_get_lbound_arf(p, ball, 2200);
            check_point_in(a, (const arb_t *)enc, ball, p);
            arb_get_ubound_arf(p, ball, 2200);
            check_point_in(a, (const arb_t *)enc, ball, p);
            for (int q = 0; q < 6; q++) {
                arf_set_d(p, mid + rng_range(-1, 1) * rad);
                check_point_in(a, (const arb_t *)enc, ball, p);
            }
            for (size_t q = 0; q < sizeof landmarks / sizeof *landmarks; q++) {
                arf_set_d(p, landmarks[q]);
                check_point_in(a, (const arb_t *)enc, ball, p);
                arf_set_d(p, -landmarks[q]);
                check_point_in(a, (const arb_t *)enc, ball, p);
            }
        }
    }
    arb_clear(ball);
    for (int k = 0; k < 3; k++)
        arb_clear(enc[k]);
    arf_clear(p);
}

Test(activation, ball_enclosures_are_tight)
{
    /* wide balls: the hull is (nearly) the exact range, e.g. tanh′ over
     * [−1, 3] is [sech²3, 1] and gelu over [−2, 0] is [min gelu, 0] */
    arb_t x, s[3];
    arb_init(x);
    for (int k = 0; k < 3; k++)
        arb_init(s[k]);
    arb_t lo, hi;
    arb_init(lo);
    arb_init(hi);
    arb_set_d(x, 1.0);
    mag_set_d(arb_radref(x), 2.0);
    plstar_act_eval_arb(ACT_TANH, s[0], s[1], s[2], x, 64);
    arb_set_d(lo, 3.0);
    arb_sech(lo, lo, 64);
    arb_sqr(lo, lo, 64); /* sech²3 ≈ 0.00987 */
    cr_assert(arb_contains(s[1], lo) && arb_contains_si(s[1], 1));
    /* a ball's radius has a 30-bit mantissa: tight means to ~1e-9 here */
    arb_set_d(hi, 1e-8);
    arb_sub(lo, lo, hi, 64);
    arb_set_d(hi, 1 + 1e-8);
    cr_assert(arb_ge(s[1], lo) && arb_le(s[1], hi), "tanh′ over [−1, 3] is not tight");
    arb_clear(lo);
    arb_clear(hi);
    arb_set_d(x, -1.0);
    mag_set_d(arb_radref(x), 1.0);
    plstar_act_eval_arb(ACT_GELU, s[0], NULL, NULL, x, 64);
    cr_assert(mag_cmp_2exp_si(arb_radref(s[0]), -3) < 0 && arb_contains_si(s[0], 0));
    cr_assert(!arb_contains_si(s[0], 1));

    /* large |x|: finite and relatively tight */
    const double big[] = {1e6, -1e6, 700, -700, 50, -50};
    for (size_t i = 0; i < NACTS; i++)
        for (size_t j = 0; j < sizeof big / sizeof *big; j++) {
            plstar_act a = ACT(i);
            arb_set_d(x, big[j]);
            plstar_act_eval_arb(a, s[0], s[1], s[2], x, 128);
            for (int k = 0; k < (first_order(a) ? 2 : 3); k++) {
                cr_assert(arb_is_finite(s[k]), "%s^(%d)(%g) not finite", plstar_act_name(a), k, big[j]);
                if (!arb_is_zero(s[k]))
                    cr_assert(arb_rel_accuracy_bits(s[k]) > 80, "%s^(%d)(%g): %ld bits", plstar_act_name(a), k, big[j],
                              arb_rel_accuracy_bits(s[k]));
            }
        }

    /* non-finite input: bounded derivatives stay bounded */
    arb_indeterminate(x);
    plstar_act_eval_arb(ACT_TANH, s[0], s[1], s[2], x, 64);
    for (int k = 0; k < 3; k++)
        cr_assert(arb_is_finite(s[k]));
    arb_zero_pm_inf(x);
    plstar_act_eval_arb(ACT_GELU, s[0], s[1], s[2], x, 64);
    cr_assert(!arb_is_finite(s[0]) && arb_is_finite(s[1]) && arb_is_finite(s[2]));

    /* output aliasing the input */
    for (size_t i = 0; i < NACTS; i++) {
        arb_set_d(x, 0.5);
        plstar_act_eval_arb(ACT(i), s[0], s[1], NULL, x, 64);
        plstar_act_eval_arb(ACT(i), x, NULL, NULL, x, 64);
        cr_assert(arb_equal(x, s[0]), "%s: σ aliased", plstar_act_name(ACT(i)));
        arb_set_d(x, 0.5);
        plstar_act_eval_arb(ACT(i), NULL, x, NULL, x, 64);
        cr_assert(arb_equal(x, s[1]), "%s: σ′ aliased", plstar_act_name(ACT(i)));
    }

    arb_clear(x);
    for (int k = 0; k < 3; k++)
        arb_clear(s[k]);
}

Test(activation, gelu_root_enclosure)
{
    /* the enclosure of the zero of gelu′ used for wide balls (same decimal
     * and radius as core/act_gelu.c): gelu′ < 0 at its left end and > 0 at
     * its right end; gelu′ is increasing on (−√2, √2), so the zero is inside */
    arb_t c, p, s1;
    arf_t e;
    arb_init(c);
    arb_init(p);
    arb_init(s1);
    arf_init(e);
    arb_set_str(c, "-0.75179152469356445745790494677952", 128);
    arb_add_error_2exp_si(c, -59);
    arb_get_lbound_arf(e, c, 200);
    arb_set_arf(p, e);
    plstar_act_eval_arb(ACT_GELU, NULL, s1, NULL, p, 200);
    cr_assert(arb_is_negative(s1));
    arb_get_ubound_arf(e, c, 200);
    arb_set_arf(p, e);
    plstar_act_eval_arb(ACT_GELU, NULL, s1, NULL, p, 200);
    cr_assert(arb_is_positive(s1));
    arb_clear(c);
    arb_clear(p);
    arb_clear(s1);
    arf_clear(e);
}

/* ------------------------------------------------------------------------ */
/* (4) certified global bounds                                               */

/* σ^(k) at the closed-form point given as an Arb ball */
static void at(plstar_act a, int k, arb_t r, const arb_t x)
{
    plstar_act_eval_arb(a, k == 0 ? r : NULL, k == 1 ? r : NULL, k == 2 ? r : NULL, x, 256);
    arb_abs(r, r);
}

Test(activation, sup_bounds)
{
    rng_seed(5);
    arb_t x, v, b;
    arb_init(x);
    arb_init(v);
    arb_init(b);
    /* above |σ′|, |σ″| at all sampled points */
    for (size_t i = 0; i < NACTS; i++) {
        plstar_act a = ACT(i);
        double S[2] = {plstar_act_sup_d1(a), plstar_act_sup_d2(a)};
        cr_assert(S[0] > 0 && S[1] >= 0);
        cr_assert_eq(isinf(S[1]), first_order(a), "%s: sup|σ″| = %g", plstar_act_name(a), S[1]);
        for (int j = 0; j < 4000; j++) {
            double xd = test_point((size_t)j);
            if (first_order(a) && xd == 0.0)
                continue;
            arb_set_d(x, xd);
            for (int k = 1; k <= 2; k++) {
                if (isinf(S[k - 1]))
                    continue;
                at(a, k, v, x);
                /* where the sup is attained exactly (sech²0 = 1) the
                 * enclosure may exceed it by its own radius */
                arb_set_d(b, S[k - 1] * (1 + 0x1p-50));
                cr_assert(arb_le(v, b), "%s: |σ^(%d)(%a)| > %.17g", plstar_act_name(a), k, xd, S[k - 1]);
                arb_set_d(b, S[k - 1]);
                cr_assert(!arb_gt(v, b), "%s: |σ^(%d)(%a)| > %.17g", plstar_act_name(a), k, xd, S[k - 1]);
            }
        }
    }
    /* within 1e-12 relative of the value at the known maximiser */
    struct {
        plstar_act a;
        int k;
        const char *where; /* maximiser */
    } cases[] = {
        {ACT_TANH, 1, "0"},        {ACT_TANH, 2, "th"},      {ACT_SIGMOID, 1, "0"},   {ACT_SIGMOID, 2, "sg"},
        {ACT_SOFTPLUS, 1, "60"},   {ACT_SOFTPLUS, 2, "0"},   {ACT_SIN, 1, "0"},       {ACT_SIN, 2, "pi/2"},
        {ACT_ERF, 1, "0"},         {ACT_ERF, 2, "1/sqrt2"},  {ACT_GELU, 1, "sqrt2"},  {ACT_GELU, 2, "0"},
        {ACT_RELU, 1, "1"},        {ACT_LEAKY_RELU, 1, "1"}, {ACT_LINEAR, 1, "0"},
    };
    for (size_t i = 0; i < NACTS; i++) /* every activation has its maximisers here (σ″ where bounded, ≠ 0) */
        for (int k = 1; k <= 2; k++) {
            int listed = 0, needed = k == 1 || (plstar_act_twice_differentiable(ACT(i)) && plstar_act_sup_d2(ACT(i)) > 0);
            for (size_t j = 0; j < sizeof cases / sizeof *cases; j++)
                listed |= cases[j].a == ACT(i) && cases[j].k == k;
            cr_assert(listed || !needed, "%s: no maximiser of |σ^(%d)| to test the sup against", plstar_act_name(ACT(i)), k);
        }
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *w = cases[i].where;
        if (!strcmp(w, "th") || !strcmp(w, "sg")) { /* ±½ log(2+√3), log(2+√3) */
            arb_sqrt_ui(x, 3, 256);
            arb_add_ui(x, x, 2, 256);
            arb_log(x, x, 256);
            if (w[0] == 't')
                arb_mul_2exp_si(x, x, -1);
        } else if (!strcmp(w, "pi/2")) {
            arb_const_pi(x, 256);
            arb_mul_2exp_si(x, x, -1);
        } else if (!strcmp(w, "1/sqrt2")) {
            arb_sqrt_ui(x, 2, 256);
            arb_mul_2exp_si(x, x, -1);
        } else if (!strcmp(w, "sqrt2")) {
            arb_sqrt_ui(x, 2, 256);
        } else {
            arb_set_str(x, w, 256);
        }
        plstar_act a = cases[i].a;
        int k = cases[i].k;
        double S = (k == 1) ? plstar_act_sup_d1(a) : plstar_act_sup_d2(a);
        at(a, k, v, x);
        arb_set_d(b, S);
        cr_assert(!arb_gt(v, b), "%s: sup bound %d below the value at the maximiser", plstar_act_name(a), k);
        arb_set_d(b, S / (1 + 1e-12));
        cr_assert(arb_le(b, v), "%s: sup|σ^(%d)| = %.17g not within 1e-12 of the maximum", plstar_act_name(a), k, S);
    }
    /* gelu: the negative extremum of σ′ is smaller in modulus */
    arb_sqrt_ui(x, 2, 256);
    arb_neg(x, x);
    at(ACT_GELU, 1, v, x);
    arb_set_d(b, plstar_act_sup_d1(ACT_GELU));
    cr_assert(arb_lt(v, b));
    cr_assert_eq(plstar_act_sup_d2(ACT_LINEAR), 0.0);
    cr_assert(isnan(plstar_act_sup_d1(ACT_COUNT)) && isnan(plstar_act_sup_d2(ACT_COUNT)));
    arb_clear(x);
    arb_clear(v);
    arb_clear(b);
}

/* ------------------------------------------------------------------------ */
/* (6) ReLU-family balls                                                     */

Test(activation, relu_balls)
{
    arb_t x, s[3], lo, hi;
    arb_init(x);
    arb_init(lo);
    arb_init(hi);
    for (int k = 0; k < 3; k++)
        arb_init(s[k]);
    for (int leaky = 0; leaky <= 1; leaky++) {
        plstar_act a = leaky ? ACT_LEAKY_RELU : ACT_RELU;
        double slope = leaky ? PLSTAR_LEAKY_SLOPE : 0.0;
        /* balls that contain or touch 0: σ′ is the hull [slope, 1] */
        const double mids[] = {0.0, 0.1, -0.2, 0.5, -0.5};
        const double rads[] = {0.0, 0.5, 0.5, 0.5, 0.5};
        for (int j = 0; j < 5; j++) {
            arb_set_d(x, mids[j]);
            mag_set_d(arb_radref(x), rads[j]);
            plstar_act_eval_arb(a, s[0], s[1], s[2], x, 53);
            cr_assert(arb_contains_d(s[1], slope) && arb_contains_si(s[1], 1), "%s′ hull", plstar_act_name(a));
            arb_set_d(lo, slope - 0x1p-28); /* radii carry 30 bits */
            arb_set_d(hi, 1 + 0x1p-28);
            cr_assert(arb_ge(s[1], lo) && arb_le(s[1], hi), "%s′ hull too wide", plstar_act_name(a));
            cr_assert(!arb_is_finite(s[2]), "%s″ must be indeterminate", plstar_act_name(a));
            /* σ over the ball: [σ(lo), σ(hi)] */
            double l = mids[j] - rads[j], h = mids[j] + rads[j];
            cr_assert(arb_contains_d(s[0], l > 0 ? l : slope * l) && arb_contains_d(s[0], h > 0 ? h : slope * h));
            arb_set_d(hi, (h > 0 ? h : slope * h) + 0x1p-28);
            cr_assert(arb_le(s[0], hi));
        }
        /* strictly one side: exact values */
        arb_set_d(x, 2.0);
        mag_set_d(arb_radref(x), 1.0);
        plstar_act_eval_arb(a, s[0], s[1], s[2], x, 53);
        cr_assert(arb_is_one(s[1]) && arb_equal(s[0], x) && !arb_is_finite(s[2]));
        arb_set_d(x, -2.0);
        mag_set_d(arb_radref(x), 1.0);
        plstar_act_eval_arb(a, s[0], s[1], NULL, x, 53);
        arb_set_d(lo, slope);
        cr_assert(arb_equal(s[1], lo), "%s′ left of 0", plstar_act_name(a));
        cr_assert(arb_contains_d(s[0], -3 * slope) && arb_contains_d(s[0], -slope));
        if (!leaky)
            cr_assert(arb_is_zero(s[0]));
    }
    /* the Arb leaky ReLU uses exactly the double slope */
    arb_set_d(x, -1.0);
    plstar_act_eval_arb(ACT_LEAKY_RELU, s[0], NULL, NULL, x, 200);
    arb_set_d(lo, -PLSTAR_LEAKY_SLOPE);
    cr_assert(arb_equal(s[0], lo));
    arb_clear(x);
    arb_clear(lo);
    arb_clear(hi);
    for (int k = 0; k < 3; k++)
        arb_clear(s[k]);
}

/* ------------------------------------------------------------------------ */
/* (7) σ′, σ″ against central differences; σ against independent formulas   */

Test(activation, central_differences)
{
    const slong prec = 400;
    rng_seed(6);
    arb_t x, xp, xm, fp, fm, d, cd, h;
    arb_init(x), arb_init(xp), arb_init(xm), arb_init(fp), arb_init(fm), arb_init(d), arb_init(cd), arb_init(h);
    arb_one(h);
    arb_mul_2exp_si(h, h, -70);
    for (size_t i = 0; i < NACTS; i++) {
        plstar_act a = ACT(i);
        for (int j = 0; j < 600; j++) {
            double xd = (j < 300) ? rng_range(-8, 8) : rand_point();
            if (!(fabs(xd) < 60) || (first_order(a) && fabs(xd) < 1e-15))
                continue;
            arb_set_d(x, xd);
            arb_add(xp, x, h, prec);
            arb_sub(xm, x, h, prec);
            for (int k = 1; k <= (first_order(a) ? 1 : 2); k++) {
                /* (σ^(k−1)(x+h) − σ^(k−1)(x−h))/(2h) = σ^(k)(x) + O(h²σ^(k+2)) */
                plstar_act_eval_arb(a, k == 1 ? fp : NULL, k == 2 ? fp : NULL, NULL, xp, prec);
                plstar_act_eval_arb(a, k == 1 ? fm : NULL, k == 2 ? fm : NULL, NULL, xm, prec);
                arb_sub(cd, fp, fm, prec);
                arb_div(cd, cd, h, prec);
                arb_mul_2exp_si(cd, cd, -1);
                plstar_act_eval_arb(a, NULL, k == 1 ? d : NULL, k == 2 ? d : NULL, x, prec);
                arb_sub(d, d, cd, prec);
                arb_abs(d, d);
                arb_set_d(fp, 0x1p-100);
                cr_assert(arb_le(d, fp), "%s: σ^(%d)(%a) disagrees with the difference quotient", plstar_act_name(a), k,
                          xd);
            }
        }
    }
    arb_clear(x), arb_clear(xp), arb_clear(xm), arb_clear(fp), arb_clear(fm), arb_clear(d), arb_clear(cd),
        arb_clear(h);
}

/* σ by a formula different from the one in core/act_*.c; an activation
 * without one gets an indeterminate value, which independent_formulas rejects */
static void sigma_alt(plstar_act a, arb_t r, const arb_t x, slong prec)
{
    arb_t t;
    arb_init(t);
    switch (a) {
    case ACT_LINEAR:
        arb_set(r, x);
        break;
    case ACT_TANH: /* (e^{2x} − 1)/(e^{2x} + 1) */
        arb_mul_2exp_si(t, x, 1);
        arb_exp(t, t, prec);
        arb_sub_ui(r, t, 1, prec);
        arb_add_ui(t, t, 1, prec);
        arb_div(r, r, t, prec);
        break;
    case ACT_SIGMOID: /* (1 + tanh(x/2))/2 */
        arb_mul_2exp_si(t, x, -1);
        arb_tanh(t, t, prec);
        arb_add_ui(r, t, 1, prec);
        arb_mul_2exp_si(r, r, -1);
        break;
    case ACT_SOFTPLUS: /* log(1 + e^x) */
        arb_exp(t, x, prec);
        arb_add_ui(t, t, 1, prec);
        arb_log(r, t, prec);
        break;
    case ACT_SIN:
        arb_sin(r, x, prec);
        break;
    case ACT_ERF: /* 1 − erfc */
        arb_hypgeom_erfc(t, x, prec);
        arb_sub_ui(r, t, 1, prec);
        arb_neg(r, r);
        break;
    case ACT_GELU: /* x(1 + erf(x/√2))/2 */
        arb_sqrt_ui(t, 2, prec);
        arb_div(t, x, t, prec);
        arb_hypgeom_erf(t, t, prec);
        arb_add_ui(t, t, 1, prec);
        arb_mul(r, x, t, prec);
        arb_mul_2exp_si(r, r, -1);
        break;
    case ACT_RELU:
        arb_zero(t);
        arb_max(r, x, t, prec);
        break;
    case ACT_LEAKY_RELU: /* max(x, x/100) with the double slope */
        arb_set_d(t, PLSTAR_LEAKY_SLOPE);
        arb_mul(t, t, x, prec);
        arb_max(r, x, t, prec);
        break;
    default:
        arb_indeterminate(r);
    }
    arb_clear(t);
}

Test(activation, independent_formulas)
{
    rng_seed(7);
    arb_t x, s, r;
    arb_init(x), arb_init(s), arb_init(r);
    for (size_t i = 0; i < NACTS; i++)
        for (int j = 0; j < 500; j++) {
            double xd = rng_range(-20, 20);
            arb_set_d(x, xd);
            plstar_act_eval_arb(ACT(i), s, NULL, NULL, x, 300);
            sigma_alt(ACT(i), r, x, 300);
            cr_assert(arb_overlaps(s, r), "%s(%a): formulas disagree", plstar_act_name(ACT(i)), xd);
            arb_sub(r, r, s, 300);
            cr_assert(mag_cmp_2exp_si(arb_radref(r), -200) < 0);
        }
    arb_clear(x), arb_clear(s), arb_clear(r);
}

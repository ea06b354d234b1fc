/*
 * tests/soundness.c — the soundness campaign (tests/soundness.h): generators,
 * the exact truth in FLINT integers, and the checks of every certified claim.
 */
#include "soundness.h"

#include "core/error.h"
#include "core/model.h"
#include "fast/eig.h"
#include "proofs-checks/pl_point.h"
#include "reference/eig.h"
#include "reference/network.h"

#include <arb.h>
#include <arb_mat.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>
#include <flint/fmpz.h>
#include <flint/fmpz_mat.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const family_names[SF_COUNT] = {"exact", "rotated", "ball", "easy", "linear", "nonlinear",
                                                   "large"};
static const char *const routine_names[SR_COUNT] = {
    "fast_spd_shift_check", "fast_lambda_min_verified", "fast_eig_bounds_verified", "ref_spd_shift_check",
    "ref_eig_bounds",       "pl_point theorem 1",       "pl_point direct",          "pl_point witness"};

/* ================================================================ dyadics */

/* An exact dyadic rational m·2^e. */
typedef struct {
    fmpz_t m;
    slong e;
} dyad;

static void dyad_init(dyad *x)
{
    fmpz_init(x->m);
    x->e = 0;
}

static void dyad_clear(dyad *x) { fmpz_clear(x->m); }

static void dyad_normalise(dyad *x)
{
    if (fmpz_is_zero(x->m)) {
        x->e = 0;
        return;
    }
    flint_bitcnt_t v = fmpz_val2(x->m);
    fmpz_tdiv_q_2exp(x->m, x->m, v);
    x->e += (slong)v;
}

/* Exact: every finite double is m·2^e with |m| < 2^53. */
static void dyad_set_d(dyad *x, double v)
{
    if (!isfinite(v)) { /* an engine bug: stop loudly rather than compute garbage */
        fprintf(stderr, "soundness: non-finite value in the exact arithmetic\n");
        abort();
    }
    if (v == 0.0) {
        fmpz_zero(x->m);
        x->e = 0;
        return;
    }
    int ex;
    double f = frexp(v, &ex); /* v = f·2^ex, 0.5 ≤ |f| < 1, exact for subnormals too */
    fmpz_set_si(x->m, (slong)ldexp(f, 53));
    x->e = ex - 53;
    dyad_normalise(x);
}

/* 0 when a is not finite. */
static int dyad_set_arf(dyad *x, const arf_t a)
{
    if (!arf_is_finite(a))
        return 0;
    fmpz_t exp;
    fmpz_init(exp);
    arf_get_fmpz_2exp(x->m, exp, a);
    x->e = fmpz_get_si(exp);
    fmpz_clear(exp);
    dyad_normalise(x);
    return 1;
}

static void dyad_set(dyad *x, const dyad *y)
{
    fmpz_set(x->m, y->m);
    x->e = y->e;
}

/* r = a + s·b (s = ±1), exact. */
static void dyad_addsub(dyad *r, const dyad *a, const dyad *b, int s)
{
    slong e = FLINT_MIN(a->e, b->e);
    fmpz_t x, y;
    fmpz_init(x), fmpz_init(y);
    fmpz_mul_2exp(x, a->m, (ulong)(a->e - e));
    fmpz_mul_2exp(y, b->m, (ulong)(b->e - e));
    if (fmpz_is_zero(a->m))
        fmpz_zero(x), e = b->e, fmpz_set(y, b->m);
    else if (fmpz_is_zero(b->m))
        fmpz_zero(y), e = a->e, fmpz_set(x, a->m);
    if (s > 0)
        fmpz_add(r->m, x, y);
    else
        fmpz_sub(r->m, x, y);
    r->e = e;
    fmpz_clear(x), fmpz_clear(y);
    dyad_normalise(r);
}

static double dyad_get_d(const dyad *x)
{
    arf_t a;
    arf_init(a);
    fmpz_t e;
    fmpz_init_set_si(e, x->e);
    arf_set_fmpz_2exp(a, x->m, e);
    double d = arf_get_d(a, ARF_RND_NEAR);
    fmpz_clear(e);
    arf_clear(a);
    return d;
}

/* sign(a − b) */
static int dyad_cmp(const dyad *a, const dyad *b)
{
    dyad d;
    dyad_init(&d);
    dyad_addsub(&d, a, b, -1);
    int s = fmpz_sgn(d.m);
    dyad_clear(&d);
    return s;
}

/* |a/b| as a double (b ≠ 0), divided in arf: the operands may lie far outside
 * the double range while their quotient does not. */
static double dyad_ratio_abs(const dyad *a, const dyad *b)
{
    arf_t x, y;
    fmpz_t e;
    arf_init(x), arf_init(y), fmpz_init(e);
    fmpz_set_si(e, a->e);
    arf_set_fmpz_2exp(x, a->m, e);
    fmpz_set_si(e, b->e);
    arf_set_fmpz_2exp(y, b->m, e);
    arf_div(x, x, y, 64, ARF_RND_NEAR);
    arf_abs(x, x);
    double r = arf_get_d(x, ARF_RND_NEAR);
    arf_clear(x), arf_clear(y), fmpz_clear(e);
    return r;
}

static void dyad_to_fmpq(fmpq_t q, const dyad *x)
{
    fmpz_set(fmpq_numref(q), x->m);
    fmpz_one(fmpq_denref(q));
    if (x->e >= 0)
        fmpz_mul_2exp(fmpq_numref(q), fmpq_numref(q), (ulong)x->e);
    else
        fmpz_mul_2exp(fmpq_denref(q), fmpq_denref(q), (ulong)(-x->e));
    fmpq_canonicalise(q);
}

/* ========================================================= exact matrices */

/* A symmetric matrix of dyadics, value M·2^e. */
typedef struct {
    slong n;
    fmpz_mat_t M;
    slong e;
} xmat;

static void xmat_init(xmat *A, slong n)
{
    A->n = n;
    fmpz_mat_init(A->M, n, n);
    A->e = 0;
}

static void xmat_clear(xmat *A) { fmpz_mat_clear(A->M); }

/* From n·n dyadics (only j ≤ i read; the upper triangle mirrors it). */
static void xmat_set_dyads(xmat *A, dyad *const *entries)
{
    slong n = A->n, e = WORD_MAX;
    for (slong i = 0; i < n; i++)
        for (slong j = 0; j <= i; j++)
            if (!fmpz_is_zero(entries[i * n + j]->m) && entries[i * n + j]->e < e)
                e = entries[i * n + j]->e;
    if (e == WORD_MAX)
        e = 0;
    A->e = e;
    for (slong i = 0; i < n; i++)
        for (slong j = 0; j <= i; j++) {
            const dyad *x = entries[i * n + j];
            fmpz_mul_2exp(fmpz_mat_entry(A->M, i, j), x->m, fmpz_is_zero(x->m) ? 0 : (ulong)(x->e - e));
            fmpz_set(fmpz_mat_entry(A->M, j, i), fmpz_mat_entry(A->M, i, j));
        }
}

static void xmat_set_doubles(xmat *A, const double *a)
{
    slong n = A->n;
    dyad *store = malloc((size_t)(n * n) * sizeof(dyad));
    dyad **p = calloc((size_t)(n * n) + 1, sizeof(dyad *));
    for (slong k = 0; k < n * n; k++) {
        dyad_init(&store[k]);
        dyad_set_d(&store[k], a[k]);
        p[k] = &store[k];
    }
    xmat_set_dyads(A, p);
    for (slong k = 0; k < n * n; k++)
        dyad_clear(&store[k]);
    free(store), free(p);
}

/* A ± r·s sᵀ (s_i = ±1) or, with s NULL, A ± r·I: exact. */
static void xmat_perturbed(xmat *X, const double *a, double r, const int *s, int sign)
{
    slong n = X->n;
    dyad *store = malloc((size_t)(n * n) * sizeof(dyad));
    dyad **p = calloc((size_t)(n * n) + 1, sizeof(dyad *));
    dyad rr;
    dyad_init(&rr);
    dyad_set_d(&rr, r);
    for (slong i = 0; i < n; i++)
        for (slong j = 0; j < n; j++) {
            dyad *x = &store[i * n + j];
            dyad_init(x);
            dyad_set_d(x, a[i * n + j]);
            int sij = s ? s[i] * s[j] : (i == j);
            if (sij)
                dyad_addsub(x, x, &rr, sign * sij);
            p[i * n + j] = x;
        }
    xmat_set_dyads(X, p);
    for (slong k = 0; k < n * n; k++)
        dyad_clear(&store[k]);
    dyad_clear(&rr);
    free(store), free(p);
}

/* Inertia over Q with symmetric pivoting (the rare singular-minor case):
 * +1 positive definite, 0 positive semidefinite and singular, −1 a negative
 * eigenvalue. Each step is a congruence, which keeps the inertia (Sylvester). */
static int inertia_rational(const fmpz_mat_t B)
{
    slong n = fmpz_mat_nrows(B);
    fmpq_mat_t S;
    fmpq_mat_init(S, n, n);
    fmpq_mat_set_fmpz_mat(S, B);
    fmpq_t f, t;
    fmpq_init(f), fmpq_init(t);
    int result = 1;
    for (slong k = 0; k < n; k++) {
        slong piv = -1;
        for (slong i = k; i < n; i++) {
            int sg = fmpq_sgn(fmpq_mat_entry(S, i, i));
            if (sg < 0) { /* a negative diagonal entry of a congruent matrix */
                result = -1;
                goto done;
            }
            if (sg > 0 && piv < 0)
                piv = i;
        }
        if (piv < 0) { /* zero diagonal: any non-zero entry gives a [[0, b], [b, 0]] minor */
            for (slong i = k; i < n; i++)
                for (slong j = k; j < i; j++)
                    if (!fmpq_is_zero(fmpq_mat_entry(S, i, j))) {
                        result = -1;
                        goto done;
                    }
            result = 0; /* the rest is zero */
            goto done;
        }
        if (piv != k) { /* symmetric swap of rows and columns k and piv */
            for (slong j = 0; j < n; j++)
                fmpq_swap(fmpq_mat_entry(S, k, j), fmpq_mat_entry(S, piv, j));
            for (slong i = 0; i < n; i++)
                fmpq_swap(fmpq_mat_entry(S, i, k), fmpq_mat_entry(S, i, piv));
        }
        for (slong i = k + 1; i < n; i++) {
            fmpq_div(f, fmpq_mat_entry(S, i, k), fmpq_mat_entry(S, k, k));
            for (slong j = k + 1; j < n; j++) {
                fmpq_mul(t, f, fmpq_mat_entry(S, k, j));
                fmpq_sub(fmpq_mat_entry(S, i, j), fmpq_mat_entry(S, i, j), t);
            }
        }
    }
done:
    fmpq_clear(f), fmpq_clear(t);
    fmpq_mat_clear(S);
    return result;
}

/* The same for a symmetric integer matrix, by Bareiss's fraction-free
 * elimination: after step k the pivot is the leading principal minor D_{k+1}.
 * All D_k > 0 ⟺ B ≻ 0; the first D_k < 0 (earlier ones > 0) ⟹ a negative
 * eigenvalue (the leading k×k block has one); a zero minor goes to Q. */
static int inertia_int(const fmpz_mat_t B0)
{
    slong n = fmpz_mat_nrows(B0);
    fmpz_mat_t B;
    fmpz_mat_init_set(B, B0);
    fmpz_t prev, t;
    fmpz_init_set_ui(prev, 1);
    fmpz_init(t);
    int result = 1;
    for (slong k = 0; k < n; k++) {
        int sg = fmpz_sgn(fmpz_mat_entry(B, k, k));
        if (sg < 0) {
            result = -1;
            break;
        }
        if (sg == 0) {
            result = inertia_rational(B0);
            break;
        }
        for (slong i = k + 1; i < n; i++)
            for (slong j = k + 1; j <= i; j++) {
                fmpz *bij = fmpz_mat_entry(B, i, j);
                fmpz_mul(bij, bij, fmpz_mat_entry(B, k, k));
                fmpz_mul(t, fmpz_mat_entry(B, i, k), fmpz_mat_entry(B, j, k));
                fmpz_sub(bij, bij, t);
                fmpz_divexact(bij, bij, prev);
            }
        for (slong i = k + 1; i < n; i++) /* keep the upper triangle equal to the lower one */
            for (slong j = k + 1; j < i; j++)
                fmpz_set(fmpz_mat_entry(B, j, i), fmpz_mat_entry(B, i, j));
        fmpz_set(prev, fmpz_mat_entry(B, k, k));
    }
    fmpz_clear(prev), fmpz_clear(t);
    fmpz_mat_clear(B);
    return result;
}

static unsigned long *exact_counter;

double soundness_mutation = 0;

/* Sign of the smallest eigenvalue of σ(A − μI), σ = ±1: +1, 0 or −1. */
static int shifted_sign(const xmat *A, const dyad *mu, int sigma)
{
    if (exact_counter)
        (*exact_counter)++;
    slong n = A->n, e = A->e;
    int mu_zero = fmpz_is_zero(mu->m);
    if (!mu_zero && mu->e < e)
        e = mu->e;
    fmpz_mat_t B;
    fmpz_mat_init(B, n, n);
    fmpz_mat_scalar_mul_2exp(B, A->M, (ulong)(A->e - e));
    fmpz_t m;
    fmpz_init(m);
    if (!mu_zero)
        fmpz_mul_2exp(m, mu->m, (ulong)(mu->e - e));
    for (slong i = 0; i < n; i++)
        fmpz_sub(fmpz_mat_entry(B, i, i), fmpz_mat_entry(B, i, i), m);
    if (sigma < 0)
        fmpz_mat_neg(B, B);
    int s = inertia_int(B);
    fmpz_clear(m);
    fmpz_mat_clear(B);
    return s;
}

static int lmin_gt(const xmat *A, const dyad *mu) { return shifted_sign(A, mu, 1) > 0; }
static int lmin_ge(const xmat *A, const dyad *mu) { return shifted_sign(A, mu, 1) >= 0; }
static int lmax_lt(const xmat *A, const dyad *mu) { return shifted_sign(A, mu, -1) > 0; }
static int lmax_le(const xmat *A, const dyad *mu) { return shifted_sign(A, mu, -1) >= 0; }

static int lmin_gt_d(const xmat *A, double mu)
{
    dyad m;
    dyad_init(&m);
    dyad_set_d(&m, mu);
    int r = lmin_gt(A, &m);
    dyad_clear(&m);
    return r;
}

/* LAPACK's λ_min of a double matrix, scaled by a power of two to dodge overflow. */
static double lapack_lmin(const double *a, size_t n, double *vec)
{
    double amax = 0;
    for (size_t k = 0; k < n * n; k++)
        amax = fmax(amax, fabs(a[k]));
    if (amax == 0) {
        if (vec)
            for (size_t i = 0; i < n; i++)
                vec[i] = i == 0;
        return 0;
    }
    int p = ilogb(amax);
    double *b = malloc(n * n * sizeof(double)), *ev = malloc(n * sizeof(double));
    for (size_t k = 0; k < n * n; k++)
        b[k] = ldexp(a[k], -p);
    LAPACKE_dsyevd(LAPACK_ROW_MAJOR, vec ? 'V' : 'N', 'L', (lapack_int)n, b, (lapack_int)n, ev);
    double l = ldexp(ev[0], p);
    if (vec)
        for (size_t i = 0; i < n; i++)
            vec[i] = b[i * n];
    free(b), free(ev);
    return l;
}

/* λ_min(A) ∈ (lo, hi], proven exactly, hi − lo ≤ 2⁻⁵⁰ max(|lo|, |hi|) (or 2⁻⁶⁰ scale near 0). */
static void bracket_lmin(dyad *lo, dyad *hi, const xmat *A, double est, double scale)
{
    if (!isfinite(est))
        est = 0;
    /* the half-width starts at 2⁻⁴⁰ max(|est|, scale) and grows by 2⁸ (exactly, as a dyadic) until the
     * bracket holds: it always ends, |λ_min| being finite */
    double w = fmin(fmax(fabs(est), scale), 0x1p1000) * 0x1p-40 + 0x1p-1074;
    dyad e, wd, mid, diff;
    dyad_init(&e), dyad_init(&wd), dyad_init(&mid), dyad_init(&diff);
    dyad_set_d(&e, est);
    dyad_set_d(&wd, w);
    for (;;) {
        dyad_addsub(lo, &e, &wd, -1);
        if (lmin_gt(A, lo))
            break;
        wd.e += 8;
    }
    dyad_set_d(&wd, w);
    for (;;) {
        dyad_addsub(hi, &e, &wd, 1);
        if (!lmin_gt(A, hi))
            break;
        wd.e += 8;
    }
    for (int it = 0; it < 400; it++) {
        dyad_addsub(&diff, hi, lo, -1);
        double width = dyad_get_d(&diff), mag = fmax(fabs(dyad_get_d(lo)), fabs(dyad_get_d(hi)));
        if (width <= 0x1p-50 * mag || width <= 0x1p-110 * scale || width <= 0x1p-1074)
            break;
        dyad_addsub(&mid, lo, hi, 1);
        mid.e -= 1;
        dyad_normalise(&mid);
        if (lmin_gt(A, &mid))
            dyad_set(lo, &mid);
        else
            dyad_set(hi, &mid);
    }
    dyad_clear(&e), dyad_clear(&wd), dyad_clear(&mid), dyad_clear(&diff);
}

/* ============================================================ bookkeeping */

typedef struct {
    soundness_stats *s;
    unsigned long seed, index;
    int family;
    size_t n;
    double lambda;      /* λ_min of the truth matrix (bracket midpoint), rounded */
    dyad lam;           /* the same, exact: within 2⁻⁵⁰ relative of λ_min (exact for the exact family) */
    const xmat *truth;  /* the matrix λ_min belongs to, for measuring tiny margins (NULL: none) */
} case_ctx;

static void note_wrong(case_ctx *c, const char *fmt, ...)
{
    if (c->s->first_wrong[0])
        return;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->s->first_wrong, sizeof c->s->first_wrong, "seed %lu case %lu (%s, n = %zu): %s", c->seed, c->index,
             family_names[c->family], c->n, msg);
}

/* |λ − μ|/|λ| with λ the bracket midpoint (exact dyadic, so margins below
 * 10⁻¹⁶ are measured too, to the bracket's 2⁻⁵⁰ accuracy). */
static double margin_of(const case_ctx *c, double mu)
{
    dyad m, d;
    dyad_init(&m), dyad_init(&d);
    dyad_set_d(&m, mu);
    dyad_addsub(&d, &c->lam, &m, -1);
    double r = fmpz_is_zero(c->lam.m) ? (fmpz_is_zero(d.m) ? 0 : INFINITY) : dyad_ratio_abs(&d, &c->lam);
    dyad_clear(&m), dyad_clear(&d);
    return r;
}

/* |λ − μ|/|λ| measured finer than the bracket: bisection on the exact truth
 * between μ and λ until the gap is known to 2⁻²⁰ of itself. */
static double precise_margin(const case_ctx *c, double mu)
{
    if (!c->truth || fmpz_is_zero(c->lam.m))
        return margin_of(c, mu);
    dyad m, a, b, mid, gap, width;
    dyad_init(&m), dyad_init(&a), dyad_init(&b), dyad_init(&mid), dyad_init(&gap), dyad_init(&width);
    dyad_set_d(&m, mu);
    int above = lmin_gt(c->truth, &m); /* λ > μ: search (μ, ∞), else (−∞, μ] */
    dyad_set(&a, &m), dyad_set(&b, &m);
    dyad step;
    dyad_init(&step);
    fmpz_abs(step.m, c->lam.m), step.e = c->lam.e - 40; /* |λ|·2⁻⁴⁰ ≥ the bracket width */
    dyad_addsub(above ? &b : &a, &m, &step, above ? 1 : -1);
    /* invariant: λ ∈ (a, b] */
    for (int it = 0; it < 300; it++) {
        dyad_addsub(&width, &b, &a, -1);
        dyad_addsub(&gap, above ? &a : &b, &m, -1); /* known part of the distance */
        if (!fmpz_is_zero(gap.m)) {
            fmpz_abs(gap.m, gap.m);
            gap.e -= 20;
            if (dyad_cmp(&width, &gap) <= 0)
                break;
        }
        dyad_addsub(&mid, &a, &b, 1);
        mid.e -= 1;
        dyad_normalise(&mid);
        if (lmin_gt(c->truth, &mid))
            dyad_set(&a, &mid);
        else
            dyad_set(&b, &mid);
    }
    double r;
    { /* |(a + b)/2 − μ| / |λ| */
        dyad_addsub(&mid, &a, &b, 1);
        mid.e -= 1;
        dyad diff;
        dyad_init(&diff);
        dyad_addsub(&diff, &mid, &m, -1);
        r = dyad_ratio_abs(&diff, &c->lam);
        dyad_clear(&diff);
    }
    dyad_clear(&m), dyad_clear(&a), dyad_clear(&b), dyad_clear(&mid), dyad_clear(&gap), dyad_clear(&width);
    dyad_clear(&step);
    return r;
}

/* A question to routine r with certified answer (+1 true, −1 false, 0 open), the truth, and the margin. */
static void answer(case_ctx *c, int r, int ans, int truth, double margin, const char *what, double mu)
{
    soundness_counter *k = &c->s->r[r];
    k->asked++;
    int wrong = (ans > 0 && !truth) || (ans < 0 && truth);
    if (ans > 0)
        k->yes++;
    else if (ans < 0)
        k->no++;
    else if (truth)
        k->open_true++;
    else
        k->open_false++;
    if (wrong) {
        k->wrong++;
        note_wrong(c, "%s: certified %s for %s at mu = %.17g, but the exact truth is %s", routine_names[r],
                   ans > 0 ? "true" : "false", what, mu, truth ? "true" : "false");
    } else if (ans && margin < k->closest && c->family != SF_LARGE) { /* large: λ only estimated */
        if (margin < 0x1p-40) /* below the bracket's resolution: measure it */
            margin = precise_margin(c, mu);
        if (margin < k->closest)
            k->closest = margin;
    }
    if (margin <= 1e-9) {
        k->near_asked++;
        k->near_decided += ans != 0;
    }
}

static void claim(case_ctx *c, int r, int holds, const char *what, double value)
{
    soundness_counter *k = &c->s->r[r];
    k->claims++;
    if (!holds) {
        k->violations++;
        note_wrong(c, "%s: claim %s (%.17g) is false", routine_names[r], what, value);
    }
}

/* The matrices a claim "for every X in the ball" is checked on (one when rad = 0). */
typedef struct {
    size_t count;
    xmat X[5];
} testset;

/* Truth of "λ_min(X) > μ for every X of the set" (all) and "for some X" (any). */
static void gt_all_any(const testset *t, double mu, int *all, int *any)
{
    dyad m;
    dyad_init(&m);
    dyad_set_d(&m, mu);
    *all = 1, *any = 0;
    for (size_t k = 0; k < t->count; k++) {
        int g = lmin_gt(&t->X[k], &m);
        *all &= g;
        *any |= g;
    }
    dyad_clear(&m);
}

/* "λ_min > μ ∀X" answered: +1 proven, −1 disproven for every X, 0 open. */
static void question_gt(case_ctx *c, const testset *t, int r, int ans, double mu, const char *what)
{
    int all, any;
    if (ans > 0 || ans < 0 || t->count == 1) {
        gt_all_any(t, mu, &all, &any);
    } else { /* open: classify by the worst matrix only */
        all = any = lmin_gt_d(&t->X[t->count - 1], mu);
    }
    int truth = ans < 0 ? any : all; /* a "false" answer is wrong when some X has λ_min > μ */
    answer(c, r, ans, truth, margin_of(c, mu), what, mu);
}

/* Bounds: lower ≤ λ_min(X) ≤ upper and lower' ≤ λ_max(X) ≤ upper' for every X of the set. */
static void check_bounds(case_ctx *c, const testset *t, int r, const dyad *lmin_lo, const dyad *lmin_hi,
                         const dyad *lmax_lo, const dyad *lmax_hi)
{
    for (size_t k = 0; k < t->count; k++) {
        if (lmin_lo)
            claim(c, r, lmin_ge(&t->X[k], lmin_lo), "lambda_min >= lower", dyad_get_d(lmin_lo));
        if (lmin_hi)
            claim(c, r, !lmin_gt(&t->X[k], lmin_hi), "lambda_min <= upper", dyad_get_d(lmin_hi));
        if (lmax_lo)
            claim(c, r, !lmax_lt(&t->X[k], lmax_lo), "lambda_max >= lower", dyad_get_d(lmax_lo));
        if (lmax_hi)
            claim(c, r, lmax_le(&t->X[k], lmax_hi), "lambda_max <= upper", dyad_get_d(lmax_hi));
    }
}

static void tightness(case_ctx *c, int r, double lower)
{
    if (isfinite(lower) && c->lambda != 0) {
        double g = margin_of(c, lower);
        if (g < c->s->r[r].tightest)
            c->s->r[r].tightest = g;
    }
}

/* ================================================================ generators */

static double uniform(gsl_rng *g, double a, double b) { return a + (b - a) * gsl_rng_uniform(g); }

static size_t pick_n(gsl_rng *g, size_t nmax)
{
    double u = gsl_rng_uniform(g);
    return 1 + (size_t)((double)(nmax - 1) * u * u + 0.5);
}

/* A random orthogonal Q (n×n, row-major): QR of a Gaussian matrix. */
static void random_orthogonal(double *Q, size_t n, gsl_rng *g)
{
    double *tau = malloc(n * sizeof(double));
    for (size_t k = 0; k < n * n; k++)
        Q[k] = gsl_ran_gaussian(g, 1.0);
    LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)n, Q, (lapack_int)n, tau);
    LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)n, (lapack_int)n, Q, (lapack_int)n, tau);
    free(tau);
}

/* A = 2^scale · Q diag(d) Qᵀ, symmetric by construction; 0 if it under/overflows to non-finite. */
static int rotated_matrix(double *A, const double *d, size_t n, int scale, gsl_rng *g)
{
    double *Q = malloc(n * n * sizeof(double));
    random_orthogonal(Q, n, g);
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 0;
            for (size_t k = 0; k < n; k++)
                s += Q[i * n + k] * d[k] * Q[j * n + k];
            A[i * n + j] = A[j * n + i] = ldexp(s, scale);
            ok &= isfinite(A[i * n + j]);
        }
    free(Q);
    return ok;
}

static int pick_scale(gsl_rng *g, int wide)
{
    double u = gsl_rng_uniform(g);
    if (!wide || u < 0.8)
        return (int)uniform(g, -30, 30);
    if (u < 0.9)
        return (int)uniform(g, -600, 600);
    if (u < 0.95)
        return (int)uniform(g, -1060, -1000); /* subnormal territory */
    return (int)uniform(g, 900, 1000);         /* near overflow */
}

/* Spectrum of the rotated family: d[0] is the smallest eigenvalue target. */
static void rotated_spectrum(double *d, size_t n, gsl_rng *g, int easy)
{
    double kappa = pow(10.0, easy ? uniform(g, 0, 3) : uniform(g, 0, 8));
    d[0] = 1.0;
    for (size_t k = 1; k < n; k++)
        d[k] = pow(kappa, gsl_rng_uniform(g));
    if (easy)
        return;
    if (n > 1 && gsl_rng_uniform(g) < 0.3) { /* a cluster at the bottom */
        size_t c = 1 + gsl_rng_uniform_int(g, n - 1 < 3 ? n - 1 : 3);
        for (size_t k = 1; k <= c; k++)
            d[k] = 1.0 + pow(10.0, uniform(g, -15, -6));
    }
    double u = gsl_rng_uniform(g), shift = 0;
    if (u < 0.2) /* indefinite */
        shift = 1.0 + pow(10.0, uniform(g, -3, 1));
    else if (u < 0.3) /* nearly singular: λ_min ≈ 10⁻¹²…10⁻⁴ */
        shift = 1.0 - pow(10.0, uniform(g, -12, -4));
    for (size_t k = 0; k < n; k++)
        d[k] -= shift;
}

/* ============================================================ matrix cases */

static void arb_mat_from(arb_mat_t M, const double *a, size_t n, double rad)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            arb_set_d(arb_mat_entry(M, (slong)i, (slong)j), a[i * n + j]);
            if (rad > 0)
                mag_set_d(arb_radref(arb_mat_entry(M, (slong)i, (slong)j)), rad);
        }
}

static int arb_bounds_dyads(dyad *lo, dyad *hi, const arb_t x)
{
    arf_t t;
    arf_init(t);
    arb_get_lbound_arf(t, x, ARF_PREC_EXACT);
    int l = dyad_set_arf(lo, t);
    arb_get_ubound_arf(t, x, ARF_PREC_EXACT);
    int h = dyad_set_arf(hi, t);
    arf_clear(t);
    return (l ? 1 : 0) | (h ? 2 : 0);
}

/* Puts every routine on the matrix a (radius rad) against the test set t,
 * at each threshold of mus. */
static void matrix_questions(case_ctx *c, gsl_rng *g, const double *a, size_t n, double rad, const testset *t,
                             const double *mus, size_t nmu, int light)
{
    static const slong precs[] = {64, 128, 256};
    slong prec = precs[gsl_rng_uniform_int(g, 3)];
    arb_mat_t M;
    arb_mat_init(M, (slong)n, (slong)n);
    arb_mat_from(M, a, n, rad);
    arb_t mu;
    arb_init(mu);
    for (size_t q = 0; q < nmu; q++) {
        double m = mus[q];
        question_gt(c, t, SR_FAST_SHIFT, fast_spd_shift_check(a, n, rad, m) ? 1 : 0, m, "lambda_min > mu");
        arb_set_d(mu, m);
        question_gt(c, t, SR_REF_SHIFT, ref_spd_shift_check(M, mu, prec) ? 1 : 0, m, "lambda_min > mu");
        double lower = -INFINITY;
        int st = fast_lambda_min_verified(&lower, a, n, rad, gsl_rng_uniform(g) < 0.5 ? m : NAN);
        if (soundness_mutation != 0 && isfinite(lower)) /* the self-test's deliberately unsound bound */
            lower += soundness_mutation * fabs(lower);
        if (st != PLSTAR_OK && st != PLSTAR_INCONCLUSIVE) {
            c->s->errors++;
            continue;
        }
        if (isfinite(lower)) {
            dyad lo;
            dyad_init(&lo);
            dyad_set_d(&lo, lower);
            check_bounds(c, t, SR_FAST_LMIN, &lo, NULL, NULL, NULL);
            dyad_clear(&lo);
            tightness(c, SR_FAST_LMIN, lower);
        }
        /* "λ_min ≥ μ": certified when lower ≥ μ; the truth is λ_min ≥ μ for every X */
        int ans = isfinite(lower) && lower >= m;
        dyad md;
        dyad_init(&md);
        dyad_set_d(&md, m);
        int truth = 1;
        for (size_t k = 0; k < (ans ? t->count : 1); k++)
            truth &= lmin_ge(&t->X[ans ? k : t->count - 1], &md);
        dyad_clear(&md);
        answer(c, SR_FAST_LMIN, ans, truth, margin_of(c, m), "lambda_min >= mu", m);
    }
    if (light) { /* large orders: the shift checks and the lower bound only */
        arb_clear(mu);
        arb_mat_clear(M);
        return;
    }
    /* the bound routines, once per case, asked about the first threshold */
    double lmin[2], lmax[2];
    int st = fast_eig_bounds_verified(lmin, lmax, a, n, rad);
    if (st == PLSTAR_OK || st == PLSTAR_INCONCLUSIVE) {
        dyad b[4];
        for (int k = 0; k < 4; k++)
            dyad_init(&b[k]);
        double v[4] = {lmin[0], lmin[1], lmax[0], lmax[1]};
        for (int k = 0; k < 4; k++)
            if (isfinite(v[k]))
                dyad_set_d(&b[k], v[k]);
        check_bounds(c, t, SR_FAST_BOUNDS, isfinite(v[0]) ? &b[0] : NULL, isfinite(v[1]) ? &b[1] : NULL,
                     isfinite(v[2]) ? &b[2] : NULL, isfinite(v[3]) ? &b[3] : NULL);
        tightness(c, SR_FAST_BOUNDS, lmin[0]);
        for (int k = 0; k < 4; k++)
            dyad_clear(&b[k]);
        double m = mus[0];
        int ans = lmin[0] > m ? 1 : lmin[1] <= m ? -1 : 0;
        question_gt(c, t, SR_FAST_BOUNDS, ans, m, "lambda_min > mu (bounds)");
    } else {
        c->s->errors++;
    }
    if (gsl_rng_uniform(g) < 0.35) {
        arb_t l, u;
        arb_init(l), arb_init(u);
        st = ref_eig_bounds(l, u, M, prec);
        if (st == PLSTAR_OK || st == PLSTAR_INCONCLUSIVE) {
            dyad b[4];
            for (int k = 0; k < 4; k++)
                dyad_init(&b[k]);
            int fl = arb_bounds_dyads(&b[0], &b[1], l), fu = arb_bounds_dyads(&b[2], &b[3], u);
            check_bounds(c, t, SR_REF_BOUNDS, (fl & 1) ? &b[0] : NULL, (fl & 2) ? &b[1] : NULL,
                         (fu & 1) ? &b[2] : NULL, (fu & 2) ? &b[3] : NULL);
            double lo = (fl & 1) ? dyad_get_d(&b[0]) : -INFINITY, hi = (fl & 2) ? dyad_get_d(&b[1]) : INFINITY;
            tightness(c, SR_REF_BOUNDS, lo);
            /* exact comparisons with μ (the doubles above are only for the statistics) */
            double m = mus[0];
            dyad md;
            dyad_init(&md);
            dyad_set_d(&md, m);
            int ans = ((fl & 1) && dyad_cmp(&b[0], &md) > 0) ? 1 : ((fl & 2) && dyad_cmp(&b[1], &md) <= 0) ? -1 : 0;
            (void)hi;
            dyad_clear(&md);
            question_gt(c, t, SR_REF_BOUNDS, ans, m, "lambda_min > mu (reference bounds)");
            for (int k = 0; k < 4; k++)
                dyad_clear(&b[k]);
        } else {
            c->s->errors++;
        }
        arb_clear(l), arb_clear(u);
    }
    arb_clear(mu);
    arb_mat_clear(M);
}

/* μ = λ(1 + σδ) with δ log-uniform in [10^lo, 10^hi]; *side = σ. */
static double near(double lambda, gsl_rng *g, double lo, double hi, int *side)
{
    double delta = pow(10.0, uniform(g, lo, hi));
    int s = gsl_rng_uniform(g) < 0.5 ? -1 : 1;
    if (side)
        *side = s;
    return lambda + s * delta * fabs(lambda);
}

/* Counts μ's on the unintended side (σ > 0 means μ above λ_min, so "λ_min > μ" false). */
static void placement(case_ctx *c, const xmat *A, double mu, int side)
{
    if (lmin_gt_d(A, mu) != (side < 0))
        c->s->placement_miss++;
}

static void case_matrix(case_ctx *c, gsl_rng *g)
{
    int fam = c->family;
    size_t n = pick_n(g, fam == SF_BALL ? 10 : fam == SF_EASY ? 16 : 24);
    c->n = n;
    double *a = malloc(n * n * sizeof(double)), *d = malloc(n * sizeof(double));
    double exact_lambda = NAN;
    if (fam == SF_EXACT) {
        /* P S B S Pᵀ: blocks [a] and [[a, b], [b, a]] with small integers, times 2^scale */
        int scale = pick_scale(g, 1);
        scale = scale > 900 ? 900 : scale < -1000 ? -1000 : scale;
        double *B = calloc(n * n, sizeof(double));
        double lmin = INFINITY;
        for (size_t i = 0; i < n;) {
            if (i + 1 < n && gsl_rng_uniform(g) < 0.5) {
                double x = (double)((long)gsl_rng_uniform_int(g, 201) - 60), y = (double)((long)gsl_rng_uniform_int(g, 121) - 60);
                B[i * n + i] = B[(i + 1) * n + i + 1] = ldexp(x, scale);
                B[i * n + i + 1] = B[(i + 1) * n + i] = ldexp(y, scale);
                lmin = fmin(lmin, ldexp(x - fabs(y), scale));
                i += 2;
            } else {
                double x = (double)((long)gsl_rng_uniform_int(g, 201) - 60);
                B[i * n + i] = ldexp(x, scale);
                lmin = fmin(lmin, B[i * n + i]);
                i += 1;
            }
        }
        size_t *perm = malloc(n * sizeof(size_t));
        int *sg = malloc(n * sizeof(int));
        for (size_t i = 0; i < n; i++)
            perm[i] = i, sg[i] = gsl_rng_uniform(g) < 0.5 ? -1 : 1;
        gsl_ran_shuffle(g, perm, n, sizeof(size_t));
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                a[perm[i] * n + perm[j]] = sg[i] * sg[j] * B[i * n + j];
        exact_lambda = lmin;
        free(B), free(perm), free(sg);
    } else {
        int scale = pick_scale(g, fam != SF_EASY);
        rotated_spectrum(d, n, g, fam == SF_EASY);
        /* entries below 2¹⁰⁰⁰, so that λ_min, the thresholds and n·max|a| stay doubles */
        for (;;) {
            double amax = 0;
            int ok = rotated_matrix(a, d, n, scale, g);
            for (size_t k = 0; ok && k < n * n; k++)
                amax = fmax(amax, fabs(a[k]));
            if (ok && amax <= 0x1p1000)
                break;
            scale -= 64;
        }
    }
    double rad = 0;
    if (fam == SF_BALL) {
        double amax = 0;
        for (size_t k = 0; k < n * n; k++)
            amax = fmax(amax, fabs(a[k]));
        rad = amax * pow(10.0, uniform(g, -16, -6)) / (double)n;
        if (!(rad > 0) || !isfinite(rad))
            rad = 0;
    }
    /* the test set: A, then for a ball A + r·I, A + r·ssᵀ, A − r·I, A − r·ssᵀ (the worst last) */
    testset t;
    t.count = rad > 0 ? 5 : 1;
    for (size_t k = 0; k < t.count; k++)
        xmat_init(&t.X[k], (slong)n);
    xmat_set_doubles(&t.X[0], a);
    double *v = malloc(n * sizeof(double));
    double est = lapack_lmin(a, n, v);
    if (rad > 0) {
        int *s = malloc(n * sizeof(int));
        for (size_t i = 0; i < n; i++)
            s[i] = v[i] >= 0 ? 1 : -1;
        xmat_perturbed(&t.X[1], a, rad, NULL, 1);
        xmat_perturbed(&t.X[2], a, rad, s, 1);
        xmat_perturbed(&t.X[3], a, rad, NULL, -1);
        xmat_perturbed(&t.X[4], a, rad, s, -1);
        double *w = malloc(n * n * sizeof(double));
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                w[i * n + j] = a[i * n + j] - rad * s[i] * s[j];
        est = lapack_lmin(w, n, NULL);
        free(w), free(s);
    }
    /* exact bracket of λ_min of the worst test matrix */
    double scale = 0;
    for (size_t k = 0; k < n * n; k++)
        scale = fmax(scale, fabs(a[k]));
    scale = scale * (double)n + rad * (double)n; /* a bound on |λ| */
    dyad lo, hi;
    dyad_init(&lo), dyad_init(&hi);
    bracket_lmin(&lo, &hi, &t.X[t.count - 1], est, scale);
    dyad_addsub(&c->lam, &lo, &hi, 1);
    c->lam.e -= 1;
    c->lambda = dyad_get_d(&c->lam);
    c->truth = &t.X[t.count - 1];
    /* thresholds */
    double mus[5];
    size_t nmu = 0;
    int side;
    if (fam == SF_EXACT) {
        double l = exact_lambda;
        mus[nmu++] = l;
        mus[nmu++] = nextafter(l, -INFINITY);
        mus[nmu++] = nextafter(l, INFINITY);
        if (l != 0) {
            mus[nmu++] = near(l, g, -12, -9, NULL);
            mus[nmu++] = near(l, g, -12, -9, NULL);
        }
        c->lambda = l;
        dyad_set_d(&c->lam, l);
        /* the exact truth must agree with the known spectrum */
        dyad x;
        dyad_init(&x);
        dyad_set_d(&x, l);
        int ok = lmin_ge(&t.X[0], &x) && !lmin_gt(&t.X[0], &x);
        dyad_set_d(&x, nextafter(l, -INFINITY));
        ok &= lmin_gt(&t.X[0], &x);
        dyad_set_d(&x, nextafter(l, INFINITY));
        ok &= !lmin_ge(&t.X[0], &x);
        dyad_clear(&x);
        if (!ok) {
            c->s->truth_failures++;
            note_wrong(c, "the exact inertia test disagrees with the known spectrum (lambda_min = %.17g)", l);
        }
    } else if (c->lambda == 0 || fabs(c->lambda) < 0x1p-1000) {
        mus[nmu++] = c->lambda;
        mus[nmu++] = nextafter(c->lambda, INFINITY);
        mus[nmu++] = nextafter(c->lambda, -INFINITY);
    } else {
        int easy = fam == SF_EASY;
        for (int k = 0; k < 2; k++) {
            mus[nmu] = near(c->lambda, g, easy ? -3 : -12, easy ? log10(0.5) : -9, &side);
            placement(c, &t.X[t.count - 1], mus[nmu], side);
            nmu++;
        }
        if (!easy && gsl_rng_uniform(g) < 0.3)
            mus[nmu++] = c->lambda; /* within the bracket: a coin toss the truth decides */
    }
    matrix_questions(c, g, a, n, rad, &t, mus, nmu, 0);
    dyad_clear(&lo), dyad_clear(&hi);
    for (size_t k = 0; k < t.count; k++)
        xmat_clear(&t.X[k]);
    free(a), free(d), free(v);
}

/* Orders 33…64. λ is LAPACK's estimate; the exact truth decides every question. */
static void case_large(case_ctx *c, gsl_rng *g)
{
    size_t n = 33 + gsl_rng_uniform_int(g, 32);
    c->n = n;
    double *a = malloc(n * n * sizeof(double)), *d = malloc(n * sizeof(double));
    int scale = (int)uniform(g, -20, 20);
    rotated_spectrum(d, n, g, 0);
    rotated_matrix(a, d, n, scale, g);
    testset t = {.count = 1};
    xmat_init(&t.X[0], (slong)n);
    xmat_set_doubles(&t.X[0], a);
    double est = lapack_lmin(a, n, NULL);
    c->lambda = est;
    dyad_set_d(&c->lam, est);
    c->truth = NULL;
    double mus[2] = {near(est, g, -12, -9, NULL), near(est, g, -12, -9, NULL)};
    if (est == 0)
        mus[0] = 0x1p-60, mus[1] = -0x1p-60;
    matrix_questions(c, g, a, n, 0, &t, mus, 2, 1);
    xmat_clear(&t.X[0]);
    free(a), free(d);
}

/* ============================================================= model cases */

static void fmpq_from_double(fmpq_t q, double x)
{
    dyad d;
    dyad_init(&d);
    dyad_set_d(&d, x);
    dyad_to_fmpq(q, &d);
    dyad_clear(&d);
}

/* sign(½‖∇L‖² − μL) for the linear model F = Xw, exactly: ‖Xᵀr‖² − μ‖r‖², r = Xw − y. */
static int linear_direct_sign(const double *X, size_t n, size_t d, const double *w, const double *y, double mu)
{
    fmpq *r = _fmpq_vec_init((slong)n), *gr = _fmpq_vec_init((slong)d);
    fmpq_t t, u, G, R;
    fmpq_init(t), fmpq_init(u), fmpq_init(G), fmpq_init(R);
    for (size_t i = 0; i < n; i++) {
        fmpq_zero(r + i);
        for (size_t k = 0; k < d; k++) {
            fmpq_from_double(t, X[i * d + k]);
            fmpq_from_double(u, w[k]);
            fmpq_addmul(r + i, t, u);
        }
        fmpq_from_double(t, y[i]);
        fmpq_sub(r + i, r + i, t);
        fmpq_addmul(R, r + i, r + i);
    }
    for (size_t k = 0; k < d; k++) {
        fmpq_zero(gr + k);
        for (size_t i = 0; i < n; i++) {
            fmpq_from_double(t, X[i * d + k]);
            fmpq_addmul(gr + k, t, r + i);
        }
        fmpq_addmul(G, gr + k, gr + k);
    }
    fmpq_from_double(t, mu);
    fmpq_mul(R, R, t);
    int s = fmpq_cmp(G, R);
    fmpq_clear(t), fmpq_clear(u), fmpq_clear(G), fmpq_clear(R);
    _fmpq_vec_clear(r, (slong)n), _fmpq_vec_clear(gr, (slong)d);
    return s;
}

static int route_answer(int v) { return v == PLSTAR_OK ? 1 : v == PLSTAR_REFUTED ? -1 : 0; }

static void case_linear(case_ctx *c, gsl_rng *g)
{
    size_t n = 1 + gsl_rng_uniform_int(g, 10), d = 1 + gsl_rng_uniform_int(g, 12);
    c->n = n;
    int scale = (int)uniform(g, -10, 10);
    double *X = malloc(n * d * sizeof(double)), *w = malloc(d * sizeof(double)), *y = malloc(n * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = ldexp(gsl_ran_gaussian(g, 1.0), scale);
    for (size_t k = 0; k < d; k++)
        w[k] = gsl_ran_gaussian(g, 1.0);
    for (size_t i = 0; i < n; i++)
        y[i] = gsl_ran_gaussian(g, 1.0) * ldexp(1.0, scale);
    /* K = X Xᵀ exactly: X = M_X·2^e, K = (M_X M_Xᵀ)·2^{2e} */
    xmat K;
    xmat_init(&K, (slong)n);
    {
        dyad *store = malloc(n * d * sizeof(dyad));
        slong e = WORD_MAX;
        for (size_t k = 0; k < n * d; k++) {
            dyad_init(&store[k]);
            dyad_set_d(&store[k], X[k]);
            if (!fmpz_is_zero(store[k].m) && store[k].e < e)
                e = store[k].e;
        }
        if (e == WORD_MAX)
            e = 0;
        fmpz_mat_t MX;
        fmpz_mat_init(MX, (slong)n, (slong)d);
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < d; k++) {
                dyad *x = &store[i * d + k];
                fmpz_mul_2exp(fmpz_mat_entry(MX, i, k), x->m, fmpz_is_zero(x->m) ? 0 : (ulong)(x->e - e));
            }
        fmpz_mat_t MT;
        fmpz_mat_init(MT, (slong)d, (slong)n);
        fmpz_mat_transpose(MT, MX);
        fmpz_mat_mul(K.M, MX, MT);
        K.e = 2 * e;
        fmpz_mat_clear(MX), fmpz_mat_clear(MT);
        for (size_t k = 0; k < n * d; k++)
            dyad_clear(&store[k]);
        free(store);
    }
    double *Kd = malloc(n * n * sizeof(double)), kmax = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t k = 0; k < d; k++)
                s += X[i * d + k] * X[j * d + k];
            Kd[i * n + j] = s;
            kmax = fmax(kmax, fabs(s));
        }
    double est = lapack_lmin(Kd, n, NULL);
    dyad lo, hi;
    dyad_init(&lo), dyad_init(&hi);
    bracket_lmin(&lo, &hi, &K, est, kmax * (double)n);
    dyad_addsub(&c->lam, &lo, &hi, 1);
    c->lam.e -= 1;
    c->lambda = dyad_get_d(&c->lam);
    c->truth = &K;
    int side = 0;
    double mu;
    if (c->lambda > kmax * 1e-10) {
        mu = near(c->lambda, g, gsl_rng_uniform(g) < 0.7 ? -12 : -3, gsl_rng_uniform(g) < 0.7 ? -9 : log10(0.5), &side);
        placement(c, &K, mu, side);
    } else { /* singular or nearly: any positive μ */
        mu = kmax * pow(10.0, uniform(g, -12, -2));
    }
    char json[96];
    snprintf(json, sizeof json, "{\"model\": \"linear\", \"input_dim\": %zu}", d);
    plstar_model m;
    model_init(&m);
    plstar_problem p;
    problem_init(&p);
    /* without labels in 40 % of the cases: then a singular K must be refuted by a witness */
    int labels = gsl_rng_uniform(g) < 0.6;
    if (model_parse_json(&m, json, "linear") || problem_set(&p, &m, X, n, w, labels ? y : NULL)) {
        c->s->errors++;
        goto out;
    }
    pl_point_result res;
    pl_point_result_init(&res);
    slong prec = gsl_rng_uniform(g) < 0.5 ? 64 : 128;
    int v = check_pl_point(&res, &p, mu, prec);
    if (v > PLSTAR_INCONCLUSIVE) {
        c->s->errors++;
    } else {
        testset t = {.count = 1};
        t.X[0] = K; /* shallow copy, not cleared through t */
        dyad b[4];
        for (int k = 0; k < 4; k++)
            dyad_init(&b[k]);
        int fl = arb_bounds_dyads(&b[0], &b[1], res.lambda_min), fu = arb_bounds_dyads(&b[2], &b[3], res.lambda_max);
        check_bounds(c, &t, SR_PL_THEOREM1, (fl & 1) ? &b[0] : NULL, (fl & 2) ? &b[1] : NULL,
                     (fu & 1) ? &b[2] : NULL, (fu & 2) ? &b[3] : NULL);
        for (int k = 0; k < 4; k++)
            dyad_clear(&b[k]);
        dyad md;
        dyad_init(&md);
        dyad_set_d(&md, mu);
        answer(c, SR_PL_THEOREM1, route_answer(res.theorem1), lmin_ge(&K, &md), margin_of(c, mu),
               "lambda_min(K) >= mu", mu);
        dyad_clear(&md);
        if (labels)
            answer(c, SR_PL_DIRECT, route_answer(res.direct), linear_direct_sign(X, n, d, w, y, mu) >= 0,
                   margin_of(c, mu), "1/2|grad L|^2 >= mu L", mu);
        if (res.witness) /* labels y* with ½‖∇L‖² < μL claimed */
            answer(c, SR_PL_WITNESS, 1, linear_direct_sign(X, n, d, w, res.witness, mu) < 0,
                   margin_of(c, mu), "witness: 1/2|grad L|^2 < mu L", mu);
    }
    pl_point_result_clear(&res);
out:
    problem_clear(&p);
    model_clear(&m);
    dyad_clear(&lo), dyad_clear(&hi);
    xmat_clear(&K);
    free(X), free(w), free(y), free(Kd);
}

/* Verdict of "x ≥ μ" by a ball: +1, −1 or 0 (the ball contains μ). */
static int ball_vs(const arb_t x, const arb_t mu)
{
    arb_t t;
    arb_init(t);
    arb_sub(t, x, mu, 1024);
    int r = arb_is_nonnegative(t) ? 1 : arb_is_negative(t) ? -1 : 0;
    arb_clear(t);
    return r;
}

/* Nonlinear models: the truth is reference/network.h at 512 bits. */
static void case_nonlinear(case_ctx *c, gsl_rng *g)
{
    static const char *const acts[] = {"tanh", "sin", "softplus", "gelu", "sigmoid", "erf"};
    size_t n = 1 + gsl_rng_uniform_int(g, 6), d = 1 + gsl_rng_uniform_int(g, 4), width = 2 + gsl_rng_uniform_int(g, 31);
    const char *act = acts[gsl_rng_uniform_int(g, 6)];
    char json[256];
    int shallow = gsl_rng_uniform(g) < 0.5;
    size_t outputs = shallow ? 1 : 1 + gsl_rng_uniform_int(g, 2);
    if (shallow)
        snprintf(json, sizeof json, "{\"model\": \"shallow\", \"input_dim\": %zu, \"width\": %zu, \"activation\": \"%s\"}",
                 d, width, act);
    else
        snprintf(json, sizeof json,
                 "{\"model\": \"mlp\", \"input_dim\": %zu, \"widths\": [%zu], \"outputs\": %zu, \"activation\": \"%s\", "
                 "\"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": %s}", d, width, outputs, act, gsl_rng_uniform(g) < 0.5 ? "true" : "false");
    plstar_model m;
    model_init(&m);
    plstar_problem p;
    problem_init(&p);
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * outputs * sizeof(double)), *w = NULL;
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(g, 1.0);
    for (size_t k = 0; k < n * outputs; k++)
        y[k] = gsl_ran_gaussian(g, 1.0);
    size_t N = n * outputs;
    c->n = N;
    arb_mat_t Kh, Gh;
    arb_t lh, uh, lossh, hgh, mua;
    arb_mat_init(Kh, (slong)N, (slong)N);
    arb_init(lh), arb_init(uh), arb_init(lossh), arb_init(hgh), arb_init(mua);
    const slong hp = 512;
    if (model_parse_json(&m, json, "nonlinear") || !(w = malloc(m.nparams * sizeof(double)))) {
        c->s->errors++;
        goto out0;
    }
    model_init_weights(w, &m, gsl_rng_get(g));
    if (problem_set(&p, &m, X, n, w, y) || ref_kernel(Kh, &p.model, X, n, w, hp) ||
        ref_eig_bounds(lh, uh, Kh, hp) > PLSTAR_INCONCLUSIVE) {
        c->s->errors++;
        goto out0;
    }
    arb_mat_init(Gh, (slong)m.nparams, 1);
    if (ref_loss_grad(lossh, Gh, &p.model, X, n, w, y, hp)) {
        c->s->errors++;
        arb_mat_clear(Gh);
        goto out0;
    }
    for (slong k = 0; k < (slong)m.nparams; k++)
        arb_addmul(hgh, arb_mat_entry(Gh, k, 0), arb_mat_entry(Gh, k, 0), hp);
    arb_mul_2exp_si(hgh, hgh, -1);
    arb_mat_clear(Gh);
    c->lambda = arf_get_d(arb_midref(lh), ARF_RND_NEAR);
    dyad_set_arf(&c->lam, arb_midref(lh));
    double lmax = arf_get_d(arb_midref(uh), ARF_RND_NEAR);
    double mu = c->lambda > lmax * 1e-10 ? near(c->lambda, g, -12, -9, NULL) : lmax * pow(10.0, uniform(g, -12, -2));
    arb_set_d(mua, mu);
    pl_point_result res;
    pl_point_result_init(&res);
    int v = check_pl_point(&res, &p, mu, gsl_rng_uniform(g) < 0.5 ? 64 : 128);
    if (v > PLSTAR_INCONCLUSIVE) {
        c->s->errors++;
    } else {
        soundness_counter *k1 = &c->s->r[SR_PL_THEOREM1];
        /* enclosures must meet the high-precision ones */
        k1->claims += 2;
        if (!arb_overlaps(res.lambda_min, lh)) {
            k1->violations++;
            note_wrong(c, "pl_point lambda_min enclosure misses the 512-bit one");
        }
        if (!arb_overlaps(res.lambda_max, uh)) {
            k1->violations++;
            note_wrong(c, "pl_point lambda_max enclosure misses the 512-bit one");
        }
        int t1 = ball_vs(lh, mua); /* truth of λ_min ≥ μ, 0 when undecided */
        int a1 = route_answer(res.theorem1);
        if (t1 == 0)
            k1->unresolved++;
        else
            answer(c, SR_PL_THEOREM1, a1, t1 > 0, margin_of(c, mu), "lambda_min(K) >= mu (nonlinear)", mu);
        arb_t rhs;
        arb_init(rhs);
        arb_mul(rhs, mua, lossh, hp);
        int td = ball_vs(hgh, rhs);
        if (td == 0)
            c->s->r[SR_PL_DIRECT].unresolved++;
        else
            answer(c, SR_PL_DIRECT, route_answer(res.direct), td > 0, margin_of(c, mu),
                   "1/2|grad L|^2 >= mu L (nonlinear)", mu);
        if (res.witness) {
            arb_t lw;
            arb_init(lw);
            arb_mat_init(Gh, (slong)m.nparams, 1);
            int tw = 0;
            if (!ref_loss_grad(lw, Gh, &p.model, X, n, w, res.witness, hp)) {
                arb_t h;
                arb_init(h);
                for (slong k = 0; k < (slong)m.nparams; k++)
                    arb_addmul(h, arb_mat_entry(Gh, k, 0), arb_mat_entry(Gh, k, 0), hp);
                arb_mul_2exp_si(h, h, -1);
                arb_mul(rhs, mua, lw, hp);
                tw = ball_vs(h, rhs); /* the witness claims h < μ L: true when tw < 0 */
                arb_clear(h);
            }
            if (tw == 0)
                c->s->r[SR_PL_WITNESS].unresolved++;
            else
                answer(c, SR_PL_WITNESS, 1, tw < 0, margin_of(c, mu), "witness (nonlinear)", mu);
            arb_mat_clear(Gh);
            arb_clear(lw);
        }
        arb_clear(rhs);
    }
    pl_point_result_clear(&res);
out0:
    arb_mat_clear(Kh);
    arb_clear(lh), arb_clear(uh), arb_clear(lossh), arb_clear(hgh), arb_clear(mua);
    problem_clear(&p);
    model_clear(&m);
    free(X), free(y), free(w);
}

/* ================================================================= driver */

static unsigned long mix(unsigned long seed, unsigned long k)
{
    uint64_t z = (uint64_t)seed * 0x9E3779B97F4A7C15ull + (uint64_t)k + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (unsigned long)((z ^ (z >> 31)) & 0xFFFFFFFFul);
}

void soundness_stats_init(soundness_stats *s)
{
    memset(s, 0, sizeof *s);
    for (int r = 0; r < SR_COUNT; r++)
        s->r[r].closest = s->r[r].tightest = 1.0;
}

void soundness_stats_add(soundness_stats *a, const soundness_stats *b)
{
    a->cases += b->cases;
    for (int f = 0; f < SF_COUNT; f++)
        a->family[f] += b->family[f];
    for (int r = 0; r < SR_COUNT; r++) {
        soundness_counter *x = &a->r[r];
        const soundness_counter *y = &b->r[r];
        x->asked += y->asked, x->yes += y->yes, x->no += y->no, x->open_true += y->open_true;
        x->open_false += y->open_false, x->wrong += y->wrong, x->claims += y->claims;
        x->violations += y->violations, x->unresolved += y->unresolved;
        x->near_asked += y->near_asked, x->near_decided += y->near_decided;
        x->closest = fmin(x->closest, y->closest), x->tightest = fmin(x->tightest, y->tightest);
    }
    a->exact_tests += b->exact_tests, a->placement_miss += b->placement_miss, a->errors += b->errors;
    a->truth_failures += b->truth_failures;
    a->seconds += b->seconds;
    if (!a->first_wrong[0])
        memcpy(a->first_wrong, b->first_wrong, sizeof a->first_wrong);
}

unsigned long soundness_wrong(const soundness_stats *s)
{
    unsigned long w = 0;
    for (int r = 0; r < SR_COUNT; r++)
        w += s->r[r].wrong + s->r[r].violations;
    return w;
}

unsigned long soundness_run(soundness_stats *s, unsigned long seed, unsigned long first, unsigned long count,
                            int verbose)
{
    unsigned long before = soundness_wrong(s);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    exact_counter = &s->exact_tests;
    for (unsigned long k = first; k < first + count; k++) {
        gsl_rng_set(g, mix(seed, k));
        double u = gsl_rng_uniform(g);
        /* exact 15 %, rotated 39.5 %, large 0.5 %, ball 12 %, easy 13 %, linear 12 %, nonlinear 8 % */
        int fam = u < 0.15 ? SF_EXACT : u < 0.545 ? SF_ROTATED : u < 0.55 ? SF_LARGE : u < 0.67 ? SF_BALL
                : u < 0.80 ? SF_EASY : u < 0.92 ? SF_LINEAR : SF_NONLINEAR;
        case_ctx c = {.s = s, .seed = seed, .index = k, .family = fam};
        dyad_init(&c.lam);
        struct timespec c0, c1;
        clock_gettime(CLOCK_MONOTONIC, &c0);
        unsigned long w0 = soundness_wrong(s);
        if (fam == SF_LINEAR)
            case_linear(&c, g);
        else if (fam == SF_LARGE)
            case_large(&c, g);
        else if (fam == SF_NONLINEAR)
            case_nonlinear(&c, g);
        else
            case_matrix(&c, g);
        dyad_clear(&c.lam);
        s->cases++;
        s->family[fam]++;
        clock_gettime(CLOCK_MONOTONIC, &c1);
        double took = (double)(c1.tv_sec - c0.tv_sec) + 1e-9 * (double)(c1.tv_nsec - c0.tv_nsec);
        if (verbose >= 2 || (verbose && (soundness_wrong(s) > w0 || took > 5)))
            fprintf(stderr, "case %lu: %s n = %zu lambda_min = %.6g, %.2f s%s\n", k, family_names[fam], c.n, c.lambda,
                    took, soundness_wrong(s) > w0 ? "  WRONG" : "");
        if (verbose == 1 && (k + 1 - first) % 1000 == 0) {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            fprintf(stderr, "soundness: %lu/%lu cases, %lu wrong, %.0f s\n", k + 1 - first, count,
                    soundness_wrong(s) - before,
                    (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
        }
    }
    exact_counter = NULL;
    gsl_rng_free(g);
    plstar_error_clear();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    s->seconds += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return soundness_wrong(s) - before;
}

void soundness_print(FILE *f, const soundness_stats *s, unsigned long seed)
{
    fprintf(f, "soundness campaign, seed %lu: %lu cases in %.1f s (", seed, s->cases, s->seconds);
    for (int k = 0; k < SF_COUNT; k++)
        fprintf(f, "%s%s %lu", k ? ", " : "", family_names[k], s->family[k]);
    fprintf(f, "); %lu exact inertia decisions (%lu disagreeing with a known spectrum), %lu routine errors, "
               "%lu thresholds off their intended side\n", s->exact_tests, s->truth_failures, s->errors,
            s->placement_miss);
    fprintf(f, "%-26s %9s %9s %9s %9s %9s %6s %9s %6s %6s %11s %11s %13s\n", "routine", "questions", "true",
            "false", "open(T)", "open(F)", "WRONG", "claims", "VIOL", "unres", "near(≤1e-9)", "near decid.",
            "closest cert.");
    for (int r = 0; r < SR_COUNT; r++) {
        const soundness_counter *k = &s->r[r];
        char closest[32];
        if (k->closest < 1.0)
            snprintf(closest, sizeof closest, "%.2e", k->closest);
        else
            snprintf(closest, sizeof closest, "-");
        fprintf(f, "%-26s %9lu %9lu %9lu %9lu %9lu %6lu %9lu %6lu %6lu %11lu %11lu %13s\n", routine_names[r], k->asked,
                k->yes, k->no, k->open_true, k->open_false, k->wrong, k->claims, k->violations, k->unresolved,
                k->near_asked, k->near_decided, closest);
    }
    unsigned long w = soundness_wrong(s);
    fprintf(f, "wrong verdicts and violated claims: %lu%s%s\n", w, w ? " — first: " : "", w ? s->first_wrong : "");
}

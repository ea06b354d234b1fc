/*
 * tests/soundness.c — the soundness campaign (tests/soundness.h): generators,
 * the exact truth in FLINT integers, and the checks of every certified claim.
 */
#include "soundness.h"

#include "core/error.h"
#include "core/model.h"
#include "fast/eig.h"
#include "verified/eig.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "fast/ntk.h"
#include "fast/train.h"
#include "proofs-checks/crosscheck.h"
#include "proofs-checks/gd_path.h"
#include "proofs-checks/pl_point.h"
#include "proofs-checks/validate.h"
#include "reference/eig.h"
#include "reference/network.h"
#include "reference/shallow.h"

#include <arb.h>
#include <arb_mat.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>
#include <flint/fmpz.h>
#include <flint/fmpz_mat.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const family_names[SF_COUNT] = {"exact", "rotated", "ball", "easy", "linear", "nonlinear",
                                                   "large", "dead", "kink", "shallow", "overflow", "diverge"};
static const char *const routine_names[SR_COUNT] = {
    "plstar_verified_spd_shift_check", "plstar_verified_lambda_min", "plstar_verified_eig_bounds", "plstar_ref_spd_shift_check",
    "plstar_ref_eig_bounds",       "pl_point theorem 1",       "pl_point direct",          "pl_point witness",
    "pl_point verdict",     "shallow arb theorem 1",    "shallow dgemm theorem 1",  "ref kernel at kinks",
    "validate at kinks",    "crosscheck",               "eig on non-finite",        "gd_path"};

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

/* 0 when a is not finite, or so far from 1 (|exponent| > 10⁵) that exact
 * sums with ordinary numbers would need integers of that many bits. */
static int dyad_set_arf(dyad *x, const arf_t a)
{
    if (!arf_is_finite(a))
        return 0;
    fmpz_t exp;
    fmpz_init(exp);
    arf_get_fmpz_2exp(x->m, exp, a);
    int ok = fmpz_cmp_si(exp, 100000) <= 0 && fmpz_cmp_si(exp, -100000) >= 0;
    x->e = ok ? fmpz_get_si(exp) : 0;
    fmpz_clear(exp);
    if (!ok)
        fmpz_zero(x->m);
    dyad_normalise(x);
    return ok;
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
    double scale;       /* λ_max of a model's kernel, the scale of "near20" (0: |λ| itself) */
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

/* A question answered with an error status: counted, the first one kept. */
static void note_error(case_ctx *c, const char *routine, int status)
{
    c->s->errors++;
    if (!c->s->first_error[0])
        snprintf(c->s->first_error, sizeof c->s->first_error, "seed %lu case %lu (%s): %s returned %d: %s", c->seed,
                 c->index, family_names[c->family], routine, status, plstar_errmsg());
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
    /* |λ − μ| (a NaN margin: a question not about a threshold) */
    double gap = isnan(margin) ? NAN : c->lambda != 0 ? margin * fabs(c->lambda) : fabs(mu);
    if (gap <= 1e-20 * fmax(fabs(c->lambda), c->scale)) {
        k->near20_asked++;
        k->near20_decided += ans != 0;
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
        question_gt(c, t, SR_FAST_SHIFT, plstar_verified_spd_shift_check(a, n, rad, m) ? 1 : 0, m, "lambda_min > mu");
        arb_set_d(mu, m);
        question_gt(c, t, SR_REF_SHIFT, plstar_ref_spd_shift_check(M, mu, prec) ? 1 : 0, m, "lambda_min > mu");
        double lower = -INFINITY;
        int st = plstar_verified_lambda_min(&lower, a, n, rad, gsl_rng_uniform(g) < 0.5 ? m : NAN);
        if (soundness_mutation != 0 && isfinite(lower)) /* the self-test's deliberately unsound bound */
            lower += soundness_mutation * fabs(lower);
        if (st != PLSTAR_OK && st != PLSTAR_INCONCLUSIVE) {
            note_error(c, "plstar_verified_lambda_min", st);
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
    int st = plstar_verified_eig_bounds(lmin, lmax, a, n, rad);
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
        note_error(c, "plstar_verified_eig_bounds", st);
    }
    if (gsl_rng_uniform(g) < 0.35) {
        arb_t l, u;
        arb_init(l), arb_init(u);
        st = plstar_ref_eig_bounds(l, u, M, prec);
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
            note_error(c, "plstar_ref_eig_bounds", st);
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
    plstar_model_init(&m);
    plstar_problem p;
    plstar_problem_init(&p);
    /* without labels in 40 % of the cases: then a singular K must be refuted by a witness */
    int labels = gsl_rng_uniform(g) < 0.6;
    if (plstar_model_parse_json(&m, json, "linear") || plstar_problem_set(&p, &m, X, n, w, labels ? y : NULL)) {
        note_error(c, "plstar_model_parse_json/plstar_problem_set", PLSTAR_ESOFTWARE);
        goto out;
    }
    pl_point_result res;
    plstar_pl_point_result_init(&res);
    slong prec = gsl_rng_uniform(g) < 0.5 ? 64 : 128;
    int v = plstar_check_pl_point(&res, &p, mu, prec);
    if (v > PLSTAR_INCONCLUSIVE) {
        note_error(c, "plstar_check_pl_point", v);
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
        answer(c, SR_PL_VERDICT, route_answer(v), lmin_ge(&K, &md), margin_of(c, mu),
               "mu-PL* for every label vector (lambda_min(K) >= mu)", mu);
        dyad_clear(&md);
        if (labels)
            answer(c, SR_PL_DIRECT, route_answer(res.direct), linear_direct_sign(X, n, d, w, y, mu) >= 0,
                   margin_of(c, mu), "1/2|grad L|^2 >= mu L", mu);
        if (res.witness) /* labels y* with ½‖∇L‖² < μL claimed */
            answer(c, SR_PL_WITNESS, 1, linear_direct_sign(X, n, d, w, res.witness, mu) < 0,
                   margin_of(c, mu), "witness: 1/2|grad L|^2 < mu L", mu);
    }
    plstar_pl_point_result_clear(&res);
out:
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
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

/* ========================================================= network truths */

/* The truth about a network at w for the point certificate's questions:
 * λ_min, λ_max of K(w) at 512 bits under each one-sided rule at exact ReLU
 * kinks (one rule where there is none), and both sides of PL* for any labels. */
#define TRUTH_PREC 512

typedef struct net_truth net_truth;
struct net_truth {
    int rules;                  /* 1, or 2 at an exact kink: σ′(0) = the left slope, σ′(0) = 1 */
    arb_ptr lmin, lmax;         /* per rule */
    int singular;               /* λ_min(K) = 0 exactly, by construction */
    /* L(w) and ½‖∇L(w)‖² for labels y under rule k, at 512 bits; 0 on success */
    int (*sides)(arb_t loss, arb_t half_grad_sq, const net_truth *t, int k, const double *y);
    const plstar_problem *p;
    arb_mat_struct J[2], F[1];  /* the kink family's explicit Jacobians and outputs */
    int explicit;
};

static void net_truth_init(net_truth *t)
{
    memset(t, 0, sizeof *t);
    t->lmin = _arb_vec_init(2), t->lmax = _arb_vec_init(2);
}

static void net_truth_clear(net_truth *t)
{
    _arb_vec_clear(t->lmin, 2), _arb_vec_clear(t->lmax, 2);
    if (t->explicit) {
        arb_mat_clear(&t->J[0]), arb_mat_clear(&t->J[1]);
        arb_mat_clear(t->F);
    }
}

/* x op d for a double d (exact as a ball). */
static void arb_add_dbl(arb_t r, const arb_t x, double d, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_set_d(t, d);
    arb_add(r, x, t, prec);
    arb_clear(t);
}

static void arb_sub_dbl(arb_t r, const arb_t x, double d, slong prec) { arb_add_dbl(r, x, -d, prec); }

static void arb_mul_dbl(arb_t r, const arb_t x, double d, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_set_d(t, d);
    arb_mul(r, x, t, prec);
    arb_clear(t);
}

static void half_sq_norm(arb_t h, const arb_mat_t g, slong prec)
{
    arb_zero(h);
    for (slong k = 0; k < arb_mat_nrows(g); k++)
        arb_addmul(h, arb_mat_entry(g, k, 0), arb_mat_entry(g, k, 0), prec);
    arb_mul_2exp_si(h, h, -1);
}

/* The generic reference (reference/network.h) at 512 bits. */
static int sides_generic(arb_t loss, arb_t h, const net_truth *t, int k, const double *y)
{
    (void)k;
    const plstar_problem *p = t->p;
    arb_mat_t g;
    arb_mat_init(g, (slong)p->model.nparams, 1);
    int st = plstar_ref_loss_grad(loss, g, &p->model, p->X.data, p->n, p->w, y, TRUTH_PREC);
    if (!st)
        half_sq_norm(h, g, TRUTH_PREC);
    arb_mat_clear(g);
    return st;
}

/* L = ½‖F − y‖², ∇L = J_kᵀ(F − y) from the explicit Jacobian of rule k. */
static int sides_explicit(arb_t loss, arb_t h, const net_truth *t, int k, const double *y)
{
    const arb_mat_struct *J = &t->J[k];
    slong N = arb_mat_nrows(J), P = arb_mat_ncols(J);
    arb_mat_t r, g;
    arb_mat_init(r, N, 1), arb_mat_init(g, P, 1);
    arb_zero(loss);
    for (slong i = 0; i < N; i++) {
        arb_sub_dbl(arb_mat_entry(r, i, 0), arb_mat_entry(t->F, i, 0), y[i], TRUTH_PREC);
        arb_addmul(loss, arb_mat_entry(r, i, 0), arb_mat_entry(r, i, 0), TRUTH_PREC);
    }
    arb_mul_2exp_si(loss, loss, -1);
    for (slong q = 0; q < P; q++)
        for (slong i = 0; i < N; i++)
            arb_addmul(arb_mat_entry(g, q, 0), arb_mat_entry(J, i, q), arb_mat_entry(r, i, 0), TRUTH_PREC);
    half_sq_norm(h, g, TRUTH_PREC);
    arb_mat_clear(r), arb_mat_clear(g);
    return 0;
}

/* λ_min, λ_max at 512 bits, the matrix scaled by a power of two first so that
 * the eigen-solver's double midpoints neither overflow nor underflow. */
static int truth_eig(arb_t lmin, arb_t lmax, const arb_mat_t K)
{
    slong e = WORD_MIN, n = arb_mat_nrows(K);
    for (slong i = 0; i < n * n; i++)
        if (!arf_is_zero(arb_midref(K->entries + i)))
            e = FLINT_MAX(e, arf_abs_bound_lt_2exp_si(arb_midref(K->entries + i)));
    if (e == WORD_MIN)
        e = 0;
    arb_mat_t S;
    arb_mat_init(S, n, n);
    arb_mat_scalar_mul_2exp_si(S, K, -e);
    int st = plstar_ref_eig_bounds(lmin, lmax, S, TRUTH_PREC);
    arb_mul_2exp_si(lmin, lmin, e), arb_mul_2exp_si(lmax, lmax, e);
    arb_mat_clear(S);
    return st > PLSTAR_INCONCLUSIVE ? st : PLSTAR_OK;
}

/* The generic truth: plstar_ref_kernel at 512 bits (not the certificate's route). */
static int truth_generic(net_truth *t, const plstar_problem *p, int singular)
{
    t->rules = 1, t->singular = singular, t->sides = sides_generic, t->p = p;
    arb_mat_t K;
    arb_mat_init(K, (slong)p->N, (slong)p->N);
    int st = plstar_ref_kernel(K, &p->model, p->X.data, p->n, p->w, TRUTH_PREC);
    if (!st)
        st = truth_eig(&t->lmin[0], &t->lmax[0], K);
    arb_mat_clear(K);
    return st;
}

/* The context's λ (for margins) and scale (for near20) from a truth. */
static void ctx_from_truth(case_ctx *c, const net_truth *t)
{
    if (t->singular) {
        c->lambda = 0;
        fmpz_zero(c->lam.m), c->lam.e = 0;
    } else {
        c->lambda = arf_get_d(arb_midref(&t->lmin[0]), ARF_RND_NEAR);
        if (!dyad_set_arf(&c->lam, arb_midref(&t->lmin[0])))
            fmpz_zero(c->lam.m), c->lam.e = 0;
    }
    c->scale = arf_get_d(arb_midref(&t->lmax[0]), ARF_RND_NEAR);
    if (!isfinite(c->scale))
        c->scale = 0;
}

/* ============================================== answers under several rules */

/* Per rule, the truth of a statement: true, false or undecided at 512 bits. */
typedef struct {
    int pos, neg, und;
} tally;

static void tally_add(tally *t, int v) { v > 0 ? t->pos++ : v < 0 ? t->neg++ : t->und++; }

/* A certified answer must hold under every rule (the enclosures it rests on
 * contain all of them); an undecided truth is counted as unresolved. */
static void judge(case_ctx *c, int r, int ans, tally t, double margin, const char *what, double mu)
{
    if (ans > 0 && t.neg)
        answer(c, r, ans, 0, margin, what, mu);
    else if (ans < 0 && t.pos)
        answer(c, r, ans, 1, margin, what, mu);
    else if (t.und || (t.pos && t.neg))
        c->s->r[r].unresolved++;
    else
        answer(c, r, ans, t.pos > 0, margin, what, mu);
}

/* Truth of λ_min(K) ≥ μ (μ > 0) under rule k. */
static int truth_lmin_ge(const net_truth *t, int k, const arb_t mu)
{
    return t->singular ? -1 : ball_vs(&t->lmin[k], mu);
}

/* Truth of ½‖∇L‖² ≥ μL for labels y under rule k (0 when the truth fails). */
static int truth_direct(const net_truth *t, int k, const arb_t mu, const double *y)
{
    arb_t loss, h, rhs;
    arb_init(loss), arb_init(h), arb_init(rhs);
    int v = 0;
    if (!t->sides(loss, h, t, k, y)) {
        arb_mul(rhs, mu, loss, TRUTH_PREC);
        v = ball_vs(h, rhs);
    }
    arb_clear(loss), arb_clear(h), arb_clear(rhs);
    return v;
}

unsigned soundness_mutations = 0;

/* Every claim of plstar_check_pl_point against the truth: its enclosures of λ_min and
 * λ_max, the verdict, the Theorem 1 route (counted in row_t1), the direct route
 * and the witness. With no μ > 0, nothing may be decided. */
static void pl_point_questions(case_ctx *c, const plstar_problem *p, const net_truth *t, const pl_point_result *res,
                               int verdict, int row_t1)
{
    for (int k = 0; k < t->rules; k++) {
        int in = t->singular ? arb_contains_zero(res->lambda_min) : arb_overlaps(res->lambda_min, t->lmin + k);
        claim(c, row_t1, in, "lambda_min(K) enclosure meets the 512-bit truth",
              arf_get_d(arb_midref(res->lambda_min), ARF_RND_NEAR));
        in = arb_overlaps(res->lambda_max, t->lmax + k);
        claim(c, row_t1, in, "lambda_max(K) enclosure meets the 512-bit truth",
              arf_get_d(arb_midref(res->lambda_max), ARF_RND_NEAR));
    }
    int ans_v = route_answer(verdict);
    if ((soundness_mutations & SOUNDNESS_MUTATE_SINGULAR) && t->singular) /* the self-test's unsound verdict */
        ans_v = 1;
    if (res->mu_source == PL_MU_NONE || !arb_is_positive(res->mu)) {
        /* PL* with μ ≤ 0 states nothing: any decision is wrong */
        answer(c, SR_PL_VERDICT, ans_v, ans_v < 0, NAN, "a verdict without a positive mu", 0);
        if (res->theorem1 != PLSTAR_INCONCLUSIVE)
            answer(c, row_t1, route_answer(res->theorem1), res->theorem1 == PLSTAR_REFUTED, NAN,
                   "theorem 1 without a positive mu", 0);
        if (res->has_labels && res->direct != PLSTAR_INCONCLUSIVE)
            answer(c, SR_PL_DIRECT, route_answer(res->direct), res->direct == PLSTAR_REFUTED, NAN,
                   "direct route without a positive mu", 0);
        return;
    }
    double mu = arf_get_d(arb_midref(res->mu), ARF_RND_NEAR), margin = margin_of(c, mu);
    tally tl = {0, 0, 0};
    for (int k = 0; k < t->rules; k++)
        tally_add(&tl, truth_lmin_ge(t, k, res->mu));
    judge(c, SR_PL_VERDICT, ans_v, tl, margin, "mu-PL* for every label vector (lambda_min(K) >= mu)", mu);
    judge(c, row_t1, route_answer(res->theorem1), tl, margin, "lambda_min(K) >= mu", mu);
    if (res->has_labels) {
        tally td = {0, 0, 0};
        for (int k = 0; k < t->rules; k++)
            tally_add(&td, truth_direct(t, k, res->mu, p->y.data));
        judge(c, SR_PL_DIRECT, route_answer(res->direct), td, margin, "1/2|grad L|^2 >= mu L", mu);
    }
    if (res->witness) { /* it claims ½‖∇L(y*)‖² < μ L(y*) */
        tally tw = {0, 0, 0};
        for (int k = 0; k < t->rules; k++)
            tally_add(&tw, -truth_direct(t, k, res->mu, res->witness));
        judge(c, SR_PL_WITNESS, 1, tw, margin, "witness: 1/2|grad L(y*)|^2 < mu L(y*)", mu);
    }
}

/* z_ij = ρ(W x_i)_j + b_j of layer 0 at 512 bits: its sign, 0 when not proven. */
static int first_layer_sign(const plstar_model *m, const double *X, const double *w, size_t i, size_t j)
{
    const plstar_layer *L = &m->layers[0];
    size_t d = L->in;
    arb_t z, r;
    arb_init(z), arb_init(r);
    for (size_t l = 0; l < d; l++) {
        arb_set_d(r, w[L->w_offset + j * d + l]);
        arb_mul_dbl(r, r, X[i * d + l], TRUTH_PREC);
        arb_add(z, z, r, TRUTH_PREC);
    }
    arb_rsqrt_ui(r, (ulong)L->scale_div, TRUTH_PREC);
    arb_mul(z, z, r, TRUTH_PREC);
    if (L->has_bias)
        arb_add_dbl(z, z, w[L->b_offset + j], TRUTH_PREC);
    int s = arb_is_positive(z) ? 1 : arb_is_negative(z) ? -1 : 0;
    arb_clear(z), arb_clear(r);
    return s;
}

/* μ for a model case: the default rule (0), or within [10^lo, 10^hi] relative
 * of λ on either side, or (λ ≈ 0) λ_max·10^-[1, 40]. */
static double model_mu(const case_ctx *c, gsl_rng *g, double p_default, double lo, double hi)
{
    double u = gsl_rng_uniform(g);
    if (u < p_default)
        return PL_POINT_DEFAULT_MU;
    double lmax = c->scale > 0 ? c->scale : 1.0;
    if (c->lambda > lmax * 1e-10)
        return fmax(near(c->lambda, g, lo, hi, NULL), DBL_MIN);
    if (gsl_rng_uniform(g) < 0.1)
        return ldexp(1.0, -1074 + (int)gsl_rng_uniform_int(g, 80)); /* subnormal and just above */
    return lmax * pow(10.0, uniform(g, -40, -1));
}


/* ============================================================ dead units */

/* Flips rows of the first layer so that w_j·u > 0 for every unit (proven at
 * 512 bits), u a Gaussian direction drawn anew until no row is orthogonal. */
static void orient_first_layer(double *w, const plstar_model *m, double *u, gsl_rng *g)
{
    const plstar_layer *L = &m->layers[0];
    size_t d = L->in;
    plstar_layer bare = *L;
    bare.has_bias = 0, bare.scale_div = 1; /* the sign of w_j·u alone */
    plstar_model probe = *m;
    probe.layers = &bare;
    for (int attempt = 0; attempt < 100; attempt++) {
        for (size_t l = 0; l < d; l++)
            u[l] = gsl_ran_gaussian(g, 1.0);
        int ok = 1;
        for (size_t j = 0; ok && j < L->out; j++) {
            int s = first_layer_sign(&probe, u, w, 0, j);
            ok = s != 0;
            for (size_t l = 0; s < 0 && l < d; l++)
                w[L->w_offset + j * d + l] = -w[L->w_offset + j * d + l];
        }
        if (ok)
            return;
    }
}

/* Makes sample i dead: z_ij < 0 for every first-layer unit, proven at 512
 * bits. x_i = −2^k u + noise; k grows and the noise shrinks until it holds,
 * which it must: without noise z_ij = −2^k ρ w_j·u + b_j with w_j·u > 0. */
static int make_dead(double *X, const plstar_model *m, const double *w, size_t i, const double *u, gsl_rng *g)
{
    const plstar_layer *L = &m->layers[0];
    size_t d = L->in;
    double noise = 0.5;
    for (int k = 0; k < 80; k++, noise *= 0.5) {
        for (size_t l = 0; l < d; l++)
            X[i * d + l] = -ldexp(u[l], k) + (k < 60 ? noise * gsl_ran_gaussian(g, 1.0) : 0.0);
        int dead = 1;
        for (size_t j = 0; dead && j < L->out; j++)
            dead = first_layer_sign(m, X, w, i, j) < 0;
        if (dead)
            return 1;
    }
    return 0;
}

static size_t other_index(gsl_rng *g, size_t i, size_t n) { return (i + 1 + gsl_rng_uniform_int(g, n - 1)) % n; }

/* A shallow or MLP description (every key that changes the function stated). */
static void net_json(char *json, size_t len, int shallow, const char *act, size_t d, size_t width, size_t hidden,
                     size_t outputs, int standard, int bias)
{
    if (shallow) {
        snprintf(json, len, "{\"model\": \"shallow\", \"input_dim\": %zu, \"width\": %zu, \"activation\": \"%s\"}", d,
                 width, act);
        return;
    }
    char widths[64];
    if (hidden == 1)
        snprintf(widths, sizeof widths, "[%zu]", width);
    else
        snprintf(widths, sizeof widths, "[%zu, %zu]", width, width);
    snprintf(json, len, "{\"model\": \"mlp\", \"input_dim\": %zu, \"widths\": %s, \"outputs\": %zu, \"activation\": "
             "\"%s\", \"output_activation\": \"linear\", \"scaling\": \"%s\", \"bias\": %s}", d, widths, outputs,
             act, standard ? "standard" : "ntk", bias ? "true" : "false");
}

/* K exactly singular by construction, μ = 0 (the default rule) or tiny. */
static void case_dead(case_ctx *c, gsl_rng *g)
{
    /* 0: one or two samples with every unit dead (zero rows); 1: two such
     * samples with biases (equal rows); 2: a sample repeated times 2^e */
    int variant = (int)gsl_rng_uniform_int(g, 3);
    int leaky = variant == 2 && gsl_rng_uniform(g) < 0.5;
    int shallow = variant != 1 && gsl_rng_uniform(g) < 0.4;
    size_t n = 2 + gsl_rng_uniform_int(g, 5), d = 1 + gsl_rng_uniform_int(g, 4), width = 2 + gsl_rng_uniform_int(g, 7);
    size_t hidden = gsl_rng_uniform(g) < 0.3 ? 2 : 1, outputs = shallow ? 1 : 1 + gsl_rng_uniform_int(g, 2);
    char json[320];
    net_json(json, sizeof json, shallow, leaky ? "leaky_relu" : "relu", d, width, hidden, outputs,
                     gsl_rng_uniform(g) < 0.5, variant == 1);
    plstar_model m;
    plstar_model_init(&m);
    plstar_problem p;
    plstar_problem_init(&p);
    net_truth t;
    net_truth_init(&t);
    pl_point_result res;
    plstar_pl_point_result_init(&res);
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * outputs * sizeof(double)), *w = NULL;
    double *u = malloc(d * sizeof(double));
    c->n = n * outputs;
    if (plstar_model_parse_json(&m, json, "dead") || !(w = malloc(m.nparams * sizeof(double)))) {
        note_error(c, "plstar_model_parse_json", PLSTAR_ESOFTWARE);
        goto out;
    }
    plstar_model_init_weights(w, &m, gsl_rng_get(g));
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(g, 1.0);
    for (size_t k = 0; k < n * outputs; k++)
        y[k] = gsl_ran_gaussian(g, 1.0);
    for (size_t l = 0; variant == 1 && l < m.nlayers; l++) /* biases start at 0: give them values */
        for (size_t j = 0; m.layers[l].has_bias && j < m.layers[l].out; j++)
            w[m.layers[l].b_offset + j] = 0.5 * gsl_ran_gaussian(g, 1.0);
    size_t i0 = gsl_rng_uniform_int(g, n), i1 = other_index(g, i0, n);
    if (variant < 2) {
        orient_first_layer(w, &m, u, g);
        int two = variant == 1 || gsl_rng_uniform(g) < 0.5;
        if (!make_dead(X, &m, w, i0, u, g) || (two && !make_dead(X, &m, w, i1, u, g))) {
            c->s->truth_failures++;
            note_wrong(c, "could not make a sample dead");
            goto out;
        }
    } else {
        int e = (int)gsl_rng_uniform_int(g, 5) - 2;
        for (size_t l = 0; l < d; l++)
            X[i1 * d + l] = ldexp(X[i0 * d + l], e);
    }
    int labels = gsl_rng_uniform(g) < 0.6;
    int st = plstar_problem_set(&p, &m, X, n, w, labels ? y : NULL);
    if (st || (st = truth_generic(&t, &p, 1))) {
        note_error(c, "truth (dead)", st);
        goto out;
    }
    if (!arb_contains_zero(&t.lmin[0])) { /* the planted zero eigenvalue: an engine self-check */
        c->s->truth_failures++;
        note_wrong(c, "the 512-bit enclosure of lambda_min excludes the planted 0");
    }
    ctx_from_truth(c, &t);
    double mu = model_mu(c, g, 0.35, 0, 0);
    int v = plstar_check_pl_point(&res, &p, mu, gsl_rng_uniform(g) < 0.5 ? 64 : 128);
    if (v > PLSTAR_INCONCLUSIVE)
        note_error(c, "plstar_check_pl_point", v);
    else
        pl_point_questions(c, &p, &t, &res, v, SR_PL_THEOREM1);
out:
    plstar_pl_point_result_clear(&res);
    net_truth_clear(&t);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
    free(X), free(y), free(w), free(u);
}

/* ================================================================== kinks */

/* r = a·b, exact. */
static void dyad_mul(dyad *r, const dyad *a, const dyad *b)
{
    fmpz_mul(r->m, a->m, b->m);
    r->e = a->e + b->e;
    dyad_normalise(r);
}

/* γ_k = k·u/(1 − k·u) */
static double gamma_k(size_t k, double u) { return (double)k * u / (1.0 - (double)k * u); }

/* The kink family's one-hidden-layer net, read through the model's layout:
 * z_ij = ρ1 (W1 x_i)_j + b1_j, f_ik = ρ2 (W2 σ(z_i))_k + b2_k, ρ_l = 1/√s_l,
 * with b1 = 0 unless s1 = 1 (so that sign z_ij = sign of the exact dyadic
 * (W1 x_i)_j + b1_j). */
typedef struct {
    const plstar_model *m;
    const double *X, *w;
    size_t n, d, width, c;
    double left;    /* σ′ left of 0: 0 (ReLU) or the leaky slope */
    int *sign;      /* n × width: the exact sign of z_ij */
    int *reach[2];  /* n × width: rounding in float64 [0] / float32 [1] may put ẑ_ij at 0 or across */
} kink_net;

static double kink_w2(const kink_net *k, size_t out, size_t j)
{
    const plstar_layer *L2 = &k->m->layers[1];
    return L2->trainable ? k->w[L2->w_offset + out * k->width + j] : L2->fixed[out * k->width + j];
}

static int float32_exact(double x) { return (double)(float)x == x; }

/* Exact signs of the pre-activations and whether rounding can reach the kink:
 * any evaluation order, with or without FMA, has |fl(z) − z| ≤ γ_k Σ|terms| + k·η
 * (Higham §3.1, k terms, η the underflow unit: a subnormal product may round
 * to 0); the kink is out of reach when |z| exceeds 64 times that (a margin over
 * any analysis's constant), and under float32 only when the inputs are float32
 * numbers (else their rounding moves z too). */
static void kink_signs(kink_net *k)
{
    const plstar_layer *L1 = &k->m->layers[0];
    dyad S, T, a, b, t;
    dyad_init(&S), dyad_init(&T), dyad_init(&a), dyad_init(&b), dyad_init(&t);
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->width; j++) {
            fmpz_zero(S.m), fmpz_zero(T.m);
            int exact32 = 1;
            for (size_t l = 0; l < k->d; l++) {
                double wl = k->w[L1->w_offset + j * k->d + l], xl = k->X[i * k->d + l];
                exact32 &= float32_exact(wl) && float32_exact(xl);
                dyad_set_d(&a, wl), dyad_set_d(&b, xl);
                dyad_mul(&t, &a, &b);
                dyad_addsub(&S, &S, &t, 1);
                dyad_addsub(&T, &T, &t, fmpz_sgn(t.m) >= 0 ? 1 : -1);
            }
            size_t terms = k->d;
            if (L1->has_bias) {
                double bj = k->w[L1->b_offset + j];
                exact32 &= float32_exact(bj);
                dyad_set_d(&t, bj);
                dyad_addsub(&S, &S, &t, 1);
                dyad_addsub(&T, &T, &t, fmpz_sgn(t.m) >= 0 ? 1 : -1);
                terms++;
            }
            int s = fmpz_sgn(S.m);
            k->sign[i * k->width + j] = s;
            fmpz_abs(S.m, S.m);
            double z = dyad_get_d(&S) * (1 - 0x1p-50), tsum = dyad_get_d(&T) * (1 + 0x1p-50);
            double under64 = (double)(terms + 1) * 0x1p-1074, under32 = (double)(terms + 1) * 0x1p-149;
            k->reach[0][i * k->width + j] = !(s && z > 64 * (gamma_k(terms + 1, 0x1p-53) * tsum + under64));
            k->reach[1][i * k->width + j] = !(s && exact32 && z > 64 * (gamma_k(terms + 1, 0x1p-24) * tsum + under32));
        }
    dyad_clear(&S), dyad_clear(&T), dyad_clear(&a), dyad_clear(&b), dyad_clear(&t);
}

/* σ′ of unit (i, j) under rule (0: left slope at 0, 1: one). */
static double kink_slope(const kink_net *k, size_t i, size_t j, int rule)
{
    int s = k->sign[i * k->width + j];
    return s > 0 ? 1.0 : s < 0 ? k->left : rule ? 1.0 : k->left;
}

/* The explicit Jacobian J (N × P) and outputs F (N × 1) under a rule, at prec bits. */
static void kink_jacobian(arb_mat_t J, arb_mat_t F, const kink_net *k, int rule, slong prec)
{
    const plstar_layer *L1 = &k->m->layers[0], *L2 = &k->m->layers[1];
    arb_t r1, r2, z, a, gk, t;
    arb_init(r1), arb_init(r2), arb_init(z), arb_init(a), arb_init(gk), arb_init(t);
    arb_rsqrt_ui(r1, (ulong)L1->scale_div, prec);
    arb_rsqrt_ui(r2, (ulong)L2->scale_div, prec);
    arb_mat_zero(J), arb_mat_zero(F);
    for (size_t i = 0; i < k->n; i++)
        for (size_t j = 0; j < k->width; j++) {
            arb_zero(z);
            for (size_t l = 0; l < k->d; l++) {
                arb_set_d(t, k->w[L1->w_offset + j * k->d + l]);
                arb_mul_dbl(t, t, k->X[i * k->d + l], prec);
                arb_add(z, z, t, prec);
            }
            arb_mul(z, z, r1, prec);
            if (L1->has_bias)
                arb_add_dbl(z, z, k->w[L1->b_offset + j], prec);
            int s = k->sign[i * k->width + j];
            if (s > 0)
                arb_set(a, z);
            else if (s < 0)
                arb_mul_dbl(a, z, k->left, prec);
            else
                arb_zero(a); /* σ(0) = 0 on both sides */
            double slope = kink_slope(k, i, j, rule);
            for (size_t out = 0; out < k->c; out++) {
                slong row = (slong)(i * k->c + out);
                arb_mul_dbl(gk, r2, kink_w2(k, out, j), prec); /* ∂f/∂α_j */
                arb_addmul(arb_mat_entry(F, row, 0), gk, a, prec);
                arb_mul_dbl(gk, gk, slope, prec); /* ∂f/∂z_j */
                for (size_t l = 0; l < k->d; l++) {
                    arb_mul_dbl(t, gk, k->X[i * k->d + l], prec);
                    arb_mul(arb_mat_entry(J, row, (slong)(L1->w_offset + j * k->d + l)), t, r1, prec);
                }
                if (L1->has_bias)
                    arb_set(arb_mat_entry(J, row, (slong)(L1->b_offset + j)), gk);
                if (L2->trainable)
                    arb_mul(arb_mat_entry(J, row, (slong)(L2->w_offset + out * k->width + j)), a, r2, prec);
            }
        }
    for (size_t i = 0; L2->has_bias && i < k->n; i++)
        for (size_t out = 0; out < k->c; out++) {
            slong row = (slong)(i * k->c + out);
            arb_one(arb_mat_entry(J, row, (slong)(L2->b_offset + out)));
            arb_add_dbl(arb_mat_entry(F, row, 0), arb_mat_entry(F, row, 0), k->w[L2->b_offset + out], prec);
        }
    arb_clear(r1), arb_clear(r2), arb_clear(z), arb_clear(a), arb_clear(gk), arb_clear(t);
}

/* K = J Jᵀ at prec bits. */
static void gram(arb_mat_t K, const arb_mat_t J, slong prec)
{
    arb_mat_t Jt;
    arb_mat_init(Jt, arb_mat_ncols(J), arb_mat_nrows(J));
    arb_mat_transpose(Jt, J);
    arb_mat_mul(K, J, Jt, prec);
    arb_mat_clear(Jt);
}

enum { KINK_ZERO = 0, KINK_GRID, KINK_ULP };

typedef struct {
    size_t i, j;
    int variant, up;
} kink_plant;

/* A grid value k·2^e, k uniform in [−8, 8]: sums of a few products stay exact in doubles. */
static double grid(gsl_rng *g, int e) { return ldexp((double)((long)gsl_rng_uniform_int(g, 17) - 8), e); }

/* Plants z_ij = 0 exactly: x_i,ls = ±2^e and w_j,ls (or, with s1 = 1 and a
 * bias, b_j) solves the grid equation; then one grid unit (2⁻²⁴, exact in any
 * order) or one ulp of an input either side. */
static void plant_kink(double *X, double *w, const plstar_model *m, const kink_plant *k, gsl_rng *g)
{
    const plstar_layer *L1 = &m->layers[0];
    size_t d = L1->in;
    double *wj = w + L1->w_offset + k->j * d, *xi = X + k->i * d;
    double *bj = L1->has_bias && L1->scale_div == 1 ? w + L1->b_offset + k->j : NULL; /* else b1 = 0 */
    size_t ls = gsl_rng_uniform_int(g, d);
    xi[ls] = (gsl_rng_uniform(g) < 0.5 ? -1.0 : 1.0) * ldexp(1.0, (int)gsl_rng_uniform_int(g, 3) - 1);
    int via_bias = bj && gsl_rng_uniform(g) < 0.5;
    double s = bj && !via_bias ? *bj : 0.0;
    for (size_t l = 0; l < d; l++)
        if (l != ls || via_bias)
            s += wj[l] * xi[l]; /* exact: grid values */
    if (via_bias)
        *bj = -s;
    else
        wj[ls] = -s / xi[ls];
    double dir = k->up ? 1.0 : -1.0;
    if (k->variant == KINK_GRID) {
        if (via_bias)
            *bj += dir * 0x1p-24;
        else
            wj[ls] += dir * (xi[ls] > 0 ? 0x1p-24 : -0x1p-24);
    } else if (k->variant == KINK_ULP) {
        size_t l0 = gsl_rng_uniform_int(g, d);
        for (size_t q = 0; q < d; q++) {
            size_t l = (l0 + q) % d;
            if (wj[l] != 0) { /* z moves by w_jl times one ulp of x_il */
                xi[l] = nextafter(xi[l], (wj[l] > 0) == k->up ? INFINITY : -INFINITY);
                break;
            }
        }
    }
}

/* A Jacobian entry that depends on σ′ at a planted kink: J[row, col] = a·σ′(z_ij). */
typedef struct {
    size_t row, col, i, j;
    double a;
} kink_entry;

/* One such entry (0 when the planted units have none with |a| ≥ 2⁻⁴⁰). */
static int pick_kink_entry(kink_entry *e, const kink_net *k, const kink_plant *pl, size_t npl, gsl_rng *g)
{
    const plstar_layer *L1 = &k->m->layers[0];
    double r1 = 1.0 / sqrt((double)L1->scale_div), r2 = 1.0 / sqrt((double)k->m->layers[1].scale_div);
    for (size_t tries = 0; tries < 32; tries++) {
        const kink_plant *q = &pl[gsl_rng_uniform_int(g, npl)];
        size_t out = gsl_rng_uniform_int(g, k->c), l = gsl_rng_uniform_int(g, k->d + (L1->has_bias ? 1 : 0));
        double gk = kink_w2(k, out, q->j) * r2;
        double a = l < k->d ? gk * k->X[q->i * k->d + l] * r1 : gk;
        if (!(fabs(a) >= 0x1p-40) || !isfinite(a)) /* a jump below validate's absolute floors is no test */
            continue;
        *e = (kink_entry){q->i * k->c + out, l < k->d ? L1->w_offset + q->j * k->d + l : L1->b_offset + q->j, q->i, q->j,
                          a};
        return 1;
    }
    return 0;
}

/* validate's verdict on a claimed Jacobian: +1 pass, −1 fail, 0 inconclusive; 2 on an error. */
static int validate_jacobian(case_ctx *c, const plstar_problem *p, const double *J, validate_format f)
{
    validate_claims cl;
    memset(&cl, 0, sizeof cl);
    cl.format = f;
    cl.jacobian = J;
    validate_result vr;
    int st = plstar_check_validate(&vr, p, &cl, 128);
    if (st > PLSTAR_INCONCLUSIVE) {
        note_error(c, "plstar_check_validate", st);
        return 2;
    }
    return route_answer(st);
}

static void mat_to_nearest(double *a, const arb_mat_t A)
{
    for (slong k = 0; k < arb_mat_nrows(A) * arb_mat_ncols(A); k++)
        a[k] = arf_get_d(arb_midref(A->entries + k), ARF_RND_NEAR);
}

/* Every entry of the enclosure E meets the truth T (claims of row r). */
static void enclosure_claims(case_ctx *c, int r, const arb_mat_t E, const arb_mat_t T, const char *what)
{
    slong count = arb_mat_nrows(T) * arb_mat_ncols(T);
    for (slong k = 0; k < count; k++)
        claim(c, r, arb_overlaps(E->entries + k, T->entries + k), what,
              arf_get_d(arb_midref(E->entries + k), ARF_RND_NEAR));
}

/* The reference's enclosures at a kink contain every rule's truth. */
static void kink_enclosures(case_ctx *c, const plstar_problem *p, const net_truth *t, const arb_mat_struct *Kt,
                            slong prec)
{
    size_t N = p->N, P = p->model.nparams;
    arb_mat_t K, F, J;
    arb_mat_init(K, (slong)N, (slong)N), arb_mat_init(F, (slong)N, 1), arb_mat_init(J, (slong)N, (slong)P);
    int st = plstar_ref_kernel(K, &p->model, p->X.data, p->n, p->w, prec);
    if (!st && (soundness_mutations & SOUNDNESS_MUTATE_KINK))
        for (slong k = 0; k < (slong)(N * N); k++) /* the self-test's unsound enclosure */
            mag_zero(arb_radref(K->entries + k));
    if (st || (st = plstar_ref_jacobian(J, &p->model, p->X.data, p->n, p->w, prec))) {
        note_error(c, "plstar_ref_kernel/plstar_ref_jacobian", st);
        goto out;
    }
    for (int r = 0; r < t->rules; r++) {
        enclosure_claims(c, SR_REF_KERNEL, K, &Kt[r], "plstar_ref_kernel entry contains the one-sided truth");
        enclosure_claims(c, SR_REF_KERNEL, J, &t->J[r], "plstar_ref_jacobian entry contains the one-sided truth");
    }
    if (p->model.kind == MODEL_SHALLOW)
        for (int route = 0; route < 2; route++) {
            st = route ? plstar_ref_shallow_kernel_outputs_dgemm_bound(K, F, &p->model, p->X.data, p->n, p->w, prec)
                       : plstar_ref_shallow_kernel_outputs_arb(K, F, &p->model, p->X.data, p->n, p->w, prec);
            if (st) {
                note_error(c, route ? "plstar_ref_shallow_kernel_outputs_dgemm_bound" : "plstar_ref_shallow_kernel_outputs_arb", st);
                break;
            }
            for (int r = 0; r < t->rules; r++) {
                enclosure_claims(c, SR_REF_KERNEL, K, &Kt[r], "shallow kernel entry contains the one-sided truth");
                enclosure_claims(c, SR_REF_KERNEL, F, t->F, "shallow output contains the truth");
            }
        }
out:
    arb_mat_clear(K), arb_mat_clear(F), arb_mat_clear(J);
}

/* validate at the kinks: the correct Jacobian under each rule passes; an entry
 * beyond every one-sided value (3a against {left·a, a}) and, where rounding
 * cannot reach the kink, the other side's value fail. */
static void kink_validate(case_ctx *c, const plstar_problem *p, const net_truth *t, const kink_net *k,
                          const kink_plant *pl, size_t npl, gsl_rng *g)
{
    validate_format f = gsl_rng_uniform(g) < 0.3 ? VALIDATE_FLOAT32 : VALIDATE_FLOAT64;
    size_t N = p->N, P = p->model.nparams;
    double *J = malloc(N * P * sizeof(double));
    for (int r = 0; r < t->rules; r++) {
        mat_to_nearest(J, &t->J[r]);
        int v = validate_jacobian(c, p, J, f);
        if (v != 2)
            answer(c, SR_VALIDATE, v, 1, NAN, "the correct Jacobian under a one-sided rule", 0);
    }
    kink_entry e;
    if (pick_kink_entry(&e, k, pl, npl, g)) {
        mat_to_nearest(J, &t->J[0]);
        double keep = J[e.row * P + e.col];
        J[e.row * P + e.col] = 3 * e.a;
        int v = validate_jacobian(c, p, J, f);
        if (v != 2)
            answer(c, SR_VALIDATE, v, 0, NAN, "an entry 3a at a kink, where only {left*a, a} are attainable", 0);
        int s = k->sign[e.i * k->width + e.j];
        if (s != 0 && !k->reach[f == VALIDATE_FLOAT32][e.i * k->width + e.j]) {
            J[e.row * P + e.col] = s > 0 ? k->left * e.a : e.a; /* the side rounding cannot reach */
            v = validate_jacobian(c, p, J, f);
            if (v != 2)
                answer(c, SR_VALIDATE, v, 0, NAN, "the other side's derivative where rounding cannot reach the kink",
                       0);
        }
        J[e.row * P + e.col] = keep;
    }
    free(J);
}

/* One-hidden-layer ReLU / leaky-ReLU nets with planted kinks. */
static void case_kink(case_ctx *c, gsl_rng *g)
{
    int leaky = gsl_rng_uniform(g) < 0.3, shallow = gsl_rng_uniform(g) < 0.35;
    size_t n = 1 + gsl_rng_uniform_int(g, 5), d = 1 + gsl_rng_uniform_int(g, 4), width = 2 + gsl_rng_uniform_int(g, 5);
    size_t outputs = shallow ? 1 : 1 + gsl_rng_uniform_int(g, 2);
    char json[320];
    net_json(json, sizeof json, shallow, leaky ? "leaky_relu" : "relu", d, width, 1, outputs,
                     gsl_rng_uniform(g) < 0.5, gsl_rng_uniform(g) < 0.5);
    plstar_model m;
    plstar_model_init(&m);
    plstar_problem p;
    plstar_problem_init(&p);
    net_truth t;
    net_truth_init(&t);
    pl_point_result res;
    plstar_pl_point_result_init(&res);
    size_t N = n * outputs;
    c->n = N;
    double *X = malloc(n * d * sizeof(double)), *y = malloc(N * sizeof(double)), *w = NULL;
    int *ints = malloc(3 * n * width * sizeof(int));
    arb_mat_struct Kt[2];
    int nK = 0;
    if (plstar_model_parse_json(&m, json, "kink") || !(w = malloc(m.nparams * sizeof(double)))) {
        note_error(c, "plstar_model_parse_json", PLSTAR_ESOFTWARE);
        goto out;
    }
    plstar_model_init_weights(w, &m, gsl_rng_get(g));
    const plstar_layer *L1 = &m.layers[0];
    for (size_t k = 0; k < width * d; k++)
        w[L1->w_offset + k] = grid(g, -3);
    for (size_t j = 0; L1->has_bias && j < width; j++)
        w[L1->b_offset + j] = L1->scale_div == 1 ? grid(g, -3) : 0.0;
    for (size_t l = 1; l < m.nlayers; l++)
        for (size_t j = 0; m.layers[l].has_bias && j < m.layers[l].out; j++)
            w[m.layers[l].b_offset + j] = 0.5 * gsl_ran_gaussian(g, 1.0);
    for (size_t k = 0; k < n * d; k++)
        X[k] = grid(g, -2);
    for (size_t k = 0; k < N; k++)
        y[k] = gsl_ran_gaussian(g, 1.0);
    /* planted kinks: distinct units on distinct samples */
    kink_plant pl[3];
    size_t npl = 1 + gsl_rng_uniform_int(g, FLINT_MIN(FLINT_MIN(n, width), 3));
    size_t i0 = gsl_rng_uniform_int(g, n), j0 = gsl_rng_uniform_int(g, width);
    for (size_t q = 0; q < npl; q++) {
        int v = (int)gsl_rng_uniform_int(g, 5); /* zero, grid ±, ulp ± */
        pl[q] = (kink_plant){(i0 + q) % n, (j0 + q) % width, v == 0 ? KINK_ZERO : v < 3 ? KINK_GRID : KINK_ULP, v % 2};
        plant_kink(X, w, &m, &pl[q], g);
    }
    kink_net k = {&m, X, w, n, d, width, outputs, leaky ? PLSTAR_LEAKY_SLOPE : 0.0, ints, {ints + n * width,
                                                                                        ints + 2 * n * width}};
    kink_signs(&k);
    int zero = 0;
    for (size_t q = 0; q < n * width; q++)
        zero |= k.sign[q] == 0;
    /* the truth: explicit Jacobian, outputs and kernel under each rule */
    t.rules = zero ? 2 : 1, t.sides = sides_explicit, t.explicit = 1;
    arb_mat_init(&t.J[0], (slong)N, (slong)m.nparams), arb_mat_init(&t.J[1], (slong)N, (slong)m.nparams);
    arb_mat_init(t.F, (slong)N, 1);
    for (int r = 0; r < t.rules; r++, nK++) {
        arb_mat_init(&Kt[r], (slong)N, (slong)N);
        kink_jacobian(&t.J[r], t.F, &k, r, TRUTH_PREC);
        gram(&Kt[r], &t.J[r], TRUTH_PREC);
        int st = truth_eig(&t.lmin[r], &t.lmax[r], &Kt[r]);
        if (st) {
            note_error(c, "truth (kink)", st);
            nK++;
            goto out;
        }
    }
    int st = plstar_problem_set(&p, &m, X, n, w, y);
    if (st) {
        note_error(c, "plstar_problem_set", st);
        goto out;
    }
    t.p = &p;
    ctx_from_truth(c, &t);
    slong prec = gsl_rng_uniform(g) < 0.5 ? 64 : 128;
    kink_enclosures(c, &p, &t, Kt, prec);
    double mu = model_mu(c, g, 0.3, -12, log10(0.5));
    int v = plstar_check_pl_point(&res, &p, mu, prec);
    if (v > PLSTAR_INCONCLUSIVE)
        note_error(c, "plstar_check_pl_point", v);
    else
        pl_point_questions(c, &p, &t, &res, v, SR_PL_THEOREM1);
    kink_validate(c, &p, &t, &k, pl, npl, g);
out:
    for (int r = 0; r < nK; r++)
        arb_mat_clear(&Kt[r]);
    plstar_pl_point_result_clear(&res);
    net_truth_clear(&t);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
    free(X), free(y), free(w), free(ints);
}

/* ==================================================== shallow, high precision */

/* μ at the nearest doubles of λ (up to 2 ulps off) or 10⁻¹⁶…10⁻¹² relative;
 * for a singular or nearly singular kernel μ = λ_max·10^-[18, 30]. */
static double shallow_mu(const case_ctx *c, gsl_rng *g)
{
    if (!(c->lambda > c->scale * 1e-10))
        return c->scale * pow(10.0, uniform(g, -30, -18));
    if (gsl_rng_uniform(g) < 0.5)
        return near(c->lambda, g, -16, -12, NULL);
    double mu = c->lambda;
    for (int k = (int)gsl_rng_uniform_int(g, 5) - 2; k != 0; k += k > 0 ? -1 : 1)
        mu = nextafter(mu, k > 0 ? INFINITY : -INFINITY);
    return mu;
}

/* Shallow nets of every activation, the certificate at 128–256 bits on both
 * kernel routes, against the generic reference at 512 bits. */
static void case_shallow(case_ctx *c, gsl_rng *g)
{
    static const char *const acts[] = {"tanh", "sin", "softplus", "gelu", "sigmoid", "erf", "relu", "leaky_relu",
                                       "linear"};
    const char *act = acts[gsl_rng_uniform_int(g, 9)];
    size_t n = 1 + gsl_rng_uniform_int(g, 6), d = 1 + gsl_rng_uniform_int(g, 4), width = 1 + gsl_rng_uniform_int(g, 16);
    /* singular by construction in a quarter of the cases: fewer parameters than samples, or a repeated sample */
    int repeat = 0;
    if (n >= 2 && gsl_rng_uniform(g) < 0.25) {
        if (n - 1 >= d && gsl_rng_uniform(g) < 0.5)
            width = 1 + gsl_rng_uniform_int(g, (n - 1) / d); /* width·d ≤ n − 1 */
        else
            repeat = 1;
    }
    char json[256];
    snprintf(json, sizeof json, "{\"model\": \"shallow\", \"input_dim\": %zu, \"width\": %zu, \"activation\": \"%s\"}", d,
             width, act);
    plstar_model m;
    plstar_model_init(&m);
    plstar_problem p;
    plstar_problem_init(&p);
    net_truth t;
    net_truth_init(&t);
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * sizeof(double)), *w = NULL;
    c->n = n;
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(g, 1.0);
    for (size_t k = 0; k < n; k++)
        y[k] = gsl_ran_gaussian(g, 1.0);
    size_t i0 = gsl_rng_uniform_int(g, n), i1 = n > 1 ? other_index(g, i0, n) : i0;
    for (size_t l = 0; repeat && l < d; l++)
        X[i1 * d + l] = X[i0 * d + l];
    if (plstar_model_parse_json(&m, json, "shallow") || !(w = malloc(m.nparams * sizeof(double)))) {
        note_error(c, "plstar_model_parse_json", PLSTAR_ESOFTWARE);
        goto out;
    }
    plstar_model_init_weights(w, &m, gsl_rng_get(g));
    int singular = repeat || width * d < n || (!strcmp(act, "linear") && n > d);
    int labels = gsl_rng_uniform(g) < 0.5;
    int st = plstar_problem_set(&p, &m, X, n, w, labels ? y : NULL);
    if (st || (st = truth_generic(&t, &p, singular))) {
        note_error(c, "truth (shallow)", st);
        goto out;
    }
    if (singular && !arb_contains_zero(&t.lmin[0])) {
        c->s->truth_failures++;
        note_wrong(c, "the 512-bit enclosure of lambda_min excludes the planted 0");
    }
    ctx_from_truth(c, &t);
    double mu = shallow_mu(c, g);
    slong prec = 128 + 64 * (slong)gsl_rng_uniform_int(g, 3);
    for (int route = 0; route < 2; route++) {
        pl_point_result res;
        plstar_pl_point_result_init(&res);
        plstar_ref_kernel_route_force(route ? "dgemm-bound" : "arb");
        int v = plstar_check_pl_point(&res, &p, fmax(mu, DBL_MIN), prec);
        plstar_ref_kernel_route_force(NULL);
        if (v > PLSTAR_INCONCLUSIVE)
            note_error(c, route ? "plstar_check_pl_point (dgemm-bound)" : "plstar_check_pl_point (arb)", v);
        else
            pl_point_questions(c, &p, &t, &res, v, route ? SR_SHALLOW_DGEMM : SR_SHALLOW_ARB);
        plstar_pl_point_result_clear(&res);
    }
out:
    net_truth_clear(&t);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
    free(X), free(y), free(w);
}

/* ========================================================= overflow */

/* Entries of a fast value array against the truth: inside [fast − err, fast + err],
 * proven outside, non-finite (value or bound), or undecided. */
typedef struct {
    size_t inside, outside, bad, undecided;
} entry_tally;

static void fast_vs_truth(entry_tally *e, const double *fast, const double *err, const arb_mat_t truth, size_t count)
{
    arb_t box;
    arb_init(box);
    for (size_t k = 0; k < count; k++) {
        if (!isfinite(fast[k]) || !isfinite(err[k]) || !(err[k] >= 0)) {
            e->bad++;
            continue;
        }
        arb_set_d(box, fast[k]);
        mag_set_d(arb_radref(box), err[k]); /* rounded up: a superset of the interval */
        if (!arb_overlaps(box, truth->entries + k)) {
            e->outside++;
            continue;
        }
        mag_set_d_lower(arb_radref(box), err[k]); /* rounded down: a subset */
        if (arb_contains(box, truth->entries + k))
            e->inside++;
        else
            e->undecided++;
    }
    arb_clear(box);
}

/* The fast values and bounds the cross-check compares (the same fast/
 * functions), against the 512-bit truth. */
static int fast_side_vs_truth(entry_tally *e, const plstar_problem *p)
{
    const plstar_model *m = &p->model;
    size_t N = p->N, P = m->nparams;
    const double *y = p->y.size ? p->y.data : NULL;
    double *F = calloc(N, 8), *eF = calloc(N, 8), *J = calloc(N * P, 8), *eJ = calloc(N * P, 8);
    double *K = calloc(N * N, 8), *eK = calloc(N * N, 8), *Ks = calloc(N * N, 8), *eKs = calloc(N * N, 8);
    double *G = calloc(P, 8), *eG = calloc(P, 8), loss = 0, eloss = 0;
    arb_mat_t tF, tJ, tK, tG, tL;
    arb_mat_init(tF, (slong)N, 1), arb_mat_init(tJ, (slong)N, (slong)P), arb_mat_init(tK, (slong)N, (slong)N);
    arb_mat_init(tG, (slong)P, 1), arb_mat_init(tL, 1, 1);
    int st = plstar_fast_outputs(F, m, p->X.data, p->n, p->w);
    if (!st)
        st = plstar_fast_jacobian(J, m, p->X.data, p->n, p->w);
    if (!st)
        st = plstar_fast_kernel_explicit(K, m, p->X.data, p->n, p->w);
    if (!st)
        st = plstar_fast_kernel_structured(Ks, m, p->X.data, p->n, p->w);
    if (!st && y)
        st = plstar_fast_loss_grad(&loss, G, m, p->X.data, p->n, p->w, y);
    fast_errors fe = {eF, eJ, eK, y ? &eloss : NULL, y ? eG : NULL};
    if (!st)
        st = plstar_fast_errbound(&fe, m, p->X.data, p->n, p->w, y);
    if (!st)
        st = plstar_fast_errbound_kernel_structured(eKs, m, p->X.data, p->n, p->w);
    if (!st)
        st = plstar_ref_outputs(tF, m, p->X.data, p->n, p->w, TRUTH_PREC);
    if (!st)
        st = plstar_ref_jacobian(tJ, m, p->X.data, p->n, p->w, TRUTH_PREC);
    if (!st)
        st = plstar_ref_kernel(tK, m, p->X.data, p->n, p->w, TRUTH_PREC);
    if (!st && y)
        st = plstar_ref_loss_grad(arb_mat_entry(tL, 0, 0), tG, m, p->X.data, p->n, p->w, y, TRUTH_PREC);
    if (!st) {
        fast_vs_truth(e, F, eF, tF, N);
        fast_vs_truth(e, J, eJ, tJ, N * P);
        fast_vs_truth(e, K, eK, tK, N * N);
        fast_vs_truth(e, Ks, eKs, tK, N * N);
        if (y) {
            fast_vs_truth(e, &loss, &eloss, tL, 1);
            fast_vs_truth(e, G, eG, tG, P);
        }
    }
    arb_mat_clear(tF), arb_mat_clear(tJ), arb_mat_clear(tK), arb_mat_clear(tG), arb_mat_clear(tL);
    free(F), free(eF), free(J), free(eJ), free(K), free(eK), free(Ks), free(eKs), free(G), free(eG);
    return st;
}

/* plstar_check_crosscheck's verdict against its entries recomputed: a pass needs every
 * value finite and within its bound of the truth; a fail needs one that is not
 * (inconclusive, documented: no violation but an unbounded error bound). */
static void crosscheck_question(case_ctx *c, const plstar_problem *p, slong prec)
{
    crosscheck_result cr;
    int st = plstar_check_crosscheck(&cr, p, prec);
    if (st > PLSTAR_INCONCLUSIVE) {
        note_error(c, "plstar_check_crosscheck", st);
        return;
    }
    entry_tally e = {0, 0, 0, 0};
    int fs = fast_side_vs_truth(&e, p);
    if (fs) {
        note_error(c, "fast side / truth (crosscheck)", fs);
        return;
    }
    tally t = {0, 0, 0};
    tally_add(&t, e.bad || e.outside ? -1 : e.undecided ? 0 : 1);
    judge(c, SR_CROSSCHECK, route_answer(st), t, NAN, "every fast value within its error bound of the truth", 0);
    if (st == PLSTAR_OK) {
        soundness_counter *k = &c->s->r[SR_CROSSCHECK];
        k->claims += e.inside + e.outside + e.bad;
        k->violations += e.outside + e.bad;
        k->unresolved += e.undecided;
        if (e.outside + e.bad)
            note_wrong(c, "crosscheck passed with %zu entries outside their bound and %zu non-finite", e.outside, e.bad);
    }
}

/* The verified eigenvalue routines on a matrix with a non-finite entry: no
 * certified claim (documented: PLSTAR_EDATA, or nothing proven). */
static void nonfinite_questions(case_ctx *c, const double *K, size_t N)
{
    answer(c, SR_NONFINITE, plstar_verified_spd_shift_check(K, N, 0, 0x1p-1000) ? 1 : 0, 0, NAN,
           "plstar_verified_spd_shift_check on a non-finite matrix", 0);
    double lower = -INFINITY, lmin[2] = {-INFINITY, INFINITY}, lmax[2] = {-INFINITY, INFINITY};
    int st = plstar_verified_lambda_min(&lower, K, N, 0, NAN);
    answer(c, SR_NONFINITE, st == PLSTAR_OK || isfinite(lower) ? 1 : st == PLSTAR_EDATA ? -1 : 0, 0, NAN,
           "plstar_verified_lambda_min on a non-finite matrix", 0);
    st = plstar_verified_eig_bounds(lmin, lmax, K, N, 0);
    int any = isfinite(lmin[0]) || isfinite(lmin[1]) || isfinite(lmax[0]) || isfinite(lmax[1]);
    answer(c, SR_NONFINITE, st == PLSTAR_OK || (st == PLSTAR_INCONCLUSIVE && any) ? 1 : st == PLSTAR_EDATA ? -1 : 0, 0,
           NAN, "plstar_verified_eig_bounds on a non-finite matrix", 0);
    plstar_error_clear();
}

/* plstar_ref_eig_bounds on the reference kernel: OK only with finite enclosures, and
 * those meet the 512-bit truth. */
static void ref_bounds_claims(case_ctx *c, const plstar_problem *p, const net_truth *t, slong prec)
{
    arb_mat_t K;
    arb_t l, u;
    arb_mat_init(K, (slong)p->N, (slong)p->N);
    arb_init(l), arb_init(u);
    int st = plstar_ref_kernel(K, &p->model, p->X.data, p->n, p->w, prec);
    if (!st)
        st = plstar_ref_eig_bounds(l, u, K, prec);
    if (st > PLSTAR_INCONCLUSIVE) {
        note_error(c, "plstar_ref_eig_bounds (overflow)", st);
    } else {
        if (st == PLSTAR_OK)
            claim(c, SR_REF_BOUNDS, arb_is_finite(l) && arb_is_finite(u), "plstar_ref_eig_bounds OK with finite enclosures",
                  arf_get_d(arb_midref(u), ARF_RND_NEAR));
        claim(c, SR_REF_BOUNDS, arb_overlaps(l, &t->lmin[0]), "lambda_min enclosure meets the 512-bit truth",
              arf_get_d(arb_midref(l), ARF_RND_NEAR));
        claim(c, SR_REF_BOUNDS, arb_overlaps(u, &t->lmax[0]), "lambda_max enclosure meets the 512-bit truth",
              arf_get_d(arb_midref(u), ARF_RND_NEAR));
    }
    arb_mat_clear(K);
    arb_clear(l), arb_clear(u);
}

/* A magnitude up to 10^308: inputs and weights that overflow softplus/exp, K or L in doubles. */
static double huge(gsl_rng *g, double lo) { return (gsl_rng_uniform(g) < 0.5 ? -1 : 1) * pow(10.0, uniform(g, lo, 308)); }

static void case_overflow(case_ctx *c, gsl_rng *g)
{
    static const char *const acts[] = {"softplus", "sigmoid", "tanh", "gelu", "erf", "sin", "relu", "leaky_relu",
                                       "linear"};
    const char *act = gsl_rng_uniform(g) < 0.4 ? "softplus" : acts[gsl_rng_uniform_int(g, 9)];
    int shallow = gsl_rng_uniform(g) < 0.3;
    size_t n = 1 + gsl_rng_uniform_int(g, 4), d = 1 + gsl_rng_uniform_int(g, 3), width = 2 + gsl_rng_uniform_int(g, 7);
    size_t outputs = shallow ? 1 : 1 + gsl_rng_uniform_int(g, 2), N = n * outputs;
    char json[320];
    net_json(json, sizeof json, shallow, act, d, width, 1, outputs, gsl_rng_uniform(g) < 0.3,
                     gsl_rng_uniform(g) < 0.5);
    plstar_model m;
    plstar_model_init(&m);
    plstar_problem p;
    plstar_problem_init(&p);
    net_truth t;
    net_truth_init(&t);
    pl_point_result res;
    plstar_pl_point_result_init(&res);
    double *X = malloc(n * d * sizeof(double)), *y = malloc(N * sizeof(double)), *w = NULL, *K = NULL;
    c->n = N;
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_rng_uniform(g) < 0.6 ? huge(g, 30) : gsl_ran_gaussian(g, 1.0);
    double yscale = gsl_rng_uniform(g) < 0.3 ? fabs(huge(g, 0)) : 1.0;
    for (size_t k = 0; k < N; k++)
        y[k] = yscale * gsl_ran_gaussian(g, 1.0);
    if (plstar_model_parse_json(&m, json, "overflow") || !(w = malloc(m.nparams * sizeof(double)))) {
        note_error(c, "plstar_model_parse_json", PLSTAR_ESOFTWARE);
        goto out;
    }
    plstar_model_init_weights(w, &m, gsl_rng_get(g));
    if (gsl_rng_uniform(g) < 0.2) { /* weights large too */
        double s = pow(10.0, uniform(g, 0, 150));
        for (size_t k = 0; k < m.nparams; k++)
            w[k] *= s;
    }
    int st = plstar_problem_set(&p, &m, X, n, w, gsl_rng_uniform(g) < 0.7 ? y : NULL);
    if (st || (st = truth_generic(&t, &p, 0))) {
        note_error(c, "truth (overflow)", st);
        goto out;
    }
    ctx_from_truth(c, &t);
    slong prec = gsl_rng_uniform(g) < 0.5 ? 64 : 128;
    double mu = model_mu(c, g, 0.4, -12, log10(0.5));
    int v = plstar_check_pl_point(&res, &p, isfinite(mu) ? mu : 0, prec);
    if (v > PLSTAR_INCONCLUSIVE)
        note_error(c, "plstar_check_pl_point (overflow)", v);
    else
        pl_point_questions(c, &p, &t, &res, v, SR_PL_THEOREM1);
    ref_bounds_claims(c, &p, &t, prec);
    crosscheck_question(c, &p, 128);
    K = malloc(N * N * sizeof(double));
    size_t bad;
    if (!plstar_fast_kernel_structured(K, &m, X, n, w) && !plstar_array_all_finite(K, N * N, &bad))
        nonfinite_questions(c, K, N);
    plstar_error_clear();
out:
    plstar_pl_point_result_clear(&res);
    net_truth_clear(&t);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
    free(X), free(y), free(w), free(K);
}

/* ============================================================= divergence */

/* The trainer's iterates, recorded through its callback. */
typedef struct {
    size_t P, count, cap;
    double *w; /* count × P */
} iterates;

static int keep_iterate(void *ctx, size_t t, const double *w, size_t P)
{
    iterates *it = ctx;
    if (t != it->count || it->count == it->cap)
        return plstar_error(PLSTAR_ESOFTWARE, "iterates out of order");
    memcpy(it->w + it->count++ * P, w, P * sizeof(double));
    return PLSTAR_OK;
}

/* L(w_t) at 512 bits for every iterate the trainer produced (the same GD run
 * as the certificate's: same trainer, step and steps); *nonfinite = the step
 * whose loss or gradient the trainer found not finite (0: none). */
static int gd_truth(arb_struct *loss, iterates *it, size_t *nonfinite, const plstar_problem *p, double lr,
                    size_t steps)
{
    size_t *save = malloc((steps + 1) * sizeof(size_t));
    double *w = malloc(p->model.nparams * sizeof(double));
    for (size_t t = 0; t <= steps; t++)
        save[t] = t;
    memcpy(w, p->w, p->model.nparams * sizeof(double));
    fast_train_options o;
    plstar_fast_train_options_init(&o);
    o.lr = lr, o.steps = steps, o.save_at = save, o.nsave_at = steps + 1, o.on_weights = keep_iterate, o.ctx = it;
    fast_trajectory traj;
    plstar_fast_trajectory_init(&traj);
    int st = plstar_fast_train(&traj, w, &p->model, p->X.data, p->n, p->y.data, &o);
    *nonfinite = 0;
    if (st == FAST_TRAIN_DIVERGED) {
        *nonfinite = traj.diverged_at;
        plstar_error_clear();
        st = PLSTAR_OK;
    }
    for (size_t t = 0; !st && t < it->count; t++)
        st = plstar_ref_loss_grad(loss + t, NULL, &p->model, p->X.data, p->n, it->w + t * it->P, p->y.data, TRUTH_PREC);
    plstar_fast_trajectory_clear(&traj);
    free(save), free(w);
    return st;
}

/* Truth of L(w_t) ≤ (1 − ημ)^t L(w0): +1, −1, 0 undecided. */
static int rate_holds(const arb_struct *loss, size_t t, double lr, double mu)
{
    arb_t q, rhs;
    arb_init(q), arb_init(rhs);
    arb_set_d(q, lr);
    arb_mul_dbl(q, q, mu, TRUTH_PREC);
    arb_sub_ui(q, q, 1, TRUTH_PREC);
    arb_neg(q, q);
    arb_pow_ui(q, q, t, TRUTH_PREC);
    arb_mul(rhs, q, loss, TRUTH_PREC);
    arb_sub(q, rhs, loss + t, TRUTH_PREC);
    int v = arb_is_nonnegative(q) ? 1 : arb_is_negative(q) ? -1 : 0;
    arb_clear(q), arb_clear(rhs);
    return v;
}

/* Truth of λ_min(K(w)) ≥ μ at an iterate: +1, −1, 0. */
static int lambda_holds(const plstar_problem *p, const double *w, double mu)
{
    arb_mat_t K;
    arb_t l, u, m;
    arb_mat_init(K, (slong)p->N, (slong)p->N);
    arb_init(l), arb_init(u), arb_init(m);
    int v = 0;
    if (!plstar_ref_kernel(K, &p->model, p->X.data, p->n, w, TRUTH_PREC) && !truth_eig(l, u, K)) {
        arb_set_d(m, mu);
        v = ball_vs(l, m);
    }
    arb_mat_clear(K);
    arb_clear(l), arb_clear(u), arb_clear(m);
    return v;
}

/* The truth of what a verdict rests on. Certified: the rate at every step of
 * the run and λ_min ≥ μ at the recorded steps, with every loss finite. Refuted:
 * the failure it names (the loss above L(w0), not finite, λ_min < μ, the rate
 * broken, or K(w0) = 0). Returns the truth of the certified statement. */
static int gd_statement_truth(const gd_path_result *res, const gd_path_options *o, const plstar_problem *p,
                              const arb_struct *loss, const iterates *it, size_t nonfinite, int verdict)
{
    size_t fs = res->fail_step;
    if (verdict == PLSTAR_OK) {
        if (nonfinite || it->count < o->steps + 1 || !(res->mu > 0))
            return -1;
        tally t = {0, 0, 0};
        for (size_t s = 1; s < it->count; s++)
            tally_add(&t, rate_holds(loss, s, res->lr, res->mu));
        for (size_t k = 0; k < res->records; k++)
            if (res->step[k] < it->count)
                tally_add(&t, lambda_holds(p, it->w + res->step[k] * it->P, res->mu));
        return t.neg ? -1 : t.und ? 0 : 1;
    }
    if (verdict != PLSTAR_REFUTED)
        return nonfinite ? -1 : 0;
    switch (res->failure) { /* the refutation's claim true: the statement false */
    case GD_PATH_DIVERGED: /* L(w_fs) > L(w0) */
        return fs >= it->count ? 0 : arb_gt(loss + fs, loss) ? -1 : arb_le(loss + fs, loss) ? 1 : 0;
    case GD_PATH_NONFINITE:
        return nonfinite == fs && fs ? -1 : 1;
    case GD_PATH_RATE:
        return fs < it->count ? rate_holds(loss, fs, res->lr, res->mu) : 0;
    case GD_PATH_LAMBDA:
    case GD_PATH_LAMBDA_ZERO:
        return fs < it->count ? lambda_holds(p, it->w + fs * it->P, res->mu > 0 ? res->mu : 0x1p-1074) : 0;
    case GD_PATH_NO_STEP: {
        arb_mat_t K;
        arb_t l, u;
        arb_mat_init(K, (slong)p->N, (slong)p->N);
        arb_init(l), arb_init(u);
        int v = 0;
        if (!plstar_ref_kernel(K, &p->model, p->X.data, p->n, p->w, TRUTH_PREC) && !truth_eig(l, u, K))
            v = arb_is_positive(u) ? 1 : arb_is_zero(u) ? -1 : 0; /* λ_max(K(w0)) = 0 refutes */
        arb_mat_clear(K);
        arb_clear(l), arb_clear(u);
        return v;
    }
    default:
        return 0;
    }
}

/* Tiny GD runs with large steps. */
static void case_diverge(case_ctx *c, gsl_rng *g)
{
    static const char *const acts[] = {"tanh", "softplus", "sin", "gelu", "relu", "leaky_relu", "sigmoid"};
    const char *act = acts[gsl_rng_uniform_int(g, 7)];
    int shallow = gsl_rng_uniform(g) < 0.3;
    size_t n = 1 + gsl_rng_uniform_int(g, 6), d = 1 + gsl_rng_uniform_int(g, 3), width = 2 + gsl_rng_uniform_int(g, 7);
    char json[320];
    net_json(json, sizeof json, shallow, act, d, width, 1, 1, gsl_rng_uniform(g) < 0.3,
                     gsl_rng_uniform(g) < 0.3);
    plstar_model m;
    plstar_model_init(&m);
    plstar_problem p;
    plstar_problem_init(&p);
    gd_path_result res;
    plstar_gd_path_result_init(&res);
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * sizeof(double)), *w = NULL, *K = NULL;
    gd_path_options o = {0};
    o.steps = 5 + gsl_rng_uniform_int(g, 26);
    o.record_every = 1 + gsl_rng_uniform_int(g, 10);
    iterates it = {0, 0, o.steps + 1, NULL};
    arb_struct *loss = _arb_vec_init((slong)o.steps + 1);
    c->n = n;
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(g, 1.0);
    for (size_t k = 0; k < n; k++)
        y[k] = gsl_ran_gaussian(g, 1.0);
    if (plstar_model_parse_json(&m, json, "diverge") || !(w = malloc(m.nparams * sizeof(double)))) {
        note_error(c, "plstar_model_parse_json", PLSTAR_ESOFTWARE);
        goto out;
    }
    plstar_model_init_weights(w, &m, gsl_rng_get(g));
    int st = plstar_problem_set(&p, &m, X, n, w, y);
    if (st) {
        note_error(c, "plstar_problem_set", st);
        goto out;
    }
    /* η = κ/λ_max(K(w0)) (LAPACK's estimate): κ ∈ [0.2, 1.5] can certify, κ up to 10⁶ diverges */
    K = malloc(n * n * sizeof(double));
    double lmin = 0, lmax = 0;
    if (plstar_fast_kernel_structured(K, &m, X, n, w) || plstar_fast_eig_lapack(&lmin, &lmax, K, n) || !(lmax > 0))
        lmax = 1;
    plstar_error_clear();
    double kappa = gsl_rng_uniform(g) < 0.35 ? uniform(g, 0.2, 1.5) : pow(10.0, uniform(g, log10(2.0), 6));
    o.lr = kappa / lmax;
    o.mu = gsl_rng_uniform(g) < 0.7 ? 0 : fmax(lmin, 0) * uniform(g, 0.01, 1.2) + 0x1p-1000;
    int v = plstar_check_gd_path(&res, &p, &o, gsl_rng_uniform(g) < 0.5 ? 64 : 128);
    if (v > PLSTAR_INCONCLUSIVE) {
        note_error(c, "plstar_check_gd_path", v);
        goto out;
    }
    it.P = m.nparams;
    it.w = malloc(it.cap * it.P * sizeof(double));
    size_t nonfinite;
    if ((st = gd_truth(loss, &it, &nonfinite, &p, res.lr, o.steps))) {
        note_error(c, "truth (diverge)", st);
        goto out;
    }
    /* the certificate's enclosures of L(w_t) contain the truth (the same iterates) */
    for (size_t t = 0; t <= res.steps_run && t < it.count; t++) {
        arb_t e;
        arf_t lo, hi;
        arb_init(e), arf_init(lo), arf_init(hi);
        arf_set_d(lo, res.step_loss_lo[t]), arf_set_d(hi, res.step_loss_hi[t]);
        if (arf_cmp(lo, hi) <= 0)
            arb_set_interval_arf(e, lo, hi, TRUTH_PREC);
        else
            arb_indeterminate(e);
        arf_clear(lo), arf_clear(hi);
        claim(c, SR_GD_PATH, arb_overlaps(e, loss + t), "the enclosure of L(w_t) meets the 512-bit truth",
              res.step_loss_hi[t]);
        arb_clear(e);
    }
    c->lambda = lmin, c->scale = lmax;
    tally t = {0, 0, 0};
    tally_add(&t, gd_statement_truth(&res, &o, &p, loss, &it, nonfinite, v));
    judge(c, SR_GD_PATH, route_answer(v), t, NAN, "the GD path certificate (rate, lambda_min >= mu)", res.mu);
out:
    _arb_vec_clear(loss, (slong)o.steps + 1);
    plstar_gd_path_result_clear(&res);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
    free(X), free(y), free(w), free(K), free(it.w);
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
                 "\"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": %s}",
                 d, width, outputs, act, gsl_rng_uniform(g) < 0.5 ? "true" : "false");
    plstar_model m;
    plstar_model_init(&m);
    plstar_problem p;
    plstar_problem_init(&p);
    net_truth t;
    net_truth_init(&t);
    pl_point_result res;
    plstar_pl_point_result_init(&res);
    double *X = malloc(n * d * sizeof(double)), *y = malloc(n * outputs * sizeof(double)), *w = NULL;
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(g, 1.0);
    for (size_t k = 0; k < n * outputs; k++)
        y[k] = gsl_ran_gaussian(g, 1.0);
    c->n = n * outputs;
    if (plstar_model_parse_json(&m, json, "nonlinear") || !(w = malloc(m.nparams * sizeof(double)))) {
        note_error(c, "plstar_model_parse_json", PLSTAR_ESOFTWARE);
        goto out;
    }
    plstar_model_init_weights(w, &m, gsl_rng_get(g));
    int st = plstar_problem_set(&p, &m, X, n, w, y);
    if (st || (st = truth_generic(&t, &p, 0))) {
        note_error(c, "truth (nonlinear)", st);
        goto out;
    }
    ctx_from_truth(c, &t);
    double lmax = c->scale;
    double mu = c->lambda > lmax * 1e-10 ? near(c->lambda, g, -12, -9, NULL) : lmax * pow(10.0, uniform(g, -12, -2));
    int v = plstar_check_pl_point(&res, &p, mu, gsl_rng_uniform(g) < 0.5 ? 64 : 128);
    if (v > PLSTAR_INCONCLUSIVE)
        note_error(c, "plstar_check_pl_point", v);
    else
        pl_point_questions(c, &p, &t, &res, v, SR_PL_THEOREM1);
out:
    plstar_pl_point_result_clear(&res);
    net_truth_clear(&t);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
    free(X), free(y), free(w);
}

/* ================================================================= driver */

/* The mixture: shares of the cases (the model families and the large
 * matrices are the costly ones per case, the GD runs by far). */
static const struct {
    double share;
    void (*run)(case_ctx *c, gsl_rng *g);
} family_table[SF_COUNT] = {
    [SF_EXACT] = {0.14, case_matrix},      [SF_ROTATED] = {0.36, case_matrix},  [SF_BALL] = {0.11, case_matrix},
    [SF_EASY] = {0.12, case_matrix},       [SF_LINEAR] = {0.11, case_linear},   [SF_NONLINEAR] = {0.07, case_nonlinear},
    [SF_LARGE] = {0.005, case_large},      [SF_DEAD] = {0.025, case_dead},      [SF_KINK] = {0.025, case_kink},
    [SF_SHALLOW] = {0.02, case_shallow},   [SF_OVERFLOW] = {0.01, case_overflow}, [SF_DIVERGE] = {0.005, case_diverge},
};

static int pick_family(double u)
{
    double acc = 0;
    for (int f = 0; f < SF_COUNT; f++)
        if (u < (acc += family_table[f].share))
            return f;
    return SF_EXACT; /* rounding of the shares' sum */
}

int soundness_only_family = -1;

int soundness_family_from_name(const char *name)
{
    for (int f = 0; f < SF_COUNT; f++)
        if (!strcmp(name, family_names[f]))
            return f;
    return -1;
}

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
        x->near20_asked += y->near20_asked, x->near20_decided += y->near20_decided;
        x->closest = fmin(x->closest, y->closest), x->tightest = fmin(x->tightest, y->tightest);
    }
    a->exact_tests += b->exact_tests, a->placement_miss += b->placement_miss, a->errors += b->errors;
    a->truth_failures += b->truth_failures;
    if (!a->first_error[0])
        memcpy(a->first_error, b->first_error, sizeof a->first_error);
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
        int fam = pick_family(gsl_rng_uniform(g));
        if (soundness_only_family >= 0)
            fam = soundness_only_family;
        case_ctx c = {.s = s, .seed = seed, .index = k, .family = fam};
        dyad_init(&c.lam);
        struct timespec c0, c1;
        clock_gettime(CLOCK_MONOTONIC, &c0);
        unsigned long w0 = soundness_wrong(s);
        family_table[fam].run(&c, g);
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
    fprintf(f, "%-26s %9s %9s %9s %9s %9s %6s %9s %6s %6s %11s %11s %11s %11s %13s\n", "routine", "questions",
            "true", "false", "open(T)", "open(F)", "WRONG", "claims", "VIOL", "unres", "near(≤1e-9)", "near decid.",
            "near(≤1e-20)", "near20 dec.", "closest cert.");
    for (int r = 0; r < SR_COUNT; r++) {
        const soundness_counter *k = &s->r[r];
        char closest[32];
        if (k->closest < 1.0)
            snprintf(closest, sizeof closest, "%.2e", k->closest);
        else
            snprintf(closest, sizeof closest, "-");
        fprintf(f, "%-26s %9lu %9lu %9lu %9lu %9lu %6lu %9lu %6lu %6lu %11lu %11lu %11lu %11lu %13s\n",
                routine_names[r], k->asked, k->yes, k->no, k->open_true, k->open_false, k->wrong, k->claims,
                k->violations, k->unresolved, k->near_asked, k->near_decided, k->near20_asked, k->near20_decided,
                closest);
    }
    if (s->first_error[0])
        fprintf(f, "first routine error: %s\n", s->first_error);
    unsigned long w = soundness_wrong(s);
    fprintf(f, "wrong verdicts and violated claims: %lu%s%s\n", w, w ? " — first: " : "", w ? s->first_wrong : "");
}

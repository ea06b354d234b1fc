/*
 * Certified spectral bounds (docs/theory.md §7): verified/eig.h, fast/eig.h and reference/eig.h.
 *
 * Truth never comes from the code under test. Every claimed bound is checked
 * by exact arithmetic on the exact dyadic matrix: λ_min(X) > μ iff X − μI ≻ 0
 * (Sylvester's criterion: the leading principal minors, by fraction-free
 * Bareiss elimination over the integers) and λ_min(X) ≥ μ iff X − μI ⪰ 0
 * (elimination with symmetric pivoting); the intervals are closed, so a lower
 * end is checked with ⪰ and an upper end with "not ≻". Where a closed form
 * exists (tridiag(−1, 2, −1)) it is evaluated in Arb as a second truth.
 *
 * Corpus: tridiag(−1, 2, −1); lcm(1..2n−1)·H_n (Hilbert, exact in double for
 * n ≤ 12); Pascal matrices; Q D Qᵀ with rational orthogonal Q (products of
 * Givens rotations from Pythagorean triples, exact in fmpq, then rounded to
 * double — the truth is that of the double matrix); Gram kernels G Gᵀ/P;
 * symmetric Gaussian matrices; banded integer matrices with repeated blocks
 * (orders where the fast path uses Lanczos); special and badly scaled
 * matrices; ball matrices with adversarial members.
 */
#include <criterion/criterion.h>

#include <arb_mat.h>
#include <flint/fmpq_mat.h>
#include <flint/fmpq_vec.h>
#include <flint/fmpz.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/error.h"
#include "core/npy.h"
#include "core/report.h"
#include "fast/eig.h"
#include "verified/eig.h"
#include "reference/eig.h"

/* ------------------------------------------------------------------------ */
/* Exact truth                                                               */

/*
 * Exact definiteness of S = sign·A + E − μI. A: doubles, row-major, symmetric;
 * E: exact symmetric perturbation (arf, row-major) or NULL; μ exact. strict:
 * 1 iff S ≻ 0; otherwise 1 iff S ⪰ 0.
 *
 * All entries are dyadic: scale to integers and eliminate fraction-free
 * (Bareiss) with symmetric pivoting on a positive diagonal entry. After k
 * steps the trailing block is the Schur complement times the (positive)
 * leading minor, so signs are exact. S ≻ 0 iff n positive pivots are found
 * (Sylvester);
 * S ⪰ 0 iff every pivot is positive until the trailing block has no positive
 * diagonal entry, and that block is then zero (a PSD matrix with zero
 * diagonal is zero; a negative diagonal entry refutes PSD).
 */
static int exact_definite(const double *A, const arf_struct *E, size_t n, int sign, const arf_t mu, int strict)
{
    arf_struct *X = flint_malloc(n * n * sizeof(arf_struct));
    fmpz *M = _fmpz_vec_init((slong)(n * n));
    fmpz_t e, emin, prev, p, t;
    int have = 0, result = 1;
    fmpz_init(e);
    fmpz_init(emin);
    fmpz_init(prev);
    fmpz_init(p);
    fmpz_init(t);
    for (size_t k = 0; k < n * n; k++) {
        arf_init(X + k);
        arf_set_d(X + k, sign > 0 ? A[k] : -A[k]);
        if (E)
            arf_add(X + k, X + k, E + k, ARF_PREC_EXACT, ARF_RND_DOWN);
        if (k / n == k % n)
            arf_sub(X + k, X + k, mu, ARF_PREC_EXACT, ARF_RND_DOWN);
        if (!arf_is_zero(X + k)) {
            arf_get_fmpz_2exp(M + k, e, X + k);
            if (!have || fmpz_cmp(e, emin) < 0)
                fmpz_set(emin, e);
            have = 1;
        }
    }
    for (size_t k = 0; have && k < n * n; k++)
        if (!arf_is_zero(X + k)) {
            arf_get_fmpz_2exp(M + k, e, X + k);
            fmpz_sub(e, e, emin);
            fmpz_mul_2exp(M + k, M + k, fmpz_get_ui(e));
        }
    fmpz_one(prev);
    for (size_t k = 0; k < n; k++) {
        /* pivot: the next diagonal entry (leading minors, Sylvester); for the
         * semidefinite test, a positive one further on if it is not positive */
        size_t q = k;
        if (fmpz_sgn(M + k * n + k) <= 0 && !strict)
            for (size_t i = k + 1; i < n; i++)
                if (fmpz_cmp(M + i * n + i, M + q * n + q) > 0)
                    q = i;
        if (fmpz_sgn(M + q * n + q) <= 0) {
            if (strict || fmpz_sgn(M + q * n + q) < 0) {
                result = 0;
                break;
            }
            for (size_t i = k; i < n && result; i++) /* zero diagonal: block must vanish */
                for (size_t j = k; j < n && result; j++)
                    if (!fmpz_is_zero(M + i * n + j))
                        result = 0;
            break;
        }
        if (q != k) { /* symmetric swap k ↔ q */
            for (size_t j = 0; j < n; j++)
                fmpz_swap(M + k * n + j, M + q * n + j);
            for (size_t i = 0; i < n; i++)
                fmpz_swap(M + i * n + k, M + i * n + q);
        }
        fmpz_set(p, M + k * n + k);
        for (size_t i = k + 1; i < n; i++) {
            fmpz *mik = M + i * n + k;
            for (size_t j = k + 1; j < n; j++) {
                fmpz *mij = M + i * n + j;
                const fmpz *mkj = M + k * n + j;
                if (fmpz_is_zero(mik) || fmpz_is_zero(mkj)) {
                    if (fmpz_is_zero(mij))
                        continue;
                    fmpz_mul(mij, mij, p);
                } else {
                    fmpz_mul(t, mik, mkj);
                    fmpz_mul(mij, mij, p);
                    fmpz_sub(mij, mij, t);
                }
                fmpz_divexact(mij, mij, prev);
            }
        }
        fmpz_set(prev, p);
    }
    for (size_t k = 0; k < n * n; k++)
        arf_clear(X + k);
    flint_free(X);
    _fmpz_vec_clear(M, (slong)(n * n));
    fmpz_clear(e);
    fmpz_clear(emin);
    fmpz_clear(prev);
    fmpz_clear(p);
    fmpz_clear(t);
    return result;
}

/*
 * S ≻ 0 by Sylvester's criterion: Bareiss elimination without pivoting, whose
 * pivots are the leading principal minors. Rows that the current step does
 * not touch (zero in the pivot column) are only rescaled by p_k/p_{k−1}; that
 * rescaling is kept implicit until the row is touched, so banded matrices cost
 * O(n·b²) integer operations. Only the lower triangle is stored.
 */
static int exact_pd(const double *A, const arf_struct *E, size_t n, int sign, const arf_t mu)
{
    fmpz *M = _fmpz_vec_init((slong)(n * n));
    fmpz *p = _fmpz_vec_init((slong)n + 1); /* p[k + 1] = pivot of step k, p[0] = 1 */
    size_t *last = malloc(n * sizeof(size_t)); /* row i holds M^(last[i] − 1) */
    fmpz_t e, emin, t;
    arf_t x;
    int pd = 1, have = 0;
    fmpz_init(e), fmpz_init(emin), fmpz_init(t);
    arf_init(x);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j <= i; j++) {
                arf_set_d(x, sign > 0 ? A[i * n + j] : -A[i * n + j]);
                if (E)
                    arf_add(x, x, E + i * n + j, ARF_PREC_EXACT, ARF_RND_DOWN);
                if (i == j)
                    arf_sub(x, x, mu, ARF_PREC_EXACT, ARF_RND_DOWN);
                if (arf_is_zero(x))
                    continue;
                arf_get_fmpz_2exp(M + i * n + j, e, x);
                if (pass == 0) {
                    if (!have || fmpz_cmp(e, emin) < 0)
                        fmpz_set(emin, e);
                    have = 1;
                } else {
                    fmpz_sub(e, e, emin);
                    fmpz_mul_2exp(M + i * n + j, M + i * n + j, fmpz_get_ui(e));
                }
            }
    fmpz_one(p);
    for (size_t i = 0; i < n; i++)
        last[i] = 0;
    for (size_t k = 0; k < n && pd; k++) {
        /* bring rows to step k − 1: M ← M·p[k] / p[last] */
        for (size_t i = k; i < n; i++) {
            fmpz *mik = M + i * n + k;
            if (i > k && fmpz_is_zero(mik))
                continue; /* untouched by this step */
            if (last[i] != k) {
                for (size_t j = k; j <= i; j++)
                    if (!fmpz_is_zero(M + i * n + j)) {
                        fmpz_mul(M + i * n + j, M + i * n + j, p + k);
                        fmpz_divexact(M + i * n + j, M + i * n + j, p + last[i]);
                    }
                last[i] = k;
            }
        }
        const fmpz *piv = M + k * n + k;
        if (fmpz_sgn(piv) <= 0) {
            pd = 0;
            break;
        }
        fmpz_set(p + k + 1, piv);
        for (size_t i = k + 1; i < n; i++) {
            const fmpz *mik = M + i * n + k;
            if (fmpz_is_zero(mik))
                continue;
            for (size_t j = k + 1; j <= i; j++) {
                fmpz *mij = M + i * n + j;
                const fmpz *mjk = M + j * n + k; /* = M_kj by symmetry */
                fmpz_mul(mij, mij, piv);
                if (!fmpz_is_zero(mjk)) {
                    fmpz_mul(t, mik, mjk);
                    fmpz_sub(mij, mij, t);
                }
                fmpz_divexact(mij, mij, p + k);
            }
            last[i] = k + 1;
        }
    }
    _fmpz_vec_clear(M, (slong)(n * n));
    _fmpz_vec_clear(p, (slong)n + 1);
    free(last);
    fmpz_clear(e), fmpz_clear(emin), fmpz_clear(t);
    arf_clear(x);
    return have ? pd : 0;
}

/* S ⪰ 0: positive definite, or (rarely: S singular) the pivoted test above */
static int exact_psd(const double *A, const arf_struct *E, size_t n, int sign, const arf_t mu)
{
    return exact_pd(A, E, n, sign, mu) || exact_definite(A, E, n, sign, mu, 0);
}

static int exact_pd_d(const double *A, const arf_struct *E, size_t n, int sign, double mu)
{
    arf_t m;
    arf_init(m);
    arf_set_d(m, mu);
    int r = exact_pd(A, E, n, sign, m);
    arf_clear(m);
    return r;
}

static int exact_psd_d(const double *A, const arf_struct *E, size_t n, int sign, double mu)
{
    arf_t m;
    arf_init(m);
    arf_set_d(m, mu);
    int r = exact_psd(A, E, n, sign, m);
    arf_clear(m);
    return r;
}

/* λ_min(A + E) ∈ [lo, hi] and λ_max(A + E) ∈ [lo, hi] (closed intervals), each
 * end checked exactly: λ_min ≥ lo ⇔ A + E − lo·I ⪰ 0, λ_min ≤ hi ⇔ not
 * A + E − hi·I ≻ 0, and the mirror images for λ_max. Infinite ends are skipped. */
static void check_lmin_d(const double *A, const arf_struct *E, size_t n, double lo, double hi, const char *what)
{
    if (isfinite(lo))
        cr_assert(exact_psd_d(A, E, n, 1, lo), "%s: λ_min >= %.17g is false (n = %zu)", what, lo, n);
    if (isfinite(hi))
        cr_assert(!exact_pd_d(A, E, n, 1, hi), "%s: λ_min <= %.17g is false (n = %zu)", what, hi, n);
}

static void check_lmax_d(const double *A, const arf_struct *E, size_t n, double lo, double hi, const char *what)
{
    if (isfinite(hi))
        cr_assert(exact_psd_d(A, E, n, -1, -hi), "%s: λ_max <= %.17g is false (n = %zu)", what, hi, n);
    if (isfinite(lo))
        cr_assert(!exact_pd_d(A, E, n, -1, -lo), "%s: λ_max >= %.17g is false (n = %zu)", what, lo, n);
}

/* The same for an arb enclosure, with its exact endpoints. */
static void plstar_check_ball(const double *A, const arf_struct *E, size_t n, const arb_t b, int is_max, const char *what)
{
    arf_t lo, hi, nlo, nhi;
    arf_init(lo), arf_init(hi), arf_init(nlo), arf_init(nhi);
    cr_assert(arb_is_finite(b), "%s: enclosure is not finite", what);
    arb_get_lbound_arf(lo, b, 1000);
    arb_get_ubound_arf(hi, b, 1000);
    arf_neg(nlo, lo);
    arf_neg(nhi, hi);
    if (!is_max) {
        cr_assert(exact_psd(A, E, n, 1, lo), "%s: λ_min >= the lower end is false (n = %zu)", what, n);
        cr_assert(!exact_pd(A, E, n, 1, hi), "%s: λ_min <= the upper end is false (n = %zu)", what, n);
    } else {
        cr_assert(exact_psd(A, E, n, -1, nhi), "%s: λ_max <= the upper end is false (n = %zu)", what, n);
        cr_assert(!exact_pd(A, E, n, -1, nlo), "%s: λ_max >= the lower end is false (n = %zu)", what, n);
    }
    arf_clear(lo), arf_clear(hi), arf_clear(nlo), arf_clear(nhi);
}

/* ------------------------------------------------------------------------ */
/* Matrices                                                                  */

/* Deterministic by default; PLSTAR_TEST_SEED=S explores other draws. */
static void rand_init(flint_rand_t st)
{
    flint_randinit(st);
    const char *e = getenv("PLSTAR_TEST_SEED");
    if (e && *e) {
        ulong s = strtoul(e, NULL, 10);
        flint_randseed(st, s * 2654435761UL + 1, s ^ 0x5DEECE66DUL);
    }
}

static double uniform(flint_rand_t st) { return (double)(n_randlimb(st) >> 11) * 0x1p-53; }

static double gauss(flint_rand_t st)
{
    double u1 = uniform(st), u2 = uniform(st);
    if (u1 <= 0.0)
        u1 = 0x1p-60;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static double *tridiag(size_t n)
{
    double *A = calloc(n * n, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        A[i * n + i] = 2.0;
        if (i + 1 < n)
            A[i * n + i + 1] = A[(i + 1) * n + i] = -1.0;
    }
    return A;
}

/* lcm(1..2n−1)·H_n: integers, exact in double for n ≤ 12 */
static double *hilbert_scaled(size_t n)
{
    fmpz_t L, q;
    fmpz_init(L);
    fmpz_init(q);
    fmpz_one(L);
    for (ulong k = 2; k <= 2 * n - 1; k++) {
        fmpz_set_ui(q, k);
        fmpz_lcm(L, L, q);
    }
    double *A = malloc(n * n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            fmpz_divexact_ui(q, L, (ulong)(i + j + 1));
            cr_assert(fmpz_bits(q) <= 53);
            A[i * n + j] = (double)fmpz_get_si(q);
        }
    fmpz_clear(L);
    fmpz_clear(q);
    return A;
}

/* P_ij = C(i + j, i): integers, exact in double for n ≤ 27 */
static double *pascal(size_t n)
{
    fmpz_t c;
    fmpz_init(c);
    double *A = malloc(n * n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            fmpz_bin_uiui(c, (ulong)(i + j), (ulong)i);
            cr_assert(fmpz_bits(c) <= 53);
            A[i * n + j] = (double)fmpz_get_si(c);
        }
    fmpz_clear(c);
    return A;
}

/* Q D Qᵀ with Q a product of rational Givens rotations (c, s) =
 * ((a² − b²), 2ab)/(a² + b²), D = diag(d), exact in fmpq, rounded to double. */
static double *qdq(size_t n, const double *d, flint_rand_t st)
{
    fmpq_mat_t Q, D, T, M;
    fmpq_t c, s, x, y, u;
    fmpq_mat_init(Q, n, n), fmpq_mat_init(D, n, n), fmpq_mat_init(T, n, n), fmpq_mat_init(M, n, n);
    fmpq_init(c), fmpq_init(s), fmpq_init(x), fmpq_init(y), fmpq_init(u);
    fmpq_mat_one(Q);
    for (size_t r = 0; r < 2 * n; r++) {
        size_t p = n_randint(st, n), q = n_randint(st, n);
        if (p == q)
            continue;
        slong a = 1 + (slong)n_randint(st, 7), b = 1 + (slong)n_randint(st, 7);
        fmpq_set_si(c, a * a - b * b, (ulong)(a * a + b * b));
        fmpq_set_si(s, 2 * a * b, (ulong)(a * a + b * b));
        for (size_t k = 0; k < n; k++) { /* rows p, q of Q */
            fmpq_mul(x, c, fmpq_mat_entry(Q, p, k));
            fmpq_mul(u, s, fmpq_mat_entry(Q, q, k));
            fmpq_sub(x, x, u);
            fmpq_mul(y, s, fmpq_mat_entry(Q, p, k));
            fmpq_mul(u, c, fmpq_mat_entry(Q, q, k));
            fmpq_add(y, y, u);
            fmpq_set(fmpq_mat_entry(Q, p, k), x);
            fmpq_set(fmpq_mat_entry(Q, q, k), y);
        }
    }
    fmpq_mat_zero(D);
    arf_t t;
    arf_init(t);
    for (size_t k = 0; k < n; k++) {
        arf_set_d(t, d[k]);
        arf_get_fmpq(fmpq_mat_entry(D, k, k), t);
    }
    arf_clear(t);
    fmpq_mat_mul(T, Q, D);
    fmpq_mat_transpose(D, Q);
    fmpq_mat_mul(M, T, D);
    double *A = malloc(n * n * sizeof(double));
    arb_t z;
    arb_init(z);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            arb_set_fmpq(z, fmpq_mat_entry(M, i, j), 200);
            A[i * n + j] = arf_get_d(arb_midref(z), ARF_RND_NEAR);
        }
    arb_clear(z);
    fmpq_mat_clear(Q), fmpq_mat_clear(D), fmpq_mat_clear(T), fmpq_mat_clear(M);
    fmpq_clear(c), fmpq_clear(s), fmpq_clear(x), fmpq_clear(y), fmpq_clear(u);
    return A;
}

/* K = G Gᵀ / P with G Gaussian n × P, evaluated in one fixed order and mirrored */
static double *kernel(size_t n, size_t P, flint_rand_t st)
{
    double *G = malloc(n * P * sizeof(double)), *A = malloc(n * n * sizeof(double));
    for (size_t k = 0; k < n * P; k++)
        G[k] = gauss(st);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 0.0;
            for (size_t k = 0; k < P; k++)
                s += G[i * P + k] * G[j * P + k];
            A[i * n + j] = A[j * n + i] = s / (double)P;
        }
    free(G);
    return A;
}

static double *goe(size_t n, flint_rand_t st)
{
    double *A = malloc(n * n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            A[i * n + j] = A[j * n + i] = gauss(st);
    return A;
}

/* symmetric banded integer matrix: bandwidth 1..4, entries in [−4, 4], the
 * diagonal shifted so that both definite and indefinite cases occur; with
 * repeat > 1 the same block is repeated (every eigenvalue has that multiplicity) */
static double *banded(size_t n, size_t repeat, flint_rand_t st)
{
    size_t m = n / repeat, b = 1 + n_randint(st, 4);
    slong shift = (slong)n_randint(st, 26) - 5;
    double *A = calloc(n * n, sizeof(double));
    double *T = calloc(m * m, sizeof(double));
    for (size_t i = 0; i < m; i++)
        for (size_t j = i >= b ? i - b : 0; j <= i; j++)
            T[i * m + j] = T[j * m + i] = (double)((slong)n_randint(st, 9) - 4) + (i == j ? (double)shift : 0.0);
    for (size_t r = 0; r < repeat; r++)
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < m; j++)
                A[(r * m + i) * n + r * m + j] = T[i * m + j];
    for (size_t i = repeat * m; i < n; i++) /* leftover rows: a large diagonal */
        A[i * n + i] = 50.0;
    free(T);
    return A;
}

static void to_arb(arb_mat_t B, const double *A, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            arb_set_d(arb_mat_entry(B, i, j), A[i * n + j]);
}

static double maxabs_eig(const double lmin[2], const double lmax[2])
{
    return fmax(fabs(lmin[0]), fabs(lmax[1]));
}

enum { M_TRIDIAG, M_HILBERT, M_PASCAL, M_QDQ, M_KERNEL, M_GOE, M_COUNT };
static const char *const mname[] = {"tridiag", "hilbert", "pascal", "qdq", "kernel", "goe"};

/* A corpus matrix of kind `kind`, size drawn in range for exact checks. */
static double *corpus(int kind, size_t *n, flint_rand_t st)
{
    switch (kind) {
    case M_TRIDIAG:
        *n = 2 + n_randint(st, 60);
        return tridiag(*n);
    case M_HILBERT:
        *n = 2 + n_randint(st, 11);
        return hilbert_scaled(*n);
    case M_PASCAL:
        *n = 2 + n_randint(st, 14);
        return pascal(*n);
    case M_QDQ: {
        *n = 2 + n_randint(st, 14);
        double d[16];
        double span = pow(10.0, (double)n_randint(st, 7)); /* κ up to 1e6 */
        for (size_t k = 0; k < *n; k++)
            d[k] = (1.0 + uniform(st) * (span - 1.0)) * (n_randint(st, 4) == 0 ? -1.0 : 1.0);
        return qdq(*n, d, st);
    }
    case M_KERNEL:
        *n = 2 + n_randint(st, 40);
        return kernel(*n, 2 * *n, st);
    default:
        *n = 1 + n_randint(st, 40);
        return goe(*n, st);
    }
}

/* ------------------------------------------------------------------------ */
/* The oracle itself                                                         */

/* Two implementations of the exact test agree with each other and with the
 * spectrum where LAPACK is unambiguous (far from any eigenvalue). */
Test(eig, exact_oracle_self_check)
{
    flint_rand_t st;
    rand_init(st);
    for (int iter = 0; iter < 60; iter++) {
        int kind = iter % M_COUNT;
        size_t n;
        double *A = corpus(kind, &n, st);
        double a, b;
        cr_assert_eq(plstar_fast_eig_lapack(&a, &b, A, n), PLSTAR_OK);
        double gap = 1e-6 * fmax(fabs(a), fabs(b)) + 1e-300;
        arf_t m;
        arf_init(m);
        const double mus[] = {a - gap, a + gap, b - gap, b + gap, 0.5 * (a + b)};
        for (int k = 0; k < 5; k++) {
            arf_set_d(m, mus[k]);
            int pd = exact_pd(A, NULL, n, 1, m);
            cr_assert_eq(pd, exact_definite(A, NULL, n, 1, m, 1), "%s: the two exact tests disagree", mname[kind]);
            if (k == 0)
                cr_assert(pd && exact_psd(A, NULL, n, 1, m));
            if (k == 1 || k == 3 || (k == 2 && a < b - 2 * gap) || (k == 4 && a < b - 4 * gap))
                cr_assert(!pd && !exact_psd(A, NULL, n, 1, m), "%s: k = %d", mname[kind], k);
        }
        arf_set_d(m, b + gap); /* b + gap > λ_max: −A + m·I ≻ 0 */
        arf_neg(m, m);
        cr_assert(exact_pd(A, NULL, n, -1, m));
        arf_clear(m);
        free(A);
    }
    /* singular but semidefinite: the all-ones matrix has λ_min = 0 (n ≥ 2) */
    double J[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    arf_t z;
    arf_init(z);
    cr_assert(!exact_pd(J, NULL, 3, 1, z) && exact_psd(J, NULL, 3, 1, z));
    arf_set_si(z, 3);
    arf_neg(z, z);
    cr_assert(!exact_pd(J, NULL, 3, -1, z) && exact_psd(J, NULL, 3, -1, z)); /* λ_max = 3 */
    arf_clear(z);
    flint_randclear(st);
}

/* ------------------------------------------------------------------------ */
/* Soundness                                                                 */

Test(eig, fast_bounds_are_sound_on_the_corpus)
{
    flint_rand_t st;
    rand_init(st);
    for (int iter = 0; iter < 300; iter++) {
        int kind = iter % M_COUNT;
        size_t n;
        double *A = corpus(kind, &n, st);
        double lmin[2], lmax[2], lo;
        int s = plstar_verified_eig_bounds(lmin, lmax, A, n, 0.0);
        cr_assert(s == PLSTAR_OK || s == PLSTAR_INCONCLUSIVE, "%s: status %d (%s)", mname[kind], s, plstar_errmsg());
        cr_assert(lmin[0] <= lmin[1] && lmax[0] <= lmax[1]);
        check_lmin_d(A, NULL, n, lmin[0], lmin[1], mname[kind]);
        check_lmax_d(A, NULL, n, lmax[0], lmax[1], mname[kind]);
        s = plstar_verified_lambda_min(&lo, A, n, 0.0, NAN);
        cr_assert(s == PLSTAR_OK || s == PLSTAR_INCONCLUSIVE);
        check_lmin_d(A, NULL, n, lo, INFINITY, mname[kind]);
        /* LAPACK (uncertified) agrees to rounding level */
        double a, b;
        cr_assert_eq(plstar_fast_eig_lapack(&a, &b, A, n), PLSTAR_OK);
        double tol = 1e-13 * (double)n * maxabs_eig(lmin, lmax);
        cr_assert(a >= lmin[0] - tol && a <= lmin[1] + tol && b >= lmax[0] - tol && b <= lmax[1] + tol,
                  "%s: LAPACK %g %g outside [%g, %g] [%g, %g]", mname[kind], a, b, lmin[0], lmin[1], lmax[0], lmax[1]);
        free(A);
    }
    flint_randclear(st);
}

/* Orders above the LAPACK-estimate threshold take the Lanczos path; banded
 * integer matrices keep the exact check cheap there. Repeated blocks give
 * eigenvalues of multiplicity 2 and 3. */
Test(eig, fast_bounds_are_sound_on_large_banded_matrices)
{
    flint_rand_t st;
    rand_init(st);
    for (int iter = 0; iter < 24; iter++) {
        size_t n = 120 + n_randint(st, 300), rep = 1 + (iter % 3);
        double *A = banded(n, rep, st);
        if (iter % 4 == 3) /* small scale, zero diagonal: margins must follow the entries */
            for (size_t k = 0; k < n * n; k++)
                A[k] = k / n == k % n ? 0.0 : ldexp(A[k], -70);
        double lmin[2], lmax[2], lo;
        int s = plstar_verified_eig_bounds(lmin, lmax, A, n, 0.0);
        cr_assert_eq(s, PLSTAR_OK, "banded n=%zu: status %d (%s)", n, s, plstar_errmsg());
        check_lmin_d(A, NULL, n, lmin[0], lmin[1], "banded");
        check_lmax_d(A, NULL, n, lmax[0], lmax[1], "banded");
        double nrm = maxabs_eig(lmin, lmax);
        cr_assert(lmin[1] - lmin[0] <= 1e-10 * nrm && lmax[1] - lmax[0] <= 1e-10 * nrm,
                  "banded n=%zu: widths %g %g", n, lmin[1] - lmin[0], lmax[1] - lmax[0]);
        cr_assert_eq(plstar_verified_lambda_min(&lo, A, n, 0.0, NAN), PLSTAR_OK);
        check_lmin_d(A, NULL, n, lo, INFINITY, "banded");
        /* thresholds just above the certified upper end are never claimed */
        double m = nextafter(lmin[1], INFINITY);
        cr_assert(!plstar_verified_spd_shift_check(A, n, 0.0, m) || exact_pd_d(A, NULL, n, 1, m));
        free(A);
    }
    flint_randclear(st);
}

Test(eig, reference_bounds_are_sound_on_the_corpus)
{
    flint_rand_t st;
    rand_init(st);
    for (int iter = 0; iter < 120; iter++) {
        int kind = iter % M_COUNT;
        size_t n;
        double *A = corpus(kind, &n, st);
        slong prec = 32 + (slong)n_randint(st, 300);
        arb_mat_t B;
        arb_t a, b, nrm;
        arb_mat_init(B, n, n);
        arb_init(a), arb_init(b), arb_init(nrm);
        to_arb(B, A, n);
        int s = plstar_ref_eig_bounds(a, b, B, prec);
        cr_assert_eq(s, PLSTAR_OK, "%s: status %d (%s)", mname[kind], s, plstar_errmsg());
        plstar_check_ball(A, NULL, n, a, 0, mname[kind]);
        plstar_check_ball(A, NULL, n, b, 1, mname[kind]);
        /* ‖A‖₂ ≤ upper end: u·I ± A ≻ 0 */
        cr_assert_eq(plstar_ref_norm2_sym_upper(nrm, B, prec), PLSTAR_OK);
        arf_t u;
        arf_init(u);
        arb_get_ubound_arf(u, nrm, 1000);
        arf_neg(u, u);
        cr_assert(exact_psd(A, NULL, n, 1, u) && exact_psd(A, NULL, n, -1, u), "%s: norm bound", mname[kind]);
        arf_clear(u);
        arb_mat_clear(B);
        arb_clear(a), arb_clear(b), arb_clear(nrm);
        free(A);
    }
    flint_randclear(st);
}

Test(eig, tridiagonal_closed_form)
{
    flint_rand_t st;
    rand_init(st);
    for (int iter = 0; iter < 12; iter++) {
        size_t n = 2 + n_randint(st, iter < 6 ? 60 : 400);
        double *A = tridiag(n);
        /* λ_min = 2 − 2cos(π/(n+1)), λ_max = 2 + 2cos(π/(n+1)) */
        arb_t c, tmin, tmax, a, b;
        fmpq_t q;
        arb_init(c), arb_init(tmin), arb_init(tmax), arb_init(a), arb_init(b);
        fmpq_init(q);
        fmpq_set_si(q, 1, n + 1);
        arb_cos_pi_fmpq(c, q, 400);
        arb_mul_2exp_si(c, c, 1);
        arb_set_si(tmin, 2);
        arb_sub(tmin, tmin, c, 400);
        arb_set_si(tmax, 2);
        arb_add(tmax, tmax, c, 400);

        double lmin[2], lmax[2];
        cr_assert_eq(plstar_verified_eig_bounds(lmin, lmax, A, n, 0.0), PLSTAR_OK);
        arb_set_d(a, lmin[0]);
        arb_set_d(b, lmin[1]);
        cr_assert(arb_lt(a, tmin) && arb_gt(b, tmin), "fast λ_min misses the closed form, n = %zu", n);
        arb_set_d(a, lmax[0]);
        arb_set_d(b, lmax[1]);
        cr_assert(arb_lt(a, tmax) && arb_gt(b, tmax), "fast λ_max misses the closed form, n = %zu", n);
        cr_assert(lmin[1] - lmin[0] <= 1e-10 * 4.0 && lmax[1] - lmax[0] <= 1e-10 * 4.0);

        if (n <= 120) {
            arb_mat_t B;
            arb_mat_init(B, n, n);
            to_arb(B, A, n);
            cr_assert_eq(plstar_ref_eig_bounds(a, b, B, 256), PLSTAR_OK);
            cr_assert(arb_contains(a, tmin) && arb_contains(b, tmax), "reference misses the closed form, n = %zu", n);
            /* well conditioned for n ≤ 120 (κ < 6e3): width ≤ 1e-20·‖A‖ */
            cr_assert(mag_cmp_2exp_si(arb_radref(a), -70) < 0 && mag_cmp_2exp_si(arb_radref(b), -70) < 0);
            arb_mat_clear(B);
        }
        arb_clear(c), arb_clear(tmin), arb_clear(tmax), arb_clear(a), arb_clear(b);
        fmpq_clear(q);
        free(A);
    }
    flint_randclear(st);
}

/* ------------------------------------------------------------------------ */
/* Thresholds: μ within 1e-12 (relative) of the true λ_min                   */

/*
 * λ* is enclosed by the reference at 512 bits and the enclosure is itself
 * verified exactly; every μ is then classified by the exact test. A verdict
 * "λ_min ≥ μ" for a μ above λ_min must never happen.
 */
Test(eig, thresholds_near_lambda_min_are_never_misjudged)
{
    flint_rand_t st;
    rand_init(st);
    for (int iter = 0; iter < 96; iter++) {
        int kind = iter % M_COUNT;
        size_t n;
        double *A = corpus(kind, &n, st);
        arb_mat_t B;
        arb_t a, b, mu;
        arb_mat_init(B, n, n);
        arb_init(a), arb_init(b), arb_init(mu);
        to_arb(B, A, n);
        cr_assert_eq(plstar_ref_eig_bounds(a, b, B, 512), PLSTAR_OK);
        plstar_check_ball(A, NULL, n, a, 0, "λ* at 512 bits");
        double lam = arf_get_d(arb_midref(a), ARF_RND_NEAR);
        double scale = fmax(fabs(lam), 1e-300);
        const double rel[] = {1e-12, 1e-14, 1e-16, 0.0};
        for (int k = 0; k < 4; k++) {
            for (int side = -1; side <= 1; side += 2) {
                double m = lam + side * rel[k] * scale;
                if (rel[k] == 0.0)
                    m = nextafter(lam, side > 0 ? INFINITY : -INFINITY);
                int truth = exact_pd_d(A, NULL, n, 1, m); /* λ_min > m */
                if (side > 0 && rel[k] >= 1e-14)
                    cr_assert(!truth, "%s: expected λ_min < μ", mname[kind]);
                if (side < 0 && rel[k] >= 1e-14)
                    cr_assert(truth, "%s: expected λ_min > μ", mname[kind]);

                /* fast: a claim must be true */
                int f = plstar_verified_spd_shift_check(A, n, 0.0, m);
                cr_assert(!f || truth, "%s n=%zu: plstar_verified_spd_shift_check claims λ_min > %.17g, false", mname[kind], n, m);
                double lo;
                int s = plstar_verified_lambda_min(&lo, A, n, 0.0, m);
                cr_assert(s == PLSTAR_OK || s == PLSTAR_INCONCLUSIVE);
                cr_assert(!(lo >= m) || truth, "%s n=%zu: plstar_verified_lambda_min claims %.17g >= μ = %.17g, false",
                          mname[kind], n, lo, m);
                check_lmin_d(A, NULL, n, lo, INFINITY, mname[kind]);

                /* reference: a claim must be true; 1e-12 below must be certified at 128 bits */
                arb_set_d(mu, m);
                int r = plstar_ref_spd_shift_check(B, mu, 128);
                cr_assert(!r || truth, "%s n=%zu: plstar_ref_spd_shift_check claims λ_min > %.17g, false", mname[kind], n, m);
                if (side < 0 && rel[k] == 1e-12)
                    cr_assert(r, "%s n=%zu: reference inconclusive 1e-12 below λ_min", mname[kind], n);
            }
        }
        /* far below the threshold the fast path certifies well-conditioned matrices */
        if (kind == M_KERNEL || kind == M_TRIDIAG) {
            double m = lam - 1e-9 * fmax(fabs(arf_get_d(arb_midref(b), ARF_RND_NEAR)), 1.0);
            cr_assert(plstar_verified_spd_shift_check(A, n, 0.0, m), "%s: fast inconclusive far below λ_min", mname[kind]);
            double lo;
            cr_assert_eq(plstar_verified_lambda_min(&lo, A, n, 0.0, m), PLSTAR_OK);
            cr_assert_eq(lo, m, "a certified hint is returned as it is");
        }
        arb_mat_clear(B);
        arb_clear(a), arb_clear(b), arb_clear(mu);
        free(A);
    }
    flint_randclear(st);
}

/* ------------------------------------------------------------------------ */
/* Widths                                                                    */

Test(eig, fast_widths_on_random_kernels)
{
    flint_rand_t st;
    rand_init(st);
    for (int iter = 0; iter < 10; iter++) {
        size_t n = 20 + n_randint(st, iter < 7 ? 200 : 600);
        double *A = kernel(n, 2 * n, st);
        double lmin[2], lmax[2], lo;
        cr_assert_eq(plstar_verified_eig_bounds(lmin, lmax, A, n, 0.0), PLSTAR_OK);
        double nrm = lmax[1];
        cr_assert(lmin[1] - lmin[0] <= 1e-10 * nrm, "n = %zu: λ_min width %.3g > 1e-10·‖A‖", n, lmin[1] - lmin[0]);
        cr_assert(lmax[1] - lmax[0] <= 1e-10 * nrm, "n = %zu: λ_max width %.3g > 1e-10·‖A‖", n, lmax[1] - lmax[0]);
        cr_assert_eq(plstar_verified_lambda_min(&lo, A, n, 0.0, NAN), PLSTAR_OK);
        cr_assert(lo <= lmin[1] && lmin[1] - lo <= 1e-10 * nrm);
        if (n <= 60) {
            check_lmin_d(A, NULL, n, lmin[0], lmin[1], "kernel");
            check_lmax_d(A, NULL, n, lmax[0], lmax[1], "kernel");
        }
        free(A);
    }
    flint_randclear(st);
}

Test(eig, reference_widths_and_tightening)
{
    flint_rand_t st;
    rand_init(st);
    for (int iter = 0; iter < 12; iter++) {
        size_t n;
        double *A;
        if (iter % 3 == 0) {
            n = 3 + n_randint(st, 60);
            A = kernel(n, 2 * n, st);
        } else if (iter % 3 == 1) {
            n = 2 + n_randint(st, 14);
            double d[16];
            for (size_t k = 0; k < n; k++)
                d[k] = 1.0 + 9.0 * uniform(st);
            A = qdq(n, d, st);
        } else {
            n = 2 + n_randint(st, 60);
            A = tridiag(n);
        }
        arb_mat_t B;
        arb_t a1, b1, a2, b2, w;
        arb_mat_init(B, n, n);
        arb_init(a1), arb_init(b1), arb_init(a2), arb_init(b2), arb_init(w);
        to_arb(B, A, n);
        cr_assert_eq(plstar_ref_eig_bounds(a1, b1, B, 128), PLSTAR_OK);
        cr_assert_eq(plstar_ref_eig_bounds(a2, b2, B, 256), PLSTAR_OK);
        double nrm = arf_get_d(arb_midref(b2), ARF_RND_UP);
        /* width = 2·radius ≤ 1e-20·‖A‖ at 256 bits */
        cr_assert(2.0 * mag_get_d(arb_radref(a2)) <= 1e-20 * nrm, "n = %zu: λ_min width %.3g", n,
                  2.0 * mag_get_d(arb_radref(a2)));
        cr_assert(2.0 * mag_get_d(arb_radref(b2)) <= 1e-20 * nrm, "n = %zu: λ_max width %.3g", n,
                  2.0 * mag_get_d(arb_radref(b2)));
        /* more precision, tighter (unless already exact) */
        cr_assert(mag_is_zero(arb_radref(a1)) || mag_cmp(arb_radref(a2), arb_radref(a1)) < 0);
        cr_assert(mag_is_zero(arb_radref(b1)) || mag_cmp(arb_radref(b2), arb_radref(b1)) < 0);
        cr_assert(arb_overlaps(a1, a2) && arb_overlaps(b1, b2));
        /* the fast intervals contain the reference enclosures */
        double lmin[2], lmax[2];
        cr_assert_eq(plstar_verified_eig_bounds(lmin, lmax, A, n, 0.0), PLSTAR_OK);
        arf_t lo, hi;
        arf_init(lo), arf_init(hi);
        arf_set_d(lo, lmin[0]), arf_set_d(hi, lmin[1]);
        arb_set_interval_arf(w, lo, hi, 64);
        cr_assert(arb_contains(w, a2), "fast λ_min interval does not contain the reference enclosure");
        arf_set_d(lo, lmax[0]), arf_set_d(hi, lmax[1]);
        arb_set_interval_arf(w, lo, hi, 64);
        cr_assert(arb_contains(w, b2), "fast λ_max interval does not contain the reference enclosure");
        arf_clear(lo), arf_clear(hi);
        arb_mat_clear(B);
        arb_clear(a1), arb_clear(b1), arb_clear(a2), arb_clear(b2), arb_clear(w);
        free(A);
    }
    flint_randclear(st);
}

/* ------------------------------------------------------------------------ */
/* Matrices with radii: every symmetric member                               */

/* E = r·s sᵀ with s ∈ {±1}ⁿ (‖E‖₂ = n·r, the Weyl extreme), or entrywise random
 * signs; exact dyadic entries with |E_ij| ≤ r. */
static void perturbation(arf_struct *E, size_t n, double r, int mode, const double *v, flint_rand_t st)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double sgn;
            if (mode == 0)
                sgn = ((v[i] >= 0) == (v[j] >= 0)) ? 1.0 : -1.0;
            else if (mode == 1)
                sgn = ((v[i] >= 0) == (v[j] >= 0)) ? -1.0 : 1.0;
            else
                sgn = n_randint(st, 2) ? 1.0 : -1.0;
            arf_set_d(E + i * n + j, sgn * r);
            arf_set(E + j * n + i, E + i * n + j);
        }
}

Test(eig, radii_cover_every_member)
{
    flint_rand_t st;
    rand_init(st);
    int proven = 0;
    for (int iter = 0; iter < 30; iter++) {
        size_t n = 2 + n_randint(st, 30);
        double *A = iter % 2 ? kernel(n, 2 * n, st) : goe(n, st);
        double r = ldexp(1.0, -(int)(10 + n_randint(st, 30)));
        double lmin[2], lmax[2], lo;
        cr_assert_eq(plstar_verified_eig_bounds(lmin, lmax, A, n, r), PLSTAR_OK);
        cr_assert_eq(plstar_verified_lambda_min(&lo, A, n, r, NAN), PLSTAR_OK);
        arb_mat_t B;
        arb_t a, b;
        arb_mat_init(B, n, n);
        arb_init(a), arb_init(b);
        to_arb(B, A, n);
        for (size_t k = 0; k < n * n; k++)
            mag_set_d(arb_radref(B->entries + k), r);
        cr_assert_eq(plstar_ref_eig_bounds(a, b, B, 128), PLSTAR_OK);
        /* approximate extreme eigenvectors give the adversarial sign patterns */
        double *v = malloc(n * sizeof(double));
        arf_struct *E = flint_malloc(n * n * sizeof(arf_struct));
        for (size_t k = 0; k < n * n; k++)
            arf_init(E + k);
        /* the threshold check just below the reference's λ_min enclosure: when
         * it proves X − μI ≻ 0 for the ball, every member must be */
        arf_t lb;
        arf_init(lb);
        arb_get_lbound_arf(lb, a, 64);
        double mu_d = arf_get_d(lb, ARF_RND_FLOOR);
        mu_d -= ldexp(fabs(mu_d) + 1.0, -30);
        arf_clear(lb);
        arb_t mu;
        arb_init(mu);
        arb_set_d(mu, mu_d);
        int ref_pd = plstar_ref_spd_shift_check(B, mu, 128);
        proven += ref_pd;
        arb_clear(mu);
        for (int mode = 0; mode < 3; mode++) {
            for (size_t i = 0; i < n; i++)
                v[i] = n_randint(st, 2) ? 1.0 : -1.0;
            perturbation(E, n, r, mode, v, st);
            check_lmin_d(A, E, n, lmin[0], -INFINITY, "fast with radii");
            check_lmax_d(A, E, n, INFINITY, lmax[1], "fast with radii");
            check_lmin_d(A, E, n, lo, INFINITY, "fast λ_min with radii");
            plstar_check_ball(A, E, n, a, 0, "reference with radii (λ_min)");
            plstar_check_ball(A, E, n, b, 1, "reference with radii (λ_max)");
            cr_assert(!ref_pd || exact_pd_d(A, E, n, 1, mu_d),
                      "plstar_ref_spd_shift_check with radii: X − %.17g·I ≻ 0 is false for a member (n = %zu)", mu_d, n);
        }
        for (size_t k = 0; k < n * n; k++)
            arf_clear(E + k);
        flint_free(E);
        free(v);
        arb_mat_clear(B);
        arb_clear(a), arb_clear(b);
        free(A);
    }
    cr_assert(proven > 0, "the reference proved no threshold: the check above tested nothing");
    flint_randclear(st);
}

/* ------------------------------------------------------------------------ */
/* Special matrices, scaling, arguments                                      */

Test(eig, special_and_badly_scaled_matrices)
{
    flint_rand_t st;
    rand_init(st);
    for (int iter = 0; iter < 96; iter++) {
        size_t n = 1 + n_randint(st, 24);
        double *A = calloc(n * n, sizeof(double));
        int kind = iter % 8;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j <= i; j++) {
                double x = 0.0;
                switch (kind) {
                case 0: /* zero */
                    break;
                case 1: /* identity */
                    x = i == j;
                    break;
                case 2: /* diagonal with exact, repeated eigenvalues */
                    x = i == j ? (double)(1 + (i % 3)) : 0.0;
                    break;
                case 3: /* negative definite */
                    x = i == j ? -2.0 - (double)n : 0.5;
                    break;
                case 4: /* rank one: all ones */
                    x = 1.0;
                    break;
                default: /* Gaussian, scaled far from 1 */
                    x = gauss(st);
                }
                A[i * n + j] = A[j * n + i] = x;
            }
        if (kind >= 5) {
            int e = kind == 5 ? -1060 : kind == 6 ? -700 : 900;
            for (size_t k = 0; k < n * n; k++)
                A[k] = ldexp(A[k], e);
        }
        double lmin[2], lmax[2], lo;
        int s = plstar_verified_eig_bounds(lmin, lmax, A, n, 0.0);
        cr_assert(s == PLSTAR_OK || s == PLSTAR_INCONCLUSIVE, "kind %d: %d %s", kind, s, plstar_errmsg());
        check_lmin_d(A, NULL, n, lmin[0], lmin[1], "special");
        check_lmax_d(A, NULL, n, lmax[0], lmax[1], "special");
        cr_assert(plstar_verified_lambda_min(&lo, A, n, 0.0, NAN) <= PLSTAR_INCONCLUSIVE);
        check_lmin_d(A, NULL, n, lo, INFINITY, "special");
        if (kind == 0)
            cr_assert(lmin[0] == 0.0 && lmin[1] == 0.0 && lmax[0] == 0.0 && lmax[1] == 0.0, "zero matrix is exact");
        if (kind >= 1 && kind <= 4 && n > 1)
            cr_assert(lmin[1] - lmin[0] <= 1e-12 * fmax(fabs(lmax[1]), 1.0), "kind %d: width %g", kind, lmin[1] - lmin[0]);
        if (kind == 5 || kind == 6) /* scaled far down: tight up to the subnormal spacing */
            cr_assert(lmax[1] - lmax[0] <= 1e-8 * fmax(fabs(lmax[1]), fabs(lmin[0])) + 0x1p-1068, "kind %d", kind);

        arb_mat_t B;
        arb_t a, b;
        arb_mat_init(B, n, n);
        arb_init(a), arb_init(b);
        to_arb(B, A, n);
        cr_assert_eq(plstar_ref_eig_bounds(a, b, B, 96), PLSTAR_OK);
        plstar_check_ball(A, NULL, n, a, 0, "special reference");
        plstar_check_ball(A, NULL, n, b, 1, "special reference");
        if (kind == 0)
            cr_assert(arb_is_zero(a) && arb_is_zero(b), "zero matrix is exact");
        arb_mat_clear(B);
        arb_clear(a), arb_clear(b);
        free(A);
    }
    flint_randclear(st);
}

Test(eig, argument_and_data_errors)
{
    double A[4] = {1.0, 0.0, 0.0, 1.0}, lmin[2], lmax[2], lo, x, y;
    cr_assert_eq(plstar_verified_eig_bounds(lmin, lmax, NULL, 2, 0.0), PLSTAR_EUSAGE);
    cr_assert_eq(plstar_verified_eig_bounds(lmin, lmax, A, 0, 0.0), PLSTAR_EUSAGE);
    cr_assert_eq(plstar_verified_eig_bounds(lmin, lmax, A, 2, -1.0), PLSTAR_EUSAGE);
    cr_assert_eq(plstar_verified_eig_bounds(lmin, lmax, A, 2, NAN), PLSTAR_EUSAGE);
    cr_assert_eq(plstar_verified_lambda_min(NULL, A, 2, 0.0, NAN), PLSTAR_EUSAGE);
    cr_assert_eq(plstar_fast_eig_lapack(&x, &y, A, 0), PLSTAR_EUSAGE);
    A[2] = NAN; /* lower triangle */
    cr_assert_eq(plstar_verified_eig_bounds(lmin, lmax, A, 2, 0.0), PLSTAR_EDATA);
    cr_assert_eq(plstar_verified_lambda_min(&lo, A, 2, 0.0, NAN), PLSTAR_EDATA);
    cr_assert_eq(plstar_fast_eig_lapack(&x, &y, A, 2), PLSTAR_EDATA);
    cr_assert_eq(plstar_verified_spd_shift_check(A, 2, 0.0, -1.0), 0);
    A[2] = INFINITY;
    cr_assert_eq(plstar_verified_lambda_min(&lo, A, 2, 0.0, NAN), PLSTAR_EDATA);
    A[2] = 0.0;
    cr_assert_eq(plstar_verified_spd_shift_check(A, 2, 0.0, INFINITY), 0);
    cr_assert_eq(plstar_verified_spd_shift_check(A, 2, 0.0, 0.5), 1);
    cr_assert_eq(plstar_verified_spd_shift_check(A, 2, 0.0, 1.0), 0);

    arb_mat_t R, Z;
    arb_t a, b, mu;
    arb_mat_init(R, 2, 3);
    arb_mat_init(Z, 0, 0);
    arb_init(a), arb_init(b), arb_init(mu);
    cr_assert_eq(plstar_ref_eig_bounds(a, b, R, 128), PLSTAR_EUSAGE);
    cr_assert_eq(plstar_ref_eig_bounds(a, b, Z, 128), PLSTAR_EUSAGE);
    cr_assert_eq(plstar_ref_spd_shift_check(R, mu, 128), 0);
    arb_mat_clear(R);
    arb_mat_init(R, 2, 2);
    arb_mat_one(R);
    cr_assert_eq(plstar_ref_eig_bounds(a, b, R, 4), PLSTAR_EUSAGE);
    arb_indeterminate(arb_mat_entry(R, 1, 0));
    cr_assert_eq(plstar_ref_eig_bounds(a, b, R, 128), PLSTAR_EDATA);
    cr_assert_eq(plstar_ref_spd_shift_check(R, mu, 128), 0);
    arb_mat_clear(R), arb_mat_clear(Z);
    arb_clear(a), arb_clear(b), arb_clear(mu);
}

/* ------------------------------------------------------------------------ */
/* The command: one exit status and one report shape for both implementations */

static char cli_dir[64];

static void cli_setup(void)
{
    cr_assert(getenv("PLSTAR_EXE"), "PLSTAR_EXE must point at the plstar executable (set by meson test)");
    strcpy(cli_dir, "/tmp/plstar-eig-XXXXXX");
    cr_assert(mkdtemp(cli_dir));
}

static void cli_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", cli_dir);
    cr_assert_eq(system(cmd), 0);
}

static int eig_cli(const char *matrix, const char *impl, const char *json)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd %s && '%s' eig --matrix %s --impl %s --json %s > out.txt 2> err.txt", cli_dir,
             getenv("PLSTAR_EXE"), matrix, impl, json);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_square(const char *name, const double *a, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", cli_dir, name);
    cr_assert_eq(plstar_npy_write_matrix(path, a, n, n), PLSTAR_OK);
}

static json_t *load_json(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", cli_dir, name);
    json_error_t e;
    json_t *r = json_load_file(path, 0, &e);
    cr_assert(r, "%s: %s", name, e.text);
    return r;
}

/* {"lower", "upper"} both finite numbers, lower ≤ x ≤ upper. */
static void assert_encloses(const json_t *b, double x, const char *what)
{
    json_t *lo = json_object_get(b, "lower"), *hi = json_object_get(b, "upper");
    cr_assert(json_is_real(lo) && json_is_real(hi), "%s: a two-sided enclosure", what);
    cr_assert(json_real_value(lo) <= x && x <= json_real_value(hi), "%s: [%g, %g] contains %g", what,
              json_real_value(lo), json_real_value(hi), x);
}

/* The side that exists only; no null standing for the missing one. */
static void assert_one_sided(const json_t *b, const char *side, const char *missing, const char *what)
{
    cr_assert(json_is_real(json_object_get(b, side)), "%s: has \"%s\"", what, side);
    cr_assert(!json_object_get(b, missing), "%s: no \"%s\" key for an unbounded side", what, missing);
}

TestSuite(eig_cli, .init = cli_setup, .fini = cli_teardown);

static const char *const IMPLS[2] = {"fast", "reference"};

/* docs/eig.md: exit 2 when some bound is ±∞. λ_max(ones·1e308) = 2e308 has no
 * double upper bound; the reference's Arb ball is finite and exited 0. */
Test(eig_cli, unbounded_side_exits_2_on_both_implementations)
{
    const double big = 1e308, up[4] = {big, big, big, big}, down[4] = {-big, -big, -big, -big};
    write_square("up.npy", up, 2);
    write_square("down.npy", down, 2);
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(eig_cli("up.npy", IMPLS[k], "up.json"), 2, "%s: λ_max ≤ ∞ only", IMPLS[k]);
        json_t *r = load_json("up.json");
        cr_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "inconclusive", "%s", IMPLS[k]);
        cr_assert_str_eq(json_string_value(json_object_get(r, "scope")), REPORT_SCOPE_MATRIX, "%s", IMPLS[k]);
        json_t *why = json_object_get(r, "reason");
        cr_assert(json_string_length(json_object_get(why, "inequality")) > 0, "%s: a reason", IMPLS[k]);
        cr_assert(json_string_length(json_object_get(why, "decide")) > 0, "%s: what would decide", IMPLS[k]);
        json_t *q = json_object_get(r, "quantities");
        assert_one_sided(json_object_get(q, "lambda_max"), "lower", "upper", IMPLS[k]);
        assert_encloses(json_object_get(q, "lambda_min"), 0.0, IMPLS[k]);
        cr_assert(json_object_get(json_object_get(q, "kappa"), "reason"), "%s: κ absent, with why", IMPLS[k]);
        json_decref(r);

        cr_assert_eq(eig_cli("down.npy", IMPLS[k], "down.json"), 2, "%s: λ_min ≥ −∞ only", IMPLS[k]);
        r = load_json("down.json");
        q = json_object_get(r, "quantities");
        assert_one_sided(json_object_get(q, "lambda_min"), "upper", "lower", IMPLS[k]);
        assert_encloses(json_object_get(q, "lambda_max"), 0.0, IMPLS[k]);
        json_decref(r);
    }
}

/* Finite bounds: exit 0, certified, scope, no reason — on both implementations. */
Test(eig_cli, finite_bounds_are_certified_on_both_implementations)
{
    const double a[4] = {1, 2, 2, 1}; /* eigenvalues −1 and 3 */
    write_square("a.npy", a, 2);
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(eig_cli("a.npy", IMPLS[k], "a.json"), 0, "%s", IMPLS[k]);
        json_t *r = load_json("a.json");
        cr_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "certified");
        cr_assert_str_eq(json_string_value(json_object_get(r, "scope")), REPORT_SCOPE_MATRIX);
        cr_assert(!json_object_get(r, "reason"));
        json_t *q = json_object_get(r, "quantities");
        assert_encloses(json_object_get(q, "lambda_min"), -1.0, IMPLS[k]);
        assert_encloses(json_object_get(q, "lambda_max"), 3.0, IMPLS[k]);
        json_decref(r);
    }
}

/* --prec means nothing to the binary64 fast path: refused, not ignored. */
Test(eig_cli, prec_without_the_reference_is_refused)
{
    const double a[4] = {1, 2, 2, 1};
    write_square("a.npy", a, 2);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd %s && '%s' eig --matrix a.npy --prec 256 > out.txt 2> err.txt", cli_dir,
             getenv("PLSTAR_EXE"));
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 64);
}

/*
 * verified/eig.c — verified spectral bounds in double precision (see verified/eig.h
 * for the theorems).
 *
 * All bound arithmetic is done in round-to-nearest and pushed outwards with
 * nextafter (round_up/round_dn, verified/rounding.h): for any correctly rounded result r of an exact
 * value x, round_dn(r) ≤ x ≤ round_up(r). This needs no rounding-mode switch, so it is
 * immune to compilers moving code across fesetround and to BLAS threads that
 * do not share the caller's mode.
 */
#include "verified/eig.h"
#include "verified/rounding.h"
#include "core/error.h"

#include <cblas.h>
#include <lapacke.h>

#include <fenv.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

#if FLT_EVAL_METHOD != 0
#error "fast/eig.c needs binary64 evaluation of double expressions (FLT_EVAL_METHOD == 0)"
#endif

#define U_RND PLSTAR_U64
#define ETA 0x1p-1074   /* smallest positive subnormal */

/* Size below which a LAPACK eigenpair positions the shift; above it, Lanczos. */
#define SMALL_N 160
/* Lanczos steps on A before the first factorisation. */
#define K1 40
/* Largest number of shift-and-invert Lanczos steps. */
#define K2 60

/* ------------------------------------------------------------------------ */
/* The floating-point environment the bounds assume                         */

static int fp_env_check(void)
{
    if (fegetround() != FE_TONEAREST)
        return plstar_error(PLSTAR_ESOFTWARE,
                            "verified eigenvalue bounds need round-to-nearest (the rounding mode was changed)");
#if defined(__SSE2__)
    /* flush-to-zero (bit 15) or denormals-are-zero (bit 6) break the underflow model */
    if (_mm_getcsr() & ((1u << 15) | (1u << 6)))
        return plstar_error(PLSTAR_ESOFTWARE,
                            "verified eigenvalue bounds need gradual underflow (FTZ/DAZ is on)");
#endif
    return PLSTAR_OK;
}

/* ------------------------------------------------------------------------ */
/* Rump's constant                                                           */

/*
 * Upper bound c ≥ ρ(Δ) for Δ of Theorem 2.3 when the factored matrix has
 * diagonal entries ã_jj ≤ ud[j] (all ud[j] > 0); Δ is monotone in ã_jj.
 * Δ = Δ₁ + κ·11ᵀ with Δ₁_ij = γ_{min(i,j)+2} d_i d_j and κ = 4η(n+1+maxdiag), so
 * ρ(Δ) ≤ ρ(Δ₁) + nκ, and ρ(Δ₁) ≤ max_i (Δ₁v)_i / v_i for any v > 0
 * (Collatz–Wielandt). v comes from a few power steps; (Δ₁v)_i =
 * d_i (Σ_{j<i} γ_{j+2} d_j v_j + γ_{i+2} Σ_{j≥i} d_j v_j) costs O(n) with prefix
 * sums. For a flat diagonal this gives ≈ 0.41 n² u ā instead of n² u ā.
 * ws: 4n doubles. Returns +∞ when a bound is not finite.
 */
static double rump_c(const double *ud, size_t n, double *ws)
{
    double *d = ws, *g = ws + n, *v = ws + 2 * n, *s = ws + 3 * n;
    double maxdiag = 0.0;

    for (size_t j = 0; j < n; j++) {
        g[j] = gamma_up((double)j + 2.0, U_RND);
        double num = round_up(ud[j] + round_up(2.0 * (double)j * ETA));
        d[j] = round_up(sqrt(round_up(num / round_dn(1.0 - g[j]))));
        if (!(d[j] > 0.0) || !isfinite(d[j]))
            return INFINITY;
        if (ud[j] > maxdiag)
            maxdiag = ud[j];
    }

    /* power steps (plain rounding: v is only a test vector) */
    double dmax0 = 0.0;
    for (size_t j = 0; j < n; j++)
        dmax0 = fmax(dmax0, d[j]);
    for (size_t j = 0; j < n; j++)
        v[j] = d[j] / dmax0;
    for (int it = 0; it < 4; it++) {
        double acc = 0.0, vmax = 0.0;
        s[n - 1] = d[n - 1] * v[n - 1];
        for (size_t j = n - 1; j-- > 0;)
            s[j] = s[j + 1] + d[j] * v[j];
        for (size_t i = 0; i < n; i++) {
            double t = d[i] * (acc + g[i] * s[i]);
            acc += g[i] * d[i] * v[i];
            v[i] = t; /* v[i] is not used again in this sweep */
            if (t > vmax)
                vmax = t;
        }
        if (!(vmax > 0.0) || !isfinite(vmax))
            break;
        for (size_t i = 0; i < n; i++)
            v[i] /= vmax;
    }
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] > 0x1p-900) || !isfinite(v[i]))
            ok = 0;
    if (!ok) {
        double dmax = 0.0;
        for (size_t i = 0; i < n; i++)
            dmax = fmax(dmax, d[i]);
        for (size_t i = 0; i < n; i++)
            v[i] = d[i] / dmax; /* normalised: no tiny denominators below */
    }

    /* rigorous Collatz–Wielandt quotient, every operation rounded upwards */
    s[n - 1] = round_up(d[n - 1] * v[n - 1]);
    for (size_t j = n - 1; j-- > 0;)
        s[j] = round_up(s[j + 1] + round_up(d[j] * v[j]));
    double pre = 0.0, rho = 0.0;
    for (size_t i = 0; i < n; i++) {
        double row = round_up(d[i] * round_up(pre + round_up(g[i] * s[i])));
        double q = round_up(row / v[i]);
        if (!(q <= rho))
            rho = q; /* also propagates NaN */
        pre = round_up(pre + round_up(round_up(g[i] * d[i]) * v[i]));
    }
    double kappa = round_up(0x1p-1072 * round_up(((double)n + 1.0) + maxdiag)); /* 4η(n+1+maxdiag) */
    double c = round_up(rho + round_up((double)n * kappa));
    return isfinite(c) ? c : INFINITY;
}

/* ------------------------------------------------------------------------ */
/* Workspace                                                                 */

typedef struct {
    size_t n;
    const double *A;  /* row-major; lower triangle read */
    int sign;         /* the matrix handled is B = sign·A */
    double rad;
    double nrad;      /* ≥ n·rad */
    double amax;      /* max |a_ij|: the scale for relative margins */
    double *W;        /* n×n: shifted copy, then its Cholesky factor */
    int w_valid;      /* W holds the factor of B − w_shift·I */
    double w_shift;
    double *ws;       /* 6n scratch */
    double *V;        /* (kmax+1)×n Lanczos basis */
    double *alpha, *beta, *h, *z, *tw, *td, *te; /* tridiagonal work */
    size_t kmax;
    double *x, *y, *t; /* n-vectors */
} ctx_t;

static void ctx_clear(ctx_t *C)
{
    free(C->W);
    free(C->ws);
    free(C->V);
    free(C->alpha);
    free(C->beta);
    free(C->h);
    free(C->z);
    free(C->tw);
    free(C->td);
    free(C->te);
    free(C->x);
    free(C->y);
    free(C->t);
    memset(C, 0, sizeof *C);
}

static int ctx_init(ctx_t *C, const double *A, size_t n, double rad, double amax)
{
    memset(C, 0, sizeof *C);
    C->n = n;
    C->A = A;
    C->sign = 1;
    C->rad = rad;
    C->amax = amax;
    C->nrad = rad > 0.0 ? round_up((double)n * rad) : 0.0;
    C->kmax = (K1 > K2 ? K1 : K2);
    if (C->kmax > n)
        C->kmax = n;
    size_t nn;
    if (!plstar_size_mul(&nn, n, n, sizeof(double)))
        return plstar_error(PLSTAR_ESOFTWARE, "matrix of order %zu is too large", n);
    size_t k = C->kmax + 1;
    C->W = plstar_malloc(nn, "eigenvalue workspace");
    C->ws = plstar_malloc(6 * n * sizeof(double), "eigenvalue workspace");
    C->V = plstar_malloc(k * n * sizeof(double), "Lanczos basis");
    C->alpha = plstar_malloc(k * sizeof(double), "Lanczos coefficients");
    C->beta = plstar_malloc(k * sizeof(double), "Lanczos coefficients");
    C->h = plstar_malloc(k * sizeof(double), "Lanczos coefficients");
    C->z = plstar_malloc(k * k * sizeof(double), "Ritz vectors");
    C->tw = plstar_malloc(2 * k * sizeof(double), "Ritz workspace");
    C->td = plstar_malloc(k * sizeof(double), "Ritz values");
    C->te = plstar_malloc(k * sizeof(double), "Ritz workspace");
    C->x = plstar_malloc(n * sizeof(double), "eigenvector");
    C->y = plstar_malloc(n * sizeof(double), "eigenvector");
    C->t = plstar_malloc(n * sizeof(double), "eigenvector");
    if (!C->W || !C->ws || !C->V || !C->alpha || !C->beta || !C->h || !C->z || !C->tw ||
        !C->td || !C->te || !C->x || !C->y || !C->t) {
        ctx_clear(C);
        return PLSTAR_ESOFTWARE;
    }
    return PLSTAR_OK;
}

static inline double bij(const ctx_t *C, size_t i, size_t j) /* j ≤ i */
{
    double a = C->A[i * C->n + j];
    return C->sign > 0 ? a : -a;
}

/* ------------------------------------------------------------------------ */
/* One certified Cholesky                                                    */

enum { AT_THRESHOLD, AT_SHIFT };

/*
 * AT_THRESHOLD (value = μ): t = μ + c + n·rad rounded up, ã_ii = round_dn(b_ii − t);
 *   success proves λ_min(sign·X) > μ, *mu_out = μ.
 * AT_SHIFT (value = τ): ã_ii = round_dn(b_ii − τ), *mu_out = τ − c − n·rad rounded
 *   down; success proves λ_min(sign·X) > *mu_out.
 * In both cases ud_j = round_up(b_jj − value) ≥ ã_jj bounds the factored diagonal,
 * as Theorem 2.3 needs, and b_jj − ã_jj ≥ *mu_out + c + n·rad.
 * On success W holds L (row-major lower) with L Lᵀ ≈ B − shift·I.
 */
static int attempt(ctx_t *C, int mode, double value, double *mu_out, double *c_out)
{
    const size_t n = C->n;
    double *ud = C->ws, *W = C->W;

    C->w_valid = 0;
    if (!isfinite(value))
        return 0;
    for (size_t j = 0; j < n; j++) {
        ud[j] = round_up(bij(C, j, j) - value);
        if (!(ud[j] > 0.0) || !isfinite(ud[j]))
            return 0; /* a diagonal entry ≤ shift: the factorisation cannot succeed */
    }
    double c = rump_c(ud, n, C->ws + n);
    if (!isfinite(c))
        return 0;
    double t, mu;
    if (mode == AT_THRESHOLD) {
        mu = value;
        t = round_up(round_up(value + c) + C->nrad);
    } else {
        t = value;
        mu = round_dn(round_dn(value - c) - C->nrad);
    }
    if (!isfinite(t) || !isfinite(mu))
        return 0;

    for (size_t i = 0; i < n; i++) {
        double *row = W + i * n;
        const double *src = C->A + i * n;
        if (C->sign > 0)
            memcpy(row, src, (i + 1) * sizeof(double));
        else
            for (size_t j = 0; j <= i; j++)
                row[j] = -src[j];
        row[i] = round_dn(row[i] - t);
    }
    /* row-major lower triangle = column-major upper triangle: no transposition */
    lapack_int info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', (lapack_int)n, W, (lapack_int)n);
    if (info != 0)
        return 0;
    /* "runs to completion": positive diagonal and no overflow anywhere */
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *row = W + i * n;
        for (size_t j = 0; j <= i; j++)
            acc += row[j] * 0.0; /* NaN iff some entry is Inf or NaN */
        if (!(row[i] > 0.0))
            return 0;
    }
    if (acc != 0.0)
        return 0;
    C->w_valid = 1;
    C->w_shift = t;
    *mu_out = mu;
    if (c_out)
        *c_out = c;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Lanczos with full reorthogonalisation                                     */

typedef void (*op_fn)(ctx_t *C, const double *x, double *y);

static void op_matvec(ctx_t *C, const double *x, double *y)
{
    cblas_dsymv(CblasRowMajor, CblasLower, (int)C->n, (double)C->sign, C->A, (int)C->n, x, 1,
                0.0, y, 1);
}

/* y = (L Lᵀ)⁻¹ x with the factor in W */
static void op_solve(ctx_t *C, const double *x, double *y)
{
    const int n = (int)C->n;
    if (y != x)
        memcpy(y, x, C->n * sizeof(double));
    cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, n, C->W, n, y, 1);
    cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, n, C->W, n, y, 1);
}

static void fill_start(double *x, size_t n, uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        x[i] = ((double)(s >> 11) * 0x1p-53) - 0.5;
    }
}

/* Starts the basis at x (normalised); returns 0 when x is zero. */
static int lanczos_start(ctx_t *C, const double *x)
{
    double nr = cblas_dnrm2((int)C->n, x, 1);
    if (!(nr > 0.0) || !isfinite(nr))
        return 0;
    for (size_t i = 0; i < C->n; i++)
        C->V[i] = x[i] / nr;
    return 1;
}

/* Step k (0-based); returns 0 on breakdown (invariant subspace found). */
static int lanczos_step(ctx_t *C, op_fn op, size_t k)
{
    const int n = (int)C->n;
    double *v = C->V + k * C->n, *w = C->V + (k + 1) * C->n;
    op(C, v, w);
    double a = 0.0;
    for (int pass = 0; pass < 2; pass++) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)k + 1, n, 1.0, C->V, n, w, 1, 0.0, C->h, 1);
        a += C->h[k];
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)k + 1, n, -1.0, C->V, n, C->h, 1, 1.0, w, 1);
    }
    C->alpha[k] = a;
    double b = cblas_dnrm2(n, w, 1);
    C->beta[k] = b;
    double scale = fabs(a) + (k > 0 ? C->beta[k - 1] : 0.0);
    if (!(b > 1e-14 * scale) || !isfinite(b))
        return 0;
    cblas_dscal(n, 1.0 / b, w, 1);
    return 1;
}

/*
 * Ritz values of the k-step tridiagonal matrix. which = 0: the smallest,
 * 1: the largest. Sets *theta, *theta2 (the next one inwards, or ±∞), *resid
 * (β_k |last component|) and, if y ≠ NULL, the Ritz vector (unit norm).
 */
static int ritz(ctx_t *C, size_t k, int which, double *theta, double *theta2, double *resid,
                double *y)
{
    memcpy(C->td, C->alpha, k * sizeof(double));
    if (k > 1)
        memcpy(C->te, C->beta, (k - 1) * sizeof(double));
    lapack_int info = LAPACKE_dstev_work(LAPACK_COL_MAJOR, 'V', (lapack_int)k, C->td, C->te, C->z,
                                         (lapack_int)k, C->tw);
    if (info != 0)
        return 0;
    size_t idx = which ? k - 1 : 0;
    *theta = C->td[idx];
    if (k > 1)
        *theta2 = which ? C->td[k - 2] : C->td[1];
    else
        *theta2 = which ? -INFINITY : INFINITY;
    const double *zc = C->z + idx * k; /* column idx, column-major */
    *resid = fabs(C->beta[k - 1] * zc[k - 1]);
    if (y) {
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)k, (int)C->n, 1.0, C->V, (int)C->n, zc, 1,
                    0.0, y, 1);
        double nr = cblas_dnrm2((int)C->n, y, 1);
        if (!(nr > 0.0))
            return 0;
        cblas_dscal((int)C->n, 1.0 / nr, y, 1);
    }
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Rigorous Rayleigh quotient                                                */

/*
 * Upper bound on vᵀXv / vᵀv for every symmetric X with |X − B| ≤ rad, where
 * B = sign·A. nrm ≥ ‖|B|‖₂. With ŵ = fl(Bv) (any summation order):
 *   |ŵ_i − (Bv)_i| ≤ γ_n(|B||v|)_i + nη,   |fl(vᵀŵ) − vᵀŵ| ≤ γ_n|v|ᵀ|ŵ| + nη,
 * so vᵀBv ≤ fl(vᵀŵ) + γ_n(|v|ᵀ|ŵ| + nrm‖v‖²) + nη(1 + ‖v‖₁), and
 * vᵀXv ≤ vᵀBv + rad‖v‖₁². Sums of non-negative terms s = Σ p_i (p_i computed
 * products) satisfy s ≤ (ŝ + nη)/(1 − γ_n).
 */
static double rq_upper(ctx_t *C, const double *v, double nrm)
{
    const size_t n = C->n;
    double *w = C->t;
    op_matvec(C, v, w);
    double r = 0.0, tw = 0.0, q = 0.0, l1 = 0.0;
    for (size_t i = 0; i < n; i++) {
        r += v[i] * w[i];
        tw += fabs(v[i]) * fabs(w[i]);
        q += v[i] * v[i];
        l1 += fabs(v[i]);
    }
    if (!isfinite(r) || !isfinite(tw) || !isfinite(q) || !(q > 0.0))
        return INFINITY;
    const double g = gamma_up((double)n, U_RND);
    const double one_m_g = round_dn(1.0 - g);
    const double neta = round_up((double)n * ETA);
    double tw_u = round_up(round_up(tw + neta) / one_m_g);
    double q_u = round_up(round_up(q + neta) / one_m_g);
    double l1_u = round_up(round_up(l1 + neta) / one_m_g);
    double q_l = round_dn(round_dn(q - neta) / round_up(1.0 + g));
    if (!(q_l > 0.0))
        return INFINITY;
    double err = round_up(g * round_up(tw_u + round_up(nrm * q_u)));
    err = round_up(err + round_up(neta * round_up(1.0 + l1_u)));
    double num = round_up(round_up(r + err) + round_up(C->rad * round_up(l1_u * l1_u)));
    if (!isfinite(num))
        return INFINITY;
    return num >= 0.0 ? round_up(num / q_l) : round_up(num / q_u);
}

/* Upper bound on ‖|A|‖₂ ≤ max_i Σ_j |a_ij| (symmetric), from the lower triangle. */
static double abs_norm_up(const double *A, size_t n, double *rowsum)
{
    for (size_t i = 0; i < n; i++)
        rowsum[i] = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *row = A + i * n;
        double s = 0.0;
        for (size_t j = 0; j < i; j++) {
            double a = fabs(row[j]);
            s += a;
            rowsum[j] += a;
        }
        rowsum[i] += s + fabs(row[i]);
    }
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (!(rowsum[i] <= m))
            m = rowsum[i];
    /* n non-negative exact terms, additions only: s ≤ ŝ / (1 − γ_{n−1}) */
    return round_up(m / round_dn(1.0 - gamma_up((double)n, U_RND)));
}

/* Gershgorin: λ_min(sign·X) ≥ min_i (b_ii − Σ_{j≠i}|b_ij|) − n·rad. */
static double gershgorin_lower(ctx_t *C)
{
    const size_t n = C->n;
    double *off = C->ws;
    for (size_t i = 0; i < n; i++)
        off[i] = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *row = C->A + i * n;
        double s = 0.0;
        for (size_t j = 0; j < i; j++) {
            double a = fabs(row[j]);
            s += a;
            off[j] += a;
        }
        off[i] += s;
    }
    const double f = round_dn(1.0 - gamma_up((double)n, U_RND));
    double lo = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double l = round_dn(bij(C, i, i) - round_up(off[i] / f));
        if (l < lo)
            lo = l;
    }
    lo = round_dn(lo - C->nrad);
    return isnan(lo) ? -INFINITY : lo;
}

/* ------------------------------------------------------------------------ */
/* The λ_min driver                                                          */

/* Approximate smallest eigenpair of B by LAPACK (small n). */
static int small_eigpair(ctx_t *C, double *theta, double *vec)
{
    const size_t n = C->n;
    double *M = C->W;
    C->w_valid = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            M[i * n + j] = bij(C, i, j);
    lapack_int m = 0;
    lapack_int *isuppz = malloc(2 * n * sizeof(lapack_int));
    if (!isuppz)
        return 0;
    double *w = C->ws; /* dsyevr wants room for n eigenvalues */
    lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'U', (lapack_int)n, M,
                                     (lapack_int)n, 0.0, 0.0, 1, 1, 0.0, &m, w, vec,
                                     (lapack_int)n, isuppz);
    free(isuppz);
    if (info != 0 || m != 1 || !isfinite(w[0]))
        return 0;
    *theta = w[0];
    return 1;
}

/* A few steps of inverse iteration with the factor in W, then the Rayleigh
 * quotient of B (plain rounding): improves x in place, returns the estimate. */
static void inverse_iterate(ctx_t *C, double *x, int steps)
{
    const int n = (int)C->n;
    for (int s = 0; s < steps; s++) {
        op_solve(C, x, x);
        double nr = cblas_dnrm2(n, x, 1);
        if (!(nr > 0.0) || !isfinite(nr))
            break;
        cblas_dscal(n, 1.0 / nr, x, 1);
    }
}

typedef struct {
    double lower;  /* certified lower bound on λ_min(sign·X), or −∞ */
    double upper;  /* certified upper bound (only when asked), or +∞ */
} bounds_t;

/* The estimate of λ₁ that positions the tight factorisation. */
typedef struct {
    double lam;   /* NaN when there is none */
    double err;   /* its estimated error */
    double c0;    /* Rump's constant of the last factorisation that reported one */
    double scale; /* of the spectrum, for relative margins */
} estimate_t;

/* The scale of the spectrum, for relative margins. */
static double spectrum_scale(const ctx_t *C, double nrm)
{
    const size_t n = C->n;
    double dmax = 0.0;
    for (size_t i = 0; i < n; i++)
        dmax = fmax(dmax, fabs(C->A[i * n + i]));
    double scale = fmax(fmax(dmax, C->amax), nrm > 0.0 && isfinite(nrm) ? nrm : 0.0);
    if (!(scale > 0.0))
        scale = 1.0;
    return scale;
}

/* Lanczos on B from the pseudo-random start of seed, up to K1 steps; returns the steps taken. */
static size_t lanczos_from_seed(ctx_t *C, uint64_t seed)
{
    const size_t n = C->n;
    size_t k = 0, k1 = K1 < n ? K1 : n;
    fill_start(C->y, n, seed);
    if (lanczos_start(C, C->y))
        while (k < k1) {
            int more = lanczos_step(C, op_matvec, k);
            k++;
            if (!more)
                break;
        }
    return k;
}

/* Stage 2: a factorisation safely below the Ritz value th with residual res, else below
 * Gershgorin's bound; returns 1 when W holds one. */
static int factor_below(ctx_t *C, estimate_t *E, double th, double res, bounds_t *out)
{
    double m0 = fmax(1.5 * res, 1e-6 * E->scale);
    int ok = 0;
    for (int tries = 0; tries < 5 && !ok; tries++, m0 *= 8.0) {
        double mu0;
        if (attempt(C, AT_SHIFT, th - m0, &mu0, &E->c0)) {
            ok = 1;
            if (mu0 > out->lower)
                out->lower = mu0;
        }
    }
    if (!ok) {
        /* the estimate is far off (Lanczos missed λ₁): start from
         * Gershgorin's bound, which is below λ₁ */
        double g = gershgorin_lower(C), mu0;
        if (isfinite(g) && attempt(C, AT_SHIFT, g - 1e-3 * E->scale, &mu0, &E->c0)) {
            ok = 1;
            if (mu0 > out->lower)
                out->lower = mu0;
        }
    }
    return ok;
}

/* Stage 3: shift-and-invert Lanczos with the factor in W, started at x; the estimate, and its Ritz vector in x. */
static void shift_invert(ctx_t *C, estimate_t *E)
{
    const size_t n = C->n;
    double *x = C->x;
    double tau = C->w_shift, nu = NAN, nu2, rs, prev = NAN;
    size_t k2 = K2 < n ? K2 : n;
    if (!lanczos_start(C, x))
        return;
    size_t k = 0;
    while (k < k2) {
        int more = lanczos_step(C, op_solve, k);
        k++;
        if (k % 4 == 0 || !more || k == k2) {
            if (!ritz(C, k, 1, &nu, &nu2, &rs, NULL) || !(nu > 0.0))
                break;
            double l = tau + 1.0 / nu;
            double gap = nu - nu2;
            double e = rs * rs / (gap > 0.0 ? gap : nu) / (nu * nu);
            if (isfinite(prev))
                e = fmax(e, fabs(l - prev));
            E->lam = l;
            E->err = e;
            prev = l;
            if (e <= 0.004 * E->c0 || !more)
                break;
        }
    }
    if (isfinite(E->lam))
        ritz(C, k, 1, &nu, &nu2, &rs, x);
}

/* Estimates λ₁ and its eigenvector (in x): exactly for n = 1, by LAPACK for small n, else by
 * Lanczos (stage 1), a factorisation below its Ritz value (stage 2) and shift-and-invert (stage 3). */
static void estimate_lambda1(ctx_t *C, estimate_t *E, bounds_t *out)
{
    const size_t n = C->n;
    double *x = C->x;
    if (n == 1) {
        E->lam = bij(C, 0, 0);
        E->err = 0.0;
        x[0] = 1.0;
    } else if (n <= SMALL_N) {
        if (small_eigpair(C, &E->lam, x))
            E->err = 4.0 * (double)n * U_RND * E->scale;
    } else {
        size_t k = lanczos_from_seed(C, 0x5eed + n);
        double th = NAN, th2, res;
        if (k > 0 && ritz(C, k, 0, &th, &th2, &res, x) && factor_below(C, E, th, res, out))
            shift_invert(C, E);
    }
}

/* Stage 4: the tight factorisation, just below the estimate. */
static void tight_factorisation(ctx_t *C, const estimate_t *E, bounds_t *out)
{
    if (!isfinite(E->lam))
        return;
    /* above the estimate's error and the Cholesky's own backward error */
    double m1 = fmax(4.0 * E->err, E->c0 / 64.0);
    m1 = fmax(m1, 4.0 * sqrt((double)C->n) * U_RND * E->scale);
    for (int tries = 0; tries < 4; tries++, m1 *= 16.0) {
        double mu1;
        if (attempt(C, AT_SHIFT, E->lam - m1, &mu1, NULL)) {
            if (mu1 > out->lower)
                out->lower = mu1;
            break;
        }
    }
}

/* The Rayleigh-quotient upper bound at the estimate's vector (without an estimate, a Lanczos
 * test vector), improved by inverse iteration when W holds a factor. */
static double upper_bound(ctx_t *C, const estimate_t *E, double nrm)
{
    const size_t n = C->n;
    double *x = C->x;
    if (!isfinite(E->lam) && n > 1) {
        /* no estimate: fall back to a few Lanczos steps for a test vector */
        size_t k = lanczos_from_seed(C, 0xfeed + n);
        double th, th2, res;
        if (!(k > 0 && ritz(C, k, 0, &th, &th2, &res, x)))
            fill_start(x, n, 1);
    }
    if (C->w_valid && n > 1)
        inverse_iterate(C, x, 2);
    return rq_upper(C, x, nrm);
}

/*
 * λ_min of B = sign·A. want_upper: also the Rayleigh-quotient upper bound
 * (nrm ≥ ‖|A|‖₂ must then be given). hint: NaN or a μ to try first.
 */
static int lmin_core(ctx_t *C, int sign, double hint, int want_upper, double nrm, bounds_t *out)
{
    double mu;
    estimate_t E = {.lam = NAN, .err = INFINITY, .c0 = 0.0};
    C->sign = sign;
    C->w_valid = 0;
    out->lower = -INFINITY;
    out->upper = INFINITY;

    if (isfinite(hint) && attempt(C, AT_THRESHOLD, hint, &mu, &E.c0)) {
        out->lower = mu;
        if (!want_upper)
            return PLSTAR_OK;
    }

    /* estimate λ₁ and certify near it */
    E.scale = spectrum_scale(C, nrm);
    estimate_lambda1(C, &E, out);
    tight_factorisation(C, &E, out);
    if (!(out->lower > -INFINITY)) {
        double g = gershgorin_lower(C);
        if (g > out->lower)
            out->lower = g;
    }

    if (want_upper)
        out->upper = upper_bound(C, &E, nrm);
    return PLSTAR_OK;
}

/* ------------------------------------------------------------------------ */
/* Public functions                                                          */

/*
 * Exact power-of-two scaling. Matrices whose largest entry is far from 1 are
 * scaled by 2^s so that it lies in [1/2, 1): underflow in the factorisation
 * and in the bound arithmetic then stays negligible. Scaling up is exact;
 * scaling down may round subnormal results, by at most 2^-1075 per entry,
 * which is added to the radius. Bounds are scaled back with outward rounding.
 */
typedef struct {
    const double *A;
    double *own;
    int s;
    double rad;
    double amax; /* max |a_ij| after scaling */
    int zero;    /* A is the zero matrix */
} scaled_t;

int plstar_verified_matrix_check(const double *A, size_t n, double rad, const char *fn)
{
    if (!A)
        return plstar_error(PLSTAR_EUSAGE, "%s: matrix is NULL", fn);
    if (n == 0)
        return plstar_error(PLSTAR_EUSAGE, "%s: empty matrix", fn);
    if (n > (size_t)INT_MAX / 2 || n > ((size_t)1 << 40))
        return plstar_error(PLSTAR_EUSAGE, "%s: order %zu is too large", fn, n);
    if (!(rad >= 0.0) || !isfinite(rad))
        return plstar_error(PLSTAR_EUSAGE, "%s: radius must be finite and >= 0", fn);
    double acc = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            acc += A[i * n + j] * 0.0; /* NaN iff some entry is Inf or NaN */
    if (acc != 0.0)
        return plstar_error(PLSTAR_EDATA, "%s: matrix has NaN or Inf entries", fn);
    return fp_env_check();
}

static int prepare(scaled_t *S, const double *A, size_t n, double rad, const char *fn)
{
    memset(S, 0, sizeof *S);
    int st = plstar_verified_matrix_check(A, n, rad, fn);
    if (st)
        return st;
    double amax = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            amax = fmax(amax, fabs(A[i * n + j]));
    S->A = A;
    S->rad = rad;
    S->amax = amax;
    if (amax == 0.0) {
        S->zero = 1;
        return PLSTAR_OK;
    }
    int e = ilogb(amax);
    if (e >= -100 && e <= 100)
        return PLSTAR_OK;
    size_t nn;
    if (!plstar_size_mul(&nn, n, n, sizeof(double)))
        return plstar_error(PLSTAR_ESOFTWARE, "%s: order %zu is too large", fn, n);
    S->own = plstar_malloc(nn, "scaled matrix");
    if (!S->own)
        return PLSTAR_ESOFTWARE;
    S->s = -e - 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            S->own[i * n + j] = ldexp(A[i * n + j], S->s);
    S->A = S->own;
    S->amax = ldexp(amax, S->s);
    if (rad > 0.0)
        S->rad = round_up(ldexp(rad, S->s));
    if (S->s < 0)
        S->rad = round_up(S->rad + ETA);
    return PLSTAR_OK;
}

static double unscale_dn(const scaled_t *S, double x)
{
    return S->s == 0 || !isfinite(x) ? x : round_dn(ldexp(x, -S->s));
}

static double unscale_up(const scaled_t *S, double x)
{
    return S->s == 0 || !isfinite(x) ? x : round_up(ldexp(x, -S->s));
}

/* a threshold μ in the scaled problem that is ≥ 2^s μ */
static double scale_threshold(const scaled_t *S, double mu)
{
    return S->s == 0 || !isfinite(mu) ? mu : round_up(ldexp(mu, S->s));
}

int plstar_verified_spd_shift_check(const double *A, size_t n, double rad, double mu)
{
    scaled_t S;
    if (prepare(&S, A, n, rad, "plstar_verified_spd_shift_check"))
        return 0;
    if (!isfinite(mu)) {
        free(S.own);
        plstar_error(PLSTAR_EUSAGE, "plstar_verified_spd_shift_check: mu must be finite");
        return 0;
    }
    if (S.zero) /* every eigenvalue of X lies in [−n·rad, n·rad] */
        return mu < -(rad > 0.0 ? round_up((double)n * rad) : 0.0);
    ctx_t C;
    int ok = 0;
    if (!ctx_init(&C, S.A, n, S.rad, S.amax)) {
        double m;
        ok = attempt(&C, AT_THRESHOLD, scale_threshold(&S, mu), &m, NULL);
        ctx_clear(&C);
    }
    free(S.own);
    return ok;
}

int plstar_verified_lambda_min(double *lower, const double *A, size_t n, double rad, double mu_hint)
{
    if (!lower)
        return plstar_error(PLSTAR_EUSAGE, "plstar_verified_lambda_min: NULL output");
    *lower = -INFINITY;
    scaled_t S;
    int st = prepare(&S, A, n, rad, "plstar_verified_lambda_min");
    if (st)
        return st;
    if (S.zero) {
        *lower = rad > 0.0 ? -round_up((double)n * rad) : 0.0;
        return PLSTAR_OK;
    }
    ctx_t C;
    if ((st = ctx_init(&C, S.A, n, S.rad, S.amax))) {
        free(S.own);
        return st;
    }
    bounds_t b;
    st = lmin_core(&C, 1, scale_threshold(&S, mu_hint), 0, 0.0, &b);
    ctx_clear(&C);
    if (!st) {
        *lower = unscale_dn(&S, b.lower);
        /* a certified hint stays exactly the hint */
        if (isfinite(mu_hint) && b.lower == scale_threshold(&S, mu_hint))
            *lower = mu_hint;
    }
    free(S.own);
    if (st)
        return st;
    return isfinite(*lower) ? PLSTAR_OK : PLSTAR_INCONCLUSIVE;
}

int plstar_verified_eig_bounds(double lmin[2], double lmax[2], const double *A, size_t n, double rad)
{
    if (!lmin || !lmax)
        return plstar_error(PLSTAR_EUSAGE, "plstar_verified_eig_bounds: NULL output");
    lmin[0] = lmax[0] = -INFINITY;
    lmin[1] = lmax[1] = INFINITY;
    scaled_t S;
    int st = prepare(&S, A, n, rad, "plstar_verified_eig_bounds");
    if (st)
        return st;
    if (S.zero) {
        double r = rad > 0.0 ? round_up((double)n * rad) : 0.0;
        lmin[0] = lmax[0] = r > 0.0 ? -r : 0.0;
        lmin[1] = lmax[1] = r;
        return PLSTAR_OK;
    }
    ctx_t C;
    if ((st = ctx_init(&C, S.A, n, S.rad, S.amax))) {
        free(S.own);
        return st;
    }
    double nrm = abs_norm_up(S.A, n, C.ws);
    bounds_t lo, hi;
    st = lmin_core(&C, 1, NAN, 1, nrm, &lo);
    if (!st)
        st = lmin_core(&C, -1, NAN, 1, nrm, &hi);
    ctx_clear(&C);
    if (st) {
        free(S.own);
        return st;
    }
    /* λ_max(X) = −λ_min(−X) */
    lmin[0] = unscale_dn(&S, lo.lower);
    lmin[1] = unscale_up(&S, lo.upper);
    lmax[0] = unscale_dn(&S, -hi.upper);
    lmax[1] = unscale_up(&S, -hi.lower);
    free(S.own);
    /* λ_min ≤ λ_max */
    if (lmax[1] < lmin[1])
        lmin[1] = lmax[1];
    if (lmin[0] > lmax[0])
        lmax[0] = lmin[0];
    if (lmin[0] > lmin[1] || lmax[0] > lmax[1])
        return plstar_error(PLSTAR_ESOFTWARE,
                            "plstar_verified_eig_bounds: inconsistent bounds [%g, %g], [%g, %g]",
                            lmin[0], lmin[1], lmax[0], lmax[1]);
    if (isfinite(lmin[0]) && isfinite(lmin[1]) && isfinite(lmax[0]) && isfinite(lmax[1]))
        return PLSTAR_OK;
    return PLSTAR_INCONCLUSIVE;
}

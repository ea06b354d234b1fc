/*
 * reference/eig.c — certified spectral bounds in ball arithmetic (see
 * reference/eig.h for the statements and why they hold).
 */
#include "reference/eig.h"
#include "core/error.h"

#include <arb.h>
#include <cblas.h>
#include <lapacke.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_PREC 16

/* ------------------------------------------------------------------------ */
/* Positive definiteness: approximate Cholesky, rigorous residual, Weyl      */

/*
 * Approximate Cholesky factor L (exact midpoints, radius 0) of the lower
 * triangle of sign·mid(A) − σI at precision prec. Returns 0 on breakdown.
 * Rows of an arb_mat are contiguous: each inner product is one dot product
 * of two rows of L.
 */
static int approx_cholesky(arb_mat_t L, const arb_mat_t A, int sign, const arf_t sigma, slong prec)
{
    const slong n = arb_mat_nrows(A);
    arb_t s, t;
    int ok = 1;
    arb_init(s);
    arb_init(t);
    for (slong i = 0; i < n && ok; i++) {
        arb_ptr Li = arb_mat_entry(L, i, 0);
        for (slong j = 0; j < i; j++) {
            arb_srcptr Lj = arb_mat_entry(L, j, 0);
            arf_set(arb_midref(t), arb_midref(arb_mat_entry(A, i, j)));
            if (sign < 0)
                arf_neg(arb_midref(t), arb_midref(t));
            arb_approx_dot(s, t, 1, Li, 1, Lj, 1, j, prec);
            arf_div(arb_midref(Li + j), arb_midref(s), arb_midref(Lj + j), prec, ARF_RND_NEAR);
            mag_zero(arb_radref(Li + j));
        }
        arf_set(arb_midref(t), arb_midref(arb_mat_entry(A, i, i)));
        if (sign < 0)
            arf_neg(arb_midref(t), arb_midref(t));
        arf_sub(arb_midref(t), arb_midref(t), sigma, prec, ARF_RND_NEAR);
        arb_approx_dot(s, t, 1, Li, 1, Li, 1, i, prec);
        if (arf_sgn(arb_midref(s)) <= 0 || !arf_is_finite(arb_midref(s)))
            ok = 0;
        else {
            arf_sqrt(arb_midref(Li + i), arb_midref(s), prec, ARF_RND_NEAR);
            mag_zero(arb_radref(Li + i));
        }
    }
    arb_clear(s);
    arb_clear(t);
    return ok;
}

/*
 * e ≥ ‖E_X‖₂ for E_X = sign·X − σI − LLᵀ and every symmetric X in A. Each
 * entry of the lower triangle is enclosed by one ball dot product (exact
 * inputs apart from A's radii); with Ū_ij ≥ |E_X,ij|,
 * ‖E_X‖₂ ≤ ρ(Ū) ≤ min(max row sum of Ū, ‖Ū‖_F).
 */
static void residual_norm(mag_t e, const arb_mat_t A, int sign, const arf_t sigma,
                          const arb_mat_t L, slong prec)
{
    const slong n = arb_mat_nrows(A);
    mag_struct *row = flint_malloc((size_t)n * sizeof(mag_struct));
    mag_t m, fro, rmax;
    arb_t s, t;
    mag_init(m);
    mag_init(fro);
    mag_init(rmax);
    arb_init(s);
    arb_init(t);
    for (slong i = 0; i < n; i++)
        mag_init(row + i);
    for (slong i = 0; i < n; i++) {
        arb_srcptr Li = arb_mat_entry(L, i, 0);
        for (slong j = 0; j <= i; j++) {
            if (sign > 0)
                arb_set(t, arb_mat_entry(A, i, j));
            else
                arb_neg(t, arb_mat_entry(A, i, j));
            if (j == i)
                arb_sub_arf(t, t, sigma, prec);
            arb_dot(s, t, 1, Li, 1, arb_mat_entry(L, j, 0), 1, j + 1, prec);
            arb_get_mag(m, s);
            mag_add(row + i, row + i, m);
            if (j < i)
                mag_add(row + j, row + j, m);
            mag_mul(m, m, m);
            if (j < i)
                mag_mul_2exp_si(m, m, 1);
            mag_add(fro, fro, m);
        }
    }
    mag_zero(rmax);
    for (slong i = 0; i < n; i++)
        mag_max(rmax, rmax, row + i);
    mag_sqrt(fro, fro);
    mag_min(e, rmax, fro);
    for (slong i = 0; i < n; i++)
        mag_clear(row + i);
    flint_free(row);
    mag_clear(m);
    mag_clear(fro);
    mag_clear(rmax);
    arb_clear(s);
    arb_clear(t);
}

/*
 * 1 when it proves sign·X − μI ≻ 0 for every symmetric X in A. With L an
 * approximate factor of sign·A − σI, σ ≥ μ + τ:
 *   sign·X − μI = LLᵀ + (σ − μ)I + E_X ⪰ (τ − ‖E_X‖₂) I   (LLᵀ ⪰ 0, Weyl),
 * which is positive definite when the rigorous bound e ≥ ‖E_X‖₂ is below τ.
 * τ starts just above the expected residual (2^-prec relative, plus the
 * radii of A) and is raised once or twice if the residual turns out larger.
 */
static int shift_check(const arb_mat_t A, int sign, const arf_t mu, slong prec)
{
    const slong n = arb_mat_nrows(A);
    arb_mat_t L;
    arf_t tau, sigma, sc, x;
    mag_t e, r;
    int ok = 0;
    slong lg = 0;
    while (lg < 62 && (((slong)1) << lg) < n)
        lg++;

    arb_mat_init(L, n, n);
    arf_init(tau);
    arf_init(sigma);
    arf_init(sc);
    arf_init(x);
    mag_init(e);
    mag_init(r);

    /* scale of the factored matrix, and rs ≥ max_i Σ_j rad(A_ij) ≥ ‖X − mid(A)‖₂:
     * the residual can never be smaller than the radii allow */
    arf_abs(sc, mu);
    for (slong i = 0; i < n; i++) {
        mag_t row;
        mag_init(row);
        for (slong j = 0; j < n; j++) {
            arb_srcptr a = arb_mat_entry(A, i, j);
            if (j <= i) {
                arf_abs(x, arb_midref(a));
                if (arf_cmp(x, sc) > 0)
                    arf_set(sc, x);
            }
            mag_add(row, row, arb_radref(a));
        }
        mag_max(r, r, row);
        mag_clear(row);
    }
    arf_mul_2exp_si(tau, sc, -prec + lg + 4);
    if (arf_is_zero(tau))
        arf_set_si_2exp_si(tau, 1, -prec);
    arf_set_mag(x, r);
    arf_mul_ui(x, x, 9, 53, ARF_RND_CEIL);
    arf_mul_2exp_si(x, x, -3); /* 1.125·rs */
    arf_add(tau, tau, x, 53, ARF_RND_CEIL);

    for (int tries = 0; tries < 3 && !ok; tries++) {
        /* σ ≥ μ + τ, so σ − μ ≥ τ */
        arf_add(sigma, mu, tau, prec, ARF_RND_CEIL);
        if (!approx_cholesky(L, A, sign, sigma, prec))
            break;
        residual_norm(e, A, sign, sigma, L, prec);
        arf_set_mag(x, e);
        if (arf_cmp(x, tau) < 0)
            ok = 1;
        else {
            /* τ ← 1.25 e + 2^(lg+4−prec) sc */
            arf_mul_ui(x, x, 5, 53, ARF_RND_CEIL);
            arf_mul_2exp_si(x, x, -2);
            arf_mul_2exp_si(tau, sc, -prec + lg + 4);
            arf_add(tau, tau, x, 53, ARF_RND_CEIL);
        }
    }

    arb_mat_clear(L);
    arf_clear(tau);
    arf_clear(sigma);
    arf_clear(sc);
    arf_clear(x);
    mag_clear(e);
    mag_clear(r);
    return ok;
}

static int check_matrix(const arb_mat_t A, slong prec, const char *fn)
{
    if (arb_mat_nrows(A) != arb_mat_ncols(A))
        return plstar_error(PLSTAR_EUSAGE, "%s: matrix is %ld x %ld, not square", fn,
                            (long)arb_mat_nrows(A), (long)arb_mat_ncols(A));
    if (arb_mat_nrows(A) == 0)
        return plstar_error(PLSTAR_EUSAGE, "%s: empty matrix", fn);
    if (prec < MIN_PREC)
        return plstar_error(PLSTAR_EUSAGE, "%s: precision %ld is below %d bits", fn, (long)prec,
                            MIN_PREC);
    return PLSTAR_OK;
}

int plstar_ref_spd_shift_check(const arb_mat_t A, const arb_t mu, slong prec)
{
    if (check_matrix(A, prec, "plstar_ref_spd_shift_check"))
        return 0;
    if (!arb_is_finite(mu) || !arb_mat_is_finite(A))
        return 0;
    /* λ_min(X) > μ for every μ in the ball iff it holds for its upper end */
    arf_t m;
    arf_init(m);
    arb_get_ubound_arf(m, mu, prec);
    int ok = shift_check(A, 1, m, prec);
    arf_clear(m);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* Cheap enclosures: Gershgorin discs and the diagonal                       */

/*
 * For every symmetric X in A: λ_min(X) ≥ glo, λ_max(X) ≤ ghi (Gershgorin),
 * λ_min(X) ≤ dhi = min_i x_ii, λ_max(X) ≥ dlo = max_i x_ii (Rayleigh quotients
 * of unit vectors). All rounded outwards.
 */
static void cheap_bounds(arf_t glo, arf_t ghi, arf_t dlo, arf_t dhi, const arb_mat_t A, slong prec)
{
    const slong n = arb_mat_nrows(A);
    arb_t r, a;
    arf_t u, l;
    arb_init(r);
    arb_init(a);
    arf_init(u);
    arf_init(l);
    arf_pos_inf(glo);
    arf_neg_inf(ghi);
    arf_neg_inf(dlo);
    arf_pos_inf(dhi);
    for (slong i = 0; i < n; i++) {
        arb_zero(r);
        for (slong j = 0; j < n; j++) {
            if (j == i)
                continue;
            arb_abs(a, arb_mat_entry(A, i, j));
            arb_add(r, r, a, prec);
        }
        arb_get_ubound_arf(u, r, prec); /* ≥ Σ_{j≠i} |x_ij| */
        arb_get_lbound_arf(l, arb_mat_entry(A, i, i), prec);
        if (arf_cmp(l, dlo) > 0)
            arf_set(dlo, l);
        arf_sub(l, l, u, prec, ARF_RND_FLOOR);
        if (arf_cmp(l, glo) < 0)
            arf_set(glo, l);
        arb_get_ubound_arf(l, arb_mat_entry(A, i, i), prec);
        if (arf_cmp(l, dhi) < 0)
            arf_set(dhi, l);
        arf_add(l, l, u, prec, ARF_RND_CEIL);
        if (arf_cmp(l, ghi) > 0)
            arf_set(ghi, l);
    }
    arb_clear(r);
    arb_clear(a);
    arf_clear(u);
    arf_clear(l);
}

/* ------------------------------------------------------------------------ */
/* Approximate eigenpairs                                                    */

typedef struct {
    slong n;
    slong e;     /* the double midpoint matrix is mid(A)·2^-e */
    double *Q;   /* column-major eigenvectors */
    double *lam; /* ascending eigenvalues, scaled by 2^-e */
} dspec_t;

static void dspec_clear(dspec_t *S)
{
    free(S->Q);
    free(S->lam);
    S->Q = S->lam = NULL;
}

/* LAPACK eigen-decomposition of the (scaled) double midpoint matrix. */
static int dspec_init(dspec_t *S, const arb_mat_t A)
{
    const slong n = arb_mat_nrows(A);
    slong e = WORD_MIN;
    memset(S, 0, sizeof *S);
    S->n = n;
    if (n > INT_MAX / 2)
        return 0;
    for (slong i = 0; i < n; i++)
        for (slong j = 0; j <= i; j++) {
            arf_srcptr m = arb_midref(arb_mat_entry(A, i, j));
            if (!arf_is_zero(m)) {
                slong b = arf_abs_bound_lt_2exp_si(m);
                if (b > e)
                    e = b;
            }
        }
    if (e == WORD_MIN)
        e = 0; /* zero midpoint */
    S->e = e;
    S->Q = malloc((size_t)n * (size_t)n * sizeof(double));
    S->lam = malloc((size_t)n * sizeof(double));
    if (!S->Q || !S->lam) {
        dspec_clear(S);
        return 0;
    }
    arf_t t;
    arf_init(t);
    /* row-major lower triangle = column-major upper triangle */
    for (slong i = 0; i < n; i++)
        for (slong j = 0; j <= i; j++) {
            arf_mul_2exp_si(t, arb_midref(arb_mat_entry(A, i, j)), -e);
            S->Q[i * n + j] = arf_get_d(t, ARF_RND_NEAR);
        }
    arf_clear(t);
    lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'U', (lapack_int)n, S->Q,
                                     (lapack_int)n, S->lam);
    if (info != 0) {
        dspec_clear(S);
        return 0;
    }
    return 1;
}

/* Largest cluster handled by the Rayleigh–Ritz step. */
#define KMAX 24

/* w = mid(A)·v, approximate at wp */
static void matvec_approx(arb_ptr w, const arb_mat_t A, arb_srcptr v, slong wp)
{
    const slong n = arb_mat_nrows(A);
    for (slong i = 0; i < n; i++)
        arb_approx_dot(w + i, NULL, 0, arb_mat_entry(A, i, 0), 1, v, 1, n, wp);
}

static void dot_approx(arf_t res, arb_srcptr x, arb_srcptr y, slong n, slong wp)
{
    arb_t t;
    arb_init(t);
    arb_approx_dot(t, NULL, 0, x, 1, y, 1, n, wp);
    arf_set(res, arb_midref(t));
    arb_clear(t);
}

/* y ← y + a·x on midpoints */
static void axpy_approx(arb_ptr y, const arf_t a, arb_srcptr x, slong n, slong wp)
{
    for (slong l = 0; l < n; l++)
        arf_addmul(arb_midref(y + l), a, arb_midref(x + l), wp, ARF_RND_NEAR);
}

/*
 * Cyclic Jacobi on the symmetric k×k matrix H (arf, row-major, overwritten:
 * its diagonal ends up holding the eigenvalues); the rotations are
 * accumulated into Y (set to the identity first), so that H_in = Y diag Yᵀ.
 */
static void jacobi(arf_struct *H, arf_struct *Y, slong k, slong wp)
{
    arf_t th, t, c, s, x, y, off, nrm;
    arf_init(th), arf_init(t), arf_init(c), arf_init(s), arf_init(x), arf_init(y);
    arf_init(off), arf_init(nrm);
    for (slong i = 0; i < k * k; i++)
        arf_set_ui(Y + i, i / k == i % k);
    for (int sweep = 0; sweep < 60; sweep++) {
        arf_zero(off);
        arf_zero(nrm);
        for (slong i = 0; i < k; i++)
            for (slong j = 0; j < k; j++) {
                arf_mul(x, H + i * k + j, H + i * k + j, 30, ARF_RND_UP);
                arf_add(nrm, nrm, x, 30, ARF_RND_UP);
                if (i != j)
                    arf_add(off, off, x, 30, ARF_RND_UP);
            }
        arf_mul_2exp_si(nrm, nrm, -2 * wp);
        if (arf_cmp(off, nrm) <= 0)
            break;
        for (slong p = 0; p < k; p++)
            for (slong q = p + 1; q < k; q++) {
                arf_srcptr hpq = H + p * k + q;
                if (arf_is_zero(hpq))
                    continue;
                /* θ = (h_qq − h_pp) / (2 h_pq), t = sgn θ / (|θ| + √(θ² + 1)) */
                arf_sub(th, H + q * k + q, H + p * k + p, wp, ARF_RND_NEAR);
                arf_div(th, th, hpq, wp, ARF_RND_NEAR);
                arf_mul_2exp_si(th, th, -1);
                arf_mul(t, th, th, wp, ARF_RND_NEAR);
                arf_add_ui(t, t, 1, wp, ARF_RND_NEAR);
                arf_sqrt(t, t, wp, ARF_RND_NEAR);
                arf_abs(x, th);
                arf_add(t, t, x, wp, ARF_RND_NEAR);
                arf_ui_div(t, 1, t, wp, ARF_RND_NEAR);
                if (arf_sgn(th) < 0)
                    arf_neg(t, t);
                arf_mul(c, t, t, wp, ARF_RND_NEAR);
                arf_add_ui(c, c, 1, wp, ARF_RND_NEAR);
                arf_rsqrt(c, c, wp, ARF_RND_NEAR);
                arf_mul(s, t, c, wp, ARF_RND_NEAR);
                /* H ← Jᵀ H J with J the rotation in the (p, q) plane */
                for (slong r = 0; r < k; r++) {
                    arf_mul(x, c, H + r * k + p, wp, ARF_RND_NEAR);
                    arf_submul(x, s, H + r * k + q, wp, ARF_RND_NEAR);
                    arf_mul(y, s, H + r * k + p, wp, ARF_RND_NEAR);
                    arf_addmul(y, c, H + r * k + q, wp, ARF_RND_NEAR);
                    arf_set(H + r * k + p, x);
                    arf_set(H + r * k + q, y);
                }
                for (slong r = 0; r < k; r++) {
                    arf_mul(x, c, H + p * k + r, wp, ARF_RND_NEAR);
                    arf_submul(x, s, H + q * k + r, wp, ARF_RND_NEAR);
                    arf_mul(y, s, H + p * k + r, wp, ARF_RND_NEAR);
                    arf_addmul(y, c, H + q * k + r, wp, ARF_RND_NEAR);
                    arf_set(H + p * k + r, x);
                    arf_set(H + q * k + r, y);
                }
                arf_zero(H + p * k + q);
                arf_zero(H + q * k + p);
                for (slong r = 0; r < k; r++) {
                    arf_mul(x, c, Y + r * k + p, wp, ARF_RND_NEAR);
                    arf_submul(x, s, Y + r * k + q, wp, ARF_RND_NEAR);
                    arf_mul(y, s, Y + r * k + p, wp, ARF_RND_NEAR);
                    arf_addmul(y, c, Y + r * k + q, wp, ARF_RND_NEAR);
                    arf_set(Y + r * k + p, x);
                    arf_set(Y + r * k + q, y);
                }
            }
    }
    arf_clear(th), arf_clear(t), arf_clear(c), arf_clear(s), arf_clear(x), arf_clear(y);
    arf_clear(off), arf_clear(nrm);
}

/* What the cluster refinement carries from step to step. */
typedef struct {
    const arb_mat_struct *A;
    const dspec_t *S;
    slong n, wp;
    slong c0, c1; /* the cluster is lam[c0..c1] (contiguous, sorted) */
    slong k;      /* vectors in the Ritz basis */
    arb_ptr V;    /* k basis vectors of length n */
    arb_ptr W;    /* A V, then the residuals */
    arb_ptr T;    /* scratch for V Y and W Y */
    arf_struct *H, *Y; /* the k×k Ritz problem H = Y Θ Yᵀ */
    arf_t a, rmax, rt;
    double *rd, *y, *dd, *ths; /* the corrections, in doubles */
    double best;  /* log2 of the relative residual of the best pair seen */
    arb_ptr vb;   /* the best pair seen */
    arf_t thb, errb;
} refine_t;

/* The cluster around λ_t (t is an end of the spectrum) and the basis of its k members nearest to λ_t. */
static void cluster_of(refine_t *R, slong t, slong *b0)
{
    const dspec_t *S = R->S;
    const slong n = S->n;
    const double u = 0x1p-53;
    const double lmax = fmax(fabs(S->lam[0]), fabs(S->lam[n - 1]));
    /* eigenvalues closer than this are not resolved by the double decomposition */
    const double tolc = 16.0 * sqrt((double)n) * u * lmax;
    slong c0 = t, c1 = t;
    while (c0 > 0 && fabs(S->lam[c0 - 1] - S->lam[t]) <= tolc)
        c0--;
    while (c1 < n - 1 && fabs(S->lam[c1 + 1] - S->lam[t]) <= tolc)
        c1++;
    slong k = c1 - c0 + 1;
    *b0 = c0;
    if (k > KMAX) {
        k = KMAX;
        *b0 = t == 0 ? 0 : n - KMAX;
    }
    R->c0 = c0, R->c1 = c1, R->k = k;
}

/* Allocates the state and starts V from the double eigenvectors; 0 when a double work vector is missing. */
static int refine_init(refine_t *R, arb_ptr v, arf_t theta, arf_t err, const arb_mat_t A, const dspec_t *S,
                       slong t, slong wp)
{
    slong b0;
    R->A = A, R->S = S, R->n = S->n, R->wp = wp;
    cluster_of(R, t, &b0);
    const slong n = R->n, k = R->k;
    R->V = _arb_vec_init(k * n), R->W = _arb_vec_init(k * n), R->T = _arb_vec_init(k * n);
    R->vb = _arb_vec_init(n);
    R->H = flint_malloc((size_t)(k * k) * sizeof(arf_struct));
    R->Y = flint_malloc((size_t)(k * k) * sizeof(arf_struct));
    R->rd = malloc((size_t)n * sizeof(double));
    R->y = malloc((size_t)n * sizeof(double));
    R->dd = malloc((size_t)n * sizeof(double));
    R->ths = malloc((size_t)k * sizeof(double));
    for (slong i = 0; i < k * k; i++) {
        arf_init(R->H + i);
        arf_init(R->Y + i);
    }
    arf_init(R->a), arf_init(R->rmax), arf_init(R->thb), arf_init(R->errb), arf_init(R->rt);

    for (slong j = 0; j < k; j++)
        for (slong i = 0; i < n; i++)
            arb_set_d(R->V + j * n + i, S->Q[i + (b0 + j) * n]);
    for (slong i = 0; i < n; i++)
        arb_set_d(v + i, S->Q[i + t * n]);
    arf_pos_inf(err);
    arf_zero(theta);
    return R->rd && R->y && R->dd && R->ths;
}

/* Frees what refine_init allocated (also when it reported a missing work vector). */
static void refine_clear(refine_t *R)
{
    const slong n = R->n, k = R->k;
    free(R->rd);
    free(R->y);
    free(R->dd);
    free(R->ths);
    for (slong i = 0; i < k * k; i++) {
        arf_clear(R->H + i);
        arf_clear(R->Y + i);
    }
    flint_free(R->H);
    flint_free(R->Y);
    _arb_vec_clear(R->V, k * n);
    _arb_vec_clear(R->W, k * n);
    _arb_vec_clear(R->T, k * n);
    _arb_vec_clear(R->vb, n);
    arf_clear(R->a), arf_clear(R->rmax), arf_clear(R->thb), arf_clear(R->errb), arf_clear(R->rt);
}

/* Orthonormalises V (modified Gram–Schmidt at wp). */
static void orthonormalise(refine_t *R)
{
    const slong n = R->n, k = R->k, wp = R->wp;
    arb_ptr V = R->V;
    arf_struct *a = R->a;
    for (slong j = 0; j < k; j++) {
        for (slong i = 0; i < j; i++) {
            dot_approx(a, V + i * n, V + j * n, n, wp);
            arf_neg(a, a);
            axpy_approx(V + j * n, a, V + i * n, n, wp);
        }
        dot_approx(a, V + j * n, V + j * n, n, wp);
        arf_rsqrt(a, a, wp, ARF_RND_NEAR);
        for (slong i = 0; i < n; i++)
            arf_mul(arb_midref(V + j * n + i), arb_midref(V + j * n + i), a, wp, ARF_RND_NEAR);
    }
}

/* Ritz pairs: H = Vᵀ A V = Y Θ Yᵀ, V ← V Y, W = A V. */
static void ritz_pairs(refine_t *R)
{
    const slong n = R->n, k = R->k, wp = R->wp;
    arb_ptr V = R->V, W = R->W, T = R->T;
    arf_struct *H = R->H, *Y = R->Y, *a = R->a;
    for (slong j = 0; j < k; j++)
        matvec_approx(W + j * n, R->A, V + j * n, wp);
    for (slong i = 0; i < k; i++)
        for (slong j = 0; j <= i; j++) {
            dot_approx(H + i * k + j, V + i * n, W + j * n, n, wp);
            if (j < i) { /* symmetrise */
                dot_approx(a, V + j * n, W + i * n, n, wp);
                arf_add(H + i * k + j, H + i * k + j, a, wp, ARF_RND_NEAR);
                arf_mul_2exp_si(H + i * k + j, H + i * k + j, -1);
                arf_set(H + j * k + i, H + i * k + j);
            }
        }
    jacobi(H, Y, k, wp);
    for (arb_ptr X = V;; X = W) {
        for (slong j = 0; j < k; j++)
            for (slong l = 0; l < n; l++) {
                arb_t s;
                arb_init(s);
                for (slong i = 0; i < k; i++)
                    arf_addmul(arb_midref(s), arb_midref(X + i * n + l), Y + i * k + j, wp, ARF_RND_NEAR);
                arf_set(arb_midref(T + j * n + l), arb_midref(s));
                arb_clear(s);
            }
        _arb_vec_set(X, T, k * n);
        if (X == W)
            break;
    }
}

/* The Ritz value at the end of the spectrum that t names. */
static slong end_ritz_index(const refine_t *R, slong t)
{
    const slong k = R->k;
    slong jt = 0;
    for (slong j = 1; j < k; j++)
        if ((t == 0) == (arf_cmp(R->H + j * k + j, R->H + jt * k + jt) < 0))
            jt = j;
    return jt;
}

/* Residuals r_j = A v_j − θ_j v_j, in W, and rmax = max ‖r_j‖∞. */
static void residuals(refine_t *R)
{
    const slong n = R->n, k = R->k, wp = R->wp;
    arf_struct *a = R->a;
    arf_zero(R->rmax);
    for (slong j = 0; j < k; j++) {
        arf_neg(a, R->H + j * k + j);
        axpy_approx(R->W + j * n, a, R->V + j * n, n, wp);
        for (slong i = 0; i < n; i++) {
            arf_abs(a, arb_midref(R->W + j * n + i));
            if (arf_cmp(a, R->rmax) > 0)
                arf_set(R->rmax, a);
        }
    }
}

/* err ≈ min(‖r‖, ‖r‖²/gap) in true units, ‖r‖₂ ≤ √n ‖r‖∞; gap to the other
 * Ritz values and to the eigenvalues outside the cluster */
static void error_estimate(refine_t *R, arf_t err, const arf_t theta, slong jt)
{
    const dspec_t *S = R->S;
    const slong n = R->n, k = R->k;
    arf_struct *a = R->a, *rt = R->rt;
    double gap = INFINITY, tt;
    arf_mul_2exp_si(a, theta, -S->e);
    tt = arf_get_d(a, ARF_RND_NEAR);
    for (slong j = 0; j < k; j++)
        if (j != jt) {
            arf_mul_2exp_si(a, R->H + j * k + j, -S->e);
            gap = fmin(gap, fabs(arf_get_d(a, ARF_RND_NEAR) - tt));
        }
    for (slong l = 0; l < n; l++)
        if (l < R->c0 || l > R->c1)
            gap = fmin(gap, fabs(S->lam[l] - tt));
    arf_zero(rt);
    for (slong i = 0; i < n; i++) {
        arf_abs(a, arb_midref(R->W + jt * n + i));
        if (arf_cmp(a, rt) > 0)
            arf_set(rt, a);
    }
    arf_mul_ui(rt, rt, (ulong)ceil(sqrt((double)n)), 53, ARF_RND_CEIL);
    arf_set(err, rt);
    if (isfinite(gap) && gap > 0.0) {
        arf_t g;
        arf_init(g);
        arf_set_d(g, gap);
        arf_mul_2exp_si(g, g, S->e);
        arf_mul(a, rt, rt, 53, ARF_RND_CEIL);
        arf_div(a, a, g, 53, ARF_RND_CEIL);
        if (arf_cmp(a, err) < 0)
            arf_set(err, a);
        arf_clear(g);
    }
}

/* Corrections δ_j = −Q (Λ − θ_j)⁺ Qᵀ r_j outside the cluster, scaled units (the residuals by 2^-er). */
static void newton_corrections(refine_t *R, slong er)
{
    const dspec_t *S = R->S;
    const slong n = R->n, k = R->k, wp = R->wp;
    arf_struct *a = R->a;
    double *rd = R->rd, *y = R->y, *dd = R->dd, *ths = R->ths;
    for (slong j = 0; j < k; j++) {
        arf_mul_2exp_si(a, R->H + j * k + j, -S->e);
        ths[j] = arf_get_d(a, ARF_RND_NEAR);
    }
    for (slong j = 0; j < k; j++) {
        for (slong i = 0; i < n; i++) {
            arf_mul_2exp_si(a, arb_midref(R->W + j * n + i), -er);
            rd[i] = arf_get_d(a, ARF_RND_NEAR);
        }
        cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)n, 1.0, S->Q, (int)n, rd, 1, 0.0, y, 1);
        for (slong l = 0; l < n; l++) {
            double dl = S->lam[l] - ths[j];
            if ((l >= R->c0 && l <= R->c1) || dl == 0.0)
                y[l] = 0.0;
            else
                y[l] /= dl;
        }
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)n, -1.0, S->Q, (int)n, y, 1, 0.0, dd, 1);
        for (slong i = 0; i < n; i++) {
            if (dd[i] == 0.0 || !isfinite(dd[i]))
                continue;
            arf_set_d(a, dd[i]);
            arf_mul_2exp_si(a, a, er - S->e);
            arf_add(arb_midref(R->V + j * n + i), arb_midref(R->V + j * n + i), a, wp, ARF_RND_NEAR);
        }
    }
}

/* The refinement steps, until converged or stalled; leaves the best pair seen in (v, theta, err). */
static void refine_iterate(refine_t *R, arb_ptr v, arf_t theta, arf_t err, slong t)
{
    const slong n = R->n, k = R->k, wp = R->wp;
    double prev = INFINITY;
    int slow = 0;
    const int maxit = 12 + (int)(wp / 8);
    R->best = INFINITY;
    for (int it = 0;; it++) {
        orthonormalise(R);
        ritz_pairs(R);
        slong jt = end_ritz_index(R, t);
        residuals(R);
        arf_set(theta, R->H + jt * k + jt);
        _arb_vec_set(v, R->V + jt * n, n);
        if (arf_is_zero(R->rmax)) { /* exact eigenvectors */
            arf_zero(err);
            R->best = -INFINITY;
            _arb_vec_set(R->vb, v, n);
            arf_set(R->thb, theta);
            arf_zero(R->errb);
            break;
        }
        slong er = arf_abs_bound_lt_2exp_si(R->rmax);
        double rel = (double)(er - R->S->e); /* log2(‖r‖∞ / ‖A‖), roughly */
        error_estimate(R, err, theta, jt);
        if (rel < R->best) { /* keep the best pair seen: a step may make things worse */
            R->best = rel;
            _arb_vec_set(R->vb, v, n);
            arf_set(R->thb, theta);
            arf_set(R->errb, err);
        }
        if (rel < -(double)wp + 4.0 || it >= maxit)
            break;
        if (rel > prev - 1.0) {
            if (++slow >= 3)
                break; /* no progress: keep the best */
        } else
            slow = 0;
        prev = rel;
        newton_corrections(R, er);
    }
    if (R->best < INFINITY) {
        _arb_vec_set(v, R->vb, n);
        arf_set(theta, R->thb);
        arf_set(err, R->errb);
    }
    for (slong i = 0; i < n; i++)
        mag_zero(arb_radref(v + i)); /* v is an exact test vector */
}

/*
 * Refines the eigenpair with index t (0 or n−1) of the double decomposition
 * to working precision wp: v (exact midpoints, radius 0), theta ≈ vᵀAv/vᵀv,
 * and err, an estimate (not a bound) of |θ − λ_t|.
 *
 * The eigenvalues the double decomposition cannot separate from λ_t (its
 * cluster C) are refined together: each step orthonormalises the basis V of
 * the cluster, takes Ritz pairs of A on span V at precision wp (Jacobi), and
 * applies to each Ritz vector the Newton correction
 * δ_j = −Q (Λ − θ_j)⁺ Qᵀ r_j restricted to the complement of C, with the
 * double spectral decomposition Q Λ Qᵀ. Each step gains about
 * log2(gap/(u‖A‖)) bits; inside the cluster the Ritz step resolves what the
 * double decomposition cannot.
 */
static void refine(arb_ptr v, arf_t theta, arf_t err, const arb_mat_t A, const dspec_t *S, slong t,
                   slong wp)
{
    refine_t R;
    if (refine_init(&R, v, theta, err, A, S, t, wp))
        refine_iterate(&R, v, theta, err, t);
    refine_clear(&R);
}

/* Ball enclosing vᵀXv / vᵀv for all X in A (v exact). */
static void rayleigh(arb_t rq, const arb_mat_t A, arb_srcptr v, slong prec)
{
    const slong n = arb_mat_nrows(A);
    arb_ptr w = _arb_vec_init(n);
    arb_t num, den;
    arb_init(num);
    arb_init(den);
    for (slong i = 0; i < n; i++)
        arb_dot(w + i, NULL, 0, arb_mat_entry(A, i, 0), 1, v, 1, n, prec);
    arb_dot(num, NULL, 0, v, 1, w, 1, n, prec);
    arb_dot(den, NULL, 0, v, 1, v, 1, n, prec);
    arb_div(rq, num, den, prec);
    arb_clear(num);
    arb_clear(den);
    _arb_vec_clear(w, n);
}

/*
 * Largest certified μ = θ − δ with λ_min(sign·X) > μ for all X (sign = +1), or
 * the smallest certified μ = θ + δ with λ_max(X) < μ (sign = −1), where
 * δ = base + extra and base is backed off geometrically from base0 while
 * δ ≤ cap. extra covers the radii of A. Returns 1 and sets mu on success.
 */
static int shift_search(arf_t mu, const arb_mat_t A, int sign, const arf_t theta,
                        const arf_t base0, const arf_t extra, const arf_t cap, slong prec)
{
    arf_t b, d;
    arb_t m;
    int ok = 0;
    slong step = prec / 16 > 8 ? prec / 16 : 8;
    arf_init(b);
    arf_init(d);
    arb_init(m);
    arf_set(b, base0);
    arf_add(d, b, extra, 53, ARF_RND_CEIL);
    for (int tries = 0; tries < 24 && !ok && arf_cmp(d, cap) <= 0; tries++) {
        if (sign > 0)
            arf_sub(arb_midref(m), theta, d, prec, ARF_RND_FLOOR);
        else
            arf_add(arb_midref(m), theta, d, prec, ARF_RND_CEIL);
        mag_zero(arb_radref(m));
        /* sign = −1: −X − (−μ)I ≻ 0  ⇔  λ_max(X) < μ */
        if (sign < 0)
            arf_neg(arb_midref(m), arb_midref(m));
        ok = shift_check(A, sign, arb_midref(m), prec);
        if (sign < 0)
            arf_neg(arb_midref(m), arb_midref(m));
        if (ok)
            arf_set(mu, arb_midref(m));
        arf_mul_2exp_si(b, b, step);
        arf_add(d, b, extra, 53, ARF_RND_CEIL);
    }
    arf_clear(b);
    arf_clear(d);
    arb_clear(m);
    return ok;
}

/* What plstar_ref_eig_bounds narrows, λ_min ∈ [lo_min, hi_min] and λ_max ∈ [lo_max, hi_max], and its working values. */
typedef struct {
    slong n;
    arf_t lo_min, hi_min, lo_max, hi_max;
    arf_t rmax;  /* ≥ ‖X − mid(A)‖₂ */
    arf_t s;     /* spectral scale max|λ| (true units), for relative margins */
    arf_t cap;   /* the largest shift distance δ tried */
    arf_t extra; /* the part of δ that covers the radii */
    arf_t th, err, d0, mu, x;
    arb_t rq;
    arb_ptr v;
} eig_search_t;

/* Allocates the enclosures and working values for an n×n matrix. */
static void eig_search_init(eig_search_t *E, slong n)
{
    E->n = n;
    E->v = _arb_vec_init(n);
    arf_init(E->lo_min);
    arf_init(E->hi_min);
    arf_init(E->lo_max);
    arf_init(E->hi_max);
    arf_init(E->th);
    arf_init(E->err);
    arf_init(E->d0);
    arf_init(E->cap);
    arf_init(E->mu);
    arf_init(E->s);
    arf_init(E->rmax);
    arf_init(E->x);
    arf_init(E->extra);
    arb_init(E->rq);
}

/* Frees what eig_search_init allocated. */
static void eig_search_clear(eig_search_t *E)
{
    _arb_vec_clear(E->v, E->n);
    arf_clear(E->lo_min);
    arf_clear(E->hi_min);
    arf_clear(E->lo_max);
    arf_clear(E->hi_max);
    arf_clear(E->th);
    arf_clear(E->err);
    arf_clear(E->d0);
    arf_clear(E->cap);
    arf_clear(E->mu);
    arf_clear(E->s);
    arf_clear(E->rmax);
    arf_clear(E->x);
    arf_clear(E->extra);
    arb_clear(E->rq);
}

/* The enclosures start from Gershgorin's discs and the diagonal (cheap_bounds). */
static void eig_search_start(eig_search_t *E, const arb_mat_t A, slong prec)
{
    arf_t glo, ghi, dlo, dhi;
    arf_init(glo);
    arf_init(ghi);
    arf_init(dlo);
    arf_init(dhi);
    cheap_bounds(glo, ghi, dlo, dhi, A, prec);
    arf_set(E->lo_min, glo);
    arf_set(E->hi_min, dhi);
    arf_set(E->lo_max, dlo);
    arf_set(E->hi_max, ghi);
    arf_clear(glo);
    arf_clear(ghi);
    arf_clear(dlo);
    arf_clear(dhi);
}

/* rmax ≥ max_i Σ_j rad(A_ij) ≥ ‖X − mid(A)‖₂: what the radii cost (Weyl) */
static void radii_norm(arf_t rmax, const arb_mat_t A)
{
    const slong n = arb_mat_nrows(A);
    mag_t row, big;
    mag_init(row);
    mag_init(big);
    for (slong i = 0; i < n; i++) {
        mag_zero(row);
        for (slong j = 0; j < n; j++)
            mag_add(row, row, arb_radref(arb_mat_entry(A, i, j)));
        mag_max(big, big, row);
    }
    arf_set_mag(rmax, big);
    mag_clear(row);
    mag_clear(big);
}

/* The scales of the shift search, from the double spectrum and the radii. */
static void eig_search_scales(eig_search_t *E, const dspec_t *S)
{
    const slong n = E->n;
    /* spectral scale s = max|λ| (true units), used for relative margins */
    arf_set_d(E->s, fmax(fabs(S->lam[0]), fabs(S->lam[n - 1])));
    arf_mul_2exp_si(E->s, E->s, S->e);
    if (arf_cmp(E->rmax, E->s) > 0)
        arf_set(E->s, E->rmax);
    arf_mul_2exp_si(E->cap, E->s, 2);
    /* δ = base + 1.25·rmax: the radii part is not backed off */
    arf_mul_ui(E->extra, E->rmax, 5, 53, ARF_RND_CEIL);
    arf_mul_2exp_si(E->extra, E->extra, -2);
}

/* Narrows the enclosure at one end of the spectrum (side 0: λ_min, 1: λ_max) from a refined eigenpair. */
static void eig_search_side(eig_search_t *E, const arb_mat_t A, const dspec_t *S, int side, slong prec,
                            slong wp)
{
    const slong n = E->n;
    const slong t = side == 0 ? 0 : n - 1;
    const int sign = side == 0 ? 1 : -1;
    refine(E->v, E->th, E->err, A, S, t, wp);

    /* Rayleigh quotient: upper bound of λ_min / lower bound of λ_max */
    rayleigh(E->rq, A, E->v, wp);
    if (arb_is_finite(E->rq)) {
        if (sign > 0) {
            arb_get_ubound_arf(E->x, E->rq, prec);
            if (arf_cmp(E->x, E->hi_min) < 0)
                arf_set(E->hi_min, E->x);
        } else {
            arb_get_lbound_arf(E->x, E->rq, prec);
            if (arf_cmp(E->x, E->lo_max) > 0)
                arf_set(E->lo_max, E->x);
        }
    }

    /* first δ: above the estimate's error and the working precision */
    arf_mul_2exp_si(E->d0, E->err, 2);
    slong lg = 0;
    while (lg < 62 && (((slong)1) << lg) < n)
        lg++;
    arf_mul_2exp_si(E->x, E->s, -(prec - lg - 8));
    if (arf_cmp(E->x, E->d0) > 0)
        arf_set(E->d0, E->x);
    if (arf_is_zero(E->d0) || !arf_is_finite(E->d0))
        return;

    if (shift_search(E->mu, A, sign, E->th, E->d0, E->extra, E->cap, prec)) {
        if (sign > 0) {
            if (arf_cmp(E->mu, E->lo_min) > 0)
                arf_set(E->lo_min, E->mu);
        } else {
            if (arf_cmp(E->mu, E->hi_max) < 0)
                arf_set(E->hi_max, E->mu);
        }
    }
}

/* The enclosures as balls, with λ_min ≤ λ_max imposed; inconsistent ones are a software error. */
static int eig_search_result(arb_t lambda_min, arb_t lambda_max, eig_search_t *E, slong prec)
{
    /* λ_min ≤ λ_max */
    if (arf_cmp(E->hi_max, E->hi_min) < 0)
        arf_set(E->hi_min, E->hi_max);
    if (arf_cmp(E->lo_min, E->lo_max) > 0)
        arf_set(E->lo_max, E->lo_min);

    if (arf_cmp(E->lo_min, E->hi_min) > 0 || arf_cmp(E->lo_max, E->hi_max) > 0)
        return plstar_error(PLSTAR_ESOFTWARE, "plstar_ref_eig_bounds: inconsistent enclosures");
    arb_set_interval_arf(lambda_min, E->lo_min, E->hi_min, prec);
    arb_set_interval_arf(lambda_max, E->lo_max, E->hi_max, prec);
    return arb_is_finite(lambda_min) && arb_is_finite(lambda_max) ? PLSTAR_OK : PLSTAR_INCONCLUSIVE;
}

int plstar_ref_eig_bounds(arb_t lambda_min, arb_t lambda_max, const arb_mat_t A, slong prec)
{
    int st = check_matrix(A, prec, "plstar_ref_eig_bounds");
    if (st)
        return st;
    if (!arb_mat_is_finite(A))
        return plstar_error(PLSTAR_EDATA, "plstar_ref_eig_bounds: matrix has non-finite entries");

    const slong n = arb_mat_nrows(A);
    const slong wp = prec + 20;
    eig_search_t E;
    eig_search_init(&E, n);
    eig_search_start(&E, A, prec);
    radii_norm(E.rmax, A);

    dspec_t S;
    if (n > 1 && dspec_init(&S, A)) {
        eig_search_scales(&E, &S);
        for (int side = 0; side < 2; side++)
            eig_search_side(&E, A, &S, side, prec, wp);
        dspec_clear(&S);
    } else if (n == 1) {
        /* the 1×1 case is exact: λ = x_00 */
        arb_get_lbound_arf(E.lo_min, arb_mat_entry(A, 0, 0), prec);
        arb_get_ubound_arf(E.hi_min, arb_mat_entry(A, 0, 0), prec);
        arf_set(E.lo_max, E.lo_min);
        arf_set(E.hi_max, E.hi_min);
    }

    st = eig_search_result(lambda_min, lambda_max, &E, prec);
    eig_search_clear(&E);
    return st;
}

int plstar_ref_norm2_sym_upper(arb_t bound, const arb_mat_t A, slong prec)
{
    arb_t lmin, lmax;
    arf_t lo, hi, t;
    mag_t fro;
    arb_init(lmin);
    arb_init(lmax);
    arf_init(lo);
    arf_init(hi);
    arf_init(t);
    mag_init(fro);

    int st = plstar_ref_eig_bounds(lmin, lmax, A, prec);
    if (st == PLSTAR_OK || st == PLSTAR_INCONCLUSIVE) {
        /* ‖X‖₂ = max(−λ_min, λ_max) ≤ max(−lower(λ_min), upper(λ_max)) */
        arb_get_lbound_arf(t, lmin, prec);
        arf_neg(hi, t);
        arb_get_ubound_arf(t, lmax, prec);
        if (arf_cmp(t, hi) > 0)
            arf_set(hi, t);
        /* ‖X‖₂ ≤ ‖X‖_F, which arb bounds over the whole ball */
        arb_mat_bound_frobenius_norm(fro, A);
        arf_set_mag(t, fro);
        if (arf_cmp(t, hi) < 0)
            arf_set(hi, t);
        /* ‖X‖₂ ≥ max(λ_max, −λ_min, 0) */
        arb_get_lbound_arf(lo, lmax, prec);
        arb_get_ubound_arf(t, lmin, prec);
        arf_neg(t, t);
        if (arf_cmp(t, lo) > 0)
            arf_set(lo, t);
        if (arf_sgn(lo) < 0)
            arf_zero(lo);
        if (arf_cmp(lo, hi) > 0)
            st = plstar_error(PLSTAR_ESOFTWARE, "plstar_ref_norm2_sym_upper: inconsistent enclosures");
        else {
            arb_set_interval_arf(bound, lo, hi, prec);
            st = arb_is_finite(bound) ? PLSTAR_OK : PLSTAR_INCONCLUSIVE;
        }
    }
    arb_clear(lmin);
    arb_clear(lmax);
    arf_clear(lo);
    arf_clear(hi);
    arf_clear(t);
    mag_clear(fro);
    return st;
}

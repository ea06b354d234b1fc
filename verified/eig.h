/*
 * verified/eig.h — verified spectral bounds for symmetric matrices in double precision.
 *
 * Certifies docs/theory.md §7 for the quantities λ_min and λ_max of a symmetric
 * matrix (the tangent kernel K of §1, the uniform-conditioning constant of §2).
 * plstar_verified_spd_shift_check, plstar_verified_lambda_min and plstar_verified_eig_bounds give
 * floating-point VERIFIED bounds: every bound is a theorem about the exact real
 * matrix, proven with an a-priori rounding-error analysis. (LAPACK's own,
 * uncertified eigenvalues are plstar_fast_eig_lapack, fast/eig.h.)
 *
 * Lower bound on λ_min (and, for −A, upper bound on λ_max). A successful
 * floating-point Cholesky factorisation of a suitably shifted matrix proves
 * positive definiteness:
 *
 *   S. M. Rump, "Verification of positive definiteness", BIT Numer. Math. 46
 *   (2006) 433–452, Theorem 2.3 (machine-checked in Coq by P. Roux, "Formal
 *   proofs of rounding error bounds", J. Automated Reasoning, 2016).
 *   Let Ã = Ãᵀ be an n×n binary64 matrix, 2(n+1)u < 1, u = 2⁻⁵³, η = 2⁻¹⁰⁷⁴,
 *   maxdiag ≥ max ã_ii. If the floating-point Cholesky factorisation of Ã
 *   (rounding to nearest, gradual underflow) runs to completion with factor
 *   R̃, then |Ã − R̃ᵀR̃| ≤ Δ entrywise, hence xᵀÃx > −|x|ᵀΔ|x| for all x ≠ 0,
 *   where (0-based indices)
 *     Δ_ij = γ_{min(i,j)+2} d_i d_j + 4η(n + 1 + maxdiag),
 *     d_j  = sqrt((ã_jj + 2jη) / (1 − γ_{j+2})),   γ_k = ku/(1 − ku).
 *   The bound holds for any order of evaluation of the inner products, so a
 *   blocked, multithreaded LAPACK dpotrf qualifies; fused multiply-adds only
 *   remove roundings, and dividing by r̃_ii through a precomputed reciprocal
 *   adds one rounding to entry (i, j), i < j, whose inner product has i terms
 *   and needs γ_{i+2} ≤ γ_{min(i,j)+2} — already in Δ.
 *
 * Corollary used here (cf. Rump's Corollaries 2.4 and 2.7): let c ≥ ρ(Δ)
 * (a Collatz–Wielandt bound, rounded outwards), and let X be
 * any real symmetric matrix with |X_ij − a_ij| ≤ rad. If Ã equals A off the
 * diagonal, ã_ii ≤ a_ii − t with t ≥ μ + c + n·rad, and the Cholesky of Ã
 * succeeds, then for x ≠ 0
 *     xᵀXx ≥ xᵀÃx + t‖x‖² − rad‖x‖₁² > (−c + t − n·rad)‖x‖² ≥ μ‖x‖²,
 * i.e. λ_min(X) > μ (the interval part is Weyl's inequality with
 * ‖X − A‖₂ ≤ n·rad).
 *
 * Upper bound on λ_min (lower bound on λ_max): the Rayleigh quotient
 * λ_min(X) ≤ vᵀXv / vᵀv of an approximate eigenvector v, evaluated in floating
 * point with the a-priori bound |fl(xᵀy) − xᵀy| ≤ γ_n|x|ᵀ|y| + nη (Higham,
 * Accuracy and Stability of Numerical Algorithms, 2nd ed., §3.1, with gradual
 * underflow), plus rad‖v‖₁² for the interval part.
 *
 * The approximate eigenvalue that positions the shift comes from a short
 * Lanczos run, one Cholesky factorisation at a shift below it, shift-and-invert
 * Lanczos with that factor, and a second, tight Cholesky — no eigen-solve.
 * Soundness never depends on these estimates: a wrong estimate only makes the
 * Cholesky fail, and the search backs off.
 *
 * Conventions and assumptions. A is row-major n×n; only its lower triangle
 * (j ≤ i) is read, and it stands for the symmetric matrix it defines. The
 * calling thread must round to nearest with gradual underflow (checked), and
 * so must the BLAS worker threads (OpenBLAS creates them when it is loaded, in
 * the default environment; plstar never changes the rounding mode). rad ≥ 0 is
 * a bound on |X_ij − a_ij| for the matrices X the result must hold for (0 for
 * an exact double matrix).
 */
#ifndef PLSTAR_VERIFIED_EIG_H
#define PLSTAR_VERIFIED_EIG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The argument checks every function here makes, for callers on the same
 * matrices: PLSTAR_EUSAGE (NULL, empty, order too large, rad not finite or
 * negative), PLSTAR_EDATA (NaN/Inf in the lower triangle), PLSTAR_ESOFTWARE
 * (the rounding mode is not round-to-nearest), each with a message naming fn. */
int plstar_verified_matrix_check(const double *A, size_t n, double rad, const char *fn);

/* 1 when it PROVES λ_min(X) > mu for every symmetric X with |X − A| ≤ rad
 * (one shifted Cholesky), 0 otherwise (not proven, or bad arguments — then a
 * message is recorded). */
int plstar_verified_spd_shift_check(const double *A, size_t n, double rad, double mu);

/* A verified lower bound: *lower ≤ λ_min(X) for every symmetric X with
 * |X − A| ≤ rad. mu_hint: a value to try first (e.g. the μ a caller wants
 * certified; when it certifies, *lower = mu_hint and no estimate is computed),
 * or NaN for none. Returns PLSTAR_OK with a finite *lower, PLSTAR_INCONCLUSIVE
 * when no finite bound could be proven (*lower = −∞), PLSTAR_EUSAGE,
 * PLSTAR_EDATA (NaN/Inf entries) or PLSTAR_ESOFTWARE. */
int plstar_verified_lambda_min(double *lower, const double *A, size_t n, double rad,
                             double mu_hint);

/* Verified intervals: lmin[0] ≤ λ_min(X) ≤ lmin[1] and lmax[0] ≤ λ_max(X) ≤ lmax[1]
 * for every symmetric X with |X − A| ≤ rad. Returns PLSTAR_OK when all four
 * bounds are finite, PLSTAR_INCONCLUSIVE when some are infinite (still valid),
 * or an error status as above. */
int plstar_verified_eig_bounds(double lmin[2], double lmax[2], const double *A, size_t n,
                             double rad);

#ifdef __cplusplus
}
#endif

#endif

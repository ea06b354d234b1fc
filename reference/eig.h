/*
 * reference/eig.h — certified spectral bounds for symmetric ball matrices (Arb).
 *
 * Certifies THEORY.md §7 for λ_min and λ_max (and ‖·‖₂) of symmetric matrices:
 * the tangent kernel's uniform-conditioning constant λ_min(K) of §2, its
 * condition number κ = λ_max/λ_min, and the norms used in §3.
 *
 * Every result holds for EVERY real symmetric matrix X contained in the ball
 * matrix A (X_ij ∈ A_ij for all i, j). A need not have a symmetric midpoint.
 *
 * Positive definiteness (ref_spd_shift_check). A Cholesky factorisation
 * carried out in ball arithmetic on the lower triangle of A − μI. Ball
 * arithmetic encloses: for every symmetric X in A, each quantity of the exact
 * Cholesky factorisation of X − μI lies in the ball computed for it. If every
 * pivot ball is strictly positive, the exact factorisation of every such X
 * completes with positive pivots, so X − μI ≻ 0, i.e. λ_min(X) > μ.
 * (Only the lower triangle is read, which suffices: a symmetric X in A has
 * X_ij ∈ A_ij for i ≥ j.) This was preferred to an approximate factor plus a
 * residual bound and Weyl's inequality: that needs a high-precision factor
 * and a high-precision residual product, costing as much, while the ball
 * factorisation is a one-line argument and is as tight at working precision.
 *
 * Eigenvalue enclosures (ref_eig_bounds), for λ_min (λ_max is the same on −A):
 *  - an approximate eigenpair: LAPACK dsyevd on the double midpoints, then
 *    Newton-type refinement at the working precision: the residual
 *    r = Av − θv is formed at precision prec, and the correction equation
 *    (A − θI)δ = −r, δ ⊥ the eigenvalue's cluster, is solved with the double
 *    spectral decomposition. Each step gains about log2(gap/(u‖A‖)) bits.
 *  - upper bound: λ_min(X) ≤ vᵀXv / vᵀv (Courant–Fischer), evaluated in ball
 *    arithmetic with v exact, so it holds for all X in A at once;
 *  - lower bound: the largest μ = θ − δ that ref_spd_shift_check proves, with δ
 *    backed off geometrically from a size set by the precision.
 * If a step fails, Gershgorin's theorem (λ_min(X) ≥ min_i (x_ii − Σ_{j≠i} |x_ij|))
 * and the diagonal (λ_min ≤ min_i x_ii) still give valid, wider enclosures.
 *
 * Widths shrink with prec: for well-conditioned matrices of exact double
 * entries they are far below 1e-20·‖A‖ at 256 bits.
 */
#ifndef PLSTAR_REFERENCE_EIG_H
#define PLSTAR_REFERENCE_EIG_H

#include <arb_mat.h>

/* 1 when it PROVES that X − μI ≻ 0 for every symmetric X in A (i.e.
 * λ_min(X) > μ), 0 otherwise (not proven; or A is not square or is empty, in
 * which case a message is recorded). */
int ref_spd_shift_check(const arb_mat_t A, const arb_t mu, slong prec);

/* lambda_min, lambda_max: balls containing λ_min(X), λ_max(X) for every
 * symmetric X in A. Returns PLSTAR_OK (enclosures finite), PLSTAR_INCONCLUSIVE
 * (valid but infinite enclosures), PLSTAR_EUSAGE (not square, empty, prec too
 * small), PLSTAR_EDATA (non-finite entries) or PLSTAR_ESOFTWARE. */
int ref_eig_bounds(arb_t lambda_min, arb_t lambda_max, const arb_mat_t A, slong prec);

/* bound: a ball containing ‖X‖₂ = max(|λ_min(X)|, |λ_max(X)|) for every
 * symmetric X in A; its upper endpoint is the certified upper bound (the
 * smaller of the spectral bound and ‖A‖_F). Status as ref_eig_bounds. */
int ref_norm2_sym_upper(arb_t bound, const arb_mat_t A, slong prec);

#endif

/*
 * reference/eig.h — certified spectral bounds for symmetric ball matrices (Arb).
 *
 * Certifies docs/theory.md §7 for λ_min and λ_max (and ‖·‖₂) of symmetric matrices:
 * the tangent kernel's uniform-conditioning constant λ_min(K) of §2, its
 * condition number κ = λ_max/λ_min, and the norms used in §3.
 *
 * Every result holds for EVERY real symmetric matrix X contained in the ball
 * matrix A (X_ij ∈ A_ij for all i, j). A need not have a symmetric midpoint.
 *
 * Positive definiteness (plstar_ref_spd_shift_check). With L an approximate
 * Cholesky factor of A − σI at the working precision, σ ≥ μ + τ, the
 * residual E_X = X − σI − LLᵀ is enclosed in ball arithmetic for every
 * symmetric X in A, and X − μI = LLᵀ + (σ − μ)I + E_X ⪰ (τ − ‖E_X‖₂) I
 * (LLᵀ ⪰ 0, Weyl). It is proven positive definite, λ_min(X) > μ, when the
 * rigorous bound on ‖E_X‖₂ is below τ. The residual is first order in
 * 2^-prec, so shifts within about n·2^-prec·‖A‖ of λ_min certify; a Cholesky
 * carried out directly in ball arithmetic loses half the precision (its radii
 * grow like ‖(A − μI)⁻¹‖) and costs the same.
 *
 * Eigenvalue enclosures (plstar_ref_eig_bounds), for λ_min (λ_max is the same on −A):
 *  - an approximate eigenpair: LAPACK dsyevd on the double midpoints, then
 *    Newton-type refinement at the working precision: the residual
 *    r = Av − θv is formed at precision prec, and the correction equation
 *    (A − θI)δ = −r, δ ⊥ the eigenvalue's cluster, is solved with the double
 *    spectral decomposition. Each step gains about log2(gap/(u‖A‖)) bits.
 *  - upper bound: λ_min(X) ≤ vᵀXv / vᵀv (Courant–Fischer), evaluated in ball
 *    arithmetic with v exact, so it holds for all X in A at once;
 *  - lower bound: the largest μ = θ − δ that plstar_ref_spd_shift_check proves, with δ
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

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when it PROVES that X − μI ≻ 0 for every symmetric X in A (i.e.
 * λ_min(X) > μ), 0 otherwise (not proven; or A is not square or is empty, in
 * which case a message is recorded). */
int plstar_ref_spd_shift_check(const arb_mat_t A, const arb_t mu, slong prec);

/* lambda_min, lambda_max: balls containing λ_min(X), λ_max(X) for every
 * symmetric X in A. Returns PLSTAR_OK (enclosures finite), PLSTAR_INCONCLUSIVE
 * (valid but infinite enclosures), PLSTAR_EUSAGE (not square, empty, prec too
 * small), PLSTAR_EDATA (non-finite entries) or PLSTAR_ESOFTWARE. */
int plstar_ref_eig_bounds(arb_t lambda_min, arb_t lambda_max, const arb_mat_t A, slong prec);

/* bound: a ball containing ‖X‖₂ = max(|λ_min(X)|, |λ_max(X)|) for every
 * symmetric X in A; its upper endpoint is the certified upper bound (the
 * smaller of the spectral bound and ‖A‖_F). Status as plstar_ref_eig_bounds. */
int plstar_ref_norm2_sym_upper(arb_t bound, const arb_mat_t A, slong prec);

#ifdef __cplusplus
}
#endif

#endif

/*
 * fast/hessian.h — the Hessian H_{F_r}(w) = ∂²f_k(w; x_i)/∂w² of one output
 * (docs/theory.md §1) in double precision: Hessian-vector products by
 * forward-over-backward differentiation (Pearlmutter's R-operator applied to
 * back-propagation), the full P × P matrix, and a Lanczos estimate of ‖H‖₂.
 * Not certified: these are the brute-force values that tests and the width
 * sweep compare with the certified bounds of reference/hessian.h.
 *
 * For a direction v (weight parts V⁽ˡ⁾, bias parts v_b⁽ˡ⁾) and one sample x:
 *   forward   ż⁽ˡ⁾ = (V⁽ˡ⁾α⁽ˡ⁻¹⁾ + W⁽ˡ⁾α̇⁽ˡ⁻¹⁾)/√s_l + v_b⁽ˡ⁾,  α̇⁽ˡ⁾ = σ′(z⁽ˡ⁾)∘ż⁽ˡ⁾,  α̇⁽⁰⁾ = 0,
 *   backward  ε⁽ᴸ⁺¹⁾ = e_k, δ⁽ˡ⁾ = σ′(z⁽ˡ⁾)∘ε⁽ˡ⁾, ε⁽ˡ⁻¹⁾ = W⁽ˡ⁾ᵀδ⁽ˡ⁾/√s_l,
 *             δ̇⁽ˡ⁾ = σ″(z⁽ˡ⁾)∘ż⁽ˡ⁾∘ε⁽ˡ⁾ + σ′(z⁽ˡ⁾)∘ε̇⁽ˡ⁾, ε̇⁽ˡ⁻¹⁾ = (V⁽ˡ⁾ᵀδ⁽ˡ⁾ + W⁽ˡ⁾ᵀδ̇⁽ˡ⁾)/√s_l,
 *   result    (Hv)_{W⁽ˡ⁾} = (δ̇⁽ˡ⁾α⁽ˡ⁻¹⁾ᵀ + δ⁽ˡ⁾α̇⁽ˡ⁻¹⁾ᵀ)/√s_l,  (Hv)_{b⁽ˡ⁾} = δ̇⁽ˡ⁾
 * (the derivative along v of the gradient δ⁽ˡ⁾α⁽ˡ⁻¹⁾ᵀ/√s_l, δ⁽ˡ⁾). Cost: about three
 * matrix-vector products per layer. Needs C² activations (σ″ of ReLU is taken
 * as 0, its value away from the kink).
 */
#ifndef PLSTAR_FAST_HESSIAN_H
#define PLSTAR_FAST_HESSIAN_H

#include <stddef.h>
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Forward and backward state at (w, x, k), reused by every product. */
typedef struct {
    const plstar_model *m;
    const double *w;
    size_t k;
    double **a;     /* a[0] = x, a[l+1] = α⁽ˡ⁾ */
    double **s1, **s2, **eps, **delta;
    double **adot, **zdot, **ddot, **edot;
} fast_hvp_state;

void plstar_fast_hvp_init(fast_hvp_state *s);
void plstar_fast_hvp_clear(fast_hvp_state *s);

/* Prepares products with the Hessian of output k at sample x (d values).
 * m and w must outlive the state. */
int plstar_fast_hvp_prepare(fast_hvp_state *s, const plstar_model *m, const double *x, size_t k, const double *w);

/* Hv (P) = H v (P). */
int plstar_fast_hvp(double *Hv, fast_hvp_state *s, const double *v);

/* The full Hessian (P × P, row-major, symmetrised) of output k at sample x. */
int plstar_fast_hessian_full(double *H, const plstar_model *m, const double *x, size_t k, const double *w);

/* An estimate of ‖H‖₂ = max |λ(H)| by `steps` Lanczos steps (no
 * reorthogonalisation; extreme Ritz values, which converge first) from a
 * seeded random start. A lower estimate in exact arithmetic. */
int plstar_fast_hessian_norm_lanczos(double *norm, const plstar_model *m, const double *x, size_t k, const double *w,
                                     size_t steps, unsigned long seed);

#ifdef __cplusplus
}
#endif

#endif

/*
 * fast/errbound.h — a-priori bounds on the rounding error of fast/network.c.
 *
 * Running error analysis (Higham, "Accuracy and Stability of Numerical
 * Algorithms", 2nd ed., §3.1 and Lemma 3.1): a dot product of length k computed
 * in any order, with or without FMA, satisfies |fl(xᵀy) − xᵀy| ≤ γ_k |x|ᵀ|y|,
 * γ_k = k·u/(1 − k·u), u = 2^-53. The bound is propagated layer by layer through
 * the same passes fast/network.c runs:
 *   forward   e_z = γ_{in+5} (s⁺|W||α̂| + |b|) + s⁺|W| e_α,
 *             e_α = e_σ(ẑ) + sup|σ′| e_z,   e_σ′ = e_σ′(ẑ) + sup|σ″| e_z
 *             (ReLU-type: a jump of σ′ is possible only where |ẑ| ≤ e_z),
 *   backward  e_G = γ_{out+3} s⁺|D̂||W| + s⁺ e_D|W|,  D = G∘σ′: e_D = u|D̂| + e_G|σ̂′| + (|Ĝ| + e_G) e_σ′,
 *   Jacobian  e_J = γ_4 s⁺|D̂||α̂| + s⁺(e_D|α̂| + (|D̂| + e_D) e_α),
 *   kernel    e_K = γ_P |Ĵ||Ĵ|ᵀ + |Ĵ| e_Jᵀ + e_J(|Ĵ| + e_J)ᵀ  (dsyrk of Ĵ),
 * where s⁺ ≥ 1/√s bounds the layer scale and e_σ, e_σ′ are the activation's
 * documented evaluation errors (core/activation.h, act_err_d). The bound
 * computations themselves round to nearest; every sum of k non-negative terms
 * is inflated by (1 + 2(k + 8)u) so the result is an upper bound. Underflow is
 * covered by a floor of 2^-1000 per entry. The bounds hold assuming the C
 * library meets the accuracy act_err_d states.
 */
#ifndef PLSTAR_FAST_ERRBOUND_H
#define PLSTAR_FAST_ERRBOUND_H

#include <stddef.h>
#include "core/model.h"

/* Requested outputs may be NULL: eF (N), eJ (N × P), eK (N × N), eloss, egrad (P).
 * eloss/egrad need the labels y. */
typedef struct {
    double *F, *J, *K, *loss, *grad;
} fast_errors;

int fast_errbound(fast_errors *out, const plstar_model *m, const double *X, size_t n,
                  const double *w, const double *y);

#endif

/*
 * reference/shallow.h — enclosures of K(w) and F(w) for the shallow network
 * f(w; x) = (1/√m) Σ_j v_j σ(w_jᵀx) (THEORY.md §5), streamed neuron by neuron so
 * that widths of 10^6 and more fit in memory (O(n² + n·d) balls, O(n·m) doubles):
 *     K_ik = (1/m) Σ_j σ′(w_jᵀx_i) σ′(w_jᵀx_k) · x_iᵀx_k,   F_i = (1/√m) Σ_j v_j σ(w_jᵀx_i).
 * Pre-activations come from one double GEMM with the a-priori bound
 * |fl(w_jᵀx_i) − w_jᵀx_i| ≤ γ_d |w_j|ᵀ|x_i| (Higham, Lemma 3.1 / §3.1), rounded up,
 * so every z_ij is a ball that contains the exact value; σ, σ′ and the sums are
 * then evaluated in Arb. The result is as rigorous as reference/network.h.
 */
#ifndef PLSTAR_REFERENCE_SHALLOW_H
#define PLSTAR_REFERENCE_SHALLOW_H

#include <arb_mat.h>
#include "core/model.h"

/* K: n × n, F: n × 1 (either may be NULL). The model must be "shallow". */
int ref_shallow_kernel_outputs(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n,
                               const double *w, slong prec);

/* K(w) (N × N) and, when F is not NULL, F(w) (N × 1) by the cheapest rigorous
 * route for the model: streamed for "shallow", reference/network.h otherwise. */
int ref_kernel_outputs_best(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n,
                            const double *w, slong prec);

#endif

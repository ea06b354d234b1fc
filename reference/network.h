/*
 * reference/network.h — the model in Arb ball arithmetic: enclosures of F(w),
 * DF(w), K(w) = DF DFᵀ, L(w) = ½‖F − y‖² and ∇L = DFᵀ(F − y) (docs/theory.md §1).
 *
 * Inputs are doubles and therefore exact; the 1/√s scalings are enclosed, not
 * rounded, so every output ball contains the exact real value. The kernel is
 * formed per layer as K = Σ_l s_l⁻¹ (D_l D_lᵀ) ∘ (A_{l−1} A_{l−1}ᵀ) (+ D_l D_lᵀ for
 * biases) — the same real number as DF DFᵀ, enclosed at lower cost. Mirrors
 * fast/network.h; rows are sample-major (i·c + k).
 */
#ifndef PLSTAR_REFERENCE_NETWORK_H
#define PLSTAR_REFERENCE_NETWORK_H

#include <arb_mat.h>
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PLSTAR_DEFAULT_PREC 128

typedef struct {
    size_t n, nlayers;
    arb_mat_struct *z, *a, *s1; /* per layer, n × out_l */
} ref_forward_state;

void plstar_ref_forward_init(ref_forward_state *s);
void plstar_ref_forward_clear(ref_forward_state *s);
int plstar_ref_forward(ref_forward_state *s, const plstar_model *m, const double *X, size_t n,
                       const double *w, slong prec);

/* Back-propagation as plstar_fast_backward: D[l] ((n·q) × out_l), initialised here
 * (arb_mat_clear each). `seeds` is (n·q) × c. */
int plstar_ref_backward(arb_mat_struct *D, const ref_forward_state *s, const plstar_model *m,
                        const double *w, const arb_mat_t seeds, size_t q, slong prec);

/* F: N × 1, J: N × P, K: N × N (all initialised by the caller with those shapes). */
int plstar_ref_outputs(arb_mat_t F, const plstar_model *m, const double *X, size_t n, const double *w, slong prec);
int plstar_ref_jacobian(arb_mat_t J, const plstar_model *m, const double *X, size_t n, const double *w, slong prec);
int plstar_ref_kernel(arb_mat_t K, const plstar_model *m, const double *X, size_t n, const double *w, slong prec);

/* K as plstar_ref_kernel and, when F is not NULL, the outputs F (N × 1) as
 * plstar_ref_outputs, from one forward pass. */
int plstar_ref_kernel_outputs(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n, const double *w,
                              slong prec);

/* loss, and grad (P × 1) when not NULL. */
int plstar_ref_loss_grad(arb_t loss, arb_mat_t grad, const plstar_model *m, const double *X, size_t n,
                         const double *w, const double *y, slong prec);

/* Copies a ball matrix to midpoint and radius arrays (row-major doubles):
 * mid rounded to nearest, rad rounded up and enlarged by |mid − exact mid|,
 * so that |true − mid| ≤ rad holds for the doubles. */
void plstar_ref_mat_to_doubles(double *mid, double *rad, const arb_mat_t A);

#ifdef __cplusplus
}
#endif

#endif

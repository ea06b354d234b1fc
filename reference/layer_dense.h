/*
 * reference/layer_dense.h — one dense layer's passes in Arb ball arithmetic, batched:
 *   affine    z = s^{-1/2} A_prev Wᵀ + b,  forward  α = σ(z), σ′(z) kept,
 *   signals   D = E ∘ σ′ (the seeds at the output, s^{-1/2} D W at a hidden layer),
 *   backward  D_prev = s^{-1/2} D W ∘ σ′_prev,
 *   gradient  ∇W = s^{-1/2} Dᵀ A_prev,  ∇b = Σ_i D[i, :],
 *   Jacobian  row r: ∂F_r/∂W = s^{-1/2} D[r, :]ᵀ A_prev[r/c, :],  ∂F_r/∂b = D[r, :]
 * (core/model.h; rows sample-major). W is an out × in ball matrix and b a ball
 * vector, so the exact point weights of reference/network.c and the ball
 * weights of validate's GD trajectory (proofs-checks/validate_trajectory.c) go through
 * the same Arb operations in the same order: equal inputs give equal balls.
 * The Hessian bounds (reference/hessian.c) stream W and use the entry-level
 * steps (ref_dense_affine_entry, ref_dense_signals). Mirrors fast/layer_dense.h.
 *
 * Internal to the library (not installed).
 */
#ifndef PLSTAR_REFERENCE_LAYER_DENSE_H
#define PLSTAR_REFERENCE_LAYER_DENSE_H

#include <stddef.h>
#include <arb_mat.h>
#include "core/model.h"

/* W (out × in, initialised by the caller): the double weights of layer l
 * (core/layout.h) as exact balls. */
void ref_dense_weights(arb_mat_t W, const plstar_model *m, size_t l, const double *w);

/* Layer l's bias from w as exact balls, NULL when it has none; freed with ref_dense_bias_clear. */
arb_ptr ref_dense_bias_init(const plstar_layer *L, const double *w);
void ref_dense_bias_clear(arb_ptr b, const plstar_layer *L);

/* z ← scale · z + b on one entry z = (A_prev Wᵀ)_ij, with b = b_j (NULL: no bias)
 * and scale = ref_layer_scale of the layer. */
void ref_dense_affine_entry(arb_t z, const arb_t scale, arb_srcptr b, slong prec);

/* z (n × out) = s^{-1/2} prev Wᵀ + b (b NULL: no bias); prev is n × in. */
void ref_dense_affine(arb_mat_t z, const plstar_layer *L, const arb_mat_t W, arb_srcptr b, const arb_mat_t prev,
                      slong prec);

/* ref_dense_affine, then a = σ(z) and s1 = σ′(z), all n × out. */
void ref_dense_forward(arb_mat_t z, arb_mat_t a, arb_mat_t s1, const plstar_layer *L, const arb_mat_t W,
                       arb_srcptr b, const arb_mat_t prev, slong prec);

/* D (R × width) = E ∘ σ′, row r of E against row r/q of s1 (n × width); D may be E. */
void ref_dense_signals(arb_ptr D, arb_srcptr E, arb_srcptr s1, size_t R, size_t q, size_t width, slong prec);

/* Back-propagation through layer L: Dprev (R × in) = s^{-1/2} D W ∘ σ′_prev, with
 * D (R × out) and row r against row r/q of s1prev (n × in). */
void ref_dense_backward(arb_mat_t Dprev, const arb_mat_t D, const plstar_layer *L, const arb_mat_t W,
                        const arb_mat_t s1prev, size_t q, slong prec);

/* The gradient of layer L from its signals D (n × out) and inputs prev (n × in):
 * s^{-1/2} Dᵀ prev at grad + w_offset, the column sums of D at grad + b_offset
 * when the layer has a bias. */
void ref_dense_gradient(arb_ptr grad, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev, slong prec);

/* Layer L's columns of the Jacobian J (n·c × P) from its unit-seed signals D
 * (n·c × out) and inputs prev (n × in). */
void ref_dense_jacobian(arb_mat_t J, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev, size_t c,
                        slong prec);

#endif

/*
 * reference/layer_pass.h — one layer's passes in Arb ball arithmetic, batched, for every layer kind
 * (layers/layer.h gives the kind's map A_l; the formulas below are the dense kind's, A_l = W):
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
 * steps (dense_affine_entry of layers/layer.h, ref_layer_signals). Mirrors fast/layer_pass.h.
 *
 * Internal to the library (not installed).
 */
#ifndef PLSTAR_REFERENCE_LAYER_PASS_H
#define PLSTAR_REFERENCE_LAYER_PASS_H

#include <stddef.h>
#include <arb_mat.h>
#include "core/model.h"

/* W (out × in, initialised by the caller): the double weights of layer l
 * (core/layout.h) as exact balls. */
void ref_layer_weights(arb_mat_t W, const plstar_model *m, size_t l, const double *w);

/* Layer l's bias from w as exact balls, NULL when it has none; freed with ref_layer_bias_clear. */
arb_ptr ref_layer_bias_init(const plstar_layer *L, const double *w);
void ref_layer_bias_clear(arb_ptr b, const plstar_layer *L);

/* z (n × out) = s^{-1/2} prev Wᵀ + b (b NULL: no bias); prev is n × in. */
void ref_layer_affine(arb_mat_t z, const plstar_layer *L, const arb_mat_t W, arb_srcptr b, const arb_mat_t prev,
                      slong prec);

/* ref_layer_affine, then a = σ(z) and s1 = σ′(z), all n × out. */
void ref_layer_forward(arb_mat_t z, arb_mat_t a, arb_mat_t s1, const plstar_layer *L, const arb_mat_t W,
                       arb_srcptr b, const arb_mat_t prev, slong prec);

/* D (R × width) = E ∘ σ′, row r of E against row r/q of s1 (n × width); D may be E. */
void ref_layer_signals(arb_ptr D, arb_srcptr E, arb_srcptr s1, size_t R, size_t q, size_t width, slong prec);

/* Back-propagation through layer L: Dprev (R × in) = s^{-1/2} D W ∘ σ′_prev, with
 * D (R × out) and row r against row r/q of s1prev (n × in). */
void ref_layer_backward(arb_mat_t Dprev, const arb_mat_t D, const plstar_layer *L, const arb_mat_t W,
                        const arb_mat_t s1prev, size_t q, slong prec);

/* The gradient of layer L from its signals D (n × out) and inputs prev (n × in):
 * s^{-1/2} Dᵀ prev at grad + w_offset, the column sums of D at grad + b_offset
 * when the layer has a bias. */
void ref_layer_gradient(arb_ptr grad, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev, slong prec);

/* Layer L's columns of the Jacobian J (n·c × P) from its unit-seed signals D
 * (n·c × out) and inputs prev (n × in). */
void ref_layer_jacobian(arb_mat_t J, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev, size_t c,
                        slong prec);

#endif

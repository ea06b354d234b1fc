/*
 * fast/layer_pass.h — one layer's passes in double precision, batched, for every layer kind
 * (layers/layer.h gives the kind's map A_l; for a dense layer A_l = W):
 *   forward   z = s^{-1/2} A_prev A_lᵀ + b,  α = σ(z),  σ′(z) kept,
 *   backward  D_prev = s^{-1/2} D A_l ∘ σ′_prev,
 *   gradient  ∇W = s^{-1/2} Dᵀ A_prev (the kind's),  ∇b = Σ_i D[i, :]
 * (core/model.h; rows sample-major). The explicit Jacobian and the loss
 * gradient (fast/network.c), the structured kernel (fast/ntk.c) and the
 * trainer (fast/train.c) all call these, so their values agree bit for bit:
 * the same BLAS calls with the same arguments, the same element-wise order.
 * fast/errbound.h bounds the rounding error of these operations.
 *
 * Internal to the library (not installed).
 */
#ifndef PLSTAR_FAST_LAYER_PASS_H
#define PLSTAR_FAST_LAYER_PASS_H

#include <stddef.h>
#include "core/model.h"

/* z (n × out) = s^{-1/2} prev A_lᵀ + b for layer l at weights w, prev n × in: the kind's apply. */
void layer_affine(double *z, const plstar_model *m, size_t l, const double *w, const double *prev, size_t n);

/* layer_affine, then a = σ(z) and s1 = σ′(z) (_fast_act_layer); a or s1 may
 * be z itself. */
void layer_forward(double *z, double *a, double *s1, const plstar_model *m, size_t l, const double *w,
                   const double *prev, size_t n);

/* Signals of the output layer: D (R × c) = seeds ∘ σ′, row r of the seeds
 * against σ′ row r/q (s1, n × c). seeds NULL stands for the unit seeds
 * (q = c, row i·c + k is e_k) without their matrix. */
void layer_output_signals(double *D, const double *seeds, const double *s1, size_t R, size_t q, size_t c);

/* Back-propagation through layer l ≥ 1: Dprev (R × out_{l−1}) =
 * s_l^{-1/2} D W_l ∘ σ′_{l−1}, with D (R × out_l) and row r against row r/q
 * of s1prev (n × out_{l−1}). Dprev must not overlap D or s1prev. */
void layer_backward(double *Dprev, const double *D, const plstar_model *m, size_t l, const double *w,
                    const double *s1prev, size_t R, size_t q);

/* The gradient of layer l from its signals D (n × out) and inputs prev
 * (n × in): s^{-1/2} Dᵀ prev at grad + w_offset, the column sums of D at
 * grad + b_offset when the layer has a bias. */
void layer_gradient(double *grad, const plstar_model *m, size_t l, const double *D, const double *prev, size_t n);

#endif

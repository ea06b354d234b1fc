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
#include "fast/network.h"

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

/* The forward pass of plstar_fast_forward (the same operations, so the same values)
 * with long element-wise loops only in parallel; z is kept when keep_z. Used
 * by the kernel and by its error bound, so both see the same α̂ and σ̂′. */
int _fast_ntk_forward(fast_forward_state *s, const plstar_model *m, const double *X, size_t n, const double *w,
                      int keep_z);

/* Runs body(ctx, begin, end) over [0, count) on up to omp_get_max_threads()
 * threads (at most count/min_chunk) started for this call and joined before it
 * returns, each on a CPU other than the caller's; they claim chunks of
 * min_chunk/4 in turn, so a slowed thread does not hold the others up (one
 * call on the whole range when count < 2·min_chunk).
 * Unlike an OpenMP team, whose idle threads spin for a while after each region
 * and so slow the BLAS call that follows, these threads are gone when the BLAS
 * call starts. For element-wise loops between BLAS calls. */
void _fast_split_run(void (*body)(void *ctx, size_t begin, size_t end), void *ctx, size_t count, size_t min_chunk);

/* a = σ(z), s1 = σ′(z) over `total` entries (plstar_act_eval_batch_d, values bit for
 * bit), split by _fast_split_run; a or s1 may be z itself. */
void _fast_act_layer(plstar_act act, const double *z, double *a, double *s1, size_t total);

#endif

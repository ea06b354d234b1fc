/*
 * layers/layer.h — a layer kind as the unit every algorithm shares: the linear map z = A_l(w) α_prev + b of one
 * layer and its transpose and parameter derivative, in binary64 (batched, BLAS) and in Arb ball arithmetic, and
 * the layer's term in the structured tangent kernel.
 * The passes that are the same for every kind — the activation after the map, σ′ in back-propagation, the bias —
 * are fast/layer_pass.h and reference/layer_pass.h; they reach the kind through layer_ops(). Rows are
 * sample-major, shapes as in core/model.h; s^{-1/2} is the layer's scale (core/layout.h).
 *
 * Adding a kind: its module (layers/NAME.c with a const plstar_layer_ops), its enumerator in core/model.h, its
 * line in layers/layer.c, its parser and parameter layout in core/model.c and core/layout.c, and its terms in the
 * bounds still written for dense layers only (fast/errbound.c, fast/hessian.c, reference/hessian.c;
 * docs/architecture.md). Internal to the library (not installed).
 */
#ifndef PLSTAR_LAYERS_LAYER_H
#define PLSTAR_LAYERS_LAYER_H

#include <stddef.h>
#include <arb_mat.h>
#include "core/model.h"

typedef struct {
    const char *name;
    /* binary64 */
    /* z (n × out) = s^{-1/2} prev A_lᵀ + b for layer l at weights w; prev is n × in. */
    void (*apply)(double *z, const plstar_model *m, size_t l, const double *w, const double *prev, size_t n);
    /* Dprev (R × in) = s^{-1/2} D A_l, with D (R × out): back-propagation before σ′. */
    void (*apply_transpose)(double *Dprev, const double *D, const plstar_model *m, size_t l, const double *w,
                            size_t R);
    /* The weight gradient s^{-1/2} Dᵀ prev at grad + w_offset, from signals D (n × out) and inputs prev (n × in). */
    void (*weight_gradient)(double *grad, const plstar_model *m, size_t l, const double *D, const double *prev,
                            size_t n);
    /* The structured tangent kernel (fast/ntk.c): adds (first: stores) into K (N × N, N = n·c) the lower triangle
     * of rows [i0·c, (i0 + b)·c) of the layer's term J_l J_lᵀ, J_l the Jacobian columns of its weights and bias,
     * from its signals D (N × out) and inputs prev (n × in). GA (b × n) and GD (b·c × N) are scratch. */
    void (*kernel_panel)(double *K, const plstar_layer *L, const double *D, const double *prev, size_t N, size_t c,
                         size_t i0, size_t b, double *GA, double *GD, int first);
    /* Floating-point operations, for throughput figures: of apply or apply_transpose on `rows` rows, and of
     * kernel_panel over all n samples (a symmetric rank-k update of an r × r block counted as r(r+1)k). */
    double (*apply_flops)(const plstar_layer *L, size_t rows);
    double (*kernel_flops)(const plstar_layer *L, size_t n, size_t c);
    /* Arb */
    /* W (initialised by the caller, out × in): layer l's weights as exact balls. */
    void (*ref_weights)(arb_mat_t W, const plstar_model *m, size_t l, const double *w);
    /* z (n × out) = s^{-1/2} prev Wᵀ + b (b NULL: no bias). */
    void (*ref_apply)(arb_mat_t z, const plstar_layer *L, const arb_mat_t W, arb_srcptr b, const arb_mat_t prev,
                      slong prec);
    /* Dprev (R × in) = s^{-1/2} D W. */
    void (*ref_apply_transpose)(arb_mat_t Dprev, const arb_mat_t D, const plstar_layer *L, const arb_mat_t W,
                                slong prec);
    /* s^{-1/2} Dᵀ prev at grad + w_offset. */
    void (*ref_weight_gradient)(arb_ptr grad, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev,
                                slong prec);
    /* The weight columns of the Jacobian J (n·c × P) from unit-seed signals D (n·c × out) and inputs prev (n × in). */
    void (*ref_weight_jacobian)(arb_mat_t J, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev,
                                size_t c, slong prec);
} plstar_layer_ops;

/* PLSTAR_OK when every layer of m is dense; otherwise PLSTAR_ESOFTWARE with a message naming fn. The code that is
 * written for dense layers only (docs/architecture.md) calls it first, so a new kind cannot reach a bound that does
 * not know it. */
int layer_model_dense_only(const plstar_model *m, const char *fn);

/* The operations of L's kind (never NULL for a layer of a parsed model). */
const plstar_layer_ops *layer_ops(const plstar_layer *L);

/* The dense kind (layers/dense.c), and its one entry-level step that the streamed Hessian bounds
 * (reference/hessian.c) use without forming W: z ← scale·z + b (b NULL: no bias). */
extern const plstar_layer_ops layer_dense;
void dense_affine_entry(arb_t z, const arb_t scale, arb_srcptr b, slong prec);

#endif

/*
 * fast/network.h — the model in double precision: batched forward and backward
 * passes, outputs F(w), the explicit Jacobian DF(w) (N × P), the tangent kernel
 * K = DF DFᵀ through dsyrk, the loss L = ½‖F − y‖² and its gradient DFᵀ r
 * (docs/theory.md §1). BLAS does the products; element-wise work is OpenMP.
 *
 * Row order everywhere is sample-major: row i·c + k is output k of sample i.
 * The reference/ twin (reference/network.h) computes the same quantities as
 * Arb enclosures; fast/errbound.h bounds the rounding error of these routines.
 */
#ifndef PLSTAR_FAST_NETWORK_H
#define PLSTAR_FAST_NETWORK_H

#include <stddef.h>
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Forward state of all samples: for layer l (0-based), z[l] and a[l] = σ(z[l])
 * and s1[l] = σ′(z[l]) are n × out_l, row-major. */
typedef struct {
    size_t n, nlayers;
    double **z, **a, **s1;
} fast_forward_state;

void plstar_fast_forward_init(fast_forward_state *s);
void plstar_fast_forward_clear(fast_forward_state *s);

/* Runs the forward pass for inputs X (n × d). */
int plstar_fast_forward(fast_forward_state *s, const plstar_model *m, const double *X, size_t n,
                        const double *w);

/* Back-propagates `seeds` ((n·q) × c, row i·q + t belongs to sample i) through
 * the network: D[l] ((n·q) × out_l) = ∂(seedᵀ f)/∂z⁽ˡ⁾. With q = c and unit
 * seeds this gives the Jacobian's signals; with q = 1 and the residual, the
 * gradient's. D must hold nlayers pointers, each allocated here (free each). */
int plstar_fast_backward(double **D, const fast_forward_state *s, const plstar_model *m,
                         const double *w, const double *seeds, size_t q);

/* F (N), DF (N × P row-major), K (N × N, both triangles filled). */
int plstar_fast_outputs(double *F, const plstar_model *m, const double *X, size_t n, const double *w);
int plstar_fast_jacobian(double *J, const plstar_model *m, const double *X, size_t n, const double *w);
int plstar_fast_kernel_explicit(double *K, const plstar_model *m, const double *X, size_t n,
                                const double *w);

/* L(w) = ½‖F(w) − y‖² and, when grad is not NULL, ∇L = DFᵀ(F − y) (P). */
int plstar_fast_loss_grad(double *loss, double *grad, const plstar_model *m, const double *X, size_t n,
                          const double *w, const double *y);

#ifdef __cplusplus
}
#endif

#endif

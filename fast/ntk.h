/*
 * fast/ntk.h — the tangent kernel K(w) = DF(w) DF(w)ᵀ (docs/theory.md §1) without
 * the N × P Jacobian.
 *
 * For a stack of dense layers z⁽ˡ⁾ = W⁽ˡ⁾ α⁽ˡ⁻¹⁾/√s_l + b⁽ˡ⁾ (core/model.h) the
 * Jacobian row of output (i, k) restricted to W⁽ˡ⁾ is the outer product
 * s_l^{-1/2} D_l[(i,k), :] ⊗ α⁽ˡ⁻¹⁾_i, with D_l = ∂f_k/∂z⁽ˡ⁾ the back-propagated
 * signals (plstar_fast_backward), and restricted to b⁽ˡ⁾ it is D_l[(i,k), :]. Hence
 * (Jacot et al. 2018; the "structured" form of Novak et al., ICLR 2022):
 *
 *   K[(i,k),(j,k')] = Σ_l (D_l D_lᵀ)[(i,k),(j,k')] · ( (A_{l−1} A_{l−1}ᵀ)[i,j] / s_l + [bias_l] )
 *
 * summed over the trainable layers only (a fixed layer, such as the sign layer
 * of the shallow model, contributes nothing). The same formula is the closed
 * form of the special models: "linear" gives K = X Xᵀ, "shallow" gives
 * K = (D_0 D_0ᵀ) ∘ (X Xᵀ) with D_0[i,a] = v_a σ′(w_aᵀx_i)/√m. Each layer's
 * term is the kernel_panel operation of its kind (layers/layer.h; the formula
 * above is layers/dense.c); this module runs the passes and sums the terms.
 *
 * Cost with dense layers (c outputs, N = n·c): the forward and backward
 * passes (2 n Σ in·out and 2 N Σ in·out flops) plus, per trainable layer, one
 * N × N × out_l and one n × n × in_l symmetric rank-k product (N² out_l +
 * n² in_l flops), instead of N² P for J Jᵀ. Memory: K, the activations and σ′
 * of all layers (2 n Σ out_l), the signals of two adjacent layers
 * (N (out_l + out_{l+1})), and two panel Gram blocks of at most `panel`
 * samples (panel·c × N and panel × n). The kernel's lower triangle is built
 * panel by panel (for a dense layer: dsyrk on the diagonal block, dgemm left
 * of it, the Hadamard product with OpenMP).
 *
 * Rounding: plstar_fast_errbound_kernel_structured (fast/errbound.h) bounds
 * |K̂ − K| entry by entry.
 */
#ifndef PLSTAR_FAST_NTK_H
#define PLSTAR_FAST_NTK_H

#include <stddef.h>
#include "core/model.h"
#include "fast/network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* K (N × N row-major, both triangles filled) at weights w for inputs X (n × d).
 * Same contract as plstar_fast_kernel_explicit. */
int plstar_fast_kernel_structured(double *K, const plstar_model *m, const double *X, size_t n, const double *w);

/* As plstar_fast_kernel_structured with an explicit panel height in samples
 * (0 chooses FAST_NTK_PANEL_ROWS, or fewer so that the two panel Gram blocks
 * take at most FAST_NTK_PANEL_BYTES). Every panel size gives the same
 * rounding-error bound. */
int plstar_fast_kernel_structured_panel(double *K, const plstar_model *m, const double *X, size_t n, const double *w,
                                        size_t panel);


#define FAST_NTK_PANEL_BYTES ((size_t)512 << 20)
#define FAST_NTK_PANEL_ROWS ((size_t)256)

/* Floating-point operations of plstar_fast_kernel_structured (forward, backward and
 * the Gram products, counting a symmetric rank-k update of an r × r block as
 * r(r+1)k; each layer's counts are its kind's apply_flops and kernel_flops),
 * for throughput figures. */
double plstar_fast_kernel_structured_flops(const plstar_model *m, size_t n);

#ifdef __cplusplus
}
#endif

#endif

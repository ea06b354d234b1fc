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
 *   structured kernel (fast/ntk.h), per trainable layer and entry (r, r′) of
 *   samples (i, j): with P_D = |D̂||D̂|ᵀ, P_A = |Â||Â|ᵀ (Â_{−1} = X, exact),
 *             e_dd = γ_out P_D + |D̂| e_Dᵀ + e_D(|D̂| + e_D)ᵀ,   |d̂d| ≤ (1 + γ_out) P_D =: M_D,
 *             e_aa = γ_in P_A + |Â| e_αᵀ + e_α(|Â| + e_α)ᵀ,
 *             g = aa/s + bias: e_g = s²⁺ e_aa + γ_3 (s²⁺(1 + γ_in) P_A + bias),  |ĝ| ≤ (1 + γ_3)(s²⁺(1 + γ_in) P_A + bias) =: M_g,
 *             e_t = e_dd M_g + (M_D + e_dd) e_g + u M_D M_g,
 *   and over the l_T trainable layers e_K = Σ_l e_t + γ_{l_T} Σ_l (1 + u) M_D M_g,
 *   where s²⁺ ≥ 1/s bounds fl(1/s); dsyrk and dgemm may sum in any order.
 *   It takes the signals D̂ to be those the kernel computed: both run the same
 *   BLAS calls on the same operands, and OpenBLAS is deterministic for those;
 * where s⁺ ≥ 1/√s bounds the layer scale and e_σ, e_σ′ are the activation's
 * documented evaluation errors (core/activation.h, plstar_act_err_d). The bound
 * computations themselves round to nearest; every sum of k non-negative terms
 * is inflated by (1 + 2(k + 8)u) so the result is an upper bound. Underflow is
 * covered by a floor of 2^-1000 per entry. The bounds hold assuming the C
 * library meets the accuracy plstar_act_err_d states.
 */
#ifndef PLSTAR_FAST_ERRBOUND_H
#define PLSTAR_FAST_ERRBOUND_H

#include <math.h>
#include <stddef.h>
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The arithmetic whose rounding errors are bounded. plstar_fast_errbound bounds this library's own fast
 * path, {2^-53, 0, 0, 0}; plstar_fast_errbound_u bounds the same algorithms run by other code
 * (proofs-checks/validate.h), to first order in u:
 *   u               unit roundoff, 2^-53 (float64), 2^-24 (float32), 2^-11 (float16) or 2^-8
 *                   (bfloat16); every γ_k is formed with it,
 *                   and the activations' relative bounds e_σ, e_σ′ are scaled by u/2^-53;
 *   inputs_rounded  X, w, y were first rounded to that format (relative error ≤ u each, and tiny
 *                   absolute): the input error at layer 0 is u|x| instead of 0, each product with W gets two more
 *                   roundings (γ_{k+2}; γ_{k+4} at layer 0), and the residual gets u|y|;
 *   any_formulas    σ, σ′ by any standard formula, σ′ possibly formed from the computed σ as
 *                   autograd does (1 − σ̂², σ̂(1 − σ̂)): absolute allowances B·u per activation
 *                   (see act_err_u in errbound.c);
 *   tiny            underflow: the absolute error of one rounding whose result underflows (the format's
 *                   smallest normal number covers flush-to-zero, half its smallest subnormal gradual
 *                   underflow); every bound gets tiny for each rounding it counts (k·tiny beside each
 *                   γ_k), and with inputs_rounded X, w, y are off by u|·| + tiny each. */
typedef struct {
    double u;
    int inputs_rounded;
    int any_formulas;
    double tiny;
} fast_arith;

/* Requested outputs may be NULL: eF (N), eJ (N × P), eK (N × N), eloss, egrad (P).
 * eloss/egrad need the labels y. */
typedef struct {
    double *F, *J, *K, *loss, *grad;
} fast_errors;

/* Upper bounds on the magnitude of every value the bounded computation of F (of J, K, the loss and
 * gradient) forms — its rounded inputs, every product and partial sum in any order, every result,
 * with their rounding errors: a format whose overflow threshold is at least the peak cannot
 * overflow there. NaN when a bound is NaN. */
typedef struct {
    double F, J, K, loss;
} fast_peaks;

int plstar_fast_errbound(fast_errors *out, const plstar_model *m, const double *X, size_t n,
                         const double *w, const double *y);
int plstar_fast_errbound_u(fast_errors *out, const plstar_model *m, const double *X, size_t n,
                           const double *w, const double *y, const fast_arith *ar);

/* plstar_fast_errbound_u for a computation whose ReLU-type units the caller has put on a side
 * (proofs-checks/validate.h, kinks): where sigma1[l] (nlayers pointers, NULL for a layer; each
 * n × out_l) is finite the computation used that σ′ — one of the one-sided derivatives — at the
 * unit; where it is FAST_SIGMA1_EITHER, the σ′ evaluated at ẑ with its jump allowed (either side is
 * possible); where it is NaN (and everywhere when sigma1 is NULL) the σ′ evaluated at ẑ, no jump.
 * eZ (may be NULL) receives the bounds e_z on the pre-activations, layer after layer, each
 * n × out_l row-major (n·Σ_l out_l entries). */
#define FAST_SIGMA1_EITHER INFINITY
int plstar_fast_errbound_sided(fast_errors *out, double *eZ, const plstar_model *m, const double *X, size_t n,
                               const double *w, const double *y, const fast_arith *ar, const double *const *sigma1);

/* plstar_fast_errbound_sided (sided) or plstar_fast_errbound_u (not sided; eZ and sigma1 then ignored), with the
 * peaks of the computations bounded (for the range of a narrow format). */
int plstar_fast_errbound_peaks(fast_errors *out, fast_peaks *peaks, double *eZ, const plstar_model *m, const double *X,
                               size_t n, const double *w, const double *y, const fast_arith *ar, int sided,
                               const double *const *sigma1);

/* eK (N × N): |K̂ − K| for K̂ = plstar_fast_kernel_structured(m, X, n, w) (any panel
 * size). Memory: a few N × N and n × n matrices and the signals of all layers. */
int plstar_fast_errbound_kernel_structured(double *eK, const plstar_model *m, const double *X, size_t n,
                                           const double *w);

#ifdef __cplusplus
}
#endif

#endif

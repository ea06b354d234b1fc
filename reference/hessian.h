/*
 * reference/hessian.h — certified bounds on the first and second derivatives
 * of F over a ball B(w0, R) (docs/theory.md §1, §3 Theorem 2, §5 Theorem 5):
 *
 *   L_F  ≥ sup_B ‖DF(w)‖₂                      (Lipschitz constant, Def. 1)
 *   h    ≥ sup_B max_r ‖H_{F_r}(w)‖₂           (THEORY §1's ‖H_F‖, Theorems 2 and 5)
 *   c_B  with ‖DF(w) − DF(v)‖_F ≤ c_B ‖w − v‖ for all w, v ∈ B, which is
 *        Definition 2's β_F on B (THEORY §1): ‖Σ_r r_r H_{F_r}(w)‖₂ ≤ c_B ‖r‖₂,
 *        the constant Proposition 5 and Theorem 6's step need. h is not one:
 *        ‖Σ_r r_r H_{F_r}‖₂ can exceed h ‖r‖₂ by up to √N.
 *   ΔK   ≥ sup_B ‖K(w) − K(w0)‖₂
 *
 * for any model of core/model.h (a stack of dense layers; the MLP of Eq. 17 is
 * the case of interest, "shallow" and "linear" are special cases) whose
 * activations are all C². R = 0 gives the bounds at the point w0.
 *
 * Method (full derivation: the comment block in hessian.c and docs/hessian.md).
 * Per sample x_i and output k, a forward recursion over the ball bounds the
 * 2-norms of the activations α⁽ˡ⁾, of the Jacobians ∂z⁽ˡ⁾/∂w (operator norms),
 * and the distance ‖z⁽ˡ⁾(w) − z⁽ˡ⁾(w0)‖₂ — hence the reachable pre-activation
 * ranges, over which sup|σ′| and sup|σ″| are taken — using
 * ‖W⁽ˡ⁾‖₂ ≤ ‖W0⁽ˡ⁾‖₂ + R. A backward recursion bounds the back-propagated
 * vectors ε⁽ˡ⁾ = ∂f/∂α⁽ˡ⁾ over the ball in the ∞-norm (their value at w0, computed
 * in Arb, plus a 2-norm bound on their change). The Hessian's quadratic form is
 *   d²f[Δ, Δ] = Σ_l ε⁽ˡ⁾ · (σ″(z⁽ˡ⁾) ∘ (ż⁽ˡ⁾)²) + Σ_l 2 δ⁽ˡ⁾ · (ΔW⁽ˡ⁾ α̇⁽ˡ⁻¹⁾)/√s_l,
 * and |ε · (σ″ ∘ ż²)| ≤ ‖ε‖_∞ sup|σ″| ‖ż‖₂²: the ∞-norm of ε⁽ˡ⁾, O(1/√m) for a
 * hidden layer under NTK scaling, and the 1/√s_l of the mixed terms give the
 * m^(−1/2) decay of Theorem 5 for a linear output layer. A non-linear output
 * activation is handled as a composition f = σ_out(f̃) (Theorem 4, step 2),
 * which adds sup|σ″_out| ‖∇f̃‖² and does not decay with the width.
 *
 * Every number is an Arb enclosure or an exact double; the spectral norms
 * ‖W0⁽ˡ⁾‖₂ are certified (plstar_ref_matrix_norm2_upper). All results are upper
 * bounds: the upper endpoints of the returned balls.
 */
#ifndef PLSTAR_REFERENCE_HESSIAN_H
#define PLSTAR_REFERENCE_HESSIAN_H

#include <arb.h>
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Certified upper bound on ‖A‖₂ for a row-major double matrix (rows × cols):
 * the square root of a certified bound on λ_max of the smaller Gram matrix
 * (A Aᵀ or AᵀA). Gram dimension ≤ 96: the Gram is formed exactly-enclosed in
 * Arb and bounded by plstar_ref_norm2_sym_upper. Larger: the Gram is formed by dsyrk
 * with the a-priori bound |fl(G) − G| ≤ γ_K max_i ‖a_i‖² entrywise (K the inner
 * dimension, Higham Lemma 3.1 plus Cauchy–Schwarz), and λ_max is bounded by
 * plstar_verified_lambda_min on −fl(G) with that radius (Rump's theorem, see
 * verified/eig.h). Falls back to ‖A‖_F when a spectral bound cannot be proven.
 * `bound` is an exact point (zero radius). PLSTAR_OK, PLSTAR_EDATA (NaN/Inf),
 * PLSTAR_ESOFTWARE. */
int plstar_ref_matrix_norm2_upper(arb_t bound, const double *A, size_t rows, size_t cols, slong prec);

/* Everything about w0 that the bounds need, independent of R: per sample, the
 * enclosed pre-activations (as intervals, sorted), ‖α0⁽ˡ⁾‖₂; per sample and
 * output, ‖ε0⁽ˡ⁾‖_∞, ‖ε0⁽ˡ⁾‖₂, ‖δ0⁽ˡ⁾‖₂; per layer ‖W0⁽ˡ⁾‖₂ and the output rows'
 * ‖W0[k,:]‖₂. All stored as outward-rounded doubles. Memory: O(n·Σ m_l) doubles;
 * the forward and backward passes stream the weights (no ball matrix of W). */
typedef struct {
    size_t n, c, N, nlayers;   /* nlayers = L + 1 (hidden layers + output layer) */
    plstar_layer *layers;      /* a copy of the layer geometry (the `fixed` pointers are cleared) */
    int ok;                    /* 1 after a successful plstar_ref_hessian_ctx_set */
    double *wnorm;             /* [nlayers] ‖W0⁽ˡ⁾‖₂ upper */
    double *wrow;              /* [c] ‖W0_out[k,:]‖₂ upper */
    double *xnorm;             /* [n] ‖x_i‖₂ upper */
    double *anorm;             /* [n · nlayers] ‖α0⁽ˡ⁾(x_i)‖₂ upper (hidden layers) */
    double **zlo, **zhi;       /* [n · nlayers] arrays of out_l (hidden layers): enclosures of the
                                  pre-activations z0⁽ˡ⁾_j(x_i), sorted by zlo */
    double *zout_lo, *zout_hi; /* [N] enclosure of the output pre-activation z0_out,k(x_i) */
    double *einf, *e2, *d2;    /* [N · nlayers]: ‖ε0⁽ˡ⁾‖_∞, ‖ε0⁽ˡ⁾‖₂, ‖δ0⁽ˡ⁾‖₂ of the linear-output net f̃ */
    double *grad0;             /* [N] ‖∇F_r(w0)‖₂ upper */
} ref_hessian_ctx;

void plstar_ref_hessian_ctx_init(ref_hessian_ctx *ctx);
void plstar_ref_hessian_ctx_clear(ref_hessian_ctx *ctx);

/* Computes the w0 data. PLSTAR_EUSAGE (with a message naming the layer) when
 * an activation is not C² (ReLU family: no Hessian bound exists) or for bad
 * arguments; PLSTAR_EDATA for non-finite inputs; PLSTAR_ESOFTWARE. */
int plstar_ref_hessian_ctx_set(ref_hessian_ctx *ctx, const plstar_model *m, const double *X, size_t n,
                               const double *w0, slong prec);

typedef struct {
    double radius;
    arb_t lipschitz;           /* L_F ≥ sup_B ‖DF(w)‖₂ */
    arb_t hess_max;            /* h ≥ sup_B max_r ‖H_{F_r}(w)‖₂ (not a β_F) */
    arb_t jac_lipschitz;       /* c_B: ‖DF(w) − DF(v)‖_F ≤ c_B ‖w − v‖ on B; Definition 2's β_F */
    arb_t kernel_change;       /* ≥ sup_B ‖K(w) − K(w0)‖₂ */
    arb_t jac_norm0;           /* the bound a ≥ ‖DF(w0)‖₂ used */
    size_t N;
    double *beta_rows;         /* [N] upper bounds of sup_B ‖H_{F_r}‖₂ */
    double *grad_rows;         /* [N] upper bounds of sup_B ‖∇F_r‖₂ */
} ref_hessian_bounds;

void plstar_ref_hessian_bounds_init(ref_hessian_bounds *b);
void plstar_ref_hessian_bounds_clear(ref_hessian_bounds *b);

/* The bounds on B(w0, radius), radius finite and ≥ 0.
 * jac_norm0: an enclosure whose upper end bounds ‖DF(w0)‖₂ (e.g. √λ_max(K(w0))),
 * or NULL — then ‖DF(w0)‖_F from the w0 data is used (the smaller is used when
 * both exist). Cheap: O(n·c·L) ball operations plus, per sample and hidden
 * layer, one activation enclosure per merged pre-activation interval.
 * The bounds:
 *   h = max_r β_r,   c_B = (Σ_r β_r²)^(1/2)  (≤ √N h),
 *   L_F = min(a + c_B R, (Σ_r g_r²)^(1/2)),
 *   ΔK  = min(c_B R (2a + c_B R), max(L_F², a²)),
 * with β_r, g_r the per-row Hessian and gradient bounds of hessian.c. */
int plstar_ref_hessian_bounds_compute(ref_hessian_bounds *out, const ref_hessian_ctx *ctx, double radius,
                                      const arb_t jac_norm0, slong prec);

/* One call: ctx for (m, X, w0), then the bounds at `radius`. */
int plstar_ref_hessian_bounds_ball(ref_hessian_bounds *out, const plstar_model *m, const double *X, size_t n,
                                   const double *w0, double radius, slong prec);

#ifdef __cplusplus
}
#endif

#endif

/*
 * reference/hessian.c — certified bounds on DF and the Hessians H_{F_r} over
 * B(w0, R) (see hessian.h; docs/theory.md §3 Theorem 2, §5 Theorem 5).
 *
 * ============================================================================
 * DERIVATION
 * ============================================================================
 * Model (core/model.h). Layers l = 1..L+1 (code index l − 1), for one sample x:
 *     z⁽ˡ⁾ = W⁽ˡ⁾ α⁽ˡ⁻¹⁾ / √s_l + b⁽ˡ⁾,   α⁽ˡ⁾ = σ_l(z⁽ˡ⁾),   α⁽⁰⁾ = x,
 * hidden layers l ≤ L, output layer L+1 with c outputs. τ_l = 1 if layer l is
 * trainable (then ρ_l = R, else ρ_l = 0 and W⁽ˡ⁾ is fixed), β_l = 1 if it has
 * a bias in w. w ∈ B = B(w0, R), Δ = w − w0, so ‖ΔW⁽ˡ⁾‖₂ ≤ ‖ΔW⁽ˡ⁾‖_F ≤ ρ_l and
 *     ‖W⁽ˡ⁾‖₂ ≤ ‖W0⁽ˡ⁾‖₂ + ρ_l =: Ŵ_l                                        (0)
 * Let f̃ = z⁽ᴸ⁺¹⁾_k be output k before the output activation (the network with a
 * linear output layer) and f = σ_{L+1}(f̃).
 *
 * Step 1 — forward recursion (per sample). For a direction u ∈ R^P write
 * ż = ∂z/∂w[u], α̇ = ∂α/∂w[u]. Quantities below are upper bounds of suprema
 * over w ∈ B:
 *   A_l ≥ ‖α⁽ˡ⁾(w)‖₂,  J_l ≥ ‖∂z⁽ˡ⁾/∂w‖₂ (operator norm R^P → R^{m_l}),
 *   G_l ≥ ‖∂α⁽ˡ⁾/∂w‖₂,  r_l ≥ ‖z⁽ˡ⁾(w) − z⁽ˡ⁾(w0)‖₂,
 *   S1_l ≥ |σ_l′|, S2_l ≥ |σ_l″| on the reachable pre-activations.
 * A_0 = ‖x‖, G_0 = 0. Since ż⁽ˡ⁾ = ΔW α⁽ˡ⁻¹⁾/√s_l + Δb + W⁽ˡ⁾ α̇⁽ˡ⁻¹⁾/√s_l for a
 * direction split as (layer l's part: ‖ΔW‖_F = p, ‖Δb‖ = q; lower layers: v),
 * p² + q² + v² ≤ ‖u‖², Cauchy–Schwarz gives
 *   ‖ż⁽ˡ⁾‖ ≤ p A_{l−1}/√s_l + q + v Ŵ_l G_{l−1}/√s_l
 *          ≤ ‖u‖ (τ_l (A²_{l−1}/s_l + β_l) + Ŵ_l² G²_{l−1}/s_l)^{1/2} =: ‖u‖ J_l.   (1)
 * B is convex, so the mean value inequality along [w0, w] gives
 *   ‖z⁽ˡ⁾(w) − z⁽ˡ⁾(w0)‖₂ ≤ J_l R =: r_l,                                       (2)
 * hence every coordinate z⁽ˡ⁾_j(w) lies in [z0_j − r_l, z0_j + r_l] and S1_l, S2_l
 * are the suprema of |σ′|, |σ″| over the union of these intervals (enclosed by
 * plstar_act_eval_arb on merged intervals; never more than the global sup). Then
 *   G_l = S1_l J_l,   A_l = ‖α0⁽ˡ⁾‖₂ + S1_l r_l                                 (3)
 * (|σ(z_j) − σ(z0_j)| ≤ S1_l |z_j − z0_j| coordinate-wise). For output k, only
 * row k of W⁽ᴸ⁺¹⁾ acts on f̃, so with ŵ_k = ‖W0⁽ᴸ⁺¹⁾[k,:]‖₂ + ρ_{L+1}:
 *   ‖∇f̃(w)‖ ≤ (τ_{L+1}(A_L²/s_{L+1} + β_{L+1}) + ŵ_k² G_L²/s_{L+1})^{1/2} =: J_out.   (4)
 *
 * Step 2 — the Hessian as a sum over layers. Along the line w + tu (t = 0,
 * dots are t-derivatives; Ẅ = 0, b̈ = 0):
 *   z̈⁽ˡ⁾ = 2 U⁽ˡ⁾ α̇⁽ˡ⁻¹⁾/√s_l + W⁽ˡ⁾ α̈⁽ˡ⁻¹⁾/√s_l,  α̈⁽ˡ⁾ = σ″(z⁽ˡ⁾)∘(ż⁽ˡ⁾)² + σ′(z⁽ˡ⁾)∘z̈⁽ˡ⁾,
 * U⁽ˡ⁾ the weight part of u. With the back-propagated vectors of f̃,
 *   δ⁽ᴸ⁺¹⁾ = e_k,  ε⁽ˡ⁾ = W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾/√s_{l+1},  δ⁽ˡ⁾ = σ_l′(z⁽ˡ⁾)∘ε⁽ˡ⁾  (l ≤ L),
 * the identity δ⁽ˡ⁾·z̈⁽ˡ⁾ = 2δ⁽ˡ⁾·U⁽ˡ⁾α̇⁽ˡ⁻¹⁾/√s_l + ε⁽ˡ⁻¹⁾·(σ″∘(ż⁽ˡ⁻¹⁾)²) + δ⁽ˡ⁻¹⁾·z̈⁽ˡ⁻¹⁾,
 * applied from l = L+1 down to 1 (α̇⁽⁰⁾ = α̈⁽⁰⁾ = 0), gives
 *   uᵀ H_f̃ u = f̃̈ = Σ_{l=1}^{L} ε⁽ˡ⁾·(σ_l″(z⁽ˡ⁾)∘(ż⁽ˡ⁾)²) + Σ_{l=2}^{L+1} 2 δ⁽ˡ⁾·U⁽ˡ⁾α̇⁽ˡ⁻¹⁾/√s_l.   (5)
 * H_f̃ is symmetric, so ‖H_f̃‖₂ = sup_{‖u‖=1} |uᵀH_f̃u|, and for ‖u‖ = 1:
 *   |ε·(σ″∘ż²)| ≤ ‖ε⁽ˡ⁾‖_∞ S2_l ‖ż⁽ˡ⁾‖₂² ≤ E∞_l S2_l J_l²,                           (6)
 *   |2δ·Uα̇|/√s_l ≤ 2‖δ⁽ˡ⁾‖₂ ‖U⁽ˡ⁾‖_F ‖α̇⁽ˡ⁻¹⁾‖₂/√s_l ≤ τ_l D_l G_{l−1}/√s_l,        (7)
 * using 2‖U⁽ˡ⁾‖_F ‖u_{<l}‖ ≤ ‖U⁽ˡ⁾‖²_F + ‖u_{<l}‖² ≤ 1 in (7), where E∞_l ≥ ‖ε⁽ˡ⁾(w)‖_∞
 * and D_l ≥ ‖δ⁽ˡ⁾(w)‖₂ on B (D_{L+1} = 1). Hence
 *   ‖H_f̃(w)‖₂ ≤ β̃ := Σ_{l≤L} E∞_l S2_l J_l² + Σ_{2≤l≤L+1} τ_l D_l G_{l−1}/√s_l.      (8)
 * Under NTK scaling (s_l = m_{l−1}) with W0 ~ N(0,1), ‖ε0⁽ˡ⁾‖_∞ = Õ(1/√m) while
 * J, G, D, ‖W0‖₂/√s and A/√s are O(1): both sums are O(1/√m) — Theorem 5.
 *
 * Step 3 — backward recursion for E∞_l and D_l over B (the ∞-norm gain).
 * Write ε0, δ0 for the values at w0 (computed in Arb) and
 * e_l ≥ ‖ε⁽ˡ⁾(w) − ε0⁽ˡ⁾‖₂, d_l ≥ ‖δ⁽ˡ⁾(w) − δ0⁽ˡ⁾‖₂. At the top,
 * ε⁽ᴸ⁾ = W⁽ᴸ⁺¹⁾[k,:]ᵀ/√s_{L+1}, so e_L = ρ_{L+1}/√s_{L+1}. For l = L..1:
 *   δ − δ0 = σ′(z)∘(ε − ε0) + (σ′(z) − σ′(z0))∘ε0, and
 *   ‖(σ′(z) − σ′(z0))∘ε0‖₂ ≤ S2_l ‖z − z0‖₂ ‖ε0‖_∞ (coordinate-wise mean value):
 *     d_l = S1_l e_l + S2_l r_l ‖ε0⁽ˡ⁾‖_∞,                                         (9)
 *     D_l = min(S1_l (‖ε0⁽ˡ⁾‖₂ + e_l), ‖δ0⁽ˡ⁾‖₂ + d_l),   E∞_l = ‖ε0⁽ˡ⁾‖_∞ + e_l,       (10)
 *   ε⁽ˡ⁻¹⁾ − ε0⁽ˡ⁻¹⁾ = (ΔW⁽ˡ⁾ᵀ δ⁽ˡ⁾ + W0⁽ˡ⁾ᵀ(δ⁽ˡ⁾ − δ0⁽ˡ⁾))/√s_l:
 *     e_{l−1} = (ρ_l D_l + ‖W0⁽ˡ⁾‖₂ d_l)/√s_l.                                      (11)
 * (‖·‖_∞ ≤ ‖·‖₂ turns the 2-norm change into an ∞-norm change in (10); the change
 * is O(R/√m), so E∞ stays O(1/√m).) The gradient of f̃ is ∇_{W⁽ˡ⁾} = δ⁽ˡ⁾α⁽ˡ⁻¹⁾ᵀ/√s_l,
 * ∇_{b⁽ˡ⁾} = δ⁽ˡ⁾, so also
 *   ‖∇f̃(w)‖² ≤ Σ_l τ_l D_l² (A²_{l−1}/s_l + β_l);  g̃ := min(J_out, √that).           (12)
 *
 * Step 4 — output activation (Theorem 4, step 2). f = σ(f̃): ∇f = σ′(f̃)∇f̃ and
 * H_f = σ″(f̃)∇f̃∇f̃ᵀ + σ′(f̃)H_f̃. f̃ ranges over z0_k ± g̃R (mean value), where
 * |σ′| ≤ S1o, |σ″| ≤ S2o:
 *   ‖∇f‖ ≤ g := S1o g̃,   ‖H_f‖₂ ≤ β_r := S2o g̃² + S1o β̃.                          (13)
 * For a linear output layer g = g̃, β_r = β̃. (The first term does not decay with
 * the width: no transition to linearity with a non-linear output, as the paper says.)
 *
 * Step 5 — the ball constants, rows r = (i, k):
 *   h = max_r β_r. For v, w ∈ B (convex), ∇F_r(w) − ∇F_r(v) = ∫₀¹ H_{F_r}(v + t(w − v))(w − v) dt,
 *   so ‖DF(w) − DF(v)‖²_F ≤ Σ_r β_r² ‖w − v‖²:  c_B = (Σ_r β_r²)^{1/2} (≤ √N h, the
 *   route of Theorem 2). c_B is Definition 2's β_F: ‖Σ_r ρ_r H_{F_r}(w)‖₂ ≤ Σ_r |ρ_r| β_r
 *   ≤ c_B ‖ρ‖₂ (Cauchy–Schwarz), where h‖ρ‖₂ can be too small by √N.  ‖DF(w)‖₂ ≤ min(a + c_B R, ‖DF(w)‖_F ≤ (Σ_r g_r²)^{1/2}) = L_F,
 *   with a ≥ ‖DF(w0)‖₂. K − K0 = ΔDF DFᵀ + DF0 ΔDFᵀ gives ‖K − K0‖₂ ≤ c_B R(2a + c_B R);
 *   K, K0 ⪰ 0 gives ‖K − K0‖₂ ≤ max(‖K‖₂, ‖K0‖₂) ≤ max(L_F², a²): ΔK = the minimum.
 *
 * Rigour. Every R-independent input (‖W0‖₂, ‖x‖, ‖α0‖, ‖ε0‖, ‖δ0‖, z0) is the
 * upper end of an Arb enclosure (or certified, plstar_ref_matrix_norm2_upper) stored as
 * an outward-rounded double. The recursions (1)–(13) are monotone in those
 * inputs and are evaluated in ball arithmetic from them; the results are the
 * upper ends of the final balls.
 * ============================================================================
 */
#include "reference/hessian.h"
#include "core/error.h"
#include "core/report.h"
#include "core/layout.h"
#include "verified/eig.h"
#include "verified/rounding.h"
#include "reference/eig.h"
#include "layers/layer.h"
#include "reference/layer_pass.h"
#include "reference/network.h"

#include <arb_mat.h>
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Gram dimension up to which ‖A‖₂ is bounded entirely in Arb. */
#define ARB_GRAM_MAX 96

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */

/* Upper bound of |x| as a double (outward). */
static double abs_upper_d(const arb_t x)
{
    arb_t t;
    arb_init(t);
    arb_abs(t, x);
    double r = plstar_arb_upper_d(t);
    arb_clear(t);
    return r;
}

/* Replaces x by the exact point at its upper end (safe side of a monotone formula). */
static void to_upper_point(arb_t x)
{
    arf_t t;
    arf_init(t);
    arb_get_ubound_arf(t, x, ARF_PREC_EXACT);
    arb_set_arf(x, t);
    arf_clear(t);
}

/* ‖v‖₂ upper bound for a ball vector. */
static double vec_norm2_upper(arb_srcptr v, size_t len, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_dot(t, NULL, 0, v, 1, v, 1, (slong)len, prec);
    arb_sqrtpos(t, t, prec);
    double r = plstar_arb_upper_d(t);
    arb_clear(t);
    return r;
}

static double vec_norminf_upper(arb_srcptr v, size_t len)
{
    double r = 0;
    for (size_t j = 0; j < len; j++)
        r = fmax(r, abs_upper_d(v + j));
    return r;
}

/* ------------------------------------------------------------------------ */
/* ‖A‖₂                                                                      */

/* Upper bound on Σ_t a_t² for len doubles with stride: the float sum of
 * non-negative terms has relative error ≤ γ_{len}, so s ≤ fl(s)/(1 − γ) ≤ fl(s)(1 + 2γ). */
static double sumsq_upper(const double *a, size_t len, size_t stride)
{
    double s = 0;
    for (size_t t = 0; t < len; t++)
        s += a[t * stride] * a[t * stride];
    double g = gamma_up((double)len + 1, PLSTAR_U64);
    return round_up(round_up(s * round_up(1 + 2 * g)) + 0x1p-1000);
}

/* The Gram matrix of A (rows × cols, row-major) on its smaller side: A Aᵀ (by_rows) or AᵀA, k × k, of
 * the k factor vectors of length K, entry t of vector a at A[a·vs + t·es]. */
typedef struct {
    int by_rows;
    size_t cols, k, K, vs, es;
} gram_shape;

static gram_shape gram_shape_of(size_t rows, size_t cols)
{
    gram_shape g;
    g.by_rows = rows <= cols;
    g.cols = cols;
    g.k = g.by_rows ? rows : cols, g.K = g.by_rows ? cols : rows;
    g.vs = g.by_rows ? cols : 1; /* stride between Gram factor vectors */
    g.es = g.by_rows ? 1 : cols; /* stride inside one factor vector */
    return g;
}

/* lam ≥ λ_max of the Gram matrix, formed and bounded entirely in Arb; 1 if bounded. */
static int gram_lambda_arb(arb_t lam, const double *A, const gram_shape *g, slong prec)
{
    size_t k = g->k, K = g->K;
    arb_mat_t G;
    arb_ptr V = _arb_vec_init((slong)(k * K));
    for (size_t a = 0; a < k; a++)
        for (size_t t = 0; t < K; t++)
            arb_set_d(V + a * K + t, A[a * g->vs + t * g->es]);
    arb_mat_init(G, (slong)k, (slong)k);
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b <= a; b++) {
            arb_dot(arb_mat_entry(G, a, b), NULL, 0, V + a * K, 1, V + b * K, 1, (slong)K, prec);
            arb_set(arb_mat_entry(G, b, a), arb_mat_entry(G, a, b));
        }
    int st = plstar_ref_norm2_sym_upper(lam, G, prec);
    int have = st == PLSTAR_OK && arb_is_finite(lam);
    arb_mat_clear(G);
    _arb_vec_clear(V, (slong)(k * K));
    return have;
}

/* lam ≥ λ_max of the Gram matrix from BLAS's fl(G) and a bound on its rounding (verified/eig.h);
 * *have = 1 if bounded. PLSTAR_ESOFTWARE when out of memory. */
static int gram_lambda_blas(arb_t lam, int *have, const double *A, const gram_shape *g)
{
    size_t k = g->k, K = g->K, cols = g->cols;
    double *G = calloc(k * k, sizeof(double)); /* the upper triangle stays 0 (unread) */
    if (!G)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for a Gram matrix (%zu x %zu)", k, k);
    if (g->by_rows)
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)k, (int)K, 1.0, A, (int)cols, 0.0, G, (int)k);
    else
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)k, (int)K, 1.0, A, (int)cols, 0.0, G, (int)k);
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b <= a; b++)
            G[a * k + b] = -G[a * k + b];
    /* |fl(G)_ab − G_ab| ≤ γ_K Σ_t |v_at||v_bt| ≤ γ_K max_a ‖v_a‖² (Cauchy–Schwarz),
     * plus K·2⁻¹⁰⁷⁴ for underflow (covered by the 2⁻¹⁰⁰⁰ floors). */
    double vmax = 0;
    for (size_t a = 0; a < k; a++)
        vmax = fmax(vmax, sumsq_upper(A + a * g->vs, K, g->es));
    double rad = round_up(round_up(gamma_up((double)K, PLSTAR_U64) * vmax) + 0x1p-1000);
    double lower;
    int st = plstar_verified_lambda_min(&lower, G, k, rad, NAN);
    if (st == PLSTAR_OK && isfinite(lower)) {
        arb_set_d(lam, -lower); /* λ_max(AᵀA) ≤ −λ_min(−fl(G) ± rad) */
        *have = 1;
    }
    plstar_error_clear();
    free(G);
    return PLSTAR_OK;
}

int plstar_ref_matrix_norm2_upper(arb_t bound, const double *A, size_t rows, size_t cols, slong prec)
{
    if (!A || rows == 0 || cols == 0) {
        arb_zero(bound);
        return PLSTAR_OK;
    }
    size_t total = rows * cols;
    for (size_t t = 0; t < total; t++)
        if (!isfinite(A[t]))
            return plstar_error(PLSTAR_EDATA, "plstar_ref_matrix_norm2_upper: non-finite entry");
    /* Frobenius fallback: always valid. */
    arb_t frob;
    arb_init(frob);
    arb_set_d(frob, sumsq_upper(A, total, 1));
    arb_sqrtpos(frob, frob, prec);
    to_upper_point(frob);

    gram_shape g = gram_shape_of(rows, cols);
    arb_t lam;
    arb_init(lam);
    int have = 0;
    if (g.k <= ARB_GRAM_MAX) {
        have = gram_lambda_arb(lam, A, &g, prec);
    } else {
        int st = gram_lambda_blas(lam, &have, A, &g);
        if (st) {
            arb_clear(lam), arb_clear(frob);
            return st;
        }
    }
    if (have) {
        to_upper_point(lam);
        arb_nonnegative_part(lam, lam);
        arb_sqrtpos(lam, lam, prec);
        to_upper_point(lam);
        arb_min(bound, lam, frob, prec);
    } else {
        arb_set(bound, frob);
    }
    to_upper_point(bound);
    arb_clear(lam), arb_clear(frob);
    return PLSTAR_OK;
}

/* ------------------------------------------------------------------------ */
/* The data at w0                                                            */

void plstar_ref_hessian_ctx_init(ref_hessian_ctx *ctx) { memset(ctx, 0, sizeof *ctx); }

void plstar_ref_hessian_ctx_clear(ref_hessian_ctx *ctx)
{
    for (size_t t = 0; t < ctx->n * ctx->nlayers; t++) {
        if (ctx->zlo)
            free(ctx->zlo[t]);
        if (ctx->zhi)
            free(ctx->zhi[t]);
    }
    free(ctx->zlo), free(ctx->zhi);
    free(ctx->layers), free(ctx->wnorm), free(ctx->wrow), free(ctx->xnorm), free(ctx->anorm);
    free(ctx->zout_lo), free(ctx->zout_hi);
    free(ctx->einf), free(ctx->e2), free(ctx->d2), free(ctx->grad0);
    plstar_ref_hessian_ctx_init(ctx);
}

typedef struct {
    double lo, hi;
} interval_d;

static int cmp_interval(const void *a, const void *b)
{
    double x = ((const interval_d *)a)->lo, y = ((const interval_d *)b)->lo;
    return (x > y) - (x < y);
}

/* Sorted outward-rounded enclosures of a ball vector. */
static int store_sorted(double **lo, double **hi, arb_srcptr z, size_t len)
{
    interval_d *t = malloc(len * sizeof *t);
    *lo = malloc(len * sizeof(double));
    *hi = malloc(len * sizeof(double));
    if (!t || !*lo || !*hi) {
        free(t);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for pre-activation ranges");
    }
    for (size_t j = 0; j < len; j++)
        t[j].lo = plstar_arb_lower_d(z + j), t[j].hi = plstar_arb_upper_d(z + j);
    qsort(t, len, sizeof *t, cmp_interval);
    for (size_t j = 0; j < len; j++)
        (*lo)[j] = t[j].lo, (*hi)[j] = t[j].hi;
    free(t);
    return PLSTAR_OK;
}

/* z (n × out, sample-major) = s^{-1/2} prev Wᵀ + b, W streamed row by row. A
 * loop of arb_dot where ref_layer_affine has arb_mat_mul: a ball matrix of W
 * would take O(out · in) balls, and arb_mat_mul's radii can differ from the
 * dots'. The scale and the bias are ref_layer_affine's, entry by entry. Dense layers only: the streamed
 * Hessian bounds are not yet per kind (docs/architecture.md). */
static void forward_arb(arb_ptr z, arb_srcptr prev, const double *W, arb_srcptr b, const plstar_layer *L,
                        size_t n, slong prec)
{
    size_t in = L->in, out = L->out;
#pragma omp parallel
    {
        arb_ptr row = _arb_vec_init((slong)in);
        arb_t scale;
        arb_init(scale);
        plstar_layer_scale_arb(scale, L, prec);
#pragma omp for schedule(dynamic, 8)
        for (size_t j = 0; j < out; j++) {
            for (size_t t = 0; t < in; t++)
                arb_set_d(row + t, W[j * in + t]);
            for (size_t i = 0; i < n; i++) {
                arb_ptr zz = z + i * out + j;
                arb_dot(zz, NULL, 0, row, 1, prev + i * in, 1, (slong)in, prec);
                dense_affine_entry(zz, scale, b ? b + j : NULL, prec);
            }
        }
        arb_clear(scale);
        _arb_vec_clear(row, (slong)in);
    }
}

/* eps_prev (R × in) = s^{-1/2} δ W (δ: R × out), W (out × in) streamed column
 * by column: ref_layer_backward's product, as arb_dot for the reason of
 * forward_arb, and without its σ′ (ε itself enters the bounds; δ is
 * ref_layer_signals of it). */
static void backward_arb(arb_ptr eps_prev, arb_srcptr delta, const double *W, const plstar_layer *L, size_t R,
                         slong prec)
{
    size_t in = L->in, out = L->out;
#pragma omp parallel
    {
        arb_ptr col = _arb_vec_init((slong)out);
        arb_t scale;
        arb_init(scale);
        plstar_layer_scale_arb(scale, L, prec);
#pragma omp for schedule(dynamic, 8)
        for (size_t t = 0; t < in; t++) {
            for (size_t a = 0; a < out; a++)
                arb_set_d(col + a, W[a * in + t]);
            for (size_t r = 0; r < R; r++) {
                arb_ptr e = eps_prev + r * in + t;
                arb_dot(e, NULL, 0, col, 1, delta + r * out, 1, (slong)out, prec);
                arb_mul(e, e, scale, prec);
            }
        }
        arb_clear(scale);
        _arb_vec_clear(col, (slong)out);
    }
}

static int check_model(const plstar_model *m)
{
    if (!m || m->nlayers == 0 || !m->layers)
        return plstar_error(PLSTAR_EUSAGE, "Hessian bounds: empty model");
    if (layer_model_dense_only(m, "Hessian bounds"))
        return PLSTAR_ESOFTWARE;
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        if (!plstar_act_twice_differentiable(L->act))
            return plstar_error(PLSTAR_EUSAGE,
                                "Hessian bounds: layer %zu uses \"%s\", which is not twice differentiable "
                                "(first-order activations have no Hessian bound; use a C² activation)",
                                l + 1, plstar_act_name(L->act));
        if (L->scale_div == 0)
            return plstar_error(PLSTAR_EUSAGE, "Hessian bounds: layer %zu has a zero scale", l + 1);
        if (l > 0 && L->in != m->layers[l - 1].out)
            return plstar_error(PLSTAR_EUSAGE, "Hessian bounds: layer %zu does not fit layer %zu", l + 1, l);
    }
    if (m->layers[0].in != m->input_dim || m->layers[m->nlayers - 1].out != m->outputs)
        return plstar_error(PLSTAR_EUSAGE, "Hessian bounds: inconsistent model dimensions");
    return PLSTAR_OK;
}

/* The w0 data's arrays for n samples of m, zeroed, and the layer geometry. */
static int ctx_alloc(ref_hessian_ctx *ctx, const plstar_model *m, size_t n)
{
    size_t nl = m->nlayers, c = m->outputs, N = n * c;
    ctx->n = n, ctx->c = c, ctx->N = N, ctx->nlayers = nl;
    ctx->layers = calloc(nl, sizeof *ctx->layers);
    ctx->wnorm = calloc(nl, sizeof(double));
    ctx->wrow = calloc(c, sizeof(double));
    ctx->xnorm = calloc(n, sizeof(double));
    ctx->anorm = calloc(n * nl, sizeof(double));
    ctx->zlo = calloc(n * nl, sizeof(double *));
    ctx->zhi = calloc(n * nl, sizeof(double *));
    ctx->zout_lo = calloc(N, sizeof(double));
    ctx->zout_hi = calloc(N, sizeof(double));
    ctx->einf = calloc(N * nl, sizeof(double));
    ctx->e2 = calloc(N * nl, sizeof(double));
    ctx->d2 = calloc(N * nl, sizeof(double));
    ctx->grad0 = calloc(N, sizeof(double));
    if (!ctx->layers || !ctx->wnorm || !ctx->wrow || !ctx->xnorm || !ctx->anorm || !ctx->zlo || !ctx->zhi ||
        !ctx->zout_lo || !ctx->zout_hi || !ctx->einf || !ctx->e2 || !ctx->d2 || !ctx->grad0) {
        plstar_ref_hessian_ctx_clear(ctx);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the Hessian bound data");
    }
    for (size_t l = 0; l < nl; l++) {
        ctx->layers[l] = m->layers[l];
        ctx->layers[l].fixed = NULL;
    }
    return PLSTAR_OK;
}

/* ‖W0⁽ˡ⁾‖₂ (certified) and the output rows' norms (enclosed). */
static int weight_norms(ref_hessian_ctx *ctx, const plstar_model *m, const double *w0, slong prec)
{
    size_t nl = m->nlayers, o = nl - 1;
    int st = PLSTAR_OK;
    arb_t t, u;
    arb_init(t), arb_init(u);
    for (size_t l = 0; l < nl && !st; l++) {
        const plstar_layer *L = &m->layers[l];
        st = plstar_ref_matrix_norm2_upper(t, plstar_layer_weights(m, l, w0), L->out, L->in, prec);
        ctx->wnorm[l] = plstar_arb_upper_d(t);
    }
    const double *Wout = plstar_layer_weights(m, o, w0);
    size_t in_o = m->layers[o].in;
    for (size_t k = 0; k < m->outputs; k++) {
        arb_zero(t);
        for (size_t j = 0; j < in_o; j++) {
            arb_set_d(u, Wout[k * in_o + j]);
            arb_addmul(t, u, u, prec);
        }
        arb_sqrtpos(t, t, prec);
        ctx->wrow[k] = plstar_arb_upper_d(t);
    }
    arb_clear(t), arb_clear(u);
    return st;
}

/* Forward pass at w0 in Arb, keeping σ′(z0) of every layer in s1[l]:
 * act[0] = x, act[l+1] = α⁽ˡ⁾ (output: z). */
static int forward_w0(ref_hessian_ctx *ctx, arb_ptr *act, arb_ptr *s1, const plstar_model *m, const double *X,
                      const double *w0, slong prec)
{
    size_t n = ctx->n, nl = m->nlayers, N = ctx->N, o = nl - 1, d = m->input_dim;
    int st = PLSTAR_OK;
    act[0] = _arb_vec_init((slong)(n * d));
    for (size_t k = 0; k < n * d; k++)
        arb_set_d(act[0] + k, X[k]);
    for (size_t i = 0; i < n; i++)
        ctx->xnorm[i] = vec_norm2_upper(act[0] + i * d, d, prec);
    for (size_t l = 0; l < nl && !st; l++) {
        const plstar_layer *L = &m->layers[l];
        size_t out = L->out;
        arb_ptr z = _arb_vec_init((slong)(n * out)), b = ref_layer_bias_init(L, w0);
        forward_arb(z, act[l], plstar_layer_weights(m, l, w0), b, L, n, prec);
        ref_layer_bias_clear(b, L);
        s1[l] = _arb_vec_init((slong)(n * out));
        if (l < o) {
            act[l + 1] = _arb_vec_init((slong)(n * out));
#pragma omp parallel for schedule(dynamic, 64)
            for (size_t k = 0; k < n * out; k++)
                plstar_act_eval_arb(L->act, act[l + 1] + k, s1[l] + k, NULL, z + k, prec);
            for (size_t i = 0; i < n && !st; i++) {
                ctx->anorm[i * nl + l] = vec_norm2_upper(act[l + 1] + i * out, out, prec);
                st = store_sorted(&ctx->zlo[i * nl + l], &ctx->zhi[i * nl + l], z + i * out, out);
            }
            _arb_vec_clear(z, (slong)(n * out));
        } else {
            for (size_t k = 0; k < N; k++) {
                plstar_act_eval_arb(L->act, NULL, s1[l] + k, NULL, z + k, prec);
                ctx->zout_lo[k] = plstar_arb_lower_d(z + k);
                ctx->zout_hi[k] = plstar_arb_upper_d(z + k);
            }
            act[l + 1] = z;
        }
    }
    return st;
}

/* ε⁽ᴸ⁾ of every row r = (i, k): W0_out[k, :]/√s_out (N × m_L), and the output
 * layer's term ‖α⁽ᴸ⁾‖²/s + bias of ‖∇f̃‖² added to gsq. */
static arb_ptr output_eps(arb_ptr gsq, arb_srcptr act_o, const plstar_model *m, const double *w0, size_t N,
                          slong prec)
{
    size_t c = m->outputs, o = m->nlayers - 1;
    const plstar_layer *Lo = &m->layers[o];
    const double *Wout = plstar_layer_weights(m, o, w0);
    size_t mo = Lo->in;
    arb_ptr eps = _arb_vec_init((slong)(N * mo));
    arb_t sc, t;
    arb_init(sc), arb_init(t);
    plstar_layer_scale_arb(sc, Lo, prec);
    for (size_t r = 0; r < N; r++) {
        size_t i = r / c, k = r % c;
        for (size_t j = 0; j < mo; j++) {
            arb_set_d(eps + r * mo + j, Wout[k * mo + j]);
            arb_mul(eps + r * mo + j, eps + r * mo + j, sc, prec);
        }
        if (Lo->trainable) {
            arb_dot(t, NULL, 0, act_o + i * mo, 1, act_o + i * mo, 1, (slong)mo, prec);
            arb_div_ui(t, t, Lo->scale_div, prec);
            if (Lo->has_bias)
                arb_add_ui(t, t, 1, prec);
            arb_add(gsq + r, gsq + r, t, prec);
        }
    }
    arb_clear(sc), arb_clear(t);
    return eps;
}

/* Backward pass of f̃ (δ_out = e_k) at w0, all N rows at once: the norms of
 * ε0⁽ˡ⁾, δ0⁽ˡ⁾ and ‖∇F_r(w0)‖. */
static void backward_w0(ref_hessian_ctx *ctx, arb_ptr const *act, arb_ptr const *s1, const plstar_model *m,
                        const double *w0, slong prec)
{
    size_t nl = m->nlayers, c = m->outputs, N = ctx->N, o = nl - 1, mo = m->layers[o].in;
    arb_ptr gsq = _arb_vec_init((slong)N);
    arb_ptr eps = output_eps(gsq, act[o], m, w0, N, prec);
    arb_t t, u;
    arb_init(t), arb_init(u);
    for (size_t l = o; l-- > 0;) {
        const plstar_layer *L = &m->layers[l];
        size_t out = L->out, in = L->in;
        arb_ptr delta = _arb_vec_init((slong)(N * out));
        ref_layer_signals(delta, eps, s1[l], N, c, out, prec);
        for (size_t r = 0; r < N; r++) {
            size_t i = r / c;
            arb_ptr e = eps + r * out, dl = delta + r * out;
            ctx->einf[r * nl + l] = vec_norminf_upper(e, out);
            ctx->e2[r * nl + l] = vec_norm2_upper(e, out, prec);
            ctx->d2[r * nl + l] = vec_norm2_upper(dl, out, prec);
            if (L->trainable) {
                arb_dot(u, NULL, 0, act[l] + i * in, 1, act[l] + i * in, 1, (slong)in, prec);
                arb_div_ui(u, u, L->scale_div, prec);
                if (L->has_bias)
                    arb_add_ui(u, u, 1, prec);
                arb_dot(t, NULL, 0, dl, 1, dl, 1, (slong)out, prec);
                arb_addmul(gsq + r, t, u, prec);
            }
        }
        _arb_vec_clear(eps, (slong)(N * out));
        eps = NULL;
        if (l > 0) {
            eps = _arb_vec_init((slong)(N * in));
            backward_arb(eps, delta, plstar_layer_weights(m, l, w0), L, N, prec);
        }
        _arb_vec_clear(delta, (slong)(N * out));
    }
    if (eps) /* no hidden layer: eps still holds the output row */
        _arb_vec_clear(eps, (slong)(N * mo));
    for (size_t r = 0; r < N; r++) { /* ‖∇F_r(w0)‖ = |σ′_out(z0)| ‖∇f̃‖ */
        arb_sqrtpos(t, gsq + r, prec);
        arb_abs(u, s1[o] + r);
        arb_mul(t, t, u, prec);
        ctx->grad0[r] = plstar_arb_upper_d(t);
    }
    arb_clear(t), arb_clear(u);
    _arb_vec_clear(gsq, (slong)N);
}

int plstar_ref_hessian_ctx_set(ref_hessian_ctx *ctx, const plstar_model *m, const double *X, size_t n,
                               const double *w0, slong prec)
{
    plstar_ref_hessian_ctx_clear(ctx);
    int st = check_model(m);
    if (st)
        return st;
    if (!X || !w0 || n == 0)
        return plstar_error(PLSTAR_EUSAGE, "Hessian bounds: no data or weights");
    size_t where;
    if (!plstar_array_all_finite(X, n * m->input_dim, &where))
        return plstar_error(PLSTAR_EDATA, "Hessian bounds: non-finite input at index %zu", where);
    if (!plstar_array_all_finite(w0, m->nparams, &where))
        return plstar_error(PLSTAR_EDATA, "Hessian bounds: non-finite weight at index %zu", where);
    if ((st = ctx_alloc(ctx, m, n)))
        return st;
    if ((st = weight_norms(ctx, m, w0, prec))) {
        plstar_ref_hessian_ctx_clear(ctx);
        return st;
    }
    size_t nl = m->nlayers;
    arb_ptr *act = calloc(nl + 1, sizeof(arb_ptr)); /* act[0] = x, act[l+1] = α⁽ˡ⁾ (output: z) */
    arb_ptr *s1 = calloc(nl, sizeof(arb_ptr));
    if (!act || !s1) {
        free(act), free(s1);
        plstar_ref_hessian_ctx_clear(ctx);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the Hessian bound data");
    }
    st = forward_w0(ctx, act, s1, m, X, w0, prec);
    if (!st)
        backward_w0(ctx, act, s1, m, w0, prec);
    for (size_t l = 0; l <= nl; l++)
        if (act[l])
            _arb_vec_clear(act[l], (slong)(n * (l ? m->layers[l - 1].out : m->input_dim)));
    for (size_t l = 0; l < nl; l++)
        if (s1[l])
            _arb_vec_clear(s1[l], (slong)(n * m->layers[l].out));
    free(act), free(s1);
    if (st) {
        plstar_ref_hessian_ctx_clear(ctx);
        return st;
    }
    ctx->ok = 1;
    return PLSTAR_OK;
}

/* ------------------------------------------------------------------------ */
/* The bounds on B(w0, R)                                                    */

void plstar_ref_hessian_bounds_init(ref_hessian_bounds *b)
{
    memset(b, 0, sizeof *b);
    arb_init(b->lipschitz), arb_init(b->hess_max), arb_init(b->jac_lipschitz);
    arb_init(b->kernel_change), arb_init(b->jac_norm0);
}

void plstar_ref_hessian_bounds_clear(ref_hessian_bounds *b)
{
    arb_clear(b->lipschitz), arb_clear(b->hess_max), arb_clear(b->jac_lipschitz);
    arb_clear(b->kernel_change), arb_clear(b->jac_norm0);
    free(b->beta_rows), free(b->grad_rows);
    memset(b, 0, sizeof *b);
}

static void max_abs_upper(arb_t acc, const arb_t x)
{
    arb_t t;
    arb_init(t);
    arb_abs(t, x);
    to_upper_point(t);
    if (!arb_is_finite(t))
        arb_pos_inf(acc); /* capped by the global supremum below */
    else if (arb_gt(t, acc))
        arb_set(acc, t);
    arb_clear(t);
}

/* S1 ≥ sup|σ′|, S2 ≥ sup|σ″| over ∪_j [lo_j − r, hi_j + r] (lo sorted): the
 * intervals are merged where they overlap and each merged piece is enclosed
 * once. Any merge decision is sound (a piece is the hull of its members);
 * merging only saves work. Capped by the global certified suprema. */
static void range_sup(arb_t S1, arb_t S2, plstar_act a, const double *lo, const double *hi, size_t len,
                      const arb_t r, slong prec)
{
    mag_t rm;
    arf_t plo, phi;
    arb_t x, d1, d2;
    mag_init(rm), arf_init(plo), arf_init(phi);
    arb_init(x), arb_init(d1), arb_init(d2);
    arb_get_mag(rm, r);
    double rd = mag_get_d(rm); /* upper bound, used for merging decisions only */
    arb_zero(S1), arb_zero(S2);
    size_t j = 0;
    while (j < len) {
        double start = lo[j], end = hi[j];
        size_t q = j + 1;
        while (q < len && (lo[q] - end <= 2 * rd || !isfinite(rd))) {
            end = fmax(end, hi[q]);
            q++;
        }
        arf_set_d(plo, start), arf_set_d(phi, end);
        arb_set_interval_arf(x, plo, phi, prec);
        mag_add(arb_radref(x), arb_radref(x), rm);
        plstar_act_eval_arb(a, NULL, d1, d2, x, prec);
        max_abs_upper(S1, d1);
        max_abs_upper(S2, d2);
        j = q;
    }
    arb_t g;
    arb_init(g);
    arb_set_d(g, plstar_act_sup_d1(a));
    arb_min(S1, S1, g, prec);
    arb_set_d(g, plstar_act_sup_d2(a));
    arb_min(S2, S2, g, prec);
    to_upper_point(S1), to_upper_point(S2);
    arb_clear(g);
    mag_clear(rm), arf_clear(plo), arf_clear(phi);
    arb_clear(x), arb_clear(d1), arb_clear(d2);
}

/* out = x²/s (+ 1 with a bias), a ball. */
static void sq_over_s(arb_t out, const arb_t x, size_t s, int bias, slong prec)
{
    arb_mul(out, x, x, prec);
    arb_div_ui(out, out, s, prec);
    if (bias)
        arb_add_ui(out, out, 1, prec);
}

/* The balls that the steps of plstar_ref_hessian_bounds_compute pass on: per layer, Step 1's bounds for the
 * sample at hand; per output row, the running terms of Steps 3 and 4; over the rows, Step 5's sums. */
typedef struct {
    size_t nl;
    arb_ptr J, rr, S1, S2, G, A; /* J_l, r_l, S1_l, S2_l, G_l, A_l of the current sample */
    arb_ptr rho, isq;            /* ρ_l, 1/√s_l */
    arb_t R;
    arb_t Jout, e, bt, gsq, gt;  /* of the current row: J_out, e_l, β̃ then β_r, (12)'s sum then its root,
                                  * g̃ then g */
    arb_t betamax, csq, gsum;    /* max_r β_r, Σ_r β_r², Σ_r g_r² */
} hess_work;

static void hess_work_init(hess_work *hw, const ref_hessian_ctx *ctx, double radius, slong prec)
{
    size_t nl = ctx->nlayers;
    hw->nl = nl;
    hw->J = _arb_vec_init((slong)nl), hw->rr = _arb_vec_init((slong)nl), hw->S1 = _arb_vec_init((slong)nl);
    hw->S2 = _arb_vec_init((slong)nl), hw->G = _arb_vec_init((slong)nl), hw->A = _arb_vec_init((slong)nl);
    hw->rho = _arb_vec_init((slong)nl), hw->isq = _arb_vec_init((slong)nl);
    arb_init(hw->R), arb_init(hw->Jout), arb_init(hw->e), arb_init(hw->bt), arb_init(hw->gsq), arb_init(hw->gt);
    arb_init(hw->betamax), arb_init(hw->csq), arb_init(hw->gsum);
    arb_set_d(hw->R, radius);
    for (size_t l = 0; l < nl; l++) {
        if (ctx->layers[l].trainable)
            arb_set(hw->rho + l, hw->R);
        else
            arb_zero(hw->rho + l);
        arb_rsqrt_ui(hw->isq + l, ctx->layers[l].scale_div, prec);
        to_upper_point(hw->isq + l);
    }
    arb_zero(hw->betamax), arb_zero(hw->csq), arb_zero(hw->gsum);
}

static void hess_work_clear(hess_work *hw)
{
    slong nl = (slong)hw->nl;
    _arb_vec_clear(hw->J, nl), _arb_vec_clear(hw->rr, nl), _arb_vec_clear(hw->S1, nl);
    _arb_vec_clear(hw->S2, nl), _arb_vec_clear(hw->G, nl), _arb_vec_clear(hw->A, nl);
    _arb_vec_clear(hw->rho, nl), _arb_vec_clear(hw->isq, nl);
    arb_clear(hw->R), arb_clear(hw->Jout), arb_clear(hw->e), arb_clear(hw->bt), arb_clear(hw->gsq);
    arb_clear(hw->gt), arb_clear(hw->betamax), arb_clear(hw->csq), arb_clear(hw->gsum);
}

/* (1), (4): out = (τ (A²/s + β) + (w0norm + ρ)² G²/s)^{1/2} for layer L with inputs A = Ain, G = Gin. */
static void jac_step(arb_t out, const plstar_layer *L, const arb_t Ain, const arb_t Gin, double w0norm,
                     const arb_t rho, slong prec)
{
    arb_t t, u;
    arb_init(t), arb_init(u);
    if (L->trainable)
        sq_over_s(t, Ain, L->scale_div, L->has_bias, prec);
    else
        arb_zero(t);
    arb_set_d(u, w0norm);
    arb_add(u, u, rho, prec); /* Ŵ_l */
    arb_mul(u, u, Gin, prec);
    sq_over_s(u, u, L->scale_div, 0, prec);
    arb_add(t, t, u, prec);
    arb_sqrtpos(out, t, prec);
    arb_clear(t), arb_clear(u);
}

/* A_{l−1}, G_{l−1}: the input bounds of layer l for sample i (‖x_i‖ and 0 at the first layer). */
static void layer_inputs(arb_t Ain, arb_t Gin, const hess_work *hw, const ref_hessian_ctx *ctx, size_t i, size_t l)
{
    if (l > 0) {
        arb_set(Ain, hw->A + l - 1), arb_set(Gin, hw->G + l - 1);
    } else {
        arb_set_d(Ain, ctx->xnorm[i]);
        arb_zero(Gin);
    }
}

/* Step 1: the forward recursion (1)–(3) of sample i through the hidden layers. */
static void forward_bounds(hess_work *hw, const ref_hessian_ctx *ctx, size_t i, slong prec)
{
    size_t nl = ctx->nlayers;
    arb_t Ain, Gin;
    arb_init(Ain), arb_init(Gin);
    arb_set_d(Ain, ctx->xnorm[i]);
    arb_zero(Gin);
    for (size_t l = 0; l + 1 < nl; l++) {
        const plstar_layer *L = &ctx->layers[l];
        jac_step(hw->J + l, L, Ain, Gin, ctx->wnorm[l], hw->rho + l, prec);
        to_upper_point(hw->J + l);
        arb_mul(hw->rr + l, hw->J + l, hw->R, prec);
        to_upper_point(hw->rr + l);
        range_sup(hw->S1 + l, hw->S2 + l, L->act, ctx->zlo[i * nl + l], ctx->zhi[i * nl + l], L->out, hw->rr + l,
                  prec);
        arb_mul(hw->G + l, hw->S1 + l, hw->J + l, prec);
        to_upper_point(hw->G + l);
        arb_set_d(hw->A + l, ctx->anorm[i * nl + l]);
        arb_addmul(hw->A + l, hw->S1 + l, hw->rr + l, prec);
        to_upper_point(hw->A + l);
        arb_set(Ain, hw->A + l), arb_set(Gin, hw->G + l);
    }
    arb_clear(Ain), arb_clear(Gin);
}

/* The output layer of row (i, k): J_out (4), the mixed term (7) with D_{L+1} = 1, the gradient term of
 * (12) and e_L. */
static void output_layer_bounds(hess_work *hw, const ref_hessian_ctx *ctx, size_t i, size_t k, slong prec)
{
    size_t o = ctx->nlayers - 1;
    const plstar_layer *Lo = &ctx->layers[o];
    arb_t Ain, Gin;
    arb_init(Ain), arb_init(Gin);
    layer_inputs(Ain, Gin, hw, ctx, i, o); /* A_L, G_L */
    jac_step(hw->Jout, Lo, Ain, Gin, ctx->wrow[k], hw->rho + o, prec);
    arb_zero(hw->bt), arb_zero(hw->gsq);
    if (Lo->trainable) {
        arb_mul(hw->bt, Gin, hw->isq + o, prec);
        sq_over_s(hw->gsq, Ain, Lo->scale_div, Lo->has_bias, prec);
    }
    arb_mul(hw->e, hw->rho + o, hw->isq + o, prec); /* e_L */
    arb_clear(Ain), arb_clear(Gin);
}

/* Step 3: the backward recursion (9)–(11) of row r = (i, k), accumulating (8) and (12). */
static void backward_bounds(hess_work *hw, const ref_hessian_ctx *ctx, size_t i, size_t r, slong prec)
{
    size_t nl = ctx->nlayers;
    arb_t t, u, v, dd, D, Einf, Ain, Gin;
    arb_init(t), arb_init(u), arb_init(v), arb_init(dd), arb_init(D), arb_init(Einf), arb_init(Ain), arb_init(Gin);
    for (size_t l = nl - 1; l-- > 0;) {
        const plstar_layer *L = &ctx->layers[l];
        double einf0 = ctx->einf[r * nl + l], e20 = ctx->e2[r * nl + l], d20 = ctx->d2[r * nl + l];
        arb_set_d(t, einf0);
        arb_add(Einf, t, hw->e, prec);                 /* E∞_l */
        arb_mul(dd, hw->S2 + l, hw->rr + l, prec);
        arb_mul(dd, dd, t, prec);
        arb_addmul(dd, hw->S1 + l, hw->e, prec);       /* d_l */
        arb_set_d(u, e20);
        arb_add(u, u, hw->e, prec);
        arb_mul(u, u, hw->S1 + l, prec);
        arb_set_d(v, d20);
        arb_add(v, v, dd, prec);
        to_upper_point(u), to_upper_point(v);
        arb_min(D, u, v, prec);                        /* D_l */
        arb_mul(t, hw->J + l, hw->J + l, prec);        /* (6) */
        arb_mul(t, t, hw->S2 + l, prec);
        arb_addmul(hw->bt, t, Einf, prec);
        layer_inputs(Ain, Gin, hw, ctx, i, l);
        if (L->trainable) {
            arb_mul(t, D, Gin, prec);                  /* (7) */
            arb_addmul(hw->bt, t, hw->isq + l, prec);
            sq_over_s(t, Ain, L->scale_div, L->has_bias, prec);
            arb_mul(u, D, D, prec);
            arb_addmul(hw->gsq, u, t, prec);           /* (12) */
        }
        if (l > 0) {                                   /* (11) */
            arb_mul(t, hw->rho + l, D, prec);
            arb_set_d(u, ctx->wnorm[l]);
            arb_addmul(t, u, dd, prec);
            arb_mul(hw->e, t, hw->isq + l, prec);
            to_upper_point(hw->e);
        }
    }
    arb_clear(t), arb_clear(u), arb_clear(v), arb_clear(dd), arb_clear(D), arb_clear(Einf), arb_clear(Ain);
    arb_clear(Gin);
}

/* g̃ of (12), then Step 4: the output activation (13) turns β̃, g̃ into β_r, g of row r. */
static void output_activation_bounds(hess_work *hw, const ref_hessian_ctx *ctx, size_t r, slong prec)
{
    const plstar_layer *Lo = &ctx->layers[ctx->nlayers - 1];
    arb_sqrtpos(hw->gsq, hw->gsq, prec);
    to_upper_point(hw->gsq), to_upper_point(hw->Jout);
    arb_min(hw->gt, hw->Jout, hw->gsq, prec);          /* g̃ */
    to_upper_point(hw->gt), to_upper_point(hw->bt);
    if (Lo->act == ACT_LINEAR)
        return;
    arb_t t, ro, S1o, S2o;
    arb_init(t), arb_init(ro), arb_init(S1o), arb_init(S2o);
    arb_mul(ro, hw->gt, hw->R, prec);
    range_sup(S1o, S2o, Lo->act, ctx->zout_lo + r, ctx->zout_hi + r, 1, ro, prec);
    arb_mul(t, hw->gt, hw->gt, prec);
    arb_mul(t, t, S2o, prec);
    arb_addmul(t, S1o, hw->bt, prec);
    arb_set(hw->bt, t);
    arb_mul(hw->gt, hw->gt, S1o, prec);
    to_upper_point(hw->bt), to_upper_point(hw->gt);
    arb_clear(t), arb_clear(ro), arb_clear(S1o), arb_clear(S2o);
}

/* Steps 2–4 for row r = (i, k) after Step 1 of sample i: β_r and g_r, into out and Step 5's sums. */
static void row_bounds(ref_hessian_bounds *out, hess_work *hw, const ref_hessian_ctx *ctx, size_t i, size_t k,
                       slong prec)
{
    size_t r = i * ctx->c + k;
    output_layer_bounds(hw, ctx, i, k, prec);
    backward_bounds(hw, ctx, i, r, prec);
    output_activation_bounds(hw, ctx, r, prec);
    out->beta_rows[r] = plstar_arb_upper_d(hw->bt);
    out->grad_rows[r] = plstar_arb_upper_d(hw->gt);
    arb_max(hw->betamax, hw->betamax, hw->bt, prec);
    arb_addmul(hw->csq, hw->bt, hw->bt, prec);
    arb_addmul(hw->gsum, hw->gt, hw->gt, prec);
}

/* Step 5: h, c_B, a, L_F and ΔK from the rows' sums (jac_norm0, if not NULL, a bound on ‖DF(w0)‖₂). */
static void ball_constants(ref_hessian_bounds *out, hess_work *hw, const ref_hessian_ctx *ctx, const arb_t jac_norm0,
                           slong prec)
{
    arb_t t, u, v, dd, a;
    arb_init(t), arb_init(u), arb_init(v), arb_init(dd), arb_init(a);
    arb_set(out->hess_max, hw->betamax);
    to_upper_point(out->hess_max);
    arb_sqrtpos(out->jac_lipschitz, hw->csq, prec);
    to_upper_point(out->jac_lipschitz);
    arb_zero(t);
    for (size_t r = 0; r < ctx->N; r++) {
        arb_set_d(u, ctx->grad0[r]);
        arb_addmul(t, u, u, prec);
    }
    arb_sqrtpos(a, t, prec); /* ‖DF(w0)‖_F ≥ ‖DF(w0)‖₂ */
    to_upper_point(a);
    if (jac_norm0) {
        arb_set(t, jac_norm0);
        to_upper_point(t);
        arb_min(a, a, t, prec);
    }
    arb_set(out->jac_norm0, a);
    arb_mul(u, out->jac_lipschitz, hw->R, prec); /* c_B R */
    to_upper_point(u);
    arb_add(t, a, u, prec);
    arb_sqrtpos(hw->gsum, hw->gsum, prec);
    to_upper_point(t), to_upper_point(hw->gsum);
    if (!arb_is_finite(t))
        arb_set(t, hw->gsum);
    arb_min(out->lipschitz, t, hw->gsum, prec);
    to_upper_point(out->lipschitz);
    /* ΔK = min(c_B R (2a + c_B R), max(L_F², a²)) */
    arb_mul_2exp_si(t, a, 1);
    arb_add(t, t, u, prec);
    arb_mul(t, t, u, prec);
    to_upper_point(t);
    arb_mul(v, out->lipschitz, out->lipschitz, prec);
    arb_mul(dd, a, a, prec);
    to_upper_point(v), to_upper_point(dd);
    arb_max(v, v, dd, prec);
    if (arb_is_finite(t))
        arb_min(out->kernel_change, t, v, prec);
    else
        arb_set(out->kernel_change, v);
    to_upper_point(out->kernel_change);
    arb_clear(t), arb_clear(u), arb_clear(v), arb_clear(dd), arb_clear(a);
}

int plstar_ref_hessian_bounds_compute(ref_hessian_bounds *out, const ref_hessian_ctx *ctx, double radius,
                                      const arb_t jac_norm0, slong prec)
{
    if (!ctx || !ctx->ok)
        return plstar_error(PLSTAR_EUSAGE, "Hessian bounds: the w0 data were not computed");
    if (!(radius >= 0) || !isfinite(radius))
        return plstar_error(PLSTAR_EUSAGE, "Hessian bounds: the radius must be finite and >= 0 (got %g)", radius);
    size_t n = ctx->n, c = ctx->c, N = ctx->N;
    free(out->beta_rows), free(out->grad_rows);
    out->radius = radius, out->N = N;
    out->beta_rows = calloc(N, sizeof(double));
    out->grad_rows = calloc(N, sizeof(double));
    if (!out->beta_rows || !out->grad_rows)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the Hessian bounds");
    hess_work hw;
    hess_work_init(&hw, ctx, radius, prec);
    for (size_t i = 0; i < n; i++) {
        forward_bounds(&hw, ctx, i, prec);
        for (size_t k = 0; k < c; k++)
            row_bounds(out, &hw, ctx, i, k, prec);
    }
    ball_constants(out, &hw, ctx, jac_norm0, prec);
    hess_work_clear(&hw);
    return PLSTAR_OK;
}

int plstar_ref_hessian_bounds_ball(ref_hessian_bounds *out, const plstar_model *m, const double *X, size_t n,
                                   const double *w0, double radius, slong prec)
{
    ref_hessian_ctx ctx;
    plstar_ref_hessian_ctx_init(&ctx);
    int st = plstar_ref_hessian_ctx_set(&ctx, m, X, n, w0, prec);
    if (!st)
        st = plstar_ref_hessian_bounds_compute(out, &ctx, radius, NULL, prec);
    plstar_ref_hessian_ctx_clear(&ctx);
    return st;
}

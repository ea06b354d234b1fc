/*
 * proofs-checks/ball.h — certificates on a ball B(w0, R) and a-priori GD
 * convergence (docs/theory.md §3 Theorem 2, §4 Theorem 6).
 *
 * Constants, all certified enclosures at w0:
 *   λ0 = λ_min(K(w0)), a = ‖DF(w0)‖₂ = √λ_max(K(w0)), r0 = ‖F(w0) − y‖, and
 *   c with ‖DF(w) − DF(v)‖_F ≤ c‖w − v‖ for all w, v (on the ball for the MLP),
 *   and h ≥ sup_w max_i ‖H_{F_i}(w)‖₂ (THEORY's ‖H_F‖, reported, not used in a step):
 *   - linear F(w) = Aw: c = 0, h = 0 (K is constant);
 *   - shallow f = (1/√m) Σ_j v_j σ(w_jᵀx): row i, block j of DF(w) − DF(w0) is
 *     (v_j/√m)(σ′(w_jᵀx_i) − σ′(w0_jᵀx_i)) x_i, and |σ′(a) − σ′(b)| ≤ s₂|a − b|
 *     (s₂ = sup|σ″|), so
 *       ‖ΔDF‖_F² ≤ (s₂²/m) Σ_i ‖x_i‖² ‖ΔW x_i‖² ≤ (s₂²/m) max_i‖x_i‖² ‖ΔW Xᵀ‖_F²
 *               ≤ (s₂²/m) max_i‖x_i‖² λ_max(XXᵀ) ‖ΔW‖_F²,
 *     i.e. c = s₂ · max_i‖x_i‖ · √λ_max(XXᵀ) / √m — sharper than Theorem 2's
 *     route, which loses a factor √N (the same bound holds for any two points
 *     w, v). The Hessian of f_i is block diagonal with blocks
 *     (v_j/√m) σ″(w_jᵀx_i) x_i x_iᵀ, so h = s₂ max_i‖x_i‖² / √m.
 * β_F (Definition 2, docs/theory.md §1) is c: a Lipschitz constant of DF in the
 * Frobenius, hence the operator, norm, so ‖Σ_i r_i H_{F_i}(w)‖₂ ≤ c‖r‖₂ and
 * λ_max(H_L(w)) ≤ L_F² + c‖F(w) − y‖ (Proposition 5). h is no such constant:
 * ‖Σ_i r_i H_{F_i}‖₂ can exceed h‖r‖₂ by up to √N.
 * On B(w0, R): ‖DF(w)‖₂ ≤ a + cR =: L_F(R), and
 *   ‖K(w) − K(w0)‖₂ ≤ ‖ΔDF‖₂(‖DF(w)‖₂ + ‖DF(w0)‖₂) ≤ cR(2a + cR),
 * so Weyl gives λ_min(K(w)) ≥ λ0 − cR(2a + cR) (the conclusion of Theorem 2).
 * Theorem 6 then needs μ-PL* (via Theorem 1) on the ball of radius
 * R = 2 L_F(R) r0/μ: a fixed point, R* = 2 a r0/(μ − 2 c r0) when μ > 2 c r0, and
 * the step η ≤ 1/(L_F² + β_F r0) with β_F = c gives L(w_t) ≤ (1 − ημ)^t L(w0)
 * (along the path ‖F(w_t) − y‖ ≤ r0, so η λ_max(H_L(w_t)) ≤ 1).
 * MLP with C² activations (Eq. 17): the constants depend on the radius —
 * L_F(R), c(R) = c_B, h(R) and a bound ΔK(R) ≥ sup_B ‖K(w) − K(w0)‖₂ from
 * reference/hessian.h (layer-by-layer recursion, docs/hessian.md). Theorem 2 at
 * R uses λ0 − ΔK(R) ≥ μ; the largest certified R is found by bisection (ΔK is
 * increasing in R); Theorem 6's radius solves R ≥ 2 L_F(R) r0/μ by the monotone
 * iteration R ← (1 + 10⁻⁶)·2 L_F(R) r0/μ from 2a r0/μ (L_F increasing in R), each
 * candidate re-checked in Arb. MLPs with a first-order activation have no
 * a-priori constants (verdict inconclusive; use the a-posteriori path certificate).
 */
#ifndef PLSTAR_PROOFS_BALL_H
#define PLSTAR_PROOFS_BALL_H

#include <arb.h>
#include <jansson.h>
#include "core/loss.h"
#include "core/model.h"
#include "reference/hessian.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int available;              /* 0: no a-priori constants for this model */
    arb_t lambda0, lambda_max0; /* λ_min, λ_max of K(w0) */
    arb_t a;                    /* ‖DF(w0)‖₂ upper */
    arb_t c;                    /* Jacobian Lipschitz constant, Definition 2's β_F (see above) */
    arb_t hess_max;             /* h ≥ max_i ‖H_{F_i}‖₂ (not a β_F) */
    arb_t r0, loss0;            /* ‖F(w0) − y‖, L(w0) (labels only) */
    int have_labels;
    double seconds;
    slong prec;                 /* the working precision they were computed at */
    ref_hessian_ctx *hess;      /* MLP: radius-dependent constants (c, hess_max hold the R = 0 values); else NULL */
} ball_constants;

void plstar_ball_constants_init(ball_constants *b);
void plstar_ball_constants_clear(ball_constants *b);
int plstar_ball_constants_compute(ball_constants *b, const plstar_problem *p, slong prec);

/* Constants valid on B(w0, radius): L_F ≥ sup ‖DF‖₂, c (Jacobian Lipschitz
 * constant on the ball, = β_F), h ≥ sup max_i ‖H_{F_i}‖₂, and
 * ΔK ≥ sup ‖K(w) − K(w0)‖₂; any output may be NULL. Global constants:
 * L_F = a + cR, ΔK = cR(2a + cR); MLP: reference/hessian.h.
 * PLSTAR_INCONCLUSIVE when no constants are available. */
int plstar_ball_constants_at(arb_t lipschitz, arb_t c, arb_t hess_max, arb_t kernel_change, const ball_constants *b,
                             double radius, slong prec);

/* Theorem 6's step bound on B(w0, radius) (Proposition 5):
 * lr_max = 1/(L_F² + β_F ‖F(w0) − y‖) with β_F = c on the ball; then
 * η λ_max(H_L(w)) ≤ 1 wherever w ∈ B and ‖F(w) − y‖ ≤ ‖F(w0) − y‖. Needs labels;
 * PLSTAR_INCONCLUSIVE when no constants are available. */
int plstar_ball_lr_max(arb_t lr_max, const ball_constants *b, double radius, slong prec);

typedef struct {
    double mu, radius;
    arb_t lambda_lower;         /* certified lower bound of λ_min(K) on the ball */
    arb_t kernel_change;        /* upper bound of ‖K(w) − K(w0)‖₂ on the ball */
    double radius_max;          /* largest R certified for mu (lower bound) */
    double mu_max;              /* largest μ certified for R (lower bound) */
} ball_result;

void plstar_ball_result_init(ball_result *r);
void plstar_ball_result_clear(ball_result *r);

/* Theorem 2: λ_min(K(w)) ≥ μ on B(w0, R)? Certified, refuted (λ_min(K(w0)) < μ),
 * or inconclusive. */
int plstar_check_ball(ball_result *res, const ball_constants *b, double radius, double mu, slong prec);

/* One line: why the ball check is not certified, with both sides and what would
 * decide it (empty for a certified one). */
void plstar_ball_reason_text(char *buf, size_t len, const ball_result *res, const ball_constants *b, int verdict);
json_t *plstar_ball_report(const ball_result *res, const ball_constants *b, const plstar_problem *p, int verdict);

/* The lines of `plstar certify ball` on stdout: λ_min(K(w0)), the ball's bounds and the largest R
 * for its μ, and the verdict with its reason. The check in the registry of proofs-checks/checks.h
 * is plstar_check_ball. */
void plstar_ball_print(const ball_result *res, const ball_constants *b, int verdict);

/* Why Theorem 6 was not certified a priori. */
typedef enum {
    APRIORI_OK = 0,
    APRIORI_NO_CONSTANTS,   /* no a-priori Hessian constants for this model */
    APRIORI_NO_LABELS,
    APRIORI_LAMBDA0,        /* λ_min(K(w0)) not proven positive */
    APRIORI_NO_FIXED_POINT, /* R = 2 L_F(R) r0/μ has no (proven) solution: 2 c r0/μ ≥ 1 */
    APRIORI_BALL,           /* λ0 − ΔK(R) ≥ μ fails at the fixed-point radius */
    APRIORI_LR              /* the given step exceeds lr_max */
} gd_apriori_failure;

typedef struct {
    double mu;                  /* PL* constant used (attempted, when not certified) */
    double radius;              /* R ≥ 2 L_F r0/μ, certified ball radius (when computed) */
    arb_t lipschitz;            /* L_F on the ball (when computed) */
    arb_t lr_max;               /* 1/(L_F² + β_F r0), β_F = c on the ball (when computed) */
    double lr;                  /* step used (≤ lr_max; certified only) */
    double rate;                /* upper bound of 1 − ημ (certified only) */
    size_t width;               /* model width (shallow) */
    int computed;               /* radius, lipschitz and lr_max hold a certified ball's values */
    gd_apriori_failure failure;
    double ratio;               /* 2 c r0/μ, upper (c at the last radius tried for the MLP) */
    double margin;              /* APRIORI_BALL: lower bound of λ0 − ΔK(R) − μ */
    double width_factor;        /* ratio², the width growth c ∝ 1/√m suggests (NO_FIXED_POINT) */
} gd_apriori_result;

void plstar_gd_apriori_result_init(gd_apriori_result *r);
void plstar_gd_apriori_result_clear(gd_apriori_result *r);

/* Theorem 6. mu <= 0: search the μ that maximises ημ; lr <= 0: use the
 * largest certified step. */
int plstar_check_gd_apriori(gd_apriori_result *res, const ball_constants *b, double mu, double lr, slong prec);

/* One line: why Theorem 6 is not certified, with both sides and what would
 * decide it (empty for a certified one). */
void plstar_gd_apriori_reason_text(char *buf, size_t len, const gd_apriori_result *res, const ball_constants *b,
                                   size_t width);
json_t *plstar_gd_apriori_report(const gd_apriori_result *res, const ball_constants *b, const plstar_problem *p,
                                 int verdict);

/* Theorem 6 a priori in the loss convention of a run (core/loss.h). The check decides on
 * ½‖F − y‖²: a given mu is proven as μ/s rounded up (a larger PL* constant implies the smaller
 * one), a given lr checked as sη rounded up (a bound on the larger step holds for it); 0 picks
 * plstar_check_gd_apriori's defaults. Computes the constants at w0 of p into b, then the check into res
 * (both initialised by the caller); returns the verdict, or the error of the constants. */
int plstar_check_gd_apriori_loss(ball_constants *b, gd_apriori_result *res, const plstar_problem *p, double mu, double lr,
                                 plstar_loss loss, slong prec);

/* The numbers of a result in the run's convention, for a user to read: mu and lr as given, or the
 * ones found converted (μ = sμ', η = η'/s, rounded down: bounds that stay bounds); lr_max = lr_max'/s
 * rounded down; for a certified verdict the rate 1 − ημ of these, rounded up. */
typedef struct {
    double mu, lr, lr_max, rate;
} gd_apriori_numbers;

gd_apriori_numbers plstar_gd_apriori_in_loss(const gd_apriori_result *res, double mu, double lr, plstar_loss loss, size_t N,
                                             int verdict, slong prec);

/* plstar_gd_apriori_report in the run's convention (mu, lr as given to plstar_check_gd_apriori_loss): report["loss"],
 * and under the mean loss mu, lr, rate and quantities.lr_max as plstar_gd_apriori_in_loss gives them, the
 * ½‖F − y‖² ones beside them. */
json_t *plstar_gd_apriori_loss_report(const gd_apriori_result *res, const ball_constants *b, const plstar_problem *p,
                                      int verdict, double mu, double lr, plstar_loss loss, slong prec);

/* The smallest width on the grid 16·√2^k, up to the width of the shallow network of p, at which
 * plstar_check_gd_apriori_loss certifies the shallow network of p's input dimension and activation with
 * weights drawn from `seed` (plstar_model_init_weights) on p's data and labels; 0 when none does (a width
 * whose problem cannot be set up does not). b and res, initialised and cleared by the caller, hold
 * the last width tried: the certified one when there is one. */
size_t plstar_gd_apriori_smallest_width(ball_constants *b, gd_apriori_result *res, const plstar_problem *p,
                                        unsigned long seed, double mu, double lr, plstar_loss loss, slong prec);

/* report["smallest_certified_width"]: the width plstar_gd_apriori_smallest_width found (0: none). */
void plstar_gd_apriori_report_width(json_t *report, size_t width);

/* The line of `plstar certify gd --apriori` about one width: when certified, the numbers in the run's
 * convention (mu, lr as given to plstar_check_gd_apriori_loss; plstar_gd_apriori_in_loss), otherwise why not. N: the
 * number of equations. The check in the registry of proofs-checks/checks.h is plstar_check_gd_apriori. */
void plstar_gd_apriori_print(const gd_apriori_result *res, const ball_constants *b, size_t width, size_t N, double mu,
                             double lr, plstar_loss loss, int verdict, slong prec);

#ifdef __cplusplus
}
#endif

#endif

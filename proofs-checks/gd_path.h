/*
 * proofs-checks/gd_path.h — a-posteriori certificate of a GD run (THEORY.md §4,
 * Theorem 6; Definition 5 / Theorem 9 with ε).
 *
 * GD w_{t+1} = w_t − η∇L(w_t) is run with the fast trainer (fast/train.h); the
 * iterates it produced are exact doubles, and the reference re-verifies, in
 * ball arithmetic:
 *   (1) L(w_t) ≤ (1 − ημ)^t L(w0) at every step      (the rate of Theorem 6),
 * and at every recorded step t
 *   (2) λ_min(K(w_t)) ≥ μ                           (uniform conditioning, Def. 3),
 *   (3) ‖K(w_t) − K(w0)‖₂ ≤ λ_min(K(w0)) − μ         (the bound of Theorem 2's proof;
 *       reported, not required: it only serves to imply (2), checked directly),
 * and over every step
 *   (4) Σ_s ‖w_{s+1} − w_s‖ ≤ R = 2 L_F ‖F(w0) − y‖/μ (Eq. 61), where L_F is the
 *       largest certified ‖DF(w_t)‖₂ = √λ_max(K(w_t)) over the recorded iterates
 *       (an along-the-path constant, not a supremum over the ball).
 * Path lengths are summed with a proven floating-point bound. With ε > 0 the run
 * stops at the first recorded step with L(w_t) < ε proven (PL*_ε: conditions are
 * only required while L ≥ ε). μ defaults to the smallest certified λ_min along
 * the recorded iterates. What is certified is the computed path at its recorded
 * steps; no claim is made between them.
 */
#ifndef PLSTAR_PROOFS_GD_PATH_H
#define PLSTAR_PROOFS_GD_PATH_H

#include <jansson.h>
#include "core/model.h"

typedef struct {
    double lr, mu, eps;
    size_t steps, record_every;
} gd_path_options;

typedef struct {
    size_t records;
    size_t *step;                              /* per record */
    double *loss_fast;                         /* the trainer's value */
    double *loss_lo, *loss_hi;                 /* reference enclosure of L(w_t) */
    double *envelope;                          /* lower bound of (1 − ημ)^t L(w0) */
    double *lambda_lo, *lambda_hi;             /* λ_min(K(w_t)) */
    double *kdist_hi;                          /* ‖K(w_t) − K(w0)‖₂ upper */
    double *dist_hi;                           /* ‖w_t − w0‖ upper */
    double *path_hi;                           /* path length up to t, upper */
    double *step_loss_lo, *step_loss_hi;       /* L(w_t) at every step t = 0..steps_run */
    double mu, lr, radius, lipschitz, lambda0_lo, resid0_hi, loss0_hi;
    size_t steps_run;
    int rate_ok, lambda_ok, kernel_ok, path_ok, eps_reached;
    double seconds_train, seconds_verify;
} gd_path_result;

void gd_path_result_init(gd_path_result *r);
void gd_path_result_clear(gd_path_result *r);

/* Runs and verifies; returns the verdict or an error. The problem needs labels.
 * lr <= 0 picks 1/λ_max(K(w0)); mu <= 0 the default above. */
int check_gd_path(gd_path_result *res, const plstar_problem *p, const gd_path_options *o, slong prec);

json_t *gd_path_report(const gd_path_result *res, const plstar_problem *p, const gd_path_options *o, int verdict);

#endif

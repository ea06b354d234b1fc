/*
 * proofs-checks/gd_path.h — a-posteriori certificate of a GD run (docs/theory.md §4,
 * Theorem 6; Definition 5 / Theorem 9 with ε), for the labels given.
 *
 * GD w_{t+1} = w_t − η∇L(w_t) is run with the fast trainer (fast/train.h); the
 * iterates it produced are exact doubles, and the reference re-verifies, in
 * ball arithmetic, what the verdict requires:
 *   (1) L(w_t) ≤ (1 − ημ)^t L(w0) at every step      (the rate of Theorem 6),
 *   (2) λ_min(K(w_t)) ≥ μ at every recorded step     (uniform conditioning, Def. 3),
 *   (3) Σ_s ‖w_{s+1} − w_s‖ ≤ R = 2 L_F ‖F(w0) − y‖/μ (Eq. 61), where L_F is the
 *       largest certified ‖DF(w_t)‖₂ = √λ_max(K(w_t)) over the recorded iterates
 *       (an along-the-path constant, not a supremum over the ball).
 * Measured, not required (and not part of the statement): an upper bound of
 * ‖K(w_t) − K(w0)‖₂ at every recorded step (Theorem 2's proof bounds it by
 * λ0 − μ only to imply (2), which is checked directly), and the steps where the
 * loss rose (L(w_t) > L(w_{t−1}) proven).
 * Path lengths are summed with a proven floating-point bound. With ε > 0 the run
 * stops at the first step with L(w_t) < ε proven (PL*_ε: conditions are only
 * required while L ≥ ε). μ defaults to the smallest certified λ_min along the
 * recorded iterates (halved while (1) fails); η to 1/λ_max(K(w0)), which does not
 * exist when K(w0) = 0. What is certified is the computed path at its recorded
 * steps; no claim is made between them.
 *
 * Divergence: the run stops at the first step where L(w_t) > L(w0) is proven or
 * the trainer's loss is not finite; then (1) fails for every μ with 0 < ημ ≤ 1
 * ((1 − ημ)^t L(w0) ≤ L(w0)) and the verdict is refuted, with the step.
 *
 * Loss convention (core/loss.h): with loss = LOSS_MEAN, lr, mu and eps are
 * about (1/N)‖F − y‖² = s·½‖F − y‖², s = 2/N: the trainer steps by sη on ½‖·‖²,
 * the conditions are decided for the pair (η, μ) given — (1) is
 * L(w_t)/L(w0) ≤ (1 − ημ)^t, the same in both conventions; (2) is
 * s·λ_min(K(w_t)) ≥ μ; (3) uses R = 2 L_F ‖F(w0) − y‖ s/μ — and the result's
 * losses (every loss array, the envelope) are then expressed in that
 * convention, each side rounded outwards. λ, L_F, R and the path lengths do not
 * depend on the convention.
 *
 * Interruption: the training and the verification poll plstar_interrupted
 * between steps and records (plstar_stop_between_steps is set meanwhile). When
 * a signal stops them before every record is verified, what was proven is kept:
 * the run is cut to its verified prefix — the records verified so far (w0 at
 * least), the steps up to the last of them — and (1)–(3) are decided on it as
 * for a run of that length (without ε: L < ε is not reached in a prefix). The
 * result says so (interrupted, prefix_verdict) and plstar_check_gd_path returns
 * PLSTAR_EINTERRUPTED; the report's verdict is "interrupted", never
 * "certified". A signal after the last record changes nothing.
 */
#ifndef PLSTAR_PROOFS_GD_PATH_H
#define PLSTAR_PROOFS_GD_PATH_H

#include <jansson.h>
#include "core/loss.h"
#include "core/model.h"
#include "fast/train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double lr, mu, eps;          /* in the convention of `loss` */
    size_t steps, record_every;
    plstar_loss loss;
} gd_path_options;

/* Why a run is not certified (the first condition that failed). */
typedef enum {
    GD_PATH_OK = 0,
    GD_PATH_NO_STEP,        /* no --lr and λ_max(K(w0)) = 0: 1/λ_max does not exist */
    GD_PATH_DIVERGED,       /* L(w_t) > L(w0) proven at step fail_step */
    GD_PATH_NONFINITE,      /* the trainer's loss or gradient is not finite at step fail_step */
    GD_PATH_LAMBDA_ZERO,    /* λ_min(K(w_t)) = 0 proven: no μ > 0 */
    GD_PATH_LAMBDA_UNKNOWN, /* λ_min(K(w_t)) not proven positive (default μ) */
    GD_PATH_LAMBDA,         /* λ_min(K(w_t)) ≥ μ not proven */
    GD_PATH_RATE,           /* (1) not proven at step fail_step */
    GD_PATH_PATH,           /* (3) not proven */
    GD_PATH_EPS             /* L < ε not reached */
} gd_path_failure;

typedef struct {
    size_t records;
    size_t *step;                              /* per record */
    double *loss_fast;                         /* the trainer's value */
    double *loss_lo, *loss_hi;                 /* reference enclosure of L(w_t) */
    double *envelope;                          /* lower bound of (1 − ημ)^t L(w0) */
    double *lambda_lo, *lambda_hi;             /* λ_min(K(w_t)) */
    double *kdist_hi;                          /* ‖K(w_t) − K(w0)‖₂ upper (measured) */
    double *dist_hi;                           /* ‖w_t − w0‖ upper */
    double *path_hi;                           /* path length up to t, upper */
    double *step_loss_lo, *step_loss_hi;       /* L(w_t) at every step t = 0..steps_run */
    double mu, lr, radius, lipschitz, lambda0_lo, lambda0_hi, lambda_max0_hi, resid0_hi, loss0_hi;
    plstar_loss loss;                          /* the convention of mu, lr and of every loss above */
    size_t N;                                  /* its number of equations */
    double lr_half_sum;                        /* the trainer's step on ½‖F − y‖² (s·lr, rounded) */
    size_t steps_run;
    int rate_ok, lambda_ok, path_ok, eps_reached, mu_given, lr_given;
    gd_path_failure failure;
    size_t fail_step;                          /* the step the failure is about */
    double fail_rhs_lo, fail_rhs_hi;           /* GD_PATH_RATE: (1 − ημ)^t L(w0) at fail_step */
    size_t rises, first_rise;                  /* steps with L(w_t) > L(w_{t−1}) proven; the first */
    double seconds_train, seconds_verify;
    slong prec;                                /* the working precision of the verification */
    int interrupted;                           /* a signal stopped the run; the result is its verified prefix */
    int interrupted_in_training;               /* ... during the training (else during the verification) */
    int prefix_verdict;                        /* the verdict about the prefix (PLSTAR_OK, _REFUTED, _INCONCLUSIVE) */
    size_t records_trained, steps_trained;     /* what the training had produced when it stopped */
} gd_path_result;

void plstar_gd_path_result_init(gd_path_result *r);
void plstar_gd_path_result_clear(gd_path_result *r);

/* Runs and verifies; returns the verdict (PLSTAR_OK, PLSTAR_REFUTED,
 * PLSTAR_INCONCLUSIVE, res->failure says why), PLSTAR_EINTERRUPTED with the
 * verified prefix in res (above), or an error. The problem needs labels.
 * lr <= 0 picks 1/λ_max(K(w0)); mu <= 0 the default above. */
int plstar_check_gd_path(gd_path_result *res, const plstar_problem *p, const gd_path_options *o, slong prec);

/* One line: why the run is not certified, with the step and both sides
 * (empty for a certified run). */
void plstar_gd_path_reason_text(char *buf, size_t len, const gd_path_result *res);

/* The report; verdict PLSTAR_EINTERRUPTED writes the prefix's report, verdict
 * "interrupted" (docs/reports.md). */
json_t *plstar_gd_path_report(const gd_path_result *res, const plstar_problem *p, const gd_path_options *o, int verdict);

/* The lines of `plstar certify gd --path` on stdout: the run, the conditions at mu, what was
 * measured, and the verdict with its reason; for PLSTAR_EINTERRUPTED, how far of the `steps` asked
 * the run was verified and the prefix's verdict. The check in the registry of
 * proofs-checks/checks.h is plstar_check_gd_path. */
void plstar_gd_path_print(const gd_path_result *res, size_t steps, int verdict);

/* `plstar certify gd`: the word of both GD certificates, --path (here) and --apriori (ball.c), and
 * its help (proofs-checks/checks.h). */
struct plstar_certify_command;
extern const struct plstar_certify_command plstar_certify_gd;

/* The report of a training run with the fast trainer (plstar train): the options, the columns and
 * the last recorded row of the trajectory tr, run for `seconds` and ended with `status`
 * (PLSTAR_OK, PLSTAR_EINTERRUPTED or FAST_TRAIN_DIVERGED). Its verdict is "uncertified" whatever
 * the outcome: a run checks no inequality, and the reason names the check that would (the
 * certificate above, plstar certify gd --path). */
json_t *plstar_train_report(const fast_trajectory *tr, const plstar_problem *p, const fast_train_options *o, double seconds,
                            int status);

#ifdef __cplusplus
}
#endif

#endif

/*
 * proofs-checks/pl_point.h — PL* at a point (docs/theory.md §2: Theorem 1, Proposition 3).
 *
 * The check's verdict is about the uniform statement at w, for EVERY label
 * vector y (scope REPORT_SCOPE_ALL_LABELS):
 *     ½‖∇L(w)‖² ≥ μ L(w) for all y,  μ > 0.
 * For the square loss ½‖∇L‖² = ½ rᵀK(w)r and L = ½‖r‖² with r = F(w) − y ranging
 * over all of R^N, so the statement is equivalent to λ_min(K(w)) ≥ μ:
 *   - certified: Theorem 1, λ_min(K(w)) ≥ μ proven from the reference kernel
 *     enclosure;
 *   - refuted: a label vector y* for which ½‖∇L‖² < μ L is proven in ball
 *     arithmetic — Proposition 3's y* = F(w) − v, v a unit eigenvector of K's
 *     midpoint for its smallest eigenvalue (the null vector of a singular K),
 *     or else the given labels when they violate the inequality;
 *   - inconclusive otherwise (the enclosures straddle μ, or μ lies below the
 *     rounding level of every double witness).
 * With labels, the direct inequality ½‖∇L‖² ≥ μL is also decided for them; it
 * is a route of its own (scope REPORT_SCOPE_THESE_LABELS) and never makes the
 * uniform verdict certified: a P < N model can satisfy it for given labels
 * while Theorem 1 is refuted. Its refutation refutes the uniform statement too.
 *
 * μ ≤ 0 is never certified: PL* needs μ > 0. The default μ does not depend on
 * the labels: the certified lower bound of λ_min(K(w)) when it is positive;
 * otherwise twice the witness's certified ratio ½‖∇L‖²/L (its rounding level),
 * which the witness then refutes.
 */
#ifndef PLSTAR_PROOFS_PL_POINT_H
#define PLSTAR_PROOFS_PL_POINT_H

#include <arb.h>
#include <jansson.h>
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* plstar_check_pl_point's `mu` for "choose μ as described above". */
#define PL_POINT_DEFAULT_MU 0.0

typedef enum { PL_MU_NONE, PL_MU_GIVEN, PL_MU_LAMBDA_MIN, PL_MU_WITNESS } pl_mu_source;
typedef enum { PL_WITNESS_NONE, PL_WITNESS_PROPOSITION3, PL_WITNESS_LABELS } pl_witness_source;

typedef struct {
    arb_t lambda_min, lambda_max;   /* enclosures for K(w) */
    arb_t mu;                       /* the constant checked (exact; meaningful unless mu_source is PL_MU_NONE) */
    pl_mu_source mu_source;
    int has_labels;
    arb_t half_grad_sq, loss;       /* ½‖∇L‖² and L for the given labels (when has_labels) */
    int theorem1, direct;           /* PLSTAR_OK / _REFUTED / _INCONCLUSIVE per route (direct: labels only) */
    int candidate;                  /* Proposition 3's labels were formed and their sides enclosed */
    arb_t cand_half_grad_sq, cand_loss; /* ½‖∇L‖² and L for them */
    double *witness;                /* N labels for which ½‖∇L‖² < μL is proven, or NULL */
    pl_witness_source witness_source;
    size_t N;
    slong prec;
} pl_point_result;

void plstar_pl_point_result_init(pl_point_result *r);
void plstar_pl_point_result_clear(pl_point_result *r);

/* mu > 0: the constant to check; PL_POINT_DEFAULT_MU: the default above.
 * Returns the verdict about every label vector (PLSTAR_OK certified,
 * PLSTAR_REFUTED with res->witness set, PLSTAR_INCONCLUSIVE) or an error
 * (PLSTAR_EUSAGE for a negative or non-finite mu). */
int plstar_check_pl_point(pl_point_result *res, const plstar_problem *p, double mu, slong prec);

/* The report: verdict and scope of the uniform statement, a reason when it is
 * not certified, both routes with their own verdict, scope and reason, and the
 * witness (or why there is none). */
json_t *plstar_pl_point_report(const pl_point_result *res, const plstar_problem *p, slong prec, int verdict);

/* One line on what decides a verdict other than certified (the reason's
 * "decide"), for printing; buf of len bytes. */
void plstar_pl_point_decide(char *buf, size_t len, const pl_point_result *res, const plstar_problem *p, int verdict);

/* Why there is no witness (res->witness == NULL), one phrase into buf. */
void plstar_pl_point_no_witness_reason(char *buf, size_t len, const pl_point_result *res, int verdict);

/* The lines of `plstar certify point` on stdout: the enclosures, mu, both routes, the witness and
 * the verdict about every label vector, with its reason when not certified. The check in the
 * registry of proofs-checks/checks.h is plstar_check_pl_point. */
void plstar_pl_point_print(const pl_point_result *res, const plstar_problem *p, int verdict);

#ifdef __cplusplus
}
#endif

#endif

/*
 * proofs-checks/pl_point.h — PL* at a point (THEORY.md §2: Theorem 1, Proposition 3).
 *
 * Certifies the strong form ½‖∇L(w)‖² ≥ μ L(w) two ways:
 *   - Theorem 1: λ_min(K(w)) ≥ μ, proven from a certified lower bound on λ_min of
 *     the reference kernel enclosure (then PL* holds for every label vector);
 *   - directly, for the given labels, from enclosures of both sides.
 * μ defaults to the best certified lower bound on λ_min(K(w)).
 * Refutation (Proposition 3): when λ_min(K(w)) < μ is proven (always the case for
 * P < N and a positive μ), the labels y* = F(w) − v, v an approximate eigenvector
 * for λ_min, are a witness: ½‖∇L‖² < μ L(w) is proven for them in ball arithmetic.
 */
#ifndef PLSTAR_PROOFS_PL_POINT_H
#define PLSTAR_PROOFS_PL_POINT_H

#include <arb.h>
#include <jansson.h>
#include "core/model.h"

typedef struct {
    arb_t lambda_min, lambda_max;   /* enclosures for K(w) */
    arb_t mu;                       /* the constant checked */
    arb_t half_grad_sq, loss;       /* ½‖∇L‖² and L for the given labels (when present) */
    int theorem1, direct;           /* PLSTAR_OK / _REFUTED / _INCONCLUSIVE per route */
    double *witness;                /* N labels refuting μ-PL*, or NULL */
    size_t N;
} pl_point_result;

void pl_point_result_init(pl_point_result *r);
void pl_point_result_clear(pl_point_result *r);

/* mu <= 0 means "the certified lower bound of λ_min". Returns the verdict
 * (PLSTAR_OK certified, PLSTAR_REFUTED, PLSTAR_INCONCLUSIVE) or an error. */
int check_pl_point(pl_point_result *res, const plstar_problem *p, double mu, slong prec);

json_t *pl_point_report(const pl_point_result *res, const plstar_problem *p, slong prec, int verdict);

#endif

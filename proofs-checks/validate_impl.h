/*
 * proofs-checks/validate_impl.h — what the parts of validate share (not installed):
 * validate_bundle.c the bundle, the claimed arrays, formats and layouts; validate.c the comparison
 * and the report; validate_trajectory.c the reference loss trajectory in ball arithmetic.
 */
#ifndef PLSTAR_PROOFS_VALIDATE_IMPL_H
#define PLSTAR_PROOFS_VALIDATE_IMPL_H

#include "proofs-checks/validate.h"

#include <arb.h>

/* Encloses L(w_t), t = 0..T, of exact GD from p->w under claims' loss convention and step; wm (if
 * not NULL, (T + 1) × P) gets the iterates' midpoints. */
void validate_ref_trajectory(arb_ptr Lref, double *wm, const plstar_problem *p, const validate_claims *claims,
                             size_t T, slong prec);

#endif

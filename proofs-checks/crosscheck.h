/*
 * proofs-checks/crosscheck.h — the fast path against the reference.
 *
 * For every quantity Q in {F, DF, K (explicit J Jᵀ and structured, fast/ntk.h), L, ∇L} and every entry, the fast double
 * value must lie in the reference enclosure widened by the proven bound on the
 * fast path's rounding error (fast/errbound.h):
 *     |fast − mid| ≤ rad + err.
 * Both sides are exact: the test is done in Arb on the exact double value. An
 * entry that fails proves |fast − true| > err, i.e. a bug in the fast path or in
 * its error analysis. The worst entry is reported in units of the allowance
 * rad + err (a ratio ≤ 1 passes).
 *
 * Non-finite numbers are judged explicitly: a fast value that is not finite (the
 * true value is: it is a real number) and a bound that is NaN (no bound at all)
 * are violations; a bound of +∞ holds but proves nothing, so such an entry is
 * "unbounded" — neither a violation nor verified (the quantity is then
 * inconclusive unless an entry fails). The worst entry is a violation whenever
 * there is one, the one whose numbers are not finite first (ratio +∞, with its
 * reason); then an unbounded entry; then the largest ratio.
 */
#ifndef PLSTAR_PROOFS_CROSSCHECK_H
#define PLSTAR_PROOFS_CROSSCHECK_H

#include <arb_mat.h>
#include <jansson.h>
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *name;
    size_t count, violations, unbounded, worst_index;
    int status;                    /* PLSTAR_OK, PLSTAR_REFUTED, PLSTAR_INCONCLUSIVE (only unbounded entries) */
    double worst_ratio;            /* |fast − mid| / (rad + err) of the worst entry; +∞ when it cannot be
                                    * formed (worst_reason says why) */
    const char *worst_reason;      /* NULL, or why the worst entry's ratio is not a finite number */
    int worst_violates;            /* the worst entry is a violation */
    double worst_fast, worst_mid, worst_rad, worst_err;
    char worst_reference[64];      /* the worst entry's enclosure in decimal when mid or rad is not a
                                    * finite double (a value beyond the double range), else "" */
} crosscheck_quantity;

/* Compares `count` fast values with their error bounds against the entries of
 * the ball matrix `ref` (row-major, same count). Returns PLSTAR_OK when all lie
 * inside with finite bounds, PLSTAR_REFUTED when one is a violation, otherwise
 * PLSTAR_INCONCLUSIVE (an entry is unbounded). */
int plstar_crosscheck_compare(crosscheck_quantity *q, const char *name, const double *fast, const double *err,
                              const arb_mat_t ref, size_t count);

#define CROSSCHECK_MAX_QUANTITIES 6

typedef struct {
    crosscheck_quantity q[CROSSCHECK_MAX_QUANTITIES];
    size_t nq;
    double seconds_fast, seconds_reference;
} crosscheck_result;

/* Runs the whole cross-check of a problem (loss and gradient only when it has
 * labels). Returns PLSTAR_OK (pass), PLSTAR_REFUTED (fail), PLSTAR_INCONCLUSIVE
 * (no violation, but an error bound is +∞) or an error. */
int plstar_check_crosscheck(crosscheck_result *res, const plstar_problem *p, slong prec);

/* The JSON report of a result. */
json_t *plstar_crosscheck_report(const crosscheck_result *res, const plstar_problem *p, slong prec, int status);

/* On stdout: the table of quantities (entries, violations, unbounded entries, the worst entry with
 * both sides), then the verdict line "LABEL: pass (fast ... s, reference ... s)". */
void plstar_crosscheck_print(const crosscheck_result *res, int status, const char *label);

#ifdef __cplusplus
}
#endif

#endif

/*
 * core/report.h — JSON reports, in the schema of docs/reports.md.
 *
 * A report is {"plstar_version", "check", "statement", "verdict", "scope",
 * "reason" (unless certified / pass), "provenance", "inputs", "quantities", ...}.
 * A two-sided enclosure is {"lower": …, "upper": …} with lower rounded down and
 * upper rounded up; a one-sided bound carries its side only; a quantity not
 * computed is {"reason": …}; an unbounded side is null. All reals are printed
 * with 17 significant digits so they round-trip.
 *
 * "provenance" ties the report to what produced it: {"plstar_version",
 * "commit", "command" (argv), "files": {role: {"path", "sha256"}} or
 * {role: {"source": "in memory…"}}, "seed" (weights drawn from it),
 * "precision_bits" (the working precision, when one was used)}.
 */
#ifndef PLSTAR_CORE_REPORT_H
#define PLSTAR_CORE_REPORT_H

#include <jansson.h>
#include <arb.h>
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* New report with plstar_version, check and statement set, verdict
 * "inconclusive" until set, "provenance" with the version, commit and command
 * line, and empty "inputs" and "quantities" objects. */
json_t *plstar_report_new(const char *check, const char *statement);

/* {"lower": lo, "upper": hi} from doubles (already directed outwards). */
json_t *plstar_report_interval(double lower, double upper);

/* {"lower", "upper"} enclosing the ball x (outward rounding to double). */
json_t *plstar_report_interval_arb(const arb_t x);

/* One-sided bounds: {"upper": hi} says only "the quantity is ≤ hi" (and
 * {"lower": lo} only "≥ lo"); never written as a degenerate interval. */
json_t *plstar_report_upper(double upper);
json_t *plstar_report_lower(double lower);
json_t *plstar_report_upper_arb(const arb_t x);
json_t *plstar_report_lower_arb(const arb_t x);

/* A quantity that was not computed: {"reason": why}. No number stands in for it. */
json_t *plstar_report_absent(const char *reason);

/* report["scope"]: what a verdict is about. */
#define REPORT_SCOPE_ALL_LABELS "all labels"     /* every label vector (Theorem 1, uniform conditioning) */
#define REPORT_SCOPE_THESE_LABELS "these labels" /* the labels given (the direct inequality, a GD run) */
#define REPORT_SCOPE_MATRIX "this matrix"        /* a matrix read from a file (eig) */
#define REPORT_SCOPE_IMPLEMENTATION "these values" /* values handed in for comparison (crosscheck, validate) */
void plstar_report_set_scope(json_t *report, const char *scope);

/* report["reason"] for a verdict other than certified: the inequality that
 * failed or could not be decided, its two sides (enclosures or one-sided
 * bounds, may be NULL), and what would decide it. Steals lhs and rhs. */
void plstar_report_set_reason(json_t *report, const char *inequality, json_t *lhs, json_t *rhs, const char *decide);

/* Double bounds of a ball, rounded outwards. */
double plstar_arb_lower_d(const arb_t x);
double plstar_arb_upper_d(const arb_t x);

/* Verdict name for a status: "certified"/"pass", "refuted"/"fail", "inconclusive". */
const char *plstar_report_verdict_name(int status, int is_check);

/* x as %.*g in buf (len bytes), or "NaN", "+inf", "-inf" when it is not a finite number (never "-nan"), for the
 * human-readable lines of the checks; returns buf. */
const char *plstar_report_format_number(char *buf, size_t len, int digits, double x);

/* Sets report["verdict"]. */
void plstar_report_set_verdict(json_t *report, const char *verdict);

/* report["inputs"]: the model description as resolved (every key, defaults
 * included) and the problem's sizes (samples, equations, parameters, labels);
 * and its provenance (plstar_report_add_provenance). */
void plstar_report_add_problem(json_t *report, const plstar_problem *p);

/* report["provenance"]: the problem's files with their SHA-256 digests as
 * loaded (or "in memory"), and the seed its weights were drawn from. */
void plstar_report_add_provenance(json_t *report, const plstar_problem *p);

/* For inputs that are not a problem (eig's matrix and radii, validate's
 * claimed arrays): provenance.files[role] = {"path", "sha256"} of the file as
 * it is now. PLSTAR_ENOINPUT when it cannot be read (the entry then says why). */
int plstar_report_add_input_file(json_t *report, const char *role, const char *path);

/* provenance.files[role] = {"source": what} for an input that is not a file
 * ("in memory", "command line"). */
void plstar_report_add_input_source(json_t *report, const char *role, const char *what);

/* provenance.seed: the weights were drawn from this seed (model.h). */
void plstar_report_set_seed(json_t *report, unsigned long seed);

/* provenance.precision_bits: the working precision of the ball arithmetic
 * (53 for a floating-point computation with a proven error bound). */
void plstar_report_set_precision(json_t *report, long bits);

/* Writes atomically, indented; PLSTAR_ECANTCREAT on failure. */
int plstar_report_write(const char *path, const json_t *report);

#ifdef __cplusplus
}
#endif

#endif

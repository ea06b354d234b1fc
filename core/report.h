/*
 * core/report.h — JSON reports.
 *
 * A report is {"plstar_version", "check", "statement", "verdict", "inputs",
 * "quantities", ...}. Every certified quantity is an interval
 * {"lower": …, "upper": …} with lower rounded down and upper rounded up, and all
 * reals are printed with 17 significant digits so they round-trip.
 */
#ifndef PLSTAR_CORE_REPORT_H
#define PLSTAR_CORE_REPORT_H

#include <jansson.h>
#include <arb.h>
#include "core/model.h"

/* New report with plstar_version, check and statement set, and empty
 * "inputs" and "quantities" objects. */
json_t *report_new(const char *check, const char *statement);

/* {"lower": lo, "upper": hi} from doubles (already directed outwards). */
json_t *report_interval(double lower, double upper);

/* {"lower", "upper"} enclosing the ball x (outward rounding to double). */
json_t *report_interval_arb(const arb_t x);

/* One-sided bounds: {"upper": hi} says only "the quantity is ≤ hi" (and
 * {"lower": lo} only "≥ lo"); never written as a degenerate interval. */
json_t *report_upper(double upper);
json_t *report_lower(double lower);
json_t *report_upper_arb(const arb_t x);
json_t *report_lower_arb(const arb_t x);

/* A quantity that was not computed: {"reason": why}. No number stands in for it. */
json_t *report_absent(const char *reason);

/* report["scope"]: what a verdict is about. */
#define REPORT_SCOPE_ALL_LABELS "all labels"     /* every label vector (Theorem 1, uniform conditioning) */
#define REPORT_SCOPE_THESE_LABELS "these labels" /* the labels given (the direct inequality, a GD run) */
#define REPORT_SCOPE_MATRIX "this matrix"        /* a matrix read from a file (eig) */
#define REPORT_SCOPE_IMPLEMENTATION "these values" /* values handed in for comparison (crosscheck, validate) */
void report_set_scope(json_t *report, const char *scope);

/* report["reason"] for a verdict other than certified: the inequality that
 * failed or could not be decided, its two sides (enclosures or one-sided
 * bounds, may be NULL), and what would decide it. Steals lhs and rhs. */
void report_set_reason(json_t *report, const char *inequality, json_t *lhs, json_t *rhs, const char *decide);

/* Double bounds of a ball, rounded outwards. */
double arb_lower_d(const arb_t x);
double arb_upper_d(const arb_t x);

/* Verdict name for a status: "certified"/"pass", "refuted"/"fail", "inconclusive". */
const char *report_verdict_name(int status, int is_check);

/* Sets report["verdict"]. */
void report_set_verdict(json_t *report, const char *verdict);

/* report["inputs"]: the model description and the problem's sizes
 * (samples, equations, parameters, labels). */
void report_add_problem(json_t *report, const plstar_problem *p);

/* Writes atomically, indented; PLSTAR_ECANTCREAT on failure. */
int report_write(const char *path, const json_t *report);

#endif

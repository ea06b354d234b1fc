#include "proofs-checks/pl_point.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/report.h"
#include "proofs-checks/checks.h"
#include "proofs-checks/help_text.h"
#include "reference/eig.h"
#include "reference/network.h"
#include "reference/shallow.h"

#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREC_MAX 65536 /* the largest --prec the command line accepts */
#define POINT_KERNEL_ROUTE REF_ROUTE_ARB /* the --prec reference judges (reference/shallow.h) */

void plstar_pl_point_result_init(pl_point_result *r)
{
    memset(r, 0, sizeof *r);
    arb_init(r->lambda_min), arb_init(r->lambda_max), arb_init(r->mu);
    arb_init(r->half_grad_sq), arb_init(r->loss);
    arb_init(r->cand_half_grad_sq), arb_init(r->cand_loss);
    r->theorem1 = r->direct = PLSTAR_INCONCLUSIVE;
}

void plstar_pl_point_result_clear(pl_point_result *r)
{
    arb_clear(r->lambda_min), arb_clear(r->lambda_max), arb_clear(r->mu);
    arb_clear(r->half_grad_sq), arb_clear(r->loss);
    arb_clear(r->cand_half_grad_sq), arb_clear(r->cand_loss);
    free(r->witness);
    memset(r, 0, sizeof *r);
}

/* Encloses L(w) and ½‖∇L(w)‖² for labels y. */
static int loss_sides(arb_t loss, arb_t half_grad_sq, const plstar_problem *p, const double *y, slong prec)
{
    arb_mat_t g;
    arb_mat_init(g, (slong)p->model.nparams, 1);
    int st = plstar_ref_loss_grad(loss, g, &p->model, p->X.data, p->n, p->w, y, prec);
    arb_zero(half_grad_sq);
    for (size_t k = 0; !st && k < p->model.nparams; k++)
        arb_addmul(half_grad_sq, g->entries + k, g->entries + k, prec);
    arb_mul_2exp_si(half_grad_sq, half_grad_sq, -1);
    arb_mat_clear(g);
    return st;
}

/* Verdict of "lhs ≥ μ·rhs" from enclosures. Only a finite μ > 0 can be
 * certified: PL* at μ ≤ 0 says nothing. */
static int compare_ge(const arb_t lhs, const arb_t mu, const arb_t rhs, slong prec)
{
    if (!arb_is_positive(mu) || !arb_is_finite(mu))
        return PLSTAR_INCONCLUSIVE;
    arb_t t;
    arb_init(t);
    arb_mul(t, mu, rhs, prec);
    arb_sub(t, lhs, t, prec);
    int v = !arb_is_finite(t)        ? PLSTAR_INCONCLUSIVE
            : arb_is_nonnegative(t) ? PLSTAR_OK
            : arb_is_negative(t)    ? PLSTAR_REFUTED
                                    : PLSTAR_INCONCLUSIVE;
    arb_clear(t);
    return v;
}

/* ½‖∇L‖²/L: the largest μ these sides satisfy. */
static void pl_ratio(arb_t ratio, const arb_t half_grad_sq, const arb_t loss, slong prec)
{
    arb_div(ratio, half_grad_sq, loss, prec);
}

/* Labels y* = F(w) − v with v a unit eigenvector of K's midpoint for its
 * smallest eigenvalue (any vector of the null space when K is singular).
 * Returns 1 when formed with finite entries, 0 when the eigen-solver gave none,
 * or an error status (negative: out of memory). */
static int witness_labels(double *y, const arb_mat_t K, const arb_mat_t F, size_t N)
{
    double *A = malloc(N * N * sizeof(double)), *ev = malloc(N * sizeof(double));
    int ok = A && ev;
    for (size_t k = 0; ok && k < N * N; k++)
        A[k] = arf_get_d(arb_midref(K->entries + k), ARF_RND_NEAR);
    if (ok)
        ok = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)N, A, (lapack_int)N, ev) == 0;
    for (size_t i = 0; ok && i < N; i++) { /* column 0 of the row-major eigenvector matrix */
        y[i] = arf_get_d(arb_midref(F->entries + i), ARF_RND_NEAR) - A[i * N];
        ok = isfinite(y[i]);
    }
    int oom = !A || !ev;
    free(A), free(ev);
    return oom ? -plstar_error(PLSTAR_ESOFTWARE, "out of memory for the witness") : ok;
}

/* Forms Proposition 3's candidate labels (*cand, malloc'd) and encloses both
 * sides of PL* for them (res->candidate = 1). No candidate is not an error. */
static int form_candidate(double **cand, pl_point_result *res, const plstar_problem *p, const arb_mat_t K,
                          const arb_mat_t F, slong prec)
{
    *cand = malloc(p->N * sizeof(double));
    if (!*cand)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the witness");
    int ok = witness_labels(*cand, K, F, p->N);
    if (ok < 0)
        return -ok;
    if (!ok)
        return PLSTAR_OK;
    int st = loss_sides(res->cand_loss, res->cand_half_grad_sq, p, *cand, prec);
    res->candidate = !st;
    return st;
}

/* Default μ without a certified positive λ_min: twice the candidate's certified
 * ratio, the smallest constant a double witness can be asked to refute (a ratio
 * of exactly 0 refutes every μ > 0: then the smallest normal double). */
static void mu_from_candidate(pl_point_result *res, slong prec)
{
    if (!res->candidate)
        return;
    arb_t ratio;
    arb_init(ratio);
    pl_ratio(ratio, res->cand_half_grad_sq, res->cand_loss, prec);
    double rho = plstar_arb_upper_d(ratio);
    arb_clear(ratio);
    if (!isfinite(rho) || !(2 * rho < INFINITY))
        return;
    arb_set_d(res->mu, rho > 0 ? nextafter(2 * rho, INFINITY) : DBL_MIN);
    res->mu_source = PL_MU_WITNESS;
}

static int proven_below(const arb_t lhs, const arb_t mu, const arb_t rhs, slong prec)
{
    return compare_ge(lhs, mu, rhs, prec) == PLSTAR_REFUTED;
}

/* μ, both routes and the verdict about every label vector, from K and F. */
static int decide(pl_point_result *res, const plstar_problem *p, const arb_mat_t K, const arb_mat_t F, double mu,
                  slong prec)
{
    double *cand = NULL;
    int st = PLSTAR_OK;
    double lo = plstar_arb_lower_d(res->lambda_min); /* rounded down: λ_min ≥ lo is proven */
    if (mu > 0) {
        arb_set_d(res->mu, mu);
        res->mu_source = PL_MU_GIVEN;
    } else if (lo > 0 && isfinite(lo)) {
        arb_set_d(res->mu, lo);
        res->mu_source = PL_MU_LAMBDA_MIN;
    } else if (!(st = form_candidate(&cand, res, p, K, F, prec))) {
        mu_from_candidate(res, prec);
    }
    arb_t one;
    arb_init(one);
    arb_one(one);
    /* Theorem 1: λ_min(K) ≥ μ > 0 gives ½‖∇L‖² = ½ rᵀKr ≥ μ L for every y */
    res->theorem1 = compare_ge(res->lambda_min, res->mu, one, prec);
    arb_clear(one);
    if (res->has_labels)
        res->direct = compare_ge(res->half_grad_sq, res->mu, res->loss, prec);
    int verdict = PLSTAR_INCONCLUSIVE;
    if (!st && res->theorem1 == PLSTAR_OK)
        verdict = PLSTAR_OK;
    else if (!st && !res->candidate && !cand)
        st = form_candidate(&cand, res, p, K, F, prec);
    if (!st && verdict != PLSTAR_OK) {
        if (res->candidate && proven_below(res->cand_half_grad_sq, res->mu, res->cand_loss, prec)) {
            res->witness = cand, cand = NULL;
            res->witness_source = PL_WITNESS_PROPOSITION3;
            verdict = PLSTAR_REFUTED;
        } else if (res->direct == PLSTAR_REFUTED && (res->witness = malloc(p->N * sizeof(double)))) {
            memcpy(res->witness, p->y.data, p->N * sizeof(double)); /* the labels violate it: they are a witness */
            res->witness_source = PL_WITNESS_LABELS;
            verdict = PLSTAR_REFUTED;
        } else if (res->direct == PLSTAR_REFUTED) {
            st = plstar_error(PLSTAR_ESOFTWARE, "out of memory for the witness");
        }
    }
    free(cand);
    return st ? st : verdict;
}

int plstar_check_pl_point(pl_point_result *res, const plstar_problem *p, double mu, slong prec)
{
    if (!(mu >= 0) || !isfinite(mu))
        return plstar_error(PLSTAR_EUSAGE, "plstar_check_pl_point: mu must be positive (or PL_POINT_DEFAULT_MU), got %g",
                            mu);
    size_t N = p->N;
    res->N = N;
    res->prec = prec;
    res->has_labels = p->y.size > 0;
    arb_mat_t K, F;
    arb_mat_init(K, (slong)N, (slong)N), arb_mat_init(F, (slong)N, 1);
    int st = plstar_ref_kernel_outputs_route(K, F, &p->model, p->X.data, p->n, p->w, prec, POINT_KERNEL_ROUTE);
    if (!st && (st = plstar_ref_eig_bounds(res->lambda_min, res->lambda_max, K, prec)) == PLSTAR_INCONCLUSIVE)
        st = PLSTAR_OK; /* unbounded enclosures are valid; they decide nothing */
    if (!st && res->has_labels)
        st = loss_sides(res->loss, res->half_grad_sq, p, p->y.data, prec);
    if (!st)
        st = decide(res, p, K, F, mu, prec);
    arb_mat_clear(K), arb_mat_clear(F);
    return st;
}

/* ---- reasons ---------------------------------------------------------- */

static slong more_prec(slong prec)
{
    return 2 * prec < PREC_MAX ? 2 * prec : PREC_MAX;
}

/* What would decide λ_min(K(w)) ≥ μ, or which μ it does hold for. */
static void theorem1_decide(char *buf, size_t len, const pl_point_result *res, const plstar_problem *p)
{
    double lo = plstar_arb_lower_d(res->lambda_min), hi = plstar_arb_upper_d(res->lambda_min), mu = plstar_arb_lower_d(res->mu);
    slong np = more_prec(res->prec);
    const char *prec_hint = np > res->prec ? "more precision" : "precision beyond the maximum";
    if (res->mu_source == PL_MU_NONE)
        snprintf(buf, len, "no positive mu to check: lambda_min(K(w)) in [%.6g, %.6g] is not proven positive and "
                 "no witness ratio is finite; give --mu MU", lo, hi);
    else if (res->theorem1 == PLSTAR_INCONCLUSIVE)
        snprintf(buf, len, "the enclosure [%.17g, %.17g] of lambda_min(K(w)) contains mu = %.17g: %s (--prec %ld) "
                 "narrows it%s", lo, hi, mu, prec_hint, (long)np,
                 lo > 0 ? ", and every mu <= its lower end is certified" : "");
    else if (lo > 0)
        snprintf(buf, len, "lambda_min(K(w)) < mu is proven; every mu <= %.17g (its certified lower bound) is "
                 "certified", lo);
    else if (hi <= 0) /* K(w) ⪰ 0, so λ_min ≤ 0 means λ_min = 0 */
        snprintf(buf, len, "lambda_min(K(w)) = 0 is proven: K(w) is singular (%s), so no mu > 0 holds for every "
                 "label vector at this w", p->model.nparams < p->N ? "P < N" : "e.g. units dead on some sample");
    else if (p->model.nparams < p->N)
        snprintf(buf, len, "P = %zu parameters < N = %zu equations: K(w) is singular, so no mu > 0 holds for every "
                 "label vector at this w (a width with P >= N can)", p->model.nparams, p->N);
    else
        snprintf(buf, len, "lambda_min(K(w)) in [%.6g, %.6g] is not proven positive: if it is, %s (--prec %ld) can "
                 "prove it; if K(w) is singular (e.g. units dead on some sample), no mu > 0 holds for every label "
                 "vector at this w", lo, hi, prec_hint, (long)np);
}

/* What would decide the direct inequality for these labels. */
static void direct_decide(char *buf, size_t len, const pl_point_result *res)
{
    arb_t ratio;
    arb_init(ratio);
    pl_ratio(ratio, res->half_grad_sq, res->loss, res->prec);
    double rlo = plstar_arb_lower_d(ratio);
    arb_clear(ratio);
    char holds[96] = "";
    if (rlo > 0)
        snprintf(holds, sizeof holds, "; these labels satisfy it for every mu <= %.17g", rlo);
    if (res->direct == PLSTAR_REFUTED)
        snprintf(buf, len, "proven false for these labels, which are therefore a witness%s", holds);
    else if (res->mu_source == PL_MU_NONE)
        snprintf(buf, len, "no positive mu to check; give --mu MU%s", holds);
    else
        snprintf(buf, len, "the enclosures of both sides overlap: more precision (--prec %ld) narrows them%s",
                 (long)more_prec(res->prec), holds);
}

static double candidate_ratio_upper(const pl_point_result *res)
{
    arb_t ratio;
    arb_init(ratio);
    pl_ratio(ratio, res->cand_half_grad_sq, res->cand_loss, res->prec);
    double rho = plstar_arb_upper_d(ratio);
    arb_clear(ratio);
    return rho;
}

void plstar_pl_point_no_witness_reason(char *buf, size_t len, const pl_point_result *res, int verdict)
{
    if (verdict == PLSTAR_OK)
        snprintf(buf, len, "mu-PL* is certified for every label vector, so no label vector refutes it");
    else if (!res->candidate)
        snprintf(buf, len, "the eigen-solver gave no finite candidate labels y* = F(w) - v");
    else
        snprintf(buf, len, "the candidate y* = F(w) - v has 1/2|grad L|^2 / L <= %.6g, not proven below mu = %.6g "
                 "(it refutes every mu above that ratio): mu is below the rounding level of double labels at this w",
                 candidate_ratio_upper(res), plstar_arb_lower_d(res->mu));
}

void plstar_pl_point_decide(char *buf, size_t len, const pl_point_result *res, const plstar_problem *p, int verdict)
{
    char t1[400];
    theorem1_decide(t1, sizeof t1, res, p);
    if (verdict == PLSTAR_OK)
        snprintf(buf, len, "certified");
    else if (verdict == PLSTAR_REFUTED || res->theorem1 != PLSTAR_REFUTED)
        snprintf(buf, len, "%s", t1);
    else { /* λ_min < μ proven, yet no double label vector shows it */
        char why[300];
        plstar_pl_point_no_witness_reason(why, sizeof why, res, verdict);
        snprintf(buf, len, "lambda_min(K(w)) < mu is proven, so some real label vector violates mu-PL*, but %s; %s",
                 why, t1);
    }
}

/* ---- report ------------------------------------------------------------ */

/* An enclosure, one-sided when a side is unbounded in doubles, absent when both are. */
static json_t *bound_json(const arb_t x)
{
    double lo = plstar_arb_lower_d(x), hi = plstar_arb_upper_d(x);
    if (isfinite(lo) && isfinite(hi))
        return plstar_report_interval(lo, hi);
    if (isfinite(lo))
        return plstar_report_lower(lo);
    if (isfinite(hi))
        return plstar_report_upper(hi);
    return plstar_report_absent("not bounded: the enclosure is infinite");
}

static json_t *times_mu(const arb_t mu, const arb_t x, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_mul(t, mu, x, prec);
    json_t *j = bound_json(t);
    arb_clear(t);
    return j;
}

static const char *const NO_LABELS = "no labels given (--labels Y.npy)";

static json_t *route_json(const char *inequality, int v, const char *scope)
{
    json_t *o = json_object();
    json_object_set_new(o, "inequality", json_string(inequality));
    json_object_set_new(o, "verdict", json_string(plstar_report_verdict_name(v, 0)));
    plstar_report_set_scope(o, scope);
    return o;
}

static json_t *routes_json(const pl_point_result *res, const plstar_problem *p)
{
    char why[600];
    json_t *routes = json_object();
    json_t *t1 = route_json("lambda_min(K(w)) >= mu", res->theorem1, REPORT_SCOPE_ALL_LABELS);
    if (res->theorem1 != PLSTAR_OK) {
        theorem1_decide(why, sizeof why, res, p);
        plstar_report_set_reason(t1, "lambda_min(K(w)) >= mu", bound_json(res->lambda_min), json_real(plstar_arb_lower_d(res->mu)),
                                 why);
    }
    json_object_set_new(routes, "theorem1", t1);
    if (!res->has_labels) {
        json_object_set_new(routes, "direct", plstar_report_absent(NO_LABELS));
        return routes;
    }
    const char *ineq = "1/2|grad L(w)|^2 >= mu L(w)";
    json_t *d = route_json(ineq, res->direct, REPORT_SCOPE_THESE_LABELS);
    if (res->direct != PLSTAR_OK) {
        direct_decide(why, sizeof why, res);
        plstar_report_set_reason(d, ineq, bound_json(res->half_grad_sq), times_mu(res->mu, res->loss, res->prec), why);
    }
    json_object_set_new(routes, "direct", d);
    return routes;
}

static json_t *witness_json(const pl_point_result *res, int verdict)
{
    if (!res->witness) {
        char why[400];
        plstar_pl_point_no_witness_reason(why, sizeof why, res, verdict);
        return plstar_report_absent(why);
    }
    int labels = res->witness_source == PL_WITNESS_LABELS;
    const arb_struct *h = labels ? res->half_grad_sq : res->cand_half_grad_sq;
    const arb_struct *l = labels ? res->loss : res->cand_loss;
    arb_t ratio;
    arb_init(ratio);
    pl_ratio(ratio, h, l, res->prec);
    json_t *o = json_object();
    json_object_set_new(o, "source", json_string(labels ? "the given labels" : "Proposition 3: y* = F(w) - v"));
    json_object_set_new(o, "half_grad_norm_sq", bound_json(h));
    json_object_set_new(o, "loss", bound_json(l));
    json_object_set_new(o, "refutes_every_mu_above", plstar_report_upper_arb(ratio)); /* μ-PL* fails for μ > ratio */
    arb_clear(ratio);
    return o;
}

static const char *mu_source_name(pl_mu_source s)
{
    switch (s) {
    case PL_MU_GIVEN: return "given (--mu)";
    case PL_MU_LAMBDA_MIN: return "the certified lower bound of lambda_min(K(w))";
    case PL_MU_WITNESS: return "twice the witness's certified ratio 1/2|grad L|^2 / L (lambda_min is not proven "
                               "positive)";
    default: return NULL;
    }
}

static void overall_reason(json_t *r, const pl_point_result *res, const plstar_problem *p, int verdict)
{
    char why[900];
    plstar_pl_point_decide(why, sizeof why, res, p, verdict);
    if (verdict == PLSTAR_REFUTED) {
        int labels = res->witness_source == PL_WITNESS_LABELS;
        plstar_report_set_reason(r, "1/2|grad L(w)|^2 >= mu L(w) for every label vector: false for the witness",
                                 bound_json(labels ? res->half_grad_sq : res->cand_half_grad_sq),
                                 times_mu(res->mu, labels ? res->loss : res->cand_loss, res->prec), why);
    } else {
        plstar_report_set_reason(r, "lambda_min(K(w)) >= mu (1/2|grad L(w)|^2 >= mu L(w) for every label vector)",
                                 bound_json(res->lambda_min),
                                 res->mu_source == PL_MU_NONE ? NULL : json_real(plstar_arb_lower_d(res->mu)), why);
    }
}

json_t *plstar_pl_point_report(const pl_point_result *res, const plstar_problem *p, slong prec, int verdict)
{
    json_t *r = plstar_report_new("pl_point", "docs/theory.md §2, Theorem 1 (uniform conditioning implies PL*, strong form "
                                       "½‖∇L‖² ≥ μL) and Proposition 3 (singular kernel: a label vector refutes PL*)");
    plstar_report_set_verdict(r, plstar_report_verdict_name(verdict, 0));
    plstar_report_set_scope(r, REPORT_SCOPE_ALL_LABELS);
    if (verdict != PLSTAR_OK)
        overall_reason(r, res, p, verdict);
    plstar_report_add_problem(r, p);
    plstar_report_set_precision(r, (long)prec);
    json_object_set_new(json_object_get(r, "inputs"), "prec", json_integer(prec));
    json_object_set_new(json_object_get(r, "inputs"), "kernel_route",
                        json_string(plstar_ref_kernel_route_used(&p->model, p->n, POINT_KERNEL_ROUTE)));
    if (res->mu_source == PL_MU_NONE)
        json_object_set_new(r, "mu", plstar_report_absent("no positive mu could be chosen"));
    else {
        json_object_set_new(r, "mu", json_real(plstar_arb_lower_d(res->mu))); /* exact: a double */
        json_object_set_new(r, "mu_source", json_string(mu_source_name(res->mu_source)));
    }
    json_t *q = json_object_get(r, "quantities");
    json_object_set_new(q, "lambda_min", bound_json(res->lambda_min));
    json_object_set_new(q, "lambda_max", bound_json(res->lambda_max));
    if (res->has_labels) {
        arb_t ratio;
        arb_init(ratio);
        pl_ratio(ratio, res->half_grad_sq, res->loss, res->prec);
        json_object_set_new(q, "loss", bound_json(res->loss));
        json_object_set_new(q, "half_grad_norm_sq", bound_json(res->half_grad_sq));
        json_object_set_new(q, "half_grad_norm_sq_over_loss", bound_json(ratio));
        arb_clear(ratio);
    } else {
        json_object_set_new(q, "loss", plstar_report_absent(NO_LABELS));
        json_object_set_new(q, "half_grad_norm_sq", plstar_report_absent(NO_LABELS));
    }
    json_object_set_new(r, "routes", routes_json(res, p));
    json_object_set_new(r, "witness", witness_json(res, verdict));
    return r;
}

/* ---- what `plstar certify point` prints; the check in the registry (proofs-checks/checks.h) ---- */

static void print_enclosure(const char *name, const arb_t x)
{
    printf("%s in [%.17g, %.17g]\n", name, plstar_arb_lower_d(x), plstar_arb_upper_d(x));
}

static const char *verdict_word(int verdict) { return plstar_report_verdict_name(verdict, 0); }

void plstar_pl_point_print(const pl_point_result *res, const plstar_problem *p, int verdict)
{
    print_enclosure("lambda_min(K(w))", res->lambda_min);
    print_enclosure("lambda_max(K(w))", res->lambda_max);
    if (res->mu_source == PL_MU_NONE)
        puts("mu: none (no positive mu could be chosen)");
    else
        printf("mu = %.17g (%s)\n", plstar_arb_lower_d(res->mu),
               res->mu_source == PL_MU_GIVEN       ? "given"
               : res->mu_source == PL_MU_LAMBDA_MIN ? "the certified lower bound of lambda_min"
                                                    : "twice the witness's certified ratio");
    printf("Theorem 1 (lambda_min >= mu; every label vector): %s\n", verdict_word(res->theorem1));
    if (p->y.size)
        printf("direct (1/2 |grad L|^2 >= mu L; these labels only): %s  [1/2|grad L|^2 in [%.6g, %.6g], "
               "L in [%.6g, %.6g]]\n", verdict_word(res->direct), plstar_arb_lower_d(res->half_grad_sq),
               plstar_arb_upper_d(res->half_grad_sq), plstar_arb_lower_d(res->loss), plstar_arb_upper_d(res->loss));
    if (res->witness)
        printf("witness: %s refute mu-PL* (1/2|grad L|^2 < mu L proven)\n",
               res->witness_source == PL_WITNESS_LABELS ? "the given labels" : "labels y* = F(w) - v (Proposition 3)");
    printf("certify point: %s for every label vector\n", verdict_word(verdict));
    if (verdict != PLSTAR_OK) {
        char why[900];
        plstar_pl_point_decide(why, sizeof why, res, p, verdict);
        printf("reason: %s\n", why);
    }
}

static int point_run(void **result, const plstar_problem *p, const plstar_check_options *o)
{
    pl_point_result *res = malloc(sizeof *res);
    if (!res)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    plstar_pl_point_result_init(res);
    int v = plstar_check_pl_point(res, p, o->mu > 0 ? o->mu : PL_POINT_DEFAULT_MU, o->prec);
    if (v > PLSTAR_INCONCLUSIVE) {
        plstar_pl_point_result_clear(res), free(res);
        return v;
    }
    *result = res;
    return v;
}

static void point_print(const void *result, const plstar_problem *p, const plstar_check_options *o, int verdict)
{
    plstar_pl_point_print(result, p, verdict);
}

static void point_summarize(const void *result, const plstar_problem *p, const plstar_check_options *o,
                            const char *model, int verdict)
{
    const pl_point_result *res = result;
    printf("Theorem 1 (every label vector), %s: mu = %.17g <= lambda_min(K(w0)) in [%.17g, %.17g]: %s\n", model,
           plstar_arb_lower_d(res->mu), plstar_arb_lower_d(res->lambda_min), plstar_arb_upper_d(res->lambda_min), verdict_word(verdict));
}

static json_t *point_report(const void *result, const plstar_problem *p, const plstar_check_options *o, int verdict)
{
    return plstar_pl_point_report(result, p, o->prec, verdict);
}

/* --witness FILE: written when a witness exists; otherwise a line on stderr says why. */
static int point_witness(const void *result, json_t *report, const plstar_check_options *o, int verdict)
{
    const pl_point_result *res = result;
    if (!o->witness)
        return PLSTAR_OK;
    json_t *w = json_object_get(report, "witness");
    if (!res->witness) {
        char why[400];
        plstar_pl_point_no_witness_reason(why, sizeof why, res, verdict);
        fprintf(stderr, "plstar %s: no witness written to %s: %s\n", o->cmd, o->witness, why);
        json_object_set_new(w, "file", json_null());
        return PLSTAR_OK;
    }
    int st = plstar_npy_write_vector(o->witness, res->witness, res->N);
    if (!st) {
        printf("witness labels saved to %s\n", o->witness);
        json_object_set_new(w, "file", json_string(o->witness));
    }
    return st;
}

static void point_free(void *result)
{
    plstar_pl_point_result_clear(result);
    free(result);
}

static const char point_help[] =
    "usage: plstar certify point MODEL [--labels Y.npy] [--mu MU] [--witness Y*.npy] [--prec BITS]\n"
    "                            [--json FILE]\n"
    "PL* at w (docs/theory.md, section 2): 1/2 |grad L(w)|^2 >= mu L(w) for every label vector, that is\n"
    "lambda_min(K(w)) >= mu > 0 (Theorem 1); refuted by a label vector for which it is proven false\n"
    "(Proposition 3's y* = F(w) - v, or the given labels).\n"
    "  --labels Y.npy       also decide the inequality for these labels only (default: none; the verdict\n"
    "                       and the exit status are about every label vector either way)\n"
    "  --mu MU              the constant checked, mu > 0;\n"
    "                       default: the certified lower bound of lambda_min(K(w)) when it is positive,\n"
    "                       otherwise twice the witness's certified ratio 1/2 |grad L|^2 / L, which the\n"
    "                       witness then refutes; the same with or without --labels\n"
    "  --witness Y*.npy     write the refuting labels when a witness exists (default: none written; when\n"
    "                       there is no witness a line on stderr says why)\n" PREC_HELP REPORT_HELP MODEL_HELP
    "Exit status: 0 certified for every label vector, 1 refuted (a witness exists), 2 inconclusive,\n"
    "64 usage, 65 bad data, 66 cannot open an input, 70 internal error, 73 cannot create an output,\n"
    "130 interrupted.\n";

static const plstar_certify_command point_command = {
    .word = "point",
    .summary = "Theorem 1 and Proposition 3 at w: lambda_min(K(w)) >= mu, and with labels\n"
               "1/2 |grad L|^2 >= mu L directly",
    .help = point_help,
    .scope = "certify point",
};

const plstar_check plstar_check_desc_pl_point = {
    .id = "pl_point",
    .name = "point",
    .command = &point_command,
    .statement = "PL* at w: 1/2 |grad L(w)|^2 >= mu L(w) for every label vector, that is lambda_min(K(w)) >= mu > 0 "
                 "(Theorem 1), refuted by a label vector (Proposition 3)",
    .section = "docs/theory.md, section 2",
    .accepts = CHECK_OPTION(CHECK_OPT_PREC) | CHECK_OPTION(CHECK_OPT_JSON) | CHECK_OPTION(CHECK_OPT_MU) |
               CHECK_OPTION(CHECK_OPT_WITNESS),
    .estimate = plstar_check_estimate_kernel,
    .run = point_run,
    .print = point_print,
    .summarize = point_summarize,
    .report = point_report,
    .outputs = point_witness,
    .free = point_free,
};

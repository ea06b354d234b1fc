#include "proofs-checks/pl_point.h"
#include "core/error.h"
#include "core/report.h"
#include "reference/eig.h"
#include "reference/network.h"
#include "reference/shallow.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define POINT_KERNEL_ROUTE REF_ROUTE_ARB /* the --prec reference judges (reference/shallow.h) */

void pl_point_result_init(pl_point_result *r)
{
    memset(r, 0, sizeof *r);
    arb_init(r->lambda_min), arb_init(r->lambda_max), arb_init(r->mu);
    arb_init(r->half_grad_sq), arb_init(r->loss);
}

void pl_point_result_clear(pl_point_result *r)
{
    arb_clear(r->lambda_min), arb_clear(r->lambda_max), arb_clear(r->mu);
    arb_clear(r->half_grad_sq), arb_clear(r->loss);
    free(r->witness);
    memset(r, 0, sizeof *r);
}

/* Encloses L(w) and ½‖∇L(w)‖² for labels y. */
static int loss_sides(arb_t loss, arb_t half_grad_sq, const plstar_problem *p, const double *y, slong prec)
{
    arb_mat_t g;
    arb_mat_init(g, (slong)p->model.nparams, 1);
    int st = ref_loss_grad(loss, g, &p->model, p->X.data, p->n, p->w, y, prec);
    arb_zero(half_grad_sq);
    for (size_t k = 0; !st && k < p->model.nparams; k++)
        arb_addmul(half_grad_sq, g->entries + k, g->entries + k, prec);
    arb_mul_2exp_si(half_grad_sq, half_grad_sq, -1);
    arb_mat_clear(g);
    return st;
}

/* Verdict of "lhs ≥ mu·rhs" from enclosures. */
static int compare(const arb_t lhs, const arb_t mu, const arb_t rhs, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_mul(t, mu, rhs, prec);
    arb_sub(t, lhs, t, prec);
    int v = arb_is_nonnegative(t) ? PLSTAR_OK : arb_is_negative(t) ? PLSTAR_REFUTED : PLSTAR_INCONCLUSIVE;
    arb_clear(t);
    return v;
}

/* Labels y* = F(w) − v with v a unit eigenvector of K's midpoint for its smallest eigenvalue. */
static int witness_labels(double *y, const arb_mat_t K, const arb_mat_t F, size_t N)
{
    double *A = malloc(N * N * sizeof(double)), *ev = malloc(N * sizeof(double));
    int st = (!A || !ev) ? plstar_error(PLSTAR_ESOFTWARE, "out of memory for the witness") : PLSTAR_OK;
    for (size_t k = 0; !st && k < N * N; k++)
        A[k] = arf_get_d(arb_midref(K->entries + k), ARF_RND_NEAR);
    if (!st && LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)N, A, (lapack_int)N, ev) != 0)
        st = plstar_error(PLSTAR_ESOFTWARE, "eigen-solver failed while building the witness");
    for (size_t i = 0; !st && i < N; i++) /* column 0 of the row-major eigenvector matrix */
        y[i] = arf_get_d(arb_midref(F->entries + i), ARF_RND_NEAR) - A[i * N];
    free(A), free(ev);
    return st;
}

/* Tries to prove ½‖∇L‖² < μ L for the witness labels. With `adjust_mu` (no μ
 * given and λ_min not certified positive), μ is first raised to twice the
 * witness's certified ratio ½‖∇L‖²/L when that is larger: floating-point
 * witness labels only refute constants above their own rounding level. */
static int refute_with_witness(pl_point_result *res, const plstar_problem *p, const arb_mat_t K, const arb_mat_t F,
                               int adjust_mu, slong prec)
{
    res->witness = malloc(p->N * sizeof(double));
    if (!res->witness)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the witness");
    int st = witness_labels(res->witness, K, F, p->N);
    arb_t l, h;
    arb_init(l), arb_init(h);
    if (!st)
        st = loss_sides(l, h, p, res->witness, prec);
    if (!st && adjust_mu && arb_is_positive(l)) {
        arb_t ratio;
        arb_init(ratio);
        arb_div(ratio, h, l, prec);
        arb_mul_2exp_si(ratio, ratio, 1);
        if (arb_upper_d(ratio) > arb_lower_d(res->mu))
            arb_set_d(res->mu, arb_upper_d(ratio));
        arb_clear(ratio);
    }
    int v = st ? st : compare(h, res->mu, l, prec);
    arb_clear(l), arb_clear(h);
    if (v != PLSTAR_REFUTED) {
        free(res->witness);
        res->witness = NULL;
    }
    return v;
}

/* μ: the given one, else the certified lower end of λ_min, else (singular K)
 * twice the upper end, the smallest constant a witness can be asked to refute. */
static void choose_mu(arb_t mu, const arb_t lambda_min, double given, slong prec)
{
    arf_t t;
    arf_init(t);
    if (given > 0)
        arb_set_d(mu, given);
    else if (arb_lower_d(lambda_min) > 0) /* rounded down to a double: the comparison keeps slack */
        arb_set_d(mu, arb_lower_d(lambda_min));
    else {
        arb_get_ubound_arf(t, lambda_min, prec);
        arf_mul_2exp_si(t, t, 1);
        arb_set_arf(mu, t);
    }
    arf_clear(t);
}

int check_pl_point(pl_point_result *res, const plstar_problem *p, double mu, slong prec)
{
    size_t N = p->N;
    res->N = N;
    arb_mat_t K, F;
    arb_mat_init(K, (slong)N, (slong)N), arb_mat_init(F, (slong)N, 1);
    int st = ref_kernel_outputs_route(K, F, &p->model, p->X.data, p->n, p->w, prec, POINT_KERNEL_ROUTE);
    if (!st)
        st = ref_eig_bounds(res->lambda_min, res->lambda_max, K, prec);
    if (!st) {
        choose_mu(res->mu, res->lambda_min, mu, prec);
        arb_t one;
        arb_init(one);
        arb_one(one);
        /* Theorem 1: λ_min(K) ≥ μ > 0 gives ½‖∇L‖² = ½ rᵀKr ≥ μ L for every y */
        res->theorem1 = arb_is_positive(res->mu) ? compare(res->lambda_min, res->mu, one, prec) : PLSTAR_INCONCLUSIVE;
        arb_clear(one);
        res->direct = PLSTAR_INCONCLUSIVE;
        if (p->y.size && !(st = loss_sides(res->loss, res->half_grad_sq, p, p->y.data, prec)))
            res->direct = compare(res->half_grad_sq, res->mu, res->loss, prec);
    }
    int verdict = PLSTAR_INCONCLUSIVE;
    if (!st) {
        if (res->theorem1 == PLSTAR_OK || res->direct == PLSTAR_OK)
            verdict = PLSTAR_OK;
        else if (res->direct == PLSTAR_REFUTED)
            verdict = PLSTAR_REFUTED;
        else if (res->theorem1 == PLSTAR_REFUTED) {
            int w = refute_with_witness(res, p, K, F, mu <= 0, prec);
            verdict = w == PLSTAR_REFUTED ? PLSTAR_REFUTED : w > PLSTAR_INCONCLUSIVE ? w : PLSTAR_INCONCLUSIVE;
        }
    }
    arb_mat_clear(K), arb_mat_clear(F);
    return st ? st : verdict;
}

static json_t *route_json(int v)
{
    return json_string(v == PLSTAR_OK ? "certified" : v == PLSTAR_REFUTED ? "refuted" : "inconclusive");
}

json_t *pl_point_report(const pl_point_result *res, const plstar_problem *p, slong prec, int verdict)
{
    json_t *r = report_new("pl_point", "THEORY.md §2, Theorem 1 (uniform conditioning implies PL*, strong form "
                                       "½‖∇L‖² ≥ μL) and Proposition 3 (singular kernel: a label vector refutes PL*)");
    report_set_verdict(r, report_verdict_name(verdict, 0));
    report_add_problem(r, p);
    json_object_set_new(json_object_get(r, "inputs"), "prec", json_integer(prec));
    json_object_set_new(json_object_get(r, "inputs"), "kernel_route",
                        json_string(ref_kernel_route_used(&p->model, p->n, POINT_KERNEL_ROUTE)));
    json_object_set_new(r, "mu", json_real(arb_lower_d(res->mu)));
    json_t *q = json_object_get(r, "quantities");
    json_object_set_new(q, "lambda_min", report_interval_arb(res->lambda_min));
    json_object_set_new(q, "lambda_max", report_interval_arb(res->lambda_max));
    json_object_set_new(q, "mu", report_interval_arb(res->mu));
    if (p->y.size) {
        json_object_set_new(q, "loss", report_interval_arb(res->loss));
        json_object_set_new(q, "half_grad_norm_sq", report_interval_arb(res->half_grad_sq));
    }
    json_t *routes = json_object();
    json_object_set_new(routes, "theorem1_lambda_min_ge_mu", route_json(res->theorem1));
    json_object_set_new(routes, "direct_half_grad_sq_ge_mu_loss", route_json(res->direct));
    json_object_set_new(r, "routes", routes);
    json_object_set_new(r, "proposition3_witness", json_boolean(res->witness != NULL));
    return r;
}

#include "proofs-checks/ball.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/report.h"
#include "proofs-checks/checks.h"
#include "proofs-checks/help_text.h"
#include "reference/eig.h"
#include "reference/network.h"
#include "reference/shallow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* K(w0), F(w0): the --prec reference unless the net is so wide that the GEMM route is taken (reference/shallow.h) */
#define BALL_KERNEL_ROUTE REF_ROUTE_AUTO

/* Exact point at the upper (lower) end of a ball: the safe side for monotone formulas. */
static void upper_point(arb_t out, const arb_t x)
{
    arf_t t;
    arf_init(t);
    arb_get_ubound_arf(t, x, ARF_PREC_EXACT);
    arb_set_arf(out, t);
    arf_clear(t);
}

static void lower_point(arb_t out, const arb_t x)
{
    arf_t t;
    arf_init(t);
    arb_get_lbound_arf(t, x, ARF_PREC_EXACT);
    arb_set_arf(out, t);
    arf_clear(t);
}

void plstar_ball_constants_init(ball_constants *b)
{
    memset(b, 0, sizeof *b);
    arb_init(b->lambda0), arb_init(b->lambda_max0), arb_init(b->a), arb_init(b->c);
    arb_init(b->hess_max), arb_init(b->r0), arb_init(b->loss0);
}

void plstar_ball_constants_clear(ball_constants *b)
{
    arb_clear(b->lambda0), arb_clear(b->lambda_max0), arb_clear(b->a), arb_clear(b->c);
    arb_clear(b->hess_max), arb_clear(b->r0), arb_clear(b->loss0);
    if (b->hess) {
        plstar_ref_hessian_ctx_clear(b->hess);
        free(b->hess);
        b->hess = NULL;
    }
}

/* max_i ‖x_i‖ and λ_max(X Xᵀ), both enclosed. */
static int data_norms(arb_t max_norm, arb_t gram_max, const plstar_problem *p, slong prec)
{
    size_t n = p->n, d = p->model.input_dim;
    arb_mat_t G;
    arb_t t, u, lmin;
    arb_mat_init(G, (slong)n, (slong)n);
    arb_init(t), arb_init(u), arb_init(lmin);
    arb_zero(max_norm);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k <= i; k++) {
            arb_ptr g = arb_mat_entry(G, i, k);
            arb_zero(g);
            for (size_t j = 0; j < d; j++) {
                arb_set_d(t, p->X.data[i * d + j]);
                arb_set_d(u, p->X.data[k * d + j]);
                arb_addmul(g, t, u, prec);
            }
            arb_set(arb_mat_entry(G, k, i), g);
            if (i == k) {
                arb_sqrtpos(t, g, prec);
                arb_max(max_norm, max_norm, t, prec);
            }
        }
    int st = plstar_ref_eig_bounds(lmin, gram_max, G, prec);
    arb_mat_clear(G);
    arb_clear(t), arb_clear(u), arb_clear(lmin);
    return st;
}

/* c (= β_F) and h for the models that have them (see the header). */
static int smoothness_constants(ball_constants *b, const plstar_problem *p, slong prec)
{
    const plstar_model *m = &p->model;
    if (m->kind == MODEL_LINEAR) {
        arb_zero(b->c), arb_zero(b->hess_max);
        b->available = 1;
        return PLSTAR_OK;
    }
    if (m->kind == MODEL_MLP && plstar_model_twice_differentiable(m)) {
        /* radius-dependent constants (reference/hessian.h); c, hess_max: the values at R = 0 */
        b->hess = malloc(sizeof *b->hess);
        if (!b->hess)
            return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the MLP ball constants");
        plstar_ref_hessian_ctx_init(b->hess);
        int st = plstar_ref_hessian_ctx_set(b->hess, m, p->X.data, p->n, p->w, prec);
        if (!st) {
            b->available = 1;
            st = plstar_ball_constants_at(NULL, b->c, b->hess_max, NULL, b, 0.0, prec);
        }
        if (st) {
            plstar_ref_hessian_ctx_clear(b->hess);
            free(b->hess);
            b->hess = NULL;
            b->available = 0;
        }
        return st;
    }
    if (m->kind != MODEL_SHALLOW || !plstar_act_twice_differentiable(m->activation)) {
        b->available = 0;
        return PLSTAR_OK;
    }
    arb_t xmax, gmax, s2, t;
    arb_init(xmax), arb_init(gmax), arb_init(s2), arb_init(t);
    int st = data_norms(xmax, gmax, p, prec);
    if (!st) {
        arb_set_d(s2, plstar_act_sup_d2(m->activation)); /* certified, rounded up */
        arb_rsqrt_ui(t, m->layers[0].out, prec);
        arb_mul(s2, s2, t, prec); /* s₂/√m */
        arb_sqrtpos(t, gmax, prec);
        arb_mul(b->c, s2, xmax, prec);
        arb_mul(b->c, b->c, t, prec);
        arb_mul(b->hess_max, s2, xmax, prec);
        arb_mul(b->hess_max, b->hess_max, xmax, prec);
        b->available = 1;
    }
    arb_clear(xmax), arb_clear(gmax), arb_clear(s2), arb_clear(t);
    return st;
}

int plstar_ball_constants_compute(ball_constants *b, const plstar_problem *p, slong prec)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    b->prec = prec;
    size_t N = p->N;
    arb_mat_t K, F;
    arb_mat_init(K, (slong)N, (slong)N), arb_mat_init(F, (slong)N, 1);
    int st = plstar_ref_kernel_outputs_route(K, F, &p->model, p->X.data, p->n, p->w, prec, BALL_KERNEL_ROUTE);
    if (!st)
        st = plstar_ref_eig_bounds(b->lambda0, b->lambda_max0, K, prec);
    if (!st) {
        arb_sqrtpos(b->a, b->lambda_max0, prec);
        st = smoothness_constants(b, p, prec);
    }
    b->have_labels = p->y.size > 0;
    if (!st && b->have_labels) {
        arb_t r;
        arb_init(r);
        arb_zero(b->loss0);
        for (size_t i = 0; i < N; i++) {
            arb_set_d(r, p->y.data[i]);
            arb_sub(r, F->entries + i, r, prec);
            arb_addmul(b->loss0, r, r, prec);
        }
        arb_sqrtpos(b->r0, b->loss0, prec);
        arb_mul_2exp_si(b->loss0, b->loss0, -1);
        arb_clear(r);
    }
    arb_mat_clear(K), arb_mat_clear(F);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    b->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return st;
}

void plstar_ball_result_init(ball_result *r)
{
    memset(r, 0, sizeof *r);
    arb_init(r->lambda_lower), arb_init(r->kernel_change);
}

void plstar_ball_result_clear(ball_result *r) { arb_clear(r->lambda_lower), arb_clear(r->kernel_change); }

/* Upper bound of cR(2a + cR) from point values A ≥ a, C ≥ c. */
static void kernel_change(arb_t out, const arb_t A, const arb_t C, const arb_t R, slong prec)
{
    arb_t cr;
    arb_init(cr);
    arb_mul(cr, C, R, prec);
    arb_mul_2exp_si(out, A, 1);
    arb_add(out, out, cr, prec);
    arb_mul(out, out, cr, prec);
    arb_clear(cr);
}

int plstar_ball_constants_at(arb_t lipschitz, arb_t c, arb_t hess_max, arb_t dk, const ball_constants *b,
                             double radius, slong prec)
{
    if (!b->available)
        return PLSTAR_INCONCLUSIVE;
    if (b->hess) {
        ref_hessian_bounds hb;
        plstar_ref_hessian_bounds_init(&hb);
        int st = plstar_ref_hessian_bounds_compute(&hb, b->hess, radius, b->a, prec);
        if (!st) {
            if (lipschitz)
                arb_set(lipschitz, hb.lipschitz);
            if (c)
                arb_set(c, hb.jac_lipschitz);
            if (hess_max)
                arb_set(hess_max, hb.hess_max);
            if (dk)
                arb_set(dk, hb.kernel_change);
        }
        plstar_ref_hessian_bounds_clear(&hb);
        return st;
    }
    arb_t A, C, R;
    arb_init(A), arb_init(C), arb_init(R);
    upper_point(A, b->a), upper_point(C, b->c);
    arb_set_d(R, radius);
    if (lipschitz) {
        arb_mul(lipschitz, C, R, prec);
        arb_add(lipschitz, lipschitz, A, prec);
    }
    if (dk)
        kernel_change(dk, A, C, R, prec);
    if (c)
        arb_set(c, b->c);
    if (hess_max)
        arb_set(hess_max, b->hess_max);
    arb_clear(A), arb_clear(C), arb_clear(R);
    return PLSTAR_OK;
}

/* Radius-dependent constants (MLP): λ0 − ΔK(R) ≥ μ, proven? */
static int ball_holds_at(const arb_t L0, const ball_constants *b, double radius, const arb_t mu, slong prec)
{
    arb_t dk;
    arb_init(dk);
    int ok = 0;
    if (plstar_ball_constants_at(NULL, NULL, NULL, dk, b, radius, prec) == PLSTAR_OK) {
        arb_sub(dk, L0, dk, prec);
        arb_sub(dk, dk, mu, prec);
        ok = arb_is_nonnegative(dk);
    }
    arb_clear(dk);
    return ok;
}

/* Largest R with λ0 − ΔK(R) ≥ μ (ΔK increasing in R): doubling, then
 * bisection; the returned radius is one where the inequality was proven. */
static double radius_max_at(const arb_t L0, const ball_constants *b, const arb_t mu, slong prec)
{
    if (!ball_holds_at(L0, b, 0.0, mu, prec))
        return 0.0;
    double lo = 0.0, hi = 1e-3;
    int k = 0;
    size_t tried = 1;
    plstar_progress pr; /* each radius tried costs the layer-by-layer bounds of reference/hessian.h */
    plstar_progress_begin(&pr, "certify ball: the largest radius", "radii", 0);
    while (ball_holds_at(L0, b, hi, mu, prec)) {
        plstar_progress_update(&pr, ++tried);
        lo = hi, hi *= 2;
        if (++k > 80) {
            plstar_progress_end(&pr);
            return lo;
        }
    }
    /* the bisection halves hi − lo until it is 1e-12 hi: its length is known now */
    int halvings = hi - lo > 1e-12 * hi ? (int)ceil(log2((hi - lo) / (1e-12 * hi))) : 0;
    plstar_progress_set_total(&pr, tried + (size_t)(halvings < 48 ? halvings : 48));
    for (k = 0; k < 48 && hi - lo > 1e-12 * hi; k++) {
        double mid = 0.5 * (lo + hi);
        if (ball_holds_at(L0, b, mid, mu, prec))
            lo = mid;
        else
            hi = mid;
        plstar_progress_update(&pr, ++tried);
    }
    plstar_progress_end(&pr);
    return lo;
}

/* λ0 − cR(2a + cR) ≥ μ, proven? */
static int ball_holds(const arb_t L0, const arb_t A, const arb_t C, double radius, const arb_t mu, slong prec)
{
    arb_t R, t;
    arb_init(R), arb_init(t);
    arb_set_d(R, radius);
    kernel_change(t, A, C, R, prec);
    arb_sub(t, L0, t, prec);
    arb_sub(t, t, mu, prec);
    int ok = arb_is_nonnegative(t);
    arb_clear(R), arb_clear(t);
    return ok;
}

/* Largest R with λ0 − cR(2a + cR) ≥ μ: (√(a² + λ0 − μ) − a)/c, then verified. */
static double radius_max(const arb_t L0, const arb_t A, const arb_t C, const arb_t mu, slong prec)
{
    if (arb_is_zero(C))
        return ball_holds(L0, A, C, 0.0, mu, prec) ? INFINITY : 0.0;
    arb_t t;
    arb_init(t);
    arb_mul(t, A, A, prec);
    arb_add(t, t, L0, prec);
    arb_sub(t, t, mu, prec);
    arb_sqrtpos(t, t, prec);
    arb_sub(t, t, A, prec);
    arb_div(t, t, C, prec);
    double r = plstar_arb_lower_d(t);
    arb_clear(t);
    for (int k = 0; k < 8 && r > 0 && !ball_holds(L0, A, C, r, mu, prec); k++)
        r *= 1 - 1e-9;
    return r > 0 && ball_holds(L0, A, C, r, mu, prec) ? r : 0.0;
}

int plstar_check_ball(ball_result *res, const ball_constants *b, double radius, double mu, slong prec)
{
    res->mu = mu, res->radius = radius;
    if (!b->available)
        return PLSTAR_INCONCLUSIVE;
    if (b->hess) { /* MLP: ΔK(R) from reference/hessian.h */
        arb_t L0, M, t;
        arb_init(L0), arb_init(M), arb_init(t);
        lower_point(L0, b->lambda0);
        arb_set_d(M, mu);
        int st = plstar_ball_constants_at(NULL, NULL, NULL, res->kernel_change, b, radius, prec);
        if (st) /* nothing proven about the change: the report must not show λ0 */
            arb_pos_inf(res->kernel_change);
        arb_sub(res->lambda_lower, L0, res->kernel_change, prec);
        res->radius_max = radius_max_at(L0, b, M, prec);
        res->mu_max = plstar_arb_lower_d(res->lambda_lower);
        arb_sub(t, res->lambda_lower, M, prec);
        int holds = !st && arb_is_nonnegative(t);
        arb_sub(t, b->lambda0, M, prec);
        int verdict = holds ? PLSTAR_OK : arb_is_negative(t) ? PLSTAR_REFUTED : PLSTAR_INCONCLUSIVE;
        arb_clear(L0), arb_clear(M), arb_clear(t);
        return verdict;
    }
    arb_t L0, A, C, M, R;
    arb_init(L0), arb_init(A), arb_init(C), arb_init(M), arb_init(R);
    lower_point(L0, b->lambda0), upper_point(A, b->a), upper_point(C, b->c);
    arb_set_d(M, mu), arb_set_d(R, radius);
    kernel_change(res->kernel_change, A, C, R, prec);
    arb_sub(res->lambda_lower, L0, res->kernel_change, prec);
    res->radius_max = radius_max(L0, A, C, M, prec);
    res->mu_max = plstar_arb_lower_d(res->lambda_lower);
    arb_t t;
    arb_init(t);
    arb_sub(t, b->lambda0, M, prec);
    int verdict = ball_holds(L0, A, C, radius, M, prec) ? PLSTAR_OK
                  : arb_is_negative(t)                  ? PLSTAR_REFUTED /* fails at the centre */
                                                        : PLSTAR_INCONCLUSIVE;
    arb_clear(t);
    arb_clear(L0), arb_clear(A), arb_clear(C), arb_clear(M), arb_clear(R);
    return verdict;
}

/* Theorem 6's step bound from L_F and β_F = c: 1/(L_F² + c r0). */
static void step_bound(arb_t lr_max, const arb_t lipschitz, const arb_t beta_F, const arb_t r0, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_mul(t, lipschitz, lipschitz, prec);
    arb_addmul(t, beta_F, r0, prec);
    arb_inv(lr_max, t, prec);
    arb_clear(t);
}

int plstar_ball_lr_max(arb_t lr_max, const ball_constants *b, double radius, slong prec)
{
    if (!b->have_labels)
        return plstar_error(PLSTAR_EUSAGE, "the step bound of Theorem 6 needs labels");
    arb_t L, C, r0;
    arb_init(L), arb_init(C), arb_init(r0);
    int st = plstar_ball_constants_at(L, C, NULL, NULL, b, radius, prec);
    if (!st) {
        upper_point(L, L), upper_point(C, C), upper_point(r0, b->r0);
        step_bound(lr_max, L, C, r0, prec);
    }
    arb_clear(L), arb_clear(C), arb_clear(r0);
    return st;
}

/* An upper bound as {"upper"}, or absent when it is not finite. */
static json_t *upper_or_absent(double x, const char *why)
{
    return isfinite(x) ? plstar_report_upper(x) : plstar_report_absent(why);
}

/* The constants on B(w0, radius), which depend on the radius for the MLP. */
static void radius_constants(json_t *r, const ball_constants *b, double radius, slong prec)
{
    if (!b->hess || !(radius >= 0) || !isfinite(radius))
        return;
    arb_t L, c, h;
    arb_init(L), arb_init(c), arb_init(h);
    if (plstar_ball_constants_at(L, c, h, NULL, b, radius, prec) == PLSTAR_OK) {
        json_t *q = json_object_get(r, "quantities");
        json_object_set_new(q, "lipschitz_F_on_ball", upper_or_absent(plstar_arb_upper_d(L), "not bounded"));
        json_object_set_new(q, "jacobian_lipschitz", upper_or_absent(plstar_arb_upper_d(c), "not bounded"));
        json_object_set_new(q, "beta_F", upper_or_absent(plstar_arb_upper_d(c), "not bounded"));
        json_object_set_new(q, "hessian_norm_max", upper_or_absent(plstar_arb_upper_d(h), "not bounded"));
        json_object_set_new(r, "constants", json_string("radius-dependent: layer-by-layer bounds on B(w0, R), "
                                                        "reference/hessian.h (docs/hessian.md)"));
    }
    arb_clear(L), arb_clear(c), arb_clear(h);
}

static void common_inputs(json_t *r, const ball_constants *b, const plstar_problem *p)
{
    plstar_report_add_problem(r, p);
    plstar_report_set_precision(r, (long)b->prec);
    json_object_set_new(json_object_get(r, "inputs"), "kernel_route",
                        json_string(plstar_ref_kernel_route_used(&p->model, p->n, BALL_KERNEL_ROUTE)));
    json_t *q = json_object_get(r, "quantities");
    json_object_set_new(q, "lambda_min_w0", plstar_report_interval_arb(b->lambda0));
    json_object_set_new(q, "lambda_max_w0", plstar_report_interval_arb(b->lambda_max0));
    json_object_set_new(q, "jacobian_norm_w0", plstar_report_interval_arb(b->a));
    if (b->available && !b->hess) { /* global constants (β_F is c: Definition 2, see ball.h) */
        json_object_set_new(q, "jacobian_lipschitz", plstar_report_upper_arb(b->c));
        json_object_set_new(q, "beta_F", plstar_report_upper_arb(b->c));
        json_object_set_new(q, "hessian_norm_max", plstar_report_upper_arb(b->hess_max));
    }
    if (b->hess) { /* the at-a-point bounds (R = 0) */
        json_object_set_new(q, "beta_F_w0", plstar_report_upper_arb(b->c));
        json_object_set_new(q, "hessian_norm_max_w0", plstar_report_upper_arb(b->hess_max));
    }
    if (b->have_labels) {
        json_object_set_new(q, "residual_w0", plstar_report_interval_arb(b->r0));
        json_object_set_new(q, "loss_initial", plstar_report_interval_arb(b->loss0));
    }
    json_object_set_new(r, "seconds_constants", json_real(b->seconds));
}

static const char *const no_constants = "no a-priori Hessian constants for this model (implemented: linear; shallow "
                                        "and MLP with C² activations)";

/* The ball check's reason: inequality, sides, what would decide it. */
static void ball_reason(const ball_result *res, const ball_constants *b, int verdict, char *ineq, size_t ilen,
                        char *decide, size_t dlen, json_t **lhs, json_t **rhs)
{
    if (!b->available) {
        snprintf(ineq, ilen, "%s", no_constants);
        snprintf(decide, dlen, "the a-posteriori path certificate (certify gd --path), or point checks (certify "
                               "point) at chosen weights");
        *lhs = *rhs = NULL;
    } else if (verdict == PLSTAR_REFUTED) {
        snprintf(ineq, ilen, "lambda_min(K(w0)) >= mu (the centre of the ball)");
        snprintf(decide, dlen, "a mu below lambda_min(K(w0)) <= %.6g", plstar_arb_upper_d(b->lambda0));
        *lhs = plstar_report_interval_arb(b->lambda0), *rhs = json_real(res->mu);
    } else {
        snprintf(ineq, ilen, "lambda_min(K(w0)) - sup_B |K(w) - K(w0)| >= mu on B(w0, %.6g)", res->radius);
        char r[96] = "", m[96] = "";
        if (res->radius_max > 0)
            snprintf(r, sizeof r, "a radius <= %.6g for this mu, ", res->radius_max);
        if (res->mu_max > 0)
            snprintf(m, sizeof m, "a mu <= %.6g for this radius, ", res->mu_max);
        snprintf(decide, dlen, "%s%s%sa larger width (the Hessian bounds decay like 1/sqrt(width))", r, m,
                 *r || *m ? "or " : "a smaller radius or mu, or ");
        *lhs = isfinite(plstar_arb_lower_d(res->lambda_lower)) ? plstar_report_lower_arb(res->lambda_lower)
                                                         : plstar_report_absent("|K(w) - K(w0)| is not bounded on the ball");
        *rhs = json_real(res->mu);
    }
}

void plstar_ball_reason_text(char *buf, size_t len, const ball_result *res, const ball_constants *b, int verdict)
{
    if (verdict == PLSTAR_OK || !len) {
        if (len)
            buf[0] = '\0';
        return;
    }
    char ineq[256], decide[256];
    json_t *lhs, *rhs;
    ball_reason(res, b, verdict, ineq, sizeof ineq, decide, sizeof decide, &lhs, &rhs);
    if (!lhs)
        snprintf(buf, len, "%s; would decide: %s", ineq, decide);
    else
        snprintf(buf, len, "%s fails: %s%.6g vs %.6g; would decide: %s", ineq,
                 json_object_get(lhs, "upper") ? "" : ">= ",
                 json_real_value(json_object_get(lhs, json_object_get(lhs, "lower") ? "lower" : "upper")),
                 json_real_value(rhs), decide);
    json_decref(lhs), json_decref(rhs);
}

json_t *plstar_ball_report(const ball_result *res, const ball_constants *b, const plstar_problem *p, int verdict)
{
    json_t *r = plstar_report_new("ball", "docs/theory.md §3, Theorem 2 (conclusion), for every label vector: "
                                   "λ_min(K(w)) ≥ λ0 − ‖K(w) − K(w0)‖₂ ≥ μ for all w in B(w0, R), with "
                                   "‖K(w) − K(w0)‖₂ ≤ cR(2‖DF(w0)‖₂ + cR) (c a Lipschitz constant of DF; for the "
                                   "MLP the radius-dependent bound of docs/hessian.md)");
    plstar_report_set_verdict(r, plstar_report_verdict_name(verdict, 0));
    plstar_report_set_scope(r, REPORT_SCOPE_ALL_LABELS);
    if (verdict != PLSTAR_OK) {
        char ineq[256], decide[256];
        json_t *lhs, *rhs;
        ball_reason(res, b, verdict, ineq, sizeof ineq, decide, sizeof decide, &lhs, &rhs);
        plstar_report_set_reason(r, ineq, lhs, rhs, decide);
    }
    common_inputs(r, b, p);
    json_object_set_new(r, "mu", json_real(res->mu));
    json_object_set_new(r, "radius", json_real(res->radius));
    if (!b->available)
        return r;
    radius_constants(r, b, res->radius, b->prec);
    json_t *q = json_object_get(r, "quantities");
    json_object_set_new(q, "kernel_change", upper_or_absent(plstar_arb_upper_d(res->kernel_change), "not bounded on the ball"));
    double lam = plstar_arb_lower_d(res->lambda_lower);
    json_object_set_new(q, "lambda_min_on_ball", isfinite(lam) ? plstar_report_lower(lam) : plstar_report_absent("not bounded"));
    json_object_set_new(r, "radius_max_for_mu", res->radius_max > 0 && isfinite(res->radius_max)
                                                    ? plstar_report_lower(res->radius_max)
                                                : res->radius_max > 0 ? plstar_report_absent("every radius: K is constant")
                                                                      : plstar_report_absent("no radius > 0 is certified"));
    json_object_set_new(r, "mu_max_for_radius", res->mu_max > 0 ? plstar_report_lower(res->mu_max)
                                                                : plstar_report_absent("no mu > 0 is certified"));
    return r;
}

void plstar_gd_apriori_result_init(gd_apriori_result *r)
{
    memset(r, 0, sizeof *r);
    arb_init(r->lipschitz), arb_init(r->lr_max);
}

void plstar_gd_apriori_result_clear(gd_apriori_result *r) { arb_clear(r->lipschitz), arb_clear(r->lr_max); }

/* 2 c r0/μ, upper bound. */
static double fixed_point_ratio(const arb_t C, const arb_t r0, const arb_t M, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_mul(t, C, r0, prec);
    arb_mul_2exp_si(t, t, 1);
    arb_div(t, t, M, prec);
    double r = plstar_arb_upper_d(t);
    arb_clear(t);
    return r;
}

/* The outcome of one attempt: certified, or the failure and its numbers. */
static int attempt_done(gd_apriori_result *res, gd_apriori_failure f, int computed)
{
    res->failure = f, res->computed = computed;
    return f == APRIORI_OK;
}

/* Theorem 6 at one μ with global constants: fills radius, L_F, lr_max; returns
 * 1 when the ball certificate holds at the fixed-point radius. */
static int theorem6_at(gd_apriori_result *res, const arb_t L0, const arb_t A, const arb_t C, const arb_t r0,
                       double mu, slong prec)
{
    arb_t M, t, R;
    arb_init(M), arb_init(t), arb_init(R);
    arb_set_d(M, mu);
    res->mu = mu;
    res->ratio = fixed_point_ratio(C, r0, M, prec);
    arb_mul(t, C, r0, prec); /* μ − 2 c r0 > 0 is needed for the fixed point */
    arb_mul_2exp_si(t, t, 1);
    arb_sub(t, M, t, prec);
    int ok = 0;
    if (!arb_is_positive(t)) {
        ok = attempt_done(res, APRIORI_NO_FIXED_POINT, 0);
    } else {
        arb_mul(R, A, r0, prec);
        arb_mul_2exp_si(R, R, 1);
        arb_div(R, R, t, prec);
        res->radius = plstar_arb_upper_d(R) * (1 + 1e-9); /* slack, so R ≥ 2 L_F r0/μ is provable */
        arb_set_d(R, res->radius);
        arb_mul(res->lipschitz, C, R, prec); /* L_F = a + cR */
        arb_add(res->lipschitz, res->lipschitz, A, prec);
        arb_mul(t, res->lipschitz, r0, prec); /* R ≥ 2 L_F r0 / μ, rechecked */
        arb_mul_2exp_si(t, t, 1);
        arb_div(t, t, M, prec);
        arb_sub(t, R, t, prec);
        int radius_ok = arb_is_nonnegative(t);
        kernel_change(t, A, C, R, prec); /* λ0 − cR(2a + cR) − μ */
        arb_sub(t, L0, t, prec);
        arb_sub(t, t, M, prec);
        res->margin = plstar_arb_lower_d(t);
        step_bound(res->lr_max, res->lipschitz, C, r0, prec);
        ok = attempt_done(res, !radius_ok ? APRIORI_NO_FIXED_POINT : res->margin >= 0 ? APRIORI_OK : APRIORI_BALL,
                          radius_ok && res->margin >= 0);
    }
    arb_clear(M), arb_clear(t), arb_clear(R);
    return ok;
}

/* Theorem 6 at one μ with radius-dependent constants (MLP): the monotone
 * iteration R ← (1 + 10⁻⁶)·2 L_F(R) r0/μ from R = 2a r0/μ, stopped when
 * R ≥ 2 L_F(R) r0/μ is proven (then the ball certificate is checked at R), or
 * when λ0 − ΔK(R) ≥ μ fails (ΔK grows with R, so larger radii fail too). */
static int theorem6_radius_dependent(gd_apriori_result *res, const ball_constants *b, const arb_t L0, const arb_t A,
                                     const arb_t r0, double mu, slong prec)
{
    arb_t M, t, Rb, C, dk;
    arb_init(M), arb_init(t), arb_init(Rb), arb_init(C), arb_init(dk);
    arb_set_d(M, mu);
    arb_mul(t, A, r0, prec);
    arb_mul_2exp_si(t, t, 1);
    arb_div(t, t, M, prec);
    double R = plstar_arb_upper_d(t) * (1 + 1e-6);
    int radius_ok = 0, have = 0;
    res->mu = mu, res->margin = -INFINITY;
    for (int it = 0; it < 200 && isfinite(R); it++) {
        if (plstar_ball_constants_at(res->lipschitz, C, NULL, dk, b, R, prec) != PLSTAR_OK)
            break;
        have = 1;
        res->radius = R;
        res->ratio = fixed_point_ratio(C, r0, M, prec);
        arb_mul(t, res->lipschitz, r0, prec); /* 2 L_F(R) r0/μ */
        arb_mul_2exp_si(t, t, 1);
        arb_div(t, t, M, prec);
        arb_set_d(Rb, R);
        arb_sub(Rb, Rb, t, prec);
        radius_ok = arb_is_nonnegative(Rb);
        arb_sub(dk, L0, dk, prec); /* λ0 − ΔK(R) − μ */
        arb_sub(dk, dk, M, prec);
        res->margin = plstar_arb_lower_d(dk);
        if (radius_ok || res->margin < 0)
            break;
        R = plstar_arb_upper_d(t) * (1 + 1e-6);
    }
    if (have)
        step_bound(res->lr_max, res->lipschitz, C, r0, prec);
    int ok = attempt_done(res, !have || (!radius_ok && res->margin >= 0) ? APRIORI_NO_FIXED_POINT
                               : res->margin < 0                         ? APRIORI_BALL
                                                                         : APRIORI_OK,
                          have && radius_ok && res->margin >= 0);
    arb_clear(M), arb_clear(t), arb_clear(Rb), arb_clear(C), arb_clear(dk);
    return ok;
}

static int theorem6_any(gd_apriori_result *res, const ball_constants *b, const arb_t L0, const arb_t A, const arb_t C,
                        const arb_t r0, double mu, slong prec)
{
    return b->hess ? theorem6_radius_dependent(res, b, L0, A, r0, mu, prec) : theorem6_at(res, L0, A, C, r0, mu, prec);
}

/* The μ that maximises the certified rate ημ on a grid in (0, λ0), or, when
 * none certifies, the attempt that came closest (largest margin of the ball
 * inequality, else the μ nearest λ0, where the fixed point is likeliest). */
static double search_mu(gd_apriori_result *res, const ball_constants *b, const arb_t L0, const arb_t A, const arb_t C,
                        const arb_t r0, double lam, slong prec)
{
    int grid = b->hess ? 64 : 512; /* radius-dependent constants cost a recursion per radius */
    double best_mu = 0, best_score = 0, near_mu = lam * (grid - 1) / (double)grid, near_margin = -INFINITY;
    for (int k = 1; k < grid; k++) {
        double m = lam * k / (double)grid;
        if (theorem6_any(res, b, L0, A, C, r0, m, prec)) {
            double score = plstar_arb_lower_d(res->lr_max) * m;
            if (score > best_score)
                best_score = score, best_mu = m;
        } else if (res->failure == APRIORI_BALL && res->margin > near_margin) {
            near_margin = res->margin, near_mu = m;
        }
    }
    return best_mu > 0 ? best_mu : near_mu;
}

/* Theorem 6 with global constants and c scaled by s (doubles, a suggestion, not a
 * certificate): does some μ ∈ (0, λ0) have a fixed-point radius R with
 * λ0 − scR(2a + scR) ≥ μ? */
static int feasible_scaled(double s, double a, double c, double r0, double lam)
{
    double cs = s * c;
    for (int k = 1; k < 256; k++) {
        double mu = lam * k / 256.0, gap = mu - 2 * cs * r0;
        if (gap <= 0)
            continue;
        double R = 2 * a * r0 / gap;
        if (lam - cs * R * (2 * a + cs * R) >= mu)
            return 1;
    }
    return 0;
}

/* The factor by which the width would have to grow for Theorem 6 to hold when
 * c ∝ 1/√width (shallow; λ0, a, r0 held fixed): 1/s² for the largest feasible
 * scale s of c, by bisection on log s. */
static double width_factor_global(const ball_constants *b)
{
    double a = plstar_arb_upper_d(b->a), c = plstar_arb_upper_d(b->c), r0 = plstar_arb_upper_d(b->r0), lam = plstar_arb_lower_d(b->lambda0);
    if (!(c > 0) || !(lam > 0) || !feasible_scaled(1e-12, a, c, r0, lam))
        return NAN;
    double lo = log(1e-12), hi = 0; /* feasible at e^lo, not at e^hi */
    for (int k = 0; k < 60; k++) {
        double mid = 0.5 * (lo + hi);
        if (feasible_scaled(exp(mid), a, c, r0, lam))
            lo = mid;
        else
            hi = mid;
    }
    return exp(-2 * lo);
}

int plstar_check_gd_apriori(gd_apriori_result *res, const ball_constants *b, double mu, double lr, slong prec)
{
    if (!b->available || !b->have_labels) {
        attempt_done(res, !b->available ? APRIORI_NO_CONSTANTS : APRIORI_NO_LABELS, 0);
        return PLSTAR_INCONCLUSIVE;
    }
    double lam = plstar_arb_lower_d(b->lambda0);
    if (!(lam > 0)) {
        res->mu = mu;
        attempt_done(res, APRIORI_LAMBDA0, 0);
        return PLSTAR_INCONCLUSIVE;
    }
    arb_t L0, A, C, r0;
    arb_init(L0), arb_init(A), arb_init(C), arb_init(r0);
    lower_point(L0, b->lambda0), upper_point(A, b->a), upper_point(C, b->c), upper_point(r0, b->r0);
    if (mu <= 0)
        mu = search_mu(res, b, L0, A, C, r0, lam, prec);
    int verdict = PLSTAR_INCONCLUSIVE;
    if (theorem6_any(res, b, L0, A, C, r0, mu, prec)) { /* res holds the attempt at mu */
        double lr_max = plstar_arb_lower_d(res->lr_max);
        res->lr = lr > 0 ? lr : lr_max;
        if (res->lr <= lr_max) {
            arb_t t;
            arb_init(t);
            arb_t m;
            arb_init(m);
            arb_set_d(t, res->lr);
            arb_set_d(m, mu);
            arb_mul(t, t, m, prec);
            arb_clear(m);
            arb_sub_ui(t, t, 1, prec);
            arb_neg(t, t); /* 1 − ημ */
            res->rate = plstar_arb_upper_d(t);
            arb_clear(t);
            verdict = PLSTAR_OK;
        } else {
            attempt_done(res, APRIORI_LR, 1);
        }
    }
    res->width_factor = NAN;
    if (res->failure == APRIORI_NO_FIXED_POINT || res->failure == APRIORI_BALL) /* c ∝ 1/√m */
        res->width_factor = !b->hess ? width_factor_global(b)
                            : res->failure == APRIORI_NO_FIXED_POINT ? res->ratio * res->ratio
                                                                     : NAN;
    arb_clear(L0), arb_clear(A), arb_clear(C), arb_clear(r0);
    return verdict;
}

/* What would decide a failed fixed point or ball: the width, with the factor
 * when it could be computed. */
static void larger_width(char *decide, size_t dlen, const gd_apriori_result *res, size_t width)
{
    if (isfinite(res->width_factor) && res->width_factor > 1)
        snprintf(decide, dlen, "a larger width: c decreases like 1/sqrt(width), so about %.3g times the width, "
                               "about %.3g (if lambda_min(K(w0)), |DF(w0)| and |F(w0) - y| stay the same); or labels "
                               "nearer F(w0)", res->width_factor, res->width_factor * (double)width);
    else
        snprintf(decide, dlen, "a larger width (the Hessian bounds decay like 1/sqrt(width)) or labels nearer F(w0) "
                               "(R grows with |F(w0) - y|)");
}

/* Theorem 6's reason: inequality, sides, what would decide it. */
static void apriori_reason(const gd_apriori_result *res, const ball_constants *b, size_t width, char *ineq,
                           size_t ilen, char *decide, size_t dlen, json_t **lhs, json_t **rhs)
{
    *lhs = *rhs = NULL;
    switch (res->failure) {
    case APRIORI_OK:
        ineq[0] = decide[0] = '\0';
        break;
    case APRIORI_NO_CONSTANTS:
        snprintf(ineq, ilen, "%s", no_constants);
        snprintf(decide, dlen, "the a-posteriori path certificate (--path)");
        break;
    case APRIORI_NO_LABELS:
        snprintf(ineq, ilen, "Theorem 6 is about given labels");
        snprintf(decide, dlen, "--labels");
        break;
    case APRIORI_LAMBDA0:
        snprintf(ineq, ilen, "lambda_min(K(w0)) > 0 (Theorems 1-2 need 0 < mu < lambda_min(K(w0)))");
        *lhs = plstar_report_interval_arb(b->lambda0), *rhs = json_real(0.0);
        snprintf(decide, dlen, "a model with lambda_min(K(w0)) > 0 (over-parameterised: P >= N, a larger width), "
                               "or more precision (--prec)");
        break;
    case APRIORI_NO_FIXED_POINT:
        snprintf(ineq, ilen, "2 c |F(w0) - y| / mu < 1 at mu = %.6g (the path-length radius R = 2 L_F(R) |F(w0) - y| "
                             "/ mu with L_F(R) = a + cR has a solution only then)", res->mu);
        *lhs = plstar_report_upper(res->ratio), *rhs = json_real(1.0);
        larger_width(decide, dlen, res, width);
        break;
    case APRIORI_BALL:
        snprintf(ineq, ilen, "lambda_min(K(w0)) - sup_B |K(w) - K(w0)| >= mu on B(w0, R), R = %.6g, mu = %.6g (Theorem "
                             "2 at the path-length radius)", res->radius, res->mu);
        *lhs = isfinite(res->margin) ? plstar_report_lower(res->margin + res->mu) : plstar_report_absent("not bounded");
        *rhs = json_real(res->mu);
        if (!(res->mu < plstar_arb_lower_d(b->lambda0)))
            snprintf(decide, dlen, "a mu below lambda_min(K(w0)) >= %.6g (Theorem 2 needs mu < lambda0)",
                     plstar_arb_lower_d(b->lambda0));
        else
            larger_width(decide, dlen, res, width);
        break;
    case APRIORI_LR:
        snprintf(ineq, ilen, "lr <= 1/(L_F^2 + beta_F |F(w0) - y|) on B(w0, %.6g) (Theorem 6's step, Proposition 5)",
                 res->radius);
        *lhs = json_real(res->lr), *rhs = plstar_report_lower_arb(res->lr_max);
        snprintf(decide, dlen, "a step <= %.6g (the default)", plstar_arb_lower_d(res->lr_max));
        break;
    }
}

static void side_string(char *buf, size_t len, const json_t *s)
{
    const json_t *lo = json_object_get(s, "lower"), *hi = json_object_get(s, "upper");
    if (!s)
        snprintf(buf, len, "-");
    else if (json_is_number(s))
        snprintf(buf, len, "%.6g", json_number_value(s));
    else if (lo && hi)
        snprintf(buf, len, "[%.6g, %.6g]", json_number_value(lo), json_number_value(hi));
    else if (lo || hi)
        snprintf(buf, len, "%s %.6g", lo ? ">=" : "<=", json_number_value(lo ? lo : hi));
    else
        snprintf(buf, len, "%s", json_string_value(json_object_get(s, "reason")));
}

void plstar_gd_apriori_reason_text(char *buf, size_t len, const gd_apriori_result *res, const ball_constants *b,
                                   size_t width)
{
    char ineq[320], decide[320], l[96], r[96];
    json_t *lhs, *rhs;
    apriori_reason(res, b, width, ineq, sizeof ineq, decide, sizeof decide, &lhs, &rhs);
    side_string(l, sizeof l, lhs), side_string(r, sizeof r, rhs);
    if (res->failure == APRIORI_OK)
        snprintf(buf, len, "%s", "");
    else if (lhs)
        snprintf(buf, len, "%s fails: %s vs %s; would decide: %s", ineq, l, r, decide);
    else
        snprintf(buf, len, "%s; would decide: %s", ineq, decide);
    json_decref(lhs), json_decref(rhs);
}

json_t *plstar_gd_apriori_report(const gd_apriori_result *res, const ball_constants *b, const plstar_problem *p, int verdict)
{
    json_t *r = plstar_report_new("gd_apriori",
                                  "docs/theory.md §4, Theorem 6, for these labels: μ-PL* on B(w0, R) with R = 2 L_F ‖F(w0) − y‖/μ "
                                  "(certified via Theorems 1–2) implies a solution in the ball and L(w_t) ≤ (1 − ημ)^t L(w0) "
                                  "for η ≤ 1/(L_F² + β_F ‖F(w0) − y‖), β_F of Definition 2 (a Lipschitz constant of DF on "
                                  "the ball)");
    plstar_report_set_verdict(r, plstar_report_verdict_name(verdict, 0));
    plstar_report_set_scope(r, REPORT_SCOPE_THESE_LABELS);
    size_t width = plstar_model_width(&p->model);
    if (verdict != PLSTAR_OK) {
        char ineq[320], decide[320];
        json_t *lhs, *rhs;
        apriori_reason(res, b, width, ineq, sizeof ineq, decide, sizeof decide, &lhs, &rhs);
        plstar_report_set_reason(r, ineq, lhs, rhs, decide);
    }
    common_inputs(r, b, p);
    json_object_set_new(r, "width", json_integer((json_int_t)width));
    if (res->failure == APRIORI_NO_CONSTANTS || res->failure == APRIORI_NO_LABELS)
        return r;
    const char *why = "not computed: no certified ball at this mu (see reason)";
    json_object_set_new(r, "mu", res->mu > 0 ? json_real(res->mu) : plstar_report_absent("no mu tried (see reason)"));
    json_object_set_new(r, "radius", res->computed ? json_real(res->radius) : plstar_report_absent(why));
    json_object_set_new(r, "lr", verdict == PLSTAR_OK ? json_real(res->lr) : plstar_report_absent("not certified"));
    json_object_set_new(r, "rate", verdict == PLSTAR_OK ? plstar_report_upper(res->rate) : plstar_report_absent("not certified"));
    json_t *q = json_object_get(r, "quantities");
    json_object_set_new(q, "lipschitz_F", res->computed ? plstar_report_upper_arb(res->lipschitz) : plstar_report_absent(why));
    json_object_set_new(q, "lr_max", res->computed ? plstar_report_lower_arb(res->lr_max) : plstar_report_absent(why));
    if (res->computed)
        radius_constants(r, b, res->radius, b->prec);
    return r;
}

/* ---- Theorem 6 a priori in a run's loss convention; the width search ---- */

/* plstar_check_gd_apriori_loss on constants already computed, for N equations. */
static int gd_apriori_loss_at(const ball_constants *b, gd_apriori_result *res, size_t N, double mu, double lr,
                              plstar_loss loss, slong prec)
{
    return plstar_check_gd_apriori(res, b, mu > 0 ? plstar_loss_div_scale(loss, N, mu, LOSS_UP) : 0,
                                   lr > 0 ? plstar_loss_mul_scale(loss, N, lr, LOSS_UP) : 0, prec);
}

int plstar_check_gd_apriori_loss(ball_constants *b, gd_apriori_result *res, const plstar_problem *p, double mu, double lr,
                                 plstar_loss loss, slong prec)
{
    int st = plstar_ball_constants_compute(b, p, prec);
    return st ? st : gd_apriori_loss_at(b, res, p->N, mu, lr, loss, prec);
}

gd_apriori_numbers plstar_gd_apriori_in_loss(const gd_apriori_result *res, double mu, double lr, plstar_loss loss, size_t N,
                                             int verdict, slong prec)
{
    gd_apriori_numbers u = {.mu = mu > 0 ? mu : plstar_loss_mul_scale(loss, N, res->mu, LOSS_DOWN),
                            .lr = lr > 0 ? lr : plstar_loss_div_scale(loss, N, res->lr, LOSS_DOWN),
                            .lr_max = plstar_loss_div_scale(loss, N, plstar_arb_lower_d(res->lr_max), LOSS_DOWN), .rate = res->rate};
    if (verdict == PLSTAR_OK && loss != LOSS_SUM) {
        arb_t t, m;
        arb_init(t), arb_init(m);
        arb_set_d(t, u.lr), arb_set_d(m, u.mu);
        arb_mul(t, t, m, prec);
        arb_sub_ui(t, t, 1, prec);
        arb_neg(t, t); /* 1 − ημ */
        u.rate = plstar_arb_upper_d(t);
        arb_clear(t), arb_clear(m);
    }
    return u;
}

json_t *plstar_gd_apriori_loss_report(const gd_apriori_result *res, const ball_constants *b, const plstar_problem *p,
                                      int verdict, double mu, double lr, plstar_loss loss, slong prec)
{
    json_t *r = plstar_gd_apriori_report(res, b, p, verdict);
    size_t N = p->N;
    int certified = verdict == PLSTAR_OK;
    json_object_set_new(r, "loss", plstar_loss_report(loss, N));
    if (loss == LOSS_SUM || !json_object_get(r, "mu"))
        return r;
    gd_apriori_numbers u = plstar_gd_apriori_in_loss(res, mu, lr, loss, N, verdict, prec);
    json_object_set_new(r, "note_convention", json_string("mu, lr, rate and quantities.lr_max are in the loss's "
                        "convention; mu_half_sum, lr_half_sum, the reason and every other number are those of "
                        "(1/2)||F - y||^2, on which the check decides"));
    if (res->mu > 0) {
        json_object_set_new(r, "mu", json_real(u.mu));
        json_object_set_new(r, "mu_half_sum", json_real(res->mu));
    }
    if (certified) {
        json_object_set_new(r, "lr", json_real(u.lr));
        json_object_set_new(r, "lr_half_sum", json_real(res->lr));
        json_object_set_new(r, "rate", plstar_report_upper(u.rate));
    }
    if (res->computed)
        json_object_set_new(json_object_get(r, "quantities"), "lr_max", plstar_report_lower(u.lr_max));
    return r;
}

/* plstar_check_gd_apriori_loss on the shallow network of `width` (weights from seed), p's data and
 * labels: 1 when it certifies. b and res start afresh. */
static int certifies_at_width(ball_constants *b, gd_apriori_result *res, const plstar_problem *p, size_t width,
                              unsigned long seed, double mu, double lr, plstar_loss loss, slong prec)
{
    plstar_ball_constants_clear(b), plstar_ball_constants_init(b);
    plstar_gd_apriori_result_clear(res), plstar_gd_apriori_result_init(res);
    char json[256];
    snprintf(json, sizeof json, "{\"model\":\"shallow\",\"input_dim\":%zu,\"width\":%zu,\"activation\":\"%s\"}",
             p->model.input_dim, width, plstar_act_name(p->model.activation));
    plstar_problem q;
    plstar_model m;
    plstar_problem_init(&q), plstar_model_init(&m);
    double *w = NULL;
    int certified = 0;
    if (!plstar_model_parse_json(&m, json, "width search") && (w = malloc(m.nparams * sizeof(double)))) {
        plstar_model_init_weights(w, &m, seed);
        certified = !plstar_problem_set(&q, &m, p->X.data, p->n, w, p->y.data) &&
                    plstar_check_gd_apriori_loss(b, res, &q, mu, lr, loss, prec) == PLSTAR_OK;
    }
    free(w), plstar_problem_clear(&q), plstar_model_clear(&m);
    return certified;
}

size_t plstar_gd_apriori_smallest_width(ball_constants *b, gd_apriori_result *res, const plstar_problem *p,
                                        unsigned long seed, double mu, double lr, plstar_loss loss, slong prec)
{
    size_t m_max = p->model.layers[0].out;
    for (double m = 16; (size_t)m <= m_max; m *= M_SQRT2)
        if (certifies_at_width(b, res, p, (size_t)m, seed, mu, lr, loss, prec))
            return (size_t)m;
    return 0;
}

void plstar_gd_apriori_report_width(json_t *report, size_t width)
{
    json_object_set_new(report, "smallest_certified_width",
                        width ? json_integer((json_int_t)width) : plstar_report_absent("no width of the grid certifies"));
}

/* ---- what `plstar certify ball` and `certify gd --apriori` print; the checks in the registry ---- */

static const char *verdict_word(int verdict) { return plstar_report_verdict_name(verdict, 0); }

void plstar_ball_print(const ball_result *res, const ball_constants *b, int verdict)
{
    printf("lambda_min(K(w0)) in [%.17g, %.17g]\n", plstar_arb_lower_d(b->lambda0), plstar_arb_upper_d(b->lambda0));
    if (b->available) {
        printf("on B(w0, %g): |K(w) - K(w0)| <= %.6g, lambda_min(K(w)) >= %.6g; ", res->radius,
               plstar_arb_upper_d(res->kernel_change), plstar_arb_lower_d(res->lambda_lower));
        if (res->radius_max > 0)
            printf("largest R for mu = %g: %.6g\n", res->mu, res->radius_max);
        else
            printf("no R > 0 is certified for mu = %g\n", res->mu);
    }
    char why[768];
    plstar_ball_reason_text(why, sizeof why, res, b, verdict);
    printf("certify ball (all labels): %s%s%s\n", verdict_word(verdict), *why ? ": " : "", why);
}

void plstar_gd_apriori_print(const gd_apriori_result *res, const ball_constants *b, size_t width, size_t N, double mu,
                             double lr, plstar_loss loss, int verdict, slong prec)
{
    if (verdict == PLSTAR_OK) {
        gd_apriori_numbers u = plstar_gd_apriori_in_loss(res, mu, lr, loss, N, verdict, prec);
        printf("width %zu: certified  mu = %.6g  R = %.6g  L_F <= %.6g  beta_F <= %.6g  lr = %.6g  rate <= %.12g  "
               "(lambda0 >= %.6g, %.2f s)%s\n", width, u.mu, res->radius, plstar_arb_upper_d(res->lipschitz),
               plstar_arb_upper_d(b->c), u.lr, u.rate, plstar_arb_lower_d(b->lambda0), b->seconds,
               loss == LOSS_MEAN ? "  [mu, lr: mean loss]" : "");
        return;
    }
    char why[1024];
    plstar_gd_apriori_reason_text(why, sizeof why, res, b, width);
    printf("width %zu: %s: %s  (lambda0 >= %.6g, %.2f s)%s\n", width, verdict_word(verdict), why,
           plstar_arb_lower_d(b->lambda0), b->seconds,
           loss == LOSS_MEAN ? "  [stated for (1/2)|F - y|^2: mu there is mu/s, lr is s*lr, s = 2/N]" : "");
}

/* The constants at w0 a check decides from: the options' when given, else its own, computed here. */
static int constants_for(const ball_constants **b, ball_constants *own, const plstar_problem *p,
                         const plstar_check_options *o)
{
    *b = o->constants ? o->constants : own;
    return o->constants ? PLSTAR_OK : plstar_ball_constants_compute(own, p, o->prec);
}

/* certify ball: Theorem 2 on B(w0, --radius) for --mu. */
typedef struct {
    ball_constants own;
    const ball_constants *b;
    ball_result res;
} ball_outcome;

static void ball_free(void *result)
{
    ball_outcome *r = result;
    plstar_ball_result_clear(&r->res);
    plstar_ball_constants_clear(&r->own);
    free(r);
}

static int ball_run(void **result, const plstar_problem *p, const plstar_check_options *o)
{
    ball_outcome *r = malloc(sizeof *r);
    if (!r)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    plstar_ball_constants_init(&r->own);
    plstar_ball_result_init(&r->res);
    int st = constants_for(&r->b, &r->own, p, o);
    if (st) {
        ball_free(r);
        return st;
    }
    *result = r;
    return plstar_check_ball(&r->res, r->b, o->radius, o->mu, o->prec);
}

static void ball_check_print(const void *result, const plstar_problem *p, const plstar_check_options *o, int verdict)
{
    const ball_outcome *r = result;
    plstar_ball_print(&r->res, r->b, verdict);
}

static void ball_summarize(const void *result, const plstar_problem *p, const plstar_check_options *o,
                           const char *model, int verdict)
{
    const ball_outcome *r = result;
    printf("Theorem 2 (every label vector), %s: mu = %.6g <= lambda_min(K(w)) on B(w0, %.6g): %s\n", model, r->res.mu,
           r->res.radius, verdict_word(verdict));
}

static json_t *ball_check_report(const void *result, const plstar_problem *p, const plstar_check_options *o,
                                 int verdict)
{
    const ball_outcome *r = result;
    return plstar_ball_report(&r->res, r->b, p, verdict);
}

static const char ball_help[] =
    "usage: plstar certify ball MODEL --radius R --mu MU [--labels Y.npy] [--prec BITS] [--json FILE]\n"
    "Theorem 2 (docs/theory.md, section 3): lambda_min(K(w)) >= lambda0 - |K(w) - K(w0)|_2 >= mu for\n"
    "every w in B(w0, R) and every label vector, from a-priori Hessian constants (linear; shallow and\n"
    "MLP with C2 activations). Reports the largest R for this mu and the largest mu for this R.\n"
    "  --radius R           R > 0, the radius of the ball (required)\n"
    "  --mu MU              mu > 0 (required)\n"
    "  --labels Y.npy       optional: only the residual |F(w0) - y| is reported (default: none)\n"
    PREC_HELP ROUTE_HELP("auto") REPORT_HELP MODEL_HELP
    "Progress goes to stderr when it is a terminal.\n" EXIT_HELP;

static const plstar_certify_command ball_command = {
    .word = "ball",
    .summary = "Theorem 2: lambda_min(K(w)) >= mu for every w in B(w0, R)",
    .help = ball_help,
    .scope = "the ball certificate (Theorem 2)",
};

const plstar_check plstar_check_desc_ball = {
    .id = "ball",
    .name = "ball",
    .command = &ball_command,
    .statement = "lambda_min(K(w)) >= mu for every w in B(w0, R) and every label vector, from constants at w0 "
                 "(Theorem 2)",
    .section = "docs/theory.md, section 3",
    .accepts = CHECK_OPTION(CHECK_OPT_PREC) | CHECK_OPTION(CHECK_OPT_JSON) | CHECK_OPTION(CHECK_OPT_MU) |
               CHECK_OPTION(CHECK_OPT_RADIUS) | CHECK_OPTION(CHECK_OPT_KERNEL_ROUTE),
    .requires = CHECK_OPTION(CHECK_OPT_RADIUS) | CHECK_OPTION(CHECK_OPT_MU),
    .requirement = "needs --radius R and --mu MU (the ball B(w0, R) and the bound lambda_min >= MU)",
    .uses_constants = 1,
    .estimate = plstar_check_estimate_kernel,
    .run = ball_run,
    .print = ball_check_print,
    .summarize = ball_summarize,
    .report = ball_check_report,
    .free = ball_free,
};

/* certify gd --apriori: Theorem 6 from the constants at w0, in the options' loss convention, and with
 * --search-width the smallest certified width of the grid. */
typedef struct {
    ball_constants own;
    const ball_constants *b;
    gd_apriori_result res;
    int searched;
    size_t found;               /* the smallest certified width; 0: none */
    ball_constants found_b;     /* the constants and the check at that width */
    gd_apriori_result found_res;
} apriori_outcome;

static void apriori_free(void *result)
{
    apriori_outcome *r = result;
    plstar_gd_apriori_result_clear(&r->res), plstar_gd_apriori_result_clear(&r->found_res);
    plstar_ball_constants_clear(&r->own), plstar_ball_constants_clear(&r->found_b);
    free(r);
}

static int apriori_run(void **result, const plstar_problem *p, const plstar_check_options *o)
{
    apriori_outcome *r = calloc(1, sizeof *r);
    if (!r)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    plstar_ball_constants_init(&r->own), plstar_ball_constants_init(&r->found_b);
    plstar_gd_apriori_result_init(&r->res), plstar_gd_apriori_result_init(&r->found_res);
    int v = constants_for(&r->b, &r->own, p, o);
    if (!v)
        v = gd_apriori_loss_at(r->b, &r->res, p->N, o->mu, o->lr, o->loss, o->prec);
    if (v > PLSTAR_INCONCLUSIVE) {
        apriori_free(r);
        return v;
    }
    r->searched = !!(o->given & CHECK_OPTION(CHECK_OPT_SEARCH_WIDTH));
    if (r->searched)
        r->found = plstar_gd_apriori_smallest_width(&r->found_b, &r->found_res, p, o->seed, o->mu, o->lr, o->loss, o->prec);
    *result = r;
    return v;
}

static const char *apriori_refuse(const plstar_problem *p, const plstar_check_options *o)
{
    int search = !!(o->given & CHECK_OPTION(CHECK_OPT_SEARCH_WIDTH));
    return search && (p->model.kind != MODEL_SHALLOW || !o->have_seed)
               ? "--search-width needs a shallow model and --seed S (the weights of each width come from the seed)"
               : NULL;
}

static void apriori_print(const void *result, const plstar_problem *p, const plstar_check_options *o, int verdict)
{
    const apriori_outcome *r = result;
    plstar_gd_apriori_print(&r->res, r->b, plstar_model_width(&p->model), p->N, o->mu, o->lr, o->loss, verdict, o->prec);
    if (r->searched) { /* the shallow networks of the grid have p's samples and outputs, so p->N */
        if (r->found)
            plstar_gd_apriori_print(&r->found_res, &r->found_b, r->found, p->N, o->mu, o->lr, o->loss, PLSTAR_OK, o->prec);
        printf("smallest certified width on the grid 16·√2^k (seed %lu): %s%zu\n", o->seed, r->found ? "" : "none ≤ ",
               r->found ? r->found : p->model.layers[0].out);
    }
    printf("certify gd --apriori: %s\n", verdict_word(verdict));
}

static void apriori_summarize(const void *result, const plstar_problem *p, const plstar_check_options *o,
                              const char *model, int verdict)
{
    const apriori_outcome *r = result;
    const gd_apriori_result *g = &r->res;
    if (verdict == PLSTAR_OK) {
        printf("Theorem 6 a priori (these labels), %s: mu = %.6g, R = %.6g, lr = %.6g, L(w_t) <= %.12g^t L(w0): %s\n",
               model, g->mu, g->radius, g->lr, g->rate, verdict_word(verdict));
        return;
    }
    char why[1024]; /* no radius, step or rate was certified: say why, not zeros */
    plstar_gd_apriori_reason_text(why, sizeof why, g, r->b, plstar_model_width(&p->model));
    printf("Theorem 6 a priori (these labels), %s: mu = %.6g: %s: %s\n", model, g->mu, verdict_word(verdict), why);
}

static json_t *apriori_report(const void *result, const plstar_problem *p, const plstar_check_options *o, int verdict)
{
    const apriori_outcome *r = result;
    json_t *report = plstar_gd_apriori_loss_report(&r->res, r->b, p, verdict, o->mu, o->lr, o->loss, o->prec);
    if (r->searched)
        plstar_gd_apriori_report_width(report, r->found);
    return report;
}

const plstar_check plstar_check_desc_gd_apriori = {
    .id = "gd_apriori",
    .name = "gd --apriori",
    .command = &plstar_certify_gd,
    .mode = CHECK_OPTION(CHECK_OPT_APRIORI),
    .mode_brief = "Theorem 6 from constants at w0",
    .statement = "mu-PL* on B(w0, R), R = 2 L_F |F(w0) - y| / mu, gives L(w_t) <= (1 - ETA mu)^t L(w0) for the "
                 "labels given, from constants at w0 (Theorem 6 a priori)",
    .section = "docs/theory.md, section 4",
    .accepts = CHECK_OPTION(CHECK_OPT_PREC) | CHECK_OPTION(CHECK_OPT_JSON) | CHECK_OPTION(CHECK_OPT_MU) |
               CHECK_OPTION(CHECK_OPT_LR) | CHECK_OPTION(CHECK_OPT_APRIORI) | CHECK_OPTION(CHECK_OPT_SEARCH_WIDTH) |
               CHECK_OPTION(CHECK_OPT_KERNEL_ROUTE) | CHECK_OPTION(CHECK_OPT_LOSS),
    .requires = CHECK_OPTION(CHECK_OPT_LABELS),
    .requirement = "needs --labels Y.npy (Theorem 6 is about given labels)",
    .uses_constants = 1,
    .refuse = apriori_refuse,
    .estimate = plstar_check_estimate_kernel,
    .run = apriori_run,
    .print = apriori_print,
    .summarize = apriori_summarize,
    .report = apriori_report,
    .free = apriori_free,
};

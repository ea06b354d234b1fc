#include "proofs-checks/ball.h"
#include "core/error.h"
#include "core/report.h"
#include "reference/eig.h"
#include "reference/network.h"
#include "reference/shallow.h"

#include <math.h>
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

void ball_constants_init(ball_constants *b)
{
    memset(b, 0, sizeof *b);
    arb_init(b->lambda0), arb_init(b->lambda_max0), arb_init(b->a), arb_init(b->c);
    arb_init(b->beta), arb_init(b->r0), arb_init(b->loss0);
}

void ball_constants_clear(ball_constants *b)
{
    arb_clear(b->lambda0), arb_clear(b->lambda_max0), arb_clear(b->a), arb_clear(b->c);
    arb_clear(b->beta), arb_clear(b->r0), arb_clear(b->loss0);
    if (b->hess) {
        ref_hessian_ctx_clear(b->hess);
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
    int st = ref_eig_bounds(lmin, gram_max, G, prec);
    arb_mat_clear(G);
    arb_clear(t), arb_clear(u), arb_clear(lmin);
    return st;
}

/* c and β_F for the models that have them (see the header). */
static int smoothness_constants(ball_constants *b, const plstar_problem *p, slong prec)
{
    const plstar_model *m = &p->model;
    if (m->kind == MODEL_LINEAR) {
        arb_zero(b->c), arb_zero(b->beta);
        b->available = 1;
        return PLSTAR_OK;
    }
    if (m->kind == MODEL_MLP && model_twice_differentiable(m)) {
        /* radius-dependent constants (reference/hessian.h); c, beta: the values at R = 0 */
        b->hess = malloc(sizeof *b->hess);
        if (!b->hess)
            return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the MLP ball constants");
        ref_hessian_ctx_init(b->hess);
        int st = ref_hessian_ctx_set(b->hess, m, p->X.data, p->n, p->w, prec);
        if (!st) {
            b->available = 1;
            st = ball_constants_at(NULL, b->c, b->beta, NULL, b, 0.0, prec);
        }
        if (st) {
            ref_hessian_ctx_clear(b->hess);
            free(b->hess);
            b->hess = NULL;
            b->available = 0;
        }
        return st;
    }
    if (m->kind != MODEL_SHALLOW || !act_twice_differentiable(m->activation)) {
        b->available = 0;
        return PLSTAR_OK;
    }
    arb_t xmax, gmax, s2, t;
    arb_init(xmax), arb_init(gmax), arb_init(s2), arb_init(t);
    int st = data_norms(xmax, gmax, p, prec);
    if (!st) {
        arb_set_d(s2, act_sup_d2(m->activation)); /* certified, rounded up */
        arb_rsqrt_ui(t, m->layers[0].out, prec);
        arb_mul(s2, s2, t, prec); /* s₂/√m */
        arb_sqrtpos(t, gmax, prec);
        arb_mul(b->c, s2, xmax, prec);
        arb_mul(b->c, b->c, t, prec);
        arb_mul(b->beta, s2, xmax, prec);
        arb_mul(b->beta, b->beta, xmax, prec);
        b->available = 1;
    }
    arb_clear(xmax), arb_clear(gmax), arb_clear(s2), arb_clear(t);
    return st;
}

int ball_constants_compute(ball_constants *b, const plstar_problem *p, slong prec)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t N = p->N;
    arb_mat_t K, F;
    arb_mat_init(K, (slong)N, (slong)N), arb_mat_init(F, (slong)N, 1);
    int st = ref_kernel_outputs_route(K, F, &p->model, p->X.data, p->n, p->w, prec, BALL_KERNEL_ROUTE);
    if (!st)
        st = ref_eig_bounds(b->lambda0, b->lambda_max0, K, prec);
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

void ball_result_init(ball_result *r)
{
    memset(r, 0, sizeof *r);
    arb_init(r->lambda_lower), arb_init(r->kernel_change);
}

void ball_result_clear(ball_result *r) { arb_clear(r->lambda_lower), arb_clear(r->kernel_change); }

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

int ball_constants_at(arb_t lipschitz, arb_t c, arb_t beta, arb_t dk, const ball_constants *b,
                      double radius, slong prec)
{
    if (!b->available)
        return PLSTAR_INCONCLUSIVE;
    if (b->hess) {
        ref_hessian_bounds hb;
        ref_hessian_bounds_init(&hb);
        int st = ref_hessian_bounds_compute(&hb, b->hess, radius, b->a, prec);
        if (!st) {
            if (lipschitz)
                arb_set(lipschitz, hb.lipschitz);
            if (c)
                arb_set(c, hb.jac_lipschitz);
            if (beta)
                arb_set(beta, hb.beta);
            if (dk)
                arb_set(dk, hb.kernel_change);
        }
        ref_hessian_bounds_clear(&hb);
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
    if (beta)
        arb_set(beta, b->beta);
    arb_clear(A), arb_clear(C), arb_clear(R);
    return PLSTAR_OK;
}

/* Radius-dependent constants (MLP): λ0 − ΔK(R) ≥ μ, proven? */
static int ball_holds_at(const arb_t L0, const ball_constants *b, double radius, const arb_t mu, slong prec)
{
    arb_t dk;
    arb_init(dk);
    int ok = 0;
    if (ball_constants_at(NULL, NULL, NULL, dk, b, radius, prec) == PLSTAR_OK) {
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
    while (ball_holds_at(L0, b, hi, mu, prec)) {
        lo = hi, hi *= 2;
        if (++k > 80)
            return lo;
    }
    for (k = 0; k < 48 && hi - lo > 1e-12 * hi; k++) {
        double mid = 0.5 * (lo + hi);
        if (ball_holds_at(L0, b, mid, mu, prec))
            lo = mid;
        else
            hi = mid;
    }
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
    double r = arb_lower_d(t);
    arb_clear(t);
    for (int k = 0; k < 8 && r > 0 && !ball_holds(L0, A, C, r, mu, prec); k++)
        r *= 1 - 1e-9;
    return r > 0 && ball_holds(L0, A, C, r, mu, prec) ? r : 0.0;
}

int check_ball(ball_result *res, const ball_constants *b, double radius, double mu, slong prec)
{
    res->mu = mu, res->radius = radius;
    if (!b->available)
        return PLSTAR_INCONCLUSIVE;
    if (b->hess) { /* MLP: ΔK(R) from reference/hessian.h */
        arb_t L0, M, t;
        arb_init(L0), arb_init(M), arb_init(t);
        lower_point(L0, b->lambda0);
        arb_set_d(M, mu);
        int st = ball_constants_at(NULL, NULL, NULL, res->kernel_change, b, radius, prec);
        if (st) /* nothing proven about the change: the report must not show λ0 */
            arb_pos_inf(res->kernel_change);
        arb_sub(res->lambda_lower, L0, res->kernel_change, prec);
        res->radius_max = radius_max_at(L0, b, M, prec);
        res->mu_max = arb_lower_d(res->lambda_lower);
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
    res->mu_max = arb_lower_d(res->lambda_lower);
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

/* MLP: the constants on B(w0, radius), which depend on the radius. */
static void radius_constants(json_t *r, const ball_constants *b, double radius, slong prec)
{
    if (!b->hess || !(radius >= 0) || !isfinite(radius))
        return;
    arb_t L, c, beta;
    arb_init(L), arb_init(c), arb_init(beta);
    if (ball_constants_at(L, c, beta, NULL, b, radius, prec) == PLSTAR_OK) {
        json_t *q = json_object_get(r, "quantities");
        json_object_set_new(q, "lipschitz_F_on_ball", report_interval(0.0, arb_upper_d(L)));
        json_object_set_new(q, "jacobian_lipschitz", report_interval(0.0, arb_upper_d(c)));
        json_object_set_new(q, "beta_F", report_interval(0.0, arb_upper_d(beta)));
        json_object_set_new(r, "constants", json_string("radius-dependent: layer-by-layer bounds on B(w0, R), "
                                                        "reference/hessian.h (docs/hessian.md)"));
    }
    arb_clear(L), arb_clear(c), arb_clear(beta);
}

static void common_inputs(json_t *r, const ball_constants *b, const plstar_problem *p)
{
    report_add_problem(r, p);
    json_object_set_new(json_object_get(r, "inputs"), "kernel_route",
                        json_string(ref_kernel_route_used(&p->model, p->n, BALL_KERNEL_ROUTE)));
    json_t *q = json_object_get(r, "quantities");
    json_object_set_new(q, "lambda_min_w0", report_interval_arb(b->lambda0));
    json_object_set_new(q, "lambda_max_w0", report_interval_arb(b->lambda_max0));
    json_object_set_new(q, "jacobian_norm_w0", report_interval_arb(b->a));
    if (b->available && !b->hess) {
        json_object_set_new(q, "jacobian_lipschitz", report_interval_arb(b->c));
        json_object_set_new(q, "beta_F", report_interval_arb(b->beta));
    }
    if (b->hess) /* the at-a-point bound, ≥ max_r ‖H_{F_r}(w0)‖₂ */
        json_object_set_new(q, "beta_F_w0", report_interval(0.0, arb_upper_d(b->beta)));
    if (b->have_labels) {
        json_object_set_new(q, "residual_w0", report_interval_arb(b->r0));
        json_object_set_new(q, "loss_initial", report_interval_arb(b->loss0));
    }
    json_object_set_new(r, "seconds_constants", json_real(b->seconds));
}

json_t *ball_report(const ball_result *res, const ball_constants *b, const plstar_problem *p, int verdict)
{
    json_t *r = report_new("ball", "THEORY.md §3, Theorem 2 (conclusion): λ_min(K(w)) ≥ λ0 − ‖K(w) − K(w0)‖₂ ≥ μ "
                                   "on B(w0, R), with ‖K(w) − K(w0)‖₂ ≤ cR(2‖DF(w0)‖₂ + cR)");
    report_set_verdict(r, report_verdict_name(verdict, 0));
    common_inputs(r, b, p);
    json_object_set_new(r, "mu", json_real(res->mu));
    json_object_set_new(r, "radius", json_real(res->radius));
    if (!b->available) {
        json_object_set_new(r, "reason", json_string("no a-priori Hessian constants for this model "
                                                     "(implemented: linear; shallow and MLP with C² activations)"));
        return r;
    }
    radius_constants(r, b, res->radius, PLSTAR_DEFAULT_PREC);
    json_t *q = json_object_get(r, "quantities");
    json_object_set_new(q, "kernel_change", report_interval(0.0, arb_upper_d(res->kernel_change)));
    json_object_set_new(q, "lambda_min_on_ball", report_interval(arb_lower_d(res->lambda_lower), INFINITY));
    json_object_set_new(r, "radius_max_for_mu", isfinite(res->radius_max) ? json_real(res->radius_max) : json_null());
    json_object_set_new(r, "mu_max_for_radius", json_real(res->mu_max));
    return r;
}

void gd_apriori_result_init(gd_apriori_result *r)
{
    memset(r, 0, sizeof *r);
    arb_init(r->lipschitz), arb_init(r->lr_max);
}

void gd_apriori_result_clear(gd_apriori_result *r) { arb_clear(r->lipschitz), arb_clear(r->lr_max); }

/* Theorem 6 at one μ: fills radius, L_F, lr_max; returns 1 when the ball
 * certificate holds at the fixed-point radius. */
static int theorem6_at(gd_apriori_result *res, const arb_t L0, const arb_t A, const arb_t C, const arb_t B,
                       const arb_t r0, double mu, slong prec)
{
    arb_t M, t, R;
    arb_init(M), arb_init(t), arb_init(R);
    arb_set_d(M, mu);
    int ok = 0;
    arb_mul(t, C, r0, prec); /* μ − 2 c r0 > 0 is needed for the fixed point */
    arb_mul_2exp_si(t, t, 1);
    arb_sub(t, M, t, prec);
    if (arb_is_positive(t)) {
        arb_mul(R, A, r0, prec);
        arb_mul_2exp_si(R, R, 1);
        arb_div(R, R, t, prec);
        res->radius = arb_upper_d(R) * (1 + 1e-9); /* slack, so R ≥ 2 L_F r0/μ is provable */
        arb_set_d(R, res->radius);
        arb_mul(res->lipschitz, C, R, prec); /* L_F = a + cR */
        arb_add(res->lipschitz, res->lipschitz, A, prec);
        arb_mul(t, res->lipschitz, r0, prec); /* R ≥ 2 L_F r0 / μ, rechecked */
        arb_mul_2exp_si(t, t, 1);
        arb_div(t, t, M, prec);
        arb_sub(t, R, t, prec);
        ok = arb_is_nonnegative(t) && ball_holds(L0, A, C, res->radius, M, prec);
        arb_mul(t, res->lipschitz, res->lipschitz, prec);
        arb_addmul(t, B, r0, prec);
        arb_inv(res->lr_max, t, prec);
    }
    res->mu = mu;
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
    arb_t M, t, Rb, B, dk;
    arb_init(M), arb_init(t), arb_init(Rb), arb_init(B), arb_init(dk);
    arb_set_d(M, mu);
    arb_mul(t, A, r0, prec);
    arb_mul_2exp_si(t, t, 1);
    arb_div(t, t, M, prec);
    double R = arb_upper_d(t) * (1 + 1e-6);
    int ok = 0, have = 0;
    for (int it = 0; it < 200 && isfinite(R); it++) {
        if (ball_constants_at(res->lipschitz, NULL, B, dk, b, R, prec) != PLSTAR_OK)
            break;
        have = 1;
        arb_mul(t, res->lipschitz, r0, prec); /* 2 L_F(R) r0/μ */
        arb_mul_2exp_si(t, t, 1);
        arb_div(t, t, M, prec);
        arb_set_d(Rb, R);
        arb_sub(Rb, Rb, t, prec);
        int radius_ok = arb_is_nonnegative(Rb);
        arb_sub(dk, L0, dk, prec); /* λ0 − ΔK(R) − μ */
        arb_sub(dk, dk, M, prec);
        int ball_ok = arb_is_nonnegative(dk);
        if (radius_ok || !ball_ok) {
            ok = radius_ok && ball_ok;
            break;
        }
        R = arb_upper_d(t) * (1 + 1e-6);
    }
    res->radius = R;
    res->mu = mu;
    if (have) {
        arb_mul(t, res->lipschitz, res->lipschitz, prec);
        arb_addmul(t, B, r0, prec);
        arb_inv(res->lr_max, t, prec);
    }
    arb_clear(M), arb_clear(t), arb_clear(Rb), arb_clear(B), arb_clear(dk);
    return ok;
}

static int theorem6_any(gd_apriori_result *res, const ball_constants *b, const arb_t L0, const arb_t A, const arb_t C,
                        const arb_t B, const arb_t r0, double mu, slong prec)
{
    return b->hess ? theorem6_radius_dependent(res, b, L0, A, r0, mu, prec)
                   : theorem6_at(res, L0, A, C, B, r0, mu, prec);
}

int check_gd_apriori(gd_apriori_result *res, const ball_constants *b, double mu, double lr, slong prec)
{
    if (!b->available || !b->have_labels)
        return PLSTAR_INCONCLUSIVE;
    arb_t L0, A, C, B, r0;
    arb_init(L0), arb_init(A), arb_init(C), arb_init(B), arb_init(r0);
    lower_point(L0, b->lambda0), upper_point(A, b->a), upper_point(C, b->c);
    upper_point(B, b->beta), upper_point(r0, b->r0);
    double best_mu = 0, best_score = 0, lam = arb_lower_d(b->lambda0);
    int grid = b->hess ? 64 : 512; /* radius-dependent constants cost a recursion per radius */
    int holds; /* and res holds the attempt at best_mu (or at the given mu) */
    if (mu > 0) {
        holds = theorem6_any(res, b, L0, A, C, B, r0, mu, prec);
        best_mu = mu;
    } else { /* the μ that maximises the certified rate ημ; res is then redone at it */
        for (int k = 1; k < grid && lam > 0; k++) {
            double m = lam * k / (double)grid;
            if (theorem6_any(res, b, L0, A, C, B, r0, m, prec) && arb_lower_d(res->lr_max) * m > best_score)
                best_score = arb_lower_d(res->lr_max) * m, best_mu = m;
        }
        holds = best_mu > 0 && theorem6_any(res, b, L0, A, C, B, r0, best_mu, prec);
    }
    int verdict = PLSTAR_INCONCLUSIVE;
    if (holds) {
        double lr_max = arb_lower_d(res->lr_max);
        res->lr = lr > 0 ? lr : lr_max;
        if (res->lr <= lr_max) {
            arb_t t;
            arb_init(t);
            arb_t mu_b;
            arb_init(mu_b);
            arb_set_d(mu_b, best_mu);
            arb_set_d(t, res->lr);
            arb_mul(t, t, mu_b, prec);
            arb_sub_ui(t, t, 1, prec);
            arb_neg(t, t); /* 1 − ημ */
            arb_clear(mu_b);
            res->rate = arb_upper_d(t);
            arb_clear(t);
            verdict = PLSTAR_OK;
        }
    }
    arb_clear(L0), arb_clear(A), arb_clear(C), arb_clear(B), arb_clear(r0);
    return verdict;
}

json_t *gd_apriori_report(const gd_apriori_result *res, const ball_constants *b, const plstar_problem *p, int verdict)
{
    json_t *r = report_new("gd_apriori",
                           "THEORY.md §4, Theorem 6: μ-PL* on B(w0, R) with R = 2 L_F ‖F(w0) − y‖/μ (certified via "
                           "Theorems 1–2) implies a solution in the ball and L(w_t) ≤ (1 − ημ)^t L(w0) for "
                           "η ≤ 1/(L_F² + β_F ‖F(w0) − y‖)");
    report_set_verdict(r, report_verdict_name(verdict, 0));
    common_inputs(r, b, p);
    json_object_set_new(r, "width", json_integer((json_int_t)model_width(&p->model)));
    if (!b->available || !b->have_labels) {
        json_object_set_new(r, "reason", json_string(!b->have_labels ? "labels are needed"
                                                                      : "no a-priori Hessian constants for this model "
                                                                        "(implemented: linear; shallow and MLP with "
                                                                        "C² activations); use --path"));
        return r;
    }
    radius_constants(r, b, res->radius, PLSTAR_DEFAULT_PREC);
    json_object_set_new(r, "mu", json_real(res->mu));
    json_object_set_new(r, "radius", json_real(res->radius));
    json_object_set_new(r, "lr", json_real(res->lr));
    json_object_set_new(r, "rate", json_real(res->rate));
    json_t *q = json_object_get(r, "quantities");
    json_object_set_new(q, "lipschitz_F", report_interval_arb(res->lipschitz));
    json_object_set_new(q, "lr_max", report_interval_arb(res->lr_max));
    return r;
}

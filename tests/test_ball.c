/* Ball bounds (docs/theory.md §3): the certified constants are never exceeded at
 * random points of the ball, both routes of the streamed shallow kernel agree
 * with the generic reference (and are picked and recorded as reference/shallow.h
 * says), and the a-priori GD certificate behaves as Theorem 6 says. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/error.h"
#include "core/model.h"
#include "core/npy.h"
#include "core/report.h"
#include "examples/demo_example.h"
#include "fast/network.h"
#include "proofs-checks/ball.h"
#include "proofs-checks/pl_point.h"
#include "reference/network.h"
#include "reference/shallow.h"

static void shallow_problem(plstar_problem *p, size_t n, size_t d, size_t m, const char *act, unsigned long seed)
{
    char json[256];
    snprintf(json, sizeof json, "{\"model\":\"shallow\",\"input_dim\":%zu,\"width\":%zu,\"activation\":\"%s\"}", d, m, act);
    plstar_model mm;
    plstar_model_init(&mm);
    cr_assert_eq(plstar_model_parse_json(&mm, json, "shallow"), PLSTAR_OK);
    double *X = malloc(n * d * sizeof(double)), *w = malloc(mm.nparams * sizeof(double)), *y = malloc(n * sizeof(double));
    plstar_demo_sphere_data(X, n, d, seed);
    for (size_t i = 0; i < n; i++)
        y[i] = sin(3 * X[i * d]);
    plstar_model_init_weights(w, &mm, seed + 1);
    plstar_problem_init(p);
    cr_assert_eq(plstar_problem_set(p, &mm, X, n, w, y), PLSTAR_OK);
    free(X), free(w), free(y);
    plstar_model_clear(&mm);
}

static const char *shallow_acts[] = {"tanh", "sigmoid", "softplus", "sin", "erf", "gelu", "linear", "relu",
                                     "leaky_relu"};
#define NACTS (sizeof shallow_acts / sizeof shallow_acts[0])

typedef int (*shallow_route_fn)(arb_mat_t, arb_mat_t, const plstar_model *, const double *, size_t, const double *,
                                slong);

/* Both routes overlap the generic reference (reference/network.h); the Arb
 * route's radii shrink with the precision, the GEMM route's stay near u. */
Test(ball, streamed_shallow_kernel_matches_reference)
{
    shallow_route_fn routes[] = {plstar_ref_shallow_kernel_outputs_arb, plstar_ref_shallow_kernel_outputs_dgemm_bound};
    for (int iter = 0; iter < 6; iter++) {
        plstar_problem p;
        shallow_problem(&p, 2 + iter, 3 + iter, 20 + 37 * iter, iter % 2 ? "erf" : "tanh", 100 + iter);
        size_t n = p.n;
        arb_mat_t K1, K2, F1, F2;
        arb_mat_init(K1, n, n), arb_mat_init(K2, n, n), arb_mat_init(F1, n, 1), arb_mat_init(F2, n, 1);
        plstar_ref_kernel(K2, &p.model, p.X.data, n, p.w, 128);
        plstar_ref_outputs(F2, &p.model, p.X.data, n, p.w, 128);
        for (int r = 0; r < 2; r++) {
            cr_assert_eq(routes[r](K1, F1, &p.model, p.X.data, n, p.w, 128), PLSTAR_OK);
            for (size_t k = 0; k < n * n; k++) {
                cr_assert(arb_overlaps(K1->entries + k, K2->entries + k));
                cr_assert(mag_cmp_2exp_si(arb_radref(K1->entries + k), r ? -35 : -100) < 0, "route %d radius", r);
            }
            for (size_t k = 0; k < n; k++)
                cr_assert(arb_overlaps(F1->entries + k, F2->entries + k));
        }
        arb_mat_clear(K1), arb_mat_clear(K2), arb_mat_clear(F1), arb_mat_clear(F2);
        plstar_problem_clear(&p);
    }
}

/* The GEMM route's enclosure of K and F contains the midpoint of the Arb
 * route's (256 bits: within ~1e−70 of the truth), on random problems for every
 * activation, with inputs and weights spread over several orders of magnitude. */
Test(ball, dgemm_bound_route_contains_arb_midpoint)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 47);
    for (int iter = 0; iter < 4 * (int)NACTS; iter++) {
        size_t n = 1 + gsl_rng_uniform_int(r, 7), d = 1 + gsl_rng_uniform_int(r, 40);
        size_t m = 1 + gsl_rng_uniform_int(r, 300);
        char json[256];
        snprintf(json, sizeof json, "{\"model\":\"shallow\",\"input_dim\":%zu,\"width\":%zu,\"activation\":\"%s\"}",
                 d, m, shallow_acts[iter % NACTS]);
        plstar_model mm;
        plstar_model_init(&mm);
        cr_assert_eq(plstar_model_parse_json(&mm, json, "random"), PLSTAR_OK);
        double *X = malloc(n * d * sizeof(double)), *w = malloc(mm.nparams * sizeof(double));
        double scale = pow(10.0, (double)gsl_rng_uniform_int(r, 5) - 2.0);
        for (size_t k = 0; k < n * d; k++)
            X[k] = scale * gsl_ran_gaussian(r, 1.0);
        for (size_t k = 0; k < mm.nparams; k++)
            w[k] = gsl_ran_gaussian(r, 1.0) / sqrt((double)d);
        arb_mat_t Ka, Fa, Kg, Fg;
        arb_mat_init(Ka, n, n), arb_mat_init(Fa, n, 1), arb_mat_init(Kg, n, n), arb_mat_init(Fg, n, 1);
        cr_assert_eq(plstar_ref_shallow_kernel_outputs_arb(Ka, Fa, &mm, X, n, w, 256), PLSTAR_OK);
        cr_assert_eq(plstar_ref_shallow_kernel_outputs_dgemm_bound(Kg, Fg, &mm, X, n, w, 128), PLSTAR_OK);
        for (size_t k = 0; k < n * n; k++)
            cr_assert(arb_contains_arf(Kg->entries + k, arb_midref(Ka->entries + k)), "%s: K[%zu]", json, k);
        for (size_t k = 0; k < n; k++)
            cr_assert(arb_contains_arf(Fg->entries + k, arb_midref(Fa->entries + k)), "%s: F[%zu]", json, k);
        arb_mat_clear(Ka), arb_mat_clear(Fa), arb_mat_clear(Kg), arb_mat_clear(Fg);
        free(X), free(w);
        plstar_model_clear(&mm);
    }
    gsl_rng_free(r);
}

/* Proposition 3 at the --prec reference: a singular shallow kernel (P < N, or a
 * repeated input row) has λ_min enclosed to ~2^−256·‖K‖, so μ = 1e−20 is refuted
 * with a witness; a pre-activation rounded to double would leave it inconclusive. */
Test(ball, singular_shallow_kernel_refuted_at_tiny_mu)
{
    for (size_t a = 0; a < NACTS; a++)
        for (int repeated = 0; repeated < 2; repeated++) {
            size_t n = 6, d = repeated ? 5 : 2, m = repeated ? 50 : 2; /* P = 4 < N = 6, or x_{2i} = x_{2i+1} */
            char json[256];
            snprintf(json, sizeof json, "{\"model\":\"shallow\",\"input_dim\":%zu,\"width\":%zu,\"activation\":\"%s\"}",
                     d, m, shallow_acts[a]);
            plstar_model mm;
            plstar_model_init(&mm);
            cr_assert_eq(plstar_model_parse_json(&mm, json, "singular"), PLSTAR_OK);
            double *X = malloc(n * d * sizeof(double)), *w = malloc(mm.nparams * sizeof(double));
            plstar_demo_sphere_data(X, repeated ? n / 2 : n, d, 60 + a);
            for (size_t i = n / 2; repeated && i-- > 0;) /* rows 2i, 2i + 1 = row i */
                for (size_t k = 0; k < d; k++)
                    X[(2 * i + 1) * d + k] = X[2 * i * d + k] = X[i * d + k];
            plstar_model_init_weights(w, &mm, 70 + a);
            plstar_problem p;
            plstar_problem_init(&p);
            cr_assert_eq(plstar_problem_set(&p, &mm, X, n, w, NULL), PLSTAR_OK);
            pl_point_result res;
            plstar_pl_point_result_init(&res);
            int v = plstar_check_pl_point(&res, &p, 1e-20, 256);
            cr_assert(plstar_arb_upper_d(res.lambda_min) < 1e-60, "%s: lambda_min <= %g", json, plstar_arb_upper_d(res.lambda_min));
            cr_assert_eq(v, PLSTAR_REFUTED, "%s: verdict %d", json, v);
            cr_assert(res.witness != NULL);
            plstar_pl_point_result_clear(&res);
            plstar_problem_clear(&p);
            free(X), free(w);
            plstar_model_clear(&mm);
        }
}

static const char *report_route(json_t *report)
{
    const char *s = json_string_value(json_object_get(json_object_get(report, "inputs"), "kernel_route"));
    cr_assert(s != NULL, "the report records the kernel route");
    return s;
}

/* "auto" takes the GEMM route exactly when m·n·d exceeds the limit; other
 * models have only the Arb route; a forced route wins; reports name the route
 * that produced K(w0) (its λ0 width tells which one ran). */
Test(ball, routes_are_picked_by_rule_and_recorded)
{
    plstar_model wide, mlp;
    plstar_model_init(&wide), plstar_model_init(&mlp);
    cr_assert_eq(plstar_model_parse_json(&wide, "{\"model\":\"shallow\",\"input_dim\":1024,\"width\":65536,\"activation\":\"tanh\"}", "w"), 0);
    cr_assert_eq(plstar_model_parse_json(&mlp, "{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[4],\"outputs\":1,\"activation\":\"tanh\",\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}", "m"), 0);
    double work = 65536.0 * 1024.0; /* m·d, times n */
    size_t below = (size_t)(REF_ROUTE_ARB_WORK_MAX / work), above = below + 1;
    cr_assert(below >= 1 && (double)below * work <= REF_ROUTE_ARB_WORK_MAX && (double)above * work > REF_ROUTE_ARB_WORK_MAX);
    cr_assert_eq(plstar_ref_kernel_route_pick(&wide, below, REF_ROUTE_AUTO), REF_ROUTE_ARB);
    cr_assert_eq(plstar_ref_kernel_route_pick(&wide, above, REF_ROUTE_AUTO), REF_ROUTE_DGEMM_BOUND);
    cr_assert_eq(plstar_ref_kernel_route_pick(&wide, above, REF_ROUTE_ARB), REF_ROUTE_ARB);
    cr_assert_eq(plstar_ref_kernel_route_pick(&mlp, 3, REF_ROUTE_DGEMM_BOUND), REF_ROUTE_ARB);
    cr_assert_str_eq(plstar_ref_kernel_route_used(&wide, above, REF_ROUTE_AUTO), "dgemm-bound");
    cr_assert_eq(plstar_ref_kernel_route_force("arb"), 0);
    cr_assert_eq(plstar_ref_kernel_route_pick(&wide, above, REF_ROUTE_AUTO), REF_ROUTE_ARB);
    cr_assert_eq(plstar_ref_kernel_route_force("fast"), -1, "an unknown name is refused");
    cr_assert_eq(plstar_ref_kernel_route_pick(&wide, above, REF_ROUTE_AUTO), REF_ROUTE_ARB, "and changes nothing");
    cr_assert_eq(plstar_ref_kernel_route_force(NULL), 0);
    cr_assert_eq(plstar_ref_kernel_route_pick(&wide, above, REF_ROUTE_AUTO), REF_ROUTE_DGEMM_BOUND);
    plstar_model_clear(&wide), plstar_model_clear(&mlp);

    plstar_problem p;
    shallow_problem(&p, 5, 3, 64, "tanh", 9);
    const char *forced[] = {NULL, "dgemm-bound"}, *expect[] = {"arb", "dgemm-bound"};
    for (int f = 0; f < 2; f++) {
        cr_assert_eq(plstar_ref_kernel_route_force(forced[f]), 0);
        ball_constants b;
        plstar_ball_constants_init(&b);
        cr_assert_eq(plstar_ball_constants_compute(&b, &p, 256), PLSTAR_OK);
        double width = mag_get_d(arb_radref(b.lambda0)) / plstar_arb_upper_d(b.lambda_max0);
        cr_assert(f ? width > 1e-25 : width < 1e-60, "lambda0 relative radius %g", width);
        ball_result br;
        plstar_ball_result_init(&br);
        int v = plstar_check_ball(&br, &b, 0.0, plstar_arb_lower_d(b.lambda0) / 2, 256);
        json_t *rep = plstar_ball_report(&br, &b, &p, v);
        cr_assert_str_eq(report_route(rep), expect[f]);
        json_decref(rep);
        plstar_ball_result_clear(&br);
        plstar_ball_constants_clear(&b);
        pl_point_result res;
        plstar_pl_point_result_init(&res);
        v = plstar_check_pl_point(&res, &p, 0, 256);
        rep = plstar_pl_point_report(&res, &p, 256, v);
        cr_assert_str_eq(report_route(rep), expect[f]);
        json_decref(rep);
        plstar_pl_point_result_clear(&res);
    }
    plstar_ref_kernel_route_force(NULL);
    plstar_problem_clear(&p);
}

static double spectral_norm_sym(double *A, size_t n)
{
    double *ev = malloc(n * sizeof(double));
    LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', (int)n, A, (int)n, ev);
    double r = fmax(fabs(ev[0]), fabs(ev[n - 1]));
    free(ev);
    return r;
}

/* ≥ 10^4 random points of B(w0, R): ‖ΔDF‖_F ≤ c‖Δw‖, ‖ΔK‖₂ ≤ cR(2a + cR),
 * ‖H_{F_i}‖₂ = max_j |σ″(w_jᵀx_i)| ‖x_i‖²/√m ≤ h, ‖DF‖₂ ≤ a + cR. */
Test(ball, bounds_never_exceeded_at_random_points)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 31);
    const char *acts[] = {"tanh", "sigmoid", "softplus", "sin", "erf", "gelu"};
    size_t points = 0;
    for (int cfg = 0; cfg < 6; cfg++) {
        plstar_problem p;
        shallow_problem(&p, 4, 3, 12, acts[cfg], 200 + cfg);
        ball_constants b;
        plstar_ball_constants_init(&b);
        cr_assert_eq(plstar_ball_constants_compute(&b, &p, 128), PLSTAR_OK);
        cr_assert(b.available);
        double c = plstar_arb_upper_d(b.c), a = plstar_arb_upper_d(b.a), hmax = plstar_arb_upper_d(b.hess_max);
        size_t n = p.n, P = p.model.nparams, d = p.model.input_dim, m = p.model.layers[0].out;
        double *J0 = malloc(n * P * sizeof(double)), *J = malloc(n * P * sizeof(double)), *w = malloc(P * sizeof(double));
        double *K0 = malloc(n * n * sizeof(double)), *K = malloc(n * n * sizeof(double));
        plstar_fast_jacobian(J0, &p.model, p.X.data, n, p.w);
        plstar_fast_kernel_explicit(K0, &p.model, p.X.data, n, p.w);
        for (int t = 0; t < 1700; t++, points++) {
            double R = pow(10, gsl_rng_uniform(r) * 4 - 2), norm = 0;
            for (size_t k = 0; k < P; k++)
                w[k] = gsl_ran_gaussian(r, 1.0), norm += w[k] * w[k];
            double scale = R * pow(gsl_rng_uniform(r), 1.0 / (double)P) / sqrt(norm), dist = 0;
            for (size_t k = 0; k < P; k++)
                w[k] = p.w[k] + scale * w[k], dist += (w[k] - p.w[k]) * (w[k] - p.w[k]);
            dist = sqrt(dist);
            plstar_fast_jacobian(J, &p.model, p.X.data, n, w);
            plstar_fast_kernel_explicit(K, &p.model, p.X.data, n, w);
            double dJ = 0;
            for (size_t k = 0; k < n * P; k++)
                dJ += (J[k] - J0[k]) * (J[k] - J0[k]);
            dJ = sqrt(dJ);
            cr_assert(dJ <= c * dist * (1 + 1e-9) + 1e-13, "%s: |dDF| %g > c|dw| %g", acts[cfg], dJ, c * dist);
            double *Kc = memcpy(malloc(n * n * sizeof(double)), K, n * n * sizeof(double));
            double lmax = spectral_norm_sym(Kc, n);
            free(Kc);
            cr_assert(sqrt(lmax) <= (a + c * R) * (1 + 1e-9) + 1e-13, "L_F bound");
            for (size_t k = 0; k < n * n; k++)
                K[k] -= K0[k];
            double dK = spectral_norm_sym(K, n);
            cr_assert(dK <= c * R * (2 * a + c * R) * (1 + 1e-9) + 1e-13, "%s: |dK| %g > bound %g", acts[cfg], dK,
                      c * R * (2 * a + c * R));
            for (size_t i = 0; i < n; i++) { /* exact Hessian norm of f_i (block diagonal) */
                double hx = 0, x2 = 0;
                for (size_t a2 = 0; a2 < d; a2++)
                    x2 += p.X.data[i * d + a2] * p.X.data[i * d + a2];
                for (size_t j = 0; j < m; j++) {
                    double z = 0, s2;
                    for (size_t a2 = 0; a2 < d; a2++)
                        z += w[j * d + a2] * p.X.data[i * d + a2];
                    plstar_act_eval_d(p.model.activation, z, NULL, NULL, &s2);
                    hx = fmax(hx, fabs(s2) * x2 / sqrt((double)m));
                }
                cr_assert(hx <= hmax * (1 + 1e-12), "Hessian norm %g > h %g", hx, hmax);
            }
        }
        free(J0), free(J), free(w), free(K0), free(K);
        plstar_ball_constants_clear(&b);
        plstar_problem_clear(&p);
    }
    cr_assert(points >= 10000);
    gsl_rng_free(r);
}

Test(ball, check_ball_verdicts_and_radius)
{
    plstar_problem p;
    shallow_problem(&p, 5, 10, 4000, "tanh", 7);
    ball_constants b;
    plstar_ball_constants_init(&b);
    cr_assert_eq(plstar_ball_constants_compute(&b, &p, 128), PLSTAR_OK);
    double lam = plstar_arb_lower_d(b.lambda0), mu = 0.5 * lam;
    ball_result res;
    plstar_ball_result_init(&res);
    cr_assert_eq(plstar_check_ball(&res, &b, 0.0, mu, 128), PLSTAR_OK);
    double Rmax = res.radius_max;
    cr_assert(Rmax > 0 && isfinite(Rmax));
    cr_assert_eq(plstar_check_ball(&res, &b, Rmax, mu, 128), PLSTAR_OK, "the reported largest radius certifies");
    cr_assert_eq(plstar_check_ball(&res, &b, Rmax * 1.001, mu, 128), PLSTAR_INCONCLUSIVE);
    cr_assert_eq(plstar_check_ball(&res, &b, 0.0, plstar_arb_upper_d(b.lambda0) * 1.01, 128), PLSTAR_REFUTED);
    plstar_ball_result_clear(&res);
    plstar_ball_constants_clear(&b);
    plstar_problem_clear(&p);
}

Test(ball, gd_apriori_certifies_wide_shallow_and_not_narrow)
{
    plstar_problem p;
    shallow_problem(&p, 10, 100, 160000, "tanh", 3);
    ball_constants b;
    plstar_ball_constants_init(&b);
    cr_assert_eq(plstar_ball_constants_compute(&b, &p, 128), PLSTAR_OK);
    gd_apriori_result res;
    plstar_gd_apriori_result_init(&res);
    cr_assert_eq(plstar_check_gd_apriori(&res, &b, 0, 0, 128), PLSTAR_OK);
    cr_assert(res.rate < 1 && res.lr > 0 && res.radius > 0);
    arb_t step;
    arb_init(step);
    cr_assert_eq(plstar_ball_lr_max(step, &b, res.radius, 128), PLSTAR_OK);
    cr_assert(arb_overlaps(step, res.lr_max), "the certified step is 1/(L_F^2 + beta_F r0) with beta_F = c");
    arb_clear(step);
    /* a step above the certified maximum is not certified */
    cr_assert_eq(plstar_check_gd_apriori(&res, &b, res.mu, 2 * plstar_arb_upper_d(res.lr_max), 128), PLSTAR_INCONCLUSIVE);
    plstar_gd_apriori_result_clear(&res);
    plstar_ball_constants_clear(&b);
    plstar_problem_clear(&p);

    shallow_problem(&p, 10, 100, 64, "tanh", 3);
    plstar_ball_constants_init(&b);
    plstar_gd_apriori_result_init(&res);
    cr_assert_eq(plstar_ball_constants_compute(&b, &p, 128), PLSTAR_OK);
    cr_assert_eq(plstar_check_gd_apriori(&res, &b, 0, 0, 128), PLSTAR_INCONCLUSIVE);
    plstar_gd_apriori_result_clear(&res);
    plstar_ball_constants_clear(&b);
    plstar_problem_clear(&p);
}

/* ------------------------------------------------------------------------ */
/* Theorem 6's step: β_F is Definition 2's constant, not max_i ‖H_{F_i}‖₂     */

#include "fast/hessian.h"

/* λ_max(H_L(w)) for H_L = DFᵀDF + Σ_i r_i H_{F_i} (Eq. 9), in double; also ‖r‖₂. */
static double loss_hessian_lmax(double *resid, const plstar_model *m, const double *X, size_t n, const double *w,
                                const double *y)
{
    size_t P = m->nparams, d = m->input_dim;
    double *J = malloc(n * P * sizeof(double)), *F = malloc(n * sizeof(double)), *H = malloc(P * P * sizeof(double));
    double *HL = calloc(P * P, sizeof(double)), *ev = malloc(P * sizeof(double)), r2 = 0;
    plstar_fast_jacobian(J, m, X, n, w);
    plstar_fast_outputs(F, m, X, n, w);
    for (size_t i = 0; i < n; i++) {
        double r = F[i] - y[i];
        r2 += r * r;
        cr_assert_eq(plstar_fast_hessian_full(H, m, X + i * d, 0, w), PLSTAR_OK);
        for (size_t a = 0; a < P; a++)
            for (size_t b = 0; b < P; b++)
                HL[a * P + b] += J[i * P + a] * J[i * P + b] + r * H[a * P + b];
    }
    LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', (int)P, HL, (int)P, ev);
    double top = ev[P - 1];
    free(J), free(F), free(H), free(HL), free(ev);
    *resid = sqrt(r2);
    return top;
}

/* Near-parallel inputs, pre-activations where |tanh″| peaks and a residual of
 * the same sign on every sample: the Hessians H_{F_i} align, and
 * ‖Σ r_i H_{F_i}‖₂ ≈ √N max_i ‖H_{F_i}‖₂ ‖r‖₂. The step 1/(L_F² + h r0) with
 * h ≥ max_i ‖H_{F_i}‖₂ (the former β_F) then exceeds 1/λ_max(H_L); the
 * certified lr_max = 1/(L_F² + β_F r0) never does, at w0 and at random points
 * of the ball whose residual is at most r0 (where Theorem 6's path runs). */
static void step_bound_case(const char *json, int aligned_weights, double old_at_least)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, json, "m"), PLSTAR_OK);
    size_t n = 8, d = m.input_dim, P = m.nparams;
    double X[8 * 2], *w = malloc(P * sizeof(double)), y[8], F[8];
    for (size_t i = 0; i < n; i++)
        X[i * d] = cos(0.01 * (double)i), X[i * d + 1] = sin(0.01 * (double)i);
    plstar_model_init_weights(w, &m, 5);
    if (aligned_weights) /* w_j = (z*, 0): every pre-activation near z* = atanh(1/√3), where |tanh″| is largest */
        for (size_t j = 0; j < m.layers[0].out; j++)
            w[j * d] = atanh(1 / sqrt(3.0)), w[j * d + 1] = 0;
    plstar_fast_outputs(F, &m, X, n, w);
    for (size_t i = 0; i < n; i++)
        y[i] = F[i] - 1000; /* r_i = 1000: a large residual, all of one sign */
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_problem_set(&p, &m, X, n, w, y), PLSTAR_OK);
    ball_constants b;
    plstar_ball_constants_init(&b);
    cr_assert_eq(plstar_ball_constants_compute(&b, &p, 128), PLSTAR_OK);
    cr_assert(b.available);
    double R = 1e-3;
    arb_t lr, L, h;
    arb_init(lr), arb_init(L), arb_init(h);
    cr_assert_eq(plstar_ball_lr_max(lr, &b, R, 128), PLSTAR_OK);
    cr_assert_eq(plstar_ball_constants_at(L, NULL, h, NULL, &b, R, 128), PLSTAR_OK);
    double eta = plstar_arb_lower_d(lr), r0 = plstar_arb_upper_d(b.r0), LF = plstar_arb_upper_d(L);
    double eta_old = 1 / (LF * LF + plstar_arb_upper_d(h) * r0);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 17);
    double *v = malloc(P * sizeof(double)), worst = 0, worst_old = 0;
    size_t points = 0;
    for (int t = 0; t < 400; t++) {
        double norm = 0, resid;
        for (size_t k = 0; k < P; k++)
            v[k] = gsl_ran_gaussian(g, 1.0), norm += v[k] * v[k];
        double scale = t ? R * pow(gsl_rng_uniform(g), 1.0 / (double)P) / sqrt(norm) : 0; /* t = 0: w0 */
        for (size_t k = 0; k < P; k++)
            v[k] = w[k] + scale * v[k];
        double top = loss_hessian_lmax(&resid, &m, X, n, v, y);
        if (resid > r0)
            continue; /* off the path of a descending run */
        points++;
        worst = fmax(worst, eta * top), worst_old = fmax(worst_old, eta_old * top);
        cr_assert(eta * top <= 1 + 1e-9, "%s: lr_max * lambda_max(H_L(w)) = %.17g > 1", json, eta * top);
    }
    cr_log_info("%s: largest lr_max*lambda_max(H_L) %.6f; with max_i |H_Fi| in place of beta_F %.6f (%zu points)\n",
                json, worst, worst_old, points);
    cr_assert(points >= 100);
    cr_assert(worst_old > old_at_least, "the former step bound is violated here (%.6f): the test catches it", worst_old);
    free(v), free(w);
    gsl_rng_free(g);
    arb_clear(lr), arb_clear(L), arb_clear(h);
    plstar_ball_constants_clear(&b);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
}

Test(ball, step_bound_holds_where_max_hessian_norm_fails)
{
    step_bound_case("{\"model\":\"shallow\",\"input_dim\":2,\"width\":4,\"activation\":\"tanh\"}", 1, 2.5);
    step_bound_case("{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[6],\"activation\":\"tanh\",\"outputs\":1,\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}", 0, 1.2);
}

/* ------------------------------------------------------------------------ */
/* Reports: one-sided bounds, absent quantities, scope and reason             */

static void assert_upper_only(const json_t *q, const char *key)
{
    const json_t *v = json_object_get(q, key);
    cr_assert(v, "%s is reported", key);
    cr_assert(json_is_number(json_object_get(v, "upper")) && !json_object_get(v, "lower"),
              "%s is a one-sided bound {\"upper\"}", key);
}

static void assert_absent(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    cr_assert(v && json_is_string(json_object_get(v, "reason")) && !json_object_get(v, "lower") &&
                  !json_object_get(v, "upper"),
              "%s is absent with a reason, not a number", key);
}

static void assert_reason(const json_t *r)
{
    const json_t *why = json_object_get(r, "reason");
    cr_assert(json_is_string(json_object_get(why, "inequality")) && json_object_get(why, "lhs") &&
                  json_object_get(why, "rhs") && json_is_string(json_object_get(why, "decide")),
              "a verdict other than certified has a reason with both sides and what would decide it");
}

/* A shallow problem whose labels sit at a chosen residual from F(w0):
 * y_i = F_i(w0) + s·sin(3 x_i1 + i). */
static void residual_problem(plstar_problem *p, size_t width, double s)
{
    shallow_problem(p, 6, 10, width, "tanh", 3);
    double F[6];
    plstar_fast_outputs(F, &p->model, p->X.data, p->n, p->w);
    for (size_t i = 0; i < p->n; i++)
        p->y.data[i] = F[i] + s * sin(3 * p->X.data[i * 10] + (double)i);
}

/* Inconclusive Theorem 6: nothing that was not computed appears as a number;
 * the reason names the failed inequality (no fixed point for a large
 * residual, the ball at the fixed-point radius for a moderate one) with both
 * sides and the width that would decide it — which does. */
Test(ball, gd_apriori_inconclusive_reports_no_placeholders)
{
    const double residual[] = {2.0, 0.1};
    const gd_apriori_failure expect[] = {APRIORI_NO_FIXED_POINT, APRIORI_BALL};
    for (int k = 0; k < 2; k++) {
        plstar_problem p;
        residual_problem(&p, 64, residual[k]);
        ball_constants b;
        plstar_ball_constants_init(&b);
        cr_assert_eq(plstar_ball_constants_compute(&b, &p, 128), PLSTAR_OK);
        gd_apriori_result res;
        plstar_gd_apriori_result_init(&res);
        cr_assert_eq(plstar_check_gd_apriori(&res, &b, 0, 0, 128), PLSTAR_INCONCLUSIVE);
        cr_assert_eq(res.failure, expect[k]);
        cr_assert(res.width_factor > 1, "width factor %g", res.width_factor);
        if (k == 0)
            cr_assert(res.ratio > 1, "2 c r0 / mu = %g", res.ratio);
        json_t *r = plstar_gd_apriori_report(&res, &b, &p, PLSTAR_INCONCLUSIVE);
        json_t *q = json_object_get(r, "quantities");
        assert_absent(q, "lipschitz_F"), assert_absent(q, "lr_max");
        assert_absent(r, "radius"), assert_absent(r, "rate"), assert_absent(r, "lr");
        assert_upper_only(q, "jacobian_lipschitz"), assert_upper_only(q, "beta_F");
        assert_upper_only(q, "hessian_norm_max");
        cr_assert_str_eq(json_string_value(json_object_get(r, "scope")), "these labels");
        assert_reason(r);
        const char *decide = json_string_value(json_object_get(json_object_get(r, "reason"), "decide"));
        cr_assert(strstr(decide, "times the width"), "%s", decide);
        char why[1024];
        plstar_gd_apriori_reason_text(why, sizeof why, &res, &b, 64);
        cr_assert(strstr(why, k ? "on B(w0, R)" : "2 c |F(w0) - y| / mu") && strstr(why, "would decide"), "%s", why);
        json_decref(r);
        double factor = res.width_factor;
        plstar_gd_apriori_result_clear(&res);
        plstar_ball_constants_clear(&b);
        plstar_problem_clear(&p);
        if (k == 0)
            continue; /* the factor for the large residual is thousands */
        /* twice the suggested width, the same residual: certified */
        residual_problem(&p, (size_t)(64 * factor * 2), residual[k]);
        plstar_ball_constants_init(&b);
        plstar_gd_apriori_result_init(&res);
        cr_assert_eq(plstar_ball_constants_compute(&b, &p, 128), PLSTAR_OK);
        cr_assert_eq(plstar_check_gd_apriori(&res, &b, 0, 0, 128), PLSTAR_OK, "width %zu", (size_t)(64 * factor * 2));
        json_t *ok = plstar_gd_apriori_report(&res, &b, &p, PLSTAR_OK);
        q = json_object_get(ok, "quantities");
        assert_upper_only(q, "lipschitz_F"), assert_upper_only(ok, "rate");
        cr_assert(json_is_number(json_object_get(json_object_get(q, "lr_max"), "lower")));
        cr_assert_null(json_object_get(ok, "reason"));
        json_decref(ok);
        plstar_gd_apriori_result_clear(&res);
        plstar_ball_constants_clear(&b);
        plstar_problem_clear(&p);
    }
}

/* The ball report: one-sided constants, scope "all labels", a reason with
 * both sides when not certified. */
Test(ball, ball_report_bounds_are_one_sided)
{
    plstar_problem p;
    shallow_problem(&p, 5, 10, 4000, "tanh", 7);
    ball_constants b;
    plstar_ball_constants_init(&b);
    cr_assert_eq(plstar_ball_constants_compute(&b, &p, 128), PLSTAR_OK);
    double mu = 0.5 * plstar_arb_lower_d(b.lambda0);
    const double radii[] = {0.01, 1e3};
    const int verdicts[] = {PLSTAR_OK, PLSTAR_INCONCLUSIVE};
    for (int k = 0; k < 2; k++) {
        ball_result res;
        plstar_ball_result_init(&res);
        cr_assert_eq(plstar_check_ball(&res, &b, radii[k], mu, 128), verdicts[k]);
        json_t *r = plstar_ball_report(&res, &b, &p, verdicts[k]), *q = json_object_get(r, "quantities");
        cr_assert_str_eq(json_string_value(json_object_get(r, "scope")), "all labels");
        assert_upper_only(q, "jacobian_lipschitz"), assert_upper_only(q, "beta_F"), assert_upper_only(q, "kernel_change");
        cr_assert(json_object_get(json_object_get(q, "lambda_min_on_ball"), "lower") &&
                  !json_object_get(json_object_get(q, "lambda_min_on_ball"), "upper"));
        if (verdicts[k] == PLSTAR_OK)
            cr_assert_null(json_object_get(r, "reason"));
        else
            assert_reason(r);
        json_decref(r);
        plstar_ball_result_clear(&res);
    }
    plstar_ball_constants_clear(&b);
    plstar_problem_clear(&p);
}

/* `certify ball` without --radius is a usage error (it once certified B(w0, 0)),
 * as are the options of other checks. */
Test(ball, command_line_requires_radius_and_refuses_other_options)
{
    const char *exe = getenv("PLSTAR_EXE");
    cr_assert(exe, "PLSTAR_EXE must be set (meson test sets it)");
    char dir[128], cmd[2048], path[256];
    snprintf(dir, sizeof dir, "/tmp/plstar_test_ball_cli_%ld", (long)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    cr_assert_eq(system(cmd), 0);
    double X[8 * 3];
    plstar_demo_sphere_data(X, 8, 3, 5);
    snprintf(path, sizeof path, "%s/X.npy", dir);
    cr_assert_eq(plstar_npy_write_matrix(path, X, 8, 3), 0);
    snprintf(path, sizeof path, "%s/m.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"model\":\"shallow\",\"input_dim\":3,\"width\":64,\"activation\":\"tanh\"}", f);
    fclose(f);
    const char *bad[] = {"--mu 0.01", "--radius 0.1", "--radius 0.1 --mu 0.01 --lr 0.1",
                         "--radius 0.1 --mu 0.01 --steps 10", "--radius 0.1 --mu 0.01 --path",
                         "--radius 0.1 --mu 0.01 --out plot", "--radius -1 --mu 0.01", "--radius inf --mu 0.01"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        snprintf(cmd, sizeof cmd, "cd %s && '%s' certify ball --model m.json --data X.npy --seed 1 %s >/dev/null "
                                  "2>/dev/null", dir, exe, bad[k]);
        int rc = system(cmd);
        cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 64, "certify ball %s: exit %d", bad[k], WEXITSTATUS(rc));
    }
    snprintf(cmd, sizeof cmd, "cd %s && '%s' certify ball --model m.json --data X.npy --seed 1 --radius 0.01 --mu 1e-3 "
                              ">/dev/null 2>&1", dir, exe);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) <= 2, "a complete command runs: exit %d", WEXITSTATUS(rc));
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Ball bounds (THEORY.md §3): the certified constants are never exceeded at
 * random points of the ball, both routes of the streamed shallow kernel agree
 * with the generic reference (and are picked and recorded as reference/shallow.h
 * says), and the a-priori GD certificate behaves as Theorem 6 says. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>

#include "core/error.h"
#include "core/model.h"
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
    model_init(&mm);
    cr_assert_eq(model_parse_json(&mm, json, "shallow"), PLSTAR_OK);
    double *X = malloc(n * d * sizeof(double)), *w = malloc(mm.nparams * sizeof(double)), *y = malloc(n * sizeof(double));
    demo_sphere_data(X, n, d, seed);
    for (size_t i = 0; i < n; i++)
        y[i] = sin(3 * X[i * d]);
    model_init_weights(w, &mm, seed + 1);
    problem_init(p);
    cr_assert_eq(problem_set(p, &mm, X, n, w, y), PLSTAR_OK);
    free(X), free(w), free(y);
    model_clear(&mm);
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
    shallow_route_fn routes[] = {ref_shallow_kernel_outputs_arb, ref_shallow_kernel_outputs_dgemm_bound};
    for (int iter = 0; iter < 6; iter++) {
        plstar_problem p;
        shallow_problem(&p, 2 + iter, 3 + iter, 20 + 37 * iter, iter % 2 ? "erf" : "tanh", 100 + iter);
        size_t n = p.n;
        arb_mat_t K1, K2, F1, F2;
        arb_mat_init(K1, n, n), arb_mat_init(K2, n, n), arb_mat_init(F1, n, 1), arb_mat_init(F2, n, 1);
        ref_kernel(K2, &p.model, p.X.data, n, p.w, 128);
        ref_outputs(F2, &p.model, p.X.data, n, p.w, 128);
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
        problem_clear(&p);
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
        model_init(&mm);
        cr_assert_eq(model_parse_json(&mm, json, "random"), PLSTAR_OK);
        double *X = malloc(n * d * sizeof(double)), *w = malloc(mm.nparams * sizeof(double));
        double scale = pow(10.0, (double)gsl_rng_uniform_int(r, 5) - 2.0);
        for (size_t k = 0; k < n * d; k++)
            X[k] = scale * gsl_ran_gaussian(r, 1.0);
        for (size_t k = 0; k < mm.nparams; k++)
            w[k] = gsl_ran_gaussian(r, 1.0) / sqrt((double)d);
        arb_mat_t Ka, Fa, Kg, Fg;
        arb_mat_init(Ka, n, n), arb_mat_init(Fa, n, 1), arb_mat_init(Kg, n, n), arb_mat_init(Fg, n, 1);
        cr_assert_eq(ref_shallow_kernel_outputs_arb(Ka, Fa, &mm, X, n, w, 256), PLSTAR_OK);
        cr_assert_eq(ref_shallow_kernel_outputs_dgemm_bound(Kg, Fg, &mm, X, n, w, 128), PLSTAR_OK);
        for (size_t k = 0; k < n * n; k++)
            cr_assert(arb_contains_arf(Kg->entries + k, arb_midref(Ka->entries + k)), "%s: K[%zu]", json, k);
        for (size_t k = 0; k < n; k++)
            cr_assert(arb_contains_arf(Fg->entries + k, arb_midref(Fa->entries + k)), "%s: F[%zu]", json, k);
        arb_mat_clear(Ka), arb_mat_clear(Fa), arb_mat_clear(Kg), arb_mat_clear(Fg);
        free(X), free(w);
        model_clear(&mm);
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
            model_init(&mm);
            cr_assert_eq(model_parse_json(&mm, json, "singular"), PLSTAR_OK);
            double *X = malloc(n * d * sizeof(double)), *w = malloc(mm.nparams * sizeof(double));
            demo_sphere_data(X, repeated ? n / 2 : n, d, 60 + a);
            for (size_t i = n / 2; repeated && i-- > 0;) /* rows 2i, 2i + 1 = row i */
                for (size_t k = 0; k < d; k++)
                    X[(2 * i + 1) * d + k] = X[2 * i * d + k] = X[i * d + k];
            model_init_weights(w, &mm, 70 + a);
            plstar_problem p;
            problem_init(&p);
            cr_assert_eq(problem_set(&p, &mm, X, n, w, NULL), PLSTAR_OK);
            pl_point_result res;
            pl_point_result_init(&res);
            int v = check_pl_point(&res, &p, 1e-20, 256);
            cr_assert(arb_upper_d(res.lambda_min) < 1e-60, "%s: lambda_min <= %g", json, arb_upper_d(res.lambda_min));
            cr_assert_eq(v, PLSTAR_REFUTED, "%s: verdict %d", json, v);
            cr_assert(res.witness != NULL);
            pl_point_result_clear(&res);
            problem_clear(&p);
            free(X), free(w);
            model_clear(&mm);
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
    model_init(&wide), model_init(&mlp);
    cr_assert_eq(model_parse_json(&wide, "{\"model\":\"shallow\",\"input_dim\":1024,\"width\":65536}", "w"), 0);
    cr_assert_eq(model_parse_json(&mlp, "{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[4]}", "m"), 0);
    double work = 65536.0 * 1024.0; /* m·d, times n */
    size_t below = (size_t)(REF_ROUTE_ARB_WORK_MAX / work), above = below + 1;
    cr_assert(below >= 1 && (double)below * work <= REF_ROUTE_ARB_WORK_MAX && (double)above * work > REF_ROUTE_ARB_WORK_MAX);
    cr_assert_eq(ref_kernel_route_pick(&wide, below, REF_ROUTE_AUTO), REF_ROUTE_ARB);
    cr_assert_eq(ref_kernel_route_pick(&wide, above, REF_ROUTE_AUTO), REF_ROUTE_DGEMM_BOUND);
    cr_assert_eq(ref_kernel_route_pick(&wide, above, REF_ROUTE_ARB), REF_ROUTE_ARB);
    cr_assert_eq(ref_kernel_route_pick(&mlp, 3, REF_ROUTE_DGEMM_BOUND), REF_ROUTE_ARB);
    cr_assert_str_eq(ref_kernel_route_used(&wide, above, REF_ROUTE_AUTO), "dgemm-bound");
    cr_assert_eq(ref_kernel_route_force("arb"), 0);
    cr_assert_eq(ref_kernel_route_pick(&wide, above, REF_ROUTE_AUTO), REF_ROUTE_ARB);
    cr_assert_eq(ref_kernel_route_force("fast"), -1, "an unknown name is refused");
    cr_assert_eq(ref_kernel_route_pick(&wide, above, REF_ROUTE_AUTO), REF_ROUTE_ARB, "and changes nothing");
    cr_assert_eq(ref_kernel_route_force(NULL), 0);
    cr_assert_eq(ref_kernel_route_pick(&wide, above, REF_ROUTE_AUTO), REF_ROUTE_DGEMM_BOUND);
    model_clear(&wide), model_clear(&mlp);

    plstar_problem p;
    shallow_problem(&p, 5, 3, 64, "tanh", 9);
    const char *forced[] = {NULL, "dgemm-bound"}, *expect[] = {"arb", "dgemm-bound"};
    for (int f = 0; f < 2; f++) {
        cr_assert_eq(ref_kernel_route_force(forced[f]), 0);
        ball_constants b;
        ball_constants_init(&b);
        cr_assert_eq(ball_constants_compute(&b, &p, 256), PLSTAR_OK);
        double width = mag_get_d(arb_radref(b.lambda0)) / arb_upper_d(b.lambda_max0);
        cr_assert(f ? width > 1e-25 : width < 1e-60, "lambda0 relative radius %g", width);
        ball_result br;
        ball_result_init(&br);
        int v = check_ball(&br, &b, 0.0, arb_lower_d(b.lambda0) / 2, 256);
        json_t *rep = ball_report(&br, &b, &p, v);
        cr_assert_str_eq(report_route(rep), expect[f]);
        json_decref(rep);
        ball_result_clear(&br);
        ball_constants_clear(&b);
        pl_point_result res;
        pl_point_result_init(&res);
        v = check_pl_point(&res, &p, 0, 256);
        rep = pl_point_report(&res, &p, 256, v);
        cr_assert_str_eq(report_route(rep), expect[f]);
        json_decref(rep);
        pl_point_result_clear(&res);
    }
    ref_kernel_route_force(NULL);
    problem_clear(&p);
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
 * ‖H_{F_i}‖₂ = max_j |σ″(w_jᵀx_i)| ‖x_i‖²/√m ≤ β_F, ‖DF‖₂ ≤ a + cR. */
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
        ball_constants_init(&b);
        cr_assert_eq(ball_constants_compute(&b, &p, 128), PLSTAR_OK);
        cr_assert(b.available);
        double c = arb_upper_d(b.c), a = arb_upper_d(b.a), beta = arb_upper_d(b.beta);
        size_t n = p.n, P = p.model.nparams, d = p.model.input_dim, m = p.model.layers[0].out;
        double *J0 = malloc(n * P * sizeof(double)), *J = malloc(n * P * sizeof(double)), *w = malloc(P * sizeof(double));
        double *K0 = malloc(n * n * sizeof(double)), *K = malloc(n * n * sizeof(double));
        fast_jacobian(J0, &p.model, p.X.data, n, p.w);
        fast_kernel_explicit(K0, &p.model, p.X.data, n, p.w);
        for (int t = 0; t < 1700; t++, points++) {
            double R = pow(10, gsl_rng_uniform(r) * 4 - 2), norm = 0;
            for (size_t k = 0; k < P; k++)
                w[k] = gsl_ran_gaussian(r, 1.0), norm += w[k] * w[k];
            double scale = R * pow(gsl_rng_uniform(r), 1.0 / (double)P) / sqrt(norm), dist = 0;
            for (size_t k = 0; k < P; k++)
                w[k] = p.w[k] + scale * w[k], dist += (w[k] - p.w[k]) * (w[k] - p.w[k]);
            dist = sqrt(dist);
            fast_jacobian(J, &p.model, p.X.data, n, w);
            fast_kernel_explicit(K, &p.model, p.X.data, n, w);
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
                    act_eval_d(p.model.activation, z, NULL, NULL, &s2);
                    hx = fmax(hx, fabs(s2) * x2 / sqrt((double)m));
                }
                cr_assert(hx <= beta * (1 + 1e-12), "Hessian norm %g > beta %g", hx, beta);
            }
        }
        free(J0), free(J), free(w), free(K0), free(K);
        ball_constants_clear(&b);
        problem_clear(&p);
    }
    cr_assert(points >= 10000);
    gsl_rng_free(r);
}

Test(ball, check_ball_verdicts_and_radius)
{
    plstar_problem p;
    shallow_problem(&p, 5, 10, 4000, "tanh", 7);
    ball_constants b;
    ball_constants_init(&b);
    cr_assert_eq(ball_constants_compute(&b, &p, 128), PLSTAR_OK);
    double lam = arb_lower_d(b.lambda0), mu = 0.5 * lam;
    ball_result res;
    ball_result_init(&res);
    cr_assert_eq(check_ball(&res, &b, 0.0, mu, 128), PLSTAR_OK);
    double Rmax = res.radius_max;
    cr_assert(Rmax > 0 && isfinite(Rmax));
    cr_assert_eq(check_ball(&res, &b, Rmax, mu, 128), PLSTAR_OK, "the reported largest radius certifies");
    cr_assert_eq(check_ball(&res, &b, Rmax * 1.001, mu, 128), PLSTAR_INCONCLUSIVE);
    cr_assert_eq(check_ball(&res, &b, 0.0, arb_upper_d(b.lambda0) * 1.01, 128), PLSTAR_REFUTED);
    ball_result_clear(&res);
    ball_constants_clear(&b);
    problem_clear(&p);
}

Test(ball, gd_apriori_certifies_wide_shallow_and_not_narrow)
{
    plstar_problem p;
    shallow_problem(&p, 10, 100, 160000, "tanh", 3);
    ball_constants b;
    ball_constants_init(&b);
    cr_assert_eq(ball_constants_compute(&b, &p, 128), PLSTAR_OK);
    gd_apriori_result res;
    gd_apriori_result_init(&res);
    cr_assert_eq(check_gd_apriori(&res, &b, 0, 0, 128), PLSTAR_OK);
    cr_assert(res.rate < 1 && res.lr > 0 && res.radius > 0);
    /* a step above the certified maximum is not certified */
    cr_assert_eq(check_gd_apriori(&res, &b, res.mu, 2 * arb_upper_d(res.lr_max), 128), PLSTAR_INCONCLUSIVE);
    gd_apriori_result_clear(&res);
    ball_constants_clear(&b);
    problem_clear(&p);

    shallow_problem(&p, 10, 100, 64, "tanh", 3);
    ball_constants_init(&b);
    gd_apriori_result_init(&res);
    cr_assert_eq(ball_constants_compute(&b, &p, 128), PLSTAR_OK);
    cr_assert_eq(check_gd_apriori(&res, &b, 0, 0, 128), PLSTAR_INCONCLUSIVE);
    gd_apriori_result_clear(&res);
    ball_constants_clear(&b);
    problem_clear(&p);
}

/* Ball bounds (THEORY.md §3): the certified constants are never exceeded at
 * random points of the ball, the streamed shallow kernel agrees with the
 * generic reference, and the a-priori GD certificate behaves as Theorem 6 says. */
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

Test(ball, streamed_shallow_kernel_matches_reference)
{
    for (int iter = 0; iter < 6; iter++) {
        plstar_problem p;
        shallow_problem(&p, 2 + iter, 3 + iter, 20 + 37 * iter, iter % 2 ? "erf" : "tanh", 100 + iter);
        size_t n = p.n;
        arb_mat_t K1, K2, F1, F2;
        arb_mat_init(K1, n, n), arb_mat_init(K2, n, n), arb_mat_init(F1, n, 1), arb_mat_init(F2, n, 1);
        cr_assert_eq(ref_shallow_kernel_outputs(K1, F1, &p.model, p.X.data, n, p.w, 128), PLSTAR_OK);
        ref_kernel(K2, &p.model, p.X.data, n, p.w, 128);
        ref_outputs(F2, &p.model, p.X.data, n, p.w, 128);
        for (size_t k = 0; k < n * n; k++) {
            cr_assert(arb_overlaps(K1->entries + k, K2->entries + k));
            cr_assert(mag_cmp_2exp_si(arb_radref(K1->entries + k), -35) < 0, "streamed radius stays small");
        }
        for (size_t k = 0; k < n; k++)
            cr_assert(arb_overlaps(F1->entries + k, F2->entries + k));
        arb_mat_clear(K1), arb_mat_clear(K2), arb_mat_clear(F1), arb_mat_clear(F2);
        problem_clear(&p);
    }
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

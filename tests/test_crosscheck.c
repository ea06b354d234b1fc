/* The cross-check passes on random small models (every activation, bias,
 * several outputs) and fails when one fast value is perturbed. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>

#include "core/error.h"
#include "core/model.h"
#include "examples/demo_example.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "proofs-checks/crosscheck.h"
#include "reference/network.h"

static const char *all_acts[] = {"linear", "tanh", "sigmoid", "softplus", "sin", "erf", "gelu", "relu", "leaky_relu"};

static void random_mlp(plstar_problem *p, gsl_rng *r, int iter)
{
    char json[512];
    size_t d = 1 + gsl_rng_uniform_int(r, 6), n = 1 + gsl_rng_uniform_int(r, 8);
    snprintf(json, sizeof json,
             "{\"model\":\"mlp\",\"input_dim\":%zu,\"widths\":[%zu,%zu],\"outputs\":%zu,\"activation\":\"%s\","
             "\"output_activation\":\"%s\",\"bias\":%s,\"scaling\":\"%s\"}",
             d, 1 + gsl_rng_uniform_int(r, 24), 1 + gsl_rng_uniform_int(r, 24), 1 + gsl_rng_uniform_int(r, 3),
             all_acts[iter % 9], all_acts[gsl_rng_uniform_int(r, 3)], gsl_rng_uniform_int(r, 2) ? "true" : "false",
             gsl_rng_uniform_int(r, 2) ? "ntk" : "standard");
    plstar_model m;
    model_init(&m);
    cr_assert_eq(model_parse_json(&m, json, "random"), PLSTAR_OK, "%s", plstar_errmsg());
    double *X = malloc(n * d * sizeof(double)), *w = malloc(m.nparams * sizeof(double));
    double *y = malloc(n * m.outputs * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(r, 1.0);
    for (size_t k = 0; k < n * m.outputs; k++)
        y[k] = gsl_ran_gaussian(r, 1.0);
    model_init_weights(w, &m, gsl_rng_get(r));
    problem_init(p);
    cr_assert_eq(problem_set(p, &m, X, n, w, y), PLSTAR_OK);
    free(X), free(w), free(y);
    model_clear(&m);
}

Test(crosscheck, passes_on_random_small_models)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 21);
    for (int iter = 0; iter < 45; iter++) {
        plstar_problem p;
        random_mlp(&p, r, iter);
        crosscheck_result res;
        int st = check_crosscheck(&res, &p, 64 + 32 * (iter % 4));
        cr_assert_eq(st, PLSTAR_OK, "iteration %d: %s worst ratio %g", iter, res.q[0].name, res.q[0].worst_ratio);
        cr_assert_eq(res.nq, 6);
        for (size_t k = 0; k < res.nq; k++)
            cr_assert(res.q[k].worst_ratio <= 1.0);
        problem_clear(&p);
    }
    gsl_rng_free(r);
}

Test(crosscheck, passes_on_the_demo_and_a_shallow_net)
{
    plstar_problem p;
    problem_init(&p);
    cr_assert_eq(demo_example_problem(&p), PLSTAR_OK);
    crosscheck_result res;
    cr_assert_eq(check_crosscheck(&res, &p, 128), PLSTAR_OK);
    /* the error bounds are not vacuous: the kernel's allowance is far below its size */
    cr_assert(res.q[2].worst_err < 1e-10 * (1 + fabs(res.q[2].worst_mid)));
    problem_clear(&p);
}

/* A perturbation of one fast entry by many allowances must be caught. */
Test(crosscheck, fails_on_a_perturbed_fast_value)
{
    plstar_problem p;
    problem_init(&p);
    cr_assert_eq(demo_example_problem(&p), PLSTAR_OK);
    size_t N = p.N;
    double *K = malloc(N * N * sizeof(double)), *eK = malloc(N * N * sizeof(double));
    fast_kernel_explicit(K, &p.model, p.X.data, p.n, p.w);
    fast_errors e = {.K = eK};
    cr_assert_eq(fast_errbound(&e, &p.model, p.X.data, p.n, p.w, NULL), PLSTAR_OK);
    arb_mat_t R;
    arb_mat_init(R, N, N);
    ref_kernel(R, &p.model, p.X.data, p.n, p.w, 128);
    crosscheck_quantity q;
    cr_assert_eq(crosscheck_compare(&q, "kernel", K, eK, R, N * N), PLSTAR_OK);
    size_t at = 3 * N + 5;
    K[at] *= 1 + 1e-9;
    cr_assert_eq(crosscheck_compare(&q, "kernel", K, eK, R, N * N), PLSTAR_REFUTED);
    cr_assert_eq(q.violations, 1);
    cr_assert_eq(q.worst_index, at);
    cr_assert(q.worst_ratio > 1.0);
    K[at] = NAN;
    cr_assert_eq(crosscheck_compare(&q, "kernel", K, eK, R, N * N), PLSTAR_REFUTED);
    arb_mat_clear(R);
    free(K), free(eK);
    problem_clear(&p);
}

/* Error bounds must dominate the actual error of the fast path. */
Test(crosscheck, error_bounds_dominate_actual_errors_at_scale)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 22);
    plstar_problem p;
    problem_init(&p);
    plstar_model m;
    model_init(&m);
    model_parse_json(&m, "{\"model\":\"mlp\",\"input_dim\":5,\"widths\":[96,96],\"outputs\":2,\"activation\":\"gelu\","
                         "\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":true}", "m");
    size_t n = 6;
    double X[30], y[12], *w = malloc(m.nparams * sizeof(double));
    for (size_t k = 0; k < 30; k++)
        X[k] = gsl_ran_gaussian(r, 3.0);
    for (size_t k = 0; k < 12; k++)
        y[k] = gsl_ran_gaussian(r, 1.0);
    model_init_weights(w, &m, 5);
    problem_set(&p, &m, X, n, w, y);
    crosscheck_result res;
    cr_assert_eq(check_crosscheck(&res, &p, 128), PLSTAR_OK);
    free(w);
    model_clear(&m);
    problem_clear(&p);
    gsl_rng_free(r);
}

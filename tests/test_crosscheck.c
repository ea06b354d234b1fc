/* The cross-check passes on random small models (every activation, one per layer too, bias,
 * several outputs), fails when one fast value is perturbed, and judges
 * non-finite values and bounds explicitly. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/model.h"
#include "core/npy.h"
#include "examples/demo_example.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "proofs-checks/crosscheck.h"
#include "reference/network.h"

/* the i-th activation, cycling through all of them */
static const char *act_at(size_t i) { return plstar_act_name((plstar_act)(i % ACT_COUNT)); }

static void random_mlp(plstar_problem *p, gsl_rng *r, int iter)
{
    char json[512], acts[64];
    size_t d = 1 + gsl_rng_uniform_int(r, 6), n = 1 + gsl_rng_uniform_int(r, 8);
    /* from the fourth round on, the second hidden layer has an activation of its own */
    if (iter < 3 * ACT_COUNT)
        snprintf(acts, sizeof acts, "\"%s\"", act_at((size_t)iter));
    else
        snprintf(acts, sizeof acts, "[\"%s\", \"%s\"]", act_at((size_t)iter), act_at(5 * (size_t)iter + 3));
    snprintf(json, sizeof json,
             "{\"model\":\"mlp\",\"input_dim\":%zu,\"widths\":[%zu,%zu],\"outputs\":%zu,\"activation\":%s,"
             "\"output_activation\":\"%s\",\"bias\":%s,\"scaling\":\"%s\"}",
             d, 1 + gsl_rng_uniform_int(r, 24), 1 + gsl_rng_uniform_int(r, 24), 1 + gsl_rng_uniform_int(r, 3),
             acts, act_at(gsl_rng_uniform_int(r, 3)), gsl_rng_uniform_int(r, 2) ? "true" : "false",
             gsl_rng_uniform_int(r, 2) ? "ntk" : "standard");
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, json, "random"), PLSTAR_OK, "%s", plstar_errmsg());
    double *X = malloc(n * d * sizeof(double)), *w = malloc(m.nparams * sizeof(double));
    double *y = malloc(n * m.outputs * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(r, 1.0);
    for (size_t k = 0; k < n * m.outputs; k++)
        y[k] = gsl_ran_gaussian(r, 1.0);
    plstar_model_init_weights(w, &m, gsl_rng_get(r));
    plstar_problem_init(p);
    cr_assert_eq(plstar_problem_set(p, &m, X, n, w, y), PLSTAR_OK);
    free(X), free(w), free(y);
    plstar_model_clear(&m);
}

Test(crosscheck, passes_on_random_small_models)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 21);
    for (int iter = 0; iter < 45; iter++) {
        plstar_problem p;
        random_mlp(&p, r, iter);
        crosscheck_result res;
        int st = plstar_check_crosscheck(&res, &p, 64 + 32 * (iter % 4));
        cr_assert_eq(st, PLSTAR_OK, "iteration %d: %s worst ratio %g", iter, res.q[0].name, res.q[0].worst_ratio);
        cr_assert_eq(res.nq, 6);
        for (size_t k = 0; k < res.nq; k++)
            cr_assert(res.q[k].worst_ratio <= 1.0);
        plstar_problem_clear(&p);
    }
    gsl_rng_free(r);
}

Test(crosscheck, passes_on_the_demo_and_a_shallow_net)
{
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_demo_example_problem(&p), PLSTAR_OK);
    crosscheck_result res;
    cr_assert_eq(plstar_check_crosscheck(&res, &p, 128), PLSTAR_OK);
    /* the error bounds are not vacuous: the kernel's allowance is far below its size */
    cr_assert(res.q[2].worst_err < 1e-10 * (1 + fabs(res.q[2].worst_mid)));
    plstar_problem_clear(&p);
}

/* A perturbation of one fast entry by many allowances must be caught. */
Test(crosscheck, fails_on_a_perturbed_fast_value)
{
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_demo_example_problem(&p), PLSTAR_OK);
    size_t N = p.N;
    double *K = malloc(N * N * sizeof(double)), *eK = malloc(N * N * sizeof(double));
    plstar_fast_kernel_explicit(K, &p.model, p.X.data, p.n, p.w);
    fast_errors e = {.K = eK};
    cr_assert_eq(plstar_fast_errbound(&e, &p.model, p.X.data, p.n, p.w, NULL), PLSTAR_OK);
    arb_mat_t R;
    arb_mat_init(R, N, N);
    plstar_ref_kernel(R, &p.model, p.X.data, p.n, p.w, 128);
    crosscheck_quantity q;
    cr_assert_eq(plstar_crosscheck_compare(&q, "kernel", K, eK, R, N * N), PLSTAR_OK);
    size_t at = 3 * N + 5;
    K[at] *= 1 + 1e-9;
    cr_assert_eq(plstar_crosscheck_compare(&q, "kernel", K, eK, R, N * N), PLSTAR_REFUTED);
    cr_assert_eq(q.violations, 1);
    cr_assert_eq(q.worst_index, at);
    cr_assert(q.worst_ratio > 1.0);
    K[at] = NAN;
    cr_assert_eq(plstar_crosscheck_compare(&q, "kernel", K, eK, R, N * N), PLSTAR_REFUTED);
    arb_mat_clear(R);
    free(K), free(eK);
    plstar_problem_clear(&p);
}

/* Error bounds must dominate the actual error of the fast path. */
Test(crosscheck, error_bounds_dominate_actual_errors_at_scale)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 22);
    plstar_problem p;
    plstar_problem_init(&p);
    plstar_model m;
    plstar_model_init(&m);
    plstar_model_parse_json(&m, "{\"model\":\"mlp\",\"input_dim\":5,\"widths\":[96,96],\"outputs\":2,\"activation\":\"gelu\","
                         "\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":true}", "m");
    size_t n = 6;
    double X[30], y[12], *w = malloc(m.nparams * sizeof(double));
    for (size_t k = 0; k < 30; k++)
        X[k] = gsl_ran_gaussian(r, 3.0);
    for (size_t k = 0; k < 12; k++)
        y[k] = gsl_ran_gaussian(r, 1.0);
    plstar_model_init_weights(w, &m, 5);
    plstar_problem_set(&p, &m, X, n, w, y);
    crosscheck_result res;
    cr_assert_eq(plstar_check_crosscheck(&res, &p, 128), PLSTAR_OK);
    free(w);
    plstar_model_clear(&m);
    plstar_problem_clear(&p);
    gsl_rng_free(r);
}

/* Non-finite numbers are judged explicitly: a bound of +∞ proves nothing (unbounded, inconclusive),
 * a non-finite fast value or a NaN bound is a violation, and a violation is always the worst entry,
 * ahead of unbounded and passing ones. */
Test(crosscheck, non_finite_values_and_bounds_are_judged_explicitly)
{
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_demo_example_problem(&p), PLSTAR_OK);
    size_t N = p.N, far = 2 * N + 1, near = 3 * N + 5;
    double *K = malloc(N * N * sizeof(double)), *eK = malloc(N * N * sizeof(double));
    plstar_fast_kernel_explicit(K, &p.model, p.X.data, p.n, p.w);
    fast_errors e = {.K = eK};
    cr_assert_eq(plstar_fast_errbound(&e, &p.model, p.X.data, p.n, p.w, NULL), PLSTAR_OK);
    arb_mat_t R;
    arb_mat_init(R, N, N);
    plstar_ref_kernel(R, &p.model, p.X.data, p.n, p.w, 128);
    crosscheck_quantity q;
    eK[far] = INFINITY;
    cr_assert_eq(plstar_crosscheck_compare(&q, "kernel", K, eK, R, N * N), PLSTAR_INCONCLUSIVE);
    cr_assert_eq(q.violations, 0);
    cr_assert_eq(q.unbounded, 1);
    cr_assert_eq(q.worst_index, far);
    cr_assert(isnan(q.worst_ratio) && q.worst_reason && !q.worst_violates);
    K[near] *= 1 + 1e-9; /* a genuine violation outranks the unbounded entry */
    cr_assert_eq(plstar_crosscheck_compare(&q, "kernel", K, eK, R, N * N), PLSTAR_REFUTED);
    cr_assert_eq(q.worst_index, near);
    cr_assert(q.worst_violates && q.worst_ratio > 1.0 && isfinite(q.worst_ratio) && !q.worst_reason);
    K[far] = INFINITY; /* and an infinite fast value outranks it, with a ratio of +∞ and a reason */
    cr_assert_eq(plstar_crosscheck_compare(&q, "kernel", K, eK, R, N * N), PLSTAR_REFUTED);
    cr_assert_eq(q.violations, 2);
    cr_assert_eq(q.worst_index, far);
    cr_assert(isinf(q.worst_ratio) && q.worst_violates && strstr(q.worst_reason, "infinite"));
    K[far] = 1.0, eK[far] = NAN; /* a NaN bound is no bound: a violation */
    cr_assert_eq(plstar_crosscheck_compare(&q, "kernel", K, eK, R, N * N), PLSTAR_REFUTED);
    cr_assert_eq(q.worst_index, far);
    cr_assert(strstr(q.worst_reason, "NaN"));
    arb_mat_clear(R);
    free(K), free(eK);
    plstar_problem_clear(&p);
}

static int run_plstar(const char *dir, const char *args, char *out, size_t len)
{
    const char *exe = getenv("PLSTAR_EXE");
    cr_assert(exe, "PLSTAR_EXE must point at the plstar executable (set by meson test)");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd %s && '%s' %s > out.txt 2> err.txt", dir, exe, args);
    int st = system(cmd);
    snprintf(cmd, sizeof cmd, "%s/out.txt", dir);
    FILE *f = fopen(cmd, "r");
    cr_assert(f);
    size_t got = fread(out, 1, len - 1, f);
    out[got] = '\0';
    fclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* An overflowing softplus (x = 1e300): the fast path overflows where the true values are finite. The
 * check fails (exit 1), every failed quantity reports a violation as its worst entry, every quantity
 * keeps its worst_ratio in the JSON (null with a reason when it is not finite), and no "nan" is
 * printed. */
Test(crosscheck, overflowing_softplus_fails_with_a_violation_as_the_worst_entry)
{
    char dir[] = "/tmp/plstar-cc-XXXXXX", path[256], out[1 << 14];
    cr_assert(mkdtemp(dir));
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[3],\"activation\":\"softplus\","
                                      "\"bias\":false,\"outputs\":1,\"output_activation\":\"linear\",\"scaling\":\"ntk\"}", "softplus"), PLSTAR_OK);
    double X[4] = {1e300, 1.0, 0.5, 2.0}, y[2] = {0.3, 0.1}, *w = malloc(m.nparams * sizeof(double));
    plstar_model_init_weights(w, &m, 1);
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_problem_set(&p, &m, X, 2, w, y), PLSTAR_OK);
    crosscheck_result res;
    cr_assert_eq(plstar_check_crosscheck(&res, &p, 128), PLSTAR_REFUTED);
    for (size_t k = 0; k < res.nq; k++) {
        const crosscheck_quantity *q = &res.q[k];
        if (q->violations)
            cr_assert(q->worst_violates, "%s: %zu violations but the worst entry passes", q->name, q->violations);
        cr_assert(isfinite(q->worst_ratio) || q->worst_reason, "%s: a ratio %g without a reason", q->name,
                  q->worst_ratio);
    }
    cr_assert_str_eq(res.q[2].name, "kernel");
    cr_assert_eq(res.q[2].status, PLSTAR_REFUTED);
    cr_assert(isinf(res.q[2].worst_ratio) && strstr(res.q[2].worst_reason, "fast value is infinite"));
    json_t *rep = plstar_crosscheck_report(&res, &p, 128, PLSTAR_REFUTED);
    json_t *qs = json_object_get(rep, "quantities"), *v;
    const char *key;
    json_object_foreach(qs, key, v) {
        cr_assert(json_object_get(v, "worst_ratio"), "%s: worst_ratio missing", key);
        cr_assert(json_is_real(json_object_get(v, "worst_ratio")) || json_is_string(json_object_get(v, "worst_reason")),
                  "%s: a null worst_ratio without a reason", key);
    }
    json_decref(rep);
    /* the command: exit 1 (fail), no "nan" anywhere, the kernel's worst entry flagged */
    snprintf(path, sizeof path, "%s/m.json", dir);
    FILE *f = fopen(path, "w");
    char *json = plstar_model_to_json(&m);
    fputs(json, f);
    fclose(f);
    free(json);
    snprintf(path, sizeof path, "%s/X.npy", dir);
    cr_assert_eq(plstar_npy_write_matrix(path, X, 2, 2), PLSTAR_OK);
    snprintf(path, sizeof path, "%s/y.npy", dir);
    cr_assert_eq(plstar_npy_write_matrix(path, y, 2, 1), PLSTAR_OK);
    cr_assert_eq(run_plstar(dir, "crosscheck --model m.json --data X.npy --seed 1 --labels y.npy --json cc.json", out,
                            sizeof out), 1, "%s", out);
    cr_assert(!strstr(out, "nan"), "printf's nan or -nan: %s", out); /* a NaN is printed as the word NaN */
    cr_assert(strstr(out, "kernel                     4          1          2   non-finite  [0] +inf"), "%s", out);
    snprintf(path, sizeof path, "%s/cc.json", dir);
    json_error_t jerr;
    rep = json_load_file(path, 0, &jerr);
    cr_assert(rep, "%s", jerr.text);
    json_object_foreach(json_object_get(rep, "quantities"), key, v)
        cr_assert(json_object_get(v, "worst_ratio"), "cc.json: %s has no worst_ratio", key);
    json_decref(rep);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
    free(w);
}

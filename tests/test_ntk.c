/* The structured tangent kernel (fast/ntk.h): equal to the explicit J Jᵀ within
 * the sum of both proven rounding-error bounds, for every activation, several
 * outputs, biases, both scalings, the shallow and linear models and any panel
 * size; inside the reference enclosure widened by its own bound; and a wrong
 * entry is caught. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/model.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "fast/ntk.h"
#include "proofs-checks/crosscheck.h"
#include "reference/network.h"

/* the i-th activation, cycling through all of them */
static const char *act_at(size_t i) { return plstar_act_name((plstar_act)(i % ACT_COUNT)); }

/* kind 0: linear, 1: shallow, else an MLP with 1–3 hidden layers. */
static void random_problem(plstar_problem *p, gsl_rng *r, int iter, int kind)
{
    char json[512];
    size_t d = 1 + gsl_rng_uniform_int(r, 6), n = 1 + gsl_rng_uniform_int(r, 9);
    const char *act = act_at((size_t)iter);
    if (kind == 0)
        snprintf(json, sizeof json, "{\"model\":\"linear\",\"input_dim\":%zu}", d);
    else if (kind == 1)
        snprintf(json, sizeof json, "{\"model\":\"shallow\",\"input_dim\":%zu,\"width\":%zu,\"activation\":\"%s\"}", d,
                 1 + gsl_rng_uniform_int(r, 30), act);
    else {
        char widths[64];
        size_t h = 1 + gsl_rng_uniform_int(r, 3);
        int at = snprintf(widths, sizeof widths, "%zu", 1 + gsl_rng_uniform_int(r, 20));
        for (size_t k = 1; k < h; k++)
            at += snprintf(widths + at, sizeof widths - (size_t)at, ",%zu", 1 + gsl_rng_uniform_int(r, 20));
        snprintf(json, sizeof json,
                 "{\"model\":\"mlp\",\"input_dim\":%zu,\"widths\":[%s],\"outputs\":%zu,\"activation\":\"%s\","
                 "\"output_activation\":\"%s\",\"bias\":%s,\"scaling\":\"%s\"}",
                 d, widths, 1 + gsl_rng_uniform_int(r, 3), act, act_at(gsl_rng_uniform_int(r, ACT_COUNT)),
                 gsl_rng_uniform_int(r, 2) ? "true" : "false", gsl_rng_uniform_int(r, 2) ? "ntk" : "standard");
    }
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, json, "random"), PLSTAR_OK, "%s: %s", json, plstar_errmsg());
    double *X = malloc(n * d * sizeof(double)), *w = malloc(m.nparams * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(r, 1.5);
    plstar_model_init_weights(w, &m, gsl_rng_get(r));
    for (size_t l = 0; l < m.nlayers; l++) /* non-zero biases, so that they matter */
        if (m.layers[l].has_bias)
            for (size_t a = 0; a < m.layers[l].out; a++)
                w[m.layers[l].b_offset + a] = 0.5 * gsl_ran_gaussian(r, 1.0);
    plstar_problem_init(p);
    cr_assert_eq(plstar_problem_set(p, &m, X, n, w, NULL), PLSTAR_OK);
    free(X), free(w);
    plstar_model_clear(&m);
}

static double *vec(size_t len) { return calloc(len ? len : 1, sizeof(double)); }

Test(ntk, structured_equals_explicit_within_the_proven_bounds)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 31);
    for (int iter = 0; iter < 90; iter++) {
        plstar_problem p;
        random_problem(&p, r, iter, iter % 5);
        const plstar_model *m = &p.model;
        size_t N = p.N;
        double *Ks = vec(N * N), *Ke = vec(N * N), *eKs = vec(N * N), *eKe = vec(N * N);
        size_t panel = 1 + gsl_rng_uniform_int(r, p.n);
        cr_assert_eq(plstar_fast_kernel_structured_panel(Ks, m, p.X.data, p.n, p.w, panel), PLSTAR_OK, "%s", plstar_errmsg());
        cr_assert_eq(plstar_fast_kernel_explicit(Ke, m, p.X.data, p.n, p.w), PLSTAR_OK);
        cr_assert_eq(plstar_fast_errbound_kernel_structured(eKs, m, p.X.data, p.n, p.w), PLSTAR_OK);
        fast_errors e = {.K = eKe};
        cr_assert_eq(plstar_fast_errbound(&e, m, p.X.data, p.n, p.w, NULL), PLSTAR_OK);
        for (size_t a = 0; a < N; a++)
            for (size_t b = 0; b < N; b++) {
                size_t k = a * N + b;
                cr_assert(fabs(Ks[k] - Ke[k]) <= eKs[k] + eKe[k], "iter %d (panel %zu) K[%zu,%zu]: %.17g vs %.17g, bound %g + %g",
                          iter, panel, a, b, Ks[k], Ke[k], eKs[k], eKe[k]);
                cr_assert(Ks[k] == Ks[b * N + a], "iter %d: not symmetric at %zu,%zu", iter, a, b);
                /* the bound is a few ulps of the magnitudes, not vacuous */
                cr_assert(eKs[k] <= 1e-9 * (1.0 + fabs(Ks[k])) + 1e-9, "iter %d: bound %g for %g", iter, eKs[k], Ks[k]);
            }
        free(Ks), free(Ke), free(eKs), free(eKe);
        plstar_problem_clear(&p);
    }
    gsl_rng_free(r);
}

/* Every panel height is the same computation up to the proven bound, and the
 * one-panel result is symmetric positive semi-definite on its diagonal. */
Test(ntk, panel_sizes_agree)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 32);
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"mlp\",\"input_dim\":4,\"widths\":[17,9],\"outputs\":2,"
                                      "\"activation\":\"softplus\",\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":true}", "m"), PLSTAR_OK);
    size_t n = 23, N = n * 2;
    double *X = vec(n * 4), *w = vec(m.nparams), *K1 = vec(N * N), *K2 = vec(N * N), *eK = vec(N * N);
    for (size_t k = 0; k < n * 4; k++)
        X[k] = gsl_ran_gaussian(r, 1.0);
    plstar_model_init_weights(w, &m, 9);
    cr_assert_eq(plstar_fast_kernel_structured(K1, &m, X, n, w), PLSTAR_OK);
    cr_assert_eq(plstar_fast_errbound_kernel_structured(eK, &m, X, n, w), PLSTAR_OK);
    for (size_t panel = 1; panel <= n; panel += 3) {
        cr_assert_eq(plstar_fast_kernel_structured_panel(K2, &m, X, n, w, panel), PLSTAR_OK);
        for (size_t k = 0; k < N * N; k++)
            cr_assert(fabs(K1[k] - K2[k]) <= 2 * eK[k], "panel %zu entry %zu", panel, k);
    }
    for (size_t i = 0; i < N; i++)
        cr_assert(K1[i * N + i] >= 0);
    cr_assert(plstar_fast_kernel_structured_flops(&m, n) > 0);
    free(X), free(w), free(K1), free(K2), free(eK);
    plstar_model_clear(&m);
    gsl_rng_free(r);
}

/* Inside the Arb enclosure widened by the bound, at a size where rounding is
 * visible (wide layers, several outputs, biases); a wrong entry is caught. */
Test(ntk, inside_reference_enclosures_and_catches_a_wrong_entry)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 33);
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"mlp\",\"input_dim\":5,\"widths\":[120,80],\"outputs\":2,"
                                      "\"activation\":\"gelu\",\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":true}", "m"), PLSTAR_OK);
    size_t n = 5, N = n * 2;
    double *X = vec(n * 5), *w = vec(m.nparams), *K = vec(N * N), *eK = vec(N * N);
    for (size_t k = 0; k < n * 5; k++)
        X[k] = gsl_ran_gaussian(r, 3.0);
    plstar_model_init_weights(w, &m, 4);
    for (size_t l = 0; l < m.nlayers; l++)
        for (size_t a = 0; a < m.layers[l].out; a++)
            w[m.layers[l].b_offset + a] = gsl_ran_gaussian(r, 1.0);
    cr_assert_eq(plstar_fast_kernel_structured_panel(K, &m, X, n, w, 2), PLSTAR_OK);
    cr_assert_eq(plstar_fast_errbound_kernel_structured(eK, &m, X, n, w), PLSTAR_OK);
    arb_mat_t R;
    arb_mat_init(R, N, N);
    cr_assert_eq(plstar_ref_kernel(R, &m, X, n, w, 160), PLSTAR_OK);
    crosscheck_quantity q;
    cr_assert_eq(plstar_crosscheck_compare(&q, "kernel_structured", K, eK, R, N * N), PLSTAR_OK, "worst ratio %g",
                 q.worst_ratio);
    size_t at = 3 * N + 4;
    K[at] += 1e3 * eK[at] + 1e-9 * fabs(K[at]);
    cr_assert_eq(plstar_crosscheck_compare(&q, "kernel_structured", K, eK, R, N * N), PLSTAR_REFUTED);
    cr_assert_eq(q.worst_index, at);
    arb_mat_clear(R);
    free(X), free(w), free(K), free(eK);
    plstar_model_clear(&m);
    gsl_rng_free(r);
}

/* Closed forms: the linear model's kernel is X Xᵀ exactly computed by dsyrk
 * (multiplication by the unit signal is exact), and a shallow net's is
 * (D Dᵀ) ∘ (X Xᵀ) with D[i,a] = v_a σ′(w_aᵀ x_i)/√m. */
Test(ntk, closed_forms_of_the_linear_and_shallow_models)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"linear\",\"input_dim\":3}", "m"), PLSTAR_OK);
    double X[12] = {1, 2, 3, -1, 0.5, 2, 0, 0, 1, 4, -2, 0.25}, w[3] = {0.1, 0.2, 0.3}, K[16];
    cr_assert_eq(plstar_fast_kernel_structured(K, &m, X, 4, w), PLSTAR_OK);
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++)
            cr_assert_eq(K[i * 4 + j], X[i * 3] * X[j * 3] + X[i * 3 + 1] * X[j * 3 + 1] + X[i * 3 + 2] * X[j * 3 + 2]);
    plstar_model_clear(&m);

    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"shallow\",\"input_dim\":3,\"width\":6,\"activation\":\"tanh\"}", "m"),
                 PLSTAR_OK);
    double ws[18];
    plstar_model_init_weights(ws, &m, 2);
    cr_assert_eq(plstar_fast_kernel_structured(K, &m, X, 4, ws), PLSTAR_OK);
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) {
            double dd = 0, xx = 0;
            for (size_t a = 0; a < 6; a++) {
                double zi = 0, zj = 0, si, sj;
                for (size_t b = 0; b < 3; b++)
                    zi += ws[a * 3 + b] * X[i * 3 + b], zj += ws[a * 3 + b] * X[j * 3 + b];
                si = 1 - tanh(zi) * tanh(zi), sj = 1 - tanh(zj) * tanh(zj);
                dd += si * sj / 6.0; /* v_a² = 1 */
            }
            for (size_t b = 0; b < 3; b++)
                xx += X[i * 3 + b] * X[j * 3 + b];
            cr_assert(fabs(K[i * 4 + j] - dd * xx) <= 1e-12 * (1 + fabs(dd * xx)), "K[%zu,%zu] = %.17g, closed form %.17g",
                      i, j, K[i * 4 + j], dd * xx);
        }
    plstar_model_clear(&m);
}

Test(ntk, refuses_bad_arguments)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"linear\",\"input_dim\":2}", "m"), PLSTAR_OK);
    double X[2] = {1, 2}, w[2] = {0, 0}, K[1], eK[1];
    cr_assert_eq(plstar_fast_kernel_structured(NULL, &m, X, 1, w), PLSTAR_ESOFTWARE);
    cr_assert_eq(plstar_fast_kernel_structured(K, &m, X, 0, w), PLSTAR_ESOFTWARE);
    cr_assert_eq(plstar_fast_errbound_kernel_structured(eK, &m, NULL, 1, w), PLSTAR_ESOFTWARE);
    cr_assert_eq(plstar_fast_kernel_structured(K, &m, X, 1, w), PLSTAR_OK);
    cr_assert_eq(K[0], 5.0);
    plstar_model_clear(&m);
}

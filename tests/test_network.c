/* F, DF, K, L, ∇L: derivatives against central differences, K symmetric PSD,
 * reference enclosures against exact rationals (linear model) and the fast path
 * against the reference at high precision. */
#include <criterion/criterion.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/model.h"
#include "layers/layer.h"
#include "core/report.h"
#include "examples/demo_example.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "reference/eig.h"
#include "reference/network.h"
#include "reference/shallow.h"

static const char *smooth_acts[] = {"tanh", "sigmoid", "softplus", "sin", "erf", "gelu", "linear"};

/* A random small problem: model kind by `kind`, random activation/bias/outputs. */
static void random_problem(plstar_problem *p, gsl_rng *r, int kind)
{
    char json[512];
    size_t d = 1 + gsl_rng_uniform_int(r, 4), n = 1 + gsl_rng_uniform_int(r, 5);
    const char *act = smooth_acts[gsl_rng_uniform_int(r, 7)];
    if (kind == 0)
        snprintf(json, sizeof json, "{\"model\":\"linear\",\"input_dim\":%zu}", d);
    else if (kind == 1)
        snprintf(json, sizeof json, "{\"model\":\"shallow\",\"input_dim\":%zu,\"width\":%zu,\"activation\":\"%s\"}", d,
                 1 + gsl_rng_uniform_int(r, 6), act);
    else {
        /* one activation for both hidden layers, or one each (the list form) */
        char acts[64];
        if (gsl_rng_uniform_int(r, 2))
            snprintf(acts, sizeof acts, "\"%s\"", act);
        else
            snprintf(acts, sizeof acts, "[\"%s\",\"%s\"]", act, smooth_acts[gsl_rng_uniform_int(r, 7)]);
        snprintf(json, sizeof json,
                 "{\"model\":\"mlp\",\"input_dim\":%zu,\"widths\":[%zu,%zu],\"outputs\":%zu,\"activation\":%s,"
                 "\"output_activation\":\"%s\",\"bias\":%s,\"scaling\":\"%s\"}",
                 d, 1 + gsl_rng_uniform_int(r, 5), 1 + gsl_rng_uniform_int(r, 5), 1 + gsl_rng_uniform_int(r, 3), acts,
                 gsl_rng_uniform_int(r, 2) ? "linear" : "tanh", gsl_rng_uniform_int(r, 2) ? "true" : "false",
                 gsl_rng_uniform_int(r, 2) ? "ntk" : "standard");
    }
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, json, "random"), PLSTAR_OK, "%s: %s", json, plstar_errmsg());
    double *X = malloc(n * d * sizeof(double)), *w = malloc(m.nparams * sizeof(double));
    double *y = malloc(n * m.outputs * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(r, 1.0);
    for (size_t k = 0; k < n * m.outputs; k++)
        y[k] = gsl_ran_gaussian(r, 1.0);
    plstar_model_init_weights(w, &m, gsl_rng_get(r));
    for (size_t l = 0; l < m.nlayers; l++) /* non-zero biases, so they matter */
        if (m.layers[l].has_bias)
            for (size_t a = 0; a < m.layers[l].out; a++)
                w[m.layers[l].b_offset + a] = 0.5 * gsl_ran_gaussian(r, 1.0);
    plstar_problem_init(p);
    cr_assert_eq(plstar_problem_set(p, &m, X, n, w, y), PLSTAR_OK);
    free(X), free(w), free(y);
    plstar_model_clear(&m);
}

Test(network, jacobian_matches_central_differences)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    for (int iter = 0; iter < 60; iter++) {
        plstar_problem p;
        random_problem(&p, r, iter % 3);
        size_t N = p.N, P = p.model.nparams;
        double *J = malloc(N * P * sizeof(double)), *Fp = malloc(N * sizeof(double)), *Fm = malloc(N * sizeof(double));
        cr_assert_eq(plstar_fast_jacobian(J, &p.model, p.X.data, p.n, p.w), PLSTAR_OK);
        for (size_t k = 0; k < P; k++) {
            double keep = p.w[k], h = 1e-5 * (1 + fabs(keep));
            p.w[k] = keep + h;
            plstar_fast_outputs(Fp, &p.model, p.X.data, p.n, p.w);
            p.w[k] = keep - h;
            plstar_fast_outputs(Fm, &p.model, p.X.data, p.n, p.w);
            p.w[k] = keep;
            for (size_t i = 0; i < N; i++) {
                double fd = (Fp[i] - Fm[i]) / (2 * h);
                cr_assert(fabs(fd - J[i * P + k]) <= 1e-6 * (1 + fabs(fd)), "iter %d: J[%zu,%zu] = %.12g, difference %.12g",
                          iter, i, k, J[i * P + k], fd);
            }
        }
        free(J), free(Fp), free(Fm);
        plstar_problem_clear(&p);
    }
    gsl_rng_free(r);
}

Test(network, gradient_is_jacobian_transpose_residual)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12);
    for (int iter = 0; iter < 60; iter++) {
        plstar_problem p;
        random_problem(&p, r, iter % 3);
        size_t N = p.N, P = p.model.nparams;
        double *J = malloc(N * P * sizeof(double)), *F = malloc(N * sizeof(double)), *g = malloc(P * sizeof(double));
        double loss, direct = 0;
        plstar_fast_jacobian(J, &p.model, p.X.data, p.n, p.w);
        plstar_fast_outputs(F, &p.model, p.X.data, p.n, p.w);
        cr_assert_eq(plstar_fast_loss_grad(&loss, g, &p.model, p.X.data, p.n, p.w, p.y.data), PLSTAR_OK);
        for (size_t i = 0; i < N; i++)
            direct += 0.5 * (F[i] - p.y.data[i]) * (F[i] - p.y.data[i]);
        cr_assert(fabs(loss - direct) <= 1e-13 * (1 + direct));
        for (size_t k = 0; k < P; k++) {
            double s = 0, sa = 0;
            for (size_t i = 0; i < N; i++)
                s += J[i * P + k] * (F[i] - p.y.data[i]), sa += fabs(J[i * P + k] * (F[i] - p.y.data[i]));
            cr_assert(fabs(s - g[k]) <= 64 * N * 1.2e-16 * (1 + sa), "grad[%zu] %g vs %g", k, g[k], s);
        }
        free(J), free(F), free(g);
        plstar_problem_clear(&p);
    }
    gsl_rng_free(r);
}

Test(network, kernel_symmetric_psd)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 13);
    for (int iter = 0; iter < 40; iter++) {
        plstar_problem p;
        random_problem(&p, r, iter % 3);
        size_t N = p.N;
        double *K = malloc(N * N * sizeof(double)), *ev = malloc(N * sizeof(double));
        cr_assert_eq(plstar_fast_kernel_explicit(K, &p.model, p.X.data, p.n, p.w), PLSTAR_OK);
        double kmax = 0;
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < N; j++) {
                cr_assert_eq(K[i * N + j], K[j * N + i]);
                kmax = fmax(kmax, fabs(K[i * N + j]));
            }
        cr_assert_eq(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', (int)N, K, (int)N, ev), 0);
        cr_assert(ev[0] >= -8.0 * N * p.model.nparams * 1.2e-16 * kmax, "λ_min = %g of a Gram matrix", ev[0]);
        free(K), free(ev);
        plstar_problem_clear(&p);
    }
    gsl_rng_free(r);
}

/* x as an exact rational */
static void fmpq_set_double(fmpq_t q, double x)
{
    int e;
    double mant = frexp(x, &e);
    fmpz_t num;
    fmpz_init(num);
    fmpz_set_d(num, ldexp(mant, 53));
    fmpz_set(fmpq_numref(q), num);
    fmpz_one(fmpq_denref(q));
    if (e - 53 >= 0)
        fmpq_mul_2exp(q, q, (ulong)(e - 53));
    else
        fmpq_div_2exp(q, q, (ulong)(53 - e));
    fmpz_clear(num);
}

Test(network, linear_model_reference_contains_exact_rationals)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 14);
    for (int iter = 0; iter < 30; iter++) {
        size_t n = 1 + gsl_rng_uniform_int(r, 6), P = 1 + gsl_rng_uniform_int(r, 8);
        slong prec = 32 + (slong)gsl_rng_uniform_int(r, 200);
        plstar_model m;
        plstar_model_init(&m);
        plstar_model_parse_json(&m, "{\"model\":\"linear\"}", "linear");
        plstar_model_set_input_dim(&m, P);
        double A[64], w[8], y[8];
        for (size_t k = 0; k < n * P; k++)
            A[k] = gsl_ran_gaussian(r, 1.0) * pow(2, (double)gsl_rng_uniform_int(r, 40) - 20);
        for (size_t k = 0; k < P; k++)
            w[k] = gsl_ran_gaussian(r, 1.0);
        for (size_t k = 0; k < n; k++)
            y[k] = gsl_ran_gaussian(r, 1.0);
        fmpq_mat_t Aq, Atq, wq, Fq, Kq, Gq;
        fmpq_mat_init(Aq, n, P), fmpq_mat_init(Atq, P, n), fmpq_mat_init(wq, P, 1);
        fmpq_mat_init(Fq, n, 1), fmpq_mat_init(Kq, n, n), fmpq_mat_init(Gq, P, 1);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < P; j++) {
                fmpq_set_double(fmpq_mat_entry(Aq, i, j), A[i * P + j]);
                fmpq_set(fmpq_mat_entry(Atq, j, i), fmpq_mat_entry(Aq, i, j));
            }
        for (size_t j = 0; j < P; j++)
            fmpq_set_double(fmpq_mat_entry(wq, j, 0), w[j]);
        fmpq_mat_mul(Fq, Aq, wq);
        fmpq_mat_mul(Kq, Aq, Atq);
        fmpq_mat_t rq;
        fmpq_mat_init(rq, n, 1);
        fmpq_t lq, t;
        fmpq_init(lq), fmpq_init(t);
        for (size_t i = 0; i < n; i++) {
            fmpq_set_double(t, y[i]);
            fmpq_sub(fmpq_mat_entry(rq, i, 0), fmpq_mat_entry(Fq, i, 0), t);
            fmpq_addmul(lq, fmpq_mat_entry(rq, i, 0), fmpq_mat_entry(rq, i, 0));
        }
        fmpq_div_2exp(lq, lq, 1);
        fmpq_mat_mul(Gq, Atq, rq);

        arb_mat_t F, J, K, G;
        arb_t L;
        arb_mat_init(F, n, 1), arb_mat_init(J, n, P), arb_mat_init(K, n, n), arb_mat_init(G, P, 1);
        arb_init(L);
        plstar_ref_outputs(F, &m, A, n, w, prec);
        plstar_ref_jacobian(J, &m, A, n, w, prec);
        plstar_ref_kernel(K, &m, A, n, w, prec);
        plstar_ref_loss_grad(L, G, &m, A, n, w, y, prec);
        for (size_t i = 0; i < n; i++) {
            cr_assert(arb_contains_fmpq(arb_mat_entry(F, i, 0), fmpq_mat_entry(Fq, i, 0)));
            for (size_t j = 0; j < P; j++)
                cr_assert(arb_contains_fmpq(arb_mat_entry(J, i, j), fmpq_mat_entry(Aq, i, j)));
            for (size_t j = 0; j < n; j++)
                cr_assert(arb_contains_fmpq(arb_mat_entry(K, i, j), fmpq_mat_entry(Kq, i, j)), "iter %d prec %ld", iter, (long)prec);
        }
        for (size_t j = 0; j < P; j++)
            cr_assert(arb_contains_fmpq(arb_mat_entry(G, j, 0), fmpq_mat_entry(Gq, j, 0)));
        cr_assert(arb_contains_fmpq(L, lq));
        arb_mat_clear(F), arb_mat_clear(J), arb_mat_clear(K), arb_mat_clear(G), arb_clear(L);
        fmpq_mat_clear(Aq), fmpq_mat_clear(Atq), fmpq_mat_clear(wq), fmpq_mat_clear(Fq), fmpq_mat_clear(Kq);
        fmpq_mat_clear(Gq), fmpq_mat_clear(rq), fmpq_clear(lq), fmpq_clear(t);
        plstar_model_clear(&m);
    }
    gsl_rng_free(r);
}

/* The foundation's example: fast K within 1e-12 of the truth, reference radius ≤ 1e-30 relative. */
Test(network, demo_mlp_fast_vs_reference)
{
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_demo_example_problem(&p), PLSTAR_OK);
    size_t N = p.N;
    double *K = malloc(N * N * sizeof(double));
    cr_assert_eq(plstar_fast_kernel_explicit(K, &p.model, p.X.data, p.n, p.w), PLSTAR_OK);
    arb_mat_t R, H;
    arb_mat_init(R, N, N), arb_mat_init(H, N, N);
    plstar_ref_kernel(R, &p.model, p.X.data, p.n, p.w, 128);
    plstar_ref_kernel(H, &p.model, p.X.data, p.n, p.w, 512);
    double kmax = 0;
    for (size_t k = 0; k < N * N; k++)
        kmax = fmax(kmax, fabs(K[k]));
    for (size_t k = 0; k < N * N; k++) {
        arb_ptr hi = H->entries + k, lo = R->entries + k;
        cr_assert(arb_overlaps(hi, lo));
        double truth = arf_get_d(arb_midref(hi), ARF_RND_NEAR);
        cr_assert(fabs(K[k] - truth) <= 1e-12 * kmax, "K[%zu] = %.17g, truth %.17g", k, K[k], truth);
        double rel = mag_get_d(arb_radref(lo)) / fabs(truth);
        cr_assert(rel <= 1e-30, "relative radius %g at 128 bits", rel);
    }
    arb_mat_clear(R), arb_mat_clear(H);
    free(K);
    plstar_problem_clear(&p);
}

/* Enclosures at different precisions must intersect (each contains the truth). */
Test(network, reference_precisions_consistent)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 15);
    for (int iter = 0; iter < 30; iter++) {
        plstar_problem p;
        random_problem(&p, r, iter % 3);
        size_t N = p.N, P = p.model.nparams;
        arb_mat_t J1, J2, K1, K2;
        arb_mat_init(J1, N, P), arb_mat_init(J2, N, P), arb_mat_init(K1, N, N), arb_mat_init(K2, N, N);
        plstar_ref_jacobian(J1, &p.model, p.X.data, p.n, p.w, 40);
        plstar_ref_jacobian(J2, &p.model, p.X.data, p.n, p.w, 300);
        plstar_ref_kernel(K1, &p.model, p.X.data, p.n, p.w, 40);
        plstar_ref_kernel(K2, &p.model, p.X.data, p.n, p.w, 300);
        for (size_t k = 0; k < N * P; k++)
            cr_assert(arb_overlaps(J1->entries + k, J2->entries + k));
        for (size_t k = 0; k < N * N; k++)
            cr_assert(arb_overlaps(K1->entries + k, K2->entries + k));
        /* and K = J Jᵀ: the kernel from the Jacobian overlaps the structured kernel */
        arb_mat_t Jt, KJ;
        arb_mat_init(Jt, P, N), arb_mat_init(KJ, N, N);
        arb_mat_transpose(Jt, J2);
        arb_mat_mul(KJ, J2, Jt, 300);
        for (size_t k = 0; k < N * N; k++)
            cr_assert(arb_overlaps(KJ->entries + k, K2->entries + k));
        arb_mat_clear(Jt), arb_mat_clear(KJ);
        arb_mat_clear(J1), arb_mat_clear(J2), arb_mat_clear(K1), arb_mat_clear(K2);
        plstar_problem_clear(&p);
    }
    gsl_rng_free(r);
}

/* The kernel of the route the checks use and its eigenvalue enclosures at `prec`;
 * returns the largest radius over K's entries, λ_min and λ_max, relative to ‖K‖. */
static double kernel_relative_width(const char *json, const double *X, size_t n, unsigned long seed, slong prec)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, json, "width"), PLSTAR_OK, "%s", json);
    double *w = malloc(m.nparams * sizeof(double));
    plstar_model_init_weights(w, &m, seed);
    arb_mat_t K;
    arb_t lmin, lmax;
    arb_mat_init(K, n, n), arb_init(lmin), arb_init(lmax);
    cr_assert_eq(plstar_ref_kernel_outputs_best(K, NULL, &m, X, n, w, prec), PLSTAR_OK);
    cr_assert_eq(plstar_ref_eig_bounds(lmin, lmax, K, prec), PLSTAR_OK);
    double norm = plstar_arb_upper_d(lmax), width = fmax(mag_get_d(arb_radref(lmin)), mag_get_d(arb_radref(lmax)));
    for (size_t k = 0; k < n * n; k++)
        width = fmax(width, mag_get_d(arb_radref(K->entries + k)));
    cr_assert(norm > 0, "%s: K = 0", json);
    arb_mat_clear(K), arb_clear(lmin), arb_clear(lmax);
    free(w);
    plstar_model_clear(&m);
    return width / norm;
}

/* --prec means what it says on every model: at 256 bits a shallow kernel's
 * entries and λ intervals are as narrow as an MLP's (relative width ≤ 1e−30),
 * for every activation; a pre-activation rounded to double would leave ~1e−16. */
Test(network, shallow_kernel_as_narrow_as_mlp_at_high_precision)
{
    static const char *acts[] = {"tanh", "sigmoid", "softplus", "sin", "erf", "gelu", "linear", "relu", "leaky_relu"};
    size_t n = 8, d = 4;
    double *X = malloc(n * d * sizeof(double));
    plstar_demo_sphere_data(X, n, d, 21);
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++) {
        char shallow[256], mlp[256];
        snprintf(shallow, sizeof shallow, "{\"model\":\"shallow\",\"input_dim\":%zu,\"width\":40,\"activation\":\"%s\"}",
                 d, acts[a]);
        snprintf(mlp, sizeof mlp, "{\"model\":\"mlp\",\"input_dim\":%zu,\"widths\":[40],\"activation\":\"%s\",\"outputs\":1,\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}", d,
                 acts[a]);
        double ws = kernel_relative_width(shallow, X, n, 30 + a, 256), wm = kernel_relative_width(mlp, X, n, 30 + a, 256);
        cr_assert(wm <= 1e-30, "%s MLP: relative width %g", acts[a], wm);
        cr_assert(ws <= 1e-30, "%s shallow: relative width %g (MLP %g)", acts[a], ws, wm);
    }
    free(X);
}

/* Every layer kind has every operation (layers/layer.h): a kind with a missing one fails here, not in a pass. */
Test(layers, every_kind_has_every_operation)
{
    for (int k = 0; k < LAYER_KIND_COUNT; k++) {
        plstar_layer L = {.kind = (plstar_layer_kind)k};
        const plstar_layer_ops *ops = layer_ops(&L);
        cr_assert(ops && ops->name && ops->name[0], "kind %d has no name", k);
        cr_assert(ops->apply && ops->apply_transpose && ops->weight_gradient && ops->kernel_panel &&
                      ops->apply_flops && ops->kernel_flops,
                  "%s: a binary64 operation is missing", ops->name);
        cr_assert(ops->ref_weights && ops->ref_apply && ops->ref_apply_transpose && ops->ref_weight_gradient &&
                      ops->ref_weight_jacobian,
                  "%s: an Arb operation is missing", ops->name);
    }
}

/* The bounds written for dense layers only refuse any other kind instead of bounding it as if it were dense. */
Test(layers, dense_only_bounds_refuse_other_kinds)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[3],\"outputs\":1,"
                                                "\"activation\":\"tanh\",\"output_activation\":\"linear\","
                                                "\"scaling\":\"ntk\",\"bias\":true}", "m"),
                 PLSTAR_OK);
    cr_assert_eq(layer_model_dense_only(&m, "test"), PLSTAR_OK);
    double X[4] = {0.1, -0.2, 0.3, 0.4}, w[64] = {0}, eK[4];
    cr_assert(m.nparams <= 64);
    cr_assert_eq(plstar_fast_errbound_kernel_structured(eK, &m, X, 2, w), PLSTAR_OK);
    m.layers[0].kind = LAYER_KIND_COUNT; /* a kind the dense-only bounds do not know */
    cr_assert_eq(layer_model_dense_only(&m, "test"), PLSTAR_ESOFTWARE);
    cr_assert_eq(plstar_fast_errbound_kernel_structured(eK, &m, X, 2, w), PLSTAR_ESOFTWARE);
    cr_assert(strstr(plstar_errmsg(), "not dense"), "%s", plstar_errmsg());
    m.layers[0].kind = LAYER_DENSE;
    plstar_model_clear(&m);
}

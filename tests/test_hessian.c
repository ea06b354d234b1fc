/* Hessian and Lipschitz bounds over a ball (reference/hessian.h; docs/theory.md §3,
 * §5 Theorem 5): the certified L_F, β_F (per row), c_B and ‖K(w) − K(w0)‖₂
 * bounds are never exceeded by the brute-force values at ≥ 10^4 random points
 * of B(w0, R) per bound, over small MLPs of depth 1–3, widths 4–16, six C²
 * activations, bias on/off, 1–2 outputs, linear and non-linear output layers.
 * The brute-force values: ‖DF(w)‖₂ from the fast Jacobian and LAPACK, ‖H_{F_r}(w)‖₂
 * from the exact double Hessian (forward-over-backward, fast/hessian.h, checked
 * against central differences here) and LAPACK. Tolerance for their rounding:
 * relative 64·P·ε (P ≤ 700 parameters, so ≤ 1e-11), absolute 1e-12.
 * Also: the spectral-norm bound of a matrix, first-order activations refused,
 * the shallow/linear special cases, the width decay, and the MLP ball verdicts
 * of proofs-checks/ball.h. */
#include <criterion/criterion.h>
#include <float.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/model.h"
#include "core/report.h"
#include "examples/demo_example.h"
#include "fast/hessian.h"
#include "fast/network.h"
#include "proofs-checks/ball.h"
#include "reference/eig.h"
#include "reference/hessian.h"
#include "reference/network.h"

#define PREC 128

void openblas_set_num_threads(int); /* OpenBLAS (its cblas.h clashes with GSL's) */

static double sym_norm(const double *A, size_t n)
{
    double *B = malloc(n * n * sizeof(double)), *ev = malloc(n * sizeof(double));
    memcpy(B, A, n * n * sizeof(double));
    cr_assert_eq(LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)n, B, (lapack_int)n, ev), 0);
    double r = fmax(fabs(ev[0]), fabs(ev[n - 1]));
    free(B), free(ev);
    return r;
}

/* σ_max of a rows × cols matrix (LAPACK). */
/* LAPACK's σ_max(A) (rows × cols, row-major), and in *lower a proven lower bound on the exact σ_max: ‖Av‖/‖v‖ for
 * LAPACK's right singular vector v, enclosed in Arb. LAPACK's own value may exceed the exact one by a few ulp, so
 * soundness is asserted against *lower, tightness against the return value. */
static double svd_max(const double *A, size_t rows, size_t cols, double *lower)
{
    size_t k = rows < cols ? rows : cols;
    double *B = malloc(rows * cols * sizeof(double)), *s = malloc(k * sizeof(double)), *sup = malloc(k * sizeof(double));
    double *vt = malloc(k * cols * sizeof(double));
    memcpy(B, A, rows * cols * sizeof(double));
    cr_assert_eq(LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'S', (lapack_int)rows, (lapack_int)cols, B, (lapack_int)cols,
                                s, NULL, 1, vt, (lapack_int)cols, sup), 0);
    arb_t av, t, x, y, vv;
    arb_init(av), arb_init(t), arb_init(x), arb_init(y), arb_init(vv);
    for (size_t i = 0; i < rows; i++) {
        arb_zero(t);
        for (size_t j = 0; j < cols; j++) {
            arb_set_d(x, A[i * cols + j]);
            arb_set_d(y, vt[j]);
            arb_addmul(t, x, y, PREC);
        }
        arb_addmul(av, t, t, PREC);
    }
    for (size_t j = 0; j < cols; j++)
        arb_set_d(x, vt[j]), arb_addmul(vv, x, x, PREC);
    arb_div(t, av, vv, PREC);
    arb_sqrtpos(t, t, PREC);
    arf_t lo;
    arf_init(lo);
    arb_get_lbound_arf(lo, t, PREC);
    *lower = arf_get_d(lo, ARF_RND_DOWN);
    arf_clear(lo);
    arb_clear(av), arb_clear(t), arb_clear(x), arb_clear(y), arb_clear(vv);
    double r = s[0];
    free(B), free(s), free(sup), free(vt);
    return r;
}

typedef struct {
    size_t d, n, c, depth, width[3];
    const char *act, *out_act;
    int bias;
    int points;
} config;

static void make_model(plstar_model *m, const config *cf)
{
    char json[512], widths[64] = "";
    for (size_t l = 0; l < cf->depth; l++)
        snprintf(widths + strlen(widths), sizeof widths - strlen(widths), "%s%zu", l ? "," : "", cf->width[l]);
    snprintf(json, sizeof json,
             "{\"model\":\"mlp\",\"input_dim\":%zu,\"widths\":[%s],\"outputs\":%zu,\"activation\":\"%s\","
             "\"output_activation\":\"%s\",\"scaling\":\"ntk\",\"bias\":%s}",
             cf->d, widths, cf->c, cf->act, cf->out_act, cf->bias ? "true" : "false");
    plstar_model_init(m);
    cr_assert_eq(plstar_model_parse_json(m, json, "test"), PLSTAR_OK, "%s", plstar_errmsg());
}

/* w0 from the seed, with random biases so that the bias paths are exercised. */
static void make_weights(double *w, const plstar_model *m, gsl_rng *r, unsigned long seed)
{
    plstar_model_init_weights(w, m, seed);
    for (size_t l = 0; l < m->nlayers; l++)
        if (m->layers[l].has_bias)
            for (size_t j = 0; j < m->layers[l].out; j++)
                w[m->layers[l].b_offset + j] = gsl_ran_gaussian(r, 0.5);
}

/* A random point of B(w0, R): mode 0 uniform in the ball, 1 on the sphere,
 * 2 on the sphere within one random layer's parameters, 3 uniform radius. */
static double random_point(double *w, const double *w0, const plstar_model *m, double R, int mode, gsl_rng *r)
{
    size_t P = m->nparams, lo = 0, hi = P;
    if (mode == 2) {
        size_t l = gsl_rng_uniform_int(r, m->nlayers);
        lo = m->layers[l].w_offset;
        hi = m->layers[l].b_offset + (m->layers[l].has_bias ? m->layers[l].out : 0);
    }
    double norm = 0;
    for (size_t k = 0; k < P; k++) {
        w[k] = (k >= lo && k < hi) ? gsl_ran_gaussian(r, 1.0) : 0.0;
        norm += w[k] * w[k];
    }
    double rad = mode == 0 ? R * pow(gsl_rng_uniform(r), 1.0 / (double)(hi - lo)) : mode == 3 ? R * gsl_rng_uniform(r) : R;
    double dist = 0;
    for (size_t k = 0; k < P; k++) {
        w[k] = w0[k] + rad / sqrt(norm) * w[k];
        dist += (w[k] - w0[k]) * (w[k] - w0[k]);
    }
    return sqrt(dist);
}

static const config configs[] = {
    /* d  n  c  depth widths        act         out        bias points */
    {3, 3, 1, 1, {4}, "tanh", "linear", 0, 1200},
    {3, 3, 1, 2, {5, 5}, "tanh", "linear", 0, 1200},
    {2, 3, 2, 2, {4, 6}, "sigmoid", "linear", 1, 700},
    {3, 3, 1, 2, {6, 4}, "softplus", "linear", 1, 700},
    {3, 2, 1, 3, {4, 4, 4}, "sin", "linear", 0, 700},
    {2, 3, 1, 2, {5, 5}, "erf", "linear", 1, 700},
    {3, 3, 1, 2, {4, 5}, "gelu", "linear", 0, 700},
    {3, 3, 2, 1, {6}, "tanh", "tanh", 1, 700},
    {2, 3, 1, 2, {4, 4}, "tanh", "sigmoid", 0, 700},
    {3, 2, 1, 2, {5, 4}, "softplus", "erf", 1, 700},
    {3, 3, 1, 3, {5, 4, 6}, "tanh", "linear", 1, 600},
    {3, 2, 2, 2, {8, 8}, "gelu", "linear", 0, 400},
    {3, 3, 1, 2, {16, 16}, "tanh", "linear", 0, 150},
    {2, 2, 2, 3, {6, 6, 6}, "sigmoid", "softplus", 1, 300},
    {3, 3, 1, 1, {12}, "sin", "linear", 1, 400},
    {4, 2, 1, 2, {10, 6}, "erf", "linear", 0, 300},
};

Test(hessian, hvp_matches_central_differences)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    for (size_t cfi = 0; cfi < sizeof configs / sizeof *configs; cfi += 3) {
        const config *cf = &configs[cfi];
        plstar_model m;
        make_model(&m, cf);
        size_t P = m.nparams, n = cf->n, d = cf->d, c = cf->c, N = n * c;
        double *X = malloc(n * d * sizeof(double)), *w = malloc(P * sizeof(double)), *wp = malloc(P * sizeof(double));
        double *H = malloc(P * P * sizeof(double)), *Jp = malloc(N * P * sizeof(double)), *Jm = malloc(N * P * sizeof(double));
        plstar_demo_sphere_data(X, n, d, 11 + cfi);
        make_weights(w, &m, r, 3 + cfi);
        size_t row = N - 1, i = row / c, k = row % c;
        cr_assert_eq(plstar_fast_hessian_full(H, &m, X + i * d, k, w), PLSTAR_OK);
        double h = 1e-5, err = 0, scale = 0;
        for (size_t j = 0; j < P; j++) {
            memcpy(wp, w, P * sizeof(double));
            wp[j] += h;
            plstar_fast_jacobian(Jp, &m, X, n, wp);
            wp[j] -= 2 * h;
            plstar_fast_jacobian(Jm, &m, X, n, wp);
            for (size_t q = 0; q < P; q++) {
                double fd = (Jp[row * P + q] - Jm[row * P + q]) / (2 * h);
                err = fmax(err, fabs(fd - H[q * P + j]));
                scale = fmax(scale, fabs(H[q * P + j]));
            }
        }
        cr_assert(err <= 1e-6 * (1 + scale), "config %zu: Hessian vs central differences: %g", cfi, err);
        free(X), free(w), free(wp), free(H), free(Jp), free(Jm);
        plstar_model_clear(&m);
    }
    gsl_rng_free(r);
}

Test(hessian, lanczos_norm_matches_full)
{
    const config *cf = &configs[12];
    plstar_model m;
    make_model(&m, cf);
    size_t P = m.nparams;
    double X[3], *w = malloc(P * sizeof(double)), *H = malloc(P * P * sizeof(double));
    plstar_demo_sphere_data(X, 1, 3, 9);
    plstar_model_init_weights(w, &m, 4);
    plstar_fast_hessian_full(H, &m, X, 0, w);
    double exact = sym_norm(H, P), est;
    cr_assert_eq(plstar_fast_hessian_norm_lanczos(&est, &m, X, 0, w, 120, 1), PLSTAR_OK);
    cr_assert(fabs(est - exact) <= 1e-8 * exact, "Lanczos %g vs dsyevd %g", est, exact);
    free(w), free(H);
    plstar_model_clear(&m);
}

Test(hessian, matrix_norm2_upper_is_sound_and_tight)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 17);
    const size_t shapes[][2] = {{1, 7}, {7, 1}, {5, 3}, {40, 90}, {96, 96}, {97, 120}, {300, 200}, {150, 400}};
    arb_t b;
    arb_init(b);
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        size_t rows = shapes[s][0], cols = shapes[s][1];
        double *A = malloc(rows * cols * sizeof(double));
        for (size_t k = 0; k < rows * cols; k++)
            A[k] = gsl_ran_gaussian(r, 1.0) * (s % 2 ? 1e-3 : 1.0);
        cr_assert_eq(plstar_ref_matrix_norm2_upper(b, A, rows, cols, PREC), PLSTAR_OK);
        double lower, exact = svd_max(A, rows, cols, &lower), ub = plstar_arb_upper_d(b);
        cr_assert(ub >= lower, "%zu x %zu: bound %.17g below a proven lower bound %.17g of sigma_max", rows, cols, ub,
                  lower);
        cr_assert(lower >= exact * (1 - 1e-12), "%zu x %zu: the test's lower bound %.17g is loose", rows, cols, lower);
        cr_assert(ub <= exact * (1 + 1e-6), "%zu x %zu: bound %.17g not tight (sigma_max %.17g)", rows, cols, ub, exact);
        free(A);
    }
    arb_clear(b);
    gsl_rng_free(r);
}

Test(hessian, refuses_first_order_activations)
{
    const char *jsons[] = {
        "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[4],\"outputs\":1,\"activation\":\"relu\",\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}",
        "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[4],\"outputs\":1,\"activation\":\"tanh\",\"output_activation\":\"leaky_relu\",\"scaling\":\"ntk\",\"bias\":false}"};
    for (int t = 0; t < 2; t++) {
        plstar_model m;
        plstar_model_init(&m);
        cr_assert_eq(plstar_model_parse_json(&m, jsons[t], "t"), PLSTAR_OK);
        double X[4] = {1, 0, 0, 1}, *w = malloc(m.nparams * sizeof(double));
        plstar_model_init_weights(w, &m, 1);
        ref_hessian_ctx ctx;
        plstar_ref_hessian_ctx_init(&ctx);
        cr_assert_eq(plstar_ref_hessian_ctx_set(&ctx, &m, X, 2, w, PREC), PLSTAR_EUSAGE);
        cr_assert(strstr(plstar_errmsg(), "not twice differentiable"), "message: %s", plstar_errmsg());
        plstar_ref_hessian_ctx_clear(&ctx);
        ref_hessian_bounds hb;
        plstar_ref_hessian_bounds_init(&hb);
        cr_assert_eq(plstar_ref_hessian_bounds_compute(&hb, &ctx, 1.0, NULL, PREC), PLSTAR_EUSAGE);
        plstar_ref_hessian_bounds_clear(&hb);
        free(w);
        plstar_model_clear(&m);
    }
}

/* The special cases: shallow (β = max_j |σ″(z0_j)| ‖x‖²/√m at R = 0, exactly the
 * structure of Appendix C) and linear (β = 0, c_B = 0). */
Test(hessian, shallow_and_linear_special_cases)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"shallow\",\"input_dim\":3,\"width\":50,\"activation\":\"tanh\"}", "s"),
                 PLSTAR_OK);
    double X[6], *w = malloc(m.nparams * sizeof(double));
    plstar_demo_sphere_data(X, 2, 3, 4);
    plstar_model_init_weights(w, &m, 2);
    ref_hessian_bounds hb;
    plstar_ref_hessian_bounds_init(&hb);
    cr_assert_eq(plstar_ref_hessian_bounds_ball(&hb, &m, X, 2, w, 0.0, PREC), PLSTAR_OK);
    for (size_t i = 0; i < 2; i++) {
        double s2max = 0;
        for (size_t j = 0; j < 50; j++) {
            double z = 0, s2;
            for (size_t a = 0; a < 3; a++)
                z += w[j * 3 + a] * X[i * 3 + a];
            plstar_act_eval_d(ACT_TANH, z, NULL, NULL, &s2);
            s2max = fmax(s2max, fabs(s2));
        }
        double exact = s2max / sqrt(50.0); /* ‖x_i‖ = 1 */
        cr_assert(hb.beta_rows[i] >= exact * (1 - 1e-12) && hb.beta_rows[i] <= exact * (1 + 1e-9),
                  "shallow row %zu: %.17g vs %.17g", i, hb.beta_rows[i], exact);
    }
    plstar_ref_hessian_bounds_clear(&hb);
    free(w);
    plstar_model_clear(&m);

    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"linear\",\"input_dim\":4}", "l"), PLSTAR_OK);
    double A[12], v[4] = {1, -2, 0.5, 3};
    plstar_demo_sphere_data(A, 3, 4, 8);
    plstar_ref_hessian_bounds_init(&hb);
    cr_assert_eq(plstar_ref_hessian_bounds_ball(&hb, &m, A, 3, v, 10.0, PREC), PLSTAR_OK);
    cr_assert(arb_is_zero(hb.hess_max) && arb_is_zero(hb.jac_lipschitz) && arb_is_zero(hb.kernel_change));
    double sigma_lower;
    svd_max(A, 3, 4, &sigma_lower);
    cr_assert(plstar_arb_upper_d(hb.lipschitz) >= sigma_lower);
    plstar_ref_hessian_bounds_clear(&hb);
    plstar_model_clear(&m);
}

/* The main soundness test. */
Test(hessian, bounds_never_exceeded_at_random_points, .timeout = 300)
{
    openblas_set_num_threads(1); /* tiny matrices: threads only add overhead */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2022);
    size_t pts_L = 0, pts_beta = 0, pts_c = 0, pts_K = 0, rows_beta = 0;
    double worst_L = 0, worst_beta = 0, worst_c = 0, worst_K = 0;
    for (size_t cfi = 0; cfi < sizeof configs / sizeof *configs; cfi++) {
        const config *cf = &configs[cfi];
        plstar_model m;
        make_model(&m, cf);
        size_t P = m.nparams, n = cf->n, d = cf->d, c = cf->c, N = n * c;
        double tol = 64.0 * (double)P * DBL_EPSILON;
        double *X = malloc(n * d * sizeof(double)), *w0 = malloc(P * sizeof(double)), *w = malloc(P * sizeof(double));
        double *J0 = malloc(N * P * sizeof(double)), *J = malloc(N * P * sizeof(double));
        double *K0 = malloc(N * N * sizeof(double)), *K = malloc(N * N * sizeof(double));
        double *H = malloc(P * P * sizeof(double));
        plstar_demo_sphere_data(X, n, d, 100 + cfi);
        double xs = 0.5 + 1.5 * gsl_rng_uniform(r); /* inputs of norm 0.5–2 */
        for (size_t k = 0; k < n * d; k++)
            X[k] *= xs;
        make_weights(w0, &m, r, 300 + cfi);
        plstar_fast_jacobian(J0, &m, X, n, w0);
        plstar_fast_kernel_explicit(K0, &m, X, n, w0);
        ref_hessian_ctx ctx;
        plstar_ref_hessian_ctx_init(&ctx);
        cr_assert_eq(plstar_ref_hessian_ctx_set(&ctx, &m, X, n, w0, PREC), PLSTAR_OK, "%s", plstar_errmsg());
        /* a ≥ ‖DF(w0)‖₂ from the reference kernel, as proofs-checks/ball.c does */
        arb_mat_t Kr;
        arb_t lmin, lmax;
        arb_mat_init(Kr, (slong)N, (slong)N), arb_init(lmin), arb_init(lmax);
        cr_assert_eq(plstar_ref_kernel(Kr, &m, X, n, w0, PREC), PLSTAR_OK);
        cr_assert(plstar_ref_eig_bounds(lmin, lmax, Kr, PREC) <= PLSTAR_INCONCLUSIVE);
        arb_sqrtpos(lmax, lmax, PREC);
        ref_hessian_bounds hb;
        plstar_ref_hessian_bounds_init(&hb);
        /* R = 0: the bounds at the point */
        cr_assert_eq(plstar_ref_hessian_bounds_compute(&hb, &ctx, 0.0, lmax, PREC), PLSTAR_OK);
        for (size_t row = 0; row < N; row++) {
            plstar_fast_hessian_full(H, &m, X + (row / c) * d, row % c, w0);
            double h = sym_norm(H, P);
            cr_assert(h <= hb.beta_rows[row] * (1 + tol) + 1e-12, "config %zu R=0 row %zu: |H| %g > %g", cfi, row, h,
                      hb.beta_rows[row]);
        }
        for (int t = 0; t < cf->points; t++) {
            if (t % 50 == 0) { /* a new radius every 50 points, log-uniform in [0.01, 3] */
                double R = 0.01 * pow(300.0, gsl_rng_uniform(r));
                cr_assert_eq(plstar_ref_hessian_bounds_compute(&hb, &ctx, R, lmax, PREC), PLSTAR_OK);
            }
            double R = hb.radius, dist = random_point(w, w0, &m, R, t % 4, r);
            double LF = plstar_arb_upper_d(hb.lipschitz), cB = plstar_arb_upper_d(hb.jac_lipschitz);
            double dK = plstar_arb_upper_d(hb.kernel_change), beta = plstar_arb_upper_d(hb.hess_max);
            plstar_fast_jacobian(J, &m, X, n, w);
            plstar_fast_kernel_explicit(K, &m, X, n, w);
            /* L_F */
            double nDF = sqrt(sym_norm(K, N));
            cr_assert(nDF <= LF * (1 + tol) + 1e-12, "config %zu R=%g: |DF| %.17g > L_F %.17g", cfi, R, nDF, LF);
            worst_L = fmax(worst_L, nDF / LF), pts_L++;
            /* c_B */
            double dJ = 0;
            for (size_t k = 0; k < N * P; k++)
                dJ += (J[k] - J0[k]) * (J[k] - J0[k]);
            dJ = sqrt(dJ);
            cr_assert(dJ <= cB * dist * (1 + tol) + 1e-12, "config %zu R=%g: |dDF|_F %g > c_B |dw| %g", cfi, R, dJ,
                      cB * dist);
            if (dist > 0)
                worst_c = fmax(worst_c, dJ / (cB * dist));
            pts_c++;
            /* ΔK */
            for (size_t k = 0; k < N * N; k++)
                K[k] -= K0[k];
            double nK = sym_norm(K, N);
            cr_assert(nK <= dK * (1 + tol) + 1e-12, "config %zu R=%g: |dK| %g > %g", cfi, R, nK, dK);
            worst_K = fmax(worst_K, nK / dK), pts_K++;
            /* β_F, row by row */
            double hmax = 0;
            for (size_t row = 0; row < N; row++) {
                plstar_fast_hessian_full(H, &m, X + (row / c) * d, row % c, w);
                double h = sym_norm(H, P);
                cr_assert(h <= hb.beta_rows[row] * (1 + tol) + 1e-12, "config %zu R=%g row %zu: |H| %.17g > %.17g",
                          cfi, R, row, h, hb.beta_rows[row]);
                hmax = fmax(hmax, h);
                rows_beta++;
            }
            cr_assert(hmax <= beta * (1 + tol) + 1e-12);
            worst_beta = fmax(worst_beta, hmax / beta), pts_beta++;
        }
        plstar_ref_hessian_bounds_clear(&hb);
        plstar_ref_hessian_ctx_clear(&ctx);
        arb_mat_clear(Kr), arb_clear(lmin), arb_clear(lmax);
        free(X), free(w0), free(w), free(J0), free(J), free(K0), free(K), free(H);
        plstar_model_clear(&m);
    }
    cr_log_info("points: L_F %zu, beta %zu (%zu rows), c_B %zu, dK %zu; largest true/bound: L_F %.3f, beta %.3f, "
                "c_B %.3f, dK %.3f",
                pts_L, pts_beta, rows_beta, pts_c, pts_K, worst_L, worst_beta, worst_c, worst_K);
    fprintf(stderr, "hessian bounds: points L_F %zu, beta %zu (%zu rows), c_B %zu, dK %zu; largest true/bound: "
                    "L_F %.3f, beta %.3f, c_B %.3f, dK %.3f\n",
            pts_L, pts_beta, rows_beta, pts_c, pts_K, worst_L, worst_beta, worst_c, worst_K);
    cr_assert(pts_L >= 10000 && pts_beta >= 10000 && pts_c >= 10000 && pts_K >= 10000);
    gsl_rng_free(r);
}

/* Max over rows of ‖H_{F_r}(w)‖₂ / β_r. */
static double hessian_ratio(const plstar_model *m, const double *X, size_t n, const double *w, const double *beta_rows,
                            double *H)
{
    size_t c = m->outputs, d = m->input_dim, P = m->nparams;
    double worst = 0;
    for (size_t row = 0; row < n * c; row++) {
        plstar_fast_hessian_full(H, m, X + (row / c) * d, row % c, w);
        worst = fmax(worst, sym_norm(H, P) / beta_rows[row]);
    }
    return worst;
}

/* Random points rarely hit the worst case of a bound; a local search that
 * maximises ‖H_{F_r}(w)‖₂/β_r over the ball (random proposals, projected onto
 * B(w0, R), accepted when the ratio grows) must not exceed 1 either. */
Test(hessian, adversarial_search_stays_below_beta, .timeout = 300)
{
    openblas_set_num_threads(1);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 77);
    const size_t picks[] = {1, 4, 7, 9, 10, 13};
    const double radii[] = {0.3, 2.0};
    for (size_t q = 0; q < sizeof picks / sizeof *picks; q++) {
        const config *cf = &configs[picks[q]];
        plstar_model m;
        make_model(&m, cf);
        size_t P = m.nparams, n = cf->n, d = cf->d;
        double *X = malloc(n * d * sizeof(double)), *w0 = malloc(P * sizeof(double)), *w = malloc(P * sizeof(double));
        double *best = malloc(P * sizeof(double)), *H = malloc(P * P * sizeof(double));
        plstar_demo_sphere_data(X, n, d, 500 + q);
        make_weights(w0, &m, r, 600 + q);
        ref_hessian_ctx ctx;
        plstar_ref_hessian_ctx_init(&ctx);
        cr_assert_eq(plstar_ref_hessian_ctx_set(&ctx, &m, X, n, w0, PREC), PLSTAR_OK);
        for (size_t ri = 0; ri < 2; ri++) {
            double R = radii[ri];
            ref_hessian_bounds hb;
            plstar_ref_hessian_bounds_init(&hb);
            cr_assert_eq(plstar_ref_hessian_bounds_compute(&hb, &ctx, R, NULL, PREC), PLSTAR_OK);
            double fbest = -1;
            for (int t = 0; t < 20; t++) {
                random_point(w, w0, &m, R, 1 + t % 2, r);
                double f = hessian_ratio(&m, X, n, w, hb.beta_rows, H);
                if (f > fbest)
                    fbest = f, memcpy(best, w, P * sizeof(double));
            }
            double sigma = 0.3 * R;
            for (int t = 0; t < 150; t++) {
                double norm = 0;
                for (size_t k = 0; k < P; k++) {
                    w[k] = best[k] + sigma * gsl_ran_gaussian(r, 1.0) / sqrt((double)P) - w0[k];
                    norm += w[k] * w[k];
                }
                double scale = sqrt(norm) > R ? R / sqrt(norm) : 1.0;
                for (size_t k = 0; k < P; k++)
                    w[k] = w0[k] + scale * w[k];
                double f = hessian_ratio(&m, X, n, w, hb.beta_rows, H);
                cr_assert(f <= 1 + 64.0 * (double)P * DBL_EPSILON, "config %zu R=%g: |H|/beta = %.17g", picks[q], R, f);
                if (f > fbest)
                    fbest = f, memcpy(best, w, P * sizeof(double)), sigma *= 1.5;
                else
                    sigma = fmax(sigma * 0.9, 1e-3 * R);
            }
            cr_log_info("config %zu (%s, depth %zu), R = %g: largest |H_r|/beta_r found %.3f", picks[q], cf->act,
                        cf->depth, R, fbest);
            plstar_ref_hessian_bounds_clear(&hb);
        }
        plstar_ref_hessian_ctx_clear(&ctx);
        free(X), free(w0), free(w), free(best), free(H);
        plstar_model_clear(&m);
    }
    gsl_rng_free(r);
}

/* ---------------------------------------------------------------------- */
/* proofs-checks/ball.h with the MLP's radius-dependent constants          */

static void mlp_problem(plstar_problem *p, const char *act, size_t width, size_t n, size_t d, double label_noise,
                        unsigned long seed)
{
    char json[256];
    snprintf(json, sizeof json,
             "{\"model\":\"mlp\",\"input_dim\":%zu,\"widths\":[%zu,%zu],\"outputs\":1,\"activation\":\"%s\","
             "\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}", d,
             width, width, act);
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, json, "mlp"), PLSTAR_OK);
    double *X = malloc(n * d * sizeof(double)), *w = malloc(m.nparams * sizeof(double)), *y = malloc(n * sizeof(double));
    plstar_demo_sphere_data(X, n, d, seed);
    plstar_model_init_weights(w, &m, seed + 1);
    plstar_fast_outputs(y, &m, X, n, w);
    for (size_t i = 0; i < n; i++) /* labels near F(w0): a small residual r0 */
        y[i] += label_noise * sin(3.0 * (double)i + 1.0);
    plstar_problem_init(p);
    cr_assert_eq(plstar_problem_set(p, &m, X, n, w, y), PLSTAR_OK);
    free(X), free(w), free(y);
    plstar_model_clear(&m);
}

static double lambda_min_fast(const double *K, size_t N)
{
    double *B = malloc(N * N * sizeof(double)), *ev = malloc(N * sizeof(double));
    memcpy(B, K, N * N * sizeof(double));
    LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)N, B, (lapack_int)N, ev);
    double r = ev[0];
    free(B), free(ev);
    return r;
}

Test(hessian, mlp_ball_verdicts, .timeout = 300)
{
    plstar_problem p;
    mlp_problem(&p, "tanh", 256, 3, 4, 0.0, 21);
    ball_constants b;
    plstar_ball_constants_init(&b);
    cr_assert_eq(plstar_ball_constants_compute(&b, &p, PREC), PLSTAR_OK);
    cr_assert(b.available && b.hess, "the MLP has radius-dependent constants");
    double lam = plstar_arb_lower_d(b.lambda0), mu = 0.5 * lam;
    cr_assert(lam > 0);
    ball_result res;
    plstar_ball_result_init(&res);
    cr_assert_eq(plstar_check_ball(&res, &b, 0.0, mu, PREC), PLSTAR_OK);
    double Rmax = res.radius_max;
    cr_assert(Rmax > 0 && isfinite(Rmax), "largest radius %g", Rmax);
    cr_assert_eq(plstar_check_ball(&res, &b, Rmax, mu, PREC), PLSTAR_OK, "the reported largest radius certifies");
    cr_assert(plstar_arb_lower_d(res.lambda_lower) >= mu);
    cr_assert_eq(plstar_check_ball(&res, &b, Rmax * 1.01, mu, PREC), PLSTAR_INCONCLUSIVE);
    cr_assert_eq(plstar_check_ball(&res, &b, 0.0, plstar_arb_upper_d(b.lambda0) * 1.01, PREC), PLSTAR_REFUTED);
    json_t *rep = plstar_ball_report(&res, &b, &p, PLSTAR_INCONCLUSIVE), *q = json_object_get(rep, "quantities");
    /* β_F is Definition 2's constant, c_B (≥ max_r ‖H_{F_r}‖₂), a one-sided bound */
    double beta = json_real_value(json_object_get(json_object_get(q, "beta_F"), "upper"));
    double c = json_real_value(json_object_get(json_object_get(q, "jacobian_lipschitz"), "upper"));
    double h = json_real_value(json_object_get(json_object_get(q, "hessian_norm_max"), "upper"));
    cr_assert(beta == c && beta >= h && h > 0, "beta_F %g, c_B %g, max_r |H_Fr| %g", beta, c, h);
    cr_assert_null(json_object_get(json_object_get(q, "beta_F"), "lower"));
    json_decref(rep);
    /* the certified conclusion holds at random points of B(w0, Rmax) */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 8);
    size_t P = p.model.nparams, N = p.N;
    double *w = malloc(P * sizeof(double)), *K = malloc(N * N * sizeof(double));
    for (int t = 0; t < 200; t++) {
        random_point(w, p.w, &p.model, Rmax, t % 4, r);
        plstar_fast_kernel_explicit(K, &p.model, p.X.data, p.n, w);
        double lm = lambda_min_fast(K, N);
        cr_assert(lm >= mu * (1 - 1e-9), "lambda_min(K(w)) = %g < mu = %g inside the certified ball", lm, mu);
    }
    free(w), free(K);
    gsl_rng_free(r);
    plstar_ball_result_clear(&res);
    plstar_ball_constants_clear(&b);
    plstar_problem_clear(&p);

    /* a first-order activation: no constants, inconclusive */
    mlp_problem(&p, "relu", 16, 3, 4, 0.0, 21);
    plstar_ball_constants_init(&b);
    plstar_ball_result_init(&res);
    cr_assert_eq(plstar_ball_constants_compute(&b, &p, PREC), PLSTAR_OK);
    cr_assert(!b.available && !b.hess);
    cr_assert_eq(plstar_check_ball(&res, &b, 0.0, 1e-6, PREC), PLSTAR_INCONCLUSIVE);
    plstar_ball_result_clear(&res);
    plstar_ball_constants_clear(&b);
    plstar_problem_clear(&p);
}

/* Theorem 6 for the MLP: certified when the initial residual is small enough
 * for the fixed-point radius; then GD with the certified step stays in the ball
 * and its loss follows the certified rate. Not certified for a large residual. */
Test(hessian, mlp_gd_apriori, .timeout = 300)
{
    plstar_problem p;
    mlp_problem(&p, "tanh", 256, 3, 4, 0.002, 33);
    ball_constants b;
    plstar_ball_constants_init(&b);
    cr_assert_eq(plstar_ball_constants_compute(&b, &p, PREC), PLSTAR_OK);
    gd_apriori_result res;
    plstar_gd_apriori_result_init(&res);
    cr_assert_eq(plstar_check_gd_apriori(&res, &b, 0, 0, PREC), PLSTAR_OK);
    cr_assert(res.radius > 0 && res.lr > 0 && res.rate < 1);
    json_t *rep = plstar_gd_apriori_report(&res, &b, &p, PLSTAR_OK);
    cr_assert(json_object_get(json_object_get(rep, "quantities"), "lipschitz_F_on_ball"));
    json_decref(rep);
    /* run GD with the certified step */
    size_t P = p.model.nparams;
    double *w = malloc(P * sizeof(double)), *g = malloc(P * sizeof(double)), loss0, loss;
    memcpy(w, p.w, P * sizeof(double));
    plstar_fast_loss_grad(&loss0, NULL, &p.model, p.X.data, p.n, w, p.y.data);
    double path = 0;
    for (int t = 1; t <= 200; t++) {
        plstar_fast_loss_grad(&loss, g, &p.model, p.X.data, p.n, w, p.y.data);
        double step = 0;
        for (size_t k = 0; k < P; k++)
            w[k] -= res.lr * g[k], step += g[k] * g[k];
        path += res.lr * sqrt(step);
        plstar_fast_loss_grad(&loss, NULL, &p.model, p.X.data, p.n, w, p.y.data);
        cr_assert(path <= res.radius * (1 + 1e-9), "the path leaves the certified ball at step %d", t);
        /* 1e-28: the floor of a double residual (≈ N (u |F|)²) */
        cr_assert(loss <= pow(res.rate, t) * loss0 * (1 + 1e-9) + 1e-28, "step %d: loss %g above the certified rate", t,
                  loss);
    }
    free(w), free(g);
    plstar_gd_apriori_result_clear(&res);
    plstar_ball_constants_clear(&b);
    plstar_problem_clear(&p);

    mlp_problem(&p, "tanh", 256, 3, 4, 1.0, 33);
    plstar_ball_constants_init(&b);
    plstar_gd_apriori_result_init(&res);
    cr_assert_eq(plstar_ball_constants_compute(&b, &p, PREC), PLSTAR_OK);
    cr_assert_eq(plstar_check_gd_apriori(&res, &b, 0, 0, PREC), PLSTAR_INCONCLUSIVE);
    plstar_gd_apriori_result_clear(&res);
    plstar_ball_constants_clear(&b);
    plstar_problem_clear(&p);
}

/* The theorem checks: PL* at a point (Theorem 1, Proposition 3) near its
 * threshold, and the a-posteriori GD certificate (Theorem 6). */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/model.h"
#include "core/npy.h"
#include "core/report.h"
#include "examples/demo_example.h"
#include "fast/network.h"
#include "proofs-checks/gd_path.h"
#include "proofs-checks/pl_point.h"
#include "reference/network.h"

Test(certify, point_default_mu_is_the_certified_lambda_min)
{
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_demo_example_problem(&p), PLSTAR_OK);
    pl_point_result r;
    plstar_pl_point_result_init(&r);
    cr_assert_eq(plstar_check_pl_point(&r, &p, 0, 128), PLSTAR_OK);
    double lo = plstar_arb_lower_d(r.lambda_min), hi = plstar_arb_upper_d(r.lambda_min), mu = plstar_arb_lower_d(r.mu);
    cr_assert(lo > 0 && mag_cmp_2exp_si(arb_radref(r.lambda_min), -90) < 0, "λ_min enclosure [%g, %g]", lo, hi);
    cr_assert((hi - mu) / hi <= 1e-8, "μ = %g within 1e-8 of λ_min", mu);
    cr_assert_eq(r.theorem1, PLSTAR_OK);
    cr_assert_eq(r.direct, PLSTAR_OK);
    plstar_pl_point_result_clear(&r);
    plstar_problem_clear(&p);
}

/* Just above the threshold is refuted with a witness, just below certified
 * (no labels: the uniform statement of Theorem 1). */
Test(certify, point_near_threshold_both_sides)
{
    plstar_problem p, q;
    plstar_problem_init(&p), plstar_problem_init(&q);
    cr_assert_eq(plstar_demo_example_problem(&q), PLSTAR_OK);
    cr_assert_eq(plstar_problem_set(&p, &q.model, q.X.data, q.n, q.w, NULL), PLSTAR_OK);
    plstar_problem_clear(&q);
    pl_point_result r;
    plstar_pl_point_result_init(&r);
    plstar_check_pl_point(&r, &p, 0, 128);
    double lam = plstar_arb_upper_d(r.lambda_min);
    plstar_pl_point_result_clear(&r);
    for (int side = -1; side <= 1; side += 2)
        for (double rel = 1e-12; rel <= 1e-6; rel *= 1000) {
            double mu = lam * (1 + side * rel);
            plstar_pl_point_result_init(&r);
            int v = plstar_check_pl_point(&r, &p, mu, 128);
            if (side < 0) {
                cr_assert_eq(v, PLSTAR_OK, "μ = λ_min(1 − %g) must certify", rel);
            } else {
                cr_assert_neq(v, PLSTAR_OK, "μ = λ_min(1 + %g) must never certify", rel);
                cr_assert_eq(r.theorem1, PLSTAR_REFUTED);
                cr_assert_eq(v, PLSTAR_REFUTED, "the witness labels refute μ = λ_min(1 + %g)", rel);
                cr_assert(r.witness != NULL);
            }
            plstar_pl_point_result_clear(&r);
        }
    plstar_problem_clear(&p);
}

/* P < N: the kernel is singular; the witness labels refute PL*, and for them
 * ½‖∇L‖² < μL is proven (Proposition 3). */
Test(certify, underparameterized_is_refuted_with_witness)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[2],\"outputs\":1,\"activation\":\"tanh\",\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}", "m"),
                 PLSTAR_OK);
    size_t n = 12; /* P = 2·2 + 2 = 6 < N = 12 */
    double X[24], w[6];
    plstar_demo_sphere_data(X, n, 2, 9);
    plstar_model_init_weights(w, &m, 4);
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_problem_set(&p, &m, X, n, w, NULL), PLSTAR_OK);
    pl_point_result r;
    plstar_pl_point_result_init(&r);
    cr_assert_eq(plstar_check_pl_point(&r, &p, 0, 128), PLSTAR_REFUTED);
    cr_assert(r.witness != NULL);
    arb_t loss;
    arb_init(loss);
    arb_mat_t g;
    arb_mat_init(g, 6, 1);
    plstar_ref_loss_grad(loss, g, &p.model, p.X.data, n, p.w, r.witness, 128);
    cr_assert(plstar_arb_lower_d(loss) > 0.4, "L(w) for the witness labels is about ½");
    for (size_t k = 0; k < 6; k++)
        cr_assert(plstar_arb_upper_d(g->entries + k) < 1e-10 && plstar_arb_lower_d(g->entries + k) > -1e-10, "∇L ≈ 0");
    arb_clear(loss), arb_mat_clear(g);
    plstar_pl_point_result_clear(&r);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
}

Test(certify, gd_path_certifies_and_losses_match_recomputation)
{
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_demo_example_problem(&p), PLSTAR_OK);
    gd_path_options o = {.steps = 60, .record_every = 6};
    gd_path_result r;
    plstar_gd_path_result_init(&r);
    cr_assert_eq(plstar_check_gd_path(&r, &p, &o, 128), PLSTAR_OK);
    cr_assert_eq(r.records, 11);
    cr_assert(r.rate_ok && r.lambda_ok && r.path_ok);
    for (size_t k = 0; k < r.records; k++) {
        /* the trainer's double loss lies in (or within a few ulps of) the reference enclosure */
        double tol = 64 * 1.2e-16 * fabs(r.loss_hi[k]);
        cr_assert(r.loss_fast[k] >= r.loss_lo[k] - tol && r.loss_fast[k] <= r.loss_hi[k] + tol,
                  "step %zu: trainer %.17g vs [%.17g, %.17g]", r.step[k], r.loss_fast[k], r.loss_lo[k], r.loss_hi[k]);
        cr_assert(r.dist_hi[k] <= r.path_hi[k] * (1 + 1e-12) + 1e-300, "distance ≤ path length");
    }
    cr_assert(r.loss_hi[r.records - 1] < r.loss_lo[0]);
    plstar_gd_path_result_clear(&r);

    /* a μ above every λ_min(K(w_t)) cannot be certified, and is refuted */
    plstar_gd_path_result_init(&r);
    o.mu = 10.0;
    cr_assert_eq(plstar_check_gd_path(&r, &p, &o, 128), PLSTAR_REFUTED);
    plstar_gd_path_result_clear(&r);

    /* PL*_ε: stops once L < ε is proven */
    plstar_gd_path_result_init(&r);
    o.mu = 0, o.eps = 0.5, o.steps = 400;
    cr_assert_eq(plstar_check_gd_path(&r, &p, &o, 128), PLSTAR_OK);
    cr_assert(r.eps_reached && r.steps_run < 400);
    cr_assert(r.step_loss_hi[r.steps_run] < 0.5);
    plstar_gd_path_result_clear(&r);
    plstar_problem_clear(&p);
}

/* ---- μ = 0 and dead units (Proposition 3 on an exactly singular kernel) ---- */

static const char RELU_JSON[] = "{\"model\": \"mlp\", \"input_dim\": 2, \"widths\": [3], \"outputs\": 1, "
                                "\"activation\": \"relu\", \"output_activation\": \"linear\", \"scaling\": \"ntk\", "
                                "\"bias\": false}";
static const double RELU_W[9] = {1, 0.2, 0.5, 0.5, 2, -1, 0.3, -0.7, 0.9};
/* Sample 1 has every pre-activation positive; samples 2 and 3 are negative
 * multiples of it, so every unit is dead on them: their Jacobian rows are 0. */
static const double RELU_X[6] = {1, 0.5, -1, -0.5, -2, -1};
static const double RELU_Y[3] = {0.4, -0.6, 0.1};

static void dead_units_problem(plstar_problem *p, size_t n, int labels)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, RELU_JSON, "relu"), PLSTAR_OK);
    plstar_problem_init(p);
    cr_assert_eq(plstar_problem_set(p, &m, RELU_X, n, RELU_W, labels ? RELU_Y : NULL), PLSTAR_OK);
    plstar_model_clear(&m);
}

/* ½‖∇L‖² < μ L for labels y, decided again at 256 bits. */
static int refutes_at_256_bits(const plstar_problem *p, const double *y, const arb_t mu)
{
    arb_t loss, h;
    arb_mat_t g;
    arb_init(loss), arb_init(h);
    arb_mat_init(g, (slong)p->model.nparams, 1);
    cr_assert_eq(plstar_ref_loss_grad(loss, g, &p->model, p->X.data, p->n, p->w, y, 256), PLSTAR_OK);
    for (size_t k = 0; k < p->model.nparams; k++)
        arb_addmul(h, g->entries + k, g->entries + k, 256);
    arb_mul_2exp_si(h, h, -1);
    arb_mul(loss, loss, mu, 256);
    arb_sub(h, h, loss, 256);
    int below = arb_is_negative(h);
    arb_clear(loss), arb_clear(h), arb_mat_clear(g);
    return below;
}

/* The witness is y* = F(w) − v with v a unit vector of the null space: on the
 * live sample it equals the output, on the dead ones (outputs exactly 0) it is
 * −v, of norm 1. */
static void assert_null_space_witness(const plstar_problem *p, const double *ystar)
{
    double F[3];
    cr_assert_eq(plstar_fast_outputs(F, &p->model, p->X.data, p->n, p->w), PLSTAR_OK);
    cr_assert(fabs(ystar[0] - F[0]) <= 1e-12, "y*_1 = F_1: %.17g vs %.17g", ystar[0], F[0]);
    double nn = 0;
    for (size_t i = 1; i < p->n; i++)
        nn += ystar[i] * ystar[i];
    cr_assert(fabs(nn - 1) <= 1e-12, "the dead samples' labels are a unit null vector (norm² %.17g)", nn);
}

/* The reported defect: λ_min(K) = 0 exactly, the default μ was 2·upper(λ_min) = 0
 * and the direct route "certified" ½‖∇L‖² ≥ 0·L. Now μ > 0 and the witness
 * F − e₂ refutes it, with and without labels, at the same μ. */
Test(certify, point_dead_units_is_refuted_at_a_positive_mu)
{
    double mu_of[2];
    for (int labels = 0; labels <= 1; labels++) {
        plstar_problem p;
        dead_units_problem(&p, 2, labels);
        pl_point_result r;
        plstar_pl_point_result_init(&r);
        int v = plstar_check_pl_point(&r, &p, 0, 128);
        cr_assert(arb_is_zero(r.lambda_min), "λ_min(K) = 0 exactly (K = diag(0.96, 0))");
        cr_assert(arb_is_positive(r.mu), "the default μ is positive, got %g", plstar_arb_lower_d(r.mu));
        cr_assert_eq(v, PLSTAR_REFUTED, "labels %d: PL* at λ_min = 0 must be refuted, got %d", labels, v);
        cr_assert_eq(r.theorem1, PLSTAR_REFUTED);
        cr_assert(r.witness != NULL, "the refutation carries a witness");
        assert_null_space_witness(&p, r.witness);
        cr_assert(refutes_at_256_bits(&p, r.witness, r.mu), "the witness refutes μ = %g", plstar_arb_lower_d(r.mu));
        cr_assert(plstar_arb_upper_d(r.mu) < 1e-28, "μ is the witness's rounding level, %g", plstar_arb_upper_d(r.mu));
        mu_of[labels] = plstar_arb_lower_d(r.mu);
        plstar_pl_point_result_clear(&r);
        plstar_problem_clear(&p);
    }
    cr_assert_eq(mu_of[0], mu_of[1], "the default μ does not depend on the labels: %.17g vs %.17g", mu_of[0],
                 mu_of[1]);
}

/* A two-dimensional null space (two dead samples): the witness is a unit
 * vector of it. */
Test(certify, point_witness_for_a_two_dimensional_null_space)
{
    plstar_problem p;
    dead_units_problem(&p, 3, 0);
    pl_point_result r;
    plstar_pl_point_result_init(&r);
    cr_assert_eq(plstar_check_pl_point(&r, &p, 0, 128), PLSTAR_REFUTED);
    cr_assert(arb_is_zero(r.lambda_min));
    cr_assert(r.witness != NULL);
    assert_null_space_witness(&p, r.witness);
    cr_assert(refutes_at_256_bits(&p, r.witness, r.mu));
    plstar_pl_point_result_clear(&r);
    /* a given μ far above the rounding level is refuted by the same construction */
    plstar_pl_point_result_init(&r);
    cr_assert_eq(plstar_check_pl_point(&r, &p, 1e-6, 128), PLSTAR_REFUTED);
    cr_assert(r.witness != NULL && refutes_at_256_bits(&p, r.witness, r.mu));
    plstar_pl_point_result_clear(&r);
    plstar_problem_clear(&p);
}

/* μ below every double witness's rounding level: λ_min = 0 < μ is proven, but
 * no label vector in doubles shows it, so the check is inconclusive — and the
 * direct route, true for these labels at so small a μ, never makes it certified. */
Test(certify, point_mu_below_the_witness_level_is_never_certified)
{
    for (int labels = 0; labels <= 1; labels++) {
        plstar_problem p;
        dead_units_problem(&p, 2, labels);
        pl_point_result r;
        plstar_pl_point_result_init(&r);
        int v = plstar_check_pl_point(&r, &p, 1e-300, 128);
        cr_assert_eq(r.theorem1, PLSTAR_REFUTED, "λ_min = 0 < 1e-300 is proven");
        cr_assert_eq(v, PLSTAR_INCONCLUSIVE, "labels %d: got %d", labels, v);
        cr_assert(r.witness == NULL);
        if (labels)
            cr_assert_eq(r.direct, PLSTAR_OK, "½‖∇L‖² ≥ 1e-300·L holds for these labels");
        plstar_pl_point_result_clear(&r);
        plstar_problem_clear(&p);
    }
}

/* μ < 0, NaN or ∞ is a usage error, never "the default". */
Test(certify, point_mu_negative_or_not_finite_is_refused)
{
    plstar_problem p;
    dead_units_problem(&p, 2, 1);
    const double bad[] = {-1.0, -1e-300, NAN, INFINITY};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        pl_point_result r;
        plstar_pl_point_result_init(&r);
        cr_assert_eq(plstar_check_pl_point(&r, &p, bad[k], 128), PLSTAR_EUSAGE, "μ = %g", bad[k]);
        plstar_pl_point_result_clear(&r);
    }
    plstar_problem_clear(&p);
}

/* P < N with labels: the labels satisfy the direct inequality, Theorem 1 is
 * refuted, and the verdict — about every label vector — is refuted with a
 * witness, at the μ chosen without labels. */
Test(certify, point_underparameterized_with_labels_is_refuted)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\": \"mlp\", \"input_dim\": 2, \"widths\": [2], \"outputs\": 1, "
                                      "\"activation\": \"tanh\", \"output_activation\": \"linear\", "
                                      "\"scaling\": \"ntk\", \"bias\": false}", "m"), PLSTAR_OK);
    size_t n = 32; /* P = 6 < N = 32 */
    double X[64], y[32], w[6];
    plstar_demo_sphere_data(X, n, 2, 9);
    for (size_t i = 0; i < n; i++)
        y[i] = sin(3 * X[2 * i]);
    plstar_model_init_weights(w, &m, 4);
    double mu_of[2];
    for (int labels = 0; labels <= 1; labels++) {
        plstar_problem p;
        plstar_problem_init(&p);
        cr_assert_eq(plstar_problem_set(&p, &m, X, n, w, labels ? y : NULL), PLSTAR_OK);
        pl_point_result r;
        plstar_pl_point_result_init(&r);
        int v = plstar_check_pl_point(&r, &p, 0, 128);
        cr_assert_eq(v, PLSTAR_REFUTED, "labels %d: got %d", labels, v);
        cr_assert(r.witness != NULL && refutes_at_256_bits(&p, r.witness, r.mu));
        if (labels)
            cr_assert_eq(r.direct, PLSTAR_OK, "these labels satisfy the inequality at the witness's μ");
        mu_of[labels] = plstar_arb_lower_d(r.mu);
        plstar_pl_point_result_clear(&r);
        plstar_problem_clear(&p);
    }
    cr_assert_eq(mu_of[0], mu_of[1], "μ without labels %.17g, with %.17g", mu_of[0], mu_of[1]);
    plstar_model_clear(&m);
}

/* Exactly at the certified ends of λ_min's enclosure. */
Test(certify, point_at_the_enclosure_ends)
{
    plstar_problem p, q;
    plstar_problem_init(&p), plstar_problem_init(&q);
    cr_assert_eq(plstar_demo_example_problem(&q), PLSTAR_OK);
    cr_assert_eq(plstar_problem_set(&p, &q.model, q.X.data, q.n, q.w, NULL), PLSTAR_OK);
    plstar_problem_clear(&q);
    pl_point_result r;
    plstar_pl_point_result_init(&r);
    cr_assert_eq(plstar_check_pl_point(&r, &p, 0, 128), PLSTAR_OK);
    double lo = plstar_arb_lower_d(r.lambda_min), hi = plstar_arb_upper_d(r.lambda_min);
    plstar_pl_point_result_clear(&r);
    plstar_pl_point_result_init(&r);
    cr_assert_eq(plstar_check_pl_point(&r, &p, lo, 128), PLSTAR_OK, "μ = the lower end certifies");
    plstar_pl_point_result_clear(&r);
    plstar_pl_point_result_init(&r);
    int v = plstar_check_pl_point(&r, &p, nextafter(hi, INFINITY), 128);
    cr_assert_neq(v, PLSTAR_OK, "μ above the upper end never certifies");
    cr_assert_eq(r.theorem1, PLSTAR_REFUTED);
    plstar_pl_point_result_clear(&r);
    plstar_problem_clear(&p);
}

/* ---- the command: exit status, witness file, scope and reasons -------- */

static char cli_dir[64];

static void cli_setup(void)
{
    cr_assert(getenv("PLSTAR_EXE"), "PLSTAR_EXE must point at the plstar executable (set by meson test)");
    strcpy(cli_dir, "/tmp/plstar-certify-XXXXXX");
    cr_assert(mkdtemp(cli_dir));
}

static void cli_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", cli_dir);
    cr_assert_eq(system(cmd), 0);
}

static const char *in_dir(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", cli_dir, name);
    return buf[k];
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(in_dir(name), "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

/* `plstar ARGS` in the scratch directory; stdout to out.txt, stderr to err.txt. */
static int plstar(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd %s && '%s' %s > out.txt 2> err.txt", cli_dir, getenv("PLSTAR_EXE"), args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int file_exists(const char *name)
{
    struct stat s;
    return stat(in_dir(name), &s) == 0;
}

static size_t read_text(char *buf, size_t len, const char *name)
{
    FILE *f = fopen(in_dir(name), "r");
    cr_assert(f, "%s", name);
    size_t got = fread(buf, 1, len - 1, f);
    buf[got] = '\0';
    fclose(f);
    return got;
}

static size_t count_lines(const char *s)
{
    size_t k = 0;
    for (; *s; s++)
        k += *s == '\n';
    return k;
}

static json_t *load_report(const char *name)
{
    json_error_t e;
    json_t *r = json_load_file(in_dir(name), 0, &e);
    cr_assert(r, "%s: %s", name, e.text);
    return r;
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    cr_assert(s, "string \"%s\" in the report", key);
    return s;
}

/* A reason has the failed inequality and what would decide it. */
static void assert_reason(const json_t *o)
{
    json_t *why = json_object_get(o, "reason");
    cr_assert(json_is_object(why), "a reason is given");
    cr_assert(json_string_length(json_object_get(why, "inequality")) > 0);
    cr_assert(json_string_length(json_object_get(why, "decide")) > 0);
    cr_assert(json_object_get(why, "lhs") && json_object_get(why, "rhs"));
}

static void dead_units_files(void)
{
    write_file("relu.json", RELU_JSON);
    cr_assert_eq(plstar_npy_write_matrix(in_dir("X.npy"), RELU_X, 2, 2), PLSTAR_OK);
    cr_assert_eq(plstar_npy_write_vector(in_dir("w.npy"), RELU_W, 9), PLSTAR_OK);
    double y[2] = {0.4, -0.6};
    cr_assert_eq(plstar_npy_write_vector(in_dir("y.npy"), y, 2), PLSTAR_OK);
}

TestSuite(certify_cli, .init = cli_setup, .fini = cli_teardown);

#define DEAD "certify point --model relu.json --data X.npy --weights w.npy"

/* issue reproduction: exit 1 (refuted), with and without labels; the witness
 * is written; the verdict says it is about every label vector while the direct
 * route, certified for these labels, says so. */
Test(certify_cli, point_dead_units_refuted_with_witness_file)
{
    dead_units_files();
    cr_assert_eq(plstar(DEAD " --labels y.npy --witness ws.npy --json r.json"), 1);
    cr_assert(file_exists("ws.npy"), "--witness writes the witness");
    plstar_array a;
    plstar_npy_init(&a);
    cr_assert_eq(plstar_npy_read(&a, in_dir("ws.npy")), PLSTAR_OK);
    cr_assert_eq(a.size, 2);
    cr_assert(fabs(fabs(a.data[1]) - 1) < 1e-12, "y*_2 = F_2 − v_2 = ∓1, got %g", a.data[1]);
    plstar_npy_clear(&a);
    json_t *r = load_report("r.json");
    cr_assert_str_eq(jstr(r, "verdict"), "refuted");
    cr_assert_str_eq(jstr(r, "scope"), REPORT_SCOPE_ALL_LABELS);
    assert_reason(r);
    cr_assert(json_real_value(json_object_get(r, "mu")) > 0, "μ > 0");
    json_t *routes = json_object_get(r, "routes");
    json_t *t1 = json_object_get(routes, "theorem1"), *d = json_object_get(routes, "direct");
    cr_assert_str_eq(jstr(t1, "verdict"), "refuted");
    cr_assert_str_eq(jstr(t1, "scope"), REPORT_SCOPE_ALL_LABELS);
    assert_reason(t1);
    cr_assert_str_eq(jstr(d, "verdict"), "certified");
    cr_assert_str_eq(jstr(d, "scope"), REPORT_SCOPE_THESE_LABELS);
    json_t *w = json_object_get(r, "witness");
    cr_assert_str_eq(jstr(w, "file"), "ws.npy");
    cr_assert(json_object_get(json_object_get(w, "refutes_every_mu_above"), "upper"));
    json_decref(r);

    /* without labels: the same verdict (was 2), and what was not computed is absent */
    cr_assert_eq(plstar(DEAD " --witness ws2.npy --json r2.json"), 1);
    cr_assert(file_exists("ws2.npy"));
    r = load_report("r2.json");
    json_t *q = json_object_get(r, "quantities");
    cr_assert(json_object_get(json_object_get(q, "loss"), "reason"), "no labels: the loss is absent, with why");
    cr_assert(!json_object_get(json_object_get(q, "loss"), "lower"));
    cr_assert(json_object_get(json_object_get(routes = json_object_get(r, "routes"), "direct"), "reason"));
    json_decref(r);
}

/* μ below every double witness: inconclusive (2) with the reason; --witness
 * writes nothing and says so on one stderr line and in the report. */
Test(certify_cli, point_no_witness_is_said)
{
    dead_units_files();
    cr_assert_eq(plstar(DEAD " --labels y.npy --mu 1e-300 --witness ws.npy --json r.json"), 2);
    cr_assert(!file_exists("ws.npy"));
    char err[2048];
    read_text(err, sizeof err, "err.txt");
    cr_assert(strstr(err, "no witness written to ws.npy"), "stderr: %s", err);
    cr_assert_eq(count_lines(err), 1, "one line: %s", err);
    json_t *r = load_report("r.json");
    cr_assert_str_eq(jstr(r, "verdict"), "inconclusive");
    assert_reason(r);
    json_t *w = json_object_get(r, "witness");
    cr_assert(json_string_length(json_object_get(w, "reason")) > 0, "the report says why there is no witness");
    cr_assert(json_is_null(json_object_get(w, "file")));
    json_decref(r);
}

/* A certified run: verdict, scope, no reason; --witness says there is none. */
Test(certify_cli, point_certified_states_its_scope)
{
    write_file("m.json", plstar_demo_model_json());
    double X[DEMO_SAMPLES * 3];
    plstar_demo_sphere_data(X, DEMO_SAMPLES, 3, DEMO_DATA_SEED);
    cr_assert_eq(plstar_npy_write_matrix(in_dir("X.npy"), X, DEMO_SAMPLES, 3), PLSTAR_OK);
    cr_assert_eq(plstar("certify point --model m.json --data X.npy --seed 1 --witness ws.npy --json r.json"), 0);
    cr_assert(!file_exists("ws.npy"));
    char err[2048];
    read_text(err, sizeof err, "err.txt");
    cr_assert(strstr(err, "no witness written"), "stderr: %s", err);
    json_t *r = load_report("r.json");
    cr_assert_str_eq(jstr(r, "verdict"), "certified");
    cr_assert_str_eq(jstr(r, "scope"), REPORT_SCOPE_ALL_LABELS);
    cr_assert(!json_object_get(r, "reason"));
    double mu = json_real_value(json_object_get(r, "mu"));
    double lo = json_real_value(json_object_get(json_object_get(json_object_get(r, "quantities"), "lambda_min"),
                                                "lower"));
    cr_assert(mu > 0 && mu == lo, "the default μ is λ_min's certified lower bound: %g vs %g", mu, lo);
    json_decref(r);
}

/* P < N with labels: was "certify point: certified", exit 0, no witness. */
Test(certify_cli, point_underparameterized_with_labels_exits_1_with_witness)
{
    write_file("m.json", "{\"model\": \"mlp\", \"input_dim\": 2, \"widths\": [2], \"outputs\": 1, \"activation\": "
                         "\"tanh\", \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}");
    double X[64], y[32];
    plstar_demo_sphere_data(X, 32, 2, 9);
    for (size_t i = 0; i < 32; i++)
        y[i] = sin(3 * X[2 * i]);
    cr_assert_eq(plstar_npy_write_matrix(in_dir("X.npy"), X, 32, 2), PLSTAR_OK);
    cr_assert_eq(plstar_npy_write_vector(in_dir("y.npy"), y, 32), PLSTAR_OK);
    cr_assert_eq(plstar("certify point --model m.json --data X.npy --seed 1 --labels y.npy --witness ws.npy "
                        "--json r.json"), 1);
    cr_assert(file_exists("ws.npy"));
    json_t *r = load_report("r.json");
    double mu_labels = json_real_value(json_object_get(r, "mu"));
    cr_assert_str_eq(jstr(json_object_get(json_object_get(r, "routes"), "direct"), "scope"),
                     REPORT_SCOPE_THESE_LABELS);
    json_decref(r);
    cr_assert_eq(plstar("certify point --model m.json --data X.npy --seed 1 --json r.json"), 1);
    r = load_report("r.json");
    cr_assert_eq(json_real_value(json_object_get(r, "mu")), mu_labels, "the default μ does not depend on labels");
    json_decref(r);
}

/* Options of ball and gd are refused (64, one line) before any work; μ ≤ 0 too. */
Test(certify_cli, point_refuses_options_that_do_not_apply)
{
    dead_units_files();
    const char *foreign[] = {"--lr 0.1", "--radius 1", "--steps 0", "--eps 0.5", "--apriori", "--path",
                             "--search-width", "--record-every 2", "--out d", "--mu 0", "--mu -1", "--mu nan"};
    for (size_t k = 0; k < sizeof foreign / sizeof foreign[0]; k++) {
        char args[256], err[1024];
        snprintf(args, sizeof args, DEAD " %s --json r.json", foreign[k]);
        cr_assert_eq(plstar(args), 64, "%s", foreign[k]);
        read_text(err, sizeof err, "err.txt");
        cr_assert_eq(count_lines(err), 1, "%s: %s", foreign[k], err);
        cr_assert(!file_exists("r.json"), "%s: no report", foreign[k]);
    }
}

/* --help states every default. */
Test(certify_cli, point_help_states_the_defaults)
{
    cr_assert_eq(plstar("certify point --help"), 0);
    char out[4096];
    read_text(out, sizeof out, "out.txt");
    const char *needles[] = {"--mu", "default: the certified lower bound of lambda_min", "--prec", "default 128",
                             "--witness", "--labels", "--json", "every label vector"};
    for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++)
        cr_assert(strstr(out, needles[k]), "help mentions '%s':\n%s", needles[k], out);
    cr_assert(!strstr(out, "--radius") && !strstr(out, "--lr"), "only certify point's options:\n%s", out);
}

/* The theorem checks: PL* at a point (Theorem 1, Proposition 3) near its
 * threshold, and the a-posteriori GD certificate (Theorem 6). */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>

#include "core/error.h"
#include "core/model.h"
#include "core/report.h"
#include "examples/demo_example.h"
#include "fast/network.h"
#include "proofs-checks/gd_path.h"
#include "proofs-checks/pl_point.h"
#include "reference/network.h"

Test(certify, point_default_mu_is_the_certified_lambda_min)
{
    plstar_problem p;
    problem_init(&p);
    cr_assert_eq(demo_example_problem(&p), PLSTAR_OK);
    pl_point_result r;
    pl_point_result_init(&r);
    cr_assert_eq(check_pl_point(&r, &p, 0, 128), PLSTAR_OK);
    double lo = arb_lower_d(r.lambda_min), hi = arb_upper_d(r.lambda_min), mu = arb_lower_d(r.mu);
    cr_assert(lo > 0 && mag_cmp_2exp_si(arb_radref(r.lambda_min), -90) < 0, "λ_min enclosure [%g, %g]", lo, hi);
    cr_assert((hi - mu) / hi <= 1e-8, "μ = %g within 1e-8 of λ_min", mu);
    cr_assert_eq(r.theorem1, PLSTAR_OK);
    cr_assert_eq(r.direct, PLSTAR_OK);
    pl_point_result_clear(&r);
    problem_clear(&p);
}

/* Just above the threshold is refuted with a witness, just below certified
 * (no labels: the uniform statement of Theorem 1). */
Test(certify, point_near_threshold_both_sides)
{
    plstar_problem p, q;
    problem_init(&p), problem_init(&q);
    cr_assert_eq(demo_example_problem(&q), PLSTAR_OK);
    cr_assert_eq(problem_set(&p, &q.model, q.X.data, q.n, q.w, NULL), PLSTAR_OK);
    problem_clear(&q);
    pl_point_result r;
    pl_point_result_init(&r);
    check_pl_point(&r, &p, 0, 128);
    double lam = arb_upper_d(r.lambda_min);
    pl_point_result_clear(&r);
    for (int side = -1; side <= 1; side += 2)
        for (double rel = 1e-12; rel <= 1e-6; rel *= 1000) {
            double mu = lam * (1 + side * rel);
            pl_point_result_init(&r);
            int v = check_pl_point(&r, &p, mu, 128);
            if (side < 0) {
                cr_assert_eq(v, PLSTAR_OK, "μ = λ_min(1 − %g) must certify", rel);
            } else {
                cr_assert_neq(v, PLSTAR_OK, "μ = λ_min(1 + %g) must never certify", rel);
                cr_assert_eq(r.theorem1, PLSTAR_REFUTED);
                cr_assert_eq(v, PLSTAR_REFUTED, "the witness labels refute μ = λ_min(1 + %g)", rel);
                cr_assert(r.witness != NULL);
            }
            pl_point_result_clear(&r);
        }
    problem_clear(&p);
}

/* P < N: the kernel is singular; the witness labels refute PL*, and for them
 * ½‖∇L‖² < μL is proven (Proposition 3). */
Test(certify, underparameterized_is_refuted_with_witness)
{
    plstar_model m;
    model_init(&m);
    cr_assert_eq(model_parse_json(&m, "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[2],\"outputs\":1,\"activation\":\"tanh\",\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}", "m"),
                 PLSTAR_OK);
    size_t n = 12; /* P = 2·2 + 2 = 6 < N = 12 */
    double X[24], w[6];
    demo_sphere_data(X, n, 2, 9);
    model_init_weights(w, &m, 4);
    plstar_problem p;
    problem_init(&p);
    cr_assert_eq(problem_set(&p, &m, X, n, w, NULL), PLSTAR_OK);
    pl_point_result r;
    pl_point_result_init(&r);
    cr_assert_eq(check_pl_point(&r, &p, 0, 128), PLSTAR_REFUTED);
    cr_assert(r.witness != NULL);
    arb_t loss;
    arb_init(loss);
    arb_mat_t g;
    arb_mat_init(g, 6, 1);
    ref_loss_grad(loss, g, &p.model, p.X.data, n, p.w, r.witness, 128);
    cr_assert(arb_lower_d(loss) > 0.4, "L(w) for the witness labels is about ½");
    for (size_t k = 0; k < 6; k++)
        cr_assert(arb_upper_d(g->entries + k) < 1e-10 && arb_lower_d(g->entries + k) > -1e-10, "∇L ≈ 0");
    arb_clear(loss), arb_mat_clear(g);
    pl_point_result_clear(&r);
    problem_clear(&p);
    model_clear(&m);
}

Test(certify, gd_path_certifies_and_losses_match_recomputation)
{
    plstar_problem p;
    problem_init(&p);
    cr_assert_eq(demo_example_problem(&p), PLSTAR_OK);
    gd_path_options o = {.steps = 60, .record_every = 6};
    gd_path_result r;
    gd_path_result_init(&r);
    cr_assert_eq(check_gd_path(&r, &p, &o, 128), PLSTAR_OK);
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
    gd_path_result_clear(&r);

    /* a μ above every λ_min(K(w_t)) cannot be certified, and is refuted */
    gd_path_result_init(&r);
    o.mu = 10.0;
    cr_assert_eq(check_gd_path(&r, &p, &o, 128), PLSTAR_REFUTED);
    gd_path_result_clear(&r);

    /* PL*_ε: stops once L < ε is proven */
    gd_path_result_init(&r);
    o.mu = 0, o.eps = 0.5, o.steps = 400;
    cr_assert_eq(check_gd_path(&r, &p, &o, 128), PLSTAR_OK);
    cr_assert(r.eps_reached && r.steps_run < 400);
    cr_assert(r.step_loss_hi[r.steps_run] < 0.5);
    gd_path_result_clear(&r);
    problem_clear(&p);
}

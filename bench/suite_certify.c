/*
 * bench/suite_certify.c — end-to-end times of the checks behind `plstar
 * crosscheck` and `plstar certify`, each with its verdict:
 *   crosscheck  check_crosscheck: F, DF, K (explicit and structured), L, ∇L fast
 *               inside the reference enclosures
 *   pl_point    check_pl_point (Theorem 1 at w_0, μ = the certified λ_min lower bound)
 *   gd_path     check_gd_path: GD run by fast_train, every recorded iterate
 *               re-verified in the reference (Theorem 6 a posteriori)
 *   ball        ball_constants_compute + check_ball (Theorem 2 on B(w_0, R)), shallow model
 *   gd_apriori  ball_constants_compute + check_gd_apriori (Theorem 6), shallow model
 * These are dominated by ball arithmetic and have no flop model.
 */
#include "bench/bench.h"
#include "core/error.h"
#include "core/report.h"
#include "proofs-checks/ball.h"
#include "proofs-checks/crosscheck.h"
#include "proofs-checks/gd_path.h"
#include "proofs-checks/pl_point.h"
#include "reference/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_CROSS, C_POINT, C_PATH, C_BALL, C_APRIORI, C_COUNT };
static const char *const impl_names[C_COUNT] = {"crosscheck", "pl_point", "gd_path", "ball", "gd_apriori"};

typedef struct {
    const plstar_problem *p;
    int which;
    size_t steps, record_every;
    double mu, radius;
    int verdict;
    double worst_ratio;
} cctx;

static int run_check(void *v)
{
    cctx *c = v;
    const plstar_problem *p = c->p;
    slong prec = PLSTAR_DEFAULT_PREC;
    int st = 0;
    switch (c->which) {
    case C_CROSS: {
        crosscheck_result res;
        memset(&res, 0, sizeof res);
        st = check_crosscheck(&res, p, prec);
        c->worst_ratio = 0;
        for (size_t k = 0; k < res.nq; k++)
            c->worst_ratio = fmax(c->worst_ratio, res.q[k].worst_ratio);
        break;
    }
    case C_POINT: {
        pl_point_result res;
        pl_point_result_init(&res);
        st = check_pl_point(&res, p, 0.0, prec);
        pl_point_result_clear(&res);
        break;
    }
    case C_PATH: {
        gd_path_options o = {.lr = 0, .mu = 0, .eps = 0, .steps = c->steps, .record_every = c->record_every};
        gd_path_result res;
        gd_path_result_init(&res);
        st = check_gd_path(&res, p, &o, prec);
        gd_path_result_clear(&res);
        break;
    }
    default: {
        ball_constants b;
        ball_constants_init(&b);
        st = ball_constants_compute(&b, p, prec);
        if (!st && c->which == C_BALL) {
            ball_result res;
            ball_result_init(&res);
            st = check_ball(&res, &b, c->radius, c->mu, prec);
            ball_result_clear(&res);
        } else if (!st) {
            gd_apriori_result res;
            gd_apriori_result_init(&res);
            st = check_gd_apriori(&res, &b, 0.0, 0.0, prec);
            gd_apriori_result_clear(&res);
        }
        ball_constants_clear(&b);
        break;
    }
    }
    c->verdict = st;
    return st <= PLSTAR_INCONCLUSIVE ? 0 : st;
}

static int one_problem(bench_run *r, const plstar_problem *p, const int *which, size_t nwhich, size_t steps,
                       size_t every)
{
    const plstar_model *m = &p->model;
    char ws[128], name[192], series[160];
    if (m->kind == MODEL_SHALLOW)
        snprintf(ws, sizeof ws, "shallow %zu", m->layers[0].out);
    else
        bench_widths_str(ws, sizeof ws, m);
    snprintf(name, sizeof name, "n=%zu d=%zu %s%s", p->n, m->input_dim, m->kind == MODEL_SHALLOW ? "" : "w=", ws);
    snprintf(series, sizeof series, "d=%zu %s%s", m->input_dim, m->kind == MODEL_SHALLOW ? "" : "w=", ws);
    bench_policy pol = bench_policy_for(r);
    cctx c = {.p = p, .steps = steps, .record_every = every, .radius = 1.0};
    if (m->kind == MODEL_SHALLOW) {
        /* the ball to time: μ = half the certified λ_min(K(w_0)), R = half the largest radius certified for
         * that μ (an untimed probe), so that the timed check is one that certifies when any can */
        ball_constants b;
        ball_constants_init(&b);
        if (!ball_constants_compute(&b, p, PLSTAR_DEFAULT_PREC)) {
            c.mu = 0.5 * arb_lower_d(b.lambda0);
            ball_result probe;
            ball_result_init(&probe);
            if (c.mu > 0 && check_ball(&probe, &b, 0.0, c.mu, PLSTAR_DEFAULT_PREC) <= PLSTAR_INCONCLUSIVE &&
                probe.radius_max > 0 && isfinite(probe.radius_max))
                c.radius = 0.5 * probe.radius_max;
            ball_result_clear(&probe);
        }
        ball_constants_clear(&b);
        if (!(c.mu > 0))
            c.mu = 1e-3;
    }
    for (size_t k = 0; k < nwhich; k++) {
        c.which = which[k];
        bench_timing t;
        if (bench_time(&t, &pol, run_check, &c)) {
            bench_case_error(r, "certify", name, impl_names[which[k]]);
            continue;
        }
        json_t *l = bench_case("certify", name, impl_names[which[k]]);
        json_object_set_new(l, "sizes", bench_sizes_json(p));
        json_object_set_new(l, "series", json_string(series));
        json_object_set_new(l, "x_name", json_string("n"));
        json_object_set_new(l, "x", json_integer((json_int_t)p->n));
        bench_case_timing(l, &t, 0, NULL, r->peak.gflops);
        json_object_set_new(l, "verdict", json_string(report_verdict_name(c.verdict, which[k] == C_CROSS)));
        if (which[k] == C_CROSS) {
            json_object_set_new(l, "worst_ratio", bench_real(c.worst_ratio));
            r->violations += c.verdict == PLSTAR_REFUTED;
        }
        if (which[k] == C_PATH) {
            json_object_set_new(l, "steps", json_integer((json_int_t)steps));
            json_object_set_new(l, "record_every", json_integer((json_int_t)every));
        }
        if (which[k] == C_BALL) {
            json_object_set_new(l, "mu", bench_real(c.mu));
            json_object_set_new(l, "radius", bench_real(c.radius));
        }
        bench_emit(r, l);
        json_decref(l);
    }
    plstar_error_clear();
    return 0;
}

int suite_certify(bench_run *r)
{
    static const int mlp_checks[] = {C_CROSS, C_POINT, C_PATH}, shallow_checks[] = {C_BALL, C_APRIORI};
    size_t ns_tiny[] = {4, 8}, ns_quick[] = {16, 32}, ns_full[] = {32, 64, 128};
    size_t *ns = r->set == BENCH_TINY ? ns_tiny : r->set == BENCH_QUICK ? ns_quick : ns_full;
    size_t count = r->set == BENCH_FULL ? 3 : 2;
    size_t mw = r->set == BENCH_TINY ? 8 : r->set == BENCH_QUICK ? 32 : 256;
    size_t sw = r->set == BENCH_TINY ? 16 : r->set == BENCH_QUICK ? 128 : 1024;
    size_t steps = r->set == BENCH_TINY ? 4 : 20, every = r->set == BENCH_TINY ? 2 : 5;
    size_t widths[2] = {mw, mw};
    for (size_t k = 0; k < count; k++) {
        plstar_problem p;
        if (bench_mlp_problem(&p, ns[k], 10, widths, 2, "tanh", 4)) {
            bench_case_error(r, "certify", "problem", "-");
            continue;
        }
        one_problem(r, &p, mlp_checks, 3, steps, every);
        problem_clear(&p);
    }
    for (size_t k = 0; k < count; k++) {
        plstar_problem p;
        if (bench_shallow_problem(&p, ns[k], 10, sw, "tanh", 5)) {
            bench_case_error(r, "certify", "problem", "-");
            continue;
        }
        one_problem(r, &p, shallow_checks, 2, steps, every);
        problem_clear(&p);
    }
    return 0;
}

/*
 * bench/suite_certify.c — end-to-end times of the checks behind `plstar crosscheck` and `plstar
 * certify`, each with its verdict:
 *   crosscheck  plstar_check_crosscheck: F, DF, K (explicit and structured), L, ∇L fast
 *               inside the reference enclosures
 *   then every check of the registry (proofs-checks/checks.h), named by its id, run as
 *   `plstar certify` runs it with its defaults, except:
 *   - a check decided from the constants at w0 (ball, gd_apriori) is timed on the wide shallow
 *     network, where they certify, and computes its constants inside the time; the others
 *     (pl_point, gd_path) on the MLP;
 *   - a check on a ball (one that takes --radius) gets μ = half the certified λ_min(K(w_0)) and
 *     R = half the largest radius certified for it (an untimed probe), so that it certifies when
 *     any can; one that runs GD (one that takes --steps) the suite's number of steps and records.
 * These are dominated by ball arithmetic and have no flop model.
 */
#include "bench/bench.h"
#include "core/error.h"
#include "core/report.h"
#include "proofs-checks/checks.h"
#include "proofs-checks/crosscheck.h"
#include "reference/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const plstar_problem *p;
    const plstar_check *check; /* NULL: the cross-check */
    plstar_check_options o;
    int verdict;
    double worst_ratio;
} cctx;

static int run_check(void *v)
{
    cctx *c = v;
    int st;
    if (c->check) {
        void *result = NULL;
        st = c->check->run(&result, c->p, &c->o);
        if (result)
            c->check->free(result);
    } else {
        crosscheck_result res;
        memset(&res, 0, sizeof res);
        st = plstar_check_crosscheck(&res, c->p, PLSTAR_DEFAULT_PREC);
        c->worst_ratio = 0;
        for (size_t k = 0; k < res.nq; k++)
            c->worst_ratio = fmax(c->worst_ratio, res.q[k].worst_ratio);
    }
    c->verdict = st;
    return st <= PLSTAR_INCONCLUSIVE ? 0 : st;
}

/* The ball a check on a ball is timed on: μ = half the certified λ_min(K(w_0)) (1e-3 when there is
 * none) and R = half the largest radius certified for that μ (1 when there is none). */
static void timed_ball(double *mu, double *radius, const plstar_problem *p)
{
    *mu = 0, *radius = 1.0;
    ball_constants b;
    plstar_ball_constants_init(&b);
    if (!plstar_ball_constants_compute(&b, p, PLSTAR_DEFAULT_PREC)) {
        *mu = 0.5 * plstar_arb_lower_d(b.lambda0);
        ball_result probe;
        plstar_ball_result_init(&probe);
        if (*mu > 0 && plstar_check_ball(&probe, &b, 0.0, *mu, PLSTAR_DEFAULT_PREC) <= PLSTAR_INCONCLUSIVE &&
            probe.radius_max > 0 && isfinite(probe.radius_max))
            *radius = 0.5 * probe.radius_max;
        plstar_ball_result_clear(&probe);
    }
    plstar_ball_constants_clear(&b);
    if (!(*mu > 0))
        *mu = 1e-3;
}

/* The options a check is timed with (the header above). */
static plstar_check_options timed_options(const plstar_check *d, double mu, double radius, size_t steps, size_t every)
{
    plstar_check_options o;
    plstar_check_options_init(&o);
    if (d->accepts & CHECK_OPTION(CHECK_OPT_RADIUS)) {
        o.mu = mu, o.radius = radius;
        o.given |= CHECK_OPTION(CHECK_OPT_MU) | CHECK_OPTION(CHECK_OPT_RADIUS);
    }
    if (d->accepts & CHECK_OPTION(CHECK_OPT_STEPS)) {
        o.steps = steps, o.record_every = every;
        o.given |= CHECK_OPTION(CHECK_OPT_STEPS) | CHECK_OPTION(CHECK_OPT_RECORD_EVERY);
    }
    return o;
}

/* Times c on p and emits its line: name and series, the verdict, and the options it was given. */
static void time_case(bench_run *r, cctx *c, const char *name, const char *series)
{
    const char *impl = c->check ? c->check->id : "crosscheck";
    bench_policy pol = bench_policy_for(r);
    bench_timing t;
    if (bench_time(&t, &pol, run_check, c)) {
        bench_case_error(r, "certify", name, impl);
        return;
    }
    json_t *l = bench_case("certify", name, impl);
    json_object_set_new(l, "sizes", bench_sizes_json(c->p));
    json_object_set_new(l, "series", json_string(series));
    json_object_set_new(l, "x_name", json_string("n"));
    json_object_set_new(l, "x", json_integer((json_int_t)c->p->n));
    bench_case_timing(l, &t, 0, NULL, r->peak.gflops);
    json_object_set_new(l, "verdict", json_string(plstar_report_verdict_name(c->verdict, !c->check)));
    if (!c->check) {
        json_object_set_new(l, "worst_ratio", bench_real(c->worst_ratio));
        r->violations += c->verdict == PLSTAR_REFUTED;
    }
    if (c->o.given & CHECK_OPTION(CHECK_OPT_STEPS)) {
        json_object_set_new(l, "steps", json_integer((json_int_t)c->o.steps));
        json_object_set_new(l, "record_every", json_integer((json_int_t)c->o.record_every));
    }
    if (c->o.given & CHECK_OPTION(CHECK_OPT_RADIUS)) {
        json_object_set_new(l, "mu", bench_real(c->o.mu));
        json_object_set_new(l, "radius", bench_real(c->o.radius));
    }
    bench_emit(r, l);
    json_decref(l);
}

/* The MLP: the cross-check and the checks of the registry that do not use constants at w0; the
 * shallow network: those that do. */
static int one_problem(bench_run *r, const plstar_problem *p, size_t steps, size_t every)
{
    const plstar_model *m = &p->model;
    int shallow = m->kind == MODEL_SHALLOW;
    char ws[128], name[192], series[160];
    if (shallow)
        snprintf(ws, sizeof ws, "shallow %zu", m->layers[0].out);
    else
        bench_widths_str(ws, sizeof ws, m);
    snprintf(name, sizeof name, "n=%zu d=%zu %s%s", p->n, m->input_dim, shallow ? "" : "w=", ws);
    snprintf(series, sizeof series, "d=%zu %s%s", m->input_dim, shallow ? "" : "w=", ws);
    double mu = 0, radius = 1.0;
    if (shallow)
        timed_ball(&mu, &radius, p);
    cctx c = {.p = p};
    if (!shallow) {
        plstar_check_options_init(&c.o);
        time_case(r, &c, name, series);
    }
    for (size_t k = 0; k < plstar_check_count; k++) {
        if (plstar_checks[k]->uses_constants != shallow)
            continue;
        c.check = plstar_checks[k];
        c.o = timed_options(c.check, mu, radius, steps, every);
        time_case(r, &c, name, series);
    }
    plstar_error_clear();
    return 0;
}

int suite_certify(bench_run *r)
{
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
        one_problem(r, &p, steps, every);
        plstar_problem_clear(&p);
    }
    for (size_t k = 0; k < count; k++) {
        plstar_problem p;
        if (bench_shallow_problem(&p, ns[k], 10, sw, "tanh", 5)) {
            bench_case_error(r, "certify", "problem", "-");
            continue;
        }
        one_problem(r, &p, steps, every);
        plstar_problem_clear(&p);
    }
    return 0;
}

/* bench/common.c — what the suites share: seeded problems, sizes, flop models, case output. */
#include "bench/bench.h"
#include "core/error.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bench_policy bench_policy_for(const bench_run *r) { return r->policy; }

static int make_problem(plstar_problem *p, const char *desc, size_t n, unsigned long seed)
{
    plstar_model m;
    plstar_model_init(&m);
    plstar_problem_init(p);
    int st = plstar_model_parse_json(&m, desc, "bench model");
    double *X = NULL, *w = NULL, *y = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!st) {
        size_t d = m.input_dim, N = n * m.outputs;
        X = plstar_malloc(n * d * sizeof(double), "bench inputs");
        w = plstar_malloc(m.nparams * sizeof(double), "bench weights");
        y = plstar_malloc(N * sizeof(double), "bench labels");
        if (!X || !w || !y || !rng)
            st = PLSTAR_ESOFTWARE;
        if (!st) {
            gsl_rng_set(rng, seed + 1000);
            for (size_t k = 0; k < n * d; k++)
                X[k] = gsl_ran_gaussian(rng, 1.0);
            for (size_t k = 0; k < N; k++)
                y[k] = gsl_ran_gaussian(rng, 1.0);
            plstar_model_init_weights(w, &m, seed);
            st = plstar_problem_set(p, &m, X, n, w, y);
        }
    }
    if (rng)
        gsl_rng_free(rng);
    free(X), free(w), free(y);
    plstar_model_clear(&m);
    return st;
}

int bench_mlp_problem(plstar_problem *p, size_t n, size_t d, const size_t *widths, size_t nw, const char *act,
                      unsigned long seed)
{
    char desc[1024], ws[512] = "";
    size_t len = 0;
    for (size_t k = 0; k < nw && len < sizeof ws - 32; k++)
        len += (size_t)snprintf(ws + len, sizeof ws - len, "%s%zu", k ? ", " : "", widths[k]);
    snprintf(desc, sizeof desc,
             "{\"model\": \"mlp\", \"input_dim\": %zu, \"widths\": [%s], \"outputs\": 1, \"activation\": \"%s\", "
             "\"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}", d, ws, act);
    return make_problem(p, desc, n, seed);
}

int bench_shallow_problem(plstar_problem *p, size_t n, size_t d, size_t width, const char *act, unsigned long seed)
{
    char desc[256];
    snprintf(desc, sizeof desc, "{\"model\": \"shallow\", \"input_dim\": %zu, \"width\": %zu, \"activation\": \"%s\"}",
             d, width, act);
    return make_problem(p, desc, n, seed);
}

void bench_widths_str(char *buf, size_t len, const plstar_model *m)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t l = 0; l + 1 < m->nlayers && used < len; l++)
        used += (size_t)snprintf(buf + used, len - used, "%s%zu", l ? "x" : "", m->layers[l].out);
}

json_t *bench_sizes_json(const plstar_problem *p)
{
    const plstar_model *m = &p->model;
    json_t *s = json_object(), *w = json_array();
    json_object_set_new(s, "model", json_string(m->kind == MODEL_MLP ? "mlp" : m->kind == MODEL_SHALLOW ? "shallow"
                                                                                                        : "linear"));
    json_object_set_new(s, "n", json_integer((json_int_t)p->n));
    json_object_set_new(s, "d", json_integer((json_int_t)m->input_dim));
    for (size_t l = 0; l + 1 < m->nlayers; l++)
        json_array_append_new(w, json_integer((json_int_t)m->layers[l].out));
    json_object_set_new(s, "widths", w);
    json_object_set_new(s, "outputs", json_integer((json_int_t)m->outputs));
    json_object_set_new(s, "activation", json_string(plstar_act_name(m->activation)));
    json_object_set_new(s, "N", json_integer((json_int_t)p->N));
    json_object_set_new(s, "P", json_integer((json_int_t)m->nparams));
    return s;
}

/* Σ in·out over all layers (the fixed sign layer of "shallow" included: it is multiplied too). */
static double sum_io(const plstar_model *m, size_t from)
{
    double s = 0.0;
    for (size_t l = from; l < m->nlayers; l++)
        s += (double)m->layers[l].in * (double)m->layers[l].out;
    return s;
}

double bench_flops_forward(const plstar_model *m, size_t n) { return 2.0 * (double)n * sum_io(m, 0); }

double bench_flops_explicit(const plstar_model *m, size_t n)
{
    double N = (double)n * (double)m->outputs, P = (double)m->nparams;
    /* forward; signals back through layers 1..L (N rows); J = outer products (one multiply per entry);
     * K = J Jᵀ by dsyrk, N(N+1)P */
    return bench_flops_forward(m, n) + 2.0 * N * sum_io(m, 1) + N * P + N * (N + 1.0) * P;
}

double bench_flops_gd_step(const plstar_model *m, size_t n)
{
    double g = 0.0;
    for (size_t l = 0; l < m->nlayers; l++)
        if (m->layers[l].trainable)
            g += (double)m->layers[l].in * (double)m->layers[l].out;
    /* forward, the residual's signals back through layers 1..L, the gradient's outer-product sums */
    return bench_flops_forward(m, n) + 2.0 * (double)n * sum_io(m, 1) + 2.0 * (double)n * g;
}

static void fmt_time(char *buf, size_t len, double s)
{
    if (!(s >= 0))
        snprintf(buf, len, "-");
    else if (s < 1e-3)
        snprintf(buf, len, "%.3g ms", s * 1e3);
    else if (s < 1)
        snprintf(buf, len, "%.4g ms", s * 1e3);
    else
        snprintf(buf, len, "%.4g s", s);
}

static void print_case(const json_t *line);

void bench_emit(bench_run *r, json_t *line)
{
    json_array_append(r->lines, line);
    plstar_progress_hide(); /* the case's line on stdout, then the progress line below it again */
    print_case(line);
    plstar_progress_update(&r->progress, r->suites_done);
}

/* The human line of a case. */
static void print_case(const json_t *line)
{
    const char *suite = json_string_value(json_object_get(line, "suite"));
    const char *name = json_string_value(json_object_get(line, "case"));
    const char *impl = json_string_value(json_object_get(line, "impl"));
    const char *skipped = json_string_value(json_object_get(line, "skipped"));
    const char *error = json_string_value(json_object_get(line, "error"));
    printf("%-8s %-40s %-26s", suite ? suite : "", name ? name : "", impl ? impl : "");
    if (skipped || error) {
        printf(" %s: %s\n", skipped ? "skipped" : "ERROR", skipped ? skipped : error);
        fflush(stdout);
        return;
    }
    char med[32], lo[32], hi[32];
    fmt_time(med, sizeof med, bench_json_num(line, "median_s"));
    fmt_time(lo, sizeof lo, bench_json_num(line, "min_s"));
    fmt_time(hi, sizeof hi, bench_json_num(line, "max_s"));
    if (isfinite(bench_json_num(line, "median_s")))
        printf(" %10s [%s, %s]", med, lo, hi);
    double gf = bench_json_num(line, "gflops"), share = bench_json_num(line, "peak_share");
    if (isfinite(gf) && isfinite(share))
        printf(" %7.2f GFLOP/s (%4.1f%% of peak)", gf, 100.0 * share);
    else if (isfinite(gf))
        printf(" %7.2f GFLOP/s", gf);
    double rss = bench_json_num(line, "rss_peak_kib");
    if (isfinite(rss))
        printf(" %.0f MiB", rss / 1024.0);
    json_t *ag = json_object_get(line, "agreement");
    if (json_is_object(ag)) {
        double c = bench_json_num(ag, "containment"), worst = bench_json_num(ag, "worst_ratio"), mad = bench_json_num(ag, "max_abs_diff"),
               rel = bench_json_num(ag, "max_rel_diff");
        if (isfinite(c) && isfinite(worst))
            printf("  agree: %.4g%% inside, worst %.2g of allowance, max|Δ| %.2g", 100.0 * c, worst, mad);
        else if (isfinite(c))
            printf("  agree: %s, |Δ| %.2g", c == 1 ? "consistent" : "INCONSISTENT", mad);
        else if (isfinite(rel))
            printf("  losses: max rel. Δ %.2g", rel);
        else if (isfinite(mad))
            printf("  max|Δ| %.2g", mad);
    }
    json_t *fit = json_object_get(line, "fit");
    if (json_is_object(fit))
        printf(" exponent %.3f (flop model %.3f)", bench_json_num(fit, "exponent"), bench_json_num(fit, "expected_model"));
    const char *verdict = json_string_value(json_object_get(line, "verdict"));
    if (verdict)
        printf("  %s", verdict);
    putchar('\n');
    fflush(stdout);
}

void bench_case_error(bench_run *r, const char *suite, const char *name, const char *impl)
{
    json_t *c = bench_case(suite, name, impl);
    json_object_set_new(c, "error", json_string(*plstar_errmsg() ? plstar_errmsg() : "failed"));
    r->errors++;
    bench_emit(r, c);
    json_decref(c);
    plstar_error_clear();
}

double bench_json_num(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *bench_json_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/*
 * bench/suite_scaling.c — cost exponents of the tangent kernel.
 *
 * The structured kernel (fast/ntk.h) costs the forward and backward passes,
 * ~4 n Σ in·out ∝ n·m² for widths m, plus per layer the Gram products
 * N²·out + n²·in ∝ n²·m: in n it grows like n² once n ≫ m (like n while n ≪ m),
 * in the width like m² once m ≫ n (like m while m ≪ n). The reference forms the
 * same products in ball arithmetic. For each, time is measured along n at a
 * fixed width and along the width at a fixed n; the exponent is the
 * least-squares slope of log(median time) against log(x), reported next to the
 * slope of the flop model plstar_fast_kernel_structured_flops over the same points
 * (the expected exponent in the regime measured) and the asymptotic ones.
 */
#include "bench/bench.h"
#include "core/error.h"
#include "fast/ntk.h"
#include "reference/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXPTS 8

typedef struct {
    const plstar_problem *p;
    double *K;
    arb_mat_struct *A;
} sctx;

static int run_s(void *v)
{
    sctx *c = v;
    return plstar_fast_kernel_structured(c->K, &c->p->model, c->p->X.data, c->p->n, c->p->w);
}

static int run_r(void *v)
{
    sctx *c = v;
    return plstar_ref_kernel(c->A, &c->p->model, c->p->X.data, c->p->n, c->p->w, PLSTAR_DEFAULT_PREC);
}

/* Least-squares slope of log y on log x, and R². */
static double slope(const double *x, const double *y, size_t k, double *r2)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < k; i++) {
        double lx = log(x[i]), ly = log(y[i]);
        sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly, syy += ly * ly;
    }
    double kd = (double)k, vx = sxx - sx * sx / kd, vy = syy - sy * sy / kd, cxy = sxy - sx * sy / kd;
    if (r2)
        *r2 = vx > 0 && vy > 0 ? cxy * cxy / (vx * vy) : NAN;
    return vx > 0 ? cxy / vx : NAN;
}

/* One sweep: `vary_n` along n with widths fixed (w, w), else along the width at fixed n. */
static int sweep(bench_run *r, int reference, int vary_n, size_t fixed, const size_t *xs, size_t k)
{
    const char *impl = reference ? "reference" : "structured";
    double x[MAXPTS], t[MAXPTS], fl[MAXPTS];
    size_t got = 0;
    char series[128];
    if (vary_n)
        snprintf(series, sizeof series, "%s vs n, w=%zux%zu", impl, fixed, fixed);
    else
        snprintf(series, sizeof series, "%s vs width, n=%zu", impl, fixed);
    bench_policy pol = bench_policy_for(r);
    for (size_t i = 0; i < k && i < MAXPTS; i++) {
        size_t n = vary_n ? xs[i] : fixed, w = vary_n ? fixed : xs[i];
        size_t widths[2] = {w, w};
        plstar_problem p;
        if (bench_mlp_problem(&p, n, 10, widths, 2, "tanh", 6)) {
            bench_case_error(r, "scaling", series, impl);
            continue;
        }
        char name[192];
        snprintf(name, sizeof name, "%s: n=%zu w=%zux%zu", vary_n ? "vs n" : "vs width", n, w, w);
        sctx c = {&p, NULL, NULL};
        arb_mat_t A;
        if (reference) {
            arb_mat_init(A, (slong)p.N, (slong)p.N);
            c.A = A;
        } else {
            c.K = malloc(p.N * p.N * sizeof(double));
        }
        bench_timing tm;
        double flops = plstar_fast_kernel_structured_flops(&p.model, n);
        if ((!reference && !c.K) || bench_time(&tm, &pol, reference ? run_r : run_s, &c)) {
            bench_case_error(r, "scaling", name, impl);
        } else {
            json_t *l = bench_case("scaling", name, impl);
            json_object_set_new(l, "sizes", bench_sizes_json(&p));
            json_object_set_new(l, "series", json_string(series));
            json_object_set_new(l, "x_name", json_string(vary_n ? "n" : "width"));
            json_object_set_new(l, "x", json_integer((json_int_t)xs[i]));
            bench_case_timing(l, &tm, flops, reference ? "structured kernel's count, in ball operations"
                                                      : "plstar_fast_kernel_structured_flops", r->peak.gflops);
            bench_emit(r, l);
            json_decref(l);
            x[got] = (double)xs[i], t[got] = tm.median_s, fl[got] = flops, got++;
        }
        if (reference)
            arb_mat_clear(A);
        free(c.K);
        plstar_problem_clear(&p);
    }
    if (got >= 2) {
        double r2, e = slope(x, t, got, &r2), em = slope(x, fl, got, NULL);
        json_t *l = bench_case("scaling", vary_n ? "fit vs n" : "fit vs width", impl);
        json_object_set_new(l, "series", json_string(series));
        json_t *f = json_object();
        json_object_set_new(f, "variable", json_string(vary_n ? "n" : "width"));
        json_object_set_new(f, "fixed", json_string(series));
        json_object_set_new(f, "points", json_integer((json_int_t)got));
        json_object_set_new(f, "x_min", json_real(x[0]));
        json_object_set_new(f, "x_max", json_real(x[got - 1]));
        json_object_set_new(f, "exponent", bench_real(e));
        json_object_set_new(f, "r2", bench_real(r2));
        json_object_set_new(f, "expected_model", bench_real(em));
        json_object_set_new(f, "expected_asymptotic",
                            json_string(vary_n ? "2 when n >> m (Gram products n^2 m), 1 when n << m (passes n m^2)"
                                               : "2 when m >> n (passes n m^2), 1 when m << n (Gram products n^2 m)"));
        json_object_set_new(l, "fit", f);
        bench_emit(r, l);
        json_decref(l);
    }
    plstar_error_clear();
    return 0;
}

int suite_scaling(bench_run *r)
{
    if (r->set == BENCH_TINY) {
        static const size_t n[] = {8, 16, 32}, w[] = {8, 16, 32};
        sweep(r, 0, 1, 16, n, 3);
        sweep(r, 0, 0, 16, w, 3);
    } else if (r->set == BENCH_QUICK) {
        static const size_t n[] = {128, 256, 512, 1024}, w[] = {128, 256, 512, 1024};
        static const size_t rn[] = {16, 32, 64, 128}, rw[] = {32, 64, 128, 256};
        sweep(r, 0, 1, 128, n, 4);
        sweep(r, 0, 0, 256, w, 4);
        sweep(r, 1, 1, 32, rn, 4);
        sweep(r, 1, 0, 16, rw, 4);
    } else {
        static const size_t n[] = {256, 512, 1024, 2048, 4096, 8192}, w[] = {256, 512, 1024, 2048, 4096};
        static const size_t rn[] = {32, 64, 128, 256}, rw[] = {64, 128, 256, 512};
        sweep(r, 0, 1, 512, n, 6);
        sweep(r, 0, 0, 1024, w, 5);
        sweep(r, 1, 1, 128, rn, 4);
        sweep(r, 1, 0, 32, rw, 4);
    }
    return 0;
}

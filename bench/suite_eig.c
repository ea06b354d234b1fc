/*
 * bench/suite_eig.c — λ_min and λ_max of a tangent kernel (docs/theory.md §7):
 *   lapack         plstar_fast_eig_lapack (dsyevd, eigenvalues only; not certified)
 *   verified       plstar_verified_eig_bounds: λ_min and λ_max intervals proven in
 *                  floating point (Rump's shifted Cholesky + Rayleigh quotients)
 *   verified_lmin  plstar_verified_lambda_min: the certified lower bound alone
 *   reference      plstar_ref_eig_bounds on the exact double matrix, Arb at 128 bits
 * The matrix is the structured kernel (fast/ntk.h) of a d = 10 tanh MLP at
 * seeded inputs and weights. Where the reference runs, each result is compared
 * with its enclosure of λ_min; elsewhere LAPACK's λ_min is checked against the
 * verified interval.
 */
#include "bench/bench.h"
#include "core/error.h"
#include "core/report.h"
#include "fast/eig.h"
#include "verified/eig.h"
#include "fast/ntk.h"
#include "reference/eig.h"
#include "reference/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { E_LAPACK = 1, E_VER = 2, E_VERL = 4, E_REF = 8 };

typedef struct {
    const double *K;
    size_t n;
    arb_mat_struct *A;
    int which;
    double lmin, lmax, vmin[2], vmax[2], lower;
    arb_t rmin, rmax;
    int status;
} ectx;

static int run_eig(void *v)
{
    ectx *c = v;
    int st;
    switch (c->which) {
    case E_LAPACK:
        return plstar_fast_eig_lapack(&c->lmin, &c->lmax, c->K, c->n);
    case E_VER:
        st = plstar_verified_eig_bounds(c->vmin, c->vmax, c->K, c->n, 0.0);
        c->status = st;
        return st == PLSTAR_INCONCLUSIVE ? 0 : st;
    case E_VERL:
        st = plstar_verified_lambda_min(&c->lower, c->K, c->n, 0.0, NAN);
        c->status = st;
        return st == PLSTAR_INCONCLUSIVE ? 0 : st;
    default:
        st = plstar_ref_eig_bounds(c->rmin, c->rmax, c->A, PLSTAR_DEFAULT_PREC);
        c->status = st;
        return st == PLSTAR_INCONCLUSIVE ? 0 : st;
    }
}

static json_t *interval(double lo, double hi) { return plstar_report_interval(lo, hi); }

static void set_common(json_t *c, size_t n, const char *series, const char *model)
{
    json_t *s = json_object();
    json_object_set_new(s, "n", json_integer((json_int_t)n));
    json_object_set_new(s, "matrix", json_string(model));
    json_object_set_new(c, "sizes", s);
    json_object_set_new(c, "series", json_string(series));
    json_object_set_new(c, "x_name", json_string("n"));
    json_object_set_new(c, "x", json_integer((json_int_t)n));
}

/* Agreement of a λ_min result [lo, hi] (lo = hi for a value) with the reference ball [rlo, rhi]. */
static json_t *lambda_agreement(double lo, double hi, double rlo, double rhi, double allow, const char *against,
                                const char *allowance)
{
    double mid = 0.5 * (rlo + rhi), rad = 0.5 * (rhi - rlo);
    double d = fmax(fabs(lo - mid), fabs(hi - mid));
    json_t *a = json_object();
    json_object_set_new(a, "against", json_string(against));
    json_object_set_new(a, "allowance", json_string(allowance));
    json_object_set_new(a, "entries", json_integer(1));
    json_object_set_new(a, "max_abs_diff", bench_real(d));
    json_object_set_new(a, "max_diff_over_rad", bench_real(d / (rad > 0 ? rad : 0x1p-1074)));
    /* an interval result must overlap the reference (both contain λ_min); a value must lie within allow */
    int inside = lo < hi ? (lo <= rhi && hi >= rlo) : fabs(lo - mid) <= rad + allow;
    json_object_set_new(a, "containment", json_real(inside ? 1.0 : 0.0));
    json_object_set_new(a, "violations", json_integer(!inside));
    json_object_set_new(a, "reference_width", bench_real(rhi - rlo));
    if (lo < hi)
        json_object_set_new(a, "width_over_lambda", bench_real((hi - lo) / fabs(mid)));
    json_object_set_new(a, "lower_gap_over_lambda", bench_real((mid - lo) / fabs(mid)));
    return a;
}

static int one_size(bench_run *r, size_t n, const size_t *widths, size_t nw, unsigned what)
{
    plstar_problem p;
    int st = bench_mlp_problem(&p, n, 10, widths, nw, "tanh", 2);
    if (st)
        return st;
    char ws[128], name[192], series[192], model[192];
    bench_widths_str(ws, sizeof ws, &p.model);
    snprintf(model, sizeof model, "structured kernel, tanh MLP d=10 w=%s", ws);
    snprintf(series, sizeof series, "K of d=10 w=%s", ws);
    snprintf(name, sizeof name, "n=%zu K(d=10 w=%s)", n, ws);
    double *K = malloc(n * n * sizeof(double));
    if (!K) {
        plstar_problem_clear(&p);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for a %zu x %zu matrix", n, n);
    }
    st = plstar_fast_kernel_structured(K, &p.model, p.X.data, p.n, p.w);
    plstar_problem_clear(&p);
    if (st) {
        free(K);
        return st;
    }
    bench_policy pol = bench_policy_for(r);
    double peak = r->peak.gflops, nd = (double)n;
    ectx c = {.K = K, .n = n};
    arb_init(c.rmin);
    arb_init(c.rmax);
    arb_mat_t A;
    int have_ref = 0, have_lapack = 0;
    json_t *lines[4] = {NULL, NULL, NULL, NULL};

    if (what & E_REF) { /* first: the others are compared with it */
        arb_mat_init(A, (slong)n, (slong)n);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                arb_set_d(arb_mat_entry(A, (slong)i, (slong)j), K[i * n + j]);
        c.A = A;
        c.which = E_REF;
        bench_timing t;
        if (bench_time(&t, &pol, run_eig, &c)) {
            bench_case_error(r, "eig", name, "reference");
        } else {
            have_ref = c.status == PLSTAR_OK;
            json_t *l = lines[3] = bench_case("eig", name, "reference");
            set_common(l, n, series, model);
            bench_case_timing(l, &t, 0, NULL, peak);
            json_object_set_new(l, "lambda_min", plstar_report_interval_arb(c.rmin));
            json_object_set_new(l, "lambda_max", plstar_report_interval_arb(c.rmax));
            json_object_set_new(l, "prec", json_integer(PLSTAR_DEFAULT_PREC));
            json_object_set_new(l, "verdict", json_string(plstar_report_verdict_name(c.status, 0)));
        }
    }
    double rlo = have_ref ? plstar_arb_lower_d(c.rmin) : NAN, rhi = have_ref ? plstar_arb_upper_d(c.rmin) : NAN;
    static const char against[] = "reference plstar_ref_eig_bounds λ_min (Arb, 128 bits), this run";

    if (what & E_LAPACK) {
        c.which = E_LAPACK;
        bench_timing t;
        if (bench_time(&t, &pol, run_eig, &c)) {
            bench_case_error(r, "eig", name, "lapack");
        } else {
            have_lapack = 1;
            json_t *l = lines[0] = bench_case("eig", name, "lapack");
            set_common(l, n, series, model);
            bench_case_timing(l, &t, 4.0 / 3.0 * nd * nd * nd, "dsytrd 4n³/3 (eigenvalues only)", peak);
            json_object_set_new(l, "lambda_min", bench_real(c.lmin));
            json_object_set_new(l, "lambda_max", bench_real(c.lmax));
            if (have_ref) /* a backward-stable solver: |λ̂ − λ| ≤ ‖E‖₂ ≲ n·u·‖K‖₂ (a model, not a proof) */
                json_object_set_new(l, "agreement",
                                    lambda_agreement(c.lmin, c.lmin, rlo, rhi, nd * 0x1p-53 * fabs(c.lmax), against,
                                                     "rad + n·u·λ_max (backward-stable eigensolver, a model)"));
        }
    }

    if (what & E_VER) {
        c.which = E_VER;
        bench_timing t;
        if (bench_time(&t, &pol, run_eig, &c)) {
            bench_case_error(r, "eig", name, "verified");
        } else {
            json_t *l = lines[1] = bench_case("eig", name, "verified");
            set_common(l, n, series, model);
            bench_case_timing(l, &t, 0, NULL, peak);
            json_object_set_new(l, "lambda_min", interval(c.vmin[0], c.vmin[1]));
            json_object_set_new(l, "lambda_max", interval(c.vmax[0], c.vmax[1]));
            json_object_set_new(l, "verdict", json_string(plstar_report_verdict_name(c.status, 0)));
            if (have_ref && isfinite(c.vmin[0]) && isfinite(c.vmin[1]))
                json_object_set_new(l, "agreement",
                                    lambda_agreement(c.vmin[0], c.vmin[1], rlo, rhi, 0, against,
                                                     "none: both intervals are proven, they must overlap"));
            else if (have_lapack && isfinite(c.vmin[0]) && isfinite(c.vmin[1])) {
                json_t *a = json_object();
                json_object_set_new(a, "against", json_string("LAPACK dsyevd λ_min, this run"));
                json_object_set_new(a, "lapack_inside", json_boolean(c.lmin >= c.vmin[0] && c.lmin <= c.vmin[1]));
                json_object_set_new(a, "width_over_lambda", bench_real((c.vmin[1] - c.vmin[0]) / fabs(c.lmin)));
                json_object_set_new(a, "max_abs_diff", bench_real(fmax(fabs(c.lmin - c.vmin[0]), fabs(c.lmin - c.vmin[1]))));
                json_object_set_new(l, "agreement", a);
            }
        }
    }

    if (what & E_VERL) {
        c.which = E_VERL;
        bench_timing t;
        if (bench_time(&t, &pol, run_eig, &c)) {
            bench_case_error(r, "eig", name, "verified_lmin");
        } else {
            json_t *l = lines[2] = bench_case("eig", name, "verified_lmin");
            set_common(l, n, series, model);
            bench_case_timing(l, &t, 0, NULL, peak);
            json_object_set_new(l, "lambda_min_lower", bench_real(c.lower));
            json_object_set_new(l, "verdict", json_string(plstar_report_verdict_name(c.status, 0)));
            if (have_ref && isfinite(c.lower)) {
                double mid = 0.5 * (rlo + rhi);
                json_t *a = json_object();
                json_object_set_new(a, "against", json_string(against));
                json_object_set_new(a, "allowance", json_string("none: a proven lower bound must not exceed the "
                                                                "reference's upper end"));
                json_object_set_new(a, "entries", json_integer(1));
                json_object_set_new(a, "max_abs_diff", bench_real(fabs(mid - c.lower)));
                json_object_set_new(a, "containment", json_real(c.lower <= rhi ? 1.0 : 0.0));
                json_object_set_new(a, "violations", json_integer(c.lower > rhi));
                json_object_set_new(a, "lower_gap_over_lambda", bench_real((mid - c.lower) / fabs(mid)));
                json_object_set_new(l, "agreement", a);
            }
        }
    }
    /* lines in a fixed order, with times relative to LAPACK's */
    double base = lines[0] ? json_number_value(json_object_get(lines[0], "median_s")) : NAN;
    for (int k = 0; k < 4; k++) {
        if (!lines[k])
            continue;
        json_t *med = json_object_get(lines[k], "median_s");
        if (isfinite(base) && json_is_number(med))
            json_object_set_new(lines[k], "vs_lapack", bench_real(json_number_value(med) / base));
        json_t *ag = json_object_get(lines[k], "agreement");
        if (k != 0 && json_is_object(ag) && json_integer_value(json_object_get(ag, "violations")) > 0)
            r->violations++;
        bench_emit(r, lines[k]);
        json_decref(lines[k]);
    }
    if (what & E_REF)
        arb_mat_clear(A);
    arb_clear(c.rmin);
    arb_clear(c.rmax);
    free(K);
    plstar_error_clear();
    return 0;
}

int suite_eig(bench_run *r)
{
    static const size_t w_tiny[] = {16, 16}, w[] = {256, 256};
    struct {
        size_t n;
        unsigned what;
    } tiny[] = {{8, 15}, {16, 15}},
      quick[] = {{64, 15}, {128, 15}, {256, 15}},
      full[] = {{256, 15}, {512, 15}, {1024, 15}, {2048, 7}, {4096, 7}};
    size_t count = r->set == BENCH_TINY ? 2 : r->set == BENCH_QUICK ? 3 : 5;
    for (size_t k = 0; k < count; k++) {
        size_t n = r->set == BENCH_TINY ? tiny[k].n : r->set == BENCH_QUICK ? quick[k].n : full[k].n;
        unsigned what = r->set == BENCH_TINY ? tiny[k].what : r->set == BENCH_QUICK ? quick[k].what : full[k].what;
        int st = one_size(r, n, r->set == BENCH_TINY ? w_tiny : w, 2, what);
        if (st)
            bench_case_error(r, "eig", "matrix", "-");
    }
    return 0;
}

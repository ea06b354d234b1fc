/* proofs-checks/spectrum.c — certified spectral bounds of a symmetric matrix (spectrum.h). */
#include "proofs-checks/spectrum.h"
#include "core/error.h"
#include "core/report.h"
#include "verified/eig.h"
#include "reference/eig.h"

#include <arb_mat.h>
#include <float.h>
#include <math.h>
#include <stdio.h>

int plstar_spectrum_symmetric_within(const double *K, const double *R, size_t n, size_t *bi, size_t *bj)
{
    arf_t d, s, t;
    int ok = 1;
    arf_init(d);
    arf_init(s);
    arf_init(t);
    for (size_t i = 0; i < n && ok; i++)
        for (size_t j = 0; j < i && ok; j++) {
            double x = K[i * n + j], y = K[j * n + i];
            if (x == y)
                continue;
            if (!R) {
                ok = 0;
            } else {
                arf_set_d(d, x);
                arf_set_d(t, y);
                arf_sub(d, d, t, ARF_PREC_EXACT, ARF_RND_DOWN);
                arf_abs(d, d);
                arf_set_d(s, R[i * n + j]);
                arf_set_d(t, R[j * n + i]);
                arf_add(s, s, t, ARF_PREC_EXACT, ARF_RND_DOWN);
                ok = arf_cmp(d, s) <= 0;
            }
            if (!ok) {
                *bi = i;
                *bj = j;
            }
        }
    arf_clear(d);
    arf_clear(s);
    arf_clear(t);
    return ok;
}

int plstar_spectrum_kappa_bounds(double kappa[2], const double lmin[2], const double lmax[2])
{
    if (!(lmin[0] > 0.0) || !(lmax[0] > 0.0))
        return 0;
    kappa[0] = nextafter(lmax[0] / lmin[1], -INFINITY);
    kappa[1] = nextafter(lmax[1] / lmin[0], INFINITY);
    if (kappa[0] < 1.0)
        kappa[0] = 1.0; /* λ_max ≥ λ_min */
    return 1;
}

/* verified/eig.h: one radius, the largest, for every entry. */
static int fast_bounds(spectrum_result *res, const double *K, const double *R, size_t n)
{
    double rad = 0.0;
    for (size_t k = 0; R && k < n * n; k++)
        rad = fmax(rad, R[k]);
    return plstar_verified_eig_bounds(res->lambda_min, res->lambda_max, K, n, rad);
}

/* reference/eig.h on the balls K_ij ± R_ij. */
static int reference_bounds(spectrum_result *res, const double *K, const double *R, size_t n, slong prec)
{
    arb_mat_t A;
    arb_t a, b;
    arb_mat_init(A, (slong)n, (slong)n);
    arb_init(a);
    arb_init(b);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            arb_ptr x = arb_mat_entry(A, (slong)i, (slong)j);
            arb_set_d(x, K[i * n + j]);
            if (R)
                mag_set_d(arb_radref(x), R[i * n + j]); /* rounds upwards */
        }
    int st = plstar_ref_eig_bounds(a, b, A, prec);
    if (st == PLSTAR_OK || st == PLSTAR_INCONCLUSIVE) {
        res->lambda_min[0] = plstar_arb_lower_d(a);
        res->lambda_min[1] = plstar_arb_upper_d(a);
        res->lambda_max[0] = plstar_arb_lower_d(b);
        res->lambda_max[1] = plstar_arb_upper_d(b);
    }
    arb_clear(a);
    arb_clear(b);
    arb_mat_clear(A);
    return st;
}

/* Certified only when all four bounds are finite doubles: both implementations are judged on
 * what is reported. */
static int bounds_status(int st, const double lmin[2], const double lmax[2])
{
    if (st != PLSTAR_OK && st != PLSTAR_INCONCLUSIVE)
        return st;
    return isfinite(lmin[0]) && isfinite(lmin[1]) && isfinite(lmax[0]) && isfinite(lmax[1]) ? PLSTAR_OK
                                                                                          : PLSTAR_INCONCLUSIVE;
}

int plstar_check_spectrum(spectrum_result *res, const double *K, const double *R, size_t n, int reference, slong prec)
{
    *res = (spectrum_result){.n = n, .reference = reference, .prec = prec, .lambda_min = {-INFINITY, INFINITY},
                             .lambda_max = {-INFINITY, INFINITY}};
    int st = reference ? reference_bounds(res, K, R, n, prec) : fast_bounds(res, K, R, n);
    st = bounds_status(st, res->lambda_min, res->lambda_max);
    if (st == PLSTAR_OK || st == PLSTAR_INCONCLUSIVE)
        res->have_kappa = plstar_spectrum_kappa_bounds(res->kappa, res->lambda_min, res->lambda_max);
    return st;
}

/* An enclosure; one-sided when a side is unbounded, absent when both are. */
static json_t *bounds_json(const double b[2])
{
    if (isfinite(b[0]) && isfinite(b[1]))
        return plstar_report_interval(b[0], b[1]);
    if (isfinite(b[0]))
        return plstar_report_lower(b[0]);
    if (isfinite(b[1]))
        return plstar_report_upper(b[1]);
    return plstar_report_absent("no finite bound was proven");
}

/* report["reason"] for bounds that are not all finite: the first missing side
 * and what would give it. */
static void bounds_reason(json_t *rep, const spectrum_result *res, const double *K)
{
    const double *lmin = res->lambda_min, *lmax = res->lambda_max;
    size_t n = res->n;
    double amax = 0.0;
    for (size_t k = 0; k < n * n; k++)
        amax = fmax(amax, fabs(K[k]));
    const char *ineq = !isfinite(lmin[0]) ? "lambda_min(X) >= a finite lower bound"
                       : !isfinite(lmin[1]) ? "lambda_min(X) <= a finite upper bound"
                       : !isfinite(lmax[0]) ? "lambda_max(X) >= a finite lower bound"
                                            : "lambda_max(X) <= a finite upper bound";
    const double *b = !isfinite(lmin[0]) || !isfinite(lmin[1]) ? lmin : lmax;
    char decide[300];
    if (amax > DBL_MAX / 4 / (double)n) /* ‖K‖₂ ≤ n·max|K_ij| may not be a double */
        snprintf(decide, sizeof decide, "the spectrum may exceed the double range (max|K_ij| = %.3g, n = %zu): scale "
                 "K by a power of two and scale the bounds back", amax, n);
    else if (!res->reference)
        snprintf(decide, sizeof decide, "the floating-point verification failed: --impl reference");
    else
        snprintf(decide, sizeof decide, "more precision (--prec %ld)",
                 (long)(2 * res->prec < 65536 ? 2 * res->prec : 65536));
    plstar_report_set_reason(rep, ineq, bounds_json(b), NULL, decide);
}

json_t *plstar_spectrum_report(const spectrum_result *res, const double *K, const char *matrix, const char *radii,
                               int verdict)
{
    json_t *rep = plstar_report_new("eig", "docs/theory.md §7 (certified spectral bounds)");
    plstar_report_set_verdict(rep, plstar_report_verdict_name(verdict, 0));
    plstar_report_set_scope(rep, REPORT_SCOPE_MATRIX);
    if (verdict != PLSTAR_OK)
        bounds_reason(rep, res, K);
    json_t *in = json_object_get(rep, "inputs");
    json_object_set_new(in, "matrix", json_string(matrix));
    json_object_set_new(in, "radii", radii ? json_string(radii)
                                           : plstar_report_absent("no radii file beside the matrix: the bounds are about "
                                                                  "the matrix as read"));
    json_object_set_new(in, "n", json_integer((json_int_t)res->n));
    json_object_set_new(in, "impl", json_string(res->reference ? "reference" : "fast"));
    json_object_set_new(in, "prec", res->reference ? json_integer(res->prec) : json_integer(53));
    plstar_report_add_input_file(rep, "matrix", matrix); /* a digest that cannot be taken says why */
    if (radii)
        plstar_report_add_input_file(rep, "radii", radii);
    plstar_report_set_precision(rep, res->reference ? (long)res->prec : 53); /* binary64 with a proven error bound */
    json_t *q = json_object_get(rep, "quantities");
    json_object_set_new(q, "lambda_min", bounds_json(res->lambda_min));
    json_object_set_new(q, "lambda_max", bounds_json(res->lambda_max));
    json_object_set_new(q, "kappa", res->have_kappa ? plstar_report_interval(res->kappa[0], res->kappa[1])
                                                    : plstar_report_absent("lambda_min is not proven positive"));
    return rep;
}

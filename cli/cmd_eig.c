/*
 * cli/cmd_eig.c — `plstar eig`: certified bounds on λ_min and λ_max of a
 * symmetric matrix (docs/theory.md §7), by fast/eig.h (floating-point verified) or
 * reference/eig.h (ball arithmetic).
 *
 * When K.rad.npy lies beside K.npy (the reference output convention), the
 * bounds hold for every symmetric matrix X with |X_ij − K_ij| ≤ R_ij.
 */
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/report.h"
#include "verified/eig.h"
#include "reference/eig.h"
#include "reference/network.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Is there a symmetric matrix in the ball? Exact test of
 * |a_ij − a_ji| ≤ r_ij + r_ji (the two intervals meet). */
static int symmetric_within(const double *a, const double *r, size_t n, size_t *bi, size_t *bj)
{
    arf_t d, s, t;
    int ok = 1;
    arf_init(d);
    arf_init(s);
    arf_init(t);
    for (size_t i = 0; i < n && ok; i++)
        for (size_t j = 0; j < i && ok; j++) {
            double x = a[i * n + j], y = a[j * n + i];
            if (x == y)
                continue;
            if (!r) {
                ok = 0;
            } else {
                arf_set_d(d, x);
                arf_set_d(t, y);
                arf_sub(d, d, t, ARF_PREC_EXACT, ARF_RND_DOWN);
                arf_abs(d, d);
                arf_set_d(s, r[i * n + j]);
                arf_set_d(t, r[j * n + i]);
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

static int load(plstar_array *K, plstar_array *R, const char *path, const char *rpath, int *have_rad)
{
    int st = npy_read(K, path);
    if (st)
        return st;
    if (K->ndim != 2)
        return plstar_error(PLSTAR_EDATA, "%s: expected a 2-D matrix, got %zu dimensions", path, K->ndim);
    if (K->shape[0] != K->shape[1])
        return plstar_error(PLSTAR_EDATA, "%s: expected a square matrix, got %zu x %zu", path, K->shape[0],
                            K->shape[1]);
    if (K->shape[0] == 0)
        return plstar_error(PLSTAR_EDATA, "%s: the matrix is empty", path);
    const size_t n = K->shape[0];
    for (size_t k = 0; k < K->size; k++)
        if (!isfinite(K->data[k]))
            return plstar_error(PLSTAR_EDATA, "%s: entry (%zu, %zu) is not finite", path, k / n, k % n);
    struct stat sb;
    *have_rad = stat(rpath, &sb) == 0;
    if (*have_rad) {
        if ((st = npy_read(R, rpath)))
            return st;
        if (R->ndim != 2 || R->shape[0] != n || R->shape[1] != n)
            return plstar_error(PLSTAR_EDATA, "%s: radii must have the shape (%zu, %zu) of %s", rpath, n, n,
                                path);
        for (size_t k = 0; k < R->size; k++)
            if (!(R->data[k] >= 0.0) || !isfinite(R->data[k]))
                return plstar_error(PLSTAR_EDATA, "%s: radius (%zu, %zu) is not a finite number >= 0", rpath,
                                    k / n, k % n);
    }
    size_t bi = 0, bj = 0;
    if (!symmetric_within(K->data, *have_rad ? R->data : NULL, n, &bi, &bj))
        return plstar_error(PLSTAR_EDATA, "%s: not symmetric%s: entries (%zu, %zu) = %.17g and (%zu, %zu) = %.17g",
                            path, *have_rad ? " within the radii" : "", bi, bj, K->data[bi * n + bj], bj, bi,
                            K->data[bj * n + bi]);
    return PLSTAR_OK;
}

/* κ = λ_max/λ_min bounds when λ_min is proven positive; 0 otherwise. */
static int kappa_bounds(double k[2], const double lmin[2], const double lmax[2])
{
    if (!(lmin[0] > 0.0) || !(lmax[0] > 0.0))
        return 0;
    k[0] = nextafter(lmax[0] / lmin[1], -INFINITY);
    k[1] = nextafter(lmax[1] / lmin[0], INFINITY);
    if (k[0] < 1.0)
        k[0] = 1.0; /* λ_max ≥ λ_min */
    return 1;
}

/* The verdict of the bounds as reported (doubles): certified only when all four
 * are finite. A ball finite in Arb can still exceed the double range, so both
 * implementations are judged here, on what is printed. */
static int bounds_status(int st, const double lmin[2], const double lmax[2])
{
    if (st != PLSTAR_OK && st != PLSTAR_INCONCLUSIVE)
        return st;
    return isfinite(lmin[0]) && isfinite(lmin[1]) && isfinite(lmax[0]) && isfinite(lmax[1]) ? PLSTAR_OK
                                                                                          : PLSTAR_INCONCLUSIVE;
}

/* An enclosure; one-sided when a side is unbounded, absent when both are. */
static json_t *bounds_json(const double b[2])
{
    if (isfinite(b[0]) && isfinite(b[1]))
        return report_interval(b[0], b[1]);
    if (isfinite(b[0]))
        return report_lower(b[0]);
    if (isfinite(b[1]))
        return report_upper(b[1]);
    return report_absent("no finite bound was proven");
}

static void print_bounds(const char *name, const double b[2])
{
    if (isfinite(b[0]) && isfinite(b[1]))
        printf("%s ∈ [%.17g, %.17g]\n", name, b[0], b[1]);
    else if (isfinite(b[0]))
        printf("%s ≥ %.17g (no finite upper bound)\n", name, b[0]);
    else if (isfinite(b[1]))
        printf("%s ≤ %.17g (no finite lower bound)\n", name, b[1]);
    else
        printf("%s: no finite bound\n", name);
}

/* report["reason"] for bounds that are not all finite: the first missing side
 * and what would give it. */
static void bounds_reason(json_t *rep, const double lmin[2], const double lmax[2], const double *K, size_t n,
                          int impl, slong prec)
{
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
    else if (!impl)
        snprintf(decide, sizeof decide, "the floating-point verification failed: --impl reference");
    else
        snprintf(decide, sizeof decide, "more precision (--prec %ld)", (long)(2 * prec < 65536 ? 2 * prec : 65536));
    report_set_reason(rep, ineq, bounds_json(b), NULL, decide);
}

int cmd_eig(int argc, char **argv)
{
    static const struct option longopts[] = {{"matrix", required_argument, NULL, OPT_MATRIX},
                                             {"impl", required_argument, NULL, OPT_IMPL},
                                             {"prec", required_argument, NULL, OPT_PREC},
                                             {"json", required_argument, NULL, OPT_JSON},
                                             {NULL, 0, NULL, 0}};
    const char *cmd = argv[0], *matrix = NULL, *json = NULL;
    int impl = 0, have_prec = 0, opt;
    slong prec = PLSTAR_DEFAULT_PREC;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_MATRIX:
            matrix = optarg;
            break;
        case OPT_IMPL:
            if ((impl = cli_parse_impl(optarg)) < 0)
                return cli_usage(cmd, "--impl must be fast or reference, got '%s'", optarg);
            break;
        case OPT_PREC:
            if (cli_parse_prec(&prec, optarg))
                return cli_usage(cmd, "--prec takes bits in [32, 65536], got '%s'", optarg);
            have_prec = 1;
            break;
        case OPT_JSON:
            json = optarg;
            break;
        default:
            return cli_usage(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!matrix)
        return cli_usage(cmd, "needs --matrix K.npy");
    if (have_prec && !impl) /* the fast path is binary64 throughout */
        return cli_usage(cmd, "--prec applies to --impl reference only");
    char *rpath = cli_radius_path(matrix);
    if (!rpath)
        return cli_fail(cmd, plstar_error(PLSTAR_ESOFTWARE, "out of memory"));
    if (json) {
        const char *inputs[] = {matrix, rpath};
        int r = cli_check_output(cmd, json, inputs, 2);
        if (r) {
            free(rpath);
            return r;
        }
    }

    plstar_array K, R;
    npy_init(&K);
    npy_init(&R);
    int have_rad = 0;
    int st = load(&K, &R, matrix, rpath, &have_rad);
    const size_t n = K.ndim == 2 ? K.shape[0] : 0;
    double lmin[2] = {-INFINITY, INFINITY}, lmax[2] = {-INFINITY, INFINITY};

    if (!st && !impl) {
        double rad = 0.0;
        for (size_t k = 0; have_rad && k < R.size; k++)
            rad = fmax(rad, R.data[k]);
        st = verified_eig_bounds(lmin, lmax, K.data, n, rad);
    } else if (!st) {
        char what[600];
        snprintf(what, sizeof what, "%s: the %zu x %zu ball matrix and its factor", matrix, n, n);
        /* refused before allocating: the ball matrix and its Cholesky factor */
        if ((st = plstar_check_memory(2.0 * (double)sizeof(arb_struct) * (double)n * (double)n, what))) {
            ;
        } else {
            arb_mat_t A;
            arb_t a, b;
            arb_mat_init(A, (slong)n, (slong)n);
            arb_init(a);
            arb_init(b);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++) {
                    arb_ptr x = arb_mat_entry(A, (slong)i, (slong)j);
                    arb_set_d(x, K.data[i * n + j]);
                    if (have_rad)
                        mag_set_d(arb_radref(x), R.data[i * n + j]); /* rounds upwards */
                }
            st = ref_eig_bounds(a, b, A, prec);
            if (st == PLSTAR_OK || st == PLSTAR_INCONCLUSIVE) {
                lmin[0] = arb_lower_d(a);
                lmin[1] = arb_upper_d(a);
                lmax[0] = arb_lower_d(b);
                lmax[1] = arb_upper_d(b);
            }
            arb_clear(a);
            arb_clear(b);
            arb_mat_clear(A);
        }
    }

    st = bounds_status(st, lmin, lmax);
    if (st == PLSTAR_OK || st == PLSTAR_INCONCLUSIVE) {
        double k[2];
        int have_kappa = kappa_bounds(k, lmin, lmax);
        printf("matrix %s: %zu x %zu%s%s, impl %s", matrix, n, n, have_rad ? ", radii from " : "",
               have_rad ? rpath : "", impl ? "reference" : "fast");
        if (impl)
            printf(", prec %ld", (long)prec);
        putchar('\n');
        print_bounds("λ_min", lmin);
        print_bounds("λ_max", lmax);
        if (have_kappa)
            printf("κ = λ_max/λ_min ∈ [%.17g, %.17g]\n", k[0], k[1]);
        else
            printf("κ = λ_max/λ_min: not bounded (λ_min is not proven positive)\n");
        if (json) {
            json_t *rep = report_new("eig", "docs/theory.md §7 (certified spectral bounds)");
            report_set_verdict(rep, report_verdict_name(st, 0));
            report_set_scope(rep, REPORT_SCOPE_MATRIX);
            if (st != PLSTAR_OK)
                bounds_reason(rep, lmin, lmax, K.data, n, impl, prec);
            json_t *in = json_object_get(rep, "inputs");
            json_object_set_new(in, "matrix", json_string(matrix));
            json_object_set_new(in, "radii", have_rad ? json_string(rpath)
                                                      : report_absent("no radii file beside the matrix: the bounds "
                                                                      "are about the matrix as read"));
            json_object_set_new(in, "n", json_integer((json_int_t)n));
            json_object_set_new(in, "impl", json_string(impl ? "reference" : "fast"));
            json_object_set_new(in, "prec", impl ? json_integer(prec) : json_integer(53));
            report_add_input_file(rep, "matrix", matrix); /* a digest that cannot be taken says why */
            if (have_rad)
                report_add_input_file(rep, "radii", rpath);
            report_set_precision(rep, impl ? (long)prec : 53); /* binary64 with a proven error bound */
            json_t *q = json_object_get(rep, "quantities");
            json_object_set_new(q, "lambda_min", bounds_json(lmin));
            json_object_set_new(q, "lambda_max", bounds_json(lmax));
            json_object_set_new(q, "kappa", have_kappa ? report_interval(k[0], k[1])
                                                       : report_absent("lambda_min is not proven positive"));
            int wst = report_write(json, rep);
            json_decref(rep);
            if (wst)
                st = cli_fail(cmd, wst);
        }
    } else {
        cli_fail(cmd, st);
    }
    npy_clear(&K);
    npy_clear(&R);
    free(rpath);
    return st;
}

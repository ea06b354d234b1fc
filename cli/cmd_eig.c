/*
 * cli/cmd_eig.c — `plstar eig`: certified bounds on λ_min and λ_max of a
 * symmetric matrix (docs/theory.md §7, proofs-checks/spectrum.h), by verified/eig.h
 * (floating-point verified) or reference/eig.h (ball arithmetic).
 *
 * When K.rad.npy lies beside K.npy (the reference output convention), the
 * bounds hold for every symmetric X with |X_ij − K_ij| ≤ R_ij.
 */
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/report.h"
#include "proofs-checks/spectrum.h"
#include "reference/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

typedef struct {
    const char *cmd, *matrix, *json;
    int reference;
    slong prec;
} eig_args;

static int load(plstar_array *K, plstar_array *R, const char *path, const char *rpath, int *have_rad)
{
    int st = plstar_npy_read(K, path);
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
        if ((st = plstar_npy_read(R, rpath)))
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
    if (!plstar_spectrum_symmetric_within(K->data, *have_rad ? R->data : NULL, n, &bi, &bj))
        return plstar_error(PLSTAR_EDATA, "%s: not symmetric%s: entries (%zu, %zu) = %.17g and (%zu, %zu) = %.17g",
                            path, *have_rad ? " within the radii" : "", bi, bj, K->data[bi * n + bj], bj, bi,
                            K->data[bj * n + bi]);
    return PLSTAR_OK;
}

static int parse(eig_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {{"matrix", required_argument, NULL, OPT_MATRIX},
                                             {"impl", required_argument, NULL, OPT_IMPL},
                                             {"prec", required_argument, NULL, OPT_PREC},
                                             {"json", required_argument, NULL, OPT_JSON},
                                             {NULL, 0, NULL, 0}};
    int have_prec = 0, opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_MATRIX:
            a->matrix = optarg;
            break;
        case OPT_IMPL:
            if ((a->reference = cli_parse_impl(optarg)) < 0)
                return cli_usage(a->cmd, "--impl must be fast or reference, got '%s'", optarg);
            break;
        case OPT_PREC:
            if (cli_parse_prec(&a->prec, optarg))
                return cli_usage(a->cmd, "--prec takes bits in [32, 65536], got '%s'", optarg);
            have_prec = 1;
            break;
        case OPT_JSON:
            a->json = optarg;
            break;
        default:
            return cli_usage(a->cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage(a->cmd, "unexpected argument '%s'", argv[optind]);
    if (!a->matrix)
        return cli_usage(a->cmd, "needs --matrix K.npy");
    if (have_prec && !a->reference) /* the fast path is binary64 throughout */
        return cli_usage(a->cmd, "--prec applies to --impl reference only");
    return PLSTAR_OK;
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

/* The bounds on stdout and, with --json, the report; returns the verdict or the error of writing it. */
static int print_and_report(const eig_args *a, const spectrum_result *res, const double *K, const char *radii,
                            int verdict)
{
    size_t n = res->n;
    printf("matrix %s: %zu x %zu%s%s, impl %s", a->matrix, n, n, radii ? ", radii from " : "", radii ? radii : "",
           a->reference ? "reference" : "fast");
    if (a->reference)
        printf(", prec %ld", (long)a->prec);
    putchar('\n');
    print_bounds("λ_min", res->lambda_min);
    print_bounds("λ_max", res->lambda_max);
    if (res->have_kappa)
        printf("κ = λ_max/λ_min ∈ [%.17g, %.17g]\n", res->kappa[0], res->kappa[1]);
    else
        printf("κ = λ_max/λ_min: not bounded (λ_min is not proven positive)\n");
    if (!a->json)
        return verdict;
    json_t *rep = plstar_spectrum_report(res, K, a->matrix, radii, verdict);
    int wst = plstar_report_write(a->json, rep);
    json_decref(rep);
    return wst ? cli_fail(a->cmd, wst) : verdict;
}

/* The matrix and its radii read and checked, then the bounds. */
static int run(const eig_args *a, const char *rpath)
{
    plstar_array K, R;
    plstar_npy_init(&K);
    plstar_npy_init(&R);
    int have_rad = 0;
    int st = load(&K, &R, a->matrix, rpath, &have_rad);
    const size_t n = K.ndim == 2 ? K.shape[0] : 0;
    char what[600];
    snprintf(what, sizeof what, "%s: the %zu x %zu ball matrix and its factor", a->matrix, n, n);
    if (st)
        cli_fail(a->cmd, st);
    /* refused before allocating: the ball matrix and its Cholesky factor */
    else if (!a->reference || !(st = cli_check_memory(a->cmd, what, 0, 2.0 * (double)n * (double)n))) {
        spectrum_result res;
        st = plstar_check_spectrum(&res, K.data, have_rad ? R.data : NULL, n, a->reference, a->prec);
        if (st == PLSTAR_OK || st == PLSTAR_INCONCLUSIVE)
            st = print_and_report(a, &res, K.data, have_rad ? rpath : NULL, st);
        else
            cli_fail(a->cmd, st);
    }
    plstar_npy_clear(&K);
    plstar_npy_clear(&R);
    return st;
}

int cmd_eig(int argc, char **argv)
{
    eig_args a = {.cmd = argv[0], .prec = PLSTAR_DEFAULT_PREC};
    int st = parse(&a, argc, argv);
    if (st)
        return st;
    char *rpath = cli_radius_path(a.matrix);
    if (!rpath)
        return cli_fail(a.cmd, plstar_error(PLSTAR_ESOFTWARE, "out of memory"));
    const char *inputs[] = {a.matrix, rpath};
    if (!a.json || !(st = cli_check_output(a.cmd, a.json, inputs, 2)))
        st = run(&a, rpath);
    free(rpath);
    return st;
}

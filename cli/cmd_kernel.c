/* cli/cmd_kernel.c — `plstar kernel` and `plstar jacobian`: K(w) or DF(w) to .npy.
 * The fast kernel is the structured one (fast/ntk.h); `--impl explicit` forms J Jᵀ. */
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/npy.h"
#include "fast/network.h"
#include "fast/ntk.h"
#include "reference/network.h"
#include "reference/shallow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_reference(const char *out, const arb_mat_t A)
{
    size_t rows = (size_t)arb_mat_nrows(A), cols = (size_t)arb_mat_ncols(A);
    double *mid = malloc(rows * cols * sizeof(double) + 1), *rad = malloc(rows * cols * sizeof(double) + 1);
    char *rp = cli_radius_path(out);
    int st = (!mid || !rad || !rp) ? plstar_error(PLSTAR_ESOFTWARE, "out of memory writing %s", out) : PLSTAR_OK;
    if (!st) {
        ref_mat_to_doubles(mid, rad, A);
        st = npy_write_matrix(out, mid, rows, cols);
    }
    if (!st)
        st = npy_write_matrix(rp, rad, rows, cols);
    free(mid), free(rad), free(rp);
    return st;
}

enum { IMPL_FAST = 0, IMPL_REFERENCE = 1, IMPL_EXPLICIT = 2 };

static int compute(const plstar_problem *p, int jacobian, int impl, slong prec, const char *out)
{
    int reference = impl == IMPL_REFERENCE;
    const plstar_model *m = &p->model;
    size_t N = p->N, cols = jacobian ? m->nparams : N;
    if (reference) {
        arb_mat_t A;
        arb_mat_init(A, N, cols);
        int st = jacobian ? ref_jacobian(A, m, p->X.data, p->n, p->w, prec)
                          : ref_kernel_outputs_best(A, NULL, m, p->X.data, p->n, p->w, prec);
        if (!st)
            st = write_reference(out, A);
        arb_mat_clear(A);
        return st;
    }
    double *A = plstar_malloc(N * cols * sizeof(double), jacobian ? "Jacobian" : "kernel");
    if (!A)
        return PLSTAR_ESOFTWARE;
    int st = jacobian ? fast_jacobian(A, m, p->X.data, p->n, p->w)
           : impl == IMPL_EXPLICIT ? fast_kernel_explicit(A, m, p->X.data, p->n, p->w)
                                   : fast_kernel_structured(A, m, p->X.data, p->n, p->w);
    if (!st)
        st = npy_write_matrix(out, A, N, cols);
    free(A);
    return st;
}

static int run(int argc, char **argv, int jacobian)
{
    static const struct option longopts[] = {CLI_MODEL_OPTIONS,
                                             {"impl", required_argument, NULL, OPT_IMPL},
                                             {"prec", required_argument, NULL, OPT_PREC},
                                             {"out", required_argument, NULL, OPT_OUT},
                                             {NULL, 0, NULL, 0}};
    cli_model_args a = {.cmd = argv[0]};
    int impl = IMPL_FAST, opt, r;
    slong prec = PLSTAR_DEFAULT_PREC;
    const char *out = NULL;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if ((r = cli_model_option(&a, opt, optarg)) < 0)
            return PLSTAR_EUSAGE;
        if (r)
            continue;
        switch (opt) {
        case OPT_IMPL:
            if (!jacobian && !strcmp(optarg, "explicit"))
                impl = IMPL_EXPLICIT;
            else if ((impl = cli_parse_impl(optarg)) < 0)
                return cli_usage(a.cmd, jacobian ? "--impl must be fast or reference, got '%s'"
                                                 : "--impl must be fast, explicit or reference, got '%s'", optarg);
            break;
        case OPT_PREC:
            if (cli_parse_prec(&prec, optarg))
                return cli_usage(a.cmd, "--prec takes bits in [32, 65536], got '%s'", optarg);
            break;
        case OPT_OUT:
            out = optarg;
            break;
        default:
            return cli_usage(a.cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage(a.cmd, "unexpected argument '%s'", argv[optind]);
    if (!out)
        return cli_usage(a.cmd, "needs --out FILE.npy");
    const char *inputs[] = {a.model, a.data, a.weights, a.labels};
    if ((r = cli_check_output(a.cmd, out, inputs, 4)))
        return r;
    if (impl == IMPL_REFERENCE) { /* the radii go to NAME.rad.npy, which must not be an input either */
        char *rp = cli_radius_path(out);
        r = rp ? cli_check_output(a.cmd, rp, inputs, 4) : cli_fail(a.cmd, plstar_error(PLSTAR_ESOFTWARE, "out of memory"));
        free(rp);
        if (r)
            return r;
    }
    plstar_problem p;
    problem_init(&p);
    int st = cli_load_problem(&p, &a, 0);
    if (!st) { /* absurd sizes are refused before allocating (lower bounds of what compute() allocates) */
        double N = (double)p.N, P = (double)p.model.nparams, cells = jacobian ? N * P : N * N;
        char what[600];
        snprintf(what, sizeof what, "%s: the %s (%zu x %zu%s) for %zu samples", a.data,
                 jacobian ? "Jacobian" : "kernel", p.N, jacobian ? p.model.nparams : p.N,
                 impl == IMPL_REFERENCE ? " balls" : "", p.n);
        st = impl == IMPL_REFERENCE ? cli_check_memory(a.cmd, what, 2 * cells, jacobian ? cells : 2 * cells)
                                    : cli_check_memory(a.cmd, what, impl == IMPL_EXPLICIT ? cells + N * P : cells, 0);
    }
    if (!st && (st = compute(&p, jacobian, impl, prec, out)))
        cli_fail(a.cmd, st);
    problem_clear(&p);
    return st;
}

int cmd_kernel(int argc, char **argv) { return run(argc, argv, 0); }
int cmd_jacobian(int argc, char **argv) { return run(argc, argv, 1); }

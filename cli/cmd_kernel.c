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
        plstar_ref_mat_to_doubles(mid, rad, A);
        st = plstar_npy_write_matrix(out, mid, rows, cols);
    }
    if (!st)
        st = plstar_npy_write_matrix(rp, rad, rows, cols);
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
        int st = jacobian ? plstar_ref_jacobian(A, m, p->X.data, p->n, p->w, prec)
                          : plstar_ref_kernel_outputs_best(A, NULL, m, p->X.data, p->n, p->w, prec);
        if (!st)
            st = write_reference(out, A);
        arb_mat_clear(A);
        return st;
    }
    double *A = plstar_malloc(N * cols * sizeof(double), jacobian ? "Jacobian" : "kernel");
    if (!A)
        return PLSTAR_ESOFTWARE;
    int st = jacobian ? plstar_fast_jacobian(A, m, p->X.data, p->n, p->w)
           : impl == IMPL_EXPLICIT ? plstar_fast_kernel_explicit(A, m, p->X.data, p->n, p->w)
                                   : plstar_fast_kernel_structured(A, m, p->X.data, p->n, p->w);
    if (!st)
        st = plstar_npy_write_matrix(out, A, N, cols);
    free(A);
    return st;
}

typedef struct {
    cli_model_args model;
    int jacobian, impl;
    slong prec;
    const char *out;
} kernel_args;

static int parse(kernel_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {CLI_MODEL_OPTIONS,
                                             {"impl", required_argument, NULL, OPT_IMPL},
                                             {"prec", required_argument, NULL, OPT_PREC},
                                             {"out", required_argument, NULL, OPT_OUT},
                                             {NULL, 0, NULL, 0}};
    const char *cmd = a->model.cmd;
    int have_prec = 0, opt, r;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if ((r = cli_model_option(&a->model, opt, optarg)) < 0)
            return PLSTAR_EUSAGE;
        if (r)
            continue;
        switch (opt) {
        case OPT_IMPL:
            if (!a->jacobian && !strcmp(optarg, "explicit"))
                a->impl = IMPL_EXPLICIT;
            else if ((a->impl = cli_parse_impl(optarg)) < 0)
                return cli_usage(cmd, a->jacobian ? "--impl must be fast or reference, got '%s'"
                                                  : "--impl must be fast, explicit or reference, got '%s'", optarg);
            break;
        case OPT_PREC:
            if (cli_parse_prec(&a->prec, optarg))
                return cli_usage(cmd, "--prec takes bits in [32, 65536], got '%s'", optarg);
            have_prec = 1;
            break;
        case OPT_OUT:
            a->out = optarg;
            break;
        default:
            return cli_usage(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!a->out)
        return cli_usage(cmd, "needs --out FILE.npy");
    const cli_given_option none[] = {{"--labels", a->model.labels != NULL}};
    const cli_given_option reference_only[] = {{"--prec", have_prec}}; /* the fast paths are binary64 throughout */
    const char *why = a->jacobian ? "does not apply to jacobian (DF(w) does not depend on the labels)"
                                  : "does not apply to kernel (K(w) does not depend on the labels)";
    if ((r = CLI_REFUSE_GIVEN(cmd, none, why)))
        return r;
    return a->impl == IMPL_REFERENCE ? PLSTAR_OK
                                     : CLI_REFUSE_GIVEN(cmd, reference_only, "applies to --impl reference only");
}

/* Absurd sizes are refused before allocating (lower bounds of what compute() allocates). */
static int check_memory(const kernel_args *a, const plstar_problem *p)
{
    double N = (double)p->N, P = (double)p->model.nparams, cells = a->jacobian ? N * P : N * N;
    char what[600];
    snprintf(what, sizeof what, "%s: the %s (%zu x %zu%s) for %zu samples", a->model.data,
             a->jacobian ? "Jacobian" : "kernel", p->N, a->jacobian ? p->model.nparams : p->N,
             a->impl == IMPL_REFERENCE ? " balls" : "", p->n);
    return a->impl == IMPL_REFERENCE
               ? cli_check_memory(a->model.cmd, what, 2 * cells, a->jacobian ? cells : 2 * cells)
               : cli_check_memory(a->model.cmd, what, a->impl == IMPL_EXPLICIT ? cells + N * P : cells, 0);
}

static int run(int argc, char **argv, int jacobian)
{
    kernel_args a = {.model = {.cmd = argv[0]}, .jacobian = jacobian, .impl = IMPL_FAST, .prec = PLSTAR_DEFAULT_PREC};
    int r = parse(&a, argc, argv);
    if (r)
        return r;
    const char *cmd = a.model.cmd, *inputs[] = {a.model.model, a.model.data, a.model.weights};
    if ((r = cli_check_output(cmd, a.out, inputs, 3)))
        return r;
    if (a.impl == IMPL_REFERENCE) { /* the radii go to NAME.rad.npy, which must not be an input either */
        char *rp = cli_radius_path(a.out);
        r = rp ? cli_check_output(cmd, rp, inputs, 3) : cli_fail(cmd, plstar_error(PLSTAR_ESOFTWARE, "out of memory"));
        free(rp);
        if (r)
            return r;
    }
    plstar_problem p;
    plstar_problem_init(&p);
    int st = cli_load_problem(&p, &a.model, 0);
    if (!st)
        st = check_memory(&a, &p);
    if (!st && (st = compute(&p, jacobian, a.impl, a.prec, a.out)))
        cli_fail(cmd, st);
    plstar_problem_clear(&p);
    return st;
}

int cmd_kernel(int argc, char **argv) { return run(argc, argv, 0); }
int cmd_jacobian(int argc, char **argv) { return run(argc, argv, 1); }

/* cli/cmd_validate.c — `plstar validate`: someone else's F, DF, K, λ_min and loss trajectory against
 * the reference, with a tolerance derived from the precision they claim (proofs-checks/validate.h). */
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/outfile.h"
#include "core/report.h"
#include "proofs-checks/validate.h"
#include "reference/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_BUNDLE = 2000, OPT_KERNEL, OPT_JACOBIAN, OPT_OUTPUTS, OPT_LAMBDA_MIN, OPT_LOSSES, OPT_LR, OPT_PRECISION,
       OPT_LAYOUT };

static void print_entry(const validate_quantity *q, const plstar_model *m, const validate_entry *e)
{
    char name[160], v[32], mid[32], rad[32], tol[32], ratio[32];
    plstar_validate_entry_name(name, sizeof name, q, m, e->index);
    printf("    %-48s theirs %-24s reference %s ± %s, tolerance %s, ratio %s%s\n", name,
           plstar_report_format_number(v, sizeof v, 17, e->theirs), plstar_report_format_number(mid, sizeof mid, 17, e->mid),
           plstar_report_format_number(rad, sizeof rad, 2, e->rad), plstar_report_format_number(tol, sizeof tol, 3, e->tol),
           plstar_report_format_number(ratio, sizeof ratio, 3, e->ratio),
           e->verdict == VALIDATE_ENTRY_UNRESOLVED ? " (unresolved)" : e->one_sided ? " (one-sided value at a kink)" : "");
}

static void print_result(const validate_result *res, const plstar_problem *p, const char *bundle, int status)
{
    const plstar_model *m = &p->model;
    printf("validate %s: %zu samples, %zu outputs, %zu parameters; claimed %s (u = 2^%d), tolerance = %g x "
           "rounding bound\n", bundle, p->n, m->outputs, m->nparams, plstar_validate_format_name(res->format),
           ilogb(res->u), res->slack);
    printf("%-11s %10s %10s %12s  %-12s %s\n", "quantity", "entries", "violations", "worst ratio", "verdict",
           "worst entry");
    for (size_t k = 0; k < res->nq; k++) {
        const validate_quantity *q = &res->q[k];
        char name[160] = "-";
        if (q->nworst)
            plstar_validate_entry_name(name, sizeof name, q, m, q->worst[0].index);
        char ratio[32];
        printf("%-11s %10zu %10zu %12s  %-12s %s\n", q->name, q->count, q->violations,
               plstar_report_format_number(ratio, sizeof ratio, 3, q->worst_ratio), plstar_report_verdict_name(q->status, 1), name);
        if (!strcmp(q->name, "lambda_min"))
            printf("    reference lambda_min in [%.17g, %.17g]\n", q->lower, q->upper);
        size_t show = q->status == PLSTAR_OK ? (q->nworst ? 1 : 0) : q->nworst;
        for (size_t j = 0; j < show; j++)
            print_entry(q, m, &q->worst[j]);
        if (q->note[0])
            printf("    note: %s\n", q->note);
        if (q->not_in_format)
            printf("    note: %zu of %zu values are not %s numbers (computed or stored in a wider format?); the "
                   "tolerance assumes every operation rounded to %s\n", q->not_in_format, q->count,
                   plstar_validate_format_name(res->format), plstar_validate_format_name(res->format));
    }
    printf("validate: %s (%.2f s)\n", status == PLSTAR_OK ? "pass" : status == PLSTAR_REFUTED ? "FAIL" : "inconclusive",
           res->seconds);
}

static const char *const kinds[4] = {"outputs", "jacobian", "kernel", "losses"};

typedef struct {
    const char *cmd, *bundle, *json;
    const char *files[4]; /* the claimed arrays, of kinds[k] */
    validate_claims c;
    int have_lr, have_loss, have_layout;
    slong prec;
} validate_args;

/* One option of validate: 0, the usage error (64) once said, or −1 for an option it does not know. */
static int validate_option(validate_args *a, int opt, const char *arg)
{
    const char *cmd = a->cmd;
    validate_claims *c = &a->c;
    switch (opt) {
    case OPT_BUNDLE: a->bundle = arg; return PLSTAR_OK;
    case OPT_OUTPUTS: a->files[0] = arg; return PLSTAR_OK;
    case OPT_JACOBIAN: a->files[1] = arg; return PLSTAR_OK;
    case OPT_KERNEL: a->files[2] = arg; return PLSTAR_OK;
    case OPT_LOSSES: a->files[3] = arg; return PLSTAR_OK;
    case OPT_LAMBDA_MIN:
        if (cli_parse_double(&c->lambda_min, arg))
            return cli_usage(cmd, "--lambda-min takes a finite number, got '%s'", arg);
        c->has_lambda_min = 1;
        return PLSTAR_OK;
    case OPT_LR:
        if (cli_parse_double(&c->lr, arg) || !(c->lr > 0))
            return cli_usage(cmd, "--lr takes a positive number, got '%s'", arg);
        a->have_lr = 1;
        return PLSTAR_OK;
    case OPT_LOSS: /* default: the bundle's (bundle.json "loss_convention") */
        if (cli_parse_loss(&c->loss, cmd, arg))
            return PLSTAR_EUSAGE;
        a->have_loss = 1;
        return PLSTAR_OK;
    case OPT_PRECISION:
        if (plstar_validate_format_parse(&c->format, arg))
            return cli_usage(cmd, "--precision must be float64, float32, float16 or bfloat16, got '%s'", arg);
        return PLSTAR_OK;
    case OPT_LAYOUT:
        if (plstar_validate_layout_parse(&c->layout, arg))
            return cli_usage(cmd, "--layout must be plstar, functorch, neural-tangents or traced, got '%s'", arg);
        a->have_layout = 1;
        return PLSTAR_OK;
    case OPT_PREC:
        if (cli_parse_prec(&a->prec, arg))
            return cli_usage(cmd, "--prec takes bits in [32, 65536], got '%s'", arg);
        return PLSTAR_OK;
    case OPT_JSON: a->json = arg; return PLSTAR_OK;
    default: return -1;
    }
}

/* What to validate given, and no option that does not apply to it. */
static int check_args(const validate_args *a)
{
    const char *cmd = a->cmd, *const *files = a->files;
    if (!a->bundle)
        return cli_usage(cmd, "needs --bundle DIR (written by plstar export)");
    if (!files[0] && !files[1] && !files[2] && !files[3] && !a->c.has_lambda_min)
        return cli_usage(cmd, "nothing to validate: give at least one of --outputs, --jacobian, --kernel, "
                              "--lambda-min, --losses");
    if (files[3] && !a->have_lr)
        return cli_usage(cmd, "--losses needs --lr ETA, the step the trajectory was run with");
    const cli_given_option losses_only[] = {{"--lr", a->have_lr}, {"--loss", a->have_loss}};
    const cli_given_option matrices_only[] = {{"--layout", a->have_layout}};
    int r = files[3] ? PLSTAR_OK : CLI_REFUSE_GIVEN(cmd, losses_only, "is only used with --losses");
    if (!r && !files[1] && !files[2])
        r = CLI_REFUSE_GIVEN(cmd, matrices_only, "is only used with --jacobian or --kernel");
    return r;
}

static int parse(validate_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {{"bundle", required_argument, NULL, OPT_BUNDLE},
                                             {"kernel", required_argument, NULL, OPT_KERNEL},
                                             {"jacobian", required_argument, NULL, OPT_JACOBIAN},
                                             {"outputs", required_argument, NULL, OPT_OUTPUTS},
                                             {"lambda-min", required_argument, NULL, OPT_LAMBDA_MIN},
                                             {"losses", required_argument, NULL, OPT_LOSSES},
                                             {"lr", required_argument, NULL, OPT_LR},
                                             {"loss", required_argument, NULL, OPT_LOSS},
                                             {"precision", required_argument, NULL, OPT_PRECISION},
                                             {"layout", required_argument, NULL, OPT_LAYOUT},
                                             {"prec", required_argument, NULL, OPT_PREC},
                                             {"json", required_argument, NULL, OPT_JSON},
                                             {NULL, 0, NULL, 0}};
    int opt, r;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if ((r = validate_option(a, opt, optarg)) < 0)
            return cli_usage(a->cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        if (r)
            return r;
    }
    if (optind < argc)
        return cli_usage(a->cmd, "unexpected argument '%s'", argv[optind]);
    return check_args(a);
}

/* The report may be neither a claimed array nor one of the bundle's files. */
static int check_json_output(const validate_args *a)
{
    static const char *const in_bundle[] = {"model.json", "X.npy", "y.npy", "w0.npy", "bundle.json"};
    int r = cli_check_output(a->cmd, a->json, a->files, 4);
    for (size_t k = 0; !r && k < 5; k++) {
        char *bp = plstar_outfile_path_join(a->bundle, in_bundle[k]);
        if (!bp)
            return cli_fail(a->cmd, plstar_error(PLSTAR_ESOFTWARE, "out of memory"));
        const char *one[] = {bp};
        r = cli_check_output(a->cmd, a->json, one, 1);
        free(bp);
    }
    return r;
}

/* The bundle, its loss convention unless --loss gave one, and the sizes checked. */
static int load_bundle(plstar_problem *p, validate_args *a)
{
    const char *cmd = a->cmd, *const *files = a->files;
    int st = plstar_validate_read_bundle(p, a->bundle);
    if (!st && !a->have_loss)
        st = plstar_validate_bundle_loss(&a->c.loss, a->bundle);
    if (st)
        return cli_fail(cmd, st);
    cli_print_problem(cmd, p);
    /* absurd sizes are refused before allocating: the reference enclosures of the claimed DF and K */
    double N = (double)p->N, P = (double)p->model.nparams;
    double balls = (files[1] ? N * P : 0) + ((files[2] || a->c.has_lambda_min) ? 2 * N * N : 0);
    char what[600];
    snprintf(what, sizeof what, "%s: the reference %s for %zu samples and %zu parameters", a->bundle,
             files[1] ? "Jacobian and kernel" : "kernel", p->n, p->model.nparams);
    if ((st = cli_check_memory(cmd, what, 0, balls)))
        return st;
    if (files[3] && !p->y.size)
        return cli_usage(cmd, "--losses needs labels, and bundle %s has no y.npy (export it with --labels)", a->bundle);
    return PLSTAR_OK;
}

/* The claimed arrays read, their shapes said back on stdout and kept in `shapes`. */
static int read_claims(plstar_array arr[4], json_t *shapes, const validate_args *a, const plstar_problem *p)
{
    int st = PLSTAR_OK;
    for (int k = 0; !st && k < 4; k++)
        if (a->files[k] && (st = plstar_validate_read_claim(&arr[k], a->files[k], kinds[k], p, a->c.format, a->c.layout)))
            return cli_fail(a->cmd, st);
    for (int k = 0; k < 4; k++) /* the shapes as read, said back */
        if (a->files[k]) {
            char how[400];
            plstar_validate_describe_claim(how, sizeof how, &arr[k], kinds[k], p, a->c.layout);
            printf("%s: %s\n", a->files[k], how);
            json_t *o = json_object(), *sh = json_array();
            for (size_t d = 0; d < arr[k].ndim; d++)
                json_array_append_new(sh, json_integer((json_int_t)arr[k].shape[d]));
            json_object_set_new(o, "shape", sh);
            json_object_set_new(o, "read_as", json_string(how));
            json_object_set_new(shapes, kinds[k], o);
        }
    return PLSTAR_OK;
}

/* plstar_check_validate on the claims, its table on stdout and with --json the report; the verdict or an error. */
static int run(validate_args *a, const plstar_problem *p, const plstar_array arr[4], json_t *shapes)
{
    validate_claims *c = &a->c;
    const char *const *files = a->files;
    int traced = c->layout == VALIDATE_LAYOUT_TRACED;
    c->outputs = files[0] ? arr[0].data : NULL;
    c->jacobian = files[1] ? arr[1].data : NULL;
    c->jacobian_ndim = arr[1].ndim;
    c->kernel = files[2] && !traced ? arr[2].data : NULL;
    c->kernel_traced = files[2] && traced ? arr[2].data : NULL;
    c->kernel_ndim = arr[2].ndim;
    c->losses = files[3] ? arr[3].data : NULL;
    c->nlosses = files[3] ? arr[3].size : 0;
    validate_result res;
    int st = plstar_check_validate(&res, p, c, a->prec);
    if (st != PLSTAR_OK && st != PLSTAR_REFUTED && st != PLSTAR_INCONCLUSIVE)
        return cli_fail(a->cmd, st);
    print_result(&res, p, a->bundle, st);
    if (!a->json)
        return st;
    json_t *rep = plstar_validate_report(&res, p, c, a->bundle, st), *given = json_object();
    for (int k = 0; k < 4; k++)
        if (files[k])
            json_object_set_new(given, kinds[k], json_string(files[k]));
    if (c->has_lambda_min)
        json_object_set_new(given, "lambda_min", json_real(c->lambda_min));
    json_object_set_new(json_object_get(rep, "inputs"), "given", given);
    json_object_set_new(json_object_get(rep, "inputs"), "shapes", json_incref(shapes));
    for (int k = 0; k < 4; k++) /* the claimed arrays, hashed like the bundle's files */
        if (files[k])
            plstar_report_add_input_file(rep, kinds[k], files[k]);
    plstar_report_set_precision(rep, (long)a->prec);
    int wst = plstar_report_write(a->json, rep);
    json_decref(rep);
    return wst ? cli_fail(a->cmd, wst) : st;
}

int cmd_validate(int argc, char **argv)
{
    validate_args a = {.cmd = argv[0], .c = {.format = VALIDATE_FLOAT64}, .prec = PLSTAR_DEFAULT_PREC};
    int st = parse(&a, argc, argv);
    if (!st && a.json)
        st = check_json_output(&a);
    if (st)
        return st;
    plstar_problem p;
    plstar_problem_init(&p);
    plstar_array arr[4];
    for (int k = 0; k < 4; k++)
        plstar_npy_init(&arr[k]);
    json_t *shapes = json_object();
    st = load_bundle(&p, &a);
    if (!st)
        st = read_claims(arr, shapes, &a, &p);
    if (!st)
        st = run(&a, &p, arr, shapes);
    json_decref(shapes);
    for (int k = 0; k < 4; k++)
        plstar_npy_clear(&arr[k]);
    plstar_problem_clear(&p);
    return st;
}

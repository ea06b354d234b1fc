/* cli/cmd_forward.c — `plstar forward`: the outputs F(w), shape (n, c), to .npy; `--impl reference`
 * writes the Arb enclosure as F.npy (midpoints) and F.rad.npy (radii), as `plstar kernel` does. */
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/report.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "reference/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What was written: the values and, per entry, a bound on |value − exact| (the radius of the
 * enclosure, or the fast path's proven rounding-error bound). */
typedef struct {
    double *F, *bound;
    size_t N;
} outputs;

/* The largest bound, +∞ when one is not finite. */
static double worst_bound(const outputs *o)
{
    double m = 0;
    for (size_t k = 0; k < o->N; k++)
        m = isfinite(o->bound[k]) ? fmax(m, o->bound[k]) : INFINITY;
    return m;
}

static int compute(outputs *o, const plstar_problem *p, int reference, slong prec)
{
    const plstar_model *m = &p->model;
    if (!reference) {
        fast_errors e = {.F = o->bound};
        int st = plstar_fast_outputs(o->F, m, p->X.data, p->n, p->w);
        return st ? st : plstar_fast_errbound(&e, m, p->X.data, p->n, p->w, NULL);
    }
    arb_mat_t A;
    arb_mat_init(A, (slong)o->N, 1);
    int st = plstar_ref_outputs(A, m, p->X.data, p->n, p->w, prec);
    if (!st)
        plstar_ref_mat_to_doubles(o->F, o->bound, A);
    arb_mat_clear(A);
    return st;
}

static int write_outputs(const outputs *o, const plstar_problem *p, int reference, const char *out)
{
    int st = plstar_npy_write_matrix(out, o->F, p->n, p->model.outputs);
    if (st || !reference)
        return st;
    char *rp = cli_radius_path(out);
    st = rp ? plstar_npy_write_matrix(rp, o->bound, p->n, p->model.outputs)
            : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    free(rp);
    return st;
}

static json_t *forward_report(const outputs *o, const plstar_problem *p, int reference, slong prec, const char *out,
                              int verdict)
{
    json_t *r = plstar_report_new("forward", "docs/theory.md §1, the outputs F(w)_i = f(w; x_i) of the model at the "
                                      "weights given, sample-major, shape (n, c): with the reference, every exact "
                                      "output lies in mid ± rad (Arb ball arithmetic); with the fast path, within "
                                      "the a-priori rounding-error bound of fast/errbound.h of the double written "
                                      "(assuming the C library's documented accuracy)");
    plstar_report_set_verdict(r, plstar_report_verdict_name(verdict, 0));
    plstar_report_set_scope(r, REPORT_SCOPE_IMPLEMENTATION);
    double worst = worst_bound(o);
    if (verdict != PLSTAR_OK)
        plstar_report_set_reason(r, "|F(w)_i - written_i| <= bound_i with every bound finite", plstar_report_absent("not finite"),
                                 NULL, reference ? "more precision (--prec), or weights whose outputs do not overflow"
                                          : "--impl reference, or weights whose outputs do not overflow");
    plstar_report_add_problem(r, p);
    plstar_report_set_precision(r, reference ? (long)prec : 53);
    json_t *in = json_object_get(r, "inputs");
    json_object_set_new(in, "impl", json_string(reference ? "reference" : "fast"));
    json_t *files = json_object();
    json_object_set_new(files, "outputs", json_string(out));
    if (reference) {
        char *rp = cli_radius_path(out);
        json_object_set_new(files, "radii", rp ? json_string(rp) : json_null());
        free(rp);
    }
    json_object_set_new(r, "written", files);
    json_t *shape = json_array();
    json_array_append_new(shape, json_integer((json_int_t)p->n));
    json_array_append_new(shape, json_integer((json_int_t)p->model.outputs));
    json_object_set_new(r, "shape", shape);
    double amax = 0;
    for (size_t k = 0; k < o->N; k++)
        amax = fmax(amax, fabs(o->F[k]));
    json_t *q = json_object_get(r, "quantities");
    json_object_set_new(q, reference ? "radius_max" : "error_bound_max",
                        isfinite(worst) ? plstar_report_upper(worst) : plstar_report_absent("not finite"));
    json_object_set_new(q, "outputs_max_abs", isfinite(amax) ? json_real(amax) : plstar_report_absent("not finite"));
    return r;
}

typedef struct {
    cli_model_args model;
    int reference;
    slong prec;
    const char *out, *json;
} forward_args;

static int parse(forward_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {CLI_MODEL_OPTIONS,
                                             {"impl", required_argument, NULL, OPT_IMPL},
                                             {"prec", required_argument, NULL, OPT_PREC},
                                             {"out", required_argument, NULL, OPT_OUT},
                                             {"json", required_argument, NULL, OPT_JSON},
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
            if ((a->reference = cli_parse_impl(optarg)) < 0)
                return cli_usage(cmd, "--impl must be fast or reference, got '%s'", optarg);
            break;
        case OPT_PREC:
            if (cli_parse_prec(&a->prec, optarg))
                return cli_prec_usage(cmd, optarg);
            have_prec = 1;
            break;
        case OPT_OUT: a->out = optarg; break;
        case OPT_JSON: a->json = optarg; break;
        default:
            return cli_usage(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!a->out)
        return cli_usage(cmd, "needs --out F.npy");
    const cli_given_option none[] = {{"--labels", a->model.labels != NULL}};
    const cli_given_option reference_only[] = {{"--prec", have_prec}}; /* the fast path is binary64 throughout */
    if ((r = CLI_REFUSE_GIVEN(cmd, none, "does not apply to forward (the outputs do not depend on them)")))
        return r;
    return a->reference ? PLSTAR_OK : CLI_REFUSE_GIVEN(cmd, reference_only, "applies to --impl reference only");
}

/* F(w) computed, written, said on stdout and reported; returns the verdict or an error. */
static int run(const forward_args *a, const plstar_problem *p, const char *rp)
{
    outputs o = {.N = p->N};
    o.F = plstar_malloc(p->N * sizeof(double) + 1, "outputs");
    o.bound = plstar_malloc(p->N * sizeof(double) + 1, "output bounds");
    int st = (o.F && o.bound) ? compute(&o, p, a->reference, a->prec) : PLSTAR_ESOFTWARE;
    if (!st)
        st = write_outputs(&o, p, a->reference, a->out);
    int verdict = PLSTAR_OK;
    if (!st) {
        double worst = worst_bound(&o);
        verdict = isfinite(worst) ? PLSTAR_OK : PLSTAR_INCONCLUSIVE;
        printf("forward: wrote %s%s%s: F(w), shape (%zu, %zu); |F - exact| <= %.3g (%s)\n", a->out,
               rp ? " and the radii " : "", rp ? rp : "", p->n, p->model.outputs, worst,
               a->reference ? "the largest radius of the Arb enclosure" : "the proven rounding-error bound of the fast "
                                                                         "path");
        if (a->json) {
            json_t *rep = forward_report(&o, p, a->reference, a->prec, a->out, verdict);
            st = plstar_report_write(a->json, rep);
            json_decref(rep);
        }
    }
    if (st)
        cli_fail(a->model.cmd, st);
    free(o.F), free(o.bound);
    return st ? st : verdict;
}

int cmd_forward(int argc, char **argv)
{
    forward_args a = {.model = {.cmd = argv[0]}, .prec = PLSTAR_DEFAULT_PREC};
    int r = parse(&a, argc, argv);
    if (r)
        return r;
    const char *inputs[] = {a.model.model, a.model.data, a.model.weights};
    char *rp = a.reference ? cli_radius_path(a.out) : NULL;
    const char *cmd = a.model.cmd;
    if (a.reference && !rp)
        return cli_fail(cmd, plstar_error(PLSTAR_ESOFTWARE, "out of memory"));
    if ((r = cli_check_output(cmd, a.out, inputs, 3)) || (rp && (r = cli_check_output(cmd, rp, inputs, 3))) ||
        (a.json && (r = cli_check_output(cmd, a.json, inputs, 3)))) {
        free(rp);
        return r;
    }
    plstar_problem p;
    plstar_problem_init(&p);
    int st = cli_load_problem(&p, &a.model, 0);
    if (!st)
        st = run(&a, &p, rp);
    free(rp);
    plstar_problem_clear(&p);
    return st;
}

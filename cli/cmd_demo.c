/* cli/cmd_demo.c — `plstar demo`: the embedded example end to end. */
#include "bench/plot.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/outfile.h"
#include "core/report.h"
#include "examples/demo_example.h"
#include "proofs-checks/checks.h"
#include "proofs-checks/crosscheck.h"
#include "reference/network.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The inputs of the example as files, so every step can be rerun by hand. */
static int write_inputs(const char *dir, const plstar_problem *p)
{
    char *paths[4] = {plstar_outfile_path_join(dir, "model.json"), plstar_outfile_path_join(dir, "X.npy"),
                      plstar_outfile_path_join(dir, "y.npy"), plstar_outfile_path_join(dir, "w0.npy")};
    char *desc = plstar_model_to_json(&p->model);
    int st = PLSTAR_OK;
    for (int k = 0; k < 4; k++)
        if (!paths[k])
            st = plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    if (!st)
        st = plstar_outfile_write_text(paths[0], desc);
    if (!st)
        st = plstar_npy_write_matrix(paths[1], p->X.data, p->n, p->model.input_dim);
    if (!st)
        st = plstar_npy_write_vector(paths[2], p->y.data, p->N);
    if (!st)
        st = plstar_npy_write_vector(paths[3], p->w, p->model.nparams);
    free(desc);
    for (int k = 0; k < 4; k++)
        free(paths[k]);
    return st;
}

/* Writes a report as DIR/NAME. */
static int save(const char *dir, const char *name, json_t *rep)
{
    char *path = plstar_outfile_path_join(dir, name);
    int st = path ? plstar_report_write(path, rep) : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    json_decref(rep);
    free(path);
    return st;
}

/* The model in a few words, for the verdict lines: "the MLP [16, 16] tanh (P = 320)". */
static const char *model_brief(char *buf, size_t len, const plstar_model *m)
{
    if (m->kind == MODEL_SHALLOW) {
        snprintf(buf, len, "the shallow %s network of width %zu (P = %zu)", plstar_act_name(m->activation), plstar_model_width(m),
                 m->nparams);
        return buf;
    }
    size_t at = (size_t)snprintf(buf, len, "the %s [", m->kind == MODEL_MLP ? "MLP" : "model");
    for (size_t l = 0; l + 1 < m->nlayers && at < len; l++)
        at += (size_t)snprintf(buf + at, len - at, "%s%zu", l ? ", " : "", m->layers[l].out);
    if (at < len)
        at += (size_t)snprintf(buf + at, len - at, "]");
    for (size_t l = 0; l + 1 < m->nlayers && at < len; l++) /* "tanh", or "tanh/relu/..." per layer */
        if (l == 0 || !plstar_model_activations_uniform(m))
            at += (size_t)snprintf(buf + at, len - at, "%s%s", l ? "/" : " ", plstar_act_name(m->layers[l].act));
    if (at < len)
        snprintf(buf + at, len - at, " (P = %zu)", m->nparams);
    return buf;
}

/* Folds a verdict into the demo's status: the larger code wins (errors, ≥ 64,
 * above the worst verdict). */
static int fold(int status, int v) { return v > status ? v : status; }

static int demo_crosscheck(const char *dir, const plstar_problem *p)
{
    crosscheck_result res;
    int st = plstar_check_crosscheck(&res, p, PLSTAR_DEFAULT_PREC);
    if (st > PLSTAR_INCONCLUSIVE)
        return st;
    printf("\n[1] fast path inside the reference enclosures (plstar crosscheck)\n");
    char model[160], label[256];
    snprintf(label, sizeof label, "docs/theory.md §8 (cross-check, not a theorem of the paper), %s, no mu (values "
             "compared)", model_brief(model, sizeof model, &p->model));
    plstar_crosscheck_print(&res, st, label);
    int wst = save(dir, "crosscheck.json", plstar_crosscheck_report(&res, p, PLSTAR_DEFAULT_PREC, st));
    return wst ? wst : st;
}

/* A check of the registry that the demo shows. */
typedef struct {
    const char *check;      /* its name (proofs-checks/checks.h) */
    const char *heading;    /* printed with the command that runs it once it decides; NULL: none */
    const char *file;       /* its report, in the demo's directory */
} demo_step;

static const demo_step point_step = {"point", "[2] PL* at w0, Theorem 1", "certify_point.json"};
static const demo_step path_step = {"gd --path", "[3] GD along its path, Theorem 6 a posteriori",
                                    "certify_gd_path.json"};
static const demo_step ball_step = {"ball", NULL, "certify_ball.json"};
static const demo_step apriori_step = {"gd --apriori", NULL, "certify_gd_apriori.json"};

/* Runs the check of `step` on p with o. When it decides: its heading and its line (the statement,
 * the model, mu) and, with dir, its other outputs and its report as DIR/FILE. Returns the verdict,
 * or the first error. */
static int demo_check(const demo_step *step, const plstar_problem *p, const plstar_check_options *o, const char *dir)
{
    const plstar_check *d = plstar_check_find(step->check);
    void *result = NULL;
    int v = d ? d->run(&result, p, o) : plstar_error(PLSTAR_ESOFTWARE, "no check '%s'", step->check);
    if (!result || v > PLSTAR_INCONCLUSIVE) {
        if (result)
            d->free(result);
        return v;
    }
    char model[160];
    if (step->heading)
        printf("\n%s (plstar certify %s)\n", step->heading, d->name);
    d->summarize(result, p, o, model_brief(model, sizeof model, &p->model), v);
    if (dir) {
        json_t *report = d->report(result, p, o, v);
        int st = d->outputs ? d->outputs(result, report, o, v) : PLSTAR_OK;
        if (st)
            json_decref(report);
        else
            st = save(dir, step->file, report);
        v = st ? st : v;
    }
    d->free(result);
    return v;
}

static int demo_point(const char *dir, const plstar_problem *p)
{
    plstar_check_options o;
    plstar_check_options_init(&o);
    return demo_check(&point_step, p, &o, dir);
}

static int demo_path(const char *dir, const plstar_problem *p)
{
    plstar_check_options o;
    plstar_check_options_init(&o);
    o.steps = 100, o.record_every = 10;
    o.out = dir, o.draw_gd_path = plot_gd_path;
    return demo_check(&path_step, p, &o, dir);
}

/* Theorem 2 on the largest ball for μ = λ0/2, and Theorem 6 a priori, from one computation of the
 * constants at w0. */
static int demo_apriori(const char *dir, const plstar_problem *p)
{
    ball_constants b;
    plstar_ball_constants_init(&b);
    int v = plstar_ball_constants_compute(&b, p, PLSTAR_DEFAULT_PREC);
    if (v) {
        plstar_ball_constants_clear(&b);
        return v;
    }
    plstar_check_options ball, apriori;
    plstar_check_options_init(&ball), plstar_check_options_init(&apriori);
    ball.constants = apriori.constants = &b;
    ball.mu = plstar_arb_lower_d(b.lambda0) / 2;
    ball_result probe;
    plstar_ball_result_init(&probe);
    plstar_check_ball(&probe, &b, 0.0, ball.mu, PLSTAR_DEFAULT_PREC);
    ball.radius = probe.radius_max;
    plstar_ball_result_clear(&probe);
    printf("\n[4] the wide shallow network %s, n = %zu\n", plstar_demo_shallow_json(), p->n);
    int vb = demo_check(&ball_step, p, &ball, dir);
    int vg = demo_check(&apriori_step, p, &apriori, vb > PLSTAR_INCONCLUSIVE ? NULL : dir);
    plstar_ball_constants_clear(&b);
    return fold(vb, vg);
}

int cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {{"out", required_argument, NULL, OPT_OUT}, {NULL, 0, NULL, 0}};
    const char *dir = "plstar-demo";
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt == OPT_OUT)
            dir = optarg;
        else
            return cli_usage("demo", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage("demo", "unexpected argument '%s'", argv[optind]);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return cli_fail("demo", plstar_error(PLSTAR_ECANTCREAT, "%s: cannot create directory: %s", dir, strerror(errno)));
    plstar_problem p;
    plstar_problem_init(&p);
    int st = plstar_demo_example_problem(&p);
    if (!st)
        st = write_inputs(dir, &p);
    if (!st) {
        char *desc = plstar_model_to_json(&p.model);
        printf("plstar demo: %s\n  n = %zu samples, P = %zu parameters; inputs written to %s/\n", desc, p.n,
               p.model.nparams, dir);
        free(desc);
        st = demo_crosscheck(dir, &p);
        if (st <= PLSTAR_INCONCLUSIVE)
            st = fold(st, demo_point(dir, &p));
        if (st <= PLSTAR_INCONCLUSIVE)
            st = fold(st, demo_path(dir, &p));
    }
    if (st <= PLSTAR_INCONCLUSIVE) {
        plstar_problem q;
        plstar_problem_init(&q);
        int qs = plstar_demo_shallow_problem(&q);
        st = fold(st, qs ? qs : demo_apriori(dir, &q));
        plstar_problem_clear(&q);
    }
    if (st > PLSTAR_INCONCLUSIVE)
        cli_fail("demo", st);
    else
        printf("\nplstar demo: %s; reports and gd_path.png in %s/\n",
               st == PLSTAR_OK ? "all certificates hold" : st == PLSTAR_REFUTED ? "a check FAILED" : "a check is inconclusive",
               dir);
    plstar_problem_clear(&p);
    return st;
}

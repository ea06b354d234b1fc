/* cli/cmd_demo.c — `plstar demo`: the embedded example end to end. */
#include "bench/plot.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/outfile.h"
#include "core/report.h"
#include "examples/demo_example.h"
#include "proofs-checks/ball.h"
#include "proofs-checks/crosscheck.h"
#include "proofs-checks/gd_path.h"
#include "proofs-checks/pl_point.h"
#include "reference/network.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The inputs of the example as files, so every step can be rerun by hand. */
static int write_inputs(const char *dir, const plstar_problem *p)
{
    char *paths[4] = {outfile_path_join(dir, "model.json"), outfile_path_join(dir, "X.npy"),
                      outfile_path_join(dir, "y.npy"), outfile_path_join(dir, "w0.npy")};
    char *desc = model_to_json(&p->model);
    int st = PLSTAR_OK;
    for (int k = 0; k < 4; k++)
        if (!paths[k])
            st = plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    if (!st)
        st = outfile_write_text(paths[0], desc);
    if (!st)
        st = npy_write_matrix(paths[1], p->X.data, p->n, p->model.input_dim);
    if (!st)
        st = npy_write_vector(paths[2], p->y.data, p->N);
    if (!st)
        st = npy_write_vector(paths[3], p->w, p->model.nparams);
    free(desc);
    for (int k = 0; k < 4; k++)
        free(paths[k]);
    return st;
}

/* Writes a report as DIR/NAME. */
static int save(const char *dir, const char *name, json_t *rep)
{
    char *path = outfile_path_join(dir, name);
    int st = path ? report_write(path, rep) : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    json_decref(rep);
    free(path);
    return st;
}

/* The model in a few words, for the verdict lines: "the MLP [16, 16] tanh (P = 320)". */
static const char *model_brief(char *buf, size_t len, const plstar_model *m)
{
    if (m->kind == MODEL_SHALLOW) {
        snprintf(buf, len, "the shallow %s network of width %zu (P = %zu)", act_name(m->activation), model_width(m),
                 m->nparams);
        return buf;
    }
    size_t at = (size_t)snprintf(buf, len, "the %s [", m->kind == MODEL_MLP ? "MLP" : "model");
    for (size_t l = 0; l + 1 < m->nlayers && at < len; l++)
        at += (size_t)snprintf(buf + at, len - at, "%s%zu", l ? ", " : "", m->layers[l].out);
    if (at < len)
        at += (size_t)snprintf(buf + at, len - at, "]");
    for (size_t l = 0; l + 1 < m->nlayers && at < len; l++) /* "tanh", or "tanh/relu/..." per layer */
        if (l == 0 || !model_activations_uniform(m))
            at += (size_t)snprintf(buf + at, len - at, "%s%s", l ? "/" : " ", act_name(m->layers[l].act));
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
    int st = check_crosscheck(&res, p, PLSTAR_DEFAULT_PREC);
    if (st > PLSTAR_INCONCLUSIVE)
        return st;
    printf("\n[1] fast path inside the reference enclosures (plstar crosscheck)\n");
    char model[160], label[256];
    snprintf(label, sizeof label, "docs/theory.md §8 (cross-check, not a theorem of the paper), %s, no mu (values "
             "compared)", model_brief(model, sizeof model, &p->model));
    crosscheck_print(&res, st, label);
    int wst = save(dir, "crosscheck.json", crosscheck_report(&res, p, PLSTAR_DEFAULT_PREC, st));
    return wst ? wst : st;
}

static int demo_point(const char *dir, const plstar_problem *p)
{
    pl_point_result res;
    pl_point_result_init(&res);
    int v = check_pl_point(&res, p, 0, PLSTAR_DEFAULT_PREC);
    if (v <= PLSTAR_INCONCLUSIVE) {
        char model[160];
        printf("\n[2] PL* at w0, Theorem 1 (plstar certify point)\n");
        printf("Theorem 1 (every label vector), %s: mu = %.17g <= lambda_min(K(w0)) in [%.17g, %.17g]: %s\n",
               model_brief(model, sizeof model, &p->model), arb_lower_d(res.mu), arb_lower_d(res.lambda_min),
               arb_upper_d(res.lambda_min), report_verdict_name(v, 0));
        int wst = save(dir, "certify_point.json", pl_point_report(&res, p, PLSTAR_DEFAULT_PREC, v));
        v = wst ? wst : v;
    }
    pl_point_result_clear(&res);
    return v;
}

static int demo_path(const char *dir, const plstar_problem *p)
{
    gd_path_options o = {.steps = 100, .record_every = 10};
    gd_path_result res;
    gd_path_result_init(&res);
    int v = check_gd_path(&res, p, &o, PLSTAR_DEFAULT_PREC);
    if (v <= PLSTAR_INCONCLUSIVE) {
        size_t last = res.records - 1;
        char model[160];
        printf("\n[3] GD along its path, Theorem 6 a posteriori (plstar certify gd --path)\n");
        printf("Theorem 6 a posteriori (these labels), %s: mu = %.6g, %zu steps of lr %.6g, L %.6g -> %.6g <= "
               "(1 - lr mu)^t L(w0), path length %.4g <= R = %.4g: %s\n", model_brief(model, sizeof model, &p->model),
               res.mu, res.steps_run, res.lr, res.loss_hi[0], res.loss_hi[last], res.path_hi[last], res.radius,
               report_verdict_name(v, 0));
        int wst = save(dir, "certify_gd_path.json", gd_path_report(&res, p, &o, v));
        if (!wst)
            wst = plot_gd_path(dir, &res);
        v = wst ? wst : v;
    }
    gd_path_result_clear(&res);
    return v;
}

/* Theorem 2 on the largest ball for μ = λ0/2, and Theorem 6 a priori. */
static int demo_apriori(const char *dir, const plstar_problem *p)
{
    ball_constants b;
    ball_constants_init(&b);
    int v = ball_constants_compute(&b, p, PLSTAR_DEFAULT_PREC);
    if (v) {
        ball_constants_clear(&b);
        return v;
    }
    ball_result br;
    ball_result_init(&br);
    double mu = arb_lower_d(b.lambda0) / 2;
    check_ball(&br, &b, 0.0, mu, PLSTAR_DEFAULT_PREC);
    double radius = br.radius_max;
    int vb = check_ball(&br, &b, radius, mu, PLSTAR_DEFAULT_PREC);
    char model[160];
    model_brief(model, sizeof model, &p->model);
    printf("\n[4] the wide shallow network %s, n = %zu\n", demo_shallow_json(), p->n);
    printf("Theorem 2 (every label vector), %s: mu = %.6g <= lambda_min(K(w)) on B(w0, %.6g): %s\n", model, mu, radius,
           report_verdict_name(vb, 0));
    int st = save(dir, "certify_ball.json", ball_report(&br, &b, p, vb));
    gd_apriori_result gr;
    gd_apriori_result_init(&gr);
    int vg = check_gd_apriori(&gr, &b, 0, 0, PLSTAR_DEFAULT_PREC);
    if (vg == PLSTAR_OK)
        printf("Theorem 6 a priori (these labels), %s: mu = %.6g, R = %.6g, lr = %.6g, L(w_t) <= %.12g^t L(w0): %s\n",
               model, gr.mu, gr.radius, gr.lr, gr.rate, report_verdict_name(vg, 0));
    else { /* no radius, step or rate was certified: say why, not zeros */
        char why[1024];
        gd_apriori_reason_text(why, sizeof why, &gr, &b, model_width(&p->model));
        printf("Theorem 6 a priori (these labels), %s: mu = %.6g: %s: %s\n", model, gr.mu, report_verdict_name(vg, 0),
               why);
    }
    if (!st)
        st = save(dir, "certify_gd_apriori.json", gd_apriori_report(&gr, &b, p, vg));
    gd_apriori_result_clear(&gr);
    ball_result_clear(&br);
    ball_constants_clear(&b);
    return st ? st : fold(vb, vg);
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
    problem_init(&p);
    int st = demo_example_problem(&p);
    if (!st)
        st = write_inputs(dir, &p);
    if (!st) {
        char *desc = model_to_json(&p.model);
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
        problem_init(&q);
        int qs = demo_shallow_problem(&q);
        st = fold(st, qs ? qs : demo_apriori(dir, &q));
        problem_clear(&q);
    }
    if (st > PLSTAR_INCONCLUSIVE)
        cli_fail("demo", st);
    else
        printf("\nplstar demo: %s; reports and gd_path.png in %s/\n",
               st == PLSTAR_OK ? "all certificates hold" : st == PLSTAR_REFUTED ? "a check FAILED" : "a check is inconclusive",
               dir);
    problem_clear(&p);
    return st;
}

/* cli/cmd_certify.c — `plstar certify point|ball|gd`: the theorem checks. */
#include "bench/plot.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/report.h"
#include "proofs-checks/ball.h"
#include "proofs-checks/gd_path.h"
#include "proofs-checks/pl_point.h"
#include "reference/network.h"
#include "reference/shallow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

enum { OPT_RADIUS = 2000, OPT_LR, OPT_STEPS, OPT_EPS, OPT_APRIORI, OPT_PATH, OPT_WITNESS, OPT_SEARCH_WIDTH,
       OPT_RECORD_EVERY, OPT_KERNEL_ROUTE };

typedef struct {
    cli_model_args model;
    slong prec;
    double mu, radius, lr, eps;
    unsigned long steps, record_every;
    int apriori, path, search_width;
    const char *json, *witness, *out;
    int have_radius; /* certify ball: --radius was given */
    plstar_loss loss; /* certify gd: the convention of --mu, --lr, --eps and of the losses reported */
    int have_loss;
} certify_args;

/* The options `certify point` reads (the MODEL options aside); any other is refused. */
static int point_accepts(int opt)
{
    return opt == OPT_PREC || opt == OPT_JSON || opt == OPT_MU || opt == OPT_WITNESS;
}
static int check_ball_gd_options(const certify_args *a);

static int parse(certify_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_MODEL_OPTIONS,
        {"prec", required_argument, NULL, OPT_PREC},      {"json", required_argument, NULL, OPT_JSON},
        {"mu", required_argument, NULL, OPT_MU},          {"radius", required_argument, NULL, OPT_RADIUS},
        {"lr", required_argument, NULL, OPT_LR},          {"steps", required_argument, NULL, OPT_STEPS},
        {"eps", required_argument, NULL, OPT_EPS},        {"apriori", no_argument, NULL, OPT_APRIORI},
        {"path", no_argument, NULL, OPT_PATH},            {"witness", required_argument, NULL, OPT_WITNESS},
        {"search-width", no_argument, NULL, OPT_SEARCH_WIDTH},
        {"record-every", required_argument, NULL, OPT_RECORD_EVERY},
        {"kernel-route", required_argument, NULL, OPT_KERNEL_ROUTE},
        {"loss", required_argument, NULL, OPT_LOSS},
        {"out", required_argument, NULL, OPT_OUT},        {NULL, 0, NULL, 0}};
    const char *cmd = a->model.cmd;
    int opt, r;
    optind = 1;
    opterr = 0;
    int li = -1; /* index of the long option matched, to name it in messages */
    while ((opt = getopt_long(argc, argv, "", longopts, &li)) != -1) {
        if ((r = cli_model_option(&a->model, opt, optarg)) < 0)
            return PLSTAR_EUSAGE;
        if (r)
            continue;
        if (!strcmp(cmd, "certify point") && opt != '?' && opt != ':' && !point_accepts(opt))
            return cli_usage(cmd, "--%s does not apply to certify point",
                             li >= 0 ? longopts[li].name : "option");
        int bad = 0;
        switch (opt) {
        case OPT_PREC: if (cli_parse_prec(&a->prec, optarg)) return cli_prec_usage(cmd, optarg); break;
        case OPT_JSON: a->json = optarg; break;
        case OPT_WITNESS: a->witness = optarg; break;
        case OPT_OUT: a->out = optarg; break;
        case OPT_MU: bad = cli_parse_double(&a->mu, optarg) || a->mu <= 0; break;
        case OPT_RADIUS: bad = cli_parse_double(&a->radius, optarg) || !(a->radius >= 0) || !isfinite(a->radius);
                         a->have_radius = 1; break;
        case OPT_LR: bad = cli_parse_double(&a->lr, optarg) || a->lr <= 0; break;
        case OPT_EPS: bad = cli_parse_double(&a->eps, optarg) || a->eps <= 0; break;
        case OPT_STEPS: bad = cli_parse_ulong(&a->steps, optarg) || !a->steps; break;
        case OPT_RECORD_EVERY: bad = cli_parse_ulong(&a->record_every, optarg) || !a->record_every; break;
        case OPT_APRIORI: a->apriori = 1; break;
        case OPT_PATH: a->path = 1; break;
        case OPT_SEARCH_WIDTH: a->search_width = 1; break;
        case OPT_KERNEL_ROUTE: bad = ref_kernel_route_force(optarg); break;
        case OPT_LOSS: if (cli_parse_loss(&a->loss, cmd, optarg)) return PLSTAR_EUSAGE; a->have_loss = 1; break;
        default:
            return cli_usage(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
        if (bad)
            return cli_usage(cmd, "invalid value '%s' for --%s", optarg, li >= 0 ? longopts[li].name : "option");
    }
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if ((r = check_ball_gd_options(a)))
        return r;
    const char *inputs[] = {a->model.model, a->model.data, a->model.weights, a->model.labels};
    if (a->json && (r = cli_check_output(cmd, a->json, inputs, 4)))
        return r;
    if (a->witness && (r = cli_check_output(cmd, a->witness, inputs, 4)))
        return r;
    static const char *const plots[] = {"gd_path.dat", "gd_path.gp", "gd_path.png"};
    if (a->out && (r = cli_check_output_dir(cmd, a->out, plots, 3, inputs, 4)))
        return r;
    return PLSTAR_OK;
}

static int finish(const char *cmd, const char *json_path, json_t *report, int verdict)
{
    if (json_path) {
        int st = report_write(json_path, report);
        if (st)
            verdict = cli_fail(cmd, st);
    }
    json_decref(report);
    return verdict;
}

static const char *verdict_word(int v) { return report_verdict_name(v, 0); }

/* ---- certify point ---------------------------------------------------- */

static void print_enclosure(const char *name, const arb_t x)
{
    printf("%s in [%.17g, %.17g]\n", name, arb_lower_d(x), arb_upper_d(x));
}

static void print_point(const pl_point_result *res, const plstar_problem *p, int v)
{
    print_enclosure("lambda_min(K(w))", res->lambda_min);
    print_enclosure("lambda_max(K(w))", res->lambda_max);
    if (res->mu_source == PL_MU_NONE)
        puts("mu: none (no positive mu could be chosen)");
    else
        printf("mu = %.17g (%s)\n", arb_lower_d(res->mu),
               res->mu_source == PL_MU_GIVEN       ? "given"
               : res->mu_source == PL_MU_LAMBDA_MIN ? "the certified lower bound of lambda_min"
                                                    : "twice the witness's certified ratio");
    printf("Theorem 1 (lambda_min >= mu; every label vector): %s\n", verdict_word(res->theorem1));
    if (p->y.size)
        printf("direct (1/2 |grad L|^2 >= mu L; these labels only): %s  [1/2|grad L|^2 in [%.6g, %.6g], "
               "L in [%.6g, %.6g]]\n", verdict_word(res->direct), arb_lower_d(res->half_grad_sq),
               arb_upper_d(res->half_grad_sq), arb_lower_d(res->loss), arb_upper_d(res->loss));
    if (res->witness)
        printf("witness: %s refute mu-PL* (1/2|grad L|^2 < mu L proven)\n",
               res->witness_source == PL_WITNESS_LABELS ? "the given labels" : "labels y* = F(w) - v (Proposition 3)");
    printf("certify point: %s for every label vector\n", verdict_word(v));
    if (v != PLSTAR_OK) {
        char why[900];
        pl_point_decide(why, sizeof why, res, p, v);
        printf("reason: %s\n", why);
    }
}

/* --witness FILE: written when a witness exists; otherwise a line on stderr says why. */
static int point_witness(const certify_args *a, const pl_point_result *res, json_t *rep, int v)
{
    if (!a->witness)
        return PLSTAR_OK;
    json_t *w = json_object_get(rep, "witness");
    if (!res->witness) {
        char why[400];
        pl_point_no_witness_reason(why, sizeof why, res, v);
        fprintf(stderr, "plstar %s: no witness written to %s: %s\n", a->model.cmd, a->witness, why);
        json_object_set_new(w, "file", json_null());
        return PLSTAR_OK;
    }
    int st = npy_write_vector(a->witness, res->witness, res->N);
    if (!st) {
        printf("witness labels saved to %s\n", a->witness);
        json_object_set_new(w, "file", json_string(a->witness));
    }
    return st;
}

static int certify_point(certify_args *a, const plstar_problem *p)
{
    pl_point_result res;
    pl_point_result_init(&res);
    int v = check_pl_point(&res, p, a->mu > 0 ? a->mu : PL_POINT_DEFAULT_MU, a->prec);
    if (v > PLSTAR_INCONCLUSIVE) {
        pl_point_result_clear(&res);
        return cli_fail(a->model.cmd, v);
    }
    print_point(&res, p, v);
    json_t *rep = pl_point_report(&res, p, a->prec, v);
    int wst = point_witness(a, &res, rep, v);
    pl_point_result_clear(&res);
    if (wst) { /* no report that names a witness file that is not there */
        json_decref(rep);
        return cli_fail(a->model.cmd, wst);
    }
    return finish(a->model.cmd, a->json, rep, v);
}

/* certify ball and certify gd: required options present, options of other
 * checks refused (64). certify point is not checked here. */
static int check_ball_gd_options(const certify_args *a)
{
    const char *cmd = a->model.cmd;
    int ball = !strcmp(cmd, "certify ball"), gd = !strcmp(cmd, "certify gd"), r;
    if (!ball && !gd)
        return PLSTAR_OK;
    const cli_given_option for_ball[] = {{"--lr", a->lr > 0}, {"--steps", a->steps > 0}, {"--eps", a->eps > 0},
                                         {"--apriori", a->apriori}, {"--path", a->path},
                                         {"--witness", a->witness != NULL}, {"--search-width", a->search_width},
                                         {"--record-every", a->record_every > 0}, {"--out", a->out != NULL},
                                         {"--loss", a->have_loss}};
    const cli_given_option for_gd[] = {{"--radius", a->have_radius}, {"--witness", a->witness != NULL}};
    const cli_given_option for_path[] = {{"--steps", a->steps > 0}, {"--eps", a->eps > 0},
                                         {"--record-every", a->record_every > 0}, {"--out", a->out != NULL}};
    const cli_given_option for_apriori[] = {{"--search-width", a->search_width}};
    if (ball && (r = CLI_REFUSE_GIVEN(cmd, for_ball, "does not apply to the ball certificate (Theorem 2)")))
        return r;
    if (ball && (!a->have_radius || !(a->mu > 0)))
        return cli_usage(cmd, "needs --radius R and --mu MU (the ball B(w0, R) and the bound lambda_min >= MU)");
    if (!gd)
        return PLSTAR_OK;
    if ((r = CLI_REFUSE_GIVEN(cmd, for_gd, "does not apply to the GD certificates (Theorem 6)")))
        return r;
    if (a->apriori == a->path)
        return cli_usage(cmd, a->path ? "choose one of --apriori and --path"
                                      : "needs --apriori (Theorem 6 from constants at w0) or --path (a GD run "
                                        "verified a posteriori)");
    if (a->apriori && (r = CLI_REFUSE_GIVEN(cmd, for_path, "applies to --path, not to --apriori")))
        return r;
    if (a->path && (r = CLI_REFUSE_GIVEN(cmd, for_apriori, "applies to --apriori, not to --path")))
        return r;
    if (!a->model.labels)
        return cli_usage(cmd, "needs --labels Y.npy (Theorem 6 is about given labels)");
    return PLSTAR_OK;
}

static int certify_ball(certify_args *a, const plstar_problem *p)
{
    ball_constants b;
    ball_constants_init(&b);
    int st = ball_constants_compute(&b, p, a->prec);
    if (st) {
        ball_constants_clear(&b);
        return cli_fail(a->model.cmd, st);
    }
    ball_result res;
    ball_result_init(&res);
    int v = check_ball(&res, &b, a->radius, a->mu, a->prec);
    printf("lambda_min(K(w0)) in [%.17g, %.17g]\n", arb_lower_d(b.lambda0), arb_upper_d(b.lambda0));
    if (b.available) {
        printf("on B(w0, %g): |K(w) - K(w0)| <= %.6g, lambda_min(K(w)) >= %.6g; ", a->radius,
               arb_upper_d(res.kernel_change), arb_lower_d(res.lambda_lower));
        if (res.radius_max > 0)
            printf("largest R for mu = %g: %.6g\n", a->mu, res.radius_max);
        else
            printf("no R > 0 is certified for mu = %g\n", a->mu);
    }
    char why[768];
    ball_reason_text(why, sizeof why, &res, &b, v);
    printf("certify ball (all labels): %s%s%s\n", verdict_word(v), *why ? ": " : "", why);
    json_t *rep = ball_report(&res, &b, p, v);
    ball_result_clear(&res);
    ball_constants_clear(&b);
    return finish(a->model.cmd, a->json, rep, v);
}

/* The line of Theorem 6 a priori at one width: the numbers in the run's convention when
 * certified, otherwise why not. */
static void print_apriori(const certify_args *a, const ball_constants *b, const gd_apriori_result *res, size_t width,
                          size_t N, int v)
{
    if (v == PLSTAR_OK) {
        gd_apriori_numbers u = gd_apriori_in_loss(res, a->mu, a->lr, a->loss, N, v, a->prec);
        printf("width %zu: certified  mu = %.6g  R = %.6g  L_F <= %.6g  beta_F <= %.6g  lr = %.6g  rate <= %.12g  "
               "(lambda0 >= %.6g, %.2f s)%s\n", width, u.mu, res->radius, arb_upper_d(res->lipschitz),
               arb_upper_d(b->c), u.lr, u.rate, arb_lower_d(b->lambda0), b->seconds,
               a->loss == LOSS_MEAN ? "  [mu, lr: mean loss]" : "");
        return;
    }
    char why[1024];
    gd_apriori_reason_text(why, sizeof why, res, b, width);
    printf("width %zu: %s: %s  (lambda0 >= %.6g, %.2f s)%s\n", width, verdict_word(v), why, arb_lower_d(b->lambda0),
           b->seconds,
           a->loss == LOSS_MEAN ? "  [stated for (1/2)|F - y|^2: mu there is mu/s, lr is s*lr, s = 2/N]" : "");
}

/* --search-width: the smallest certified width of the grid, its line and report["smallest_certified_width"]. */
static void search_width(const certify_args *a, const plstar_problem *p, json_t *report)
{
    ball_constants b;
    gd_apriori_result res;
    ball_constants_init(&b), gd_apriori_result_init(&res);
    size_t found = gd_apriori_smallest_width(&b, &res, p, a->model.seed, a->mu, a->lr, a->loss, a->prec);
    if (found) /* the shallow networks of the grid have p's samples and outputs, so p->N */
        print_apriori(a, &b, &res, found, p->N, PLSTAR_OK);
    ball_constants_clear(&b), gd_apriori_result_clear(&res);
    printf("smallest certified width on the grid 16·√2^k (seed %lu): %s%zu\n", a->model.seed, found ? "" : "none ≤ ",
           found ? found : p->model.layers[0].out);
    gd_apriori_report_width(report, found);
}

/* The path certificate's lines: the run, the conditions at μ, what was measured. */
static void print_path(const gd_path_result *res)
{
    size_t last = res->records ? res->records - 1 : 0;
    if (res->failure == GD_PATH_NO_STEP)
        puts("GD not run: no --lr and lambda_max(K(w0)) = 0, so the default step 1/lambda_max(K(w0)) does not exist");
    else
        printf("GD: %zu steps of lr %.6g%s (train %.2f s), %zu iterates verified in the reference (%.2f s)\n",
               res->steps_run, res->lr, res->loss == LOSS_MEAN ? " on the mean loss" : "", res->seconds_train,
               res->records, res->seconds_verify);
    if (res->loss == LOSS_MEAN && res->lr > 0)
        printf("loss mean: (1/N)|F - y|^2, N = %zu; lr %.6g on (1/2)|F - y|^2; mu and the losses below are the "
               "mean loss's (mu = (2/N) x a lambda_min bound)\n", res->N, res->lr_half_sum);
    if (res->failure == GD_PATH_DIVERGED)
        printf("diverged at step %zu: L(w_%zu) in [%.10g, %.10g] > L(w0) in [%.10g, %.10g]\n", res->fail_step,
               res->fail_step, res->step_loss_lo[res->fail_step], res->step_loss_hi[res->fail_step],
               res->step_loss_lo[0], res->step_loss_hi[0]);
    if (res->failure == GD_PATH_NONFINITE)
        printf("diverged at step %zu: the trainer's loss or gradient is not finite\n", res->fail_step);
    if (res->mu > 0)
        printf("mu = %.6g: rate %s, lambda_min >= mu %s, path length %.6g <= R = %.6g %s\n", res->mu,
               res->rate_ok ? "ok" : "FAILS", res->lambda_ok ? "ok" : "FAILS", res->records ? res->path_hi[last] : 0.0,
               res->radius, res->path_ok ? "ok" : "FAILS");
    if (res->records && res->failure != GD_PATH_NO_STEP)
        printf("loss: L(w0) in [%.10g, %.10g], L(w_%zu) in [%.10g, %.10g] (trainer: %.10g)\n", res->loss_lo[0],
               res->loss_hi[0], res->step[last], res->loss_lo[last], res->loss_hi[last], res->loss_fast[last]);
    double kmax = 0;
    for (size_t k = 0; k < res->records; k++)
        kmax = fmax(kmax, res->kdist_hi[k]);
    printf("measured (not part of the claim): |K(w_t) - K(w0)| <= %.6g at the recorded steps", kmax);
    if (res->rises)
        printf("; the loss rose at %zu step%s, first at step %zu (%.6g -> %.6g)", res->rises, res->rises > 1 ? "s" : "",
               res->first_rise, res->step_loss_hi[res->first_rise - 1], res->step_loss_lo[res->first_rise]);
    putchar('\n');
}

static int certify_path(certify_args *a, const plstar_problem *p)
{
    gd_path_options o = {.lr = a->lr, .mu = a->mu, .eps = a->eps, .steps = a->steps ? a->steps : 200,
                         .loss = a->loss};
    o.record_every = a->record_every ? a->record_every : (o.steps >= 20 ? o.steps / 20 : 1);
    gd_path_result res;
    gd_path_result_init(&res);
    int v = check_gd_path(&res, p, &o, a->prec);
    int cut = v == PLSTAR_EINTERRUPTED; /* the verified prefix is reported, then the exit status says so */
    if (v > PLSTAR_INCONCLUSIVE && !cut) {
        gd_path_result_clear(&res);
        return cli_fail(a->model.cmd, v);
    }
    char message[512];
    snprintf(message, sizeof message, "%s", cut ? plstar_errmsg() : "");
    print_path(&res);
    char why[1024];
    gd_path_reason_text(why, sizeof why, &res);
    if (cut)
        printf("certify gd --path: interrupted: verified up to step %zu of %zu; the prefix is %s%s%s\n",
               res.steps_run, o.steps, verdict_word(res.prefix_verdict), *why ? ": " : "", why);
    else
        printf("certify gd --path: %s%s%s\n", verdict_word(v), *why ? ": " : "", why);
    if (a->out) {
        int st = mkdir(a->out, 0755) && errno != EEXIST
                     ? plstar_error(PLSTAR_ECANTCREAT, "%s: cannot create directory: %s", a->out, strerror(errno))
                     : plot_gd_path(a->out, &res);
        if (st)
            v = cli_fail(a->model.cmd, st);
    }
    json_t *rep = gd_path_report(&res, p, &o, v);
    gd_path_result_clear(&res);
    if (cut && v == PLSTAR_EINTERRUPTED) {
        v = finish(a->model.cmd, a->json, rep, v);
        if (v == PLSTAR_EINTERRUPTED)
            fprintf(stderr, "plstar %s: %s%s%s\n", a->model.cmd, message,
                    a->json ? "; the report of the verified prefix is in " : "", a->json ? a->json : "");
        return v;
    }
    return finish(a->model.cmd, v > PLSTAR_INCONCLUSIVE ? NULL : a->json, rep, v); /* no report after a failure */
}

static int certify_gd(certify_args *a, const plstar_problem *p)
{
    if (a->path)
        return certify_path(a, p);
    if (a->search_width && (p->model.kind != MODEL_SHALLOW || !a->model.have_seed))
        return cli_usage(a->model.cmd, "--search-width needs a shallow model and --seed S (the weights of each width "
                                       "come from the seed)");
    ball_constants b;
    gd_apriori_result res;
    ball_constants_init(&b), gd_apriori_result_init(&res);
    int v = check_gd_apriori_loss(&b, &res, p, a->mu, a->lr, a->loss, a->prec);
    json_t *report = NULL;
    if (v <= PLSTAR_INCONCLUSIVE) {
        print_apriori(a, &b, &res, model_width(&p->model), p->N, v);
        report = gd_apriori_loss_report(&res, &b, p, v, a->mu, a->lr, a->loss, a->prec);
    }
    ball_constants_clear(&b), gd_apriori_result_clear(&res);
    if (v > PLSTAR_INCONCLUSIVE)
        return cli_fail(a->model.cmd, v);
    if (a->search_width)
        search_width(a, p, report);
    printf("certify gd --apriori: %s\n", verdict_word(v));
    return finish(a->model.cmd, a->json, report, v);
}

int cmd_certify(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "point") && strcmp(argv[1], "ball") && strcmp(argv[1], "gd")))
        return cli_usage("certify", "needs a check: point, ball or gd");
    char name[32];
    snprintf(name, sizeof name, "certify %s", argv[1]);
    certify_args a = {.model = {.cmd = name}, .prec = PLSTAR_DEFAULT_PREC};
    int st = parse(&a, argc - 1, argv + 1);
    if (st)
        return st;
    plstar_problem p;
    problem_init(&p);
    if ((st = cli_load_problem(&p, &a.model, 0)))
        return st;
    { /* absurd sizes are refused before allocating: every check encloses K(w0) in balls (K and the
       * structured kernel's N x N work matrix), --path also keeps two loss bounds per step */
        double N = (double)p.N;
        int path = !strcmp(argv[1], "gd") && a.path;
        char what[600];
        snprintf(what, sizeof what, "%s: the %zu x %zu reference kernel%s", a.model.data, p.N, p.N,
                 path ? " and the per-step loss bounds" : "");
        if ((st = cli_check_memory(a.model.cmd, what, path ? 2.0 * ((double)(a.steps ? a.steps : 200) + 1) : 0,
                                   2 * N * N))) {
            problem_clear(&p);
            return st;
        }
    }
    st = !strcmp(argv[1], "point") ? certify_point(&a, &p)
         : !strcmp(argv[1], "ball") ? certify_ball(&a, &p)
                                    : certify_gd(&a, &p);
    problem_clear(&p);
    return st;
}

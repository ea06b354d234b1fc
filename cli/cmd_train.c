/* cli/cmd_train.c — `plstar train`: GD / mini-batch SGD with a recorded trajectory (fast/train.h). */
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/outfile.h"
#include "core/report.h"
#include "fast/train.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    T_LR = 2000, T_STEPS, T_BATCH, T_RECORD, T_BATCH_SEED, T_LMIN, T_KDIST, T_SAVE_AT, T_CKPT_EVERY, T_RESUME
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct {
    const char *dir;
    double last_print, start;
    int tty;
} train_ctx;

static int save_weights(void *vctx, size_t step, const double *w, size_t P)
{
    train_ctx *ctx = vctx;
    char name[64];
    snprintf(name, sizeof name, "w_%zu.npy", step);
    char *path = outfile_path_join(ctx->dir, name);
    int st = path ? npy_write_vector(path, w, P) : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    free(path);
    return st;
}

static void progress(void *vctx, size_t done, size_t total, double loss)
{
    train_ctx *ctx = vctx;
    double t = now();
    if (!ctx->tty || (t - ctx->last_print < 0.2 && done < total))
        return;
    ctx->last_print = t;
    fprintf(stderr, "\rplstar train: step %zu/%zu  loss %.6e  %.1f s", done, total, loss, t - ctx->start);
    if (done == total)
        fputc('\n', stderr);
}

/* "0,100,200" → sorted list; 0 on success. */
static int parse_steps_list(size_t **out, size_t *count, const char *s)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    size_t *v = malloc(cap * sizeof(size_t));
    if (!v)
        return -1;
    size_t k = 0;
    const char *p = s;
    while (*p) {
        char buf[32];
        size_t len = strcspn(p, ",");
        unsigned long x;
        if (len == 0 || len >= sizeof buf) {
            free(v);
            return -1;
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (cli_parse_ulong(&x, buf)) {
            free(v);
            return -1;
        }
        v[k++] = x;
        p += len;
        if (*p == ',' && *++p == '\0') {
            free(v);
            return -1;
        }
    }
    if (k == 0) {
        free(v);
        return -1;
    }
    *out = v, *count = k;
    return 0;
}

/* How the run ended; the verdict is "uncertified" whatever the outcome (docs/reports.md, "train"). */
static const char *outcome_name(int status)
{
    return status == PLSTAR_EINTERRUPTED ? "interrupted" : status == FAST_TRAIN_DIVERGED ? "diverged" : "completed";
}

/* The shortest decimal that reads back as x (a step to pass on the command line). */
static void shortest(char *buf, size_t len, double x)
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, len, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* verdict, scope and reason: a training run checks no inequality, and says which check would. */
static void train_verdict(json_t *r, const fast_trajectory *tr, const fast_train_options *o, int status)
{
    report_set_verdict(r, "uncertified");
    report_set_scope(r, REPORT_SCOPE_THESE_LABELS);
    json_object_set_new(r, "outcome", json_string(outcome_name(status)));
    char decide[320];
    if (status == FAST_TRAIN_DIVERGED) {
        char why[96];
        snprintf(why, sizeof why, "not finite at step %zu", tr->diverged_at);
        snprintf(decide, sizeof decide, "a smaller step than --lr %.6g; then plstar certify gd --path proves a run",
                 o->lr);
        report_set_reason(r, "the loss and its gradient stay finite at every step (double precision)",
                          report_absent(why), NULL, decide);
        json_t *dv = json_object();
        json_object_set_new(dv, "step", json_integer((json_int_t)tr->diverged_at));
        json_object_set_new(dv, "reason", json_string("the loss or its gradient is not finite at this step; the run "
                                                      "stopped and w_final.npy holds the last iterate with a finite "
                                                      "loss"));
        json_object_set_new(r, "diverged", dv);
        return;
    }
    if (status == PLSTAR_EINTERRUPTED)
        snprintf(decide, sizeof decide, "resume with --resume (the checkpoint of step %zu), then plstar certify gd "
                 "--path proves a run", tr->steps_done);
    else {
        char lr[32];
        shortest(lr, sizeof lr, o->lr);
        snprintf(decide, sizeof decide, "plstar certify gd --path --lr %s --steps %zu%s proves this run's rate, "
                 "conditioning and path length", lr, o->steps, o->loss == LOSS_MEAN ? " --loss mean" : "");
    }
    report_set_reason(r, "none: the trajectory's values are double-precision diagnostics without error bounds",
                      NULL, NULL, decide);
}

static json_t *train_report(const fast_trajectory *tr, const plstar_problem *p, const fast_train_options *o,
                            double seconds, int status)
{
    json_t *r = report_new("train", "docs/theory.md §4, Theorem 6 (GD) / Theorem 7 (mini-batch SGD): the path "
                                    "w_{t+1} = w_t − η∇L(w_t) on the square loss, recorded; the values are "
                                    "double-precision diagnostics, not certificates");
    train_verdict(r, tr, o, status);
    report_add_problem(r, p); /* the resolved model, the sizes, the input files and the seed */
    json_t *opt = json_object();
    json_object_set_new(opt, "method", json_string(o->batch ? "sgd" : "gd"));
    json_object_set_new(opt, "lr", json_real(o->lr));
    json_object_set_new(opt, "lr_half_sum", json_real(fast_train_half_sum_lr(o, o->batch ? o->batch : p->n,
                                                                              p->model.outputs)));
    json_object_set_new(opt, "steps", json_integer((json_int_t)o->steps));
    json_object_set_new(opt, "batch", json_integer((json_int_t)o->batch));
    json_object_set_new(opt, "record_every", json_integer((json_int_t)o->record_every));
    json_object_set_new(opt, "batch_seed", json_integer((json_int_t)o->seed));
    json_object_set_new(opt, "checkpoint_every", json_integer((json_int_t)o->checkpoint_every));
    json_object_set_new(opt, "resumed_from", tr->resumed_from >= 0 ? json_integer(tr->resumed_from)
                                                                   : report_absent("not resumed"));
    json_object_set_new(r, "options", opt);
    json_object_set_new(r, "loss", loss_report(o->loss, p->N));
    json_t *cols = json_array();
    for (size_t k = 0; k < tr->cols; k++)
        json_array_append_new(cols, json_string(tr->names[k]));
    json_object_set_new(r, "columns", cols);
    json_object_set_new(r, "rows", json_integer((json_int_t)tr->rows));
    json_object_set_new(r, "uncertified", json_string("every column is a plain double-precision value; "
                                                       "lambda_min and kernel_distance come from LAPACK dsyevd "
                                                       "without an error bound"));
    json_t *q = json_object_get(r, "quantities"); /* the last recorded row, as computed */
    for (size_t k = 0; tr->rows && k < tr->cols; k++) {
        double x = tr->data[(tr->rows - 1) * tr->cols + k];
        json_object_set_new(q, tr->names[k], isfinite(x) ? json_real(x) : report_absent("not finite"));
    }
    json_object_set_new(r, "steps_done", json_integer((json_int_t)tr->steps_done));
    json_object_set_new(r, "interrupted", json_boolean(status == PLSTAR_EINTERRUPTED));
    json_object_set_new(r, "seconds", json_real(seconds));
    return r;
}

static int write_outputs(const char *dir, const fast_trajectory *tr, const double *w, const plstar_problem *p,
                         const fast_train_options *o, double seconds, int status)
{
    char *tp = outfile_path_join(dir, "trajectory.npy"), *jp = outfile_path_join(dir, "trajectory.json"), *wp = outfile_path_join(dir, "w_final.npy");
    int st = (tp && jp && wp) ? PLSTAR_OK : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    if (!st)
    {
        static const double none = 0.0;
        st = npy_write_matrix(tp, tr->rows ? tr->data : &none, tr->rows, tr->cols);
    }
    if (!st)
        st = npy_write_vector(wp, w, p->model.nparams);
    if (!st) {
        json_t *r = train_report(tr, p, o, seconds, status);
        st = report_write(jp, r);
        json_decref(r);
    }
    free(tp), free(jp), free(wp);
    return st;
}

int cmd_train(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_MODEL_OPTIONS,
                                             {"lr", required_argument, NULL, T_LR},
                                             {"steps", required_argument, NULL, T_STEPS},
                                             {"batch", required_argument, NULL, T_BATCH},
                                             {"record-every", required_argument, NULL, T_RECORD},
                                             {"batch-seed", required_argument, NULL, T_BATCH_SEED},
                                             {"lambda-min", no_argument, NULL, T_LMIN},
                                             {"kernel-distance", no_argument, NULL, T_KDIST},
                                             {"save-at", required_argument, NULL, T_SAVE_AT},
                                             {"checkpoint-every", required_argument, NULL, T_CKPT_EVERY},
                                             {"resume", required_argument, NULL, T_RESUME},
                                             {"loss", required_argument, NULL, OPT_LOSS},
                                             {"out", required_argument, NULL, OPT_OUT},
                                             {NULL, 0, NULL, 0}};
    cli_model_args a = {.cmd = argv[0]};
    fast_train_options o;
    fast_train_options_init(&o);
    const char *out = NULL;
    size_t *save_at = NULL, nsave = 0;
    unsigned long v;
    int opt, r, have_lr = 0, have_steps = 0;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if ((r = cli_model_option(&a, opt, optarg)) < 0)
            goto usage_fail;
        if (r)
            continue;
        switch (opt) {
        case T_LR:
            if (cli_parse_double(&o.lr, optarg) || !(o.lr > 0)) {
                cli_usage(a.cmd, "--lr takes a positive number, got '%s'", optarg);
                goto usage_fail;
            }
            have_lr = 1;
            break;
        case T_STEPS:
            if (cli_parse_ulong(&v, optarg)) {
                cli_usage(a.cmd, "--steps takes a non-negative integer, got '%s'", optarg);
                goto usage_fail;
            }
            o.steps = v, have_steps = 1;
            break;
        case T_BATCH:
            if (cli_parse_ulong(&v, optarg) || v == 0) {
                cli_usage(a.cmd, "--batch takes a positive integer, got '%s'", optarg);
                goto usage_fail;
            }
            o.batch = v;
            break;
        case T_RECORD:
            if (cli_parse_ulong(&v, optarg) || v == 0) {
                cli_usage(a.cmd, "--record-every takes a positive integer, got '%s'", optarg);
                goto usage_fail;
            }
            o.record_every = v;
            break;
        case T_BATCH_SEED:
            if (cli_parse_ulong(&o.seed, optarg)) {
                cli_usage(a.cmd, "--batch-seed takes a non-negative integer, got '%s'", optarg);
                goto usage_fail;
            }
            break;
        case T_LMIN:
            o.record_lambda_min = 1;
            break;
        case T_KDIST:
            o.record_kernel_distance = 1;
            break;
        case T_SAVE_AT:
            free(save_at);
            save_at = NULL;
            if (parse_steps_list(&save_at, &nsave, optarg)) {
                cli_usage(a.cmd, "--save-at takes steps like 0,100,200, got '%s'", optarg);
                goto usage_fail;
            }
            break;
        case T_CKPT_EVERY:
            if (cli_parse_ulong(&v, optarg) || v == 0) {
                cli_usage(a.cmd, "--checkpoint-every takes a positive integer, got '%s'", optarg);
                goto usage_fail;
            }
            o.checkpoint_every = v;
            break;
        case T_RESUME:
            o.resume_path = optarg;
            break;
        case OPT_LOSS:
            if (cli_parse_loss(&o.loss, a.cmd, optarg))
                goto usage_fail;
            break;
        case OPT_OUT:
            out = optarg;
            break;
        default:
            cli_usage(a.cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
            goto usage_fail;
        }
    }
    if (optind < argc) {
        cli_usage(a.cmd, "unexpected argument '%s'", argv[optind]);
        goto usage_fail;
    }
    if (!out || !have_lr || !have_steps) {
        cli_usage(a.cmd, "needs --lr ETA, --steps T and --out DIR");
        goto usage_fail;
    }
    /* a directory made here is removed again if the run fails before writing into it */
    int made_dir = mkdir(out, 0777) == 0;
    if (!made_dir && errno != EEXIST) {
        fprintf(stderr, "plstar %s: %s: cannot create directory: %s\n", a.cmd, out, strerror(errno));
        free(save_at);
        return PLSTAR_ECANTCREAT;
    }
    struct stat sb;
    if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "plstar %s: %s: not a directory\n", a.cmd, out);
        free(save_at);
        return PLSTAR_ECANTCREAT;
    }
    { /* none of the files written into DIR may be an input (--resume's checkpoint is meant to be rewritten) */
        const char *inputs[] = {a.model, a.data, a.weights, a.labels};
        static const char *const fixed[] = {"trajectory.npy", "trajectory.json", "w_final.npy", "checkpoint.npy"};
        int bad = cli_check_output_dir(a.cmd, out, fixed, 4, inputs, 4);
        for (size_t k = 0; !bad && k < nsave; k++) {
            char name[64];
            snprintf(name, sizeof name, "w_%zu.npy", save_at[k]);
            const char *one[] = {name};
            bad = cli_check_output_dir(a.cmd, out, one, 1, inputs, 4);
        }
        if (bad) {
            free(save_at);
            return bad; /* only when DIR existed before */
        }
    }

    plstar_problem p;
    problem_init(&p);
    int st = cli_load_problem(&p, &a, 1);
    if (st) {
        if (made_dir)
            rmdir(out);
        free(save_at);
        return st;
    }
    { /* absurd sizes are refused before allocating: w0, the gradient and the kernel diagnostics */
        double N = (double)p.N, P = (double)p.model.nparams;
        char what[600];
        snprintf(what, sizeof what, "%s: training %zu parameters on %zu samples", a.model, p.model.nparams, p.n);
        if ((st = cli_check_memory(a.cmd, what, 2 * P + ((o.record_lambda_min || o.record_kernel_distance) ? 2 * N * N : 0),
                                   0))) {
            problem_clear(&p);
            if (made_dir)
                rmdir(out);
            free(save_at);
            return st;
        }
    }
    if (o.batch > p.n) {
        cli_usage(a.cmd, "--batch %zu exceeds the %zu samples", o.batch, p.n);
        problem_clear(&p);
        if (made_dir)
            rmdir(out);
        free(save_at);
        return PLSTAR_EUSAGE;
    }
    char *ckpt = outfile_path_join(out, "checkpoint.npy");
    train_ctx ctx = {.dir = out, .start = now(), .tty = isatty(STDERR_FILENO)};
    o.checkpoint_path = ckpt;
    o.save_at = save_at, o.nsave_at = nsave;
    o.on_weights = save_weights, o.on_progress = progress, o.ctx = &ctx;
    fast_trajectory tr;
    fast_trajectory_init(&tr);
    st = ckpt ? fast_train(&tr, p.w, &p.model, p.X.data, p.n, p.y.data, &o)
              : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    if (ctx.tty && ctx.last_print > 0 && st)
        fputc('\n', stderr);
    int kept = !st || st == PLSTAR_EINTERRUPTED || st == FAST_TRAIN_DIVERGED; /* runs whose outputs are written */
    if (kept) {
        char why[512];
        snprintf(why, sizeof why, "%s", plstar_errmsg());
        int wst = write_outputs(out, &tr, p.w, &p, &o, now() - ctx.start, st);
        if (wst)
            st = wst, kept = 0;
        else if (st)
            plstar_error(st, "%s", why); /* the message of the run, not of the writing */
    }
    if (st == PLSTAR_EINTERRUPTED)
        fprintf(stderr, "plstar %s: interrupted at step %zu; resume with --resume %s\n", a.cmd, tr.steps_done, ckpt);
    else if (st == FAST_TRAIN_DIVERGED)
        fprintf(stderr, "plstar %s: %s; the run up to step %zu is in %s\n", a.cmd, plstar_errmsg(), tr.steps_done, out);
    else if (st)
        cli_fail(a.cmd, st);
    if (st && !kept && made_dir)
        rmdir(out); /* only when nothing was written into it */
    fast_trajectory_clear(&tr);
    problem_clear(&p);
    free(ckpt);
    free(save_at);
    return st;

usage_fail:
    free(save_at);
    return PLSTAR_EUSAGE;
}

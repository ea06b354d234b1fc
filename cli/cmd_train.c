/* cli/cmd_train.c — `plstar train`: GD / mini-batch SGD with a recorded trajectory (fast/train.h). */
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/outfile.h"
#include "core/report.h"
#include "fast/train.h"
#include "proofs-checks/gd_path.h"

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
    char *path = plstar_outfile_path_join(ctx->dir, name);
    int st = path ? plstar_npy_write_vector(path, w, P) : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
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

static int write_outputs(const char *dir, const fast_trajectory *tr, const double *w, const plstar_problem *p,
                         const fast_train_options *o, double seconds, int status)
{
    char *tp = plstar_outfile_path_join(dir, "trajectory.npy"), *jp = plstar_outfile_path_join(dir, "trajectory.json"),
         *wp = plstar_outfile_path_join(dir, "w_final.npy");
    int st = (tp && jp && wp) ? PLSTAR_OK : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    if (!st)
    {
        static const double none = 0.0;
        st = plstar_npy_write_matrix(tp, tr->rows ? tr->data : &none, tr->rows, tr->cols);
    }
    if (!st)
        st = plstar_npy_write_vector(wp, w, p->model.nparams);
    if (!st) {
        json_t *r = plstar_train_report(tr, p, o, seconds, status);
        st = plstar_report_write(jp, r);
        json_decref(r);
    }
    free(tp), free(jp), free(wp);
    return st;
}

typedef struct {
    cli_model_args model;
    fast_train_options o;
    const char *out;
    size_t *save_at, nsave;
    int have_lr, have_steps, have_batch_seed;
} train_args;

/* One option of train other than the MODEL options: 0, the usage error (64) once said, or −1 for
 * an option train does not know. */
static int train_option(train_args *t, int opt, const char *arg)
{
    const char *cmd = t->model.cmd;
    fast_train_options *o = &t->o;
    unsigned long v;
    switch (opt) {
    case T_LR:
        if (cli_parse_double(&o->lr, arg) || !(o->lr > 0))
            return cli_usage(cmd, "--lr takes a positive number, got '%s'", arg);
        t->have_lr = 1;
        return PLSTAR_OK;
    case T_STEPS:
        if (cli_parse_ulong(&v, arg))
            return cli_usage(cmd, "--steps takes a non-negative integer, got '%s'", arg);
        o->steps = v, t->have_steps = 1;
        return PLSTAR_OK;
    case T_BATCH:
        if (cli_parse_ulong(&v, arg) || v == 0)
            return cli_usage(cmd, "--batch takes a positive integer, got '%s'", arg);
        o->batch = v;
        return PLSTAR_OK;
    case T_RECORD:
        if (cli_parse_ulong(&v, arg) || v == 0)
            return cli_usage(cmd, "--record-every takes a positive integer, got '%s'", arg);
        o->record_every = v;
        return PLSTAR_OK;
    case T_BATCH_SEED:
        if (cli_parse_ulong(&o->seed, arg))
            return cli_usage(cmd, "--batch-seed takes a non-negative integer, got '%s'", arg);
        t->have_batch_seed = 1;
        return PLSTAR_OK;
    case T_LMIN: o->record_lambda_min = 1; return PLSTAR_OK;
    case T_KDIST: o->record_kernel_distance = 1; return PLSTAR_OK;
    case T_SAVE_AT:
        free(t->save_at);
        t->save_at = NULL;
        if (parse_steps_list(&t->save_at, &t->nsave, arg))
            return cli_usage(cmd, "--save-at takes steps like 0,100,200, got '%s'", arg);
        return PLSTAR_OK;
    case T_CKPT_EVERY:
        if (cli_parse_ulong(&v, arg) || v == 0)
            return cli_usage(cmd, "--checkpoint-every takes a positive integer, got '%s'", arg);
        o->checkpoint_every = v;
        return PLSTAR_OK;
    case T_RESUME: o->resume_path = arg; return PLSTAR_OK;
    case OPT_LOSS: return cli_parse_loss(&o->loss, cmd, arg) ? PLSTAR_EUSAGE : PLSTAR_OK;
    case OPT_OUT: t->out = arg; return PLSTAR_OK;
    default: return -1;
    }
}

static int parse(train_args *t, int argc, char **argv)
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
    const char *cmd = t->model.cmd;
    int opt, r;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if ((r = cli_model_option(&t->model, opt, optarg)) < 0)
            return PLSTAR_EUSAGE;
        if (r)
            continue;
        if ((r = train_option(t, opt, optarg)) < 0)
            return cli_usage(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        if (r)
            return r;
    }
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!t->out || !t->have_lr || !t->have_steps)
        return cli_usage(cmd, "needs --lr ETA, --steps T and --out DIR");
    const cli_given_option sgd_only[] = {{"--batch-seed", t->have_batch_seed}};
    return t->o.batch ? PLSTAR_OK
                      : CLI_REFUSE_GIVEN(cmd, sgd_only, "applies to --batch only (full-batch GD has no batch order)");
}

/* DIR made (*made_dir: by this run) and checked: none of the files written into it may be an
 * input (--resume's checkpoint is meant to be rewritten). */
static int prepare_dir(const train_args *t, int *made_dir)
{
    const char *cmd = t->model.cmd, *out = t->out;
    *made_dir = mkdir(out, 0777) == 0;
    if (!*made_dir && errno != EEXIST) {
        fprintf(stderr, "plstar %s: %s: cannot create directory: %s\n", cmd, out, strerror(errno));
        return PLSTAR_ECANTCREAT;
    }
    struct stat sb;
    if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "plstar %s: %s: not a directory\n", cmd, out);
        return PLSTAR_ECANTCREAT;
    }
    const char *inputs[] = {t->model.model, t->model.data, t->model.weights, t->model.labels};
    static const char *const fixed[] = {"trajectory.npy", "trajectory.json", "w_final.npy", "checkpoint.npy"};
    int bad = cli_check_output_dir(cmd, out, fixed, 4, inputs, 4);
    for (size_t k = 0; !bad && k < t->nsave; k++) {
        char name[64];
        snprintf(name, sizeof name, "w_%zu.npy", t->save_at[k]);
        const char *one[] = {name};
        bad = cli_check_output_dir(cmd, out, one, 1, inputs, 4);
    }
    return bad; /* only when DIR existed before */
}

/* The problem loaded and its sizes checked: absurd sizes are refused before allocating (w0, the
 * gradient and the kernel diagnostics), a batch larger than the samples too. */
static int load(plstar_problem *p, const train_args *t)
{
    const char *cmd = t->model.cmd;
    int st = cli_load_problem(p, &t->model, 1);
    if (st)
        return st;
    double N = (double)p->N, P = (double)p->model.nparams;
    int kernel = t->o.record_lambda_min || t->o.record_kernel_distance;
    char what[600];
    snprintf(what, sizeof what, "%s: training %zu parameters on %zu samples", t->model.model, p->model.nparams, p->n);
    if ((st = cli_check_memory(cmd, what, 2 * P + (kernel ? 2 * N * N : 0), 0)))
        return st;
    if (t->o.batch > p->n)
        return cli_usage(cmd, "--batch %zu exceeds the %zu samples", t->o.batch, p->n);
    return PLSTAR_OK;
}

/* The run, its outputs in DIR and the line on stderr of how it ended; *kept: outputs were written. */
static int run(train_args *t, plstar_problem *p, int *kept)
{
    const char *cmd = t->model.cmd;
    fast_train_options *o = &t->o;
    char *ckpt = plstar_outfile_path_join(t->out, "checkpoint.npy");
    train_ctx ctx = {.dir = t->out, .start = now(), .tty = isatty(STDERR_FILENO)};
    o->checkpoint_path = ckpt;
    o->save_at = t->save_at, o->nsave_at = t->nsave;
    o->on_weights = save_weights, o->on_progress = progress, o->ctx = &ctx;
    fast_trajectory tr;
    plstar_fast_trajectory_init(&tr);
    int st = ckpt ? plstar_fast_train(&tr, p->w, &p->model, p->X.data, p->n, p->y.data, o)
                  : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    if (ctx.tty && ctx.last_print > 0 && st)
        fputc('\n', stderr);
    *kept = !st || st == PLSTAR_EINTERRUPTED || st == FAST_TRAIN_DIVERGED; /* runs whose outputs are written */
    if (*kept) {
        char why[512];
        snprintf(why, sizeof why, "%s", plstar_errmsg());
        int wst = write_outputs(t->out, &tr, p->w, p, o, now() - ctx.start, st);
        if (wst)
            st = wst, *kept = 0;
        else if (st)
            plstar_error(st, "%s", why); /* the message of the run, not of the writing */
    }
    if (st == PLSTAR_EINTERRUPTED)
        fprintf(stderr, "plstar %s: interrupted at step %zu; resume with --resume %s\n", cmd, tr.steps_done, ckpt);
    else if (st == FAST_TRAIN_DIVERGED)
        fprintf(stderr, "plstar %s: %s; the run up to step %zu is in %s\n", cmd, plstar_errmsg(), tr.steps_done,
                t->out);
    else if (st)
        cli_fail(cmd, st);
    plstar_fast_trajectory_clear(&tr);
    free(ckpt);
    return st;
}

int cmd_train(int argc, char **argv)
{
    train_args t = {.model = {.cmd = argv[0]}};
    plstar_fast_train_options_init(&t.o);
    int made_dir = 0, kept = 0;
    int st = parse(&t, argc, argv);
    if (!st)
        st = prepare_dir(&t, &made_dir);
    if (st) {
        free(t.save_at);
        return st;
    }
    plstar_problem p;
    plstar_problem_init(&p);
    st = load(&p, &t);
    if (!st)
        st = run(&t, &p, &kept);
    if (st && !kept && made_dir)
        rmdir(t.out); /* only when nothing was written into it */
    plstar_problem_clear(&p);
    free(t.save_at);
    return st;
}

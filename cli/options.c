#include "cli/options.h"
#include "core/error.h"
#include "core/outfile.h"

#include <arb.h>

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_fail(const char *cmd, int status)
{
    fprintf(stderr, "plstar %s: %s\n", cmd, plstar_errmsg());
    return status;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "plstar %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see plstar help)\n");
    va_end(ap);
    return PLSTAR_EUSAGE;
}

int cli_refuse_given(const char *cmd, const cli_given_option *opts, size_t count, const char *why)
{
    for (size_t k = 0; k < count; k++)
        if (opts[k].given)
            return cli_usage(cmd, "%s %s", opts[k].name, why);
    return PLSTAR_OK;
}

int cli_parse_ulong(unsigned long *out, const char *s)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(double *out, const char *s)
{
    char *end;
    errno = 0;
    if (!s || !*s)
        return -1;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int cli_parse_prec(slong *out, const char *s)
{
    unsigned long v;
    if (cli_parse_ulong(&v, s) || v < CLI_PREC_MIN || v > CLI_PREC_MAX)
        return -1;
    *out = (slong)v;
    return 0;
}

int cli_prec_usage(const char *cmd, const char *arg)
{
    return cli_usage(cmd, "--prec takes a whole number of bits in [%d, %d], got '%s'", CLI_PREC_MIN, CLI_PREC_MAX, arg);
}

int cli_parse_loss(plstar_loss *out, const char *cmd, const char *arg)
{
    if (!plstar_loss_parse(out, arg))
        return PLSTAR_OK;
    return cli_usage(cmd, "--loss must be sum ((1/2)||F - y||^2) or mean ((1/N)||F - y||^2, nn.MSELoss()), got '%s'",
                     arg);
}

int cli_parse_impl(const char *s)
{
    if (strcmp(s, "fast") == 0)
        return 0;
    if (strcmp(s, "reference") == 0)
        return 1;
    return -1;
}

int cli_model_option(cli_model_args *a, int opt, const char *arg)
{
    switch (opt) {
    case OPT_MODEL:
        a->model = arg;
        return 1;
    case OPT_DATA:
        a->data = arg;
        return 1;
    case OPT_WEIGHTS:
        a->weights = arg;
        return 1;
    case OPT_LABELS:
        a->labels = arg;
        return 1;
    case OPT_SEED:
        if (cli_parse_ulong(&a->seed, arg)) {
            cli_usage(a->cmd, "--seed takes a non-negative integer, got '%s'", arg);
            return -1;
        }
        a->have_seed = 1;
        return 1;
    default:
        return 0;
    }
}

int cli_load_problem(plstar_problem *p, const cli_model_args *a, int need_labels)
{
    if (!a->model || !a->data)
        return cli_usage(a->cmd, "needs --model M.json and --data X.npy");
    if (!!a->weights == !!a->have_seed)
        return cli_usage(a->cmd, "needs exactly one of --weights W.npy and --seed S");
    if (need_labels && !a->labels)
        return cli_usage(a->cmd, "needs --labels Y.npy");
    int st = plstar_problem_load(p, a->model, a->data, a->weights, a->seed, a->labels);
    if (st)
        return cli_fail(a->cmd, st);
    cli_print_problem(a->cmd, p);
    return PLSTAR_OK;
}

void cli_print_problem(const char *cmd, const plstar_problem *p)
{
    char *line = plstar_problem_describe(p);
    printf("plstar %s: %s\n", cmd, line ? line : "(out of memory describing the model)");
    fflush(stdout); /* before any progress or error line on stderr */
    free(line);
}

/* 1 when `out` exists and is the same file as one of the inputs (links included). */
static int same_as_input(const char *out, const char *const *inputs, size_t count)
{
    struct stat so;
    if (stat(out, &so) != 0)
        return 0;
    for (size_t k = 0; k < count; k++) {
        struct stat si;
        if (inputs[k] && stat(inputs[k], &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
            return 1;
    }
    return 0;
}

int cli_check_output(const char *cmd, const char *out, const char *const *inputs, size_t count)
{
    /* an output whose directory is missing or not writable fails now (73),
     * not after a long computation */
    char *copy = strdup(out);
    if (!copy)
        return cli_fail(cmd, plstar_error(PLSTAR_ESOFTWARE, "out of memory"));
    struct stat sd;
    const char *dir = dirname(copy);
    int bad = stat(dir, &sd) != 0 ? errno : !S_ISDIR(sd.st_mode) ? ENOTDIR : access(dir, W_OK) != 0 ? errno : 0;
    free(copy);
    struct stat so;
    if (!bad && stat(out, &so) == 0 && S_ISDIR(so.st_mode))
        bad = EISDIR;
    if (bad) {
        fprintf(stderr, "plstar %s: %s: cannot create output: %s\n", cmd, out, strerror(bad));
        return PLSTAR_ECANTCREAT;
    }
    if (same_as_input(out, inputs, count))
        return cli_usage(cmd, "output %s is also an input; choose another name", out);
    return PLSTAR_OK;
}

int cli_check_output_dir(const char *cmd, const char *dir, const char *const *names, size_t nnames,
                         const char *const *inputs, size_t count)
{
    struct stat sd;
    if (stat(dir, &sd) != 0) /* to be created: where it goes must take it */
        return cli_check_output(cmd, dir, inputs, count);
    if (!S_ISDIR(sd.st_mode)) {
        if (same_as_input(dir, inputs, count))
            return cli_usage(cmd, "output %s is also an input; choose another name", dir);
        fprintf(stderr, "plstar %s: %s: cannot create output directory: %s\n", cmd, dir, strerror(ENOTDIR));
        return PLSTAR_ECANTCREAT;
    }
    for (size_t k = 0; k < nnames; k++) {
        if (!names[k])
            continue;
        char *path = plstar_outfile_path_join(dir, names[k]);
        int r = path ? cli_check_output(cmd, path, inputs, count) : cli_fail(cmd, plstar_error(PLSTAR_ESOFTWARE, "out of memory"));
        free(path);
        if (r)
            return r;
    }
    return PLSTAR_OK;
}

int cli_check_memory(const char *cmd, const char *what, double doubles, double balls)
{
    /* sizeof(arb_struct) is a lower bound per ball: longer mantissas live on the heap */
    int st = plstar_check_memory(8.0 * doubles + (double)sizeof(arb_struct) * balls, what);
    return st ? cli_fail(cmd, st) : PLSTAR_OK;
}

char *cli_radius_path(const char *path)
{
    size_t len = strlen(path);
    size_t stem = (len > 4 && !strcmp(path + len - 4, ".npy")) ? len - 4 : len;
    char *r = malloc(stem + 9);
    if (r) {
        memcpy(r, path, stem);
        memcpy(r + stem, ".rad.npy", 9);
    }
    return r;
}

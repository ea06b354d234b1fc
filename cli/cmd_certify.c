/* cli/cmd_certify.c — `plstar certify WORD [MODE]`: the options into plstar_check_options, the
 * check they choose from the registry (proofs-checks/checks.h), and its run, lines and report. */
#include "bench/plot.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/report.h"
#include "proofs-checks/checks.h"
#include "reference/shallow.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* getopt's value for the check option k is OPT_CHECK + k */
enum { OPT_CHECK = 3000 };

/* The names of the check options as typed (without "--"); NULL: a MODEL option (cli/options.h). */
static const struct {
    const char *name;
    int has_arg;
} check_options[CHECK_OPT_COUNT] = {
    [CHECK_OPT_PREC] = {"prec", required_argument},
    [CHECK_OPT_JSON] = {"json", required_argument},
    [CHECK_OPT_MU] = {"mu", required_argument},
    [CHECK_OPT_RADIUS] = {"radius", required_argument},
    [CHECK_OPT_LR] = {"lr", required_argument},
    [CHECK_OPT_STEPS] = {"steps", required_argument},
    [CHECK_OPT_EPS] = {"eps", required_argument},
    [CHECK_OPT_APRIORI] = {"apriori", no_argument},
    [CHECK_OPT_PATH] = {"path", no_argument},
    [CHECK_OPT_WITNESS] = {"witness", required_argument},
    [CHECK_OPT_SEARCH_WIDTH] = {"search-width", no_argument},
    [CHECK_OPT_RECORD_EVERY] = {"record-every", required_argument},
    [CHECK_OPT_KERNEL_ROUTE] = {"kernel-route", required_argument},
    [CHECK_OPT_LOSS] = {"loss", required_argument},
    [CHECK_OPT_OUT] = {"out", required_argument},
    [CHECK_OPT_LABELS] = {NULL, 0},
};

/* "--mu" */
static const char *option_name(char *buf, size_t len, int opt)
{
    snprintf(buf, len, "--%s", opt == CHECK_OPT_LABELS ? "labels" : check_options[opt].name);
    return buf;
}

/* The lowest option of a mask (a check's mode is one option). */
static int first_option(unsigned mask) { return mask ? __builtin_ctz(mask) : -1; }

/* The checks of `word`, in the order of the registry; their number. */
static size_t checks_of(const plstar_check **out, size_t max, const char *word)
{
    size_t n = 0;
    for (size_t k = 0; k < plstar_check_count; k++)
        if (!strcmp(plstar_checks[k]->command->word, word) && n < max)
            out[n++] = plstar_checks[k];
    return n;
}

/* "point, ball or gd": the words of the registry. */
static void words_list(char *buf, size_t len)
{
    const plstar_certify_command *words[16];
    size_t n = plstar_certify_commands(words, 16), at = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n && at < len; k++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s", k == 0 ? "" : k + 1 == n ? " or " : ", ", words[k]->word);
}

typedef struct {
    plstar_check_options o;
    cli_model_args model;
} certify_args;

/* The value of check option `opt` into a->o: 0, −1 for an invalid value, or 64 after a message. */
static int parse_value(certify_args *a, int opt, const char *arg)
{
    plstar_check_options *o = &a->o;
    switch (opt) {
    case CHECK_OPT_PREC: return cli_parse_prec(&o->prec, arg) ? cli_prec_usage(o->cmd, arg) : 0;
    case CHECK_OPT_LOSS: return cli_parse_loss(&o->loss, o->cmd, arg) ? PLSTAR_EUSAGE : 0;
    case CHECK_OPT_JSON: o->json = arg; return 0;
    case CHECK_OPT_WITNESS: o->witness = arg; return 0;
    case CHECK_OPT_OUT: o->out = arg; return 0;
    case CHECK_OPT_MU: return cli_parse_double(&o->mu, arg) || o->mu <= 0 ? -1 : 0;
    case CHECK_OPT_RADIUS:
        return cli_parse_double(&o->radius, arg) || !(o->radius >= 0) || !isfinite(o->radius) ? -1 : 0;
    case CHECK_OPT_LR: return cli_parse_double(&o->lr, arg) || o->lr <= 0 ? -1 : 0;
    case CHECK_OPT_EPS: return cli_parse_double(&o->eps, arg) || o->eps <= 0 ? -1 : 0;
    case CHECK_OPT_STEPS: return cli_parse_ulong(&o->steps, arg) || !o->steps ? -1 : 0;
    case CHECK_OPT_RECORD_EVERY: return cli_parse_ulong(&o->record_every, arg) || !o->record_every ? -1 : 0;
    case CHECK_OPT_KERNEL_ROUTE: return plstar_ref_kernel_route_force(arg) ? -1 : 0;
    default: return 0; /* --apriori, --path, --search-width: given or not */
    }
}

/* The options of argv into a; one that no check of `cmd->word` takes is refused as it comes. */
static int parse_options(certify_args *a, const plstar_certify_command *cmd, unsigned word_accepts, int argc,
                         char **argv)
{
    static const struct option model_options[] = {CLI_MODEL_OPTIONS};
    struct option longopts[sizeof model_options / sizeof *model_options + CHECK_OPT_COUNT + 1];
    size_t n = sizeof model_options / sizeof *model_options;
    memcpy(longopts, model_options, sizeof model_options);
    for (int k = 0; k < CHECK_OPT_COUNT; k++)
        if (check_options[k].name)
            longopts[n++] = (struct option){check_options[k].name, check_options[k].has_arg, NULL, OPT_CHECK + k};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    const char *name = a->o.cmd;
    char flag[40];
    int opt, r;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if ((r = cli_model_option(&a->model, opt, optarg)) < 0)
            return PLSTAR_EUSAGE;
        if (r)
            continue;
        int k = opt - OPT_CHECK;
        if (k < 0 || k >= CHECK_OPT_COUNT)
            return cli_usage(name, "unknown or incomplete option '%s'", argv[optind - 1]);
        if (!(word_accepts & CHECK_OPTION(k)))
            return cli_usage(name, "%s does not apply to %s", option_name(flag, sizeof flag, k), cmd->scope);
        if ((r = parse_value(a, k, optarg)) > 0)
            return r;
        if (r)
            return cli_usage(name, "invalid value '%s' for %s", optarg, option_name(flag, sizeof flag, k));
        a->o.given |= CHECK_OPTION(k);
    }
    if (optind < argc)
        return cli_usage(name, "unexpected argument '%s'", argv[optind]);
    if (a->model.labels)
        a->o.given |= CHECK_OPTION(CHECK_OPT_LABELS);
    a->o.seed = a->model.seed, a->o.have_seed = a->model.have_seed;
    return PLSTAR_OK;
}

/* "--apriori (Theorem 6 from constants at w0) or --path (...)" (briefs) or "--apriori and --path". */
static void modes_list(char *buf, size_t len, const plstar_check *const *checks, size_t n, int briefs)
{
    size_t at = 0;
    char flag[40];
    buf[0] = '\0';
    for (size_t k = 0; k < n && at < len; k++) {
        const char *sep = k == 0 ? "" : k + 1 < n ? ", " : briefs ? " or " : " and ";
        option_name(flag, sizeof flag, first_option(checks[k]->mode));
        at += (size_t)snprintf(buf + at, len - at, "%s%s", sep, flag);
        if (briefs && at < len)
            at += (size_t)snprintf(buf + at, len - at, " (%s)", checks[k]->mode_brief);
    }
}

/* The check of the word that takes option `opt` (a check of its word does: parse_options). */
static const plstar_check *taker_of(const plstar_check *const *checks, size_t n, int opt)
{
    for (size_t k = 0; k < n; k++)
        if (checks[k]->accepts & CHECK_OPTION(opt))
            return checks[k];
    return checks[0];
}

/* The check of the word that the options choose: its only one, or the one whose mode was given;
 * then an option that only another check of the word takes is refused, and one it needs required. */
static int choose_check(const plstar_check **chosen, const plstar_check *const *checks, size_t n,
                        const plstar_check_options *o)
{
    size_t picked = 0;
    for (size_t k = 0; k < n; k++)
        if (!checks[k]->mode || (o->given & checks[k]->mode))
            *chosen = checks[k], picked++;
    char list[512], flag[40], other[40];
    if (picked != 1) {
        modes_list(list, sizeof list, checks, n, !picked);
        return cli_usage(o->cmd, picked ? "choose one of %s" : "needs %s", list);
    }
    const plstar_check *d = *chosen;
    int extra = first_option(o->given & ~(d->accepts | CHECK_OPTION(CHECK_OPT_LABELS)));
    if (extra >= 0)
        return cli_usage(o->cmd, "%s applies to %s, not to %s", option_name(flag, sizeof flag, extra),
                         option_name(list, sizeof list, first_option(taker_of(checks, n, extra)->mode)),
                         option_name(other, sizeof other, first_option(d->mode)));
    if ((o->given & d->requires) != d->requires)
        return cli_usage(o->cmd, "%s", d->requirement);
    return PLSTAR_OK;
}

/* The outputs named on the command line are checked before anything is computed. */
static int check_outputs(const certify_args *a, const plstar_check *d)
{
    const char *inputs[] = {a->model.model, a->model.data, a->model.weights, a->model.labels};
    const char *cmd = a->o.cmd;
    int r = PLSTAR_OK;
    size_t nfiles = 0;
    while (d->out_files && d->out_files[nfiles])
        nfiles++;
    if (a->o.json && (r = cli_check_output(cmd, a->o.json, inputs, 4)))
        return r;
    if (a->o.witness && (r = cli_check_output(cmd, a->o.witness, inputs, 4)))
        return r;
    if (a->o.out && (r = cli_check_output_dir(cmd, a->o.out, d->out_files, nfiles, inputs, 4)))
        return r;
    return PLSTAR_OK;
}

static int parse(certify_args *a, const plstar_check **chosen, int argc, char **argv)
{
    const plstar_check *checks[16];
    size_t n = checks_of(checks, 16, argv[0]);
    unsigned word_accepts = 0;
    for (size_t k = 0; k < n; k++)
        word_accepts |= checks[k]->accepts;
    int r = parse_options(a, checks[0]->command, word_accepts, argc, argv);
    if (!r)
        r = choose_check(chosen, checks, n, &a->o);
    return r ? r : check_outputs(a, *chosen);
}

static int finish(const char *cmd, const char *json_path, json_t *report, int verdict)
{
    if (json_path) {
        int st = plstar_report_write(json_path, report);
        if (st)
            verdict = cli_fail(cmd, st);
    }
    json_decref(report);
    return verdict;
}

/* Runs the check, prints its lines, writes its files and its report. Interrupted, it reports the
 * part it verified and says so on stderr. */
static int run_check(const plstar_check *d, const plstar_problem *p, const plstar_check_options *o)
{
    void *result = NULL;
    int v = d->run(&result, p, o);
    if (!result)
        return cli_fail(o->cmd, v);
    char stopped[512]; /* why it stopped, kept before writing anything replaces the message */
    snprintf(stopped, sizeof stopped, "%s", v == PLSTAR_EINTERRUPTED ? plstar_errmsg() : "");
    d->print(result, p, o, v);
    json_t *report = d->report(result, p, o, v);
    int st = d->outputs ? d->outputs(result, report, o, v) : PLSTAR_OK;
    d->free(result);
    if (st) { /* no report that names a file that is not there */
        json_decref(report);
        return cli_fail(o->cmd, st);
    }
    v = finish(o->cmd, o->json, report, v);
    if (v == PLSTAR_EINTERRUPTED)
        fprintf(stderr, "plstar %s: %s%s%s\n", o->cmd, stopped,
                o->json ? "; the report of the verified prefix is in " : "", o->json ? o->json : "");
    return v;
}

/* Absurd sizes are refused before anything is allocated (the check's estimate). */
static int check_memory(const plstar_check *d, const plstar_problem *p, const certify_args *a)
{
    plstar_check_estimate m;
    d->estimate(&m, p, &a->o);
    char what[600];
    snprintf(what, sizeof what, "%s: %s", a->model.data, m.what);
    return cli_check_memory(a->o.cmd, what, m.doubles, m.balls);
}

int cmd_certify(int argc, char **argv)
{
    if (argc < 2 || !plstar_certify_find(argv[1])) {
        char words[256];
        words_list(words, sizeof words);
        return cli_usage("certify", "needs a check: %s", words);
    }
    char name[32];
    snprintf(name, sizeof name, "certify %s", argv[1]);
    certify_args a = {.model = {.cmd = name}};
    plstar_check_options_init(&a.o);
    a.o.cmd = name;
    a.o.draw_gd_path = plot_gd_path;
    const plstar_check *d = NULL;
    int st = parse(&a, &d, argc - 1, argv + 1);
    if (st)
        return st;
    plstar_problem p;
    plstar_problem_init(&p);
    if ((st = cli_load_problem(&p, &a.model, 0)))
        return st;
    const char *why = NULL;
    if (!(st = check_memory(d, &p, &a)) && d->refuse && (why = d->refuse(&p, &a.o)))
        st = cli_usage(name, "%s", why);
    if (!st)
        st = run_check(d, &p, &a.o);
    plstar_problem_clear(&p);
    return st;
}

/*
 * bench/modes.c — the three modes of `plstar bench` (bench/bench.h; cli/cmd_bench.c parses the mode):
 * speed and agreement of the implementations,
 * kept over time.
 *
 *   plstar bench quick|full [--suite S[,S...]] --out DIR [--tiny] [--no-peers]
 *                [--history DIR | --no-history] [--python PY]
 *   plstar bench compare [OLD [NEW]]
 *   plstar bench plot DIR [--history DIR]
 *
 * A run measures the DGEMM roof, runs the suites (kernel, eig, train, certify,
 * scaling; all by default), writes DIR/results.jsonl (first line: the machine
 * and the run), DIR/summary.md and DIR/plots/, keeps a copy of the results in
 * the history directory as <UTC date-time>-<git revision>-<set>.jsonl, and
 * compares it with the previous run of the same set there. `compare` judges a
 * run against another (default: the two newest of the same set in the
 * history) and exits 1 on a regression; `plot` redraws a run's plots.
 */
#include "bench/bench.h"
#include "core/error.h"
#include "core/outfile.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PLSTAR_SOURCE_ROOT
#define PLSTAR_SOURCE_ROOT ""
#endif

/* The usage, from the help registry (cli/help.c), for usage errors. */

enum { O_SUITE = 3000, O_OUT, O_TINY, O_NO_PEERS, O_HISTORY, O_NO_HISTORY, O_PYTHON };

const char *bench_source_root(void)
{
    static char root[4096];
    static int done;
    if (done)
        return root[0] ? root : NULL;
    done = 1;
    const char *cands[] = {getenv("PLSTAR_SOURCE_ROOT"), PLSTAR_SOURCE_ROOT, "."};
    for (size_t k = 0; k < 3; k++) {
        if (!cands[k] || !*cands[k])
            continue;
        char probe[4200];
        snprintf(probe, sizeof probe, "%s/bench/peers", cands[k]);
        struct stat sb;
        if (!stat(probe, &sb) && S_ISDIR(sb.st_mode)) {
            snprintf(root, sizeof root, "%s", cands[k]);
            return root;
        }
    }
    return NULL;
}

static int mkdir_p(const char *path)
{
    char buf[4096];
    if (strlen(path) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0755) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(buf, 0755) && errno != EEXIST)
        return -1;
    return access(buf, W_OK);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}


static const char *default_history(void)
{
    static char buf[4200];
    const char *env = getenv("PLSTAR_BENCH_HISTORY");
    if (env && *env)
        return env;
    const char *root = bench_source_root();
    if (!root)
        return NULL;
    snprintf(buf, sizeof buf, "%s/bench/results", root);
    return buf;
}

/* ---- the run ------------------------------------------------------------------- */

static const char *const suite_names[] = {"kernel", "eig", "train", "certify", "scaling"};
static int (*const suite_fns[])(bench_run *) = {suite_kernel, suite_eig, suite_train, suite_certify, suite_scaling};
#define NSUITES 5

static int parse_suites(int *on, const char *arg)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    for (int k = 0; k < NSUITES; k++)
        on[k] = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strcmp(t, "all")) {
            for (int k = 0; k < NSUITES; k++)
                on[k] = 1;
            continue;
        }
        int k;
        for (k = 0; k < NSUITES && strcmp(t, suite_names[k]); k++)
            ;
        if (k == NSUITES)
            return -1;
        on[k] = 1;
    }
    return 0;
}

static json_t *roof_line(const bench_peak *pk, const char *when)
{
    json_t *c = bench_case("roof", when, "dgemm");
    json_t *s = json_object();
    json_object_set_new(s, "n", json_integer((json_int_t)pk->size));
    json_object_set_new(c, "sizes", s);
    json_object_set_new(c, "reps", json_integer(pk->reps));
    json_object_set_new(c, "warmup", json_integer(1));
    json_object_set_new(c, "median_s", bench_real(pk->median_s));
    json_object_set_new(c, "min_s", bench_real(pk->min_s));
    json_object_set_new(c, "max_s", bench_real(pk->max_s));
    double fl = 2.0 * (double)pk->size * (double)pk->size * (double)pk->size;
    json_object_set_new(c, "flops", json_real(fl));
    json_object_set_new(c, "flops_model", json_string("2 n^3"));
    json_object_set_new(c, "gflops", bench_real(pk->gflops));
    json_object_set_new(c, "threads", json_integer(pk->threads));
    return c;
}

static int write_results(const char *path, const json_t *header, const json_t *lines)
{
    plstar_outfile f;
    int st = plstar_outfile_open(&f, path);
    if (st)
        return st;
    char *h = bench_json_line(header);
    fprintf(f.fp, "%s\n", h ? h : "{}");
    free(h);
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        char *s = bench_json_line(l);
        if (s)
            fprintf(f.fp, "%s\n", s);
        free(s);
    }
    return plstar_outfile_commit(&f);
}

int bench_mode_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"suite", required_argument, NULL, O_SUITE},     {"out", required_argument, NULL, O_OUT},
        {"tiny", no_argument, NULL, O_TINY},             {"no-peers", no_argument, NULL, O_NO_PEERS},
        {"history", required_argument, NULL, O_HISTORY}, {"no-history", no_argument, NULL, O_NO_HISTORY},
        {"python", required_argument, NULL, O_PYTHON},
        {NULL, 0, NULL, 0}};
    int on[NSUITES] = {1, 1, 1, 1, 1}, tiny = 0, peers = 1, no_history = 0, opt;
    const char *out = NULL, *history = NULL, *python = getenv("PLSTAR_PYTHON");
    if (!python || !*python)
        python = "/usr/bin/python3";
    int full = !strcmp(argv[0], "full");
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case O_SUITE:
            if (parse_suites(on, optarg)) {
                fprintf(stderr, "plstar bench: --suite takes kernel, eig, train, certify, scaling or all, got '%s'\n",
                        optarg);
                return PLSTAR_EUSAGE;
            }
            break;
        case O_OUT: out = optarg; break;
        case O_TINY: tiny = 1; break;
        case O_NO_PEERS: peers = 0; break;
        case O_HISTORY: history = optarg; break;
        case O_NO_HISTORY: no_history = 1; break;
        case O_PYTHON: python = optarg; break;
        default:
            fprintf(stderr, "plstar bench: unknown or incomplete option '%s'\n", argv[optind - 1]);
            return PLSTAR_EUSAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "plstar bench: unexpected argument '%s'\n", argv[optind]);
        return PLSTAR_EUSAGE;
    }
    if (!out) {
        fprintf(stderr, "plstar bench: needs --out DIR\n");
        return PLSTAR_EUSAGE;
    }
    if (history && no_history) {
        fprintf(stderr, "plstar bench: --history and --no-history exclude each other\n");
        return PLSTAR_EUSAGE;
    }
    if (mkdir_p(out)) {
        fprintf(stderr, "plstar bench: %s: cannot create the output directory\n", out);
        return PLSTAR_ECANTCREAT;
    }
    if (!history && !no_history && !tiny)
        history = default_history();
    if (no_history)
        history = NULL;

    double t_start = bench_now();
    bench_run r;
    memset(&r, 0, sizeof r);
    r.set = tiny ? BENCH_TINY : full ? BENCH_FULL : BENCH_QUICK;
    r.set_name = tiny ? "tiny" : full ? "full" : "quick";
    r.out_dir = out;
    r.peers = peers;
    r.python = python;
    r.lines = json_array();
    static const bench_policy pol[3] = {
        {1, 2, 3, 0.02, 0.5},  /* tiny */
        {1, 3, 7, 0.5, 1.0},   /* quick */
        {1, 3, 10, 2.0, 2.0},  /* full */
    };
    r.policy = pol[r.set];
    r.peer_log = plstar_outfile_path_join(out, "peers.log");
    char *tmpl = plstar_outfile_path_join(out, ".inputs-XXXXXX");
    r.tmp_dir = tmpl ? mkdtemp(tmpl) : NULL;
    if (!r.tmp_dir || !r.peer_log) {
        fprintf(stderr, "plstar bench: %s: cannot create a working directory\n", out);
        free(tmpl), free(r.peer_log);
        json_decref(r.lines);
        return PLSTAR_ECANTCREAT;
    }
    if (r.peer_log)
        remove(r.peer_log);

    /* the header: machine and run */
    char date[32];
    bench_utc_stamp(date, 1);
    int dirty = 0;
    char *rev = bench_git_rev(bench_source_root(), &dirty);
    r.header = json_object();
    json_object_set_new(r.header, "machine", bench_machine());
    json_t *run = json_object();
    json_object_set_new(run, "date_utc", json_string(date));
    json_object_set_new(run, "git_rev", json_string(rev));
    json_object_set_new(run, "git_dirty", json_boolean(dirty));
    json_object_set_new(run, "plstar_version", json_string(PLSTAR_VERSION));
    json_object_set_new(run, "set", json_string(r.set_name));
    json_t *sl = json_array();
    for (int k = 0; k < NSUITES; k++)
        if (on[k])
            json_array_append_new(sl, json_string(suite_names[k]));
    json_object_set_new(run, "suites", sl);
    json_t *pj = json_object();
    json_object_set_new(pj, "warmup", json_integer(r.policy.warmup));
    json_object_set_new(pj, "min_reps", json_integer(r.policy.min_reps));
    json_object_set_new(pj, "max_reps", json_integer(r.policy.max_reps));
    json_object_set_new(pj, "budget_s", json_real(r.policy.budget_s));
    json_object_set_new(pj, "long_s", json_real(r.policy.long_s));
    json_object_set_new(run, "policy", pj);
    json_object_set_new(run, "reference_prec", json_integer(128));
    json_object_set_new(r.header, "run", run);

    printf("plstar bench %s: %s, git %s%s\n", r.set_name, date, rev, dirty ? " (uncommitted changes)" : "");
    size_t roof_n = r.set == BENCH_TINY ? 1024 : 2048;
    int st = bench_dgemm_peak(&r.peak, roof_n, r.set == BENCH_TINY ? 3 : 5);
    if (st) {
        fprintf(stderr, "plstar bench: %s\n", plstar_errmsg());
        goto out;
    }
    json_object_set_new(r.header, "peak", bench_peak_json(&r.peak));
    printf("roof: DGEMM %zu^3, median %.1f GFLOP/s (%.1f-%.1f over %d calls, %d threads)\n", r.peak.size,
           r.peak.gflops, r.peak.gflops_min, r.peak.gflops_max, r.peak.reps, r.peak.threads);
    json_t *rl = roof_line(&r.peak, "start");
    bench_emit(&r, rl);
    json_decref(rl);

    peer_check(&r);
    if (!r.torch)
        printf("PyTorch peer: %s\n", r.torch_why);
    json_object_set_new(run, "torch_peer", r.torch ? json_true() : json_string(r.torch_why));

    size_t nsuites = 0;
    for (int k = 0; k < NSUITES; k++)
        nsuites += on[k] != 0;
    char label[64];
    snprintf(label, sizeof label, "bench %s", r.set_name);
    plstar_progress_begin(&r.progress, label, "suites", nsuites);
    for (int k = 0; k < NSUITES && !st; k++) {
        if (!on[k])
            continue;
        double t0 = bench_now();
        st = suite_fns[k](&r);
        plstar_progress_hide();
        printf("-- %s: %.1f s\n", suite_names[k], bench_now() - t0);
        fflush(stdout);
        plstar_progress_update(&r.progress, ++r.suites_done);
        if (plstar_interrupted)
            st = PLSTAR_EINTERRUPTED;
    }
    plstar_progress_end(&r.progress);
    if (!st && r.set != BENCH_TINY) { /* the roof again: has the machine changed under the run? */
        bench_peak end;
        if (!bench_dgemm_peak(&end, roof_n, 3)) {
            json_object_set_new(r.header, "peak_end", bench_peak_json(&end));
            json_t *el = roof_line(&end, "end");
            bench_emit(&r, el);
            json_decref(el);
        }
    }
    double load[3];
    if (getloadavg(load, 3) == 3)
        json_object_set_new(json_object_get(r.header, "machine"), "loadavg_end", json_real(load[0]));
    json_object_set_new(run, "seconds", json_real(bench_now() - t_start));

    /* results, history, report */
    char *res = plstar_outfile_path_join(out, "results.jsonl");
    char *hist_file = NULL;
    if (history) {
        if (mkdir_p(history)) {
            fprintf(stderr, "plstar bench: %s: cannot create the history directory; run not kept\n", history);
            history = NULL;
        } else {
            char stamp[32], name[160];
            bench_utc_stamp(stamp, 0);
            snprintf(name, sizeof name, "%s-%s-%s.jsonl", stamp, rev, r.set_name);
            hist_file = plstar_outfile_path_join(history, name);
            json_object_set_new(r.header, "history_file", json_string(name));
        }
    }
    int wst = res ? write_results(res, r.header, r.lines) : PLSTAR_ESOFTWARE;
    if (!wst && hist_file)
        wst = write_results(hist_file, r.header, r.lines);
    if (wst) {
        fprintf(stderr, "plstar bench: %s\n", plstar_errmsg());
        st = wst;
    }
    if (!wst) {
        int rst = bench_report(out, r.header, r.lines, history);
        if (rst)
            fprintf(stderr, "plstar bench: report: %s\n", plstar_errmsg());
        printf("\nresults: %s\nsummary: %s/summary.md\nplots:   %s/plots/\n", res, out, out);
        if (hist_file)
            printf("kept:    %s\n", hist_file);
        else
            printf("history: not kept (%s)\n", tiny ? "--tiny" : no_history ? "--no-history"
                                                                  : "no source tree found; pass --history DIR");
    }
    if (!wst && hist_file) { /* against the previous run of the same set */
        size_t nf = 0;
        char **files = bench_history_files(history, &nf);
        const char *prev = NULL;
        for (size_t k = 0; k < nf; k++) {
            if (!strcmp(files[k], hist_file))
                continue;
            json_t *h = NULL, *ls = NULL;
            if (!bench_read_results(files[k], &h, &ls) &&
                !strcmp(json_string_value(json_object_get(json_object_get(h, "run"), "set")) ?: "", r.set_name))
                prev = files[k];
            json_decref(h), json_decref(ls);
        }
        if (prev) {
            printf("\n");
            bench_compare_files(prev, hist_file, stdout);
        }
        bench_free_list(files);
    }
    free(res), free(hist_file);
    printf("\n%s run: %.1f s", r.set_name, bench_now() - t_start);
    if (r.violations)
        printf("; %d containment FAILURES of plstar's fast path (see the agreement fields)", r.violations);
    if (r.errors)
        printf("; %d cases failed to run", r.errors);
    printf("\n");
    if (!st)
        st = r.violations ? PLSTAR_REFUTED : r.errors ? PLSTAR_ESOFTWARE : PLSTAR_OK;

out:
    nftw(r.tmp_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(r.tmp_dir), free(r.peer_log), free(r.peer_script), free(rev);
    json_decref(r.header);
    json_decref(r.lines);
    return st;
}

/* ---- compare and plot ---------------------------------------------------------- */

/* A run directory's results.jsonl, or the path itself. */
static char *results_path(const char *p)
{
    struct stat sb;
    if (!stat(p, &sb) && S_ISDIR(sb.st_mode)) {
        char *r = plstar_outfile_path_join(p, "results.jsonl");
        if (r && !access(r, R_OK))
            return r;
        free(r);
        return NULL;
    }
    return strdup(p);
}

static const char *set_of(const char *path, char *buf, size_t len)
{
    json_t *h = NULL, *l = NULL;
    buf[0] = 0;
    if (!bench_read_results(path, &h, &l))
        snprintf(buf, len, "%s", json_string_value(json_object_get(json_object_get(h, "run"), "set")) ?: "");
    json_decref(h), json_decref(l);
    plstar_error_clear();
    return buf;
}

/* The newest history file of `set` other than `not`, strictly older than `before` when given. */
static char *newest_of_set(char **files, size_t nf, const char *set, const char *not, const char *before)
{
    for (size_t k = nf; k-- > 0;) {
        char s[32];
        if ((not && !strcmp(files[k], not)) || (before && strcmp(files[k], before) >= 0))
            continue;
        if (!strcmp(set_of(files[k], s, sizeof s), set))
            return strdup(files[k]);
    }
    return NULL;
}

int bench_mode_compare(int argc, char **argv)
{
    if (argc > 3) {
        fprintf(stderr, "plstar bench compare: at most two runs, OLD and NEW (%d given)\n", argc - 1);
        return PLSTAR_EUSAGE;
    }
    char *oldp = NULL, *newp = NULL;
    const char *hist = default_history();
    struct stat sb;
    for (int k = 1; k < argc; k++)
        if (stat(argv[k], &sb)) {
            fprintf(stderr, "plstar bench compare: %s: no such file or directory\n", argv[k]);
            return PLSTAR_ENOINPUT;
        }
    if (argc == 3) {
        oldp = results_path(argv[1]);
        newp = results_path(argv[2]);
    } else {
        /* one argument: a history directory, or a run (then compared with the history) */
        const char *dir = hist;
        char *runp = NULL;
        if (argc == 2) {
            char *probe = plstar_outfile_path_join(argv[1], "results.jsonl");
            int is_hist = !stat(argv[1], &sb) && S_ISDIR(sb.st_mode) && probe && access(probe, R_OK);
            free(probe);
            if (is_hist)
                dir = argv[1];
            else
                runp = results_path(argv[1]);
        }
        size_t nf = 0;
        char **files = dir ? bench_history_files(dir, &nf) : NULL;
        char set[32];
        if (runp) {
            newp = runp;
            oldp = newest_of_set(files, nf, set_of(runp, set, sizeof set), NULL, NULL);
            /* the run itself may be the history's newest file: then the one before it */
            if (oldp) {
                json_t *a = NULL, *b = NULL, *c = NULL, *d = NULL;
                if (!bench_read_results(oldp, &a, &b) && !bench_read_results(runp, &c, &d) &&
                    json_equal(json_object_get(a, "run"), json_object_get(c, "run"))) {
                    char *o2 = newest_of_set(files, nf, set, oldp, oldp);
                    free(oldp);
                    oldp = o2;
                }
                json_decref(a), json_decref(b), json_decref(c), json_decref(d);
            }
        } else if (nf) {
            newp = strdup(files[nf - 1]);
            oldp = newest_of_set(files, nf, set_of(newp, set, sizeof set), newp, newp);
        }
        bench_free_list(files);
        if (!newp || !oldp) {
            fprintf(stderr, "plstar bench compare: %s\n",
                    !dir ? "no history directory (pass OLD NEW, or set PLSTAR_BENCH_HISTORY)"
                         : "fewer than two runs of the same set to compare");
            free(oldp), free(newp);
            return PLSTAR_ENOINPUT;
        }
    }
    if (!oldp || !newp) {
        fprintf(stderr, "plstar bench compare: %s has no results.jsonl\n", !oldp ? argv[1] : argv[2]);
        free(oldp), free(newp);
        return PLSTAR_ENOINPUT;
    }
    int st = bench_compare_files(oldp, newp, stdout);
    if (st > PLSTAR_INCONCLUSIVE)
        fprintf(stderr, "plstar bench compare: %s\n", plstar_errmsg());
    free(oldp), free(newp);
    return st;
}

int bench_mode_plot(int argc, char **argv)
{
    static const struct option longopts[] = {{"history", required_argument, NULL, O_HISTORY},
                                             {NULL, 0, NULL, 0}};
    const char *history = NULL;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt == O_HISTORY)
            history = optarg;
        else {
            fprintf(stderr, "plstar bench plot: unknown or incomplete option '%s'\n", argv[optind - 1]);
            return PLSTAR_EUSAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "plstar bench plot: needs the run directory DIR (with results.jsonl)\n");
        return PLSTAR_EUSAGE;
    }
    const char *dir = argv[optind];
    char *res = plstar_outfile_path_join(dir, "results.jsonl");
    json_t *h = NULL, *l = NULL;
    int st = res ? bench_read_results(res, &h, &l) : PLSTAR_ESOFTWARE;
    if (!st)
        st = bench_report(dir, h, l, history ? history : default_history());
    if (st)
        fprintf(stderr, "plstar bench plot: %s\n", plstar_errmsg());
    else
        printf("summary: %s/summary.md\nplots:   %s/plots/\n", dir, dir);
    json_decref(h), json_decref(l);
    free(res);
    return st;
}

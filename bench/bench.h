/*
 * bench/bench.h — one run of `plstar bench`: its settings, its output, and the
 * suites (bench/suite_*.c), the PyTorch peer (bench/peer.c), the report and
 * plots (bench/report.c) and the history (bench/history.c).
 *
 * A run is a size set (tiny, quick or full) and a list of suites. It measures
 * the DGEMM roof first (bench/harness.h), then runs the suites; every case
 * becomes one JSON line of DIR/results.jsonl, whose first line describes the
 * machine and the run. The same file is kept under the history directory
 * (bench/results/ of the source tree by default) as
 * <UTC date-time>-<git revision>-<set>.jsonl.
 */
#ifndef PLSTAR_BENCH_BENCH_H
#define PLSTAR_BENCH_BENCH_H

#include <stdio.h>
#include <jansson.h>
#include "bench/harness.h"
#include "core/model.h"
#include "core/progress.h"

typedef enum { BENCH_TINY = 0, BENCH_QUICK, BENCH_FULL } bench_set;

/* The gradient-descent step of the train suite, for plstar and the peer alike. */
#define BENCH_LR 1e-3

typedef struct {
    bench_set set;
    const char *set_name;         /* "tiny", "quick", "full" */
    const char *out_dir;
    char *tmp_dir;                /* inputs and outputs of the peer, removed at the end */
    bench_peak peak;              /* the DGEMM roof of this run */
    bench_policy policy;
    json_t *header;               /* the first line: machine and run */
    json_t *lines;                /* every case line so far (written out at the end) */
    int peers;                    /* 0: --no-peers */
    const char *python;
    char *peer_script;            /* bench/peers/ntk_torch.py, NULL when not found */
    int torch;                    /* 1: python can import torch, numpy and functorch/torch.func */
    char torch_why[256];          /* why not */
    char *peer_log;               /* DIR/peers.log */
    int violations;               /* containment failures of plstar's own fast path */
    int errors;                   /* cases that failed to run */
    plstar_progress progress;     /* suites done, on stderr when it is a terminal */
    size_t suites_done;
} bench_run;

/* Appends a case line to the run (the caller keeps its own reference) and prints a one-line summary. */
void bench_emit(bench_run *r, json_t *line);

/* Records a failed case (the library's message) and continues. */
void bench_case_error(bench_run *r, const char *suite, const char *name, const char *impl);

/* The warm-up and repetition policy of the run's size set. */
bench_policy bench_policy_for(const bench_run *r);

/* Problems with seeded data: X (n × d) and labels y (n·c) are N(0, 1) from a gsl_rng_mt19937
 * seeded with `seed`, the weights are plstar_model_init_weights(seed). */
int bench_mlp_problem(plstar_problem *p, size_t n, size_t d, const size_t *widths, size_t nw, const char *act,
                      unsigned long seed);
int bench_shallow_problem(plstar_problem *p, size_t n, size_t d, size_t width, const char *act,
                          unsigned long seed);

/* "1024x1024" */
void bench_widths_str(char *buf, size_t len, const plstar_model *m);
/* The sizes object of a problem: n, d, widths, outputs, N, P. */
json_t *bench_sizes_json(const plstar_problem *p);

/* Operation counts (the flop models reported with the timings). */
double bench_flops_forward(const plstar_model *m, size_t n);        /* 2 n Σ in·out */
double bench_flops_explicit(const plstar_model *m, size_t n);       /* forward, backward, J, dsyrk N(N+1)P */
double bench_flops_gd_step(const plstar_model *m, size_t n);        /* forward, backward, gradient: 6 n Σ in·out */

/* Suites; each returns 0, or a status when the run cannot go on (out of memory, output failure). */
int suite_kernel(bench_run *r);
int suite_eig(bench_run *r);
int suite_train(bench_run *r);
int suite_certify(bench_run *r);
int suite_scaling(bench_run *r);

/* The PyTorch peer (bench/peers/ntk_torch.py). peer_check sets r->torch / r->torch_why.
 * peer_run writes the problem's inputs as .npy under r->tmp_dir/tag, runs the recipes and
 * returns the script's JSON lines (an array; NULL with a message in r->torch_why on failure);
 * kernels go to r->tmp_dir/tag/K_<recipe>.npy. */
void peer_check(bench_run *r);
json_t *peer_run(bench_run *r, const plstar_problem *p, const char *tag, const char *recipes, int steps,
                 long *rss_kib);
/* Adds the timing fields of a peer line (its "times" list) to a case line. */
void peer_case_timing(json_t *c, const json_t *peer, double flops, const char *flops_model, double peak_gflops,
                      long rss_kib);
/* A case line saying the peer did not run, and why. */
json_t *peer_skipped(const bench_run *r, const char *suite, const char *name, const char *impl);

/* Report: DIR/summary.md and the plots under DIR/plots/ (gnuplot, PNG). `history` is the
 * directory of past runs (NULL: no history plot). Returns 0 or PLSTAR_ECANTCREAT. */
int bench_report(const char *dir, json_t *header, json_t *lines, const char *history);

/* History. */
/* Reads a results file: header (first line) and case lines. */
int bench_read_results(const char *path, json_t **header, json_t **lines);
/* The run files (*.jsonl) of a history directory, oldest first; NULL-terminated, malloc'd. */
char **bench_history_files(const char *dir, size_t *count);
void bench_free_list(char **list);
/* Compares NEW with OLD and prints the table; returns 0, PLSTAR_REFUTED (1) on a regression. */
int bench_compare_files(const char *old_path, const char *new_path, FILE *out);

/* The modes of `plstar bench` (bench/modes.c), each given its own argv (argv[0] the mode's name) and returning
 * the command's exit status: quick|full runs the suites, compare judges one run against another, plot redraws a
 * run's figures. Usage errors print one line and return PLSTAR_EUSAGE. */
int bench_mode_run(int argc, char **argv);
int bench_mode_compare(int argc, char **argv);
int bench_mode_plot(int argc, char **argv);

/* The source tree (env PLSTAR_SOURCE_ROOT, else the tree the program was built from, when it
 * still exists; NULL otherwise). */
const char *bench_source_root(void);

/* o[key] as a number (NaN when absent) and as a string ("" when absent). */
double bench_json_num(const json_t *o, const char *key);
const char *bench_json_str(const json_t *o, const char *key);

#endif

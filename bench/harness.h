/*
 * bench/harness.h — the measuring instruments of `plstar bench`.
 *
 * Timing. CLOCK_MONOTONIC around each call of a function. One warm-up call
 * comes first (caches, page faults, lazily started BLAS threads), except when
 * that call takes longer than the policy's long_s: then it is the first timed
 * call, since a warm-up buys nothing at that length and would double the cost.
 * Calls repeat until min_reps are timed and their total exceeds budget_s, or
 * max_reps are timed. Reported: median, min and max of the timed calls (the
 * min–max range is the noise band `plstar bench compare` judges changes by).
 *
 * Memory. The peak resident set of the process during a case: Linux's VmHWM,
 * reset before the case by writing 5 to /proc/self/clear_refs (Linux ≥ 4.0).
 * Where the reset is refused, getrusage's ru_maxrss — the maximum since the
 * process started — is reported instead and flagged (rss_exact = 0).
 *
 * Roof. The machine's DGEMM rate, measured in the same run on SIZE³ (2 SIZE³
 * flops per call, median of a few calls after a warm-up): every GFLOP/s
 * figure is reported with its share of that rate (peak_share), and every time
 * with the time a run at that rate would take (peak_time_s = flops / peak).
 *
 * Agreement. Values computed in double against reference enclosures mid ± rad
 * (reference/, Arb): max |value − mid|, max |value − mid| / rad, and the
 * containment rate, the share of entries with |value − mid| ≤ rad + err, err
 * the proven bound on the value's rounding error (fast/errbound.h) or another
 * stated allowance; containment is decided exactly, in Arb
 * (proofs-checks/crosscheck.h). A histogram of log10(|value − mid| / (rad + err))
 * shows how much of the allowance the values use.
 *
 * Output. One JSON object per case (jansson), written as one line.
 */
#ifndef PLSTAR_BENCH_HARNESS_H
#define PLSTAR_BENCH_HARNESS_H

#include <stddef.h>
#include <arb_mat.h>
#include <jansson.h>

double bench_now(void);

typedef struct {
    int warmup;          /* warm-up calls (0 or 1) */
    int min_reps, max_reps;
    double budget_s;     /* keep repeating while the timed total is below this */
    double long_s;       /* a warm-up call longer than this is timed instead */
} bench_policy;

#define BENCH_MAX_REPS 64

typedef struct {
    int warmup, reps;              /* calls actually made of each kind */
    double first_s;                /* the first call (warm-up or timed) */
    double median_s, min_s, max_s;
    double times[BENCH_MAX_REPS];
    long rss_peak_kib;             /* peak resident set during the case */
    int rss_exact;                 /* 1: reset for this case; 0: process maximum so far */
} bench_timing;

typedef int (*bench_fn)(void *ctx);

/* Times fn(ctx) under the policy. A non-zero return of fn stops and is returned. */
int bench_time(bench_timing *t, const bench_policy *p, bench_fn fn, void *ctx);

/* Median, min, max of x[0..n) (n ≥ 1); x is not modified. */
void bench_stats(double *median, double *min, double *max, const double *x, size_t n);

/* Peak-RSS measurement of one case: reset, then read (KiB). */
void bench_rss_reset(void);
long bench_rss_peak_kib(int *exact);

typedef struct {
    size_t size;                   /* SIZE of the SIZE³ products */
    int reps;
    double median_s, min_s, max_s;
    double gflops, gflops_min, gflops_max; /* at the median, slowest and fastest call */
    int threads;                   /* OpenBLAS threads */
} bench_peak;

/* Measures the DGEMM rate (row-major, no transposes, entries in [−½, ½)). */
int bench_dgemm_peak(bench_peak *pk, size_t size, int reps);
json_t *bench_peak_json(const bench_peak *pk);

/* log10(|value − mid| / (rad + err)) histogram: bins of BENCH_HIST_STEP from BENCH_HIST_LO. */
#define BENCH_HIST_LO (-20.0)
#define BENCH_HIST_STEP 0.5
#define BENCH_HIST_BINS 48

typedef struct {
    size_t count, violations;      /* violations: |value − mid| > rad + err, decided exactly */
    size_t exact;                  /* |value − mid| = 0 (not in the histogram) */
    double max_abs_diff;           /* max |value − mid| */
    double max_diff_over_rad;      /* max |value − mid| / rad (rad = 0 counts as the smallest subnormal) */
    double worst_ratio;            /* max |value − mid| / (rad + err) */
    double max_rad, max_err;
    size_t below, above;           /* outside the histogram's range */
    size_t hist[BENCH_HIST_BINS];
} bench_agreement;

/* Compares value[0..count) (row-major) with the enclosures of ref; err may be
 * NULL (no allowance beyond rad). */
int bench_agree(bench_agreement *a, const double *value, const double *err, const arb_mat_t ref, size_t count);

/* The agreement as JSON: the quantity compared, what it was measured against and what the allowance is. */
json_t *bench_agreement_json(const bench_agreement *a, const char *quantity, const char *against,
                             const char *allowance);

/* JSON helpers: a real (null when not finite), a case line, and its timing fields. */
json_t *bench_real(double x);
json_t *bench_case(const char *suite, const char *name, const char *impl);
/* Adds reps, warmup, median_s, min_s, max_s, first_s, flops (flops ≤ 0: null), gflops, peak_gflops,
 * peak_share, peak_time_s, rss_peak_kib; flops_model names the operation count. */
void bench_case_timing(json_t *c, const bench_timing *t, double flops, const char *flops_model, double peak_gflops);

/* One compact line (no trailing newline), keys in insertion order; malloc'd. */
char *bench_json_line(const json_t *j);

/* Runs argv (argv[0] looked up in PATH) with stdout captured into *out (malloc'd, NUL-terminated),
 * stderr appended to stderr_path (NULL: inherited). Returns the exit status, 128 + signal, or −1
 * when it could not be started; *rss_kib gets the child's peak RSS when not NULL. */
int bench_spawn(char *const argv[], char **out, long *rss_kib, const char *stderr_path);

/* The machine: nproc, CPU model, memory, OpenBLAS configuration and threads, OpenMP threads, kernel. */
json_t *bench_machine(void);

/* Short git revision of the tree at root ("unknown" when git or the repository is absent); *dirty
 * is set to 1 when tracked files differ from HEAD. malloc'd. */
char *bench_git_rev(const char *root, int *dirty);

/* "YYYYmmddTHHMMSSZ" of now (UTC). */
void bench_utc_stamp(char buf[32], int iso);

#endif

/* bench/harness.c — timing, memory, DGEMM roof, agreement statistics, JSON lines (see harness.h). */
#include "bench/harness.h"
#include "core/error.h"
#include "proofs-checks/crosscheck.h"
#include "reference/network.h"

#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_stats(double *median, double *min, double *max, const double *x, size_t n)
{
    double s[BENCH_MAX_REPS];
    if (n > BENCH_MAX_REPS)
        n = BENCH_MAX_REPS;
    memcpy(s, x, n * sizeof(double));
    qsort(s, n, sizeof(double), cmp_double);
    *min = s[0];
    *max = s[n - 1];
    *median = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* ---- peak RSS ------------------------------------------------------------ */

static int rss_resettable = -1; /* unknown, 0, 1 */

void bench_rss_reset(void)
{
    /* the heap a previous case freed would count as resident: give it back first */
    malloc_trim(0);
    if (rss_resettable == 0)
        return;
    int fd = open("/proc/self/clear_refs", O_WRONLY);
    int ok = fd >= 0 && write(fd, "5", 1) == 1;
    if (fd >= 0)
        close(fd);
    rss_resettable = ok;
}

long bench_rss_peak_kib(int *exact)
{
    long kib = -1;
    if (rss_resettable == 1) {
        FILE *f = fopen("/proc/self/status", "r");
        char line[256];
        while (f && fgets(line, sizeof line, f))
            if (!strncmp(line, "VmHWM:", 6)) {
                kib = strtol(line + 6, NULL, 10);
                break;
            }
        if (f)
            fclose(f);
    }
    if (exact)
        *exact = kib >= 0;
    if (kib < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kib = ru.ru_maxrss;
    }
    return kib;
}

/* ---- timing -------------------------------------------------------------- */

int bench_time(bench_timing *t, const bench_policy *p, bench_fn fn, void *ctx)
{
    memset(t, 0, sizeof *t);
    bench_rss_reset();
    int max_reps = p->max_reps < 1 ? 1 : p->max_reps > BENCH_MAX_REPS ? BENCH_MAX_REPS : p->max_reps;
    int min_reps = p->min_reps < 1 ? 1 : p->min_reps > max_reps ? max_reps : p->min_reps;
    double total = 0.0;
    if (p->warmup > 0) {
        double t0 = bench_now();
        int st = fn(ctx);
        double dt = bench_now() - t0;
        if (st)
            return st;
        t->first_s = dt;
        if (dt > p->long_s) /* too long to throw away: it is the first timed call */
            t->times[t->reps++] = dt, total += dt;
        else
            t->warmup = 1;
    }
    while (t->reps < max_reps && !(t->reps >= min_reps && total >= p->budget_s)) {
        double t0 = bench_now();
        int st = fn(ctx);
        double dt = bench_now() - t0;
        if (st)
            return st;
        if (!t->warmup && t->reps == 0)
            t->first_s = dt;
        t->times[t->reps++] = dt;
        total += dt;
    }
    bench_stats(&t->median_s, &t->min_s, &t->max_s, t->times, (size_t)t->reps);
    t->rss_peak_kib = bench_rss_peak_kib(&t->rss_exact);
    return 0;
}

/* ---- DGEMM roof ---------------------------------------------------------- */

int bench_dgemm_peak(bench_peak *pk, size_t n, int reps)
{
    memset(pk, 0, sizeof *pk);
    if (reps < 1)
        reps = 1;
    if (reps > BENCH_MAX_REPS)
        reps = BENCH_MAX_REPS;
    double *A = malloc(n * n * sizeof(double)), *B = malloc(n * n * sizeof(double)),
           *C = malloc(n * n * sizeof(double));
    if (!A || !B || !C) {
        free(A), free(B), free(C);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the %zu^3 DGEMM", n);
    }
    for (size_t k = 0; k < n * n; k++) {
        A[k] = (double)(k % 97) / 97.0 - 0.5;
        B[k] = (double)(k % 89) / 89.0 - 0.5;
        C[k] = 0.0;
    }
    double times[BENCH_MAX_REPS];
    for (int r = -1; r < reps; r++) { /* r = −1: warm-up */
        double t0 = bench_now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, A, (int)n, B, (int)n,
                    0.0, C, (int)n);
        double dt = bench_now() - t0;
        if (r >= 0)
            times[r] = dt;
    }
    free(A), free(B), free(C);
    pk->size = n;
    pk->reps = reps;
    pk->threads = openblas_get_num_threads();
    bench_stats(&pk->median_s, &pk->min_s, &pk->max_s, times, (size_t)reps);
    double flops = 2.0 * (double)n * (double)n * (double)n;
    pk->gflops = flops / pk->median_s / 1e9;
    pk->gflops_min = flops / pk->max_s / 1e9;
    pk->gflops_max = flops / pk->min_s / 1e9;
    return PLSTAR_OK;
}

json_t *bench_peak_json(const bench_peak *pk)
{
    json_t *j = json_object();
    json_object_set_new(j, "size", json_integer((json_int_t)pk->size));
    json_object_set_new(j, "reps", json_integer(pk->reps));
    json_object_set_new(j, "threads", json_integer(pk->threads));
    json_object_set_new(j, "median_s", bench_real(pk->median_s));
    json_object_set_new(j, "min_s", bench_real(pk->min_s));
    json_object_set_new(j, "max_s", bench_real(pk->max_s));
    json_object_set_new(j, "gflops", bench_real(pk->gflops));
    json_object_set_new(j, "gflops_min", bench_real(pk->gflops_min));
    json_object_set_new(j, "gflops_max", bench_real(pk->gflops_max));
    return j;
}

/* ---- agreement ----------------------------------------------------------- */

int bench_agree(bench_agreement *a, const double *value, const double *err, const arb_mat_t ref, size_t count)
{
    memset(a, 0, sizeof *a);
    a->count = count;
    size_t len = count ? count : 1;
    double *mid = malloc(len * sizeof(double)), *rad = malloc(len * sizeof(double));
    double *zero = err ? NULL : calloc(len, sizeof(double));
    if (!mid || !rad || (!err && !zero)) {
        free(mid), free(rad), free(zero);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory comparing with the reference");
    }
    const double *e = err ? err : zero;
    crosscheck_quantity q;
    int st = plstar_crosscheck_compare(&q, "bench", value, e, ref, count); /* the exact containment test */
    if (st == PLSTAR_OK || st == PLSTAR_REFUTED) {
        st = PLSTAR_OK;
        a->violations = q.violations;
        plstar_ref_mat_to_doubles(mid, rad, ref);
        for (size_t k = 0; k < count; k++) {
            double d = fabs(value[k] - mid[k]), allow = rad[k] + e[k];
            if (!(d <= a->max_abs_diff))
                a->max_abs_diff = d;
            double dr = d / (rad[k] > 0 ? rad[k] : 0x1p-1074);
            if (!(dr <= a->max_diff_over_rad))
                a->max_diff_over_rad = dr;
            double ratio = d / (allow > 0 ? allow : 0x1p-1074);
            if (!(ratio <= a->worst_ratio))
                a->worst_ratio = ratio;
            a->max_rad = fmax(a->max_rad, rad[k]);
            a->max_err = fmax(a->max_err, e[k]);
            if (d == 0) {
                a->exact++;
                continue;
            }
            double b = (log10(ratio) - BENCH_HIST_LO) / BENCH_HIST_STEP;
            if (!(b >= 0))
                a->below++;
            else if (b >= BENCH_HIST_BINS)
                a->above++;
            else
                a->hist[(size_t)b]++;
        }
    }
    free(mid), free(rad), free(zero);
    return st;
}

json_t *bench_agreement_json(const bench_agreement *a, const char *quantity, const char *against,
                             const char *allowance)
{
    json_t *j = json_object();
    json_object_set_new(j, "quantity", json_string(quantity));
    json_object_set_new(j, "against", json_string(against));
    json_object_set_new(j, "allowance", json_string(allowance));
    json_object_set_new(j, "entries", json_integer((json_int_t)a->count));
    json_object_set_new(j, "max_abs_diff", bench_real(a->max_abs_diff));
    json_object_set_new(j, "max_diff_over_rad", bench_real(a->max_diff_over_rad));
    json_object_set_new(j, "containment", bench_real(a->count ? 1.0 - (double)a->violations / (double)a->count : 1.0));
    json_object_set_new(j, "violations", json_integer((json_int_t)a->violations));
    json_object_set_new(j, "worst_ratio", bench_real(a->worst_ratio));
    json_object_set_new(j, "max_rad", bench_real(a->max_rad));
    json_object_set_new(j, "max_err", bench_real(a->max_err));
    json_t *h = json_object(), *counts = json_array();
    json_object_set_new(h, "log10_lo", json_real(BENCH_HIST_LO));
    json_object_set_new(h, "step", json_real(BENCH_HIST_STEP));
    for (size_t b = 0; b < BENCH_HIST_BINS; b++)
        json_array_append_new(counts, json_integer((json_int_t)a->hist[b]));
    json_object_set_new(h, "counts", counts);
    json_object_set_new(h, "below", json_integer((json_int_t)a->below));
    json_object_set_new(h, "above", json_integer((json_int_t)a->above));
    json_object_set_new(h, "exact", json_integer((json_int_t)a->exact));
    json_object_set_new(j, "hist", h);
    return j;
}

/* ---- JSON ---------------------------------------------------------------- */

json_t *bench_real(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

json_t *bench_case(const char *suite, const char *name, const char *impl)
{
    json_t *j = json_object();
    json_object_set_new(j, "suite", json_string(suite));
    json_object_set_new(j, "case", json_string(name));
    json_object_set_new(j, "impl", json_string(impl));
    return j;
}

void bench_case_timing(json_t *c, const bench_timing *t, double flops, const char *flops_model, double peak_gflops)
{
    json_object_set_new(c, "reps", json_integer(t->reps));
    json_object_set_new(c, "warmup", json_integer(t->warmup));
    json_object_set_new(c, "median_s", bench_real(t->median_s));
    json_object_set_new(c, "min_s", bench_real(t->min_s));
    json_object_set_new(c, "max_s", bench_real(t->max_s));
    json_object_set_new(c, "first_s", bench_real(t->first_s));
    int have = flops > 0 && t->median_s > 0;
    double gflops = have ? flops / t->median_s / 1e9 : NAN;
    json_object_set_new(c, "flops", have ? json_real(flops) : json_null());
    json_object_set_new(c, "flops_model", have && flops_model ? json_string(flops_model) : json_null());
    json_object_set_new(c, "gflops", bench_real(gflops));
    json_object_set_new(c, "peak_gflops", bench_real(peak_gflops));
    json_object_set_new(c, "peak_share", bench_real(have && peak_gflops > 0 ? gflops / peak_gflops : NAN));
    json_object_set_new(c, "peak_time_s", bench_real(have && peak_gflops > 0 ? flops / (peak_gflops * 1e9) : NAN));
    json_object_set_new(c, "rss_peak_kib", t->rss_peak_kib > 0 ? json_integer(t->rss_peak_kib) : json_null());
    if (!t->rss_exact)
        json_object_set_new(c, "rss_note", json_string("process maximum so far (VmHWM reset refused)"));
}

char *bench_json_line(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
}

/* ---- subprocesses -------------------------------------------------------- */

int bench_spawn(char *const argv[], char **out, long *rss_kib, const char *stderr_path)
{
    *out = NULL;
    if (rss_kib)
        *rss_kib = -1;
    int fds[2];
    if (pipe(fds))
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]), close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]), close(fds[1]);
        int dn = open("/dev/null", O_RDONLY);
        if (dn >= 0)
            dup2(dn, STDIN_FILENO), close(dn);
        if (stderr_path) {
            int fe = open(stderr_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fe >= 0)
                dup2(fe, STDERR_FILENO), close(fe);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf && len + 1024 > cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
        char sink[1024];
        ssize_t k = read(fds[0], buf ? buf + len : sink, 1023);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        if (buf)
            len += (size_t)k;
    }
    close(fds[0]);
    int status = 0;
    struct rusage ru;
    pid_t w;
    while ((w = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
        ;
    if (buf)
        buf[len] = 0;
    *out = buf;
    if (w < 0)
        return -1;
    if (rss_kib)
        *rss_kib = ru.ru_maxrss;
    if (WIFEXITED(status))
        return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* ---- the machine --------------------------------------------------------- */

static char *proc_field(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    char line[512];
    char *val = NULL;
    size_t klen = strlen(key);
    while (f && !val && fgets(line, sizeof line, f))
        if (!strncmp(line, key, klen)) {
            char *p = strchr(line + klen, ':');
            if (!p)
                continue;
            p++;
            while (*p == ' ' || *p == '\t')
                p++;
            p[strcspn(p, "\n")] = 0;
            val = strdup(p);
        }
    if (f)
        fclose(f);
    return val;
}

json_t *bench_machine(void)
{
    json_t *m = json_object();
    json_object_set_new(m, "nproc", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
    char *cpu = proc_field("/proc/cpuinfo", "model name");
    json_object_set_new(m, "cpu", cpu ? json_string(cpu) : json_null());
    free(cpu);
    char *flags = proc_field("/proc/cpuinfo", "flags");
    if (flags) { /* the vector extensions that set the DGEMM roof */
        json_t *simd = json_array();
        static const char *const names[] = {"avx", "avx2", "fma", "avx512f"};
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            char pat[32];
            snprintf(pat, sizeof pat, " %s ", names[k]);
            size_t fl = strlen(flags);
            char *padded = malloc(fl + 3);
            if (padded) {
                snprintf(padded, fl + 3, " %s ", flags);
                if (strstr(padded, pat))
                    json_array_append_new(simd, json_string(names[k]));
                free(padded);
            }
        }
        json_object_set_new(m, "simd", simd);
        free(flags);
    }
    char *mem = proc_field("/proc/meminfo", "MemTotal");
    json_object_set_new(m, "mem_total_kib", mem ? json_integer(strtoll(mem, NULL, 10)) : json_null());
    free(mem);
    const char *cfg = openblas_get_config();
    json_object_set_new(m, "openblas_config", json_string(cfg ? cfg : "unknown"));
    const char *core = openblas_get_corename();
    json_object_set_new(m, "openblas_core", json_string(core ? core : "unknown"));
    json_object_set_new(m, "openblas_threads", json_integer(openblas_get_num_threads()));
    json_object_set_new(m, "omp_threads", json_integer(omp_get_max_threads()));
    struct utsname u;
    if (!uname(&u)) {
        char k[400];
        snprintf(k, sizeof k, "%s %s %s", u.sysname, u.release, u.machine);
        json_object_set_new(m, "kernel", json_string(k));
    }
    double load[3];
    if (getloadavg(load, 3) == 3) {
        json_t *l = json_array();
        for (int k = 0; k < 3; k++)
            json_array_append_new(l, json_real(load[k]));
        json_object_set_new(m, "loadavg_start", l);
    }
    return m;
}

char *bench_git_rev(const char *root, int *dirty)
{
    *dirty = 0;
    char rev[64] = "unknown";
    if (root) {
        char *argv[] = {"git", "-C", (char *)root, "rev-parse", "--short", "HEAD", NULL}, *out = NULL;
        if (bench_spawn(argv, &out, NULL, "/dev/null") == 0 && out) {
            out[strcspn(out, "\n")] = 0;
            if (*out && strlen(out) < sizeof rev)
                snprintf(rev, sizeof rev, "%s", out);
        }
        free(out);
        if (strcmp(rev, "unknown")) {
            char *argv2[] = {"git", "-C", (char *)root, "status", "--porcelain", "--untracked-files=no", NULL};
            out = NULL;
            if (bench_spawn(argv2, &out, NULL, "/dev/null") == 0 && out && *out)
                *dirty = 1;
            free(out);
        }
    }
    return strdup(rev);
}

void bench_utc_stamp(char buf[32], int iso)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, 32, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y%m%dT%H%M%SZ", &tm);
}

/*
 * bench/bench_ntk.c — timings for the structured kernel and the trainer
 * (bench/bench_ntk.sh runs it next to the PyTorch peers).
 *
 *   bench_ntk dgemm SIZE [REPS]                      DGEMM rate on SIZE³ (GFLOP/s, 2·SIZE³ flops)
 *   bench_ntk kernel M.json X.npy W.npy [REPS]       plstar_fast_kernel_structured: seconds, flops, GFLOP/s
 * (W.npy may be seed:S, the seeded initialisation of core/model.h)
 *   bench_ntk gd M.json X.npy W.npy Y.npy STEPS      plstar_fast_train GD: seconds per step
 *   bench_ntk process REPS COMMAND [ARGS...]         wall time of a whole process (fork, exec,
 *                                                    load, run, exit; stdout discarded): best, median
 *
 * Each prints one JSON line. The thread counts are those of OpenBLAS and
 * OpenMP (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS).
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plstar.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int dgemm_rate(size_t n, int reps)
{
    double *A = malloc(n * n * sizeof(double)), *B = malloc(n * n * sizeof(double)), *C = malloc(n * n * sizeof(double));
    if (!A || !B || !C)
        return 70;
    for (size_t k = 0; k < n * n; k++)
        A[k] = (double)(k % 97) / 97.0 - 0.5, B[k] = (double)(k % 89) / 89.0 - 0.5;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, A, (int)n, B, (int)n, 0.0, C,
                (int)n);
    double best = 1e300;
    for (int r = 0; r < reps; r++) {
        double t = now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, A, (int)n, B, (int)n, 0.0,
                    C, (int)n);
        t = now() - t;
        best = t < best ? t : best;
    }
    double flops = 2.0 * (double)n * (double)n * (double)n;
    printf("{\"bench\": \"dgemm\", \"size\": %zu, \"seconds\": %.6f, \"gflops\": %.2f}\n", n, best, flops / best / 1e9);
    free(A), free(B), free(C);
    return 0;
}

/* W is a .npy file or "seed:S" for the seeded initialisation. */
static int load(plstar_problem *p, const char *model, const char *X, const char *W, const char *Y)
{
    plstar_problem_init(p);
    int seeded = !strncmp(W, "seed:", 5);
    int st = plstar_problem_load(p, model, X, seeded ? NULL : W, seeded ? strtoul(W + 5, NULL, 10) : 0, Y);
    if (st)
        fprintf(stderr, "bench_ntk: %s\n", plstar_errmsg());
    return st;
}

static int kernel(const char *model, const char *X, const char *W, int reps)
{
    plstar_problem p;
    int st = load(&p, model, X, W, NULL);
    if (st)
        return st;
    size_t N = p.N;
    double *K = malloc(N * N * sizeof(double));
    double best = 1e300;
    for (int r = 0; r < reps && !st; r++) {
        double t = now();
        st = plstar_fast_kernel_structured(K, &p.model, p.X.data, p.n, p.w);
        t = now() - t;
        best = t < best ? t : best;
    }
    if (st) {
        fprintf(stderr, "bench_ntk: %s\n", plstar_errmsg());
    } else {
        double flops = plstar_fast_kernel_structured_flops(&p.model, p.n);
        printf("{\"bench\": \"kernel_structured\", \"n\": %zu, \"parameters\": %zu, \"seconds\": %.6f, "
               "\"flops\": %.6g, \"gflops\": %.2f}\n", p.n, p.model.nparams, best, flops, flops / best / 1e9);
    }
    free(K);
    plstar_problem_clear(&p);
    return st;
}

static int gd(const char *model, const char *X, const char *W, const char *Y, size_t steps)
{
    plstar_problem p;
    int st = load(&p, model, X, W, Y);
    if (st)
        return st;
    fast_train_options o;
    plstar_fast_train_options_init(&o);
    o.lr = 1e-3, o.steps = steps, o.record_every = steps;
    fast_trajectory tr;
    plstar_fast_trajectory_init(&tr);
    double t = now();
    st = plstar_fast_train(&tr, p.w, &p.model, p.X.data, p.n, p.y.data, &o);
    t = now() - t;
    if (st)
        fprintf(stderr, "bench_ntk: %s\n", plstar_errmsg());
    else /* steps + 1 loss/gradient evaluations: the last one records w_T */
        printf("{\"bench\": \"gd_step\", \"n\": %zu, \"parameters\": %zu, \"steps\": %zu, \"seconds_per_step\": %.6f, "
               "\"final_loss\": %.17g}\n", p.n, p.model.nparams, steps, t / (double)(steps + 1), tr.data[tr.cols + 1]);
    plstar_fast_trajectory_clear(&tr);
    plstar_problem_clear(&p);
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs argv[0..] reps times, timing fork to reaped exit. */
static int process_time(int reps, char **cmd)
{
    if (reps < 1 || reps > 1000)
        return 64;
    double t[1000];
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        pid_t pid = fork();
        if (pid < 0) {
            perror("bench_ntk: fork");
            return 71;
        }
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, STDOUT_FILENO);
            execvp(cmd[0], cmd);
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "bench_ntk: %s failed\n", cmd[0]);
            return 70;
        }
        t[r] = now() - t0;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_double);
    printf("{\"bench\": \"process\", \"command\": \"%s\", \"runs\": %d, \"seconds\": %.6f, \"median\": %.6f}\n",
           cmd[0], reps, t[0], t[reps / 2]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "process"))
        return process_time(atoi(argv[2]), argv + 3);
    if (argc >= 3 && !strcmp(argv[1], "dgemm"))
        return dgemm_rate(strtoul(argv[2], NULL, 10), argc > 3 ? atoi(argv[3]) : 3);
    if (argc >= 5 && !strcmp(argv[1], "kernel"))
        return kernel(argv[2], argv[3], argv[4], argc > 5 ? atoi(argv[5]) : 3);
    if (argc >= 7 && !strcmp(argv[1], "gd"))
        return gd(argv[2], argv[3], argv[4], argv[5], strtoul(argv[6], NULL, 10));
    fputs("usage: bench_ntk dgemm SIZE [REPS] | kernel M.json X.npy W.npy [REPS] | gd M.json X.npy W.npy Y.npy STEPS"
          " | process REPS COMMAND [ARGS...]\n",
          stderr);
    return 64;
}

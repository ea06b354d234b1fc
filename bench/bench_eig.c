/*
 * bench/bench_eig.c — cost of certified spectral bounds (fast/eig.h,
 * reference/eig.h) against LAPACK, on random Gram kernels K = G Gᵀ / P with
 * G Gaussian n × P, P = 2n.
 *
 *   bench_eig [--quick] [--seed S]
 *
 * Cases (one JSON line each: case, impl, n, median_s, ratio, ...):
 *   lapack_dsyevd_N      LAPACKE_dsyevd, eigenvalues only (the yardstick), n = 1024, 2048, 4096
 *   lambda_min_verified  plstar_verified_lambda_min (lower bound on λ_min); ratio = time / dsyevd
 *   eig_bounds_verified  plstar_verified_eig_bounds (both intervals);       ratio = time / dsyevd
 *   plstar_ref_eig_bounds       plstar_ref_eig_bounds at 128 bits, n = 256, 1024;        ratio = time / dsyevd
 * Timings are medians of 3 runs in this process (1 run for the reference at
 * n = 1024). "width_rel" is the interval width over ‖K‖₂. --quick stops at
 * n = 1024 for the fast cases and n = 256 for the reference.
 *
 * Not built by meson; for example:
 *   cc -O2 -std=gnu11 -D_GNU_SOURCE -I. bench/bench_eig.c fast/eig.c reference/eig.c core/error.c \
 *      -lflint-arb -lflint -lgmp -llapacke -lopenblas -lm -o bench_eig
 */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "verified/eig.h"
#include "reference/eig.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double median3(double a, double b, double c)
{
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    if (b > c)
        b = c;
    return a > b ? a : b;
}

static unsigned long long rng_state;

static double gauss(void)
{
    double u[2];
    for (int k = 0; k < 2; k++) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        u[k] = ((double)(rng_state >> 11) + 0.5) * 0x1p-53;
    }
    return sqrt(-2.0 * log(u[0])) * cos(2.0 * M_PI * u[1]);
}

static double *random_kernel(size_t n)
{
    size_t P = 2 * n;
    double *G = malloc(n * P * sizeof(double)), *K = malloc(n * n * sizeof(double));
    if (!G || !K) {
        free(G);
        free(K);
        return NULL;
    }
    for (size_t k = 0; k < n * P; k++)
        G[k] = gauss();
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)n, (int)P, 1.0 / (double)P, G, (int)P, 0.0, K, (int)n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            K[j * n + i] = K[i * n + j];
    free(G);
    return K;
}

/* one dsyevd (eigenvalues only), copy included */
static double time_dsyevd(const double *K, size_t n, double *W, double *w)
{
    double t = now();
    memcpy(W, K, n * n * sizeof(double));
    lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'U', (lapack_int)n, W, (lapack_int)n, w);
    t = now() - t;
    if (info != 0)
        fprintf(stderr, "bench_eig: dsyevd failed (%d)\n", (int)info);
    return t;
}

int main(int argc, char **argv)
{
    int quick = 0;
    unsigned long long seed = 1;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--quick"))
            quick = 1;
        else if (!strcmp(argv[k], "--seed") && k + 1 < argc)
            seed = strtoull(argv[++k], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_eig [--quick] [--seed S]\n");
            return 64;
        }
    }
    const size_t fast_sizes[] = {1024, 2048, 4096}, ref_sizes[] = {256, 1024};
    const int nfast = quick ? 1 : 3, nref = quick ? 1 : 2;

    for (int c = 0; c < nfast; c++) {
        size_t n = fast_sizes[c];
        rng_state = 0x9E3779B97F4A7C15ull ^ (seed * 1000003ull + n);
        double *K = random_kernel(n), *W = malloc(n * n * sizeof(double)), *w = malloc(n * sizeof(double));
        if (!K || !W || !w)
            return 70;
        time_dsyevd(K, n, W, w); /* warm-up: threads, page faults */
        double td[3], tl[3], tb[3], lo = 0.0, lmin[2], lmax[2];
        for (int r = 0; r < 3; r++) {
            td[r] = time_dsyevd(K, n, W, w);
            double t = now();
            int st = plstar_verified_lambda_min(&lo, K, n, 0.0, NAN);
            tl[r] = now() - t;
            if (st)
                fprintf(stderr, "bench_eig: %s\n", plstar_errmsg());
            t = now();
            st = plstar_verified_eig_bounds(lmin, lmax, K, n, 0.0);
            tb[r] = now() - t;
            if (st)
                fprintf(stderr, "bench_eig: %s\n", plstar_errmsg());
        }
        double d = median3(td[0], td[1], td[2]), l = median3(tl[0], tl[1], tl[2]), b = median3(tb[0], tb[1], tb[2]);
        double nrm = lmax[1];
        printf("{\"case\": \"lapack_dsyevd_N\", \"impl\": \"lapack\", \"n\": %zu, \"median_s\": %.6f, \"ratio\": 1.0, "
               "\"lambda_min\": %.17g, \"lambda_max\": %.17g}\n",
               n, d, w[0], w[n - 1]);
        printf("{\"case\": \"lambda_min_verified\", \"impl\": \"fast\", \"n\": %zu, \"median_s\": %.6f, \"ratio\": %.3f, "
               "\"lower\": %.17g, \"gap_rel\": %.3e}\n",
               n, l, l / d, lo, (w[0] - lo) / nrm);
        printf("{\"case\": \"eig_bounds_verified\", \"impl\": \"fast\", \"n\": %zu, \"median_s\": %.6f, \"ratio\": %.3f, "
               "\"width_rel_min\": %.3e, \"width_rel_max\": %.3e}\n",
               n, b, b / d, (lmin[1] - lmin[0]) / nrm, (lmax[1] - lmax[0]) / nrm);
        fflush(stdout);
        free(K);
        free(W);
        free(w);
    }

    for (int c = 0; c < nref; c++) {
        size_t n = ref_sizes[c];
        int reps = n <= 256 ? 3 : 1;
        rng_state = 0x9E3779B97F4A7C15ull ^ (seed * 1000003ull + n);
        double *K = random_kernel(n), *W = malloc(n * n * sizeof(double)), *w = malloc(n * sizeof(double));
        if (!K || !W || !w)
            return 70;
        arb_mat_t A;
        arb_t a, b;
        arb_mat_init(A, (slong)n, (slong)n);
        arb_init(a);
        arb_init(b);
        for (size_t k = 0; k < n * n; k++)
            arb_set_d(A->entries + k, K[k]);
        time_dsyevd(K, n, W, w);
        double td[3], tr[3];
        for (int r = 0; r < 3; r++)
            td[r] = time_dsyevd(K, n, W, w);
        for (int r = 0; r < reps; r++) {
            double t = now();
            int st = plstar_ref_eig_bounds(a, b, A, 128);
            tr[r] = now() - t;
            if (st)
                fprintf(stderr, "bench_eig: %s\n", plstar_errmsg());
        }
        double d = median3(td[0], td[1], td[2]);
        double t = reps == 3 ? median3(tr[0], tr[1], tr[2]) : tr[0];
        double nrm = arf_get_d(arb_midref(b), ARF_RND_UP);
        printf("{\"case\": \"plstar_ref_eig_bounds\", \"impl\": \"reference\", \"n\": %zu, \"prec\": 128, \"runs\": %d, "
               "\"median_s\": %.6f, \"ratio\": %.1f, \"width_rel_min\": %.3e, \"width_rel_max\": %.3e}\n",
               n, reps, t, t / d, 2.0 * mag_get_d(arb_radref(a)) / nrm, 2.0 * mag_get_d(arb_radref(b)) / nrm);
        fflush(stdout);
        arb_mat_clear(A);
        arb_clear(a);
        arb_clear(b);
        free(K);
        free(W);
        free(w);
    }
    flint_cleanup();
    return 0;
}

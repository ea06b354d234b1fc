/*
 * kernel_lambda_min.c — a program built against the installed library only:
 *   cc kernel_lambda_min.c $(pkg-config --cflags --libs plstar)
 * It loads a model and data set, draws w0 from a seed, computes the tangent kernel
 * K(w0) with BLAS, bounds its rounding error, and prints a verified lower bound on
 * λ_min(K(w0)). It compiles as C and as C++.
 *   kernel_lambda_min MODEL.json X.npy SEED
 */
#include <plstar/plstar.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: kernel_lambda_min MODEL.json X.npy SEED\n");
        return PLSTAR_EUSAGE;
    }
    plstar_problem p;
    plstar_problem_init(&p);
    int st = plstar_problem_load(&p, argv[1], argv[2], NULL, strtoul(argv[3], NULL, 10), NULL);
    if (st != PLSTAR_OK) {
        fprintf(stderr, "kernel_lambda_min: %s\n", plstar_errmsg());
        return st;
    }
    size_t N = p.N;
    double *K = (double *)malloc(N * N * sizeof *K), *eK = (double *)malloc(N * N * sizeof *eK);
    double rad = 0.0, lower = 0.0;
    if (!K || !eK)
        st = PLSTAR_ESOFTWARE;
    if (st == PLSTAR_OK)
        st = plstar_fast_kernel_structured(K, &p.model, p.X.data, p.n, p.w);
    if (st == PLSTAR_OK)
        st = plstar_fast_errbound_kernel_structured(eK, &p.model, p.X.data, p.n, p.w);
    for (size_t k = 0; st == PLSTAR_OK && k < N * N; k++)
        rad = eK[k] > rad ? eK[k] : rad; /* |K̂ − K| ≤ rad entrywise */
    if (st == PLSTAR_OK)
        st = plstar_verified_lambda_min(&lower, K, N, rad, NAN);
    if (st == PLSTAR_OK)
        printf("N = %zu, K[0][0] = %.17g, |error| <= %.3g, lambda_min(K) >= %.17g\n", N, K[0], rad, lower);
    else
        fprintf(stderr, "kernel_lambda_min: %s\n", plstar_errmsg());
    free(K);
    free(eK);
    plstar_problem_clear(&p);
    return st;
}

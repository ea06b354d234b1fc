/*
 * fast/eig.c — LAPACK's extreme eigenvalues (fast/eig.h).
 */
#include "fast/eig.h"
#include "core/error.h"
#include "verified/eig.h"

#include <lapacke.h>

#include <stdlib.h>
#include <string.h>

int plstar_fast_eig_lapack(double *lambda_min, double *lambda_max, const double *A, size_t n)
{
    if (!lambda_min || !lambda_max)
        return plstar_error(PLSTAR_EUSAGE, "plstar_fast_eig_lapack: NULL output");
    int st = plstar_verified_matrix_check(A, n, 0.0, "plstar_fast_eig_lapack"); /* LAPACK scales internally */
    if (st)
        return st;
    size_t nn;
    if (!plstar_size_mul(&nn, n, n, sizeof(double)))
        return plstar_error(PLSTAR_ESOFTWARE, "plstar_fast_eig_lapack: order %zu is too large", n);
    double *M = plstar_malloc(nn, "eigenvalue workspace");
    double *w = plstar_malloc(n * sizeof(double), "eigenvalues");
    if (!M || !w) {
        free(M);
        free(w);
        return PLSTAR_ESOFTWARE;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(M + i * n, A + i * n, (i + 1) * sizeof(double));
    lapack_int info =
        LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'U', (lapack_int)n, M, (lapack_int)n, w);
    if (info == 0) {
        *lambda_min = w[0];
        *lambda_max = w[n - 1];
    }
    free(M);
    free(w);
    if (info != 0)
        return plstar_error(PLSTAR_EDATA, "plstar_fast_eig_lapack: dsyevd failed (info %d)", (int)info);
    return PLSTAR_OK;
}

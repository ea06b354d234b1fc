/*
 * fast/eig.h — LAPACK's eigenvalues of a symmetric matrix, uncertified, for comparisons with the verified bounds
 * of verified/eig.h and the Arb enclosures of reference/eig.h.
 */
#ifndef PLSTAR_FAST_EIG_H
#define PLSTAR_FAST_EIG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* λ_min and λ_max of A (row-major, its lower triangle read) by LAPACK dsyevd (eigenvalues only). Not certified.
 * PLSTAR_OK, PLSTAR_EUSAGE (bad arguments), PLSTAR_EDATA (NaN/Inf, or LAPACK failure), PLSTAR_ESOFTWARE (out of
 * memory, or a rounding mode other than round-to-nearest). */
int plstar_fast_eig_lapack(double *lambda_min, double *lambda_max, const double *A, size_t n);

#ifdef __cplusplus
}
#endif

#endif

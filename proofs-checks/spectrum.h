/*
 * proofs-checks/spectrum.h — certified bounds on the spectrum of a symmetric matrix given as
 * numbers (docs/theory.md §7; `plstar eig`): λ_min and λ_max by verified/eig.h (floating point with
 * a proven error bound) or reference/eig.h (ball arithmetic), and κ = λ_max/λ_min.
 *
 * With entrywise radii R (K.rad.npy beside K.npy, the reference output convention) the bounds
 * hold for every symmetric X with |X_ij − K_ij| ≤ R_ij: the reference takes the balls K_ij ± R_ij
 * as they are, the fast path the largest radius for every entry.
 */
#ifndef PLSTAR_PROOFS_SPECTRUM_H
#define PLSTAR_PROOFS_SPECTRUM_H

#include <flint/flint.h>
#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    size_t n;
    int reference;                       /* 1: reference/eig.h at prec bits; 0: verified/eig.h (binary64) */
    slong prec;
    double lambda_min[2], lambda_max[2]; /* lower, upper; −∞ / +∞ where no finite bound was proven */
    int have_kappa;                      /* λ_min is proven positive, so κ is bounded */
    double kappa[2];                     /* lower, upper bound of κ = λ_max/λ_min */
} spectrum_result;

/* Is there a symmetric matrix in the balls K ± R (n × n, row-major; R NULL: K itself)? The exact
 * test |K_ij − K_ji| ≤ R_ij + R_ji (the two intervals meet). 1 if so; otherwise 0 and the first
 * pair that fails, *bi > *bj. */
int plstar_spectrum_symmetric_within(const double *K, const double *R, size_t n, size_t *bi, size_t *bj);

/* κ = λ_max/λ_min from the bounds (lower, upper) of both, rounded outwards (and κ ≥ 1), when
 * λ_min is proven positive: 1; otherwise 0. */
int plstar_spectrum_kappa_bounds(double kappa[2], const double lmin[2], const double lmax[2]);

/* λ_min, λ_max and κ of every symmetric X in K ± R (R NULL: K itself; every entry finite, the
 * balls symmetric: plstar_spectrum_symmetric_within). Returns PLSTAR_OK when all four bounds are finite
 * doubles, PLSTAR_INCONCLUSIVE when a side is unbounded (the others still hold), or an error.
 * The verdict is taken on the doubles reported: a ball finite in Arb can exceed the double range. */
int plstar_check_spectrum(spectrum_result *res, const double *K, const double *R, size_t n, int reference, slong prec);

/* The report of a result for the matrix file `matrix` (K as read) and the radii file `radii`
 * (NULL: there was none); verdict as plstar_check_spectrum returned it. */
json_t *plstar_spectrum_report(const spectrum_result *res, const double *K, const char *matrix, const char *radii,
                               int verdict);

#ifdef __cplusplus
}
#endif

#endif

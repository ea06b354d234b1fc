/*
 * verified/rounding.h — directed bounds from round-to-nearest binary64 arithmetic, the one place where the
 * project's floating-point error bounds get their elementary steps (not installed: an implementation detail).
 *
 * For a correctly rounded result r of an exact real x, round_dn(r) ≤ x ≤ round_up(r): no rounding-mode switch is
 * needed, so the bounds are immune to compilers moving code across fesetround and to BLAS threads that do not share
 * the caller's mode. γ_k = k·u/(1 − k·u) is Higham's constant (Accuracy and Stability of Numerical Algorithms, 2nd
 * ed., Lemma 3.1): a product or sum of k roundings with unit roundoff u has relative error at most γ_k.
 */
#ifndef PLSTAR_VERIFIED_ROUNDING_H
#define PLSTAR_VERIFIED_ROUNDING_H

#include <math.h>
#include <stddef.h>

/* unit roundoff of binary64, round to nearest */
#define PLSTAR_U64 0x1p-53

static inline double round_up(double x) { return nextafter(x, INFINITY); }
static inline double round_dn(double x) { return nextafter(x, -INFINITY); }

/* An upper bound on γ_k for a unit roundoff u that is a power of two (k·u is then exact for k < 2^52). Its own
 * evaluation in binary64 has three roundings, which lose at most a factor (1 − u₆₄)²/(1 + u₆₄) > 1 − 3u₆₄; the
 * factor 1 + 4u₆₄ (exact) more than restores it. Beyond k·u = ½ no useful bound is left: +∞. */
static inline double gamma_up(double k, double u)
{
    double ku = k * u;
    return ku < 0.5 ? ku / (1.0 - ku) * (1.0 + 4 * PLSTAR_U64) : INFINITY;
}

/* An upper bound on a sum of k non-negative binary64 terms from its value s computed in round to nearest in any
 * order. |s − Σ| ≤ γ_{k−1} Σ gives Σ ≤ s/(1 − γ_{k−1}) = s(1 + a/(1 − 2a)) with a = (k − 1)u, which is at most
 * s(1 + 2(k − 1)u) while a ≤ 1/4 (k ≤ 2^51, beyond any array here); the factor 2(k + 8)u leaves 18u for this
 * formula's own three roundings, and the additive 2^-1000 covers underflow of the terms. */
static inline double sum_up(double s, size_t k)
{
    return s * (1.0 + 2.0 * (double)(k + 8) * PLSTAR_U64) + 0x1p-1000;
}

#endif

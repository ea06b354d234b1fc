/*
 * examples/demo_example.h — the embedded example used by `plstar demo`, the
 * README and the tests: a 2-hidden-layer tanh MLP (d = 3, widths [16, 16],
 * NTK scaling, no bias) on n = 8 inputs drawn uniformly on the unit sphere,
 * labels y_i = sin(3·x_i1), weights from --seed 1.
 */
#ifndef PLSTAR_EXAMPLES_DEMO_H
#define PLSTAR_EXAMPLES_DEMO_H

#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The embedded model description (JSON text). */
const char *plstar_demo_model_json(void);

#define DEMO_SAMPLES 8
#define DEMO_DATA_SEED 2022
#define DEMO_WEIGHT_SEED 1

/* Points on the unit sphere in R^d: Gaussian draws from a gsl_rng_mt19937
 * seeded with `seed`, each row normalised. */
void plstar_demo_sphere_data(double *X, size_t n, size_t d, unsigned long seed);

/* Fills p with the embedded example. */
int plstar_demo_example_problem(plstar_problem *p);

/* The embedded wide shallow network for the a-priori certificates (Theorems 2
 * and 6): d = 100, width 2^17, tanh, n = 6 points on the sphere, y = sin(3·x_1),
 * weights from seed 1. */
const char *plstar_demo_shallow_json(void);
#define DEMO_SHALLOW_SAMPLES 6
int plstar_demo_shallow_problem(plstar_problem *p);

#ifdef __cplusplus
}
#endif

#endif

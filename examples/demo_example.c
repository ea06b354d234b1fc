#include "examples/demo_example.h"
#include "core/error.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char model_json[] =
    "{\"model\": \"mlp\", \"input_dim\": 3, \"widths\": [16, 16], \"outputs\": 1, "
    "\"activation\": \"tanh\", \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}";

void plstar_demo_sphere_data(double *X, size_t n, size_t d, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (size_t i = 0; i < n; i++) {
        double norm = 0.0;
        for (size_t j = 0; j < d; j++) {
            X[i * d + j] = gsl_ran_gaussian(r, 1.0);
            norm += X[i * d + j] * X[i * d + j];
        }
        norm = sqrt(norm);
        for (size_t j = 0; j < d; j++)
            X[i * d + j] /= norm;
    }
    gsl_rng_free(r);
}

static const char shallow_json[] = "{\"model\": \"shallow\", \"input_dim\": 100, \"width\": 131072, \"activation\": \"tanh\"}";

/* Sphere data, labels sin(3·x_1), seeded weights. */
static int sphere_problem(plstar_problem *p, const char *json, size_t n)
{
    plstar_model m;
    plstar_model_init(&m);
    int st = plstar_model_parse_json(&m, json, "demo model");
    if (st)
        return st;
    size_t d = m.input_dim;
    double *X = malloc(n * d * sizeof(double)), *w = malloc(m.nparams * sizeof(double)), *y = malloc(n * sizeof(double));
    if (!X || !w || !y)
        st = plstar_error(PLSTAR_ESOFTWARE, "out of memory for the demo example");
    if (!st) {
        plstar_demo_sphere_data(X, n, d, DEMO_DATA_SEED);
        plstar_model_init_weights(w, &m, DEMO_WEIGHT_SEED);
        for (size_t i = 0; i < n; i++)
            y[i] = sin(3.0 * X[i * d]);
        st = plstar_problem_set(p, &m, X, n, w, y);
    }
    if (!st) { /* the provenance of the demo's reports */
        p->weights_from_seed = 1;
        p->seed = DEMO_WEIGHT_SEED;
        snprintf(p->origin, sizeof p->origin,
                 "in memory: the embedded example (examples/demo_example.c), points on the sphere from seed %d", DEMO_DATA_SEED);
    }
    free(X), free(w), free(y);
    plstar_model_clear(&m);
    return st;
}

int plstar_demo_example_problem(plstar_problem *p) { return sphere_problem(p, model_json, DEMO_SAMPLES); }

int plstar_demo_shallow_problem(plstar_problem *p) { return sphere_problem(p, shallow_json, DEMO_SHALLOW_SAMPLES); }

const char *plstar_demo_model_json(void) { return model_json; }

const char *plstar_demo_shallow_json(void) { return shallow_json; }

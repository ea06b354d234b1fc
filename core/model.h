/*
 * core/model.h — the model description (JSON), the flat parameter layout, the
 * seeded initialisation, and a problem = model + data (+ labels) + weights.
 *
 * Every model is a stack of dense layers (docs/theory.md §5, Eq. 17 and Eq. 42):
 *   z⁽ˡ⁾ = W⁽ˡ⁾ α⁽ˡ⁻¹⁾ / √s_l + b⁽ˡ⁾,   α⁽ˡ⁾ = σ_l(z⁽ˡ⁾),   α⁽⁰⁾ = x,  f = α⁽ᴸ⁺¹⁾
 * with W⁽ˡ⁾ of shape (out, in) stored row-major (PyTorch nn.Linear.weight), then
 * b⁽ˡ⁾ if the model has biases, layer after layer in the flat vector w.
 *   - "mlp" (Eq. 17): s_l = m_{l−1} under "ntk" scaling, s_l = 1 under "standard".
 *   - "shallow" (slides, Eq. 42): f(w;x) = (1/√m) Σ_j v_j σ(w_jᵀx): a trainable
 *     layer (m, d) with s = 1, then a fixed linear layer of signs v_j = (−1)^j
 *     (v_0 = +1, alternating) with s = m. Only the first layer is in w.
 *   - "linear": F(w) = A w, A the data matrix (n × P): one linear layer (1, P), s = 1.
 * An MLP's "activation" is one name for every hidden layer, or a list with one name per
 * entry of "widths" (layer l then uses σ_l; plstar_model_to_json writes the list only when the
 * layers differ, and m->activation is the first hidden layer's).
 * Every key that changes the function is required — mlp: input_dim, widths,
 * outputs, activation, output_activation, scaling, bias; shallow: input_dim,
 * width, activation — and a missing one is refused by name (PLSTAR_EDATA).
 * Only the linear model's input_dim may be left out: it is then the data's.
 *
 * Initialisation (--seed S), reproducible elsewhere: a GSL gsl_rng_mt19937
 * generator seeded with gsl_rng_set(r, S); for k = 0..P−1 in flat order,
 * w0[k] = std_k · gsl_ran_gaussian(r, 1.0) for weights, where std_k = 1 except
 * under "standard" scaling, where std_k = 1/√(fan_in); biases are 0 (no draw).
 */
#ifndef PLSTAR_CORE_MODEL_H
#define PLSTAR_CORE_MODEL_H

#include <stddef.h>
#include <jansson.h>
#include "core/activation.h"
#include "core/npy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MODEL_LINEAR = 0, MODEL_SHALLOW, MODEL_MLP } plstar_model_kind;
typedef enum { SCALING_NTK = 0, SCALING_STANDARD } plstar_scaling;

/* Largest dimension and parameter count accepted, so that a hostile model
 * description is refused before anything is allocated. */
#define PLSTAR_MAX_DIM ((size_t)1 << 26)
#define PLSTAR_MAX_LAYERS 64

/* The kind of a layer's linear map (layers/layer.h gives its operations); 0, the default, is dense. */
typedef enum { LAYER_DENSE = 0, LAYER_KIND_COUNT } plstar_layer_kind;

typedef struct {
    plstar_layer_kind kind;    /* what maps α_prev to z; the fields below describe a dense map */
    size_t in, out;            /* W is out × in, row-major */
    plstar_act act;
    size_t scale_div;          /* z = W α / √scale_div + b; 1 means unscaled */
    int trainable;             /* 0: weights are `fixed` and not in w */
    int has_bias;
    size_t w_offset, b_offset; /* positions in the flat parameter vector */
    double *fixed;             /* out × in, only when !trainable */
    double init_std;           /* std of the Gaussian initialisation of W */
} plstar_layer;

typedef struct {
    plstar_model_kind kind;
    size_t input_dim;          /* d (for "linear": P, taken from the data if absent) */
    size_t outputs;            /* c */
    size_t nlayers;
    plstar_layer *layers;
    size_t nparams;            /* P */
    plstar_scaling scaling;
    int bias;
    plstar_act activation, output_activation;
} plstar_model;

void plstar_model_init(plstar_model *m);
void plstar_model_clear(plstar_model *m);

/* Parses and validates a description; `name` (a file name) is used in messages.
 * A "linear" model without "input_dim" gets it from plstar_model_set_input_dim. */
int plstar_model_parse_json(plstar_model *m, const char *text, const char *name);
int plstar_model_read(plstar_model *m, const char *path);
int plstar_model_set_input_dim(plstar_model *m, size_t d);

/* The description as canonical JSON (malloc'd string). */
char *plstar_model_to_json(const plstar_model *m);

/* 1 if every hidden layer has the same activation (m->activation). */
int plstar_model_activations_uniform(const plstar_model *m);

/* The "activation" value of the description: that name, or the list of the hidden layers'
 * names when they differ (a new jansson reference). */
json_t *plstar_model_hidden_activations_json(const plstar_model *m);

/* Smallest hidden width (the "m" of the theory); input_dim for "linear". */
size_t plstar_model_width(const plstar_model *m);

/* 1 if every activation is C² (so Hessian bounds exist). */
int plstar_model_twice_differentiable(const plstar_model *m);

/* Writes w0 (nparams doubles) from the seed, as documented above. */
void plstar_model_init_weights(double *w, const plstar_model *m, unsigned long seed);

/* The inputs of a problem, in the order reports list them. */
typedef enum { PROBLEM_MODEL = 0, PROBLEM_DATA, PROBLEM_WEIGHTS, PROBLEM_LABELS, PROBLEM_NINPUTS } plstar_input_role;

/* "model", "data", "weights", "labels". */
const char *plstar_problem_input_name(plstar_input_role role);

/* Where one input came from, for the provenance of reports (core/report.h). */
typedef struct {
    char *path;                /* the file read (malloc'd); NULL when not read from a file */
    char sha256[65];           /* lowercase hex SHA-256 of the file as it was loaded */
} plstar_input_file;

/* A problem: model, inputs X (n × d), optional labels y (N = n·c), weights w (P). */
typedef struct {
    plstar_model model;
    plstar_array X;
    plstar_array y;            /* size 0 when no labels were given */
    double *w;
    size_t n, N;
    /* provenance: set by plstar_problem_load; plstar_problem_set leaves the files empty and
     * `origin` "in memory", which a caller may replace by what made the inputs */
    plstar_input_file files[PROBLEM_NINPUTS];
    int weights_from_seed;     /* w = plstar_model_init_weights(seed) */
    unsigned long seed;
    char origin[160];          /* "" for a problem read from files */
} plstar_problem;

void plstar_problem_init(plstar_problem *p);
void plstar_problem_clear(plstar_problem *p);

/* Loads and cross-validates the inputs: every shape mismatch, NaN or Inf is
 * PLSTAR_EDATA with a message naming the file. `weights_path` may be NULL, then
 * the weights come from `seed`; `labels_path` may be NULL. */
int plstar_problem_load(plstar_problem *p, const char *model_path, const char *data_path,
                        const char *weights_path, unsigned long seed, const char *labels_path);

/* Builds a problem from in-memory pieces (copies them). Its provenance says
 * "in memory" (origin); set weights_from_seed/seed when w came from a seed. */
int plstar_problem_set(plstar_problem *p, const plstar_model *m, const double *X, size_t n,
                       const double *w, const double *y);

/* One line naming the problem a command runs on, as resolved — every key of
 * the model description, defaults included —, its sizes and where the weights
 * came from: `model {...}; 8 samples, 8 equations, 320 parameters; weights
 * from seed 1` (malloc'd; NULL when out of memory). */
char *plstar_problem_describe(const plstar_problem *p);

/* 1 if every entry of a[0..len) is finite; else 0 and *where = first bad index. */
int plstar_array_all_finite(const double *a, size_t len, size_t *where);

#ifdef __cplusplus
}
#endif

#endif

#include "core/model.h"
#include "core/error.h"
#include "core/sha256.h"

#include <jansson.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

void plstar_model_init(plstar_model *m) { memset(m, 0, sizeof *m); }

void plstar_model_clear(plstar_model *m)
{
    for (size_t l = 0; l < m->nlayers; l++)
        free(m->layers[l].fixed);
    free(m->layers);
    plstar_model_init(m);
}

/* ---- parsing ---------------------------------------------------------- */

static int get_dim(size_t *out, json_t *root, const char *key, const char *name, int required)
{
    json_t *v = json_object_get(root, key);
    if (!v) {
        if (required)
            return plstar_error(PLSTAR_EDATA, "%s: missing \"%s\"", name, key);
        return PLSTAR_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1 || (json_int_t)json_integer_value(v) > (json_int_t)PLSTAR_MAX_DIM)
        return plstar_error(PLSTAR_EDATA, "%s: \"%s\" must be an integer in [1, %zu]", name, key, (size_t)PLSTAR_MAX_DIM);
    *out = (size_t)json_integer_value(v);
    return PLSTAR_OK;
}

/* `label` names the value in messages: a key, or "activation[2]". */
static int act_from_json(plstar_act *out, json_t *v, const char *label, const char *name)
{
    if (!json_is_string(v))
        return plstar_error(PLSTAR_EDATA, "%s: \"%s\" must be a string", name, label);
    const char *s = json_string_value(v);
    int a = plstar_act_from_name(s);
    if (a < 0)
        return plstar_error(PLSTAR_EDATA, "%s: unknown %s \"%s\" (known: %s)", name, label, s, plstar_act_known_names());
    *out = (plstar_act)a;
    return PLSTAR_OK;
}

static int get_act(plstar_act *out, json_t *root, const char *key, const char *name)
{
    return act_from_json(out, json_object_get(root, key), key, name);
}

static int check_keys(json_t *root, const char *const *allowed, const char *name)
{
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, key) == 0;
        if (!ok)
            return plstar_error(PLSTAR_EDATA, "%s: unknown key \"%s\" for model \"%s\"", name, key,
                                json_string_value(json_object_get(root, "model")));
    }
    return PLSTAR_OK;
}

/* Every key that changes the function a description denotes is required:
 * a default would silently certify another network (a bias-free,
 * standard-scaled PyTorch net read as an NTK-scaled one has the same parameter
 * count). `hints` gives the values each key may take, for the message. */
static int require_keys(json_t *root, const char *const *keys, const char *const *hints, const char *name)
{
    for (size_t k = 0; keys[k]; k++)
        if (!json_object_get(root, keys[k]))
            return plstar_error(PLSTAR_EDATA, "%s: missing \"%s\" (%s); model \"%s\" requires every key that changes "
                                "the function", name, keys[k], hints[k], json_string_value(json_object_get(root, "model")));
    return PLSTAR_OK;
}

#define ACTIVATIONS "linear, tanh, sigmoid, softplus, sin, erf, gelu, relu or leaky_relu"

/* An MLP's "activation": one name for every hidden layer, or a list of one name per hidden
 * layer (acts[0..hidden)). The shared name (or the first one) becomes m->activation. */
static int get_hidden_acts(plstar_model *m, plstar_act *acts, size_t hidden, json_t *root, const char *name)
{
    json_t *v = json_object_get(root, "activation");
    if (!json_is_array(v)) {
        int st = get_act(&m->activation, root, "activation", name);
        for (size_t l = 0; !st && l < hidden; l++)
            acts[l] = m->activation;
        return st;
    }
    if (json_array_size(v) != hidden)
        return plstar_error(PLSTAR_EDATA, "%s: \"activation\" lists %zu activations for %zu hidden layers (give one "
                            "name for all, or one per entry of \"widths\")", name, json_array_size(v), hidden);
    for (size_t l = 0; l < hidden; l++) {
        char label[40];
        snprintf(label, sizeof label, "activation[%zu]", l);
        int st = act_from_json(&acts[l], json_array_get(v, l), label, name);
        if (st)
            return st;
    }
    m->activation = hidden ? acts[0] : ACT_LINEAR;
    return PLSTAR_OK;
}

/* Fills layer geometry, offsets and the parameter count, refusing overflow. */
static int layout(plstar_model *m, const char *name)
{
    size_t off = 0;
    for (size_t l = 0; l < m->nlayers; l++) {
        plstar_layer *L = &m->layers[l];
        if (!L->trainable)
            continue;
        size_t wcount;
        if (!plstar_size_mul(&wcount, L->in, L->out, 1) || wcount > ((size_t)1 << 40))
            return plstar_error(PLSTAR_EDATA, "%s: layer %zu has too many weights (%zu x %zu)", name, l + 1, L->out, L->in);
        L->w_offset = off;
        off += wcount;
        L->b_offset = off;
        if (L->has_bias)
            off += L->out;
        if (off > ((size_t)1 << 40))
            return plstar_error(PLSTAR_EDATA, "%s: more than 2^40 parameters", name);
    }
    m->nparams = off;
    return PLSTAR_OK;
}

static int alloc_layers(plstar_model *m, size_t count, const char *name)
{
    m->layers = plstar_calloc(count, sizeof *m->layers, "layers");
    if (!m->layers)
        return PLSTAR_ESOFTWARE;
    m->nlayers = count;
    return PLSTAR_OK;
}

static int parse_linear(plstar_model *m, json_t *root, const char *name)
{
    static const char *const keys[] = {"model", "input_dim", NULL};
    int st = check_keys(root, keys, name);
    if (!st)
        st = get_dim(&m->input_dim, root, "input_dim", name, 0);
    if (!st)
        st = alloc_layers(m, 1, name);
    if (st)
        return st;
    m->outputs = 1;
    m->activation = m->output_activation = ACT_LINEAR;
    m->layers[0] = (plstar_layer){.in = m->input_dim, .out = 1, .act = ACT_LINEAR, .scale_div = 1,
                                  .trainable = 1, .init_std = 1.0};
    return PLSTAR_OK;
}

static int parse_shallow(plstar_model *m, json_t *root, const char *name)
{
    static const char *const keys[] = {"model", "input_dim", "width", "activation", NULL};
    static const char *const required[] = {"input_dim", "width", "activation", NULL};
    static const char *const hints[] = {"the input dimension d", "the hidden width m", ACTIVATIONS};
    size_t width = 0;
    int st = check_keys(root, keys, name);
    if (!st)
        st = require_keys(root, required, hints, name);
    if (!st)
        st = get_dim(&m->input_dim, root, "input_dim", name, 1);
    if (!st)
        st = get_dim(&width, root, "width", name, 1);
    if (!st)
        st = get_act(&m->activation, root, "activation", name);
    if (!st)
        st = alloc_layers(m, 2, name);
    if (st)
        return st;
    m->outputs = 1;
    m->output_activation = ACT_LINEAR;
    m->layers[0] = (plstar_layer){.in = m->input_dim, .out = width, .act = m->activation, .scale_div = 1,
                                  .trainable = 1, .init_std = 1.0};
    m->layers[1] = (plstar_layer){.in = width, .out = 1, .act = ACT_LINEAR, .scale_div = width, .trainable = 0};
    m->layers[1].fixed = plstar_malloc(width * sizeof(double), "output signs");
    if (!m->layers[1].fixed)
        return PLSTAR_ESOFTWARE;
    for (size_t j = 0; j < width; j++)
        m->layers[1].fixed[j] = (j % 2 == 0) ? 1.0 : -1.0;
    return PLSTAR_OK;
}

static int parse_mlp(plstar_model *m, json_t *root, const char *name)
{
    static const char *const keys[] = {"model", "input_dim", "widths", "outputs", "activation",
                                       "output_activation", "scaling", "bias", NULL};
    static const char *const required[] = {"input_dim", "widths", "outputs", "activation", "output_activation",
                                           "scaling", "bias", NULL};
    static const char *const hints[] = {"the input dimension d", "the hidden widths, e.g. [64, 64]",
                                        "the output dimension c", ACTIVATIONS " (or a list, one per hidden layer)",
                                        ACTIVATIONS " (usually linear)",
                                        "\"ntk\" or \"standard\"", "true or false"};
    int st = check_keys(root, keys, name);
    if (!st)
        st = require_keys(root, required, hints, name);
    if (!st)
        st = get_dim(&m->input_dim, root, "input_dim", name, 1);
    if (!st)
        st = get_dim(&m->outputs, root, "outputs", name, 1);
    if (!st)
        st = get_act(&m->output_activation, root, "output_activation", name);
    if (st)
        return st;
    json_t *widths = json_object_get(root, "widths");
    if (!json_is_array(widths) || json_array_size(widths) > PLSTAR_MAX_LAYERS - 1)
        return plstar_error(PLSTAR_EDATA, "%s: \"widths\" must be an array of at most %d hidden widths", name, PLSTAR_MAX_LAYERS - 1);
    plstar_act acts[PLSTAR_MAX_LAYERS];
    if ((st = get_hidden_acts(m, acts, json_array_size(widths), root, name)))
        return st;
    const char *sc = json_string_value(json_object_get(root, "scaling"));
    if (!sc || (strcmp(sc, "ntk") && strcmp(sc, "standard")))
        return plstar_error(PLSTAR_EDATA, "%s: \"scaling\" must be \"ntk\" or \"standard\"", name);
    m->scaling = strcmp(sc, "ntk") == 0 ? SCALING_NTK : SCALING_STANDARD;
    json_t *bias = json_object_get(root, "bias");
    if (!json_is_boolean(bias))
        return plstar_error(PLSTAR_EDATA, "%s: \"bias\" must be true or false", name);
    m->bias = json_is_true(bias);
    size_t hidden = json_array_size(widths);
    if ((st = alloc_layers(m, hidden + 1, name)))
        return st;
    size_t in = m->input_dim;
    for (size_t l = 0; l <= hidden; l++) {
        size_t out = m->outputs;
        if (l < hidden) {
            json_t *v = json_array_get(widths, l);
            if (!json_is_integer(v) || json_integer_value(v) < 1 || (json_int_t)json_integer_value(v) > (json_int_t)PLSTAR_MAX_DIM)
                return plstar_error(PLSTAR_EDATA, "%s: widths[%zu] must be an integer in [1, %zu]", name, l, (size_t)PLSTAR_MAX_DIM);
            out = (size_t)json_integer_value(v);
        }
        int ntk = m->scaling == SCALING_NTK;
        m->layers[l] = (plstar_layer){.in = in, .out = out,
                                      .act = l < hidden ? acts[l] : m->output_activation,
                                      .scale_div = ntk ? in : 1, .trainable = 1, .has_bias = m->bias,
                                      .init_std = ntk ? 1.0 : 1.0 / sqrt((double)in)};
        in = out;
    }
    return PLSTAR_OK;
}

int plstar_model_parse_json(plstar_model *m, const char *text, const char *name)
{
    json_error_t jerr;
    plstar_model_clear(m);
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return plstar_error(PLSTAR_EDATA, "%s: invalid JSON at line %d: %s", name, jerr.line, jerr.text);
    int st;
    json_t *kind = json_object_get(root, "model");
    const char *k = json_is_object(root) ? json_string_value(kind) : NULL;
    if (!json_is_object(root))
        st = plstar_error(PLSTAR_EDATA, "%s: the model description must be a JSON object", name);
    else if (!k)
        st = plstar_error(PLSTAR_EDATA, "%s: missing \"model\" (\"linear\", \"shallow\" or \"mlp\")", name);
    else if (strcmp(k, "linear") == 0)
        m->kind = MODEL_LINEAR, st = parse_linear(m, root, name);
    else if (strcmp(k, "shallow") == 0)
        m->kind = MODEL_SHALLOW, st = parse_shallow(m, root, name);
    else if (strcmp(k, "mlp") == 0)
        m->kind = MODEL_MLP, st = parse_mlp(m, root, name);
    else
        st = plstar_error(PLSTAR_EDATA, "%s: unknown model \"%s\" (known: linear, shallow, mlp)", name, k);
    if (!st && m->input_dim)
        st = layout(m, name);
    json_decref(root);
    if (st)
        plstar_model_clear(m);
    return st;
}

int plstar_model_set_input_dim(plstar_model *m, size_t d)
{
    if (m->input_dim && m->input_dim != d)
        return plstar_error(PLSTAR_EDATA, "model expects input_dim %zu, data has %zu columns", m->input_dim, d);
    if (d < 1 || d > PLSTAR_MAX_DIM)
        return plstar_error(PLSTAR_EDATA, "input dimension %zu out of range", d);
    m->input_dim = d;
    m->layers[0].in = d;
    if (m->scaling == SCALING_NTK && m->kind == MODEL_MLP)
        m->layers[0].scale_div = d;
    return layout(m, "model");
}

int plstar_model_read(plstar_model *m, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return plstar_error(PLSTAR_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    char *text = plstar_malloc(1 << 20, "model description");
    size_t len = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    int toolong = !feof(f) && !ferror(f);
    int bad = ferror(f);
    fclose(f);
    if (!text)
        return PLSTAR_ESOFTWARE;
    text[len] = '\0';
    /* a NUL byte would end the JSON text early and hide what follows it */
    const char *nul = memchr(text, '\0', len);
    int st = bad ? plstar_error(PLSTAR_ENOINPUT, "%s: read error", path)
             : toolong ? plstar_error(PLSTAR_EDATA, "%s: model description larger than 1 MiB", path)
             : nul ? plstar_error(PLSTAR_EDATA, "%s: not a text file (NUL byte at offset %td)", path, nul - text)
                   : plstar_model_parse_json(m, text, path);
    free(text);
    return st;
}

char *plstar_model_to_json(const plstar_model *m)
{
    json_t *o = json_object();
    static const char *const kinds[] = {"linear", "shallow", "mlp"};
    json_object_set_new(o, "model", json_string(kinds[m->kind]));
    json_object_set_new(o, "input_dim", json_integer((json_int_t)m->input_dim));
    if (m->kind == MODEL_SHALLOW) {
        json_object_set_new(o, "width", json_integer((json_int_t)m->layers[0].out));
        json_object_set_new(o, "activation", json_string(plstar_act_name(m->activation)));
    } else if (m->kind == MODEL_MLP) {
        json_t *w = json_array();
        for (size_t l = 0; l + 1 < m->nlayers; l++)
            json_array_append_new(w, json_integer((json_int_t)m->layers[l].out));
        json_object_set_new(o, "widths", w);
        json_object_set_new(o, "outputs", json_integer((json_int_t)m->outputs));
        json_object_set_new(o, "activation", plstar_model_hidden_activations_json(m));
        json_object_set_new(o, "output_activation", json_string(plstar_act_name(m->output_activation)));
        json_object_set_new(o, "scaling", json_string(m->scaling == SCALING_NTK ? "ntk" : "standard"));
        json_object_set_new(o, "bias", json_boolean(m->bias));
    }
    char *s = json_dumps(o, JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

int plstar_model_activations_uniform(const plstar_model *m)
{
    for (size_t l = 1; l + 1 < m->nlayers; l++)
        if (m->layers[l].act != m->layers[0].act)
            return 0;
    return 1;
}

json_t *plstar_model_hidden_activations_json(const plstar_model *m)
{
    if (plstar_model_activations_uniform(m))
        return json_string(plstar_act_name(m->activation));
    json_t *a = json_array();
    for (size_t l = 0; l + 1 < m->nlayers; l++)
        json_array_append_new(a, json_string(plstar_act_name(m->layers[l].act)));
    return a;
}

size_t plstar_model_width(const plstar_model *m)
{
    size_t w = m->input_dim;
    if (m->nlayers > 1) {
        w = m->layers[0].out;
        for (size_t l = 1; l + 1 < m->nlayers; l++)
            if (m->layers[l].out < w)
                w = m->layers[l].out;
    }
    return w;
}

int plstar_model_twice_differentiable(const plstar_model *m)
{
    for (size_t l = 0; l < m->nlayers; l++)
        if (!plstar_act_twice_differentiable(m->layers[l].act))
            return 0;
    return 1;
}

void plstar_model_init_weights(double *w, const plstar_model *m, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        if (!L->trainable)
            continue;
        for (size_t k = 0; k < L->in * L->out; k++)
            w[L->w_offset + k] = L->init_std * gsl_ran_gaussian(r, 1.0);
        if (L->has_bias)
            memset(w + L->b_offset, 0, L->out * sizeof(double));
    }
    gsl_rng_free(r);
}

/* ---- problems --------------------------------------------------------- */

void plstar_problem_init(plstar_problem *p)
{
    memset(p, 0, sizeof *p);
    plstar_model_init(&p->model);
    plstar_npy_init(&p->X);
    plstar_npy_init(&p->y);
}

void plstar_problem_clear(plstar_problem *p)
{
    for (int k = 0; k < PROBLEM_NINPUTS; k++)
        free(p->files[k].path);
    plstar_model_clear(&p->model);
    plstar_npy_clear(&p->X);
    plstar_npy_clear(&p->y);
    free(p->w);
    plstar_problem_init(p);
}

int plstar_array_all_finite(const double *a, size_t len, size_t *where)
{
    for (size_t i = 0; i < len; i++)
        if (!isfinite(a[i])) {
            *where = i;
            return 0;
        }
    return 1;
}

static int check_finite(const plstar_array *a, const char *path)
{
    size_t at;
    if (plstar_array_all_finite(a->data, a->size, &at))
        return PLSTAR_OK;
    return plstar_error(PLSTAR_EDATA, "%s: non-finite value %g at flat index %zu", path, a->data[at], at);
}

static int load_weights(plstar_problem *p, const char *path, unsigned long seed)
{
    size_t P = p->model.nparams;
    if (!path) {
        p->w = plstar_malloc(P * sizeof(double), "weights");
        if (!p->w)
            return PLSTAR_ESOFTWARE;
        plstar_model_init_weights(p->w, &p->model, seed);
        return PLSTAR_OK;
    }
    plstar_array a;
    plstar_npy_init(&a);
    int st = plstar_npy_read(&a, path);
    if (!st && a.size != P)
        st = plstar_error(PLSTAR_EDATA, "%s: expected %zu parameters for this model, file has %zu", path, P, a.size);
    if (!st)
        st = check_finite(&a, path);
    if (!st) { /* the file's buffer becomes the weights: no second copy */
        p->w = a.data;
        a.data = NULL;
    }
    plstar_npy_clear(&a);
    return st;
}

static int load_labels(plstar_problem *p, const char *path)
{
    int st = plstar_npy_read(&p->y, path);
    if (st)
        return st;
    size_t c = p->model.outputs;
    int shape_ok = (p->y.ndim == 1 && p->y.shape[0] == p->n * c) ||
                   (p->y.ndim == 2 && p->y.shape[0] == p->n && p->y.shape[1] == c);
    if (!shape_ok)
        return plstar_error(PLSTAR_EDATA, "%s: labels must have shape (%zu,) or (%zu, %zu) for %zu samples and %zu outputs",
                            path, p->n * c, p->n, c, p->n, c);
    return check_finite(&p->y, path);
}

const char *plstar_problem_input_name(plstar_input_role role)
{
    static const char *const names[PROBLEM_NINPUTS] = {"model", "data", "weights", "labels"};
    return role < PROBLEM_NINPUTS ? names[role] : "input";
}

/* Remembers an input file and the digest of its bytes, read again right after
 * loading: the report then names what was certified, not merely a file name. */
static int remember_file(plstar_problem *p, plstar_input_role role, const char *path)
{
    plstar_input_file *f = &p->files[role];
    f->path = strdup(path);
    if (!f->path)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    return plstar_sha256_file_hex(f->sha256, path);
}

int plstar_problem_load(plstar_problem *p, const char *model_path, const char *data_path,
                        const char *weights_path, unsigned long seed, const char *labels_path)
{
    plstar_problem_clear(p);
    int st = plstar_model_read(&p->model, model_path);
    if (!st)
        st = remember_file(p, PROBLEM_MODEL, model_path);
    if (!st)
        st = plstar_npy_read(&p->X, data_path);
    if (!st && p->X.ndim != 2)
        st = plstar_error(PLSTAR_EDATA, "%s: data must be 2-D (samples x input_dim), got %zu dimensions", data_path, p->X.ndim);
    if (!st && p->X.shape[0] == 0)
        st = plstar_error(PLSTAR_EDATA, "%s: no samples", data_path);
    if (!st && p->model.input_dim && p->X.shape[1] != p->model.input_dim)
        st = plstar_error(PLSTAR_EDATA, "%s: %zu columns but the model's input_dim is %zu", data_path, p->X.shape[1], p->model.input_dim);
    if (!st && !p->model.input_dim)
        st = plstar_model_set_input_dim(&p->model, p->X.shape[1]);
    if (!st)
        st = remember_file(p, PROBLEM_DATA, data_path);
    if (!st)
        st = check_finite(&p->X, data_path);
    if (!st) {
        p->n = p->X.shape[0];
        p->N = p->n * p->model.outputs;
        /* the weights are allocated from the model's word, not from a file:
         * refuse absurd parameter counts before allocating */
        char what[600];
        snprintf(what, sizeof what, "%s: a model with %zu parameters", model_path, p->model.nparams);
        st = plstar_check_memory(8.0 * (double)p->model.nparams, what);
    }
    if (!st)
        st = load_weights(p, weights_path, seed);
    if (!st && weights_path)
        st = remember_file(p, PROBLEM_WEIGHTS, weights_path);
    p->weights_from_seed = !weights_path;
    p->seed = weights_path ? 0 : seed;
    if (!st && labels_path)
        st = load_labels(p, labels_path);
    if (!st && labels_path)
        st = remember_file(p, PROBLEM_LABELS, labels_path);
    if (st) {
        char keep[512];
        snprintf(keep, sizeof keep, "%s", plstar_errmsg());
        plstar_problem_clear(p);
        plstar_error(st, "%s", keep);
    }
    return st;
}

int plstar_problem_set(plstar_problem *p, const plstar_model *m, const double *X, size_t n,
                       const double *w, const double *y)
{
    plstar_problem_clear(p);
    char *json = plstar_model_to_json(m);
    int st = json ? plstar_model_parse_json(&p->model, json, "model") : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    free(json);
    if (st)
        return st;
    snprintf(p->origin, sizeof p->origin, "in memory");
    size_t d = m->input_dim, P = m->nparams, c = m->outputs;
    p->n = n;
    p->N = n * c;
    p->X.ndim = 2;
    p->X.shape[0] = n;
    p->X.shape[1] = d;
    p->X.size = n * d;
    p->X.data = plstar_malloc(n * d * sizeof(double), "data");
    p->w = plstar_malloc(P * sizeof(double), "weights");
    if (!p->X.data || !p->w)
        return PLSTAR_ESOFTWARE;
    memcpy(p->X.data, X, n * d * sizeof(double));
    memcpy(p->w, w, P * sizeof(double));
    if (y) {
        p->y.ndim = 1;
        p->y.shape[0] = p->y.size = n * c;
        p->y.data = plstar_malloc(n * c * sizeof(double), "labels");
        if (!p->y.data)
            return PLSTAR_ESOFTWARE;
        memcpy(p->y.data, y, n * c * sizeof(double));
    }
    return PLSTAR_OK;
}

char *plstar_problem_describe(const plstar_problem *p)
{
    char *desc = plstar_model_to_json(&p->model);
    if (!desc)
        return NULL;
    char weights[600];
    if (p->weights_from_seed)
        snprintf(weights, sizeof weights, "from seed %lu", p->seed);
    else if (p->files[PROBLEM_WEIGHTS].path)
        snprintf(weights, sizeof weights, "from %s", p->files[PROBLEM_WEIGHTS].path);
    else
        snprintf(weights, sizeof weights, "%s", p->origin[0] ? p->origin : "in memory");
    size_t len = strlen(desc) + strlen(weights) + 160;
    char *line = malloc(len);
    if (line)
        snprintf(line, len, "model %s; %zu samples, %zu equations, %zu parameters; weights %s", desc, p->n, p->N,
                 p->model.nparams, weights);
    free(desc);
    return line;
}

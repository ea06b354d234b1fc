/*
 * tests/fuzz/fuzz_model.c — libFuzzer target for the model-description parser
 * (core/model.h: plstar_model_parse_json, plstar_model_set_input_dim, plstar_model_to_json).
 *
 * Any input must either give a consistent model or be refused with
 * PLSTAR_EDATA and a one-line message. For an accepted model:
 *   - the layers chain (in of layer l = out of layer l−1), the flat parameter
 *     layout is contiguous and its count is nparams;
 *   - plstar_model_to_json → plstar_model_parse_json gives the same model (round trip);
 *   - small models run a forward pass on two inputs (layout and activation
 *     code on fuzzer-chosen shapes), the outputs are finite.
 * Sanitizers catch out-of-bounds accesses, overflows and leaks.
 */
#include "core/error.h"
#include "core/model.h"
#include "fast/network.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_layout(const plstar_model *m)
{
    if (m->nlayers < 1 || m->nlayers > PLSTAR_MAX_LAYERS || !m->layers)
        abort();
    size_t off = 0;
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        if (L->in < 1 || L->out < 1 || L->in > PLSTAR_MAX_DIM || L->out > PLSTAR_MAX_DIM)
            abort();
        if (l > 0 && L->in != m->layers[l - 1].out)
            abort();
        if (l == 0 && L->in != m->input_dim)
            abort();
        if (L->scale_div < 1 || (int)L->act < 0 || L->act >= ACT_COUNT)
            abort();
        if (!L->trainable) {
            if (!L->fixed || L->has_bias)
                abort();
            continue;
        }
        if (L->w_offset != off)
            abort();
        off += L->in * L->out;
        if (L->b_offset != off)
            abort();
        if (L->has_bias)
            off += L->out;
    }
    if (off != m->nparams || m->layers[m->nlayers - 1].out != m->outputs)
        abort();
}

static void check_same(const plstar_model *a, const plstar_model *b)
{
    if (a->kind != b->kind || a->nlayers != b->nlayers || a->nparams != b->nparams || a->outputs != b->outputs ||
        a->input_dim != b->input_dim || a->bias != b->bias)
        abort();
    for (size_t l = 0; l < a->nlayers; l++) {
        const plstar_layer *x = &a->layers[l], *y = &b->layers[l];
        if (x->in != y->in || x->out != y->out || x->act != y->act || x->scale_div != y->scale_div ||
            x->trainable != y->trainable || x->has_bias != y->has_bias || x->w_offset != y->w_offset ||
            x->b_offset != y->b_offset || x->init_std != y->init_std)
            abort();
    }
}

/* A forward pass on two small inputs when the model is small enough to be quick. */
static void run_small(const plstar_model *m, unsigned long seed)
{
    size_t widest = m->input_dim;
    for (size_t l = 0; l < m->nlayers; l++)
        if (m->layers[l].out > widest)
            widest = m->layers[l].out;
    if (m->nparams > 4096 || widest > 256)
        return;
    const size_t n = 2;
    double *w = malloc((m->nparams ? m->nparams : 1) * sizeof(double));
    double *X = malloc(n * m->input_dim * sizeof(double));
    double *F = malloc(n * m->outputs * sizeof(double));
    if (!w || !X || !F)
        abort();
    plstar_model_init_weights(w, m, seed);
    for (size_t k = 0; k < n * m->input_dim; k++)
        X[k] = (double)((k * 7 + seed) % 11) / 11.0 - 0.5;
    if (plstar_fast_outputs(F, m, X, n, w) != PLSTAR_OK)
        abort();
    for (size_t k = 0; k < n * m->outputs; k++)
        if (!isfinite(F[k]))
            abort();
    free(w), free(X), free(F);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20)) /* plstar_model_read's limit */
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    plstar_model m, m2;
    plstar_model_init(&m);
    plstar_model_init(&m2);
    int st = plstar_model_parse_json(&m, text, "fuzz.json");
    if (st != PLSTAR_OK && st != PLSTAR_EDATA)
        abort();
    if (st != PLSTAR_OK) {
        const char *msg = plstar_errmsg();
        if (!*msg || strchr(msg, '\n') || strncmp(msg, "fuzz.json", 9) != 0) /* one line naming the file */
            abort();
        if (m.layers || m.nlayers || m.nparams) /* refused models are left empty */
            abort();
    } else {
        if (m.input_dim == 0) { /* "linear" without input_dim: from the data's columns */
            if (m.kind != MODEL_LINEAR)
                abort();
            size_t d = 1 + (size ? data[0] % 7 : 0);
            if (plstar_model_set_input_dim(&m, d) != PLSTAR_OK || m.input_dim != d)
                abort();
        }
        check_layout(&m);
        char *json = plstar_model_to_json(&m);
        if (!json)
            abort();
        if (plstar_model_parse_json(&m2, json, "round trip") != PLSTAR_OK)
            abort();
        check_same(&m, &m2);
        free(json);
        run_small(&m, size);
    }
    plstar_model_clear(&m);
    plstar_model_clear(&m2);
    free(text);
    return 0;
}

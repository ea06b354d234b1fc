/*
 * layers/layer.c — the registry of layer kinds (layers/layer.h): one line per kind.
 */
#include "layers/layer.h"
#include "core/error.h"

static const plstar_layer_ops *const layer_kinds[] = {
    [LAYER_DENSE] = &layer_dense,
};
_Static_assert(sizeof layer_kinds / sizeof *layer_kinds == LAYER_KIND_COUNT, "one entry per plstar_layer_kind");

const plstar_layer_ops *layer_ops(const plstar_layer *L) { return layer_kinds[L->kind]; }

int layer_model_dense_only(const plstar_model *m, const char *fn)
{
    for (size_t l = 0; m && l < m->nlayers; l++)
        if (m->layers[l].kind != LAYER_DENSE)
            return plstar_error(PLSTAR_ESOFTWARE, "%s: layer %zu is not dense (kind %d), and this bound is written for "
                                "dense layers only", fn, l, (int)m->layers[l].kind);
    return PLSTAR_OK;
}

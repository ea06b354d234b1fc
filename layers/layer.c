/*
 * layers/layer.c — the registry of layer kinds (layers/layer.h): one line per kind.
 */
#include "layers/layer.h"

static const plstar_layer_ops *const layer_kinds[] = {
    [LAYER_DENSE] = &layer_dense,
};
_Static_assert(sizeof layer_kinds / sizeof *layer_kinds == LAYER_KIND_COUNT, "one entry per plstar_layer_kind");

const plstar_layer_ops *layer_ops(const plstar_layer *L) { return layer_kinds[L->kind]; }

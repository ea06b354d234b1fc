/*
 * core/layout.h — where a layer's parameters are: its weights in the flat
 * vector w (core/model.h) or its fixed ones, and its scale 1/√s_l in double
 * and as a ball.
 * Every double-precision path (fast/, the Arb enclosures' inputs, validate)
 * reads the layout here, so all of them see the same W and the same scale.
 */
#ifndef PLSTAR_CORE_LAYOUT_H
#define PLSTAR_CORE_LAYOUT_H

#include <stddef.h>
#include <arb.h>
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The weights of layer l (out × in, row-major): in w when the layer is
 * trainable, its fixed ones otherwise. */
const double *plstar_layer_weights(const plstar_model *m, size_t l, const double *w);

/* 1/√scale_div in double (1 exactly when scale_div == 1). */
double plstar_layer_scale(const plstar_layer *L);

/* An enclosure of 1/√scale_div at prec bits, for the Arb paths. */
void plstar_layer_scale_arb(arb_t scale, const plstar_layer *L, slong prec);

#ifdef __cplusplus
}
#endif

#endif

#include "core/layout.h"

#include <math.h>

const double *plstar_layer_weights(const plstar_model *m, size_t l, const double *w)
{
    const plstar_layer *L = &m->layers[l];
    return L->trainable ? w + L->w_offset : L->fixed;
}

double plstar_layer_scale(const plstar_layer *L)
{
    return L->scale_div == 1 ? 1.0 : 1.0 / sqrt((double)L->scale_div);
}

void plstar_layer_scale_arb(arb_t scale, const plstar_layer *L, slong prec)
{
    arb_rsqrt_ui(scale, L->scale_div, prec);
}

/*
 * fast/layer_pass.c — the passes every layer kind shares in binary64 (fast/layer_pass.h); the kind's own map
 * is layer_ops(L) (layers/layer.h).
 */
#include "fast/layer_pass.h"
#include "fast/ntk.h"
#include "layers/layer.h"

#include <string.h>

/* Element-wise loops go parallel (OpenMP) only when long: the team's idle
 * threads spin after a region and slow the BLAS call that follows, which a
 * short loop does not repay. Parallel or not, each entry is the same product. */
#define LAYER_OMP_MIN ((size_t)1 << 20)

void layer_affine(double *z, const plstar_model *m, size_t l, const double *w, const double *prev, size_t n)
{
    layer_ops(&m->layers[l])->apply(z, m, l, w, prev, n);
}

void layer_forward(double *z, double *a, double *s1, const plstar_model *m, size_t l, const double *w,
                   const double *prev, size_t n)
{
    layer_affine(z, m, l, w, prev, n);
    _fast_act_layer(m->layers[l].act, z, a, s1, n * m->layers[l].out);
}

void layer_output_signals(double *D, const double *seeds, const double *s1, size_t R, size_t q, size_t c)
{
    for (size_t r = 0; r < R; r++)
        for (size_t k = 0; k < c; k++)
            D[r * c + k] = (seeds ? seeds[r * c + k] : k == r % c ? 1.0 : 0.0) * s1[(r / q) * c + k];
}

void layer_backward(double *Dprev, const double *D, const plstar_model *m, size_t l, const double *w,
                    const double *s1prev, size_t R, size_t q)
{
    size_t out = m->layers[l - 1].out;
    layer_ops(&m->layers[l])->apply_transpose(Dprev, D, m, l, w, R);
#pragma omp parallel for if (R * out >= LAYER_OMP_MIN) schedule(static)
    for (size_t r = 0; r < R; r++)
        for (size_t a = 0; a < out; a++)
            Dprev[r * out + a] *= s1prev[(r / q) * out + a];
}

void layer_gradient(double *grad, const plstar_model *m, size_t l, const double *D, const double *prev, size_t n)
{
    const plstar_layer *L = &m->layers[l];
    layer_ops(L)->weight_gradient(grad, m, l, D, prev, n);
    if (!L->has_bias)
        return;
    double *gb = grad + L->b_offset; /* each sum from +0 in sample order */
    memset(gb, 0, L->out * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < L->out; a++)
            gb[a] += D[i * L->out + a];
}

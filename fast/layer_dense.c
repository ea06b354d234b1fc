#include "fast/layer_dense.h"
#include "fast/ntk.h"
#include "core/layout.h"

#include <cblas.h>
#include <string.h>

/* Element-wise loops go parallel (OpenMP) only when long: the team's idle
 * threads spin after a region and slow the BLAS call that follows, which a
 * short loop does not repay. Parallel or not, each entry is the same product. */
#define DENSE_OMP_MIN ((size_t)1 << 20)

void dense_affine(double *z, const plstar_model *m, size_t l, const double *w, const double *prev, size_t n)
{
    const plstar_layer *L = &m->layers[l];
    const double *b = L->has_bias ? w + L->b_offset : NULL;
    if (b)
        for (size_t i = 0; i < n; i++)
            memcpy(z + i * L->out, b, L->out * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)L->out, (int)L->in, layer_scale(L), prev,
                (int)L->in, layer_weights(m, l, w), (int)L->in, b ? 1.0 : 0.0, z, (int)L->out);
}

void dense_forward(double *z, double *a, double *s1, const plstar_model *m, size_t l, const double *w,
                   const double *prev, size_t n)
{
    dense_affine(z, m, l, w, prev, n);
    _fast_act_layer(m->layers[l].act, z, a, s1, n * m->layers[l].out);
}

void dense_output_signals(double *D, const double *seeds, const double *s1, size_t R, size_t q, size_t c)
{
    for (size_t r = 0; r < R; r++)
        for (size_t k = 0; k < c; k++)
            D[r * c + k] = (seeds ? seeds[r * c + k] : k == r % c ? 1.0 : 0.0) * s1[(r / q) * c + k];
}

void dense_backward(double *Dprev, const double *D, const plstar_model *m, size_t l, const double *w,
                    const double *s1prev, size_t R, size_t q)
{
    const plstar_layer *L = &m->layers[l];
    size_t out = m->layers[l - 1].out;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)R, (int)out, (int)L->out, layer_scale(L), D,
                (int)L->out, layer_weights(m, l, w), (int)L->in, 0.0, Dprev, (int)out);
#pragma omp parallel for if (R * out >= DENSE_OMP_MIN) schedule(static)
    for (size_t r = 0; r < R; r++)
        for (size_t a = 0; a < out; a++)
            Dprev[r * out + a] *= s1prev[(r / q) * out + a];
}

void dense_gradient(double *grad, const plstar_model *m, size_t l, const double *D, const double *prev, size_t n)
{
    const plstar_layer *L = &m->layers[l];
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)L->out, (int)L->in, (int)n, layer_scale(L), D,
                (int)L->out, prev, (int)L->in, 0.0, grad + L->w_offset, (int)L->in);
    if (!L->has_bias)
        return;
    double *gb = grad + L->b_offset; /* each sum from +0 in sample order */
    memset(gb, 0, L->out * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < L->out; a++)
            gb[a] += D[i * L->out + a];
}

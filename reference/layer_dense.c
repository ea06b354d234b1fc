#include "reference/layer_dense.h"
#include "reference/network.h"
#include "core/layout.h"

void ref_layer_scale(arb_t scale, const plstar_layer *L, slong prec)
{
    arb_rsqrt_ui(scale, L->scale_div, prec);
}

void ref_dense_weights(arb_mat_t W, const plstar_model *m, size_t l, const double *w)
{
    const plstar_layer *L = &m->layers[l];
    const double *Wl = layer_weights(m, l, w);
    for (size_t a = 0; a < L->out; a++)
        for (size_t b = 0; b < L->in; b++)
            arb_set_d(arb_mat_entry(W, a, b), Wl[a * L->in + b]);
}

arb_ptr ref_dense_bias_init(const plstar_layer *L, const double *w)
{
    if (!L->has_bias)
        return NULL;
    arb_ptr b = _arb_vec_init((slong)L->out);
    for (size_t j = 0; j < L->out; j++)
        arb_set_d(b + j, w[L->b_offset + j]);
    return b;
}

void ref_dense_bias_clear(arb_ptr b, const plstar_layer *L)
{
    if (b)
        _arb_vec_clear(b, (slong)L->out);
}

void ref_dense_affine_entry(arb_t z, const arb_t scale, arb_srcptr b, slong prec)
{
    arb_mul(z, z, scale, prec);
    if (b)
        arb_add(z, z, b, prec);
}

void ref_dense_affine(arb_mat_t z, const plstar_layer *L, const arb_mat_t W, arb_srcptr b, const arb_mat_t prev,
                      slong prec)
{
    arb_mat_t Wt;
    arb_t scale;
    arb_mat_init(Wt, (slong)L->in, (slong)L->out);
    arb_init(scale);
    arb_mat_transpose(Wt, W);
    arb_mat_mul(z, prev, Wt, prec);
    arb_mat_clear(Wt);
    ref_layer_scale(scale, L, prec);
    for (slong i = 0; i < arb_mat_nrows(z); i++)
        for (size_t j = 0; j < L->out; j++)
            ref_dense_affine_entry(arb_mat_entry(z, i, j), scale, b ? b + j : NULL, prec);
    arb_clear(scale);
}

void ref_dense_forward(arb_mat_t z, arb_mat_t a, arb_mat_t s1, const plstar_layer *L, const arb_mat_t W,
                       arb_srcptr b, const arb_mat_t prev, slong prec)
{
    ref_dense_affine(z, L, W, b, prev, prec);
    for (slong i = 0; i < arb_mat_nrows(z); i++)
        for (size_t j = 0; j < L->out; j++)
            act_eval_arb(L->act, arb_mat_entry(a, i, j), arb_mat_entry(s1, i, j), NULL, arb_mat_entry(z, i, j),
                         prec);
}

void ref_dense_signals(arb_ptr D, arb_srcptr E, arb_srcptr s1, size_t R, size_t q, size_t width, slong prec)
{
    for (size_t r = 0; r < R; r++)
        for (size_t k = 0; k < width; k++)
            arb_mul(D + r * width + k, E + r * width + k, s1 + (r / q) * width + k, prec);
}

void ref_dense_backward(arb_mat_t Dprev, const arb_mat_t D, const plstar_layer *L, const arb_mat_t W,
                        const arb_mat_t s1prev, size_t q, slong prec)
{
    arb_t scale;
    arb_init(scale);
    arb_mat_mul(Dprev, D, W, prec);
    ref_layer_scale(scale, L, prec);
    arb_mat_scalar_mul_arb(Dprev, Dprev, scale, prec);
    ref_dense_signals(Dprev->entries, Dprev->entries, s1prev->entries, (size_t)arb_mat_nrows(Dprev), q, L->in,
                      prec);
    arb_clear(scale);
}

void ref_dense_gradient(arb_ptr grad, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev, slong prec)
{
    size_t n = (size_t)arb_mat_nrows(D);
    arb_mat_t Dt, G;
    arb_t scale;
    arb_mat_init(Dt, (slong)L->out, (slong)n);
    arb_mat_init(G, (slong)L->out, (slong)L->in);
    arb_init(scale);
    arb_mat_transpose(Dt, D);
    arb_mat_mul(G, Dt, prev, prec);
    ref_layer_scale(scale, L, prec);
    for (size_t a = 0; a < L->out; a++) {
        for (size_t b = 0; b < L->in; b++)
            arb_mul(grad + L->w_offset + a * L->in + b, arb_mat_entry(G, a, b), scale, prec);
        if (L->has_bias) {
            arb_ptr gb = grad + L->b_offset + a; /* from 0 in sample order */
            arb_zero(gb);
            for (size_t i = 0; i < n; i++)
                arb_add(gb, gb, arb_mat_entry(D, i, a), prec);
        }
    }
    arb_mat_clear(Dt);
    arb_mat_clear(G);
    arb_clear(scale);
}

void ref_dense_jacobian(arb_mat_t J, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev, size_t c,
                        slong prec)
{
    arb_t scale, t;
    arb_init(scale);
    arb_init(t);
    ref_layer_scale(scale, L, prec);
    for (slong r = 0; r < arb_mat_nrows(D); r++)
        for (size_t a = 0; a < L->out; a++) {
            arb_mul(t, arb_mat_entry(D, r, a), scale, prec);
            for (size_t b = 0; b < L->in; b++)
                arb_mul(arb_mat_entry(J, r, L->w_offset + a * L->in + b), t, arb_mat_entry(prev, r / c, b), prec);
            if (L->has_bias)
                arb_set(arb_mat_entry(J, r, L->b_offset + a), arb_mat_entry(D, r, a));
        }
    arb_clear(scale);
    arb_clear(t);
}

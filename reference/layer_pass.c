/*
 * reference/layer_pass.c — the passes every layer kind shares in Arb (reference/layer_pass.h); the kind's own
 * map is layer_ops(L) (layers/layer.h).
 */
#include "reference/layer_pass.h"
#include "layers/layer.h"

void ref_layer_weights(arb_mat_t W, const plstar_model *m, size_t l, const double *w)
{
    layer_ops(&m->layers[l])->ref_weights(W, m, l, w);
}

arb_ptr ref_layer_bias_init(const plstar_layer *L, const double *w)
{
    if (!L->has_bias)
        return NULL;
    arb_ptr b = _arb_vec_init((slong)L->out);
    for (size_t j = 0; j < L->out; j++)
        arb_set_d(b + j, w[L->b_offset + j]);
    return b;
}

void ref_layer_bias_clear(arb_ptr b, const plstar_layer *L)
{
    if (b)
        _arb_vec_clear(b, (slong)L->out);
}

void ref_layer_affine(arb_mat_t z, const plstar_layer *L, const arb_mat_t W, arb_srcptr b, const arb_mat_t prev,
                      slong prec)
{
    layer_ops(L)->ref_apply(z, L, W, b, prev, prec);
}

void ref_layer_forward(arb_mat_t z, arb_mat_t a, arb_mat_t s1, const plstar_layer *L, const arb_mat_t W,
                       arb_srcptr b, const arb_mat_t prev, slong prec)
{
    ref_layer_affine(z, L, W, b, prev, prec);
    for (slong i = 0; i < arb_mat_nrows(z); i++)
        for (size_t j = 0; j < L->out; j++)
            plstar_act_eval_arb(L->act, arb_mat_entry(a, i, j), arb_mat_entry(s1, i, j), NULL, arb_mat_entry(z, i, j),
                                prec);
}

void ref_layer_signals(arb_ptr D, arb_srcptr E, arb_srcptr s1, size_t R, size_t q, size_t width, slong prec)
{
    for (size_t r = 0; r < R; r++)
        for (size_t k = 0; k < width; k++)
            arb_mul(D + r * width + k, E + r * width + k, s1 + (r / q) * width + k, prec);
}

void ref_layer_backward(arb_mat_t Dprev, const arb_mat_t D, const plstar_layer *L, const arb_mat_t W,
                        const arb_mat_t s1prev, size_t q, slong prec)
{
    layer_ops(L)->ref_apply_transpose(Dprev, D, L, W, prec);
    ref_layer_signals(Dprev->entries, Dprev->entries, s1prev->entries, (size_t)arb_mat_nrows(Dprev), q, L->in,
                      prec);
}

void ref_layer_gradient(arb_ptr grad, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev, slong prec)
{
    layer_ops(L)->ref_weight_gradient(grad, L, D, prev, prec);
    if (!L->has_bias)
        return;
    size_t n = (size_t)arb_mat_nrows(D);
    for (size_t a = 0; a < L->out; a++) {
        arb_ptr gb = grad + L->b_offset + a; /* from 0 in sample order */
        arb_zero(gb);
        for (size_t i = 0; i < n; i++)
            arb_add(gb, gb, arb_mat_entry(D, i, a), prec);
    }
}

void ref_layer_jacobian(arb_mat_t J, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev, size_t c,
                        slong prec)
{
    layer_ops(L)->ref_weight_jacobian(J, L, D, prev, c, prec);
    if (L->has_bias)
        for (slong r = 0; r < arb_mat_nrows(D); r++)
            for (size_t a = 0; a < L->out; a++)
                arb_set(arb_mat_entry(J, r, L->b_offset + a), arb_mat_entry(D, r, a));
}

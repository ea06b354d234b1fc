/*
 * layers/dense.c — the dense kind (layers/layer.h): A_l = W_l, a full out × in matrix, z = s^{-1/2} W α_prev + b.
 * The double operations are single BLAS calls, so every caller that goes through them (kernel, trainer,
 * diagnostics) rounds alike; the Arb ones are arb_mat products, so point weights and ball weights give equal
 * balls for equal inputs.
 */
#include "layers/layer.h"
#include "core/layout.h"

#include <cblas.h>
#include <string.h>

/* The bias, when there is one, is copied into z and the dgemm adds onto it. */
static void dense_apply(double *z, const plstar_model *m, size_t l, const double *w, const double *prev, size_t n)
{
    const plstar_layer *L = &m->layers[l];
    const double *b = L->has_bias ? w + L->b_offset : NULL;
    if (b)
        for (size_t i = 0; i < n; i++)
            memcpy(z + i * L->out, b, L->out * sizeof(double));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)L->out, (int)L->in, plstar_layer_scale(L), prev,
                (int)L->in, plstar_layer_weights(m, l, w), (int)L->in, b ? 1.0 : 0.0, z, (int)L->out);
}

static void dense_apply_transpose(double *Dprev, const double *D, const plstar_model *m, size_t l, const double *w,
                                  size_t R)
{
    const plstar_layer *L = &m->layers[l];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)R, (int)L->in, (int)L->out, plstar_layer_scale(L), D,
                (int)L->out, plstar_layer_weights(m, l, w), (int)L->in, 0.0, Dprev, (int)L->in);
}

static void dense_weight_gradient(double *grad, const plstar_model *m, size_t l, const double *D, const double *prev,
                                  size_t n)
{
    const plstar_layer *L = &m->layers[l];
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)L->out, (int)L->in, (int)n, plstar_layer_scale(L), D,
                (int)L->out, prev, (int)L->in, 0.0, grad + L->w_offset, (int)L->in);
}

static void dense_ref_weights(arb_mat_t W, const plstar_model *m, size_t l, const double *w)
{
    const plstar_layer *L = &m->layers[l];
    const double *Wl = plstar_layer_weights(m, l, w);
    for (size_t a = 0; a < L->out; a++)
        for (size_t b = 0; b < L->in; b++)
            arb_set_d(arb_mat_entry(W, a, b), Wl[a * L->in + b]);
}

void dense_affine_entry(arb_t z, const arb_t scale, arb_srcptr b, slong prec)
{
    arb_mul(z, z, scale, prec);
    if (b)
        arb_add(z, z, b, prec);
}

static void dense_ref_apply(arb_mat_t z, const plstar_layer *L, const arb_mat_t W, arb_srcptr b,
                            const arb_mat_t prev, slong prec)
{
    arb_mat_t Wt;
    arb_t scale;
    arb_mat_init(Wt, (slong)L->in, (slong)L->out);
    arb_init(scale);
    arb_mat_transpose(Wt, W);
    arb_mat_mul(z, prev, Wt, prec);
    arb_mat_clear(Wt);
    plstar_layer_scale_arb(scale, L, prec);
    for (slong i = 0; i < arb_mat_nrows(z); i++)
        for (size_t j = 0; j < L->out; j++)
            dense_affine_entry(arb_mat_entry(z, i, j), scale, b ? b + j : NULL, prec);
    arb_clear(scale);
}

static void dense_ref_apply_transpose(arb_mat_t Dprev, const arb_mat_t D, const plstar_layer *L, const arb_mat_t W,
                                      slong prec)
{
    arb_t scale;
    arb_init(scale);
    arb_mat_mul(Dprev, D, W, prec);
    plstar_layer_scale_arb(scale, L, prec);
    arb_mat_scalar_mul_arb(Dprev, Dprev, scale, prec);
    arb_clear(scale);
}

static void dense_ref_weight_gradient(arb_ptr grad, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev,
                                      slong prec)
{
    size_t n = (size_t)arb_mat_nrows(D);
    arb_mat_t Dt, G;
    arb_t scale;
    arb_mat_init(Dt, (slong)L->out, (slong)n);
    arb_mat_init(G, (slong)L->out, (slong)L->in);
    arb_init(scale);
    arb_mat_transpose(Dt, D);
    arb_mat_mul(G, Dt, prev, prec);
    plstar_layer_scale_arb(scale, L, prec);
    for (size_t a = 0; a < L->out; a++)
        for (size_t b = 0; b < L->in; b++)
            arb_mul(grad + L->w_offset + a * L->in + b, arb_mat_entry(G, a, b), scale, prec);
    arb_mat_clear(Dt);
    arb_mat_clear(G);
    arb_clear(scale);
}

static void dense_ref_weight_jacobian(arb_mat_t J, const plstar_layer *L, const arb_mat_t D, const arb_mat_t prev,
                                      size_t c, slong prec)
{
    arb_t scale, t;
    arb_init(scale);
    arb_init(t);
    plstar_layer_scale_arb(scale, L, prec);
    for (slong r = 0; r < arb_mat_nrows(D); r++)
        for (size_t a = 0; a < L->out; a++) {
            arb_mul(t, arb_mat_entry(D, r, a), scale, prec);
            for (size_t b = 0; b < L->in; b++)
                arb_mul(arb_mat_entry(J, r, L->w_offset + a * L->in + b), t, arb_mat_entry(prev, r / c, b), prec);
        }
    arb_clear(scale);
    arb_clear(t);
}

const plstar_layer_ops layer_dense = {
    .name = "dense",
    .apply = dense_apply,
    .apply_transpose = dense_apply_transpose,
    .weight_gradient = dense_weight_gradient,
    .ref_weights = dense_ref_weights,
    .ref_apply = dense_ref_apply,
    .ref_apply_transpose = dense_ref_apply_transpose,
    .ref_weight_gradient = dense_ref_weight_gradient,
    .ref_weight_jacobian = dense_ref_weight_jacobian,
};

/*
 * layers/dense.c — the dense kind (layers/layer.h): A_l = W_l, a full out × in matrix, z = s^{-1/2} W α_prev + b.
 * The double operations of the map are single BLAS calls, so every caller that goes through them (kernel,
 * trainer, diagnostics) rounds alike; the Arb ones are arb_mat products, so point weights and ball weights give
 * equal balls for equal inputs. The kernel term is the one that fast/errbound.c bounds.
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

/* The Hadamard loop of dense_kernel_panel goes parallel (OpenMP) only when long: the team's idle threads spin
 * after a region and slow the BLAS call that follows, which a short loop does not repay (as in fast/ntk.c). */
#define DENSE_KERNEL_OMP_MIN ((size_t)1 << 20)

/* J_l J_lᵀ = (D Dᵀ) ∘ (A Aᵀ · sc + bias), sc = s^{-1} and bias 1 when the layer has one, A = prev: the Gram
 * blocks of the panel's rows, GA = A_panel Aᵀ and GD = D_panel Dᵀ, from dsyrk on the diagonal block and dgemm
 * left of it, then their Hadamard product. */
static void dense_kernel_panel(double *K, const plstar_layer *L, const double *D, const double *A, size_t N,
                               size_t c, size_t i0, size_t b, double *GA, double *GD, int first)
{
    size_t in = L->in, out = L->out;
    double sc = L->scale_div == 1 ? 1.0 : 1.0 / (double)L->scale_div, bias = L->has_bias ? 1.0 : 0.0;
    size_t i1 = i0 + b, r0 = i0 * c, rb = b * c, r1 = i1 * c;
    if (i0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)i0, (int)in, 1.0, A + i0 * in, (int)in, A,
                    (int)in, 0.0, GA, (int)i1);
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)b, (int)in, 1.0, A + i0 * in, (int)in, 0.0, GA + i0,
                (int)i1);
    if (r0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rb, (int)r0, (int)out, 1.0, D + r0 * out, (int)out, D,
                    (int)out, 0.0, GD, (int)r1);
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)rb, (int)out, 1.0, D + r0 * out, (int)out, 0.0, GD + r0,
                (int)r1);
    int par = b * r1 >= DENSE_KERNEL_OMP_MIN;
    if (c == 1) {
#pragma omp parallel for if (par) schedule(dynamic, 8)
        for (size_t r = r0; r < r1; r++) {
            const double *gd = GD + (r - r0) * r1, *ga = GA + (r - r0) * i1;
            double *k = K + r * N;
            if (first)
                for (size_t j = 0; j <= r; j++)
                    k[j] = gd[j] * (ga[j] * sc + bias);
            else
                for (size_t j = 0; j <= r; j++)
                    k[j] += gd[j] * (ga[j] * sc + bias);
        }
        return;
    }
#pragma omp parallel for if (par) schedule(dynamic, 8)
    for (size_t r = r0; r < r1; r++) {
        size_t i = r / c;
        const double *gd = GD + (r - r0) * r1, *ga = GA + (i - i0) * i1;
        double *k = K + r * N;
        for (size_t j = 0; j <= i; j++) {
            double g = ga[j] * sc + bias;
            size_t end = j * c + c <= r + 1 ? j * c + c : r + 1;
            for (size_t r2 = j * c; r2 < end; r2++)
                k[r2] = first ? gd[r2] * g : k[r2] + gd[r2] * g;
        }
    }
}

/* One dgemm of rows × in × out. */
static double dense_apply_flops(const plstar_layer *L, size_t rows)
{
    return 2.0 * (double)rows * (double)L->in * (double)L->out;
}

/* One dsyrk-sized product of the signals (N × N × out) and one of the inputs (n × n × in). */
static double dense_kernel_flops(const plstar_layer *L, size_t n, size_t c)
{
    double nn = (double)n, N = nn * (double)c;
    return N * (N + 1) * (double)L->out + nn * (nn + 1) * (double)L->in;
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
    .kernel_panel = dense_kernel_panel,
    .apply_flops = dense_apply_flops,
    .kernel_flops = dense_kernel_flops,
    .ref_weights = dense_ref_weights,
    .ref_apply = dense_ref_apply,
    .ref_apply_transpose = dense_ref_apply_transpose,
    .ref_weight_gradient = dense_ref_weight_gradient,
    .ref_weight_jacobian = dense_ref_weight_jacobian,
};

#include "reference/shallow.h"
#include "core/error.h"
#include "reference/network.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define U_ROUND (DBL_EPSILON / 2)

/* Z = X Wᵀ (n × m) in double and B ≥ |Z − exact| entrywise. */
static int preactivations(double *Z, double *B, const double *X, const double *W, size_t n, size_t m, size_t d)
{
    double *absX = malloc(n * d * sizeof(double)), *absW = malloc(m * d * sizeof(double));
    if (!absX || !absW) {
        free(absX), free(absW);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for pre-activations");
    }
    for (size_t k = 0; k < n * d; k++)
        absX[k] = fabs(X[k]);
    for (size_t k = 0; k < m * d; k++)
        absW[k] = fabs(W[k]);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)m, (int)d, 1.0, X, (int)d, W, (int)d, 0.0, Z,
                (int)m);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)m, (int)d, 1.0, absX, (int)d, absW, (int)d,
                0.0, B, (int)m);
    /* γ_d, and (1 + 2(d + 8)u) for the nearest-rounded sum of |w||x| */
    double g = (double)d * U_ROUND / (1.0 - (double)d * U_ROUND) * (1.0 + 2.0 * (double)(d + 8) * U_ROUND);
    for (size_t k = 0; k < n * m; k++)
        B[k] = B[k] * g * (1.0 + 4 * U_ROUND) + 0x1p-1000;
    free(absX), free(absW);
    return PLSTAR_OK;
}

/* Per-thread partial sums over a range of neurons. */
static void accumulate(arb_ptr Ksum, arb_ptr Fsum, const double *Z, const double *B, const double *v, size_t n,
                       size_t m, size_t j0, size_t j1, plstar_act act, slong prec)
{
    arb_ptr s0 = _arb_vec_init((slong)n), s1 = _arb_vec_init((slong)n);
    arb_t z;
    arb_init(z);
    for (size_t j = j0; j < j1; j++) {
        for (size_t i = 0; i < n; i++) {
            arf_set_d(arb_midref(z), Z[i * m + j]);
            mag_set_d(arb_radref(z), B[i * m + j]);
            act_eval_arb(act, Fsum ? s0 + i : NULL, Ksum ? s1 + i : NULL, NULL, z, prec);
            if (Fsum) {
                if (v[j] > 0)
                    arb_add(Fsum + i, Fsum + i, s0 + i, prec);
                else
                    arb_sub(Fsum + i, Fsum + i, s0 + i, prec);
            }
        }
        if (Ksum)
            for (size_t i = 0; i < n; i++)
                for (size_t k = i; k < n; k++)
                    arb_addmul(Ksum + i * n + k, s1 + i, s1 + k, prec);
    }
    arb_clear(z);
    _arb_vec_clear(s0, (slong)n), _arb_vec_clear(s1, (slong)n);
}

static void finish(arb_mat_t K, arb_mat_t F, arb_srcptr Ksum, arb_srcptr Fsum, const double *X, size_t n, size_t m,
                   size_t d, slong prec)
{
    arb_t t, g, xk;
    arb_init(t), arb_init(g), arb_init(xk);
    if (K)
        for (size_t i = 0; i < n; i++)
            for (size_t k = i; k < n; k++) {
                arb_zero(g); /* g = x_iᵀx_k */
                for (size_t a = 0; a < d; a++) {
                    arb_set_d(t, X[i * d + a]);
                    arb_set_d(xk, X[k * d + a]);
                    arb_addmul(g, t, xk, prec);
                }
                arb_mul(t, Ksum + i * n + k, g, prec);
                arb_div_ui(arb_mat_entry(K, i, k), t, m, prec);
                arb_set(arb_mat_entry(K, k, i), arb_mat_entry(K, i, k));
            }
    if (F) {
        arb_rsqrt_ui(t, m, prec);
        for (size_t i = 0; i < n; i++)
            arb_mul(arb_mat_entry(F, i, 0), Fsum + i, t, prec);
    }
    arb_clear(t), arb_clear(g), arb_clear(xk);
}

int ref_shallow_kernel_outputs(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n,
                               const double *w, slong prec)
{
    if (m->kind != MODEL_SHALLOW)
        return plstar_error(PLSTAR_EUSAGE, "ref_shallow_kernel_outputs needs a shallow model");
    size_t width = m->layers[0].out, d = m->input_dim, count;
    if (!plstar_size_mul(&count, n, width, sizeof(double)))
        return plstar_error(PLSTAR_ESOFTWARE, "size overflow");
    double *Z = malloc(count), *B = malloc(count);
    int st = (!Z || !B) ? plstar_error(PLSTAR_ESOFTWARE, "out of memory (%zu x %zu pre-activations)", n, width)
                        : preactivations(Z, B, X, w, n, width, d);
    if (st) {
        free(Z), free(B);
        return st;
    }
    int threads = omp_get_max_threads();
    arb_ptr Ks = _arb_vec_init((slong)(threads * n * n)), Fs = _arb_vec_init((slong)(threads * n));
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num(), T = omp_get_num_threads();
        size_t j0 = width * (size_t)t / (size_t)T, j1 = width * (size_t)(t + 1) / (size_t)T;
        accumulate(K ? Ks + (size_t)t * n * n : NULL, F ? Fs + (size_t)t * n : NULL, Z, B, m->layers[1].fixed, n,
                   width, j0, j1, m->layers[0].act, prec);
        if (t != 0)
            flint_cleanup(); /* worker threads: free Arb caches */
    }
    for (int t = 1; t < threads; t++) {
        _arb_vec_add(Ks, Ks, Ks + (size_t)t * n * n, (slong)(n * n), prec);
        _arb_vec_add(Fs, Fs, Fs + (size_t)t * n, (slong)n, prec);
    }
    finish(K, F, Ks, Fs, X, n, width, d, prec);
    _arb_vec_clear(Ks, (slong)(threads * n * n)), _arb_vec_clear(Fs, (slong)(threads * n));
    free(Z), free(B);
    return PLSTAR_OK;
}

int ref_kernel_outputs_best(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n,
                            const double *w, slong prec)
{
    if (m->kind == MODEL_SHALLOW)
        return ref_shallow_kernel_outputs(K, F, m, X, n, w, prec);
    return ref_kernel_outputs(K, F, m, X, n, w, prec);
}

#include "reference/shallow.h"
#include "core/error.h"
#include "core/progress.h"
#include "reference/network.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define U_ROUND (DBL_EPSILON / 2)
#define BLOCK 64 /* neurons per block: the kernel sums over a block are one arb_dot per pair */

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

/* Where the pre-activation balls z_ij come from: the GEMM values and bounds
 * (Z, B, n × m), or Arb dot products of the exact inputs (Xa, n × d balls). */
typedef struct {
    const double *Z, *B;
    arb_srcptr Xa;
    const double *W, *v; /* m × d weights, m output signs */
    size_t n, m, d;
    plstar_act act;
} shallow_source;

/* z = w_jᵀx_i, enclosed. wj holds the row j as balls when Xa is set. */
static void preactivation(arb_t z, const shallow_source *s, arb_srcptr wj, size_t i, size_t j, slong prec)
{
    if (s->Xa) {
        arb_dot(z, NULL, 0, s->Xa + i * s->d, 1, wj, 1, (slong)s->d, prec);
        return;
    }
    arf_set_d(arb_midref(z), s->Z[i * s->m + j]);
    mag_set_d(arb_radref(z), s->B[i * s->m + j]);
}

/* Per-thread partial sums over the neurons j0 ≤ j < j1, a block at a time:
 * s0, s1 hold σ, σ′ as n rows of BLOCK, v the block's output signs. The
 * thread that owns `pr` (thread 0) reports its share times `threads`, the
 * others' shares being the same size. */
static void accumulate(arb_ptr Ksum, arb_ptr Fsum, const shallow_source *s, size_t j0, size_t j1, slong prec,
                       plstar_progress *pr, size_t threads)
{
    size_t n = s->n;
    arb_ptr s0 = _arb_vec_init((slong)(n * BLOCK)), s1 = _arb_vec_init((slong)(n * BLOCK));
    arb_ptr v = _arb_vec_init(BLOCK), wj = _arb_vec_init((slong)s->d);
    arb_t z;
    arb_init(z);
    for (size_t b0 = j0; b0 < j1; b0 += BLOCK) {
        size_t len = j1 - b0 < BLOCK ? j1 - b0 : BLOCK;
        for (size_t b = 0; b < len; b++) {
            size_t j = b0 + b;
            arb_set_d(v + b, s->v[j]);
            for (size_t a = 0; s->Xa && a < s->d; a++)
                arb_set_d(wj + a, s->W[j * s->d + a]);
            for (size_t i = 0; i < n; i++) {
                preactivation(z, s, wj, i, j, prec);
                plstar_act_eval_arb(s->act, Fsum ? s0 + i * BLOCK + b : NULL, Ksum ? s1 + i * BLOCK + b : NULL, NULL, z,
                                    prec);
            }
        }
        for (size_t i = 0; Fsum && i < n; i++)
            arb_dot(Fsum + i, Fsum + i, 0, s0 + i * BLOCK, 1, v, 1, (slong)len, prec);
        for (size_t i = 0; Ksum && i < n; i++)
            for (size_t k = i; k < n; k++)
                arb_dot(Ksum + i * n + k, Ksum + i * n + k, 0, s1 + i * BLOCK, 1, s1 + k * BLOCK, 1, (slong)len,
                        prec);
        if (pr)
            plstar_progress_update(pr, (b0 + len - j0) * threads);
    }
    arb_clear(z);
    _arb_vec_clear(s0, (slong)(n * BLOCK)), _arb_vec_clear(s1, (slong)(n * BLOCK));
    _arb_vec_clear(v, BLOCK), _arb_vec_clear(wj, (slong)s->d);
}

/* K_ik = Ksum_ik · x_iᵀx_k / m and F = Fsum/√m. */
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

/* The neuron sums of s over all threads, then finish(). */
static void stream(arb_mat_t K, arb_mat_t F, const shallow_source *s, const double *X, slong prec)
{
    size_t n = s->n, width = s->m;
    int threads = omp_get_max_threads();
    arb_ptr Ks = _arb_vec_init((slong)(threads * n * n)), Fs = _arb_vec_init((slong)(threads * n));
    plstar_progress pr;
    plstar_progress_begin(&pr, "reference kernel (shallow)", "neurons", width);
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num(), T = omp_get_num_threads();
        size_t j0 = width * (size_t)t / (size_t)T, j1 = width * (size_t)(t + 1) / (size_t)T;
        accumulate(K ? Ks + (size_t)t * n * n : NULL, F ? Fs + (size_t)t * n : NULL, s, j0, j1, prec,
                   t == 0 ? &pr : NULL, (size_t)T);
        if (t != 0)
            flint_cleanup(); /* worker threads: free Arb caches */
    }
    for (int t = 1; t < threads; t++) {
        _arb_vec_add(Ks, Ks, Ks + (size_t)t * n * n, (slong)(n * n), prec);
        _arb_vec_add(Fs, Fs, Fs + (size_t)t * n, (slong)n, prec);
    }
    plstar_progress_end(&pr);
    finish(K, F, Ks, Fs, X, n, width, s->d, prec);
    _arb_vec_clear(Ks, (slong)(threads * n * n)), _arb_vec_clear(Fs, (slong)(threads * n));
}

static int check_shallow(const plstar_model *m, const char *who)
{
    return m->kind == MODEL_SHALLOW ? PLSTAR_OK : plstar_error(PLSTAR_EUSAGE, "%s needs a shallow model", who);
}

static shallow_source source_of(const plstar_model *m, size_t n, const double *w)
{
    return (shallow_source){.W = w, .v = m->layers[1].fixed, .n = n, .m = m->layers[0].out, .d = m->input_dim,
                            .act = m->layers[0].act};
}

int plstar_ref_shallow_kernel_outputs_arb(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n,
                                          const double *w, slong prec)
{
    int st = check_shallow(m, "plstar_ref_shallow_kernel_outputs_arb");
    if (st)
        return st;
    shallow_source s = source_of(m, n, w);
    arb_ptr Xa = _arb_vec_init((slong)(n * s.d));
    for (size_t k = 0; k < n * s.d; k++)
        arb_set_d(Xa + k, X[k]); /* exact */
    s.Xa = Xa;
    stream(K, F, &s, X, prec);
    _arb_vec_clear(Xa, (slong)(n * s.d));
    return PLSTAR_OK;
}

int plstar_ref_shallow_kernel_outputs_dgemm_bound(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X,
                                                  size_t n, const double *w, slong prec)
{
    int st = check_shallow(m, "plstar_ref_shallow_kernel_outputs_dgemm_bound");
    if (st)
        return st;
    shallow_source s = source_of(m, n, w);
    size_t count;
    if (!plstar_size_mul(&count, n, s.m, sizeof(double)))
        return plstar_error(PLSTAR_ESOFTWARE, "size overflow");
    double *Z = malloc(count), *B = malloc(count);
    st = (!Z || !B) ? plstar_error(PLSTAR_ESOFTWARE, "out of memory (%zu x %zu pre-activations)", n, s.m)
                    : preactivations(Z, B, X, w, n, s.m, s.d);
    if (!st) {
        s.Z = Z, s.B = B;
        stream(K, F, &s, X, prec);
    }
    free(Z), free(B);
    return st;
}

static ref_kernel_route forced = REF_ROUTE_CALLER;

static const char *const route_names[] = {"caller", "auto", "arb", "dgemm-bound"};

int plstar_ref_kernel_route_force(const char *name)
{
    if (!name) {
        forced = REF_ROUTE_CALLER;
        return 0;
    }
    for (int k = REF_ROUTE_AUTO; k <= REF_ROUTE_DGEMM_BOUND; k++)
        if (!strcmp(name, route_names[k])) {
            forced = (ref_kernel_route)k;
            return 0;
        }
    return -1;
}

const char *plstar_ref_kernel_route_name(ref_kernel_route r)
{
    return r >= REF_ROUTE_CALLER && r <= REF_ROUTE_DGEMM_BOUND ? route_names[r] : "unknown";
}

ref_kernel_route plstar_ref_kernel_route_pick(const plstar_model *m, size_t n, ref_kernel_route request)
{
    ref_kernel_route r = forced != REF_ROUTE_CALLER ? forced : request;
    if (m->kind != MODEL_SHALLOW)
        return REF_ROUTE_ARB;
    if (r == REF_ROUTE_AUTO) /* the Arb route's extra cost over the GEMM one: n·d dot terms per neuron */
        return (double)m->layers[0].out * (double)n * (double)m->input_dim > REF_ROUTE_ARB_WORK_MAX
                   ? REF_ROUTE_DGEMM_BOUND
                   : REF_ROUTE_ARB;
    return r == REF_ROUTE_DGEMM_BOUND ? REF_ROUTE_DGEMM_BOUND : REF_ROUTE_ARB;
}

const char *plstar_ref_kernel_route_used(const plstar_model *m, size_t n, ref_kernel_route request)
{
    return plstar_ref_kernel_route_name(plstar_ref_kernel_route_pick(m, n, request));
}

int plstar_ref_kernel_outputs_route(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n,
                                    const double *w, slong prec, ref_kernel_route request)
{
    if (m->kind != MODEL_SHALLOW)
        return plstar_ref_kernel_outputs(K, F, m, X, n, w, prec);
    return plstar_ref_kernel_route_pick(m, n, request) == REF_ROUTE_DGEMM_BOUND
               ? plstar_ref_shallow_kernel_outputs_dgemm_bound(K, F, m, X, n, w, prec)
               : plstar_ref_shallow_kernel_outputs_arb(K, F, m, X, n, w, prec);
}

int plstar_ref_kernel_outputs_best(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n,
                                   const double *w, slong prec)
{
    return plstar_ref_kernel_outputs_route(K, F, m, X, n, w, prec, REF_ROUTE_ARB);
}

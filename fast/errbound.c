#include "fast/errbound.h"
#include "fast/network.h"
#include "core/error.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define U_ROUND (DBL_EPSILON / 2)
#define FLOOR_ABS 0x1p-1000

static double gamma_k(size_t k) { return (double)k * U_ROUND / (1.0 - (double)k * U_ROUND) * (1.0 + 4 * U_ROUND); }

/* Upper bound from a nearest-rounded sum of k non-negative terms. */
static double up(double x, size_t k) { return x * (1.0 + 2.0 * (double)(k + 8) * U_ROUND) + FLOOR_ABS; }

static double *nalloc(size_t rows, size_t cols)
{
    size_t bytes;
    if (!plstar_size_mul(&bytes, rows, cols, sizeof(double)))
        return NULL;
    return calloc(1, bytes ? bytes : 1);
}

static double *abs_copy(const double *x, size_t len)
{
    double *y = nalloc(len, 1);
    if (y)
        for (size_t k = 0; k < len; k++)
            y[k] = fabs(x[k]);
    return y;
}

/* C = A Bᵀ (trans_b) or A B for non-negative row-major A (r × k), B. */
static void gemm_nn(double *C, const double *A, const double *B, size_t r, size_t k, size_t c, int trans_b, double beta)
{
    cblas_dgemm(CblasRowMajor, CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)r, (int)c, (int)k, 1.0, A,
                (int)k, B, trans_b ? (int)k : (int)c, beta, C, (int)c);
}

/* Upper bound on the exact 1/√s. */
static double scale_up(const plstar_layer *L) { return fast_layer_scale(L) * (1.0 + 4 * U_ROUND); }

typedef struct {
    double **eZ, **eA, **eS; /* per layer, n × out */
} fwd_errors;

static int forward_errors(fwd_errors *E, const fast_forward_state *s, const plstar_model *m, const double *X,
                          size_t n, const double *w)
{
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        size_t in = L->in, out = L->out, total = n * out;
        const double *prev = l ? s->a[l - 1] : X;
        double *absW = abs_copy(fast_layer_weights(m, l, w), in * out);
        double *absPrev = abs_copy(prev, n * in);
        double *T = nalloc(n, out);
        E->eZ[l] = nalloc(n, out), E->eA[l] = nalloc(n, out), E->eS[l] = nalloc(n, out);
        if (!absW || !absPrev || !T || !E->eZ[l] || !E->eA[l] || !E->eS[l]) {
            free(absW), free(absPrev), free(T);
            return plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
        }
        double sp = scale_up(L), g = gamma_k(in + 5);
        gemm_nn(T, absPrev, absW, n, in, out, 1, 0.0);
        for (size_t k = 0; k < total; k++) {
            double b = L->has_bias ? fabs(w[L->b_offset + k % out]) : 0.0;
            E->eZ[l][k] = up(g * (sp * up(T[k], in) + b), 4);
        }
        if (l) { /* propagated input error: s⁺|W| e_α */
            gemm_nn(T, E->eA[l - 1], absW, n, in, out, 1, 0.0);
            for (size_t k = 0; k < total; k++)
                E->eZ[l][k] = up(E->eZ[l][k] + sp * up(T[k], in), 2);
        }
        double L1 = act_sup_d1(L->act), L2 = act_sup_d2(L->act);
        int kink = !act_twice_differentiable(L->act);
        for (size_t k = 0; k < total; k++) {
            double e0, e1, ez = E->eZ[l][k], z = s->z[l][k];
            act_err_d(L->act, z, s->a[l][k], s->s1[l][k], &e0, &e1);
            E->eA[l][k] = up(e0 + L1 * ez, 2);
            /* a first-order activation's σ′ is piecewise constant: it can jump
             * only if the exact z may lie on the other side of 0 */
            double jump = (ez > 0 && fabs(z) <= ez) ? 1.0 : 0.0;
            E->eS[l][k] = up(e1 + (kink ? jump : L2 * ez), 2);
        }
        free(absW), free(absPrev), free(T);
    }
    return PLSTAR_OK;
}

/* Backward pass with errors: seeds (R × c) with errors eseeds (or NULL).
 * Fills D[l] (values) and eD[l] (bounds). */
static int backward_errors(double **D, double **eD, const fast_forward_state *s, const fwd_errors *E,
                           const plstar_model *m, const double *w, const double *seeds, const double *eseeds,
                           size_t q)
{
    size_t n = s->n, c = m->outputs, R = n * q, last = m->nlayers - 1;
    D[last] = nalloc(R, c), eD[last] = nalloc(R, c);
    if (!D[last] || !eD[last])
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
    for (size_t r = 0; r < R; r++)
        for (size_t k = 0; k < c; k++) {
            size_t at = (r / q) * c + k;
            double sd = seeds[r * c + k], es = eseeds ? eseeds[r * c + k] : 0.0;
            D[last][r * c + k] = sd * s->s1[last][at];
            eD[last][r * c + k] = up(U_ROUND * fabs(D[last][r * c + k]) + es * fabs(s->s1[last][at]) +
                                         (fabs(sd) + es) * E->eS[last][at], 3);
        }
    for (size_t l = last; l-- > 0;) {
        const plstar_layer *Ln = &m->layers[l + 1];
        size_t out = m->layers[l].out, k = Ln->out;
        const double *W = fast_layer_weights(m, l + 1, w);
        double *absW = abs_copy(W, Ln->in * k), *absD = abs_copy(D[l + 1], R * k);
        double *G = nalloc(R, out), *T1 = nalloc(R, out), *T2 = nalloc(R, out);
        D[l] = nalloc(R, out), eD[l] = nalloc(R, out);
        int ok = absW && absD && G && T1 && T2 && D[l] && eD[l];
        if (ok) {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)R, (int)out, (int)k, fast_layer_scale(Ln),
                        D[l + 1], (int)k, W, (int)Ln->in, 0.0, G, (int)out);
            gemm_nn(T1, absD, absW, R, k, out, 0, 0.0);
            gemm_nn(T2, eD[l + 1], absW, R, k, out, 0, 0.0);
            double sp = scale_up(Ln), g = gamma_k(k + 3);
            for (size_t r = 0; r < R; r++)
                for (size_t a = 0; a < out; a++) {
                    size_t at = (r / q) * out + a, ix = r * out + a;
                    double eG = up(g * sp * up(T1[ix], k) + sp * up(T2[ix], k), 3);
                    D[l][ix] = G[ix] * s->s1[l][at];
                    eD[l][ix] = up(U_ROUND * fabs(D[l][ix]) + eG * fabs(s->s1[l][at]) +
                                       (fabs(G[ix]) + eG) * E->eS[l][at], 3);
                }
        }
        free(absW), free(absD), free(G), free(T1), free(T2);
        if (!ok)
            return plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
    }
    return PLSTAR_OK;
}

static void jacobian_errors(double *eJ, double *absJ, const plstar_model *m, double **D, double **eD,
                            const fast_forward_state *s, const fwd_errors *E, const double *X, size_t n)
{
    size_t c = m->outputs, N = n * c, P = m->nparams;
    double g4 = gamma_k(4);
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        if (!L->trainable)
            continue;
        const double *prev = l ? s->a[l - 1] : X;
        const double *eprev = l ? E->eA[l - 1] : NULL;
        double sp = scale_up(L);
        for (size_t r = 0; r < N; r++) {
            size_t i = r / c;
            for (size_t a = 0; a < L->out; a++) {
                double d = fabs(D[l][r * L->out + a]), ed = eD[l][r * L->out + a];
                for (size_t b = 0; b < L->in; b++) {
                    double x = fabs(prev[i * L->in + b]), ex = eprev ? eprev[i * L->in + b] : 0.0;
                    size_t at = r * P + L->w_offset + a * L->in + b;
                    eJ[at] = up(g4 * sp * d * x + sp * (ed * x + (d + ed) * ex), 4);
                    absJ[at] = fabs(D[l][r * L->out + a] * fast_layer_scale(L) * prev[i * L->in + b]);
                }
                if (L->has_bias) {
                    eJ[r * P + L->b_offset + a] = ed;
                    absJ[r * P + L->b_offset + a] = d;
                }
            }
        }
    }
}

static void kernel_errors(double *eK, const double *absJ, const double *eJ, size_t N, size_t P)
{
    double *T = nalloc(N, N), *S = nalloc(N, P);
    for (size_t k = 0; k < N * P; k++)
        S[k] = absJ[k] + eJ[k];
    gemm_nn(eK, absJ, absJ, N, P, N, 1, 0.0);
    double g = gamma_k(P);
    for (size_t k = 0; k < N * N; k++)
        eK[k] = g * up(eK[k], P);
    gemm_nn(T, absJ, eJ, N, P, N, 1, 0.0);
    for (size_t k = 0; k < N * N; k++)
        eK[k] += up(T[k], P);
    gemm_nn(T, eJ, S, N, P, N, 1, 0.0);
    for (size_t k = 0; k < N * N; k++)
        eK[k] = up(eK[k] + up(T[k], P), 3);
    free(T), free(S);
}

/* Loss and gradient errors: residual r̂ = F̂ − y, then the gradient's backward pass. */
static int loss_grad_errors(fast_errors *out, const fast_forward_state *s, const fwd_errors *E,
                            const plstar_model *m, const double *X, size_t n, const double *w, const double *y)
{
    size_t c = m->outputs, N = n * c, last = m->nlayers - 1;
    double *r = nalloc(N, 1), *er = nalloc(N, 1);
    if (!r || !er) {
        free(r), free(er);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
    }
    double sum = 0.0, cross = 0.0, sq = 0.0;
    for (size_t k = 0; k < N; k++) {
        r[k] = s->a[last][k] - y[k];
        er[k] = up(E->eA[last][k] + U_ROUND * fabs(r[k]), 2);
        sum += r[k] * r[k], cross += fabs(r[k]) * er[k], sq += er[k] * er[k];
    }
    if (out->loss)
        *out->loss = up(gamma_k(N + 2) * 0.5 * up(sum, N) + up(cross, N) + 0.5 * up(sq, N), 3);
    int st = PLSTAR_OK;
    if (out->grad) {
        double **D = calloc(m->nlayers, sizeof(double *)), **eD = calloc(m->nlayers, sizeof(double *));
        st = (D && eD) ? backward_errors(D, eD, s, E, m, w, r, er, 1)
                       : plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
        for (size_t l = 0; !st && l < m->nlayers; l++) {
            const plstar_layer *L = &m->layers[l];
            if (!L->trainable)
                continue;
            const double *prev = l ? s->a[l - 1] : X;
            const double *eprev = l ? E->eA[l - 1] : NULL;
            double sp = scale_up(L), g = gamma_k(n + 3);
            for (size_t a = 0; a < L->out; a++) {
                for (size_t b = 0; b < L->in; b++) {
                    double t1 = 0, t2 = 0;
                    for (size_t i = 0; i < n; i++) {
                        double d = fabs(D[l][i * L->out + a]), ed = eD[l][i * L->out + a];
                        double x = fabs(prev[i * L->in + b]), ex = eprev ? eprev[i * L->in + b] : 0.0;
                        t1 += d * x;
                        t2 += ed * x + (d + ed) * ex;
                    }
                    out->grad[L->w_offset + a * L->in + b] = up(g * sp * up(t1, n) + sp * up(t2, 2 * n), 3);
                }
                if (L->has_bias) {
                    double t1 = 0, t2 = 0;
                    for (size_t i = 0; i < n; i++)
                        t1 += fabs(D[l][i * L->out + a]), t2 += eD[l][i * L->out + a];
                    out->grad[L->b_offset + a] = up(gamma_k(n) * up(t1, n) + up(t2, n), 2);
                }
            }
        }
        for (size_t l = 0; D && eD && l < m->nlayers; l++)
            free(D[l]), free(eD[l]);
        free(D), free(eD);
    }
    free(r), free(er);
    return st;
}

int fast_errbound(fast_errors *out, const plstar_model *m, const double *X, size_t n,
                  const double *w, const double *y)
{
    size_t c = m->outputs, N = n * c, P = m->nparams, last = m->nlayers - 1;
    fast_forward_state s;
    fast_forward_init(&s);
    fwd_errors E = {calloc(m->nlayers, sizeof(double *)), calloc(m->nlayers, sizeof(double *)),
                    calloc(m->nlayers, sizeof(double *))};
    double **D = calloc(m->nlayers, sizeof(double *)), **eD = calloc(m->nlayers, sizeof(double *));
    double *seeds = NULL, *absJ = NULL, *eJ = NULL;
    int st = (E.eZ && E.eA && E.eS && D && eD) ? fast_forward(&s, m, X, n, w)
                                               : plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
    if (!st)
        st = forward_errors(&E, &s, m, X, n, w);
    if (!st && out->F)
        memcpy(out->F, E.eA[last], N * sizeof(double));
    if (!st && (out->J || out->K)) {
        seeds = nalloc(N, c);
        absJ = nalloc(N, P);
        eJ = out->J ? out->J : nalloc(N, P);
        if (!seeds || !absJ || !eJ)
            st = plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds (%zu x %zu Jacobian)", N, P);
        for (size_t r = 0; !st && r < N; r++)
            seeds[r * c + r % c] = 1.0;
        if (!st)
            st = backward_errors(D, eD, &s, &E, m, w, seeds, NULL, c);
        if (!st)
            jacobian_errors(eJ, absJ, m, D, eD, &s, &E, X, n);
        if (!st && out->K)
            kernel_errors(out->K, absJ, eJ, N, P);
    }
    if (!st && (out->loss || out->grad))
        st = loss_grad_errors(out, &s, &E, m, X, n, w, y);
    for (size_t l = 0; l < m->nlayers; l++) {
        if (E.eZ)
            free(E.eZ[l]), free(E.eA[l]), free(E.eS[l]);
        if (D)
            free(D[l]), free(eD[l]);
    }
    free(E.eZ), free(E.eA), free(E.eS), free(D), free(eD), free(seeds), free(absJ);
    if (eJ != out->J)
        free(eJ);
    fast_forward_clear(&s);
    return st;
}

#include "fast/errbound.h"
#include "fast/network.h"
#include "fast/ntk.h"
#include "fast/layer_pass.h"
#include "core/error.h"
#include "verified/rounding.h"
#include "core/layout.h"
#include "layers/layer.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define U_ROUND (DBL_EPSILON / 2)
#define FLOOR_ABS 0x1p-1000

/* The underflow allowance of k roundings whose errors the factor 1 + γ may amplify. */
static double eta_k(const fast_arith *ar, size_t k, double g) { return ar->tiny * (double)k * (1.0 + g); }

/* *p = max(*p, v); a NaN makes the peak NaN (out of every range). */
static void peak(double *p, double v)
{
    if (!(v <= *p))
        *p = v;
}

static double row_abs_sum(const double *x, size_t len)
{
    double s = 0;
    for (size_t k = 0; k < len; k++)
        s += fabs(x[k]);
    return sum_up(s, len);
}

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
static double scale_up(const plstar_layer *L) { return plstar_layer_scale(L) * (1.0 + 4 * U_ROUND); }

typedef struct {
    double **eZ, **eA, **eS; /* per layer, n × out */
    const fast_arith *ar;    /* the arithmetic bounded */
    int sided;               /* the caller decides where σ′ may jump (plstar_fast_errbound_sided) */
    const double *const *sigma1;
    double peak;             /* of the forward pass (fast_errors.peak_F) */
} fwd_errors;

/* plstar_act_err_d bounds this library's double formulas; for unit roundoff u its relative terms scale
 * with u. With any_formulas, add what the other standard formulas cost, in absolute terms
 * (plstar_act_err_any_formula, × u; derived in each activation's descriptor, core/act_*.c). */
static void act_err_u(const fast_arith *ar, plstar_act act, double z, double s0, double s1, double *e0,
                      double *e1)
{
    plstar_act_err_d(act, z, s0, s1, e0, e1);
    if (ar->u != U_ROUND)
        *e0 = sum_up(*e0 * (ar->u / U_ROUND), 1), *e1 = sum_up(*e1 * (ar->u / U_ROUND), 1);
    if (ar->any_formulas && (unsigned)act < ACT_COUNT) {
        double b0, b1;
        plstar_act_err_any_formula(act, z, &b0, &b1);
        *e0 = sum_up(*e0 + b0 * ar->u, 2), *e1 = sum_up(*e1 + b1 * ar->u, 2);
    }
}

static int forward_errors(fwd_errors *E, const fast_forward_state *s, const plstar_model *m, const double *X,
                          size_t n, const double *w)
{
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        size_t in = L->in, out = L->out, total = n * out;
        const double *prev = l ? s->a[l - 1] : X;
        double *absW = abs_copy(plstar_layer_weights(m, l, w), in * out);
        double *absPrev = abs_copy(prev, n * in);
        double *T = nalloc(n, out), *T2 = nalloc(n, out);
        E->eZ[l] = nalloc(n, out), E->eA[l] = nalloc(n, out), E->eS[l] = nalloc(n, out);
        if (!absW || !absPrev || !T || !T2 || !E->eZ[l] || !E->eA[l] || !E->eS[l]) {
            free(absW), free(absPrev), free(T), free(T2);
            return plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
        }
        /* rounded inputs: W off by u relative (and at layer 0 X too), two more roundings each,
         * and by tiny absolute: s⁺η(Σ_b|α̂_b| + Σ_b|W_ab| at layer 0) + η for the bias */
        const fast_arith *ar = E->ar;
        size_t extra = ar->inputs_rounded ? (l ? 2 : 4) : 0;
        double sp = scale_up(L), g = gamma_up((double)(in + 5 + extra), ar->u), ux = ar->inputs_rounded ? ar->u : 0.0;
        gemm_nn(T, absPrev, absW, n, in, out, 1, 0.0);
        if (l) /* the propagated input error s⁺|W| e_α */
            gemm_nn(T2, E->eA[l - 1], absW, n, in, out, 1, 0.0);
        for (size_t k = 0; k < total; k++) {
            size_t i = k / out, a = k % out;
            double b = L->has_bias ? fabs(w[L->b_offset + a]) : 0.0, under = eta_k(ar, in + 5 + extra, g);
            if (ar->inputs_rounded && ar->tiny > 0) {
                double sums = row_abs_sum(absPrev + i * in, in) + (l ? 0.0 : row_abs_sum(absW + a * in, in));
                under += ar->tiny * (sp * sums + 1.0);
            }
            double t = sum_up(T[k], in), t2 = sum_up(T2[k], in);
            E->eZ[l][k] = sum_up(g * (sp * t + b) + under + sp * t2, 7);
            /* the partial sums of Ŵ α̂ in any order, unscaled (|α̂| ≤ |α| + e_α), then ẑ */
            peak(&E->peak, sum_up((1.0 + g) * (1.0 + 2 * ux) * (t + t2), 4) + E->eZ[l][k]);
            peak(&E->peak, sum_up(sp * t + b + E->eZ[l][k], 3));
        }
        for (size_t k = 0; k < in * out; k++) /* the rounded weights */
            peak(&E->peak, absW[k] * (1.0 + ux) + ar->tiny);
        for (size_t k = 0; !l && k < n * in; k++) /* the rounded inputs */
            peak(&E->peak, absPrev[k] * (1.0 + ux) + ar->tiny);
        double L1 = plstar_act_sup_d1(L->act), L2 = plstar_act_sup_d2(L->act);
        int kink = !plstar_act_twice_differentiable(L->act);
        for (size_t k = 0; k < total; k++) {
            double e0, e1, ez = E->eZ[l][k], z = s->z[l][k];
            act_err_u(E->ar, L->act, z, s->a[l][k], s->s1[l][k], &e0, &e1);
            E->eA[l][k] = sum_up(e0 + L1 * ez + E->ar->tiny, 3); /* σ̂ may underflow */
            peak(&E->peak, sum_up(fabs(s->a[l][k]) + E->eA[l][k], 2));
            /* a first-order activation's σ′ is piecewise constant: it can jump
             * only if the exact z may lie on the other side of 0 (sided: where
             * the caller says so) */
            int either = E->sided ? E->sigma1 && E->sigma1[l] && E->sigma1[l][k] == FAST_SIGMA1_EITHER
                                  : ez > 0 && fabs(z) <= ez;
            double jump = either ? 1.0 : 0.0;
            E->eS[l][k] = sum_up(e1 + (kink ? jump : L2 * ez) + 2 * E->ar->tiny, 3);
        }
        free(absW), free(absPrev), free(T), free(T2);
    }
    return PLSTAR_OK;
}

/* Backward pass with errors: seeds (R × c) with errors eseeds (or NULL).
 * Fills D[l] (values) and eD[l] (bounds). */
static int backward_errors(double **D, double **eD, double *pk, const fast_forward_state *s, const fwd_errors *E,
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
            eD[last][r * c + k] = sum_up(E->ar->u * fabs(D[last][r * c + k]) + es * fabs(s->s1[last][at]) +
                                         (fabs(sd) + es) * E->eS[last][at] + E->ar->tiny, 4);
            peak(pk, sum_up(fabs(D[last][r * c + k]) + eD[last][r * c + k], 2));
            peak(pk, sum_up(fabs(sd) + es, 2));
        }
    for (size_t l = last; l-- > 0;) {
        const plstar_layer *Ln = &m->layers[l + 1];
        size_t out = m->layers[l].out, k = Ln->out;
        const double *W = plstar_layer_weights(m, l + 1, w);
        double *absW = abs_copy(W, Ln->in * k), *absD = abs_copy(D[l + 1], R * k);
        double *G = nalloc(R, out), *T1 = nalloc(R, out), *T2 = nalloc(R, out);
        D[l] = nalloc(R, out), eD[l] = nalloc(R, out);
        int ok = absW && absD && G && T1 && T2 && D[l] && eD[l];
        if (ok) {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)R, (int)out, (int)k, plstar_layer_scale(Ln),
                        D[l + 1], (int)k, W, (int)Ln->in, 0.0, G, (int)out);
            gemm_nn(T1, absD, absW, R, k, out, 0, 0.0);
            gemm_nn(T2, eD[l + 1], absW, R, k, out, 0, 0.0);
            const fast_arith *ar = E->ar;
            size_t rounds = k + 3 + (ar->inputs_rounded ? 2 : 0);
            double sp = scale_up(Ln), g = gamma_up((double)rounds, ar->u), ux = ar->inputs_rounded ? ar->u : 0.0;
            for (size_t r = 0; r < R; r++) {
                /* rounded weights: η|D̂| summed over the layer above */
                double wunder = ar->inputs_rounded ? ar->tiny * sp * row_abs_sum(absD + r * k, k) : 0.0;
                for (size_t a = 0; a < out; a++) {
                    size_t at = (r / q) * out + a, ix = r * out + a;
                    double eG = sum_up(g * sp * sum_up(T1[ix], k) + sp * sum_up(T2[ix], k) + eta_k(ar, rounds, g) + wunder, 5);
                    D[l][ix] = G[ix] * s->s1[l][at];
                    eD[l][ix] = sum_up(ar->u * fabs(D[l][ix]) + eG * fabs(s->s1[l][at]) +
                                       (fabs(G[ix]) + eG) * E->eS[l][at] + ar->tiny, 4);
                    peak(pk, sum_up((1.0 + g) * (1.0 + 2 * ux) * (sum_up(T1[ix], k) + sum_up(T2[ix], k)), 3) + eG);
                    peak(pk, sum_up(fabs(D[l][ix]) + eD[l][ix], 2));
                }
            }
        }
        free(absW), free(absD), free(G), free(T1), free(T2);
        if (!ok)
            return plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
    }
    return PLSTAR_OK;
}

static void jacobian_errors(double *eJ, double *absJ, double *pk, const plstar_model *m, double **D, double **eD,
                            const fast_forward_state *s, const fwd_errors *E, const double *X, size_t n)
{
    size_t c = m->outputs, N = n * c, P = m->nparams;
    double g4 = gamma_up(4, E->ar->u), ux = E->ar->inputs_rounded ? E->ar->u : 0.0;
    double eta_x = E->ar->inputs_rounded ? E->ar->tiny : 0.0, under = eta_k(E->ar, 4, g4);
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
                    double x = fabs(prev[i * L->in + b]), ex = eprev ? eprev[i * L->in + b] : ux * x + eta_x;
                    size_t at = r * P + L->w_offset + a * L->in + b;
                    eJ[at] = sum_up(g4 * sp * d * x + sp * (ed * x + (d + ed) * ex) + under, 5);
                    absJ[at] = fabs(D[l][r * L->out + a] * plstar_layer_scale(L) * prev[i * L->in + b]);
                    peak(pk, sum_up((1.0 + g4) * (d + ed) * (x + ex) * (sp > 1.0 ? sp : 1.0), 3) + eJ[at]);
                }
                if (L->has_bias) {
                    eJ[r * P + L->b_offset + a] = ed;
                    absJ[r * P + L->b_offset + a] = d;
                }
            }
        }
    }
}

static void kernel_errors(double *eK, double *pk, const double *absJ, const double *eJ, size_t N, size_t P,
                          const fast_arith *ar)
{
    double *T = nalloc(N, N), *S = nalloc(N, P), gmax = 0, emax = 0;
    for (size_t k = 0; k < N * P; k++)
        S[k] = absJ[k] + eJ[k];
    gemm_nn(eK, absJ, absJ, N, P, N, 1, 0.0);
    double g = gamma_up((double)P, ar->u), under = eta_k(ar, P, g);
    for (size_t k = 0; k < N * N; k++) {
        peak(&gmax, sum_up(eK[k], P));
        eK[k] = g * sum_up(eK[k], P);
    }
    gemm_nn(T, absJ, eJ, N, P, N, 1, 0.0);
    for (size_t k = 0; k < N * N; k++)
        eK[k] += sum_up(T[k], P);
    gemm_nn(T, eJ, S, N, P, N, 1, 0.0);
    for (size_t k = 0; k < N * N; k++) {
        eK[k] = sum_up(eK[k] + sum_up(T[k], P) + under, 4);
        peak(&emax, eK[k]);
    }
    /* partial sums of Ĵ Ĵᵀ: at most (|J| + e_J)(|J| + e_J)ᵀ ≤ |J||J|ᵀ + e_K, each rounded */
    peak(pk, sum_up((1.0 + g) * (gmax + emax), 2));
    free(T), free(S);
}

/* Loss and gradient errors: residual r̂ = F̂ − y, then the gradient's backward pass. */
static int loss_grad_errors(fast_errors *out, double *pk, const fast_forward_state *s, const fwd_errors *E,
                            const plstar_model *m, const double *X, size_t n, const double *w, const double *y)
{
    size_t c = m->outputs, N = n * c, last = m->nlayers - 1;
    double *r = nalloc(N, 1), *er = nalloc(N, 1);
    if (!r || !er) {
        free(r), free(er);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
    }
    double sum = 0.0, cross = 0.0, sq = 0.0, u = E->ar->u, ux = E->ar->inputs_rounded ? u : 0.0;
    double eta = E->ar->tiny, eta_y = E->ar->inputs_rounded ? eta : 0.0;
    for (size_t k = 0; k < N; k++) {
        r[k] = s->a[last][k] - y[k];
        er[k] = sum_up(E->eA[last][k] + u * fabs(r[k]) + ux * fabs(y[k]) + eta_y + eta, 5);
        sum += r[k] * r[k], cross += fabs(r[k]) * er[k], sq += er[k] * er[k];
        peak(pk, sum_up(fabs(y[k]) * (1.0 + ux) + eta_y, 2));
        peak(pk, sum_up(fabs(r[k]) + er[k], 2));
    }
    double gN = gamma_up((double)(N + 2), u);
    peak(pk, sum_up((1.0 + gN) * (sum_up(sum, N) + 2 * sum_up(cross, N) + sum_up(sq, N)), 4));
    if (out->loss)
        *out->loss = sum_up(gN * 0.5 * sum_up(sum, N) + sum_up(cross, N) + 0.5 * sum_up(sq, N) + eta_k(E->ar, N + 2, gN), 4);
    int st = PLSTAR_OK;
    if (out->grad) {
        double **D = calloc(m->nlayers, sizeof(double *)), **eD = calloc(m->nlayers, sizeof(double *));
        st = (D && eD) ? backward_errors(D, eD, pk, s, E, m, w, r, er, 1)
                       : plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
        for (size_t l = 0; !st && l < m->nlayers; l++) {
            const plstar_layer *L = &m->layers[l];
            if (!L->trainable)
                continue;
            const double *prev = l ? s->a[l - 1] : X;
            const double *eprev = l ? E->eA[l - 1] : NULL;
            double sp = scale_up(L), g = gamma_up((double)(n + 3), u), gn = gamma_up((double)n, u);
            for (size_t a = 0; a < L->out; a++) {
                for (size_t b = 0; b < L->in; b++) {
                    double t1 = 0, t2 = 0;
                    for (size_t i = 0; i < n; i++) {
                        double d = fabs(D[l][i * L->out + a]), ed = eD[l][i * L->out + a];
                        double x = fabs(prev[i * L->in + b]), ex = eprev ? eprev[i * L->in + b] : ux * x + eta_y;
                        t1 += d * x;
                        t2 += ed * x + (d + ed) * ex;
                    }
                    double eg = sum_up(g * sp * sum_up(t1, n) + sp * sum_up(t2, 2 * n) + eta_k(E->ar, n + 3, g), 4);
                    out->grad[L->w_offset + a * L->in + b] = eg;
                    peak(pk, sum_up((1.0 + g) * (sum_up(t1, n) + sum_up(t2, 2 * n)), 3) + eg);
                }
                if (L->has_bias) {
                    double t1 = 0, t2 = 0;
                    for (size_t i = 0; i < n; i++)
                        t1 += fabs(D[l][i * L->out + a]), t2 += eD[l][i * L->out + a];
                    double eg = sum_up(gn * sum_up(t1, n) + sum_up(t2, n) + eta_k(E->ar, n, gn), 3);
                    out->grad[L->b_offset + a] = eg;
                    peak(pk, sum_up((1.0 + gn) * (sum_up(t1, n) + sum_up(t2, n)), 3) + eg);
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

static int errbound_all(fast_errors *out, fast_peaks *pk, double *eZ, const plstar_model *m, const double *X,
                        size_t n, const double *w, const double *y, const fast_arith *ar, int sided,
                        const double *const *sigma1);

int plstar_fast_errbound(fast_errors *out, const plstar_model *m, const double *X, size_t n,
                         const double *w, const double *y)
{
    static const fast_arith own = {U_ROUND, 0, 0, 0.0};
    return plstar_fast_errbound_u(out, m, X, n, w, y, &own);
}

int plstar_fast_errbound_u(fast_errors *out, const plstar_model *m, const double *X, size_t n,
                           const double *w, const double *y, const fast_arith *ar)
{
    return errbound_all(out, NULL, NULL, m, X, n, w, y, ar, 0, NULL);
}

int plstar_fast_errbound_sided(fast_errors *out, double *eZ, const plstar_model *m, const double *X, size_t n,
                               const double *w, const double *y, const fast_arith *ar, const double *const *sigma1)
{
    return errbound_all(out, NULL, eZ, m, X, n, w, y, ar, 1, sigma1);
}

int plstar_fast_errbound_peaks(fast_errors *out, fast_peaks *peaks, double *eZ, const plstar_model *m, const double *X,
                               size_t n, const double *w, const double *y, const fast_arith *ar, int sided,
                               const double *const *sigma1)
{
    return errbound_all(out, peaks, sided ? eZ : NULL, m, X, n, w, y, ar, sided, sided ? sigma1 : NULL);
}

static int errbound_all(fast_errors *out, fast_peaks *pk, double *eZ, const plstar_model *m, const double *X,
                        size_t n, const double *w, const double *y, const fast_arith *ar, int sided,
                        const double *const *sigma1)
{
    if (layer_model_dense_only(m, "fast error bounds"))
        return PLSTAR_ESOFTWARE;
    fast_peaks none;
    pk = pk ? pk : &none;
    size_t c = m->outputs, N = n * c, P = m->nparams, last = m->nlayers - 1;
    fast_forward_state s;
    plstar_fast_forward_init(&s);
    fwd_errors E = {calloc(m->nlayers, sizeof(double *)), calloc(m->nlayers, sizeof(double *)),
                    calloc(m->nlayers, sizeof(double *)), ar, sided, sigma1, 0.0};
    double **D = calloc(m->nlayers, sizeof(double *)), **eD = calloc(m->nlayers, sizeof(double *));
    double *seeds = NULL, *absJ = NULL, *eJ = NULL;
    int st = (E.eZ && E.eA && E.eS && D && eD) ? plstar_fast_forward(&s, m, X, n, w)
                                               : plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
    for (size_t l = 0; !st && sigma1 && l < m->nlayers; l++) /* the σ′ the caller fixed */
        for (size_t k = 0; sigma1[l] && k < n * m->layers[l].out; k++)
            if (isfinite(sigma1[l][k]))
                s.s1[l][k] = sigma1[l][k];
    if (!st)
        st = forward_errors(&E, &s, m, X, n, w);
    pk->F = pk->J = pk->K = pk->loss = E.peak;
    if (!st && out->F)
        memcpy(out->F, E.eA[last], N * sizeof(double));
    for (size_t l = 0, at = 0; !st && eZ && l < m->nlayers; l++) {
        memcpy(eZ + at, E.eZ[l], n * m->layers[l].out * sizeof(double));
        at += n * m->layers[l].out;
    }
    if (!st && (out->J || out->K)) {
        seeds = nalloc(N, c);
        absJ = nalloc(N, P);
        eJ = out->J ? out->J : nalloc(N, P);
        if (!seeds || !absJ || !eJ)
            st = plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds (%zu x %zu Jacobian)", N, P);
        for (size_t r = 0; !st && r < N; r++)
            seeds[r * c + r % c] = 1.0;
        if (!st)
            st = backward_errors(D, eD, &pk->J, &s, &E, m, w, seeds, NULL, c);
        if (!st)
            jacobian_errors(eJ, absJ, &pk->J, m, D, eD, &s, &E, X, n);
        pk->K = pk->J;
        if (!st && out->K)
            kernel_errors(out->K, &pk->K, absJ, eJ, N, P, ar);
    }
    if (!st && (out->loss || out->grad))
        st = loss_grad_errors(out, &pk->loss, &s, &E, m, X, n, w, y);
    for (size_t l = 0; l < m->nlayers; l++) {
        if (E.eZ)
            free(E.eZ[l]), free(E.eA[l]), free(E.eS[l]);
        if (D)
            free(D[l]), free(eD[l]);
    }
    free(E.eZ), free(E.eA), free(E.eS), free(D), free(eD), free(seeds), free(absJ);
    if (eJ != out->J)
        free(eJ);
    plstar_fast_forward_clear(&s);
    return st;
}

/* G = |M||M|ᵀ and E = |M| eMᵀ + eM(|M| + eM)ᵀ for M (rows × k) with error bounds eM (NULL: M exact),
 * as upper bounds of the exact products (sum_up(·, k) inflation). */
static int gram_bounds(double *G, double *E, const double *M, const double *eM, size_t rows, size_t k)
{
    size_t len = rows * k, sq = rows * rows;
    double *absM = abs_copy(M, len), *S = eM ? nalloc(rows, k) : NULL, *T = eM ? nalloc(rows, rows) : NULL;
    int ok = absM && (!eM || (S && T));
    if (ok) {
        gemm_nn(G, absM, absM, rows, k, rows, 1, 0.0);
        for (size_t t = 0; t < sq; t++)
            G[t] = sum_up(G[t], k);
        if (!eM) {
            memset(E, 0, sq * sizeof(double));
        } else {
            for (size_t t = 0; t < len; t++)
                S[t] = absM[t] + eM[t];
            gemm_nn(E, absM, eM, rows, k, rows, 1, 0.0);
            gemm_nn(T, eM, S, rows, k, rows, 1, 0.0);
            for (size_t t = 0; t < sq; t++)
                E[t] = sum_up(sum_up(E[t], k) + sum_up(T[t], k), 2);
        }
    }
    free(absM), free(S), free(T);
    return ok ? PLSTAR_OK : plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds");
}

int plstar_fast_errbound_kernel_structured(double *eK, const plstar_model *m, const double *X, size_t n,
                                           const double *w)
{
    static const fast_arith own = {U_ROUND, 0, 0, 0.0};
    if (!eK || !m || !X || !w || n == 0 || m->nlayers == 0)
        return plstar_error(PLSTAR_ESOFTWARE, "plstar_fast_errbound_kernel_structured: invalid arguments");
    if (layer_model_dense_only(m, "plstar_fast_errbound_kernel_structured"))
        return PLSTAR_ESOFTWARE;
    size_t c = m->outputs, N = n * c, ntrain = 0;
    for (size_t l = 0; l < m->nlayers; l++)
        ntrain += m->layers[l].trainable != 0;
    fast_forward_state s;
    plstar_fast_forward_init(&s);
    fwd_errors E = {calloc(m->nlayers, sizeof(double *)), calloc(m->nlayers, sizeof(double *)),
                    calloc(m->nlayers, sizeof(double *)), &own, 0, NULL, 0.0};
    double **D = calloc(m->nlayers, sizeof(double *)), **eD = calloc(m->nlayers, sizeof(double *));
    double *seeds = nalloc(N, c), *PD = nalloc(N, N), *ED = nalloc(N, N), *PA = nalloc(n, n), *EA = nalloc(n, n);
    double *S = nalloc(N, N);
    int st = (E.eZ && E.eA && E.eS && D && eD && seeds && PD && ED && PA && EA && S)
                 ? _fast_ntk_forward(&s, m, X, n, w, 1)
                 : plstar_error(PLSTAR_ESOFTWARE, "out of memory for error bounds (%zu x %zu kernel)", N, N);
    if (!st)
        st = forward_errors(&E, &s, m, X, n, w);
    for (size_t r = 0; !st && r < N; r++)
        seeds[r * c + r % c] = 1.0;
    if (!st) /* the same signals as plstar_fast_kernel_structured: unit seeds, the same BLAS calls */
        st = backward_errors(D, eD, &E.peak, &s, &E, m, w, seeds, NULL, c);
    if (!st)
        memset(eK, 0, N * N * sizeof(double));
    double u = U_ROUND, g3 = gamma_up(3, u);
    for (size_t l = 0; !st && l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        if (!L->trainable)
            continue;
        st = gram_bounds(PD, ED, D[l], eD[l], N, L->out);
        if (!st)
            st = gram_bounds(PA, EA, l ? s.a[l - 1] : X, l ? E.eA[l - 1] : NULL, n, L->in);
        if (st)
            break;
        double gout = gamma_up((double)L->out, u), gin = gamma_up((double)L->in, u), bias = L->has_bias ? 1.0 : 0.0;
        /* s²⁺ ≥ 1/s: fl(1/s) is within u of it, relatively */
        double s2 = L->scale_div == 1 ? 1.0 : (1.0 / (double)L->scale_div) * (1.0 + 4 * u);
        for (size_t r = 0; r < N; r++)
            for (size_t r2 = 0; r2 < N; r2++) {
                size_t ij = (r / c) * n + r2 / c, at = r * N + r2;
                double pd = PD[at], pa = PA[ij];
                double edd = sum_up(gout * pd + ED[at], 2), md = sum_up(pd + gout * pd, 2);
                double eaa = sum_up(gin * pa + EA[ij], 2), ma = sum_up(s2 * sum_up(pa + gin * pa, 2) + bias, 2);
                double mg = sum_up(ma + g3 * ma, 2), eg = sum_up(s2 * eaa + g3 * ma, 2);
                double et = sum_up(edd * mg + (md + edd) * eg + u * md * mg, 4);
                eK[at] = sum_up(eK[at] + et, 2);
                S[at] = sum_up(S[at] + sum_up(md * mg, 2), 2);
            }
    }
    if (!st) {
        double gl = gamma_up((double)ntrain, u);
        for (size_t at = 0; at < N * N; at++)
            eK[at] = sum_up(eK[at] + gl * S[at], 2);
    }
    for (size_t l = 0; l < m->nlayers; l++) {
        if (E.eZ)
            free(E.eZ[l]), free(E.eA[l]), free(E.eS[l]);
        if (D)
            free(D[l]), free(eD[l]);
    }
    free(E.eZ), free(E.eA), free(E.eS), free(D), free(eD), free(seeds);
    free(PD), free(ED), free(PA), free(EA), free(S);
    plstar_fast_forward_clear(&s);
    return st;
}

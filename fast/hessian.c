#include "fast/hessian.h"
#include "core/error.h"
#include "core/layout.h"
#include "layers/layer.h"

#include <cblas.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void plstar_fast_hvp_init(fast_hvp_state *s) { memset(s, 0, sizeof *s); }

static void free_list(double **p, size_t count)
{
    if (!p)
        return;
    for (size_t l = 0; l < count; l++)
        free(p[l]);
    free(p);
}

void plstar_fast_hvp_clear(fast_hvp_state *s)
{
    size_t nl = s->m ? s->m->nlayers : 0;
    free_list(s->a, nl + 1);
    free_list(s->s1, nl), free_list(s->s2, nl), free_list(s->eps, nl), free_list(s->delta, nl);
    free_list(s->adot, nl + 1), free_list(s->zdot, nl), free_list(s->ddot, nl), free_list(s->edot, nl);
    plstar_fast_hvp_init(s);
}

int plstar_fast_hvp_prepare(fast_hvp_state *s, const plstar_model *m, const double *x, size_t k, const double *w)
{
    plstar_fast_hvp_clear(s);
    if (!m || !x || !w || k >= m->outputs)
        return plstar_error(PLSTAR_EUSAGE, "plstar_fast_hvp_prepare: bad arguments");
    if (layer_model_dense_only(m, "plstar_fast_hvp_prepare"))
        return PLSTAR_ESOFTWARE;
    size_t nl = m->nlayers, d = m->input_dim;
    s->m = m, s->w = w, s->k = k;
    s->a = calloc(nl + 1, sizeof(double *)), s->adot = calloc(nl + 1, sizeof(double *));
    s->s1 = calloc(nl, sizeof(double *)), s->s2 = calloc(nl, sizeof(double *));
    s->eps = calloc(nl, sizeof(double *)), s->delta = calloc(nl, sizeof(double *));
    s->zdot = calloc(nl, sizeof(double *)), s->ddot = calloc(nl, sizeof(double *));
    s->edot = calloc(nl, sizeof(double *));
    int bad = !s->a || !s->adot || !s->s1 || !s->s2 || !s->eps || !s->delta || !s->zdot || !s->ddot || !s->edot;
    if (!bad) {
        s->a[0] = malloc(d * sizeof(double));
        s->adot[0] = calloc(d, sizeof(double));
        bad = !s->a[0] || !s->adot[0];
        if (!bad)
            memcpy(s->a[0], x, d * sizeof(double));
    }
    for (size_t l = 0; l < nl && !bad; l++) {
        size_t out = m->layers[l].out;
        s->a[l + 1] = malloc(out * sizeof(double)), s->adot[l + 1] = malloc(out * sizeof(double));
        s->s1[l] = malloc(out * sizeof(double)), s->s2[l] = malloc(out * sizeof(double));
        s->eps[l] = malloc(out * sizeof(double)), s->delta[l] = malloc(out * sizeof(double));
        s->zdot[l] = malloc(out * sizeof(double)), s->ddot[l] = malloc(out * sizeof(double));
        s->edot[l] = malloc(out * sizeof(double));
        bad = !s->a[l + 1] || !s->adot[l + 1] || !s->s1[l] || !s->s2[l] || !s->eps[l] || !s->delta[l] ||
              !s->zdot[l] || !s->ddot[l] || !s->edot[l];
    }
    if (bad) {
        plstar_fast_hvp_clear(s);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for Hessian-vector products");
    }
    /* forward and backward of one sample by dgemv, not the batched passes of
     * fast/layer_pass.h: a dgemm with n = 1 may sum in another order, and these
     * passes keep σ″ as well. The values are compared with bounds, not with the
     * kernel's bits. */
    for (size_t l = 0; l < nl; l++) {
        const plstar_layer *L = &m->layers[l];
        double *z = s->a[l + 1];
        if (L->has_bias)
            memcpy(z, w + L->b_offset, L->out * sizeof(double));
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)L->out, (int)L->in, plstar_layer_scale(L),
                    plstar_layer_weights(m, l, w), (int)L->in, s->a[l], 1, L->has_bias ? 1.0 : 0.0, z, 1);
        for (size_t j = 0; j < L->out; j++)
            plstar_act_eval_d(L->act, z[j], &z[j], &s->s1[l][j], &s->s2[l][j]);
    }
    /* backward: ε, δ */
    size_t o = nl - 1;
    memset(s->eps[o], 0, m->outputs * sizeof(double));
    s->eps[o][k] = 1.0;
    for (size_t l = nl; l-- > 0;) {
        const plstar_layer *L = &m->layers[l];
        for (size_t j = 0; j < L->out; j++)
            s->delta[l][j] = s->s1[l][j] * s->eps[l][j];
        if (l > 0)
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)L->out, (int)L->in, plstar_layer_scale(L),
                        plstar_layer_weights(m, l, w), (int)L->in, s->delta[l], 1, 0.0, s->eps[l - 1], 1);
    }
    return PLSTAR_OK;
}

int plstar_fast_hvp(double *Hv, fast_hvp_state *s, const double *v)
{
    const plstar_model *m = s->m;
    size_t nl = m->nlayers, o = nl - 1;
    memset(Hv, 0, m->nparams * sizeof(double));
    /* forward tangent */
    for (size_t l = 0; l < nl; l++) {
        const plstar_layer *L = &m->layers[l];
        double sc = plstar_layer_scale(L), *zd = s->zdot[l];
        if (L->trainable && L->has_bias)
            memcpy(zd, v + L->b_offset, L->out * sizeof(double));
        else
            memset(zd, 0, L->out * sizeof(double));
        if (L->trainable)
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)L->out, (int)L->in, sc, v + L->w_offset, (int)L->in,
                        s->a[l], 1, 1.0, zd, 1);
        if (l > 0)
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)L->out, (int)L->in, sc, plstar_layer_weights(m, l, s->w),
                        (int)L->in, s->adot[l], 1, 1.0, zd, 1);
        for (size_t j = 0; j < L->out; j++)
            s->adot[l + 1][j] = s->s1[l][j] * zd[j];
    }
    /* backward tangent */
    memset(s->edot[o], 0, m->outputs * sizeof(double));
    for (size_t l = nl; l-- > 0;) {
        const plstar_layer *L = &m->layers[l];
        double sc = plstar_layer_scale(L), *dd = s->ddot[l];
        for (size_t j = 0; j < L->out; j++)
            dd[j] = s->s2[l][j] * s->zdot[l][j] * s->eps[l][j] + s->s1[l][j] * s->edot[l][j];
        if (L->trainable) {
            double *HW = Hv + L->w_offset;
            cblas_dger(CblasRowMajor, (int)L->out, (int)L->in, sc, dd, 1, s->a[l], 1, HW, (int)L->in);
            if (l > 0)
                cblas_dger(CblasRowMajor, (int)L->out, (int)L->in, sc, s->delta[l], 1, s->adot[l], 1, HW,
                           (int)L->in);
            if (L->has_bias)
                memcpy(Hv + L->b_offset, dd, L->out * sizeof(double));
        }
        if (l > 0) {
            double *ed = s->edot[l - 1];
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)L->out, (int)L->in, sc, plstar_layer_weights(m, l, s->w),
                        (int)L->in, dd, 1, 0.0, ed, 1);
            if (L->trainable)
                cblas_dgemv(CblasRowMajor, CblasTrans, (int)L->out, (int)L->in, sc, v + L->w_offset, (int)L->in,
                            s->delta[l], 1, 1.0, ed, 1);
        }
    }
    return PLSTAR_OK;
}

int plstar_fast_hessian_full(double *H, const plstar_model *m, const double *x, size_t k, const double *w)
{
    size_t P = m->nparams;
    fast_hvp_state s;
    plstar_fast_hvp_init(&s);
    int st = plstar_fast_hvp_prepare(&s, m, x, k, w);
    double *e = calloc(P, sizeof(double)), *col = malloc(P * sizeof(double));
    if (!st && (!e || !col))
        st = plstar_error(PLSTAR_ESOFTWARE, "out of memory for a Hessian");
    for (size_t j = 0; j < P && !st; j++) {
        e[j] = 1.0;
        plstar_fast_hvp(col, &s, e);
        e[j] = 0.0;
        for (size_t i = 0; i < P; i++)
            H[i * P + j] = col[i];
    }
    if (!st)
        for (size_t i = 0; i < P; i++)
            for (size_t j = 0; j < i; j++)
                H[i * P + j] = H[j * P + i] = 0.5 * (H[i * P + j] + H[j * P + i]);
    free(e), free(col);
    plstar_fast_hvp_clear(&s);
    return st;
}

int plstar_fast_hessian_norm_lanczos(double *norm, const plstar_model *m, const double *x, size_t k, const double *w,
                                     size_t steps, unsigned long seed)
{
    size_t P = m->nparams;
    if (steps > P)
        steps = P;
    if (steps == 0)
        return plstar_error(PLSTAR_EUSAGE, "plstar_fast_hessian_norm_lanczos: no steps");
    fast_hvp_state s;
    plstar_fast_hvp_init(&s);
    int st = plstar_fast_hvp_prepare(&s, m, x, k, w);
    double *q = malloc(P * sizeof(double)), *qp = calloc(P, sizeof(double)), *r = malloc(P * sizeof(double));
    double *al = calloc(steps, sizeof(double)), *be = calloc(steps, sizeof(double));
    if (!st && (!q || !qp || !r || !al || !be))
        st = plstar_error(PLSTAR_ESOFTWARE, "out of memory for Lanczos");
    size_t done = 0;
    if (!st) {
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(g, seed);
        for (size_t i = 0; i < P; i++)
            q[i] = 2.0 * gsl_rng_uniform(g) - 1.0;
        gsl_rng_free(g);
        double nq = cblas_dnrm2((int)P, q, 1);
        cblas_dscal((int)P, 1.0 / nq, q, 1);
        double bprev = 0;
        for (size_t j = 0; j < steps; j++) {
            plstar_fast_hvp(r, &s, q);
            cblas_daxpy((int)P, -bprev, qp, 1, r, 1);
            al[j] = cblas_ddot((int)P, q, 1, r, 1);
            cblas_daxpy((int)P, -al[j], q, 1, r, 1);
            double b = cblas_dnrm2((int)P, r, 1);
            done = j + 1;
            if (j + 1 == steps || b <= 1e-14 * fabs(al[j]) || b == 0)
                break;
            be[j] = b;
            double *t = qp;
            qp = q, q = t;                /* q_{j−1} ← q_j */
            for (size_t i = 0; i < P; i++) /* q_{j+1} = r / b */
                q[i] = r[i] / b;
            bprev = b;
        }
        double *ev = malloc(done * sizeof(double)), *off = malloc((done > 1 ? done - 1 : 1) * sizeof(double));
        memcpy(ev, al, done * sizeof(double));
        if (done > 1)
            memcpy(off, be, (done - 1) * sizeof(double));
        lapack_int info = LAPACKE_dstev(LAPACK_COL_MAJOR, 'N', (lapack_int)done, ev, off, NULL, 1);
        if (info)
            st = plstar_error(PLSTAR_EDATA, "plstar_fast_hessian_norm_lanczos: dstev failed (%d)", (int)info);
        else
            *norm = fmax(fabs(ev[0]), fabs(ev[done - 1]));
        free(ev), free(off);
    }
    free(q), free(qp), free(r), free(al), free(be);
    plstar_fast_hvp_clear(&s);
    return st;
}

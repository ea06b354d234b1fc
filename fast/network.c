#include "fast/network.h"
#include "fast/ntk.h"
#include "fast/layer_pass.h"
#include "core/error.h"
#include "core/layout.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

/* Below this many element-wise operations a parallel region costs more than it saves. */
#define OMP_MIN_WORK 32768

void plstar_fast_forward_init(fast_forward_state *s) { memset(s, 0, sizeof *s); }

void plstar_fast_forward_clear(fast_forward_state *s)
{
    for (size_t l = 0; l < s->nlayers; l++) {
        free(s->z[l]);
        free(s->a[l]);
        free(s->s1[l]);
    }
    free(s->z);
    free(s->a);
    free(s->s1);
    plstar_fast_forward_init(s);
}

/* _fast_ntk_forward keeping z: the kernel, its error bound and the routines
 * below share one forward pass. */
int plstar_fast_forward(fast_forward_state *s, const plstar_model *m, const double *X, size_t n,
                        const double *w)
{
    return _fast_ntk_forward(s, m, X, n, w, 1);
}

int plstar_fast_backward(double **D, const fast_forward_state *s, const plstar_model *m,
                         const double *w, const double *seeds, size_t q)
{
    size_t n = s->n, c = m->outputs, R = n * q, last = m->nlayers - 1;
    for (size_t l = 0; l < m->nlayers; l++)
        D[l] = NULL;
    D[last] = plstar_alloc_matrix(R, c, "back-propagated signals");
    if (!D[last])
        return PLSTAR_ESOFTWARE;
    layer_output_signals(D[last], seeds, s->s1[last], R, q, c);
    for (size_t l = last; l-- > 0;) {
        D[l] = plstar_alloc_matrix(R, m->layers[l].out, "back-propagated signals");
        if (!D[l]) {
            for (size_t k = l + 1; k <= last; k++)
                free(D[k]), D[k] = NULL;
            return PLSTAR_ESOFTWARE;
        }
        layer_backward(D[l], D[l + 1], m, l + 1, w, s->s1[l], R, q);
    }
    return PLSTAR_OK;
}

static void free_signals(double **D, size_t count)
{
    for (size_t l = 0; l < count; l++)
        free(D[l]);
    free(D);
}

int plstar_fast_outputs(double *F, const plstar_model *m, const double *X, size_t n, const double *w)
{
    fast_forward_state s;
    plstar_fast_forward_init(&s);
    int st = plstar_fast_forward(&s, m, X, n, w);
    if (!st)
        memcpy(F, s.a[m->nlayers - 1], n * m->outputs * sizeof(double));
    plstar_fast_forward_clear(&s);
    return st;
}

/* Writes the Jacobian rows of layer l from its signals D (N × out). */
static void jacobian_layer(double *J, const plstar_model *m, size_t l, const double *D,
                           const double *prev, size_t n)
{
    const plstar_layer *L = &m->layers[l];
    size_t c = m->outputs, N = n * c, P = m->nparams;
    double scale = plstar_layer_scale(L);
#pragma omp parallel for if (N * L->out * L->in >= OMP_MIN_WORK) schedule(static)
    for (size_t r = 0; r < N; r++) {
        const double *x = prev + (r / c) * L->in;
        double *row = J + r * P;
        for (size_t a = 0; a < L->out; a++) {
            double d = D[r * L->out + a] * scale;
            double *dst = row + L->w_offset + a * L->in;
            for (size_t b = 0; b < L->in; b++)
                dst[b] = d * x[b];
            if (L->has_bias)
                row[L->b_offset + a] = D[r * L->out + a];
        }
    }
}

/* Unit seeds: row i·c + k of the seed matrix is e_k. */
static double *unit_seeds(size_t n, size_t c)
{
    double *e = plstar_alloc_matrix(n * c, c, "seeds");
    if (!e)
        return NULL;
    memset(e, 0, n * c * c * sizeof(double));
    for (size_t r = 0; r < n * c; r++)
        e[r * c + r % c] = 1.0;
    return e;
}

int plstar_fast_jacobian(double *J, const plstar_model *m, const double *X, size_t n, const double *w)
{
    fast_forward_state s;
    plstar_fast_forward_init(&s);
    double **D = calloc(m->nlayers, sizeof(double *));
    double *seeds = unit_seeds(n, m->outputs);
    int st = (!D || !seeds) ? plstar_error(PLSTAR_ESOFTWARE, "out of memory for the Jacobian") : PLSTAR_OK;
    if (!st)
        st = plstar_fast_forward(&s, m, X, n, w);
    if (!st)
        st = plstar_fast_backward(D, &s, m, w, seeds, m->outputs);
    if (!st)
        for (size_t l = 0; l < m->nlayers; l++)
            if (m->layers[l].trainable)
                jacobian_layer(J, m, l, D[l], l ? s.a[l - 1] : X, n);
    if (D)
        free_signals(D, m->nlayers);
    free(seeds);
    plstar_fast_forward_clear(&s);
    return st;
}

int plstar_fast_kernel_explicit(double *K, const plstar_model *m, const double *X, size_t n, const double *w)
{
    size_t N = n * m->outputs, P = m->nparams;
    double *J = plstar_alloc_matrix(N, P, "Jacobian");
    if (!J)
        return PLSTAR_ESOFTWARE;
    int st = plstar_fast_jacobian(J, m, X, n, w);
    if (!st) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)N, (int)P, 1.0, J, (int)P, 0.0, K, (int)N);
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < i; j++)
                K[i * N + j] = K[j * N + i];
    }
    free(J);
    return st;
}

/* ∇L from the residual signals of the trainable layers. */
static void gradient_layers(double *grad, const plstar_model *m, double **D, const fast_forward_state *s,
                            const double *X, size_t n)
{
    for (size_t l = 0; l < m->nlayers; l++)
        if (m->layers[l].trainable)
            layer_gradient(grad, m, l, D[l], l ? s->a[l - 1] : X, n);
}

int plstar_fast_loss_grad(double *loss, double *grad, const plstar_model *m, const double *X, size_t n,
                          const double *w, const double *y)
{
    size_t N = n * m->outputs;
    fast_forward_state s;
    plstar_fast_forward_init(&s);
    double *r = plstar_alloc_matrix(N, 1, "residual");
    double **D = calloc(m->nlayers, sizeof(double *));
    int st = (!r || !D) ? plstar_error(PLSTAR_ESOFTWARE, "out of memory for the gradient") : PLSTAR_OK;
    if (!st)
        st = plstar_fast_forward(&s, m, X, n, w);
    if (!st) {
        const double *F = s.a[m->nlayers - 1];
        double sum = 0.0;
        for (size_t k = 0; k < N; k++) {
            r[k] = F[k] - y[k];
            sum += r[k] * r[k];
        }
        *loss = 0.5 * sum;
    }
    if (!st && grad)
        st = plstar_fast_backward(D, &s, m, w, r, 1);
    if (!st && grad)
        gradient_layers(grad, m, D, &s, X, n);
    if (D)
        free_signals(D, m->nlayers);
    free(r);
    plstar_fast_forward_clear(&s);
    return st;
}

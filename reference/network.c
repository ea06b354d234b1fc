#include "reference/network.h"
#include "core/error.h"
#include "core/progress.h"
#include "reference/layer_pass.h"

#include <stdlib.h>
#include <string.h>

void plstar_ref_forward_init(ref_forward_state *s) { memset(s, 0, sizeof *s); }

void plstar_ref_forward_clear(ref_forward_state *s)
{
    for (size_t l = 0; l < s->nlayers; l++) {
        arb_mat_clear(s->z + l);
        arb_mat_clear(s->a + l);
        arb_mat_clear(s->s1 + l);
    }
    free(s->z);
    free(s->a);
    free(s->s1);
    plstar_ref_forward_init(s);
}

/* Exact ball matrix from a row-major double array. */
static void mat_from_doubles(arb_mat_t A, const double *x, size_t rows, size_t cols)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            arb_set_d(arb_mat_entry(A, i, j), x[i * cols + j]);
}

static void forward_layer(ref_forward_state *s, size_t l, const plstar_model *m, const arb_mat_t prev,
                          const double *w, slong prec)
{
    const plstar_layer *L = &m->layers[l];
    arb_mat_t W;
    arb_mat_init(W, L->out, L->in);
    ref_layer_weights(W, m, l, w);
    arb_ptr b = ref_layer_bias_init(L, w);
    arb_mat_init(s->z + l, s->n, L->out);
    arb_mat_init(s->a + l, s->n, L->out);
    arb_mat_init(s->s1 + l, s->n, L->out);
    ref_layer_forward(s->z + l, s->a + l, s->s1 + l, L, W, b, prev, prec);
    ref_layer_bias_clear(b, L);
    arb_mat_clear(W);
}

/* The progress of the kernel and the Jacobian, in ball multiply-adds: each layer's
 * forward, backward and assembly products, so the rate and the time left follow the work. */
typedef struct {
    plstar_progress line;
    double done; /* multiply-adds so far */
} work_progress;

static void work_done(work_progress *wp, double madds)
{
    if (!wp)
        return;
    wp->done += madds;
    plstar_progress_update(&wp->line, (size_t)wp->done);
}

static double forward_work(const plstar_model *m, size_t n)
{
    double s = 0;
    for (size_t l = 0; l < m->nlayers; l++)
        s += (double)n * (double)m->layers[l].in * (double)m->layers[l].out;
    return s;
}

static double backward_work(const plstar_model *m, size_t n)
{
    double s = 0, R = (double)n * (double)m->outputs;
    for (size_t l = 0; l + 1 < m->nlayers; l++)
        s += R * (double)m->layers[l + 1].out * (double)m->layers[l].out;
    return s;
}

/* Per trainable layer: the Jacobian's entries (jacobian) or the two Gram products of the kernel. */
static double assembly_work(const plstar_layer *L, size_t n, size_t c, int jacobian)
{
    double N = (double)n * (double)c;
    return jacobian ? N * (double)L->out * (double)L->in
                    : N * N * (double)L->out + (double)n * (double)n * (double)L->in + N * N;
}

static void work_begin(work_progress *wp, const char *label, const plstar_model *m, size_t n, int jacobian)
{
    double total = forward_work(m, n) + backward_work(m, n);
    for (size_t l = 0; l < m->nlayers; l++)
        if (m->layers[l].trainable)
            total += assembly_work(&m->layers[l], n, m->outputs, jacobian);
    wp->done = 0;
    plstar_progress_begin(&wp->line, label, "ball mul-adds", (size_t)total);
}

static int forward_pass(ref_forward_state *s, const plstar_model *m, const double *X, size_t n, const double *w,
                        slong prec, work_progress *wp);

int plstar_ref_forward(ref_forward_state *s, const plstar_model *m, const double *X, size_t n,
                       const double *w, slong prec)
{
    return forward_pass(s, m, X, n, w, prec, NULL);
}

static int forward_pass(ref_forward_state *s, const plstar_model *m, const double *X, size_t n, const double *w,
                        slong prec, work_progress *wp)
{
    plstar_ref_forward_clear(s);
    s->z = calloc(m->nlayers, sizeof(arb_mat_struct));
    s->a = calloc(m->nlayers, sizeof(arb_mat_struct));
    s->s1 = calloc(m->nlayers, sizeof(arb_mat_struct));
    if (!s->z || !s->a || !s->s1) {
        free(s->z), free(s->a), free(s->s1);
        plstar_ref_forward_init(s);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory in the reference forward pass");
    }
    s->n = n;
    arb_mat_t x;
    arb_mat_init(x, n, m->input_dim);
    mat_from_doubles(x, X, n, m->input_dim);
    for (size_t l = 0; l < m->nlayers; l++) {
        forward_layer(s, l, m, l ? s->a + l - 1 : x, w, prec);
        s->nlayers = l + 1;
        work_done(wp, (double)n * (double)m->layers[l].in * (double)m->layers[l].out);
    }
    arb_mat_clear(x);
    return PLSTAR_OK;
}

static int backward_pass(arb_mat_struct *D, const ref_forward_state *s, const plstar_model *m, const double *w,
                         const arb_mat_t seeds, size_t q, slong prec, work_progress *wp);

int plstar_ref_backward(arb_mat_struct *D, const ref_forward_state *s, const plstar_model *m,
                        const double *w, const arb_mat_t seeds, size_t q, slong prec)
{
    return backward_pass(D, s, m, w, seeds, q, prec, NULL);
}

static int backward_pass(arb_mat_struct *D, const ref_forward_state *s, const plstar_model *m, const double *w,
                         const arb_mat_t seeds, size_t q, slong prec, work_progress *wp)
{
    size_t R = s->n * q, last = m->nlayers - 1;
    arb_mat_init(D + last, R, m->outputs);
    ref_layer_signals(D[last].entries, seeds->entries, s->s1[last].entries, R, q, m->outputs, prec);
    for (size_t l = last; l-- > 0;) {
        const plstar_layer *Lnext = &m->layers[l + 1];
        arb_mat_t W;
        arb_mat_init(W, Lnext->out, Lnext->in);
        ref_layer_weights(W, m, l + 1, w);
        arb_mat_init(D + l, R, m->layers[l].out);
        ref_layer_backward(D + l, D + l + 1, Lnext, W, s->s1 + l, q, prec);
        arb_mat_clear(W);
        work_done(wp, (double)R * (double)Lnext->out * (double)m->layers[l].out);
    }
    return PLSTAR_OK;
}

int plstar_ref_outputs(arb_mat_t F, const plstar_model *m, const double *X, size_t n, const double *w, slong prec)
{
    ref_forward_state s;
    plstar_ref_forward_init(&s);
    int st = plstar_ref_forward(&s, m, X, n, w, prec);
    if (!st)
        for (size_t r = 0; r < n * m->outputs; r++)
            arb_set(arb_mat_entry(F, r, 0), s.a[m->nlayers - 1].entries + r);
    plstar_ref_forward_clear(&s);
    return st;
}

static void unit_seeds(arb_mat_t E, size_t n, size_t c)
{
    arb_mat_init(E, n * c, c);
    for (size_t r = 0; r < n * c; r++)
        arb_one(arb_mat_entry(E, r, r % c));
}

static void clear_signals(arb_mat_struct *D, size_t count)
{
    for (size_t l = 0; l < count; l++)
        arb_mat_clear(D + l);
    free(D);
}

/* Forward and unit-seed backward pass shared by the Jacobian and the kernel. */
static int signals(ref_forward_state *s, arb_mat_struct **D, const plstar_model *m, const double *X,
                   size_t n, const double *w, slong prec, work_progress *wp)
{
    *D = calloc(m->nlayers, sizeof(arb_mat_struct));
    if (!*D)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for reference signals");
    int st = forward_pass(s, m, X, n, w, prec, wp);
    if (st) {
        free(*D);
        *D = NULL;
        return st;
    }
    arb_mat_t E;
    unit_seeds(E, n, m->outputs);
    st = backward_pass(*D, s, m, w, E, m->outputs, prec, wp);
    arb_mat_clear(E);
    return st;
}

int plstar_ref_jacobian(arb_mat_t J, const plstar_model *m, const double *X, size_t n, const double *w, slong prec)
{
    ref_forward_state s;
    plstar_ref_forward_init(&s);
    arb_mat_struct *D;
    work_progress wp;
    work_begin(&wp, "reference Jacobian", m, n, 1);
    int st = signals(&s, &D, m, X, n, w, prec, &wp);
    if (st) {
        plstar_progress_end(&wp.line);
        return st;
    }
    size_t c = m->outputs;
    arb_mat_t x;
    arb_mat_init(x, n, m->input_dim);
    mat_from_doubles(x, X, n, m->input_dim);
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        if (!L->trainable)
            continue;
        ref_layer_jacobian(J, L, D + l, l ? s.a + l - 1 : x, c, prec);
        work_done(&wp, assembly_work(L, n, c, 1));
    }
    plstar_progress_end(&wp.line);
    arb_mat_clear(x);
    clear_signals(D, m->nlayers);
    plstar_ref_forward_clear(&s);
    return PLSTAR_OK;
}

/* G = A Aᵀ for an n × k ball matrix. */
static void gram(arb_mat_t G, const arb_mat_t A, slong prec)
{
    arb_mat_t At;
    arb_mat_init(At, arb_mat_ncols(A), arb_mat_nrows(A));
    arb_mat_transpose(At, A);
    arb_mat_mul(G, A, At, prec);
    arb_mat_clear(At);
}

int plstar_ref_kernel_outputs(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n, const double *w,
                              slong prec)
{
    ref_forward_state s;
    plstar_ref_forward_init(&s);
    arb_mat_struct *D;
    work_progress wp;
    work_begin(&wp, "reference kernel", m, n, 0);
    int st = signals(&s, &D, m, X, n, w, prec, &wp);
    if (st) {
        plstar_progress_end(&wp.line);
        return st;
    }
    size_t c = m->outputs, N = n * c;
    arb_mat_t x, DD, AA;
    arb_t scale2, t;
    arb_init(scale2);
    arb_init(t);
    arb_mat_init(x, n, m->input_dim);
    mat_from_doubles(x, X, n, m->input_dim);
    arb_mat_init(DD, N, N);
    arb_mat_init(AA, n, n);
    arb_mat_zero(K);
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        if (!L->trainable)
            continue;
        gram(DD, D + l, prec);
        gram(AA, l ? s.a + l - 1 : x, prec);
        arb_set_ui(scale2, L->scale_div);
        arb_inv(scale2, scale2, prec);
        for (size_t r = 0; r < N; r++)
            for (size_t r2 = 0; r2 < N; r2++) {
                arb_ptr dd = arb_mat_entry(DD, r, r2);
                arb_mul(t, arb_mat_entry(AA, r / c, r2 / c), scale2, prec);
                if (L->has_bias)
                    arb_add_ui(t, t, 1, prec);
                arb_addmul(arb_mat_entry(K, r, r2), dd, t, prec);
            }
        work_done(&wp, assembly_work(L, n, c, 0));
    }
    plstar_progress_end(&wp.line);
    if (F) /* the outputs of the same forward pass */
        for (size_t r = 0; r < N; r++)
            arb_set(arb_mat_entry(F, r, 0), s.a[m->nlayers - 1].entries + r);
    arb_mat_clear(x);
    arb_mat_clear(DD);
    arb_mat_clear(AA);
    arb_clear(scale2);
    arb_clear(t);
    clear_signals(D, m->nlayers);
    plstar_ref_forward_clear(&s);
    return PLSTAR_OK;
}

int plstar_ref_kernel(arb_mat_t K, const plstar_model *m, const double *X, size_t n, const double *w, slong prec)
{
    return plstar_ref_kernel_outputs(K, NULL, m, X, n, w, prec);
}

static void gradient_layers(arb_mat_t grad, const plstar_model *m, const arb_mat_struct *D,
                            const ref_forward_state *s, const arb_mat_t x, slong prec)
{
    for (size_t l = 0; l < m->nlayers; l++)
        if (m->layers[l].trainable)
            ref_layer_gradient(grad->entries, &m->layers[l], D + l, l ? s->a + l - 1 : x, prec);
}

int plstar_ref_loss_grad(arb_t loss, arb_mat_t grad, const plstar_model *m, const double *X, size_t n,
                         const double *w, const double *y, slong prec)
{
    size_t c = m->outputs, N = n * c;
    ref_forward_state s;
    plstar_ref_forward_init(&s);
    int st = plstar_ref_forward(&s, m, X, n, w, prec);
    if (st)
        return st;
    arb_mat_t r;
    arb_mat_init(r, n, c);
    arb_zero(loss);
    for (size_t k = 0; k < N; k++) {
        arb_ptr rk = r->entries + k;
        arb_set_d(rk, y[k]);
        arb_sub(rk, s.a[m->nlayers - 1].entries + k, rk, prec);
        arb_addmul(loss, rk, rk, prec);
    }
    arb_mul_2exp_si(loss, loss, -1);
    if (grad) {
        arb_mat_struct *D = calloc(m->nlayers, sizeof(arb_mat_struct));
        arb_mat_t x;
        arb_mat_init(x, n, m->input_dim);
        mat_from_doubles(x, X, n, m->input_dim);
        plstar_ref_backward(D, &s, m, w, r, 1, prec);
        gradient_layers(grad, m, D, &s, x, prec);
        arb_mat_clear(x);
        clear_signals(D, m->nlayers);
    }
    arb_mat_clear(r);
    plstar_ref_forward_clear(&s);
    return st;
}

void plstar_ref_mat_to_doubles(double *mid, double *rad, const arb_mat_t A)
{
    size_t total = (size_t)arb_mat_nrows(A) * arb_mat_ncols(A);
    mag_t err;
    mag_init(err);
    for (size_t k = 0; k < total; k++) {
        arb_srcptr x = A->entries + k;
        mid[k] = arf_get_d(arb_midref(x), ARF_RND_NEAR);
        /* rad ≥ |exact mid − double mid| + radius */
        arf_t d;
        arf_init(d);
        arf_set_d(d, mid[k]);
        arf_sub(d, d, arb_midref(x), MAG_BITS, ARF_RND_UP);
        arf_get_mag(err, d);
        mag_add(err, err, arb_radref(x));
        rad[k] = mag_get_d(err);
        arf_clear(d);
        if (!arb_is_finite(x))
            rad[k] = 1.0 / 0.0;
    }
    mag_clear(err);
}

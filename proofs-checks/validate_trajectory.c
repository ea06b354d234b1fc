/*
 * proofs-checks/validate_trajectory.c — the reference loss trajectory: exact GD from w0 run in Arb
 * with ball-valued weights, each L(w_t) enclosed (validate.h, "Loss trajectory").
 */
#include "proofs-checks/validate_impl.h"
#include "core/progress.h"
#include "reference/layer_pass.h"

#include <stdio.h>

/* W (out × in, initialised): layer l's weights from the ball vector w, or its fixed ones as exact balls. */
static void ball_weights(arb_mat_t W, const plstar_model *m, size_t l, arb_srcptr w)
{
    const plstar_layer *L = &m->layers[l];
    if (!L->trainable) {
        ref_layer_weights(W, m, l, NULL);
        return;
    }
    for (size_t a = 0; a < L->out; a++)
        for (size_t b = 0; b < L->in; b++)
            arb_set(arb_mat_entry(W, a, b), w + L->w_offset + a * L->in + b);
}

/* Square loss and its gradient (when grad is not NULL) at a ball of weights w; X (n × d) and
 * Y (n × c) exact. reference/network.h takes exact double weights; GD iterates are balls, and
 * both go through the Arb layer passes (reference/layer_pass.h). */
static void ball_loss_grad(arb_t loss, arb_ptr grad, const plstar_model *m, const arb_mat_t X, const arb_mat_t Y,
                           arb_srcptr w, slong prec)
{
    size_t n = (size_t)arb_mat_nrows(X), nl = m->nlayers;
    arb_mat_struct *A = flint_malloc(nl * sizeof(arb_mat_struct));
    arb_mat_struct *S = flint_malloc(nl * sizeof(arb_mat_struct));
    arb_mat_struct *W = flint_malloc(nl * sizeof(arb_mat_struct));
    for (size_t l = 0; l < nl; l++) {
        const plstar_layer *L = &m->layers[l];
        arb_mat_t Z;
        arb_mat_init(W + l, L->out, L->in);
        ball_weights(W + l, m, l, w);
        arb_mat_init(Z, n, L->out);
        arb_mat_init(A + l, n, L->out);
        arb_mat_init(S + l, n, L->out);
        ref_layer_forward(Z, A + l, S + l, L, W + l, L->has_bias ? w + L->b_offset : NULL, l ? A + l - 1 : X, prec);
        arb_mat_clear(Z);
    }
    size_t last = nl - 1, c = m->outputs;
    arb_mat_t D;
    arb_mat_init(D, n, c);
    arb_zero(loss);
    for (size_t k = 0; k < n * c; k++) {
        arb_ptr r = D->entries + k;
        arb_sub(r, A[last].entries + k, Y->entries + k, prec);
        arb_addmul(loss, r, r, prec);
    }
    arb_mul_2exp_si(loss, loss, -1);
    ref_layer_signals(D->entries, D->entries, S[last].entries, n, 1, c, prec);
    for (size_t l = last + 1; grad && l-- > 0;) {
        const plstar_layer *L = &m->layers[l];
        if (L->trainable)
            ref_layer_gradient(grad, L, D, l ? A + l - 1 : X, prec);
        if (l > 0) {
            arb_mat_t Dp;
            arb_mat_init(Dp, n, L->in);
            ref_layer_backward(Dp, D, L, W + l, S + l - 1, 1, prec);
            arb_mat_swap(D, Dp);
            arb_mat_clear(Dp);
        }
    }
    arb_mat_clear(D);
    for (size_t l = 0; l < nl; l++) {
        arb_mat_clear(A + l);
        arb_mat_clear(S + l);
        arb_mat_clear(W + l);
    }
    flint_free(A), flint_free(S), flint_free(W);
}

void validate_ref_trajectory(arb_ptr Lref, double *wm, const plstar_problem *p, const validate_claims *claims,
                             size_t T, slong prec)
{
    const plstar_model *m = &p->model;
    size_t n = p->n, c = m->outputs, d = m->input_dim, P = m->nparams;
    arb_mat_t X, Y;
    arb_mat_init(X, n, d);
    arb_mat_init(Y, n, c);
    for (size_t k = 0; k < n * d; k++)
        arb_set_d(X->entries + k, p->X.data[k]);
    for (size_t k = 0; k < n * c; k++)
        arb_set_d(Y->entries + k, p->y.data[k]);
    arb_ptr w = _arb_vec_init((slong)P), g = _arb_vec_init((slong)P);
    for (size_t k = 0; k < P; k++)
        arb_set_d(w + k, p->w[k]);
    arb_t eta;
    arb_init(eta);
    arb_set_d(eta, claims->lr);
    arb_t s;
    arb_init(s);
    plstar_loss_scale_arb(s, claims->loss, p->N, prec);
    arb_mul(eta, eta, s, prec); /* the step on ½‖F − y‖² (validate.h) */
    char label[64];
    snprintf(label, sizeof label, "validate: the loss trajectory at %ld bits", (long)prec);
    plstar_progress pr;
    plstar_progress_begin(&pr, label, "steps", T + 1);
    for (size_t t = 0; t <= T; t++) {
        if (wm)
            for (size_t k = 0; k < P; k++)
                wm[t * P + k] = arf_get_d(arb_midref(w + k), ARF_RND_NEAR);
        ball_loss_grad(Lref + t, t < T ? g : NULL, m, X, Y, w, prec);
        if (t < T)
            for (size_t k = 0; k < P; k++)
                arb_submul(w + k, eta, g + k, prec);
        plstar_progress_update(&pr, t + 1);
    }
    plstar_progress_end(&pr);
    for (size_t t = 0; t <= T; t++)
        arb_mul(Lref + t, Lref + t, s, prec);
    arb_clear(s);
    arb_clear(eta);
    _arb_vec_clear(w, (slong)P);
    _arb_vec_clear(g, (slong)P);
    arb_mat_clear(X);
    arb_mat_clear(Y);
}

#include "fast/train.h"
#include "fast/network.h"
#include "fast/ntk.h"
#include "fast/layer_pass.h"
#include "core/error.h"
#include "core/npy.h"

#include <gsl/gsl_rng.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* From gsl/gsl_randist.h, whose includes clash with OpenBLAS's cblas.h. */
void gsl_ran_shuffle(const gsl_rng *r, void *base, size_t nmembm, size_t size);

/* Checkpoint vector: a header of CKPT_HEADER doubles (all integers below 2^53, exact), then w_t, w0, rows. */
#define CKPT_MAGIC ((double)0x504C5354434Bull) /* "PLSTCK" */
#define CKPT_VERSION 1.0
#define CKPT_HEADER 16

enum { COL_STEP, COL_LOSS, COL_GRAD, COL_DIST, COL_PATH };

void plstar_fast_train_options_init(fast_train_options *o)
{
    memset(o, 0, sizeof *o);
    o->record_every = 1;
}

void plstar_fast_trajectory_init(fast_trajectory *t)
{
    memset(t, 0, sizeof *t);
    t->resumed_from = -1;
}

void plstar_fast_trajectory_clear(fast_trajectory *t)
{
    free(t->data);
    plstar_fast_trajectory_init(t);
}

unsigned long plstar_fast_train_epoch_seed(unsigned long seed, size_t epoch)
{
    uint64_t z = (uint64_t)seed + 0x9E3779B97F4A7C15ull * ((uint64_t)epoch + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (unsigned long)(z & 0xFFFFFFFFull);
}

static int traj_append(fast_trajectory *t, const double *row)
{
    if (t->rows == t->capacity) {
        size_t cap = t->capacity ? 2 * t->capacity : 64;
        double *d = realloc(t->data, cap * t->cols * sizeof(double));
        if (!d)
            return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the trajectory");
        t->data = d, t->capacity = cap;
    }
    memcpy(t->data + t->rows * t->cols, row, t->cols * sizeof(double));
    t->rows++;
    return PLSTAR_OK;
}

static double norm2(const double *x, size_t len)
{
    double s = 0.0;
    for (size_t k = 0; k < len; k++)
        s += x[k] * x[k];
    return sqrt(s);
}

static double dist2(const double *x, const double *y, size_t len)
{
    double s = 0.0;
    for (size_t k = 0; k < len; k++)
        s += (x[k] - y[k]) * (x[k] - y[k]);
    return sqrt(s);
}

static unsigned flags_of(const fast_train_options *o)
{
    return (o->record_lambda_min ? 1u : 0u) | (o->record_kernel_distance ? 2u : 0u);
}

static int write_checkpoint(const char *path, const fast_train_options *o, const fast_trajectory *traj, size_t t,
                            const double *w, const double *w0, size_t P, size_t n, size_t c, double path_len)
{
    size_t len = CKPT_HEADER + 2 * P + traj->rows * traj->cols;
    double *v = plstar_calloc(len, sizeof(double), "checkpoint");
    if (!v)
        return PLSTAR_ESOFTWARE;
    double h[CKPT_HEADER] = {CKPT_MAGIC, CKPT_VERSION, (double)t, (double)P, (double)n, (double)c, o->lr,
                             (double)o->batch, (double)o->record_every, (double)(o->seed & 0xFFFFFFFFul),
                             (double)((uint64_t)o->seed >> 32), (double)flags_of(o), path_len,
                             (double)traj->rows, (double)traj->cols, (double)o->loss};
    memcpy(v, h, sizeof h);
    memcpy(v + CKPT_HEADER, w, P * sizeof(double));
    memcpy(v + CKPT_HEADER + P, w0, P * sizeof(double));
    if (traj->rows)
        memcpy(v + CKPT_HEADER + 2 * P, traj->data, traj->rows * traj->cols * sizeof(double));
    int st = plstar_npy_write_vector(path, v, len);
    free(v);
    return st;
}

/* Loads a checkpoint into (t, w, path length, rows), after checking that it belongs to this run. */
static int read_checkpoint(const char *path, const fast_train_options *o, fast_trajectory *traj, size_t *t,
                           double *w, const double *w0, size_t P, size_t n, size_t c, double *path_len)
{
    plstar_array a;
    plstar_npy_init(&a);
    int st = plstar_npy_read(&a, path);
    if (st)
        return st;
    const double *h = a.data;
    size_t bad_at;
    if (a.ndim != 1 || a.size < CKPT_HEADER || h[0] != CKPT_MAGIC || h[1] != CKPT_VERSION)
        st = plstar_error(PLSTAR_EDATA, "%s: not a plstar training checkpoint", path);
    /* a damaged or hand-made file: NaN/Inf or fractional counts would slip through the
     * comparisons below ((size_t) of NaN is undefined) */
    else if (!plstar_array_all_finite(a.data, a.size, &bad_at))
        st = plstar_error(PLSTAR_EDATA, "%s: non-finite value at flat index %zu", path, bad_at);
    else if (h[2] != floor(h[2]) || h[13] != floor(h[13]) || h[13] > (double)a.size)
        st = plstar_error(PLSTAR_EDATA, "%s: checkpoint step or row count is not a valid count", path);
    else if (h[3] != (double)P || h[4] != (double)n || h[5] != (double)c)
        st = plstar_error(PLSTAR_EDATA, "%s: checkpoint is for %.0f parameters and %.0f x %.0f outputs, not %zu and %zu x %zu",
                          path, h[3], h[4], h[5], P, n, c);
    else if (h[6] != o->lr || h[7] != (double)o->batch || h[8] != (double)o->record_every ||
             h[9] != (double)(o->seed & 0xFFFFFFFFul) || h[10] != (double)((uint64_t)o->seed >> 32) ||
             h[11] != (double)flags_of(o) || h[15] != (double)o->loss)
        st = plstar_error(PLSTAR_EDATA, "%s: checkpoint was made with other options (lr %.17g, batch %.0f, record every %.0f, "
                          "seed, recorded columns, loss %s); resume with the same ones", path, h[6], h[7], h[8],
                          h[15] == (double)LOSS_MEAN ? "mean" : "sum");
    else if (h[14] != (double)traj->cols || h[2] > (double)o->steps || h[2] < 0 || h[13] < 0 ||
             a.size != CKPT_HEADER + 2 * P + (size_t)h[13] * traj->cols)
        st = plstar_error(PLSTAR_EDATA, "%s: checkpoint at step %.0f is inconsistent with %zu steps or its own size", path,
                          h[2], o->steps);
    else if (memcmp(a.data + CKPT_HEADER + P, w0, P * sizeof(double)) != 0)
        st = plstar_error(PLSTAR_EDATA, "%s: checkpoint started from other initial weights", path);
    if (!st) {
        *t = (size_t)h[2];
        *path_len = h[12];
        memcpy(w, a.data + CKPT_HEADER, P * sizeof(double));
        size_t rows = (size_t)h[13];
        for (size_t r = 0; !st && r < rows; r++)
            st = traj_append(traj, a.data + CKPT_HEADER + 2 * P + r * traj->cols);
    }
    plstar_npy_clear(&a);
    return st;
}

/* Loss and gradient with buffers kept across steps. The passes of
 * plstar_fast_loss_grad (fast/network.c), through the same layer functions
 * (fast/layer_pass.h), with two differences: nothing is allocated per step,
 * and σ′ of the sigmoid is formed from the computed σ as σ(1 − σ), as
 * autograd does. σ and σ′ are split over short-lived threads
 * (_fast_act_layer, _fast_split_run, fast/ntk.h). */
#define TRAIN_SPLIT_MIN ((size_t)1 << 14) /* σ, σ′ per thread at least (_fast_split_run) */

typedef struct {
    size_t rows;       /* capacity in samples */
    double **a, **s1, **D;
    double *r;
} workspace;

static void ws_clear(workspace *ws, size_t nlayers)
{
    for (size_t l = 0; l < nlayers; l++) {
        if (ws->a)
            free(ws->a[l]);
        if (ws->s1)
            free(ws->s1[l]);
        if (ws->D)
            free(ws->D[l]);
    }
    free(ws->a), free(ws->s1), free(ws->D), free(ws->r);
    memset(ws, 0, sizeof *ws);
}

static int ws_init(workspace *ws, const plstar_model *m, size_t rows)
{
    memset(ws, 0, sizeof *ws);
    ws->rows = rows;
    ws->a = calloc(m->nlayers, sizeof(double *));
    ws->s1 = calloc(m->nlayers, sizeof(double *));
    ws->D = calloc(m->nlayers, sizeof(double *));
    ws->r = malloc(rows * m->outputs * sizeof(double));
    int ok = ws->a && ws->s1 && ws->D && ws->r;
    for (size_t l = 0; ok && l < m->nlayers; l++) {
        size_t bytes;
        ok = plstar_size_mul(&bytes, rows, m->layers[l].out, sizeof(double));
        if (ok) {
            ws->a[l] = malloc(bytes), ws->s1[l] = malloc(bytes), ws->D[l] = malloc(bytes);
            ok = ws->a[l] && ws->s1[l] && ws->D[l];
        }
    }
    if (!ok) {
        ws_clear(ws, m->nlayers);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the training workspace (%zu samples)", rows);
    }
    return PLSTAR_OK;
}

typedef struct {
    double *a, *s1;
} sigmoid_job;

/* sigmoid′ as s(1 − s), the form autograd uses */
static void sigmoid_piece(void *vctx, size_t begin, size_t end)
{
    const sigmoid_job *j = vctx;
    for (size_t k = begin; k < end; k++) {
        double t;
        plstar_act_eval_d(ACT_SIGMOID, j->a[k], &t, NULL, NULL);
        j->a[k] = t, j->s1[k] = t * (1.0 - t);
    }
}

/* z (in a) → a = σ(z), s1 = σ′(z). */
static void act_layer(plstar_act act, double *a, double *s1, size_t total)
{
    if (act != ACT_SIGMOID) {
        _fast_act_layer(act, a, a, s1, total);
        return;
    }
    sigmoid_job job = {a, s1};
    _fast_split_run(sigmoid_piece, &job, total, TRAIN_SPLIT_MIN);
}

static void ws_loss_grad(workspace *ws, double *loss, double *grad, const plstar_model *m, const double *X, size_t n,
                         const double *w, const double *y)
{
    size_t c = m->outputs, N = n * c, last = m->nlayers - 1;
    const double *prev = X;
    for (size_t l = 0; l < m->nlayers; l++) {
        double *z = ws->a[l];
        layer_affine(z, m, l, w, prev, n);
        act_layer(m->layers[l].act, z, ws->s1[l], n * m->layers[l].out);
        prev = z;
    }
    double sum = 0.0;
    const double *F = ws->a[last];
    for (size_t k = 0; k < N; k++) {
        ws->r[k] = F[k] - y[k];
        sum += ws->r[k] * ws->r[k];
    }
    *loss = 0.5 * sum;
    if (!grad)
        return;
    layer_output_signals(ws->D[last], ws->r, ws->s1[last], n, 1, c);
    for (size_t l = last;; l--) {
        if (m->layers[l].trainable)
            layer_gradient(grad, m, l, ws->D[l], l ? ws->a[l - 1] : X, n);
        if (l == 0)
            break;
        layer_backward(ws->D[l - 1], ws->D[l], m, l, w, ws->s1[l - 1], n, 1);
    }
}

/* The uncertified spectral diagnostics at w: λ_min(K(w)) and ‖K(w) − K0‖₂.
 * At w = w0 (at_w0) K0, when it was formed, is K(w). */
static int kernel_diagnostics(double *lmin, double *kdist, const plstar_model *m, const double *X, size_t n,
                              const double *w, int at_w0, const double *K0, double *K, double *A, double *ev)
{
    size_t N = n * m->outputs;
    if (at_w0 && K0)
        memcpy(K, K0, N * N * sizeof(double));
    else {
        int st = plstar_fast_kernel_structured(K, m, X, n, w);
        if (st)
            return st;
    }
    if (lmin) {
        memcpy(A, K, N * N * sizeof(double));
        if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)N, A, (lapack_int)N, ev))
            return plstar_error(PLSTAR_ESOFTWARE, "dsyevd did not converge on the kernel");
        *lmin = ev[0];
    }
    if (kdist) {
        for (size_t k = 0; k < N * N; k++)
            A[k] = K[k] - K0[k];
        if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)N, A, (lapack_int)N, ev))
            return plstar_error(PLSTAR_ESOFTWARE, "dsyevd did not converge on the kernel difference");
        *kdist = fmax(fabs(ev[0]), fabs(ev[N - 1]));
    }
    return PLSTAR_OK;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    size_t n, s, d, c, per_epoch, epoch; /* epoch: the one `perm` holds (SIZE_MAX: none) */
    size_t *perm, *pick;
    double *Xb, *yb;
    unsigned long seed;
    gsl_rng *r;
} sampler;

/* Gathers the batch of step t into Xb, yb. */
static void sampler_batch(sampler *sp, size_t t, const double *X, const double *y)
{
    size_t e = t / sp->per_epoch, k = t % sp->per_epoch;
    if (e != sp->epoch) {
        for (size_t i = 0; i < sp->n; i++)
            sp->perm[i] = i;
        gsl_rng_set(sp->r, plstar_fast_train_epoch_seed(sp->seed, e));
        gsl_ran_shuffle(sp->r, sp->perm, sp->n, sizeof(size_t));
        sp->epoch = e;
    }
    memcpy(sp->pick, sp->perm + k * sp->s, sp->s * sizeof(size_t));
    qsort(sp->pick, sp->s, sizeof(size_t), cmp_size);
    for (size_t b = 0; b < sp->s; b++) {
        size_t i = sp->pick[b];
        memcpy(sp->Xb + b * sp->d, X + i * sp->d, sp->d * sizeof(double));
        memcpy(sp->yb + b * sp->c, y + i * sp->c, sp->c * sizeof(double));
    }
}

/* One trajectory row at step t (the spectral columns when asked for). */
typedef struct {
    double loss;               /* of ½‖F − y‖², as the gradient */
    const double *grad, *w, *w0;
    size_t P;
    double path_len;
    plstar_loss conv;          /* the recorded loss and gradient norm are s·x in it, correctly rounded */
    size_t N;
} row_ctx;

static int record_row(fast_trajectory *traj, double *row, const row_ctx *rc, size_t t, int spectral,
                      const fast_train_options *opt, const plstar_model *m, const double *X, size_t n, int fresh,
                      const double *K0, double *Kt, double *A, double *ev)
{
    size_t col = COL_PATH + 1;
    row[COL_STEP] = (double)t;
    row[COL_LOSS] = plstar_loss_mul_scale(rc->conv, rc->N, rc->loss, LOSS_NEAREST);
    row[COL_GRAD] = plstar_loss_mul_scale(rc->conv, rc->N, norm2(rc->grad, rc->P), LOSS_NEAREST);
    row[COL_DIST] = dist2(rc->w, rc->w0, rc->P);
    row[COL_PATH] = rc->path_len;
    double *lmin = opt->record_lambda_min ? &row[col++] : NULL, *kd = opt->record_kernel_distance ? &row[col] : NULL;
    int st = spectral ? kernel_diagnostics(lmin, kd, m, X, n, rc->w, t == 0 && fresh, K0, Kt, A, ev) : PLSTAR_OK;
    return st ? st : traj_append(traj, row);
}

/* The loss and ‖∇L‖ as doubles are finite (an overflowing norm counts as divergence too). */
static int loss_grad_finite(double loss, const double *grad, size_t P)
{
    return isfinite(loss) && isfinite(norm2(grad, P));
}

/* The loss or its gradient at step t is not finite: divergence (w back to w_{t−1}), or at the
 * starting weights an overflow of the inputs. */
static int not_finite(fast_trajectory *traj, double *w, const double *wprev, size_t P, size_t t, int have_prev,
                      double lr)
{
    if (!have_prev)
        return plstar_error(PLSTAR_EDATA, "the loss or its gradient at the starting weights (step %zu) is not "
                                          "finite: the model's outputs overflow", t);
    memcpy(w, wprev, P * sizeof(double));
    traj->diverged_at = t;
    return plstar_error(FAST_TRAIN_DIVERGED, "gradient descent diverged: the loss or its gradient is not finite at "
                                             "step %zu (lr %g; a smaller step may converge)", t, lr);
}

double plstar_fast_train_half_sum_lr(const fast_train_options *o, size_t rows, size_t c)
{
    return plstar_loss_mul_scale(o->loss, rows * c, o->lr, LOSS_NEAREST);
}

static int should_save(const fast_train_options *o, size_t t)
{
    for (size_t k = 0; k < o->nsave_at; k++)
        if (o->save_at[k] == t)
            return 1;
    return 0;
}

/* One training run: its inputs, the buffers kept across steps, and where it is. */
typedef struct {
    fast_trajectory *traj;
    double *w;
    const plstar_model *m;
    const double *X, *y;
    size_t n;
    const fast_train_options *opt;
    size_t c, N, P, d;
    int sgd, spectral;
    double *w0, *wprev, *grad;
    double *gfull; /* SGD: the full gradient of the recorded steps */
    int have_prev; /* wprev holds w_{t−1} */
    double *K0, *Kt, *A, *ev; /* the kernel diagnostics */
    sampler sp;
    workspace ws;
    size_t t;
    double path_len, lr; /* lr: the step on ½‖F − y‖² */
    double row[FAST_TRAIN_MAX_COLUMNS];
} train_run;

/* The arguments and options a run accepts, and a kernel small enough for the spectral columns. */
static int check_train_args(fast_trajectory *traj, double *w, const plstar_model *m, const double *X, size_t n,
                            const double *y, const fast_train_options *opt)
{
    if (!traj || !w || !m || !X || !y || !opt || n == 0)
        return plstar_error(PLSTAR_ESOFTWARE, "plstar_fast_train: invalid arguments");
    if (!(opt->lr > 0) || !isfinite(opt->lr))
        return plstar_error(PLSTAR_EUSAGE, "the learning rate must be a positive number, got %g", opt->lr);
    if (opt->record_every == 0)
        return plstar_error(PLSTAR_EUSAGE, "record_every must be at least 1");
    if (opt->batch > n)
        return plstar_error(PLSTAR_EUSAGE, "batch size %zu exceeds the %zu samples", opt->batch, n);
    size_t N = n * m->outputs;
    int spectral = opt->record_lambda_min || opt->record_kernel_distance;
    if (spectral && (N > 65536 || N * N > ((size_t)1 << 31)))
        return plstar_error(PLSTAR_EUSAGE, "kernel diagnostics need a %zu x %zu kernel; too large", N, N);
    return PLSTAR_OK;
}

/* Empties the trajectory and names its columns. */
static void trajectory_columns(fast_trajectory *traj, const fast_train_options *opt)
{
    plstar_fast_trajectory_clear(traj);
    static const char *const base[] = {"step", "loss", "grad_norm", "dist_from_w0", "path_length"};
    for (size_t k = 0; k < 5; k++)
        traj->names[traj->cols++] = base[k];
    if (opt->record_lambda_min) /* the column order record_row writes */
        traj->names[traj->cols++] = "lambda_min";
    if (opt->record_kernel_distance)
        traj->names[traj->cols++] = "kernel_distance";
}

/* The kernel buffers, and K0 = K(w0) when the kernel distance is recorded. */
static int kernel_buffers(train_run *R)
{
    const size_t N = R->N;
    R->Kt = plstar_malloc(N * N * sizeof(double), "kernel");
    R->A = plstar_malloc(N * N * sizeof(double), "kernel");
    R->ev = plstar_malloc(N * sizeof(double), "eigenvalues");
    R->K0 = R->opt->record_kernel_distance ? plstar_malloc(N * N * sizeof(double), "initial kernel") : NULL;
    if (!R->Kt || !R->A || !R->ev || (R->opt->record_kernel_distance && !R->K0))
        return PLSTAR_ESOFTWARE;
    return R->K0 ? plstar_fast_kernel_structured(R->K0, R->m, R->X, R->n, R->w0) : PLSTAR_OK;
}

/* The SGD batch sampler's buffers and generator. */
static int sampler_buffers(sampler *sp, size_t n, size_t batch, size_t d, size_t c)
{
    sp->per_epoch = n / batch;
    sp->perm = plstar_malloc(n * sizeof(size_t), "permutation");
    sp->pick = plstar_malloc(batch * sizeof(size_t), "batch");
    sp->Xb = plstar_malloc(batch * d * sizeof(double), "batch inputs");
    sp->yb = plstar_malloc(batch * c * sizeof(double), "batch labels");
    sp->r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!sp->perm || !sp->pick || !sp->Xb || !sp->yb || !sp->r)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the batch sampler");
    return PLSTAR_OK;
}

/* Everything kept across steps; w0 = w. */
static int train_alloc(train_run *R)
{
    const size_t P = R->P;
    R->w0 = plstar_malloc(P * sizeof(double), "initial weights");
    R->wprev = plstar_malloc(P * sizeof(double), "previous weights");
    R->grad = plstar_malloc(P * sizeof(double), "gradient");
    R->gfull = R->sgd ? plstar_malloc(P * sizeof(double), "gradient") : NULL;
    int st = (R->w0 && R->wprev && R->grad && (!R->sgd || R->gfull)) ? ws_init(&R->ws, R->m, R->n)
                                                                     : PLSTAR_ESOFTWARE;
    if (!st) {
        memcpy(R->w0, R->w, P * sizeof(double));
        if (R->spectral)
            st = kernel_buffers(R);
    }
    if (!st && R->sgd)
        st = sampler_buffers(&R->sp, R->n, R->opt->batch, R->d, R->c);
    return st;
}

/* Frees what train_alloc allocated (all of it after a partial failure too). */
static void train_free(train_run *R)
{
    if (R->ws.a)
        ws_clear(&R->ws, R->m->nlayers);
    free(R->w0), free(R->wprev), free(R->grad), free(R->gfull), free(R->K0), free(R->Kt), free(R->A), free(R->ev);
    free(R->sp.perm), free(R->sp.pick), free(R->sp.Xb), free(R->sp.yb);
    if (R->sp.r)
        gsl_rng_free(R->sp.r);
}

/* Before step t: on an interrupt a last checkpoint and EINTERRUPTED, else the periodic checkpoint. */
static int checkpoint_before_step(train_run *R)
{
    const fast_train_options *opt = R->opt;
    fast_trajectory *traj = R->traj;
    size_t t = R->t;
    int st = PLSTAR_OK;
    if (plstar_interrupted) {
        traj->interrupted = 1;
        if (opt->checkpoint_path)
            st = write_checkpoint(opt->checkpoint_path, opt, traj, t, R->w, R->w0, R->P, R->n, R->c, R->path_len);
        if (!st)
            st = plstar_error(PLSTAR_EINTERRUPTED, "interrupted at step %zu", t);
        return st;
    }
    if (opt->checkpoint_path && opt->checkpoint_every && t % opt->checkpoint_every == 0 &&
        (int)t != traj->resumed_from && t < opt->steps)
        st = write_checkpoint(opt->checkpoint_path, opt, traj, t, R->w, R->w0, R->P, R->n, R->c, R->path_len);
    return st;
}

/* The trajectory row of step t for the loss at w_t and the gradient of the full batch. */
static int record_step(train_run *R, double loss)
{
    const fast_train_options *opt = R->opt;
    row_ctx rc = {loss, R->sgd ? R->gfull : R->grad, R->w, R->w0, R->P, R->path_len, opt->loss, R->N};
    return record_row(R->traj, R->row, &rc, R->t, R->spectral, opt, R->m, R->X, R->n, R->traj->resumed_from < 0,
                      R->K0, R->Kt, R->A, R->ev);
}

/* At w_t: the full loss and gradient when the step needs them, its row when recorded, and the
 * weights to on_weights at the steps of save_at (whose error ends the run at this step). */
static int observe_step(train_run *R, int record, double *loss)
{
    const fast_train_options *opt = R->opt;
    double *grad_t = R->sgd ? R->gfull : R->grad; /* the full gradient at w_t */
    size_t t = R->t;
    int st;
    if (!R->sgd || record)
        ws_loss_grad(&R->ws, loss, grad_t, R->m, R->X, R->n, R->w, R->y);
    if ((!R->sgd || record) && !loss_grad_finite(*loss, grad_t, R->P) &&
        (st = not_finite(R->traj, R->w, R->wprev, R->P, t, R->have_prev, opt->lr)))
        return st;
    if (record && (st = record_step(R, *loss)))
        return st;
    if (opt->on_weights && should_save(opt, t) && (st = opt->on_weights(opt->ctx, t, R->w, R->P))) {
        if (!record) { /* the run ends here: its last row is this step */
            if (R->sgd)
                ws_loss_grad(&R->ws, loss, R->gfull, R->m, R->X, R->n, R->w, R->y);
            record_step(R, *loss);
        }
        return st;
    }
    return PLSTAR_OK;
}

/* w_{t+1} = w_t − lr·∇L (for SGD the gradient of step t's batch), and the step's length on the path. */
static int descend(train_run *R, int record, double *loss)
{
    const fast_train_options *opt = R->opt;
    const size_t P = R->P;
    double *w = R->w;
    int st;
    if (R->sgd) {
        double bloss;
        sampler_batch(&R->sp, R->t, R->X, R->y);
        ws_loss_grad(&R->ws, &bloss, R->grad, R->m, R->sp.Xb, opt->batch, w, R->sp.yb);
        if (!loss_grad_finite(bloss, R->grad, P) &&
            (st = not_finite(R->traj, w, R->wprev, P, R->t, R->have_prev, opt->lr)))
            return st;
        if (!record)
            *loss = bloss;
    }
    memcpy(R->wprev, w, P * sizeof(double)); /* restored if the next loss is not finite */
    R->have_prev = 1;
    double step2 = 0.0;
    for (size_t k = 0; k < P; k++) {
        double old = w[k];
        w[k] = old - R->lr * R->grad[k];
        step2 += (w[k] - old) * (w[k] - old);
    }
    R->path_len += sqrt(step2);
    if (opt->on_progress)
        opt->on_progress(opt->ctx, R->t + 1, opt->steps, plstar_loss_mul_scale(opt->loss, R->N, *loss, LOSS_NEAREST));
    return PLSTAR_OK;
}

int plstar_fast_train(fast_trajectory *traj, double *w, const plstar_model *m, const double *X, size_t n, const double *y,
                      const fast_train_options *opt)
{
    int st = check_train_args(traj, w, m, X, n, y, opt);
    if (st)
        return st;
    train_run R = {.traj = traj, .w = w, .m = m, .X = X, .y = y, .n = n, .opt = opt, .c = m->outputs,
                   .N = n * m->outputs, .P = m->nparams, .d = m->input_dim, .sgd = opt->batch > 0,
                   .spectral = opt->record_lambda_min || opt->record_kernel_distance};
    R.sp = (sampler){.n = n, .s = opt->batch, .d = R.d, .c = R.c, .epoch = SIZE_MAX, .seed = opt->seed};

    trajectory_columns(traj, opt);
    st = train_alloc(&R);
    R.lr = plstar_fast_train_half_sum_lr(opt, R.sgd ? opt->batch : n, R.c);
    if (!st && opt->resume_path) {
        st = read_checkpoint(opt->resume_path, opt, traj, &R.t, w, R.w0, R.P, n, R.c, &R.path_len);
        if (!st)
            traj->resumed_from = (int)R.t;
    }
    for (; !st; R.t++) {
        if ((st = checkpoint_before_step(&R)))
            break;
        int record = R.t % opt->record_every == 0 || R.t == opt->steps;
        double loss = 0.0;
        if ((st = observe_step(&R, record, &loss)) || R.t >= opt->steps)
            break;
        if ((st = descend(&R, record, &loss)))
            break;
    }
    traj->steps_done = traj->diverged_at ? traj->diverged_at - 1 : R.t > opt->steps ? opt->steps : R.t;
    train_free(&R);
    return st;
}

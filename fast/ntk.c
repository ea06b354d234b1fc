#include "fast/ntk.h"
#include "fast/network.h"
#include "fast/layer_pass.h"
#include "layers/layer.h"
#include "core/error.h"
#include "core/activation.h"

#include <limits.h>
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

/* Element-wise loops go parallel (OpenMP) only when long: the team's idle
 * threads spin after a region and slow the BLAS call that follows, which a
 * short loop does not repay. σ and σ′, costly per element, use
 * _fast_split_run instead. */
#define NTK_OMP_MIN ((size_t)1 << 20)
#define NTK_SPLIT_MIN ((size_t)1 << 14) /* σ, σ′ per thread at least */

/* The threads claim chunks from a shared counter rather than fixed halves:
 * OpenBLAS's idle workers spin for a while after each BLAS call, so a helper
 * thread often shares its core with one and runs at half speed; claimed
 * chunks keep both threads busy to the end whatever their speeds. */
typedef struct {
    void (*body)(void *, size_t, size_t);
    void *ctx;
    size_t count, chunk;
    size_t next; /* atomic */
} split_work;

static void *split_worker(void *arg)
{
    split_work *w = arg;
    for (;;) {
        size_t begin = __atomic_fetch_add(&w->next, w->chunk, __ATOMIC_RELAXED);
        if (begin >= w->count)
            return NULL;
        w->body(w->ctx, begin, begin + w->chunk < w->count ? begin + w->chunk : w->count);
    }
}

/* The next CPU after `cpu` that this thread may use and is not on, or -1. */
static int next_other_cpu(int cpu, int here, const cpu_set_t *allowed)
{
    while (++cpu < CPU_SETSIZE)
        if (cpu != here && CPU_ISSET(cpu, allowed))
            return cpu;
    return -1;
}

/* Starts a helper, on `cpu` when cpu >= 0; 1 if it started. */
static int start_helper(pthread_t *tid, split_work *w, int cpu)
{
    pthread_attr_t attr;
    if (cpu < 0 || pthread_attr_init(&attr))
        return pthread_create(tid, NULL, split_worker, w) == 0;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    int ok = !pthread_attr_setaffinity_np(&attr, sizeof one, &one) && pthread_create(tid, &attr, split_worker, w) == 0;
    pthread_attr_destroy(&attr);
    return ok || pthread_create(tid, NULL, split_worker, w) == 0;
}

void _fast_split_run(void (*body)(void *ctx, size_t begin, size_t end), void *ctx, size_t count, size_t min_chunk)
{
    enum { MAX_THREADS = 64 };
    size_t T = (size_t)omp_get_max_threads();
    if (min_chunk == 0)
        min_chunk = 1;
    if (T > count / min_chunk)
        T = count / min_chunk;
    if (T > MAX_THREADS)
        T = MAX_THREADS;
    if (T <= 1) {
        body(ctx, 0, count);
        return;
    }
    split_work w = {body, ctx, count, min_chunk / 4 ? min_chunk / 4 : 1, 0};
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    /* Helpers go on the CPUs this thread is not on: left to the scheduler, one
     * may land beside this thread while an idle BLAS worker keeps the other
     * CPU (which that worker would yield). */
    cpu_set_t allowed;
    int here = sched_getcpu(), cpu = -1;
    int pin = here >= 0 && !pthread_getaffinity_np(pthread_self(), sizeof allowed, &allowed);
    for (size_t t = 1; t < T; t++) {
        if (pin)
            cpu = next_other_cpu(cpu, here, &allowed);
        started[t] = start_helper(&tid[t], &w, pin ? cpu : -1);
    }
    split_worker(&w); /* with no thread to be had, this one does everything */
    for (size_t t = 1; t < T; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
}

typedef struct {
    plstar_act act;
    const double *z;
    double *a, *s1;
} act_job;

static void act_piece(void *vctx, size_t begin, size_t end)
{
    const act_job *j = vctx;
    plstar_act_eval_batch_d(j->act, j->z + begin, j->a + begin, j->s1 + begin, end - begin);
}

void _fast_act_layer(plstar_act act, const double *z, double *a, double *s1, size_t total)
{
    act_job job = {act, z, a, s1};
    _fast_split_run(act_piece, &job, total, NTK_SPLIT_MIN);
}

int _fast_ntk_forward(fast_forward_state *s, const plstar_model *m, const double *X, size_t n, const double *w,
                      int keep_z)
{
    plstar_fast_forward_clear(s);
    s->z = calloc(m->nlayers, sizeof(double *));
    s->a = calloc(m->nlayers, sizeof(double *));
    s->s1 = calloc(m->nlayers, sizeof(double *));
    if (!s->z || !s->a || !s->s1) {
        plstar_fast_forward_clear(s);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory in the forward pass");
    }
    s->n = n;
    s->nlayers = m->nlayers;
    const double *prev = X;
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        s->a[l] = plstar_alloc_matrix(n, L->out, "activations");
        s->s1[l] = plstar_alloc_matrix(n, L->out, "activation derivatives");
        if (keep_z)
            s->z[l] = plstar_alloc_matrix(n, L->out, "pre-activations");
        double *z = keep_z ? s->z[l] : s->s1[l];
        if (!z || !s->a[l] || !s->s1[l]) {
            plstar_fast_forward_clear(s);
            return PLSTAR_ESOFTWARE;
        }
        /* without keep_z, z lives in the σ′ buffer until σ′ overwrites it */
        layer_forward(z, s->a[l], s->s1[l], m, l, w, prev, n);
        prev = s->a[l];
    }
    return PLSTAR_OK;
}

/* Lowest trainable layer: the backward pass need not go below it. */
static size_t lowest_trainable(const plstar_model *m)
{
    for (size_t l = 0; l < m->nlayers; l++)
        if (m->layers[l].trainable)
            return l;
    return m->nlayers;
}

/* Panel height: FAST_NTK_PANEL_ROWS samples, fewer when the two Gram blocks
 * would not fit in FAST_NTK_PANEL_BYTES. Short panels put dsyrk on small
 * diagonal blocks and dgemm, which runs nearer the DGEMM rate than a large
 * dsyrk, on the rest (n = 4096, widths [1024, 1024]: 1.02 s against 1.33 s
 * for one panel of all n; never slower in the cases measured). */
static size_t default_panel(size_t n, size_t c)
{
    double per_sample = 8.0 * (double)n * (1.0 + (double)c * (double)c);
    double b = (double)FAST_NTK_PANEL_BYTES / per_sample;
    if (b >= (double)FAST_NTK_PANEL_ROWS)
        return FAST_NTK_PANEL_ROWS < n ? FAST_NTK_PANEL_ROWS : n;
    return b < 1 ? 1 : (size_t)b;
}

/* Copies the lower triangle onto the upper one, in cache-sized tiles. */
static void mirror_lower(double *K, size_t N)
{
    const size_t T = 64;
#pragma omp parallel for if (N * N >= NTK_OMP_MIN) schedule(dynamic, 1)
    for (size_t jb = 0; jb < N; jb += T)
        for (size_t ib = jb; ib < N; ib += T) {
            size_t iend = ib + T < N ? ib + T : N;
            for (size_t i = ib; i < iend; i++) {
                size_t jend = jb + T < i ? jb + T : i;
                for (size_t j = jb; j < jend; j++)
                    K[j * N + i] = K[i * N + j];
            }
        }
}

int plstar_fast_kernel_structured_panel(double *K, const plstar_model *m, const double *X, size_t n, const double *w,
                                        size_t panel)
{
    if (!K || !m || !X || !w || n == 0 || m->nlayers == 0)
        return plstar_error(PLSTAR_ESOFTWARE, "plstar_fast_kernel_structured: invalid arguments");
    size_t c = m->outputs, N = n * c, last = m->nlayers - 1, bytes;
    if (!plstar_size_mul(&bytes, N, N, sizeof(double)) || N > (size_t)INT_MAX)
        return plstar_error(PLSTAR_ESOFTWARE, "plstar_fast_kernel_structured: a %zu x %zu kernel is too large", N, N);
    if (panel == 0)
        panel = default_panel(n, c);
    if (panel > n)
        panel = n;
    size_t lmin = lowest_trainable(m);
    if (lmin > last) {
        memset(K, 0, bytes);
        return PLSTAR_OK;
    }

    fast_forward_state s;
    plstar_fast_forward_init(&s);
    int st = _fast_ntk_forward(&s, m, X, n, w, 0); /* only α and σ′ are used below */
    if (st)
        return st;

    double *GA = plstar_alloc_matrix(panel, n, "kernel panel");
    double *GD = plstar_alloc_matrix(panel * c, N, "kernel panel");
    /* Signals D_{l−1} (N × out_{l−1}). With one output they go into the buffer
     * of α_{l−1} (n × out_{l−1}), dead once layer l's Gram term is added: no
     * fresh memory to fault in. Otherwise two buffers of N × (widest layer). */
    int in_place = c == 1;
    size_t maxout = c;
    for (size_t l = lmin; l < m->nlayers && !in_place; l++)
        maxout = m->layers[l].out > maxout ? m->layers[l].out : maxout;
    double *Dbuf[2] = {plstar_alloc_matrix(N, maxout, "back-propagated signals"), NULL};
    if (!in_place && lmin < last)
        Dbuf[1] = plstar_alloc_matrix(N, maxout, "back-propagated signals");
    double *Dcur = Dbuf[0], *Dnext = Dbuf[1];
    if (!GA || !GD || !Dbuf[0] || (!in_place && lmin < last && !Dbuf[1]))
        st = PLSTAR_ESOFTWARE;
    if (!st) /* output signals, as plstar_fast_backward computes them from unit seeds */
        layer_output_signals(Dcur, NULL, s.s1[last], N, c, c);
    int first = 1;
    for (size_t l = last; !st; l--) {
        const plstar_layer *L = &m->layers[l];
        if (L->trainable) {
            const double *A = l ? s.a[l - 1] : X;
            for (size_t i0 = 0; i0 < n; i0 += panel) {
                size_t b = n - i0 < panel ? n - i0 : panel;
                layer_ops(L)->kernel_panel(K, L, Dcur, A, N, c, i0, b, GA, GD, first);
            }
            first = 0;
        }
        if (l == lmin)
            break;
        if (in_place)
            Dnext = s.a[l - 1];
        layer_backward(Dnext, Dcur, m, l, w, s.s1[l - 1], N, c);
        double *swap = Dcur;
        Dcur = Dnext;
        Dnext = swap;
    }
    free(GA), free(GD), free(Dbuf[0]), free(Dbuf[1]);
    plstar_fast_forward_clear(&s);
    if (!st)
        mirror_lower(K, N);
    return st;
}

int plstar_fast_kernel_structured(double *K, const plstar_model *m, const double *X, size_t n, const double *w)
{
    return plstar_fast_kernel_structured_panel(K, m, X, n, w, 0);
}

double plstar_fast_kernel_structured_flops(const plstar_model *m, size_t n)
{
    size_t c = m->outputs, lmin = lowest_trainable(m);
    double f = 0.0;
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        const plstar_layer_ops *ops = layer_ops(L);
        f += ops->apply_flops(L, n); /* forward */
        if (l > lmin)
            f += ops->apply_flops(L, n * c); /* backward into layer l − 1 */
        if (L->trainable)
            f += ops->kernel_flops(L, n, c); /* Gram products */
    }
    return f;
}

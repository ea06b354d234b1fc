/* The trainer (fast/train.h): recorded losses, gradient norms, distances and
 * path lengths against a direct recomputation from the saved weights; SGD with
 * batch n is GD; a resumed or interrupted-then-resumed run is bit-for-bit the
 * uninterrupted one; the spectral columns against LAPACK on the explicit
 * kernel; option errors; and `plstar train` end to end. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/model.h"
#include "core/npy.h"
#include "fast/network.h"
#include "fast/train.h"

typedef struct {
    plstar_model m;
    double *X, *y, *w;
    size_t n;
} setup;

static void make_setup(setup *s, const char *json, size_t n, unsigned long seed)
{
    model_init(&s->m);
    cr_assert_eq(model_parse_json(&s->m, json, "m"), PLSTAR_OK, "%s", plstar_errmsg());
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    size_t d = s->m.input_dim, c = s->m.outputs;
    s->n = n;
    s->X = malloc(n * d * sizeof(double));
    s->y = malloc(n * c * sizeof(double));
    s->w = malloc(s->m.nparams * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        s->X[k] = gsl_ran_gaussian(r, 1.0);
    for (size_t k = 0; k < n * c; k++)
        s->y[k] = gsl_ran_gaussian(r, 1.0);
    model_init_weights(s->w, &s->m, seed + 1);
    gsl_rng_free(r);
}

static void free_setup(setup *s)
{
    free(s->X), free(s->y), free(s->w);
    model_clear(&s->m);
}

typedef struct {
    size_t P, count;
    double *w; /* count × P, by step */
} saved;

static int keep_weights(void *ctx, size_t step, const double *w, size_t P)
{
    saved *s = ctx;
    cr_assert_eq(step, s->count, "weights saved out of order");
    s->w = realloc(s->w, (s->count + 1) * P * sizeof(double));
    memcpy(s->w + s->count * P, w, P * sizeof(double));
    s->P = P, s->count++;
    return PLSTAR_OK;
}

static const char *mlp = "{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[16,12],\"outputs\":2,\"activation\":\"tanh\","
                         "\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":true}";

Test(train, recorded_values_match_a_direct_recomputation)
{
    setup s;
    make_setup(&s, mlp, 7, 1);
    size_t T = 12, P = s.m.nparams, N = s.n * s.m.outputs;
    size_t all[13];
    for (size_t k = 0; k <= T; k++)
        all[k] = k;
    saved sv = {0};
    fast_train_options o;
    fast_train_options_init(&o);
    o.lr = 0.05, o.steps = T, o.record_every = 1, o.save_at = all, o.nsave_at = T + 1;
    o.on_weights = keep_weights, o.ctx = &sv;
    fast_trajectory tr;
    fast_trajectory_init(&tr);
    double *w = malloc(P * sizeof(double));
    memcpy(w, s.w, P * sizeof(double));
    cr_assert_eq(fast_train(&tr, w, &s.m, s.X, s.n, s.y, &o), PLSTAR_OK, "%s", plstar_errmsg());
    cr_assert_eq(tr.rows, T + 1);
    cr_assert_eq(tr.cols, 5);
    cr_assert_eq(sv.count, T + 1);
    cr_assert_str_eq(tr.names[1], "loss");
    double *F = malloc(N * sizeof(double)), *g = malloc(P * sizeof(double)), path = 0.0;
    for (size_t t = 0; t <= T; t++) {
        const double *wt = sv.w + t * P, *row = tr.data + t * tr.cols;
        cr_assert_eq(fast_outputs(F, &s.m, s.X, s.n, wt), PLSTAR_OK);
        long double L = 0;
        for (size_t k = 0; k < N; k++)
            L += 0.5L * (long double)(F[k] - s.y[k]) * (F[k] - s.y[k]);
        double loss;
        fast_loss_grad(&loss, g, &s.m, s.X, s.n, wt, s.y);
        long double gn = 0, dist = 0;
        for (size_t k = 0; k < P; k++)
            gn += (long double)g[k] * g[k], dist += (long double)(wt[k] - s.w[k]) * (wt[k] - s.w[k]);
        if (t) {
            long double st = 0;
            for (size_t k = 0; k < P; k++)
                st += (long double)(wt[k] - wt[k - P]) * (wt[k] - wt[k - P]);
            path += (double)sqrtl(st);
        }
        cr_assert_eq(row[0], (double)t);
        cr_assert(fabs(row[1] - (double)L) <= 1e-13 * (double)L, "step %zu: loss %.17g vs %.17g", t, row[1], (double)L);
        cr_assert(fabs(row[2] - (double)sqrtl(gn)) <= 1e-13 * (double)sqrtl(gn));
        cr_assert(fabs(row[3] - (double)sqrtl(dist)) <= 1e-12 * (double)sqrtl(dist) + 1e-300);
        cr_assert(fabs(row[4] - path) <= 1e-12 * path + 1e-300, "step %zu: path %.17g vs %.17g", t, row[4], path);
        /* GD is a descent method at this step size */
        if (t)
            cr_assert(row[1] < row[1 - tr.cols]);
    }
    /* the returned weights are w_T and match the last saved ones */
    cr_assert(memcmp(w, sv.w + T * P, P * sizeof(double)) == 0);
    free(F), free(g), free(w), free(sv.w);
    fast_trajectory_clear(&tr);
    free_setup(&s);
}

static void run(fast_trajectory *tr, double *w, const setup *s, const fast_train_options *o, int expect)
{
    memcpy(w, s->w, s->m.nparams * sizeof(double));
    fast_trajectory_init(tr);
    cr_assert_eq(fast_train(tr, w, &s->m, s->X, s->n, s->y, o), expect, "%s", plstar_errmsg());
}

static void assert_same(const fast_trajectory *a, const double *wa, const fast_trajectory *b, const double *wb, size_t P)
{
    cr_assert_eq(a->rows, b->rows);
    cr_assert_eq(a->cols, b->cols);
    for (size_t k = 0; k < a->rows * a->cols; k++)
        cr_assert(a->data[k] == b->data[k], "entry %zu: %.17g vs %.17g", k, a->data[k], b->data[k]);
    cr_assert(memcmp(wa, wb, P * sizeof(double)) == 0);
}

Test(train, sgd_with_batch_n_is_gd)
{
    setup s;
    make_setup(&s, mlp, 9, 2);
    size_t P = s.m.nparams;
    double *w1 = malloc(P * sizeof(double)), *w2 = malloc(P * sizeof(double));
    fast_train_options o;
    fast_train_options_init(&o);
    o.lr = 0.03, o.steps = 15, o.record_every = 2, o.seed = 77;
    fast_trajectory gd, sgd;
    run(&gd, w1, &s, &o, PLSTAR_OK);
    o.batch = s.n;
    run(&sgd, w2, &s, &o, PLSTAR_OK);
    cr_assert_eq(gd.rows, 9); /* 0, 2, …, 14 and the last step 15 */
    cr_assert_eq(gd.data[8 * gd.cols], 15.0);
    assert_same(&gd, w1, &sgd, w2, P);
    /* a smaller batch takes another path */
    o.batch = 4;
    fast_trajectory_clear(&sgd);
    run(&sgd, w2, &s, &o, PLSTAR_OK);
    cr_assert(memcmp(w1, w2, P * sizeof(double)) != 0);
    cr_assert_eq(sgd.data[0 * sgd.cols + 1], gd.data[1]); /* same start */
    fast_trajectory_clear(&gd), fast_trajectory_clear(&sgd);
    free(w1), free(w2);
    free_setup(&s);
}

static char *tmp_path(const char *name)
{
    char *p = malloc(256);
    snprintf(p, 256, "/tmp/plstar_test_train_%ld_%s", (long)getpid(), name);
    return p;
}

Test(train, resume_from_a_checkpoint_is_bit_identical)
{
    setup s;
    make_setup(&s, mlp, 10, 3);
    size_t P = s.m.nparams;
    char *ck = tmp_path("ck.npy");
    double *w1 = malloc(P * sizeof(double)), *w2 = malloc(P * sizeof(double));
    for (int method = 0; method < 2; method++) {
        fast_train_options o;
        fast_train_options_init(&o);
        o.lr = 0.02, o.steps = 23, o.record_every = 3, o.seed = 5, o.batch = method ? 3 : 0;
        o.record_lambda_min = o.record_kernel_distance = method;
        fast_trajectory full, part, resumed;
        run(&full, w1, &s, &o, PLSTAR_OK);
        o.checkpoint_path = ck, o.checkpoint_every = 7; /* last written before step 21 */
        run(&part, w2, &s, &o, PLSTAR_OK);
        assert_same(&full, w1, &part, w2, P); /* checkpoints do not change the path */
        o.checkpoint_path = NULL, o.checkpoint_every = 0, o.resume_path = ck;
        run(&resumed, w2, &s, &o, PLSTAR_OK);
        cr_assert_eq(resumed.resumed_from, 21);
        assert_same(&full, w1, &resumed, w2, P);
        /* a longer run continues from it as if never stopped */
        o.steps = 30;
        fast_trajectory longer, longer_full;
        run(&longer, w2, &s, &o, PLSTAR_OK);
        o.resume_path = NULL;
        run(&longer_full, w1, &s, &o, PLSTAR_OK);
        assert_same(&longer_full, w1, &longer, w2, P);
        /* other options are refused */
        o.resume_path = ck, o.lr = 0.03;
        fast_trajectory bad;
        run(&bad, w2, &s, &o, PLSTAR_EDATA);
        fast_trajectory_clear(&full), fast_trajectory_clear(&part), fast_trajectory_clear(&resumed);
        fast_trajectory_clear(&longer), fast_trajectory_clear(&longer_full), fast_trajectory_clear(&bad);
    }
    unlink(ck);
    free(ck), free(w1), free(w2);
    free_setup(&s);
}

static void interrupt_at_8(void *ctx, size_t done, size_t total, double loss)
{
    (void)ctx, (void)total, (void)loss;
    if (done == 8)
        plstar_interrupted = 1;
}

Test(train, an_interrupted_run_resumes_identically)
{
    setup s;
    make_setup(&s, mlp, 8, 4);
    size_t P = s.m.nparams;
    char *ck = tmp_path("int.npy");
    double *w1 = malloc(P * sizeof(double)), *w2 = malloc(P * sizeof(double));
    fast_train_options o;
    fast_train_options_init(&o);
    o.lr = 0.02, o.steps = 20, o.batch = 5, o.seed = 11, o.record_every = 1;
    fast_trajectory full, cut, resumed;
    run(&full, w1, &s, &o, PLSTAR_OK);
    o.checkpoint_path = ck, o.on_progress = interrupt_at_8;
    run(&cut, w2, &s, &o, PLSTAR_EINTERRUPTED);
    plstar_interrupted = 0;
    cr_assert(cut.interrupted);
    cr_assert_eq(cut.steps_done, 8);
    cr_assert_eq(cut.rows, 8);
    o.on_progress = NULL, o.checkpoint_path = NULL, o.resume_path = ck;
    run(&resumed, w2, &s, &o, PLSTAR_OK);
    assert_same(&full, w1, &resumed, w2, P);
    unlink(ck);
    fast_trajectory_clear(&full), fast_trajectory_clear(&cut), fast_trajectory_clear(&resumed);
    free(ck), free(w1), free(w2);
    free_setup(&s);
}

/* λ_min and ‖K(w_t) − K(w0)‖₂ columns against LAPACK on the explicit kernel. */
Test(train, spectral_columns_match_lapack_on_the_explicit_kernel)
{
    setup s;
    make_setup(&s, "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[40],\"outputs\":1,\"activation\":\"tanh\",\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}", 6, 5);
    size_t P = s.m.nparams, N = s.n, T = 4;
    fast_train_options o;
    fast_train_options_init(&o);
    o.lr = 0.1, o.steps = T, o.record_every = 4, o.record_lambda_min = 1, o.record_kernel_distance = 1;
    fast_trajectory tr;
    double *w = malloc(P * sizeof(double));
    run(&tr, w, &s, &o, PLSTAR_OK);
    cr_assert_eq(tr.rows, 2);
    cr_assert_eq(tr.cols, 7);
    cr_assert_str_eq(tr.names[5], "lambda_min");
    cr_assert_str_eq(tr.names[6], "kernel_distance");
    double *K0 = malloc(N * N * sizeof(double)), *K1 = malloc(N * N * sizeof(double)), ev[6];
    fast_kernel_explicit(K0, &s.m, s.X, s.n, s.w);
    fast_kernel_explicit(K1, &s.m, s.X, s.n, w);
    double *A = malloc(N * N * sizeof(double));
    memcpy(A, K0, N * N * sizeof(double));
    LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (int)N, A, (int)N, ev);
    cr_assert(fabs(tr.data[5] - ev[0]) <= 1e-10 * ev[N - 1]);
    cr_assert_eq(tr.data[6], 0.0);
    memcpy(A, K1, N * N * sizeof(double));
    LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (int)N, A, (int)N, ev);
    cr_assert(fabs(tr.data[tr.cols + 5] - ev[0]) <= 1e-10 * ev[N - 1]);
    for (size_t k = 0; k < N * N; k++)
        A[k] = K1[k] - K0[k];
    LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (int)N, A, (int)N, ev);
    double kd = fmax(fabs(ev[0]), fabs(ev[N - 1]));
    cr_assert(kd > 0);
    cr_assert(fabs(tr.data[tr.cols + 6] - kd) <= 1e-8 * kd + 1e-12, "%.17g vs %.17g", tr.data[tr.cols + 6], kd);
    fast_trajectory_clear(&tr);
    free(w), free(K0), free(K1), free(A);
    free_setup(&s);
}

Test(train, refuses_bad_options)
{
    setup s;
    make_setup(&s, mlp, 4, 6);
    double *w = malloc(s.m.nparams * sizeof(double));
    fast_train_options o;
    fast_train_options_init(&o);
    fast_trajectory tr;
    o.steps = 3;
    o.lr = 0;
    run(&tr, w, &s, &o, PLSTAR_EUSAGE);
    o.lr = NAN;
    run(&tr, w, &s, &o, PLSTAR_EUSAGE);
    o.lr = 0.1, o.batch = 5;
    run(&tr, w, &s, &o, PLSTAR_EUSAGE);
    o.batch = 0, o.record_every = 0;
    run(&tr, w, &s, &o, PLSTAR_EUSAGE);
    o.record_every = 1, o.resume_path = "/nonexistent/ck.npy";
    run(&tr, w, &s, &o, PLSTAR_ENOINPUT);
    fast_trajectory_clear(&tr);
    free(w);
    free_setup(&s);
}

/* `plstar train` writes its four kinds of output and resumes from its checkpoint. */
Test(train, command_line)
{
    const char *exe = getenv("PLSTAR_EXE");
    if (!exe) {
        cr_skip_test("PLSTAR_EXE not set");
        return;
    }
    char dir[128], cmd[2048];
    snprintf(dir, sizeof dir, "/tmp/plstar_test_train_cli_%ld", (long)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    cr_assert_eq(system(cmd), 0);
    setup s;
    make_setup(&s, "{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[8],\"outputs\":1,\"activation\":\"tanh\",\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}", 5, 7);
    char path[256];
    snprintf(path, sizeof path, "%s/m.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[8],\"outputs\":1,\"activation\":\"tanh\",\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/X.npy", dir);
    npy_write_matrix(path, s.X, 5, 3);
    snprintf(path, sizeof path, "%s/y.npy", dir);
    npy_write_vector(path, s.y, 5);
    snprintf(cmd, sizeof cmd,
             "%s train --model %s/m.json --data %s/X.npy --seed 3 --labels %s/y.npy --lr 0.05 --steps 10 "
             "--record-every 5 --save-at 0,10 --lambda-min --checkpoint-every 4 --out %s/run 2>%s/err.txt",
             exe, dir, dir, dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    plstar_array a;
    npy_init(&a);
    snprintf(path, sizeof path, "%s/run/trajectory.npy", dir);
    cr_assert_eq(npy_read(&a, path), PLSTAR_OK);
    cr_assert_eq(a.ndim, 2);
    cr_assert_eq(a.shape[0], 3);
    cr_assert_eq(a.shape[1], 6);
    cr_assert_eq(a.data[2 * 6], 10.0);
    const char *names[] = {"trajectory.json", "w_final.npy", "w_0.npy", "w_10.npy", "checkpoint.npy"};
    for (size_t k = 0; k < 5; k++) {
        snprintf(path, sizeof path, "%s/run/%s", dir, names[k]);
        cr_assert_eq(access(path, R_OK), 0, "missing %s", path);
    }
    /* resume the step-8 checkpoint: same trajectory */
    snprintf(cmd, sizeof cmd,
             "%s train --model %s/m.json --data %s/X.npy --seed 3 --labels %s/y.npy --lr 0.05 --steps 10 "
             "--record-every 5 --lambda-min --resume %s/run/checkpoint.npy --out %s/run2 2>>%s/err.txt",
             exe, dir, dir, dir, dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    plstar_array b;
    npy_init(&b);
    snprintf(path, sizeof path, "%s/run2/trajectory.npy", dir);
    cr_assert_eq(npy_read(&b, path), PLSTAR_OK);
    cr_assert_eq(b.size, a.size);
    cr_assert(memcmp(a.data, b.data, a.size * sizeof(double)) == 0);
    /* usage errors */
    snprintf(cmd, sizeof cmd, "%s train --model %s/m.json --data %s/X.npy --seed 3 --labels %s/y.npy --lr -1 "
                              "--steps 3 --out %s/run3 2>/dev/null", exe, dir, dir, dir, dir);
    int rc = system(cmd);
    cr_assert_eq(WEXITSTATUS(rc), 64);
    snprintf(cmd, sizeof cmd, "%s train --model %s/m.json --data %s/X.npy --seed 3 --lr 0.1 --steps 3 --out %s/run3 "
                              "2>/dev/null", exe, dir, dir, dir);
    rc = system(cmd);
    cr_assert_eq(WEXITSTATUS(rc), 64);
    npy_clear(&a), npy_clear(&b);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    free_setup(&s);
}

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
#include <jansson.h>

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
    plstar_model_init(&s->m);
    cr_assert_eq(plstar_model_parse_json(&s->m, json, "m"), PLSTAR_OK, "%s", plstar_errmsg());
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
    plstar_model_init_weights(s->w, &s->m, seed + 1);
    gsl_rng_free(r);
}

static void free_setup(setup *s)
{
    free(s->X), free(s->y), free(s->w);
    plstar_model_clear(&s->m);
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
    plstar_fast_train_options_init(&o);
    o.lr = 0.05, o.steps = T, o.record_every = 1, o.save_at = all, o.nsave_at = T + 1;
    o.on_weights = keep_weights, o.ctx = &sv;
    fast_trajectory tr;
    plstar_fast_trajectory_init(&tr);
    double *w = malloc(P * sizeof(double));
    memcpy(w, s.w, P * sizeof(double));
    cr_assert_eq(plstar_fast_train(&tr, w, &s.m, s.X, s.n, s.y, &o), PLSTAR_OK, "%s", plstar_errmsg());
    cr_assert_eq(tr.rows, T + 1);
    cr_assert_eq(tr.cols, 5);
    cr_assert_eq(sv.count, T + 1);
    cr_assert_str_eq(tr.names[1], "loss");
    double *F = malloc(N * sizeof(double)), *g = malloc(P * sizeof(double)), path = 0.0;
    for (size_t t = 0; t <= T; t++) {
        const double *wt = sv.w + t * P, *row = tr.data + t * tr.cols;
        cr_assert_eq(plstar_fast_outputs(F, &s.m, s.X, s.n, wt), PLSTAR_OK);
        long double L = 0;
        for (size_t k = 0; k < N; k++)
            L += 0.5L * (long double)(F[k] - s.y[k]) * (F[k] - s.y[k]);
        double loss;
        plstar_fast_loss_grad(&loss, g, &s.m, s.X, s.n, wt, s.y);
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
    plstar_fast_trajectory_clear(&tr);
    free_setup(&s);
}

static void run(fast_trajectory *tr, double *w, const setup *s, const fast_train_options *o, int expect)
{
    memcpy(w, s->w, s->m.nparams * sizeof(double));
    plstar_fast_trajectory_init(tr);
    cr_assert_eq(plstar_fast_train(tr, w, &s->m, s->X, s->n, s->y, o), expect, "%s", plstar_errmsg());
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
    plstar_fast_train_options_init(&o);
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
    plstar_fast_trajectory_clear(&sgd);
    run(&sgd, w2, &s, &o, PLSTAR_OK);
    cr_assert(memcmp(w1, w2, P * sizeof(double)) != 0);
    cr_assert_eq(sgd.data[0 * sgd.cols + 1], gd.data[1]); /* same start */
    plstar_fast_trajectory_clear(&gd), plstar_fast_trajectory_clear(&sgd);
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
        plstar_fast_train_options_init(&o);
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
        plstar_fast_trajectory_clear(&full), plstar_fast_trajectory_clear(&part), plstar_fast_trajectory_clear(&resumed);
        plstar_fast_trajectory_clear(&longer), plstar_fast_trajectory_clear(&longer_full), plstar_fast_trajectory_clear(&bad);
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
    plstar_fast_train_options_init(&o);
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
    plstar_fast_trajectory_clear(&full), plstar_fast_trajectory_clear(&cut), plstar_fast_trajectory_clear(&resumed);
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
    plstar_fast_train_options_init(&o);
    o.lr = 0.1, o.steps = T, o.record_every = 4, o.record_lambda_min = 1, o.record_kernel_distance = 1;
    fast_trajectory tr;
    double *w = malloc(P * sizeof(double));
    run(&tr, w, &s, &o, PLSTAR_OK);
    cr_assert_eq(tr.rows, 2);
    cr_assert_eq(tr.cols, 7);
    cr_assert_str_eq(tr.names[5], "lambda_min");
    cr_assert_str_eq(tr.names[6], "kernel_distance");
    double *K0 = malloc(N * N * sizeof(double)), *K1 = malloc(N * N * sizeof(double)), ev[6];
    plstar_fast_kernel_explicit(K0, &s.m, s.X, s.n, s.w);
    plstar_fast_kernel_explicit(K1, &s.m, s.X, s.n, w);
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
    plstar_fast_trajectory_clear(&tr);
    free(w), free(K0), free(K1), free(A);
    free_setup(&s);
}

Test(train, refuses_bad_options)
{
    setup s;
    make_setup(&s, mlp, 4, 6);
    double *w = malloc(s.m.nparams * sizeof(double));
    fast_train_options o;
    plstar_fast_train_options_init(&o);
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
    plstar_fast_trajectory_clear(&tr);
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
    plstar_npy_write_matrix(path, s.X, 5, 3);
    snprintf(path, sizeof path, "%s/y.npy", dir);
    plstar_npy_write_vector(path, s.y, 5);
    snprintf(cmd, sizeof cmd,
             "%s train --model %s/m.json --data %s/X.npy --seed 3 --labels %s/y.npy --lr 0.05 --steps 10 "
             "--record-every 5 --save-at 0,10 --lambda-min --checkpoint-every 4 --out %s/run 2>%s/err.txt",
             exe, dir, dir, dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    plstar_array a;
    plstar_npy_init(&a);
    snprintf(path, sizeof path, "%s/run/trajectory.npy", dir);
    cr_assert_eq(plstar_npy_read(&a, path), PLSTAR_OK);
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
    plstar_npy_init(&b);
    snprintf(path, sizeof path, "%s/run2/trajectory.npy", dir);
    cr_assert_eq(plstar_npy_read(&b, path), PLSTAR_OK);
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
    plstar_npy_clear(&a), plstar_npy_clear(&b);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    free_setup(&s);
}

/* ------------------------------------------------------------------------ */
/* Divergence in the trainer                                                 */

/* A step far too large: the loss overflows, the trainer stops at the first
 * non-finite loss with FAST_TRAIN_DIVERGED, w is the last finite iterate and
 * every recorded row is finite. Also under SGD. */
Test(train, stops_at_a_non_finite_loss)
{
    setup s;
    make_setup(&s, mlp, 7, 11);
    size_t P = s.m.nparams;
    double *w = malloc(P * sizeof(double));
    for (int sgd = 0; sgd < 2; sgd++) {
        fast_train_options o;
        plstar_fast_train_options_init(&o);
        o.lr = 40, o.steps = 5000, o.batch = sgd ? 3 : 0, o.seed = 5;
        fast_trajectory tr;
        run(&tr, w, &s, &o, FAST_TRAIN_DIVERGED);
        cr_assert(strstr(plstar_errmsg(), "diverged") && strstr(plstar_errmsg(), "step"), "%s", plstar_errmsg());
        cr_assert(tr.diverged_at > 0 && tr.diverged_at < 5000, "diverged at %zu", tr.diverged_at);
        cr_assert_eq(tr.steps_done, tr.diverged_at - 1);
        cr_assert(tr.rows > 0 && tr.data[(tr.rows - 1) * tr.cols] < (double)tr.diverged_at);
        for (size_t k = 0; k < tr.rows * tr.cols; k++)
            cr_assert(isfinite(tr.data[k]), "%s: row %zu column %zu is not finite", sgd ? "SGD" : "GD", k / tr.cols,
                      k % tr.cols);
        size_t bad;
        cr_assert(plstar_array_all_finite(w, P, &bad), "the returned weights are the last finite iterate");
        plstar_fast_trajectory_clear(&tr);
    }
    free(w);
    free_setup(&s);
}

typedef struct {
    size_t stop_at;
} stopper;

static int stop_at_step(void *ctx, size_t step, const double *w, size_t P)
{
    (void)w, (void)P;
    return step == ((stopper *)ctx)->stop_at ? PLSTAR_INCONCLUSIVE : PLSTAR_OK;
}

/* A run that on_weights stops between two recorded steps ends with a row for
 * the step where it stopped (the last loss is not lost). */
Test(train, a_stopped_run_records_its_last_step)
{
    setup s;
    make_setup(&s, mlp, 5, 2);
    size_t P = s.m.nparams, all[41];
    for (size_t k = 0; k <= 40; k++)
        all[k] = k;
    double *w = malloc(P * sizeof(double));
    for (int sgd = 0; sgd < 2; sgd++) {
        stopper st = {.stop_at = 13};
        fast_train_options o;
        plstar_fast_train_options_init(&o);
        o.lr = 0.05, o.steps = 40, o.record_every = 10, o.batch = sgd ? 2 : 0;
        o.save_at = all, o.nsave_at = 41, o.on_weights = stop_at_step, o.ctx = &st;
        fast_trajectory tr;
        run(&tr, w, &s, &o, PLSTAR_INCONCLUSIVE);
        cr_assert_eq(tr.rows, 3, "rows at 0, 10 and 13");
        const double *last = tr.data + 2 * tr.cols;
        cr_assert_eq(last[0], 13.0);
        double loss;
        plstar_fast_loss_grad(&loss, NULL, &s.m, s.X, s.n, w, s.y);
        cr_assert(last[1] > 0 && fabs(last[1] - loss) <= 1e-12 * loss, "step 13: %.17g vs %.17g", last[1], loss);
        plstar_fast_trajectory_clear(&tr);
    }
    free(w);
    free_setup(&s);
}

/* `plstar train` into a non-finite loss: one line on stderr naming the step,
 * exit status 1, outputs written with "outcome": "diverged" and no null. */
Test(train, command_line_stops_on_divergence)
{
    const char *exe = getenv("PLSTAR_EXE");
    cr_assert(exe, "PLSTAR_EXE must be set (meson test sets it)");
    char dir[128], cmd[2048], path[256];
    snprintf(dir, sizeof dir, "/tmp/plstar_test_train_div_%ld", (long)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    cr_assert_eq(system(cmd), 0);
    setup s;
    const char *json = "{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[8],\"activation\":\"tanh\",\"outputs\":1,\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}";
    make_setup(&s, json, 5, 7);
    snprintf(path, sizeof path, "%s/m.json", dir);
    FILE *f = fopen(path, "w");
    fputs(json, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/X.npy", dir);
    plstar_npy_write_matrix(path, s.X, 5, 3);
    snprintf(path, sizeof path, "%s/y.npy", dir);
    plstar_npy_write_vector(path, s.y, 5);
    snprintf(cmd, sizeof cmd,
             "%s train --model %s/m.json --data %s/X.npy --seed 3 --labels %s/y.npy --lr 60 --steps 5000 "
             "--out %s/run >/dev/null 2>%s/err.txt", exe, dir, dir, dir, dir, dir);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "exit status %d", WEXITSTATUS(rc));
    char err[1024] = "";
    snprintf(path, sizeof path, "%s/err.txt", dir);
    f = fopen(path, "r");
    size_t got = fread(err, 1, sizeof err - 1, f);
    err[got] = '\0';
    fclose(f);
    cr_assert(strstr(err, "diverged") && strstr(err, "step"), "stderr: %s", err);
    cr_assert(strchr(err, '\n') == err + strlen(err) - 1, "one line: %s", err);
    snprintf(path, sizeof path, "%s/run/trajectory.json", dir);
    json_error_t jerr;
    json_t *r = json_load_file(path, 0, &jerr);
    cr_assert(r, "%s", jerr.text);
    /* a training run certifies nothing: its verdict is "uncertified" whatever happened, and the outcome says */
    cr_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "uncertified");
    cr_assert_str_eq(json_string_value(json_object_get(r, "outcome")), "diverged");
    cr_assert(json_is_object(json_object_get(json_object_get(r, "reason"), "lhs")), "the reason names the non-finite side");
    cr_assert(json_integer_value(json_object_get(json_object_get(r, "diverged"), "step")) > 0);
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(r, "quantities"), key, v)
        cr_assert(json_is_number(v), "quantity %s is %s", key, json_is_null(v) ? "null" : "not a number");
    json_decref(r);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    free_setup(&s);
}

/* ------------------------------------------------------------------------ */
/* The a-posteriori GD certificate (proofs-checks/gd_path.h) as a user runs it */

#include "examples/demo_example.h"
#include "proofs-checks/gd_path.h"

static char gdir[128];

/* The demo problem (tanh, widths [16, 16]), a leaky-ReLU MLP on the same data,
 * and a ReLU MLP whose units are all inactive at w0 (K(w0) = 0). */
static void gd_files(void)
{
    snprintf(gdir, sizeof gdir, "/tmp/plstar_test_gd_%ld", (long)getpid());
    char cmd[512], path[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", gdir, gdir);
    cr_assert_eq(system(cmd), 0);
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_demo_example_problem(&p), PLSTAR_OK);
    const char *files[][2] = {{"m.json", plstar_demo_model_json()},
                              {"leaky.json", "{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[16,16],"
                                             "\"activation\":\"leaky_relu\",\"outputs\":1,\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}"},
                              {"relu.json", "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[3],\"activation\":\"relu\","
                                            "\"scaling\":\"ntk\",\"bias\":false,\"outputs\":1,\"output_activation\":\"linear\"}"}};
    for (size_t k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", gdir, files[k][0]);
        FILE *f = fopen(path, "w");
        fputs(files[k][1], f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/X.npy", gdir);
    plstar_npy_write_matrix(path, p.X.data, p.n, p.model.input_dim);
    snprintf(path, sizeof path, "%s/y.npy", gdir);
    plstar_npy_write_vector(path, p.y.data, p.N);
    snprintf(path, sizeof path, "%s/w0.npy", gdir);
    plstar_npy_write_vector(path, p.w, p.model.nparams);
    /* its first 6 samples: N = 6, where the mean loss's 2/N is not a double */
    snprintf(path, sizeof path, "%s/X6.npy", gdir);
    plstar_npy_write_matrix(path, p.X.data, 6, p.model.input_dim);
    snprintf(path, sizeof path, "%s/y6.npy", gdir);
    plstar_npy_write_vector(path, p.y.data, 6);
    /* every hidden pre-activation is negative on both samples: all units inactive */
    const double Xd[] = {1, 0.5, 0.5, 1}, wd[] = {-1, -0.2, -0.5, -0.5, -2, -1, 0.3, -0.7, 0.9}, yd[] = {0.4, -0.6};
    snprintf(path, sizeof path, "%s/Xd.npy", gdir);
    plstar_npy_write_matrix(path, Xd, 2, 2);
    snprintf(path, sizeof path, "%s/wd.npy", gdir);
    plstar_npy_write_vector(path, wd, 9);
    snprintf(path, sizeof path, "%s/yd.npy", gdir);
    plstar_npy_write_vector(path, yd, 2);
    plstar_problem_clear(&p);
}

static void gd_files_clear(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", gdir);
    cr_assert_eq(system(cmd), 0);
}

/* Runs `plstar ARGS` in gdir; stdout and stderr into out (NUL-terminated). */
static int gd_run(char *out, size_t len, const char *args)
{
    const char *exe = getenv("PLSTAR_EXE");
    cr_assert(exe, "PLSTAR_EXE must be set (meson test sets it)");
    char cmd[2048], path[256];
    snprintf(cmd, sizeof cmd, "cd %s && '%s' %s > out.txt 2>&1", gdir, exe, args);
    int st = system(cmd);
    snprintf(path, sizeof path, "%s/out.txt", gdir);
    FILE *f = fopen(path, "r");
    size_t got = f ? fread(out, 1, len - 1, f) : 0;
    out[got] = '\0';
    if (f)
        fclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static json_t *gd_json(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", gdir, name);
    json_error_t e;
    json_t *r = json_load_file(path, 0, &e);
    cr_assert(r, "%s: %s", name, e.text);
    return r;
}

#define DEMO "--model m.json --data X.npy --weights w0.npy --labels y.npy"

/* A certified run states only what it proves: no kernel-change inequality in
 * the statement or the checks, the kernel change reported as measured (here it
 * is far above λ0 − μ, as on the demo), every check true, no FAILS printed. */
Test(train, gd_path_statement_says_what_is_proven, .init = gd_files, .fini = gd_files_clear)
{
    char out[8192];
    cr_assert_eq(gd_run(out, sizeof out, "certify gd " DEMO " --path --json p.json"), 0, "%s", out);
    cr_assert(!strstr(out, "FAILS"), "a certified run prints no failed condition:\n%s", out);
    json_t *r = gd_json("p.json");
    cr_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "certified");
    cr_assert_str_eq(json_string_value(json_object_get(r, "scope")), "these labels");
    const char *statement = json_string_value(json_object_get(r, "statement"));
    cr_assert(!strstr(statement, "K(w_t) − K(w0)"), "the statement claims no kernel bound: %s", statement);
    json_t *checks = json_object_get(r, "checks"), *v;
    const char *key;
    json_object_foreach(checks, key, v)
        cr_assert(json_is_true(v), "check %s is false under a certified verdict", key);
    cr_assert_null(json_object_get(checks, "kernel_change_le_lambda0_minus_mu"));
    double kmax = json_real_value(json_object_get(json_object_get(json_object_get(r, "measured"), "kernel_change_max"),
                                                  "upper"));
    double lam0 = json_real_value(json_object_get(json_object_get(json_object_get(r, "quantities"), "lambda_min_w0"),
                                                  "lower"));
    double mu = json_real_value(json_object_get(r, "mu"));
    cr_assert(kmax > lam0 - mu, "the demo's kernel change %g exceeds lambda0 - mu = %g: measured, not claimed", kmax,
              lam0 - mu);
    cr_assert_null(json_object_get(r, "reason"));
    json_decref(r);
}

/* Divergence is a refutation with the step and both sides, exit 1: the
 * leaky-ReLU MLP at lr 10 (once an error about non-finite kernel entries, 65)
 * and the tanh demo at lr 3. */
Test(train, gd_path_divergence_is_refuted_at_its_step, .init = gd_files, .fini = gd_files_clear)
{
    const char *runs[] = {"certify gd --model leaky.json --data X.npy --seed 1 --labels y.npy --path --lr 10 "
                          "--json d.json",
                          "certify gd " DEMO " --path --lr 3 --json d.json"};
    for (size_t k = 0; k < 2; k++) {
        char out[8192];
        cr_assert_eq(gd_run(out, sizeof out, runs[k]), 1, "%s\n%s", runs[k], out);
        cr_assert(strstr(out, "diverged at step"), "%s", out);
        json_t *r = gd_json("d.json");
        cr_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "refuted");
        json_t *d = json_object_get(r, "diverged"), *why = json_object_get(r, "reason");
        cr_assert(json_integer_value(json_object_get(d, "step")) >= 1);
        cr_assert(strstr(json_string_value(json_object_get(why, "inequality")), "L(w0)"));
        double lhs = json_real_value(json_object_get(json_object_get(why, "lhs"), "lower"));
        double rhs = json_real_value(json_object_get(json_object_get(why, "rhs"), "upper"));
        cr_assert(lhs > rhs, "both sides of the failed inequality: %g > %g", lhs, rhs);
        cr_assert(json_object_get(why, "decide"));
        json_decref(r);
    }
}

/* K(w0) = 0 (every ReLU unit inactive) without --lr: refuted (λ_min(K(w0)) = 0
 * for every μ > 0), not a usage error about a learning rate nobody gave. */
Test(train, gd_path_zero_kernel_is_refuted_not_a_usage_error, .init = gd_files, .fini = gd_files_clear)
{
    char out[8192];
    cr_assert_eq(gd_run(out, sizeof out, "certify gd --model relu.json --data Xd.npy --weights wd.npy --labels yd.npy "
                                         "--path --json z.json"), 1, "%s", out);
    cr_assert(!strstr(out, "learning rate"), "%s", out);
    cr_assert(strstr(out, "lambda_max(K(w0)) = 0"), "%s", out);
    json_t *r = gd_json("z.json");
    cr_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "refuted");
    json_t *lhs = json_object_get(json_object_get(r, "reason"), "lhs");
    cr_assert(json_real_value(json_object_get(lhs, "upper")) == 0.0, "lambda_min(K(w0)) = 0");
    json_decref(r);
}

/* With --eps the last row (the step where L < eps was proven, between two
 * recorded steps) keeps the trainer's loss; a loss spike is reported. */
Test(train, gd_path_eps_keeps_the_final_loss_and_spikes_are_named, .init = gd_files, .fini = gd_files_clear)
{
    char out[8192];
    cr_assert_eq(gd_run(out, sizeof out, "certify gd " DEMO " --path --eps 0.05 --steps 400 --json e.json"), 0, "%s",
                 out);
    json_t *r = gd_json("e.json");
    json_t *rows = json_object_get(r, "trajectory"), *last = json_array_get(rows, json_array_size(rows) - 1);
    double fast = json_real_value(json_object_get(last, "loss_fast"));
    json_t *enc = json_object_get(last, "loss");
    double lo = json_real_value(json_object_get(enc, "lower")), hi = json_real_value(json_object_get(enc, "upper"));
    cr_assert(json_integer_value(json_object_get(last, "step")) % 20 != 0, "the stop falls between records");
    cr_assert(fast > 0 && fabs(fast - 0.5 * (lo + hi)) <= 1e-10 * hi, "trainer %.17g vs [%.17g, %.17g]", fast, lo, hi);
    json_decref(r);
    /* lr 1 on the demo: certified, but the loss rises at some steps */
    cr_assert_eq(gd_run(out, sizeof out, "certify gd " DEMO " --path --lr 1 --steps 300 --json s.json"), 0, "%s", out);
    cr_assert(strstr(out, "the loss rose at"), "%s", out);
    r = gd_json("s.json");
    json_t *rises = json_object_get(json_object_get(r, "measured"), "loss_rises");
    cr_assert(json_integer_value(json_object_get(rises, "steps")) > 0);
    size_t t = (size_t)json_integer_value(json_object_get(rises, "first_step"));
    cr_assert(json_real_value(json_object_get(json_object_get(rises, "loss_after"), "lower")) >
                  json_real_value(json_object_get(json_object_get(rises, "loss_before"), "upper")),
              "the rise at step %zu is proven", t);
    json_decref(r);
}

/* The plot data start at distance 0 at step 0 and hold every record; the
 * distance panel has no log axis (which would drop step 0). */
Test(train, gd_path_plot_starts_at_zero_and_draws_every_record, .init = gd_files, .fini = gd_files_clear)
{
    char out[8192], path[256], line[512];
    cr_assert_eq(gd_run(out, sizeof out, "certify gd " DEMO " --path --steps 60 --record-every 6 --out plot"), 0,
                 "%s", out);
    snprintf(path, sizeof path, "%s/plot/gd_path.dat", gdir);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    size_t rows = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        double v[8];
        cr_assert_eq(sscanf(line, "%lf %lf %lf %lf %lf %lf %lf %lf", v, v + 1, v + 2, v + 3, v + 4, v + 5, v + 6,
                            v + 7), 8);
        if (rows == 0)
            cr_assert(v[0] == 0 && v[6] == 0 && v[7] == 0, "step 0 at distance and path length 0: %s", line);
        rows++;
    }
    fclose(f);
    cr_assert_eq(rows, 11);
    snprintf(path, sizeof path, "%s/plot/gd_path.gp", gdir);
    f = fopen(path, "r");
    char gp[8192];
    size_t got = fread(gp, 1, sizeof gp - 1, f);
    gp[got] = '\0';
    fclose(f);
    const char *panel = strstr(gp, "distance and path length");
    cr_assert(panel && !strstr(panel, "logscale"), "no log axis on the distance panel");
}

/* Options: one of --apriori/--path required, --steps 0 refused, options of
 * other checks refused, all with 64 and before any work. */
Test(train, gd_options_are_checked, .init = gd_files, .fini = gd_files_clear)
{
    const char *bad[] = {"certify gd " DEMO, "certify gd " DEMO " --path --steps 0",
                         "certify gd " DEMO " --path --radius 1", "certify gd " DEMO " --path --search-width",
                         "certify gd " DEMO " --apriori --steps 10", "certify gd " DEMO " --apriori --out plot",
                         "certify gd " DEMO " --apriori --record-every 2", "certify gd " DEMO " --path --witness w.npy",
                         "certify gd --model m.json --data X.npy --seed 1 --path",
                         "certify gd " DEMO " --apriori --search-width"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        char out[2048];
        cr_assert_eq(gd_run(out, sizeof out, bad[k]), 64, "%s:\n%s", bad[k], out);
        /* one error line, after at most the resolved-model line (printed once the model is read) */
        const char *err = strstr(out, ": model {") ? strchr(out, '\n') + 1 : out;
        cr_assert(strchr(err, '\n') == out + strlen(out) - 1, "one line: %s", out);
    }
    char help[8192];
    cr_assert_eq(gd_run(help, sizeof help, "certify gd --help"), 0);
    const char *defaults[] = {"--steps 200", "--lr 1/lambda_max(K(w0))", "--record-every max(1, T/20)",
                              "one of --apriori and --path is required"};
    for (size_t k = 0; k < 4; k++)
        cr_assert(strstr(help, defaults[k]), "--help states '%s':\n%s", defaults[k], help);
}

/* ---- the loss convention (core/loss.h) ---------------------------------- */

#include "core/loss.h"

/* s·x and x/s: the nearest double is the correctly rounded (2x)/N and (x N)/2, the directed ones
 * enclose the exact value (decided exactly with fma), and "sum" changes nothing. */
Test(train, loss_scale_rounds_in_the_direction_asked)
{
    const size_t Ns[] = {1, 2, 3, 6, 7, 18, 33, 1000, 4096};
    const double xs[] = {1.0, 0.1, 0.3, 1e-300, 123456.789, 0.0056};
    for (size_t i = 0; i < sizeof Ns / sizeof *Ns; i++)
        for (size_t j = 0; j < sizeof xs / sizeof *xs; j++) {
            size_t N = Ns[i];
            double x = xs[j], Nd = (double)N;
            double near = plstar_loss_mul_scale(LOSS_MEAN, N, x, LOSS_NEAREST);
            double lo = plstar_loss_mul_scale(LOSS_MEAN, N, x, LOSS_DOWN), hi = plstar_loss_mul_scale(LOSS_MEAN, N, x, LOSS_UP);
            cr_assert(near == (2.0 * x) / Nd, "N = %zu, x = %g: %.17g vs %.17g", N, x, near, (2.0 * x) / Nd);
            cr_assert(fma(lo, Nd, -2.0 * x) <= 0 && fma(hi, Nd, -2.0 * x) >= 0, "s x not enclosed at N = %zu", N);
            cr_assert(lo <= near && near <= hi && nextafter(lo, INFINITY) >= near && nextafter(hi, 0) <= near);
            double dlo = plstar_loss_div_scale(LOSS_MEAN, N, x, LOSS_DOWN), dhi = plstar_loss_div_scale(LOSS_MEAN, N, x, LOSS_UP);
            cr_assert(fma(x, Nd, -2.0 * dlo) >= 0 && fma(x, Nd, -2.0 * dhi) <= 0, "x/s not enclosed at N = %zu", N);
            cr_assert(dlo <= plstar_loss_div_scale(LOSS_MEAN, N, x, LOSS_NEAREST) &&
                      plstar_loss_div_scale(LOSS_MEAN, N, x, LOSS_NEAREST) <= dhi);
            for (int dir = -1; dir <= 1; dir++)
                cr_assert(plstar_loss_mul_scale(LOSS_SUM, N, x, (loss_round)dir) == x &&
                          plstar_loss_div_scale(LOSS_SUM, N, x, (loss_round)dir) == x);
            if ((N & (N - 1)) == 0) /* s = 2/N is a double: every direction is exact */
                cr_assert(lo == hi && lo == near);
        }
    plstar_loss c;
    cr_assert_eq(plstar_loss_parse(&c, "mean"), 0);
    cr_assert_eq(c, LOSS_MEAN);
    cr_assert_eq(plstar_loss_parse(&c, "sum"), 0);
    cr_assert_eq(c, LOSS_SUM);
    cr_assert_eq(plstar_loss_parse(&c, "Mean"), -1);
    cr_assert_eq(plstar_loss_parse(&c, NULL), -1);
}

/* GD with step η on the mean loss is, bit for bit, GD with the step (2η)/N on ½‖F − y‖² — for
 * N = 18, where 2/N is not a double — and its loss and grad_norm columns are s times the sum run's,
 * correctly rounded; the other columns are the same. Under SGD the mean is the batch's. */
Test(train, mean_loss_gd_is_sum_gd_with_the_scaled_step)
{
    setup s;
    make_setup(&s, mlp, 9, 4);
    size_t P = s.m.nparams, N = s.n * s.m.outputs;
    cr_assert_eq(N, 18);
    double *w1 = malloc(P * sizeof(double)), *w2 = malloc(P * sizeof(double));
    fast_train_options o;
    plstar_fast_train_options_init(&o);
    o.lr = 0.3, o.steps = 25, o.record_every = 3, o.loss = LOSS_MEAN;
    fast_trajectory mean, sum;
    run(&mean, w1, &s, &o, PLSTAR_OK);
    cr_assert(plstar_fast_train_half_sum_lr(&o, s.n, s.m.outputs) == (2 * 0.3) / 18);
    o.lr = (2 * 0.3) / 18, o.loss = LOSS_SUM;
    run(&sum, w2, &s, &o, PLSTAR_OK);
    cr_assert(memcmp(w1, w2, P * sizeof(double)) == 0, "the final weights differ");
    cr_assert_eq(mean.rows, sum.rows);
    for (size_t r = 0; r < sum.rows; r++)
        for (size_t k = 0; k < sum.cols; k++) {
            double a = mean.data[r * mean.cols + k], b = sum.data[r * sum.cols + k];
            double want = (k == 1 || k == 2) ? (2 * b) / (double)N : b; /* loss, grad_norm */
            cr_assert(a == want, "row %zu column %s: %.17g, want %.17g", r, sum.names[k], a, want);
        }
    cr_assert(mean.data[(mean.rows - 1) * mean.cols + 1] < mean.data[1], "the mean loss decreases");
    /* mini-batches of S = 4 samples: the batch mean, s = 2/(S c) = 1/4 */
    o.batch = 4, o.seed = 5, o.lr = 0.3, o.loss = LOSS_MEAN;
    plstar_fast_trajectory_clear(&mean), plstar_fast_trajectory_clear(&sum);
    run(&mean, w1, &s, &o, PLSTAR_OK);
    o.lr = 0.3 / 4, o.loss = LOSS_SUM;
    run(&sum, w2, &s, &o, PLSTAR_OK);
    cr_assert(memcmp(w1, w2, P * sizeof(double)) == 0, "SGD on the batch mean is SGD on the batch sum, step sη");
    plstar_fast_trajectory_clear(&mean), plstar_fast_trajectory_clear(&sum);
    free(w1), free(w2);
    free_setup(&s);
}

/* A checkpoint holds the convention: resuming under the other one is refused. */
Test(train, a_checkpoint_keeps_its_loss_convention)
{
    setup s;
    make_setup(&s, mlp, 6, 8);
    double *w = malloc(s.m.nparams * sizeof(double));
    char *ck = tmp_path("loss_ck.npy");
    fast_train_options o;
    plstar_fast_train_options_init(&o);
    o.lr = 0.1, o.steps = 6, o.loss = LOSS_MEAN, o.checkpoint_path = ck, o.checkpoint_every = 3;
    fast_trajectory tr;
    run(&tr, w, &s, &o, PLSTAR_OK);
    fast_train_options r = o;
    r.checkpoint_path = NULL, r.resume_path = ck, r.loss = LOSS_SUM;
    plstar_fast_trajectory_clear(&tr);
    run(&tr, w, &s, &r, PLSTAR_EDATA);
    cr_assert(strstr(plstar_errmsg(), "loss mean"), "%s", plstar_errmsg());
    r.loss = LOSS_MEAN;
    plstar_fast_trajectory_clear(&tr);
    run(&tr, w, &s, &r, PLSTAR_OK);
    plstar_fast_trajectory_clear(&tr);
    unlink(ck);
    free(ck), free(w);
    free_setup(&s);
}

static double num_at(json_t *r, const char *a, const char *b, const char *c)
{
    json_t *v = json_object_get(r, a);
    if (b)
        v = json_object_get(v, b);
    if (c)
        v = json_object_get(v, c);
    cr_assert(json_is_number(v), "%s.%s.%s is not a number", a, b ? b : "", c ? c : "");
    return json_number_value(v);
}

#define SIX "--model m.json --data X6.npy --weights w0.npy --labels y6.npy"

/* certify gd --path --loss mean --lr η certifies where the run on ½‖F − y‖² with the step (2η)/N
 * certifies (N = 6): the same iterates (path length, λ_min), lr as given and its lr_half_sum the sum
 * run's lr, and the losses, μ and envelope s times the sum run's, each side rounded outwards. */
Test(train, gd_path_mean_loss_is_the_scaled_sum_run, .init = gd_files, .fini = gd_files_clear)
{
    char out[8192], args[512];
    const double eta = 0.9, s = 2.0 / 6;
    cr_assert_eq(gd_run(out, sizeof out, "certify gd " SIX " --path --steps 30 --loss mean --lr 0.9 --json pm.json"), 0,
                 "%s", out);
    cr_assert(strstr(out, "on the mean loss"), "%s", out);
    snprintf(args, sizeof args, "certify gd " SIX " --path --steps 30 --lr %.17g --json ps.json", (2 * eta) / 6);
    cr_assert_eq(gd_run(out, sizeof out, args), 0, "%s", out);
    json_t *m = gd_json("pm.json"), *u = gd_json("ps.json");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(m, "loss"), "convention")), "mean");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(u, "loss"), "convention")), "sum");
    double slo = num_at(m, "loss", "scale_to_half_sum", "lower"), shi = num_at(m, "loss", "scale_to_half_sum", "upper");
    cr_assert(slo < shi && fma(slo, 6, -2) <= 0 && fma(shi, 6, -2) >= 0, "s = 2/6 enclosed: [%.17g, %.17g]", slo, shi);
    cr_assert(num_at(m, "lr", NULL, NULL) == eta);
    cr_assert(num_at(m, "lr_half_sum", NULL, NULL) == num_at(u, "lr", NULL, NULL));
    cr_assert(num_at(m, "quantities", "path_length", "upper") == num_at(u, "quantities", "path_length", "upper"));
    cr_assert(num_at(m, "quantities", "lambda_min_w0", "lower") == num_at(u, "quantities", "lambda_min_w0", "lower"));
    cr_assert(fabs(num_at(m, "radius", NULL, NULL) / num_at(u, "radius", NULL, NULL) - 1) < 1e-12);
    double mu_m = num_at(m, "mu", NULL, NULL), mu_s = num_at(u, "mu", NULL, NULL);
    cr_assert(fabs(mu_m / (s * mu_s) - 1) < 1e-12, "mu %.17g is s x %.17g", mu_m, mu_s);
    const char *keys[] = {"loss_initial", "loss_final"};
    for (size_t k = 0; k < 2; k++) {
        double ml = num_at(m, "quantities", keys[k], "lower"), mh = num_at(m, "quantities", keys[k], "upper");
        double sl = num_at(u, "quantities", keys[k], "lower"), sh = num_at(u, "quantities", keys[k], "upper");
        cr_assert(fma(ml, 6, -2 * sl) <= 0 && fma(mh, 6, -2 * sh) >= 0, "%s: [%.17g, %.17g] does not enclose s x "
                  "[%.17g, %.17g]", keys[k], ml, mh, sl, sh);
        cr_assert(mh - ml <= 1e-15 * mh, "%s stays tight", keys[k]);
    }
    json_t *tm = json_object_get(m, "trajectory"), *ts = json_object_get(u, "trajectory");
    cr_assert_eq(json_array_size(tm), json_array_size(ts));
    for (size_t k = 0; k < json_array_size(tm); k++) {
        json_t *a = json_array_get(tm, k), *b = json_array_get(ts, k);
        double fa = json_real_value(json_object_get(a, "loss_fast")), fb = json_real_value(json_object_get(b, "loss_fast"));
        cr_assert(fa == (2 * fb) / 6, "record %zu: the trainer's mean loss is s x its sum loss", k);
        double ea = json_real_value(json_object_get(json_object_get(a, "loss_envelope"), "lower"));
        double eb = json_real_value(json_object_get(json_object_get(b, "loss_envelope"), "lower"));
        cr_assert(ea <= s * eb * (1 + 1e-12) && ea >= s * eb * (1 - 1e-12), "record %zu envelope", k);
    }
    double lam = INFINITY;
    for (size_t k = 0; k < json_array_size(ts); k++)
        lam = fmin(lam, num_at(json_array_get(ts, k), "lambda_min", "lower", NULL));
    json_decref(m), json_decref(u);
    /* a PL* constant of the mean loss is s λ_min: μ = 0.9 λ_min is refuted under mean, by the λ condition */
    snprintf(args, sizeof args, "certify gd " SIX " --path --steps 30 --loss mean --lr 0.9 --mu %.17g --json pr.json",
             0.9 * lam);
    cr_assert_eq(gd_run(out, sizeof out, args), 1, "%s", out);
    json_t *r = gd_json("pr.json");
    const char *ineq = json_string_value(json_object_get(json_object_get(r, "reason"), "inequality"));
    cr_assert(strstr(ineq, "(2/N) lambda_min(K(w"), "%s", ineq);
    json_decref(r);
}

/* --loss takes sum or mean; anything else is a usage error (64) on one line, before any work. */
Test(train, a_bad_loss_is_a_usage_error, .init = gd_files, .fini = gd_files_clear)
{
    const char *cmds[] = {"train " DEMO " --lr 0.1 --steps 3 --out t --loss bogus",
                          "certify gd " DEMO " --path --loss bogus", "certify gd " DEMO " --apriori --loss MEAN",
                          "export " DEMO " --out B --loss bogus", "certify point " DEMO " --loss mean"};
    for (size_t k = 0; k < sizeof cmds / sizeof *cmds; k++) {
        char out[4096];
        cr_assert_eq(gd_run(out, sizeof out, cmds[k]), 64, "%s: %s", cmds[k], out);
        cr_assert(strchr(out, '\n') == out + strlen(out) - 1, "%s: one line: %s", cmds[k], out);
        cr_assert(strstr(out, "--loss"), "%s names the option: %s", cmds[k], out);
    }
}

/* Third-party validation: a bundle round-trips; "their" outputs computed by the fast path in double,
 * by float32 emulation (inputs and results rounded to float) and by genuine float32 arithmetic pass
 * at the tolerance of their format; bugs (one kernel entry off by 1e-6, the 1/√m scaling dropped, a
 * weight matrix transposed, a wrong step) fail and the worst entry is the one at fault; bad files get
 * exit 65 with one line naming the file and the position. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/model.h"
#include "core/npy.h"
#include "core/layout.h"
#include "fast/network.h"
#include "proofs-checks/validate.h"
#include "reference/network.h"

/* ---- problems ----------------------------------------------------------- */

static void make_problem(plstar_problem *p, gsl_rng *r, size_t depth, const char *act, const char *outact,
                         int bias, size_t c, const char *scaling)
{
    static const size_t widths[3] = {9, 9, 8};
    char json[512], ws[64] = "";
    for (size_t l = 0; l < depth; l++)
        snprintf(ws + strlen(ws), sizeof ws - strlen(ws), l ? ", %zu" : "%zu", widths[l]);
    size_t d = 3, n = 4;
    snprintf(json, sizeof json,
             "{\"model\":\"mlp\",\"input_dim\":%zu,\"widths\":[%s],\"outputs\":%zu,\"activation\":\"%s\","
             "\"output_activation\":\"%s\",\"bias\":%s,\"scaling\":\"%s\"}",
             d, ws, c, act, outact, bias ? "true" : "false", scaling);
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, json, "test"), PLSTAR_OK, "%s", plstar_errmsg());
    double *X = malloc(n * d * sizeof(double)), *w = malloc(m.nparams * sizeof(double));
    double *y = malloc(n * c * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(r, 1.0);
    for (size_t k = 0; k < n * c; k++)
        y[k] = gsl_ran_gaussian(r, 1.0);
    plstar_model_init_weights(w, &m, gsl_rng_get(r));
    if (bias) /* non-zero biases, so their convention matters */
        for (size_t l = 0; l < m.nlayers; l++)
            for (size_t a = 0; a < m.layers[l].out; a++)
                w[m.layers[l].b_offset + a] = gsl_ran_gaussian(r, 0.5);
    plstar_problem_init(p);
    cr_assert_eq(plstar_problem_set(p, &m, X, n, w, y), PLSTAR_OK);
    free(X), free(w), free(y);
    plstar_model_clear(&m);
}

/* ---- their side ---------------------------------------------------------- */

#define STEPS 8

typedef struct {
    double *F, *J, *K, L[STEPS + 1], lambda_min, lr;
} theirs;

static void theirs_alloc(theirs *t, const plstar_problem *p)
{
    size_t N = p->N, P = p->model.nparams;
    t->F = calloc(N, sizeof(double));
    t->J = calloc(N * P, sizeof(double));
    t->K = calloc(N * N, sizeof(double));
}

static void theirs_free(theirs *t) { free(t->F), free(t->J), free(t->K); }

static double smallest_eigenvalue(const double *K, size_t N)
{
    double *A = malloc(N * N * sizeof(double)), *ev = malloc(N * sizeof(double));
    memcpy(A, K, N * N * sizeof(double));
    cr_assert_eq(LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)N, A, (lapack_int)N, ev), 0);
    double v = ev[0];
    free(A), free(ev);
    return v;
}

static double largest_eigenvalue(const double *K, size_t N)
{
    double *A = malloc(N * N * sizeof(double)), *ev = malloc(N * sizeof(double));
    memcpy(A, K, N * N * sizeof(double));
    cr_assert_eq(LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)N, A, (lapack_int)N, ev), 0);
    double v = ev[N - 1];
    free(A), free(ev);
    return v;
}

static double to_float(double x) { return (double)(float)x; }

/* The fast path in double; with `f32`, float32 emulation: X, w, y rounded to float first, every
 * result rounded to float, GD iterates stored in float. */
static void theirs_fast_w(theirs *t, const plstar_problem *p, const plstar_model *m, const double *w0, int f32)
{
    size_t n = p->n, N = p->N, P = m->nparams, d = m->input_dim;
    double *X = malloc(n * d * sizeof(double)), *w = malloc(P * sizeof(double)), *y = malloc(N * sizeof(double));
    double *g = malloc(P * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = f32 ? to_float(p->X.data[k]) : p->X.data[k];
    for (size_t k = 0; k < P; k++)
        w[k] = f32 ? to_float(w0[k]) : w0[k];
    for (size_t k = 0; k < N; k++)
        y[k] = f32 ? to_float(p->y.data[k]) : p->y.data[k];
    cr_assert_eq(plstar_fast_outputs(t->F, m, X, n, w), PLSTAR_OK);
    cr_assert_eq(plstar_fast_jacobian(t->J, m, X, n, w), PLSTAR_OK);
    cr_assert_eq(plstar_fast_kernel_explicit(t->K, m, X, n, w), PLSTAR_OK);
    t->lambda_min = smallest_eigenvalue(t->K, N);
    t->lr = 0.5 / largest_eigenvalue(t->K, N);
    for (int s = 0; s <= STEPS; s++) {
        cr_assert_eq(plstar_fast_loss_grad(&t->L[s], g, m, X, n, w, y), PLSTAR_OK);
        for (size_t k = 0; s < STEPS && k < P; k++)
            w[k] = f32 ? to_float(w[k] - to_float(t->lr) * g[k]) : w[k] - t->lr * g[k];
    }
    if (f32) {
        for (size_t k = 0; k < N; k++)
            t->F[k] = to_float(t->F[k]);
        for (size_t k = 0; k < N * P; k++)
            t->J[k] = to_float(t->J[k]);
        for (size_t k = 0; k < N * N; k++)
            t->K[k] = to_float(t->K[k]);
        for (int s = 0; s <= STEPS; s++)
            t->L[s] = to_float(t->L[s]);
        t->lambda_min = to_float(t->lambda_min);
        t->lr = to_float(t->lr);
    }
    free(X), free(w), free(y), free(g);
}

static void theirs_fast(theirs *t, const plstar_problem *p, const plstar_model *m, int f32)
{
    theirs_fast_w(t, p, m, p->w, f32);
}

/* σ and σ′ in float, σ′ from σ as autograd does. */
static float act_f(plstar_act a, float z, float *d)
{
    float s;
    switch (a) {
    case ACT_TANH:
        s = tanhf(z);
        *d = 1.0f - s * s;
        return s;
    case ACT_SIGMOID:
        s = 1.0f / (1.0f + expf(-z));
        *d = s * (1.0f - s);
        return s;
    default:
        *d = 1.0f;
        return z;
    }
}

/* Genuine float32 arithmetic: forward, backward with unit seeds, J, and K = J Jᵀ accumulated in float. */
static void theirs_float32(theirs *t, const plstar_problem *p)
{
    const plstar_model *m = &p->model;
    size_t n = p->n, c = m->outputs, N = p->N, P = m->nparams, nl = m->nlayers;
    float *w = malloc(P * sizeof(float));
    for (size_t k = 0; k < P; k++)
        w[k] = (float)p->w[k];
    float *A[8], *S[8], *D[8];
    for (size_t i = 0; i < n; i++) {
        for (size_t l = 0; l < nl; l++) {
            const plstar_layer *L = &m->layers[l];
            A[l] = malloc(L->out * sizeof(float)), S[l] = malloc(L->out * sizeof(float));
            D[l] = malloc(L->out * sizeof(float));
            float scale = L->scale_div == 1 ? 1.0f : 1.0f / sqrtf((float)L->scale_div);
            for (size_t a = 0; a < L->out; a++) {
                float z = 0.0f;
                for (size_t b = 0; b < L->in; b++)
                    z += w[L->w_offset + a * L->in + b] * (l ? A[l - 1][b] : (float)p->X.data[i * L->in + b]);
                z = z * scale + (L->has_bias ? w[L->b_offset + a] : 0.0f);
                A[l][a] = act_f(L->act, z, &S[l][a]);
            }
        }
        for (size_t k = 0; k < c; k++) {
            t->F[i * c + k] = A[nl - 1][k];
            size_t r = i * c + k;
            for (size_t a = 0; a < c; a++)
                D[nl - 1][a] = a == k ? S[nl - 1][a] : 0.0f;
            for (size_t l = nl - 1; l-- > 0;) {
                const plstar_layer *Ln = &m->layers[l + 1];
                float scale = Ln->scale_div == 1 ? 1.0f : 1.0f / sqrtf((float)Ln->scale_div);
                for (size_t b = 0; b < Ln->in; b++) {
                    float g = 0.0f;
                    for (size_t a = 0; a < Ln->out; a++)
                        g += D[l + 1][a] * w[Ln->w_offset + a * Ln->in + b];
                    D[l][b] = g * scale * S[l][b];
                }
            }
            for (size_t l = 0; l < nl; l++) {
                const plstar_layer *L = &m->layers[l];
                float scale = L->scale_div == 1 ? 1.0f : 1.0f / sqrtf((float)L->scale_div);
                for (size_t a = 0; a < L->out; a++) {
                    float ds = D[l][a] * scale;
                    for (size_t b = 0; b < L->in; b++)
                        t->J[r * P + L->w_offset + a * L->in + b] =
                            ds * (l ? A[l - 1][b] : (float)p->X.data[i * L->in + b]);
                    if (L->has_bias)
                        t->J[r * P + L->b_offset + a] = D[l][a];
                }
            }
        }
        for (size_t l = 0; l < nl; l++)
            free(A[l]), free(S[l]), free(D[l]);
    }
    for (size_t r = 0; r < N; r++)
        for (size_t s = 0; s < N; s++) {
            float acc = 0.0f;
            for (size_t k = 0; k < P; k++)
                acc += (float)t->J[r * P + k] * (float)t->J[s * P + k];
            t->K[r * N + s] = acc;
        }
    free(w);
}

static validate_claims claims_of(const theirs *t, validate_format f, int with_losses)
{
    validate_claims c = {.format = f, .outputs = t->F, .jacobian = t->J, .kernel = t->K, .has_lambda_min = 1,
                         .lambda_min = t->lambda_min};
    if (with_losses) {
        c.losses = t->L;
        c.nlosses = STEPS + 1;
        c.lr = t->lr;
    }
    return c;
}

static const char *status_names(const validate_result *res, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t k = 0; k < res->nq; k++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s:%d(%.3g) ", res->q[k].name, res->q[k].status,
                 res->q[k].worst_ratio);
    return buf;
}

/* ---- the library ---------------------------------------------------------- */

Test(validate, float64_fast_path_passes_for_every_configuration)
{
    static const char *acts[] = {"tanh", "sigmoid"};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 41);
    char buf[512];
    for (size_t depth = 1; depth <= 3; depth++)
        for (int a = 0; a < 2; a++)
            for (int nonlinear_out = 0; nonlinear_out < 2; nonlinear_out++)
                for (int bias = 0; bias < 2; bias++)
                    for (size_t c = 1; c <= 3; c += 2) {
                        plstar_problem p;
                        make_problem(&p, r, depth, acts[a], nonlinear_out ? acts[a] : "linear", bias, c,
                                     (depth + bias) % 2 ? "ntk" : "standard");
                        theirs t;
                        theirs_alloc(&t, &p);
                        theirs_fast(&t, &p, &p.model, 0);
                        validate_claims cl = claims_of(&t, VALIDATE_FLOAT64, 1);
                        validate_result res;
                        int st = plstar_check_validate(&res, &p, &cl, 128);
                        cr_assert_eq(st, PLSTAR_OK, "depth %zu %s out %d bias %d c %zu: %s", depth, acts[a],
                                     nonlinear_out, bias, c, status_names(&res, buf, sizeof buf));
                        cr_assert_eq(res.nq, 5);
                        theirs_free(&t);
                        plstar_problem_clear(&p);
                    }
    gsl_rng_free(r);
}

Test(validate, float32_emulation_passes_at_float32_tolerance_only)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 42);
    char buf[512];
    for (int iter = 0; iter < 8; iter++) {
        plstar_problem p;
        make_problem(&p, r, 1 + iter % 3, iter % 2 ? "sigmoid" : "tanh", iter % 4 < 2 ? "linear" : "tanh",
                     iter % 3 == 0, 1 + 2 * (iter % 2), "ntk");
        theirs t;
        theirs_alloc(&t, &p);
        theirs_fast(&t, &p, &p.model, 1);
        validate_claims cl = claims_of(&t, VALIDATE_FLOAT32, 1);
        validate_result res;
        cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK, "iteration %d: %s", iter,
                     status_names(&res, buf, sizeof buf));
        /* the same numbers are far from float64 accuracy */
        cl.format = VALIDATE_FLOAT64;
        cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED, "iteration %d", iter);
        cr_assert_eq(res.q[2].status, PLSTAR_REFUTED, "the kernel must fail at float64 tolerance");
        theirs_free(&t);
        plstar_problem_clear(&p);
    }
    gsl_rng_free(r);
}

Test(validate, genuine_float32_arithmetic_passes)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 43);
    char buf[512];
    for (int iter = 0; iter < 12; iter++) {
        plstar_problem p;
        make_problem(&p, r, 1 + iter % 3, iter % 2 ? "sigmoid" : "tanh", (iter / 2) % 2 ? "linear" : "sigmoid",
                     (iter / 3) % 2, 1 + 2 * ((iter / 4) % 2), iter % 5 ? "ntk" : "standard");
        theirs t;
        theirs_alloc(&t, &p);
        theirs_float32(&t, &p);
        t.lambda_min = (float)smallest_eigenvalue(t.K, p.N);
        validate_claims cl = claims_of(&t, VALIDATE_FLOAT32, 0);
        validate_result res;
        cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK, "iteration %d: %s", iter,
                     status_names(&res, buf, sizeof buf));
        for (size_t k = 0; k < res.nq; k++)
            cr_assert(res.q[k].worst_ratio <= 1.0);
        theirs_free(&t);
        plstar_problem_clear(&p);
    }
    gsl_rng_free(r);
}

Test(validate, lambda_min_enclosure_is_tight_and_contains_the_eigenvalue)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 44);
    plstar_problem p;
    make_problem(&p, r, 2, "tanh", "linear", 1, 3, "ntk");
    theirs t;
    theirs_alloc(&t, &p);
    theirs_fast(&t, &p, &p.model, 0);
    validate_claims cl = {.format = VALIDATE_FLOAT64, .has_lambda_min = 1, .lambda_min = t.lambda_min};
    validate_result res;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK);
    const validate_quantity *q = &res.q[0];
    cr_assert_str_eq(q->name, "lambda_min");
    cr_assert(q->lower <= q->upper);
    cr_assert(q->lower <= t.lambda_min + 1e-12 && t.lambda_min - 1e-12 <= q->upper);
    cr_assert(q->upper - q->lower < 1e-10 * (1 + fabs(t.lambda_min)), "width %g", q->upper - q->lower);
    /* a value off by 1e-6 relative fails at float64 */
    cl.lambda_min = t.lambda_min * (1 + 1e-6) + 1e-9;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    theirs_free(&t);
    plstar_problem_clear(&p);
    gsl_rng_free(r);
}

/* A copy of the model with a different scaling of every layer. */
static void drop_scaling(plstar_model *dst, const plstar_model *src)
{
    char *json = plstar_model_to_json(src);
    plstar_model_init(dst);
    cr_assert_eq(plstar_model_parse_json(dst, json, "copy"), PLSTAR_OK);
    free(json);
    for (size_t l = 0; l < dst->nlayers; l++)
        dst->layers[l].scale_div = 1;
}

Test(validate, mutations_fail_and_the_worst_entry_is_the_one_at_fault)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 45);
    plstar_problem p;
    make_problem(&p, r, 2, "tanh", "linear", 1, 3, "ntk");
    size_t N = p.N, P = p.model.nparams;
    theirs t;
    theirs_alloc(&t, &p);
    theirs_fast(&t, &p, &p.model, 0);
    validate_result res;

    /* one kernel entry off by 1e-6 relative */
    size_t at = 2 * N + 7;
    t.K[at] *= 1 + 1e-6;
    validate_claims cl = {.format = VALIDATE_FLOAT64, .kernel = t.K};
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    cr_assert_eq(res.q[0].violations, 1);
    cr_assert_eq(res.q[0].worst[0].index, at);
    cr_assert(res.q[0].worst[0].ratio > 1.0 && res.q[0].worst[1].ratio <= 1.0);
    char name[160];
    plstar_validate_entry_name(name, sizeof name, &res.q[0], &p.model, at);
    cr_assert_str_eq(name, "K[2, 7] (sample 0 output 2, sample 2 output 1)");
    t.K[at] /= 1 + 1e-6;

    /* a Jacobian entry wrong in one parameter (a bias, layer 2) */
    size_t jat = 4 * P + p.model.layers[1].b_offset + 3;
    t.J[jat] += 1e-9 + 1e-6 * fabs(t.J[jat]);
    cl = (validate_claims){.format = VALIDATE_FLOAT64, .jacobian = t.J};
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    cr_assert_eq(res.q[0].worst[0].index, jat);
    plstar_validate_entry_name(name, sizeof name, &res.q[0], &p.model, jat);
    cr_assert_str_eq(name, "J[4, 120] (sample 1 output 1; layer 2 b[3])", "got %s", name);
    theirs_free(&t);

    /* the 1/√m scaling dropped everywhere, and a (square) weight matrix transposed */
    for (int bug = 0; bug < 2; bug++) {
        plstar_model m2;
        double *w2 = malloc(P * sizeof(double));
        memcpy(w2, p.w, P * sizeof(double));
        if (bug == 0) {
            drop_scaling(&m2, &p.model);
        } else {
            char *json = plstar_model_to_json(&p.model);
            plstar_model_init(&m2);
            plstar_model_parse_json(&m2, json, "copy");
            free(json);
            const plstar_layer *L = &m2.layers[1];
            cr_assert_eq(L->in, L->out);
            for (size_t a = 0; a < L->out; a++)
                for (size_t b = 0; b < L->in; b++)
                    w2[L->w_offset + a * L->in + b] = p.w[L->w_offset + b * L->in + a];
        }
        theirs_alloc(&t, &p);
        theirs_fast_w(&t, &p, &m2, w2, 0);
        for (int f = 0; f < 2; f++) {
            cl = claims_of(&t, f ? VALIDATE_FLOAT32 : VALIDATE_FLOAT64, 1);
            char sb[512];
            int vst = plstar_check_validate(&res, &p, &cl, 128);
            cr_assert_eq(vst, PLSTAR_REFUTED, "bug %d format %d: %d %s", bug, f, vst, status_names(&res, sb, sizeof sb));
            for (size_t k = 0; k < res.nq; k++)
                if (strcmp(res.q[k].name, "lambda_min"))
                    cr_assert_eq(res.q[k].status, PLSTAR_REFUTED, "bug %d: %s passed", bug, res.q[k].name);
        }
        theirs_free(&t);
        plstar_model_clear(&m2);
        free(w2);
    }

    /* a trajectory run with another step */
    theirs_alloc(&t, &p);
    theirs_fast(&t, &p, &p.model, 0);
    cl = claims_of(&t, VALIDATE_FLOAT64, 1);
    cl.lr *= 1.01;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    cr_assert_str_eq(res.q[4].name, "losses");
    cr_assert_eq(res.q[4].status, PLSTAR_REFUTED);
    cr_assert(res.q[4].worst[0].index > 0, "L_0 does not depend on the step");
    cr_assert(res.q[4].violations >= 1 && res.q[4].violations <= STEPS);
    theirs_free(&t);
    plstar_problem_clear(&p);
    gsl_rng_free(r);
}

/* ---- ReLU-type kinks ---------------------------------------------------------- */

static double rnd(double x, int f32) { return f32 ? (double)(float)x : x; }

/* Another implementation of F, J and K = J Jᵀ of a ReLU-type MLP, loop by loop, in double or — f32 —
 * in float32 arithmetic (every operation rounded to float, which double emulates exactly), with σ′(0)
 * the right derivative 1 (`right`) or the left one (0; leaky: the slope), as an implementation may
 * choose. */
static void theirs_plain(theirs *t, const plstar_problem *p, int f32, int right)
{
    const plstar_model *m = &p->model;
    size_t n = p->n, c = m->outputs, N = p->N, P = m->nparams, nl = m->nlayers, d = m->input_dim;
    double *w = malloc(P * sizeof(double)), *x = malloc(d * sizeof(double)), *A[4], *S[4], *D[4];
    for (size_t k = 0; k < P; k++)
        w[k] = rnd(p->w[k], f32);
    for (size_t i = 0; i < n; i++) {
        for (size_t b = 0; b < d; b++)
            x[b] = rnd(p->X.data[i * d + b], f32);
        for (size_t l = 0; l < nl; l++) {
            const plstar_layer *L = &m->layers[l];
            const double *W = plstar_layer_weights(m, l, w), *prev = l ? A[l - 1] : x;
            double scale = L->scale_div == 1 ? 1.0 : rnd(1.0 / rnd(sqrt((double)L->scale_div), f32), f32);
            double slope = L->act == ACT_LEAKY_RELU ? PLSTAR_LEAKY_SLOPE : 0.0;
            A[l] = malloc(L->out * sizeof(double)), S[l] = malloc(L->out * sizeof(double));
            D[l] = malloc(L->out * sizeof(double));
            for (size_t a = 0; a < L->out; a++) {
                double z = 0.0;
                for (size_t b = 0; b < L->in; b++)
                    z = rnd(z + rnd(W[a * L->in + b] * prev[b], f32), f32);
                z = rnd(z * scale, f32);
                if (L->has_bias)
                    z = rnd(z + w[L->b_offset + a], f32);
                if (L->act == ACT_LINEAR)
                    A[l][a] = z, S[l][a] = 1.0;
                else
                    A[l][a] = z > 0 ? z : rnd(slope * z, f32), S[l][a] = z > 0 || (z == 0 && right) ? 1.0 : slope;
            }
        }
        for (size_t k = 0; k < c; k++) {
            size_t r = i * c + k;
            t->F[r] = A[nl - 1][k];
            for (size_t a = 0; a < c; a++)
                D[nl - 1][a] = a == k ? S[nl - 1][a] : 0.0;
            for (size_t l = nl - 1; l-- > 0;) {
                const plstar_layer *Ln = &m->layers[l + 1];
                const double *W = plstar_layer_weights(m, l + 1, w);
                double scale = Ln->scale_div == 1 ? 1.0 : rnd(1.0 / rnd(sqrt((double)Ln->scale_div), f32), f32);
                for (size_t b = 0; b < Ln->in; b++) {
                    double g = 0.0;
                    for (size_t a = 0; a < Ln->out; a++)
                        g = rnd(g + rnd(D[l + 1][a] * W[a * Ln->in + b], f32), f32);
                    D[l][b] = rnd(rnd(g * scale, f32) * S[l][b], f32);
                }
            }
            for (size_t l = 0; l < nl; l++) {
                const plstar_layer *L = &m->layers[l];
                const double *prev = l ? A[l - 1] : x;
                double scale = L->scale_div == 1 ? 1.0 : rnd(1.0 / rnd(sqrt((double)L->scale_div), f32), f32);
                for (size_t a = 0; a < L->out; a++) {
                    double ds = rnd(D[l][a] * scale, f32);
                    for (size_t b = 0; b < L->in; b++)
                        t->J[r * P + L->w_offset + a * L->in + b] = rnd(ds * prev[b], f32);
                    if (L->has_bias)
                        t->J[r * P + L->b_offset + a] = D[l][a];
                }
            }
        }
        for (size_t l = 0; l < nl; l++)
            free(A[l]), free(S[l]), free(D[l]);
    }
    for (size_t r = 0; r < N; r++)
        for (size_t s = 0; s < N; s++) {
            double acc = 0.0;
            for (size_t k = 0; k < P; k++)
                acc = rnd(acc + rnd(t->J[r * P + k] * t->J[s * P + k], f32), f32);
            t->K[r * N + s] = acc;
        }
    t->lambda_min = rnd(smallest_eigenvalue(t->K, N), f32);
    free(w), free(x);
}

/* The example of the defect report: MLP 2 → 3 (relu, standard scaling, no bias) → 1,
 * X = [[1, x01], [0.5, 2]], w = [1, 1, 2, 1, −1, 0.5, 0.7, −1.2, 0.4]; unit 0 of sample 0 has
 * z = 1 + x01, J[0, 0] = 0.7·σ′(z). */
static void kink_example(plstar_problem *p, double x01)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[3],\"activation\":\"relu\","
                                      "\"scaling\":\"standard\",\"bias\":false,\"outputs\":1,\"output_activation\":\"linear\"}", "example"), PLSTAR_OK);
    double X[4] = {1, x01, 0.5, 2}, w[9] = {1, 1, 2, 1, -1, 0.5, 0.7, -1.2, 0.4};
    plstar_problem_init(p);
    cr_assert_eq(plstar_problem_set(p, &m, X, 2, w, NULL), PLSTAR_OK);
    plstar_model_clear(&m);
}

/* The status of their Jacobian alone, with J[0, 0] replaced by v (NAN: as computed). */
static int jacobian_with(const plstar_problem *p, const theirs *t, double v, validate_format f, validate_result *res)
{
    size_t NP = p->N * p->model.nparams;
    double *J = malloc(NP * sizeof(double));
    memcpy(J, t->J, NP * sizeof(double));
    if (!isnan(v))
        J[0] = v;
    validate_claims cl = {.format = f, .jacobian = J};
    int st = plstar_check_validate(res, p, &cl, 128);
    free(J);
    return st;
}

Test(validate, relu_kink_examples_of_the_defect_report)
{
    validate_result res;
    theirs t, t1;
    plstar_problem p;
    /* z = 2^-52 > 0: J[0, 0] = 0.7 exactly; the rounding bound on z (about 7·2^-52) reaches the other
     * side, so 0 is attainable too; -2.0 is neither (it passed with a tolerance of 2.8) */
    kink_example(&p, -1 + 0x1p-52);
    theirs_alloc(&t, &p);
    theirs_plain(&t, &p, 0, 0);
    cr_assert_eq(t.J[0], 0.7);
    cr_assert_eq(jacobian_with(&p, &t, NAN, VALIDATE_FLOAT64, &res), PLSTAR_OK);
    cr_assert(strstr(res.q[0].note, "within rounding of the kink"), "%s", res.q[0].note);
    cr_assert_eq(jacobian_with(&p, &t, 0.0, VALIDATE_FLOAT64, &res), PLSTAR_OK);
    cr_assert_eq(jacobian_with(&p, &t, -2.0, VALIDATE_FLOAT64, &res), PLSTAR_REFUTED);
    cr_assert_eq(res.q[0].violations, 1);
    cr_assert_eq(res.q[0].worst[0].index, 0);
    cr_assert(res.q[0].worst[0].tol < 1e-14, "the ordinary tolerance, not the jump: %g", res.q[0].worst[0].tol);
    theirs_free(&t);
    plstar_problem_clear(&p);

    /* z = 2^-20, far beyond rounding: only σ′ = 1; 0 fails */
    kink_example(&p, -1 + 0x1p-20);
    theirs_alloc(&t, &p);
    theirs_plain(&t, &p, 0, 0);
    cr_assert_eq(jacobian_with(&p, &t, NAN, VALIDATE_FLOAT64, &res), PLSTAR_OK);
    cr_assert_eq(res.q[0].note[0], '\0', "no kink: %s", res.q[0].note);
    cr_assert_eq(jacobian_with(&p, &t, 0.0, VALIDATE_FLOAT64, &res), PLSTAR_REFUTED);
    theirs_free(&t);
    plstar_problem_clear(&p);

    /* z = 0 exactly: only {0, 0.7} are attainable (both conventions pass, F, J, K and λ_min); 3.0 and
     * the midpoints fail */
    kink_example(&p, -1);
    theirs_alloc(&t, &p), theirs_alloc(&t1, &p);
    theirs_plain(&t, &p, 0, 0);
    theirs_plain(&t1, &p, 0, 1);
    cr_assert(t.J[0] == 0.0 && t1.J[0] == 0.7);
    char buf[512];
    for (int conv = 0; conv < 2; conv++) {
        validate_claims cl = claims_of(conv ? &t1 : &t, VALIDATE_FLOAT64, 0);
        cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK, "σ′(0) = %d: %s", conv,
                     status_names(&res, buf, sizeof buf));
    }
    cr_assert_eq(jacobian_with(&p, &t, 3.0, VALIDATE_FLOAT64, &res), PLSTAR_REFUTED);
    cr_assert_eq(jacobian_with(&p, &t, 0.35, VALIDATE_FLOAT64, &res), PLSTAR_REFUTED);
    size_t N = p.N;
    double *K = malloc(N * N * sizeof(double));
    for (size_t k = 0; k < N * N; k++)
        K[k] = 0.5 * (t.K[k] + t1.K[k]);
    validate_claims cl = {.format = VALIDATE_FLOAT64, .kernel = K, .has_lambda_min = 1,
                          .lambda_min = 0.5 * (t.lambda_min + t1.lambda_min)};
    cr_assert(fabs(t.lambda_min - t1.lambda_min) > 0.1);
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    cr_assert_eq(res.q[0].status, PLSTAR_REFUTED, "the midpoint kernel");
    cr_assert_eq(res.q[1].status, PLSTAR_REFUTED, "the midpoint λ_min");
    free(K);
    theirs_free(&t), theirs_free(&t1);
    plstar_problem_clear(&p);
}

Test(validate, relu_kink_examples_in_float32)
{
    validate_result res;
    theirs t, t1;
    plstar_problem p;
    char buf[512];
    /* −1 + 2^-52 rounds to −1 in float32: their z is 0, and either one-sided derivative is theirs */
    kink_example(&p, -1 + 0x1p-52);
    theirs_alloc(&t, &p), theirs_alloc(&t1, &p);
    theirs_plain(&t, &p, 1, 0);
    theirs_plain(&t1, &p, 1, 1);
    cr_assert(t.J[0] == 0.0 && t1.J[0] == (float)0.7);
    for (int conv = 0; conv < 2; conv++) {
        validate_claims cl = claims_of(conv ? &t1 : &t, VALIDATE_FLOAT32, 0);
        cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK, "σ′(0) = %d: %s", conv,
                     status_names(&res, buf, sizeof buf));
    }
    cr_assert_eq(jacobian_with(&p, &t, -2.0, VALIDATE_FLOAT32, &res), PLSTAR_REFUTED);
    cr_assert_eq(jacobian_with(&p, &t, 3.0, VALIDATE_FLOAT32, &res), PLSTAR_REFUTED);
    cr_assert_eq(jacobian_with(&p, &t, 0.35, VALIDATE_FLOAT32, &res), PLSTAR_REFUTED);
    theirs_free(&t), theirs_free(&t1);
    plstar_problem_clear(&p);
    /* z = 2^-10, beyond float32 rounding of z (about 1.3e-6): only σ′ = 1 */
    kink_example(&p, -1 + 0x1p-10);
    theirs_alloc(&t, &p);
    theirs_plain(&t, &p, 1, 0);
    cr_assert_eq(jacobian_with(&p, &t, NAN, VALIDATE_FLOAT32, &res), PLSTAR_OK);
    cr_assert_eq(jacobian_with(&p, &t, 0.0, VALIDATE_FLOAT32, &res), PLSTAR_REFUTED);
    theirs_free(&t);
    plstar_problem_clear(&p);
}

/* A ReLU-type MLP (d = 3, n = 4, widths 5 or 5, 4) whose inputs and first-layer weights are short
 * dyadic numbers, so that the first layer's sums are exact in any order and format, with
 * pre-activations planted at the kink: unit a0 of sample 0 at z = 0 exactly, unit a0 + 1 of sample 1
 * one ulp of x_{1,2} beside it, and — with biases and two hidden layers — unit 0 of layer 2 of sample 2
 * at z = 0 up to rounding (its bias cancels the computed pre-activation). */
static void kink_problem(plstar_problem *p, gsl_rng *r, const char *act, size_t depth, int bias, size_t c,
                         const char *scaling, size_t a0)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[%s],\"outputs\":%zu,\"activation\":\"%s\","
             "\"bias\":%s,\"scaling\":\"%s\",\"output_activation\":\"linear\"}", depth == 1 ? "5" : "5, 4", c, act, bias ? "true" : "false", scaling);
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, json, "kinks"), PLSTAR_OK, "%s", plstar_errmsg());
    size_t n = 4, d = 3, P = m.nparams;
    double X[12], *w = malloc(P * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = (double)((long)gsl_rng_uniform_int(r, 33) - 16) / 8;
    plstar_model_init_weights(w, &m, gsl_rng_get(r));
    const plstar_layer *L0 = &m.layers[0];
    double *W0 = w + L0->w_offset;
    for (size_t a = 0; a < L0->out; a++) {
        for (size_t b = 0; b + 1 < d; b++)
            W0[a * d + b] = (double)((long)gsl_rng_uniform_int(r, 17) - 8) / 8;
        W0[a * d + d - 1] = ldexp(gsl_rng_uniform_int(r, 2) ? 1.0 : -1.0, (int)gsl_rng_uniform_int(r, 3) - 1);
        if (bias)
            w[L0->b_offset + a] = (a == a0 || a == a0 + 1) ? 0.0 : (double)((long)gsl_rng_uniform_int(r, 17) - 8) / 8;
    }
    for (size_t l = 1; bias && l < m.nlayers; l++)
        for (size_t a = 0; a < m.layers[l].out; a++)
            w[m.layers[l].b_offset + a] = gsl_ran_gaussian(r, 0.5);
    for (size_t i = 0; i < 2; i++) { /* W0[a] · x_i = 0 through x_{i,2} (exact: W0[a, 2] is a power of 2) */
        size_t a = a0 + i;
        double s = W0[a * d] * X[i * d] + W0[a * d + 1] * X[i * d + 1];
        X[i * d + 2] = -s / W0[a * d + 2];
        if (i == 1)
            X[i * d + 2] = nextafter(X[i * d + 2], INFINITY);
    }
    if (depth == 2 && bias) {
        w[m.layers[1].b_offset] = 0.0;
        fast_forward_state s;
        plstar_fast_forward_init(&s);
        cr_assert_eq(plstar_fast_forward(&s, &m, X, n, w), PLSTAR_OK);
        w[m.layers[1].b_offset] = -s.z[1][2 * m.layers[1].out];
        plstar_fast_forward_clear(&s);
    }
    plstar_problem_init(p);
    cr_assert_eq(plstar_problem_set(p, &m, X, n, w, NULL), PLSTAR_OK);
    free(w);
    plstar_model_clear(&m);
}

/* The class: random ReLU and leaky-ReLU nets with units at and beside the kink. A correct
 * implementation passes in both formats with either one-sided convention at z = 0; the midpoint of the
 * two conventions' values — inside the old symmetric band — fails for J, K and λ_min. */
Test(validate, planted_kinks_pass_either_convention_and_wrong_values_fail)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 50);
    char buf[512];
    int mutated[3] = {0, 0, 0};
    for (int iter = 0; iter < 16; iter++) {
        plstar_problem p;
        kink_problem(&p, r, iter % 2 ? "leaky_relu" : "relu", 1 + (iter / 2) % 2, (iter / 4) % 2, 1 + (iter / 8) % 2,
                     iter % 3 ? "ntk" : "standard", (size_t)iter % 4);
        size_t N = p.N, P = p.model.nparams;
        for (int f32 = 0; f32 < 2; f32++) {
            validate_format f = f32 ? VALIDATE_FLOAT32 : VALIDATE_FLOAT64;
            theirs t[2];
            for (int conv = 0; conv < 2; conv++) {
                theirs_alloc(&t[conv], &p);
                theirs_plain(&t[conv], &p, f32, conv);
                validate_claims cl = claims_of(&t[conv], f, 0);
                validate_result res;
                int vst = plstar_check_validate(&res, &p, &cl, 128);
                cr_assert_eq(vst, PLSTAR_OK, "iteration %d, %s, σ′(0) = %d: %s", iter,
                             f32 ? "float32" : "float64", conv, status_names(&res, buf, sizeof buf));
                cr_assert(strstr(res.q[1].note, "within rounding of the kink"), "iteration %d: %s", iter,
                          res.q[1].note);
            }
            /* J: the entry of sample 0, output 0 for W0[a0, 0] (x_{0,0} ≠ 0), midway between conventions */
            size_t at = p.model.layers[0].w_offset + (size_t)(iter % 4) * 3;
            double j0 = t[0].J[at], j1 = t[1].J[at];
            validate_result res;
            if (fabs(j1 - j0) > 1e-3 * (1 + fabs(j1))) {
                double *J = malloc(N * P * sizeof(double));
                memcpy(J, t[0].J, N * P * sizeof(double));
                J[at] = 0.5 * (j0 + j1);
                validate_claims cl = {.format = f, .jacobian = J};
                cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED, "iteration %d", iter);
                cr_assert_eq(res.q[0].worst[0].index, at);
                free(J);
                mutated[0]++;
            }
            if (fabs(t[1].K[0] - t[0].K[0]) > 1e-3 * (1 + fabs(t[1].K[0]))) {
                double *K = malloc(N * N * sizeof(double));
                memcpy(K, t[0].K, N * N * sizeof(double));
                K[0] = 0.5 * (t[0].K[0] + t[1].K[0]);
                validate_claims cl = {.format = f, .kernel = K};
                cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED, "iteration %d", iter);
                cr_assert_eq(res.q[0].worst[0].index, 0);
                free(K);
                mutated[1]++;
            }
            double l0 = t[0].lambda_min, l1 = t[1].lambda_min;
            if (!f32 && fabs(l1 - l0) > 1e-3 * (1 + fabs(l1))) {
                validate_claims cl = {.format = f, .has_lambda_min = 1, .lambda_min = 0.5 * (l0 + l1)};
                cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED, "iteration %d", iter);
                mutated[2]++;
            }
            theirs_free(&t[0]), theirs_free(&t[1]);
        }
        plstar_problem_clear(&p);
    }
    cr_assert(mutated[0] >= 16 && mutated[1] >= 16 && mutated[2] >= 4, "mutations %d %d %d", mutated[0], mutated[1],
              mutated[2]);
    gsl_rng_free(r);
}

Test(validate, arguments_are_checked)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 46);
    plstar_problem p;
    make_problem(&p, r, 1, "tanh", "linear", 0, 1, "ntk");
    validate_result res;
    validate_claims cl = {.format = VALIDATE_FLOAT64};
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_EUSAGE, "nothing to validate");
    double L[2] = {1, 1};
    cl.losses = L, cl.nlosses = 2, cl.lr = 0;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_EUSAGE, "no step");
    plstar_npy_clear(&p.y);
    cl.lr = 0.1;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_EUSAGE, "no labels");
    plstar_problem_clear(&p);
    gsl_rng_free(r);
}

/* ---- the bundle and the command ------------------------------------------ */

static char dir[64];
static const char *exe;

static void setup(void)
{
    exe = getenv("PLSTAR_EXE");
    cr_assert(exe, "PLSTAR_EXE must point at the plstar executable (set by meson test)");
    strcpy(dir, "/tmp/plstar-validate-XXXXXX");
    cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static char *path_of(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static int run(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd %s && '%s' %s > out.txt 2> err.txt", dir, exe, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void read_file(const char *name, char *buf, size_t len)
{
    FILE *f = fopen(path_of(name), "r");
    cr_assert(f, "%s missing", name);
    size_t got = fread(buf, 1, len - 1, f);
    buf[got] = '\0';
    fclose(f);
}

/* exit status `code` and exactly one line "plstar validate: ..." containing every needle */
static void expect_error(const char *args, int code, const char *n1, const char *n2)
{
    int st = run(args);
    char err[2048];
    read_file("err.txt", err, sizeof err);
    cr_assert_eq(st, code, "plstar %s: exit %d, expected %d; stderr: %s", args, st, code, err);
    cr_assert(strchr(err, '\n') == err + strlen(err) - 1, "not one line: %s", err);
    cr_assert(n1 == NULL || strstr(err, n1), "'%s' not in: %s", n1, err);
    cr_assert(n2 == NULL || strstr(err, n2), "'%s' not in: %s", n2, err);
}

/* A .npy file with any descr; data raw bytes. */
static void write_npy_raw(const char *name, const char *descr, const char *shape, const void *data, size_t bytes)
{
    char header[128];
    int len = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape);
    int total = 10 + len + 1, pad = (64 - total % 64) % 64;
    FILE *f = fopen(path_of(name), "wb");
    unsigned short hl = (unsigned short)(len + pad + 1);
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc(hl & 0xff, f), fputc(hl >> 8, f);
    fwrite(header, 1, (size_t)len, f);
    for (int k = 0; k < pad; k++)
        fputc(' ', f);
    fputc('\n', f);
    fwrite(data, 1, bytes, f);
    fclose(f);
}

TestSuite(validate_cli, .init = setup, .fini = teardown);

Test(validate_cli, bundle_round_trips)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 47);
    plstar_problem p, q;
    make_problem(&p, r, 2, "sigmoid", "tanh", 1, 3, "ntk");
    cr_assert_eq(plstar_validate_write_bundle(&p, path_of("B")), PLSTAR_OK, "%s", plstar_errmsg());
    plstar_problem_init(&q);
    cr_assert_eq(plstar_validate_read_bundle(&q, path_of("B")), PLSTAR_OK, "%s", plstar_errmsg());
    char *a = plstar_model_to_json(&p.model), *b = plstar_model_to_json(&q.model);
    cr_assert_str_eq(a, b);
    free(a), free(b);
    cr_assert_eq(q.n, p.n);
    cr_assert_eq(q.y.size, p.y.size);
    cr_assert_eq(memcmp(q.X.data, p.X.data, p.X.size * sizeof(double)), 0);
    cr_assert_eq(memcmp(q.w, p.w, p.model.nparams * sizeof(double)), 0);
    cr_assert_eq(memcmp(q.y.data, p.y.data, p.y.size * sizeof(double)), 0);
    plstar_problem_clear(&q);
    /* the manifest states the layout */
    char text[1 << 15];
    read_file("B/bundle.json", text, sizeof text);
    cr_assert(strstr(text, "\"format\": \"plstar-bundle\""));
    cr_assert(strstr(text, "\"offset\": 27"), "layer 1's bias follows its 9 x 3 weight");
    cr_assert(strstr(text, "\"scale_formula\": \"1/sqrt(3)\""));
    cr_assert(strstr(text, "sample-major"));
    read_file("B/README.txt", text, sizeof text);
    cr_assert(strstr(text, "layer 2: W (9, 9) at w[36:117] row-major, b (9) at w[117:126], scale 1/sqrt(9)"),
              "%s", text);
    /* without labels there is no y.npy */
    plstar_npy_clear(&p.y);
    cr_assert_eq(plstar_validate_write_bundle(&p, path_of("C")), PLSTAR_OK);
    struct stat s;
    cr_assert_neq(stat(path_of("C/y.npy"), &s), 0);
    cr_assert_eq(plstar_validate_write_bundle(&p, path_of("B")), PLSTAR_OK);
    cr_assert_neq(stat(path_of("B/y.npy"), &s), 0, "a re-export without labels leaves no stale y.npy");
    plstar_problem_init(&q);
    cr_assert_eq(plstar_validate_read_bundle(&q, path_of("C")), PLSTAR_OK, "%s", plstar_errmsg());
    cr_assert_eq(q.y.size, 0);
    plstar_problem_clear(&q);
    /* not a bundle; a bundle whose manifest disagrees with its files */
    cr_assert_eq(plstar_validate_read_bundle(&q, path_of("nowhere")), PLSTAR_ENOINPUT);
    cr_assert_eq(mkdir(path_of("empty"), 0777), 0);
    cr_assert_eq(plstar_validate_read_bundle(&q, path_of("empty")), PLSTAR_ENOINPUT);
    cr_assert(strstr(plstar_errmsg(), "not a plstar bundle"));
    read_file("C/bundle.json", text, sizeof text);
    char *at = strstr(text, "\"parameters\": ");
    cr_assert(at);
    at[14] = at[14] == '9' ? '8' : '9';
    FILE *f = fopen(path_of("C/bundle.json"), "w");
    fputs(text, f);
    fclose(f);
    cr_assert_eq(plstar_validate_read_bundle(&q, path_of("C")), PLSTAR_EDATA);
    cr_assert(strstr(plstar_errmsg(), "bundle.json"), "%s", plstar_errmsg());
    plstar_problem_clear(&q);
    plstar_problem_clear(&p);
    gsl_rng_free(r);
}

Test(validate_cli, export_then_validate_pass_and_fail)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 48);
    plstar_problem p;
    make_problem(&p, r, 2, "tanh", "linear", 1, 2, "ntk");
    FILE *f = fopen(path_of("m.json"), "w");
    char *json = plstar_model_to_json(&p.model);
    fputs(json, f);
    fclose(f);
    free(json);
    plstar_npy_write_matrix(path_of("X.npy"), p.X.data, p.n, p.model.input_dim);
    plstar_npy_write_matrix(path_of("y.npy"), p.y.data, p.n, p.model.outputs);
    plstar_npy_write_vector(path_of("w.npy"), p.w, p.model.nparams);
    cr_assert_eq(run("export --model m.json --data X.npy --weights w.npy --labels y.npy --out B"), 0);
    theirs t;
    theirs_alloc(&t, &p);
    theirs_fast(&t, &p, &p.model, 0);
    size_t N = p.N, P = p.model.nparams;
    plstar_npy_write_vector(path_of("F.npy"), t.F, N);
    plstar_npy_write_matrix(path_of("J.npy"), t.J, N, P);
    plstar_npy_write_matrix(path_of("K.npy"), t.K, N, N);
    plstar_npy_write_vector(path_of("L.npy"), t.L, STEPS + 1);
    char args[1024];
    snprintf(args, sizeof args,
             "validate --bundle B --outputs F.npy --jacobian J.npy --kernel K.npy --lambda-min %.17g "
             "--losses L.npy --lr %.17g --json report.json", t.lambda_min, t.lr);
    cr_assert_eq(run(args), 0);
    char text[1 << 16];
    read_file("report.json", text, sizeof text);
    cr_assert(strstr(text, "\"verdict\": \"pass\""));
    cr_assert(strstr(text, "\"lambda_min\""));
    read_file("out.txt", text, sizeof text);
    cr_assert(strstr(text, "validate: pass"), "%s", text);
    /* one entry off: exit 1, the report names it */
    t.K[1 * N + 2] *= 1 + 1e-6;
    plstar_npy_write_matrix(path_of("K.npy"), t.K, N, N);
    cr_assert_eq(run("validate --bundle B --kernel K.npy --json report.json"), 1);
    read_file("out.txt", text, sizeof text);
    cr_assert(strstr(text, "K[1, 2] (sample 0 output 1, sample 1 output 0)"), "%s", text);
    cr_assert(strstr(text, "validate: FAIL"));
    read_file("report.json", text, sizeof text);
    cr_assert(strstr(text, "\"verdict\": \"fail\""));
    cr_assert(strstr(text, "\"where\": \"K[1, 2]"));
    theirs_free(&t);
    plstar_problem_clear(&p);
    gsl_rng_free(r);
}

Test(validate_cli, bad_files_and_arguments)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 49);
    plstar_problem p;
    make_problem(&p, r, 1, "tanh", "linear", 0, 1, "ntk"); /* n = 4, N = 4 */
    cr_assert_eq(plstar_validate_write_bundle(&p, path_of("B")), PLSTAR_OK);
    size_t N = p.N;
    double K[16] = {0};
    plstar_npy_write_matrix(path_of("K3.npy"), K, 3, 3);
    expect_error("validate --bundle B --kernel K3.npy", 65, "K3.npy", "expected (4, 4)");
    plstar_npy_write_vector(path_of("K16.npy"), K, 16);
    expect_error("validate --bundle B --kernel K16.npy", 65, "K16.npy", "shape (16,)");
    K[1 * N + 2] = NAN;
    plstar_npy_write_matrix(path_of("Knan.npy"), K, N, N);
    expect_error("validate --bundle B --kernel Knan.npy", 65, "Knan.npy", "at [1, 2]");
    double F[4] = {0, 0, INFINITY, 0};
    plstar_npy_write_vector(path_of("Finf.npy"), F, 4);
    expect_error("validate --bundle B --outputs Finf.npy", 65, "Finf.npy: non-finite value inf at [2]", NULL);
    float K32[16] = {0};
    write_npy_raw("K32.npy", "<f4", "(4, 4)", K32, sizeof K32);
    expect_error("validate --bundle B --kernel K32.npy", 65, "K32.npy", "float32");
    cr_assert_eq(run("validate --bundle B --kernel K32.npy --precision float32"), 1, "zeros are not the kernel");
    long long Ki[16] = {0};
    write_npy_raw("Kint.npy", "<i8", "(4, 4)", Ki, sizeof Ki);
    expect_error("validate --bundle B --kernel Kint.npy", 65, "Kint.npy", "dtype");
    expect_error("validate --bundle B --kernel missing.npy", 66, "missing.npy", NULL);
    expect_error("validate --bundle nowhere --kernel K3.npy", 66, "nowhere", NULL);
    expect_error("validate --bundle B", 64, "nothing to validate", NULL);
    expect_error("validate --kernel K3.npy", 64, "--bundle", NULL);
    expect_error("validate --bundle B --losses K16.npy", 64, "--lr", NULL);
    expect_error("validate --bundle B --kernel K3.npy --precision float8", 64, "float8", NULL);
    expect_error("validate --bundle B --kernel K3.npy --layout jax", 64, "--layout", NULL);
    expect_error("validate --bundle B --lambda-min nan", 64, "lambda-min", NULL);
    plstar_npy_clear(&p.y);
    cr_assert_eq(plstar_validate_write_bundle(&p, path_of("C")), PLSTAR_OK);
    expect_error("validate --bundle C --losses K16.npy --lr 0.1", 64, "no y.npy", NULL);
    cr_assert_eq(run("export --model nowhere.json --data X.npy --seed 1 --out D"), 66);
    cr_assert_eq(run("export --seed 1 --out D"), 64);
    plstar_problem_clear(&p);
    gsl_rng_free(r);
}

/* The exit codes near kinks: 0 for a correct Jacobian, 1 for the defect report's −2.0 (the report
 * names the entry and marks its reference as a one-sided value); with an all-zero input every unit of
 * a layer whose biases are 0 is at z = 0 — more than are enumerated: 0 without biases (no entry
 * depends on the choice), 2 with them (the bias columns do), 1 for a wrong entry all the same. */
Test(validate_cli, kink_exit_codes)
{
    plstar_problem p;
    kink_example(&p, -1 + 0x1p-52);
    FILE *f = fopen(path_of("m.json"), "w");
    char *json = plstar_model_to_json(&p.model);
    fputs(json, f);
    fclose(f);
    free(json);
    plstar_npy_write_matrix(path_of("X.npy"), p.X.data, p.n, p.model.input_dim);
    plstar_npy_write_vector(path_of("w.npy"), p.w, p.model.nparams);
    cr_assert_eq(run("export --model m.json --data X.npy --weights w.npy --out B"), 0);
    theirs t;
    theirs_alloc(&t, &p);
    theirs_plain(&t, &p, 0, 0);
    plstar_npy_write_matrix(path_of("J.npy"), t.J, p.N, p.model.nparams);
    cr_assert_eq(run("validate --bundle B --jacobian J.npy"), 0);
    t.J[0] = -2.0;
    plstar_npy_write_matrix(path_of("J.npy"), t.J, p.N, p.model.nparams);
    cr_assert_eq(run("validate --bundle B --jacobian J.npy --json r.json"), 1);
    char text[1 << 15];
    read_file("out.txt", text, sizeof text);
    cr_assert(strstr(text, "J[0, 0] (sample 0 output 0; layer 1 W[0, 0])     theirs -2 "), "%s", text);
    cr_assert(strstr(text, "(one-sided value at a kink)"), "%s", text);
    read_file("r.json", text, sizeof text);
    cr_assert(strstr(text, "\"one_sided\": true") && strstr(text, "\"verdict\": \"fail\""), "%s", text);
    theirs_free(&t);
    plstar_problem_clear(&p);

    for (int bias = 0; bias < 2; bias++) {
        plstar_model m;
        plstar_model_init(&m);
        cr_assert_eq(plstar_model_parse_json(&m, bias ? "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[8],\"activation\":"
                                                 "\"relu\",\"bias\":true,\"outputs\":1,\"output_activation\":\"linear\",\"scaling\":\"ntk\"}"
                                               : "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[8],\"activation\":"
                                                 "\"relu\",\"bias\":false,\"outputs\":1,\"output_activation\":\"linear\",\"scaling\":\"ntk\"}", "wide"), PLSTAR_OK);
        double X[4] = {0.0, 0.0, 0.5, -1.5}, *w = malloc(m.nparams * sizeof(double));
        plstar_model_init_weights(w, &m, 3); /* biases 0 */
        plstar_problem_init(&p);
        cr_assert_eq(plstar_problem_set(&p, &m, X, 2, w, NULL), PLSTAR_OK);
        cr_assert_eq(plstar_validate_write_bundle(&p, path_of("Z")), PLSTAR_OK);
        theirs_alloc(&t, &p);
        theirs_plain(&t, &p, 0, 0);
        plstar_npy_write_matrix(path_of("JZ.npy"), t.J, p.N, p.model.nparams);
        plstar_npy_write_matrix(path_of("KZ.npy"), t.K, p.N, p.N);
        char args[256];
        snprintf(args, sizeof args, "validate --bundle Z --jacobian JZ.npy --kernel KZ.npy --lambda-min %.17g",
                 t.lambda_min);
        cr_assert_eq(run(args), bias ? 2 : 0, "bias %d", bias);
        read_file("out.txt", text, sizeof text);
        cr_assert(strstr(text, "sample 0 has more than 6"), "%s", text);
        t.J[0] = 0.5; /* J[0, 0] = D·x_0 = 0 under every assignment: a wrong value fails */
        plstar_npy_write_matrix(path_of("JZ.npy"), t.J, p.N, p.model.nparams);
        cr_assert_eq(run(args), 1);
        t.J[0] = 0.0, t.J[p.model.nparams + 1] += 1.0; /* and so does a wrong entry elsewhere */
        plstar_npy_write_matrix(path_of("JZ.npy"), t.J, p.N, p.model.nparams);
        cr_assert_eq(run(args), 1);
        theirs_free(&t);
        plstar_problem_clear(&p);
        plstar_model_clear(&m);
        free(w);
    }
}

/* ---- narrow formats: float16 and bfloat16 ---------------------------------- */

/* The IEEE binary16 bits of a float16 number v (plstar_validate_round(v, VALIDATE_FLOAT16) == v). */
static unsigned short half_bits(double v)
{
    unsigned short s = signbit(v) ? 0x8000 : 0;
    double a = fabs(v);
    if (isinf(a))
        return s | 0x7c00;
    if (a < 0x1p-14) /* subnormal or zero: a = m·2^-24 */
        return s | (unsigned short)ldexp(a, 24);
    int e = ilogb(a);
    return s | (unsigned short)((e + 15) << 10) | (unsigned short)((ldexp(a, -e) - 1.0) * 1024);
}

/* bfloat16 from a float's bits: round to nearest, ties to even, on the upper 16 bits. */
static double bf16_of_float(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    b = (b + 0x7fff + ((b >> 16) & 1)) & 0xffff0000u;
    memcpy(&f, &b, 4);
    return (double)f;
}

Test(validate, formats_round_to_nearest_even)
{
    cr_assert_str_eq(plstar_validate_format_name(VALIDATE_BFLOAT16), "bfloat16");
    validate_format f;
    cr_assert_eq(plstar_validate_format_parse(&f, "float16"), 0);
    cr_assert_eq(f, VALIDATE_FLOAT16);
    cr_assert_eq(plstar_validate_format_parse(&f, "half"), -1);
    cr_assert_eq(plstar_validate_unit_roundoff(VALIDATE_FLOAT16), 0x1p-11);
    cr_assert_eq(plstar_validate_unit_roundoff(VALIDATE_BFLOAT16), 0x1p-8);
    cr_assert_eq(plstar_validate_overflow(VALIDATE_FLOAT16), 65504.0);
    cr_assert_eq(plstar_validate_overflow(VALIDATE_BFLOAT16), (double)0x1.fep127f);
    /* every float16 number is its own rounding; the midpoint between two rounds to the even one */
    for (unsigned h = 0; h < 0x7c00; h++) {
        double v = plstar_npy_half_to_double((unsigned short)h), next = plstar_npy_half_to_double((unsigned short)(h + 1));
        cr_assert_eq(plstar_validate_round(v, VALIDATE_FLOAT16), v, "0x%04x", h);
        cr_assert_eq(plstar_validate_round(-v, VALIDATE_FLOAT16), -v, "0x%04x", h);
        cr_assert_eq(half_bits(v), h);
        if (h + 1 < 0x7c00) {
            double mid = 0.5 * (v + next), want = (h & 1) ? next : v;
            cr_assert_eq(plstar_validate_round(mid, VALIDATE_FLOAT16), want, "midpoint after 0x%04x", h);
            cr_assert_eq(plstar_validate_round(nextafter(mid, 0), VALIDATE_FLOAT16), v, "below the midpoint after 0x%04x", h);
        }
    }
    cr_assert_eq(plstar_validate_round(65519.99, VALIDATE_FLOAT16), 65504.0);
    cr_assert_eq(plstar_validate_round(65520.0, VALIDATE_FLOAT16), INFINITY, "the tie above 65504 overflows");
    cr_assert_eq(plstar_validate_round(0x1p-25, VALIDATE_FLOAT16), 0.0, "half the smallest subnormal ties to 0");
    cr_assert_eq(plstar_validate_round(0x1.8p-25, VALIDATE_FLOAT16), 0x1p-24);
    /* bfloat16 and float32 against the bit-level roundings */
    uint64_t x = 88172645463325252u;
    for (int k = 0; k < 100000; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint32_t b = (uint32_t)x;
        float fl;
        memcpy(&fl, &b, 4);
        if (!isfinite(fl))
            continue;
        double want = bf16_of_float(fl);
        cr_assert(plstar_validate_round(fl, VALIDATE_BFLOAT16) == want || (isinf(want) && isinf(plstar_validate_round(fl, VALIDATE_BFLOAT16))),
                  "%a: %a, expected %a", (double)fl, plstar_validate_round(fl, VALIDATE_BFLOAT16), want);
        double d = (double)fl * (1 + 0x1p-30);
        cr_assert(plstar_validate_round(d, VALIDATE_FLOAT32) == (double)(float)d || isinf((float)d));
    }
}

/* Their F, J, K computed in format f with every operation rounded to it (inputs first): the
 * forward pass with sums accumulated in order, autograd's σ′ from σ̂, K = J Jᵀ accumulated. */
static double rf(double x, validate_format f) { return plstar_validate_round(x, f); }

static double act_rounded(plstar_act a, double z, double *d, validate_format f)
{
    double s;
    switch (a) {
    case ACT_TANH:
        s = rf(tanh(z), f);
        *d = rf(1.0 - rf(s * s, f), f);
        return s;
    case ACT_SIGMOID:
        s = rf(1.0 / rf(1.0 + rf(exp(-z), f), f), f);
        *d = rf(s * rf(1.0 - s, f), f);
        return s;
    default:
        *d = 1.0;
        return z;
    }
}

static void theirs_in_format(theirs *t, const plstar_problem *p, validate_format f)
{
    const plstar_model *m = &p->model;
    size_t n = p->n, c = m->outputs, N = p->N, P = m->nparams, nl = m->nlayers;
    double *w = malloc(P * sizeof(double)), *A[8], *S[8], *D[8];
    for (size_t k = 0; k < P; k++)
        w[k] = rf(p->w[k], f);
    for (size_t i = 0; i < n; i++) {
        for (size_t l = 0; l < nl; l++) {
            const plstar_layer *L = &m->layers[l];
            A[l] = malloc(L->out * sizeof(double)), S[l] = malloc(L->out * sizeof(double));
            D[l] = malloc(L->out * sizeof(double));
            double scale = rf(L->scale_div == 1 ? 1.0 : 1.0 / sqrt((double)L->scale_div), f);
            for (size_t a = 0; a < L->out; a++) {
                double z = 0.0;
                for (size_t b = 0; b < L->in; b++) {
                    double x = l ? A[l - 1][b] : rf(p->X.data[i * L->in + b], f);
                    z = rf(z + rf(w[L->w_offset + a * L->in + b] * x, f), f);
                }
                z = rf(z * scale, f);
                if (L->has_bias)
                    z = rf(z + w[L->b_offset + a], f);
                A[l][a] = act_rounded(L->act, z, &S[l][a], f);
            }
        }
        for (size_t k = 0; k < c; k++) {
            size_t r = i * c + k;
            t->F[r] = A[nl - 1][k];
            for (size_t a = 0; a < c; a++)
                D[nl - 1][a] = a == k ? S[nl - 1][a] : 0.0;
            for (size_t l = nl - 1; l-- > 0;) {
                const plstar_layer *Ln = &m->layers[l + 1];
                double scale = rf(Ln->scale_div == 1 ? 1.0 : 1.0 / sqrt((double)Ln->scale_div), f);
                for (size_t b = 0; b < Ln->in; b++) {
                    double g = 0.0;
                    for (size_t a = 0; a < Ln->out; a++)
                        g = rf(g + rf(D[l + 1][a] * w[Ln->w_offset + a * Ln->in + b], f), f);
                    D[l][b] = rf(rf(g * scale, f) * S[l][b], f);
                }
            }
            for (size_t l = 0; l < nl; l++) {
                const plstar_layer *L = &m->layers[l];
                double scale = rf(L->scale_div == 1 ? 1.0 : 1.0 / sqrt((double)L->scale_div), f);
                for (size_t a = 0; a < L->out; a++) {
                    double ds = rf(D[l][a] * scale, f);
                    for (size_t b = 0; b < L->in; b++)
                        t->J[r * P + L->w_offset + a * L->in + b] =
                            rf(ds * (l ? A[l - 1][b] : rf(p->X.data[i * L->in + b], f)), f);
                    if (L->has_bias)
                        t->J[r * P + L->b_offset + a] = D[l][a];
                }
            }
        }
        for (size_t l = 0; l < nl; l++)
            free(A[l]), free(S[l]), free(D[l]);
    }
    for (size_t r = 0; r < N; r++)
        for (size_t s = 0; s < N; s++) {
            double acc = 0.0;
            for (size_t k = 0; k < P; k++)
                acc = rf(acc + rf(t->J[r * P + k] * t->J[s * P + k], f), f);
            t->K[r * N + s] = acc;
        }
    free(w);
}

static void small_problem(plstar_problem *p, unsigned long seed, const char *json, size_t n)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, json, "test"), PLSTAR_OK, "%s", plstar_errmsg());
    size_t d = m.input_dim, c = m.outputs;
    double *X = malloc(n * d * sizeof(double)), *w = malloc(m.nparams * sizeof(double)), *y = malloc(n * c * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(r, 1.0);
    for (size_t k = 0; k < n * c; k++)
        y[k] = gsl_ran_gaussian(r, 1.0);
    plstar_model_init_weights(w, &m, gsl_rng_get(r));
    for (size_t l = 0; l < m.nlayers; l++)
        for (size_t a = 0; m.layers[l].has_bias && a < m.layers[l].out; a++)
            w[m.layers[l].b_offset + a] = gsl_ran_gaussian(r, 0.5);
    plstar_problem_init(p);
    cr_assert_eq(plstar_problem_set(p, &m, X, n, w, y), PLSTAR_OK);
    free(X), free(w), free(y);
    plstar_model_clear(&m);
    gsl_rng_free(r);
}

static const validate_quantity *quantity(const validate_result *res, const char *name)
{
    for (size_t k = 0; k < res->nq; k++)
        if (!strcmp(res->q[k].name, name))
            return &res->q[k];
    cr_assert_fail("no quantity %s", name);
    return NULL;
}

/* A tanh MLP computed with every operation rounded to float16 passes as float16 (F, J, K), fails as
 * float32 and as float64, and fails as float16 once one output is moved twice its allowance. */
Test(validate, float16_computation_passes_and_a_shifted_value_fails)
{
    plstar_problem p;
    small_problem(&p, 61, "{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[8],\"outputs\":3,\"activation\":\"tanh\","
                          "\"output_activation\":\"linear\",\"bias\":true,\"scaling\":\"standard\"}", 4);
    theirs t;
    theirs_alloc(&t, &p);
    theirs_in_format(&t, &p, VALIDATE_FLOAT16);
    for (size_t k = 0; k < p.N; k++) /* genuinely float16 numbers */
        cr_assert_eq(plstar_validate_round(t.F[k], VALIDATE_FLOAT16), t.F[k]);
    validate_claims cl = {.format = VALIDATE_FLOAT16, .outputs = t.F, .jacobian = t.J, .kernel = t.K};
    validate_result res;
    char buf[512];
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK, "%s", status_names(&res, buf, sizeof buf));
    cr_assert_eq(quantity(&res, "outputs")->not_in_format, 0);
    cr_assert_gt(quantity(&res, "outputs")->worst_ratio, 1e-4, "float16 rounding is visible");
    cl.format = VALIDATE_FLOAT32;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED, "float16 values are no float32 computation: %s",
                 status_names(&res, buf, sizeof buf));
    cl.format = VALIDATE_FLOAT16;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK);
    const validate_entry *e = &quantity(&res, "outputs")->worst[0];
    double keep = t.F[e->index];
    t.F[e->index] = e->mid + 2 * (e->rad + e->tol);
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    cr_assert_eq(quantity(&res, "outputs")->status, PLSTAR_REFUTED);
    cr_assert_eq(quantity(&res, "outputs")->worst[0].index, e->index);
    t.F[e->index] = keep;
    /* and a kernel entry moved twice its allowance */
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK);
    e = &quantity(&res, "kernel")->worst[0];
    size_t at = e->index;
    t.K[at] = e->mid - 2 * (e->rad + e->tol);
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    cr_assert_eq(quantity(&res, "kernel")->worst[0].index, at);
    theirs_free(&t);
    plstar_problem_clear(&p);
}

/* bfloat16 (u = 2^-8): a narrow net's F and J computed in bfloat16 pass; its K, whose dot products
 * have length P = 25 (25 u > 1/16), is not judged; values off by twice the allowance fail; values
 * that are not bfloat16 numbers are counted. */
Test(validate, bfloat16_computation)
{
    plstar_problem p;
    small_problem(&p, 62, "{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[5],\"outputs\":2,\"activation\":\"tanh\","
                          "\"output_activation\":\"linear\",\"bias\":false,\"scaling\":\"ntk\"}", 4);
    theirs t;
    theirs_alloc(&t, &p);
    theirs_in_format(&t, &p, VALIDATE_BFLOAT16);
    validate_claims cl = {.format = VALIDATE_BFLOAT16, .outputs = t.F, .jacobian = t.J, .kernel = t.K};
    validate_result res;
    char buf[512];
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_INCONCLUSIVE, "%s", status_names(&res, buf, sizeof buf));
    cr_assert_eq(quantity(&res, "outputs")->status, PLSTAR_OK);
    cr_assert_eq(quantity(&res, "jacobian")->status, PLSTAR_OK);
    const validate_quantity *K = quantity(&res, "kernel");
    cr_assert_eq(K->status, PLSTAR_INCONCLUSIVE);
    cr_assert_eq(K->violations, 0);
    cr_assert(strstr(K->note, "length 25") && strstr(K->note, "bfloat16"), "%s", K->note);
    cl.kernel = NULL;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK);
    const validate_entry *e = &quantity(&res, "jacobian")->worst[0];
    t.J[e->index] = e->mid - 2 * (e->rad + e->tol);
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    /* the float64 outputs are no bfloat16 numbers: counted, and within the tolerance all the same */
    double *F = malloc(p.N * sizeof(double));
    cr_assert_eq(plstar_fast_outputs(F, &p.model, p.X.data, p.n, p.w), PLSTAR_OK);
    validate_claims c64 = {.format = VALIDATE_BFLOAT16, .outputs = F};
    cr_assert_eq(plstar_check_validate(&res, &p, &c64, 128), PLSTAR_OK);
    cr_assert_eq(res.q[0].not_in_format, p.N);
    free(F);
    theirs_free(&t);
    plstar_problem_clear(&p);
}

/* Products below float16's smallest normal number: F = A w with entries 1.5·2^-13, each product
 * 1.125·2^-25 rounds to the subnormal 2^-24. The error of their sum, 7·2^-24·(1 − 0.5625), is far
 * beyond the relative part of the bound, 4 γ_17 Σ|a||w|, so only the underflow term — half the
 * smallest subnormal per rounding — lets the genuine float16 value pass; one subnormal step beyond
 * the allowance fails. */
Test(validate, float16_underflow_enters_the_tolerance)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"linear\",\"input_dim\":8}", "linear"), PLSTAR_OK, "%s", plstar_errmsg());
    size_t n = 2, d = 8;
    double X[16], w[8];
    for (size_t k = 0; k < n * d; k++)
        X[k] = 0x1.8p-13;
    for (size_t k = 0; k < d; k++)
        w[k] = 0x1.8p-13;
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_problem_set(&p, &m, X, n, w, NULL), PLSTAR_OK, "%s", plstar_errmsg());
    plstar_model_clear(&m);
    double F[2];
    for (size_t i = 0; i < n; i++) {
        double acc = 0;
        for (size_t k = 0; k < d; k++)
            acc = plstar_validate_round(acc + plstar_validate_round(X[i * d + k] * w[k], VALIDATE_FLOAT16), VALIDATE_FLOAT16);
        F[i] = acc;
    }
    cr_assert_eq(F[0], 8 * 0x1p-24, "every product rounded up to the smallest subnormal");
    double exact = 8 * 0x1.8p-13 * 0x1.8p-13, relative = 4 * (17 * 0x1p-11) / (1 - 17 * 0x1p-11) * exact;
    cr_assert_gt(fabs(F[0] - exact), 10 * relative, "the relative part alone cannot explain it");
    validate_claims cl = {.format = VALIDATE_FLOAT16, .outputs = F};
    validate_result res;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK);
    double tol = res.q[0].worst[0].tol;
    cr_assert_geq(tol, 4 * 17 * 0x1p-25, "an underflow allowance for each of the 17 roundings counted");
    cr_assert_lt(tol, 4 * 40 * 0x1p-25 + 4 * relative);
    F[0] = exact + 2 * tol;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    plstar_problem_clear(&p);
}

/* float16 overflows above 65504: a computation that can get there is not judged (exit 2, with a
 * note), whatever the values; the same problem scaled into range is judged. */
Test(validate, float16_range_is_not_passed_vacuously)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"linear\",\"input_dim\":3}", "linear"), PLSTAR_OK);
    double X[6] = {40000, 30000, 10000, 1, 2, 3}, w[3] = {1, 1, 0.5};
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_problem_set(&p, &m, X, 2, w, NULL), PLSTAR_OK);
    double F[2] = {65504, 4.5}, K[4] = {0};
    validate_claims cl = {.format = VALIDATE_FLOAT16, .outputs = F};
    validate_result res;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_INCONCLUSIVE, "F[0] = 75000 overflows");
    cr_assert_eq(res.q[0].violations, 0);
    cr_assert(strstr(res.q[0].note, "65504") && strstr(res.q[0].note, "overflow"), "%s", res.q[0].note);
    F[0] = 0; /* nor is a wrong value failed: the format cannot say */
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_INCONCLUSIVE);
    cl.format = VALIDATE_BFLOAT16;
    F[0] = 75000;
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK, "bfloat16 has float32's range");
    /* K = X Xᵀ: 1.4e9 in float16's range? no */
    cl = (validate_claims){.format = VALIDATE_FLOAT16, .kernel = K};
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_INCONCLUSIVE);
    plstar_problem_clear(&p);
    X[0] = 3, X[1] = 2, X[2] = 1;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_problem_set(&p, &m, X, 2, w, NULL), PLSTAR_OK);
    F[0] = 5.5;
    cl = (validate_claims){.format = VALIDATE_FLOAT16, .outputs = F};
    cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_OK);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
}

/* ---- layouts ---------------------------------------------------------------- */

/* K (N × N, plstar's order) written in a layout: functorch (n, c, n, c) is the same memory,
 * neural-tangents (n, n, c, c) is permuted, traced (n, n) sums the output diagonal. */
static void write_kernel_in(const char *path, const double *K, size_t n, size_t c, validate_layout l)
{
    size_t N = n * c;
    double *out = malloc(N * N * sizeof(double));
    size_t shape[4] = {n, c, n, c}, ndim = 4;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            for (size_t a = 0; a < c; a++)
                for (size_t b = 0; b < c; b++) {
                    double v = K[(i * c + a) * N + j * c + b];
                    if (l == VALIDATE_LAYOUT_NEURAL_TANGENTS)
                        out[((i * n + j) * c + a) * c + b] = v;
                    else if (l == VALIDATE_LAYOUT_TRACED)
                        out[i * n + j] = (a + b ? out[i * n + j] : 0.0) + (a == b ? v : 0.0);
                    else
                        out[(i * c + a) * N + j * c + b] = v;
                }
    if (l == VALIDATE_LAYOUT_NEURAL_TANGENTS)
        shape[1] = n, shape[2] = c;
    if (l == VALIDATE_LAYOUT_TRACED || l == VALIDATE_LAYOUT_PLSTAR)
        ndim = 2, shape[0] = shape[1] = l == VALIDATE_LAYOUT_TRACED ? n : N;
    cr_assert_eq(plstar_npy_write(path, out, ndim, shape), PLSTAR_OK);
    free(out);
}

/* Each layout's kernel of the same network passes, read back into plstar's order; one entry off by
 * 1e-6 relative fails and is named in the layout's own indices; the traced kernel has its own
 * reference and a tolerance at least the sum of its entries'. */
Test(validate, kernel_layouts)
{
    plstar_problem p;
    small_problem(&p, 63, "{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[7],\"outputs\":3,\"activation\":\"tanh\","
                          "\"output_activation\":\"linear\",\"bias\":true,\"scaling\":\"ntk\"}", 4);
    size_t n = p.n, c = p.model.outputs, N = p.N;
    theirs t;
    theirs_alloc(&t, &p);
    theirs_fast(&t, &p, &p.model, 0);
    char path[128];
    snprintf(path, sizeof path, "/tmp/plstar-layout-%d.npy", (int)getpid());
    static const char *const planted_name[] = {"K[1, 2] ", "K[0, 1, 0, 2] ", "K[0, 0, 1, 2] ", "K[0, 0] "};
    for (int l = 0; l < VALIDATE_LAYOUTS; l++) {
        int traced = l == VALIDATE_LAYOUT_TRACED;
        double *K = malloc(N * N * sizeof(double));
        memcpy(K, t.K, N * N * sizeof(double));
        for (int planted = 0; planted < 2; planted++) {
            if (planted && traced) /* the traced entry (0, 0) = K[0, 0] + K[1, 1] + K[2, 2] */
                K[0] += 1e-6 * (K[0] + K[N + 1] + K[2 * N + 2]);
            else if (planted)
                K[1 * N + 2] *= 1 + 1e-6; /* sample 0 output 1, sample 0 output 2 */
            write_kernel_in(path, K, n, c, (validate_layout)l);
            plstar_array a;
            plstar_npy_init(&a);
            cr_assert_eq(plstar_validate_read_claim(&a, path, "kernel", &p, VALIDATE_FLOAT64, (validate_layout)l), PLSTAR_OK,
                         "%s: %s", plstar_validate_layout_name((validate_layout)l), plstar_errmsg());
            validate_claims cl = {.format = VALIDATE_FLOAT64, .layout = (validate_layout)l, .kernel_ndim = a.ndim};
            if (traced)
                cl.kernel_traced = a.data;
            else
                cl.kernel = a.data;
            for (size_t k = 0; !traced && k < N * N; k++)
                cr_assert_eq(a.data[k], K[k], "read back into plstar's order");
            validate_result res;
            int st = plstar_check_validate(&res, &p, &cl, 128);
            char sn[256];
            cr_assert_eq(st, planted ? PLSTAR_REFUTED : PLSTAR_OK, "%s, planted %d: %s (%g %g %g %g)",
                         plstar_validate_layout_name((validate_layout)l), planted, status_names(&res, sn, sizeof sn),
                         res.q[0].worst[0].theirs, res.q[0].worst[0].mid, res.q[0].worst[0].rad, res.q[0].worst[0].tol);
            const validate_quantity *q = quantity(&res, traced ? "traced_kernel" : "kernel");
            cr_assert_eq(q->count, traced ? n * n : N * N);
            if (planted) {
                char name[160];
                plstar_validate_entry_name(name, sizeof name, q, &p.model, q->worst[0].index);
                cr_assert(strstr(name, planted_name[l]) == name, "%s: %s", plstar_validate_layout_name((validate_layout)l),
                          name);
            }
            plstar_npy_clear(&a);
        }
        free(K);
    }
    /* the traced tolerance: at least the sum of the diagonal entries' tolerances */
    double *T = malloc(n * n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            T[i * n + j] = 0;
            for (size_t a = 0; a < c; a++)
                T[i * n + j] += t.K[(i * c + a) * N + j * c + a];
        }
    validate_claims ck = {.format = VALIDATE_FLOAT32, .kernel = t.K}, ct = {.format = VALIDATE_FLOAT32, .kernel_traced = T};
    validate_result rk, rt;
    cr_assert_eq(plstar_check_validate(&rk, &p, &ck, 128), PLSTAR_OK);
    cr_assert_eq(plstar_check_validate(&rt, &p, &ct, 128), PLSTAR_OK);
    const validate_entry *e = &rt.q[0].worst[0];
    double sum = 0;
    size_t i = e->index / n, j = e->index % n;
    cr_assert_eq(rk.q[0].nworst, VALIDATE_NWORST);
    (void)i, (void)j;
    /* recompute the entry tolerances through a claim of the kernel's diagonal blocks only */
    for (size_t a = 0; a < c; a++) {
        double *K1 = malloc(N * N * sizeof(double));
        memcpy(K1, t.K, N * N * sizeof(double));
        size_t at = (i * c + a) * N + j * c + a;
        K1[at] += 1.0; /* far off: the entry becomes the worst, with its tolerance */
        validate_claims c1 = {.format = VALIDATE_FLOAT32, .kernel = K1};
        validate_result r1;
        cr_assert_eq(plstar_check_validate(&r1, &p, &c1, 128), PLSTAR_REFUTED);
        cr_assert_eq(r1.q[0].worst[0].index, at);
        sum += r1.q[0].worst[0].tol;
        free(K1);
    }
    cr_assert_geq(e->tol, sum, "traced tolerance %g below the sum of its entries' %g", e->tol, sum);
    cr_assert_leq(e->tol, 4 * sum, "and derived the same way: %g against %g", e->tol, sum);
    free(T);
    theirs_free(&t);
    plstar_problem_clear(&p);
    unlink(path);
}

/* With kinks (ReLU units within rounding of 0) the traced kernel is compared with the traced value
 * of each one-sided assignment: their J Jᵀ traced passes whichever side they took. */
Test(validate, traced_kernel_at_a_kink)
{
    plstar_problem p;
    kink_example(&p, -1); /* unit 0 of sample 0 exactly at z = 0 */
    theirs t;
    theirs_alloc(&t, &p);
    for (int side = 0; side < 2; side++) {
        cr_assert_eq(plstar_fast_jacobian(t.J, &p.model, p.X.data, p.n, p.w), PLSTAR_OK);
        size_t P = p.model.nparams, N = p.N;
        t.J[0] = side ? 0.7 : 0.0; /* J[0, 0] = 0.7 σ′(0): either one-sided derivative is legitimate */
        t.J[1] = side ? 0.7 * -1.0 : 0.0; /* J[0, 1] = 0.7 σ′(0) x_01 */
        for (size_t r = 0; r < N; r++)
            for (size_t s2 = 0; s2 < N; s2++) {
                double acc = 0;
                for (size_t k = 0; k < P; k++)
                    acc += t.J[r * P + k] * t.J[s2 * P + k];
                t.K[r * N + s2] = acc;
            }
        validate_claims cl = {.format = VALIDATE_FLOAT64, .kernel_traced = t.K, .layout = VALIDATE_LAYOUT_TRACED};
        validate_result res;
        char buf[256];
        int st = plstar_check_validate(&res, &p, &cl, 128);
        cr_assert_eq(st, PLSTAR_OK, "side %d: %s %s", side, status_names(&res, buf, sizeof buf), res.q[0].note);
        cr_assert(res.q[0].worst[0].one_sided || res.q[0].worst[1].one_sided || strstr(res.q[0].note, "kink"),
                  "%s", res.q[0].note);
        t.K[0] += 0.1;
        cr_assert_eq(plstar_check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    }
    theirs_free(&t);
    plstar_problem_clear(&p);
}

/* `--layout`: the interpretation is said back on stdout and in the report; a shape that is not the
 * layout's is one line naming the file, the shape found and the one expected (exit 65). '<f2' files
 * are read under a float16 claim and refused under the wider ones and bfloat16. */
Test(validate_cli, layouts_and_half_files)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 53);
    plstar_problem p;
    make_problem(&p, r, 1, "tanh", "linear", 1, 3, "ntk"); /* n = 4, c = 3 */
    cr_assert_eq(plstar_validate_write_bundle(&p, path_of("B")), PLSTAR_OK);
    size_t n = p.n, c = p.model.outputs, N = p.N;
    theirs t;
    theirs_alloc(&t, &p);
    theirs_fast(&t, &p, &p.model, 0);
    write_kernel_in(path_of("Knt.npy"), t.K, n, c, VALIDATE_LAYOUT_NEURAL_TANGENTS);
    cr_assert_eq(run("validate --bundle B --kernel Knt.npy --layout neural-tangents --json r.json"), 0);
    char text[1 << 16];
    read_file("out.txt", text, sizeof text);
    cr_assert(strstr(text, "Knt.npy: kernel (4, 4, 3, 3), neural-tangents layout (c = 3): [i, j, a, b] = "
                           "K[i*c + a, j*c + b], compared as (12, 12)"), "%s", text);
    read_file("r.json", text, sizeof text);
    cr_assert(strstr(text, "\"layout\": \"neural-tangents\""), "%s", text);
    cr_assert(strstr(text, "\"shape\": [\n"), "%s", text);
    expect_error("validate --bundle B --kernel Knt.npy", 65, "Knt.npy: kernel array has shape (4, 4, 3, 3)",
                 "expected (12, 12) = (N, N) in the plstar layout");
    write_kernel_in(path_of("K.npy"), t.K, n, c, VALIDATE_LAYOUT_PLSTAR);
    expect_error("validate --bundle B --kernel K.npy --layout functorch", 65, "K.npy: kernel array has shape (12, 12)",
                 "expected (4, 3, 4, 3) = (n, c, n, c) in the functorch layout");
    expect_error("validate --bundle B --kernel K.npy --layout traced", 65, "traced kernel array has shape (12, 12)",
                 "expected (4, 4) = (n, n) in the traced layout");
    write_kernel_in(path_of("Ktr.npy"), t.K, n, c, VALIDATE_LAYOUT_TRACED);
    cr_assert_eq(run("validate --bundle B --kernel Ktr.npy --layout traced"), 0);
    read_file("out.txt", text, sizeof text);
    cr_assert(strstr(text, "traced_kernel") && strstr(text, "summed over their outputs"), "%s", text);
    /* a planted error in the traced layout: exit 1, the entry named in its indices */
    double *Kb = malloc(N * N * sizeof(double));
    memcpy(Kb, t.K, N * N * sizeof(double));
    Kb[(1 * c + 2) * N + 3 * c + 2] += 1e-6 * fabs(Kb[(1 * c + 2) * N + 3 * c + 2]) + 1e-6;
    write_kernel_in(path_of("Ktr1.npy"), Kb, n, c, VALIDATE_LAYOUT_TRACED);
    cr_assert_eq(run("validate --bundle B --kernel Ktr1.npy --layout traced"), 1);
    read_file("out.txt", text, sizeof text);
    cr_assert(strstr(text, "K[1, 3] (samples 1, 3, summed over their outputs)"), "%s", text);
    /* a Jacobian (n, c, P) */
    size_t P = p.model.nparams, shape[3] = {n, c, P};
    cr_assert_eq(plstar_npy_write(path_of("J3.npy"), t.J, 3, shape), PLSTAR_OK);
    cr_assert_eq(run("validate --bundle B --jacobian J3.npy --layout functorch"), 0);
    expect_error("validate --bundle B --jacobian J3.npy", 65, "J3.npy", "expected (12, ");
    /* float16 files */
    unsigned short *h = malloc(N * N * sizeof(unsigned short));
    for (size_t k = 0; k < N * N; k++)
        h[k] = half_bits(plstar_validate_round(t.K[k], VALIDATE_FLOAT16));
    write_npy_raw("K16.npy", "<f2", "(12, 12)", h, N * N * sizeof(unsigned short));
    cr_assert_eq(run("validate --bundle B --kernel K16.npy --precision float16"), 0);
    expect_error("validate --bundle B --kernel K16.npy --precision float32", 65, "K16.npy", "float16 data ('<f2')");
    expect_error("validate --bundle B --kernel K16.npy --precision bfloat16", 65, "K16.npy", "bfloat16");
    /* float64 values under a float16 claim: a note, not an error */
    cr_assert_eq(run("validate --bundle B --outputs F.npy --precision float16"), 66, "no F.npy yet");
    plstar_npy_write_vector(path_of("F.npy"), t.F, N);
    cr_assert_eq(run("validate --bundle B --outputs F.npy --precision float16 --json rb.json"), 0);
    read_file("out.txt", text, sizeof text);
    cr_assert(strstr(text, "12 of 12 values are not float16 numbers"), "%s", text);
    cr_assert(strstr(text, "claimed float16 (u = 2^-11)"), "%s", text);
    read_file("rb.json", text, sizeof text);
    cr_assert(strstr(text, "\"not_in_format\": 12"), "%s", text);
    free(h), free(Kb);
    theirs_free(&t);
    plstar_problem_clear(&p);
    gsl_rng_free(r);
}

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
    model_init(&m);
    cr_assert_eq(model_parse_json(&m, json, "test"), PLSTAR_OK, "%s", plstar_errmsg());
    double *X = malloc(n * d * sizeof(double)), *w = malloc(m.nparams * sizeof(double));
    double *y = malloc(n * c * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = gsl_ran_gaussian(r, 1.0);
    for (size_t k = 0; k < n * c; k++)
        y[k] = gsl_ran_gaussian(r, 1.0);
    model_init_weights(w, &m, gsl_rng_get(r));
    if (bias) /* non-zero biases, so their convention matters */
        for (size_t l = 0; l < m.nlayers; l++)
            for (size_t a = 0; a < m.layers[l].out; a++)
                w[m.layers[l].b_offset + a] = gsl_ran_gaussian(r, 0.5);
    problem_init(p);
    cr_assert_eq(problem_set(p, &m, X, n, w, y), PLSTAR_OK);
    free(X), free(w), free(y);
    model_clear(&m);
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
    cr_assert_eq(fast_outputs(t->F, m, X, n, w), PLSTAR_OK);
    cr_assert_eq(fast_jacobian(t->J, m, X, n, w), PLSTAR_OK);
    cr_assert_eq(fast_kernel_explicit(t->K, m, X, n, w), PLSTAR_OK);
    t->lambda_min = smallest_eigenvalue(t->K, N);
    t->lr = 0.5 / largest_eigenvalue(t->K, N);
    for (int s = 0; s <= STEPS; s++) {
        cr_assert_eq(fast_loss_grad(&t->L[s], g, m, X, n, w, y), PLSTAR_OK);
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
                        int st = check_validate(&res, &p, &cl, 128);
                        cr_assert_eq(st, PLSTAR_OK, "depth %zu %s out %d bias %d c %zu: %s", depth, acts[a],
                                     nonlinear_out, bias, c, status_names(&res, buf, sizeof buf));
                        cr_assert_eq(res.nq, 5);
                        theirs_free(&t);
                        problem_clear(&p);
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
        cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_OK, "iteration %d: %s", iter,
                     status_names(&res, buf, sizeof buf));
        /* the same numbers are far from float64 accuracy */
        cl.format = VALIDATE_FLOAT64;
        cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED, "iteration %d", iter);
        cr_assert_eq(res.q[2].status, PLSTAR_REFUTED, "the kernel must fail at float64 tolerance");
        theirs_free(&t);
        problem_clear(&p);
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
        cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_OK, "iteration %d: %s", iter,
                     status_names(&res, buf, sizeof buf));
        for (size_t k = 0; k < res.nq; k++)
            cr_assert(res.q[k].worst_ratio <= 1.0);
        theirs_free(&t);
        problem_clear(&p);
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
    cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_OK);
    const validate_quantity *q = &res.q[0];
    cr_assert_str_eq(q->name, "lambda_min");
    cr_assert(q->lower <= q->upper);
    cr_assert(q->lower <= t.lambda_min + 1e-12 && t.lambda_min - 1e-12 <= q->upper);
    cr_assert(q->upper - q->lower < 1e-10 * (1 + fabs(t.lambda_min)), "width %g", q->upper - q->lower);
    /* a value off by 1e-6 relative fails at float64 */
    cl.lambda_min = t.lambda_min * (1 + 1e-6) + 1e-9;
    cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    theirs_free(&t);
    problem_clear(&p);
    gsl_rng_free(r);
}

/* A copy of the model with a different scaling of every layer. */
static void drop_scaling(plstar_model *dst, const plstar_model *src)
{
    char *json = model_to_json(src);
    model_init(dst);
    cr_assert_eq(model_parse_json(dst, json, "copy"), PLSTAR_OK);
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
    cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    cr_assert_eq(res.q[0].violations, 1);
    cr_assert_eq(res.q[0].worst[0].index, at);
    cr_assert(res.q[0].worst[0].ratio > 1.0 && res.q[0].worst[1].ratio <= 1.0);
    char name[160];
    validate_entry_name(name, sizeof name, &res.q[0], &p.model, at);
    cr_assert_str_eq(name, "K[2, 7] (sample 0 output 2, sample 2 output 1)");
    t.K[at] /= 1 + 1e-6;

    /* a Jacobian entry wrong in one parameter (a bias, layer 2) */
    size_t jat = 4 * P + p.model.layers[1].b_offset + 3;
    t.J[jat] += 1e-9 + 1e-6 * fabs(t.J[jat]);
    cl = (validate_claims){.format = VALIDATE_FLOAT64, .jacobian = t.J};
    cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    cr_assert_eq(res.q[0].worst[0].index, jat);
    validate_entry_name(name, sizeof name, &res.q[0], &p.model, jat);
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
            char *json = model_to_json(&p.model);
            model_init(&m2);
            model_parse_json(&m2, json, "copy");
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
            int vst = check_validate(&res, &p, &cl, 128);
            cr_assert_eq(vst, PLSTAR_REFUTED, "bug %d format %d: %d %s", bug, f, vst, status_names(&res, sb, sizeof sb));
            for (size_t k = 0; k < res.nq; k++)
                if (strcmp(res.q[k].name, "lambda_min"))
                    cr_assert_eq(res.q[k].status, PLSTAR_REFUTED, "bug %d: %s passed", bug, res.q[k].name);
        }
        theirs_free(&t);
        model_clear(&m2);
        free(w2);
    }

    /* a trajectory run with another step */
    theirs_alloc(&t, &p);
    theirs_fast(&t, &p, &p.model, 0);
    cl = claims_of(&t, VALIDATE_FLOAT64, 1);
    cl.lr *= 1.01;
    cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    cr_assert_str_eq(res.q[4].name, "losses");
    cr_assert_eq(res.q[4].status, PLSTAR_REFUTED);
    cr_assert(res.q[4].worst[0].index > 0, "L_0 does not depend on the step");
    cr_assert(res.q[4].violations >= 1 && res.q[4].violations <= STEPS);
    theirs_free(&t);
    problem_clear(&p);
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
            const double *W = fast_layer_weights(m, l, w), *prev = l ? A[l - 1] : x;
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
                const double *W = fast_layer_weights(m, l + 1, w);
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
    model_init(&m);
    cr_assert_eq(model_parse_json(&m, "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[3],\"activation\":\"relu\","
                                      "\"scaling\":\"standard\",\"bias\":false,\"outputs\":1,\"output_activation\":\"linear\"}", "example"), PLSTAR_OK);
    double X[4] = {1, x01, 0.5, 2}, w[9] = {1, 1, 2, 1, -1, 0.5, 0.7, -1.2, 0.4};
    problem_init(p);
    cr_assert_eq(problem_set(p, &m, X, 2, w, NULL), PLSTAR_OK);
    model_clear(&m);
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
    int st = check_validate(res, p, &cl, 128);
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
    problem_clear(&p);

    /* z = 2^-20, far beyond rounding: only σ′ = 1; 0 fails */
    kink_example(&p, -1 + 0x1p-20);
    theirs_alloc(&t, &p);
    theirs_plain(&t, &p, 0, 0);
    cr_assert_eq(jacobian_with(&p, &t, NAN, VALIDATE_FLOAT64, &res), PLSTAR_OK);
    cr_assert_eq(res.q[0].note[0], '\0', "no kink: %s", res.q[0].note);
    cr_assert_eq(jacobian_with(&p, &t, 0.0, VALIDATE_FLOAT64, &res), PLSTAR_REFUTED);
    theirs_free(&t);
    problem_clear(&p);

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
        cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_OK, "σ′(0) = %d: %s", conv,
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
    cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED);
    cr_assert_eq(res.q[0].status, PLSTAR_REFUTED, "the midpoint kernel");
    cr_assert_eq(res.q[1].status, PLSTAR_REFUTED, "the midpoint λ_min");
    free(K);
    theirs_free(&t), theirs_free(&t1);
    problem_clear(&p);
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
        cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_OK, "σ′(0) = %d: %s", conv,
                     status_names(&res, buf, sizeof buf));
    }
    cr_assert_eq(jacobian_with(&p, &t, -2.0, VALIDATE_FLOAT32, &res), PLSTAR_REFUTED);
    cr_assert_eq(jacobian_with(&p, &t, 3.0, VALIDATE_FLOAT32, &res), PLSTAR_REFUTED);
    cr_assert_eq(jacobian_with(&p, &t, 0.35, VALIDATE_FLOAT32, &res), PLSTAR_REFUTED);
    theirs_free(&t), theirs_free(&t1);
    problem_clear(&p);
    /* z = 2^-10, beyond float32 rounding of z (about 1.3e-6): only σ′ = 1 */
    kink_example(&p, -1 + 0x1p-10);
    theirs_alloc(&t, &p);
    theirs_plain(&t, &p, 1, 0);
    cr_assert_eq(jacobian_with(&p, &t, NAN, VALIDATE_FLOAT32, &res), PLSTAR_OK);
    cr_assert_eq(jacobian_with(&p, &t, 0.0, VALIDATE_FLOAT32, &res), PLSTAR_REFUTED);
    theirs_free(&t);
    problem_clear(&p);
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
    model_init(&m);
    cr_assert_eq(model_parse_json(&m, json, "kinks"), PLSTAR_OK, "%s", plstar_errmsg());
    size_t n = 4, d = 3, P = m.nparams;
    double X[12], *w = malloc(P * sizeof(double));
    for (size_t k = 0; k < n * d; k++)
        X[k] = (double)((long)gsl_rng_uniform_int(r, 33) - 16) / 8;
    model_init_weights(w, &m, gsl_rng_get(r));
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
        fast_forward_init(&s);
        cr_assert_eq(fast_forward(&s, &m, X, n, w), PLSTAR_OK);
        w[m.layers[1].b_offset] = -s.z[1][2 * m.layers[1].out];
        fast_forward_clear(&s);
    }
    problem_init(p);
    cr_assert_eq(problem_set(p, &m, X, n, w, NULL), PLSTAR_OK);
    free(w);
    model_clear(&m);
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
                int vst = check_validate(&res, &p, &cl, 128);
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
                cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED, "iteration %d", iter);
                cr_assert_eq(res.q[0].worst[0].index, at);
                free(J);
                mutated[0]++;
            }
            if (fabs(t[1].K[0] - t[0].K[0]) > 1e-3 * (1 + fabs(t[1].K[0]))) {
                double *K = malloc(N * N * sizeof(double));
                memcpy(K, t[0].K, N * N * sizeof(double));
                K[0] = 0.5 * (t[0].K[0] + t[1].K[0]);
                validate_claims cl = {.format = f, .kernel = K};
                cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED, "iteration %d", iter);
                cr_assert_eq(res.q[0].worst[0].index, 0);
                free(K);
                mutated[1]++;
            }
            double l0 = t[0].lambda_min, l1 = t[1].lambda_min;
            if (!f32 && fabs(l1 - l0) > 1e-3 * (1 + fabs(l1))) {
                validate_claims cl = {.format = f, .has_lambda_min = 1, .lambda_min = 0.5 * (l0 + l1)};
                cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_REFUTED, "iteration %d", iter);
                mutated[2]++;
            }
            theirs_free(&t[0]), theirs_free(&t[1]);
        }
        problem_clear(&p);
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
    cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_EUSAGE, "nothing to validate");
    double L[2] = {1, 1};
    cl.losses = L, cl.nlosses = 2, cl.lr = 0;
    cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_EUSAGE, "no step");
    npy_clear(&p.y);
    cl.lr = 0.1;
    cr_assert_eq(check_validate(&res, &p, &cl, 128), PLSTAR_EUSAGE, "no labels");
    problem_clear(&p);
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
    cr_assert_eq(validate_write_bundle(&p, path_of("B")), PLSTAR_OK, "%s", plstar_errmsg());
    problem_init(&q);
    cr_assert_eq(validate_read_bundle(&q, path_of("B")), PLSTAR_OK, "%s", plstar_errmsg());
    char *a = model_to_json(&p.model), *b = model_to_json(&q.model);
    cr_assert_str_eq(a, b);
    free(a), free(b);
    cr_assert_eq(q.n, p.n);
    cr_assert_eq(q.y.size, p.y.size);
    cr_assert_eq(memcmp(q.X.data, p.X.data, p.X.size * sizeof(double)), 0);
    cr_assert_eq(memcmp(q.w, p.w, p.model.nparams * sizeof(double)), 0);
    cr_assert_eq(memcmp(q.y.data, p.y.data, p.y.size * sizeof(double)), 0);
    problem_clear(&q);
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
    npy_clear(&p.y);
    cr_assert_eq(validate_write_bundle(&p, path_of("C")), PLSTAR_OK);
    struct stat s;
    cr_assert_neq(stat(path_of("C/y.npy"), &s), 0);
    cr_assert_eq(validate_write_bundle(&p, path_of("B")), PLSTAR_OK);
    cr_assert_neq(stat(path_of("B/y.npy"), &s), 0, "a re-export without labels leaves no stale y.npy");
    problem_init(&q);
    cr_assert_eq(validate_read_bundle(&q, path_of("C")), PLSTAR_OK, "%s", plstar_errmsg());
    cr_assert_eq(q.y.size, 0);
    problem_clear(&q);
    /* not a bundle; a bundle whose manifest disagrees with its files */
    cr_assert_eq(validate_read_bundle(&q, path_of("nowhere")), PLSTAR_ENOINPUT);
    cr_assert_eq(mkdir(path_of("empty"), 0777), 0);
    cr_assert_eq(validate_read_bundle(&q, path_of("empty")), PLSTAR_ENOINPUT);
    cr_assert(strstr(plstar_errmsg(), "not a plstar bundle"));
    read_file("C/bundle.json", text, sizeof text);
    char *at = strstr(text, "\"parameters\": ");
    cr_assert(at);
    at[14] = at[14] == '9' ? '8' : '9';
    FILE *f = fopen(path_of("C/bundle.json"), "w");
    fputs(text, f);
    fclose(f);
    cr_assert_eq(validate_read_bundle(&q, path_of("C")), PLSTAR_EDATA);
    cr_assert(strstr(plstar_errmsg(), "bundle.json"), "%s", plstar_errmsg());
    problem_clear(&q);
    problem_clear(&p);
    gsl_rng_free(r);
}

Test(validate_cli, export_then_validate_pass_and_fail)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 48);
    plstar_problem p;
    make_problem(&p, r, 2, "tanh", "linear", 1, 2, "ntk");
    FILE *f = fopen(path_of("m.json"), "w");
    char *json = model_to_json(&p.model);
    fputs(json, f);
    fclose(f);
    free(json);
    npy_write_matrix(path_of("X.npy"), p.X.data, p.n, p.model.input_dim);
    npy_write_matrix(path_of("y.npy"), p.y.data, p.n, p.model.outputs);
    npy_write_vector(path_of("w.npy"), p.w, p.model.nparams);
    cr_assert_eq(run("export --model m.json --data X.npy --weights w.npy --labels y.npy --out B"), 0);
    theirs t;
    theirs_alloc(&t, &p);
    theirs_fast(&t, &p, &p.model, 0);
    size_t N = p.N, P = p.model.nparams;
    npy_write_vector(path_of("F.npy"), t.F, N);
    npy_write_matrix(path_of("J.npy"), t.J, N, P);
    npy_write_matrix(path_of("K.npy"), t.K, N, N);
    npy_write_vector(path_of("L.npy"), t.L, STEPS + 1);
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
    npy_write_matrix(path_of("K.npy"), t.K, N, N);
    cr_assert_eq(run("validate --bundle B --kernel K.npy --json report.json"), 1);
    read_file("out.txt", text, sizeof text);
    cr_assert(strstr(text, "K[1, 2] (sample 0 output 1, sample 1 output 0)"), "%s", text);
    cr_assert(strstr(text, "validate: FAIL"));
    read_file("report.json", text, sizeof text);
    cr_assert(strstr(text, "\"verdict\": \"fail\""));
    cr_assert(strstr(text, "\"where\": \"K[1, 2]"));
    theirs_free(&t);
    problem_clear(&p);
    gsl_rng_free(r);
}

Test(validate_cli, bad_files_and_arguments)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 49);
    plstar_problem p;
    make_problem(&p, r, 1, "tanh", "linear", 0, 1, "ntk"); /* n = 4, N = 4 */
    cr_assert_eq(validate_write_bundle(&p, path_of("B")), PLSTAR_OK);
    size_t N = p.N;
    double K[16] = {0};
    npy_write_matrix(path_of("K3.npy"), K, 3, 3);
    expect_error("validate --bundle B --kernel K3.npy", 65, "K3.npy", "expected (4, 4)");
    npy_write_vector(path_of("K16.npy"), K, 16);
    expect_error("validate --bundle B --kernel K16.npy", 65, "K16.npy", "shape (16,)");
    K[1 * N + 2] = NAN;
    npy_write_matrix(path_of("Knan.npy"), K, N, N);
    expect_error("validate --bundle B --kernel Knan.npy", 65, "Knan.npy", "at [1, 2]");
    double F[4] = {0, 0, INFINITY, 0};
    npy_write_vector(path_of("Finf.npy"), F, 4);
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
    expect_error("validate --bundle B --kernel K3.npy --precision float16", 64, "float16", NULL);
    expect_error("validate --bundle B --lambda-min nan", 64, "lambda-min", NULL);
    npy_clear(&p.y);
    cr_assert_eq(validate_write_bundle(&p, path_of("C")), PLSTAR_OK);
    expect_error("validate --bundle C --losses K16.npy --lr 0.1", 64, "no y.npy", NULL);
    cr_assert_eq(run("export --model nowhere.json --data X.npy --seed 1 --out D"), 66);
    cr_assert_eq(run("export --seed 1 --out D"), 64);
    problem_clear(&p);
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
    char *json = model_to_json(&p.model);
    fputs(json, f);
    fclose(f);
    free(json);
    npy_write_matrix(path_of("X.npy"), p.X.data, p.n, p.model.input_dim);
    npy_write_vector(path_of("w.npy"), p.w, p.model.nparams);
    cr_assert_eq(run("export --model m.json --data X.npy --weights w.npy --out B"), 0);
    theirs t;
    theirs_alloc(&t, &p);
    theirs_plain(&t, &p, 0, 0);
    npy_write_matrix(path_of("J.npy"), t.J, p.N, p.model.nparams);
    cr_assert_eq(run("validate --bundle B --jacobian J.npy"), 0);
    t.J[0] = -2.0;
    npy_write_matrix(path_of("J.npy"), t.J, p.N, p.model.nparams);
    cr_assert_eq(run("validate --bundle B --jacobian J.npy --json r.json"), 1);
    char text[1 << 15];
    read_file("out.txt", text, sizeof text);
    cr_assert(strstr(text, "J[0, 0] (sample 0 output 0; layer 1 W[0, 0])     theirs -2 "), "%s", text);
    cr_assert(strstr(text, "(one-sided value at a kink)"), "%s", text);
    read_file("r.json", text, sizeof text);
    cr_assert(strstr(text, "\"one_sided\": true") && strstr(text, "\"verdict\": \"fail\""), "%s", text);
    theirs_free(&t);
    problem_clear(&p);

    for (int bias = 0; bias < 2; bias++) {
        plstar_model m;
        model_init(&m);
        cr_assert_eq(model_parse_json(&m, bias ? "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[8],\"activation\":"
                                                 "\"relu\",\"bias\":true,\"outputs\":1,\"output_activation\":\"linear\",\"scaling\":\"ntk\"}"
                                               : "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[8],\"activation\":"
                                                 "\"relu\",\"bias\":false,\"outputs\":1,\"output_activation\":\"linear\",\"scaling\":\"ntk\"}", "wide"), PLSTAR_OK);
        double X[4] = {0.0, 0.0, 0.5, -1.5}, *w = malloc(m.nparams * sizeof(double));
        model_init_weights(w, &m, 3); /* biases 0 */
        problem_init(&p);
        cr_assert_eq(problem_set(&p, &m, X, 2, w, NULL), PLSTAR_OK);
        cr_assert_eq(validate_write_bundle(&p, path_of("Z")), PLSTAR_OK);
        theirs_alloc(&t, &p);
        theirs_plain(&t, &p, 0, 0);
        npy_write_matrix(path_of("JZ.npy"), t.J, p.N, p.model.nparams);
        npy_write_matrix(path_of("KZ.npy"), t.K, p.N, p.N);
        char args[256];
        snprintf(args, sizeof args, "validate --bundle Z --jacobian JZ.npy --kernel KZ.npy --lambda-min %.17g",
                 t.lambda_min);
        cr_assert_eq(run(args), bias ? 2 : 0, "bias %d", bias);
        read_file("out.txt", text, sizeof text);
        cr_assert(strstr(text, "sample 0 has more than 6"), "%s", text);
        t.J[0] = 0.5; /* J[0, 0] = D·x_0 = 0 under every assignment: a wrong value fails */
        npy_write_matrix(path_of("JZ.npy"), t.J, p.N, p.model.nparams);
        cr_assert_eq(run(args), 1);
        t.J[0] = 0.0, t.J[p.model.nparams + 1] += 1.0; /* and so does a wrong entry elsewhere */
        npy_write_matrix(path_of("JZ.npy"), t.J, p.N, p.model.nparams);
        cr_assert_eq(run(args), 1);
        theirs_free(&t);
        problem_clear(&p);
        model_clear(&m);
        free(w);
    }
}

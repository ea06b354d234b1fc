#include "proofs-checks/gd_path.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/report.h"
#include "proofs-checks/checks.h"
#include "proofs-checks/help_text.h"
#include "fast/train.h"
#include "reference/eig.h"
#include "reference/network.h"
#include "reference/shallow.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define U_ROUND (DBL_EPSILON / 2)

/* s·x in the run's loss convention (core/loss.h), rounded as asked: a PL* constant from a λ_min bound. */
static double scaled(const gd_path_result *res, double x, loss_round dir)
{
    return plstar_loss_mul_scale(res->loss, res->N, x, dir);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

void plstar_gd_path_result_init(gd_path_result *r) { memset(r, 0, sizeof *r); }

void plstar_gd_path_result_clear(gd_path_result *r)
{
    free(r->step), free(r->loss_fast), free(r->loss_lo), free(r->loss_hi), free(r->envelope);
    free(r->lambda_lo), free(r->lambda_hi), free(r->kdist_hi), free(r->dist_hi), free(r->path_hi);
    free(r->step_loss_lo), free(r->step_loss_hi); /* owned by the result (plstar_check_gd_path allocates them) */
    plstar_gd_path_result_init(r);
}

/* Upper bound of ‖a − b‖₂ for double vectors: each fl(a_k − b_k) has relative
 * error ≤ u, the sum of squares ≤ γ_{P}, the square root ≤ u; inflated. Exactly
 * 0 when a = b (every difference is then exactly 0). */
static double dist_upper(const double *a, const double *b, size_t P)
{
    double s = 0, tiny = 0;
    for (size_t k = 0; k < P; k++) {
        double d = a[k] - b[k];
        s += d * d;
        tiny += d != 0 && fabs(d) < 0x1p-510; /* d·d may fall below DBL_MIN */
    }
    if (s == 0 && tiny == 0)
        return 0.0;
    /* 2^-1074 per such product covers its underflow (at most 2^-1075 off) */
    return sqrt(s * (1.0 + 2.0 * (double)(P + 16) * U_ROUND) + tiny * 0x1p-1074) * (1.0 + 4 * U_ROUND) + 0x1p-1000;
}

/* Trainer callback state: recorded iterates and the certified path length. */
typedef struct {
    size_t P, record_every, records, capacity, last_step;
    double *prev, *path_at;   /* path_at per record */
    double **weights;
    size_t *steps;
    double path;
    const plstar_problem *p;  /* for the reference loss at every step */
    slong prec;
    double eps;
    plstar_progress *training; /* steps trained (and their losses enclosed) */
    double *loss_lo, *loss_hi; /* per step */
    size_t steps_seen, rises, first_rise;
    int eps_stop, diverged;    /* stop requests: L < ε proven; L(w_t) > L(w0) proven */
} path_recorder;

/* Reference enclosure of L(w_t) at every step. */
static int step_loss(path_recorder *r, size_t t, const double *w)
{
    arb_t loss;
    arb_init(loss);
    int st = plstar_ref_loss_grad(loss, NULL, &r->p->model, r->p->X.data, r->p->n, w, r->p->y.data, r->prec);
    r->loss_lo[t] = plstar_arb_lower_d(loss), r->loss_hi[t] = plstar_arb_upper_d(loss);
    r->steps_seen = t + 1;
    arb_clear(loss);
    return st;
}

static int keep_record(path_recorder *r, size_t t, const double *w)
{
    if (r->records == r->capacity)
        return plstar_error(PLSTAR_ESOFTWARE, "too many records");
    r->weights[r->records] = malloc(r->P * sizeof(double));
    if (!r->weights[r->records])
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for recorded iterates");
    memcpy(r->weights[r->records], w, r->P * sizeof(double));
    r->steps[r->records] = t;
    r->path_at[r->records++] = r->path;
    return PLSTAR_OK;
}

static int on_weights(void *ctx, size_t t, const double *w, size_t P)
{
    path_recorder *r = ctx;
    if (t > 0) /* rounded up: a step below half an ulp of the sum must not be lost */
        r->path = nextafter(r->path + dist_upper(w, r->prev, P), INFINITY);
    memcpy(r->prev, w, P * sizeof(double));
    int st = step_loss(r, t, w);
    if (st)
        return st;
    if (r->training)
        plstar_progress_update(r->training, t);
    if (t > 0 && r->loss_lo[t] > r->loss_hi[t - 1] && !r->rises++) /* a loss spike: measured */
        r->first_rise = t;
    r->diverged = t > 0 && (r->loss_lo[t] > r->loss_hi[0] || !isfinite(r->loss_hi[t]));
    r->eps_stop = !r->diverged && r->eps > 0 && r->loss_hi[t] < r->eps; /* PL*_ε: done once L < ε is proven */
    int stop = r->diverged || r->eps_stop;
    if (t % r->record_every && t != r->last_step && !stop)
        return PLSTAR_OK;
    if ((st = keep_record(r, t, w)))
        return st;
    return stop ? PLSTAR_INCONCLUSIVE : PLSTAR_OK; /* a stop request, not an error */
}

static int alloc_result(gd_path_result *res, size_t cap)
{
    res->step = calloc(cap, sizeof(size_t));
    double **arrays[] = {&res->loss_fast, &res->loss_lo, &res->loss_hi, &res->envelope, &res->lambda_lo,
                         &res->lambda_hi, &res->kdist_hi, &res->dist_hi, &res->path_hi};
    int ok = res->step != NULL;
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        ok &= (*arrays[k] = calloc(cap, sizeof(double))) != NULL;
    return ok ? PLSTAR_OK : plstar_error(PLSTAR_ESOFTWARE, "out of memory for the path report");
}

/* The reference kernel at w0 and its eigenvalue enclosures (initial_step). */
typedef struct {
    arb_mat_t K;
    arb_t lmin, lmax;
} at_w0;

/* Reference quantities at one iterate: λ bounds, ‖K − K0‖₂, √λ_max. At w0
 * (is_w0) those of initial_step are taken, not formed again. A kernel that is
 * not finite (the weights of a diverging run) bounds nothing: λ_min in
 * [−∞, ∞], the rest +∞. */
static int verify_iterate(gd_path_result *res, size_t k, const plstar_problem *p, const double *w, const at_w0 *z,
                          int is_w0, arb_t sqrt_lmax, slong prec)
{
    size_t N = p->N;
    arb_mat_t K;
    arb_t lmin, lmax, nrm;
    arb_mat_init(K, (slong)N, (slong)N);
    arb_init(lmin), arb_init(lmax), arb_init(nrm);
    int st = PLSTAR_OK, finite = 1;
    if (is_w0)
        arb_mat_set(K, z->K), arb_set(lmin, z->lmin), arb_set(lmax, z->lmax);
    else if (!(st = plstar_ref_kernel_outputs_best(K, NULL, &p->model, p->X.data, p->n, w, prec)) &&
             (finite = arb_mat_is_finite(K)))
        st = plstar_ref_eig_bounds(lmin, lmax, K, prec);
    if (!st && finite) {
        arb_mat_sub(K, K, z->K, prec);
        st = plstar_ref_norm2_sym_upper(nrm, K, prec);
    }
    if (!st && finite) {
        res->lambda_lo[k] = plstar_arb_lower_d(lmin), res->lambda_hi[k] = plstar_arb_upper_d(lmin);
        res->kdist_hi[k] = plstar_arb_upper_d(nrm);
        arb_sqrtpos(sqrt_lmax, lmax, prec);
    } else if (!st) {
        res->lambda_lo[k] = -INFINITY, res->lambda_hi[k] = INFINITY, res->kdist_hi[k] = INFINITY;
        arb_pos_inf(sqrt_lmax);
    }
    arb_mat_clear(K);
    arb_clear(lmin), arb_clear(lmax), arb_clear(nrm);
    return st;
}

/* Enclosure [lo, hi] of (1 − ημ)^t L0 with L0 ∈ [L0_lo, L0_hi]. */
static void envelope_bounds(double *lo, double *hi, double lr, double mu, size_t t, double L0_lo, double L0_hi,
                            slong prec)
{
    arb_t q, e;
    arb_init(q), arb_init(e);
    arb_set_d(q, lr);
    arb_set_d(e, mu);
    arb_mul(q, q, e, prec);
    arb_sub_ui(q, q, 1, prec);
    arb_neg(q, q);
    arb_pow_ui(q, q, t, prec);
    arf_t a, b;
    arf_init(a), arf_init(b);
    arf_set_d(a, L0_lo), arf_set_d(b, L0_hi);
    arb_set_interval_arf(e, a, b, prec);
    arf_clear(a), arf_clear(b);
    arb_mul(q, q, e, prec);
    *lo = plstar_arb_lower_d(q), *hi = plstar_arb_upper_d(q);
    arb_clear(q), arb_clear(e);
}

static double envelope_lower(double lr, double mu, size_t t, double L0_lo, slong prec)
{
    double lo, hi;
    envelope_bounds(&lo, &hi, lr, mu, t, L0_lo, L0_lo, prec);
    return lo;
}

/* The trainer's loss at each record: the trajectory row of the same step. */
static void trainer_losses(gd_path_result *res, const path_recorder *rec, const fast_trajectory *traj)
{
    size_t row = 0;
    for (size_t k = 0; k < rec->records; k++) {
        while (row < traj->rows && traj->data[row * traj->cols] < (double)rec->steps[k])
            row++;
        res->loss_fast[k] = row < traj->rows && traj->data[row * traj->cols] == (double)rec->steps[k]
                                ? traj->data[row * traj->cols + 1]
                                : NAN;
    }
}

static int run_trainer(path_recorder *rec, gd_path_result *res, const plstar_problem *p, const gd_path_options *o)
{
    size_t P = p->model.nparams, T = o->steps;
    size_t *save = malloc((T + 1) * sizeof(size_t));
    double *w = malloc(P * sizeof(double));
    if (!save || !w) {
        free(save), free(w);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the path");
    }
    for (size_t t = 0; t <= T; t++)
        save[t] = t;
    memcpy(w, p->w, P * sizeof(double));
    fast_train_options opt;
    plstar_fast_train_options_init(&opt);
    opt.lr = res->lr, opt.loss = o->loss, opt.steps = T, opt.record_every = o->record_every;
    res->lr_half_sum = plstar_fast_train_half_sum_lr(&opt, p->n, p->model.outputs);
    opt.save_at = save, opt.nsave_at = T + 1, opt.on_weights = on_weights, opt.ctx = rec;
    fast_trajectory traj;
    plstar_fast_trajectory_init(&traj);
    plstar_progress pr;
    plstar_progress_begin(&pr, "certify gd: training", "steps", T);
    rec->training = &pr;
    int st = plstar_fast_train(&traj, w, &p->model, p->X.data, p->n, p->y.data, &opt);
    rec->training = NULL;
    plstar_progress_end(&pr);
    if (st == PLSTAR_INCONCLUSIVE && (rec->eps_stop || rec->diverged))
        st = PLSTAR_OK;
    if (st == PLSTAR_EINTERRUPTED) { /* what was trained is verified as far as it goes */
        res->interrupted = res->interrupted_in_training = 1;
        plstar_error_clear();
        st = rec->records ? PLSTAR_OK : on_weights(rec, 0, p->w, P); /* stopped before step 0: w0 alone */
    }
    if (rec->diverged)
        res->failure = GD_PATH_DIVERGED, res->fail_step = rec->steps_seen - 1;
    if (st == FAST_TRAIN_DIVERGED) { /* a result about the rate, not an error */
        res->failure = GD_PATH_NONFINITE, res->fail_step = traj.diverged_at;
        plstar_error_clear();
        st = PLSTAR_OK;
    }
    if (!st)
        trainer_losses(res, rec, &traj);
    res->steps_run = rec->steps_seen ? rec->steps_seen - 1 : 0;
    res->rises = rec->rises, res->first_rise = rec->first_rise;
    plstar_fast_trajectory_clear(&traj);
    free(save), free(w);
    return st;
}

/* 1/λ_max(K(w0)) on ½‖F − y‖², in the run's convention. */
static double default_lr(const gd_path_result *res)
{
    return plstar_loss_div_scale(res->loss, res->N, 1.0 / res->lambda_max0_hi, LOSS_NEAREST);
}

static int initial_step(gd_path_result *res, const plstar_problem *p, const gd_path_options *o, at_w0 *z, slong prec)
{
    int st = plstar_ref_kernel_outputs_best(z->K, NULL, &p->model, p->X.data, p->n, p->w, prec);
    if (!st)
        st = plstar_ref_eig_bounds(z->lmin, z->lmax, z->K, prec);
    res->lambda0_lo = plstar_arb_lower_d(z->lmin), res->lambda0_hi = plstar_arb_upper_d(z->lmin);
    res->lambda_max0_hi = plstar_arb_upper_d(z->lmax);
    res->lr_given = o->lr > 0, res->mu_given = o->mu > 0;
    res->loss = o->loss, res->N = p->N;
    res->lr = o->lr > 0 ? o->lr : default_lr(res);
    if (!st && !(res->lr > 0 && isfinite(res->lr))) /* λ_max(K(w0)) = 0: K(w0) = 0, no default step */
        res->failure = GD_PATH_NO_STEP, res->lr = 0;
    return st;
}

/* Records whose conditions are required: all of them, except (PL*_ε) the
 * final one once the loss is proven below ε, and the step where a diverging
 * run stopped. */
static size_t required_records(const gd_path_result *res)
{
    return res->records - (res->eps_reached || res->failure == GD_PATH_DIVERGED ? 1 : 0);
}

/* Checks (1)–(3) at a given μ; (1) at every step. */
static void evaluate(gd_path_result *res, size_t *rate_fail, double mu, slong prec)
{
    size_t R = required_records(res);
    res->mu = mu;
    res->rate_ok = res->lambda_ok = 1;
    for (size_t t = 1; t <= res->steps_run && res->rate_ok; t++)
        if (res->step_loss_hi[t] > envelope_lower(res->lr, mu, t, res->step_loss_lo[0], prec))
            res->rate_ok = 0, *rate_fail = t;
    for (size_t k = 0; k < res->records; k++) {
        res->envelope[k] = res->step[k] ? envelope_lower(res->lr, mu, res->step[k], res->loss_lo[0], prec)
                                        : res->loss_lo[0];
        if (k < R && scaled(res, res->lambda_lo[k], LOSS_DOWN) < mu)
            res->lambda_ok = 0;
    }
    /* R = 2 L_F ‖F(w0) − y‖/μ with μ on ½‖F − y‖² (μ/s, rounded down), rounded up */
    res->radius = 2.0 * res->lipschitz * res->resid0_hi / plstar_loss_div_scale(res->loss, res->N, mu, LOSS_DOWN) *
                  (1.0 + 8 * U_ROUND);
    res->path_ok = res->records && isfinite(res->radius) && res->path_hi[res->records - 1] <= res->radius;
}

/* The first required record whose λ_min(K(w_t)) is below `mu` (proven when
 * `proven`), or SIZE_MAX. */
static size_t lambda_below(const gd_path_result *res, double mu, int proven)
{
    for (size_t k = 0; k < required_records(res); k++)
        if (proven ? scaled(res, res->lambda_hi[k], LOSS_UP) < mu || res->lambda_hi[k] <= 0
                   : scaled(res, res->lambda_lo[k], LOSS_DOWN) < mu)
            return k;
    return SIZE_MAX;
}

static int fail_at(gd_path_result *res, gd_path_failure f, size_t step, int verdict)
{
    res->failure = f, res->fail_step = step;
    return verdict;
}

/* The largest μ the recorded iterates support (halved while the rate check
 * fails), then the verdict and, when not certified, the first failure. */
static int decide(gd_path_result *res, const gd_path_options *o, slong prec)
{
    if (!res->records)
        return plstar_error(PLSTAR_ESOFTWARE, "the path certificate recorded no iterate");
    res->loss0_hi = res->loss_hi[0];
    res->resid0_hi = sqrt(2.0 * res->loss0_hi) * (1.0 + 4 * U_ROUND);
    if (res->failure == GD_PATH_NO_STEP) { /* K(w0) = 0: λ_min(K(w0)) = 0 < μ for every μ > 0 */
        res->mu = o->mu > 0 ? o->mu : 0;
        return PLSTAR_REFUTED;
    }
    int diverged = res->failure == GD_PATH_DIVERGED || res->failure == GD_PATH_NONFINITE;
    size_t R = required_records(res), k;
    double mu = o->mu;
    if (mu <= 0) {
        mu = res->lambda0_lo;
        for (k = 0; k < R; k++)
            mu = fmin(mu, res->lambda_lo[k]);
        mu = nextafter(scaled(res, mu, LOSS_DOWN), 0.0);
    }
    size_t rate_fail = 0;
    if (mu > 0) {
        evaluate(res, &rate_fail, mu, prec);
        for (int h = 0; o->mu <= 0 && !res->rate_ok && !diverged && h < 30; h++)
            evaluate(res, &rate_fail, res->mu / 2, prec);
    } else {
        res->mu = 0;
    }
    if (diverged) /* the rate fails for every μ with 0 < ημ ≤ 1: L(w_t) > L(w0) ≥ (1 − ημ)^t L(w0) */
        return PLSTAR_REFUTED;
    if ((k = lambda_below(res, res->mu, 1)) != SIZE_MAX)
        return fail_at(res, res->lambda_hi[k] <= 0 ? GD_PATH_LAMBDA_ZERO : GD_PATH_LAMBDA, res->step[k],
                       PLSTAR_REFUTED);
    if (!(res->mu > 0)) { /* the default μ is not positive: the record with the smallest λ_min bound */
        size_t low = 0;
        for (k = 1; k < R; k++)
            low = res->lambda_lo[k] < res->lambda_lo[low] ? k : low;
        return fail_at(res, GD_PATH_LAMBDA_UNKNOWN, res->step[low], PLSTAR_INCONCLUSIVE);
    }
    if (!res->rate_ok) {
        envelope_bounds(&res->fail_rhs_lo, &res->fail_rhs_hi, res->lr, res->mu, rate_fail, res->step_loss_lo[0],
                        res->step_loss_hi[0], prec);
        return fail_at(res, GD_PATH_RATE, rate_fail,
                       res->step_loss_lo[rate_fail] > res->fail_rhs_hi ? PLSTAR_REFUTED : PLSTAR_INCONCLUSIVE);
    }
    if (!res->lambda_ok)
        return fail_at(res, GD_PATH_LAMBDA, res->step[lambda_below(res, res->mu, 0)], PLSTAR_INCONCLUSIVE);
    if (!res->path_ok)
        return fail_at(res, GD_PATH_PATH, res->steps_run, PLSTAR_INCONCLUSIVE);
    if (o->eps > 0 && !res->eps_reached)
        return fail_at(res, GD_PATH_EPS, res->steps_run, PLSTAR_INCONCLUSIVE);
    return PLSTAR_OK;
}

/* An interrupted run: cut to its verified records and decided as a run of that
 * length, without ε (gd_path.h, "Interruption"). */
static int decide_prefix(gd_path_result *res, const gd_path_options *o, slong prec)
{
    res->steps_run = res->step[res->records - 1];
    res->failure = GD_PATH_OK, res->fail_step = 0;
    res->eps_reached = 0;
    res->rises = res->first_rise = 0; /* the loss spikes of the prefix only */
    for (size_t t = 1; t <= res->steps_run; t++)
        if (res->step_loss_lo[t] > res->step_loss_hi[t - 1] && !res->rises++)
            res->first_rise = t;
    gd_path_options prefix = *o;
    prefix.eps = 0;
    int v = decide(res, &prefix, prec);
    if (v > PLSTAR_INCONCLUSIVE)
        return v;
    res->prefix_verdict = v;
    return plstar_error(PLSTAR_EINTERRUPTED, "interrupted during the %s: verified up to step %zu of %zu",
                        res->interrupted_in_training ? "training" : "verification", res->steps_run, o->steps);
}

/* [lo, hi] of ½‖F − y‖² → [lo, hi] of the run's loss, outwards. */
static void scale_pair(const gd_path_result *res, double *lo, double *hi)
{
    *lo = scaled(res, *lo, LOSS_DOWN), *hi = scaled(res, *hi, LOSS_UP);
}

/* Every loss of the result, decided on ½‖F − y‖², expressed in the run's convention. */
static void in_convention(gd_path_result *res)
{
    if (res->loss == LOSS_SUM)
        return;
    for (size_t k = 0; k < res->records; k++) {
        scale_pair(res, &res->loss_lo[k], &res->loss_hi[k]);
        res->envelope[k] = scaled(res, res->envelope[k], LOSS_DOWN);
    }
    size_t steps = res->records ? res->step[res->records - 1] : 0;
    steps = res->steps_run > steps ? res->steps_run : steps;
    for (size_t t = 0; res->step_loss_lo && t <= steps; t++)
        scale_pair(res, &res->step_loss_lo[t], &res->step_loss_hi[t]);
    scale_pair(res, &res->fail_rhs_lo, &res->fail_rhs_hi);
    res->loss0_hi = scaled(res, res->loss0_hi, LOSS_UP);
}

int plstar_check_gd_path(gd_path_result *res, const plstar_problem *p, const gd_path_options *o, slong prec)
{
    if (!p->y.size)
        return plstar_error(PLSTAR_EUSAGE, "the path certificate needs labels");
    if (!o->steps || !o->record_every)
        return plstar_error(PLSTAR_EUSAGE, "the path certificate needs at least one step and record_every >= 1");
    size_t N = p->N, cap = o->steps / o->record_every + 3; /* 0, k, 2k, …, T and a stop */
    res->prec = prec;
    struct timespec t0;
    at_w0 z;
    arb_mat_init(z.K, (slong)N, (slong)N);
    arb_init(z.lmin), arb_init(z.lmax);
    path_recorder rec = {.P = p->model.nparams, .record_every = o->record_every, .capacity = cap, .p = p,
                         .prec = prec, .eps = o->eps, .last_step = o->steps};
    res->step_loss_lo = rec.loss_lo = calloc(o->steps + 1, sizeof(double));
    res->step_loss_hi = rec.loss_hi = calloc(o->steps + 1, sizeof(double));
    rec.prev = malloc(rec.P * sizeof(double)), rec.path_at = calloc(cap, sizeof(double));
    rec.weights = calloc(cap, sizeof(double *)), rec.steps = calloc(cap, sizeof(size_t));
    if (o->eps > 0) /* L < ε in the run's convention: ½‖F − y‖² < ε/s, rounded down */
        rec.eps = plstar_loss_div_scale(o->loss, p->N, o->eps, LOSS_DOWN);
    int st = (!rec.prev || !rec.path_at || !rec.weights || !rec.steps || !rec.loss_lo || !rec.loss_hi)
                 ? plstar_error(PLSTAR_ESOFTWARE, "out of memory for the path")
                 : alloc_result(res, cap);
    if (!st)
        st = initial_step(res, p, o, &z, prec);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!st && res->failure == GD_PATH_NO_STEP) { /* nothing to run: w0 alone is verified */
        st = on_weights(&rec, 0, p->w, rec.P);
        res->loss_fast[0] = NAN; /* no trainer */
    }
    else if (!st) {
        plstar_stop_between_steps = 1; /* a signal stops the run between steps: the prefix is kept */
        st = run_trainer(&rec, res, p, o);
    }
    res->seconds_train = seconds_since(&t0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    arb_t s, lip;
    arb_init(s), arb_init(lip);
    plstar_progress pr;
    plstar_progress_begin(&pr, "certify gd: verifying", "iterates", rec.records);
    for (size_t k = 0; !st && k < rec.records; k++) {
        if (k > 0 && plstar_interrupted) /* record 0 is w0, whose enclosures initial_step has */
            break;
        res->step[k] = rec.steps[k];
        res->path_hi[k] = rec.path_at[k];
        res->dist_hi[k] = dist_upper(rec.weights[k], p->w, rec.P);
        res->loss_lo[k] = rec.loss_lo[rec.steps[k]], res->loss_hi[k] = rec.loss_hi[rec.steps[k]];
        st = verify_iterate(res, k, p, rec.weights[k], &z, rec.steps[k] == 0, s, prec); /* step 0: w0 itself */
        arb_max(lip, lip, s, prec);
        res->records = k + 1;
        plstar_progress_update(&pr, res->records);
    }
    plstar_progress_end(&pr);
    plstar_stop_between_steps = 0;
    res->records_trained = rec.records, res->steps_trained = res->steps_run;
    res->interrupted |= !st && res->records < rec.records;
    res->eps_reached = rec.eps_stop;
    res->lipschitz = plstar_arb_upper_d(lip);
    arb_clear(s), arb_clear(lip);
    for (size_t k = 0; k < rec.records; k++)
        free(rec.weights[k]);
    free(rec.prev), free(rec.path_at), free(rec.weights), free(rec.steps);
    arb_mat_clear(z.K);
    arb_clear(z.lmin), arb_clear(z.lmax);
    res->seconds_verify = seconds_since(&t0);
    if (st)
        return st;
    int v = res->interrupted ? decide_prefix(res, o, prec) : decide(res, o, prec);
    in_convention(res);
    return v;
}

/* ------------------------------------------------------------------------ */
/* Why a run is not certified: the inequality, both sides, what would decide it */

typedef enum { SIDE_NONE, SIDE_INTERVAL, SIDE_UPPER, SIDE_POINT, SIDE_TEXT } side_kind;

typedef struct {
    side_kind kind;
    double lo, hi;
    char text[96];
} side;

typedef struct {
    char inequality[256], decide[320];
    side lhs, rhs;
} failure_parts;

static side interval_side(double lo, double hi) { return (side){.kind = SIDE_INTERVAL, .lo = lo, .hi = hi}; }
static side point_side(double x) { return (side){.kind = SIDE_POINT, .lo = x, .hi = x}; }

static side text_side(const char *text)
{
    side s = {.kind = SIDE_TEXT};
    snprintf(s.text, sizeof s.text, "%s", text);
    return s;
}

/* The record of step t (the last one at or before it). */
static size_t record_of(const gd_path_result *res, size_t t)
{
    size_t k = 0;
    while (k + 1 < res->records && res->step[k + 1] <= t)
        k++;
    return k;
}

/* The PL* constant (in the run's convention) of the smallest certified lower bound of
 * λ_min(K(w_t)) over the required records. */
static double lambda_floor(const gd_path_result *res)
{
    double m = INFINITY;
    for (size_t k = 0; k < required_records(res); k++)
        m = fmin(m, res->lambda_lo[k]);
    return scaled(res, m, LOSS_DOWN);
}

/* "lambda_min(K(w_t))", times s = 2/N under the mean loss: the PL* constant it gives. */
static const char *lambda_term(const gd_path_result *res, int at_w0)
{
    if (res->loss == LOSS_MEAN)
        return at_w0 ? "(2/N) lambda_min(K(w0))" : "(2/N) lambda_min(K(w_t))";
    return at_w0 ? "lambda_min(K(w0))" : "lambda_min(K(w_t))";
}

/* s·[lo, hi] of a λ_min enclosure, outwards. */
static side lambda_side(const gd_path_result *res, double lo, double hi)
{
    return (side){.kind = SIDE_INTERVAL, .lo = scaled(res, lo, LOSS_DOWN), .hi = scaled(res, hi, LOSS_UP)};
}

static void smaller_step(char *buf, size_t len, const gd_path_result *res)
{
    if (res->lr_given && res->lambda_max0_hi > 0)
        snprintf(buf, len, "a smaller step (--lr; the default 1/lambda_max(K(w0)) is %.6g)", default_lr(res));
    else
        snprintf(buf, len, "a smaller step (--lr below 1/lambda_max(K(w0)) = %.6g)", res->lr);
}

static failure_parts failure_of(const gd_path_result *res)
{
    failure_parts f = {.lhs = {SIDE_NONE}, .rhs = {SIDE_NONE}};
    size_t t = res->fail_step, k = record_of(res, t);
    side mu = res->mu > 0 ? point_side(res->mu) : text_side("every mu > 0");
    switch (res->failure) {
    case GD_PATH_OK:
        break;
    case GD_PATH_NO_STEP:
        snprintf(f.inequality, sizeof f.inequality, "%s >= mu", lambda_term(res, 1));
        f.lhs = lambda_side(res, res->lambda0_lo, res->lambda0_hi), f.rhs = mu;
        snprintf(f.decide, sizeof f.decide,
                 "nothing at these weights: lambda_max(K(w0)) = 0 (DF(w0) = 0, no output depends on the weights, "
                 "e.g. every ReLU unit is inactive), so the default step 1/lambda_max(K(w0)) does not exist and "
                 "lambda_min(K(w0)) = 0 refutes every mu > 0; start from other weights");
        break;
    case GD_PATH_DIVERGED:
        snprintf(f.inequality, sizeof f.inequality,
                 "L(w_t) <= L(w0) at step t = %zu (implied by the rate L(w_t) <= (1 - lr mu)^t L(w0) for every "
                 "0 < lr mu <= 1)", t);
        f.lhs = interval_side(res->step_loss_lo[t], res->step_loss_hi[t]);
        f.rhs = interval_side(res->step_loss_lo[0], res->step_loss_hi[0]);
        smaller_step(f.decide, sizeof f.decide, res);
        break;
    case GD_PATH_NONFINITE:
        snprintf(f.inequality, sizeof f.inequality,
                 "L(w_t) <= L(w0) at step t = %zu (implied by the rate for every 0 < lr mu <= 1)", t);
        f.lhs = text_side("not finite");
        f.rhs = interval_side(res->step_loss_lo[0], res->step_loss_hi[0]);
        smaller_step(f.decide, sizeof f.decide, res);
        break;
    case GD_PATH_LAMBDA_ZERO:
    case GD_PATH_LAMBDA:
    case GD_PATH_LAMBDA_UNKNOWN:
        snprintf(f.inequality, sizeof f.inequality, "%s >= mu at step t = %zu", lambda_term(res, 0), t);
        f.lhs = lambda_side(res, res->lambda_lo[k], res->lambda_hi[k]);
        f.rhs = res->failure == GD_PATH_LAMBDA_UNKNOWN ? text_side("some mu > 0") : mu;
        if (res->failure == GD_PATH_LAMBDA_ZERO)
            snprintf(f.decide, sizeof f.decide, "nothing: lambda_min(K(w_t)) = 0 refutes every mu > 0 (Proposition 3: "
                                                "labels exist for which PL* fails at w_t)");
        else if (res->failure == GD_PATH_LAMBDA_UNKNOWN)
            snprintf(f.decide, sizeof f.decide, "more precision (--prec): lambda_min(K(w_t)) is not proven positive");
        else
            snprintf(f.decide, sizeof f.decide, "%sa mu <= %.6g (the smallest certified %s along the path, "
                     "the default)", f.lhs.hi < res->mu ? "" : "more precision (--prec) or ", lambda_floor(res),
                     lambda_term(res, 0));
        break;
    case GD_PATH_RATE:
        snprintf(f.inequality, sizeof f.inequality, "L(w_t) <= (1 - lr mu)^t L(w0) at step t = %zu", t);
        f.lhs = interval_side(res->step_loss_lo[t], res->step_loss_hi[t]);
        f.rhs = interval_side(res->fail_rhs_lo, res->fail_rhs_hi);
        snprintf(f.decide, sizeof f.decide, "a smaller mu (a slower certified rate) or a smaller step");
        break;
    case GD_PATH_PATH:
        snprintf(f.inequality, sizeof f.inequality, "path length <= R = 2 L_F |F(w0) - y| / mu (Eq. 61)");
        f.lhs = (side){.kind = SIDE_UPPER, .hi = res->path_hi[res->records - 1]};
        f.rhs = isfinite(res->radius) ? point_side(res->radius) : text_side("not bounded: L_F along the path is not");
        snprintf(f.decide, sizeof f.decide, "a smaller mu (R grows as 1/mu)");
        break;
    case GD_PATH_EPS:
        snprintf(f.inequality, sizeof f.inequality, "L(w_T) < eps after T = %zu steps", t);
        f.lhs = interval_side(res->step_loss_lo[t], res->step_loss_hi[t]);
        f.rhs = text_side("eps");
        snprintf(f.decide, sizeof f.decide, "more steps (--steps) or a larger eps");
        break;
    }
    return f;
}

static void side_text(char *buf, size_t len, const side *s)
{
    switch (s->kind) {
    case SIDE_INTERVAL: snprintf(buf, len, "[%.6g, %.6g]", s->lo, s->hi); break;
    case SIDE_UPPER: snprintf(buf, len, "<= %.6g", s->hi); break;
    case SIDE_POINT: snprintf(buf, len, "%.6g", s->lo); break;
    case SIDE_TEXT: snprintf(buf, len, "%s", s->text); break;
    default: snprintf(buf, len, "-");
    }
}

static json_t *side_json(const side *s)
{
    switch (s->kind) {
    case SIDE_INTERVAL: return plstar_report_interval(s->lo, s->hi);
    case SIDE_UPPER: return plstar_report_upper(s->hi);
    case SIDE_POINT: return json_real(s->lo);
    case SIDE_TEXT: return plstar_report_absent(s->text);
    default: return NULL;
    }
}

static const char *const failure_names[] = {
    [GD_PATH_OK] = "none", [GD_PATH_NO_STEP] = "K(w0) = 0, no default step", [GD_PATH_DIVERGED] = "gradient descent diverged (the loss rose above L(w0))",
    [GD_PATH_NONFINITE] = "gradient descent diverged (the loss or its gradient is not finite)", [GD_PATH_LAMBDA_ZERO] = "lambda_min is 0",
    [GD_PATH_LAMBDA_UNKNOWN] = "lambda_min not proven positive", [GD_PATH_LAMBDA] = "lambda_min below mu",
    [GD_PATH_RATE] = "rate", [GD_PATH_PATH] = "path length", [GD_PATH_EPS] = "eps not reached"};

void plstar_gd_path_reason_text(char *buf, size_t len, const gd_path_result *res)
{
    if (res->failure == GD_PATH_OK || !len) {
        if (len)
            buf[0] = '\0';
        return;
    }
    failure_parts f = failure_of(res);
    char l[128], r[128];
    side_text(l, sizeof l, &f.lhs), side_text(r, sizeof r, &f.rhs);
    snprintf(buf, len, "%s: %s fails: %s vs %s; would decide: %s", failure_names[res->failure], f.inequality, l, r,
             f.decide);
}

static void set_reason(json_t *r, const gd_path_result *res)
{
    failure_parts f = failure_of(res);
    plstar_report_set_reason(r, f.inequality, side_json(&f.lhs), side_json(&f.rhs), f.decide);
    json_object_set_new(json_object_get(r, "reason"), "failure", json_string(failure_names[res->failure]));
    if (res->failure == GD_PATH_DIVERGED || res->failure == GD_PATH_NONFINITE) {
        json_t *d = json_object();
        json_object_set_new(d, "step", json_integer((json_int_t)res->fail_step));
        json_object_set_new(d, "loss", res->failure == GD_PATH_DIVERGED
                                           ? plstar_report_interval(res->step_loss_lo[res->fail_step],
                                                                    res->step_loss_hi[res->fail_step])
                                           : plstar_report_absent("the trainer's loss or gradient is not finite"));
        json_object_set_new(r, "diverged", d);
    }
}

static const char *signal_name(int sig) { return sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "a signal"; }

/* An interrupted run: why it is not certified (the steps after the prefix were
 * not verified), and report["interrupted"]: where it stopped and what the
 * prefix proves (gd_path.h, "Interruption"). */
static void set_interrupted(json_t *r, const gd_path_result *res, const gd_path_options *o)
{
    size_t t = res->steps_run;
    char ineq[256], decide[320];
    snprintf(ineq, sizeof ineq, "the conditions of Theorem 6 at the steps after t = %zu of %zu (not verified: "
             "interrupted by %s during the %s)", t, o->steps, signal_name(plstar_interrupt_signal),
             res->interrupted_in_training ? "training" : "verification");
    snprintf(decide, sizeof decide, "the run to completion (plstar certify gd --path again); the steps up to %zu "
             "are %s (interrupted.prefix_verdict)", t, plstar_report_verdict_name(res->prefix_verdict, 0));
    plstar_report_set_reason(r, ineq, NULL, NULL, decide);
    json_t *cut = json_object();
    json_object_set_new(cut, "signal", json_string(signal_name(plstar_interrupt_signal)));
    json_object_set_new(cut, "phase", json_string(res->interrupted_in_training ? "training" : "verification"));
    json_object_set_new(cut, "last_verified_step", json_integer((json_int_t)t));
    json_object_set_new(cut, "records_verified", json_integer((json_int_t)res->records));
    json_object_set_new(cut, "records_trained", json_integer((json_int_t)res->records_trained));
    json_object_set_new(cut, "steps_trained", json_integer((json_int_t)res->steps_trained));
    json_object_set_new(cut, "steps_asked", json_integer((json_int_t)o->steps));
    json_object_set_new(cut, "prefix_verdict", json_string(plstar_report_verdict_name(res->prefix_verdict, 0)));
    char proven[512];
    if (res->prefix_verdict == PLSTAR_OK)
        snprintf(proven, sizeof proven, "Theorem 6 a posteriori for the first %zu steps, at mu = %.17g: "
                 "L(w_s) <= (1 - lr mu)^s L(w0) for every s <= %zu, lambda_min(K(w_s)) >= mu at the %zu recorded "
                 "steps s <= %zu, and the path length up to step %zu <= R (quantities, checks and trajectory hold "
                 "the prefix)", t, res->mu, t, res->records, t, t);
    else
        snprintf(proven, sizeof proven, "the prefix of %zu steps is %s: %s", t,
                 plstar_report_verdict_name(res->prefix_verdict, 0), failure_names[res->failure]);
    json_object_set_new(cut, "proven", json_string(proven));
    if (res->prefix_verdict != PLSTAR_OK) {
        failure_parts f = failure_of(res);
        json_t *why = json_object();
        json_object_set_new(why, "inequality", json_string(f.inequality));
        json_t *lhs = side_json(&f.lhs), *rhs = side_json(&f.rhs);
        json_object_set_new(why, "lhs", lhs ? lhs : json_null());
        json_object_set_new(why, "rhs", rhs ? rhs : json_null());
        json_object_set_new(why, "decide", json_string(f.decide));
        json_object_set_new(cut, "prefix_reason", why);
    }
    json_object_set_new(r, "interrupted", cut);
}

/* Quantities measured along the run that the verdict does not require. */
static json_t *measured(const gd_path_result *res)
{
    json_t *m = json_object();
    double kmax = 0;
    for (size_t k = 0; k < res->records; k++)
        kmax = fmax(kmax, res->kdist_hi[k]);
    json_object_set_new(m, "kernel_change_max", res->records ? plstar_report_upper(kmax) : plstar_report_absent("no iterate"));
    json_t *rise = json_object();
    json_object_set_new(rise, "steps", json_integer((json_int_t)res->rises));
    if (res->rises) {
        size_t t = res->first_rise;
        json_object_set_new(rise, "first_step", json_integer((json_int_t)t));
        json_object_set_new(rise, "loss_before", plstar_report_interval(res->step_loss_lo[t - 1], res->step_loss_hi[t - 1]));
        json_object_set_new(rise, "loss_after", plstar_report_interval(res->step_loss_lo[t], res->step_loss_hi[t]));
    }
    json_object_set_new(m, "loss_rises", rise);
    json_object_set_new(m, "note", json_string("measured, not part of the statement: kernel_change bounds "
                                               "‖K(w_t) − K(w0)‖₂ (Theorem 2's proof needs it only to imply "
                                               "λ_min(K(w_t)) ≥ μ, which is checked directly); loss_rises counts "
                                               "the steps with L(w_t) > L(w_{t−1}) proven"));
    return m;
}

json_t *plstar_gd_path_report(const gd_path_result *res, const plstar_problem *p, const gd_path_options *o, int verdict)
{
    json_t *r = plstar_report_new("gd_path",
                                  "docs/theory.md §4, Theorem 6 checked a posteriori along the computed GD iterates "
                                  "w_{t+1} = w_t − η∇L(w_t), for these labels: L(w_t) ≤ (1 − ημ)^t L(w0) at every step "
                                  "t ≤ T, λ_min(K(w_t)) ≥ μ at every recorded step, and the path length "
                                  "Σ_{s<T} ‖w_{s+1} − w_s‖ ≤ R = 2 L_F ‖F(w0) − y‖/μ with L_F the largest certified "
                                  "‖DF(w_t)‖₂ over the recorded steps (Eq. 61); with eps, Definition 5 / Theorem 9 "
                                  "(PL*_ε): these are required while L(w_t) ≥ ε, and L(w_T) < ε is proven. Nothing is "
                                  "claimed between recorded steps");
    int interrupted = verdict == PLSTAR_EINTERRUPTED;
    plstar_report_set_verdict(r, interrupted ? "interrupted" : plstar_report_verdict_name(verdict, 0));
    plstar_report_set_scope(r, REPORT_SCOPE_THESE_LABELS);
    if (interrupted)
        set_interrupted(r, res, o);
    else if (verdict != PLSTAR_OK)
        set_reason(r, res);
    plstar_report_add_problem(r, p);
    if (res->prec > 0)
        plstar_report_set_precision(r, (long)res->prec);
    json_t *in = json_object_get(r, "inputs");
    json_object_set_new(in, "steps", json_integer((json_int_t)o->steps));
    json_object_set_new(in, "record_every", json_integer((json_int_t)o->record_every));
    json_object_set_new(in, "kernel_route", json_string(plstar_ref_kernel_route_used(&p->model, p->n, REF_ROUTE_ARB)));
    json_object_set_new(in, "lr", res->lr_given ? json_real(o->lr) : plstar_report_absent("not given: 1/λ_max(K(w0))"));
    json_object_set_new(in, "mu", res->mu_given ? json_real(o->mu)
                                                : plstar_report_absent("not given: the smallest certified λ_min(K(w_t)) "
                                                                       "along the path, halved while the rate fails"));
    if (o->eps > 0)
        json_object_set_new(in, "eps", json_real(o->eps));
    json_object_set_new(r, "mu", res->mu > 0 ? json_real(res->mu) : plstar_report_absent("no mu > 0 (see reason)"));
    json_object_set_new(r, "lr", res->lr > 0 ? json_real(res->lr)
                                             : plstar_report_absent("no step: lambda_max(K(w0)) = 0 and no --lr"));
    json_object_set_new(r, "lr_half_sum", res->lr > 0 ? json_real(res->lr_half_sum)
                                                      : plstar_report_absent("no step: lambda_max(K(w0)) = 0 and no --lr"));
    json_object_set_new(r, "loss", plstar_loss_report(res->loss, p->N));
    json_object_set_new(r, "steps", json_integer((json_int_t)res->steps_run));
    json_object_set_new(r, "radius", res->mu > 0 && isfinite(res->radius) ? json_real(res->radius)
                                     : res->mu > 0 ? plstar_report_absent("L_F along the path is not bounded")
                                                   : plstar_report_absent("no mu > 0 (see reason)"));
    size_t last = res->records ? res->records - 1 : 0;
    json_t *checks = json_object();
    json_object_set_new(checks, "rate", json_boolean(res->rate_ok));
    json_object_set_new(checks, "lambda_min_ge_mu", json_boolean(res->lambda_ok));
    json_object_set_new(checks, "path_length_le_radius", json_boolean(res->path_ok));
    if (o->eps > 0)
        json_object_set_new(checks, "loss_below_eps", json_boolean(res->eps_reached));
    json_object_set_new(r, "checks", checks);
    json_t *q = json_object_get(r, "quantities");
    json_object_set_new(q, "path_length", plstar_report_upper(res->records ? res->path_hi[last] : 0.0));
    json_object_set_new(q, "loss_initial", plstar_report_interval(res->loss_lo[0], res->loss_hi[0]));
    json_object_set_new(q, "loss_final", plstar_report_interval(res->loss_lo[last], res->loss_hi[last]));
    json_object_set_new(q, "lipschitz_F_along_path", plstar_report_upper(res->lipschitz));
    json_object_set_new(q, "lambda_min_w0", plstar_report_interval(res->lambda0_lo, res->lambda0_hi));
    json_object_set_new(q, "lambda_max_w0", plstar_report_upper(res->lambda_max0_hi));
    json_object_set_new(r, "measured", measured(res));
    json_t *rows = json_array();
    for (size_t k = 0; k < res->records; k++) {
        json_t *row = json_object();
        json_object_set_new(row, "step", json_integer((json_int_t)res->step[k]));
        json_object_set_new(row, "loss_fast", isfinite(res->loss_fast[k]) ? json_real(res->loss_fast[k])
                                                                           : plstar_report_absent("no trainer value"));
        json_object_set_new(row, "loss", plstar_report_interval(res->loss_lo[k], res->loss_hi[k]));
        if (res->mu > 0)
            json_object_set_new(row, "loss_envelope", plstar_report_lower(res->envelope[k]));
        json_object_set_new(row, "lambda_min", plstar_report_interval(res->lambda_lo[k], res->lambda_hi[k]));
        json_object_set_new(row, "kernel_change", plstar_report_upper(res->kdist_hi[k]));
        json_object_set_new(row, "distance_from_w0", plstar_report_upper(res->dist_hi[k]));
        json_object_set_new(row, "path_length", plstar_report_upper(res->path_hi[k]));
        json_array_append_new(rows, row);
    }
    json_object_set_new(r, "trajectory", rows);
    json_object_set_new(r, "seconds_train", json_real(res->seconds_train));
    json_object_set_new(r, "seconds_verify", json_real(res->seconds_verify));
    return r;
}

/* ---- the report of a training run (plstar train) ---- */

/* How the run ended; the verdict is "uncertified" whatever the outcome (docs/reports.md, "train"). */
static const char *outcome_name(int status)
{
    return status == PLSTAR_EINTERRUPTED ? "interrupted" : status == FAST_TRAIN_DIVERGED ? "diverged" : "completed";
}

/* The shortest decimal that reads back as x (a step to pass on the command line). */
static void shortest(char *buf, size_t len, double x)
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, len, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* verdict, scope and reason: a training run checks no inequality, and says which check would. */
static void train_verdict(json_t *r, const fast_trajectory *tr, const fast_train_options *o, int status)
{
    plstar_report_set_verdict(r, "uncertified");
    plstar_report_set_scope(r, REPORT_SCOPE_THESE_LABELS);
    json_object_set_new(r, "outcome", json_string(outcome_name(status)));
    char decide[320];
    if (status == FAST_TRAIN_DIVERGED) {
        char why[96];
        snprintf(why, sizeof why, "not finite at step %zu", tr->diverged_at);
        snprintf(decide, sizeof decide, "a smaller step than --lr %.6g; then plstar certify gd --path proves a run",
                 o->lr);
        plstar_report_set_reason(r, "the loss and its gradient stay finite at every step (double precision)",
                                 plstar_report_absent(why), NULL, decide);
        json_t *dv = json_object();
        json_object_set_new(dv, "step", json_integer((json_int_t)tr->diverged_at));
        json_object_set_new(dv, "reason", json_string("the loss or its gradient is not finite at this step; the run "
                                                      "stopped and w_final.npy holds the last iterate with a finite "
                                                      "loss"));
        json_object_set_new(r, "diverged", dv);
        return;
    }
    if (status == PLSTAR_EINTERRUPTED)
        snprintf(decide, sizeof decide, "resume with --resume (the checkpoint of step %zu), then plstar certify gd "
                 "--path proves a run", tr->steps_done);
    else {
        char lr[32];
        shortest(lr, sizeof lr, o->lr);
        snprintf(decide, sizeof decide, "plstar certify gd --path --lr %s --steps %zu%s proves this run's rate, "
                 "conditioning and path length", lr, o->steps, o->loss == LOSS_MEAN ? " --loss mean" : "");
    }
    plstar_report_set_reason(r, "none: the trajectory's values are double-precision diagnostics without error bounds",
                             NULL, NULL, decide);
}

json_t *plstar_train_report(const fast_trajectory *tr, const plstar_problem *p, const fast_train_options *o,
                            double seconds, int status)
{
    json_t *r = plstar_report_new("train", "docs/theory.md §4, Theorem 6 (GD) / Theorem 7 (mini-batch SGD): the path "
                                    "w_{t+1} = w_t − η∇L(w_t) on the square loss, recorded; the values are "
                                    "double-precision diagnostics, not certificates");
    train_verdict(r, tr, o, status);
    plstar_report_add_problem(r, p); /* the resolved model, the sizes, the input files and the seed */
    json_t *opt = json_object();
    json_object_set_new(opt, "method", json_string(o->batch ? "sgd" : "gd"));
    json_object_set_new(opt, "lr", json_real(o->lr));
    json_object_set_new(opt, "lr_half_sum", json_real(plstar_fast_train_half_sum_lr(o, o->batch ? o->batch : p->n,
                                                                              p->model.outputs)));
    json_object_set_new(opt, "steps", json_integer((json_int_t)o->steps));
    json_object_set_new(opt, "batch", json_integer((json_int_t)o->batch));
    json_object_set_new(opt, "record_every", json_integer((json_int_t)o->record_every));
    json_object_set_new(opt, "batch_seed", json_integer((json_int_t)o->seed));
    json_object_set_new(opt, "checkpoint_every", json_integer((json_int_t)o->checkpoint_every));
    json_object_set_new(opt, "resumed_from", tr->resumed_from >= 0 ? json_integer(tr->resumed_from)
                                                                   : plstar_report_absent("not resumed"));
    json_object_set_new(r, "options", opt);
    json_object_set_new(r, "loss", plstar_loss_report(o->loss, p->N));
    json_t *cols = json_array();
    for (size_t k = 0; k < tr->cols; k++)
        json_array_append_new(cols, json_string(tr->names[k]));
    json_object_set_new(r, "columns", cols);
    json_object_set_new(r, "rows", json_integer((json_int_t)tr->rows));
    json_object_set_new(r, "uncertified", json_string("every column is a plain double-precision value; "
                                                       "lambda_min and kernel_distance come from LAPACK dsyevd "
                                                       "without an error bound"));
    json_t *q = json_object_get(r, "quantities"); /* the last recorded row, as computed */
    for (size_t k = 0; tr->rows && k < tr->cols; k++) {
        double x = tr->data[(tr->rows - 1) * tr->cols + k];
        json_object_set_new(q, tr->names[k], isfinite(x) ? json_real(x) : plstar_report_absent("not finite"));
    }
    json_object_set_new(r, "steps_done", json_integer((json_int_t)tr->steps_done));
    json_object_set_new(r, "interrupted", json_boolean(status == PLSTAR_EINTERRUPTED));
    json_object_set_new(r, "seconds", json_real(seconds));
    return r;
}

/* ---- what `plstar certify gd --path` prints; the check in the registry (proofs-checks/checks.h) ---- */

static const char *verdict_word(int verdict) { return plstar_report_verdict_name(verdict, 0); }

/* The certificate's lines: the run, the conditions at μ, what was measured. */
static void print_run(const gd_path_result *res)
{
    size_t last = res->records ? res->records - 1 : 0;
    if (res->failure == GD_PATH_NO_STEP)
        puts("GD not run: no --lr and lambda_max(K(w0)) = 0, so the default step 1/lambda_max(K(w0)) does not exist");
    else
        printf("GD: %zu steps of lr %.6g%s (train %.2f s), %zu iterates verified in the reference (%.2f s)\n",
               res->steps_run, res->lr, res->loss == LOSS_MEAN ? " on the mean loss" : "", res->seconds_train,
               res->records, res->seconds_verify);
    if (res->loss == LOSS_MEAN && res->lr > 0)
        printf("loss mean: (1/N)|F - y|^2, N = %zu; lr %.6g on (1/2)|F - y|^2; mu and the losses below are the "
               "mean loss's (mu = (2/N) x a lambda_min bound)\n", res->N, res->lr_half_sum);
    if (res->failure == GD_PATH_DIVERGED)
        printf("diverged at step %zu: L(w_%zu) in [%.10g, %.10g] > L(w0) in [%.10g, %.10g]\n", res->fail_step,
               res->fail_step, res->step_loss_lo[res->fail_step], res->step_loss_hi[res->fail_step],
               res->step_loss_lo[0], res->step_loss_hi[0]);
    if (res->failure == GD_PATH_NONFINITE)
        printf("diverged at step %zu: the trainer's loss or gradient is not finite\n", res->fail_step);
    if (res->mu > 0)
        printf("mu = %.6g: rate %s, lambda_min >= mu %s, path length %.6g <= R = %.6g %s\n", res->mu,
               res->rate_ok ? "ok" : "FAILS", res->lambda_ok ? "ok" : "FAILS", res->records ? res->path_hi[last] : 0.0,
               res->radius, res->path_ok ? "ok" : "FAILS");
    if (res->records && res->failure != GD_PATH_NO_STEP)
        printf("loss: L(w0) in [%.10g, %.10g], L(w_%zu) in [%.10g, %.10g] (trainer: %.10g)\n", res->loss_lo[0],
               res->loss_hi[0], res->step[last], res->loss_lo[last], res->loss_hi[last], res->loss_fast[last]);
    double kmax = 0;
    for (size_t k = 0; k < res->records; k++)
        kmax = fmax(kmax, res->kdist_hi[k]);
    printf("measured (not part of the claim): |K(w_t) - K(w0)| <= %.6g at the recorded steps", kmax);
    if (res->rises)
        printf("; the loss rose at %zu step%s, first at step %zu (%.6g -> %.6g)", res->rises, res->rises > 1 ? "s" : "",
               res->first_rise, res->step_loss_hi[res->first_rise - 1], res->step_loss_lo[res->first_rise]);
    putchar('\n');
}

void plstar_gd_path_print(const gd_path_result *res, size_t steps, int verdict)
{
    print_run(res);
    char why[1024];
    plstar_gd_path_reason_text(why, sizeof why, res);
    if (verdict == PLSTAR_EINTERRUPTED)
        printf("certify gd --path: interrupted: verified up to step %zu of %zu; the prefix is %s%s%s\n",
               res->steps_run, steps, verdict_word(res->prefix_verdict), *why ? ": " : "", why);
    else
        printf("certify gd --path: %s%s%s\n", verdict_word(verdict), *why ? ": " : "", why);
}

/* The run asked for: --steps T (default 200), --record-every K (default T/20, at least 1). */
static unsigned long path_steps(const plstar_check_options *o) { return o->steps ? o->steps : 200; }

typedef struct {
    gd_path_options o;
    gd_path_result res;
} path_outcome;

static void path_free(void *result)
{
    path_outcome *r = result;
    plstar_gd_path_result_clear(&r->res);
    free(r);
}

static int path_run(void **result, const plstar_problem *p, const plstar_check_options *o)
{
    path_outcome *r = malloc(sizeof *r);
    if (!r)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    r->o = (gd_path_options){.lr = o->lr, .mu = o->mu, .eps = o->eps, .steps = path_steps(o), .loss = o->loss};
    r->o.record_every = o->record_every ? o->record_every : (r->o.steps >= 20 ? r->o.steps / 20 : 1);
    plstar_gd_path_result_init(&r->res);
    int v = plstar_check_gd_path(&r->res, p, &r->o, o->prec);
    if (v > PLSTAR_INCONCLUSIVE && v != PLSTAR_EINTERRUPTED) { /* interrupted: the verified prefix is reported */
        path_free(r);
        return v;
    }
    *result = r;
    return v;
}

/* Besides K(w0) (plstar_check_estimate_kernel), two loss bounds per step. */
static void path_estimate(plstar_check_estimate *m, const plstar_problem *p, const plstar_check_options *o)
{
    plstar_check_estimate_kernel(m, p, o);
    m->doubles += 2.0 * ((double)path_steps(o) + 1);
    size_t used = strlen(m->what);
    snprintf(m->what + used, sizeof m->what - used, " and the per-step loss bounds");
}

static void path_print(const void *result, const plstar_problem *p, const plstar_check_options *o, int verdict)
{
    const path_outcome *r = result;
    plstar_gd_path_print(&r->res, r->o.steps, verdict);
}

static void path_summarize(const void *result, const plstar_problem *p, const plstar_check_options *o,
                           const char *model, int verdict)
{
    const gd_path_result *res = &((const path_outcome *)result)->res;
    size_t last = res->records - 1;
    printf("Theorem 6 a posteriori (these labels), %s: mu = %.6g, %zu steps of lr %.6g, L %.6g -> %.6g <= "
           "(1 - lr mu)^t L(w0), path length %.4g <= R = %.4g: %s\n", model, res->mu, res->steps_run, res->lr,
           res->loss_hi[0], res->loss_hi[last], res->path_hi[last], res->radius, verdict_word(verdict));
}

static json_t *path_report(const void *result, const plstar_problem *p, const plstar_check_options *o, int verdict)
{
    const path_outcome *r = result;
    return plstar_gd_path_report(&r->res, p, &r->o, verdict);
}

/* --out DIR: the figures of the run, drawn by the program (options.draw_gd_path). */
static int path_figures(const void *result, json_t *report, const plstar_check_options *o, int verdict)
{
    if (!o->out || !o->draw_gd_path)
        return PLSTAR_OK;
    if (mkdir(o->out, 0755) && errno != EEXIST)
        return plstar_error(PLSTAR_ECANTCREAT, "%s: cannot create directory: %s", o->out, strerror(errno));
    return o->draw_gd_path(o->out, &((const path_outcome *)result)->res);
}

static const char gd_help[] =
    "usage: plstar certify gd MODEL --labels Y.npy --apriori [--mu MU] [--lr ETA] [--search-width]\n"
    "                         [--loss sum|mean] [--prec BITS] [--json FILE]\n"
    "       plstar certify gd MODEL --labels Y.npy --path [--steps T] [--lr ETA] [--mu MU] [--eps E]\n"
    "                         [--record-every K] [--loss sum|mean] [--out DIR] [--prec BITS] [--json FILE]\n"
    "Theorem 6 (docs/theory.md, section 4): mu-PL* on B(w0, R), R = 2 L_F |F(w0) - y| / mu, gives\n"
    "L(w_t) <= (1 - ETA mu)^t L(w0) for ETA <= 1/(L_F^2 + beta_F |F(w0) - y|), for the labels given.\n"
    "Exactly one of --apriori and --path is required.\n"
    "  --labels Y.npy       labels (required)\n"
    LOSS_HELP("--lr, --mu (a PL*\n"
              "                       constant of it: s*lambda_min), --eps and the losses, mu and step bounds\n"
              "                       reported are in it; lambda, L_F, R and path lengths do not depend on it.")
    "--apriori: from a-priori constants on the ball (shallow, linear, MLP with C2 activations)\n"
    "  --mu MU              default: the mu that maximises ETA*mu (a grid of 512 values in\n"
    "                       (0, lambda_min(K(w0))), 64 for an MLP)\n"
    "  --lr ETA             default: the largest certified step 1/(L_F^2 + beta_F |F(w0) - y|)\n"
    "  --search-width       also the smallest certified width on the grid 16*sqrt(2)^k up to the\n"
    "                       model's (shallow, --seed; default: off)\n"
    "--path: runs gradient descent, then proves the computed iterates in ball arithmetic\n"
    "  --steps T            T >= 1 steps (default 200)\n"
    "  --lr ETA             default: 1/lambda_max(K(w0))\n"
    "  --mu MU              default: the smallest certified lambda_min(K(w_t)) over the recorded steps,\n"
    "                       halved while the rate fails\n"
    "  --eps E              PL*_eps, Theorem 9: stop once L(w_t) < E is proven (default: no stop, every\n"
    "                       step required)\n"
    "  --record-every K     verify lambda_min(K(w_t)) every K steps (default: T/20, at least 1)\n"
    "  --out DIR            gd_path.dat, gd_path.gp, gd_path.png (default: no plot)\n"
    "Without options --path runs as --steps 200 --lr 1/lambda_max(K(w0)) --record-every max(1, T/20).\n"
    "Progress goes to stderr when it is a terminal. SIGINT or SIGTERM during --path keeps what was\n"
    "proven: the report (--json) of the verified prefix, verdict \"interrupted\", exit 130 or 143.\n"
    PREC_HELP ROUTE_HELP("auto with --apriori, arb with --path") REPORT_HELP MODEL_HELP EXIT_HELP;

const plstar_certify_command plstar_certify_gd = {
    .word = "gd",
    .summary = "Theorem 6 (and 9): gradient descent converges at rate 1 - ETA*mu, a priori (--apriori)\n"
               "or along a computed run (--path)",
    .help = gd_help,
    .scope = "the GD certificates (Theorem 6)",
};

static const char *const path_files[] = {"gd_path.dat", "gd_path.gp", "gd_path.png", NULL};

const plstar_check plstar_check_desc_gd_path = {
    .id = "gd_path",
    .name = "gd --path",
    .command = &plstar_certify_gd,
    .mode = CHECK_OPTION(CHECK_OPT_PATH),
    .mode_brief = "a GD run verified a posteriori",
    .statement = "the computed GD run has L(w_t) <= (1 - ETA mu)^t L(w0), lambda_min(K(w_t)) >= mu and a path "
                 "within R, for the labels given (Theorem 6 a posteriori; Theorem 9 with --eps)",
    .section = "docs/theory.md, section 4",
    .accepts = CHECK_OPTION(CHECK_OPT_PREC) | CHECK_OPTION(CHECK_OPT_JSON) | CHECK_OPTION(CHECK_OPT_MU) |
               CHECK_OPTION(CHECK_OPT_LR) | CHECK_OPTION(CHECK_OPT_STEPS) | CHECK_OPTION(CHECK_OPT_EPS) |
               CHECK_OPTION(CHECK_OPT_PATH) | CHECK_OPTION(CHECK_OPT_RECORD_EVERY) |
               CHECK_OPTION(CHECK_OPT_KERNEL_ROUTE) | CHECK_OPTION(CHECK_OPT_LOSS) | CHECK_OPTION(CHECK_OPT_OUT),
    .requires = CHECK_OPTION(CHECK_OPT_LABELS),
    .requirement = "needs --labels Y.npy (Theorem 6 is about given labels)",
    .out_files = path_files,
    .estimate = path_estimate,
    .run = path_run,
    .print = path_print,
    .summarize = path_summarize,
    .report = path_report,
    .outputs = path_figures,
    .free = path_free,
};

#include "proofs-checks/crosscheck.h"
#include "core/error.h"
#include "core/report.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "fast/ntk.h"
#include "reference/network.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* 1 if the exact double `fast` lies in the ball `ref` widened by `err`. */
static int inside(const arb_t ref, double fast, double err)
{
    arb_t d;
    arb_init(d);
    arb_set_d(d, fast);
    arb_sub(d, ref, d, ARF_PREC_EXACT);
    mag_t e;
    mag_init(e);
    mag_set_d(e, err);
    mag_add(arb_radref(d), arb_radref(d), e);
    int ok = arb_contains_zero(d) && isfinite(fast);
    mag_clear(e);
    arb_clear(d);
    return ok;
}

int crosscheck_compare(crosscheck_quantity *q, const char *name, const double *fast, const double *err,
                       const arb_mat_t ref, size_t count)
{
    memset(q, 0, sizeof *q);
    q->name = name;
    q->count = count;
    q->worst_ratio = -1.0;
    double *mid = malloc((count ? count : 1) * sizeof(double)), *rad = malloc((count ? count : 1) * sizeof(double));
    if (!mid || !rad) {
        free(mid), free(rad);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory in the cross-check");
    }
    ref_mat_to_doubles(mid, rad, ref);
    for (size_t k = 0; k < count; k++) {
        q->violations += !inside(ref->entries + k, fast[k], err[k]);
        double allow = rad[k] + err[k];
        double ratio = fabs(fast[k] - mid[k]) / (allow > 0 ? allow : 0x1p-1074);
        if (!(ratio <= q->worst_ratio)) {
            q->worst_ratio = ratio, q->worst_index = k;
            q->worst_fast = fast[k], q->worst_mid = mid[k], q->worst_rad = rad[k], q->worst_err = err[k];
        }
    }
    free(mid), free(rad);
    return q->violations ? PLSTAR_REFUTED : PLSTAR_OK;
}

/* Fast values and their error bounds for the five quantities. */
typedef struct {
    double *F, *J, *K, *Ks, *grad, loss;
    double *eF, *eJ, *eK, *eKs, *egrad, eloss;
} fast_side;

static void fast_side_clear(fast_side *f)
{
    free(f->F), free(f->J), free(f->K), free(f->Ks), free(f->grad);
    free(f->eF), free(f->eJ), free(f->eK), free(f->eKs), free(f->egrad);
}

static int run_fast(fast_side *f, const plstar_problem *p)
{
    const plstar_model *m = &p->model;
    size_t N = p->N, P = m->nparams;
    const double *y = p->y.size ? p->y.data : NULL;
    memset(f, 0, sizeof *f);
    f->F = calloc(N, sizeof(double)), f->eF = calloc(N, sizeof(double));
    f->J = calloc(N * P, sizeof(double)), f->eJ = calloc(N * P, sizeof(double));
    f->K = calloc(N * N, sizeof(double)), f->eK = calloc(N * N, sizeof(double));
    f->Ks = calloc(N * N, sizeof(double)), f->eKs = calloc(N * N, sizeof(double));
    f->grad = calloc(P, sizeof(double)), f->egrad = calloc(P, sizeof(double));
    if (!f->F || !f->eF || !f->J || !f->eJ || !f->K || !f->eK || !f->Ks || !f->eKs || !f->grad || !f->egrad)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the fast side (%zu x %zu Jacobian)", N, P);
    int st = fast_outputs(f->F, m, p->X.data, p->n, p->w);
    if (!st)
        st = fast_jacobian(f->J, m, p->X.data, p->n, p->w);
    if (!st)
        st = fast_kernel_explicit(f->K, m, p->X.data, p->n, p->w);
    if (!st)
        st = fast_kernel_structured(f->Ks, m, p->X.data, p->n, p->w);
    if (!st && y)
        st = fast_loss_grad(&f->loss, f->grad, m, p->X.data, p->n, p->w, y);
    fast_errors e = {f->eF, f->eJ, f->eK, y ? &f->eloss : NULL, y ? f->egrad : NULL};
    if (!st)
        st = fast_errbound(&e, m, p->X.data, p->n, p->w, y);
    if (!st)
        st = fast_errbound_kernel_structured(f->eKs, m, p->X.data, p->n, p->w);
    return st;
}

int check_crosscheck(crosscheck_result *res, const plstar_problem *p, slong prec)
{
    const plstar_model *m = &p->model;
    size_t N = p->N, P = m->nparams;
    const double *y = p->y.size ? p->y.data : NULL;
    memset(res, 0, sizeof *res);
    fast_side f;
    double t0 = now();
    int st = run_fast(&f, p);
    res->seconds_fast = now() - t0;
    arb_mat_t F, J, K, G, L;
    arb_mat_init(F, N, 1), arb_mat_init(J, N, P), arb_mat_init(K, N, N);
    arb_mat_init(G, P, 1), arb_mat_init(L, 1, 1);
    t0 = now();
    if (!st)
        st = ref_outputs(F, m, p->X.data, p->n, p->w, prec);
    if (!st)
        st = ref_jacobian(J, m, p->X.data, p->n, p->w, prec);
    if (!st)
        st = ref_kernel(K, m, p->X.data, p->n, p->w, prec);
    if (!st && y)
        st = ref_loss_grad(arb_mat_entry(L, 0, 0), G, m, p->X.data, p->n, p->w, y, prec);
    res->seconds_reference = now() - t0;
    int verdict = PLSTAR_OK;
    if (!st) {
        verdict |= crosscheck_compare(&res->q[res->nq++], "outputs", f.F, f.eF, F, N);
        verdict |= crosscheck_compare(&res->q[res->nq++], "jacobian", f.J, f.eJ, J, N * P);
        verdict |= crosscheck_compare(&res->q[res->nq++], "kernel", f.K, f.eK, K, N * N);
        verdict |= crosscheck_compare(&res->q[res->nq++], "kernel_structured", f.Ks, f.eKs, K, N * N);
        if (y) {
            verdict |= crosscheck_compare(&res->q[res->nq++], "loss", &f.loss, &f.eloss, L, 1);
            verdict |= crosscheck_compare(&res->q[res->nq++], "gradient", f.grad, f.egrad, G, P);
        }
    }
    arb_mat_clear(F), arb_mat_clear(J), arb_mat_clear(K), arb_mat_clear(G), arb_mat_clear(L);
    fast_side_clear(&f);
    if (st)
        return st;
    return verdict == PLSTAR_OK ? PLSTAR_OK : PLSTAR_REFUTED;
}

json_t *crosscheck_report(const crosscheck_result *res, const plstar_problem *p, slong prec, int status)
{
    json_t *r = report_new("crosscheck", "DESIGN.md: every fast value lies in the reference enclosure widened by "
                                         "the proven rounding-error bound of the fast path (fast/errbound.h)");
    report_set_verdict(r, report_verdict_name(status, 1));
    report_add_problem(r, p);
    json_object_set_new(json_object_get(r, "inputs"), "prec", json_integer(prec));
    json_t *qs = json_object_get(r, "quantities");
    for (size_t k = 0; k < res->nq; k++) {
        const crosscheck_quantity *q = &res->q[k];
        json_t *o = json_object();
        json_object_set_new(o, "entries", json_integer((json_int_t)q->count));
        json_object_set_new(o, "violations", json_integer((json_int_t)q->violations));
        json_object_set_new(o, "worst_ratio", json_real(q->worst_ratio));
        json_object_set_new(o, "worst_index", json_integer((json_int_t)q->worst_index));
        json_object_set_new(o, "worst_fast", json_real(q->worst_fast));
        json_object_set_new(o, "worst_reference_mid", json_real(q->worst_mid));
        json_object_set_new(o, "worst_reference_rad", json_real(q->worst_rad));
        json_object_set_new(o, "worst_error_bound", json_real(q->worst_err));
        json_object_set_new(qs, q->name, o);
    }
    json_t *t = json_object();
    json_object_set_new(t, "fast", json_real(res->seconds_fast));
    json_object_set_new(t, "reference", json_real(res->seconds_reference));
    json_object_set_new(r, "seconds", t);
    return r;
}

#include "proofs-checks/crosscheck.h"
#include "core/error.h"
#include "core/report.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "fast/ntk.h"
#include "reference/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* 1 if the exact double `fast` lies in the ball `ref` widened by `err` (finite, ≥ 0). */
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
    int ok = arb_contains_zero(d);
    mag_clear(e);
    arb_clear(d);
    return ok;
}

/* How one entry is judged; a larger verdict is worse. */
enum { ENTRY_PASS, ENTRY_UNBOUNDED, ENTRY_VIOLATION };
typedef struct {
    int verdict;
    double ratio;       /* +∞ when it cannot be formed, NaN for an unbounded entry */
    const char *reason; /* why the ratio is not a finite number */
} entry_judgement;

static entry_judgement judge(const arb_t ref, double fast, double mid, double rad, double err)
{
    if (isnan(fast))
        return (entry_judgement){ENTRY_VIOLATION, INFINITY, "the fast value is NaN"};
    if (isinf(fast))
        return (entry_judgement){ENTRY_VIOLATION, INFINITY, "the fast value is infinite, the true value is finite"};
    if (!(err >= 0))
        return (entry_judgement){ENTRY_VIOLATION, INFINITY, "the error bound is NaN (or negative): no bound"};
    if (err == INFINITY)
        return (entry_judgement){ENTRY_UNBOUNDED, NAN, "the error bound is infinite: nothing is proven"};
    if (!arb_is_finite(ref))
        return (entry_judgement){ENTRY_UNBOUNDED, NAN, "the reference enclosure is not finite"};
    double allow = rad + err, ratio = fabs(fast - mid) / (allow > 0 ? allow : 0x1p-1074);
    if (inside(ref, fast, err))
        return (entry_judgement){ENTRY_PASS, ratio, NULL};
    if (!isfinite(ratio))
        return (entry_judgement){ENTRY_VIOLATION, INFINITY, "the reference lies beyond the double range"};
    return (entry_judgement){ENTRY_VIOLATION, ratio, NULL};
}

/* 1 if a is worse than b: a violation (one with a ratio +∞ first), an unbounded entry, a pass; then the
 * larger ratio. */
static int judgement_worse(const entry_judgement *a, const entry_judgement *b)
{
    if (a->verdict != b->verdict)
        return a->verdict > b->verdict;
    return a->verdict != ENTRY_UNBOUNDED && a->ratio > b->ratio;
}

int plstar_crosscheck_compare(crosscheck_quantity *q, const char *name, const double *fast, const double *err,
                              const arb_mat_t ref, size_t count)
{
    memset(q, 0, sizeof *q);
    q->name = name;
    q->count = count;
    double *mid = malloc((count ? count : 1) * sizeof(double)), *rad = malloc((count ? count : 1) * sizeof(double));
    if (!mid || !rad) {
        free(mid), free(rad);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory in the cross-check");
    }
    plstar_ref_mat_to_doubles(mid, rad, ref);
    entry_judgement worst = {ENTRY_PASS, -1.0, NULL};
    for (size_t k = 0; k < count; k++) {
        entry_judgement j = judge(ref->entries + k, fast[k], mid[k], rad[k], err[k]);
        q->violations += j.verdict == ENTRY_VIOLATION;
        q->unbounded += j.verdict == ENTRY_UNBOUNDED;
        if (k == 0 || judgement_worse(&j, &worst)) {
            worst = j, q->worst_index = k;
            q->worst_fast = fast[k], q->worst_mid = mid[k], q->worst_rad = rad[k], q->worst_err = err[k];
        }
    }
    free(mid), free(rad);
    if (count && !(isfinite(q->worst_mid) && isfinite(q->worst_rad))) {
        char *text = arb_get_str(ref->entries + q->worst_index, 10, ARB_STR_MORE);
        snprintf(q->worst_reference, sizeof q->worst_reference, "%s", text);
        flint_free(text);
    }
    q->worst_ratio = count ? worst.ratio : 0.0;
    q->worst_reason = count ? worst.reason : NULL;
    q->worst_violates = count && worst.verdict == ENTRY_VIOLATION;
    q->status = q->violations ? PLSTAR_REFUTED : q->unbounded ? PLSTAR_INCONCLUSIVE : PLSTAR_OK;
    return q->status;
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
    int st = plstar_fast_outputs(f->F, m, p->X.data, p->n, p->w);
    if (!st)
        st = plstar_fast_jacobian(f->J, m, p->X.data, p->n, p->w);
    if (!st)
        st = plstar_fast_kernel_explicit(f->K, m, p->X.data, p->n, p->w);
    if (!st)
        st = plstar_fast_kernel_structured(f->Ks, m, p->X.data, p->n, p->w);
    if (!st && y)
        st = plstar_fast_loss_grad(&f->loss, f->grad, m, p->X.data, p->n, p->w, y);
    fast_errors e = {f->eF, f->eJ, f->eK, y ? &f->eloss : NULL, y ? f->egrad : NULL};
    if (!st)
        st = plstar_fast_errbound(&e, m, p->X.data, p->n, p->w, y);
    if (!st)
        st = plstar_fast_errbound_kernel_structured(f->eKs, m, p->X.data, p->n, p->w);
    return st;
}

int plstar_check_crosscheck(crosscheck_result *res, const plstar_problem *p, slong prec)
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
        st = plstar_ref_outputs(F, m, p->X.data, p->n, p->w, prec);
    if (!st)
        st = plstar_ref_jacobian(J, m, p->X.data, p->n, p->w, prec);
    if (!st)
        st = plstar_ref_kernel(K, m, p->X.data, p->n, p->w, prec);
    if (!st && y)
        st = plstar_ref_loss_grad(arb_mat_entry(L, 0, 0), G, m, p->X.data, p->n, p->w, y, prec);
    res->seconds_reference = now() - t0;
    if (!st) {
        plstar_crosscheck_compare(&res->q[res->nq++], "outputs", f.F, f.eF, F, N);
        plstar_crosscheck_compare(&res->q[res->nq++], "jacobian", f.J, f.eJ, J, N * P);
        plstar_crosscheck_compare(&res->q[res->nq++], "kernel", f.K, f.eK, K, N * N);
        plstar_crosscheck_compare(&res->q[res->nq++], "kernel_structured", f.Ks, f.eKs, K, N * N);
        if (y) {
            plstar_crosscheck_compare(&res->q[res->nq++], "loss", &f.loss, &f.eloss, L, 1);
            plstar_crosscheck_compare(&res->q[res->nq++], "gradient", f.grad, f.egrad, G, P);
        }
    }
    arb_mat_clear(F), arb_mat_clear(J), arb_mat_clear(K), arb_mat_clear(G), arb_mat_clear(L);
    fast_side_clear(&f);
    if (st)
        return st;
    int any_fail = 0, any_unbounded = 0;
    for (size_t k = 0; k < res->nq; k++) {
        any_fail |= res->q[k].status == PLSTAR_REFUTED;
        any_unbounded |= res->q[k].status == PLSTAR_INCONCLUSIVE;
    }
    return any_fail ? PLSTAR_REFUTED : any_unbounded ? PLSTAR_INCONCLUSIVE : PLSTAR_OK;
}

static json_t *real_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }

/* The first quantity with the given status (the one the reason is about). */
static const crosscheck_quantity *first_with(const crosscheck_result *res, int status)
{
    for (size_t k = 0; k < res->nq; k++)
        if (res->q[k].status == status)
            return &res->q[k];
    return NULL;
}

/* report["reason"] of a failing or undecided cross-check: the inequality at the
 * worst entry, in units of its allowance (ratio ≤ 1 passes), and what to do. */
static void crosscheck_reason(json_t *r, const crosscheck_result *res, int status)
{
    const crosscheck_quantity *q = first_with(res, status);
    if (!q)
        return;
    char ineq[256], decide[512];
    snprintf(ineq, sizeof ineq, "|fast - mid| <= rad + err at every entry of %s (the worst, entry %zu, in units of "
             "rad + err: <= 1)", q->name, q->worst_index);
    json_t *lhs = isfinite(q->worst_ratio) ? json_real(q->worst_ratio)
                                           : plstar_report_absent(q->worst_reason ? q->worst_reason : "not a finite number");
    if (status == PLSTAR_REFUTED)
        snprintf(decide, sizeof decide, "nothing: the fast %s is outside its proven allowance at entry %zu (%zu "
                 "violations), a bug in the fast path or in its error bound (fast/errbound.h)", q->name,
                 q->worst_index, q->violations);
    else
        snprintf(decide, sizeof decide, "finite error bounds: %zu entries of %s have an unbounded allowance (values "
                 "beyond the double range); smaller inputs or weights", q->unbounded, q->name);
    plstar_report_set_reason(r, ineq, lhs, json_real(1.0), decide);
}

json_t *plstar_crosscheck_report(const crosscheck_result *res, const plstar_problem *p, slong prec, int status)
{
    json_t *r = plstar_report_new("crosscheck", "docs/theory.md §8, cross-check: every fast value lies in the reference "
                                         "enclosure widened by the proven rounding-error bound of the fast path "
                                         "(fast/errbound.h)");
    plstar_report_set_verdict(r, plstar_report_verdict_name(status, 1));
    plstar_report_set_scope(r, REPORT_SCOPE_IMPLEMENTATION);
    if (status != PLSTAR_OK)
        crosscheck_reason(r, res, status);
    plstar_report_add_problem(r, p);
    plstar_report_set_precision(r, (long)prec);
    json_object_set_new(json_object_get(r, "inputs"), "prec", json_integer(prec));
    json_t *qs = json_object_get(r, "quantities");
    for (size_t k = 0; k < res->nq; k++) {
        const crosscheck_quantity *q = &res->q[k];
        json_t *o = json_object();
        json_object_set_new(o, "verdict", json_string(plstar_report_verdict_name(q->status, 1)));
        json_object_set_new(o, "entries", json_integer((json_int_t)q->count));
        json_object_set_new(o, "violations", json_integer((json_int_t)q->violations));
        json_object_set_new(o, "unbounded", json_integer((json_int_t)q->unbounded));
        /* a non-finite number is null, and the reason says what it was */
        json_object_set_new(o, "worst_ratio", real_or_null(q->worst_ratio));
        if (q->worst_reason)
            json_object_set_new(o, "worst_reason", json_string(q->worst_reason));
        json_object_set_new(o, "worst_is_violation", json_boolean(q->worst_violates));
        json_object_set_new(o, "worst_index", json_integer((json_int_t)q->worst_index));
        json_object_set_new(o, "worst_fast", real_or_null(q->worst_fast));
        json_object_set_new(o, "worst_reference_mid", real_or_null(q->worst_mid));
        json_object_set_new(o, "worst_reference_rad", real_or_null(q->worst_rad));
        json_object_set_new(o, "worst_error_bound", real_or_null(q->worst_err));
        if (q->worst_reference[0])
            json_object_set_new(o, "worst_reference", json_string(q->worst_reference));
        json_object_set_new(qs, q->name, o);
    }
    json_t *t = json_object();
    json_object_set_new(t, "fast", json_real(res->seconds_fast));
    json_object_set_new(t, "reference", json_real(res->seconds_reference));
    json_object_set_new(r, "seconds", t);
    return r;
}

void plstar_crosscheck_print(const crosscheck_result *res, int status, const char *label)
{
    printf("%-17s %10s %10s %10s %12s  %s\n", "quantity", "entries", "violations", "unbounded", "worst ratio",
           "worst entry (fast | reference mid ± rad | error bound)");
    for (size_t k = 0; k < res->nq; k++) {
        const crosscheck_quantity *q = &res->q[k];
        char ratio[32], f[32], m[32], r[32], e[32];
        if (isfinite(q->worst_ratio))
            snprintf(ratio, sizeof ratio, "%.3e", q->worst_ratio);
        else
            snprintf(ratio, sizeof ratio, "%s", q->worst_violates ? "non-finite" : "unbounded");
        char ref[96];
        if (q->worst_reference[0])
            snprintf(ref, sizeof ref, "%s", q->worst_reference);
        else
            snprintf(ref, sizeof ref, "%s ± %s", plstar_report_format_number(m, sizeof m, 17, q->worst_mid),
                     plstar_report_format_number(r, sizeof r, 3, q->worst_rad));
        printf("%-17s %10zu %10zu %10zu %12s  [%zu] %s | %s | %s", q->name, q->count, q->violations, q->unbounded,
               ratio, q->worst_index, plstar_report_format_number(f, sizeof f, 17, q->worst_fast), ref,
               plstar_report_format_number(e, sizeof e, 3, q->worst_err));
        if (q->worst_reason)
            printf(" (%s)", q->worst_reason);
        putchar('\n');
    }
    printf("%s: %s (fast %.3f s, reference %.3f s)\n", label,
           status == PLSTAR_OK ? "pass" : status == PLSTAR_REFUTED ? "FAIL" : "inconclusive (an entry is unbounded, see its reason)",
           res->seconds_fast, res->seconds_reference);
}

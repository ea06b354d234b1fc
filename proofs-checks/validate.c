/*
 * proofs-checks/validate.c — plstar_check_validate: their values against the reference enclosures under
 * the claimed format's tolerances (the kinks of ReLU-type units, the traced kernel, λ_min, the loss
 * trajectory), entry by entry, and the report.
 */
#include "proofs-checks/validate_impl.h"
#include "core/error.h"
#include "core/report.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "reference/eig.h"
#include "reference/layer_pass.h"
#include "reference/network.h"
#include "verified/rounding.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define U64 0x1p-53

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- comparison -------------------------------------------------------- */

static void q_init(validate_quantity *q, const char *name, size_t rows, size_t cols, slong prec)
{
    memset(q, 0, sizeof *q);
    q->name = name;
    q->rows = rows;
    q->cols = cols;
    q->prec = prec;
    q->worst_ratio = -1.0;
}

/* 1 if |theirs − x| ≤ tol for some x in the ball `ref`, decided exactly. A tolerance that is not a
 * finite number (an overflowing bound) excludes nothing: 1 (the entry is then unresolved). */
static int inside(const arb_t ref, double theirs, double tol)
{
    if (!isfinite(theirs))
        return 0;
    if (!(tol >= 0) || !isfinite(tol))
        return 1;
    arb_t d;
    mag_t e;
    arb_init(d);
    mag_init(e);
    arb_set_d(d, theirs);
    arb_sub(d, ref, d, ARF_PREC_EXACT);
    mag_set_d(e, tol);
    mag_add(arb_radref(d), arb_radref(d), e);
    int ok = arb_contains_zero(d);
    mag_clear(e);
    arb_clear(d);
    return ok;
}

/* The same for an enclosure given as mid ± rad (doubles, rad already an upper bound). */
static int inside_d(double mid, double rad, double theirs, double tol)
{
    arb_t r;
    arb_init(r);
    arb_set_d(r, mid);
    mag_set_d(arb_radref(r), rad);
    int ok = isfinite(rad) && isfinite(mid) && inside(r, theirs, tol);
    arb_clear(r);
    return ok;
}

/* |theirs − mid| / (rad + tol); +∞ when it cannot be formed (a non-finite value, enclosure or
 * tolerance), so that such an entry never looks better than a finite one. */
static double entry_ratio(double theirs, double mid, double rad, double tol)
{
    double allow = rad + tol, diff = fabs(theirs - mid);
    double ratio = allow > 0 ? diff / allow : (diff == 0 ? 0.0 : INFINITY);
    return isfinite(theirs) && !isnan(ratio) ? ratio : INFINITY;
}

/* 1 if entry a is worse than entry b: a violation before an unresolved entry before a pass, then
 * the larger ratio — a passing entry is never reported above a failing one. */
static int entry_worse(const validate_entry *a, const validate_entry *b)
{
    return a->verdict != b->verdict ? a->verdict > b->verdict : a->ratio > b->ratio;
}

/* Records one entry: `out` when it is proven outside, `judgeable` when the enclosure is narrow enough
 * (rad ≤ tol) and the tolerance model applies; `one_sided` when mid ± rad is the value of one
 * assignment of one-sided derivatives at kinks (the nearest). */
static void q_entry(validate_quantity *q, size_t index, double theirs, double mid, double rad, double tol, int out,
                    int judgeable, int one_sided)
{
    int unresolved = !out && (!judgeable || !(rad <= tol) || !isfinite(tol));
    q->count++;
    q->violations += out != 0;
    q->unresolved += unresolved;
    validate_entry e = {index, theirs, mid, rad, tol, entry_ratio(theirs, mid, rad, tol),
                        out ? VALIDATE_ENTRY_FAIL : unresolved ? VALIDATE_ENTRY_UNRESOLVED : VALIDATE_ENTRY_PASS,
                        one_sided};
    size_t k = q->nworst < VALIDATE_NWORST ? q->nworst++ : VALIDATE_NWORST;
    if (k == VALIDATE_NWORST && !entry_worse(&e, &q->worst[VALIDATE_NWORST - 1]))
        return;
    if (k == VALIDATE_NWORST)
        k--;
    while (k > 0 && entry_worse(&e, &q->worst[k - 1])) {
        q->worst[k] = q->worst[k - 1];
        k--;
    }
    q->worst[k] = e;
}

static void q_finish(validate_quantity *q)
{
    q->status = q->violations ? PLSTAR_REFUTED : q->unresolved ? PLSTAR_INCONCLUSIVE : PLSTAR_OK;
    q->worst_ratio = q->nworst ? q->worst[0].ratio : 0.0;
}

/* The ordinary tolerances of the whole problem (slack included): J (N × P), K (N × N), T (n × n). */
typedef struct {
    const double *J, *K, *T;
} tol_set;

/* ---- kinks of ReLU-type activations ------------------------------------- */

/*
 * Where a ReLU-type unit's exact pre-activation z lies within e_z of the kink — e_z the claimed
 * format's bound on the rounding error of the pre-activation (fast/errbound.h; under float32 it
 * includes the rounding of X and w) — their computed ẑ may fall on either side, and their σ′ there
 * is either one-sided derivative (at z = 0 exactly either convention is legitimate). Everywhere
 * else σ′ is that of the exact z's side. So an entry of J or K that depends on such units is
 * compared with every assignment of one-sided derivatives to them: it passes when it lies within
 * the ordinary tolerance of one of those values (each assignment with its own rounding bound,
 * plstar_fast_errbound_sided), and fails when it lies outside all of them. The derivative's jump never
 * enters a tolerance. J's rows of a sample depend only on its own units, K's entries only on those
 * of their two samples: assignments are enumerated per sample and per pair of samples. λ_min
 * depends on all of them and is compared with the kernel of every global assignment. A sample with
 * more units than VALIDATE_MAX_KINKS is compared with the hull of all its one-sided values (σ′ the
 * interval between them, in Arb): outside the hull widened by the bound that allows the jump there,
 * an entry fails; it passes only where the values agree (the hull is narrower than the ordinary
 * tolerance) and it lies within that tolerance of them; otherwise it is unresolved.
 */

/* The units of one sample within rounding of a kink. */
typedef struct {
    size_t count; /* beyond VALIDATE_MAX_KINKS they are not enumerated: the hull instead */
    size_t *layer, *unit;
} sample_kinks;

static int has_kink(plstar_act a) { return plstar_act_has_kink(a); }

/* σ′ on the right (z > 0) or on the left (z < 0) of the kink. */
static double one_sided(plstar_act a, int right)
{
    return right ? 1.0 : a == ACT_LEAKY_RELU ? PLSTAR_LEAKY_SLOPE : 0.0;
}

static int enumerable(const sample_kinks *k) { return k->count <= VALIDATE_MAX_KINKS; }

/* Assignments of one-sided derivatives to an enumerable sample's units (1 without kinks). */
static size_t assignments(const sample_kinks *k) { return (size_t)1 << k->count; }

/* The best candidate so far for one entry: a judged pass beats an unresolved match beats a
 * violation; then the smaller ratio. */
enum { MATCH_NONE = -1, MATCH_OUT = 0, MATCH_UNRESOLVED = 1, MATCH_PASS = 2 };
typedef struct {
    double mid, rad, tol, ratio;
    int grade;
} kink_match;

/* Offers one candidate value mid ± rad with tolerance tol (`in`: theirs is within it); 1 if taken. */
static int match_offer(kink_match *mt, double theirs, double mid, double rad, double tol, int in)
{
    int grade = !in ? MATCH_OUT : (rad <= tol && isfinite(tol)) ? MATCH_PASS : MATCH_UNRESOLVED;
    double ratio = entry_ratio(theirs, mid, rad, tol);
    if (mt->grade != MATCH_NONE && (grade < mt->grade || (grade == mt->grade && !(ratio < mt->ratio))))
        return 0;
    *mt = (kink_match){mid, rad, tol, ratio, grade};
    return 1;
}

typedef struct {
    size_t n, c, N, P;
    sample_kinks *sample;   /* n */
    size_t kinked, units;   /* samples with a unit within rounding of a kink, and those units */
    size_t first_beyond;    /* a sample with too many to enumerate (n when none) */
    kink_match **J, **K, **T; /* per row (NULL: no kink involved) the best candidate of each entry
                               * (T: of the traced kernel, n × n) */
    double u, eta;          /* the claimed format's, for the traced kernel's tolerance */
    /* for λ_min, the kernel blocks (c × c) of every assignment: block (i, j) of samples i, j holds
     * combination side_i · assignments(j) + side_j (side_i alone when i = j); NULL where neither
     * sample has a kink */
    arb_ptr *ball;
    double **tol;
    size_t global;          /* global assignments (0: too many, or a sample not enumerable) */
    size_t *radix;          /* n: sample i's side in global assignment g is (g / radix[i]) mod its count */
    /* for λ_min when the global assignments are not enumerated: the hull kernel's entries that involve
     * a sample with kinks (hull_set), with the tolerances that allow the jump there */
    arb_mat_t hullK;
    double *hull_tol;
    unsigned char *hull_set;
} kink_set;

static size_t pair_combos(const kink_set *ks, size_t i, size_t j)
{
    size_t a = assignments(&ks->sample[i]);
    return i == j ? a : a * assignments(&ks->sample[j]);
}

static void kinks_clear(kink_set *ks)
{
    size_t n = ks->n;
    for (size_t r = 0; ks->J && r < ks->N; r++)
        free(ks->J[r]);
    if (ks->K)
        free(ks->K[0]);
    if (ks->T)
        free(ks->T[0]);
    for (size_t i = 0; ks->ball && i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (ks->ball[i * n + j]) {
                _arb_vec_clear(ks->ball[i * n + j], (slong)(pair_combos(ks, i, j) * ks->c * ks->c));
                free(ks->tol[i * n + j]);
            }
    for (size_t i = 0; ks->sample && i < n; i++)
        free(ks->sample[i].layer), free(ks->sample[i].unit);
    if (ks->hull_set)
        arb_mat_clear(ks->hullK);
    free(ks->hull_tol), free(ks->hull_set);
    free(ks->ball), free(ks->tol), free(ks->radix);
    free(ks->J), free(ks->K), free(ks->T), free(ks->sample);
    memset(ks, 0, sizeof *ks);
}

static int kink_add(sample_kinks *k, size_t layer, size_t unit)
{
    size_t *l = realloc(k->layer, (k->count + 1) * sizeof *l);
    if (l)
        k->layer = l;
    size_t *u = l ? realloc(k->unit, (k->count + 1) * sizeof *u) : NULL;
    if (!u)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the kinks");
    k->unit = u;
    k->layer[k->count] = layer, k->unit[k->count] = unit;
    k->count++;
    return PLSTAR_OK;
}

/* Finds every sample's units within rounding of a kink: the reference pre-activation widened by the
 * bound eZ (plstar_fast_errbound_sided's layout) contains 0. */
static int kinks_find(kink_set *ks, const plstar_problem *p, const double *eZ, slong prec)
{
    const plstar_model *m = &p->model;
    size_t n = p->n;
    memset(ks, 0, sizeof *ks);
    ks->n = n, ks->c = m->outputs, ks->N = p->N, ks->P = m->nparams, ks->first_beyond = n;
    ks->sample = calloc(n ? n : 1, sizeof *ks->sample);
    if (!ks->sample)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the kinks");
    int any = 0;
    for (size_t l = 0; l < m->nlayers; l++)
        any |= has_kink(m->layers[l].act);
    if (!any)
        return PLSTAR_OK;
    ref_forward_state s;
    plstar_ref_forward_init(&s);
    int st = plstar_ref_forward(&s, m, p->X.data, n, p->w, prec);
    arb_t z;
    mag_t e;
    arb_init(z);
    mag_init(e);
    for (size_t l = 0, at = 0; !st && l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        for (size_t i = 0; !st && has_kink(L->act) && i < n; i++)
            for (size_t a = 0; a < L->out; a++) {
                double ez = eZ[at + i * L->out + a];
                arb_set(z, arb_mat_entry(s.z + l, i, a));
                if (ez < INFINITY) {
                    mag_set_d(e, ez);
                    arb_add_error_mag(z, e);
                }
                if ((!(ez < INFINITY) || arb_contains_zero(z)) && (st = kink_add(&ks->sample[i], l, a)))
                    break;
            }
        at += n * L->out;
    }
    for (size_t i = 0; i < n; i++) {
        ks->kinked += ks->sample[i].count > 0;
        ks->units += ks->sample[i].count;
        if (!enumerable(&ks->sample[i]) && ks->first_beyond == n)
            ks->first_beyond = i;
    }
    arb_clear(z);
    mag_clear(e);
    plstar_ref_forward_clear(&s);
    return st;
}

static kink_match *match_rows(size_t count)
{
    kink_match *r = malloc((count ? count : 1) * sizeof *r);
    for (size_t k = 0; r && k < count; k++)
        r[k].grade = MATCH_NONE;
    return r;
}

/* The tables of best candidates (J's rows of the samples with kinks, all of K when one has), and the
 * kernel blocks for λ_min when the global assignments are few enough to enumerate. */
static int kinks_prepare(kink_set *ks, int want_J, int want_K, int want_T, int want_lambda)
{
    size_t n = ks->n, c = ks->c, N = ks->N, P = ks->P, bytes;
    const char *oom = "out of memory for the comparison near kinks";
    if (want_J && !(ks->J = calloc(N, sizeof *ks->J)))
        return plstar_error(PLSTAR_ESOFTWARE, "%s", oom);
    for (size_t r = 0; want_J && r < N; r++)
        if (ks->sample[r / c].count && !(ks->J[r] = match_rows(P)))
            return plstar_error(PLSTAR_ESOFTWARE, "%s", oom);
    if (want_K) {
        if (!plstar_size_mul(&bytes, N, N, sizeof(kink_match)) || !(ks->K = calloc(N, sizeof *ks->K)) ||
            !(ks->K[0] = match_rows(N * N)))
            return plstar_error(PLSTAR_ESOFTWARE, "%s", oom);
        for (size_t r = 1; r < N; r++)
            ks->K[r] = ks->K[0] + r * N;
    }
    if (want_T) {
        if (!(ks->T = calloc(n, sizeof *ks->T)) || !(ks->T[0] = match_rows(n * n)))
            return plstar_error(PLSTAR_ESOFTWARE, "%s", oom);
        for (size_t r = 1; r < n; r++)
            ks->T[r] = ks->T[0] + r * n;
    }
    if (!want_lambda)
        return PLSTAR_OK;
    size_t G = ks->first_beyond < n ? 0 : 1;
    if (G && !(ks->radix = malloc(n * sizeof *ks->radix)))
        return plstar_error(PLSTAR_ESOFTWARE, "%s", oom);
    for (size_t i = 0; i < n && G; i++) {
        ks->radix[i] = G;
        size_t a = assignments(&ks->sample[i]);
        G = G <= VALIDATE_MAX_KINK_ASSIGNMENTS / a ? G * a : 0;
    }
    ks->global = G;
    if (!G) { /* the hull kernel instead */
        ks->hull_tol = malloc(N * N * sizeof(double));
        if (!ks->hull_tol || !(ks->hull_set = calloc(N * N, 1)))
            return plstar_error(PLSTAR_ESOFTWARE, "%s", oom);
        arb_mat_init(ks->hullK, (slong)N, (slong)N);
        return PLSTAR_OK;
    }
    if (!(ks->ball = calloc(n * n, sizeof *ks->ball)) || !(ks->tol = calloc(n * n, sizeof *ks->tol)))
        return plstar_error(PLSTAR_ESOFTWARE, "%s", oom);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (!ks->sample[i].count && !ks->sample[j].count)
                continue;
            size_t len = pair_combos(ks, i, j) * c * c;
            ks->ball[i * n + j] = _arb_vec_init((slong)len);
            if (!(ks->tol[i * n + j] = malloc(len * sizeof(double))))
                return plstar_error(PLSTAR_ESOFTWARE, "%s", oom);
        }
    return PLSTAR_OK;
}

/* One assignment of one-sided derivatives to the kink units of one or two samples — or the hull of
 * them all — : their exact J (rows = ns·c, × P) and K = J Jᵀ in Arb, with the tolerances of that
 * computation (for the hull: with the jump allowed at those units). */
typedef struct {
    size_t ns, rows, nlayers;
    arb_mat_t J, K;
    double *tolJ, *tolK, *midJ, *radJ, *midK, *radK; /* scratch */
    double *X, **sigma1;
} kink_eval;

static void kink_eval_clear(kink_eval *e)
{
    arb_mat_clear(e->J);
    arb_mat_clear(e->K);
    free(e->tolJ), free(e->tolK), free(e->midJ), free(e->radJ), free(e->midK), free(e->radK), free(e->X);
    for (size_t l = 0; e->sigma1 && l < e->nlayers; l++)
        free(e->sigma1[l]);
    free(e->sigma1);
}

static int kink_eval_init(kink_eval *e, const plstar_model *m, size_t ns)
{
    size_t rows = ns * m->outputs, P = m->nparams, nj = rows * P, nk = rows * rows;
    memset(e, 0, sizeof *e);
    e->ns = ns, e->rows = rows, e->nlayers = m->nlayers;
    arb_mat_init(e->J, (slong)rows, (slong)P);
    arb_mat_init(e->K, (slong)rows, (slong)rows);
    e->tolJ = malloc(nj * sizeof(double)), e->midJ = malloc(nj * sizeof(double));
    e->radJ = malloc(nj * sizeof(double)), e->tolK = malloc(nk * sizeof(double));
    e->midK = malloc(nk * sizeof(double)), e->radK = malloc(nk * sizeof(double));
    e->X = malloc(ns * m->input_dim * sizeof(double) + 1);
    e->sigma1 = calloc(m->nlayers, sizeof *e->sigma1);
    int ok = e->tolJ && e->midJ && e->radJ && e->tolK && e->midK && e->radK && e->X && e->sigma1;
    for (size_t l = 0; ok && l < m->nlayers; l++)
        if (has_kink(m->layers[l].act))
            ok = (e->sigma1[l] = malloc(ns * m->layers[l].out * sizeof(double))) != NULL;
    if (ok)
        return PLSTAR_OK;
    kink_eval_clear(e);
    return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the comparison near kinks");
}

/* J (n·c × P) from a forward state whose σ′ the caller may have fixed: the assembly of plstar_ref_jacobian. */
static int state_jacobian(arb_mat_t J, const ref_forward_state *s, const plstar_model *m, const double *X,
                          const double *w, slong prec)
{
    size_t n = s->n, c = m->outputs, d = m->input_dim;
    arb_mat_struct *D = calloc(m->nlayers, sizeof *D);
    if (!D)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the reference signals");
    arb_mat_t E, x;
    arb_mat_init(E, (slong)(n * c), (slong)c);
    arb_mat_init(x, (slong)n, (slong)d);
    for (size_t r = 0; r < n * c; r++)
        arb_one(arb_mat_entry(E, r, r % c));
    for (size_t k = 0; k < n * d; k++)
        arb_set_d(x->entries + k, X[k]);
    int st = plstar_ref_backward(D, s, m, w, E, c, prec);
    for (size_t l = 0; !st && l < m->nlayers; l++)
        if (m->layers[l].trainable)
            ref_layer_jacobian(J, &m->layers[l], D + l, l ? s->a + l - 1 : x, c, prec);
    for (size_t l = 0; !st && l < m->nlayers; l++)
        arb_mat_clear(D + l);
    free(D);
    arb_mat_clear(E), arb_mat_clear(x);
    return st;
}

/* Evaluates samples idx[0..ns) with bit b of side[t] choosing the right derivative for unit b of
 * sample idx[t] (the left one otherwise); with `hull`, σ′ anywhere between them at every such unit. */
static int kink_eval_run(kink_eval *e, const plstar_problem *p, const kink_set *ks, const size_t *idx,
                         const size_t *side, int hull, const fast_arith *ar, slong prec)
{
    const plstar_model *m = &p->model;
    size_t d = m->input_dim, ns = e->ns, P = m->nparams;
    for (size_t t = 0; t < ns; t++)
        memcpy(e->X + t * d, p->X.data + idx[t] * d, d * sizeof(double));
    ref_forward_state s;
    plstar_ref_forward_init(&s);
    int st = plstar_ref_forward(&s, m, e->X, ns, p->w, prec);
    for (size_t l = 0; l < m->nlayers; l++)
        for (size_t k = 0; e->sigma1[l] && k < ns * m->layers[l].out; k++)
            e->sigma1[l][k] = NAN;
    arb_t left, right;
    arb_init(left), arb_init(right);
    for (size_t t = 0; !st && t < ns; t++) {
        const sample_kinks *k = &ks->sample[idx[t]];
        for (size_t b = 0; b < k->count; b++) {
            size_t l = k->layer[b], a = k->unit[b];
            arb_ptr s1 = arb_mat_entry(s.s1 + l, t, a);
            if (hull) {
                arb_set_d(left, one_sided(m->layers[l].act, 0));
                arb_set_d(right, one_sided(m->layers[l].act, 1));
                arb_union(s1, left, right, prec);
                e->sigma1[l][t * m->layers[l].out + a] = FAST_SIGMA1_EITHER;
            } else {
                double v = one_sided(m->layers[l].act, (int)((side[t] >> b) & 1));
                e->sigma1[l][t * m->layers[l].out + a] = v;
                arb_set_d(s1, v);
            }
        }
    }
    arb_clear(left), arb_clear(right);
    if (!st)
        st = state_jacobian(e->J, &s, m, e->X, p->w, prec);
    plstar_ref_forward_clear(&s);
    if (!st) {
        arb_mat_t Jt;
        arb_mat_init(Jt, (slong)P, (slong)e->rows);
        arb_mat_transpose(Jt, e->J);
        arb_mat_mul(e->K, e->J, Jt, prec);
        arb_mat_clear(Jt);
        fast_errors fe = {.J = e->tolJ, .K = e->tolK};
        st = plstar_fast_errbound_sided(&fe, NULL, m, e->X, ns, p->w, NULL, ar, (const double *const *)e->sigma1);
    }
    if (st)
        return st;
    for (size_t k = 0; k < e->rows * P; k++)
        e->tolJ[k] *= VALIDATE_SLACK;
    for (size_t k = 0; k < e->rows * e->rows; k++)
        e->tolK[k] *= VALIDATE_SLACK;
    plstar_ref_mat_to_doubles(e->midJ, e->radJ, e->J);
    plstar_ref_mat_to_doubles(e->midK, e->radK, e->K);
    return PLSTAR_OK;
}

/* ---- the traced kernel: T[i, j] = Σ_a K[(i,a),(j,a)] -------------------- */

/* mid ± rad of one ball (rad rounded up). */
static void ball_doubles(double *mid, double *rad, const arb_t x)
{
    arb_mat_t one;
    arb_mat_init(one, 1, 1);
    arb_set(arb_mat_entry(one, 0, 0), x);
    plstar_ref_mat_to_doubles(mid, rad, one);
    arb_mat_clear(one);
}

/* T[t, t2] of the R × R block K (R = ns·c rows of ns samples), enclosed. */
static void traced_ball(arb_t out, const arb_mat_t K, size_t c, size_t t, size_t t2, slong prec)
{
    arb_zero(out);
    for (size_t a = 0; a < c; a++)
        arb_add(out, out, arb_mat_entry(K, t * c + a, t2 * c + a), prec);
}

/* Its tolerance (validate.h, docs/validate.md): (1 + γ_{c−1}) Σ_a tolK + SLACK (γ_{cP} − γ_P) Σ_a
 * (|J||J|ᵀ)[(t,a),(t2,a)] + (c − 1) η, tolK the entries' tolerances (slack included), J the block's
 * R × P Jacobian (computed values: the first-order model's magnitudes), η the underflow of one
 * rounding (the c − 1 additions of the entries may flush to zero). */
static double traced_tol(const double *tolK, const double *J, size_t R, size_t c, size_t P, size_t t, size_t t2,
                         double u, double eta)
{
    double st = 0, sj = 0;
    for (size_t a = 0; a < c; a++) {
        size_t r = t * c + a, r2 = t2 * c + a;
        st += tolK[r * R + r2];
        for (size_t k = 0; k < P; k++)
            sj += fabs(J[r * P + k] * J[r2 * P + k]);
    }
    double gcp = gamma_up((double)(c * P), u), gp = gamma_up((double)P, u), gc = gamma_up((double)(c - 1), u);
    if (!isfinite(gcp) || !isfinite(st))
        return INFINITY;
    double extra = gcp - gp * (1 - 0x1p-48); /* ≥ γ_{cP} − γ_P although both are rounded up */
    return sum_up((1 + gc) * sum_up(st, c) + VALIDATE_SLACK * extra * sum_up(sj, c * P) + (double)(c - 1) * eta, 4);
}

/* Judges one entry against the hull of its one-sided values (mid ± rad): outside the hull widened by
 * the bound that allows the jump (in_jump false) fails; within the ordinary tolerance (in_tol) of a
 * hull narrower than it passes; anything else is unresolved. */
static void match_hull(kink_match *mt, double theirs, double mid, double rad, double tol_jump, int in_jump,
                       double tol, int in_tol)
{
    int out = !in_jump, pass = !out && rad <= tol && isfinite(tol) && in_tol;
    double t = pass ? tol : tol_jump;
    *mt = (kink_match){mid, rad, t, entry_ratio(theirs, mid, rad, t),
                       out ? MATCH_OUT : pass ? MATCH_PASS : MATCH_UNRESOLVED};
}

/* Offers an evaluation's values to the entries they decide — J's rows of a single sample; K's
 * entries of a single sample, or those across the two samples of a pair — and keeps its kernel
 * blocks for λ_min. A hull evaluation decides them alone, tolJ and tolK (the ordinary tolerances
 * of the whole problem) judging its passes. */
static void kinks_offer(kink_set *ks, const kink_eval *e, const size_t *idx, const size_t *side, int hull,
                        int tables, const validate_claims *cl, const tol_set *tols, slong prec)
{
    size_t c = ks->c, P = ks->P, N = ks->N, n = ks->n, rows = e->rows;
    const double *tolJ = tols->J, *tolK = tols->K;
    arb_t tr;
    arb_init(tr);
    for (size_t a = 0; tables && ks->T && a < e->ns; a++) /* the traced kernel of this block */
        for (size_t b = 0; b < e->ns; b++) {
            if (e->ns == 2 && a == b) /* a sample's own entry comes from its single evaluation */
                continue;
            size_t i = idx[a], j = idx[b];
            double mid, rad, v = cl->kernel_traced[i * n + j];
            traced_ball(tr, e->K, c, a, b, prec);
            ball_doubles(&mid, &rad, tr);
            double tol = traced_tol(e->tolK, e->midJ, rows, c, P, a, b, ks->u, ks->eta);
            if (hull)
                match_hull(&ks->T[i][j], v, mid, rad, tol, inside(tr, v, tol), tols->T[i * n + j],
                           inside(tr, v, tols->T[i * n + j]));
            else
                match_offer(&ks->T[i][j], v, mid, rad, tol, inside(tr, v, tol));
        }
    arb_clear(tr);
    for (size_t t = 0; tables && ks->J && e->ns == 1 && t < rows; t++) {
        size_t r = idx[0] * c + t;
        for (size_t k = 0; k < P; k++) {
            size_t at = t * P + k;
            double v = cl->jacobian[r * P + k];
            arb_srcptr ref = e->J->entries + at;
            if (hull)
                match_hull(&ks->J[r][k], v, e->midJ[at], e->radJ[at], e->tolJ[at], inside(ref, v, e->tolJ[at]),
                           tolJ[r * P + k], inside(ref, v, tolJ[r * P + k]));
            else
                match_offer(&ks->J[r][k], v, e->midJ[at], e->radJ[at], e->tolJ[at],
                            inside(e->J->entries + at, v, e->tolJ[at]));
        }
    }
    for (size_t t = 0; t < rows; t++)
        for (size_t t2 = 0; t2 < rows; t2++) {
            size_t a = t / c, b = t2 / c, at = t * rows + t2;
            if (e->ns == 2 && a == b) /* a sample's own block comes from its single evaluation */
                continue;
            size_t i = idx[a], j = idx[b], r = i * c + t % c, s = j * c + t2 % c;
            double v = ks->K ? cl->kernel[r * N + s] : 0.0;
            arb_srcptr ref = e->K->entries + at;
            if (tables && ks->K && hull)
                match_hull(&ks->K[r][s], v, e->midK[at], e->radK[at], e->tolK[at], inside(ref, v, e->tolK[at]),
                           tolK[r * N + s], inside(ref, v, tolK[r * N + s]));
            else if (tables && ks->K)
                match_offer(&ks->K[r][s], v, e->midK[at], e->radK[at], e->tolK[at], inside(ref, v, e->tolK[at]));
            if (hull && ks->hull_set) {
                arb_set(arb_mat_entry(ks->hullK, r, s), ref);
                ks->hull_tol[r * N + s] = e->tolK[at];
                ks->hull_set[r * N + s] = 1;
            }
            if (ks->global) {
                size_t combo = i == j ? side[a] : side[a] * assignments(&ks->sample[j]) + side[b];
                size_t to = combo * c * c + (t % c) * c + t2 % c;
                arb_set(ks->ball[i * n + j] + to, e->K->entries + at);
                ks->tol[i * n + j][to] = e->tolK[at];
            }
        }
}

/* One sample (ns = 1) or pair under each combination of assignments, or under the hull; and under
 * the hull for λ_min's hull kernel when that is wanted and the pair was enumerated. */
static int kinks_run_all(kink_set *ks, kink_eval *e, const plstar_problem *p, const size_t *idx, int hull,
                         const validate_claims *cl, const tol_set *tols, const fast_arith *ar, slong prec)
{
    size_t side[2] = {0, 0}, n0 = hull ? 1 : assignments(&ks->sample[idx[0]]);
    size_t n1 = hull || e->ns == 1 ? 1 : assignments(&ks->sample[idx[1]]);
    int st = PLSTAR_OK;
    for (side[0] = 0; !st && side[0] < n0; side[0]++)
        for (side[1] = 0; !st && side[1] < n1; side[1]++)
            if (!(st = kink_eval_run(e, p, ks, idx, side, hull, ar, prec)))
                kinks_offer(ks, e, idx, side, hull, 1, cl, tols, prec);
    if (!st && !hull && ks->hull_set && !(st = kink_eval_run(e, p, ks, idx, side, 1, ar, prec)))
        kinks_offer(ks, e, idx, side, 1, 0, cl, tols, prec);
    return st;
}

/* Every sample with kinks alone; with `pairs`, every pair of samples one of which has kinks. A pair
 * with a sample beyond enumeration is evaluated under the hull, once. */
static int kinks_evaluate(kink_set *ks, const plstar_problem *p, const validate_claims *cl, const tol_set *tols,
                          const fast_arith *ar, int pairs, slong prec)
{
    size_t n = ks->n;
    kink_eval one, two;
    int st = kink_eval_init(&one, &p->model, 1);
    if (st)
        return st;
    pairs = pairs && n > 1;
    if (pairs && (st = kink_eval_init(&two, &p->model, 2))) {
        kink_eval_clear(&one);
        return st;
    }
    for (size_t i = 0; !st && i < n; i++) {
        const sample_kinks *ki = &ks->sample[i];
        if (!ki->count)
            continue;
        size_t idx[2] = {i, 0};
        st = kinks_run_all(ks, &one, p, idx, !enumerable(ki), cl, tols, ar, prec);
        for (size_t j = 0; pairs && !st && j < n; j++) {
            const sample_kinks *kj = &ks->sample[j];
            if (j == i || (kj->count && j < i)) /* a pair of two with kinks: done at j */
                continue;
            int hull = !enumerable(ki) || !enumerable(kj);
            idx[1] = j;
            st = kinks_run_all(ks, &two, p, idx, hull, cl, tols, ar, prec);
        }
    }
    kink_eval_clear(&one);
    if (pairs)
        kink_eval_clear(&two);
    return st;
}

/* The kernel and its tolerances under global assignment g: K with every block that involves a
 * sample with kinks replaced. */
static void kinks_assign(arb_mat_t Kg, double *tolg, const kink_set *ks, size_t g, const arb_mat_t K,
                         const double *tolK)
{
    size_t n = ks->n, c = ks->c, N = ks->N;
    arb_mat_set(Kg, K);
    memcpy(tolg, tolK, N * N * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            arb_srcptr blk = ks->ball[i * n + j];
            if (!blk)
                continue;
            size_t si = (g / ks->radix[i]) % assignments(&ks->sample[i]);
            size_t sj = (g / ks->radix[j]) % assignments(&ks->sample[j]);
            size_t combo = i == j ? si : si * assignments(&ks->sample[j]) + sj;
            for (size_t t = 0; t < c; t++)
                for (size_t t2 = 0; t2 < c; t2++) {
                    size_t from = combo * c * c + t * c + t2;
                    arb_set(arb_mat_entry(Kg, i * c + t, j * c + t2), blk + from);
                    tolg[(i * c + t) * N + j * c + t2] = ks->tol[i * n + j][from];
                }
        }
}

/* The note of a quantity that depends on kinks. */
static void kinks_note(validate_quantity *q, const kink_set *ks, int lambda)
{
    if (!ks || !ks->kinked || q->note[0])
        return;
    char units[96];
    snprintf(units, sizeof units, "%zu ReLU-type unit%s (of %zu sample%s) within rounding of the kink", ks->units,
             ks->units == 1 ? "" : "s", ks->kinked, ks->kinked == 1 ? "" : "s");
    if (lambda && !ks->global)
        snprintf(q->note, sizeof q->note, "%s: too many assignments of one-sided derivatives; compared with the "
                 "hull kernel (passes only where the assignments agree)", units);
    else if (lambda)
        snprintf(q->note, sizeof q->note, "%s: compared with the kernel of every assignment of one-sided "
                 "derivatives there (%zu); the nearest kernel's enclosure is reported", units, ks->global);
    else if (ks->first_beyond < ks->n)
        snprintf(q->note, sizeof q->note, "%s; sample %zu has more than %d: its entries are compared with the hull "
                 "of their one-sided values (passes only where those agree)", units, ks->first_beyond,
                 VALIDATE_MAX_KINKS);
    else
        snprintf(q->note, sizeof q->note, "%s: the entries that depend on them are compared with the value of every "
                 "assignment of one-sided derivatives there; the nearest is reported", units);
}

/* Their values against the ball matrix `ref` (row-major, count entries) with tolerances tol; rows
 * with a table in `kinked` (NULL, or per row) take their entries' best one-sided candidates. */
static int compare_matrix(validate_quantity *q, const double *theirs, const arb_mat_t ref, const double *tol,
                          size_t count, int regime_ok, kink_match *const *kinked)
{
    double *mid = malloc((count ? count : 1) * sizeof(double)), *rad = malloc((count ? count : 1) * sizeof(double));
    if (!mid || !rad) {
        free(mid), free(rad);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory comparing %s", q->name);
    }
    plstar_ref_mat_to_doubles(mid, rad, ref);
    for (size_t k = 0; k < count; k++) {
        const kink_match *mt = kinked && kinked[k / q->cols] ? &kinked[k / q->cols][k % q->cols] : NULL;
        if (mt && mt->grade == MATCH_NONE)
            mt = NULL;
        if (!regime_ok)
            q_entry(q, k, theirs[k], mid[k], rad[k], tol[k], 0, 0, 0);
        else if (mt)
            q_entry(q, k, theirs[k], mt->mid, mt->rad, mt->tol, mt->grade == MATCH_OUT, mt->grade == MATCH_PASS, 1);
        else
            q_entry(q, k, theirs[k], mid[k], rad[k], tol[k], !inside(ref->entries + k, theirs[k], tol[k]), 1, 0);
    }
    free(mid), free(rad);
    q_finish(q);
    return PLSTAR_OK;
}


/* ---- λ_min ------------------------------------------------------------- */

/* λ_min(K) ∈ [lo, hi] for every symmetric K in the ball matrix `Kb` (reference/eig.h). */
static int lambda_min_enclosure(double *lo, double *hi, const arb_mat_t Kb, slong prec)
{
    arb_t lmin, lmax;
    arb_init(lmin), arb_init(lmax);
    int st = plstar_ref_eig_bounds(lmin, lmax, Kb, prec);
    *lo = -INFINITY, *hi = INFINITY;
    if (st == PLSTAR_OK) {
        *lo = plstar_arb_lower_d(lmin), *hi = plstar_arb_upper_d(lmin);
        if (!isfinite(*lo) || !isfinite(*hi))
            st = PLSTAR_INCONCLUSIVE;
    } else if (st == PLSTAR_EDATA || st == PLSTAR_EUSAGE) {
        st = PLSTAR_INCONCLUSIVE; /* a non-finite enclosure: not judged */
    }
    arb_clear(lmin), arb_clear(lmax);
    return st;
}

/* The tolerance of their λ_min for the kernel K with entry tolerances tolK (validate.h). */
static int lambda_tolerance(double *tol, const arb_mat_t K, const double *tolK, size_t N, double u)
{
    /* ‖T_K‖_F and ‖K‖_F (from |mid| + rad), rounded up */
    double *mid = malloc(N * N * sizeof(double) + 1), *rad = malloc(N * N * sizeof(double) + 1);
    if (!mid || !rad) {
        free(mid), free(rad);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the eigenvalue tolerance");
    }
    plstar_ref_mat_to_doubles(mid, rad, K);
    double t2 = 0, k2 = 0;
    for (size_t k = 0; k < N * N; k++) {
        double a = fabs(mid[k]) + rad[k];
        t2 += tolK[k] * tolK[k];
        k2 += a * a;
    }
    free(mid), free(rad);
    double nT = sqrt(sum_up(t2, N * N)) * (1 + 4 * U64), nK = sqrt(sum_up(k2, N * N)) * (1 + 4 * U64);
    *tol = sum_up(nT + VALIDATE_SLACK * (double)N * u * (nK + nT), 4);
    return PLSTAR_OK;
}

/* Their V against λ_min of one candidate kernel; *lo, *hi its enclosure (±∞ when it has none). */
static int lambda_offer(kink_match *best, double *lo, double *hi, const arb_mat_t K, const double *tolK, size_t N,
                        double V, double u, slong prec)
{
    double l, h, tol = INFINITY;
    int st = lambda_min_enclosure(&l, &h, K, prec);
    if (st != PLSTAR_OK && st != PLSTAR_INCONCLUSIVE)
        return st;
    int enclosed = st == PLSTAR_OK;
    if ((st = lambda_tolerance(&tol, K, tolK, N, u)))
        return st;
    double m = enclosed ? 0.5 * l + 0.5 * h : 0.0;
    double r = enclosed ? nextafter(fmax(h - m, m - l), INFINITY) : INFINITY;
    if (match_offer(best, V, m, r, tol, !enclosed || inside_d(m, r, V, tol)))
        *lo = l, *hi = h;
    return PLSTAR_OK;
}

/* λ_min of the hull kernel (every assignment's kernel is inside it): V fails outside its enclosure
 * widened by the tolerance that allows the jumps, and passes only when the enclosure is narrower than
 * the ordinary tolerance and V within it (validate.h, kinks). */
static int lambda_hull(kink_match *best, double *lo, double *hi, const kink_set *ks, const arb_mat_t K,
                       const double *tolK, size_t N, double V, double u, slong prec)
{
    arb_mat_t Kh;
    double *tj = malloc(N * N * sizeof(double)), l, h, tol_jump = INFINITY, tol = INFINITY;
    if (!tj)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the eigenvalue tolerance");
    arb_mat_init(Kh, (slong)N, (slong)N);
    arb_mat_set(Kh, K);
    memcpy(tj, tolK, N * N * sizeof(double));
    for (size_t k = 0; k < N * N; k++)
        if (ks->hull_set[k])
            arb_set(Kh->entries + k, ks->hullK->entries + k), tj[k] = ks->hull_tol[k];
    int st = lambda_min_enclosure(&l, &h, Kh, prec);
    int enclosed = st == PLSTAR_OK;
    st = st == PLSTAR_INCONCLUSIVE ? PLSTAR_OK : st;
    if (!st)
        st = lambda_tolerance(&tol_jump, Kh, tj, N, u);
    if (!st)
        st = lambda_tolerance(&tol, Kh, tolK, N, u);
    if (!st) {
        double m = enclosed ? 0.5 * l + 0.5 * h : 0.0;
        double r = enclosed ? nextafter(fmax(h - m, m - l), INFINITY) : INFINITY;
        match_hull(best, V, m, r, tol_jump, !enclosed || inside_d(m, r, V, tol_jump), tol,
                   enclosed && inside_d(m, r, V, tol));
        *lo = l, *hi = h;
    }
    arb_mat_clear(Kh);
    free(tj);
    return st;
}

/* λ_min: with kinks, V is compared with λ_min of the kernel of every global assignment, or with that
 * of the hull kernel when there are too many. */
static int check_lambda(validate_quantity *q, const arb_mat_t K, const double *tolK, size_t N, double V, double u,
                        int regime, const kink_set *ks, slong prec)
{
    q_init(q, "lambda_min", 1, 1, prec);
    kink_match best = {.grade = MATCH_NONE};
    double lo = -INFINITY, hi = INFINITY;
    int kinked = ks && ks->kinked;
    int st = PLSTAR_OK;
    if (kinked && ks->global) {
        arb_mat_t Kg;
        double *tolg = malloc(N * N * sizeof(double));
        arb_mat_init(Kg, (slong)N, (slong)N);
        st = tolg ? PLSTAR_OK : plstar_error(PLSTAR_ESOFTWARE, "out of memory for the eigenvalue tolerance");
        for (size_t g = 0; !st && g < ks->global; g++) {
            kinks_assign(Kg, tolg, ks, g, K, tolK);
            st = lambda_offer(&best, &lo, &hi, Kg, tolg, N, V, u, prec);
        }
        arb_mat_clear(Kg);
        free(tolg);
    } else if (kinked) {
        st = lambda_hull(&best, &lo, &hi, ks, K, tolK, N, V, u, prec);
    } else {
        st = lambda_offer(&best, &lo, &hi, K, tolK, N, V, u, prec);
    }
    if (st)
        return st;
    q->lower = lo, q->upper = hi;
    q_entry(q, 0, V, best.mid, best.rad, best.tol, regime && best.grade == MATCH_OUT,
            regime && best.grade == MATCH_PASS, kinked);
    if (!(best.rad < INFINITY))
        snprintf(q->note, sizeof q->note, "the eigenvalues of the reference kernel could not be enclosed");
    kinks_note(q, ks, 1);
    q_finish(q);
    return PLSTAR_OK;
}

/* ---- the loss trajectory's tolerances and verdicts ---------------------- */

static double norm2(const double *x, size_t len)
{
    double s = 0;
    for (size_t k = 0; k < len; k++)
        s += x[k] * x[k];
    return sqrt(s);
}

/* λ_max of the fast kernel at w (a model quantity for the tolerance, not a certificate). */
static double lambda_max_fast(const plstar_problem *p, const double *w, double *K)
{
    size_t N = p->N;
    if (plstar_fast_kernel_explicit(K, &p->model, p->X.data, p->n, w))
        return INFINITY;
    double fro = norm2(K, N * N);
    double *ev = malloc(N * sizeof(double));
    if (!ev)
        return fro;
    int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)N, K, (lapack_int)N, ev);
    double lmax = info == 0 ? fmax(ev[N - 1], 0.0) : fro;
    free(ev);
    return isfinite(lmax) ? lmax : fro;
}

/* The first-order propagation of their rounding along the mid trajectory wm (validate.h). */
static int trajectory_tolerances(double *tol, int *regime, int *in_range, const plstar_problem *p, const double *wm,
                                 size_t T, double lr, const fast_arith *ar, double big)
{
    const plstar_model *m = &p->model;
    size_t P = m->nparams, N = p->N;
    double *g = malloc(P * sizeof(double)), *eg = malloc(P * sizeof(double)), *K = malloc(N * N * sizeof(double));
    if (!g || !eg || !K) {
        free(g), free(eg), free(K);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the trajectory tolerances");
    }
    double u = ar->u, delta = ar->inputs_rounded ? u * norm2(wm, P) : 0.0;
    int st = PLSTAR_OK;
    for (size_t t = 0; !st && t <= T; t++) {
        const double *w = wm + t * P;
        double loss, eL;
        fast_errors e = {.loss = &eL, .grad = eg};
        fast_peaks pk;
        st = plstar_fast_loss_grad(&loss, g, m, p->X.data, p->n, w, p->y.data);
        if (!st)
            st = plstar_fast_errbound_peaks(&e, &pk, NULL, m, p->X.data, p->n, w, p->y.data, ar, 0, NULL);
        if (st)
            break;
        double lam = lambda_max_fast(p, w, K), gn = norm2(g, P), wn = norm2(w, P);
        tol[t] = VALIDATE_SLACK * (eL + gn * delta + 0.5 * lam * delta * delta) * (1 + 0x1p-20);
        in_range[t] = pk.loss <= big; /* a step of their GD could overflow the format */
        regime[t] = in_range[t] && isfinite(tol[t]) && delta <= 1e-2 * fmax(1.0, wn);
        if (t < T)
            delta = fmax(1.0, lr * lam - 1.0) * delta + lr * norm2(eg, P) + 2 * u * lr * gn +
                    u * norm2(wm + (t + 1) * P, P);
    }
    free(g), free(eg), free(K);
    return st;
}

static int check_losses(validate_quantity *q, const plstar_problem *p, const validate_claims *c,
                        const fast_arith *ar, int model_regime, slong prec)
{
    size_t T = c->nlosses - 1, P = p->model.nparams;
    size_t bytes;
    if (!plstar_size_mul(&bytes, T + 1, P, sizeof(double)))
        return plstar_error(PLSTAR_EDATA, "losses: %zu steps of %zu parameters are too many", T, P);
    double *wm = malloc(bytes ? bytes : 1), *tol = malloc((T + 1) * sizeof(double));
    int *regime = malloc((T + 1) * sizeof(int)), *in_range = malloc((T + 1) * sizeof(int));
    arb_ptr L = _arb_vec_init((slong)(T + 1));
    if (!wm || !tol || !regime || !in_range) {
        free(wm), free(tol), free(regime), free(in_range);
        _arb_vec_clear(L, (slong)(T + 1));
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the loss trajectory (%zu steps)", T);
    }
    validate_ref_trajectory(L, wm, p, c, T, prec);
    int st = trajectory_tolerances(tol, regime, in_range, p, wm, T, plstar_loss_mul_scale(c->loss, p->N, c->lr, LOSS_NEAREST),
                                   ar, plstar_validate_overflow(c->format));
    for (size_t t = 0; c->loss != LOSS_SUM && t <= T; t++) /* into the claim's convention (validate.h) */
        tol[t] = plstar_loss_mul_scale(c->loss, p->N, tol[t], LOSS_UP) +
                 VALIDATE_SLACK * ar->u * fabs(arf_get_d(arb_midref(L + t), ARF_RND_NEAR)) * (1 + 0x1p-20);
    for (size_t t = 0; t <= T; t++)
        regime[t] &= model_regime;
    /* raise the precision until every enclosure is narrower than its tolerance */
    while (!st && prec < VALIDATE_MAX_PREC) {
        int wide = 0;
        for (size_t t = 0; t <= T; t++)
            if (regime[t] && !(arb_is_finite(L + t) && mag_get_d(arb_radref(L + t)) <= tol[t] / 16))
                wide = 1;
        if (!wide)
            break;
        prec *= 2;
        validate_ref_trajectory(L, NULL, p, c, T, prec);
    }
    q->prec = prec;
    size_t first_bad_regime = T + 1, first_out_of_range = T + 1;
    for (size_t t = 0; !st && t <= T; t++) {
        if (!in_range[t] && first_out_of_range > T)
            first_out_of_range = t;
        double mid, rad;
        arb_mat_t one;
        arb_mat_init(one, 1, 1);
        arb_set(arb_mat_entry(one, 0, 0), L + t);
        plstar_ref_mat_to_doubles(&mid, &rad, one);
        arb_mat_clear(one);
        int out = regime[t] && !inside(L + t, c->losses[t], tol[t]);
        if (!regime[t] && first_bad_regime > T)
            first_bad_regime = t;
        q_entry(q, t, c->losses[t], mid, rad, tol[t], out, regime[t], 0);
    }
    if (!st && first_out_of_range <= T && model_regime)
        snprintf(q->note, sizeof q->note, "from step %zu on, values of the loss and gradient in %s can exceed its "
                 "largest number %.6g (overflow): those steps are not judged", first_out_of_range,
                 plstar_validate_format_name(c->format), plstar_validate_overflow(c->format));
    else if (!st && first_bad_regime <= T && model_regime)
        snprintf(q->note, sizeof q->note,
                 "from step %zu on, rounding may be amplified beyond the first-order model (the step is large for "
                 "the kernel's largest eigenvalue, or the trajectory diverges); those steps are not judged",
                 first_bad_regime);
    q_finish(q);
    free(wm), free(tol), free(regime), free(in_range);
    _arb_vec_clear(L, (slong)(T + 1));
    return st;
}

/* ---- the whole check --------------------------------------------------- */

/* The largest k of a γ_k that a quantity's tolerance uses (fast/errbound.h): the forward pass's
 * γ_{in+9}, the backward pass's γ_{out+5}, the kernel's γ_P (traced: γ_{cP}), the eigensolver's N,
 * the loss's γ_{N+2} and the gradient's γ_{n+3}. */
typedef struct {
    size_t F, J, K, T, lambda, losses;
} gamma_extents;

static gamma_extents extents_of(const plstar_problem *p)
{
    const plstar_model *m = &p->model;
    size_t in = 0, out = 0, P = m->nparams, N = p->N, n = p->n;
    for (size_t l = 0; l < m->nlayers; l++) {
        in = m->layers[l].in > in ? m->layers[l].in : in;
        out = m->layers[l].out > out ? m->layers[l].out : out;
    }
    gamma_extents g;
    g.F = in + 9;
    g.J = g.F > out + 5 ? g.F : out + 5;
    g.K = g.J > P ? g.J : P;
    g.T = g.J > m->outputs * P ? g.J : m->outputs * P;
    g.lambda = g.K > N ? g.K : N;
    g.losses = g.J > N + 2 ? g.J : N + 2;
    g.losses = g.losses > n + 3 ? g.losses : n + 3;
    return g;
}

/* Whether a quantity is judged: the first-order regime (k·u ≤ 1/16) and the format's range (the
 * peak of its computation at most the largest number); otherwise `note` says why not. */
static int judged(char *note, size_t len, size_t k, double peak, validate_format f)
{
    double u = plstar_validate_unit_roundoff(f), big = plstar_validate_overflow(f);
    if ((double)k * u > 1.0 / 16) {
        snprintf(note, len, "a dot product of length %zu in this computation is too long for a first-order rounding "
                 "analysis in %s (k u > 1/16): not judged", k, plstar_validate_format_name(f));
        return 0;
    }
    if (!(peak <= big)) {
        snprintf(note, len, "values of this computation in %s can reach %.3g, beyond its largest number %.6g "
                 "(overflow): not judged", plstar_validate_format_name(f), peak, big);
        return 0;
    }
    return 1;
}

static size_t not_in_format(const double *v, size_t len, validate_format f)
{
    size_t k = 0;
    for (size_t i = 0; f != VALIDATE_FLOAT64 && i < len; i++)
        k += plstar_validate_round(v[i], f) != v[i];
    return k;
}

/* A new quantity of the result, named in the claimed layout. */
static validate_quantity *add_quantity(validate_result *res, const validate_claims *c, const char *name, size_t rows,
                                       size_t cols, size_t file_ndim, const double *values, slong prec)
{
    validate_quantity *q = &res->q[res->nq++];
    q_init(q, name, rows, cols, prec);
    q->layout = c->layout;
    q->file_ndim = file_ndim;
    q->not_in_format = values ? not_in_format(values, rows * cols, c->format) : 0;
    return q;
}

/* The traced tolerances of the whole problem from the kernel's (validate.h). */
static int traced_tolerances(double *tolT, const double *eK, const plstar_problem *p, double u, double eta)
{
    size_t n = p->n, c = p->model.outputs, N = p->N, P = p->model.nparams;
    double *J = malloc(N * P * sizeof(double) + 1);
    int st = J ? plstar_fast_jacobian(J, &p->model, p->X.data, n, p->w)
               : plstar_error(PLSTAR_ESOFTWARE, "out of memory for the traced kernel's tolerances");
    for (size_t i = 0; !st && i < n; i++)
        for (size_t j = 0; j < n; j++)
            tolT[i * n + j] = traced_tol(eK, J, N, c, P, i, j, u, eta);
    free(J);
    return st;
}

/* What one check computes once for all its quantities: the tolerances of the whole problem (slack
 * included; eZ the pre-activations' rounding bounds, pk the peaks of their computation), whether each
 * quantity is judged (why[] says why not) and the units within rounding of a kink. */
typedef struct {
    fast_arith ar;
    int needJ, needK;
    double *eF, *eJ, *eK, *tolT, *eZ;
    fast_peaks pk;
    int ok_F, ok_J, ok_K, ok_T, ok_L, ok_losses;
    char why[VALIDATE_MAX_QUANTITIES][240];
    kink_set ks;
} check_state;

/* The claimed format and layout into res, or the usage error of claims that cannot be checked. */
static int claims_usable(validate_result *res, const plstar_problem *p, const validate_claims *c)
{
    if ((unsigned)c->format >= VALIDATE_FORMATS || (unsigned)c->layout >= VALIDATE_LAYOUTS)
        return plstar_error(PLSTAR_EUSAGE, "plstar_check_validate: unknown format or layout");
    res->format = c->format;
    res->layout = c->layout;
    res->u = plstar_validate_unit_roundoff(c->format);
    res->slack = VALIDATE_SLACK;
    if (c->losses && !p->y.size)
        return plstar_error(PLSTAR_EUSAGE, "a loss trajectory needs labels: this bundle has no y.npy "
                                           "(export it with --labels)");
    if (c->losses && (c->nlosses == 0 || !(c->lr > 0) || !isfinite(c->lr)))
        return plstar_error(PLSTAR_EUSAGE, "a loss trajectory needs at least one value and a step --lr > 0");
    if (!c->outputs && !c->jacobian && !c->kernel && !c->kernel_traced && !c->has_lambda_min && !c->losses)
        return plstar_error(PLSTAR_EUSAGE, "nothing to validate");
    return PLSTAR_OK;
}

static void check_state_clear(check_state *s)
{
    free(s->eF), free(s->eJ), free(s->eK), free(s->tolT), free(s->eZ);
    kinks_clear(&s->ks);
}

/* The tolerance arrays of the quantities claimed (zeroed); nothing is left allocated on failure. */
static int check_state_init(check_state *s, const validate_result *res, const plstar_problem *p,
                            const validate_claims *c)
{
    const plstar_model *m = &p->model;
    size_t n = p->n, N = p->N, P = m->nparams;
    memset(s, 0, sizeof *s);
    /* the losses' propagation model allows σ′ to jump wherever rounding may cross a kink; F, J, K
     * and λ_min decide each unit's side and compare with every one-sided candidate (kinks, above) */
    s->ar = (fast_arith){res->u, c->format != VALIDATE_FLOAT64, 1, plstar_validate_underflow(c->format)};
    s->needK = c->kernel || c->kernel_traced || c->has_lambda_min, s->needJ = c->jacobian != NULL;
    size_t cells = 0;
    if ((s->needJ || s->needK) && (!plstar_size_mul(&cells, N, P, sizeof(double)) || cells > ((size_t)1 << 36)))
        return plstar_error(PLSTAR_EDATA, "a %zu x %zu Jacobian is too large to validate", N, P);
    s->eF = calloc(N ? N : 1, sizeof(double));
    s->eJ = s->needJ ? calloc(N * P + 1, sizeof(double)) : NULL;
    s->eK = s->needK ? calloc(N * N + 1, sizeof(double)) : NULL;
    s->tolT = c->kernel_traced ? calloc(n * n + 1, sizeof(double)) : NULL;
    size_t units = 0;
    for (size_t l = 0; l < m->nlayers; l++)
        units += m->layers[l].out;
    s->eZ = calloc(n * units + 1, sizeof(double));
    if (!s->eF || (s->needJ && !s->eJ) || (s->needK && !s->eK) || (c->kernel_traced && !s->tolT) || !s->eZ) {
        check_state_clear(s);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the tolerances");
    }
    return PLSTAR_OK;
}

/* The running rounding-error bounds of F, J, K at w0 in the claimed format, times the slack, and the
 * traced kernel's from them. */
static int tolerances_compute(check_state *s, const plstar_problem *p, const validate_claims *c, double u)
{
    const plstar_model *m = &p->model;
    size_t N = p->N, P = m->nparams;
    fast_errors e = {s->eF, s->eJ, s->eK, NULL, NULL};
    s->pk = (fast_peaks){0, 0, 0, 0};
    int st = (c->outputs || s->needJ || s->needK)
                 ? plstar_fast_errbound_peaks(&e, &s->pk, s->eZ, m, p->X.data, p->n, p->w, NULL, &s->ar, 1, NULL)
                 : PLSTAR_OK;
    for (size_t k = 0; k < N; k++)
        s->eF[k] *= VALIDATE_SLACK;
    for (size_t k = 0; s->eJ && k < N * P; k++)
        s->eJ[k] *= VALIDATE_SLACK;
    for (size_t k = 0; s->eK && k < N * N; k++)
        s->eK[k] *= VALIDATE_SLACK;
    if (!st && s->tolT)
        st = traced_tolerances(s->tolT, s->eK, p, u, s->ar.tiny);
    return st;
}

/* Which quantities are judged, and why not. */
static void quantities_judged(check_state *s, const plstar_problem *p, validate_format f)
{
    gamma_extents ext = extents_of(p);
    const fast_peaks *pk = &s->pk;
    s->ok_F = judged(s->why[0], sizeof s->why[0], ext.F, pk->F, f);
    s->ok_J = judged(s->why[1], sizeof s->why[1], ext.J, pk->J, f);
    s->ok_K = judged(s->why[2], sizeof s->why[2], ext.K, pk->K, f);
    s->ok_T = judged(s->why[3], sizeof s->why[3], ext.T, (double)p->model.outputs * pk->K, f);
    s->ok_L = judged(s->why[4], sizeof s->why[4], ext.lambda, (double)p->N * pk->K, f);
    s->ok_losses = judged(s->why[5], sizeof s->why[5], ext.losses, 0.0, f); /* range: per step, below */
}

/* The units within rounding of a kink, and the best one-sided candidates of the entries they decide. */
static int kinks_compute(check_state *s, const plstar_problem *p, const validate_claims *c, double u, slong prec)
{
    kink_set *ks = &s->ks;
    int st = PLSTAR_OK;
    if ((s->needJ && s->ok_J) || (s->needK && (s->ok_K || s->ok_T || s->ok_L)))
        st = kinks_find(ks, p, s->eZ, prec);
    ks->u = u, ks->eta = s->ar.tiny;
    if (!st && ks->kinked)
        st = kinks_prepare(ks, s->needJ, c->kernel != NULL, c->kernel_traced != NULL, c->has_lambda_min);
    tol_set tols = {s->eJ, s->eK, s->tolT};
    if (!st && ks->kinked)
        st = kinks_evaluate(ks, p, c, &tols, &s->ar, c->kernel || c->kernel_traced || c->has_lambda_min, prec);
    return st;
}

static int compare_outputs(validate_result *res, check_state *s, const plstar_problem *p, const validate_claims *c,
                           slong prec)
{
    size_t N = p->N;
    validate_quantity *q = add_quantity(res, c, "outputs", N, 1, 0, c->outputs, prec);
    arb_mat_t F;
    arb_mat_init(F, N, 1);
    int st = plstar_ref_outputs(F, &p->model, p->X.data, p->n, p->w, prec);
    if (!st)
        st = compare_matrix(q, c->outputs, F, s->eF, N, s->ok_F, NULL);
    if (!s->ok_F)
        snprintf(q->note, sizeof q->note, "%s", s->why[0]);
    arb_mat_clear(F);
    return st;
}

static int compare_jacobian(validate_result *res, check_state *s, const plstar_problem *p, const validate_claims *c,
                            slong prec)
{
    size_t N = p->N, P = p->model.nparams;
    validate_quantity *q = add_quantity(res, c, "jacobian", N, P, c->jacobian_ndim, c->jacobian, prec);
    arb_mat_t J;
    arb_mat_init(J, N, P);
    int st = plstar_ref_jacobian(J, &p->model, p->X.data, p->n, p->w, prec);
    if (!st)
        st = compare_matrix(q, c->jacobian, J, s->eJ, N * P, s->ok_J, s->ks.J);
    kinks_note(q, &s->ks, 0);
    if (!s->ok_J)
        snprintf(q->note, sizeof q->note, "%s", s->why[1]);
    arb_mat_clear(J);
    return st;
}

/* The traced kernel of the reference kernel K against theirs. */
static int compare_traced(validate_result *res, check_state *s, const plstar_problem *p, const validate_claims *c,
                          const arb_mat_t K, slong prec)
{
    size_t n = p->n;
    validate_quantity *q = add_quantity(res, c, "traced_kernel", n, n, 2, c->kernel_traced, prec);
    arb_mat_t T;
    arb_mat_init(T, n, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            traced_ball(arb_mat_entry(T, i, j), K, p->model.outputs, i, j, prec);
    int st = compare_matrix(q, c->kernel_traced, T, s->tolT, n * n, s->ok_T, s->ks.T);
    kinks_note(q, &s->ks, 0);
    if (!s->ok_T)
        snprintf(q->note, sizeof q->note, "%s", s->why[3]);
    arb_mat_clear(T);
    return st;
}

/* K, its traced kernel and λ_min, from one reference kernel. */
static int compare_kernels(validate_result *res, check_state *s, const plstar_problem *p, const validate_claims *c,
                           slong prec)
{
    size_t N = p->N;
    arb_mat_t K;
    arb_mat_init(K, N, N);
    int st = plstar_ref_kernel(K, &p->model, p->X.data, p->n, p->w, prec);
    if (!st && c->kernel) {
        validate_quantity *q = add_quantity(res, c, "kernel", N, N, c->kernel_ndim, c->kernel, prec);
        st = compare_matrix(q, c->kernel, K, s->eK, N * N, s->ok_K, s->ks.K);
        kinks_note(q, &s->ks, 0);
        if (!s->ok_K)
            snprintf(q->note, sizeof q->note, "%s", s->why[2]);
    }
    if (!st && c->kernel_traced)
        st = compare_traced(res, s, p, c, K, prec);
    if (!st && c->has_lambda_min) {
        validate_quantity *q = &res->q[res->nq++];
        st = check_lambda(q, K, s->eK, N, c->lambda_min, res->u, s->ok_L, &s->ks, prec);
        if (!st && !s->ok_L)
            snprintf(q->note, sizeof q->note, "%s", s->why[4]);
    }
    arb_mat_clear(K);
    return st;
}

static int compare_losses(validate_result *res, check_state *s, const plstar_problem *p, const validate_claims *c,
                          slong prec)
{
    validate_quantity *q = add_quantity(res, c, "losses", c->nlosses, 1, 0, c->losses, prec);
    int st = check_losses(q, p, c, &s->ar, s->ok_losses, prec);
    if (!st && !s->ok_losses)
        snprintf(q->note, sizeof q->note, "%s", s->why[5]);
    return st;
}

/* The claimed quantities against their references: F, J, those of the kernel, the losses. */
static int compare_all(validate_result *res, check_state *s, const plstar_problem *p, const validate_claims *c,
                       slong prec)
{
    int st = PLSTAR_OK;
    if (!st && c->outputs)
        st = compare_outputs(res, s, p, c, prec);
    if (!st && c->jacobian)
        st = compare_jacobian(res, s, p, c, prec);
    if (!st && s->needK)
        st = compare_kernels(res, s, p, c, prec);
    if (!st && c->losses)
        st = compare_losses(res, s, p, c, prec);
    return st;
}

/* Fail if a quantity fails, else inconclusive if one is, else pass. */
static int result_status(const validate_result *res)
{
    int any_fail = 0, any_inc = 0;
    for (size_t k = 0; k < res->nq; k++) {
        any_fail |= res->q[k].status == PLSTAR_REFUTED;
        any_inc |= res->q[k].status == PLSTAR_INCONCLUSIVE;
    }
    return any_fail ? PLSTAR_REFUTED : any_inc ? PLSTAR_INCONCLUSIVE : PLSTAR_OK;
}

int plstar_check_validate(validate_result *res, const plstar_problem *p, const validate_claims *c, slong prec)
{
    if (!res || !p || !c || !p->w)
        return plstar_error(PLSTAR_EUSAGE, "plstar_check_validate: NULL argument");
    memset(res, 0, sizeof *res);
    double t0 = now();
    check_state s;
    int st = claims_usable(res, p, c);
    if (!st)
        st = check_state_init(&s, res, p, c);
    if (st)
        return st;
    st = tolerances_compute(&s, p, c, res->u);
    quantities_judged(&s, p, c->format);
    if (!st)
        st = kinks_compute(&s, p, c, res->u, prec);
    if (!st)
        st = compare_all(res, &s, p, c, prec);
    check_state_clear(&s);
    res->seconds = now() - t0;
    return st ? st : result_status(res);
}

/* ---- names and the report ---------------------------------------------- */

static void param_name(char *buf, size_t len, const plstar_model *m, size_t k)
{
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        if (!L->trainable)
            continue;
        if (k >= L->w_offset && k < L->w_offset + L->in * L->out) {
            size_t r = k - L->w_offset;
            snprintf(buf, len, "layer %zu W[%zu, %zu]", l + 1, r / L->in, r % L->in);
            return;
        }
        if (L->has_bias && k >= L->b_offset && k < L->b_offset + L->out) {
            snprintf(buf, len, "layer %zu b[%zu]", l + 1, k - L->b_offset);
            return;
        }
    }
    snprintf(buf, len, "parameter %zu", k);
}

size_t plstar_validate_entry_position(size_t *pos, const validate_quantity *q, const plstar_model *m, size_t index)
{
    size_t c = m->outputs, cols = q->cols ? q->cols : 1, r = index / cols, s = index % cols;
    int full = q->layout != VALIDATE_LAYOUT_PLSTAR && q->file_ndim != 2; /* not squeezed (c = 1) */
    if (q->cols <= 1) {
        pos[0] = index;
        return 1;
    }
    if (!strcmp(q->name, "jacobian") && full) {
        pos[0] = r / c, pos[1] = r % c, pos[2] = s;
        return 3;
    }
    if (!strcmp(q->name, "kernel") && full && q->layout == VALIDATE_LAYOUT_FUNCTORCH) {
        pos[0] = r / c, pos[1] = r % c, pos[2] = s / c, pos[3] = s % c;
        return 4;
    }
    if (!strcmp(q->name, "kernel") && full && q->layout == VALIDATE_LAYOUT_NEURAL_TANGENTS) {
        pos[0] = r / c, pos[1] = s / c, pos[2] = r % c, pos[3] = s % c;
        return 4;
    }
    pos[0] = r, pos[1] = s;
    return 2;
}

void plstar_validate_entry_name(char *buf, size_t len, const validate_quantity *q, const plstar_model *m, size_t index)
{
    size_t c = m->outputs, pos[4], np = plstar_validate_entry_position(pos, q, m, index);
    char pn[64], ix[96] = "";
    for (size_t k = 0, at = 0; k < np && at < sizeof ix; k++)
        at += (size_t)snprintf(ix + at, sizeof ix - at, k ? ", %zu" : "%zu", pos[k]);
    if (!strcmp(q->name, "outputs")) {
        snprintf(buf, len, "F[%zu] (sample %zu, output %zu)", index, index / c, index % c);
    } else if (!strcmp(q->name, "jacobian")) {
        size_t r = index / q->cols, k = index % q->cols;
        param_name(pn, sizeof pn, m, k);
        snprintf(buf, len, "J[%s] (sample %zu output %zu; %s)", ix, r / c, r % c, pn);
    } else if (!strcmp(q->name, "kernel")) {
        size_t r = index / q->cols, s = index % q->cols;
        snprintf(buf, len, "K[%s] (sample %zu output %zu, sample %zu output %zu)", ix, r / c, r % c, s / c, s % c);
    } else if (!strcmp(q->name, "traced_kernel")) {
        snprintf(buf, len, "K[%s] (samples %zu, %zu, summed over their outputs)", ix, index / q->cols,
                 index % q->cols);
    } else if (!strcmp(q->name, "losses")) {
        snprintf(buf, len, "L[%zu] (after %zu step%s)", index, index, index == 1 ? "" : "s");
    } else {
        snprintf(buf, len, "%s", q->name);
    }
}

static json_t *real_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static const char ratio_note[] = "null: the ratio is not a finite number (a value, enclosure or tolerance is not "
                                 "finite); an entry outside is a violation all the same";

/* report["reason"] of a failing or undecided validation: the allowance at the
 * worst entry of the first quantity with that verdict, and what would decide it. */
static void validate_reason(json_t *r, const validate_result *res, const plstar_problem *p, int status)
{
    const validate_quantity *q = NULL;
    for (size_t k = 0; k < res->nq && !q; k++)
        if (res->q[k].status == status)
            q = &res->q[k];
    if (!q)
        return;
    char where[160] = "-", ineq[320], decide[480];
    if (q->nworst)
        plstar_validate_entry_name(where, sizeof where, q, &p->model, q->worst[0].index);
    snprintf(ineq, sizeof ineq, "|theirs - mid| <= rad + tol at every entry of %s (the worst, %s, in units of "
             "rad + tol: <= 1)", q->name, where);
    json_t *lhs = isfinite(q->worst_ratio) ? json_real(q->worst_ratio) : plstar_report_absent(ratio_note);
    if (status == PLSTAR_REFUTED)
        snprintf(decide, sizeof decide, "nothing: %zu entries of %s lie outside what a correct computation in the "
                 "claimed format can give; check the model's rebuild first (docs/validate.md)", q->violations, q->name);
    else if (q->note[0])
        snprintf(decide, sizeof decide, "%zu entries of %s cannot be judged: %s", q->unresolved, q->name, q->note);
    else
        snprintf(decide, sizeof decide, "%zu entries of %s cannot be judged (the reference enclosure is wider than "
                 "the tolerance, or the trajectory left the first-order regime): more precision (--prec %ld), or "
                 "fewer steps", q->unresolved, q->name, (long)(2 * q->prec < 65536 ? 2 * q->prec : 65536));
    plstar_report_set_reason(r, ineq, lhs, json_real(1.0), decide);
}

const char *plstar_validate_entry_verdict_name(validate_entry_verdict v)
{
    return v == VALIDATE_ENTRY_FAIL ? "fail" : v == VALIDATE_ENTRY_UNRESOLVED ? "unresolved" : "pass";
}

/* One of a quantity's worst entries, named and placed in their file's layout. */
static json_t *worst_entry_json(const validate_quantity *q, const validate_entry *e, const plstar_model *m)
{
    json_t *we = json_object();
    char name[160];
    plstar_validate_entry_name(name, sizeof name, q, m, e->index);
    json_object_set_new(we, "index", json_integer((json_int_t)e->index));
    if (q->cols > 1) {
        size_t at[4], np = plstar_validate_entry_position(at, q, m, e->index);
        json_t *pos = json_array();
        for (size_t k = 0; k < np; k++)
            json_array_append_new(pos, json_integer((json_int_t)at[k]));
        json_object_set_new(we, "position", pos);
    }
    json_object_set_new(we, "where", json_string(name));
    json_object_set_new(we, "theirs", real_or_null(e->theirs));
    json_object_set_new(we, "reference", plstar_report_interval(nextafter(e->mid - e->rad, -INFINITY),
                                                                nextafter(e->mid + e->rad, INFINITY)));
    json_object_set_new(we, "reference_mid", real_or_null(e->mid));
    json_object_set_new(we, "reference_rad", real_or_null(e->rad));
    json_object_set_new(we, "tolerance", real_or_null(e->tol));
    json_object_set_new(we, "allowance", real_or_null(e->rad + e->tol));
    json_object_set_new(we, "ratio", real_or_null(e->ratio));
    if (!isfinite(e->ratio))
        json_object_set_new(we, "ratio_note", json_string(ratio_note));
    json_object_set_new(we, "verdict", json_string(plstar_validate_entry_verdict_name(e->verdict)));
    if (e->one_sided)
        json_object_set_new(we, "one_sided", json_true());
    return we;
}

/* report["quantities"][name]: the counts, the verdict and the worst entries. */
static json_t *quantity_json(const validate_quantity *q, const plstar_model *m, validate_format f)
{
    json_t *o = json_object();
    json_object_set_new(o, "verdict", json_string(plstar_report_verdict_name(q->status, 1)));
    json_object_set_new(o, "entries", json_integer((json_int_t)q->count));
    json_object_set_new(o, "violations", json_integer((json_int_t)q->violations));
    json_object_set_new(o, "unresolved", json_integer((json_int_t)q->unresolved));
    json_object_set_new(o, "worst_ratio", real_or_null(q->worst_ratio));
    if (q->nworst && !isfinite(q->worst_ratio))
        json_object_set_new(o, "worst_ratio_note", json_string(ratio_note));
    json_object_set_new(o, "reference_prec", json_integer(q->prec));
    if (f != VALIDATE_FLOAT64 && strcmp(q->name, "lambda_min"))
        json_object_set_new(o, "not_in_format", json_integer((json_int_t)q->not_in_format));
    if (!strcmp(q->name, "lambda_min"))
        json_object_set_new(o, "reference", plstar_report_interval(q->lower, q->upper));
    json_t *wl = json_array();
    for (size_t j = 0; j < q->nworst; j++)
        json_array_append_new(wl, worst_entry_json(q, &q->worst[j], m));
    json_object_set_new(o, "worst", wl);
    if (q->note[0])
        json_object_set_new(o, "note", json_string(q->note));
    return o;
}

json_t *plstar_validate_report(const validate_result *res, const plstar_problem *p, const validate_claims *c,
                               const char *bundle, int status)
{
    json_t *r = plstar_report_new("validate", "docs/theory.md §8, validation: every value given lies within the "
                                       "reference enclosure of the exact value widened by the rounding allowance "
                                       "of the claimed precision (proofs-checks/validate.h, docs/validate.md)");
    plstar_report_set_verdict(r, plstar_report_verdict_name(status, 1));
    plstar_report_set_scope(r, REPORT_SCOPE_IMPLEMENTATION);
    if (status != PLSTAR_OK)
        validate_reason(r, res, p, status);
    json_t *in = json_object_get(r, "inputs");
    if (bundle)
        json_object_set_new(in, "bundle", json_string(bundle));
    json_object_set_new(in, "precision", json_string(plstar_validate_format_name(res->format)));
    json_object_set_new(in, "unit_roundoff", json_real(res->u));
    json_object_set_new(in, "underflow", json_real(plstar_validate_underflow(res->format)));
    json_object_set_new(in, "overflow_threshold", json_real(plstar_validate_overflow(res->format)));
    json_object_set_new(in, "layout", json_string(plstar_validate_layout_name(res->layout)));
    json_object_set_new(in, "slack", json_real(res->slack));
    plstar_report_add_problem(r, p);
    if (c->losses) {
        json_object_set_new(in, "lr", json_real(c->lr));
        json_object_set_new(in, "lr_half_sum", json_real(plstar_loss_mul_scale(c->loss, p->N, c->lr, LOSS_NEAREST)));
        json_object_set_new(r, "loss", plstar_loss_report(c->loss, p->N));
        json_object_set_new(in, "steps", json_integer((json_int_t)(c->nlosses - 1)));
    }
    json_object_set_new(in, "tolerance_model",
                        json_string("standard forward/backward algorithms in the claimed format, any summation "
                                    "order; tolerance = slack x the running rounding-error bound of "
                                    "fast/errbound.h with that unit roundoff and underflow (inputs rounded to the "
                                    "format when narrower than float64; not judged where the computation can leave "
                                    "the format's range); losses: first-order propagation along the trajectory"));
    json_t *qs = json_object_get(r, "quantities");
    for (size_t k = 0; k < res->nq; k++)
        json_object_set_new(qs, res->q[k].name, quantity_json(&res->q[k], &p->model, res->format));
    json_object_set_new(r, "seconds", json_real(res->seconds));
    return r;
}

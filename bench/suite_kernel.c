/*
 * bench/suite_kernel.c — the tangent kernel K = DF DFᵀ four ways, size by size:
 *   structured  plstar_fast_kernel_structured (fast/ntk.h), no Jacobian
 *   explicit    plstar_fast_kernel_explicit, J then dsyrk
 *   reference   plstar_ref_kernel, Arb enclosures at 128 bits
 *   torch/...   bench/peers/ntk_torch.py: functorch's Jacobian contraction and
 *               NTK-vector products, float64, the same inputs
 * Where the reference runs, every kernel is compared with its enclosure: plstar's
 * own with the allowance rad + the proven error bound of its algorithm
 * (fast/errbound.h), PyTorch's with rad + the tolerance `plstar validate` gives a
 * float64 implementation (VALIDATE_SLACK × plstar_fast_errbound_u, any formulas). Elsewhere
 * the others are compared with the structured kernel (max |Δ|).
 */
#include "bench/bench.h"
#include "core/error.h"
#include "core/npy.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "fast/ntk.h"
#include "proofs-checks/validate.h"
#include "reference/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_S = 1, K_E = 2, K_R = 4, K_TJ = 8, K_TV = 16 };

typedef struct {
    size_t n, widths[4], nw;
    unsigned what;
} kcase;

/* Error bounds on J-sized matrices are skipped above this many J entries (memory: ~3 N·P doubles). */
#define ERRBOUND_MAX_NP 3.0e8

typedef struct {
    const plstar_problem *p;
    double *K;
    arb_mat_struct *ref;
    int which; /* K_S, K_E, K_R */
} kctx;

static int run_kernel(void *v)
{
    kctx *c = v;
    const plstar_problem *p = c->p;
    if (c->which == K_R)
        return plstar_ref_kernel(c->ref, &p->model, p->X.data, p->n, p->w, PLSTAR_DEFAULT_PREC);
    if (c->which == K_E)
        return plstar_fast_kernel_explicit(c->K, &p->model, p->X.data, p->n, p->w);
    return plstar_fast_kernel_structured(c->K, &p->model, p->X.data, p->n, p->w);
}

static double max_abs_diff(const double *a, const double *b, size_t len)
{
    double m = 0.0;
    for (size_t k = 0; k < len; k++) {
        double d = fabs(a[k] - b[k]);
        if (!(d <= m))
            m = d;
    }
    return m;
}

static void set_common(json_t *c, const plstar_problem *p, const char *series)
{
    json_object_set_new(c, "sizes", bench_sizes_json(p));
    json_object_set_new(c, "series", json_string(series));
    json_object_set_new(c, "x_name", json_string("n"));
    json_object_set_new(c, "x", json_integer((json_int_t)p->n));
}

static const char REF_AGAINST[] = "reference plstar_ref_kernel (Arb, 128 bits), this run";

static int one_size(bench_run *r, const kcase *kc)
{
    plstar_problem p;
    int st = bench_mlp_problem(&p, kc->n, 10, kc->widths, kc->nw, "tanh", 1);
    if (st)
        return st;
    const plstar_model *m = &p.model;
    size_t N = p.N, P = m->nparams, NN = N * N;
    char ws[128], name[192], series[160];
    bench_widths_str(ws, sizeof ws, m);
    snprintf(name, sizeof name, "n=%zu d=10 w=%s", p.n, ws);
    snprintf(series, sizeof series, "d=10 w=%s", ws);
    bench_policy pol = bench_policy_for(r);
    double fl_s = plstar_fast_kernel_structured_flops(m, p.n), fl_e = bench_flops_explicit(m, p.n);
    double peak = r->peak.gflops;
    json_t *group = json_array();
    arb_mat_t ref;
    int have_ref = 0;
    double *Ks = NULL;
    int struct_done = 0;
    double struct_median = NAN;

    if (kc->what & K_R) {
        arb_mat_init(ref, (slong)N, (slong)N);
        kctx c = {&p, NULL, ref, K_R};
        bench_timing t;
        if (bench_time(&t, &pol, run_kernel, &c)) {
            bench_case_error(r, "kernel", name, "reference");
            arb_mat_clear(ref);
        } else {
            have_ref = 1;
            json_t *line = bench_case("kernel", name, "reference");
            set_common(line, &p, series);
            bench_case_timing(line, &t, fl_s, "structured kernel's count, in ball operations", peak);
            json_object_set_new(line, "prec", json_integer(PLSTAR_DEFAULT_PREC));
            json_array_append_new(group, line);
        }
    }

    Ks = malloc(NN * sizeof(double));
    if (!Ks) {
        st = plstar_error(PLSTAR_ESOFTWARE, "out of memory for a %zu x %zu kernel", N, N);
        goto done;
    }
    if (kc->what & (K_S | K_E | K_TJ | K_TV)) { /* the structured K is the yardstick of the others */
        kctx c = {&p, Ks, NULL, K_S};
        bench_timing t;
        if (bench_time(&t, &pol, run_kernel, &c)) {
            bench_case_error(r, "kernel", name, "structured");
        } else {
            struct_done = 1;
            struct_median = t.median_s;
            json_t *line = bench_case("kernel", name, "structured");
            set_common(line, &p, series);
            bench_case_timing(line, &t, fl_s, "plstar_fast_kernel_structured_flops", peak);
            if (have_ref) {
                double *eK = malloc(NN * sizeof(double));
                bench_agreement a;
                if (eK && !plstar_fast_errbound_kernel_structured(eK, m, p.X.data, p.n, p.w) &&
                    !bench_agree(&a, Ks, eK, ref, NN)) {
                    json_object_set_new(line, "agreement",
                                        bench_agreement_json(&a, "K", REF_AGAINST,
                                                             "rad + plstar_fast_errbound_kernel_structured (proven)"));
                    r->violations += a.violations > 0;
                } else {
                    json_object_set_new(line, "agreement_error", json_string(plstar_errmsg()));
                }
                free(eK);
            }
            json_array_append_new(group, line);
        }
    }

    if (kc->what & K_E) {
        double *Ke = malloc(NN * sizeof(double));
        kctx c = {&p, Ke, NULL, K_E};
        bench_timing t;
        if (!Ke || bench_time(&t, &pol, run_kernel, &c)) {
            bench_case_error(r, "kernel", name, "explicit");
        } else {
            json_t *line = bench_case("kernel", name, "explicit");
            set_common(line, &p, series);
            bench_case_timing(line, &t, fl_e, "forward + backward + J + dsyrk N(N+1)P", peak);
            if (struct_done)
                json_object_set_new(line, "max_abs_diff_vs_structured", bench_real(max_abs_diff(Ke, Ks, NN)));
            if (have_ref && (double)N * (double)P <= ERRBOUND_MAX_NP) {
                double *eK = malloc(NN * sizeof(double));
                fast_errors e = {NULL, NULL, eK, NULL, NULL};
                bench_agreement a;
                if (eK && !plstar_fast_errbound(&e, m, p.X.data, p.n, p.w, NULL) && !bench_agree(&a, Ke, eK, ref, NN)) {
                    json_object_set_new(line, "agreement",
                                        bench_agreement_json(&a, "K", REF_AGAINST, "rad + plstar_fast_errbound K (proven)"));
                    r->violations += a.violations > 0;
                } else {
                    json_object_set_new(line, "agreement_error", json_string(plstar_errmsg()));
                }
                free(eK);
            } else if (have_ref) {
                json_object_set_new(line, "agreement_note",
                                    json_string("error bound not computed: N·P too large for its J-sized arrays"));
            }
            json_array_append_new(group, line);
        }
        free(Ke);
    }

    if (kc->what & (K_TJ | K_TV)) {
        char recipes[64] = "", tag[192];
        if (kc->what & K_TJ)
            strcat(recipes, "jacobian");
        if (kc->what & K_TV)
            strcat(recipes, recipes[0] ? ",ntkvp" : "ntkvp");
        snprintf(tag, sizeof tag, "kernel-n%zu-w%s", p.n, ws);
        long rss = -1;
        json_t *peer = r->torch ? peer_run(r, &p, tag, recipes, 1, &rss) : NULL;
        static const struct {
            unsigned flag;
            const char *recipe, *impl;
        } rec[] = {{K_TJ, "jacobian_contraction", "torch/jacobian_contraction"},
                   {K_TV, "ntk_vector_products", "torch/ntk_vector_products"}};
        double *eKu = NULL; /* validate's float64 tolerance, computed once for both recipes */
        int eKu_tried = 0;
        for (size_t k = 0; k < 2; k++) {
            if (!(kc->what & rec[k].flag))
                continue;
            json_t *pl = NULL, *v;
            size_t i;
            json_array_foreach(peer, i, v)
            {
                const char *rc = json_string_value(json_object_get(v, "recipe"));
                if (rc && !strcmp(rc, rec[k].recipe))
                    pl = v;
            }
            if (!pl) {
                json_t *line = peer_skipped(r, "kernel", name, rec[k].impl);
                set_common(line, &p, series);
                json_array_append_new(group, line);
                continue;
            }
            json_t *line = bench_case("kernel", name, rec[k].impl);
            set_common(line, &p, series);
            double fl = rec[k].flag == K_TJ ? fl_e + (double)N * ((double)N - 1.0) * (double)P : 0.0;
            peer_case_timing(line, pl, fl, "forward + backward + J + einsum 2N²P", peak, rss);
            plstar_array Kt;
            plstar_npy_init(&Kt);
            const char *kf = json_string_value(json_object_get(pl, "kernel_file"));
            if (kf && !plstar_npy_read(&Kt, kf) && Kt.size == NN) {
                if (struct_done)
                    json_object_set_new(line, "max_abs_diff_vs_structured", bench_real(max_abs_diff(Kt.data, Ks, NN)));
                if (have_ref && (double)N * (double)P <= ERRBOUND_MAX_NP) {
                    if (!eKu_tried) {
                        eKu_tried = 1;
                        eKu = malloc(NN * sizeof(double));
                        fast_arith ar = {0x1p-53, 0, 1, 0x1p-996};
                        fast_errors e = {NULL, NULL, eKu, NULL, NULL};
                        if (eKu && plstar_fast_errbound_u(&e, m, p.X.data, p.n, p.w, NULL, &ar)) {
                            free(eKu);
                            eKu = NULL;
                        }
                        for (size_t q = 0; eKu && q < NN; q++)
                            eKu[q] *= VALIDATE_SLACK;
                    }
                    bench_agreement a;
                    if (eKu && !bench_agree(&a, Kt.data, eKu, ref, NN))
                        json_object_set_new(line, "agreement",
                                            bench_agreement_json(&a, "K", REF_AGAINST,
                                                                 "rad + validate's float64 tolerance (4 x "
                                                                 "plstar_fast_errbound_u, any formulas)"));
                }
            } else {
                json_object_set_new(line, "agreement_error", json_string("the peer's kernel could not be read"));
            }
            if (kf)
                remove(kf);
            plstar_npy_clear(&Kt);
            json_array_append_new(group, line);
        }
        free(eKu);
        json_decref(peer);
    }

done:;
    /* every line of the size, with its time relative to the structured kernel's */
    size_t i;
    json_t *line;
    json_array_foreach(group, i, line)
    {
        json_t *med = json_object_get(line, "median_s");
        if (struct_done && json_is_number(med))
            json_object_set_new(line, "vs_structured", bench_real(json_number_value(med) / struct_median));
        bench_emit(r, line);
    }
    json_decref(group);
    free(Ks);
    if (have_ref)
        arb_mat_clear(ref);
    plstar_problem_clear(&p);
    plstar_error_clear();
    return st;
}

int suite_kernel(bench_run *r)
{
    static const kcase tiny[] = {
        {4, {8, 8}, 2, K_S | K_E | K_R},
        {8, {8, 8}, 2, K_S | K_E | K_R | K_TJ},
    };
    static const kcase quick[] = {
        {16, {64, 64}, 2, K_S | K_E | K_R},
        {32, {64, 64}, 2, K_S | K_E | K_R},
        {64, {64, 64}, 2, K_S | K_E | K_R | K_TJ | K_TV},
        {128, {64, 64}, 2, K_S | K_E | K_R},
        {256, {64, 64}, 2, K_S | K_E},
        {512, {64, 64}, 2, K_S | K_E},
        {1024, {512, 512}, 2, K_S},
    };
    static const kcase full[] = {
        {64, {1024, 1024}, 2, K_S | K_E | K_R | K_TJ | K_TV},
        {128, {1024, 1024}, 2, K_S | K_E | K_R | K_TJ | K_TV},
        {256, {1024, 1024}, 2, K_S | K_E | K_R | K_TJ},
        {512, {1024, 1024}, 2, K_S | K_E},
        {1024, {1024, 1024}, 2, K_S},
        {2048, {1024, 1024}, 2, K_S},
        {4096, {1024, 1024}, 2, K_S},
        {4096, {4096, 4096, 4096}, 3, K_S},
    };
    const kcase *set = r->set == BENCH_TINY ? tiny : r->set == BENCH_QUICK ? quick : full;
    size_t count = r->set == BENCH_TINY ? sizeof tiny / sizeof *tiny
                 : r->set == BENCH_QUICK ? sizeof quick / sizeof *quick
                                         : sizeof full / sizeof *full;
    for (size_t k = 0; k < count; k++) {
        int st = one_size(r, &set[k]);
        if (st == PLSTAR_EINTERRUPTED || st == PLSTAR_ECANTCREAT)
            return st;
        if (st)
            bench_case_error(r, "kernel", "problem", "-");
    }
    return 0;
}

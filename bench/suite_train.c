/*
 * bench/suite_train.c — one gradient-descent step on L(w) = ½‖F(w) − y‖²:
 *   fast       plstar_fast_train (fast/train.h) over a few steps, time per step (each
 *              step is one loss-and-gradient evaluation and the update)
 *   reference  plstar_ref_loss_grad: L and ∇L enclosed in Arb at 128 bits (the work
 *              of one step in the reference)
 *   torch/autograd_gd_step  bench/peers/ntk_torch.py: forward, backward, in-place
 *              update, float64, the same inputs
 * Agreement: where the reference runs, plstar's gradient against its enclosure
 * with the proven allowance (plstar_fast_errbound); PyTorch's losses L(w_0), L(w_1), …
 * against those of plstar_fast_train from the same w_0 in this run.
 */
#include "bench/bench.h"
#include "core/error.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "fast/train.h"
#include "reference/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LR BENCH_LR

typedef struct {
    const plstar_problem *p;
    double *w;         /* trained in place: every call continues from the last */
    size_t steps;
    arb_t loss;
    arb_mat_struct *grad;
} tctx;

static int run_fast(void *v)
{
    tctx *c = v;
    fast_train_options o;
    plstar_fast_train_options_init(&o);
    o.lr = LR;
    o.steps = c->steps;
    o.record_every = c->steps;
    fast_trajectory tr;
    plstar_fast_trajectory_init(&tr);
    int st = plstar_fast_train(&tr, c->w, &c->p->model, c->p->X.data, c->p->n, c->p->y.data, &o);
    plstar_fast_trajectory_clear(&tr);
    return st;
}

static int run_ref(void *v)
{
    tctx *c = v;
    const plstar_problem *p = c->p;
    return plstar_ref_loss_grad(c->loss, c->grad, &p->model, p->X.data, p->n, p->w, p->y.data, PLSTAR_DEFAULT_PREC);
}

static void set_common(json_t *c, const plstar_problem *p, const char *series)
{
    json_object_set_new(c, "sizes", bench_sizes_json(p));
    json_object_set_new(c, "series", json_string(series));
    json_object_set_new(c, "x_name", json_string("n"));
    json_object_set_new(c, "x", json_integer((json_int_t)p->n));
}

/* Scales a timing of whole runs to one step. */
static void per_step(bench_timing *t, double div)
{
    for (int k = 0; k < t->reps; k++)
        t->times[k] /= div;
    t->median_s /= div, t->min_s /= div, t->max_s /= div, t->first_s /= div;
}

static int one_size(bench_run *r, size_t n, const size_t *widths, size_t nw, int do_ref, int do_torch, size_t steps)
{
    plstar_problem p;
    int st = bench_mlp_problem(&p, n, 10, widths, nw, "tanh", 3);
    if (st)
        return st;
    const plstar_model *m = &p.model;
    size_t P = m->nparams;
    char ws[128], name[192], series[160];
    bench_widths_str(ws, sizeof ws, m);
    snprintf(name, sizeof name, "n=%zu d=10 w=%s", n, ws);
    snprintf(series, sizeof series, "d=10 w=%s", ws);
    bench_policy pol = bench_policy_for(r);
    double peak = r->peak.gflops, fl = bench_flops_gd_step(m, n);
    static const char fmodel[] = "forward + backward + gradient, 6n·Σ in·out";
    json_t *lines[3] = {NULL, NULL, NULL};
    double *w = malloc(P * sizeof(double));
    tctx c = {.p = &p, .w = w, .steps = steps};
    arb_init(c.loss);

    if (w) { /* fast */
        memcpy(w, p.w, P * sizeof(double));
        bench_timing t;
        if (bench_time(&t, &pol, run_fast, &c)) {
            bench_case_error(r, "train", name, "fast");
        } else {
            per_step(&t, (double)(steps + 1)); /* steps updates + the final evaluation at w_T */
            json_t *l = lines[0] = bench_case("train", name, "fast");
            set_common(l, &p, series);
            bench_case_timing(l, &t, fl, fmodel, peak);
            json_object_set_new(l, "steps_per_call", json_integer((json_int_t)steps));
            json_object_set_new(l, "lr", json_real(LR));
        }
    }

    if (do_ref) {
        arb_mat_t g;
        arb_mat_init(g, (slong)P, 1);
        c.grad = g;
        bench_timing t;
        if (bench_time(&t, &pol, run_ref, &c)) {
            bench_case_error(r, "train", name, "reference");
        } else {
            json_t *l = lines[1] = bench_case("train", name, "reference");
            set_common(l, &p, series);
            bench_case_timing(l, &t, fl, "GD step's count, in ball operations", peak);
            json_object_set_new(l, "prec", json_integer(PLSTAR_DEFAULT_PREC));
            /* plstar's fast gradient at w_0 against the enclosure */
            double loss, *grad = malloc(P * sizeof(double)), *eg = malloc(P * sizeof(double)), el = 0;
            fast_errors e = {NULL, NULL, NULL, &el, eg};
            bench_agreement a;
            if (grad && eg && lines[0] && !plstar_fast_loss_grad(&loss, grad, m, p.X.data, p.n, p.w, p.y.data) &&
                !plstar_fast_errbound(&e, m, p.X.data, p.n, p.w, p.y.data) && !bench_agree(&a, grad, eg, g, P)) {
                json_object_set_new(lines[0], "agreement",
                                    bench_agreement_json(&a, "∇L(w_0)", "reference plstar_ref_loss_grad ∇L(w_0) (Arb, 128 bits), this run",
                                                         "rad + plstar_fast_errbound ∇L (proven)"));
                r->violations += a.violations > 0;
            }
            free(grad), free(eg);
        }
        arb_mat_clear(g);
    }

    if (do_torch) {
        char tag[192];
        snprintf(tag, sizeof tag, "train-n%zu-w%s", n, ws);
        long rss = -1;
        json_t *peer = r->torch ? peer_run(r, &p, tag, "gd", (int)steps, &rss) : NULL, *pl = NULL, *v;
        size_t i;
        json_array_foreach(peer, i, v)
        {
            const char *rc = json_string_value(json_object_get(v, "recipe"));
            if (rc && !strcmp(rc, "autograd_gd_step"))
                pl = v;
        }
        if (!pl) {
            lines[2] = peer_skipped(r, "train", name, "torch/autograd_gd_step");
            set_common(lines[2], &p, series);
        } else {
            json_t *l = lines[2] = bench_case("train", name, "torch/autograd_gd_step");
            set_common(l, &p, series);
            peer_case_timing(l, pl, fl, fmodel, peak, rss);
            json_object_set_new(l, "steps_per_call", json_integer((json_int_t)steps));
            json_object_set_new(l, "lr", json_real(LR));
            /* its losses against plstar_fast_train's from the same w_0 */
            json_t *tl = json_object_get(pl, "losses");
            size_t T = json_array_size(tl);
            if (T > 11)
                T = 11;
            if (T >= 2) {
                fast_train_options o;
                plstar_fast_train_options_init(&o);
                o.lr = LR;
                o.steps = T - 1;
                o.record_every = 1;
                fast_trajectory tr;
                plstar_fast_trajectory_init(&tr);
                double *w0 = malloc(P * sizeof(double));
                if (w0) {
                    memcpy(w0, p.w, P * sizeof(double));
                    if (!plstar_fast_train(&tr, w0, m, p.X.data, p.n, p.y.data, &o) && tr.rows >= T) {
                        double worst = 0, wabs = 0;
                        for (size_t k = 0; k < T; k++) {
                            double lf = tr.data[k * tr.cols + 1], lt = json_number_value(json_array_get(tl, k));
                            double d = fabs(lt - lf);
                            wabs = fmax(wabs, d);
                            worst = fmax(worst, d / fabs(lf));
                        }
                        json_t *a = json_object();
                        json_object_set_new(a, "against", json_string("plstar plstar_fast_train losses L(w_0..w_T) from the "
                                                                      "same w_0, this run"));
                        json_object_set_new(a, "entries", json_integer((json_int_t)T));
                        json_object_set_new(a, "max_abs_diff", bench_real(wabs));
                        json_object_set_new(a, "max_rel_diff", bench_real(worst));
                        json_object_set_new(l, "agreement", a);
                    }
                    free(w0);
                }
                plstar_fast_trajectory_clear(&tr);
            }
        }
        json_decref(peer);
    }

    double base = lines[0] ? json_number_value(json_object_get(lines[0], "median_s")) : NAN;
    for (int k = 0; k < 3; k++) {
        if (!lines[k])
            continue;
        json_t *med = json_object_get(lines[k], "median_s");
        if (isfinite(base) && json_is_number(med))
            json_object_set_new(lines[k], "vs_fast", bench_real(json_number_value(med) / base));
        bench_emit(r, lines[k]);
        json_decref(lines[k]);
    }
    arb_clear(c.loss);
    free(w);
    plstar_problem_clear(&p);
    plstar_error_clear();
    return 0;
}

int suite_train(bench_run *r)
{
    static const size_t wt[] = {16, 16}, wq[] = {256, 256}, wf[] = {1024, 1024};
    int st = 0;
    if (r->set == BENCH_TINY) {
        st = one_size(r, 8, wt, 2, 1, 1, 3);
    } else if (r->set == BENCH_QUICK) {
        static const size_t ns[] = {64, 256, 1024};
        for (size_t k = 0; k < 3 && !st; k++)
            st = one_size(r, ns[k], wq, 2, k == 0, k == 0, 10);
    } else {
        static const size_t ns[] = {64, 256, 1024, 4096}, steps[] = {10, 10, 10, 3};
        for (size_t k = 0; k < 4 && !st; k++)
            st = one_size(r, ns[k], wf, 2, k == 0, 1, steps[k]);
    }
    if (st)
        bench_case_error(r, "train", "problem", "-");
    return 0;
}

/* bench/peer.c — the PyTorch peer: same inputs as .npy, bench/peers/ntk_torch.py in a subprocess,
 * its JSON lines parsed back. */
#include "bench/bench.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/outfile.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


void peer_check(bench_run *r)
{
    r->torch = 0;
    if (!r->peers) {
        snprintf(r->torch_why, sizeof r->torch_why, "peers disabled (--no-peers)");
        return;
    }
    const char *dir = getenv("PLSTAR_BENCH_PEERS");
    char *script = NULL;
    if (dir && *dir)
        script = plstar_outfile_path_join(dir, "ntk_torch.py");
    else if (bench_source_root())
        script = plstar_outfile_path_join(bench_source_root(), "bench/peers/ntk_torch.py");
    if (!script || access(script, R_OK)) {
        snprintf(r->torch_why, sizeof r->torch_why,
                 "peer script bench/peers/ntk_torch.py not found (set PLSTAR_SOURCE_ROOT or PLSTAR_BENCH_PEERS)");
        free(script);
        return;
    }
    free(r->peer_script);
    r->peer_script = script;
    char *argv[] = {(char *)r->python, "-c",
                    "import numpy, torch\ntry:\n    import functorch\nexcept ImportError:\n    import torch.func\n",
                    NULL};
    char *out = NULL;
    int st = bench_spawn(argv, &out, NULL, "/dev/null");
    free(out);
    if (st == 0)
        r->torch = 1;
    else if (st < 0)
        snprintf(r->torch_why, sizeof r->torch_why, "torch not installed (%s cannot be run)", r->python);
    else
        snprintf(r->torch_why, sizeof r->torch_why, "torch not installed (%s cannot import torch, numpy and "
                 "functorch/torch.func)", r->python);
}

json_t *peer_run(bench_run *r, const plstar_problem *p, const char *tag, const char *recipes, int steps,
                 long *rss_kib)
{
    if (!r->torch)
        return NULL;
    char *dir = plstar_outfile_path_join(r->tmp_dir, tag);
    char *fm = dir ? plstar_outfile_path_join(dir, "model.json") : NULL, *fx = dir ? plstar_outfile_path_join(dir, "X.npy") : NULL;
    char *fw = dir ? plstar_outfile_path_join(dir, "w.npy") : NULL, *fy = dir ? plstar_outfile_path_join(dir, "y.npy") : NULL;
    char *desc = plstar_model_to_json(&p->model);
    json_t *lines = NULL;
    int st = (!dir || !fm || !fx || !fw || !fy || !desc) ? PLSTAR_ESOFTWARE : PLSTAR_OK;
    if (!st && mkdir(dir, 0755) && access(dir, W_OK))
        st = plstar_error(PLSTAR_ECANTCREAT, "%s: cannot create the peer's directory", dir);
    if (!st)
        st = plstar_outfile_write_text(fm, desc);
    if (!st)
        st = plstar_npy_write_matrix(fx, p->X.data, p->n, p->model.input_dim);
    if (!st)
        st = plstar_npy_write_vector(fw, p->w, p->model.nparams);
    if (!st)
        st = plstar_npy_write_vector(fy, p->y.data, p->N);
    if (st) {
        snprintf(r->torch_why, sizeof r->torch_why, "peer inputs not written: %s", plstar_errmsg());
    } else {
        char threads[16], steps_s[16], warm[16], reps[16], minr[16], budget[32], lng[32], lr[32];
        snprintf(lr, sizeof lr, "%.17g", BENCH_LR);
        snprintf(threads, sizeof threads, "%d", openblas_get_num_threads());
        snprintf(steps_s, sizeof steps_s, "%d", steps > 0 ? steps : 1);
        snprintf(warm, sizeof warm, "%d", r->policy.warmup);
        snprintf(reps, sizeof reps, "%d", r->policy.max_reps);
        snprintf(minr, sizeof minr, "%d", r->policy.min_reps);
        snprintf(budget, sizeof budget, "%g", r->policy.budget_s);
        snprintf(lng, sizeof lng, "%g", r->policy.long_s);
        char *argv[] = {(char *)r->python, r->peer_script, "--model", fm, "--data", fx, "--weights", fw,
                        "--labels", fy, "--recipes", (char *)recipes, "--threads", threads, "--steps", steps_s,
                        "--warmup", warm, "--repeat", reps, "--min-repeat", minr, "--budget", budget,
                        "--long", lng, "--lr", lr, "--save-kernel", dir, NULL};
        char *out = NULL;
        int rc = bench_spawn(argv, &out, rss_kib, r->peer_log);
        if (rc != 0) {
            snprintf(r->torch_why, sizeof r->torch_why, "peer failed with status %d (see %s)", rc,
                     r->peer_log ? r->peer_log : "stderr");
        } else {
            lines = json_array();
            for (char *s = out, *e; s && *s; s = e ? e + 1 : NULL) {
                e = strchr(s, '\n');
                if (e)
                    *e = 0;
                json_t *j = *s == '{' ? json_loads(s, 0, NULL) : NULL;
                if (j)
                    json_array_append_new(lines, j);
                if (!e)
                    break;
            }
        }
        free(out);
    }
    free(dir), free(fm), free(fx), free(fw), free(fy), free(desc);
    plstar_error_clear();
    return lines;
}

void peer_case_timing(json_t *c, const json_t *peer, double flops, const char *flops_model, double peak_gflops,
                      long rss_kib)
{
    bench_timing t;
    memset(&t, 0, sizeof t);
    json_t *times = json_object_get(peer, "times");
    size_t k;
    json_t *v;
    json_array_foreach(times, k, v)
    {
        if (t.reps < BENCH_MAX_REPS && json_is_number(v))
            t.times[t.reps++] = json_number_value(v);
    }
    if (!t.reps) { /* an older script: only its best time */
        json_t *s = json_object_get(peer, "seconds");
        t.times[t.reps++] = json_is_number(s) ? json_number_value(s) : NAN;
    }
    json_t *w = json_object_get(peer, "warmup");
    t.warmup = json_is_integer(w) ? (int)json_integer_value(w) : 0;
    t.first_s = t.times[0];
    bench_stats(&t.median_s, &t.min_s, &t.max_s, t.times, (size_t)t.reps);
    t.rss_peak_kib = rss_kib;
    t.rss_exact = 1;
    bench_case_timing(c, &t, flops, flops_model, peak_gflops);
    json_object_set_new(c, "rss_note", json_string("peak RSS of the peer process (Python and torch included)"));
    json_t *ver = json_object_get(peer, "torch");
    if (json_is_string(ver))
        json_object_set_new(c, "peer_version", json_sprintf("torch %s, %s, %d threads", json_string_value(ver),
                                                           json_string_value(json_object_get(peer, "functional"))
                                                               ? json_string_value(json_object_get(peer, "functional"))
                                                               : "no functorch",
                                                           (int)json_integer_value(json_object_get(peer, "threads"))));
}

json_t *peer_skipped(const bench_run *r, const char *suite, const char *name, const char *impl)
{
    json_t *c = bench_case(suite, name, impl);
    json_object_set_new(c, "skipped", json_string(r->torch_why[0] ? r->torch_why : "torch not installed"));
    return c;
}

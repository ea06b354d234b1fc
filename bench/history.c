/*
 * bench/history.c — past runs and their comparison.
 *
 * A run file is JSON lines: the header (machine, run, roof) then one line per
 * case. Runs are compared case by case, (suite, case, impl) being the key.
 * The new times are first put on the old run's machine speed: multiplied by
 * new roof / old roof (each the mean of the DGEMM rates at the start and the
 * end of its run), since a virtual machine runs everything 5–20% faster or
 * slower from one hour to the next. With the noise band b = the old run's
 * max − min, but at least 10% of its median (a quiet run's spread is far
 * tighter than that variation), the scaled new median is
 *   a regression  when > old max + b,
 *   faster        when < old min − b,
 *   unchanged     otherwise.
 * An agreement that had no violations and now has some is a regression too.
 */
#include "bench/bench.h"
#include "core/error.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bench_read_results(const char *path, json_t **header, json_t **lines)
{
    *header = NULL;
    *lines = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return plstar_error(PLSTAR_ENOINPUT, "%s: cannot open the results file", path);
    json_t *arr = json_array();
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t lineno = 0;
    int st = PLSTAR_OK;
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (len <= 1)
            continue;
        json_error_t e;
        json_t *j = json_loads(line, 0, &e);
        if (!j || !json_is_object(j)) {
            json_decref(j);
            st = plstar_error(PLSTAR_EDATA, "%s: line %zu is not a JSON object", path, lineno);
            break;
        }
        if (!*header && json_object_get(j, "machine"))
            *header = j;
        else
            json_array_append_new(arr, j);
    }
    free(line);
    fclose(f);
    if (!st && !*header)
        st = plstar_error(PLSTAR_EDATA, "%s: no machine line; not a plstar bench results file", path);
    if (st) {
        json_decref(*header);
        json_decref(arr);
        *header = NULL;
        return st;
    }
    *lines = arr;
    return PLSTAR_OK;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char **bench_history_files(const char *dir, size_t *count)
{
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t cap = 16, n = 0;
    char **list = malloc(cap * sizeof(char *));
    struct dirent *e;
    while (list && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 7 || strcmp(e->d_name + len - 6, ".jsonl") || e->d_name[0] == '.')
            continue;
        if (n + 2 > cap) {
            char **nl = realloc(list, (cap *= 2) * sizeof(char *));
            if (!nl)
                break;
            list = nl;
        }
        size_t plen = strlen(dir) + len + 2;
        list[n] = malloc(plen);
        if (list[n])
            snprintf(list[n++], plen, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (!list)
        return NULL;
    list[n] = NULL;
    qsort(list, n, sizeof(char *), cmp_str); /* names start with the UTC date-time */
    *count = n;
    return list;
}

void bench_free_list(char **list)
{
    for (size_t k = 0; list && list[k]; k++)
        free(list[k]);
    free(list);
}

static const json_t *find(const json_t *lines, const json_t *l)
{
    size_t i;
    json_t *m;
    json_array_foreach(lines, i, m)
    {
        if (!strcmp(bench_json_str(m, "suite"), bench_json_str(l, "suite")) && !strcmp(bench_json_str(m, "case"), bench_json_str(l, "case")) &&
            !strcmp(bench_json_str(m, "impl"), bench_json_str(l, "impl")) && json_is_number(json_object_get(m, "median_s")))
            return m;
    }
    return NULL;
}

static long long violations(const json_t *l)
{
    json_t *a = json_object_get(l, "agreement");
    return json_is_object(a) && json_is_integer(json_object_get(a, "violations"))
               ? (long long)json_integer_value(json_object_get(a, "violations"))
               : 0;
}

static void fmt(char *b, size_t len, double s)
{
    if (!isfinite(s))
        snprintf(b, len, "-");
    else if (s < 1e-3)
        snprintf(b, len, "%.3gus", s * 1e6);
    else if (s < 1)
        snprintf(b, len, "%.4gms", s * 1e3);
    else
        snprintf(b, len, "%.4gs", s);
}

/* A run's DGEMM rate: the mean of its start and end measurements (0 if none). */
static double roof_of(const json_t *header)
{
    double a = bench_json_num(json_object_get(header, "peak"), "gflops"),
           b = bench_json_num(json_object_get(header, "peak_end"), "gflops");
    if (!(a > 0))
        return b > 0 ? b : 0.0;
    return b > 0 ? 0.5 * (a + b) : a;
}

#define BAND_MIN 0.10 /* of the old median */

int bench_compare_files(const char *old_path, const char *new_path, FILE *out)
{
    json_t *oh, *ol, *nh, *nl;
    int st = bench_read_results(old_path, &oh, &ol);
    if (st)
        return st;
    if ((st = bench_read_results(new_path, &nh, &nl))) {
        json_decref(oh), json_decref(ol);
        return st;
    }
    const json_t *orun = json_object_get(oh, "run"), *nrun = json_object_get(nh, "run");
    const json_t *om = json_object_get(oh, "machine"), *nm = json_object_get(nh, "machine");
    fprintf(out, "old: %s  (%s, git %s, set %s)\nnew: %s  (%s, git %s, set %s)\n", old_path, bench_json_str(orun, "date_utc"),
            bench_json_str(orun, "git_rev"), bench_json_str(orun, "set"), new_path, bench_json_str(nrun, "date_utc"), bench_json_str(nrun, "git_rev"),
            bench_json_str(nrun, "set"));
    if (strcmp(bench_json_str(om, "cpu"), bench_json_str(nm, "cpu")) || bench_json_num(om, "nproc") != bench_json_num(nm, "nproc"))
        fprintf(out, "note: different machines (%s, %g CPUs vs %s, %g CPUs): times are not comparable\n",
                bench_json_str(om, "cpu"), bench_json_num(om, "nproc"), bench_json_str(nm, "cpu"), bench_json_num(nm, "nproc"));
    if (strcmp(bench_json_str(orun, "set"), bench_json_str(nrun, "set")))
        fprintf(out, "note: different size sets; only the cases both ran are compared\n");
    double oroof = roof_of(oh), nroof = roof_of(nh), speed = oroof > 0 && nroof > 0 ? nroof / oroof : 1.0;
    fprintf(out, "machine speed: roof %.4g GFLOP/s then %.4g; new times scaled by %.4f\n", oroof, nroof, speed);
    fprintf(out, "rule: regression when scaled new median > old max + b; faster when < old min - b; "
                 "b = max(old max - old min, %.0f%% of old median)\n\n", 100 * BAND_MIN);
    fprintf(out, "%-8s %-40s %-26s %26s %10s %8s  %s\n", "suite", "case", "impl", "old median [min, max]",
            "new median", "change", "verdict");
    size_t i, regress = 0, faster = 0, same = 0, only_new = 0, compared = 0;
    json_t *l;
    json_array_foreach(nl, i, l)
    {
        if (!json_is_number(json_object_get(l, "median_s")))
            continue;
        const json_t *o = find(ol, l);
        if (!o) {
            only_new++;
            continue;
        }
        compared++;
        double om_ = bench_json_num(o, "median_s"), omin = bench_json_num(o, "min_s"), omax = bench_json_num(o, "max_s"),
               nmed = bench_json_num(l, "median_s") * speed;
        double band = fmax(omax - omin, BAND_MIN * om_);
        int slower = nmed > omax + band, quicker = nmed < omin - band;
        int worse = violations(l) > 0 && violations(o) == 0; /* it agreed before and does not now */
        const char *verdict = worse ? (slower ? "REGRESSION (time, agreement)" : "REGRESSION (agreement)")
                            : slower ? "REGRESSION"
                            : quicker ? "faster"
                                      : "ok";
        if (slower || worse)
            regress++;
        else if (quicker)
            faster++;
        else
            same++;
        char a[32], b[32], c[32], d[32], oldcol[100];
        fmt(a, sizeof a, om_), fmt(b, sizeof b, omin), fmt(c, sizeof c, omax), fmt(d, sizeof d, nmed);
        snprintf(oldcol, sizeof oldcol, "%s [%s, %s]", a, b, c);
        fprintf(out, "%-8s %-40s %-26s %26s %10s %+7.1f%%  %s\n", bench_json_str(l, "suite"), bench_json_str(l, "case"), bench_json_str(l, "impl"),
                oldcol, d, 100.0 * (nmed / om_ - 1.0), verdict);
    }
    size_t only_old = 0;
    json_array_foreach(ol, i, l) only_old += json_is_number(json_object_get(l, "median_s")) && !find(nl, l);
    fprintf(out, "\n%zu cases compared: %zu regressions, %zu faster, %zu within the noise band", compared, regress,
            faster, same);
    if (only_new || only_old)
        fprintf(out, "; %zu only in the new run, %zu only in the old", only_new, only_old);
    fprintf(out, "\n");
    json_decref(oh), json_decref(ol), json_decref(nh), json_decref(nl);
    return regress ? PLSTAR_REFUTED : PLSTAR_OK;
}

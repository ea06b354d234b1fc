/*
 * bench/report.c — DIR/summary.md (one table per suite, the scaling fits) and
 * the plots under DIR/plots/ (gnuplot scripts and data next to each PNG):
 *   <suite>_time.png  median time vs size on log–log axes per implementation,
 *                     min–max bars, and dashed the time a run at this run's
 *                     DGEMM rate would take (flops / roof) where a flop model exists
 *   scaling.png       the scaling sweeps with their fitted power laws
 *   agreement.png     histograms of log10(|value − mid| / allowance) against the
 *                     reference enclosures of this run
 *   history.png       per case, the median of every past run of the same set
 *                     relative to the latest one
 * Every title states what the figure is measured against.
 */
#include "bench/bench.h"
#include "core/error.h"
#include "core/outfile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void slug(char *out, size_t len, const char *s)
{
    size_t k = 0;
    for (; *s && k + 1 < len; s++)
        out[k++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ? *s : '_');
    out[k] = 0;
}

/* gnuplot single-quoted string: quotes doubled */
static void gq(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* A panel with nothing to show (gnuplot refuses a plot without points). */
static void empty_panel(FILE *g)
{
    fprintf(g, "set label 99 'no cases' at graph 0.5, graph 0.5 center\nplot 1 lc rgb '#ffffff' notitle\n"
               "unset label 99\n");
}

static int write_buffer(const char *dir, const char *name, char *buf)
{
    char *p = plstar_outfile_path_join(dir, name);
    int st = p ? plstar_outfile_write_text(p, buf ? buf : "") : PLSTAR_ESOFTWARE;
    free(p);
    return st;
}

/* Runs gnuplot on DIR/NAME inside DIR (the scripts name their files relative to it, so the
 * directory can be moved); a missing gnuplot is a message, not an error. */
static void render(const char *dir, const char *name)
{
    char *cd = NULL, *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&cd, &len);
    fputs("cd ", f);
    gq(f, dir);
    fclose(f);
    char *argv[] = {"gnuplot", "-e", cd, (char *)name, NULL};
    char *log = plstar_outfile_path_join(dir, "gnuplot.log");
    int rc = bench_spawn(argv, &out, NULL, log);
    free(log);
    if (rc < 0)
        fprintf(stderr, "plstar bench: gnuplot not found; %s/%s was written but not rendered\n", dir, name);
    else if (rc)
        fprintf(stderr, "plstar bench: gnuplot failed on %s/%s (status %d; see %s/gnuplot.log)\n", dir, name, rc,
                dir);
    free(out), free(cd);
}

static void fmt_s(char *b, size_t len, double s)
{
    if (!isfinite(s))
        snprintf(b, len, "–");
    else if (s < 1e-3)
        snprintf(b, len, "%.3g µs", s * 1e6);
    else if (s < 1)
        snprintf(b, len, "%.3g ms", s * 1e3);
    else
        snprintf(b, len, "%.3g s", s);
}

/* ---- summary.md -------------------------------------------------------- */

static void agreement_text(char *b, size_t len, const json_t *l)
{
    json_t *a = json_object_get(l, "agreement");
    b[0] = 0;
    const char *verdict = json_string_value(json_object_get(l, "verdict"));
    if (json_is_object(a)) {
        double c = bench_json_num(a, "containment"), w = bench_json_num(a, "worst_ratio"), d = bench_json_num(a, "max_abs_diff"),
               dr = bench_json_num(a, "max_diff_over_rad"), rel = bench_json_num(a, "max_rel_diff");
        json_t *li = json_object_get(a, "lapack_inside");
        if (isfinite(rel))
            snprintf(b, len, "losses: max rel. Δ %.2g over %lld steps", rel,
                     (long long)json_integer_value(json_object_get(a, "entries")));
        else if (json_is_boolean(li))
            snprintf(b, len, "LAPACK λ_min %s the verified interval (width %.2g·λ)", json_is_true(li) ? "inside" : "OUTSIDE",
                     bench_json_num(a, "width_over_lambda"));
        else if (isfinite(w))
            snprintf(b, len, "%.4g%% inside; worst %.2g of allowance; max\\|Δ\\| %.2g; max\\|Δ\\|/rad %.2g", 100 * c, w, d,
                     dr);
        else if (isfinite(c) && isfinite(bench_json_num(a, "width_over_lambda"))) /* a proven interval */
            snprintf(b, len, "%s the reference; width %.2g·λ; lower end %.2g·λ below", c == 1 ? "overlaps" : "MISSES",
                     bench_json_num(a, "width_over_lambda"), bench_json_num(a, "lower_gap_over_lambda"));
        else if (isfinite(c) && !strcmp(bench_json_str(l, "impl"), "verified_lmin"))
            snprintf(b, len, "%s; %.2g·λ below λ_min", c == 1 ? "below the reference's upper end" : "ABOVE the reference",
                     bench_json_num(a, "lower_gap_over_lambda"));
        else if (isfinite(c))
            snprintf(b, len, "rel. error %.2g; %s rad + n·u·λ_max", fabs(bench_json_num(a, "lower_gap_over_lambda")),
                     c == 1 ? "within" : "NOT within");
    } else if (isfinite(bench_json_num(l, "max_abs_diff_vs_structured"))) {
        snprintf(b, len, "max\\|Δ\\| vs structured %.2g", bench_json_num(l, "max_abs_diff_vs_structured"));
    }
    if (verdict) {
        size_t u = strlen(b);
        snprintf(b + u, len - u, "%s%s", u ? "; " : "", verdict);
        if (isfinite(bench_json_num(l, "worst_ratio"))) {
            u = strlen(b);
            snprintf(b + u, len - u, " (worst %.2g of allowance)", bench_json_num(l, "worst_ratio"));
        }
    }
    if (!b[0] && !strcmp(bench_json_str(l, "impl"), "reference") && json_is_number(json_object_get(l, "prec")))
        snprintf(b, len, "the reference (Arb, %lld bits)", (long long)json_integer_value(json_object_get(l, "prec")));
    json_t *lm = json_object_get(l, "lambda_min");
    if (json_is_object(lm)) {
        size_t u = strlen(b);
        snprintf(b + u, len - u, "%sλ_min ∈ [%.10g, %.10g]", u ? "; " : "", bench_json_num(lm, "lower"), bench_json_num(lm, "upper"));
    }
}

static const char *baseline_key(const char *suite)
{
    return !strcmp(suite, "kernel") ? "vs_structured" : !strcmp(suite, "eig") ? "vs_lapack" : !strcmp(suite, "train") ? "vs_fast" : NULL;
}

static const char *baseline_name(const char *suite)
{
    return !strcmp(suite, "kernel") ? "× structured" : !strcmp(suite, "eig") ? "× LAPACK" : !strcmp(suite, "train") ? "× fast" : "";
}

static void summary(FILE *f, const json_t *header, const json_t *lines)
{
    const json_t *run = json_object_get(header, "run"), *mach = json_object_get(header, "machine"),
                 *pk = json_object_get(header, "peak");
    fprintf(f, "Run `%s` (%s), git %s%s, plstar %s.\n\n", bench_json_str(run, "set"), bench_json_str(run, "date_utc"), bench_json_str(run, "git_rev"),
            json_is_true(json_object_get(run, "git_dirty")) ? " (uncommitted changes)" : "", bench_json_str(run, "plstar_version"));
    fprintf(f, "Machine: %s, %lld CPUs, %.1f GiB; %s (%lld threads).\n\n", bench_json_str(mach, "cpu"),
            (long long)json_integer_value(json_object_get(mach, "nproc")), bench_json_num(mach, "mem_total_kib") / 1048576.0,
            bench_json_str(mach, "openblas_config"), (long long)json_integer_value(json_object_get(mach, "openblas_threads")));
    fprintf(f, "Roof: DGEMM %lld³ measured in this run, median %.1f GFLOP/s (min–max %.1f–%.1f over %lld calls); "
               "every GFLOP/s figure below is a share of it.\n",
            (long long)json_integer_value(json_object_get(pk, "size")), bench_json_num(pk, "gflops"), bench_json_num(pk, "gflops_min"),
            bench_json_num(pk, "gflops_max"), (long long)json_integer_value(json_object_get(pk, "reps")));
    const json_t *pk2 = json_object_get(header, "peak_end");
    if (json_is_object(pk2))
        fprintf(f, "Measured again at the end of the run: %.1f GFLOP/s.\n", bench_json_num(pk2, "gflops"));
    const json_t *la = json_object_get(mach, "loadavg_start");
    if (json_is_array(la))
        fprintf(f, "\nLoad average (1 min) %.1f at the start, %.1f at the end, on %lld CPUs: a load above the CPU count "
                   "means other processes shared the machine, and shares of the roof can then exceed 100%% when the "
                   "roof was measured at a busier moment than a case.\n",
                json_number_value(json_array_get(la, 0)), bench_json_num(mach, "loadavg_end"),
                (long long)json_integer_value(json_object_get(mach, "nproc")));
    static const char *const suites[] = {"kernel", "eig", "train", "certify", "scaling"};
    for (size_t s = 0; s < sizeof suites / sizeof *suites; s++) {
        size_t i, nrows = 0;
        json_t *l;
        json_array_foreach(lines, i, l) nrows += !strcmp(bench_json_str(l, "suite"), suites[s]) && !json_object_get(l, "fit");
        if (!nrows)
            continue;
        const char *bk = baseline_key(suites[s]);
        if (bk)
            fprintf(f, "\n**%s**\n\n| case | impl | median | min – max | GFLOP/s | peak share | %s | peak RSS | agreement |\n"
                       "|---|---|---:|---:|---:|---:|---:|---:|---|\n",
                    suites[s], baseline_name(suites[s]));
        else
            fprintf(f, "\n**%s**\n\n| case | impl | median | min – max | GFLOP/s | peak share | peak RSS | %s |\n"
                       "|---|---|---:|---:|---:|---:|---:|---|\n",
                    suites[s], strcmp(suites[s], "certify") ? "agreement" : "verdict");
        json_array_foreach(lines, i, l)
        {
            if (strcmp(bench_json_str(l, "suite"), suites[s]) || json_object_get(l, "fit"))
                continue;
            char med[32], lo[32], hi[32], ag[512];
            const char *skip = json_string_value(json_object_get(l, "skipped"));
            const char *err = json_string_value(json_object_get(l, "error"));
            if (skip || err) {
                fprintf(f, "| %s | %s | %s: %s | | | | |%s |\n", bench_json_str(l, "case"), bench_json_str(l, "impl"), skip ? "skipped" : "error",
                        skip ? skip : err, bk ? " |" : "");
                continue;
            }
            fmt_s(med, sizeof med, bench_json_num(l, "median_s"));
            fmt_s(lo, sizeof lo, bench_json_num(l, "min_s"));
            fmt_s(hi, sizeof hi, bench_json_num(l, "max_s"));
            agreement_text(ag, sizeof ag, l);
            double gf = bench_json_num(l, "gflops"), sh = bench_json_num(l, "peak_share"), vs = bk ? bench_json_num(l, bk) : NAN,
                   rss = bench_json_num(l, "rss_peak_kib");
            fprintf(f, "| %s | %s | %s | %s – %s | ", bench_json_str(l, "case"), bench_json_str(l, "impl"), med, lo, hi);
            if (isfinite(gf))
                fprintf(f, "%.3g | %.1f%% | ", gf, 100 * sh);
            else
                fprintf(f, "– | – | ");
            if (bk && isfinite(vs))
                fprintf(f, "%.3g | ", vs);
            else if (bk)
                fprintf(f, "– | ");
            if (isfinite(rss))
                fprintf(f, "%.0f MiB | ", rss / 1024.0);
            else
                fprintf(f, "– | ");
            fprintf(f, "%s |\n", ag);
        }
    }
    size_t i, nfit = 0;
    json_t *l;
    json_array_foreach(lines, i, l) nfit += json_is_object(json_object_get(l, "fit"));
    if (nfit) {
        fprintf(f, "\n**scaling fits** (least-squares slope of log time on log size)\n\n"
                   "| sweep | points | range | fitted exponent | R² | flop-model exponent (same points) | asymptotic |\n"
                   "|---|---:|---|---:|---:|---:|---|\n");
        json_array_foreach(lines, i, l)
        {
            json_t *fit = json_object_get(l, "fit");
            if (!json_is_object(fit))
                continue;
            fprintf(f, "| %s | %lld | %s %g – %g | %.3f | %.4f | %.3f | %s |\n", bench_json_str(fit, "fixed"),
                    (long long)json_integer_value(json_object_get(fit, "points")), bench_json_str(fit, "variable"),
                    bench_json_num(fit, "x_min"), bench_json_num(fit, "x_max"), bench_json_num(fit, "exponent"), bench_json_num(fit, "r2"),
                    bench_json_num(fit, "expected_model"), bench_json_str(fit, "expected_asymptotic"));
        }
    }
}

/* ---- time plots ----------------------------------------------------------- */

typedef struct {
    const char *impl, *series;
    char label[200];
    int roof;
} curve;

/* The curves of a suite: one per (impl, series), in order of appearance. */
static size_t curves_of(const json_t *lines, const char *suite, curve *out, size_t max)
{
    size_t n = 0, i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        if (strcmp(bench_json_str(l, "suite"), suite) || !json_is_number(json_object_get(l, "median_s")))
            continue;
        const char *im = bench_json_str(l, "impl"), *se = bench_json_str(l, "series");
        size_t k;
        for (k = 0; k < n && (strcmp(out[k].impl, im) || strcmp(out[k].series, se)); k++)
            ;
        if (k == n && n < max)
            out[n++] = (curve){im, se, "", 0};
    }
    int several = 0;
    for (size_t k = 1; k < n; k++)
        several |= strcmp(out[k].series, out[0].series) != 0;
    for (size_t k = 0; k < n; k++) {
        if (several)
            snprintf(out[k].label, sizeof out[k].label, "%s [%s]", out[k].impl, out[k].series);
        else
            snprintf(out[k].label, sizeof out[k].label, "%s", out[k].impl);
    }
    return n;
}

static int time_plot(const char *pdir, const char *suite, const json_t *lines, const json_t *peak)
{
    curve cv[24];
    size_t nc = curves_of(lines, suite, cv, 24);
    if (!nc)
        return 0;
    int several = strchr(cv[0].label, '[') != NULL;
    const char *xname = "n";
    double roof = bench_json_num(peak, "gflops");
    char *gp = NULL;
    size_t gplen = 0;
    FILE *g = open_memstream(&gp, &gplen);
    fprintf(g, "set terminal pngcairo size 1000,%d font ',10' noenhanced\nset output '%s_time.png'\n", 700 + 20 * (int)((nc + 1) / 2), suite);
    fprintf(g, "set logscale xy\nset grid\nset key outside below horizontal maxcols 2\nset format y '%%g'\n"
               "set offsets graph 0.05, graph 0.05, 0, 0\n");
    int any_peak = 0;
    for (size_t k = 0; k < nc; k++) {
        char sl[220], dname[256];
        slug(sl, sizeof sl, cv[k].label);
        snprintf(dname, sizeof dname, "%s_time_%s.dat", suite, sl);
        char *d = NULL;
        size_t dl = 0;
        FILE *df = open_memstream(&d, &dl);
        fprintf(df, "# x median_s min_s max_s peak_time_s  (%s, %s)\n", suite, cv[k].label);
        size_t i;
        json_t *l;
        json_array_foreach(lines, i, l)
        {
            if (strcmp(bench_json_str(l, "suite"), suite) || strcmp(bench_json_str(l, "impl"), cv[k].impl) ||
                strcmp(bench_json_str(l, "series"), cv[k].series) || !json_is_number(json_object_get(l, "median_s")))
                continue;
            xname = bench_json_str(l, "x_name");
            /* ball arithmetic shares the structured count: its roof line would repeat that one */
            double pt = strstr(bench_json_str(l, "flops_model"), "ball operations") ? NAN : bench_json_num(l, "peak_time_s");
            any_peak |= isfinite(pt);
            cv[k].roof |= isfinite(pt);
            fprintf(df, "%.17g %.9g %.9g %.9g ", bench_json_num(l, "x"), bench_json_num(l, "median_s"), bench_json_num(l, "min_s"), bench_json_num(l, "max_s"));
            if (isfinite(pt))
                fprintf(df, "%.9g\n", pt);
            else
                fprintf(df, "NaN\n");
        }
        fclose(df);
        write_buffer(pdir, dname, d);
        free(d);
    }
    fprintf(g, "set xlabel '%s'\nset ylabel 'seconds (median; bars: min–max)'\n", xname);
    fprintf(g, "set title \"%s: time vs %s%s%s\\nroof: DGEMM %lld^3 measured in this run, %.1f GFLOP/s%s\"\n", suite,
            xname, several ? "" : " — ", several ? "" : cv[0].series,
            (long long)json_integer_value(json_object_get(peak, "size")), roof,
            any_peak ? "; dashed: flops / roof (a run at the DGEMM rate)" : "; no flop model (ball arithmetic)");
    fprintf(g, "plot ");
    for (size_t k = 0; k < nc; k++) {
        char sl[220], dname[256];
        slug(sl, sizeof sl, cv[k].label);
        snprintf(dname, sizeof dname, "%s_time_%s.dat", suite, sl);
        fprintf(g, "%s", k ? ", \\\n     " : "");
        gq(g, dname);
        fprintf(g, " u 1:2:3:4 w yerrorlines lc %zu pt %zu lw 1.5 t ", k + 1, (2 * k) % 12 + 5);
        gq(g, cv[k].label);
        if (cv[k].roof) { /* the roof line of this curve, when it has its own flop model */
            fprintf(g, ", ");
            gq(g, dname);
            fprintf(g, " u 1:5 w l lc %zu dt 2 lw 1.5 t ", k + 1);
            char t[260];
            snprintf(t, sizeof t, "%s at the DGEMM rate", cv[k].label);
            gq(g, t);
        }
    }
    fprintf(g, "\n");
    fclose(g);
    char gpname[64];
    snprintf(gpname, sizeof gpname, "%s_time.gp", suite);
    int st = write_buffer(pdir, gpname, gp);
    free(gp);
    if (!st)
        render(pdir, gpname);
    return st;
}

static int scaling_plot(const char *pdir, const json_t *lines, const json_t *peak)
{
    /* the sweeps (series) of the scaling suite, each with its fit */
    typedef struct {
        const char *series;
        double e, em, b; /* time ≈ exp(b)·x^e through the points' centre of mass in log–log */
    } sweep;
    sweep sw[16];
    size_t ns = 0, i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        if (strcmp(bench_json_str(l, "suite"), "scaling") || !json_is_number(json_object_get(l, "median_s")))
            continue;
        const char *s = bench_json_str(l, "series");
        size_t k;
        for (k = 0; k < ns && strcmp(sw[k].series, s); k++)
            ;
        if (k == ns && ns < 16)
            sw[ns++] = (sweep){s, NAN, NAN, NAN};
    }
    if (!ns)
        return 0;
    for (size_t k = 0; k < ns; k++) {
        double sx = 0, sy = 0;
        size_t cnt = 0;
        json_array_foreach(lines, i, l)
        {
            if (strcmp(bench_json_str(l, "suite"), "scaling") || strcmp(bench_json_str(l, "series"), sw[k].series))
                continue;
            json_t *fit = json_object_get(l, "fit");
            if (json_is_object(fit))
                sw[k].e = bench_json_num(fit, "exponent"), sw[k].em = bench_json_num(fit, "expected_model");
            else if (json_is_number(json_object_get(l, "median_s")))
                sx += log(bench_json_num(l, "x")), sy += log(bench_json_num(l, "median_s")), cnt++;
        }
        if (cnt && isfinite(sw[k].e))
            sw[k].b = (sy - sw[k].e * sx) / (double)cnt;
        char sl[96], dname[128];
        slug(sl, sizeof sl, sw[k].series);
        snprintf(dname, sizeof dname, "scaling_%s.dat", sl);
        char *d = NULL;
        size_t dl = 0;
        FILE *df = open_memstream(&d, &dl);
        fprintf(df, "# x median_s min_s max_s  (%s)\n", sw[k].series);
        json_array_foreach(lines, i, l)
        {
            if (!strcmp(bench_json_str(l, "suite"), "scaling") && !strcmp(bench_json_str(l, "series"), sw[k].series) &&
                json_is_number(json_object_get(l, "median_s")))
                fprintf(df, "%.17g %.9g %.9g %.9g\n", bench_json_num(l, "x"), bench_json_num(l, "median_s"), bench_json_num(l, "min_s"), bench_json_num(l, "max_s"));
        }
        fclose(df);
        write_buffer(pdir, dname, d);
        free(d);
    }
    char *gp = NULL;
    size_t gplen = 0;
    FILE *g = open_memstream(&gp, &gplen);
    fprintf(g, "set terminal pngcairo size 1300,550 font ',10' noenhanced\nset output 'scaling.png'\n"
               "set multiplot layout 1,2 title \"kernel cost exponents: median time (points, min-max bars) and "
               "least-squares power laws (lines); DGEMM roof of this run %.1f GFLOP/s\"\n"
               "set logscale xy\nset grid\nset key outside below vertical\nset ylabel 'seconds'\n"
               "set offsets graph 0.05, graph 0.05, 0, 0\n", bench_json_num(peak, "gflops"));
    for (int pass = 0; pass < 2; pass++) { /* vs n, vs width */
        const char *var = pass ? "width" : "n";
        fprintf(g, "set xlabel '%s'\nset title 'time vs %s'\nplot ", var, var);
        int first = 1;
        for (size_t k = 0; k < ns; k++) {
            if (!strstr(sw[k].series, pass ? " vs width" : " vs n,"))
                continue;
            char sl[96], dname[128], t[200];
            slug(sl, sizeof sl, sw[k].series);
            snprintf(dname, sizeof dname, "scaling_%s.dat", sl);
            fprintf(g, "%s", first ? "" : ", \\\n     ");
            first = 0;
            gq(g, dname);
            fprintf(g, " u 1:2:3:4 w yerrorbars lc %zu pt 7 t ", k + 1);
            snprintf(t, sizeof t, "%s: fitted exponent %.2f (flop model %.2f)", sw[k].series, sw[k].e, sw[k].em);
            gq(g, t);
            if (isfinite(sw[k].b)) {
                fprintf(g, ", ");
                gq(g, dname);
                fprintf(g, " u 1:(exp(%.17g)*$1**%.17g) w l lc %zu notitle", sw[k].b, sw[k].e, k + 1);
            }
        }
        if (first) {
            fprintf(g, "1 lc rgb '#ffffff' notitle\n");
        } else {
            fprintf(g, "\n");
        }
    }
    fprintf(g, "unset multiplot\n");
    fclose(g);
    int st = write_buffer(pdir, "scaling.gp", gp);
    free(gp);
    if (!st)
        render(pdir, "scaling.gp");
    return st;
}

/* ---- agreement histogram ---------------------------------------------------- */

static int agreement_plot(const char *pdir, const json_t *lines)
{
    typedef struct {
        char label[96];
        double counts[BENCH_HIST_BINS];
        double entries, exact, below, above, sizes;
    } acc;
    acc a[12];
    size_t na = 0, i;
    json_t *l;
    double lo = BENCH_HIST_LO, step = BENCH_HIST_STEP;
    json_array_foreach(lines, i, l)
    {
        json_t *ag = json_object_get(l, "agreement"), *h = json_is_object(ag) ? json_object_get(ag, "hist") : NULL;
        if (!json_is_object(h))
            continue;
        char label[96];
        snprintf(label, sizeof label, "%s %s", bench_json_str(l, "impl"), *bench_json_str(ag, "quantity") ? bench_json_str(ag, "quantity") : bench_json_str(l, "suite"));
        size_t k;
        for (k = 0; k < na && strcmp(a[k].label, label); k++)
            ;
        if (k == na) {
            if (na == 12)
                continue;
            memset(&a[na], 0, sizeof a[na]);
            snprintf(a[na].label, sizeof a[na].label, "%s", label);
            na++;
        }
        lo = bench_json_num(h, "log10_lo"), step = bench_json_num(h, "step");
        json_t *c = json_object_get(h, "counts"), *v;
        size_t b;
        json_array_foreach(c, b, v) if (b < BENCH_HIST_BINS) a[k].counts[b] += json_number_value(v);
        a[k].entries += bench_json_num(ag, "entries");
        a[k].exact += bench_json_num(h, "exact");
        a[k].below += bench_json_num(h, "below");
        a[k].above += bench_json_num(h, "above");
        a[k].sizes += 1;
    }
    if (!na)
        return 0;
    char *gp = NULL;
    size_t gplen = 0;
    FILE *g = open_memstream(&gp, &gplen);
    fprintf(g, "set terminal pngcairo size 1000,700 font ',10' noenhanced\nset output 'agreement.png'\n"
               "set title \"agreement with the Arb reference (128 bits) of this run: entries by log10(|value - mid| / "
               "allowance)\\nallowance = rad + proven error bound (plstar), rad + validate's float64 tolerance "
               "(torch); <= 0 is inside\"\n"
               "set xlabel 'log10(|value - mid| / allowance)'\nset ylabel 'share of entries'\nset grid\n"
               "set key outside below vertical\nset arrow 1 from 0, graph 0 to 0, graph 1 nohead dt 2 lw 2\n"
               "set label 1 'allowance' at 0, graph 0.95 offset 0.5, 0 left\n");
    /* the x range: the occupied bins and 0 */
    double xlo = 0, xhi = 1;
    for (size_t k = 0; k < na; k++)
        for (size_t b = 0; b < BENCH_HIST_BINS; b++)
            if (a[k].counts[b] > 0) {
                xlo = fmin(xlo, lo + step * (double)b - step);
                xhi = fmax(xhi, lo + step * (double)(b + 1) + step);
            }
    fprintf(g, "set xrange [%g:%g]\n", xlo, xhi);
    fprintf(g, "plot ");
    for (size_t k = 0; k < na; k++) {
        char sl[96], dname[128];
        slug(sl, sizeof sl, a[k].label);
        snprintf(dname, sizeof dname, "agreement_%s.dat", sl);
        char *d = NULL;
        size_t dl = 0;
        FILE *df = open_memstream(&d, &dl);
        fprintf(df, "# bin_centre share count  (%s)\n", a[k].label);
        for (size_t b = 0; b < BENCH_HIST_BINS; b++)
            fprintf(df, "%g %.9g %.0f\n", lo + step * ((double)b + 0.5),
                    a[k].entries > 0 ? a[k].counts[b] / a[k].entries : 0.0, a[k].counts[b]);
        fclose(df);
        write_buffer(pdir, dname, d);
        free(d);
        char t[512];
        snprintf(t, sizeof t, "%.90s: %.0f entries over %.0f sizes, %.0f exact, %.0f below 1e%g, %.0f above 1e%g", a[k].label,
                 a[k].entries, a[k].sizes, a[k].exact, a[k].below, lo, a[k].above, lo + step * BENCH_HIST_BINS);
        fprintf(g, "%s", k ? ", \\\n     " : "");
        gq(g, dname);
        fprintf(g, " u 1:2 w histeps lw 2 lc %zu t ", k + 1);
        gq(g, t);
    }
    fprintf(g, "\n");
    fclose(g);
    int st = write_buffer(pdir, "agreement.gp", gp);
    free(gp);
    if (!st)
        render(pdir, "agreement.gp");
    return st;
}

/* ---- history ------------------------------------------------------------------ */

/* "11-23 17:15 8aa53e8" from the run's date and revision */
static const char *run_label(const json_t *run)
{
    static char lab[64];
    const char *d = bench_json_str(run, "date_utc");
    if (strlen(d) >= 16)
        snprintf(lab, sizeof lab, "%.5s %.5s %s", d + 5, d + 11, bench_json_str(run, "git_rev"));
    else
        snprintf(lab, sizeof lab, "%s %s", d, bench_json_str(run, "git_rev"));
    return lab;
}

static int history_plot(const char *pdir, const json_t *header, const json_t *lines, const char *history)
{
    size_t nf = 0;
    char **files = history ? bench_history_files(history, &nf) : NULL;
    const char *set = bench_json_str(json_object_get(header, "run"), "set");
    /* the runs of the same set, oldest first, the last 30 */
    json_t *runs = json_array(), *labels = json_array();
    for (size_t k = 0; k < nf; k++) {
        json_t *h = NULL, *ls = NULL;
        if (bench_read_results(files[k], &h, &ls))
            continue;
        if (!strcmp(bench_json_str(json_object_get(h, "run"), "set"), set)) {
            const json_t *run = json_object_get(h, "run");
            char lab[64];
            snprintf(lab, sizeof lab, "%s", run_label(run));
            json_array_append_new(runs, ls);
            json_array_append_new(labels, json_string(lab));
            ls = NULL;
        }
        json_decref(h);
        json_decref(ls);
    }
    bench_free_list(files);
    const json_t *run = json_object_get(header, "run");
    /* the current run is last (it may already be in the history) */
    char lab[64];
    snprintf(lab, sizeof lab, "%s", run_label(run));
    const char *last_file = json_string_value(json_object_get(header, "history_file"));
    size_t nr = json_array_size(runs);
    if (!(last_file && nr)) {
        json_array_append(runs, (json_t *)lines);
        json_array_append_new(labels, json_string(lab));
    }
    while (json_array_size(runs) > 30) {
        json_array_remove(runs, 0);
        json_array_remove(labels, 0);
    }
    nr = json_array_size(runs);
    const json_t *latest = json_array_get(runs, nr - 1);
    static const char *const suites[] = {"kernel", "eig", "train", "certify", "scaling"};
    int has[5] = {0};
    size_t npanels = 1; /* the roof */
    for (size_t s = 0; s < 5; s++) {
        size_t i;
        json_t *l;
        json_array_foreach(latest, i, l) has[s] |= !strcmp(bench_json_str(l, "suite"), suites[s]) &&
                                                 json_is_number(json_object_get(l, "median_s"));
        npanels += (size_t)has[s];
    }
    size_t rows = (npanels + 2) / 3, cols = npanels < 3 ? npanels : 3;
    char *gp = NULL;
    size_t gplen = 0;
    FILE *g = open_memstream(&gp, &gplen);
    fprintf(g, "set terminal pngcairo size %zu,%zu font ',9' noenhanced\nset output 'history.png'\n"
               "set multiplot layout %zu,%zu title \"history of '%s' runs: median time of each case relative to the "
               "latest run (%s); %zu runs\"\nset logscale y\nset grid\nset key off\nset xrange [-0.5:%zu.5]\n"
               "set ylabel 'median / latest median'\nset xtics rotate by 45 right\n",
            cols * 470, rows * 450, rows, cols, set, lab, nr, nr - 1);
    /* the x labels */
    fprintf(g, "set xtics (");
    for (size_t k = 0; k < nr; k++) {
        fprintf(g, "%s", k ? ", " : "");
        gq(g, json_string_value(json_array_get(labels, k)));
        fprintf(g, " %zu", k);
    }
    fprintf(g, ")\n");
    for (size_t s = 0; s < sizeof suites / sizeof *suites; s++) {
        if (!has[s])
            continue;
        char dname[64];
        snprintf(dname, sizeof dname, "history_%s.dat", suites[s]);
        char *d = NULL;
        size_t dl = 0;
        FILE *df = open_memstream(&d, &dl);
        fprintf(df, "# run_index median/latest_median, one block per case (%s)\n", suites[s]);
        size_t i, ncase = 0;
        json_t *l;
        json_array_foreach(latest, i, l)
        {
            if (strcmp(bench_json_str(l, "suite"), suites[s]) || !json_is_number(json_object_get(l, "median_s")))
                continue;
            double ref = bench_json_num(l, "median_s");
            fprintf(df, "# %s | %s\n", bench_json_str(l, "case"), bench_json_str(l, "impl"));
            for (size_t k = 0; k < nr; k++) {
                size_t j;
                json_t *m;
                json_array_foreach(json_array_get(runs, k), j, m)
                {
                    if (!strcmp(bench_json_str(m, "suite"), suites[s]) && !strcmp(bench_json_str(m, "case"), bench_json_str(l, "case")) &&
                        !strcmp(bench_json_str(m, "impl"), bench_json_str(l, "impl")) && json_is_number(json_object_get(m, "median_s")))
                        fprintf(df, "%zu %.9g\n", k, bench_json_num(m, "median_s") / ref);
                }
            }
            fprintf(df, "\n\n");
            ncase++;
        }
        fclose(df);
        write_buffer(pdir, dname, d);
        free(d);
        fprintf(g, "set title '%s (%zu cases)'\n", suites[s], ncase);
        if (ncase) {
            fprintf(g, "plot for [i=0:%zu] ", ncase - 1);
            gq(g, dname);
            fprintf(g, " index i u 1:2 w lp pt 7 ps 0.6 lw 1\n");
        } else {
            empty_panel(g);
        }
    }
    /* the roof itself */
    fprintf(g, "set title 'DGEMM roof (GFLOP/s)'\nunset logscale y\nset ylabel 'GFLOP/s'\n");
    fprintf(g, "plot '-' u 1:2 w lp pt 7 lc rgb 'black'\n");
    for (size_t k = 0; k < nr; k++) {
        size_t j;
        json_t *m;
        json_array_foreach(json_array_get(runs, k), j, m)
        {
            if (!strcmp(bench_json_str(m, "suite"), "roof") && !strcmp(bench_json_str(m, "impl"), "dgemm") &&
                !strcmp(bench_json_str(m, "case"), "start"))
                fprintf(g, "%zu %.6g\n", k, bench_json_num(m, "gflops"));
        }
    }
    fprintf(g, "e\nunset multiplot\n");
    fclose(g);
    int st = write_buffer(pdir, "history.gp", gp);
    free(gp);
    json_decref(runs);
    json_decref(labels);
    if (!st)
        render(pdir, "history.gp");
    return st;
}

int bench_report(const char *dir, json_t *header, json_t *lines, const char *history)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    summary(f, header, lines);
    fclose(f);
    int st = write_buffer(dir, "summary.md", s);
    free(s);
    if (st)
        return st;
    char *pdir = plstar_outfile_path_join(dir, "plots");
    if (!pdir)
        return PLSTAR_ESOFTWARE;
    if (mkdir(pdir, 0755) && access(pdir, W_OK)) {
        st = plstar_error(PLSTAR_ECANTCREAT, "%s: cannot create the plot directory", pdir);
        free(pdir);
        return st;
    }
    char *log = plstar_outfile_path_join(pdir, "gnuplot.log"); /* gnuplot's messages of this report only */
    if (log)
        remove(log);
    free(log);
    const json_t *peak = json_object_get(header, "peak");
    static const char *const suites[] = {"kernel", "eig", "train", "certify"};
    for (size_t k = 0; k < 4 && !st; k++)
        st = time_plot(pdir, suites[k], lines, peak);
    if (!st)
        st = scaling_plot(pdir, lines, peak);
    if (!st)
        st = agreement_plot(pdir, lines);
    if (!st)
        st = history_plot(pdir, header, lines, history);
    free(pdir);
    return st;
}

/*
 * bench/hessian_sweep.c — the width sweep of Theorem 5 (docs/theory.md §5,
 * transition to linearity): for a 2-hidden-layer tanh MLP with a linear output
 * layer (d = 5, n = 4 points on the unit sphere, NTK scaling, no bias, weights
 * from seed 1), widths m = 64, 128, …, 4096, it computes
 *   - the certified bound β_F on sup_{B(w0, R)} max_i ‖H_{F_i}‖₂ at R = 1 and at
 *     R = 0 (reference/hessian.h),
 *   - the true max_i ‖H_{F_i}(w0)‖₂ (Lanczos on exact Hessian-vector products,
 *     fast/hessian.h; an estimate from below),
 * fits the log–log slopes by least squares, writes DIR/hessian_sweep.dat,
 * DIR/hessian_sweep.gp and DIR/hessian_sweep.png (gnuplot), and prints the slopes.
 *
 * usage: hessian_sweep [DIR] [MAX_WIDTH]     (DIR defaults to ".", MAX_WIDTH to 4096)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/model.h"
#include "core/outfile.h"
#include "core/report.h"
#include "examples/demo_example.h"
#include "fast/hessian.h"
#include "reference/hessian.h"

#define D 5
#define NS 4
#define SEED 1
#define DATA_SEED 2022
#define LANCZOS_STEPS 60
#define PREC 128

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Least-squares slope of log y against log x. */
static double slope(const double *x, const double *y, size_t k)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < k; i++) {
        double a = log(x[i]), b = log(y[i]);
        sx += a, sy += b, sxx += a * a, sxy += a * b;
    }
    return (k * sxy - sx * sy) / (k * sxx - sx * sx);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    size_t max_width = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 4096;
    double X[NS * D];
    plstar_demo_sphere_data(X, NS, D, DATA_SEED);
    double ms[16] = {0}, cert1[16] = {0}, cert0[16] = {0}, truth[16] = {0}, secs[16] = {0};
    size_t count = 0, nr = 0;
    double rR[8] = {0}, rbeta[8] = {0}, rc[8] = {0}, rL[8] = {0}, rdk[8] = {0};
    printf("%6s %14s %14s %14s %14s %9s\n", "width", "beta_cert_R1", "beta_cert_R0", "true_H_w0", "ratio_R0", "seconds");
    for (size_t m = 64; m <= max_width && count < 16; m *= 2, count++) {
        char json[256];
        snprintf(json, sizeof json,
                 "{\"model\":\"mlp\",\"input_dim\":%d,\"widths\":[%zu,%zu],\"outputs\":1,\"activation\":\"tanh\","
                 "\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}",
                 D, m, m);
        plstar_model mod;
        plstar_model_init(&mod);
        if (plstar_model_parse_json(&mod, json, "sweep")) {
            fprintf(stderr, "hessian_sweep: %s\n", plstar_errmsg());
            return 70;
        }
        double *w = malloc(mod.nparams * sizeof(double));
        if (!w) {
            fprintf(stderr, "hessian_sweep: out of memory\n");
            return 70;
        }
        plstar_model_init_weights(w, &mod, SEED);
        double t0 = now();
        ref_hessian_ctx ctx;
        plstar_ref_hessian_ctx_init(&ctx);
        ref_hessian_bounds hb;
        plstar_ref_hessian_bounds_init(&hb);
        int st = plstar_ref_hessian_ctx_set(&ctx, &mod, X, NS, w, PREC);
        if (!st)
            st = plstar_ref_hessian_bounds_compute(&hb, &ctx, 1.0, NULL, PREC);
        double b1 = plstar_arb_upper_d(hb.hess_max);
        if (!st)
            st = plstar_ref_hessian_bounds_compute(&hb, &ctx, 0.0, NULL, PREC);
        double b0 = plstar_arb_upper_d(hb.hess_max);
        double tcert = now() - t0;
        double h = 0;
        for (size_t i = 0; i < NS && !st; i++) {
            double v;
            st = plstar_fast_hessian_norm_lanczos(&v, &mod, X + i * D, 0, w, LANCZOS_STEPS, 7 + i);
            h = fmax(h, v);
        }
        if (st) {
            fprintf(stderr, "hessian_sweep: width %zu: %s\n", m, plstar_errmsg());
            return st;
        }
        if (m * 2 > max_width) { /* the radius dependence at the largest width */
            const double radii[] = {0.25, 1, 4, 16, 64, 256};
            for (size_t q = 0; q < sizeof radii / sizeof *radii && !st; q++) {
                st = plstar_ref_hessian_bounds_compute(&hb, &ctx, radii[q], NULL, PREC);
                rbeta[q] = plstar_arb_upper_d(hb.hess_max), rc[q] = plstar_arb_upper_d(hb.jac_lipschitz);
                rL[q] = plstar_arb_upper_d(hb.lipschitz), rdk[q] = plstar_arb_upper_d(hb.kernel_change);
                rR[q] = radii[q];
            }
            nr = sizeof radii / sizeof *radii;
        }
        ms[count] = (double)m, cert1[count] = b1, cert0[count] = b0, truth[count] = h;
        secs[count] = tcert;
        printf("%6zu %14.6g %14.6g %14.6g %14.3f %9.2f\n", m, b1, b0, h, b0 / h, tcert);
        fflush(stdout);
        plstar_ref_hessian_bounds_clear(&hb);
        plstar_ref_hessian_ctx_clear(&ctx);
        free(w);
        plstar_model_clear(&mod);
    }
    if (nr) {
        printf("radius dependence at width %.0f (certified bounds on B(w0, R)):\n%8s %12s %12s %12s %12s\n",
               ms[count - 1], "R", "max|H_Fr|", "c_B", "L_F", "dK");
        for (size_t q = 0; q < nr; q++)
            printf("%8g %12.5g %12.5g %12.5g %12.5g\n", rR[q], rbeta[q], rc[q], rL[q], rdk[q]);
    }
    double s1 = slope(ms, cert1, count), s0 = slope(ms, cert0, count), st_ = slope(ms, truth, count);
    printf("fitted log-log slopes: certified max_r |H_Fr| (R = 1) %.3f, certified at w0 (R = 0) %.3f, true |H_F(w0)| %.3f\n",
           s1, s0, st_);

    char dat[1024], gp[1024], png[1024];
    snprintf(dat, sizeof dat, "%s/hessian_sweep.dat", dir);
    snprintf(gp, sizeof gp, "%s/hessian_sweep.gp", dir);
    snprintf(png, sizeof png, "%s/hessian_sweep.png", dir);
    plstar_outfile f;
    if (plstar_outfile_open(&f, dat)) {
        fprintf(stderr, "hessian_sweep: %s\n", plstar_errmsg());
        return 73;
    }
    fprintf(f.fp, "# Theorem 5 width sweep: 2-hidden-layer tanh MLP, d = %d, n = %d, NTK scaling, linear output, "
                  "seed %d\n# fitted slopes: cert_R1 %.4f cert_R0 %.4f true_w0 %.4f\n"
                  "# width beta_cert_R1 beta_cert_R0 true_H_w0 seconds_cert\n",
            D, NS, SEED, s1, s0, st_);
    for (size_t k = 0; k < count; k++)
        fprintf(f.fp, "%.0f %.17g %.17g %.17g %.3f\n", ms[k], cert1[k], cert0[k], truth[k], secs[k]);
    if (nr) {
        fprintf(f.fp, "\n\n# radius dependence at width %.0f\n# R max_r|H_Fr| c_B L_F dK\n", ms[count - 1]);
        for (size_t q = 0; q < nr; q++)
            fprintf(f.fp, "%g %.17g %.17g %.17g %.17g\n", rR[q], rbeta[q], rc[q], rL[q], rdk[q]);
    }
    if (plstar_outfile_commit(&f))
        return 73;
    if (plstar_outfile_open(&f, gp))
        return 73;
    fprintf(f.fp,
            "set terminal pngcairo size 900,600 font ',11'\nset output '%s'\n"
            "set logscale x 2\nset logscale y 10\nset grid\nset key bottom left\nset format y '%%g'\n"
            "set xlabel 'width m'\nset ylabel 'max_i ‖H_{F_i}‖_2'\n"
            "set title 'Theorem 5: transition to linearity (2 hidden tanh layers, d = %d, n = %d)'\n"
            "plot '%s' index 0 u 1:2 w lp pt 7 lw 2 t sprintf('certified sup over B(w_0, 1) (slope %%.2f)', %.6f), "
            "'' index 0 u 1:3 w lp pt 5 lw 2 t sprintf('certified at w_0 (slope %%.2f)', %.6f), "
            "'' index 0 u 1:4 w lp pt 9 lw 2 t sprintf('true ‖H_F(w_0)‖ (slope %%.2f)', %.6f), "
            "'' index 0 u 1:(%.17g*sqrt(%.17g/$1)) w l dt 2 lc rgb 'gray' t 'reference slope -1/2'\n",
            png, D, NS, dat, s1, s0, st_, truth[0], ms[0]);
    if (plstar_outfile_commit(&f))
        return 73;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "gnuplot '%s'", gp);
    if (system(cmd) != 0)
        fprintf(stderr, "hessian_sweep: gnuplot failed; the script is %s\n", gp);
    else
        printf("wrote %s, %s, %s\n", dat, gp, png);
    return 0;
}

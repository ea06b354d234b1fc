/* bench/plot.c — the figure of certify gd --path (bench/plot.h). */
#include "bench/plot.h"
#include "core/error.h"
#include "core/outfile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_data(const char *path, const gd_path_result *res)
{
    plstar_outfile f;
    int st = plstar_outfile_open(&f, path);
    if (st)
        return st;
    fprintf(f.fp, "# step loss_lo loss_hi envelope lambda_lo lambda_hi dist_hi path_hi\n");
    for (size_t k = 0; k < res->records; k++)
        fprintf(f.fp, "%zu %.17g %.17g %.17g %.17g %.17g %.17g %.17g\n", res->step[k], res->loss_lo[k],
                res->loss_hi[k], res->envelope[k], res->lambda_lo[k], res->lambda_hi[k], res->dist_hi[k],
                res->path_hi[k]);
    return plstar_outfile_commit(&f);
}

/* The gnuplot script. Distances start at 0 at step 0, so their panel is linear
 * (a log axis would drop step 0); R is drawn when it is on the scale of the
 * path, and otherwise named in the title. */
static int write_script(const char *path, const char *png, const char *dat, const gd_path_result *res)
{
    plstar_outfile f;
    int st = plstar_outfile_open(&f, path);
    if (st)
        return st;
    double top = 0;
    for (size_t k = 0; k < res->records; k++)
        top = fmax(top, fmax(res->path_hi[k], res->dist_hi[k]));
    int have_mu = res->mu > 0, draw_r = have_mu && isfinite(res->radius) && res->radius <= 4 * top;
    fprintf(f.fp,
            "set terminal pngcairo size 1500,450 font ',10'\nset output '%s'\nset multiplot layout 1,3\n"
            "set grid\nset xlabel 'step t'\nset offsets 0, 0, graph 0.05, graph 0.05\nset logscale y\n"
            "set key top right\nset title 'loss L(w_t) (reference enclosure) vs certified envelope'\n"
            "plot '%s' u 1:3 w lp pt 7 ps 0.5 t 'L(w_t) upper'",
            png, dat);
    if (have_mu)
        fprintf(f.fp, ", '' u 1:($4 > 0 ? $4 : 1/0) w lp pt 6 ps 0.5 lw 2 t '(1-{/Symbol h}{/Symbol m})^t L(w_0)'");
    /* λ_min(K) ≥ μ/s: μ is a PL* constant of the run's loss (core/loss.h) */
    double lam_mu = plstar_loss_div_scale(res->loss, res->N, res->mu, LOSS_NEAREST);
    const char *of_mu = res->loss == LOSS_MEAN ? "μ/s = Nμ/2" : "μ";
    fprintf(f.fp, "\nunset logscale y\nset format y '%%.3g'\nset title 'λ_{min}(K(w_t)) vs %s = %.4g'\n"
                  "plot '%s' u 1:5 w lp pt 7 ps 0.5 t 'λ_{min} lower bound'", of_mu, lam_mu, dat);
    if (have_mu)
        fprintf(f.fp, ", %.17g w l lw 2 t '%s'", lam_mu, of_mu);
    fprintf(f.fp, "\nset key top left\nset yrange [0:*]\n");
    if (draw_r)
        fprintf(f.fp, "set title 'distance and path length vs R = %.4g'\n", res->radius);
    else if (have_mu && isfinite(res->radius))
        fprintf(f.fp, "set title 'distance and path length (R = %.4g, off the scale)'\n", res->radius);
    else
        fprintf(f.fp, "set title 'distance and path length (no R)'\n");
    fprintf(f.fp, "plot '%s' u 1:7 w lp pt 7 ps 0.5 t '‖w_t - w_0‖ upper', '' u 1:8 w lp pt 5 ps 0.5 t 'path length upper'",
            dat);
    if (draw_r)
        fprintf(f.fp, ", %.17g w l lw 2 t 'R'", res->radius);
    fprintf(f.fp, "\nunset multiplot\n");
    return plstar_outfile_commit(&f);
}

int plot_gd_path(const char *dir, const gd_path_result *res)
{
    char *dat = plstar_outfile_path_join(dir, "gd_path.dat"), *gp = plstar_outfile_path_join(dir, "gd_path.gp"),
         *png = plstar_outfile_path_join(dir, "gd_path.png");
    int st = (!dat || !gp || !png) ? plstar_error(PLSTAR_ESOFTWARE, "out of memory") : PLSTAR_OK;
    if (!st)
        st = write_data(dat, res);
    if (!st && (st = write_script(gp, png, dat, res)))
        remove(dat); /* no half set of plot files */
    if (!st) {
        char *cmd = malloc(strlen(gp) + 64);
        if (cmd)
            snprintf(cmd, strlen(gp) + 64, "gnuplot '%s' 2>/dev/null", gp);
        if (!cmd || system(cmd) != 0)
            fprintf(stderr, "plstar: gnuplot unavailable or failed; the plot script is %s\n", gp);
        free(cmd);
    }
    free(dat), free(gp), free(png);
    return st;
}

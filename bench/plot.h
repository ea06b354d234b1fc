/* bench/plot.h — gnuplot figures of the certificates (PNG, via the gnuplot command), beside the
 * benchmark's figures (bench/report.c). */
#ifndef PLSTAR_BENCH_PLOT_H
#define PLSTAR_BENCH_PLOT_H

#include "proofs-checks/gd_path.h"

/* Writes DIR/gd_path.dat, DIR/gd_path.gp and renders DIR/gd_path.png: the loss
 * against its certified envelope, λ_min(K(w_t)) against μ, and ‖w_t − w0‖ and
 * the path length against R. Returns 0, or a status when a file cannot be
 * written; a missing gnuplot is reported on stderr and is not an error. */
int plot_gd_path(const char *dir, const gd_path_result *res);

#endif

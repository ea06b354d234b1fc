/*
 * core/loss.h — the loss convention of a run: plstar's ½‖F − y‖² ("sum") or
 * PyTorch's nn.MSELoss() ("mean", (1/N)‖F − y‖², N = n·c).
 *
 * Both are s · L with L = ½‖F − y‖², s = 1 or s = 2/N, so everything follows
 * from s (docs/theory.md §4, "Loss conventions"):
 *   the loss and its gradient scale by s:            L_s = s L,  ∇L_s = s ∇L;
 *   GD with step η on L_s is GD with step sη on L;
 *   a PL* constant of L_s is s·μ (½‖∇L_s‖² ≥ sμ L_s when ½‖∇L‖² ≥ μ L);
 *   the rate (1 − sη·μ)^t = (1 − η·sμ)^t is the same;
 *   a step bound η ≤ η_max on L is η ≤ η_max/s on L_s.
 * 2/N is not a double unless N is a power of two: every conversion here is
 * computed from an Arb enclosure of s and rounded in the direction asked for,
 * so a converted bound stays a bound.
 */
#ifndef PLSTAR_CORE_LOSS_H
#define PLSTAR_CORE_LOSS_H

#include <arb.h>
#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { LOSS_SUM = 0, LOSS_MEAN = 1 } plstar_loss;

/* "sum" or "mean" → *out and 0; anything else −1. */
int plstar_loss_parse(plstar_loss *out, const char *name);

/* "sum" or "mean". */
const char *plstar_loss_name(plstar_loss conv);

/* "(1/2)||F - y||^2" or "(1/N)||F - y||^2". */
const char *plstar_loss_formula(plstar_loss conv);

/* s (an enclosure: 1, or 2/N) with L_conv = s · ½‖F − y‖² over N equations. */
void plstar_loss_scale_arb(arb_t s, plstar_loss conv, size_t N, slong prec);

/* Rounding of a converted value: a lower bound, the nearest double, an upper bound. */
typedef enum { LOSS_DOWN = -1, LOSS_NEAREST = 0, LOSS_UP = 1 } loss_round;

/* s·x and x/s, rounded as asked (exact, whatever the direction, for "sum" and
 * whenever the result is a double). LOSS_NEAREST is correctly rounded: the
 * trainer's step sη is the same double for every caller. */
double plstar_loss_mul_scale(plstar_loss conv, size_t N, double x, loss_round dir);
double plstar_loss_div_scale(plstar_loss conv, size_t N, double x, loss_round dir);

/* The `loss` key of a report: {"convention", "formula", "equations",
 * "scale_to_half_sum": {"lower", "upper"} (an enclosure of s), "meaning"}. */
json_t *plstar_loss_report(plstar_loss conv, size_t N);

#ifdef __cplusplus
}
#endif

#endif

/*
 * core/activation.h — activation functions σ with σ′ and σ″, in double and in
 * Arb ball arithmetic, and certified global bounds on |σ′| and |σ″|.
 *
 * The Arb versions enclose the exact values for every point of the input ball.
 * ReLU and leaky ReLU are first-order only: their σ″ is reported as unbounded
 * (plstar_act_twice_differentiable returns 0), and at 0 the double version uses
 * σ′(0) = 0 (leaky: the slope) as PyTorch does, while the Arb version returns the
 * hull of both one-sided derivatives for any ball that contains 0.
 * GELU is the exact erf form x·Φ(x), Φ(x) = ½ erfc(−x/√2). Leaky ReLU has
 * slope PLSTAR_LEAKY_SLOPE (the double nearest 1/100, used exactly by both
 * versions) for x < 0. Formulas, bounds and error model: docs/activations.md;
 * each activation is one descriptor (core/act_impl.h, core/act_*.c).
 */
#ifndef PLSTAR_CORE_ACTIVATION_H
#define PLSTAR_CORE_ACTIVATION_H

#include <arb.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ACT_LINEAR = 0,
    ACT_TANH,
    ACT_SIGMOID,
    ACT_SOFTPLUS,
    ACT_SIN,
    ACT_ERF,
    ACT_GELU,
    ACT_RELU,
    ACT_LEAKY_RELU,
    ACT_COUNT
} plstar_act;

#define PLSTAR_LEAKY_SLOPE 0.01

/* Name <-> enum (the enumerator's name in lower case, e.g. "leaky_relu";
 * case-sensitive). plstar_act_from_name returns -1 for an unknown name or NULL;
 * plstar_act_name returns "unknown" for an invalid value. */
int plstar_act_from_name(const char *name);
const char *plstar_act_name(plstar_act a);

/* "linear, tanh, ..., leaky_relu": every name, in enum order, for messages. */
const char *plstar_act_known_names(void);

/* How a peer computes σ, in words and formulas ("tanh(z)"); "unknown" for an
 * invalid value. */
const char *plstar_act_formula(plstar_act a);

/* 1 if σ is C² (Hessian bounds available). */
int plstar_act_twice_differentiable(plstar_act a);

/* 1 if σ′ jumps at 0 (relu, leaky_relu). */
int plstar_act_has_kink(plstar_act a);

/* σ(x), σ′(x), σ″(x) in double; any output pointer may be NULL (work for
 * unrequested derivatives is skipped). No overflow for any finite x; NaN gives
 * NaN. ReLU-family σ″ is returned as 0 (its value away from 0). */
void plstar_act_eval_d(plstar_act a, double x, double *s0, double *s1, double *s2);

/* σ and σ′ of n points: s0[k] = σ(z[k]), s1[k] = σ′(z[k]), the values of
 * plstar_act_eval_d bit for bit (tanh four at a time with AVX2 when the CPU has it).
 * s0 or s1 may be z itself (in place); otherwise the arrays must not overlap. */
void plstar_act_eval_batch_d(plstar_act a, const double *z, double *s0, double *s1, size_t n);

/* Enclosures of σ, σ′, σ″ over the ball x; any output may be NULL. For a
 * first-order activation σ″ is set to an indeterminate ball. Outputs must be
 * distinct from each other but may alias x. Narrow balls (radius ≤ 2^-16) use
 * the closed formulas in ball arithmetic; wider ones the hull of the values at
 * the endpoints and at the interior critical points (near-optimal ranges; sin
 * always uses the formulas).
 * Results are intersected with the known range of σ⁽ᵏ⁾, so a non-finite x
 * still gives finite enclosures of bounded quantities (e.g. tanh′ ∈ [0, 1]). */
void plstar_act_eval_arb(plstar_act a, arb_t s0, arb_t s1, arb_t s2, const arb_t x, slong prec);

/* Certified upper bounds (rounded up) on sup_x |σ′(x)| and sup_x |σ″(x)|;
 * +INFINITY for σ″ of a first-order activation, NaN for an invalid value.
 * Closed forms evaluated once in Arb (thread-safe). */
double plstar_act_sup_d1(plstar_act a);
double plstar_act_sup_d2(plstar_act a);

/* Bounds e0 >= |σ̂(x) − σ(x)| and e1 >= |σ̂′(x) − σ′(x)| on the rounding error
 * of plstar_act_eval_d at an exact double x, given its computed values s0 = σ̂(x) and
 * s1 = σ̂′(x). They assume the C library's documented accuracy (glibc: at most
 * a few ulp for exp, log1p, sin, cos, erf, erfc) with a safety factor (tanh's
 * own exponentials have proven bounds, core/act_tanh.c),
 * plus a floor that covers underflow. Used by the fast path's error bounds.
 * Form: e = A·u·|ŝ| + B·u + 2^-1060 with u = 2^-53 and per-function A (B = 0
 * except for gelu′ at x < 0, where σ′ has a zero and B = 43·(Φ + |x|φ) bounded
 * from s0, s1). Exact cases (linear, relu, leaky′) give 0; non-finite x gives
 * +INFINITY. Either output pointer may be NULL. */
void plstar_act_err_d(plstar_act a, double x, double s0, double s1, double *e0, double *e1);

/* What the other standard formulas for σ and σ′ (those of PyTorch and the
 * like, e.g. σ′ formed from a computed σ) may add to plstar_act_err_d's bounds at x,
 * in absolute terms as multiples b0, b1 of the unit roundoff; 0 where they are
 * this library's formulas, +INFINITY for an invalid value. */
void plstar_act_err_any_formula(plstar_act a, double x, double *b0, double *b1);

#ifdef __cplusplus
}
#endif

#endif

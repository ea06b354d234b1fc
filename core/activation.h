/*
 * core/activation.h — activation functions σ with σ′ and σ″, in double and in
 * Arb ball arithmetic, and certified global bounds on |σ′| and |σ″|.
 *
 * The Arb versions enclose the exact values for every point of the input ball.
 * ReLU and leaky ReLU are first-order only: their σ″ is reported as unbounded
 * (plstar_act_twice_differentiable returns 0), and at 0 the double version uses
 * σ′(0) = 0 (leaky: the slope) as PyTorch does, while the Arb version returns the
 * hull of both one-sided derivatives for any ball that contains 0.
 * GELU is the exact erf form x·Φ(x). Leaky ReLU has slope 1/100 for x < 0.
 */
#ifndef PLSTAR_CORE_ACTIVATION_H
#define PLSTAR_CORE_ACTIVATION_H

#include <arb.h>

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

/* Name <-> enum; act_from_name returns -1 for an unknown name. */
int act_from_name(const char *name);
const char *act_name(plstar_act a);

/* 1 if σ is C² (Hessian bounds available). */
int act_twice_differentiable(plstar_act a);

/* σ(x), σ′(x), σ″(x) in double; any output pointer may be NULL. */
void act_eval_d(plstar_act a, double x, double *s0, double *s1, double *s2);

/* Enclosures of σ, σ′, σ″ over the ball x; any output may be NULL. For a
 * first-order activation σ″ is set to an indeterminate ball. */
void act_eval_arb(plstar_act a, arb_t s0, arb_t s1, arb_t s2, const arb_t x, slong prec);

/* Certified upper bounds (rounded up) on sup_x |σ′(x)| and sup_x |σ″(x)|;
 * +INFINITY for σ″ of a first-order activation. */
double act_sup_d1(plstar_act a);
double act_sup_d2(plstar_act a);

/* Bounds e0 >= |σ̂(x) − σ(x)| and e1 >= |σ̂′(x) − σ′(x)| on the rounding error
 * of act_eval_d at an exact double x, given its computed values s0 = σ̂(x) and
 * s1 = σ̂′(x). They assume the C library's documented accuracy (glibc: at most
 * a few ulp for exp, log1p, tanh, sin, cos, erf, erfc) with a safety factor,
 * plus a floor that covers underflow. Used by the fast path's error bounds. */
void act_err_d(plstar_act a, double x, double s0, double s1, double *e0, double *e1);

#endif

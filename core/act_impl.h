/*
 * core/act_impl.h — everything about one activation in one descriptor (not
 * installed). Each core/act_*.c defines the descriptors of its activations;
 * core/activation.c holds the table act_descriptors and the public functions
 * of core/activation.h, which dispatch through it. Adding an activation:
 * docs/activations.md.
 */
#ifndef PLSTAR_CORE_ACT_IMPL_H
#define PLSTAR_CORE_ACT_IMPL_H

#include "core/activation.h"

#include <arb.h>

/* At most this many interior critical points of any σ⁽ᵏ⁾ (crit_points). */
#define ACT_MAX_CRIT 3

/* The rounding-error model of plstar_act_err_d: e = A·u·|ŝ| + B·u + ACT_ERR_FLOOR. */
#define ACT_ERR_U 0x1p-53
#define ACT_ERR_FLOOR 0x1p-1060

typedef struct act_desc act_desc;

struct act_desc {
    const char *name;    /* plstar_act_name, plstar_act_from_name */
    const char *formula; /* for peers (plstar_act_formula): how to compute σ in their terms */
    int twice_differentiable;
    int has_kink; /* σ′ jumps at 0 (σ is first-order only) */

    /* σ, σ′, σ″ at a non-NaN x into v[0..2] (preset to NaN); want1: σ′ or σ″
     * is asked for, want2: σ″ is (work for the others may be skipped). */
    void (*eval_d)(double x, double v[3], int want1, int want2);
    /* Optional (NULL: plstar_act_eval_batch_d loops over eval_d): σ and σ′ of n
     * points, eval_d's values bit for bit, as plstar_act_eval_batch_d specifies. */
    void (*eval_batch_d)(const double *z, double *s0, double *s1, size_t n);

    /* plstar_act_eval_arb with out = {σ, σ′, σ″} (NULL entries skipped) and x not
     * aliasing them: act_eval_smooth for a smooth σ, else its own. */
    void (*eval_arb)(const act_desc *d, arb_ptr out[3], const arb_t x, slong prec);
    /* For act_eval_smooth (required when eval_arb is act_eval_smooth). */
    struct {
        /* The closed formulas in ball arithmetic, for narrow balls; NULL
         * outputs skipped, outputs distinct from x and each other. */
        void (*formulas)(arb_ptr s0, arb_ptr s1, arb_ptr s2, const arb_t x, slong wp);
        /* Enclosures of the interior critical points of σ⁽ᵏ⁾ (the zeros of
         * σ⁽ᵏ⁺¹⁾) into c[0..]; returns how many (≤ ACT_MAX_CRIT). */
        int (*crit_points)(arb_ptr c, int k, slong wp);
        /* Outer double bounds [lo, hi] on the range of σ⁽ᵏ⁾; 0 when unbounded. */
        int (*range)(int k, double *lo, double *hi);
        /* 1: the formulas on balls of any width (no hull; crit_points unused) */
        int formulas_on_wide_balls;
    } arb;

    /* Bounds for plstar_act_err_d at a finite x (act_err_relative for the plain
     * relative model), with its constants: */
    void (*err_d)(const act_desc *d, double x, double s0, double s1, double *e0, double *e1);
    double err_a[2]; /* A for σ and σ′ (0: exact) */
    double err_b;    /* B for σ′, where σ′ has a zero the formula cancels at (else 0) */
    /* plstar_act_err_any_formula: what the other standard formulas for σ and σ′ add,
     * in absolute terms × u (0: they are this library's), times 1 + |x| with
     * any_formula_grows. */
    double any_formula_err[2];
    int any_formula_grows;

    /* sup|σ′| and sup|σ″| (+∞ without σ″), closed forms in Arb rounded up. */
    void (*sup)(double sup[2]);
};

/* The table, indexed by plstar_act, ACT_COUNT entries (core/activation.c). */
extern const act_desc *const act_descriptors[];

extern const act_desc act_desc_linear, act_desc_tanh, act_desc_sigmoid, act_desc_softplus, act_desc_sin,
    act_desc_erf, act_desc_gelu, act_desc_relu, act_desc_leaky_relu;

/* Shared pieces (core/activation.c). */
void act_eval_smooth(const act_desc *d, arb_ptr out[3], const arb_t x, slong prec);
void act_err_relative(const act_desc *d, double x, double s0, double s1, double *e0, double *e1);
void act_err_exact(const act_desc *d, double x, double s0, double s1, double *e0, double *e1);

/* core/act_tanh.c, exposed for tests: exp(y) for y ≤ 0 within
 * 3.1u relative plus 2^-1075, expm1(y) for −0.3465 ≤ y ≤ 0 (where the
 * reduction by ln 2 leaves y whole) within 2.9u relative, and tanh, tanh′ at a
 * non-NaN x as plstar_act_eval_d computes them. */
double _act_exp_nonpos(double y);
double _act_expm1_small(double y);
void _act_tanh_d(double x, double *t, double *d1);

#endif

/*
 * reference/shallow.h — enclosures of K(w) and F(w) for the shallow network
 * f(w; x) = (1/√m) Σ_j v_j σ(w_jᵀx) (docs/theory.md §5), streamed neuron by neuron so
 * that widths of 10^6 and more fit in memory:
 *     K_ik = (1/m) Σ_j σ′(w_jᵀx_i) σ′(w_jᵀx_k) · x_iᵀx_k,   F_i = (1/√m) Σ_j v_j σ(w_jᵀx_i).
 * Two routes, both rigorous (every ball contains the exact value); they differ in
 * where the pre-activations z_ij = w_jᵀx_i come from:
 *   - "arb": z_ij is an Arb dot product of the exact double inputs at `prec` bits,
 *     then σ, σ′ and the sums in Arb: the --prec reference (radii ~2^−prec·‖K‖,
 *     the same real numbers as reference/network.h, in O(n² + n·d) balls).
 *   - "dgemm-bound": z_ij from one double GEMM with the a-priori bound
 *     |fl(w_jᵀx_i) − w_jᵀx_i| ≤ γ_d |w_j|ᵀ|x_i| (Higham, Lemma 3.1 / §3.1), rounded
 *     up, then σ, σ′ and the sums in Arb. A floating-point computation with a
 *     proven error bound feeding an Arb enclosure: its radii are ~u·|w|ᵀ|x| (u =
 *     2^−53) whatever `prec` is, so it is no high-precision reference; it saves the
 *     n·d Arb products per neuron (O(n·m) doubles) for very wide nets.
 * Which checks take which route, and the measurements: docs/shallow.md.
 */
#ifndef PLSTAR_REFERENCE_SHALLOW_H
#define PLSTAR_REFERENCE_SHALLOW_H

#include <arb_mat.h>
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* K: n × n, F: n × 1 (either may be NULL). The model must be "shallow". */
int plstar_ref_shallow_kernel_outputs_arb(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n,
                                          const double *w, slong prec);
int plstar_ref_shallow_kernel_outputs_dgemm_bound(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X,
                                                  size_t n, const double *w, slong prec);

/* How K(w0), F(w0) are enclosed. REF_ROUTE_CALLER: the call site's default;
 * REF_ROUTE_AUTO: "arb" unless the shallow model's Arb work m·n·d exceeds
 * REF_ROUTE_ARB_WORK_MAX, then "dgemm-bound". Models other than "shallow" have
 * only the "arb" route (reference/network.h). */
typedef enum { REF_ROUTE_CALLER = 0, REF_ROUTE_AUTO, REF_ROUTE_ARB, REF_ROUTE_DGEMM_BOUND } ref_kernel_route;

/* Arb dot-product terms m·n·d (the Arb route's extra work over the GEMM one)
 * above which "auto" takes "dgemm-bound": about 20 s of one core at 128 bits
 * (docs/shallow.md has the measurements). */
#define REF_ROUTE_ARB_WORK_MAX 1e9

/* The user's choice for every later call in the process (`--kernel-route NAME`,
 * NAME "auto", "arb" or "dgemm-bound"); NULL restores each call site's default.
 * Returns 0, or −1 (and changes nothing) for another name. */
int plstar_ref_kernel_route_force(const char *name);

/* "auto", "arb", "dgemm-bound" ("caller" for REF_ROUTE_CALLER). */
const char *plstar_ref_kernel_route_name(ref_kernel_route r);

/* The route plstar_ref_kernel_outputs_route takes for this model, n samples and request
 * (REF_ROUTE_ARB or REF_ROUTE_DGEMM_BOUND): the forced route if any, else the
 * request, AUTO resolved by the rule above. Reports record its name. */
ref_kernel_route plstar_ref_kernel_route_pick(const plstar_model *m, size_t n, ref_kernel_route request);
const char *plstar_ref_kernel_route_used(const plstar_model *m, size_t n, ref_kernel_route request);

/* K(w) (N × N) and, when F is not NULL, F(w) (N × 1) by the picked route. */
int plstar_ref_kernel_outputs_route(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n,
                                    const double *w, slong prec, ref_kernel_route request);

/* The same with request REF_ROUTE_ARB: the --prec reference unless the user forced another route. */
int plstar_ref_kernel_outputs_best(arb_mat_t K, arb_mat_t F, const plstar_model *m, const double *X, size_t n,
                                   const double *w, slong prec);

#ifdef __cplusplus
}
#endif

#endif

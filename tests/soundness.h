/*
 * tests/soundness.h — the soundness campaign: seeded random symmetric matrices
 * and small models whose smallest eigenvalue is known EXACTLY (or, for
 * nonlinear models, enclosed at 512 bits), thresholds μ placed within 10⁻⁹
 * relative of it on both sides, models built to be hostile (exactly singular
 * kernels, planted ReLU kinks, overflow, diverging GD), and every certified
 * claim of the eigenvalue routines and of the checks built on them compared
 * with the truth.
 *
 * Truth. A claim about a double matrix A (or a ball around it) is a statement
 * about exact dyadic rationals, decided exactly with FLINT integers: with μ
 * dyadic, A − μI is scaled to an integer matrix B, and
 *     λ_min(A) > μ  ⟺  B ≻ 0  ⟺  all leading principal minors of B are > 0
 * (Sylvester), computed by fraction-free (Bareiss) elimination; λ_min(A) ≥ μ
 * adds the singular case, decided when a minor vanishes by symmetric-pivoted
 * elimination over Q (Sylvester's law of inertia: a negative pivot, or a zero
 * diagonal block with a non-zero entry, means a negative eigenvalue). Nothing
 * of plstar is used for the truth. λ_min itself is bracketed by exact
 * bisection to 2⁻⁵⁰ relative around LAPACK's estimate, which places μ.
 *
 * Families (case k of seed S is reproducible on its own):
 *   exact     P S B S Pᵀ, B block diagonal with 1×1 and [[a, b], [b, a]] blocks:
 *             spectrum exactly representable; μ = λ_min exactly, its two
 *             neighbouring doubles, and λ_min(1 ± δ);
 *   rotated   Q D Qᵀ rounded to double (Q random orthogonal), condition up to
 *             10⁸, clusters at 10⁻¹⁵…10⁻⁶ relative, indefinite and nearly
 *             singular spectra, scales from 2⁻¹⁰⁶⁰ to 2¹⁰⁰⁰; μ = λ_min(1 ± δ),
 *             δ ∈ [10⁻¹², 10⁻⁹] log-uniform;
 *   ball      a rotated matrix with entrywise radius r: claims for all X with
 *             |X − A| ≤ r are checked on A, A ± r·ssᵀ (s the sign pattern of
 *             the smallest eigenvector: the worst vertex for it) and A ± r·I;
 *   easy      well conditioned, δ ∈ [10⁻³, 0.5]: every routine should decide;
 *   large     rotated matrices of order 33…64 (larger factorisations than
 *             the other families); μ = λ̂(1 ± δ) around LAPACK's estimate, the
 *             side left to the exact truth (no bracket: too costly at this size);
 *   linear    F(w) = Xw, K = XXᵀ exact; plstar_check_pl_point (Theorem 1, the direct
 *             inequality ½‖∇L‖² ≥ μL, the Proposition 3 witness) checked
 *             exactly, including singular K (n > d);
 *   nonlinear shallow/MLP models; the truth is the generic reference
 *             (reference/network.h, another code path than the certificate's)
 *             at 512 bits — decided when its enclosure excludes μ;
 *   dead      ReLU / leaky-ReLU MLPs and shallow nets whose K is exactly
 *             singular by construction: samples on which every first-layer
 *             unit is dead (a zero row; two such samples with biases: equal
 *             rows) or a sample repeated times a power of two (ReLU-family nets
 *             without bias are positively homogeneous: proportional rows);
 *             μ = 0 (the default rule) or tiny. The point certificate must
 *             never certify; every witness is re-checked at 512 bits;
 *   kink      one-hidden-layer ReLU / leaky-ReLU nets on a dyadic grid with
 *             pre-activations planted exactly at 0, one grid unit either side
 *             (exact in every summation order) or one ulp of an input either
 *             side. The truth is an explicit Jacobian at 512 bits under each
 *             one-sided rule σ′(0) ∈ {left slope, 1} (both at an exact 0, where
 *             the reference encloses their hull); the reference's kernel and
 *             Jacobian enclosures (both shallow routes), the point certificate
 *             and validate's verdict on correct and perturbed Jacobians are
 *             checked against it;
 *   shallow   shallow nets of every activation, truth the generic reference at
 *             512 bits, the point certificate at 128–256 bits on both kernel
 *             routes ("arb", "dgemm-bound"), μ at the nearest doubles of λ_min
 *             and, for singular kernels, μ = 10⁻¹⁸…10⁻³⁰·λ_max;
 *   overflow  inputs (and weights) up to 10³⁰⁸: softplus/exp, K and L overflow
 *             in doubles. No certified claim may rest on a non-finite value:
 *             the point certificate and plstar_ref_eig_bounds against the 512-bit
 *             truth, the cross-check against its own entries recomputed and
 *             compared with the 512-bit truth, the verified eigenvalue
 *             routines on a non-finite fast kernel;
 *   diverge   tiny GD runs with large steps (n ≤ 6, widths ≤ 8, ≤ 30 steps):
 *             the path certificate is never certified when a loss of the
 *             iterates (recomputed at 512 bits) rises above L(w0) or is not
 *             finite, and returns a verdict, not an error.
 *
 * Near counts: "near" is |λ − μ| ≤ 10⁻⁹|λ|; "near20" is |λ − μ| ≤
 * 10⁻²⁰·max(|λ|, λ_max) for the model families (λ_max of K: the scale a
 * rounding-level enclosure is measured against; a double μ cannot come closer
 * than 10⁻¹⁶|λ| to an irrational λ), |λ − μ| ≤ 10⁻²⁰|λ| for the matrices.
 *
 * Routines under test: plstar_verified_spd_shift_check, plstar_verified_lambda_min,
 * plstar_verified_eig_bounds (verified/eig.h), plstar_ref_spd_shift_check, plstar_ref_eig_bounds
 * (reference/eig.h), plstar_check_pl_point (proofs-checks/pl_point.h), plstar_ref_kernel,
 * plstar_ref_jacobian (reference/network.h) and both shallow routes
 * (reference/shallow.h), plstar_check_validate (proofs-checks/validate.h),
 * plstar_check_crosscheck (proofs-checks/crosscheck.h), plstar_check_gd_path
 * (proofs-checks/gd_path.h).
 */
#ifndef PLSTAR_TESTS_SOUNDNESS_H
#define PLSTAR_TESTS_SOUNDNESS_H

#include <stdio.h>

enum {
    SR_FAST_SHIFT = 0,  /* plstar_verified_spd_shift_check: λ_min > μ */
    SR_FAST_LMIN,       /* plstar_verified_lambda_min: λ_min ≥ lower, asked "λ_min ≥ μ" */
    SR_FAST_BOUNDS,     /* plstar_verified_eig_bounds: four bounds, asked "λ_min > μ" */
    SR_REF_SHIFT,       /* plstar_ref_spd_shift_check: λ_min > μ */
    SR_REF_BOUNDS,      /* plstar_ref_eig_bounds: four bounds, asked "λ_min > μ" */
    SR_PL_THEOREM1,     /* plstar_check_pl_point, Theorem 1 route: λ_min(K) ≥ μ */
    SR_PL_DIRECT,       /* plstar_check_pl_point, direct route: ½‖∇L‖² ≥ μ L */
    SR_PL_WITNESS,      /* plstar_check_pl_point, Proposition 3 witness: ½‖∇L(y*)‖² < μ L(y*) */
    SR_PL_VERDICT,      /* plstar_check_pl_point's verdict about every label vector: λ_min(K) ≥ μ > 0 */
    SR_SHALLOW_ARB,     /* plstar_check_pl_point, Theorem 1 route, shallow model, kernel route "arb" */
    SR_SHALLOW_DGEMM,   /* the same on the "dgemm-bound" route */
    SR_REF_KERNEL,      /* plstar_ref_kernel / plstar_ref_jacobian / shallow routes: enclosure claims at kinks */
    SR_VALIDATE,        /* plstar_check_validate: "this Jacobian is one a correct implementation can produce" */
    SR_CROSSCHECK,      /* plstar_check_crosscheck: "every fast value is within its error bound of the truth" */
    SR_NONFINITE,       /* verified eigenvalue routines on a non-finite matrix: never certified */
    SR_GD_PATH,         /* plstar_check_gd_path: the certified rate holds on the iterates */
    SR_COUNT
};

enum {
    SF_EXACT = 0, SF_ROTATED, SF_BALL, SF_EASY, SF_LINEAR, SF_NONLINEAR, SF_LARGE,
    SF_DEAD, SF_KINK, SF_SHALLOW, SF_OVERFLOW, SF_DIVERGE, SF_COUNT
};

typedef struct {
    unsigned long asked;            /* questions put to the routine */
    unsigned long yes, no;          /* answers certified true / certified false */
    unsigned long open_true;        /* inconclusive where the truth is "true" */
    unsigned long open_false;       /* inconclusive (or not certified) where the truth is "false" */
    unsigned long wrong;            /* certified answers the truth contradicts: must be 0 */
    unsigned long claims;           /* enclosure claims (lower/upper bounds) checked */
    unsigned long violations;       /* enclosure claims the truth contradicts: must be 0 */
    unsigned long unresolved;       /* the high-precision truth could not decide (nonlinear only) */
    double closest;                 /* smallest |λ − μ|/|λ| of a certified answer (1 when none) */
    double tightest;                /* smallest relative gap of a verified lower bound to λ_min */
    unsigned long near_asked;       /* questions with |λ − μ| ≤ 10⁻⁹|λ| */
    unsigned long near_decided;     /* … of which certified either way */
    unsigned long near20_asked;     /* questions with |λ − μ| ≤ 10⁻²⁰ of the scale (above) */
    unsigned long near20_decided;
} soundness_counter;

typedef struct {
    unsigned long cases, family[SF_COUNT];
    soundness_counter r[SR_COUNT];
    unsigned long exact_tests;      /* exact inertia decisions made */
    unsigned long placement_miss;   /* μ on the other side than intended (bracket too wide) */
    unsigned long errors;           /* a routine returned an error status */
    unsigned long truth_failures;   /* the exact test contradicted a known spectrum (engine self-check) */
    char first_wrong[1024];         /* the first wrong verdict, to reproduce it */
    char first_error[512];          /* the first routine error, likewise */
    double seconds;
} soundness_stats;

void soundness_stats_init(soundness_stats *s);

/* Runs cases first … first + count − 1 of the campaign seeded by `seed` and
 * adds them to s. verbose: 0 quiet, 1 a progress line per 1000 cases (stderr),
 * 2 one line per case. Returns the number of wrong verdicts and violated
 * claims in these cases. */
unsigned long soundness_run(soundness_stats *s, unsigned long seed, unsigned long first, unsigned long count,
                            int verbose);

/* For the engine's self-test only: when non-zero, every lower bound of
 * plstar_verified_lambda_min is raised by this fraction of its magnitude before
 * it is checked — a deliberately unsound routine the campaign must catch. */
extern double soundness_mutation;

/* For the self-test only: bits of deliberately unsound behaviour the campaign
 * must catch. SOUNDNESS_MUTATE_SINGULAR: every verdict of the point certificate
 * on a singular kernel is taken as certified; SOUNDNESS_MUTATE_KINK: the
 * kink family's reference kernel balls are shrunk to their midpoints. */
enum { SOUNDNESS_MUTATE_SINGULAR = 1, SOUNDNESS_MUTATE_KINK = 2 };
extern unsigned soundness_mutations;

/* When ≥ 0, every case is of this family (the draw that picks the family is
 * still made, so the rest of case k is that of the mixture's case k if it
 * belongs to the family). For measuring and reproducing one family. */
extern int soundness_only_family;

/* The family's index from its name ("exact", …, "diverge"), −1 if unknown. */
int soundness_family_from_name(const char *name);

/* Adds b into a (for runs split over processes or threads). */
void soundness_stats_add(soundness_stats *a, const soundness_stats *b);

/* Wrong verdicts + violated claims. */
unsigned long soundness_wrong(const soundness_stats *s);

/* The summary table. */
void soundness_print(FILE *f, const soundness_stats *s, unsigned long seed);

#endif

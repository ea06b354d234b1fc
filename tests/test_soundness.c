/*
 * The quick slice of the soundness campaign (tests/soundness.h): a few
 * thousand seeded cases — matrices and models whose λ_min is known exactly,
 * thresholds within 10⁻⁹ relative of it on both sides — and not one certified
 * answer or claimed bound may contradict the exact truth. The full campaign
 * (10⁶ cases) is build/tests/soundness_campaign (docs/reliability.md).
 * PLSTAR_SOUNDNESS_CASES overrides the number of cases.
 */
#include <cblas.h>
#include <criterion/criterion.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "soundness.h"

#if defined(__SANITIZE_ADDRESS__)
#define QUICK_CASES 2000 /* the instrumented build is several times slower */
#else
#define QUICK_CASES 5000
#endif

/* small matrices: one thread, as in the full campaign */
static void single_thread(void)
{
    omp_set_num_threads(1);
    openblas_set_num_threads(1);
}

Test(soundness, quick_slice_has_no_wrong_verdict, .timeout = 600, .init = single_thread)
{
    unsigned long cases = QUICK_CASES;
    const char *env = getenv("PLSTAR_SOUNDNESS_CASES");
    if (env && atol(env) > 0)
        cases = (unsigned long)atol(env);
    soundness_stats s;
    soundness_stats_init(&s);
    soundness_run(&s, 20240601, 0, cases, 0);
    soundness_print(stderr, &s, 20240601);
    cr_assert_eq(soundness_wrong(&s), 0, "wrong verdicts: %s", s.first_wrong);
    cr_assert_eq(s.errors, 0, "a routine returned an error status");
    cr_assert_eq(s.placement_miss, 0, "thresholds off their intended side: the exact bracket is wrong");
    cr_assert_eq(s.truth_failures, 0, "the exact inertia test contradicts a known spectrum");
    /* the slice is only worth something if the routines do decide: every
     * family ran, and each matrix routine certified a good share of its questions */
    for (int f = 0; f < SF_COUNT; f++)
        cr_assert(s.family[f] > 0, "family %d never ran", f);
    for (int r = SR_FAST_SHIFT; r <= SR_REF_BOUNDS; r++)
        cr_assert(s.r[r].yes + s.r[r].no > s.r[r].asked / 5, "routine %d decided %lu of %lu", r,
                  s.r[r].yes + s.r[r].no, s.r[r].asked);
    /* the model families put real questions: correct and perturbed Jacobians at
     * kinks, diverging GD runs, cross-checks and eigenvalue routines on overflow */
    cr_assert(s.r[SR_VALIDATE].yes > 0 && s.r[SR_VALIDATE].no > 0, "validate: %lu passes, %lu fails",
              s.r[SR_VALIDATE].yes, s.r[SR_VALIDATE].no);
    cr_assert(s.r[SR_REF_KERNEL].claims > 0, "no enclosure claim at a kink");
    cr_assert(s.r[SR_GD_PATH].no > 0, "no diverging GD run was refuted");
    cr_assert(s.r[SR_CROSSCHECK].asked > 0 && s.r[SR_NONFINITE].asked > 0, "no overflowing model");
    /* the "arb" route decides what the "dgemm-bound" one cannot: μ within 1e-20 of λ_min */
    const soundness_counter *arb = &s.r[SR_SHALLOW_ARB], *dgemm = &s.r[SR_SHALLOW_DGEMM];
    cr_assert(arb->near20_asked > 0 && arb->near20_decided * 10 >= arb->near20_asked * 9,
              "the arb route decided %lu of %lu questions within 1e-20", arb->near20_decided, arb->near20_asked);
    cr_assert(arb->near20_decided > dgemm->near20_decided, "arb route %lu, dgemm-bound route %lu",
              arb->near20_decided, dgemm->near20_decided);
}

/* The campaign is sharp enough to see a bound that claims 10⁻¹¹ too much. */
Test(soundness, catches_a_bound_ten_to_the_minus_eleven_too_high, .timeout = 600, .init = single_thread)
{
    soundness_stats s;
    soundness_stats_init(&s);
    soundness_mutation = 1e-11;
    soundness_run(&s, 7, 0, 300, 0);
    soundness_mutation = 0;
    cr_assert(s.r[SR_FAST_LMIN].violations + s.r[SR_FAST_LMIN].wrong > 0,
              "an over-claimed lower bound went unnoticed");
    cr_assert_eq(s.r[SR_FAST_SHIFT].wrong + s.r[SR_REF_SHIFT].wrong, 0, "only the mutated routine may fail");
}

/* A point certificate that certified on exactly singular kernels would be caught. */
Test(soundness, catches_a_certificate_on_a_singular_kernel, .timeout = 600, .init = single_thread)
{
    soundness_stats s;
    soundness_stats_init(&s);
    soundness_only_family = SF_DEAD;
    soundness_mutations = SOUNDNESS_MUTATE_SINGULAR;
    soundness_run(&s, 7, 0, 40, 0);
    soundness_mutations = 0;
    soundness_only_family = -1;
    cr_assert(s.r[SR_PL_VERDICT].wrong > 0, "a certified verdict at lambda_min = 0 went unnoticed");
}

/* Reference kernels shrunk to their midpoints at kinks would be caught. */
Test(soundness, catches_a_kernel_enclosure_missing_a_one_sided_rule, .timeout = 600, .init = single_thread)
{
    soundness_stats s;
    soundness_stats_init(&s);
    soundness_only_family = SF_KINK;
    soundness_mutations = SOUNDNESS_MUTATE_KINK;
    soundness_run(&s, 7, 0, 40, 0);
    soundness_mutations = 0;
    soundness_only_family = -1;
    cr_assert(s.r[SR_REF_KERNEL].violations > 0, "a kernel enclosure without the one-sided values went unnoticed");
}

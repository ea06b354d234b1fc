/* core/act_tanh.c — the tanh activation. tanh and tanh′ in double with a
 * proven error bound, one element at a time or four at a time (AVX2), with
 * identical results; σ″ = −2·tanh·tanh′.
 *
 * With y = −2|x| ≤ 0 (exact), k the integer nearest fl(y/ln 2) and
 * r = y − k·ln 2, one polynomial gives w ≈ expm1(r), and
 *   k = 0 (|x| ≲ ln2/4, r = y):  m = w = expm1(y),
 *                               tanh|x| = −m/(m + 2),     tanh′ = 1 − tanh²
 *   k ≤ −1:                     e = (1 + w)·2^k = exp(y) ≤ 0.7072,
 *                               tanh|x| = (1 − e)/(1 + e), tanh′ = 4e/(1 + e)²
 * The exponentials are evaluated here, not by libm, so that their error is
 * proven rather than taken from a table (and so that they vectorise).
 * u = 2⁻⁵³; bounds are first order, the second-order terms far below the
 * slack kept.
 *
 * Reduction (y ≥ −760; smaller y is raised to −760, exp(−760) < 2⁻¹⁰⁹⁰
 * rounds to 0 either way): k by the shifter trick in one fma, so
 * |y/ln 2 − k| ≤ ½ + 1.2·10⁻¹³ and |r| ≤ 0.3466. r = fma(−k, LN2_HI, y) is
 * exact (k·LN2_HI has ≤ 44 bits; Sterbenz), fma(−k, LN2_LO, ·) rounds once:
 * |δr| ≤ u|r| + 1100·|ln 2 − LN2_HI − LN2_LO| ≤ 0.35u + 1.3·10⁻²³ (none when
 * k = 0).
 * w = r·q(r), q = Σ_{i≤12} r^i/(i+1)! by Horner with fma; q ≥ 0.845:
 * truncation ≤ 0.13u, rounding ≤ Σ |c_i||r|^i γ_{i+1} = u·e^{|r|} ≤ 1.42u
 * absolute, 1.68u relative; coefficients (rounded from i ≥ 2) ≤ 0.03u; the
 * product u. expm1: ≤ 2.9u relative.
 * exp: 1 + w adds 2.9u·0.415/0.707 + u ≤ 2.71u, δr 0.35u: ≤ 3.1u relative;
 * then ·2^⌊k/2⌋·2^{k−⌊k/2⌋}, both factors normal, exact unless the result is
 * subnormal (one rounding, ≤ 2⁻¹⁰⁷⁵ absolute).
 *
 * Both are within the 8u that plstar_act_err_d's model of tanh assumes for its
 * exponential (act_desc_tanh below), which is therefore proven, not assumed.
 *
 * The Arb version: tanh and sech² in ball arithmetic.
 */
#include "core/act_impl.h"
#include "core/report.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define EXP_Y_MIN (-760.0)
#define SHIFTER 0x1.8p52 /* adding it rounds to an integer (|value| < 2^51) */
#define INV_LN2 0x1.71547652b82fep+0
#define LN2_HI 0x1.62e42fee00000p-1 /* 33 bits: k·LN2_HI exact for |k| < 2^20 */
#define LN2_LO 0x1.a39ef35793c76p-33

static const double q_c[13] = { /* 1/(i+1)! */
    0x1p+0,                0x1p-1,                0x1.5555555555555p-3,  0x1.5555555555555p-5,  0x1.1111111111111p-7,
    0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-16, 0x1.71de3a556c734p-19, 0x1.27e4fb7789f5cp-22,
    0x1.ae64567f544e4p-26, 0x1.1eed8eff8d898p-29, 0x1.6124613a86d09p-33,
};

/* fma() is one instruction where the CPU has it, a (correctly rounded) libm
 * call elsewhere: same values, so each function is built twice. */
#if defined(__x86_64__) && defined(__GNUC__)
#define FMA_CLONES __attribute__((target_clones("fma", "default")))
#else
#define FMA_CLONES
#endif

static double pow2i(int64_t k) /* 2^k for −1022 ≤ k ≤ 1023 */
{
    uint64_t bits = (uint64_t)(k + 1023) << 52;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* k and r = y − k·ln 2 for y ≤ 0 (raised to −760), and w = r·q(r) ≈ expm1(r). */
FMA_CLONES static double reduce(double y, double *w)
{
    y = y < EXP_Y_MIN ? EXP_Y_MIN : y; /* NaN stays NaN */
    double k = fma(y, INV_LN2, SHIFTER) - SHIFTER;
    double r = fma(-k, LN2_HI, y);
    r = fma(-k, LN2_LO, r);
    double q = q_c[12];
    for (int i = 11; i >= 0; i--)
        q = fma(q, r, q_c[i]);
    *w = r * q;
    return k;
}

static double scale2k(double p, double k) /* p·2^⌊k/2⌋·2^{k−⌊k/2⌋}, −1100 < k ≤ 0 */
{
    int64_t ki = (int64_t)k, k1 = ki >= 0 ? ki / 2 : -((-ki + 1) / 2);
    return (p * pow2i(k1)) * pow2i(ki - k1);
}

double _act_exp_nonpos(double y)
{
    double w, k = reduce(y, &w);
    return isnan(k) ? k : scale2k(1.0 + w, k);
}

double _act_expm1_small(double y)
{
    double w;
    reduce(y, &w);
    return w;
}

FMA_CLONES void _act_tanh_d(double x, double *t, double *d1)
{
    double ax = fabs(x), w, k = reduce(-2.0 * ax, &w);
    if (k != 0.0) {
        double e = scale2k(1.0 + w, k), d = 1.0 + e;
        *t = copysign((1.0 - e) / d, x);
        *d1 = (4.0 * e) / (d * d);
    } else {
        double a = fabs(-w / (w + 2.0));
        *t = copysign(a, x);
        *d1 = fma(-a, a, 1.0);
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* The operations of _act_tanh_d, lane by lane and in the same order, both
 * branches computed and blended: the results are bit for bit the same. */
__attribute__((target("avx2,fma"))) static void tanh_avx2(const double *z, double *s0, double *s1, size_t n)
{
    const __m256d sign = _mm256_set1_pd(-0.0), one = _mm256_set1_pd(1.0), two = _mm256_set1_pd(2.0);
    const __m256d shifter = _mm256_set1_pd(SHIFTER), ymin = _mm256_set1_pd(EXP_Y_MIN), half = _mm256_set1_pd(0.5);
    const __m256i bias = _mm256_set1_epi64x(1023), shifter_bits = _mm256_castpd_si256(shifter);
    for (size_t k = 0; k + 4 <= n; k += 4) {
        __m256d x = _mm256_loadu_pd(z + k), ax = _mm256_andnot_pd(sign, x);
        __m256d nan = _mm256_cmp_pd(x, x, _CMP_UNORD_Q);
        /* reduce */
        __m256d y = _mm256_max_pd(_mm256_mul_pd(ax, _mm256_set1_pd(-2.0)), ymin);
        __m256d kd = _mm256_sub_pd(_mm256_fmadd_pd(y, _mm256_set1_pd(INV_LN2), shifter), shifter);
        __m256d r = _mm256_fnmadd_pd(kd, _mm256_set1_pd(LN2_HI), y);
        r = _mm256_fnmadd_pd(kd, _mm256_set1_pd(LN2_LO), r);
        __m256d q = _mm256_set1_pd(q_c[12]);
        for (int i = 11; i >= 0; i--)
            q = _mm256_fmadd_pd(q, r, _mm256_set1_pd(q_c[i]));
        __m256d w = _mm256_mul_pd(r, q), big = _mm256_cmp_pd(kd, _mm256_setzero_pd(), _CMP_NEQ_OQ);
        /* k ≤ −1: e = (1 + w)·2^⌊k/2⌋·2^{k−⌊k/2⌋} */
        __m256d k1d = _mm256_floor_pd(_mm256_mul_pd(kd, half)), k2d = _mm256_sub_pd(kd, k1d);
        __m256i k1 = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(k1d, shifter)), shifter_bits);
        __m256i k2 = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(k2d, shifter)), shifter_bits);
        __m256d f1 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(k1, bias), 52));
        __m256d f2 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(k2, bias), 52));
        __m256d e = _mm256_mul_pd(_mm256_mul_pd(_mm256_add_pd(one, w), f1), f2), d = _mm256_add_pd(one, e);
        /* tanh|x| and tanh′ on both branches, then blended */
        __m256d num = _mm256_blendv_pd(_mm256_xor_pd(w, sign), _mm256_sub_pd(one, e), big);
        __m256d den = _mm256_blendv_pd(_mm256_add_pd(w, two), d, big);
        __m256d a = _mm256_div_pd(num, den);
        a = _mm256_blendv_pd(_mm256_andnot_pd(sign, a), a, big);
        __m256d dbig = _mm256_div_pd(_mm256_mul_pd(_mm256_set1_pd(4.0), e), _mm256_mul_pd(d, d));
        __m256d v1 = _mm256_blendv_pd(_mm256_fnmadd_pd(a, a, one), dbig, big);
        __m256d v0 = _mm256_or_pd(_mm256_andnot_pd(sign, a), _mm256_and_pd(sign, x));
        _mm256_storeu_pd(s0 + k, _mm256_blendv_pd(v0, x, nan));
        _mm256_storeu_pd(s1 + k, _mm256_blendv_pd(v1, x, nan));
    }
}

static int have_avx2_fma(void)
{
    static int cached = -1;
    int c = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (c < 0) {
        __builtin_cpu_init();
        c = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        __atomic_store_n(&cached, c, __ATOMIC_RELAXED);
    }
    return c;
}
#endif

static void tanh_batch_d(const double *z, double *s0, double *s1, size_t n)
{
    size_t k = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    if (have_avx2_fma()) {
        tanh_avx2(z, s0, s1, n);
        k = n - n % 4;
    }
#endif
    for (; k < n; k++) {
        double x = z[k];
        if (isnan(x))
            s0[k] = s1[k] = x;
        else
            _act_tanh_d(x, &s0[k], &s1[k]);
    }
}

static void tanh_d(double x, double v[3], int want1, int want2)
{
    _act_tanh_d(x, &v[0], &v[1]);
    v[2] = -2.0 * v[0] * v[1];
}

static void tanh_formulas(arb_ptr s0, arb_ptr s1, arb_ptr s2, const arb_t x, slong wp)
{
    arb_t t, c;
    arb_init(t);
    arb_init(c);
    if (s0 || s2)
        arb_tanh(t, x, wp);
    if (s1 || s2) {
        arb_sech(c, x, wp); /* sech² rather than 1 − tanh²: relatively tight for large |x| */
        arb_sqr(c, c, wp);
    }
    if (s0)
        arb_set(s0, t);
    if (s1)
        arb_set(s1, c);
    if (s2) {
        arb_mul(s2, t, c, wp);
        arb_mul_si(s2, s2, -2, wp);
    }
    arb_clear(t);
    arb_clear(c);
}

/* σ′ even, decreasing in |x| → 0. σ‴ = 2 sech²x (3tanh²x − 1)·(−1) vanishes
 * at tanh x = ±1/√3, x = ±½ log(2 + √3). */
static int tanh_crit_points(arb_ptr c, int k, slong wp)
{
    int n = 0;
    if (k == 1) {
        arb_zero(c + n++);
    } else if (k == 2) {
        arb_t t;
        arb_init(t);
        arb_sqrt_ui(t, 3, wp);
        arb_add_ui(t, t, 2, wp);
        arb_log(t, t, wp);
        arb_mul_2exp_si(t, t, -1);
        arb_set(c + n++, t);
        arb_neg(c + n++, t);
        arb_clear(t);
    }
    return n;
}

static int tanh_range(int k, double *lo, double *hi)
{
    double S = (k == 0) ? 1.0 : (k == 1) ? plstar_act_sup_d1(ACT_TANH) : plstar_act_sup_d2(ACT_TANH);
    *lo = (k == 1) ? 0.0 : -S, *hi = S;
    return 1;
}

/* σ′ = 1 − t², t = tanh x ∈ (−1,1): max 1 at x = 0. |σ″| = 2|t|(1 − t²) =: g(t);
 * g′(t) = 2 − 6t² vanishes only at t² = 1/3 on [0,1), g(0) = g(1) = 0, so
 * sup = g(1/√3) = 4/(3√3). */
static void tanh_sup(double sup[2])
{
    arb_t t;
    arb_init(t);
    arb_sqrt_ui(t, 3, 128);
    arb_mul_ui(t, t, 3, 128);
    arb_ui_div(t, 4, t, 128);
    sup[0] = 1.0;
    sup[1] = plstar_arb_upper_d(t);
    arb_clear(t);
}

const act_desc act_desc_tanh = {
    .name = "tanh",
    .formula = "tanh(z)",
    .twice_differentiable = 1,
    .eval_d = tanh_d,
    .eval_batch_d = tanh_batch_d,
    .eval_arb = act_eval_smooth,
    .arb = {.formulas = tanh_formulas, .crit_points = tanh_crit_points, .range = tanh_range},
    /* The exponentials of y = −2|x| are this file's, proven within 3.1u (exp)
     * and 2.9u (expm1), not libm's.
     * k ≤ −1, e = exp(y) ≤ 0.7072: σ = (1 − e)/(1 + e): 1 − e
     *   3.1u·e/(1 − e) + u ≤ 8.5u; 1 + e 3.1u·0.42 + u ≤ 2.3u;
     *   divide u: 11.8u. σ′ = 4e/(1+e)²: 3.1 + 2·2.3 + 1 + 1 = 9.7u.
     * k = 0, m = expm1(y) ∈ [−0.293, 0]: σ = −m/(m + 2): m + 2
     *   2.9u·0.293/1.707 + u ≤ 1.5u; divide u: 2.9 + 1.5 + 1 = 5.4u.
     *   σ′ = fma(−σ, σ, 1), σ² ≤ tanh²(ln2/4) < 0.03: 2·5.4u·0.03/0.97
     *   + u ≤ 1.4u.
     * So σ ≤ 11.8u → A = 17 (the model of libm's tanh, kept);
     * σ′ ≤ 9.7u → A = 21 (kept). */
    .err_d = act_err_relative,
    .err_a = {17, 21},
    /* σ by exp-based formulas loses relative accuracy near 0: u absolute;
     * σ′ = 1 − σ̂² as autograd forms it, with |σ̂ − σ| ≤ 17u|σ|: 2·17u plus
     * two roundings → 38 */
    .any_formula_err = {1, 38},
    .sup = tanh_sup,
};

/*
 * proofs-checks/validate.h — other people's implementations against the reference.
 *
 * A bundle (plstar_validate_write_bundle) holds a model with its data, labels and initial weights and a
 * manifest stating the parameter layout, scaling, bias convention and output order, so the model
 * can be rebuilt in another framework (PyTorch, JAX, CUDA). Whoever rebuilds it computes F, DF,
 * K = DF DFᵀ, λ_min(K) and a gradient-descent loss trajectory in float64, float32, float16 or
 * bfloat16 and hands the arrays back, in plstar's layout or in functorch's or neural-tangents'
 * (validate_layout); plstar_check_validate decides, entry by entry, whether each value is one that a
 * correct implementation in the claimed format can produce:
 *
 *     |theirs − mid| ≤ rad + tol        (allowance = rad + tol, ratio = |theirs − mid| / allowance)
 *
 * where mid ± rad is the Arb enclosure of the exact value (reference/network.h: the true value
 * is inside) and tol the rounding allowance of the claimed format. A quantity passes when every
 * ratio is ≤ 1 (decided exactly, in Arb); it fails when one entry is outside — then their value
 * differs from the exact one by more than any run of the modelled algorithms in that format can
 * explain. An entry whose enclosure is wider than its tolerance (rad > tol) cannot be judged:
 * the quantity is then inconclusive unless another entry fails.
 *
 * Tolerance model (docs/validate.md). Their computation is modelled as the standard algorithms —
 * a matrix product per layer for the forward pass, the chain rule backwards for DF and ∇L,
 * K = DF DFᵀ — run in a floating-point format with unit roundoff u (2^-53 float64, 2^-24 float32,
 * 2^-11 float16, 2^-8 bfloat16) and its underflow error per rounding (validate_format),
 * with any summation order, with or without FMA, and activations by any standard formula
 * (σ′ possibly formed from σ̂ as autograd does). The rounding error of that computation is
 * bounded by the running error analysis of fast/errbound.h (Higham, Accuracy and Stability of
 * Numerical Algorithms, §3.1), parameterised by u (plstar_fast_errbound_u); for example
 *     K_ij:  γ_P (|J||J|ᵀ)_ij + (|J| e_Jᵀ + e_J (|J| + e_J)ᵀ)_ij,   (|J||J|ᵀ)_ij ≤ ‖J_i‖‖J_j‖,
 * a forward bound for F and a backward bound for DF. In a format narrower than float64 the inputs
 * X, w, y are first rounded to it (relative error u, absolute underflow): an input perturbation of
 * the bound. A quantity whose computation can leave the format's range (plstar_fast_errbound_peaks above
 * its largest number) is not judged. The traced kernel Σ_a K[(i,a),(j,a)] has the tolerance
 * (1 + γ_{c−1}) Σ_a tol_K[(i,a),(j,a)] + SLACK·(γ_{cP} − γ_P) Σ_a (|J||J|ᵀ)[(i,a),(j,a)] + (c − 1)η, which
 * covers both its contraction over (a, p) at once and the sum of c computed kernel entries
 * (docs/validate.md). Every γ_k a quantity's tolerance uses must have k·u ≤ 1/16, else it is not
 * judged.
 * tol = VALIDATE_SLACK × bound; the slack covers libraries whose formulas are as stable but
 * different (tanh through exp, the 1/√m applied before or after the product) and the
 * second-order terms the first-order analysis drops. The model assumes their elementary
 * functions are accurate to a few ulp (as glibc, SLEEF, CUDA's libdevice are).
 *
 * Kinks of ReLU-type activations (validate.c, "kinks"): where a unit's exact pre-activation lies
 * within e_z — the claimed format's bound on its rounding error — of 0, their σ′ there may be either
 * one-sided derivative; elsewhere it is the exact side's and no jump enters a tolerance. Entries of J
 * and K that depend on such units are compared with the value of every assignment of one-sided
 * derivatives (Arb, with that computation's own bound, plstar_fast_errbound_sided): pass when within
 * tolerance of one, fail when outside all; λ_min likewise over global assignments. Beyond
 * VALIDATE_MAX_KINKS units per sample or VALIDATE_MAX_KINK_ASSIGNMENTS global assignments, the hull
 * of all one-sided values: fail outside it (widened by the bound that allows the jump), pass only
 * where the values agree within the ordinary tolerance, unresolved otherwise.
 *
 * λ_min: the reference K is enclosed and λ_min(K) certified in [lo, hi] (reference/eig.h,
 * plstar_ref_eig_bounds); their value must lie in
 * [lo − tol, hi + tol] with tol = ‖T_K‖_F + SLACK·N·u·(‖K‖_F + ‖T_K‖_F), T_K the kernel
 * tolerance (Weyl: their K̂ = K + ΔK with ‖ΔK‖₂ ≤ ‖ΔK‖_F ≤ ‖T_K‖_F, and a backward-stable
 * symmetric eigensolver adds ‖E‖₂ ≤ N·u·‖K̂‖₂).
 *
 * Loss trajectory L_t = L(w_t), t = 0..T, of GD w_{t+1} = w_t − η∇L(w_t) from w0: the reference
 * runs the same T steps in Arb with ball-valued weights, so each L_t is enclosed for the exact
 * iteration (precision is raised until the enclosures are narrower than the tolerances). Their
 * iterates drift from the exact ones by their per-step rounding, propagated to first order with
 * the Gauss–Newton part of the step's Jacobian I − ηH_L ≈ I − ηJᵀJ, whose norm is
 * max(1, ηλ_max(K) − 1):
 *     Δ_0 = u‖w0‖ (float32; 0 for float64),
 *     Δ_{t+1} = max(1, ηλ_max(K_t) − 1)·Δ_t + η‖e_∇L,t‖ + 2u·η‖∇L_t‖ + u‖w_{t+1}‖,
 *     tol_t = SLACK·(e_L,t + ‖∇L_t‖·Δ_t + ½λ_max(K_t)·Δ_t²),
 * with e_L, e_∇L the plstar_fast_errbound_u bounds at w_t. This propagation is a model, not a proof: it
 * ignores the curvature term Σ r_i H_{F_i} of H_L. Steps where Δ_t exceeds 10⁻²·max(1, ‖w_t‖)
 * leave the first-order regime and are reported unresolved (inconclusive), never passed.
 * Under the mean loss (core/loss.h) the trajectory is GD with step η on (1/N)‖F − y‖²: the
 * reference runs the exact step sη (s = 2/N enclosed) on ½‖F − y‖² and compares s·L_t, with
 * tol_t scaled by s plus SLACK·u·|s·L_t| for their final division by N.
 */
#ifndef PLSTAR_PROOFS_VALIDATE_H
#define PLSTAR_PROOFS_VALIDATE_H

#include <arb_mat.h>
#include <jansson.h>
#include "core/loss.h"
#include "core/model.h"
#include "core/npy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* tol = VALIDATE_SLACK × the rounding-error bound of the claimed format */
#define VALIDATE_SLACK 4.0
/* how many of the worst entries a quantity keeps */
#define VALIDATE_NWORST 5
#define VALIDATE_MAX_QUANTITIES 6
/* ReLU-type units of one sample within rounding of a kink whose one-sided assignments are
 * enumerated (2^k); a sample with more is compared with the hull of its one-sided values */
#define VALIDATE_MAX_KINKS 6
/* global assignments over all samples enumerated for λ_min */
#define VALIDATE_MAX_KINK_ASSIGNMENTS 64
/* the loss trajectory's reference raises its precision up to this many bits */
#define VALIDATE_MAX_PREC 4096

/* Bundle file names inside the bundle directory. */
#define VALIDATE_BUNDLE_FORMAT "plstar-bundle"
#define VALIDATE_BUNDLE_VERSION 1

/* Writes the bundle of a problem into `dir` (created if absent): model.json, X.npy (n × d),
 * y.npy ((n, c), only when the problem has labels), w0.npy (P,), bundle.json, README.txt,
 * each atomically. PLSTAR_ECANTCREAT when the directory or a file cannot be created. */
int plstar_validate_write_bundle(const plstar_problem *p, const char *dir);

/* The same for a bundle whose loss is `loss` (bundle.json "loss_convention", README.txt). */
int plstar_validate_write_bundle_loss(const plstar_problem *p, const char *dir, plstar_loss loss);

/* The loss convention bundle.json states ("sum" when it states none); PLSTAR_EDATA for another value. */
int plstar_validate_bundle_loss(plstar_loss *loss, const char *dir);

/* Loads a bundle written by plstar_validate_write_bundle: PLSTAR_ENOINPUT when `dir` is not a bundle,
 * PLSTAR_EDATA when its files disagree with bundle.json or with each other. */
int plstar_validate_read_bundle(plstar_problem *p, const char *dir);

typedef enum { VALIDATE_FLOAT64 = 0, VALIDATE_FLOAT32 = 1, VALIDATE_FLOAT16 = 2, VALIDATE_BFLOAT16 = 3 } validate_format;
#define VALIDATE_FORMATS 4

/* "float64", "float32", "float16", "bfloat16"; plstar_validate_format_parse: 0, or -1 for another name. */
const char *plstar_validate_format_name(validate_format f);
int plstar_validate_format_parse(validate_format *f, const char *name);

/* Unit roundoff of a format: 2^-53, 2^-24, 2^-11 or 2^-8. */
double plstar_validate_unit_roundoff(validate_format f);
/* The absolute error of one rounding that underflows: the smallest normal number (flush-to-zero
 * included) for float64, float32 and bfloat16; half the smallest subnormal, 2^-25, for float16
 * (gradual underflow, see docs/validate.md). */
double plstar_validate_underflow(validate_format f);
/* The largest finite number: DBL_MAX, FLT_MAX, 65504, (2 − 2^-7)·2^127. */
double plstar_validate_overflow(validate_format f);
/* x rounded to the nearest number of the format (ties to even, subnormals, ±inf beyond its range). */
double plstar_validate_round(double x, validate_format f);

/* How their arrays are laid out (N = n·c rows, sample-major; every layout takes F as (N,), (N, 1)
 * or (n, c)):
 *   PLSTAR           J (N, P), K (N, N)
 *   FUNCTORCH        J (n, c, P), K (n, c, n, c)       (torch.func / functorch jacrev, vmap)
 *   NEURAL_TANGENTS  J (n, c, P), K (n, n, c, c): [i, j, a, b] = K[(i,a),(j,b)] (trace_axes=())
 *   TRACED           J (n, c, P), the traced kernel (n, n): [i, j] = Σ_a K[(i,a),(j,a)]
 *                    (neural-tangents' default trace_axes=(-1,))
 * With c = 1 the functorch and neural-tangents layouts also take J (n, P) and K (n, n). */
typedef enum {
    VALIDATE_LAYOUT_PLSTAR = 0,
    VALIDATE_LAYOUT_FUNCTORCH = 1,
    VALIDATE_LAYOUT_NEURAL_TANGENTS = 2,
    VALIDATE_LAYOUT_TRACED = 3
} validate_layout;
#define VALIDATE_LAYOUTS 4

/* "plstar", "functorch", "neural-tangents", "traced"; plstar_validate_layout_parse: 0, or -1. */
const char *plstar_validate_layout_name(validate_layout l);
int plstar_validate_layout_parse(validate_layout *l, const char *name);

/* Reads one of their arrays and checks it against the problem: `kind` is "outputs", "jacobian",
 * "kernel" (in `layout`: the traced kernel under VALIDATE_LAYOUT_TRACED) or "losses" ((T + 1,) or
 * (T + 1, 1)). The data come back in plstar's order — J (N × P), K (N × N), the traced kernel
 * (n × n) — with a->ndim and a->shape those of the file. A shape that is not the layout's, NaN or
 * ±Inf (with its position), and data narrower than the claim (a '<f4' file under float64, a '<f2'
 * file under float64, float32 or bfloat16) are PLSTAR_EDATA with a one-line message naming the
 * file, the shape found and the one expected. */
int plstar_validate_read_claim(plstar_array *a, const char *path, const char *kind, const plstar_problem *p,
                               validate_format f, validate_layout layout);

/* One line saying how a file read by plstar_validate_read_claim was interpreted, e.g. "kernel (4, 4, 3, 3),
 * neural-tangents: [i, j, a, b] = K[i*3 + a, j*3 + b], compared as (12, 12)". */
void plstar_validate_describe_claim(char *buf, size_t len, const plstar_array *a, const char *kind, const plstar_problem *p,
                                    validate_layout layout);

/* What they claim. Arrays are row-major doubles (float32 values widened exactly); any may be NULL. */
typedef struct {
    validate_format format;
    const double *outputs;       /* N = n·c, sample-major */
    const double *jacobian;      /* N × P */
    const double *kernel;        /* N × N */
    const double *kernel_traced; /* n × n: Σ_a K[(i,a),(j,a)] */
    validate_layout layout;      /* of their files: entries are named in its indices */
    size_t jacobian_ndim, kernel_ndim; /* dimensions of those files (0: the layout's full form) */
    int has_lambda_min;
    double lambda_min;
    const double *losses;        /* L_0 .. L_T, T + 1 = nlosses; needs labels */
    size_t nlosses;
    double lr;                   /* the step η of that trajectory */
    plstar_loss loss;            /* the loss η is a step on, and the losses are values of (LOSS_SUM: ½‖F − y‖²) */
} validate_claims;

typedef enum { VALIDATE_ENTRY_PASS = 0, VALIDATE_ENTRY_UNRESOLVED = 1, VALIDATE_ENTRY_FAIL = 2 } validate_entry_verdict;

typedef struct {
    size_t index;                /* row-major position in the compared array */
    double theirs, mid, rad, tol, ratio;  /* ratio +∞ when it cannot be formed (non-finite numbers) */
    validate_entry_verdict verdict;
    int one_sided;               /* the entry depends on a unit at a kink: mid ± rad is the value under
                                  * the nearest assignment of one-sided derivatives (or their hull) */
} validate_entry;

typedef struct {
    const char *name;            /* "outputs", "jacobian", "kernel", "traced_kernel", "lambda_min", "losses" */
    int status;                  /* PLSTAR_OK pass, PLSTAR_REFUTED fail, PLSTAR_INCONCLUSIVE */
    size_t rows, cols;           /* shape compared (cols = 1 for vectors) */
    size_t count, violations, unresolved;
    double worst_ratio;          /* the ratio of worst[0] (+∞ when it cannot be formed) */
    size_t nworst;
    validate_entry worst[VALIDATE_NWORST]; /* violations first, then unresolved entries, then passes;
                                            * within each, the largest ratio first */
    double lower, upper;         /* lambda_min: the certified enclosure of λ_min(K) */
    slong prec;                  /* bits of the reference used for this quantity */
    validate_layout layout;      /* how entries are named (plstar_validate_entry_position) */
    size_t file_ndim;            /* the file's dimensions (0: the layout's full form) */
    size_t not_in_format;        /* entries that are not numbers of the claimed format */
    char note[240];
} validate_quantity;

typedef struct {
    validate_quantity q[VALIDATE_MAX_QUANTITIES];
    size_t nq;
    validate_format format;
    validate_layout layout;
    double u, slack;
    double seconds;
} validate_result;

/* Compares every claimed quantity with the reference at `prec` bits. Returns PLSTAR_OK (all
 * pass), PLSTAR_REFUTED (one fails), PLSTAR_INCONCLUSIVE (none fails, one cannot be judged) or an
 * error status (bad arguments: PLSTAR_EUSAGE; out of memory). */
int plstar_check_validate(validate_result *res, const plstar_problem *p, const validate_claims *c, slong prec);

/* "pass", "unresolved" or "fail". */
const char *plstar_validate_entry_verdict_name(validate_entry_verdict v);

/* The indices of entry `index` (plstar's row-major order) in their file's layout; returns how many. */
size_t plstar_validate_entry_position(size_t *pos, const validate_quantity *q, const plstar_model *m, size_t index);

/* Human-readable position of entry `index` of quantity `q`, in their layout's indices, e.g. "K[3, 5]
 * (sample 1 output 1, sample 2 output 1)", "K[1, 2, 1, 1] (...)" or "J[0, 37] (sample 0 output 0;
 * layer 2 W[1, 4])". */
void plstar_validate_entry_name(char *buf, size_t len, const validate_quantity *q, const plstar_model *m,
                                size_t index);

/* The JSON report (check "validate"). */
json_t *plstar_validate_report(const validate_result *res, const plstar_problem *p, const validate_claims *c,
                               const char *bundle, int status);

#ifdef __cplusplus
}
#endif

#endif

/*
 * fast/train.h — gradient descent and mini-batch SGD on the square loss
 * L(w) = ½‖F(w) − y‖², recording the quantities of docs/theory.md §4 along the path.
 *
 *   GD  (Theorem 6): w_{t+1} = w_t − η ∇L(w_t).
 *   SGD (Theorem 7): w_{t+1} = w_t − η ∇L_{B_t}(w_t), L_B(w) = ½ Σ_{i∈B} ‖f(w; x_i) − y_i‖²,
 *        the batch sum without rescaling (E ∇L_B = (s/n) ∇L, the rate 1 − μsη/n of Theorem 7).
 *
 * Batches, reproducible elsewhere: with s the batch size there are b = ⌊n/s⌋
 * batches per epoch; step t belongs to epoch e = ⌊t/b⌋ and takes positions
 * [(t mod b)·s, (t mod b + 1)·s) of the epoch's permutation π_e, in ascending
 * sample order. π_e is gsl_ran_shuffle of (0, …, n−1) with a gsl_rng_mt19937
 * set by gsl_rng_set(r, plstar_fast_train_epoch_seed(seed, e)). The n − b·s samples
 * left over sit that epoch out. The sampler's state is thus (seed, t): a
 * checkpoint holding t resumes it exactly.
 *
 * Loss convention (core/loss.h): with loss = LOSS_MEAN the loss is nn.MSELoss()'s
 * (1/N)‖F − y‖² = s·L, s = 2/N, and lr is a step on it: the step taken on L is
 * sη, correctly rounded (plstar_loss_mul_scale), so the run is bit for bit the
 * LOSS_SUM run with lr = sη. Under SGD the batch loss is the batch's mean,
 * s = 2/(S·c), as PyTorch's on a mini-batch. The loss and grad_norm columns are
 * in the run's convention (the full loss's s); the other columns do not depend
 * on it.
 *
 * Recorded at t = 0, k, 2k, …, at the last step T (k = record_every) and at
 * the step where on_weights stops the run, one row per record, columns
 *   step, loss L(w_t), grad_norm ‖∇L(w_t)‖ (full gradient, also under SGD),
 *   dist_from_w0 ‖w_t − w0‖, path_length Σ_{s<t} ‖w_{s+1} − w_s‖,
 *   [lambda_min]      λ_min(K(w_t)) from LAPACKE_dsyevd of the structured kernel,
 *   [kernel_distance] ‖K(w_t) − K(w0)‖₂ from LAPACKE_dsyevd of the difference.
 * All are plain double-precision values: diagnostics, not certificates (the
 * last two in particular carry no error bound; certified versions of these
 * quantities live in proofs-checks/).
 *
 * Checkpoints (one .npy vector, written atomically): w_t, w0, t, the options
 * that fix the path, the path length so far and the rows recorded before t.
 * Resuming replays nothing and gives the same trajectory, bit for bit, as an
 * uninterrupted run. The loop stops between steps when plstar_interrupted
 * (core/error.h) is set, writes a checkpoint if it has a path, and returns
 * PLSTAR_EINTERRUPTED with the trajectory so far.
 *
 * Divergence: at the first step t ≥ 1 whose loss or gradient (GD: at every
 * step; SGD: the batch's at every step, the full one at recorded steps) is not
 * finite, the loop stops and returns
 * FAST_TRAIN_DIVERGED with a one-line message naming the step; w is then
 * w_{t−1}, the last iterate with a finite loss (steps_done = t − 1,
 * diverged_at = t), and the rows recorded before t are kept. A non-finite loss
 * or gradient at the starting weights is PLSTAR_EDATA (nothing diverged: the
 * inputs overflow).
 */
#ifndef PLSTAR_FAST_TRAIN_H
#define PLSTAR_FAST_TRAIN_H

#include <stddef.h>
#include "core/error.h"
#include "core/loss.h"
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The status of a run that diverged (a failed run: exit status 1). */
#define FAST_TRAIN_DIVERGED PLSTAR_REFUTED

typedef struct {
    double lr;                  /* η > 0, a step on the loss of `loss` */
    plstar_loss loss;           /* LOSS_SUM (default) or LOSS_MEAN */
    size_t steps;               /* T */
    size_t batch;               /* s; 0 means full-batch GD */
    size_t record_every;        /* k ≥ 1 */
    unsigned long seed;         /* SGD batches */
    int record_lambda_min;      /* column lambda_min (uncertified) */
    int record_kernel_distance; /* column kernel_distance (uncertified) */
    const char *checkpoint_path;  /* NULL: no checkpoints */
    size_t checkpoint_every;      /* write one before every step t with t mod this = 0 (0: only when interrupted) */
    const char *resume_path;      /* NULL: start from w */
    const size_t *save_at;        /* steps whose weights go to on_weights */
    size_t nsave_at;
    /* Called with w_t at each step of save_at (and t ≤ T); a non-zero return stops training with it. */
    int (*on_weights)(void *ctx, size_t step, const double *w, size_t P);
    /* Called after each step with the number of steps done and the last loss. */
    void (*on_progress)(void *ctx, size_t done, size_t total, double loss);
    void *ctx;
} fast_train_options;

/* Defaults: record_every 1, everything else 0/NULL. */
void plstar_fast_train_options_init(fast_train_options *o);

#define FAST_TRAIN_MAX_COLUMNS 7

typedef struct {
    size_t rows, cols, capacity;
    double *data;                 /* rows × cols, row-major */
    const char *names[FAST_TRAIN_MAX_COLUMNS];
    size_t steps_done;            /* t of the returned weights */
    int resumed_from;             /* −1, or the step the checkpoint held */
    int interrupted;
    size_t diverged_at;           /* 0, or the first step whose loss or gradient was not finite */
} fast_trajectory;

void plstar_fast_trajectory_init(fast_trajectory *t);
void plstar_fast_trajectory_clear(fast_trajectory *t);

/* Trains from w (P; the initial weights w0, which must equal the checkpoint's
 * when resuming) for opt->steps steps; on return w holds w_T (or the weights
 * where an interruption stopped it). X is n × d, y is n·c. */
int plstar_fast_train(fast_trajectory *traj, double *w, const plstar_model *m, const double *X, size_t n, const double *y,
                      const fast_train_options *opt);

/* The step taken on ½‖F − y‖² for the options' lr and loss over `rows` samples of c outputs:
 * plstar_loss_mul_scale(loss, rows·c, lr, LOSS_NEAREST). */
double plstar_fast_train_half_sum_lr(const fast_train_options *o, size_t rows, size_t c);

/* The 32-bit seed of epoch e's permutation (a SplitMix64 mix of seed and e). */
unsigned long plstar_fast_train_epoch_seed(unsigned long seed, size_t epoch);

#ifdef __cplusplus
}
#endif

#endif

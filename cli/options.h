/*
 * cli/options.h — what the subcommands share: the MODEL options
 * (--model M.json --data X.npy (--weights W.npy | --seed S) [--labels Y.npy]),
 * number parsing, output-path checks and the one-line error convention
 * "plstar CMD: message" on stderr. Help texts are not here: cli/main.c answers
 * --help and -h from the registry of cli/help.c before a command runs.
 */
#ifndef PLSTAR_CLI_OPTIONS_H
#define PLSTAR_CLI_OPTIONS_H

#include <getopt.h>
#include <flint/flint.h>
#include "core/loss.h"
#include "core/model.h"

enum {
    OPT_MODEL = 1000, OPT_DATA, OPT_WEIGHTS, OPT_SEED, OPT_LABELS, OPT_IMPL, OPT_PREC, OPT_OUT, OPT_JSON,
    OPT_MATRIX, OPT_LOSS
};

#define CLI_MODEL_OPTIONS                                          \
    {"model", required_argument, NULL, OPT_MODEL},                 \
    {"data", required_argument, NULL, OPT_DATA},                   \
    {"weights", required_argument, NULL, OPT_WEIGHTS},             \
    {"seed", required_argument, NULL, OPT_SEED},                   \
    {"labels", required_argument, NULL, OPT_LABELS}

typedef struct {
    const char *cmd;                 /* subcommand name, for messages */
    const char *model, *data, *weights, *labels;
    unsigned long seed;
    int have_seed;
} cli_model_args;

/* Handles one MODEL option; returns 1 if `opt` was one, 0 if not, or a
 * negative value after printing a usage error. */
int cli_model_option(cli_model_args *a, int opt, const char *arg);

/* Loads the problem; prints the error and returns its status on failure.
 * On success prints the problem as resolved (cli_print_problem). */
int cli_load_problem(plstar_problem *p, const cli_model_args *a, int need_labels);

/* One stdout line "plstar CMD: model {...}; n samples, ...; weights from ...":
 * the model a command runs on, every key of its description resolved
 * (plstar_problem_describe). For commands that load a problem another way. */
void cli_print_problem(const char *cmd, const plstar_problem *p);

/* An option that applies to some uses of a command only, and whether it was given. */
typedef struct {
    const char *name; /* as typed: "--prec" */
    int given;
} cli_given_option;

/* Refuses (64, one line "plstar CMD: --NAME WHY (see plstar help)") the first given option of
 * `opts` (count entries), the ones that do not apply to what was asked; 0 when none was given. */
int cli_refuse_given(const char *cmd, const cli_given_option *opts, size_t count, const char *why);
#define CLI_REFUSE_GIVEN(cmd, opts, why) cli_refuse_given(cmd, opts, sizeof(opts) / sizeof *(opts), why)

/* Prints "plstar CMD: <message>" and returns status. */
int cli_fail(const char *cmd, int status);
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict number parsing; return 0 on success. */
int cli_parse_ulong(unsigned long *out, const char *s);
int cli_parse_double(double *out, const char *s);
int cli_parse_prec(slong *out, const char *s);

/* The precisions --prec accepts, in bits. */
#define CLI_PREC_MIN 32
#define CLI_PREC_MAX 65536

/* The usage error of a bad --prec value, stating the valid range; returns 64. */
int cli_prec_usage(const char *cmd, const char *arg);

/* Refuses (64) an output path that names one of the inputs. */
int cli_check_output(const char *cmd, const char *out, const char *const *inputs, size_t count);

/* The same for an output directory DIR and the files DIR/names[k] a command
 * writes into it (NULL names are skipped): DIR must be a directory, or not
 * exist yet in a writable directory. */
int cli_check_output_dir(const char *cmd, const char *dir, const char *const *names, size_t nnames,
                         const char *const *inputs, size_t count);

/* Refuses (65, one line "plstar CMD: <what> needs at least X GB ...") before
 * anything is allocated when the unavoidable allocations of a computation —
 * `doubles` doubles plus `balls` Arb balls, a lower bound — exceed the memory
 * of this machine (plstar_check_memory, core/error.h). */
int cli_check_memory(const char *cmd, const char *what, double doubles, double balls);

/* NAME.npy → NAME.rad.npy, the radii beside a reference output (malloc'd). */
char *cli_radius_path(const char *path);

/* --loss sum|mean (core/loss.h) → *out and 0; otherwise the usage error (64, one line). */
int cli_parse_loss(plstar_loss *out, const char *cmd, const char *arg);

/* "fast" or "reference" → 0 / 1; −1 otherwise. */
int cli_parse_impl(const char *s);

#endif

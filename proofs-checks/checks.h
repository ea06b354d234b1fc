/*
 * proofs-checks/checks.h — every check of `plstar certify` in one shape, registered once.
 *
 * A check decides one statement of docs/theory.md on a problem. Its descriptor (plstar_check) says
 * how the command line names it, what it proves, which options it takes (any other is refused),
 * and how to estimate its memory, run it from the options every check shares
 * (plstar_check_options), print its lines and write its report. `plstar certify`, its help,
 * plstar demo and the benchmark find the checks in the registry, PLSTAR_CHECKS: adding a check is
 * one module that defines its descriptor and one line there.
 */
#ifndef PLSTAR_PROOFS_CHECKS_H
#define PLSTAR_PROOFS_CHECKS_H

#include <stddef.h>
#include <jansson.h>
#include "core/loss.h"
#include "core/model.h"
#include "proofs-checks/ball.h"
#include "proofs-checks/gd_path.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The registry, in the order of `plstar help certify`: X(id) for the descriptor plstar_check_desc_<id>
 * that the check's module defines (pl_point.c, ball.c, gd_path.c). */
#define PLSTAR_CHECKS(X) X(pl_point) X(ball) X(gd_apriori) X(gd_path)

/* The options of the checks (the MODEL options aside, which every check takes; --labels is here
 * because a check may require it). A set of them is a mask of CHECK_OPTION bits. */
typedef enum {
    CHECK_OPT_PREC, CHECK_OPT_JSON, CHECK_OPT_LABELS, CHECK_OPT_MU, CHECK_OPT_RADIUS, CHECK_OPT_LR, CHECK_OPT_STEPS,
    CHECK_OPT_EPS, CHECK_OPT_APRIORI, CHECK_OPT_PATH, CHECK_OPT_WITNESS, CHECK_OPT_SEARCH_WIDTH,
    CHECK_OPT_RECORD_EVERY, CHECK_OPT_KERNEL_ROUTE, CHECK_OPT_LOSS, CHECK_OPT_OUT, CHECK_OPT_COUNT
} plstar_check_option;
#define CHECK_OPTION(opt) (1u << (opt))

/* The options of a run, shared by every check; each reads those it accepts. A number left 0 takes
 * the check's default. */
typedef struct {
    const char *cmd;                   /* "certify point": the command as typed, for messages */
    unsigned given;                    /* the options given (CHECK_OPTION bits) */
    slong prec;                        /* --prec */
    double mu, radius, lr, eps;        /* --mu, --radius (given or not: see `given`), --lr, --eps */
    unsigned long steps, record_every; /* --steps, --record-every */
    plstar_loss loss;                  /* --loss: the convention of mu, lr, eps and of the losses reported */
    unsigned long seed;                /* --seed, with have_seed: where --search-width draws each width's weights */
    int have_seed;
    const char *json, *witness, *out;  /* --json FILE, --witness FILE, --out DIR */
    /* The constants at w0 of ball.h for this problem at `prec`, when the caller computed them for
     * several checks (plstar demo); NULL: each check that needs them computes its own. */
    const ball_constants *constants;
    /* Draws the figures of gd --path into --out DIR; the library draws none, the plstar program
     * sets bench/plot.c's plot_gd_path. NULL: no figure. */
    int (*draw_gd_path)(const char *dir, const gd_path_result *res);
} plstar_check_options;

/* prec PLSTAR_DEFAULT_PREC, cmd "certify", nothing given. */
void plstar_check_options_init(plstar_check_options *o);

/* A lower bound of what a run allocates, for a refusal before it starts (plstar_check_memory of
 * core/error.h): `doubles` doubles and `balls` Arb balls, which hold `what`. */
typedef struct {
    double doubles, balls;
    char what[200]; /* "the 8 x 8 reference kernel" */
} plstar_check_estimate;

/* What the checks of one word of `plstar certify` share. */
typedef struct plstar_certify_command {
    const char *word;    /* "gd" */
    const char *summary; /* its entry in plstar help certify; the help indents the lines after the first */
    const char *help;    /* plstar help certify WORD: the usage of every check of the word */
    const char *scope;   /* "the GD certificates (Theorem 6)": what an option none of them takes does not apply to */
} plstar_certify_command;

typedef struct plstar_check {
    const char *id;                        /* "gd_path": its name in code and in benchmark results */
    const char *name;                      /* "gd --path": as `plstar certify` names it */
    const plstar_certify_command *command; /* the word after `plstar certify`, and its help */
    /* The option that chooses it among the checks of its word; 0: it is the only one. */
    unsigned mode;
    const char *mode_brief;                /* what that choice means: "a GD run verified a posteriori" */
    const char *statement;                 /* what it proves, one line */
    const char *section;                   /* where that is stated: "docs/theory.md, section 4" */
    unsigned accepts;                      /* the options it takes; --labels and the other MODEL options always */
    unsigned requires;                     /* the options it cannot run without, */
    const char *requirement;               /* and the usage error when one is missing */
    const char *const *out_files;          /* what it writes into --out DIR (NULL-terminated); NULL: none */
    int uses_constants;                    /* decided from the constants at w0 of ball.h (options.constants) */
    /* Why the options cannot be run on this problem (a usage error), or NULL; may itself be NULL. */
    const char *(*refuse)(const plstar_problem *p, const plstar_check_options *o);
    void (*estimate)(plstar_check_estimate *m, const plstar_problem *p, const plstar_check_options *o);
    /* The verdict (PLSTAR_OK, _REFUTED, _INCONCLUSIVE), PLSTAR_EINTERRUPTED, or an error. *result is what
     * was decided, to print and report, or NULL: then the returned error is all there is (plstar_errmsg). */
    int (*run)(void **result, const plstar_problem *p, const plstar_check_options *o);
    /* Its lines on stdout, the verdict line "certify NAME...: VERDICT" among them. */
    void (*print)(const void *result, const plstar_problem *p, const plstar_check_options *o, int verdict);
    /* One line for an overview (plstar demo): the statement, its scope, `model` (described) and mu. */
    void (*summarize)(const void *result, const plstar_problem *p, const plstar_check_options *o, const char *model,
                      int verdict);
    json_t *(*report)(const void *result, const plstar_problem *p, const plstar_check_options *o, int verdict);
    /* Writes the files its options name besides the report (--witness, the figures of --out) and notes
     * them in `report`; 0 or the error. May be NULL: none. */
    int (*outputs)(const void *result, json_t *report, const plstar_check_options *o, int verdict);
    void (*free)(void *result);
} plstar_check;

#define PLSTAR_CHECK_DECLARE(id) extern const plstar_check plstar_check_desc_##id;
PLSTAR_CHECKS(PLSTAR_CHECK_DECLARE)
#undef PLSTAR_CHECK_DECLARE

/* The registry: plstar_checks[0 .. plstar_check_count), in the order of PLSTAR_CHECKS. */
extern const plstar_check *const plstar_checks[];
extern const size_t plstar_check_count;

/* The check named `name` ("gd --path"), or NULL. */
const plstar_check *plstar_check_find(const char *name);

/* The words of the registry, each once, in its order: up to `max` into out; their number. */
size_t plstar_certify_commands(const plstar_certify_command **out, size_t max);

/* The word `word` ("gd"), or NULL. */
const plstar_certify_command *plstar_certify_find(const char *word);

/* The estimate of a check that encloses K(w0) in balls: K and the structured kernel's N x N work
 * matrix. */
void plstar_check_estimate_kernel(plstar_check_estimate *m, const plstar_problem *p, const plstar_check_options *o);

#ifdef __cplusplus
}
#endif

#endif

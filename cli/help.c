/* cli/help.c — the help texts, one per command and subcommand (cli/help.h). */
#include "cli/help.h"
#include "core/error.h"
#include "proofs-checks/checks.h"
#include "proofs-checks/help_text.h"

#include <stdio.h>
#include <string.h>

static const char overview[] =
    "usage: plstar COMMAND [options]          plstar help COMMAND, plstar COMMAND --help: the options\n"
    "\n"
    "  demo       the embedded example end to end\n"
    "  forward    the outputs F(w), shape (n, c), to .npy (fast or reference)\n"
    "  kernel     the tangent kernel K(w) = DF DF^T to .npy (fast, explicit or reference)\n"
    "  jacobian   the Jacobian DF(w) to .npy\n"
    "  eig        certified bounds on lambda_min and lambda_max of a symmetric matrix\n"
    "  crosscheck the fast path inside the reference enclosures\n"
    "  export     a bundle to rebuild the model elsewhere\n"
    "  validate   someone else's F, DF, K, lambda_min or losses against the reference\n"
    "  train      gradient descent (or mini-batch SGD), its trajectory recorded\n"
    "  certify    point | ball | gd: the theorem checks (Theorems 1, 2, 6, 9; Proposition 3)\n"
    "  bench      quick | full | compare | plot: speed and agreement, kept over time\n"
    "  help       plstar help COMMAND [SUBCOMMAND]\n"
    "\n"
    "MODEL is --model M.json --data X.npy (--weights W.npy | --seed S).\n"
    "The reference implementation writes NAME.npy (midpoints) and NAME.rad.npy (radii).\n"
    "The statements are in docs/theory.md, the reports' schema in docs/reports.md.\n"
    "An option that does not apply to what a command is asked is refused (exit 64), not ignored.\n" EXIT_HELP;

static const char demo_help[] =
    "usage: plstar demo [--out DIR]\n"
    "Runs every check on the embedded examples (examples/demo_example.h): a 2-hidden-layer tanh MLP\n"
    "for crosscheck, certify point and certify gd --path, a shallow tanh network of width 2^17 for\n"
    "certify ball and certify gd --apriori. Each verdict line names its statement, the model and mu.\n"
    "Writes the inputs, the reports and gd_path.png into DIR.\n"
    "  --out DIR            where to write (default: plstar-demo)\n"
    "Exit status: 0 when every certificate holds, otherwise the worst verdict (1 refuted,\n"
    "2 inconclusive) or error (70 internal, 73 cannot create an output).\n";

static const char forward_help[] =
    "usage: plstar forward MODEL --out F.npy [--impl fast|reference] [--prec BITS] [--json FILE]\n"
    "The outputs F(w), shape (n, c) (row i: the outputs of sample i), nothing else: to compare with\n"
    "another implementation's forward pass first.\n"
    "  --impl fast          double precision (default); the report bounds |F - exact| by the proven\n"
    "                       rounding-error bound of the fast path (fast/errbound.h)\n"
    "  --impl reference     Arb ball arithmetic: F.npy (midpoints) and F.rad.npy (radii), |exact - mid| <= rad\n"
    PREC_HELP "                       (reference only; refused with --impl fast, which is binary64 throughout)\n"
    "  --out F.npy          the output (required)\n" REPORT_HELP MODEL_HELP
    "Exit status: 0 written, every bound finite; 2 written, some bound not finite (the outputs\n"
    "overflow); 64 usage, 65 bad data, 66 cannot open an input, 70 internal error, 73 cannot create\n"
    "an output.\n";

static const char kernel_help[] =
    "usage: plstar kernel MODEL [--impl fast|explicit|reference] [--prec BITS] --out K.npy\n"
    "The tangent kernel K(w) = DF(w) DF(w)^T, N x N with N = n*c, rows sample-major.\n"
    "  --impl fast          the structured kernel in double precision (default)\n"
    "  --impl explicit      DF in double precision, then DF DF^T\n"
    "  --impl reference     Arb ball arithmetic: K.npy (midpoints) and K.rad.npy (radii)\n" PREC_HELP
    "                       (reference only; refused with fast and explicit, which are binary64 throughout)\n"
    "  --out K.npy          the output (required)\n"
    "Progress goes to stderr when it is a terminal (reference).\n" MODEL_HELP EXIT_HELP;

static const char jacobian_help[] =
    "usage: plstar jacobian MODEL [--impl fast|reference] [--prec BITS] --out J.npy\n"
    "The Jacobian DF(w), N x P, rows sample-major, columns in the order of w.\n"
    "  --impl fast          double precision (default)\n"
    "  --impl reference     Arb ball arithmetic: J.npy (midpoints) and J.rad.npy (radii)\n" PREC_HELP
    "                       (reference only; refused with --impl fast, which is binary64 throughout)\n"
    "  --out J.npy          the output (required)\n"
    "Progress goes to stderr when it is a terminal (reference).\n" MODEL_HELP EXIT_HELP;

static const char eig_help[] =
    "usage: plstar eig --matrix K.npy [--impl fast|reference] [--prec BITS] [--json FILE]\n"
    "Certified bounds on lambda_min and lambda_max of a symmetric matrix (docs/theory.md, section 7);\n"
    "when K.rad.npy lies beside K.npy (entrywise radii), for every symmetric matrix within them.\n"
    "  --matrix K.npy       the matrix (required)\n"
    "  --impl fast          floating point with a proven error bound (default)\n"
    "  --impl reference     Arb ball arithmetic\n" PREC_HELP
    "                       (reference only; refused with --impl fast, which is binary64 throughout)\n"
    REPORT_HELP
    "Exit status: 0 all four bounds finite (certified), 2 some side unbounded (inconclusive),\n"
    "64 usage, 65 bad data, 66 cannot open an input, 70 internal error, 73 cannot create an output.\n";

static const char crosscheck_help[] =
    "usage: plstar crosscheck MODEL [--labels Y.npy] [--prec BITS] [--json FILE]\n"
    "F, DF and K (and L, grad L with labels) both ways: every fast value must lie in the reference\n"
    "enclosure widened by the proven rounding-error bound of the fast path (docs/theory.md, section 8).\n"
    "  --labels Y.npy       labels, shape (n,), (n*c,) or (n, c); default: none (no L, grad L)\n" PREC_HELP
    REPORT_HELP MODEL_HELP
    "Exit status: 0 pass, 1 fail (some value outside its allowance), 2 some entry cannot be judged\n"
    "(a bound is not finite); 64, 65, 66, 70, 73 as for every command; 130 interrupted.\n";

static const char export_help[] =
    "usage: plstar export MODEL [--labels Y.npy] [--loss sum|mean] --out DIR\n"
    "Writes DIR/model.json, X.npy, y.npy (with --labels), w0.npy, bundle.json and README.txt:\n"
    "everything needed to rebuild the model elsewhere and check it with plstar validate.\n"
    "  --labels Y.npy       labels to include; default: none\n"
    LOSS_HELP("The bundle states it (bundle.json\n"
              "                       \"loss_convention\"); plstar validate of the bundle uses it.")
    "  --out DIR            the bundle (required)\n" MODEL_HELP
    "Exit status: 0 written; 64 usage, 65 bad data, 66 cannot open an input, 73 cannot create an output.\n";

static const char validate_help[] =
    "usage: plstar validate --bundle DIR [--outputs F.npy] [--jacobian J.npy] [--kernel K.npy]\n"
    "                       [--lambda-min V] [--losses L.npy --lr ETA [--loss sum|mean]]\n"
    "                       [--precision float64|float32|float16|bfloat16]\n"
    "                       [--layout plstar|functorch|neural-tangents|traced] [--prec BITS] [--json FILE]\n"
    "Compares each value given with the reference enclosure of the exact value, allowing the rounding\n"
    "error of the claimed precision (docs/validate.md; docs/theory.md, section 8). At least one of\n"
    "--outputs, --jacobian, --kernel, --lambda-min, --losses is required.\n"
    "  --bundle DIR         written by plstar export (required)\n"
    "  --outputs F.npy      F(w0), (N,) or (n, c)\n"
    "  --jacobian J.npy     DF(w0), (N, P); (n, c, P) under the other layouts\n"
    "  --kernel K.npy       K(w0), (N, N); see --layout\n"
    "  --lambda-min V       lambda_min(K(w0)) as a number\n"
    "  --losses L.npy       L(w_0), ..., L(w_T) of gradient descent from w0; needs --lr ETA, its step\n"
    LOSS_HELP("The loss of L.npy and ETA;\n"
              "                       default: the bundle's (bundle.json \"loss_convention\"; sum if none).")
    "  --precision P        the format the values were computed in: float64 (default), float32, float16\n"
    "                       (a '<f2' file, or wider) or bfloat16 (a '<f4' or '<f8' file)\n"
    "  --layout L           how J and K are laid out (default plstar: (N, P), (N, N)); functorch:\n"
    "                       (n, c, P), (n, c, n, c); neural-tangents: (n, c, P), (n, n, c, c); traced:\n"
    "                       (n, c, P) and the output-traced kernel (n, n), [i, j] = sum_a K[i*c+a, j*c+a]\n"
    "                       (lambda_min stays that of the full K). The shapes read are printed\n" PREC_HELP
    REPORT_HELP
    "Progress goes to stderr when it is a terminal.\n"
    "Exit status: 0 pass, 1 fail, 2 some entry cannot be judged; 64, 65, 66, 70, 73 as for every command;\n"
    "130 interrupted.\n";

static const char train_help[] =
    "usage: plstar train MODEL --labels Y.npy --lr ETA --steps T [--batch S] [--record-every K]\n"
    "                    [--batch-seed S] [--lambda-min] [--kernel-distance] [--save-at 0,100,200]\n"
    "                    [--checkpoint-every C] [--resume CHECKPOINT.npy] [--loss sum|mean] --out DIR\n"
    "Gradient descent w <- w - ETA grad L on L = 1/2 |F(w) - y|^2 in double precision, recorded: a\n"
    "trajectory, not a certificate (its report's verdict is \"uncertified\"; plstar certify gd --path\n"
    "proves a run).\n"
    "  --labels Y.npy       labels (required)\n"
    "  --lr ETA             the step size (required)\n"
    "  --steps T            the number of steps (required)\n"
    "  --batch S            mini-batch SGD with S samples per step (default: full-batch GD)\n"
    "  --batch-seed S       the seed of the batch order (with --batch only; default 0)\n"
    "  --record-every K     a trajectory row every K steps (default 1)\n"
    "  --lambda-min         also record lambda_min(K(w_t)) (double precision; default: off)\n"
    "  --kernel-distance    also record |K(w_t) - K(w0)|_2 (default: off)\n"
    "  --save-at STEPS      write DIR/w_STEP.npy at these steps (default: none)\n"
    "  --checkpoint-every C write DIR/checkpoint.npy every C steps (default: only when interrupted)\n"
    "  --resume FILE        continue from a checkpoint\n"
    LOSS_HELP("ETA is a step on it; the loss\n"
              "                       and grad_norm columns are its. With --batch, mean is the batch's mean\n"
              "                       (s = 2/(S*c)), as PyTorch's.")
    "  --out DIR            the outputs (required): trajectory.npy (columns step, loss, grad_norm,\n"
    "                       dist_from_w0, path_length, [lambda_min], [kernel_distance]),\n"
    "                       trajectory.json, w_final.npy, w_STEP.npy, checkpoint.npy\n" MODEL_HELP
    "Exit status: 0 when the run completes; 1 when it diverges (the loss or its gradient is not finite:\n"
    "the run stops there, the outputs hold the steps before it and trajectory.json says \"diverged\");\n"
    "130 when interrupted (143 for SIGTERM; a checkpoint is written, resume with --resume);\n"
    "64 usage, 65 bad data, 66 cannot open an input, 70 internal error, 73 cannot create an output.\n";

static const char bench_help[] =
    "usage: plstar bench quick|full [--suite S[,S...]] --out DIR [--tiny] [--no-peers]\n"
    "                    [--history DIR | --no-history] [--python PY]\n"
    "       plstar bench compare [OLD [NEW]]\n"
    "       plstar bench plot DIR [--history DIR]\n"
    "\n"
    "  quick, full     size sets (quick: about a minute; full: several minutes to ~20)\n"
    "  --suite         kernel, eig, train, certify, scaling or all (default all)\n"
    "  --out DIR       results.jsonl, summary.md, plots/*.png (gnuplot) and peers.log\n"
    "  --tiny          the smallest sizes (for tests; not kept in the history unless --history is given)\n"
    "  --no-peers      do not run the PyTorch peer (bench/peers/ntk_torch.py)\n"
    "  --history DIR   where runs are kept (default: bench/results of the source tree;\n"
    "                  env PLSTAR_BENCH_HISTORY overrides)\n"
    "  --python PY     the interpreter of the peer (default: env PLSTAR_PYTHON, else /usr/bin/python3)\n"
    "  compare         OLD and NEW are results files or run directories; default: the newest run in the\n"
    "                  history against the previous run of the same set. Exit 1 on a regression (a new\n"
    "                  median above the old max by more than the old max - min).\n"
    "Progress goes to stderr when it is a terminal.\n";

static const char help_help[] =
    "usage: plstar help [COMMAND [SUBCOMMAND]]\n"
    "The options of a command, with their defaults; the same as plstar COMMAND [SUBCOMMAND] --help.\n";

static const struct {
    const char *command, *subcommand, *text;
} entries[] = {
    {"demo", NULL, demo_help},
    {"forward", NULL, forward_help},
    {"kernel", NULL, kernel_help},
    {"jacobian", NULL, jacobian_help},
    {"eig", NULL, eig_help},
    {"crosscheck", NULL, crosscheck_help},
    {"export", NULL, export_help},
    {"validate", NULL, validate_help},
    {"train", NULL, train_help},
    {"bench", NULL, bench_help},
    {"bench", "quick", bench_help},
    {"bench", "full", bench_help},
    {"bench", "compare", bench_help},
    {"bench", "plot", bench_help},
    {"help", NULL, help_help},
};

/* plstar help certify: the words of the registry (proofs-checks/checks.h), each with its summary;
 * the help of each word is its own (plstar_certify_command.help). */
static const char *certify_overview(void)
{
    static char text[4096];
    if (*text)
        return text;
    const plstar_certify_command *words[16];
    size_t n = plstar_certify_commands(words, 16), at = 0;
    at += (size_t)snprintf(text + at, sizeof text - at, "usage: plstar certify ");
    for (size_t k = 0; k < n; k++)
        at += (size_t)snprintf(text + at, sizeof text - at, "%s%s", k ? "|" : "", words[k]->word);
    at += (size_t)snprintf(text + at, sizeof text - at,
                           " MODEL [options]      plstar help certify CHECK: its options\n\n");
    for (size_t k = 0; k < n && at < sizeof text; k++) {
        at += (size_t)snprintf(text + at, sizeof text - at, "  %-8s", words[k]->word);
        for (const char *c = words[k]->summary; *c && at < sizeof text; c++) /* its lines under the first */
            at += (size_t)snprintf(text + at, sizeof text - at, *c == '\n' ? "\n          " : "%c", *c);
        at += (size_t)snprintf(text + at, sizeof text - at, "\n");
    }
    snprintf(text + at, sizeof text - at, "%s",
             "Each answers certified (0), refuted with a witness (1) or inconclusive (2), names the statement\n"
             "(docs/theory.md) and whether it holds for every label vector or for the labels given.\n"
             "An option that does not apply to the chosen check is refused (exit 64).\n" MODEL_HELP);
    return text;
}

const char *cli_help_text(const char *command, const char *subcommand)
{
    if (!command)
        return overview;
    if (!strcmp(command, "certify") && subcommand) {
        const plstar_certify_command *word = plstar_certify_find(subcommand);
        return word ? word->help : NULL;
    }
    if (!strcmp(command, "certify"))
        return certify_overview();
    for (size_t k = 0; k < sizeof entries / sizeof entries[0]; k++) {
        int same_sub = subcommand ? entries[k].subcommand && !strcmp(entries[k].subcommand, subcommand)
                                  : !entries[k].subcommand;
        if (!strcmp(entries[k].command, command) && same_sub)
            return entries[k].text;
    }
    return NULL;
}

int cli_help_is_subcommand(const char *command, const char *word)
{
    if (!strcmp(command, "certify"))
        return plstar_certify_find(word) != NULL;
    for (size_t k = 0; word && k < sizeof entries / sizeof entries[0]; k++)
        if (entries[k].subcommand && !strcmp(entries[k].command, command) && !strcmp(entries[k].subcommand, word))
            return 1;
    return 0;
}

int cli_help_print(const char *command, const char *subcommand)
{
    const char *text = cli_help_text(command, subcommand);
    if (!text) {
        if (subcommand && cli_help_text(command, NULL))
            fprintf(stderr, "plstar help: %s has no subcommand '%s' (see plstar help %s)\n", command, subcommand,
                    command);
        else
            fprintf(stderr, "plstar help: unknown command '%s' (see plstar help)\n", command);
        return PLSTAR_EUSAGE;
    }
    fputs(text, stdout);
    return PLSTAR_OK;
}

int cli_help_requested(int argc, char **argv)
{
    for (int k = 1; k < argc && strcmp(argv[k], "--"); k++)
        if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h"))
            return 1;
    return 0;
}

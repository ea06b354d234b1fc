/*
 * proofs-checks/help_text.h — the option texts that the help of several plstar commands shares:
 * cli/help.c's and those of the checks of `plstar certify` (each in its module, proofs-checks/checks.h).
 * Not installed: the library's interface does not include it.
 */
#ifndef PLSTAR_PROOFS_HELP_TEXT_H
#define PLSTAR_PROOFS_HELP_TEXT_H

#define MODEL_HELP                                                                                            \
    "MODEL:\n"                                                                                                \
    "  --model M.json       the model description; every key that changes the function is required\n"       \
    "                       (README, \"Models\")\n"                                                           \
    "  --data X.npy         the inputs, shape (n, d)\n"                                                       \
    "  --weights W.npy      the parameters w, shape (P,); or\n"                                               \
    "  --seed S             w drawn from seed S (README, \"--seed\"); exactly one of the two\n"              \
    "The command prints the model it runs on, every key resolved, as its first line.\n"

#define PREC_HELP "  --prec BITS          working precision of the ball arithmetic, 32 to 65536 (default 128)\n"

#define EXIT_HELP                                                                                             \
    "Exit status: 0 certified/pass, 1 refuted/fail, 2 inconclusive, 64 usage, 65 bad data,\n"                \
    "66 cannot open an input, 70 internal error, 73 cannot create an output, 130 interrupted.\n"

#define REPORT_HELP "  --json FILE          the report (docs/reports.md); default: none\n"

#define LOSS_HELP(what)                                                                                       \
    "  --loss sum|mean      sum: (1/2)|F - y|^2 (default); mean: (1/N)|F - y|^2, N = n*c, PyTorch's\n"        \
    "                       nn.MSELoss(), s times the sum with s = 2/N, so a step ETA on it is a step\n"      \
    "                       s*ETA on the sum (docs/theory.md, section 4). " what "\n"

#define ROUTE_HELP(dflt)                                                                                      \
    "  --kernel-route NAME  how a shallow net's K(w0), F(w0) are enclosed: arb, dgemm-bound or auto\n"        \
    "                       (auto: dgemm-bound when m*n*d > 1e9; docs/shallow.md; default: " dflt ")\n"

#endif

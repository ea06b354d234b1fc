/* cli/main.c — the plstar command: dispatch to the subcommands. */
#include "cli/commands.h"
#include "core/error.h"
#include "core/outfile.h"

#include <malloc.h>
#include <stdlib.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: plstar COMMAND [options]\n"
    "\n"
    "  demo [--out DIR]                          the embedded example end to end\n"
    "  kernel    MODEL [--impl fast|explicit|reference] [--prec BITS] --out K.npy\n"
    "  jacobian  MODEL [--impl fast|reference] [--prec BITS] --out J.npy\n"
    "  eig       --matrix K.npy [--impl fast|reference] [--prec BITS] [--json FILE]\n"
    "  crosscheck MODEL [--labels Y.npy] [--prec BITS] [--json FILE]\n"
    "  export    MODEL [--labels Y.npy] --out DIR  a bundle to rebuild the model elsewhere\n"
    "  validate  --bundle DIR [--outputs F.npy] [--jacobian J.npy] [--kernel K.npy] [--lambda-min V]\n"
    "            [--losses L.npy --lr ETA] [--precision float64|float32] [--json FILE]\n"
    "  train     MODEL --labels Y.npy --lr ETA --steps T [--batch S] [--record-every K] --out DIR\n"
    "  certify point MODEL [--labels Y.npy] [--mu MU] [--witness Y*.npy] [--json FILE]   Theorem 1, Prop. 3\n"
    "  certify ball  MODEL --radius R --mu MU [--json FILE]                             Theorem 2\n"
    "  certify gd    MODEL --labels Y.npy --apriori [--mu MU] [--lr ETA] [--search-width]  Theorem 6\n"
    "  certify gd    MODEL --labels Y.npy --path [--steps T] [--lr ETA] [--mu MU] [--eps E]\n"
    "                [--record-every K] [--out DIR] [--json FILE]               Theorems 6, 9 a posteriori\n"
    "  bench     quick|full [--suite S] --out DIR | compare [OLD [NEW]]   speed and agreement, kept over time\n"
    "\n"
    "MODEL is --model M.json --data X.npy (--weights W.npy | --seed S).\n"
    "The reference implementation writes NAME.npy (midpoints) and NAME.rad.npy (radii).\n"
    "Exit status: 0 certified/pass, 1 refuted/fail, 2 inconclusive, 64 usage, 65 bad data,\n"
    "66 cannot open input, 70 internal error, 73 cannot create output, 130 interrupted.\n";

/* Set for commands that stop between steps by themselves (plstar_interrupted). */
static volatile sig_atomic_t graceful;
/* The signal that asked a graceful command to stop: its exit status is 128 + it. */
static volatile sig_atomic_t stop_signal;
static pthread_t main_thread;

static void on_signal(int sig)
{
    /* outfile_open blocks signals in the main thread between creating a
     * temporary file and recording it; a signal taken meanwhile by a BLAS or
     * OpenMP worker would miss that file. The main thread handles it instead,
     * as soon as it can (pthread_self and pthread_kill are async-signal-safe). */
    if (!pthread_equal(pthread_self(), main_thread)) {
        pthread_kill(main_thread, sig);
        return;
    }
    if (graceful && !plstar_interrupted) { /* a second signal stops at once */
        stop_signal = sig;
        plstar_interrupted = 1;
        return;
    }
    static const char msg[] = "plstar: interrupted; partial outputs removed\n";
    outfile_cleanup_all();
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(sig == SIGINT ? 130 : 143);
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Transparent huge pages for the heap. A command touches tens of MB of fresh
 * matrices, and on a virtual machine a 4 KiB page fault costs about 1.5 µs
 * (16 MB: 7 ms) where 2 MiB pages cost 0.5 ms. With a top pad glibc grows
 * the heap by 256 MiB at once; the hint covers that fresh part, and only
 * when this call grew the heap (not under ASan or valgrind, whose allocators
 * live elsewhere). The kernel takes the hint in its "madvise" and
 * "always" modes; failure changes nothing. */
static void heap_huge_pages(void)
{
    mallopt(M_TOP_PAD, 256 << 20);
    char *before = sbrk(0);
    void *probe = malloc((size_t)1 << 20); /* below M_MMAP_THRESHOLD: from the heap */
    char *after = sbrk(0);
    if (probe && before != (char *)-1 && after > before) /* [before, after): the fresh heap */
        plstar_hint_huge_pages(before, (size_t)(after - before));
    free(probe);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"demo", cmd_demo},   {"kernel", cmd_kernel},         {"jacobian", cmd_jacobian},
        {"crosscheck", cmd_crosscheck}, {"export", cmd_export}, {"validate", cmd_validate}, {"train", cmd_train},
        {"eig", cmd_eig},     {"certify", cmd_certify}, {"bench", cmd_bench},
    };
    /* First of all, before anything can create a file: a signal that lands
     * earlier ends the process by its default action, with nothing to clean up. */
    main_thread = pthread_self();
    graceful = argc >= 2 && !strcmp(argv[1], "train");
    install_signal_handlers();
    if (argc < 2) {
        fputs(usage_text, stderr);
        return PLSTAR_EUSAGE;
    }
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, stdout);
        return PLSTAR_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        puts("plstar " PLSTAR_VERSION);
        return PLSTAR_OK;
    }
    /* Large buffers come and go (file images, per-layer matrices): keep freed
     * memory for reuse rather than unmapping it, which would fault every page
     * in again at the next allocation. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's largest */
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    heap_huge_pages();
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (!strcmp(argv[1], commands[k].name)) {
            int st = commands[k].run(argc - 1, argv + 1);
            /* SIGTERM gives 143 whether the command stopped at once or between steps */
            return (st == PLSTAR_EINTERRUPTED && stop_signal == SIGTERM) ? 128 + SIGTERM : st;
        }
    fprintf(stderr, "plstar: unknown command '%s' (see plstar help)\n", argv[1]);
    return PLSTAR_EUSAGE;
}

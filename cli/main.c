/* cli/main.c — the plstar command: dispatch to the subcommands. */
#include "cli/commands.h"
#include "cli/help.h"
#include "core/error.h"
#include "core/outfile.h"
#include "core/provenance.h"

#include <malloc.h>
#include <stdlib.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Set for commands that stop between steps by themselves (plstar_interrupted);
 * a check sets plstar_stop_between_steps for the loops that do (core/error.h). */
static volatile sig_atomic_t graceful;
static pthread_t main_thread;

static void on_signal(int sig)
{
    /* plstar_outfile_open blocks signals in the main thread between creating a
     * temporary file and recording it; a signal taken meanwhile by a BLAS or
     * OpenMP worker would miss that file. The main thread handles it instead,
     * as soon as it can (pthread_self and pthread_kill are async-signal-safe). */
    if (!pthread_equal(pthread_self(), main_thread)) {
        pthread_kill(main_thread, sig);
        return;
    }
    if ((graceful || plstar_stop_between_steps) && !plstar_interrupted) { /* a second signal stops at once */
        plstar_interrupt_signal = sig; /* the exit status is 128 + it */
        plstar_interrupted = 1;
        return;
    }
    static const char msg[] = "plstar: interrupted; partial outputs removed\n";
    plstar_outfile_cleanup_all();
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

/* The help of CMD [SUB] (cli/help.h, the one place help is written). */
static int command_help(const char *cmd, const char *sub)
{
    return cli_help_print(cmd, cli_help_is_subcommand(cmd, sub) ? sub : NULL);
}

/* plstar help [CMD [SUB]] */
static int help_command(int argc, char **argv)
{
    if (argc > 4)
        return fprintf(stderr, "plstar help: too many arguments (see plstar help help)\n"), PLSTAR_EUSAGE;
    if (argc < 3) {
        fputs(cli_help_text(NULL, NULL), stdout);
        return PLSTAR_OK;
    }
    if (argc == 4 && !cli_help_is_subcommand(argv[2], argv[3]))
        return cli_help_print(argv[2], argv[3]); /* names what is unknown */
    return command_help(argv[2], argc == 4 ? argv[3] : NULL);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"demo", cmd_demo},   {"forward", cmd_forward},       {"kernel", cmd_kernel},         {"jacobian", cmd_jacobian},
        {"crosscheck", cmd_crosscheck}, {"export", cmd_export}, {"validate", cmd_validate}, {"train", cmd_train},
        {"eig", cmd_eig},     {"certify", cmd_certify}, {"bench", cmd_bench},
    };
    /* First of all, before anything can create a file: a signal that lands
     * earlier ends the process by its default action, with nothing to clean up. */
    main_thread = pthread_self();
    graceful = argc >= 2 && !strcmp(argv[1], "train");
    install_signal_handlers();
    if (argc < 2) {
        fputs(cli_help_text(NULL, NULL), stderr);
        return PLSTAR_EUSAGE;
    }
    if (!strcmp(argv[1], "help"))
        return help_command(argc, argv);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(cli_help_text(NULL, NULL), stdout);
        return PLSTAR_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("plstar %s (commit %s)\n", plstar_version(), plstar_commit());
        return PLSTAR_OK;
    }
    plstar_provenance_set_command_line(argc, argv); /* every report records the command that wrote it */
    /* Large buffers come and go (file images, per-layer matrices): keep freed
     * memory for reuse rather than unmapping it, which would fault every page
     * in again at the next allocation. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's largest */
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    heap_huge_pages();
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (!strcmp(argv[1], commands[k].name)) {
            /* --help or -h anywhere among the options: that command's help, nothing run */
            if (cli_help_requested(argc - 1, argv + 1))
                return command_help(argv[1], argc > 2 ? argv[2] : NULL);
            int st = commands[k].run(argc - 1, argv + 1);
            /* SIGTERM gives 143 whether the command stopped at once or between steps */
            return (st == PLSTAR_EINTERRUPTED && plstar_interrupt_signal == SIGTERM) ? 128 + SIGTERM : st;
        }
    fprintf(stderr, "plstar: unknown command '%s' (see plstar help)\n", argv[1]);
    return PLSTAR_EUSAGE;
}

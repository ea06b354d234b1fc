/*
 * cli/cmd_bench.c — `plstar bench quick|full|compare|plot`: picks the mode of the benchmark kit (bench/bench.h).
 */
#include "bench/bench.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "core/error.h"

#include <stdio.h>
#include <string.h>

int cmd_bench(int argc, char **argv)
{
    if (argc < 2) {
        fputs(cli_help_text("bench", NULL), stderr);
        return PLSTAR_EUSAGE;
    }
    if (!strcmp(argv[1], "help")) /* plstar bench help: the same as plstar help bench */
        return cli_help_print("bench", NULL);
    if (!strcmp(argv[1], "quick") || !strcmp(argv[1], "full"))
        return bench_mode_run(argc - 1, argv + 1);
    if (!strcmp(argv[1], "compare"))
        return bench_mode_compare(argc - 1, argv + 1);
    if (!strcmp(argv[1], "plot"))
        return bench_mode_plot(argc - 1, argv + 1);
    fprintf(stderr, "plstar bench: unknown mode '%s' (quick, full, compare or plot)\n", argv[1]);
    return PLSTAR_EUSAGE;
}

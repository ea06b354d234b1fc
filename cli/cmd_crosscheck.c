/* cli/cmd_crosscheck.c — `plstar crosscheck`: fast values inside reference enclosures. */
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/report.h"
#include "proofs-checks/crosscheck.h"
#include "reference/network.h"

#include <stdio.h>

int cmd_crosscheck(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_MODEL_OPTIONS,
                                             {"prec", required_argument, NULL, OPT_PREC},
                                             {"json", required_argument, NULL, OPT_JSON},
                                             {NULL, 0, NULL, 0}};
    cli_model_args a = {.cmd = argv[0]};
    slong prec = PLSTAR_DEFAULT_PREC;
    const char *json = NULL;
    int opt, r;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if ((r = cli_model_option(&a, opt, optarg)) < 0)
            return PLSTAR_EUSAGE;
        if (r)
            continue;
        if (opt == OPT_PREC && !cli_parse_prec(&prec, optarg))
            continue;
        if (opt == OPT_PREC)
            return cli_usage(a.cmd, "--prec takes bits in [32, 65536], got '%s'", optarg);
        if (opt == OPT_JSON) {
            json = optarg;
            continue;
        }
        return cli_usage(a.cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage(a.cmd, "unexpected argument '%s'", argv[optind]);
    const char *inputs[] = {a.model, a.data, a.weights, a.labels};
    if (json && (r = cli_check_output(a.cmd, json, inputs, 4)))
        return r;
    plstar_problem p;
    plstar_problem_init(&p);
    int st = cli_load_problem(&p, &a, 0);
    if (st)
        return st;
    { /* absurd sizes are refused before allocating: DF and K both ways (a lower bound) */
        double N = (double)p.N, P = (double)p.model.nparams;
        char what[600];
        snprintf(what, sizeof what, "%s: DF (%zu x %zu) and K (%zu x %zu) in balls and doubles", a.data, p.N,
                 p.model.nparams, p.N, p.N);
        if ((st = cli_check_memory(a.cmd, what, N * P + N * N, N * P + 2 * N * N))) {
            plstar_problem_clear(&p);
            return st;
        }
    }
    crosscheck_result res;
    st = plstar_check_crosscheck(&res, &p, prec);
    if (st == PLSTAR_OK || st == PLSTAR_REFUTED || st == PLSTAR_INCONCLUSIVE) {
        plstar_crosscheck_print(&res, st, "crosscheck");
        if (json) {
            json_t *rep = plstar_crosscheck_report(&res, &p, prec, st);
            int wst = plstar_report_write(json, rep);
            json_decref(rep);
            if (wst)
                st = cli_fail(a.cmd, wst);
        }
    } else {
        cli_fail(a.cmd, st);
    }
    plstar_problem_clear(&p);
    return st;
}

/* cli/cmd_export.c — `plstar export`: a bundle for third-party implementations (proofs-checks/validate.h). */
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "proofs-checks/validate.h"

#include <stdio.h>

int cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_MODEL_OPTIONS,
                                             {"out", required_argument, NULL, OPT_OUT},
                                             {"loss", required_argument, NULL, OPT_LOSS},
                                             {NULL, 0, NULL, 0}};
    cli_model_args a = {.cmd = argv[0]};
    const char *out = NULL;
    plstar_loss loss = LOSS_SUM;
    int opt, r;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if ((r = cli_model_option(&a, opt, optarg)) < 0)
            return PLSTAR_EUSAGE;
        if (r)
            continue;
        if (opt == OPT_OUT) {
            out = optarg;
            continue;
        }
        if (opt == OPT_LOSS) {
            if (cli_parse_loss(&loss, a.cmd, optarg))
                return PLSTAR_EUSAGE;
            continue;
        }
        return cli_usage(a.cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage(a.cmd, "unexpected argument '%s'", argv[optind]);
    if (!out)
        return cli_usage(a.cmd, "needs --out DIR");
    const char *inputs[] = {a.model, a.data, a.weights, a.labels};
    static const char *const written[] = {"model.json", "X.npy", "y.npy", "w0.npy", "bundle.json", "README.txt"};
    if ((r = cli_check_output_dir(a.cmd, out, written, 6, inputs, 4)))
        return r;
    plstar_problem p;
    plstar_problem_init(&p);
    int st = cli_load_problem(&p, &a, 0);
    if (st)
        return st;
    st = plstar_validate_write_bundle_loss(&p, out, loss);
    if (st)
        cli_fail(a.cmd, st);
    else
        printf("export: wrote %s/ (model.json, X.npy%s, w0.npy, bundle.json, README.txt): %zu samples, %zu outputs, "
               "%zu parameters; loss %s, %s\n", out, p.y.size ? ", y.npy" : "", p.n, p.model.outputs, p.model.nparams,
               plstar_loss_name(loss), plstar_loss_formula(loss));
    plstar_problem_clear(&p);
    return st;
}

/* cli/cmd_demo.c — `plstar demo`: the embedded example end to end. */
#include "cli/commands.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/outfile.h"
#include "core/report.h"
#include "examples/demo_example.h"
#include "proofs-checks/crosscheck.h"
#include "reference/network.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void crosscheck_print(const crosscheck_result *res, int status);

static char *join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%s/%s", dir, name);
    return s;
}

/* The inputs of the example as files, so every step can be rerun by hand. */
static int write_inputs(const char *dir, const plstar_problem *p)
{
    char *paths[4] = {join(dir, "model.json"), join(dir, "X.npy"), join(dir, "y.npy"), join(dir, "w0.npy")};
    char *desc = model_to_json(&p->model);
    int st = PLSTAR_OK;
    for (int k = 0; k < 4; k++)
        if (!paths[k])
            st = plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    if (!st)
        st = outfile_write_text(paths[0], desc);
    if (!st)
        st = npy_write_matrix(paths[1], p->X.data, p->n, p->model.input_dim);
    if (!st)
        st = npy_write_vector(paths[2], p->y.data, p->N);
    if (!st)
        st = npy_write_vector(paths[3], p->w, p->model.nparams);
    free(desc);
    for (int k = 0; k < 4; k++)
        free(paths[k]);
    return st;
}

static int demo_crosscheck(const char *dir, const plstar_problem *p)
{
    crosscheck_result res;
    int st = check_crosscheck(&res, p, PLSTAR_DEFAULT_PREC);
    if (st != PLSTAR_OK && st != PLSTAR_REFUTED)
        return st;
    printf("\n[1] fast path inside the reference enclosures (%s)\n", "plstar crosscheck");
    crosscheck_print(&res, st);
    char *path = join(dir, "crosscheck.json");
    json_t *rep = crosscheck_report(&res, p, PLSTAR_DEFAULT_PREC, st);
    int wst = path ? report_write(path, rep) : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    json_decref(rep);
    free(path);
    return wst ? wst : st;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {{"out", required_argument, NULL, OPT_OUT},
                                             {"help", no_argument, NULL, OPT_HELP},
                                             {NULL, 0, NULL, 0}};
    const char *dir = "plstar-demo";
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt == OPT_OUT)
            dir = optarg;
        else if (opt == OPT_HELP) {
            puts("usage: plstar demo [--out DIR]   (default DIR: plstar-demo)");
            return PLSTAR_OK;
        } else
            return cli_usage("demo", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage("demo", "unexpected argument '%s'", argv[optind]);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return cli_fail("demo", plstar_error(PLSTAR_ECANTCREAT, "%s: cannot create directory: %s", dir, strerror(errno)));
    plstar_problem p;
    problem_init(&p);
    int st = demo_example_problem(&p);
    if (!st)
        st = write_inputs(dir, &p);
    if (!st) {
        char *desc = model_to_json(&p.model);
        printf("plstar demo: %s\n  n = %zu samples, P = %zu parameters; inputs written to %s/\n", desc, p.n,
               p.model.nparams, dir);
        free(desc);
        st = demo_crosscheck(dir, &p);
    }
    if (st > PLSTAR_INCONCLUSIVE)
        cli_fail("demo", st);
    else
        printf("\nplstar demo: %s; reports in %s/\n", st == PLSTAR_OK ? "all checks hold" : "a check FAILED", dir);
    problem_clear(&p);
    return st;
}

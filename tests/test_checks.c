/* The registry of the checks (proofs-checks/checks.h): every descriptor is complete and in step with
 * the others of its word, every check runs as `plstar certify NAME`, its help is `plstar help
 * certify WORD`, and every option it does not take is refused (64, one line naming it). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/npy.h"
#include "examples/demo_example.h"
#include "proofs-checks/checks.h"

static char dir[64];
static const char *exe;

static void setup(void)
{
    exe = getenv("PLSTAR_EXE");
    cr_assert(exe, "PLSTAR_EXE must point at the plstar executable (set by meson test)");
    strcpy(dir, "/tmp/plstar-checks-XXXXXX");
    cr_assert(mkdtemp(dir));
    char path[256];
    double X[8 * 3], y[8];
    plstar_demo_sphere_data(X, 8, 3, 5);
    for (size_t k = 0; k < 8; k++)
        y[k] = sin(0.7 * (double)k);
    snprintf(path, sizeof path, "%s/X.npy", dir);
    cr_assert_eq(plstar_npy_write_matrix(path, X, 8, 3), 0);
    snprintf(path, sizeof path, "%s/y.npy", dir);
    cr_assert_eq(plstar_npy_write_vector(path, y, 8), 0);
    snprintf(path, sizeof path, "%s/lin.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"model\": \"linear\"}", f);
    fclose(f);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(checks, .init = setup, .fini = teardown);

/* `plstar ARGS` in the scratch directory; stdout into out (len bytes), stderr into err. */
static int run(const char *args, char *out, char *err, size_t len)
{
    char cmd[2048], path[256];
    snprintf(cmd, sizeof cmd, "cd %s && '%s' %s > out.txt 2> err.txt", dir, exe, args);
    int st = system(cmd);
    char *bufs[2] = {out, err};
    const char *names[2] = {"out.txt", "err.txt"};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        FILE *f = fopen(path, "r");
        cr_assert(f);
        size_t got = fread(bufs[k], 1, len - 1, f);
        bufs[k][got] = '\0';
        fclose(f);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Every check option as typed, with a value that parses (the test needs one for each). */
static const char *const typed[CHECK_OPT_COUNT] = {
    [CHECK_OPT_PREC] = "--prec 64",          [CHECK_OPT_JSON] = "--json c.json",
    [CHECK_OPT_LABELS] = "--labels y.npy",   [CHECK_OPT_MU] = "--mu 1e-3",
    [CHECK_OPT_RADIUS] = "--radius 0.01",    [CHECK_OPT_LR] = "--lr 0.1",
    [CHECK_OPT_STEPS] = "--steps 3",         [CHECK_OPT_EPS] = "--eps 0.1",
    [CHECK_OPT_APRIORI] = "--apriori",       [CHECK_OPT_PATH] = "--path",
    [CHECK_OPT_WITNESS] = "--witness w.npy", [CHECK_OPT_SEARCH_WIDTH] = "--search-width",
    [CHECK_OPT_RECORD_EVERY] = "--record-every 2", [CHECK_OPT_KERNEL_ROUTE] = "--kernel-route arb",
    [CHECK_OPT_LOSS] = "--loss mean",        [CHECK_OPT_OUT] = "--out P",
};

/* "certify NAME MODEL" and the options the check requires, into buf. */
static void command_of(char *buf, size_t len, const plstar_check *d)
{
    size_t at = (size_t)snprintf(buf, len, "certify %s --model lin.json --data X.npy --seed 1", d->name);
    for (int k = 0; k < CHECK_OPT_COUNT; k++)
        if (d->requires & CHECK_OPTION(k))
            at += (size_t)snprintf(buf + at, len - at, " %s", typed[k]);
}

Test(checks, every_descriptor_is_complete)
{
#define CHECK_ID(id) #id,
    static const char *const ids[] = {PLSTAR_CHECKS(CHECK_ID)};
    cr_assert_eq(plstar_check_count, sizeof ids / sizeof *ids);
    for (int k = 0; k < CHECK_OPT_COUNT; k++)
        cr_assert(typed[k], "option %d has no typed form in this test", k);
    for (size_t k = 0; k < plstar_check_count; k++) {
        const plstar_check *d = plstar_checks[k];
        cr_assert(d && d->id && !strcmp(d->id, ids[k]), "registry line %zu: %s", k, ids[k]);
        cr_assert(d->name && d->statement && d->section && d->command, "%s: name, statement, section, word", d->id);
        cr_assert(!strncmp(d->section, "docs/theory.md, section ", 24), "%s: %s", d->id, d->section);
        const plstar_certify_command *c = d->command;
        cr_assert(c->word && c->summary && c->help && c->scope, "%s: word, summary, help, scope", d->id);
        cr_assert(d->estimate && d->run && d->print && d->summarize && d->report && d->free, "%s: functions", d->id);
        cr_assert(!d->requires == !d->requirement, "%s: a requirement says what is required", d->id);
        cr_assert(plstar_check_find(d->name) == d, "%s: found by its name %s", d->id, d->name);
        cr_assert(plstar_certify_find(c->word) == c, "%s: every check of '%s' shares its word", d->id, c->word);
        size_t of_word = 0;
        for (size_t j = 0; j < plstar_check_count; j++)
            of_word += plstar_checks[j]->command == c;
        if (of_word == 1) {
            cr_assert(!d->mode && !strcmp(d->name, c->word), "%s: the only check of its word is named by it", d->id);
            continue;
        }
        /* several checks of one word: each is chosen by one option of its own, named after it */
        cr_assert(d->mode && !(d->mode & (d->mode - 1)) && (d->accepts & d->mode) && d->mode_brief, "%s: mode", d->id);
        char name[64];
        snprintf(name, sizeof name, "%s %s", c->word, typed[__builtin_ctz(d->mode)]);
        cr_assert_str_eq(d->name, name);
    }
}

Test(checks, help_certify_word_prints_the_help_of_each_word)
{
    static char out[1 << 16], err[4096], again[1 << 16];
    cr_assert_eq(run("help certify", out, err, sizeof out), 0);
    for (size_t k = 0; k < plstar_check_count; k++) {
        const plstar_certify_command *c = plstar_checks[k]->command;
        char word[32];
        snprintf(word, sizeof word, "\n  %s ", c->word);
        cr_assert(strstr(out, word), "plstar help certify lists %s", c->word);
    }
    for (size_t k = 0; k < plstar_check_count; k++) {
        const plstar_certify_command *c = plstar_checks[k]->command;
        char args[128];
        snprintf(args, sizeof args, "help certify %s", c->word);
        cr_assert_eq(run(args, out, err, sizeof out), 0, "%s", args);
        cr_assert_str_eq(out, c->help, "%s prints the word's help", args);
        snprintf(args, sizeof args, "certify %s --help", c->word);
        cr_assert_eq(run(args, again, err, sizeof again), 0, "%s", args);
        cr_assert_str_eq(again, out, "%s is plstar help certify %s", args, c->word);
    }
}

/* With the options it requires, `plstar certify NAME` runs the check: a verdict (0, 1, 2) and its
 * verdict line, which names it. */
Test(checks, every_name_is_reachable_from_plstar_certify)
{
    static char out[1 << 16], err[1 << 14];
    for (size_t k = 0; k < plstar_check_count; k++) {
        const plstar_check *d = plstar_checks[k];
        char args[512], line[80];
        command_of(args, sizeof args, d);
        int st = run(args, out, err, sizeof out);
        cr_assert(st >= 0 && st <= 2, "%s: exit %d: %s", args, st, err);
        snprintf(line, sizeof line, "\ncertify %s", d->name);
        cr_assert(strstr(out, line), "%s: no verdict line 'certify %s': %s", args, d->name, out);
    }
}

/* Every option a check does not take is refused (64), in one line naming it, before anything runs. */
Test(checks, every_option_a_check_does_not_take_is_refused)
{
    static char out[1 << 12], err[1 << 12];
    for (size_t k = 0; k < plstar_check_count; k++) {
        const plstar_check *d = plstar_checks[k];
        for (int opt = 0; opt < CHECK_OPT_COUNT; opt++) {
            if ((d->accepts | d->requires) & CHECK_OPTION(opt) || opt == CHECK_OPT_LABELS)
                continue;
            char args[640], name[32];
            command_of(args, sizeof args, d);
            size_t at = strlen(args);
            snprintf(args + at, sizeof args - at, " %s", typed[opt]);
            cr_assert_eq(run(args, out, err, sizeof out), 64, "%s", args);
            sscanf(typed[opt], "%31s", name);
            cr_assert(strstr(err, name), "%s: the message names %s: %s", args, name, err);
            cr_assert(strchr(err, '\n') == err + strlen(err) - 1, "%s: one line: %s", args, err);
            cr_assert_str_eq(out, "", "%s ran: %s", args, out);
        }
    }
}

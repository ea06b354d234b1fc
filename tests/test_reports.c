/* Reports in the schema of docs/reports.md: enclosures, one-sided bounds,
 * absent quantities, provenance (version, commit, files with SHA-256, seed,
 * precision); and the progress line, which only a terminal gets. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/model.h"
#include "core/progress.h"
#include "core/provenance.h"
#include "core/report.h"
#include "core/sha256.h"

static int is_hex(const char *s, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (!isxdigit((unsigned char)s[k]) || isupper((unsigned char)s[k]))
            return 0;
    return 1;
}

Test(reports, new_report_has_provenance)
{
    json_t *r = plstar_report_new("example", "docs/theory.md §2, Theorem 1");
    json_t *prov = json_object_get(r, "provenance");
    cr_assert(json_is_object(prov));
    cr_assert_str_eq(json_string_value(json_object_get(prov, "plstar_version")), plstar_version());
    const char *commit = json_string_value(json_object_get(prov, "commit"));
    cr_assert(commit);
    /* a build from git records the commit (40 hex digits, "-dirty" for uncommitted changes) */
    int from_git = strlen(commit) >= 40 && is_hex(commit, 40) && (!commit[40] || !strcmp(commit + 40, "-dirty"));
    cr_assert(from_git || !strcmp(commit, "unknown"), "commit '%s'", commit);
    cr_assert(json_is_object(json_object_get(prov, "files")));
    json_decref(r);
}

Test(reports, one_sided_and_absent_encodings)
{
    json_t *u = plstar_report_upper(0.5), *l = plstar_report_lower(-INFINITY), *i = plstar_report_interval(1, INFINITY);
    cr_assert_eq(json_object_size(u), 1);
    cr_assert_float_eq(json_real_value(json_object_get(u, "upper")), 0.5, 0);
    cr_assert(json_is_null(json_object_get(l, "lower")), "an unbounded side is null");
    cr_assert(!json_object_get(l, "upper"), "a one-sided bound has one side");
    cr_assert(json_is_null(json_object_get(i, "upper")));
    json_t *a = plstar_report_absent("the fixed point does not exist");
    cr_assert_eq(json_object_size(a), 1);
    cr_assert_str_eq(json_string_value(json_object_get(a, "reason")), "the fixed point does not exist");
    json_decref(u), json_decref(l), json_decref(i), json_decref(a);
}

Test(reports, problem_provenance_in_memory_with_seed)
{
    plstar_model m;
    plstar_model_init(&m);
    cr_assert_eq(plstar_model_parse_json(&m, "{\"model\":\"linear\",\"input_dim\":2}", "m"), PLSTAR_OK);
    double X[4] = {1, 2, 3, 4}, w[2] = {1, 1}, y[2] = {0, 1};
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_problem_set(&p, &m, X, 2, w, y), PLSTAR_OK);
    p.weights_from_seed = 1, p.seed = 9;
    json_t *r = plstar_report_new("example", "docs/theory.md §5");
    plstar_report_add_problem(r, &p);
    plstar_report_set_precision(r, 128);
    json_t *prov = json_object_get(r, "provenance"), *files = json_object_get(prov, "files");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(files, "model"), "source")), "in memory");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(files, "labels"), "source")), "in memory");
    cr_assert(!json_object_get(files, "weights"), "weights drawn from a seed: the seed, not a file");
    cr_assert_eq(json_integer_value(json_object_get(prov, "seed")), 9);
    cr_assert_eq(json_integer_value(json_object_get(prov, "precision_bits")), 128);
    json_t *model = json_object_get(json_object_get(r, "inputs"), "model");
    cr_assert_eq(json_integer_value(json_object_get(model, "input_dim")), 2, "inputs.model is the resolved model");
    json_decref(r);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
}

Test(reports, input_file_digest_or_reason)
{
    char path[] = "/tmp/plstar-report-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, "abc", 3), 3);
    close(fd);
    json_t *r = plstar_report_new("eig", "docs/theory.md §7");
    cr_assert_eq(plstar_report_add_input_file(r, "matrix", path), PLSTAR_OK);
    json_t *e = json_object_get(json_object_get(json_object_get(r, "provenance"), "files"), "matrix");
    cr_assert_str_eq(json_string_value(json_object_get(e, "path")), path);
    cr_assert_str_eq(json_string_value(json_object_get(e, "sha256")),
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    unlink(path);
    cr_assert_eq(plstar_report_add_input_file(r, "radii", path), PLSTAR_ENOINPUT);
    e = json_object_get(json_object_get(json_object_get(r, "provenance"), "files"), "radii");
    cr_assert(json_is_string(json_object_get(json_object_get(e, "sha256"), "reason")),
              "a digest that could not be taken says why, it is not left empty");
    json_decref(r);
}

/* ---- progress ----------------------------------------------------------- */

static size_t drain(int fd, char *buf, size_t cap)
{
    size_t got = 0;
    ssize_t r;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    while (got + 1 < cap && (r = read(fd, buf + got, cap - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
    return got;
}

Test(reports, progress_only_on_a_terminal)
{
    FILE *f = tmpfile();
    plstar_progress pr;
    plstar_progress_begin_on(&pr, f, "test", "steps", 4);
    pr.delay = pr.interval = 0; /* show every update: what is asserted is where it goes */
    for (size_t k = 1; k <= 4; k++)
        plstar_progress_update(&pr, k);
    plstar_progress_end(&pr);
    cr_assert_eq(ftell(f), 0, "nothing is written to a file or a pipe");
    fclose(f);

    int master, slave;
    cr_assert_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
    FILE *tty = fdopen(slave, "w");
    unsetenv("PLSTAR_PROGRESS");
    plstar_progress_begin_on(&pr, tty, "certify gd: verifying", "iterates", 4);
    pr.delay = pr.interval = 0;
    plstar_progress_update(&pr, 3);
    plstar_progress_end(&pr);
    char buf[4096];
    drain(master, buf, sizeof buf);
    cr_assert(strstr(buf, "plstar certify gd: verifying: 3/4 iterates (75%)"), "%s", buf);
    cr_assert(strstr(buf, "iterates/s"), "a rate: %s", buf);
    cr_assert(strstr(buf, "left"), "the time left: %s", buf);
    cr_assert(strstr(buf, "done in"), "a closing line: %s", buf);

    setenv("PLSTAR_PROGRESS", "0", 1); /* switched off, even on a terminal */
    plstar_progress_begin_on(&pr, tty, "quiet", "steps", 2);
    pr.delay = pr.interval = 0;
    plstar_progress_update(&pr, 1);
    plstar_progress_end(&pr);
    cr_assert_eq(drain(master, buf, sizeof buf), 0, "PLSTAR_PROGRESS=0 silences it: %s", buf);
    unsetenv("PLSTAR_PROGRESS");
    fclose(tty);
    close(master);
}

Test(reports, progress_waits_before_the_first_line)
{
    int master, slave;
    cr_assert_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
    FILE *tty = fdopen(slave, "w");
    plstar_progress pr;
    plstar_progress_begin_on(&pr, tty, "quick", "steps", 10);
    pr.delay = 1e9; /* a run that ends before the delay prints nothing */
    for (size_t k = 1; k <= 10; k++)
        plstar_progress_update(&pr, k);
    plstar_progress_end(&pr);
    char buf[256];
    cr_assert_eq(drain(master, buf, sizeof buf), 0, "%s", buf);
    fclose(tty);
    close(master);
}

Test(reports, durations_read_as_time)
{
    char b[32];
    plstar_progress_format_duration(b, sizeof b, 42.4);
    cr_assert_str_eq(b, "42 s");
    plstar_progress_format_duration(b, sizeof b, 185);
    cr_assert_str_eq(b, "3 min 05 s");
    plstar_progress_format_duration(b, sizeof b, 7620);
    cr_assert_str_eq(b, "2 h 07 min");
    plstar_progress_format_duration(b, sizeof b, NAN);
    cr_assert_str_eq(b, "?");
}

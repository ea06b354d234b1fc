/* The plstar command as a user runs it: outputs NumPy can load, exit codes,
 * one-line errors and no output file on bad input. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "core/npy.h"
#include "examples/demo_example.h"

static char dir[64];
static const char *exe;

static void setup(void)
{
    exe = getenv("PLSTAR_EXE");
    cr_assert(exe, "PLSTAR_EXE must point at the plstar executable (set by meson test)");
    strcpy(dir, "/tmp/plstar-cli-XXXXXX");
    cr_assert(mkdtemp(dir));
    char path[256];
    double X[8 * 3];
    plstar_demo_sphere_data(X, 8, 3, 5);
    snprintf(path, sizeof path, "%s/X.npy", dir);
    cr_assert_eq(plstar_npy_write_matrix(path, X, 8, 3), 0);
    snprintf(path, sizeof path, "%s/m.json", dir);
    FILE *f = fopen(path, "w");
    fputs(plstar_demo_model_json(), f);
    fclose(f);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Runs `plstar ARGS` in the scratch directory; stderr goes to err.txt. */
static int run(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd %s && '%s' %s > out.txt 2> err.txt", dir, exe, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int exists(const char *name)
{
    char path[256];
    struct stat s;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &s) == 0;
}

static void read_err(char *buf, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/err.txt", dir);
    FILE *f = fopen(path, "r");
    size_t got = fread(buf, 1, len - 1, f);
    buf[got] = '\0';
    fclose(f);
}

static void write_bytes(const char *name, const void *bytes, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, len, f);
    fclose(f);
}

TestSuite(cli, .init = setup, .fini = teardown);

Test(cli, kernel_writes_a_matrix_numpy_loads)
{
    cr_assert_eq(run("kernel --model m.json --data X.npy --seed 1 --out K.npy"), 0);
    plstar_array K;
    plstar_npy_init(&K);
    char path[256];
    snprintf(path, sizeof path, "%s/K.npy", dir);
    cr_assert_eq(plstar_npy_read(&K, path), 0);
    cr_assert_eq(K.ndim, 2);
    cr_assert_eq(K.shape[0], 8);
    cr_assert_eq(K.shape[1], 8);
    plstar_npy_clear(&K);
    if (access("/usr/bin/python3", X_OK) == 0 &&
        system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") == 0) {
        char cmd[512];
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c \"import numpy as np; K = np.load('%s/K.npy'); "
                 "assert K.shape == (8, 8) and K.dtype == np.float64 and np.allclose(K, K.T)\"", dir);
        cr_assert_eq(system(cmd), 0, "NumPy must load K.npy");
    } else {
        cr_log_warn("numpy not installed for /usr/bin/python3: NumPy load check not run");
    }
}

Test(cli, reference_kernel_writes_mid_and_rad)
{
    cr_assert_eq(run("kernel --model m.json --data X.npy --seed 1 --impl reference --prec 128 --out Kr.npy"), 0);
    cr_assert(exists("Kr.npy") && exists("Kr.rad.npy"));
    cr_assert_eq(run("jacobian --model m.json --data X.npy --seed 1 --impl reference --out J.npy"), 0);
    cr_assert(exists("J.npy") && exists("J.rad.npy"));
}

Test(cli, crosscheck_and_demo_pass)
{
    cr_assert_eq(run("crosscheck --model m.json --data X.npy --seed 3 --json cc.json"), 0);
    cr_assert(exists("cc.json"));
    cr_assert_eq(run("demo --out demo"), 0);
    cr_assert(exists("demo/crosscheck.json") && exists("demo/w0.npy"));
    /* each verdict line names its statement, the model and mu */
    char path[256], line[2048];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    int verdicts = 0;
    const char *const words[] = {": certified", ": pass", ": refuted", ": inconclusive", ": fail"};
    while (fgets(line, sizeof line, f)) {
        int verdict = 0;
        for (size_t k = 0; k < sizeof words / sizeof *words; k++)
            verdict |= strstr(line, words[k]) != NULL;
        if (!verdict || !strncmp(line, "plstar demo:", 12))
            continue;
        verdicts++;
        cr_assert(strstr(line, "Theorem ") || strstr(line, "docs/theory.md §"), "no statement: %s", line);
        cr_assert(strstr(line, "the MLP [16, 16] tanh") || strstr(line, "the shallow tanh network of width"),
                  "no model: %s", line);
        cr_assert(strstr(line, "mu = ") || strstr(line, "no mu"), "no mu: %s", line);
    }
    fclose(f);
    cr_assert_eq(verdicts, 5, "the demo's five checks each print one verdict line");
}

static void expect_refusal(const char *file, const void *bytes, size_t len, const char *needle)
{
    write_bytes(file, bytes, len);
    char args[512];
    snprintf(args, sizeof args, "kernel --model m.json --data %s --seed 1 --out bad.npy", file);
    cr_assert_eq(run(args), 65, "%s must be refused with exit 65", file);
    char err[1024];
    read_err(err, sizeof err);
    cr_assert(strstr(err, file), "message names the file: %s", err);
    cr_assert(strstr(err, needle), "message '%s' mentions '%s'", err, needle);
    cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "one line: %s", err);
    cr_assert(!exists("bad.npy"), "no output file after bad input");
}

Test(cli, malformed_npy_is_refused_with_65)
{
    static const char hdr_be[] = "\x93NUMPY\x01\x00\x76\x00{'descr': '>f8', 'fortran_order': False, 'shape': (8, 3), }";
    static const char hdr_obj[] = "\x93NUMPY\x01\x00\x76\x00{'descr': '|O', 'fortran_order': False, 'shape': (8, 3), }";
    static const char hdr_huge[] =
        "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000000, 1), }";
    char buf[512];
    memset(buf, ' ', sizeof buf);
    memcpy(buf, hdr_be, sizeof hdr_be - 1);
    buf[127] = '\n';
    expect_refusal("be.npy", buf, 128 + 8 * 24, "");
    memset(buf, ' ', sizeof buf);
    memcpy(buf, hdr_obj, sizeof hdr_obj - 1);
    buf[127] = '\n';
    expect_refusal("obj.npy", buf, 128 + 8, "");
    memset(buf, ' ', sizeof buf);
    memcpy(buf, hdr_huge, sizeof hdr_huge - 1);
    buf[127] = '\n';
    expect_refusal("huge.npy", buf, 128 + 64, "");
    expect_refusal("magic.npy", "NOTNUMPY-at-all-really", 22, "");
    /* truncated: a valid file cut short */
    char path[256];
    snprintf(path, sizeof path, "%s/X.npy", dir);
    FILE *f = fopen(path, "rb");
    char full[1024];
    size_t len = fread(full, 1, sizeof full, f);
    fclose(f);
    expect_refusal("trunc.npy", full, len - 9, "");
}

Test(cli, exit_codes_for_usage_input_and_output_errors)
{
    cr_assert_eq(run("kernel --model m.json --data missing.npy --seed 1 --out K.npy"), 66);
    cr_assert_eq(run("kernel --model m.json --data X.npy --seed 1 --frobnicate --out K.npy"), 64);
    cr_assert_eq(run("kernel --model m.json --data X.npy --out K.npy"), 64);
    cr_assert_eq(run("kernel --model m.json --data X.npy --seed 1 --impl quantum --out K.npy"), 64);
    cr_assert_eq(run("kernel --model m.json --data X.npy --seed 1 --out no/such/dir/K.npy"), 73);
    cr_assert_eq(run("kernel --model m.json --data X.npy --seed 1 --out X.npy"), 64);
    cr_assert_eq(run("teleport"), 64);
    cr_assert_eq(run("help"), 0);
}

/* ---- progress on a terminal ------------------------------------------------------------- */

#include <fcntl.h>
#include <pty.h>

/* Runs `plstar ARGS...` in the scratch directory with stderr on a pseudo-terminal (stdout to
 * out.txt) and every progress update shown (PLSTAR_PROGRESS_DELAY=0); the terminal's text in
 * term. Returns the exit status. */
static int run_on_terminal(const char *const *args, char *term, size_t cap)
{
    int master, slave;
    cr_assert_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
    const char *argv[32] = {exe};
    size_t k = 1;
    for (; args[k - 1] && k < 31; k++)
        argv[k] = args[k - 1];
    argv[k] = NULL;
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int out = chdir(dir) == 0 ? open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
        if (out < 0)
            _exit(127);
        dup2(out, STDOUT_FILENO), dup2(slave, STDERR_FILENO);
        close(master);
        setenv("PLSTAR_PROGRESS_DELAY", "0", 1);
        unsetenv("PLSTAR_PROGRESS");
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    close(slave);
    size_t got = 0;
    ssize_t r;
    while (got + 1 < cap && (r = read(master, term + got, cap - 1 - got)) > 0) /* EIO once the child is gone */
        got += (size_t)r;
    term[got] = '\0';
    close(master);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* status −1: any verdict (0, 1 or 2) */
static void expect_progress(const char *const *args, int status, const char *const *lines, size_t count)
{
    static char term[1 << 18];
    int got = run_on_terminal(args, term, sizeof term);
    cr_assert(status < 0 ? got >= 0 && got <= 2 : got == status, "plstar %s %s: exit %d: %s", args[0], args[1], got,
              term);
    for (size_t k = 0; k < count; k++)
        cr_assert(strstr(term, lines[k]), "plstar %s %s shows '%s':\n%s", args[0], args[1], lines[k], term);
    cr_assert(strstr(term, "/s") && strstr(term, "done in"), "a rate and a closing line:\n%s", term);
}

/* Every long run shows its progress on a terminal, with its rate and the time left: the
 * reference kernel and Jacobian, certify gd --path (training and verification), certify ball
 * (the streamed shallow kernel; an MLP's radius search), validate's loss trajectory, bench. */
Test(cli, long_runs_show_progress_on_a_terminal)
{
    const char *kernel[] = {"kernel", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--impl", "reference",
                            "--out", "K.npy", NULL};
    const char *kl[] = {"plstar reference kernel: ", "ball mul-adds (", "left"};
    expect_progress(kernel, 0, kl, 3);
    const char *jac[] = {"jacobian", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--impl", "reference",
                         "--out", "J.npy", NULL};
    const char *jl[] = {"plstar reference Jacobian: "};
    expect_progress(jac, 0, jl, 1);

    double X[8 * 3], y[8];
    plstar_demo_sphere_data(X, 8, 3, 5);
    for (size_t i = 0; i < 8; i++)
        y[i] = sin(3 * X[i * 3]);
    char path[256];
    snprintf(path, sizeof path, "%s/y.npy", dir);
    cr_assert_eq(plstar_npy_write_vector(path, y, 8), 0);
    const char *gd[] = {"certify", "gd", "--path", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--labels",
                        "y.npy", "--steps", "10", "--record-every", "1", NULL};
    const char *gl[] = {"plstar certify gd: training: ", "steps (", "plstar certify gd: verifying: ", "/11 iterates"};
    expect_progress(gd, 0, gl, 4);
    const char *ball[] = {"certify", "ball", "--model", "m.json", "--data", "X.npy", "--seed", "1", "--radius",
                          "0.001", "--mu", "1e-12", NULL}; /* μ below λ_min(K(w0)): the radius search runs */
    const char *bl[] = {"plstar certify ball: the largest radius: ", "radii"};
    expect_progress(ball, -1, bl, 2);
    write_bytes("shallow.json", "{\"model\": \"shallow\", \"input_dim\": 3, \"width\": 4096, \"activation\": \"tanh\"}",
                strlen("{\"model\": \"shallow\", \"input_dim\": 3, \"width\": 4096, \"activation\": \"tanh\"}"));
    const char *sh[] = {"certify", "ball", "--model", "shallow.json", "--data", "X.npy", "--seed", "1", "--radius",
                        "0.001", "--mu", "0.0001", NULL};
    const char *sl[] = {"plstar reference kernel (shallow): ", "/4096 neurons"};
    expect_progress(sh, -1, sl, 2);

    /* validate a loss trajectory: the losses of a training run of the exported bundle */
    cr_assert_eq(run("export --model m.json --data X.npy --seed 1 --labels y.npy --out B"), 0);
    cr_assert_eq(run("train --model B/model.json --data B/X.npy --weights B/w0.npy --labels B/y.npy --lr 0.1 "
                     "--steps 20 --out tr"), 0);
    plstar_array T;
    plstar_npy_init(&T);
    snprintf(path, sizeof path, "%s/tr/trajectory.npy", dir);
    cr_assert_eq(plstar_npy_read(&T, path), 0);
    double L[21];
    for (size_t t = 0; t < 21; t++)
        L[t] = T.data[t * T.shape[1] + 1];
    plstar_npy_clear(&T);
    snprintf(path, sizeof path, "%s/L.npy", dir);
    cr_assert_eq(plstar_npy_write_vector(path, L, 21), 0);
    const char *val[] = {"validate", "--bundle", "B", "--losses", "L.npy", "--lr", "0.1", NULL};
    const char *vl[] = {"plstar validate: the loss trajectory at ", "/21 steps"};
    expect_progress(val, -1, vl, 2);

    const char *bench[] = {"bench", "quick", "--tiny", "--suite", "kernel", "--no-peers", "--no-history", "--out",
                           "bench", NULL};
    const char *benchl[] = {"plstar bench tiny: ", "/1 suites"};
    expect_progress(bench, 0, benchl, 2);
}

/* The same runs with stderr in a file: no progress line at all (a log gets none). */
Test(cli, no_progress_in_a_log)
{
    setenv("PLSTAR_PROGRESS_DELAY", "0", 1);
    cr_assert_eq(run("kernel --model m.json --data X.npy --seed 1 --impl reference --out K.npy"), 0);
    unsetenv("PLSTAR_PROGRESS_DELAY");
    char err[4096];
    read_err(err, sizeof err);
    cr_assert(!strchr(err, '\r') && !strstr(err, "reference kernel"), "stderr: %s", err);
}

/* ---- plstar forward ---------------------------------------------------------------------- */

#include "core/error.h"
#include "core/model.h"
#include "fast/errbound.h"
#include "fast/network.h"

static void load(plstar_array *a, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    plstar_npy_init(a);
    cr_assert_eq(plstar_npy_read(a, path), 0, "%s", name);
}

/* F.npy is plstar_fast_outputs' F(w), shape (n, c), bit for bit; the reference's F.npy ± F.rad.npy
 * encloses the exact outputs, so it lies within the fast path's proven rounding bound of them. */
Test(cli, forward_writes_the_outputs_and_the_reference_encloses_them)
{
    cr_assert_eq(run("forward --model m.json --data X.npy --seed 1 --out F.npy --json f.json"), 0);
    cr_assert_eq(run("forward --model m.json --data X.npy --seed 1 --impl reference --out Fr.npy --json fr.json"), 0);
    cr_assert(exists("Fr.rad.npy") && !exists("F.rad.npy"));
    plstar_problem p;
    plstar_problem_init(&p);
    char mp[256], xp[256];
    snprintf(mp, sizeof mp, "%s/m.json", dir), snprintf(xp, sizeof xp, "%s/X.npy", dir);
    cr_assert_eq(plstar_problem_load(&p, mp, xp, NULL, 1, NULL), 0, "%s", plstar_errmsg());
    double F[8], eF[8];
    cr_assert_eq(plstar_fast_outputs(F, &p.model, p.X.data, p.n, p.w), 0);
    fast_errors e = {.F = eF};
    cr_assert_eq(plstar_fast_errbound(&e, &p.model, p.X.data, p.n, p.w, NULL), 0);
    plstar_array a, mid, rad;
    load(&a, "F.npy"), load(&mid, "Fr.npy"), load(&rad, "Fr.rad.npy");
    cr_assert(a.ndim == 2 && a.shape[0] == 8 && a.shape[1] == 1 && mid.ndim == 2 && mid.shape[0] == 8);
    for (size_t k = 0; k < 8; k++) {
        cr_assert(a.data[k] == F[k], "F[%zu]: %.17g, plstar_fast_outputs %.17g", k, a.data[k], F[k]);
        cr_assert(rad.data[k] > 0 && rad.data[k] < 1e-15, "a tight enclosure");
        cr_assert(fabs(a.data[k] - mid.data[k]) <= rad.data[k] + eF[k], "F[%zu] outside mid ± (rad + bound)", k);
    }
    plstar_npy_clear(&a), plstar_npy_clear(&mid), plstar_npy_clear(&rad);
    plstar_problem_clear(&p);
    char cmd[512]; /* both reports in the schema, with the bound they state */
    const char *checker = getenv("PLSTAR_CHECK_REPORT"), *src = getenv("PLSTAR_SOURCE_ROOT");
    if (checker && src) {
        snprintf(cmd, sizeof cmd, "'%s' --theory '%s/docs/theory.md' %s/f.json %s/fr.json", checker, src, dir, dir);
        cr_assert_eq(system(cmd), 0, "the forward reports pass check_report");
    }
}

/* Bad input: the documented exit codes, one line on stderr, no output file. */
Test(cli, forward_refuses_bad_input)
{
    static const unsigned char not_npy[] = "this is not a NumPy file";
    write_bytes("bad.npy", not_npy, sizeof not_npy - 1);
    const struct {
        const char *args;
        int status;
    } cases[] = {{"forward --model m.json --data X.npy --seed 1", 64},
                 {"forward --model m.json --data X.npy --seed 1 --impl exact --out F.npy", 64},
                 {"forward --model m.json --data X.npy --out F.npy", 64},
                 {"forward --model m.json --data X.npy --seed 1 --labels X.npy --out F.npy", 64},
                 {"forward --model m.json --data X.npy --seed 1 --out X.npy", 64},
                 {"forward --model m.json --data bad.npy --seed 1 --out F.npy", 65},
                 {"forward --model m.json --data missing.npy --seed 1 --out F.npy", 66},
                 {"forward --model m.json --data X.npy --seed 1 --out no/such/dir/F.npy", 73}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        cr_assert_eq(run(cases[k].args), cases[k].status, "%s", cases[k].args);
        char err[1024];
        read_err(err, sizeof err);
        cr_assert(strlen(err) > 0 && strchr(err, '\n') == err + strlen(err) - 1, "%s: one line: %s", cases[k].args, err);
        cr_assert(!exists("F.npy"), "%s left an output", cases[k].args);
    }
}

/* ---- the loss convention of certify gd --apriori and validate ------------------------------ */

static double jnum(json_t *r, const char *a, const char *b, const char *c)
{
    json_t *v = json_object_get(r, a);
    v = b ? json_object_get(v, b) : v;
    v = c ? json_object_get(v, c) : v;
    cr_assert(json_is_number(v), "%s %s %s", a, b ? b : "", c ? c : "");
    return json_number_value(v);
}

static json_t *jload(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_t *r = json_load_file(path, 0, NULL);
    cr_assert(r, "%s", name);
    return r;
}

/* The demo's wide shallow net (N = 8): --apriori --loss mean certifies as the sum run does, with
 * μ = sμ', lr = lr'/s, lr_max = lr_max'/s (rounded down: still bounds) and the rate 1 − ημ. */
Test(cli, apriori_mean_loss_reports_the_scaled_numbers)
{
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_demo_shallow_problem(&p), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/sh.json", dir);
    FILE *f = fopen(path, "w");
    fputs(plstar_demo_shallow_json(), f);
    fclose(f);
    snprintf(path, sizeof path, "%s/Xs.npy", dir);
    plstar_npy_write_matrix(path, p.X.data, p.n, p.model.input_dim);
    snprintf(path, sizeof path, "%s/ys.npy", dir);
    plstar_npy_write_vector(path, p.y.data, p.N);
    snprintf(path, sizeof path, "%s/ws.npy", dir);
    plstar_npy_write_vector(path, p.w, p.model.nparams);
    double s = 2.0 / (double)p.N;
    plstar_problem_clear(&p);
    const char *M = "certify gd --apriori --model sh.json --data Xs.npy --weights ws.npy --labels ys.npy";
    char args[512];
    snprintf(args, sizeof args, "%s --json as.json", M);
    cr_assert_eq(run(args), 0);
    snprintf(args, sizeof args, "%s --loss mean --json am.json", M);
    cr_assert_eq(run(args), 0);
    json_t *a = jload("as.json"), *m = jload("am.json");
    cr_assert(jnum(m, "mu_half_sum", NULL, NULL) == jnum(a, "mu", NULL, NULL));
    cr_assert(jnum(m, "lr_half_sum", NULL, NULL) == jnum(a, "lr", NULL, NULL));
    cr_assert(jnum(m, "mu", NULL, NULL) <= s * jnum(a, "mu", NULL, NULL), "mu rounded down");
    cr_assert(jnum(m, "mu", NULL, NULL) >= s * jnum(a, "mu", NULL, NULL) * (1 - 1e-15));
    cr_assert(jnum(m, "lr", NULL, NULL) <= jnum(a, "lr", NULL, NULL) / s);
    cr_assert(jnum(m, "quantities", "lr_max", "lower") <= jnum(a, "quantities", "lr_max", "lower") / s);
    cr_assert(jnum(m, "quantities", "lr_max", "lower") >= jnum(a, "quantities", "lr_max", "lower") / s * (1 - 1e-15));
    cr_assert(jnum(m, "rate", "upper", NULL) >= jnum(a, "rate", "upper", NULL), "the rate stays an upper bound");
    cr_assert(jnum(m, "rate", "upper", NULL) - jnum(a, "rate", "upper", NULL) < 1e-14);
    cr_assert(jnum(m, "radius", NULL, NULL) == jnum(a, "radius", NULL, NULL));
    json_decref(a), json_decref(m);
    /* a given step above the converted bound is not certified */
    snprintf(args, sizeof args, "%s --loss mean --lr %.17g", M, 1.01 * jnum(m = jload("am.json"), "quantities",
                                                                            "lr_max", "lower"));
    json_decref(m);
    cr_assert_eq(run(args), 2);
}

/* validate --losses: the bundle's convention unless --loss says otherwise; --loss bogus is 64. */
Test(cli, validate_uses_the_bundles_loss_convention)
{
    cr_assert_eq(run("train --model m.json --data X.npy --seed 1 --labels X.npy --lr 0.4 --steps 12 --loss mean --out t"),
                 65, "labels of 24 values for 8 outputs are refused");
    double y[8];
    for (size_t k = 0; k < 8; k++)
        y[k] = sin(0.7 * (double)k);
    char path[256];
    snprintf(path, sizeof path, "%s/y.npy", dir);
    plstar_npy_write_vector(path, y, 8);
    cr_assert_eq(run("train --model m.json --data X.npy --seed 1 --labels y.npy --lr 0.4 --steps 12 --loss mean "
                     "--out t"), 0);
    plstar_array tr;
    load(&tr, "t/trajectory.npy");
    double L[13];
    for (size_t k = 0; k < 13; k++)
        L[k] = tr.data[k * tr.shape[1] + 1];
    plstar_npy_clear(&tr);
    snprintf(path, sizeof path, "%s/L.npy", dir);
    plstar_npy_write_vector(path, L, 13);
    cr_assert_eq(run("export --model m.json --data X.npy --seed 1 --labels y.npy --loss mean --out Bm"), 0);
    cr_assert_eq(run("export --model m.json --data X.npy --seed 1 --labels y.npy --out Bs"), 0);
    cr_assert_eq(run("validate --bundle Bm --losses L.npy --lr 0.4 --json v.json"), 0);
    json_t *v = jload("v.json");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(v, "loss"), "convention")), "mean");
    cr_assert(jnum(v, "inputs", "lr", NULL) == 0.4 && jnum(v, "inputs", "lr_half_sum", NULL) == 0.1);
    json_decref(v);
    cr_assert_eq(run("validate --bundle Bs --losses L.npy --lr 0.4 --loss mean"), 0);
    cr_assert_eq(run("validate --bundle Bs --losses L.npy --lr 0.4"), 1, "the sum bundle's convention fails them");
    cr_assert_eq(run("validate --bundle Bm --losses L.npy --lr 0.4 --loss sum"), 1);
    cr_assert_eq(run("validate --bundle Bm --losses L.npy --lr 0.4 --loss bogus"), 64);
    char err[512];
    read_err(err, sizeof err);
    cr_assert(strstr(err, "--loss") && strchr(err, '\n') == err + strlen(err) - 1, "%s", err);
    json_t *man = jload("Bm/bundle.json");
    cr_assert_str_eq(json_string_value(json_object_get(man, "loss_convention")), "mean");
    json_decref(man);
}

/* ---- options that do not apply ------------------------------------------------------------ */

/* An option that does not apply to the command as asked is refused (64), in one line on stderr
 * that names it, before anything is written; where it applies the same option runs. Every input
 * exists, so without the refusal each command would run. */
Test(cli, options_that_do_not_apply_are_refused)
{
    double y[8];
    for (size_t k = 0; k < 8; k++)
        y[k] = sin(0.7 * (double)k);
    char path[256];
    snprintf(path, sizeof path, "%s/y.npy", dir);
    cr_assert_eq(plstar_npy_write_vector(path, y, 8), 0);
    const char *M = "--model m.json --data X.npy --seed 1";
    char args[512];
    snprintf(args, sizeof args, "kernel %s --out K.npy", M);
    cr_assert_eq(run(args), 0);
    snprintf(args, sizeof args, "forward %s --out F.npy", M);
    cr_assert_eq(run(args), 0);
    snprintf(args, sizeof args, "export %s --labels y.npy --out B", M);
    cr_assert_eq(run(args), 0);
    const struct {
        const char *args, *option, *output;
    } cases[] = {
        {"forward %s --prec 256 --out F2.npy", "--prec", "F2.npy"},
        {"forward %s --impl fast --prec 256 --out F2.npy", "--prec", "F2.npy"},
        {"kernel %s --prec 256 --out K2.npy", "--prec", "K2.npy"},
        {"kernel %s --impl explicit --prec 256 --out K2.npy", "--prec", "K2.npy"},
        {"jacobian %s --impl fast --prec 256 --out J2.npy", "--prec", "J2.npy"},
        {"kernel %s --labels y.npy --out K2.npy", "--labels", "K2.npy"},
        {"jacobian %s --labels y.npy --out J2.npy", "--labels", "J2.npy"},
        {"eig --matrix K.npy --prec 256 --json e.json", "--prec", "e.json"},
        {"train %s --labels y.npy --lr 0.1 --steps 2 --batch-seed 3 --out T", "--batch-seed", "T"},
        {"validate --bundle B --outputs F.npy --loss mean --json v.json", "--loss", "v.json"},
        {"validate --bundle B --outputs F.npy --lr 0.1 --json v.json", "--lr", "v.json"},
        {"validate --bundle B --outputs F.npy --layout functorch --json v.json", "--layout", "v.json"},
        {"certify point %s --steps 3 --json c.json", "--steps", "c.json"},
        {"certify ball %s --radius 0.01 --mu 1e-3 --loss mean --json c.json", "--loss", "c.json"},
        {"certify gd %s --labels y.npy --apriori --out P --json c.json", "--out", "c.json"},
        {"certify gd %s --labels y.npy --path --search-width --json c.json", "--search-width", "c.json"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        snprintf(args, sizeof args, cases[k].args, M);
        cr_assert_eq(run(args), 64, "%s", args);
        char err[1024];
        read_err(err, sizeof err);
        cr_assert(strstr(err, cases[k].option), "%s: the message names %s: %s", args, cases[k].option, err);
        cr_assert(strlen(err) > 0 && strchr(err, '\n') == err + strlen(err) - 1, "%s: one line: %s", args, err);
        cr_assert(!exists(cases[k].output), "%s wrote %s", args, cases[k].output);
    }
    /* where they apply */
    const char *const applies[] = {
        "forward %s --impl reference --prec 64 --out F3.npy",
        "jacobian %s --impl reference --prec 64 --out J3.npy",
        "train %s --labels y.npy --lr 0.1 --steps 2 --batch 4 --batch-seed 3 --out T3",
    };
    for (size_t k = 0; k < sizeof applies / sizeof *applies; k++) {
        snprintf(args, sizeof args, applies[k], M);
        cr_assert_eq(run(args), 0, "%s", args);
    }
    cr_assert_eq(run("eig --matrix K.npy --impl reference --prec 64"), 0);
    cr_assert_eq(run("validate --bundle B --kernel K.npy --layout functorch"), 0);
}

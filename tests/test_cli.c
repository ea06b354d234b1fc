/* The plstar command as a user runs it: outputs NumPy can load, exit codes,
 * one-line errors and no output file on bad input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
    demo_sphere_data(X, 8, 3, 5);
    snprintf(path, sizeof path, "%s/X.npy", dir);
    cr_assert_eq(npy_write_matrix(path, X, 8, 3), 0);
    snprintf(path, sizeof path, "%s/m.json", dir);
    FILE *f = fopen(path, "w");
    fputs(demo_model_json(), f);
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
    npy_init(&K);
    char path[256];
    snprintf(path, sizeof path, "%s/K.npy", dir);
    cr_assert_eq(npy_read(&K, path), 0);
    cr_assert_eq(K.ndim, 2);
    cr_assert_eq(K.shape[0], 8);
    cr_assert_eq(K.shape[1], 8);
    npy_clear(&K);
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

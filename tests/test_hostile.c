/*
 * The hostile-input catalogue (docs/reliability.md): every malformed,
 * inconsistent, absurd, missing or unwritable input the `plstar` command may
 * meet, each with its exit status. Each test runs the real executable
 * (PLSTAR_EXE) in a scratch directory and asserts
 *   - the exit status of the catalogue,
 *   - exactly one line on stderr, naming the file or option at fault,
 *   - no output and no temporary file left behind (the directory listing is
 *     the same before and after the run).
 * In the sanitizer build the same runs also check the error paths for leaks
 * and undefined behaviour (a report would add lines and change the status).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/npy.h"

static char dir[64];
static const char *exe;

#define MODEL_JSON "{\"model\": \"mlp\", \"input_dim\": 3, \"widths\": [4], \"activation\": \"tanh\", \"outputs\": 1, \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}"
#define MODEL_P 16 /* 3·4 + 4·1 */
#define SAMPLES 8

static char *path_of(const char *name)
{
    static char buf[4][640];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void write_bytes(const char *name, const void *bytes, size_t len)
{
    FILE *f = fopen(path_of(name), "wb");
    cr_assert(f, "cannot write %s", name);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

static void write_text(const char *name, const char *text) { write_bytes(name, text, strlen(text)); }

static void write_matrix(const char *name, const double *a, size_t rows, size_t cols)
{
    cr_assert_eq(plstar_npy_write_matrix(path_of(name), a, rows, cols), 0);
}

static void write_vector(const char *name, const double *a, size_t n)
{
    cr_assert_eq(plstar_npy_write_vector(path_of(name), a, n), 0);
}

/* A .npy file with a hand-written header (format 1.0) and `payload` zero bytes. */
static void write_npy_header(const char *name, const char *dict, size_t payload)
{
    size_t dlen = strlen(dict), hlen = dlen + 1;
    hlen += (64 - (10 + hlen) % 64) % 64;
    unsigned char *buf = calloc(10 + hlen + payload + 1, 1);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hlen & 0xff), buf[9] = (unsigned char)(hlen >> 8);
    memset(buf + 10, ' ', hlen);
    memcpy(buf + 10, dict, dlen);
    buf[10 + hlen - 1] = '\n';
    write_bytes(name, buf, 10 + hlen + payload);
    free(buf);
}

static void setup(void)
{
    exe = getenv("PLSTAR_EXE");
    cr_assert(exe, "PLSTAR_EXE must point at the plstar executable (set by meson test)");
    strcpy(dir, "/tmp/plstar-hostile-XXXXXX");
    cr_assert(mkdtemp(dir));
    double X[SAMPLES * 3], y[SAMPLES], w[MODEL_P], K[16];
    for (size_t k = 0; k < SAMPLES * 3; k++)
        X[k] = sin(1.0 + (double)k);
    for (size_t k = 0; k < SAMPLES; k++)
        y[k] = cos((double)k);
    for (size_t k = 0; k < MODEL_P; k++)
        w[k] = 0.3 * sin(2.0 * (double)k + 0.5);
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++)
            K[i * 4 + j] = (i == j) ? 4.0 : 1.0 / (1.0 + (double)(i + j));
    write_matrix("X.npy", X, SAMPLES, 3);
    write_vector("y.npy", y, SAMPLES);
    write_vector("w.npy", w, MODEL_P);
    write_matrix("K.npy", K, 4, 4);
    write_text("m.json", MODEL_JSON);
    write_text("lin.json", "{\"model\": \"linear\"}");
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+w %s 2>/dev/null; rm -rf %s", dir, dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(hostile, .init = setup, .fini = teardown, .timeout = 120);

/* The sorted listing of the scratch directory, recursively (err.txt/out.txt excluded). */
static void listing(char *out, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cd %s && find . ! -name err.txt ! -name out.txt | LC_ALL=C sort", dir);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    size_t got = fread(out, 1, cap - 1, p);
    out[got] = '\0';
    pclose(p);
}

static int run(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd %s && '%s' %s > out.txt 2> err.txt < /dev/null", dir, exe, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void read_err(char *buf, size_t len)
{
    FILE *f = fopen(path_of("err.txt"), "r");
    cr_assert(f);
    size_t got = fread(buf, 1, len - 1, f);
    buf[got] = '\0';
    fclose(f);
}

/* Runs `plstar ARGS` and checks the catalogue's promises. */
static void expect(int code, const char *needle, const char *args)
{
    char before[8192], after[8192], err[4096];
    listing(before, sizeof before);
    int st = run(args);
    read_err(err, sizeof err);
    cr_assert_eq(st, code, "plstar %s: exit %d, expected %d; stderr: %s", args, st, code, err);
    size_t len = strlen(err);
    cr_assert(len > 0 && err[len - 1] == '\n' && strchr(err, '\n') == err + len - 1,
              "plstar %s: stderr must be exactly one line, got: %s", args, err);
    cr_assert(strstr(err, needle), "plstar %s: the message must name '%s': %s", args, needle, err);
    listing(after, sizeof after);
    cr_assert_str_eq(before, after, "plstar %s: files changed (outputs or temporaries left):\nbefore:\n%s\nafter:\n%s",
                     args, before, after);
}

#define KERNEL(data) "kernel --model m.json --data " data " --seed 1 --out K_out.npy"

/* ------------------------------------------------------------ .npy files */

Test(hostile, npy_truncated)
{
    unsigned char buf[4096];
    FILE *f = fopen(path_of("X.npy"), "rb");
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    write_bytes("trunc.npy", buf, len - 9);
    expect(65, "trunc.npy", KERNEL("trunc.npy"));
    write_bytes("trunc_header.npy", buf, 40); /* cut inside the header */
    expect(65, "trunc_header.npy", KERNEL("trunc_header.npy"));
    write_bytes("empty.npy", "", 0);
    expect(65, "empty.npy", KERNEL("empty.npy"));
}

Test(hostile, npy_corrupt)
{
    write_text("magic.npy", "PK\x03\x04 this is a zip file, not an array");
    expect(65, "magic.npy", KERNEL("magic.npy"));
    write_npy_header("dict.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (8, 3 }", 192);
    expect(65, "dict.npy", KERNEL("dict.npy"));
    write_npy_header("version.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (8, 3), }", 192);
    unsigned char b[2] = {9, 0}; /* format version 9.0 */
    FILE *f = fopen(path_of("version.npy"), "r+b");
    fseek(f, 6, SEEK_SET);
    fwrite(b, 1, 2, f);
    fclose(f);
    expect(65, "version.npy", KERNEL("version.npy"));
    write_npy_header("trailing.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (8, 3), }", 192 + 8);
    expect(65, "trailing.npy", KERNEL("trailing.npy"));
}

Test(hostile, npy_oversized_header)
{
    /* format 2.0: a 4-byte header length of 2 GiB in a 64-byte file */
    unsigned char buf[64];
    memset(buf, ' ', sizeof buf);
    memcpy(buf, "\x93NUMPY\x02\x00\x00\x00\x00\x80", 12);
    write_bytes("hlen.npy", buf, sizeof buf);
    expect(65, "hlen.npy", KERNEL("hlen.npy"));
    /* a header that claims 10^15 x 3 doubles backed by 192 bytes */
    write_npy_header("claims.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000000, 3), }", 192);
    expect(65, "claims.npy", KERNEL("claims.npy"));
    /* a shape whose element count overflows 64 bits */
    write_npy_header("overflow.npy",
                     "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }", 64);
    expect(65, "overflow.npy", KERNEL("overflow.npy"));
    write_npy_header("dims.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 8);
    expect(65, "dims.npy", KERNEL("dims.npy"));
}

Test(hostile, npy_unsupported_dtypes)
{
    static const char *const dtypes[][2] = {
        {"be.npy", "{'descr': '>f8', 'fortran_order': False, 'shape': (8, 3), }"},
        {"complex.npy", "{'descr': '<c16', 'fortran_order': False, 'shape': (8, 3), }"},
        {"object.npy", "{'descr': '|O', 'fortran_order': False, 'shape': (8, 3), }"},
        {"int.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (8, 3), }"},
        {"half.npy", "{'descr': '<f2', 'fortran_order': False, 'shape': (8, 3), }"},
        {"struct.npy", "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (8, 3), }"},
    };
    for (size_t k = 0; k < sizeof dtypes / sizeof dtypes[0]; k++) {
        write_npy_header(dtypes[k][0], dtypes[k][1], 8 * 24 * 2);
        char args[256];
        snprintf(args, sizeof args, KERNEL("%s"), dtypes[k][0]);
        expect(65, dtypes[k][0], args);
    }
}

/* ------------------------------------------------------ shape mismatches */

Test(hostile, shape_mismatch_data_model)
{
    double X[SAMPLES * 5] = {0};
    write_matrix("X5.npy", X, SAMPLES, 5); /* input_dim is 3 */
    expect(65, "X5.npy", KERNEL("X5.npy"));
    write_vector("X1d.npy", X, SAMPLES);
    expect(65, "X1d.npy", KERNEL("X1d.npy"));
    write_matrix("X0.npy", X, 0, 3);
    expect(65, "X0.npy", KERNEL("X0.npy"));
}

Test(hostile, shape_mismatch_labels)
{
    double y[SAMPLES + 1] = {0};
    write_vector("y9.npy", y, SAMPLES + 1);
    expect(65, "y9.npy", "certify point --model m.json --data X.npy --seed 1 --labels y9.npy");
    write_matrix("y2.npy", y, SAMPLES / 2, 2);
    expect(65, "y2.npy", "crosscheck --model m.json --data X.npy --seed 1 --labels y2.npy");
}

Test(hostile, shape_mismatch_weights)
{
    double w[MODEL_P + 1] = {0};
    write_vector("w17.npy", w, MODEL_P + 1);
    expect(65, "w17.npy", "kernel --model m.json --data X.npy --weights w17.npy --out K_out.npy");
}

Test(hostile, shape_mismatch_matrix)
{
    double A[12] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    write_matrix("rect.npy", A, 3, 4);
    expect(65, "rect.npy", "eig --matrix rect.npy");
    double S[4] = {1, 2, 3, 1};
    write_matrix("asym.npy", S, 2, 2);
    expect(65, "asym.npy", "eig --matrix asym.npy --json e.json");
    double R[9] = {0};
    write_matrix("K.rad.npy", R, 3, 3); /* radii for a 4 x 4 matrix */
    expect(65, "K.rad.npy", "eig --matrix K.npy");
    double Rn[16] = {0};
    Rn[5] = -1e-3;
    write_matrix("K.rad.npy", Rn, 4, 4);
    expect(65, "K.rad.npy", "eig --matrix K.npy --impl reference");
}

/* the claims of a third party against an exported bundle */
Test(hostile, shape_mismatch_validate_claims)
{
    cr_assert_eq(run("export --model m.json --data X.npy --seed 1 --labels y.npy --out bundle"), 0);
    double K[9] = {0};
    write_matrix("K3.npy", K, 3, 3); /* the kernel is 8 x 8 */
    expect(65, "K3.npy", "validate --bundle bundle --kernel K3.npy");
    double F[SAMPLES] = {0};
    F[3] = NAN;
    write_vector("Fnan.npy", F, SAMPLES);
    expect(65, "Fnan.npy", "validate --bundle bundle --outputs Fnan.npy --json v.json");
}

/* ----------------------------------------------------------- NaN and Inf */

Test(hostile, non_finite_values)
{
    double X[SAMPLES * 3] = {0}, y[SAMPLES] = {0}, w[MODEL_P] = {0}, K[4] = {1, 0, 0, 1};
    X[7] = NAN;
    write_matrix("Xnan.npy", X, SAMPLES, 3);
    expect(65, "Xnan.npy", KERNEL("Xnan.npy"));
    X[7] = -INFINITY;
    write_matrix("Xinf.npy", X, SAMPLES, 3);
    expect(65, "Xinf.npy", "jacobian --model m.json --data Xinf.npy --seed 1 --out J.npy");
    y[2] = INFINITY;
    write_vector("yinf.npy", y, SAMPLES);
    expect(65, "yinf.npy", "certify point --model m.json --data X.npy --seed 1 --labels yinf.npy");
    w[0] = NAN;
    write_vector("wnan.npy", w, MODEL_P);
    expect(65, "wnan.npy", "crosscheck --model m.json --data X.npy --weights wnan.npy");
    K[3] = NAN;
    write_matrix("Knan.npy", K, 2, 2);
    expect(65, "Knan.npy", "eig --matrix Knan.npy");
    K[3] = 1;
    write_matrix("Kr.npy", K, 2, 2);
    double R[4] = {0, INFINITY, INFINITY, 0};
    write_matrix("Kr.rad.npy", R, 2, 2);
    expect(65, "Kr.rad.npy", "eig --matrix Kr.npy");
}

Test(hostile, non_finite_checkpoint)
{
    cr_assert_eq(run("train --model m.json --data X.npy --seed 1 --labels y.npy --lr 0.05 --steps 6 "
                     "--checkpoint-every 2 --out run"),
                 0);
    plstar_array a;
    plstar_npy_init(&a);
    cr_assert_eq(plstar_npy_read(&a, path_of("run/checkpoint.npy")), 0);
    a.data[a.size - 1] = NAN;
    write_vector("ck_nan.npy", a.data, a.size);
    a.data[a.size - 1] = 0, a.data[2] = 2.5; /* a fractional step */
    write_vector("ck_step.npy", a.data, a.size);
    plstar_npy_clear(&a);
    expect(65, "ck_nan.npy", "train --model m.json --data X.npy --seed 1 --labels y.npy --lr 0.05 --steps 6 "
                             "--resume ck_nan.npy --out run2");
    expect(65, "ck_step.npy", "train --model m.json --data X.npy --seed 1 --labels y.npy --lr 0.05 --steps 6 "
                              "--resume ck_step.npy --out run2");
}

/* -------------------------------------------------- model descriptions */

static void expect_model(const char *json, const char *file, const char *needle2)
{
    write_text(file, json);
    char args[256];
    snprintf(args, sizeof args, "kernel --model %s --data X.npy --seed 1 --out K_out.npy", file);
    expect(65, file, args);
    char err[4096];
    read_err(err, sizeof err);
    cr_assert(strstr(err, needle2), "%s: the message should mention '%s': %s", file, needle2, err);
}

Test(hostile, zero_or_negative_widths)
{
    expect_model("{\"model\": \"mlp\", \"input_dim\": 3, \"widths\": [4, 0], \"outputs\": 1, \"activation\": \"tanh\", \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}", "w0.json", "widths[1]");
    expect_model("{\"model\": \"mlp\", \"input_dim\": 3, \"widths\": [-4], \"outputs\": 1, \"activation\": \"tanh\", \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}", "wneg.json", "widths[0]");
    expect_model("{\"model\": \"shallow\", \"input_dim\": 3, \"width\": 0, \"activation\": \"tanh\"}", "s0.json", "width");
    expect_model("{\"model\": \"shallow\", \"input_dim\": 3, \"width\": -16, \"activation\": \"tanh\"}", "sneg.json", "width");
    expect_model("{\"model\": \"mlp\", \"input_dim\": 0, \"widths\": [4], \"outputs\": 1, \"activation\": \"tanh\", \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}", "d0.json", "input_dim");
    expect_model("{\"model\": \"mlp\", \"input_dim\": 3, \"widths\": [4], \"outputs\": 0, \"activation\": \"tanh\", \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}", "c0.json", "outputs");
    expect_model("{\"model\": \"mlp\", \"input_dim\": 3, \"widths\": [2.5], \"outputs\": 1, \"activation\": \"tanh\", \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}", "wfrac.json", "widths[0]");
}

Test(hostile, unknown_activation_or_model)
{
    expect_model("{\"model\": \"mlp\", \"input_dim\": 3, \"widths\": [4], \"activation\": \"swish\", \"outputs\": 1, \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}", "act.json",
                 "swish");
    expect_model("{\"model\": \"mlp\", \"input_dim\": 3, \"widths\": [4], \"output_activation\": \"softmax\", \"outputs\": 1, \"activation\": \"tanh\", \"scaling\": \"ntk\", \"bias\": false}",
                 "oact.json", "softmax");
    expect_model("{\"model\": \"transformer\", \"input_dim\": 3}", "kind.json", "transformer");
    expect_model("{\"model\": \"mlp\", \"input_dim\": 3, \"widths\": [4], \"dropout\": 0.1, \"outputs\": 1, \"activation\": \"tanh\", \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}", "key.json", "dropout");
    expect_model("{\"model\": \"mlp\", \"input_dim\": 3, \"widths\": [4],", "syntax.json", "invalid JSON");
    expect_model("{\"model\": \"linear\", \"input_dim\": 3, \"input_dim\": 3}", "dup.json", "JSON");
    write_bytes("nul.json", "{\"model\": \"linear\"}\0{\"garbage", 30);
    expect(65, "nul.json", "kernel --model nul.json --data X.npy --seed 1 --out K_out.npy");
}

/* --------------------------------------------------------- absurd sizes */

Test(hostile, absurd_sizes_refused_before_allocating)
{
    /* 10^12 parameters from a 90-byte description (weights drawn from --seed) */
    write_text("huge.json", "{\"model\": \"mlp\", \"input_dim\": 3, \"widths\": [1000000, 1000000], \"outputs\": 1, \"activation\": \"tanh\", \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}");
    expect(65, "huge.json", "kernel --model huge.json --data X.npy --seed 1 --out K_out.npy");
    char err[4096];
    read_err(err, sizeof err);
    cr_assert(strstr(err, "GB"), "the message states the memory needed: %s", err);
    /* more layers than allowed, more weights in a layer than 2^40 */
    write_text("wide.json", "{\"model\": \"mlp\", \"input_dim\": 67108864, \"widths\": [67108864], \"outputs\": 1, \"activation\": \"tanh\", \"output_activation\": \"linear\", \"scaling\": \"ntk\", \"bias\": false}");
    expect(65, "wide.json", "kernel --model wide.json --data X.npy --seed 1 --out K_out.npy");
    /* 2·10^5 samples of one feature (1.6 MB) ask for a 2·10^5 x 2·10^5 kernel */
    double *X = calloc(200000, sizeof(double));
    write_matrix("Xlong.npy", X, 200000, 1);
    free(X);
    expect(65, "Xlong.npy", "kernel --model lin.json --data Xlong.npy --seed 1 --out K_out.npy");
    expect(65, "Xlong.npy", "kernel --model lin.json --data Xlong.npy --seed 1 --impl reference --out K_out.npy");
    expect(65, "Xlong.npy", "certify point --model lin.json --data Xlong.npy --seed 1");
    expect(65, "Xlong.npy", "crosscheck --model lin.json --data Xlong.npy --seed 1");
    /* a GD path of 10^17 steps */
    expect(65, "X.npy", "certify gd --model m.json --data X.npy --seed 1 --labels y.npy --path --steps 100000000000000000");
}

/* ------------------------------------------------------- missing inputs */

Test(hostile, missing_inputs)
{
    expect(66, "nope.json", "kernel --model nope.json --data X.npy --seed 1 --out K_out.npy");
    expect(66, "nope.npy", KERNEL("nope.npy"));
    expect(66, "nope.npy", "kernel --model m.json --data X.npy --weights nope.npy --out K_out.npy");
    expect(66, "nope.npy", "certify point --model m.json --data X.npy --seed 1 --labels nope.npy --json c.json");
    expect(66, "nope.npy", "eig --matrix nope.npy --json e.json");
    expect(66, "nobundle", "validate --bundle nobundle --lambda-min 1");
    expect(66, "nope.npy", "train --model m.json --data X.npy --seed 1 --labels y.npy --lr 0.1 --steps 2 "
                           "--resume nope.npy --out run");
    cr_assert_eq(mkdir(path_of("adir"), 0755), 0);
    expect(66, "adir", "kernel --model adir --data X.npy --seed 1 --out K_out.npy");
    expect(66, "adir", KERNEL("adir"));
}

/* ---------------------------------------------------- unwritable outputs */

Test(hostile, unwritable_outputs)
{
    expect(73, "no/such/dir/K.npy", "kernel --model m.json --data X.npy --seed 1 --out no/such/dir/K.npy");
    expect(73, "X.npy/K.npy", "kernel --model m.json --data X.npy --seed 1 --out X.npy/K.npy");
    cr_assert_eq(mkdir(path_of("adir"), 0755), 0);
    expect(73, "adir", "eig --matrix K.npy --json adir");
    expect(73, "adir", "certify point --model m.json --data X.npy --seed 1 --json adir");
    expect(73, "X.npy/run", "train --model m.json --data X.npy --seed 1 --labels y.npy --lr 0.1 --steps 2 "
                            "--out X.npy/run");
    expect(73, "X.npy/b", "export --model m.json --data X.npy --seed 1 --out X.npy/b");
    if (geteuid() != 0) { /* permissions do not bind root */
        cr_assert_eq(mkdir(path_of("ro"), 0555), 0);
        expect(73, "ro/K.npy", "kernel --model m.json --data X.npy --seed 1 --out ro/K.npy");
    } else {
        cr_log_info("running as root: the read-only directory case is not tested\n");
    }
}

/* ------------------------------------------------------- unknown options */

Test(hostile, unknown_options)
{
    expect(64, "--frobnicate", "kernel --model m.json --data X.npy --seed 1 --frobnicate --out K_out.npy");
    expect(64, "--frobnicate", "jacobian --frobnicate");
    expect(64, "--frobnicate", "eig --matrix K.npy --frobnicate");
    expect(64, "--frobnicate", "crosscheck --frobnicate");
    expect(64, "--frobnicate", "export --frobnicate --out b");
    expect(64, "--frobnicate", "validate --frobnicate");
    expect(64, "--frobnicate", "train --frobnicate");
    expect(64, "--frobnicate", "certify point --frobnicate");
    expect(64, "--frobnicate", "demo --frobnicate");
    expect(64, "teleport", "teleport");
    expect(64, "certify", "certify everything");
    expect(64, "--prec", "kernel --model m.json --data X.npy --seed 1 --prec 7 --out K_out.npy");
    expect(64, "--seed", "kernel --model m.json --data X.npy --seed -1 --out K_out.npy");
    expect(64, "--mu", "certify point --model m.json --data X.npy --seed 1 --mu nan");
    expect(64, "--impl", "eig --matrix K.npy --impl quantum");
    expect(64, "--out", "kernel --model m.json --data X.npy --seed 1");
    expect(64, "stray", "eig --matrix K.npy stray");
}

/* ------------------------------------------------- output equal to input */

Test(hostile, output_path_equal_to_an_input)
{
    expect(64, "X.npy", "kernel --model m.json --data X.npy --seed 1 --out X.npy");
    expect(64, "./X.npy", "jacobian --model m.json --data X.npy --seed 1 --out ./X.npy");
    cr_assert_eq(symlink("X.npy", path_of("link.npy")), 0);
    expect(64, "link.npy", "kernel --model m.json --data X.npy --seed 1 --out link.npy");
    expect(64, "K.npy", "eig --matrix K.npy --json K.npy");
    expect(64, "m.json", "certify point --model m.json --data X.npy --seed 1 --json m.json");
    expect(64, "y.npy", "certify point --model m.json --data X.npy --seed 1 --labels y.npy --witness y.npy");
    expect(64, "w.npy", "crosscheck --model m.json --data X.npy --weights w.npy --json w.npy");
    /* the reference kernel's radii file NAME.rad.npy is an output too */
    write_matrix("D.rad.npy", (const double[]){0, 0, 0, 0, 0, 0}, 2, 3);
    expect(64, "D.rad.npy", "kernel --model m.json --data X.npy --weights D.rad.npy --impl reference --out D.npy");
    /* files written into output directories */
    cr_assert_eq(mkdir(path_of("run"), 0755), 0);
    cr_assert_eq(rename(path_of("w.npy"), path_of("run/w_final.npy")), 0);
    expect(64, "run/w_final.npy", "train --model m.json --data X.npy --weights run/w_final.npy --labels y.npy "
                                  "--lr 0.1 --steps 2 --out run");
    cr_assert_eq(mkdir(path_of("bun"), 0755), 0);
    cr_assert_eq(rename(path_of("X.npy"), path_of("bun/X.npy")), 0);
    expect(64, "bun/X.npy", "export --model m.json --data bun/X.npy --seed 1 --out bun");
    cr_assert_eq(rename(path_of("bun/X.npy"), path_of("X.npy")), 0);
    cr_assert_eq(run("export --model m.json --data X.npy --seed 1 --labels y.npy --out bundle"), 0);
    expect(64, "bundle/model.json", "validate --bundle bundle --lambda-min 1 --json bundle/model.json");
}

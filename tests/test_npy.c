/*
 * tests/test_npy.c — core/npy: round trips, hand-built headers of every
 * supported version, '<f4' and '<f2' widening (every half bit pattern), Fortran order, refusal of malformed
 * files (with the file named in the message), atomic writes, pipes, and
 * interoperability with NumPy when /usr/bin/python3 has it.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "core/error.h"
#include "core/npy.h"

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------- fixtures */

static char g_dir[64];

static void setup(void)
{
    strcpy(g_dir, "/tmp/plstar_test_npy_XXXXXX");
    cr_assert_not_null(mkdtemp(g_dir), "mkdtemp failed");
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", g_dir);
}

TestSuite(npy, .init = setup, .fini = teardown, .timeout = 300);

static char *path_in_dir(const char *file)
{
    static char buf[8][256];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 256, "%s/%s", g_dir, file);
    return p;
}

/* ------------------------------------------------------------- helpers */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double random_double(void)
{
    static const double special[] = {0.0, -0.0, DBL_TRUE_MIN, -DBL_TRUE_MIN, DBL_MIN, 0x1p-1030, DBL_MAX, -DBL_MAX,
                                     INFINITY, -INFINITY, 1.0 / 3.0, 1e300, -1e-300};
    uint64_t r = rng();
    if (r % 3 == 0)
        return special[(r >> 8) % (sizeof special / sizeof special[0])];
    if (r % 3 == 1) {
        uint64_t bits = rng(); /* any bit pattern: NaNs and subnormals included */
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    return ((double)(rng() >> 11) / 0x1p53 - 0.5) * 1e6;
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

typedef struct {
    unsigned char *buf;
    size_t len;
} image;

/* A .npy image with header text `dict` exactly as given. */
static image make_image(int major, int minor, const char *dict, const void *data, size_t nbytes)
{
    size_t hl = strlen(dict), pre = major == 1 ? 10 : 12;
    image im = {malloc(pre + hl + nbytes + 1), pre + hl + nbytes};
    memcpy(im.buf, "\x93NUMPY", 6);
    im.buf[6] = (unsigned char)major;
    im.buf[7] = (unsigned char)minor;
    for (size_t i = 8; i < pre; i++)
        im.buf[i] = (unsigned char)(hl >> (8 * (i - 8)));
    memcpy(im.buf + pre, dict, hl);
    if (nbytes)
        memcpy(im.buf + pre + hl, data, nbytes);
    return im;
}

static void write_file(const char *path, const void *buf, size_t len)
{
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp, "cannot create %s", path);
    cr_assert_eq(fwrite(buf, 1, len, fp), len);
    cr_assert_eq(fclose(fp), 0);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    *len = (size_t)ftell(fp);
    rewind(fp);
    unsigned char *b = malloc(*len + 1);
    cr_assert_eq(fread(b, 1, *len, fp), *len);
    fclose(fp);
    return b;
}

/* Reads an image both from memory and from a file; both must agree. */
static int read_both(plstar_array *a, image im, const char *file)
{
    plstar_array m;
    plstar_npy_init(&m);
    int st_mem = plstar_npy_parse(&m, im.buf, im.len, file);
    char *path = path_in_dir(file);
    write_file(path, im.buf, im.len);
    int st = plstar_npy_read(a, path);
    cr_assert_eq(st, st_mem, "%s: plstar_npy_read gave %d, plstar_npy_parse %d (%s)", file, st, st_mem, plstar_errmsg());
    if (st == 0) {
        cr_assert_eq(m.size, a->size);
        cr_assert_eq(m.ndim, a->ndim);
        cr_assert(a->size == 0 || memcmp(m.data, a->data, a->size * sizeof(double)) == 0);
    }
    plstar_npy_clear(&m);
    return st;
}

static int has_numpy(void)
{
    return access("/usr/bin/python3", X_OK) == 0 &&
           system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

/* ------------------------------------------------------------- round trips */

static void check_roundtrip(size_t ndim, const size_t *shape, const char *path)
{
    size_t n = 1;
    for (size_t k = 0; k < ndim; k++)
        n *= shape[k];
    double *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = random_double();
    cr_assert_eq(plstar_npy_write(path, v, ndim, shape), 0, "%s", plstar_errmsg());
    plstar_array a;
    plstar_npy_init(&a);
    cr_assert_eq(plstar_npy_read(&a, path), 0, "%s", plstar_errmsg());
    cr_assert_eq(a.ndim, ndim);
    cr_assert_eq(a.size, n);
    cr_assert_eq(a.source_itemsize, 8);
    for (size_t k = 0; k < ndim; k++)
        cr_assert_eq(a.shape[k], shape[k]);
    for (size_t i = 0; i < n; i++)
        cr_assert(same_bits(a.data[i], v[i]), "element %zu differs", i);
    plstar_npy_clear(&a);
    free(v);
}

/* The layout NumPy writes: data offset a multiple of 64, header ending in
 * '\n', and nothing after the data. */
static void check_layout(const char *path, size_t n)
{
    size_t len;
    unsigned char *b = slurp(path, &len);
    size_t off = 10 + (size_t)(b[8] | b[9] << 8);
    cr_assert_eq(memcmp(b, "\x93NUMPY\x01\x00", 8), 0);
    cr_assert_eq(off % 64, 0, "data offset %zu", off);
    cr_assert_eq(b[off - 1], '\n');
    cr_assert_eq(len, off + 8 * n);
    free(b);
}

Test(npy, roundtrip_random_shapes)
{
    for (int iter = 0; iter < 300; iter++) {
        size_t ndim = rng() % 4, shape[3], n = 1;
        for (size_t k = 0; k < ndim; k++)
            n *= shape[k] = rng() % 7;
        char *path = path_in_dir("rt.npy");
        check_roundtrip(ndim, shape, path);
        check_layout(path, n);
    }
}

Test(npy, roundtrip_max_dims_and_long_axis)
{
    size_t shape8[PLSTAR_NPY_MAXDIM] = {2, 1, 3, 1, 2, 1, 1, 2};
    check_roundtrip(PLSTAR_NPY_MAXDIM, shape8, path_in_dir("d8.npy"));
    size_t big[1] = {300001}; /* larger than one I/O chunk */
    check_roundtrip(1, big, path_in_dir("big.npy"));
}

Test(npy, write_matches_numpy_bytes)
{
    double v[12] = {0};
    const char *path = path_in_dir("m.npy");
    cr_assert_eq(plstar_npy_write_matrix(path, v, 3, 4), 0);
    size_t len;
    unsigned char *b = slurp(path, &len);
    static const char want[] = "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }";
    cr_assert_eq(len, 128 + 96);
    cr_assert_eq(memcmp(b, want, sizeof want - 1), 0);
    for (size_t i = sizeof want - 1; i < 127; i++)
        cr_assert_eq(b[i], ' ');
    cr_assert_eq(b[127], '\n');
    free(b);
}

Test(npy, write_vector_and_scalar)
{
    double v[3] = {1.5, -0.0, DBL_TRUE_MIN};
    plstar_array a;
    plstar_npy_init(&a);
    cr_assert_eq(plstar_npy_write_vector(path_in_dir("v.npy"), v, 3), 0);
    cr_assert_eq(plstar_npy_read(&a, path_in_dir("v.npy")), 0);
    cr_assert(a.ndim == 1 && a.shape[0] == 3 && same_bits(a.data[1], -0.0) && a.data[2] == DBL_TRUE_MIN);
    cr_assert_eq(plstar_npy_write(path_in_dir("s.npy"), v, 0, NULL), 0);
    cr_assert_eq(plstar_npy_read(&a, path_in_dir("s.npy")), 0); /* replaces the previous contents */
    cr_assert(a.ndim == 0 && a.size == 1 && a.data[0] == 1.5);
    plstar_npy_clear(&a);
    cr_assert_null(a.data);
    plstar_npy_clear(&a); /* clearing twice is harmless */
}

/* ------------------------------------------------------------- hand-built headers */

static const double six[6] = {1.0, -2.5, DBL_TRUE_MIN, -0.0, DBL_MAX, 1.0 / 3.0};

static void expect_six(const plstar_array *a, const char *what)
{
    cr_assert_eq(a->ndim, 2, "%s", what);
    cr_assert(a->shape[0] == 2 && a->shape[1] == 3, "%s", what);
    for (int i = 0; i < 6; i++)
        cr_assert(same_bits(a->data[i], six[i]), "%s: element %d", what, i);
}

Test(npy, versions_1_2_3)
{
    const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }        \n";
    for (int major = 1; major <= 3; major++) {
        image im = make_image(major, 0, dict, six, sizeof six);
        plstar_array a;
        plstar_npy_init(&a);
        cr_assert_eq(read_both(&a, im, "ver.npy"), 0, "v%d: %s", major, plstar_errmsg());
        expect_six(&a, "version");
        plstar_npy_clear(&a);
        free(im.buf);
    }
}

Test(npy, header_spacing_variants)
{
    static const char *dicts[] = {
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
        "{'descr':'<f8','fortran_order':False,'shape':(2,3)}",
        "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 3)}\n",
        "{'shape': (2, 3,), 'descr': '<f8', 'fortran_order': False}",
        "{'fortran_order': False, 'shape': (2,3), 'descr': \"<f8\",}   \n",
        "  {\t'descr' :\t'<f8' ,\n 'fortran_order' : False ,\r\n 'shape' : ( 2 , 3 ) , }\n\n",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }\n",
    };
    for (size_t i = 0; i < sizeof dicts / sizeof dicts[0]; i++) {
        image im = make_image(1, 0, dicts[i], six, sizeof six);
        plstar_array a;
        plstar_npy_init(&a);
        cr_assert_eq(read_both(&a, im, "sp.npy"), 0, "variant %zu: %s", i, plstar_errmsg());
        expect_six(&a, dicts[i]);
        plstar_npy_clear(&a);
        free(im.buf);
    }
}

Test(npy, shapes_zero_and_scalar)
{
    struct {
        const char *shape;
        size_t ndim, size, nbytes;
    } cases[] = {{"()", 0, 1, 8}, {"(0,)", 1, 0, 0}, {"(2, 0)", 2, 0, 0}, {"(0, 5, 7)", 3, 0, 0}, {"(6,)", 1, 6, 48}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dict[128];
        snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': True, 'shape': %s}\n", cases[i].shape);
        image im = make_image(1, 0, dict, six, cases[i].nbytes);
        plstar_array a;
        plstar_npy_init(&a);
        cr_assert_eq(read_both(&a, im, "z.npy"), 0, "%s: %s", cases[i].shape, plstar_errmsg());
        cr_assert_eq(a.ndim, cases[i].ndim, "%s", cases[i].shape);
        cr_assert_eq(a.size, cases[i].size, "%s", cases[i].shape);
        cr_assert_not_null(a.data);
        if (a.size)
            cr_assert(same_bits(a.data[a.size - 1], six[a.size - 1]));
        plstar_npy_clear(&a);
        free(im.buf);
    }
}

Test(npy, float32_widened_exactly)
{
    const float f[6] = {1.0f, -0.0f, FLT_TRUE_MIN, FLT_MAX, 1.0f / 3.0f, -FLT_MIN};
    image im = make_image(1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }\n", f, sizeof f);
    plstar_array a;
    plstar_npy_init(&a);
    cr_assert_eq(read_both(&a, im, "f4.npy"), 0, "%s", plstar_errmsg());
    cr_assert_eq(a.source_itemsize, 4);
    for (int i = 0; i < 6; i++)
        cr_assert(same_bits(a.data[i], (double)f[i]), "element %d", i);
    cr_assert_eq(a.data[2], 0x1p-149);
    plstar_npy_clear(&a);
    free(im.buf);
}

/* Element (i, j, k) of a (2, 3, 4) array holds 100i + 10j + k. */
static void fortran_image(double *d8, float *f4)
{
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++) {
                int at = i + 2 * j + 6 * k; /* first index fastest */
                d8[at] = 100 * i + 10 * j + k;
                f4[at] = (float)(100 * i + 10 * j + k);
            }
}

static void expect_c_order_234(const plstar_array *a)
{
    cr_assert_eq(a->ndim, 3);
    cr_assert(a->shape[0] == 2 && a->shape[1] == 3 && a->shape[2] == 4);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++)
                cr_assert_eq(a->data[12 * i + 4 * j + k], 100 * i + 10 * j + k, "(%d,%d,%d)", i, j, k);
}

/* IEEE 754 binary16 from its definition: (−1)^s · 2^(e − 15) · (1 + m/2^10) for 0 < e < 31,
 * (−1)^s · 2^−14 · m/2^10 for e = 0, ±inf or NaN for e = 31. */
static double half_by_definition(unsigned h)
{
    unsigned s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    double sign = s ? -1.0 : 1.0;
    if (e == 31)
        return m ? NAN : sign * INFINITY;
    if (e == 0)
        return sign * pow(2.0, -14) * (m / 1024.0);
    return sign * pow(2.0, (double)e - 15) * (1.0 + m / 1024.0);
}

Test(npy, half_every_bit_pattern)
{
    size_t nans = 0;
    for (unsigned h = 0; h < 65536; h++) {
        double got = plstar_npy_half_to_double((uint16_t)h), want = half_by_definition(h);
        if (isnan(want)) {
            cr_assert(isnan(got), "0x%04x: %a, not NaN", h, got);
            nans++;
            continue;
        }
        cr_assert(same_bits(got, want), "0x%04x: %a, expected %a", h, got, want);
    }
    cr_assert_eq(nans, 2 * 1023);
    cr_assert_eq(plstar_npy_half_to_double(0x7bff), 65504.0);
    cr_assert_eq(plstar_npy_half_to_double(0x0001), 0x1p-24);
    cr_assert_eq(plstar_npy_half_to_double(0x03ff), 0x3ffp-24);
    cr_assert_eq(plstar_npy_half_to_double(0x0400), 0x1p-14);
    cr_assert_eq(plstar_npy_half_to_double(0x3555), 0x555p-12);
    cr_assert(same_bits(plstar_npy_half_to_double(0x8000), -0.0));
    cr_assert_eq(plstar_npy_half_to_double(0xfc00), -INFINITY);
}

/* A (2, 3, 2, 2) '<f2' file, C and Fortran order: widened exactly, in C order. */
Test(npy, half_file_four_dimensions)
{
    uint16_t c[24], f[24];
    for (int k = 0; k < 24; k++) {
        int i = k / 12, j = k / 4 % 3, a = k / 2 % 2, b = k % 2;
        uint16_t h = (uint16_t)(k == 23 ? 0x0001 : 0x3c00 + 64 * k); /* 1 + k/16 up to 2, ..., the smallest subnormal */
        c[k] = h;
        f[i + 2 * j + 6 * a + 12 * b] = h; /* first index fastest */
    }
    image ic = make_image(1, 0, "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3, 2, 2), }\n", c, sizeof c);
    image iF = make_image(3, 0, "{'descr': '<f2', 'fortran_order': True, 'shape': (2, 3, 2, 2), }\n", f, sizeof f);
    plstar_array a;
    plstar_npy_init(&a);
    for (int order = 0; order < 2; order++) {
        cr_assert_eq(read_both(&a, order ? iF : ic, "f2.npy"), 0, "%s", plstar_errmsg());
        cr_assert_eq(a.source_itemsize, 2);
        cr_assert_eq(a.ndim, 4);
        cr_assert(a.shape[0] == 2 && a.shape[1] == 3 && a.shape[2] == 2 && a.shape[3] == 2);
        for (int k = 0; k < 24; k++)
            cr_assert(same_bits(a.data[k], half_by_definition(c[k])), "order %d, element %d", order, k);
        cr_assert(a.data[15] == 1.0 + 15 / 16.0 && a.data[16] == 2.0 && a.data[23] == 0x1p-24);
    }
    plstar_npy_clear(&a);
    free(ic.buf), free(iF.buf);
}

Test(npy, fortran_order_transposed)
{
    double d8[24];
    float f4[24];
    fortran_image(d8, f4);
    image a8 = make_image(1, 0, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }\n", d8, sizeof d8);
    image a4 = make_image(2, 0, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 4), }\n", f4, sizeof f4);
    plstar_array a;
    plstar_npy_init(&a);
    cr_assert_eq(read_both(&a, a8, "f8F.npy"), 0, "%s", plstar_errmsg());
    expect_c_order_234(&a);
    cr_assert_eq(read_both(&a, a4, "f4F.npy"), 0, "%s", plstar_errmsg());
    expect_c_order_234(&a);
    cr_assert_eq(a.source_itemsize, 4);
    plstar_npy_clear(&a);
    free(a8.buf);
    free(a4.buf);
}

Test(npy, fortran_order_2d_random)
{
    for (int iter = 0; iter < 50; iter++) {
        size_t r = 1 + rng() % 9, c = 1 + rng() % 9;
        double *f = malloc(r * c * sizeof *f);
        for (size_t i = 0; i < r * c; i++)
            f[i] = random_double();
        char dict[128];
        snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': True, 'shape': (%zu, %zu), }\n", r, c);
        image im = make_image(1, 0, dict, f, r * c * sizeof *f);
        plstar_array a;
        plstar_npy_init(&a);
        cr_assert_eq(plstar_npy_parse(&a, im.buf, im.len, "F.npy"), 0, "%s", plstar_errmsg());
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < c; j++)
                cr_assert(same_bits(a.data[i * c + j], f[i + j * r]));
        plstar_npy_clear(&a);
        free(im.buf);
        free(f);
    }
}

/* ------------------------------------------------------------- refusals */

static void expect_refused(image im, const char *file, int code, const char *needle)
{
    plstar_array a;
    plstar_npy_init(&a);
    double sentinel = 42.0;
    a.data = malloc(sizeof(double));
    a.data[0] = sentinel;
    a.size = a.ndim = 1;
    a.shape[0] = 1;
    int st = plstar_npy_parse(&a, im.buf, im.len, file);
    cr_expect_eq(st, code, "%s: plstar_npy_parse gave %d (%s)", file, st, plstar_errmsg());
    cr_expect_not_null(strstr(plstar_errmsg(), file), "%s: message lacks the name: %s", file, plstar_errmsg());
    if (needle)
        cr_expect_not_null(strstr(plstar_errmsg(), needle), "%s: message lacks '%s': %s", file, needle,
                           plstar_errmsg());
    cr_expect(strchr(plstar_errmsg(), '\n') == NULL);
    char *path = path_in_dir(file);
    write_file(path, im.buf, im.len);
    plstar_error_clear();
    st = plstar_npy_read(&a, path);
    cr_expect_eq(st, code, "%s: plstar_npy_read gave %d (%s)", file, st, plstar_errmsg());
    cr_expect_not_null(strstr(plstar_errmsg(), path), "%s: message lacks the path: %s", file, plstar_errmsg());
    if (needle)
        cr_expect_not_null(strstr(plstar_errmsg(), needle), "%s: message lacks '%s': %s", file, needle,
                           plstar_errmsg());
    cr_expect(a.size == 1 && a.data[0] == sentinel, "%s: array changed by a failed read", file);
    plstar_npy_clear(&a);
}

typedef struct {
    const char *file;
    int major, minor;
    const char *dict;
    long data; /* bytes of data after the header */
    const char *needle;
} bad_case;

#define F8(shape) "{'descr': '<f8', 'fortran_order': False, 'shape': " shape ", }\n"
#define DT(descr) "{'descr': " descr ", 'fortran_order': False, 'shape': (2, 3), }\n"

static const bad_case bad_cases[] = {
    {"ver4.npy", 4, 0, F8("(2, 3)"), 48, "version 4.0"},
    {"ver11.npy", 1, 1, F8("(2, 3)"), 48, "version 1.1"},
    {"ver0.npy", 0, 0, F8("(2, 3)"), 48, "version"},
    {"trunc.npy", 1, 0, F8("(2, 3)"), 47, "truncated"},
    {"trunc0.npy", 3, 0, F8("(2, 3)"), 0, "truncated"},
    {"trail.npy", 1, 0, F8("(2, 3)"), 49, "trailing"},
    {"big_endian.npy", 1, 0, DT("'>f8'"), 48, "unsupported dtype '>f8' (big-endian); plstar reads '<f8', '<f4' and '<f2'"},
    {"big_endian2.npy", 1, 0, DT("'>f2'"), 12, "big-endian"},
    {"big_endian4.npy", 1, 0, DT("'>f4'"), 24, "big-endian"},
    {"complex.npy", 1, 0, DT("'<c16'"), 96, "complex"},
    {"object.npy", 1, 0, DT("'|O'"), 48, "object"},
    {"int64.npy", 1, 0, DT("'<i8'"), 48, "integer"},
    {"uint8.npy", 1, 0, DT("'|u1'"), 6, "integer"},
    {"bool.npy", 1, 0, DT("'|b1'"), 6, "boolean"},
    {"half_short.npy", 1, 0, DT("'<f2'"), 11, "truncated"},
    {"longdouble.npy", 1, 0, DT("'<f16'"), 96, "'<f16'"},
    {"native.npy", 1, 0, DT("'=f8'"), 48, "'=f8'"},
    {"pipe_order.npy", 1, 0, DT("'|f8'"), 48, "'|f8'"},
    {"no_order.npy", 1, 0, DT("'f8'"), 48, "'f8'"},
    {"unicode.npy", 1, 0, DT("'<U3'"), 72, "string"},
    {"empty_descr.npy", 1, 0, DT("''"), 48, "dtype"},
    {"structured.npy", 1, 0, DT("[('a', '<f8')]"), 48, "structured"},
    {"subarray.npy", 1, 0, DT("('<f8', (2,))"), 48, "structured"},
    {"descr_int.npy", 1, 0, DT("8"), 48, "string"},
    {"escape.npy", 1, 0, DT("'<\\x66\\x38'"), 48, "header"},
    {"overflow.npy", 1, 0, F8("(4294967296, 4294967296)"), 0, "(4294967296, 4294967296)"},
    {"overflow_bytes.npy", 1, 0, F8("(2305843009213693952,)"), 0, "more elements than fit"},
    {"overflow_zero.npy", 1, 0, F8("(0, 4294967296, 4294967296)"), 0, "more elements"},
    {"overflow_digits.npy", 1, 0, F8("(99999999999999999999999,)"), 0, "too large"},
    {"claims_1e15.npy", 1, 0, F8("(1000000000000000,)"), 16, "8000000000000000 bytes, but only 16 bytes"},
    {"nine_dims.npy", 1, 0, F8("(1, 1, 1, 1, 1, 1, 1, 1, 1)"), 8, "9 dimensions"},
    {"no_shape.npy", 1, 0, "{'descr': '<f8', 'fortran_order': False}\n", 8, "lacks 'shape'"},
    {"no_descr.npy", 1, 0, "{'fortran_order': False, 'shape': (1,)}\n", 8, "lacks 'descr'"},
    {"no_fortran.npy", 1, 0, "{'descr': '<f8', 'shape': (1,)}\n", 8, "lacks 'fortran_order'"},
    {"extra_key.npy", 1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}\n", 8, "'x'"},
    {"dup_key.npy", 1, 0, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}\n", 8,
     "repeated"},
    {"fortran_int.npy", 1, 0, "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}\n", 8, "True or False"},
    {"fortran_true_lc.npy", 1, 0, "{'descr': '<f8', 'fortran_order': true, 'shape': (1,)}\n", 8, "True or False"},
    {"fortran_Truex.npy", 1, 0, "{'descr': '<f8', 'fortran_order': Truex, 'shape': (1,)}\n", 8, "True or False"},
    {"shape_list.npy", 1, 0, F8("[2, 3]"), 48, "not a tuple"},
    {"shape_int.npy", 1, 0, F8("(6)"), 48, "trailing comma"},
    {"shape_neg.npy", 1, 0, F8("(-1,)"), 8, "non-negative"},
    {"shape_float.npy", 1, 0, F8("(2.0,)"), 16, "','"},
    {"shape_hex.npy", 1, 0, F8("(0x2,)"), 16, "non-negative"},
    {"shape_empty_comma.npy", 1, 0, F8("(,)"), 8, "non-negative"},
    {"shape_double_comma.npy", 1, 0, F8("(2,,)"), 16, "non-negative"},
    {"shape_unclosed.npy", 1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3", 48, "header"},
    {"long_suffix_v3.npy", 3, 0, F8("(2L, 3L)"), 48, "non-negative"},
    {"unbalanced.npy", 1, 0, "{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}\n", 8, "dtype '<f8, '"},
    {"unterminated.npy", 1, 0, "{'descr': '<f8}", 8, "unterminated string"},
    {"no_brace.npy", 1, 0, "'descr': '<f8', 'fortran_order': False, 'shape': (1,)\n", 8, "expected '{'"},
    {"no_close.npy", 1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)\n", 8, "header"},
    {"after_dict.npy", 1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x\n", 8, "after the dict"},
    {"two_dicts.npy", 1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}{}\n", 8, "after the dict"},
    {"no_colon.npy", 1, 0, "{'descr' '<f8', 'fortran_order': False, 'shape': (1,)}\n", 8, "':'"},
    {"no_comma.npy", 1, 0, "{'descr': '<f8' 'fortran_order': False, 'shape': (1,)}\n", 8, "','"},
    {"empty_header.npy", 1, 0, "", 8, "'{'"},
    {"empty_dict.npy", 1, 0, "{}\n", 8, "lacks"},
    {"newline_in_str.npy", 1, 0, DT("'<f\n8'"), 48, "header"},
    {"long_string.npy", 1, 0,
     DT("'<f8xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'"), 48,
     "too long"},
};

Test(npy, refuses_malformed_headers)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        unsigned char *zeros = calloc(128, 1);
        image im = make_image(c->major, c->minor, c->dict, zeros, (size_t)c->data);
        expect_refused(im, c->file, 65, c->needle);
        free(im.buf);
        free(zeros);
    }
}

Test(npy, refuses_nul_and_nonascii_in_header)
{
    static const char tail_nul[] = "\x93NUMPY\x01\x00\x39\x00"
                                   "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}\0\n"
                                   "\0\0\0\0\0\0\0\0";
    image im = {(unsigned char *)tail_nul, sizeof tail_nul - 1};
    expect_refused(im, "nul.npy", 65, "after the dict");
    static const char mid_nul[] = "\x93NUMPY\x01\x00\x39\x00"
                                  "{'descr': '<f\08', 'fortran_order': False, 'shape': (1,)}\n"
                                  "\0\0\0\0\0\0\0\0";
    im.buf = (unsigned char *)mid_nul;
    im.len = sizeof mid_nul - 1;
    expect_refused(im, "nul2.npy", 65, "unsupported character in string");
    const char *u8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), '\xc3\xa9': 1}\n";
    image v3 = make_image(3, 0, u8, six, 8);
    expect_refused(v3, "utf8key.npy", 65, "unexpected key '?" "?'");
    free(v3.buf);
}

Test(npy, refuses_bad_preamble)
{
    image im = {(unsigned char *)"\x93NUMPX\x01\x00\x10\x00", 10};
    expect_refused(im, "magic.npy", 65, "bad magic");
    im.buf = (unsigned char *)"PK\x03\x04";
    im.len = 4;
    expect_refused(im, "zip.npy", 65, "bad magic");
    im.len = 0;
    expect_refused(im, "empty.npy", 65, "too short");
    im.buf = (unsigned char *)"\x93NUMPY\x01";
    im.len = 7;
    expect_refused(im, "short7.npy", 65, "too short");
    im.buf = (unsigned char *)"\x93NUMPY\x02\x00\x05\x00";
    im.len = 10;
    expect_refused(im, "short_v2.npy", 65, "too short");
    im.buf = (unsigned char *)"\x93NUMPY\x01\x00\x00\x01{}";
    im.len = 12;
    expect_refused(im, "hlen_past_end.npy", 65, "header length 256 runs past the end of the file (12 bytes)");
    im.buf = (unsigned char *)"\x93NUMPY\x02\x00\x01\x00\x10\x00{}";
    im.len = 14;
    expect_refused(im, "hlen_1mib.npy", 65, "header length 1048577 exceeds the 1 MiB limit");
    im.buf = (unsigned char *)"\x93NUMPY\x03\x00\xff\xff\xff\xff";
    im.len = 12;
    expect_refused(im, "hlen_4g.npy", 65, "exceeds the 1 MiB limit");
}

Test(npy, parse_null_buffer)
{
    plstar_array a;
    plstar_npy_init(&a);
    cr_assert_eq(plstar_npy_parse(&a, NULL, 0, "nothing.npy"), 65);
    cr_assert_not_null(strstr(plstar_errmsg(), "nothing.npy"));
    cr_assert_eq(plstar_npy_parse(&a, NULL, 0, NULL), 65);
    cr_assert_neq(plstar_npy_parse(NULL, (const unsigned char *)"x", 1, "x"), 0);
}

Test(npy, missing_file_and_directory)
{
    plstar_array a;
    plstar_npy_init(&a);
    const char *missing = path_in_dir("does_not_exist.npy");
    cr_assert_eq(plstar_npy_read(&a, missing), 66);
    cr_assert_not_null(strstr(plstar_errmsg(), missing), "%s", plstar_errmsg());
    cr_assert_not_null(strstr(plstar_errmsg(), "No such file"), "%s", plstar_errmsg());
    cr_assert_eq(plstar_npy_read(&a, g_dir), 66);
    cr_assert_not_null(strstr(plstar_errmsg(), g_dir), "%s", plstar_errmsg());
    cr_assert_not_null(strstr(plstar_errmsg(), "directory"), "%s", plstar_errmsg());
    cr_assert_null(a.data);
}

/* Seeded mutations of valid images: every result is success or EDATA, and a
 * success describes a consistent array (ASan watches the rest). */
Test(npy, mutated_images_never_crash)
{
    double d8[24];
    float f4[24];
    fortran_image(d8, f4);
    image base[2] = {
        make_image(1, 0, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }\n", d8, sizeof d8),
        make_image(2, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (24,), }\n", f4, sizeof f4)};
    unsigned char buf[512];
    for (int iter = 0; iter < 20000; iter++) {
        image b = base[iter % 2];
        size_t len = b.len;
        memcpy(buf, b.buf, len);
        for (int m = 0, nm = 1 + (int)(rng() % 4); m < nm; m++) {
            uint64_t r = rng();
            if (r % 5 == 0)
                len = (size_t)(r >> 8) % (len + 1);
            else if (len)
                buf[(r >> 8) % len] = (unsigned char)(r >> 32);
        }
        plstar_array a;
        plstar_npy_init(&a);
        int st = plstar_npy_parse(&a, buf, len, "mut.npy");
        cr_assert(st == 0 || st == 65, "status %d", st);
        if (st == 0) {
            size_t n = 1;
            for (size_t k = 0; k < a.ndim; k++)
                n *= a.shape[k];
            cr_assert_eq(n, a.size);
            cr_assert_leq(a.size * (size_t)a.source_itemsize, len);
        }
        plstar_npy_clear(&a);
    }
    free(base[0].buf);
    free(base[1].buf);
}

/* ------------------------------------------------------------- writing */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

Test(npy, write_to_missing_directory)
{
    double v[2] = {1, 2};
    const char *path = path_in_dir("no/such/dir/out.npy");
    cr_assert_eq(plstar_npy_write_vector(path, v, 2), 73, "%s", plstar_errmsg());
    cr_assert_not_null(strstr(plstar_errmsg(), path), "%s", plstar_errmsg());
    cr_assert_neq(access(path, F_OK), 0);
    cr_assert_eq(count_entries(g_dir), 0, "something was left behind");
}

Test(npy, write_is_atomic_and_replaces)
{
    double v[3] = {1, 2, 3}, w[1] = {-7};
    const char *path = path_in_dir("out.npy");
    cr_assert_eq(plstar_npy_write_vector(path, v, 3), 0);
    cr_assert_eq(plstar_npy_write_vector(path, w, 1), 0);
    cr_assert_eq(count_entries(g_dir), 1, "a temporary file was left behind");
    plstar_array a;
    plstar_npy_init(&a);
    cr_assert_eq(plstar_npy_read(&a, path), 0);
    cr_assert(a.size == 1 && a.data[0] == -7);
    plstar_npy_clear(&a);
}

Test(npy, write_refuses_bad_arguments)
{
    size_t shape[PLSTAR_NPY_MAXDIM + 1] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    double v[1] = {0};
    const char *path = path_in_dir("bad.npy");
    cr_assert_neq(plstar_npy_write(path, v, PLSTAR_NPY_MAXDIM + 1, shape), 0);
    cr_assert_neq(plstar_npy_write(path, NULL, 1, shape), 0);
    cr_assert_neq(plstar_npy_write(NULL, v, 1, shape), 0);
    size_t huge[2] = {SIZE_MAX / 2, 3};
    cr_assert_neq(plstar_npy_write(path, v, 2, huge), 0);
    cr_assert_eq(count_entries(g_dir), 0);
    size_t empty[2] = {0, 5};
    cr_assert_eq(plstar_npy_write(path, NULL, 2, empty), 0, "%s", plstar_errmsg());
}

/* ------------------------------------------------------------- pipes */

/* Feeds `im` through a FIFO from a child process and reads it. */
static int read_through_fifo(plstar_array *a, image im)
{
    const char *fifo = path_in_dir("fifo.npy");
    unlink(fifo);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        FILE *fp = fopen(fifo, "wb");
        size_t w = fp ? fwrite(im.buf, 1, im.len, fp) : 0;
        _exit(fp && fclose(fp) == 0 && w == im.len ? 0 : 1);
    }
    int st = plstar_npy_read(a, fifo);
    waitpid(pid, NULL, 0);
    return st;
}

Test(npy, reads_from_fifo)
{
    size_t n = 300000; /* several growth steps of the stream buffer */
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = random_double();
    image im = make_image(1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (300000,), }\n", v, n * 8);
    plstar_array a;
    plstar_npy_init(&a);
    cr_assert_eq(read_through_fifo(&a, im), 0, "%s", plstar_errmsg());
    cr_assert_eq(a.size, n);
    cr_assert_eq(memcmp(a.data, v, n * 8), 0);
    im.len -= 1;
    cr_assert_eq(read_through_fifo(&a, im), 65);
    cr_assert_not_null(strstr(plstar_errmsg(), "truncated"), "%s", plstar_errmsg());
    cr_assert_not_null(strstr(plstar_errmsg(), "fifo.npy"), "%s", plstar_errmsg());
    im.len += 2;
    cr_assert_eq(read_through_fifo(&a, im), 65);
    cr_assert_not_null(strstr(plstar_errmsg(), "trailing"), "%s", plstar_errmsg());
    free(im.buf);
    image lie = make_image(1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000000,), }\n", v, 8);
    cr_assert_eq(read_through_fifo(&a, lie), 65);
    cr_assert_not_null(strstr(plstar_errmsg(), "only 8 bytes follow"), "%s", plstar_errmsg());
    free(lie.buf);
    plstar_npy_clear(&a);
    free(v);
}

/* ------------------------------------------------------------- NumPy interop */

static const char numpy_writer[] =
    "import sys, numpy as np\n"
    "from numpy.lib import format as fmt\n"
    "d = sys.argv[1]\n"
    "a = np.fromfunction(lambda i, j, k: 100*i + 10*j + k, (2, 3, 4))\n"
    "np.save(d + '/c8.npy', a)\n"
    "np.save(d + '/c4.npy', a.astype('<f4'))\n"
    "np.save(d + '/F8.npy', np.asfortranarray(a))\n"
    "np.save(d + '/F4.npy', np.asfortranarray(a.astype('<f4')))\n"
    "np.save(d + '/c2.npy', a.astype('<f2'))\n"
    "np.save(d + '/h.npy', np.array([2.0**-24, -65504, np.inf, 1/3], dtype='<f2'))\n"
    "np.save(d + '/s.npy', np.array(5e-324))\n"
    "np.save(d + '/e.npy', np.zeros((0, 3)))\n"
    "np.save(d + '/sp.npy', np.array([5e-324, -0.0, 1.7976931348623157e308, -np.inf, 1/3]))\n"
    "for v in (2, 3):\n"
    "    with open(d + '/v%d.npy' % v, 'wb') as f:\n"
    "        fmt.write_array(f, a, version=(v, 0))\n";

static void expect_file_234(const char *file, int itemsize)
{
    plstar_array a;
    plstar_npy_init(&a);
    cr_assert_eq(plstar_npy_read(&a, path_in_dir(file)), 0, "%s", plstar_errmsg());
    expect_c_order_234(&a);
    cr_assert_eq(a.source_itemsize, itemsize, "%s", file);
    plstar_npy_clear(&a);
}

static void numpy_files_read_back(void)
{
    char cmd[512];
    write_file(path_in_dir("w.py"), numpy_writer, strlen(numpy_writer));
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s'", path_in_dir("w.py"), g_dir);
    cr_assert_eq(system(cmd), 0, "numpy failed to write the test arrays");
    const char *f8[] = {"c8.npy", "F8.npy", "v2.npy", "v3.npy"}, *f4[] = {"c4.npy", "F4.npy"};
    for (int i = 0; i < 4; i++)
        expect_file_234(f8[i], 8);
    for (int i = 0; i < 2; i++)
        expect_file_234(f4[i], 4);
    expect_file_234("c2.npy", 2);
    plstar_array a;
    plstar_npy_init(&a);
    cr_assert_eq(plstar_npy_read(&a, path_in_dir("s.npy")), 0, "%s", plstar_errmsg());
    cr_assert(a.ndim == 0 && a.size == 1 && a.data[0] == DBL_TRUE_MIN);
    cr_assert_eq(plstar_npy_read(&a, path_in_dir("e.npy")), 0, "%s", plstar_errmsg());
    cr_assert(a.ndim == 2 && a.size == 0 && a.shape[1] == 3);
    cr_assert_eq(plstar_npy_read(&a, path_in_dir("sp.npy")), 0, "%s", plstar_errmsg());
    const double sp[5] = {DBL_TRUE_MIN, -0.0, DBL_MAX, -INFINITY, 1.0 / 3.0};
    for (int i = 0; i < 5; i++)
        cr_assert(same_bits(a.data[i], sp[i]), "special %d", i);
    cr_assert_eq(plstar_npy_read(&a, path_in_dir("h.npy")), 0, "%s", plstar_errmsg());
    const double hp[4] = {0x1p-24, -65504.0, INFINITY, 0x555p-12}; /* 1/3 rounded to half */
    for (int i = 0; i < 4; i++)
        cr_assert(same_bits(a.data[i], hp[i]), "half %d: %a", i, a.data[i]);
    plstar_npy_clear(&a);
}

/* NumPy loads what plstar_npy_write wrote, bit for bit, and (for NumPy versions that
 * pad headers for in-place growth) writes the very same bytes. */
static const char numpy_reader[] =
    "import sys, io, numpy as np\n"
    "from numpy.lib import format as fmt\n"
    "p = sys.argv[1]\n"
    "a = np.load(p)\n"
    "assert a.dtype == np.dtype('<f8') and a.shape == (3, 5) and a.flags.c_contiguous, (a.dtype, a.shape)\n"
    "i = np.arange(15, dtype=np.float64)\n"
    "want = (i * 7) % 13 - 6 + i / 1024\n"
    "want[:4] = [5e-324, -0.0, 1.7976931348623157e308, 2.2250738585072014e-308]\n"
    "assert (a.reshape(-1).view(np.uint64) == want.view(np.uint64)).all(), a\n"
    "b = io.BytesIO(); np.save(b, want.reshape(3, 5))\n"
    "if hasattr(fmt, 'GROWTH_AXIS_MAX_DIGITS'):\n"
    "    assert b.getvalue() == open(p, 'rb').read(), 'bytes differ from numpy.save'\n"
    "s = np.load(sys.argv[2])\n"
    "assert s.shape == () and s == 2.5\n";

static void plstar_file_loaded_by_numpy(void)
{
    double v[15];
    for (int i = 0; i < 15; i++)
        v[i] = (i * 7) % 13 - 6 + i / 1024.0;
    v[0] = DBL_TRUE_MIN, v[1] = -0.0, v[2] = DBL_MAX, v[3] = DBL_MIN;
    double s = 2.5;
    cr_assert_eq(plstar_npy_write_matrix(path_in_dir("ours.npy"), v, 3, 5), 0);
    cr_assert_eq(plstar_npy_write(path_in_dir("scalar.npy"), &s, 0, NULL), 0);
    write_file(path_in_dir("r.py"), numpy_reader, strlen(numpy_reader));
    char cmd[768];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' '%s'", path_in_dir("r.py"), path_in_dir("ours.npy"),
             path_in_dir("scalar.npy"));
    cr_assert_eq(system(cmd), 0, "numpy rejected or misread a file written by plstar_npy_write");
}

Test(npy, numpy_interop)
{
    if (!has_numpy()) {
        cr_log_warn("numpy interop not tested: /usr/bin/python3 with numpy is not available");
        return;
    }
    numpy_files_read_back();
    plstar_file_loaded_by_numpy();
}

/*
 * core/npy.c — NumPy .npy reader and writer.
 *
 * Format: numpy/lib/format.py (NEP 1). A file is the magic "\x93NUMPY", a
 * version byte pair, a little-endian header length (2 bytes in 1.0, 4 bytes in
 * 2.0 and 3.0), a Python dict literal {'descr', 'fortran_order', 'shape'}
 * (latin-1 in 1.0/2.0, UTF-8 in 3.0) and the raw array data.
 *
 * The header is untrusted: every length and product is checked for overflow,
 * and the data size the header claims is compared with the bytes actually
 * present before anything of that size is allocated.
 */
#include "core/npy.h"
#include "core/error.h"
#include "core/outfile.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_READS "'<f8', '<f4' and '<f2'"
#define NPY_MAGIC_LEN 6
#define NPY_MAX_HEADER ((size_t)1 << 20)
#define NPY_ALIGN 64
/* numpy leaves room after the dict so the first axis can grow to this many
 * digits with the header rewritten in place; copied so output is identical */
#define NPY_GROWTH_DIGITS 21
#define NPY_STR_MAX 64
/* first allocation when reading a stream of unknown length */
#define NPY_STREAM_CHUNK ((size_t)1 << 20)

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NPY_HOST_LE 1
#else
#define NPY_HOST_LE 0
#endif

typedef struct {
    size_t prelen; /* magic + version + length field: 10 or 12 */
    size_t hlen;   /* header text length, padding included */
    int major;
    int itemsize;
    const char *descr;
    int fortran;
    size_t ndim;
    size_t shape[PLSTAR_NPY_MAXDIM];
    size_t size;
    size_t nbytes;
} npy_header;

void plstar_npy_init(plstar_array *a)
{
    memset(a, 0, sizeof *a);
}

void plstar_npy_clear(plstar_array *a)
{
    if (!a)
        return;
    free(a->data);
    plstar_npy_init(a);
}

/* ---------------------------------------------------------------- messages */

/* Header bytes are untrusted: quote them printable so the message stays one
 * readable line. */
static const char *printable(char *out, size_t cap, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        out[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[k] = '\0';
    return out;
}

static const char *shape_str(char *out, size_t cap, size_t ndim, const size_t *shape)
{
    size_t k = (size_t)snprintf(out, cap, "(");
    for (size_t i = 0; i < ndim && k < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, i ? ", %zu" : "%zu", shape[i]);
    if (k < cap)
        snprintf(out + k, cap - k, ndim == 1 ? ",)" : ")");
    return out;
}

/* ---------------------------------------------------------------- preamble */

/* Magic and version; `n` is how many bytes of the file are at hand. */
static int preamble_version(npy_header *h, const unsigned char *b, size_t n, const char *name)
{
    size_t m = n < NPY_MAGIC_LEN ? n : NPY_MAGIC_LEN;
    if (memcmp(b, NPY_MAGIC, m) != 0)
        return plstar_error(PLSTAR_EDATA, "%s: not a .npy file (bad magic string)", name);
    if (n < 8)
        return plstar_error(PLSTAR_EDATA, "%s: file too short (%zu bytes) to be a .npy file", name, n);
    int major = b[6], minor = b[7];
    if (minor != 0 || major < 1 || major > 3)
        return plstar_error(PLSTAR_EDATA,
                            "%s: unsupported .npy format version %d.%d; plstar reads 1.0, 2.0 and 3.0",
                            name, major, minor);
    h->major = major;
    h->prelen = major == 1 ? 10 : 12;
    return PLSTAR_OK;
}

static int preamble_hlen(npy_header *h, const unsigned char *b, size_t n, const char *name)
{
    if (n < h->prelen)
        return plstar_error(PLSTAR_EDATA, "%s: file too short (%zu bytes) to hold a .npy header", name, n);
    size_t len = (size_t)b[8] | (size_t)b[9] << 8;
    if (h->prelen == 12)
        len |= (size_t)b[10] << 16 | (size_t)b[11] << 24;
    if (len > NPY_MAX_HEADER)
        return plstar_error(PLSTAR_EDATA, "%s: header length %zu exceeds the 1 MiB limit", name, len);
    h->hlen = len;
    return PLSTAR_OK;
}

static int check_header_fits(const npy_header *h, size_t total, const char *name)
{
    if (total < h->prelen || h->hlen > total - h->prelen)
        return plstar_error(PLSTAR_EDATA, "%s: header length %zu runs past the end of the file (%zu bytes)",
                            name, h->hlen, total);
    return PLSTAR_OK;
}

/* ---------------------------------------------------------- header parsing */

typedef struct {
    const char *start, *p, *end;
    const char *name;
    int major;
} cursor;

static int bad_header(const cursor *c, const char *what)
{
    return plstar_error(PLSTAR_EDATA, "%s: malformed .npy header: %s at header byte %td", c->name, what,
                        c->p - c->start);
}

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r' || *c->p == '\f'))
        c->p++;
}

static int at(const cursor *c, char ch)
{
    return c->p < c->end && *c->p == ch;
}

/* Python string literal without escapes (numpy never writes any); control
 * characters are refused so that a value can be used as a C string. */
static int parse_string(cursor *c, char *out, size_t cap)
{
    if (!at(c, '\'') && !at(c, '"'))
        return bad_header(c, "expected a quoted string");
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '\\' || ch < 0x20 || ch == 0x7f)
            return bad_header(c, "unsupported character in string");
        if (n + 1 >= cap)
            return bad_header(c, "string too long");
        out[n++] = *c->p++;
    }
    if (!at(c, q))
        return bad_header(c, "unterminated string");
    c->p++;
    out[n] = '\0';
    return PLSTAR_OK;
}

static int is_ident_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

static int parse_word(cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return 0;
    if (c->p + n < c->end && is_ident_char(c->p[n]))
        return 0;
    c->p += n;
    return 1;
}

static int parse_bool(cursor *c, int *v)
{
    if (parse_word(c, "True"))
        *v = 1;
    else if (parse_word(c, "False"))
        *v = 0;
    else
        return bad_header(c, "'fortran_order' is not True or False");
    return PLSTAR_OK;
}

static int parse_dim(cursor *c, size_t *v)
{
    if (!(at(c, '0') || (c->p < c->end && *c->p >= '1' && *c->p <= '9')))
        return bad_header(c, "shape entry is not a non-negative integer");
    size_t x = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (__builtin_mul_overflow(x, 10, &x) || __builtin_add_overflow(x, (size_t)(*c->p - '0'), &x))
            return bad_header(c, "shape entry too large");
        c->p++;
    }
    /* files written by Python 2 may carry long-integer suffixes */
    if (c->major <= 2 && (at(c, 'L') || at(c, 'l')))
        c->p++;
    if (c->p < c->end && is_ident_char(*c->p))
        return bad_header(c, "shape entry is not a non-negative integer");
    *v = x;
    return PLSTAR_OK;
}

/* A tuple of ints: (), (n,), (n, m), (n, m,) — but not (n), which is an int. */
static int parse_shape(cursor *c, npy_header *h)
{
    if (!at(c, '('))
        return bad_header(c, "'shape' is not a tuple");
    c->p++;
    size_t n = 0;
    int comma = 0;
    for (skip_ws(c); !at(c, ')'); skip_ws(c)) {
        size_t d = 0;
        int st = parse_dim(c, &d);
        if (st)
            return st;
        if (n < PLSTAR_NPY_MAXDIM)
            h->shape[n] = d;
        n++;
        skip_ws(c);
        comma = at(c, ',');
        if (comma)
            c->p++;
        else if (!at(c, ')'))
            return bad_header(c, "expected ',' or ')' in 'shape'");
    }
    if (n == 1 && !comma)
        return bad_header(c, "'shape' is not a tuple (a 1-tuple needs a trailing comma)");
    c->p++;
    if (n > PLSTAR_NPY_MAXDIM)
        return plstar_error(PLSTAR_EDATA, "%s: array has %zu dimensions; plstar reads at most %d", c->name, n,
                            PLSTAR_NPY_MAXDIM);
    h->ndim = n;
    return PLSTAR_OK;
}

/* Why a dtype is refused, for the message. */
static const char *dtype_problem(const char *d)
{
    char order = (*d == '<' || *d == '>' || *d == '|' || *d == '=') ? *d : 0;
    const char *t = order ? d + 1 : d;
    switch (*t) {
    case 'c': return "complex";
    case 'O': return "Python object";
    case 'i': case 'u': return "integer";
    case 'b': case '?': return "boolean";
    case 'U': case 'S': case 'a': return "string";
    case 'V': return "void/structured";
    case 'M': case 'm': return "datetime";
    case 'f': break;
    default: return "unknown type";
    }
    if (order == '>')
        return "big-endian";
    if (order != '<')
        return "byte order not stated as little-endian";
    return "float of unsupported size";
}

static int parse_descr(cursor *c, npy_header *h)
{
    if (at(c, '[') || at(c, '('))
        return plstar_error(PLSTAR_EDATA, "%s: unsupported structured dtype; plstar reads " NPY_READS, c->name);
    char d[NPY_STR_MAX], q[NPY_STR_MAX];
    int st = parse_string(c, d, sizeof d);
    if (st)
        return st;
    static const char *const known[] = {"<f8", "<f4", "<f2"};
    for (int k = 0; k < 3; k++)
        if (strcmp(d, known[k]) == 0) {
            h->descr = known[k];
            h->itemsize = d[2] - '0';
            return PLSTAR_OK;
        }
    return plstar_error(PLSTAR_EDATA, "%s: unsupported dtype '%s' (%s); plstar reads " NPY_READS, c->name,
                        printable(q, sizeof q, d, strlen(d)), dtype_problem(d));
}

enum { KEY_DESCR = 1, KEY_FORTRAN = 2, KEY_SHAPE = 4 };

static int parse_entry(cursor *c, npy_header *h, int *seen)
{
    char key[NPY_STR_MAX], q[NPY_STR_MAX];
    int st = parse_string(c, key, sizeof key);
    if (st)
        return st;
    int k = strcmp(key, "descr") == 0 ? KEY_DESCR
          : strcmp(key, "fortran_order") == 0 ? KEY_FORTRAN
          : strcmp(key, "shape") == 0 ? KEY_SHAPE : 0;
    if (!k)
        return plstar_error(PLSTAR_EDATA, "%s: unexpected key '%s' in .npy header", c->name,
                            printable(q, sizeof q, key, strlen(key)));
    if (*seen & k)
        return plstar_error(PLSTAR_EDATA, "%s: key '%s' repeated in .npy header", c->name, key);
    *seen |= k;
    skip_ws(c);
    if (!at(c, ':'))
        return bad_header(c, "expected ':' after key");
    c->p++;
    skip_ws(c);
    return k == KEY_DESCR ? parse_descr(c, h) : k == KEY_FORTRAN ? parse_bool(c, &h->fortran) : parse_shape(c, h);
}

static int parse_dict(cursor *c, npy_header *h)
{
    int seen = 0, st;
    skip_ws(c);
    if (!at(c, '{'))
        return bad_header(c, "expected '{'");
    c->p++;
    for (skip_ws(c); !at(c, '}'); skip_ws(c)) {
        if ((st = parse_entry(c, h, &seen)))
            return st;
        skip_ws(c);
        if (at(c, ','))
            c->p++;
        else if (!at(c, '}'))
            return bad_header(c, "expected ',' or '}'");
    }
    c->p++;
    skip_ws(c);
    if (c->p != c->end)
        return bad_header(c, "unexpected text after the dictionary");
    if (seen != (KEY_DESCR | KEY_FORTRAN | KEY_SHAPE))
        return plstar_error(PLSTAR_EDATA, "%s: .npy header lacks '%s'", c->name,
                            !(seen & KEY_DESCR) ? "descr" : !(seen & KEY_FORTRAN) ? "fortran_order" : "shape");
    return PLSTAR_OK;
}

/* Element count and byte count, refusing shapes whose element count (zero
 * axes aside) would not fit in memory as doubles. */
static int header_sizes(npy_header *h, const char *name)
{
    size_t nz = 1, bytes;
    int zero = 0, over = 0;
    for (size_t i = 0; i < h->ndim; i++) {
        zero |= h->shape[i] == 0;
        over |= h->shape[i] && __builtin_mul_overflow(nz, h->shape[i], &nz);
    }
    if (over || __builtin_mul_overflow(nz, sizeof(double), &bytes)) {
        char s[256];
        return plstar_error(PLSTAR_EDATA, "%s: shape %s has more elements than fit in memory", name,
                            shape_str(s, sizeof s, h->ndim, h->shape));
    }
    h->size = zero ? 0 : nz;
    h->nbytes = h->size * (size_t)h->itemsize;
    return PLSTAR_OK;
}

static int parse_header_text(npy_header *h, const char *text, const char *name)
{
    cursor c = {text, text, text + h->hlen, name, h->major};
    int st = parse_dict(&c, h);
    return st ? st : header_sizes(h, name);
}

/* `avail` bytes follow the header; `exact` is 0 when only a lower bound on
 * the trailing bytes is known (a stream). */
static int check_payload(const npy_header *h, size_t avail, int exact, const char *name)
{
    char s[256];
    size_t off = h->prelen + h->hlen;
    if (avail < h->nbytes)
        return plstar_error(PLSTAR_EDATA,
                            "%s: truncated data: header claims shape %s of '%s' = %zu bytes, but only %zu bytes "
                            "follow the header (file size %zu bytes)",
                            name, shape_str(s, sizeof s, h->ndim, h->shape), h->descr, h->nbytes, avail, off + avail);
    if (avail > h->nbytes)
        return plstar_error(PLSTAR_EDATA,
                            "%s: trailing data: %s%zu byte(s) after the %zu bytes of shape %s of '%s'; refused", name,
                            exact ? "" : "at least ", avail - h->nbytes, h->nbytes,
                            shape_str(s, sizeof s, h->ndim, h->shape), h->descr);
    return PLSTAR_OK;
}

/* ---------------------------------------------------------------- decoding */

double plstar_npy_half_to_double(uint16_t h)
{
    int e = (h >> 10) & 0x1f;
    double m = (double)(h & 0x3ff), v;
    if (e == 0x1f)
        v = m != 0 ? NAN : INFINITY;
    else if (e == 0) /* subnormal: m · 2^-24 */
        v = ldexp(m, -24);
    else
        v = ldexp(1024.0 + m, e - 25);
    return (h & 0x8000) ? -v : v;
}

static double load_le(const unsigned char *p, int itemsize)
{
    if (itemsize == 2)
        return plstar_npy_half_to_double((uint16_t)(p[0] | p[1] << 8));
    if (itemsize == 4) {
        uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        float f;
        memcpy(&f, &u, sizeof f);
        return (double)f;
    }
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = u << 8 | p[i];
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Fortran order stores the first index fastest: walk the source in storage
 * order with an odometer over the indices and place each element at its
 * C-order offset. */
static void decode_fortran(double *out, const npy_header *h, const unsigned char *raw)
{
    size_t idx[PLSTAR_NPY_MAXDIM] = {0}, cstride[PLSTAR_NPY_MAXDIM], dst = 0;
    size_t n = h->ndim;
    if (h->size == 0)
        return;
    for (size_t k = n, s = 1; k-- > 0; s *= h->shape[k])
        cstride[k] = s;
    for (size_t i = 0; i < h->size; i++) {
        out[dst] = load_le(raw + i * (size_t)h->itemsize, h->itemsize);
        for (size_t k = 0; k < n; k++) {
            dst += cstride[k];
            if (++idx[k] < h->shape[k])
                break;
            dst -= h->shape[k] * cstride[k];
            idx[k] = 0;
        }
    }
}

static void decode_into(double *out, const npy_header *h, const unsigned char *raw)
{
    if (h->fortran && h->ndim > 1) {
        decode_fortran(out, h, raw);
        return;
    }
    for (size_t i = 0; i < h->size; i++)
        out[i] = load_le(raw + i * (size_t)h->itemsize, h->itemsize);
}

static void fill_array(plstar_array *a, const npy_header *h, double *data)
{
    plstar_npy_init(a);
    a->data = data;
    a->ndim = h->ndim;
    memcpy(a->shape, h->shape, h->ndim * sizeof h->shape[0]);
    a->size = h->size;
    a->source_itemsize = h->itemsize;
}

static int decode_new(plstar_array *a, const npy_header *h, const unsigned char *raw, const char *name)
{
    double *out = plstar_malloc(h->size * sizeof(double), name);
    if (!out)
        return PLSTAR_ESOFTWARE;
    decode_into(out, h, raw);
    fill_array(a, h, out);
    return PLSTAR_OK;
}

/* ---------------------------------------------------------------- parsing */

int plstar_npy_parse(plstar_array *a, const unsigned char *buf, size_t len, const char *name)
{
    if (!a || (!buf && len))
        return plstar_error(PLSTAR_ESOFTWARE, "plstar_npy_parse: NULL argument");
    static const unsigned char empty[1];
    if (!buf)
        buf = empty;
    if (!name)
        name = "<memory>";
    npy_header h;
    memset(&h, 0, sizeof h);
    int st;
    if ((st = preamble_version(&h, buf, len, name)) || (st = preamble_hlen(&h, buf, len, name)) ||
        (st = check_header_fits(&h, len, name)) ||
        (st = parse_header_text(&h, (const char *)buf + h.prelen, name)) ||
        (st = check_payload(&h, len - h.prelen - h.hlen, 1, name)))
        return st;
    plstar_array tmp;
    if ((st = decode_new(&tmp, &h, buf + h.prelen + h.hlen, name)))
        return st;
    plstar_npy_clear(a);
    *a = tmp;
    return PLSTAR_OK;
}

/* ---------------------------------------------------------------- reading */

typedef struct {
    FILE *fp;
    const char *name;
    int sized;   /* a regular file: `size` is known before reading */
    size_t size;
} input;

static int open_input(input *in, const char *path)
{
    struct stat sb;
    memset(in, 0, sizeof *in);
    in->name = path;
    in->fp = fopen(path, "rb");
    if (!in->fp)
        return plstar_error(PLSTAR_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    int st = PLSTAR_OK;
    if (fstat(fileno(in->fp), &sb) != 0)
        st = plstar_error(PLSTAR_ENOINPUT, "%s: cannot stat: %s", path, strerror(errno));
    else if (S_ISDIR(sb.st_mode))
        st = plstar_error(PLSTAR_ENOINPUT, "%s: is a directory, not a .npy file", path);
    else if (S_ISREG(sb.st_mode) && (uintmax_t)sb.st_size > SIZE_MAX)
        st = plstar_error(PLSTAR_EDATA, "%s: file too large for this platform", path);
    if (st) {
        fclose(in->fp);
        return st;
    }
    in->sized = S_ISREG(sb.st_mode);
    in->size = in->sized ? (size_t)sb.st_size : 0;
    return PLSTAR_OK;
}

static int read_bytes(input *in, void *buf, size_t n, size_t *got)
{
    *got = n ? fread(buf, 1, n, in->fp) : 0;
    if (*got < n && ferror(in->fp))
        return plstar_error(PLSTAR_ENOINPUT, "%s: read error: %s", in->name, strerror(errno));
    return PLSTAR_OK;
}

static int read_header(input *in, npy_header *h)
{
    unsigned char pre[12];
    size_t got, more;
    int st;
    if ((st = read_bytes(in, pre, 8, &got)) || (st = preamble_version(h, pre, got, in->name)) ||
        (st = read_bytes(in, pre + 8, h->prelen - 8, &more)) ||
        (st = preamble_hlen(h, pre, got + more, in->name)) ||
        (in->sized && (st = check_header_fits(h, in->size, in->name))))
        return st;
    char *text = plstar_malloc(h->hlen, "npy header");
    if (!text)
        return PLSTAR_ESOFTWARE;
    if (!(st = read_bytes(in, text, h->hlen, &got))) {
        if (got < h->hlen)
            st = plstar_error(PLSTAR_EDATA, "%s: header length %zu runs past the end of the file", in->name,
                              h->hlen);
        else
            st = parse_header_text(h, text, in->name);
    }
    free(text);
    return st;
}

/* Reads the nbytes of data into a buffer that grows only as data arrives, so
 * a stream whose header lies costs no more memory than the stream holds. */
static int read_payload(input *in, const npy_header *h, unsigned char **out, size_t *got)
{
    size_t cap = in->sized || h->nbytes < NPY_STREAM_CHUNK ? h->nbytes : NPY_STREAM_CHUNK;
    unsigned char *buf = plstar_malloc(cap, in->name);
    int st = buf ? PLSTAR_OK : PLSTAR_ESOFTWARE;
    *got = 0;
    while (!st && *got < h->nbytes) {
        if (*got == cap) {
            cap = cap > h->nbytes / 2 ? h->nbytes : 2 * cap;
            unsigned char *nb = realloc(buf, cap);
            if (!nb) {
                st = plstar_error(PLSTAR_ESOFTWARE, "%s: out of memory reading %zu bytes", in->name, cap);
                break;
            }
            buf = nb;
        }
        size_t r;
        st = read_bytes(in, buf + *got, cap - *got, &r);
        *got += r;
        if (r == 0)
            break;
    }
    if (st) {
        free(buf);
        buf = NULL;
    }
    *out = buf;
    return st;
}

static int read_data(input *in, const npy_header *h, plstar_array *a)
{
    unsigned char *raw;
    size_t got;
    int st;
    if (in->sized && (st = check_payload(h, in->size - h->prelen - h->hlen, 1, in->name)))
        return st;
    if ((st = read_payload(in, h, &raw, &got)))
        return st;
    if (got < h->nbytes)
        st = check_payload(h, got, 1, in->name);
    else if (fgetc(in->fp) != EOF)
        st = check_payload(h, got + 1, 0, in->name);
    else if (ferror(in->fp))
        st = plstar_error(PLSTAR_ENOINPUT, "%s: read error: %s", in->name, strerror(errno));
    if (!st && NPY_HOST_LE && h->itemsize == 8 && !(h->fortran && h->ndim > 1)) {
        fill_array(a, h, (double *)(void *)raw); /* the bytes already are the doubles */
        return PLSTAR_OK;
    }
    if (!st)
        st = decode_new(a, h, raw, in->name);
    free(raw);
    return st;
}

int plstar_npy_read(plstar_array *a, const char *path)
{
    if (!a || !path)
        return plstar_error(PLSTAR_ESOFTWARE, "plstar_npy_read: NULL argument");
    input in;
    int st = open_input(&in, path);
    if (st)
        return st;
    npy_header h;
    memset(&h, 0, sizeof h);
    plstar_array tmp;
    plstar_npy_init(&tmp);
    if (!(st = read_header(&in, &h)))
        st = read_data(&in, &h, &tmp);
    fclose(in.fp);
    if (st)
        return st;
    plstar_npy_clear(a);
    *a = tmp;
    return PLSTAR_OK;
}

/* ---------------------------------------------------------------- writing */

/* The same bytes numpy.save writes for a C-order float64 array. */
static size_t format_header(char *out, size_t cap, size_t ndim, const size_t *shape)
{
    char s[256];
    size_t n = (size_t)snprintf(out, cap, "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }",
                                shape_str(s, sizeof s, ndim, shape));
    if (ndim > 0) {
        int digits = snprintf(NULL, 0, "%zu", shape[0]);
        for (int i = digits; i < NPY_GROWTH_DIGITS; i++)
            out[n++] = ' ';
    }
    size_t pad = NPY_ALIGN - (10 + n + 1) % NPY_ALIGN;
    memset(out + n, ' ', pad);
    n += pad;
    out[n++] = '\n';
    return n;
}

static int write_args(const char *path, const double *data, size_t ndim, const size_t *shape, size_t *size)
{
    if (!path || (ndim && !shape))
        return plstar_error(PLSTAR_ESOFTWARE, "plstar_npy_write: NULL argument");
    if (ndim > PLSTAR_NPY_MAXDIM)
        return plstar_error(PLSTAR_ESOFTWARE, "%s: cannot write %zu dimensions (at most %d)", path, ndim,
                            PLSTAR_NPY_MAXDIM);
    size_t n = 1, bytes;
    for (size_t i = 0; i < ndim; i++)
        if (__builtin_mul_overflow(n, shape[i], &n))
            return plstar_error(PLSTAR_ESOFTWARE, "%s: shape overflows size_t", path);
    if (__builtin_mul_overflow(n, sizeof(double), &bytes))
        return plstar_error(PLSTAR_ESOFTWARE, "%s: shape overflows size_t", path);
    if (n && !data)
        return plstar_error(PLSTAR_ESOFTWARE, "plstar_npy_write: NULL data for %zu elements", n);
    *size = n;
    return PLSTAR_OK;
}

static int write_data(FILE *fp, const double *data, size_t n)
{
    if (NPY_HOST_LE) /* the doubles already are the bytes: one large write */
        return n && fwrite(data, 8, n, fp) != n ? -1 : 0;
    unsigned char buf[8 * 1024];
    while (n > 0) {
        size_t m = n < sizeof buf / 8 ? n : sizeof buf / 8;
        for (size_t i = 0; i < m; i++) {
            uint64_t u;
            memcpy(&u, &data[i], sizeof u);
            for (int b = 0; b < 8; b++)
                buf[8 * i + (size_t)b] = (unsigned char)(u >> (8 * b));
        }
        if (fwrite(buf, 8, m, fp) != m)
            return -1;
        data += m;
        n -= m;
    }
    return 0;
}

int plstar_npy_write(const char *path, const double *data, size_t ndim, const size_t *shape)
{
    size_t n = 0;
    int st = write_args(path, data, ndim, shape, &n);
    if (st)
        return st;
    char hdr[512];
    size_t hlen = format_header(hdr + 10, sizeof hdr - 10, ndim, shape);
    memcpy(hdr, NPY_MAGIC "\x01\x00", 8);
    hdr[8] = (char)(hlen & 0xff);
    hdr[9] = (char)(hlen >> 8);
    plstar_outfile f;
    if ((st = plstar_outfile_open(&f, path)))
        return st;
    if (fwrite(hdr, 1, 10 + hlen, f.fp) != 10 + hlen || write_data(f.fp, data, n) != 0) {
        int e = errno;
        plstar_outfile_abort(&f);
        return plstar_error(PLSTAR_ECANTCREAT, "%s: cannot write output: %s", path, strerror(e));
    }
    return plstar_outfile_commit(&f);
}

int plstar_npy_write_vector(const char *path, const double *data, size_t n)
{
    return plstar_npy_write(path, data, 1, &n);
}

int plstar_npy_write_matrix(const char *path, const double *data, size_t rows, size_t cols)
{
    size_t shape[2] = {rows, cols};
    return plstar_npy_write(path, data, 2, shape);
}

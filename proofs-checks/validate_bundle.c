/*
 * proofs-checks/validate_bundle.c — the bundle (plstar_validate_write_bundle, plstar_validate_read_bundle), the
 * claimed arrays read in their layout (plstar_validate_read_claim), and the formats and layouts by name.
 */
#include "proofs-checks/validate.h"
#include "core/error.h"
#include "core/outfile.h"
#include "core/report.h"
#include "core/layout.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- formats and layouts ------------------------------------------------- */

/* precision p (significand bits with the implicit one), smallest normal exponent emin */
static const struct {
    const char *name;
    double u, underflow, overflow;
    int p, emin;
} formats[VALIDATE_FORMATS] = {
    [VALIDATE_FLOAT64] = {"float64", 0x1p-53, DBL_MIN, DBL_MAX, 53, -1022},
    [VALIDATE_FLOAT32] = {"float32", 0x1p-24, FLT_MIN, FLT_MAX, 24, -126},
    [VALIDATE_FLOAT16] = {"float16", 0x1p-11, 0x1p-25, 65504.0, 11, -14},
    [VALIDATE_BFLOAT16] = {"bfloat16", 0x1p-8, FLT_MIN, 0x1.fep127, 8, -126},
};

static validate_format fmt_of(validate_format f) { return (unsigned)f < VALIDATE_FORMATS ? f : VALIDATE_FLOAT64; }

const char *plstar_validate_format_name(validate_format f) { return formats[fmt_of(f)].name; }
double plstar_validate_unit_roundoff(validate_format f) { return formats[fmt_of(f)].u; }
double plstar_validate_underflow(validate_format f) { return formats[fmt_of(f)].underflow; }
double plstar_validate_overflow(validate_format f) { return formats[fmt_of(f)].overflow; }

int plstar_validate_format_parse(validate_format *f, const char *name)
{
    for (int k = 0; k < VALIDATE_FORMATS; k++)
        if (name && !strcmp(name, formats[k].name)) {
            *f = (validate_format)k;
            return 0;
        }
    return -1;
}

double plstar_validate_round(double x, validate_format f)
{
    f = fmt_of(f);
    if (f == VALIDATE_FLOAT64 || !isfinite(x) || x == 0)
        return x;
    int e = ilogb(x);
    if (e < formats[f].emin) /* subnormal: the spacing of the smallest binade */
        e = formats[f].emin;
    double q = ldexp(1.0, e - formats[f].p + 1), r = nearbyint(x / q) * q; /* x / q is exact */
    return fabs(r) > formats[f].overflow ? copysign(INFINITY, x) : r;
}

static const char *const layout_names[VALIDATE_LAYOUTS] = {"plstar", "functorch", "neural-tangents", "traced"};

const char *plstar_validate_layout_name(validate_layout l)
{
    return (unsigned)l < VALIDATE_LAYOUTS ? layout_names[l] : layout_names[0];
}

int plstar_validate_layout_parse(validate_layout *l, const char *name)
{
    for (int k = 0; k < VALIDATE_LAYOUTS; k++)
        if (name && !strcmp(name, layout_names[k])) {
            *l = (validate_layout)k;
            return 0;
        }
    return -1;
}

/* "dir/name", malloc'd. */
static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *s = malloc(a + b + 2);
    if (s) {
        memcpy(s, dir, a);
        s[a] = '/';
        memcpy(s + a + 1, name, b + 1);
    }
    return s;
}

/* ---- the bundle ------------------------------------------------------- */

static json_t *shape2(size_t a, size_t b)
{
    json_t *s = json_array();
    json_array_append_new(s, json_integer((json_int_t)a));
    json_array_append_new(s, json_integer((json_int_t)b));
    return s;
}

static json_t *shape1(size_t a)
{
    json_t *s = json_array();
    json_array_append_new(s, json_integer((json_int_t)a));
    return s;
}

static json_t *bundle_layers(const plstar_model *m)
{
    json_t *arr = json_array();
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        json_t *o = json_object();
        char buf[64];
        json_object_set_new(o, "layer", json_integer((json_int_t)(l + 1)));
        json_object_set_new(o, "in", json_integer((json_int_t)L->in));
        json_object_set_new(o, "out", json_integer((json_int_t)L->out));
        json_t *wt = json_object();
        json_object_set_new(wt, "shape", shape2(L->out, L->in));
        json_object_set_new(wt, "trainable", json_boolean(L->trainable));
        if (L->trainable) {
            json_object_set_new(wt, "offset", json_integer((json_int_t)L->w_offset));
            json_object_set_new(wt, "order", json_string("row-major: W[a, b] is w[offset + a * in + b]"));
        } else {
            json_object_set_new(wt, "values", json_string("fixed, not in w: W[0, j] = (-1)^j, i.e. +1, -1, +1, ..."));
        }
        json_object_set_new(o, "weight", wt);
        if (L->has_bias) {
            json_t *b = json_object();
            json_object_set_new(b, "shape", shape1(L->out));
            json_object_set_new(b, "offset", json_integer((json_int_t)L->b_offset));
            json_object_set_new(o, "bias", b);
        } else {
            json_object_set_new(o, "bias", json_null());
        }
        json_object_set_new(o, "scale", json_real(plstar_layer_scale(L)));
        snprintf(buf, sizeof buf, L->scale_div == 1 ? "1" : "1/sqrt(%zu)", L->scale_div);
        json_object_set_new(o, "scale_formula", json_string(buf));
        json_object_set_new(o, "activation", json_string(plstar_act_name(L->act)));
        json_object_set_new(o, "activation_formula", json_string(plstar_act_formula(L->act)));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *bundle_manifest(const plstar_problem *p, plstar_loss loss)
{
    const plstar_model *m = &p->model;
    int labels = p->y.size > 0;
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string(VALIDATE_BUNDLE_FORMAT));
    json_object_set_new(o, "format_version", json_integer(VALIDATE_BUNDLE_VERSION));
    json_object_set_new(o, "plstar_version", json_string(PLSTAR_VERSION));
    char *desc = plstar_model_to_json(m);
    json_object_set_new(o, "model", json_loads(desc, 0, NULL));
    free(desc);
    json_t *files = json_object();
    json_object_set_new(files, "model", json_string("model.json"));
    json_object_set_new(files, "inputs", json_string("X.npy"));
    json_object_set_new(files, "labels", labels ? json_string("y.npy") : json_null());
    json_object_set_new(files, "weights", json_string("w0.npy"));
    json_object_set_new(o, "files", files);
    json_object_set_new(o, "samples", json_integer((json_int_t)p->n));
    json_object_set_new(o, "input_dim", json_integer((json_int_t)m->input_dim));
    json_object_set_new(o, "outputs", json_integer((json_int_t)m->outputs));
    json_object_set_new(o, "equations", json_integer((json_int_t)p->N));
    json_object_set_new(o, "parameters", json_integer((json_int_t)m->nparams));
    json_object_set_new(o, "layers", bundle_layers(m));
    json_object_set_new(o, "forward",
                        json_string("a_0 = x (a row of X); for each layer l = 1..L in order: "
                                    "z_l = (W_l a_{l-1}) * scale_l + b_l, a_l = activation_l(z_l); f(x) = a_L"));
    json_object_set_new(o, "parameter_layout",
                        json_string("w0.npy is one flat float64 vector: for each layer in order, its weight W "
                                    "(shape (out, in), row-major, as torch.nn.Linear.weight), then its bias if "
                                    "the layer has one; fixed layers are not in w. This is the order of "
                                    "torch.nn.Sequential(...).parameters(), so "
                                    "torch.nn.utils.vector_to_parameters(w0, model.parameters()) loads it."));
    json_object_set_new(o, "scaling",
                        json_string(m->scaling == SCALING_NTK && m->kind == MODEL_MLP
                                        ? "ntk: scale_l = 1/sqrt(in_l), the fan-in of layer l, applied to W a only"
                                        : "each layer's scale is listed in \"layers\" (1 means unscaled)"));
    json_object_set_new(o, "bias",
                        json_string(m->bias ? "added unscaled after the scaling: z = (W a) * scale + b"
                                            : "none: this model has no biases"));
    json_object_set_new(o, "output_order",
                        json_string("sample-major: entry i*c + k of F, row i*c + k of DF and of K is output k of "
                                    "sample i (F may also be given with shape (n, c))"));
    json_object_set_new(o, "loss", json_string(loss == LOSS_MEAN
                                                   ? "L(w) = (1 / N) * sum over i, k of (f_k(w; x_i) - y[i, k])^2, "
                                                     "N = n * c: a mean, torch.nn.MSELoss()"
                                                   : "L(w) = 0.5 * sum over i, k of (f_k(w; x_i) - y[i, k])^2: a "
                                                     "sum, not a mean"));
    json_object_set_new(o, "loss_convention", json_string(plstar_loss_name(loss)));
    json_object_set_new(o, "gradient_descent",
                        json_string("w_{t+1} = w_t - lr * grad L(w_t) from w_0 = w0; the losses file holds "
                                    "L(w_0), L(w_1), ..., L(w_T): T + 1 values"));
    json_t *ex = json_object();
    json_object_set_new(ex, "outputs", shape1(p->N));
    json_object_set_new(ex, "jacobian", shape2(p->N, m->nparams));
    json_object_set_new(ex, "kernel", shape2(p->N, p->N));
    json_object_set_new(ex, "lambda_min", json_string("one number: the smallest eigenvalue of K"));
    json_object_set_new(ex, "losses", json_string("(T + 1,)"));
    json_object_set_new(ex, "layouts",
                        json_string("with --layout functorch: jacobian (n, c, P), kernel (n, c, n, c); "
                                    "neural-tangents: (n, c, P), (n, n, c, c) with [i, j, a, b] = K[i*c + a, "
                                    "j*c + b]; traced: (n, c, P) and the traced kernel (n, n), [i, j] = sum over a "
                                    "of K[i*c + a, j*c + a]"));
    json_object_set_new(o, "expected_shapes", ex);
    json_object_set_new(o, "precision",
                        json_string("float64: compute with X, w0, y as stored. float32, float16, bfloat16: round X, "
                                    "w0, y to that format once, compute in it and claim --precision NAME. Save "
                                    "arrays as '<f8', '<f4' or '<f2' .npy files (bfloat16 values as '<f4')."));
    json_object_set_new(o, "validate",
                        json_string("plstar validate --bundle DIR [--outputs F.npy] [--jacobian J.npy] "
                                    "[--kernel K.npy] [--lambda-min V] [--losses L.npy --lr ETA] "
                                    "[--precision float64|float32|float16|bfloat16] "
                                    "[--layout plstar|functorch|neural-tangents|traced] [--json report.json]"));
    return o;
}

static char *bundle_readme(const plstar_problem *p, plstar_loss loss)
{
    const plstar_model *m = &p->model;
    size_t cap = 8192 + 256 * m->nlayers, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
#define ADD(...) (len += (size_t)snprintf(s + len, len < cap ? cap - len : 0, __VA_ARGS__))
    ADD("plstar bundle: a model, its data and initial weights, to rebuild in another framework\n"
        "and check with `plstar validate`. bundle.json states the same in machine-readable form.\n\n");
    ADD("Files\n  model.json  the model description\n  X.npy       inputs, shape (%zu, %zu), float64\n",
        p->n, m->input_dim);
    if (p->y.size)
        ADD("  y.npy       labels, shape (%zu, %zu), float64\n", p->n, m->outputs);
    ADD("  w0.npy      initial weights, shape (%zu,), float64, layout below\n\n", m->nparams);
    ADD("Network (%zu layers): a_0 = x; z_l = (W_l a_{l-1}) * scale_l + b_l; a_l = act_l(z_l); f(x) = a_L\n",
        m->nlayers);
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        if (L->trainable)
            ADD("  layer %zu: W (%zu, %zu) at w[%zu:%zu] row-major", l + 1, L->out, L->in, L->w_offset,
                L->w_offset + L->out * L->in);
        else
            ADD("  layer %zu: W (%zu, %zu) fixed, not in w: W[0, j] = (-1)^j", l + 1, L->out, L->in);
        if (L->has_bias)
            ADD(", b (%zu) at w[%zu:%zu]", L->out, L->b_offset, L->b_offset + L->out);
        if (L->scale_div == 1)
            ADD(", scale 1");
        else
            ADD(", scale 1/sqrt(%zu)", L->scale_div);
        ADD(", activation %s = %s\n", plstar_act_name(L->act), plstar_act_formula(L->act));
    }
    ADD("\nLayout: w0 lists each layer's W (shape (out, in), row-major, as torch.nn.Linear.weight), then\n"
        "its bias, layer after layer: torch.nn.utils.vector_to_parameters(w0, model.parameters()) loads it.\n"
        "Biases are added after the scaling, unscaled.\n"
        "Output order: sample-major. Entry i*c + k of F (or F[i, k]), row i*c + k of the Jacobian\n"
        "(N = %zu rows, P = %zu columns, columns in the order of w0) and of the kernel K = J J^T (N x N).\n"
        "Loss (%s): %s. Gradient descent from w0:\n"
        "w_{t+1} = w_t - lr * grad L(w_t); write L(w_0), ..., L(w_T) (T + 1 values).\n\n",
        p->N, m->nparams, plstar_loss_name(loss),
        loss == LOSS_MEAN ? "L(w) = mean((F(w) - y)^2) over the N entries, torch.nn.MSELoss()"
                          : "L(w) = 0.5 * sum((F(w) - y)^2), a sum, not a mean");
    ADD("Precision: in float64 use the arrays as stored; in float32, float16 or bfloat16 round X, w0, y to\n"
        "that format once, compute in it and pass --precision NAME. The tolerance is derived from that claim.\n"
        "Layouts: --layout functorch reads J (n, c, P) and K (n, c, n, c), neural-tangents K (n, n, c, c),\n"
        "traced the output-traced kernel (n, n).\n\n"
        "Check:\n  plstar validate --bundle THIS_DIR --outputs F.npy --jacobian J.npy --kernel K.npy \\\n"
        "      --lambda-min V --losses L.npy --lr ETA --precision float64|float32|float16|bfloat16 \\\n"
        "      --layout plstar|functorch|neural-tangents|traced --json report.json\n"
        "Exit status 0: every value within tolerance of the exact one; 1: some value is not (the report\n"
        "names the worst entries); 2: cannot be judged; 65: a file has the wrong shape, dtype or a NaN.\n");
#undef ADD
    if (len >= cap) {
        free(s);
        return NULL;
    }
    return s;
}

int plstar_validate_write_bundle(const plstar_problem *p, const char *dir) { return plstar_validate_write_bundle_loss(p, dir, LOSS_SUM); }

int plstar_validate_bundle_loss(plstar_loss *loss, const char *dir)
{
    char *path = join(dir, "bundle.json");
    json_t *man = path ? json_load_file(path, 0, NULL) : NULL;
    const char *name = json_string_value(json_object_get(man, "loss_convention"));
    int st = !man || !json_object_get(man, "loss_convention") ? (*loss = LOSS_SUM, PLSTAR_OK)
             : plstar_loss_parse(loss, name) ? plstar_error(PLSTAR_EDATA, "%s: \"loss_convention\" must be \"sum\" or "
                                                   "\"mean\"", path)
                                      : PLSTAR_OK;
    json_decref(man);
    free(path);
    return st;
}

int plstar_validate_write_bundle_loss(const plstar_problem *p, const char *dir, plstar_loss loss)
{
    if (!p || !dir || !p->w || !p->X.data)
        return plstar_error(PLSTAR_EUSAGE, "plstar_validate_write_bundle: incomplete problem or no directory");
    struct stat sb;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return plstar_error(PLSTAR_ECANTCREAT, "%s: cannot create directory: %s", dir, strerror(errno));
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return plstar_error(PLSTAR_ECANTCREAT, "%s: exists and is not a directory", dir);
    const plstar_model *m = &p->model;
    const char *names[] = {"model.json", "X.npy", "y.npy", "w0.npy", "bundle.json", "README.txt"};
    char *path[6];
    int st = PLSTAR_OK;
    for (int k = 0; k < 6; k++)
        if (!(path[k] = join(dir, names[k])))
            st = plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    char *desc = st ? NULL : plstar_model_to_json(m);
    if (!st && desc) {
        size_t len = strlen(desc);
        char *t = malloc(len + 2);
        if (t) {
            memcpy(t, desc, len);
            memcpy(t + len, "\n", 2);
            st = plstar_outfile_write_text(path[0], t);
            free(t);
        } else {
            st = plstar_error(PLSTAR_ESOFTWARE, "out of memory");
        }
    }
    free(desc);
    if (!st)
        st = plstar_npy_write_matrix(path[1], p->X.data, p->n, m->input_dim);
    if (!st && p->y.size)
        st = plstar_npy_write_matrix(path[2], p->y.data, p->n, m->outputs);
    if (!st && !p->y.size && unlink(path[2]) != 0 && errno != ENOENT) /* no stale labels from an earlier export */
        st = plstar_error(PLSTAR_ECANTCREAT, "%s: cannot remove: %s", path[2], strerror(errno));
    if (!st)
        st = plstar_npy_write_vector(path[3], p->w, m->nparams);
    if (!st) {
        json_t *man = bundle_manifest(p, loss);
        st = plstar_report_write(path[4], man);
        json_decref(man);
    }
    if (!st) {
        char *r = bundle_readme(p, loss);
        st = r ? plstar_outfile_write_text(path[5], r) : plstar_error(PLSTAR_ESOFTWARE, "out of memory for README.txt");
        free(r);
    }
    for (int k = 0; k < 6; k++)
        free(path[k]);
    return st;
}

static int manifest_size(size_t *out, json_t *man, const char *key, const char *path)
{
    json_t *v = json_object_get(man, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return plstar_error(PLSTAR_EDATA, "%s: \"%s\" must be a non-negative integer", path, key);
    *out = (size_t)json_integer_value(v);
    return PLSTAR_OK;
}

int plstar_validate_read_bundle(plstar_problem *p, const char *dir)
{
    if (!p || !dir)
        return plstar_error(PLSTAR_EUSAGE, "plstar_validate_read_bundle: NULL argument");
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return plstar_error(PLSTAR_ENOINPUT, "%s: cannot open bundle: %s", dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return plstar_error(PLSTAR_ENOINPUT, "%s: a bundle is a directory (written by plstar export)", dir);
    char *mp = join(dir, "bundle.json"), *model = join(dir, "model.json"), *X = join(dir, "X.npy");
    char *w = join(dir, "w0.npy"), *y = join(dir, "y.npy");
    int st = (mp && model && X && w && y) ? PLSTAR_OK : plstar_error(PLSTAR_ESOFTWARE, "out of memory");
    json_t *man = NULL;
    if (!st && stat(mp, &sb) != 0)
        st = plstar_error(PLSTAR_ENOINPUT, "%s: not a plstar bundle (no bundle.json; write one with plstar export)",
                          dir);
    if (!st) {
        json_error_t jerr;
        man = json_load_file(mp, JSON_REJECT_DUPLICATES, &jerr);
        if (!man)
            st = plstar_error(PLSTAR_EDATA, "%s: invalid JSON at line %d: %s", mp, jerr.line, jerr.text);
    }
    if (!st) {
        json_t *fmt = json_object_get(man, "format"), *ver = json_object_get(man, "format_version");
        if (!json_is_string(fmt) || strcmp(json_string_value(fmt), VALIDATE_BUNDLE_FORMAT))
            st = plstar_error(PLSTAR_EDATA, "%s: \"format\" is not \"%s\"", mp, VALIDATE_BUNDLE_FORMAT);
        else if (!json_is_integer(ver) || json_integer_value(ver) != VALIDATE_BUNDLE_VERSION)
            st = plstar_error(PLSTAR_EDATA, "%s: unsupported \"format_version\" (this plstar reads %d)", mp,
                              VALIDATE_BUNDLE_VERSION);
    }
    int labels = 0;
    if (!st) {
        json_t *files = json_object_get(man, "files");
        json_t *lab = files ? json_object_get(files, "labels") : NULL;
        labels = json_is_string(lab);
    }
    if (!st)
        st = plstar_problem_load(p, model, X, w, 0, labels ? y : NULL);
    size_t n = 0, P = 0, c = 0;
    if (!st)
        st = manifest_size(&n, man, "samples", mp);
    if (!st)
        st = manifest_size(&P, man, "parameters", mp);
    if (!st)
        st = manifest_size(&c, man, "outputs", mp);
    if (!st && (n != p->n || P != p->model.nparams || c != p->model.outputs))
        st = plstar_error(PLSTAR_EDATA,
                          "%s: says %zu samples, %zu outputs, %zu parameters but the files give %zu, %zu, %zu", mp,
                          n, c, P, p->n, p->model.outputs, p->model.nparams);
    json_decref(man);
    free(mp), free(model), free(X), free(w), free(y);
    return st;
}

/* ---- their arrays ----------------------------------------------------- */

static void shape_string(char *buf, size_t len, const plstar_array *a)
{
    size_t at = (size_t)snprintf(buf, len, "(");
    for (size_t k = 0; k < a->ndim && at < len; k++)
        at += (size_t)snprintf(buf + at, len - at, k ? ", %zu" : "%zu", a->shape[k]);
    if (at < len)
        snprintf(buf + at, len - at, a->ndim == 1 ? ",)" : ")");
}

/* The shapes a kind takes in a layout (validate.h): `alt` (c = 1 only, or NULL) is the squeezed form. */
typedef struct {
    size_t ndim, shape[4];
} claim_shape;

static int shape_is(const plstar_array *a, const claim_shape *s)
{
    if (a->ndim != s->ndim)
        return 0;
    for (size_t k = 0; k < s->ndim; k++)
        if (a->shape[k] != s->shape[k])
            return 0;
    return 1;
}

static void claim_shape_string(char *buf, size_t len, const claim_shape *s)
{
    plstar_array t;
    memset(&t, 0, sizeof t);
    t.ndim = s->ndim;
    memcpy(t.shape, s->shape, sizeof s->shape);
    shape_string(buf, len, &t);
}

/* The shape of J or K in `layout`, in full (alt = 0) or squeezed for c = 1 (alt = 1; ndim 0: none —
 * plstar's shapes are 2-d already, and the traced kernel is (n, n) in full). */
static claim_shape layout_shape(const char *kind, validate_layout layout, const plstar_problem *p, int alt)
{
    size_t n = p->n, c = p->model.outputs, N = p->N, P = p->model.nparams;
    int jac = !strcmp(kind, "jacobian"), traced = !jac && layout == VALIDATE_LAYOUT_TRACED;
    if (layout == VALIDATE_LAYOUT_PLSTAR)
        return alt ? (claim_shape){0, {0}} : (claim_shape){2, {N, jac ? P : N}};
    if (alt)
        return c == 1 && !traced ? (claim_shape){2, {n, jac ? P : n}} : (claim_shape){0, {0}};
    if (jac)
        return (claim_shape){3, {n, c, P}};
    if (traced)
        return (claim_shape){2, {n, n}};
    return layout == VALIDATE_LAYOUT_FUNCTORCH ? (claim_shape){4, {n, c, n, c}} : (claim_shape){4, {n, n, c, c}};
}

static const char *layout_letters(const char *kind, validate_layout layout, size_t ndim)
{
    if (ndim == 2)
        return !strcmp(kind, "jacobian") ? (layout == VALIDATE_LAYOUT_PLSTAR ? "(N, P)" : "(n, P)")
               : layout == VALIDATE_LAYOUT_PLSTAR ? "(N, N)" : "(n, n)";
    return ndim == 3 ? "(n, c, P)" : layout == VALIDATE_LAYOUT_FUNCTORCH ? "(n, c, n, c)" : "(n, n, c, c)";
}

/* neural-tangents' K[i, j, a, b] into plstar's K[i·c + a, j·c + b]. */
static int permute_nt(plstar_array *a, size_t n, size_t c)
{
    size_t N = n * c;
    double *t = malloc((N * N + 1) * sizeof(double));
    if (!t)
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for a %zu x %zu kernel", N, N);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            for (size_t x = 0; x < c; x++)
                for (size_t y = 0; y < c; y++)
                    t[(i * c + x) * N + j * c + y] = a->data[((i * n + j) * c + x) * c + y];
    free(a->data);
    a->data = t;
    return PLSTAR_OK;
}

/* A file narrower than the claim cannot meet its tolerance; a '<f2' file is no bfloat16 file. */
static int check_itemsize(const char *path, int itemsize, validate_format f)
{
    if (itemsize == 8 || f == VALIDATE_FLOAT16 || (itemsize == 4 && f != VALIDATE_FLOAT64))
        return PLSTAR_OK;
    const char *dt = itemsize == 4 ? "float32 data ('<f4')" : "float16 data ('<f2')";
    if (f == VALIDATE_BFLOAT16)
        return plstar_error(PLSTAR_EDATA, "%s: %s under a bfloat16 claim; NumPy has no bfloat16: save the "
                            "bfloat16 values as float32 ('<f4', e.g. tensor.float()) or float64", path, dt);
    return plstar_error(PLSTAR_EDATA, "%s: %s under a %s claim; compute in %s or pass --precision %s", path, dt,
                        plstar_validate_format_name(f), plstar_validate_format_name(f), itemsize == 4 ? "float32" : "float16");
}

int plstar_validate_read_claim(plstar_array *a, const char *path, const char *kind, const plstar_problem *p,
                               validate_format f, validate_layout layout)
{
    if ((unsigned)layout >= VALIDATE_LAYOUTS)
        return plstar_error(PLSTAR_EUSAGE, "plstar_validate_read_claim: unknown layout %d", (int)layout);
    size_t n = p->n, c = p->model.outputs, N = p->N, P = p->model.nparams;
    int matrix = !strcmp(kind, "jacobian") || !strcmp(kind, "kernel");
    if (!matrix && strcmp(kind, "outputs") && strcmp(kind, "losses"))
        return plstar_error(PLSTAR_EUSAGE, "plstar_validate_read_claim: unknown kind \"%s\"", kind);
    plstar_array t;
    plstar_npy_init(&t);
    int st = plstar_npy_read(&t, path);
    if (st)
        return st;
    size_t r0 = t.ndim > 0 ? t.shape[0] : 0, r1 = t.ndim > 1 ? t.shape[1] : 0;
    int ok;
    char want[192], got[96];
    if (matrix) {
        claim_shape full = layout_shape(kind, layout, p, 0), alt = layout_shape(kind, layout, p, 1);
        ok = shape_is(&t, &full) || (alt.ndim && shape_is(&t, &alt));
        claim_shape_string(want, sizeof want, &full);
        snprintf(want + strlen(want), sizeof want - strlen(want), " = %s", layout_letters(kind, layout, full.ndim));
        if (alt.ndim) {
            char a2[64];
            claim_shape_string(a2, sizeof a2, &alt);
            snprintf(want + strlen(want), sizeof want - strlen(want), " or, with one output, %s", a2);
        }
        snprintf(want + strlen(want), sizeof want - strlen(want), " in the %s layout", plstar_validate_layout_name(layout));
    } else if (!strcmp(kind, "outputs")) {
        ok = (t.ndim == 1 && r0 == N) || (t.ndim == 2 && ((r0 == N && r1 == 1) || (r0 == n && r1 == c)));
        snprintf(want, sizeof want, "(%zu,) or (%zu, %zu)", N, n, c);
    } else {
        ok = (t.ndim == 1 && r0 >= 1) || (t.ndim == 2 && r0 >= 1 && r1 == 1);
        snprintf(want, sizeof want, "(T + 1,): L(w_0), ..., L(w_T)");
    }
    if (!ok) {
        shape_string(got, sizeof got, &t);
        plstar_npy_clear(&t);
        return plstar_error(PLSTAR_EDATA, "%s: %s array has shape %s; expected %s (%zu samples, %zu outputs, %zu "
                            "parameters)", path, !strcmp(kind, "kernel") && layout == VALIDATE_LAYOUT_TRACED
                                                     ? "traced kernel" : kind, got, want, n, c, P);
    }
    if ((st = check_itemsize(path, t.source_itemsize, f))) {
        plstar_npy_clear(&t);
        return st;
    }
    size_t at;
    if (!plstar_array_all_finite(t.data, t.size, &at)) {
        char pos[96] = "";
        size_t len = 0;
        for (size_t k = 0, stride = t.size; k < t.ndim && len < sizeof pos; k++) { /* the file's own indices */
            stride /= t.shape[k];
            len += (size_t)snprintf(pos + len, sizeof pos - len, k ? ", %zu" : "%zu", (at / stride) % t.shape[k]);
        }
        st = plstar_error(PLSTAR_EDATA, "%s: non-finite value %g at [%s] (%s entry %zu)", path, t.data[at], pos, kind,
                          at);
        plstar_npy_clear(&t);
        return st;
    }
    if (!strcmp(kind, "kernel") && layout == VALIDATE_LAYOUT_NEURAL_TANGENTS && t.ndim == 4 &&
        (st = permute_nt(&t, n, c))) {
        plstar_npy_clear(&t);
        return st;
    }
    plstar_npy_clear(a);
    *a = t;
    return PLSTAR_OK;
}

void plstar_validate_describe_claim(char *buf, size_t len, const plstar_array *a, const char *kind, const plstar_problem *p,
                                    validate_layout layout)
{
    size_t c = p->model.outputs, N = p->N, P = p->model.nparams, n = p->n;
    char shape[96];
    shape_string(shape, sizeof shape, a);
    const char *how;
    char buf2[200];
    int traced = !strcmp(kind, "kernel") && layout == VALIDATE_LAYOUT_TRACED;
    if (!strcmp(kind, "jacobian"))
        how = a->ndim == 3 ? "[i, a, p] = J[i*c + a, p]" : "[r, p] = J[r, p]";
    else if (traced)
        how = "[i, j] = sum over outputs a of K[i*c + a, j*c + a]";
    else if (!strcmp(kind, "kernel"))
        how = a->ndim == 4 ? (layout == VALIDATE_LAYOUT_FUNCTORCH ? "[i, a, j, b] = K[i*c + a, j*c + b]"
                                                                   : "[i, j, a, b] = K[i*c + a, j*c + b]")
                           : "[r, s] = K[r, s]";
    else if (!strcmp(kind, "outputs"))
        how = a->ndim == 2 && a->shape[1] == c && c > 1 ? "[i, a] = F[i*c + a]" : "F[r], r = i*c + a";
    else
        how = "L[t] = L(w_t)";
    if (!strcmp(kind, "jacobian"))
        snprintf(buf2, sizeof buf2, ", compared as (%zu, %zu)", N, P);
    else if (traced)
        snprintf(buf2, sizeof buf2, ", compared as (%zu, %zu) with the traced reference", n, n);
    else if (!strcmp(kind, "kernel"))
        snprintf(buf2, sizeof buf2, ", compared as (%zu, %zu)", N, N);
    else
        buf2[0] = '\0';
    snprintf(buf, len, "%s %s, %s layout (c = %zu): %s%s", traced ? "traced kernel" : kind, shape,
             (!strcmp(kind, "jacobian") || !strcmp(kind, "kernel")) ? plstar_validate_layout_name(layout) : "any", c, how,
             buf2);
}

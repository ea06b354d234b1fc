#include "proofs-checks/validate.h"
#include "core/error.h"
#include "core/outfile.h"
#include "core/report.h"
#include "fast/errbound.h"
#include "fast/network.h"
#include "reference/eig.h"
#include "reference/network.h"

#include <errno.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define U64 0x1p-53

double validate_unit_roundoff(validate_format f) { return f == VALIDATE_FLOAT32 ? 0x1p-24 : 0x1p-53; }

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
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

static const char *act_formula(plstar_act a)
{
    switch (a) {
    case ACT_LINEAR: return "z";
    case ACT_TANH: return "tanh(z)";
    case ACT_SIGMOID: return "1 / (1 + exp(-z))";
    case ACT_SOFTPLUS: return "log(1 + exp(z)), e.g. torch.logaddexp(z, 0) (torch.nn.functional.softplus returns z for z > 20, off by up to 2.1e-9: a different function at float64 accuracy)";
    case ACT_SIN: return "sin(z)";
    case ACT_ERF: return "erf(z)";
    case ACT_GELU: return "z * (1 + erf(z / sqrt(2))) / 2 (the exact erf form: torch gelu with approximate='none')";
    case ACT_RELU: return "max(z, 0), derivative 0 at z = 0";
    case ACT_LEAKY_RELU: return "z for z > 0, 0.01 * z otherwise; derivative 0.01 at z = 0";
    default: return "unknown";
    }
}

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
        json_object_set_new(o, "scale", json_real(fast_layer_scale(L)));
        snprintf(buf, sizeof buf, L->scale_div == 1 ? "1" : "1/sqrt(%zu)", L->scale_div);
        json_object_set_new(o, "scale_formula", json_string(buf));
        json_object_set_new(o, "activation", json_string(act_name(L->act)));
        json_object_set_new(o, "activation_formula", json_string(act_formula(L->act)));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *bundle_manifest(const plstar_problem *p)
{
    const plstar_model *m = &p->model;
    int labels = p->y.size > 0;
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string(VALIDATE_BUNDLE_FORMAT));
    json_object_set_new(o, "format_version", json_integer(VALIDATE_BUNDLE_VERSION));
    json_object_set_new(o, "plstar_version", json_string(PLSTAR_VERSION));
    char *desc = model_to_json(m);
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
    json_object_set_new(o, "loss", json_string("L(w) = 0.5 * sum over i, k of (f_k(w; x_i) - y[i, k])^2: a sum, "
                                               "not a mean"));
    json_object_set_new(o, "gradient_descent",
                        json_string("w_{t+1} = w_t - lr * grad L(w_t) from w_0 = w0; the losses file holds "
                                    "L(w_0), L(w_1), ..., L(w_T): T + 1 values"));
    json_t *ex = json_object();
    json_object_set_new(ex, "outputs", shape1(p->N));
    json_object_set_new(ex, "jacobian", shape2(p->N, m->nparams));
    json_object_set_new(ex, "kernel", shape2(p->N, p->N));
    json_object_set_new(ex, "lambda_min", json_string("one number: the smallest eigenvalue of K"));
    json_object_set_new(ex, "losses", json_string("(T + 1,)"));
    json_object_set_new(o, "expected_shapes", ex);
    json_object_set_new(o, "precision",
                        json_string("float64: compute with X, w0, y as stored. float32: round X, w0, y to float32 "
                                    "once, compute in float32 and claim --precision float32. Save arrays as "
                                    "'<f8' or '<f4' .npy files."));
    json_object_set_new(o, "validate",
                        json_string("plstar validate --bundle DIR [--outputs F.npy] [--jacobian J.npy] "
                                    "[--kernel K.npy] [--lambda-min V] [--losses L.npy --lr ETA] "
                                    "[--precision float64|float32] [--json report.json]"));
    return o;
}

static char *bundle_readme(const plstar_problem *p)
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
        ADD(", activation %s = %s\n", act_name(L->act), act_formula(L->act));
    }
    ADD("\nLayout: w0 lists each layer's W (shape (out, in), row-major, as torch.nn.Linear.weight), then\n"
        "its bias, layer after layer: torch.nn.utils.vector_to_parameters(w0, model.parameters()) loads it.\n"
        "Biases are added after the scaling, unscaled.\n"
        "Output order: sample-major. Entry i*c + k of F (or F[i, k]), row i*c + k of the Jacobian\n"
        "(N = %zu rows, P = %zu columns, columns in the order of w0) and of the kernel K = J J^T (N x N).\n"
        "Loss: L(w) = 0.5 * sum((F(w) - y)^2), a sum, not a mean. Gradient descent from w0:\n"
        "w_{t+1} = w_t - lr * grad L(w_t); write L(w_0), ..., L(w_T) (T + 1 values).\n\n",
        p->N, m->nparams);
    ADD("Precision: in float64 use the arrays as stored; in float32 round X, w0, y to float32 once, compute\n"
        "in float32 and pass --precision float32. The tolerance is derived from that claim.\n\n"
        "Check:\n  plstar validate --bundle THIS_DIR --outputs F.npy --jacobian J.npy --kernel K.npy \\\n"
        "      --lambda-min V --losses L.npy --lr ETA --precision float64|float32 --json report.json\n"
        "Exit status 0: every value within tolerance of the exact one; 1: some value is not (the report\n"
        "names the worst entries); 2: cannot be judged; 65: a file has the wrong shape, dtype or a NaN.\n");
#undef ADD
    if (len >= cap) {
        free(s);
        return NULL;
    }
    return s;
}

int validate_write_bundle(const plstar_problem *p, const char *dir)
{
    if (!p || !dir || !p->w || !p->X.data)
        return plstar_error(PLSTAR_EUSAGE, "validate_write_bundle: incomplete problem or no directory");
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
    char *desc = st ? NULL : model_to_json(m);
    if (!st && desc) {
        size_t len = strlen(desc);
        char *t = malloc(len + 2);
        if (t) {
            memcpy(t, desc, len);
            memcpy(t + len, "\n", 2);
            st = outfile_write_text(path[0], t);
            free(t);
        } else {
            st = plstar_error(PLSTAR_ESOFTWARE, "out of memory");
        }
    }
    free(desc);
    if (!st)
        st = npy_write_matrix(path[1], p->X.data, p->n, m->input_dim);
    if (!st && p->y.size)
        st = npy_write_matrix(path[2], p->y.data, p->n, m->outputs);
    if (!st && !p->y.size && unlink(path[2]) != 0 && errno != ENOENT) /* no stale labels from an earlier export */
        st = plstar_error(PLSTAR_ECANTCREAT, "%s: cannot remove: %s", path[2], strerror(errno));
    if (!st)
        st = npy_write_vector(path[3], p->w, m->nparams);
    if (!st) {
        json_t *man = bundle_manifest(p);
        st = report_write(path[4], man);
        json_decref(man);
    }
    if (!st) {
        char *r = bundle_readme(p);
        st = r ? outfile_write_text(path[5], r) : plstar_error(PLSTAR_ESOFTWARE, "out of memory for README.txt");
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

int validate_read_bundle(plstar_problem *p, const char *dir)
{
    if (!p || !dir)
        return plstar_error(PLSTAR_EUSAGE, "validate_read_bundle: NULL argument");
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
        st = problem_load(p, model, X, w, 0, labels ? y : NULL);
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

int validate_read_claim(plstar_array *a, const char *path, const char *kind, const plstar_problem *p,
                        validate_format f)
{
    int st = npy_read(a, path);
    if (st)
        return st;
    size_t n = p->n, c = p->model.outputs, N = p->N, P = p->model.nparams;
    size_t r0 = a->ndim > 0 ? a->shape[0] : 0, r1 = a->ndim > 1 ? a->shape[1] : 0;
    int ok;
    char want[128], got[96];
    if (!strcmp(kind, "outputs")) {
        ok = (a->ndim == 1 && r0 == N) || (a->ndim == 2 && ((r0 == N && r1 == 1) || (r0 == n && r1 == c)));
        snprintf(want, sizeof want, "(%zu,) or (%zu, %zu)", N, n, c);
    } else if (!strcmp(kind, "jacobian")) {
        ok = a->ndim == 2 && r0 == N && r1 == P;
        snprintf(want, sizeof want, "(%zu, %zu) = (N, P)", N, P);
    } else if (!strcmp(kind, "kernel")) {
        ok = a->ndim == 2 && r0 == N && r1 == N;
        snprintf(want, sizeof want, "(%zu, %zu) = (N, N)", N, N);
    } else if (!strcmp(kind, "losses")) {
        ok = (a->ndim == 1 && r0 >= 1) || (a->ndim == 2 && r0 >= 1 && r1 == 1);
        snprintf(want, sizeof want, "(T + 1,): L(w_0), ..., L(w_T)");
    } else {
        return plstar_error(PLSTAR_EUSAGE, "validate_read_claim: unknown kind \"%s\"", kind);
    }
    if (!ok) {
        shape_string(got, sizeof got, a);
        return plstar_error(PLSTAR_EDATA, "%s: %s array has shape %s; expected %s (%zu samples, %zu outputs, %zu "
                            "parameters)", path, kind, got, want, n, c, P);
    }
    if (f == VALIDATE_FLOAT64 && a->source_itemsize == 4)
        return plstar_error(PLSTAR_EDATA, "%s: float32 data ('<f4') under a float64 claim; compute in float64 "
                            "or pass --precision float32", path);
    size_t at;
    if (!array_all_finite(a->data, a->size, &at)) {
        if (a->ndim == 2)
            return plstar_error(PLSTAR_EDATA, "%s: non-finite value %g at [%zu, %zu] (%s entry %zu)", path,
                                a->data[at], at / a->shape[1], at % a->shape[1], kind, at);
        return plstar_error(PLSTAR_EDATA, "%s: non-finite value %g at [%zu] (%s entry %zu)", path, a->data[at], at,
                            kind, at);
    }
    return PLSTAR_OK;
}

/* ---- comparison -------------------------------------------------------- */

static void q_init(validate_quantity *q, const char *name, size_t rows, size_t cols, slong prec)
{
    memset(q, 0, sizeof *q);
    q->name = name;
    q->rows = rows;
    q->cols = cols;
    q->prec = prec;
    q->worst_ratio = -1.0;
}

/* 1 if |theirs − x| ≤ tol for some x in the ball `ref`, decided exactly. A tolerance that is not a
 * finite number (an overflowing bound) excludes nothing: 1 (the entry is then unresolved). */
static int inside(const arb_t ref, double theirs, double tol)
{
    if (!isfinite(theirs))
        return 0;
    if (!(tol >= 0) || !isfinite(tol))
        return 1;
    arb_t d;
    mag_t e;
    arb_init(d);
    mag_init(e);
    arb_set_d(d, theirs);
    arb_sub(d, ref, d, ARF_PREC_EXACT);
    mag_set_d(e, tol);
    mag_add(arb_radref(d), arb_radref(d), e);
    int ok = arb_contains_zero(d);
    mag_clear(e);
    arb_clear(d);
    return ok;
}

/* The same for an enclosure given as mid ± rad (doubles, rad already an upper bound). */
static int inside_d(double mid, double rad, double theirs, double tol)
{
    arb_t r;
    arb_init(r);
    arb_set_d(r, mid);
    mag_set_d(arb_radref(r), rad);
    int ok = isfinite(rad) && isfinite(mid) && inside(r, theirs, tol);
    arb_clear(r);
    return ok;
}

/* Records one entry: `out` when it is proven outside, `judgeable` when the enclosure is narrow enough
 * (rad ≤ tol) and the tolerance model applies. */
static void q_entry(validate_quantity *q, size_t index, double theirs, double mid, double rad, double tol, int out,
                    int judgeable)
{
    q->count++;
    if (out)
        q->violations++;
    else if (!judgeable || !(rad <= tol) || !isfinite(tol))
        q->unresolved++;
    double allow = rad + tol, diff = fabs(theirs - mid);
    double ratio = allow > 0 ? diff / allow : (diff == 0 ? 0.0 : INFINITY);
    if (!isfinite(theirs) || isnan(ratio))
        ratio = INFINITY;
    if (ratio > q->worst_ratio)
        q->worst_ratio = ratio;
    validate_entry e = {index, theirs, mid, rad, tol, ratio};
    size_t k = q->nworst < VALIDATE_NWORST ? q->nworst++ : VALIDATE_NWORST;
    if (k == VALIDATE_NWORST && !(ratio > q->worst[VALIDATE_NWORST - 1].ratio))
        return;
    if (k == VALIDATE_NWORST)
        k--;
    while (k > 0 && ratio > q->worst[k - 1].ratio) {
        q->worst[k] = q->worst[k - 1];
        k--;
    }
    q->worst[k] = e;
}

static void q_finish(validate_quantity *q)
{
    q->status = q->violations ? PLSTAR_REFUTED : q->unresolved ? PLSTAR_INCONCLUSIVE : PLSTAR_OK;
    if (q->count == 0)
        q->worst_ratio = 0.0;
}

/* Their values against the ball matrix `ref` (row-major, count entries) with tolerances tol. */
static int compare_matrix(validate_quantity *q, const double *theirs, const arb_mat_t ref, const double *tol,
                          size_t count, int regime_ok)
{
    double *mid = malloc((count ? count : 1) * sizeof(double)), *rad = malloc((count ? count : 1) * sizeof(double));
    if (!mid || !rad) {
        free(mid), free(rad);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory comparing %s", q->name);
    }
    ref_mat_to_doubles(mid, rad, ref);
    for (size_t k = 0; k < count; k++)
        q_entry(q, k, theirs[k], mid[k], rad[k], tol[k], regime_ok && !inside(ref->entries + k, theirs[k], tol[k]),
                regime_ok);
    free(mid), free(rad);
    q_finish(q);
    return PLSTAR_OK;
}

/* Upper bound on the sum of k non-negative doubles summed in double. */
static double up_sum(double s, size_t k) { return s * (1.0 + 2.0 * (double)(k + 8) * U64) + 0x1p-1000; }

/* ---- λ_min ------------------------------------------------------------- */

/* λ_min(K) ∈ [lo, hi] for every symmetric K in the ball matrix `Kb` (reference/eig.h). */
static int lambda_min_enclosure(double *lo, double *hi, const arb_mat_t Kb, slong prec)
{
    arb_t lmin, lmax;
    arb_init(lmin), arb_init(lmax);
    int st = ref_eig_bounds(lmin, lmax, Kb, prec);
    *lo = -INFINITY, *hi = INFINITY;
    if (st == PLSTAR_OK) {
        *lo = arb_lower_d(lmin), *hi = arb_upper_d(lmin);
        if (!isfinite(*lo) || !isfinite(*hi))
            st = PLSTAR_INCONCLUSIVE;
    } else if (st == PLSTAR_EDATA || st == PLSTAR_EUSAGE) {
        st = PLSTAR_INCONCLUSIVE; /* a non-finite enclosure: not judged */
    }
    arb_clear(lmin), arb_clear(lmax);
    return st;
}

static int check_lambda(validate_quantity *q, const arb_mat_t K, const double *tolK, size_t N, double V, double u,
                        int regime, slong prec)
{
    q_init(q, "lambda_min", 1, 1, prec);
    double lo, hi;
    int st = lambda_min_enclosure(&lo, &hi, K, prec);
    if (st != PLSTAR_OK && st != PLSTAR_INCONCLUSIVE)
        return st;
    q->lower = lo, q->upper = hi;
    /* ‖T_K‖_F and ‖K‖_F (from |mid| + rad), rounded up */
    double *mid = malloc(N * N * sizeof(double) + 1), *rad = malloc(N * N * sizeof(double) + 1);
    if (!mid || !rad) {
        free(mid), free(rad);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the eigenvalue tolerance");
    }
    ref_mat_to_doubles(mid, rad, K);
    double t2 = 0, k2 = 0;
    for (size_t k = 0; k < N * N; k++) {
        double a = fabs(mid[k]) + rad[k];
        t2 += tolK[k] * tolK[k];
        k2 += a * a;
    }
    free(mid), free(rad);
    double nT = sqrt(up_sum(t2, N * N)) * (1 + 4 * U64), nK = sqrt(up_sum(k2, N * N)) * (1 + 4 * U64);
    double tol = up_sum(nT + VALIDATE_SLACK * (double)N * u * (nK + nT), 4);
    if (st == PLSTAR_OK) {
        double m = 0.5 * lo + 0.5 * hi;
        double r = fmax(hi - m, m - lo);
        r = nextafter(r, INFINITY);
        q_entry(q, 0, V, m, r, tol, regime && !inside_d(m, r, V, tol), regime);
    } else {
        q_entry(q, 0, V, 0.0, INFINITY, tol, 0, 0);
        snprintf(q->note, sizeof q->note, "the eigenvalues of the reference kernel could not be enclosed");
    }
    q_finish(q);
    return PLSTAR_OK;
}

/* ---- the loss trajectory ---------------------------------------------- */

/* Square loss and its gradient (when grad is not NULL) at a ball of weights w; X (n × d) and
 * Y (n × c) exact. reference/network.h takes exact double weights; GD iterates are balls. */
static void ball_loss_grad(arb_t loss, arb_ptr grad, const plstar_model *m, const arb_mat_t X, const arb_mat_t Y,
                           arb_srcptr w, slong prec)
{
    size_t n = (size_t)arb_mat_nrows(X), nl = m->nlayers;
    arb_mat_struct *A = flint_malloc(nl * sizeof(arb_mat_struct));
    arb_mat_struct *S = flint_malloc(nl * sizeof(arb_mat_struct));
    arb_mat_struct *W = flint_malloc(nl * sizeof(arb_mat_struct));
    arb_t scale;
    arb_init(scale);
    for (size_t l = 0; l < nl; l++) {
        const plstar_layer *L = &m->layers[l];
        const arb_mat_struct *prev = l ? A + l - 1 : X;
        arb_mat_t Wt, Z;
        arb_mat_init(W + l, L->out, L->in);
        for (size_t a = 0; a < L->out; a++)
            for (size_t b = 0; b < L->in; b++) {
                if (L->trainable)
                    arb_set(arb_mat_entry(W + l, a, b), w + L->w_offset + a * L->in + b);
                else
                    arb_set_d(arb_mat_entry(W + l, a, b), L->fixed[a * L->in + b]);
            }
        arb_mat_init(Wt, L->in, L->out);
        arb_mat_init(Z, n, L->out);
        arb_mat_transpose(Wt, W + l);
        arb_mat_mul(Z, prev, Wt, prec);
        ref_layer_scale(scale, L, prec);
        arb_mat_scalar_mul_arb(Z, Z, scale, prec);
        arb_mat_init(A + l, n, L->out);
        arb_mat_init(S + l, n, L->out);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < L->out; j++) {
                arb_ptr z = arb_mat_entry(Z, i, j);
                if (L->has_bias)
                    arb_add(z, z, w + L->b_offset + j, prec);
                act_eval_arb(L->act, arb_mat_entry(A + l, i, j), arb_mat_entry(S + l, i, j), NULL, z, prec);
            }
        arb_mat_clear(Wt);
        arb_mat_clear(Z);
    }
    size_t last = nl - 1, c = m->outputs;
    arb_mat_t D;
    arb_mat_init(D, n, c);
    arb_zero(loss);
    for (size_t k = 0; k < n * c; k++) {
        arb_ptr r = D->entries + k;
        arb_sub(r, A[last].entries + k, Y->entries + k, prec);
        arb_addmul(loss, r, r, prec);
        arb_mul(r, r, S[last].entries + k, prec);
    }
    arb_mul_2exp_si(loss, loss, -1);
    for (size_t l = last + 1; grad && l-- > 0;) {
        const plstar_layer *L = &m->layers[l];
        const arb_mat_struct *prev = l ? A + l - 1 : X;
        ref_layer_scale(scale, L, prec);
        if (L->trainable) {
            arb_mat_t Dt, G;
            arb_mat_init(Dt, L->out, n);
            arb_mat_init(G, L->out, L->in);
            arb_mat_transpose(Dt, D);
            arb_mat_mul(G, Dt, prev, prec);
            for (size_t a = 0; a < L->out; a++) {
                for (size_t b = 0; b < L->in; b++)
                    arb_mul(grad + L->w_offset + a * L->in + b, arb_mat_entry(G, a, b), scale, prec);
                if (L->has_bias) {
                    arb_ptr gb = grad + L->b_offset + a;
                    arb_zero(gb);
                    for (size_t i = 0; i < n; i++)
                        arb_add(gb, gb, arb_mat_entry(D, i, a), prec);
                }
            }
            arb_mat_clear(Dt);
            arb_mat_clear(G);
        }
        if (l > 0) {
            arb_mat_t Dp;
            arb_mat_init(Dp, n, L->in);
            arb_mat_mul(Dp, D, W + l, prec);
            for (size_t k = 0; k < n * L->in; k++) {
                arb_mul(Dp->entries + k, Dp->entries + k, scale, prec);
                arb_mul(Dp->entries + k, Dp->entries + k, S[l - 1].entries + k, prec);
            }
            arb_mat_swap(D, Dp);
            arb_mat_clear(Dp);
        }
    }
    arb_mat_clear(D);
    for (size_t l = 0; l < nl; l++) {
        arb_mat_clear(A + l);
        arb_mat_clear(S + l);
        arb_mat_clear(W + l);
    }
    flint_free(A), flint_free(S), flint_free(W);
    arb_clear(scale);
}

/* Encloses L(w_t), t = 0..T, of exact GD from p->w; wm (if not NULL) gets the iterates' midpoints. */
static void ref_trajectory(arb_ptr Lref, double *wm, const plstar_problem *p, double lr, size_t T, slong prec)
{
    const plstar_model *m = &p->model;
    size_t n = p->n, c = m->outputs, d = m->input_dim, P = m->nparams;
    arb_mat_t X, Y;
    arb_mat_init(X, n, d);
    arb_mat_init(Y, n, c);
    for (size_t k = 0; k < n * d; k++)
        arb_set_d(X->entries + k, p->X.data[k]);
    for (size_t k = 0; k < n * c; k++)
        arb_set_d(Y->entries + k, p->y.data[k]);
    arb_ptr w = _arb_vec_init((slong)P), g = _arb_vec_init((slong)P);
    for (size_t k = 0; k < P; k++)
        arb_set_d(w + k, p->w[k]);
    arb_t eta;
    arb_init(eta);
    arb_set_d(eta, lr);
    for (size_t t = 0; t <= T; t++) {
        if (wm)
            for (size_t k = 0; k < P; k++)
                wm[t * P + k] = arf_get_d(arb_midref(w + k), ARF_RND_NEAR);
        ball_loss_grad(Lref + t, t < T ? g : NULL, m, X, Y, w, prec);
        if (t < T)
            for (size_t k = 0; k < P; k++)
                arb_submul(w + k, eta, g + k, prec);
    }
    arb_clear(eta);
    _arb_vec_clear(w, (slong)P);
    _arb_vec_clear(g, (slong)P);
    arb_mat_clear(X);
    arb_mat_clear(Y);
}

static double norm2(const double *x, size_t len)
{
    double s = 0;
    for (size_t k = 0; k < len; k++)
        s += x[k] * x[k];
    return sqrt(s);
}

/* λ_max of the fast kernel at w (a model quantity for the tolerance, not a certificate). */
static double lambda_max_fast(const plstar_problem *p, const double *w, double *K)
{
    size_t N = p->N;
    if (fast_kernel_explicit(K, &p->model, p->X.data, p->n, w))
        return INFINITY;
    double fro = norm2(K, N * N);
    double *ev = malloc(N * sizeof(double));
    if (!ev)
        return fro;
    int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)N, K, (lapack_int)N, ev);
    double lmax = info == 0 ? fmax(ev[N - 1], 0.0) : fro;
    free(ev);
    return isfinite(lmax) ? lmax : fro;
}

/* The first-order propagation of their rounding along the mid trajectory wm (validate.h). */
static int trajectory_tolerances(double *tol, int *regime, const plstar_problem *p, const double *wm, size_t T,
                                 double lr, const fast_arith *ar)
{
    const plstar_model *m = &p->model;
    size_t P = m->nparams, N = p->N;
    double *g = malloc(P * sizeof(double)), *eg = malloc(P * sizeof(double)), *K = malloc(N * N * sizeof(double));
    if (!g || !eg || !K) {
        free(g), free(eg), free(K);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the trajectory tolerances");
    }
    double u = ar->u, delta = ar->inputs_rounded ? u * norm2(wm, P) : 0.0;
    int st = PLSTAR_OK;
    for (size_t t = 0; !st && t <= T; t++) {
        const double *w = wm + t * P;
        double loss, eL;
        fast_errors e = {.loss = &eL, .grad = eg};
        st = fast_loss_grad(&loss, g, m, p->X.data, p->n, w, p->y.data);
        if (!st)
            st = fast_errbound_u(&e, m, p->X.data, p->n, w, p->y.data, ar);
        if (st)
            break;
        double lam = lambda_max_fast(p, w, K), gn = norm2(g, P), wn = norm2(w, P);
        tol[t] = VALIDATE_SLACK * (eL + gn * delta + 0.5 * lam * delta * delta) * (1 + 0x1p-20);
        regime[t] = isfinite(tol[t]) && delta <= 1e-2 * fmax(1.0, wn);
        if (t < T)
            delta = fmax(1.0, lr * lam - 1.0) * delta + lr * norm2(eg, P) + 2 * u * lr * gn +
                    u * norm2(wm + (t + 1) * P, P);
    }
    free(g), free(eg), free(K);
    return st;
}

static int check_losses(validate_quantity *q, const plstar_problem *p, const validate_claims *c,
                        const fast_arith *ar, int model_regime, slong prec)
{
    size_t T = c->nlosses - 1, P = p->model.nparams;
    q_init(q, "losses", c->nlosses, 1, prec);
    size_t bytes;
    if (!plstar_size_mul(&bytes, T + 1, P, sizeof(double)))
        return plstar_error(PLSTAR_EDATA, "losses: %zu steps of %zu parameters are too many", T, P);
    double *wm = malloc(bytes ? bytes : 1), *tol = malloc((T + 1) * sizeof(double));
    int *regime = malloc((T + 1) * sizeof(int));
    arb_ptr L = _arb_vec_init((slong)(T + 1));
    if (!wm || !tol || !regime) {
        free(wm), free(tol), free(regime);
        _arb_vec_clear(L, (slong)(T + 1));
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the loss trajectory (%zu steps)", T);
    }
    ref_trajectory(L, wm, p, c->lr, T, prec);
    int st = trajectory_tolerances(tol, regime, p, wm, T, c->lr, ar);
    for (size_t t = 0; t <= T; t++)
        regime[t] &= model_regime;
    /* raise the precision until every enclosure is narrower than its tolerance */
    while (!st && prec < VALIDATE_MAX_PREC) {
        int wide = 0;
        for (size_t t = 0; t <= T; t++)
            if (regime[t] && !(arb_is_finite(L + t) && mag_get_d(arb_radref(L + t)) <= tol[t] / 16))
                wide = 1;
        if (!wide)
            break;
        prec *= 2;
        ref_trajectory(L, NULL, p, c->lr, T, prec);
    }
    q->prec = prec;
    size_t first_bad_regime = T + 1;
    for (size_t t = 0; !st && t <= T; t++) {
        double mid, rad;
        arb_mat_t one;
        arb_mat_init(one, 1, 1);
        arb_set(arb_mat_entry(one, 0, 0), L + t);
        ref_mat_to_doubles(&mid, &rad, one);
        arb_mat_clear(one);
        int out = regime[t] && !inside(L + t, c->losses[t], tol[t]);
        if (!regime[t] && first_bad_regime > T)
            first_bad_regime = t;
        q_entry(q, t, c->losses[t], mid, rad, tol[t], out, regime[t]);
    }
    if (!st && first_bad_regime <= T && model_regime)
        snprintf(q->note, sizeof q->note,
                 "from step %zu on, rounding may be amplified beyond the first-order model (the step is large for "
                 "the kernel's largest eigenvalue, or the trajectory diverges); those steps are not judged",
                 first_bad_regime);
    q_finish(q);
    free(wm), free(tol), free(regime);
    _arb_vec_clear(L, (slong)(T + 1));
    return st;
}

/* ---- the whole check --------------------------------------------------- */

int check_validate(validate_result *res, const plstar_problem *p, const validate_claims *c, slong prec)
{
    if (!res || !p || !c || !p->w)
        return plstar_error(PLSTAR_EUSAGE, "check_validate: NULL argument");
    memset(res, 0, sizeof *res);
    double t0 = now();
    const plstar_model *m = &p->model;
    size_t n = p->n, N = p->N, P = m->nparams;
    res->format = c->format;
    res->u = validate_unit_roundoff(c->format);
    res->slack = VALIDATE_SLACK;
    if (c->losses && !p->y.size)
        return plstar_error(PLSTAR_EUSAGE, "a loss trajectory needs labels: this bundle has no y.npy "
                                           "(export it with --labels)");
    if (c->losses && (c->nlosses == 0 || !(c->lr > 0) || !isfinite(c->lr)))
        return plstar_error(PLSTAR_EUSAGE, "a loss trajectory needs at least one value and a step --lr > 0");
    if (!c->outputs && !c->jacobian && !c->kernel && !c->has_lambda_min && !c->losses)
        return plstar_error(PLSTAR_EUSAGE, "nothing to validate");
    fast_arith ar = {res->u, c->format == VALIDATE_FLOAT32, 1,
                     c->format == VALIDATE_FLOAT32 ? 0x1p-100 : 0x1p-996};
    /* the analysis is first order: every γ_k must be small */
    size_t kmax = (P > N ? P : N) + n + 16;
    int regime = (double)kmax * res->u <= 1.0 / 16;
    int needK = c->kernel || c->has_lambda_min, needJ = c->jacobian != NULL;
    size_t cells = 0;
    if ((needJ || needK) && (!plstar_size_mul(&cells, N, P, sizeof(double)) || cells > ((size_t)1 << 36)))
        return plstar_error(PLSTAR_EDATA, "a %zu x %zu Jacobian is too large to validate", N, P);
    double *eF = calloc(N ? N : 1, sizeof(double));
    double *eJ = needJ ? calloc(N * P + 1, sizeof(double)) : NULL;
    double *eK = needK ? calloc(N * N + 1, sizeof(double)) : NULL;
    if (!eF || (needJ && !eJ) || (needK && !eK)) {
        free(eF), free(eJ), free(eK);
        return plstar_error(PLSTAR_ESOFTWARE, "out of memory for the tolerances");
    }
    fast_errors e = {eF, eJ, eK, NULL, NULL};
    int st = (c->outputs || needJ || needK) ? fast_errbound_u(&e, m, p->X.data, n, p->w, NULL, &ar) : PLSTAR_OK;
    for (size_t k = 0; k < N; k++)
        eF[k] *= VALIDATE_SLACK;
    for (size_t k = 0; eJ && k < N * P; k++)
        eJ[k] *= VALIDATE_SLACK;
    for (size_t k = 0; eK && k < N * N; k++)
        eK[k] *= VALIDATE_SLACK;
    const char *regime_note = "the model is too large for a first-order rounding analysis in this format "
                              "(max(P, N) + n times u exceeds 1/16): not judged";
    if (!st && c->outputs) {
        validate_quantity *q = &res->q[res->nq++];
        q_init(q, "outputs", N, 1, prec);
        arb_mat_t F;
        arb_mat_init(F, N, 1);
        st = ref_outputs(F, m, p->X.data, n, p->w, prec);
        if (!st)
            st = compare_matrix(q, c->outputs, F, eF, N, regime);
        if (!regime)
            snprintf(q->note, sizeof q->note, "%s", regime_note);
        arb_mat_clear(F);
    }
    if (!st && c->jacobian) {
        validate_quantity *q = &res->q[res->nq++];
        q_init(q, "jacobian", N, P, prec);
        arb_mat_t J;
        arb_mat_init(J, N, P);
        st = ref_jacobian(J, m, p->X.data, n, p->w, prec);
        if (!st)
            st = compare_matrix(q, c->jacobian, J, eJ, N * P, regime);
        if (!regime)
            snprintf(q->note, sizeof q->note, "%s", regime_note);
        arb_mat_clear(J);
    }
    if (!st && needK) {
        arb_mat_t K;
        arb_mat_init(K, N, N);
        st = ref_kernel(K, m, p->X.data, n, p->w, prec);
        if (!st && c->kernel) {
            validate_quantity *q = &res->q[res->nq++];
            q_init(q, "kernel", N, N, prec);
            st = compare_matrix(q, c->kernel, K, eK, N * N, regime);
            if (!regime)
                snprintf(q->note, sizeof q->note, "%s", regime_note);
        }
        if (!st && c->has_lambda_min) {
            validate_quantity *q = &res->q[res->nq++];
            st = check_lambda(q, K, eK, N, c->lambda_min, res->u, regime, prec);
            if (!st && !regime)
                snprintf(q->note, sizeof q->note, "%s", regime_note);
        }
        arb_mat_clear(K);
    }
    if (!st && c->losses) {
        validate_quantity *q = &res->q[res->nq++];
        st = check_losses(q, p, c, &ar, regime, prec);
        if (!st && !regime)
            snprintf(q->note, sizeof q->note, "%s", regime_note);
    }
    free(eF), free(eJ), free(eK);
    res->seconds = now() - t0;
    if (st)
        return st;
    int any_fail = 0, any_inc = 0;
    for (size_t k = 0; k < res->nq; k++) {
        any_fail |= res->q[k].status == PLSTAR_REFUTED;
        any_inc |= res->q[k].status == PLSTAR_INCONCLUSIVE;
    }
    return any_fail ? PLSTAR_REFUTED : any_inc ? PLSTAR_INCONCLUSIVE : PLSTAR_OK;
}

/* ---- names and the report ---------------------------------------------- */

static void param_name(char *buf, size_t len, const plstar_model *m, size_t k)
{
    for (size_t l = 0; l < m->nlayers; l++) {
        const plstar_layer *L = &m->layers[l];
        if (!L->trainable)
            continue;
        if (k >= L->w_offset && k < L->w_offset + L->in * L->out) {
            size_t r = k - L->w_offset;
            snprintf(buf, len, "layer %zu W[%zu, %zu]", l + 1, r / L->in, r % L->in);
            return;
        }
        if (L->has_bias && k >= L->b_offset && k < L->b_offset + L->out) {
            snprintf(buf, len, "layer %zu b[%zu]", l + 1, k - L->b_offset);
            return;
        }
    }
    snprintf(buf, len, "parameter %zu", k);
}

void validate_entry_name(char *buf, size_t len, const validate_quantity *q, const plstar_model *m, size_t index)
{
    size_t c = m->outputs;
    char pn[64];
    if (!strcmp(q->name, "outputs")) {
        snprintf(buf, len, "F[%zu] (sample %zu, output %zu)", index, index / c, index % c);
    } else if (!strcmp(q->name, "jacobian")) {
        size_t r = index / q->cols, k = index % q->cols;
        param_name(pn, sizeof pn, m, k);
        snprintf(buf, len, "J[%zu, %zu] (sample %zu output %zu; %s)", r, k, r / c, r % c, pn);
    } else if (!strcmp(q->name, "kernel")) {
        size_t r = index / q->cols, s = index % q->cols;
        snprintf(buf, len, "K[%zu, %zu] (sample %zu output %zu, sample %zu output %zu)", r, s, r / c, r % c, s / c,
                 s % c);
    } else if (!strcmp(q->name, "losses")) {
        snprintf(buf, len, "L[%zu] (after %zu step%s)", index, index, index == 1 ? "" : "s");
    } else {
        snprintf(buf, len, "%s", q->name);
    }
}

static json_t *real_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }

json_t *validate_report(const validate_result *res, const plstar_problem *p, const validate_claims *c,
                        const char *bundle, int status)
{
    json_t *r = report_new("validate", "third-party validation (DESIGN.md): every value given lies within the "
                                       "reference enclosure of the exact value widened by the rounding allowance "
                                       "of the claimed precision (proofs-checks/validate.h, docs/validate.md)");
    report_set_verdict(r, report_verdict_name(status, 1));
    json_t *in = json_object_get(r, "inputs");
    if (bundle)
        json_object_set_new(in, "bundle", json_string(bundle));
    json_object_set_new(in, "precision", json_string(res->format == VALIDATE_FLOAT32 ? "float32" : "float64"));
    json_object_set_new(in, "unit_roundoff", json_real(res->u));
    json_object_set_new(in, "slack", json_real(res->slack));
    report_add_problem(r, p);
    if (c->losses) {
        json_object_set_new(in, "lr", json_real(c->lr));
        json_object_set_new(in, "steps", json_integer((json_int_t)(c->nlosses - 1)));
    }
    json_object_set_new(in, "tolerance_model",
                        json_string("standard forward/backward algorithms in the claimed format, any summation "
                                    "order; tolerance = slack x the running rounding-error bound of "
                                    "fast/errbound.h with that unit roundoff (inputs rounded to float32 under "
                                    "float32); losses: first-order propagation along the trajectory"));
    json_t *qs = json_object_get(r, "quantities");
    for (size_t k = 0; k < res->nq; k++) {
        const validate_quantity *q = &res->q[k];
        json_t *o = json_object();
        json_object_set_new(o, "verdict", json_string(report_verdict_name(q->status, 1)));
        json_object_set_new(o, "entries", json_integer((json_int_t)q->count));
        json_object_set_new(o, "violations", json_integer((json_int_t)q->violations));
        json_object_set_new(o, "unresolved", json_integer((json_int_t)q->unresolved));
        json_object_set_new(o, "worst_ratio", real_or_null(q->worst_ratio));
        json_object_set_new(o, "reference_prec", json_integer(q->prec));
        if (!strcmp(q->name, "lambda_min"))
            json_object_set_new(o, "reference", report_interval(q->lower, q->upper));
        json_t *wl = json_array();
        for (size_t j = 0; j < q->nworst; j++) {
            const validate_entry *e = &q->worst[j];
            json_t *we = json_object();
            char name[160];
            validate_entry_name(name, sizeof name, q, &p->model, e->index);
            json_object_set_new(we, "index", json_integer((json_int_t)e->index));
            if (q->cols > 1) {
                json_t *pos = json_array();
                json_array_append_new(pos, json_integer((json_int_t)(e->index / q->cols)));
                json_array_append_new(pos, json_integer((json_int_t)(e->index % q->cols)));
                json_object_set_new(we, "position", pos);
            }
            json_object_set_new(we, "where", json_string(name));
            json_object_set_new(we, "theirs", real_or_null(e->theirs));
            json_object_set_new(we, "reference", report_interval(nextafter(e->mid - e->rad, -INFINITY),
                                                                 nextafter(e->mid + e->rad, INFINITY)));
            json_object_set_new(we, "reference_mid", real_or_null(e->mid));
            json_object_set_new(we, "reference_rad", real_or_null(e->rad));
            json_object_set_new(we, "tolerance", real_or_null(e->tol));
            json_object_set_new(we, "allowance", real_or_null(e->rad + e->tol));
            json_object_set_new(we, "ratio", real_or_null(e->ratio));
            json_array_append_new(wl, we);
        }
        json_object_set_new(o, "worst", wl);
        if (q->note[0])
            json_object_set_new(o, "note", json_string(q->note));
        json_object_set_new(qs, q->name, o);
    }
    json_object_set_new(r, "seconds", json_real(res->seconds));
    return r;
}

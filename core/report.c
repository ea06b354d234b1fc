#include "core/report.h"
#include "core/error.h"
#include "core/outfile.h"
#include "core/provenance.h"
#include "core/sha256.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static json_t *provenance_new(void)
{
    json_t *o = json_object();
    json_object_set_new(o, "plstar_version", json_string(plstar_version()));
    json_object_set_new(o, "commit", json_string(plstar_commit()));
    int argc;
    char **argv = plstar_provenance_command_line(&argc);
    if (argc > 0) {
        json_t *cmd = json_array();
        for (int k = 0; k < argc; k++)
            json_array_append_new(cmd, json_string(argv[k]));
        json_object_set_new(o, "command", cmd);
    }
    json_object_set_new(o, "files", json_object());
    return o;
}

json_t *plstar_report_new(const char *check, const char *statement)
{
    json_t *r = json_object();
    json_object_set_new(r, "plstar_version", json_string(plstar_version()));
    json_object_set_new(r, "check", json_string(check));
    json_object_set_new(r, "statement", json_string(statement));
    json_object_set_new(r, "verdict", json_string("inconclusive"));
    json_object_set_new(r, "provenance", provenance_new());
    json_object_set_new(r, "inputs", json_object());
    json_object_set_new(r, "quantities", json_object());
    return r;
}

/* report["provenance"], created for reports made before it existed. */
static json_t *provenance_of(json_t *report)
{
    json_t *o = json_object_get(report, "provenance");
    if (!json_is_object(o)) {
        o = provenance_new();
        json_object_set_new(report, "provenance", o);
    }
    return o;
}

static json_t *provenance_files(json_t *report)
{
    json_t *prov = provenance_of(report), *files = json_object_get(prov, "files");
    if (!json_is_object(files)) {
        files = json_object();
        json_object_set_new(prov, "files", files);
    }
    return files;
}

static void add_file_entry(json_t *report, const char *role, const char *path, const char *sha256)
{
    json_t *e = json_object();
    json_object_set_new(e, "path", json_string(path));
    json_object_set_new(e, "sha256", json_string(sha256));
    json_object_set_new(provenance_files(report), role, e);
}

int plstar_report_add_input_file(json_t *report, const char *role, const char *path)
{
    char hex[PLSTAR_SHA256_HEX];
    int st = plstar_sha256_file_hex(hex, path);
    if (!st) {
        add_file_entry(report, role, path, hex);
        return PLSTAR_OK;
    }
    json_t *e = json_object();
    json_object_set_new(e, "path", json_string(path));
    json_object_set_new(e, "sha256", plstar_report_absent(plstar_errmsg()));
    json_object_set_new(provenance_files(report), role, e);
    return st;
}

void plstar_report_add_input_source(json_t *report, const char *role, const char *what)
{
    json_t *e = json_object();
    json_object_set_new(e, "source", json_string(what));
    json_object_set_new(provenance_files(report), role, e);
}

void plstar_report_set_seed(json_t *report, unsigned long seed)
{
    json_object_set_new(provenance_of(report), "seed", json_integer((json_int_t)seed));
}

void plstar_report_set_precision(json_t *report, long bits)
{
    json_object_set_new(provenance_of(report), "precision_bits", json_integer((json_int_t)bits));
}

void plstar_report_add_provenance(json_t *report, const plstar_problem *p)
{
    for (int k = 0; k < PROBLEM_NINPUTS; k++) {
        const plstar_input_file *f = &p->files[k];
        const char *role = plstar_problem_input_name((plstar_input_role)k);
        int present = k != PROBLEM_LABELS || p->y.size > 0;
        if (f->path)
            add_file_entry(report, role, f->path, f->sha256);
        else if (present && !(k == PROBLEM_WEIGHTS && p->weights_from_seed))
            plstar_report_add_input_source(report, role, p->origin[0] ? p->origin : "in memory");
    }
    if (p->weights_from_seed)
        plstar_report_set_seed(report, p->seed);
}

/* JSON has no infinities or NaN: unbounded ends are written as null. */
static json_t *real_or_null(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

json_t *plstar_report_interval(double lower, double upper)
{
    json_t *o = json_object();
    json_object_set_new(o, "lower", real_or_null(lower));
    json_object_set_new(o, "upper", real_or_null(upper));
    return o;
}

static json_t *one_side(const char *side, double x)
{
    json_t *o = json_object();
    json_object_set_new(o, side, real_or_null(x));
    return o;
}

json_t *plstar_report_upper(double upper)
{
    return one_side("upper", upper);
}

json_t *plstar_report_lower(double lower)
{
    return one_side("lower", lower);
}

json_t *plstar_report_absent(const char *reason)
{
    json_t *o = json_object();
    json_object_set_new(o, "reason", json_string(reason));
    return o;
}

void plstar_report_set_scope(json_t *report, const char *scope)
{
    json_object_set_new(report, "scope", json_string(scope));
}

void plstar_report_set_reason(json_t *report, const char *inequality, json_t *lhs, json_t *rhs, const char *decide)
{
    json_t *o = json_object();
    json_object_set_new(o, "inequality", json_string(inequality));
    json_object_set_new(o, "lhs", lhs ? lhs : json_null());
    json_object_set_new(o, "rhs", rhs ? rhs : json_null());
    if (decide)
        json_object_set_new(o, "decide", json_string(decide));
    json_object_set_new(report, "reason", o);
}

const char *plstar_report_format_number(char *buf, size_t len, int digits, double x)
{
    if (isnan(x))
        snprintf(buf, len, "NaN");
    else if (isinf(x))
        snprintf(buf, len, x > 0 ? "+inf" : "-inf");
    else
        snprintf(buf, len, "%.*g", digits, x);
    return buf;
}

double plstar_arb_lower_d(const arb_t x)
{
    arf_t t;
    arf_init(t);
    arb_get_lbound_arf(t, x, 64);
    double d = arf_get_d(t, ARF_RND_FLOOR);
    arf_clear(t);
    return arb_is_finite(x) ? d : -INFINITY;
}

double plstar_arb_upper_d(const arb_t x)
{
    arf_t t;
    arf_init(t);
    arb_get_ubound_arf(t, x, 64);
    double d = arf_get_d(t, ARF_RND_CEIL);
    arf_clear(t);
    return arb_is_finite(x) ? d : INFINITY;
}

json_t *plstar_report_interval_arb(const arb_t x)
{
    return plstar_report_interval(plstar_arb_lower_d(x), plstar_arb_upper_d(x));
}

json_t *plstar_report_upper_arb(const arb_t x)
{
    return plstar_report_upper(plstar_arb_upper_d(x));
}

json_t *plstar_report_lower_arb(const arb_t x)
{
    return plstar_report_lower(plstar_arb_lower_d(x));
}

const char *plstar_report_verdict_name(int status, int is_check)
{
    switch (status) {
    case PLSTAR_OK:
        return is_check ? "pass" : "certified";
    case PLSTAR_REFUTED:
        return is_check ? "fail" : "refuted";
    default:
        return "inconclusive";
    }
}

void plstar_report_set_verdict(json_t *report, const char *verdict)
{
    json_object_set_new(report, "verdict", json_string(verdict));
}

void plstar_report_add_problem(json_t *report, const plstar_problem *p)
{
    json_t *in = json_object_get(report, "inputs");
    char *desc = plstar_model_to_json(&p->model);
    json_object_set_new(in, "model", desc ? json_loads(desc, 0, NULL) : json_null());
    free(desc);
    json_object_set_new(in, "samples", json_integer((json_int_t)p->n));
    json_object_set_new(in, "equations", json_integer((json_int_t)p->N));
    json_object_set_new(in, "parameters", json_integer((json_int_t)p->model.nparams));
    json_object_set_new(in, "labels", json_boolean(p->y.size > 0));
    plstar_report_add_provenance(report, p);
}

int plstar_report_write(const char *path, const json_t *report)
{
    char *text = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    if (!text)
        return plstar_error(PLSTAR_ESOFTWARE, "%s: cannot serialise report", path);
    size_t len = strlen(text);
    text = realloc(text, len + 2);
    text[len] = '\n';
    text[len + 1] = '\0';
    int st = plstar_outfile_write_text(path, text);
    free(text);
    return st;
}

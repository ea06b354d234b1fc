#include "core/report.h"
#include "core/error.h"
#include "core/outfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef PLSTAR_VERSION
#define PLSTAR_VERSION "0.1.0"
#endif

json_t *report_new(const char *check, const char *statement)
{
    json_t *r = json_object();
    json_object_set_new(r, "plstar_version", json_string(PLSTAR_VERSION));
    json_object_set_new(r, "check", json_string(check));
    json_object_set_new(r, "statement", json_string(statement));
    json_object_set_new(r, "verdict", json_string("inconclusive"));
    json_object_set_new(r, "inputs", json_object());
    json_object_set_new(r, "quantities", json_object());
    return r;
}

/* JSON has no infinities or NaN: unbounded ends are written as null. */
static json_t *real_or_null(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

json_t *report_interval(double lower, double upper)
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

json_t *report_upper(double upper)
{
    return one_side("upper", upper);
}

json_t *report_lower(double lower)
{
    return one_side("lower", lower);
}

json_t *report_absent(const char *reason)
{
    json_t *o = json_object();
    json_object_set_new(o, "reason", json_string(reason));
    return o;
}

void report_set_scope(json_t *report, const char *scope)
{
    json_object_set_new(report, "scope", json_string(scope));
}

void report_set_reason(json_t *report, const char *inequality, json_t *lhs, json_t *rhs, const char *decide)
{
    json_t *o = json_object();
    json_object_set_new(o, "inequality", json_string(inequality));
    json_object_set_new(o, "lhs", lhs ? lhs : json_null());
    json_object_set_new(o, "rhs", rhs ? rhs : json_null());
    if (decide)
        json_object_set_new(o, "decide", json_string(decide));
    json_object_set_new(report, "reason", o);
}

double arb_lower_d(const arb_t x)
{
    arf_t t;
    arf_init(t);
    arb_get_lbound_arf(t, x, 64);
    double d = arf_get_d(t, ARF_RND_FLOOR);
    arf_clear(t);
    return arb_is_finite(x) ? d : -INFINITY;
}

double arb_upper_d(const arb_t x)
{
    arf_t t;
    arf_init(t);
    arb_get_ubound_arf(t, x, 64);
    double d = arf_get_d(t, ARF_RND_CEIL);
    arf_clear(t);
    return arb_is_finite(x) ? d : INFINITY;
}

json_t *report_interval_arb(const arb_t x)
{
    return report_interval(arb_lower_d(x), arb_upper_d(x));
}

json_t *report_upper_arb(const arb_t x)
{
    return report_upper(arb_upper_d(x));
}

json_t *report_lower_arb(const arb_t x)
{
    return report_lower(arb_lower_d(x));
}

const char *report_verdict_name(int status, int is_check)
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

void report_set_verdict(json_t *report, const char *verdict)
{
    json_object_set_new(report, "verdict", json_string(verdict));
}

void report_add_problem(json_t *report, const plstar_problem *p)
{
    json_t *in = json_object_get(report, "inputs");
    char *desc = model_to_json(&p->model);
    json_object_set_new(in, "model", desc ? json_loads(desc, 0, NULL) : json_null());
    free(desc);
    json_object_set_new(in, "samples", json_integer((json_int_t)p->n));
    json_object_set_new(in, "equations", json_integer((json_int_t)p->N));
    json_object_set_new(in, "parameters", json_integer((json_int_t)p->model.nparams));
    json_object_set_new(in, "labels", json_boolean(p->y.size > 0));
}

int report_write(const char *path, const json_t *report)
{
    char *text = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    if (!text)
        return plstar_error(PLSTAR_ESOFTWARE, "%s: cannot serialise report", path);
    size_t len = strlen(text);
    text = realloc(text, len + 2);
    text[len] = '\n';
    text[len + 1] = '\0';
    int st = outfile_write_text(path, text);
    free(text);
    return st;
}

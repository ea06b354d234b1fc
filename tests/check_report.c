/*
 * tests/check_report.c — checks JSON written by plstar against the report
 * schema of docs/reports.md.
 *
 *   check_report [--theory docs/theory.md] FILE...   one JSON document per file; *.jsonl: one per line
 *
 * Prints one line per violation, "FILE: $.path: what", and exits 0 when there
 * is none, 1 when there is one, 66 when a file cannot be read. What it checks
 * (docs/reports.md, "Checking a report"):
 *   - every bound ({"lower"}, {"upper"} or both) has numbers or null, lower ≤ upper, and not
 *     both sides null;
 *   - a quantity known to be one-sided (one_sided[] below) is not written with two finite sides,
 *     nor as a bare number (which reads as exact), except in an "uncertified" record, whose
 *     numbers are all plain double-precision diagnostics;
 *   - a quantity positive by definition (positive[] below) is not 0: a 0 there stands for a
 *     computation that failed;
 *   - under "quantities", nothing is null: a quantity not computed is {"reason": "..."};
 *   - a document with "check" is a report: plstar_version, check, statement citing
 *     "docs/theory.md §N", verdict and scope from their vocabularies, provenance with the
 *     version, the commit and the input files (path and SHA-256, or a source), and a reason
 *     {inequality, lhs, rhs, decide} unless the verdict is certified or pass; a certified or
 *     passing report has no false entry under "checks"; a check that computes in ball or
 *     verified floating-point arithmetic (with_precision[] below) records provenance.precision_bits;
 *     "uncertified" is the verdict of a training record (check "train") and of nothing else;
 *     "interrupted" is the verdict of a path certificate stopped by a signal (check "gd_path"),
 *     which says in "interrupted" up to which step it was verified;
 *   - with --theory, the section a statement cites is the one docs/theory.md's table lists for
 *     the check, and that section exists ("## §N").
 */
#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Quantities whose certified value is a bound on one side only: an upper bound of a supremum
 * or a Lipschitz constant, a lower bound of an infimum. Written with both sides they would
 * claim an enclosure of the exact value (a degenerate one claims equality). */
static const char *const one_sided[] = {
    "beta_F", "beta_F_w0", "jacobian_lipschitz", "lipschitz_F", "lipschitz_F_on_ball", "lipschitz_F_along_path",
    "kernel_change", "lambda_min_on_ball", "lambda_min_lower", "lr_max", "rate", "radius_max_for_mu",
    "mu_max_for_radius", "path_length", "distance_from_w0", "hessian_norm", NULL};

/* Quantities that are positive whenever they are defined: 0 there is a placeholder. */
static const char *const positive[] = {
    "mu", "lr", "lr_max", "radius", "lipschitz_F", "lipschitz_F_on_ball", "lipschitz_F_along_path",
    "lambda_max", "lambda_max_w0", "jacobian_norm_w0", "kappa", NULL};

static const char *const verdicts[] = {"certified", "refuted", "inconclusive", "pass", "fail", "uncertified",
                                       "interrupted", NULL};

/* Checks that compute in ball arithmetic or in floating point with a proven error bound: their
 * working precision is part of what the verdict rests on. */
static const char *const with_precision[] = {"pl_point", "ball", "gd_apriori", "gd_path", "eig", "crosscheck",
                                             "validate", "forward", NULL};

/* --theory: the section docs/theory.md's table lists for each check, and the sections it has. */
#define MAX_CHECKS 32
static struct {
    char check[32];
    int section;
} theory_table[MAX_CHECKS];
static size_t theory_rows;
static int theory_sections[64]; /* theory_sections[N]: "## §N" exists */
static int theory_loaded;
static const char *const scopes[] = {"all labels", "these labels", "this matrix", "these values", NULL};

static const char *file_name;
static size_t violations;
static int record_only; /* the document is an "uncertified" record: bare numbers are diagnostics */

static void violation(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s: %s: ", file_name, path);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    violations++;
}

static int in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (!strcmp(s, *list))
            return 1;
    return 0;
}

/* {"lower"}, {"upper"} or {"lower", "upper"}, and nothing else. */
static int is_bound(const json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) == 0)
        return 0;
    const char *key;
    json_t *x;
    json_object_foreach((json_t *)v, key, x) if (strcmp(key, "lower") && strcmp(key, "upper")) return 0;
    return 1;
}

static void check_bound(const char *path, const char *key, const json_t *v)
{
    json_t *lo = json_object_get(v, "lower"), *hi = json_object_get(v, "upper");
    if ((lo && !json_is_number(lo) && !json_is_null(lo)) || (hi && !json_is_number(hi) && !json_is_null(hi))) {
        violation(path, "a bound's sides are numbers, or null for an unbounded side");
        return;
    }
    int has_lo = json_is_number(lo), has_hi = json_is_number(hi);
    if (!has_lo && !has_hi)
        violation(path, "a bound with no finite side: a quantity not computed is {\"reason\": ...}");
    if (has_lo && has_hi && json_number_value(lo) > json_number_value(hi))
        violation(path, "lower %.17g > upper %.17g", json_number_value(lo), json_number_value(hi));
    if (has_lo && has_hi && in_list(key, one_sided))
        violation(path, "\"%s\" is one-sided: written as %s {\"lower\", \"upper\"} it claims an enclosure; use "
                  "{\"upper\"} or {\"lower\"}", key, json_number_value(lo) == json_number_value(hi) ? "the degenerate interval" : "an interval");
    if (in_list(key, positive) && ((has_hi && json_number_value(hi) <= 0) || (!has_hi && has_lo && json_number_value(lo) == 0)))
        violation(path, "\"%s\" is positive when it is computed: a zero bound stands for a failed computation; "
                  "write {\"reason\": ...}", key);
}

/* 1 for the path of a document's "quantities" ("$.quantities", "line 3 $.quantities"). */
static int is_quantities(const char *path)
{
    size_t len = strlen(path), tail = strlen("$.quantities");
    return len >= tail && !strcmp(path + len - tail, "$.quantities");
}

/* v at path under key; `quantity`: v is a member of the report's "quantities". */
static void check_value(const char *path, const char *key, const json_t *v, int quantity)
{
    char sub[1024];
    if (quantity && json_is_null(v))
        violation(path, "null quantity: a quantity not computed is {\"reason\": ...}");
    if (json_is_number(v) && in_list(key, positive) && json_number_value(v) == 0)
        violation(path, "\"%s\" = 0: it is positive when computed; a zero stands for a failed computation", key);
    if (json_is_number(v) && in_list(key, one_sided) && !record_only)
        violation(path, "\"%s\" is one-sided: a bare number reads as its exact value; write {\"upper\"} or "
                  "{\"lower\"}", key);
    if (is_bound(v)) {
        check_bound(path, key, v);
        return;
    }
    if (json_is_object(v)) {
        json_t *why = json_object_get(v, "reason");
        if (json_object_size(v) == 1 && why && !(json_is_string(why) && json_string_length(why) > 0))
            violation(path, "an absent quantity's reason is a non-empty string");
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x) {
            snprintf(sub, sizeof sub, "%s.%s", path, k);
            check_value(sub, k, x, is_quantities(path));
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            check_value(sub, key, x, 0);
        }
    }
}

static const char *string_at(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The section of docs/theory.md that `check` belongs to (its table), or 0. */
static int theory_section_of(const char *check)
{
    for (size_t k = 0; check && k < theory_rows; k++)
        if (!strcmp(theory_table[k].check, check))
            return theory_table[k].section;
    return 0;
}

static void check_statement(const char *s, const char *check)
{
    const char *at = s ? strstr(s, "docs/theory.md §") : NULL;
    if (at && isdigit((unsigned char)at[strlen("docs/theory.md §")])) {
        int cited = atoi(at + strlen("docs/theory.md §")), listed = theory_section_of(check);
        if (theory_loaded && !(cited > 0 && cited < 64 && theory_sections[cited]))
            violation("$.statement", "cites docs/theory.md §%d, which has no such section", cited);
        else if (theory_loaded && cited != listed)
            violation("$.statement", "cites docs/theory.md §%d; docs/theory.md's table puts the check '%s' in %s%d",
                      cited, check ? check : "", listed ? "§" : "no section: ", listed);
        return;
    }
    int shown = s ? (int)strlen(s) : 0;
    if (shown > 80) /* cut at a character, not inside a UTF-8 sequence */
        for (shown = 80; shown > 0 && ((unsigned char)s[shown] & 0xC0) == 0x80; shown--)
            ;
    violation("$.statement", "must cite a section of the statement document as \"docs/theory.md §N\" (got: %.*s)",
              shown, s ? s : "");
}

static void check_reason(const json_t *r, const char *verdict)
{
    json_t *reason = json_object_get(r, "reason");
    if (!json_is_object(reason)) {
        violation("$.reason", "the verdict '%s' needs a reason {inequality, lhs, rhs, decide}", verdict);
        return;
    }
    if (!json_is_string(json_object_get(reason, "inequality")))
        violation("$.reason.inequality", "the inequality that failed or could not be decided");
    if (!json_object_get(reason, "lhs") || !json_object_get(reason, "rhs"))
        violation("$.reason", "both sides of the inequality (lhs, rhs; null when not computed)");
    if (!json_is_string(json_object_get(reason, "decide")))
        violation("$.reason.decide", "what would decide it (more precision, a smaller step, a larger width, ...)");
}

static int is_sha256(const json_t *v)
{
    const char *s = json_string_value(v);
    if (!s || strlen(s) != 64)
        return 0;
    for (size_t k = 0; k < 64; k++)
        if (!isxdigit((unsigned char)s[k]) || isupper((unsigned char)s[k]))
            return 0;
    return 1;
}

static void check_provenance(const json_t *r)
{
    json_t *p = json_object_get(r, "provenance");
    if (!json_is_object(p)) {
        violation("$.provenance", "missing: version, commit, input files with SHA-256, seed, precision");
        return;
    }
    if (!string_at(p, "plstar_version"))
        violation("$.provenance.plstar_version", "missing");
    if (!string_at(p, "commit"))
        violation("$.provenance.commit", "missing (\"unknown\" for a build outside git)");
    json_t *files = json_object_get(p, "files");
    if (!json_is_object(files) || json_object_size(files) == 0)
        violation("$.provenance.files", "names no input");
    const char *role;
    json_t *e;
    char path[256];
    json_object_foreach(files, role, e) {
        snprintf(path, sizeof path, "$.provenance.files.%s", role);
        json_t *sha = json_object_get(e, "sha256");
        int file = json_is_string(json_object_get(e, "path")) &&
                   (is_sha256(sha) || json_is_string(json_object_get(sha, "reason")));
        int source = json_is_string(json_object_get(e, "source")) && json_string_length(json_object_get(e, "source"));
        if (!file && !source)
            violation(path, "an input is {\"path\", \"sha256\"} or {\"source\"}");
    }
    json_t *seed = json_object_get(p, "seed"), *prec = json_object_get(p, "precision_bits");
    if (seed && !(json_is_integer(seed) && json_integer_value(seed) >= 0))
        violation("$.provenance.seed", "a non-negative integer");
    if (prec && !(json_is_integer(prec) && json_integer_value(prec) > 0))
        violation("$.provenance.precision_bits", "a positive integer");
}

static void check_report(const json_t *r)
{
    if (!string_at(r, "plstar_version"))
        violation("$.plstar_version", "missing");
    const char *check = string_at(r, "check");
    check_statement(string_at(r, "statement"), check);
    const char *verdict = string_at(r, "verdict"), *scope = string_at(r, "scope");
    if (!in_list(verdict, verdicts))
        violation("$.verdict", "'%s' is not one of certified, refuted, inconclusive, pass, fail, uncertified, "
                  "interrupted", verdict ? verdict : "(missing)");
    int is_train = check && !strcmp(check, "train");
    if (verdict && is_train != !strcmp(verdict, "uncertified"))
        violation("$.verdict", is_train ? "a training record proves nothing: its verdict is \"uncertified\" (its "
                                          "\"outcome\" says how the run ended)"
                                        : "\"uncertified\" is the verdict of a training record only");
    if (verdict && !strcmp(verdict, "interrupted")) {
        json_t *cut = json_object_get(r, "interrupted");
        if (!check || strcmp(check, "gd_path"))
            violation("$.verdict", "\"interrupted\" is the verdict of a path certificate stopped by a signal");
        else if (!json_is_object(cut) || !json_is_integer(json_object_get(cut, "last_verified_step")))
            violation("$.interrupted", "an interrupted report says up to which step it was verified "
                      "(last_verified_step) and what was proven up to it");
    }
    if (in_list(check, with_precision) && !json_is_integer(json_object_get(json_object_get(r, "provenance"),
                                                                          "precision_bits")))
        violation("$.provenance.precision_bits", "missing: the check '%s' computes at a working precision", check);
    if (!in_list(scope, scopes))
        violation("$.scope", "'%s' is not one of \"all labels\", \"these labels\", \"this matrix\", \"these values\"",
                  scope ? scope : "(missing)");
    int comparison = verdict && (!strcmp(verdict, "pass") || !strcmp(verdict, "fail"));
    if (comparison && scope && strcmp(scope, "these values"))
        violation("$.scope", "a %s verdict compares values: its scope is \"these values\"", verdict);
    int holds = verdict && (!strcmp(verdict, "certified") || !strcmp(verdict, "pass"));
    if (verdict && !holds)
        check_reason(r, verdict);
    json_t *checks = json_object_get(r, "checks");
    const char *k;
    json_t *x;
    if (holds && json_is_object(checks))
        json_object_foreach(checks, k, x) if (json_is_false(x)) {
            char path[256];
            snprintf(path, sizeof path, "$.checks.%s", k);
            violation(path, "false under the verdict %s: a condition that fails is either required (and the "
                      "verdict is not %s) or not a check", verdict, verdict);
        }
    check_provenance(r);
}

static void check_document(const json_t *doc, const char *where)
{
    char path[64];
    snprintf(path, sizeof path, "%s", where);
    if (json_is_object(doc) && json_object_get(doc, "check"))
        check_report(doc);
    const char *verdict = json_is_object(doc) ? string_at(doc, "verdict") : NULL;
    record_only = verdict && !strcmp(verdict, "uncertified");
    check_value(path, "", doc, 0);
    record_only = 0;
}

/* Reads docs/theory.md: its "## §N" headings and the rows "| `check` (...) | ... | §N |" of its table. */
static int load_theory(const char *name)
{
    FILE *f = fopen(name, "r");
    if (!f)
        return fprintf(stderr, "check_report: %s: cannot open\n", name), 66;
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        int n;
        if (sscanf(line, "## §%d", &n) == 1 && n > 0 && n < 64)
            theory_sections[n] = 1;
        if (strncmp(line, "| `", 3))
            continue;
        const char *sec = strrchr(line, '|'), *cell = NULL;
        for (const char *c = line; c < sec; c++) /* the last cell: "| §N |" */
            if (*c == '|')
                cell = c;
        if (!cell || sscanf(cell, "| §%d", &n) != 1)
            continue;
        for (const char *c = line; c < cell && (c = strchr(c, '`')) && c < cell; c++) { /* each `name` before it */
            const char *end = strchr(c + 1, '`');
            if (!end || end >= cell)
                break;
            size_t len = (size_t)(end - c - 1);
            if (len && len < sizeof theory_table[0].check && theory_rows < MAX_CHECKS && c < strchr(line + 2, '|')) {
                memcpy(theory_table[theory_rows].check, c + 1, len);
                theory_table[theory_rows].check[len] = '\0';
                theory_table[theory_rows++].section = n;
            }
            c = end;
        }
    }
    fclose(f);
    theory_loaded = 1;
    return 0;
}

static int check_file(const char *name)
{
    file_name = name;
    size_t len = strlen(name);
    if (len > 6 && !strcmp(name + len - 6, ".jsonl")) {
        FILE *f = fopen(name, "r");
        if (!f)
            return fprintf(stderr, "check_report: %s: cannot open\n", name), 66;
        char *line = NULL;
        size_t cap = 0, no = 0;
        while (getline(&line, &cap, f) > 0) {
            no++;
            json_error_t err;
            json_t *doc = json_loads(line, JSON_DECODE_ANY, &err);
            char where[64];
            snprintf(where, sizeof where, "line %zu $", no);
            if (!doc && strspn(line, " \t\r\n") != strlen(line))
                violation(where, "invalid JSON: %s", err.text);
            if (doc)
                check_document(doc, where);
            json_decref(doc);
        }
        free(line);
        fclose(f);
        return 0;
    }
    json_error_t err;
    json_t *doc = json_load_file(name, JSON_REJECT_DUPLICATES, &err);
    if (!doc) {
        if (strstr(err.text, "unable to open"))
            return fprintf(stderr, "check_report: %s: cannot open\n", name), 66;
        violation("$", "invalid JSON at line %d: %s", err.line, err.text);
        return 0;
    }
    check_document(doc, "$");
    json_decref(doc);
    return 0;
}

int main(int argc, char **argv)
{
    int first = 1;
    if (argc > 2 && !strcmp(argv[1], "--theory")) {
        int st = load_theory(argv[2]);
        if (st)
            return st;
        first = 3;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: check_report [--theory docs/theory.md] FILE.json|FILE.jsonl ...\n");
        return 64;
    }
    for (int k = first; k < argc; k++) {
        int st = check_file(argv[k]);
        if (st)
            return st;
    }
    return violations ? 1 : 0;
}

/* proofs-checks/checks.c — the registry of the checks (proofs-checks/checks.h). */
#include "proofs-checks/checks.h"
#include "core/error.h"
#include "reference/network.h"

#include <arb.h>
#include <stdio.h>
#include <string.h>

#define PLSTAR_CHECK_ENTRY(id) &plstar_check_desc_##id,
const plstar_check *const plstar_checks[] = {PLSTAR_CHECKS(PLSTAR_CHECK_ENTRY)};
#undef PLSTAR_CHECK_ENTRY
const size_t plstar_check_count = sizeof plstar_checks / sizeof *plstar_checks;

void plstar_check_options_init(plstar_check_options *o)
{
    memset(o, 0, sizeof *o);
    o->cmd = "certify";
    o->prec = PLSTAR_DEFAULT_PREC;
}

const plstar_check *plstar_check_find(const char *name)
{
    for (size_t k = 0; k < plstar_check_count; k++)
        if (!strcmp(plstar_checks[k]->name, name))
            return plstar_checks[k];
    return NULL;
}

size_t plstar_certify_commands(const plstar_certify_command **out, size_t max)
{
    size_t n = 0;
    for (size_t k = 0; k < plstar_check_count; k++) {
        const plstar_certify_command *c = plstar_checks[k]->command;
        size_t seen = 0;
        while (seen < n && out[seen] != c)
            seen++;
        if (seen == n && n < max)
            out[n++] = c;
    }
    return n;
}

const plstar_certify_command *plstar_certify_find(const char *word)
{
    for (size_t k = 0; word && k < plstar_check_count; k++)
        if (!strcmp(plstar_checks[k]->command->word, word))
            return plstar_checks[k]->command;
    return NULL;
}

void plstar_check_estimate_kernel(plstar_check_estimate *m, const plstar_problem *p, const plstar_check_options *o)
{
    double N = (double)p->N;
    m->doubles = 0;
    m->balls = 2 * N * N;
    snprintf(m->what, sizeof m->what, "the %zu x %zu reference kernel", p->N, p->N);
}

#include "core/progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int progress_wanted(FILE *out)
{
    const char *env = getenv("PLSTAR_PROGRESS");
    if (env && !strcmp(env, "0"))
        return 0;
    return out && isatty(fileno(out));
}

/* The progress that holds the line: one begun meanwhile stays silent. */
static plstar_progress *holder;

void plstar_progress_begin_on(plstar_progress *p, FILE *out, const char *label, const char *unit, size_t total)
{
    memset(p, 0, sizeof *p);
    p->owner = !holder && progress_wanted(out);
    if (p->owner)
        holder = p;
    p->out = p->owner ? out : NULL;
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    snprintf(p->unit, sizeof p->unit, "%s", unit ? unit : "");
    p->total = total;
    p->start = p->last = monotonic_seconds();
    const char *delay = getenv("PLSTAR_PROGRESS_DELAY");
    char *end;
    double d = delay ? strtod(delay, &end) : 1.0;
    p->delay = delay && end != delay && d >= 0 ? d : 1.0;
    p->interval = 0.25;
}

void plstar_progress_set_total(plstar_progress *p, size_t total)
{
    p->total = total;
}

void plstar_progress_begin(plstar_progress *p, const char *label, const char *unit, size_t total)
{
    plstar_progress_begin_on(p, stderr, label, unit, total);
}

void plstar_progress_format_duration(char *buf, size_t len, double s)
{
    if (!(s >= 0) || s > 1e8)
        snprintf(buf, len, "?");
    else if (s < 60)
        snprintf(buf, len, "%.0f s", s);
    else if (s < 3600)
        snprintf(buf, len, "%d min %02d s", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, len, "%d h %02d min", (int)(s / 3600), (int)(s / 60) % 60);
}

/* One line: "plstar LABEL: 120/400 iterates (30%), 12.3 iterates/s, about 23 s left". */
static void show(plstar_progress *p, double now, int final)
{
    double elapsed = now - p->start, rate = elapsed > 0 ? (double)p->done / elapsed : 0;
    char tail[96] = "";
    if (final) {
        char d[32];
        plstar_progress_format_duration(d, sizeof d, elapsed);
        snprintf(tail, sizeof tail, ", done in %s", d);
    } else if (p->total && p->done && p->done < p->total) {
        char d[32];
        plstar_progress_format_duration(d, sizeof d, elapsed * (double)(p->total - p->done) / (double)p->done);
        snprintf(tail, sizeof tail, ", about %s left", d);
    }
    if (p->total)
        fprintf(p->out, "\rplstar %s: %zu/%zu %s (%.0f%%), %.3g %s/s%s\033[K", p->label, p->done, p->total, p->unit,
                100.0 * (double)p->done / (double)p->total, rate, p->unit, tail);
    else
        fprintf(p->out, "\rplstar %s: %zu %s, %.3g %s/s%s\033[K", p->label, p->done, p->unit, rate, p->unit, tail);
    if (final)
        fputc('\n', p->out);
    fflush(p->out);
    p->shown = 1;
    p->last = now;
}

void plstar_progress_update(plstar_progress *p, size_t done)
{
    if (!p->out)
        return;
    p->done = (p->total && done > p->total) ? p->total : done;
    double now = monotonic_seconds();
    if (now - p->start < p->delay || (p->shown && now - p->last < p->interval))
        return;
    show(p, now, 0);
}

void plstar_progress_hide(void)
{
    if (!holder || !holder->shown)
        return;
    fputs("\r\033[K", holder->out);
    fflush(holder->out);
    holder->shown = 0; /* the next update draws it again */
}

void plstar_progress_end(plstar_progress *p)
{
    if (p->out && p->shown)
        show(p, monotonic_seconds(), 1);
    if (p->owner)
        holder = NULL;
    p->out = NULL;
    p->shown = p->owner = 0;
}

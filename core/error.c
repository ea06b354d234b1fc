#include "core/error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char errmsg[512];

volatile sig_atomic_t plstar_interrupted = 0;

int plstar_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    /* keep the message on one line whatever the caller passed */
    for (char *p = errmsg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return code;
}

const char *plstar_errmsg(void) { return errmsg; }

void plstar_error_clear(void) { errmsg[0] = '\0'; }

void *plstar_malloc(size_t bytes, const char *what)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        plstar_error(PLSTAR_ESOFTWARE, "out of memory allocating %s (%zu bytes)", what, bytes);
    return p;
}

void *plstar_calloc(size_t count, size_t size, const char *what)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        plstar_error(PLSTAR_ESOFTWARE, "out of memory allocating %s (%zu x %zu bytes)", what, count, size);
    return p;
}

int plstar_size_mul(size_t *out, size_t a, size_t b, size_t c)
{
    size_t ab;
    if (__builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(ab, c, out))
        return 0;
    return 1;
}

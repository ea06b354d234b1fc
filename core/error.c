#include "core/error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static _Thread_local char errmsg[512];

volatile sig_atomic_t plstar_interrupted = 0;
volatile sig_atomic_t plstar_interrupt_signal = 0;
volatile sig_atomic_t plstar_stop_between_steps = 0;

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

void plstar_hint_huge_pages(void *p, size_t bytes)
{
    const uintptr_t H = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + H - 1) & ~(H - 1), hi = ((uintptr_t)p + bytes) & ~(H - 1);
    if (p && hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

/* Blocks this large come from their own mapping (M_MMAP_THRESHOLD at most
 * 32 MiB): hinted whole. */
#define HUGE_HINT_MIN ((size_t)32 << 20)

void *plstar_malloc(size_t bytes, const char *what)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        plstar_error(PLSTAR_ESOFTWARE, "out of memory allocating %s (%zu bytes)", what, bytes);
    else if (bytes >= HUGE_HINT_MIN)
        plstar_hint_huge_pages(p, bytes);
    return p;
}

void *plstar_calloc(size_t count, size_t size, const char *what)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        plstar_error(PLSTAR_ESOFTWARE, "out of memory allocating %s (%zu x %zu bytes)", what, count, size);
    else if (count * size >= HUGE_HINT_MIN) /* calloc succeeded: no overflow */
        plstar_hint_huge_pages(p, count * size);
    return p;
}

double *plstar_alloc_matrix(size_t rows, size_t cols, const char *what)
{
    size_t bytes;
    if (!plstar_size_mul(&bytes, rows, cols, sizeof(double))) {
        plstar_error(PLSTAR_ESOFTWARE, "%s: size overflow (%zu x %zu)", what, rows, cols);
        return NULL;
    }
    return plstar_malloc(bytes, what);
}

int plstar_size_mul(size_t *out, size_t a, size_t b, size_t c)
{
    size_t ab;
    if (__builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(ab, c, out))
        return 0;
    return 1;
}

double plstar_memory_available(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double avail = (pages > 0 && page > 0) ? (double)pages * (double)page : 0x1p62;
    static const int limits[] = {RLIMIT_AS, RLIMIT_DATA};
    for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        struct rlimit rl;
        if (getrlimit(limits[k], &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (double)rl.rlim_cur < avail)
            avail = (double)rl.rlim_cur;
    }
    return avail;
}

int plstar_check_memory(double bytes, const char *what)
{
    double avail = plstar_memory_available();
    if (!(bytes > avail)) /* a NaN estimate is a caller bug, never a refusal */
        return PLSTAR_OK;
    return plstar_error(PLSTAR_EDATA, "%s needs at least %.3g GB of memory, more than the %.3g GB available; refused",
                        what, bytes / 1e9, avail / 1e9);
}

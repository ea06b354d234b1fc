/*
 * core/error.h — status codes and the one-line error message.
 *
 * Every public function returns an int status (GSL style). The codes are the
 * exit statuses of the `plstar` command (sysexits.h), so a library status can
 * be returned from main() unchanged. The message of the last error is kept per
 * thread and is a single line that names the file or option at fault.
 */
#ifndef PLSTAR_CORE_ERROR_H
#define PLSTAR_CORE_ERROR_H

#include <signal.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum plstar_status {
    PLSTAR_OK = 0,            /* certified / pass */
    PLSTAR_REFUTED = 1,       /* refuted / fail */
    PLSTAR_INCONCLUSIVE = 2,  /* neither proven nor disproven */
    PLSTAR_EUSAGE = 64,       /* bad command line or argument */
    PLSTAR_EDATA = 65,        /* malformed input data */
    PLSTAR_ENOINPUT = 66,     /* an input cannot be opened */
    PLSTAR_ESOFTWARE = 70,    /* internal error (including out of memory) */
    PLSTAR_ECANTCREAT = 73,   /* an output cannot be created */
    PLSTAR_EINTERRUPTED = 130 /* stopped by SIGINT/SIGTERM */
};

/* Records a printf-style message for the calling thread and returns `code`. */
int plstar_error(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The last recorded message of the calling thread ("" when none). */
const char *plstar_errmsg(void);

/* Clears the recorded message. */
void plstar_error_clear(void);

/* malloc/calloc that record an error (PLSTAR_ESOFTWARE) instead of returning
 * silently; `what` names the object in the message. */
void *plstar_malloc(size_t bytes, const char *what);

/* Asks for transparent huge pages on the 2 MiB-aligned interior of
 * [p, p + bytes): fewer page faults when fresh memory is first touched (1.5 µs
 * per 4 KiB fault on a virtual machine). A hint: failure changes nothing.
 * plstar_malloc and plstar_calloc apply it to blocks of 32 MiB and more. */
void plstar_hint_huge_pages(void *p, size_t bytes);
void *plstar_calloc(size_t count, size_t size, const char *what);

/* An uninitialised rows × cols matrix of doubles (plstar_malloc); NULL with
 * the error recorded on out of memory or when the size overflows size_t. */
double *plstar_alloc_matrix(size_t rows, size_t cols, const char *what);

/* Set (to 1) by a signal handler to ask long loops to stop between steps;
 * plstar_fast_train checks it, writes a checkpoint and returns PLSTAR_EINTERRUPTED. */
extern volatile sig_atomic_t plstar_interrupted;

/* The signal that set plstar_interrupted (SIGINT, SIGTERM), 0 before one. */
extern volatile sig_atomic_t plstar_interrupt_signal;

/* Non-zero while a loop that keeps what it has proven polls plstar_interrupted
 * (the path certificate's training and verification, proofs-checks/gd_path.h):
 * the command's handler then asks it to stop there instead of ending the
 * process. A second signal ends the process at once all the same. */
extern volatile sig_atomic_t plstar_stop_between_steps;

/* Multiplies a*b*c into *out; returns 0 on overflow of size_t. */
int plstar_size_mul(size_t *out, size_t a, size_t b, size_t c);

/* Bytes this process may allocate: the physical memory, or RLIMIT_AS /
 * RLIMIT_DATA when lower. */
double plstar_memory_available(void);

/* Refuses absurd sizes before anything is allocated: PLSTAR_EDATA with the
 * message "<what> needs at least X GB of memory, more than the Y GB available;
 * refused" when `bytes` — a LOWER bound on what the computation must allocate,
 * a double so that overflowing products still compare — exceeds
 * plstar_memory_available(); PLSTAR_OK otherwise. `what` names the file. */
int plstar_check_memory(double bytes, const char *what);

#ifdef __cplusplus
}
#endif

#endif

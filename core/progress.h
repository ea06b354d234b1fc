/*
 * core/progress.h — a progress line on stderr for runs that take long: work
 * done, rate and the time left, rewritten in place ("\r"), at most four times
 * a second, and only after the run has lasted a second, so quick runs print
 * nothing. Nothing at all is written unless the stream is a terminal (a log
 * file or a pipe gets no progress), nor when PLSTAR_PROGRESS=0.
 *
 *   plstar_progress pr;
 *   progress_begin(&pr, "certify gd: verifying", "iterates", records);
 *   for (size_t k = 0; k < records; k++) { work(k); progress_update(&pr, k + 1); }
 *   progress_end(&pr);
 *
 * Call it from one thread (the one that owns the loop); an update costs a clock
 * read when a line is shown, and nothing when the stream is not a terminal.
 * Where it is called: the loops that can run for minutes — the iterates of
 * certify gd --path (proofs-checks/gd_path.c), the rows of the reference
 * kernel and Jacobian (reference/network.c), the quantities of validate
 * (proofs-checks/validate.c), the cases of bench (bench/harness.c) and the
 * ball constants (proofs-checks/ball.c).
 */
#ifndef PLSTAR_CORE_PROGRESS_H
#define PLSTAR_CORE_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    FILE *out;          /* NULL: disabled (not a terminal, or PLSTAR_PROGRESS=0) */
    char label[96];     /* "certify gd: verifying" */
    char unit[32];      /* "iterates" */
    size_t total;       /* units of work; 0 when unknown (no percentage or time left) */
    size_t done;
    double start, last; /* CLOCK_MONOTONIC seconds: the beginning, the last line */
    double delay;       /* no line before this many seconds (1 s) */
    double interval;    /* at most one line per interval (0.25 s) */
    int shown;          /* a line is on the terminal, to be finished by progress_end */
} plstar_progress;

/* Starts a progress line on stderr when stderr is a terminal. */
void progress_begin(plstar_progress *p, const char *label, const char *unit, size_t total);

/* The same on `out` (when it is a terminal): for tests, and for programs
 * whose progress goes elsewhere. */
void progress_begin_on(plstar_progress *p, FILE *out, const char *label, const char *unit, size_t total);

/* `done` units are finished (monotone; clamped to total). */
void progress_update(plstar_progress *p, size_t done);

/* Ends the line (a final line with the elapsed time) if one was shown. */
void progress_end(plstar_progress *p);

/* "42 s", "3 min 05 s", "2 h 07 min" into buf. */
void progress_format_duration(char *buf, size_t len, double seconds);

#endif

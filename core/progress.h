/*
 * core/progress.h — a progress line on stderr for runs that take long: work
 * done, rate and the time left, rewritten in place ("\r"), at most four times
 * a second, and only after the run has lasted a second, so quick runs print
 * nothing (PLSTAR_PROGRESS_DELAY=S waits S seconds instead). Nothing at all is
 * written unless the stream is a terminal (a log file or a pipe gets no
 * progress), nor when PLSTAR_PROGRESS=0.
 *
 * One line at a time: a progress begun while another is running (the
 * reference kernel of each iterate inside the path verification) stays silent,
 * and the outer line goes on.
 *
 *   plstar_progress pr;
 *   plstar_progress_begin(&pr, "certify gd: verifying", "iterates", records);
 *   for (size_t k = 0; k < records; k++) { work(k); plstar_progress_update(&pr, k + 1); }
 *   plstar_progress_end(&pr);
 *
 * Call it from one thread (the one that owns the loop); an update costs a clock
 * read when a line is shown, and nothing when the stream is not a terminal.
 * Where it is called: the loops that can run for minutes — the training and
 * the verified iterates of certify gd --path (proofs-checks/gd_path.c), the
 * layers of the reference kernel and Jacobian (reference/network.c) and the
 * neurons of the streamed shallow kernel (reference/shallow.c), which every
 * reference command goes through (kernel, jacobian, certify point and ball,
 * crosscheck, validate), the radii of certify ball's bisection for an MLP
 * (proofs-checks/ball.c), validate's Arb loss trajectory
 * (proofs-checks/validate.c) and the measurements of bench (bench/harness.c).
 */
#ifndef PLSTAR_CORE_PROGRESS_H
#define PLSTAR_CORE_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    FILE *out;          /* NULL: disabled (not a terminal, or PLSTAR_PROGRESS=0) */
    char label[96];     /* "certify gd: verifying" */
    char unit[32];      /* "iterates" */
    size_t total;       /* units of work; 0 when unknown (no percentage or time left) */
    size_t done;
    double start, last; /* CLOCK_MONOTONIC seconds: the beginning, the last line */
    double delay;       /* no line before this many seconds (1 s) */
    double interval;    /* at most one line per interval (0.25 s) */
    int shown;          /* a line is on the terminal, to be finished by plstar_progress_end */
    int owner;          /* this progress holds the line (no other was running when it began) */
} plstar_progress;

/* Starts a progress line on stderr when stderr is a terminal. */
void plstar_progress_begin(plstar_progress *p, const char *label, const char *unit, size_t total);

/* The same on `out` (when it is a terminal): for tests, and for programs
 * whose progress goes elsewhere. */
void plstar_progress_begin_on(plstar_progress *p, FILE *out, const char *label, const char *unit, size_t total);

/* The total became known (or changed): a search whose length is found on the way. */
void plstar_progress_set_total(plstar_progress *p, size_t total);

/* `done` units are finished (monotone; clamped to total). */
void plstar_progress_update(plstar_progress *p, size_t done);

/* Clears the line that is shown, if any, before other output goes to the
 * terminal (a result line on stdout); the next update draws it again. */
void plstar_progress_hide(void);

/* Ends the line (a final line with the elapsed time) if one was shown. */
void plstar_progress_end(plstar_progress *p);

/* "42 s", "3 min 05 s", "2 h 07 min" into buf. */
void plstar_progress_format_duration(char *buf, size_t len, double seconds);

#ifdef __cplusplus
}
#endif

#endif

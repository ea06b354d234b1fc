/*
 * tests/soundness_campaign.c — the full soundness campaign (tests/soundness.h),
 * a standalone program built with the tests but not run by `meson test`:
 *
 *   build/tests/soundness_campaign --cases 1000000 --seed 1 [--jobs 2] [--first K] [--family NAME] [--verbose]
 *
 * Each process runs single-threaded (OpenMP and OpenBLAS); --jobs J runs J
 * processes on consecutive ranges of cases; --family NAME runs
 * only that family's cases (tests/soundness.h). Case k of seed S is the same whatever the split, so a wrong verdict is
 * reproduced with --first k --cases 1 --verbose. Exit status 0 when no
 * certified answer and no claimed bound contradicts the exact truth, 1 otherwise.
 */
#include "soundness.h"

#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int parse_ulong(const char *s, unsigned long *v)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    *v = strtoul(s, &end, 10);
    return *end ? -1 : 0;
}

int main(int argc, char **argv)
{
    unsigned long cases = 100000, seed = 1, first = 0, jobs = 1;
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--cases") && !parse_ulong(v, &cases))
            i++;
        else if (!strcmp(a, "--seed") && !parse_ulong(v, &seed))
            i++;
        else if (!strcmp(a, "--first") && !parse_ulong(v, &first))
            i++;
        else if (!strcmp(a, "--jobs") && !parse_ulong(v, &jobs) && jobs >= 1 && jobs <= 256)
            i++;
        else if (!strcmp(a, "--family") && v && (soundness_only_family = soundness_family_from_name(v)) >= 0)
            i++;
        else if (!strcmp(a, "--verbose"))
            verbose = verbose ? verbose : 1;
        else if (!strcmp(a, "--trace"))
            verbose = 2;
        else {
            fprintf(stderr, "usage: soundness_campaign [--cases N] [--seed S] [--first K] [--jobs J] [--family NAME] "
                            "[--verbose|--trace]\n");
            return 64;
        }
    }
    /* the matrices are small: threads would only add hand-over costs (parallelism is --jobs) */
    omp_set_num_threads(1);
    openblas_set_num_threads(1);
    soundness_stats total;
    soundness_stats_init(&total);
    if (jobs == 1) {
        soundness_run(&total, seed, first, cases, verbose);
    } else {
        /* J processes on consecutive ranges, their counters sent back through pipes */
        int fds[256];
        pid_t pids[256];
        for (unsigned long j = 0; j < jobs; j++) {
            unsigned long lo = first + cases * j / jobs, hi = first + cases * (j + 1) / jobs;
            int p[2];
            if (pipe(p) != 0) {
                perror("pipe");
                return 70;
            }
            pids[j] = fork();
            if (pids[j] == 0) {
                close(p[0]);
                soundness_stats s;
                soundness_stats_init(&s);
                soundness_run(&s, seed, lo, hi - lo, verbose && j == 0);
                const char *b = (const char *)&s;
                for (size_t off = 0; off < sizeof s;) {
                    ssize_t w = write(p[1], b + off, sizeof s - off);
                    if (w <= 0)
                        _exit(70);
                    off += (size_t)w;
                }
                _exit(0);
            }
            close(p[1]);
            fds[j] = p[0];
        }
        double wall = 0;
        for (unsigned long j = 0; j < jobs; j++) {
            soundness_stats s;
            char *b = (char *)&s;
            size_t off = 0;
            for (ssize_t r; off < sizeof s && (r = read(fds[j], b + off, sizeof s - off)) > 0;)
                off += (size_t)r;
            int status;
            waitpid(pids[j], &status, 0);
            if (off != sizeof s || !WIFEXITED(status) || WEXITSTATUS(status)) {
                fprintf(stderr, "soundness_campaign: worker %lu failed\n", j);
                return 70;
            }
            if (s.seconds > wall)
                wall = s.seconds;
            soundness_stats_add(&total, &s);
        }
        total.seconds = wall; /* wall time of the slowest worker */
    }
    soundness_print(stdout, &total, seed);
    return soundness_wrong(&total) ? 1 : 0;
}

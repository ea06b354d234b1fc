/*
 * core/outfile.h — atomic output files.
 *
 * Every file plstar writes goes to a temporary file in the same directory and
 * is renamed over the target only once it is complete, so an interrupted run
 * never leaves a half-written report. Pending temporary files are remembered
 * so that a signal handler can remove them (plstar_outfile_cleanup_all).
 */
#ifndef PLSTAR_CORE_OUTFILE_H
#define PLSTAR_CORE_OUTFILE_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    FILE *fp;
    char *path;     /* final name */
    char *tmp_path; /* temporary name, same directory */
} plstar_outfile;

/* Opens a temporary file next to `path`. Status PLSTAR_ECANTCREAT on failure. */
int plstar_outfile_open(plstar_outfile *f, const char *path);

/* Flushes, closes and renames onto the final path. On any write error the
 * temporary file is removed and PLSTAR_ECANTCREAT returned. */
int plstar_outfile_commit(plstar_outfile *f);

/* Closes and removes the temporary file. */
void plstar_outfile_abort(plstar_outfile *f);

/* Writes a whole text buffer atomically. */
int plstar_outfile_write_text(const char *path, const char *text);

/* Async-signal-safe removal of every pending temporary file. */
void plstar_outfile_cleanup_all(void);

/* DIR/NAME, the path of a file written into a directory (malloc'd; NULL when out of memory). */
char *plstar_outfile_path_join(const char *dir, const char *name);

#ifdef __cplusplus
}
#endif

#endif

/*
 * core/provenance.h — what ties a report to the code that wrote it: the plstar
 * version, the commit it was built from, and the command line that ran.
 *
 * The commit is taken when the library is built (meson's vcs_tag runs
 * `git describe --always --dirty` in the source tree: a hash, "-dirty" when the
 * tree had uncommitted changes); a build from a source tarball, outside any git
 * checkout, records "unknown". The inputs' file names and SHA-256 digests,
 * the seed and the precision are added per report (core/report.h).
 */
#ifndef PLSTAR_CORE_PROVENANCE_H
#define PLSTAR_CORE_PROVENANCE_H


#ifdef __cplusplus
extern "C" {
#endif
/* "0.1.0": the project's version. */
const char *plstar_version(void);

/* The git commit of the source tree at build time, or "unknown". */
const char *plstar_commit(void);

/* Remembers argv (not copied: main's argv lives as long as the process) so
 * that every report records the command that produced it. */
void plstar_provenance_set_command_line(int argc, char **argv);

/* The remembered command line (*argc = 0 when none was set). */
char **plstar_provenance_command_line(int *argc);

#ifdef __cplusplus
}
#endif

#endif

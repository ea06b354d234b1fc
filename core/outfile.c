#include "core/outfile.h"
#include "core/error.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A small fixed table of pending temporary names, readable from a signal
 * handler (only unlink(2) is called there). */
#define MAX_PENDING 64
static char *volatile pending[MAX_PENDING];

static void pending_add(char *name)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (!pending[i]) {
            pending[i] = name;
            return;
        }
}

static void pending_remove(const char *name)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i] == name)
            pending[i] = NULL;
}

void plstar_outfile_cleanup_all(void)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i])
            unlink(pending[i]);
}

int plstar_outfile_open(plstar_outfile *f, const char *path)
{
    memset(f, 0, sizeof *f);
    size_t len = strlen(path);
    f->path = strdup(path);
    f->tmp_path = malloc(len + 16);
    if (!f->path || !f->tmp_path) {
        free(f->path);
        free(f->tmp_path);
        return plstar_error(PLSTAR_ESOFTWARE, "%s: out of memory", path);
    }
    memcpy(f->tmp_path, path, len);
    memcpy(f->tmp_path + len, ".tmp.XXXXXX", 12);
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    int fd = mkstemp(f->tmp_path);
    if (fd >= 0)
        pending_add(f->tmp_path);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        int e = errno;
        free(f->path);
        free(f->tmp_path);
        f->path = f->tmp_path = NULL;
        return plstar_error(PLSTAR_ECANTCREAT, "%s: cannot create output: %s", path, strerror(e));
    }
    fchmod(fd, 0644);
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        close(fd);
        plstar_outfile_abort(f);
        return plstar_error(PLSTAR_ECANTCREAT, "%s: cannot create output", path);
    }
    return PLSTAR_OK;
}

static void outfile_release(plstar_outfile *f)
{
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pending_remove(f->tmp_path);
    sigprocmask(SIG_SETMASK, &old, NULL);
    free(f->tmp_path);
    free(f->path);
    f->tmp_path = f->path = NULL;
    f->fp = NULL;
}

void plstar_outfile_abort(plstar_outfile *f)
{
    if (f->fp)
        fclose(f->fp);
    if (f->tmp_path)
        unlink(f->tmp_path);
    outfile_release(f);
}

int plstar_outfile_commit(plstar_outfile *f)
{
    int bad = ferror(f->fp);
    bad |= fflush(f->fp) != 0;
    bad |= fsync(fileno(f->fp)) != 0 && errno != EINVAL;
    bad |= fclose(f->fp) != 0;
    f->fp = NULL;
    if (bad || rename(f->tmp_path, f->path) != 0) {
        int e = errno;
        int st = plstar_error(PLSTAR_ECANTCREAT, "%s: cannot write output: %s", f->path, strerror(e));
        unlink(f->tmp_path);
        outfile_release(f);
        return st;
    }
    outfile_release(f);
    return PLSTAR_OK;
}

int plstar_outfile_write_text(const char *path, const char *text)
{
    plstar_outfile f;
    int st = plstar_outfile_open(&f, path);
    if (st)
        return st;
    fputs(text, f.fp);
    return plstar_outfile_commit(&f);
}

char *plstar_outfile_path_join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%s/%s", dir, name);
    return s;
}

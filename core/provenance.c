#include "core/provenance.h"

#include <stddef.h>

#ifndef PLSTAR_VERSION
#define PLSTAR_VERSION "0.1.0"
#endif

static int saved_argc;
static char **saved_argv;

const char *plstar_version(void) { return PLSTAR_VERSION; }

void plstar_provenance_set_command_line(int argc, char **argv)
{
    saved_argc = argv ? argc : 0;
    saved_argv = argv;
}

char **plstar_provenance_command_line(int *argc)
{
    *argc = saved_argc;
    return saved_argv;
}

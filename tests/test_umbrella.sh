#!/usr/bin/env bash
# plstar.h, the umbrella header, includes every header that is installed (the lists of the
# folders' meson.build files, passed as arguments after plstar.h). That it compiles on its own
# is the build of tests/umbrella.c.
set -u
umbrella=$1; shift
failures=0
for h in "$@"; do
    rel=$(basename "$(dirname "$h")")/$(basename "$h") # folder/name, as plstar.h includes it
    if grep -q "^#include \"$rel\"" "$umbrella"; then :; else echo "FAIL: plstar.h does not include $rel"; failures=$((failures + 1)); fi
done
echo "$(( $# - failures )) passed, $failures failed"
[ $failures -eq 0 ]

#!/usr/bin/env bash
# The README's usage example runs as written from the top of a clone: the first ```sh block after
# "### Example" is run with bash -e in a scratch copy of the clone's layout (examples/, and
# build/cli/plstar standing for the executable under test), and must write what it says it writes.
set -u
exe=${PLSTAR_EXE:?set PLSTAR_EXE to the plstar executable}
src=${PLSTAR_SOURCE_ROOT:?set PLSTAR_SOURCE_ROOT to the source tree}
tmp=$(mktemp -d /tmp/plstar-readme-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

awk '/^### Example/ { found = 1 } found && /^```sh$/ { inside = 1; next } inside && /^```$/ { exit } inside { print }' \
    "$src/README.md" > "$tmp/example.sh"
if [ ! -s "$tmp/example.sh" ]; then
    echo "FAIL: no \`\`\`sh block after '### Example' in README.md"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "README example:"; sed 's/^/    /' "$tmp/example.sh"

mkdir -p "$tmp/clone/build/cli"
cp -r "$src/examples" "$tmp/clone/examples"
ln -s "$exe" "$tmp/clone/build/cli/plstar"
failures=0
if ! (cd "$tmp/clone" && env -u PLSTAR_EXE bash -e -o pipefail "$tmp/example.sh") > "$tmp/log" 2>&1; then
    echo "FAIL: the README example stops with an error:"; cat "$tmp/log"
    failures=1
fi
# each output the example's comments promise
for f in K.npy Kr.npy Kr.rad.npy eig.json cc.json point.json; do
    if [ ! -s "$tmp/clone/$f" ]; then echo "FAIL: the README example wrote no $f"; failures=$((failures + 1)); fi
done
echo "$((failures == 0 ? 1 : 0)) passed, $failures failed"
[ $failures -eq 0 ]

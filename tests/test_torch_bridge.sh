#!/usr/bin/env bash
# The PyTorch bridge, python/plstar (README, "Certify your PyTorch model"): tests/torch_bridge.py in a
# scratch directory with the in-tree package (PYTHONPATH=python), then the README's walkthrough as
# written. When PyTorch, NumPy or scikit-learn is missing: a failure in CI (CI=true, where `bash setup.sh
# test` installs them), else skipped (exit 77) with a line saying so.
set -u
PY=${PLSTAR_PYTHON:-/usr/bin/python3}
exe=${PLSTAR_EXE:?set PLSTAR_EXE to the plstar executable}
src=${PLSTAR_SOURCE_ROOT:?set PLSTAR_SOURCE_ROOT to the source tree}
if ! why=$("$PY" -c 'import torch, numpy, sklearn' 2>&1); then
    echo "${why##*$'\n'}"
    if [ "${CI:-}" = true ]; then
        echo "FAIL: PyTorch, NumPy or scikit-learn is not installed for $PY, and in CI (CI=true) the bridge" \
             "tests must run (bash setup.sh test installs python3-torch and python3-sklearn)"
        exit 1
    fi
    echo "SKIP: PyTorch, NumPy or scikit-learn is not installed for $PY (Debian: apt install python3-torch" \
         "python3-sklearn); the bridge tests were not run"
    exit 77
fi
"$PY" -c 'import sys, torch; print("PyTorch %s, Python %s" % (torch.__version__, sys.executable))'

tmp=$(mktemp -d /tmp/plstar-bridge-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0

mkdir "$tmp/unit"
(cd "$tmp/unit" && PYTHONPATH="$src/python" PLSTAR_EXE="$exe" "$PY" "$src/tests/torch_bridge.py") || failures=$((failures + 1))

# The README walkthrough: the first ```sh block after "## Certify your PyTorch model", run with bash -e from
# the top of a scratch clone (python/, and build/cli/plstar standing for the executable under test), with
# python3 meaning $PY. It must leave the reports it promises, certified.
awk '/^## Certify your PyTorch model/ { found = 1 } found && /^```sh$/ { inside = 1; next } inside && /^```$/ { exit } inside { print }' \
    "$src/README.md" > "$tmp/walkthrough.sh"
if [ ! -s "$tmp/walkthrough.sh" ]; then
    echo "FAIL: no \`\`\`sh block after '## Certify your PyTorch model' in README.md"
    failures=$((failures + 1))
else
    mkdir -p "$tmp/clone/build/cli" "$tmp/bin"
    cp -r "$src/python" "$tmp/clone/python"
    ln -s "$exe" "$tmp/clone/build/cli/plstar"
    ln -s "$(command -v "$PY")" "$tmp/bin/python3"
    if (cd "$tmp/clone" && env -u PLSTAR_EXE -u PYTHONPATH PATH="$tmp/bin:$PATH" bash -e -o pipefail "$tmp/walkthrough.sh") \
        > "$tmp/log" 2>&1; then
        for r in cert/report.json cert-gd/report.json cert-sgd/report.json; do
            if ! "$PY" -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["verdict"] != "certified")' \
                "$tmp/clone/$r" 2>/dev/null; then
                echo "FAIL: the README walkthrough left no certified $r"; failures=$((failures + 1))
            fi
        done
        echo "README walkthrough: ran as written"
    else
        echo "FAIL: the README walkthrough stops with an error:"; cat "$tmp/log"
        failures=$((failures + 1))
    fi
fi
[ $failures -eq 0 ]

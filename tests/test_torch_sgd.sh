#!/usr/bin/env bash
# torch.optim.SGD on nn.MSELoss() against plstar's mean loss (tests/torch_sgd.py): PyTorch's losses pass
# plstar validate step for step (and fail under the sum convention), match plstar train --loss mean, and
# certify gd --path --loss mean certifies the run. When PyTorch, NumPy or scikit-learn is missing: a failure
# in CI (CI=true, where `bash setup.sh test` installs them), else skipped (exit 77) with a line saying so.
set -u
PY=${PLSTAR_PYTHON:-/usr/bin/python3}
exe=${PLSTAR_EXE:?set PLSTAR_EXE to the plstar executable}
src=${PLSTAR_SOURCE_ROOT:?set PLSTAR_SOURCE_ROOT to the source tree}
if ! why=$("$PY" -c 'import torch, numpy, sklearn' 2>&1); then
    echo "${why##*$'\n'}"
    if [ "${CI:-}" = true ]; then
        echo "FAIL: PyTorch, NumPy or scikit-learn is not installed for $PY, and in CI (CI=true) the SGD" \
             "comparison must run (bash setup.sh test installs python3-torch and python3-sklearn)"
        exit 1
    fi
    echo "SKIP: PyTorch, NumPy or scikit-learn is not installed for $PY (Debian: apt install python3-torch" \
         "python3-sklearn); the SGD comparison was not run"
    exit 77
fi
tmp=$(mktemp -d /tmp/plstar-sgd-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" && PYTHONPATH="$src/python" PLSTAR_EXE="$exe" "$PY" "$src/tests/torch_sgd.py"

#!/usr/bin/env bash
# End to end: the arrays PyTorch users have, as they have them, through `plstar validate --layout`.
#
# A tanh MLP 4 -> 16 -> 3 (standard scaling, biases, float64) on 12 iris flowers: its Jacobian from
# functorch (torch.func or torch.autograd.functional.jacobian where functorch is missing: the test
# prints which), and the kernel in every layout: plstar (N, N), functorch (n, c, n, c),
# neural-tangents (n, n, c, c) and the output-traced (n, n). Each passes `plstar validate --layout`,
# with F, J and lambda_min (of the full K), the shape read printed and recorded; one entry times
# 1 + 1e-6 fails in each (exit 1), named in the layout's indices. Then forward passes in narrow
# formats: torch float32 and bfloat16 (a 4 -> 6 -> 3 net: bfloat16's first-order analysis needs dot
# products of at most 16 terms) and float16 rounded after every operation in NumPy (PyTorch 1.13 has
# no float16 matmul on the CPU) pass with the matching --precision and fail when one value is moved
# three allowances away. Without PyTorch: a failure in CI (CI=true), else skipped (exit 77).
set -u
PY=${PLSTAR_PYTHON:-/usr/bin/python3}
exe=${PLSTAR_EXE:?set PLSTAR_EXE to the plstar executable}
src=${PLSTAR_SOURCE_ROOT:?set PLSTAR_SOURCE_ROOT to the source tree}
checker=${PLSTAR_CHECK_REPORT:-}
side="$src/tests/layouts.py"
if ! why=$("$PY" -c 'import torch, numpy, sklearn' 2>&1); then
    echo "${why##*$'\n'}"
    if [ "${CI:-}" = true ]; then
        echo "FAIL: PyTorch, NumPy or scikit-learn is not installed for $PY, and in CI (CI=true) the layout" \
             "test must run (bash setup.sh test installs python3-torch and python3-sklearn)"
        exit 1
    fi
    echo "SKIP: PyTorch, NumPy or scikit-learn is not installed for $PY; the layout test was not run"
    exit 77
fi

tmp=$(mktemp -d /tmp/plstar-layouts-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
failures=0 passes=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { passes=$((passes + 1)); }
expect() { # expect STATUS NAME OUT -- plstar args...
    local want=$1 name=$2 out=$3
    shift 4
    "$exe" "$@" > "$out" 2>&1
    local st=$?
    if [ $st -eq "$want" ]; then pass; else fail "$name: exit $st, expected $want"; cat "$out"; fi
}
report_ok() { # the report passes the schema checker
    [ -z "$checker" ] || "$checker" "$1" > /dev/null || { fail "$1 does not pass check_report"; "$checker" "$1"; }
}

bundle() { # bundle DIR WIDTH
    mkdir -p "$1.src" && "$PY" "$side" problem "$1.src" "$2" &&
        "$exe" export --model "$1.src/model.json" --data "$1.src/X.npy" --weights "$1.src/w.npy" \
            --labels "$1.src/y.npy" --out "$1" > /dev/null
}
bundle B 16 || { fail "the iris problem"; exit 1; }
mkdir T && "$PY" "$side" compute B T || { fail "the PyTorch side"; exit 1; }
lmin=$("$PY" -c 'import numpy as np, sys; print(repr(float(np.linalg.eigvalsh(np.load(sys.argv[1]))[0])))' \
       T/K_plstar.npy)

# ---- every layout passes; a planted 1e-6 fails ---------------------------------------
# the planted entry: sample 1 output 2 against sample 3 output 0 (traced: samples 1, 3)
declare -A index=([plstar]="5 9" [functorch]="1 2 3 0" [neural-tangents]="1 3 2 0" [traced]="1 3")
declare -A named=([plstar]="K\[5, 9\]" [functorch]="K\[1, 2, 3, 0\]" [neural-tangents]="K\[1, 3, 2, 0\]"
                  [traced]="K\[1, 3\] (samples 1, 3")
declare -A shape=([plstar]="(36, 36)" [functorch]="(12, 3, 12, 3)" [neural-tangents]="(12, 12, 3, 3)"
                  [traced]="(12, 12)")
for l in plstar functorch neural-tangents traced; do
    J=T/J_nc.npy
    [ $l = plstar ] && J=T/J_plstar.npy
    expect 0 "$l" "out_$l.txt" -- validate --bundle B --layout "$l" --outputs T/F.npy --jacobian "$J" \
        --kernel "T/K_$l.npy" --lambda-min "$lmin" --json "R_$l.json"
    report_ok "R_$l.json"
    grep -qF "T/K_$l.npy: " "out_$l.txt" && grep -qF "kernel ${shape[$l]}, $l layout" "out_$l.txt" ||
        { fail "$l: the kernel's shape is not said back"; cat "out_$l.txt"; }
    grep -q "\"layout\": \"$l\"" "R_$l.json" || fail "$l: the report does not record the layout"
    grep -q '"read_as": ' "R_$l.json" || fail "$l: the report does not record how the shapes were read"
    grep -E "^(outputs|jacobian|kernel|traced_kernel|lambda_min) " "out_$l.txt" | sed "s/^/  $l: /"
    # shellcheck disable=SC2086
    "$PY" "$side" plant "T/K_$l.npy" "P_$l.npy" ${index[$l]} || fail "plant $l"
    expect 1 "$l, one entry times 1 + 1e-6" "fail_$l.txt" -- validate --bundle B --layout "$l" \
        --kernel "P_$l.npy" --json "F_$l.json"
    report_ok "F_$l.json"
    grep -q "kernel .* fail .*${named[$l]}" "fail_$l.txt" ||
        { fail "$l: the planted entry is not the worst, named ${named[$l]}"; cat "fail_$l.txt"; }
done
# and in the Jacobian (n, c, P)
"$PY" "$side" plant T/J_nc.npy P_J.npy 2 1 40 || fail "plant J"
expect 1 "J[2, 1, 40] times 1 + 1e-6" fail_J.txt -- validate --bundle B --layout functorch --jacobian P_J.npy
grep -q "jacobian .* fail .*J\[2, 1, 40\]" fail_J.txt || { fail "J: the planted entry is not named"; cat fail_J.txt; }
# a shape that is not the layout's: one line naming the file, the shape found and the one expected
"$exe" validate --bundle B --layout functorch --kernel T/K_neural-tangents.npy > /dev/null 2> shape.txt
st=$?
[ $st -eq 65 ] && [ "$(wc -l < shape.txt)" -eq 1 ] &&
    grep -q "K_neural-tangents.npy: kernel array has shape (12, 12, 3, 3); expected (12, 3, 12, 3)" shape.txt &&
    pass || { fail "an (n, n, c, c) kernel under functorch: exit $st"; cat shape.txt; }

# ---- narrow formats -------------------------------------------------------------------
bundle B6 6 || fail "the narrow problem"
mkdir T6 && "$PY" "$side" narrow B T && "$PY" "$side" narrow B6 T6 || fail "the narrow forward passes"
for case in "float32 B T" "float16 B T" "bfloat16 B6 T6"; do
    set -- $case
    d=$1 b=$2 t=$3
    expect 0 "$d forward pass" "out_$d.txt" -- validate --bundle "$b" --outputs "$t/F_$d.npy" --precision "$d" \
        --json "R_$d.json"
    report_ok "R_$d.json"
    grep -q "not $d numbers" "out_$d.txt" && fail "$d: torch's values are not $d numbers"
    grep "^outputs " "out_$d.txt" | sed "s/^/  $d: /"
    "$PY" "$side" shift "$t/F_$d.npy" "R_$d.json" "S_$d.npy" || fail "shift $d"
    expect 1 "$d, a value 3 allowances off" "fail_$d.txt" -- validate --bundle "$b" --outputs "S_$d.npy" \
        --precision "$d"
done
expect 65 "float32 data under a float64 claim" f32.txt -- validate --bundle B --outputs T/F_float32.npy
expect 65 "float16 data under a float32 claim" f16.txt -- validate --bundle B --outputs T/F_float16.npy \
    --precision float32
expect 1 "bfloat16 values are no float32 computation" bf16_32.txt -- validate --bundle B \
    --outputs T/F_bfloat16.npy --precision float32

echo "$passes passed, $failures failed"
[ $failures -eq 0 ]

#!/usr/bin/env bash
# End to end: plstar export -> PyTorch (bench/peers/torch_client.py) -> plstar validate.
#
# For MLPs of depth 1-3, tanh and sigmoid, linear and non-linear output activation, with and without
# bias, c = 1 and c = 3 outputs, PyTorch's F, J, K, lambda_min and a 10-step GD loss trajectory must
# pass in float64 and, at float32 tolerance, in float32. Then three bugs must fail and the report
# must name the worst entry: one entry of K off by 1e-6 relative, the 1/sqrt(m) scaling dropped,
# a weight matrix transposed. When PyTorch is not installed: a failure in CI (CI=true, where
# `bash setup.sh test` installs it, so its absence is a broken install), else skipped (exit 77).
set -u
PY=${PLSTAR_PYTHON:-/usr/bin/python3}
exe=${PLSTAR_EXE:?set PLSTAR_EXE to the plstar executable}
src=${PLSTAR_SOURCE_ROOT:?set PLSTAR_SOURCE_ROOT to the source tree}
client="$src/bench/peers/torch_client.py"
if ! why=$("$PY" -c 'import torch, numpy' 2>&1); then
    echo "${why##*$'\n'}"
    if [ "${CI:-}" = true ]; then
        echo "FAIL: PyTorch or NumPy is not installed for $PY, and in CI (CI=true) the end-to-end" \
             "validation must run (bash setup.sh test installs python3-torch)"
        exit 1
    fi
    echo "SKIP: PyTorch or NumPy is not installed for $PY (Debian: apt install python3-torch);" \
         "the end-to-end validation was not run"
    exit 77
fi
"$PY" -c 'import sys, torch; print("PyTorch %s from %s, Python %s" % (torch.__version__, torch.__file__, sys.executable))'

tmp=$(mktemp -d /tmp/plstar-e2e-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$PY" - <<'PY'
import numpy as np
r = np.random.default_rng(7)
np.save("X.npy", r.standard_normal((5, 3)))
for c in (1, 3):
    np.save("y%d.npy" % c, r.standard_normal((5, c)))
PY

# ---- the configuration matrix -------------------------------------------
pairs=()
names=()
seed=1
for depth in 1 2 3; do
  case $depth in 1) widths="[12]" ;; 2) widths="[12, 12]" ;; 3) widths="[12, 10, 12]" ;; esac
  for act in tanh sigmoid; do
    for outact in linear "$act"; do
      for bias in false true; do
        for c in 1 3; do
          name="d${depth}_${act}_out-${outact}_bias-${bias}_c${c}"
          printf '{"model": "mlp", "input_dim": 3, "widths": %s, "outputs": %d, "activation": "%s", "output_activation": "%s", "scaling": "ntk", "bias": %s}\n' \
              "$widths" "$c" "$act" "$outact" "$bias" > "$name.json"
          "$exe" export --model "$name.json" --data X.npy --seed $seed --labels "y$c.npy" --out "B_$name" > /dev/null \
              || fail "export $name"
          pairs+=("B_$name" "T_$name")
          names+=("$name")
          seed=$((seed + 1))
        done
      done
    done
  done
done
mapfile -t lrs < <("$PY" "$client" "${pairs[@]}" --steps 10) || fail "torch client"
[ "${#lrs[@]}" -eq "${#names[@]}" ] || { fail "torch client printed ${#lrs[@]} step sizes for ${#names[@]} bundles"; exit 1; }

validate() { # validate BUNDLE RESULTS DTYPE LR JSON [extra args]
    local b=$1 t=$2 d=$3 lr=$4 json=$5
    shift 5
    "$exe" validate --bundle "$b" --outputs "$t/$d/F.npy" --jacobian "$t/$d/J.npy" --kernel "$t/$d/K.npy" \
        --lambda-min "$(cat "$t/$d/lambda_min.txt")" --losses "$t/$d/L.npy" --lr "$lr" --precision "$d" \
        --json "$json" "$@"
}

for k in "${!names[@]}"; do
  n=${names[$k]}
  for d in float64 float32; do
    validate "B_$n" "T_$n" "$d" "${lrs[$k]}" "R_${n}_$d.json" > "out_${n}_$d.txt" 2>&1
    st=$?
    [ $st -eq 0 ] || { fail "$n $d: exit $st, expected 0 (pass)"; cat "out_${n}_$d.txt"; }
  done
done

# a summary: the worst ratio of every quantity (1 would be the edge of the tolerance)
"$PY" - "${names[@]}" <<'PY'
import json, sys
qs = ["outputs", "jacobian", "kernel", "lambda_min", "losses"]
print("%-40s %-8s %s" % ("configuration", "dtype", "  ".join("%10s" % q for q in qs)))
worst = {}
for n in sys.argv[1:]:
    for d in ("float64", "float32"):
        try:
            r = json.load(open("R_%s_%s.json" % (n, d)))
        except OSError:
            continue
        row = []
        for q in qs:
            v = r["quantities"].get(q, {}).get("worst_ratio")
            row.append("%10.2e" % v if v is not None else "%10s" % "-")
            if v is not None:
                worst[(d, q)] = max(worst.get((d, q), 0), v)
        print("%-40s %-8s %s  %s" % (n, d, "  ".join(row), r["verdict"]))
for d in ("float64", "float32"):
    print("max worst ratio %s: %s" % (d, ", ".join("%s %.2e" % (q, worst.get((d, q), 0)) for q in qs)))
PY

# ---- mutations -------------------------------------------------------------
m="d2_tanh_out-linear_bias-true_c3"
k=-1
for i in "${!names[@]}"; do [ "${names[$i]}" = "$m" ] && k=$i; done
lr=${lrs[$k]}

# one entry of K off by 1e-6 relative (float64): fails, and the report names K[2, 4]
"$PY" - "T_$m/float64/K.npy" <<'PY'
import numpy as np, sys
K = np.load(sys.argv[1]); K[2, 4] *= 1 + 1e-6; np.save("K_perturbed.npy", K)
PY
"$exe" validate --bundle "B_$m" --kernel K_perturbed.npy --precision float64 --json mut_k.json > mut_k.txt 2>&1
st=$?
[ $st -eq 1 ] || fail "K perturbed by 1e-6: exit $st, expected 1"
grep -q "^kernel .* fail .*K\[2, 4\]" mut_k.txt || { fail "K perturbed: the report does not name K[2, 4]"; cat mut_k.txt; }
grep -q '"where": "K\[2, 4\]' mut_k.json || fail "K perturbed: the JSON report does not name K[2, 4]"
cat mut_k.txt

for mut in drop-scaling transpose; do
  "$PY" "$client" "B_$m" "M_$mut" --steps 10 --lr "$lr" --mutate "$mut" > /dev/null || fail "torch client --mutate $mut"
  for d in float64 float32; do
    validate "B_$m" "M_$mut" "$d" "$lr" "mut_${mut}_$d.json" > "mut_${mut}_$d.txt" 2>&1
    st=$?
    [ $st -eq 1 ] || { fail "$mut $d: exit $st, expected 1 (fail)"; cat "mut_${mut}_$d.txt"; }
    grep -q "^outputs .* fail .*F\[[0-9]*\] (sample" "mut_${mut}_$d.txt" || fail "$mut $d: no worst entry named for F"
    grep -q "^kernel .* fail .*K\[[0-9]*, [0-9]*\]" "mut_${mut}_$d.txt" || fail "$mut $d: no worst entry named for K"
    grep -q "^losses .* fail" "mut_${mut}_$d.txt" || fail "$mut $d: the loss trajectory did not fail"
    echo "--- $mut, $d:"
    grep -v '^    ' "mut_${mut}_$d.txt"
  done
done

if [ $failures -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "end-to-end validation: ${#names[@]} configurations pass in float64 and float32; 3 mutations fail"

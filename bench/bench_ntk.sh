#!/usr/bin/env bash
# bench/bench_ntk.sh — the structured tangent kernel and the GD trainer next to
# the PyTorch peers (bench/peers/ntk_torch.py), all in one run, and the DGEMM
# rate of the same run for the kernel's share of it. Prints JSON lines and a
# summary; writes everything under OUT.
#
#   bash bench/bench_ntk.sh [BUILD_DIR] [OUT_DIR]       (defaults: build, /tmp/plstar-bench-ntk)
#   QUICK=1 bash bench/bench_ntk.sh ...                 only the n = 256 configuration
#   ROUNDS=R                                            plstar/torch rounds for n = 256 (default 3)
#
# Configurations (float64, tanh, NTK scaling, no bias, d = 10, 2 threads):
#   A  n = 256,   widths [1024, 1024]:  `plstar kernel` as a whole process vs the
#      functorch recipes' computation alone; a GD step (plstar_fast_train) vs an autograd step
#   B  n = 4096,  widths [4096, 4096, 4096]: kernel GFLOP/s (forward, backward and Gram
#      flops, plstar_fast_kernel_structured_flops) over the DGEMM rate measured around it
#   C  n = 16384, widths [2048, 2048]: `plstar kernel` peak RSS (/usr/bin/time -v)
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
OUT=${2:-/tmp/plstar-bench-ntk}
PLSTAR=$BUILD/cli/plstar
BENCH=$BUILD/bench/bench_ntk
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2} OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
mkdir -p "$OUT"
cd "$OUT"
[ -x "$PLSTAR" ] && [ -x "$BENCH" ] || { echo "bench_ntk.sh: build first (ninja -C $BUILD)" >&2; exit 66; }
[ -x /usr/bin/time ] || { echo "bench_ntk.sh: /usr/bin/time missing (apt-get install -y time)" >&2; exit 69; }

echo "# $(date -u +%FT%TZ) $(uname -m), $(nproc) CPUs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# Inputs: the same .npy files for plstar and torch; weights N(0, 1) in plstar's flat layout.
"$PY" - <<'PYEOF'
import json, numpy as np
def make(tag, n, widths, seed):
    rng = np.random.default_rng(seed)
    d = 10
    np.save(f"X{tag}.npy", rng.standard_normal((n, d)))
    np.save(f"y{tag}.npy", rng.standard_normal(n))
    json.dump({"model": "mlp", "input_dim": d, "widths": widths, "outputs": 1, "activation": "tanh",
               "output_activation": "linear", "scaling": "ntk", "bias": False}, open(f"m{tag}.json", "w"))
    dims = [d] + widths + [1]
    P = sum(a * b for a, b in zip(dims[:-1], dims[1:]))
    np.save(f"w{tag}.npy", rng.standard_normal(P))
make("A", 256, [1024, 1024], 1)
make("B", 4096, [4096, 4096, 4096], 2)
make("C", 16384, [2048, 2048], 3)
PYEOF

jget() { "$PY" -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

# ---- A ----------------------------------------------------------------------
# Rounds alternate plstar and torch so that both see the same machine; each side
# keeps its best time over the rounds. The NTK-vector-product recipe (much slower
# than the Jacobian contraction here) runs once.
A_MODEL=(--model mA.json --data XA.npy --weights wA.npy)
ROUNDS=${ROUNDS:-3}
"$PLSTAR" kernel "${A_MODEL[@]}" --out KA.npy
"$PY" "$HERE/peers/ntk_torch.py" --model mA.json --data XA.npy --weights wA.npy --check KA.npy \
    --recipes ntkvp --repeat 1 || true
: > roundsA.txt
for r in $(seq "$ROUNDS"); do
  P=$("$BENCH" process 7 "$PLSTAR" kernel "${A_MODEL[@]}" --out KA.npy)
  echo "{\"bench\": \"plstar_kernel_process\", \"config\": \"A\", \"round\": $r, \"seconds\": $(jget "$P" seconds), \"median\": $(jget "$P" median)}" | tee -a roundsA.txt
  "$PY" "$HERE/peers/ntk_torch.py" --model mA.json --data XA.npy --weights wA.npy --labels yA.npy --check KA.npy \
      --recipes jacobian,jacobian_shared,gd --repeat 2 --steps 10 --lr 1e-3 | tee -a roundsA.txt || true
  "$BENCH" gd mA.json XA.npy wA.npy yA.npy 30 | tee -a roundsA.txt
done
T0=$(date +%s%N)
"$PLSTAR" train "${A_MODEL[@]}" --labels yA.npy --lr 1e-3 --steps 50 --record-every 10 --out trainA >/dev/null
T1=$(date +%s%N)
echo "{\"bench\": \"plstar_train_process\", \"config\": \"A\", \"steps\": 50, \"seconds\": $(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.4f", (b-a)/1e9}')}"
"$PY" - roundsA.txt <<'PYEOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
if any("skipped" in r for r in recs):
    print("# A: torch peer skipped:", [r["skipped"] for r in recs if "skipped" in r][0])
    sys.exit(0)
# Records come in rounds: plstar's process, then the torch recipes, then the GD steps.
rounds, cur = [], None
for r in recs:
    if r.get("bench") == "plstar_kernel_process":
        cur = {"plstar": r["seconds"], "plstar_median": r["median"]}
        rounds.append(cur)
    elif cur is not None and "recipe" in r:
        cur[r["recipe"]] = r
    elif cur is not None and r.get("bench") == "gd_step":
        cur["gd"] = r["seconds_per_step"]
def spread(values, fmt=".0f"):
    v = sorted(values)
    return (f"median {v[len(v) // 2]:{fmt}}x (min {v[0]:{fmt}}x, max {v[-1]:{fmt}}x over {len(v)} rounds)"
            if v else "no rounds")
def ratios(recipe, warm=True):
    # a round's peer process: its first call is the cold one a one-off user pays, the best later call the warm one
    return [(min(q[recipe]["times"][1:] or q[recipe]["times"]) if warm else q[recipe]["times"][0]) / q["plstar"]
            for q in rounds if recipe in q]
kernel = min(q["plstar"] for q in rounds)
print(f"# A: plstar kernel, whole process: best {kernel * 1e3:.1f} ms, median of the rounds' medians "
      f"{sorted(q['plstar_median'] for q in rounds)[len(rounds) // 2] * 1e3:.1f} ms")
for recipe, label in (("jacobian_contraction", "functorch Jacobian contraction as published (the faster recipe)"),
                      ("jacobian_contraction_shared", "stronger peer, one Jacobian used twice")):
    if any(recipe in q for q in rounds):
        print(f"# A: {label}: warm call {spread(ratios(recipe))}; first call {spread(ratios(recipe, False))}")
gd = [q["autograd_gd_step"]["seconds"] / q["gd"] for q in rounds if "gd" in q and "autograd_gd_step" in q]
print(f"# A: GD step plstar {min(q['gd'] for q in rounds if 'gd' in q) * 1e3:.1f} ms, torch autograd "
      f"{min(q['autograd_gd_step']['seconds'] for q in rounds if 'autograd_gd_step' in q) * 1e3:.1f} ms (best); "
      f"ratio per round {spread(gd, '.2f')}")
PYEOF
[ "${QUICK:-0}" = 1 ] && exit 0

# ---- B ----------------------------------------------------------------------
D1=$("$BENCH" dgemm 4096 3); echo "$D1"
KB=$("$BENCH" kernel mB.json XB.npy wB.npy 1); echo "$KB"
D2=$("$BENCH" dgemm 4096 3); echo "$D2"
"$PY" - "$D1" "$KB" "$D2" <<'PYEOF'
import json, sys
d1, k, d2 = (json.loads(a) for a in sys.argv[1:])
rate = (d1["gflops"] + d2["gflops"]) / 2
print(f"# B: kernel {k['seconds']:.2f} s, {k['flops'] / 1e9:.0f} GFLOP, {k['gflops']:.1f} GFLOP/s; "
      f"DGEMM {d1['gflops']:.1f} / {d2['gflops']:.1f} GFLOP/s; share {k['gflops'] / rate * 100:.0f}%")
PYEOF

# ---- C ----------------------------------------------------------------------
/usr/bin/time -v "$PLSTAR" kernel --model mC.json --data XC.npy --weights wC.npy --out KC.npy 2> timeC.txt
RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' timeC.txt)
WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' timeC.txt)
echo "{\"bench\": \"plstar_kernel_process\", \"config\": \"C\", \"max_rss_kib\": $RSS, \"wall\": \"$WALL\"}"
echo "# C: n = 16384, widths [2048, 2048]: wall $WALL, peak RSS $(awk -v k="$RSS" 'BEGIN{printf "%.2f GiB", k/1048576}')"
rm -f KC.npy
echo "# done, load average: $(cut -d' ' -f1-3 /proc/loadavg)"

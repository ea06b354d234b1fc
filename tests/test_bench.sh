#!/usr/bin/env bash
# plstar bench: the format of what a run writes, on the tiny size set (no timing assertions).
#
#   - `bench quick --tiny --suite kernel` writes results.jsonl whose first line describes the machine
#     and the run, then one line per case with the timing, roof and memory fields, and agreement with
#     the reference (all entries contained) for plstar's kernels at the sizes where the reference runs;
#     the PyTorch peer, disabled here, is a "skipped" line;
#   - summary.md, and the kernel plot when gnuplot is installed;
#   - the history file is named <UTC date-time>-<revision>-<set>.jsonl;
#   - `bench compare` passes a run against itself and flags a median pushed out of the noise band.
set -u
exe=${PLSTAR_EXE:?set PLSTAR_EXE to the plstar executable}
PY=${PLSTAR_PYTHON:-/usr/bin/python3}
command -v "$PY" >/dev/null 2>&1 || PY=python3
tmp=$(mktemp -d /tmp/plstar-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if ! "$exe" bench quick --tiny --suite kernel --no-peers --history "$tmp/hist" --out "$tmp/run" >"$tmp/log" 2>&1; then
    cat "$tmp/log"
    fail "plstar bench quick --tiny exited with $?"
fi
[ -s "$tmp/run/results.jsonl" ] || { cat "$tmp/log"; echo "FAIL: no results.jsonl"; exit 1; }

"$PY" - "$tmp/run/results.jsonl" <<'PY' || failures=$((failures + 1))
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bad = []
head = lines[0]
for path in ("machine.nproc", "machine.cpu", "machine.mem_total_kib", "machine.openblas_config", "run.git_rev",
             "run.date_utc", "run.set", "peak.size", "peak.gflops", "peak.median_s"):
    o = head
    for k in path.split("."):
        o = o.get(k) if isinstance(o, dict) else None
    if o is None:
        bad.append("machine line lacks " + path)
cases = lines[1:]
if not any(c.get("suite") == "roof" and c.get("impl") == "dgemm" for c in cases):
    bad.append("no DGEMM roof line")
kernel = [c for c in cases if c.get("suite") == "kernel"]
impls = {c["impl"] for c in kernel}
for want in ("structured", "explicit", "reference"):
    if want not in impls:
        bad.append("no kernel line for " + want)
timed = ("case", "impl", "sizes", "median_s", "min_s", "max_s", "gflops", "peak_share", "peak_gflops",
         "rss_peak_kib", "reps", "warmup")
for c in kernel:
    if "skipped" in c:
        continue
    for k in timed:
        if k not in c:
            bad.append("%s %s lacks %s" % (c.get("case"), c.get("impl"), k))
    if not (c.get("min_s", 1) <= c.get("median_s", 0) <= c.get("max_s", -1)):
        bad.append("%s %s: not min <= median <= max" % (c.get("case"), c.get("impl")))
    if c["impl"] in ("structured", "explicit"):
        a = c.get("agreement")
        if not isinstance(a, dict):
            bad.append("%s %s: no agreement with the reference" % (c["case"], c["impl"]))
            continue
        for k in ("max_abs_diff", "max_diff_over_rad", "containment", "hist", "against", "allowance"):
            if k not in a:
                bad.append("%s %s: agreement lacks %s" % (c["case"], c["impl"], k))
        if a.get("containment") != 1.0:
            bad.append("%s %s: containment %s" % (c["case"], c["impl"], a.get("containment")))
skipped = [c for c in kernel if c["impl"].startswith("torch/")]
if not skipped or not all("skipped" in c for c in skipped):
    bad.append("the disabled PyTorch peer is not reported as skipped")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

[ -s "$tmp/run/summary.md" ] || fail "no summary.md"
if command -v gnuplot >/dev/null 2>&1; then
    head -c 4 "$tmp/run/plots/kernel_time.png" 2>/dev/null | grep -q PNG || fail "no kernel_time.png"
fi
ls "$tmp/hist" | grep -Eq '^[0-9]{8}T[0-9]{6}Z-[0-9A-Za-z]+-tiny\.jsonl$' || fail "history file name: $(ls "$tmp/hist")"

"$exe" bench compare "$tmp/run/results.jsonl" "$tmp/run/results.jsonl" >"$tmp/cmp1" 2>&1 \
    || fail "a run compared with itself: exit $? ($(tail -1 "$tmp/cmp1"))"
"$PY" - "$tmp/run/results.jsonl" "$tmp/slow.jsonl" <<'PY'
import json, sys
out = open(sys.argv[2], "w")
for i, l in enumerate(open(sys.argv[1])):
    j = json.loads(l)
    if j.get("suite") == "kernel" and j.get("impl") == "structured" and "median_s" in j:
        for k in ("median_s", "min_s", "max_s"):
            j[k] *= 10
    out.write(json.dumps(j) + "\n")
PY
"$exe" bench compare "$tmp/run/results.jsonl" "$tmp/slow.jsonl" >"$tmp/cmp2" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "a tenfold slower kernel is not a regression (exit $rc)"
grep -q REGRESSION "$tmp/cmp2" || fail "compare does not name the regression"

if [ $failures -ne 0 ]; then
    echo "$failures failure(s); output:"
    cat "$tmp/log"
    exit 1
fi
echo "bench: results, summary, plots, history and compare as expected"

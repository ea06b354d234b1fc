#!/usr/bin/env bash
# same_outputs.sh — run a fixed set of plstar commands and record a digest of every output, so that two builds
# (before and after a refactoring) can be shown to compute bit-identical results. OUT_DIR/work keeps the outputs.
#
#   bash tests/same_outputs.sh record BUILD_DIR OUT_DIR   run the cases with BUILD_DIR/cli/plstar; writes
#                                                         OUT_DIR/digest.txt (one "sha256  file" line per output)
#   bash tests/same_outputs.sh compare DIGEST_A DIGEST_B  exit 0 when the digests agree, 1 (with the differing
#                                                         files) when they do not
#
# What is compared: every file a case writes (.npy byte for byte; JSON reports with the fields that change from run
# to run removed: provenance, timings, paths of temporary directories) and every case's stdout and exit status.
# Benchmark reports keep their computed values (errors, widths, agreement) and drop measured times.
set -uo pipefail

usage() { echo "usage: same_outputs.sh record BUILD_DIR OUT_DIR | compare DIGEST_A DIGEST_B" >&2; exit 64; }

# JSON with the run-dependent fields removed and keys sorted; the field names are the reports' own (docs/reports.md).
normalize_json() {
  python3 - "$1" <<'EOF'
import json, sys
# measured, not computed: provenance (time, commit, host), timings, rates, memory peaks, the machine's load
VOLATILE = {"provenance", "fit", "gflops", "machine", "peak", "peak_gflops", "peak_share", "peak_time_s", "reps",
            "rss_peak_kib", "timestamp", "git", "git_rev", "git_dirty", "date", "date_utc"}
def clean(v):
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()
                if k not in VOLATILE and not k.endswith("_s") and not k.startswith(("seconds", "vs_"))}
    if isinstance(v, list):
        return [clean(x) for x in v]
    return v
with open(sys.argv[1]) as f:
    text = f.read()
try:
    docs = [json.loads(text)]
except ValueError:  # JSON lines (bench/results.jsonl)
    docs = [json.loads(line) for line in text.splitlines() if line.strip()]
for d in docs:
    json.dump(clean(d), sys.stdout, sort_keys=True, indent=1)
EOF
}

# stdout lines that carry timings or temporary paths are dropped; everything else is kept as printed.
normalize_stdout() {
  grep -vE '(seconds|[0-9] ?s\b|[0-9]ms\b|elapsed|GFLOP|took|wrote .*/tmp|/tmp/|median|commit|version)' "$1" || true
}

run_case() { # NAME CMD... : stdout, stderr-less, exit status into $OUT/cases/NAME.*
  local name=$1; shift
  (cd "$WORK" && "$@" >"$OUT/cases/$name.stdout" 2>/dev/null; echo $? >"$OUT/cases/$name.rc")
}

record() {
  local build=$1
  OUT=$2
  [ -x "$build/cli/plstar" ] || { echo "same_outputs: no $build/cli/plstar" >&2; exit 66; }
  local P; P=$(cd "$build" && pwd)/cli/plstar
  local SRC; SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  rm -rf "$OUT"; mkdir -p "$OUT/cases"; OUT=$(cd "$OUT" && pwd)
  WORK="$OUT/work"; mkdir -p "$WORK"   # kept, to diff a differing output by hand
  cp "$SRC"/examples/{X.npy,y.npy,mlp.json,shallow.json} "$WORK"/
  local M="--model mlp.json --data X.npy --seed 1"
  local S="--model shallow.json --data X.npy --seed 2"
  run_case demo            "$P" demo --out demo
  run_case forward_fast    "$P" forward $M --out F.npy --json forward.json
  run_case forward_ref     "$P" forward $M --impl reference --out Fr.npy
  run_case kernel_fast     "$P" kernel $M --out K.npy
  run_case kernel_explicit "$P" kernel $M --impl explicit --out Ke.npy
  run_case kernel_ref      "$P" kernel $M --impl reference --out Kr.npy
  run_case jacobian_fast   "$P" jacobian $M --out J.npy
  run_case jacobian_ref    "$P" jacobian $M --impl reference --out Jr.npy
  run_case eig_fast        "$P" eig --matrix K.npy --json eig_fast.json
  run_case eig_ref         "$P" eig --matrix Kr.npy --impl reference --json eig_ref.json
  run_case crosscheck      "$P" crosscheck $M --labels y.npy --json cc.json
  run_case point           "$P" certify point $M --labels y.npy --json point.json
  run_case point_witness   "$P" certify point $M --mu 1e9 --json point_refuted.json
  run_case ball            "$P" certify ball $S --radius 0.01 --mu 1e-3 --json ball.json
  run_case gd_apriori      "$P" certify gd $S --labels y.npy --apriori --json apriori.json
  run_case gd_path         "$P" certify gd $M --labels y.npy --path --steps 5 --lr 0.05 --out path --json path.json
  run_case train           "$P" train $M --labels y.npy --lr 0.05 --steps 20 --record-every 5 --out train
  run_case train_mean      "$P" train $M --labels y.npy --lr 0.05 --steps 10 --loss mean --out train_mean
  run_case export          "$P" export $M --labels y.npy --out bundle
  run_case validate        "$P" validate --bundle bundle --kernel K.npy --jacobian J.npy --outputs F.npy \
                                 --json validate.json
  run_case bench_quick     "$P" bench quick --tiny --no-peers --out bench
  run_case usage_bad       "$P" certify point $M --radius 1
  # every file written, in a fixed order
  (cd "$WORK" && find . -type f ! -name '*.json.tmp*' | LC_ALL=C sort) | while read -r f; do
    case "$f" in
      ./X.npy|./y.npy|./mlp.json|./shallow.json) continue ;;
      ./bench/plots/*|./bench/summary.md) continue ;;  # timings and their drawings
      *.json|*.jsonl) normalize_json "$WORK/$f" >"$OUT/norm" ;;
      *.txt|*.log|*.dat|*.md|*.gp|*.csv) normalize_stdout "$WORK/$f" >"$OUT/norm" ;;
      *.png|*.svg) continue ;;  # drawings of timing plots
      *) cp "$WORK/$f" "$OUT/norm" ;;
    esac
    echo "$(sha256sum <"$OUT/norm" | cut -c1-64)  $f"
  done >"$OUT/digest.txt"
  for f in $(cd "$OUT/cases" && LC_ALL=C ls); do
    case "$f" in
      bench_quick.stdout) continue ;;  # a table of timings; bench/results.jsonl holds its computed values
      *.stdout) normalize_stdout "$OUT/cases/$f" >"$OUT/norm" ;;
      *) cp "$OUT/cases/$f" "$OUT/norm" ;;
    esac
    echo "$(sha256sum <"$OUT/norm" | cut -c1-64)  cases/$f"
  done >>"$OUT/digest.txt"
  rm -f "$OUT/norm"
  echo "same_outputs: $(wc -l <"$OUT/digest.txt") outputs recorded in $OUT/digest.txt"
}

compare() {
  if diff "$1" "$2" >/dev/null; then
    echo "same_outputs: identical ($(wc -l <"$1") outputs)"
    return 0
  fi
  echo "same_outputs: these outputs differ:"
  diff <(sort -k2 "$1") <(sort -k2 "$2") | sed -n 's/^[<>] [0-9a-f]*  //p' | sort -u
  return 1
}

case "${1:-}" in
  record) [ $# -eq 3 ] || usage; record "$2" "$3" ;;
  compare) [ $# -eq 3 ] || usage; compare "$2" "$3" ;;
  *) usage ;;
esac

#!/usr/bin/env bash
# setup.sh — install what plstar needs (Debian 12), build it, and run a job.
#   bash setup.sh demo     install, build, run `plstar demo` on the embedded example
#   bash setup.sh test     install, build, run the test suite (plain and ASan+UBSan builds)
#   bash setup.sh build    install and build only
#   bash setup.sh peers    also install the optional PyTorch peer (python3-torch)
# Idempotent: packages already present are not reinstalled, builds are incremental.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PACKAGES=(build-essential pkg-config meson ninja-build
          libflint-arb-dev libflint-dev libgmp-dev
          libopenblas-dev liblapacke-dev libgsl-dev libjansson-dev nettle-dev libcriterion-dev
          gnuplot-nox python3 python3-numpy)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

build() { # build DIR [meson options]
  local dir=$1; shift
  [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@"
  ninja -C "$dir"
}

# Runs the suite in DIR and prints a closing "N passed, N failed" line.
run_tests() {
  local dir=$1 status=0
  meson test -C "$dir" --print-errorlogs --num-processes 2 || status=$?
  local log="$dir/meson-logs/testlog.json" ok=0 bad=0
  if [ -f "$log" ]; then
    ok=$(grep -c '"result": "OK"' "$log" || true)
    bad=$(grep -vc '"result": "OK"' "$log" || true)
  fi
  echo "$dir: $ok passed, $bad failed"
  # Criterion runs each test in a worker whose sanitizer report (a leak found
  # at exit, say) does not change the test's result: any report fails the run.
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$dir/meson-logs/testlog.txt" 2>/dev/null; then
    echo "$dir: sanitizer reports in $dir/meson-logs/testlog.txt:"
    grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: ' "$dir/meson-logs/testlog.txt" | head -20
    status=1
  fi
  return $status
}

job=${1:-demo}
case "$job" in
  demo|test|build|peers) ;;
  *) echo "usage: bash setup.sh demo|test|build|peers" >&2; exit 64 ;;
esac

install_packages "${PACKAGES[@]}"
[ "$job" = peers ] && install_packages python3-torch
build build

case "$job" in
  demo)
    ./build/cli/plstar demo --out build/demo ;;
  test)
    status=0
    run_tests build || status=$?
    build build-sanitize -Db_sanitize=address,undefined -Dbuildtype=debugoptimized -Db_lundef=false
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      run_tests build-sanitize || status=$?
    total_ok=0; total_bad=0
    for d in build build-sanitize; do
      total_ok=$((total_ok + $(grep -c '"result": "OK"' "$d/meson-logs/testlog.json" || true)))
      total_bad=$((total_bad + $(grep -vc '"result": "OK"' "$d/meson-logs/testlog.json" || true)))
    done
    echo "$total_ok passed, $total_bad failed"
    exit $status ;;
esac

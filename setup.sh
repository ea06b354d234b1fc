#!/usr/bin/env bash
# setup.sh — install what plstar needs (Debian 12), build it, and run a job.
#   bash setup.sh demo     install, build, run `plstar demo` on the embedded example
#   bash setup.sh test     install (with PyTorch and scikit-learn for Debian's /usr/bin/python3, which the
#                          end-to-end tests use), build, run the test suite (plain and ASan+UBSan builds)
#   bash setup.sh build    install and build only
#   bash setup.sh peers    also install the optional PyTorch peer (python3-torch)
# Idempotent: packages already present are not reinstalled, builds are incremental.
# With CI=true (as .ci/run sets) a test that needs PyTorch fails instead of skipping when it is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PACKAGES=(build-essential pkg-config meson ninja-build
          libflint-arb-dev libflint-dev libgmp-dev
          libopenblas-dev liblapacke-dev libgsl-dev libjansson-dev nettle-dev libcriterion-dev
          gnuplot-nox python3 python3-numpy)
# The third-party clients of the end-to-end tests, for /usr/bin/python3 (PLSTAR_PYTHON); not needed by demo.
TEST_PACKAGES=(python3-torch python3-sklearn)

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

# "PASSED FAILED SKIPPED" of the last run in DIR, from meson's testlog.json
# (one object per test): SKIP is a skip, OK and EXPECTEDFAIL a pass, any other
# result (FAIL, TIMEOUT, ERROR, ...) a failure.
count_results() {
  local log="$1/meson-logs/testlog.json" all=0 ok=0 skip=0
  if [ -f "$log" ]; then
    all=$(grep -c '"result": "' "$log" || true)
    ok=$(grep -cE '"result": "(OK|EXPECTEDFAIL)"' "$log" || true)
    skip=$(grep -c '"result": "SKIP"' "$log" || true)
  fi
  echo "$ok $((all - ok - skip)) $skip"
}

# The names of the tests the last run in DIR skipped, space-separated.
skipped_tests() {
  grep '"result": "SKIP"' "$1/meson-logs/testlog.json" 2>/dev/null |
    sed -n 's/^{"name": "\([^"]*\)".*/\1/p' | tr '\n' ' ' || true
}

# Runs the suite in DIR and prints a closing "N passed, N failed, N skipped" line.
run_tests() {
  local dir=$1 status=0 ok bad skip
  meson test -C "$dir" --print-errorlogs --num-processes 2 || status=$?
  read -r ok bad skip < <(count_results "$dir")
  echo "$dir: $ok passed, $bad failed, $skip skipped"
  [ "$skip" -eq 0 ] || echo "$dir: skipped: $(skipped_tests "$dir")"
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
if [ "$job" = test ]; then
  install_packages "${TEST_PACKAGES[@]}"
  /usr/bin/python3 -c 'import torch, sklearn' ||
    { echo "setup: /usr/bin/python3 cannot import torch and sklearn (${TEST_PACKAGES[*]})" >&2; exit 1; }
fi
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
    total_ok=0; total_bad=0; total_skip=0
    for d in build build-sanitize; do
      read -r ok bad skip < <(count_results "$d")
      total_ok=$((total_ok + ok)); total_bad=$((total_bad + bad)); total_skip=$((total_skip + skip))
    done
    echo "$total_ok passed, $total_bad failed, $total_skip skipped"
    exit $status ;;
esac

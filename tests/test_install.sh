#!/usr/bin/env bash
# The library as its users link it: `meson install` into a fresh prefix, then a C and a C++ program built
# only with `pkg-config --cflags --libs plstar` against that prefix compute a kernel and a verified
# λ_min bound (examples/kernel_lambda_min.c, installed with the headers), and the installed plstar runs.
set -u
build=$1
src=${PLSTAR_SOURCE_ROOT:?}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
passed=0 failed=0
check() { # NAME CMD...
  local name=$1; shift
  if "$@" >"$prefix/out.txt" 2>&1; then passed=$((passed + 1)); else
    echo "FAIL: $name"; sed 's/^/  /' "$prefix/out.txt"; failed=$((failed + 1)); fi
}
check "meson install" meson install -C "$build" --destdir "$prefix/stage" --no-rebuild
root="$prefix/stage/$(meson introspect "$build" --buildoptions |
  python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')"
libdir=$(ls -d "$root"/lib* | head -1)
pcdir=$(dirname "$(find "$root" -name plstar.pc | head -1)")
# the .pc names its prefix absolutely: point it at the staged copy
sed -i "s|^prefix=.*|prefix=$root|" "$pcdir/plstar.pc"
export PKG_CONFIG_PATH="$pcdir"
# a sanitized build's library needs the sanitizer runtime in the program too
san=$(meson introspect "$build" --buildoptions |
  python3 -c 'import json,sys; v=next(o["value"] for o in json.load(sys.stdin) if o["name"] == "b_sanitize"); print("" if v in ("none", []) else "-fsanitize=" + (v if isinstance(v, str) else ",".join(v)))')
flags() { echo "$san $(pkg-config --cflags --libs plstar)"; }
example="$root/share/plstar/examples/kernel_lambda_min.c"
check "example installed" test -f "$example"
check "C program builds" sh -c "cc -std=c11 -Wall -Werror -o '$prefix/kl' '$example' $(flags)"
check "C++ program builds" sh -c "c++ -x c++ -Wall -o '$prefix/klxx' '$example' $(flags)"
export LD_LIBRARY_PATH="$(dirname "$(find "$root" -name 'libplstar.so' | head -1)")"
for prog in kl klxx; do
  check "$prog runs" "$prefix/$prog" "$src/examples/mlp.json" "$src/examples/X.npy" 1
  cp "$prefix/out.txt" "$prefix/$prog.txt"
  check "$prog certifies" grep -q 'lambda_min(K) >= [0-9]' "$prefix/$prog.txt"
done
# the library exports its prefixed names and nothing else (plstar.map); the names that are not are printed
exports_only_prefixed() {
  local syms; syms=$(nm -D --defined-only "$1" | awk '$2 ~ /[A-Z]/ {print $3}')
  [ -n "$syms" ] && ! grep -v '^plstar_' <<<"$syms"
}
check "exports only plstar_ names" exports_only_prefixed "$(find "$root" -name 'libplstar.so' | head -1)"
check "installed plstar runs" "$(find "$root" -path '*/bin/plstar')" help
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

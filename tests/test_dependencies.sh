#!/usr/bin/env bash
# The folder rules of docs/architecture.md, checked on every #include "folder/..." of the library and programs:
# a folder may include only the folders listed for it (itself included).
set -u
src=${PLSTAR_SOURCE_ROOT:?}
declare -A may=(
  [core]="core"
  [verified]="core verified"
  [layers]="core verified layers"
  [fast]="core verified layers fast"
  [reference]="core verified layers reference"
  [proofs-checks]="core verified layers fast reference proofs-checks"
  [examples]="core verified layers fast reference proofs-checks examples"
  [bench]="core verified layers fast reference proofs-checks examples bench"
  [cli]="core verified layers fast reference proofs-checks examples bench cli"
)
bad=0 seen=0
for folder in "${!may[@]}"; do
  for f in "$src/$folder"/*.[ch]; do
    [ -e "$f" ] || continue
    while IFS= read -r used; do
      seen=$((seen + 1))
      case " ${may[$folder]} " in
        *" $used "*) ;;
        *) echo "FAIL: $folder/${f##*/} includes $used/ (allowed: ${may[$folder]})"; bad=$((bad + 1)) ;;
      esac
    done < <(sed -n 's|^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z-]*\)/.*|\1|p' "$f")
  done
done
echo "$seen includes checked, $bad break the folder rules"
[ "$seen" -gt 100 ] && [ "$bad" -eq 0 ]

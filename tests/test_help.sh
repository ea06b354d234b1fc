#!/usr/bin/env bash
# Help for every command and subcommand: `plstar help CMD [SUB]`, `plstar CMD [SUB] --help` and
# `-h` print the same text (exit 0) and run nothing; the defaults are stated; a bad --prec names
# the valid range; unknown help topics are usage errors.
set -u
exe=${PLSTAR_EXE:?set PLSTAR_EXE to the plstar executable}
tmp=$(mktemp -d /tmp/plstar-help-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
failures=0 passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { passed=$((passed + 1)); }

same_help() { # WORDS...: help WORDS, WORDS --help, WORDS -h agree
    local a b c sa sb sc
    a=$("$exe" help "$@" 2>&1); sa=$?
    b=$("$exe" "$@" --help 2>&1); sb=$?
    c=$("$exe" "$@" -h 2>&1); sc=$?
    if [ $sa -ne 0 ] || [ $sb -ne 0 ] || [ $sc -ne 0 ]; then fail "help $*: exit $sa / $sb / $sc"; return; fi
    if [ -z "$a" ] || [ "$a" != "$b" ] || [ "$a" != "$c" ]; then fail "help $* differs between help, --help and -h"; return; fi
    case $a in "usage: plstar $*"*) ok ;; *) fail "help $* does not start with 'usage: plstar $*': ${a%%$'\n'*}" ;; esac
}
for cmd in demo forward kernel jacobian eig crosscheck export validate train certify bench; do same_help "$cmd"; done
for sub in point ball gd; do same_help certify "$sub"; done
same_help bench quick
help_of() { "$exe" help "$@" 2>/dev/null; }

# every command that takes --prec states its range and default
for words in forward kernel jacobian eig crosscheck validate "certify point" "certify ball" "certify gd"; do
    case $(help_of $words) in *"32 to 65536 (default 128)"*) ok ;; *) fail "help $words: no range and default of --prec" ;; esac
done
# the defaults of the options that have one
expect_in_help() { # NEEDLE WORDS...
    local needle=$1; shift
    case $(help_of "$@") in *"$needle"*) ok ;; *) fail "help $*: does not state '$needle'" ;; esac
}
expect_in_help "(default 200)" certify gd
expect_in_help "default: T/20, at least 1" certify gd
expect_in_help "default: 1/lambda_max(K(w0))" certify gd
expect_in_help "default: the mu that maximises ETA*mu" certify gd
expect_in_help "one of --apriori and --path is required" certify gd
expect_in_help "default: the certified lower bound of lambda_min(K(w))" certify point
expect_in_help "--radius R           R > 0, the radius of the ball (required)" certify ball
expect_in_help "(default: plstar-demo)" demo
expect_in_help "the structured kernel in double precision (default)" kernel
expect_in_help "float64 (default)" validate
expect_in_help "(default: full-batch GD)" train
expect_in_help "(default 1)" train

# -h among other options runs nothing
"$exe" kernel --model m.json --data X.npy --seed 1 --out K.npy -h > /dev/null 2>&1
if [ $? -eq 0 ] && [ ! -e K.npy ]; then ok; else fail "kernel ... -h ran the command"; fi

# unknown topics are usage errors, one line on stderr
for words in "nosuch" "certify nosuch" "kernel extra"; do
    err=$("$exe" help $words 2>&1 >/dev/null); st=$?
    if [ $st -eq 64 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then ok; else fail "help $words: exit $st, stderr '$err'"; fi
done

# a bad --prec is refused with the valid range, by every command that takes it
printf '{"model": "linear"}' > lin.json
for words in "kernel --impl reference" "jacobian --impl reference" "crosscheck" "certify point" "certify ball --radius 1 --mu 1" "certify gd --path"; do
    err=$("$exe" $words --prec 7 --model lin.json --data X.npy --seed 1 2>&1 >/dev/null); st=$?
    case "$st $err" in "64 "*"[32, 65536]"*) ok ;; *) fail "$words --prec 7: exit $st, '$err'" ;; esac
done
err=$("$exe" eig --matrix K.npy --prec 99999999 2>&1 >/dev/null); st=$?
case "$st $err" in "64 "*"[32, 65536]"*) ok ;; *) fail "eig --prec 99999999: exit $st, '$err'" ;; esac

echo "$passed passed, $failures failed"
[ $failures -eq 0 ]

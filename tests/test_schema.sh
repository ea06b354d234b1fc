#!/usr/bin/env bash
# The report schema of docs/reports.md, checked by tests/check_report.c:
#   1. the checker passes the good fixtures of tests/schema/ and fails every bad one with the
#      violation it is meant to catch (so it can fail);
#   2. every command that writes JSON runs on small problems — certified, refuted and
#      inconclusive cases, the demo's reports, a diverging run, a training record — and every
#      document it writes must pass, with the statements' sections checked against
#      docs/theory.md's table.
set -u
exe=${PLSTAR_EXE:?set PLSTAR_EXE to the plstar executable}
checker=${PLSTAR_CHECK_REPORT:?set PLSTAR_CHECK_REPORT to the check_report program}
src=${PLSTAR_SOURCE_ROOT:?set PLSTAR_SOURCE_ROOT to the source tree}
fixtures=$src/tests/schema
check() { "$checker" --theory "$src/docs/theory.md" "$@"; }

tmp=$(mktemp -d /tmp/plstar-schema-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0 passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { passed=$((passed + 1)); }

# ---- 1. the checker on fixtures -------------------------------------------------------------
for f in "$fixtures"/good_*; do
    if out=$(check "$f"); then ok; else fail "checker rejects the good fixture $(basename "$f"): $out"; fi
done
expect_violation() { # FIXTURE NEEDLE
    local out status
    out=$(check "$fixtures/$1"); status=$?
    if [ $status -ne 1 ]; then fail "checker exits $status on $1 (expected 1)"; return; fi
    case $out in *"$2"*) ok ;; *) fail "checker on $1 does not say '$2': $out" ;; esac
}
expect_violation bad_degenerate_one_sided.json '"jacobian_lipschitz" is one-sided: written as the degenerate interval'
expect_violation bad_two_sided_upper_bound.json '"path_length" is one-sided'
expect_violation bad_placeholder_interval.json '"lr_max" is positive when it is computed'
expect_violation bad_placeholder_number.json '"radius" = 0'
expect_violation bad_null_quantity.json 'quantities.loss: null quantity'
expect_violation bad_unbounded_both.json 'no finite side'
expect_violation bad_lower_above_upper.json 'lower 2 > upper 1'
expect_violation bad_no_scope.json "scope: '(missing)'"
expect_violation bad_unknown_scope.json "'every label' is not one of"
expect_violation bad_no_reason.json "the verdict 'refuted' needs a reason"
expect_violation bad_reason_without_sides.json 'both sides of the inequality'
expect_violation bad_statement_elsewhere.json 'docs/theory.md §N'
expect_violation bad_no_provenance.json 'provenance: missing'
expect_violation bad_no_input_files.json 'names no input'
expect_violation bad_bad_digest.json 'provenance.files.data'
expect_violation bad_false_check_certified.json 'false under the verdict certified'
expect_violation bad_pass_about_labels.json 'its scope is "these values"'
expect_violation bad_unknown_verdict.json "'probably' is not one of"
expect_violation bad_lines.jsonl 'line 2 $.lipschitz_F'
expect_violation bad_no_precision.json 'provenance.precision_bits: missing'
expect_violation bad_one_sided_bare_number.json '"radius_max_for_mu" is one-sided: a bare number'
expect_violation bad_statement_wrong_section.json "table puts the check 'pl_point' in §2"
expect_violation bad_statement_no_section.json 'which has no such section'
expect_violation bad_train_verdict.json 'its verdict is "uncertified"'
expect_violation bad_uncertified_certificate.json '"uncertified" is the verdict of a training record only'
expect_violation bad_interrupted_without_step.json 'last_verified_step'

# ---- 2. what the commands write --------------------------------------------------------------
cd "$tmp" || exit 1
cp "$src/examples/mlp.json" "$src/examples/X.npy" "$src/examples/y.npy" .
printf '{"model": "shallow", "input_dim": 3, "width": 1024, "activation": "tanh"}\n' > shallow.json
printf '{"model": "shallow", "input_dim": 3, "width": 64, "activation": "tanh"}\n' > narrow.json
printf '{"model": "linear"}\n' > linear.json
MLP="--model mlp.json --data X.npy --seed 1"
SHALLOW="--model shallow.json --data X.npy --seed 1"

# run NAME OUTPUT STATUS ARGS...: runs plstar ARGS, which must exit with STATUS (the verdict the case
# is chosen for: 0 certified/pass/a record, 1 refuted/fail/diverged, 2 inconclusive); the document it
# wrote must pass the checker
run() {
    local name=$1 output=$2 expected=$3; shift 3
    "$exe" "$@" > "$name.log" 2>&1
    local status=$?
    if [ $status -ne "$expected" ]; then fail "plstar $* exited $status, not $expected: $(tail -1 "$name.log")"; return; fi
    if [ ! -s "$output" ]; then fail "plstar $* wrote no $output"; return; fi
    local out
    if out=$(check "$output"); then ok; else fail "$name ($output) breaks the schema:"; echo "$out"; fi
}

"$exe" kernel $MLP --impl reference --out K.npy > /dev/null || fail "kernel --impl reference"
"$exe" export $MLP --labels y.npy --out B > /dev/null || fail "export"
"$exe" kernel --model B/model.json --data B/X.npy --weights B/w0.npy --out Kv.npy > /dev/null || fail "kernel"
"$exe" kernel $MLP --out Kfast.npy > /dev/null || fail "kernel"

run eig eig.json 0 eig --matrix K.npy --json eig.json
run eig_reference eig_reference.json 0 eig --matrix K.npy --impl reference --json eig_reference.json
run eig_without_radii eig_fast.json 0 eig --matrix Kfast.npy --json eig_fast.json
run crosscheck crosscheck.json 0 crosscheck $MLP --labels y.npy --json crosscheck.json
run point point.json 0 certify point $MLP --labels y.npy --json point.json
run point_all_labels point_all_labels.json 0 certify point $MLP --json point_all_labels.json
run point_refuted point_refuted.json 1 certify point --model linear.json --data X.npy --seed 1 --labels y.npy \
    --witness ystar.npy --json point_refuted.json
run ball ball.json 0 certify ball $SHALLOW --radius 0.001 --mu 0.001 --json ball.json
run ball_inconclusive ball_inconclusive.json 2 certify ball $SHALLOW --radius 100 --mu 0.001 --json ball_inconclusive.json
run apriori apriori.json 2 certify gd --apriori $SHALLOW --labels y.npy --json apriori.json
run apriori_narrow apriori_narrow.json 2 certify gd --apriori --model narrow.json --data X.npy --seed 1 \
    --labels y.npy --search-width --json apriori_narrow.json
run path path.json 0 certify gd --path $MLP --labels y.npy --steps 20 --json path.json
run path_eps path_eps.json 0 certify gd --path $MLP --labels y.npy --steps 200 --eps 0.5 --json path_eps.json
run path_diverged path_diverged.json 1 certify gd --path $MLP --labels y.npy --steps 20 --lr 3 --json path_diverged.json
run path_mean path_mean.json 0 certify gd --path $MLP --labels y.npy --steps 20 --loss mean --lr 0.5 \
    --json path_mean.json
run apriori_mean apriori_mean.json 2 certify gd --apriori $SHALLOW --labels y.npy --loss mean --json apriori_mean.json
run forward forward.json 0 forward $MLP --out F.npy --json forward.json
run forward_reference forward_reference.json 0 forward $MLP --impl reference --out Fr.npy --json forward_reference.json
run validate validate.json 0 validate --bundle B --kernel Kv.npy --json validate.json
run validate_fail validate_fail.json 1 validate --bundle B --lambda-min 10 --json validate_fail.json
run train tr/trajectory.json 0 train $MLP --labels y.npy --lr 0.1 --steps 20 --out tr
run train_mean trm/trajectory.json 0 train $MLP --labels y.npy --lr 0.4 --steps 20 --loss mean --out trm
run train_diverged trd/trajectory.json 1 train $MLP --labels y.npy --lr 1000 --steps 50 --out trd
run bench bench/results.jsonl 0 bench quick --tiny --suite kernel --no-peers --no-history --out bench
"$exe" demo --out demo > demo.log 2>&1 || fail "demo exited $?: $(tail -1 demo.log)"
for f in demo/*.json; do
    if out=$(check "$f"); then ok; else fail "demo's $f breaks the schema:"; echo "$out"; fi
done
# a report of a statement about a loss names the loss's convention, the demo's as any other
for f in demo/certify_gd_apriori.json demo/certify_gd_path.json; do
    if python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["loss"]["convention"] != "sum")' "$f"; then ok
    else fail "demo's $f does not name its loss convention (sum)"; fi
done

echo "$passed passed, $failures failed"
[ $failures -eq 0 ]

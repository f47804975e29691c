#!/usr/bin/env bash
# Example exposure: how reliably do the tests of Examples/StressYourOwnCode find the
# races in the user's own racy types, and do the fixed types always pass?
#
# Builds the example's tests once (`swift build --build-tests`), lists them
# (`swift test list`), and runs each one on its own N times as
# `swift test --skip-build --package-path Examples/StressYourOwnCode --filter <test>`,
# interleaved: round r runs every test once, in a fixed order, so a slow spell on a
# shared machine touches all tests a little rather than one a lot. A test whose
# function name begins with `racy` is a racy form: its `stress` is wrapped in
# `withKnownIssue`, so it passes only when the race was found. Per test it prints:
#   - racy:  caught, runs that passed with a known issue (the race was found), and
#            passed, runs that passed at all (a pass without a known issue: skipped);
#   - fixed: passed, runs that passed (and how many of those passed with a warning,
#            "could not show": the workers did not run together);
#   - the median wall time of one `swift test` process, in seconds.
#
# Usage: scripts/example-exposure.sh              N = 100 runs per test
#        RUNS=20 scripts/example-exposure.sh      N = 20
#        ONLY=Account scripts/example-exposure.sh only the tests whose ID matches
#                                                 this (extended) regex
# Exit 1 if a racy test was caught in fewer than 95% of its runs or a fixed test failed
# any run; exit 2 if something could not run (the build, the test list, a filter that
# matched no test); exit 0 otherwise.
# Build output and progress ("round 7/100") go to stderr, results to stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

package=Examples/StressYourOwnCode
runs=${RUNS:-100}
if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ]; then
    echo "example-exposure: RUNS must be a whole number of at least 1, not '$runs'" >&2; exit 2
fi
runs=$((10#$runs))

swift build --build-tests --package-path "$package" >&2 || { echo "example-exposure: build failed" >&2; exit 2; }
mapfile -t tests < <(swift test list --skip-build --package-path "$package" 2>/dev/null | grep -E '^[A-Za-z_].*/.*\(.*\)$')
[ "${#tests[@]}" -gt 0 ] || { echo "example-exposure: 'swift test list' listed no tests" >&2; exit 2; }
if [ -n "${ONLY:-}" ]; then
    mapfile -t tests < <(printf '%s\n' "${tests[@]}" | grep -E -- "$ONLY" || true)
    [ "${#tests[@]}" -gt 0 ] || { echo "example-exposure: no test matches ONLY='$ONLY'" >&2; exit 2; }
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

declare -A caught passed warned skipped times
for id in "${tests[@]}"; do caught[$id]=0; passed[$id]=0; warned[$id]=0; skipped[$id]=0; times[$id]=""; done

for ((r = 1; r <= runs; r++)); do
    printf '\rround %d/%d' "$r" "$runs" >&2
    for id in "${tests[@]}"; do
        # The ID as a regex: dots and parentheses literal. The filter is matched from the
        # start; "racyCache()" ends at its parenthesis, so it is one test's alone.
        filter="^$(printf '%s' "$id" | sed 's/[.()]/\\&/g')"
        start=$(date +%s%N)
        rc=0
        swift test --skip-build --package-path "$package" --filter "$filter" >"$tmp/out" 2>&1 || rc=$?
        times[$id]+="$(( ($(date +%s%N) - start) / 1000000 )) "
        summary="$(grep -E 'Test run with [0-9]+ tests? ' "$tmp/out" | tail -1 || true)"
        if ! grep -q 'Test run with 1 test ' <<<"$summary"; then
            echo >&2
            echo "example-exposure: --filter '$filter' did not run exactly one test:" >&2
            tail -5 "$tmp/out" >&2
            exit 2
        fi
        [ "$rc" -eq 0 ] && grep -q ' passed after ' <<<"$summary" || continue
        passed[$id]=$((passed[$id] + 1))
        if grep -q 'known issue' <<<"$summary"; then caught[$id]=$((caught[$id] + 1)); fi
        if grep -q 'warning' <<<"$summary"; then warned[$id]=$((warned[$id] + 1)); fi
        if grep -qE 'Test .* skipped' "$tmp/out"; then skipped[$id]=$((skipped[$id] + 1)); fi
    done
done
echo >&2

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1000 }'; }

bad=()
for id in "${tests[@]}"; do
    name="${id#*.}"
    name="${name#YourOwnTypes/}"
    wall="median $(median <<<"${times[$id]}") s"
    extra=""
    [ "${skipped[$id]}" -eq 0 ] || extra+=", ${skipped[$id]} skipped"
    [ "${warned[$id]}" -eq 0 ] || extra+=", ${warned[$id]} with a warning"
    func="${id##*/}"
    if [[ "$func" == racy* ]]; then
        printf 'racy   %-42s caught %3d/%d  passed %3d/%d%s  %s\n' \
            "$name" "${caught[$id]}" "$runs" "${passed[$id]}" "$runs" "$extra" "$wall"
        [ $((caught[$id] * 100)) -ge $((95 * runs)) ] || bad+=("$name caught in ${caught[$id]} of $runs")
    else
        printf 'fixed  %-42s passed %3d/%d%s  %s\n' "$name" "${passed[$id]}" "$runs" "$extra" "$wall"
        [ "${passed[$id]}" -eq "$runs" ] || bad+=("$name failed $((runs - passed[$id])) of $runs")
    fi
done

if [ "${#bad[@]}" -gt 0 ]; then
    echo "FAILED: $(IFS=';'; echo "${bad[*]}" | sed 's/;/; /g')"
    exit 1
fi
echo "ok: every racy form caught in at least 95% of $runs runs, every fixed form passed all $runs"

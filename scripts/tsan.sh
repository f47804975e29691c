#!/usr/bin/env bash
# Data race or race condition? ThreadSanitizer's view of every strategy.
#
# Builds racelab with -sanitize=thread (into .build-tsan, beside the normal build)
# and runs each strategy of each scenario once, 4 workers for a 50 ms window (raw: 2 workers,
# 2,000 increments each; see below), in racelab's
# hidden single-strategy child mode (`racelab __child <scenario> --strategy S`),
# so TSan's report for that strategy is on that process's stderr. Then prints a
# table: racelab's verdict (did it lose anything, did it crash) beside TSan's
# (did it report a race).
#
# The lesson it should show: TSan flags `raw` (a true data race: unsynchronised
# memory access) and does NOT flag `unsafe` (every access is atomic or locked; the
# compound operation is still broken, a race condition no sanitizer can see), nor
# the safe strategies. It also warns of lock-order inversions (deadlock's
# opposite-order) and double locks (reentrancy's pthread-default): deadlocks, not
# data races. The counter's `mutex` strategy runs with a suppression for
# a known TSan false positive; see scripts/tsan.supp.
#
# A last column says what the Swift 6 compiler makes of each strategy's code, from
# the probes in scripts/compiler/ (see below): the compiler refuses raw's data race
# unless told not to look, and accepts every race condition.
#
# Usage: scripts/tsan.sh [--short]   (--short: fewer strategies, for CI)
# Exit 1 if TSan flags a safe strategy or misses `raw`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

short=0
[[ ${1:-} == --short ]] && short=1

echo "building racelab with ThreadSanitizer (swift build --sanitize=thread --scratch-path .build-tsan)..." >&2
swift build --sanitize=thread --scratch-path .build-tsan >&2
bin=.build-tsan/debug/racelab
# Scratch files in a directory of this run's own, never a fixed name in /tmp.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TSAN_OPTIONS="halt_on_error=0 suppressions=$PWD/scripts/tsan.supp"
# As racelab's own parent does for its children: a trap is reported by its signal, not
# by the Swift backtracer (which, under TSan, can spin until the child's own alarm).
export SWIFT_BACKTRACE=enable=no

# What to run comes from racelab itself (`racelab list --json`): every strategy of
# every scenario, or with --short each scenario's unsafe strategies and its first safe one.
mapfile -t runs < <("$bin" list --json | python3 -c 'import json, sys
short = sys.argv[1] == "1"
for scenario in json.load(sys.stdin)["scenarios"]:
    safe = [s for s in scenario["strategies"] if s["isExpectedSafe"]]
    for s in scenario["strategies"]:
        if not short or not s["isExpectedSafe"] or s is safe[0]:
            print(scenario["name"], s["name"])' "$short")

failures=0

# The compiler as a detector: each file in scripts/compiler/ is a strategy's code as a
# small program, named <scenario>-<strategy>.swift, with the outcome it must have on
# its first line (`// expect: refused` or `// expect: accepted`). Each is type-checked
# in Swift 6 language mode with warnings as errors.
declare -A compiler
diagnostics=()
for probe in scripts/compiler/*.swift; do
    name=$(basename "$probe" .swift)
    expect=$(sed -n '1s#^// expect: ##p' "$probe")
    set +e
    swiftc -swift-version 6 -typecheck -warnings-as-errors "$probe" >"$work/swiftc.err" 2>&1
    code=$?
    set -e
    if ((code == 0)); then said=accepted; else said=refused; fi
    # A refused probe names the diagnostic it must get (line 2, `// diagnostic: ...`),
    # so that a probe broken by a typo does not pass as refused.
    wanted=$(sed -n '2s#^// diagnostic: ##p' "$probe")
    if [[ $said == refused && -n $wanted ]] && ! grep -qF "$wanted" "$work/swiftc.err"; then
        said="refused for another reason"
    fi
    if [[ $said != "$expect" ]]; then
        echo "  FAIL: the Swift 6 compiler $said $probe, which expects: $expect" >&2
        head -5 "$work/swiftc.err" >&2
        failures=$((failures + 1))
    fi
    if [[ $said == refused ]]; then
        compiler[$name]="refused ($((${#diagnostics[@]} + 1)))"
        diagnostics+=("$probe: $(grep -m1 'error:' "$work/swiftc.err" | sed 's/^[^ ]* error: //')")
    else
        compiler[$name]="accepted, probe too"
    fi
done

fmt='%-16s %-19s %-5s %-46s %-22s %s\n'
# shellcheck disable=SC2059
printf "$fmt" scenario strategy safe "racelab saw" "ThreadSanitizer" "Swift 6 compiler"
# shellcheck disable=SC2059
printf "$fmt" ---------------- ------------------- ----- ---------------------------------------------- \
    ---------------------- -------------------
for entry in "${runs[@]}"; do
    read -r scenario strategy <<<"$entry"
    # A raw strategy corrupts memory. While TSan symbolises its first report, the
    # other workers go on corrupting, and the process may crash and hang in TSan's
    # SEGV handler before the report is out: with 4 workers for 50 ms, 7 runs of 12
    # did so here; with 2 workers and 2,000 increments each, 0 of 12 (5 reported,
    # then hung). So raw runs short, gets up to three tries, and is killed after
    # 20 s; every other run after 60 s (racelab's own parent kills its children too).
    size=(--threads 4 --duration 50)
    limit=60
    if [[ $strategy == raw ]]; then
        size=(--threads 2 --iterations 2000)
        limit=20
    fi
    tries=0
    while :; do
        tries=$((tries + 1))
        set +e
        timeout -s KILL "$limit" "$bin" __child "$scenario" --strategy "$strategy" "${size[@]}" --warmup 0 \
            >"$work/tsan.out" 2>"$work/tsan.err"
        code=$?
        set -e
        races=$(grep -c "WARNING: ThreadSanitizer" "$work/tsan.err" || true)
        if [[ $strategy != raw || $races -gt 0 || $tries -ge 3 ]]; then break; fi
        echo "  ($scenario $strategy: exit $code before TSan reported anything; trying again)" >&2
    done
    seen=$(python3 - "$code" "$limit" "$work" <<'PY'
import json, sys, signal
code, limit, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
try:
    o = json.load(open(f"{work}/tsan.out"))
    a = ", ".join(f"{x['name']} {x['count']}" for x in o["anomalies"] if x["count"])
    print(a or "no anomaly")
except Exception:
    err = open(f"{work}/tsan.err", errors="replace").read()
    if "ThreadSanitizer: SEGV" in err:
        print(f"crashed: SIGSEGV (TSan caught it, exit {code})")
    else:
        if code == 137:
            print(f"hung: killed after {limit} s")
        else:
            print(f"no report (exit {code})" if code < 128 else
                  "hung: ended by its own time limit (SIGALRM)" if code == 142 else f"crashed: signal {code - 128}")
PY
)
    safe=$("$bin" list --json | python3 -c 'import json, sys
scenario, strategy = sys.argv[1:]
s = next(s for c in json.load(sys.stdin)["scenarios"] if c["name"] == scenario for s in c["strategies"] if s["name"] == strategy)
print("yes" if s["isExpectedSafe"] else "no")' "$scenario" "$strategy")
    if ((races > 0)); then verdict="RACE REPORTED ($races)"; else verdict="nothing reported"; fi
    # shellcheck disable=SC2059
    printf "$fmt" "$scenario" "$strategy" "$safe" "$seen" "$verdict" "${compiler[$scenario-$strategy]:-accepted}"
    if [[ $safe == yes && $races -gt 0 ]]; then
        echo "  FAIL: TSan flagged a safe strategy:" >&2
        grep -A3 "WARNING: ThreadSanitizer" "$work/tsan.err" | head -8 >&2
        failures=$((failures + 1))
    fi
    if [[ $strategy == raw && $races -eq 0 ]]; then
        echo "  FAIL: TSan missed the data race in raw" >&2
        failures=$((failures + 1))
    fi
done
echo
echo "TSan sees data races (raw), and warns of lock-order inversions and double locks (deadlock, reentrancy);"
echo "it cannot see race conditions (unsafe: every access is atomic or locked), nor a consumer waiting forever."
echo
echo "Swift 6 compiler: accepted = racelab's code for it compiles in Swift 6 language mode (where it shares a"
echo "lock the compiler cannot see, a pthread or DispatchQueue one, behind an @unchecked Sendable)."
echo "A probe (scripts/compiler/<scenario>-<strategy>.swift) is that strategy's code as a small program:"
echo "accepted, probe too = it compiles with no @unchecked and no warning (docs/trust.md shows them losing when run);"
echo "refused = without racelab's @unchecked Sendable it does not compile. The compiler said:"
for i in "${!diagnostics[@]}"; do echo "  ($((i + 1))) ${diagnostics[$i]}"; done
echo "Data-race safety is not race-condition safety: the compiler refuses the data race, TSan reports it,"
echo "and neither says a word about the unsafe strategies that lose."
((failures == 0)) || { echo "tsan: $failures failure(s)" >&2; exit 1; }

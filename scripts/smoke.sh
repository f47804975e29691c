#!/usr/bin/env bash
# Smoke test: build release and check, through the real binary, that the safe
# strategies stay safe and the unsafe ones still show their race.
# Fails loudly (exit 1) on a broken safe strategy or an unsafe one that never
# shows its race in a few tries.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release >&2
bin="$(swift build -c release --show-bin-path)/racelab"

fail() { echo "SMOKE FAILED: $*" >&2; exit 1; }

step() { echo "== $*" >&2; }

# 1. The CI command from the README: safe strategies must hold.
step "racelab counter --threads 8 --check"
"$bin" counter --threads 8 --check || fail "counter --check exited $? (a safe strategy broke?)"

# 2. --json must be one valid document whose safe strategies held and whose unsafe
#    strategy exposed the race in at least one of a few tries.
json_ok() {
    python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["schemaVersion"] >= 1, "no schema version"
broken = [s["name"] for s in doc["strategies"] if s["isExpectedSafe"] and s["verdict"] == "broken"]
if broken:
    print("safe strategies broke: " + ", ".join(broken), file=sys.stderr); sys.exit(2)
exposed = [s["name"] for s in doc["strategies"] if not s["isExpectedSafe"] and s["verdict"] == "exposed"]
sys.exit(0 if exposed else 1)
PY
}

check_scenario() {
    local tmp; tmp="$(mktemp)"
    for try in 1 2 3 4 5; do
        step "racelab $* --json (try $try)"
        "$bin" "$@" --json --check > "$tmp" || fail "racelab $* --json --check exited $?"
        if json_ok "$tmp"; then rm -f "$tmp"; return 0; fi
        [ $? -eq 2 ] && fail "racelab $*: a safe strategy broke"
    done
    rm -f "$tmp"
    fail "racelab $*: the unsafe strategy never exposed its race in 5 tries"
}

# Every scenario racelab lists, at its default settings with 8 workers.
for scenario in $("$bin" list --json | python3 -c 'import json, sys
print(" ".join(s["name"] for s in json.load(sys.stdin)["scenarios"]))'); do
    check_scenario "$scenario" --threads 8
done
# Dispatch threads are unpinned: the default 100 ms window outlasts many scheduler
# time slices, so the workers interleave even when another program keeps one CPU busy.
check_scenario counter --threads 2 --backend dispatch
check_scenario cache --threads 4 --keys 1000 --distribution zipf --read-ratio 50
# The fixed-count mode is the same engine with a count instead of a window.
check_scenario counter --threads 2 --iterations 2000000

# 3. raw is a real data race: it must run in a child process and racelab must carry
#    on and report how the child ended, whatever it was.
step "racelab cache --strategy raw,locked --json"
raw_json="$(mktemp)"
"$bin" cache --strategy raw,locked --threads 4 --json --check > "$raw_json" || fail "raw run exited $?"
python3 - "$raw_json" <<'PY' || fail "raw was not contained"
import json, sys
doc = json.load(open(sys.argv[1]))
raw = next(s for s in doc["strategies"] if s["name"] == "raw")
assert raw["runsInChildProcess"], "raw did not run in a child"
assert "childEnd" in raw["runs"][0], "no child end reported"
print("raw child ended:", raw["verdictText"], file=sys.stderr)
PY
rm -f "$raw_json"

# 4. Bad input is a usage error (64), never a crash.
set +e
"$bin" counter --threads 0 2>/dev/null; code=$?
set -e
[ "$code" -eq 64 ] || fail "--threads 0 exited $code, expected 64"

# 5. Litmus tests: no forbidden outcome at any ordering (--check), and store buffering
#    shows with relaxed accesses (it does on every x86-64 and ARM64).
step "racelab litmus sb,corr --iterations 200000 --check --json"
litmus_json="$(mktemp)"
"$bin" litmus sb,corr --iterations 200000 --check --json > "$litmus_json" || fail "litmus --check exited $?"
python3 - "$litmus_json" <<'PY' || fail "litmus sb relaxed never showed r0=0 r1=0"
import json, sys
doc = json.load(open(sys.argv[1]))
sb = next(t for t in doc["tests"] if t["name"] == "sb")
sys.exit(0 if next(r for r in sb["runs"] if r["ordering"] == "relaxed")["weakCount"] > 0 else 1)
PY
rm -f "$litmus_json"

echo "smoke: all checks passed" >&2

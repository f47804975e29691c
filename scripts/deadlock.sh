#!/usr/bin/env bash
# How often, and how fast, do two locks taken in opposite orders deadlock?
#
# Runs `racelab deadlock --strategy opposite-order --json` N times (default 100) at
# each worker count given (default 2 and 8), interleaved, and prints per worker count:
# runs that deadlocked, the transfers done before it struck (min / median / p90 / max),
# and the child's time from start to report (it includes racelab's 200 ms of
# watching nothing move, and the process start).
#
# Usage: scripts/deadlock.sh [N] [WORKERS ...]      e.g. scripts/deadlock.sh 100 2 8
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${1:-100}
shift || true
counts=("${@:-2 8}")
# shellcheck disable=SC2206
counts=(${counts[*]})
bin=${RACELAB:-.build/release/racelab}
[ -x "$bin" ] || swift build -c release >&2

python3 - "$bin" "$runs" "${counts[@]}" <<'PY'
import json, math, subprocess, sys

bin, runs, counts = sys.argv[1], int(sys.argv[2]), [int(c) for c in sys.argv[3:]]
stats = {c: {"deadlocked": 0, "transfers": [], "ms": []} for c in counts}
for r in range(runs):
    for c in counts:
        out = subprocess.run([bin, "deadlock", "--strategy", "opposite-order", "--threads", str(c), "--json"],
                             capture_output=True, text=True, check=True)
        run = json.loads(out.stdout)["strategies"][0]["runs"][0]
        if run["anomalies"][0]["count"] > 0:
            stats[c]["deadlocked"] += 1
            stats[c]["transfers"].append(run["operations"])
        stats[c]["ms"].append(run.get("childMilliseconds", 0))
    if (r + 1) % 10 == 0:
        print(f"deadlock: round {r + 1}/{runs}", file=sys.stderr)

def spread(values):
    if not values:
        return "-"
    v = sorted(values)
    p90 = v[math.ceil(0.9 * len(v)) - 1]
    return f"{v[0]:,} / {v[len(v) // 2]:,} / {p90:,} / {v[-1]:,}"

print(f"{'workers':>7}  {'deadlocked':>10}  {'transfers before it, min / median / p90 / max':46}  child ms, min / median / p90 / max")
for c in counts:
    s = stats[c]
    ms = [round(x) for x in s["ms"]]
    print(f"{c:>7}  {s['deadlocked']:>5}/{runs:<4}  {spread(s['transfers']):46}  {spread(ms)}")
PY

#!/usr/bin/env bash
# What recording does to the race: runs `racelab counter --strategy unsafe --witness`
# N times (default 20) at 2 and 8 workers, interleaved, and prints the distribution of
# the lost-update rate without the recording (the same command's first run) and with it,
# and how many logs were complete (every lost update accounted for).
#
# Usage: scripts/witness.sh [N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-20}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/witness.sh [N]" >&2; exit 2; }
bin=.build/release/racelab
[[ -x $bin ]] || swift build -c release >&2
echo "racelab witness: $runs runs per worker count, interleaved"
echo "  cpu      $(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1) ($(nproc) CPUs)"
echo "  commit   $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo
python3 - "$bin" "$runs" <<'PY'
import json, subprocess, sys

bin, runs = sys.argv[1], int(sys.argv[2])
counts = [2, 8]
rates = {t: {"without": [], "with": [], "complete": 0, "identity": 0} for t in counts}
for _ in range(runs):
    for threads in counts:
        out = subprocess.run(
            [bin, "counter", "--strategy", "unsafe", "--witness", "--threads", str(threads), "--json"],
            check=True, capture_output=True, text=True).stdout
        witness = json.loads(out)["strategies"][0]["runs"][0]["witness"]
        unwatched = witness["withoutRecording"]
        r = rates[threads]
        r["without"].append(100 * unwatched["lost"] / unwatched["operations"])
        lost = witness["reads"] - witness["final"]
        r["with"].append(100 * lost / witness["reads"])
        r["complete"] += not witness["problems"]
        r["identity"] += witness["sharedReads"] + witness["movedBack"] == lost

def spread(values):
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return f"{values[0]:5.1f} / {pick(0.5):5.1f} / {pick(0.9):5.1f} / {values[-1]:5.1f}"

print(f"{'workers':>7}  {'lost % without recording':>28}  {'lost % with recording':>28}  complete logs  identity held")
print(f"{'':>7}  {'min / median / p90 / max':>28}  {'min / median / p90 / max':>28}")
for threads in counts:
    r = rates[threads]
    print(f"{threads:>7}  {spread(r['without']):>28}  {spread(r['with']):>28}  {r['complete']:>5}/{runs:<7}  {r['identity']:>5}/{runs}")
PY

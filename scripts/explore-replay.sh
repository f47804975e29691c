#!/usr/bin/env bash
# Replaying a printed failure reproduces it: for every scenario's unsafe strategies, at
# several shapes (threads x operations), `racelab explore --json` finds the first failing
# schedule; its printed replay command is then run N times (default 100) on every CPU
# and N times under `taskset -c 0` (one CPU), and each replay must end in the same
# failure, with the same timeline, the schedule followed to its end (exit 0 with --check).
#
# Usage: scripts/explore-replay.sh [N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-100}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/explore-replay.sh [N]" >&2; exit 2; }
bin=.build/release/racelab
[[ -x $bin ]] || swift build -c release >&2
echo "racelab explore: each printed failure replayed $runs times, on every CPU and on CPU 0"
echo "  cpu      $(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1) ($(nproc) CPUs)"
echo "  commit   $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo
python3 - "$bin" "$runs" <<'PY'
import json, shutil, subprocess, sys

bin, runs = sys.argv[1], int(sys.argv[2])
taskset = shutil.which("taskset")
shapes = [(2, 2), (3, 1), (3, 2)]
failed = 0
print(f"{'scenario':<15} {'strategy':<15} {'shape':<6} {'schedule':<26} {'every CPU':>10} {'CPU 0':>10}")
for threads, operations in shapes:
    found = json.loads(subprocess.run(
        [bin, "explore", "all", "--threads", str(threads), "--operations", str(operations), "--first-failure", "--json"],
        check=True, capture_output=True, text=True).stdout)
    for entry in found["strategies"]:
        first = entry.get("firstFailure")
        if first is None:
            continue
        command = first["replay"].split()[1:] + ["--json", "--check"]
        counts = []
        for prefix in ([], [taskset, "-c", "0"] if taskset else None):
            if prefix is None:
                counts.append(None)
                continue
            same = 0
            for _ in range(runs):
                run = subprocess.run(prefix + [bin] + command, capture_output=True, text=True)
                if run.returncode != 0:
                    continue
                replayed = json.loads(run.stdout)
                result = replayed["result"]
                same += (replayed["matched"] and result.get("failure") == first.get("failure")
                         and result["steps"] == first["steps"] and result["schedule"] == first["schedule"])
            counts.append(same)
            failed += same != runs
        shown = [f"{c}/{runs}" if c is not None else "no taskset" for c in counts]
        schedule = first["schedule"] if len(first["schedule"]) <= 24 else first["schedule"][:21] + "..."
        print(f"{entry['scenario']:<15} {entry['strategy']:<15} {threads}x{operations:<4} {schedule:<26}"
              f" {shown[0]:>10} {shown[1]:>10}")
print()
print("every replay reproduced its failure" if failed == 0 else f"{failed} replay sets did not reproduce every time")
sys.exit(1 if failed else 0)
PY

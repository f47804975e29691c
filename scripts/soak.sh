#!/usr/bin/env bash
# Soak: run every strategy of every scenario, on both backends, at worker counts
# from 1 to 4x the CPUs, round-robin, until MINUTES (default 10) are up. Ends with
# one summary: runs per strategy, anomalies in safe strategies (must be 0) with the
# rule-of-three bound, and how often each unsafe strategy exposed its race.
#
# Usage: scripts/soak.sh [MINUTES]      (fractions allowed: scripts/soak.sh 0.5)
# Exit 1 if any safe strategy ever showed an anomaly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

minutes=${1:-10}
swift build -c release >&2
bin="$(swift build -c release --show-bin-path)/racelab"

python3 - "$bin" "$minutes" <<'PY'
import json, os, subprocess, sys, time

bin, minutes = sys.argv[1], float(sys.argv[2])
cpus = len(os.sched_getaffinity(0))
counts = sorted({1, 2, cpus, 2 * cpus, 4 * cpus})
# What exists comes from racelab itself, with each scenario's fewest workers and its backends.
catalog = json.loads(subprocess.run([bin, "list", "--json"], capture_output=True, text=True, check=True).stdout)
configs = [(scenario["name"], backend, threads)
           for scenario in catalog["scenarios"]
           for backend in scenario["backends"]
           for threads in counts
           if threads >= scenario["minimumWorkers"]]
deadline = time.monotonic() + minutes * 60
stats = {}  # (scenario, strategy) -> [safe, runs, runs with anomaly]
rounds = 0
last_progress = time.monotonic()
while time.monotonic() < deadline:
    rounds += 1
    for scenario, backend, threads in configs:
        if time.monotonic() >= deadline:
            break
        out = subprocess.run([bin, scenario, "--threads", str(threads), "--backend", backend,
                              "--duration", "20", "--warmup", "0", "--json"], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"soak: racelab {scenario} --threads {threads} --backend {backend} exited {out.returncode}:\n"
                  + out.stderr, file=sys.stderr)
            sys.exit(1)
        for s in json.loads(out.stdout)["strategies"]:
            entry = stats.setdefault((scenario, s["name"]), [s["isExpectedSafe"], 0, 0, 0, 0])
            entry[1] += s["summarised"]["runs"]
            entry[2] += s["summarised"]["runsWithAnomaly"]
            if threads >= 2:  # one worker cannot race: exposure is counted over 2+ workers
                entry[3] += s["summarised"]["runs"]
                entry[4] += s["summarised"]["runsWithAnomaly"]
    if time.monotonic() - last_progress >= 15:  # a progress line every 15 s, not every round
        last_progress = time.monotonic()
        print(f"soak: round {rounds} done, {max(0, deadline - time.monotonic()):.0f} s left", file=sys.stderr)

print(f"soak: {minutes:g} min, {rounds} rounds over {len(configs)} configurations "
      f"(scenarios x their backends x workers {counts})")
print(f"{'scenario':15} {'strategy':19} {'safe':5} {'runs':>6} {'anomalous':>9}  summary")
broken = 0
for (scenario, name), (safe, runs, bad, parallel_runs, parallel_bad) in stats.items():
    if safe:
        note = (f"held; failure chance per run < {300 / runs:.2g}% (95%, rule of three)" if bad == 0
                else "BROKEN")
        broken += bad
    else:
        note = f"exposed its race in {100 * parallel_bad / max(1, parallel_runs):.0f}% of runs with 2+ workers"
    print(f"{scenario:15} {name:19} {'yes' if safe else 'no':5} {runs:6} {bad:9}  {note}")
print(f"anomalies in safe strategies: {broken}")
sys.exit(1 if broken else 0)
PY

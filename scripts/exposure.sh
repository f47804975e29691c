#!/usr/bin/env bash
# Exposure: how reliably does each default command show its race, and how long does
# the whole command take?
#
# What to run comes from racelab itself (`racelab list --json`, as in tsan.sh), so a new
# scenario is covered without an edit here. For every scenario, in the catalog's order:
#   - its default command, `<scenario>` (the workers and backend a user gets with no
#     options: on a 2-CPU machine 2 workers, 4 for queue);
#   - the same with 8 workers, `<scenario> --threads 8` (more workers than CPUs, so they
#     take turns; never fewer than the scenario's minimumWorkers);
# and every backend that is no scenario's default (its first listed backend), once, on
# the first scenario that offers it, with 8 workers: today `counter --threads 8
# --backend dispatch` (pthread and tasks are the defaults of the others).
#
# Runs each command N times as `racelab <command> --json`, stdout and
# stderr to temp files, and measures the wall time around the whole process (start to
# exit, on the monotonic clock). Runs are interleaved: round r runs every command once,
# in a fixed order, for r = 1..N, so a slow spell on a shared machine touches all
# commands a little rather than one a lot. Per command it prints:
#   - exposed: runs in which at least one unsafe strategy ("isExpectedSafe": false)
#     has "verdict": "exposed";
#   - wall ms: min / median / p90 / max (p90 nearest-rank: sorted[ceil(0.9 N) - 1]);
# and it counts (and names) any safe strategy whose verdict is "broken" (must never
# happen), any run that exited non-zero, and any run whose JSON could not be read
# (such a run counts as not exposed).
#
# Usage: scripts/exposure.sh [N]           N runs per command (default 100); exit 0
#        scripts/exposure.sh --gate [N]    as above, then exit 1 if any command missed
#                                          the race in more than floor(N/20) runs, any
#                                          safe strategy broke, or any run exited
#                                          non-zero (or gave unreadable JSON)
# CI runs `scripts/exposure.sh --gate 20`. Wall times are printed, never gated: a
# timing on a shared machine is a figure, not a test.
# Exit 2 if something could not run (bad arguments, no binary, no readable catalog from
# `racelab list --json`, a launch that failed).
#
# Environment: RACELAB  the racelab binary (default .build/release/racelab in the repo
#                       root); if it does not exist, `swift build -c release` builds it.
# Progress ("round 7/100") goes to stderr, results to stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { echo "usage: scripts/exposure.sh [--gate] [N]    (N runs per command, default 100)" >&2; }

gate=0
runs=100
while [ $# -gt 0 ]; do
    case "$1" in
        --gate) gate=1 ;;
        -h|--help) usage; exit 0 ;;
        *)
            if [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ]; then
                runs=$((10#$1))
            else
                echo "exposure: bad argument '$1'" >&2; usage; exit 2
            fi ;;
    esac
    shift
done

bin="${RACELAB:-.build/release/racelab}"
if [ ! -e "$bin" ]; then
    echo "exposure: $bin not found; building it with 'swift build -c release'" >&2
    swift build -c release >&2 || { echo "exposure: build failed" >&2; exit 2; }
fi
if [ ! -x "$bin" ]; then
    echo "exposure: $bin is not an executable file" >&2; exit 2
fi
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac

# The commands, one a line, from the catalog (see the top of this file).
catalog="$("$bin" list --json)" || { echo "exposure: '$bin list --json' failed" >&2; exit 2; }
commands_text="$(python3 -c 'import json, sys
OVERSUBSCRIBED = 8  # workers in the second command of each scenario (4 per CPU on 2 CPUs)
scenarios = json.loads(sys.argv[1])["scenarios"]
covered = {s["backends"][0] for s in scenarios}  # each scenario runs its first by default
for s in scenarios:
    name, threads = s["name"], max(OVERSUBSCRIBED, s["minimumWorkers"])
    print(name)
    print(name, "--threads", threads)
    for backend in s["backends"]:
        if backend not in covered:
            covered.add(backend)
            print(name, "--threads", threads, "--backend", backend)' "$catalog")" || {
    echo "exposure: could not read the catalog that '$bin list --json' printed" >&2; exit 2
}
mapfile -t commands <<<"$commands_text"
if [ "${#commands[@]}" -eq 0 ] || [ -z "${commands[0]}" ]; then
    echo "exposure: '$bin list --json' listed no scenarios" >&2; exit 2
fi

cpu_model="$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)"
[ -n "$cpu_model" ] || cpu_model="unknown"

echo "racelab exposure"
echo "  date     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "  nproc    $(nproc)"
echo "  cpu      $cpu_model"
echo "  commit   $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "  binary   $bin"
gate_note=""
if [ "$gate" = 1 ]; then gate_note=", gate: at most $((runs / 20)) misses per command"; fi
echo "  N        $runs runs per command, interleaved by round$gate_note"
echo

exec python3 - "$bin" "$runs" "$gate" "${commands[@]}" <<'PY'
import json, os, subprocess, sys, tempfile, time

bin, runs, gate = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
commands = sys.argv[4:]  # from `racelab list --json`, above
LAUNCH_TRIES, LAUNCH_WAIT = 3, 30  # the binary may be gone for a moment while it is rebuilt

stats = {c: {"exposed": 0, "walls": [], "broken": {}, "exits": {}, "unreadable": 0,
             "first_error": None} for c in commands}

def run_once(argv, out_path, err_path):
    """Runs argv with stdout/stderr to the files; returns (exit code, wall ns)."""
    for attempt in range(1, LAUNCH_TRIES + 1):
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            try:
                start = time.perf_counter_ns()
                proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
                code = proc.wait()
                return code, time.perf_counter_ns() - start
            except OSError as e:  # missing binary (mid-rebuild), text file busy, ...
                if attempt == LAUNCH_TRIES:
                    print(f"exposure: could not run {argv[0]}: {e}", file=sys.stderr)
                    sys.exit(2)
                print(f"exposure: could not run {argv[0]} ({e}); retrying in {LAUNCH_WAIT} s",
                      file=sys.stderr)
                time.sleep(LAUNCH_WAIT)

def tail(path, lines=5):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:]).rstrip()
    except OSError:
        return ""

try:
    with tempfile.TemporaryDirectory(prefix="racelab-exposure.") as tmp:
        out_path, err_path = os.path.join(tmp, "stdout.json"), os.path.join(tmp, "stderr.txt")
        began = time.monotonic()
        for r in range(1, runs + 1):
            print(f"exposure: round {r}/{runs} ({time.monotonic() - began:.0f} s)", file=sys.stderr)
            for command in commands:
                st = stats[command]
                code, wall_ns = run_once([bin, *command.split(), "--json"], out_path, err_path)
                st["walls"].append(wall_ns / 1e6)
                if code != 0:
                    st["exits"][code] = st["exits"].get(code, 0) + 1
                    if st["first_error"] is None:
                        st["first_error"] = f"round {r}: exit {code}: {tail(err_path)}"
                try:
                    with open(out_path) as f:
                        strategies = json.load(f)["strategies"]
                    exposed = any(not s["isExpectedSafe"] and s["verdict"] == "exposed"
                                  for s in strategies)
                    for s in strategies:
                        if s["isExpectedSafe"] and s["verdict"] == "broken":
                            st["broken"][s["name"]] = st["broken"].get(s["name"], 0) + 1
                except (OSError, ValueError, KeyError, TypeError) as e:
                    exposed = False
                    st["unreadable"] += 1
                    if st["first_error"] is None:
                        st["first_error"] = f"round {r}: unreadable JSON ({e}): {tail(err_path)}"
                if exposed:
                    st["exposed"] += 1
except KeyboardInterrupt:
    print("exposure: interrupted", file=sys.stderr)
    sys.exit(130)

def ms(x):
    return f"{x:.0f}"

def median(xs):
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

width = max(42, max(len(c) for c in commands) + 3)
print(f"{'command':{width}}{'exposed':11}wall ms min / median / p90 / max")
for command in commands:
    st = stats[command]
    w = sorted(st["walls"])
    p90 = w[(9 * len(w) + 9) // 10 - 1]  # nearest rank: ceil(0.9 N) - 1
    print(f"{command:{width}}{str(st['exposed']) + '/' + str(runs):11}"
          f"{ms(w[0])} / {ms(median(w))} / {ms(p90)} / {ms(w[-1])}")
print()

allowed = runs // 20
problems = []  # lines that fail the gate
for command in commands:
    st = stats[command]
    missed = runs - st["exposed"]
    if gate and missed > allowed:
        problems.append(f"{command}: missed the race in {missed}/{runs} runs (allowed {allowed})")
    for name, count in st["broken"].items():
        problems.append(f"{command}: safe strategy '{name}' BROKEN in {count}/{runs} runs")
    if st["exits"]:
        codes = ", ".join(f"{code} x{count}" for code, count in sorted(st["exits"].items()))
        problems.append(f"{command}: {sum(st['exits'].values())}/{runs} runs exited non-zero ({codes})")
    if st["unreadable"]:
        problems.append(f"{command}: {st['unreadable']}/{runs} runs gave no readable JSON")
    if st["first_error"] and (st["exits"] or st["unreadable"]):
        problems.append(f"    first: {st['first_error']}")

for line in problems:
    print(line)
total = runs * len(commands)
exposed = sum(st["exposed"] for st in stats.values())
summary = f"{exposed}/{total} runs exposed the race over {len(commands)} commands"
if gate:
    verdict = "FAIL" if problems else "PASS"
    print(f"exposure gate: {verdict}: {summary}; allowed misses per command floor({runs}/20) = {allowed}; "
          f"wall times not gated")
    sys.exit(1 if problems else 0)
clean = "no safe strategy broke, every run exited 0" if not problems else "see the lines above"
print(f"exposure: {summary}; {clean}")
PY

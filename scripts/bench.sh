#!/usr/bin/env bash
# bench.sh: how far is racelab from plain C on the same loops?
#
# WHAT IT MEASURES
#   For each counter strategy (mutex, pthread-mutex, atomic, sharded) at 1 and 2
#   workers, ns/op as reported by `racelab counter --json`
#   (strategies[i].summarised.nsPerOp.median) and by scripts/bench_reference.c, a
#   C11 program that runs the same per-op loops behind the same harness (pinned
#   pthreads, start gate, wall = last finish - release, ns/op = wall x workers /
#   ops). The ratio racelab/C is then Swift's overhead on the hot loop and
#   nothing else. Target: racelab within 1.15x of C for pthread-mutex, atomic
#   and sharded. `mutex` is Swift's Synchronization.Mutex, which C does not have:
#   it is compared with the C pthread mutex for information only.
#
# WHY INTERLEAVED
#   Machine speed drifts (frequency scaling, noisy neighbours on a VM, thermal
#   state). Running all racelab runs and then all C runs would fold that drift
#   into the ratio. Instead every round runs each (strategy, workers) pair once
#   in racelab and once in C, back to back (which goes first alternates from
#   round to round), and the medians over RUNS rounds are compared.
#
# USAGE
#   scripts/bench.sh                      # from any directory
#   ITER=2000000 RUNS=5 scripts/bench.sh  # increments per worker, rounds
#   CC=clang scripts/bench.sh             # C compiler (default: cc)
#   scripts/bench.sh --section default    # one section (see OPTIONS)
#
# It is a record, not a gate: it exits 0 whether or not targets are met (it
# fails only if something cannot be built).
#
# THE CACHES
#   racelab's safe caches (locked, striped, rwlock) at CACHE_KEYS=64 uniform keys
#   beside C loops with the same locks around an open-addressing map. Target: the
#   locked cache within 1.3x of C, the others within 1.15x. Swift's Dictionary hashes
#   every key with SipHash-1-3, so the script also times the map alone at 1 worker
#   (scripts/bench_dictionary.swift: racelab's locked loop with and without its
#   mutex, beside C's map with no lock) and splits the locked cache's cost into
#   "the map" and "the rest" on both sides.
#
# DEFAULT RUN VS LONG RUN VS C  (section "default")
#   racelab's runs are time-boxed: `racelab counter --strategy S --threads T --json`
#   measures a 100 ms window, and that is what a user runs. The sections above use
#   fixed-count mode (--iterations $ITER); this one checks the default instead. For
#   the safe counter strategies pthread-mutex, atomic, sharded and mutex at 1, 2
#   and 8 workers, each round runs back to back (the order reverses every other
#   round): the default command DEFAULT_PER_ROUND times (default 4), a long run
#   (--duration LONG_MS, default 2000 ms), and bench_reference. C's iterations per
#   worker are calibrated per (strategy, workers) from the first long run's ns/op
#   so that C runs about as long as the long run (LONG_MS), and redone from C's
#   own ns/op if the first C run is off by over 2x (set C_ITER to fix the count
#   instead). DEFAULT_ROUNDS rounds (default 5); the table has the median of
#   all default runs, of the long runs and of the C runs, and their ratios.
#   Targets: default/long within 1.5x (either way) for every safe strategy and
#   worker count, so the default window measures what a long run does; sharded
#   at 8 workers: default/C <= 1.5x. `mutex` against C's pthread mutex, as above.
#   Then stability: STABILITY_RUNS (default 20) runs of the default command at 8
#   workers (`racelab counter --threads 8 --strategy S --json`) for atomic,
#   pthread-mutex and sharded, interleaved; nearest-rank p10, median, p90 of
#   ns/op. Target: p90/p10 <= 1.5. Only this section:
#     scripts/bench.sh --section default
#     DEFAULT_ROUNDS=1 STABILITY_RUNS=3 LONG_MS=200 scripts/bench.sh --section default --no-build
#
# LITMUS  (section "litmus")
#   racelab litmus's weak-outcome rates and speed. Every round runs, for each
#   ordering (relaxed, acquire-release, seq_cst), `racelab litmus sb --ordering O
#   --iterations LITMUS_ITER --json` and scripts/litmus_sb.c (the C twin: the same
#   threads, gate, fresh locations and prefetch, compiled with cc -O2) back to back,
#   alternating which goes first; then racelab alone on mp, lb, iriw, 2+2w and corr
#   at each ordering. LITMUS_RUNS rounds (default 5), LITMUS_ITER iterations
#   (default 1,000,000). The table has, per test and ordering, the median share of
#   iterations that ended in the weak outcome (min and max beside it) and the median
#   seconds per run, racelab beside C for sb. Targets: sb relaxed weak >= 10% (median),
#   sb seq_cst weak = 0 in every run, 1,000,000 sb iterations in under 3 s (median).
#   Only this section, against a build in another scratch path:
#     SCRATCH_PATH=.build-litmus scripts/bench.sh --section litmus
#     LITMUS_RUNS=3 scripts/bench.sh --section litmus --no-build
#
# STRESS  (section "stress")
#   racelab's stress API as another package calls it (scripts/stress-bench, by path,
#   public API only). Each round, back to back (order alternating): for 1, 2 and 8
#   workers, `racelab counter --strategy atomic --iterations STRESS_ITER` beside a
#   Stress run whose body is one atomic increment (`stress-bench atomic W N`): same
#   pool, same ns/op figure (the workers' busy time over all operations; stress-bench
#   takes the median of runs 2-5 of one process, its first run being the warm-up), and
#   the same increment in the loop form (`stress-bench atomic-loop`). Then store
#   buffering: `stress-bench sb relaxed STRESS_SAMPLES` (OutcomeStress, a user's
#   SB test), `racelab litmus sb --ordering relaxed` and the C twin scripts/litmus_sb.c
#   (a barrier and start time per iteration: the design of racelab litmus's loop
#   before it ran on OutcomeStress), and `stress-bench sb seq_cst`. STRESS_RUNS
#   rounds (default 7). Targets: Stress/racelab ns/op <= 1.2x at 1, 2 and 8 workers
#   (medians); the graded SB test >= 2x the C twin's samples per second and weak
#   >= 5% (medians); seq_cst weak = 0 in every run.
#     scripts/bench.sh --section stress
#
# EXPLORE  (section "explore")
#   RaceLabExplore's speed: `stress-bench explore-counter 3 2`, every schedule of the
#   unsafe counter at 3 workers x 2 increments (34,650 interleavings of its loads and
#   stores, no pruning), EXPLORE_RUNS times (default 5). Targets: the median run under
#   10 s, and at least 50,000 scheduling steps per second. Each run also prints the same
#   program written on RaceLabSync's drop-ins (`explore-dropin-counter`), for comparison,
#   and the physical limit beside: the coroutine switch alone in a C loop
#   (scripts/switch_loop.c; scripts/switch-arm64.sh runs it on arm64 under qemu-user).
#     scripts/bench.sh --section explore
#
# ASYNC  (section "async")
#   The async explorer's speed, job by job, on the ticket office of the example (an
#   actor that checks, awaits Task.yield() and acts; one seat): `stress-bench
#   explore-async-reentrancy 2` (every schedule of 2 buyers) and `... 3 3` (3 buyers,
#   every schedule with at most 3 preemptions: unbounded, 3 buyers run past 100 million
#   schedules), EXPLORE_RUNS times each, interleaved. Target: at least 100,000 jobs per
#   second (each job a task's start or resumption, run on the explorer's thread after
#   the explorer chose it).
#     scripts/bench.sh --section async
#
# DROP-INS  (section "dropins")
#   RaceLabSync's drop-in Atomic and Mutex beside Synchronization's own, outside any
#   exploration, as another package uses them (`stress-bench dropins`): one increment
#   per operation (`wrappingAdd(1, ordering: .relaxed)`, `withLock { $0 &+= 1 }`) in
#   Stress's loop form, at 1, 2 and 8 workers, DROPIN_MS windows (default 100), 5 runs
#   per figure (the first a warm-up, the median of the rest). DROPIN_RUNS rounds
#   (default 7), each measuring every pair back to back, which goes first alternating;
#   the table has the medians over rounds. Target: the drop-in within 1.1x of the real
#   type for each primitive and worker count. (A mutex at 8 workers on 2 CPUs convoys:
#   its figure swings by 5x from run to run, whichever type it is.)
#     scripts/bench.sh --section dropins
#
# OPTIONS
#   --section LIST   comma-separated sections to run: counter, cache, default, litmus, stress,
#                    explore, async, dropins
#                    (default: all of them, in that order)
#   --no-build       do not run `swift build`: use the existing .build/release/racelab
#
# LAYOUT
#   One function per step; each comparison (compare_section: counter, caches)
#   runs its own rounds and prints its own table, adding to MET / TARGETS;
#   cache_breakdown then runs its own rounds and uses the medians they stored;
#   default_vs_long_section runs its own rounds and stability runs, adding to
#   MET / TARGETS too.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

ITER="${ITER:-5000000}"
RUNS="${RUNS:-7}"
CC="${CC:-cc}"
SCRATCH_PATH="${SCRATCH_PATH:-.build}"       # swift build's scratch path (--scratch-path)
RACELAB="$SCRATCH_PATH/release/racelab"
BIN_DIR=scripts/bin
C_BENCH="$BIN_DIR/bench_reference"
SWIFT_DICT_BENCH="$BIN_DIR/bench_dictionary"
TARGET=1.15
CACHE_TARGET=1.3
CACHE_KEYS="${CACHE_KEYS:-64}"
DEFAULT_ROUNDS="${DEFAULT_ROUNDS:-5}"        # rounds of the default-vs-long section
DEFAULT_PER_ROUND="${DEFAULT_PER_ROUND:-4}"  # default-window runs per (strategy, workers) per round
LONG_MS="${LONG_MS:-2000}"                   # the long run's window, ms
C_ITER="${C_ITER:-}"                         # fixed C iterations there (empty: calibrate)
STABILITY_RUNS="${STABILITY_RUNS:-20}"       # default runs per strategy in the stability table
DEFAULT_LONG_TARGET=1.5   # default/long, either way
DEFAULT_C_TARGET=1.5      # sharded at 8 workers: default/C
STABILITY_TARGET=1.5      # p90/p10 of repeated default runs
LITMUS_RUNS="${LITMUS_RUNS:-5}"          # rounds of the litmus section
LITMUS_ITER="${LITMUS_ITER:-1000000}"    # iterations per litmus run
LITMUS_SB_TARGET=10       # sb relaxed: median weak share, at least this %
LITMUS_TIME_TARGET=3      # sb: median seconds per run of LITMUS_ITER iterations, under this
C_LITMUS="$BIN_DIR/litmus_sb"
STRESS_RUNS="${STRESS_RUNS:-7}"              # rounds of the stress section
STRESS_ITER="${STRESS_ITER:-2000000}"        # increments per worker there
STRESS_SAMPLES="${STRESS_SAMPLES:-1000000}"  # SB samples per run there
STRESS_TARGET=1.2         # Stress / racelab counter atomic, ns/op
STRESS_SB_SPEED=2         # graded SB samples/s over the C twin's, at least
STRESS_SB_WEAK=5          # graded SB relaxed: median weak share, at least this %
STRESS_BENCH=scripts/stress-bench/.build/release/stress-bench
EXPLORE_RUNS="${EXPLORE_RUNS:-5}"            # runs of the explore section
DROPIN_RUNS="${DROPIN_RUNS:-7}"              # rounds of the drop-ins section
DROPIN_MS="${DROPIN_MS:-100}"                # window per run of the drop-ins section
SECTIONS="counter,cache,default,litmus,stress,explore,async,dropins"  # --section
BUILD_RACELAB=1                   # --no-build sets 0

declare -A SWIFT_MEDIAN=() C_MEDIAN=()  # "scenario/strategy/workers" -> median ns/op, for the summary
MET=0      # targets met, over all sections
TARGETS=0  # targets checked, over all sections
CLK_TCK=$(getconf CLK_TCK)
CHILDREN_CPU=0  # set by children_cpu_seconds
WORK_DIR=$(mktemp -d)
trap 'rm -rf "$WORK_DIR"' EXIT

# ---------------------------------------------------------------- helpers

# median of the numbers given as arguments; "-" if there are none.
median() {
    python3 -c 'import statistics, sys
xs = [float(x) for x in sys.argv[1:]]
print(f"{statistics.median(xs):.3f}" if xs else "-")' "$@"
}

# "busy steal" CPU time of the whole machine so far, in clock ticks, from the
# first line of /proc/stat (busy = user + nice + system + irq + softirq).
machine_cpu_ticks() {
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $9; exit }' /proc/stat
}

# CPU seconds used so far by this script's finished children (racelab, the C
# program, python3), from bash's `times` (second line: children user and sys).
# Sets CHILDREN_CPU rather than printing it: `times` inside $(...) would report
# the subshell's children, not ours.
children_cpu_seconds() {
    local report="$WORK_DIR/times"
    times >"$report"
    CHILDREN_CPU=$(sed -n 2p "$report" | python3 -c 'import re, sys
print(sum(int(m) * 60 + float(s) for m, s in re.findall(r"(\d+)m([\d.]+)s", sys.stdin.read())))')
}

# Prints how much CPU time other processes (and the hypervisor, as steal) took
# while a section ran: contended numbers on a busy machine are not comparable.
report_noise() {  # ticks-before children-before wall-seconds
    local busy_before steal_before busy_after steal_after children_after
    read -r busy_before steal_before <<<"$1"
    read -r busy_after steal_after <<<"$(machine_cpu_ticks)"
    children_cpu_seconds
    children_after=$CHILDREN_CPU
    python3 -c 'import sys
busy_b, steal_b, busy_a, steal_a, tck, ch_b, ch_a, wall = map(float, sys.argv[1:])
wall = max(wall, 1.0)  # bash SECONDS counts whole seconds
other = max(0.0, (busy_a - busy_b) / tck - (ch_a - ch_b))
steal = (steal_a - steal_b) / tck
print(f"noise: other processes used {other:.1f} CPU-s and the hypervisor stole {steal:.1f} CPU-s "
      f"during {wall:.0f} s of measuring ({100 * other / wall:.0f}% / {100 * steal / wall:.0f}% of one CPU)")
if other / wall > 0.05 or steal / wall > 0.05:
    print("warning: the machine was not quiet; treat 2-worker (contended) numbers as noise")' \
        "$busy_before" "$steal_before" "$busy_after" "$steal_after" "$CLK_TCK" "$2" "$children_after" "$3"
}

# One racelab run: prints the strategy's summarised median ns/op. Warns on stderr
# if a safe strategy lost updates. The JSON goes to a file and is parsed after
# racelab exits: piping it straight into python3 would start python3 while the
# workers run, and on a small machine its start-up steals a CPU from a worker
# (a 2-worker contended run then looks ~2.5x faster than it is).
# racelab_ns_per_op is fixed-count mode (--iterations $ITER); racelab_run runs the
# command exactly as given, so without --iterations it is the time-boxed default.
racelab_ns_per_op() {  # scenario strategy threads [racelab options...]
    racelab_run "$1" "$2" "$3" --iterations "$ITER" "${@:4}"
}

racelab_run() {  # scenario strategy threads [racelab options...]
    local scenario=$1
    shift
    "$RACELAB" "$scenario" --strategy "$1" --threads "$2" "${@:3}" --json >"$WORK_DIR/racelab.json" 2>"$WORK_DIR/racelab.err" ||
        { cat "$WORK_DIR/racelab.err" >&2; return 1; }
    python3 -c 'import json, sys
name, path = sys.argv[1:]
with open(path) as f:
    doc = json.load(f)
s = next(s for s in doc["strategies"] if s["name"] == name)
lost = s["summarised"]["expected"] - s["summarised"]["observed"]["min"]
if s["isExpectedSafe"] and lost:
    print(f"warning: racelab {name} lost {lost} updates", file=sys.stderr)
print(s["summarised"]["nsPerOp"]["median"])' "$1" "$WORK_DIR/racelab.json"
}

# One C run: prints ns/op (bench_reference itself complains about lost updates).
c_ns_per_op() {  # strategy threads
    KEYS=$CACHE_KEYS "$C_BENCH" "$1" "$2" "$ITER"
}

# Runs the forms (functions taking strategy and workers) of one configuration back
# to back: in the order given in odd rounds, reversed in even ones, so that no form
# always runs on a core just warmed (or just throttled) by another.
run_alternating() {  # round strategy threads form...
    local round=$1 strategy=$2 threads=$3 k
    shift 3
    local forms=("$@")
    if ((round % 2)); then
        for ((k = 0; k < ${#forms[@]}; k++)); do "${forms[$k]}" "$strategy" "$threads"; done
    else
        for ((k = ${#forms[@]} - 1; k >= 0; k--)); do "${forms[$k]}" "$strategy" "$threads"; done
    fi
}

# ---------------------------------------------------------------- steps

print_header() {
    local model
    model=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
    echo "racelab vs C benchmark"
    echo "command:    $0${*:+ $*}  (ITER=$ITER RUNS=$RUNS CC=$CC)"
    echo "sections:   $SECTIONS"
    if section_selected default; then
        echo "default:    DEFAULT_ROUNDS=$DEFAULT_ROUNDS DEFAULT_PER_ROUND=$DEFAULT_PER_ROUND LONG_MS=$LONG_MS" \
            "C_ITER=${C_ITER:-calibrated} STABILITY_RUNS=$STABILITY_RUNS"
    fi
    if section_selected litmus; then
        echo "litmus:     LITMUS_RUNS=$LITMUS_RUNS LITMUS_ITER=$LITMUS_ITER"
    fi
    echo "machine:    nproc=$(nproc), cpu: ${model:-unknown}, $(uname -sr)"
    echo "date:       $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) before starting"
    echo "revision:   $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- Sources 2>/dev/null || echo ' (+ uncommitted changes in Sources/)')"
    echo
}

build() {
    if ((BUILD_RACELAB)); then
        echo "building racelab (swift build -c release --scratch-path $SCRATCH_PATH)..."
        swift build -c release --scratch-path "$SCRATCH_PATH" >/dev/null
    else
        echo "not building racelab (--no-build): using $RACELAB as it is"
        [[ -x $RACELAB ]] || { echo "error: $RACELAB is missing: run swift build -c release" >&2; exit 1; }
    fi
    echo "compiling $C_BENCH ($CC -O2 -pthread)..."
    mkdir -p "$BIN_DIR"
    "$CC" -O2 -pthread -o "$C_BENCH" scripts/bench_reference.c
    if section_selected stress || section_selected explore || section_selected async || section_selected dropins; then
        echo "building $STRESS_BENCH (swift build -c release --package-path scripts/stress-bench)..."
        swift build -c release --package-path scripts/stress-bench >/dev/null
    fi
    if section_selected litmus || section_selected stress; then
        echo "compiling $C_LITMUS ($CC -O2 -pthread)..."
        "$CC" -O2 -pthread -o "$C_LITMUS" scripts/litmus_sb.c
    fi
    if section_selected cache; then  # only the cache breakdown uses it
        echo "compiling $SWIFT_DICT_BENCH (swiftc -O)..."
        swiftc -O -o "$SWIFT_DICT_BENCH" scripts/bench_dictionary.swift
    fi
    echo
}

# ---------------------------------------------------------------- sections

# One comparison: racelab SCENARIO strategies vs bench_reference's loops, per
# strategy and worker count. PAIRS are "racelab-strategy:c-strategy:target"
# (target "-" = for information only); OPTIONS go to racelab.
compare_section() {  # title scenario "pairs..." [racelab options...]
    local title=$1 scenario=$2
    local -a pairs
    read -r -a pairs <<<"$3"
    local -a options=("${@:4}")
    local thread_counts=(1 2)
    local -a strategies=() c_names=() targets=()
    local pair
    for pair in "${pairs[@]}"; do
        IFS=: read -r s c t <<<"$pair"
        strategies+=("$s")
        c_names+=("$c")
        targets+=("$t")
    done
    declare -A swift_samples=() c_samples=()
    local run s t key ticks_before children_before started

    ticks_before=$(machine_cpu_ticks)
    children_cpu_seconds
    children_before=$CHILDREN_CPU
    started=$SECONDS
    echo "== $title: $ITER operations per worker, $RUNS interleaved rounds"
    local i
    # One sample each, into this section's tables (bash functions see the caller's
    # locals: scenario, options, c_names, i).
    section_racelab_run() {
        local value
        value=$(racelab_ns_per_op "$scenario" "$1" "$2" "${options[@]}") && swift_samples["$1/$2"]+=" $value"
    }
    section_c_run() {
        local value
        value=$(c_ns_per_op "${c_names[$i]}" "$2") && c_samples["$1/$2"]+=" $value"
    }
    for ((run = 1; run <= RUNS; run++)); do
        printf 'round %d/%d ' "$run" "$RUNS"
        for i in "${!strategies[@]}"; do
            s=${strategies[$i]}
            for t in "${thread_counts[@]}"; do
                run_alternating "$run" "$s" "$t" section_racelab_run section_c_run
                printf '.'
            done
        done
        echo
    done
    report_noise "$ticks_before" "$children_before" $((SECONDS - started))
    echo

    local fmt='%-14s %7s %16s %11s %8s  %-8s %s\n'
    # shellcheck disable=SC2059
    printf "$fmt" strategy workers "racelab ns/op" "C ns/op" ratio target result
    # shellcheck disable=SC2059
    printf "$fmt" -------------- ------- ---------------- ----------- -------- -------- ------
    local swift_median c_median ratio target result
    for i in "${!strategies[@]}"; do
        s=${strategies[$i]}
        for t in "${thread_counts[@]}"; do
            key="$s/$t"
            # shellcheck disable=SC2086 # the sample lists are meant to split
            swift_median=$(median ${swift_samples[$key]:-})
            # shellcheck disable=SC2086
            c_median=$(median ${c_samples[$key]:-})
            SWIFT_MEDIAN["$scenario/$s/$t"]=$swift_median
            C_MEDIAN["$scenario/$s/$t"]=$c_median
            ratio=$(python3 -c 'import sys
a, b = sys.argv[1:]
print(f"{float(a) / float(b):.2f}x" if "-" not in (a, b) and float(b) > 0 else "-")' \
                "$swift_median" "$c_median")
            if [[ ${targets[$i]} == - ]]; then
                target="n/a (vs C ${c_names[$i]}, for information)"
                result=""
            else
                target="${targets[$i]}x"
                TARGETS=$((TARGETS + 1))
                if [[ $ratio != - ]] && python3 -c 'import sys; sys.exit(not float(sys.argv[1]) <= float(sys.argv[2]))' "${ratio%x}" "${targets[$i]}"; then
                    result=PASS
                    MET=$((MET + 1))
                else
                    result=MISS
                fi
            fi
            # shellcheck disable=SC2059
            printf "$fmt" "$s" "$t" "$swift_median" "$c_median" "$ratio" "$target" "$result"
        done
    done
    echo
}

# ---------------------------------------------------------------- cache breakdown

# Where the locked cache's time goes at 1 worker, on both sides. bench_dictionary
# runs racelab's locked loop (same key stream, Dictionary behind a pointer,
# `dict[key, default: 0] &+= 1`) with and without its pthread mutex; C's map runs
# with no lock. The map's cost is then measured, not guessed, and the rest (lock,
# key stream, loop) follows by difference. Interleaved rounds, medians.
cache_breakdown() {
    local run value
    local swift_map="" swift_locked_ref="" c_map=""
    echo "== where the locked cache's time goes (1 worker, $CACHE_KEYS keys, $RUNS interleaved rounds)"
    for ((run = 1; run <= RUNS; run++)); do
        value=$("$SWIFT_DICT_BENCH" map "$ITER" "$CACHE_KEYS") && swift_map+=" $value"
        value=$(KEYS=$CACHE_KEYS "$C_BENCH" cache-map 1 "$ITER") && c_map+=" $value"
        value=$("$SWIFT_DICT_BENCH" locked "$ITER" "$CACHE_KEYS") && swift_locked_ref+=" $value"
    done
    # shellcheck disable=SC2086 # the sample lists are meant to split
    python3 -c 'import statistics, sys
racelab_locked, c_locked = sys.argv[1], sys.argv[2]
samples = [list(map(float, x.split())) for x in sys.argv[3:6]]
if "-" in (racelab_locked, c_locked) or not all(samples):
    print("(missing figures: breakdown skipped)"); sys.exit()
rl, cl = float(racelab_locked), float(c_locked)
sm, cm, ref = (statistics.median(x) for x in samples)
print("%-44s %14s %9s %7s" % ("part", "Swift ns/op", "C ns/op", "ratio"))
def row(name, a, b):
    print("%-44s %14.2f %9.2f %6.2fx" % (name, a, b, a / b if b > 0 else float("nan")))
row("racelab locked cache (table above)", rl, cl)
row("the same loop outside racelab (check)", ref, cl)
row("the map alone: Dictionary vs open addressing", sm, cm)
row("the rest: lock, key stream, loop", rl - sm, cl - cm)
share = 100 * (sm - cm) / (rl - cl) if rl > cl else float("nan")
print("Swift Dictionary (SipHash-1-3 hashing, bucket search, uniqueness check) costs %+.2f ns/op"
      " more than the C map: %.0f%% of the locked cache gap to C." % (sm - cm, share))' \
        "${SWIFT_MEDIAN[cache/locked/1]:--}" "${C_MEDIAN[cache/locked/1]:--}" "$swift_map" "$c_map" "$swift_locked_ref"
    echo
}

# ---------------------------------------------------------------- default vs long

# racelab's default time-boxed run (what a user runs) against a long run and C.
# Each form appends "form strategy workers ns/op [C iterations]" to DVL_SAMPLES;
# the tables are worked out from that file at the end.
DVL_SAMPLES=""
declare -A DVL_C_ITERS=()  # "strategy/workers" -> C iterations per worker

dvl_default_runs() {  # strategy threads: DEFAULT_PER_ROUND runs of the default command
    local k value
    for ((k = 1; k <= DEFAULT_PER_ROUND; k++)); do
        value=$(racelab_run counter "$1" "$2") && echo "default $1 $2 $value" >>"$DVL_SAMPLES"
    done
    return 0
}

dvl_long_run() {  # strategy threads; the first one calibrates C's iteration count
    local value
    value=$(racelab_run counter "$1" "$2" --duration "$LONG_MS") || return 0
    echo "long $1 $2 $value" >>"$DVL_SAMPLES"
    if [[ -z ${DVL_C_ITERS[$1/$2]:-} ]]; then
        # C's wall time is ns/op x iterations per worker (ns/op = wall x workers / ops)
        DVL_C_ITERS[$1/$2]=$(python3 -c 'import math, sys
ms, ns = map(float, sys.argv[1:])
print(max(1000, math.ceil(ms * 1e6 / ns)) if ns > 0 else "")' "$LONG_MS" "$value")
    fi
}

# The first C run of a (strategy, workers) checks the calibration: racelab's
# ns/op is only a guess at C's (they can differ 10x, e.g. a Swift Mutex convoy at
# 8 workers on 2 CPUs). If the run took under half or over twice LONG_MS, its
# result is dropped and C runs again with a count worked out from its own ns/op.
declare -A DVL_C_CHECKED=()  # "strategy/workers" -> 1 once the count is settled

dvl_c_run() {  # strategy threads (mutex runs C's pthread mutex: C has no Swift Mutex)
    local c_name=$1 key=$1/$2 iterations value better
    [[ $c_name == mutex ]] && c_name=pthread-mutex
    iterations=${C_ITER:-${DVL_C_ITERS[$key]:-$ITER}}
    value=$("$C_BENCH" "$c_name" "$2" "$iterations") || return 0
    if [[ -z $C_ITER && -z ${DVL_C_CHECKED[$key]:-} ]]; then
        DVL_C_CHECKED[$key]=1
        better=$(python3 -c 'import math, sys
ms, ns, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
took_ms = ns * n / 1e6  # wall = ns/op x iterations per worker
if ns > 0 and not 0.5 * ms <= took_ms <= 2 * ms:
    print(max(1000, math.ceil(ms * 1e6 / ns)))' "$LONG_MS" "$value" "$iterations")
        if [[ -n $better ]]; then
            DVL_C_ITERS[$key]=$better
            iterations=$better
            value=$("$C_BENCH" "$c_name" "$2" "$iterations") || return 0
        fi
    fi
    echo "c $1 $2 $value $iterations" >>"$DVL_SAMPLES"
}

default_vs_long_section() {
    local strategies=(pthread-mutex atomic sharded mutex)
    local thread_counts=(1 2 8)
    local run s t ticks_before children_before started report
    DVL_SAMPLES="$WORK_DIR/default_vs_long.samples"
    : >"$DVL_SAMPLES"
    DVL_C_ITERS=()
    DVL_C_CHECKED=()

    ticks_before=$(machine_cpu_ticks)
    children_cpu_seconds
    children_before=$CHILDREN_CPU
    started=$SECONDS
    echo "== default run vs long run vs C: \`racelab counter --strategy S --threads T --json\` (default window," \
        "${DEFAULT_PER_ROUND}x per round) vs --duration $LONG_MS vs C, $DEFAULT_ROUNDS interleaved rounds"
    if [[ -n $C_ITER ]]; then
        echo "C iterations per worker: $C_ITER (C_ITER)"
    else
        echo "C iterations per worker: calibrated so C runs about $LONG_MS ms (from the first long run's ns/op," \
            "redone from C's own if the first C run is off by over 2x)"
    fi
    for ((run = 1; run <= DEFAULT_ROUNDS; run++)); do
        printf 'round %d/%d ' "$run" "$DEFAULT_ROUNDS"
        for s in "${strategies[@]}"; do
            for t in "${thread_counts[@]}"; do
                # Round 1 runs the long form before C, so C's iterations are calibrated first.
                run_alternating "$run" "$s" "$t" dvl_default_runs dvl_long_run dvl_c_run
                printf '.'
            done
        done
        echo
    done
    report_noise "$ticks_before" "$children_before" $((SECONDS - started))
    echo

    report=$(python3 -c 'import statistics, sys
path, dl_target, dc_target = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
strategies, thread_counts = sys.argv[4].split(), sys.argv[5].split()
samples, c_iters = {}, {}
with open(path) as f:
    for line in f:
        form, s, t, value, *rest = line.split()
        samples.setdefault((form, s, t), []).append(float(value))
        if rest:
            c_iters.setdefault((s, t), set()).add(int(rest[0]))
def med(form, s, t):
    xs = samples.get((form, s, t))
    return statistics.median(xs) if xs else None
def ratio(a, b):
    return a / b if a is not None and b is not None and b > 0 else None
def show(x, f="%.2f"):
    return "-" if x is None else f % x
fmt = "%-14s %7s %14s %11s %9s %13s %7s %10s %11s  %s"
print(fmt % ("strategy", "workers", "default ns/op", "long ns/op", "C ns/op", "default/long", "long/C",
             "default/C", "C iters", "targets"))
print(fmt % ("-" * 14, "-" * 7, "-" * 14, "-" * 11, "-" * 9, "-" * 13, "-" * 7, "-" * 10, "-" * 11, "-" * 7))
met = checked = 0
for s in strategies:
    for t in thread_counts:
        d, l, c = med("default", s, t), med("long", s, t), med("c", s, t)
        dl, lc, dc = ratio(d, l), ratio(l, c), ratio(d, c)
        marks = []
        ok = dl is not None and 1 / dl_target <= dl <= dl_target
        checked += 1; met += ok
        marks.append("default/long %s" % ("PASS" if ok else "MISS"))
        if s == "sharded" and t == "8":
            ok = dc is not None and dc <= dc_target
            checked += 1; met += ok
            marks.append("default/C %s" % ("PASS" if ok else "MISS"))
        if s == "mutex":
            marks.append("(C: pthread mutex, for information)")
        iters = c_iters.get((s, t), set())
        print(fmt % (s, t, show(d), show(l), show(c), show(dl, "%.2fx"), show(lc, "%.2fx"), show(dc, "%.2fx"),
                     "/".join(map(str, sorted(iters))) or "-", ", ".join(marks)))
n_default = max((len(v) for k, v in samples.items() if k[0] == "default"), default=0)
print("(medians over up to %d default runs and %d long and C runs per row; targets: default/long within %.2gx"
      " either way, sharded at 8 workers default/C <= %.2gx)" % (
          n_default, max((len(v) for k, v in samples.items() if k[0] != "default"), default=0), dl_target, dc_target))
print("COUNTS %d %d" % (met, checked))' \
        "$DVL_SAMPLES" "$DEFAULT_LONG_TARGET" "$DEFAULT_C_TARGET" "${strategies[*]}" "${thread_counts[*]}")
    count_and_print "$report"
    echo
    stability_section
}

# Repeated default runs at 8 workers: how much does one default run vary?
stability_section() {
    local strategies=(atomic pthread-mutex sharded)
    local file="$WORK_DIR/stability.samples" run s value ticks_before children_before started report
    : >"$file"
    ticks_before=$(machine_cpu_ticks)
    children_cpu_seconds
    children_before=$CHILDREN_CPU
    started=$SECONDS
    echo "== stability of the default run: \`racelab counter --threads 8 --strategy S --json\`," \
        "$STABILITY_RUNS runs per strategy, interleaved"
    printf 'runs '
    for ((run = 1; run <= STABILITY_RUNS; run++)); do
        for s in "${strategies[@]}"; do
            value=$(racelab_run counter "$s" 8) && echo "$s $value" >>"$file"
        done
        printf '.'
    done
    echo
    report_noise "$ticks_before" "$children_before" $((SECONDS - started))
    echo
    report=$(python3 -c 'import math, sys
path, target, strategies = sys.argv[1], float(sys.argv[2]), sys.argv[3].split()
samples = {}
with open(path) as f:
    for line in f:
        s, value = line.split()
        samples.setdefault(s, []).append(float(value))
def rank(xs, p):  # nearest-rank percentile
    xs = sorted(xs)
    return xs[max(1, math.ceil(p / 100 * len(xs))) - 1]
fmt = "%-14s %5s %9s %9s %9s %8s  %-8s %s"
print(fmt % ("strategy", "runs", "p10", "median", "p90", "p90/p10", "target", "result"))
print(fmt % ("-" * 14, "-" * 5, "-" * 9, "-" * 9, "-" * 9, "-" * 8, "-" * 8, "-" * 6))
met = 0
for s in strategies:
    xs = samples.get(s, [])
    if xs:
        p10, p50, p90 = (rank(xs, p) for p in (10, 50, 90))
        spread = p90 / p10 if p10 > 0 else float("inf")
        ok = spread <= target
        cells = ("%.2f" % p10, "%.2f" % p50, "%.2f" % p90, "%.2fx" % spread)
    else:
        ok, cells = False, ("-",) * 4
    met += ok
    print(fmt % ((s, len(xs)) + cells + ("<= %.2gx" % target, "PASS" if ok else "MISS")))
print("(ns/op; nearest-rank percentiles, the median being p50)")
print("COUNTS %d %d" % (met, len(strategies)))' "$file" "$STABILITY_TARGET" "${strategies[*]}")
    count_and_print "$report"
    echo
}

# ---------------------------------------------------------------- litmus

# racelab litmus and its C twin: each form appends "form test ordering weak
# iterations seconds" to LITMUS_SAMPLES; the table is worked out at the end.
LITMUS_SAMPLES=""

litmus_racelab_run() {  # test ordering
    "$RACELAB" litmus "$1" --ordering "$2" --iterations "$LITMUS_ITER" --json >"$WORK_DIR/litmus.json" \
        2>"$WORK_DIR/litmus.err" || { cat "$WORK_DIR/litmus.err" >&2; return 0; }
    python3 -c 'import json, sys
run = json.load(open(sys.argv[1]))["tests"][0]["runs"][0]
if run["forbiddenCount"]:
    print("warning: racelab litmus %s %s: a forbidden outcome showed" % (sys.argv[2], sys.argv[3]), file=sys.stderr)
print("racelab", sys.argv[2], sys.argv[3], run["weakCount"], run["iterations"], run["elapsedNanoseconds"] / 1e9)' \
        "$WORK_DIR/litmus.json" "$1" "$2" >>"$LITMUS_SAMPLES"
}

litmus_c_run() {  # test ordering (the C twin is sb only)
    local weak iterations seconds
    read -r weak iterations seconds <<<"$("$C_LITMUS" "$2" "$LITMUS_ITER")" || return 0
    echo "c $1 $2 $weak $iterations $seconds" >>"$LITMUS_SAMPLES"
}

litmus_section() {
    local orderings=(relaxed acquire-release seq_cst) others=(mp lb iriw 2+2w corr)
    local run o t ticks_before children_before started report
    LITMUS_SAMPLES="$WORK_DIR/litmus.samples"
    : >"$LITMUS_SAMPLES"
    ticks_before=$(machine_cpu_ticks)
    children_cpu_seconds
    children_before=$CHILDREN_CPU
    started=$SECONDS
    echo "== litmus: \`racelab litmus T --ordering O --iterations $LITMUS_ITER --json\` for every test and ordering," \
        "sb beside its C twin (scripts/litmus_sb.c), $LITMUS_RUNS interleaved rounds"
    for ((run = 1; run <= LITMUS_RUNS; run++)); do
        printf 'round %d/%d ' "$run" "$LITMUS_RUNS"
        for o in "${orderings[@]}"; do
            run_alternating "$run" sb "$o" litmus_racelab_run litmus_c_run
            printf '.'
        done
        for t in "${others[@]}"; do
            for o in "${orderings[@]}"; do
                litmus_racelab_run "$t" "$o"
                printf '.'
            done
        done
        echo
    done
    report_noise "$ticks_before" "$children_before" $((SECONDS - started))
    echo
    report=$(python3 -c 'import statistics, sys
path, sb_target, time_target = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
samples = {}
for line in open(path):
    form, test, ordering, weak, n, seconds = line.split()
    samples.setdefault((form, test, ordering), []).append((int(weak), int(n), float(seconds)))
def stats(key):
    xs = samples.get(key)
    if not xs:
        return None
    shares = [100.0 * w / n for w, n, _ in xs]
    return (statistics.median(shares), min(shares), max(shares), statistics.median(s for _, _, s in xs),
            sum(w for w, _, _ in xs), len(xs))
def cells(st):
    if st is None:
        return ("-", "-", "-")
    return ("%.2f%%" % st[0], "%.2f-%.2f%%" % (st[1], st[2]), "%.2f" % st[3])
fmt = "%-5s %-16s %14s %16s %12s %10s %16s %8s  %s"
print(fmt % ("test", "ordering", "racelab weak", "racelab min-max", "racelab s", "C weak", "C min-max", "C s",
             "targets"))
print(fmt % ("-" * 5, "-" * 16, "-" * 14, "-" * 16, "-" * 12, "-" * 10, "-" * 16, "-" * 8, "-" * 7))
met = checked = 0
for test in ["sb", "mp", "lb", "iriw", "2+2w", "corr"]:
    for ordering in ["relaxed", "acquire-release", "seq_cst"]:
        r, c = stats(("racelab", test, ordering)), stats(("c", test, ordering))
        marks = []
        if test == "sb" and ordering == "relaxed":
            ok = r is not None and r[0] >= sb_target
            checked += 1; met += ok
            marks.append("weak >= %g%% %s" % (sb_target, "PASS" if ok else "MISS"))
        if test == "sb" and ordering == "seq_cst":
            ok = r is not None and r[4] == 0
            checked += 1; met += ok
            marks.append("weak = 0 %s" % ("PASS" if ok else "MISS"))
        if test == "sb":
            ok = r is not None and r[3] < time_target
            checked += 1; met += ok
            marks.append("< %g s %s" % (time_target, "PASS" if ok else "MISS"))
        rc, cc = cells(r), cells(c)
        print(fmt % ((test, ordering) + rc + cc[:2] + (cc[2], ", ".join(marks))))
print("(weak: the share of iterations that ended in the test\x27s weak outcome, median over %d runs, min-max beside it;"
      " s: median seconds per run of %s iterations, thread creation to join; x86-64 never produces mp, lb, iriw and"
      " 2+2w\x27s weak outcomes, and corr\x27s is forbidden everywhere)" % (
          max((len(v) for v in samples.values()), default=0), sys.argv[4]))
print("COUNTS %d %d" % (met, checked))' "$LITMUS_SAMPLES" "$LITMUS_SB_TARGET" "$LITMUS_TIME_TARGET" "$LITMUS_ITER")
    count_and_print "$report"
    echo
}

stress_racelab_atomic() {  # strategy threads
    echo "racelab atomic $2 $(racelab_run counter atomic "$2" --iterations "$STRESS_ITER")" >>"$STRESS_SAMPLES_FILE"
}

stress_api_atomic() {  # strategy threads
    local figure
    figure=$("$STRESS_BENCH" atomic "$2" "$STRESS_ITER" | awk '/^ns\/op/ { print $2 }')
    echo "stress atomic $2 $figure" >>"$STRESS_SAMPLES_FILE"
}

stress_api_sb() {  # test ordering
    local weak samples seconds
    read -r _ weak _ samples _ seconds <<<"$("$STRESS_BENCH" sb "$2" "$STRESS_SAMPLES")"
    echo "graded sb-$2 $weak $samples $seconds" >>"$STRESS_SAMPLES_FILE"
}

stress_api_atomic_loop() {  # strategy threads
    local figure
    figure=$("$STRESS_BENCH" atomic-loop "$2" "$STRESS_ITER" | awk '/^ns\/op/ { print $2 }')
    echo "loop atomic $2 $figure" >>"$STRESS_SAMPLES_FILE"
}

stress_racelab_sb() {  # test ordering
    "$RACELAB" litmus sb --ordering "$2" --iterations "$STRESS_SAMPLES" --json >"$WORK_DIR/litmus.json" 2>/dev/null ||
        return 0
    python3 -c 'import json, sys
run = json.load(open(sys.argv[1]))["tests"][0]["runs"][0]
print("litmus sb-%s %d %d %f" % (sys.argv[2], run["weakCount"], run["iterations"], run["elapsedNanoseconds"] / 1e9))' \
        "$WORK_DIR/litmus.json" "$2" >>"$STRESS_SAMPLES_FILE"
}

stress_c_sb() {  # test ordering
    local weak iterations seconds
    read -r weak iterations seconds <<<"$("$C_LITMUS" "$2" "$STRESS_SAMPLES")" || return 0
    echo "c sb-$2 $weak $iterations $seconds" >>"$STRESS_SAMPLES_FILE"
}

stress_section() {
    local run w ticks_before children_before started report
    STRESS_SAMPLES_FILE="$WORK_DIR/stress.samples"
    : >"$STRESS_SAMPLES_FILE"
    ticks_before=$(machine_cpu_ticks)
    children_cpu_seconds
    children_before=$CHILDREN_CPU
    started=$SECONDS
    echo "== stress: the stress API (scripts/stress-bench, public API only) beside racelab's own loops," \
        "$STRESS_RUNS interleaved rounds"
    for ((run = 1; run <= STRESS_RUNS; run++)); do
        printf 'round %d/%d ' "$run" "$STRESS_RUNS"
        for w in 1 2 8; do
            run_alternating "$run" atomic "$w" stress_racelab_atomic stress_api_atomic stress_api_atomic_loop
            printf '.'
        done
        run_alternating "$run" sb relaxed stress_api_sb stress_racelab_sb stress_c_sb
        stress_api_sb sb seq_cst
        echo
    done
    report_noise "$ticks_before" "$children_before" $((SECONDS - started))
    echo
    report=$(python3 -c 'import statistics, sys
path, target, speed, weak_target, samples_n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
atomic, sb = {}, {}
for line in open(path):
    f = line.split()
    if f[1] == "atomic":
        atomic.setdefault((f[0], int(f[2])), []).append(float(f[3]))
    else:
        sb.setdefault((f[0], f[1]), []).append((int(f[2]), int(f[3]), float(f[4])))
med = statistics.median
met = checked = 0
print("%-8s %14s %14s %8s %16s %8s  %s" % ("workers", "racelab ns/op", "Stress body", "ratio", "Stress loop", "ratio",
      "target (body)"))
for w in (1, 2, 8):
    r, s, l = atomic.get(("racelab", w)), atomic.get(("stress", w)), atomic.get(("loop", w))
    if not r or not s:
        continue
    ratio = med(s) / med(r)
    ok = ratio <= target
    checked += 1; met += ok
    loop = (med(l), med(l) / med(r)) if l else (float("nan"), float("nan"))
    print("%-8d %14.2f %14.2f %7.2fx %16.2f %7.2fx  <= %gx %s" % (w, med(r), med(s), ratio, loop[0], loop[1], target,
          "PASS" if ok else "MISS"))
print()
print("%-24s %14s %12s %16s %10s" % ("store buffering", "samples/s", "weak", "weak min-max", "s per run"))
rates = {}
for key, label in ((("graded", "sb-relaxed"), "OutcomeStress (relaxed)"), (("litmus", "sb-relaxed"), "racelab litmus sb"),
                   (("c", "sb-relaxed"), "C twin (litmus_sb.c)"), (("graded", "sb-seq_cst"), "OutcomeStress (seq_cst)")):
    xs = sb.get(key)
    if not xs:
        continue
    shares = [100.0 * w / n for w, n, _ in xs]
    rates[key] = med(n / s for _, n, s in xs)
    print("%-24s %14s %11.2f%% %16s %10.3f" % (label, "{:,.0f}".format(rates[key]), med(shares),
          "%.2f-%.2f%%" % (min(shares), max(shares)), med(s for _, _, s in xs)))
g, c = rates.get(("graded", "sb-relaxed")), rates.get(("c", "sb-relaxed"))
if g and c:
    ok = g / c >= speed
    checked += 1; met += ok
    print("graded / C twin samples per second: %.2fx (>= %gx %s)" % (g / c, speed, "PASS" if ok else "MISS"))
weak = sb.get(("graded", "sb-relaxed"))
if weak:
    share = med(100.0 * w / n for w, n, _ in weak)
    ok = share >= weak_target
    checked += 1; met += ok
    print("graded relaxed weak share: %.2f%% (>= %g%% %s)" % (share, weak_target, "PASS" if ok else "MISS"))
seq = sb.get(("graded", "sb-seq_cst"))
if seq:
    ok = sum(w for w, _, _ in seq) == 0
    checked += 1; met += ok
    print("graded seq_cst weak in every run: %d (= 0 %s)" % (sum(w for w, _, _ in seq), "PASS" if ok else "MISS"))
print("(ns/op: the workers\x27 busy time over all operations, median over rounds, %s increments per worker;"
      " samples/s: samples over the run\x27s wall time, %s samples per run)" % (sys.argv[6], samples_n))
print("COUNTS %d %d" % (met, checked))' "$STRESS_SAMPLES_FILE" "$STRESS_TARGET" "$STRESS_SB_SPEED" "$STRESS_SB_WEAK" \
        "$STRESS_SAMPLES" "$STRESS_ITER")
    count_and_print "$report"
    echo
}

explore_section() {
    local run line samples="$WORK_DIR/explore.samples" report
    : >"$samples"
    echo "== explore: every schedule of the unsafe counter, 3 workers x 2 increments, $EXPLORE_RUNS runs"
    for ((run = 1; run <= EXPLORE_RUNS; run++)); do
        line=$("$STRESS_BENCH" explore-counter 3 2)
        echo "run $run: $line"
        echo "$line" >>"$samples"
        # The same program on RaceLabSync's drop-ins (a RaceTest): a figure, not a target.
        echo "run $run, drop-ins: $("$STRESS_BENCH" explore-dropin-counter 3 2)"
    done
    report=$(python3 -c 'import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
seconds = statistics.median(float(r[7]) for r in rows)
rate = statistics.median(int(r[5]) / float(r[7]) for r in rows)
met = (seconds < 10) + (rate >= 50000)
print("schedules %s (failed %s), median %.2f s (< 10 s %s), %s steps/s (>= 50,000 %s)" % (rows[0][1], rows[0][3],
      seconds, "PASS" if seconds < 10 else "MISS", "{:,.0f}".format(rate), "PASS" if rate >= 50000 else "MISS"))
print("COUNTS %d 2" % met)' "$samples")
    count_and_print "$report"
    # The physical limit beside it: the same coroutine switch in a bare C loop.
    if cc -O2 -D_GNU_SOURCE -w -ISources/CRaceLabShims/include -o "$WORK_DIR/switch_loop" scripts/switch_loop.c \
        Sources/CRaceLabShims/shims.c -lpthread 2>/dev/null; then
        echo "bare C switch loop (scripts/switch_loop.c), a step's round trip at most:"
        "$WORK_DIR/switch_loop" | sed 's/^/  /'
    else
        echo "bare C switch loop: no C compiler here (cc), not measured"
    fi
    echo
}

async_section() {
    local run shape label line samples="$WORK_DIR/async.samples" report
    : >"$samples"
    echo "== async: the ticket office explored job by job, $EXPLORE_RUNS runs per shape, interleaved"
    for ((run = 1; run <= EXPLORE_RUNS; run++)); do
        for shape in "2" "3 3"; do
            # shellcheck disable=SC2086  # the shape is two words on purpose
            line=$("$STRESS_BENCH" explore-async-reentrancy $shape)
            if [[ $shape == *" "* ]]; then label="${shape%% *} tasks, bound ${shape##* }"; else label="$shape tasks"; fi
            echo "run $run, $label: $line"
            echo "${shape// /-} $line" >>"$samples"
        done
    done
    report=$(python3 -c 'import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
met = checked = 0
for shape, title in (("2", "2 tasks, every schedule"), ("3-3", "3 tasks, at most 3 preemptions")):
    mine = [r for r in rows if r[0] == shape]
    seconds = statistics.median(float(r[8]) for r in mine)
    rate = statistics.median(int(r[6]) / float(r[8]) for r in mine)
    checked += 1; met += rate >= 100000
    print("%-32s schedules %s, jobs %s, median %.3f s, %s jobs/s (>= 100,000 %s)" % (title, "{:,}".format(int(mine[0][2])),
          "{:,}".format(int(mine[0][6])), seconds, "{:,.0f}".format(rate), "PASS" if rate >= 100000 else "MISS"))
print("COUNTS %d %d" % (met, checked))' "$samples")
    count_and_print "$report"
    echo
}

dropins_section() {
    local table report
    echo "== drop-ins: RaceLabSync's Atomic and Mutex beside Synchronization's, $DROPIN_RUNS interleaved rounds"
    table=$("$STRESS_BENCH" dropins "$DROPIN_RUNS" "$DROPIN_MS")
    report=$(python3 -c 'import sys
lines = sys.stdin.read().splitlines()
met = checked = 0
print(lines[0] + "   target <= 1.1x")
for line in lines[1:]:
    ratio = float(line.split()[-1].rstrip("x"))
    checked += 1; met += ratio <= 1.1
    print(line + "   " + ("PASS" if ratio <= 1.1 else "MISS"))
print("COUNTS %d %d" % (met, checked))' <<<"$table")
    count_and_print "$report"
    echo
}

# Prints a report whose last line is "COUNTS met checked" (without that line)
# and adds the counts to MET / TARGETS.
count_and_print() {  # report
    local counts
    counts=$(tail -n 1 <<<"$1")
    sed '$d' <<<"$1"
    read -r _ met checked <<<"$counts"
    MET=$((MET + met))
    TARGETS=$((TARGETS + checked))
}

# ---------------------------------------------------------------- main

section_selected() {  # name
    [[ ,$SECTIONS, == *,"$1",* ]]
}

usage() {
    sed -n '2,/^set -euo pipefail/{/^#/s/^# \{0,1\}//p}' scripts/bench.sh
}

parse_args() {
    while (($#)); do
        case $1 in
        --section)
            (($# >= 2)) || { echo "bench.sh: --section needs a value (counter, cache, default, litmus, stress, explore)" >&2; exit 64; }
            SECTIONS=$2
            shift 2
            ;;
        --section=*) SECTIONS=${1#*=}; shift ;;
        --no-build) BUILD_RACELAB=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "bench.sh: unknown argument '$1' (try --help)" >&2; exit 64 ;;
        esac
    done
    [[ $SECTIONS == all ]] && SECTIONS="counter,cache,default,litmus,stress,explore"
    local section
    local -a requested
    IFS=, read -r -a requested <<<"$SECTIONS"
    ((${#requested[@]})) || { echo "bench.sh: --section needs a value (counter, cache, default, litmus, stress, explore, async, dropins)" >&2; exit 64; }
    for section in "${requested[@]}"; do
        case $section in
        counter | cache | default | litmus | stress | explore | async | dropins) ;;
        *) echo "bench.sh: unknown section '$section' (counter, cache, default, litmus, stress, explore, async, dropins)" >&2; exit 64 ;;
        esac
    done
}

main() {
    parse_args "$@"
    print_header "$@"
    build
    local -a described=()
    if section_selected counter; then
        compare_section counter counter \
            "mutex:pthread-mutex:- pthread-mutex:pthread-mutex:$TARGET atomic:atomic:$TARGET sharded:sharded:$TARGET"
        described+=("counter within ${TARGET}x of C")
    fi
    if section_selected cache; then
        # The safe caches: Swift Dictionary (SipHash) under a pthread mutex, 16 striped
        # mutexes, or a pthread rwlock, vs an open-addressing C map under the same locks;
        # same key stream.
        compare_section "cache ($CACHE_KEYS keys, uniform)" cache \
            "locked:cache-locked:$CACHE_TARGET striped:cache-striped:$TARGET rwlock:cache-rwlock:$TARGET" \
            --keys "$CACHE_KEYS" --distribution uniform
        cache_breakdown
        described+=("striped/rwlock cache within ${TARGET}x of C, locked cache within ${CACHE_TARGET}x")
    fi
    if section_selected default; then
        default_vs_long_section
        described+=("default/long within ${DEFAULT_LONG_TARGET}x, sharded at 8 workers default/C within ${DEFAULT_C_TARGET}x, default-run p90/p10 <= ${STABILITY_TARGET}x")
    fi
    if section_selected litmus; then
        litmus_section
        described+=("litmus sb relaxed weak >= ${LITMUS_SB_TARGET}%, seq_cst weak = 0, $LITMUS_ITER iterations < ${LITMUS_TIME_TARGET} s")
    fi
    if section_selected stress; then
        stress_section
        described+=("Stress within ${STRESS_TARGET}x of counter atomic, graded SB >= ${STRESS_SB_SPEED}x the C twin's samples/s and weak >= ${STRESS_SB_WEAK}%, seq_cst weak = 0")
    fi
    if section_selected explore; then
        explore_section
        described+=("explore: 34,650 schedules in < 10 s, >= 50,000 steps/s")
    fi
    if section_selected async; then
        async_section
        described+=("async explorer >= 100,000 jobs/s")
    fi
    if section_selected dropins; then
        dropins_section
        described+=("drop-in Atomic and Mutex within 1.1x of Synchronization's at 1, 2 and 8 workers")
    fi
    local joined
    joined=$(printf '%s; ' "${described[@]}")
    echo "summary: $MET of $TARGETS targets met (${joined%; })"
}

main "$@"
exit 0

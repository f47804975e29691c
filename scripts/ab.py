#!/usr/bin/env python3
"""ab.py: two racelab binaries side by side, interleaved: median ns/op per strategy.

    scripts/ab.py OLD NEW -- cache --threads 1 --strategy locked,striped --runs 3
    ROUNDS=9 scripts/ab.py OLD NEW -- counter --threads 2

Each round runs `OLD <args> --json` and `NEW <args> --json` back to back (which goes
first alternates), ROUNDS times (default 7); per strategy it prints the median over
rounds of each binary's reported median ns/op, and NEW/OLD. A record, not a gate: it
answers "did this change make the hot loop slower?" with both measured in one run,
on one machine, at one time (build the old revision with `git worktree add` and
`swift build -c release --scratch-path .build-old`)."""
import collections, json, os, statistics, subprocess, sys

if "--" not in sys.argv or sys.argv.index("--") != 3:
    sys.exit(__doc__)
old, new, args = sys.argv[1], sys.argv[2], sys.argv[4:]
rounds = int(os.environ.get("ROUNDS", "7"))
figures = collections.defaultdict(lambda: collections.defaultdict(list))
for r in range(rounds):
    order = (("old", old), ("new", new)) if r % 2 == 0 else (("new", new), ("old", old))
    for tag, binary in order:
        out = subprocess.run([binary] + args + ["--json"], capture_output=True, text=True, check=True).stdout
        for s in json.loads(out)["strategies"]:
            value = s["summarised"].get("nsPerOp")
            if value:
                figures[s["name"]][tag].append(value["median"])
    print(f"ab: round {r + 1}/{rounds}", file=sys.stderr)
print(f"{'strategy':15} {'old ns/op':>10} {'new ns/op':>10} {'new/old':>8}   ({rounds} interleaved rounds: {' '.join(args)})")
for name, by in figures.items():
    o, n = statistics.median(by["old"]), statistics.median(by["new"])
    print(f"{name:15} {o:10.2f} {n:10.2f} {n / o:7.2f}x")
